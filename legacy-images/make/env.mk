# env — container-wide settings from the container environment (TZ).
.PHONY: env
env: init
	$(call link,$@,boot,00)
