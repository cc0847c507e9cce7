//! Trust: the CSCA certificates documents are checked against — per
//! country, how many and until when — and importing master lists,
//! certificates and CRLs through the desktop's file dialog. On a site the
//! store is the shared service's; the screen says how old the desk's copy
//! is when the service is away, and what in the store is getting old.

use std::path::PathBuf;

use iced::widget::{Space, button, column, container, row, scrollable, text};
use iced::{Alignment, Length, Task};
use jiff::Timestamp;
use mitid_core::service::{DeskService, TrustOrigin, TrustView};
use mitid_core::store::StoreError;
use mitid_core::support_hours::SupportHours;
use mitid_core::trust::{Kind, TrustRefusal, TrustStore, TrustWarning};

use crate::fl;
use crate::theme;
use crate::widget::Element;

/// One country's CSCAs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryRow {
    /// ISO 3166 code (as the certificates say).
    pub country: String,
    /// How many certificates.
    pub certificates: usize,
    /// The latest end of validity among them, YYYY-MM-DD.
    pub valid_until: String,
}

/// What the store holds, summed up for the screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Per country.
    pub rows: Vec<CountryRow>,
    /// How many CRLs.
    pub crls: usize,
    /// Whose store it is and how fresh, in words (None: the desk's own).
    pub origin: Option<String>,
    /// Whether that copy is not current (the service is away).
    pub stale: bool,
    /// What wants attention, in words.
    pub warnings: Vec<String>,
}

/// The screen's state.
#[derive(Debug, Default)]
pub struct Trust {
    rows: Vec<CountryRow>,
    crls: usize,
    origin: Option<String>,
    stale: bool,
    warnings: Vec<String>,
    busy: bool,
    notice: Option<String>,
    problem: Option<String>,
    /// Importing needs a role the signed-in person lacks: which, in words.
    import_needs: Option<String>,
    /// In demo mode, the simulator's CSCA, trusted besides the store: its
    /// country and end of validity.
    demo_csca: Option<CountryRow>,
}

/// What the screen's widgets (and the store's answers) say.
#[derive(Debug, Clone)]
pub enum Message {
    /// Read the store again.
    Refresh,
    /// What the store holds.
    Listed(Listing),
    /// Ask which file to import.
    Import,
    /// Import this file (None: the dialog was cancelled or is missing).
    ImportFrom(Option<PathBuf>),
    /// Imported: what it said, and the store afterwards.
    Imported(String, Listing),
    /// Something failed; the text says why, translated.
    Failed(String),
}

/// Work on the store, done off the UI thread.
#[derive(Debug, Clone)]
pub enum Request {
    /// List it.
    List,
    /// Import a file.
    Import(PathBuf),
}

/// What the screen tells the app.
#[derive(Debug, Clone)]
pub enum Event {
    /// Do this with the desk service and send back the message.
    Desk(Request),
}

fn date(t: Option<mitid_emrtd::pki::x509::Time>) -> String {
    t.map_or_else(|| "—".into(), |t| t.date())
}

/// The store's contents per country, and the number of CRLs.
fn summary(store: &TrustStore) -> (Vec<CountryRow>, usize) {
    let mut by_country: std::collections::BTreeMap<String, (usize, Option<mitid_emrtd::pki::x509::Time>)> =
        Default::default();
    let mut crls = 0;
    for (_, entry) in store.entries() {
        match entry.kind {
            Kind::Csca => {
                let slot = by_country.entry(entry.country.clone().unwrap_or_else(|| "??".into())).or_default();
                slot.0 += 1;
                slot.1 = slot.1.max(entry.not_after);
            }
            Kind::Crl => crls += 1,
        }
    }
    let rows = by_country
        .into_iter()
        .map(|(country, (certificates, until))| CountryRow { country, certificates, valid_until: date(until) })
        .collect();
    (rows, crls)
}

/// The view of the store, in words for the screen (times in Copenhagen's).
pub fn listing(view: &TrustView, now: Timestamp, hours: &SupportHours) -> Listing {
    let (rows, crls) = summary(&view.store);
    let (origin, stale) = match view.origin {
        TrustOrigin::Desk => (None, false),
        TrustOrigin::Site { live: true, .. } => (Some(fl!("trust-origin-site")), false),
        TrustOrigin::Site { fetched, live: false } => {
            let at = hours.local(fetched).strftime("%Y-%m-%d %H:%M").to_string();
            let hours_old = (now.as_second() - fetched.as_second()).max(0) / 3600;
            (Some(fl!("trust-origin-copy", at = at, hours = hours_old)), true)
        }
    };
    let warnings = view.warnings.iter().map(warning_text).collect();
    Listing { rows, crls, origin, stale, warnings }
}

/// A warning in the agent's language.
pub fn warning_text(warning: &TrustWarning) -> String {
    match warning {
        TrustWarning::CrlOutdated { issuer, next_update } => {
            fl!("trust-warning-crl-outdated", issuer = issuer.clone(), date = next_update.clone())
        }
        TrustWarning::CrlDueSoon { issuer, next_update } => {
            fl!("trust-warning-crl-due", issuer = issuer.clone(), date = next_update.clone())
        }
        TrustWarning::FetchFailing { url, last_ok, error } => fl!(
            "trust-warning-fetch",
            url = url.clone(),
            last = last_ok.clone().unwrap_or_else(|| "—".into()),
            detail = error.clone()
        ),
    }
}

/// A translated sentence for a refusal or an error of the service.
pub fn error_text(error: &StoreError) -> String {
    match error {
        StoreError::Trust(refusal) => match refusal {
            TrustRefusal::Unrecognized => fl!("trust-error-unrecognized"),
            TrustRefusal::NotCa => fl!("trust-error-not-ca"),
            TrustRefusal::Signature => fl!("trust-error-signature"),
            TrustRefusal::Malformed(detail) => fl!("trust-error-rejected", detail = detail.clone()),
            TrustRefusal::Unusable(detail) => fl!("trust-error-unusable", detail = detail.clone()),
        },
        StoreError::Unreachable(_) => fl!("trust-error-unreachable"),
        other => super::callers::error_text(other),
    }
}

impl Request {
    /// Does the work (blocking) with the desk service.
    pub fn perform(self, desk: &mut dyn DeskService) -> Message {
        let listed = |desk: &mut dyn DeskService| -> Result<Listing, StoreError> {
            Ok(listing(&desk.trust()?, desk.now(), desk.hours()))
        };
        match self {
            Request::List => match listed(desk) {
                Ok(listing) => Message::Listed(listing),
                Err(e) => Message::Failed(error_text(&e)),
            },
            Request::Import(path) => {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let bytes = match std::fs::read(&path) {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        return Message::Failed(fl!(
                            "trust-error-io",
                            path = path.display().to_string(),
                            detail = e.to_string()
                        ));
                    }
                };
                match desk.import_trust(&bytes, &name) {
                    Ok(report) => {
                        let kind = match report.kind.as_str() {
                            "master list" => fl!("trust-kind-master-list"),
                            "revocation list" => fl!("trust-kind-crl"),
                            _ => fl!("trust-kind-certificate"),
                        };
                        let (added, already) = (report.added as u64, report.already as u64);
                        let mut said =
                            fl!("trust-imported", name = name, kind = kind, added = added, already = already);
                        if let Some(signer) = report.signed_by {
                            said = format!("{said} {}", fl!("trust-signed-by", signer = signer));
                        }
                        match listed(desk) {
                            Ok(listing) => Message::Imported(said, listing),
                            Err(e) => Message::Failed(format!("{said} {}", error_text(&e))),
                        }
                    }
                    Err(StoreError::Unreachable(_)) => Message::Failed(fl!("trust-error-import-unreachable")),
                    Err(e) => Message::Failed(format!("{name}: {}", error_text(&e))),
                }
            }
        }
    }
}

fn work(request: Request) -> (Task<Message>, Option<Event>) {
    (Task::none(), Some(Event::Desk(request)))
}

impl Trust {
    /// The countries listed.
    pub fn rows(&self) -> &[CountryRow] {
        &self.rows
    }

    /// Whose store it is and how fresh, in words (None: the desk's own).
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// What wants attention, in words.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn show(&mut self, listing: Listing) {
        (self.rows, self.crls, self.origin, self.stale, self.warnings) =
            (listing.rows, listing.crls, listing.origin, listing.stale, listing.warnings);
    }

    /// A note (an import done), if any.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// What went wrong, if anything.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Refresh => return work(Request::List),
            Message::Listed(listing) => {
                self.problem = None;
                self.show(listing);
            }
            Message::Import if self.import_needs.is_some() => {}
            Message::Import => {
                let task = Task::perform(
                    async {
                        rfd::AsyncFileDialog::new()
                            .set_title(fl!("trust-import-title"))
                            .add_filter(fl!("trust-import-filter"), &["ml", "der", "cer", "crt", "pem", "crl"])
                            .pick_file()
                            .await
                            .map(|handle| handle.path().to_owned())
                    },
                    Message::ImportFrom,
                );
                return (task, None);
            }
            Message::ImportFrom(None) => self.notice = Some(fl!("trust-import-cancelled")),
            Message::ImportFrom(Some(path)) => {
                self.busy = true;
                self.problem = None;
                self.notice = Some(fl!("trust-importing"));
                return work(Request::Import(path));
            }
            Message::Imported(said, listing) => {
                self.busy = false;
                self.notice = Some(said);
                self.show(listing);
            }
            Message::Failed(problem) => {
                self.busy = false;
                self.notice = None;
                self.problem = Some(problem);
            }
        }
        (Task::none(), None)
    }

    /// The buttons Tab moves through, as the messages they send.
    pub fn focusables(&self) -> Vec<Message> {
        vec![Message::Import]
    }

    /// Whether the signed-in person may import: `None` if so, else the
    /// role it needs, in words.
    pub fn allow_import(&mut self, needs: Option<String>) {
        self.import_needs = needs;
    }

    /// Esc on this screen.
    pub fn escape(&mut self) -> Option<Message> {
        self.notice = None;
        self.problem = None;
        None
    }

    /// Draws the screen.
    /// Demo mode: the simulator's test CSCA, which verifies the demo
    /// documents only, is listed as what it is.
    pub fn with_demo_csca(mut self) -> Self {
        let pki = mitid_emrtd::sim::document::TestPki::new();
        self.demo_csca = mitid_emrtd::pki::x509::Certificate::parse(pki.csca_certificate()).ok().map(|c| CountryRow {
            country: c.subject.country().unwrap_or_else(|| "??".into()),
            certificates: 1,
            valid_until: c.not_after.date(),
        });
        self
    }

    /// The demo CSCA listed, in demo mode.
    pub fn demo_csca(&self) -> Option<&CountryRow> {
        self.demo_csca.as_ref()
    }

    pub fn view(&self, focused: Option<usize>) -> Element<'_, Message> {
        let import = button(text(fl!("trust-import")))
            .on_press_maybe((!self.busy && self.import_needs.is_none()).then_some(Message::Import))
            .style(theme::action_button(focused == Some(0)));
        let mut import_row = row![import, Space::new().width(12)].align_y(Alignment::Center);
        if let Some(roles) = &self.import_needs {
            import_row = import_row.push(text(fl!("nav-needs-role", roles = roles.clone())).size(14));
        }
        let total: usize = self.rows.iter().map(|r| r.certificates).sum();
        let summary_line = if self.rows.is_empty() {
            fl!("trust-empty")
        } else {
            let (certificates, countries, crls) = (total as u64, self.rows.len() as u64, self.crls as u64);
            fl!("trust-total", certificates = certificates, countries = countries, crls = crls)
        };
        let mut body = column![
            text(fl!("trust-title")).size(28).font(theme::BOLD),
            text(fl!("trust-intro")),
            import_row,
            container(text(summary_line).font(theme::MEDIUM)).padding(10).width(Length::Fill).style(theme::card),
        ]
        .spacing(12);
        if let Some(demo) = &self.demo_csca {
            let line = fl!("trust-demo-csca", country = demo.country.clone(), until = demo.valid_until.clone());
            body = body.push(
                container(text(line).font(theme::MEDIUM)).padding(10).width(Length::Fill).style(theme::demo_banner),
            );
        }
        if let Some(origin) = &self.origin {
            let line = text(origin.clone()).font(theme::MEDIUM);
            body = body.push(if self.stale {
                container(line).padding(10).width(Length::Fill).style(theme::problem_banner)
            } else {
                container(line).padding(10).width(Length::Fill).style(theme::card)
            });
        }
        for warning in &self.warnings {
            body = body
                .push(container(text(warning.clone())).padding(10).width(Length::Fill).style(theme::problem_banner));
        }
        if let Some(note) = &self.notice {
            body = body.push(text(note.clone()));
        }
        if let Some(problem) = &self.problem {
            body = body
                .push(container(text(problem.clone())).padding(10).width(Length::Fill).style(theme::problem_banner));
        }
        let header = row![
            text(fl!("trust-col-country")).width(120).font(theme::MEDIUM),
            text(fl!("trust-col-certificates")).width(160).font(theme::MEDIUM),
            text(fl!("trust-col-valid-until")).width(Length::Fill).font(theme::MEDIUM),
        ]
        .spacing(8);
        let rows = self.rows.iter().fold(column![header].spacing(4), |col, r| {
            col.push(
                row![
                    text(r.country.clone()).width(120).size(14),
                    text(r.certificates.to_string()).width(160).size(14),
                    text(r.valid_until.clone()).width(Length::Fill).size(14),
                ]
                .spacing(8),
            )
        });
        column![body, scrollable(rows).height(Length::Fill)].spacing(12).padding(24).into()
    }
}
