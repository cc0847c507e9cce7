//! The command line, through the real binary.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    run_in(tempfile::tempdir().unwrap().path(), args)
}

/// As [`run`], on the data folder `data`.
fn run_in(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mitid-assist"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .arg("--config")
        .arg(data.join("absent.toml"))
        .env_remove("MITID_ASSIST_LOG")
        .output()
        .unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    assert_eq!(text.trim_end().lines().count(), 1, "exactly one JSON document: {text}");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn holidays_json() {
    let v = json(&run(&["holidays", "2026", "--json"]));
    let expected = serde_json::json!([
        {"date": "2026-01-01", "name": "Nytårsdag"},
        {"date": "2026-04-02", "name": "Skærtorsdag"},
        {"date": "2026-04-03", "name": "Langfredag"},
        {"date": "2026-04-05", "name": "Påskedag"},
        {"date": "2026-04-06", "name": "2. påskedag"},
        {"date": "2026-05-14", "name": "Kristi himmelfartsdag"},
        {"date": "2026-05-24", "name": "Pinsedag"},
        {"date": "2026-05-25", "name": "2. pinsedag"},
        {"date": "2026-12-25", "name": "Juledag"},
        {"date": "2026-12-26", "name": "2. juledag"},
    ]);
    assert_eq!(v, expected);
}

#[test]
fn holidays_refuses_a_bad_year() {
    for year in ["1200", "twenty", "99999"] {
        let out = run(&["holidays", year]);
        assert_eq!(out.status.code(), Some(2), "{year}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn hours_json_at_an_instant() {
    let v = json(&run(&["hours", "--at", "2026-11-27T19:59:59+01:00", "--json"]));
    assert_eq!(v["open"], true);
    assert_eq!(v["day_kind"], "weekday");
    assert_eq!(
        v["window"],
        serde_json::json!({"start": "2026-11-27T08:00:00+01:00", "end": "2026-11-27T20:00:00+01:00"})
    );
    assert_eq!(v["next_change"], "2026-11-27T20:00:00+01:00");
    // A closed weekend night: the next change is Saturday's opening.
    let v = json(&run(&["hours", "--at", "2026-11-27T20:00:00+01:00", "--json"]));
    assert_eq!(v["open"], false);
    assert_eq!(v["next_change"], "2026-11-28T10:00:00+01:00");
    let v = json(&run(&["hours", "--at", "2026-12-31T09:00:00Z", "--json"]));
    assert_eq!((v["open"].as_bool(), v["day_kind"].as_str()), (Some(true), Some("dec31")));
}

#[test]
fn hours_uses_the_demo_clock_only_in_demo_mode() {
    let v = json(&run(&["--demo", "--clock", "2027-03-28T09:59:00+02:00", "hours", "--json"]));
    assert_eq!(v["open"], false);
    assert_eq!(v["day_kind"], "holiday");
    assert_eq!(v["holiday"], "Påskedag");
    assert_eq!(v["next_change"], "2027-03-28T10:00:00+02:00");
    let out = run(&["--clock", "2027-03-28T09:59:00+02:00", "hours"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--demo"));
}

#[test]
fn hours_text_reads_well() {
    let out = run(&["hours", "--at", "2026-12-24T12:00:00+01:00"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("MitID Support is OPEN at 2026-12-24 12:00:00"), "{text}");
    assert!(text.contains("Hours that day: 10:00-14:00"), "{text}");
    assert!(text.contains("Closes Thursday 2026-12-24 14:00"), "{text}");
}

#[test]
fn a_broken_config_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[support]\nweekend = \"10-16\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mitid-assist"))
        .args(["hours", "--json", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // With --json the error is the one JSON document on stdout, too.
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"], "config");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.toml") && err.contains("10-16") && err.contains("HH:MM-HH:MM"), "{err}");
}

#[test]
fn configured_hours_apply() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[support]\nconstitution_day_is_holiday = true\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mitid-assist"))
        .args(["holidays", "2026", "--json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let v = json(&out);
    assert!(v.as_array().unwrap().contains(&serde_json::json!({"date": "2026-06-05", "name": "Grundlovsdag"})));
}

#[test]
fn version_and_no_display() {
    let out = run(&["--version"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), format!("mitid-assist {}", env!("CARGO_PKG_VERSION")));
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mitid-assist"))
        .args(["--demo", "--data-dir"])
        .arg(data.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("no display"), "{err}");
}

#[test]
fn lessons_are_listed_and_a_broken_one_is_refused_with_its_line() {
    let data = tempfile::tempdir().unwrap();
    let lessons = data.path().join("lessons");
    std::fs::create_dir_all(&lessons).unwrap();
    let good = "[lesson]\nid = \"own\"\ntitle = { en = \"My lesson\", da = \"Min lektion\" }\n\
                goal = { en = \"Learn\", da = \"Lær\" }\n[clock]\nstart = \"2026-11-24T10:00:00+01:00\"\n";
    std::fs::write(lessons.join("own.toml"), good).unwrap();
    let broken = good.replace("[clock]", "[[faults]]\nkind = \"meteor\"\nafter = \"1m\"\n[clock]");
    std::fs::write(lessons.join("broken.toml"), &broken).unwrap();
    let mitid = |args: &[&str]| run_in(data.path(), args);
    let listed = json(&mitid(&["lesson", "list", "--json"]));
    let rows = listed.as_array().unwrap();
    assert!(rows.iter().filter(|r| r["source"] == "shipped").count() >= 8, "{listed}");
    assert!(rows.iter().any(|r| r["id"] == "late-call" && r["title"] == "A call at 19:58"));
    let own = rows.iter().find(|r| r["id"] == "own").unwrap();
    assert_eq!(own["problems"].as_array().unwrap().len(), 0);
    let refused = rows.iter().find(|r| r["id"] == "broken").unwrap();
    assert_eq!(refused["problems"][0]["line"], 6, "{refused}");

    let out = mitid(&["lesson", "check", lessons.join("broken.toml").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("broken.toml:6:") && said.contains("meteor"), "{said}");
    let out = mitid(&["lesson", "check", lessons.join("own.toml").to_str().unwrap(), "--json"]);
    assert_eq!(json(&out), serde_json::json!({"ok": true, "problems": []}));

    // A lesson's own document is checked with the photo it names.
    let card = format!("reader = \"own\"\n{good}")
        + "[document]\nmrz = \"\"\"\nIDD<<T220001293<<<<<<<<<<<<<<<\n8503127M3101012D<<<<<<<<<<<<<4\n\
           MUELLER<<JUERGEN<<<<<<<<<<<<<<\n\"\"\"\nphoto = \"missing.jpg\"\n";
    std::fs::write(lessons.join("card.toml"), &card).unwrap();
    let out = mitid(&["lesson", "check", lessons.join("card.toml").to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let said: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(said["problems"][0]["line"], 14, "{said}");
    assert!(said["problems"][0]["reason"].as_str().unwrap().starts_with("missing.jpg cannot be read"), "{said}");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/chip-person-a.jpg"), lessons.join("missing.jpg"))
        .unwrap();
    let out = mitid(&["lesson", "check", lessons.join("card.toml").to_str().unwrap(), "--json"]);
    assert_eq!(json(&out), serde_json::json!({"ok": true, "problems": []}));
}
