# common.mk — the shared part of every image Makefile.
#
# An image Makefile (images/NAME/Makefile) sets IMAGE, FROM and optionally
# ENV and EXPOSE, sets HOME to $(DOCKER_HOME), includes $(HOME)/make/*.mk
# (this file and one .mk per component) and lists its components as
# prerequisites of prepare:
#
#   prepare  link the files of every component into build/ and generate
#            build/Dockerfile (no docker involved)
#   build    prepare, then send build/ (links dereferenced) to docker build
#   clean    remove build/
#
# Variables for the command line:
#   IMAGE_PREFIX=t1/   tag prefix (default legacy/): the image is
#                      $(IMAGE_PREFIX)$(IMAGE), and images FROM one of ours
#                      name it with the same prefix
#   NOCACHE=1          docker build --no-cache
#   BUST=1             re-run the install step although docker has it cached
#                      (a random CACHE_BUST build argument)
#   PRODUCTION=1       99_cleanup.sh removes the packages installed with
#                      install_temporary
#   LABELS="k=v ..."   extra image labels

IMAGE_PREFIX ?= legacy/
TAG = $(IMAGE_PREFIX)$(IMAGE)
BUILD = build
DOCKER ?= docker
RANDOM = $(shell bash -c 'echo $$RANDOM')

.DEFAULT_GOAL := build
.PHONY: build prepare clean

# $(call link,COMPONENT,DIR,PREFIX) links DIR/PREFIX_COMPONENT.sh (an install
# script or a boot script) into the build directory.
define link
	@mkdir -p $(BUILD)/$(2)
	ln -sfn $(HOME)/$(2)/$(3)_$(1).sh $(BUILD)/$(2)/$(3)_$(1).sh
endef

# $(call service,SERVICE) links the runit run script of SERVICE.
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
ifneq ($(BUST),)
	@echo "ARG CACHE_BUST" >> $(BUILD)/Dockerfile
endif
	@echo "RUN /bin/bash /build/install.sh" >> $(BUILD)/Dockerfile
	@echo 'CMD ["/sbin/my_init"]' >> $(BUILD)/Dockerfile

build: prepare
	@$(eval ARGS := --network host -t $(TAG))
	@$(eval REVISION := $(shell git -C $(HOME) rev-parse --short HEAD 2>/dev/null))
ifneq ($(NOCACHE),)
	@$(eval ARGS += --no-cache)
endif
ifneq ($(BUST),)
	@$(eval ARGS += --build-arg CACHE_BUST=$(RANDOM))
endif
	@$(eval ARGS += $(if $(REVISION),--label legacy.revision=$(REVISION)))
	@$(eval ARGS += $(foreach label,$(LABELS),--label $(label)))
	tar -czh -C $(BUILD) . | $(DOCKER) build $(ARGS) -

clean:
	rm -rf $(BUILD)
