.PHONY: base
base:
	$(call script,00_base)
	$(call boot,00_base)
	@echo 'CMD ["/bin/sh", "-c", "for f in /etc/my_init.d/*.sh; do $$f; done; exec sh"]' >> $(BASE)/Dockerfile
