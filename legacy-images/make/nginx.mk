# nginx — a web server on $WEB_PORT.
.PHONY: nginx
nginx:
	$(call link,$@,script,03)
	$(call service,$@)
