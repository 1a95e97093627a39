# common.mk — legacy-images' shared part, cut down: prepare links the
# install step and functions.sh into build/ and writes its Dockerfile.
BUILD = build
.DEFAULT_GOAL := build
.PHONY: build prepare clean

prepare:
	@mkdir -p $(BUILD)/script
	ln -sfn $(HOME)/install.sh $(BUILD)/install.sh
	ln -sfn $(HOME)/script/functions.sh $(BUILD)/script/functions.sh
	@echo "FROM $(FROM)" > $(BUILD)/Dockerfile
	@echo "ADD . /build" >> $(BUILD)/Dockerfile
	@echo "RUN /bin/bash /build/install.sh" >> $(BUILD)/Dockerfile

build: prepare
	docker build -t $(IMAGE) $(BUILD)

clean:
	rm -rf $(BUILD)
