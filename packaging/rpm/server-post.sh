getent group mitid-assist >/dev/null || groupadd --system mitid-assist
getent passwd mitid-assist >/dev/null || useradd --system --gid mitid-assist --home-dir /nonexistent --no-create-home --shell /sbin/nologin mitid-assist
chgrp mitid-assist /etc/mitid-assist /etc/mitid-assist/server.toml
chmod 0750 /etc/mitid-assist
chmod 0640 /etc/mitid-assist/server.toml
if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || :; fi
