# ssh.Dockerfile with the benchmark's deliberately slow earlier script
# (02_slow.sh) before 03_sshd.sh.
ARG BASE
FROM ${BASE}
EXPOSE 22
COPY script/functions.sh /build/script/functions.sh
COPY script/02_slow.sh /build/script/02_slow.sh
RUN /bin/bash /build/script/02_slow.sh
COPY script/03_sshd.sh /build/script/03_sshd.sh
RUN /bin/bash /build/script/03_sshd.sh && rm -rf /var/cache/apt/archives/*.deb /var/cache/apt/*.bin /var/lib/apt/lists/*
COPY script/99_cleanup.sh /build/script/99_cleanup.sh
RUN /bin/bash /build/script/99_cleanup.sh && rm -rf /build
COPY boot/ /etc/my_init.d/
COPY runit/ /etc/service/
CMD ["/sbin/my_init"]
