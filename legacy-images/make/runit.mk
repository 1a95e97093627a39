# runit — supervises the services; my_init starts runsvdir.
.PHONY: runit
runit: init
	$(call link,$@,script,02)
