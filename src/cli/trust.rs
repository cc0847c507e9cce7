//! `trust import` and `trust list`: the CSCA certificates passive
//! authentication chains documents to, kept in the data folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use jiff::Timestamp;
use mitid_core::service::TrustOrigin;
use mitid_core::store::StoreError;
use mitid_core::trust::{Kind, TrustStore, TrustWarning};
use serde_json::json;

use super::{CliError, Context, Outcome};

/// Trust store commands.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Import a CSCA master list (.ml), a CSCA certificate (DER or PEM) or
    /// a CRL. A master list is imported only if its signature verifies.
    Import {
        /// The file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the trusted CSCA certificates per country, and the CRLs.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

impl TrustCommand {
    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        match self {
            Self::Import { json, .. } | Self::List { json } => *json,
        }
    }
}

/// Imports `path` (a file, or every file in a folder) into `store`.
pub(super) fn import_path(store: &mut TrustStore, path: &Path, now: Timestamp) -> Result<Vec<String>, CliError> {
    let mut lines = Vec::new();
    for (name, bytes) in files(path)? {
        let report = store.import(&bytes, &name, now).map_err(|e| CliError::Input(format!("{name}: {e}")))?;
        lines.push(format!("{name}: {} — {} new, {} already trusted", report.kind, report.added, report.already));
    }
    Ok(lines)
}

/// The file at `path`, or every file in the folder, by name.
fn files(path: &Path) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files
    } else {
        vec![path.to_path_buf()]
    };
    files
        .into_iter()
        .map(|file| {
            let bytes =
                std::fs::read(&file).map_err(|e| CliError::Input(format!("cannot read {}: {e}", file.display())))?;
            Ok((file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), bytes))
        })
        .collect()
}

/// A refusal of the trust store: the input's fault (exit 2); anything
/// else as the desk service's error.
fn refused(name: &str, error: StoreError) -> CliError {
    match error {
        StoreError::Trust(refusal) => CliError::Input(format!("{name}: not imported: {refusal}")),
        other => other.into(),
    }
}

fn date(t: Option<mitid_emrtd::pki::x509::Time>) -> String {
    t.map_or_else(|| "—".into(), |t| t.date())
}

pub(super) fn run(action: &TrustCommand, context: &Context, demo: bool) -> Result<Outcome, CliError> {
    match action {
        TrustCommand::Import { file, json } => {
            let bytes =
                std::fs::read(file).map_err(|e| CliError::Input(format!("cannot read {}: {e}", file.display())))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let mut desk = super::desk::open(context, demo)?;
            let started = std::time::Instant::now();
            let report = desk.import_trust(&bytes, &name).map_err(|e| refused(&name, e))?;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            if *json {
                let mut value = serde_json::to_value(&report).unwrap_or_default();
                value["ms"] = json!((ms * 10.0).round() / 10.0);
                return Ok(Outcome::ok(value.to_string() + "\n"));
            }
            let mut text = format!(
                "{name}: {} — {} new, {} already trusted{}\n",
                report.kind,
                report.added,
                report.already,
                if report.skipped > 0 {
                    format!(", {} unreadable entries skipped", report.skipped)
                } else {
                    String::new()
                }
            );
            if let Some(signer) = &report.signed_by {
                text += &format!("signed by {signer}\n");
            }
            Ok(Outcome::ok(text))
        }
        TrustCommand::List { json } => {
            let view = super::desk::open(context, demo)?.trust()?;
            let origin = match view.origin {
                TrustOrigin::Desk => json!({"store": "desk"}),
                TrustOrigin::Site { fetched, live } => json!({"store": "site", "fetched": fetched, "live": live}),
            };
            let warnings: Vec<String> = view.warnings.iter().map(warning_line).collect();
            let mut countries: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
            let mut crls = Vec::new();
            for (fingerprint, entry) in view.store.entries() {
                let item = json!({
                    "name": entry.name, "valid_from": date(entry.not_before), "valid_to": date(entry.not_after),
                    "source": entry.source, "imported": entry.imported, "sha256": fingerprint,
                });
                match entry.kind {
                    Kind::Csca => {
                        countries.entry(entry.country.clone().unwrap_or_else(|| "??".into())).or_default().push(item)
                    }
                    Kind::Crl => crls.push(item),
                }
            }
            if *json {
                let value = json!({"countries": countries, "crls": crls, "origin": origin, "warnings": view.warnings});
                return Ok(Outcome::ok(value.to_string() + "\n"));
            }
            let mut text = match view.origin {
                TrustOrigin::Desk => String::new(),
                TrustOrigin::Site { live: true, .. } => "the site's trust store, from the shared service\n".into(),
                TrustOrigin::Site { fetched, live: false } => format!(
                    "the shared service cannot be reached: the desk's copy of the site's trust store, from {fetched}\n"
                ),
            };
            for warning in &warnings {
                text += &format!("warning: {warning}\n");
            }
            if countries.is_empty() && crls.is_empty() {
                text += "the trust store is empty: import a CSCA master list with `trust import FILE`\n";
                return Ok(Outcome::ok(text));
            }
            let total: usize = countries.values().map(Vec::len).sum();
            text += &format!("{total} CSCA certificates from {} countries, {} CRLs\n", countries.len(), crls.len());
            for (country, certs) in &countries {
                text += &format!("{country}  {} certificate(s)\n", certs.len());
                for c in certs {
                    text += &format!(
                        "    {}  {} – {}\n",
                        c["name"].as_str().unwrap_or(""),
                        c["valid_from"].as_str().unwrap_or(""),
                        c["valid_to"].as_str().unwrap_or("")
                    );
                }
            }
            Ok(Outcome::ok(text))
        }
    }
}

/// A warning, for the terminal.
fn warning_line(warning: &TrustWarning) -> String {
    match warning {
        TrustWarning::CrlOutdated { issuer, next_update } => {
            format!("the CRL of {issuer} should have been replaced on {next_update}")
        }
        TrustWarning::CrlDueSoon { issuer, next_update } => {
            format!("the CRL of {issuer} is due to be replaced on {next_update}")
        }
        TrustWarning::FetchFailing { url, last_ok, error } => format!(
            "the service could not take {url} the last time ({error}); last taken {}",
            last_ok.as_deref().unwrap_or("never")
        ),
    }
}
