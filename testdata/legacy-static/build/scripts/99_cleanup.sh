#!/bin/sh
echo cleanup >> /etc/stages
rm -rf /tmp/* /var/tmp/*
