//! `trust import` and `trust list`: the CSCA certificates passive
//! authentication chains documents to, kept in the data folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use jiff::Timestamp;
use mitid_core::trust::{Kind, TrustError, TrustStore};
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

fn trust_error(e: TrustError) -> CliError {
    CliError::Input(e.to_string())
}

/// Imports `path` (a file, or every file in a folder) into `store`.
pub(super) fn import_path(store: &mut TrustStore, path: &Path, now: Timestamp) -> Result<Vec<String>, CliError> {
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
    let mut lines = Vec::new();
    for file in files {
        let bytes =
            std::fs::read(&file).map_err(|e| CliError::Input(format!("cannot read {}: {e}", file.display())))?;
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let report = store.import(&bytes, &name, now).map_err(|e| CliError::Input(format!("{name}: {e}")))?;
        lines.push(format!("{name}: {} — {} new, {} already trusted", report.kind, report.added, report.already));
    }
    Ok(lines)
}

fn date(t: Option<mitid_emrtd::pki::x509::Time>) -> String {
    t.map_or_else(|| "—".into(), |t| t.date())
}

pub(super) fn run(action: &TrustCommand, context: &Context) -> Result<Outcome, CliError> {
    let mut store = TrustStore::open(&context.paths.data_dir).map_err(trust_error)?;
    match action {
        TrustCommand::Import { file, json } => {
            let bytes =
                std::fs::read(file).map_err(|e| CliError::Input(format!("cannot read {}: {e}", file.display())))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let started = std::time::Instant::now();
            let report = store.import(&bytes, &name, context.clock.now()).map_err(trust_error)?;
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
            let mut countries: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
            let mut crls = Vec::new();
            for (fingerprint, entry) in store.entries() {
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
                return Ok(Outcome::ok(json!({"countries": countries, "crls": crls}).to_string() + "\n"));
            }
            if countries.is_empty() && crls.is_empty() {
                return Ok(Outcome::ok(
                    "the trust store is empty: import a CSCA master list with `trust import FILE`\n".into(),
                ));
            }
            let total: usize = countries.values().map(Vec::len).sum();
            let mut text =
                format!("{total} CSCA certificates from {} countries, {} CRLs\n", countries.len(), crls.len());
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
