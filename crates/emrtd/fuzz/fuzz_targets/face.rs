//! Face images from a chip (JPEG, JPEG 2000 as a file or a codestream):
//! decoding never panics and never allocates beyond the size limit.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mitid_emrtd::face::{Encoding, FaceImage, ImageFormat, decode};

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let format = match choice % 3 {
        0 => ImageFormat::Jpeg,
        1 => ImageFormat::Jp2,
        _ => ImageFormat::J2k,
    };
    let _ = decode(&FaceImage { encoding: Encoding::Iso19794, format, data: rest.to_vec() });
});
