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
