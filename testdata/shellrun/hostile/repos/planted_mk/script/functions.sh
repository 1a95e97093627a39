# functions.sh — a helper the install script sources.
say() { echo "$@"; }
