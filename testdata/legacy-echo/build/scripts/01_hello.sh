set -e
mkdir -p /opt/hello
printf '#!/bin/sh\necho hello from the legacy echo repo\n' > /opt/hello/hello
chmod 755 /opt/hello/hello
