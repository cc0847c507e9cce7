//! A caller's card (details, P-codes, contacts) and the dialogs over it.

use iced::widget::{Space, button, center, column, container, opaque, row, text, text_input};
use iced::{Alignment, Length};
use mitid_core::caller::{Caller, Channel, Contact};
use mitid_core::pcode::{PCodeInfo, PCodeState};
use mitid_core::service::DeskService;
use mitid_core::store::StoreError;
use mitid_core::support_hours::{SupportHours, SupportStatus};

use super::{ContactDraft, Dialog, Message, pcode_availability};
use crate::fl;
use crate::theme;
use crate::widget::Element;

/// Everything the card shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The caller.
    pub caller: Caller,
    /// Their contacts, newest first.
    pub contacts: Vec<Contact>,
    /// Their P-codes, newest first.
    pub pcodes: Vec<PCodeInfo>,
    /// Document numbers shown in full (only when asked).
    pub show_documents: bool,
}

/// Reads a caller's card.
pub fn read(desk: &dyn DeskService, id: i64) -> Result<Card, StoreError> {
    let caller = desk.caller(id)?.ok_or(StoreError::NoCaller(id))?;
    Ok(Card { caller, contacts: desk.contacts(id)?, pcodes: desk.pcodes(id)?, show_documents: false })
}

fn labelled<'a>(label: String, value: String) -> Element<'a, Message> {
    row![text(label).font(theme::MEDIUM).width(170), text(value)].spacing(8).into()
}

fn state_text(p: &PCodeInfo, now: jiff::Timestamp) -> String {
    match p.state {
        PCodeState::Active if now >= p.expires_at => fl!("pcode-expired"),
        PCodeState::Active => fl!("pcode-active", attempts = p.attempts_left),
        PCodeState::Consumed => fl!("pcode-consumed"),
        PCodeState::Locked => fl!("pcode-locked"),
        PCodeState::Revoked => fl!("pcode-revoked"),
    }
}

impl Card {
    /// Draws the card. The issue button is disabled, with the reason and the
    /// next opening, while MitID Support is closed.
    pub fn view<'a>(
        &'a self,
        hours: &SupportHours,
        status: &SupportStatus,
        issue_focused: bool,
        edit_focused: bool,
        draft: &'a ContactDraft,
        allowed: &super::Allowed,
    ) -> Element<'a, Message> {
        let c = &self.caller;
        let d = &c.details;
        let dash = || "—".to_owned();
        let mut details = column![
            row![
                text(c.display_name()).size(26).font(theme::BOLD),
                Space::new().width(Length::Fill),
                button(text(fl!("caller-edit")))
                    .on_press_maybe(allowed.write.then_some(Message::Edit))
                    .style(theme::action_button(edit_focused)),
                button(text(fl!("caller-merge")))
                    .on_press_maybe(allowed.merge_delete.then_some(Message::AskMerge))
                    .style(button::secondary),
                button(text(fl!("caller-delete")))
                    .on_press_maybe(allowed.merge_delete.then_some(Message::AskDelete))
                    .style(button::danger),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
            labelled(fl!("caller-reference"), c.reference()),
            labelled(fl!("form-birth"), d.birth_date.map(|b| b.to_string()).unwrap_or_else(dash)),
            labelled(
                fl!("form-nationality"),
                d.nationality
                    .as_deref()
                    .map_or_else(dash, |code| { mitid_core::country::display(code, crate::i18n::current()) })
            ),
            labelled(
                fl!("form-phones"),
                if d.phones.is_empty() {
                    dash()
                } else {
                    d.phones.iter().map(|p| p.grouped()).collect::<Vec<_>>().join(", ")
                }
            ),
            labelled(fl!("form-email"), d.email.clone().unwrap_or_else(dash)),
            labelled(fl!("form-language"), d.language.clone().unwrap_or_else(dash)),
        ]
        .spacing(6);
        for doc in &d.documents {
            let number = if self.show_documents { doc.number.clone() } else { doc.masked_number() };
            details = details
                .push(labelled(fl!("caller-document"), format!("{} {} {number}", doc.kind.as_str(), doc.country)));
        }
        if !d.documents.is_empty() {
            let label = if self.show_documents { fl!("caller-hide-numbers") } else { fl!("caller-show-numbers") };
            details = details.push(button(text(label).size(13)).on_press(Message::ToggleDocuments).style(button::text));
        }
        if !d.notes.is_empty() {
            details = details.push(labelled(fl!("form-notes"), d.notes.clone()));
        }

        let now = status.at;
        let issue = button(text(fl!("issue-pcode")).font(theme::MEDIUM))
            .on_press_maybe((status.open && allowed.issue).then_some(Message::AskIssue))
            .style(theme::action_button(issue_focused));
        // Why the button does nothing: the hours, or the signed-in roles.
        let availability = match &allowed.issue_needs {
            Some(roles) if !allowed.issue => fl!("nav-needs-role", roles = roles.clone()),
            _ => pcode_availability(hours, status),
        };
        let mut pcodes = column![
            text(fl!("pcodes-title")).size(18).font(theme::BOLD),
            row![issue, text(availability).size(14)].spacing(12).align_y(Alignment::Center),
        ]
        .spacing(8);
        for p in &self.pcodes {
            let mut line = row![
                text(p.reference.clone()).font(theme::MEDIUM).width(120),
                text(state_text(p, now)).width(Length::Fill),
                text(fl!("pcode-expires", date = hours.local(p.expires_at).strftime("%Y-%m-%d").to_string())).size(13),
            ]
            .spacing(8)
            .align_y(Alignment::Center);
            if p.usable(now) && allowed.revoke {
                line = line.push(
                    button(text(fl!("pcode-revoke")).size(13))
                        .on_press(Message::AskRevoke(p.reference.clone()))
                        .style(button::secondary),
                );
            }
            pcodes = pcodes.push(line);
        }

        let channel = |ch: Channel, label: String| {
            button(text(label)).on_press(Message::ContactChannel(ch)).style(if draft.channel == ch {
                button::primary
            } else {
                button::secondary
            })
        };
        let mut contacts = column![
            text(fl!("contacts-title")).size(18).font(theme::BOLD),
            row![
                channel(Channel::Phone, fl!("contact-phone")),
                channel(Channel::Counter, fl!("contact-counter")),
                text_input(&fl!("contact-outcome-hint"), &draft.outcome)
                    .on_input(Message::ContactOutcome)
                    .width(Length::Fill),
                text_input(&fl!("contact-note-hint"), &draft.note)
                    .on_input(Message::ContactNote)
                    .on_submit(Message::LogContact)
                    .width(Length::Fill),
                button(text(fl!("contact-log")))
                    .on_press_maybe((!draft.outcome.trim().is_empty()).then_some(Message::LogContact)),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        ]
        .spacing(6);
        for contact in &self.contacts {
            let channel = match contact.channel {
                Channel::Phone => fl!("contact-phone"),
                Channel::Counter => fl!("contact-counter"),
            };
            let when = hours.local(contact.at).strftime("%Y-%m-%d %H:%M").to_string();
            let note = if contact.note.is_empty() { String::new() } else { format!(" — {}", contact.note) };
            contacts = contacts
                .push(text(format!("{when}  {channel}  {}  {}{note}", contact.agent, contact.outcome)).size(14));
        }
        column![
            container(details).padding(16).width(Length::Fill).style(theme::card),
            container(pcodes).padding(16).width(Length::Fill).style(theme::card),
            container(contacts).padding(16).width(Length::Fill).style(theme::card),
        ]
        .spacing(12)
        .into()
    }
}

/// A dialog over the screen: it takes all input until answered.
pub fn dialog<'a>(dialog: &'a Dialog, card: Option<&'a Card>) -> Element<'a, Message> {
    let name = card.map(|c| c.caller.display_name()).unwrap_or_default();
    let cancel = || button(text(fl!("dialog-cancel"))).on_press(Message::Cancel).style(button::secondary);
    let body: Element<'a, Message> = match dialog {
        Dialog::ConfirmIssue => column![
            text(fl!("confirm-issue-title", name = name)).size(22).font(theme::BOLD),
            text(fl!("confirm-issue-body")),
            row![
                cancel(),
                Space::new().width(Length::Fill),
                button(text(fl!("confirm-issue-yes"))).on_press(Message::Issue).style(button::primary)
            ],
        ]
        .spacing(14)
        .into(),
        Dialog::Code { issued, closing } => {
            let mut col = column![
                text(fl!("code-title", name = name)).size(20).font(theme::BOLD),
                text(issued.grouped.clone()).size(64).font(theme::BOLD),
                text(issued.spoken.clone()).size(18),
                text(fl!("code-facts", reference = issued.reference.clone(), expires = issued.expires.clone()))
                    .size(14),
                text(fl!("code-once")).font(theme::MEDIUM),
            ]
            .spacing(12)
            .align_x(Alignment::Center);
            col = if *closing {
                col.push(text(fl!("code-close-confirm")).style(text::danger)).push(
                    row![
                        button(text(fl!("code-keep"))).on_press(Message::Cancel).style(button::secondary),
                        button(text(fl!("code-close-now"))).on_press(Message::CloseCode).style(button::danger),
                    ]
                    .spacing(12),
                )
            } else {
                col.push(button(text(fl!("code-done"))).on_press(Message::CloseCode).style(button::primary))
            };
            col.into()
        }
        Dialog::ConfirmRevoke { reference, reason } => column![
            text(fl!("confirm-revoke-title", reference = reference.clone())).size(22).font(theme::BOLD),
            text(fl!("confirm-revoke-body")),
            text_input(&fl!("revoke-reason-hint"), reason)
                .on_input(Message::Reason)
                .on_submit(Message::Revoke)
                .padding(8),
            row![
                cancel(),
                Space::new().width(Length::Fill),
                button(text(fl!("confirm-revoke-yes")))
                    .on_press_maybe((!reason.trim().is_empty()).then_some(Message::Revoke))
                    .style(button::danger)
            ],
        ]
        .spacing(14)
        .into(),
        Dialog::Merge { other } => column![
            text(fl!("merge-title", name = name)).size(22).font(theme::BOLD),
            text(fl!("merge-body")),
            text_input("C-123", other).on_input(Message::MergeWith).on_submit(Message::Merge).padding(8),
            row![
                cancel(),
                Space::new().width(Length::Fill),
                button(text(fl!("merge-yes")))
                    .on_press_maybe(super::merge_target(other).map(|_| Message::Merge))
                    .style(button::danger)
            ],
        ]
        .spacing(14)
        .into(),
        Dialog::ConfirmDelete => column![
            text(fl!("confirm-delete-title", name = name)).size(22).font(theme::BOLD),
            text(fl!("confirm-delete-body")),
            row![
                cancel(),
                Space::new().width(Length::Fill),
                button(text(fl!("confirm-delete-yes"))).on_press(Message::Delete).style(button::danger)
            ],
        ]
        .spacing(14)
        .into(),
    };
    let panel = container(body).padding(24).max_width(620).style(theme::card);
    opaque(center(panel).style(theme::scrim))
}
