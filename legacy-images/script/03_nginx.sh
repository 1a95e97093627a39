#!/bin/bash
# 03_nginx.sh — nginx serving /var/www/html on $WEB_PORT.
. /build/script/functions.sh

install_permanent nginx-light

rm -f /etc/nginx/sites-enabled/default
# The run script renders the site from this template with the port of the
# container environment.
cat >/etc/nginx/sites-available/legacy.template <<'SITE'
server {
	listen @WEB_ADDRESS@:@WEB_PORT@ default_server;
	root /var/www/html;
	index index.html;
	server_name _;
	location / {
		try_files $uri $uri/ =404;
	}
}
SITE

mkdir -p /var/www/html
cat >/var/www/html/index.html <<'HTML'
<!DOCTYPE html>
<html><head><title>legacy web</title></head>
<body><h1>legacy web</h1><p>served by nginx under runit</p></body></html>
HTML

container_default WEB_PORT 80
container_default WEB_ADDRESS 0.0.0.0
