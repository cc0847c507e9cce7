#!/usr/bin/env bash
# Installs the desk's .deb into a clean Debian bookworm root (mmdebstrap,
# from Debian's archive): apt-get pulls its dependencies; the installed
# `mitid-assist --version` runs, and its demo window opens on an Xvfb
# display; purging leaves none of its files behind. Prints one line per
# check and `install: N passed, N failed`.
#
#   bash packaging/install-test.sh DESK.deb
set -euo pipefail
cd "$(dirname "$0")/.."
source packaging/lib.sh
deb=$(realpath "${1:?usage: install-test.sh DESK.deb}")
apt_install mmdebstrap xvfb xdotool x11-utils

mirror=$(debian_mirror)
scratch
work=$SCRATCH
start_xvfb 1280x800x24
display=$DISPLAY

# The checks run inside the root's set-up, as its last hooks; each writes
# its verdict to the report.
cat >"$work/checks.sh" <<'SH'
#!/bin/sh
# $1: the root; $2: the display; $3: the report.
root=$1 display=$2 report=$3
say() { echo "$1" >>"$report"; }
if chroot "$root" mitid-assist --version >>"$report.log" 2>&1; then say "ok   mitid-assist --version"; else say "FAIL mitid-assist --version"; fi
if chroot "$root" test -f /usr/share/mitid-assist/models/face_recognition_sface_2021dec.onnx; then
    say "ok   the face models are installed"
else
    say "FAIL the face models are installed"
fi
mkdir -p "$root/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
chroot "$root" env DISPLAY="$display" HOME=/root XDG_RUNTIME_DIR=/tmp LIBGL_ALWAYS_SOFTWARE=1 \
    mitid-assist --demo --no-panel >>"$report.log" 2>&1 &
app=$!
window=$(DISPLAY="$display" timeout 60 xdotool search --sync --onlyvisible --name "MitID Assist" 2>/dev/null | head -n1)
if [ -n "$window" ]; then
    say "ok   the installed app's demo window opens"
else
    say "FAIL the installed app's demo window opens"
fi
# The menu entry finds its window by the class the window sets.
wanted=$(sed -n 's/^StartupWMClass=//p' "$root/usr/share/applications/dk.mitid_assist.MitidAssist.desktop")
if [ -n "$window" ] && [ -n "$wanted" ] && DISPLAY="$display" xprop -id "$window" WM_CLASS | grep -q "\"$wanted\""; then
    say "ok   the window's class is the menu entry's StartupWMClass ($wanted)"
else
    say "FAIL the window's class is the menu entry's StartupWMClass ($wanted)"
fi
kill "$app" 2>/dev/null
wait "$app" 2>/dev/null
umount "$root/tmp/.X11-unix"
chroot "$root" dpkg -L mitid-assist | while read -r f; do [ -f "$root$f" ] && echo "$f"; done >"$report.files"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q mitid-assist >>"$report.log" 2>&1
left=$(while read -r f; do [ -e "$root$f" ] && echo "$f"; done <"$report.files")
if [ -s "$report.files" ] && [ -z "$left" ]; then
    say "ok   purge leaves none of its $(wc -l <"$report.files") files"
else
    say "FAIL purge leaves none of its files: $left"
fi
SH
started=$(date +%s%N)
mmdebstrap --mode=root --variant=apt --quiet bookworm "$work/root.tar" "$mirror" \
    --customize-hook="copy-in $deb /tmp" \
    --customize-hook="chroot \"\$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/$(basename "$deb") >$work/report.log 2>&1" \
    --customize-hook="sh $work/checks.sh \"\$1\" $display $work/report" >"$work/mmdebstrap.log" 2>&1 ||
    { echo "FAIL the clean root could not be made or the package installed:"; tail -n 30 "$work/mmdebstrap.log" "$work/report.log" 2>/dev/null; exit 1; }
echo "clean-root install test in $((($(date +%s%N) - started) / 1000000)) ms"
report_tally install "$work/report" "$work/report.log"
