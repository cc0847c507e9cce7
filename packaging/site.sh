#!/usr/bin/env bash
# A complete local site, for evaluation and tests, in DIR: a PostgreSQL 15
# cluster of its own, a test CA, the P-code key, the test OpenID provider
# (packaging/oidc.sh: one test user per role — agent, counter, supervisor,
# auditor, admin, trainer — who sign in as the desk's `mitid-assist login`
# asks), and mitid-assist-server on a free loopback port, taking staff
# sign-ins from that provider and the MitID side's redemptions by the
# client certificate in DIR/mitid-side.crt and DIR/mitid-side.key. Writes
# DIR/server.toml (the server's configuration, with a [support] table read
# exactly as the desk's config.toml reads it) and DIR/desk.toml (a desk
# configuration pointing at the server), and prints the desk
# configuration's path as its last line:
#
#     mitid-assist --config "$(bash packaging/site.sh /tmp/site | tail -n1)"
#
# `site.sh DIR stop` stops the server and the cluster; `site.sh DIR` again
# starts the same site with its data. MITID_SERVER_BIN=PATH uses that
# server binary instead of building one. As root, the cluster belongs to the
# postgres user, so DIR must be reachable by it (under /tmp or /srv).
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
dir=${1:?usage: site.sh DIR [stop]}
action=${2:-start}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
chmod 755 "$dir"

if [ "$action" = stop ]; then
    if [ -f "$dir/server.pid" ]; then
        pid=$(cat "$dir/server.pid")
        if kill -TERM "$pid" 2>/dev/null; then
            # The server finishes the requests in flight, then ends.
            timeout 40 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.1; done"
        fi
        rm -f "$dir/server.pid"
    fi
    bash packaging/oidc.sh stop "$dir/oidc"
    bash packaging/pg.sh "$dir/postgres" stop
    echo "stopped the site in $dir"
    exit 0
fi
[ "$action" = start ] || { echo "usage: site.sh DIR [stop]" >&2; exit 2; }

if [ -n "${MITID_SERVER_BIN:-}" ]; then
    # A server already built (the tests' own), instead of a release build.
    # shellcheck disable=SC2086
    apt_install $SERVICE_PACKAGES
    server=$MITID_SERVER_BIN
else
    need_rust
    # shellcheck disable=SC2086
    apt_install $BUILD_PACKAGES $SERVICE_PACKAGES
    cargo build --release --locked -p mitid-assist-server >&2
    server="$CARGO_TARGET_DIR/release/mitid-assist-server"
fi

conninfo=$(bash packaging/pg.sh "$dir/postgres" start | tail -n1)
if [ -z "$(psql "$conninfo" -XAtqc "SELECT 1 FROM pg_database WHERE datname = 'mitid'")" ]; then
    psql "$conninfo" -Xqc "CREATE DATABASE mitid"
fi
bash packaging/test-ca.sh "$dir/tls"
[ -s "$dir/pcode.key" ] || "$server" new-key "$dir/pcode.key" >&2
if [ ! -s "$dir/port" ]; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >"$dir/port"
fi
port=$(cat "$dir/port")
if [ ! -s "$dir/oidc-port" ]; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >"$dir/oidc-port"
fi
if ! { [ -f "$dir/oidc/oidc.pid" ] && kill -0 "$(cat "$dir/oidc/oidc.pid")" 2>/dev/null; }; then
    issuer=$(bash packaging/oidc.sh start "$dir/oidc" "$(cat "$dir/oidc-port")" | tail -n1)
else
    issuer="http://127.0.0.1:$(cat "$dir/oidc-port")"
fi
# The MitID side's client certificate, where the issue of a site says.
cp "$dir/tls/mitid-side.crt" "$dir/mitid-side.crt"
install -m 600 "$dir/tls/mitid-side.key" "$dir/mitid-side.key"

if [ ! -f "$dir/server.toml" ]; then
    cat >"$dir/server.toml" <<TOML
# mitid-assist-server for a local evaluation site (made by packaging/site.sh).
listen = "127.0.0.1:$port"
# The P-code key: a file the server alone reads, never in the database.
pcode_key = "pcode.key"
log_level = "info"

[database]
url = "${conninfo/dbname=postgres/dbname=mitid}"
pool_size = 32
statement_timeout_ms = 5000

[tls]
cert = "tls/server.pem"
key = "tls/server.key"

[desk]
max_active_pcodes = 1

# MitID Support's hours, exactly as a desk's config.toml writes them.
[support]
weekday = "08:00-20:00"
weekend = "10:00-16:00"
holiday = "10:00-16:00"
dec24 = "10:00-14:00"
dec31 = "10:00-14:00"

# [[support.exception]]
# date = "2026-12-28"
# hours = "closed"
# note = "System upgrade"

# Staff sign in with the site's OpenID provider; its groups are the roles.
[identity]
issuer = "$issuer"
audience = "mitid-assist"
resource = "https://mitid-assist"
desk_client_id = "mitid-assist-desk"

[identity.groups]
mitid-phone-agents = "phone_agent"
mitid-counter-staff = "counter_staff"
mitid-supervisors = "supervisor"
mitid-auditors = "auditor"
mitid-admins = "admin"
mitid-trainers = "trainer"

# The MitID side redeems codes with a client certificate this CA signed.
[mitid_side]
client_ca = "tls/mitid-side-ca.pem"
per_client_per_minute = 60000
per_holder_per_minute = 10
TOML
fi
if [ ! -f "$dir/desk.toml" ]; then
    cat >"$dir/desk.toml" <<TOML
# A desk of the local evaluation site (made by packaging/site.sh).
[server]
url = "https://127.0.0.1:$port"
ca = "$dir/tls/ca.pem"

[desk]
agent = "site-desk-1"
TOML
fi

running() { [ -f "$dir/server.pid" ] && kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; }
if ! running; then
    "$server" --config "$dir/server.toml" check-config >&2
    nohup "$server" --config "$dir/server.toml" >>"$dir/server.log" 2>&1 &
    echo $! >"$dir/server.pid"
fi
ready() { curl -sf --cacert "$dir/tls/ca.pem" "https://127.0.0.1:$port/readyz" >/dev/null; }
if ! timeout 60 sh -c "until curl -sf --cacert '$dir/tls/ca.pem' 'https://127.0.0.1:$port/readyz' >/dev/null; do sleep 0.2; done"; then
    echo "the server did not become ready; its log is $dir/server.log:" >&2
    tail -n 20 "$dir/server.log" >&2
    exit 1
fi
ready
echo "site ready: https://127.0.0.1:$port (log $dir/server.log; stop with: bash packaging/site.sh $dir stop)" >&2
echo "staff sign in at $issuer (users agent, counter, supervisor, auditor, admin, trainer): mitid-assist --config $dir/desk.toml login" >&2
echo "the MitID side redeems with $dir/mitid-side.crt and $dir/mitid-side.key at https://127.0.0.1:$port/v1/redemptions" >&2
echo "$dir/desk.toml"
