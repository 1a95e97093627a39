#!/bin/bash
coproc cat
echo x >&"${COPROC[1]}"
