#!/usr/bin/env bash
# Builds the four packages twice and checks them: byte-identical builds of
# one commit; lintian, desktop-file-validate, appstreamcli, rpmlint and
# systemd-analyze with no complaint (each exception below says why); the
# .rpm installed into and erased from an empty root, and the server's
# upgraded there from a version lower. Prints one line per
# check and `packages: N passed, N failed`; exits non-zero on a failure.
#
#   bash packaging/check-packages.sh [--no-build]
set -uo pipefail
cd "$(dirname "$0")/.."
source packaging/lib.sh

passed=0
failed=0
check() {
    local name=$1
    shift
    local log
    log=$(mktemp)
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        sed 's/^/     /' "$log"
    fi
    rm -f "$log"
}
# Fails on any output: systemd-analyze verify exits 0 on unknown keys.
silent() {
    local said
    said=$("$@" 2>&1)
    [ -z "$said" ] || { echo "$said"; return 1; }
}

# The first build stays where package.sh puts packages; the second is only
# held against it.
first=$CARGO_TARGET_DIR/packages
scratch
second=$SCRATCH
started=$(date +%s%N)
bash packaging/package.sh "$@" --out "$first" >/dev/null || exit 1
echo "built the four packages in $((($(date +%s%N) - started) / 1000000)) ms"
bash packaging/package.sh --no-build --out "$second" >/dev/null || exit 1

reproducible() {
    for package in "$first"/*; do
        cmp "$package" "$second/$(basename "$package")" || return 1
    done
}
check "two builds of one commit are byte-identical" reproducible

deb_desk=$(ls "$first"/mitid-assist_*.deb)
deb_server=$(ls "$first"/mitid-assist-server_*.deb)
rpm_desk=$(ls "$first"/mitid-assist-[0-9]*.rpm)
rpm_server=$(ls "$first"/mitid-assist-server-[0-9]*.rpm)
for package in "$deb_desk" "$deb_server" "$rpm_desk" "$rpm_server"; do
    echo "$(basename "$package") $(stat -c %s "$package") bytes"
done

# initial-upload-closes-no-bugs: only means something in Debian's archive.
# copyright-not-using-common-license-for-lgpl: the EUPL's appendix names the
# LGPL among its compatible licences; nothing here is under the LGPL.
suppressed=initial-upload-closes-no-bugs,copyright-not-using-common-license-for-lgpl
check "lintian (desk)" lintian --allow-root --fail-on error,warning --suppress-tags "$suppressed" "$deb_desk"
check "lintian (server)" lintian --allow-root --fail-on error,warning --suppress-tags "$suppressed" "$deb_server"
check "desktop-file-validate" silent desktop-file-validate packaging/linux/dk.mitid_assist.MitidAssist.desktop
check "appstreamcli validate" appstreamcli validate --no-net packaging/linux/dk.mitid_assist.MitidAssist.metainfo.xml
check "rpmlint" rpmlint --config packaging/rpm/rpmlint.toml "$rpm_desk" "$rpm_server"

# The unit as installed, against the binary as installed.
unit_root=$(mktemp -d)
dpkg-deb -x "$deb_server" "$unit_root"
unit=$(find "$unit_root" -name mitid-assist-server.service -path '*systemd/system*')
sed "s|/usr/bin/mitid-assist-server|$unit_root/usr/bin/mitid-assist-server|" "$unit" >"$unit_root/mitid-assist-server.service"
check "systemd-analyze verify" silent systemd-analyze verify --man=no "$unit_root/mitid-assist-server.service"
rm -rf "$unit_root"

# No RPM-based root can be had here: the .rpm goes into an empty root
# without its dependencies, and comes out leaving nothing.
rpm_install() {
    local root
    root=$(mktemp -d)
    local rpm=(rpm --root "$root" --dbpath /var/lib/rpm)
    "${rpm[@]}" --initdb &&
        "${rpm[@]}" -i --nodeps --noscripts "$rpm_desk" "$rpm_server" &&
        test -x "$root/usr/bin/mitid-assist" && test -f "$root/etc/mitid-assist/server.toml" &&
        "${rpm[@]}" -e --nodeps --noscripts mitid-assist mitid-assist-server &&
        test -z "$(find "$root" -type f -not -path "$root/var/lib/rpm/*")"
    local ok=$?
    rm -rf "$root"
    return $ok
}
check "rpm --root install and erase" rpm_install

# And as an upgrade: the server's .rpm a version lower first, its
# configuration changed by the administrator, then this one over it.
rpm_upgrade() {
    local root previous
    root=$(mktemp -d)
    previous=$(mktemp -d)
    local rpm=(rpm --root "$root" --dbpath /var/lib/rpm)
    cargo generate-rpm -p crates/server --target-dir "$CARGO_TARGET_DIR" --payload-compress gzip \
        -s 'version = "'"$(rpm -qp --qf '%{VERSION}' "$rpm_server")"'~previous"' -o "$previous" >/dev/null &&
        "${rpm[@]}" --initdb &&
        "${rpm[@]}" -i --nodeps --noscripts "$previous"/*.rpm &&
        sed -i 's|^listen = .*|listen = "127.0.0.1:8443"|' "$root/etc/mitid-assist/server.toml" &&
        "${rpm[@]}" -U --nodeps --noscripts "$rpm_server" &&
        test "$("${rpm[@]}" -q mitid-assist-server)" = "$(rpm -qp "$rpm_server")" &&
        grep -q '^listen = "127.0.0.1:8443"' "$root/etc/mitid-assist/server.toml"
    local ok=$?
    rm -rf "$root" "$previous"
    return $ok
}
check "rpm --root upgrade keeps the changed configuration" rpm_upgrade

echo "packages: $passed passed, $failed failed"
[ "$failed" = 0 ]
