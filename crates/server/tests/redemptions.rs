//! The MitID side's redemption API on real parts: the server on
//! PostgreSQL, mutual TLS with the test CA's MitID-side certificate — and
//! a client without one, one with a certificate from another CA, one with
//! a staff token, each refused — the holder matched as the chip writes
//! them, attempt ids retried across two instances counted exactly once.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod https;
mod support;

use std::process::Command;

use mitid_core::caller::{CallerDetails, DocumentKind, DocumentRef};
use mitid_core::service::DeskService;
use mitid_remote::RemoteDesk;
use serde_json::{Value, json};
use support::{Database, Server, ca, cluster, desk_config};

const OPEN: &str = "[clock]\nsimulated = \"2026-11-24T09:00:00Z\"";

fn mueller() -> CallerDetails {
    CallerDetails {
        given_name: "Jürgen".into(),
        family_name: "Müller".into(),
        birth_date: Some(jiff::civil::date(1964, 8, 12)),
        nationality: Some("DEU".into()),
        documents: vec![DocumentRef {
            kind: DocumentKind::Passport,
            country: "DEU".into(),
            number: "C01X00T47".into(),
        }],
        ..CallerDetails::default()
    }
}

/// The holder as a German passport's chip gives them.
fn chip(number: &str) -> Value {
    json!({"issuing_state": "D", "document_number": number, "date_of_birth": "1964-08-12",
           "surname": "MUELLER", "given_names": "JUERGEN", "nationality": "DEU"})
}

fn wrong(code: &str) -> String {
    format!("{}{}", &code[..7], (code.as_bytes()[7] - b'0' + 1) % 10)
}

fn side() -> reqwest::blocking::Client {
    https::client_with_certificate(&ca().join("mitid-side.crt"), &ca().join("mitid-side.key"))
}

fn post(client: &reqwest::blocking::Client, url: &str, body: &Value) -> (u16, Value) {
    let response = client.post(url).json(body).send().unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

/// A client certificate from a CA the server does not know.
fn foreign_certificate(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &["-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Other CA"],
    ]
    .concat());
    run(&[&["req"][..], &ec, &["-keyout", "side.key", "-out", "side.csr", "-subj", "/CN=MitID test side"]].concat());
    std::fs::write(dir.join("side.ext"), "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n").unwrap();
    let sign = "x509 -req -in side.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out side.crt -extfile side.ext";
    run(&sign.split(' ').collect::<Vec<_>>());
    (dir.join("side.crt"), dir.join("side.key"))
}

#[test]
fn the_mitid_side_redeems_over_mutual_tls_and_nobody_else_may() {
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, &format!("{OPEN}\n{}", https::mitid_side_config(1000, 8)));
    let dir = tempfile::tempdir().unwrap();
    let mut desk = RemoteDesk::connect(&desk_config(&server), "agent-1", dir.path()).unwrap();
    let caller = desk.add_caller(mueller()).unwrap();
    let (code, info) = desk.issue_pcode(caller).unwrap();
    let code = code.digits().to_owned();
    let url = format!("{}/v1/redemptions", server.url);
    let entry =
        |code: &str, attempt: &str, number: &str| json!({"code": code, "attempt_id": attempt, "holder": chip(number)});

    // Nobody but the MitID side: no certificate; a staff token; a
    // certificate another CA signed (the handshake fails).
    let plain = https::client();
    let (status, body) = post(&plain, &url, &entry(&code, "x", "C01X00T47"));
    assert_eq!((status, body["error"].as_str()), (401, Some("unauthorized")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("client certificate"), "{body}");
    let response =
        plain.post(&url).bearer_auth("an-agents-token").json(&entry(&code, "x", "C01X00T47")).send().unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.text().unwrap().contains("only the MitID side"));
    let foreign_dir = tempfile::tempdir().unwrap();
    let (cert, key) = foreign_certificate(foreign_dir.path());
    let foreign = https::client_with_certificate(&cert, &key);
    assert!(foreign.post(&url).json(&entry(&code, "x", "C01X00T47")).send().is_err(), "another CA's certificate");
    assert_eq!(desk.pcode(&info.reference).unwrap().unwrap().attempts_left, 3, "none of them counted");

    // The MitID side: a wrong entry, retried — counted once.
    let side = side();
    let first = post(&side, &url, &entry(&wrong(&code), "a-1", "C01X00T47"));
    assert_eq!(first.0, 200, "{}", first.1);
    assert_eq!((first.1["result"].as_str(), first.1["attempts_left"].as_u64()), (Some("wrong"), Some(2)));
    assert_eq!(post(&side, &url, &entry(&wrong(&code), "a-1", "C01X00T47")), first, "the retry gets the first answer");
    assert_eq!(desk.pcode(&info.reference).unwrap().unwrap().attempts_left, 2);
    // The right code, for the holder of a renewed passport: matched by
    // names (MUELLER = Müller), date of birth and nationality.
    let (status, accepted) = post(&side, &url, &entry(&code, "a-2", "C77Z"));
    assert_eq!(
        (status, accepted["result"].as_str(), accepted["attempts_left"].as_u64()),
        (200, Some("accepted"), Some(1))
    );
    // Someone else with the same code: no code of theirs.
    let stranger = json!({"code": code, "attempt_id": "a-3", "holder": {"issuing_state": "DNK",
        "document_number": "X1", "date_of_birth": "1980-01-01", "surname": "HANSEN", "given_names": "EVA", "nationality": "DNK"}});
    assert_eq!(post(&side, &url, &stranger).1["result"], "no_code");

    // The enrollment completed: the code is void; reported twice, once.
    let completed = format!("{url}/{}/completed", accepted["redemption_id"]);
    let (status, done) = post(&side, &completed, &json!({}));
    assert_eq!(status, 200, "{done}");
    assert_eq!(post(&side, &completed, &json!({})), (200, done));
    assert_eq!(desk.pcode(&info.reference).unwrap().unwrap().state, mitid_core::pcode::PCodeState::Consumed);
    assert_eq!(post(&side, &url, &entry(&code, "a-4", "C01X00T47")).1["result"], "consumed");
    // Only an accepted entry completes; only the client's own.
    let (status, body) = post(&side, &format!("{url}/{}/completed", first.1["redemption_id"]), &json!({}));
    assert_eq!((status, body["error"].as_str()), (409, Some("not_accepted")), "{body}");
    let (status, body) = post(&side, &format!("{url}/999999/completed"), &json!({}));
    assert_eq!((status, body["error"].as_str()), (404, Some("no_redemption")), "{body}");
    // What cannot be read is refused in words, and counts nothing.
    for bad in [
        json!({"code": "1234", "attempt_id": "b", "holder": chip("C01X00T47")}),
        json!({"code": code, "attempt_id": "has space", "holder": chip("C01X00T47")}),
        json!({"code": code, "attempt_id": "b", "holder": {"issuing_state": "DEUTSCH"}}),
        json!({"code": code, "attempt_id": "b"}),
    ] {
        let (status, body) = post(&side, &url, &bad);
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(!body["message"].as_str().unwrap_or("").is_empty());
    }

    // Eight a minute for one holder: the ninth waits, said by Retry-After.
    let mut refused = None;
    for i in 0..12 {
        let response = side.post(&url).json(&entry(&wrong(&code), &format!("flood-{i}"), "F1")).send().unwrap();
        if response.status() == 429 {
            refused = Some((i, response.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap()));
            break;
        }
    }
    let (at, wait) = refused.expect("a flood for one holder is limited");
    assert_eq!(at, 8, "the ninth is refused");
    assert!((1..=8).contains(&wait), "wait {wait} s");

    // Nothing the MitID side sent is stored but as keyed hashes; the audit
    // log names the client and the code.
    let stored = db.sql(
        "SELECT concat_ws(' ', (SELECT string_agg(r::text, ' ') FROM redemption r),
                (SELECT string_agg(h::text, ' ') FROM pcode_holder h),
                (SELECT string_agg(a::text, ' ') FROM audit a))",
    );
    for personal in ["MUELLER", "C77Z", "C01X00T47", "HANSEN", "1964-08-12", "1980"] {
        assert!(!stored.contains(personal), "{personal} is stored");
    }
    assert!(stored.contains("mitid-side:MitID test side"), "{stored}");
    assert!(stored.contains("pcode.complete"));
}

/// 64 requests at once over two instances: 32 attempt ids, each sent to
/// both — a retry racing its original.
fn race(servers: &[&Server], code: &str, number: &str) -> Vec<(String, Value)> {
    let start = std::sync::Barrier::new(64);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..64)
            .map(|i| {
                let (start, url) = (&start, format!("{}/v1/redemptions", servers[i % 2].url));
                let attempt = format!("{number}-{}", i / 2);
                s.spawn(move || {
                    let client = side();
                    let body = json!({"code": code, "attempt_id": attempt, "holder": chip(number)});
                    start.wait();
                    let (status, answer) = post(&client, &url, &body);
                    assert_eq!(status, 200, "{answer}");
                    (attempt, answer)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn sixty_four_redemptions_with_retried_attempt_ids_across_two_instances_count_exactly() {
    let Some(admin) = cluster() else { return };
    let db = Database::new(&admin);
    let config = format!("{OPEN}\n{}", https::mitid_side_config(100_000, 1000));
    let (a, b) = (Server::start(&db, &config), Server::start(&db, &config));
    let dir = tempfile::tempdir().unwrap();
    let mut desk = RemoteDesk::connect(&desk_config(&a), "agent-1", dir.path()).unwrap();
    let check = |answers: &[(String, Value)], accepted: usize, wrong: usize, locked: usize| {
        let mut first: std::collections::HashMap<&str, &Value> = std::collections::HashMap::new();
        for (attempt, answer) in answers {
            assert_eq!(*first.entry(attempt).or_insert(answer), answer, "both sends of {attempt} answered alike");
        }
        let count = |r: &str| first.values().filter(|a| a["result"] == r).count();
        assert_eq!((count("accepted"), count("wrong"), count("locked")), (accepted, wrong, locked), "{first:?}");
    };

    let caller = desk.add_caller(mueller()).unwrap();
    let (code, info) = desk.issue_pcode(caller).unwrap();
    check(&race(&[&a, &b], code.digits(), "C01X00T47"), 3, 0, 29);
    let spent = desk.pcode(&info.reference).unwrap().unwrap();
    assert_eq!(spent.attempts_left, 0);

    let other = CallerDetails {
        documents: vec![DocumentRef { kind: DocumentKind::Passport, country: "DEU".into(), number: "C02".into() }],
        birth_date: Some(jiff::civil::date(1970, 1, 1)),
        ..mueller()
    };
    let other = desk.add_caller(other).unwrap();
    let (code, info) = desk.issue_pcode(other).unwrap();
    check(&race(&[&a, &b], &wrong(code.digits()), "C02"), 0, 2, 30);
    let locked = desk.pcode(&info.reference).unwrap().unwrap();
    assert_eq!((locked.state, locked.attempts_left), (mitid_core::pcode::PCodeState::Locked, 0));
    // Each attempt once in the records and the audit log.
    assert_eq!(db.sql("SELECT count(*) FROM redemption"), "64");
    assert_eq!(db.sql("SELECT count(*) FROM audit WHERE action = 'pcode.redeem'"), "64");
}
