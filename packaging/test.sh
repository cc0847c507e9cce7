#!/usr/bin/env bash
# Sets up what the tests need and runs all of them: formatting, lints, unit
# and UI tests (iced_test on tiny-skia), the CLI through the binary, and the
# end-to-end tests of the release binary under Xvfb. Fails when any fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
need_rust
# shellcheck disable=SC2086
apt_install $RUNTIME_PACKAGES $TEST_PACKAGES
rustup component add rustfmt clippy >/dev/null 2>&1 || true

export ICED_TEST_BACKEND=tiny-skia
# The tests' windows must never land on the desktop of whoever runs them.
unset WAYLAND_DISPLAY

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --all-targets -- -D warnings
echo "== cargo test (release: the end-to-end tests drive the release binary)"
cargo test --locked --release --workspace
