# planted.mk — makefile code planted in the repository (finding 13 of
# issue 18): --check runs it on the host, as the README's security
# section says, at parse time and in prepare's recipes.
PLANTED := $(shell touch /tmp/hostile-parse-time)

.PHONY: planted
prepare: planted
planted:
	touch /tmp/hostile-prepare
