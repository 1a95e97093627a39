# network — finds the interface to use (NETWORK_INTERFACE, default from the
# routing table) and its address, for the services.
.PHONY: network
network: init
	$(call link,$@,script,02)
	$(call link,$@,boot,01)
