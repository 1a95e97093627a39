#!/bin/bash
# The classic: an unset variable turns a path into /.
rm -rf "$UNSET"/
rm -rf --no-preserve-root "$UNSET"/
