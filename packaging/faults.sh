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
# outboxes once after), failover (a primary with a synchronous streaming
# standby; the primary killed with SIGKILL, the standby promoted: the
# instances, given both hosts with target_session_attrs=read-write, find the
# new primary by themselves), slow-db (for 10 s every audit entry — every
# change — delayed up to 8 s in the database: answers come within the
# instances' request deadline, 503 past it, and their memory stays bounded).
# soak (no fault: an hour at the rate of 500 agents — 10 calls an hour
# each, 5,000 calls an hour — with memory, database connections and open
# files sampled every minute; not one error).
# --quick: each run about a minute, no soak; else five minutes, and the soak.
# DESKS (default 16) desks and as many MitID-side clients; FAULT_SECONDS
# sets a run's length, SOAK_SECONDS the soak's, AGENTS its rate.
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
seconds=300
faults=()
for arg in "$@"; do
    case "$arg" in
        --quick) seconds=45 ;;
        kill9 | pg-restart | net-cut | failover | slow-db | soak) faults+=("$arg") ;;
        *) echo "usage: faults.sh [--quick] [kill9|pg-restart|net-cut|failover|slow-db|soak]…" >&2; exit 2 ;;
    esac
done
quick=false
for arg in "$@"; do [ "$arg" != --quick ] || quick=true; done
if [ ${#faults[@]} -eq 0 ]; then
    faults=(kill9 pg-restart net-cut failover slow-db)
    $quick || faults+=(soak)
fi
seconds=${FAULT_SECONDS:-$seconds}
soak_seconds=${SOAK_SECONDS:-3600}
agents=${AGENTS:-500}
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
deadline_ms=8000

# Both instances' resident memory (kB), once a second while a run lasts.
sample_memory() {
    local out=$1 i
    while :; do
        for i in 0 1; do
            awk '/^VmRSS/ {printf "%s ", $2}' "/proc/${pids[$i]}/status" 2>/dev/null || printf '0 '
        done
        echo
        sleep 1
    done >"$out"
}
# Once a minute: both instances' memory (kB) and open files, and the
# database connections the instances hold.
sample_minutes() {
    local out=$1 db=$2 minute=0 i
    while :; do
        {
            printf '%s ' "$minute"
            for i in 0 1; do
                awk '/^VmRSS/ {printf "%s ", $2}' "/proc/${pids[$i]}/status" 2>/dev/null || printf '0 '
                find "/proc/${pids[$i]}/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l | tr '\n' ' '
            done
            psql "$db" -XAtc "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mitid-assist-server'"
        } >>"$out"
        minute=$((minute + 1))
        sleep 60
    done
}
# Prints the samples as start, peak and end (MB) for each instance; fails
# when the peak of one is more than LIMIT MB above its start.
report_memory() {
    awk -v limit="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) start[i] = $i }
        { for (i = 1; i <= NF; i++) { if ($i > peak[i]) peak[i] = $i; if ($i > 0) end[i] = $i } n = NF }
        END {
            bad = 0
            for (i = 1; i <= n; i++) {
                printf "instance %d memory: start %.1f MB, peak %.1f MB, end %.1f MB\n", i - 1, start[i] / 1024, peak[i] / 1024, end[i] / 1024
                if ((peak[i] - start[i]) / 1024 > limit) bad = 1
            }
            exit bad
        }' "$1"
}

# Each run on a database of its own, so its check sees only its answers;
# the instances reach it at the URL given second (default: the run's
# database in the one cluster).
start_site() {
    local run=$1 url=${2:-${conninfo/dbname=postgres/dbname=$1}} i
    psql "$conninfo" -Xqc "CREATE DATABASE $run"
    for i in 0 1; do
        cat >"$dir/server$i.toml" <<TOML
listen = "127.0.0.1:${ports[$i]}"
pcode_key = "pcode.key"
log_level = "$log_level"
[database]
url = "$url"
pool_size = 16
statement_timeout_ms = 5000
connect_timeout_ms = 3000
request_timeout_ms = $deadline_ms
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
    # Under a slow database every answer's own time is read from the
    # instances' request lines ("served … ms=N"), logged at info.
    log_level=warn
    [ "$fault" = slow-db ] && log_level=info
    checked=${conninfo/dbname=postgres/dbname=$run}
    if [ "$fault" = failover ]; then
        # A cluster pair of its own: the one cluster serves the other runs.
        CLEANUP_CLUSTERS+=("$dir/primary" "$dir/standby")
        primary=$(bash packaging/pg.sh "$dir/primary" start | tail -n1)
        standby=$(bash packaging/pg.sh "$dir/standby" standby "$dir/primary" | tail -n1)
        port_a=$(sed 's/.*port=\([0-9]*\).*/\1/' <<<"$primary")
        port_b=$(sed 's/.*port=\([0-9]*\).*/\1/' <<<"$standby")
        checked=${standby/dbname=postgres/dbname=$run}
        conninfo=$primary start_site "$run" \
            "host=$dir/primary,$dir/standby port=$port_a,$port_b user=postgres dbname=$run target_session_attrs=read-write"
    else
        start_site "$run"
    fi
    url0="https://127.0.0.1:${ports[0]}"
    url1="https://127.0.0.1:${ports[1]}"
    # The proxy's cut is the harness's own: it writes when to the .fault file.
    options=()
    length=$seconds
    clients=$desks
    # A slow database shows a pile-up only with more clients than the
    # instances have connections.
    [ "$fault" = slow-db ] && clients=$((desks * 4))
    [ "$fault" = net-cut ] && options=("cut:$((seconds / 3)):10")
    if [ "$fault" = soak ]; then
        length=$soak_seconds
        options=("pace:$((agents * 10))")
        sample_minutes "$dir/$run.minutes" "${conninfo/dbname=postgres/dbname=$run}" &
        minutes=$!
        CLEANUP_PIDS+=("$minutes")
    fi
    "$harness" run "$url0" "$url1" "$dir/tls/ca.pem" "$dir/tls/mitid-side.crt" "$dir/tls/mitid-side.key" \
        "$clients" "$length" "$dir/$run.jsonl" "${options[@]}" 2>"$dir/$run.log" &
    load=$!
    CLEANUP_PIDS+=("$load")
    sample_memory "$dir/$run.rss" &
    sampler=$!
    CLEANUP_PIDS+=("$sampler")
    # The fault a third of the way in: a moment of the run, not a wait
    # for something to happen.
    [ "$fault" = net-cut ] || [ "$fault" = soak ] || sleep "$((seconds / 3))"
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
        soak)
            at=$(now_ms)
            printf '%s\n%s\nnone\n' "$at" "$at" >"$dir/$run.fault"
            ;;
        slow-db)
            db=${conninfo/dbname=postgres/dbname=$run}
            now_ms >"$dir/$run.fault"
            psql "$db" -Xq <<'SQL'
CREATE FUNCTION fault_slow() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN PERFORM pg_sleep(random() * 8); RETURN NEW; END $$;
CREATE TRIGGER fault_slow BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION fault_slow();
SQL
            sleep 10
            psql "$db" -Xqc "DROP TRIGGER fault_slow ON audit" -c "DROP FUNCTION fault_slow()"
            now_ms >>"$dir/$run.fault"
            echo "slow $deadline_ms" >>"$dir/$run.fault"
            ;;
        failover)
            now_ms >"$dir/$run.fault"
            bash packaging/pg.sh "$dir/primary" kill
            bash packaging/pg.sh "$dir/standby" promote
            now_ms >>"$dir/$run.fault"
            ;;
    esac
    wait "$load" || { echo "the load of $fault failed:"; tail -n 20 "$dir/$run.log"; failed=1; }
    kill "$sampler"
    wait "$sampler" 2>/dev/null || true
    if [ "$fault" = soak ]; then
        kill "$minutes"
        wait "$minutes" 2>/dev/null || true
        echo "soak: $agents agents' rate, $((agents * 10)) calls an hour, for $((soak_seconds / 60)) minutes"
        echo "| minute | instance 0 RSS MB | instance 1 RSS MB | open files 0 | open files 1 | database connections |"
        echo "|---|---|---|---|---|---|"
        awk '{ printf "| %s | %.1f | %.1f | %s | %s | %s |\n", $1, $2 / 1024, $4 / 1024, $3, $5, $6 }' "$dir/$run.minutes"
    fi
    report_memory "$dir/$run.rss" 100 || { echo "an instance's memory grew by more than 100 MB under $fault"; failed=1; }
    if [ "$fault" = slow-db ]; then
        # The deadline holds for each request inside the instance; a
        # quarter of a second over is the runtime's own lateness on two
        # busy cores, more is a request that was not cut off.
        slowest=$(cat "$dir"/server0.log "$dir"/server1.log | sed 's/\x1b\[[0-9;]*m//g' |
            sed -n 's/.* served .*ms=\([0-9.]*\).*/\1/p' | sort -g | tail -n1)
        echo "slowest answer inside the instances ${slowest:-none} ms (deadline $deadline_ms ms)"
        if [ -z "$slowest" ] || awk -v s="$slowest" -v d="$deadline_ms" 'BEGIN { exit !(s > d + 250) }'; then
            echo "an instance answered after its deadline (or logged no answer)"
            failed=1
        fi
    fi
    # The check asks the instance still serving to verify the audit chain.
    survivor=$url1
    faultfile=$dir/$run.fault
    [ "$fault" = net-cut ] && faultfile=$dir/$run.jsonl.fault
    if "$harness" check "$dir/$run.jsonl" "$checked" "$dir/pcode.key" \
        "$survivor" "$dir/tls/ca.pem" "$faultfile" "$fault"; then :; else
        failed=1
        tail -n 20 "$dir/$run.log"
    fi
    stop_site
done
exit "$failed"
