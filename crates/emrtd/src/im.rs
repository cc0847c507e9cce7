//! PACE integrated mapping (ICAO 9303-11 §4.4.3.3.2, App. H): instead of a
//! first Diffie-Hellman, the terminal sends a second nonce t and both
//! sides map the pair (s, t) straight to the new generator — through a
//! pseudo-random function built from the block cipher, then, on curves,
//! the simplified SWU point encoding (p ≡ 3 mod 4), or in MODP groups the
//! exponent (p − 1)/q.
//!
//! Served: AES-128 (the integrated mapping's constants for the larger keys
//! and 3DES are not implemented; such chips fall back to another PACE
//! they offer, or to BAC).

use num_bigint::BigUint;

use crate::pace::PaceCipher;
use crate::weierstrass::{self, Domain};

const C0_128: [u8; 16] =
    [0xA6, 0x68, 0x89, 0x2A, 0x7C, 0x41, 0xE3, 0xCA, 0x73, 0x9F, 0x40, 0xB0, 0x57, 0xD8, 0x59, 0x04];
const C1_128: [u8; 16] =
    [0xA4, 0xE1, 0x36, 0xAC, 0x72, 0x5F, 0x73, 0x8B, 0x01, 0xC1, 0xF6, 0x02, 0x17, 0xC1, 0x88, 0xAD];

fn aes(key: &[u8], data: &[u8; 16]) -> [u8; 16] {
    let mut block = *data;
    crate::sm::aes_block(key, &mut block, true);
    block
}

/// R_p(s, t): the pseudo-random number in [0, p) from the chip's nonce s
/// and the terminal's nonce t. `None` for ciphers not served or nonces
/// that are not one block.
pub fn pseudo_random(cipher: PaceCipher, s: &[u8], t: &[u8], p: &BigUint) -> Option<BigUint> {
    if cipher != PaceCipher::Aes128 {
        return None;
    }
    let s: &[u8; 16] = s.try_into().ok()?;
    if t.len() != 16 {
        return None;
    }
    // Enough output blocks for 64 bits more than p has.
    let blocks = (p.bits() as usize + 64).div_ceil(128);
    let mut key = aes(t, s);
    let mut out = Vec::with_capacity(blocks * 16);
    for _ in 0..blocks {
        out.extend_from_slice(&aes(&key, &C1_128));
        key = aes(&key, &C0_128);
    }
    Some(BigUint::from_bytes_be(&out) % p)
}

/// The point encoding f_G of a field element: simplified SWU, for curves
/// with p ≡ 3 (mod 4) and a ≠ 0. `None` where it does not apply.
pub fn encode_point(domain: &Domain, t: &BigUint) -> Option<(BigUint, BigUint)> {
    let p = &domain.p;
    if !p.bit(0) || !p.bit(1) || domain.a == BigUint::ZERO || *t == BigUint::ZERO {
        return None;
    }
    let m = |x: &BigUint, y: &BigUint| (x * y) % p;
    let neg = |x: &BigUint| (p - (x % p)) % p;
    let inv = |x: &BigUint| x.modinv(p);
    let alpha = neg(&m(t, t));
    let denominator = (m(&alpha, &alpha) + &alpha) % p;
    let one = BigUint::from(1u8);
    let x2 = m(&neg(&m(&domain.b, &inv(&domain.a)?)), &((&one + inv(&denominator)?) % p));
    let x3 = m(&alpha, &x2);
    let curve = |x: &BigUint| (m(&m(x, x), x) + m(&domain.a, x) + &domain.b) % p;
    let h2 = curve(&x2);
    let u = m(&m(&m(t, t), t), &h2);
    // A = h2^(p − 1 − (p + 1)/4)
    let exponent = p - &one - ((p + &one) >> 2);
    let a = h2.modpow(&exponent, p);
    let (x, y) = if m(&m(&a, &a), &h2) == one { (x2, m(&a, &h2)) } else { (x3, m(&a, &u)) };
    domain.contains(&x, &y).then_some((x, y))
}

/// The mapped generator on the curve of `parameter_id`, SEC1-encoded.
pub fn map_curve(parameter_id: u8, cipher: PaceCipher, s: &[u8], t: &[u8]) -> Option<Vec<u8>> {
    let domain = weierstrass::by_parameter_id(parameter_id)?;
    let r = pseudo_random(cipher, s, t, &domain.p)?;
    let (x, y) = encode_point(&domain, &r)?;
    Some(domain.encode(&x, &y))
}

/// The mapped generator in the MODP group of `parameter_id` (0–2):
/// R_p(s, t)^((p − 1)/q).
pub fn map_modp(parameter_id: u8, cipher: PaceCipher, s: &[u8], t: &[u8]) -> Option<Vec<u8>> {
    let group = match parameter_id {
        0 => crate::modp::rfc5114_1024_160(),
        1 => crate::modp::rfc5114_2048_224(),
        2 => crate::modp::rfc5114_2048_256(),
        _ => return None,
    };
    let r = pseudo_random(cipher, s, t, &group.p)?;
    let exponent = (&group.p - 1u8) / &group.q;
    let g = r.modpow(&exponent, &group.p);
    (g > BigUint::from(1u8)).then(|| group.encode(&g))
}

/// The mapped generator for PACE-IM in the group of `parameter_id`.
pub fn map(parameter_id: u8, cipher: PaceCipher, s: &[u8], t: &[u8]) -> Option<Vec<u8>> {
    if crate::pace::is_dh_parameter(parameter_id) {
        map_modp(parameter_id, cipher, s, t)
    } else {
        map_curve(parameter_id, cipher, s, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curves;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// ICAO 9303-11 Appendix H (PACE-ECDH-IM, brainpoolP256r1, AES-128):
    /// the nonce, the mapped generator, the terminal's key on it, the
    /// session keys and both tokens.
    #[test]
    fn appendix_h() {
        let cipher = PaceCipher::Aes128;
        let k_pi = h("591468CDA83D65219CCCB8560233600F");
        let s = crate::pace::aes_decrypt_cbc(&k_pi, &[0; 16], &h("143DC40C08C8E891FBED7DEDB92B64AD")).unwrap();
        assert_eq!(hex::encode_upper(&s), "2923BE84E16CD6AE529049F1F1BBE9EB");
        let t = h("5DD4CBFC96F5453B130D890A1CDBAE32");
        let mapped = map(13, cipher, &s, &t).unwrap();
        assert_eq!(
            hex::encode_upper(&mapped[1..33]),
            "8E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D427"
        );
        let curve = curves::by_parameter_id(13).unwrap();
        let sk = h("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595");
        let pk = curve.mul(&mapped, &sk).unwrap();
        assert_eq!(
            hex::encode_upper(&pk),
            "0489CBA23FFE96AA18D824627C3E934E54A9FD0B87A95D1471DC1C0ABFDCD640D46755DE9B7B778280B6BEBD57439ADFEB0E21FD4ED6DF42578C13418A59B34C37"
        );
        let chip_pk = h(
            "0467F78E5F7F7686082B293E8D087E056916D0F74BC01A5F8957D0DE45691E51E8932B69A962B52A0985AD2C0A271EE6A13A8ADDDCD1A3A994B9DED257F4D22753",
        );
        let shared = curve.shared_secret(&curve.mul(&chip_pk, &sk).unwrap());
        let (enc, mac) = (cipher.kdf(&shared, 1), cipher.kdf(&shared, 2));
        assert_eq!(hex::encode_upper(&enc), "0D3FEB33251A6370893D62AE8DAAF51B");
        assert_eq!(hex::encode_upper(&mac), "B01E89E3D9E8719E586B50B4A7506E0B");
        let oid = crate::pace::Suite { parameter_id: 13, cipher, cam: false, im: true }.oid();
        let token = |key: &[u8]| cipher.token(&mac, &crate::pace::public_key_object(&oid, key, false));
        assert_eq!(hex::encode_upper(token(&chip_pk)), "450F02B86F6A0909");
        assert_eq!(hex::encode_upper(token(&pk)), "75D4D96E8D5B0308");
    }

    #[test]
    fn mapping_lands_in_every_served_group_that_allows_it() {
        let (s, t) = ([0x11u8; 16], [0x22u8; 16]);
        for id in crate::curves::SERVED {
            let mapped = map(id, PaceCipher::Aes128, &s, &t);
            // P-224's p is 1 mod 4: the encoding does not apply.
            assert_eq!(mapped.is_some(), id != 10, "{id}");
            if let Some(g) = mapped {
                let curve = curves::by_parameter_id(id).unwrap();
                // A valid element: usable as a base.
                assert!(curve.mul(&g, &[0x05]).is_some(), "{id}");
            }
        }
        assert!(map(13, PaceCipher::Aes256, &s, &t).is_none());
    }
}
