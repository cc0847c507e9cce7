#!/usr/bin/env bash
# The speed figures, measured: support-status evaluation (criterion); caller
# search over 1,000,000 made-up callers and P-code issue + redeem throughput
# on real SQLite files; and for the release binary under Xvfb with
# tiny-skia: time from start to first frame, idle memory (RSS) and idle CPU
# (the agent's window alone), and in trainer mode the time from start to
# the first lesson ready and a lesson's reset.
#   packaging/bench.sh [RUNS] [CALLERS]   (start-ups to time, default 10;
#                                          callers to search, default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
need_rust
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $RUNTIME_PACKAGES $TEST_PACKAGES
runs=${1:-10}
callers=${2:-1000000}

echo "== support status per instant (criterion)"
cargo bench --locked -p mitid-core --bench support_hours -- --noplot 2>&1 | tee "${TMPDIR:-/tmp}/mitid-bench-status.txt" | grep -E "^status|time:"

cargo build --release --locked --bin mitid-assist
bin="$CARGO_TARGET_DIR/release/mitid-assist"
scratch
work=$SCRATCH

echo "== caller search over $callers callers"
"$bin" --demo --data-dir "$work/search" caller generate "$callers" 2>/dev/null
echo "database size: $(du -m "$work/search/desk.sqlite" | cut -f1) MiB"
"$bin" --demo --data-dir "$work/search" bench search --queries 5000 2>/dev/null
rm -rf "$work/search"

echo "== P-code issue + redeem"
"$bin" --demo --data-dir "$work/pcodes" bench pcodes --pairs 5000 2>/dev/null

echo "== chip read and PACE on the simulated chip"
"$bin" --demo --data-dir "$work/chip" bench chip 2>/dev/null

echo "== chip trust: passive, active and chip authentication, master list"
"$bin" --demo --data-dir "$work/chip" bench trust 2>/dev/null

echo "== a chip through pcscd and vpcd: the round trip per APDU"
# The BSI 2008 reference set over BAC with a 112-byte Le: many small APDUs,
# so the figure is the bridge's, not the chip's.
lds=../shared/testdata/lds/bsi2008
if [ -d "$lds" ] && command -v pcscd >/dev/null 2>&1; then
    pcscd --foreground >/dev/null 2>&1 &
    CLEANUP_PIDS+=($!)
    "$bin" chip sim --vpcd 127.0.0.1:35963 --lds-dir "$lds" --access bac --max-le 112 --no-extended 2>"$work/sim.log" &
    CLEANUP_PIDS+=($!)
    timeout 30 sh -c "until grep -q 'simulated chip ready' '$work/sim.log'; do sleep 0.1; done"
    # pcscd notices the card within its polling interval: read once it has.
    for _ in $(seq 50); do
        "$bin" chip read --reader "Virtual PCD 00 00" --json --doc C11T002JM --dob 960812 --expiry 131031 \
            >"$work/read.json" 2>/dev/null && break
        sleep 0.2
    done
    python3 -c 'import json, sys; t = json.load(sys.stdin)["totals"]; print("%d APDUs, %d bytes in %.1f ms: %.2f ms an APDU" % (t["apdus"], t["bytes"], t["ms"], t["ms"] / t["apdus"]))' <"$work/read.json"
else
    echo "skipped: ../shared/testdata or pcscd is absent"
fi

echo "== faces: detection, guidance, description"
fetch_face_models
"$bin" bench face "$MITID_ASSIST_FACE_PHOTOS/Male_41_7.jpg" 2>/dev/null

start_xvfb 1280x800x24

# The agent's window alone (the trainer's panel has a bench of its own).
start_app() {
    MITID_ASSIST_LOG=mitid_assist=info "$bin" --demo --no-panel --data-dir "$work/data" --config "$work/none.toml" 2>"$work/log" &
    app=$!
    CLEANUP_PIDS+=("$app")
    wait_first_frame "$work/log"
}

echo "== start to first frame, $runs runs"
times=()
for _ in $(seq "$runs"); do
    start_app
    times+=("$(grep -o 'first frame ms=[0-9.]*' "$work/log" | cut -d= -f2)")
    kill "$app"
    wait "$app" 2>/dev/null || true
done
printf '%s\n' "${times[@]}" | sort -n > "$work/times"
median=$(awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}' "$work/times")
echo "first frame ms: min $(head -n1 "$work/times") median $median max $(tail -n1 "$work/times")"

echo "== idle: RSS and CPU over 30 s, after 5 s to settle"
start_app
sleep 5
ticks() { awk '{print $14+$15}' "/proc/$app/stat"; }
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$app/status")
t0=$(ticks)
sleep 30
t1=$(ticks)
hz=$(getconf CLK_TCK)
cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" 'BEGIN {printf "%.3f", 100 * d / hz / 30}')
echo "idle RSS: $((rss_kb / 1024)) MiB ($rss_kb kB); idle CPU: $cpu % ($((t1 - t0)) ticks in 30 s)"
kill "$app"
wait "$app" 2>/dev/null || true

stats() {
    sort -n | awk '{a[NR]=$1} END {m = (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "min %s median %s max %s (%d)\n", a[1], m, a[NR], NR}'
}

echo "== trainer mode: demo start to the first lesson ready (window drawn, directory open, lesson loaded), $runs runs"
rm -rf "$work/trainer"
start_trainer() {
    MITID_ASSIST_LOG=mitid_assist=info "$bin" --demo --data-dir "$work/trainer" --config "$work/none.toml" 2>"$work/log" &
    app=$!
    CLEANUP_PIDS+=("$app")
    timeout 60 sh -c "until grep -q 'first lesson ready' '$work/log'; do sleep 0.05; done"
}
: >"$work/ready"
for _ in $(seq "$runs"); do
    start_trainer
    grep 'first lesson ready' "$work/log" | grep -o 'ms=[0-9.]*' | cut -d= -f2 >>"$work/ready"
    kill "$app"
    wait "$app" 2>/dev/null || true
done
echo "first lesson ready ms (the first run on a fresh data folder): first $(head -n1 "$work/ready"); $(stats <"$work/ready")"

echo "== trainer mode: a lesson reset (F5 on the panel), 20 times"
start_trainer
panel=$(timeout 30 xdotool search --sync --onlyvisible --name "^Trainer's panel" | head -n1)
xdotool windowfocus --sync "$panel"
for n in $(seq 20); do
    xdotool key F5
    timeout 30 sh -c "until [ \$(grep -c 'lesson reset drawn' '$work/log') -ge $n ]; do sleep 0.01; done"
done
echo "lesson reset, until the window asks to draw it, ms: $(grep 'lesson reset drawn' "$work/log" | grep -o 'ms=[0-9.]*' | cut -d= -f2 | stats)"
echo "of which the reset itself, ms: $(grep 'lesson started' "$work/log" | tail -n 20 | grep -o 'ms=[0-9.]*' | cut -d= -f2 | stats)"
