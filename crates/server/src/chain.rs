//! The audit chain on the shared database. Every change inserts its entry
//! in its own transaction (no change without its entry); one integrator at
//! a time — whichever instance holds the advisory lock — gives the new
//! entries their place in the chain (sequence number, previous hash, hash)
//! in batches, within a second, and signs the new head with the checkpoint
//! key, which lives outside the database. Reading the log integrates first,
//! so a reader always sees every committed entry chained.
//!
//! Why an integrator rather than chaining in each transaction: locking the
//! chain's head row inside every change makes all changes of the site one
//! queue (about 550–760 audited writes/s on this kind of machine, p99 over
//! 100 ms at 16 clients); inserting entries and chaining them in batches
//! leaves changes as parallel as PostgreSQL allows (see SERVICE.md and the
//! note of the issue for the figures measured side by side).

use jiff::Timestamp;
use mitid_core::audit::{AuditEntry, ChainBreak, GENESIS, Who, entry_hash, entry_hash_by};
use mitid_core::checkpoint::Checkpoint;
use mitid_core::store::{AuditFilter, AuditReport};

use crate::db::Ts;
use crate::error::Failure;
use crate::records::Records;

/// The integrator's advisory lock.
const CHAIN_LOCK: i64 = 0x6d69_7469_645f_6175;
/// The most entries chained in one transaction.
const BATCH: i64 = 20_000;
/// How often a new head is signed, at most.
const CHECKPOINT_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_secs(10);

fn hash32(bytes: &[u8]) -> Result<[u8; 32], Failure> {
    bytes.try_into().map_err(|_| Failure::corrupt("audit hash"))
}

impl Records {
    /// Chains the entries not chained yet. With `wait`, waits for another
    /// instance's integrator to finish first; without, leaves it to them.
    /// Returns how many entries this call chained.
    pub async fn integrate(&self, wait: bool) -> Result<usize, Failure> {
        let mut client = self.pool.get().await?;
        let mut chained = 0;
        loop {
            let tx = client.transaction().await?;
            if wait {
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK]).await?;
            } else if !tx.query_one("SELECT pg_try_advisory_xact_lock($1)", &[&CHAIN_LOCK]).await?.get::<_, bool>(0) {
                return Ok(chained);
            }
            let Some((count, seq, prev)) = self.chain_batch(&tx).await? else {
                // Nothing new here — but changes that chained their own
                // entries may have moved the head: sign it now and then.
                let head = tx.query_opt("SELECT seq, hash FROM audit_head", &[]).await?;
                if let Some(row) = head.filter(|r| r.get::<_, i64>(0) > 0) {
                    self.maybe_checkpoint(&tx, row.get(0), &hash32(row.get(1))?).await?;
                }
                tx.commit().await?;
                break;
            };
            self.maybe_checkpoint(&tx, seq, &prev).await?;
            tx.commit().await?;
            chained += count;
            if count < BATCH as usize {
                break;
            }
        }
        Ok(chained)
    }

    /// Chains the entries not chained yet that `tx` sees (at most
    /// [`BATCH`]), holding the head row; returns how many and the new head.
    async fn chain_batch(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
    ) -> Result<Option<(usize, i64, [u8; 32])>, Failure> {
        let head = tx.query_opt(&tx.prepare_cached("SELECT seq, hash FROM audit_head FOR UPDATE").await?, &[]).await?;
        let (mut seq, mut prev) = match head {
            Some(row) => (row.get::<_, i64>(0), hash32(row.get(1))?),
            None => (0, GENESIS),
        };
        let pending = tx
            .prepare_cached(
                "SELECT id, at, agent, action, subject, verdict, agent_name, desk FROM audit
                 WHERE seq IS NULL ORDER BY id LIMIT $1",
            )
            .await?;
        let rows = tx.query(&pending, &[&BATCH]).await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let (mut ids, mut seqs, mut prevs, mut hashes) = (vec![], vec![], vec![], vec![]);
        for row in &rows {
            seq += 1;
            let at: Ts = row.get(1);
            let who = Who { agent: row.get(2), name: row.get(6), desk: row.get(7) };
            let hash = entry_hash_by(seq, at.0, &who, row.get(3), row.get(4), row.get(5), &prev);
            ids.push(row.get::<_, i64>(0));
            seqs.push(seq);
            prevs.push(prev.to_vec());
            hashes.push(hash.to_vec());
            prev = hash;
        }
        let update = tx
            .prepare_cached(
                "UPDATE audit a SET seq = v.seq, prev_hash = v.prev, hash = v.hash
                 FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::bytea[]) AS v(id, seq, prev, hash)
                 WHERE a.id = v.id",
            )
            .await?;
        tx.execute(&update, &[&ids, &seqs, &prevs, &hashes]).await?;
        let head = tx
            .prepare_cached(
                "INSERT INTO audit_head (one, seq, hash) VALUES (true, $1, $2)
                 ON CONFLICT (one) DO UPDATE SET seq = $1, hash = $2",
            )
            .await?;
        tx.execute(&head, &[&seq, &prev.as_slice()]).await?;
        Ok(Some((rows.len(), seq, prev)))
    }

    /// Chains the entries a change wrote, in its own transaction, before
    /// it commits (chaining in the transaction).
    pub(crate) async fn chain_pending(&self, tx: &deadpool_postgres::Transaction<'_>) -> Result<(), Failure> {
        self.chain_batch(tx).await.map(drop)
    }

    /// Signs the head when the last checkpoint is older than
    /// [`CHECKPOINT_EVERY`] (in the integrator's transaction).
    async fn maybe_checkpoint(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        seq: i64,
        head: &[u8; 32],
    ) -> Result<(), Failure> {
        let now = self.now();
        let last = tx.query_opt("SELECT seq, at FROM audit_checkpoint ORDER BY seq DESC LIMIT 1", &[]).await?;
        let last: Option<(i64, Ts)> = last.map(|r| (r.get(0), r.get(1)));
        if last
            .is_some_and(|(signed, at)| signed == seq || (now.duration_since(at.0) < CHECKPOINT_EVERY && now >= at.0))
        {
            return Ok(());
        }
        self.store_checkpoint(tx, seq, head, now).await
    }

    async fn store_checkpoint(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        seq: i64,
        head: &[u8; 32],
        now: Timestamp,
    ) -> Result<(), Failure> {
        let checkpoint = self.checkpoints.sign(seq, head, now);
        tx.execute(
            "INSERT INTO audit_checkpoint (seq, head, at, signature) VALUES ($1, $2, $3, $4)
             ON CONFLICT (seq) DO UPDATE SET head = $2, at = $3, signature = $4",
            &[&checkpoint.seq, &checkpoint.head, &Ts(checkpoint.at), &checkpoint.signature],
        )
        .await?;
        Ok(())
    }

    /// The head signed now (every committed entry chained first); none
    /// while the log is empty.
    pub async fn checkpoint(&self) -> Result<Option<Checkpoint>, Failure> {
        self.integrate(true).await?;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK]).await?;
        let Some(row) = tx.query_opt("SELECT seq, hash FROM audit_head WHERE seq > 0", &[]).await? else {
            return Ok(None);
        };
        let (seq, head) = (row.get::<_, i64>(0), hash32(row.get(1))?);
        let latest = tx
            .query_opt("SELECT seq, head, at, signature FROM audit_checkpoint ORDER BY seq DESC LIMIT 1", &[])
            .await?;
        let checkpoint = match latest {
            Some(r) if r.get::<_, i64>(0) == seq => {
                Checkpoint { seq, head: r.get(1), at: r.get::<_, Ts>(2).0, signature: r.get(3) }
            }
            _ => {
                let now = self.now();
                self.store_checkpoint(&tx, seq, &head, now).await?;
                self.checkpoints.sign(seq, &head, now)
            }
        };
        tx.commit().await?;
        Ok(Some(checkpoint))
    }

    /// The hash of entry `seq`, when the log holds it.
    pub async fn entry_hash(&self, seq: i64) -> Result<Option<[u8; 32]>, Failure> {
        self.integrate(true).await?;
        let client = self.pool.get().await?;
        let row = client.query_opt("SELECT hash FROM audit WHERE seq = $1", &[&seq]).await?;
        row.map(|r| hash32(r.get(0))).transpose()
    }

    /// The entries that match, newest first.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, Failure> {
        self.integrate(true).await?;
        let client = self.pool.get().await?;
        let limit = filter.limit.map_or(i64::MAX, i64::from);
        let rows = client
            .query(
                "SELECT seq, at, agent, action, subject, verdict, prev_hash, hash, agent_name, desk FROM audit
                 WHERE seq IS NOT NULL
                   AND ($1::text IS NULL OR agent = $1)
                   AND ($6::text IS NULL OR desk = $6)
                   AND ($2::text IS NULL OR starts_with(action, $2))
                   AND ($3::timestamptz IS NULL OR at >= $3)
                   AND ($4::timestamptz IS NULL OR at < $4)
                 ORDER BY seq DESC LIMIT $5",
                &[
                    &filter.agent,
                    &filter.action_prefix,
                    &filter.from.map(Ts),
                    &filter.until.map(Ts),
                    &limit,
                    &filter.desk,
                ],
            )
            .await?;
        rows.iter().map(entry).collect()
    }

    /// Checks the whole chain: every entry's hash, each following the one
    /// before from 1 without a gap, up to the recorded head.
    pub async fn verify_audit(&self) -> Result<AuditReport, Failure> {
        self.integrate(true).await?;
        let client = self.pool.get().await?;
        let head: i64 = client.query_opt("SELECT seq FROM audit_head", &[]).await?.map_or(0, |r| r.get(0));
        let (mut last, mut prev, mut entries) = (0i64, GENESIS, 0u64);
        let statement = client
            .prepare_cached(
                "SELECT seq, at, agent, action, subject, verdict, prev_hash, hash, agent_name, desk FROM audit
                 WHERE seq > $1 ORDER BY seq LIMIT 10000",
            )
            .await?;
        loop {
            let rows = client.query(&statement, &[&last]).await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let e = entry(row)?;
                entries += 1;
                if e.seq != last + 1 || e.prev_hash != prev {
                    return Ok(AuditReport { entries, problem: Some(ChainBreak::Broken { seq: e.seq, after: last }) });
                }
                if e.expected_hash() != e.hash {
                    return Ok(AuditReport { entries, problem: Some(ChainBreak::Edited { seq: e.seq }) });
                }
                (last, prev) = (e.seq, e.hash);
            }
        }
        if last < head {
            return Ok(AuditReport { entries, problem: Some(ChainBreak::Truncated { last, head }) });
        }
        // The logs desks brought when they moved in, each as it was.
        let sources =
            client.query("SELECT id, genesis, head_seq, head_hash FROM import_source ORDER BY id", &[]).await?;
        for source in &sources {
            let (id, genesis): (i64, &str) = (source.get(0), source.get(1));
            let desk = genesis.get(..16).unwrap_or(genesis).to_owned();
            let rows = client
                .query(
                    "SELECT seq, at, agent, action, subject, verdict, prev_hash, hash FROM imported_audit
                     WHERE source = $1 ORDER BY seq",
                    &[&id],
                )
                .await?;
            let (mut last, mut prev) = (0i64, GENESIS);
            for row in &rows {
                let seq: i64 = row.get(0);
                let at: Option<Timestamp> = row.get::<_, &str>(1).parse().ok();
                let hash = hash32(row.get(7))?;
                let expected = at.map(|at| entry_hash(seq, at, row.get(2), row.get(3), row.get(4), row.get(5), &prev));
                if seq != last + 1 || hash32(row.get(6))? != prev || expected != Some(hash) {
                    return Ok(AuditReport { entries, problem: Some(ChainBreak::Imported { desk, seq }) });
                }
                (last, prev) = (seq, hash);
                entries += 1;
            }
            if last != source.get::<_, i64>(2) || hex::encode(prev) != source.get::<_, &str>(3) {
                return Ok(AuditReport { entries, problem: Some(ChainBreak::Imported { desk, seq: last }) });
            }
        }
        Ok(AuditReport { entries, problem: None })
    }
}

fn entry(row: &tokio_postgres::Row) -> Result<AuditEntry, Failure> {
    Ok(AuditEntry {
        seq: row.get(0),
        at: row.get::<_, Ts>(1).0,
        agent: row.get(2),
        agent_name: row.get(8),
        desk: row.get(9),
        action: row.get(3),
        subject: row.get(4),
        verdict: row.get(5),
        prev_hash: hash32(row.get(6))?,
        hash: hash32(row.get(7))?,
    })
}
