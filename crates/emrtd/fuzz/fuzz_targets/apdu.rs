//! APDUs in both directions: parsing never panics, and what parses
//! encodes back to a command that parses the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mitid_emrtd::apdu::{Command, Response};

fuzz_target!(|data: &[u8]| {
    let _ = Response::parse(data);
    if let Some(cmd) = Command::parse(data) {
        assert_eq!(Command::parse(&cmd.to_bytes()), Some(cmd));
    }
});
