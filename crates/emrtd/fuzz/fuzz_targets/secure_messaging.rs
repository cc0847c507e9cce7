//! A chip's protected answers and a reader's protected commands: secure
//! messaging refuses what is malformed or forged, and never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mitid_emrtd::apdu::{Command, Response};
use mitid_emrtd::bac::SessionKeys;
use mitid_emrtd::sm::Channel;

fuzz_target!(|data: &[u8]| {
    let keys = SessionKeys { enc: [0x13; 16], mac: [0x37; 16], ssc: [0; 8] };
    let aes = Channel::aes(&[0x13; 16], &[0x37; 16]).expect("16-byte keys");
    for channel in [Channel::new(&keys), aes] {
        if let Ok(response) = Response::parse(data) {
            let _ = channel.clone().unprotect(&response);
        }
        if let Some(cmd) = Command::parse(data) {
            let _ = channel.clone().open_command(&cmd);
        }
    }
});
