// The body of the `pace` fuzz target, shared with the corpus replay (the
// fuzz crate includes this file). The first byte picks the group; the rest
// is a chip element and, split at 0xFF, the chip's answers to PACE.

use mitid_emrtd::apdu::{Command, Response, StatusWord};
use mitid_emrtd::curves;
use mitid_emrtd::pace::{self, PaceCipher, PaceError, Password};

pub fn run(data: &[u8]) {
    let Some((first, rest)) = data.split_first() else { return };
    let id = curves::SERVED[usize::from(*first) % curves::SERVED.len()];
    let Some(group) = curves::by_parameter_id(id) else { return };
    let k = curves::private_key(&*group, &[0x42; 66]);
    let _ = group.mul(rest, &k);
    let _ = group.add(rest, rest);
    let _ = group.shared_secret(rest);
    let mut answers = rest.split(|b| *b == 0xFF).map(|a| a.to_vec());
    let mut send = |_: &Command| -> Result<Response, PaceError> {
        Ok(answers
            .next()
            .map_or(Response { data: Vec::new(), sw: StatusWord::Ok }, |data| Response { data, sw: StatusWord::Ok }))
    };
    let cipher = if first & 0x80 != 0 { PaceCipher::Tdes } else { PaceCipher::Aes128 };
    let _ = pace::perform(&mut send, &Password::Can("123456".into()), id, cipher, &mut |c| {
        curves::private_key(c, &[7; 66])
    });
}
