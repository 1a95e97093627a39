include $(DOCKER_HOME)/build/Makefile
NAME = app
VERSION = latest
FROM = $(REGISTRY)base:$(VERSION)
build: prepare app
