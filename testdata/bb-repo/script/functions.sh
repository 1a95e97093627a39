# functions.sh — shared shell config, sourced by every install script.
set -e
LEGACY_DIR=/etc/legacy
PACKAGES_PERMANENT=$LEGACY_DIR/packages.permanent
PACKAGES_TEMPORARY=$LEGACY_DIR/packages.temporary
mkdir -p $LEGACY_DIR
touch $PACKAGES_PERMANENT $PACKAGES_TEMPORARY
# install_temporary NAME: a build-only "package" (a file under /opt/tmp-pkg).
install_temporary() {
	mkdir -p /opt/tmp-pkg
	echo "$1" > /opt/tmp-pkg/$1
	echo "$1" >> $PACKAGES_TEMPORARY
}
install_permanent() {
	echo "$1" >> $PACKAGES_PERMANENT
}
