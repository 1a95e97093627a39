. /build/script/functions.sh
mkdir -p /etc/bb
echo extra > /etc/bb/05_extra
