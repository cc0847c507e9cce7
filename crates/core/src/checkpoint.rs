//! Signed checkpoints of the audit chain. A hash chain shows an edited,
//! removed or reordered entry — but whoever can write the database can also
//! write the whole chain anew, every hash recomputed, and it verifies. What
//! makes that evident is a copy of the head kept outside the database and
//! signed with a key the database does not hold: the desk signs the head it
//! last saw verify (ECDSA P-256, the key derived from the P-code key in the
//! keyring) and remembers it in a file of its own; a chain that no longer
//! holds that entry was rewritten, and a remembered checkpoint that does not
//! carry the desk's signature was replaced.

use std::path::Path;

use jiff::Timestamp;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::pcode::CodeKey;

/// The file, in the data folder, that remembers the last checkpoint.
pub const FILE: &str = "audit-checkpoint.json";

/// The head of the chain at an instant, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkpoint {
    /// The entry the chain ended with.
    pub seq: i64,
    /// That entry's hash, hex.
    pub head: String,
    /// When it was signed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// The signature (DER, hex) over the three.
    pub signature: String,
}

/// The key checkpoints are signed with.
pub struct CheckpointKey(SigningKey);

impl std::fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckpointKey(..)")
    }
}

fn message(seq: i64, head: &str, at: Timestamp) -> String {
    format!("mitid-assist audit checkpoint v1\n{seq}\n{head}\n{at}")
}

impl CheckpointKey {
    /// The desk's checkpoint key, derived from its P-code key: kept (and
    /// backed up) with it, outside the database.
    pub fn from_code_key(key: &CodeKey) -> Self {
        // A derived value that is no valid scalar (about 2^-32) is derived again.
        let mut label = b"mitid-assist audit checkpoint key 0".to_vec();
        loop {
            if let Ok(signing) = SigningKey::from_bytes(&key.derive(&label).into()) {
                return Self(signing);
            }
            if let Some(last) = label.last_mut() {
                *last = last.wrapping_add(1);
            }
        }
    }

    /// Signs the chain's head `head` (entry `seq`) at `at`.
    pub fn sign(&self, seq: i64, head: &[u8; 32], at: Timestamp) -> Checkpoint {
        let head = hex::encode(head);
        let signature: Signature = self.0.sign(message(seq, &head, at).as_bytes());
        Checkpoint { seq, head, at, signature: hex::encode(signature.to_der().as_bytes()) }
    }

    /// Whether `checkpoint` carries this key's signature.
    pub fn signed(&self, checkpoint: &Checkpoint) -> bool {
        signed_by(self.0.verifying_key(), checkpoint)
    }

    /// The public half, hex (SEC1, compressed): what a desk pins to check a
    /// service's checkpoints without holding its key.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_sec1_point(true).as_bytes())
    }
}

fn signed_by(key: &VerifyingKey, checkpoint: &Checkpoint) -> bool {
    let Some(signature) = hex::decode(&checkpoint.signature).ok().and_then(|d| Signature::from_der(&d).ok()) else {
        return false;
    };
    let text = message(checkpoint.seq, &checkpoint.head, checkpoint.at);
    key.verify(text.as_bytes(), &signature).is_ok()
}

/// Whether `checkpoint` carries the signature of the key whose public half
/// is `public` ([`CheckpointKey::public_hex`]); false for a key that is not
/// one.
pub fn signed_by_public(public: &str, checkpoint: &Checkpoint) -> bool {
    hex::decode(public)
        .ok()
        .and_then(|bytes| VerifyingKey::from_sec1_bytes(&bytes).ok())
        .is_some_and(|key| signed_by(&key, checkpoint))
}

/// What the data folder remembers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remembered {
    /// No checkpoint yet.
    Nothing,
    /// This checkpoint.
    Checkpoint(Checkpoint),
    /// A file that cannot be read as one (torn or edited: no checkpoint of
    /// this desk's).
    Unreadable,
}

/// The checkpoint remembered in `dir`.
pub fn remembered(dir: &Path) -> Remembered {
    match std::fs::read(dir.join(FILE)) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_or(Remembered::Unreadable, Remembered::Checkpoint),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Remembered::Nothing,
        Err(_) => Remembered::Unreadable,
    }
}

/// Remembers `checkpoint` in `dir` (replaced atomically).
pub fn remember(dir: &Path, checkpoint: &Checkpoint) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(checkpoint).map_err(std::io::Error::other)?;
    crate::config::write_atomically(&dir.join(FILE), &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_verifies_only_as_signed_and_by_its_key() {
        let key = CheckpointKey::from_code_key(&CodeKey::from_bytes([7; 32]));
        let at: Timestamp = "2026-11-24T09:00:00Z".parse().expect("an instant");
        let checkpoint = key.sign(42, &[9; 32], at);
        assert!(key.signed(&checkpoint));
        // The same P-code key gives the same checkpoint key; another does not.
        assert!(CheckpointKey::from_code_key(&CodeKey::from_bytes([7; 32])).signed(&checkpoint));
        assert!(!CheckpointKey::from_code_key(&CodeKey::from_bytes([8; 32])).signed(&checkpoint));
        assert!(signed_by_public(&key.public_hex(), &checkpoint));
        assert!(!signed_by_public("02ff", &checkpoint));
        let other = CheckpointKey::from_code_key(&CodeKey::from_bytes([8; 32]));
        assert!(!signed_by_public(&other.public_hex(), &checkpoint));
        for altered in [
            Checkpoint { seq: 43, ..checkpoint.clone() },
            Checkpoint { head: hex::encode([1; 32]), ..checkpoint.clone() },
            Checkpoint { at: at + jiff::SignedDuration::from_secs(1), ..checkpoint.clone() },
            Checkpoint { signature: "00".into(), ..checkpoint.clone() },
            Checkpoint { signature: "not hex".into(), ..checkpoint.clone() },
        ] {
            assert!(!key.signed(&altered), "{altered:?}");
        }
    }

    #[test]
    fn remembered_in_a_file_of_its_own() {
        let dir = tempfile::tempdir().expect("a folder");
        assert_eq!(remembered(dir.path()), Remembered::Nothing);
        let key = CheckpointKey::from_code_key(&CodeKey::from_bytes([7; 32]));
        let checkpoint = key.sign(3, &[5; 32], "2026-11-24T09:00:00Z".parse().expect("an instant"));
        remember(dir.path(), &checkpoint).expect("written");
        assert_eq!(remembered(dir.path()), Remembered::Checkpoint(checkpoint));
        std::fs::write(dir.path().join(FILE), b"{torn").expect("written");
        assert_eq!(remembered(dir.path()), Remembered::Unreadable);
    }
}
