#!/usr/bin/env bash
# Builds the four packages an IT department installs — the desk
# (mitid-assist) and the shared service (mitid-assist-server), each as .deb
# (cargo-deb) and .rpm (cargo-generate-rpm) — from the release build, and
# prints their paths, one a line. Reproducible: SOURCE_DATE_EPOCH is the last
# commit's time, so one commit gives byte-identical packages.
#
#   bash packaging/package.sh [--no-build] [--out DIR]
#
# --no-build packages the release binaries already built (CI builds them for
# the tests). Packages go to DIR (default $CARGO_TARGET_DIR/packages).
set -euo pipefail
cd "$(dirname "$0")/.."
source packaging/lib.sh

build=1
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --out) out=${2:?--out DIR}; shift ;;
        *) echo "usage: package.sh [--no-build] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done
out=${out:-$CARGO_TARGET_DIR/packages}

apt_install $BUILD_PACKAGES $PACKAGE_PACKAGES
# The packagers, once per machine (kept in ~/.cargo/bin).
command -v cargo-deb >/dev/null || cargo install --locked --quiet cargo-deb@3.8.0 >&2
command -v cargo-generate-rpm >/dev/null || cargo install --locked --quiet cargo-generate-rpm@0.21.0 >&2
fetch_face_models

SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH
if [ "$build" = 1 ]; then
    cargo build --locked --release -p mitid-assist --bin mitid-assist -p mitid-assist-server >&2
fi
for bin in mitid-assist mitid-assist-server; do
    [ -x "$CARGO_TARGET_DIR/release/$bin" ] || { echo "$CARGO_TARGET_DIR/release/$bin is not built" >&2; exit 1; }
done

# What the packages carry that is made, not kept: the binaries stripped, the
# face models (fetched by their checksums), the icon as PNG, the man pages
# compressed for the .rpm.
stage=packaging/build
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/models" "$stage/man" "$stage/icons/64x64" "$stage/icons/128x128"
for bin in mitid-assist mitid-assist-server; do
    strip --strip-all -o "$stage/bin/$bin" "$CARGO_TARGET_DIR/release/$bin"
done
cp "$MITID_ASSIST_MODELS"/*.onnx "$stage/models/"
(cd "$stage/models" && sha256sum --quiet -c ../../../assets/models/SHA256SUMS)
for size in 64 128; do
    rsvg-convert -w "$size" -h "$size" packaging/linux/mitid-assist.svg -o "$stage/icons/${size}x${size}/mitid-assist.png"
done
gzip -9nc packaging/linux/mitid-assist.1 >"$stage/man/mitid-assist.1.gz"
gzip -9nc packaging/linux/mitid-assist-server.8 >"$stage/man/mitid-assist-server.8.gz"
# Every file the packages take, stamped with the commit's time.
find "$stage" packaging/linux packaging/deb packaging/rpm assets/models LICENSE README.md \
    -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$out"
rm -f "$out"/mitid-assist*.deb "$out"/mitid-assist*.rpm
# The face models barely compress: the fast settings cost a few MB and save
# minutes (measured on a loaded 2-core machine: the desk's .rpm 5 min with zstd, 22 s
# with gzip; its .deb 47 s with --fast).
cargo deb --no-build --no-strip --fast -p mitid-assist --output "$out" >/dev/null
cargo deb --no-build --no-strip --fast -p mitid-assist-server --output "$out" >/dev/null
cargo generate-rpm -p . --target-dir "$CARGO_TARGET_DIR" --payload-compress gzip -o "$out" >/dev/null
cargo generate-rpm -p crates/server --target-dir "$CARGO_TARGET_DIR" --payload-compress gzip -o "$out" >/dev/null
ls -1 "$out"/mitid-assist*.deb "$out"/mitid-assist*.rpm
