//! The machine-readable zone (ICAO 9303 Parts 3–7): TD1, TD2, TD3, MRV-A
//! and MRV-B, every check digit, the long document-number rule, and the
//! password for BAC and PACE built from it.
//!
//! Input comes from people and swipe readers: it is checked, never trusted,
//! and a parse never panics.

use jiff::civil::Date;
use std::fmt;

/// The layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// ID card: 3 lines of 30.
    Td1,
    /// ID card or document: 2 lines of 36.
    Td2,
    /// Passport: 2 lines of 44.
    Td3,
    /// Visa, 2 lines of 44 (no composite check digit).
    MrvA,
    /// Visa, 2 lines of 36 (no composite check digit).
    MrvB,
}

/// A field that has a check digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Document number.
    DocumentNumber,
    /// Date of birth.
    BirthDate,
    /// Date of expiry.
    ExpiryDate,
    /// Personal number (TD3).
    PersonalNumber,
    /// The composite check over several fields.
    Composite,
}

/// Why text is not a valid MRZ. Each says where, so the person can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    /// The lines' count and lengths match no layout.
    #[error("an MRZ has 2 lines of 44 or 36 characters, or 3 lines of 30; this has {found}")]
    Shape {
        /// What was found, e.g. "2 lines of 44 and 43".
        found: String,
    },
    /// A character that cannot be in an MRZ.
    #[error("line {line}, position {position}: «{character}» cannot be in an MRZ (only A–Z, 0–9 and <)")]
    Character {
        /// 1-based line.
        line: usize,
        /// 1-based position.
        position: usize,
        /// The character.
        character: char,
    },
    /// The document code is not one the layout allows.
    #[error("the document code «{0}» is not a passport (P), ID card (I, A, C) or visa (V)")]
    DocumentCode(String),
    /// Check digits that do not match.
    #[error("wrong check digit: {}", .0.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", "))]
    CheckDigits(Vec<Field>),
    /// A date that is not a date.
    #[error("the {0:?} is not a date (YYMMDD)")]
    Date(Field),
}

/// The value of an MRZ character for check digits, if it is one.
fn value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The ICAO 9303 check digit (weights 7, 3, 1) of `text`, or `None` when it
/// holds a character that is not in the MRZ alphabet.
pub fn check_digit(text: &str) -> Option<u8> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, c) in text.bytes().enumerate() {
        sum += value(c)? * WEIGHTS[i % 3];
    }
    Some((sum % 10) as u8)
}

fn digit_ok(field: &str, digit: u8) -> bool {
    // '<' stands for 0 only where a field is empty; a digit must match.
    match (check_digit(field), digit) {
        (Some(cd), b'0'..=b'9') => cd == digit - b'0',
        (Some(0), b'<') => field.bytes().all(|b| b == b'<'),
        _ => false,
    }
}

/// A parsed, checked MRZ (zeroed when dropped: it is personal data).
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct Mrz {
    /// Layout.
    #[zeroize(skip)]
    pub format: Format,
    /// Document code, e.g. `P<`, `I<`, `ID`, `V<` (fillers kept).
    pub document_code: String,
    /// Issuing state (3 letters, `D<<` for Germany).
    pub issuer: String,
    /// The whole document number, long ones included, without fillers.
    pub document_number: String,
    /// Nationality.
    pub nationality: String,
    /// Date of birth, YYMMDD (may hold `<` for unknown parts).
    pub birth_date: String,
    /// `M`, `F`, `X` or `<`.
    pub sex: char,
    /// Date of expiry, YYMMDD.
    pub expiry_date: String,
    /// Primary identifier (family name), fillers turned into spaces.
    pub primary_name: String,
    /// Secondary identifiers (given names).
    pub secondary_names: String,
    /// Optional data (personal number on TD3), without trailing fillers.
    pub optional_data: String,
    /// The lines as given (uppercased, trimmed).
    pub lines: Vec<String>,
}

impl fmt::Debug for Mrz {
    /// Only the layout: an MRZ is personal data and must not reach a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mrz({:?}, ..)", self.format)
    }
}

/// The part of the MRZ that the chip's access keys come from: document
/// number, date of birth and date of expiry, each with its check digit.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct AccessKey {
    /// Document number, without fillers.
    pub document_number: String,
    /// YYMMDD.
    pub birth_date: String,
    /// YYMMDD.
    pub expiry_date: String,
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKey(..)")
    }
}

/// Why typed fields cannot make an access key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessKeyError {
    /// The document number is empty or has characters outside A–Z, 0–9.
    #[error("the document number may only have letters A–Z and digits")]
    DocumentNumber,
    /// A date is not 6 digits of a real date.
    #[error("the {0:?} must be a date written YYMMDD")]
    Date(Field),
}

/// An MRZ's date of expiry, YYMMDD, its year read as 20YY (every
/// machine-readable document is from this century); `None` when it is no
/// real date.
pub fn expiry_date(yymmdd: &str) -> Option<Date> {
    let (yy, mm, dd) = date_parts(yymmdd)?;
    Date::new(2000 + yy, mm, dd).ok()
}

/// An MRZ's date of birth, YYMMDD, in the latest century that does not put
/// it after `today`; `None` when unknown (`<` in it) or no real date.
pub fn birth_date(yymmdd: &str, today: Date) -> Option<Date> {
    let (yy, mm, dd) = date_parts(yymmdd)?;
    let century = today.year() - today.year() % 100;
    [century, century - 100].into_iter().find_map(|c| Date::new(c + yy, mm, dd).ok().filter(|d| *d <= today))
}

/// YYMMDD as numbers.
fn date_parts(yymmdd: &str) -> Option<(i16, i8, i8)> {
    let part = |range: std::ops::Range<usize>| yymmdd.get(range)?.parse::<i8>().ok();
    (yymmdd.len() == 6 && yymmdd.bytes().all(|b| b.is_ascii_digit()))
        .then(|| Some((i16::from(part(0..2)?), part(2..4)?, part(4..6)?)))?
}

fn valid_date(yymmdd: &str) -> bool {
    let b = yymmdd.as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let month = (b[2] - b'0') * 10 + (b[3] - b'0');
    let day = (b[4] - b'0') * 10 + (b[5] - b'0');
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

impl AccessKey {
    /// From typed fields (as the MitID app asks for them).
    pub fn new(document_number: &str, birth_date: &str, expiry_date: &str) -> Result<Self, AccessKeyError> {
        let number: String = document_number.trim().to_ascii_uppercase().chars().filter(|c| *c != ' ').collect();
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            return Err(AccessKeyError::DocumentNumber);
        }
        if !valid_date(birth_date) {
            return Err(AccessKeyError::Date(Field::BirthDate));
        }
        if !valid_date(expiry_date) {
            return Err(AccessKeyError::Date(Field::ExpiryDate));
        }
        Ok(Self { document_number: number, birth_date: birth_date.to_owned(), expiry_date: expiry_date.to_owned() })
    }

    /// The "MRZ information" BAC and PACE hash (ICAO 9303-11 §9.7.1.1):
    /// document number padded with `<` to at least 9 characters, its check
    /// digit, date of birth and its check digit, date of expiry and its
    /// check digit.
    pub fn mrz_information(&self) -> String {
        let mut number = self.document_number.clone();
        while number.len() < 9 {
            number.push('<');
        }
        let cd = |s: &str| check_digit(s).map_or('0', |d| char::from(b'0' + d));
        format!(
            "{number}{}{}{}{}{}",
            cd(&number),
            self.birth_date,
            cd(&self.birth_date),
            self.expiry_date,
            cd(&self.expiry_date)
        )
    }
}

fn text(s: &str) -> String {
    s.trim_end_matches('<').replace('<', " ").trim().to_owned()
}

fn names(field: &str) -> (String, String) {
    let field = field.trim_end_matches('<');
    match field.split_once("<<") {
        Some((primary, secondary)) => (text(primary), text(secondary)),
        None => (text(field), String::new()),
    }
}

/// Number and check digit for TD1/TD2, following the long-number rule:
/// a `<` in the check-digit place means the number goes on in the optional
/// data, ending with its check digit before the first filler.
fn long_number(first9: &str, cd: u8, optional: &str) -> (String, String, u8) {
    if cd == b'<' {
        let rest = optional.split('<').next().unwrap_or("");
        if rest.len() >= 2 {
            let (more, digit) = rest.split_at(rest.len() - 1);
            let number = format!("{first9}{more}");
            let remaining = optional[rest.len()..].to_owned();
            return (number, remaining, digit.as_bytes()[0]);
        }
    }
    (first9.to_owned(), optional.to_owned(), cd)
}

/// One check digit of MRZ lines: the field it covers, the characters it
/// is over, the digit printed, and whether they agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedField {
    /// The field.
    pub field: Field,
    /// The characters the check digit is over (a long document number
    /// whole).
    pub data: String,
    /// The check digit as printed.
    pub printed: u8,
    /// Whether it is the right one.
    pub ok: bool,
}

impl Field {
    /// The field's name in reports: `document_number`, `date_of_birth`,
    /// `expiry`, `personal_number`, `composite`.
    pub fn name(self) -> &'static str {
        match self {
            Self::DocumentNumber => "document_number",
            Self::BirthDate => "date_of_birth",
            Self::ExpiryDate => "expiry",
            Self::PersonalNumber => "personal_number",
            Self::Composite => "composite",
        }
    }
}

/// Every check digit of `lines` laid out as `format`, in order, each with
/// what it is over — the parser's own reading of the layout. Lines of
/// another shape (or not ASCII) have none.
pub fn check_fields(format: Format, lines: &[&str]) -> Vec<CheckedField> {
    let shape: &[usize] = match format {
        Format::Td1 => &[30, 30, 30],
        Format::Td2 | Format::MrvB => &[36, 36],
        Format::Td3 | Format::MrvA => &[44, 44],
    };
    if lines.len() != shape.len() || lines.iter().zip(shape).any(|(l, n)| l.len() != *n || !l.is_ascii()) {
        return Vec::new();
    }
    let (l1, l2) = (lines[0], lines[1]);
    let mut out = Vec::new();
    let mut check = |field: Field, data: &str, printed: u8| {
        out.push(CheckedField { field, data: data.to_owned(), printed, ok: digit_ok(data, printed) });
    };
    match format {
        Format::Td1 => {
            let (number, _, cd) = long_number(&l1[5..14], l1.as_bytes()[14], &l1[15..30]);
            check(Field::DocumentNumber, &number, cd);
            check(Field::BirthDate, &l2[0..6], l2.as_bytes()[6]);
            check(Field::ExpiryDate, &l2[8..14], l2.as_bytes()[14]);
            let composite = format!("{}{}{}{}", &l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]);
            check(Field::Composite, &composite, l2.as_bytes()[29]);
        }
        Format::Td2 | Format::Td3 | Format::MrvA | Format::MrvB => {
            if format == Format::Td2 {
                let (number, _, cd) = long_number(&l2[0..9], l2.as_bytes()[9], &l2[28..35]);
                check(Field::DocumentNumber, &number, cd);
            } else {
                check(Field::DocumentNumber, &l2[0..9], l2.as_bytes()[9]);
            }
            check(Field::BirthDate, &l2[13..19], l2.as_bytes()[19]);
            check(Field::ExpiryDate, &l2[21..27], l2.as_bytes()[27]);
            match format {
                Format::Td3 => {
                    check(Field::PersonalNumber, &l2[28..42], l2.as_bytes()[42]);
                    let composite = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..43]);
                    check(Field::Composite, &composite, l2.as_bytes()[43]);
                }
                Format::Td2 => {
                    let composite = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..35]);
                    check(Field::Composite, &composite, l2.as_bytes()[35]);
                }
                _ => {}
            }
        }
    }
    out
}

impl Mrz {
    /// Parses MRZ text: lines separated by line breaks (swipe readers), or
    /// one run of 88, 72 or 90 characters. Letters may be lowercase; spaces
    /// around lines are ignored.
    pub fn parse(input: &str) -> Result<Self, MrzError> {
        let upper = input.to_ascii_uppercase();
        let mut lines: Vec<String> =
            upper.lines().map(|l| l.trim().replace(' ', "")).filter(|l| !l.is_empty()).collect();
        if lines.len() == 1 {
            let one = lines.remove(0);
            let width = match one.len() {
                88 => 44,
                72 => 36,
                90 => 30,
                _ => one.len().max(1),
            };
            lines = one.as_bytes().chunks(width).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        }
        for (l, line) in lines.iter().enumerate() {
            if let Some((p, c)) =
                line.chars().enumerate().find(|(_, c)| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '<'))
            {
                return Err(MrzError::Character { line: l + 1, position: p + 1, character: c });
            }
        }
        let lens: Vec<usize> = lines.iter().map(String::len).collect();
        let code = lines.first().map(|l| l.get(..1).unwrap_or("").to_owned()).unwrap_or_default();
        let format = match (lens.as_slice(), code.as_str()) {
            ([30, 30, 30], _) => Format::Td1,
            ([36, 36], "V") => Format::MrvB,
            ([36, 36], _) => Format::Td2,
            ([44, 44], "V") => Format::MrvA,
            ([44, 44], _) => Format::Td3,
            _ => {
                let found = format!(
                    "{} line(s) of {}",
                    lens.len(),
                    lens.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                );
                return Err(MrzError::Shape { found });
            }
        };
        Self::fields(format, lines)
    }

    fn fields(format: Format, lines: Vec<String>) -> Result<Self, MrzError> {
        // All lines are ASCII of the right lengths from here on.
        let l1 = lines[0].as_str();
        let l2 = lines[1].as_str();
        let document_code = l1[0..2].to_owned();
        let allowed = match format {
            Format::Td3 => document_code.starts_with('P'),
            Format::MrvA | Format::MrvB => document_code.starts_with('V'),
            Format::Td1 | Format::Td2 => matches!(&document_code[..1], "I" | "A" | "C"),
        };
        if !allowed {
            return Err(MrzError::DocumentCode(document_code));
        }
        let issuer = l1[2..5].to_owned();
        let all: Vec<&str> = lines.iter().map(String::as_str).collect();
        let bad: Vec<Field> = check_fields(format, &all).into_iter().filter(|c| !c.ok).map(|c| c.field).collect();
        let mrz = match format {
            Format::Td1 => {
                let l3 = lines[2].as_str();
                let (number, optional, _) = long_number(&l1[5..14], l1.as_bytes()[14], &l1[15..30]);
                let (primary_name, secondary_names) = names(l3);
                Mrz {
                    format,
                    document_code,
                    issuer,
                    document_number: number.trim_end_matches('<').to_owned(),
                    nationality: l2[15..18].to_owned(),
                    birth_date: l2[0..6].to_owned(),
                    sex: char::from(l2.as_bytes()[7]),
                    expiry_date: l2[8..14].to_owned(),
                    primary_name,
                    secondary_names,
                    optional_data: format!("{}{}", optional, &l2[18..29]).trim_matches('<').to_owned(),
                    lines: lines.clone(),
                }
            }
            Format::Td2 | Format::Td3 | Format::MrvA | Format::MrvB => {
                let width = l2.len();
                let (number, optional) = if format == Format::Td2 {
                    let (number, optional, _) = long_number(&l2[0..9], l2.as_bytes()[9], &l2[28..35]);
                    (number, optional)
                } else {
                    let end = if matches!(format, Format::Td3) { 42 } else { width };
                    (l2[0..9].to_owned(), l2[28..end].to_owned())
                };
                let (primary_name, secondary_names) = names(&l1[5..]);
                Mrz {
                    format,
                    document_code,
                    issuer,
                    document_number: number.trim_end_matches('<').to_owned(),
                    nationality: l2[10..13].to_owned(),
                    birth_date: l2[13..19].to_owned(),
                    sex: char::from(l2.as_bytes()[20]),
                    expiry_date: l2[21..27].to_owned(),
                    primary_name,
                    secondary_names,
                    optional_data: optional.trim_matches('<').to_owned(),
                    lines: lines.clone(),
                }
            }
        };
        if !bad.is_empty() {
            return Err(MrzError::CheckDigits(bad));
        }
        if !valid_date(&mrz.expiry_date) {
            return Err(MrzError::Date(Field::ExpiryDate));
        }
        Ok(mrz)
    }

    /// The date of expiry (see [`expiry_date`]).
    pub fn expiry(&self) -> Option<Date> {
        expiry_date(&self.expiry_date)
    }

    /// The date of birth (see [`birth_date`]).
    pub fn birth(&self, today: Date) -> Option<Date> {
        birth_date(&self.birth_date, today)
    }

    /// The fields the chip's access keys come from.
    pub fn access_key(&self) -> AccessKey {
        AccessKey {
            document_number: self.document_number.clone(),
            birth_date: self.birth_date.clone(),
            expiry_date: self.expiry_date.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
