#!/bin/bash
# rm -rf / : GNU rm refuses without --no-preserve-root; both go to the virtual FS.
rm -rf /
rm -rf --no-preserve-root /
