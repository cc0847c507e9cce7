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
