#!/bin/bash
# expect: error not-found 5
set -e
apt-get update
apt-gte install -y --no-install-recommends curl
