# sshd — a preconfigured OpenSSH server with key login, on $SSH_PORT.
# runit and network come with the parent image (base).
.PHONY: sshd
sshd:
	$(call link,$@,script,03)
	$(call link,$@,boot,10)
	$(call service,$@)
