//! The service's records on PostgreSQL: callers, contacts, P-codes and
//! counter cases, with the rules the desk keeps — Support's hours checked
//! here, P-codes kept as keyed hashes, each redemption counted atomically,
//! and every change's audit entry inserted in the change's own transaction.

use std::sync::Arc;

use deadpool_postgres::{GenericClient, Pool, Transaction};
use jiff::Timestamp;
use mitid_core::api::{Completed, Outcome, RedemptionAnswer};
use mitid_core::caller::{Caller, CallerDetails, Channel, Contact, DocumentKind, DocumentRef, Phone};
use mitid_core::checkpoint::CheckpointKey;
use mitid_core::pcode::{
    ATTEMPTS, CodeKey, PCode, PCodeInfo, PCodeState, REFERENCE_TRIES, Redemption, VALIDITY, new_reference, same_hash,
};
use mitid_core::redemption::{Binding, by_precedence, caller_hashes, check_attempt_id, decide};
use mitid_core::service::NewContact;
use mitid_core::store::{CaseStep, REDEEMER, StoreError, Whose};
use mitid_core::support_hours::COPENHAGEN;
use mitid_core::{Clock, SimulatedClock, SupportHours, fold};
use tokio_postgres::Row;

use crate::db::Ts;
use crate::error::Failure;

/// The service: its database, keys, rules and clock.
pub struct Records {
    /// The database.
    pub pool: Pool,
    pub(crate) key: CodeKey,
    pub(crate) checkpoints: CheckpointKey,
    hours: SupportHours,
    clock: Arc<dyn Clock>,
    /// The clock, when it may be set (training and tests).
    pub simulated: Option<Arc<SimulatedClock>>,
    max_active: u32,
    /// Whether each change chains its own entries before committing.
    chain_in_transaction: bool,
}

/// The entry of the audit log a change writes, in its transaction.
pub(crate) async fn audit(
    tx: &Transaction<'_>,
    at: Timestamp,
    agent: &Actor,
    action: &str,
    subject: &str,
    verdict: &str,
) -> Result<(), Failure> {
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO audit (at, agent, action, subject, verdict, agent_name, desk) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?,
        &[&Ts(at), &agent.agent, &action, &subject, &verdict, &agent.name, &agent.desk],
    )
    .await?;
    Ok(())
}

/// Who a change is recorded under: the agent (a desk's agent id, or the
/// signed-in person's subject), and where staff sign in their name as the
/// identity provider gives it and the desk they work at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The agent id or subject.
    pub agent: String,
    /// The signed-in person's name.
    pub name: Option<String>,
    /// Their desk's id.
    pub desk: Option<String>,
}

impl Actor {
    /// An agent alone: a desk without sign-in, the MitID side, the service.
    pub fn agent(agent: &str) -> Self {
        Self { agent: agent.to_owned(), name: None, desk: None }
    }
}

const PCODE_COLUMNS: &str =
    "id, reference, caller_id, code_hash, issued_at, expires_at, attempts_left, state, revoked_reason";

fn pcode_info(row: &Row) -> Result<PCodeInfo, Failure> {
    let state: String = row.get(7);
    let attempts: i16 = row.get(6);
    Ok(PCodeInfo {
        id: row.get(0),
        reference: row.get(1),
        caller_id: row.get(2),
        issued_at: row.get::<_, Ts>(4).0,
        expires_at: row.get::<_, Ts>(5).0,
        attempts_left: u8::try_from(attempts).map_err(|_| Failure::corrupt("P-code attempts"))?,
        state: PCodeState::parse(&state).ok_or_else(|| Failure::corrupt("P-code state"))?,
        revoked_reason: row.get(8),
    })
}

impl Records {
    /// The records in `pool`, with the service's keys, hours and clock.
    pub fn new(pool: Pool, key: CodeKey, hours: SupportHours, simulated: Option<Timestamp>, max_active: u32) -> Self {
        let simulated = simulated.map(|at| Arc::new(SimulatedClock::starting_at(at)));
        let clock: Arc<dyn Clock> = match &simulated {
            Some(clock) => clock.clone(),
            None => Arc::new(mitid_core::SystemClock),
        };
        let checkpoints = CheckpointKey::from_code_key(&key);
        let chain_in_transaction = false;
        Self { pool, key, checkpoints, hours, clock, simulated, max_active: max_active.max(1), chain_in_transaction }
    }

    /// Chains each change's entries in its own transaction (see
    /// [`crate::config::Chaining`]).
    pub fn chaining(mut self, chaining: crate::config::Chaining) -> Self {
        self.chain_in_transaction = chaining == crate::config::Chaining::Transaction;
        self
    }

    /// Commits a change: with chaining in the transaction, its entries are
    /// chained first, under the lock of the chain's head.
    pub(crate) async fn commit(&self, tx: Transaction<'_>) -> Result<(), Failure> {
        if self.chain_in_transaction {
            self.chain_pending(&tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Now, cut to the database's precision.
    pub fn now(&self) -> Timestamp {
        Ts::micros(self.clock.now())
    }

    /// MitID Support's hours.
    pub fn hours(&self) -> &SupportHours {
        &self.hours
    }

    /// The P-code key (holders are hashed under a key derived from it).
    pub fn code_key(&self) -> &CodeKey {
        &self.key
    }

    /// The fingerprint of the P-code key.
    pub fn key_fingerprint(&self) -> String {
        self.key.fingerprint()
    }

    /// Records the P-code key's fingerprint in a new database, and refuses
    /// a database whose codes were hashed with another key.
    pub async fn bind_key(&self) -> Result<(), Failure> {
        let client = self.pool.get().await?;
        let found = self.key.fingerprint();
        client
            .execute(
                "INSERT INTO meta (key, value) VALUES ('key_fingerprint', $1) ON CONFLICT (key) DO NOTHING",
                &[&found],
            )
            .await?;
        let expected: String =
            client.query_one("SELECT value FROM meta WHERE key = 'key_fingerprint'", &[]).await?.get(0);
        if expected != found {
            return Err(Failure::Store(StoreError::KeyMismatch { expected, found }));
        }
        Ok(())
    }

    /// Indexes again the names in other scripts when the folding has
    /// changed since the database was indexed (as the desk does on open);
    /// returns how many.
    pub async fn refold(&self) -> Result<usize, Failure> {
        let version = fold::VERSION.to_string();
        let mut client = self.pool.get().await?;
        let found: Option<String> =
            client.query_opt("SELECT value FROM meta WHERE key = 'fold_version'", &[]).await?.map(|r| r.get(0));
        if found.as_deref() == Some(version.as_str()) {
            return Ok(0);
        }
        let tx = client.transaction().await?;
        let rows = tx
            .query(
                "SELECT id, given_name, family_name FROM caller WHERE given_name || ' ' || family_name ~ $1 FOR UPDATE",
                &[&"[\u{0370}-\u{06FF}]"],
            )
            .await?;
        for row in &rows {
            let id: i64 = row.get(0);
            let details = CallerDetails { given_name: row.get(1), family_name: row.get(2), ..CallerDetails::default() };
            let (key, terms) = name_index(&details);
            tx.execute(
                "UPDATE caller SET name_key = $2, terms = $3, words = ' ' || array_to_string($3::text[], ' ') WHERE id = $1",
                &[&id, &key, &terms],
            )
            .await?;
            tx.execute("DELETE FROM caller_term WHERE caller_id = $1", &[&id]).await?;
            tx.execute(
                "INSERT INTO caller_term (term, caller_id, name_len) \
             SELECT t, $1, (SELECT length(name_key) FROM caller WHERE id = $1) FROM unnest($2::text[]) AS t \
             ON CONFLICT DO NOTHING",
                &[&id, &terms],
            )
            .await?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('fold_version', $1) ON CONFLICT (key) DO UPDATE SET value = $1",
            &[&version],
        )
        .await?;
        self.commit(tx).await?;
        Ok(rows.len())
    }

    fn today(&self, now: Timestamp) -> jiff::civil::Date {
        COPENHAGEN.to_datetime(now).date()
    }

    /// Adds a caller.
    pub async fn add_caller(&self, agent: &Actor, details: CallerDetails) -> Result<i64, Failure> {
        let now = self.now();
        let details = details.validated(self.today(now)).map_err(StoreError::from)?;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let id = insert_caller(&tx, &details, now).await?;
        audit(&tx, now, agent, "caller.create", &format!("caller:{id}"), "ok").await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// Adds many callers as one change.
    pub async fn add_callers(
        &self,
        agent: &Actor,
        batch: Vec<CallerDetails>,
        action: &str,
    ) -> Result<Vec<i64>, Failure> {
        if !mitid_core::api::BATCH_ACTIONS.contains(&action) {
            return Err(Failure::BadRequest(format!(
                "«{action}» is not a batch action: use one of {}",
                mitid_core::api::BATCH_ACTIONS.join(", ")
            )));
        }
        let now = self.now();
        let today = self.today(now);
        let batch = batch
            .into_iter()
            .enumerate()
            .map(|(index, d)| d.validated(today).map_err(|source| StoreError::InvalidAt { index, source }))
            .collect::<Result<Vec<_>, _>>()?;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let mut ids = Vec::with_capacity(batch.len());
        for details in &batch {
            ids.push(insert_caller(&tx, details, now).await?);
        }
        audit(&tx, now, agent, action, &format!("callers:{}", ids.len()), "ok").await?;
        self.commit(tx).await?;
        Ok(ids)
    }

    /// Changes a caller.
    pub async fn update_caller(&self, agent: &Actor, id: i64, details: CallerDetails) -> Result<(), Failure> {
        let now = self.now();
        let details = details.validated(self.today(now)).map_err(StoreError::from)?;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if !rewrite_caller(&tx, id, &details, now).await? {
            return Err(StoreError::NoCaller(id).into());
        }
        audit(&tx, now, agent, "caller.update", &format!("caller:{id}"), "ok").await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// One caller.
    pub async fn caller(&self, id: i64) -> Result<Option<Caller>, Failure> {
        let client = self.pool.get().await?;
        read_caller(&client, id).await
    }

    /// How many callers.
    pub async fn caller_count(&self) -> Result<u64, Failure> {
        let client = self.pool.get().await?;
        let n: i64 = client.query_one("SELECT count(*) FROM caller", &[]).await?.get(0);
        Ok(n.unsigned_abs())
    }

    /// Deletes a caller and everything about them.
    pub async fn delete_caller(&self, agent: &Actor, id: i64) -> Result<(), Failure> {
        let now = self.now();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if tx.execute("DELETE FROM caller WHERE id = $1", &[&id]).await? == 0 {
            return Err(StoreError::NoCaller(id).into());
        }
        audit(&tx, now, agent, "caller.delete", &format!("caller:{id}"), "ok").await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Merges `from` into `into`.
    pub async fn merge_callers(&self, agent: &Actor, into: i64, from: i64) -> Result<(), Failure> {
        if into == from {
            return Err(StoreError::SelfMerge.into());
        }
        let now = self.now();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Both rows locked, in id order, so two merges cannot cross.
        let locked =
            tx.query("SELECT id FROM caller WHERE id = ANY($1) ORDER BY id FOR UPDATE", &[&vec![into, from]]).await?;
        if locked.len() < 2 {
            let present: Vec<i64> = locked.iter().map(|r| r.get(0)).collect();
            let missing = if present.contains(&into) { from } else { into };
            return Err(StoreError::NoCaller(missing).into());
        }
        let (Some(mut keep), Some(gone)) = (read_caller(&tx, into).await?, read_caller(&tx, from).await?) else {
            return Err(StoreError::NoCaller(into).into());
        };
        keep.details.absorb(gone.details);
        tx.execute("UPDATE contact SET caller_id = $1 WHERE caller_id = $2", &[&into, &from]).await?;
        tx.execute("UPDATE pcode SET caller_id = $1 WHERE caller_id = $2", &[&into, &from]).await?;
        rewrite_caller(&tx, into, &keep.details, now).await?;
        tx.execute("DELETE FROM caller WHERE id = $1", &[&from]).await?;
        audit(&tx, now, agent, "caller.merge", &format!("caller:{into}<-caller:{from}"), "ok").await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Logs a contact, in `tx` (so that an idempotency key can be kept with it).
    pub async fn log_contact(
        &self,
        tx: &Transaction<'_>,
        agent: &Actor,
        caller_id: i64,
        contact: NewContact,
    ) -> Result<(), Failure> {
        let now = self.now();
        check_text("the outcome", &contact.outcome)?;
        check_text("the note", &contact.note)?;
        let inserted = tx
            .execute(
                "INSERT INTO contact (caller_id, at, agent, channel, outcome, note)
                 SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM caller WHERE id = $1)",
                &[&caller_id, &Ts(now), &agent.agent, &contact.channel.as_str(), &contact.outcome, &contact.note],
            )
            .await?;
        if inserted == 0 {
            return Err(StoreError::NoCaller(caller_id).into());
        }
        audit(tx, now, agent, "contact.log", &format!("caller:{caller_id}"), contact.channel.as_str()).await?;
        Ok(())
    }

    /// A caller's contacts, newest first.
    pub async fn contacts(&self, caller_id: i64) -> Result<Vec<Contact>, Failure> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT at, agent, channel, outcome, note FROM contact WHERE caller_id = $1 ORDER BY at DESC, id DESC",
                &[&caller_id],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let channel: String = r.get(2);
                Ok(Contact {
                    at: r.get::<_, Ts>(0).0,
                    agent: r.get(1),
                    channel: Channel::parse(&channel).ok_or_else(|| Failure::corrupt("channel"))?,
                    outcome: r.get(3),
                    note: r.get(4),
                })
            })
            .collect()
    }

    /// Issues a P-code — only while Support is open (a refusal is audited).
    pub async fn issue_pcode(&self, agent: &Actor, caller_id: i64) -> Result<(PCode, PCodeInfo), Failure> {
        self.issue_pcode_at(agent, caller_id, self.now(), true).await
    }

    /// A training service's lessons only: gives the caller a P-code issued
    /// 61 days ago, so it has expired by now (the code is never shown).
    pub async fn issue_expired_pcode_for_lesson(&self, agent: &Actor, caller_id: i64) -> Result<PCodeInfo, Failure> {
        if self.simulated.is_none() {
            return Err(Failure::Forbidden("only a training service gives a lesson's callers expired P-codes".into()));
        }
        let at = mitid_core::lesson::expired_code_issued_at(self.now());
        Ok(self.issue_pcode_at(agent, caller_id, at, false).await?.1)
    }

    async fn issue_pcode_at(
        &self,
        agent: &Actor,
        caller_id: i64,
        at: Timestamp,
        in_hours: bool,
    ) -> Result<(PCode, PCodeInfo), Failure> {
        // Whole seconds: the times are read out and printed.
        let now = Timestamp::from_second(at.as_second()).unwrap_or(at);
        let subject = format!("caller:{caller_id}");
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let status = self.hours.status(now);
        if in_hours && !status.open {
            audit(&tx, now, agent, "pcode.issue", &subject, "refused:closed").await?;
            self.commit(tx).await?;
            let next_open = status
                .next_change
                .map(|t| t.display_with_offset(self.hours.time_zone().to_offset(t)).to_string())
                .unwrap_or_else(|| "when a new opening is planned".into());
            return Err(StoreError::Closed { next_open }.into());
        }
        // The caller's row locked: two agents issuing at once cannot both
        // pass the limit.
        // With what the code is bound to its holder by.
        let lock = tx
            .prepare_cached(
                "SELECT given_name, family_name, birth_date::text, nationality,
                        ARRAY(SELECT country FROM caller_document d WHERE d.caller_id = c.id ORDER BY d.id),
                        ARRAY(SELECT number FROM caller_document d WHERE d.caller_id = c.id ORDER BY d.id)
                 FROM caller c WHERE id = $1 FOR UPDATE",
            )
            .await?;
        let Some(holder) = tx.query_opt(&lock, &[&caller_id]).await? else {
            return Err(StoreError::NoCaller(caller_id).into());
        };
        let holder = binding_details(&holder)?;
        // Counted after the lock, in a statement of its own: its snapshot
        // sees the code another agent issued while this one waited.
        let count = tx
            .prepare_cached("SELECT count(*) FROM pcode WHERE caller_id = $1 AND state = 'active' AND attempts_left > 0 AND expires_at > $2")
            .await?;
        let active: i64 = tx.query_one(&count, &[&caller_id, &Ts(now)]).await?.get(0);
        if active >= i64::from(self.max_active) {
            audit(&tx, now, agent, "pcode.issue", &subject, "refused:too_many_active").await?;
            self.commit(tx).await?;
            return Err(StoreError::TooManyActive(self.max_active).into());
        }
        let code = PCode::generate().map_err(|e| StoreError::Random(e.to_string()))?;
        let expires_at = now + VALIDITY;
        let attempts = i16::from(ATTEMPTS);
        // The code and its audit entry in one statement; a reference drawn
        // twice (32 random bits: it happens among millions) inserts
        // nothing, and another is drawn.
        let insert = tx
            .prepare_cached(
                "WITH p AS (INSERT INTO pcode (reference, caller_id, code_hash, issued_at, expires_at, attempts_left, state)
                            VALUES ($1, $2, $3, $4, $5, $6, 'active') ON CONFLICT (reference) DO NOTHING RETURNING id),
                      h AS (INSERT INTO pcode_holder (hash, pcode_id, binding)
                            SELECT x.h, p.id, x.b FROM p, unnest($11::bytea[], $12::text[]) AS x(h, b))
                 INSERT INTO audit (at, agent, action, subject, verdict, agent_name, desk)
                 SELECT $4, $7, 'pcode.issue', $8, 'ok', $9, $10 FROM p
                 RETURNING (SELECT id FROM p)",
            )
            .await?;
        let hash = self.key.hash(&code);
        // Bound to the holder in the same statement.
        let (holder_hashes, bindings) = holder_rows(&holder, &self.key);
        let mut issued = None;
        for _ in 0..REFERENCE_TRIES {
            let reference = new_reference().map_err(|e| StoreError::Random(e.to_string()))?;
            let entry = format!("pcode:{reference} {subject}");
            let params: [&(dyn postgres_types::ToSql + Sync); 12] = [
                &reference,
                &caller_id,
                &hash.as_slice(),
                &Ts(now),
                &Ts(expires_at),
                &attempts,
                &agent.agent,
                &entry,
                &agent.name,
                &agent.desk,
                &holder_hashes,
                &bindings,
            ];
            if let Some(row) = tx.query_opt(&insert, &params).await? {
                issued = Some((row.get::<_, i64>(0), reference));
                break;
            }
        }
        let Some((id, reference)) = issued else {
            return Err(StoreError::Random("no free P-code reference was drawn".into()).into());
        };
        self.commit(tx).await?;
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

    /// Redeems a code typed for a caller, as the citizen's MitID app
    /// would with a desk's attempt id ([`Self::redeem`]).
    pub async fn redeem_pcode(&self, caller_id: i64, code: &PCode) -> Result<(Redemption, u8), Failure> {
        let attempt = mitid_core::store::fresh_attempt()?;
        let answer = self.redeem(Whose::Caller(caller_id), code, REDEEMER, &attempt).await?;
        Ok((answer.redemption(), answer.attempts_left))
    }

    /// One entry of a code in the MitID app, decided against the codes of
    /// `whose` by [`mitid_core::redemption::decide`]. The attempt is
    /// inserted first under its unique key: the same attempt on another
    /// instance waits for this one and then gets its answer. The codes
    /// concerned are locked (`FOR UPDATE`) for the decision, so two entries
    /// at the same instant never share a use.
    pub async fn redeem(
        &self,
        whose: Whose<'_>,
        code: &PCode,
        client_name: &str,
        attempt_id: &str,
    ) -> Result<RedemptionAnswer, Failure> {
        check_attempt_id(attempt_id).map_err(StoreError::from)?;
        let now = self.now();
        let hash = self.key.hash(code);
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let claim = tx
            .prepare_cached(
                "INSERT INTO redemption (client, attempt_id, at) VALUES ($1, $2, $3)
                 ON CONFLICT (client, attempt_id) DO NOTHING RETURNING id",
            )
            .await?;
        // The codes concerned, locked; asked in the same round trip as the
        // claim (pipelined: the server runs them in order).
        let columns = PCODE_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
        let (select, caller_id, wanted) = match whose {
            Whose::Caller(caller_id) => (
                tx.prepare_cached(&format!(
                    "SELECT {columns}, 'document' FROM pcode p WHERE p.caller_id = $1
                     ORDER BY p.issued_at DESC, p.id DESC FOR UPDATE"
                ))
                .await?,
                Some(caller_id),
                None,
            ),
            Whose::Holder(hashes) => (
                tx.prepare_cached(&format!(
                    "SELECT {columns}, h.binding FROM pcode_holder h JOIN pcode p ON p.id = h.pcode_id
                     WHERE h.hash = ANY($1) ORDER BY p.issued_at DESC, p.id DESC FOR UPDATE OF p"
                ))
                .await?,
                None,
                Some(vec![hashes.document.as_slice(), hashes.person.as_slice()]),
            ),
        };
        let at = Ts(now);
        let claim_params: [&(dyn postgres_types::ToSql + Sync); 3] = [&client_name, &attempt_id, &at];
        let claiming = tx.query_opt(&claim, &claim_params);
        let finding = async {
            match (&caller_id, &wanted) {
                (Some(id), _) => tx.query(&select, &[id]).await,
                (None, Some(wanted)) => tx.query(&select, &[wanted]).await,
                (None, None) => Ok(Vec::new()),
            }
        };
        let (claimed, found) = tokio::try_join!(claiming, finding)?;
        let Some(claimed) = claimed else {
            drop(tx);
            let row = client
                .query_one(
                    "SELECT id, result, attempts_left FROM redemption WHERE client = $1 AND attempt_id = $2",
                    &[&client_name, &attempt_id],
                )
                .await?;
            let result: Option<String> = row.get(1);
            let result = result.ok_or_else(|| Failure::corrupt("redemption without a result"))?;
            return Ok(RedemptionAnswer {
                redemption_id: row.get(0),
                result: outcome(&result)?,
                attempts_left: u8::try_from(row.get::<_, i16>(2)).unwrap_or(0),
            });
        };
        let redemption_id: i64 = claimed.get(0);
        let found = found
            .into_iter()
            .map(|row| {
                let binding = Binding::parse(row.get::<_, &str>(9)).ok_or(Failure::corrupt("holder binding"))?;
                Ok((row, binding))
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        // A caller's own codes are all theirs (marked as by document).
        let rows = by_precedence(found);
        let codes: Vec<PCodeInfo> = rows.iter().map(pcode_info).collect::<Result<_, _>>()?;
        let matches: Vec<bool> = rows.iter().map(|row| same_hash(row.get::<_, &[u8]>(3), &hash)).collect();
        let decision = decide(&codes, &matches, now);
        let concerned = decision.concerned.map(|i| &codes[i]);
        let subject = match (concerned, whose) {
            (Some(c), _) => format!("pcode:{}", c.reference),
            (None, Whose::Caller(id)) => format!("caller:{id}"),
            (None, Whose::Holder(_)) => "holder".to_owned(),
        };
        let (change_id, left, state) = match decision.change {
            Some((id, left, state)) => (Some(id), i16::from(left), state.as_str()),
            None => (None, 0, ""),
        };
        // The code's change, the attempt's answer and the audit entry in
        // one statement.
        let record = tx
            .prepare_cached(
                "WITH u AS (UPDATE pcode SET attempts_left = $2, state = $3 WHERE id = $1),
                      r AS (UPDATE redemption SET pcode_id = $5, result = $6, attempts_left = $7 WHERE id = $4)
                 INSERT INTO audit (at, agent, action, subject, verdict) VALUES ($8, $9, 'pcode.redeem', $10, $6)",
            )
            .await?;
        let result = decision.result.name();
        let answer_left = i16::from(decision.attempts_left);
        let params: [&(dyn postgres_types::ToSql + Sync); 10] = [
            &change_id,
            &left,
            &state,
            &redemption_id,
            &concerned.map(|c| c.id),
            &result,
            &answer_left,
            &Ts(now),
            &client_name,
            &subject,
        ];
        tx.execute(&record, &params).await?;
        self.commit(tx).await?;
        Ok(RedemptionAnswer { redemption_id, result: decision.result.into(), attempts_left: decision.attempts_left })
    }

    /// The MitID side reports an accepted entry's enrollment completed:
    /// the code is void from now on. Reported again, the first report's
    /// time is the answer.
    pub async fn complete_redemption(&self, id: i64, client_name: &str) -> Result<Completed, Failure> {
        let now = self.now();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let Some(row) = tx
            .query_opt(
                "SELECT r.pcode_id, r.result, r.completed_at, p.reference, p.state
                 FROM redemption r LEFT JOIN pcode p ON p.id = r.pcode_id
                 WHERE r.id = $1 AND r.client = $2 FOR UPDATE OF r",
                &[&id, &client_name],
            )
            .await?
        else {
            return Err(StoreError::NoRedemption(id).into());
        };
        let result: Option<String> = row.get(1);
        let result = result.unwrap_or_default();
        if result != Redemption::Accepted.name() {
            return Err(StoreError::NotAccepted { id, result }.into());
        }
        if let Some(Ts(at)) = row.get::<_, Option<Ts>>(2) {
            return Ok(Completed { redemption_id: id, completed_at: at });
        }
        let (Some(pcode), Some(reference)) = (row.get::<_, Option<i64>>(0), row.get::<_, Option<String>>(3)) else {
            return Err(StoreError::NoRedemption(id).into());
        };
        let verdict = if row.get::<_, Option<&str>>(4) == Some("revoked") { "after_revocation" } else { "ok" };
        tx.execute(
            "WITH r AS (UPDATE redemption SET completed_at = $2 WHERE id = $1),
                  p AS (UPDATE pcode SET state = 'consumed' WHERE id = $3 AND state IN ('active', 'locked'))
             INSERT INTO audit (at, agent, action, subject, verdict) VALUES ($2, $4, 'pcode.complete', $5, $6)",
            &[&id, &Ts(now), &pcode, &client_name, &format!("pcode:{reference}"), &verdict],
        )
        .await?;
        self.commit(tx).await?;
        Ok(Completed { redemption_id: id, completed_at: now })
    }

    /// Binds the codes issued before holders were bound (schema 6) to their
    /// callers as recorded now, once; how many.
    pub async fn bind_holders(&self) -> Result<usize, Failure> {
        let mut client = self.pool.get().await?;
        let done = client.query_opt("SELECT 1 FROM meta WHERE key = 'holders_bound'", &[]).await?;
        if done.is_some() {
            return Ok(0);
        }
        let tx = client.transaction().await?;
        let codes = tx
            .query(
                "SELECT id, caller_id FROM pcode p
                 WHERE NOT EXISTS (SELECT 1 FROM pcode_holder h WHERE h.pcode_id = p.id) FOR UPDATE",
                &[],
            )
            .await?;
        for row in &codes {
            if let Some(caller) = read_caller(&tx, row.get(1)).await? {
                bind_holder(&tx, row.get(0), &caller.details, &self.key).await?;
            }
        }
        tx.execute("INSERT INTO meta (key, value) VALUES ('holders_bound', '1') ON CONFLICT (key) DO NOTHING", &[])
            .await?;
        tx.commit().await?;
        Ok(codes.len())
    }

    /// Revokes an active code.
    pub async fn revoke_pcode(&self, agent: &Actor, reference: &str, reason: &str) -> Result<PCodeInfo, Failure> {
        check_text("the reason", reason)?;
        let now = self.now();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let Some(row) = tx.query_opt("SELECT state FROM pcode WHERE reference = $1 FOR UPDATE", &[&reference]).await?
        else {
            return Err(StoreError::NoPCode(reference.to_owned()).into());
        };
        let state: String = row.get(0);
        match PCodeState::parse(&state) {
            Some(PCodeState::Active) => {}
            Some(other) => return Err(StoreError::AlreadyVoid(other.as_str()).into()),
            None => return Err(Failure::corrupt("P-code state")),
        }
        let row = tx
            .query_one(
                &format!(
                    "UPDATE pcode SET state = 'revoked', revoked_reason = $2 WHERE reference = $1 RETURNING {PCODE_COLUMNS}"
                ),
                &[&reference, &reason.trim()],
            )
            .await?;
        audit(&tx, now, agent, "pcode.revoke", &format!("pcode:{reference}"), "ok").await?;
        self.commit(tx).await?;
        pcode_info(&row)
    }

    /// A code by reference.
    pub async fn pcode(&self, reference: &str) -> Result<Option<PCodeInfo>, Failure> {
        let client = self.pool.get().await?;
        let row =
            client.query_opt(&format!("SELECT {PCODE_COLUMNS} FROM pcode WHERE reference = $1"), &[&reference]).await?;
        row.as_ref().map(pcode_info).transpose()
    }

    /// A caller's codes, newest first.
    pub async fn pcodes(&self, caller_id: i64) -> Result<Vec<PCodeInfo>, Failure> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!("SELECT {PCODE_COLUMNS} FROM pcode WHERE caller_id = $1 ORDER BY issued_at DESC, id DESC"),
                &[&caller_id],
            )
            .await?;
        rows.iter().map(pcode_info).collect()
    }

    /// Opens a case, in `tx`.
    pub async fn open_case(&self, tx: &Transaction<'_>, agent: &Actor) -> Result<i64, Failure> {
        let now = self.now();
        let id: i64 = tx
            .query_one(
                "INSERT INTO enrollment_case (agent, started) VALUES ($1, $2) RETURNING id",
                &[&agent.agent, &Ts(now)],
            )
            .await?
            .get(0);
        audit(tx, now, agent, "enrollment.open", &format!("case:E-{id}"), "ok").await?;
        Ok(id)
    }

    /// Records a step of a case, in `tx`.
    pub async fn record_case_step(
        &self,
        tx: &Transaction<'_>,
        agent: &Actor,
        id: i64,
        step: &str,
        verdict: &str,
        detail: &str,
    ) -> Result<(), Failure> {
        for (what, text) in [("the step", step), ("the verdict", verdict), ("the detail", detail)] {
            check_text(what, text)?;
        }
        let now = self.now();
        let inserted = tx
            .execute(
                "INSERT INTO enrollment_step (case_id, at, step, verdict, detail)
                 SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM enrollment_case WHERE id = $1)",
                &[&id, &Ts(now), &step, &verdict, &detail],
            )
            .await?;
        if inserted == 0 {
            return Err(Failure::NoCase(id));
        }
        audit(tx, now, agent, &format!("enrollment.{step}"), &format!("case:E-{id}"), verdict).await?;
        Ok(())
    }

    /// Closes a case, in `tx`.
    pub async fn close_case(&self, tx: &Transaction<'_>, agent: &Actor, id: i64, outcome: &str) -> Result<(), Failure> {
        check_text("the outcome", outcome)?;
        let now = self.now();
        let changed = tx
            .execute("UPDATE enrollment_case SET ended = $2, outcome = $3 WHERE id = $1", &[&id, &Ts(now), &outcome])
            .await?;
        if changed == 0 {
            return Err(Failure::NoCase(id));
        }
        audit(tx, now, agent, "enrollment.close", &format!("case:E-{id}"), outcome).await?;
        Ok(())
    }

    /// A case's steps, in order.
    pub async fn case_steps(&self, id: i64) -> Result<Vec<CaseStep>, Failure> {
        let client = self.pool.get().await?;
        if client.query_opt("SELECT 1 FROM enrollment_case WHERE id = $1", &[&id]).await?.is_none() {
            return Err(Failure::NoCase(id));
        }
        let rows = client
            .query("SELECT at, step, verdict, detail FROM enrollment_step WHERE case_id = $1 ORDER BY id", &[&id])
            .await?;
        Ok(rows
            .iter()
            .map(|r| CaseStep { at: r.get::<_, Ts>(0).0, step: r.get(1), verdict: r.get(2), detail: r.get(3) })
            .collect())
    }
}

fn check_text(what: &str, text: &str) -> Result<(), Failure> {
    if text.len() > mitid_core::api::MAX_TEXT {
        return Err(Failure::BadRequest(format!("{what} is too long (at most {} bytes)", mitid_core::api::MAX_TEXT)));
    }
    if text.contains('\0') {
        return Err(Failure::BadRequest(format!("{what} holds a NUL character")));
    }
    Ok(())
}

/// Where the name is searched: its folded key and words.
fn name_index(details: &CallerDetails) -> (String, Vec<String>) {
    let name = format!("{} {}", details.given_name, details.family_name);
    let mut terms: Vec<String> = fold::index_terms(&name).split_whitespace().map(str::to_owned).collect();
    terms.sort();
    terms.dedup();
    (fold::key(&name), terms)
}

fn no_nul(details: &CallerDetails) -> Result<(), Failure> {
    let texts = [&details.given_name, &details.family_name, &details.notes];
    let more = [&details.email, &details.language, &details.nationality];
    if texts.iter().any(|t| t.contains('\0'))
        || more.iter().any(|t| t.as_deref().is_some_and(|t| t.contains('\0')))
        || details.documents.iter().any(|d| d.number.contains('\0'))
    {
        return Err(Failure::BadRequest("a caller's details hold a NUL character".into()));
    }
    Ok(())
}

pub(crate) async fn insert_caller(
    tx: &Transaction<'_>,
    details: &CallerDetails,
    now: Timestamp,
) -> Result<i64, Failure> {
    no_nul(details)?;
    let (key, terms) = name_index(details);
    let birth = details.birth_date.map(|d| d.to_string());
    let id: i64 = tx
        .query_one(
            &tx.prepare_cached(
                "INSERT INTO caller (given_name, family_name, birth_date, nationality, email, language, notes,
                     name_key, terms, words, created_at, updated_at)
                 VALUES ($1, $2, $3::text::date, $4, $5, $6, $7, $8, $9, ' ' || array_to_string($9::text[], ' '), $10, $10)
                 RETURNING id",
            )
            .await?,
            &[
                &details.given_name,
                &details.family_name,
                &birth,
                &details.nationality,
                &details.email,
                &details.language,
                &details.notes,
                &key,
                &terms,
                &Ts(now),
            ],
        )
        .await?
        .get(0);
    write_children(tx, id, details, &terms).await?;
    Ok(id)
}

async fn rewrite_caller(
    tx: &Transaction<'_>,
    id: i64,
    details: &CallerDetails,
    now: Timestamp,
) -> Result<bool, Failure> {
    no_nul(details)?;
    let (key, terms) = name_index(details);
    let birth = details.birth_date.map(|d| d.to_string());
    let changed = tx
        .execute(
            "UPDATE caller SET given_name = $2, family_name = $3, birth_date = $4::text::date, nationality = $5,
                 email = $6, language = $7, notes = $8, name_key = $9, terms = $10,
                 words = ' ' || array_to_string($10::text[], ' '), updated_at = $11
             WHERE id = $1",
            &[
                &id,
                &details.given_name,
                &details.family_name,
                &birth,
                &details.nationality,
                &details.email,
                &details.language,
                &details.notes,
                &key,
                &terms,
                &Ts(now),
            ],
        )
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    for table in ["caller_phone", "caller_document", "caller_term"] {
        tx.execute(&format!("DELETE FROM {table} WHERE caller_id = $1"), &[&id]).await?;
    }
    write_children(tx, id, details, &terms).await?;
    Ok(true)
}

async fn write_children(
    tx: &Transaction<'_>,
    id: i64,
    details: &CallerDetails,
    terms: &[String],
) -> Result<(), Failure> {
    let phones: Vec<&str> = details.phones.iter().map(Phone::e164).collect();
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO caller_phone (caller_id, pos, e164)
             SELECT $1, p.pos, p.e164 FROM unnest($2::text[]) WITH ORDINALITY AS p(e164, pos)
             ON CONFLICT DO NOTHING",
        )
        .await?,
        &[&id, &phones],
    )
    .await?;
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO caller_term (term, caller_id, name_len) \
             SELECT t, $1, (SELECT length(name_key) FROM caller WHERE id = $1) FROM unnest($2::text[]) AS t \
             ON CONFLICT DO NOTHING",
        )
        .await?,
        &[&id, &terms],
    )
    .await?;
    if !details.documents.is_empty() {
        let kinds: Vec<&str> = details.documents.iter().map(|d| d.kind.as_str()).collect();
        let countries: Vec<&str> = details.documents.iter().map(|d| d.country.as_str()).collect();
        let numbers: Vec<&str> = details.documents.iter().map(|d| d.number.as_str()).collect();
        tx.execute(
            "INSERT INTO caller_document (caller_id, kind, country, number)
             SELECT $1, k, c, n FROM unnest($2::text[], $3::text[], $4::text[]) AS d(k, c, n)",
            &[&id, &kinds, &countries, &numbers],
        )
        .await?;
    }
    Ok(())
}

async fn read_caller(client: &impl GenericClient, id: i64) -> Result<Option<Caller>, Failure> {
    let Some(row) = client
        .query_opt(
            "SELECT given_name, family_name, birth_date::text, nationality, email, language, notes, created_at, updated_at
             FROM caller WHERE id = $1",
            &[&id],
        )
        .await?
    else {
        return Ok(None);
    };
    let birth: Option<String> = row.get(2);
    let birth_date = birth.map(|b| b.parse().map_err(|_| Failure::corrupt("date of birth"))).transpose()?;
    let phones = client
        .query("SELECT e164 FROM caller_phone WHERE caller_id = $1 ORDER BY pos", &[&id])
        .await?
        .iter()
        .map(|r| Phone::parse(r.get(0)).map_err(|_| Failure::corrupt("phone")))
        .collect::<Result<_, _>>()?;
    let documents = client
        .query("SELECT kind, country, number FROM caller_document WHERE caller_id = $1 ORDER BY id", &[&id])
        .await?
        .iter()
        .map(|r| {
            let kind = DocumentKind::parse(r.get(0)).ok_or_else(|| Failure::corrupt("document kind"))?;
            Ok(DocumentRef { kind, country: r.get(1), number: r.get(2) })
        })
        .collect::<Result<_, Failure>>()?;
    Ok(Some(Caller {
        id,
        details: CallerDetails {
            given_name: row.get(0),
            family_name: row.get(1),
            birth_date,
            nationality: row.get(3),
            phones,
            email: row.get(4),
            language: row.get(5),
            notes: row.get(6),
            documents,
        },
        created_at: row.get::<_, Ts>(7).0,
        updated_at: row.get::<_, Ts>(8).0,
    }))
}

/// The details a code is bound to its holder by, from the columns
/// `given_name, family_name, birth_date::text, nationality, countries[],
/// numbers[]`.
fn binding_details(row: &Row) -> Result<CallerDetails, Failure> {
    let birth: Option<String> = row.get(2);
    let countries: Vec<String> = row.get(4);
    let numbers: Vec<String> = row.get(5);
    Ok(CallerDetails {
        given_name: row.get(0),
        family_name: row.get(1),
        birth_date: birth.map(|b| b.parse().map_err(|_| Failure::corrupt("date of birth"))).transpose()?,
        nationality: row.get(3),
        documents: countries
            .into_iter()
            .zip(numbers)
            .map(|(country, number)| DocumentRef { kind: DocumentKind::Other, country, number })
            .collect(),
        ..CallerDetails::default()
    })
}

/// The hashes a code issued to a caller so recorded is bound by, and how.
fn holder_rows(details: &CallerDetails, key: &CodeKey) -> (Vec<Vec<u8>>, Vec<&'static str>) {
    caller_hashes(key, details).into_iter().map(|(h, b)| (h.to_vec(), b.as_str())).unzip()
}

/// Binds a code to its holder as the caller is recorded.
async fn bind_holder(tx: &Transaction<'_>, pcode: i64, details: &CallerDetails, key: &CodeKey) -> Result<(), Failure> {
    let (hashes, bindings) = holder_rows(details, key);
    if hashes.is_empty() {
        return Ok(());
    }
    let insert = tx
        .prepare_cached(
            "INSERT INTO pcode_holder (hash, pcode_id, binding) SELECT h, $2, b FROM unnest($1::bytea[], $3::text[]) AS x(h, b)
             ON CONFLICT DO NOTHING",
        )
        .await?;
    tx.execute(&insert, &[&hashes, &pcode, &bindings]).await?;
    Ok(())
}

fn outcome(result: &str) -> Result<Outcome, Failure> {
    serde_json::from_value(serde_json::Value::String(result.to_owned()))
        .map_err(|_| Failure::corrupt("redemption result"))
}
