#!/usr/bin/env bash
# The shared service's figures, side by side in one run on this machine:
# pgbench's tpcb-like tps on the cluster, then issue+redeem pairs/s (p50,
# p99) over HTTPS at 16, 64 and 256 clients, the MitID side's redemptions
# over mutual TLS at 64 clients, caller search p99 with 64
# searchers (flat out, then typing as agents type) at CALLERS callers (1,000,000 by default; 0 leaves the search
# out), and the server's RSS idle and under load. A site of its own in a scratch folder, removed after.
#
#     bash packaging/bench-service.sh [CALLERS] [SECONDS]
#
# CHAINING=transaction chains each change's audit entries in its own
# transaction instead of by the integrator (see server.toml's [audit]).
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
callers=${1:-1000000}
seconds=${2:-20}
chaining=${CHAINING:-integrator}
need_rust
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $SERVICE_PACKAGES
cargo build --release --locked -p mitid-assist-server >&2
cargo bench --locked -p mitid-assist-server --bench load --no-run >&2
load=$(ls -t "$CARGO_TARGET_DIR"/release/deps/load-* | grep -v '\.d$' | head -n1)
server="$CARGO_TARGET_DIR/release/mitid-assist-server"

dir=$(mktemp -d /tmp/mitid-bench.XXXXXX)
chmod 755 "$dir"
CLEANUP_DIRS+=("$dir")
CLEANUP_CLUSTERS+=("$dir/pg")
conninfo=$(bash packaging/pg.sh "$dir/pg" start | tail -n1)
psql "$conninfo" -Xqc "CREATE DATABASE mitid" -c "CREATE DATABASE pgbench"
bash packaging/test-ca.sh "$dir/tls"
"$server" new-key "$dir/pcode.key" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$dir/server.toml" <<TOML
listen = "127.0.0.1:$port"
pcode_key = "pcode.key"
log_level = "warn"
[database]
url = "${conninfo/dbname=postgres/dbname=mitid}"
pool_size = 16                # measured best on 2 cores: 1,640 pairs/s against 1,150 with 64
[tls]
cert = "tls/server.pem"
key = "tls/server.key"
[audit]
chaining = "$chaining"
# A pair's code keeps two of its three uses (only the MitID side's report
# of a completed enrollment voids it): a caller may hold a few at once.
[desk]
max_active_pcodes = 100
# The MitID side: all its load clients share one certificate.
[mitid_side]
client_ca = "tls/mitid-side-ca.pem"
per_client_per_minute = 100000000
# A Tuesday morning: Support is open for the whole run.
[clock]
simulated = "2026-11-24T08:00:00Z"
TOML
"$server" --config "$dir/server.toml" >"$dir/server.log" 2>&1 &
pid=$!
CLEANUP_PIDS+=("$pid")
url="https://127.0.0.1:$port"
ca="$dir/tls/ca.pem"
timeout 60 sh -c "until curl -sf --cacert '$ca' '$url/readyz' >/dev/null; do sleep 0.2; done"
rss() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }

echo "== checking a staff member's access token (the test OpenID provider's RS256 JWT)"
issuer=$(bash packaging/oidc.sh start "$dir/oidc" | tail -n1)
CLEANUP_PIDS+=("$(cat "$dir/oidc/oidc.pid")")
"$load" token "$issuer" mitid-assist "$(python3 packaging/oidc/sign-in.py "$issuer" agent)"
echo "== a desk's sign-in to its first screen (a second instance taking the provider's sign-ins)"
port2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed "s/^listen = .*/listen = \"127.0.0.1:$port2\"/" "$dir/server.toml" >"$dir/server2.toml"
cat >>"$dir/server2.toml" <<TOML
[identity]
issuer = "$issuer"
audience = "mitid-assist"
resource = "https://mitid-assist"
[identity.groups]
mitid-phone-agents = "phone_agent"
TOML
"$server" --config "$dir/server2.toml" >"$dir/server2.log" 2>&1 &
pid2=$!
CLEANUP_PIDS+=("$pid2")
timeout 60 sh -c "until curl -sf --cacert '$dir/tls/ca.pem' 'https://127.0.0.1:$port2/readyz' >/dev/null; do sleep 0.2; done"
"$load" signin "https://127.0.0.1:$port2" "$dir/tls/ca.pem" 20
kill -TERM "$pid2"
wait "$pid2" || true
bash packaging/oidc.sh stop "$dir/oidc"
echo "audit chaining: $chaining; server RSS idle: $(rss) MB"

echo "== pgbench tpcb-like, scale 10, 10 clients, ${seconds} s (the yardstick)"
pgbench -q -i -s 10 "${conninfo/dbname=postgres/dbname=pgbench}" >/dev/null 2>&1
pgbench -c 10 -j 2 -T "$seconds" "${conninfo/dbname=postgres/dbname=pgbench}" 2>/dev/null | grep -E "^tps|latency average"

for clients in 16 64 256; do
    echo "== issue + redeem, $clients clients, ${seconds} s"
    "$load" pairs "$url" "$ca" "$clients" "$seconds" &
    loadpid=$!
    sleep "$((seconds / 2))"
    echo "server RSS under load: $(rss) MB"
    wait "$loadpid"
done

echo "== the MitID side's redemptions over mutual TLS, 64 clients, ${seconds} s (beside issue + redeem above)"
"$load" redeem "$url" "$ca" 64 "$seconds" "$dir/tls/mitid-side.crt" "$dir/tls/mitid-side.key"

if [ "$callers" -eq 0 ]; then
    echo "server RSS after: $(rss) MB"
    exit 0
fi
echo "== $callers callers"
"$load" fill "$url" "$ca" "$callers"
psql "${conninfo/dbname=postgres/dbname=mitid}" -Xqc "VACUUM ANALYZE"
echo "server RSS idle with $callers callers: $(rss) MB"
echo "== search, 64 searchers as fast as the answers come, ${seconds} s (the most the service does)"
"$load" search "$url" "$ca" 64 "$seconds" &
loadpid=$!
sleep "$((seconds / 2))"
echo "server RSS under load: $(rss) MB"
wait "$loadpid"
echo "== search, 64 agents typing (a keystroke every 150 ms, a second to read), ${seconds} s"
"$load" search "$url" "$ca" 64 "$seconds" 150
echo "server RSS after: $(rss) MB"
