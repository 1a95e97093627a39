# syslog — busybox syslogd, for the daemons that log to /dev/log.
.PHONY: syslog
syslog: runit
	$(call link,$@,script,02)
	$(call service,$@)
