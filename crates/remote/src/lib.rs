//! The desk as a client of the shared service (`mitid-assist-server`):
//! [`RemoteDesk`] is a [`DeskService`] over HTTPS, so the screens and the
//! command line work the same on a single desk's SQLite file and on a
//! site's shared records.
//!
//! The service decides everything the embedded desk decides (Support's
//! hours, the P-code rules, the audit log); the client only carries the
//! requests. When the service cannot be reached it fails closed: no local
//! P-code, no local revocation, a search that says so. The signed
//! checkpoints the service hands out are remembered in the desk's data
//! folder and the chain is held against them at every check, so a log
//! written anew on the server is caught here.

#![warn(missing_docs)]

pub mod outbox;
pub mod signin;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use mitid_core::api::{
    self, Close, Count, Created, CreatedMany, EntryHash, ErrorBody, Issued, Merge, NewCallers, NewStep, Redeem,
    Redeemed, Revoke, Session, Verified,
};
use mitid_core::audit::{AuditEntry, ChainBreak};
use mitid_core::caller::{Caller, CallerDetails, Contact};
use mitid_core::checkpoint::{self, Checkpoint};
use mitid_core::pcode::{PCode, PCodeInfo, Redemption};
use mitid_core::service::{DeskService, NewContact, TrustOrigin, TrustView};
use mitid_core::store::{AuditFilter, AuditReport, CaseStep, Hit, StoreError};
use mitid_core::support_hours::SupportHours;
use mitid_core::trust::{ImportReport, TrustStore};
use reqwest::Method;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::outbox::{Change, Item, Outbox};

/// Where a desk finds the shared service (the `[server]` table).
pub use mitid_core::config::ServerLink as ServerConfig;

/// Why the service cannot be used from this desk.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Not an `https://` address.
    #[error("«{0}» is not the address of a shared service: it must start with https://")]
    BadUrl(String),
    /// The CA file.
    #[error("the CA file {path} cannot be used: {reason}")]
    Ca {
        /// Which.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// TLS could not be set up.
    #[error("TLS cannot be set up: {0}")]
    Tls(String),
    /// The first request failed.
    #[error(transparent)]
    Service(#[from] StoreError),
}

/// The file, in the data folder, that remembers the service's last
/// checkpoint and the key it was signed with.
pub const CHECKPOINT_FILE: &str = "server-checkpoint.json";

/// The file, in the data folder, that keeps the desk's copy of the site's
/// trust store, for reading chips while the service is away.
pub const TRUST_CACHE_FILE: &str = "site-trust.json";

/// The desk's copy of the site's trust store.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TrustCache {
    /// The service's address.
    url: String,
    /// The list's ETag.
    etag: String,
    /// When the service last gave (or confirmed) it.
    fetched: Timestamp,
    /// The list.
    list: api::TrustList,
}

/// What the desk remembers of the service's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Remembered {
    /// The service's address.
    url: String,
    /// The public key its checkpoints carry (pinned at first sight).
    key: String,
    /// The newest checkpoint seen to hold.
    checkpoint: Option<Checkpoint>,
}

/// How the connection stands, for the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The last request was answered.
    Connected,
    /// The last request found no service; since when.
    Unreachable(Timestamp),
}

/// The connection and the outbox, as the status bar shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// The connection.
    pub link: Link,
    /// Changes waiting in the outbox.
    pub waiting: usize,
    /// The service's last answer asked for a sign-in (it expired, or was
    /// withdrawn): the desk says so and asks for a new one.
    pub sign_in_needed: bool,
}

/// Where the signed-in person's access token comes from (a sign-in kept
/// in the keyring, refreshed when it runs out; a test's own).
pub trait TokenSource: Send + Sync {
    /// The access token to send now, if someone is signed in.
    fn access_token(&self) -> Option<String>;
}

/// A token that does not change (tests, scripts).
pub struct FixedToken(pub String);

impl TokenSource for FixedToken {
    fn access_token(&self) -> Option<String> {
        Some(self.0.clone())
    }
}

/// The shared service, as a desk's [`DeskService`].
pub struct RemoteDesk {
    http: Client,
    /// The service's address: the site (its checkpoints and trust store
    /// are remembered by it).
    base: String,
    /// Its instances — `base` first, then the fallbacks — and which one
    /// the desk is with.
    instances: Vec<String>,
    current: AtomicUsize,
    agent: String,
    /// The desk's own id (its configured agent id), sent with every
    /// request: where staff sign in, the service records it beside them.
    desk_id: String,
    hours: SupportHours,
    session: Session,
    /// The service's clock as last seen, and when.
    clock: Mutex<(Timestamp, Instant)>,
    status: Arc<Mutex<Status>>,
    /// The site's trust store as last fetched (read from its file once).
    trust: Mutex<Option<TrustCache>>,
    outbox: Mutex<Outbox>,
    dir: PathBuf,
    /// The signed-in person's token, on a service where staff sign in.
    token: Option<Arc<dyn TokenSource>>,
}

impl std::fmt::Debug for RemoteDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteDesk").field("base", &self.base).field("agent", &self.agent).finish_non_exhaustive()
    }
}

fn tls(ca: Option<&Path>) -> Result<rustls::ClientConfig, ConnectError> {
    let mut roots = rustls::RootCertStore::empty();
    match ca {
        Some(path) => {
            let bad = |reason: String| ConnectError::Ca { path: path.to_owned(), reason };
            let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
            let certs = rustls_pemfile::certs(&mut pem.as_slice())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(format!("not PEM: {e}")))?;
            if certs.is_empty() {
                return Err(bad("it holds no certificate".into()));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| bad(e.to_string()))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| ConnectError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// A client for the service at `config` (and its identity provider): its
/// CA, timeouts, user agent.
pub fn http_client(config: &ServerConfig) -> Result<Client, ConnectError> {
    Client::builder()
        .tls_backend_preconfigured(tls(config.ca.as_deref())?)
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(15))
        .pool_idle_timeout(Duration::from_secs(50))
        .user_agent(concat!("mitid-assist/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ConnectError::Tls(e.to_string()))
}

/// The service's address, checked: `https://` and a host.
fn service_url(config: &ServerConfig) -> Result<&str, ConnectError> {
    checked_url(&config.url)
}

fn checked_url(address: &str) -> Result<&str, ConnectError> {
    let url = address.trim().trim_end_matches('/');
    let parsed = url::Url::parse(url).map_err(|_| ConnectError::BadUrl(address.to_owned()))?;
    if parsed.scheme() != "https" || parsed.host().is_none() {
        return Err(ConnectError::BadUrl(address.to_owned()));
    }
    Ok(url)
}

/// How staff sign in to the service at `config` (asked of it; no sign-in
/// needed to ask).
pub fn sign_in_info(config: &ServerConfig) -> Result<api::SignIn, ConnectError> {
    let url = service_url(config)?;
    let response = http_client(config)?
        .get(format!("{url}/v1/sign-in"))
        .send()
        .map_err(|e| StoreError::Unreachable(e.to_string()))?;
    if !response.status().is_success() {
        return Err(StoreError::Refused(format!("HTTP {}", response.status())).into());
    }
    response.json().map_err(|e| StoreError::Refused(format!("the service's answer cannot be read: {e}")).into())
}

impl RemoteDesk {
    /// Connects to the service at `config`, as `agent`, remembering its
    /// checkpoints in `data_dir`.
    pub fn connect(config: &ServerConfig, agent: &str, data_dir: &Path) -> Result<Self, ConnectError> {
        Self::connect_signed_in(config, agent, data_dir, None)
    }

    /// As [`Self::connect`], every request carrying the access token of
    /// `token` (a service with staff sign-in records the signed-in person,
    /// not `agent`).
    pub fn connect_signed_in(
        config: &ServerConfig,
        agent: &str,
        data_dir: &Path,
        token: Option<Arc<dyn TokenSource>>,
    ) -> Result<Self, ConnectError> {
        let url = service_url(config)?;
        let mut instances = vec![url.to_owned()];
        for other in &config.fallback_urls {
            instances.push(checked_url(other)?.to_owned());
        }
        let http = http_client(config)?;
        let outbox = Outbox::open(data_dir);
        let status =
            Arc::new(Mutex::new(Status { link: Link::Connected, waiting: outbox.len(), sign_in_needed: false }));
        let mut desk = Self {
            http,
            base: url.to_owned(),
            instances,
            current: AtomicUsize::new(0),
            agent: agent.to_owned(),
            desk_id: agent.to_owned(),
            hours: SupportHours::default(),
            session: Session {
                agent: agent.to_owned(),
                now: Timestamp::now(),
                hours: Default::default(),
                checkpoint_key: String::new(),
                key_fingerprint: String::new(),
                version: String::new(),
                name: None,
                roles: Vec::new(),
            },
            clock: Mutex::new((Timestamp::now(), Instant::now())),
            status,
            trust: Mutex::new(None),
            outbox: Mutex::new(outbox),
            dir: data_dir.to_owned(),
            token,
        };
        let session: Session = desk.call(Method::GET, "/v1/session", None::<&()>)?;
        desk.hours = SupportHours::new(session.hours.clone())
            .map_err(|e| StoreError::Refused(format!("the service's support hours cannot be used: {e}")))?;
        desk.agent = session.agent.clone();
        desk.session = session;
        Ok(desk)
    }

    /// What the service said when the desk connected.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Sets the service's clock — a training or test service only (any
    /// other refuses).
    pub fn set_service_clock(&self, at: Timestamp) -> Result<(), StoreError> {
        self.call_empty(Method::PUT, "/v1/clock", Some(&api::SetClock { now: at, speed: None }))
    }

    /// How the connection and the outbox stand (shared, for the status bar).
    pub fn status(&self) -> Arc<Mutex<Status>> {
        self.status.clone()
    }

    fn set_link(&self, link: Link) {
        let mut current = self.status.lock().unwrap_or_else(|p| p.into_inner());
        match (current.link, link) {
            (Link::Unreachable(_), Link::Unreachable(_)) => {}
            _ => current.link = link,
        }
    }

    fn outbox(&self) -> std::sync::MutexGuard<'_, Outbox> {
        self.outbox.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Saves the outbox and shows how many changes wait.
    fn outbox_changed(&self, outbox: &Outbox) {
        if let Err(e) = outbox.save() {
            tracing::error!(error = %e, "the outbox could not be written");
        }
        self.status.lock().unwrap_or_else(|p| p.into_inner()).waiting = outbox.len();
    }

    /// Sends what waits in the outbox, in order, each with its own key;
    /// stops at the first that finds no service. A change the service
    /// refuses (its caller was deleted meanwhile, say) is set aside in the
    /// log's words, not retried for ever.
    pub fn deliver(&self) {
        let mut outbox = self.outbox();
        while let Some(item) = outbox.items.first().cloned() {
            let sent = match &item.change {
                Change::Contact { caller_id, contact } => self
                    .call_once::<Created>(&format!("/v1/callers/{caller_id}/contacts"), &item.key, contact)
                    .map(drop),
                Change::OpenCase { local } => self.call_once::<Created>("/v1/cases", &item.key, &()).map(|created| {
                    outbox.delivered.insert(*local, created.id);
                }),
                Change::Step { case, step } => {
                    let case = outbox.case_id(*case);
                    self.call_once::<Created>(&format!("/v1/cases/{case}/steps"), &item.key, step).map(drop)
                }
                Change::Close { case, outcome } => {
                    let case = outbox.case_id(*case);
                    let body = Close { outcome: outcome.clone() };
                    self.call_once::<Created>(&format!("/v1/cases/{case}/close"), &item.key, &body).map(drop)
                }
            };
            match sent {
                Err(StoreError::Unreachable(_)) => break,
                Err(e) => tracing::error!(error = %e, "a waiting change was refused by the service and set aside"),
                Ok(()) => tracing::info!("a waiting change was delivered"),
            }
            outbox.items.remove(0);
            self.outbox_changed(&outbox);
        }
    }

    /// Sends `change` now — after whatever waits, so the order holds — or,
    /// when the service cannot be reached, keeps it in the outbox. Returns
    /// the service's answer when it was sent now.
    fn send_or_wait(&self, change: Change) -> Result<Option<Created>, StoreError> {
        self.deliver();
        let mut outbox = self.outbox();
        let item = Item { key: new_key(), change };
        if outbox.is_empty() {
            let sent = match &item.change {
                Change::Contact { caller_id, contact } => {
                    self.call_once::<Created>(&format!("/v1/callers/{caller_id}/contacts"), &item.key, contact)
                }
                Change::OpenCase { .. } => self.call_once::<Created>("/v1/cases", &item.key, &()),
                Change::Step { case, step } => {
                    self.call_once::<Created>(&format!("/v1/cases/{}/steps", outbox.case_id(*case)), &item.key, step)
                }
                Change::Close { case, outcome } => self.call_once::<Created>(
                    &format!("/v1/cases/{}/close", outbox.case_id(*case)),
                    &item.key,
                    &Close { outcome: outcome.clone() },
                ),
            };
            match sent {
                Err(StoreError::Unreachable(_)) => {}
                other => return other.map(Some),
            }
        }
        outbox.items.push(item);
        self.outbox_changed(&outbox);
        Ok(None)
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let base = &self.instances[self.current.load(Ordering::Relaxed) % self.instances.len()];
        let request = self
            .http
            .request(method, format!("{base}{path}"))
            .header(api::AGENT_HEADER, &self.agent)
            .header(api::DESK_HEADER, &self.desk_id);
        match self.token.as_ref().and_then(|t| t.access_token()) {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Sends `request` and reads its answer: an error body as the store
    /// error it stands for; no answer as [`StoreError::Unreachable`].
    fn send(&self, request: RequestBuilder) -> Result<Response, StoreError> {
        let response = match self.send_to_an_instance(request) {
            Ok(response) => response,
            Err(e) => {
                self.set_link(Link::Unreachable(self.now()));
                let why = if e.is_timeout() {
                    "it did not answer in time".to_owned()
                } else if e.is_connect() {
                    "no connection could be made".to_owned()
                } else {
                    e.to_string()
                };
                return Err(StoreError::Unreachable(why));
            }
        };
        if let Some(at) = response.headers().get(api::TIME_HEADER).and_then(|v| v.to_str().ok()?.parse().ok()) {
            *self.clock.lock().unwrap_or_else(|p| p.into_inner()) = (at, Instant::now());
        }
        let status = response.status();
        self.status.lock().unwrap_or_else(|p| p.into_inner()).sign_in_needed =
            status == reqwest::StatusCode::UNAUTHORIZED;
        if status.is_success() || status == reqwest::StatusCode::NOT_MODIFIED {
            self.set_link(Link::Connected);
            return Ok(response);
        }
        let text = response.text().unwrap_or_default();
        let error = match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => body.into_store(),
            Err(_) => StoreError::Refused(format!("HTTP {status}")),
        };
        match &error {
            StoreError::Unreachable(_) => self.set_link(Link::Unreachable(self.now())),
            _ => self.set_link(Link::Connected),
        }
        Err(error)
    }

    /// Sends `request` to the instance in use, and — when no connection
    /// to it can be made, so it never got the request — to the others in
    /// turn, staying with the first that answers. A request cut off after
    /// it was sent is not sent again: the instance may have done it.
    fn send_to_an_instance(&self, request: RequestBuilder) -> reqwest::Result<Response> {
        if self.instances.len() == 1 {
            return request.send();
        }
        let request = request.build()?;
        let first = self.current.load(Ordering::Relaxed) % self.instances.len();
        let path = request.url().as_str().strip_prefix(self.instances[first].as_str()).map(str::to_owned);
        let mut error = match request.try_clone().map(|again| self.http.execute(again)) {
            Some(Ok(response)) => return Ok(response),
            Some(Err(e)) if e.is_connect() => e,
            Some(Err(e)) => return Err(e),
            // A body that cannot be sent twice: one instance only.
            None => return self.http.execute(request),
        };
        let Some(path) = path else { return Err(error) };
        for step in 1..self.instances.len() {
            let at = (first + step) % self.instances.len();
            let Some(mut again) = request.try_clone() else { break };
            match reqwest::Url::parse(&format!("{}{path}", self.instances[at])) {
                Ok(url) => *again.url_mut() = url,
                Err(_) => continue,
            }
            match self.http.execute(again) {
                Ok(response) => {
                    tracing::warn!(instance = at, "the service's instance in use cannot be reached; another answered");
                    self.current.store(at, Ordering::Relaxed);
                    return Ok(response);
                }
                Err(e) if e.is_connect() => error = e,
                Err(e) => return Err(e),
            }
        }
        Err(error)
    }

    fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, StoreError> {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = self.send(request)?;
        response.json().map_err(|e| StoreError::Refused(format!("the service's answer cannot be read: {e}")))
    }

    fn call_empty(&self, method: Method, path: &str, body: Option<&impl Serialize>) -> Result<(), StoreError> {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.send(request).map(drop)
    }

    /// A change that may be sent again: done once, by its key.
    fn call_once<T: DeserializeOwned>(&self, path: &str, key: &str, body: &impl Serialize) -> Result<T, StoreError> {
        let response = self.send(self.request(Method::POST, path).header(api::IDEMPOTENCY_HEADER, key).json(body))?;
        response.json().map_err(|e| StoreError::Refused(format!("the service's answer cannot be read: {e}")))
    }

    /// The desk's copy of the site's trust store, from memory or its file.
    fn cached_trust(&self) -> Option<TrustCache> {
        let mut cache = self.trust.lock().unwrap_or_else(|p| p.into_inner());
        if cache.is_none() {
            let bytes = std::fs::read(self.dir.join(TRUST_CACHE_FILE)).ok()?;
            *cache = serde_json::from_slice::<TrustCache>(&bytes).ok();
        }
        cache.clone().filter(|c| c.url == self.base)
    }

    fn keep_trust(&self, cache: TrustCache) {
        match serde_json::to_vec(&cache) {
            Ok(text) => {
                if let Err(e) = mitid_core::config::write_atomically(&self.dir.join(TRUST_CACHE_FILE), &text) {
                    tracing::warn!(error = %e, "the desk's copy of the trust store could not be written");
                }
            }
            Err(e) => tracing::warn!(error = %e, "the desk's copy of the trust store could not be written"),
        }
        *self.trust.lock().unwrap_or_else(|p| p.into_inner()) = Some(cache);
    }

    /// The site's trust store: asked of the service (which answers 304 when
    /// the desk's copy is current), else the desk's copy.
    fn fetch_trust(&self) -> Result<(TrustCache, bool), StoreError> {
        let cached = self.cached_trust();
        let mut request = self.request(Method::GET, api::TRUST_PATH);
        if let Some(cache) = &cached {
            request = request.header(reqwest::header::IF_NONE_MATCH, &cache.etag);
        }
        let response = match self.send(request) {
            Ok(response) => response,
            Err(StoreError::Unreachable(why)) => return cached.map(|c| (c, false)).ok_or(StoreError::Unreachable(why)),
            Err(e) => return Err(e),
        };
        let etag =
            response.headers().get(reqwest::header::ETAG).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let now = self.now();
        let (list, rewrite) = match (response.status() == reqwest::StatusCode::NOT_MODIFIED, cached) {
            // Still current: the copy on disk is written again only to say
            // when it was last confirmed, at most every few minutes (a
            // master list's copy is a megabyte, and every chip read asks).
            (true, Some(cache)) => {
                let rewrite = now.duration_since(cache.fetched) > jiff::SignedDuration::from_mins(10);
                (cache.list, rewrite)
            }
            _ => (
                response
                    .json::<api::TrustList>()
                    .map_err(|e| StoreError::Refused(format!("the service's answer cannot be read: {e}")))?,
                true,
            ),
        };
        let cache = TrustCache { url: self.base.clone(), etag, fetched: now, list };
        if rewrite {
            self.keep_trust(cache.clone());
        } else {
            *self.trust.lock().unwrap_or_else(|p| p.into_inner()) = Some(cache.clone());
        }
        Ok((cache, true))
    }

    fn remembered(&self) -> Option<Remembered> {
        let bytes = std::fs::read(self.dir.join(CHECKPOINT_FILE)).ok()?;
        Some(serde_json::from_slice(&bytes).unwrap_or(Remembered {
            url: self.base.clone(),
            key: String::new(),
            checkpoint: Some(Checkpoint {
                seq: 0,
                head: String::new(),
                at: Timestamp::UNIX_EPOCH,
                signature: String::new(),
            }),
        }))
    }

    fn remember(&self, remembered: &Remembered) {
        if let Ok(text) = serde_json::to_vec_pretty(remembered) {
            let _ = mitid_core::config::write_atomically(&self.dir.join(CHECKPOINT_FILE), &text);
        }
    }
}

/// A fresh idempotency key.
pub fn new_key() -> String {
    let mut bytes = [0u8; 16];
    let _ = getrandom::fill(&mut bytes);
    hex::encode(bytes)
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

impl DeskService for RemoteDesk {
    fn agent(&self) -> &str {
        &self.agent
    }

    fn now(&self) -> Timestamp {
        let (at, seen) = *self.clock.lock().unwrap_or_else(|p| p.into_inner());
        at + seen.elapsed()
    }

    fn hours(&self) -> &SupportHours {
        &self.hours
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        self.call(Method::GET, &format!("/v1/callers/search?q={}&limit={limit}", encode(query)), None::<&()>)
    }

    fn caller(&self, id: i64) -> Result<Option<Caller>, StoreError> {
        match self.call(Method::GET, &format!("/v1/callers/{id}"), None::<&()>) {
            Ok(caller) => Ok(Some(caller)),
            Err(StoreError::NoCaller(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn caller_count(&self) -> Result<u64, StoreError> {
        Ok(self.call::<Count>(Method::GET, "/v1/callers/count", None::<&()>)?.count)
    }

    fn add_caller(&mut self, details: CallerDetails) -> Result<i64, StoreError> {
        Ok(self.call::<Created>(Method::POST, "/v1/callers", Some(&details))?.id)
    }

    fn add_callers(&mut self, batch: Vec<CallerDetails>, action: &str) -> Result<Vec<i64>, StoreError> {
        let body = NewCallers { callers: batch, action: action.to_owned() };
        Ok(self.call::<CreatedMany>(Method::POST, "/v1/callers/batch", Some(&body))?.ids)
    }

    fn update_caller(&mut self, id: i64, details: CallerDetails) -> Result<(), StoreError> {
        self.call_empty(Method::PUT, &format!("/v1/callers/{id}"), Some(&details))
    }

    fn delete_caller(&mut self, id: i64) -> Result<(), StoreError> {
        self.call_empty(Method::DELETE, &format!("/v1/callers/{id}"), None::<&()>)
    }

    fn merge_callers(&mut self, into: i64, from: i64) -> Result<(), StoreError> {
        self.call_empty(Method::POST, &format!("/v1/callers/{into}/merge"), Some(&Merge { from }))
    }

    /// Sent now, or kept in the outbox while the service is away.
    fn log_contact(&mut self, caller_id: i64, contact: NewContact) -> Result<(), StoreError> {
        self.send_or_wait(Change::Contact { caller_id, contact }).map(drop)
    }

    fn contacts(&self, caller_id: i64) -> Result<Vec<Contact>, StoreError> {
        self.call(Method::GET, &format!("/v1/callers/{caller_id}/contacts"), None::<&()>)
    }

    fn issue_pcode(&mut self, caller_id: i64) -> Result<(PCode, PCodeInfo), StoreError> {
        let issued: Issued = self.call(Method::POST, &format!("/v1/callers/{caller_id}/pcodes"), None::<&()>)?;
        let code =
            issued.code.parse().map_err(|_| StoreError::Refused("the service sent a code that is not one".into()))?;
        Ok((code, issued.pcode))
    }

    fn redeem_pcode(&mut self, caller_id: i64, code: &PCode) -> Result<(Redemption, u8), StoreError> {
        let body = Redeem { code: code.digits().to_owned() };
        let answer: Redeemed = self.call(Method::POST, &format!("/v1/callers/{caller_id}/redemptions"), Some(&body))?;
        Ok((answer.redemption, answer.attempts_left))
    }

    fn revoke_pcode(&mut self, reference: &str, reason: &str) -> Result<PCodeInfo, StoreError> {
        let body = Revoke { reason: reason.to_owned() };
        self.call(Method::POST, &format!("/v1/pcodes/{}/revoke", encode(reference)), Some(&body))
    }

    fn pcode(&self, reference: &str) -> Result<Option<PCodeInfo>, StoreError> {
        match self.call(Method::GET, &format!("/v1/pcodes/{}", encode(reference)), None::<&()>) {
            Ok(info) => Ok(Some(info)),
            Err(StoreError::NoPCode(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn pcodes(&self, caller_id: i64) -> Result<Vec<PCodeInfo>, StoreError> {
        self.call(Method::GET, &format!("/v1/callers/{caller_id}/pcodes"), None::<&()>)
    }

    /// Opened now, or — while the service is away — under a local id
    /// (negative) whose records wait in the outbox with it.
    fn open_case(&mut self) -> Result<i64, StoreError> {
        let local = {
            let mut outbox = self.outbox();
            let local = outbox.local_case();
            self.outbox_changed(&outbox);
            local
        };
        match self.send_or_wait(Change::OpenCase { local })? {
            Some(created) => Ok(created.id),
            None => Ok(local),
        }
    }

    fn record_case_step(&mut self, id: i64, step: &str, verdict: &str, detail: &str) -> Result<(), StoreError> {
        let step = NewStep { step: step.into(), verdict: verdict.into(), detail: detail.into() };
        self.send_or_wait(Change::Step { case: id, step }).map(drop)
    }

    fn close_case(&mut self, id: i64, outcome: &str) -> Result<(), StoreError> {
        self.send_or_wait(Change::Close { case: id, outcome: outcome.into() }).map(drop)
    }

    fn case_steps(&self, id: i64) -> Result<Vec<CaseStep>, StoreError> {
        let id = self.outbox().case_id(id);
        self.call(Method::GET, &format!("/v1/cases/{id}/steps"), None::<&()>)
    }

    fn trust(&self) -> Result<TrustView, StoreError> {
        let (cache, live) = self.fetch_trust()?;
        let store = TrustStore::from_entries(cache.list.entries.into_iter().map(|item| (item.fingerprint, item.entry)));
        let origin = TrustOrigin::Site { fetched: cache.fetched, live };
        Ok(TrustView { store, origin, warnings: cache.list.warnings })
    }

    fn import_trust(&mut self, bytes: &[u8], source: &str) -> Result<ImportReport, StoreError> {
        let request = self
            .request(Method::POST, &format!("{}?source={}", api::TRUST_PATH, encode(source)))
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .timeout(Duration::from_secs(120))
            .body(bytes.to_vec());
        let response = self.send(request)?;
        response.json().map_err(|e| StoreError::Refused(format!("the service's answer cannot be read: {e}")))
    }

    fn ping(&self) -> Result<(), StoreError> {
        self.send(self.request(Method::GET, "/readyz"))?;
        self.deliver();
        Ok(())
    }

    fn class_report(&self, report: &api::DeskReport) -> Result<api::ClassOrders, StoreError> {
        self.call(Method::PUT, "/v1/class/desk", Some(report))
    }

    fn class_clock(&self, at: Timestamp, speed: Option<f64>) -> Result<(), StoreError> {
        self.call_empty(Method::PUT, "/v1/clock", Some(&api::SetClock { now: at, speed }))
    }

    fn class_view(&self) -> Result<api::ClassView, StoreError> {
        self.call(Method::GET, "/v1/class", None::<&()>)
    }

    fn class_fault(&self, desk: Option<&str>, fault: mitid_core::lesson::FaultKind) -> Result<u64, StoreError> {
        let sent = api::ClassFault { desk: desk.map(str::to_owned), fault };
        Ok(self.call::<api::Count>(Method::POST, "/v1/class/faults", Some(&sent))?.count)
    }

    fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut query = Vec::new();
        if let Some(agent) = &filter.agent {
            query.push(format!("agent={}", encode(agent)));
        }
        if let Some(desk) = &filter.desk {
            query.push(format!("desk={}", encode(desk)));
        }
        if let Some(prefix) = &filter.action_prefix {
            query.push(format!("action_prefix={}", encode(prefix)));
        }
        if let Some(from) = filter.from {
            query.push(format!("from={}", encode(&from.to_string())));
        }
        if let Some(until) = filter.until {
            query.push(format!("until={}", encode(&until.to_string())));
        }
        if let Some(limit) = filter.limit {
            query.push(format!("limit={limit}"));
        }
        self.call(Method::GET, &format!("/v1/audit?{}", query.join("&")), None::<&()>)
    }

    /// The service checks its chain; the desk then holds it against the
    /// checkpoint it remembers (signed by the key pinned at first sight)
    /// and remembers the new one.
    fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        let verified: Verified = self.call(Method::POST, "/v1/audit/verify", None::<&()>)?;
        let mut report = verified.report;
        if report.problem.is_some() {
            return Ok(report);
        }
        let pinned = self.session.checkpoint_key.clone();
        // What this desk remembers of this service (a desk moved to another
        // site starts afresh there).
        let remembered = self.remembered().filter(|r| r.url == self.base);
        if let Some(remembered) = &remembered {
            let held = remembered.checkpoint.as_ref();
            if remembered.key != pinned || held.is_some_and(|c| !checkpoint::signed_by_public(&remembered.key, c)) {
                report.problem = Some(ChainBreak::ForgedCheckpoint);
                return Ok(report);
            }
            if let Some(held) = held {
                let found: EntryHash =
                    self.call(Method::GET, &format!("/v1/audit/entries/{}/hash", held.seq), None::<&()>)?;
                if found.hash.as_deref() != Some(held.head.as_str()) {
                    report.problem = Some(ChainBreak::Rewritten { seq: held.seq });
                    return Ok(report);
                }
            }
        }
        match verified.checkpoint {
            Some(new) if !checkpoint::signed_by_public(&pinned, &new) => {
                report.problem = Some(ChainBreak::ForgedCheckpoint);
            }
            new => {
                let checkpoint = new.or_else(|| remembered.and_then(|r| r.checkpoint));
                self.remember(&Remembered { url: self.base.clone(), key: pinned, checkpoint });
            }
        }
        Ok(report)
    }
}
