#!/bin/bash
shopt -s expand_aliases
alias ls="cat <(id)"
eval "cat <(id)"
eval 'echo $$'
echo "cat <(id)" > /tmp/x.sh
. /tmp/x.sh
