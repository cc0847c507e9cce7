use std::sync::{Arc, Barrier};

use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::api::Outcome;
use crate::audit::ChainBreak;
use crate::caller::{CallerDetails, Channel, Contact, DocumentKind, DocumentRef, Phone};
use crate::pcode::{CodeKey, PCode, PCodeState, Redemption};
use crate::redemption::{Holder, holder_hashes};
use crate::support_hours::COPENHAGEN;

fn local(s: &str) -> Timestamp {
    COPENHAGEN.to_timestamp(s.parse().unwrap()).unwrap()
}

/// A Tuesday morning: Support is open.
fn open_time() -> Timestamp {
    local("2026-11-24T10:00")
}

fn person(given: &str, family: &str, phone: Option<&str>) -> CallerDetails {
    CallerDetails {
        given_name: given.into(),
        family_name: family.into(),
        phones: phone.map(|p| vec![Phone::parse(p).unwrap()]).unwrap_or_default(),
        ..CallerDetails::default()
    }
}

fn key() -> CodeKey {
    CodeKey::from_bytes([7; 32])
}

#[test]
fn a_new_file_is_current_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.sqlite")).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let mode: String = store.conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let fk: bool = store.conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
    assert!(fk);
}

#[test]
fn an_old_file_is_upgraded_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    {
        let old = Store::open_at(&path, 1).unwrap();
        assert_eq!(old.schema_version().unwrap(), 1);
        old.conn
            .execute(
                "INSERT INTO caller (given_name, family_name, created_at, updated_at) VALUES ('Åse', 'Ågård', ?1, ?1)",
                [open_time().to_string()],
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let hits = store.search("aase aagaard", 10).unwrap();
    assert_eq!(hits.len(), 1, "the old caller is indexed by the upgrade");
    assert_eq!(hits[0].name, "Åse Ågård");
    // A file from the future is refused, not damaged.
    store.conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    drop(store);
    assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
}

#[test]
fn callers_are_created_edited_and_read_back() {
    let mut s = Store::open_in_memory().unwrap();
    let mut details = person("Olena", "Shevchenko", Some("+380 44 123 4567"));
    details.birth_date = Some(date(1990, 5, 17));
    details.nationality = Some("UKR".into());
    details.documents =
        vec![DocumentRef { kind: DocumentKind::Passport, country: "UKR".into(), number: "FX123456".into() }];
    let id = s.add_caller(details.clone(), "agent-1", open_time()).unwrap();
    let caller = s.caller(id).unwrap().unwrap();
    assert_eq!(caller.details.phones[0].e164(), "+380441234567");
    assert_eq!(caller.details.documents[0].masked_number(), "••••3456");
    assert_eq!(caller.reference(), format!("C-{id}"));
    details.email = Some("olena@example.org".into());
    details.phones.push(Phone::parse("86123456").unwrap());
    s.update_caller(id, details, "agent-1", open_time()).unwrap();
    let caller = s.caller(id).unwrap().unwrap();
    assert_eq!(caller.details.phones.len(), 2);
    assert_eq!(caller.details.email.as_deref(), Some("olena@example.org"));
    assert!(matches!(
        s.update_caller(999, person("A", "B", None), "agent-1", open_time()),
        Err(StoreError::NoCaller(999))
    ));
    assert!(matches!(
        s.add_caller(CallerDetails::default(), "agent-1", open_time()),
        Err(StoreError::InvalidCaller(_))
    ));
    s.log_contact(
        id,
        &Contact {
            at: open_time(),
            agent: "agent-1".into(),
            channel: Channel::Phone,
            outcome: "P-code issued".into(),
            note: String::new(),
        },
    )
    .unwrap();
    assert_eq!(s.contacts(id).unwrap().len(), 1);
    let actions: Vec<String> =
        s.audit_entries(&AuditFilter::default()).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["contact.log", "caller.update", "caller.create"]);
}

#[test]
fn delete_really_deletes_and_the_log_keeps_only_that_it_happened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    let mut s = Store::open(&path).unwrap();
    let id = s.add_caller(person("Zacharias", "Quetzalcoatl", Some("+4520123456")), "agent-1", open_time()).unwrap();
    s.issue_pcode(id, &key(), 3, "agent-1", open_time()).unwrap();
    s.log_contact(
        id,
        &Contact {
            at: open_time(),
            agent: "agent-1".into(),
            channel: Channel::Counter,
            outcome: "x".into(),
            note: "Zacharias".into(),
        },
    )
    .unwrap();
    s.delete_caller(id, "agent-1", open_time()).unwrap();
    assert!(s.caller(id).unwrap().is_none());
    assert!(s.search("Zacharias", 10).unwrap().is_empty());
    assert!(s.search("+4520123456", 10).unwrap().is_empty());
    assert!(s.pcodes(id).unwrap().is_empty());
    assert!(s.contacts(id).unwrap().is_empty());
    let last = &s.audit_entries(&AuditFilter { limit: Some(1), ..AuditFilter::default() }).unwrap()[0];
    assert_eq!((last.action.as_str(), last.subject.clone()), ("caller.delete", format!("caller:{id}")));
    drop(s);
    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&bytes).to_lowercase();
    assert!(!text.contains("quetzalcoatl") && !text.contains("zacharias"), "the name is gone from the file");
}

#[test]
fn duplicates_merge() {
    let mut s = Store::open_in_memory().unwrap();
    let a = s.add_caller(person("Søren", "Ærø", Some("+4520123456")), "agent-1", open_time()).unwrap();
    let mut dup = person("Soren", "Aero", Some("+4586123456"));
    dup.email = Some("soren@example.dk".into());
    let b = s.add_caller(dup, "agent-1", open_time()).unwrap();
    s.issue_pcode(b, &key(), 3, "agent-1", open_time()).unwrap();
    s.merge_callers(a, b, "agent-1", open_time()).unwrap();
    let merged = s.caller(a).unwrap().unwrap();
    assert_eq!(merged.details.phones.len(), 2);
    assert_eq!(merged.details.email.as_deref(), Some("soren@example.dk"));
    assert!(s.caller(b).unwrap().is_none());
    assert_eq!(s.pcodes(a).unwrap().len(), 1, "the P-code moved");
    assert!(matches!(s.merge_callers(a, a, "agent-1", open_time()), Err(StoreError::SelfMerge)));
    assert_eq!(s.search("+4586123456", 5).unwrap()[0].caller_id, a);
}

#[test]
fn search_ranks_phone_then_names_then_near_misses() {
    let mut s = Store::open_in_memory().unwrap();
    let soren = s.add_caller(person("Søren", "Kierkegaard", Some("20 12 34 56")), "a", open_time()).unwrap();
    let sorensen = s.add_caller(person("Anne", "Sørensen", None), "a", open_time()).unwrap();
    let muller = s.add_caller(person("Jürgen", "Müller", Some("+49 30 901820")), "a", open_time()).unwrap();
    let hansen = s.add_caller(person("Hans", "Hansen", None), "a", open_time()).unwrap();
    let mut with_mail = person("Mette", "Frederiksen", None);
    with_mail.email = Some("Mette@Example.dk".into());
    let mette = s.add_caller(with_mail, "a", open_time()).unwrap();
    let ids =
        |s: &Store, q: &str| s.search(q, 10).unwrap().into_iter().map(|h| (h.caller_id, h.kind)).collect::<Vec<_>>();
    assert_eq!(ids(&s, "+45 20 12 34 56"), vec![(soren, MatchKind::Phone)]);
    assert_eq!(ids(&s, "20123456"), vec![(soren, MatchKind::Phone)]);
    assert_eq!(ids(&s, "0049 30 901820"), vec![(muller, MatchKind::Phone)]);
    assert_eq!(ids(&s, "mette@example.DK"), vec![(mette, MatchKind::Email)]);
    assert_eq!(ids(&s, &format!("C-{hansen}")), vec![(hansen, MatchKind::Reference)]);
    // "Søren" exactly comes before "Sørensen" (a prefix match).
    assert_eq!(ids(&s, "soren"), vec![(soren, MatchKind::Name), (sorensen, MatchKind::Name)]);
    assert_eq!(ids(&s, "Soeren K")[0], (soren, MatchKind::Name));
    assert_eq!(ids(&s, "MUELLER"), vec![(muller, MatchKind::Name)]);
    assert_eq!(ids(&s, "muller j"), vec![(muller, MatchKind::Name)]);
    assert_eq!(ids(&s, "Hanson"), vec![(hansen, MatchKind::Fuzzy)], "one letter off");
    assert_eq!(ids(&s, "Kirkegaard")[0], (soren, MatchKind::Fuzzy));
    assert!(ids(&s, "zzzz").is_empty());
    for odd in ["\"", "*", "NEAR(", "a OR b", "'; DROP TABLE caller; --", "P-", "C-", "@", "(((", "\u{0}"] {
        let _ = s.search(odd, 10).unwrap();
    }
    let (_, info) = s.issue_pcode(hansen, &key(), 3, "a", open_time()).unwrap();
    assert_eq!(ids(&s, &info.reference), vec![(hansen, MatchKind::Reference)]);
}

#[test]
fn pcode_follows_the_rules() {
    let mut s = Store::open_in_memory().unwrap();
    let id = s.add_caller(person("Anna", "Eriksson", None), "agent-1", open_time()).unwrap();
    let now = open_time();
    assert_eq!(s.redeem_pcode(id, &"12345678".parse().unwrap(), &key(), now).unwrap(), Redemption::NoCode);
    // Every entry spends one of three uses; the enrollment's completion
    // voids the code.
    let (code, info) = s.issue_pcode(id, &key(), 3, "agent-1", now).unwrap();
    assert_eq!(info.expires_at, now + SignedDuration::from_hours(24 * 60));
    assert_eq!(info.attempts_left, 3);
    let caller = Whose::Caller(id);
    let first = s.redeem(caller, &code, REDEEMER, "try-1", &key(), now).unwrap();
    assert_eq!((first.result, first.attempts_left), (Outcome::Accepted, 2));
    // The same attempt again (a retry): the first answer, nothing counted.
    assert_eq!(s.redeem(caller, &code, REDEEMER, "try-1", &key(), now).unwrap(), first);
    let second = s.redeem(caller, &code, REDEEMER, "try-2", &key(), now).unwrap();
    assert_eq!((second.result, second.attempts_left), (Outcome::Accepted, 1));
    assert!(matches!(
        s.complete_redemption(first.redemption_id, "another-client", now),
        Err(StoreError::NoRedemption(_))
    ));
    let done = s.complete_redemption(first.redemption_id, REDEEMER, now).unwrap();
    let later = now + SignedDuration::from_secs(60);
    assert_eq!(s.complete_redemption(first.redemption_id, REDEEMER, later).unwrap(), done, "reported twice: once");
    assert_eq!(s.redeem_pcode(id, &code, &key(), now).unwrap(), Redemption::Consumed);
    let void = s.redeem(caller, &code, REDEEMER, "try-4", &key(), now).unwrap();
    assert!(matches!(
        s.complete_redemption(void.redemption_id, REDEEMER, now),
        Err(StoreError::NotAccepted { result, .. }) if result == "consumed"
    ));
    // Three accepted entries and no completion: no use is left, and the
    // code no longer counts against the cap.
    let (code, _) = s.issue_pcode(id, &key(), 1, "agent-1", now).unwrap();
    for left in [2, 1, 0] {
        assert_eq!(s.redeem_pcode_counted(id, &code, &key(), now).unwrap(), (Redemption::Accepted, left));
    }
    assert_eq!(s.redeem_pcode(id, &code, &key(), now).unwrap(), Redemption::Locked);
    let (_, spare) = s.issue_pcode(id, &key(), 1, "agent-1", now).unwrap();
    s.revoke_pcode(&spare.reference, "issued only to show the cap", "agent-1", now).unwrap();
    // Three wrong attempts lock it; then even the right code is refused.
    let (code, _) = s.issue_pcode(id, &key(), 3, "agent-1", now).unwrap();
    let wrong = wrong_code(&code);
    assert_eq!(s.redeem_pcode(id, &wrong, &key(), now).unwrap(), Redemption::Wrong { attempts_left: 2 });
    assert_eq!(s.redeem_pcode(id, &wrong, &key(), now).unwrap(), Redemption::Wrong { attempts_left: 1 });
    assert_eq!(s.redeem_pcode(id, &wrong, &key(), now).unwrap(), Redemption::Locked);
    assert_eq!(s.redeem_pcode(id, &code, &key(), now).unwrap(), Redemption::Locked);
    // Valid up to, not at, 60 days.
    let (code, info) = s.issue_pcode(id, &key(), 3, "agent-1", now).unwrap();
    assert_eq!(s.redeem_pcode(id, &code, &key(), info.expires_at).unwrap(), Redemption::Expired);
    let (code, info) = s.issue_pcode(id, &key(), 3, "agent-1", now).unwrap();
    let just_before = info.expires_at - SignedDuration::from_secs(1);
    assert_eq!(s.redeem_pcode(id, &code, &key(), just_before).unwrap(), Redemption::Accepted);
    // Revoked: with a reason, refused after.
    let (code, info) = s.issue_pcode(id, &key(), 3, "agent-1", now).unwrap();
    let revoked = s.revoke_pcode(&info.reference, "caller reported it lost", "agent-1", now).unwrap();
    assert_eq!(revoked.state, PCodeState::Revoked);
    assert_eq!(revoked.revoked_reason.as_deref(), Some("caller reported it lost"));
    assert_eq!(s.redeem_pcode(id, &code, &key(), now).unwrap(), Redemption::Revoked);
    assert!(matches!(
        s.revoke_pcode(&info.reference, "again", "agent-1", now),
        Err(StoreError::AlreadyVoid("revoked"))
    ));
    assert!(matches!(s.revoke_pcode("P-00000000", "x", "agent-1", now), Err(StoreError::NoPCode(_))));
    // A different key does not accept the code.
    let (code, _) = s.issue_pcode(id, &key(), 3, "agent-1", now).unwrap();
    let other = CodeKey::from_bytes([8; 32]);
    assert_eq!(s.redeem_pcode(id, &code, &other, now).unwrap(), Redemption::Wrong { attempts_left: 2 });
    // No code or hash of one in the audit log.
    for e in s.audit_entries(&AuditFilter::default()).unwrap() {
        assert!(!e.subject.contains(code.digits()) && !e.verdict.contains(code.digits()));
    }
}

#[test]
fn the_mitid_side_redeems_for_the_holder_the_agent_recorded() {
    let mut s = Store::open_in_memory().unwrap();
    let now = open_time();
    let details = CallerDetails {
        birth_date: Some(date(1964, 8, 12)),
        nationality: Some("DEU".into()),
        documents: vec![DocumentRef {
            kind: DocumentKind::Passport,
            country: "DEU".into(),
            number: "C01X00T47".into(),
        }],
        ..person("Jürgen", "Müller", None)
    };
    let id = s.add_caller(details, "agent-1", now).unwrap();
    let twin = s.add_caller(person("Jürgen", "Müller", None), "agent-1", now).unwrap();
    let (code, info) = s.issue_pcode(id, &key(), 1, "agent-1", now).unwrap();
    let (twins_code, _) = s.issue_pcode(twin, &key(), 1, "agent-1", now).unwrap();
    let chip = Holder {
        issuing_state: "D<<".into(),
        document_number: "C01X00T47".into(),
        date_of_birth: date(1964, 8, 12),
        surname: "MUELLER".into(),
        given_names: "JUERGEN".into(),
        nationality: "DEU".into(),
    };
    let redeem = |s: &mut Store, holder: &Holder, code: &PCode, attempt: &str| {
        let hashes = holder_hashes(&key(), holder);
        s.redeem(Whose::Holder(&hashes), code, "mitid-side:test", attempt, &key(), now).unwrap()
    };
    // Another caller's code is a wrong one for this holder.
    let wrong = redeem(&mut s, &chip, &twins_code, "1");
    assert_eq!((wrong.result, wrong.attempts_left), (Outcome::Wrong, 2));
    assert_eq!(s.pcodes(id).unwrap()[0].attempts_left, 2, "counted against the holder's code");
    // A renewed passport: found by names, birth date and nationality.
    let renewed = Holder { document_number: "C99".into(), ..chip.clone() };
    assert_eq!(redeem(&mut s, &renewed, &code, "2").result, Outcome::Accepted);
    // Someone else: no code.
    let stranger = Holder { document_number: "X1".into(), date_of_birth: date(1970, 1, 1), ..chip.clone() };
    assert_eq!(redeem(&mut s, &stranger, &code, "3").result, Outcome::NoCode);
    let done = redeem(&mut s, &chip, &code, "4");
    assert_eq!((done.result, done.attempts_left), (Outcome::Accepted, 0));
    s.complete_redemption(done.redemption_id, "mitid-side:test", now).unwrap();
    assert_eq!(s.pcode(&info.reference).unwrap().unwrap().state, PCodeState::Consumed);
    // The audit log names the code, never the holder.
    let entries = s.audit_entries(&AuditFilter::default()).unwrap();
    assert!(entries.iter().any(|e| e.action == "pcode.complete" && e.subject == format!("pcode:{}", info.reference)));
    assert!(entries.iter().all(|e| !e.subject.to_lowercase().contains("mueller") && !e.subject.contains("C01X")));
}

fn wrong_code(code: &PCode) -> PCode {
    let d = code.digits();
    let last = (d.as_bytes()[7] - b'0' + 1) % 10;
    format!("{}{}", &d[..7], last).parse().unwrap()
}

#[test]
fn issuing_is_capped_and_needs_a_caller() {
    let mut s = Store::open_in_memory().unwrap();
    let id = s.add_caller(person("Anna", "Eriksson", None), "agent-1", open_time()).unwrap();
    assert!(s.issue_pcode(id, &key(), 2, "agent-1", open_time()).is_ok());
    assert!(s.issue_pcode(id, &key(), 2, "agent-1", open_time()).is_ok());
    // The cap on active codes.
    assert!(matches!(s.issue_pcode(id, &key(), 2, "agent-1", open_time()), Err(StoreError::TooManyActive(2))));
    assert!(matches!(s.issue_pcode(424242, &key(), 2, "agent-1", open_time()), Err(StoreError::NoCaller(424242))));
}

/// 32 threads, each with its own connection to one file, at the same instant.
fn race(path: &std::path::Path, id: i64, codes: Vec<PCode>) -> Vec<Redemption> {
    let barrier = Arc::new(Barrier::new(codes.len()));
    let handles: Vec<_> = codes
        .into_iter()
        .map(|code| {
            let (barrier, path) = (barrier.clone(), path.to_owned());
            std::thread::spawn(move || {
                let mut s = Store::open(&path).unwrap();
                barrier.wait();
                s.redeem_pcode(id, &code, &key(), open_time()).unwrap()
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn thirty_two_threads_never_share_a_success_or_an_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    let mut s = Store::open(&path).unwrap();
    let id = s.add_caller(person("Anna", "Eriksson", None), "agent-1", open_time()).unwrap();
    let (code, _) = s.issue_pcode(id, &key(), 3, "agent-1", open_time()).unwrap();
    let results = race(&path, id, vec![code; 32]);
    assert_eq!(results.iter().filter(|r| **r == Redemption::Accepted).count(), 3, "{results:?}");
    assert_eq!(results.iter().filter(|r| **r == Redemption::Locked).count(), 29);

    let (code, _) = s.issue_pcode(id, &key(), 3, "agent-1", open_time()).unwrap();
    let results = race(&path, id, vec![wrong_code(&code); 32]);
    let count = |r: Redemption| results.iter().filter(|x| **x == r).count();
    assert_eq!(count(Redemption::Wrong { attempts_left: 2 }), 1, "{results:?}");
    assert_eq!(count(Redemption::Wrong { attempts_left: 1 }), 1);
    assert_eq!(count(Redemption::Locked), 30);
    assert_eq!(
        s.verify_audit().unwrap(),
        AuditReport { entries: s.audit_entries(&AuditFilter::default()).unwrap().len() as u64, problem: None }
    );
}

#[test]
fn a_tampered_audit_log_is_found() {
    let mut s = Store::open_in_memory().unwrap();
    for i in 0..6 {
        s.add_caller(person("Anna", &format!("Eriksson{i}"), None), "agent-1", open_time()).unwrap();
    }
    assert_eq!(s.verify_audit().unwrap(), AuditReport { entries: 6, problem: None });
    s.conn.execute("UPDATE audit SET verdict = 'refused' WHERE seq = 3", []).unwrap();
    assert_eq!(s.verify_audit().unwrap().problem, Some(ChainBreak::Edited { seq: 3 }));
    s.conn.execute("UPDATE audit SET verdict = 'ok' WHERE seq = 3", []).unwrap();
    assert_eq!(s.verify_audit().unwrap().problem, None);
    s.conn.execute("DELETE FROM audit WHERE seq = 4", []).unwrap();
    assert_eq!(s.verify_audit().unwrap().problem, Some(ChainBreak::Broken { seq: 5, after: 3 }));
    let mut t = Store::open_in_memory().unwrap();
    for i in 0..4 {
        t.add_caller(person("Anna", &format!("E{i}"), None), "agent-1", open_time()).unwrap();
    }
    t.conn.execute("DELETE FROM audit WHERE seq = 4", []).unwrap();
    assert_eq!(t.verify_audit().unwrap().problem, Some(ChainBreak::Truncated { last: 3, head: 4 }));
    // Reordering: swap two entries' positions.
    let mut r = Store::open_in_memory().unwrap();
    for i in 0..4 {
        r.add_caller(person("Anna", &format!("E{i}"), None), "agent-1", open_time()).unwrap();
    }
    r.conn
        .execute_batch(
            "UPDATE audit SET seq = 100 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 100;",
        )
        .unwrap();
    assert!(r.verify_audit().unwrap().problem.is_some());
}

#[test]
fn a_database_keeps_to_its_key() {
    let mut s = Store::open_in_memory().unwrap();
    s.bind_key(&key()).unwrap();
    s.bind_key(&key()).unwrap();
    match s.bind_key(&CodeKey::from_bytes([9; 32])) {
        Err(StoreError::KeyMismatch { expected, found }) => {
            assert_eq!(expected, key().fingerprint());
            assert_ne!(expected, found);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_batch_is_all_or_nothing() {
    let mut s = Store::open_in_memory().unwrap();
    let mut rng = crate::synthetic::Rng::new(1);
    let good: Vec<_> = (0..50).map(|_| crate::synthetic::caller(&mut rng)).collect();
    let mut bad = good.clone();
    bad[7].given_name.clear();
    bad[7].family_name.clear();
    assert!(matches!(
        s.add_callers(bad, "agent-1", "caller.import", open_time()),
        Err(StoreError::InvalidAt { index: 7, .. })
    ));
    assert_eq!(s.caller_count().unwrap(), 0);
    let ids = s.add_callers(good.clone(), "agent-1", "caller.import", open_time()).unwrap();
    assert_eq!(ids.len(), 50);
    assert_eq!(s.caller(ids[3]).unwrap().unwrap().details.given_name, good[3].given_name);
    let last = &s.audit_entries(&AuditFilter { limit: Some(1), ..AuditFilter::default() }).unwrap()[0];
    assert_eq!((last.action.as_str(), last.subject.as_str()), ("caller.import", "callers:50"));
    let first_name = &good[0].family_name;
    assert!(s.search(first_name, 50).unwrap().iter().any(|h| h.caller_id == ids[0]));
}

/// A caller stored in Cyrillic is found by the MRZ's Latin spelling; a
/// file indexed before the folding knew Latin spellings is indexed again,
/// once, when it is opened.
#[test]
fn cyrillic_names_are_found_by_their_mrz_spelling_also_in_an_older_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    {
        let mut s = Store::open(&path).unwrap();
        s.add_caller(person("Олена", "Шевченко", None), "agent-1", open_time()).unwrap();
        s.add_caller(person("Anna", "Eriksson", None), "agent-1", open_time()).unwrap();
        let hits = s.search("shevchenko olena", 10).unwrap();
        assert_eq!(hits.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["Олена Шевченко"]);
        // As an older version left it: the script's words only, no version.
        s.tamper_for_tests("UPDATE caller_search SET terms = 'олена шевченко' WHERE rowid = 1").unwrap();
        s.tamper_for_tests("DELETE FROM meta WHERE key = 'fold_version'").unwrap();
        assert!(s.search("shevchenko", 10).unwrap().is_empty(), "the old index has no Latin spelling");
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.search("SHEVCHENKO<<OLENA", 10).unwrap().first().map(|h| h.caller_id), Some(1));
    assert_eq!(s.search("шевченко", 10).unwrap().first().map(|h| h.caller_id), Some(1), "the script still finds her");
    assert_eq!(s.search("eriksson", 10).unwrap().first().map(|h| h.caller_id), Some(2));
}
