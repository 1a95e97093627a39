#!/bin/bash
sleep 1000 &
yes > /dev/null &
wait
disown -a
