#!/bin/bash
# 99_cleanup.sh — clean the image from unnecessary junk. With PRODUCTION=1
# (make build PRODUCTION=1) the packages installed with install_temporary are
# removed as well, unless some script also installed them permanently.
. /build/script/functions.sh

if [ -n "${PRODUCTION:-}" ]; then
	remove=()
	while read -r pkg; do
		[ -n "$pkg" ] || continue
		grep -qx "$pkg" $PACKAGES_PERMANENT || remove+=("$pkg")
	done <$PACKAGES_TEMPORARY
	if [ ${#remove[@]} -gt 0 ]; then
		echo "production: removing ${remove[*]}"
		apt-get purge -y -qq --auto-remove "${remove[@]}" >/dev/null
	fi
	: >$PACKAGES_TEMPORARY
fi

apt-get clean
rm -rf /var/lib/apt/lists/* /tmp/* /var/tmp/*
rm -f /var/log/apt/* /var/log/dpkg.log /var/cache/debconf/*-old
