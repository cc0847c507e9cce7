//! The desk's outbox: facts about the past — a contact note, a counter
//! case opened, its steps, its close — that the service could not take
//! when they happened. Each waits in a file in the data folder (written
//! whole and atomically, so a crash loses nothing) with the idempotency key
//! it was first sent with, and is delivered in order when the service is
//! back: once, however often the answer is lost on the way.
//!
//! A case opened while the service was away gets a local id (negative);
//! its steps wait under that id, and are sent under the service's id once
//! the case is delivered. P-codes never wait here: a code made where the
//! service cannot see it could never be redeemed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The outbox's file in the data folder.
pub const FILE: &str = "outbox.json";

/// One change waiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The idempotency key it was first sent with.
    pub key: String,
    /// What it is.
    pub change: Change,
}

/// The changes that may wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A contact with a caller.
    Contact {
        /// The caller.
        caller_id: i64,
        /// The contact.
        contact: mitid_core::service::NewContact,
    },
    /// A case opened; `local` is the id the desk gave it meanwhile.
    OpenCase {
        /// The local id (negative).
        local: i64,
    },
    /// A step of a case (by the service's id, or a local one).
    Step {
        /// The case.
        case: i64,
        /// The step.
        step: mitid_core::api::NewStep,
    },
    /// A case closed.
    Close {
        /// The case.
        case: i64,
        /// How it ended.
        outcome: String,
    },
}

/// The outbox as the file holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    /// Waiting, oldest first.
    pub items: Vec<Item>,
    /// The last local case id given (counting down from -1).
    pub last_local: i64,
    /// Local case ids delivered, and the service's ids for them.
    pub delivered: BTreeMap<i64, i64>,
    #[serde(skip)]
    path: PathBuf,
}

impl Outbox {
    /// The outbox in `dir` (empty when there is none; a file that cannot be
    /// read is set aside, never overwritten, and a new one started).
    pub fn open(dir: &Path) -> Self {
        let path = dir.join(FILE);
        let mut outbox = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                let aside = dir.join(format!("{FILE}.unreadable-{}", jiff::Timestamp::now().as_second()));
                let _ = std::fs::rename(&path, &aside);
                tracing::error!(file = %aside.display(), "the outbox could not be read; it was set aside");
                Self::default()
            }),
            Err(_) => Self::default(),
        };
        outbox.path = path;
        outbox
    }

    /// Writes the outbox (atomically).
    pub fn save(&self) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        mitid_core::config::write_atomically(&self.path, &text)
    }

    /// A new local case id.
    pub fn local_case(&mut self) -> i64 {
        self.last_local -= 1;
        self.last_local
    }

    /// The service's id for case `id` (itself when it is one already, or a
    /// local case not delivered yet).
    pub fn case_id(&self, id: i64) -> i64 {
        if id < 0 { self.delivered.get(&id).copied().unwrap_or(id) } else { id }
    }

    /// How many changes wait.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_waits_survives_in_its_file_and_a_torn_file_is_set_aside() {
        let dir = tempfile::tempdir().expect("a folder");
        let mut outbox = Outbox::open(dir.path());
        let local = outbox.local_case();
        assert_eq!(local, -1);
        outbox.items.push(Item { key: "k1".into(), change: Change::OpenCase { local } });
        outbox.items.push(Item { key: "k2".into(), change: Change::Close { case: local, outcome: "finished".into() } });
        outbox.save().expect("written");
        let again = Outbox::open(dir.path());
        assert_eq!(again.items, outbox.items);
        assert_eq!(again.last_local, -1);

        std::fs::write(dir.path().join(FILE), b"{torn").expect("written");
        let fresh = Outbox::open(dir.path());
        assert!(fresh.is_empty());
        let aside = std::fs::read_dir(dir.path()).expect("listed").filter_map(Result::ok);
        assert!(aside.map(|e| e.file_name().to_string_lossy().into_owned()).any(|n| n.contains("unreadable")));
    }
}
