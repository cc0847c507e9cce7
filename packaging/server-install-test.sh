#!/usr/bin/env bash
# Installs the server's .deb into a clean Debian bookworm root with
# PostgreSQL (mmdebstrap, from Debian's archive), boots that root with
# systemd-nspawn, and there starts the packaged unit as an administrator
# would — key, TLS files, the database — until /readyz answers. As an
# upgrade: the previous version first (the same package a version lower),
# started on a site's database of the first schema, which must migrate on
# first start (and `shevchenko` then find Шевченко); then this version
# installed over the running service, which must restart it on the new
# binary and keep the administrator's configuration. Then it purges the
# package and checks what stays. Prints one line per check and
# `server-install: N passed, N failed`.
#
#   bash packaging/server-install-test.sh SERVER.deb
set -euo pipefail
cd "$(dirname "$0")/.."
source packaging/lib.sh
deb=$(realpath "${1:?usage: server-install-test.sh SERVER.deb}")
apt_install mmdebstrap systemd-container

mirror=$(debian_mirror)
scratch
work=$SCRATCH
root=$work/root
version=$(dpkg-deb -f "$deb" Version)
relabel_deb "$deb" "$work/previous.deb" "$(previous_version "$deb")"
previous_data "$work/first-schema"

# What runs inside the booted root, once PostgreSQL is up: the steps of
# the README, then the verdicts in /report, then power off.
cat >"$work/check.sh" <<'SH'
#!/bin/sh
# $1: this version's package; $2: its version.
say() { echo "$1" >>/report; }
step() { name=$1; shift; if "$@" >>/report.log 2>&1; then say "ok   $name"; else say "FAIL $name"; fi; }
ready() {
    for _ in $(seq 1 60); do
        curl -sfk https://127.0.0.1:8443/readyz >/dev/null && return 0
        sleep 0.5
    done
    return 1
}
sql() { (cd / && su postgres -c "psql -At -d mitid_assist -c \"$1\""); }
cd /etc/mitid-assist
step "the unit is installed, not enabled" sh -c '! systemctl is-enabled --quiet mitid-assist-server'
step "the service's user exists" getent passwd mitid-assist
mitid-assist-server new-key /etc/mitid-assist/pcode.key >>/report.log 2>&1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout server.key -out server.pem >>/report.log 2>&1
chown mitid-assist: pcode.key server.key
su postgres -c "createuser mitid-assist && createdb -O mitid-assist mitid_assist" >>/report.log 2>&1
step "a site's database of the first schema is loaded" \
    su -s /bin/sh mitid-assist -c "cd / && psql -q -v ON_ERROR_STOP=1 -d mitid_assist -f /var/tmp/first-schema/server.sql"
sed -i 's|^url = .*|url = "host=/var/run/postgresql user=mitid-assist dbname=mitid_assist"|; s|^listen = .*|listen = "127.0.0.1:8443"|' server.toml
step "check-config as the service's user" su -s /bin/sh mitid-assist -c "mitid-assist-server check-config"
step "systemctl start mitid-assist-server ($(dpkg-query -W -f '${Version}' mitid-assist-server))" systemctl start mitid-assist-server
step "/readyz answers through the packaged unit" ready
step "the first schema's database migrated on first start" \
    sh -c "su -s /bin/sh mitid-assist -c 'mitid-assist-server check-config' | grep -Eq 'schema ([0-9]+) of \\1\$'"
step "its caller in Cyrillic is found as shevchenko" test "$(sql "SELECT count(*) FROM caller WHERE 'shevchenko' = ANY(terms)")" = 1
before=$(systemctl show -P MainPID mitid-assist-server)
step "apt-get installs this version over the running service" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1"
step "dpkg has this version ($2)" test "$(dpkg-query -W -f '${Version}' mitid-assist-server)" = "$2"
step "the upgrade restarted the service" sh -c "systemctl is-active --quiet mitid-assist-server && [ \"\$(systemctl show -P MainPID mitid-assist-server)\" != $before ]"
step "/readyz answers after the upgrade" ready
step "the upgrade kept the administrator's configuration" grep -q '^listen = "127.0.0.1:8443"' server.toml
step "the upgrade did not enable the unit" sh -c '! systemctl is-enabled --quiet mitid-assist-server'
journalctl -u mitid-assist-server --no-pager >>/report.log 2>&1
systemctl stop mitid-assist-server
step "purge removes the package's files" sh -c '
    dpkg -L mitid-assist-server | while read -r f; do [ -f "$f" ] && echo "$f"; done >/tmp/files
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q mitid-assist-server >/dev/null
    for f in $(cat /tmp/files); do case "$f" in /etc/mitid-assist/*) ;; *) [ ! -e "$f" ] || exit 1 ;; esac; done
    [ ! -e /etc/mitid-assist/server.toml ] && [ -s /tmp/files ]'
step "the site's own key and TLS files stay" test -f /etc/mitid-assist/pcode.key -a -f /etc/mitid-assist/server.pem
systemctl poweroff
SH
cat >"$work/mitid-check.service" <<'UNIT'
[Unit]
Description=The packaged server, checked
After=postgresql.service multi-user.target
Requires=postgresql.service

[Service]
Type=oneshot
ExecStart=/bin/sh /usr/local/bin/mitid-check.sh /var/tmp/NEW_DEB NEW_VERSION
StandardOutput=journal

[Install]
WantedBy=multi-user.target
UNIT
sed -i "s|NEW_DEB|$(basename "$deb")|; s|NEW_VERSION|$version|" "$work/mitid-check.service"

started=$(date +%s%N)
mmdebstrap --mode=root --variant=apt --quiet --include=systemd,systemd-sysv,dbus,postgresql,openssl,curl,ca-certificates \
    bookworm "$root" "$mirror" \
    --customize-hook="copy-in $deb $work/previous.deb $work/first-schema /var/tmp" \
    --customize-hook="chroot \"\$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /var/tmp/previous.deb" \
    --customize-hook="cp $work/check.sh \"\$1\"/usr/local/bin/mitid-check.sh" \
    --customize-hook="cp $work/mitid-check.service \"\$1\"/etc/systemd/system/" \
    --customize-hook="mkdir -p \"\$1\"/etc/systemd/system/multi-user.target.wants" \
    --customize-hook="ln -s /etc/systemd/system/mitid-check.service \"\$1\"/etc/systemd/system/multi-user.target.wants/" \
    >"$work/mmdebstrap.log" 2>&1 ||
    { echo "FAIL the clean root could not be made or the package installed:"; tail -n 30 "$work/mmdebstrap.log"; exit 1; }
built=$(($(date +%s%N) - started))
timeout 300 systemd-nspawn -q --register=no --keep-unit -b -D "$root" >"$work/boot.log" 2>&1 || true
echo "clean root with PostgreSQL made in $((built / 1000000)) ms; booted, checked and powered off in $((($(date +%s%N) - started - built) / 1000000)) ms"
if [ ! -s "$root/report" ]; then
    echo "FAIL the booted root ran its checks"
    tail -n 40 "$work/boot.log"
    echo "server-install: 0 passed, 1 failed"
    exit 1
fi
report_tally server-install "$root/report" "$root/report.log"
