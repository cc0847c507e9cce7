//! End to end through the real PC/SC stack: pcscd with the vsmartcard vpcd
//! driver, our simulated chip serving the BSI 2008 reference files behind
//! it (`chip sim --vpcd`), and `chip read` reading them through libpcsclite
//! — PACE with the MRZ and with the CAN, AES secure messaging, every file,
//! every hash against the SOD.
//! packaging/test.sh installs pcscd and vsmartcard-vpcd. Every wait is for
//! a line the programs print, with a deadline.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_mitid-assist");
const READER: &str = "Virtual PCD 00 00";

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn lines(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for(rx: &Receiver<String>, needle: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

/// Starts `chip sim` on a vpcd port with the LDS of `lds` (a generated
/// document when `None`) and waits until
/// it is ready; the chip stops when the returned guard drops. Its log stays
/// drained (the receiver is returned) so it can keep writing to stderr.
fn start_sim(lds: Option<&std::path::Path>, port: &str, extra: &[&str]) -> (Proc, Receiver<String>) {
    let mut sim = Command::new(BIN);
    sim.args(["chip", "sim", "--vpcd", &format!("127.0.0.1:{port}")]).args(extra);
    if let Some(lds) = lds {
        sim.arg("--lds-dir").arg(lds);
    }
    let mut sim = sim.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let sim_lines = lines(sim.stderr.take().unwrap());
    let sim = Proc(sim);
    assert!(wait_for(&sim_lines, "simulated chip ready"), "chip sim on {port} did not start");
    (sim, sim_lines)
}

/// `chip read --json --can` on a reader.
fn read_with_can(reader: &str, can: &str) -> std::process::Output {
    Command::new(BIN).args(["chip", "read", "--reader", reader, "--json", "--can", can]).output().unwrap()
}

/// `chip read --json --can 123456` on the second slot with its own data
/// folder, against the trust material `trust` (the store when `None`);
/// the read must succeed.
fn read_checked(data: &std::path::Path, trust: Option<&std::path::Path>) -> serde_json::Value {
    let mut read = Command::new(BIN);
    read.arg("--data-dir").arg(data).args([
        "chip",
        "read",
        "--reader",
        "Virtual PCD 00 01",
        "--json",
        "--can",
        "123456",
    ]);
    if let Some(trust) = trust {
        read.arg("--trust").arg(trust);
    }
    let out = read.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn read_the_simulated_chip_through_pcscd_and_vpcd() {
    let Some(lds) = common::shared("lds/bsi2008") else { return };
    let found = Command::new("sh").args(["-c", "command -v pcscd"]).output().unwrap();
    assert!(found.status.success(), "pcscd is not installed: packaging/test.sh installs pcscd and vsmartcard-vpcd");

    // Our own pcscd in the foreground; where one already runs (a developer's
    // desktop), that one is used.
    // (pcscd logs to stdout in the foreground.)
    let mut pcscd = Command::new("pcscd")
        .args(["--foreground", "--debug"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pcscd_lines = lines(pcscd.stdout.take().unwrap());
    let _pcscd = Proc(pcscd);
    let ready = wait_for(&pcscd_lines, "daemon ready");
    if !ready {
        eprintln!("pcscd did not start (another one may be running): using the running one");
    }

    // `chip watch` follows the readers as the app's reader picker does:
    // both slots empty, then a document placed on the first.
    let mut watch =
        Command::new(BIN).args(["chip", "watch"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let watch_lines = lines(watch.stdout.take().unwrap());
    let _watch = Proc(watch);
    assert!(wait_for(&watch_lines, "Virtual PCD 00 00 (empty)"), "chip watch did not list the readers");

    let _sim = start_sim(Some(&lds), "35963", &[]);
    if ready {
        assert!(wait_for(&pcscd_lines, "Card inserted"), "pcscd never saw the simulated card");
    }
    assert!(wait_for(&watch_lines, "Virtual PCD 00 00 (document)"), "chip watch did not see the document placed");

    // The MRZ that opens the chip, from the reference DG1.
    let dg1 = std::fs::read(lds.join("Datagroup1.bin")).unwrap();
    let mrz = mitid_emrtd::lds::parse_dg1(&dg1).unwrap();
    let key = mrz.access_key();

    let read = |extra: &[&str]| {
        Command::new(BIN)
            .args([
                "chip",
                "read",
                "--reader",
                READER,
                "--json",
                "--doc",
                &key.document_number,
                "--dob",
                &key.birth_date,
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    // A wrong date of expiry: access denied, its own exit code.
    let wrong = read(&["--expiry", "991231"]);
    assert_eq!(wrong.status.code(), Some(4), "{wrong:?}");
    let v: serde_json::Value = serde_json::from_slice(&wrong.stdout).unwrap();
    assert_eq!(v["error"], "access_denied");

    let out = tempfile::tempdir().unwrap();
    let ok = read(&["--expiry", &key.expiry_date, "--out", out.path().to_str().unwrap()]);
    assert!(ok.status.success(), "{ok:?}");
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    // The simulated chip offers PACE (EF.CardAccess), so PACE it is.
    assert_eq!(v["access"], "PACE");
    assert_eq!(v["cipher"], "AES-128");
    assert_eq!(v["hashes_match"], true);
    assert_eq!(v["dg1"]["primary_name"], "MUSTERMANN");
    let files: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["EF_COM", "EF_SOD", "DG1", "DG2", "DG14"]);
    assert_eq!(v["skipped_eac"], serde_json::json!(["DG3"]));
    // What DG14 offers: Chip Authentication and its key.
    assert!(
        v["dg14_offers"].as_array().unwrap().iter().any(|o| o.as_str().unwrap().starts_with("CA")),
        "{}",
        v["dg14_offers"]
    );
    // The face, decoded from JPEG 2000 and written as PNG.
    assert_eq!(v["dg2"]["format"], "Jp2");
    assert!(v["dg2"]["width"].as_u64().unwrap() >= 100, "{}", v["dg2"]);
    assert!(std::fs::read(out.path().join("face.png")).unwrap().starts_with(b"\x89PNG"));
    // Files written exactly as read.
    for (written, original) in
        [("DG2.bin", "Datagroup2.bin"), ("EF_SOD.bin", "EF_SOD.bin"), ("DG1.bin", "Datagroup1.bin")]
    {
        assert_eq!(
            std::fs::read(out.path().join(written)).unwrap(),
            std::fs::read(lds.join(original)).unwrap(),
            "{written}"
        );
    }
    eprintln!("read through pcscd+vpcd: {}", v["totals"]);

    // With the CAN instead of the MRZ; a wrong CAN is refused.
    let ok = read_with_can(READER, "123456");
    assert!(ok.status.success(), "{ok:?}");
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!((v["access"].as_str(), v["hashes_match"].as_bool()), (Some("PACE"), Some(true)));
    assert_eq!(read_with_can(READER, "654321").status.code(), Some(4));

    // An older chip on the second slot: PACE with 3DES on NIST P-256. The
    // reader takes the cipher EF.CardAccess offers.
    let old = start_sim(Some(&lds), "35964", &["--cipher", "3des", "--parameter-id", "12"]);
    if ready {
        assert!(wait_for(&pcscd_lines, "Card inserted"), "pcscd never saw the second card");
    }
    let ok = read_with_can("Virtual PCD 00 01", "123456");
    assert!(ok.status.success(), "{ok:?}");
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!((v["access"].as_str(), v["cipher"].as_str()), (Some("PACE"), Some("3DES")));
    assert_eq!(v["hashes_match"], true);
    drop(old);
    // Taken away: the watch says so, without being asked.
    assert!(
        wait_for(&watch_lines, "Virtual PCD 00 00 (document), Virtual PCD 00 01 (empty)"),
        "chip watch did not see the second document taken away"
    );

    // In its place, a document the simulator generates — the face from a
    // PNG, every data group, a signed SOD — behind PACE-DH on the 1024-bit
    // MODP group.
    let png = out.path().join("face.png");
    let generated = start_sim(None, "35964", &["--parameter-id", "0", "--face", png.to_str().unwrap()]);
    if ready {
        assert!(wait_for(&pcscd_lines, "Card inserted"), "pcscd never saw the generated document");
    }
    // Checked against the simulator's CSCA (exported as `trust import`
    // takes it): passive authentication passes, the chip proves DG15's and
    // DG14's keys (Active and Chip Authentication), so the chip is genuine.
    let csca = out.path().join("sim-csca.der");
    let exported = Command::new(BIN).args(["chip", "sim", "--export-csca"]).arg(&csca).output().unwrap();
    assert!(exported.status.success(), "{exported:?}");
    let data = tempfile::tempdir().unwrap();
    let v = read_checked(data.path(), Some(&csca));
    assert_eq!(v["passive_authentication"]["passed"], true, "{}", v["passive_authentication"]);
    assert_eq!(v["active_authentication"]["result"], "passed", "{}", v["active_authentication"]);
    assert_eq!(v["chip_authentication"]["result"], "passed", "{}", v["chip_authentication"]);
    assert_eq!(v["verdict"], "genuine", "{}", v["verdict_reason"]);
    assert_eq!(v["document_valid"], true);
    // With an empty trust store the same document is not verified, and the
    // reason names the missing CSCA.
    let v = read_checked(data.path(), None);
    assert_eq!(v["verdict"], "not_verified");
    assert!(v["verdict_reason"].as_str().unwrap().contains("no trusted CSCA of UT"), "{}", v["verdict_reason"]);
    assert_eq!(v["access"], "PACE");
    assert_eq!(v["curve"], "1024-bit MODP, 160-bit subgroup");
    assert_eq!(v["hashes_match"], true);
    assert_eq!(v["dg1"]["primary_name"], "ERIKSSON");
    let files: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["EF_COM", "EF_SOD", "DG1", "DG2", "DG11", "DG12", "DG14", "DG15"]);
    assert_eq!(v["dg2"]["format"], "Jpeg");
    drop(generated);

    // PACE with Chip Authentication Mapping: the chip proves DG14's key
    // inside PACE.
    {
        let _cam = start_sim(None, "35964", &["--mapping", "cam"]);
        if ready {
            assert!(wait_for(&pcscd_lines, "Card inserted"), "pcscd never saw the PACE-CAM document");
        }
        let v = read_checked(data.path(), Some(&csca));
        assert_eq!((v["mapping"].as_str(), v["curve"].as_str()), (Some("CAM"), Some("NIST P-256")));
        assert_eq!(v["pace_cam"]["result"], "passed", "{}", v["pace_cam"]);
        assert_eq!(v["verdict"], "genuine", "{}", v["verdict_reason"]);
    }

    // PACE with integrated mapping, as some new ID cards offer alone.
    {
        let _im = start_sim(None, "35964", &["--mapping", "im"]);
        if ready {
            assert!(wait_for(&pcscd_lines, "Card inserted"), "pcscd never saw the PACE-IM document");
        }
        let v = read_checked(data.path(), None);
        assert_eq!((v["mapping"].as_str(), v["hashes_match"].as_bool()), (Some("IM"), Some(true)));
    }

    // A clone (the genuine data, its own key) and an altered DG1: both read
    // fine and both are not verified, each for its reason.
    for (scenario, reason) in [("clone", "chip authentication failed"), ("altered-dg1", "DG1 differ")] {
        let _chip = start_sim(None, "35964", &["--scenario", scenario]);
        if ready {
            assert!(wait_for(&pcscd_lines, "Card inserted"), "pcscd never saw the {scenario} document");
        }
        let v = read_checked(data.path(), Some(&csca));
        assert_eq!(v["verdict"], "not_verified", "{scenario}");
        assert!(v["verdict_reason"].as_str().unwrap().contains(reason), "{scenario}: {}", v["verdict_reason"]);
    }
}
