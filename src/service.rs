//! The desk service as the UI holds it: shared, and only ever used off the
//! UI thread (SQLite and the keyring block).

use std::sync::{Arc, Mutex};

use mitid_core::desk::Desk;

/// A handle to the open desk.
#[derive(Debug, Clone)]
pub struct DeskHandle(Arc<Mutex<Desk>>);

impl DeskHandle {
    /// Wraps an open desk.
    pub fn new(desk: Desk) -> Self {
        Self(Arc::new(Mutex::new(desk)))
    }

    /// Runs `f` on a blocking thread; an `Err` only when `f` panicked.
    pub async fn run<T: Send + 'static>(self, f: impl FnOnce(&mut Desk) -> T + Send + 'static) -> Result<T, String> {
        tokio::task::spawn_blocking(move || {
            let mut desk = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut desk)
        })
        .await
        .map_err(|e| e.to_string())
    }

    /// Runs `f` here, blocking (tests, and work that must finish before exit).
    pub fn run_blocking<T>(&self, f: impl FnOnce(&mut Desk) -> T) -> T {
        let mut desk = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut desk)
    }
}
