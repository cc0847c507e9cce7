//! A real site for the tests: a database of the test's own on the
//! PostgreSQL cluster `MITID_TEST_PG` names (`packaging/test.sh` starts
//! one), a test CA, and `mitid-assist-server` instances on loopback ports.

#![allow(dead_code, clippy::unwrap_used)] // each test uses some; a panic is the failure report

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The cluster's connection string, or `None` (with why) when the tests
/// that need one cannot run here. Under CI they must.
pub fn cluster() -> Option<String> {
    match std::env::var("MITID_TEST_PG") {
        Ok(conninfo) if !conninfo.is_empty() => Some(conninfo),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "MITID_TEST_PG is not set: packaging/test.sh starts a PostgreSQL cluster for these tests"
            );
            eprintln!("skipped: no PostgreSQL cluster (MITID_TEST_PG); `bash packaging/test.sh` starts one");
            None
        }
    }
}

/// The clone: the first folder up from the crate's that holds `packaging/`.
pub fn repo() -> PathBuf {
    let crate_dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()));
    let crate_dir = crate_dir.as_path();
    crate_dir.ancestors().find(|dir| dir.join("packaging/test-ca.sh").exists()).unwrap().to_owned()
}

/// `../shared/testdata/<path>` beside the clone, or `None` (saying so)
/// where ../shared is absent; CI always has it.
pub fn shared(path: &str) -> Option<PathBuf> {
    let full = repo().join("../shared/testdata").join(path);
    if full.exists() {
        return Some(full);
    }
    assert!(std::env::var_os("CI").is_none(), "CI runs with ../shared beside the clone: {} is missing", full.display());
    eprintln!("skipped: {} is absent (the shared test data sits beside the clone)", full.display());
    None
}

/// The test CA (made once per test binary): (folder with ca.pem,
/// server.pem, server.key).
pub fn ca() -> &'static Path {
    static CA: OnceLock<tempfile::TempDir> = OnceLock::new();
    CA.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("bash").arg(repo().join("packaging/test-ca.sh")).arg(dir.path()).status().unwrap();
        assert!(status.success(), "packaging/test-ca.sh failed");
        dir
    })
    .path()
}

fn psql(conninfo: &str, sql: &str) -> String {
    let out = Command::new("psql").args([conninfo, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql]).output().unwrap();
    assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A database of the test's own, dropped with it.
pub struct Database {
    admin: String,
    name: String,
    /// Its connection string.
    pub conninfo: String,
}

impl Database {
    /// A new, empty database on the cluster.
    pub fn new(admin: &str) -> Self {
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).unwrap();
        let name = format!("t_{}", hex::encode(bytes));
        psql(admin, &format!("CREATE DATABASE {name}"));
        let conninfo = admin.split_whitespace().filter(|p| !p.starts_with("dbname=")).collect::<Vec<_>>().join(" ");
        Self { admin: admin.to_owned(), conninfo: format!("{conninfo} dbname={name}"), name }
    }

    /// Runs SQL in it, returning what it printed.
    pub fn sql(&self, sql: &str) -> String {
        psql(&self.conninfo, sql)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([&self.admin, "-XAtq", "-c", &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)])
            .output();
    }
}

/// A running server.
pub struct Server {
    child: Child,
    /// `https://127.0.0.1:PORT`
    pub url: String,
    /// Its folder: server.toml, the key, the log.
    pub dir: tempfile::TempDir,
}

/// The P-code key every test server shares unless told otherwise.
pub const KEY: &str = "7777777777777777777777777777777777777777777777777777777777777777";

impl Server {
    /// Starts a server on `db` with `extra` lines of configuration (TOML,
    /// at the top level or as whole tables).
    pub fn start(db: &Database, extra: &str) -> Self {
        Self::start_with_key(db, extra, KEY)
    }

    /// As [`Self::start`], on `listen` (`127.0.0.1:PORT`).
    pub fn start_at(db: &Database, extra: &str, listen: &str) -> Self {
        Self::start_full(db, extra, KEY, listen)
    }

    /// As [`Self::start`], with its own P-code key.
    pub fn start_with_key(db: &Database, extra: &str, key: &str) -> Self {
        Self::start_full(db, extra, key, "127.0.0.1:0")
    }

    /// As [`Self::start`], with these arguments before the configuration
    /// (`--demo`, `--lesson ID`).
    pub fn start_args(db: &Database, extra: &str, args: &[&str]) -> Self {
        Self::start_all(db, extra, KEY, "127.0.0.1:0", args)
    }

    /// As [`Self::start`], with `database` lines added to its `[database]`.
    pub fn start_database(db: &Database, extra: &str, database: &str) -> Self {
        Self::start_all(db, &format!("{extra}\n[database]\n{database}"), KEY, "127.0.0.1:0", &[])
    }

    fn start_full(db: &Database, extra: &str, key: &str, listen: &str) -> Self {
        Self::start_all(db, extra, key, listen, &[])
    }

    fn start_all(db: &Database, extra: &str, key: &str, listen: &str, args: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pcode.key"), key).unwrap();
        let ca = ca();
        let (top, tables) = match extra.find('[') {
            Some(at) => extra.split_at(at),
            None => (extra, ""),
        };
        // Lines of `[database]` in `extra` go into the one written here.
        let (tables, database) = match tables.split_once("[database]\n") {
            Some((before, lines)) => (before, lines),
            None => (tables, ""),
        };
        let config = format!(
            "listen = \"{listen}\"\npcode_key = \"pcode.key\"\nlog_level = \"info\"\n{top}\n\
             [database]\nurl = \"{}\"\npool_size = 16\n{database}\n[tls]\ncert = \"{}\"\nkey = \"{}\"\n{tables}\n",
            db.conninfo,
            ca.join("server.pem").display(),
            ca.join("server.key").display()
        );
        std::fs::write(dir.path().join("server.toml"), config).unwrap();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let mut child = Command::new(server_binary())
            .args(args)
            .arg("--config")
            .arg(dir.path().join("server.toml"))
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let Some(address) = line.trim().strip_prefix("listening on ") else {
            let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
            panic!("the server did not start: {line:?}\n{log}");
        };
        Self { url: format!("https://{address}"), child, dir }
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Stops it as systemd does (SIGTERM) and waits; returns whether it
    /// ended well.
    pub fn stop(mut self) -> bool {
        self.terminate()
    }

    /// Kills it at once (SIGKILL), as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn terminate(&mut self) -> bool {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.child.wait().is_ok_and(|s| s.success())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.terminate();
        }
    }
}

/// A desk's configuration for `server`.
pub fn desk_config(server: &Server) -> mitid_remote::ServerConfig {
    mitid_remote::ServerConfig { url: server.url.clone(), fallback_urls: Vec::new(), ca: Some(ca().join("ca.pem")) }
}

/// The server's binary: cargo names it to the server's own tests; the
/// desk's tests find it beside themselves in the target folder (`cargo
/// test --workspace` builds it).
pub fn server_binary() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_mitid-assist-server") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap();
    let beside = exe.parent().and_then(Path::parent).unwrap().join("mitid-assist-server");
    assert!(beside.exists(), "{} is not built: run `cargo test --workspace`", beside.display());
    beside
}

/// A loopback port free just now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
