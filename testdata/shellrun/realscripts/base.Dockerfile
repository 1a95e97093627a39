# The base the corpus scripts really run on (record.sh): the locally
# imported debian:bookworm is debootstrapped without apt sources, so this
# gives it the sources of Docker Hub's debian:bookworm (Debian's mirror and
# security archive, main) and their package lists, as a build does after
# its first apt-get update. force-unsafe-io only skips dpkg's fsyncs (speed;
# no change to what a script sees).
FROM debian:bookworm
RUN printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >/etc/apt/sources.list.d/debian.sources \
 && : >/etc/apt/sources.list \
 && echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/unsafe-io \
 && echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >/etc/apt/apt.conf.d/keep-downloads \
 && apt-get update
