//! The Trust screen, headless, on a real trust store in a data folder:
//! import the real German master list, see the countries, refuse a file
//! that is not trust material with a translated reason.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;

use common::serial;
use iced_test::Simulator;
use mitid_assist::screen::trust::{Event, Message, Trust};

struct Harness {
    screen: Trust,
    dir: tempfile::TempDir,
}

impl Harness {
    fn send(&mut self, message: Message) {
        let mut queue = vec![message];
        while let Some(message) = queue.pop() {
            let (_task, event) = self.screen.update(message);
            if let Some(Event::Store(request)) = event {
                queue.push(request.perform(self.dir.path(), "2026-11-24T12:00:00Z".parse().unwrap()));
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
    let mut h = Harness { screen: Trust::default(), dir: tempfile::tempdir().unwrap() };
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

    // Nothing lost across a fresh screen (the store is on disk).
    let mut again = Harness { screen: Trust::default(), dir: h.dir };
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
