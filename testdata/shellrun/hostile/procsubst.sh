#!/bin/bash
cat <(echo hi) > /tmp/out
diff <(ls /) <(ls /etc)
tee >(cat > /etc/passwd) < /etc/hostname
