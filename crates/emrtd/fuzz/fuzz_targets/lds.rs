//! Files from a chip: TLV, EF.COM, DG1 and EF.SOD parsing never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mitid_emrtd::{lds, tlv};

fuzz_target!(|data: &[u8]| {
    let _ = tlv::total_length(data);
    if let Ok(t) = tlv::parse(data) {
        let mut r = t.children();
        while !r.is_empty() && r.next_tlv().is_ok() {}
    }
    let _ = lds::parse_com(data);
    let _ = lds::parse_dg1(data);
    let _ = mitid_emrtd::face::parse_dg2(data);
    let _ = lds::parse_text_dg(data);
    let _ = mitid_emrtd::security_infos::parse(data);
    let _ = mitid_emrtd::security_infos::parse_dg15(data);
    if let Ok(sod) = lds::parse_sod(data) {
        let _ = sod.check(lds::DataGroup(1), data);
    }
});
