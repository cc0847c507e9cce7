//! The embedded service (the desk's own SQLite file) keeps the desk
//! service's contract.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

#[path = "support/contract.rs"]
mod suite;

use std::sync::Arc;

use mitid_core::SimulatedClock;
use mitid_core::desk::{Desk, DeskConfig};
use mitid_core::keys::KeyStore;
use mitid_core::support_hours::SupportHours;
use suite::{contract, local};

#[test]
fn the_embedded_service_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimulatedClock::starting_at(local("2026-11-24T10:00")));
    let config = DeskConfig { agent: Some("agent-7".into()), ..DeskConfig::default() };
    let key = KeyStore::DemoFile(dir.path().join("key"));
    let mut desk = Desk::open(dir.path(), &key, SupportHours::default(), clock.clone(), &config).unwrap();
    contract(&mut desk, clock.as_ref(), "agent-7");
}

#[test]
fn every_shipped_lesson_preloads_its_callers_once() {
    use mitid_core::service::DeskService;
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimulatedClock::starting_at(local("2026-11-24T10:00")));
    let key = KeyStore::DemoFile(dir.path().join("key"));
    let mut desk = Desk::open(dir.path(), &key, SupportHours::default(), clock, &DeskConfig::default()).unwrap();
    let mut expected = 0;
    for (id, text) in mitid_core::lesson::SHIPPED {
        let lesson = mitid_core::lesson::parse(text).unwrap();
        let added = mitid_core::lesson::preload(&mut desk, &lesson).unwrap();
        assert_eq!(added, lesson.callers.len(), "{id}");
        expected += added;
        assert_eq!(mitid_core::lesson::preload(&mut desk, &lesson).unwrap(), 0, "{id}: again, nothing twice");
    }
    assert!(expected >= 4, "the phone lessons bring their callers");
    assert_eq!(desk.caller_count().unwrap(), expected as u64);
    assert_eq!(desk.search("soeren kierkegaard", 5).unwrap()[0].name, "Søren Kierkegaard");
}
