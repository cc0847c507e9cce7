//! Staff identity: the organisation's OpenID provider signs access tokens
//! (JWTs); the service checks each itself — issuer, audience, expiry, the
//! signature against the provider's published keys (fetched again when a
//! token names a key not seen yet) — and maps the provider's groups to
//! roles through its configuration.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mitid_core::roles::Role;
use serde::Deserialize;
use tokio::sync::RwLock;

/// `[identity]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// The provider's issuer URL, exactly as its tokens name it.
    pub issuer: String,
    /// The audience the service's tokens are for.
    pub audience: String,
    /// The provider's group names, each to a role.
    #[serde(default)]
    pub groups: BTreeMap<String, String>,
    /// How far the provider's clock and this one may differ (seconds).
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
    /// The desks' client id at the provider (told to desks by
    /// `GET /v1/sign-in`).
    #[serde(default = "default_desk_client")]
    pub desk_client_id: String,
    /// The resource desks ask their tokens for (RFC 8707), if the provider
    /// wants one.
    #[serde(default)]
    pub resource: Option<String>,
}

fn default_desk_client() -> String {
    "mitid-assist-desk".into()
}

fn default_leeway() -> u64 {
    30
}

/// Who is calling, as the token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The provider's subject.
    pub subject: String,
    /// The name the provider gives.
    pub name: Option<String>,
    /// The roles their groups map to.
    pub roles: Vec<Role>,
}

/// Why a token is not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No bearer token.
    #[error("sign in first: this service needs a bearer token from the organisation's identity provider")]
    Missing,
    /// Expired.
    #[error("the sign-in has expired: sign in again")]
    Expired,
    /// Anything else wrong with it.
    #[error("the token is not accepted: {0}")]
    Invalid(String),
    /// The provider's keys cannot be had.
    #[error("the identity provider's keys cannot be fetched: {0}")]
    Provider(String),
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

struct Keys {
    by_id: HashMap<String, (DecodingKey, Algorithm)>,
    fetched: Option<Instant>,
    /// When a token's unknown key id last made the keys be fetched again.
    missed: Option<Instant>,
}

impl Identity {
    /// What desks are told of signing in.
    pub fn config(&self) -> &IdentityConfig {
        &self.config
    }
}

/// The checker of tokens.
pub struct Identity {
    config: IdentityConfig,
    groups: BTreeMap<String, Role>,
    http: reqwest::Client,
    keys: RwLock<Keys>,
}

/// How soon the keys are fetched again for an unknown key id.
const REFETCH_AFTER: Duration = Duration::from_secs(10);

/// The signature algorithms taken (never `none`, never a shared secret).
const ALGORITHMS: [Algorithm; 6] =
    [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512, Algorithm::PS256, Algorithm::ES256, Algorithm::ES384];

impl Identity {
    /// The checker for `config`; a group mapped to no known role is an
    /// error in the configuration.
    pub fn new(config: IdentityConfig) -> anyhow::Result<Arc<Self>> {
        let mut groups = BTreeMap::new();
        for (group, role) in &config.groups {
            let role = Role::parse(role).ok_or_else(|| {
                let known: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
                anyhow::anyhow!("[identity.groups] {group} = \"{role}\": not a role (one of {})", known.join(", "))
            })?;
            groups.insert(group.clone(), role);
        }
        let url = url::Url::parse(&config.issuer).map_err(|e| anyhow::anyhow!("[identity] issuer: {e}"))?;
        let loopback = url.host_str().is_some_and(|h| h == "127.0.0.1" || h == "localhost" || h == "[::1]");
        anyhow::ensure!(
            url.scheme() == "https" || (url.scheme() == "http" && loopback),
            "[identity] issuer must be https:// (http only on this machine's loopback, for tests)"
        );
        let http = crate::trust::outgoing_client(None, Duration::from_secs(10))?;
        Ok(Arc::new(Self {
            config,
            groups,
            http,
            keys: RwLock::new(Keys { by_id: HashMap::new(), fetched: None, missed: None }),
        }))
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, TokenError> {
        let provider = |e: reqwest::Error| TokenError::Provider(e.to_string());
        let bytes = self
            .http
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(provider)?
            .bytes()
            .await
            .map_err(provider)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| TokenError::Provider(format!("{url} answered no JSON it can read: {e}")))
    }

    async fn fetch_keys(&self) -> Result<(), TokenError> {
        let issuer = self.config.issuer.trim_end_matches('/');
        let discovery: Discovery = self.get_json(&format!("{issuer}/.well-known/openid-configuration")).await?;
        if discovery.issuer.trim_end_matches('/') != issuer {
            return Err(TokenError::Provider(format!("the provider calls itself {}", discovery.issuer)));
        }
        let set: JwkSet = self.get_json(&discovery.jwks_uri).await?;
        let mut by_id = HashMap::new();
        for jwk in &set.keys {
            let (Some(kid), Ok(key)) = (jwk.common.key_id.clone(), DecodingKey::from_jwk(jwk)) else { continue };
            let algorithm = match &jwk.algorithm {
                jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
                    jsonwebtoken::jwk::EllipticCurve::P256 => Algorithm::ES256,
                    jsonwebtoken::jwk::EllipticCurve::P384 => Algorithm::ES384,
                    _ => continue,
                },
                jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
                _ => continue,
            };
            by_id.insert(kid, (key, algorithm));
        }
        let mut keys = self.keys.write().await;
        keys.by_id = by_id;
        keys.fetched = Some(Instant::now());
        Ok(())
    }

    async fn key(&self, kid: &str) -> Result<Option<(DecodingKey, Algorithm)>, TokenError> {
        let first = {
            let keys = self.keys.read().await;
            if let Some(found) = keys.by_id.get(kid) {
                return Ok(Some(found.clone()));
            }
            // A key id not seen: the provider may have rotated its keys —
            // asked again at once, but not more than once in
            // REFETCH_AFTER, whatever key ids tokens make up.
            if keys.missed.is_some_and(|at| at.elapsed() < REFETCH_AFTER) {
                return Ok(None);
            }
            keys.fetched.is_none()
        };
        self.fetch_keys().await?;
        let mut keys = self.keys.write().await;
        if !first {
            keys.missed = Some(Instant::now());
        }
        Ok(keys.by_id.get(kid).cloned())
    }

    /// Checks a bearer token; the principal it names.
    pub async fn check(&self, token: &str) -> Result<Principal, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(TokenError::Invalid(format!("the algorithm {:?} is not taken", header.alg)));
        }
        let kid = header.kid.ok_or_else(|| TokenError::Invalid("it names no key".into()))?;
        let (key, family) = self
            .key(&kid)
            .await?
            .ok_or_else(|| TokenError::Invalid("it names a key the provider does not publish".into()))?;
        let same_family = matches!(
            (family, header.alg),
            (Algorithm::RS256, Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::PS256)
        ) || family == header.alg;
        if !same_family {
            return Err(TokenError::Invalid("its algorithm does not fit its key".into()));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[self.config.issuer.as_str()]);
        validation.set_audience(&[self.config.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = self.config.leeway_seconds;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
            jsonwebtoken::errors::ErrorKind::InvalidIssuer => TokenError::Invalid("it is from another issuer".into()),
            jsonwebtoken::errors::ErrorKind::InvalidAudience => {
                TokenError::Invalid("it is for another audience".into())
            }
            _ => TokenError::Invalid(e.to_string()),
        })?;
        let mut roles: Vec<Role> = data.claims.groups.iter().filter_map(|g| self.groups.get(g).copied()).collect();
        roles.sort();
        roles.dedup();
        Ok(Principal { subject: data.claims.sub, name: data.claims.name, roles })
    }
}
