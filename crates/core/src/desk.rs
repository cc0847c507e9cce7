//! The embedded desk service: a single desk's SQLite file, its P-code key,
//! MitID Support's hours and the clock, with the agent's name on every
//! change — [`DeskService`] over the desk's own records. Issuing is refused
//! outside Support's hours here, in the service, whatever the client shows.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::Clock;
use crate::api::{Completed, RedemptionAnswer, RedemptionRequest};
use crate::audit::{AuditEntry, ChainBreak};
use crate::caller::{Caller, CallerDetails, Contact};
use crate::checkpoint::{self, CheckpointKey};
use crate::keys::{self, KeyError, KeyStore, KeyStoreKind};
use crate::pcode::{CodeKey, PCode, PCodeInfo, Redemption};
use crate::redemption::{DESK_CLIENT, holder_hashes};
use crate::service::{DeskService, NewContact, TrustOrigin, TrustView};
use crate::store::Whose;
use crate::store::{AuditFilter, AuditReport, CaseStep, Hit, Store, StoreError};
use crate::support_hours::SupportHours;
use crate::trust::{self, ImportReport, TrustRefusal, TrustStore};

/// The `[desk]` table of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeskConfig {
    /// The agent's id in the audit log; the login name when absent.
    pub agent: Option<String>,
    /// How many usable P-codes a caller may hold at once.
    pub max_active_pcodes: u32,
    /// Where the P-code key is kept (demo mode always uses a file).
    pub key_store: KeyStoreKind,
}

impl Default for DeskConfig {
    fn default() -> Self {
        Self { agent: None, max_active_pcodes: 1, key_store: KeyStoreKind::SecretService }
    }
}

impl DeskConfig {
    /// The agent id: the configured one, else the login name.
    pub fn agent_id(&self) -> String {
        self.agent
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("USERNAME").ok())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| "unknown-agent".to_owned())
    }
}

/// Why the desk cannot be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The key.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// The file name of the database in the data dir.
pub const DATABASE: &str = "desk.sqlite";

/// An open desk.
#[derive(Debug)]
pub struct Desk {
    store: Store,
    key: CodeKey,
    hours: SupportHours,
    clock: Arc<dyn Clock>,
    agent: String,
    max_active: u32,
    /// Signs the audit chain's head, with a key outside the database.
    checkpoints: CheckpointKey,
    /// The data folder, where the signed head is remembered.
    dir: PathBuf,
    /// A demo desk (its key in a file): lessons may set up what a real
    /// desk never would.
    demo: bool,
}

impl Desk {
    /// Opens the database in `data_dir` and the P-code key in `key_store`,
    /// and checks that they belong together.
    pub fn open(
        data_dir: &Path,
        key_store: &KeyStore,
        hours: SupportHours,
        clock: Arc<dyn Clock>,
        config: &DeskConfig,
    ) -> Result<Self, DeskError> {
        let mut store = Store::open(&data_dir.join(DATABASE))?;
        // libphonenumber loads its tables on first use (tens of ms): here,
        // off the UI thread, rather than in the agent's first phone search.
        let _ = crate::caller::Phone::parse("+4520123456");
        let (key, _) = keys::code_key(key_store)?;
        store.bind_key(&key)?;
        store.bind_holders(&key)?;
        let checkpoints = CheckpointKey::from_code_key(&key);
        let (agent, max_active) = (config.agent_id(), config.max_active_pcodes.max(1));
        let demo = matches!(key_store, KeyStore::DemoFile(_));
        let desk = Self { store, key, hours, clock, agent, max_active, checkpoints, dir: data_dir.to_owned(), demo };
        // A new signed head, unless the one remembered no longer holds: that
        // stays for `verify_audit` to report.
        if desk.checkpoint_problem()?.is_none() {
            desk.checkpoint_now();
        }
        Ok(desk)
    }

    /// The trust store of the desk in `data_dir`, as [`DeskService::trust`]
    /// gives it — readable without the P-code key (reading a chip needs
    /// no records).
    pub fn own_trust(data_dir: &Path, now: Timestamp) -> Result<TrustView, StoreError> {
        let store = TrustStore::open(data_dir).map_err(|e| TrustRefusal::from(&e))?;
        let warnings = trust::warnings(store.entries().map(|(_, e)| e), now, trust::WARN_DAYS);
        Ok(TrustView { store, origin: TrustOrigin::Desk, warnings })
    }

    /// What the remembered signed head says of the log now: nothing when it
    /// holds (or none is remembered yet).
    fn checkpoint_problem(&self) -> Result<Option<ChainBreak>, StoreError> {
        let remembered = match checkpoint::remembered(&self.dir) {
            checkpoint::Remembered::Unreadable => return Ok(Some(ChainBreak::ForgedCheckpoint)),
            checkpoint::Remembered::Nothing => return Ok(None),
            checkpoint::Remembered::Checkpoint(remembered) => remembered,
        };
        if !self.checkpoints.signed(&remembered) {
            return Ok(Some(ChainBreak::ForgedCheckpoint));
        }
        let holds = self.store.audit_hash_at(remembered.seq)?.is_some_and(|hash| hex::encode(hash) == remembered.head);
        Ok((!holds).then_some(ChainBreak::Rewritten { seq: remembered.seq }))
    }

    /// Signs the log's head now and remembers it (a failure to write the
    /// file leaves the one before, which still holds).
    fn checkpoint_now(&self) {
        if let Ok(Some((seq, hash))) = self.store.audit_head() {
            let _ = checkpoint::remember(&self.dir, &self.checkpoints.sign(seq, &hash, self.clock.now()));
        }
    }

    /// An entry of a code in the MitID app, as the shared service's
    /// `POST /v1/redemptions` takes it from the MitID side — here for a
    /// single desk and demo mode, by the same rules.
    pub fn redeem(&mut self, request: &RedemptionRequest) -> Result<RedemptionAnswer, StoreError> {
        let code: PCode = request.code.parse()?;
        request.holder.check()?;
        let hashes = holder_hashes(&self.key, &request.holder);
        let now = self.clock.now();
        self.store.redeem(Whose::Holder(&hashes), &code, DESK_CLIENT, &request.attempt_id, &self.key, now)
    }

    /// The MitID side reports an accepted entry's enrollment completed:
    /// its code is void.
    pub fn complete_redemption(&mut self, id: i64) -> Result<Completed, StoreError> {
        let now = self.clock.now();
        self.store.complete_redemption(id, DESK_CLIENT, now)
    }

    /// The key store for a mode: a file in the data dir in demo mode.
    pub fn key_store(data_dir: &Path, demo: bool, kind: KeyStoreKind) -> KeyStore {
        if demo { KeyStore::DemoFile(data_dir.join("pcode-demo.key")) } else { KeyStore::keyring(kind) }
    }

    /// The store itself — for tests and benchmarks of the store, never
    /// for the screens or the command line, which go through
    /// [`DeskService`].
    #[doc(hidden)]
    pub fn raw_store(&mut self) -> &mut Store {
        &mut self.store
    }
}

/// The embedded service: the desk's own SQLite file.
impl DeskService for Desk {
    fn agent(&self) -> &str {
        &self.agent
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn hours(&self) -> &SupportHours {
        &self.hours
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        self.store.search(query, limit)
    }

    fn caller(&self, id: i64) -> Result<Option<Caller>, StoreError> {
        self.store.caller(id)
    }

    fn caller_count(&self) -> Result<u64, StoreError> {
        self.store.caller_count()
    }

    fn add_caller(&mut self, details: CallerDetails) -> Result<i64, StoreError> {
        let now = self.clock.now();
        self.store.add_caller(details, &self.agent, now)
    }

    fn add_callers(&mut self, batch: Vec<CallerDetails>, action: &str) -> Result<Vec<i64>, StoreError> {
        let now = self.clock.now();
        self.store.add_callers(batch, &self.agent, action, now)
    }

    fn update_caller(&mut self, id: i64, details: CallerDetails) -> Result<(), StoreError> {
        let now = self.clock.now();
        self.store.update_caller(id, details, &self.agent, now)
    }

    fn delete_caller(&mut self, id: i64) -> Result<(), StoreError> {
        let now = self.clock.now();
        self.store.delete_caller(id, &self.agent, now)
    }

    fn merge_callers(&mut self, into: i64, from: i64) -> Result<(), StoreError> {
        let now = self.clock.now();
        self.store.merge_callers(into, from, &self.agent, now)
    }

    fn log_contact(&mut self, caller_id: i64, contact: NewContact) -> Result<(), StoreError> {
        let NewContact { channel, outcome, note } = contact;
        let contact = Contact { at: self.clock.now(), agent: self.agent.clone(), channel, outcome, note };
        self.store.log_contact(caller_id, &contact)
    }

    fn contacts(&self, caller_id: i64) -> Result<Vec<Contact>, StoreError> {
        self.store.contacts(caller_id)
    }

    fn issue_pcode(&mut self, caller_id: i64) -> Result<(PCode, PCodeInfo), StoreError> {
        let now = self.clock.now();
        let status = self.hours.status(now);
        if !status.open {
            // Refused here, by the service, whatever the client showed.
            let subject = format!("caller:{caller_id}");
            self.store.audit_refusal(now, &self.agent, "pcode.issue", &subject, "refused:closed")?;
            let next_open = status
                .next_change
                .map(|t| t.display_with_offset(self.hours.time_zone().to_offset(t)).to_string())
                .unwrap_or_else(|| "when a new opening is planned".into());
            return Err(StoreError::Closed { next_open });
        }
        self.store.issue_pcode(caller_id, &self.key, self.max_active, &self.agent, now)
    }

    fn issue_expired_pcode_for_lesson(&mut self, caller_id: i64) -> Result<PCodeInfo, StoreError> {
        if !self.demo {
            return Err(StoreError::Refused("only a demo desk gives a lesson's callers expired P-codes".into()));
        }
        let at = crate::lesson::expired_code_issued_at(self.clock.now());
        let (_, info) = self.store.issue_pcode(caller_id, &self.key, self.max_active, &self.agent, at)?;
        Ok(info)
    }

    fn redeem_pcode(&mut self, caller_id: i64, code: &PCode) -> Result<(Redemption, u8), StoreError> {
        let now = self.clock.now();
        self.store.redeem_pcode_counted(caller_id, code, &self.key, now)
    }

    fn revoke_pcode(&mut self, reference: &str, reason: &str) -> Result<PCodeInfo, StoreError> {
        let now = self.clock.now();
        self.store.revoke_pcode(reference, reason, &self.agent, now)
    }

    fn pcode(&self, reference: &str) -> Result<Option<PCodeInfo>, StoreError> {
        self.store.pcode(reference)
    }

    fn pcodes(&self, caller_id: i64) -> Result<Vec<PCodeInfo>, StoreError> {
        self.store.pcodes(caller_id)
    }

    fn open_case(&mut self) -> Result<i64, StoreError> {
        let now = self.clock.now();
        self.store.open_case(&self.agent, now)
    }

    fn record_case_step(&mut self, id: i64, step: &str, verdict: &str, detail: &str) -> Result<(), StoreError> {
        let step = CaseStep { at: self.clock.now(), step: step.into(), verdict: verdict.into(), detail: detail.into() };
        self.store.record_case_step(id, &self.agent, &step)
    }

    fn close_case(&mut self, id: i64, outcome: &str) -> Result<(), StoreError> {
        let now = self.clock.now();
        self.store.close_case(id, &self.agent, outcome, now)
    }

    fn case_steps(&self, id: i64) -> Result<Vec<CaseStep>, StoreError> {
        self.store.case_steps(id)
    }

    fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        self.store.audit_entries(filter)
    }

    /// The chain, and the signed head the desk remembers: a chain written
    /// anew verifies on its own, but no longer holds that head. A log that
    /// checks out is signed again at its new head.
    fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        let mut report = self.store.verify_audit()?;
        if report.problem.is_none() {
            report.problem = self.checkpoint_problem()?;
        }
        if report.problem.is_none() {
            self.checkpoint_now();
        }
        Ok(report)
    }

    fn trust(&self) -> Result<TrustView, StoreError> {
        Self::own_trust(&self.dir, self.clock.now())
    }

    fn import_trust(&mut self, bytes: &[u8], source: &str) -> Result<ImportReport, StoreError> {
        let now = self.clock.now();
        let mut store = TrustStore::open(&self.dir).map_err(|e| TrustRefusal::from(&e))?;
        let subject = format!("trust:{source}");
        match store.import(bytes, source, now) {
            Ok(report) => {
                let verdict = format!("{}: {} new, {} already", report.kind, report.added, report.already);
                self.store.audit_refusal(now, &self.agent, "trust.import", &subject, &verdict)?;
                Ok(report)
            }
            Err(e) => {
                let refusal = TrustRefusal::from(&e);
                self.store.audit_refusal(now, &self.agent, "trust.import", &subject, refusal.code())?;
                Err(refusal.into())
            }
        }
    }
}
