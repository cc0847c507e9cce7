//! Callers in the store: create, read, edit, merge, delete, contacts.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Store, StoreError, audit_log, search, ts};
use crate::caller::{Caller, CallerDetails, Channel, Contact, DocumentKind, DocumentRef, Phone};

impl Store {
    /// Adds a caller; returns its id.
    pub fn add_caller(&mut self, details: CallerDetails, agent: &str, now: Timestamp) -> Result<i64, StoreError> {
        let today = crate::support_hours::COPENHAGEN.to_datetime(now).date();
        let details = details.validated(today)?;
        let tx = self.write()?;
        let id = insert(&tx, &details, now)?;
        audit_log::append(&tx, now, agent, "caller.create", &format!("caller:{id}"), "ok")?;
        tx.commit()?;
        Ok(id)
    }

    /// Adds many callers in one transaction with one audit entry (`action`,
    /// e.g. `caller.import`): all of them, or none when one is invalid.
    pub fn add_callers(
        &mut self,
        batch: Vec<CallerDetails>,
        agent: &str,
        action: &str,
        now: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        let today = crate::support_hours::COPENHAGEN.to_datetime(now).date();
        let batch = batch
            .into_iter()
            .enumerate()
            .map(|(index, d)| d.validated(today).map_err(|source| StoreError::InvalidAt { index, source }))
            .collect::<Result<Vec<_>, _>>()?;
        let tx = self.write()?;
        let ids = batch.iter().map(|details| insert(&tx, details, now)).collect::<Result<Vec<_>, _>>()?;
        audit_log::append(&tx, now, agent, action, &format!("callers:{}", ids.len()), "ok")?;
        tx.commit()?;
        Ok(ids)
    }

    /// Replaces a caller's details.
    pub fn update_caller(
        &mut self,
        id: i64,
        details: CallerDetails,
        agent: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let today = crate::support_hours::COPENHAGEN.to_datetime(now).date();
        let details = details.validated(today)?;
        let tx = self.write()?;
        if !rewrite(&tx, id, &details, now)? {
            return Err(StoreError::NoCaller(id));
        }
        audit_log::append(&tx, now, agent, "caller.update", &format!("caller:{id}"), "ok")?;
        tx.commit()?;
        Ok(())
    }

    /// A caller, if there is one with this id.
    pub fn caller(&self, id: i64) -> Result<Option<Caller>, StoreError> {
        caller_in(&self.conn, id)
    }

    /// Deletes a caller and everything about them (GDPR). The audit log
    /// keeps only that it happened, by id.
    pub fn delete_caller(&mut self, id: i64, agent: &str, now: Timestamp) -> Result<(), StoreError> {
        let tx = self.write()?;
        search::unindex(&tx, id)?;
        if tx.execute("DELETE FROM caller WHERE id = ?1", [id])? == 0 {
            return Err(StoreError::NoCaller(id));
        }
        audit_log::append(&tx, now, agent, "caller.delete", &format!("caller:{id}"), "ok")?;
        tx.commit()?;
        // Overwrite the freed pages so the deleted data is gone from the file.
        self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }

    /// Merges duplicate `from` into `into`: phones, documents, contacts and
    /// P-codes move over, empty fields of `into` are filled from `from`, and
    /// `from` is deleted.
    pub fn merge_callers(&mut self, into: i64, from: i64, agent: &str, now: Timestamp) -> Result<(), StoreError> {
        if into == from {
            return Err(StoreError::SelfMerge);
        }
        let (Some(mut keep), Some(gone)) = (self.caller(into)?, self.caller(from)?) else {
            let missing = if self.caller(into)?.is_none() { into } else { from };
            return Err(StoreError::NoCaller(missing));
        };
        keep.details.absorb(gone.details);
        let details = keep.details.clone();
        let tx = self.write()?;
        tx.execute("UPDATE contact SET caller_id = ?1 WHERE caller_id = ?2", [into, from])?;
        tx.execute("UPDATE pcode SET caller_id = ?1 WHERE caller_id = ?2", [into, from])?;
        rewrite(&tx, into, &details, now)?;
        search::unindex(&tx, from)?;
        tx.execute("DELETE FROM caller WHERE id = ?1", [from])?;
        audit_log::append(&tx, now, agent, "caller.merge", &format!("caller:{into}<-caller:{from}"), "ok")?;
        tx.commit()?;
        Ok(())
    }

    /// Records a contact with a caller.
    pub fn log_contact(&mut self, caller_id: i64, contact: &Contact) -> Result<(), StoreError> {
        let tx = self.write()?;
        let inserted = tx.execute(
            "INSERT INTO contact (caller_id, at, agent, channel, outcome, note)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM caller WHERE id = ?1)",
            params![
                caller_id,
                contact.at.to_string(),
                contact.agent,
                contact.channel.as_str(),
                contact.outcome,
                contact.note
            ],
        )?;
        if inserted == 0 {
            return Err(StoreError::NoCaller(caller_id));
        }
        audit_log::append(
            &tx,
            contact.at,
            &contact.agent,
            "contact.log",
            &format!("caller:{caller_id}"),
            contact.channel.as_str(),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A caller's contacts, newest first.
    pub fn contacts(&self, caller_id: i64) -> Result<Vec<Contact>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, agent, channel, outcome, note FROM contact WHERE caller_id = ?1 ORDER BY at DESC, id DESC",
        )?;
        let rows = stmt.query_map([caller_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?))
        })?;
        rows.map(|row| {
            let (at, agent, channel, outcome, note) = row?;
            let channel =
                Channel::parse(&channel).ok_or_else(|| StoreError::Corrupt(format!("channel {channel:?}")))?;
            Ok(Contact { at: ts(&at)?, agent, channel, outcome, note })
        })
        .collect()
    }

    /// How many callers there are.
    pub fn caller_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM caller", [], |r| r.get::<_, i64>(0))? as u64)
    }
}

/// Inserts a (validated) caller with their phones, documents and search
/// terms; returns the id.
fn insert(tx: &Transaction<'_>, details: &CallerDetails, now: Timestamp) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO caller (given_name, family_name, birth_date, nationality, email, language, notes, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        details.given_name,
        details.family_name,
        details.birth_date.map(|d| d.to_string()),
        details.nationality,
        details.email,
        details.language,
        details.notes,
        now.to_string()
    ])?;
    let id = tx.last_insert_rowid();
    write_children(tx, id, details)?;
    search::index(tx, id, details)?;
    Ok(id)
}

/// Replaces a caller's details, phones, documents and search terms; false
/// when there is no such caller.
fn rewrite(tx: &Transaction<'_>, id: i64, details: &CallerDetails, now: Timestamp) -> Result<bool, StoreError> {
    let changed = tx
        .prepare_cached(
            "UPDATE caller SET given_name = ?2, family_name = ?3, birth_date = ?4, nationality = ?5, email = ?6,
         language = ?7, notes = ?8, updated_at = ?9 WHERE id = ?1",
        )?
        .execute(params![
            id,
            details.given_name,
            details.family_name,
            details.birth_date.map(|d| d.to_string()),
            details.nationality,
            details.email,
            details.language,
            details.notes,
            now.to_string()
        ])?;
    if changed == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM caller_phone WHERE caller_id = ?1", [id])?;
    tx.execute("DELETE FROM caller_document WHERE caller_id = ?1", [id])?;
    write_children(tx, id, details)?;
    search::index(tx, id, details)?;
    Ok(true)
}

fn write_children(tx: &Transaction<'_>, id: i64, details: &CallerDetails) -> Result<(), StoreError> {
    let mut phone = tx.prepare_cached("INSERT OR IGNORE INTO caller_phone (caller_id, e164) VALUES (?1, ?2)")?;
    for p in &details.phones {
        phone.execute(params![id, p.e164()])?;
    }
    let mut doc =
        tx.prepare_cached("INSERT INTO caller_document (caller_id, kind, country, number) VALUES (?1, ?2, ?3, ?4)")?;
    for d in &details.documents {
        doc.execute(params![id, d.kind.as_str(), d.country, d.number])?;
    }
    Ok(())
}

/// A caller read on `conn` (in a transaction, what it sees).
pub(super) fn caller_in(conn: &rusqlite::Connection, id: i64) -> Result<Option<Caller>, StoreError> {
    let row = conn
        .query_row(
            "SELECT given_name, family_name, birth_date, nationality, email, language, notes, created_at, updated_at
                 FROM caller WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                ))
            },
        )
        .optional()?;
    let Some((given_name, family_name, birth, nationality, email, language, notes, created, updated)) = row else {
        return Ok(None);
    };
    let birth_date = birth.map(|b| b.parse().map_err(|_| StoreError::Corrupt(format!("date {b:?}")))).transpose()?;
    let mut stmt = conn.prepare_cached("SELECT e164 FROM caller_phone WHERE caller_id = ?1 ORDER BY rowid")?;
    let phones = stmt
        .query_map([id], |r| r.get::<_, String>(0))?
        .map(|p| p.map(Phone::from_stored))
        .collect::<Result<_, _>>()?;
    let mut stmt =
        conn.prepare_cached("SELECT kind, country, number FROM caller_document WHERE caller_id = ?1 ORDER BY id")?;
    let documents = stmt
        .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
        .map(|row| {
            let (kind, country, number) = row?;
            let kind =
                DocumentKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("document kind {kind:?}")))?;
            Ok(DocumentRef { kind, country, number })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some(Caller {
        id,
        details: CallerDetails {
            given_name,
            family_name,
            birth_date,
            nationality,
            phones,
            email,
            language,
            notes,
            documents,
        },
        created_at: ts(&created)?,
        updated_at: ts(&updated)?,
    }))
}
