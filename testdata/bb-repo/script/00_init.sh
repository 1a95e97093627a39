. /build/script/functions.sh
mkdir -p /etc/bb
echo init > /etc/bb/00_init
