#!/bin/bash
set -e
source /pd_build/buildconfig
set -x

## Install Python.
minimal_apt_get_install python python2.7 python3
