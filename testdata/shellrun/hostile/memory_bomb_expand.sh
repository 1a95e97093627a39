#!/bin/bash
# Each round replaces every digit by the whole string: the length squares.
x=0123456789
for i in 1 2 3 4 5 6; do x=${x//[0-9]/$x}; done
