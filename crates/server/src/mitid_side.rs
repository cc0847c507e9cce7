//! The MitID side's redemption API: what the citizen's MitID app does with
//! a P-code, machine to machine. The caller is the MitID side only,
//! authenticated by its client certificate (mutual TLS, against the CA of
//! `[mitid_side] client_ca`) — never by a staff sign-in — and it may only
//! redeem. Per-client and per-holder limits answer 429 with `Retry-After`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::{Extension, Json};
use axum_server::tls::TlsInfo;
use mitid_core::api::{Completed, ErrorBody, RedemptionAnswer, RedemptionRequest};
use mitid_core::redemption::{check_attempt_id, holder_hashes};
use mitid_core::store::{StoreError, Whose};
use serde::Deserialize;

use crate::error::Failure;
use crate::http::App;

/// `[mitid_side]` in `server.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MitidSideConfig {
    /// The CA (PEM) whose certificates the MitID side's clients present.
    pub client_ca: PathBuf,
    /// Redemptions one client may send a minute (in bursts up to that).
    #[serde(default = "default_per_client")]
    pub per_client_per_minute: u32,
    /// Redemptions for one holder a minute: the citizen types a code three
    /// times at most, so a flood is an attack on the code.
    #[serde(default = "default_per_holder")]
    pub per_holder_per_minute: u32,
}

fn default_per_client() -> u32 {
    60_000
}

fn default_per_holder() -> u32 {
    10
}

/// The MitID side's settings and limits, as the server runs them.
pub struct MitidSide {
    per_client: Limiter,
    per_holder: Limiter,
}

impl MitidSide {
    /// From the settings.
    pub fn new(config: &MitidSideConfig) -> Self {
        Self {
            per_client: Limiter::new(config.per_client_per_minute),
            per_holder: Limiter::new(config.per_holder_per_minute),
        }
    }
}

/// The verifier of the MitID side's client certificates: a desk, which
/// presents none, still connects (it signs in with a token instead).
pub fn client_verifier(
    config: &MitidSideConfig,
) -> anyhow::Result<Arc<dyn rustls::server::danger::ClientCertVerifier>> {
    use anyhow::Context;
    let pem = std::fs::read(&config.client_ca)
        .with_context(|| format!("the MitID side's CA {} cannot be read", config.client_ca.display()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        let cert = cert.with_context(|| format!("{} is not a PEM certificate", config.client_ca.display()))?;
        roots.add(cert).with_context(|| format!("{} holds an unusable CA certificate", config.client_ca.display()))?;
    }
    anyhow::ensure!(!roots.is_empty(), "{} holds no certificate", config.client_ca.display());
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::new(rustls::crypto::ring::default_provider()),
    )
    .allow_unauthenticated()
    .build()
    .context("the MitID side's CA cannot verify client certificates")?;
    Ok(verifier)
}

/// A generic cell rate limit per key: `per_minute` evenly, in bursts of
/// up to `per_minute`.
struct Limiter {
    interval: Duration,
    burst: Duration,
    next: Mutex<HashMap<Vec<u8>, Instant>>,
}

impl Limiter {
    fn new(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        let interval = Duration::from_secs(60) / per_minute;
        Self { interval, burst: interval * per_minute, next: Mutex::new(HashMap::new()) }
    }

    /// Whether `key` may go now; the seconds to wait when not.
    fn admit(&self, key: &[u8], now: Instant) -> Result<(), u64> {
        let mut next = self.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let due = next.get(key).copied().unwrap_or(now).max(now);
        let after = due + self.interval;
        if after > now + self.burst {
            let wait = after - (now + self.burst);
            return Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        }
        next.insert(key.to_vec(), after);
        if next.len() > 100_000 {
            next.retain(|_, t| *t > now);
        }
        Ok(())
    }
}

/// The MitID side's client, by its certificate's subject.
#[derive(Debug, Clone)]
pub struct Client(pub String);

/// Admits only the MitID side: a verified client certificate (a staff
/// token is refused in words), within its limit.
pub async fn admit(State(app): State<Arc<App>>, mut request: Request, next: Next) -> Result<Response, Failure> {
    let Some(side) = app.mitid_side.as_ref() else {
        return Err(Failure::Forbidden(
            "this service takes no redemptions: the [mitid_side] settings of its server.toml are not made".into(),
        ));
    };
    let certificate = request.extensions().get::<Arc<TlsInfo>>().and_then(|tls| tls.peer_certificates.first().cloned());
    let Some(der) = certificate else {
        if request.headers().contains_key(axum::http::header::AUTHORIZATION) {
            return Err(Failure::Forbidden(
                "only the MitID side redeems codes, with its client certificate; a staff sign-in cannot".into(),
            ));
        }
        return Err(Failure::NoClientCertificate(
            "redeeming needs the MitID side's client certificate (mutual TLS); none was presented",
        ));
    };
    // rustls verified the chain; the subject names the client.
    let name = mitid_emrtd::pki::x509::Certificate::parse(&der)
        .ok()
        .and_then(|c| c.subject.get("CN").map(str::to_owned))
        .unwrap_or_else(|| hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(&der)[..8]));
    let client = format!("mitid-side:{name}");
    side.per_client.admit(client.as_bytes(), Instant::now()).map_err(|s| Failure::TooMany("from this client", s))?;
    request.extensions_mut().insert(Client(client));
    Ok(next.run(request).await)
}

/// An entry of a code in the citizen's MitID app.
#[utoipa::path(post, path = "/v1/redemptions", tag = "mitid-side",
    description = "What the citizen's MitID app does with a P-code, for the MitID side only (mutual TLS with its client \
        certificate; a staff sign-in is refused). The code is the one issued to the caller whose recorded identity \
        matches the holder: the document the agent recorded (issuing state and number), else names, date of birth and \
        nationality, folded and transliterated as a machine-readable zone writes them (MUELLER = Müller, OESTERGAARD = \
        Østergaard).\n\nA code has three uses and is valid 60 days. Every entry spends one: the right code is `accepted` \
        (report the enrollment's completion at `/v1/redemptions/{id}/completed`, which voids the code), a wrong one \
        counts against the holder's active code and the third locks it (`locked`). So the same P-code can be entered \
        three times, and is void after one completed enrollment.\n\nThe same `attempt_id` sent again gets the first \
        answer and counts nothing: retry with it. Identity data sent is used for the match and kept only as keyed hashes.",
    request_body = RedemptionRequest,
    responses((status = 200, body = RedemptionAnswer),
        (status = 400, description = "A malformed code, holder or attempt id", body = ErrorBody),
        (status = 401, description = "No client certificate", body = ErrorBody),
        (status = 403, description = "A staff sign-in instead of the MitID side's certificate", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 429, description = "Too many from this client or for this holder: see Retry-After", body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn redeem(
    State(app): State<Arc<App>>,
    Extension(client): Extension<Client>,
    body: Result<Json<RedemptionRequest>, JsonRejection>,
) -> Result<Json<RedemptionAnswer>, Failure> {
    let Json(request) = body.map_err(crate::http::bad_json)?;
    check_attempt_id(&request.attempt_id).map_err(StoreError::from)?;
    request.holder.check().map_err(StoreError::from)?;
    let code = crate::http::parse_code(&request.code)?;
    let hashes = holder_hashes(app.records.code_key(), &request.holder);
    if let Some(side) = app.mitid_side.as_ref() {
        side.per_holder.admit(&hashes.document, Instant::now()).map_err(|s| Failure::TooMany("for this holder", s))?;
    }
    let answer = app.records.redeem(Whose::Holder(&hashes), &code, &client.0, &request.attempt_id).await?;
    Ok(Json(answer))
}

/// The enrollment an accepted entry began has completed.
#[utoipa::path(post, path = "/v1/redemptions/{id}/completed", tag = "mitid-side",
    description = "The MitID side reports that the enrollment an accepted entry began has completed: the code is void \
        from now on. Reported again, the answer is the first report's.",
    params(("id" = i64, Path, description = "The accepted entry's `redemption_id`")),
    responses((status = 200, body = Completed),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "No such redemption of this client", body = ErrorBody),
        (status = 409, description = "The entry was not accepted", body = ErrorBody),
        (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn complete(
    State(app): State<Arc<App>>,
    Extension(client): Extension<Client>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Completed>, Failure> {
    let Path(id) = id.map_err(crate::http::bad_path)?;
    Ok(Json(app.records.complete_redemption(id, &client.0).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_lets_a_burst_through_then_one_at_its_pace() {
        let limit = Limiter::new(10);
        let start = Instant::now();
        for _ in 0..10 {
            assert!(limit.admit(b"holder", start).is_ok());
        }
        assert_eq!(limit.admit(b"holder", start), Err(6), "one every 6 s after the burst");
        assert!(limit.admit(b"another", start).is_ok(), "each key its own");
        assert!(limit.admit(b"holder", start + Duration::from_secs(6)).is_ok());
        assert!(limit.admit(b"holder", start + Duration::from_secs(6)).is_err());
    }
}
