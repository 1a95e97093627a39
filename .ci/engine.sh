#!/usr/bin/env bash
# engine.sh — set up, on a fresh Debian machine as root, what dmake's tests need:
# the packages, a Docker daemon, the local base images (never pulled: no
# registry can be reached here), a standalone BuildKit daemon as a remote
# builder would be, and a local registry. A developer can run it too.
#
#   .ci/engine.sh up     install what is missing, start dockerd (unless one
#                        answers already), import debian:bookworm and busybox,
#                        build buildkitd and buildctl (cached), start buildkitd
#                        and the registry (each unless one answers already),
#                        push the base images to the registry, and build
#                        (cached) and push dmake's SBOM scanner image
#   .ci/engine.sh down [PART…]
#                        stop the parts (dockerd, buildkitd, registry) this
#                        script started, or only the named ones, and nothing else
#   .ci/engine.sh env    print the export lines that tell tests where the parts
#                        are:  eval "$(.ci/engine.sh env)"
#
# What tests read (printed by env):
#   DMAKE_BUILDKIT_ADDR  the standalone buildkitd, over TCP (tcp://127.0.0.1:1234);
#                        a remote builder as buildctl --addr takes it
#   DMAKE_BUILDKIT_SOCK  the same daemon on a unix socket (unix:///run/dmake-buildkitd/buildkitd.sock)
#   DMAKE_BUILDKITD      the buildkitd binary, to start a second daemon with its own --root
#   DMAKE_BUILDCTL       the buildctl binary of the same version
#   DMAKE_REGISTRY       the local registry, host:port (127.0.0.1:5000), plain HTTP.
#                        It holds library/busybox:latest and library/debian:bookworm,
#                        each for linux/amd64 and linux/386 (an i386 debootstrap),
#                        and buildkitd uses it as its docker.io mirror, so FROM busybox
#                        and FROM debian:bookworm work on the standalone builder too,
#                        for --platform linux/amd64,linux/386.
#   DMAKE_SBOM_SCANNER   the SBOM generator image in that registry
#                        (127.0.0.1:5000/dmake/sbom-scanner:HASH, HASH that of
#                        .ci/sbom-scanner's source): --attest type=sbom,generator=$DMAKE_SBOM_SCANNER
#
# Environment:
#   DMAKE_CACHE        where the rootfs tarball, the buildkit binaries and the
#                      SBOM scanner binary are cached (default /var/cache/dmake)
#   DMAKE_DOCKERD_LOG  daemon log (default /tmp/dmake-dockerd.log)
#   DMAKE_BUILDKITD_LOG, DMAKE_REGISTRY_LOG  logs of the other two
#                      (default /tmp/dmake-buildkitd.log, /tmp/dmake-registry.log)
#   DMAKE_BUILDKIT_PORT, DMAKE_REGISTRY_PORT  ports (default 1234, 5000)
#   DMAKE_STARTED      a file to which up appends the name of each part it
#                      started (test.sh stops exactly those at the end)
set -euo pipefail

cache=${DMAKE_CACHE:-/var/cache/dmake}
pidfile=/run/dmake-dockerd.pid
log=${DMAKE_DOCKERD_LOG:-/tmp/dmake-dockerd.log}
sock=/var/run/docker.sock

buildkit_version=v0.34.2
buildkit_bin=$cache/buildkit-$buildkit_version
buildkit_port=${DMAKE_BUILDKIT_PORT:-1234}
buildkit_addr=tcp://127.0.0.1:$buildkit_port
buildkit_run=/run/dmake-buildkitd
buildkit_sock=unix://$buildkit_run/buildkitd.sock
buildkit_root=/var/lib/dmake-buildkitd
buildkit_pidfile=$buildkit_run/buildkitd.pid
buildkit_log=${DMAKE_BUILDKITD_LOG:-/tmp/dmake-buildkitd.log}
registry_port=${DMAKE_REGISTRY_PORT:-5000}
registry=127.0.0.1:$registry_port
registry_root=/var/lib/dmake-registry
registry_pidfile=/run/dmake-registry.pid
registry_log=${DMAKE_REGISTRY_LOG:-/tmp/dmake-registry.log}

# dmake's SBOM scanner: its own Go module (syft as a library), the binary
# and the image named by the hash of its source.
scanner_src=$(cd "$(dirname "$0")/sbom-scanner" && pwd)
scanner_hash=$(cd "$scanner_src" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)
scanner_bin=$cache/sbom-scanner-$scanner_hash
scanner_ref=$registry/dmake/sbom-scanner:$scanner_hash

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
	[ -x /usr/sbin/runc ] || missing+=(runc)                         # buildkitd's OCI worker
	command -v docker-registry >/dev/null || missing+=(docker-registry)
	command -v ar >/dev/null || missing+=(binutils)   # testdata/make-exec/archives, the suite's features/archives
	command -v arch-test >/dev/null || missing+=(arch-test) # i386_exec
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
				started dockerd
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

# i386_exec makes the machine run i386 binaries, which the linux/386 base
# images and every RUN of a linux/386 build need: natively where the
# kernel's 32-bit emulation is on; where it is not (a kernel built or booted
# with it off: "32-bit emulation disabled" in dmesg, as on some VMs), through
# QEMU's user emulation, Debian's qemu-user-static, registered with
# binfmt_misc as buildx's multi-platform builds do, with the F flag (the
# interpreter opened now), so that it runs in debootstrap's chroot and in the
# builders' containers too, and the P flag (argv[0] kept): busybox's applets
# are one binary that tells them apart by argv[0], and without P every
# applet it runs through /proc/self/exe is the shell ("od: applet not found").
i386_exec() {
	local bm=/proc/sys/fs/binfmt_misc
	# An earlier registration without P is replaced.
	if [ -e $bm/qemu-i386 ] && ! grep -q '^flags: .*P' $bm/qemu-i386; then
		echo -1 >$bm/qemu-i386
	fi
	arch-test i386 >/dev/null 2>&1 && return 0
	stage "this kernel does not run i386 binaries: QEMU user emulation (qemu-user-static, binfmt_misc)"
	if [ ! -x /usr/bin/qemu-i386-static ]; then
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq qemu-user-static >/dev/null ||
			{ apt-get update -qq; apt-get install -y -qq qemu-user-static >/dev/null; }
	fi
	[ -e $bm/register ] || mount -t binfmt_misc binfmt_misc $bm
	# qemu's qemu-binfmt-conf.sh i386 magic and mask (ELFCLASS32, EM_386).
	[ -e $bm/qemu-i386 ] ||
		printf '%s' ':qemu-i386:M::\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00:\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-i386-static:PF' >$bm/register
	arch-test i386 >/dev/null || { echo "engine.sh: i386 binaries still do not run (arch-test i386)" >&2; exit 1; }
}

# bookworm_i386 makes (once, cached) the tarball of an i386 Debian bookworm
# minbase with busybox-static, the linux/386 half of the registry's base
# images (run natively or through i386_exec's emulation).
bookworm_i386() {
	local tarball=$cache/bookworm-minbase-i386.tar
	[ ! -s "$tarball" ] || return 0
	mkdir -p "$cache"
	local dir; dir=$(mktemp -d "$cache/rootfs-i386.XXXXXX")
	stage "debootstrap --arch=i386 --variant=minbase --include=busybox-static bookworm from $(mirror)"
	debootstrap --arch=i386 --variant=minbase --include=busybox-static bookworm "$dir" "$(mirror)" \
		>"$cache/debootstrap-i386.log" 2>&1 || { tail -n 20 "$cache/debootstrap-i386.log" >&2; rm -rf "$dir"; exit 1; }
	printf 'deb %s bookworm main\n' "$(mirror)" >"$dir/etc/apt/sources.list"
	tar -C "$dir" -cf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	rm -rf "$dir"
}

import_busybox() {
	local docker; docker=$(docker_cli)
	if "$docker" image inspect busybox:latest >/dev/null 2>&1; then
		stage "busybox:latest present"
		return
	fi
	local dir; dir=$(mktemp -d)
	busybox_tree "$dir" /bin/busybox
	stage "docker import busybox:latest"
	tar -C "$dir" -c . | "$docker" import - busybox:latest >/dev/null
	rm -rf "$dir"
}

# busybox_tree DIR BINARY lays out in DIR the root of a busybox image: the
# static BINARY as /bin/busybox, relative links for its applets, a passwd.
busybox_tree() {
	local dir=$1
	mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc"
	cp "$2" "$dir/bin/busybox"
	local a
	for a in $("$dir/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$dir/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
}

# started PART records, for test.sh, that this run started PART.
started() {
	[ -z "${DMAKE_STARTED:-}" ] || echo "$1" >>"$DMAKE_STARTED"
}

# build_buildkit builds buildkitd and buildctl from the github.com/moby/buildkit
# module (through the Go module proxy) once per version, into $buildkit_bin.
build_buildkit() {
	if [ -x "$buildkit_bin/buildkitd" ] && [ -x "$buildkit_bin/buildctl" ]; then
		stage "buildkit $buildkit_version binaries cached in $buildkit_bin"
		return
	fi
	stage "building buildkitd and buildctl $buildkit_version from the Go module (~100 s)"
	local dir tmp
	# The module's go.mod has exclude directives, so `go install pkg@version`
	# refuses it: build inside the downloaded module instead.
	dir=$(cd / && GOFLAGS=-mod=mod go mod download -json "github.com/moby/buildkit@$buildkit_version" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -d "$dir" ] || { echo "engine.sh: go mod download github.com/moby/buildkit@$buildkit_version failed" >&2; exit 1; }
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/buildkit.XXXXXX")
	(cd "$dir" && GOFLAGS=-mod=mod go build -trimpath \
		-ldflags "-X github.com/moby/buildkit/version.Version=$buildkit_version" \
		-o "$tmp/" ./cmd/buildkitd ./cmd/buildctl)
	rm -rf "$buildkit_bin"
	mv "$tmp" "$buildkit_bin"
	stage "buildkit binaries built"
}

buildkit_answers() {
	"$buildkit_bin/buildctl" --addr "$buildkit_addr" debug workers >/dev/null 2>&1
}

# start_buildkitd starts buildkitd with its own root, runc as its OCI worker
# (no containerd worker), listening on TCP as a remote builder would, and
# the local registry as its docker.io mirror.
start_buildkitd() {
	if buildkit_answers; then
		stage "a buildkitd already answers at $buildkit_addr; using it"
		return
	fi
	mkdir -p "$buildkit_run" "$buildkit_root"
	cat >"$buildkit_run/buildkitd.toml" <<-EOF
	# Written by dmake's .ci/engine.sh.
	[registry."docker.io"]
	  mirrors = ["$registry"]
	[registry."$registry"]
	  http = true
	  insecure = true
	EOF
	stage "starting buildkitd at $buildkit_addr (root $buildkit_root)"
	"$buildkit_bin/buildkitd" --config "$buildkit_run/buildkitd.toml" --root "$buildkit_root" \
		--addr "$buildkit_addr" --addr "$buildkit_sock" \
		--oci-worker=true --oci-worker-binary /usr/sbin/runc --oci-worker-net host \
		--containerd-worker=false >"$buildkit_log" 2>&1 &
	local pid=$!
	echo $pid >"$buildkit_pidfile"
	local i
	for i in $(seq 1 150); do
		if buildkit_answers; then
			started buildkitd
			stage "buildkitd is up"
			return
		fi
		kill -0 $pid 2>/dev/null || break
		sleep 0.2
	done
	stage "buildkitd did not come up; log tail:"
	tail -n 20 "$buildkit_log" >&2 || true
	kill $pid 2>/dev/null || true
	exit 1
}

registry_answers() {
	curl -fsS -o /dev/null "http://$registry/v2/" 2>/dev/null
}

# start_registry starts Debian's docker-registry on a local port, plain HTTP,
# no auth, with its own storage.
start_registry() {
	if registry_answers; then
		stage "a registry already answers at $registry; using it"
		return
	fi
	mkdir -p "$registry_root" "$(dirname "$registry_pidfile")"
	cat >"$registry_root/config.yml" <<-EOF
	# Written by dmake's .ci/engine.sh.
	version: 0.1
	log:
	  level: warn
	storage:
	  filesystem:
	    rootdirectory: $registry_root/data
	  delete:
	    enabled: true
	http:
	  addr: $registry
	EOF
	stage "starting docker-registry at $registry"
	docker-registry serve "$registry_root/config.yml" >"$registry_log" 2>&1 &
	local pid=$!
	echo $pid >"$registry_pidfile"
	local i
	for i in $(seq 1 100); do
		if registry_answers; then
			started registry
			stage "registry is up"
			return
		fi
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	stage "registry did not come up; log tail:"
	tail -n 20 "$registry_log" >&2 || true
	kill $pid 2>/dev/null || true
	exit 1
}

# push_base_images puts the base images into the registry as library/NAME:TAG
# (the path buildkitd's docker.io mirror reads), each a manifest list for
# linux/amd64 (the engine's busybox and debian:bookworm) and linux/386 (the
# i386 bookworm and its busybox-static), built and pushed by the buildkitd,
# unless the registry has them already.
push_base_images() {
	local docker; docker=$(docker_cli)
	local amd64=$cache/bookworm-minbase.tar i386=$cache/bookworm-minbase-i386.tar
	local img ctx index
	for img in busybox:latest debian:bookworm; do
		index=$(curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json' \
			-H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
			"http://$registry/v2/library/${img%%:*}/manifests/${img#*:}" 2>/dev/null || true)
		if grep -q '"architecture": *"386"' <<<"$index" && grep -q '"architecture": *"amd64"' <<<"$index"; then
			stage "$registry/library/$img present (linux/amd64, linux/386)"
			continue
		fi
		ctx=$(mktemp -d "$cache/ctx.XXXXXX")
		case $img in
		busybox:*)
			busybox_tree "$ctx/amd64" /bin/busybox
			tar -C "$ctx" -xf "$i386" ./usr/bin/busybox
			busybox_tree "$ctx/386" "$ctx/usr/bin/busybox"
			rm -rf "$ctx/usr"
			printf 'FROM scratch\nARG TARGETARCH\nCOPY $TARGETARCH/ /\n' >"$ctx/Dockerfile"
			;;
		debian:*)
			if [ ! -s "$amd64" ]; then
				# The engine had debian:bookworm before this cache existed.
				local id; id=$("$docker" create debian:bookworm /bin/true)
				"$docker" export -o "$amd64.tmp" "$id"
				"$docker" rm "$id" >/dev/null
				mv "$amd64.tmp" "$amd64"
			fi
			ln "$amd64" "$ctx/amd64.tar"
			ln "$i386" "$ctx/386.tar"
			printf 'FROM scratch\nARG TARGETARCH\nADD $TARGETARCH.tar /\nCMD ["bash"]\n' >"$ctx/Dockerfile"
			;;
		esac
		stage "buildctl build --opt platform=linux/amd64,linux/386 --output …,name=$registry/library/$img,push=true"
		"$buildkit_bin/buildctl" --addr "$buildkit_addr" build --progress plain \
			--frontend dockerfile.v0 --local context="$ctx" --local dockerfile="$ctx" \
			--opt platform=linux/amd64,linux/386 \
			--output "type=image,name=$registry/library/$img,push=true" >"$cache/push.log" 2>&1 || {
			tail -n 20 "$cache/push.log" >&2; rm -rf "$ctx"; exit 1; }
		rm -rf "$ctx"
	done
}

# build_scanner builds dmake's SBOM scanner (.ci/sbom-scanner: syft as a
# library, through the Go module proxy) once per source hash, a static
# binary, into $scanner_bin.
build_scanner() {
	if [ -x "$scanner_bin/sbom-scanner" ]; then
		stage "sbom-scanner $scanner_hash cached in $scanner_bin"
		return
	fi
	stage "building sbom-scanner $scanner_hash (syft as a library; cold: ~5 min of CPU)"
	mkdir -p "$cache"
	local tmp; tmp=$(mktemp -d "$cache/sbom-scanner.XXXXXX")
	(cd "$scanner_src" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$tmp/sbom-scanner" .) || {
		rm -rf "$tmp"; echo "engine.sh: building $scanner_src failed" >&2; exit 1; }
	rm -rf "$scanner_bin"
	mv "$tmp" "$scanner_bin"
	stage "sbom-scanner built"
}

# push_scanner packs the scanner binary into an image (FROM scratch, the
# binary its entrypoint) and pushes it to the registry as $scanner_ref,
# unless the registry has it already.
push_scanner() {
	if curl -fsS -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		-H 'Accept: application/vnd.oci.image.index.v1+json' \
		"http://$registry/v2/dmake/sbom-scanner/manifests/$scanner_hash" 2>/dev/null; then
		stage "$scanner_ref present"
		return
	fi
	local ctx; ctx=$(mktemp -d "$cache/ctx.XXXXXX")
	ln "$scanner_bin/sbom-scanner" "$ctx/sbom-scanner"
	printf 'FROM scratch\nCOPY sbom-scanner /sbom-scanner\nENTRYPOINT ["/sbom-scanner"]\n' >"$ctx/Dockerfile"
	stage "buildctl build --output …,name=$scanner_ref,push=true"
	"$buildkit_bin/buildctl" --addr "$buildkit_addr" build --progress plain \
		--frontend dockerfile.v0 --local context="$ctx" --local dockerfile="$ctx" \
		--opt platform=linux/amd64 \
		--output "type=image,name=$scanner_ref,push=true" >"$cache/push.log" 2>&1 || {
		tail -n 20 "$cache/push.log" >&2; rm -rf "$ctx"; exit 1; }
	rm -rf "$ctx"
}

print_env() {
	cat <<-EOF
	export DMAKE_BUILDKIT_ADDR=$buildkit_addr
	export DMAKE_BUILDKIT_SOCK=$buildkit_sock
	export DMAKE_BUILDKITD=$buildkit_bin/buildkitd
	export DMAKE_BUILDCTL=$buildkit_bin/buildctl
	export DMAKE_REGISTRY=$registry
	export DMAKE_SBOM_SCANNER=$scanner_ref
	EOF
}

# stop NAME PIDFILE stops the process in PIDFILE if it is still a NAME (the
# pid in a stale pidfile may belong to anything now).
stop() {
	local name=$1 pidfile=$2 pid
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$name"; then
		stage "stopping $name $pid"
		kill "$pid"
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	fi
	rm -f "$pidfile"
}

case "${1:-up}" in
up)
	need_packages
	start_daemon
	import_busybox
	import_bookworm
	i386_exec
	bookworm_i386
	build_buildkit
	build_scanner
	start_registry
	start_buildkitd
	push_base_images
	push_scanner
	;;
down)
	shift
	[ $# -gt 0 ] || set -- buildkitd registry dockerd
	for part; do
		case $part in
		buildkitd) stop buildkitd "$buildkit_pidfile" ;;
		registry) stop docker-registry "$registry_pidfile" ;;
		dockerd) stop dockerd "$pidfile" ;;
		*) echo "engine.sh down: no part $part (buildkitd, registry, dockerd)" >&2; exit 2 ;;
		esac
	done
	;;
env)
	print_env
	;;
*)
	echo "usage: $0 up | down [PART…] | env" >&2
	exit 2
	;;
esac
