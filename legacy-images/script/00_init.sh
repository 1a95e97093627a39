#!/bin/bash
# 00_init.sh — essential modifications to the base image, without which other
# software might fail to install in a container.
. /build/script/functions.sh

# Packages must not try to start their services while the image is built:
# runit starts them when the container runs.
cat >/usr/sbin/policy-rc.d <<'POLICY'
#!/bin/sh
exit 101
POLICY
chmod 755 /usr/sbin/policy-rc.d

# Keep apt lean: no recommends, no suggests, no documentation.
cat >/etc/apt/apt.conf.d/90legacy <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
APT
cat >/etc/dpkg/dpkg.cfg.d/90legacy <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
DPKG

# initctl and friends must not be called inside the container.
dpkg-divert --local --rename --add /sbin/initctl >/dev/null
ln -sf /bin/true /sbin/initctl
