### the base directories
mkdir -p /etc/legacy /opt
echo "base 1" > /etc/legacy/base
### the image's motd
echo "legacy tmpfile repo" > /etc/motd
chmod 600 /etc/motd
