//! Audit: the hash-chained log of every action that matters. Listing,
//! verifying and exporting come with the phone-support issue; for now the
//! screen says what it will do.

use iced::Task;

use crate::fl;
use crate::widget::Element;

/// The screen's state.
#[derive(Debug, Default)]
pub struct Audit;

/// What the screen's widgets say.
#[derive(Debug, Clone)]
pub enum Message {}

/// What the screen tells the app.
#[derive(Debug, Clone)]
pub enum Event {}

impl Audit {
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
    pub fn view(&self) -> Element<'_, Message> {
        super::page(
            fl!("audit-title"),
            fl!("audit-intro"),
            super::coming(
                fl!("audit-coming"),
                vec![fl!("audit-coming-list"), fl!("audit-coming-verify"), fl!("audit-coming-export")],
            ),
        )
    }
}
