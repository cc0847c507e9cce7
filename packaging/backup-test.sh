#!/usr/bin/env bash
# Backup and restore of a live site, as the README's "Backup and restore"
# says to do it, measured: a site of CALLERS callers (1,000,000 by default)
# at work — desks issuing, noting, recording cases; the MitID side
# redeeming — is backed up with pg_dump while the work goes on, restored
# into a new cluster, and served again from there on the same address with
# the same P-code key. Desks that verified the audit chain before the backup
# must find the restored chain holding the checkpoints they remember; a desk
# that verified after the backup began must be told the restored site lacks
# what it saw (it was not in the backup). Prints the times and the dump's
# size; exits non-zero when a check fails.
#
#     bash packaging/backup-test.sh [CALLERS]
#
# DESKS (default 8) desks and as many MitID-side clients work meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
callers=${1:-1000000}
desks=${DESKS:-8}
need_rust
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $SERVICE_PACKAGES
cargo build --release --locked -p mitid-assist-server >&2
cargo bench --locked -p mitid-assist-server --bench faults --no-run >&2
cargo bench --locked -p mitid-assist-server --bench load --no-run >&2
harness=$(ls -t "$CARGO_TARGET_DIR"/release/deps/faults-* | grep -v '\.d$' | head -n1)
load=$(ls -t "$CARGO_TARGET_DIR"/release/deps/load-* | grep -v '\.d$' | head -n1)
server="$CARGO_TARGET_DIR/release/mitid-assist-server"

dir=$(mktemp -d /tmp/mitid-backup.XXXXXX)
chmod 755 "$dir"
CLEANUP_DIRS+=("$dir")
CLEANUP_CLUSTERS+=("$dir/old" "$dir/new")
old=$(bash packaging/pg.sh "$dir/old" start | tail -n1)
psql "$old" -Xqc "CREATE DATABASE mitid"
bash packaging/test-ca.sh "$dir/tls"
"$server" new-key "$dir/pcode.key" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="https://127.0.0.1:$port"
ca="$dir/tls/ca.pem"
now_ms() { date +%s%3N; }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

server_pid=0
# Serves the site from the cluster whose connection string is given.
start_server() {
    cat >"$dir/server.toml" <<TOML
listen = "127.0.0.1:$port"
pcode_key = "pcode.key"
log_level = "warn"
[database]
url = "${1/dbname=postgres/dbname=mitid}"
pool_size = 16
[tls]
cert = "tls/server.pem"
key = "tls/server.key"
[desk]
max_active_pcodes = 100000
[mitid_side]
client_ca = "tls/mitid-side-ca.pem"
per_client_per_minute = 100000000
per_holder_per_minute = 100000000
[clock]
simulated = "2026-11-24T08:00:00Z"
TOML
    (cd "$dir" && exec "$server" --config server.toml >>server.log 2>&1) &
    server_pid=$!
    CLEANUP_PIDS+=("$server_pid")
    timeout 120 sh -c "until curl -sf --cacert '$ca' '$url/readyz' >/dev/null; do sleep 0.1; done"
}
stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid" || true
}
# Waits until the live work has written at least N answers.
answers_at_least() {
    timeout 300 sh -c "until [ \$(cat '$dir/live.jsonl' 2>/dev/null | wc -l) -ge $1 ]; do sleep 0.2; done"
}

start_server "$old"
started=$(now_ms)
"$load" fill "$url" "$ca" "$callers"
echo "site filled with $callers callers in $(seconds_since "$started") s"

# The site at work for the whole backup.
"$harness" run "$url" "$url" "$ca" "$dir/tls/mitid-side.crt" "$dir/tls/mitid-side.key" \
    "$desks" 60 "$dir/live.jsonl" 2>"$dir/live.log" &
work=$!
CLEANUP_PIDS+=("$work")
failed=0
# Three desks verify while the site works: each remembers the checkpoint
# it was given.
for n in 1 2 3; do
    answers_at_least $((n * 500))
    "$harness" verify "$url" "$ca" "$dir/desk$n" >/dev/null || { echo "desk $n: the live chain did not verify"; failed=1; }
done

size=$(psql "${old/dbname=postgres/dbname=mitid}" -XAtc "SELECT pg_size_pretty(pg_database_size('mitid'))")
echo "the site's database: $size"
started=$(now_ms)
pg_dump -Fc --dbname="${old/dbname=postgres/dbname=mitid}" --file="$dir/site.dump"
dump_s=$(seconds_since "$started")
dump_mb=$(du -m "$dir/site.dump" | cut -f1)
echo "backup (pg_dump -Fc) of the live site: $dump_s s, $dump_mb MB"

# A desk that verifies after the backup began: its checkpoint is newer
# than anything the backup holds.
lines=$(wc -l <"$dir/live.jsonl")
answers_at_least $((lines + 500))
"$harness" verify "$url" "$ca" "$dir/desk-after" >/dev/null || { echo "desk after: the live chain did not verify"; failed=1; }
wait "$work" || { echo "the work on the live site failed:"; tail -n 20 "$dir/live.log"; failed=1; }
stop_server
kept=$(psql "${old/dbname=postgres/dbname=mitid}" -XAtc "SELECT count(*) FROM caller")

# The new cluster: the roles first (here only postgres, which initdb made),
# then the database.
new=$(bash packaging/pg.sh "$dir/new" start | tail -n1)
started=$(now_ms)
psql "$new" -Xqc "CREATE DATABASE mitid"
pg_restore --jobs=2 --exit-on-error --dbname="${new/dbname=postgres/dbname=mitid}" "$dir/site.dump"
echo "restore (pg_restore --jobs=2) into a new cluster: $(seconds_since "$started") s"
restored=$(psql "${new/dbname=postgres/dbname=mitid}" -XAtc "SELECT count(*) FROM caller")
echo "callers: $kept on the old cluster after the work, $restored restored"
[ "$restored" -ge "$callers" ] || { echo "the restored site has fewer callers than the site was filled with"; failed=1; }

start_server "$new"
for n in 1 2 3; do
    if answer=$("$harness" verify "$url" "$ca" "$dir/desk$n"); then
        echo "desk $n (verified before the backup): $answer"
    else
        echo "desk $n (verified before the backup): $answer — the restore does not hold what it saw"
        failed=1
    fi
done
if answer=$("$harness" verify "$url" "$ca" "$dir/desk-after"); then
    echo "desk after: the restored chain verified, though this desk saw entries after the backup"
    failed=1
else
    echo "desk after (verified after the backup began): told so, as it should be — $answer"
fi
stop_server
exit "$failed"
