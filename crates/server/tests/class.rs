//! A classroom on real parts: `mitid-assist-server --demo --lesson` on a
//! PostgreSQL database of its own, desks connected over HTTPS through the
//! desk's client — the lesson's callers and clock, each desk telling
//! where it is, the trainer's faults to one desk or to all, each fetched
//! once.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod https;
mod support;

use mitid_core::api::DeskReport;
use mitid_core::lesson::FaultKind;
use mitid_core::pcode::PCodeState;
use mitid_core::service::DeskService;
use mitid_core::store::StoreError;
use mitid_remote::RemoteDesk;
use support::{Database, Server, cluster, desk_config};

const LESSON: &str = r#"[lesson]
id = "class-test"
title = { en = "A class", da = "Et hold" }
goal = { en = "Teach", da = "Undervis" }

[clock]
start = "2026-11-25T10:30:00+01:00"
speed = 2

[[callers]]
given_name = "Åse"
family_name = "Østergaard"
birth_date = "1972-12-01"
pcode = "expired"

[[callers]]
given_name = "Jürgen"
family_name = "Müller"
birth_date = "1964-08-12"
pcode = "locked"

[[callers]]
given_name = "Søren"
family_name = "Ærø"
pcode = "active"
"#;

fn report(step: &str) -> DeskReport {
    DeskReport {
        lesson: Some("class-test".into()),
        screen: "Callers".into(),
        step: step.into(),
        last_action: Some("searched".into()),
    }
}

#[test]
fn a_class_serves_its_lessons_callers_and_clock_and_carries_the_trainers_faults_to_its_desks() {
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let dir = tempfile::tempdir().unwrap();
    let lesson = dir.path().join("class-test.toml");
    std::fs::write(&lesson, LESSON).unwrap();
    let server = Server::start_args(&db, "", &["--demo", "--lesson", lesson.to_str().unwrap()]);
    let connect = |agent: &str| RemoteDesk::connect(&desk_config(&server), agent, dir.path()).unwrap();
    let (trainer, one, two) = (connect("trainer"), connect("desk-1"), connect("desk-2"));

    // The lesson's callers, with the codes it gives them.
    let codes = |name: &str| {
        let id = one.search(name, 5).unwrap()[0].caller_id;
        one.pcodes(id).unwrap().into_iter().map(|p| (p.state, p.expires_at)).collect::<Vec<_>>()
    };
    let start: jiff::Timestamp = "2026-11-25T09:30:00Z".parse().unwrap();
    let expired = codes("Åse Østergaard");
    assert!(expired.len() == 1 && expired[0].1 < start, "expired by the lesson's start: {expired:?}");
    assert_eq!(codes("Jürgen Müller")[0].0, PCodeState::Locked);
    assert_eq!(codes("Søren Ærø")[0].0, PCodeState::Active);

    // Each desk joins by telling where it is; the class's lesson and clock
    // come back.
    let orders = one.class_report(&report("search")).unwrap();
    assert_eq!(orders.lesson.as_deref(), Some("class-test"));
    assert_eq!(orders.speed, 2.0);
    assert!(orders.now >= start && orders.now < start + jiff::SignedDuration::from_mins(30), "{}", orders.now);
    assert!(orders.faults.is_empty());
    two.class_report(&report("card")).unwrap();

    // The trainer follows them …
    let view = trainer.class_view().unwrap();
    let desks: Vec<(&str, &str)> = view.desks.iter().map(|d| (d.desk.as_str(), d.report.step.as_str())).collect();
    assert_eq!(desks, [("desk-1", "search"), ("desk-2", "card")]);
    assert_eq!(view.lesson.as_deref(), Some("class-test"));

    // … sends a fault to one desk, which gets it once …
    assert_eq!(trainer.class_fault(Some("desk-2"), FaultKind::CardSlips).unwrap(), 1);
    assert_eq!(trainer.class_view().unwrap().desks[1].waiting, 1);
    assert!(one.class_report(&report("search")).unwrap().faults.is_empty(), "not desk-1's");
    assert_eq!(two.class_report(&report("card")).unwrap().faults, [FaultKind::CardSlips]);
    assert!(two.class_report(&report("card")).unwrap().faults.is_empty(), "delivered once");

    // … and to every desk.
    assert_eq!(trainer.class_fault(None, FaultKind::SupportCloses).unwrap(), 2);
    assert_eq!(one.class_report(&report("search")).unwrap().faults, [FaultKind::SupportCloses]);
    assert_eq!(two.class_report(&report("card")).unwrap().faults, [FaultKind::SupportCloses]);

    // A desk that never joined is named in the refusal.
    let Err(StoreError::Refused(why)) = trainer.class_fault(Some("desk-9"), FaultKind::NoSms) else {
        panic!("a fault for a desk not in the class")
    };
    assert!(why.contains("desk-9"), "{why}");

    // The class's clock is the trainer's to move, for every desk.
    let later: jiff::Timestamp = "2026-11-25T18:58:00Z".parse().unwrap();
    trainer.class_clock(later, Some(1.0)).unwrap();
    let orders = two.class_report(&report("card")).unwrap();
    assert!(orders.now >= later && orders.speed == 1.0, "{orders:?}");

    // A report that is not one is refused, and nothing of it kept.
    let mut garbage = report("x");
    garbage.step = "\u{1b}[2J".into();
    assert!(matches!(one.class_report(&garbage), Err(StoreError::Refused(_))));
    assert_eq!(trainer.class_view().unwrap().desks[0].report.step, "search");
    assert!(server.stop(), "the class stops cleanly");
}

#[test]
fn a_site_service_serves_no_class_and_an_unknown_lesson_is_named_at_start() {
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, "");
    let dir = tempfile::tempdir().unwrap();
    let desk = RemoteDesk::connect(&desk_config(&server), "desk-1", dir.path()).unwrap();
    let Err(StoreError::Refused(why)) = desk.class_report(&report("search")) else { panic!("a class on a site") };
    assert!(why.contains("no class"), "{why}");
    assert!(matches!(desk.class_fault(None, FaultKind::NoSms), Err(StoreError::Refused(_))));
    drop(server);

    let out = std::process::Command::new(support::server_binary())
        .args(["--demo", "--lesson", "meteor", "--config", "/nonexistent/server.toml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("no lesson «meteor»") && said.contains("late-call"), "{said}");
}
