#!/usr/bin/env bash
# A PostgreSQL 15 cluster of its own in DIR, from Debian's packages, on
# loopback and a Unix socket in DIR: `pg.sh DIR start` makes it the first
# time and starts it (again), printing its connection string as the last
# line; `pg.sh DIR stop` stops it. initdb refuses to run as root, so as
# root the cluster belongs to the postgres user.
#
# For failover runs: `pg.sh DIR standby PRIMARY_DIR` makes DIR a
# synchronous streaming standby of the running cluster in PRIMARY_DIR (a
# base backup; the primary then waits for it on every commit), starts it
# and prints its connection string; `pg.sh DIR kill` kills the cluster's
# postmaster and its processes with SIGKILL (a crash, no shutdown);
# `pg.sh DIR promote` makes a standby the primary.
set -euo pipefail
usage="usage: pg.sh DIR start|stop|standby PRIMARY_DIR|kill|promote"
dir=${1:?$usage}
action=${2:-start}
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/initdb" ] || { echo "PostgreSQL 15 is not installed (apt-get install postgresql-15)" >&2; exit 1; }
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"
port_of() { sed -n 's/^port = \([0-9]*\)$/\1/p' "$1/data/postgresql.conf" | tail -1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
case "$action" in
stop)
    if [ -f "$data/postmaster.pid" ] && kill -0 "$(head -n1 "$data/postmaster.pid")" 2>/dev/null; then
        as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
    exit 0
    ;;
kill)
    postmaster=$(head -n1 "$data/postmaster.pid")
    # Its processes first named, then all killed at once: the postmaster
    # left alive would start them again.
    # shellcheck disable=SC2046
    kill -KILL "$postmaster" $(pgrep -P "$postmaster" || true)
    exit 0
    ;;
promote)
    as_owner "$bin/pg_ctl" -D "$data" -w promote >/dev/null
    exit 0
    ;;
standby)
    primary=$(cd "${3:?$usage}" && pwd)
    name=standby_$(basename "$dir" | tr -c 'a-zA-Z0-9\n' _)
    if [ ! -f "$data/PG_VERSION" ]; then
        [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
        as_owner "$bin/pg_basebackup" -D "$data" -h "$primary" -p "$(port_of "$primary")" -U postgres -X stream -c fast
        touch "$data/standby.signal"
        [ "$(id -u)" -ne 0 ] || chown postgres: "$data/standby.signal"
        cat >>"$data/postgresql.conf" <<CONF
port = $(free_port)
unix_socket_directories = '$dir'
primary_conninfo = 'host=$primary port=$(port_of "$primary") user=postgres application_name=$name'
CONF
    fi
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w start >/dev/null
    # Only now, not in the base backup: a standby promoted must not wait
    # for a standby of its own.
    primary_conn="host=$primary port=$(port_of "$primary") user=postgres dbname=postgres"
    psql "$primary_conn" -Xqc "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 ($name)'" -c "SELECT pg_reload_conf()" >/dev/null
    for _ in $(seq 600); do
        state=$(psql "$primary_conn" -XAtc "SELECT sync_state FROM pg_stat_replication WHERE application_name = '$name'")
        [ "$state" = sync ] && break
        sleep 0.1
    done
    [ "$state" = sync ] || { echo "the standby in $dir did not become synchronous" >&2; exit 1; }
    echo "host=$dir port=$(port_of "$dir") user=postgres dbname=postgres"
    exit 0
    ;;
start) ;;
*) echo "$usage" >&2; exit 2 ;;
esac
if [ ! -f "$data/PG_VERSION" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        # The postgres user must reach the folder.
        runuser -u postgres -- test -x "$dir" || { echo "the postgres user cannot reach $dir: use a folder under /tmp or /srv" >&2; exit 1; }
    fi
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    port=$(free_port)
    cat >>"$data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 256MB
fsync = on
CONF
fi
port=$(port_of "$dir")
if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w start >/dev/null
fi
echo "host=$dir port=$port user=postgres dbname=postgres"
