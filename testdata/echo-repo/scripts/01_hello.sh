# 01_hello.sh — a greeting.
set -e
echo "hello from the echo repo" > /etc/echo/motd
