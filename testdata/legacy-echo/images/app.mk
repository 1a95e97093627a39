include $(DOCKER_HOME)/build/Makefile
NAME = $(REPO)/app
VERSION = latest
FROM = $(REPO)/base:latest
build: app