# 03_app.sh — the application.
set -e
printf '#!/bin/sh\necho app 1\n' > /opt/echo/app
chmod 755 /opt/echo/app
echo "app installed" >> /etc/echo/motd
