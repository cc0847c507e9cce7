//! Moving a desk in: `mitid-assist-server import desk.sqlite` brings a
//! single desk's callers, contacts, P-codes (their keyed hashes — only when
//! the desk's key is the server's, else no code could ever be checked),
//! counter cases and audit log into the shared database, in one
//! transaction.
//!
//! The desk's audit log stays verifiable: its entries are kept as they
//! are, in a table of their own, and checked with the shared chain on
//! every verify; the shared chain records the link — the desk's first
//! entry, its head and how many entries — in an entry of its own. A desk
//! is known by its first audit entry's hash, so running the import again
//! imports nothing twice.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use jiff::Timestamp;
use jiff::civil::Date;
use mitid_core::audit::GENESIS;
use mitid_core::caller::{CallerDetails, DocumentKind, DocumentRef, Phone};
use mitid_core::pcode::{REFERENCE_TRIES, new_reference};
use mitid_core::store::Store;
use rusqlite::OptionalExtension as _;

use crate::db::Ts;
use crate::records::{Records, audit, insert_caller};

/// What an import brought.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The desk, by its first audit entry's hash (hex, first 16 digits).
    pub desk: String,
    /// Whether it had been imported before (and nothing was imported now).
    pub already: bool,
    /// Callers.
    pub callers: usize,
    /// Contacts.
    pub contacts: usize,
    /// P-codes.
    pub pcodes: usize,
    /// Counter cases.
    pub cases: usize,
    /// Audit entries.
    pub entries: usize,
    /// P-codes whose reference a code here had already, given a new one
    /// (old, new; each renaming is in the audit log).
    pub renamed: Vec<(String, String)>,
}

/// Rows of the desk's file, as read.
type EntryRow = (i64, String, String, String, String, String, Vec<u8>, Vec<u8>);
type CallerRow =
    (i64, String, String, Option<String>, Option<String>, Option<String>, Option<String>, String, String, String);
type PCodeRow = (String, i64, Vec<u8>, String, String, i64, String, Option<String>);
type CaseRow = (i64, String, String, Option<String>, Option<String>);

fn ts(text: &str) -> anyhow::Result<Timestamp> {
    text.parse().with_context(|| format!("the desk's file holds an instant this version cannot read: {text:?}"))
}

struct DeskCopy {
    dir: std::path::PathBuf,
}

impl Drop for DeskCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A copy of the desk's file (with its write-ahead log) to read from, so
/// the desk's own file is never changed.
fn copy(path: &Path) -> anyhow::Result<(DeskCopy, std::path::PathBuf)> {
    anyhow::ensure!(path.is_file(), "{} is not a desk's database file", path.display());
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("the random generator failed: {e}"))?;
    let dir = std::env::temp_dir().join(format!("mitid-import-{}", hex::encode(bytes)));
    std::fs::create_dir(&dir)?;
    let guard = DeskCopy { dir: dir.clone() };
    let target = dir.join("desk.sqlite");
    std::fs::copy(path, &target).with_context(|| format!("{} cannot be read", path.display()))?;
    for suffix in ["-wal", "-shm"] {
        let side = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::copy(&side, dir.join(format!("desk.sqlite{suffix}")))?;
        }
    }
    Ok((guard, target))
}

/// Imports the desk at `path`.
pub async fn import(records: &Records, path: &Path) -> anyhow::Result<Summary> {
    let (_guard, file) = copy(path)?;
    // The desk's own code reads (and migrates) the copy, and checks its chain.
    let store = Store::open(&file).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let report = store.verify_audit().map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(problem) = report.problem {
        anyhow::bail!("the desk's audit log does not verify ({problem}): nothing was imported");
    }
    drop(store);
    let conn = rusqlite::Connection::open(&file)?;
    let fingerprint: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'pcode_key'", [], |r| r.get(0)).optional()?;
    let ours = records.key_fingerprint();
    let has_codes: i64 = conn.query_row("SELECT count(*) FROM pcode", [], |r| r.get(0))?;
    if has_codes > 0 && fingerprint.as_deref() != Some(ours.as_str()) {
        anyhow::bail!(
            "the desk's P-codes were hashed with another key (fingerprint {}) than the server's ({ours}): \
             none of them could be checked here, so nothing was imported — import with the desk's key as the \
             server's, or revoke the desk's codes first",
            fingerprint.as_deref().unwrap_or("none")
        );
    }
    let entries: Vec<EntryRow> = conn
        .prepare("SELECT seq, at, agent, action, subject, verdict, prev_hash, hash FROM audit ORDER BY seq")?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })?
        .collect::<Result<_, _>>()?;
    let Some(first) = entries.first() else {
        anyhow::bail!("the desk's file holds no records (its audit log is empty): nothing to import");
    };
    let genesis = hex::encode(&first.7);
    let desk = genesis[..16].to_owned();
    let last = entries.last().map(|e| (e.0, hex::encode(&e.7))).unwrap_or((0, hex::encode(GENESIS)));

    let mut client = records.pool.get().await?;
    let tx = client.transaction().await?;
    // One import at a time, so two runs at once cannot both import.
    tx.execute("LOCK TABLE import_source IN SHARE ROW EXCLUSIVE MODE", &[]).await?;
    if tx.query_opt("SELECT 1 FROM import_source WHERE genesis = $1", &[&genesis]).await?.is_some() {
        return Ok(Summary { desk, already: true, ..Summary::default() });
    }
    let now = records.now();
    let source: i64 = tx
        .query_one(
            "INSERT INTO import_source (genesis, key_fingerprint, head_seq, head_hash, imported_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&genesis, &fingerprint.clone().unwrap_or_default(), &last.0, &last.1, &Ts(now)],
        )
        .await?
        .get(0);
    let mut summary = Summary { desk: desk.clone(), ..Summary::default() };

    // Callers, with their phones and documents; their ids are new.
    let mut ids: HashMap<i64, i64> = HashMap::new();
    let callers: Vec<CallerRow> = conn
        .prepare(
            "SELECT id, given_name, family_name, birth_date, nationality, email, language, notes, created_at, updated_at
             FROM caller ORDER BY id",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut phones = conn.prepare("SELECT e164 FROM caller_phone WHERE caller_id = ?1 ORDER BY rowid")?;
    let mut documents =
        conn.prepare("SELECT kind, country, number FROM caller_document WHERE caller_id = ?1 ORDER BY id")?;
    for (old, given_name, family_name, birth, nationality, email, language, notes, created, updated) in callers {
        let phones: Vec<Phone> = phones
            .query_map([old], |r| r.get::<_, String>(0))?
            .filter_map(|p| p.ok().and_then(|p| Phone::parse(&p).ok()))
            .collect();
        let documents: Vec<DocumentRef> = documents
            .query_map([old], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?
            .filter_map(Result::ok)
            .filter_map(|(kind, country, number)| {
                Some(DocumentRef { kind: DocumentKind::parse(&kind)?, country, number })
            })
            .collect();
        let birth_date: Option<Date> = birth.and_then(|b| b.parse().ok());
        let details = CallerDetails {
            given_name,
            family_name,
            birth_date,
            nationality,
            phones,
            email,
            language,
            notes,
            documents,
        };
        let new = insert_caller(&tx, &details, ts(&created)?).await.map_err(|e| anyhow::anyhow!(e.log_text()))?;
        tx.execute("UPDATE caller SET updated_at = $2 WHERE id = $1", &[&new, &Ts(ts(&updated)?)]).await?;
        ids.insert(old, new);
        summary.callers += 1;
    }
    let new_id = |old: i64| {
        ids.get(&old).copied().with_context(|| format!("the desk's file refers to a caller {old} it does not hold"))
    };

    let contacts: Vec<(i64, String, String, String, String, String)> = conn
        .prepare("SELECT caller_id, at, agent, channel, outcome, note FROM contact ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
        .collect::<Result<_, _>>()?;
    for (caller, at, agent, channel, outcome, note) in contacts {
        tx.execute(
            "INSERT INTO contact (caller_id, at, agent, channel, outcome, note) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&new_id(caller)?, &Ts(ts(&at)?), &agent, &channel, &outcome, &note],
        )
        .await?;
        summary.contacts += 1;
    }

    let pcodes: Vec<PCodeRow> = conn
        .prepare(
            "SELECT reference, caller_id, code_hash, issued_at, expires_at, attempts_left, state, revoked_reason
             FROM pcode ORDER BY id",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })?
        .collect::<Result<_, _>>()?;
    // References are 32 random bits: a desk's can meet one here. The code
    // keeps its hash and state under a new reference, and the renaming is
    // audited (the desk's own log keeps the old one, as it was).
    let insert_pcode = tx
        .prepare(
            "INSERT INTO pcode (reference, caller_id, code_hash, issued_at, expires_at, attempts_left, state, revoked_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (reference) DO NOTHING",
        )
        .await?;
    for (reference, caller, hash, issued, expires, attempts, state, reason) in pcodes {
        let attempts = i16::try_from(attempts).context("a P-code's attempts are out of range")?;
        let caller = new_id(caller)?;
        let (issued, expires) = (Ts(ts(&issued)?), Ts(ts(&expires)?));
        let mut taken = reference.clone();
        let mut inserted = false;
        for _ in 0..REFERENCE_TRIES {
            let params: [&(dyn postgres_types::ToSql + Sync); 8] =
                [&taken, &caller, &hash, &issued, &expires, &attempts, &state, &reason];
            if tx.execute(&insert_pcode, &params).await? == 1 {
                inserted = true;
                break;
            }
            taken = new_reference().map_err(|e| anyhow::anyhow!("the system's random generator failed: {e}"))?;
        }
        anyhow::ensure!(inserted, "no free reference was drawn for the P-code {reference}");
        if taken != reference {
            let subject = format!("pcode:{taken} desk:{desk}");
            audit(
                &tx,
                now,
                &crate::records::Actor::agent("import"),
                "pcode.rename",
                &subject,
                &format!("was pcode:{reference}"),
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.log_text()))?;
            summary.renamed.push((reference, taken));
        }
        summary.pcodes += 1;
    }

    let cases: Vec<CaseRow> = conn
        .prepare("SELECT id, agent, started, ended, outcome FROM enrollment_case ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<Result<_, _>>()?;
    let mut steps =
        conn.prepare("SELECT at, step, verdict, detail FROM enrollment_step WHERE case_id = ?1 ORDER BY rowid")?;
    for (old, agent, started, ended, outcome) in cases {
        let ended = ended.as_deref().map(ts).transpose()?.map(Ts);
        let new: i64 = tx
            .query_one(
                "INSERT INTO enrollment_case (agent, started, ended, outcome) VALUES ($1, $2, $3, $4) RETURNING id",
                &[&agent, &Ts(ts(&started)?), &ended, &outcome],
            )
            .await?
            .get(0);
        let rows: Vec<(String, String, String, String)> =
            steps.query_map([old], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
        for (at, step, verdict, detail) in rows {
            tx.execute(
                "INSERT INTO enrollment_step (case_id, at, step, verdict, detail) VALUES ($1, $2, $3, $4, $5)",
                &[&new, &Ts(ts(&at)?), &step, &verdict, &detail],
            )
            .await?;
        }
        summary.cases += 1;
    }

    // The desk's chain as it is, to be checked with the shared one.
    for (seq, at, agent, action, subject, verdict, prev, hash) in &entries {
        tx.execute(
            "INSERT INTO imported_audit (source, seq, at, agent, action, subject, verdict, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[&source, seq, at, agent, action, subject, verdict, prev, hash],
        )
        .await?;
        summary.entries += 1;
    }
    // The link, in the shared chain.
    let verdict = format!("ok entries={} head={}:{}", summary.entries, last.0, last.1);
    audit(&tx, now, &crate::records::Actor::agent("import"), "desk.import", &format!("desk:{desk}"), &verdict)
        .await
        .map_err(|e| anyhow::anyhow!(e.log_text()))?;
    tx.execute(
        "UPDATE import_source SET callers = $2, contacts = $3, pcodes = $4, cases = $5, entries = $6 WHERE id = $1",
        &[
            &source,
            &(summary.callers as i64),
            &(summary.contacts as i64),
            &(summary.pcodes as i64),
            &(summary.cases as i64),
            &(summary.entries as i64),
        ],
    )
    .await?;
    records.commit(tx).await.map_err(|e| anyhow::anyhow!(e.log_text()))?;
    Ok(summary)
}
