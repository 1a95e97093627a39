# common.mk — the shared part of every image Makefile (as legacy-images'
# make/common.mk, with /bin/sh for busybox).
IMAGE_PREFIX ?= legacy/
TAG = $(IMAGE_PREFIX)$(IMAGE)
BUILD = build
DOCKER ?= docker

.DEFAULT_GOAL := build
.PHONY: build prepare clean

define link
	@mkdir -p $(BUILD)/$(2)
	ln -sfn $(HOME)/$(2)/$(3)_$(1).sh $(BUILD)/$(2)/$(3)_$(1).sh
endef

define service
	@mkdir -p $(BUILD)/runit/$(1)
	ln -sfn $(HOME)/runit/$(1)/run $(BUILD)/runit/$(1)/run
endef

prepare:
	@mkdir -p $(BUILD)/script
	ln -sfn $(HOME)/install.sh $(BUILD)/install.sh
	ln -sfn $(HOME)/script/functions.sh $(BUILD)/script/functions.sh
	@echo "FROM $(FROM)" > $(BUILD)/Dockerfile
ifneq ($(ENV),)
	@for e in $(ENV); do echo "ENV $$e"; done >> $(BUILD)/Dockerfile
endif
ifneq ($(EXPOSE),)
	@echo "EXPOSE $(EXPOSE)" >> $(BUILD)/Dockerfile
endif
	@echo "ADD . /build" >> $(BUILD)/Dockerfile
ifneq ($(PRODUCTION),)
	@echo "ARG PRODUCTION=1" >> $(BUILD)/Dockerfile
endif
	@echo "RUN /bin/sh /build/install.sh" >> $(BUILD)/Dockerfile
	@echo 'CMD ["/sbin/my_init"]' >> $(BUILD)/Dockerfile

build: prepare
	tar -czh -C $(BUILD) . | $(DOCKER) build --network host -t $(TAG) $(DOCKER_ARGS) -

clean:
	rm -rf $(BUILD)
