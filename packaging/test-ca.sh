#!/usr/bin/env bash
# Makes a throw-away certificate authority and a server certificate it
# signed for 127.0.0.1 and localhost, in DIR: ca.pem (what desks trust),
# server.pem and server.key (what mitid-assist-server presents); and a
# second CA for the MitID side's client certificates, mitid-side-ca.pem
# (what the server's [mitid_side] client_ca names), with one client
# certificate it signed, mitid-side.crt and mitid-side.key (what the MitID
# side presents to redeem). For tests and for evaluating a site on one
# machine — a real site uses its own CAs. Leaves files that exist alone.
set -euo pipefail
dir=${1:?usage: test-ca.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077
if ! { [ -s mitid-side-ca.pem ] && [ -s mitid-side.crt ] && [ -s mitid-side.key ]; }; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout mitid-side-ca.key \
        -out mitid-side-ca.pem -days 3650 -subj "/CN=mitid-assist test MitID-side CA" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout mitid-side.key -out side.csr \
        -subj "/CN=MitID test side" 2>/dev/null
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > side.ext
    openssl x509 -req -in side.csr -CA mitid-side-ca.pem -CAkey mitid-side-ca.key -CAcreateserial \
        -out mitid-side.crt -days 3650 -extfile side.ext 2>/dev/null
    rm -f side.csr side.ext mitid-side-ca.srl
    chmod 644 mitid-side-ca.pem mitid-side.crt
fi
[ -s ca.pem ] && [ -s server.pem ] && [ -s server.key ] && exit 0
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
    -days 3650 -subj "/CN=mitid-assist test CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
    -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 3650 \
    -extfile server.ext 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 644 ca.pem server.pem
