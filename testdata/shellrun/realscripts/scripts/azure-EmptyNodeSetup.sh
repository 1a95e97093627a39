#! /bin/bash
echo "Empty node setup"
