//! The new-caller and edit-caller form: fields, and what is wrong with them.

use iced::Length;
use iced::widget::{Space, button, column, row, text, text_input};
use mitid_core::caller::{Caller, CallerDetails, DocumentKind, DocumentRef, InvalidCaller, Phone};

use crate::fl;
use crate::theme;
use crate::widget::Element;

/// The form's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    /// The caller being edited; a new one when absent.
    pub id: Option<i64>,
    given: String,
    family: String,
    birth: String,
    nationality: String,
    phones: String,
    email: String,
    language: String,
    passport: String,
    notes: String,
    /// Kept from the caller being edited (not edited here).
    documents: Vec<DocumentRef>,
    /// What is wrong, after a save was tried.
    pub problem: Option<String>,
}

/// A field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Given names.
    Given,
    /// Family name.
    Family,
    /// Date of birth.
    Birth,
    /// Nationality.
    Nationality,
    /// Phone numbers, comma-separated.
    Phones,
    /// E-mail.
    Email,
    /// Preferred language.
    Language,
    /// Passport number (added as a passport of the nationality).
    Passport,
    /// Notes.
    Notes,
}

/// What the form's widgets say.
#[derive(Debug, Clone)]
pub enum Message {
    /// A field was edited.
    Edit(Field, String),
    /// Save.
    Save,
    /// Cancel.
    Cancel,
}

/// Translated text for a caller that cannot be saved.
pub fn invalid_text(error: &InvalidCaller) -> String {
    match error {
        InvalidCaller::NoName => fl!("invalid-no-name"),
        InvalidCaller::TooLong(_) => fl!("invalid-too-long"),
        InvalidCaller::BadEmail(e) => fl!("invalid-email", value = e.clone()),
        InvalidCaller::BadCountry(c) => fl!("invalid-country", value = c.clone()),
        InvalidCaller::NoDocumentNumber => fl!("invalid-document"),
        InvalidCaller::FutureBirth(d) => fl!("invalid-future-birth", value = d.to_string()),
    }
}

impl Form {
    /// A form for a caller's current details.
    pub fn edit(caller: &Caller) -> Self {
        let d = &caller.details;
        Self {
            id: Some(caller.id),
            given: d.given_name.clone(),
            family: d.family_name.clone(),
            birth: d.birth_date.map(|b| b.to_string()).unwrap_or_default(),
            nationality: d.nationality.clone().unwrap_or_default(),
            phones: d.phones.iter().map(|p| p.e164().to_owned()).collect::<Vec<_>>().join(", "),
            email: d.email.clone().unwrap_or_default(),
            language: d.language.clone().unwrap_or_default(),
            passport: String::new(),
            notes: d.notes.clone(),
            documents: d.documents.clone(),
            problem: None,
        }
    }

    /// Handles an edit (Save and Cancel are the screen's to act on).
    pub fn update(&mut self, message: &Message) {
        if let Message::Edit(field, value) = message {
            let slot = match field {
                Field::Given => &mut self.given,
                Field::Family => &mut self.family,
                Field::Birth => &mut self.birth,
                Field::Nationality => &mut self.nationality,
                Field::Phones => &mut self.phones,
                Field::Email => &mut self.email,
                Field::Language => &mut self.language,
                Field::Passport => &mut self.passport,
                Field::Notes => &mut self.notes,
            };
            *slot = value.clone();
            self.problem = None;
        }
    }

    /// The details to save, or what is wrong (translated); `today` bounds
    /// the date of birth.
    pub fn details(&self, today: jiff::civil::Date) -> Result<CallerDetails, String> {
        let phones = self
            .phones
            .split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| Phone::parse(p).map_err(|_| fl!("invalid-phone", value = p.to_owned())))
            .collect::<Result<Vec<_>, _>>()?;
        let birth_date = match self.birth.trim() {
            "" => None,
            b => Some(b.parse().map_err(|_| fl!("invalid-date", value = b.to_owned()))?),
        };
        let mut documents = self.documents.clone();
        if !self.passport.trim().is_empty() {
            let country = self.nationality.trim();
            if country.is_empty() {
                return Err(fl!("invalid-passport-country"));
            }
            documents.push(DocumentRef {
                kind: DocumentKind::Passport,
                country: country.to_owned(),
                number: self.passport.clone(),
            });
        }
        let details = CallerDetails {
            given_name: self.given.clone(),
            family_name: self.family.clone(),
            birth_date,
            nationality: Some(self.nationality.clone()),
            phones,
            email: Some(self.email.clone()),
            language: Some(self.language.clone()),
            notes: self.notes.clone(),
            documents,
        };
        // Check here too, so the agent sees the problem before a round trip.
        details.validated(today).map_err(|e| invalid_text(&e))
    }

    /// Draws the form.
    pub fn view(&self) -> Element<'_, Message> {
        let field = |label: String, value: &str, field: Field, hint: String| {
            column![
                text(label).font(theme::MEDIUM).size(14),
                text_input(&hint, value).on_input(move |v| Message::Edit(field, v)).on_submit(Message::Save).padding(8),
            ]
            .spacing(4)
        };
        let title = if self.id.is_some() { fl!("form-edit-title") } else { fl!("form-new-title") };
        let mut col = column![
            text(title).size(22).font(theme::BOLD),
            row![
                field(fl!("form-given"), &self.given, Field::Given, fl!("form-given-hint")).width(Length::Fill),
                field(fl!("form-family"), &self.family, Field::Family, fl!("form-family-hint")).width(Length::Fill),
            ]
            .spacing(12),
            row![
                field(fl!("form-birth"), &self.birth, Field::Birth, "1990-05-17".into()).width(Length::Fill),
                field(fl!("form-nationality"), &self.nationality, Field::Nationality, "UKR".into()).width(Length::Fill),
                field(fl!("form-language"), &self.language, Field::Language, "uk".into()).width(Length::Fill),
            ]
            .spacing(12),
            field(fl!("form-phones"), &self.phones, Field::Phones, fl!("form-phones-hint")),
            field(fl!("form-email"), &self.email, Field::Email, "name@example.org".into()),
            field(fl!("form-passport"), &self.passport, Field::Passport, fl!("form-passport-hint")),
            field(fl!("form-notes"), &self.notes, Field::Notes, String::new()),
        ]
        .spacing(12);
        if let Some(problem) = &self.problem {
            col = col.push(text(problem.clone()).style(text::danger));
        }
        col.push(row![
            button(text(fl!("form-cancel"))).on_press(Message::Cancel).style(button::secondary),
            Space::new().width(Length::Fill),
            button(text(fl!("form-save"))).on_press(Message::Save).style(button::primary),
        ])
        .into()
    }
}
