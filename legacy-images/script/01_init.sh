#!/bin/bash
# 01_init.sh — essential modifications for the functioning of the base image:
# the container environment, the boot script directory, helpers the services
# use, and the tools a developer wants inside the container.
. /build/script/functions.sh

mkdir -p /etc/my_init.d /etc/service $CONTAINER_ENVIRONMENT
chmod 700 $CONTAINER_ENVIRONMENT

# Login shells (ssh sessions) see the container environment too: my_init
# writes /etc/container_environment.sh at boot.
cat >/etc/profile.d/container_environment.sh <<'PROFILE'
if [ -r /etc/container_environment.sh ]; then
	. /etc/container_environment.sh
fi
PROFILE
# ... and so do the commands ssh runs (bash reads /etc/bash.bashrc for them,
# before the interactive-only part).
sed -i '1i [ -r /etc/container_environment.sh ] \&\& . /etc/container_environment.sh' /etc/bash.bashrc

# port-pids PROTO PORT: the processes holding a port (tcp: listening, udp:
# bound). Helper processes are stopped by the port they hold, not by a pid
# file that a crash leaves stale.
cat >/usr/local/bin/port-pids <<'PORTPIDS'
#!/bin/bash
# usage: port-pids tcp|udp PORT
proto=${1:?usage: port-pids tcp|udp PORT}
port=${2:?usage: port-pids tcp|udp PORT}
hex=$(printf '%04X' "$port")
inodes=" "
for table in /proc/net/$proto /proc/net/${proto}6; do
	[ -r $table ] || continue
	while read -r _ local _ state _ _ _ _ _ inode _; do
		[ "${local##*:}" = "$hex" ] || continue
		if [ "$proto" = tcp ] && [ "$state" != 0A ]; then continue; fi
		inodes="$inodes$inode "
	done <$table
done
[ "$inodes" != " " ] || exit 1
for fd in /proc/[0-9]*/fd/*; do
	link=$(readlink "$fd" 2>/dev/null) || continue
	case $link in
	socket:*)
		inode=${link#socket:[}
		inode=${inode%]}
		case $inodes in
		*" $inode "*)
			pid=${fd#/proc/}
			echo "${pid%%/*}"
			;;
		esac
		;;
	esac
done | sort -un
PORTPIDS
chmod 755 /usr/local/bin/port-pids

# What a developer wants in a running container; gone in production images.
install_temporary less procps vim-tiny
