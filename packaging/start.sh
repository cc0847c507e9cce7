#!/usr/bin/env bash
# Sets up what the app needs, builds it, and starts it. Arguments go to the
# app: `packaging/start.sh --demo` starts demo mode, which needs no hardware.
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
need_rust
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $RUNTIME_PACKAGES
fetch_face_models
cargo build --release --locked --bin mitid-assist
exec "$CARGO_TARGET_DIR/release/mitid-assist" "$@"
