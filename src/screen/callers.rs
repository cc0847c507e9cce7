//! Callers & P-codes: find the caller, check who they are, issue a P-code
//! while MitID Support is open. The register and the P-codes come in their
//! own issue; for now the screen says what it will do, and whether a P-code
//! could be issued at this moment.

use iced::Task;
use iced::widget::{column, text};
use mitid_core::support_hours::{SupportHours, SupportStatus};

use crate::fl;
use crate::widget::Element;
use crate::widget::status_bar::when;

/// The screen's state.
#[derive(Debug, Default)]
pub struct Callers;

/// What the screen's widgets say.
#[derive(Debug, Clone)]
pub enum Message {}

/// What the screen tells the app.
#[derive(Debug, Clone)]
pub enum Event {}

impl Callers {
    /// Handles a message of this screen.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {}
    }

    /// The buttons Tab moves through, as the messages they send.
    pub fn focusables(&self) -> Vec<Message> {
        Vec::new()
    }

    /// Esc on this screen.
    pub fn escape(&mut self) -> Option<Message> {
        None
    }

    /// Draws the screen.
    pub fn view<'a>(&'a self, hours: &SupportHours, status: &SupportStatus) -> Element<'a, Message> {
        let pcodes = match (status.open, status.next_change) {
            (true, Some(next)) => fl!("callers-pcode-open", when = when(hours, next, status.at)),
            (false, Some(next)) => fl!("callers-pcode-closed", when = when(hours, next, status.at)),
            (_, None) => fl!("callers-pcode-closed-indefinitely"),
        };
        super::page(
            fl!("callers-title"),
            fl!("callers-intro"),
            column![
                text(pcodes).size(16).font(crate::theme::MEDIUM),
                super::coming(
                    fl!("callers-coming"),
                    vec![
                        fl!("callers-coming-search"),
                        fl!("callers-coming-card"),
                        fl!("callers-coming-issue"),
                        fl!("callers-coming-revoke"),
                    ],
                ),
            ]
            .spacing(16)
            .into(),
        )
    }
}
