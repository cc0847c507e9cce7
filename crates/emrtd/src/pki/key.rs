//! Public keys (SubjectPublicKeyInfo) and signature verification: RSA with
//! PKCS#1 v1.5 or PSS, ECDSA (DER or plain r‖s) on named curves and on
//! curves given by explicit parameters, over SHA-1/224/256/384/512.
//! Verification only: nothing here holds a secret.

use num_bigint::BigUint;
use sha2::Digest as _;

use super::{PkiError, oid_text};
use crate::lds::HashAlgorithm;
use crate::tlv::{self, Reader};
use crate::weierstrass::{self, Domain};

const RSA_ENCRYPTION: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
const RSA_PSS: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A];
const MGF1: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x08];
const EC_PUBLIC_KEY: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
const PRIME_FIELD: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x01, 0x01];
/// dhpublicnumber (X9.42), 1.2.840.10046.2.1.
const DH_PUBLIC_NUMBER: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3E, 0x02, 0x01];
/// dhKeyAgreement (PKCS#3), 1.2.840.113549.1.3.1.
const DH_KEY_AGREEMENT: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x03, 0x01];
/// The smallest RSA modulus accepted.
pub const MIN_RSA_BITS: u64 = 1024;

/// A public key.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA.
    Rsa {
        /// Modulus.
        n: BigUint,
        /// Public exponent.
        e: BigUint,
    },
    /// A Diffie-Hellman public value in its group (Chip Authentication).
    Dh {
        /// The group.
        group: Box<crate::modp::Group>,
        /// The public value.
        y: BigUint,
    },
    /// An elliptic-curve point on its curve.
    Ec {
        /// The curve.
        domain: Box<Domain>,
        /// Affine x.
        x: BigUint,
        /// Affine y.
        y: BigUint,
    },
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.describe())
    }
}

impl PublicKey {
    /// "RSA 2048", "EC 256".
    pub fn describe(&self) -> String {
        match self {
            Self::Rsa { n, .. } => format!("RSA {}", n.bits()),
            Self::Ec { domain, .. } => format!("EC {}", domain.n.bits()),
            Self::Dh { group, .. } => format!("DH {}", group.p.bits()),
        }
    }
}

fn malformed(what: &'static str) -> impl Fn(tlv::TlvError) -> PkiError {
    move |_| PkiError::Malformed(what)
}

/// An INTEGER's value as an unsigned number (a leading 00 is allowed).
pub(crate) fn uint(value: &[u8]) -> BigUint {
    BigUint::from_bytes_be(value)
}

/// Parses EC domain parameters: a named curve OID or explicit
/// ECParameters (prime field only, as passports use).
pub fn ec_domain(params: &tlv::Tlv<'_>) -> Result<Domain, PkiError> {
    let bad = || PkiError::Malformed("EC parameters");
    match params.tag {
        0x06 => weierstrass::by_oid(params.value).ok_or_else(|| PkiError::UnsupportedCurve(oid_text(params.value))),
        0x30 => {
            let mut ps = params.children();
            ps.expect(0x02).map_err(|_| bad())?; // version
            let mut field = ps.expect(0x30).map_err(|_| bad())?.children();
            let field_type = field.expect(0x06).map_err(|_| bad())?;
            if field_type.value != PRIME_FIELD {
                return Err(PkiError::UnsupportedCurve(oid_text(field_type.value)));
            }
            let p = uint(field.expect(0x02).map_err(|_| bad())?.value);
            let mut curve = ps.expect(0x30).map_err(|_| bad())?.children();
            let a = uint(curve.expect(0x04).map_err(|_| bad())?.value);
            let b = uint(curve.expect(0x04).map_err(|_| bad())?.value);
            let base = ps.expect(0x04).map_err(|_| bad())?.value;
            let n = uint(ps.expect(0x02).map_err(|_| bad())?.value);
            if p.bits() < 160 || n.bits() < 160 {
                return Err(PkiError::WeakKey(n.bits()));
            }
            let mut domain = Domain { p, a, b, gx: BigUint::ZERO, gy: BigUint::ZERO, n };
            let (gx, gy) = domain.decode(base).ok_or_else(bad)?;
            domain.gx = gx;
            domain.gy = gy;
            Ok(domain)
        }
        _ => Err(bad()),
    }
}

/// Parses a SubjectPublicKeyInfo.
pub fn parse_spki(spki: &[u8]) -> Result<PublicKey, PkiError> {
    let top = tlv::parse(spki).map_err(malformed("public key"))?;
    let mut parts = top.children();
    let algorithm = parts.expect(0x30).map_err(malformed("public key"))?;
    let bits = parts.expect(0x03).map_err(malformed("public key"))?;
    let key = bits.value.get(1..).ok_or(PkiError::Malformed("public key"))?;
    let mut alg = algorithm.children();
    let oid = alg.expect(0x06).map_err(malformed("public key"))?;
    if oid.value == RSA_ENCRYPTION || oid.value == RSA_PSS {
        let rsa = tlv::parse(key).map_err(malformed("RSA key"))?;
        let mut r = rsa.children();
        let n = uint(r.expect(0x02).map_err(malformed("RSA key"))?.value);
        let e = uint(r.expect(0x02).map_err(malformed("RSA key"))?.value);
        if n.bits() < MIN_RSA_BITS {
            return Err(PkiError::WeakKey(n.bits()));
        }
        return Ok(PublicKey::Rsa { n, e });
    }
    if oid.value == EC_PUBLIC_KEY {
        let params = alg.next_tlv().map_err(malformed("EC parameters"))?;
        let domain = ec_domain(&params)?;
        let (x, y) = domain.decode(key).ok_or(PkiError::Malformed("EC point"))?;
        return Ok(PublicKey::Ec { domain: Box::new(domain), x, y });
    }
    if oid.value == DH_PUBLIC_NUMBER || oid.value == DH_KEY_AGREEMENT {
        // X9.42 DomainParameters { p, g, q, … } or PKCS#3 { p, g, l }.
        let bad = |_| PkiError::Malformed("DH parameters");
        let mut params = alg.expect(0x30).map_err(bad)?.children();
        let p = uint(params.expect(0x02).map_err(bad)?.value);
        let g = uint(params.expect(0x02).map_err(bad)?.value);
        let q = if oid.value == DH_PUBLIC_NUMBER {
            uint(params.expect(0x02).map_err(bad)?.value)
        } else {
            // Without q, the subgroup is taken as (p − 1) / 2.
            (&p - 1u8) >> 1
        };
        if p.bits() < MIN_RSA_BITS {
            return Err(PkiError::WeakKey(p.bits()));
        }
        // A subgroup too small to be one, or not below p, or a generator
        // that generates nothing: refused before any arithmetic.
        if q.bits() < 160 || q >= p || g <= BigUint::from(1u8) || g >= p {
            return Err(PkiError::Malformed("DH parameters"));
        }
        let y = uint(tlv::parse(key).map_err(bad)?.value);
        return Ok(PublicKey::Dh { group: Box::new(crate::modp::Group { p, g, q }), y });
    }
    Err(PkiError::UnsupportedAlgorithm(oid_text(oid.value)))
}

/// How a signature is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RSA, PKCS#1 v1.5.
    RsaPkcs1(HashAlgorithm),
    /// RSA-PSS with MGF1.
    RsaPss {
        /// The message hash.
        hash: HashAlgorithm,
        /// MGF1's hash.
        mgf: HashAlgorithm,
        /// Salt length in bytes.
        salt: usize,
    },
    /// ECDSA, the signature DER-encoded.
    Ecdsa(HashAlgorithm),
    /// ECDSA, the signature as plain r‖s (BSI TR-03111).
    EcdsaPlain(HashAlgorithm),
}

fn hash_of(alg: &tlv::Tlv<'_>) -> Result<HashAlgorithm, PkiError> {
    let oid = alg.children().expect(0x06).map_err(malformed("hash algorithm"))?;
    HashAlgorithm::from_oid(oid.value).ok_or_else(|| PkiError::UnsupportedAlgorithm(oid_text(oid.value)))
}

/// The signature algorithm of an AlgorithmIdentifier (DER). `digest` is
/// the CMS digest algorithm, for identifiers that name only the key type.
pub fn signature_algorithm(identifier: &[u8], digest: Option<HashAlgorithm>) -> Result<SignatureAlgorithm, PkiError> {
    use HashAlgorithm::{Sha1, Sha224, Sha256, Sha384, Sha512};
    let top = tlv::parse(identifier).map_err(malformed("signature algorithm"))?;
    let mut parts = top.children();
    let oid = parts.expect(0x06).map_err(malformed("signature algorithm"))?.value;
    const PKCS1: [u8; 8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01];
    const ECDSA_SHA2: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03];
    const ECDSA_PLAIN: [u8; 9] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x01, 0x01, 0x04, 0x01];
    let unsupported = || PkiError::UnsupportedAlgorithm(oid_text(oid));
    let need_digest = || digest.ok_or_else(unsupported);
    Ok(match oid {
        [p @ .., last] if p == PKCS1 => match last {
            1 => SignatureAlgorithm::RsaPkcs1(need_digest()?),
            5 => SignatureAlgorithm::RsaPkcs1(Sha1),
            11 => SignatureAlgorithm::RsaPkcs1(Sha256),
            12 => SignatureAlgorithm::RsaPkcs1(Sha384),
            13 => SignatureAlgorithm::RsaPkcs1(Sha512),
            14 => SignatureAlgorithm::RsaPkcs1(Sha224),
            10 => {
                // RSASSA-PSS-params: [0] hash, [1] MGF, [2] salt length; the
                // defaults are SHA-1, MGF1-SHA-1 and 20.
                let (mut hash, mut mgf, mut salt) = (Sha1, Sha1, 20usize);
                if let Ok(params) = parts.expect(0x30) {
                    let mut ps = params.children();
                    while !ps.is_empty() {
                        let field = ps.next_tlv().map_err(malformed("PSS parameters"))?;
                        let inner = field.children().next_tlv().map_err(malformed("PSS parameters"))?;
                        match field.tag {
                            0xA0 => hash = hash_of(&inner)?,
                            0xA1 => {
                                let mut m = inner.children();
                                if m.expect(0x06).map_err(malformed("PSS parameters"))?.value != MGF1 {
                                    return Err(unsupported());
                                }
                                mgf = hash_of(&m.expect(0x30).map_err(malformed("PSS parameters"))?)?;
                            }
                            0xA2 => {
                                salt = usize::try_from(uint(inner.value)).map_err(|_| unsupported())?;
                            }
                            _ => {}
                        }
                    }
                }
                SignatureAlgorithm::RsaPss { hash, mgf, salt }
            }
            _ => return Err(unsupported()),
        },
        [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01] => SignatureAlgorithm::Ecdsa(Sha1),
        [p @ .., last] if p == ECDSA_SHA2 => SignatureAlgorithm::Ecdsa(match last {
            1 => Sha224,
            2 => Sha256,
            3 => Sha384,
            4 => Sha512,
            _ => return Err(unsupported()),
        }),
        o if o == EC_PUBLIC_KEY => SignatureAlgorithm::Ecdsa(need_digest()?),
        [p @ .., last] if p == ECDSA_PLAIN => SignatureAlgorithm::EcdsaPlain(match last {
            1 => Sha1,
            2 => Sha224,
            3 => Sha256,
            4 => Sha384,
            5 => Sha512,
            _ => return Err(unsupported()),
        }),
        _ => return Err(unsupported()),
    })
}

/// The DigestInfo prefix of PKCS#1 v1.5 for a hash (DER up to the digest).
fn digest_info_prefix(hash: HashAlgorithm, with_null: bool) -> Vec<u8> {
    let oid: &[u8] = match hash {
        HashAlgorithm::Sha1 => &[0x2B, 0x0E, 0x03, 0x02, 0x1A],
        HashAlgorithm::Sha224 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04],
        HashAlgorithm::Sha256 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01],
        HashAlgorithm::Sha384 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02],
        HashAlgorithm::Sha512 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03],
    };
    let mut alg = crate::der::tlv(&[0x06], oid);
    if with_null {
        alg.extend_from_slice(&crate::der::null());
    }
    let alg = crate::der::tlv(&[0x30], &alg);
    let digest_len = hash.digest(b"").len();
    let total = alg.len() + 2 + digest_len;
    let mut out = vec![0x30];
    out.extend_from_slice(&crate::der::length(total));
    out.extend_from_slice(&alg);
    out.extend_from_slice(&[0x04, digest_len as u8]);
    out
}

/// MGF1 with `hash`.
pub(crate) fn mgf1(hash: HashAlgorithm, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut counter = 0u32;
    while out.len() < len {
        let mut input = seed.to_vec();
        input.extend_from_slice(&counter.to_be_bytes());
        out.extend_from_slice(&hash.digest(&input));
        counter += 1;
    }
    out.truncate(len);
    out
}

/// The RSA public operation: s^e mod n, as `k` bytes.
pub(crate) fn rsa_public(n: &BigUint, e: &BigUint, signature: &[u8]) -> Result<Vec<u8>, PkiError> {
    let s = BigUint::from_bytes_be(signature);
    if &s >= n {
        return Err(PkiError::BadSignature);
    }
    let k = (n.bits() as usize).div_ceil(8);
    Ok(weierstrass::fixed(&s.modpow(e, n), k))
}

fn verify_pss(em: &[u8], mod_bits: u64, m_hash: &[u8], hash: HashAlgorithm, mgf: HashAlgorithm, salt: usize) -> bool {
    let em_bits = mod_bits - 1;
    let em_len = (em_bits as usize).div_ceil(8);
    // The encoded message is em_len bytes; a modulus of 8k+1 bits gives a
    // leading zero byte.
    let em = if em.len() > em_len {
        if em[0] != 0 {
            return false;
        }
        &em[em.len() - em_len..]
    } else {
        em
    };
    let h_len = m_hash.len();
    if em_len < h_len + salt + 2 || em.last() != Some(&0xBC) {
        return false;
    }
    let (masked_db, rest) = em.split_at(em_len - h_len - 1);
    let h = &rest[..h_len];
    let unused = 8 * em_len as u64 - em_bits;
    if unused > 0 && masked_db[0] >> (8 - unused) != 0 {
        return false;
    }
    let mut db: Vec<u8> = masked_db.iter().zip(mgf1(mgf, h, masked_db.len())).map(|(a, b)| a ^ b).collect();
    if unused > 0 {
        db[0] &= 0xFF >> unused;
    }
    let ps_len = em_len - h_len - salt - 2;
    if db[..ps_len].iter().any(|b| *b != 0) || db[ps_len] != 0x01 {
        return false;
    }
    let salt_bytes = &db[db.len() - salt..];
    let mut m_prime = vec![0u8; 8];
    m_prime.extend_from_slice(m_hash);
    m_prime.extend_from_slice(salt_bytes);
    hash.digest(&m_prime) == h
}

fn ecdsa_parts(signature: &[u8], plain: bool) -> Result<(BigUint, BigUint), PkiError> {
    if plain {
        if signature.is_empty() || !signature.len().is_multiple_of(2) {
            return Err(PkiError::BadSignature);
        }
        let (r, s) = signature.split_at(signature.len() / 2);
        return Ok((uint(r), uint(s)));
    }
    let seq = tlv::parse(signature).map_err(|_| PkiError::BadSignature)?;
    let mut parts: Reader<'_> = seq.children();
    let r = parts.expect(0x02).map_err(|_| PkiError::BadSignature)?;
    let s = parts.expect(0x02).map_err(|_| PkiError::BadSignature)?;
    Ok((uint(r.value), uint(s.value)))
}

/// Verifies `signature` over `message` with `key`.
pub fn verify(
    key: &PublicKey,
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), PkiError> {
    let ok = match (key, algorithm) {
        (PublicKey::Rsa { n, e }, SignatureAlgorithm::RsaPkcs1(hash)) => {
            let em = rsa_public(n, e, signature)?;
            let digest = hash.digest(message);
            [true, false].iter().any(|with_null| {
                let t: Vec<u8> =
                    digest_info_prefix(hash, *with_null).into_iter().chain(digest.iter().copied()).collect();
                em.len() >= t.len() + 11 && {
                    let pad = em.len() - t.len() - 3;
                    em[0] == 0
                        && em[1] == 1
                        && em[2..2 + pad].iter().all(|b| *b == 0xFF)
                        && em[2 + pad] == 0
                        && em[3 + pad..] == t[..]
                }
            })
        }
        (PublicKey::Rsa { n, e }, SignatureAlgorithm::RsaPss { hash, mgf, salt }) => {
            let em = rsa_public(n, e, signature)?;
            verify_pss(&em, n.bits(), &hash.digest(message), hash, mgf, salt)
        }
        (PublicKey::Ec { domain, x, y }, SignatureAlgorithm::Ecdsa(hash) | SignatureAlgorithm::EcdsaPlain(hash)) => {
            let plain = matches!(algorithm, SignatureAlgorithm::EcdsaPlain(_));
            let (r, s) = ecdsa_parts(signature, plain)?;
            domain.verify_ecdsa((x, y), &hash.digest(message), &r, &s)
        }
        _ => return Err(PkiError::KeyMismatch),
    };
    if ok { Ok(()) } else { Err(PkiError::BadSignature) }
}

/// SHA-1 of a key's bits, as RFC 5280's first key identifier method.
pub fn key_identifier(spki: &[u8]) -> Option<Vec<u8>> {
    let top = tlv::parse(spki).ok()?;
    let mut parts = top.children();
    parts.expect(0x30).ok()?;
    let bits = parts.expect(0x03).ok()?;
    Some(sha1::Sha1::digest(bits.value.get(1..)?).to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer as _;

    #[test]
    fn ecdsa_from_the_p256_crate_verifies_here_and_a_changed_message_does_not() {
        let key = p256::ecdsa::SigningKey::from_slice(&[0x11; 32]).unwrap();
        let spki = crate::sim::document::p256_spki(&key);
        let public = parse_spki(&spki).unwrap();
        let sig: p256::ecdsa::Signature = key.sign(b"the SOD");
        let der = sig.to_der();
        let alg = crate::der::algorithm("1.2.840.10045.4.3.2");
        let algorithm = signature_algorithm(&alg, None).unwrap();
        assert_eq!(verify(&public, algorithm, b"the SOD", der.as_bytes()), Ok(()));
        assert_eq!(verify(&public, algorithm, b"the SOd", der.as_bytes()), Err(PkiError::BadSignature));
        // The same signature as plain r‖s.
        let plain = SignatureAlgorithm::EcdsaPlain(HashAlgorithm::Sha256);
        assert_eq!(verify(&public, plain, b"the SOD", &sig.to_bytes()), Ok(()));
        // Garbage is an error, not a panic.
        assert!(verify(&public, algorithm, b"x", &[0x30, 0x03, 0x02, 0x01]).is_err());
        assert!(parse_spki(&spki[..20]).is_err());
    }

    /// DH parameters from a chip are checked before any arithmetic: a zero
    /// or tiny subgroup order would otherwise divide by zero.
    #[test]
    fn degenerate_dh_parameters_are_refused() {
        let group = crate::modp::rfc5114_1024_160();
        let spki = |q: &[u8]| {
            crate::der::seq(&[
                &crate::der::seq(&[
                    &crate::der::oid("1.2.840.10046.2.1"),
                    &crate::der::seq(&[
                        &crate::der::uint(&group.p.to_bytes_be()),
                        &crate::der::uint(&group.g.to_bytes_be()),
                        &crate::der::uint(q),
                    ]),
                ]),
                &crate::der::bits(&crate::der::uint(&[5])),
            ])
        };
        for q in [&[0u8][..], &[1], &[0xFF; 8]] {
            assert_eq!(parse_spki(&spki(q)), Err(PkiError::Malformed("DH parameters")), "{q:?}");
        }
        assert!(parse_spki(&spki(&group.q.to_bytes_be())).is_ok());
    }

    #[test]
    fn pss_round_trip_with_a_hand_made_encoding() {
        // EMSA-PSS-ENCODE by hand with a 1024-bit "modulus" size: check the
        // verifier's unmasking, not RSA itself.
        let hash = HashAlgorithm::Sha256;
        let m_hash = hash.digest(b"message");
        let salt = [0x5Au8; 32];
        let mod_bits = 1024u64;
        let em_len = 128usize;
        let mut m_prime = vec![0u8; 8];
        m_prime.extend_from_slice(&m_hash);
        m_prime.extend_from_slice(&salt);
        let h = hash.digest(&m_prime);
        let mut db = vec![0u8; em_len - salt.len() - h.len() - 2];
        db.push(0x01);
        db.extend_from_slice(&salt);
        let mask = mgf1(hash, &h, db.len());
        let mut masked: Vec<u8> = db.iter().zip(mask).map(|(a, b)| a ^ b).collect();
        masked[0] &= 0x7F;
        let mut em = masked;
        em.extend_from_slice(&h);
        em.push(0xBC);
        assert!(verify_pss(&em, mod_bits, &m_hash, hash, hash, 32));
        assert!(!verify_pss(&em, mod_bits, &hash.digest(b"other"), hash, hash, 32));
        assert!(!verify_pss(&em, mod_bits, &m_hash, hash, hash, 20));
    }
}
