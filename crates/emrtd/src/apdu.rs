//! ISO/IEC 7816-4 command and response APDUs, short and extended, and the
//! status words a passport chip answers with.

use std::fmt;

/// A command APDU.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    /// Class byte.
    pub cla: u8,
    /// Instruction.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (Lc is its length).
    pub data: Vec<u8>,
    /// Expected response length: `None` for none, 1..=65536 (256 and 65536
    /// are sent as 00 and 0000).
    pub le: Option<u32>,
}

impl fmt::Debug for Command {
    /// Header and lengths only: command data can hold keys or personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Command({:02X} {:02X} {:02X} {:02X}, Lc={}, Le={:?})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le
        )
    }
}

/// Instructions used with passports.
pub mod ins {
    /// SELECT.
    pub const SELECT: u8 = 0xA4;
    /// READ BINARY with offset in P1-P2 (or an SFI in P1).
    pub const READ_BINARY: u8 = 0xB0;
    /// READ BINARY with an offset data object (offsets above 32 767).
    pub const READ_BINARY_ODD: u8 = 0xB1;
    /// GET CHALLENGE.
    pub const GET_CHALLENGE: u8 = 0x84;
    /// EXTERNAL AUTHENTICATE (BAC).
    pub const EXTERNAL_AUTHENTICATE: u8 = 0x82;
    /// INTERNAL AUTHENTICATE (Active Authentication).
    pub const INTERNAL_AUTHENTICATE: u8 = 0x88;
    /// MANAGE SECURITY ENVIRONMENT.
    pub const MSE: u8 = 0x22;
    /// GENERAL AUTHENTICATE (PACE, Chip Authentication).
    pub const GENERAL_AUTHENTICATE: u8 = 0x86;
}

impl Command {
    /// A command with no data and no Le.
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self { cla, ins, p1, p2, data: Vec::new(), le: None }
    }

    /// With command data.
    pub fn data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    /// With an expected response length.
    pub fn le(mut self, le: u32) -> Self {
        self.le = Some(le.clamp(1, 65_536));
        self
    }

    /// Whether it needs the extended length encoding.
    pub fn is_extended(&self) -> bool {
        self.data.len() > 255 || self.le.is_some_and(|le| le > 256)
    }

    /// The bytes sent to the card.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.cla, self.ins, self.p1, self.p2];
        let extended = self.is_extended();
        if !self.data.is_empty() {
            if extended {
                out.push(0);
                out.extend_from_slice(&(self.data.len() as u16).to_be_bytes());
            } else {
                out.push(self.data.len() as u8);
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            if extended {
                if self.data.is_empty() {
                    out.push(0);
                }
                out.extend_from_slice(&((le % 65_536) as u16).to_be_bytes());
            } else {
                out.push((le % 256) as u8);
            }
        }
        out
    }

    /// Parses a command APDU (the card side); `None` when malformed.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let [cla, ins, p1, p2] = *bytes.first_chunk::<4>()?;
        let body = &bytes[4..];
        let mut cmd = Command::new(cla, ins, p1, p2);
        match body.len() {
            0 => {}
            1 => cmd.le = Some(if body[0] == 0 { 256 } else { u32::from(body[0]) }),
            _ if body[0] != 0 => {
                let lc = usize::from(body[0]);
                let rest = body.get(1..)?;
                match rest.len().checked_sub(lc)? {
                    0 => cmd.data = rest.to_vec(),
                    1 => {
                        cmd.data = rest[..lc].to_vec();
                        cmd.le = Some(if rest[lc] == 0 { 256 } else { u32::from(rest[lc]) });
                    }
                    _ => return None,
                }
            }
            3 => {
                let le = u32::from(u16::from_be_bytes([body[1], body[2]]));
                cmd.le = Some(if le == 0 { 65_536 } else { le });
            }
            _ => {
                let lc = usize::from(u16::from_be_bytes([body[1], *body.get(2)?]));
                let rest = body.get(3..)?;
                match rest.len().checked_sub(lc)? {
                    0 => cmd.data = rest.to_vec(),
                    2 => {
                        cmd.data = rest[..lc].to_vec();
                        let le = u32::from(u16::from_be_bytes([rest[lc], rest[lc + 1]]));
                        cmd.le = Some(if le == 0 { 65_536 } else { le });
                    }
                    _ => return None,
                }
            }
        }
        Some(cmd)
    }
}

/// A status word, with the meanings passports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusWord {
    /// 9000: done.
    Ok,
    /// 61xx: more bytes waiting (GET RESPONSE).
    BytesRemaining(u8),
    /// 6282: end of file reached before Le bytes.
    EndOfFile,
    /// 6300 or 63Cx: verification failed (a wrong key), tries left if said.
    VerificationFailed(Option<u8>),
    /// 6700: wrong length.
    WrongLength,
    /// 6881/6882: logical channel / secure messaging not supported.
    FunctionInClaNotSupported(u8),
    /// 6982: security status not satisfied (access control first).
    SecurityNotSatisfied,
    /// 6983: authentication method blocked.
    AuthenticationBlocked,
    /// 6985: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// 6987: secure messaging data objects missing.
    SmObjectsMissing,
    /// 6988: secure messaging data objects incorrect.
    SmObjectsIncorrect,
    /// 6A80: incorrect data.
    IncorrectData,
    /// 6A82: file not found.
    FileNotFound,
    /// 6A86: incorrect P1-P2.
    IncorrectP1P2,
    /// 6A87: Lc inconsistent with P1-P2.
    LcInconsistent,
    /// 6A88: referenced data not found.
    ReferenceNotFound,
    /// 6Cxx: wrong Le; xx is the right one.
    WrongLe(u8),
    /// 6D00: instruction not supported.
    InsNotSupported,
    /// 6E00: class not supported.
    ClaNotSupported,
    /// 6F00: no precise diagnosis.
    Unknown,
    /// Any other.
    Other(u16),
}

impl StatusWord {
    /// From SW1 SW2.
    pub fn from_u16(sw: u16) -> Self {
        let [sw1, sw2] = sw.to_be_bytes();
        match (sw1, sw2) {
            (0x90, 0x00) => Self::Ok,
            (0x61, n) => Self::BytesRemaining(n),
            (0x62, 0x82) => Self::EndOfFile,
            (0x63, 0x00) => Self::VerificationFailed(None),
            (0x63, n) if n & 0xF0 == 0xC0 => Self::VerificationFailed(Some(n & 0x0F)),
            (0x67, 0x00) => Self::WrongLength,
            (0x68, n @ (0x81 | 0x82)) => Self::FunctionInClaNotSupported(n),
            (0x69, 0x82) => Self::SecurityNotSatisfied,
            (0x69, 0x83) => Self::AuthenticationBlocked,
            (0x69, 0x85) => Self::ConditionsNotSatisfied,
            (0x69, 0x87) => Self::SmObjectsMissing,
            (0x69, 0x88) => Self::SmObjectsIncorrect,
            (0x6A, 0x80) => Self::IncorrectData,
            (0x6A, 0x82) => Self::FileNotFound,
            (0x6A, 0x86) => Self::IncorrectP1P2,
            (0x6A, 0x87) => Self::LcInconsistent,
            (0x6A, 0x88) => Self::ReferenceNotFound,
            (0x6C, n) => Self::WrongLe(n),
            (0x6D, 0x00) => Self::InsNotSupported,
            (0x6E, 0x00) => Self::ClaNotSupported,
            (0x6F, 0x00) => Self::Unknown,
            _ => Self::Other(sw),
        }
    }

    /// SW1 SW2.
    pub fn to_u16(self) -> u16 {
        match self {
            Self::Ok => 0x9000,
            Self::BytesRemaining(n) => 0x6100 | u16::from(n),
            Self::EndOfFile => 0x6282,
            Self::VerificationFailed(None) => 0x6300,
            Self::VerificationFailed(Some(n)) => 0x63C0 | u16::from(n & 0x0F),
            Self::WrongLength => 0x6700,
            Self::FunctionInClaNotSupported(n) => 0x6800 | u16::from(n),
            Self::SecurityNotSatisfied => 0x6982,
            Self::AuthenticationBlocked => 0x6983,
            Self::ConditionsNotSatisfied => 0x6985,
            Self::SmObjectsMissing => 0x6987,
            Self::SmObjectsIncorrect => 0x6988,
            Self::IncorrectData => 0x6A80,
            Self::FileNotFound => 0x6A82,
            Self::IncorrectP1P2 => 0x6A86,
            Self::LcInconsistent => 0x6A87,
            Self::ReferenceNotFound => 0x6A88,
            Self::WrongLe(n) => 0x6C00 | u16::from(n),
            Self::InsNotSupported => 0x6D00,
            Self::ClaNotSupported => 0x6E00,
            Self::Unknown => 0x6F00,
            Self::Other(sw) => sw,
        }
    }

    /// Whether the command did what was asked (9000, or 6282 with data).
    pub fn is_success(self) -> bool {
        matches!(self, Self::Ok | Self::EndOfFile)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let meaning = match self {
            Self::Ok => "done",
            Self::BytesRemaining(_) => "more data waiting",
            Self::EndOfFile => "end of file reached",
            Self::VerificationFailed(_) => "verification failed (wrong key)",
            Self::WrongLength => "wrong length",
            Self::FunctionInClaNotSupported(_) => "function in CLA not supported",
            Self::SecurityNotSatisfied => "access control needed first",
            Self::AuthenticationBlocked => "authentication method blocked",
            Self::ConditionsNotSatisfied => "conditions of use not satisfied",
            Self::SmObjectsMissing => "secure messaging data objects missing",
            Self::SmObjectsIncorrect => "secure messaging data objects incorrect",
            Self::IncorrectData => "incorrect data",
            Self::FileNotFound => "file not found",
            Self::IncorrectP1P2 => "incorrect parameters P1-P2",
            Self::LcInconsistent => "Lc inconsistent with P1-P2",
            Self::ReferenceNotFound => "referenced data not found",
            Self::WrongLe(_) => "wrong Le",
            Self::InsNotSupported => "instruction not supported",
            Self::ClaNotSupported => "class not supported",
            Self::Unknown => "no precise diagnosis",
            Self::Other(_) => "unknown status",
        };
        write!(f, "{:04X} ({meaning})", self.to_u16())
    }
}

/// A response APDU.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// Response data.
    pub data: Vec<u8>,
    /// Status word.
    pub sw: StatusWord,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Response({} bytes, {})", self.data.len(), self.sw)
    }
}

/// A response too short to hold a status word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the chip's answer has {0} byte(s), too short for a status word")]
pub struct ShortResponse(pub usize);

impl Response {
    /// Splits off the status word.
    pub fn parse(bytes: &[u8]) -> Result<Self, ShortResponse> {
        let Some((data, sw)) = bytes.split_last_chunk::<2>() else { return Err(ShortResponse(bytes.len())) };
        Ok(Self { data: data.to_vec(), sw: StatusWord::from_u16(u16::from_be_bytes(*sw)) })
    }

    /// Data, then the status word.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.data.clone();
        out.extend_from_slice(&self.sw.to_u16().to_be_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_cases_short_and_extended() {
        let select = Command::new(0x00, ins::SELECT, 0x02, 0x0C).data([0x01, 0x1E]);
        assert_eq!(select.to_bytes(), [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E]);
        let read = Command::new(0x00, ins::READ_BINARY, 0x00, 0x00).le(256);
        assert_eq!(read.to_bytes(), [0x00, 0xB0, 0x00, 0x00, 0x00]);
        let big = Command::new(0x00, ins::READ_BINARY, 0x00, 0x00).le(65_536);
        assert_eq!(big.to_bytes(), [0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]);
        let both = Command::new(0x00, 0x88, 0, 0).data(vec![7; 300]).le(1000);
        let bytes = both.to_bytes();
        assert_eq!(&bytes[4..7], &[0x00, 0x01, 0x2C]);
        assert_eq!(&bytes[bytes.len() - 2..], &[0x03, 0xE8]);
        for cmd in [select, read, big, both, Command::new(0x0C, 0x84, 0, 0).le(8), Command::new(0, 0xA4, 4, 0)] {
            assert_eq!(Command::parse(&cmd.to_bytes()), Some(cmd.clone()), "{cmd:?}");
        }
    }

    #[test]
    fn malformed_commands_are_refused_not_panicked_on() {
        for bad in
            [&[][..], &[0, 0xA4, 0], &[0, 0xA4, 0, 0, 5, 1, 2], &[0, 0xA4, 0, 0, 0, 0, 9, 1], &[0, 0xB0, 0, 0, 0, 1]]
        {
            assert_eq!(Command::parse(bad), None, "{bad:?}");
        }
        let mut state = 7u64;
        for _ in 0..50_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let len = (state >> 58) as usize;
            let bytes: Vec<u8> = (0..len).map(|i| (state >> (i % 8 * 8)) as u8).collect();
            let _ = Command::parse(&bytes);
            let _ = Response::parse(&bytes);
        }
    }

    #[test]
    fn status_words_round_trip_and_explain_themselves() {
        for sw in
            [0x9000, 0x6282, 0x6300, 0x63C2, 0x6700, 0x6982, 0x6988, 0x6A82, 0x6A87, 0x6A88, 0x6C20, 0x6D00, 0x1234]
        {
            assert_eq!(StatusWord::from_u16(sw).to_u16(), sw);
        }
        assert_eq!(StatusWord::from_u16(0x6982).to_string(), "6982 (access control needed first)");
        assert_eq!(StatusWord::from_u16(0x63C2), StatusWord::VerificationFailed(Some(2)));
        let r = Response::parse(&[1, 2, 0x90, 0x00]).unwrap();
        assert_eq!((r.data.as_slice(), r.sw), (&[1u8, 2][..], StatusWord::Ok));
        assert_eq!(Response::parse(&[0x90]), Err(ShortResponse(1)));
    }
}
