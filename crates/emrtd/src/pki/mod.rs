//! Public-key infrastructure for passive authentication: certificates,
//! CRLs, CMS SignedData (EF.SOD, CSCA master lists), keys and signature
//! verification, and the checks that tie a document to a CSCA.

pub mod active;
pub mod cms;
pub mod key;
pub mod masterlist;
pub mod passive;
pub mod verdict;
pub mod x509;

/// Why a certificate, list or signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    /// The structure is not what it should be.
    #[error("{0} is malformed")]
    Malformed(&'static str),
    /// An algorithm this reader does not implement, by OID.
    #[error("algorithm {0} is not supported")]
    UnsupportedAlgorithm(String),
    /// A curve this reader does not know, by OID.
    #[error("curve {0} is not supported")]
    UnsupportedCurve(String),
    /// A key too small to trust, in bits.
    #[error("a {0}-bit key is too weak to trust")]
    WeakKey(u64),
    /// The key is of another kind than the signature.
    #[error("the key does not fit the signature algorithm")]
    KeyMismatch,
    /// The signature does not verify.
    #[error("the signature does not verify")]
    BadSignature,
    /// The signed digest is not the content's.
    #[error("the signed digest does not match the content")]
    ContentDigest,
}

/// An OID's DER content in dotted form.
pub fn oid_text(content: &[u8]) -> String {
    let mut arcs = Vec::new();
    let mut value: u64 = 0;
    for (i, b) in content.iter().enumerate() {
        value = (value << 7) | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = if value < 80 { value / 40 } else { 2 };
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        } else if i == content.len() - 1 || value > u64::MAX >> 8 {
            return "(malformed OID)".into();
        }
    }
    arcs.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    #[test]
    fn oid_text_round_trips() {
        for oid in ["1.2.840.113549.1.7.2", "0.4.0.127.0.7.2.2.4.2.2", "2.23.136.1.1.2", "1.3.36.3.3.2.8.1.1.13"] {
            assert_eq!(super::oid_text(&crate::der::oid_content(oid)), oid);
        }
        assert_eq!(super::oid_text(&[0x2A, 0x86]), "(malformed OID)");
    }
}
