#!/usr/bin/env bash
# Takes the README's screenshot of the real window: the release binary in
# demo mode under Xvfb, on a fixed simulated clock, so it is the same every
# time. Writes assets/screenshots/main.png, and the trainer's panel beside
# the trainee's window as assets/screenshots/trainer-panel.png.
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/lib.sh
need_rust
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $RUNTIME_PACKAGES $TEST_PACKAGES
cargo build --release --locked --bin mitid-assist

scratch
work=$SCRATCH
start_xvfb 1200x800x24
# Easter Sunday on the day summer time starts, 15:40 in Copenhagen.
MITID_ASSIST_LOG=mitid_assist=debug LANG=en_US.UTF-8 "$CARGO_TARGET_DIR/release/mitid-assist" \
    --demo --no-panel --clock 2027-03-28T15:40:00+02:00 --data-dir "$work/data" --config "$work/none.toml" \
    2>"$work/log" &
app=$!
CLEANUP_PIDS+=($!)
timeout 60 xdotool search --sync --onlyvisible --name '^MitID Assist' >/dev/null
wait_first_frame "$work/log"
timeout 60 sh -c "until grep -q 'caller register open' '$work/log'; do sleep 0.05; done"
window=$(xdotool search --onlyvisible --name '^MitID Assist' | head -n1)
# Find a caller as an agent would: Ctrl+F, a few letters, Enter.
xdotool windowfocus --sync "$window"
xdotool key ctrl+f
xdotool type --delay 40 "kovalenko"
timeout 30 sh -c "until grep -q 'search done' '$work/log'; do sleep 0.05; done"
xdotool key Return
timeout 30 sh -c "until grep -q 'card shown' '$work/log'; do sleep 0.05; done"
mkdir -p assets/screenshots
import -window "$window" assets/screenshots/main.png
echo "wrote assets/screenshots/main.png"
kill "$app"
wait "$app" 2>/dev/null || true

# Trainer mode: the late call, the trainee at the code dialog, then
# Support closing (H on the panel); the two windows side by side.
start_xvfb 1900x940x24
MITID_ASSIST_LOG=mitid_assist=debug LANG=en_US.UTF-8 "$CARGO_TARGET_DIR/release/mitid-assist" \
    --demo --lesson late-call --data-dir "$work/trainer" --config "$work/none.toml" 2>"$work/trainer.log" &
CLEANUP_PIDS+=($!)
timeout 60 sh -c "until grep -q 'first lesson ready' '$work/trainer.log'; do sleep 0.05; done"
main=$(timeout 60 xdotool search --sync --onlyvisible --name '^MitID Assist' | head -n1)
panel=$(timeout 60 xdotool search --sync --onlyvisible --name "^Trainer's panel" | head -n1)
xdotool windowmove --sync "$main" 0 0
xdotool windowmove --sync "$panel" 1120 0
xdotool windowfocus --sync "$main"
xdotool key ctrl+f
xdotool type --delay 40 "muller"
timeout 30 sh -c "until grep -q 'search done' '$work/trainer.log'; do sleep 0.05; done"
xdotool key Return
timeout 30 sh -c "until grep -q 'card shown' '$work/trainer.log'; do sleep 0.05; done"
xdotool windowfocus --sync "$panel"
xdotool key h
timeout 30 sh -c "until grep -q 'support status: closed' '$work/trainer.log'; do sleep 0.05; done"
sleep 0.5 # one more frame for the panel's log (no line tells it was drawn)
import -window root assets/screenshots/trainer-panel.png
echo "wrote assets/screenshots/trainer-panel.png"
