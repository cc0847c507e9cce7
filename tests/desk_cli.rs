//! The phone-support commands through the real binary, on a real SQLite
//! file: callers, P-codes, the audit log, and what a kill -9 leaves behind.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;
#[path = "../crates/server/tests/support/mod.rs"]
mod site;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use mitid_core::store::{AuditFilter, Store};

const BIN: &str = env!("CARGO_BIN_EXE_mitid-assist");
/// A Tuesday at 10:00 in Copenhagen: MitID Support is open.
const OPEN: &str = "2026-11-24T10:00:00+01:00";
const CLOSED: &str = "2026-11-24T20:00:00+01:00";

fn mitid(data: &Path, clock: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--demo", "--clock", clock, "--data-dir"])
        .arg(data)
        .arg("--config")
        .arg(data.join("absent.toml"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(stdout(out).trim()).unwrap_or_else(|e| panic!("{e}: {:?} / {:?}", stdout(out), out.stderr))
}

fn audit_count(data: &Path) -> usize {
    let store = Store::open(&data.join("desk.sqlite")).unwrap();
    store.audit_entries(&AuditFilter::default()).unwrap().len()
}

#[test]
fn issue_and_redeem_a_pcode_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let add = [
        "caller",
        "add",
        "--name",
        "Shevchenko, Olena",
        "--phone",
        "20 12 34 56",
        "--dob",
        "1990-03-14",
        "--nationality",
        "UKR",
        "--passport",
        "UKR:FA123456",
        "--json",
    ];
    let added = json(&mitid(d, OPEN, &add));
    let id = added["id"].as_i64().unwrap().to_string();
    let hits = json(&mitid(d, OPEN, &["caller", "search", "+45 2012 3456", "--json"]));
    assert_eq!(hits[0]["caller_id"].as_i64().unwrap().to_string(), id);
    assert_eq!(hits[0]["kind"], "phone");

    let issued = mitid(d, OPEN, &["pcode", "issue", "--caller", &id, "--json"]);
    assert!(issued.status.success());
    let issued = json(&issued);
    let code = issued["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 8);
    assert_eq!(issued["expires_at"], "2027-01-23T10:00:00+01:00");
    assert_eq!(issued["attempts_left"], 3);

    let wrong = format!("{}{}", &code[..7], (code.as_bytes()[7] - b'0' + 1) % 10);
    let out = mitid(d, OPEN, &["pcode", "redeem", &wrong, "--caller", &id, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out), serde_json::json!({"result": "wrong", "attempts_left": 2}));
    // For the holder the chip names, as the MitID side's API takes it;
    // the same attempt again answers the same and counts nothing.
    let holder = [
        "--surname",
        "SHEVCHENKO",
        "--given",
        "OLENA",
        "--birth",
        "1990-03-14",
        "--nationality",
        "UKR",
        "--state",
        "UKR",
        "--document",
        "FA123456",
    ];
    let redeem = |attempt: &str| {
        let args = [&["pcode", "redeem", &code][..], &holder, &["--attempt", attempt, "--json"]].concat();
        mitid(d, OPEN, &args)
    };
    let out = redeem("entry-1");
    assert!(out.status.success(), "{out:?}");
    let accepted = json(&out);
    assert_eq!((accepted["result"].as_str(), accepted["attempts_left"].as_u64()), (Some("accepted"), Some(1)));
    assert_eq!(json(&redeem("entry-1")), accepted);
    let redemption = accepted["redemption_id"].to_string();
    let out = mitid(d, OPEN, &["pcode", "complete", &redemption]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("void"));
    assert_eq!(json(&redeem("entry-2"))["result"], "consumed");
    let out = mitid(d, OPEN, &["pcode", "redeem", &code, "--caller", &id, "--json"]);
    assert_eq!(json(&out)["result"], "consumed");

    // Revoke a second code by its reference.
    let second = json(&mitid(d, OPEN, &["pcode", "issue", "--caller", &id, "--json"]));
    let reference = second["reference"].as_str().unwrap();
    let out = mitid(d, OPEN, &["pcode", "revoke", reference, "--reason", "read out to the wrong person"]);
    assert!(out.status.success(), "{out:?}");
    let out = mitid(d, OPEN, &["pcode", "redeem", second["code"].as_str().unwrap(), "--caller", &id, "--json"]);
    assert_eq!(json(&out)["result"], "revoked");

    let verify = json(&mitid(d, OPEN, &["audit", "verify", "--json"]));
    assert_eq!(verify["ok"], true);
    // No code ever reaches the audit log or the log files.
    let store = Store::open(&d.join("desk.sqlite")).unwrap();
    for e in store.audit_entries(&AuditFilter::default()).unwrap() {
        assert!(!format!("{e:?}").contains(&code));
    }
}

#[test]
fn the_audit_log_exports_and_a_tampered_one_fails_verification() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mitid(d, OPEN, &["caller", "add", "--name", "Anna Eriksson"]);
    mitid(d, OPEN, &["caller", "add", "--name", "Jonas Jensen"]);
    let csv = stdout(&mitid(d, OPEN, &["audit", "export"]));
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with("seq,at,agent,agent_name,desk,action,subject,verdict,prev_hash,hash\n1,"));
    let file = d.join("audit.json");
    let out = mitid(d, OPEN, &["audit", "export", "--format", "json", "--out", file.to_str().unwrap()]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    Store::open(&d.join("desk.sqlite")).unwrap().tamper_for_tests("DELETE FROM audit WHERE seq = 2").unwrap();
    let out = mitid(d, OPEN, &["audit", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["problem"]["problem"], "truncated");
}

#[test]
fn closed_support_refuses_with_the_next_opening() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = stdout(&mitid(d, OPEN, &["caller", "add", "--name", "Anna Eriksson"])).trim().to_owned();
    let out = mitid(d, CLOSED, &["pcode", "issue", "--caller", &id, "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let v = json(&out);
    assert_eq!(v["error"], "closed");
    assert_eq!(v["next_open"], "2026-11-25T08:00:00+01:00");
    // Seconds before closing: the demo clock runs while the command
    // starts, which on a loaded machine takes more than one.
    let out = mitid(d, "2026-11-24T19:59:50+01:00", &["pcode", "issue", "--caller", &id, "--json"]);
    assert!(out.status.success(), "just before closing: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mitid(d, OPEN, &["caller", "add", "--name", "Anna Eriksson"]);
    let before = audit_count(d);
    for args in [
        vec!["caller", "add", "--name", "X Y", "--phone", "1234"],
        vec!["caller", "add", "--name", "X Y", "--dob", "17-05-1990"],
        vec!["caller", "add", "--name", "X Y", "--nationality", "Danish"],
        vec!["caller", "add", "--name", "   "],
        vec!["pcode", "issue", "--caller", "999"],
        vec!["pcode", "redeem", "1234567", "--caller", "1"],
        vec!["pcode", "revoke", "P-00000000", "--reason", "x"],
        vec!["pcode", "revoke", "P-00000000", "--reason", " "],
    ] {
        let out = mitid(d, OPEN, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.lines().any(|l| l.starts_with("mitid-assist: ") && !l.contains("demo mode")), "{args:?}: {err}");
    }
    assert_eq!(audit_count(d), before, "nothing written");
    let out = mitid(d, OPEN, &["caller", "add", "--name", "X Y", "--phone", "1234", "--json"]);
    assert_eq!(json(&out)["error"], "input");
}

#[test]
fn csv_import_is_all_or_nothing_and_says_which_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = d.join("good.csv");
    std::fs::write(
        &good,
        "given_name,family_name,birth_date,nationality,phone,email,language\n\
         Olena,Shevchenko,1990-05-17,UKR,20 12 34 56;+380441234567,olena@example.org,uk\n\
         Jürgen,Müller,,DEU,,,de\n",
    )
    .unwrap();
    let bad = d.join("bad.csv");
    std::fs::write(&bad, "given_name,family_name,phone\nA,B,20123456\nC,D,99\n").unwrap();
    let out = mitid(d, OPEN, &["caller", "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.csv, line 3"), "{out:?}");
    let out = mitid(d, OPEN, &["caller", "import", good.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "imported 2 callers\n");
    let hits = json(&mitid(d, OPEN, &["caller", "search", "mueller", "--json"]));
    assert_eq!(hits[0]["name"], "Jürgen Müller");
    assert!(json(&mitid(d, OPEN, &["caller", "search", "+380 44 123 4567", "--json"])).as_array().unwrap().len() == 1);
    let store = Store::open(&d.join("desk.sqlite")).unwrap();
    assert_eq!(store.caller_count().unwrap(), 2, "the bad file added nobody");
    let unknown = d.join("unknown.csv");
    std::fs::write(&unknown, "name,phone\nA,20123456\n").unwrap();
    let out = mitid(d, OPEN, &["caller", "import", unknown.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown column «name»"));
}

/// Kill a writer with SIGKILL in the middle of its work, again and again;
/// every batch it reported committed is there, nothing half-written is, and
/// the audit chain still verifies.
#[test]
fn kill_minus_nine_loses_nothing_committed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut reported = 0u64;
    for round in 0..5u64 {
        let mut child = Command::new(BIN)
            .args(["--demo", "--clock", OPEN, "--data-dir"])
            .arg(d)
            .arg("--config")
            .arg(d.join("absent.toml"))
            .args(["caller", "generate", "200000", "--seed"])
            .arg(round.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait for "N of 200000 callers made" with N ≥ 10000 × (round + 1),
        // then kill at once, while the next batch is being written.
        let mut stderr = child.stderr.take().unwrap();
        let wanted = 10_000 * (round + 1);
        let mut text = String::new();
        let mut buf = [0u8; 256];
        let committed = loop {
            let n = stderr.read(&mut buf).unwrap();
            assert!(n > 0, "the writer ended early: {text}");
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
            let last = text.rsplit('\r').find_map(|part| part.split(" of ").next()?.trim().parse::<u64>().ok());
            if let Some(done) = last.filter(|done| *done >= wanted) {
                break done;
            }
        };
        child.kill().unwrap();
        child.wait().unwrap();
        reported += committed;
        let store = Store::open(&d.join("desk.sqlite")).unwrap();
        let batches = store
            .audit_entries(&AuditFilter { action_prefix: Some("caller.generate".into()), ..AuditFilter::default() })
            .unwrap()
            .len() as u64;
        let callers = store.caller_count().unwrap();
        assert_eq!(callers, batches * 10_000, "whole batches only");
        assert!(callers >= reported, "round {round}: {callers} callers, {reported} reported committed");
        reported = callers;
        let report = store.verify_audit().unwrap();
        assert_eq!(report.problem, None, "round {round}");
    }
}

#[test]
fn merge_and_delete_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = stdout(&mitid(d, OPEN, &["caller", "add", "--name", "Søren Kierkegaard", "--phone", "20123456"]))
        .trim()
        .to_owned();
    let b = stdout(&mitid(d, OPEN, &["caller", "add", "--name", "Soren Kierkegaard", "--phone", "86123456"]))
        .trim()
        .to_owned();
    let out = mitid(d, OPEN, &["caller", "merge", "--into", &a, "--from", &b]);
    assert!(out.status.success(), "{out:?}");
    let hits = json(&mitid(d, OPEN, &["caller", "search", "86123456", "--json"]));
    assert_eq!(hits[0]["caller_id"].as_i64().unwrap().to_string(), a);
    assert_eq!(mitid(d, OPEN, &["caller", "merge", "--into", &a, "--from", &a]).status.code(), Some(2));
    assert!(mitid(d, OPEN, &["caller", "delete", &a]).status.success());
    assert!(json(&mitid(d, OPEN, &["caller", "search", "kierkegaard", "--json"])).as_array().unwrap().is_empty());
    assert_eq!(mitid(d, OPEN, &["caller", "delete", &a]).status.code(), Some(2), "already gone");
}

/// A caller without a name is refused for that, before the key store or
/// the database is touched: even with no keyring to be had, the answer is
/// about the name, and no database is made.
#[test]
fn bad_input_is_reported_before_the_key_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = Command::new(BIN)
        .args(["--data-dir"])
        .arg(d)
        .arg("--config")
        .arg(d.join("absent.toml"))
        .args(["caller", "add", "--name", "  ", "--json"])
        // No session bus: the Secret Service cannot be reached.
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", d.join("no-bus").display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let v = json(&out);
    assert_eq!(v["error"], "input", "{v}");
    let message = v["message"].as_str().unwrap().to_lowercase();
    assert!(message.contains("name"), "{message}");
    assert!(!message.contains("key"), "the key store came first: {message}");
    assert!(!d.join("desk.sqlite").exists(), "nothing is written for bad input");
}

/// Whoever can write the database can write the whole chain anew — every
/// hash recomputed — and it verifies on its own; the head the desk signed
/// and remembers outside the database shows it. A replaced checkpoint file
/// is caught too.
#[test]
fn a_chain_written_anew_is_caught_by_the_desks_signed_checkpoint() {
    use mitid_core::audit::{GENESIS, entry_hash};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mitid(d, OPEN, &["caller", "add", "--name", "Anna Eriksson"]);
    mitid(d, OPEN, &["caller", "add", "--name", "Jonas Jensen"]);
    let out = mitid(d, OPEN, &["audit", "verify", "--json"]);
    assert_eq!(json(&out)["ok"], true, "{out:?}");
    assert!(d.join("audit-checkpoint.json").exists(), "the desk remembers its signed head");

    // Entry 1 now says someone else did it; the chain is recomputed whole.
    let store = Store::open(&d.join("desk.sqlite")).unwrap();
    let mut entries = store.audit_entries(&AuditFilter::default()).unwrap();
    entries.reverse();
    let mut prev = GENESIS;
    for e in &entries {
        let agent = if e.seq == 1 { "someone-else" } else { e.agent.as_str() };
        let hash = entry_hash(e.seq, e.at, agent, &e.action, &e.subject, &e.verdict, &prev);
        store
            .tamper_for_tests(&format!(
                "UPDATE audit SET agent = '{agent}', prev_hash = X'{}', hash = X'{}' WHERE seq = {}",
                hex::encode(prev),
                hex::encode(hash),
                e.seq
            ))
            .unwrap();
        prev = hash;
    }
    assert!(store.verify_audit().unwrap().problem.is_none(), "the rewritten chain verifies on its own");
    drop(store);
    let out = mitid(d, OPEN, &["audit", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = json(&out);
    assert_eq!((v["ok"].as_bool(), v["problem"]["problem"].as_str()), (Some(false), Some("rewritten")), "{v}");
    // Opening the desk again does not sign over it.
    let again = json(&mitid(d, OPEN, &["audit", "verify", "--json"]));
    assert_eq!(again["problem"]["problem"], "rewritten");

    // A checkpoint file put in its place without the desk's key.
    let fresh = tempfile::tempdir().unwrap();
    let f = fresh.path();
    mitid(f, OPEN, &["caller", "add", "--name", "Anna Eriksson"]);
    assert_eq!(json(&mitid(f, OPEN, &["audit", "verify", "--json"]))["ok"], true);
    let path = f.join("audit-checkpoint.json");
    let mut checkpoint: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    checkpoint["seq"] = serde_json::json!(1);
    checkpoint["head"] = serde_json::json!(hex::encode([7u8; 32]));
    std::fs::write(&path, checkpoint.to_string()).unwrap();
    let v = json(&mitid(f, OPEN, &["audit", "verify", "--json"]));
    assert_eq!(v["problem"]["problem"], "forged_checkpoint", "{v}");
}

#[test]
fn the_commands_work_the_same_on_the_sites_shared_service() {
    let Some(admin) = site::cluster() else { return };
    let db = site::Database::new(&admin);
    let server = site::Server::start(&db, "[clock]\nsimulated = \"2026-11-24T09:00:00Z\"");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("config.toml");
    let ca = site::ca().join("ca.pem");
    std::fs::write(
        &config,
        format!("[server]\nurl = \"{}\"\nca = \"{}\"\n[desk]\nagent = \"agent-cli\"\n", server.url, ca.display()),
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(BIN).arg("--data-dir").arg(d).arg("--config").arg(&config).args(args).output().unwrap()
    };
    let added = json(&run(&["caller", "add", "--name", "Шевченко, Олена", "--phone", "20 12 34 56", "--json"]));
    let id = added["id"].as_i64().unwrap().to_string();
    // The name as the passport's MRZ writes it, on the server's search.
    let hits = json(&run(&["caller", "search", "SHEVCHENKO OLENA", "--json"]));
    assert_eq!(hits[0]["caller_id"].as_i64().unwrap().to_string(), id, "{hits}");
    let issued = json(&run(&["pcode", "issue", "--caller", &id, "--json"]));
    let code = issued["code"].as_str().unwrap().to_owned();
    let out = run(&["pcode", "redeem", &code, "--caller", &id, "--json"]);
    assert_eq!(json(&out)["result"], "accepted");
    // What only the MitID side does on a shared service, a desk is told so.
    let out = run(&["pcode", "complete", "1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("POST /v1/redemptions"), "{out:?}");
    let verify = json(&run(&["audit", "verify", "--json"]));
    assert_eq!(verify["ok"], true, "{verify}");
    assert_eq!(db.sql("SELECT agent FROM audit WHERE action = 'pcode.issue'"), "agent-cli");
    assert_eq!(db.sql("SELECT count(*) FROM caller"), "1", "on the server, not in a local file");
    // Support's hours as the service keeps them, by its (training) clock.
    let hours = json(&run(&["hours", "--json"]));
    assert_eq!((hours["open"].as_bool(), hours["date"].as_str()), (Some(true), Some("2026-11-24")), "{hours}");
    assert!(!d.join("desk.sqlite").exists());

    // A flag instead of the file; an address that is not https is refused.
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(d)
        .args(["--server", "http://127.0.0.1:1", "caller", "search", "x", "--json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("https://"), "{out:?}");
    // The service gone: the command says so and changes nothing.
    drop(server);
    let out = run(&["pcode", "issue", "--caller", &id, "--json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be reached"), "{out:?}");
}

#[test]
fn staff_sign_in_from_the_command_line_and_work_under_their_own_name() {
    // The sign-in lives in the kernel keyring, which needs a session
    // keyring: packaging/test.sh runs the tests in one (and says so).
    if !std::env::var("MITID_TEST_KEYRINGS").unwrap_or_default().contains("kernel") {
        assert!(std::env::var_os("CI").is_none(), "CI must test the real keyrings: set MITID_TEST_KEYRINGS");
        eprintln!("skipped: MITID_TEST_KEYRINGS names no kernel keyring (packaging/test.sh sets it)");
        return;
    }
    let Some(admin) = site::cluster() else { return };
    let Some(provider) = common::TestProvider::start(300) else { return };
    let db = site::Database::new(&admin);
    let identity = provider.server_config();
    let server = site::Server::start(&db, &format!("[clock]\nsimulated = \"2026-11-24T09:00:00Z\"\n{identity}"));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("config.toml");
    let ca = site::ca().join("ca.pem");
    // The sign-in is kept in the kernel keyring (CI tests both keyrings).
    std::fs::write(
        &config,
        format!(
            "[server]\nurl = \"{}\"\nca = \"{}\"\n[desk]\nagent = \"desk-3\"\nkey_store = \"kernel\"\n",
            server.url,
            ca.display()
        ),
    )
    .unwrap();
    let command = |args: &[&str]| {
        let mut command = Command::new(BIN);
        command.arg("--data-dir").arg(d).arg("--config").arg(&config).args(args);
        command
    };
    let run = |args: &[&str]| command(args).output().unwrap();

    // Nobody signed in: told what to do.
    let out = run(&["caller", "search", "anna"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("mitid-assist login"), "{out:?}");

    // `login` prints where to sign in and waits on loopback; a browser
    // (the provider's test script) signs the agent in there.
    let mut login = command(&["login", "--no-browser", "--wait", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = login.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let line = String::from_utf8(line).unwrap();
    let url = line.strip_prefix("sign in at: ").unwrap_or_else(|| panic!("{line}"));
    let browser = Command::new("python3")
        .arg(
            Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
                .join("packaging/oidc/sign-in.py"),
        )
        .args(["--follow", url, "agent"])
        .output()
        .unwrap();
    assert!(browser.status.success(), "{browser:?}");
    let mut said = String::new();
    stdout.read_to_string(&mut said).unwrap();
    let mut complaint = String::new();
    login.stderr.take().unwrap().read_to_string(&mut complaint).unwrap();
    assert!(login.wait().unwrap().success(), "{said}{complaint}");
    assert!(said.contains("signed in as Anna Agent (agent); roles: phone_agent"), "{said}");

    let out = run(&["whoami"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("signed in as Anna Agent"), "{out:?}");
    let added = json(&run(&["caller", "add", "--name", "Olsen, Ida", "--json"]));
    assert!(added["id"].as_i64().is_some(), "{added}");
    assert_eq!(db.sql("SELECT agent FROM audit WHERE action = 'caller.create'"), "agent", "the person, not the desk");

    // Signing out withdraws the sign-in; the next command is told to sign in.
    let out = run(&["logout"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("signed out"), "{out:?}");
    let out = run(&["whoami"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody is signed in"), "{out:?}");
}
