#!/bin/bash
sed -i 's/syslog/adm/g' /etc/logrotate.conf
