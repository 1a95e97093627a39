# cron — cron in the foreground; it logs through syslog.
.PHONY: cron
cron: runit syslog
	$(call link,$@,script,02)
	$(call service,$@)
