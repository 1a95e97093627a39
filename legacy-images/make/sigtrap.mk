# sigtrap — a test service that records the TERM signal it gets on shutdown.
.PHONY: sigtrap
sigtrap:
	$(call service,$@)
