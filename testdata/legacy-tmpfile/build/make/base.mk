.PHONY: base
base:
	$(call script,base)
	echo 'CMD ["/bin/sh"]' >> $(FILE)
