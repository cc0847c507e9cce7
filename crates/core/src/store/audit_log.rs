//! The audit log's table: appended to inside the transaction of the change
//! it records, never updated or deleted by the app.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Store, StoreError, ts};
use crate::audit::{self, AuditEntry, ChainBreak, GENESIS};

/// A stored hash as the 32 bytes it must be.
fn hash32(bytes: Vec<u8>) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes).map_err(|_| StoreError::Corrupt("audit hash".into()))
}

/// The last entry's number and hash, if the log has any.
fn head(conn: &rusqlite::Connection) -> Result<Option<(i64, [u8; 32])>, StoreError> {
    let last: Option<(i64, Vec<u8>)> = conn
        .query_row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    last.map(|(seq, hash)| Ok((seq, hash32(hash)?))).transpose()
}

/// Appends an entry after the current last one.
pub(super) fn append(
    tx: &Transaction<'_>,
    at: Timestamp,
    agent: &str,
    action: &str,
    subject: &str,
    verdict: &str,
) -> Result<i64, StoreError> {
    let (seq, prev) = match head(tx)? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS),
    };
    let hash = audit::entry_hash(seq, at, agent, action, subject, verdict, &prev);
    tx.prepare_cached("INSERT INTO audit (seq, at, agent, action, subject, verdict, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?.execute(
        params![seq, at.to_string(), agent, action, subject, verdict, prev.as_slice(), hash.as_slice()],
    )?;
    // The head, so that entries cut off the end are noticed too.
    tx.prepare_cached(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
    )?
    .execute([seq.to_string()])?;
    Ok(seq)
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this agent.
    pub agent: Option<String>,
    /// Only entries made at this desk (where staff sign in; a single
    /// desk's own entries name no desk).
    pub desk: Option<String>,
    /// Only actions starting with this (e.g. `pcode.`).
    pub action_prefix: Option<String>,
    /// Only entries at or after.
    pub from: Option<Timestamp>,
    /// Only entries before.
    pub until: Option<Timestamp>,
    /// At most this many, newest first; all when absent.
    pub limit: Option<u32>,
}

/// The result of checking the whole log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditReport {
    /// Entries checked.
    pub entries: u64,
    /// The first problem found, if any.
    pub problem: Option<ChainBreak>,
}

impl Store {
    /// Records an event that changes nothing in this database — a refusal
    /// (a request the service turned down), an import into the trust
    /// store — in the audit log, on its own.
    pub fn audit_refusal(
        &mut self,
        at: Timestamp,
        agent: &str,
        action: &str,
        subject: &str,
        verdict: &str,
    ) -> Result<(), StoreError> {
        let tx = self.write()?;
        append(&tx, at, agent, action, subject, verdict)?;
        tx.commit()?;
        Ok(())
    }

    /// Entries matching `filter`, newest first.
    pub fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut sql =
            String::from("SELECT seq, at, agent, action, subject, verdict, prev_hash, hash FROM audit WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        if let Some(agent) = &filter.agent {
            args.push(agent.clone());
            sql += &format!(" AND agent = ?{}", args.len());
        }
        if filter.desk.is_some() {
            sql += " AND 0";
        }
        if let Some(prefix) = &filter.action_prefix {
            args.push(format!("{}%", prefix.replace(['%', '_'], "")));
            sql += &format!(" AND action LIKE ?{}", args.len());
        }
        if let Some(from) = filter.from {
            args.push(from.to_string());
            sql += &format!(" AND at >= ?{}", args.len());
        }
        if let Some(until) = filter.until {
            args.push(until.to_string());
            sql += &format!(" AND at < ?{}", args.len());
        }
        sql += " ORDER BY seq DESC";
        if let Some(limit) = filter.limit {
            sql += &format!(" LIMIT {limit}");
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), row_to_entry)?;
        rows.map(|r| r?).collect()
    }

    /// The hash of entry `seq`, if the log holds it.
    pub fn audit_hash_at(&self, seq: i64) -> Result<Option<[u8; 32]>, StoreError> {
        let hash: Option<Vec<u8>> =
            self.conn.query_row("SELECT hash FROM audit WHERE seq = ?1", [seq], |r| r.get(0)).optional()?;
        hash.map(hash32).transpose()
    }

    /// The last entry's number and hash, if the log has any.
    pub fn audit_head(&self) -> Result<Option<(i64, [u8; 32])>, StoreError> {
        head(&self.conn)
    }

    /// Checks every entry of the log, oldest first, and the recorded head.
    pub fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, agent, action, subject, verdict, prev_hash, hash FROM audit ORDER BY rowid")?;
        let entries: Vec<AuditEntry> = stmt.query_map([], row_to_entry)?.map(|r| r?).collect::<Result<_, _>>()?;
        let head: i64 = self.meta("audit_head")?.and_then(|h| h.parse().ok()).unwrap_or(0);
        let report = match audit::verify(&entries) {
            Err(problem) => AuditReport { entries: entries.len() as u64, problem: Some(problem) },
            Ok(n) => {
                let last = entries.last().map_or(0, |e| e.seq);
                let problem = (last < head).then_some(ChainBreak::Truncated { last, head });
                AuditReport { entries: n, problem }
            }
        };
        Ok(report)
    }
}

fn row_to_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<AuditEntry, StoreError>> {
    let at: String = r.get(1)?;
    let prev: Vec<u8> = r.get(6)?;
    let hash: Vec<u8> = r.get(7)?;
    let (seq, agent, action, subject, verdict) = (r.get(0)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
    Ok((|| {
        Ok(AuditEntry {
            seq,
            at: ts(&at)?,
            agent,
            // A single desk has no sign-in: its agent is the desk.
            agent_name: None,
            desk: None,
            action,
            subject,
            verdict,
            prev_hash: prev.try_into().map_err(|_| StoreError::Corrupt("audit prev_hash".into()))?,
            hash: hash32(hash)?,
        })
    })())
}
