//! P-codes: 8 random digits that stand in for a CPR number when someone
//! gets MitID with a foreign passport or ID card. Valid 60 days, 3 attempts,
//! void after one success (RULES.md §2).
//!
//! A code is shown once and never stored: the store keeps an HMAC-SHA256 of
//! it under a secret key, so a copy of the database does not give the codes
//! away (10^8 codes would be quick to try against a plain hash).

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How long a P-code is valid.
pub const VALIDITY: SignedDuration = SignedDuration::from_hours(60 * 24);
/// Uses (entries in the MitID app, right or wrong) a P-code allows.
pub const ATTEMPTS: u8 = 3;

/// A P-code's 8 digits. Debug output hides them, so they never reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct PCode([u8; 8]);

impl PCode {
    /// A fresh code from the operating system's CSPRNG, each digit uniform
    /// (bytes ≥ 250 are drawn again, so no digit is more likely).
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut digits = [0u8; 8];
        let mut filled = 0;
        while filled < 8 {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes)?;
            for b in bytes {
                if b < 250 && filled < 8 {
                    digits[filled] = b'0' + b % 10;
                    filled += 1;
                }
            }
        }
        Ok(Self(digits))
    }

    /// The 8 digits.
    pub fn digits(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// "1234 5678", as shown to the agent.
    pub fn grouped(&self) -> String {
        let d = self.digits();
        format!("{} {}", &d[..4], &d[4..])
    }
}

impl fmt::Debug for PCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PCode(********)")
    }
}

/// Why text is not a P-code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a P-code is 8 digits (spaces and dashes between them are fine)")]
pub struct MalformedPCode;

impl FromStr for PCode {
    type Err = MalformedPCode;

    /// Accepts the digits with spaces or dashes between them, as people type
    /// what they were read.
    fn from_str(s: &str) -> Result<Self, MalformedPCode> {
        let mut digits = [0u8; 8];
        let mut n = 0;
        for c in s.trim().chars() {
            match c {
                '0'..='9' if n < 8 => {
                    digits[n] = c as u8;
                    n += 1;
                }
                ' ' | '-' => {}
                _ => return Err(MalformedPCode),
            }
        }
        if n == 8 { Ok(Self(digits)) } else { Err(MalformedPCode) }
    }
}

/// The secret key P-codes are hashed under (32 bytes). Debug hides it.
#[derive(Clone)]
pub struct CodeKey([u8; 32]);

impl fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeKey(..)")
    }
}

impl CodeKey {
    /// A new random key.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(Self(key))
    }

    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key as hex, for a keyring entry or the demo key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A key from 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// A key of its own for another use, derived from this one (HMAC-SHA256
    /// of `label`): it lives and is backed up with this key, and tells
    /// nothing of it.
    pub(crate) fn derive(&self, label: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable_key());
        mac.update(label);
        mac.finalize().into_bytes().into()
    }

    /// HMAC-SHA256 of the code under this key.
    pub fn hash(&self, code: &PCode) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable_key());
        mac.update(&code.0);
        mac.finalize().into_bytes().into()
    }

    /// A short fingerprint of the key (not the key), so an audit can tell
    /// which key hashed which codes.
    pub fn fingerprint(&self) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable_key());
        mac.update(b"mitid-assist key fingerprint");
        hex::encode(&mac.finalize().into_bytes()[..8])
    }
}

#[cold]
fn unreachable_key() -> Hmac<Sha256> {
    // HMAC takes keys of any length; this cannot happen.
    panic!("HMAC rejected a 32-byte key")
}

/// What a redemption attempt came to. Each outcome is distinct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Redemption {
    /// The code was right: one of its three uses is spent, and the
    /// enrollment's completion voids it
    /// ([`crate::redemption`]).
    Accepted,
    /// The code was wrong; attempts remain.
    Wrong {
        /// Attempts left after this one.
        attempts_left: u8,
    },
    /// No use remains (this entry may have spent the last).
    Locked,
    /// More than 60 days old.
    Expired,
    /// Used for an enrollment that completed.
    Consumed,
    /// Revoked by an agent.
    Revoked,
    /// The caller has no P-code at all.
    NoCode,
}

impl Redemption {
    /// The stable name used in JSON and the audit log.
    pub fn name(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Wrong { .. } => "wrong",
            Self::Locked => "locked",
            Self::Expired => "expired",
            Self::Consumed => "consumed",
            Self::Revoked => "revoked",
            Self::NoCode => "no_code",
        }
    }
}

/// The state of a stored P-code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PCodeState {
    /// Can be redeemed.
    Active,
    /// Used for a completed enrollment; void.
    Consumed,
    /// Its last use went to a wrong entry; void.
    Locked,
    /// Revoked by an agent; void.
    Revoked,
}

impl PCodeState {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Consumed => "consumed",
            Self::Locked => "locked",
            Self::Revoked => "revoked",
        }
    }

    /// From storage.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "active" => Self::Active,
            "consumed" => Self::Consumed,
            "locked" => Self::Locked,
            "revoked" => Self::Revoked,
            _ => return None,
        })
    }
}

/// A stored P-code as the service reports it (never the code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PCodeInfo {
    /// Its id.
    pub id: i64,
    /// A reference an agent can read out or search for ("P-" and 8 hex digits),
    /// unrelated to the code itself.
    pub reference: String,
    /// Whose it is.
    pub caller_id: i64,
    /// When it was issued.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub issued_at: Timestamp,
    /// When it stops working.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
    /// Attempts left.
    pub attempts_left: u8,
    /// Its state (an active code past `expires_at` is expired).
    pub state: PCodeState,
    /// Why it was revoked, if it was.
    pub revoked_reason: Option<String>,
}

/// Whether two code hashes are the same, in time independent of where
/// they differ.
pub fn same_hash(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// How many references an issue draws before it gives up: with 32 random
/// bits, a second draw is needed about once in 4,000 issues at 1,000,000
/// codes, an eighth never in practice.
pub const REFERENCE_TRIES: usize = 8;

/// A new reference for a code ("P-" and 8 random hex digits), unrelated to
/// the code itself.
pub fn new_reference() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes)?;
    Ok(format!("P-{}", hex::encode(bytes)))
}

impl PCodeInfo {
    /// What a redemption of this code at `now` comes to when the code is
    /// void already; `None` while it can still be redeemed.
    pub fn void_redemption(&self, now: Timestamp) -> Option<Redemption> {
        match self.state {
            PCodeState::Consumed => Some(Redemption::Consumed),
            PCodeState::Revoked => Some(Redemption::Revoked),
            PCodeState::Locked => Some(Redemption::Locked),
            PCodeState::Active if now >= self.expires_at => Some(Redemption::Expired),
            // Three accepted entries and no completion: no use is left.
            PCodeState::Active if self.attempts_left == 0 => Some(Redemption::Locked),
            PCodeState::Active => None,
        }
    }

    /// Whether it can still be redeemed at `now`.
    pub fn usable(&self, now: Timestamp) -> bool {
        self.state == PCodeState::Active && now < self.expires_at && self.attempts_left > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_uniform_digits() {
        let mut counts = [0u32; 10];
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2000 {
            let code = PCode::generate().unwrap();
            assert_eq!(code.digits().len(), 8);
            assert!(code.digits().bytes().all(|b| b.is_ascii_digit()));
            for b in code.digits().bytes() {
                counts[usize::from(b - b'0')] += 1;
            }
            seen.insert(code.digits().to_owned());
        }
        assert!(seen.len() > 1990, "codes repeat: {}", seen.len());
        // 16,000 digits: each about 1,600; a biased generator falls outside.
        for (digit, n) in counts.iter().enumerate() {
            assert!((1400..1800).contains(n), "digit {digit} drawn {n} times");
        }
    }

    #[test]
    fn parsing_accepts_what_people_type() {
        assert_eq!("1234 5678".parse::<PCode>().unwrap().digits(), "12345678");
        assert_eq!(" 1234-5678 ".parse::<PCode>().unwrap().grouped(), "1234 5678");
        for bad in ["1234567", "123456789", "1234567a", "", "12345678x", "１２３４５６７８"] {
            assert_eq!(bad.parse::<PCode>(), Err(MalformedPCode), "{bad:?}");
        }
        assert_eq!(format!("{:?}", "12345678".parse::<PCode>().unwrap()), "PCode(********)");
    }

    #[test]
    fn hashing_is_keyed() {
        let code: PCode = "12345678".parse().unwrap();
        let a = CodeKey::from_bytes([1; 32]);
        let b = CodeKey::from_bytes([2; 32]);
        assert_eq!(a.hash(&code), a.hash(&code));
        assert_ne!(a.hash(&code), b.hash(&code));
        assert_ne!(a.hash(&code), a.hash(&"12345679".parse().unwrap()));
        assert_eq!(CodeKey::from_hex(&a.to_hex()).unwrap().hash(&code), a.hash(&code));
        assert!(CodeKey::from_hex("abcd").is_none());
        assert_ne!(a.fingerprint(), b.fingerprint());
        // Plain HMAC-SHA256 of the ASCII digits.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&[1; 32]).unwrap();
        mac.update(b"12345678");
        assert_eq!(a.hash(&code).as_slice(), mac.finalize().into_bytes().as_slice());
    }
}

/// The words for the digits 0–9 in a language (BCP 47 primary tag), for
/// reading a code aloud; English when the language is not known.
pub fn digit_words(language: &str) -> [&'static str; 10] {
    match language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase().as_str() {
        "da" => ["nul", "et", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni"],
        "de" => ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"],
        "pl" => ["zero", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem", "dziewięć"],
        "uk" => ["нуль", "один", "два", "три", "чотири", "п'ять", "шість", "сім", "вісім", "дев'ять"],
        "sv" => ["noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio"],
        _ => ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    }
}

impl PCode {
    /// The code digit by digit in words, in two groups of four:
    /// "one, two, three, four — five, six, seven, eight".
    pub fn spoken(&self, language: &str) -> String {
        let words = digit_words(language);
        let say = |part: &[u8]| part.iter().map(|d| words[usize::from(d - b'0')]).collect::<Vec<_>>().join(", ");
        format!("{} — {}", say(&self.0[..4]), say(&self.0[4..]))
    }
}

#[cfg(test)]
mod spoken_tests {
    use super::*;

    #[test]
    fn codes_are_read_aloud_in_the_callers_language() {
        let code: PCode = "12345670".parse().unwrap();
        assert_eq!(code.spoken("en"), "one, two, three, four — five, six, seven, zero");
        assert_eq!(code.spoken("da"), "et, to, tre, fire — fem, seks, syv, nul");
        assert_eq!(code.spoken("uk-UA"), "один, два, три, чотири — п'ять, шість, сім, нуль");
        assert_eq!(code.spoken("xx"), code.spoken("en"));
    }
}
