//! The desk service as the UI holds it: shared, and only ever used off the
//! UI thread (SQLite, the keyring and the network block). Whatever service
//! it is — the embedded one or a client of the shared one — the screens
//! reach it only through [`DeskService`].

use std::sync::{Arc, Mutex};

use mitid_core::service::DeskService;
use mitid_core::support_hours::SupportHours;
use mitid_remote::{RemoteDesk, Status};

/// A handle to the open desk service.
#[derive(Clone)]
pub struct DeskHandle {
    service: Arc<Mutex<Box<dyn DeskService>>>,
    /// For a client of the shared service: the connection and outbox, and
    /// the hours the service enforces.
    remote: Option<(Arc<Mutex<Status>>, SupportHours)>,
}

impl std::fmt::Debug for DeskHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeskHandle(..)")
    }
}

impl DeskHandle {
    /// Wraps an open service.
    pub fn new(service: impl DeskService + 'static) -> Self {
        Self { service: Arc::new(Mutex::new(Box::new(service))), remote: None }
    }

    /// Wraps a client of the shared service.
    pub fn remote(service: RemoteDesk) -> Self {
        let remote = Some((service.status(), service.hours().clone()));
        Self { service: Arc::new(Mutex::new(Box::new(service))), remote }
    }

    /// How the connection to the shared service stands; `None` for the
    /// desk's own records.
    pub fn connection(&self) -> Option<Status> {
        self.remote.as_ref().map(|(status, _)| *status.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The hours the shared service enforces; `None` for the desk's own
    /// records (whose hours are the configuration's).
    pub fn service_hours(&self) -> Option<&SupportHours> {
        self.remote.as_ref().map(|(_, hours)| hours)
    }

    /// Runs `f` on a blocking thread; an `Err` only when `f` panicked.
    pub async fn run<T: Send + 'static>(
        self,
        f: impl FnOnce(&mut dyn DeskService) -> T + Send + 'static,
    ) -> Result<T, String> {
        tokio::task::spawn_blocking(move || {
            let mut service = self.service.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(service.as_mut())
        })
        .await
        .map_err(|e| e.to_string())
    }

    /// Runs `f` here, blocking (tests, and work that must finish before exit).
    pub fn run_blocking<T>(&self, f: impl FnOnce(&mut dyn DeskService) -> T) -> T {
        let mut service = self.service.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(service.as_mut())
    }
}
