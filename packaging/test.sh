#!/usr/bin/env bash
# Sets up what the tests need and runs all of them: formatting, lints, unit
# and UI tests (iced_test on tiny-skia), the CLI through the binary, and the
# end-to-end tests of the release binary under Xvfb. Fails when any fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
need_rust
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $RUNTIME_PACKAGES $TEST_PACKAGES $KEYRING_PACKAGES $SERVICE_PACKAGES $PACKAGE_PACKAGES
fetch_face_models
rustup component add rustfmt clippy >/dev/null 2>&1 || true

export ICED_TEST_BACKEND=tiny-skia
# The tests' windows must never land on the desktop of whoever runs them.
unset WAYLAND_DISPLAY

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --all-targets -- -D warnings
echo "== PostgreSQL 15, schemathesis and the test OpenID provider for the shared service's tests"
install_schemathesis
bash packaging/oidc.sh install
start_postgres
echo "cluster: $MITID_TEST_PG"
echo "== cargo test (release: the end-to-end tests drive the release binary)"
# Inside a private D-Bus session with an unlocked GNOME Keyring (its files in
# a scratch folder, never the user's), and a session kernel keyring, so the
# P-code key is tested in both real stores.
scratch
keyrings=$SCRATCH
scratch
log="$SCRATCH/cargo-test.log"
export XDG_DATA_HOME="$keyrings" MITID_TEST_KEYRINGS=kernel,secret-service
dbus-run-session -- bash -c '
    set -euo pipefail
    eval "$(printf test-only-password | gnome-keyring-daemon --unlock --components=secrets)"
    exec keyctl session - cargo test --locked --release --workspace
' 2> >(grep -v "Failed to set fd limit" >&2) | tee "$log"
echo "== fuzz the chip parsers (15 s a target; the committed corpus is replayed by cargo test too)"
bash packaging/fuzz.sh 15
echo "== the packages: built twice from the release build, validated, installed in clean roots (the server's booted)"
# A failed check is counted in the closing line, not a stop here.
bash packaging/check-packages.sh --no-build | tee -a "$log" || true
bash packaging/install-test.sh "$(ls "$CARGO_TARGET_DIR"/packages/mitid-assist_*.deb)" | tee -a "$log" || true
bash packaging/server-install-test.sh "$(ls "$CARGO_TARGET_DIR"/packages/mitid-assist-server_*.deb)" | tee -a "$log" || true

# One closing line for the whole run (cargo's own last lines are doc-tests
# that have none to run): the tests', the packages' checks and the installs.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^(packages|install|server-install): [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4; checked++ }
     END { if (checked < 3) f++; printf "tests: %d passed, %d failed\n", p, f; exit (f > 0 || p == 0) }' "$log"
