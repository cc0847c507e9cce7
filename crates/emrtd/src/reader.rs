//! The reader: access control and file reading over any [`Transport`].
//!
//! READ BINARY adapts to the chip: it tries the largest response first
//! (extended length), falls back on 6700, 6Cxx or a timeout, and remembers
//! what worked; the first read of a file selects it by short file id; an
//! offset above 32 767 uses the odd instruction B1; a card that is lost
//! mid-file is reconnected, authenticated again, and read on from where it
//! stopped.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::apdu::{Command, Response, StatusWord, ins};
use crate::bac::{BacError, BacExchange, BacKeys};
use crate::file::FileId;
use crate::mrz::AccessKey;
use crate::pace::{self, PaceError, Password};
use crate::sm::{Channel, SmError};
use crate::tlv::{self, TlvError};
use crate::transport::{Transport, TransportError};

/// Why a read did not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The transport failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The chip refused the access key: the MRZ or CAN does not match.
    #[error("the chip refused the access key: check the MRZ (or CAN) against the document")]
    AccessDenied,
    /// BAC's answer was not acceptable.
    #[error(transparent)]
    Bac(#[from] BacError),
    /// Secure messaging broke (a bad MAC is never taken as data).
    #[error(transparent)]
    SecureMessaging(#[from] SmError),
    /// PACE failed for another reason than the password.
    #[error(transparent)]
    Pace(#[from] PaceError),
    /// The chip answered with an error status.
    #[error("the chip answered {0}")]
    Chip(StatusWord),
    /// The file is not on the chip.
    #[error("the file is not on this chip")]
    FileNotFound,
    /// The file is not well-formed.
    #[error(transparent)]
    Malformed(#[from] TlvError),
    /// Cancelled by the user.
    #[error("the read was cancelled")]
    Cancelled,
    /// Chip Authentication could not run or failed.
    #[error(transparent)]
    ChipAuthentication(#[from] crate::ca::CaError),
    /// The card was lost too many times in a row.
    #[error("the document kept moving away from the reader; place it flat and still, then try again")]
    Unstable,
}

/// How far a file has been read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The file's id.
    pub file_id: FileId,
    /// Bytes read so far.
    pub done: usize,
    /// The file's size, once its header is read.
    pub total: Option<usize>,
    /// The document went off the reader: waiting for it to come back, to
    /// go on from `done`.
    pub lost: bool,
}

/// Counters for one reader session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Command APDUs sent.
    pub apdus: u32,
    /// File bytes read.
    pub bytes: usize,
    /// Times the card was lost and the read resumed.
    pub resumed: u32,
}

/// Response lengths to try, largest first, until the chip takes one.
/// A few extended lengths, then short ones; 223 (0xDF) is the most data a
/// short response carries under secure messaging (3DES or AES). Few rungs:
/// a chip with no extended length refuses each of them once; the small
/// ones are for the rare chip that takes less than 112.
const LADDER: [u32; 11] = [65_536, 4_096, 1_024, 256, 223, 160, 112, 64, 32, 16, 8];
/// How many times in a row a lost card is reconnected before giving up.
const RETRIES: u32 = 3;

/// Where the reader's random numbers come from.
type Rng = Box<dyn FnMut(&mut [u8]) + Send>;

/// How the chip was opened, to open it again after it was lost. A PACE
/// run's CAM proof belongs to that run: a BAC or another PACE replaces it
/// whole, so no proof outlives the session it came from.
#[derive(Clone)]
enum Access {
    Bac(AccessKey),
    Pace {
        password: Password,
        suite: pace::Suite,
        /// PACE-CAM's proof, for the check against DG14 (with CAM only).
        cam: Option<crate::cam::CamData>,
    },
}

/// A reader session with one chip.
pub struct Reader<T: Transport> {
    transport: T,
    channel: Option<Channel>,
    access: Option<Access>,
    rng: Rng,
    /// The Le that works with this chip, once found.
    le: Option<u32>,
    /// A larger Le to try once, between the one found and the one refused.
    refine: Option<u32>,
    stats: Stats,
    cancel: Option<std::sync::Arc<AtomicBool>>,
}

fn os_random(buf: &mut [u8]) {
    // A failing OS generator is not recoverable: no keys without it.
    if getrandom::fill(buf).is_err() {
        panic!("the operating system's random generator failed");
    }
}

impl<T: Transport> Reader<T> {
    /// A reader over `transport`, with the OS CSPRNG for its challenges.
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            channel: None,
            access: None,
            rng: Box::new(os_random),
            le: None,
            refine: None,
            stats: Stats::default(),
            cancel: None,
        }
    }

    /// Uses `rng` instead of the OS generator (known-answer tests only).
    pub fn with_rng(mut self, rng: impl FnMut(&mut [u8]) + Send + 'static) -> Self {
        self.rng = Box::new(rng);
        self
    }

    /// Stops between APDUs once `flag` is set.
    pub fn with_cancel(mut self, flag: std::sync::Arc<AtomicBool>) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The transport (to inspect a simulated chip in tests).
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The Le this chip was found to take.
    pub fn working_le(&self) -> Option<u32> {
        self.le
    }

    fn send(&mut self, cmd: &Command) -> Result<Response, ReadError> {
        if self.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(ReadError::Cancelled);
        }
        let wire = match &mut self.channel {
            Some(channel) => channel.protect(cmd),
            None => cmd.clone(),
        };
        self.stats.apdus += 1;
        let raw = self.transport.transmit(&wire.to_bytes())?;
        let response = Response::parse(&raw).map_err(|_| ReadError::Chip(StatusWord::Unknown))?;
        match &mut self.channel {
            Some(channel) => Ok(channel.unprotect(&response)?),
            None => Ok(response),
        }
    }

    /// Basic Access Control with the document's MRZ fields.
    pub fn bac(&mut self, key: &AccessKey) -> Result<(), ReadError> {
        self.channel = None;
        let challenge = self.send(&Command::new(0x00, ins::GET_CHALLENGE, 0, 0).le(8))?;
        let rnd_ic: [u8; 8] = match (challenge.sw, challenge.data.as_slice().try_into()) {
            (StatusWord::Ok, Ok(rnd)) => rnd,
            (sw, _) => return Err(ReadError::Chip(sw)),
        };
        let (mut rnd_ifd, mut k_ifd) = ([0u8; 8], [0u8; 16]);
        (self.rng)(&mut rnd_ifd);
        (self.rng)(&mut k_ifd);
        let exchange = BacExchange::new(BacKeys::from_access_key(key), rnd_ic, rnd_ifd, k_ifd);
        let answer =
            self.send(&Command::new(0x00, ins::EXTERNAL_AUTHENTICATE, 0, 0).data(exchange.command_data()).le(40))?;
        match answer.sw {
            StatusWord::Ok => {}
            StatusWord::VerificationFailed(_) | StatusWord::SecurityNotSatisfied => {
                return Err(ReadError::AccessDenied);
            }
            sw => return Err(ReadError::Chip(sw)),
        }
        self.channel = Some(Channel::new(&exchange.finish(&answer.data)?));
        self.access = Some(Access::Bac(key.clone()));
        Ok(())
    }

    /// Reads EF.CardAccess (before any access control): `None` when the
    /// chip has none, i.e. offers no PACE.
    pub fn card_access(&mut self) -> Result<Option<Vec<u8>>, ReadError> {
        match self.read_file(FileId::CardAccess, |_| {}) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(ReadError::FileNotFound | ReadError::AccessDenied | ReadError::Chip(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// PACE (ECDH generic mapping, AES-128) on the curve of the standardized
    /// `parameter_id` EF.CardAccess names, with the MRZ or the CAN. A wrong
    /// password is [`ReadError::AccessDenied`].
    pub fn pace(&mut self, password: &Password, parameter_id: u8) -> Result<(), ReadError> {
        self.pace_with(password, parameter_id, pace::PaceCipher::Aes128)
    }

    /// PACE with the cipher EF.CardAccess names (AES-128, -192 or -256).
    pub fn pace_with(
        &mut self,
        password: &Password,
        parameter_id: u8,
        cipher: pace::PaceCipher,
    ) -> Result<(), ReadError> {
        self.pace_suite(password, &pace::Suite::gm(parameter_id, cipher))
    }

    /// PACE-CAM's proof from the PACE that opened the chip, when it ran
    /// with CAM.
    pub fn pace_cam_data(&self) -> Option<&crate::cam::CamData> {
        match &self.access {
            Some(Access::Pace { cam, .. }) => cam.as_ref(),
            _ => None,
        }
    }

    /// PACE as `suite` says (generic or Chip Authentication Mapping).
    pub fn pace_suite(&mut self, password: &Password, suite: &pace::Suite) -> Result<(), ReadError> {
        self.channel = None;
        let mut rng = std::mem::replace(&mut self.rng, Box::new(os_random));
        let mut random = |curve: &dyn crate::curves::Curve| {
            let mut b = [0u8; 66];
            rng(&mut b);
            crate::curves::private_key(curve, &b)
        };
        let result = pace::perform_suite::<ReadError>(&mut |cmd| self.send(cmd), password, suite, &mut random);
        self.rng = rng;
        match result {
            Ok((channel, cam)) => {
                self.channel = Some(channel);
                self.access = Some(Access::Pace { password: password.clone(), suite: *suite, cam });
                Ok(())
            }
            Err(ReadError::Pace(PaceError::Token | PaceError::Refused { step: 4, .. })) => Err(ReadError::AccessDenied),
            Err(e) => Err(e),
        }
    }

    /// Opens the chip as it was opened before (after a lost card).
    fn reopen(&mut self) -> Result<(), ReadError> {
        match self.access.clone() {
            Some(Access::Bac(key)) => self.bac(&key),
            Some(Access::Pace { password, suite, .. }) => self.pace_suite(&password, &suite),
            None => Ok(()),
        }
    }

    /// One READ BINARY at `offset` of the file (by short file id for the
    /// first one), trying smaller Le values while the chip refuses.
    fn read_chunk(&mut self, file_id: FileId, offset: usize, wanted: usize) -> Result<Vec<u8>, ReadError> {
        let sfi = file_id.sfi();
        let mut ladder: Vec<u32> = match (self.le, self.refine.take()) {
            (Some(le), Some(larger)) if (wanted as u32) > le => vec![larger, le],
            (Some(le), _) => vec![le],
            (None, _) => LADDER.to_vec(),
        };
        let mut i = 0;
        while let Some(&le) = ladder.get(i) {
            let le = le.min(wanted.max(1) as u32);
            let cmd = if offset == 0 {
                Command::new(0x00, ins::READ_BINARY, 0x80 | sfi, 0x00).le(le)
            } else if offset <= 0x7FFF {
                Command::new(0x00, ins::READ_BINARY, (offset >> 8) as u8, offset as u8).le(le)
            } else {
                let o = (offset as u32).to_be_bytes();
                let digits: Vec<u8> = o.iter().copied().skip_while(|b| *b == 0).collect();
                let mut data = vec![0x54, digits.len() as u8];
                data.extend_from_slice(&digits);
                Command::new(0x00, ins::READ_BINARY_ODD, 0x00, 0x00).data(data).le(le + 4)
            };
            let response = match self.send(&cmd) {
                Err(ReadError::Transport(TransportError::Timeout)) if self.le.is_none() => {
                    i += 1;
                    continue;
                }
                other => other?,
            };
            match response.sw {
                StatusWord::Ok | StatusWord::EndOfFile => {
                    // The chip took this Le (not one cut short for the file's end).
                    if le == ladder[i] && self.le.is_none_or(|known| le > known) {
                        // Found below a refused Le: try halfway once
                        // (nothing fits between 223 and 256 under SM).
                        if self.le.is_none() && i > 0 && ladder[i - 1] > le + 8 && le != 223 {
                            self.refine = Some((le + ladder[i - 1]) / 2);
                        }
                        self.le = Some(le);
                    }
                    let data = if cmd.ins == ins::READ_BINARY_ODD {
                        tlv::parse(&response.data)?.value.to_vec()
                    } else {
                        response.data
                    };
                    self.stats.bytes += data.len();
                    return Ok(data);
                }
                StatusWord::WrongLength if self.le.is_none() || i + 1 < ladder.len() => i += 1,
                StatusWord::WrongLength => {
                    // The Le that worked no longer does: learn again.
                    self.le = None;
                    ladder = LADDER.iter().copied().filter(|l| *l < le).collect();
                    i = 0;
                }
                StatusWord::WrongLe(n) => {
                    ladder.insert(i + 1, if n == 0 { 256 } else { u32::from(n) });
                    i += 1;
                }
                StatusWord::FileNotFound => return Err(ReadError::FileNotFound),
                StatusWord::SecurityNotSatisfied => return Err(ReadError::AccessDenied),
                sw => return Err(ReadError::Chip(sw)),
            }
        }
        Err(ReadError::Chip(StatusWord::WrongLength))
    }

    /// Reads a file the way most readers do — SELECT, then fixed chunks of
    /// `chunk` bytes — for comparison in benchmarks.
    pub fn read_file_fixed(&mut self, file_id: FileId, chunk: u32) -> Result<Vec<u8>, ReadError> {
        let select = self.send(&Command::new(0x00, ins::SELECT, 0x02, 0x0C).data(file_id.id().to_be_bytes()))?;
        if !select.sw.is_success() {
            return Err(ReadError::Chip(select.sw));
        }
        let header = self.send(&Command::new(0x00, ins::READ_BINARY, 0, 0).le(4))?;
        let total = tlv::total_length(&header.data)?;
        let mut data = header.data;
        while data.len() < total {
            let offset = data.len();
            let le = chunk.min((total - offset) as u32);
            let r = self.send(&Command::new(0x00, ins::READ_BINARY, (offset >> 8) as u8, offset as u8).le(le))?;
            if !r.sw.is_success() || r.data.is_empty() {
                return Err(ReadError::Chip(r.sw));
            }
            data.extend_from_slice(&r.data);
        }
        self.stats.bytes += data.len();
        Ok(data)
    }

    /// Active Authentication: sends the 8-byte `challenge` in INTERNAL
    /// AUTHENTICATE and returns the chip's signature (checked by
    /// [`crate::pki::active::verify`] against DG15).
    pub fn internal_authenticate(&mut self, challenge: &[u8; 8]) -> Result<Vec<u8>, ReadError> {
        let cmd = Command::new(0x00, ins::INTERNAL_AUTHENTICATE, 0x00, 0x00).data(challenge.to_vec()).le(256);
        let response = self.send(&cmd)?;
        match response.sw {
            StatusWord::Ok => Ok(response.data),
            sw => Err(ReadError::Chip(sw)),
        }
    }

    /// Chip Authentication with DG14's offer: on success the secure
    /// channel runs on the new keys (proved by one protected read); on
    /// [`crate::ca::CaError::WrongKey`] the chip is not the one DG14
    /// describes, and the session is over.
    pub fn chip_authentication(&mut self, offer: &crate::ca::Offer) -> Result<(), ReadError> {
        use crate::ca::{self, CaError};
        let mut random = [0u8; 80];
        (self.rng)(&mut random);
        let (sk, public) = ca::ephemeral(&offer.key, &random)?;
        let secret = ca::shared_secret(&offer.key, &sk)?;
        for cmd in ca::commands(offer, &public) {
            let response = self.send(&cmd)?;
            if !response.sw.is_success() {
                return Err(CaError::Refused(response.sw.to_string()).into());
            }
        }
        let channel = offer
            .cipher
            .channel(&offer.cipher.kdf(&secret, 1), &offer.cipher.kdf(&secret, 2))
            .ok_or(CaError::Refused("unusable keys".into()))?;
        self.channel = Some(channel);
        // The proof: a protected READ BINARY of EF.COM's first byte.
        match self.send(&Command::new(0x00, ins::READ_BINARY, 0x80 | 0x1E, 0x00).le(1)) {
            Ok(response) if response.sw.is_success() => Ok(()),
            _ => {
                self.channel = None;
                Err(CaError::WrongKey.into())
            }
        }
    }

    /// Active Authentication with a fresh random challenge: returns the
    /// challenge and the chip's signature.
    pub fn active_authentication(&mut self) -> Result<([u8; 8], Vec<u8>), ReadError> {
        let mut challenge = [0u8; 8];
        (self.rng)(&mut challenge);
        let signature = self.internal_authenticate(&challenge)?;
        Ok((challenge, signature))
    }

    /// Mutable access to the transport (benchmarks reset counters on it).
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Reads a whole file, reporting progress; after a lost card it
    /// reconnects, authenticates again and goes on from the last offset.
    pub fn read_file(&mut self, file_id: FileId, mut progress: impl FnMut(Progress)) -> Result<Vec<u8>, ReadError> {
        let mut data: Vec<u8> = Vec::new();
        let mut total: Option<usize> = None;
        let mut losses = 0;
        loop {
            if total.is_some_and(|t| data.len() >= t) {
                data.truncate(total.unwrap_or(data.len()));
                return Ok(data);
            }
            let wanted = total.map_or(65_536, |t| t - data.len());
            match self.read_chunk(file_id, data.len(), wanted) {
                Ok(chunk) => {
                    losses = 0;
                    let empty = chunk.is_empty();
                    data.extend_from_slice(&chunk);
                    if total.is_none() && data.len() >= 2 {
                        total = Some(tlv::total_length(&data).map_err(ReadError::Malformed)?);
                    }
                    progress(Progress {
                        file_id,
                        done: data.len().min(total.unwrap_or(usize::MAX)),
                        total,
                        lost: false,
                    });
                    if empty {
                        return Err(ReadError::Malformed(TlvError::Truncated));
                    }
                }
                Err(ReadError::Transport(TransportError::CardLost)) => {
                    losses += 1;
                    if losses > RETRIES {
                        return Err(ReadError::Unstable);
                    }
                    self.stats.resumed += 1;
                    progress(Progress { file_id, done: data.len(), total, lost: true });
                    self.transport.reconnect()?;
                    self.channel = None;
                    self.reopen()?;
                    if data.is_empty() {
                        continue;
                    }
                    // The reconnected chip has no file selected: select by
                    // SFI with a one-byte read at offset 0 is wasteful, so
                    // SELECT the file and continue at the offset.
                    let select =
                        self.send(&Command::new(0x00, ins::SELECT, 0x02, 0x0C).data(file_id.id().to_be_bytes()))?;
                    if !select.sw.is_success() {
                        return Err(ReadError::Chip(select.sw));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests;
