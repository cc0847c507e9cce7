#!/usr/bin/env bash
# The test OpenID provider (packaging/oidc/provider.mjs, the npm package
# oidc-provider on Debian's Node): `oidc.sh install` puts it in
# ~/.cache/mitid-assist/oidc (once; from packaging/oidc/package.json, the
# version pinned); `oidc.sh start DIR [PORT]` runs it on loopback (on PORT,
# or a free port), writes DIR/oidc.pid and prints the issuer URL as its
# last line;
# `oidc.sh stop DIR` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
cache="$HOME/.cache/mitid-assist/oidc"
action=${1:?usage: oidc.sh install | start DIR [PORT] | stop DIR}

install() {
    # Debian's Node (or one already here, which may bring its own npm).
    command -v node >/dev/null || apt_install nodejs
    command -v npm >/dev/null || apt_install npm
    mkdir -p "$cache"
    if ! cmp -s packaging/oidc/package.json "$cache/package.json" || [ ! -d "$cache/node_modules/oidc-provider" ]; then
        cp packaging/oidc/package.json "$cache/package.json"
        (cd "$cache" && npm install --no-audit --no-fund --loglevel=error >&2)
    fi
}

case "$action" in
install) install ;;
start)
    dir=${2:?usage: oidc.sh start DIR}
    install
    mkdir -p "$dir"
    export MITID_OIDC_MODULES="$cache/node_modules"
    node packaging/oidc/provider.mjs "${3:-0}" >"$dir/oidc.out" 2>"$dir/oidc.log" &
    echo $! >"$dir/oidc.pid"
    if ! timeout 30 sh -c "until grep -q '^issuer ' '$dir/oidc.out'; do sleep 0.1; done"; then
        echo "the test OpenID provider did not start; its log:" >&2
        cat "$dir/oidc.log" >&2
        exit 1
    fi
    grep '^issuer ' "$dir/oidc.out" | head -n1 | cut -d' ' -f2
    ;;
stop)
    dir=${2:?usage: oidc.sh stop DIR}
    if [ -f "$dir/oidc.pid" ]; then
        kill "$(cat "$dir/oidc.pid")" 2>/dev/null || true
        rm -f "$dir/oidc.pid"
    fi
    ;;
*)
    echo "usage: oidc.sh install | start DIR [PORT] | stop DIR" >&2
    exit 2
    ;;
esac
