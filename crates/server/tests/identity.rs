//! Staff sign-in on real parts: the test OpenID provider (oidc-provider on
//! Node) signs test users in by authorization code + PKCE as the desk does,
//! and the server checks their tokens itself and enforces the roles their
//! groups map to — the authorisation matrix: every kind of operation as
//! every role, and with no token, a broken one, one for another audience.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod https;
mod oidc;
#[path = "../../core/tests/support/contract.rs"]
mod suite;
mod support;

use mitid_core::roles::{Operation, Role};
use reqwest::Method;
use support::{Database, Server, cluster};

const TRAINING: &str = "[clock]\nsimulated = \"2026-11-24T09:00:00Z\"";

/// One call of each kind of operation: (operation, method, path, body).
fn calls(caller: i64) -> Vec<(Operation, Method, String, Option<serde_json::Value>)> {
    use serde_json::json;
    vec![
        (Operation::Session, Method::GET, "/v1/session".into(), None),
        (Operation::ReadCallers, Method::GET, "/v1/callers/search?q=anna".into(), None),
        (Operation::ReadCallers, Method::GET, format!("/v1/callers/{caller}"), None),
        (
            Operation::WriteCallers,
            Method::POST,
            "/v1/callers".into(),
            Some(json!({"given_name": "Eva", "family_name": "Holm"})),
        ),
        (
            Operation::LogContact,
            Method::POST,
            format!("/v1/callers/{caller}/contacts"),
            Some(json!({"channel": "phone", "outcome": "answered"})),
        ),
        (Operation::IssuePcode, Method::POST, format!("/v1/callers/{caller}/pcodes"), None),
        (Operation::RevokePcode, Method::POST, "/v1/pcodes/P-00000000/revoke".into(), Some(json!({"reason": "test"}))),
        (Operation::MergeOrDelete, Method::DELETE, "/v1/callers/999999".into(), None),
        (
            Operation::DeskRedemption,
            Method::POST,
            format!("/v1/callers/{caller}/redemptions"),
            Some(json!({"code": "12345678"})),
        ),
        (Operation::Cases, Method::POST, "/v1/cases".into(), None),
        (Operation::ReadAudit, Method::GET, "/v1/audit?limit=5".into(), None),
        (Operation::ReadTrust, Method::GET, "/v1/trust".into(), None),
        (Operation::WriteTrust, Method::POST, "/v1/trust?source=x.bin".into(), None),
        (Operation::SetClock, Method::PUT, "/v1/clock".into(), Some(json!({"now": "2026-11-24T09:30:00Z"}))),
        (
            Operation::ClassReport,
            Method::PUT,
            "/v1/class/desk".into(),
            Some(json!({"screen": "Callers", "step": "search"})),
        ),
        (Operation::ClassRun, Method::GET, "/v1/class".into(), None),
        (Operation::ClassRun, Method::POST, "/v1/class/faults".into(), Some(json!({"fault": "no-sms"}))),
    ]
}

fn call(
    http: &reqwest::blocking::Client,
    server: &Server,
    token: Option<&str>,
    (method, path, body): (&Method, &str, &Option<serde_json::Value>),
) -> (u16, String) {
    let mut request = http.request(method.clone(), format!("{}{path}", server.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request = match body {
        Some(body) => request.json(body),
        None if method == Method::POST => request.header("content-type", "application/octet-stream").body("x"),
        None => request,
    };
    let response = request.send().unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

#[test]
fn every_operation_as_every_role_and_without_a_valid_sign_in() {
    let Some(admin) = cluster() else { return };
    let Some(provider) = oidc::Provider::start() else { return };
    let db = Database::new(&admin);
    let config = format!("{TRAINING}\n{}\n{}", provider.config("mitid-assist"), https::mitid_side_config(1000, 10));
    let server = Server::start(&db, &config);
    let http = https::client();
    let users = [
        ("agent", vec![Role::PhoneAgent]),
        ("counter", vec![Role::CounterStaff]),
        ("supervisor", vec![Role::Supervisor]),
        ("auditor", vec![Role::Auditor]),
        ("admin", vec![Role::Admin]),
        ("trainer", vec![Role::Trainer]),
        ("nobody", vec![]),
    ];
    let tokens: Vec<(&str, &Vec<Role>, String)> =
        users.iter().map(|(user, roles)| (*user, roles, provider.sign_in(user))).collect();
    // A caller to work on, added by the agent — whose desk claims to be
    // someone else: the token decides.
    let agent = &tokens[0].2;
    let body = serde_json::json!({"given_name": "Anna", "family_name": "Berg"});
    let created = http
        .post(format!("{}/v1/callers", server.url))
        .bearer_auth(agent)
        .header(mitid_core::api::AGENT_HEADER, "someone-else")
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(created.status(), 200, "{}", created.text().unwrap());
    let caller = created.json::<serde_json::Value>().unwrap()["id"].as_i64().unwrap();

    for (operation, method, path, body) in calls(caller) {
        for (user, roles, token) in &tokens {
            let (status, text) = call(&http, &server, Some(token), (&method, &path, &body));
            if operation.allowed(roles) {
                assert!(status != 401 && status != 403, "{user} {method} {path}: {status} {text}");
            } else {
                assert_eq!(status, 403, "{user} {method} {path}: {text}");
                assert!(text.contains(&operation.needs()), "{user} {method} {path}: {text}");
            }
        }
        // No token, or one that is not a token: 401, whatever the route.
        let (status, text) = call(&http, &server, None, (&method, &path, &body));
        assert_eq!(status, 401, "{method} {path}: {text}");
        assert!(text.contains("sign in"), "{text}");
        let (status, _) = call(&http, &server, Some("not.a.token"), (&method, &path, &body));
        assert_eq!(status, 401, "{method} {path}");
    }
    // The MitID side's routes take its client certificate, never a staff
    // sign-in, whatever the role.
    let entry = serde_json::json!({"code": "12345678", "attempt_id": "x", "holder": {"issuing_state": "DNK",
        "document_number": "X1", "date_of_birth": "1980-01-01", "surname": "BERG", "given_names": "ANNA",
        "nationality": "DNK"}});
    for path in ["/v1/redemptions", "/v1/redemptions/1/completed"] {
        let call_as = |token| call(&http, &server, token, (&Method::POST, path, &Some(entry.clone())));
        for (user, _, token) in &tokens {
            let (status, text) = call_as(Some(token));
            assert_eq!(status, 403, "{user} {path}: {text}");
            assert!(text.contains("only the MitID side"), "{text}");
        }
        let (status, text) = call_as(None);
        assert_eq!(status, 401, "{path}: {text}");
        assert!(text.contains("client certificate"), "{text}");
    }
    // What needs no sign-in.
    for path in ["/healthz", "/readyz", "/openapi.json"] {
        assert_eq!(http.get(format!("{}{path}", server.url)).send().unwrap().status(), 200, "{path}");
    }
    // The audit log names the signed-in person, never the desk's claim:
    // the first caller is the agent's, and the others' are those who may
    // add callers, each under their own subject.
    let entries: Vec<serde_json::Value> = http
        .get(format!("{}/v1/audit?action_prefix=caller.create", server.url))
        .bearer_auth(&tokens[3].2)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let mut agents: Vec<&str> = entries.iter().map(|e| e["agent"].as_str().unwrap()).collect();
    assert_eq!(agents.pop(), Some("agent"), "the oldest entry: {entries:?}");
    agents.sort_unstable();
    assert_eq!(agents, ["agent", "counter", "supervisor", "trainer"]);

    // A server for another audience takes none of these tokens.
    let other_db = Database::new(&admin);
    let other = Server::start(&other_db, &format!("{TRAINING}\n{}", provider.config("another-service")));
    let (status, text) = call(&http, &other, Some(agent), (&Method::GET, "/v1/session", &None));
    assert_eq!(status, 401);
    assert!(text.contains("another audience"), "{text}");
}

#[test]
fn a_token_from_another_issuer_or_past_its_time_is_refused() {
    let Some(admin) = cluster() else { return };
    let Some(provider) = oidc::Provider::start_with_ttl(2) else { return };
    let Some(stranger) = oidc::Provider::start() else { return };
    let db = Database::new(&admin);
    let identity =
        provider.config("mitid-assist").replace("[identity.groups]", "leeway_seconds = 0\n[identity.groups]");
    let server = Server::start(&db, &format!("{TRAINING}\n{identity}"));
    let http = https::client();
    let session = |token: &str| call(&http, &server, Some(token), (&Method::GET, "/v1/session", &None));

    // Another provider's token: whatever its signature, not this issuer's.
    let (status, text) = session(&stranger.sign_in("agent"));
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("not accepted"), "{text}");

    // A token is taken while it lasts, then refused as expired (the
    // provider made it last 2 s; the server allows no clock difference).
    let token = provider.sign_in("agent");
    let (status, text) = session(&token);
    assert_eq!(status, 200, "{text}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let expired = loop {
        let (status, text) = session(&token);
        if status != 200 {
            break (status, text);
        }
        assert!(std::time::Instant::now() < deadline, "the token never expired");
        std::thread::yield_now();
    };
    assert_eq!(expired.0, 401, "{}", expired.1);
    assert!(expired.1.contains("expired"), "{}", expired.1);
}

/// The service's clock, set through a connection of its own.
struct ServiceClock(mitid_remote::RemoteDesk);

impl suite::SetClock for ServiceClock {
    fn set(&self, at: jiff::Timestamp) {
        self.0.set_service_clock(at).unwrap();
    }
}

/// The key id a token names.
fn kid(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

#[test]
fn a_rotated_provider_key_is_fetched_on_its_first_token_and_the_old_one_no_longer_holds() {
    let Some(admin) = cluster() else { return };
    let Some(mut provider) = oidc::Provider::start() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, &format!("{TRAINING}\n{}", provider.config("mitid-assist")));
    let http = https::client();
    let session = (&Method::GET, "/v1/session", &None);
    let before = provider.sign_in("agent");
    assert_eq!(call(&http, &server, Some(&before), session).0, 200);
    // The provider starts again with a new signing key.
    provider.restart();
    let after = provider.sign_in("agent");
    assert_ne!(kid(&after), kid(&before), "a new key id");
    let (status, text) = call(&http, &server, Some(&after), session);
    assert_eq!(status, 200, "the server fetched the provider's keys again: {text}");
    // The old key is gone from the provider's set: its tokens are refused.
    let (status, text) = call(&http, &server, Some(&before), session);
    assert_eq!(status, 401, "{text}");
}

#[test]
fn a_signed_in_desk_keeps_the_desk_services_contract_under_its_own_name() {
    let Some(admin) = cluster() else { return };
    let Some(provider) = oidc::Provider::start() else { return };
    let db = Database::new(&admin);
    let server = Server::start(&db, &format!("{TRAINING}\n{}", provider.config("mitid-assist")));
    let token: std::sync::Arc<dyn mitid_remote::TokenSource> =
        std::sync::Arc::new(mitid_remote::FixedToken(provider.sign_in("allround")));
    let dir = tempfile::tempdir().unwrap();
    let connect = |agent: &str| {
        mitid_remote::RemoteDesk::connect_signed_in(
            &support::desk_config(&server),
            agent,
            dir.path(),
            Some(token.clone()),
        )
        .unwrap()
    };
    // The desk says it is "desk-7"; the service records who signed in.
    let mut desk = connect("desk-7");
    let clock = ServiceClock(connect("desk-7"));
    suite::contract(&mut desk, &clock, "allround");
    // Each entry names the person as the provider gives them, and the
    // desk they worked at; the log filters by desk.
    use mitid_core::service::DeskService;
    use mitid_core::store::AuditFilter;
    let mine = desk.audit_entries(&AuditFilter { desk: Some("desk-7".into()), ..AuditFilter::default() }).unwrap();
    assert!(mine.len() > 10, "{mine:?}");
    assert!(mine.iter().all(|e| e.agent == "allround" && e.agent_name.as_deref() == Some("Alma Allround")), "{mine:?}");
    let elsewhere = AuditFilter { desk: Some("desk-8".into()), ..AuditFilter::default() };
    assert!(desk.audit_entries(&elsewhere).unwrap().is_empty());
    assert_eq!(desk.verify_audit().unwrap().problem, None, "names and desks are in the chain");
    // Without the token, the same desk gets nowhere.
    let error = mitid_remote::RemoteDesk::connect(&support::desk_config(&server), "desk-7", dir.path()).unwrap_err();
    assert!(error.to_string().contains("sign in"), "{error}");
}
