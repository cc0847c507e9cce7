//! The trust store: the CSCA certificates (and CRLs) passive
//! authentication may chain a document to. Filled from CSCA master lists
//! (whose own signature must verify), single CSCA certificates (DER or
//! PEM) and CRLs; de-duplicated by SHA-256; kept in one JSON file in the
//! data folder, written atomically, so an import either lands whole or not
//! at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use mitid_emrtd::pki::x509::{Certificate, Crl, Time};
use mitid_emrtd::pki::{PkiError, masterlist};
use serde::{Deserialize, Serialize};

/// Why the trust store could not do something.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// Reading or writing the store failed.
    #[error("the trust store at {path} cannot be used: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The store file is damaged (it is set aside, not overwritten).
    #[error("the trust store at {0} is damaged; it was set aside and a new one started")]
    Damaged(PathBuf),
    /// The file to import is none of the kinds the store takes.
    #[error("this is not a master list, a certificate or a revocation list")]
    Unrecognized,
    /// A master list whose signature does not verify, or a broken item.
    #[error("not imported: {0}")]
    Rejected(PkiError),
    /// A certificate that may not issue certificates.
    #[error("not imported: the certificate is not a CA certificate (a CSCA is)")]
    NotCa,
}

/// Why the trust store did not take a file, as a client of the desk
/// service (or the shared service's answer) reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustRefusal {
    /// None of the kinds the store takes.
    #[error("this is not a master list, a certificate or a revocation list")]
    Unrecognized,
    /// A certificate that may not issue certificates.
    #[error("the certificate is not a CA certificate (a CSCA is)")]
    NotCa,
    /// A master list or CRL whose signature does not verify.
    #[error("its signature does not verify")]
    Signature,
    /// A broken item, in the parser's words.
    #[error("{0}")]
    Malformed(String),
    /// The store itself cannot be read or written.
    #[error("the trust store cannot be used: {0}")]
    Unusable(String),
}

impl TrustRefusal {
    /// Its name on the wire.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unrecognized => "unrecognized",
            Self::NotCa => "not_ca",
            Self::Signature => "signature",
            Self::Malformed(_) => "malformed",
            Self::Unusable(_) => "unusable",
        }
    }

    /// From its name on the wire, with the service's words for the rest.
    pub fn from_code(code: &str, message: &str) -> Self {
        match code {
            "unrecognized" => Self::Unrecognized,
            "not_ca" => Self::NotCa,
            "signature" => Self::Signature,
            "unusable" => Self::Unusable(message.into()),
            _ => Self::Malformed(message.into()),
        }
    }
}

impl From<&TrustError> for TrustRefusal {
    fn from(error: &TrustError) -> Self {
        match error {
            TrustError::Io { .. } | TrustError::Damaged(_) => Self::Unusable(error.to_string()),
            TrustError::Unrecognized => Self::Unrecognized,
            TrustError::NotCa => Self::NotCa,
            TrustError::Rejected(PkiError::BadSignature | PkiError::ContentDigest) => Self::Signature,
            TrustError::Rejected(other) => Self::Malformed(other.to_string()),
        }
    }
}

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Kind {
    /// A CSCA certificate (self-signed or link).
    Csca,
    /// A certificate revocation list.
    Crl,
}

/// One entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    /// Certificate or CRL.
    pub kind: Kind,
    /// Its DER, hex.
    pub der: String,
    /// Where it came from: the file name, and a master list's signer.
    pub source: String,
    /// When it was imported (RFC 3339).
    pub imported: String,
    /// Country (C of the subject or issuer).
    pub country: Option<String>,
    /// Subject (or, for a CRL, issuer), for people.
    pub name: String,
    /// Valid from (a CRL's thisUpdate), as the number YYYYMMDDHHMMSS (UTC;
    /// 0 for none).
    #[serde(with = "compact_time")]
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub not_before: Option<Time>,
    /// Valid until (a CRL's nextUpdate, if it has one), as `not_before`.
    #[serde(with = "compact_time")]
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub not_after: Option<Time>,
}

/// An instant in trust.json: the number YYYYMMDDHHMMSS, 0 for none (the
/// file's format since its first version).
mod compact_time {
    use mitid_emrtd::pki::x509::Time;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &Option<Time>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(time.map_or(0, Time::compact))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
        Ok(Time::from_compact(u64::deserialize(d)?))
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    /// SHA-256 (hex) → entry.
    entries: BTreeMap<String, Entry>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// "master list", "certificate" or "revocation list".
    pub kind: String,
    /// A master list's signer, and the CSCA that vouches for it.
    pub signed_by: Option<String>,
    /// Entries new to the store.
    pub added: usize,
    /// Entries it had already.
    pub already: usize,
    /// Master-list items that are not certificates this reader can parse.
    pub skipped: usize,
}

/// The store.
#[derive(Debug)]
pub struct TrustStore {
    path: PathBuf,
    file: File,
}

const FILE_NAME: &str = "trust.json";

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The DER blocks of a PEM text (any label), or `None` if not PEM.
fn pem_blocks(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let text = std::str::from_utf8(bytes).ok()?;
    if !text.contains("-----BEGIN ") {
        return None;
    }
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with("-----BEGIN ") {
            current = Some(String::new());
        } else if line.starts_with("-----END ") {
            blocks.push(base64_decode(&current.take()?)?);
        } else if let Some(body) = current.as_mut() {
            body.push_str(line);
        }
    }
    Some(blocks)
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace() && *b != b'=').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

impl TrustStore {
    /// Opens the store in `data_dir` (empty when there is none yet). A
    /// damaged file is renamed aside and reported; the store starts empty.
    pub fn open(data_dir: &Path) -> Result<Self, TrustError> {
        let path = data_dir.join(FILE_NAME);
        match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<File>(&bytes) {
                Ok(file) => Ok(Self { path, file }),
                Err(_) => {
                    let aside = data_dir.join(format!("{FILE_NAME}.damaged"));
                    std::fs::rename(&path, &aside).map_err(|source| TrustError::Io { path: path.clone(), source })?;
                    Err(TrustError::Damaged(aside))
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Self { path, file: File { version: 1, entries: BTreeMap::new() } })
            }
            Err(source) => Err(TrustError::Io { path, source }),
        }
    }

    /// A store in memory only (for `chip read --trust FILE|DIR`).
    pub fn in_memory() -> Self {
        Self { path: PathBuf::new(), file: File { version: 1, entries: BTreeMap::new() } }
    }

    /// The entries, by fingerprint.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.file.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The trusted CSCA certificates.
    pub fn certificates(&self) -> Vec<Certificate> {
        self.of_kind(Kind::Csca).filter_map(|der| Certificate::parse(&der).ok()).collect()
    }

    /// The CRLs.
    pub fn crls(&self) -> Vec<Crl> {
        self.of_kind(Kind::Crl).filter_map(|der| Crl::parse(&der).ok()).collect()
    }

    fn of_kind(&self, kind: Kind) -> impl Iterator<Item = Vec<u8>> + '_ {
        self.file.entries.values().filter(move |e| e.kind == kind).filter_map(|e| hex::decode(&e.der).ok())
    }

    /// Imports a master list, certificate(s) or CRL(s) from `bytes`
    /// (`source` names the file), and saves the store when anything is
    /// new. Nothing is added from a master list whose signature fails.
    pub fn import(&mut self, bytes: &[u8], source: &str, now: Timestamp) -> Result<ImportReport, TrustError> {
        let parsed = parse(bytes, source, now)?;
        let mut report = parsed.report();
        for (fingerprint, entry) in parsed.entries {
            match self.file.entries.entry(fingerprint) {
                std::collections::btree_map::Entry::Occupied(_) => report.already += 1,
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(entry);
                    report.added += 1;
                }
            }
        }
        if report.added > 0 && !self.path.as_os_str().is_empty() {
            self.save()?;
        }
        Ok(report)
    }

    /// A store in memory holding `entries` (fingerprint, entry): the site's,
    /// as the shared service lists it.
    pub fn from_entries(entries: impl IntoIterator<Item = (String, Entry)>) -> Self {
        Self { path: PathBuf::new(), file: File { version: 1, entries: entries.into_iter().collect() } }
    }

    fn save(&self) -> Result<(), TrustError> {
        let text = serde_json::to_vec(&self.file)
            .map_err(|e| TrustError::Io { path: self.path.clone(), source: std::io::Error::other(e) })?;
        crate::config::write_atomically(&self.path, &text)
            .map_err(|source| TrustError::Io { path: self.path.clone(), source })
    }
}

/// A file's contents, checked: what it is and the entries it brings.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// "master list", "certificate" or "revocation list".
    pub kind: &'static str,
    /// A master list's signer, and the CSCA that vouches for it.
    pub signed_by: Option<String>,
    /// For a master list: the fingerprint of the listed CSCA that issued
    /// the signer's certificate (`None` when none in the list did).
    pub signer_csca: Option<String>,
    /// Master-list items that are not certificates this reader can parse.
    pub skipped: usize,
    /// The entries, by fingerprint (SHA-256 of the DER, hex).
    pub entries: Vec<(String, Entry)>,
    /// The CRLs among them, parsed (to check their signatures).
    pub crls: Vec<Crl>,
}

impl Parsed {
    /// The report of an import that has added nothing yet.
    pub fn report(&self) -> ImportReport {
        ImportReport {
            kind: self.kind.into(),
            signed_by: self.signed_by.clone(),
            added: 0,
            already: 0,
            skipped: self.skipped,
        }
    }
}

fn certificate_entry(cert: &Certificate, source: &str, now: &str) -> (String, Entry) {
    let entry = Entry {
        kind: Kind::Csca,
        der: hex::encode(&cert.raw),
        source: source.into(),
        imported: now.into(),
        country: cert.subject.country(),
        name: cert.subject.to_string(),
        not_before: Some(cert.not_before),
        not_after: Some(cert.not_after),
    };
    (sha256_hex(&cert.raw), entry)
}

fn crl_entry(crl: &Crl, source: &str, now: &str) -> (String, Entry) {
    let entry = Entry {
        kind: Kind::Crl,
        der: hex::encode(&crl.raw),
        source: source.into(),
        imported: now.into(),
        country: crl.issuer.country(),
        name: crl.issuer.to_string(),
        not_before: Some(crl.this_update),
        not_after: crl.next_update,
    };
    (sha256_hex(&crl.raw), entry)
}

/// Reads a master list (whose signature must verify), certificate(s) or
/// CRL(s), DER or PEM, into the entries they bring — the one reading of an
/// import, for the desk's store and the shared service's.
pub fn parse(bytes: &[u8], source: &str, now: Timestamp) -> Result<Parsed, TrustError> {
    let now = now.to_string();
    let blocks = pem_blocks(bytes).unwrap_or_else(|| vec![bytes.to_vec()]);
    let mut parsed =
        Parsed { kind: "certificate", signed_by: None, signer_csca: None, skipped: 0, entries: vec![], crls: vec![] };
    if blocks.is_empty() {
        return Err(TrustError::Unrecognized);
    }
    for block in &blocks {
        if is_signed_data(block) {
            let ml = masterlist::parse(block).map_err(TrustError::Rejected)?;
            parsed.kind = "master list";
            parsed.skipped += ml.skipped;
            parsed.signed_by = Some(match &ml.signer_issuer {
                Some(csca) => format!("{} (certified by {})", ml.signer.subject, csca.subject),
                None => format!("{} (its CSCA is not in the list)", ml.signer.subject),
            });
            parsed.signer_csca = ml.signer_issuer.as_ref().map(|csca| sha256_hex(&csca.raw));
            let source = format!("{source} — master list signed by {}", ml.signer.subject);
            parsed.entries.extend(ml.certificates.iter().map(|cert| certificate_entry(cert, &source, &now)));
        } else if let Ok(cert) = Certificate::parse(block) {
            if cert.ca == Some(false) || (cert.ca.is_none() && !cert.self_issued()) {
                return Err(TrustError::NotCa);
            }
            parsed.entries.push(certificate_entry(&cert, source, &now));
        } else if let Ok(crl) = Crl::parse(block) {
            parsed.kind = "revocation list";
            parsed.entries.push(crl_entry(&crl, source, &now));
            parsed.crls.push(crl);
        } else {
            return Err(TrustError::Unrecognized);
        }
    }
    Ok(parsed)
}

/// Whether one of `certificates` (the CSCA named as its issuer) signed
/// `crl`.
pub fn crl_signed_by_any(crl: &Crl, certificates: &[Certificate]) -> bool {
    certificates
        .iter()
        .filter(|c| c.subject.same_as(&crl.issuer))
        .any(|c| c.public_key().is_ok_and(|key| crl.verify_signed_by(&key).is_ok()))
}

/// How many days before a CRL's next update the store starts saying so.
pub const WARN_DAYS: u32 = 14;

/// Something about the trust store that wants attention before chips fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TrustWarning {
    /// A CRL whose next update has passed: a newer one should be imported.
    CrlOutdated {
        /// Its issuer, for people.
        issuer: String,
        /// When it should have been replaced (YYYY-MM-DD).
        next_update: String,
    },
    /// A CRL due for its next update within the warning period.
    CrlDueSoon {
        /// Its issuer, for people.
        issuer: String,
        /// When (YYYY-MM-DD).
        next_update: String,
    },
    /// A list the service fetches on a schedule that it could not take
    /// lately.
    FetchFailing {
        /// The address.
        url: String,
        /// When it was last taken (RFC 3339), if ever.
        last_ok: Option<String>,
        /// Why not, the last time.
        error: String,
    },
}

/// The warnings `entries` deserve at `now`: CRLs past their next update,
/// or due within `warn_days`. (A newer CRL of the same issuer silences an
/// older one.)
pub fn warnings<'a>(entries: impl IntoIterator<Item = &'a Entry>, now: Timestamp, warn_days: u32) -> Vec<TrustWarning> {
    let mut newest: BTreeMap<&str, (Option<Time>, Option<Time>)> = BTreeMap::new();
    for entry in entries.into_iter().filter(|e| e.kind == Kind::Crl) {
        let slot = newest.entry(entry.name.as_str()).or_insert((entry.not_before, entry.not_after));
        if entry.not_before > slot.0 {
            *slot = (entry.not_before, entry.not_after);
        }
    }
    let at = |t: Timestamp| Time::from_unix(t.as_second());
    let (Some(today), Some(soon)) = (at(now), at(now + jiff::SignedDuration::from_hours(24 * i64::from(warn_days))))
    else {
        return vec![];
    };
    newest
        .into_iter()
        .filter_map(|(issuer, (_, next))| {
            let next = next?;
            let (issuer, next_update) = (issuer.to_owned(), next.date());
            if next < today {
                Some(TrustWarning::CrlOutdated { issuer, next_update })
            } else if next < soon {
                Some(TrustWarning::CrlDueSoon { issuer, next_update })
            } else {
                None
            }
        })
        .collect()
}

fn is_signed_data(bytes: &[u8]) -> bool {
    // ContentInfo: SEQUENCE { OID 1.2.840.113549.1.7.2, … }
    const SIGNED_DATA: [u8; 11] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
    bytes.first() == Some(&0x30) && bytes.get(2..16).is_some_and(|head| head.windows(11).any(|w| w == SIGNED_DATA))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masterlists() -> Option<PathBuf> {
        let dir =
            PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
                .join("../../../shared/testdata/masterlists");
        if dir.is_dir() {
            return Some(dir);
        }
        assert!(std::env::var_os("CI").is_none(), "CI runs with ../shared beside the clone");
        eprintln!("skipped: {} is absent", dir.display());
        None
    }

    fn now() -> Timestamp {
        "2026-11-24T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn both_master_lists_import_deduplicate_and_survive_a_reopen() {
        let Some(dir) = masterlists() else { return };
        let data = tempfile::tempdir().unwrap();
        let mut store = TrustStore::open(data.path()).unwrap();
        let de = std::fs::read(dir.join("DE_ML_2026-05-28.ml")).unwrap();
        let report = store.import(&de, "DE_ML_2026-05-28.ml", now()).unwrap();
        assert_eq!(report.kind, "master list");
        assert!(report.added >= 500, "{report:?}");
        assert!(report.signed_by.as_deref().unwrap().contains("csca-germany"), "{report:?}");
        let again = store.import(&de, "DE_ML_2026-05-28.ml", now()).unwrap();
        assert_eq!((again.added, again.already), (0, report.added + report.already));
        let nl = std::fs::read(dir.join("NL_ML_2026-07-22.ml")).unwrap();
        let nl_report = store.import(&nl, "NL_ML_2026-07-22.ml", now()).unwrap();
        assert!(nl_report.already > 50, "the lists overlap: {nl_report:?}");
        let total = store.entries().count();
        let reopened = TrustStore::open(data.path()).unwrap();
        assert_eq!(reopened.entries().count(), total);
        assert_eq!(reopened.certificates().len(), total);
        assert!(reopened.entries().any(|(_, e)| e.country.as_deref() == Some("DK")));
        // A tampered list adds nothing.
        let mut tampered = nl.clone();
        let at = tampered.len() / 3;
        tampered[at] ^= 0x40;
        let mut fresh = TrustStore::open(tempfile::tempdir().unwrap().path()).unwrap();
        assert!(matches!(fresh.import(&tampered, "x.ml", now()), Err(TrustError::Rejected(_))));
        assert_eq!(fresh.entries().count(), 0);
    }

    #[test]
    fn single_certificates_der_and_pem_and_what_is_refused() {
        let pki = mitid_emrtd::sim::document::TestPki::new();
        let data = tempfile::tempdir().unwrap();
        let mut store = TrustStore::open(data.path()).unwrap();
        let r = store.import(pki.csca_certificate(), "csca.der", now()).unwrap();
        assert_eq!((r.kind.as_str(), r.added), ("certificate", 1));
        // The same as PEM: already there.
        let b64 = base64_encode(pki.csca_certificate());
        let pem = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
        let r = store.import(pem.as_bytes(), "csca.pem", now()).unwrap();
        assert_eq!((r.added, r.already), (0, 1));
        // A document signer is not a CSCA.
        assert!(matches!(store.import(pki.document_signer_certificate(), "ds.der", now()), Err(TrustError::NotCa)));
        assert!(matches!(store.import(b"hello", "x", now()), Err(TrustError::Unrecognized)));
        // A damaged store file is set aside, not lost.
        std::fs::write(data.path().join(FILE_NAME), b"{ torn").unwrap();
        assert!(matches!(TrustStore::open(data.path()), Err(TrustError::Damaged(_))));
        assert!(data.path().join("trust.json.damaged").exists());
        assert_eq!(TrustStore::open(data.path()).unwrap().entries().count(), 0);
    }

    #[test]
    fn crls_getting_old_are_said_and_a_newer_one_silences_the_older() {
        let pki = mitid_emrtd::sim::document::TestPki::new();
        let mut store = TrustStore::in_memory();
        store.import(pki.csca_certificate(), "csca.der", now()).unwrap();
        let warned = |store: &TrustStore| warnings(store.entries().map(|(_, e)| e), now(), WARN_DAYS);
        assert!(warned(&store).is_empty(), "certificates alone warn of nothing");
        store.import(&pki.crl_between(&[], "261001000000Z", "261120000000Z"), "old.crl", now()).unwrap();
        assert!(
            matches!(warned(&store).as_slice(), [TrustWarning::CrlOutdated { next_update, .. }] if next_update == "2026-11-20")
        );
        store.import(&pki.crl_between(&[], "261115000000Z", "261201000000Z"), "new.crl", now()).unwrap();
        assert!(
            matches!(warned(&store).as_slice(), [TrustWarning::CrlDueSoon { next_update, .. }] if next_update == "2026-12-01")
        );
        store.import(&pki.crl_between(&[], "261123000000Z", "270101000000Z"), "newest.crl", now()).unwrap();
        assert!(warned(&store).is_empty());
        // And only a trusted CSCA of its issuer signed it.
        let crl = Crl::parse(&pki.crl(&[])).unwrap();
        assert!(crl_signed_by_any(&crl, &store.certificates()));
        let stranger = mitid_emrtd::sim::document::TestPki::unknown_csca();
        assert!(!crl_signed_by_any(&Crl::parse(&stranger.crl(&[])).unwrap(), &store.certificates()));
        assert!(matches!(parse(b"-----BEGIN CERTIFICATE-----\n", "x", now()), Err(TrustError::Unrecognized)));
    }

    fn base64_encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
