//! The MRZ step of a counter enrollment: three ways in — typed fields (as
//! the MitID app asks for them), the lines an MRZ swipe reader or OCR types
//! or a person pastes, or the CAN of an ID card — one result: what opens
//! the chip, or the problems, each pointing at its field. An expired
//! document is flagged before any read.

use jiff::civil::Date;
use mitid_emrtd::mrz::{AccessKey, Field, Mrz, MrzError};

/// What kind of document was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocumentKind {
    /// A passport.
    #[default]
    Passport,
    /// An ID card (or residence card) with an MRZ.
    IdCard,
}

/// The fields a person types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    /// Passport or ID card.
    pub kind: DocumentKind,
    /// Document number as printed.
    pub number: String,
    /// Date of birth.
    pub birth: Option<Date>,
    /// Date of expiry.
    pub expiry: Option<Date>,
}

/// A field of the step, for pointing at problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryField {
    /// The document number.
    Number,
    /// The date of birth.
    Birth,
    /// The date of expiry.
    Expiry,
    /// The MRZ lines as a whole (shape, characters, document code).
    Lines,
    /// The personal number's check digit (TD3).
    PersonalNumber,
    /// The composite check digit.
    Composite,
    /// The CAN.
    Can,
}

/// One problem with what was entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Nothing entered yet in this field.
    Missing(EntryField),
    /// Characters that cannot be in a document number.
    NumberCharacters,
    /// A check digit that does not match: this field (or the line) has a
    /// typo.
    CheckDigit(EntryField),
    /// The lines have the wrong count or length (what was found).
    Shape(String),
    /// A character that cannot be in an MRZ, at line and position.
    Character {
        /// 1-based line.
        line: usize,
        /// 1-based position.
        position: usize,
        /// The character.
        character: char,
    },
    /// The document code is not a passport, ID card or visa.
    DocumentCode(String),
    /// A visa: it cannot be used to get MitID.
    Visa,
    /// A date field that is not a date.
    NotADate(EntryField),
    /// The CAN is not 6 digits.
    CanDigits,
}

/// What opens the chip (zeroed when dropped).
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub enum Credentials {
    /// From the MRZ (typed or read): BAC or PACE with the MRZ.
    Mrz {
        /// The access key.
        key: AccessKey,
        /// The whole MRZ, when it was read or pasted (compared with DG1
        /// after the read). It zeroes itself when dropped.
        #[zeroize(skip)]
        mrz: Option<Box<Mrz>>,
        /// The date of expiry.
        #[zeroize(skip)]
        expiry: Date,
    },
    /// The CAN printed on the card: PACE only.
    Can(String),
}

impl std::fmt::Debug for Credentials {
    /// No personal data in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Mrz { .. } => f.write_str("Credentials::Mrz(..)"),
            Self::Can(_) => f.write_str("Credentials::Can(..)"),
        }
    }
}

impl Credentials {
    /// Whether the document has expired by `today` (the day after the date
    /// of expiry; unknown for a CAN).
    pub fn expired(&self, today: Date) -> Option<bool> {
        match self {
            Self::Mrz { expiry, .. } => Some(today > *expiry),
            Self::Can(_) => None,
        }
    }
}

fn yymmdd(date: Date) -> String {
    format!("{:02}{:02}{:02}", date.year().rem_euclid(100), date.month(), date.day())
}

/// The date of an MRZ YYMMDD: birth dates are the 100 years up to
/// `today`, expiry dates the 100 years around it (50 back, 50 ahead).
fn mrz_date(text: &str, birth: bool, today: Date) -> Option<Date> {
    let digits: Vec<i16> = text.bytes().map(|b| i16::from(b) - i16::from(b'0')).collect();
    if digits.len() != 6 || digits.iter().any(|d| !(0..=9).contains(d)) {
        return None;
    }
    let yy = digits[0] * 10 + digits[1];
    let month = (digits[2] * 10 + digits[3]) as i8;
    let day = (digits[4] * 10 + digits[5]) as i8;
    let century = today.year() / 100 * 100;
    let mut year = century + yy;
    if birth && year > today.year() {
        year -= 100;
    }
    if !birth && year > today.year() + 50 {
        year -= 100;
    }
    Date::new(year, month, day).ok()
}

/// Checks typed fields.
pub fn check_typed(typed: &Typed) -> Result<Credentials, Vec<Problem>> {
    let mut problems = Vec::new();
    let number: String = typed.number.trim().to_ascii_uppercase().chars().filter(|c| !c.is_whitespace()).collect();
    if number.is_empty() {
        problems.push(Problem::Missing(EntryField::Number));
    } else if !number.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        problems.push(Problem::NumberCharacters);
    }
    if typed.birth.is_none() {
        problems.push(Problem::Missing(EntryField::Birth));
    }
    if typed.expiry.is_none() {
        problems.push(Problem::Missing(EntryField::Expiry));
    }
    let (Some(birth), Some(expiry)) = (typed.birth, typed.expiry) else { return Err(problems) };
    if !problems.is_empty() {
        return Err(problems);
    }
    match AccessKey::new(&number, &yymmdd(birth), &yymmdd(expiry)) {
        Ok(key) => Ok(Credentials::Mrz { key, mrz: None, expiry }),
        Err(_) => Err(vec![Problem::NumberCharacters]),
    }
}

fn field(field: Field) -> EntryField {
    match field {
        Field::DocumentNumber => EntryField::Number,
        Field::BirthDate => EntryField::Birth,
        Field::ExpiryDate => EntryField::Expiry,
        Field::PersonalNumber => EntryField::PersonalNumber,
        Field::Composite => EntryField::Composite,
    }
}

/// Checks MRZ lines as a swipe reader, OCR or a person gave them.
pub fn check_lines(text: &str, today: Date) -> Result<Credentials, Vec<Problem>> {
    if text.trim().is_empty() {
        return Err(vec![Problem::Missing(EntryField::Lines)]);
    }
    let mrz = Mrz::parse(text).map_err(|e| match e {
        MrzError::Shape { found } => vec![Problem::Shape(found)],
        MrzError::Character { line, position, character } => vec![Problem::Character { line, position, character }],
        MrzError::DocumentCode(code) => vec![Problem::DocumentCode(code)],
        MrzError::CheckDigits(fields) => fields.into_iter().map(|f| Problem::CheckDigit(field(f))).collect(),
        MrzError::Date(f) => vec![Problem::NotADate(field(f))],
    })?;
    if mrz.document_code.starts_with('V') {
        return Err(vec![Problem::Visa]);
    }
    let expiry = mrz_date(&mrz.expiry_date, false, today).ok_or_else(|| vec![Problem::NotADate(EntryField::Expiry)])?;
    Ok(Credentials::Mrz { key: mrz.access_key(), mrz: Some(Box::new(mrz)), expiry })
}

/// Checks a CAN: the 6 digits printed on the front of ID cards.
pub fn check_can(text: &str) -> Result<Credentials, Vec<Problem>> {
    let can: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if can.is_empty() {
        return Err(vec![Problem::Missing(EntryField::Can)]);
    }
    if can.len() != 6 || !can.bytes().all(|b| b.is_ascii_digit()) {
        return Err(vec![Problem::CanDigits]);
    }
    Ok(Credentials::Can(can))
}

/// The date of birth a read MRZ gives (for showing beside the chip's).
pub fn birth_date(mrz: &Mrz, today: Date) -> Option<Date> {
    mrz_date(&mrz.birth_date, true, today)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    const TODAY: Date = date(2026, 11, 24);

    #[test]
    fn credentials_can_be_zeroed() {
        use zeroize::Zeroize;
        let mut can = check_can("123 456").unwrap();
        can.zeroize();
        assert_eq!(can, Credentials::Can(String::new()));
    }

    fn specimen(expiry: &str) -> String {
        mitid_emrtd::sim::document::specimen_td3("UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "740812", 'F', expiry)
    }

    #[test]
    fn typed_fields_make_the_key_the_chip_wants() {
        let typed = Typed {
            kind: DocumentKind::Passport,
            number: " l898902c3 ".into(),
            birth: Some(date(1974, 8, 12)),
            expiry: Some(date(2034, 4, 15)),
        };
        let Ok(Credentials::Mrz { ref key, expiry, mrz: None }) = check_typed(&typed) else { panic!("accepted") };
        assert!(key.mrz_information().starts_with("L898902C367408122340415"), "{}", key.mrz_information());
        assert_eq!(expiry, date(2034, 4, 15));
        let missing = check_typed(&Typed::default()).unwrap_err();
        assert_eq!(
            missing,
            [
                Problem::Missing(EntryField::Number),
                Problem::Missing(EntryField::Birth),
                Problem::Missing(EntryField::Expiry)
            ]
        );
        let bad = Typed { number: "L89-89".into(), ..typed };
        assert_eq!(check_typed(&bad).unwrap_err(), [Problem::NumberCharacters]);
    }

    #[test]
    fn pasted_lines_are_checked_and_point_at_the_field() {
        let good = specimen("340415");
        let Ok(credentials) = check_lines(&good, TODAY) else { panic!("accepted") };
        assert_eq!(credentials.expired(TODAY), Some(false));
        // A typo in the date of birth breaks its check digit (and the
        // composite one).
        let typo = good.replacen("740812", "740813", 1);
        let problems = check_lines(&typo, TODAY).unwrap_err();
        assert!(problems.contains(&Problem::CheckDigit(EntryField::Birth)), "{problems:?}");
        // A line cut short.
        let short = &good[..good.len() - 1];
        assert!(matches!(check_lines(short, TODAY).unwrap_err()[0], Problem::Shape(_)));
        assert_eq!(check_lines("  ", TODAY).unwrap_err(), [Problem::Missing(EntryField::Lines)]);
    }

    #[test]
    fn an_expired_document_is_flagged() {
        let Ok(credentials) = check_lines(&specimen("240415"), TODAY) else { panic!("accepted") };
        assert_eq!(credentials.expired(TODAY), Some(true));
        assert_eq!(credentials.expired(date(2024, 4, 15)), Some(false), "valid on its last day");
    }

    #[test]
    fn the_can_is_six_digits() {
        assert_eq!(check_can(" 123 456 "), Ok(Credentials::Can("123456".into())));
        assert_eq!(check_can("12345").unwrap_err(), [Problem::CanDigits]);
        assert_eq!(check_can("").unwrap_err(), [Problem::Missing(EntryField::Can)]);
        assert_eq!(check_can("123456").unwrap().expired(TODAY), None);
    }

    #[test]
    fn two_digit_years() {
        assert_eq!(mrz_date("740812", true, TODAY), Some(date(1974, 8, 12)));
        assert_eq!(mrz_date("200101", true, TODAY), Some(date(2020, 1, 1)));
        assert_eq!(mrz_date("301231", true, TODAY), Some(date(1930, 12, 31)));
        assert_eq!(mrz_date("340415", false, TODAY), Some(date(2034, 4, 15)));
        assert_eq!(mrz_date("991231", false, TODAY), Some(date(1999, 12, 31)));
        assert_eq!(mrz_date("990231", false, TODAY), None);
    }
}
