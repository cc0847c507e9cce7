//! P-codes in the store: issued only while MitID Support is open, redeemed
//! with every attempt counted inside one write transaction.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, audit_log, ts};
use crate::pcode::{
    ATTEMPTS, CodeKey, PCode, PCodeInfo, PCodeState, REFERENCE_TRIES, Redemption, VALIDITY, new_reference, same_hash,
};

/// Who redeems: the citizen's MitID app, not an agent.
pub const REDEEMER: &str = "mitid-app";

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
            .prepare_cached("SELECT count(*) FROM pcode WHERE caller_id = ?1 AND state = 'active' AND expires_at > ?2")?
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
    /// (the app knows whose passport it is). Counted atomically: two
    /// attempts at the same instant never share an attempt or a success.
    pub fn redeem_pcode(
        &mut self,
        caller_id: i64,
        code: &PCode,
        key: &CodeKey,
        now: Timestamp,
    ) -> Result<Redemption, StoreError> {
        Ok(self.redeem_pcode_counted(caller_id, code, key, now)?.0)
    }

    /// As [`Self::redeem_pcode`], with the attempts left afterwards on the
    /// P-code concerned (0 when there is none).
    pub fn redeem_pcode_counted(
        &mut self,
        caller_id: i64,
        code: &PCode,
        key: &CodeKey,
        now: Timestamp,
    ) -> Result<(Redemption, u8), StoreError> {
        let hash = key.hash(code);
        let tx = self.write()?;
        let rows: Vec<Row> = {
            let mut stmt = tx.prepare_cached(
                "SELECT id, reference, code_hash, issued_at, expires_at, attempts_left, state, revoked_reason
                 FROM pcode WHERE caller_id = ?1 ORDER BY issued_at DESC, id DESC",
            )?;
            stmt.query_map([caller_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })?
            .collect::<Result<_, _>>()?
        };
        let codes: Vec<PCodeInfo> = rows.iter().map(|row| info(caller_id, row)).collect::<Result<_, _>>()?;
        // Check every code, so the time taken does not tell which matched.
        let matched =
            rows.iter().zip(&codes).fold(None, |m, (row, c)| if same_hash(&row.2, &hash) { Some(c) } else { m });
        let (result, subject, left) = match matched {
            Some(c) => {
                let result = match c.void_redemption(now) {
                    Some(void) => void,
                    None => {
                        tx.prepare_cached("UPDATE pcode SET state = 'consumed' WHERE id = ?1 AND state = 'active'")?
                            .execute([c.id])?;
                        Redemption::Accepted
                    }
                };
                (result, format!("pcode:{}", c.reference), c.attempts_left)
            }
            None => match codes.iter().find(|c| c.state == PCodeState::Active).or(codes.first()) {
                None => (Redemption::NoCode, format!("caller:{caller_id}"), 0),
                Some(c) => {
                    let result = match c.void_redemption(now) {
                        Some(void) => void,
                        None => {
                            let left = c.attempts_left.saturating_sub(1);
                            let state = if left == 0 { "locked" } else { "active" };
                            tx.prepare_cached("UPDATE pcode SET attempts_left = ?2, state = ?3 WHERE id = ?1")?
                                .execute(params![c.id, left, state])?;
                            if left == 0 { Redemption::Locked } else { Redemption::Wrong { attempts_left: left } }
                        }
                    };
                    let left = match result {
                        Redemption::Wrong { attempts_left } => attempts_left,
                        Redemption::Locked => 0,
                        _ => c.attempts_left,
                    };
                    (result, format!("pcode:{}", c.reference), left)
                }
            },
        };
        audit_log::append(&tx, now, REDEEMER, "pcode.redeem", &subject, result.name())?;
        tx.commit()?;
        Ok((result, left))
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
