//! The database: the connection pool, the schema and its migrations (safe
//! with several instances starting at once: one takes an advisory lock, the
//! others wait and find the work done), and instants as PostgreSQL's
//! `timestamptz`.

use std::error::Error as StdError;
use std::time::Duration;

use bytes::BytesMut;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use jiff::Timestamp;
use postgres_types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::NoTls;

use crate::config::DatabaseConfig;

/// Schema versions, in order; entry `n` takes the database from version `n`
/// to `n + 1`. Never edit a released entry: add a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: callers (with their folded name for search), phones, documents,
    // contacts; P-codes (keyed hashes only); counter cases; the audit log,
    // written in each change's transaction and chained by one integrator;
    // signed checkpoints; idempotency keys of changes sent again.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE caller (
        id BIGSERIAL PRIMARY KEY,
        given_name TEXT NOT NULL,
        family_name TEXT NOT NULL,
        birth_date DATE,
        nationality TEXT,
        email TEXT,
        language TEXT,
        notes TEXT NOT NULL DEFAULT '',
        name_key TEXT COLLATE "C" NOT NULL,
        terms TEXT[] NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX caller_email ON caller (lower(email) text_pattern_ops);
    CREATE INDEX caller_name_key ON caller (name_key);
    CREATE TABLE caller_term (
        term TEXT COLLATE "C" NOT NULL,
        caller_id BIGINT NOT NULL REFERENCES caller(id) ON DELETE CASCADE,
        PRIMARY KEY (term, caller_id)
    );
    CREATE INDEX caller_term_caller ON caller_term (caller_id);
    CREATE TABLE caller_phone (
        caller_id BIGINT NOT NULL REFERENCES caller(id) ON DELETE CASCADE,
        pos INT NOT NULL,
        e164 TEXT NOT NULL,
        PRIMARY KEY (caller_id, e164)
    );
    CREATE INDEX caller_phone_e164 ON caller_phone (e164);
    CREATE TABLE caller_document (
        id BIGSERIAL PRIMARY KEY,
        caller_id BIGINT NOT NULL REFERENCES caller(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('passport', 'id_card', 'other')),
        country TEXT NOT NULL,
        number TEXT NOT NULL
    );
    CREATE INDEX caller_document_caller ON caller_document (caller_id);
    CREATE TABLE contact (
        id BIGSERIAL PRIMARY KEY,
        caller_id BIGINT NOT NULL REFERENCES caller(id) ON DELETE CASCADE,
        at TIMESTAMPTZ NOT NULL,
        agent TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('phone', 'counter')),
        outcome TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX contact_caller ON contact (caller_id, at);
    CREATE TABLE pcode (
        id BIGSERIAL PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        caller_id BIGINT NOT NULL REFERENCES caller(id) ON DELETE CASCADE,
        code_hash BYTEA NOT NULL,
        issued_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        attempts_left SMALLINT NOT NULL CHECK (attempts_left BETWEEN 0 AND 3),
        state TEXT NOT NULL CHECK (state IN ('active', 'consumed', 'locked', 'revoked')),
        revoked_reason TEXT
    );
    CREATE INDEX pcode_caller ON pcode (caller_id, issued_at);
    CREATE TABLE enrollment_case (
        id BIGSERIAL PRIMARY KEY,
        agent TEXT NOT NULL,
        started TIMESTAMPTZ NOT NULL,
        ended TIMESTAMPTZ,
        outcome TEXT
    );
    CREATE TABLE enrollment_step (
        id BIGSERIAL PRIMARY KEY,
        case_id BIGINT NOT NULL REFERENCES enrollment_case(id) ON DELETE CASCADE,
        at TIMESTAMPTZ NOT NULL,
        step TEXT NOT NULL,
        verdict TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX enrollment_step_case ON enrollment_step (case_id, id);
    CREATE TABLE audit (
        id BIGSERIAL PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL,
        agent TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        verdict TEXT NOT NULL,
        seq BIGINT UNIQUE,
        prev_hash BYTEA,
        hash BYTEA,
        CHECK ((seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL))
    );
    CREATE INDEX audit_unchained ON audit (id) WHERE seq IS NULL;
    CREATE INDEX audit_agent ON audit (agent, seq);
    CREATE TABLE audit_head (
        one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
        seq BIGINT NOT NULL,
        hash BYTEA NOT NULL
    );
    CREATE TABLE audit_checkpoint (
        seq BIGINT PRIMARY KEY,
        head TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL,
        signature TEXT NOT NULL
    );
    CREATE TABLE idempotency (
        key TEXT PRIMARY KEY,
        request BYTEA NOT NULL,
        status SMALLINT NOT NULL,
        body TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL
    );
    "#,
    // 2: desks moved in: each by its first audit entry's hash, its chain
    // kept as it was (the instants as the desk wrote them, so every hash
    // can be checked again).
    r#"
    CREATE TABLE import_source (
        id BIGSERIAL PRIMARY KEY,
        genesis TEXT NOT NULL UNIQUE,
        key_fingerprint TEXT NOT NULL,
        head_seq BIGINT NOT NULL,
        head_hash TEXT NOT NULL,
        imported_at TIMESTAMPTZ NOT NULL,
        callers BIGINT NOT NULL DEFAULT 0,
        contacts BIGINT NOT NULL DEFAULT 0,
        pcodes BIGINT NOT NULL DEFAULT 0,
        cases BIGINT NOT NULL DEFAULT 0,
        entries BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX caller_email_c ON caller ((lower(email)) COLLATE "C");
    DROP INDEX caller_email;
    CREATE TABLE imported_audit (
        source BIGINT NOT NULL REFERENCES import_source(id),
        seq BIGINT NOT NULL,
        at TEXT NOT NULL,
        agent TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        verdict TEXT NOT NULL,
        prev_hash BYTEA NOT NULL,
        hash BYTEA NOT NULL,
        PRIMARY KEY (source, seq)
    );
    "#,
    // 3: search by indexes that intersect: the name's words as an array
    // (GIN, for whole words) and as one text (trigrams, for beginnings of
    // words), so a query of several words reads only the callers that
    // have all of them.
    r#"
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    ALTER TABLE caller ADD COLUMN words TEXT NOT NULL DEFAULT '';
    UPDATE caller SET words = ' ' || array_to_string(terms, ' ');
    CREATE INDEX caller_terms_gin ON caller USING gin (terms);
    CREATE INDEX caller_words_trgm ON caller USING gin (words gin_trgm_ops);
    "#,
    // 4: the site's trust store (CSCA certificates and CRLs, by the
    // SHA-256 of their DER; `seq` orders them for the list's ETag) and
    // the lists the server fetches on a schedule.
    r#"
    CREATE TABLE trust_entry (
        fingerprint TEXT PRIMARY KEY,
        seq BIGSERIAL NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('csca', 'crl')),
        der BYTEA NOT NULL,
        source TEXT NOT NULL,
        imported_at TIMESTAMPTZ NOT NULL,
        country TEXT,
        name TEXT NOT NULL,
        not_before BIGINT NOT NULL,
        not_after BIGINT NOT NULL
    );
    CREATE TABLE trust_fetch (
        url TEXT PRIMARY KEY,
        last_try TIMESTAMPTZ NOT NULL,
        last_ok TIMESTAMPTZ,
        last_error TEXT NOT NULL DEFAULT ''
    );
    "#,
    // 5: beginnings of words by an array of every word's beginnings (1 to
    // 12 letters) under a GIN index: one containment test intersects the
    // query's words exactly, where trigrams needed a recheck of many
    // rows (measured: 1.8 ms instead of 10 ms for two words at 1,000,000
    // callers). Computed by the database from the words, so every way a
    // name is written keeps it. And the whole name's key with the id, so
    // an exact name shared by thousands reads only the first ids, and a
    // name typed in order is a range of it. And each word's row carries
    // the name's length, so one word is ranked from its index alone.
    r#"
    CREATE INDEX caller_name_key_id ON caller (name_key, id);
    DROP INDEX caller_name_key;
    ALTER TABLE caller_term ADD COLUMN name_len INT NOT NULL DEFAULT 0;
    UPDATE caller_term t SET name_len = length(c.name_key) FROM caller c WHERE c.id = t.caller_id;
    ALTER TABLE caller_term DROP CONSTRAINT caller_term_pkey,
        ADD PRIMARY KEY (term, caller_id) INCLUDE (name_len);
    CREATE FUNCTION name_prefixes(terms TEXT[]) RETURNS TEXT[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN (SELECT coalesce(array_agg(DISTINCT left(t, n)), '{}')
                FROM unnest(terms) AS t, generate_series(1, least(length(t), 12)) AS n);
    ALTER TABLE caller ADD COLUMN prefixes TEXT[] GENERATED ALWAYS AS (name_prefixes(terms)) STORED;
    CREATE INDEX caller_prefixes_gin ON caller USING gin (prefixes);
    DROP INDEX caller_words_trgm;
    "#,
    // 6: redemption as the MitID side does it: each code bound to its
    // holder by keyed hashes taken at issuance (documents; names, date of
    // birth and nationality), and every attempt kept by its client and id,
    // so a retry — on any instance — gets the first answer and counts
    // nothing (the unique key makes the second insert wait for the first).
    r#"
    CREATE TABLE pcode_holder (
        hash BYTEA NOT NULL,
        pcode_id BIGINT NOT NULL REFERENCES pcode(id) ON DELETE CASCADE,
        binding TEXT NOT NULL CHECK (binding IN ('document', 'person')),
        PRIMARY KEY (hash, pcode_id)
    );
    CREATE INDEX pcode_holder_code ON pcode_holder (pcode_id);
    CREATE TABLE redemption (
        id BIGSERIAL PRIMARY KEY,
        client TEXT NOT NULL,
        attempt_id TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL,
        pcode_id BIGINT REFERENCES pcode(id) ON DELETE SET NULL,
        result TEXT,
        attempts_left SMALLINT NOT NULL DEFAULT 0,
        completed_at TIMESTAMPTZ,
        UNIQUE (client, attempt_id)
    );
    "#,
    // 7: the audit log names the signed-in person as the identity provider
    // gives them, and the desk they worked at (both in the entry's hash
    // when present; entries without them hash as before).
    r#"
    ALTER TABLE audit ADD COLUMN agent_name TEXT, ADD COLUMN desk TEXT;
    CREATE INDEX audit_desk ON audit (desk, seq) WHERE desk IS NOT NULL;
    "#,
];

/// The schema version this code writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Any key will do, so long as every instance takes the same one.
const MIGRATION_LOCK: i64 = 0x6d69_7469_645f_6d69;

/// Why the database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The server cannot be reached or refused the connection.
    #[error("the database cannot be reached: {0}")]
    Connect(String),
    /// A statement failed.
    #[error("the database failed: {0}")]
    Sql(#[from] tokio_postgres::Error),
    /// The database's schema is newer than this server knows.
    #[error("the database is at schema {found}, newer than this server's {known}: update mitid-assist-server")]
    TooNew {
        /// The database's.
        found: i64,
        /// This code's.
        known: i64,
    },
}

/// A pool of connections to the database in `config`.
pub fn pool(config: &DatabaseConfig) -> Result<Pool, DbError> {
    let mut pg: tokio_postgres::Config =
        config.url.parse().map_err(|e: tokio_postgres::Error| DbError::Connect(e.to_string()))?;
    pg.application_name("mitid-assist-server");
    pg.connect_timeout(Duration::from_millis(config.connect_timeout_ms));
    pg.options(format!(
        "-c statement_timeout={} -c lock_timeout={}",
        config.statement_timeout_ms, config.statement_timeout_ms
    ));
    let manager = Manager::from_config(pg, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    let wait = Some(Duration::from_millis(config.connect_timeout_ms));
    Pool::builder(manager)
        .max_size(config.pool_size.max(1))
        .runtime(Runtime::Tokio1)
        .wait_timeout(wait)
        .create_timeout(wait)
        .recycle_timeout(wait)
        .build()
        .map_err(|e| DbError::Connect(e.to_string()))
}

/// Brings the schema up to [`SCHEMA_VERSION`]; returns the version found.
/// Instances starting together wait for each other on an advisory lock.
/// A migration may take minutes on a large site (an index over every
/// caller): the statement and lock timeouts of requests do not apply to
/// it, nor to the wait for another instance's.
pub async fn migrate(pool: &Pool) -> Result<i64, DbError> {
    let mut client = pool.get().await.map_err(|e| DbError::Connect(e.to_string()))?;
    client.batch_execute("SET statement_timeout = 0; SET lock_timeout = 0").await?;
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK]).await?;
    let result = async {
        client.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)").await?;
        let found: i64 = client.query_opt("SELECT version FROM schema_version", &[]).await?.map_or(0, |row| row.get(0));
        if found > SCHEMA_VERSION {
            return Err(DbError::TooNew { found, known: SCHEMA_VERSION });
        }
        for (at, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(found).unwrap_or(0)) {
            let tx = client.transaction().await?;
            tx.batch_execute(sql).await?;
            let version = at as i64 + 1;
            tx.execute("DELETE FROM schema_version", &[]).await?;
            tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&version]).await?;
            tx.commit().await?;
            tracing::info!(version, "database schema migrated");
        }
        Ok(found)
    }
    .await;
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]).await;
    // Back to the configured timeouts before the connection serves requests.
    let reset = client.batch_execute("RESET statement_timeout; RESET lock_timeout").await;
    let found = result?;
    unlocked?;
    reset?;
    Ok(found)
}

/// An instant as `timestamptz` (microseconds: PostgreSQL's precision, so
/// every instant the service stamps is cut to it first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ts(pub Timestamp);

/// Seconds from 1970 to PostgreSQL's epoch, 2000-01-01.
const PG_EPOCH: i64 = 946_684_800;

impl Ts {
    /// `at`, cut to microseconds.
    pub fn micros(at: Timestamp) -> Timestamp {
        Timestamp::from_microsecond(at.as_microsecond()).unwrap_or(at)
    }
}

impl ToSql for Ts {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        let micros = self.0.as_microsecond() - PG_EPOCH * 1_000_000;
        out.extend_from_slice(&micros.to_be_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TIMESTAMPTZ
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Ts {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        let bytes: [u8; 8] = raw.try_into()?;
        let micros = i64::from_be_bytes(bytes).checked_add(PG_EPOCH * 1_000_000).ok_or("instant out of range")?;
        Ok(Self(Timestamp::from_microsecond(micros)?))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TIMESTAMPTZ
    }
}
