#!/bin/bash
command -v docker
type -p bash
type bash
which sshd
hash -r
pwd -P
cd /etc && pwd -P
source /etc/profile
. ~/.bashrc
