//! The embedded store: one SQLite file in the data dir (WAL, foreign keys
//! on, versioned migrations). Every change and the audit entry that records
//! it are written in one transaction. SQL stays in this module so that a
//! PostgreSQL server can later serve the same service.

mod audit_log;
mod callers;
mod cases;
mod pcodes;
mod search;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

pub use audit_log::{AuditFilter, AuditReport};
pub use cases::CaseStep;
pub use pcodes::{REDEEMER, Whose, fresh_attempt};
pub use search::{Hit, MatchKind};

use crate::caller::InvalidCaller;
use crate::pcode::MalformedPCode;

/// Schema versions, in order; entry `n` takes a file from version `n` to
/// `n + 1`. Never edit a released entry: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: callers, their phones, documents and contacts; P-codes; the audit log.
    r#"
    CREATE TABLE caller (
        id INTEGER PRIMARY KEY,
        given_name TEXT NOT NULL,
        family_name TEXT NOT NULL,
        birth_date TEXT,
        nationality TEXT,
        email TEXT,
        language TEXT,
        notes TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX caller_email ON caller(email COLLATE NOCASE);
    CREATE TABLE caller_phone (
        caller_id INTEGER NOT NULL REFERENCES caller(id) ON DELETE CASCADE,
        e164 TEXT NOT NULL,
        PRIMARY KEY (caller_id, e164)
    );
    CREATE INDEX caller_phone_e164 ON caller_phone(e164);
    CREATE TABLE caller_document (
        id INTEGER PRIMARY KEY,
        caller_id INTEGER NOT NULL REFERENCES caller(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        country TEXT NOT NULL,
        number TEXT NOT NULL
    );
    CREATE INDEX caller_document_caller ON caller_document(caller_id);
    CREATE TABLE contact (
        id INTEGER PRIMARY KEY,
        caller_id INTEGER NOT NULL REFERENCES caller(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        agent TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('phone', 'counter')),
        outcome TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX contact_caller ON contact(caller_id, at);
    CREATE TABLE pcode (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        caller_id INTEGER NOT NULL REFERENCES caller(id) ON DELETE CASCADE,
        code_hash BLOB NOT NULL,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        attempts_left INTEGER NOT NULL CHECK (attempts_left BETWEEN 0 AND 3),
        state TEXT NOT NULL CHECK (state IN ('active', 'consumed', 'locked', 'revoked')),
        revoked_reason TEXT
    );
    CREATE INDEX pcode_caller ON pcode(caller_id, issued_at);
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        agent TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        verdict TEXT NOT NULL,
        prev_hash BLOB NOT NULL,
        hash BLOB NOT NULL
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    "#,
    // 2: search: folded name terms in an FTS5 index keyed by caller id,
    // filled from the callers already there. (Not contentless: deleting
    // from a contentless index leaves the terms behind as tombstones.)
    r#"
    CREATE VIRTUAL TABLE caller_search USING fts5(
        terms, prefix = '1 2 3', tokenize = 'unicode61 remove_diacritics 0'
    );
    -- Deleting a caller removes every trace of their name from the index.
    INSERT INTO caller_search (caller_search, rank) VALUES ('secure-delete', 1);
    CREATE TABLE caller_name_key (
        caller_id INTEGER PRIMARY KEY REFERENCES caller(id) ON DELETE CASCADE,
        name_key TEXT NOT NULL
    );
    CREATE INDEX caller_name_key_key ON caller_name_key(name_key);
    "#,
    // 3: counter enrollment cases: who, when, and what was found — the
    // verdicts, hashes and certificate fingerprints, never an image or an
    // MRZ.
    r#"
    CREATE TABLE enrollment_case (
        id INTEGER PRIMARY KEY,
        agent TEXT NOT NULL,
        started TEXT NOT NULL,
        ended TEXT,
        outcome TEXT
    );
    CREATE TABLE enrollment_step (
        case_id INTEGER NOT NULL REFERENCES enrollment_case(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        step TEXT NOT NULL,
        verdict TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX enrollment_step_case ON enrollment_step(case_id);
    "#,
    // 4: redemption as the MitID side does it: each code bound to its
    // holder by keyed hashes (of the documents, and of names, date of
    // birth and nationality, taken at issuance), and every attempt kept
    // by its id — so a retry gets the first answer and counts nothing.
    r#"
    CREATE TABLE pcode_holder (
        pcode_id INTEGER NOT NULL REFERENCES pcode(id) ON DELETE CASCADE,
        hash BLOB NOT NULL,
        binding TEXT NOT NULL CHECK (binding IN ('document', 'person')),
        PRIMARY KEY (hash, pcode_id)
    ) WITHOUT ROWID;
    CREATE INDEX pcode_holder_code ON pcode_holder(pcode_id);
    CREATE TABLE redemption (
        id INTEGER PRIMARY KEY,
        client TEXT NOT NULL,
        attempt_id TEXT NOT NULL,
        at TEXT NOT NULL,
        pcode_id INTEGER REFERENCES pcode(id) ON DELETE SET NULL,
        result TEXT NOT NULL,
        attempts_left INTEGER NOT NULL,
        completed_at TEXT,
        UNIQUE (client, attempt_id)
    );
    "#,
];

/// The schema version this code writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// What can go wrong in the store, each a thing a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file cannot be opened or used.
    #[error("the database cannot be used: {0}")]
    Database(#[from] rusqlite::Error),
    /// The file was written by a newer version of the app.
    #[error(
        "the database is from a newer version of mitid-assist (schema {found}, this version knows {known}): update the app"
    )]
    TooNew {
        /// The file's version.
        found: i64,
        /// This code's version.
        known: i64,
    },
    /// Invalid caller details.
    #[error(transparent)]
    InvalidCaller(#[from] InvalidCaller),
    /// Invalid details at a position of a batch (0-based).
    #[error("entry {} is not valid: {source}", index + 1)]
    InvalidAt {
        /// Where in the batch.
        index: usize,
        /// What is wrong.
        source: InvalidCaller,
    },
    /// No such caller.
    #[error("there is no caller {0}")]
    NoCaller(i64),
    /// No such P-code.
    #[error("there is no P-code {0}")]
    NoPCode(String),
    /// Not a P-code.
    #[error(transparent)]
    MalformedPCode(#[from] MalformedPCode),
    /// MitID Support is closed, so no P-code may be issued.
    #[error("P-codes can only be issued while MitID Support is open; it opens {next_open}")]
    Closed {
        /// When Support opens next (RFC 3339), or "not planned".
        next_open: String,
    },
    /// The caller already has as many active P-codes as allowed.
    #[error("the caller already has {0} active P-code(s), the most allowed; revoke one first")]
    TooManyActive(u32),
    /// A P-code is already void.
    #[error("the P-code is already {0}")]
    AlreadyVoid(&'static str),
    /// The random generator failed.
    #[error("the system's random generator failed: {0}")]
    Random(String),
    /// A stored value could not be read back.
    #[error("the database holds a value this version cannot read ({0}); it may be damaged")]
    Corrupt(String),
    /// Merging a caller into itself.
    #[error("a caller cannot be merged into itself")]
    SelfMerge,
    /// A redemption names no holder that can be matched, or a bad attempt id.
    #[error("the redemption cannot be read: {0}")]
    BadRedemption(#[from] crate::redemption::BadRedemption),
    /// No such redemption (for this client).
    #[error("there is no redemption {0}")]
    NoRedemption(i64),
    /// Only an accepted entry completes an enrollment.
    #[error("redemption {id} was {result}, not accepted: only an accepted entry completes an enrollment")]
    NotAccepted {
        /// The redemption.
        id: i64,
        /// What it came to.
        result: String,
    },
    /// The shared service cannot be reached (nothing was done; for a change
    /// that may wait, it waits in the desk's outbox).
    #[error("the shared service cannot be reached: {0}")]
    Unreachable(String),
    /// The shared service asks for a sign-in: none, or one that expired or
    /// was withdrawn (nothing was done).
    #[error("sign in again: {0}")]
    SignInNeeded(String),
    /// The signed-in person's roles do not allow this (nothing was done).
    #[error("not allowed with your roles: {message}")]
    NeedsRole {
        /// Any of these roles would do.
        roles: Vec<crate::roles::Role>,
        /// The service's words.
        message: String,
    },
    /// The shared service turned the request down for a reason given in
    /// its own words (one this version does not know by name).
    #[error("the shared service refused: {0}")]
    Refused(String),
    /// The trust store did not take a file, or cannot be used.
    #[error("not imported: {0}")]
    Trust(#[from] crate::trust::TrustRefusal),
    /// The key offered is not the one the P-codes in this file were hashed with.
    #[error(
        "the P-code key in the keyring (fingerprint {found}) is not the one this database was made with ({expected}): restore the keyring entry; with a new key no P-code issued so far can be checked"
    )]
    KeyMismatch {
        /// The database's key fingerprint.
        expected: String,
        /// The offered key's.
        found: String,
    },
}

/// The store, on one connection. Open one per thread that writes at the
/// same time; SQLite serialises the writers.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database file and brings it to the
    /// current schema.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_at(path, SCHEMA_VERSION)
    }

    /// A database in memory, for tests and demos that keep nothing.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        Self::setup(conn, SCHEMA_VERSION)
    }

    /// Opens and migrates only up to `version` (for migration tests).
    #[doc(hidden)]
    pub fn open_at(path: &Path, version: i64) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a committed P-code change survives a power cut, not only a crash.
        conn.pragma_update(None, "synchronous", "FULL")?;
        Self::setup(conn, version)
    }

    fn setup(conn: Connection, version: i64) -> Result<Self, StoreError> {
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // Deleted rows are overwritten, not left in free pages (GDPR deletes).
        conn.pragma_update(None, "secure_delete", true)?;
        let mut store = Self { conn };
        store.migrate(version)?;
        if version == SCHEMA_VERSION {
            store.refold()?;
        }
        Ok(store)
    }

    /// Indexes again the names a newer search folding spells otherwise (a
    /// file written before Cyrillic and Greek names got their Latin
    /// spellings), once.
    fn refold(&mut self) -> Result<(), StoreError> {
        let version = crate::fold::VERSION.to_string();
        if self.meta("fold_version")?.as_deref() == Some(version.as_str()) {
            return Ok(());
        }
        let tx = self.write()?;
        search::refold(&tx)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('fold_version', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
            [&version],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The file's schema version.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    fn migrate(&mut self, target: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew { found, known: SCHEMA_VERSION });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize).take((target - found).max(0) as usize) {
            tx.execute_batch(sql)?;
            let version = index as i64 + 1;
            if version == 2 {
                search::backfill(&tx)?;
            }
            tx.pragma_update(None, "user_version", version)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A write transaction that takes the write lock at once, so two writers
    /// never both read a state and then both act on it.
    fn write(&mut self) -> Result<Transaction<'_>, StoreError> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// Ties the database to a P-code key: the first key used is remembered
    /// by fingerprint, and any other is refused.
    pub fn bind_key(&mut self, key: &crate::pcode::CodeKey) -> Result<(), StoreError> {
        let found = key.fingerprint();
        let tx = self.write()?;
        let expected: Option<String> =
            tx.query_row("SELECT value FROM meta WHERE key = 'pcode_key'", [], |r| r.get(0)).optional()?;
        match expected {
            Some(expected) if expected != found => Err(StoreError::KeyMismatch { expected, found }),
            Some(_) => Ok(()),
            None => {
                tx.execute("INSERT INTO meta (key, value) VALUES ('pcode_key', ?1)", [&found])?;
                tx.commit()?;
                Ok(())
            }
        }
    }

    /// Runs raw SQL on the file, as someone editing it behind the app's
    /// back would: only for tests that prove such edits are found.
    #[doc(hidden)]
    pub fn tamper_for_tests(&self, sql: &str) -> Result<usize, StoreError> {
        Ok(self.conn.execute(sql, [])?)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }
}

/// Reads a stored timestamp.
fn ts(text: &str) -> Result<jiff::Timestamp, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("timestamp {text:?}")))
}

#[cfg(test)]
mod tests;
