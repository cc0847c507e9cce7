//! The MRZ step of counter enrollment, headless: typed fields with the
//! dates picked year and month first, swiped or pasted lines, the CAN; a
//! wrong check digit points at its field, an expired document is flagged,
//! and the chip step opens only with what opens the chip.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;
#[path = "../crates/server/tests/support/mod.rs"]
mod site;

use std::sync::Arc;

use common::serial;
use iced::widget::text_editor::{Action, Edit};
use iced_test::Simulator;
use jiff::civil::{Date, date};
use mitid_assist::chip_read::{self, Specimen};
use mitid_assist::screen::enrollment::chip::Message as ChipMessage;
use mitid_assist::screen::enrollment::mrz::Message as MrzMessage;
use mitid_assist::screen::enrollment::{Enrollment, Event, Message, Mode, Month, Reply, Step, Which, problem_text};
use mitid_core::mrz_entry::Credentials;
use mitid_emrtd::pki::verdict::Verdict;
use mitid_emrtd::sim::document::Scenario;

const TODAY: Date = date(2026, 11, 24);

struct Harness {
    screen: Enrollment,
    /// The readers the screen asked the app to remember.
    remembered: Vec<String>,
    /// How often it asked to remember the webcam chosen.
    remembered_camera: u32,
    desk: Box<dyn mitid_core::service::DeskService>,
    _dir: tempfile::TempDir,
    /// The database and server of a shared-service harness.
    _site: Option<(site::Database, site::Server)>,
}

impl Harness {
    fn with(screen: Enrollment) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (desk, _clock) = common::desk(dir.path(), "2026-11-24T10:00");
        Self { screen, remembered: Vec::new(), remembered_camera: 0, desk: Box::new(desk), _dir: dir, _site: None }
    }

    /// In demo mode, its cases recorded on the site's shared service;
    /// `None` (saying so) where no PostgreSQL cluster is at hand.
    fn demo_on_the_shared_service() -> Option<Self> {
        let admin = site::cluster()?;
        let db = site::Database::new(&admin);
        let server = site::Server::start(&db, "[clock]\nsimulated = \"2026-11-24T09:00:00Z\"");
        let dir = tempfile::tempdir().unwrap();
        let desk = mitid_remote::RemoteDesk::connect(&site::desk_config(&server), "counter-1", dir.path()).unwrap();
        Some(Self {
            screen: Enrollment::new(true),
            remembered: Vec::new(),
            remembered_camera: 0,
            desk: Box::new(desk),
            _dir: dir,
            _site: Some((db, server)),
        })
    }

    fn new() -> Self {
        Self::with(Enrollment::default())
    }

    /// In demo mode, with the simulated reader.
    fn demo() -> Self {
        Self::with(Enrollment::new(true))
    }

    /// Sends a message, doing what the app does with the screen's events:
    /// lists the readers, reads the chip (here, blocking) and feeds back
    /// every report.
    fn send(&mut self, message: Message) {
        let mut queue = vec![message];
        while let Some(message) = queue.pop() {
            let (_task, event) = self.screen.update(message, TODAY);
            let events = match event {
                Some(Event::Batch(events)) => events,
                Some(event) => vec![event],
                None => Vec::new(),
            };
            for event in events {
                self.handle(event, &mut queue);
            }
        }
    }

    fn handle(&mut self, event: Event, queue: &mut Vec<Message>) {
        match event {
            Event::Batch(events) => {
                for event in events {
                    self.handle(event, queue);
                }
            }
            Event::Case(case, request) => {
                queue.push(Message::Reply(case, Reply::Case(request.perform(self.desk.as_mut()))));
            }
            Event::ListReaders => {
                queue.push(Message::Chip(ChipMessage::Readers(chip_read::readers(Some(&Default::default())))))
            }
            Event::RememberReader(name) => self.remembered.push(name),
            Event::RememberCamera => self.remembered_camera += 1,
            Event::Focus(_) => {}
            Event::CompareFace { case, chip, frame, models, thresholds } => {
                let engine = mitid_assist::camera::engine(&models).unwrap();
                let result = mitid_assist::screen::enrollment::face::compare(&engine, &chip, &frame, thresholds);
                queue.push(Message::Reply(case, Reply::Compared(result)));
            }
            Event::Read { case, source, secret, cancel } => {
                // Outside demo mode the screen names the simulated reader
                // as a PC/SC one; here it stays the simulated passport.
                let source = match source {
                    chip_read::Source::Pcsc(name) if name == chip_read::DEMO_READER => {
                        chip_read::Source::Demo(Specimen::Passport)
                    }
                    other => other,
                };
                let reports = chip_read::read_now(common::demo_request(source, secret, cancel));
                queue.extend(reports.into_iter().rev().map(|report| Message::Reply(case, Reply::Report(report))));
            }
        }
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
        self.send(Message::Mrz(MrzMessage::Lines(Action::Edit(Edit::Paste(Arc::new(text.to_owned()))))));
    }
}

fn specimen(expiry: &str) -> String {
    mitid_emrtd::sim::document::specimen_td3("UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "740812", 'F', expiry)
}

#[test]
fn typed_fields_with_picked_dates_open_the_chip_step() {
    let _guard = serial();
    let mut h = Harness::new();
    assert!(h.shows("Enter the document's data; it is checked as you go."));
    // Nothing entered: Read the chip does nothing.
    h.click("Read the chip");
    assert_eq!(h.screen.step(), Step::Mrz);
    h.send(Message::Mrz(MrzMessage::Number("l898902c3".into())));
    // The day list waits for the year and the month.
    h.send(Message::Mrz(MrzMessage::Day(Which::Birth, 12)));
    h.send(Message::Mrz(MrzMessage::Year(Which::Birth, 1974)));
    h.send(Message::Mrz(MrzMessage::Month(Which::Birth, Month(8))));
    h.send(Message::Mrz(MrzMessage::Day(Which::Birth, 12)));
    h.send(Message::Mrz(MrzMessage::Year(Which::Expiry, 2034)));
    h.send(Message::Mrz(MrzMessage::Month(Which::Expiry, Month(1))));
    h.send(Message::Mrz(MrzMessage::Day(Which::Expiry, 30)));
    assert!(h.shows("The data checks out. Place the document on the reader."));
    // February has no 30th: the day is dropped and must be picked again.
    h.send(Message::Mrz(MrzMessage::Month(Which::Expiry, Month(2))));
    assert!(h.shows("Date of expiry is missing."));
    h.send(Message::Mrz(MrzMessage::Day(Which::Expiry, 28)));
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
    h.send(Message::Mrz(MrzMessage::Lines(Action::SelectAll)));
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
    h.send(Message::Mrz(MrzMessage::Lines(Action::SelectAll)));
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
    h.send(Message::Mrz(MrzMessage::Can("12a34".into())));
    assert!(h.shows("The CAN is six digits."));
    h.send(Message::Mrz(MrzMessage::Can("123 456".into())));
    assert!(h.shows("Six digits: the chip will tell whether the CAN is right."));
    h.click("Read the chip");
    assert_eq!(h.screen.credentials(), Some(&Credentials::Can("123456".into())));
}

/// Into the chip step with the CAN (the demo specimens' CAN is 123456).
fn at_the_chip_step(can: &str) -> Harness {
    into_the_chip_step(Harness::demo(), can)
}

/// `h` into the chip step with the CAN.
fn into_the_chip_step(mut h: Harness, can: &str) -> Harness {
    h.click("ID card number (CAN)");
    h.send(Message::Mrz(MrzMessage::Can(can.into())));
    h.click("Read the chip");
    assert_eq!(h.screen.step(), Step::Chip);
    h
}

#[test]
fn the_demo_reader_reads_a_genuine_specimen_and_shows_the_verdict() {
    let _guard = serial();
    let mut h = at_the_chip_step("123456");
    // The simulated reader is found and chosen.
    assert_eq!(h.screen.reader(), Some(chip_read::DEMO_READER));
    assert!(h.shows("Place the document on the reader: a passport open at the photo page (or closed, cover down), an ID card flat. If nothing happens, move it slowly over the reader to find the chip."));
    h.click("Read the chip");
    assert!(!h.screen.reading());
    let document = h.screen.document().expect("read");
    assert_eq!(document.verdict.0, Verdict::Genuine, "{}", document.verdict.1);
    assert!(h.shows("Genuine chip: the data is signed by the issuing country and the chip proved it is the original."));
    assert!(h.shows("The document is valid today."));
    assert!(h.shows("Name on the chip: ANNA MARIA ERIKSSON"));
    // Export, only on purpose: the files as read and the photo.
    let out = tempfile::tempdir().unwrap();
    h.send(Message::Chip(ChipMessage::ExportTo(Some(out.path().join("case")))));
    assert!(std::fs::read(out.path().join("case/face.png")).unwrap().starts_with(b"\x89PNG"));
    let dg1 = std::fs::read(out.path().join("case/DG1.bin")).unwrap();
    assert_eq!(mitid_emrtd::lds::parse_dg1(&dg1).unwrap().primary_name, "ERIKSSON");
    h.send(Message::Chip(ChipMessage::ExportTo(None)));
    // Start over: the person's data is gone, the reader stays chosen.
    h.click("Start over (forget this person's data)");
    assert_eq!(h.screen.step(), Step::Mrz);
    assert!(h.screen.credentials().is_none() && h.screen.document().is_none());
    assert_eq!(h.screen.reader(), Some(chip_read::DEMO_READER));
    // The case: opened, the chip step recorded with what it rests on, and
    // closed — in the audit log, without the person's data.
    let entries = h.desk.audit_entries(&mitid_core::store::AuditFilter::default()).unwrap();
    let actions: Vec<(&str, &str)> = entries.iter().map(|e| (e.action.as_str(), e.verdict.as_str())).collect();
    assert_eq!(
        actions,
        [("enrollment.close", "started over"), ("enrollment.chip", "genuine"), ("enrollment.open", "ok")]
    );
    let steps = h.desk.case_steps(1).unwrap();
    assert!(steps[0].detail.contains("csca="), "{:?}", steps[0]);
    assert!(!steps[0].detail.contains("ERIKSSON"));
}

#[test]
fn a_counter_case_is_recorded_on_the_shared_service() {
    let _guard = serial();
    let Some(h) = Harness::demo_on_the_shared_service() else { return };
    let mut h = into_the_chip_step(h, "123456");
    h.click("Read the chip");
    let document = h.screen.document().expect("read");
    assert_eq!(document.verdict.0, Verdict::Genuine, "{}", document.verdict.1);
    let case = h.screen.case().expect("a case on the service");
    h.click("Start over (forget this person's data)");
    let steps = h.desk.case_steps(case).unwrap();
    assert_eq!(steps.iter().map(|s| s.step.as_str()).collect::<Vec<_>>(), ["chip"]);
    assert!(steps[0].detail.contains("csca=") && !steps[0].detail.contains("ERIKSSON"), "{:?}", steps[0]);
    let (db, _) = h._site.as_ref().unwrap();
    assert_eq!(db.sql("SELECT agent || ' ' || outcome FROM enrollment_case"), "counter-1 started over");
}

#[test]
fn a_wrong_can_a_clone_and_a_slipping_document() {
    let _guard = serial();
    // A wrong CAN: access denied, translated, and the screen can try again.
    let mut h = at_the_chip_step("654321");
    h.click("Read the chip");
    assert!(h.screen.document().is_none());
    assert!(
        h.shows("The chip refused the data: check the document number, the dates (or the CAN) against the document.")
    );
    assert!(h.shows("Check the data and the document's position, then try again."));

    // A clone: read fine, not verified, and the reason says why.
    let mut h = at_the_chip_step("123456");
    h.send(Message::Chip(ChipMessage::Specimen(Specimen::Failing(Scenario::Clone))));
    h.click("Read the chip");
    let document = h.screen.document().expect("read");
    assert_eq!(document.verdict.0, Verdict::NotVerified);
    assert!(document.verdict.1.contains("chip authentication failed"), "{}", document.verdict.1);

    // An expired passport: genuine, and flagged as expired.
    let mut h = at_the_chip_step("123456");
    h.send(Message::Chip(ChipMessage::Specimen(Specimen::Expired)));
    h.click("Read the chip");
    assert_eq!(h.screen.document().expect("read").verdict.0, Verdict::Genuine);
    assert!(h.shows("The document has expired."));

    // A document that slips off in the middle of the photo: the read
    // resumes where it was and ends genuine.
    let mut h = at_the_chip_step("123456");
    h.send(Message::Chip(ChipMessage::Specimen(Specimen::Flaky)));
    h.click("Read the chip");
    assert_eq!(h.screen.document().expect("read").verdict.0, Verdict::Genuine);
    // While it is off the reader, the screen says what to do.
    let (_, event) = h.screen.update(Message::Chip(ChipMessage::Read), TODAY);
    let Some(Event::Read { source, secret, cancel, .. }) = event else { panic!("a read") };
    let lost = chip_read::read_now(common::demo_request(source, secret, cancel))
        .into_iter()
        .find(|r| matches!(r, chip_read::Report::Stage(mitid_emrtd::session::Stage::File(p)) if p.lost))
        .expect("the slip is reported");
    let tag = h.screen.tag();
    h.send(Message::Reply(tag, Reply::Report(lost)));
    assert!(h.shows(
        "The document moved off the reader. Put it back flat and hold it still: the read goes on where it stopped."
    ));
}

#[test]
fn an_id_card_opens_with_its_can_or_its_typed_data() {
    let _guard = serial();
    let mut h = at_the_chip_step("123456");
    h.send(Message::Chip(ChipMessage::Specimen(Specimen::IdCard)));
    h.click("Read the chip");
    let document = h.screen.document().expect("read");
    assert!(matches!(document.access, mitid_emrtd::session::Access::Pace(_)), "{:?}", document.access);
    assert_eq!(document.verdict.0, Verdict::Genuine, "{}", document.verdict.1);
    assert!(h.shows("Document number on the chip: D23145890"));

    // The same card by its typed data: ID card, number, dates.
    let mut h = Harness::demo();
    assert!(h.shows("Demo documents: the passports are L898902C3, born 12 August 1974, expiring 15 April 2034 (the expired one: 15 April 2024). The ID card is D23145890 with the same dates, CAN 123456."));
    h.click("ID card");
    h.send(Message::Mrz(MrzMessage::Number("d23145890".into())));
    for (which, (y, m, d)) in [(Which::Birth, (1974, 8, 12)), (Which::Expiry, (2034, 4, 15))] {
        h.send(Message::Mrz(MrzMessage::Year(which, y)));
        h.send(Message::Mrz(MrzMessage::Month(which, Month(m))));
        h.send(Message::Mrz(MrzMessage::Day(which, d)));
    }
    h.click("Read the chip");
    h.send(Message::Chip(ChipMessage::Specimen(Specimen::IdCard)));
    h.click("Read the chip");
    let document = h.screen.document().expect("read");
    assert!(matches!(document.access, mitid_emrtd::session::Access::Pace(_)), "{:?}", document.access);
    assert_eq!(document.verdict.0, Verdict::Genuine, "{}", document.verdict.1);
    for field in ["document number", "date of birth", "date of expiry"] {
        assert!(!h.shows(&format!("The chip's {field} differs from what was entered.")));
    }
    // The app closing: the person's data goes and the case is closed.
    let case = h.screen.case().expect("a case");
    match h.screen.forget("app closed") {
        Some(Event::Case(_, request)) => {
            let _ = request.perform(h.desk.as_mut());
        }
        other => panic!("no case closing: {other:?}"),
    }
    assert!(h.screen.document().is_none() && h.screen.credentials().is_none());
    let entries = h.desk.audit_entries(&mitid_core::store::AuditFilter::default()).unwrap();
    assert_eq!((entries[0].action.as_str(), entries[0].verdict.as_str()), ("enrollment.close", "app closed"));
    assert!(h.desk.case_steps(case).unwrap().iter().any(|s| s.step == "chip"));
}

fn reader(name: &str, card: bool) -> chip_read::ReaderStatus {
    chip_read::ReaderStatus { name: name.into(), card }
}

#[test]
fn the_last_reader_is_remembered_and_a_placed_document_is_read_at_once() {
    let _guard = serial();
    const ACS: &str = "ACS ACR1252 Dual Reader PICC 00 00";
    const OTHER: &str = "OMNIKEY 5022 00 00";
    // Last run's reader wins over the first one listed, once it is there.
    let mut h = Harness::with(Enrollment::new(false).preferring(Some(ACS.into())));
    h.click("ID card number (CAN)");
    h.send(Message::Mrz(MrzMessage::Can("123456".into())));
    let (_, event) = h.screen.update(Message::Next, TODAY);
    assert!(matches!(event, Some(Event::Batch(ref e)) if e.iter().any(|e| matches!(e, Event::ListReaders))));
    assert!(h.screen.watches_readers());
    h.send(Message::Chip(ChipMessage::Readers(Ok(vec![reader(OTHER, false)]))));
    assert_eq!(h.screen.reader(), Some(OTHER));
    // Plugged in: the live list brings it, and it is taken.
    h.send(Message::Chip(ChipMessage::Readers(Ok(vec![reader(OTHER, false), reader(ACS, false)]))));
    assert_eq!(h.screen.reader(), Some(OTHER), "a reader in use is not switched under the agent");
    h.send(Message::Chip(ChipMessage::Reader(ACS.into())));
    assert_eq!(h.remembered, [ACS]);
    // Unplugged: the other one, and a clear word when none is left.
    h.send(Message::Chip(ChipMessage::Readers(Ok(vec![reader(OTHER, false)]))));
    assert_eq!(h.screen.reader(), Some(OTHER));
    h.send(Message::Chip(ChipMessage::Readers(Err(mitid_emrtd::transport::TransportError::NoReader))));
    assert!(h.shows("No card reader is connected. Plug in the reader and look again."));
    // Kept as it happened, put in words when drawn: a language switch puts
    // the message already on screen in the new language.
    mitid_assist::i18n::set_language(mitid_core::config::Language::Da);
    let danish = h.shows("Der er ingen kortlæser tilsluttet. Sæt læseren i, og søg igen.");
    mitid_assist::i18n::set_language(mitid_core::config::Language::En);
    assert!(danish, "the reader problem in Danish after the switch");
    // Back, with no document: nothing happens until one is placed, and
    // then the read starts by itself.
    let (_, event) =
        h.screen.update(Message::Chip(ChipMessage::Readers(Ok(vec![reader(OTHER, false), reader(ACS, false)]))), TODAY);
    assert!(event.is_none());
    assert_eq!(h.screen.reader(), Some(ACS));
    assert!(!h.screen.card_on_reader());
    assert!(h.shows("No document on the reader yet: place it, and the read starts by itself."));
    let (_, event) =
        h.screen.update(Message::Chip(ChipMessage::Readers(Ok(vec![reader(OTHER, false), reader(ACS, true)]))), TODAY);
    match event {
        Some(Event::Read { source: chip_read::Source::Pcsc(name), .. }) => assert_eq!(name, ACS),
        other => panic!("placing the document did not start the read: {other:?}"),
    }
    assert!(h.screen.reading());
    // Still on the reader while it reads: no second read.
    let (_, event) = h.screen.update(Message::Chip(ChipMessage::Readers(Ok(vec![reader(ACS, true)]))), TODAY);
    assert!(event.is_none());
    // A new person: the reader stays chosen.
    h.send(Message::StartOver);
    assert_eq!(h.screen.reader(), Some(ACS));
}

#[test]
fn the_placement_drawing_shows_the_document_entered() {
    let _guard = serial();
    let artifacts = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let snapshot = |h: &Harness| h.ui().snapshot(&iced::Theme::Light).unwrap();
    let fresh = |name: &str| {
        let path = artifacts.join(name);
        for old in std::fs::read_dir(&artifacts).unwrap().flatten() {
            if old.file_name().to_string_lossy().starts_with(name.trim_end_matches(".png")) {
                let _ = std::fs::remove_file(old.path());
            }
        }
        path
    };
    // A passport (typed), an ID card (its CAN): the same words, another drawing.
    let mut h = Harness::new();
    h.send(Message::Mrz(MrzMessage::Number("L898902C3".into())));
    for (which, (y, m, d)) in [(Which::Birth, (1974, 8, 12)), (Which::Expiry, (2034, 4, 15))] {
        h.send(Message::Mrz(MrzMessage::Year(which, y)));
        h.send(Message::Mrz(MrzMessage::Month(which, Month(m))));
        h.send(Message::Mrz(MrzMessage::Day(which, d)));
    }
    let _ = h.screen.update(Message::Next, TODAY);
    assert!(h.shows(
        "A document with a chip shows this symbol — a rectangle with a circle in it — on the cover or the card."
    ));
    let passport = fresh("placement-passport.png");
    // The first match writes the picture (kept as an artifact).
    assert!(snapshot(&h).matches_image(&passport).unwrap());
    let mut h = Harness::new();
    h.click("ID card number (CAN)");
    h.send(Message::Mrz(MrzMessage::Can("123456".into())));
    let _ = h.screen.update(Message::Next, TODAY);
    assert!(!snapshot(&h).matches_image(&passport).unwrap(), "an ID card is drawn, not the passport");
    assert!(snapshot(&h).matches_image(fresh("placement-id-card.png")).unwrap());
}

#[test]
fn an_older_passport_with_bac_takes_the_mrz() {
    let _guard = serial();
    let mut h = Harness::demo();
    h.click("Swipe or paste the MRZ");
    h.paste(&specimen("340415"));
    h.click("Read the chip");
    h.send(Message::Chip(ChipMessage::Specimen(Specimen::BacOnly)));
    h.click("Read the chip");
    let document = h.screen.document().expect("read");
    assert_eq!(document.access, mitid_emrtd::session::Access::Bac);
    assert_eq!(document.verdict.0, Verdict::Genuine, "{}", document.verdict.1);
    // Pasted lines say more than what opens the chip: an altered name on
    // the chip stands out, and only the name.
    let mut h = Harness::demo();
    h.click("Swipe or paste the MRZ");
    h.paste(&specimen("340415"));
    h.click("Read the chip");
    h.send(Message::Chip(ChipMessage::Specimen(Specimen::Failing(Scenario::AlteredDg1))));
    h.click("Read the chip");
    assert_eq!(h.screen.document().expect("read").verdict.0, Verdict::NotVerified);
    assert!(h.shows("The chip's name differs from what was entered."));
    // Side by side: the chip's DG1 and the lines entered, the dates with
    // their month named and their year whole (never 12.08.74).
    for cell in
        ["On the chip", "Entered", "ANNA MARIA XRIKSSON", "ANNA MARIA ERIKSSON", "12 August 1974", "15 April 2034"]
    {
        assert!(h.shows(cell), "{cell}");
    }
    assert!(!h.shows("12.08.74") && !h.shows("15.04.34"));
    assert!(!h.shows("The chip's document number differs from what was entered."));
    // With a CAN it cannot be opened, and the screen says so.
    let mut h = at_the_chip_step("123456");
    h.send(Message::Chip(ChipMessage::Specimen(Specimen::BacOnly)));
    h.click("Read the chip");
    assert!(h.shows("This document's chip cannot be opened with a CAN: go back and enter the MRZ instead."));
    assert_eq!(
        h.screen.chip_error(),
        Some(&mitid_assist::screen::enrollment::chip::Problem::Read(
            mitid_emrtd::session::SessionError::CanWithoutPace
        ))
    );
}

#[test]
fn why_a_document_is_not_verified_is_said_in_the_agents_language() {
    let _guard = serial();
    let mut h = at_the_chip_step("123456");
    h.send(Message::Chip(ChipMessage::Specimen(Specimen::Failing(Scenario::AlteredDg1))));
    h.click("Read the chip");
    assert!(h.shows("Not verified: DG1 differ from what was signed: the data was altered"));
    assert!(h.shows("✗ Data groups: DG1 differ from what was signed: the data was altered"));
    h.send(Message::Chip(ChipMessage::Specimen(Specimen::Failing(Scenario::UnknownCsca))));
    h.send(Message::Chip(ChipMessage::Read));
    mitid_assist::i18n::set_language(mitid_core::config::Language::Da);
    assert!(h.shows(
        "Ikke verificeret: ingen betroet udsteder fra UT har signeret dokumentet: importér landets certifikater (Tillid)"
    ));
    h.send(Message::Chip(ChipMessage::Specimen(Specimen::Failing(Scenario::Clone))));
    h.send(Message::Chip(ChipMessage::Read));
    assert!(
        h.shows("Ikke verificeret: chippen kunne ikke bevise, at den har dokumentets nøgle — den kan være en kopi.")
    );
    mitid_assist::i18n::set_language(mitid_core::config::Language::En);
}

/// Feeds the face step the demo camera's frames (made and analysed as the
/// camera thread does) until it stops wanting them; returns how many.
fn film(h: &mut Harness, person: mitid_assist::camera::DemoPerson) -> u64 {
    use mitid_assist::camera::{self, DEMO_FPS, Event as CameraEvent, Frame};
    use mitid_assist::screen::enrollment::face::Message as FaceMessage;
    let engine = camera::engine(&mitid_face::models::default_dir()).unwrap();
    let bytes: &[u8] = match person {
        camera::DemoPerson::Holder => include_bytes!("../assets/demo/camera-person-a.jpg"),
        camera::DemoPerson::Stranger => include_bytes!("../assets/demo/camera-person-b.jpg"),
    };
    let picture = image_of(bytes);
    let period = std::time::Duration::from_secs(1) / DEMO_FPS;
    for n in 0..(5 * u64::from(DEMO_FPS)) {
        if h.screen.camera().is_none() {
            return n;
        }
        let frame = camera::demo_frame(&picture, n);
        let rgb = mitid_face::Rgb { width: frame.width(), height: frame.height(), pixels: frame.into_raw() };
        let (faces, findings) = camera::analyse(&engine, &rgb).unwrap();
        if n == 2 {
            // Walking up: the guidance says what to do.
            let frame = Frame::new(rgb.clone(), faces.clone(), findings.clone(), n, period * n as u32);
            h.send(Message::Face(FaceMessage::Camera(CameraEvent::Frame(Arc::new(frame)))));
            assert!(h.shows("Not in the middle: ask the person to move so the face is in the centre."));
            continue;
        }
        let frame = Frame::new(rgb, faces, findings, n, period * n as u32);
        h.send(Message::Face(FaceMessage::Camera(CameraEvent::Frame(Arc::new(frame)))));
    }
    panic!("the picture was never taken");
}

fn image_of(bytes: &[u8]) -> image::RgbImage {
    image::load_from_memory(bytes).unwrap().to_rgb8()
}

#[test]
fn the_face_step_takes_the_picture_compares_and_records_the_decision() {
    let _guard = serial();
    let Some(_) = common::face_models() else { return };
    let mut h = at_the_chip_step("123456");
    h.click("Read the chip");
    h.click("Continue to face capture");
    assert_eq!(h.screen.step(), Step::Face);
    // The holder: the picture is taken by itself after a second of walking
    // up and 0.8 s of holding still; the faces match strongly.
    let frames = film(&mut h, mitid_assist::camera::DemoPerson::Holder);
    assert!((27..=30).contains(&frames), "{frames}");
    assert!(h.shows("Strong match: the faces are very likely the same person."));
    // The decision is in the keyboard's reach too.
    use mitid_assist::screen::enrollment::face::{Decision, Message as FaceMessage};
    assert!(h.screen.focusables().contains(&Message::Face(FaceMessage::Decide(Decision::Same))));
    // Next waits for the agent's decision.
    h.send(Message::Next);
    assert_eq!(h.screen.step(), Step::Face);
    h.click("Same person");
    let steps = h.desk.case_steps(h.screen.case().unwrap()).unwrap();
    let face = steps.iter().find(|s| s.step == "face").expect("the face step recorded");
    assert_eq!(face.verdict, "same person");
    assert!(
        face.detail.starts_with("score=0.") && face.detail.contains("band=strong strong=0.45 weak=0.30"),
        "{face:?}"
    );

    // The hand-over: the person's own app, step by step; the SMS never comes.
    use mitid_assist::screen::enrollment::handover::{Item, Message as Handover, Problem, Status};
    h.click("Next");
    assert_eq!(h.screen.step(), Step::Handover);
    assert!(h.shows("Look away while the person types: it is theirs alone."));
    // The current step's buttons are in the keyboard's reach.
    assert!(h.screen.focusables().contains(&Message::Handover(Handover::Mark(Item::UserId, Status::Done))));
    let case = h.screen.case().unwrap();
    h.send(Message::Handover(Handover::Mark(Item::UserId, Status::Done)));
    h.send(Message::Handover(Handover::Mark(Item::Phone, Status::Problem(Problem::NoSms))));
    assert!(h.shows("Noted: The SMS did not come"));
    h.click("Finish and close the case");
    // Recorded and closed; the screen is ready for the next person.
    let steps = h.desk.case_steps(case).unwrap();
    let handover = steps.iter().find(|s| s.step == "handover").expect("the hand-over recorded");
    assert_eq!(handover.verdict, "stopped");
    assert!(handover.detail.contains("phone=problem:no-sms"), "{handover:?}");
    let entries = h.desk.audit_entries(&mitid_core::store::AuditFilter::default()).unwrap();
    assert_eq!((entries[0].action.as_str(), entries[0].verdict.as_str()), ("enrollment.close", "stopped"));
    assert_eq!(h.screen.step(), Step::Mrz);
    assert!(h.screen.document().is_none());

    // Another person: read, and someone else in front of the camera.
    let mut h = at_the_chip_step("123456");
    h.click("Read the chip");
    h.click("Continue to face capture");
    film(&mut h, mitid_assist::camera::DemoPerson::Holder);

    // Someone else in front of the camera: weak, and it says so.
    h.click("Take a new picture");
    h.send(Message::Face(mitid_assist::screen::enrollment::face::Message::Person(
        mitid_assist::camera::DemoPerson::Stranger,
    )));
    film(&mut h, mitid_assist::camera::DemoPerson::Stranger);
    assert!(h.shows("Weak match: the faces are very likely not the same person."));
    h.click("Not the same person");
    let steps = h.desk.case_steps(h.screen.case().unwrap()).unwrap();
    assert!(
        steps.iter().any(|s| s.step == "face" && s.verdict == "not the same person" && s.detail.contains("band=weak"))
    );
}

/// The citizen's screen, drawn from the enrollment as the app draws it.
fn citizen_shows(h: &Harness, citizen: &mitid_assist::screen::citizen::Citizen, label: &str) -> bool {
    use mitid_assist::screen::citizen::scene;
    let language = citizen.language(h.screen.nationality().and_then(|n| CitizenLanguage::for_nationality(&n)));
    let mut ui = Simulator::with_settings(common::settings(), citizen.view(scene(&h.screen), language, false));
    ui.find(label).is_ok()
}

use mitid_core::config::CitizenLanguage;

#[test]
fn the_citizen_screen_follows_the_case_in_the_citizens_language() {
    use mitid_assist::screen::citizen::{Citizen, Message as CitizenMessage};
    use mitid_assist::screen::enrollment::face::{Decision, Message as FaceMessage};
    use mitid_assist::screen::enrollment::handover::{Item, Message as Handover, Problem, Status};
    let _guard = serial();
    let Some(_) = common::face_models() else { return };
    let mut citizen = Citizen::default();
    let mut h = Harness::demo();
    // English until someone chooses; a tap on a language switches it.
    assert!(citizen_shows(&h, &citizen, "Welcome"));
    let taps: Vec<CitizenMessage> = {
        let scene = mitid_assist::screen::citizen::scene(&h.screen);
        let mut ui = Simulator::with_settings(common::settings(), citizen.view(scene, CitizenLanguage::En, false));
        ui.click("Українська").unwrap();
        ui.into_messages().collect()
    };
    assert_eq!(taps, [CitizenMessage::Language(CitizenLanguage::Uk)]);
    for tap in taps {
        citizen.update(tap);
    }
    assert!(citizen_shows(&h, &citizen, "Ласкаво просимо"));
    assert!(!citizen_shows(&h, &citizen, "Welcome"));

    // The chip: on the reader, then read (the specimen is Utopian: no
    // language follows from it, the choice stands).
    h.click("ID card number (CAN)");
    h.send(Message::Mrz(MrzMessage::Can("123456".into())));
    h.click("Read the chip");
    assert!(citizen_shows(&h, &citizen, "Ваш документ лежить на зчитувачі сторінкою з фото донизу."));
    h.click("Read the chip");
    assert_eq!(h.screen.nationality().as_deref(), Some("UTO"));
    assert!(citizen_shows(&h, &citizen, "Ваш документ зчитано."));

    // The photo: what to do in the citizen's words, then thanks.
    h.click("Continue to face capture");
    assert!(citizen_shows(&h, &citizen, "Подивіться в камеру. Фото буде зроблено автоматично, коли все буде добре."));
    // A person walking up is off centre: the citizen is told where to go.
    {
        use mitid_assist::camera::{self, DEMO_FPS, Event as CameraEvent, Frame};
        let engine = camera::engine(&mitid_face::models::default_dir()).unwrap();
        let frame = camera::demo_frame(&image_of(include_bytes!("../assets/demo/camera-person-a.jpg")), 2);
        let rgb = mitid_face::Rgb { width: frame.width(), height: frame.height(), pixels: frame.into_raw() };
        let (faces, findings) = camera::analyse(&engine, &rgb).unwrap();
        let at = std::time::Duration::from_secs(2) / DEMO_FPS;
        let frame = Frame::new(rgb, faces, findings, 2, at);
        h.send(Message::Face(FaceMessage::Camera(CameraEvent::Frame(Arc::new(frame)))));
        // The face shows on the right of the camera picture: a step to their right.
        assert!(citizen_shows(&h, &citizen, "Зробіть невеликий крок праворуч."));
        assert!(!citizen_shows(&h, &citizen, "Будь ласка, станьте в центр зображення."));
        h.send(Message::Face(FaceMessage::Retake));
    }
    film(&mut h, mitid_assist::camera::DemoPerson::Holder);
    assert!(citizen_shows(&h, &citizen, "Дякуємо. Ваше фото зараз порівнюється з фото у вашому документі."));
    h.send(Message::Face(FaceMessage::Decide(Decision::Same)));
    h.click("Next");

    // The hand-over, step by step, in German now; private steps say so.
    citizen.update(CitizenMessage::Language(CitizenLanguage::De));
    assert!(citizen_shows(&h, &citizen, "Schritt 1 von 7"));
    assert!(citizen_shows(&h, &citizen, "Wählen Sie Ihre Benutzer-ID"));
    assert!(citizen_shows(&h, &citizen, "Das gehört nur Ihnen: Die Person, die Ihnen hilft, schaut weg."));
    h.send(Message::Handover(Handover::Mark(Item::UserId, Status::Done)));
    assert!(citizen_shows(&h, &citizen, "Schritt 2 von 7"));
    assert!(citizen_shows(&h, &citizen, "Ihre Handynummer verknüpfen"));
    h.send(Message::Handover(Handover::Mark(Item::Phone, Status::Problem(Problem::NoSms))));
    assert!(citizen_shows(&h, &citizen, "Die Person, die Ihnen hilft, löst das gemeinsam mit Ihnen."));
    h.send(Message::Handover(Handover::Mark(Item::Phone, Status::Done)));
    for item in [Item::Activate, Item::TemporaryPin, Item::PersonalPin, Item::Notifications] {
        h.send(Message::Handover(Handover::Mark(item, Status::Done)));
    }
    assert!(citizen_shows(&h, &citizen, "Fingerabdruck oder Gesicht (freiwillig)"));
    h.send(Message::Handover(Handover::Mark(Item::Biometrics, Status::Skipped)));
    citizen.update(CitizenMessage::Language(CitizenLanguage::Pl));
    assert!(citizen_shows(&h, &citizen, "Twój MitID jest gotowy"));
}

#[test]
fn a_webcam_is_chosen_and_remembered_and_without_one_the_agent_compares_by_eye() {
    use mitid_assist::camera::{Event as CameraEvent, Opened, Source};
    use mitid_assist::screen::enrollment::face::{Message as FaceMessage, Size, WebcamChoice};
    let _guard = serial();
    // Not demo mode: the face step watches a webcam (the chip is still the
    // simulated one this harness reads).
    let mut h = into_the_chip_step(Harness::new(), "123456");
    h.click("Read the chip");
    h.click("Continue to face capture");
    assert_eq!(h.screen.step(), Step::Face);
    assert_eq!(h.screen.camera().map(|(s, _)| s), Some(Source::Webcam { camera: None, size: None }));
    // No camera: said so, in words that say what to do; the agent may go on.
    assert!(!h.shows("Next") || h.screen.face().decision().is_none());
    h.send(Message::Next);
    assert_eq!(h.screen.step(), Step::Face, "not before the camera is known to be missing");
    let none = mitid_assist::camera::error_text(&mitid_camera::CameraError::NoCamera);
    h.send(Message::Face(FaceMessage::Camera(CameraEvent::Failed(mitid_assist::camera::Problem::Camera(
        mitid_camera::CameraError::NoCamera,
    )))));
    assert!(h.shows(&none), "{none}");
    assert!(none.starts_with("No camera found."));
    // Two cameras appear (plugged in); the first opens at 640×480.
    let names = vec!["Integrated Camera".to_owned(), "Logitech C920".to_owned()];
    h.send(Message::Face(FaceMessage::Camera(CameraEvent::Cameras(names))));
    let opened =
        Opened { camera: "Integrated Camera".into(), size: (640, 480), fps: 30, sizes: vec![(1280, 720), (640, 480)] };
    h.send(Message::Face(FaceMessage::Camera(CameraEvent::Opened(opened))));
    assert!(!h.shows(&none), "the error goes once the camera opens");
    // The camera and its size, each a button going on to the next one —
    // in the keyboard's reach too.
    assert!(h.shows("Camera: Integrated Camera") && h.shows("Picture size: 640 × 480"));
    let targets = h.screen.focusables();
    assert!(targets.contains(&Message::Face(FaceMessage::NextCamera)), "{targets:?}");
    assert!(targets.contains(&Message::Face(FaceMessage::NextSize)), "{targets:?}");
    // The agent picks the other camera, then a size: both remembered, and
    // the stream the app runs follows.
    h.click("Camera: Integrated Camera");
    assert_eq!(h.screen.face_camera().webcam.camera.as_deref(), Some("Logitech C920"));
    assert!(!h.shows("Picture size: 640 × 480"), "the other camera's sizes come when it opens");
    let opened = Opened {
        camera: "Logitech C920".into(),
        size: (640, 480),
        fps: 30,
        sizes: vec![(1920, 1080), (1280, 720), (640, 480)],
    };
    h.send(Message::Face(FaceMessage::Camera(CameraEvent::Opened(opened))));
    h.click("Picture size: 640 × 480");
    assert_eq!(h.screen.face_camera().webcam.size, Some((1920, 1080)));
    // A size chosen straight away works the same.
    h.send(Message::Face(FaceMessage::Size(Size(1280, 720))));
    assert_eq!(h.remembered_camera, 3);
    let choice = WebcamChoice { camera: Some("Logitech C920".into()), size: Some((1280, 720)) };
    assert_eq!(h.screen.face_camera().webcam, choice);
    assert_eq!(
        h.screen.camera().map(|(s, _)| s),
        Some(Source::Webcam { camera: choice.camera.clone(), size: choice.size })
    );
    // Busy in a video call: the picture goes, the reason shows; the agent
    // compares by eye and goes on, which the case records.
    let busy = mitid_assist::camera::error_text(&mitid_camera::CameraError::Busy);
    h.send(Message::Face(FaceMessage::Camera(CameraEvent::Failed(mitid_assist::camera::Problem::Camera(
        mitid_camera::CameraError::Busy,
    )))));
    assert!(h.shows(&busy));
    h.click("Next");
    assert_eq!(h.screen.step(), Step::Handover);
    let steps = h.desk.case_steps(h.screen.case().unwrap()).unwrap();
    assert!(steps.iter().any(|s| s.step == "face" && s.verdict == "compared by eye"), "{steps:?}");
    // The choice outlives the person.
    h.click("Start over (forget this person's data)");
    assert_eq!(h.screen.face_camera().webcam, choice);
}
