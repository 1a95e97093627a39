include $(DOCKER_HOME)/build/Makefile
NAME = $(REPO)/base
VERSION = latest
build: base