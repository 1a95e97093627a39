.PHONY: app
app:
	@mkdir -p $(BUILD)/script
	ln -sfn $(HOME)/script/01_app.sh $(BUILD)/script/01_app.sh
