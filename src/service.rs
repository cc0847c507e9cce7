//! The desk service as the UI holds it: shared, and only ever used off the
//! UI thread (SQLite, the keyring and the network block). Whatever service
//! it is — the embedded one or a client of the shared one — the screens
//! reach it only through [`DeskService`].

use std::sync::{Arc, Mutex};

use mitid_core::service::DeskService;

/// A handle to the open desk service.
#[derive(Clone)]
pub struct DeskHandle(Arc<Mutex<Box<dyn DeskService>>>);

impl std::fmt::Debug for DeskHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeskHandle(..)")
    }
}

impl DeskHandle {
    /// Wraps an open service.
    pub fn new(service: impl DeskService + 'static) -> Self {
        Self(Arc::new(Mutex::new(Box::new(service))))
    }

    /// Runs `f` on a blocking thread; an `Err` only when `f` panicked.
    pub async fn run<T: Send + 'static>(
        self,
        f: impl FnOnce(&mut dyn DeskService) -> T + Send + 'static,
    ) -> Result<T, String> {
        tokio::task::spawn_blocking(move || {
            let mut service = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(service.as_mut())
        })
        .await
        .map_err(|e| e.to_string())
    }

    /// Runs `f` here, blocking (tests, and work that must finish before exit).
    pub fn run_blocking<T>(&self, f: impl FnOnce(&mut dyn DeskService) -> T) -> T {
        let mut service = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(service.as_mut())
    }
}
