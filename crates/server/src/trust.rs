//! The site's trust store: the CSCA certificates and CRLs every desk of the
//! site verifies chips against, imported once here (read by the same code
//! as the desk's own store, `mitid_core::trust::parse`), listed to the
//! desks with an ETag, and fetched from configured addresses on a schedule
//! — taken only when the signature verifies against what the site already
//! trusts.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use mitid_core::api::{TrustItem, TrustList};
use mitid_core::trust::{self, Entry, ImportReport, Kind, Parsed, TrustRefusal, TrustWarning};
use mitid_emrtd::pki::x509::{Certificate, Time};
use tokio_postgres::Row;

use crate::config::FetchConfig;
use crate::db::Ts;
use crate::error::Failure;
use crate::records::{Records, audit};

/// How an import is judged.
#[derive(Debug, Clone, Copy)]
pub enum Admission<'a> {
    /// A file an administrator imports: as the desk takes it (a master
    /// list's own signature must verify).
    Imported,
    /// A list the server fetched: the master list's signer must be
    /// certified by a CSCA the site trusts already (or the configured
    /// anchor); a CRL must be signed by a trusted CSCA of its issuer.
    Fetched {
        /// The SHA-256 of the CSCA that may certify a first list.
        anchor: Option<&'a str>,
    },
}

fn entry_of(row: &Row) -> (String, Entry) {
    let kind: String = row.get(1);
    let der: Vec<u8> = row.get(2);
    let imported: Ts = row.get(4);
    let time = |n: i64| u64::try_from(n).ok().and_then(Time::from_compact);
    (
        row.get(0),
        Entry {
            kind: if kind == "crl" { Kind::Crl } else { Kind::Csca },
            der: hex::encode(der),
            source: row.get(3),
            imported: imported.0.to_string(),
            country: row.get(5),
            name: row.get(6),
            not_before: time(row.get(7)),
            not_after: time(row.get(8)),
        },
    )
}

const ENTRY_COLUMNS: &str = "fingerprint, kind, der, source, imported_at, country, name, not_before, not_after";

/// An import's entries, column by column (one `unnest` inserts them all).
#[derive(Default)]
struct Columns {
    fingerprint: Vec<String>,
    kind: Vec<&'static str>,
    der: Vec<Vec<u8>>,
    source: Vec<String>,
    country: Vec<Option<String>>,
    name: Vec<String>,
    not_before: Vec<i64>,
    not_after: Vec<i64>,
}

fn compact(t: Option<Time>) -> i64 {
    t.map_or(0, |t| i64::try_from(t.compact()).unwrap_or(0))
}

impl Records {
    /// The list's version: changes whenever an entry is added.
    pub async fn trust_version(&self) -> Result<String, Failure> {
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "SELECT count(*), coalesce(max(seq), 0), \
                 (SELECT count(*) FILTER (WHERE last_error <> '') FROM trust_fetch) FROM trust_entry",
                &[],
            )
            .await?;
        let (count, max, failing): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
        // The day is in it: a CRL's warning may change from one to the next.
        let day = self.now().as_second() / 86_400;
        Ok(format!("\"{count}-{max}-{failing}-{day}\""))
    }

    /// The whole store, with what wants attention.
    pub async fn trust_list(&self, warn_days: u32) -> Result<TrustList, Failure> {
        let client = self.pool.get().await?;
        let rows = client.query(&format!("SELECT {ENTRY_COLUMNS} FROM trust_entry ORDER BY seq"), &[]).await?;
        let entries: Vec<(String, Entry)> = rows.iter().map(entry_of).collect();
        let mut warnings = trust::warnings(entries.iter().map(|(_, e)| e), self.now(), warn_days);
        for row in client
            .query("SELECT url, last_ok, last_error FROM trust_fetch WHERE last_error <> '' ORDER BY url", &[])
            .await?
        {
            let last_ok: Option<Ts> = row.get(1);
            warnings.push(TrustWarning::FetchFailing {
                url: row.get(0),
                last_ok: last_ok.map(|t| t.0.to_string()),
                error: row.get(2),
            });
        }
        let entries = entries.into_iter().map(|(fingerprint, entry)| TrustItem { fingerprint, entry }).collect();
        Ok(TrustList { entries, warnings })
    }

    async fn trusted_certificates(&self) -> Result<Vec<(String, Certificate)>, Failure> {
        let client = self.pool.get().await?;
        let rows = client.query("SELECT fingerprint, der FROM trust_entry WHERE kind = 'csca'", &[]).await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let der: Vec<u8> = row.get(1);
                Certificate::parse(&der).ok().map(|cert| (row.get(0), cert))
            })
            .collect())
    }

    /// Imports a master list, certificate(s) or CRL(s) into the site's
    /// store, with its audit entry in the same transaction (a refusal is
    /// audited too).
    pub async fn import_trust(
        &self,
        agent: &crate::records::Actor,
        bytes: &[u8],
        source: &str,
        admission: Admission<'_>,
    ) -> Result<ImportReport, Failure> {
        let now = self.now();
        let subject = format!("trust:{source}");
        let parsed = match self.admit(bytes, source, now, admission).await {
            Ok(parsed) => parsed,
            Err(refusal) => {
                let mut client = self.pool.get().await?;
                let tx = client.transaction().await?;
                audit(&tx, now, agent, "trust.import", &subject, refusal.code()).await?;
                self.commit(tx).await?;
                return Err(Failure::Store(refusal.into()));
            }
        };
        let mut report = parsed.report();
        let mut seen = BTreeSet::new();
        let mut rows = Columns::default();
        for (fingerprint, entry) in &parsed.entries {
            if !seen.insert(fingerprint.as_str()) {
                report.already += 1;
                continue;
            }
            rows.fingerprint.push(fingerprint.clone());
            rows.kind.push(if entry.kind == Kind::Crl { "crl" } else { "csca" });
            rows.der.push(hex::decode(&entry.der).map_err(|_| Failure::corrupt("trust entry"))?);
            rows.source.push(entry.source.clone());
            rows.country.push(entry.country.clone());
            rows.name.push(entry.name.clone());
            rows.not_before.push(compact(entry.not_before));
            rows.not_after.push(compact(entry.not_after));
        }
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let added = tx
            .execute(
                "INSERT INTO trust_entry (fingerprint, kind, der, source, imported_at, country, name, not_before, not_after) \
                 SELECT f, k, d, s, $5, c, n, b, a \
                 FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[], $6::text[], $7::text[], $8::int8[], $9::int8[]) \
                   AS t(f, k, d, s, c, n, b, a) \
                 ON CONFLICT (fingerprint) DO NOTHING",
                &[
                    &rows.fingerprint,
                    &rows.kind,
                    &rows.der,
                    &rows.source,
                    &Ts(now),
                    &rows.country,
                    &rows.name,
                    &rows.not_before,
                    &rows.not_after,
                ],
            )
            .await?;
        report.added = usize::try_from(added).unwrap_or(0);
        report.already += seen.len() - report.added;
        let verdict = format!("{}: {} new, {} already", report.kind, report.added, report.already);
        audit(&tx, now, agent, "trust.import", &subject, &verdict).await?;
        self.commit(tx).await?;
        Ok(report)
    }

    async fn admit(
        &self,
        bytes: &[u8],
        source: &str,
        now: Timestamp,
        admission: Admission<'_>,
    ) -> Result<Parsed, TrustRefusal> {
        let parsed = trust::parse(bytes, source, now).map_err(|e| TrustRefusal::from(&e))?;
        let Admission::Fetched { anchor } = admission else { return Ok(parsed) };
        let trusted = self.trusted_certificates().await.map_err(|e| TrustRefusal::Unusable(e.log_text()))?;
        if parsed.kind == "master list" {
            let vouched = parsed.signer_csca.as_deref().is_some_and(|signer| {
                anchor.is_some_and(|a| a.eq_ignore_ascii_case(signer)) || trusted.iter().any(|(f, _)| f == signer)
            });
            return if vouched { Ok(parsed) } else { Err(TrustRefusal::Signature) };
        }
        let certificates: Vec<Certificate> = trusted.into_iter().map(|(_, c)| c).collect();
        if parsed.kind == "revocation list"
            && parsed.crls.iter().all(|crl| trust::crl_signed_by_any(crl, &certificates))
        {
            Ok(parsed)
        } else {
            // A fetched certificate has nothing to verify it by.
            Err(TrustRefusal::Signature)
        }
    }

    async fn fetched(&self, url: &str, outcome: Result<ImportReport, String>) -> Result<(), Failure> {
        let now = Ts(self.now());
        let client = self.pool.get().await?;
        let (ok, error) = match &outcome {
            Ok(_) => (Some(now), String::new()),
            Err(e) => (None, e.clone()),
        };
        client
            .execute(
                "INSERT INTO trust_fetch (url, last_try, last_ok, last_error) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (url) DO UPDATE SET last_try = $2, last_ok = coalesce($3, trust_fetch.last_ok), last_error = $4",
                &[&url, &now, &ok, &error],
            )
            .await?;
        Ok(())
    }
}

/// Why a fetch gave nothing, in words for the administrator.
async fn download(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    let response = client.get(url).send().await.map_err(|e| format!("cannot fetch: {}", without_url(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the address answered {status}"));
    }
    if response.content_length().is_some_and(|n| n > mitid_core::api::MAX_TRUST_BODY as u64) {
        return Err("the file is larger than 16 MiB".into());
    }
    let bytes = response.bytes().await.map_err(|e| format!("the download broke off: {}", without_url(&e)))?;
    if bytes.len() > mitid_core::api::MAX_TRUST_BODY {
        return Err("the file is larger than 16 MiB".into());
    }
    Ok(bytes.to_vec())
}

fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// An HTTPS client for the service's own requests out (trust lists, the
/// identity provider's keys): the system's CAs and `extra_ca` (a PEM file),
/// rustls with ring, giving up after `timeout`.
pub fn outgoing_client(extra_ca: Option<&std::path::Path>, timeout: Duration) -> anyhow::Result<reqwest::Client> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = extra_ca {
        let pem = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            roots.add(cert?)?;
        }
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(15).min(timeout))
        .user_agent(concat!("mitid-assist-server/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// The HTTP client for one fetched address.
pub fn fetch_client(config: &FetchConfig) -> anyhow::Result<reqwest::Client> {
    outgoing_client(config.ca.as_deref(), Duration::from_secs(120))
}

/// Fetches `config`'s address once and takes what verifies; the outcome
/// is remembered for the list's warnings and said in the log.
pub async fn fetch_once(records: &Records, client: &reqwest::Client, config: &FetchConfig) -> Result<(), Failure> {
    let outcome = match download(client, &config.url).await {
        Ok(bytes) => {
            let name = config.url.rsplit('/').next().unwrap_or("fetched").to_owned();
            let source = format!("{name} (fetched)");
            let admission = Admission::Fetched { anchor: config.anchor.as_deref() };
            match records.import_trust(&crate::records::Actor::agent("service"), &bytes, &source, admission).await {
                Ok(report) => Ok(report),
                Err(Failure::Store(mitid_core::store::StoreError::Trust(refusal))) => {
                    Err(format!("not taken: {refusal}"))
                }
                Err(other) => return Err(other),
            }
        }
        Err(e) => Err(e),
    };
    match &outcome {
        Ok(report) => tracing::info!(
            url = %config.url, kind = %report.kind, added = report.added, already = report.already,
            "trust list fetched"
        ),
        Err(error) => tracing::warn!(url = %config.url, %error, "trust list not taken; the store keeps what it had"),
    }
    records.fetched(&config.url, outcome).await
}

/// Fetches every configured address at start and then on its schedule,
/// one after the other in the order configured (so a master list lands
/// before the CRLs its CSCAs signed), until the server stops.
pub fn spawn_fetches(app: Arc<crate::http::App>, fetches: Vec<FetchConfig>) -> Option<tokio::task::JoinHandle<()>> {
    let fetches: Vec<(FetchConfig, reqwest::Client)> = fetches
        .into_iter()
        .filter_map(|config| match fetch_client(&config) {
            Ok(client) => Some((config, client)),
            Err(e) => {
                tracing::error!(url = %config.url, error = %e, "this trust list will not be fetched");
                None
            }
        })
        .collect();
    if fetches.is_empty() {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut due: Vec<tokio::time::Instant> = vec![tokio::time::Instant::now(); fetches.len()];
        loop {
            for ((config, client), due) in fetches.iter().zip(due.iter_mut()) {
                if *due > tokio::time::Instant::now() {
                    continue;
                }
                if let Err(e) = fetch_once(&app.records, client, config).await {
                    tracing::warn!(url = %config.url, error = %e.log_text(), "the trust list fetch will try again");
                }
                *due = tokio::time::Instant::now() + config.every();
            }
            let next = due.iter().min().copied().unwrap_or_else(tokio::time::Instant::now);
            tokio::time::sleep_until(next).await;
        }
    }))
}
