//! Trust: the CSCA certificates documents are checked against — per
//! country, how many and until when — and importing master lists,
//! certificates and CRLs through the desktop's file dialog.

use std::path::{Path, PathBuf};

use iced::widget::{Space, button, column, container, row, scrollable, text};
use iced::{Alignment, Length, Task};
use jiff::Timestamp;
use mitid_core::trust::{Kind, TrustError, TrustStore};
use mitid_emrtd::pki::PkiError;

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

/// The screen's state.
#[derive(Debug, Default)]
pub struct Trust {
    rows: Vec<CountryRow>,
    crls: usize,
    busy: bool,
    notice: Option<String>,
    problem: Option<String>,
}

/// What the screen's widgets (and the store's answers) say.
#[derive(Debug, Clone)]
pub enum Message {
    /// Read the store again.
    Refresh,
    /// What the store holds.
    Listed(Vec<CountryRow>, usize),
    /// Ask which file to import.
    Import,
    /// Import this file (None: the dialog was cancelled or is missing).
    ImportFrom(Option<PathBuf>),
    /// Imported: what it said, and the store afterwards.
    Imported(String, Vec<CountryRow>, usize),
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
    /// Do this on the store in the data folder and send back the message.
    Store(Request),
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

/// A translated sentence for a store error.
fn error_text(error: &TrustError) -> String {
    match error {
        TrustError::Io { path, source } => {
            fl!("trust-error-io", path = path.display().to_string(), detail = source.to_string())
        }
        TrustError::Damaged(aside) => fl!("trust-error-damaged", path = aside.display().to_string()),
        TrustError::Unrecognized => fl!("trust-error-unrecognized"),
        TrustError::NotCa => fl!("trust-error-not-ca"),
        TrustError::Rejected(PkiError::BadSignature | PkiError::ContentDigest) => fl!("trust-error-signature"),
        TrustError::Rejected(other) => fl!("trust-error-rejected", detail = other.to_string()),
    }
}

impl Request {
    /// Does the work (blocking) on the store in `data_dir`.
    pub fn perform(self, data_dir: &Path, now: Timestamp) -> Message {
        let mut store = match TrustStore::open(data_dir) {
            Ok(store) => store,
            Err(e) => return Message::Failed(error_text(&e)),
        };
        match self {
            Request::List => {
                let (rows, crls) = summary(&store);
                Message::Listed(rows, crls)
            }
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
                match store.import(&bytes, &name, now) {
                    Ok(report) => {
                        let kind = match report.kind {
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
                        let (rows, crls) = summary(&store);
                        Message::Imported(said, rows, crls)
                    }
                    Err(e) => Message::Failed(format!("{name}: {}", error_text(&e))),
                }
            }
        }
    }
}

fn work(request: Request) -> (Task<Message>, Option<Event>) {
    (Task::none(), Some(Event::Store(request)))
}

impl Trust {
    /// The countries listed.
    pub fn rows(&self) -> &[CountryRow] {
        &self.rows
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
            Message::Listed(rows, crls) => (self.rows, self.crls) = (rows, crls),
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
            Message::Imported(said, rows, crls) => {
                self.busy = false;
                self.notice = Some(said);
                (self.rows, self.crls) = (rows, crls);
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

    /// Esc on this screen.
    pub fn escape(&mut self) -> Option<Message> {
        self.notice = None;
        self.problem = None;
        None
    }

    /// Draws the screen.
    pub fn view(&self, focused: Option<usize>) -> Element<'_, Message> {
        let import = button(text(fl!("trust-import")))
            .on_press_maybe((!self.busy).then_some(Message::Import))
            .style(theme::action_button(focused == Some(0)));
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
            row![import, Space::new().width(Length::Fill)].align_y(Alignment::Center),
            container(text(summary_line).font(theme::MEDIUM)).padding(10).width(Length::Fill).style(theme::card),
        ]
        .spacing(12);
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
