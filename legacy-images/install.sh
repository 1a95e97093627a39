#!/bin/bash
# install.sh — the one build step: run by the generated Dockerfile as
#
#   ADD . /build
#   RUN /bin/bash /build/install.sh
#
# Copies boot scripts to /etc/my_init.d, runit scripts to /etc/service, the
# init to /sbin/my_init, runs every install script in script/ in order
# (00_ ... 99_), then removes /build.
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
	install -m 755 $BUILD/init/my_init /sbin/my_init
fi

for script in $BUILD/script/[0-9]*.sh; do
	echo "==> $(basename "$script")"
	bash "$script"
done

rm -rf $BUILD
