//! One module per screen, each with its own `Message`, `Event`, `update`
//! and `view`; the app only routes between them.

pub mod audit;
pub mod callers;
pub mod citizen;
pub mod enrollment;
pub mod sign_in;
pub mod trainer;
pub mod trust;

use iced::Length;
use iced::widget::{column, container, text};

use crate::theme;
use crate::widget::Element;

/// Which screen is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScreenId {
    /// Phone support: callers and P-codes.
    Callers,
    /// Help counter: MRZ → chip → face → hand-over.
    Enrollment,
    /// The audit log.
    Audit,
    /// The CSCA certificates documents are checked against.
    Trust,
}

impl ScreenId {
    /// In navigation order.
    pub const ALL: [ScreenId; 4] = [ScreenId::Callers, ScreenId::Enrollment, ScreenId::Audit, ScreenId::Trust];
}

/// A titled page with an introduction, shared by the screens' views.
pub(crate) fn page<'a, Message: 'a>(title: String, intro: String, body: Element<'a, Message>) -> Element<'a, Message> {
    container(column![text(title).size(28).font(theme::BOLD), text(intro).size(16), body].spacing(16).max_width(820))
        .padding(24)
        .width(Length::Fill)
        .into()
}
