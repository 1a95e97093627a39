# init — the tailored init (/sbin/my_init) and the essential modifications of
# the base image (00_, 01_).
.PHONY: init
init:
	$(call link,$@,script,00)
	$(call link,$@,script,01)
	@mkdir -p $(BUILD)/init
	ln -sfn $(HOME)/init/my_init $(BUILD)/init/my_init
