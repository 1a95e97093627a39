.PHONY: app
app: hello
	$(call script,app)
	echo 'ENV APP_HOME=/opt/app' >> $(FILE)
	echo 'ENTRYPOINT ["/opt/app/bin/app"]' >> $(FILE)
