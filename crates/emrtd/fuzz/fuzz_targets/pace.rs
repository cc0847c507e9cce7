//! The chip's side of PACE as the terminal meets it: group elements from
//! the chip (points, MODP values) and whole PACE transcripts, in every
//! standardized group. Nothing the chip answers makes the reader panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mitid_emrtd_fuzz_pace::run(data));

mod mitid_emrtd_fuzz_pace {
    include!("../../tests/support/fuzz_pace.rs");
}
