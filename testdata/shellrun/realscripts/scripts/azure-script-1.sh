#!/bin/bash

# Insert code to fetch information to be returned, then write to stdout

# write an array delimiter before and after the data we want
echo '#DATA#'
echo 'this is the droid you have been looking for'
echo '#DATA#'
