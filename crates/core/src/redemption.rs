//! The MitID side's redemption of a P-code: whose code it is (the holder
//! as the passport chip gives them), each attempt counted once, and what
//! an entry comes to — one rule for the embedded desk and the shared
//! service.
//!
//! A code has three uses ([`crate::pcode::ATTEMPTS`]). Every entry of it in
//! the citizen's MitID app spends one: a right one is `accepted` (the
//! enrollment may still fail on the phone, and the code can be entered
//! again), a wrong one counts against the holder's active code and the
//! third locks it. When the MitID side reports the enrollment completed,
//! the code is void (`consumed`). So "the same P-code can be used 3 times"
//! and "3 attempts, void after a success" both hold.
//!
//! The holder is matched to a code by keyed hashes only, taken when the
//! code was issued from what the agent had recorded: the caller's
//! documents (issuing state and number), else their names, date of birth
//! and nationality written as a machine-readable zone writes them
//! (MUELLER for Müller, OESTERGAARD for Østergaard). Nothing the MitID side
//! sends is kept but those hashes.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::caller::CallerDetails;
use crate::fold;
use crate::pcode::{CodeKey, PCodeInfo, PCodeState, Redemption};

/// Who redeems at a desk (the CLI, demo mode): not the MitID side's client
/// certificate, but the same rules.
pub const DESK_CLIENT: &str = "mitid-app";

/// The longest attempt id.
pub const MAX_ATTEMPT_ID: usize = 64;

/// The holder of the passport or ID card, as its chip gives them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holder {
    /// The issuing state (ICAO three-letter code, `DEU`).
    pub issuing_state: String,
    /// The document number, as the machine-readable zone has it.
    pub document_number: String,
    /// Date of birth.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date_of_birth: Date,
    /// The primary identifier (surname), as the chip writes it (`MUELLER`).
    pub surname: String,
    /// The secondary identifier (given names), as the chip writes it.
    pub given_names: String,
    /// Nationality (ICAO three-letter code).
    pub nationality: String,
}

impl std::fmt::Debug for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data: never in a log line.
        f.write_str("Holder(…)")
    }
}

/// What is wrong with a holder or an attempt id, in words for the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadRedemption(pub String);

fn state_code(text: &str) -> String {
    let code = text.trim().trim_end_matches('<').to_ascii_uppercase();
    // Germany's documents write D, where records (ISO 3166) have DEU.
    if code == "D" { "DEU".into() } else { code }
}

fn document_number(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

impl Holder {
    /// Whether it can be matched: codes of letters, a number, a surname.
    pub fn check(&self) -> Result<(), BadRedemption> {
        let code = |what: &str, text: &str| {
            let c = state_code(text);
            if (1..=3).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_uppercase()) {
                Ok(())
            } else {
                Err(BadRedemption(format!("the holder's {what} is not a three-letter code: {text:?}")))
            }
        };
        code("issuing state", &self.issuing_state)?;
        code("nationality", &self.nationality)?;
        let number = document_number(&self.document_number);
        if number.is_empty() || number.len() > 20 {
            return Err(BadRedemption("the holder's document number is empty or longer than 20 characters".into()));
        }
        if fold::mrz_forms(&self.surname).is_empty() && fold::mrz_forms(&self.given_names).is_empty() {
            return Err(BadRedemption("the holder has no name".into()));
        }
        if self.surname.chars().count() > 200 || self.given_names.chars().count() > 200 {
            return Err(BadRedemption("the holder's names are longer than 200 characters".into()));
        }
        Ok(())
    }
}

/// Whether an attempt id can be kept: 1–64 letters, digits and `-_.:`.
pub fn check_attempt_id(id: &str) -> Result<(), BadRedemption> {
    if id.is_empty()
        || id.len() > MAX_ATTEMPT_ID
        || !id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    {
        return Err(BadRedemption(format!(
            "the attempt id must be 1–{MAX_ATTEMPT_ID} letters, digits or -_.: (it is sent again, unchanged, with a retry)"
        )));
    }
    Ok(())
}

/// How a code is bound to its holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// By a document the agent recorded.
    Document,
    /// By names, date of birth and nationality.
    Person,
}

impl Binding {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Document => "document",
            Self::Person => "person",
        }
    }

    /// From storage.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "document" => Some(Self::Document),
            "person" => Some(Self::Person),
            _ => None,
        }
    }
}

/// A keyed hash of one way of naming a holder.
pub type HolderHash = [u8; 32];

fn holder_key(key: &CodeKey) -> [u8; 32] {
    key.derive(b"mitid-assist holder identity")
}

fn keyed(key: &[u8; 32], parts: &[&str]) -> HolderHash {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    for part in parts {
        mac.update(part.as_bytes());
        mac.update(&[0]);
    }
    mac.finalize().into_bytes().into()
}

fn document_hash(key: &[u8; 32], state: &str, number: &str) -> HolderHash {
    keyed(key, &["document", &state_code(state), &document_number(number)])
}

fn person_hash(key: &[u8; 32], surname: &str, given: &str, born: Date, nationality: &str) -> HolderHash {
    keyed(key, &["person", surname, given, &born.to_string(), &state_code(nationality)])
}

/// The two hashes a holder is looked up by.
#[derive(Clone, PartialEq, Eq)]
pub struct HolderHashes {
    /// Their document.
    pub document: HolderHash,
    /// Their names, date of birth and nationality.
    pub person: HolderHash,
}

/// The hashes of the holder the MitID side names.
pub fn holder_hashes(key: &CodeKey, holder: &Holder) -> HolderHashes {
    let key = holder_key(key);
    let first = |text: &str| fold::mrz_forms(text).into_iter().next().unwrap_or_default();
    HolderHashes {
        document: document_hash(&key, &holder.issuing_state, &holder.document_number),
        person: person_hash(
            &key,
            &first(&holder.surname),
            &first(&holder.given_names),
            holder.date_of_birth,
            &holder.nationality,
        ),
    }
}

/// The hashes a code issued to this caller is bound by: one per recorded
/// document, and — with a date of birth and a nationality — one per way a
/// machine-readable zone may write their names (a name in Cyrillic has
/// two Latin spellings).
pub fn caller_hashes(key: &CodeKey, details: &CallerDetails) -> Vec<(HolderHash, Binding)> {
    let key = holder_key(key);
    let mut out: Vec<(HolderHash, Binding)> = Vec::new();
    let mut push = |hash, binding| {
        if !out.iter().any(|(h, _)| *h == hash) {
            out.push((hash, binding));
        }
    };
    for d in &details.documents {
        push(document_hash(&key, &d.country, &d.number), Binding::Document);
    }
    if let (Some(born), Some(nationality)) = (details.birth_date, details.nationality.as_deref()) {
        let surnames = fold::mrz_forms(&details.family_name);
        let given = fold::mrz_forms(&details.given_name);
        let surnames = if surnames.is_empty() { vec![String::new()] } else { surnames };
        let given = if given.is_empty() { vec![String::new()] } else { given };
        for s in &surnames {
            for g in &given {
                push(person_hash(&key, s, g, born, nationality), Binding::Person);
            }
        }
    }
    out
}

/// Of the codes found by a holder's hashes — each with how it was bound
/// and whether by the document — the ones that are the holder's: those
/// bound to their document when there are any, else those bound to their
/// person.
pub fn by_precedence<T>(found: Vec<(T, Binding)>) -> Vec<T> {
    let by_document = found.iter().any(|(_, b)| *b == Binding::Document);
    found.into_iter().filter(|(_, b)| !by_document || *b == Binding::Document).map(|(code, _)| code).collect()
}

/// What one entry of a code does: its outcome, the attempts left on the
/// code concerned, which code that is, and the change to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The outcome.
    pub result: Redemption,
    /// Uses left on the code concerned afterwards (0 with none).
    pub attempts_left: u8,
    /// The code concerned (its index in the codes given).
    pub concerned: Option<usize>,
    /// The code's new uses left and state, when it changes.
    pub change: Option<(i64, u8, PCodeState)>,
}

/// Decides an entry against the holder's codes (newest first), where
/// `matches[i]` says whether the entered code is code `i`. Every code is
/// compared, so the time taken does not tell which matched.
pub fn decide(codes: &[PCodeInfo], matches: &[bool], now: Timestamp) -> Decision {
    let matched = matches.iter().enumerate().fold(None, |m, (i, hit)| if *hit { Some(i) } else { m });
    if let Some(i) = matched {
        let c = &codes[i];
        return match c.void_redemption(now) {
            Some(void) => Decision { result: void, attempts_left: c.attempts_left, concerned: Some(i), change: None },
            None => {
                let left = c.attempts_left - 1;
                Decision {
                    result: Redemption::Accepted,
                    attempts_left: left,
                    concerned: Some(i),
                    change: Some((c.id, left, PCodeState::Active)),
                }
            }
        };
    }
    let concerned = codes.iter().position(|c| c.usable(now)).or(if codes.is_empty() { None } else { Some(0) });
    let Some(i) = concerned else {
        return Decision { result: Redemption::NoCode, attempts_left: 0, concerned: None, change: None };
    };
    let c = &codes[i];
    match c.void_redemption(now) {
        Some(void) => {
            let left = if void == Redemption::Locked { 0 } else { c.attempts_left };
            Decision { result: void, attempts_left: left, concerned: Some(i), change: None }
        }
        None => {
            let left = c.attempts_left - 1;
            let (result, state) = if left == 0 {
                (Redemption::Locked, PCodeState::Locked)
            } else {
                (Redemption::Wrong { attempts_left: left }, PCodeState::Active)
            };
            Decision { result, attempts_left: left, concerned: Some(i), change: Some((c.id, left, state)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::caller::{DocumentKind, DocumentRef};

    fn key() -> CodeKey {
        CodeKey::from_bytes([7; 32])
    }

    fn mueller() -> CallerDetails {
        CallerDetails {
            given_name: "Jürgen Ole".into(),
            family_name: "Müller-Østergaard".into(),
            birth_date: Some(Date::constant(1964, 8, 12)),
            nationality: Some("DEU".into()),
            documents: vec![DocumentRef {
                kind: DocumentKind::Passport,
                country: "DEU".into(),
                number: "C01X00T47".into(),
            }],
            ..CallerDetails::default()
        }
    }

    fn holder() -> Holder {
        Holder {
            issuing_state: "D<<".into(),
            document_number: "C01X00T47".into(),
            date_of_birth: Date::constant(1964, 8, 12),
            surname: "MUELLER<OESTERGAARD".into(),
            given_names: "JUERGEN<OLE".into(),
            nationality: "DEU".into(),
        }
    }

    #[test]
    fn a_holder_is_found_by_document_or_by_names_as_the_mrz_writes_them() {
        let bound = caller_hashes(&key(), &mueller());
        let h = holder_hashes(&key(), &holder());
        // Germany's passports write D, the record DEU.
        assert!(bound.contains(&(h.document, Binding::Document)));
        let same = Holder { issuing_state: "deu".into(), document_number: "c01x 00t47".into(), ..holder() };
        assert_eq!(holder_hashes(&key(), &same).document, h.document);
        // Another document: the person matches (MUELLER ↔ Müller,
        // OESTERGAARD ↔ Østergaard).
        let renewed = holder_hashes(&key(), &Holder { document_number: "C02".into(), ..holder() });
        assert!(!bound.iter().any(|(x, _)| *x == renewed.document));
        assert!(bound.contains(&(h.person, Binding::Person)), "names fold as the MRZ writes them");
        // Another birthday, another nationality, another key: no match.
        for other in [
            Holder { date_of_birth: Date::constant(1964, 8, 13), ..holder() },
            Holder { nationality: "AUT".into(), ..holder() },
            Holder { given_names: "JUERGEN".into(), ..holder() },
        ] {
            assert!(!bound.iter().any(|(x, _)| *x == holder_hashes(&key(), &other).person));
        }
        let other_key = holder_hashes(&CodeKey::from_bytes([8; 32]), &holder());
        assert!(!bound.iter().any(|(x, _)| *x == other_key.person));
        // Without a date of birth only the documents bind.
        let no_birth = CallerDetails { birth_date: None, ..mueller() };
        assert_eq!(caller_hashes(&key(), &no_birth).len(), 1);
        assert_eq!(format!("{:?}", holder()), "Holder(…)");
    }

    #[test]
    fn cyrillic_names_bind_in_both_latin_spellings() {
        let details = CallerDetails {
            given_name: "Григорій".into(),
            family_name: "Шевченко".into(),
            birth_date: Some(Date::constant(1990, 1, 2)),
            nationality: Some("UKR".into()),
            ..CallerDetails::default()
        };
        let bound = caller_hashes(&key(), &details);
        let chip = Holder {
            issuing_state: "UKR".into(),
            document_number: "FA123456".into(),
            date_of_birth: Date::constant(1990, 1, 2),
            surname: "SHEVCHENKO".into(),
            given_names: "HRYHORII".into(),
            nationality: "UKR".into(),
        };
        assert!(bound.contains(&(holder_hashes(&key(), &chip).person, Binding::Person)));
    }

    #[test]
    fn bad_holders_and_attempt_ids_are_named() {
        assert!(holder().check().is_ok());
        assert!(Holder { issuing_state: "DEUX".into(), ..holder() }.check().is_err());
        assert!(Holder { document_number: "<<<".into(), ..holder() }.check().is_err());
        assert!(Holder { surname: "<<".into(), given_names: String::new(), ..holder() }.check().is_err());
        assert!(check_attempt_id("a-1:2.3_4").is_ok());
        for bad in ["", "a b", "é", &"x".repeat(65)] {
            assert!(check_attempt_id(bad).is_err(), "{bad:?}");
        }
    }

    fn code(id: i64, left: u8, state: PCodeState) -> PCodeInfo {
        let now: Timestamp = "2026-12-02T10:00:00Z".parse().unwrap();
        PCodeInfo {
            id,
            reference: format!("P-{id:08x}"),
            caller_id: 1,
            issued_at: now,
            expires_at: now + crate::pcode::VALIDITY,
            attempts_left: left,
            state,
            revoked_reason: None,
        }
    }

    #[test]
    fn entries_spend_uses_and_the_third_wrong_one_locks() {
        let now: Timestamp = "2026-12-02T11:00:00Z".parse().unwrap();
        let active = [code(1, 3, PCodeState::Active)];
        let d = decide(&active, &[true], now);
        assert_eq!((d.result, d.attempts_left, d.change), (Redemption::Accepted, 2, Some((1, 2, PCodeState::Active))));
        let d = decide(&active, &[false], now);
        assert_eq!(d.result, Redemption::Wrong { attempts_left: 2 });
        let last = [code(1, 1, PCodeState::Active)];
        assert_eq!(decide(&last, &[false], now).change, Some((1, 0, PCodeState::Locked)));
        assert_eq!(decide(&last, &[true], now).result, Redemption::Accepted);
        // All three uses spent by accepted entries: the next is locked out.
        let spent = [code(1, 0, PCodeState::Active)];
        assert_eq!(decide(&spent, &[true], now).result, Redemption::Locked);
        assert_eq!(decide(&spent, &[false], now).change, None);
        assert_eq!(decide(&[code(1, 2, PCodeState::Consumed)], &[true], now).result, Redemption::Consumed);
        assert_eq!(decide(&[], &[], now).result, Redemption::NoCode);
        // A wrong entry counts against the active code, not a void older one.
        let two = [code(2, 3, PCodeState::Revoked), code(1, 3, PCodeState::Active)];
        assert_eq!(decide(&two, &[false, false], now).change, Some((1, 2, PCodeState::Active)));
        let later = now + crate::pcode::VALIDITY;
        assert_eq!(decide(&active, &[true], later).result, Redemption::Expired);
    }

    #[test]
    fn document_bindings_come_before_person_ones() {
        assert_eq!(by_precedence(vec![(1, Binding::Person), (2, Binding::Document)]), vec![2]);
        assert_eq!(by_precedence(vec![(1, Binding::Person), (3, Binding::Person)]), vec![1, 3]);
    }
}
