//! Fonts, themes and the few styles the app draws with.
//!
//! The fonts are embedded so text (æøå included) renders on a machine with
//! no fonts installed.

use iced::border::Radius;
use iced::widget::{button, container};
use iced::{Border, Color, Font, Theme, font};
use mitid_core::config::ThemePreference;

/// Noto Sans, regular, medium and bold (SIL OFL 1.1; see assets/fonts/OFL.txt).
pub const FONT_FILES: [&[u8]; 3] = [
    include_bytes!("../assets/fonts/NotoSans-Regular.ttf"),
    include_bytes!("../assets/fonts/NotoSans-Medium.ttf"),
    include_bytes!("../assets/fonts/NotoSans-Bold.ttf"),
];

/// The body font.
pub const REGULAR: Font = Font::with_name("Noto Sans");
/// For labels that need a little weight.
pub const MEDIUM: Font = Font { weight: font::Weight::Medium, ..REGULAR };
/// For titles.
pub const BOLD: Font = Font { weight: font::Weight::Bold, ..REGULAR };

/// The theme for a preference; `None` lets iced follow the desktop.
pub fn for_preference(preference: ThemePreference) -> Option<Theme> {
    match preference {
        ThemePreference::System => None,
        ThemePreference::Light => Some(Theme::Light),
        ThemePreference::Dark => Some(Theme::Dark),
    }
}

/// A ring drawn around the button that has the keyboard focus.
fn focus_ring(mut style: button::Style, theme: &Theme, focused: bool) -> button::Style {
    if focused {
        style.border =
            Border { color: theme.extended_palette().primary.strong.color, width: 3.0, radius: Radius::new(4.0) };
    }
    style
}

/// A frame around a non-button control (a list) that shows the keyboard
/// focus the way buttons do.
pub fn focus_frame(focused: bool) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let mut style = container::Style::default();
        if focused {
            style.border =
                Border { color: theme.extended_palette().primary.strong.color, width: 3.0, radius: Radius::new(4.0) };
        }
        style
    }
}

/// A navigation tab: filled when it is the current screen.
pub fn nav_button(active: bool, focused: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let base = if active { button::primary(theme, status) } else { button::text(theme, status) };
        focus_ring(base, theme, focused)
    }
}

/// An ordinary action button.
pub fn action_button(focused: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| focus_ring(button::secondary(theme, status), theme, focused)
}

/// The demo banner: impossible to miss, and not the colour of an error.
pub fn demo_banner(theme: &Theme) -> container::Style {
    let warning = theme.extended_palette().warning.base;
    container::Style::default().background(warning.color).color(warning.text)
}

/// A problem the user should read (a broken configuration file).
pub fn problem_banner(theme: &Theme) -> container::Style {
    let danger = theme.extended_palette().danger.weak;
    container::Style::default().background(danger.color).color(danger.text)
}

/// The status bar along the bottom.
pub fn status_bar(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default().background(palette.background.weak.color).color(palette.background.weak.text)
}

/// The dot beside the support status: green open, red closed.
pub fn status_dot(open: bool) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let palette = theme.extended_palette();
        let color: Color = if open { palette.success.base.color } else { palette.danger.base.color };
        container::Style::default().background(color).border(Border { radius: Radius::new(6.0), ..Border::default() })
    }
}

/// A card that groups a screen's content.
pub fn card(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default().background(palette.background.weakest.color).border(Border {
        color: palette.background.strong.color,
        width: 1.0,
        radius: Radius::new(8.0),
    })
}

/// The dimmed backdrop behind a dialog.
pub fn scrim(_theme: &Theme) -> container::Style {
    container::Style::default().background(Color { a: 0.55, ..Color::BLACK })
}
