//! Audit: the hash-chained log of every action that matters — list and
//! filter it, check that nothing was changed, export it (CSV or JSON)
//! through the desktop's save dialog.

use std::path::PathBuf;

use iced::widget::{Space, button, column, container, row, scrollable, text, text_input};
use iced::{Alignment, Length, Task};
use jiff::civil::Date;
use mitid_core::audit::{self, AuditEntry, ChainBreak};
use mitid_core::service::DeskService;
use mitid_core::store::{AuditFilter, AuditReport};
use mitid_core::support_hours::SupportHours;

use crate::fl;
use crate::screen::callers::error_text;
use crate::theme;
use crate::widget::Element;

/// How many entries are listed at most.
const SHOWN: u32 = 500;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// JSON.
    Json,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
}

/// The screen's state.
#[derive(Debug, Default)]
pub struct Audit {
    agent: String,
    desk: String,
    action: String,
    from: String,
    until: String,
    entries: Vec<AuditEntry>,
    report: Option<AuditReport>,
    notice: Option<String>,
    problem: Option<String>,
}

/// What the screen's widgets (and the desk's answers) say.
#[derive(Debug, Clone)]
pub enum Message {
    /// Filter: agent.
    Agent(String),
    /// Filter: desk.
    Desk(String),
    /// Filter: action prefix.
    Action(String),
    /// Filter: from date.
    From(String),
    /// Filter: until date (inclusive).
    Until(String),
    /// List with the filter.
    Refresh,
    /// The entries listed.
    Listed(Vec<AuditEntry>),
    /// Check the chain.
    Verify,
    /// The check's result.
    Verified(AuditReport),
    /// Ask where to export.
    Export(Format),
    /// Export to this file (None: the dialog was cancelled or is missing).
    ExportTo(Format, Option<PathBuf>),
    /// Exported this many entries to the file.
    Exported(usize, PathBuf),
    /// The desk failed; the text says why.
    Failed(String),
}

/// Work for the desk, done off the UI thread.
#[derive(Debug, Clone)]
pub enum Request {
    /// List entries.
    List(AuditFilter),
    /// Check the whole chain.
    Verify,
    /// Write entries to a file.
    Export(AuditFilter, Format, PathBuf),
}

/// What the screen tells the app.
#[derive(Debug, Clone)]
pub enum Event {
    /// Do this with the desk and send back the message it returns.
    Desk(Request),
}

impl Request {
    /// Does the work (blocking) and says how it went.
    pub fn perform(self, desk: &mut dyn DeskService) -> Message {
        let store = &*desk;
        match self {
            Request::List(filter) => store.audit_entries(&filter).map(Message::Listed),
            Request::Verify => store.verify_audit().map(Message::Verified),
            Request::Export(filter, format, path) => {
                return match store.audit_entries(&AuditFilter { limit: None, ..filter }) {
                    Err(e) => Message::Failed(error_text(&e)),
                    Ok(mut entries) => {
                        entries.reverse(); // oldest first in a file
                        let body = match format {
                            Format::Csv => audit::to_csv(&entries),
                            Format::Json => audit::to_json(&entries),
                        };
                        match mitid_core::config::write_atomically(&path, body.as_bytes()) {
                            Ok(()) => Message::Exported(entries.len(), path),
                            Err(e) => Message::Failed(fl!("audit-export-failed", detail = e.to_string())),
                        }
                    }
                };
            }
        }
        .unwrap_or_else(|e| Message::Failed(error_text(&e)))
    }
}

fn desk(request: Request) -> (Task<Message>, Option<Event>) {
    (Task::none(), Some(Event::Desk(request)))
}

/// A translated sentence for a broken chain.
fn break_text(problem: &ChainBreak) -> String {
    match problem {
        ChainBreak::Edited { seq } => {
            let seq = seq.to_string();
            fl!("audit-edited", seq = seq)
        }
        ChainBreak::Broken { seq, after } => {
            let (seq, after) = (seq.to_string(), after.to_string());
            fl!("audit-broken", seq = seq, after = after)
        }
        ChainBreak::Rewritten { seq } => {
            let seq = seq.to_string();
            fl!("audit-rewritten", seq = seq)
        }
        ChainBreak::ForgedCheckpoint => fl!("audit-checkpoint-forged"),
        ChainBreak::Imported { desk, seq } => {
            let (desk, seq) = (desk.clone(), seq.to_string());
            fl!("audit-imported", desk = desk, seq = seq)
        }
        ChainBreak::Truncated { last, head } => {
            let (last, head) = (last.to_string(), head.to_string());
            fl!("audit-truncated", last = last, head = head)
        }
    }
}

/// Who made an entry: the signed-in person's name and their subject, and
/// their desk, where staff sign in; else the agent id.
fn who(e: &AuditEntry) -> String {
    let person = match &e.agent_name {
        Some(name) => format!("{name} ({})", e.agent),
        None => e.agent.clone(),
    };
    match &e.desk {
        Some(desk) => format!("{person} @ {desk}"),
        None => person,
    }
}

impl Audit {
    /// The entries listed.
    pub fn entries(&self) -> &[AuditEntry] {
        &self.entries
    }

    /// The last check's result.
    pub fn report(&self) -> Option<&AuditReport> {
        self.report.as_ref()
    }

    /// A note for the agent (an export done), if any.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// What went wrong, if anything.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// The filter as typed, or what is wrong with it; dates are local
    /// (Copenhagen) days.
    fn filter(&self, hours: &SupportHours) -> Result<AuditFilter, String> {
        let day = |text: &str, next: bool| -> Result<Option<jiff::Timestamp>, String> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            let date: Date = text.parse().map_err(|_| fl!("invalid-date", value = text.to_owned()))?;
            let date = if next { date.tomorrow().map_err(|e| e.to_string())? } else { date };
            hours.time_zone().to_timestamp(date.at(0, 0, 0, 0)).map(Some).map_err(|e| e.to_string())
        };
        Ok(AuditFilter {
            agent: Some(self.agent.trim().to_owned()).filter(|a| !a.is_empty()),
            desk: Some(self.desk.trim().to_owned()).filter(|d| !d.is_empty()),
            action_prefix: Some(self.action.trim().to_owned()).filter(|a| !a.is_empty()),
            from: day(&self.from, false)?,
            until: day(&self.until, true)?,
            limit: Some(SHOWN),
        })
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message, hours: &SupportHours) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Agent(v) => self.agent = v,
            Message::Desk(v) => self.desk = v,
            Message::Action(v) => self.action = v,
            Message::From(v) => self.from = v,
            Message::Until(v) => self.until = v,
            Message::Refresh => {
                self.problem = None;
                return match self.filter(hours) {
                    Ok(filter) => desk(Request::List(filter)),
                    Err(problem) => {
                        self.problem = Some(problem);
                        (Task::none(), None)
                    }
                };
            }
            Message::Listed(entries) => self.entries = entries,
            Message::Verify => return desk(Request::Verify),
            Message::Verified(report) => self.report = Some(report),
            Message::Export(format) => {
                let name = format!("mitid-assist-audit.{}", format.extension());
                let task = Task::perform(
                    async move {
                        rfd::AsyncFileDialog::new()
                            .set_title(fl!("audit-export-title"))
                            .set_file_name(name)
                            .add_filter(format.extension().to_uppercase(), &[format.extension()])
                            .save_file()
                            .await
                            .map(|handle| handle.path().to_owned())
                    },
                    move |path| Message::ExportTo(format, path),
                );
                return (task, None);
            }
            Message::ExportTo(_, None) => self.notice = Some(fl!("audit-export-cancelled")),
            Message::ExportTo(format, Some(path)) => {
                return match self.filter(hours) {
                    Ok(filter) => desk(Request::Export(filter, format, path)),
                    Err(problem) => {
                        self.problem = Some(problem);
                        (Task::none(), None)
                    }
                };
            }
            Message::Exported(count, path) => {
                let (count, path) = (count as u64, path.display().to_string());
                self.notice = Some(fl!("audit-exported", count = count, path = path));
            }
            Message::Failed(problem) => self.problem = Some(problem),
        }
        (Task::none(), None)
    }

    /// The buttons Tab moves through, as the messages they send.
    pub fn focusables(&self) -> Vec<Message> {
        vec![Message::Refresh, Message::Verify, Message::Export(Format::Csv), Message::Export(Format::Json)]
    }

    /// Esc on this screen.
    pub fn escape(&mut self) -> Option<Message> {
        self.notice = None;
        self.problem = None;
        None
    }

    /// Draws the screen.
    pub fn view<'a>(&'a self, hours: &'a SupportHours, focused: Option<usize>) -> Element<'a, Message> {
        let ring = |i: usize| theme::action_button(focused == Some(i));
        let input = |hint: String, value: &'a str, on: fn(String) -> Message| {
            text_input(&hint, value).on_input(on).on_submit(Message::Refresh).padding(8).width(Length::Fill)
        };
        let filters = row![
            input(fl!("audit-agent"), &self.agent, Message::Agent),
            input(fl!("audit-desk"), &self.desk, Message::Desk),
            input(fl!("audit-action"), &self.action, Message::Action),
            input(fl!("audit-from"), &self.from, Message::From),
            input(fl!("audit-until"), &self.until, Message::Until),
            button(text(fl!("audit-show"))).on_press(Message::Refresh).style(ring(0)),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        let actions = row![
            button(text(fl!("audit-verify"))).on_press(Message::Verify).style(ring(1)),
            Space::new().width(Length::Fill),
            button(text(fl!("audit-export-csv"))).on_press(Message::Export(Format::Csv)).style(ring(2)),
            button(text(fl!("audit-export-json"))).on_press(Message::Export(Format::Json)).style(ring(3)),
        ]
        .spacing(8);
        let mut body =
            column![text(fl!("audit-title")).size(28).font(theme::BOLD), text(fl!("audit-intro")), filters, actions]
                .spacing(12);
        if let Some(report) = &self.report {
            let (line, style): (String, fn(&iced::Theme) -> container::Style) = match &report.problem {
                None => (fl!("audit-intact", count = report.entries), theme::card),
                Some(problem) => (break_text(problem), theme::problem_banner),
            };
            body = body.push(container(text(line).font(theme::MEDIUM)).padding(10).width(Length::Fill).style(style));
        }
        for note in [&self.notice, &self.problem].into_iter().flatten() {
            body = body.push(text(note.clone()));
        }
        let header = row![
            text(fl!("audit-col-seq")).width(60).font(theme::MEDIUM),
            text(fl!("audit-col-time")).width(150).font(theme::MEDIUM),
            text(fl!("audit-col-agent")).width(130).font(theme::MEDIUM),
            text(fl!("audit-col-action")).width(150).font(theme::MEDIUM),
            text(fl!("audit-col-subject")).width(Length::Fill).font(theme::MEDIUM),
            text(fl!("audit-col-verdict")).width(160).font(theme::MEDIUM),
        ]
        .spacing(8);
        let rows = self.entries.iter().fold(column![header].spacing(4), |col, e| {
            col.push(
                row![
                    text(e.seq.to_string()).width(60).size(14),
                    text(hours.local(e.at).strftime("%Y-%m-%d %H:%M:%S").to_string()).width(150).size(14),
                    text(who(e)).width(130).size(14),
                    text(e.action.clone()).width(150).size(14),
                    text(e.subject.clone()).width(Length::Fill).size(14),
                    text(e.verdict.clone()).width(160).size(14),
                ]
                .spacing(8),
            )
        });
        if self.entries.is_empty() {
            body = body.push(text(fl!("audit-empty")).size(14));
        }
        column![body, scrollable(rows).height(Length::Fill)].spacing(12).padding(24).into()
    }
}
