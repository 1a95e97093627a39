#!/bin/sh
# install.sh — the one build step (legacy-images/install.sh for busybox sh).
set -e

BUILD=/build

if [ -d $BUILD/boot ]; then
	mkdir -p /etc/my_init.d
	for f in $BUILD/boot/*.sh; do
		install -m 755 "$f" /etc/my_init.d/
	done
fi

if [ -d $BUILD/runit ]; then
	for dir in $BUILD/runit/*/; do
		service=$(basename "$dir")
		mkdir -p /etc/service/$service
		install -m 755 "$dir/run" /etc/service/$service/run
	done
fi

if [ -f $BUILD/init/my_init ]; then
	mkdir -p /sbin # busybox:latest has no /sbin
	install -m 755 $BUILD/init/my_init /sbin/my_init
fi

for script in $BUILD/script/[0-9]*.sh; do
	echo "==> $(basename "$script")"
	sh "$script"
done

rm -rf $BUILD
