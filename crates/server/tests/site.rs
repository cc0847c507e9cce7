//! `packaging/site.sh DIR`: a complete local site — its own PostgreSQL
//! cluster, a test CA, the key, the server on a free loopback port — whose
//! desk configuration (the last line printed) a desk connects with; `stop`
//! stops it, and starting it again brings back the same site with its data.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod support;

use std::path::Path;
use std::process::{Command, Output};

use mitid_core::service::DeskService;
use mitid_remote::RemoteDesk;

fn site(dir: &Path, action: Option<&str>) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/site.sh");
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

fn desk(desk_toml: &Path, data: &Path) -> Result<RemoteDesk, mitid_remote::ConnectError> {
    let config = mitid_core::config::Config::load(desk_toml).unwrap();
    let server = config.server.clone().expect("desk.toml names the site's server");
    RemoteDesk::connect(&server, &config.desk.agent_id(), data)
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

    let data = tempfile::tempdir().unwrap();
    let mut connected = desk(&desk_toml, data.path()).unwrap();
    let details = mitid_core::caller::CallerDetails {
        given_name: "Ærø".into(),
        family_name: "Østergaard".into(),
        ..Default::default()
    };
    let id = connected.add_caller(details).unwrap();
    assert_eq!(connected.agent(), "site-desk-1");
    drop(connected);

    let out = site(&dir, Some("stop"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(desk(&desk_toml, data.path()).is_err(), "a stopped site answers nothing");

    let out = site(&dir, None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = desk(&desk_toml, data.path()).unwrap();
    assert_eq!(again.search("oestergaard", 5).unwrap().first().map(|h| h.caller_id), Some(id));
    let out = site(&dir, Some("stop"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("stopped the site"), "{out:?}");
}
