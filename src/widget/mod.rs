//! Pieces of UI shared by the screens.

pub mod placement;
pub mod status_bar;

/// The element type every view returns.
pub type Element<'a, Message> = iced::Element<'a, Message>;
