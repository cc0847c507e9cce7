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
    /// In demo mode, how the trainer has the service behave.
    devices: Option<mitid_core::lesson::Devices>,
}

impl std::fmt::Debug for DeskHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeskHandle(..)")
    }
}

impl DeskHandle {
    /// Wraps an open service.
    pub fn new(service: impl DeskService + 'static) -> Self {
        Self { service: Arc::new(Mutex::new(Box::new(service))), remote: None, devices: None }
    }

    /// Wraps a client of the shared service.
    pub fn remote(service: RemoteDesk) -> Self {
        let remote = Some((service.status(), service.hours().clone()));
        Self { service: Arc::new(Mutex::new(Box::new(service))), remote, devices: None }
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

    /// In demo mode: answers as the trainer has the service behave (down,
    /// slow, coming and going).
    pub fn simulating(mut self, devices: mitid_core::lesson::Devices) -> Self {
        self.devices = Some(devices);
        self
    }

    /// The same service, without the faults the trainer simulates on it
    /// (for a class's own calls).
    pub fn unsimulated(&self) -> Self {
        Self { devices: None, ..self.clone() }
    }

    /// Runs `f` on a blocking thread; an `Err` when `f` panicked, or in
    /// demo mode when the trainer has the service down (the reason, in
    /// words).
    pub async fn run<T: Send + 'static>(
        self,
        f: impl FnOnce(&mut dyn DeskService) -> T + Send + 'static,
    ) -> Result<T, String> {
        if let Some(devices) = &self.devices {
            use mitid_core::lesson::ServiceSetup;
            let down = crate::fl!("demo-service-down");
            match devices.get().service {
                ServiceSetup::Up => {}
                ServiceSetup::Down => return Err(down),
                ServiceSetup::Slow => tokio::time::sleep(SLOW).await,
                // Twenty seconds there, twenty away.
                ServiceSetup::Flapping => {
                    let seconds =
                        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
                    if seconds / 20 % 2 == 1 {
                        return Err(down);
                    }
                }
            }
        }
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

/// How long the demo service takes to answer when the trainer slows it.
const SLOW: std::time::Duration = std::time::Duration::from_secs(3);

/// Why the shared service cannot be used, in the agent's language.
pub fn connect_error_text(error: &mitid_remote::ConnectError, url: &str) -> String {
    use mitid_remote::ConnectError;
    match error {
        ConnectError::BadUrl(given) => crate::fl!("service-error-url", url = given.clone()),
        ConnectError::Ca { path, .. } => crate::fl!("service-error-ca", path = path.display().to_string()),
        ConnectError::Tls(detail) => crate::fl!("service-error-tls", detail = detail.clone()),
        ConnectError::Service(mitid_core::store::StoreError::Unreachable(_)) => {
            crate::fl!("service-error-unreachable", url = url.to_owned())
        }
        ConnectError::Service(other) => crate::screen::callers::error_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_the_service_cannot_be_used_is_said_in_words_the_agent_can_act_on() {
        crate::i18n::set_language(mitid_core::config::Language::En);
        let unreachable = mitid_remote::ConnectError::Service(mitid_core::store::StoreError::Unreachable("x".into()));
        let text = connect_error_text(&unreachable, "https://service.example:8443");
        assert!(text.contains("https://service.example:8443") && text.contains("IT"), "{text}");
        let text = connect_error_text(&mitid_remote::ConnectError::BadUrl("http://x".into()), "http://x");
        assert!(text.contains("https://"), "{text}");
    }
}
