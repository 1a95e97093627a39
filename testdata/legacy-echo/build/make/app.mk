.PHONY: app
app: hello
	$(call script,02_app)
	$(call config,app.conf)
	$(call runit,app)
	$(call script,03_app_user)
	@echo 'ENV APP_HOME /opt/app' >> $(BASE)/Dockerfile
	@echo 'CMD ["/etc/service/app/run"]' >> $(BASE)/Dockerfile
