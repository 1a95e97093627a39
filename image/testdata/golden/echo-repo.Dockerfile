FROM busybox:latest
ARG HOST_ADDR
ARG HOST_PORT
ENV ECHO_REPO=1
COPY .dmake-served/scripts/00_base.sh /.dmake-served/scripts/00_base.sh
RUN sh < /.dmake-served/scripts/00_base.sh; s=$?; rm -rf /.dmake-served; exit $s
COPY .dmake-served/scripts/01_hello.sh /.dmake-served/scripts/01_hello.sh
RUN sh < /.dmake-served/scripts/01_hello.sh; s=$?; rm -rf /.dmake-served; exit $s
COPY .dmake-served/scripts/03_app.sh /.dmake-served/scripts/03_app.sh
RUN sh < /.dmake-served/scripts/03_app.sh; s=$?; rm -rf /.dmake-served; exit $s
CMD ["cat", "/etc/echo/motd"]
