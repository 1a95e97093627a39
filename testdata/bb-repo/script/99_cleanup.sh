. /build/script/functions.sh
if [ -n "${PRODUCTION:-}" ]; then
	while read -r pkg; do
		rm -f /opt/tmp-pkg/$pkg
	done < $PACKAGES_TEMPORARY
	: > $PACKAGES_TEMPORARY
fi
rm -rf /tmp/*
