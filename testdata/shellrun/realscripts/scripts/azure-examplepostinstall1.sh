#!/bin/bash
echo ExamplePostInstall1.sh was run at $(date)