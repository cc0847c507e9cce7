#!/usr/bin/env bash
# A PostgreSQL 15 cluster of its own in DIR, from Debian's packages, on
# loopback and a Unix socket in DIR: `pg.sh DIR start` makes it the first
# time and starts it (again), printing its connection string as the last
# line; `pg.sh DIR stop` stops it. initdb refuses to run as root, so as
# root the cluster belongs to the postgres user.
set -euo pipefail
dir=${1:?usage: pg.sh DIR start|stop}
action=${2:-start}
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/initdb" ] || { echo "PostgreSQL 15 is not installed (apt-get install postgresql-15)" >&2; exit 1; }
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"
case "$action" in
stop)
    [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    exit 0
    ;;
start) ;;
*) echo "usage: pg.sh DIR start|stop" >&2; exit 2 ;;
esac
if [ ! -f "$data/PG_VERSION" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        # The postgres user must reach the folder.
        runuser -u postgres -- test -x "$dir" || { echo "the postgres user cannot reach $dir: use a folder under /tmp or /srv" >&2; exit 1; }
    fi
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat >>"$data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 256MB
fsync = on
CONF
fi
port=$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$data/postgresql.conf" | tail -1)
if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w start >/dev/null
fi
echo "host=$dir port=$port user=postgres dbname=postgres"
