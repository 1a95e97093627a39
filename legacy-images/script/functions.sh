#!/bin/bash
# functions.sh — shared shell config, sourced by every install script:
#
#   . /build/script/functions.sh
#
# install_permanent PKG...  install packages the image keeps
# install_temporary PKG...  install packages only needed while building or
#                           developing; 99_cleanup.sh removes them when the
#                           image is built with PRODUCTION=1
# container_default VAR VALUE
#                           the value VAR has in the container unless
#                           `docker run -e VAR=...` gives another
#
# Every package is recorded in /etc/legacy/packages.permanent or
# /etc/legacy/packages.temporary, one name a line, so a later image in the
# chain knows what its parents installed.

set -e

export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C

LEGACY_DIR=/etc/legacy
PACKAGES_PERMANENT=$LEGACY_DIR/packages.permanent
PACKAGES_TEMPORARY=$LEGACY_DIR/packages.temporary
CONTAINER_ENVIRONMENT=/etc/container_environment

mkdir -p $LEGACY_DIR $CONTAINER_ENVIRONMENT
touch $PACKAGES_PERMANENT $PACKAGES_TEMPORARY

# apt_update runs apt-get update once per build (99_cleanup.sh removes the lists).
apt_update() {
	if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$')" ]; then
		apt-get update -qq
	fi
}

# apt_install PKG... installs without recommends, quietly.
apt_install() {
	apt_update
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# record FILE PKG... adds the names not yet listed in FILE.
record() {
	local file=$1 pkg
	shift
	for pkg in "$@"; do
		grep -qx "$pkg" "$file" || echo "$pkg" >>"$file"
	done
}

install_permanent() {
	echo "install_permanent: $*"
	apt_install "$@"
	record $PACKAGES_PERMANENT "$@"
}

install_temporary() {
	echo "install_temporary: $*"
	apt_install "$@"
	record $PACKAGES_TEMPORARY "$@"
}

container_default() {
	echo -n "$2" >$CONTAINER_ENVIRONMENT/$1
}
