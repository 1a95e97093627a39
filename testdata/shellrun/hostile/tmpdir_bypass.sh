#!/bin/bash
# mvdan/sh sends $TMPDIR/sh-interp-* straight to os.OpenFile.
echo x > /tmp/sh-interp-0123456789abcdef
echo x > "${TMPDIR:-/tmp}/sh-interp-feedface"
echo x > /dev/null/dmake-sandbox-tmp/sh-interp-1
cat /tmp/sh-interp-0123456789abcdef
