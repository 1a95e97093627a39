. /build/script/functions.sh
install_permanent app
echo "app version 1" > /etc/bb/app.conf
ln -s /etc/bb/app.conf /etc/bb/app.link
