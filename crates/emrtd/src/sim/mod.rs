//! The simulated chip: the card's side of an eMRTD, answering APDUs as a
//! real passport does — files with short file ids, BAC, secure messaging
//! with real error behaviour (6982 before access control, 6300 on a wrong
//! key, 6988 and the end of the session on a bad MAC) — with per-document
//! quirks and faults on demand. For demo mode, tests and benchmarks; real
//! documents are read through PC/SC.

pub mod document;
pub mod pace;

use self::pace::{CardPace, CardStep};

use std::collections::BTreeMap;

use crate::apdu::{Command, Response, StatusWord, ins};
use crate::bac::{BacKeys, SessionKeys, pad, retail_mac, tdes_decrypt, tdes_encrypt};
use crate::file::FileId;
use crate::mrz::AccessKey;
use crate::sm::Channel;
use crate::transport::{Transport, TransportError};

/// File ids of the LDS.
/// How this document's chip behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quirks {
    /// The most data one READ BINARY returns; a larger Le is refused (6700).
    pub max_le: u32,
    /// Whether extended-length APDUs are accepted.
    pub extended: bool,
    /// Whether BAC is offered (new German passports answer 6A88 without).
    pub bac: bool,
    /// Whether PACE is offered (then EF.CardAccess lists it).
    pub pace: bool,
    /// Whether MSE:Set AT without the parameter-id tag 0x84 is refused (6A87).
    pub require_parameter_id: bool,
    /// The PACE curve, as a standardized domain parameter id.
    pub parameter_id: u8,
    /// The PACE cipher.
    pub pace_cipher: crate::pace::PaceCipher,
    /// PACE with Chip Authentication Mapping instead of generic mapping
    /// (needs the Chip Authentication key).
    pub pace_cam: bool,
    /// PACE with integrated mapping instead of generic mapping.
    pub pace_im: bool,
}

impl Quirks {
    /// The PACE these quirks offer.
    pub fn suite(&self) -> crate::pace::Suite {
        crate::pace::Suite {
            parameter_id: self.parameter_id,
            cipher: self.pace_cipher,
            cam: self.pace_cam,
            im: self.pace_im,
        }
    }
}

impl Default for Quirks {
    fn default() -> Self {
        Self {
            max_le: 65_536,
            extended: true,
            bac: true,
            pace: true,
            require_parameter_id: false,
            parameter_id: 13,
            pace_cipher: crate::pace::PaceCipher::Aes128,
            pace_cam: false,
            pace_im: false,
        }
    }
}

/// EF.CardAccess offering PACE-GM with `cipher` in the group of
/// `parameter_id` (DH or ECDH as the id says).
pub fn card_access(parameter_id: u8, cipher: crate::pace::PaceCipher) -> Vec<u8> {
    card_access_suite(&crate::pace::Suite::gm(parameter_id, cipher))
}

/// EF.CardAccess offering the PACE of `suite`.
pub fn card_access_suite(suite: &crate::pace::Suite) -> Vec<u8> {
    let mut out = vec![0x31, 0x14, 0x30, 0x12, 0x06, 0x0A];
    out.extend_from_slice(&suite.oid());
    out.extend_from_slice(&[0x02, 0x01, 0x02, 0x02, 0x01, suite.parameter_id]);
    out
}

/// Faults to inject, each once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// The card is lost once this many file bytes have been served.
    pub lose_card_at_byte: Option<usize>,
    /// The MAC of this (1-based) protected response is corrupted.
    pub corrupt_mac_of_response: Option<u32>,
}

/// The time a contactless exchange takes: the bits at the link's rate,
/// both ways, plus a fixed turnaround per APDU. For benchmarks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Link rate in kbit/s (106, 212, 424 or 848).
    pub kbit_s: f64,
    /// Turnaround per APDU, in milliseconds.
    pub per_apdu_ms: f64,
}

impl Timing {
    /// Milliseconds for one exchange of these sizes.
    pub fn exchange_ms(&self, command: usize, response: usize) -> f64 {
        self.per_apdu_ms + ((command + response) * 8) as f64 / self.kbit_s
    }
}

/// A simulated chip.
#[derive(Debug)]
pub struct SimChip {
    files: BTreeMap<FileId, Vec<u8>>,
    keys: BacKeys,
    access_key: AccessKey,
    can: String,
    pace: Option<(CardPace, Vec<u8>)>,
    quirks: Quirks,
    faults: Faults,
    rng: u64,
    challenge: Option<[u8; 8]>,
    session: Option<Channel>,
    selected: Option<FileId>,
    lost: bool,
    served: usize,
    sealed: u32,
    /// Command APDUs received (for tests and benchmarks).
    pub apdus: u32,
    /// The link model, when timing.
    pub timing: Option<Timing>,
    /// Simulated milliseconds spent on the link so far.
    pub elapsed_ms: f64,
    /// A channel that starts once the current answer is out.
    pending: Option<Channel>,
    /// The private key Active Authentication signs with (P-256).
    aa_key: Option<[u8; 32]>,
    /// The private key of Chip Authentication (P-256).
    ca_key: Option<[u8; 32]>,
    /// The cipher MSE:Set AT chose for Chip Authentication.
    ca_cipher: Option<crate::pace::PaceCipher>,
}

impl SimChip {
    /// A chip holding `files`, locked with `key`.
    pub fn new(files: BTreeMap<FileId, Vec<u8>>, key: &AccessKey) -> Self {
        let mut chip = Self {
            files,
            keys: BacKeys::from_access_key(key),
            access_key: key.clone(),
            can: "123456".to_owned(),
            pace: None,
            quirks: Quirks::default(),
            faults: Faults::default(),
            rng: 0x5EED_CAFE_F00D_0001,
            challenge: None,
            session: None,
            selected: None,
            lost: false,
            served: 0,
            sealed: 0,
            apdus: 0,
            timing: None,
            elapsed_ms: 0.0,
            pending: None,
            aa_key: None,
            ca_key: None,
            ca_cipher: None,
        };
        chip.files.entry(FileId::CardAccess).or_insert_with(|| card_access(13, crate::pace::PaceCipher::Aes128));
        chip
    }

    /// With these quirks.
    pub fn quirks(mut self, quirks: Quirks) -> Self {
        if quirks.pace {
            self.files.insert(FileId::CardAccess, card_access_suite(&quirks.suite()));
        } else {
            self.files.remove(&FileId::CardAccess);
        }
        self.quirks = quirks;
        self
    }

    /// Answers Active Authentication with this P-256 private key (the one
    /// behind DG15 for a genuine chip; another for a clone).
    pub fn active_authentication_key(mut self, key: [u8; 32]) -> Self {
        self.aa_key = Some(key);
        self
    }

    /// Answers Chip Authentication with this P-256 private key (DG14's for
    /// a genuine chip).
    pub fn chip_authentication_key(mut self, key: [u8; 32]) -> Self {
        self.ca_key = Some(key);
        self
    }

    /// MSE:Set AT for Chip Authentication: which cipher.
    fn ca_set_at(&mut self, data: &[u8]) -> Response {
        let sw = |sw| Response { data: Vec::new(), sw };
        if self.ca_key.is_none() {
            return sw(StatusWord::ReferenceNotFound);
        }
        let oid = crate::tlv::Reader::new(data).find(0x80).ok().flatten().map(|t| t.value.to_vec());
        let cipher = match oid.as_deref() {
            Some([0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, c]) => match c {
                1 => crate::pace::PaceCipher::Tdes,
                2 => crate::pace::PaceCipher::Aes128,
                3 => crate::pace::PaceCipher::Aes192,
                4 => crate::pace::PaceCipher::Aes256,
                _ => return sw(StatusWord::ReferenceNotFound),
            },
            _ => return sw(StatusWord::ReferenceNotFound),
        };
        self.ca_cipher = Some(cipher);
        sw(StatusWord::Ok)
    }

    /// The chip's half of Chip Authentication with the terminal's key: the
    /// new channel starts after this answer.
    fn ca_agree(&mut self, terminal_key: &[u8], cipher: crate::pace::PaceCipher) -> StatusWord {
        let Some(key) = self.ca_key else { return StatusWord::ReferenceNotFound };
        let Some(curve) = crate::curves::by_parameter_id(12) else { return StatusWord::ReferenceNotFound };
        let Some(shared) = curve.mul(terminal_key, &key) else { return StatusWord::IncorrectData };
        let secret = curve.shared_secret(&shared);
        match cipher.channel(&cipher.kdf(&secret, 1), &cipher.kdf(&secret, 2)) {
            Some(channel) => {
                self.pending = Some(channel);
                StatusWord::Ok
            }
            None => StatusWord::IncorrectData,
        }
    }

    fn internal_authenticate(&mut self, challenge: &[u8]) -> Response {
        use p256::ecdsa::signature::Signer as _;
        let Some(key) = self.aa_key.and_then(|k| p256::ecdsa::SigningKey::from_slice(&k).ok()) else {
            return Response { data: Vec::new(), sw: StatusWord::InsNotSupported };
        };
        if challenge.len() != 8 {
            return Response { data: Vec::new(), sw: StatusWord::IncorrectData };
        }
        // ecdsa-plain-SHA256: r ‖ s.
        let signature: p256::ecdsa::Signature = key.sign(challenge);
        Response { data: signature.to_bytes().to_vec(), sw: StatusWord::Ok }
    }

    /// With this card access number (6 digits; 123456 by default).
    pub fn can(mut self, can: &str) -> Self {
        self.can = can.to_owned();
        self
    }

    fn set_at(&mut self, data: &[u8]) -> Response {
        let sw = |sw| Response { data: Vec::new(), sw };
        if !self.quirks.pace {
            return sw(StatusWord::ReferenceNotFound);
        }
        let mut reader = crate::tlv::Reader::new(data);
        let (mut oid, mut reference, mut parameter) = (None, None, None);
        while !reader.is_empty() {
            let Ok(t) = reader.next_tlv() else { return sw(StatusWord::IncorrectData) };
            match t.tag {
                0x80 => oid = Some(t.value.to_vec()),
                0x83 => reference = t.value.first().copied(),
                0x84 => parameter = t.value.first().copied(),
                _ => {}
            }
        }
        if oid.as_deref() != Some(&self.quirks.suite().oid()[..]) {
            return sw(StatusWord::ReferenceNotFound);
        }
        match parameter {
            None if self.quirks.require_parameter_id => return sw(StatusWord::LcInconsistent),
            Some(p) if p != self.quirks.parameter_id => return sw(StatusWord::ReferenceNotFound),
            _ => {}
        }
        let password = match reference {
            Some(1) => crate::pace::Password::Mrz(self.access_key.clone()),
            Some(2) => crate::pace::Password::Can(self.can.clone()),
            _ => return sw(StatusWord::ReferenceNotFound),
        };
        self.session = None;
        let Some(mut pace) = CardPace::new(self.quirks.parameter_id, self.quirks.pace_cipher) else {
            return sw(StatusWord::ReferenceNotFound);
        };
        if self.quirks.pace_cam {
            let Some(key) = self.ca_key else { return sw(StatusWord::ReferenceNotFound) };
            pace = pace.with_cam(&key);
        }
        if self.quirks.pace_im {
            pace = pace.with_im();
        }
        self.pace = Some((pace, password.key(self.quirks.pace_cipher)));
        sw(StatusWord::Ok)
    }

    fn general_authenticate(&mut self, data: &[u8]) -> Response {
        let Some((mut pace, key)) = self.pace.take() else {
            return Response { data: Vec::new(), sw: StatusWord::ConditionsNotSatisfied };
        };
        let mut random = || self.random::<66>();
        match pace.step(data, &key, &mut random) {
            CardStep::Answer(answer) => {
                self.pace = Some((pace, key));
                Response { data: answer, sw: StatusWord::Ok }
            }
            CardStep::Done(answer, channel) => {
                // The answer goes out in the clear; the channel starts after it.
                self.pending = Some(channel);
                Response { data: answer, sw: StatusWord::Ok }
            }
            CardStep::Refuse(sw) => Response { data: Vec::new(), sw },
        }
    }

    /// With these faults.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    fn random<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for b in &mut out {
            self.rng = self.rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            *b = (self.rng >> 33) as u8;
        }
        out
    }

    /// Whether a file needs access control first (all but EF.CardAccess).
    fn protected(&self, file_id: FileId) -> bool {
        file_id != FileId::CardAccess
    }

    fn external_authenticate(&mut self, data: &[u8]) -> Response {
        let fail = Response { data: Vec::new(), sw: StatusWord::VerificationFailed(None) };
        let Some(rnd_ic) = self.challenge.take() else {
            return Response { data: Vec::new(), sw: StatusWord::ConditionsNotSatisfied };
        };
        if data.len() != 40 || retail_mac(&self.keys.mac, &pad(&data[..32])) != data[32..] {
            return fail;
        }
        let s = tdes_decrypt(&self.keys.enc, &data[..32]);
        if s[8..16] != rnd_ic {
            return fail;
        }
        let k_ic: [u8; 16] = self.random();
        let mut r = rnd_ic.to_vec();
        r.extend_from_slice(&s[..8]);
        r.extend_from_slice(&k_ic);
        let e = tdes_encrypt(&self.keys.enc, &r);
        let m = retail_mac(&self.keys.mac, &pad(&e));
        let mut seed = [0u8; 16];
        for i in 0..16 {
            seed[i] = s[16 + i] ^ k_ic[i];
        }
        let mut ssc = [0u8; 8];
        ssc[..4].copy_from_slice(&rnd_ic[4..]);
        ssc[4..].copy_from_slice(&s[4..8]);
        self.session = Some(Channel::new(&SessionKeys {
            enc: crate::bac::kdf_3des(&seed, crate::bac::ENC),
            mac: crate::bac::kdf_3des(&seed, crate::bac::MAC),
            ssc,
        }));
        let mut data = e;
        data.extend_from_slice(&m);
        Response { data, sw: StatusWord::Ok }
    }

    fn read(&mut self, file_id: FileId, offset: usize, le: u32) -> Result<Response, TransportError> {
        let sw = |sw| Ok(Response { data: Vec::new(), sw });
        // Without extended length a protected answer must fit 256 bytes: at
        // most 223 bytes of data under 3DES secure messaging.
        let short_limit = if self.session.is_some() { 223 } else { 256 };
        if le > self.quirks.max_le || (!self.quirks.extended && le > short_limit) {
            return sw(StatusWord::WrongLength);
        }
        let Some(file) = self.files.get(&file_id) else { return sw(StatusWord::FileNotFound) };
        if offset > file.len() {
            return sw(StatusWord::Other(0x6B00));
        }
        let end = file.len().min(offset + le as usize);
        let chunk = file[offset..end].to_vec();
        if let Some(at) = self.faults.lose_card_at_byte
            && self.served + chunk.len() > at
        {
            self.faults.lose_card_at_byte = None;
            self.lost = true;
            return Err(TransportError::CardLost);
        }
        self.served += chunk.len();
        let short = (chunk.len() as u32) < le;
        Ok(Response { data: chunk, sw: if short { StatusWord::EndOfFile } else { StatusWord::Ok } })
    }

    fn process(&mut self, cmd: &Command) -> Result<Response, TransportError> {
        let sw = |sw| Ok(Response { data: Vec::new(), sw });
        let authenticated = self.session.is_some();
        match cmd.ins {
            ins::SELECT => match (cmd.p1, cmd.data.as_slice()) {
                (0x04, _) => sw(StatusWord::Ok), // the LDS application
                (0x00 | 0x02, [hi, lo]) => {
                    let file_id = FileId::from_id(u16::from_be_bytes([*hi, *lo]));
                    let Some(file_id) = file_id.filter(|f| self.files.contains_key(f)) else {
                        return sw(StatusWord::FileNotFound);
                    };
                    if self.protected(file_id) && !authenticated {
                        sw(StatusWord::SecurityNotSatisfied)
                    } else {
                        self.selected = Some(file_id);
                        sw(StatusWord::Ok)
                    }
                }
                _ => sw(StatusWord::IncorrectP1P2),
            },
            ins::READ_BINARY => {
                let file_id = if cmd.p1 & 0x80 != 0 {
                    let sfi = cmd.p1 & 0x1F;
                    let Some(id) = self.files.keys().copied().find(|f| f.sfi() == sfi) else {
                        return sw(StatusWord::FileNotFound);
                    };
                    id
                } else {
                    match self.selected {
                        Some(id) => id,
                        None => return sw(StatusWord::Other(0x6986)),
                    }
                };
                if self.protected(file_id) && !authenticated {
                    return sw(StatusWord::SecurityNotSatisfied);
                }
                self.selected = Some(file_id);
                let offset = if cmd.p1 & 0x80 != 0 {
                    usize::from(cmd.p2)
                } else {
                    usize::from(u16::from_be_bytes([cmd.p1 & 0x7F, cmd.p2]))
                };
                self.read(file_id, offset, cmd.le.unwrap_or(256))
            }
            ins::READ_BINARY_ODD => {
                let Some(file_id) = self.selected else { return sw(StatusWord::Other(0x6986)) };
                if self.protected(file_id) && !authenticated {
                    return sw(StatusWord::SecurityNotSatisfied);
                }
                let offset = match cmd.data.as_slice() {
                    [0x54, n, rest @ ..] if usize::from(*n) == rest.len() && rest.len() <= 3 => {
                        rest.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
                    }
                    _ => return sw(StatusWord::IncorrectData),
                };
                // DO'53 around the data costs up to 4 bytes of the Le.
                let le = cmd.le.unwrap_or(256).saturating_sub(4).max(1);
                let mut r = self.read(file_id, offset, le)?;
                if !r.data.is_empty() {
                    let mut wrapped = vec![0x53];
                    let n = r.data.len();
                    if n < 0x80 {
                        wrapped.push(n as u8);
                    } else if n < 0x100 {
                        wrapped.extend_from_slice(&[0x81, n as u8]);
                    } else {
                        wrapped.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
                    }
                    wrapped.extend_from_slice(&r.data);
                    r.data = wrapped;
                }
                Ok(r)
            }
            ins::MSE if cmd.p1 == 0xC1 && cmd.p2 == 0xA4 => Ok(self.set_at(&cmd.data)),
            ins::MSE if cmd.p1 == 0x41 && cmd.p2 == 0xA4 && authenticated => Ok(self.ca_set_at(&cmd.data)),
            ins::MSE if cmd.p1 == 0x41 && cmd.p2 == 0xA6 && authenticated => {
                // MSE:Set KAT: 3DES Chip Authentication in one step.
                let key = crate::tlv::Reader::new(&cmd.data).find(0x91).ok().flatten().map(|t| t.value.to_vec());
                match key {
                    Some(key) => sw(self.ca_agree(&key, crate::pace::PaceCipher::Tdes)),
                    None => sw(StatusWord::IncorrectData),
                }
            }
            ins::GENERAL_AUTHENTICATE if authenticated && self.ca_cipher.is_some() => {
                let cipher = self.ca_cipher.take().unwrap_or_default();
                match crate::pace::dynamic_data(&cmd.data, 0x80, 1) {
                    Ok(key) => match self.ca_agree(&key, cipher) {
                        StatusWord::Ok => Ok(Response { data: vec![0x7C, 0x00], sw: StatusWord::Ok }),
                        other => sw(other),
                    },
                    Err(_) => sw(StatusWord::IncorrectData),
                }
            }
            ins::GENERAL_AUTHENTICATE => Ok(self.general_authenticate(&cmd.data)),
            ins::GET_CHALLENGE | ins::EXTERNAL_AUTHENTICATE if !self.quirks.bac => sw(StatusWord::ReferenceNotFound),
            ins::GET_CHALLENGE if cmd.le == Some(8) => {
                let challenge: [u8; 8] = self.random();
                self.challenge = Some(challenge);
                Ok(Response { data: challenge.to_vec(), sw: StatusWord::Ok })
            }
            ins::EXTERNAL_AUTHENTICATE => Ok(self.external_authenticate(&cmd.data)),
            ins::INTERNAL_AUTHENTICATE if authenticated => Ok(self.internal_authenticate(&cmd.data)),
            ins::INTERNAL_AUTHENTICATE => sw(StatusWord::SecurityNotSatisfied),
            _ => sw(StatusWord::InsNotSupported),
        }
    }
}

impl Transport for SimChip {
    fn transmit(&mut self, bytes: &[u8]) -> Result<Vec<u8>, TransportError> {
        let response = self.answer(bytes)?;
        if let Some(timing) = self.timing {
            self.elapsed_ms += timing.exchange_ms(bytes.len(), response.len());
        }
        Ok(response)
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        self.lost = false;
        self.session = None;
        self.pace = None;
        self.pending = None;
        self.challenge = None;
        self.selected = None;
        self.ca_cipher = None;
        Ok(())
    }
}

impl SimChip {
    fn answer(&mut self, bytes: &[u8]) -> Result<Vec<u8>, TransportError> {
        if self.lost {
            return Err(TransportError::CardLost);
        }
        self.apdus += 1;
        let Some(cmd) = Command::parse(bytes) else {
            return Ok(Response { data: Vec::new(), sw: StatusWord::WrongLength }.to_bytes());
        };
        let Some(mut channel) = self.session.take() else {
            if cmd.cla & 0x0C == 0x0C {
                return Ok(Response { data: Vec::new(), sw: StatusWord::SecurityNotSatisfied }.to_bytes());
            }
            let response = self.process(&cmd)?.to_bytes();
            if let Some(channel) = self.pending.take() {
                self.session = Some(channel);
            }
            return Ok(response);
        };
        // With a session, only protected commands; anything else ends it.
        let plain = match channel.open_command(&cmd) {
            Ok(plain) => plain,
            Err(_) => return Ok(Response { data: Vec::new(), sw: StatusWord::SmObjectsIncorrect }.to_bytes()),
        };
        self.session = Some(channel);
        let response = self.process(&plain)?;
        let Some(channel) = self.session.as_mut() else { return Ok(response.to_bytes()) };
        let mut sealed = channel.seal_response(plain.ins, &response);
        self.sealed += 1;
        if self.faults.corrupt_mac_of_response == Some(self.sealed)
            && let Some(last) = sealed.data.last_mut()
        {
            *last ^= 0x01;
        }
        // Chip Authentication: the new keys start after this answer.
        if let Some(next) = self.pending.take() {
            self.session = Some(next);
        }
        Ok(sealed.to_bytes())
    }
}
