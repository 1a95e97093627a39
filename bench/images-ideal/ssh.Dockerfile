# The ssh image written by hand the ideal layered way, as the limit for
# bench/images.sh: one COPY+RUN per install script, the runtime files
# (boot, runit) copied after the scripts so that editing them never re-runs
# a script, apt's caches and lists removed in the layer that made them (the
# cleanup script removes them anyway), and the build directory removed in the
# last script's layer.
# The context is the ssh build directory that make prepare links.
ARG BASE
FROM ${BASE}
EXPOSE 22
COPY script/functions.sh /build/script/functions.sh
COPY script/03_sshd.sh /build/script/03_sshd.sh
RUN /bin/bash /build/script/03_sshd.sh && rm -rf /var/cache/apt/archives/*.deb /var/cache/apt/*.bin /var/lib/apt/lists/*
COPY script/99_cleanup.sh /build/script/99_cleanup.sh
RUN /bin/bash /build/script/99_cleanup.sh && rm -rf /build
COPY boot/ /etc/my_init.d/
COPY runit/ /etc/service/
CMD ["/sbin/my_init"]
