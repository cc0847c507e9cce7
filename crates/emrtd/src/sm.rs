//! Secure messaging (ICAO 9303-11 §9.8): commands wrapped in DO'87/'85
//! (encrypted data), DO'97 (Le) and DO'8E (MAC); responses unwrapped from
//! DO'87/'85, DO'99 (status) and DO'8E, with the send sequence counter
//! stepped for each. Once secure messaging is on, a response without a
//! valid MAC is an error — never data.
//!
//! Both sides are here: the reader's (protect commands, unprotect
//! responses) and the card's (for the simulated chip).

use crate::apdu::{Command, Response, StatusWord};
use crate::bac::{Key16, SessionKeys, retail_mac, tdes_decrypt, tdes_encrypt, unpad};

/// Why a secured message cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmError {
    /// The answer came without a MAC (a plain status word, e.g. 6988).
    #[error("the chip answered without secure messaging ({0})")]
    Unprotected(StatusWord),
    /// The MAC does not match: a damaged or forged message.
    #[error("the message's MAC is wrong")]
    Mac,
    /// The data objects are not as the standard lays them out.
    #[error("the secured message is malformed")]
    Malformed,
}

/// One BER-TLV data object at the start of `bytes`: (tag, value, rest).
fn object(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7F => (usize::from(first), rest),
        0x81 => (usize::from(*rest.first()?), &rest[1..]),
        0x82 => (usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?])), rest.get(2..)?),
        _ => return None,
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

fn push_object(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    match value.len() {
        0..=0x7F => out.push(value.len() as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, value.len() as u8]),
        n => {
            out.push(0x82);
            out.extend_from_slice(&(n.min(0xFFFF) as u16).to_be_bytes());
        }
    }
    out.extend_from_slice(value);
}

/// The data objects of one secured message.
struct Objects<'a> {
    /// DO'87 or DO'85: (tag, value).
    data: Option<(u8, &'a [u8])>,
    /// DO'99 (a response's status) or DO'97 (a command's Le).
    other: Option<&'a [u8]>,
    /// DO'8E.
    mac: Option<&'a [u8]>,
    /// The bytes the MAC covers (every object but DO'8E).
    covered: Vec<u8>,
}

/// Splits a secured message into its data objects; `other` is the tag
/// allowed besides the data and the MAC (0x99 in responses, 0x97 in
/// commands).
fn split(mut rest: &[u8], other: u8) -> Result<Objects<'_>, SmError> {
    let mut objects = Objects { data: None, other: None, mac: None, covered: Vec::new() };
    while !rest.is_empty() {
        let (tag, value, tail) = object(rest).ok_or(SmError::Malformed)?;
        let whole = &rest[..rest.len() - tail.len()];
        match tag {
            0x87 | 0x85 => objects.data = Some((tag, value)),
            t if t == other => objects.other = Some(value),
            0x8E => objects.mac = Some(value),
            _ => return Err(SmError::Malformed),
        }
        if tag != 0x8E {
            objects.covered.extend_from_slice(whole);
        }
        rest = tail;
    }
    Ok(objects)
}

/// The data object for `data`: DO'85 for an odd instruction, else DO'87
/// with its padding-indicator byte 01.
fn push_encrypted(out: &mut Vec<u8>, ins: u8, encrypted: &[u8]) {
    if ins % 2 == 1 {
        push_object(out, 0x85, encrypted);
    } else {
        let mut value = vec![0x01];
        value.extend_from_slice(encrypted);
        push_object(out, 0x87, &value);
    }
}

/// The keys of a channel: 3DES after BAC, AES after PACE or CA.
#[derive(Clone, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
enum Keys {
    Tdes { enc: Key16, mac: Key16 },
    Aes { enc: Vec<u8>, mac: Vec<u8> },
}

/// The keys and counter of one secure channel.
#[derive(Clone, zeroize::ZeroizeOnDrop)]
pub struct Channel {
    keys: Keys,
    ssc: Vec<u8>,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Channel(..)")
    }
}

fn increment(ssc: &mut [u8]) {
    for b in ssc.iter_mut().rev() {
        *b = b.wrapping_add(1);
        if *b != 0 {
            break;
        }
    }
}

/// ISO/IEC 9797-1 padding method 2 to `block` bytes.
fn pad_to(data: &[u8], block: usize) -> Vec<u8> {
    let mut out = data.to_vec();
    out.push(0x80);
    while !out.len().is_multiple_of(block) {
        out.push(0);
    }
    out
}

/// One AES block operation with a key of 16, 24 or 32 bytes.
pub(crate) fn aes_block(key: &[u8], block: &mut [u8; 16], encrypt: bool) {
    use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
    let b = aes::Block::from_mut_slice(block);
    macro_rules! run {
        ($cipher:ty) => {{
            if let Ok(c) = <$cipher>::new_from_slice(key) {
                if encrypt { c.encrypt_block(b) } else { c.decrypt_block(b) }
            }
        }};
    }
    match key.len() {
        16 => run!(aes::Aes128),
        24 => run!(aes::Aes192),
        _ => run!(aes::Aes256),
    }
}

/// AES-CMAC of `data`, the first 8 bytes.
pub(crate) fn aes_cmac8(key: &[u8], data: &[u8]) -> [u8; 8] {
    use cmac::Mac;
    macro_rules! run {
        ($cipher:ty) => {{
            match <cmac::Cmac<$cipher> as Mac>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(data);
                    m.finalize().into_bytes().to_vec()
                }
                Err(_) => vec![0; 16],
            }
        }};
    }
    let full = match key.len() {
        16 => run!(aes::Aes128),
        24 => run!(aes::Aes192),
        _ => run!(aes::Aes256),
    };
    let mut out = [0u8; 8];
    out.copy_from_slice(&full[..8]);
    out
}

impl Channel {
    /// A 3DES channel from BAC's session keys.
    pub fn new(keys: &SessionKeys) -> Self {
        Self { keys: Keys::Tdes { enc: keys.enc, mac: keys.mac }, ssc: keys.ssc.to_vec() }
    }

    /// An AES channel (after PACE or Chip Authentication): keys of 16, 24
    /// or 32 bytes, the counter starting at zero. `None` for other lengths.
    pub fn aes(enc: &[u8], mac: &[u8]) -> Option<Self> {
        let ok = |k: &[u8]| matches!(k.len(), 16 | 24 | 32);
        (ok(enc) && ok(mac) && enc.len() == mac.len())
            .then(|| Self { keys: Keys::Aes { enc: enc.to_vec(), mac: mac.to_vec() }, ssc: vec![0; 16] })
    }

    fn block(&self) -> usize {
        match self.keys {
            Keys::Tdes { .. } => 8,
            Keys::Aes { .. } => 16,
        }
    }

    /// Steps the send sequence counter: once per message, before it is
    /// encrypted (AES takes its IV from the counter) and MACed.
    fn step(&mut self) {
        increment(&mut self.ssc);
    }

    /// The MAC over the counter and `parts`, padded.
    fn mac_over(&self, parts: &[&[u8]]) -> [u8; 8] {
        let mut n = self.ssc.clone();
        for p in parts {
            n.extend_from_slice(p);
        }
        let n = pad_to(&n, self.block());
        match &self.keys {
            Keys::Tdes { mac, .. } => retail_mac(mac, &n),
            Keys::Aes { mac, .. } => aes_cmac8(mac, &n),
        }
    }

    /// Pads and encrypts: 3DES-CBC with a zero IV, or AES-CBC with the
    /// counter encrypted as IV.
    fn encrypt(&self, plain: &[u8]) -> Vec<u8> {
        let data = pad_to(plain, self.block());
        match &self.keys {
            Keys::Tdes { enc, .. } => tdes_encrypt(enc, &data),
            Keys::Aes { enc, .. } => {
                let mut prev = [0u8; 16];
                prev.copy_from_slice(&self.ssc);
                aes_block(enc, &mut prev, true);
                let mut out = Vec::with_capacity(data.len());
                for chunk in data.chunks_exact(16) {
                    let mut b = [0u8; 16];
                    for i in 0..16 {
                        b[i] = chunk[i] ^ prev[i];
                    }
                    aes_block(enc, &mut b, true);
                    out.extend_from_slice(&b);
                    prev = b;
                }
                out
            }
        }
    }

    /// Decrypts and unpads; `None` when the padding is wrong.
    fn decrypt_raw(&self, encrypted: &[u8]) -> Option<Vec<u8>> {
        if encrypted.is_empty() || !encrypted.len().is_multiple_of(self.block()) {
            return None;
        }
        let plain = match &self.keys {
            Keys::Tdes { enc, .. } => tdes_decrypt(enc, encrypted),
            Keys::Aes { enc, .. } => {
                let mut prev = [0u8; 16];
                prev.copy_from_slice(&self.ssc);
                aes_block(enc, &mut prev, true);
                let mut out = Vec::with_capacity(encrypted.len());
                for chunk in encrypted.chunks_exact(16) {
                    let mut b = [0u8; 16];
                    b.copy_from_slice(chunk);
                    aes_block(enc, &mut b, false);
                    for i in 0..16 {
                        out.push(b[i] ^ prev[i]);
                    }
                    prev.copy_from_slice(chunk);
                }
                out
            }
        };
        unpad(&plain).map(<[u8]>::to_vec)
    }

    /// Wraps a command (the reader's side).
    pub fn protect(&mut self, cmd: &Command) -> Command {
        let cla = cmd.cla | 0x0C;
        let header = pad_to(&[cla, cmd.ins, cmd.p1, cmd.p2], self.block());
        let mut objects = Vec::new();
        self.step();
        if !cmd.data.is_empty() {
            push_encrypted(&mut objects, cmd.ins, &self.encrypt(&cmd.data));
        }
        if let Some(le) = cmd.le {
            let le_bytes =
                if le > 256 { ((le % 65_536) as u16).to_be_bytes().to_vec() } else { vec![(le % 256) as u8] };
            push_object(&mut objects, 0x97, &le_bytes);
        }
        let cc = self.mac_over(&[&header, &objects]);
        push_object(&mut objects, 0x8E, &cc);
        // Le of the protected command: 00 (or 0000 when extended).
        let le = if cmd.is_extended() || objects.len() > 255 { 65_536 } else { 256 };
        Command { cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: objects, le: Some(le) }
    }

    /// Unwraps a response (the reader's side): the data and status word,
    /// or an error — never unchecked data.
    pub fn unprotect(&mut self, response: &Response) -> Result<Response, SmError> {
        if response.data.is_empty() {
            // A plain status word: the chip dropped secure messaging.
            return Err(SmError::Unprotected(response.sw));
        }
        let objects = split(&response.data, 0x99)?;
        let mac = objects.mac.ok_or(SmError::Unprotected(response.sw))?;
        self.step();
        if mac != self.mac_over(&[&objects.covered]) {
            return Err(SmError::Mac);
        }
        let sw = match objects.other {
            Some([a, b]) => StatusWord::from_u16(u16::from_be_bytes([*a, *b])),
            _ => response.sw,
        };
        let data = match objects.data {
            None => Vec::new(),
            Some(object) => self.decrypt(object)?,
        };
        Ok(Response { data, sw })
    }

    /// The plain data of a DO'87 (after its 01) or DO'85.
    fn decrypt(&self, (tag, value): (u8, &[u8])) -> Result<Vec<u8>, SmError> {
        let encrypted = match (tag, value.split_first()) {
            (0x87, Some((0x01, e))) => e,
            (0x85, _) => value,
            _ => return Err(SmError::Malformed),
        };
        self.decrypt_raw(encrypted).ok_or(SmError::Malformed)
    }

    /// Opens a protected command (the card's side): checks its MAC and
    /// decrypts its data. An error means the card must answer 6988 and end
    /// the session.
    pub fn open_command(&mut self, cmd: &Command) -> Result<Command, SmError> {
        if cmd.cla & 0x0C != 0x0C {
            return Err(SmError::Unprotected(StatusWord::Ok));
        }
        let header = pad_to(&[cmd.cla, cmd.ins, cmd.p1, cmd.p2], self.block());
        let objects = split(&cmd.data, 0x97)?;
        let mac = objects.mac.ok_or(SmError::Malformed)?;
        self.step();
        if mac != self.mac_over(&[&header, &objects.covered]) {
            return Err(SmError::Mac);
        }
        let mut plain = Command::new(cmd.cla & !0x0C, cmd.ins, cmd.p1, cmd.p2);
        if let Some(object) = objects.data {
            plain.data = self.decrypt(object)?;
        }
        plain.le = match objects.other {
            None => None,
            Some([0]) => Some(256),
            Some([0, 0]) => Some(65_536),
            Some([n]) => Some(u32::from(*n)),
            Some([a, b]) => Some(u32::from(u16::from_be_bytes([*a, *b]))),
            Some(_) => return Err(SmError::Malformed),
        };
        Ok(plain)
    }

    /// Seals a response (the card's side): data in DO'87 (DO'85 for an odd
    /// instruction), the status in DO'99, the MAC in DO'8E.
    pub fn seal_response(&mut self, ins: u8, response: &Response) -> Response {
        let mut objects = Vec::new();
        self.step();
        if !response.data.is_empty() {
            push_encrypted(&mut objects, ins, &self.encrypt(&response.data));
        }
        push_object(&mut objects, 0x99, &response.sw.to_u16().to_be_bytes());
        let cc = self.mac_over(&[&objects]);
        push_object(&mut objects, 0x8E, &cc);
        Response { data: objects, sw: StatusWord::Ok }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apdu::ins;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    fn appendix_d() -> Channel {
        Channel::new(&SessionKeys {
            enc: h("979EC13B1CBFE9DCD01AB0FED307EAE5").try_into().unwrap(),
            mac: h("F1CB1F1FB5ADF208806B89DC579DC1F8").try_into().unwrap(),
            ssc: h("887022120C06C226").try_into().unwrap(),
        })
    }

    fn response(hex_bytes: &str) -> Response {
        Response::parse(&h(hex_bytes)).unwrap()
    }

    /// ICAO 9303-11 Appendix D.4: SELECT EF.COM, READ BINARY of 4 bytes,
    /// READ BINARY of the remaining 18, byte for byte.
    #[test]
    fn appendix_d4_reads_ef_com() {
        let mut sm = appendix_d();
        let select = sm.protect(&Command::new(0x00, ins::SELECT, 0x02, 0x0C).data([0x01, 0x1E]));
        assert_eq!(hex::encode_upper(select.to_bytes()), "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800");
        let r = sm.unprotect(&response("990290008E08FA855A5D4C50A8ED9000")).unwrap();
        assert_eq!((r.data.len(), r.sw), (0, StatusWord::Ok));

        let read = sm.protect(&Command::new(0x00, ins::READ_BINARY, 0x00, 0x00).le(4));
        assert_eq!(hex::encode_upper(read.to_bytes()), "0CB000000D9701048E08ED6705417E96BA5500");
        let r = sm.unprotect(&response("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")).unwrap();
        assert_eq!(hex::encode_upper(&r.data), "60145F01");

        let rest = sm.protect(&Command::new(0x00, ins::READ_BINARY, 0x00, 0x04).le(18));
        assert_eq!(hex::encode_upper(rest.to_bytes()), "0CB000040D9701128E082EA28A70F3C7B53500");
        let r = sm
            .unprotect(&response(
                "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
            ))
            .unwrap();
        assert_eq!(hex::encode_upper(&r.data), "04303130365F36063034303030305C026175");
    }

    /// NIST SP 800-38B (CMAC) and SP 800-38A (AES ECB) examples, AES-128.
    #[test]
    fn aes_building_blocks_match_nist() {
        let key = h("2b7e151628aed2a6abf7158809cf4f3c");
        assert_eq!(hex::encode(aes_cmac8(&key, &[])), "bb1d6929e9593728");
        assert_eq!(hex::encode(aes_cmac8(&key, &h("6bc1bee22e409f96e93d7e117393172a"))), "070a16b46b4d4144");
        let mut block: [u8; 16] = h("6bc1bee22e409f96e93d7e117393172a").try_into().unwrap();
        aes_block(&key, &mut block, true);
        assert_eq!(hex::encode(block), "3ad77bb40d7a3660a89ecaf32466ef97");
        aes_block(&key, &mut block, false);
        assert_eq!(hex::encode(block), "6bc1bee22e409f96e93d7e117393172a");
        assert!(Channel::aes(&key, &key[..15]).is_none());
    }

    /// AES channels: the IV comes from the counter, so the same data never
    /// encrypts the same way twice; both sides agree for every key length.
    #[test]
    fn aes_channels_agree_and_vary() {
        for len in [16, 24, 32] {
            let (enc, mac): (Vec<u8>, Vec<u8>) =
                ((0..len).map(|i| i as u8).collect(), (0..len).map(|i| 0xA0 ^ i as u8).collect());
            let mut reader = Channel::aes(&enc, &mac).unwrap();
            let mut card = Channel::aes(&enc, &mac).unwrap();
            let cmd = Command::new(0x00, 0x88, 0, 0).data(vec![0x42; 40]).le(256);
            let first = reader.protect(&cmd);
            assert_eq!(card.open_command(&first).unwrap(), cmd, "AES-{}", len * 8);
            let answer = Response { data: vec![0x17; 200], sw: StatusWord::Ok };
            let sealed = card.seal_response(cmd.ins, &answer);
            assert_eq!(reader.unprotect(&sealed).unwrap(), answer);
            let second = reader.protect(&cmd);
            assert_ne!(first.data, second.data, "a new counter, a new IV");
            assert_eq!(card.open_command(&second).unwrap(), cmd);
            // A tampered answer is refused.
            let mut bad = card.seal_response(cmd.ins, &answer);
            bad.data[5] ^= 1;
            assert_eq!(reader.unprotect(&bad), Err(SmError::Mac));
        }
    }

    /// The card's side undoes what the reader's side does, and the reader's
    /// side accepts what the card's side seals — for every data length.
    #[test]
    fn both_sides_agree() {
        let (mut reader, mut card) = (appendix_d(), appendix_d());
        for len in [0usize, 1, 7, 8, 9, 200, 255, 300, 1000] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut cmd = Command::new(0x00, ins::READ_BINARY_ODD, 0x00, 0x00).le(if len > 200 { 4000 } else { 223 });
            if len > 0 {
                cmd = cmd.data(data.clone());
            }
            let opened = card.open_command(&Command::parse(&reader.protect(&cmd).to_bytes()).unwrap()).unwrap();
            assert_eq!(opened, cmd, "{len}");
            let answer = Response { data: data.clone(), sw: StatusWord::EndOfFile };
            let sealed = card.seal_response(cmd.ins, &answer);
            assert_eq!(reader.unprotect(&Response::parse(&sealed.to_bytes()).unwrap()).unwrap(), answer);
        }
        // A command forged in transit is refused by the card.
        let mut bytes = reader.protect(&Command::new(0, ins::SELECT, 2, 0x0C).data([1, 0x1E])).to_bytes();
        bytes[7] ^= 0x40;
        assert_eq!(card.open_command(&Command::parse(&bytes).unwrap()), Err(SmError::Mac));
    }

    #[test]
    fn an_unprotected_or_forged_answer_is_never_data() {
        let mut sm = appendix_d();
        sm.protect(&Command::new(0x00, ins::SELECT, 0x02, 0x0C).data([0x01, 0x1E]));
        assert_eq!(sm.unprotect(&response("6988")), Err(SmError::Unprotected(StatusWord::SmObjectsIncorrect)));

        let mut sm = appendix_d();
        sm.protect(&Command::new(0x00, ins::SELECT, 0x02, 0x0C).data([0x01, 0x1E]));
        sm.unprotect(&response("990290008E08FA855A5D4C50A8ED9000")).unwrap();
        sm.protect(&Command::new(0x00, ins::READ_BINARY, 0x00, 0x00).le(4));
        // One bit of the encrypted data flipped.
        assert_eq!(
            sm.unprotect(&response("8709019FF0EC34F9922650990290008E08AD55CC17140B2DED9000")),
            Err(SmError::Mac)
        );
        // Data without a MAC.
        let mut sm2 = appendix_d();
        assert_eq!(sm2.unprotect(&response("8709019FF0EC34F99226519000")), Err(SmError::Unprotected(StatusWord::Ok)));
        // Garbage of every length never panics.
        let mut sm3 = appendix_d();
        for len in 0..64u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37).wrapping_add(0x85)).chain([0x90, 0x00]).collect();
            let _ = sm3.unprotect(&Response::parse(&bytes).unwrap());
        }
    }
}
