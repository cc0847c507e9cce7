//! Pieces of UI shared by the screens.

pub mod placement;
pub mod status_bar;

/// The element type every view returns.
pub type Element<'a, Message> = iced::Element<'a, Message>;

/// An RGB picture (a face) as an image the window can draw; its RGBA
/// copy is zeroed when the last handle to it goes.
pub fn face_handle(rgb: &mitid_face::Rgb) -> iced::widget::image::Handle {
    let rgba: Vec<u8> = rgb.pixels.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
    rgba_handle(rgb, rgba)
}

/// The same, mirrored left to right: what a person sees of themselves on
/// a screen turned to them, as in a mirror.
pub fn mirrored_face_handle(rgb: &mitid_face::Rgb) -> iced::widget::image::Handle {
    let width = rgb.width as usize * 3;
    let rgba: Vec<u8> = if width == 0 {
        Vec::new()
    } else {
        rgb.pixels
            .chunks_exact(width)
            .flat_map(|row| row.chunks_exact(3).rev().flat_map(|p| [p[0], p[1], p[2], 255]))
            .collect()
    };
    rgba_handle(rgb, rgba)
}

fn rgba_handle(rgb: &mitid_face::Rgb, rgba: Vec<u8>) -> iced::widget::image::Handle {
    iced::widget::image::Handle::from_rgba(
        rgb.width,
        rgb.height,
        bytes::Bytes::from_owner(zeroize::Zeroizing::new(rgba)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgba(handle: &iced::widget::image::Handle) -> Vec<u8> {
        match handle {
            iced::widget::image::Handle::Rgba { pixels, .. } => pixels.to_vec(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_mirror_swaps_left_and_right_in_every_row() {
        // 2×2: red, green / blue, white.
        let rgb = mitid_face::Rgb { width: 2, height: 2, pixels: vec![255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255] };
        assert_eq!(rgba(&face_handle(&rgb)), [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
        assert_eq!(
            rgba(&mirrored_face_handle(&rgb)),
            [0, 255, 0, 255, 255, 0, 0, 255, 255, 255, 255, 255, 0, 0, 255, 255]
        );
        let empty = mitid_face::Rgb { width: 0, height: 0, pixels: Vec::new() };
        assert!(rgba(&mirrored_face_handle(&empty)).is_empty());
    }
}
