//! What passive and active authentication parse from the chip and from
//! files people import: SODs, master lists, certificates, CRLs, keys and
//! signatures. Nothing makes them panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mitid_emrtd_fuzz_pki::run(data));

mod mitid_emrtd_fuzz_pki {
    include!("../../tests/support/fuzz_pki.rs");
}
