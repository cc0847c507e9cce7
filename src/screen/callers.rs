//! Callers & P-codes: find the caller as you type, open their card, issue a
//! P-code (only while MitID Support is open; the service refuses otherwise
//! too), show it once, revoke with a reason, log the contact. Every
//! irreversible action asks once. Desk work runs off the UI thread: the
//! screen asks for it with [`Event::Desk`] and gets the answer as a message.

mod card;
mod form;

use iced::widget::{button, column, container, operation, row, scrollable, text, text_input};
use iced::{Length, Task};
use mitid_core::caller::{CallerDetails, Channel};
use mitid_core::service::{DeskService, NewContact};
use mitid_core::store::{Hit, MatchKind, StoreError};
use mitid_core::support_hours::{SupportHours, SupportStatus};

pub use card::Card;
pub use form::{Field, Form, Message as FormMessage};

use crate::fl;
use crate::theme;
use crate::widget::Element;
use crate::widget::status_bar::when;

/// The search box's id, for Ctrl+F.
pub const SEARCH: &str = "caller-search";

/// A P-code just issued, for the one time it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// "1234 5678".
    pub grouped: String,
    /// Digit by digit in the caller's language.
    pub spoken: String,
    /// Its reference.
    pub reference: String,
    /// Until when (local, readable).
    pub expires: String,
}

/// A question or the one-time code, over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// "Issue a P-code to …?"
    ConfirmIssue,
    /// The code, shown once; `closing` asks "really close?".
    Code {
        /// The code.
        issued: Issued,
        /// The agent asked to close: confirm first.
        closing: bool,
    },
    /// Revoke a P-code: the reason is required.
    ConfirmRevoke {
        /// Which.
        reference: String,
        /// Why.
        reason: String,
    },
    /// Delete the caller and everything about them.
    ConfirmDelete,
    /// Merge a duplicate (by reference, e.g. C-17) into the open caller.
    Merge {
        /// The duplicate's reference, as typed.
        other: String,
    },
}

/// What is being logged about the contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    /// Phone or counter.
    pub channel: Channel,
    /// How it ended.
    pub outcome: String,
    /// Notes.
    pub note: String,
}

impl Default for ContactDraft {
    fn default() -> Self {
        Self { channel: Channel::Phone, outcome: String::new(), note: String::new() }
    }
}

/// The screen's state.
#[derive(Debug, Default)]
pub struct Callers {
    query: String,
    seq: u64,
    results: Vec<Hit>,
    selected: Option<usize>,
    card: Option<Card>,
    form: Option<Form>,
    dialog: Option<Dialog>,
    contact: ContactDraft,
    problem: Option<String>,
    /// The results may show a caller as they were before a save.
    results_stale: bool,
    /// What the signed-in person's roles allow.
    allowed: Allowed,
}

/// What the screen's widgets (and the desk's answers) say.
#[derive(Debug, Clone)]
pub enum Message {
    /// The search text changed.
    Query(String),
    /// Search results for search number `.0`.
    Searched(u64, Vec<Hit>),
    /// Move the selection in the results.
    Select(isize),
    /// Open the selected result.
    OpenSelected,
    /// Open a caller.
    Open(i64),
    /// A caller's card was read.
    Opened(Box<Card>),
    /// Start a new caller.
    NewCaller,
    /// Edit the open caller.
    Edit,
    /// The form.
    Form(form::Message),
    /// A caller was saved.
    Saved(i64),
    /// Ask to issue a P-code.
    AskIssue,
    /// Issue it.
    Issue,
    /// A P-code was issued.
    Issued(Issued),
    /// Close the code dialog (asks once).
    CloseCode,
    /// Ask to revoke a P-code.
    AskRevoke(String),
    /// The revocation reason.
    Reason(String),
    /// Revoke it.
    Revoke,
    /// Ask to delete the caller.
    AskDelete,
    /// Delete them.
    Delete,
    /// The caller was deleted.
    Deleted,
    /// Ask which duplicate to merge into the open caller.
    AskMerge,
    /// The duplicate's reference, as typed.
    MergeWith(String),
    /// Merge it.
    Merge,
    /// Contact: channel.
    ContactChannel(Channel),
    /// Contact: outcome.
    ContactOutcome(String),
    /// Contact: note.
    ContactNote(String),
    /// Log the contact.
    LogContact,
    /// Show or hide document numbers in full.
    ToggleDocuments,
    /// Close a question without doing it.
    Cancel,
    /// The desk refused or failed; the text says why (translated).
    Failed(String),
}

/// Work for the desk, done off the UI thread.
#[derive(Debug, Clone)]
pub enum Request {
    /// Search.
    Search {
        /// Which search (older answers are dropped).
        seq: u64,
        /// For what.
        query: String,
    },
    /// Read a caller's card.
    Open(i64),
    /// Save a new or edited caller.
    Save(Option<i64>, Box<CallerDetails>),
    /// Issue a P-code.
    Issue(i64),
    /// Revoke a P-code of a caller.
    Revoke {
        /// The caller (to reload the card).
        caller: i64,
        /// The code.
        reference: String,
        /// Why.
        reason: String,
    },
    /// Delete a caller.
    Delete(i64),
    /// Merge duplicate `.1` into `.0`.
    Merge(i64, i64),
    /// Log a contact.
    LogContact(i64, ContactDraft),
}

/// What the screen tells the app.
#[derive(Debug, Clone)]
pub enum Event {
    /// Do this with the desk and send back the message it returns.
    Desk(Request),
}

/// What the signed-in person's roles let them do here (all of it where
/// nobody signs in); what they may not is shown but cannot be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    /// Add and edit callers, log contacts.
    pub write: bool,
    /// Issue P-codes.
    pub issue: bool,
    /// Revoke P-codes.
    pub revoke: bool,
    /// Merge and delete callers.
    pub merge_delete: bool,
    /// The roles issuing needs, in words, when it is not allowed.
    pub issue_needs: Option<String>,
}

impl Default for Allowed {
    fn default() -> Self {
        Self { write: true, issue: true, revoke: true, merge_delete: true, issue_needs: None }
    }
}

/// A store error in the agent's language.
pub fn error_text(error: &StoreError) -> String {
    match error {
        StoreError::Closed { .. } => fl!("error-closed"),
        StoreError::NoCaller(_) => fl!("error-no-caller"),
        StoreError::InvalidCaller(e) | StoreError::InvalidAt { source: e, .. } => form::invalid_text(e),
        StoreError::TooManyActive(n) => fl!("error-too-many-active", count = u64::from(*n)),
        StoreError::AlreadyVoid(_) => fl!("error-already-void"),
        StoreError::KeyMismatch { .. } => fl!("error-key-mismatch"),
        StoreError::Unreachable(_) => fl!("error-unreachable"),
        StoreError::SignInNeeded(_) => fl!("error-sign-in-needed"),
        StoreError::NeedsRole { roles, .. } => {
            fl!("error-needs-role", roles = crate::screen::sign_in::roles_text(roles))
        }
        other => fl!("error-database", detail = other.to_string()),
    }
}

impl Request {
    /// Does the work (blocking) and says how it went.
    pub fn perform(self, desk: &mut dyn DeskService) -> Message {
        let result = match self {
            Request::Search { seq, query } => desk.search(&query, 50).map(|hits| Message::Searched(seq, hits)),
            Request::Open(id) => card::read(desk, id).map(|c| Message::Opened(Box::new(c))),
            Request::Save(id, details) => match id {
                Some(id) => desk.update_caller(id, *details).map(|()| Message::Saved(id)),
                None => desk.add_caller(*details).map(Message::Saved),
            },
            Request::Issue(caller) => desk.issue_pcode(caller).and_then(|(code, info)| {
                let language = desk.caller(caller)?.and_then(|c| c.details.language).unwrap_or_else(|| "en".into());
                let local = desk.hours().local(info.expires_at);
                Ok(Message::Issued(Issued {
                    grouped: code.grouped(),
                    spoken: code.spoken(&language),
                    reference: info.reference,
                    expires: local.strftime("%Y-%m-%d %H:%M").to_string(),
                }))
            }),
            Request::Revoke { caller, reference, reason } => {
                desk.revoke_pcode(&reference, &reason).map(|_| Message::Open(caller))
            }
            Request::Delete(id) => desk.delete_caller(id).map(|()| Message::Deleted),
            Request::Merge(into, from) => desk.merge_callers(into, from).map(|()| Message::Open(into)),
            Request::LogContact(id, draft) => {
                let contact = NewContact { channel: draft.channel, outcome: draft.outcome, note: draft.note };
                desk.log_contact(id, contact).map(|()| Message::Open(id))
            }
        };
        result.unwrap_or_else(|e| Message::Failed(error_text(&e)))
    }
}

fn desk(request: Request) -> (Task<Message>, Option<Event>) {
    (Task::none(), Some(Event::Desk(request)))
}

impl Callers {
    /// What the signed-in person may do here.
    pub fn allow(&mut self, allowed: Allowed) {
        self.allowed = allowed;
    }

    /// The open caller's card.
    pub fn card(&self) -> Option<&Card> {
        self.card.as_ref()
    }

    /// What is typed in the search box.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The search's results.
    pub fn results(&self) -> &[Hit] {
        &self.results
    }

    /// The dialog shown.
    pub fn dialog(&self) -> Option<&Dialog> {
        self.dialog.as_ref()
    }

    /// The problem shown, if any.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Ctrl+F: put the cursor in the search box.
    pub fn focus_search() -> Task<Message> {
        operation::focus(SEARCH)
    }

    /// Handles a message; `today` is the local date (for checking a date
    /// of birth).
    pub fn update(&mut self, message: Message, today: jiff::civil::Date) -> (Task<Message>, Option<Event>) {
        // What the roles do not allow is not offered; the keyboard cannot
        // reach it either.
        let refused = match &message {
            Message::AskIssue | Message::Issue => !self.allowed.issue,
            Message::NewCaller | Message::Edit => !self.allowed.write,
            Message::AskMerge | Message::AskDelete => !self.allowed.merge_delete,
            Message::AskRevoke(_) => !self.allowed.revoke,
            _ => false,
        };
        if refused {
            return (Task::none(), None);
        }
        match message {
            Message::Query(query) => {
                self.query = query.clone();
                self.seq += 1;
                if query.trim().is_empty() {
                    self.results.clear();
                    self.selected = None;
                    return (Task::none(), None);
                }
                desk(Request::Search { seq: self.seq, query })
            }
            Message::Searched(seq, hits) => {
                // An answer to an older query is dropped.
                if seq == self.seq {
                    tracing::debug!(results = hits.len(), "search done");
                    self.selected = (!hits.is_empty()).then_some(0);
                    self.results = hits;
                }
                (Task::none(), None)
            }
            Message::Select(step) => {
                if !self.results.is_empty() {
                    let last = self.results.len() as isize - 1;
                    let at = self.selected.map_or(0, |s| s as isize + step).clamp(0, last);
                    self.selected = Some(at as usize);
                }
                (Task::none(), None)
            }
            Message::OpenSelected => match self.selected.and_then(|i| self.results.get(i)) {
                Some(hit) => desk(Request::Open(hit.caller_id)),
                None => (Task::none(), None),
            },
            Message::Open(id) => desk(Request::Open(id)),
            Message::Opened(card) => {
                tracing::debug!(caller = card.caller.id, "card shown");
                self.form = None;
                self.card = Some(*card);
                if std::mem::take(&mut self.results_stale) && !self.query.trim().is_empty() {
                    self.seq += 1;
                    return desk(Request::Search { seq: self.seq, query: self.query.clone() });
                }
                (Task::none(), None)
            }
            Message::NewCaller => {
                self.form = Some(Form::default());
                (Task::none(), None)
            }
            Message::Edit => {
                self.form = self.card.as_ref().map(|c| Form::edit(&c.caller));
                (Task::none(), None)
            }
            Message::Form(form::Message::Cancel) => {
                self.form = None;
                (Task::none(), None)
            }
            Message::Form(form::Message::Save) => {
                let Some(form) = &mut self.form else { return (Task::none(), None) };
                match form.details(today) {
                    Ok(details) => desk(Request::Save(form.id, Box::new(details))),
                    Err(problem) => {
                        form.problem = Some(problem);
                        (Task::none(), None)
                    }
                }
            }
            Message::Form(message) => {
                if let Some(form) = &mut self.form {
                    form.update(&message);
                }
                (Task::none(), None)
            }
            Message::Saved(id) => {
                self.form = None;
                self.problem = None;
                // The name may have changed: search again once the card is open.
                self.results_stale = true;
                desk(Request::Open(id))
            }
            Message::AskIssue => {
                self.dialog = Some(Dialog::ConfirmIssue);
                (Task::none(), None)
            }
            Message::Issue => match &self.card {
                Some(card) => {
                    self.dialog = None;
                    desk(Request::Issue(card.caller.id))
                }
                None => (Task::none(), None),
            },
            Message::Issued(issued) => {
                self.dialog = Some(Dialog::Code { issued, closing: false });
                match &self.card {
                    Some(card) => desk(Request::Open(card.caller.id)),
                    None => (Task::none(), None),
                }
            }
            Message::CloseCode => {
                match &mut self.dialog {
                    // Asked once: now it goes, and the code with it.
                    Some(Dialog::Code { closing: true, .. }) => self.dialog = None,
                    Some(Dialog::Code { closing, .. }) => *closing = true,
                    _ => {}
                }
                (Task::none(), None)
            }
            Message::AskRevoke(reference) => {
                self.dialog = Some(Dialog::ConfirmRevoke { reference, reason: String::new() });
                (Task::none(), None)
            }
            Message::Reason(text) => {
                if let Some(Dialog::ConfirmRevoke { reason, .. }) = &mut self.dialog {
                    *reason = text;
                }
                (Task::none(), None)
            }
            Message::Revoke => match (&self.dialog, &self.card) {
                (Some(Dialog::ConfirmRevoke { reference, reason }), Some(card)) if !reason.trim().is_empty() => {
                    let request = Request::Revoke {
                        caller: card.caller.id,
                        reference: reference.clone(),
                        reason: reason.clone(),
                    };
                    self.dialog = None;
                    desk(request)
                }
                _ => (Task::none(), None),
            },
            Message::AskDelete => {
                self.dialog = Some(Dialog::ConfirmDelete);
                (Task::none(), None)
            }
            Message::Delete => match &self.card {
                Some(card) => {
                    self.dialog = None;
                    desk(Request::Delete(card.caller.id))
                }
                None => (Task::none(), None),
            },
            Message::Deleted => {
                self.card = None;
                let query = self.query.clone();
                self.update(Message::Query(query), today)
            }
            Message::AskMerge => {
                self.dialog = Some(Dialog::Merge { other: String::new() });
                (Task::none(), None)
            }
            Message::MergeWith(text) => {
                if let Some(Dialog::Merge { other }) = &mut self.dialog {
                    *other = text;
                }
                (Task::none(), None)
            }
            Message::Merge => match (&self.dialog, &self.card) {
                (Some(Dialog::Merge { other }), Some(card)) => match merge_target(other) {
                    Some(from) if from != card.caller.id => {
                        self.dialog = None;
                        desk(Request::Merge(card.caller.id, from))
                    }
                    _ => {
                        self.problem = Some(fl!("merge-bad-reference", value = other.clone()));
                        (Task::none(), None)
                    }
                },
                _ => (Task::none(), None),
            },
            Message::ContactChannel(channel) => {
                self.contact.channel = channel;
                (Task::none(), None)
            }
            Message::ContactOutcome(text) => {
                self.contact.outcome = text;
                (Task::none(), None)
            }
            Message::ContactNote(text) => {
                self.contact.note = text;
                (Task::none(), None)
            }
            Message::LogContact => match &self.card {
                Some(card) if !self.contact.outcome.trim().is_empty() => {
                    let draft = std::mem::take(&mut self.contact);
                    desk(Request::LogContact(card.caller.id, draft))
                }
                _ => (Task::none(), None),
            },
            Message::ToggleDocuments => {
                if let Some(card) = &mut self.card {
                    card.show_documents = !card.show_documents;
                }
                (Task::none(), None)
            }
            Message::Cancel => {
                match &mut self.dialog {
                    // "Keep it open": back to the code.
                    Some(Dialog::Code { closing, .. }) => *closing = false,
                    _ => self.dialog = None,
                }
                (Task::none(), None)
            }
            Message::Failed(problem) => {
                match &mut self.form {
                    Some(form) => form.problem = Some(problem),
                    None => self.problem = Some(problem),
                }
                (Task::none(), None)
            }
        }
    }

    /// Esc: close a dialog, the form, or the card, in that order.
    pub fn escape(&mut self) -> Option<Message> {
        if self.dialog.is_some() {
            return Some(match self.dialog {
                Some(Dialog::Code { .. }) => Message::CloseCode,
                _ => Message::Cancel,
            });
        }
        if self.form.is_some() {
            return Some(Message::Form(form::Message::Cancel));
        }
        self.card = None;
        self.problem = None;
        None
    }

    /// Enter with no button focused: a dialog's safe default (never delete).
    pub fn enter(&self) -> Option<Message> {
        match &self.dialog {
            Some(Dialog::ConfirmIssue) => Some(Message::Issue),
            Some(Dialog::Code { .. }) => Some(Message::CloseCode),
            Some(Dialog::ConfirmRevoke { reason, .. }) if !reason.trim().is_empty() => Some(Message::Revoke),
            Some(Dialog::Merge { other }) if merge_target(other).is_some() => Some(Message::Merge),
            _ => None,
        }
    }

    /// The buttons Tab moves through, as the messages they send.
    pub fn focusables(&self) -> Vec<Message> {
        let mut targets = vec![Message::NewCaller];
        if self.card.is_some() && self.form.is_none() {
            targets.extend([Message::AskIssue, Message::Edit]);
        }
        targets
    }

    /// Draws the screen.
    pub fn view<'a>(
        &'a self,
        hours: &SupportHours,
        status: &SupportStatus,
        focused: Option<usize>,
    ) -> Element<'a, Message> {
        let targets = self.focusables();
        let is_focused = |m: &Message| {
            focused.and_then(|i| targets.get(i)).is_some_and(|t| std::mem::discriminant(t) == std::mem::discriminant(m))
        };
        let search = text_input(&fl!("search-hint"), &self.query)
            .id(SEARCH)
            .on_input(Message::Query)
            .on_submit(Message::OpenSelected)
            .padding(10)
            .size(16);
        let list = self.results.iter().enumerate().fold(column![].spacing(2), |col, (i, hit)| {
            let kind = match hit.kind {
                MatchKind::Phone => fl!("match-phone"),
                MatchKind::Email => fl!("match-email"),
                MatchKind::Reference => fl!("match-reference"),
                MatchKind::Name => String::new(),
                MatchKind::Fuzzy => fl!("match-fuzzy"),
            };
            let line = column![
                text(hit.name.clone()).font(theme::MEDIUM),
                text(format!(
                    "C-{}  ·  {}  ·  {}  {kind}",
                    hit.caller_id,
                    hit.birth_date.as_deref().unwrap_or("—"),
                    hit.phone.as_deref().map_or_else(|| "—".to_owned(), mitid_core::caller::grouped)
                ))
                .size(13),
            ];
            let selected = self.selected == Some(i);
            col.push(button(line).width(Length::Fill).on_press(Message::Open(hit.caller_id)).style(if selected {
                button::primary
            } else {
                button::text
            }))
        });
        let mut results = column![list];
        if !self.query.trim().is_empty() && self.results.is_empty() {
            results = results.push(text(fl!("search-none")).size(14));
        }
        let left = column![
            search,
            button(text(fl!("new-caller")))
                .on_press_maybe(self.allowed.write.then_some(Message::NewCaller))
                .style(theme::action_button(is_focused(&Message::NewCaller))),
            scrollable(results).height(Length::Fill),
        ]
        .spacing(10)
        .width(380);

        let right: Element<'_, Message> = match (&self.form, &self.card) {
            (Some(form), _) => form.view().map(Message::Form),
            (None, Some(card)) => card.view(
                hours,
                status,
                is_focused(&Message::AskIssue),
                is_focused(&Message::Edit),
                &self.contact,
                &self.allowed,
            ),
            (None, None) => column![
                text(fl!("callers-title")).size(28).font(theme::BOLD),
                text(fl!("callers-intro")),
                text(pcode_availability(hours, status)).font(theme::MEDIUM),
                text(fl!("callers-hint")).size(14),
            ]
            .spacing(12)
            .into(),
        };
        let mut right_col = column![].spacing(12);
        if let Some(problem) = &self.problem {
            right_col = right_col
                .push(container(text(problem.clone())).padding(10).width(Length::Fill).style(theme::problem_banner));
        }
        row![left, scrollable(right_col.push(right).padding([0, 12])).width(Length::Fill)]
            .spacing(16)
            .padding(16)
            .height(Length::Fill)
            .into()
    }

    /// The question or the one-time code over the screen, while one is
    /// open: the app lays it over the whole window, so that its shade
    /// covers everything and nothing under it can be clicked.
    pub fn dialog_view(&self) -> Option<Element<'_, Message>> {
        self.dialog.as_ref().map(|dialog| card::dialog(dialog, self.card.as_ref()))
    }
}

/// The caller id in "C-17", "c17" or "17".
pub fn merge_target(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_uppercase();
    t.strip_prefix("C-").or(t.strip_prefix('C')).unwrap_or(&t).trim().parse().ok().filter(|id| *id > 0)
}

/// Whether a P-code could be issued now, and if not, when.
pub fn pcode_availability(hours: &SupportHours, status: &SupportStatus) -> String {
    match (status.open, status.next_change) {
        (true, Some(next)) => fl!("callers-pcode-open", when = when(hours, next, status.at)),
        (false, Some(next)) => fl!("callers-pcode-closed", when = when(hours, next, status.at)),
        (_, None) => fl!("callers-pcode-closed-indefinitely"),
    }
}
