.PHONY: hello
hello:
	$(call script,01_hello)
