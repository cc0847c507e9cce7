//! Pieces of UI shared by the screens.

pub mod placement;
pub mod status_bar;

/// The element type every view returns.
pub type Element<'a, Message> = iced::Element<'a, Message>;

/// An RGB picture (a face) as an image the window can draw; its RGBA
/// copy is zeroed when the last handle to it goes.
pub fn face_handle(rgb: &mitid_face::Rgb) -> iced::widget::image::Handle {
    let rgba: Vec<u8> = rgb.pixels.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
    iced::widget::image::Handle::from_rgba(
        rgb.width,
        rgb.height,
        bytes::Bytes::from_owner(zeroize::Zeroizing::new(rgba)),
    )
}
