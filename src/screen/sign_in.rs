//! Signing in at the desk's window, where the site's shared service asks
//! staff to: the system browser opens at the organisation's identity
//! provider (authorization code + PKCE, the answer on a loopback port), the
//! refresh token goes to the OS keyring, and the desk connects as the
//! person who signed in. The header shows who that is and their roles; an
//! expired or withdrawn sign-in is said, and asked for again, while every
//! screen keeps what was typed.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use iced::widget::{button, column, container, row, text};
use iced::{Alignment, Element, Length, Task};
use mitid_core::config::ServerLink;
use mitid_core::keys::KeyStoreKind;
use mitid_core::roles::{Operation, Role};
use mitid_remote::RemoteDesk;
use mitid_remote::signin::{Pending, Provider, SignInError, SignedIn};

use crate::fl;
use crate::service::DeskHandle;
use crate::theme;

/// How long the browser has to come back.
const BROWSER_WAIT: Duration = Duration::from_secs(300);

/// Where the desk signs in: its service, its own id, its folder, the
/// keyring for the refresh token.
#[derive(Debug, Clone)]
pub struct Site {
    /// The shared service.
    pub server: ServerLink,
    /// The desk's own id (its configured agent id).
    pub desk: String,
    /// The desk's data folder (the outbox).
    pub data_dir: PathBuf,
    /// Where the refresh token is kept.
    pub keyring: KeyStoreKind,
    /// Open the system browser at the provider (else only show the
    /// address; tests play the browser themselves).
    pub browser: bool,
}

/// Who is signed in, as the service takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// Their name, as the provider gives it.
    pub name: Option<String>,
    /// Their subject at the provider.
    pub subject: String,
    /// Their roles on this service.
    pub roles: Vec<Role>,
}

/// A sign-in held by the desk's connection, shared with this module to
/// sign out.
#[derive(Clone)]
pub struct Held(Arc<SignedIn>);

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Held(..)")
    }
}

/// A sign-in begun: the browser's address and the loopback listener.
#[derive(Clone)]
pub struct Started {
    /// Where the browser goes.
    pub url: String,
    pending: Arc<Mutex<Option<Pending>>>,
}

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Started({})", self.url)
    }
}

/// How a desk on a shared service came up.
#[derive(Debug, Clone)]
pub enum Opened {
    /// Connected (signed in — who, their sign-in and its provider — or on a
    /// service where nobody signs in).
    Ready(DeskHandle, Option<(Who, Held, Arc<Provider>)>),
    /// Someone must sign in first (`expired`: a kept sign-in no longer
    /// works).
    SignIn(Arc<Provider>, bool),
}

/// Where the sign-in stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Nothing asked (no shared service, or nobody signs in there).
    NotAsked,
    /// A sign-in is needed (`expired`: the one before expired or was withdrawn).
    Needed {
        /// Whether a sign-in ran out.
        expired: bool,
    },
    /// The browser is out; waiting for it to come back.
    Waiting {
        /// Where it went.
        url: String,
    },
    /// Signed in.
    Signed,
    /// It went wrong; the text says why.
    Failed(String),
}

/// The sign-in's state.
#[derive(Debug)]
pub struct SignIn {
    site: Option<Site>,
    provider: Option<Arc<Provider>>,
    phase: Phase,
    who: Option<Who>,
    held: Option<Held>,
}

impl Default for SignIn {
    fn default() -> Self {
        Self { site: None, provider: None, phase: Phase::NotAsked, who: None, held: None }
    }
}

/// What the sign-in's buttons (and its work) say.
#[derive(Debug, Clone)]
pub enum Message {
    /// The desk came up, or why not.
    Opened(Result<Opened, String>),
    /// Open the browser at the provider.
    Begin,
    /// The browser's address, or why there is none.
    Began(Result<Started, String>),
    /// The browser came back and the desk connected, or why not.
    Finished(String, Result<Opened, String>),
    /// Stop waiting for the browser.
    Cancel,
    /// Sign out.
    SignOut,
    /// Signed out (or why the provider was not told).
    SignedOut(Result<(), String>),
}

/// What the sign-in tells the app.
#[derive(Debug, Clone)]
pub enum Event {
    /// The desk is ready: use it.
    Ready(DeskHandle),
    /// The desk cannot be used until someone signs in (keep the screens).
    Needed,
    /// The desk could not be opened at all; the text says why.
    Unavailable(String),
}

/// Why signing in failed, in the agent's language.
fn error_text(error: &SignInError) -> String {
    match error {
        SignInError::Timeout(_) => fl!("sign-in-timeout"),
        SignInError::Provider(detail) => fl!("sign-in-provider-away", detail = detail.clone()),
        SignInError::Refused(detail) => fl!("sign-in-refused", detail = detail.clone()),
        SignInError::Keyring(detail) => fl!("sign-in-keyring", detail = detail.clone()),
        other => other.to_string(),
    }
}

/// Connects to `site`'s service: as the person whose sign-in the keyring
/// holds, or without one where nobody signs in; else says a sign-in is
/// needed. Blocking (the network, the keyring).
pub fn connect(site: &Site) -> Result<Opened, String> {
    let url = site.server.url.clone();
    let unavailable = |e: mitid_remote::ConnectError| crate::service::connect_error_text(&e, &url);
    let info = mitid_remote::sign_in_info(&site.server).map_err(unavailable)?;
    if info.issuer.is_none() {
        let desk = RemoteDesk::connect(&site.server, &site.desk, &site.data_dir).map_err(unavailable)?;
        return Ok(Opened::Ready(DeskHandle::remote(desk), None));
    }
    let http = mitid_remote::http_client(&site.server).map_err(unavailable)?;
    let provider = Arc::new(Provider::discover(http, &info).map_err(|e| error_text(&e))?);
    match SignedIn::load((*provider).clone(), site.keyring, &url) {
        Ok(signed) => connect_as(site, provider, signed),
        Err(SignInError::NotSignedIn) => Ok(Opened::SignIn(provider, false)),
        Err(e) => Err(error_text(&e)),
    }
}

/// Connects as `signed`; a sign-in the service no longer takes asks for a
/// new one.
fn connect_as(site: &Site, provider: Arc<Provider>, signed: SignedIn) -> Result<Opened, String> {
    let signed = Arc::new(signed);
    let token: Arc<dyn mitid_remote::TokenSource> = signed.clone();
    match RemoteDesk::connect_signed_in(&site.server, &site.desk, &site.data_dir, Some(token)) {
        Ok(desk) => {
            let session = desk.session();
            let who = Who { name: session.name.clone(), subject: session.agent.clone(), roles: session.roles.clone() };
            Ok(Opened::Ready(DeskHandle::remote(desk), Some((who, Held(signed), provider))))
        }
        Err(mitid_remote::ConnectError::Service(mitid_core::store::StoreError::SignInNeeded(_))) => {
            Ok(Opened::SignIn(provider, true))
        }
        Err(e) => Err(crate::service::connect_error_text(&e, &site.server.url)),
    }
}

/// Begins a sign-in: the loopback listener up, the browser's address.
pub fn begin(provider: &Provider) -> Result<Started, String> {
    let pending = provider.begin().map_err(|e| error_text(&e))?;
    Ok(Started { url: pending.url.clone(), pending: Arc::new(Mutex::new(Some(pending))) })
}

/// Waits for the browser to come back, keeps the sign-in and connects.
/// Blocking.
pub fn finish(site: &Site, provider: Arc<Provider>, started: &Started, wait: Duration) -> Result<Opened, String> {
    let pending = started.pending.lock().unwrap_or_else(|p| p.into_inner()).take();
    let pending = pending.ok_or_else(|| fl!("sign-in-timeout"))?;
    let tokens = pending.finish(&provider, wait).map_err(|e| error_text(&e))?;
    let signed =
        SignedIn::keep((*provider).clone(), site.keyring, &site.server.url, tokens).map_err(|e| error_text(&e))?;
    connect_as(site, provider, signed)
}

fn role_label(role: Role) -> String {
    match role {
        Role::PhoneAgent => fl!("role-phone-agent"),
        Role::CounterStaff => fl!("role-counter-staff"),
        Role::Supervisor => fl!("role-supervisor"),
        Role::Auditor => fl!("role-auditor"),
        Role::Admin => fl!("role-admin"),
        Role::Trainer => fl!("role-trainer"),
    }
}

/// Roles in the agent's language, "a, b or c".
pub fn roles_text(roles: &[Role]) -> String {
    let labels: Vec<String> = roles.iter().map(|r| role_label(*r)).collect();
    match labels.as_slice() {
        [] => fl!("role-none"),
        [one] => one.clone(),
        [rest @ .., last] => fl!("roles-or", first = rest.join(", "), last = last.clone()),
    }
}

impl SignIn {
    /// For a desk on `site`'s shared service.
    pub fn for_site(site: Site) -> Self {
        Self { site: Some(site), ..Self::default() }
    }

    /// Where it stands.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// Who is signed in, if anyone.
    pub fn who(&self) -> Option<&Who> {
        self.who.as_ref()
    }

    /// Whether the signed-in person may do `operation` (anyone may where
    /// nobody signs in).
    pub fn allows(&self, operation: Operation) -> bool {
        match (&self.phase, &self.who) {
            (Phase::NotAsked, _) => true,
            (_, Some(who)) => operation.allowed(&who.roles),
            (_, None) => false,
        }
    }

    /// Whether this desk's window is waiting on a sign-in.
    pub fn blocking(&self) -> bool {
        matches!(self.phase, Phase::Needed { .. } | Phase::Waiting { .. } | Phase::Failed(_))
    }

    /// The service asked for a sign-in again (it expired or was withdrawn).
    pub fn expired(&mut self) -> Option<Event> {
        if self.provider.is_none() || !matches!(self.phase, Phase::Signed) {
            return None;
        }
        self.phase = Phase::Needed { expired: true };
        Some(Event::Needed)
    }

    /// The task connecting the desk (at start, and to try again).
    pub fn open(&self) -> Task<Message> {
        let Some(site) = self.site.clone() else { return Task::none() };
        Task::perform(
            async move { tokio::task::spawn_blocking(move || connect(&site)).await.unwrap_or_else(|e| Err(e.to_string())) },
            Message::Opened,
        )
    }

    fn opened(&mut self, result: Result<Opened, String>) -> Option<Event> {
        match result {
            Ok(Opened::Ready(handle, signed)) => {
                match signed {
                    Some((who, held, provider)) => {
                        tracing::info!(roles = who.roles.len(), "signed in");
                        // Kept for signing in again when this one runs out.
                        self.provider = Some(provider);
                        self.who = Some(who);
                        self.held = Some(held);
                        self.phase = Phase::Signed;
                    }
                    None => self.phase = Phase::NotAsked,
                }
                Some(Event::Ready(handle))
            }
            Ok(Opened::SignIn(provider, expired)) => {
                self.provider = Some(provider);
                self.phase = Phase::Needed { expired };
                Some(Event::Needed)
            }
            Err(why) => Some(Event::Unavailable(why)),
        }
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Opened(result) => return (Task::none(), self.opened(result)),
            Message::Begin => {
                let Some(provider) = self.provider.clone() else { return (Task::none(), None) };
                let task = Task::perform(
                    async move {
                        tokio::task::spawn_blocking(move || begin(&provider))
                            .await
                            .unwrap_or_else(|e| Err(e.to_string()))
                    },
                    Message::Began,
                );
                return (task, None);
            }
            Message::Began(Err(why)) => self.phase = Phase::Failed(why),
            Message::Began(Ok(started)) => {
                let (Some(site), Some(provider)) = (self.site.clone(), self.provider.clone()) else {
                    return (Task::none(), None);
                };
                self.phase = Phase::Waiting { url: started.url.clone() };
                if site.browser {
                    open_browser(&started.url);
                }
                let url = started.url.clone();
                let task = Task::perform(
                    async move {
                        tokio::task::spawn_blocking(move || finish(&site, provider, &started, BROWSER_WAIT))
                            .await
                            .unwrap_or_else(|e| Err(e.to_string()))
                    },
                    move |result| Message::Finished(url.clone(), result),
                );
                return (task, None);
            }
            Message::Finished(url, result) => {
                // A sign-in given up on (or begun again) is not this one.
                if self.phase != (Phase::Waiting { url }) {
                    return (Task::none(), None);
                }
                return match result {
                    Err(why) => {
                        self.phase = Phase::Failed(why);
                        (Task::none(), None)
                    }
                    Ok(opened) => (Task::none(), self.opened(Ok(opened))),
                };
            }
            Message::Cancel => self.phase = Phase::Needed { expired: false },
            Message::SignOut => {
                let Some(held) = self.held.take() else { return (Task::none(), None) };
                self.who = None;
                self.phase = Phase::Needed { expired: false };
                let task = Task::perform(
                    async move {
                        tokio::task::spawn_blocking(move || held.0.withdraw().map_err(|e| error_text(&e)))
                            .await
                            .unwrap_or_else(|e| Err(e.to_string()))
                    },
                    Message::SignedOut,
                );
                return (task, Some(Event::Needed));
            }
            Message::SignedOut(Ok(())) => tracing::info!("signed out"),
            Message::SignedOut(Err(why)) => {
                tracing::warn!("the provider was not told of the sign-out");
                self.phase = Phase::Failed(fl!("sign-out-incomplete", detail = why));
            }
        }
        (Task::none(), None)
    }

    /// Who is signed in, for the header; `None` where nobody signs in.
    pub fn badge(&self) -> Option<Element<'_, Message>> {
        let who = self.who.as_ref()?;
        let name = who.name.clone().unwrap_or_else(|| who.subject.clone());
        Some(
            row![
                column![text(name).font(theme::MEDIUM), text(roles_text(&who.roles)).size(12)],
                button(text(fl!("sign-out"))).on_press(Message::SignOut).style(theme::action_button(false)),
            ]
            .spacing(8)
            .align_y(Alignment::Center)
            .into(),
        )
    }

    /// The panel asking for a sign-in, while one is needed.
    pub fn panel(&self) -> Option<Element<'_, Message>> {
        let body: Element<'_, Message> = match &self.phase {
            Phase::NotAsked | Phase::Signed => return None,
            Phase::Needed { expired } => {
                let (line, label) = if *expired {
                    (fl!("sign-in-expired"), fl!("sign-in-again"))
                } else {
                    (fl!("sign-in-needed"), fl!("sign-in"))
                };
                row![
                    text(line).width(Length::Fill),
                    button(text(label)).on_press(Message::Begin).style(theme::action_button(false))
                ]
                .spacing(12)
                .align_y(Alignment::Center)
                .into()
            }
            Phase::Waiting { url } => row![
                column![text(fl!("sign-in-waiting")), text(url.clone()).size(12)].spacing(4).width(Length::Fill),
                button(text(fl!("sign-in-cancel"))).on_press(Message::Cancel).style(theme::action_button(false))
            ]
            .spacing(12)
            .align_y(Alignment::Center)
            .into(),
            Phase::Failed(why) => row![
                text(fl!("sign-in-failed", detail = why.clone())).width(Length::Fill),
                button(text(fl!("sign-in-retry"))).on_press(Message::Begin).style(theme::action_button(false))
            ]
            .spacing(12)
            .align_y(Alignment::Center)
            .into(),
        };
        Some(container(body).padding([8, 16]).width(Length::Fill).style(theme::problem_banner).into())
    }
}

/// The system browser at `url` (on a desktop: a browser needs a display);
/// where there is none, the panel shows the address.
fn open_browser(url: &str) {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return;
    }
    let _ = std::process::Command::new("xdg-open")
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
