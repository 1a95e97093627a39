#!/bin/sh
exec runsvdir -P /etc/service
