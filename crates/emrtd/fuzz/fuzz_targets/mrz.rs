//! MRZ text from people and swipe readers: parsing never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(mrz) = mitid_emrtd::mrz::Mrz::parse(text) {
            let _ = mrz.access_key().mrz_information();
        }
    }
});
