//! The shared service on real parts: a PostgreSQL database of its own,
//! `mitid-assist-server` over HTTPS with a test CA, and the desk's client.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

#[path = "../../core/tests/support/contract.rs"]
mod suite;
mod support;

use jiff::Timestamp;
use mitid_core::service::DeskService;
use mitid_remote::RemoteDesk;
use support::{Database, Server, cluster, desk_config};

/// The service's clock, set through a second connection (the first is
/// the one under test).
struct ServiceClock(RemoteDesk);

impl suite::SetClock for ServiceClock {
    fn set(&self, at: Timestamp) {
        self.0.set_service_clock(at).unwrap();
    }
}

#[test]
fn the_shared_service_keeps_the_desk_services_contract() {
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, "[clock]\nsimulated = \"2026-11-24T09:00:00Z\"");
    let dir = tempfile::tempdir().unwrap();
    let mut desk = RemoteDesk::connect(&desk_config(&server), "agent-7", dir.path()).unwrap();
    let clock = ServiceClock(RemoteDesk::connect(&desk_config(&server), "trainer", dir.path()).unwrap());
    suite::contract(&mut desk, &clock, "agent-7");
    assert!(server.stop(), "the server stops cleanly on SIGTERM");
}

#[test]
fn a_production_service_keeps_its_clock() {
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, "");
    let dir = tempfile::tempdir().unwrap();
    let desk = RemoteDesk::connect(&desk_config(&server), "agent-7", dir.path()).unwrap();
    let error = desk.set_service_clock("2030-01-01T00:00:00Z".parse().unwrap()).unwrap_err();
    assert!(error.to_string().contains("training"), "{error}");
    let drift = desk.now().duration_since(Timestamp::now()).abs();
    assert!(drift < jiff::SignedDuration::from_secs(5), "{drift:?}");
}
