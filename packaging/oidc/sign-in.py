#!/usr/bin/env python3
"""Signs a test user in to the test OpenID provider as the desk does
(authorization code + PKCE, a loopback redirect), playing the browser's
part, and prints the access token: for benchmarks and trying a site by hand.

    python3 packaging/oidc/sign-in.py ISSUER USER
    python3 packaging/oidc/sign-in.py --follow URL USER

With --follow it is the browser of someone else's sign-in (the desk's
`mitid-assist login --no-browser` prints URL): it signs USER in there and
brings the answer back to that sign-in's loopback address.
"""
import base64
import hashlib
import http.cookiejar
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

follow = sys.argv[1] == "--follow"
issuer, user = (None, sys.argv[3]) if follow else (sys.argv[1].rstrip("/"), sys.argv[2])
verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
redirect = "http://127.0.0.1:47113/callback"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)


def go(url, form=None):
    data = urllib.parse.urlencode(form).encode() if form else None
    try:
        response = opener.open(url, data=data)
        return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


query = urllib.parse.urlencode({
    "client_id": "mitid-assist-desk", "redirect_uri": redirect, "response_type": "code",
    "scope": "openid offline_access profile groups", "code_challenge": challenge,
    "code_challenge_method": "S256", "prompt": "consent", "resource": "https://mitid-assist",
})
url = sys.argv[2] if follow else f"{issuer}/auth?{query}"
if follow:
    redirect = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["redirect_uri"][0]
for _ in range(10):
    status, headers, body = go(url)
    if status not in (302, 303):
        action = re.search(r'action="([^"]+)"', body).group(1)
        form = {"prompt": "login", "login": user, "password": "test"} if 'name="login"' in body else {"prompt": "consent"}
        status, headers, body = go(urllib.parse.urljoin(url, action), form)
    url = urllib.parse.urljoin(url, headers["location"])
    if url.startswith(redirect):
        break
if follow:
    # Back to the desk's listener, as the browser would go.
    print(urllib.request.urlopen(url, timeout=30).status)
    sys.exit(0)
code = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["code"][0]
status, headers, body = go(f"{issuer}/token", {
    "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
    "client_id": "mitid-assist-desk", "code_verifier": verifier, "resource": "https://mitid-assist",
})
print(json.loads(body)["access_token"])
