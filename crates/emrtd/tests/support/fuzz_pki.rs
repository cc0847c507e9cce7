// The body of the `pki` fuzz target, shared with the corpus replay (the
// fuzz crate includes this file): the bytes as an EF.SOD, a master list,
// a certificate, a CRL, a public key and an Active Authentication answer.

use std::collections::BTreeMap;

use mitid_emrtd::pki::x509::{Certificate, Crl};
use mitid_emrtd::pki::{active, cms, key, masterlist, passive};

pub fn run(data: &[u8]) {
    let _ = cms::parse(data);
    let _ = masterlist::parse(data);
    let _ = Crl::parse(data);
    let _ = key::parse_spki(data);
    let certificate = Certificate::parse(data);
    if let Ok(cert) = &certificate {
        let _ = cert.public_key().map(|k| cert.verify_signed_by(&k));
    }
    let trusted: Vec<Certificate> = certificate.into_iter().collect();
    let mut groups = BTreeMap::new();
    groups.insert(1u8, data.get(..data.len().min(90)).unwrap_or_default().to_vec());
    let report = passive::verify(
        data,
        &groups,
        &trusted,
        &[],
        mitid_emrtd::pki::x509::Time::new(2026, 11, 24, 12, 0, 0).expect("a real instant"),
    );
    let _ = report.passed();
    let (spki, rest) = data.split_at(data.len() / 2);
    let _ = active::verify(spki, &[], &[0; 8], rest);
}
