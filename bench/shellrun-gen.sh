#!/usr/bin/env bash
# shellrun-gen.sh DIR N — writes N realistic ~60-line install scripts into
# DIR (03_app_NNNN.sh), varied by a fixed seed so runs are comparable.
set -euo pipefail
dir=$1 n=$2
mkdir -p "$dir"
RANDOM=42
pkgs=(nginx curl vim-tiny less procps openssh-server cron rsyslog git python3 python3-pip unzip ca-certificates gnupg sudo iproute2 busybox runit)
for ((i = 0; i < n; i++)); do
	f=$(printf '%s/03_app_%04d.sh' "$dir" "$i")
	app=app$i
	p1=${pkgs[RANDOM % ${#pkgs[@]}]} p2=${pkgs[RANDOM % ${#pkgs[@]}]} p3=${pkgs[RANDOM % ${#pkgs[@]}]}
	port=$((8000 + RANDOM % 1000))
	cat >"$f" <<EOF
#!/bin/bash
# 03_$app.sh — installs and configures $app (generated for the benchmark).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

APP=$app
APP_HOME=/opt/\$APP
APP_USER=\$APP
PORT=\${PORT:-$port}

log() {
	echo "[\$APP] \$*"
}

install_packages() {
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "\$@"
}

log "installing packages"
install_packages $p1 $p2 $p3

if ! getent passwd "\$APP_USER" >/dev/null; then
	useradd --system --home-dir "\$APP_HOME" --shell /usr/sbin/nologin "\$APP_USER"
fi

mkdir -p "\$APP_HOME"/{bin,conf,data,logs}
for d in bin conf data logs; do
	chmod 755 "\$APP_HOME/\$d"
done

cat >"\$APP_HOME/conf/\$APP.conf" <<CONF
listen = 0.0.0.0:\$PORT
home = \$APP_HOME
log = \$APP_HOME/logs/\$APP.log
workers = $((1 + RANDOM % 8))
CONF

sed -i "s/^workers = .*/workers = 4/" "\$APP_HOME/conf/\$APP.conf"
grep -q "^listen" "\$APP_HOME/conf/\$APP.conf"

cat >"\$APP_HOME/bin/start" <<'START'
#!/bin/sh
exec "\$APP_HOME/bin/\$APP" --config "\$APP_HOME/conf/\$APP.conf"
START
chmod +x "\$APP_HOME/bin/start"
ln -sf "\$APP_HOME/bin/start" /usr/local/bin/\$APP

mkdir -p /etc/service/\$APP
printf '#!/bin/sh\nexec chpst -u %s %s/bin/start\n' "\$APP_USER" "\$APP_HOME" >/etc/service/\$APP/run
chmod 755 /etc/service/\$APP/run

case "\$PORT" in
	80|443) log "privileged port" ;;
	*) log "port \$PORT" ;;
esac

touch "\$APP_HOME/logs/\$APP.log"
chown -R "\$APP_USER:\$APP_USER" "\$APP_HOME"
echo "\$APP" >>/etc/legacy-apps
rm -rf /var/lib/apt/lists/*
log "done"
EOF
done
