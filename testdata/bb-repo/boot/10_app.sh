#!/bin/sh
echo app boot
