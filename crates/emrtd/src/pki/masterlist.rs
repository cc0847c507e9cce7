//! CSCA master lists (ICAO 9303-12 §9): CMS SignedData whose content is a
//! CscaMasterList — the CSCA certificates a state vouches for — signed by
//! a master list signer whose certificate one of those CSCAs issued.

use super::PkiError;
use super::cms;
use super::x509::Certificate;
use crate::tlv;

/// id-icao-cscaMasterList, 2.23.136.1.1.2.
const CSCA_MASTER_LIST: [u8; 6] = [0x67, 0x81, 0x08, 0x01, 0x01, 0x02];

/// A master list whose signature verified.
#[derive(Debug, Clone)]
pub struct MasterList {
    /// The CSCA certificates it carries (self-signed and link).
    pub certificates: Vec<Certificate>,
    /// Entries that are not certificates this reader can parse.
    pub skipped: usize,
    /// The master list signer's certificate.
    pub signer: Certificate,
    /// The CSCA in the list that issued the signer's certificate, when its
    /// signature verified.
    pub signer_issuer: Option<Certificate>,
}

/// Parses a master list and verifies its signature: the signer's over the
/// list, and a listed CSCA's over the signer's certificate.
pub fn parse(bytes: &[u8]) -> Result<MasterList, PkiError> {
    let signed = cms::parse(bytes)?;
    if signed.content_type != CSCA_MASTER_LIST {
        return Err(PkiError::Malformed("master list (not a CscaMasterList)"));
    }
    let bad = |_| PkiError::Malformed("master list");
    let list = tlv::parse(&signed.content).map_err(bad)?;
    let mut parts = list.children();
    parts.expect(0x02).map_err(bad)?;
    let mut set = parts.expect(0x31).map_err(bad)?.children();
    let (mut certificates, mut skipped) = (Vec::new(), 0);
    while !set.is_empty() {
        let item = set.next_tlv().map_err(bad)?;
        match Certificate::parse(item.raw) {
            Ok(cert) => certificates.push(cert),
            Err(_) => skipped += 1,
        }
    }
    let signer_info = &signed.signers[0];
    let signer = signed
        .signer_certificate(signer_info)
        .cloned()
        .ok_or(PkiError::Malformed("master list (its signer's certificate is missing)"))?;
    signer_info.verify(&signed.content, &signer.public_key()?)?;
    let signer_issuer = certificates
        .iter()
        .filter(|c| c.subject.same_as(&signer.issuer))
        .filter(|c| match (&signer.authority_key_id, &c.subject_key_id) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        })
        .find(|c| c.public_key().is_ok_and(|key| signer.verify_signed_by(&key).is_ok()))
        .cloned();
    Ok(MasterList { certificates, skipped, signer, signer_issuer })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masterlists() -> Option<std::path::PathBuf> {
        crate::test_support::lds_dir().map(|lds| lds.join("../masterlists"))
    }

    #[test]
    fn the_german_and_dutch_master_lists_verify() {
        let Some(dir) = masterlists() else { return };
        for (file, country, at_least) in [("DE_ML_2026-05-28.ml", "DE", 200), ("NL_ML_2026-07-22.ml", "NL", 150)] {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            let ml = parse(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(ml.certificates.len() >= at_least, "{file}: {} certificates", ml.certificates.len());
            assert_eq!(ml.signer.subject.country().as_deref(), Some(country), "{file}: {}", ml.signer.subject);
            let issuer = ml.signer_issuer.as_ref().unwrap_or_else(|| panic!("{file}: signer's CSCA not in the list"));
            assert_eq!(issuer.subject.country().as_deref(), Some(country));
            let countries: std::collections::BTreeSet<String> =
                ml.certificates.iter().filter_map(|c| c.subject.country()).collect();
            assert!(countries.len() > 50, "{file}: {} countries", countries.len());
            eprintln!(
                "{file}: {} certificates ({} skipped) from {} countries, signed by {} under {}",
                ml.certificates.len(),
                ml.skipped,
                countries.len(),
                ml.signer.subject,
                issuer.subject
            );
            // A flipped byte in the signed content breaks the signature.
            let mut tampered = bytes.clone();
            let at = tampered.len() / 2;
            tampered[at] ^= 0x01;
            assert!(parse(&tampered).is_err(), "{file}: tampered list accepted");
        }
    }
}

#[cfg(test)]
mod signature_tests {
    use std::collections::BTreeMap;

    /// Every CSCA in the real lists verifies with its issuer's key — its
    /// own when self-signed, the previous key for a link certificate (same
    /// name, the authority key id says which): RSA PKCS#1 v1.5 and PSS,
    /// ECDSA on named and explicit curves, as the world's issuers use them.
    #[test]
    fn every_csca_of_both_lists_verifies_with_its_issuers_key() {
        let Some(lds) = crate::test_support::lds_dir() else { return };
        for file in ["DE_ML_2026-05-28.ml", "NL_ML_2026-07-22.ml"] {
            let ml = super::parse(&std::fs::read(lds.join("../masterlists").join(file)).unwrap()).unwrap();
            let mut by_algorithm: BTreeMap<String, (usize, usize)> = BTreeMap::new();
            let mut failures = Vec::new();
            for cert in &ml.certificates {
                let issuers: Vec<_> = ml
                    .certificates
                    .iter()
                    .filter(|c| c.subject.same_as(&cert.issuer))
                    .filter(|c| match (&cert.authority_key_id, &c.subject_key_id) {
                        (Some(a), Some(s)) => a == s,
                        _ => true,
                    })
                    .collect();
                if issuers.is_empty() {
                    continue; // issued by a CSCA not in this list
                }
                let algorithm = crate::tlv::parse(&cert.signature_algorithm)
                    .ok()
                    .and_then(|t| t.children().next_tlv().ok().map(|o| crate::pki::oid_text(o.value)))
                    .unwrap_or_default();
                let mut last = None;
                let ok =
                    issuers.iter().any(|issuer| match issuer.public_key().and_then(|k| cert.verify_signed_by(&k)) {
                        Ok(()) => true,
                        Err(e) => {
                            last = Some(e);
                            false
                        }
                    });
                let slot = by_algorithm.entry(algorithm.clone()).or_default();
                slot.0 += 1;
                if ok {
                    slot.1 += 1;
                } else {
                    failures.push(format!("{} ({algorithm}): {last:?}", cert.subject));
                }
            }
            eprintln!("{file}: {by_algorithm:?}");
            let total: usize = by_algorithm.values().map(|v| v.0).sum();
            assert!(total > 300, "{file}: {total} certificates with their issuer in the list");
            for family in ["1.2.840.113549.1.1.10", "1.2.840.113549.1.1.11", "1.2.840.10045.4.3.2"] {
                assert!(by_algorithm.get(family).is_some_and(|v| v.1 > 0), "{file}: no verified {family}");
            }
            assert!(failures.is_empty(), "{file}: {} do not verify:\n{}", failures.len(), failures.join("\n"));
        }
    }
}
