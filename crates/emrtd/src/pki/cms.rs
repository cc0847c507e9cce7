//! CMS SignedData (RFC 5652) as EF.SOD and CSCA master lists carry it:
//! the signed content, the certificates that came with it, and each
//! signer — with the check that a signer signed the content.

use super::key::{self, PublicKey};
use super::x509::{Certificate, Crl, Name, Time, time};
use super::{PkiError, oid_text};
use crate::lds::HashAlgorithm;
use crate::tlv::{self, Tlv};

/// id-signedData.
const SIGNED_DATA: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
/// id-messageDigest.
const MESSAGE_DIGEST: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04];
/// id-contentType.
const CONTENT_TYPE: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x03];
/// id-signingTime.
const SIGNING_TIME: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05];

/// How a signer names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerId {
    /// By the issuer's name and the serial number.
    IssuerSerial {
        /// Issuer.
        issuer: Name,
        /// Serial (INTEGER content).
        serial: Vec<u8>,
    },
    /// By subject key identifier.
    KeyId(Vec<u8>),
}

/// One SignerInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    /// Which certificate.
    pub sid: SignerId,
    /// The digest algorithm.
    pub digest: HashAlgorithm,
    /// The signed attributes re-tagged as the SET they are signed as.
    pub signed_attributes: Option<Vec<u8>>,
    /// The messageDigest attribute.
    pub message_digest: Option<Vec<u8>>,
    /// The contentType attribute (OID content).
    pub content_type: Option<Vec<u8>>,
    /// The signingTime attribute.
    pub signing_time: Option<Time>,
    /// The signature's AlgorithmIdentifier, DER.
    pub signature_algorithm: Vec<u8>,
    /// The signature.
    pub signature: Vec<u8>,
}

/// A SignedData.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedData {
    /// eContentType (OID content).
    pub content_type: Vec<u8>,
    /// eContent.
    pub content: Vec<u8>,
    /// The certificates that came with it.
    pub certificates: Vec<Certificate>,
    /// The CRLs that came with it.
    pub crls: Vec<Crl>,
    /// The signers.
    pub signers: Vec<SignerInfo>,
}

fn bad(_: tlv::TlvError) -> PkiError {
    PkiError::Malformed("signed data")
}

/// Parses a ContentInfo holding SignedData (the 77 wrapper of EF.SOD is
/// taken off first when present).
pub fn parse(bytes: &[u8]) -> Result<SignedData, PkiError> {
    let mut top = tlv::parse(bytes).map_err(bad)?;
    if top.tag == 0x77 {
        top = top.children().expect(0x30).map_err(bad)?;
    }
    let mut ci = top.children();
    let oid = ci.expect(0x06).map_err(bad)?;
    if oid.value != SIGNED_DATA {
        return Err(PkiError::UnsupportedAlgorithm(oid_text(oid.value)));
    }
    let sd = ci.expect(0xA0).map_err(bad)?.children().expect(0x30).map_err(bad)?;
    let mut parts = sd.children();
    parts.expect(0x02).map_err(bad)?; // version
    parts.expect(0x31).map_err(bad)?; // digestAlgorithms
    let mut encap = parts.expect(0x30).map_err(bad)?.children();
    let content_type = encap.expect(0x06).map_err(bad)?.value.to_vec();
    let content = if encap.is_empty() {
        Vec::new()
    } else {
        let explicit = encap.expect(0xA0).map_err(bad)?;
        let octets = explicit.children().expect(0x04).map_err(bad)?;
        octets.value.to_vec()
    };
    let mut certificates = Vec::new();
    let mut crls = Vec::new();
    let mut signers = Vec::new();
    while !parts.is_empty() {
        let field = parts.next_tlv().map_err(bad)?;
        match field.tag {
            0xA0 => {
                let mut list = field.children();
                while !list.is_empty() {
                    let item = list.next_tlv().map_err(bad)?;
                    if item.tag == 0x30 {
                        certificates.push(Certificate::parse(item.raw)?);
                    }
                }
            }
            0xA1 => {
                let mut list = field.children();
                while !list.is_empty() {
                    let item = list.next_tlv().map_err(bad)?;
                    if item.tag == 0x30 {
                        crls.push(Crl::parse(item.raw)?);
                    }
                }
            }
            0x31 => {
                let mut list = field.children();
                while !list.is_empty() {
                    signers.push(signer_info(&list.expect(0x30).map_err(bad)?)?);
                }
            }
            _ => {}
        }
    }
    if signers.is_empty() {
        return Err(PkiError::Malformed("signed data without a signer"));
    }
    Ok(SignedData { content_type, content, certificates, crls, signers })
}

fn signer_info(tlv: &Tlv<'_>) -> Result<SignerInfo, PkiError> {
    let mut parts = tlv.children();
    parts.expect(0x02).map_err(bad)?; // version
    let sid_tlv = parts.next_tlv().map_err(bad)?;
    let sid = match sid_tlv.tag {
        0x30 => {
            let mut s = sid_tlv.children();
            let issuer = Name::parse(&s.expect(0x30).map_err(bad)?)?;
            let serial = s.expect(0x02).map_err(bad)?.value.to_vec();
            SignerId::IssuerSerial { issuer, serial }
        }
        0x80 => SignerId::KeyId(sid_tlv.value.to_vec()),
        _ => return Err(PkiError::Malformed("signer")),
    };
    let digest_alg = parts.expect(0x30).map_err(bad)?;
    let digest_oid = digest_alg.children().expect(0x06).map_err(bad)?;
    let digest = HashAlgorithm::from_oid(digest_oid.value)
        .ok_or_else(|| PkiError::UnsupportedAlgorithm(oid_text(digest_oid.value)))?;
    let mut next = parts.next_tlv().map_err(bad)?;
    let (mut signed_attributes, mut message_digest, mut content_type, mut signing_time) = (None, None, None, None);
    if next.tag == 0xA0 {
        let mut set = next.raw.to_vec();
        set[0] = 0x31;
        signed_attributes = Some(set);
        let mut attrs = next.children();
        while !attrs.is_empty() {
            let mut attr = attrs.expect(0x30).map_err(bad)?.children();
            let oid = attr.expect(0x06).map_err(bad)?.value;
            let values = attr.expect(0x31).map_err(bad)?;
            let first = values.children().next_tlv().map_err(bad)?;
            match oid {
                o if o == MESSAGE_DIGEST => message_digest = Some(first.value.to_vec()),
                o if o == CONTENT_TYPE => content_type = Some(first.value.to_vec()),
                o if o == SIGNING_TIME => signing_time = time(&first).ok(),
                _ => {}
            }
        }
        next = parts.next_tlv().map_err(bad)?;
    }
    if next.tag != 0x30 {
        return Err(PkiError::Malformed("signer"));
    }
    let signature_algorithm = next.raw.to_vec();
    let signature = parts.expect(0x04).map_err(bad)?.value.to_vec();
    Ok(SignerInfo {
        sid,
        digest,
        signed_attributes,
        message_digest,
        content_type,
        signing_time,
        signature_algorithm,
        signature,
    })
}

impl SignerInfo {
    /// Whether `cert` is the one this signer names.
    pub fn names(&self, cert: &Certificate) -> bool {
        match &self.sid {
            SignerId::IssuerSerial { issuer, serial } => {
                issuer.same_as(&cert.issuer) && strip(serial) == strip(&cert.serial)
            }
            SignerId::KeyId(id) => {
                cert.subject_key_id.as_deref() == Some(id.as_slice())
                    || key::key_identifier(&cert.spki).as_deref() == Some(id.as_slice())
            }
        }
    }

    /// Checks that this signer signed `content` with `key`: the digest
    /// attribute matches the content and the signature covers the
    /// attributes (or, without attributes, the content itself).
    pub fn verify(&self, content: &[u8], key: &PublicKey) -> Result<(), PkiError> {
        let algorithm = key::signature_algorithm(&self.signature_algorithm, Some(self.digest))?;
        match &self.signed_attributes {
            Some(attributes) => {
                if self.message_digest.as_deref() != Some(self.digest.digest(content).as_slice()) {
                    return Err(PkiError::ContentDigest);
                }
                key::verify(key, algorithm, attributes, &self.signature)
            }
            None => key::verify(key, algorithm, content, &self.signature),
        }
    }
}

/// An INTEGER's content without leading zeros.
fn strip(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

impl SignedData {
    /// The certificate among those carried that `signer` names.
    pub fn signer_certificate(&self, signer: &SignerInfo) -> Option<&Certificate> {
        self.certificates.iter().find(|c| signer.names(c))
    }
}
