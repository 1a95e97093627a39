#!/bin/bash
# expect: error unset-variable 6
set -eu
APP=web
mkdir -p /opt/$APP
mkdir -p /opt/$APP_DIR/bin
