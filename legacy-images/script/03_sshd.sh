#!/bin/bash
# 03_sshd.sh — a preconfigured OpenSSH server with key login for root.
#
# The image's key pair is generated here: its private half stays in the image
# at /etc/insecure_key, where bin/ssh fetches it with `docker cp`. Host keys
# are generated at boot (boot/10_sshd.sh), so containers do not share them.
. /build/script/functions.sh

install_permanent openssh-server

rm -f /etc/ssh/ssh_host_*
mkdir -p /run/sshd /root/.ssh
chmod 700 /root/.ssh

cat >/etc/ssh/sshd_config.d/legacy.conf <<'SSHD'
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
PrintMotd no
SSHD

# No pam_loginuid in a container: it fails and takes the session with it.
sed -i 's/^session\s\+required\s\+pam_loginuid.so/session optional pam_loginuid.so/' /etc/pam.d/sshd

rm -f /etc/insecure_key /etc/insecure_key.pub
ssh-keygen -q -t ed25519 -N '' -C "legacy insecure key" -f /etc/insecure_key
cat /etc/insecure_key.pub >>/root/.ssh/authorized_keys
chmod 600 /root/.ssh/authorized_keys

container_default SSH_PORT 22
container_default SSH_ADDRESS 0.0.0.0
