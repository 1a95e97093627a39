#!/bin/bash
# A 1 MiB string, then one expansion that replaces each of its 1 Mi zeros
# by the whole string (1 TiB): memory the interpreter cannot cancel.
x=0
for i in {1..20}; do x=$x$x; done
x=${x//0/$x}
