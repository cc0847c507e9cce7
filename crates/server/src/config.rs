//! `server.toml`: where the server listens, its database, its TLS
//! certificate, the P-code key file (never in the database), the log level,
//! and MitID Support's hours — the `[support]` table read exactly as the
//! desk's `config.toml` reads it, exceptions included.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use mitid_core::SupportHours;
use mitid_core::support_hours::HoursConfig;
use serde::Deserialize;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Where to listen (HTTPS), e.g. `127.0.0.1:8443`.
    pub listen: SocketAddr,
    /// The database.
    pub database: DatabaseConfig,
    /// The certificate and key the server presents.
    pub tls: TlsConfig,
    /// The file holding the P-code key (hex), readable by the server only.
    pub pcode_key: PathBuf,
    /// `error`, `warn`, `info`, `debug` or a tracing filter.
    #[serde(default = "default_log")]
    pub log_level: String,
    /// MitID Support's hours, as the desk's `[support]`.
    #[serde(default)]
    pub support: HoursConfig,
    /// What the desks are allowed.
    #[serde(default)]
    pub desk: DeskRules,
    /// A training or test service's clock.
    #[serde(default)]
    pub clock: ClockConfig,
    /// How the audit chain is written.
    #[serde(default)]
    pub audit: AuditConfig,
    /// The site's trust store: when to warn, what to fetch.
    #[serde(default)]
    pub trust: TrustConfig,
    /// Staff sign in with the organisation's OpenID provider (without it,
    /// a desk's agent id is taken as it says, for a single trusted
    /// network only).
    #[serde(default)]
    pub identity: Option<crate::identity::IdentityConfig>,
    /// The MitID side's redemptions: the CA of its client certificates
    /// and the limits (without it, the service takes no redemptions).
    #[serde(default)]
    pub mitid_side: Option<crate::mitid_side::MitidSideConfig>,
}

/// `[trust]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrustConfig {
    /// Say a CRL is getting old this many days before its next update.
    pub warn_days: u32,
    /// Lists to fetch on a schedule (`[[trust.fetch]]`).
    pub fetch: Vec<FetchConfig>,
}

impl Default for TrustConfig {
    fn default() -> Self {
        Self { warn_days: mitid_core::trust::WARN_DAYS, fetch: vec![] }
    }
}

/// `[[trust.fetch]]`: a master list or CRL the server fetches itself and
/// takes only when its signature verifies — a master list's signer
/// certified by a CSCA the site already trusts (or by `anchor`), a CRL
/// signed by a trusted CSCA of its issuer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchConfig {
    /// `https://…` (or `http://…`: the signature is what is trusted).
    pub url: String,
    /// How often, in minutes (and once at start).
    #[serde(default = "default_every")]
    pub every_minutes: u64,
    /// The SHA-256 (hex) of the CSCA that must have certified a master
    /// list's signer, for a first fetch into an empty trust store.
    #[serde(default)]
    pub anchor: Option<String>,
    /// A PEM file of CA certificates to trust for this address's TLS
    /// besides the system's.
    #[serde(default)]
    pub ca: Option<PathBuf>,
}

fn default_every() -> u64 {
    24 * 60
}

impl FetchConfig {
    /// How often.
    pub fn every(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.every_minutes.max(1) * 60)
    }
}

/// `[audit]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Where entries get their place in the chain.
    pub chaining: Chaining,
}

/// Where an entry gets its place in the chain. Both write the entry in
/// the change's own transaction; they differ in when it is chained.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Chaining {
    /// One integrator chains new entries in batches, within a second (the
    /// default: changes stay as parallel as the database allows).
    #[default]
    Integrator,
    /// Each change chains its own entries before it commits, holding the
    /// chain's head (every audited change of the site in one queue).
    Transaction,
}

fn default_log() -> String {
    "info".into()
}

/// `[database]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// A libpq connection string or `postgresql://` URL.
    pub url: String,
    /// Connections in the pool.
    #[serde(default = "default_pool")]
    pub pool_size: usize,
    /// How long a statement may run before it is cancelled (ms).
    #[serde(default = "default_statement_timeout")]
    pub statement_timeout_ms: u64,
    /// How long a request waits for a connection before it gets 503 (ms).
    #[serde(default = "default_wait")]
    pub connect_timeout_ms: u64,
    /// The longest a whole request may take before it is answered 503
    /// (ms); by default the wait for a connection and two statements'
    /// timeouts.
    #[serde(default)]
    pub request_timeout_ms: Option<u64>,
}

impl DatabaseConfig {
    /// [`Self::request_timeout_ms`] or its default.
    pub fn request_deadline_ms(&self) -> u64 {
        self.request_timeout_ms.unwrap_or(self.connect_timeout_ms + 2 * self.statement_timeout_ms)
    }
}

fn default_pool() -> usize {
    32
}
fn default_statement_timeout() -> u64 {
    5_000
}
fn default_wait() -> u64 {
    3_000
}

/// `[tls]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

/// `[desk]`: rules the service applies to every desk.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeskRules {
    /// How many usable P-codes a caller may hold at once.
    pub max_active_pcodes: u32,
}

impl Default for DeskRules {
    fn default() -> Self {
        Self { max_active_pcodes: 1 }
    }
}

/// `[clock]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClockConfig {
    /// Start at this instant and let `PUT /v1/clock` move the clock: a
    /// training or test service only, never production.
    pub simulated: Option<jiff::Timestamp>,
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("the configuration {path} cannot be read: {source}")]
    Read {
        /// Which.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid TOML, or not this file's fields.
    #[error("the configuration {path} is not valid: {message}")]
    Invalid {
        /// Which.
        path: PathBuf,
        /// Where and why (line and column).
        message: String,
    },
    /// The support hours contradict each other.
    #[error("the configuration {path} has unusable support hours: {message}")]
    Hours {
        /// Which.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl ServerConfig {
    /// Reads and checks `path`; relative file names in it are taken from
    /// the file's folder.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
        let mut config: Self =
            toml::from_str(&text).map_err(|e| ConfigError::Invalid { path: path.into(), message: e.to_string() })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let fetch_cas = config.trust.fetch.iter_mut().filter_map(|f| f.ca.as_mut());
        let fetch_cas = fetch_cas.chain(config.mitid_side.as_mut().map(|m| &mut m.client_ca));
        for file in [&mut config.tls.cert, &mut config.tls.key, &mut config.pcode_key].into_iter().chain(fetch_cas) {
            if file.is_relative() {
                *file = base.join(&*file);
            }
        }
        config.hours().map_err(|e| ConfigError::Hours { path: path.into(), message: e.to_string() })?;
        Ok(config)
    }

    /// The support-hours engine.
    pub fn hours(&self) -> Result<SupportHours, mitid_core::support_hours::HoursConfigError> {
        SupportHours::new(self.support.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_support_table_as_the_desk_does_and_says_where_a_file_is_wrong() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("server.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:8443\"\npcode_key = \"pcode.key\"\n[database]\nurl = \"host=/tmp dbname=x\"\n\
             [tls]\ncert = \"cert.pem\"\nkey = \"key.pem\"\n[support]\nweekday = \"09:00-17:00\"\n\
             [[support.exception]]\ndate = \"2026-12-28\"\nhours = \"closed\"\nnote = \"Upgrade\"\n",
        )
        .expect("written");
        let config = ServerConfig::load(&path).expect("a good file");
        assert_eq!(config.support.weekday.to_string(), "09:00-17:00");
        assert_eq!(config.support.exceptions.len(), 1);
        assert_eq!(config.pcode_key, dir.path().join("pcode.key"));
        assert_eq!(config.database.pool_size, 32);

        std::fs::write(&path, "listen = \"127.0.0.1:8443\"\nlisten_too = 1\n").expect("written");
        let error = ServerConfig::load(&path).expect_err("unknown field").to_string();
        assert!(error.contains("line") && error.contains("listen_too"), "{error}");
    }
}
