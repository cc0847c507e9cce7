//! P-codes in the store: issued only while MitID Support is open, redeemed
//! with every attempt counted inside one write transaction.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, audit_log, ts};
use crate::api::{Completed, Outcome, RedemptionAnswer};
use crate::caller::CallerDetails;
use crate::pcode::{
    ATTEMPTS, CodeKey, PCode, PCodeInfo, PCodeState, REFERENCE_TRIES, Redemption, VALIDITY, new_reference, same_hash,
};
use crate::redemption::{Binding, HolderHashes, by_precedence, caller_hashes, check_attempt_id, decide};

/// Who redeems at a desk: the citizen's MitID app, not an agent.
pub const REDEEMER: &str = crate::redemption::DESK_CLIENT;

type Row = (i64, String, Vec<u8>, String, String, u8, String, Option<String>);

fn info(caller_id: i64, row: &Row) -> Result<PCodeInfo, StoreError> {
    let (id, reference, _, issued, expires, attempts_left, state, reason) = row;
    Ok(PCodeInfo {
        id: *id,
        reference: reference.clone(),
        caller_id,
        issued_at: ts(issued)?,
        expires_at: ts(expires)?,
        attempts_left: *attempts_left,
        state: PCodeState::parse(state).ok_or_else(|| StoreError::Corrupt(format!("P-code state {state:?}")))?,
        revoked_reason: reason.clone(),
    })
}

impl Store {
    /// Issues a P-code to a caller with fewer than `max_active` usable
    /// codes. The code is returned once and stored only as a keyed hash.
    /// Whether MitID Support is open is the service's to decide, before
    /// this is called ([`crate::service::DeskService::issue_pcode`]).
    pub fn issue_pcode(
        &mut self,
        caller_id: i64,
        key: &CodeKey,
        max_active: u32,
        agent: &str,
        now: Timestamp,
    ) -> Result<(PCode, PCodeInfo), StoreError> {
        // Whole seconds: the times are read out and printed.
        let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
        let subject = format!("caller:{caller_id}");
        let tx = self.write()?;
        let exists: Option<i64> = tx
            .prepare_cached("SELECT id FROM caller WHERE id = ?1")?
            .query_row([caller_id], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NoCaller(caller_id));
        }
        let active: u32 = tx
            .prepare_cached("SELECT count(*) FROM pcode WHERE caller_id = ?1 AND state = 'active' AND attempts_left > 0 AND expires_at > ?2")?
            .query_row(params![caller_id, now.to_string()], |r| r.get(0))?;
        if active >= max_active {
            audit_log::append(&tx, now, agent, "pcode.issue", &subject, "refused:too_many_active")?;
            tx.commit()?;
            return Err(StoreError::TooManyActive(max_active));
        }
        let code = PCode::generate().map_err(|e| StoreError::Random(e.to_string()))?;
        let expires_at = now + VALIDITY;
        // A reference is 32 random bits: among millions of codes two can
        // meet, and the second then takes another.
        let mut reference = String::new();
        for _ in 0..REFERENCE_TRIES {
            reference = new_reference().map_err(|e| StoreError::Random(e.to_string()))?;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO pcode (reference, caller_id, code_hash, issued_at, expires_at, attempts_left, state)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active') ON CONFLICT (reference) DO NOTHING",
                )?
                .execute(params![
                    reference,
                    caller_id,
                    key.hash(&code).as_slice(),
                    now.to_string(),
                    expires_at.to_string(),
                    ATTEMPTS
                ])?;
            if inserted == 1 {
                break;
            }
            reference.clear();
        }
        if reference.is_empty() {
            return Err(StoreError::Random("no free P-code reference was drawn".into()));
        }
        let id = tx.last_insert_rowid();
        if let Some(caller) = super::callers::caller_in(&tx, caller_id)? {
            bind_holder(&tx, id, &caller.details, key)?;
        }
        audit_log::append(&tx, now, agent, "pcode.issue", &format!("pcode:{reference} {subject}"), "ok")?;
        tx.commit()?;
        let info = PCodeInfo {
            id,
            reference,
            caller_id,
            issued_at: now,
            expires_at,
            attempts_left: ATTEMPTS,
            state: PCodeState::Active,
            revoked_reason: None,
        };
        Ok((code, info))
    }

    /// What the citizen's MitID app does with a code typed for `caller_id`
    /// (the app knows whose passport it is), as [`Self::redeem`] does it.
    pub fn redeem_pcode(
        &mut self,
        caller_id: i64,
        code: &PCode,
        key: &CodeKey,
        now: Timestamp,
    ) -> Result<Redemption, StoreError> {
        Ok(self.redeem_pcode_counted(caller_id, code, key, now)?.0)
    }

    /// As [`Self::redeem_pcode`], with the uses left afterwards on the
    /// P-code concerned (0 when there is none).
    pub fn redeem_pcode_counted(
        &mut self,
        caller_id: i64,
        code: &PCode,
        key: &CodeKey,
        now: Timestamp,
    ) -> Result<(Redemption, u8), StoreError> {
        let attempt = fresh_attempt()?;
        let answer = self.redeem(Whose::Caller(caller_id), code, REDEEMER, &attempt, key, now)?;
        Ok((answer.redemption(), answer.attempts_left))
    }

    /// One entry of a code in the MitID app, decided against the codes of
    /// `whose` ([`crate::redemption`]): counted inside one write
    /// transaction, so two entries at the same instant never share a use;
    /// an attempt id `client` sent before gets its first answer and counts
    /// nothing.
    pub fn redeem(
        &mut self,
        whose: Whose<'_>,
        code: &PCode,
        client: &str,
        attempt_id: &str,
        key: &CodeKey,
        now: Timestamp,
    ) -> Result<RedemptionAnswer, StoreError> {
        check_attempt_id(attempt_id)?;
        let hash = key.hash(code);
        let tx = self.write()?;
        let earlier: Option<(i64, String, u8)> = tx
            .prepare_cached("SELECT id, result, attempts_left FROM redemption WHERE client = ?1 AND attempt_id = ?2")?
            .query_row([client, attempt_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        if let Some((id, result, attempts_left)) = earlier {
            return Ok(RedemptionAnswer { redemption_id: id, result: outcome(&result)?, attempts_left });
        }
        let rows: Vec<(Row, i64)> = match whose {
            Whose::Caller(caller_id) => {
                let mut stmt = tx.prepare_cached(
                    "SELECT id, reference, code_hash, issued_at, expires_at, attempts_left, state, revoked_reason, caller_id
                     FROM pcode WHERE caller_id = ?1 ORDER BY issued_at DESC, id DESC",
                )?;
                stmt.query_map([caller_id], read_row)?.collect::<Result<_, _>>()?
            }
            Whose::Holder(hashes) => {
                let mut stmt = tx.prepare_cached(
                    "SELECT p.id, p.reference, p.code_hash, p.issued_at, p.expires_at, p.attempts_left, p.state,
                            p.revoked_reason, p.caller_id, h.binding
                     FROM pcode_holder h JOIN pcode p ON p.id = h.pcode_id
                     WHERE h.hash IN (?1, ?2) ORDER BY p.issued_at DESC, p.id DESC",
                )?;
                let found: Vec<((Row, i64), String)> = stmt
                    .query_map(params![hashes.document.as_slice(), hashes.person.as_slice()], |r| {
                        Ok((read_row(r)?, r.get(9)?))
                    })?
                    .collect::<Result<_, _>>()?;
                let found = found
                    .into_iter()
                    .map(|(row, binding)| {
                        Binding::parse(&binding)
                            .map(|b| (row, b))
                            .ok_or_else(|| StoreError::Corrupt(format!("holder binding {binding:?}")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                by_precedence(found)
            }
        };
        let codes: Vec<PCodeInfo> = rows.iter().map(|(row, caller)| info(*caller, row)).collect::<Result<_, _>>()?;
        let matches: Vec<bool> = rows.iter().map(|(row, _)| same_hash(&row.2, &hash)).collect();
        let decision = decide(&codes, &matches, now);
        if let Some((id, left, state)) = decision.change {
            tx.prepare_cached("UPDATE pcode SET attempts_left = ?2, state = ?3 WHERE id = ?1")?.execute(params![
                id,
                left,
                state.as_str()
            ])?;
        }
        let concerned = decision.concerned.map(|i| &codes[i]);
        let subject = match (concerned, whose) {
            (Some(c), _) => format!("pcode:{}", c.reference),
            (None, Whose::Caller(id)) => format!("caller:{id}"),
            (None, Whose::Holder(_)) => "holder".to_owned(),
        };
        let result = Outcome::from(decision.result);
        tx.prepare_cached(
            "INSERT INTO redemption (client, attempt_id, at, pcode_id, result, attempts_left) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            client,
            attempt_id,
            now.to_string(),
            concerned.map(|c| c.id),
            decision.result.name(),
            decision.attempts_left
        ])?;
        let id = tx.last_insert_rowid();
        audit_log::append(&tx, now, client, "pcode.redeem", &subject, decision.result.name())?;
        tx.commit()?;
        Ok(RedemptionAnswer { redemption_id: id, result, attempts_left: decision.attempts_left })
    }

    /// The MitID side reports an accepted entry's enrollment completed:
    /// the code is void from now on. Reported again, the first report's
    /// time is the answer.
    pub fn complete_redemption(&mut self, id: i64, client: &str, now: Timestamp) -> Result<Completed, StoreError> {
        let tx = self.write()?;
        let row: Option<(Option<i64>, String, Option<String>)> = tx
            .prepare_cached("SELECT pcode_id, result, completed_at FROM redemption WHERE id = ?1 AND client = ?2")?
            .query_row(params![id, client], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((pcode, result, completed)) = row else { return Err(StoreError::NoRedemption(id)) };
        if result != Redemption::Accepted.name() {
            return Err(StoreError::NotAccepted { id, result });
        }
        if let Some(at) = completed {
            return Ok(Completed { redemption_id: id, completed_at: ts(&at)? });
        }
        let Some(pcode) = pcode else { return Err(StoreError::NoRedemption(id)) };
        tx.prepare_cached("UPDATE redemption SET completed_at = ?2 WHERE id = ?1")?
            .execute(params![id, now.to_string()])?;
        let (reference, state): (String, String) = tx
            .prepare_cached("SELECT reference, state FROM pcode WHERE id = ?1")?
            .query_row([pcode], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let verdict = if state == PCodeState::Revoked.as_str() { "after_revocation" } else { "ok" };
        tx.prepare_cached("UPDATE pcode SET state = 'consumed' WHERE id = ?1 AND state IN ('active', 'locked')")?
            .execute([pcode])?;
        audit_log::append(&tx, now, client, "pcode.complete", &format!("pcode:{reference}"), verdict)?;
        tx.commit()?;
        Ok(Completed { redemption_id: id, completed_at: now })
    }

    /// Binds every code issued before holders were bound (schema 4) to
    /// its caller as they are recorded now; the number bound.
    pub fn bind_holders(&mut self, key: &CodeKey) -> Result<usize, StoreError> {
        let done: Option<String> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'holders_bound'", [], |r| r.get(0)).optional()?;
        if done.is_some() {
            return Ok(0);
        }
        let tx = self.write()?;
        let codes: Vec<(i64, i64)> = tx
            .prepare(
                "SELECT id, caller_id FROM pcode p WHERE NOT EXISTS (SELECT 1 FROM pcode_holder h WHERE h.pcode_id = p.id)",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (pcode, caller) in &codes {
            if let Some(c) = super::callers::caller_in(&tx, *caller)? {
                bind_holder(&tx, *pcode, &c.details, key)?;
            }
        }
        tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('holders_bound', '1')", [])?;
        tx.commit()?;
        Ok(codes.len())
    }

    /// Revokes an active P-code. The reason is kept with the code (it may
    /// name the caller's situation), not in the audit log.
    pub fn revoke_pcode(
        &mut self,
        reference: &str,
        reason: &str,
        agent: &str,
        now: Timestamp,
    ) -> Result<PCodeInfo, StoreError> {
        let tx = self.write()?;
        let row: Option<(i64, String)> = tx
            .query_row("SELECT id, state FROM pcode WHERE reference = ?1", [reference], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((id, state)) = row else { return Err(StoreError::NoPCode(reference.to_owned())) };
        match PCodeState::parse(&state) {
            Some(PCodeState::Active) => {}
            Some(other) => return Err(StoreError::AlreadyVoid(other.as_str())),
            None => return Err(StoreError::Corrupt(format!("P-code state {state:?}"))),
        }
        tx.prepare_cached("UPDATE pcode SET state = 'revoked', revoked_reason = ?2 WHERE id = ?1")?
            .execute(params![id, reason.trim()])?;
        audit_log::append(&tx, now, agent, "pcode.revoke", &format!("pcode:{reference}"), "ok")?;
        tx.commit()?;
        self.pcode(reference)?.ok_or_else(|| StoreError::NoPCode(reference.to_owned()))
    }

    /// One P-code by reference.
    pub fn pcode(&self, reference: &str) -> Result<Option<PCodeInfo>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, reference, code_hash, issued_at, expires_at, attempts_left, state, revoked_reason, caller_id
                 FROM pcode WHERE reference = ?1",
                [reference],
                |r| {
                    let row: Row = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
                    Ok((row, r.get::<_, i64>(8)?))
                },
            )
            .optional()?;
        row.map(|(row, caller)| info(caller, &row)).transpose()
    }

    /// A caller's P-codes, newest first.
    pub fn pcodes(&self, caller_id: i64) -> Result<Vec<PCodeInfo>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, reference, code_hash, issued_at, expires_at, attempts_left, state, revoked_reason
             FROM pcode WHERE caller_id = ?1 ORDER BY issued_at DESC, id DESC",
        )?;
        let rows: Vec<Row> = stmt
            .query_map([caller_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })?
            .collect::<Result<_, _>>()?;
        rows.iter().map(|row| info(caller_id, row)).collect()
    }
}

/// Whose codes an entry is decided against.
#[derive(Clone, Copy)]
pub enum Whose<'a> {
    /// A caller's (a desk that knows whose passport it is).
    Caller(i64),
    /// The holder's the MitID side names, by their hashes.
    Holder(&'a HolderHashes),
}

/// A one-off attempt id, for an entry made without one.
pub fn fresh_attempt() -> Result<String, StoreError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(format!("desk-{}", hex::encode(bytes)))
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Row, i64)> {
    Ok(((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?), r.get(8)?))
}

fn outcome(result: &str) -> Result<Outcome, StoreError> {
    serde_json::from_value(serde_json::Value::String(result.to_owned()))
        .map_err(|_| StoreError::Corrupt(format!("redemption result {result:?}")))
}

/// Binds a code to its holder as the caller is recorded.
fn bind_holder(
    tx: &rusqlite::Transaction<'_>,
    pcode: i64,
    details: &CallerDetails,
    key: &CodeKey,
) -> Result<(), StoreError> {
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO pcode_holder (pcode_id, hash, binding) VALUES (?1, ?2, ?3)")?;
    for (hash, binding) in caller_hashes(key, details) {
        insert.execute(params![pcode, hash.as_slice(), binding.as_str()])?;
    }
    Ok(())
}
