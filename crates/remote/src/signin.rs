//! Signing in at the organisation's OpenID provider as a native app does
//! (RFC 8252): authorization code with PKCE in the system browser, the
//! answer to a one-time listener on this machine's loopback; the refresh
//! token kept in the OS keyring, access tokens refreshed silently.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mitid_core::api::SignIn;
use mitid_core::keys::{self, KeyStoreKind};
use reqwest::blocking::Client;
use serde::Deserialize;

use crate::TokenSource;

/// Why signing in did not work, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The service does not ask staff to sign in.
    #[error("this service does not ask staff to sign in")]
    NotRequired,
    /// The provider or the service could not be asked.
    #[error("the identity provider cannot be reached: {0}")]
    Provider(String),
    /// The provider said no (a wrong or withdrawn sign-in).
    #[error("the identity provider refused: {0}")]
    Refused(String),
    /// Nobody came back from the browser in time.
    #[error("no sign-in came back from the browser within {0} s: try again")]
    Timeout(u64),
    /// The answer to the listener was not this sign-in's.
    #[error("the browser's answer does not belong to this sign-in: {0}")]
    Mismatch(String),
    /// Nobody is signed in on this desk.
    #[error("nobody is signed in on this desk: run `mitid-assist login`")]
    NotSignedIn,
    /// The keyring.
    #[error("the sign-in cannot be kept: {0}")]
    Keyring(String),
}

#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    revocation_endpoint: Option<String>,
}

/// What the provider hands out.
#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    /// For the service.
    pub access_token: String,
    /// For the next access token.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Seconds the access token lasts.
    #[serde(default)]
    pub expires_in: Option<u64>,
}

/// The organisation's provider, as the service names it.
#[derive(Debug, Clone)]
pub struct Provider {
    http: Client,
    discovery: Discovery,
    client_id: String,
    resource: Option<String>,
}

fn random(bytes: usize) -> Result<String, SignInError> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|e| SignInError::Provider(format!("no random numbers: {e}")))?;
    Ok(base64url(&buffer))
}

/// Base64url without padding (RFC 4648 §5), as PKCE writes its values.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The PKCE challenge of `verifier` (S256, RFC 7636).
pub fn pkce_challenge(verifier: &str) -> String {
    use sha2::Digest as _;
    base64url(&sha2::Sha256::digest(verifier.as_bytes()))
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

impl Provider {
    /// The provider the service names, asked for its endpoints.
    pub fn discover(http: Client, sign_in: &SignIn) -> Result<Self, SignInError> {
        let (Some(issuer), Some(client_id)) = (&sign_in.issuer, &sign_in.client_id) else {
            return Err(SignInError::NotRequired);
        };
        let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
        let discovery: Discovery = http
            .get(&url)
            .send()
            .and_then(reqwest::blocking::Response::error_for_status)
            .and_then(reqwest::blocking::Response::json)
            .map_err(|e| SignInError::Provider(e.to_string()))?;
        Ok(Self { http, discovery, client_id: client_id.clone(), resource: sign_in.resource.clone() })
    }

    /// Starts a sign-in: a listener on a free loopback port, and the
    /// address for the browser.
    pub fn begin(&self) -> Result<Pending, SignInError> {
        let listener =
            TcpListener::bind("127.0.0.1:0").map_err(|e| SignInError::Provider(format!("no loopback port: {e}")))?;
        let port = listener.local_addr().map_err(|e| SignInError::Provider(e.to_string()))?.port();
        let redirect = format!("http://127.0.0.1:{port}/callback");
        let (verifier, state) = (random(32)?, random(16)?);
        let challenge = pkce_challenge(&verifier);
        let mut url = url::Url::parse(&self.discovery.authorization_endpoint)
            .map_err(|e| SignInError::Provider(format!("its authorization address: {e}")))?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", &redirect)
                .append_pair("response_type", "code")
                .append_pair("scope", "openid offline_access profile groups")
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256")
                .append_pair("state", &state)
                .append_pair("prompt", "consent");
            if let Some(resource) = &self.resource {
                query.append_pair("resource", resource);
            }
        }
        Ok(Pending { url: url.to_string(), listener, verifier, state, redirect })
    }

    fn token(&self, pairs: &[(&str, &str)]) -> Result<Tokens, SignInError> {
        let mut pairs = pairs.to_vec();
        pairs.push(("client_id", &self.client_id));
        if let Some(resource) = &self.resource {
            pairs.push(("resource", resource));
        }
        let response = self
            .http
            .post(&self.discovery.token_endpoint)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(&pairs))
            .send()
            .map_err(|e| SignInError::Provider(e.to_string()))?;
        if !response.status().is_success() {
            let said: serde_json::Value = response.json().unwrap_or_default();
            let why = said["error_description"].as_str().or(said["error"].as_str()).unwrap_or("no reason given");
            return Err(SignInError::Refused(why.to_owned()));
        }
        response.json().map_err(|e| SignInError::Provider(format!("its answer cannot be read: {e}")))
    }

    /// A new access token for a refresh token.
    pub fn refresh(&self, refresh_token: &str) -> Result<Tokens, SignInError> {
        self.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)])
    }

    /// Withdraws a refresh token at the provider (signing out).
    pub fn revoke(&self, refresh_token: &str) -> Result<(), SignInError> {
        let Some(endpoint) = &self.discovery.revocation_endpoint else { return Ok(()) };
        let body =
            form(&[("token", refresh_token), ("token_type_hint", "refresh_token"), ("client_id", &self.client_id)]);
        self.http
            .post(endpoint)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .map_err(|e| SignInError::Provider(e.to_string()))?;
        Ok(())
    }
}

/// A sign-in waiting for the browser.
#[derive(Debug)]
pub struct Pending {
    /// Where the browser goes.
    pub url: String,
    listener: TcpListener,
    verifier: String,
    state: String,
    redirect: String,
}

/// The page the browser shows when it comes back.
const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>mitid-assist</title>\
    <p>Signed in to mitid-assist. You can close this tab and return to the app.</p>\
    <p lang=da>Du er logget ind i mitid-assist. Du kan lukke fanen og vende tilbage til programmet.</p>";

impl Pending {
    /// Waits (at most `timeout`) for the browser to come back with a code,
    /// and exchanges it for tokens.
    pub fn finish(self, provider: &Provider, timeout: Duration) -> Result<Tokens, SignInError> {
        let deadline = Instant::now() + timeout;
        self.listener.set_nonblocking(true).map_err(|e| SignInError::Provider(e.to_string()))?;
        let code = loop {
            match self.listener.accept() {
                Ok((mut stream, _)) => {
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                        match stream.read(&mut byte) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&byte[..n]),
                        }
                    }
                    let line = String::from_utf8_lossy(&head).lines().next().unwrap_or_default().to_owned();
                    let target = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
                    let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else { continue };
                    if url.path() != "/callback" {
                        let _ = stream
                            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                        continue;
                    }
                    let get = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
                    let page = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{DONE_PAGE}",
                        DONE_PAGE.len()
                    );
                    let _ = stream.write_all(page.as_bytes());
                    if get("state").as_deref() != Some(self.state.as_str()) {
                        return Err(SignInError::Mismatch("its state is another sign-in's".into()));
                    }
                    if let Some(error) = get("error") {
                        return Err(SignInError::Refused(get("error_description").unwrap_or(error)));
                    }
                    break get("code").ok_or_else(|| SignInError::Mismatch("it carries no code".into()))?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(SignInError::Timeout(timeout.as_secs()));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(SignInError::Provider(e.to_string())),
            }
        };
        provider.token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &self.redirect),
            ("code_verifier", &self.verifier),
        ])
    }
}

/// The keyring entry of a desk's sign-in to the service at `url`.
pub fn keyring_entry(url: &str) -> String {
    format!("mitid-assist sign-in {}", url.trim_end_matches('/'))
}

/// A desk's sign-in: the refresh token from the keyring, access tokens
/// asked for as they run out (the new refresh token kept each time).
pub struct SignedIn {
    provider: Provider,
    keyring: KeyStoreKind,
    entry: String,
    state: Mutex<(String, Option<(String, Instant)>)>,
}

impl SignedIn {
    /// The sign-in kept for the service at `url`, if any.
    pub fn load(provider: Provider, keyring: KeyStoreKind, url: &str) -> Result<Self, SignInError> {
        let entry = keyring_entry(url);
        let refresh =
            keys::read_secret(keyring, &entry).map_err(SignInError::Keyring)?.ok_or(SignInError::NotSignedIn)?;
        Ok(Self { provider, keyring, entry, state: Mutex::new((refresh, None)) })
    }

    /// Keeps what a sign-in gave, and holds it.
    pub fn keep(provider: Provider, keyring: KeyStoreKind, url: &str, tokens: Tokens) -> Result<Self, SignInError> {
        let entry = keyring_entry(url);
        let refresh = tokens.refresh_token.clone().ok_or_else(|| {
            SignInError::Refused("the provider gave no refresh token (the desk asks for offline_access)".into())
        })?;
        keys::write_secret(keyring, &entry, &refresh).map_err(SignInError::Keyring)?;
        let expires = Instant::now() + Duration::from_secs(tokens.expires_in.unwrap_or(60));
        Ok(Self { provider, keyring, entry, state: Mutex::new((refresh, Some((tokens.access_token, expires)))) })
    }

    /// An access token now: the one held while it lasts, else a new one.
    pub fn current(&self) -> Result<String, SignInError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((token, until)) = &state.1
            && Instant::now() + Duration::from_secs(20) < *until
        {
            return Ok(token.clone());
        }
        if state.0.is_empty() {
            return Err(SignInError::NotSignedIn);
        }
        let tokens = self.provider.refresh(&state.0)?;
        if let Some(refresh) = &tokens.refresh_token {
            keys::write_secret(self.keyring, &self.entry, refresh).map_err(SignInError::Keyring)?;
            state.0 = refresh.clone();
        }
        let expires = Instant::now() + Duration::from_secs(tokens.expires_in.unwrap_or(60));
        state.1 = Some((tokens.access_token.clone(), expires));
        Ok(tokens.access_token)
    }

    /// Signs out: the refresh token withdrawn at the provider and removed
    /// from the keyring.
    pub fn sign_out(self) -> Result<(), SignInError> {
        self.withdraw()
    }

    /// As [`Self::sign_out`], where others hold this sign-in too (a desk
    /// sending its tokens): it gives no token from now on.
    pub fn withdraw(&self) -> Result<(), SignInError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let revoked = self.provider.revoke(&state.0);
        state.0.clear();
        state.1 = None;
        keys::delete_secret(self.keyring, &self.entry).map_err(SignInError::Keyring)?;
        revoked
    }
}

impl TokenSource for SignedIn {
    fn access_token(&self) -> Option<String> {
        match self.current() {
            Ok(token) => Some(token),
            Err(error) => {
                tracing::warn!(%error, "no access token: the service will ask to sign in again");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_values_are_base64url_without_padding() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
        assert_eq!(base64url(b"any carnal pleas"), "YW55IGNhcm5hbCBwbGVhcw");
        // Against Python's hashlib and base64, by hand.
        assert_eq!(
            pkce_challenge("mitid-assist-verifier-0123456789abcdefghijk"),
            "myLZ8tudT7eAcKkWDKEoP7duLE6s0IwT_HUyF4Frus8"
        );
    }
}
