//! The shared service on real parts: a PostgreSQL database of its own,
//! `mitid-assist-server` over HTTPS with a test CA, and the desk's client.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod https;
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

/// A training clock at a time Support is open (Tuesday 10:00 in Copenhagen).
const OPEN: &str = "[clock]\nsimulated = \"2026-11-24T09:00:00Z\"";

fn person(given: &str, family: &str) -> mitid_core::caller::CallerDetails {
    mitid_core::caller::CallerDetails { given_name: given.into(), family_name: family.into(), ..Default::default() }
}

fn wrong(code: &mitid_core::pcode::PCode) -> mitid_core::pcode::PCode {
    let d = code.digits();
    format!("{}{}", &d[..7], (d.as_bytes()[7] - b'0' + 1) % 10).parse().unwrap()
}

/// `n` redemptions of `code` for `caller` at once, spread over the servers.
fn redeem_at_once(
    servers: &[&Server],
    caller: i64,
    code: &mitid_core::pcode::PCode,
    n: usize,
) -> Vec<mitid_core::pcode::Redemption> {
    let dir = tempfile::tempdir().unwrap();
    let desks: Vec<RemoteDesk> = (0..n)
        .map(|i| RemoteDesk::connect(&desk_config(servers[i % servers.len()]), "mitid-side", dir.path()).unwrap())
        .collect();
    let start = std::sync::Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = desks
            .into_iter()
            .map(|mut desk| {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    desk.redeem_pcode(caller, code).unwrap().0
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn two_instances_on_one_database_count_every_redemption_exactly_once() {
    two_instances(OPEN);
}

#[test]
fn two_instances_chaining_in_each_transaction_count_every_redemption_exactly_once() {
    two_instances(&format!("[audit]\nchaining = \"transaction\"\n{OPEN}"));
}

fn two_instances(config: &str) {
    use mitid_core::pcode::{PCodeState, Redemption};
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    // Both start at once: the migrations wait for each other.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Server::start(&db, config));
        let b = s.spawn(|| Server::start(&db, config));
        (a.join().unwrap(), b.join().unwrap())
    });
    let dir = tempfile::tempdir().unwrap();
    let mut desk = RemoteDesk::connect(&desk_config(&a), "agent-1", dir.path()).unwrap();
    let caller = desk.add_caller(person("Olena", "Shevchenko")).unwrap();
    let (code, info) = desk.issue_pcode(caller).unwrap();

    let results = redeem_at_once(&[&a, &b], caller, &code, 64);
    if config.contains("transaction") {
        assert_eq!(db.sql("SELECT count(*) FROM audit WHERE seq IS NULL"), "0", "each change chained its own entry");
    }
    // Each right entry spends one of the three uses; the rest find none.
    assert_eq!(results.iter().filter(|r| **r == Redemption::Accepted).count(), 3, "{results:?}");
    assert!(results.iter().all(|r| matches!(r, Redemption::Accepted | Redemption::Locked)), "{results:?}");
    let spent = desk.pcode(&info.reference).unwrap().unwrap();
    assert_eq!((spent.state, spent.attempts_left), (PCodeState::Active, 0));

    // Wrong codes: exactly three attempts counted, then locked.
    let other = desk.add_caller(person("Søren", "Kierkegaard")).unwrap();
    let (code, info) = desk.issue_pcode(other).unwrap();
    let results = redeem_at_once(&[&a, &b], other, &wrong(&code), 64);
    let wrong_answers: Vec<_> = results.iter().filter(|r| matches!(r, Redemption::Wrong { .. })).collect();
    assert_eq!(wrong_answers.len(), 2, "{results:?}");
    assert!(wrong_answers.contains(&&Redemption::Wrong { attempts_left: 2 }));
    assert!(wrong_answers.contains(&&Redemption::Wrong { attempts_left: 1 }));
    assert_eq!(results.iter().filter(|r| **r == Redemption::Locked).count(), 62);
    let stored = desk.pcode(&info.reference).unwrap().unwrap();
    assert_eq!((stored.state, stored.attempts_left), (PCodeState::Locked, 0));
    assert_eq!(desk.redeem_pcode(other, &code).unwrap().0, Redemption::Locked, "the right code, too late");

    // Every attempt is in the one chain, which verifies.
    let entries = desk.audit_entries(&mitid_core::store::AuditFilter::default()).unwrap();
    assert_eq!(entries.iter().filter(|e| e.action == "pcode.redeem").count(), 129);
    assert_eq!(db.sql("SELECT count(*) FROM audit WHERE seq IS NULL"), "0");
    let report = desk.verify_audit().unwrap();
    assert!(report.problem.is_none(), "{report:?}");
    let version = mitid_assist_server::db::SCHEMA_VERSION.to_string();
    assert_eq!(db.sql("SELECT count(*), max(version) FROM schema_version"), format!("1|{version}"), "migrated once");
}

/// Writes the whole chain anew from the rows as they are now, every hash
/// recomputed and the head moved: what someone who can write the database
/// (but holds no key) can do.
fn rechain(db: &Database) {
    let rows = db.sql(
        "SELECT seq, (extract(epoch FROM at) * 1000000)::bigint, agent, action, subject, verdict FROM audit ORDER BY seq",
    );
    let mut prev = mitid_core::audit::GENESIS;
    let mut updates = String::new();
    for line in rows.lines() {
        let f: Vec<&str> = line.split('|').collect();
        let seq: i64 = f[0].parse().unwrap();
        let at = Timestamp::from_microsecond(f[1].parse().unwrap()).unwrap();
        let hash = mitid_core::audit::entry_hash(seq, at, f[2], f[3], f[4], f[5], &prev);
        updates.push_str(&format!(
            "UPDATE audit SET prev_hash = '\\x{}', hash = '\\x{}' WHERE seq = {seq};",
            hex::encode(prev),
            hex::encode(hash)
        ));
        prev = hash;
    }
    updates.push_str(&format!("UPDATE audit_head SET hash = '\\x{}';", hex::encode(prev)));
    db.sql(&updates);
}

#[test]
fn an_edited_deleted_or_reordered_entry_is_found_and_a_rewritten_chain_is_caught_by_the_desk() {
    use mitid_core::audit::ChainBreak;
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, OPEN);
    let dir = tempfile::tempdir().unwrap();
    let mut desk = RemoteDesk::connect(&desk_config(&server), "agent-1", dir.path()).unwrap();
    for i in 0..6 {
        desk.add_caller(person("Ada", &format!("Lovelace{i}"))).unwrap();
    }
    assert_eq!(desk.verify_audit().unwrap().problem, None, "a clean chain, and its checkpoint remembered");
    let verify = |desk: &RemoteDesk| desk.verify_audit().unwrap().problem;

    // Edited.
    db.sql("UPDATE audit SET verdict = 'refused' WHERE seq = 3");
    assert_eq!(verify(&desk), Some(ChainBreak::Edited { seq: 3 }));
    db.sql("UPDATE audit SET verdict = 'ok' WHERE seq = 3");
    assert_eq!(verify(&desk), None);
    // Reordered.
    db.sql("UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -1");
    assert!(matches!(verify(&desk), Some(ChainBreak::Broken { seq: 2, .. } | ChainBreak::Edited { seq: 2 })));
    db.sql("UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -1");
    assert_eq!(verify(&desk), None);
    // Deleted, in the middle and at the end.
    let kept = db.sql("SELECT id FROM audit WHERE seq = 6");
    db.sql("CREATE TABLE gone AS SELECT * FROM audit WHERE seq IN (4, 6); DELETE FROM audit WHERE seq = 4");
    assert_eq!(verify(&desk), Some(ChainBreak::Broken { seq: 5, after: 3 }));
    db.sql("INSERT INTO audit SELECT * FROM gone WHERE seq = 4");
    db.sql(&format!("DELETE FROM audit WHERE id = {kept}"));
    assert_eq!(verify(&desk), Some(ChainBreak::Truncated { last: 5, head: 6 }));
    db.sql("INSERT INTO audit SELECT * FROM gone WHERE seq = 6; DROP TABLE gone");
    assert_eq!(verify(&desk), None);

    // Rewritten: an entry changed and every hash after it recomputed. The
    // chain verifies on the server — but not against the checkpoint the
    // desk remembers.
    db.sql("UPDATE audit SET verdict = 'refused' WHERE seq = 2");
    rechain(&db);
    let problem = verify(&desk);
    assert!(matches!(problem, Some(ChainBreak::Rewritten { seq }) if seq >= 6), "{problem:?}");
    // Another desk, which never saw the chain before, sees a chain that
    // holds: only a remembered checkpoint catches a rewrite.
    let fresh = tempfile::tempdir().unwrap();
    let other = RemoteDesk::connect(&desk_config(&server), "agent-2", fresh.path()).unwrap();
    assert_eq!(verify(&other), None);
}

#[test]
fn bad_input_gets_a_4xx_that_says_what_is_wrong_and_writes_nothing() {
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, OPEN);
    let http = https::client();
    let url = |path: &str| format!("{}{path}", server.url);
    let ok = http
        .post(url("/v1/callers"))
        .json(&serde_json::json!({"given_name": "Ada", "family_name": "L"}))
        .send()
        .unwrap();
    assert_eq!(ok.status(), 200);
    let written = || (db.sql("SELECT count(*) FROM caller"), db.sql("SELECT count(*) FROM audit"));
    let before = written();
    let cases: Vec<(&str, reqwest::blocking::RequestBuilder, u16, &str)> = vec![
        (
            "malformed JSON",
            http.post(url("/v1/callers")).header("content-type", "application/json").body("{\"given_name\": "),
            400,
            "not what this endpoint takes",
        ),
        (
            "unknown field",
            http.post(url("/v1/callers/1/merge")).json(&serde_json::json!({"from": 2, "force": true})),
            400,
            "unknown field",
        ),
        ("not JSON", http.post(url("/v1/callers")).body("given_name=Ada"), 415, "must be JSON"),
        (
            "a phone that is not one",
            http.post(url("/v1/callers")).json(&serde_json::json!({"given_name": "Ada", "phones": ["12"]})),
            400,
            "not a phone number",
        ),
        (
            "no name",
            http.post(url("/v1/callers")).json(&serde_json::json!({"given_name": " "})),
            400,
            "needs a given name",
        ),
        (
            "an unknown caller",
            http.put(url("/v1/callers/424242")).json(&serde_json::json!({"given_name": "Ada"})),
            404,
            "no caller 424242",
        ),
        ("an id that is not one", http.get(url("/v1/callers/abc")), 400, "address is not valid"),
        (
            "a code that is not one",
            http.post(url("/v1/callers/1/redemptions")).json(&serde_json::json!({"code": "12ab"})),
            400,
            "8 digits",
        ),
        (
            "an unknown case",
            http.post(url("/v1/cases/99/steps")).json(&serde_json::json!({"step": "chip", "verdict": "genuine"})),
            404,
            "E-99",
        ),
        (
            "a NUL in a name",
            http.post(url("/v1/callers")).json(&serde_json::json!({"given_name": "A\u{0}da"})),
            400,
            "NUL",
        ),
        (
            "a batch action that is not one",
            http.post(url("/v1/callers/batch")).json(&serde_json::json!({"callers": [], "action": "caller.delete"})),
            400,
            "not a batch action",
        ),
        ("no such endpoint", http.get(url("/v1/nothing")), 404, "no such endpoint"),
        ("a method not taken", http.delete(url("/v1/callers/count")), 405, "does not take that method"),
        ("a bad instant", http.get(url("/v1/audit?from=yesterday")), 400, "RFC 3339"),
        (
            "a training clock on a production desk path",
            http.put(url("/v1/clock")).json(&serde_json::json!({"now": "x"})),
            400,
            "not what this endpoint takes",
        ),
    ];
    for (what, request, status, says) in cases {
        let response = request.send().unwrap();
        assert_eq!(response.status().as_u16(), status, "{what}");
        assert!(response.headers().contains_key("x-request-id"), "{what}");
        let body: mitid_core::api::ErrorBody =
            response.json().unwrap_or_else(|e| panic!("{what}: not an error body: {e}"));
        assert!(body.message.contains(says), "{what}: {}", body.message);
    }
    // 10 MB: the server answers before the body is in and closes the
    // connection; curl reads that answer as a desk would be told.
    let huge = server.dir.path().join("huge.json");
    std::fs::write(&huge, format!("{{\"given_name\": \"{}\"}}", "x".repeat(10 * 1024 * 1024))).unwrap();
    let out = std::process::Command::new("curl")
        .args(["-s", "--cacert"])
        .arg(support::ca().join("ca.pem"))
        // The server refuses by the length it is told, before the body:
        // curl waits for that answer (rather than 1 s, under a loaded
        // machine) instead of sending 10 MB into a closed connection.
        .args(["-H", "expect: 100-continue", "--expect100-timeout", "60"])
        .args(["-H", "content-type: application/json", "-w", "\n%{http_code}", "--data-binary"])
        .arg(format!("@{}", huge.display()))
        .arg(url("/v1/callers"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    let (body, status) = out.rsplit_once('\n').unwrap();
    assert_eq!(status, "413", "{out}");
    assert!(body.contains("larger than"), "{body}");

    assert_eq!(written(), before, "nothing was written");
    assert!(!server.log().contains("Ada"), "no personal data in the log");
}

#[test]
fn the_openapi_document_is_3_1_and_names_every_route() {
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, "");
    let doc: serde_json::Value =
        https::client().get(format!("{}/openapi.json", server.url)).send().unwrap().json().unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    for path in ["/v1/callers/search", "/v1/callers/{id}/pcodes", "/v1/audit/verify", "/v1/class/desk", "/readyz"] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(doc["components"]["schemas"].get("ErrorBody").is_some());
    let ready = https::client().get(format!("{}/readyz", server.url)).send().unwrap();
    assert_eq!(ready.status(), 200);
}

#[test]
fn while_the_service_is_away_nothing_is_issued_and_what_may_wait_is_delivered_once_after() {
    use mitid_core::caller::Channel;
    use mitid_core::service::NewContact;
    use mitid_core::store::StoreError;
    use mitid_remote::Link;
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let listen = format!("127.0.0.1:{}", support::free_port());
    let server = Server::start_at(&db, OPEN, &listen);
    let config = desk_config(&server);
    let dir = tempfile::tempdir().unwrap();
    let mut desk = RemoteDesk::connect(&config, "agent-1", dir.path()).unwrap();
    let status = desk.status();
    let caller = desk.add_caller(person("Olena", "Shevchenko")).unwrap();
    assert!(server.stop(), "stopped cleanly");

    // Away: no P-code, no revocation, a search that says so …
    assert!(matches!(desk.issue_pcode(caller), Err(StoreError::Unreachable(_))));
    assert!(matches!(desk.revoke_pcode("P-00000000", "x"), Err(StoreError::Unreachable(_))));
    assert!(matches!(desk.search("olena", 10), Err(StoreError::Unreachable(_))));
    assert!(matches!(status.lock().unwrap().link, Link::Unreachable(_)));
    // … but a contact note and a counter case wait in the outbox.
    let note = NewContact { channel: Channel::Phone, outcome: "identity checked".into(), note: String::new() };
    desk.log_contact(caller, note).unwrap();
    let case = desk.open_case().unwrap();
    assert!(case < 0, "a local id meanwhile: {case}");
    desk.record_case_step(case, "chip", "genuine", "sod_sha256=ab").unwrap();
    desk.close_case(case, "finished").unwrap();
    assert_eq!(status.lock().unwrap().waiting, 4);
    // The outbox survives the desk closing.
    drop(desk);
    let desk = RemoteDesk::connect(&config, "agent-1", dir.path());
    assert!(matches!(desk, Err(mitid_remote::ConnectError::Service(StoreError::Unreachable(_)))));

    // Back: the desk delivers, once.
    let server = Server::start_at(&db, OPEN, &listen);
    let desk = RemoteDesk::connect(&desk_config(&server), "agent-1", dir.path()).unwrap();
    assert_eq!(desk.status().lock().unwrap().waiting, 4);
    desk.ping().unwrap();
    assert_eq!(desk.status().lock().unwrap().waiting, 0);
    desk.ping().unwrap();
    assert_eq!(desk.contacts(caller).unwrap().len(), 1);
    assert_eq!(db.sql("SELECT count(*) FROM enrollment_case"), "1");
    assert_eq!(db.sql("SELECT outcome FROM enrollment_case"), "finished");
    assert_eq!(db.sql("SELECT count(*) FROM enrollment_step"), "1");
    assert_eq!(db.sql("SELECT count(*) FROM audit WHERE action = 'contact.log'"), "1");

    // The same key again — an answer lost on the way — is done once; the
    // same key with another request is refused.
    let http = https::client();
    let send = |body: serde_json::Value| {
        http.post(format!("{}/v1/callers/{caller}/contacts", server.url))
            .header("idempotency-key", "k-1")
            .json(&body)
            .send()
            .unwrap()
    };
    let body = serde_json::json!({"channel": "counter", "outcome": "came by"});
    assert_eq!(send(body.clone()).status(), 200);
    assert_eq!(send(body).status(), 200);
    assert_eq!(desk.contacts(caller).unwrap().len(), 2);
    assert_eq!(send(serde_json::json!({"channel": "counter", "outcome": "other"})).status(), 422);
}

#[test]
fn a_request_past_its_deadline_gets_503_and_a_note_waits_to_be_taken_once() {
    use mitid_core::caller::Channel;
    use mitid_core::service::NewContact;
    use std::io::{BufRead, Write};
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    // Statements may wait long here; a request may not.
    let server = Server::start_database(&db, OPEN, "statement_timeout_ms = 60000\nrequest_timeout_ms = 500");
    let dir = tempfile::tempdir().unwrap();
    let mut desk = RemoteDesk::connect(&desk_config(&server), "agent-1", dir.path()).unwrap();
    let status = desk.status();
    let caller = desk.add_caller(person("Olena", "Shevchenko")).unwrap();

    // Another session holds the contact table: every note's statement waits.
    let mut holder = std::process::Command::new("psql")
        .args([db.conninfo.as_str(), "-XAtq"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = holder.stdin.take().unwrap();
    writeln!(stdin, "BEGIN; LOCK TABLE contact IN ACCESS EXCLUSIVE MODE; SELECT 'locked';").unwrap();
    let mut line = String::new();
    std::io::BufReader::new(holder.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "locked");

    let answer = https::client()
        .post(format!("{}/v1/callers/{caller}/contacts", server.url))
        .json(&serde_json::json!({"channel": "counter", "outcome": "came by"}))
        .send()
        .unwrap();
    assert_eq!(answer.status(), 503);
    assert!(answer.headers().contains_key(reqwest::header::RETRY_AFTER));
    let body: serde_json::Value = answer.json().unwrap();
    assert!(body["message"].as_str().unwrap().contains("too slow"), "{body}");
    // The desk keeps its note for later, and says the service is away.
    let note = NewContact { channel: Channel::Phone, outcome: "identity checked".into(), note: String::new() };
    desk.log_contact(caller, note).unwrap();
    assert_eq!(status.lock().unwrap().waiting, 1);
    assert!(matches!(status.lock().unwrap().link, mitid_remote::Link::Unreachable(_)));

    // The table free again: the waiting statements were rolled back, and
    // the note is taken once.
    writeln!(stdin, "COMMIT;").unwrap();
    drop(stdin);
    assert!(holder.wait().unwrap().success());
    desk.deliver();
    assert_eq!(status.lock().unwrap().waiting, 0);
    assert_eq!(db.sql("SELECT count(*) FROM contact WHERE outcome = 'identity checked'"), "1");
    assert_eq!(db.sql("SELECT count(*) FROM contact WHERE outcome = 'came by'"), "0");
    assert!(server.stop(), "stopped cleanly");
}

#[test]
fn a_desk_goes_on_with_another_instance_when_the_one_in_use_is_killed() {
    use mitid_core::caller::Channel;
    use mitid_core::service::NewContact;
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let first = Server::start(&db, OPEN);
    let second = Server::start(&db, OPEN);
    let mut config = desk_config(&first);
    config.fallback_urls = vec![second.url.clone()];
    let dir = tempfile::tempdir().unwrap();
    let mut desk = RemoteDesk::connect(&config, "agent-1", dir.path()).unwrap();
    let caller = desk.add_caller(person("Olena", "Shevchenko")).unwrap();
    first.kill();

    // The next requests find the other instance by themselves: a code is
    // issued (never sent twice: the first instance had no connection to
    // take it), a note is not left waiting.
    let (_, issued) = desk.issue_pcode(caller).unwrap();
    let note = NewContact { channel: Channel::Phone, outcome: "identity checked".into(), note: String::new() };
    desk.log_contact(caller, note).unwrap();
    assert_eq!(desk.status().lock().unwrap().waiting, 0);
    assert_eq!(desk.search("shevchenko", 10).unwrap().len(), 1);
    assert!(matches!(desk.status().lock().unwrap().link, mitid_remote::Link::Connected));
    assert_eq!(db.sql("SELECT count(*) FROM pcode"), "1");
    assert_eq!(db.sql("SELECT reference FROM pcode"), issued.reference);
    assert_eq!(db.sql("SELECT count(*) FROM contact"), "1");

    // An address that is not https is refused before anything is sent.
    config.fallback_urls = vec!["http://127.0.0.1:1".into()];
    assert!(matches!(RemoteDesk::connect(&config, "agent-1", dir.path()), Err(mitid_remote::ConnectError::BadUrl(_))));
}

#[test]
fn schemathesis_finds_no_server_error_and_no_answer_that_breaks_the_schema() {
    let Some(admin) = cluster() else { return };
    let Some(schemathesis) = std::env::var_os("MITID_TEST_SCHEMATHESIS") else {
        assert!(std::env::var_os("CI").is_none(), "MITID_TEST_SCHEMATHESIS is not set: packaging/test.sh installs it");
        eprintln!("skipped: schemathesis is not installed (MITID_TEST_SCHEMATHESIS); packaging/test.sh installs it");
        return;
    };
    let db = Database::new(&admin);
    // The MitID side's operations too: with its client certificate (and
    // limits no run of examples reaches).
    let server = Server::start(&db, &format!("{OPEN}\n{}", https::mitid_side_config(1_000_000, 1_000_000)));
    let out = std::process::Command::new(schemathesis)
        // Its cache (.schemathesis/) goes with the server's scratch folder.
        // One worker: with two, CPython 3.11's ast.parse in hypothesis's
        // threads now and then fails inside schemathesis itself (a
        // SystemError, no request sent), which is not a finding.
        .current_dir(server.dir.path())
        .args(["--no-color", "run", &format!("{}/openapi.json", server.url), "--tls-verify"])
        .arg(support::ca().join("ca.pem"))
        .arg("--request-cert")
        .arg(support::ca().join("mitid-side.crt"))
        .arg("--request-cert-key")
        .arg(support::ca().join("mitid-side.key"))
        .args(["--checks", "not_a_server_error,response_schema_conformance", "--max-examples", "30"])
        .args(["--phases", "examples,coverage,fuzzing", "--seed", "1", "--workers", "1"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "schemathesis found problems:\n{report}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains("passed"), "{report}");
    assert!(!server.log().contains("ERROR"), "the server logged an error:\n{}", server.log());
}

/// A single desk's file with a caller, a contact, a P-code and a case, its
/// key `key`; returns the file and the code.
fn a_desk(dir: &std::path::Path, key: &str) -> (std::path::PathBuf, mitid_core::pcode::PCode) {
    use mitid_core::desk::{Desk, DeskConfig};
    use mitid_core::keys::KeyStore;
    std::fs::write(dir.join("key"), key).unwrap();
    let clock = std::sync::Arc::new(mitid_core::SimulatedClock::starting_at(suite::local("2026-11-24T10:00")));
    let config = DeskConfig { agent: Some("desk-agent".into()), ..DeskConfig::default() };
    let store = KeyStore::DemoFile(dir.join("key"));
    let mut desk = Desk::open(dir, &store, mitid_core::SupportHours::default(), clock, &config).unwrap();
    let mut details = person("Åse", "Ødegård");
    details.phones = vec![mitid_core::caller::Phone::parse("20 12 34 56").unwrap()];
    let caller = desk.add_caller(details).unwrap();
    let contact = mitid_core::service::NewContact {
        channel: mitid_core::caller::Channel::Phone,
        outcome: "identity checked".into(),
        note: String::new(),
    };
    desk.log_contact(caller, contact).unwrap();
    let (code, _) = desk.issue_pcode(caller).unwrap();
    let case = desk.open_case().unwrap();
    desk.record_case_step(case, "chip", "genuine", "sod_sha256=ab").unwrap();
    desk.close_case(case, "finished").unwrap();
    (dir.join(mitid_core::desk::DATABASE), code)
}

fn import(server: &Server, file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(support::server_binary())
        .arg("--config")
        .arg(server.dir.path().join("server.toml"))
        .arg("import")
        .arg(file)
        .output()
        .unwrap()
}

#[test]
fn a_desk_moves_in_once_with_its_codes_and_its_log_kept_verifiable() {
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, OPEN);
    let dir = tempfile::tempdir().unwrap();
    let (file, code) = a_desk(dir.path(), support::KEY);

    let out = import(&server, &file);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("1 callers, 1 contacts, 1 P-codes, 1 cases"), "{said}");
    let again = import(&server, &file);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing imported"));
    assert_eq!(db.sql("SELECT count(*) FROM caller"), "1", "imported once");

    // The caller is found as on the desk, and the code issued there works here.
    let remote = tempfile::tempdir().unwrap();
    let mut desk = RemoteDesk::connect(&desk_config(&server), "agent-1", remote.path()).unwrap();
    let hit = desk.search("aase oedegaard", 5).unwrap();
    assert_eq!(hit.len(), 1, "{hit:?}");
    assert_eq!(desk.search("+45 20 12 34 56", 5).unwrap().len(), 1);
    let caller = hit[0].caller_id;
    assert_eq!(desk.contacts(caller).unwrap().len(), 1);
    assert_eq!(desk.redeem_pcode(caller, &code).unwrap().0, mitid_core::pcode::Redemption::Accepted);
    // Both chains verify; the shared one records the link.
    assert_eq!(desk.verify_audit().unwrap().problem, None);
    let link = desk.audit_entries(&mitid_core::store::AuditFilter::default()).unwrap();
    assert!(link.iter().any(|e| e.action == "desk.import" && e.verdict.contains("entries=")), "{link:?}");
    // An edit of the desk's log, after it moved in, is found.
    db.sql("UPDATE imported_audit SET agent = 'someone-else' WHERE seq = 2");
    assert!(matches!(
        desk.verify_audit().unwrap().problem,
        Some(mitid_core::audit::ChainBreak::Imported { seq: 2, .. })
    ));

    // A desk whose codes were hashed with another key is refused whole.
    let other = tempfile::tempdir().unwrap();
    let (file, _) = a_desk(other.path(), &"8".repeat(64));
    let out = import(&server, &file);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("another key"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(db.sql("SELECT count(*) FROM caller"), "1", "nothing of it imported");

    // A desk whose code's reference is taken here: the code moves in under
    // a new reference, said and audited, and still works.
    let third = tempfile::tempdir().unwrap();
    let (file, code) = a_desk(third.path(), support::KEY);
    let taken: String =
        rusqlite::Connection::open(&file).unwrap().query_row("SELECT reference FROM pcode", [], |r| r.get(0)).unwrap();
    db.sql(&format!("UPDATE pcode SET reference = '{taken}'"));
    let out = import(&server, &file);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains(&format!("P-code {taken} is P-")), "{said}");
    let renamed = desk
        .audit_entries(&mitid_core::store::AuditFilter {
            action_prefix: Some("pcode.rename".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(matches!(renamed.as_slice(), [e] if e.verdict == format!("was pcode:{taken}")), "{renamed:?}");
    let moved = desk.search("aase oedegaard", 5).unwrap().iter().map(|h| h.caller_id).max().unwrap();
    assert_eq!(desk.redeem_pcode(moved, &code).unwrap().0, mitid_core::pcode::Redemption::Accepted);
}

#[test]
fn names_indexed_by_an_older_folding_are_indexed_again_at_start() {
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, OPEN);
    let dir = tempfile::tempdir().unwrap();
    let mut desk = RemoteDesk::connect(&desk_config(&server), "agent-1", dir.path()).unwrap();
    let id = desk.add_caller(person("محمد", "أحمد")).unwrap();
    assert!(server.stop());
    // As an older server left it: the name's words only, version 2.
    db.sql("UPDATE caller SET terms = '{}'; DELETE FROM caller_term; UPDATE meta SET value = '2' WHERE key = 'fold_version'");
    let server = Server::start(&db, OPEN);
    let desk = RemoteDesk::connect(&desk_config(&server), "agent-1", dir.path()).unwrap();
    assert_eq!(desk.search("MOHAMMED AHMED", 5).unwrap().first().map(|h| h.caller_id), Some(id));
    assert_eq!(db.sql("SELECT value FROM meta WHERE key = 'fold_version'"), mitid_core::fold::VERSION.to_string());
}

/// A publisher of trust lists on loopback, over HTTPS with the test CA:
/// what it serves under each path can be changed while it runs.
struct Publisher {
    url: String,
    files: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Publisher {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let files: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>> = Default::default();
        let served = files.clone();
        let router = axum::Router::new().route(
            "/{name}",
            axum::routing::get(move |axum::extract::Path(name): axum::extract::Path<String>| {
                let served = served.clone();
                async move {
                    match served.lock().unwrap().get(&name) {
                        Some(bytes) => (axum::http::StatusCode::OK, bytes.clone()),
                        None => (axum::http::StatusCode::NOT_FOUND, Vec::new()),
                    }
                }
            }),
        );
        let tls =
            mitid_assist_server::serve::tls_from(&support::ca().join("server.pem"), &support::ca().join("server.key"))
                .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        runtime.spawn(async move {
            let config = axum_server::tls_rustls::RustlsConfig::from_config(std::sync::Arc::new(tls));
            axum_server::from_tcp_rustls(listener, config).unwrap().serve(router.into_make_service()).await.unwrap();
        });
        Self { url: format!("https://{address}"), files, _runtime: runtime }
    }

    fn publish(&self, name: &str, bytes: Vec<u8>) -> String {
        self.files.lock().unwrap().insert(name.into(), bytes);
        format!("{}/{name}", self.url)
    }
}

fn fingerprint(der: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(der))
}

/// Asks `desk` for the site's trust store until `done` holds of it (the
/// server fetches on its own schedule); panics after 60 s.
fn until_trust(desk: &RemoteDesk, done: impl Fn(&mitid_core::service::TrustView) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let view = desk.trust().unwrap();
        if done(&view) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the trust store never got there: {:?}", view.warnings);
        std::thread::yield_now();
    }
}

#[test]
fn the_sites_trust_store_is_imported_once_and_every_desk_reads_it() {
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, OPEN);
    let dir = tempfile::tempdir().unwrap();
    let mut admin_desk = RemoteDesk::connect(&desk_config(&server), "admin-1", dir.path()).unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let other = RemoteDesk::connect(&desk_config(&server), "agent-2", other_dir.path()).unwrap();
    assert_eq!(other.trust().unwrap().store.entries().count(), 0);

    // The real master lists, as the desk's own store takes them.
    if let Some(lists) = support::shared("masterlists") {
        let mut total = 0;
        for name in ["DE_ML_2026-05-28.ml", "NL_ML_2026-07-22.ml"] {
            let bytes = std::fs::read(lists.join(name)).unwrap();
            let mut local = mitid_core::trust::TrustStore::in_memory();
            let expected = local.import(&bytes, name, Timestamp::now()).unwrap();
            let report = admin_desk.import_trust(&bytes, name).unwrap();
            assert_eq!(report.kind, "master list");
            assert_eq!(report.added + report.already, expected.added + expected.already, "{name}");
            assert!(report.signed_by.as_deref().is_some_and(|s| s.contains("certified by")), "{report:?}");
            total += report.added;
            // Twice: nothing twice.
            assert_eq!(admin_desk.import_trust(&bytes, name).unwrap().added, 0);
        }
        // Another desk of the site sees them all, and reads them from its
        // copy while nothing changed (the service answers 304).
        let view = other.trust().unwrap();
        assert_eq!(view.store.entries().count(), total);
        assert!(matches!(view.origin, mitid_core::service::TrustOrigin::Site { live: true, .. }));
        assert!(view.store.entries().any(|(_, e)| e.country.as_deref() == Some("DK")));
        let list = https::client().get(format!("{}/v1/trust", server.url)).send().unwrap();
        let etag = list.headers()["etag"].clone();
        let again =
            https::client().get(format!("{}/v1/trust", server.url)).header("if-none-match", etag).send().unwrap();
        assert_eq!(again.status(), 304);
    }

    // A body that is no trust material, a name that is not one.
    let junk = https::client()
        .post(format!("{}/v1/trust?source=x.bin", server.url))
        .header("content-type", "application/octet-stream")
        .body(vec![0x30, 0x82, 0xff])
        .send()
        .unwrap();
    assert_eq!(junk.status(), 422);
    assert!(junk.text().unwrap().contains("unrecognized"));
    let unnamed = https::client().post(format!("{}/v1/trust?source=", server.url)).body(vec![1]).send().unwrap();
    assert_eq!(unnamed.status(), 400);

    // The desk keeps a copy: while the service is away, chips are still
    // checked against it, and it says how old it is.
    let count = other.trust().unwrap().store.entries().count();
    assert!(server.stop());
    let view = other.trust().unwrap();
    assert_eq!(view.store.entries().count(), count);
    assert!(matches!(view.origin, mitid_core::service::TrustOrigin::Site { live: false, .. }), "{:?}", view.origin);
    // The store is the database's, not the server's: a new instance
    // serves the same to a desk that never had it.
    let again = Server::start(&db, OPEN);
    let fresh = tempfile::tempdir().unwrap();
    let reconnected = RemoteDesk::connect(&desk_config(&again), "agent-3", fresh.path()).unwrap();
    assert_eq!(reconnected.trust().unwrap().store.entries().count(), count);
}

#[test]
fn the_server_fetches_lists_on_a_schedule_and_takes_only_what_verifies() {
    let Some(admin) = cluster() else { return };
    let publisher = Publisher::start();
    let pki = mitid_emrtd::sim::document::TestPki::new();
    let stranger = mitid_emrtd::sim::document::TestPki::unknown_csca();
    let ml = publisher.publish("utopia.ml", pki.master_list());
    let mut tampered = pki.master_list();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x01;
    let bad = publisher.publish("tampered.ml", tampered);
    let foreign_crl = publisher.publish("stranger.crl", stranger.crl(&[2]));
    let crl = publisher.publish("utopia.crl", pki.crl(&[99]));
    let missing = format!("{}/gone.ml", publisher.url);
    let ca = support::ca().join("ca.pem");
    let anchor = fingerprint(pki.csca_certificate());
    let fetch = |url: &str, anchor: Option<&str>| {
        let anchor = anchor.map(|a| format!("anchor = \"{a}\"\n")).unwrap_or_default();
        format!("[[trust.fetch]]\nurl = \"{url}\"\nevery_minutes = 1\nca = \"{}\"\n{anchor}", ca.display())
    };

    // Without an anchor, a first list into an empty store is not taken:
    // nothing vouches for its signer.
    let db = Database::new(&admin);
    let server = Server::start(&db, &format!("{OPEN}\n{}", fetch(&ml, None)));
    let dir = tempfile::tempdir().unwrap();
    let desk = RemoteDesk::connect(&desk_config(&server), "agent-1", dir.path()).unwrap();
    until_trust(&desk, |view| !view.warnings.is_empty());
    assert_eq!(desk.trust().unwrap().store.entries().count(), 0);
    assert!(server.stop());

    // With the anchor the list is taken; a tampered list, a CRL no trusted
    // CSCA signed and an address that answers 404 are not, each said as a
    // warning with why — and the store keeps what it had.
    let db = Database::new(&admin);
    let config = [
        fetch(&ml, Some(&anchor)),
        fetch(&crl, None),
        fetch(&bad, None),
        fetch(&foreign_crl, None),
        fetch(&missing, None),
    ];
    let server = Server::start(&db, &format!("{OPEN}\n{}", config.join("\n")));
    let desk = RemoteDesk::connect(&desk_config(&server), "agent-1", dir.path()).unwrap();
    until_trust(&desk, |view| view.store.entries().count() == 2 && view.warnings.len() == 3);
    let view = desk.trust().unwrap();
    assert_eq!((view.store.certificates().len(), view.store.crls().len()), (1, 1));
    let failing: Vec<(&str, &str)> = view
        .warnings
        .iter()
        .filter_map(|w| match w {
            mitid_core::trust::TrustWarning::FetchFailing { url, error, .. } => Some((url.as_str(), error.as_str())),
            _ => None,
        })
        .collect();
    assert!(failing.iter().any(|(url, e)| *url == bad && e.contains("not taken")), "{failing:?}");
    assert!(failing.iter().any(|(url, e)| *url == foreign_crl && e.contains("signature")), "{failing:?}");
    assert!(failing.iter().any(|(url, e)| *url == missing && e.contains("404")), "{failing:?}");
    let entries = desk
        .audit_entries(&mitid_core::store::AuditFilter {
            action_prefix: Some("trust.import".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(entries.iter().any(|e| e.agent == "service" && e.verdict.starts_with("master list: 1 new")), "{entries:?}");
    assert!(!server.log().contains("panicked"));
}
