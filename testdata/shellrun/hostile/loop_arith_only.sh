#!/bin/bash
# No simple command in the loop: only the deadline can stop it.
while ((1)); do ((x++)); done
