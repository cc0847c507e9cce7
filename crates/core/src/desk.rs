//! The desk service as the app and the command line use it: the store, the
//! P-code key, MitID Support's hours and the clock, with the agent's name on
//! every change. Issuing is refused outside Support's hours here, in the
//! service, whatever the client shows.

use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::Clock;
use crate::keys::{self, KeyError, KeyStore, KeyStoreKind};
use crate::pcode::{CodeKey, PCode, PCodeInfo, Redemption};
use crate::store::{Store, StoreError};
use crate::support_hours::SupportHours;

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
        Ok(Self { store, key, hours, clock, agent: config.agent_id(), max_active: config.max_active_pcodes.max(1) })
    }

    /// The key store for a mode: a file in the data dir in demo mode.
    pub fn key_store(data_dir: &Path, demo: bool, kind: KeyStoreKind) -> KeyStore {
        if demo { KeyStore::DemoFile(data_dir.join("pcode-demo.key")) } else { KeyStore::keyring(kind) }
    }

    /// The store, for reading and for changes that need no key.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, for changes.
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The agent changes are recorded under.
    pub fn agent(&self) -> &str {
        &self.agent
    }

    /// Now, by the desk's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// MitID Support's hours.
    pub fn hours(&self) -> &SupportHours {
        &self.hours
    }

    /// Issues a P-code to a caller — only while MitID Support is open.
    pub fn issue_pcode(&mut self, caller_id: i64) -> Result<(PCode, PCodeInfo), StoreError> {
        let now = self.clock.now();
        self.store.issue_pcode(caller_id, &self.key, &self.hours, self.max_active, &self.agent, now)
    }

    /// Redeems a code for a caller, as the citizen's MitID app would; with
    /// the attempts left afterwards.
    pub fn redeem_pcode(&mut self, caller_id: i64, code: &PCode) -> Result<(Redemption, u8), StoreError> {
        let now = self.clock.now();
        self.store.redeem_pcode_counted(caller_id, code, &self.key, now)
    }

    /// Revokes a P-code with a reason.
    pub fn revoke_pcode(&mut self, reference: &str, reason: &str) -> Result<PCodeInfo, StoreError> {
        let now = self.clock.now();
        self.store.revoke_pcode(reference, reason, &self.agent, now)
    }
}
