### the application's tree
mkdir -p /opt/app/bin /opt/app/data
chmod 750 /opt/app/data
### the application
echo "app 1" > /opt/app/VERSION
printf '#!/bin/sh\n/opt/hello/hello\ncat /opt/app/VERSION\n' > /opt/app/bin/app
chmod 755 /opt/app/bin/app
### its user
echo 'app:x:1000:1000:app:/opt/app:/bin/false' >> /etc/passwd
echo 'app:x:1000:' >> /etc/group
chown -R app:app /opt/app/data
