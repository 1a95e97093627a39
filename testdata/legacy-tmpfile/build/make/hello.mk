.PHONY: hello
hello:
	$(call arg,GREETING)
	$(call script,hello)
