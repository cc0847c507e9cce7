//! Basic Access Control (ICAO 9303-11 §4.3 and §9.7): keys from the MRZ,
//! the mutual authentication, and the session keys it leaves behind.

use des::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use des::{Des, TdesEde2};
use sha1::{Digest, Sha1};

use crate::mrz::AccessKey;

/// A 16-byte two-key 3DES key (K1 ‖ K2).
pub type Key16 = [u8; 16];

/// Sets each byte's lowest bit so the byte has odd parity (DES keys).
fn odd_parity(key: &mut [u8]) {
    for b in key {
        let ones = (*b & 0xFE).count_ones();
        *b = (*b & 0xFE) | u8::from(ones % 2 == 0);
    }
}

/// The 3DES key derivation (ICAO 9303-11 §9.7.1): SHA-1 of the seed and
/// a 32-bit counter, first 16 bytes, parity adjusted.
pub fn kdf_3des(seed: &[u8], counter: u32) -> Key16 {
    let mut hash = Sha1::new();
    hash.update(seed);
    hash.update(counter.to_be_bytes());
    let digest = hash.finalize();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    odd_parity(&mut key);
    key
}

/// The counter for an encryption key.
pub const ENC: u32 = 1;
/// The counter for a MAC key.
pub const MAC: u32 = 2;

/// The document's basic access keys (from its MRZ).
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct BacKeys {
    /// K_seed.
    pub seed: Key16,
    /// K_enc.
    pub enc: Key16,
    /// K_mac.
    pub mac: Key16,
}

impl std::fmt::Debug for BacKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BacKeys(..)")
    }
}

impl BacKeys {
    /// K_seed = SHA-1(MRZ information)[0..16], and the two keys from it.
    pub fn from_access_key(key: &AccessKey) -> Self {
        let digest = Sha1::digest(key.mrz_information().as_bytes());
        let mut seed = [0u8; 16];
        seed.copy_from_slice(&digest[..16]);
        Self { seed, enc: kdf_3des(&seed, ENC), mac: kdf_3des(&seed, MAC) }
    }
}

/// ISO/IEC 9797-1 padding method 2: 0x80, then zeros to a multiple of 8.
pub fn pad(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 8);
    out.extend_from_slice(data);
    out.push(0x80);
    while out.len() % 8 != 0 {
        out.push(0);
    }
    out
}

/// Removes method-2 padding; `None` when there is none.
pub fn unpad(data: &[u8]) -> Option<&[u8]> {
    let end = data.iter().rposition(|b| *b != 0)?;
    (data[end] == 0x80).then(|| &data[..end])
}

/// 3DES-CBC encryption with a zero IV; `data` must be whole blocks.
pub fn tdes_encrypt(key: &Key16, data: &[u8]) -> Vec<u8> {
    let cipher = TdesEde2::new(key.into());
    let mut prev = [0u8; 8];
    let mut out = Vec::with_capacity(data.len());
    for block in data.chunks_exact(8) {
        let mut b = [0u8; 8];
        for i in 0..8 {
            b[i] = block[i] ^ prev[i];
        }
        let mut ga = b.into();
        cipher.encrypt_block(&mut ga);
        prev.copy_from_slice(&ga);
        out.extend_from_slice(&ga);
    }
    out
}

/// 3DES-CBC decryption with a zero IV; `data` must be whole blocks.
pub fn tdes_decrypt(key: &Key16, data: &[u8]) -> Vec<u8> {
    let cipher = TdesEde2::new(key.into());
    let mut prev = [0u8; 8];
    let mut out = Vec::with_capacity(data.len());
    for block in data.chunks_exact(8) {
        let mut ga = (*<&[u8; 8]>::try_from(block).unwrap_or(&[0; 8])).into();
        cipher.decrypt_block(&mut ga);
        for i in 0..8 {
            out.push(ga[i] ^ prev[i]);
        }
        prev.copy_from_slice(block);
    }
    out
}

/// The retail MAC (ISO/IEC 9797-1 MAC algorithm 3 with DES): single-DES
/// CBC under K1, then decrypt with K2 and encrypt with K1 on the last
/// block. `data` must already be padded.
pub fn retail_mac(key: &Key16, data: &[u8]) -> [u8; 8] {
    let k1 = Des::new(key[..8].into());
    let k2 = Des::new(key[8..].into());
    let mut h = [0u8; 8];
    for block in data.chunks_exact(8) {
        for i in 0..8 {
            h[i] ^= block[i];
        }
        let mut ga = h.into();
        k1.encrypt_block(&mut ga);
        h.copy_from_slice(&ga);
    }
    let mut ga = h.into();
    k2.decrypt_block(&mut ga);
    k1.encrypt_block(&mut ga);
    ga.into()
}

/// Why the chip's answer to EXTERNAL AUTHENTICATE is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BacError {
    /// Not 40 bytes.
    #[error("the chip's authentication answer has {0} bytes instead of 40")]
    Length(usize),
    /// Its MAC does not match: wrong MRZ, or a chip that is not talking to us.
    #[error("the chip's authentication answer does not carry a valid MAC")]
    Mac,
    /// It does not return our challenge.
    #[error("the chip did not return the reader's challenge")]
    Challenge,
}

/// The keys and counter secure messaging starts with.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct SessionKeys {
    /// KS_enc.
    pub enc: Key16,
    /// KS_mac.
    pub mac: Key16,
    /// The send sequence counter.
    pub ssc: [u8; 8],
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(..)")
    }
}

/// The reader's side of one BAC mutual authentication.
#[derive(Clone)]
pub struct BacExchange {
    keys: BacKeys,
    rnd_ic: [u8; 8],
    rnd_ifd: [u8; 8],
    k_ifd: Key16,
}

impl BacExchange {
    /// Starts from the chip's GET CHALLENGE answer and the reader's own
    /// random numbers (the caller takes them from the OS CSPRNG).
    pub fn new(keys: BacKeys, rnd_ic: [u8; 8], rnd_ifd: [u8; 8], k_ifd: Key16) -> Self {
        Self { keys, rnd_ic, rnd_ifd, k_ifd }
    }

    /// The data of EXTERNAL AUTHENTICATE: E_IFD ‖ M_IFD (40 bytes).
    pub fn command_data(&self) -> Vec<u8> {
        let mut s = Vec::with_capacity(32);
        s.extend_from_slice(&self.rnd_ifd);
        s.extend_from_slice(&self.rnd_ic);
        s.extend_from_slice(&self.k_ifd);
        let e = tdes_encrypt(&self.keys.enc, &s);
        let m = retail_mac(&self.keys.mac, &pad(&e));
        let mut out = e;
        out.extend_from_slice(&m);
        out
    }

    /// Checks the chip's answer and derives the session keys.
    pub fn finish(&self, response: &[u8]) -> Result<SessionKeys, BacError> {
        if response.len() != 40 {
            return Err(BacError::Length(response.len()));
        }
        let (e, m) = response.split_at(32);
        if retail_mac(&self.keys.mac, &pad(e)) != m {
            return Err(BacError::Mac);
        }
        let r = tdes_decrypt(&self.keys.enc, e);
        if r[..8] != self.rnd_ic || r[8..16] != self.rnd_ifd {
            return Err(BacError::Challenge);
        }
        let mut seed = [0u8; 16];
        for i in 0..16 {
            seed[i] = self.k_ifd[i] ^ r[16 + i];
        }
        let mut ssc = [0u8; 8];
        ssc[..4].copy_from_slice(&self.rnd_ic[4..]);
        ssc[4..].copy_from_slice(&self.rnd_ifd[4..]);
        Ok(SessionKeys { enc: kdf_3des(&seed, ENC), mac: kdf_3des(&seed, MAC), ssc })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h<const N: usize>(s: &str) -> [u8; N] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    /// ICAO 9303-11 Appendix D.2 and D.3.
    #[test]
    fn appendix_d_keys_and_mutual_authentication() {
        let access = AccessKey::new("L898902C", "690806", "940623").unwrap();
        let keys = BacKeys::from_access_key(&access);
        assert_eq!(keys.seed, h::<16>("239AB9CB282DAF66231DC5A4DF6BFBAE"));
        assert_eq!(keys.enc, h::<16>("AB94FDECF2674FDFB9B391F85D7F76F2"));
        assert_eq!(keys.mac, h::<16>("7962D9ECE03D1ACD4C76089DCE131543"));

        let exchange =
            BacExchange::new(keys, h("4608F91988702212"), h("781723860C06C226"), h("0B795240CB7049B01C19B33E32804F0B"));
        assert_eq!(
            hex::encode_upper(exchange.command_data()),
            "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7"
        );
        let answer =
            hex::decode("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449").unwrap();
        let session = exchange.finish(&answer).unwrap();
        assert_eq!(session.enc, h::<16>("979EC13B1CBFE9DCD01AB0FED307EAE5"));
        assert_eq!(session.mac, h::<16>("F1CB1F1FB5ADF208806B89DC579DC1F8"));
        assert_eq!(session.ssc, h::<8>("887022120C06C226"));

        // A flipped bit anywhere is refused; so is a short answer.
        for i in [0, 17, 39] {
            let mut bad = answer.clone();
            bad[i] ^= 1;
            assert_eq!(exchange.finish(&bad), Err(BacError::Mac));
        }
        assert_eq!(exchange.finish(&answer[..39]), Err(BacError::Length(39)));
    }

    #[test]
    fn the_long_number_vector() {
        let access = AccessKey::new("D23145890734", "340712", "950712").unwrap();
        assert_eq!(BacKeys::from_access_key(&access).seed, h::<16>("B366AD857DDCA2B08C0E299811714730"));
    }

    #[test]
    fn padding_round_trips() {
        for len in 0..20 {
            let data: Vec<u8> = (0..len).map(|i| i as u8 + 1).collect();
            let padded = pad(&data);
            assert_eq!(padded.len() % 8, 0);
            assert_eq!(unpad(&padded), Some(data.as_slice()));
        }
        assert_eq!(unpad(&[0, 0, 0]), None);
        assert_eq!(unpad(&[1, 2, 0]), None);
    }
}
