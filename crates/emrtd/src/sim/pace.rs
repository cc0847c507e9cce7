//! The card's side of PACE (ICAO 9303-11 §4.4), one GENERAL AUTHENTICATE
//! step at a time, for the simulated chip: generic, integrated and Chip
//! Authentication Mapping. Its state is one enum, so a step can only find
//! what the steps before it left (no nonce without a start, no keys without
//! a mapped generator, no CAM key of an earlier run).

use crate::apdu::StatusWord;
use crate::curves::{self, Curve};
use crate::der;
use crate::pace::{PaceCipher, Suite, dynamic, dynamic_data, public_key_object};
use crate::sm::Channel;

/// Where the card's PACE is.
enum State {
    /// Waiting for the first GENERAL AUTHENTICATE: the nonce goes out.
    Start,
    /// The nonce sent; waiting for the mapping data.
    Nonce(Vec<u8>),
    /// The generator mapped; with CAM, the chip's mapping key of this run.
    Mapped { generator: Vec<u8>, mapping_key: Option<Vec<u8>> },
    /// The keys agreed; waiting for the terminal's token.
    Agreed { enc: Vec<u8>, mac: Vec<u8>, pk_ifd: Vec<u8>, pk_ic: Vec<u8>, mapping_key: Option<Vec<u8>> },
    /// Finished, or refused: nothing more is answered.
    Over,
}

/// The card's side of PACE on one group with one cipher.
pub struct CardPace {
    curve: Box<dyn Curve>,
    cipher: PaceCipher,
    state: State,
    /// PACE-CAM: the chip's static Chip Authentication key.
    cam: Option<Vec<u8>>,
    /// Integrated mapping instead of generic.
    im: bool,
}

impl std::fmt::Debug for CardPace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardPace(..)")
    }
}

/// What one step of the card's PACE answers.
pub enum CardStep {
    /// Answer this dynamic authentication data (9000).
    Answer(Vec<u8>),
    /// The session is up: answer the data, then use the channel.
    Done(Vec<u8>, Channel),
    /// Refuse with this status.
    Refuse(StatusWord),
}

impl CardPace {
    /// PACE on the curve of a standardized parameter id, if served.
    pub fn new(parameter_id: u8, cipher: PaceCipher) -> Option<Self> {
        Some(Self { curve: curves::by_parameter_id(parameter_id)?, cipher, state: State::Start, cam: None, im: false })
    }

    /// Integrated mapping instead of generic.
    pub fn with_im(mut self) -> Self {
        self.im = true;
        self
    }

    /// PACE-CAM with the chip's static Chip Authentication key.
    pub fn with_cam(mut self, static_key: &[u8]) -> Self {
        self.cam = Some(static_key.to_vec());
        self
    }

    /// Answers the next GENERAL AUTHENTICATE step with `data`; `key` is K_π
    /// of the password MSE:Set AT named; `random` gives 66 random bytes. A
    /// refusal ends the run.
    pub fn step(&mut self, data: &[u8], key: &[u8], random: &mut dyn FnMut() -> [u8; 66]) -> CardStep {
        let state = std::mem::replace(&mut self.state, State::Over);
        let (step, next) = self.answer(state, data, key, random);
        self.state = next;
        step
    }

    fn answer(&self, state: State, data: &[u8], key: &[u8], random: &mut dyn FnMut() -> [u8; 66]) -> (CardStep, State) {
        let refuse = || (CardStep::Refuse(StatusWord::IncorrectData), State::Over);
        let curve = &*self.curve;
        match state {
            State::Start => {
                let nonce = random()[..16].to_vec();
                let encrypted = self.cipher.encrypt_nonce(key, &nonce);
                (CardStep::Answer(dynamic(0x80, &encrypted)), State::Nonce(nonce))
            }
            State::Nonce(s) if self.im => {
                let Ok(t) = dynamic_data(data, 0x81, 2) else { return refuse() };
                let Some(generator) = crate::im::map(curve.parameter_id(), self.cipher, &s, &t) else {
                    return refuse();
                };
                (CardStep::Answer(vec![0x7C, 0x00]), State::Mapped { generator, mapping_key: None })
            }
            State::Nonce(s) => {
                let Ok(pk) = dynamic_data(data, 0x81, 2) else { return refuse() };
                let sk = curves::private_key(curve, &random());
                let (Some(h), Some(sg), Some(own)) =
                    (curve.mul(&pk, &sk), curve.mul_generator(&s), curve.mul_generator(&sk))
                else {
                    return refuse();
                };
                let Some(generator) = curve.add(&sg, &h) else { return refuse() };
                // With CAM the chip keeps its mapping key for its proof.
                let mapping_key = self.cam.as_ref().map(|_| sk);
                (CardStep::Answer(dynamic(0x82, &own)), State::Mapped { generator, mapping_key })
            }
            State::Mapped { generator, mapping_key } => {
                let Ok(pk_ifd) = dynamic_data(data, 0x83, 3) else { return refuse() };
                let sk = curves::private_key(curve, &random());
                let (Some(pk_ic), Some(shared)) = (curve.mul(&generator, &sk), curve.mul(&pk_ifd, &sk)) else {
                    return refuse();
                };
                let k = curve.shared_secret(&shared);
                let (enc, mac) = (self.cipher.kdf(&k, 1), self.cipher.kdf(&k, 2));
                let answer = CardStep::Answer(dynamic(0x84, &pk_ic));
                (answer, State::Agreed { enc, mac, pk_ifd, pk_ic, mapping_key })
            }
            State::Agreed { enc, mac, pk_ifd, pk_ic, mapping_key } => {
                let dh = curve.is_dh();
                let suite = Suite {
                    parameter_id: curve.parameter_id(),
                    cipher: self.cipher,
                    cam: self.cam.is_some(),
                    im: self.im,
                };
                let oid = suite.oid();
                let Ok(token) = dynamic_data(data, 0x85, 4) else { return refuse() };
                if token != self.cipher.token(&mac, &public_key_object(&oid, &pk_ic, dh)) {
                    return (CardStep::Refuse(StatusWord::VerificationFailed(None)), State::Over);
                }
                let mut inner = der::tlv(&[0x86], &self.cipher.token(&mac, &public_key_object(&oid, &pk_ifd, dh)));
                if let (Some(static_key), Some(mapping_key)) = (&self.cam, &mapping_key) {
                    let Some(domain) = crate::weierstrass::by_parameter_id(curve.parameter_id()) else {
                        return refuse();
                    };
                    let Some(a_ic) = crate::cam::chip_data(&domain, mapping_key, static_key, &enc) else {
                        return refuse();
                    };
                    inner.extend(der::tlv(&[0x8A], &a_ic));
                }
                let answer = der::tlv(&[0x7C], &inner);
                match self.cipher.channel(&enc, &mac) {
                    Some(channel) => (CardStep::Done(answer, channel), State::Over),
                    None => refuse(),
                }
            }
            State::Over => (CardStep::Refuse(StatusWord::ConditionsNotSatisfied), State::Over),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apdu::{Command, Response};
    use crate::pace::{PaceError, Password, perform};

    /// The card's side and the terminal's agree in every served group with
    /// every cipher, and a wrong password fails at the token.
    #[test]
    fn card_and_terminal_agree_in_every_group() {
        let password = Password::Can("123456".into());
        for id in crate::curves::SERVED {
            for cipher in [PaceCipher::Tdes, PaceCipher::Aes128, PaceCipher::Aes256] {
                for wrong in [false, true] {
                    let mut card = CardPace::new(id, cipher).unwrap();
                    let card_key = if wrong { Password::Can("654321".into()) } else { password.clone() };
                    let card_key = card_key.key(cipher);
                    let mut counter = 0u8;
                    let mut card_random = || {
                        counter = counter.wrapping_add(1);
                        [counter.wrapping_mul(37) | 1; 66]
                    };
                    let mut card_channel = None;
                    let mut send = |cmd: &Command| -> Result<Response, PaceError> {
                        if cmd.ins == 0x22 {
                            return Ok(Response { data: Vec::new(), sw: StatusWord::Ok });
                        }
                        Ok(match card.step(&cmd.data, &card_key, &mut card_random) {
                            CardStep::Answer(data) => Response { data, sw: StatusWord::Ok },
                            CardStep::Done(data, channel) => {
                                card_channel = Some(channel);
                                Response { data, sw: StatusWord::Ok }
                            }
                            CardStep::Refuse(sw) => Response { data: Vec::new(), sw },
                        })
                    };
                    let mut random = |c: &dyn Curve| crate::curves::private_key(c, &[0x42; 66]);
                    let result = perform::<PaceError>(&mut send, &password, id, cipher, &mut random);
                    if wrong {
                        assert!(result.is_err(), "{id} {cipher:?}: a wrong CAN opened the chip");
                    } else {
                        assert!(result.is_ok(), "{id} {cipher:?}: {:?}", result.err());
                        assert!(card_channel.is_some(), "{id} {cipher:?}");
                    }
                }
            }
        }
    }

    /// A run that ended (done or refused) answers nothing more: a new run
    /// starts with MSE:Set AT and a new card state.
    #[test]
    fn a_finished_run_answers_nothing_more() {
        let mut card = CardPace::new(13, PaceCipher::Aes128).expect("brainpoolP256r1");
        let key = Password::Can("123456".into()).key(PaceCipher::Aes128);
        let mut random = || [7u8; 66];
        assert!(matches!(card.step(&[0x7C, 0x00], &key, &mut random), CardStep::Answer(_)));
        // Garbage where the mapping data should be: refused, and over.
        assert!(matches!(card.step(&[0x01], &key, &mut random), CardStep::Refuse(StatusWord::IncorrectData)));
        assert!(matches!(
            card.step(&[0x7C, 0x00], &key, &mut random),
            CardStep::Refuse(StatusWord::ConditionsNotSatisfied)
        ));
    }
}
