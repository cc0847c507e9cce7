#!/usr/bin/env bash
# Installs the desk's .deb into a clean Debian bookworm root (mmdebstrap,
# from Debian's archive), as an upgrade: the previous version first (the
# same package a version lower), whose desk keeps a caller; then this one
# over it, whose desk must find that caller and migrate a desk file of the
# first schema on first start. apt-get pulls the dependencies; the installed
# `mitid-assist --version` runs, and its demo window opens on an Xvfb
# display; purging leaves none of its files behind but the user's records.
# Prints one line per check and `install: N passed, N failed`.
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
version=$(dpkg-deb -f "$deb" Version)
previous=$(previous_version "$deb")
relabel_deb "$deb" "$work/previous.deb" "$previous"
previous_data "$work/first-schema"
start_xvfb 1280x800x24
display=$DISPLAY

# The upgrade, inside the root and one session keyring (the desk keeps its
# P-code key in the kernel's, as on a PC without a desktop keyring).
cat >"$work/upgrade.sh" <<'SH'
#!/bin/sh
# $1: the new package; $2: its version.
say() { echo "$1" >>/tmp/upgrade.report; }
check() { name=$1; shift; if "$@" >>/tmp/upgrade.log 2>&1; then say "ok   $name"; else say "FAIL $name"; fi; }
mkdir -p /root/.config/mitid-assist
printf '[desk]\nkey_store = "kernel"\n' >/root/.config/mitid-assist/config.toml
check "the previous version ($(dpkg-query -W -f '${Version}' mitid-assist)) keeps a caller" \
    mitid-assist caller add --name "Petersen, Mette" --phone 20123456
check "apt-get installs this version over it" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1"
check "dpkg has this version ($2)" test "$(dpkg-query -W -f '${Version}' mitid-assist)" = "$2"
check "the upgraded desk finds the previous version's caller" \
    sh -c 'mitid-assist caller search mette --json | grep -q "Mette Petersen"'
check "the upgraded desk's audit log verifies" mitid-assist audit verify
check "a desk file of the first schema migrates on first start (shevchenko finds Шевченко)" \
    sh -c 'mitid-assist --data-dir /tmp/first-schema caller search shevchenko --json | grep -q "Шевченко"'
SH

# The checks run inside the root's set-up, as its last hooks; each writes
# its verdict to the report.
cat >"$work/checks.sh" <<'SH'
#!/bin/sh
# $1: the root; $2: the display; $3: the report; $4: the new package; $5: its version.
root=$1 display=$2 report=$3
say() { echo "$1" >>"$report"; }
# A clean environment: the desk's folders are the root user's, not the caller's XDG_* ones.
chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin keyctl session - sh /tmp/upgrade.sh "$4" "$5" >>"$report.log" 2>&1
cat "$root/tmp/upgrade.report" >>"$report"
cat "$root/tmp/upgrade.log" >>"$report.log"
if chroot "$root" mitid-assist --version >>"$report.log" 2>&1; then say "ok   mitid-assist --version"; else say "FAIL mitid-assist --version"; fi
if chroot "$root" test -f /usr/share/mitid-assist/models/face_recognition_sface_2021dec.onnx; then
    say "ok   the face models are installed"
else
    say "FAIL the face models are installed"
fi
mkdir -p "$root/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DISPLAY="$display" HOME=/root XDG_RUNTIME_DIR=/tmp LIBGL_ALWAYS_SOFTWARE=1 \
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
if [ -s "$root/root/.local/share/mitid-assist/desk.sqlite" ]; then
    say "ok   the user's records stay after purge"
else
    say "FAIL the user's records stay after purge"
fi
SH
started=$(date +%s%N)
mmdebstrap --mode=root --variant=apt --quiet --include=keyutils bookworm "$work/root.tar" "$mirror" \
    --customize-hook="copy-in $deb $work/previous.deb $work/upgrade.sh $work/first-schema /tmp" \
    --customize-hook="chroot \"\$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/previous.deb >$work/report.log 2>&1" \
    --customize-hook="sh $work/checks.sh \"\$1\" $display $work/report /tmp/$(basename "$deb") $version" >"$work/mmdebstrap.log" 2>&1 ||
    { echo "FAIL the clean root could not be made or the package installed:"; tail -n 30 "$work/mmdebstrap.log" "$work/report.log" 2>/dev/null; exit 1; }
echo "clean-root install test in $((($(date +%s%N) - started) / 1000000)) ms"
report_tally install "$work/report" "$work/report.log"
