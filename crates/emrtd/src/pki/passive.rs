//! Passive authentication (ICAO 9303-11 §5.1): the SOD's signature by its
//! document signer, the document signer's certificate by a CSCA the trust
//! store holds (validity, key usage, revocation), and the hash of every
//! data group read. Each step is its own result, with a reason people can
//! read and the UI can translate (the failures are typed).

use std::collections::BTreeMap;

use super::PkiError;
use super::cms;
use super::x509::{self, Certificate, Crl, Time};
use crate::lds::{self, DataGroup, HashVerdict};

/// id-icao-mrtd-security-ldsSecurityObject, 2.23.136.1.1.1.
const LDS_SECURITY_OBJECT: [u8; 6] = [0x67, 0x81, 0x08, 0x01, 0x01, 0x01];

/// The steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// The document signer signed the SOD.
    SodSignature,
    /// A trusted CSCA issued the document signer's certificate, and both
    /// were valid.
    Chain,
    /// The document signer's certificate is not revoked.
    Revocation,
    /// Every data group read has the hash the SOD lists.
    Hashes,
}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The SOD is not a signed LDS security object.
    SodUnreadable(PkiError),
    /// The SOD does not carry the certificate its signer names.
    SignerCertificateMissing,
    /// The SOD's signature does not verify with the document signer's key.
    SodSignature(PkiError),
    /// No CSCA in the trust store has the document signer's issuer name.
    UnknownCsca {
        /// The issuing country, when the certificate names it.
        country: Option<String>,
        /// The issuer's name.
        issuer: String,
    },
    /// CSCAs of that name are trusted, but none signed the certificate.
    CscaSignature(PkiError),
    /// The issuing certificate is not allowed to issue certificates.
    NotACa,
    /// The document signer's certificate may not sign documents.
    SignerKeyUsage,
    /// The document signer's certificate has expired (YYYYMMDDHHMMSS).
    SignerExpired(Time),
    /// The document signer's certificate is not valid yet.
    SignerNotYetValid(Time),
    /// The SOD was signed outside the signer certificate's validity.
    SignedOutsideValidity(Time),
    /// The CSCA was not valid when it issued the signer's certificate, or
    /// has expired.
    CscaNotValid(Time),
    /// A CRL from the CSCA revokes the document signer's certificate.
    Revoked,
    /// A CRL claiming to be the CSCA's does not verify.
    CrlSignature(PkiError),
    /// Data groups whose hash differs from the SOD's.
    HashMismatch(Vec<u8>),
    /// Data groups read that the SOD does not list.
    NotListed(Vec<u8>),
}

fn date(t: Time) -> String {
    t.date()
}

fn list(dgs: &[u8]) -> String {
    dgs.iter().map(|d| format!("DG{d}")).collect::<Vec<_>>().join(", ")
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SodUnreadable(e) => write!(f, "the security object (EF.SOD) cannot be read: {e}"),
            Self::SignerCertificateMissing => f.write_str("the security object lacks its signer's certificate"),
            Self::SodSignature(e) => write!(f, "the security object's signature is invalid: {e}"),
            Self::UnknownCsca { country: Some(c), issuer } => {
                write!(
                    f,
                    "no trusted CSCA of {c} issued the document signer (issuer: {issuer}); import the country's CSCA"
                )
            }
            Self::UnknownCsca { country: None, issuer } => {
                write!(f, "no trusted CSCA issued the document signer (issuer: {issuer})")
            }
            Self::CscaSignature(e) => {
                write!(f, "the document signer's certificate is not signed by the trusted CSCA: {e}")
            }
            Self::NotACa => f.write_str("the issuing certificate is not a CA"),
            Self::SignerKeyUsage => f.write_str("the document signer's certificate is not for signing"),
            Self::SignerExpired(t) => write!(f, "the document signer's certificate expired on {}", date(*t)),
            Self::SignerNotYetValid(t) => {
                write!(f, "the document signer's certificate is valid only from {}", date(*t))
            }
            Self::SignedOutsideValidity(t) => {
                write!(f, "the security object was signed on {}, outside its signer's validity", date(*t))
            }
            Self::CscaNotValid(t) => write!(f, "the CSCA was not valid (its validity ends {})", date(*t)),
            Self::Revoked => f.write_str("the CSCA has revoked the document signer's certificate"),
            Self::CrlSignature(e) => write!(f, "a revocation list does not verify: {e}"),
            Self::HashMismatch(dgs) => write!(f, "{} differ from what was signed: altered data", list(dgs)),
            Self::NotListed(dgs) => write!(f, "{} are not covered by the signature", list(dgs)),
        }
    }
}

/// One step's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Passed; what was checked.
    Passed(String),
    /// Failed, and why.
    Failed(Failure),
    /// Not done, and why (no CRL; an earlier step failed).
    NotApplicable(String),
}

/// The result of passive authentication.
#[derive(Debug, Clone)]
pub struct Report {
    /// Each step in order.
    pub steps: Vec<(Step, Outcome)>,
    /// The document signer's certificate, when found.
    pub signer: Option<Certificate>,
    /// The CSCA that issued it, when found.
    pub csca: Option<Certificate>,
    /// The data groups whose hash matched.
    pub matched: Vec<u8>,
}

impl Report {
    /// Whether every step passed (revocation may be not applicable).
    pub fn passed(&self) -> bool {
        self.steps.iter().all(|(_, o)| !matches!(o, Outcome::Failed(_)))
            && self.steps.iter().any(|(s, o)| *s == Step::Chain && matches!(o, Outcome::Passed(_)))
    }

    /// The first failure.
    pub fn failure(&self) -> Option<(Step, &Failure)> {
        self.steps.iter().find_map(|(s, o)| match o {
            Outcome::Failed(f) => Some((*s, f)),
            _ => None,
        })
    }

    /// Whether PA vouches for data group `dg`: everything passed and its
    /// hash matched.
    pub fn vouches_for(&self, dg: u8) -> bool {
        self.passed() && self.matched.contains(&dg)
    }
}

/// Runs passive authentication on `sod` and the data groups read
/// (number → raw bytes), against the trusted `certificates` and `crls`,
/// at `now` (YYYYMMDDHHMMSS, UTC).
pub fn verify(
    sod: &[u8],
    data_groups: &BTreeMap<u8, Vec<u8>>,
    certificates: &[Certificate],
    crls: &[Crl],
    now: Time,
) -> Report {
    let mut report = Report { steps: Vec::new(), signer: None, csca: None, matched: Vec::new() };
    let skipped = || Outcome::NotApplicable("an earlier step failed".into());
    // Hashes first (they stand on their own), reported last.
    let hashes = match lds::parse_sod(sod) {
        Ok(lso) => {
            let (mut bad, mut unlisted) = (Vec::new(), Vec::new());
            for (dg, raw) in data_groups {
                match lso.check(DataGroup(*dg), raw) {
                    HashVerdict::Match => report.matched.push(*dg),
                    HashVerdict::Mismatch => bad.push(*dg),
                    HashVerdict::NotListed => unlisted.push(*dg),
                }
            }
            if !bad.is_empty() {
                Outcome::Failed(Failure::HashMismatch(bad))
            } else if !unlisted.is_empty() {
                Outcome::Failed(Failure::NotListed(unlisted))
            } else {
                Outcome::Passed(format!("{} match ({:?})", list(&report.matched), lso.algorithm))
            }
        }
        Err(e) => Outcome::Failed(Failure::SodUnreadable(PkiError::Malformed(match e {
            lds::LdsError::HashAlgorithm => "security object (unknown hash)",
            _ => "security object",
        }))),
    };
    let signed = match cms::parse(sod) {
        Ok(s) if s.content_type == LDS_SECURITY_OBJECT => s,
        Ok(_) => {
            report.steps.push((
                Step::SodSignature,
                Outcome::Failed(Failure::SodUnreadable(PkiError::Malformed("security object"))),
            ));
            report.steps.extend([(Step::Chain, skipped()), (Step::Revocation, skipped()), (Step::Hashes, hashes)]);
            return report;
        }
        Err(e) => {
            report.steps.push((Step::SodSignature, Outcome::Failed(Failure::SodUnreadable(e))));
            report.steps.extend([(Step::Chain, skipped()), (Step::Revocation, skipped()), (Step::Hashes, hashes)]);
            return report;
        }
    };
    let signer_info = &signed.signers[0];
    let sod_step = match signed.signer_certificate(signer_info) {
        None => Err(Failure::SignerCertificateMissing),
        Some(ds) => {
            report.signer = Some(ds.clone());
            ds.public_key()
                .and_then(|key| signer_info.verify(&signed.content, &key))
                .map(|()| format!("signed by {}", ds.subject))
                .map_err(Failure::SodSignature)
        }
    };
    let sod_ok = sod_step.is_ok();
    report.steps.push((Step::SodSignature, sod_step.map_or_else(Outcome::Failed, Outcome::Passed)));
    let Some(ds) = report.signer.clone().filter(|_| sod_ok) else {
        report.steps.extend([(Step::Chain, skipped()), (Step::Revocation, skipped()), (Step::Hashes, hashes)]);
        return report;
    };
    let chain = chain(&ds, signer_info.signing_time, certificates, now);
    let csca = match chain {
        Ok(csca) => {
            report.steps.push((Step::Chain, Outcome::Passed(format!("issued by {}", csca.subject))));
            csca
        }
        Err(failure) => {
            report.steps.push((Step::Chain, Outcome::Failed(failure)));
            report.steps.extend([(Step::Revocation, skipped()), (Step::Hashes, hashes)]);
            return report;
        }
    };
    report.steps.push((Step::Revocation, revocation(&ds, &csca, crls.iter().chain(&signed.crls))));
    report.csca = Some(csca);
    report.steps.push((Step::Hashes, hashes));
    report
}

fn chain(
    ds: &Certificate,
    signing_time: Option<Time>,
    trusted: &[Certificate],
    now: Time,
) -> Result<Certificate, Failure> {
    if ds.key_usage.is_some_and(|ku| ku & x509::DIGITAL_SIGNATURE == 0) {
        return Err(Failure::SignerKeyUsage);
    }
    let candidates: Vec<&Certificate> = trusted
        .iter()
        .filter(|c| c.subject.same_as(&ds.issuer))
        .filter(|c| match (&ds.authority_key_id, &c.subject_key_id) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        })
        .collect();
    if candidates.is_empty() {
        return Err(Failure::UnknownCsca { country: ds.issuer.country(), issuer: ds.issuer.to_string() });
    }
    let mut last_error = PkiError::BadSignature;
    let mut csca = None;
    for candidate in candidates {
        match candidate.public_key().and_then(|key| ds.verify_signed_by(&key)) {
            Ok(()) => {
                csca = Some(candidate.clone());
                break;
            }
            Err(e) => last_error = e,
        }
    }
    let csca = csca.ok_or(Failure::CscaSignature(last_error))?;
    if csca.ca == Some(false) || csca.key_usage.is_some_and(|ku| ku & x509::KEY_CERT_SIGN == 0) {
        return Err(Failure::NotACa);
    }
    if now > ds.not_after {
        return Err(Failure::SignerExpired(ds.not_after));
    }
    if now < ds.not_before {
        return Err(Failure::SignerNotYetValid(ds.not_before));
    }
    if let Some(at) = signing_time
        && !ds.valid_at(at)
    {
        return Err(Failure::SignedOutsideValidity(at));
    }
    if !csca.valid_at(ds.not_before) || !csca.valid_at(now) {
        return Err(Failure::CscaNotValid(csca.not_after));
    }
    Ok(csca)
}

fn revocation<'a>(ds: &Certificate, csca: &Certificate, crls: impl Iterator<Item = &'a Crl>) -> Outcome {
    let key = match csca.public_key() {
        Ok(k) => k,
        Err(e) => return Outcome::Failed(Failure::CrlSignature(e)),
    };
    let mut checked = 0;
    for crl in crls.filter(|c| c.issuer.same_as(&csca.subject)) {
        if let Err(e) = crl.verify_signed_by(&key) {
            return Outcome::Failed(Failure::CrlSignature(e));
        }
        let serial = strip(&ds.serial);
        if crl.revoked.iter().any(|r| strip(r) == serial) {
            return Outcome::Failed(Failure::Revoked);
        }
        checked += 1;
    }
    if checked == 0 {
        Outcome::NotApplicable("no revocation list from this CSCA".into())
    } else {
        Outcome::Passed(format!("not on {checked} revocation list(s)"))
    }
}

fn strip(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::document::{DocumentSpec, TestPki, generate};

    fn now() -> Time {
        Time::new(2026, 11, 24, 12, 0, 0).expect("a real instant")
    }

    fn generated() -> (BTreeMap<u8, Vec<u8>>, Vec<u8>, Certificate) {
        let mrz = crate::sim::document::specimen_mrz();
        let pki = TestPki::new();
        let doc = generate(&mrz, &DocumentSpec::default(), &pki).unwrap();
        let groups = doc.data_groups();
        let csca = Certificate::parse(pki.csca_certificate()).unwrap();
        (groups, doc.files[&crate::file::FileId::Sod].clone(), csca)
    }

    #[test]
    fn a_generated_document_passes_against_the_test_csca() {
        let (groups, sod, csca) = generated();
        let report = verify(&sod, &groups, std::slice::from_ref(&csca), &[], now());
        assert!(report.passed(), "{report:?}");
        assert!(report.vouches_for(14) && report.vouches_for(15));
        assert!(matches!(report.steps[2], (Step::Revocation, Outcome::NotApplicable(_))));
    }

    #[test]
    fn each_way_to_fail_says_why() {
        let (groups, sod, csca) = generated();
        // Unknown CSCA: an empty trust store.
        let r = verify(&sod, &groups, &[], &[], now());
        assert!(matches!(r.failure(), Some((Step::Chain, Failure::UnknownCsca { country: Some(c), .. })) if c == "UT"));
        // Altered DG1.
        let mut altered = groups.clone();
        altered.get_mut(&1).unwrap()[10] ^= 1;
        let r = verify(&sod, &altered, std::slice::from_ref(&csca), &[], now());
        assert_eq!(r.failure(), Some((Step::Hashes, &Failure::HashMismatch(vec![1]))));
        assert!(!r.vouches_for(14));
        // A flipped byte in the signature.
        let mut bad_sig = sod.clone();
        let last = bad_sig.len() - 3;
        bad_sig[last] ^= 1;
        let r = verify(&bad_sig, &groups, std::slice::from_ref(&csca), &[], now());
        assert!(matches!(r.failure(), Some((Step::SodSignature, Failure::SodSignature(_)))), "{:?}", r.failure());
        // Expired signer: the test signer is valid to the end of 2035.
        let r = verify(
            &sod,
            &groups,
            std::slice::from_ref(&csca),
            &[],
            crate::pki::x509::Time::new(2036, 1, 1, 0, 0, 0).expect("a real instant"),
        );
        assert_eq!(
            r.failure(),
            Some((
                Step::Chain,
                &Failure::SignerExpired(crate::pki::x509::Time::new(2035, 12, 31, 23, 59, 59).expect("a real instant"))
            ))
        );
        // Garbage is a failure, not a panic.
        let r = verify(&[0x77, 0x03, 0x30, 0x01, 0x00], &groups, &[csca], &[], now());
        assert!(matches!(r.failure(), Some((Step::SodSignature, Failure::SodUnreadable(_)))));
    }

    #[test]
    fn revocation_lists_from_the_csca_are_checked() {
        let (groups, sod, csca) = generated();
        let pki = TestPki::new();
        let crl = |serials: &[u64]| Crl::parse(&pki.crl(serials)).unwrap();
        // Another certificate revoked: passed, with the list counted.
        let r = verify(&sod, &groups, std::slice::from_ref(&csca), &[crl(&[99])], now());
        assert!(r.passed(), "{r:?}");
        assert!(matches!(&r.steps[2], (Step::Revocation, Outcome::Passed(why)) if why.contains("1 revocation")));
        // The document signer (serial 2) revoked.
        let r = verify(&sod, &groups, std::slice::from_ref(&csca), &[crl(&[5, 2])], now());
        assert_eq!(r.failure(), Some((Step::Revocation, &Failure::Revoked)));
        // A CRL whose signature is broken is a failure, not ignored.
        let mut broken = pki.crl(&[]);
        let last = broken.len() - 4;
        broken[last] ^= 1;
        let r = verify(&sod, &groups, std::slice::from_ref(&csca), &[Crl::parse(&broken).unwrap()], now());
        assert!(matches!(r.failure(), Some((Step::Revocation, Failure::CrlSignature(_)))), "{:?}", r.failure());
    }

    #[test]
    fn the_test_master_list_verifies_and_names_its_signer() {
        let ml = crate::pki::masterlist::parse(&TestPki::new().master_list()).unwrap();
        assert_eq!(ml.certificates.len(), 1);
        assert_eq!(ml.signer.subject.get("CN"), Some("mitid-assist test master list signer"));
        assert!(ml.signer_issuer.is_some());
    }

    #[test]
    fn the_bsi_reference_sod_verifies_with_its_own_signer_and_hashes() {
        let Some(root) = crate::test_support::lds_dir() else { return };
        let dir = root.join("bsi2008");
        let sod = std::fs::read(dir.join("EF_SOD.bin")).unwrap();
        let signed = cms::parse(&sod).unwrap();
        let signer = &signed.signers[0];
        let ds = signed.signer_certificate(signer).expect("the BSI SOD carries its signer");
        signer.verify(&signed.content, &ds.public_key().unwrap()).unwrap();
        let mut groups = BTreeMap::new();
        for n in [1u8, 2, 3, 4, 14, 15] {
            if let Ok(raw) = std::fs::read(dir.join(format!("Datagroup{n}.bin"))) {
                groups.insert(n, raw);
            }
        }
        // Its CSCA is not in any list here, so the chain fails for that
        // reason alone: the signature and the hashes pass.
        let r =
            verify(&sod, &groups, &[], &[], crate::pki::x509::Time::new(2008, 6, 1, 0, 0, 0).expect("a real instant"));
        assert!(matches!(r.steps[0], (Step::SodSignature, Outcome::Passed(_))), "{:?}", r.steps);
        assert!(matches!(r.failure(), Some((Step::Chain, Failure::UnknownCsca { .. }))));
        eprintln!("BSI 2008 signer: {} ({})", ds.subject, ds.public_key().unwrap().describe());
    }
}
