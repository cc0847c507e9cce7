//! The desk service's contract: what every implementation of
//! `DeskService` does, checked by one suite — included by the embedded
//! service's test (`crates/core/tests/contract.rs`) and by the shared
//! service's (`crates/server/tests/service.rs`), against a real server.

#![allow(clippy::unwrap_used, dead_code)] // in a test, a panic is the failure report

use jiff::Timestamp;
use mitid_core::caller::{CallerDetails, Channel, Phone};
use mitid_core::pcode::{PCode, PCodeState, Redemption};
use mitid_core::service::{DeskService, NewContact};
use mitid_core::store::{AuditFilter, REDEEMER, StoreError};
use mitid_core::support_hours::COPENHAGEN;
use mitid_core::trust::{TrustRefusal, TrustWarning};

pub fn local(s: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    COPENHAGEN.to_timestamp(dt).unwrap()
}

fn person(given: &str, family: &str, phone: &str) -> CallerDetails {
    CallerDetails {
        given_name: given.into(),
        family_name: family.into(),
        phones: vec![Phone::parse(phone).unwrap()],
        nationality: Some("UKR".into()),
        ..CallerDetails::default()
    }
}

/// Within a second: the simulated clock runs on from where it is set.
fn near(a: Timestamp, b: Timestamp) -> bool {
    a.duration_since(b).abs() < jiff::SignedDuration::from_secs(1)
}

fn wrong(code: &PCode) -> PCode {
    let d = code.digits();
    format!("{}{}", &d[..7], (d.as_bytes()[7] - b'0' + 1) % 10).parse().unwrap()
}

/// Sets the service's clock.
pub trait SetClock {
    /// To `at`.
    fn set(&self, at: Timestamp);
}

impl SetClock for mitid_core::SimulatedClock {
    fn set(&self, at: Timestamp) {
        mitid_core::SimulatedClock::set(self, at);
    }
}

/// The contract, against `service`, whose clock `clock` sets and whose
/// agent is `agent`; MitID Support's hours are the default ones.
pub fn contract(service: &mut dyn DeskService, clock: &dyn SetClock, agent: &str) {
    assert_eq!(service.agent(), agent);
    clock.set(local("2026-11-24T10:00"));

    // Callers: the service stamps who and when on every change.
    let olena = service.add_caller(person("Olena", "Shevchenko", "+380 44 123 4567")).unwrap();
    let soren = service.add_caller(person("Søren", "Kierkegaard", "20 12 34 56")).unwrap();
    let twin = service.add_caller(person("Soren", "Kierkegaard", "20 12 34 57")).unwrap();
    assert_eq!(service.caller_count().unwrap(), 3);
    let added = service.audit_entries(&AuditFilter::default()).unwrap();
    assert!(added.iter().all(|e| e.agent == agent && near(e.at, local("2026-11-24T10:00"))), "{added:?}");
    // Search folds æøå and reads phones in any format.
    let hits: Vec<i64> = service.search("soeren kierkegaard", 10).unwrap().iter().map(|h| h.caller_id).collect();
    assert!(hits.contains(&soren) && hits.contains(&twin) && !hits.contains(&olena), "{hits:?}");
    assert_eq!(service.search("+45 2012 3456", 10).unwrap().first().map(|h| h.caller_id), Some(soren));
    // Across scripts: the name as the passport's MRZ writes it finds the
    // caller stored in Cyrillic.
    let cyrillic = service.add_caller(person("Олена", "Шевченко", "+380 44 765 4321")).unwrap();
    assert_eq!(service.search("SHEVCHENKO OLENA", 10).unwrap().first().map(|h| h.caller_id), Some(cyrillic));
    service.delete_caller(cyrillic).unwrap();
    // Arabic script writes no short vowels: the consonants of the MRZ's
    // spelling find the name.
    let arabic = service.add_caller(person("محمد", "الحسن", "+20 10 1234 5678")).unwrap();
    assert_eq!(service.search("ALHASSAN MOHAMMED", 10).unwrap().first().map(|h| h.caller_id), Some(arabic));
    assert_eq!(service.search("hasan muhammad", 10).unwrap().first().map(|h| h.caller_id), Some(arabic));
    service.delete_caller(arabic).unwrap();
    // Beginnings of words, one or several, in the name's order or not, and
    // longer than any index of beginnings keeps.
    let long = service.add_caller(person("Hubert", "Wolfeschlegelsteinhausenberger", "+49 30 1234567")).unwrap();
    let ids = |service: &mut dyn DeskService, q: &str| -> Vec<i64> {
        service.search(q, 10).unwrap().iter().map(|h| h.caller_id).collect()
    };
    for q in ["wolf", "hub wolf", "wolfeschlegelsteinhau", "hubert wolfeschlegelsteinhau", "wolfeschl hub"] {
        assert_eq!(ids(service, q), [long], "{q}");
    }
    assert!(ids(service, "wolfeschlegelsteinhax").is_empty());
    assert!(ids(service, "hubert wolfeschlegelsteinhax").is_empty());
    assert_eq!(ids(service, "s"), [olena, twin, soren], "one letter: the shortest names first");
    assert_eq!(ids(service, "sø kier"), [soren], "ø is oe as typed");
    service.delete_caller(long).unwrap();
    // Bad input is refused with its reason, and nothing is written.
    let before = service.audit_entries(&AuditFilter::default()).unwrap().len();
    assert!(matches!(service.add_caller(CallerDetails::default()), Err(StoreError::InvalidCaller(_))));
    assert!(matches!(service.update_caller(424_242, person("A", "B", "20 12 34 58")), Err(StoreError::NoCaller(_))));
    assert_eq!(service.audit_entries(&AuditFilter::default()).unwrap().len(), before);

    // Contacts are stamped by the service too.
    clock.set(local("2026-11-24T10:05"));
    let contact = NewContact { channel: Channel::Phone, outcome: "identity checked".into(), note: String::new() };
    service.log_contact(olena, contact).unwrap();
    let contacts = service.contacts(olena).unwrap();
    assert_eq!(contacts[0].agent, agent);
    assert!(near(contacts[0].at, local("2026-11-24T10:05")), "{:?}", contacts[0].at);

    // P-codes: only while MitID Support is open — the service refuses,
    // whatever the client showed, says when it opens, and audits it.
    clock.set(local("2026-11-24T19:59:59"));
    let (code, info) = service.issue_pcode(olena).unwrap();
    assert_eq!((info.attempts_left, info.state), (3, PCodeState::Active));
    assert_eq!(info.expires_at, local("2026-11-24T19:59:59") + jiff::SignedDuration::from_hours(24 * 60));
    clock.set(local("2026-11-24T20:00:00"));
    match service.issue_pcode(soren) {
        Err(StoreError::Closed { next_open }) => assert_eq!(next_open, "2026-11-25T08:00:00+01:00"),
        other => panic!("issued while closed: {other:?}"),
    }
    clock.set(local("2026-11-28T09:59:59"));
    assert!(matches!(service.issue_pcode(soren), Err(StoreError::Closed { .. })), "Saturday opens at 10");
    let refusals = service.audit_entries(&AuditFilter::default()).unwrap();
    assert_eq!(refusals.iter().filter(|e| e.verdict == "refused:closed").count(), 2, "refusals are audited");
    clock.set(local("2026-11-28T10:00:00"));
    let (soren_code, soren_info) = service.issue_pcode(soren).unwrap();
    // One usable code a caller (the default cap); an unknown caller.
    assert!(matches!(service.issue_pcode(soren), Err(StoreError::TooManyActive(1))));
    assert!(matches!(service.issue_pcode(424_242), Err(StoreError::NoCaller(424_242))));

    // Redemption: three wrong attempts lock it; the attempts belong to the
    // caller the code was issued to.
    assert_eq!(service.redeem_pcode(twin, &code).unwrap().0, Redemption::NoCode, "Olena's code is not another's");
    assert_eq!(service.redeem_pcode(olena, &wrong(&code)).unwrap(), (Redemption::Wrong { attempts_left: 2 }, 2));
    assert_eq!(service.redeem_pcode(olena, &wrong(&code)).unwrap(), (Redemption::Wrong { attempts_left: 1 }, 1));
    assert_eq!(service.redeem_pcode(olena, &wrong(&code)).unwrap().0, Redemption::Locked);
    assert_eq!(service.redeem_pcode(olena, &code).unwrap().0, Redemption::Locked, "locked stays locked");
    // Every right entry spends one of the three uses (the MitID side's
    // report of a completed enrollment voids the code before that); a
    // fourth finds none left.
    for left in [2, 1, 0] {
        assert_eq!(service.redeem_pcode(soren, &soren_code).unwrap(), (Redemption::Accepted, left));
    }
    assert_eq!(service.redeem_pcode(soren, &soren_code).unwrap().0, Redemption::Locked);
    let spent = service.pcode(&soren_info.reference).unwrap().unwrap();
    assert_eq!((spent.state, spent.attempts_left), (PCodeState::Active, 0));
    // A spent code no longer counts against the cap.
    let (_, again) = service.issue_pcode(soren).unwrap();
    service.revoke_pcode(&again.reference, "issued only to show the cap").unwrap();
    // Revoking needs a code that is still usable; the reason is kept.
    clock.set(local("2026-11-30T09:00:00"));
    let (_, fresh) = service.issue_pcode(twin).unwrap();
    let revoked = service.revoke_pcode(&fresh.reference, "read out to the wrong person").unwrap();
    assert_eq!(revoked.state, PCodeState::Revoked);
    assert_eq!(service.pcodes(twin).unwrap().len(), 1);

    // Merge the duplicate, delete on request.
    service.merge_callers(soren, twin).unwrap();
    assert!(service.caller(twin).unwrap().is_none());
    assert_eq!(service.pcodes(soren).unwrap().len(), 3, "the duplicate's codes move with it");
    service.delete_caller(olena).unwrap();
    assert!(service.caller(olena).unwrap().is_none());
    assert!(service.search("shevchenko", 10).unwrap().is_empty());

    // A counter case: opened, its steps recorded, closed.
    let case = service.open_case().unwrap();
    service.record_case_step(case, "chip", "genuine", "access=pace-13 sod_sha256=…").unwrap();
    service.close_case(case, "finished").unwrap();
    let steps = service.case_steps(case).unwrap();
    assert_eq!(steps.iter().map(|s| s.step.as_str()).collect::<Vec<_>>(), ["chip"]);

    // The trust store: CSCA certificates, master lists whose signature
    // verifies and CRLs go in once; what is not trust material is refused
    // with its reason; a CRL due for renewal is said.
    let pki = mitid_emrtd::sim::document::TestPki::new();
    assert_eq!(service.trust().unwrap().store.entries().count(), 0);
    let report = service.import_trust(pki.csca_certificate(), "csca.der").unwrap();
    assert_eq!((report.kind.as_str(), report.added, report.already), ("certificate", 1, 0));
    let report = service.import_trust(&pki.master_list(), "utopia.ml").unwrap();
    assert_eq!((report.kind.as_str(), report.added, report.already), ("master list", 0, 1));
    assert!(report.signed_by.as_deref().is_some_and(|s| s.contains("certified by")), "{report:?}");
    let mut tampered = pki.master_list();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x01;
    assert!(matches!(
        service.import_trust(&tampered, "tampered.ml"),
        Err(StoreError::Trust(TrustRefusal::Signature | TrustRefusal::Malformed(_)))
    ));
    assert!(matches!(
        service.import_trust(pki.document_signer_certificate(), "ds.der"),
        Err(StoreError::Trust(TrustRefusal::NotCa))
    ));
    assert!(matches!(service.import_trust(b"hello", "notes.txt"), Err(StoreError::Trust(TrustRefusal::Unrecognized))));
    let crl = pki.crl_between(&[99], "261101000000Z", "261205000000Z");
    assert_eq!(service.import_trust(&crl, "utopia.crl").unwrap().kind, "revocation list");
    let view = service.trust().unwrap();
    assert_eq!(view.store.certificates().len(), 1);
    assert_eq!(view.store.crls().len(), 1);
    assert!(
        matches!(view.warnings.as_slice(), [TrustWarning::CrlDueSoon { next_update, .. }] if next_update == "2026-12-05"),
        "{:?}",
        view.warnings
    );
    let imports = service
        .audit_entries(&AuditFilter { action_prefix: Some("trust.import".into()), ..AuditFilter::default() })
        .unwrap();
    assert_eq!(imports.len(), 6, "every import is audited, refusals too: {imports:?}");

    // Every change is in one chain that verifies.
    let report = service.verify_audit().unwrap();
    assert!(report.problem.is_none() && report.entries > 10, "{report:?}");
    // Redemptions are the MitID side's, everything else the agent's.
    let entries = service.audit_entries(&AuditFilter::default()).unwrap();
    for entry in &entries {
        let expected = if entry.action.starts_with("pcode.redeem") { REDEEMER } else { agent };
        assert_eq!(entry.agent, expected, "{entry:?}");
    }
}
