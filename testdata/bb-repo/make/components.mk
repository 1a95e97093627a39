.PHONY: init tool app cleanup
init:
	$(call link,$@,script,00)
	@mkdir -p $(BUILD)/init
	ln -sfn $(HOME)/init/my_init $(BUILD)/init/my_init
tool: init
	$(call link,$@,script,02)
app: tool
	$(call link,$@,script,03)
	$(call link,$@,boot,10)
	$(call service,$@)
cleanup:
	$(call link,$@,script,99)
.PHONY: solo extra
solo: init
	$(call link,$@,script,04)
extra:
	$(call link,$@,script,05)
