if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || :; fi
# An upgrade ($1 ≥ 1) restarts a running service on the new binary, as the
# .deb does.
if [ "$1" -ge 1 ] && [ -d /run/systemd/system ]; then
    systemctl try-restart mitid-assist-server.service >/dev/null 2>&1 || :
fi
