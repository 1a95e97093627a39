### hello, with the greeting of the build argument
mkdir -p /opt/hello
printf '#!/bin/sh\necho %s from the legacy tmpfile repo\n' "$GREETING" > /opt/hello/hello
chmod 755 /opt/hello/hello
