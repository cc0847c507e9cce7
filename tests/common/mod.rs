//! What the UI tests share: the embedded fonts, one language at a time, a
//! real desk in a scratch folder on a simulated clock.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses part of it

use std::sync::{Arc, Mutex, MutexGuard};

use iced_test::core::Settings;
use jiff::Timestamp;
use mitid_core::SimulatedClock;
use mitid_core::config::Language;
use mitid_core::desk::{Desk, DeskConfig};
use mitid_core::keys::KeyStore;
use mitid_core::support_hours::{COPENHAGEN, SupportHours};

/// The texts live in one process-wide loader: one test at a time may use them.
static LANGUAGE: Mutex<()> = Mutex::new(());

/// Holds the texts in English until dropped.
pub fn serial() -> MutexGuard<'static, ()> {
    let guard = LANGUAGE.lock().unwrap_or_else(|p| p.into_inner());
    mitid_assist::i18n::set_language(Language::En);
    guard
}

/// Copenhagen wall time → instant.
pub fn local(s: &str) -> Timestamp {
    COPENHAGEN.to_timestamp(s.parse().unwrap()).unwrap()
}

/// Simulator settings with the app's fonts.
pub fn settings() -> Settings {
    Settings {
        fonts: mitid_assist::theme::FONT_FILES.iter().map(|f| std::borrow::Cow::Borrowed(*f)).collect(),
        default_font: mitid_assist::theme::REGULAR,
        ..Settings::default()
    }
}

/// A desk on a real SQLite file, its key in a file, its clock at `at`.
pub fn desk(dir: &std::path::Path, at: &str) -> (Desk, Arc<SimulatedClock>) {
    let clock = Arc::new(SimulatedClock::starting_at(local(at)));
    let key = KeyStore::DemoFile(dir.join("key"));
    let desk = Desk::open(dir, &key, SupportHours::default(), clock.clone(), &DeskConfig::default()).unwrap();
    (desk, clock)
}

/// `../shared/testdata/<path>` beside the clone, or `None` (saying so)
/// where ../shared is absent; CI always has it.
pub fn shared(path: &str) -> Option<std::path::PathBuf> {
    let full = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../shared/testdata")
    .join(path);
    if full.exists() {
        return Some(full);
    }
    assert!(std::env::var_os("CI").is_none(), "CI runs with ../shared beside the clone: {} is missing", full.display());
    eprintln!("skipped: {} is absent (the shared test data sits beside the clone)", full.display());
    None
}

/// The face models' folder once the set-up has fetched both (each checked
/// by its hash); `None`, with a message, where it has not — which CI
/// never allows.
pub fn face_models() -> Option<std::path::PathBuf> {
    use mitid_face::models::{SFACE, YUNET, default_dir, read_verified};
    let dir = default_dir();
    match read_verified(&dir, YUNET).and_then(|_| read_verified(&dir, SFACE)) {
        Ok(_) => Some(dir),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: {e} (packaging/test.sh fetches the face models)");
            None
        }
        Err(e) => panic!("CI fetches the face models: {e}"),
    }
}

/// A demo-mode read from `source` with `secret`, on 2026-11-24 at noon UTC.
pub fn demo_request(
    source: mitid_assist::chip_read::Source,
    secret: mitid_emrtd::session::Secret,
    cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> mitid_assist::chip_read::Request {
    mitid_assist::chip_read::Request {
        source,
        secret,
        desk: None,
        demo: true,
        devices: Default::default(),
        now: mitid_emrtd::pki::x509::Time::new(2026, 11, 24, 12, 0, 0).unwrap_or_default(),
        cancel,
    }
}

/// The demo passport, read with its CAN as the counter does: the read's
/// last report.
pub fn demo_read() -> mitid_assist::chip_read::Report {
    use mitid_assist::chip_read::{self, Source, Specimen};
    let secret = mitid_emrtd::session::Secret::Can("123456".into());
    let request = demo_request(Source::Demo(Specimen::Passport), secret, Default::default());
    chip_read::read_now(request).pop().expect("the end of the read")
}

/// The user-space V4L2 camera of the tests (tests/support/fake_v4l.c),
/// built once a test binary with the C compiler the -sys crates use; run a
/// program with it in `LD_PRELOAD`.
pub fn fake_camera() -> &'static std::path::Path {
    static SHIM: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    SHIM.get_or_init(|| {
        let source = std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("tests/support/fake_v4l.c");
        // One file a test binary: two binaries never write the same one.
        let binary = std::env::current_exe().unwrap();
        let name = format!("fake_v4l_{}.so", binary.file_stem().unwrap().to_string_lossy());
        let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
        let status = std::process::Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o"])
            .arg(&out)
            .arg(&source)
            .arg("-ldl")
            .status()
            .expect("a C compiler (cc) builds the fake camera");
        assert!(status.success(), "the fake camera does not compile");
        out
    })
}

/// The test OpenID provider (`packaging/oidc.sh`), its access tokens valid
/// for `ttl` seconds; stopped when dropped.
pub struct TestProvider {
    dir: tempfile::TempDir,
    /// Its issuer URL.
    pub issuer: String,
}

impl TestProvider {
    /// Starts one, or `None` (saying why) where Node is absent; CI has it.
    pub fn start(ttl: u32) -> Option<Self> {
        use std::process::Command;
        if !Command::new("sh").args(["-c", "command -v node"]).output().unwrap().status.success() {
            assert!(std::env::var_os("CI").is_none(), "CI has Node for the test OpenID provider");
            eprintln!("skipped: no Node for the test OpenID provider");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let script = std::path::Path::new(
            &std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("packaging/oidc.sh");
        let out = Command::new("bash")
            .arg(script)
            .arg("start")
            .arg(dir.path())
            .env("MITID_OIDC_ACCESS_TTL", ttl.to_string())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let issuer = String::from_utf8_lossy(&out.stdout).lines().last().unwrap().trim().to_owned();
        Some(Self { dir, issuer })
    }

    /// Plays the browser of a sign-in begun at `url`, as `user`.
    pub fn follow(url: &str, user: &str) -> std::process::Output {
        std::process::Command::new("python3")
            .arg(
                std::path::Path::new(
                    &std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
                )
                .join("packaging/oidc/sign-in.py"),
            )
            .args(["--follow", url, user])
            .output()
            .unwrap()
    }

    /// Withdraws `user`'s account at the provider: no token is refreshed
    /// for them from now on.
    pub fn disable(&self, user: &str) {
        let out = std::process::Command::new("curl")
            .args(["-sf", "-X", "POST", &format!("{}/test/disable/{user}", self.issuer)])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }

    /// The `[identity]` tables of a server taking its sign-ins.
    pub fn server_config(&self) -> String {
        format!(
            "[identity]\nissuer = \"{}\"\naudience = \"mitid-assist\"\nresource = \"https://mitid-assist\"\n\
             [identity.groups]\nmitid-phone-agents = \"phone_agent\"\nmitid-auditors = \"auditor\"\n",
            self.issuer
        )
    }
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let script = std::path::Path::new(
            &std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("packaging/oidc.sh");
        let _ = std::process::Command::new("bash").arg(script).arg("stop").arg(self.dir.path()).status();
    }
}

/// Whether the kernel keyring may be used (packaging/test.sh runs the
/// tests in a session keyring, and says so); `false`, saying so, else.
pub fn kernel_keyring() -> bool {
    if std::env::var("MITID_TEST_KEYRINGS").unwrap_or_default().contains("kernel") {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "CI must test the real keyrings: set MITID_TEST_KEYRINGS");
    eprintln!("skipped: MITID_TEST_KEYRINGS names no kernel keyring (packaging/test.sh sets it)");
    false
}
