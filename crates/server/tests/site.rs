//! `packaging/site.sh DIR`: a complete local site — its own PostgreSQL
//! cluster, a test CA, the key, the test OpenID provider, the server on a
//! free loopback port — whose desk configuration (the last line printed) a
//! signed-in desk connects with, and where the MitID side redeems with the
//! client certificate the site wrote; `stop` stops it, and starting it
//! again brings back the same site with its data.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod https;
mod support;

use std::path::Path;
use std::process::{Command, Output};

use mitid_core::service::DeskService;
use mitid_remote::RemoteDesk;

fn site(dir: &Path, action: Option<&str>) -> Output {
    let script =
        Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
            .join("../../packaging/site.sh");
    let mut command = Command::new("bash");
    command.arg(script).arg(dir).args(action);
    // The server this test run built, not a release build of its own.
    command.env("MITID_SERVER_BIN", support::server_binary());
    command.output().unwrap()
}

/// Stops the site however the test ends.
struct Running<'a>(&'a Path);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let _ = site(self.0, Some("stop"));
    }
}

/// The site's provider, from its server.toml.
fn issuer(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("server.toml")).unwrap();
    let line = text.lines().find(|l| l.starts_with("issuer = ")).expect("server.toml names its provider");
    line.trim_start_matches("issuer = ").trim_matches('"').to_owned()
}

/// A desk signed in as the site's test agent.
fn desk(dir: &Path, desk_toml: &Path, data: &Path) -> Result<RemoteDesk, mitid_remote::ConnectError> {
    let config = mitid_core::config::Config::load(desk_toml).unwrap();
    let server = config.server.clone().expect("desk.toml names the site's server");
    let script =
        Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
            .join("../../packaging/oidc/sign-in.py");
    let out = Command::new("python3").arg(script).arg(issuer(dir)).arg("agent").output().unwrap();
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let token: std::sync::Arc<dyn mitid_remote::TokenSource> = std::sync::Arc::new(mitid_remote::FixedToken(token));
    RemoteDesk::connect_signed_in(&server, &config.desk.agent_id(), data, Some(token))
}

#[test]
fn a_site_starts_serves_a_desk_stops_and_starts_again_with_its_data() {
    // The site runs PostgreSQL from Debian's packages, as the tests' own
    // cluster does.
    if support::cluster().is_none() {
        return;
    }
    let root = tempfile::Builder::new().prefix("mitid-site").tempdir_in("/tmp").unwrap();
    let dir = root.path().join("site");
    let _running = Running(&dir);
    let out = site(&dir, None);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    let desk_toml = Path::new(said.lines().last().unwrap()).to_owned();
    assert_eq!(desk_toml, dir.join("desk.toml"));
    let server_toml = std::fs::read_to_string(dir.join("server.toml")).unwrap();
    assert!(server_toml.contains("[support]") && server_toml.contains("weekday = \"08:00-20:00\""), "{server_toml}");

    assert!(server_toml.contains("[identity]") && server_toml.contains("[mitid_side]"), "{server_toml}");
    let data = tempfile::tempdir().unwrap();
    let mut connected = desk(&dir, &desk_toml, data.path()).unwrap();
    let details = mitid_core::caller::CallerDetails {
        given_name: "Ærø".into(),
        family_name: "Østergaard".into(),
        ..Default::default()
    };
    let id = connected.add_caller(details).unwrap();
    assert_eq!(connected.session().name.as_deref(), Some("Anna Agent"));
    drop(connected);
    // The MitID side redeems with the certificate the site wrote.
    let side =
        https::client_trusting(&dir.join("tls/ca.pem"), &dir.join("mitid-side.crt"), &dir.join("mitid-side.key"));
    let port = std::fs::read_to_string(dir.join("port")).unwrap();
    let entry = serde_json::json!({"code": "12345678", "attempt_id": "site-1", "holder": {"issuing_state": "DNK",
        "document_number": "X1", "date_of_birth": "1980-01-01", "surname": "BERG", "given_names": "ANNA", "nationality": "DNK"}});
    let answer: serde_json::Value = side
        .post(format!("https://127.0.0.1:{}/v1/redemptions", port.trim()))
        .json(&entry)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["result"], "no_code", "{answer}");

    let out = site(&dir, Some("stop"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(desk(&dir, &desk_toml, data.path()).is_err(), "a stopped site answers nothing");

    let out = site(&dir, None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = desk(&dir, &desk_toml, data.path()).unwrap();
    assert_eq!(again.search("oestergaard", 5).unwrap().first().map(|h| h.caller_id), Some(id));
    let out = site(&dir, Some("stop"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("stopped the site"), "{out:?}");
}
