# 00_base.sh — directories every later script uses.
set -e
mkdir -p /etc/echo /opt/echo
echo "base" > /opt/echo/00_base
