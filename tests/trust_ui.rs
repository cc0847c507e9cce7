//! The Trust screen, headless, through the desk service: on a single
//! desk's own store (import the real German master list, see the
//! countries, refuse a file that is not trust material with a translated
//! reason), and on a site's shared service, whose store every desk of the
//! site verifies chips against — from its copy while the service is away.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;
#[path = "../crates/server/tests/support/mod.rs"]
mod site;

use common::serial;
use iced_test::Simulator;
use mitid_assist::chip_read::{self, Report, Source, Specimen};
use mitid_assist::screen::trust::{Event, Message, Trust};
use mitid_assist::service::DeskHandle;
use mitid_core::service::DeskService;
use mitid_emrtd::pki::verdict::Verdict;

struct Harness {
    screen: Trust,
    desk: Box<dyn DeskService>,
    dir: tempfile::TempDir,
}

impl Harness {
    fn embedded(dir: tempfile::TempDir) -> Self {
        let (desk, _clock) = common::desk(dir.path(), "2026-11-24T13:00");
        Self { screen: Trust::default(), desk: Box::new(desk), dir }
    }

    fn send(&mut self, message: Message) {
        let mut queue = vec![message];
        while let Some(message) = queue.pop() {
            let (_task, event) = self.screen.update(message);
            if let Some(Event::Desk(request)) = event {
                queue.push(request.perform(self.desk.as_mut()));
            }
        }
    }

    fn shows(&self, label: &str) -> bool {
        Simulator::with_settings(common::settings(), self.screen.view(None)).find(label).is_ok()
    }
}

#[test]
fn imports_a_master_list_and_refuses_what_is_not_one() {
    let _guard = serial();
    let Some(ml) = common::shared("masterlists/DE_ML_2026-05-28.ml") else { return };
    mitid_assist::i18n::set_language(mitid_core::config::Language::En);
    let mut h = Harness::embedded(tempfile::tempdir().unwrap());
    h.send(Message::Refresh);
    assert!(h.screen.rows().is_empty());
    assert!(h.shows("No issuers are trusted yet, so no document can be verified: import a master list."));

    h.send(Message::ImportFrom(Some(ml)));
    let notice = h.screen.notice().unwrap().to_owned();
    assert!(notice.starts_with("DE_ML_2026-05-28.ml: master list"), "{notice}");
    assert!(notice.contains("csca-germany"), "{notice}");
    assert!(h.screen.rows().iter().any(|r| r.country == "DK"));
    assert!(h.shows("DE"));
    let total: usize = h.screen.rows().iter().map(|r| r.certificates).sum();
    assert!(total >= 500);

    assert!(h.screen.origin().is_none(), "a single desk's own store");
    // Nothing lost across a fresh screen and desk (the store is on disk).
    drop(h.desk);
    let mut again = Harness::embedded(h.dir);
    again.send(Message::Refresh);
    assert_eq!(again.screen.rows().iter().map(|r| r.certificates).sum::<usize>(), total);

    // Not trust material: translated, and nothing changes.
    let junk = again.dir.path().join("notes.txt");
    std::fs::write(&junk, "hello").unwrap();
    again.send(Message::ImportFrom(Some(junk.clone())));
    assert!(again.screen.problem().unwrap().contains("not a master list"), "{:?}", again.screen.problem());
    mitid_assist::i18n::set_language(mitid_core::config::Language::Da);
    again.send(Message::ImportFrom(Some(junk)));
    assert!(again.screen.problem().unwrap().contains("hverken en masterliste"), "{:?}", again.screen.problem());
    mitid_assist::i18n::set_language(mitid_core::config::Language::En);
    again.send(Message::ImportFrom(None));
    assert!(again.screen.notice().unwrap().starts_with("Nothing imported"));
}

/// The demo passport read on `desk` as a real desk reads it (no demo
/// CSCA added): the verdict.
fn verdict(desk: &DeskHandle) -> Verdict {
    let mut request = common::demo_request(
        Source::Demo(Specimen::Passport),
        mitid_emrtd::session::Secret::Can("123456".into()),
        Default::default(),
    );
    request.demo = false;
    request.desk = Some(desk.clone());
    match chip_read::read_now(request).pop() {
        Some(Report::Done(Ok(document))) => document.verdict.0,
        other => panic!("the read did not finish: {other:?}"),
    }
}

#[test]
fn on_a_site_the_store_is_imported_once_and_every_desk_verifies_against_it() {
    let _guard = serial();
    let Some(admin) = site::cluster() else { return };
    let db = site::Database::new(&admin);
    let server = site::Server::start(&db, "[clock]\nsimulated = \"2026-11-24T12:00:00Z\"");
    let dir = tempfile::tempdir().unwrap();
    let admin_desk = mitid_remote::RemoteDesk::connect(&site::desk_config(&server), "admin-1", dir.path()).unwrap();
    let mut h = Harness { screen: Trust::default(), desk: Box::new(admin_desk), dir };
    let counter_dir = tempfile::tempdir().unwrap();
    let counter = DeskHandle::remote(
        mitid_remote::RemoteDesk::connect(&site::desk_config(&server), "counter-2", counter_dir.path()).unwrap(),
    );
    // Nothing trusted on the site yet: the counter cannot trace the chip.
    assert_ne!(verdict(&counter), Verdict::Genuine);

    h.send(Message::Refresh);
    assert!(h.screen.origin().unwrap().contains("from the shared service"), "{:?}", h.screen.origin());
    assert!(h.shows("No issuers are trusted yet, so no document can be verified: import a master list."));
    let csca = h.dir.path().join("utopia-csca.der");
    std::fs::write(&csca, mitid_emrtd::sim::document::TestPki::new().csca_certificate()).unwrap();
    h.send(Message::ImportFrom(Some(csca.clone())));
    assert!(h.screen.notice().unwrap().contains("1 new"), "{:?} {:?}", h.screen.notice(), h.screen.problem());
    assert!(h.screen.rows().iter().any(|r| r.country == "UT"));

    // Imported once at one desk: the counter's next read verifies.
    assert_eq!(verdict(&counter), Verdict::Genuine);

    // The service goes away: the screen says the desk's copy is shown and
    // how old it is; the counter still verifies against its copy; an
    // import is refused with a reason, not kept locally.
    assert!(server.stop());
    h.send(Message::Refresh);
    let origin = h.screen.origin().unwrap().to_owned();
    assert!(origin.contains("cannot be reached") && origin.contains("0 h old"), "{origin}");
    assert!(h.shows(&origin));
    assert!(h.screen.rows().iter().any(|r| r.country == "UT"));
    assert_eq!(verdict(&counter), Verdict::Genuine);
    h.send(Message::ImportFrom(Some(csca)));
    assert!(h.screen.problem().unwrap().contains("nothing was imported"), "{:?}", h.screen.problem());
    mitid_assist::i18n::set_language(mitid_core::config::Language::Da);
    h.send(Message::Refresh);
    assert!(h.screen.origin().unwrap().contains("kan ikke nås"), "{:?}", h.screen.origin());
    mitid_assist::i18n::set_language(mitid_core::config::Language::En);
}

#[test]
fn only_an_admin_imports_and_the_others_are_told_so() {
    let _guard = common::serial();
    let mut h = Harness::embedded(tempfile::tempdir().unwrap());
    h.screen.allow_import(Some("administrator".into()));
    assert!(h.shows("Needs the role administrator"));
    let sent: Vec<Message> = {
        let mut ui = Simulator::with_settings(common::settings(), h.screen.view(None));
        let import = mitid_assist::fl!("trust-import");
        ui.click(import.as_str()).unwrap();
        ui.into_messages().collect()
    };
    assert!(sent.is_empty(), "disabled: {sent:?}");
    h.screen.allow_import(None);
    assert!(!h.shows("Needs the role administrator"));
}
