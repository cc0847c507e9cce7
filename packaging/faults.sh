#!/usr/bin/env bash
# The shared service under faults: a site of its own (PostgreSQL 15, two
# instances of mitid-assist-server on it, both in every desk's list), load
# from simulated desks and MitID-side clients (crates/server/benches/faults.rs),
# one fault a run, then every acknowledged answer held against the database.
# Prints one line a fault —
#   fault NAME acknowledged N lost N doubled N recovery_ms N
# — and exits non-zero when anything was lost or doubled.
#
#     bash packaging/faults.sh [--quick] [FAULT…]
#
# Faults: kill9 (one instance killed with SIGKILL under load: the desks go on
# with the other), pg-restart (PostgreSQL stopped for 5 s and started again:
# meanwhile 503 with Retry-After, then served again without a restart),
# net-cut (the network between the desks and the service cut for 10 s by a
# loopback proxy: the desks say so, show no code meanwhile, and deliver their
# outboxes once after).
# --quick: each run about a minute; else five minutes.
# DESKS (default 16) desks and as many MitID-side clients; FAULT_SECONDS
# sets a run's length.
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
seconds=300
faults=()
for arg in "$@"; do
    case "$arg" in
        --quick) seconds=45 ;;
        kill9 | pg-restart | net-cut) faults+=("$arg") ;;
        *) echo "usage: faults.sh [--quick] [kill9|pg-restart|net-cut]…" >&2; exit 2 ;;
    esac
done
[ ${#faults[@]} -gt 0 ] || faults=(kill9 pg-restart net-cut)
seconds=${FAULT_SECONDS:-$seconds}
desks=${DESKS:-16}
need_rust
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $SERVICE_PACKAGES
cargo build --release --locked -p mitid-assist-server >&2
cargo bench --locked -p mitid-assist-server --bench faults --no-run >&2
harness=$(ls -t "$CARGO_TARGET_DIR"/release/deps/faults-* | grep -v '\.d$' | head -n1)
server="$CARGO_TARGET_DIR/release/mitid-assist-server"

dir=$(mktemp -d /tmp/mitid-faults.XXXXXX)
chmod 755 "$dir"
CLEANUP_DIRS+=("$dir")
CLEANUP_CLUSTERS+=("$dir/pg")
conninfo=$(bash packaging/pg.sh "$dir/pg" start | tail -n1)
bash packaging/test-ca.sh "$dir/tls"
"$server" new-key "$dir/pcode.key" >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ports=("$(free_port)" "$(free_port)")
now_ms() { date +%s%3N; }

# Each run on a database of its own, so its check sees only its answers.
start_site() {
    local run=$1 i
    psql "$conninfo" -Xqc "CREATE DATABASE $run"
    for i in 0 1; do
        cat >"$dir/server$i.toml" <<TOML
listen = "127.0.0.1:${ports[$i]}"
pcode_key = "pcode.key"
log_level = "warn"
[database]
url = "${conninfo/dbname=postgres/dbname=$run}"
pool_size = 16
[tls]
cert = "tls/server.pem"
key = "tls/server.key"
# Each desk issues again and again to its few callers.
[desk]
max_active_pcodes = 100000
[mitid_side]
client_ca = "tls/mitid-side-ca.pem"
per_client_per_minute = 100000000
per_holder_per_minute = 100000000
# A Tuesday morning: Support is open for the whole run.
[clock]
simulated = "2026-11-24T08:00:00Z"
TOML
        start_instance "$i"
    done
}
pids=(0 0)
start_instance() {
    local i=$1
    (cd "$dir" && exec "$server" --config "server$1.toml" >>"server$1.log" 2>&1) &
    pids[$i]=$!
    CLEANUP_PIDS+=("${pids[$i]}")
    timeout 60 sh -c "until curl -sf --cacert '$dir/tls/ca.pem' 'https://127.0.0.1:${ports[$i]}/readyz' >/dev/null; do sleep 0.1; done"
}
stop_site() {
    local i
    for i in 0 1; do
        if kill -0 "${pids[$i]}" 2>/dev/null; then
            kill -TERM "${pids[$i]}"
            wait "${pids[$i]}" || true
        fi
    done
}

failed=0
for fault in "${faults[@]}"; do
    run=${fault//-/_}
    start_site "$run"
    url0="https://127.0.0.1:${ports[0]}"
    url1="https://127.0.0.1:${ports[1]}"
    # The proxy's cut is the harness's own: it writes when to the .fault file.
    cut=()
    [ "$fault" = net-cut ] && cut=("cut:$((seconds / 3)):10")
    "$harness" run "$url0" "$url1" "$dir/tls/ca.pem" "$dir/tls/mitid-side.crt" "$dir/tls/mitid-side.key" \
        "$desks" "$seconds" "$dir/$run.jsonl" "${cut[@]}" 2>"$dir/$run.log" &
    load=$!
    CLEANUP_PIDS+=("$load")
    # The fault a third of the way in: a moment of the run, not a wait
    # for something to happen.
    [ "$fault" = net-cut ] || sleep "$((seconds / 3))"
    case "$fault" in
        kill9)
            kill -KILL "${pids[0]}"
            at=$(now_ms)
            echo "$at" >"$dir/$run.fault"
            echo "$at" >>"$dir/$run.fault"
            ;;
        pg-restart)
            now_ms >"$dir/$run.fault"
            bash packaging/pg.sh "$dir/pg" stop
            sleep 5
            bash packaging/pg.sh "$dir/pg" start >/dev/null
            now_ms >>"$dir/$run.fault"
            ;;
        net-cut) ;;
    esac
    wait "$load" || { echo "the load of $fault failed:"; tail -n 20 "$dir/$run.log"; failed=1; }
    # The check asks the instance still serving to verify the audit chain.
    survivor=$url1
    faultfile=$dir/$run.fault
    [ "$fault" = net-cut ] && faultfile=$dir/$run.jsonl.fault
    if "$harness" check "$dir/$run.jsonl" "${conninfo/dbname=postgres/dbname=$run}" "$dir/pcode.key" \
        "$survivor" "$dir/tls/ca.pem" "$faultfile" "$fault"; then :; else
        failed=1
        tail -n 20 "$dir/$run.log"
    fi
    stop_site
done
exit "$failed"
