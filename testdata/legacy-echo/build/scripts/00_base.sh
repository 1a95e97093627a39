set -e
mkdir -p /etc/legacy
echo "base 1" > /etc/legacy/base
chmod 640 /etc/legacy/base
