# cleanup — runs last (99_): removes junk, and with PRODUCTION=1 the
# packages installed with install_temporary.
.PHONY: cleanup
cleanup:
	$(call link,$@,script,99)
