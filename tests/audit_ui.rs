//! The Audit screen, headless, on a real SQLite desk: list and filter,
//! check the chain (intact, then tampered), export to a file — and on the
//! site's shared service, where a chain written anew on the server is
//! caught by the checkpoint the desk remembers.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;
#[path = "../crates/server/tests/support/mod.rs"]
mod site;

use common::serial;
use iced_test::Simulator;
use mitid_assist::screen::audit::{Audit, Event, Format, Message};
use mitid_core::caller::CallerDetails;
use mitid_core::desk::Desk;
use mitid_core::service::DeskService;
use mitid_core::support_hours::SupportHours;

struct Harness {
    screen: Audit,
    desk: Desk,
    hours: SupportHours,
    dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (mut desk, _clock) = common::desk(dir.path(), "2026-11-24T10:00");
        let now = desk.now();
        for family in ["Eriksson", "Jensen", "Nowak"] {
            let details =
                CallerDetails { given_name: "Anna".into(), family_name: family.into(), ..CallerDetails::default() };
            desk.raw_store().add_caller(details, "agent-7", now).unwrap();
        }
        desk.issue_pcode(1).unwrap();
        Self { screen: Audit::default(), desk, hours: SupportHours::default(), dir }
    }

    fn send(&mut self, message: Message) {
        let mut queue = vec![message];
        while let Some(message) = queue.pop() {
            let (_task, event) = self.screen.update(message, &self.hours);
            if let Some(Event::Desk(request)) = event {
                queue.push(request.perform(&mut self.desk));
            }
        }
    }

    fn shows(&self, label: &str) -> bool {
        Simulator::with_settings(common::settings(), self.screen.view(&self.hours, None)).find(label).is_ok()
    }
}

#[test]
fn lists_filters_and_checks_the_log() {
    let _guard = serial();
    let mut h = Harness::new();
    h.send(Message::Refresh);
    let actions: Vec<&str> = h.screen.entries().iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["pcode.issue", "caller.create", "caller.create", "caller.create"], "newest first");
    assert!(h.shows("agent-7"));
    h.send(Message::Action("pcode.".into()));
    h.send(Message::Refresh);
    assert_eq!(h.screen.entries().len(), 1);
    h.send(Message::From("2026-11-25".into()));
    h.send(Message::Refresh);
    assert!(h.screen.entries().is_empty(), "nothing from tomorrow on");
    assert!(h.shows("No entries match."));
    h.send(Message::From("24/11".into()));
    h.send(Message::Refresh);
    assert_eq!(h.screen.problem(), Some("«24/11» is not a date: write it as YYYY-MM-DD."));

    h.send(Message::Verify);
    assert!(h.shows("The log is intact: all 4 entries are unchanged and in order."));
    // Someone edits the database behind the app's back.
    assert!(edit_behind_the_apps_back(h.dir.path()), "one entry edited");
    h.send(Message::Verify);
    assert!(h.shows("THE LOG WAS CHANGED: entry 2 is not what was written."));
}

/// Changes one audit entry directly in the file, as an attacker would.
fn edit_behind_the_apps_back(dir: &std::path::Path) -> bool {
    let store = mitid_core::store::Store::open(&dir.join("desk.sqlite")).unwrap();
    store.tamper_for_tests("UPDATE audit SET verdict = 'refused' WHERE seq = 2").unwrap() == 1
}

#[test]
fn exports_csv_and_json_to_the_chosen_file() {
    let _guard = serial();
    let mut h = Harness::new();
    let csv = h.dir.path().join("out.csv");
    h.send(Message::ExportTo(Format::Csv, Some(csv.clone())));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 5, "header and 4 entries: {text}");
    assert!(text.lines().nth(1).unwrap().starts_with("1,"), "oldest first");
    assert_eq!(h.screen.notice().map(|n| n.starts_with("4 entries saved to")), Some(true));
    let json = h.dir.path().join("out.json");
    h.send(Message::ExportTo(Format::Json, Some(json.clone())));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 4);
    assert_eq!(v[3]["action"], "pcode.issue");
    h.send(Message::ExportTo(Format::Csv, None));
    assert!(h.screen.notice().unwrap().starts_with("Export cancelled"));
}

#[test]
fn on_the_shared_service_the_screen_lists_checks_and_catches_an_edit() {
    let _guard = serial();
    let Some(admin) = site::cluster() else { return };
    let db = site::Database::new(&admin);
    let server = site::Server::start(&db, "[clock]\nsimulated = \"2026-11-24T09:00:00Z\"");
    let dir = tempfile::tempdir().unwrap();
    let mut desk = mitid_remote::RemoteDesk::connect(&site::desk_config(&server), "agent-7", dir.path()).unwrap();
    for family in ["Eriksson", "Jensen", "Nowak"] {
        let details =
            CallerDetails { given_name: "Anna".into(), family_name: family.into(), ..CallerDetails::default() };
        desk.add_caller(details).unwrap();
    }
    let (mut screen, hours) = (Audit::default(), desk.hours().clone());
    let mut send = |screen: &mut Audit, message: Message| {
        let mut queue = vec![message];
        while let Some(message) = queue.pop() {
            let (_task, event) = screen.update(message, &hours);
            if let Some(Event::Desk(request)) = event {
                queue.push(request.perform(&mut desk));
            }
        }
    };
    let shows = |screen: &Audit, label: &str| {
        Simulator::with_settings(common::settings(), screen.view(&SupportHours::default(), None)).find(label).is_ok()
    };
    send(&mut screen, Message::Refresh);
    assert_eq!(screen.entries().len(), 3);
    assert!(shows(&screen, "agent-7"));
    send(&mut screen, Message::Verify);
    assert!(shows(&screen, "The log is intact: all 3 entries are unchanged and in order."));
    db.sql("UPDATE audit SET verdict = 'refused' WHERE seq = 2");
    send(&mut screen, Message::Verify);
    assert!(shows(&screen, "THE LOG WAS CHANGED: entry 2 is not what was written."));
}
