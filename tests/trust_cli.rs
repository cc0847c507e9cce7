//! `trust import` and `trust list` through the real binary, on the real
//! German and Dutch CSCA master lists and on the simulator's CSCA.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::process::Command;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_mitid-assist");

/// The desk in `data` (in demo mode, so its P-code key is a file there,
/// not in the machine's keyring: imports are audited in its log).
fn run(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN).arg("--demo").arg("--data-dir").arg(data).args(args).output().unwrap()
}

#[test]
fn master_lists_and_a_single_csca_import_and_list() {
    let Some(dir) = common::shared("masterlists") else { return };
    let data = tempfile::tempdir().unwrap();
    let de = dir.join("DE_ML_2026-05-28.ml");
    let out = run(data.path(), &["trust", "import", de.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "master list");
    assert!(v["added"].as_u64().unwrap() >= 500, "{v}");
    assert!(v["signed_by"].as_str().unwrap().contains("csca-germany"), "{v}");
    eprintln!("DE master list imported in {} ms", v["ms"]);

    let nl = dir.join("NL_ML_2026-07-22.ml");
    let out = run(data.path(), &["trust", "import", nl.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("signed by"), "{out:?}");

    // The simulator's CSCA, exported and imported.
    let csca = data.path().join("sim.der");
    assert!(run(data.path(), &["chip", "sim", "--export-csca", csca.to_str().unwrap()]).status.success());
    let out = run(data.path(), &["trust", "import", csca.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["kind"].as_str(), v["added"].as_u64()), (Some("certificate"), Some(1)));

    // And as a master list: it verifies, and the CSCA in it is already there.
    let ml = data.path().join("sim.ml");
    assert!(run(data.path(), &["chip", "sim", "--export-master-list", ml.to_str().unwrap()]).status.success());
    let out = run(data.path(), &["trust", "import", ml.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["kind"].as_str(), v["added"].as_u64(), v["already"].as_u64()),
        (Some("master list"), Some(0), Some(1))
    );

    let out = run(data.path(), &["trust", "list", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let countries = v["countries"].as_object().unwrap();
    for c in ["DE", "NL", "DK", "UT"] {
        assert!(countries.contains_key(c), "{c} missing from {:?}", countries.keys().collect::<Vec<_>>());
    }
    assert!(countries.len() > 100);

    // Something that is not trust material: a clear message, exit 2, and
    // the store unchanged.
    let junk = data.path().join("junk.ml");
    std::fs::write(&junk, b"not a master list").unwrap();
    let out = run(data.path(), &["trust", "import", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a master list"), "{out:?}");
    let after = run(data.path(), &["trust", "list", "--json"]);
    assert_eq!(after.stdout, run(data.path(), &["trust", "list", "--json"]).stdout);
}
