//! The MRZ step of counter enrollment, headless: typed fields with the
//! dates picked year and month first, swiped or pasted lines, the CAN; a
//! wrong check digit points at its field, an expired document is flagged,
//! and the chip step opens only with what opens the chip.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;

use std::sync::Arc;

use common::serial;
use iced::widget::text_editor::{Action, Edit};
use iced_test::Simulator;
use jiff::civil::{Date, date};
use mitid_assist::screen::enrollment::{Enrollment, Message, Mode, Month, Step, Which, problem_text};
use mitid_core::mrz_entry::Credentials;

const TODAY: Date = date(2026, 11, 24);

struct Harness {
    screen: Enrollment,
}

impl Harness {
    fn new() -> Self {
        Self { screen: Enrollment::default() }
    }

    fn send(&mut self, message: Message) {
        let _ = self.screen.update(message, TODAY);
    }

    fn ui(&self) -> Simulator<'_, Message> {
        Simulator::with_settings(common::settings(), self.screen.view(None, TODAY))
    }

    fn shows(&self, label: &str) -> bool {
        self.ui().find(label).is_ok()
    }

    /// Clicks the widget showing `label` and feeds what it sent back.
    fn click(&mut self, label: &str) {
        let messages: Vec<Message> = {
            let mut ui = self.ui();
            ui.click(label).unwrap_or_else(|e| panic!("no «{label}» to click: {e}"));
            ui.into_messages().collect()
        };
        for message in messages {
            self.send(message);
        }
    }

    fn paste(&mut self, text: &str) {
        self.send(Message::Lines(Action::Edit(Edit::Paste(Arc::new(text.to_owned())))));
    }
}

fn specimen(expiry: &str) -> String {
    mitid_emrtd::document::specimen_td3("UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "740812", 'F', expiry)
}

#[test]
fn typed_fields_with_picked_dates_open_the_chip_step() {
    let _guard = serial();
    let mut h = Harness::new();
    assert!(h.shows("Enter the document's data; it is checked as you go."));
    // Nothing entered: Read the chip does nothing.
    h.click("Read the chip");
    assert_eq!(h.screen.step(), Step::Mrz);
    h.send(Message::Number("l898902c3".into()));
    // The day list waits for the year and the month.
    h.send(Message::Day(Which::Birth, 12));
    h.send(Message::Year(Which::Birth, 1974));
    h.send(Message::Month(Which::Birth, Month(8)));
    h.send(Message::Day(Which::Birth, 12));
    h.send(Message::Year(Which::Expiry, 2034));
    h.send(Message::Month(Which::Expiry, Month(1)));
    h.send(Message::Day(Which::Expiry, 30));
    assert!(h.shows("The data checks out. Place the document on the reader."));
    // February has no 30th: the day is dropped and must be picked again.
    h.send(Message::Month(Which::Expiry, Month(2)));
    assert!(h.shows("Date of expiry is missing."));
    h.send(Message::Day(Which::Expiry, 28));
    assert!(h.shows("The data checks out. Place the document on the reader."));
    assert_eq!(Month(2).to_string(), "February");
    h.click("Read the chip");
    assert_eq!(h.screen.step(), Step::Chip);
    let Some(Credentials::Mrz { key, .. }) = h.screen.credentials() else { panic!("MRZ credentials") };
    assert_eq!(key.document_number, "L898902C3");
    assert_eq!((key.birth_date.as_str(), key.expiry_date.as_str()), ("740812", "340228"));
}

#[test]
fn pasted_lines_are_checked_and_a_typo_is_pointed_at() {
    let _guard = serial();
    let mut h = Harness::new();
    h.click("Swipe or paste the MRZ");
    assert_eq!(h.screen.mrz().mode(), Mode::Lines);
    h.paste(&specimen("340415").replacen("740812", "740813", 1));
    assert!(h.shows("The check digit of the date of birth does not match: look for a typo in that field."));
    h.click("Read the chip");
    assert_eq!(h.screen.step(), Step::Mrz, "not with a wrong check digit");
    // Select all and paste the right lines, as a swipe reader types them.
    h.send(Message::Lines(Action::SelectAll));
    h.paste(&specimen("340415"));
    assert!(h.shows("The data checks out. Place the document on the reader."));
    h.click("Read the chip");
    assert_eq!(h.screen.step(), Step::Chip);
    let Some(Credentials::Mrz { mrz: Some(mrz), .. }) = h.screen.credentials() else { panic!("the whole MRZ") };
    assert_eq!(mrz.primary_name, "ERIKSSON");
}

#[test]
fn an_expired_document_is_flagged_and_danish_works_too() {
    let _guard = serial();
    let mut h = Harness::new();
    h.click("Swipe or paste the MRZ");
    h.paste(&specimen("240415"));
    assert!(
        h.shows("The document has expired. MitID needs a valid document: read it only to check who the person is.")
    );
    mitid_assist::i18n::set_language(mitid_core::config::Language::Da);
    assert!(h.shows(
        "Dokumentet er udløbet. MitID kræver et gyldigt dokument: læs det kun for at tjekke, hvem personen er."
    ));
    assert_eq!(Month(2).to_string(), "februar");
    h.send(Message::Lines(Action::SelectAll));
    h.paste("P<UTO");
    let problems = mitid_core::mrz_entry::check_lines("P<UTO", TODAY).unwrap_err();
    let said = problem_text(&problems[0]);
    assert!(said.starts_with("En MRZ har to linjer på 44 eller 36 tegn eller tre på 30; denne har"), "{said}");
    assert!(h.shows(&said));
    mitid_assist::i18n::set_language(mitid_core::config::Language::En);
}

#[test]
fn the_can_is_six_digits() {
    let _guard = serial();
    let mut h = Harness::new();
    h.click("ID card number (CAN)");
    h.send(Message::Can("12a34".into()));
    assert!(h.shows("The CAN is six digits."));
    h.send(Message::Can("123 456".into()));
    assert!(h.shows("Six digits: the chip will tell whether the CAN is right."));
    h.click("Read the chip");
    assert_eq!(h.screen.credentials(), Some(&Credentials::Can("123456".into())));
}
