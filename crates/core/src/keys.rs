//! Where the P-code key lives: the desktop's Secret Service (GNOME Keyring,
//! KWallet) by default, the kernel keyring when configured (it does not
//! survive a reboot), or — in demo mode only — a file in the demo data dir.
//!
//! The key is made on first use. The store remembers the key's fingerprint,
//! so a different key (a reset keyring) is refused instead of silently
//! failing every redemption.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::pcode::CodeKey;

const SERVICE: &str = "mitid-assist";
const ACCOUNT: &str = "pcode-hmac-key";

/// Which key store to use (`key_store` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyStoreKind {
    /// The desktop's Secret Service over D-Bus.
    #[default]
    SecretService,
    /// The Linux kernel's keyring (lost at reboot; for servers that load it at login).
    Kernel,
}

/// A key store, resolved.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyStore {
    /// A keyring entry named after `service` (so tests and demo can keep apart).
    Keyring {
        /// Which keyring.
        kind: KeyStoreKind,
        /// The entry's service name.
        service: String,
    },
    /// A file holding the key in hex: demo mode only.
    DemoFile(PathBuf),
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Keyring { kind, service } => write!(f, "Keyring({kind:?}, {service})"),
            Self::DemoFile(path) => write!(f, "DemoFile({})", path.display()),
        }
    }
}

impl KeyStore {
    /// The app's keyring entry in the configured store.
    pub fn keyring(kind: KeyStoreKind) -> Self {
        Self::Keyring { kind, service: SERVICE.to_owned() }
    }
}

/// Why the key could not be had, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The keyring could not be reached.
    #[error("the P-code key cannot be read from the {store}: {detail}. {advice}")]
    Unavailable {
        /// Which store.
        store: &'static str,
        /// What it said.
        detail: String,
        /// What to do.
        advice: &'static str,
    },
    /// The entry is there but is not a key.
    #[error(
        "the P-code key in the {0} is damaged; restore it from the backup (a new key would void every P-code issued)"
    )]
    Damaged(&'static str),
    /// The demo key file could not be used.
    #[error("the demo key file {path} cannot be used: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No random numbers for a new key.
    #[error("the system's random generator failed: {0}")]
    Random(String),
}

fn entry(kind: KeyStoreKind, service: &str) -> Result<keyring::Entry, keyring::Error> {
    let credential: Box<keyring::Credential> = match kind {
        KeyStoreKind::SecretService => {
            Box::new(keyring::secret_service::SsCredential::new_with_target(None, service, ACCOUNT)?)
        }
        KeyStoreKind::Kernel => {
            Box::new(keyring::keyutils::KeyutilsCredential::new_with_target(None, service, ACCOUNT)?)
        }
    };
    Ok(keyring::Entry::new_with_credential(credential))
}

fn store_name(kind: KeyStoreKind) -> &'static str {
    match kind {
        KeyStoreKind::SecretService => "desktop keyring (Secret Service)",
        KeyStoreKind::Kernel => "kernel keyring",
    }
}

fn unavailable(kind: KeyStoreKind, error: keyring::Error) -> KeyError {
    KeyError::Unavailable {
        store: store_name(kind),
        detail: error.to_string(),
        advice: match kind {
            KeyStoreKind::SecretService => {
                "Unlock or start the desktop keyring (GNOME Keyring, KWallet), or set key_store = \"kernel\" in the configuration"
            }
            KeyStoreKind::Kernel => "Run the app in a login session that has a session keyring",
        },
    }
}

/// The P-code key from `store`, made and stored there on first use. The
/// boolean says whether it was made just now.
pub fn code_key(store: &KeyStore) -> Result<(CodeKey, bool), KeyError> {
    match store {
        KeyStore::Keyring { kind, service } => {
            let entry = entry(*kind, service).map_err(|e| unavailable(*kind, e))?;
            match entry.get_password() {
                Ok(text) => CodeKey::from_hex(&text).map(|k| (k, false)).ok_or(KeyError::Damaged(store_name(*kind))),
                Err(keyring::Error::NoEntry) => {
                    let key = CodeKey::generate().map_err(|e| KeyError::Random(e.to_string()))?;
                    entry.set_password(&key.to_hex()).map_err(|e| unavailable(*kind, e))?;
                    // Read it back: a store that accepts and forgets is no store.
                    let back = entry.get_password().map_err(|e| unavailable(*kind, e))?;
                    if CodeKey::from_hex(&back).map(|k| k.fingerprint()) != Some(key.fingerprint()) {
                        return Err(KeyError::Damaged(store_name(*kind)));
                    }
                    Ok((key, true))
                }
                Err(e) => Err(unavailable(*kind, e)),
            }
        }
        KeyStore::DemoFile(path) => {
            let file_error = |source| KeyError::File { path: path.clone(), source };
            match std::fs::read_to_string(path) {
                Ok(text) => CodeKey::from_hex(&text).map(|k| (k, false)).ok_or(KeyError::Damaged("demo key file")),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let key = CodeKey::generate().map_err(|e| KeyError::Random(e.to_string()))?;
                    crate::config::write_atomically(path, key.to_hex().as_bytes()).map_err(file_error)?;
                    Ok((key, true))
                }
                Err(e) => Err(file_error(e)),
            }
        }
    }
}

/// A secret of the app's other than the P-code key — a sign-in's refresh
/// token — in the keyring `kind` under `service`: `None` when there is none.
pub fn read_secret(kind: KeyStoreKind, service: &str) -> Result<Option<String>, String> {
    let entry = entry(kind, service).map_err(|e| format!("the {}: {e}", store_name(kind)))?;
    match entry.get_password() {
        Ok(text) => Ok(Some(text)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(format!("the {}: {e}", store_name(kind))),
    }
}

/// Keeps a secret (see [`read_secret`]).
pub fn write_secret(kind: KeyStoreKind, service: &str, value: &str) -> Result<(), String> {
    let entry = entry(kind, service).map_err(|e| format!("the {}: {e}", store_name(kind)))?;
    entry.set_password(value).map_err(|e| format!("the {}: {e}", store_name(kind)))
}

/// Removes a secret (see [`read_secret`]); none there is no error.
pub fn delete_secret(kind: KeyStoreKind, service: &str) -> Result<(), String> {
    let entry = entry(kind, service).map_err(|e| format!("the {}: {e}", store_name(kind)))?;
    match entry.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(format!("the {}: {e}", store_name(kind))),
    }
}

/// Removes the key from a keyring (tests, and a trainer resetting a demo).
pub fn forget(store: &KeyStore) -> Result<(), KeyError> {
    match store {
        KeyStore::Keyring { kind, service } => {
            let entry = entry(*kind, service).map_err(|e| unavailable(*kind, e))?;
            match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(unavailable(*kind, e)),
            }
        }
        KeyStore::DemoFile(path) => match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(KeyError::File { path: path.clone(), source: e }),
            _ => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_file_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::DemoFile(dir.path().join("pcode.key"));
        let (first, made) = code_key(&store).unwrap();
        assert!(made);
        let (again, made) = code_key(&store).unwrap();
        assert!(!made);
        assert_eq!(first.fingerprint(), again.fingerprint());
        std::fs::write(dir.path().join("pcode.key"), "not a key").unwrap();
        assert!(matches!(code_key(&store), Err(KeyError::Damaged(_))));
        forget(&store).unwrap();
        assert!(code_key(&store).unwrap().1);
    }

    /// The real keyrings: run by packaging/test.sh inside `keyctl session`
    /// (kernel) and `dbus-run-session` with an unlocked gnome-keyring
    /// (Secret Service), which set MITID_TEST_KEYRINGS.
    #[test]
    fn real_keyrings_keep_the_key() {
        let wanted = std::env::var("MITID_TEST_KEYRINGS").unwrap_or_default();
        if wanted.is_empty() {
            assert!(std::env::var_os("CI").is_none(), "CI must test the real keyrings: set MITID_TEST_KEYRINGS");
            eprintln!("skipped: MITID_TEST_KEYRINGS names no keyring to test (packaging/test.sh sets it)");
            return;
        }
        for name in wanted.split(',') {
            let kind = match name.trim() {
                "kernel" => KeyStoreKind::Kernel,
                "secret-service" => KeyStoreKind::SecretService,
                other => panic!("unknown keyring {other:?}"),
            };
            let store = KeyStore::Keyring { kind, service: format!("mitid-assist-test-{}", std::process::id()) };
            forget(&store).unwrap();
            let (key, made) = code_key(&store).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(made, "{name}");
            let (again, made) = code_key(&store).unwrap();
            assert!(!made, "{name}");
            assert_eq!(key.fingerprint(), again.fingerprint(), "{name} keeps the key");
            forget(&store).unwrap();
            assert!(code_key(&store).unwrap().1, "{name}: forgotten, a new key is made");
            forget(&store).unwrap();
        }
    }
}
