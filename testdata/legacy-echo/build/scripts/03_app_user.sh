set -e
echo 'app:x:1000:1000:app:/opt/app:/bin/false' >> /etc/passwd
echo 'app:x:1000:' >> /etc/group
chown -R app:app /opt/app
