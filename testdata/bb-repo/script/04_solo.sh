. /build/script/functions.sh
echo solo > /etc/bb/04_solo
