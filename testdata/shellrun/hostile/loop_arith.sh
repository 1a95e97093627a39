#!/bin/bash
while ((1)); do :; done
