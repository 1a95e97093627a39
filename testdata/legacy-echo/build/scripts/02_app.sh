set -e
mkdir -p /opt/app/bin
echo "app 1" > /opt/app/VERSION
printf '#!/bin/sh\ncat /opt/app/VERSION\n' > /opt/app/bin/app
chmod 700 /opt/app/bin/app
