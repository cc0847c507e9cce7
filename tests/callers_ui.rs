//! The Callers & P-codes screen, headless (iced_test, tiny-skia), on a real
//! SQLite desk in a scratch folder — and the main flows again on the
//! site's shared service (a real PostgreSQL database and
//! `mitid-assist-server` over HTTPS): search → card → issue → the one-time
//! code; the closed-hours refusal; revoke; the form's checks; delete.
//! Desk requests the screen makes are performed here, as the app would off
//! the UI thread, and their answers fed back.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;
#[path = "../crates/server/tests/support/mod.rs"]
mod site;

use mitid_core::service::DeskService;

use common::serial;
use iced_test::Simulator;
use jiff::Timestamp;
use mitid_assist::screen::callers::{self, Callers, Dialog, Event, Message};
use mitid_core::caller::{CallerDetails, Phone};
use mitid_core::pcode::PCodeState;
use mitid_core::support_hours::SupportHours;

struct Harness {
    screen: Callers,
    desk: Box<dyn DeskService>,
    hours: SupportHours,
    status: mitid_core::SupportStatus,
    /// Sets the service's clock.
    set: Box<dyn Fn(Timestamp)>,
    _dir: tempfile::TempDir,
    /// The database and server of a shared-service harness.
    _site: Option<(site::Database, site::Server)>,
}

impl Harness {
    /// On the desk's own SQLite file.
    fn new(at: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (desk, clock) = common::desk(dir.path(), at);
        Self::seeded(Box::new(desk), Box::new(move |at| clock.set(at)), dir, None)
    }

    /// On the shared service, its training clock at `at`; `None` (saying
    /// so) where no PostgreSQL cluster is at hand.
    fn remote(at: &str) -> Option<Self> {
        let admin = site::cluster()?;
        let db = site::Database::new(&admin);
        let server = site::Server::start(&db, &format!("[clock]\nsimulated = \"{}\"", common::local(at)));
        let dir = tempfile::tempdir().unwrap();
        let desk = mitid_remote::RemoteDesk::connect(&site::desk_config(&server), "agent-1", dir.path()).unwrap();
        let trainer = mitid_remote::RemoteDesk::connect(&site::desk_config(&server), "trainer", dir.path()).unwrap();
        let set = Box::new(move |at| trainer.set_service_clock(at).unwrap());
        Some(Self::seeded(Box::new(desk), set, dir, Some((db, server))))
    }

    fn seeded(
        mut desk: Box<dyn DeskService>,
        set: Box<dyn Fn(Timestamp)>,
        dir: tempfile::TempDir,
        site: Option<(site::Database, site::Server)>,
    ) -> Self {
        let hours = desk.hours().clone();
        for (given, family, phone, language, nationality) in [
            ("Olena", "Shevchenko", "+380 44 123 4567", "uk", "UKR"),
            ("Søren", "Kierkegaard", "20 12 34 56", "da", "DNK"),
            ("Anne", "Sørensen", "86 12 34 56", "da", "D<<"),
        ] {
            let details = CallerDetails {
                given_name: given.into(),
                family_name: family.into(),
                phones: vec![Phone::parse(phone).unwrap()],
                language: Some(language.into()),
                nationality: Some(nationality.into()),
                ..CallerDetails::default()
            };
            desk.add_caller(details).unwrap();
        }
        let status = hours.status(desk.now());
        Self { screen: Callers::default(), desk, hours, status, set, _dir: dir, _site: site }
    }

    /// Moves the service's (simulated) clock.
    fn set_clock(&mut self, at: &str) {
        (self.set)(common::local(at));
        self.status = self.hours.status(self.clock_now());
    }

    fn clock_now(&self) -> Timestamp {
        self.desk.now()
    }

    /// The screen as the app lays it out: a dialog over all of it.
    fn ui(&self) -> Simulator<'_, Message> {
        let page = self.screen.view(&self.hours, &self.status, None);
        let view = match self.screen.dialog_view() {
            Some(dialog) => iced::widget::stack![page, dialog].into(),
            None => page,
        };
        Simulator::with_settings(common::settings(), view)
    }

    /// Sends a message, and performs whatever desk work it asks for, until quiet.
    fn send(&mut self, message: Message) {
        self.status = self.hours.status(self.clock_now());
        let today = self.hours.local(self.clock_now()).date();
        let mut queue = vec![message];
        while let Some(message) = queue.pop() {
            let (_task, event) = self.screen.update(message, today);
            if let Some(Event::Desk(request)) = event {
                queue.push(request.perform(self.desk.as_mut()));
            }
        }
    }

    fn click(&mut self, label: &str) {
        let messages: Vec<Message> = {
            let mut ui = self.ui();
            ui.click(label).unwrap_or_else(|e| panic!("no «{label}» to click: {e}"));
            ui.into_messages().collect()
        };
        assert!(!messages.is_empty(), "«{label}» sent nothing");
        for m in messages {
            self.send(m);
        }
    }

    fn type_in_search(&mut self, text: &str) {
        for end in 1..=text.chars().count() {
            let partial: String = text.chars().take(end).collect();
            self.send(Message::Query(partial));
        }
    }

    fn shows(&self, label: &str) -> bool {
        self.ui().find(label).is_ok()
    }
}

#[test]
fn search_open_issue_and_show_the_code_once() {
    let _guard = serial();
    search_open_issue(Harness::new("2026-11-24T10:00"));
}

#[test]
fn search_open_issue_and_show_the_code_once_on_the_shared_service() {
    let _guard = serial();
    if let Some(h) = Harness::remote("2026-11-24T10:00") {
        search_open_issue(h);
    }
}

fn search_open_issue(mut h: Harness) {
    h.type_in_search("soren");
    let names: Vec<&str> = h.screen.results().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Søren Kierkegaard", "Anne Sørensen"], "whole word first");
    h.send(Message::Select(1));
    h.send(Message::Select(-1));
    h.send(Message::OpenSelected);
    assert_eq!(h.screen.card().unwrap().caller.display_name(), "Søren Kierkegaard");
    assert!(h.shows("P-codes may be issued now: MitID Support is open until 20:00."));

    h.click("Issue P-code");
    assert_eq!(h.screen.dialog(), Some(&Dialog::ConfirmIssue), "asks once");
    h.click("Issue the code");
    let Some(Dialog::Code { issued, closing: false }) = h.screen.dialog().cloned() else {
        panic!("{:?}", h.screen.dialog())
    };
    assert!(h.shows(&issued.grouped), "the code is shown, big");
    assert_eq!(issued.grouped.len(), 9);
    assert!(issued.spoken.contains(", ") && issued.spoken.split(", ").all(|w| !w.is_empty()));
    assert!(h.shows("Read the code out now. It will not be shown again."));
    // Danish caller: the read-aloud aid is in Danish.
    let danish_digits = ["nul", "et", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni"];
    assert!(
        issued.spoken.split([',', ' ', '—']).filter(|w| !w.is_empty()).all(|w| danish_digits.contains(&w)),
        "{}",
        issued.spoken
    );

    // The card already lists it as active, by reference only.
    let card = h.screen.card().unwrap();
    assert_eq!(card.pcodes.len(), 1);
    assert_eq!(card.pcodes[0].state, PCodeState::Active);
    assert!(h.shows(&card.pcodes[0].reference.clone()));

    // Closing asks once; "keep it open" goes back; closing twice closes for good.
    h.click("I have read it out");
    assert!(matches!(h.screen.dialog(), Some(Dialog::Code { closing: true, .. })));
    h.click("Keep it open");
    assert!(matches!(h.screen.dialog(), Some(Dialog::Code { closing: false, .. })));
    h.send(Message::CloseCode);
    h.send(Message::CloseCode);
    assert_eq!(h.screen.dialog(), None);
    assert!(!h.shows(&issued.grouped), "never shown again");
    // With one usable code (the default cap) a second is refused, with the reason.
    h.send(Message::AskIssue);
    h.send(Message::Issue);
    assert_eq!(
        h.screen.problem(),
        Some("The caller already has 1 usable P-code(s). Revoke it first if a new one is needed.")
    );
}

#[test]
fn issuing_is_not_offered_while_support_is_closed() {
    let _guard = serial();
    closed_refuses(Harness::new("2026-11-24T10:00"), "2026-11-24T20:00");
}

#[test]
fn the_shared_service_refuses_to_issue_while_support_is_closed() {
    let _guard = serial();
    if let Some(h) = Harness::remote("2026-11-24T10:00") {
        closed_refuses(h, "2026-11-24T20:00");
    }
}

/// Support closes at `closed` (the callers were added while it was open).
fn closed_refuses(mut h: Harness, closed: &str) {
    h.set_clock(closed);
    h.type_in_search("olena");
    h.send(Message::OpenSelected);
    assert!(h.shows("P-codes cannot be issued now: MitID Support opens tomorrow 08:00."));
    // The button is there but does nothing.
    let sent: Vec<Message> = {
        let mut ui = h.ui();
        ui.click("Issue P-code").unwrap();
        ui.into_messages().collect()
    };
    assert!(sent.is_empty(), "disabled: {sent:?}");
    // And if the screen asked anyway, the service refuses.
    h.send(Message::AskIssue);
    h.send(Message::Issue);
    assert_eq!(h.screen.problem(), Some("MitID Support is closed, so no P-code can be issued now."));
    assert!(h.desk.pcodes(1).unwrap().is_empty());
}

#[test]
fn revoking_needs_a_reason() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00");
    h.type_in_search("shevchenko");
    h.send(Message::OpenSelected);
    h.send(Message::AskIssue);
    h.send(Message::Issue);
    h.send(Message::CloseCode);
    h.send(Message::CloseCode);
    h.click("Revoke");
    let Some(Dialog::ConfirmRevoke { reference, .. }) = h.screen.dialog().cloned() else { panic!() };
    h.send(Message::Revoke);
    assert!(h.screen.dialog().is_some(), "no reason, no revoke");
    h.send(Message::Reason("read out to the wrong person".into()));
    h.send(Message::Revoke);
    assert_eq!(h.screen.dialog(), None);
    let card = h.screen.card().unwrap();
    assert_eq!(card.pcodes[0].reference, reference);
    assert_eq!(card.pcodes[0].state, PCodeState::Revoked);
    assert!(h.shows("revoked"));
}

#[test]
fn the_form_checks_fields_and_saves() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00");
    h.click("New caller");
    assert!(h.shows("New caller"));
    h.click("Save");
    assert!(h.shows("Enter a given name or a family name."));
    use mitid_assist::screen::callers::Field;
    let edit = |f, v: &str| Message::Form(mitid_assist::screen::callers::FormMessage::Edit(f, v.into()));
    h.send(edit(Field::Given, "Jürgen"));
    h.send(edit(Field::Family, "Müller"));
    h.send(edit(Field::Phones, "+49 30 901820, 1234"));
    h.click("Save");
    assert!(h.shows("«1234» is not a phone number: include the country code, or give 8 digits for a Danish number."));
    h.send(edit(Field::Phones, "+49 30 901820"));
    h.send(edit(Field::Birth, "2030-01-01"));
    h.click("Save");
    assert!(h.shows("The date of birth 2030-01-01 is in the future."));
    h.send(edit(Field::Birth, "1970-02-03"));
    h.click("Save");
    let card = h.screen.card().expect("saved and opened");
    assert_eq!(card.caller.display_name(), "Jürgen Müller");
    assert_eq!(card.caller.details.phones[0].e164(), "+4930901820");
    let id = card.caller.id;
    h.type_in_search("mueller");
    assert_eq!(h.screen.results()[0].name, "Jürgen Müller");
    // Renamed: the results shown follow the new name.
    h.send(Message::Edit);
    h.send(edit(Field::Family, "Müller-Lüdenscheidt"));
    h.click("Save");
    assert_eq!(
        h.screen.results().iter().find(|r| r.caller_id == id).map(|r| r.name.as_str()),
        Some("Jürgen Müller-Lüdenscheidt")
    );
}

#[test]
fn delete_asks_first_then_removes_everything() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00");
    h.type_in_search("sørensen");
    h.send(Message::OpenSelected);
    let id = h.screen.card().unwrap().caller.id;
    h.click("Delete");
    assert_eq!(h.screen.dialog(), Some(&Dialog::ConfirmDelete));
    assert!(h.shows("Delete Anne Sørensen?"));
    h.click("Cancel");
    assert!(h.desk.caller(id).unwrap().is_some(), "cancel keeps them");
    h.click("Delete");
    h.click("Delete for good");
    assert!(h.screen.card().is_none());
    assert!(h.desk.caller(id).unwrap().is_none());
    assert!(h.screen.results().iter().all(|r| r.caller_id != id));
}

#[test]
fn duplicates_merge_after_one_question() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00");
    h.type_in_search("kierkegaard");
    h.send(Message::OpenSelected);
    let keep = h.screen.card().unwrap().caller.id;
    h.click("Merge duplicate…");
    h.send(Message::MergeWith("C-x".into()));
    h.send(Message::Merge);
    assert_eq!(h.screen.problem(), Some("«C-x» is not another caller's reference: write it as C-123."));
    h.send(Message::MergeWith("c3".into()));
    h.click("Merge and delete the duplicate");
    let card = h.screen.card().unwrap();
    assert_eq!(card.caller.id, keep);
    assert_eq!(card.caller.details.phones.len(), 2, "the duplicate's phone moved over");
    assert!(h.desk.caller(3).unwrap().is_none());
}

/// The card names the nationality as a country in the agent's language
/// (the MRZ's code beside it, never `D<<` alone) and groups the phone
/// number as the number's country writes it.
#[test]
fn the_card_shows_the_country_by_name_and_the_number_grouped() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00");
    h.type_in_search("sørensen");
    h.send(Message::OpenSelected);
    assert_eq!(h.screen.card().unwrap().caller.display_name(), "Anne Sørensen");
    assert!(h.shows("Germany (D)"), "the country by name");
    assert!(!h.shows("D<<"));
    assert!(h.shows("+45 86 12 34 56"), "the number grouped");
    assert!(!h.shows("+4586123456"));
    mitid_assist::i18n::set_language(mitid_core::config::Language::Da);
    let danish = h.shows("Tyskland (D)");
    mitid_assist::i18n::set_language(mitid_core::config::Language::En);
    assert!(danish, "in the agent's language");
}

#[test]
fn what_the_signed_in_roles_do_not_reach_is_shown_but_cannot_be_chosen() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00");
    // Counter staff: callers yes, P-codes and merging no.
    h.screen.allow(callers::Allowed {
        write: true,
        issue: false,
        revoke: false,
        merge_delete: false,
        issue_needs: Some("phone agent".into()),
    });
    h.type_in_search("olena");
    h.send(Message::OpenSelected);
    assert!(h.shows("Needs the role phone agent"), "says why");
    for label in ["Issue P-code", "Merge duplicate…", "Delete"] {
        let mut ui = h.ui();
        ui.click(label).unwrap_or_else(|e| panic!("no «{label}»: {e}"));
        assert!(ui.into_messages().next().is_none(), "«{label}» is disabled");
    }
    // The keyboard (or anything else) asking anyway gets nothing.
    h.send(Message::AskIssue);
    assert_eq!(h.screen.dialog(), None);
    h.send(Message::AskDelete);
    assert_eq!(h.screen.dialog(), None);
    // Editing is theirs.
    h.send(Message::Edit);
    assert!(h.shows("Save"), "the form opens");
}
