//! PACE with generic mapping over ECDH (ICAO 9303-11 §4.4, App. G.1): the
//! password (MRZ or CAN) encrypts a nonce; a first Diffie-Hellman maps it
//! to a new generator; a second agrees the session keys; both sides prove
//! them with tokens over the other's public key. Secure messaging then
//! runs on the agreed cipher (3DES or AES).
//!
//! With DH (App. G.2) the same steps run in a MODP group: the mapping is
//! g' = g^s · h, the shared secret the whole element, and the public keys
//! travel under tag 0x84 in the tokens' key objects.
//!
//! Served: 3DES and AES-128/192/256 on every standardized domain parameter
//! id (0–2 DH; 8–18 ECDH on the NIST and brainpool curves); the integrated
//! mapping ([`crate::im`], AES-128) and Chip Authentication Mapping
//! ([`crate::cam`]) run through the same steps. The card's side is the
//! simulator's, in [`crate::sim::pace`].

use sha1::{Digest, Sha1};

use crate::curves::{self, Curve};
use crate::der;

use crate::apdu::{Command, Response, StatusWord};
use crate::mrz::AccessKey;
use crate::sm::Channel;
use crate::tlv::{self, TlvError};

/// id-PACE-ECDH-GM-AES-CBC-CMAC-128, DER content.
pub const ECDH_GM_AES_128: [u8; 10] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02];

/// Whether a standardized domain parameter id names a MODP group (DH)
/// rather than a curve.
pub fn is_dh_parameter(parameter_id: u8) -> bool {
    parameter_id <= 7
}

/// The cipher PACE agrees keys for (the last arc of the PACE OID).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaceCipher {
    /// 3DES with the retail MAC (keys by SHA-1), as on older PACE chips.
    Tdes,
    /// AES-128 (keys by SHA-1).
    #[default]
    Aes128,
    /// AES-192 (keys by SHA-256).
    Aes192,
    /// AES-256 (keys by SHA-256).
    Aes256,
}

impl PaceCipher {
    /// The PACE generic-mapping OID for this cipher, DER content: under
    /// id-PACE-DH-GM when `dh`, else id-PACE-ECDH-GM.
    pub fn oid(self, dh: bool) -> [u8; 10] {
        self.oid_for(dh, false)
    }

    /// The PACE OID for this cipher: id-PACE-ECDH-CAM when `cam`, else as
    /// [`Self::oid`].
    pub fn oid_for(self, dh: bool, cam: bool) -> [u8; 10] {
        let mut oid = ECDH_GM_AES_128;
        oid[8] = if cam {
            6
        } else if dh {
            1
        } else {
            2
        };
        oid[9] = match self {
            Self::Tdes => 1,
            Self::Aes128 => 2,
            Self::Aes192 => 3,
            Self::Aes256 => 4,
        };
        oid
    }

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Tdes | Self::Aes128 => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }

    /// The 9303 KDF for this cipher: SHA-1 for 3DES (parity adjusted) and
    /// AES-128, SHA-256 for the larger keys, cut to the key length.
    pub fn kdf(self, secret: &[u8], counter: u32) -> Vec<u8> {
        match self {
            Self::Tdes => crate::bac::kdf_3des(secret, counter).to_vec(),
            Self::Aes128 => kdf_aes128(secret, counter).to_vec(),
            _ => {
                use sha2::Digest as _;
                let mut hash = sha2::Sha256::new();
                hash.update(secret);
                hash.update(counter.to_be_bytes());
                hash.finalize()[..self.key_len()].to_vec()
            }
        }
    }

    /// Encrypts the chip's nonce under K_π (CBC, zero IV, whole blocks).
    pub(crate) fn encrypt_nonce(self, key: &[u8], nonce: &[u8]) -> Vec<u8> {
        match (self, <&[u8; 16]>::try_from(key)) {
            (Self::Tdes, Ok(key)) => crate::bac::tdes_encrypt(key, nonce),
            _ => aes_encrypt_cbc_zero_iv(key, nonce),
        }
    }

    /// Decrypts the nonce; `None` unless it is whole, non-empty blocks.
    fn decrypt_nonce(self, key: &[u8], z: &[u8]) -> Option<Vec<u8>> {
        match self {
            Self::Tdes => {
                let key = <&[u8; 16]>::try_from(key).ok()?;
                (!z.is_empty() && z.len().is_multiple_of(8)).then(|| crate::bac::tdes_decrypt(key, z))
            }
            _ => aes_decrypt_cbc_zero_iv(key, z),
        }
    }

    /// The authentication token over a public key data object: the retail
    /// MAC of the padded object for 3DES, CMAC cut to 8 bytes for AES.
    pub fn token(self, mac_key: &[u8], object: &[u8]) -> [u8; 8] {
        match (self, <&[u8; 16]>::try_from(mac_key)) {
            (Self::Tdes, Ok(key)) => crate::bac::retail_mac(key, &crate::bac::pad(object)),
            _ => cmac8(mac_key, object),
        }
    }

    /// The secure channel on the agreed keys, its counter at zero.
    pub fn channel(self, enc: &[u8], mac: &[u8]) -> Option<Channel> {
        match self {
            Self::Tdes => Some(Channel::new(&crate::bac::SessionKeys {
                enc: enc.try_into().ok()?,
                mac: mac.try_into().ok()?,
                ssc: [0; 8],
            })),
            _ => Channel::aes(enc, mac),
        }
    }
}
/// A PACE variant to run: the group, the cipher, and whether the mapping
/// is Chip Authentication Mapping (else generic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    /// Standardized domain parameter id.
    pub parameter_id: u8,
    /// Cipher.
    pub cipher: PaceCipher,
    /// PACE-CAM (ECDH only).
    pub cam: bool,
    /// Integrated mapping (AES-128 only).
    pub im: bool,
}

impl Suite {
    /// Generic mapping.
    pub fn gm(parameter_id: u8, cipher: PaceCipher) -> Self {
        Self { parameter_id, cipher, cam: false, im: false }
    }

    /// The OID MSE:Set AT names and the tokens cover.
    pub fn oid(&self) -> [u8; 10] {
        let dh = is_dh_parameter(self.parameter_id);
        let mut oid = self.cipher.oid_for(dh, self.cam);
        if self.im {
            oid[8] = if dh { 3 } else { 4 };
        }
        oid
    }
}

/// The PACE this reader runs among the SecurityInfos of EF.CardAccess:
/// Chip Authentication Mapping when offered (it proves the chip in the same
/// run), else the first generic mapping, with a standardized parameter id
/// it serves and a key agreement that matches the id. `None` when there is
/// none (then BAC).
pub fn choose(infos: &[crate::security_infos::SecurityInfo]) -> Option<Suite> {
    use crate::security_infos::Mapping;
    choose_mapping(infos, Mapping::ChipAuthentication)
        .or_else(|| choose_mapping(infos, Mapping::Generic))
        .or_else(|| choose_mapping(infos, Mapping::Integrated))
}

fn choose_mapping(
    infos: &[crate::security_infos::SecurityInfo],
    wanted: crate::security_infos::Mapping,
) -> Option<Suite> {
    use crate::security_infos::{Agreement, Cipher, Mapping, SecurityInfo};
    infos.iter().find_map(|info| match info {
        SecurityInfo::Pace { mapping, agreement, cipher, parameter_id: Some(id), .. } if *mapping == wanted => {
            let id = u8::try_from(*id).ok()?;
            let group = curves::by_parameter_id(id)?;
            if group.is_dh() != (*agreement == Agreement::Dh) {
                return None;
            }
            let cam = *mapping == Mapping::ChipAuthentication;
            let im = *mapping == Mapping::Integrated;
            if (cam && (group.is_dh() || *cipher == Cipher::Tdes)) || (im && *cipher != Cipher::Aes128) {
                return None;
            }
            let cipher = match cipher {
                Cipher::Tdes => PaceCipher::Tdes,
                Cipher::Aes128 => PaceCipher::Aes128,
                Cipher::Aes192 => PaceCipher::Aes192,
                Cipher::Aes256 => PaceCipher::Aes256,
            };
            Some(Suite { parameter_id: id, cipher, cam, im })
        }
        _ => None,
    })
}

/// brainpoolP256r1's standardized domain parameter id.
pub const BRAINPOOL_P256R1: u8 = 13;

/// The PACE password.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub enum Password {
    /// From the MRZ.
    Mrz(AccessKey),
    /// The card access number printed on the card.
    Can(String),
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Mrz(_) => "Password::Mrz(..)",
            Self::Can(_) => "Password::Can(..)",
        })
    }
}

impl Password {
    /// The password reference of MSE:Set AT (MRZ 1, CAN 2).
    pub fn reference(&self) -> u8 {
        match self {
            Self::Mrz(_) => 0x01,
            Self::Can(_) => 0x02,
        }
    }

    /// K_π: the key the nonce is encrypted under.
    pub fn key(&self, cipher: PaceCipher) -> Vec<u8> {
        let secret = match self {
            Self::Mrz(key) => Sha1::digest(key.mrz_information().as_bytes()).to_vec(),
            Self::Can(can) => can.as_bytes().to_vec(),
        };
        cipher.kdf(&secret, 3)
    }
}

/// The AES-128 key derivation: SHA-1 of the secret and a 32-bit counter,
/// first 16 bytes.
pub fn kdf_aes128(secret: &[u8], counter: u32) -> [u8; 16] {
    let mut hash = Sha1::new();
    hash.update(secret);
    hash.update(counter.to_be_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&hash.finalize()[..16]);
    key
}

/// Why PACE did not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaceError {
    /// The chip answered a step with an error status.
    #[error("the chip refused PACE step {step}: {sw}")]
    Refused {
        /// 0 for MSE:Set AT, 1–4 for the GENERAL AUTHENTICATE steps.
        step: u8,
        /// Its status.
        sw: StatusWord,
    },
    /// An answer that is not what the step returns.
    #[error("the chip's answer to PACE step {0} is malformed")]
    Malformed(u8),
    /// A point not on the curve, or the chip echoing our own key.
    #[error("the chip sent an invalid public key in PACE step {0}")]
    BadKey(u8),
    /// The chip's token does not match: wrong password (MRZ or CAN).
    #[error("the chip's PACE token does not match: the MRZ or CAN is wrong")]
    Token,
    /// Parameters this reader does not serve yet.
    #[error("PACE with these parameters is not supported yet")]
    Unsupported,
}

impl From<TlvError> for PaceError {
    fn from(_: TlvError) -> Self {
        Self::Malformed(9)
    }
}

/// The value of a dynamic authentication data object (7C { tag value }).
pub(crate) fn dynamic_data(response: &[u8], tag: u32, step: u8) -> Result<Vec<u8>, PaceError> {
    let outer = tlv::parse(response).map_err(|_| PaceError::Malformed(step))?;
    if outer.tag != 0x7C {
        return Err(PaceError::Malformed(step));
    }
    let inner =
        outer.children().find(tag).map_err(|_| PaceError::Malformed(step))?.ok_or(PaceError::Malformed(step))?;
    Ok(inner.value.to_vec())
}

/// Dynamic authentication data: 7C { tag value }.
pub(crate) fn dynamic(tag: u8, value: &[u8]) -> Vec<u8> {
    der::tlv(&[0x7C], &der::tlv(&[tag], value))
}

fn dynamic_command(chained: bool, tag: u8, value: &[u8]) -> Command {
    Command::new(if chained { 0x10 } else { 0x00 }, 0x86, 0x00, 0x00).data(dynamic(tag, value)).le(256)
}

/// The public key data object the tokens are MACed over: 7F49 { 06 OID,
/// 86 point } on a curve, 7F49 { 06 OID, 84 value } in a MODP group.
pub(crate) fn public_key_object(oid: &[u8], point: &[u8], dh: bool) -> Vec<u8> {
    der::nest(&[0x7F, 0x49], &[&der::tlv(&[0x06], oid), &der::tlv(&[if dh { 0x84 } else { 0x86 }], point)])
}

pub(crate) fn cmac8(key: &[u8], data: &[u8]) -> [u8; 8] {
    crate::sm::aes_cmac8(key, data)
}

/// AES-CBC encryption with a zero IV of whole blocks (the card's side of
/// the nonce); keys of 16, 24 or 32 bytes.
pub(crate) fn aes_encrypt_cbc_zero_iv(key: &[u8], data: &[u8]) -> Vec<u8> {
    aes_encrypt_cbc(key, &[0; 16], data)
}

/// AES-CBC encryption of whole blocks with `iv`.
pub(crate) fn aes_encrypt_cbc(key: &[u8], iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
    let mut prev = *iv;
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks_exact(16) {
        let mut block = [0u8; 16];
        for i in 0..16 {
            block[i] = chunk[i] ^ prev[i];
        }
        crate::sm::aes_block(key, &mut block, true);
        prev = block;
        out.extend_from_slice(&block);
    }
    out
}

fn aes_decrypt_cbc_zero_iv(key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    aes_decrypt_cbc(key, &[0; 16], data)
}

/// AES-CBC decryption with `iv`; `None` unless whole, non-empty blocks.
pub(crate) fn aes_decrypt_cbc(key: &[u8], iv: &[u8; 16], data: &[u8]) -> Option<Vec<u8>> {
    if data.is_empty() || !data.len().is_multiple_of(16) {
        return None;
    }
    let mut prev = *iv;
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks_exact(16) {
        let mut block = [0u8; 16];
        block.copy_from_slice(chunk);
        crate::sm::aes_block(key, &mut block, false);
        out.extend(block.iter().zip(prev).map(|(b, p)| b ^ p));
        prev.copy_from_slice(chunk);
    }
    Some(out)
}

/// Runs PACE-GM with `cipher` in the group of `parameter_id` over
/// `send`, with the terminal's two private keys from `private_key`, which
/// is given the scalar length (the OS CSPRNG through
/// [`curves::private_key`] in use; fixed keys in known-answer tests).
/// Returns the secure channel.
pub fn perform<E: From<PaceError>>(
    send: &mut dyn FnMut(&Command) -> Result<Response, E>,
    password: &Password,
    parameter_id: u8,
    cipher: PaceCipher,
    private_key: &mut dyn FnMut(&dyn Curve) -> Vec<u8>,
) -> Result<Channel, E> {
    perform_suite(send, password, &Suite::gm(parameter_id, cipher), private_key).map(|(channel, _)| channel)
}

/// Runs PACE as `suite` says; with PACE-CAM also returns the chip's
/// authentication data for [`crate::cam::verify`] against DG14.
pub fn perform_suite<E: From<PaceError>>(
    send: &mut dyn FnMut(&Command) -> Result<Response, E>,
    password: &Password,
    suite: &Suite,
    private_key: &mut dyn FnMut(&dyn Curve) -> Vec<u8>,
) -> Result<(Channel, Option<crate::cam::CamData>), E> {
    let (parameter_id, cipher) = (suite.parameter_id, suite.cipher);
    let fail = |e: PaceError| E::from(e);
    let curve = curves::by_parameter_id(parameter_id).ok_or(fail(PaceError::Unsupported))?;
    let curve = &*curve;
    let dh = curve.is_dh();
    let oid = suite.oid();
    // MSE:Set AT — the protocol, the password, the domain parameters (0x84:
    // some chips refuse PACE without it).
    let mut set_at = vec![0x80, oid.len() as u8];
    set_at.extend_from_slice(&oid);
    set_at.extend_from_slice(&[0x83, 0x01, password.reference(), 0x84, 0x01, parameter_id]);
    let r = send(&Command::new(0x00, 0x22, 0xC1, 0xA4).data(set_at))?;
    if r.sw != StatusWord::Ok {
        return Err(fail(PaceError::Refused { step: 0, sw: r.sw }));
    }
    let step = |send: &mut dyn FnMut(&Command) -> Result<Response, E>, n: u8, cmd: Command| -> Result<Vec<u8>, E> {
        let r = send(&cmd)?;
        if r.sw == StatusWord::Ok { Ok(r.data) } else { Err(E::from(PaceError::Refused { step: n, sw: r.sw })) }
    };
    // 1: the encrypted nonce.
    let mut get_nonce = Command::new(0x10, 0x86, 0x00, 0x00).data(vec![0x7C, 0x00]);
    get_nonce.le = Some(256);
    let z = dynamic_data(&step(send, 1, get_nonce)?, 0x80, 1).map_err(fail)?;
    let s = cipher.decrypt_nonce(&password.key(cipher), &z).ok_or(fail(PaceError::Malformed(1)))?;
    let (mapped, chip_map) = if suite.im {
        // 2 (integrated): send the nonce t; both map (s, t) to G'.
        let t = private_key(curve);
        let t: Vec<u8> = t.iter().copied().cycle().take(16).collect();
        step(send, 2, dynamic_command(true, 0x81, &t))?;
        (crate::im::map(parameter_id, cipher, &s, &t).ok_or(fail(PaceError::Unsupported))?, Vec::new())
    } else {
        // 2 (generic): G' = s·G + H, H = sk_map · PK_map,IC.
        let sk_map = private_key(curve);
        let pk_map = curve.mul_generator(&sk_map).ok_or(fail(PaceError::Unsupported))?;
        let chip_map = dynamic_data(&step(send, 2, dynamic_command(true, 0x81, &pk_map))?, 0x82, 2).map_err(fail)?;
        let h = curve.mul(&chip_map, &sk_map).ok_or(fail(PaceError::BadKey(2)))?;
        let sg = curve.mul_generator(&s).ok_or(fail(PaceError::Malformed(1)))?;
        (curve.add(&sg, &h).ok_or(fail(PaceError::BadKey(2)))?, chip_map)
    };
    // 3: key agreement on G'.
    let sk = private_key(curve);
    let pk = curve.mul(&mapped, &sk).ok_or(fail(PaceError::Unsupported))?;
    let chip_pk_bytes = dynamic_data(&step(send, 3, dynamic_command(true, 0x83, &pk))?, 0x84, 3).map_err(fail)?;
    if chip_pk_bytes == pk {
        return Err(fail(PaceError::BadKey(3)));
    }
    let shared = curve.mul(&chip_pk_bytes, &sk).ok_or(fail(PaceError::BadKey(3)))?;
    let k = curve.shared_secret(&shared);
    let (ks_enc, ks_mac) = (cipher.kdf(&k, 1), cipher.kdf(&k, 2));
    // 4: tokens.
    let token = cipher.token(&ks_mac, &public_key_object(&oid, &chip_pk_bytes, dh));
    let answer = step(send, 4, dynamic_command(false, 0x85, &token))?;
    let chip_token = dynamic_data(&answer, 0x86, 4).map_err(fail)?;
    if chip_token != cipher.token(&ks_mac, &public_key_object(&oid, &pk, dh)) {
        return Err(fail(PaceError::Token));
    }
    let cam = if suite.cam {
        let encrypted = dynamic_data(&answer, 0x8A, 4).map_err(fail)?;
        Some(crate::cam::CamData { encrypted, chip_mapping_key: chip_map, ks_enc: ks_enc.clone() })
    } else {
        None
    };
    let channel = cipher.channel(&ks_enc, &ks_mac).ok_or(fail(PaceError::Unsupported))?;
    Ok((channel, cam))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// ICAO 9303-11 Appendix G.1, byte for byte: every command the terminal
    /// sends, given the chip's answers and the example's private keys.
    #[test]
    fn appendix_g1_ecdh_generic_mapping() {
        let password = Password::Mrz(AccessKey::new("T22000129", "640812", "101031").unwrap());
        assert_eq!(hex::encode_upper(password.key(PaceCipher::Aes128)), "89DED1B26624EC1E634C1989302849DD");
        let script: Vec<(&str, &str)> = vec![
            ("0022C1A412800A04007F0007020204020283010184010D", "9000"),
            ("10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
            (
                "10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
                "7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000",
            ),
            (
                "10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
                "7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000",
            ),
            ("008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C089000"),
        ];
        let mut next = 0;
        let mut send = |cmd: &Command| -> Result<Response, PaceError> {
            let (expected, answer) = script[next];
            assert_eq!(hex::encode_upper(cmd.to_bytes()), expected, "command {next}");
            next += 1;
            Ok(Response::parse(&h(answer)).unwrap())
        };
        let keys = [
            h("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99"),
            h("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595"),
        ];
        let mut k = keys.iter();
        let mut random = |_: &dyn Curve| k.next().unwrap().clone();
        assert!(perform::<PaceError>(&mut send, &password, BRAINPOOL_P256R1, PaceCipher::Aes128, &mut random).is_ok());

        // The same transcript with a wrong password ends at the token.
        let wrong = Password::Mrz(AccessKey::new("T22000129", "640812", "101030").unwrap());
        let mut step = 0;
        let mut send = |cmd: &Command| -> Result<Response, PaceError> {
            let answer = script[step].1;
            step += 1;
            let _ = cmd;
            Ok(Response::parse(&h(answer)).unwrap())
        };
        let mut k = keys.iter();
        let mut random = |_: &dyn Curve| k.next().unwrap().clone();
        assert_eq!(
            perform::<PaceError>(&mut send, &wrong, BRAINPOOL_P256R1, PaceCipher::Aes128, &mut random).err(),
            Some(PaceError::Token)
        );
    }

    /// ICAO 9303-11 Appendix G.2 (PACE-DH-GM, AES-128, the 1024-bit MODP
    /// group): every command but MSE:Set AT, which here also names the
    /// parameter id (84 01 00), byte for byte; the chip's last answer also
    /// carries a CA reference (87), which is ignored.
    #[test]
    fn appendix_g2_dh_generic_mapping() {
        let password = Password::Mrz(AccessKey::new("T22000129", "640812", "101031").unwrap());
        let t_map = "23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3EB71C343DB13D1DEBCE9A3666DBCFC920\
                     B49174A602CB47965CAA73DC702489A44D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022D\
                     CB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C";
        let c_map = "78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7\
                     B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F24\
                     49400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6";
        let t_pub = "907D89E2D425A178AA81AF4A7774EC8E388C115CAE67031E85EECE520BD911551B9AE4D04369F29A02626C86FBC6747C\
                     C7BC352645B6161A2A42D44EDA80A08FA8D61B76D3A154AD8A5A51786B0BC07147057871A922212C5F67F43173172236\
                     B7747D1671E6D692A3C7D40A0C3C5CE397545D015C175EB5130551EDBC2EE5D4";
        let c_pub = "075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152BD8B3A213F53820C42ADC79AB5D0AEEC3\
                     AEFB91394DA476BD97B9B14D0A65C1FC71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064\
                     386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1";
        let script: Vec<(String, String)> = vec![
            ("0022C1A412800A04007F00070202040102830101840100".into(), "9000".into()),
            ("10860000027C0000".into(), "7C128010854D8DF5827FA6852D1A4FA701CDDDCA9000".into()),
            (format!("10860000867C8183818180{t_map}00"), format!("7C8183828180{c_map}9000")),
            (format!("10860000867C8183838180{t_pub}00"), format!("7C8183848180{c_pub}9000")),
            (
                "008600000C7C0A8508B46DD9BD4D98381F00".into(),
                "7C1B8608917F37B5C0E6D8D1870F4445544553544356434130303030339000".into(),
            ),
        ];
        let mut next = 0;
        let mut send = |cmd: &Command| -> Result<Response, PaceError> {
            let (expected, answer) = &script[next];
            assert_eq!(hex::encode_upper(cmd.to_bytes()), *expected, "command {next}");
            next += 1;
            Ok(Response::parse(&h(answer)).unwrap())
        };
        let keys = [h("5265030F751F4AD18B08AC565FC7AC952E41618D"), h("89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA")];
        let mut k = keys.iter();
        let mut random = |_: &dyn Curve| k.next().unwrap().clone();
        let channel = perform::<PaceError>(&mut send, &password, 0, PaceCipher::Aes128, &mut random);
        assert!(channel.is_ok(), "{:?}", channel.err());
        assert_eq!(next, script.len());

        // The session keys of the example from its shared secret.
        let shared = h("6BABC7B3A72BCD7EA385E4C62DB2625BD8613B24149E146A629311C4CA6698E38B834B6A9E9CD7184BA8834AFF5043D4\
                        36950C4C1E7832367C10CB8C314D40E5990B0DF7013E64B4549E2270923D06F08CFF6BD3E977DDE6ABE4C31D55C0FA2E\
                        465E553E77BDF75E3193D3834FC26E8EB1EE2FA1E4FC97C18C3F6CFFFE2607FD"
            .replace(' ', "")
            .as_str());
        assert_eq!(hex::encode_upper(kdf_aes128(&shared, 1)), "2F7F46ADCC9E7E521B45D192FAFA9126");
        assert_eq!(hex::encode_upper(kdf_aes128(&shared, 2)), "805A1D27D45A5116F73C54469462B7D8");
    }

    #[test]
    fn session_keys_of_appendix_g1() {
        let k = h("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925");
        assert_eq!(hex::encode_upper(kdf_aes128(&k, 1)), "F5F0E35C0D7161EE6724EE513A0D9A7F");
    }
}
