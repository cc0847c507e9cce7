#!/usr/bin/env bash
# Runs each fuzz target of the chip parsers for a while (cargo-fuzz, libFuzzer,
# without sanitizers so the stable toolchain builds it), growing the corpus
# in crates/emrtd/fuzz/corpus. A crash fails the script and leaves its input
# in crates/emrtd/fuzz/artifacts.
#   packaging/fuzz.sh [SECONDS]   (per target, default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
need_rust
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --version 0.13.2
seconds=${1:-20}
cd crates/emrtd/fuzz
# cargo-fuzz asks for nightly flags; the stable compiler accepts them here.
export RUSTC_BOOTSTRAP=1
scratch
for target in mrz lds apdu secure_messaging pace pki face camera_frame; do
    echo "== fuzz $target for ${seconds}s"
    status=0
    cargo fuzz run -s none -O "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=20000 \
        >"$SCRATCH/$target.log" 2>&1 || status=$?
    grep -E "^Done|SUMMARY|panicked" "$SCRATCH/$target.log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 30 "$SCRATCH/$target.log"
        exit "$status"
    fi
done
