#!/bin/bash
while true; do :; done
