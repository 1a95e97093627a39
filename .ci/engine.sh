#!/usr/bin/env bash
# engine.sh — set up, on a fresh Debian machine as root, what dmake's tests need:
# the packages, a Docker daemon, and the local base images (never pulled: no
# registry can be reached here). A developer can run it too.
#
#   .ci/engine.sh up     install what is missing, start dockerd (unless one
#                        answers already), import debian:bookworm and busybox
#   .ci/engine.sh down   stop the daemon this script started (and only that)
#
# Environment:
#   DMAKE_CACHE    where the rootfs tarball is cached (default /var/cache/dmake)
#   DMAKE_DOCKERD_LOG  daemon log (default /tmp/dmake-dockerd.log)
set -euo pipefail

cache=${DMAKE_CACHE:-/var/cache/dmake}
pidfile=/run/dmake-dockerd.pid
log=${DMAKE_DOCKERD_LOG:-/tmp/dmake-dockerd.log}
sock=/var/run/docker.sock

t0=$(date +%s)
stage() { printf '[engine %s +%ss] %s\n' "$(date +%T)" "$(( $(date +%s) - t0 ))" "$*"; }

need_packages() {
	local missing=()
	command -v dockerd >/dev/null || missing+=(docker.io)
	command -v debootstrap >/dev/null || missing+=(debootstrap)
	[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx wget || missing+=(busybox-static)
	command -v make >/dev/null || missing+=(make)
	command -v ssh >/dev/null || missing+=(openssh-client)
	command -v curl >/dev/null || missing+=(curl)
	command -v strace >/dev/null || missing+=(strace) # TestNoHostAccess
	command -v zsh >/dev/null || missing+=(zsh)       # TestZshCompletion
	command -v groff >/dev/null || missing+=(groff-base) # TestManPage
	if [ ${#missing[@]} -gt 0 ]; then
		stage "installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq || { sleep 5; apt-get update -qq; }
		apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
}

# The docker CLI to use: Debian's, matching the daemon, when present.
docker_cli() {
	if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else command -v docker; fi
}

engine_answers() {
	"$(docker_cli)" version >/dev/null 2>&1
}

start_daemon() {
	if engine_answers; then
		stage "an engine already answers on $sock; using it"
		return
	fi
	local driver
	for driver in overlay2 vfs; do
		stage "starting dockerd --storage-driver=$driver"
		dockerd --storage-driver="$driver" --iptables=false --bridge=none \
			--pidfile "$pidfile" >"$log" 2>&1 &
		local i
		for i in $(seq 1 100); do
			if engine_answers; then
				stage "dockerd is up ($driver)"
				return
			fi
			if ! kill -0 $! 2>/dev/null; then break; fi
			sleep 0.2
		done
		stage "dockerd with $driver did not come up; log tail:"
		tail -n 5 "$log" || true
		kill $! 2>/dev/null || true
		wait $! 2>/dev/null || true
	done
	echo "engine.sh: could not start dockerd (see $log)" >&2
	exit 1
}

mirror() {
	local m
	m=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$m" ] || m=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
	echo "${m:-http://deb.debian.org/debian}"
}

import_bookworm() {
	local docker; docker=$(docker_cli)
	if "$docker" image inspect debian:bookworm >/dev/null 2>&1; then
		stage "debian:bookworm present"
		return
	fi
	local tarball=$cache/bookworm-minbase.tar
	if [ ! -s "$tarball" ]; then
		mkdir -p "$cache"
		local dir; dir=$(mktemp -d "$cache/rootfs.XXXXXX")
		stage "debootstrap --variant=minbase bookworm from $(mirror)"
		debootstrap --variant=minbase bookworm "$dir" "$(mirror)" >"$cache/debootstrap.log" 2>&1 || {
			tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
		# The image keeps the machine's apt sources, so install scripts reach the same mirror.
		printf 'deb %s bookworm main\n' "$(mirror)" >"$dir/etc/apt/sources.list"
		tar -C "$dir" -cf "$tarball.tmp" .
		mv "$tarball.tmp" "$tarball"
		rm -rf "$dir"
	fi
	stage "docker import debian:bookworm"
	"$docker" import "$tarball" debian:bookworm >/dev/null
}

import_busybox() {
	local docker; docker=$(docker_cli)
	if "$docker" image inspect busybox:latest >/dev/null 2>&1; then
		stage "busybox:latest present"
		return
	fi
	local dir; dir=$(mktemp -d)
	mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc"
	cp /bin/busybox "$dir/bin/busybox"
	local a
	for a in $("$dir/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$dir/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
	stage "docker import busybox:latest"
	tar -C "$dir" -c . | "$docker" import - busybox:latest >/dev/null
	rm -rf "$dir"
}

case "${1:-up}" in
up)
	need_packages
	start_daemon
	import_busybox
	import_bookworm
	;;
down)
	# Only a dockerd: the pid in a stale pidfile may belong to anything now.
	if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$(cat "$pidfile")/cmdline" | grep -q dockerd; then
		stage "stopping dockerd $(cat "$pidfile")"
		kill "$(cat "$pidfile")"
		for _ in $(seq 1 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.2; done
	fi
	;;
*)
	echo "usage: $0 up|down" >&2
	exit 2
	;;
esac
