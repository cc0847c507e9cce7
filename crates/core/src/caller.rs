//! Callers: the people support agents help, as the agents record them.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A phone number in E.164 form (`+4512345678`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

#[cfg(feature = "openapi")]
crate::string_schema!(
    Phone,
    "A phone number with its country code (+44 20 7946 0018), or 8 digits for a Danish one",
    "."
);

impl TryFrom<String> for Phone {
    type Error = BadPhone;
    fn try_from(text: String) -> Result<Self, BadPhone> {
        Self::parse(&text)
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> String {
        phone.0
    }
}

/// An E.164 number grouped as its country writes it internationally
/// (`+45 26 29 31 80`); as it is when it cannot be read as one.
pub fn grouped(e164: &str) -> String {
    phonenumber::parse(None, e164)
        .map_or_else(|_| e164.to_owned(), |n| n.format().mode(phonenumber::Mode::International).to_string())
}

/// Why text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "«{0}» is not a phone number: give it with its country code (+44 20 7946 0018), or 8 digits for a Danish number"
)]
pub struct BadPhone(pub String);

impl Phone {
    /// Parses a number as people write it; a number without a country code
    /// is taken as Danish (8 digits).
    pub fn parse(text: &str) -> Result<Self, BadPhone> {
        let bad = || BadPhone(text.to_owned());
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.len() > 40 {
            return Err(bad());
        }
        // "00" is the international prefix in Denmark and most of Europe.
        let normalized = match trimmed.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => trimmed.to_owned(),
        };
        let number = phonenumber::parse(Some(phonenumber::country::Id::DK), &normalized).map_err(|_| bad())?;
        if !phonenumber::is_valid(&number) {
            return Err(bad());
        }
        Ok(Self(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    /// The E.164 form.
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// Grouped as the number's country writes it internationally:
    /// `+45 26 29 31 80`, `+44 20 7946 0018`.
    pub fn grouped(&self) -> String {
        grouped(&self.0)
    }

    /// From storage (already E.164).
    pub(crate) fn from_stored(e164: String) -> Self {
        Self(e164)
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Kinds of identity document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DocumentKind {
    /// A passport.
    Passport,
    /// A national identity card.
    IdCard,
    /// A residence card or other document.
    Other,
}

impl DocumentKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passport => "passport",
            Self::IdCard => "id_card",
            Self::Other => "other",
        }
    }

    /// From storage.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "passport" => Self::Passport,
            "id_card" => Self::IdCard,
            "other" => Self::Other,
            _ => return None,
        })
    }
}

/// A reference to an identity document.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentRef {
    /// What kind.
    pub kind: DocumentKind,
    /// Issuing country, ISO 3166-1 alpha-3 as in the MRZ (`DEU`, `UKR`).
    pub country: String,
    /// Document number.
    pub number: String,
}

impl DocumentRef {
    /// The number with all but the last four characters hidden.
    pub fn masked_number(&self) -> String {
        let chars: Vec<char> = self.number.chars().collect();
        let shown = chars.len().saturating_sub(4);
        chars.iter().enumerate().map(|(i, c)| if i < shown { '•' } else { *c }).collect()
    }
}

impl fmt::Debug for DocumentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentRef({:?}, {}, {})", self.kind, self.country, self.masked_number())
    }
}

/// How a contact happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Channel {
    /// On the phone.
    Phone,
    /// At the help counter.
    Counter,
}

impl Channel {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Counter => "counter",
        }
    }

    /// From storage.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "phone" => Some(Self::Phone),
            "counter" => Some(Self::Counter),
            _ => None,
        }
    }
}

/// One contact in a caller's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Which agent.
    pub agent: String,
    /// Phone or counter.
    pub channel: Channel,
    /// How it ended (short, e.g. "P-code issued", "referred to Borgerservice").
    pub outcome: String,
    /// Free text.
    pub note: String,
}

/// What an agent enters about a caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallerDetails {
    /// Given names, as on the document.
    pub given_name: String,
    /// Family name, as on the document.
    pub family_name: String,
    /// Date of birth.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub birth_date: Option<Date>,
    /// Nationality, ISO 3166-1 alpha-3.
    pub nationality: Option<String>,
    /// Phone numbers.
    pub phones: Vec<Phone>,
    /// E-mail address.
    pub email: Option<String>,
    /// Preferred language (BCP 47, e.g. `en`, `uk`).
    pub language: Option<String>,
    /// Free-text notes.
    pub notes: String,
    /// Identity documents.
    pub documents: Vec<DocumentRef>,
}

/// A caller's details that cannot be stored, with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCaller {
    /// Both names empty.
    #[error("a caller needs a given name or a family name")]
    NoName,
    /// Too long a text.
    #[error("{0} is too long")]
    TooLong(&'static str),
    /// Not an e-mail address.
    #[error("«{0}» is not an e-mail address")]
    BadEmail(String),
    /// Not a three-letter country code.
    #[error("«{0}» is not a country code: use the three letters of the passport (DNK, DEU, UKR)")]
    BadCountry(String),
    /// An empty document number.
    #[error("a document needs its number")]
    NoDocumentNumber,
    /// A date of birth in the future.
    #[error("the date of birth {0} is in the future")]
    FutureBirth(Date),
}

fn country_code(s: &str) -> Result<String, InvalidCaller> {
    let up = s.trim().to_ascii_uppercase();
    // D<< is Germany in the MRZ; three letters or '<' otherwise.
    if up.len() == 3 && up.bytes().all(|b| b.is_ascii_uppercase() || b == b'<') {
        Ok(up)
    } else {
        Err(InvalidCaller::BadCountry(s.to_owned()))
    }
}

impl CallerDetails {
    /// Takes in a duplicate's details, as a merge keeps them: what this
    /// caller lacks is filled from the duplicate, notes are joined, phones
    /// and documents not held yet are added.
    pub fn absorb(&mut self, gone: CallerDetails) {
        self.birth_date = self.birth_date.or(gone.birth_date);
        self.nationality = self.nationality.take().or(gone.nationality);
        self.email = self.email.take().or(gone.email);
        self.language = self.language.take().or(gone.language);
        if !gone.notes.is_empty() {
            self.notes = if self.notes.is_empty() { gone.notes } else { format!("{}\n{}", self.notes, gone.notes) };
        }
        for p in gone.phones {
            if !self.phones.contains(&p) {
                self.phones.push(p);
            }
        }
        for doc in gone.documents {
            if !self.documents.contains(&doc) {
                self.documents.push(doc);
            }
        }
    }

    /// Trims and checks the details; `today` bounds the date of birth.
    pub fn validated(mut self, today: Date) -> Result<Self, InvalidCaller> {
        self.given_name = self.given_name.trim().to_owned();
        self.family_name = self.family_name.trim().to_owned();
        if self.given_name.is_empty() && self.family_name.is_empty() {
            return Err(InvalidCaller::NoName);
        }
        if self.given_name.len() > 200 || self.family_name.len() > 200 {
            return Err(InvalidCaller::TooLong("a name"));
        }
        if self.notes.len() > 10_000 {
            return Err(InvalidCaller::TooLong("the notes"));
        }
        if let Some(date) = self.birth_date
            && date > today
        {
            return Err(InvalidCaller::FutureBirth(date));
        }
        self.nationality = self.nationality.filter(|n| !n.trim().is_empty()).map(|n| country_code(&n)).transpose()?;
        self.email = self.email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
        if let Some(email) = &self.email {
            let valid = email.len() <= 254
                && email.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
                })
                && !email.chars().any(char::is_whitespace);
            if !valid {
                return Err(InvalidCaller::BadEmail(email.clone()));
            }
        }
        self.language = self.language.map(|l| l.trim().to_ascii_lowercase()).filter(|l| !l.is_empty());
        let mut documents = Vec::with_capacity(self.documents.len());
        for mut d in self.documents {
            d.number = d.number.trim().to_ascii_uppercase();
            if d.number.is_empty() {
                return Err(InvalidCaller::NoDocumentNumber);
            }
            d.country = country_code(&d.country)?;
            documents.push(d);
        }
        self.documents = documents;
        self.phones.dedup();
        Ok(self)
    }

    /// "Family, Given", as the CLI takes it.
    pub fn parse_name(name: &str) -> (String, String) {
        match name.split_once(',') {
            Some((family, given)) => (given.trim().to_owned(), family.trim().to_owned()),
            None => match name.trim().rsplit_once(' ') {
                Some((given, family)) => (given.trim().to_owned(), family.trim().to_owned()),
                None => (String::new(), name.trim().to_owned()),
            },
        }
    }
}

/// A stored caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Caller {
    /// Its id.
    pub id: i64,
    /// What was entered.
    #[serde(flatten)]
    pub details: CallerDetails,
    /// When it was created.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// When it was last changed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

impl Caller {
    /// "Given Family".
    pub fn display_name(&self) -> String {
        let d = &self.details;
        match (d.given_name.is_empty(), d.family_name.is_empty()) {
            (false, false) => format!("{} {}", d.given_name, d.family_name),
            (true, _) => d.family_name.clone(),
            (_, true) => d.given_name.clone(),
        }
    }

    /// The case reference agents can search for: `C-` and the id.
    pub fn reference(&self) -> String {
        format!("C-{}", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn phones_are_shown_grouped() {
        for (input, shown) in [
            ("26293180", "+45 26 29 31 80"),
            ("+44 20 7946 0018", "+44 20 7946 0018"),
            ("+380441234567", "+380 44 123 4567"),
        ] {
            assert_eq!(Phone::parse(input).map(|p| p.grouped()), Ok(shown.to_owned()), "{input}");
        }
        assert_eq!(grouped("not a number"), "not a number");
    }

    #[test]
    fn phones_are_stored_as_e164() {
        for (input, e164) in [
            ("20 12 34 56", "+4520123456"),
            ("+45 20123456", "+4520123456"),
            ("0045 2012 3456", "+4520123456"),
            ("(+45) 86-12-34-56", "+4586123456"),
            ("+44 20 7946 0018", "+442079460018"),
            ("+380 44 123 4567", "+380441234567"),
            ("+49 (30) 901820", "+4930901820"),
        ] {
            assert_eq!(Phone::parse(input).map(|p| p.e164().to_owned()), Ok(e164.to_owned()), "{input}");
        }
        for bad in [
            "",
            "1234",
            "hello",
            "+45 1234",
            "12345678",
            "+999 1234567",
            "12345678901234567890123456789012345678901234",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn details_are_checked() {
        let today = date(2026, 11, 24);
        let ok = CallerDetails {
            given_name: " Olena ".into(),
            family_name: "Shevchenko".into(),
            nationality: Some("ukr".into()),
            email: Some(" olena@example.org ".into()),
            documents: vec![DocumentRef {
                kind: DocumentKind::Passport,
                country: "ukr".into(),
                number: "fx123456".into(),
            }],
            ..CallerDetails::default()
        }
        .validated(today)
        .unwrap();
        assert_eq!(ok.given_name, "Olena");
        assert_eq!(ok.nationality.as_deref(), Some("UKR"));
        assert_eq!(ok.email.as_deref(), Some("olena@example.org"));
        assert_eq!(ok.documents[0].number, "FX123456");
        assert_eq!(ok.documents[0].masked_number(), "••••3456");
        assert!(!format!("{:?}", ok.documents[0]).contains("FX12"), "Debug hides the number");
        let base = CallerDetails { family_name: "X".into(), ..CallerDetails::default() };
        assert_eq!(CallerDetails::default().validated(today), Err(InvalidCaller::NoName));
        for email in ["a@b", "@b.dk", "a b@c.dk", "a@.dk"] {
            let d = CallerDetails { email: Some(email.into()), ..base.clone() };
            assert!(matches!(d.validated(today), Err(InvalidCaller::BadEmail(_))), "{email}");
        }
        let d = CallerDetails { nationality: Some("Danish".into()), ..base.clone() };
        assert!(matches!(d.validated(today), Err(InvalidCaller::BadCountry(_))));
        let d = CallerDetails { birth_date: Some(date(2030, 1, 1)), ..base };
        assert!(matches!(d.validated(today), Err(InvalidCaller::FutureBirth(_))));
    }

    #[test]
    fn names_from_the_command_line() {
        assert_eq!(CallerDetails::parse_name("Shevchenko, Olena"), ("Olena".into(), "Shevchenko".into()));
        assert_eq!(CallerDetails::parse_name("Anna Maria Eriksson"), ("Anna Maria".into(), "Eriksson".into()));
        assert_eq!(CallerDetails::parse_name("Madonna"), (String::new(), "Madonna".into()));
    }
}

#[cfg(test)]
mod wire_tests {
    use super::*;

    #[test]
    fn details_cross_the_wire_with_defaults_and_refuse_what_they_do_not_know() {
        let details: CallerDetails =
            serde_json::from_str(r#"{"given_name": "Ada", "phones": ["+45 20 12 34 56"]}"#).expect("the rest defaults");
        assert_eq!(details.phones[0].e164(), "+4520123456");
        assert!(serde_json::from_str::<CallerDetails>(r#"{"given_name": "Ada", "force": 1}"#).is_err());
        let error = serde_json::from_str::<CallerDetails>(r#"{"phones": ["12"]}"#).expect_err("not a phone");
        assert!(error.to_string().contains("not a phone number"), "{error}");
        let caller = Caller {
            id: 7,
            details,
            created_at: "2026-11-24T09:00:00Z".parse().expect("an instant"),
            updated_at: "2026-11-24T09:00:00Z".parse().expect("an instant"),
        };
        let back: Caller = serde_json::from_str(&serde_json::to_string(&caller).expect("JSON")).expect("read back");
        assert_eq!(back, caller);
    }
}
