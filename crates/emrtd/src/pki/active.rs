//! Active Authentication (ICAO 9303-11 §6.1): the chip signs the
//! terminal's 8-byte challenge with the private key behind DG15. RSA
//! answers with an ISO/IEC 9796-2 scheme 1 signature (message recovery,
//! SHA-1 or SHA-2 named by the trailer); ECDSA with r‖s or DER, over the
//! hash DG14's ActiveAuthenticationInfo names.

use super::PkiError;
use super::key::{self, PublicKey};
use crate::lds::HashAlgorithm;
use crate::security_infos::SecurityInfo;

/// Why Active Authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AaError {
    /// DG15's key cannot be used.
    #[error("the document's Active Authentication key cannot be used: {0}")]
    Key(PkiError),
    /// The answer is not a signature of the challenge by that key.
    #[error("the chip's answer is not a signature of the challenge by the document's key")]
    BadSignature,
    /// The signature names a hash this reader does not know.
    #[error("the chip signed with a hash this reader does not know")]
    UnknownHash,
}

/// The recovered message part M1 when `f` (the RSA result) is a valid
/// ISO 9796-2 scheme 1 representative of M1 ‖ `challenge`.
pub fn iso9796_2_check(f: &[u8], challenge: &[u8]) -> Result<Vec<u8>, AaError> {
    let (&last, _) = f.split_last().ok_or(AaError::BadSignature)?;
    let (t, hash) = match last {
        0xBC => (1, HashAlgorithm::Sha1),
        0xCC => {
            let id = *f.get(f.len().wrapping_sub(2)).ok_or(AaError::BadSignature)?;
            let hash = match id {
                0x33 => HashAlgorithm::Sha1,
                0x34 => HashAlgorithm::Sha256,
                0x35 => HashAlgorithm::Sha512,
                0x36 => HashAlgorithm::Sha384,
                0x38 => HashAlgorithm::Sha224,
                _ => return Err(AaError::UnknownHash),
            };
            (2, hash)
        }
        _ => return Err(AaError::BadSignature),
    };
    let h_len = hash.digest(b"").len();
    // Header 0x6A: partial recovery, the challenge is the unrecovered part.
    if f.first() != Some(&0x6A) || f.len() < 1 + h_len + t {
        return Err(AaError::BadSignature);
    }
    let m1 = &f[1..f.len() - t - h_len];
    let h = &f[f.len() - t - h_len..f.len() - t];
    let mut m = m1.to_vec();
    m.extend_from_slice(challenge);
    if hash.digest(&m) != h {
        return Err(AaError::BadSignature);
    }
    Ok(m1.to_vec())
}

/// The hash of an ECDSA Active Authentication, from DG14's
/// ActiveAuthenticationInfo (SHA-256 when DG14 says nothing; BSI's and
/// X9.62's ECDSA OIDs both name it).
fn ecdsa_hash(infos: &[SecurityInfo]) -> HashAlgorithm {
    infos
        .iter()
        .find_map(|i| match i {
            SecurityInfo::ActiveAuthentication { signature_algorithm } if !signature_algorithm.is_empty() => {
                let alg = crate::der::tlv(&[0x30], &crate::der::tlv(&[0x06], signature_algorithm));
                match key::signature_algorithm(&alg, None) {
                    Ok(key::SignatureAlgorithm::Ecdsa(h) | key::SignatureAlgorithm::EcdsaPlain(h)) => Some(h),
                    _ => None,
                }
            }
            _ => None,
        })
        .unwrap_or(HashAlgorithm::Sha256)
}

/// Verifies the chip's `signature` of `challenge` with DG15's key
/// (SubjectPublicKeyInfo), DG14's SecurityInfos naming the ECDSA hash.
pub fn verify(spki: &[u8], infos: &[SecurityInfo], challenge: &[u8], signature: &[u8]) -> Result<(), AaError> {
    match key::parse_spki(spki).map_err(AaError::Key)? {
        PublicKey::Rsa { n, e } => {
            let f = key::rsa_public(&n, &e, signature).map_err(|_| AaError::BadSignature)?;
            // The alternative representative: n − f when f does not end in
            // ...C (ISO 9796-2's choice of the smaller value).
            let f = if f.last().is_some_and(|b| b & 0x0F == 0x0C) {
                f
            } else {
                let alt = &n - num_bigint::BigUint::from_bytes_be(&f);
                crate::weierstrass::fixed(&alt, f.len())
            };
            let start = f.iter().position(|b| *b != 0).unwrap_or(0);
            iso9796_2_check(&f[start..], challenge).map(|_| ())
        }
        PublicKey::Dh { .. } => Err(AaError::Key(PkiError::KeyMismatch)),
        key @ PublicKey::Ec { .. } => {
            let hash = ecdsa_hash(infos);
            let plain = key::SignatureAlgorithm::EcdsaPlain(hash);
            let der = key::SignatureAlgorithm::Ecdsa(hash);
            key::verify(&key, plain, challenge, signature)
                .or_else(|_| key::verify(&key, der, challenge, signature))
                .map_err(|_| AaError::BadSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// ICAO 9303-11 Appendix F: the message representative F of the worked
    /// example recovers M1 and its hash covers M1 ‖ RND.IFD.
    #[test]
    fn appendix_f() {
        let m1 = "9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC1991B543F1696546C5524CF23A5303CD6C98599F40B79F377B5F3A1406B3B4D8F96784D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA978264C4A207446DAD4E7292E2DCDA3024B47DA8";
        let f = h(&format!("6A{m1}C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127BC"));
        let rnd = h("F173589974BF40C6");
        assert_eq!(iso9796_2_check(&f, &rnd), Ok(h(m1)));
        assert_eq!(iso9796_2_check(&f, &h("F173589974BF40C7")), Err(AaError::BadSignature));
        let mut g = f.clone();
        g[0] = 0x4A;
        assert!(iso9796_2_check(&g, &rnd).is_err());
    }

    /// A real passport's DG15 and its answers to four challenges, and
    /// Bouncy Castle's ISO 9796-2 example.
    #[test]
    fn real_rsa_answers_verify() {
        let dg15 = h(
            "6F81A230819F300D06092A864886F70D010101050003818D0030818902818100BD8620D45693E1CD8678639F22E9553F09E3AFD87BD26000113CE2798B7A02A2E0AB6B7525D09072109D938D6708167E8FAFAF83F17BFBA36CECCE26058C7ED9AE29516755B19F78CE0E73DA02340B117B8AB2ECA007F1390E93E896016335EB5C1E330B961C03E253D17874F7ABEE8D4962C49FFE578D46954FF23B26F5E5550203010001",
        );
        let spki = crate::tlv::parse(&dg15).unwrap().value.to_vec();
        for (challenge, signature) in [
            (
                "47E4EE7F211F7326",
                "8AECE4E0AB1A6B9E06B31ACBA51AE316D0B7B48E2F5FE13E575060F6B9DC27A2F9D03DCF67A141F466EEC753879106BE0992F46F5EAAD075EB1886D2ACE90D60C2EDA69880780CE4FA36EF27AB01C47527BD23B178EC8F213307281572C219487FC11B2C3D9C144DC98D96D1A79A7478449D692D3D14E8C044F81B3ADF0047E0",
            ),
            (
                "5DD17658F6E21C13",
                "97251259E9EB453A8DC2D9CD85D5A49D2E83F31D6465CB1FBD09C5E7800D4F0FB9FF7312343CD3955CA3BE6768AD7938F3D36B0C9E2205923786949B5F48FBF1C94D01B5BC9DA88C8293E118F87E14E4CC409D52AA7ED266E20248AB3C04949838540DEB24588436607EA620B4825D002C5FAB4F07B618D72C0A9EC247653FE7",
            ),
        ] {
            assert_eq!(verify(&spki, &[], &h(challenge), &h(signature)), Ok(()), "{challenge}");
            // Another challenge: refused.
            assert_eq!(verify(&spki, &[], &h("0000000000000000"), &h(signature)), Err(AaError::BadSignature));
        }
        let bc = h(
            "30819f300d06092a864886f70d010101050003818d0030818902818100CDCBDABBF93BE8E8294E32B055256BBD0397735189BF75816341BB0D488D05D627991221DF7D59835C76A4BB4808ADEEB779E7794504E956ADC2A661B46904CDC71337DD29DDDD454124EF79CFDD7BC2C21952573CEFBA485CC38C6BD2428809B5A31A898A6B5648CAA4ED678D9743B589134B7187478996300EDBA16271A8610203010001",
        );
        let sig = h(
            "482E20D1EDDED34359C38F5E7C01203F9D6B2641CDCA5C404D49ADAEDE034C7481D781D043722587761C90468DE69C6585A1E8B9C322F90E1B580EEDAB3F6007D0C366CF92B4DB8B41C8314929DCE2BE889C0129123484D2FD3D12763D2EBFD12AC8E51D7061AFCA1A53DEDEC7B9A617472A78C952CCC72467AE008E5F132994",
        );
        assert_eq!(verify(&bc, &[], &[0; 8], &sig), Ok(()));
        // Garbage: an error, not a panic.
        assert!(verify(&bc, &[], &[0; 8], &[0xFF; 3]).is_err());
        assert!(verify(&[0x30, 0x00], &[], &[0; 8], &sig).is_err());
    }
}
