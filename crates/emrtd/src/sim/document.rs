//! The simulated chip's document generator: from an MRZ (and a face image,
//! if given) it builds a complete LDS — EF.COM, DG1, DG2 (ISO/IEC 19794-5
//! with the face), DG11, DG12, DG14 (a Chip Authentication key), DG15 (an
//! Active Authentication key) and EF.SOD, a CMS SignedData over the data
//! groups' hashes signed by a document signer whose certificate a test
//! CSCA issued. The CSCA can be exported (DER) for the trust store.
//!
//! Every key is derived from a fixed label (and, for the chip's own keys,
//! the document number), so the test PKI is the same on every run and a
//! CSCA imported once keeps vouching for every simulated document. These
//! keys are public knowledge: nothing they sign proves anything outside
//! a test.

use std::collections::BTreeMap;

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};

use crate::der;
use crate::file::FileId;
use crate::lds::DataGroup;
use crate::mrz::Mrz;

/// ecdsa-with-SHA256.
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
/// id-sha256.
const SHA256: &str = "2.16.840.1.101.3.4.2.1";
/// id-icao-mrtd-security-ldsSecurityObject.
const LDS_SECURITY_OBJECT: &str = "2.23.136.1.1.1";

/// Why a document could not be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// The face image is neither JPEG, JPEG 2000 nor an image this build
    /// can turn into JPEG.
    #[error("the face image cannot be used: {0}")]
    Face(String),
}

/// What goes into a generated document beyond its MRZ.
#[derive(Clone, Default)]
pub struct DocumentSpec {
    /// The face: JPEG or JPEG 2000 as is, other formats (PNG) re-encoded to
    /// JPEG; `None` draws a placeholder portrait.
    pub face: Option<Vec<u8>>,
    /// Place of birth for DG11.
    pub place_of_birth: Option<String>,
    /// Issuing authority for DG12.
    pub issuing_authority: Option<String>,
    /// Date of issue for DG12, YYYYMMDD.
    pub date_of_issue: Option<String>,
}

/// A generated document: its files and the chip's private keys (which the
/// simulated chip needs to answer Chip and Active Authentication).
pub struct Document {
    /// File id → contents.
    pub files: BTreeMap<FileId, Vec<u8>>,
    /// The Chip Authentication private key (P-256 scalar) behind DG14.
    pub chip_authentication_key: [u8; 32],
    /// The Active Authentication private key (P-256 scalar) behind DG15.
    pub active_authentication_key: [u8; 32],
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Document({} files, ..)", self.files.len())
    }
}

impl Document {
    /// The data groups, number → bytes (what passive authentication checks).
    pub fn data_groups(&self) -> BTreeMap<u8, Vec<u8>> {
        self.files.iter().filter_map(|(id, raw)| Some((id.as_data_group()?.0, raw.clone()))).collect()
    }
}

/// A signing key of the test PKI: P-256 (the RustCrypto crate) or
/// brainpoolP512r1 (the generic curve arithmetic), as German documents use.
#[derive(Clone)]
enum SignKey {
    P256(SigningKey),
    Brainpool512(num_bigint::BigUint),
}

impl SignKey {
    fn derive(label: &str, brainpool: bool) -> Self {
        if !brainpool {
            return Self::P256(derived_key(label));
        }
        let domain = crate::weierstrass::brainpool_p512r1();
        let seed = sha2::Sha512::digest(label.as_bytes());
        Self::Brainpool512(num_bigint::BigUint::from_bytes_be(&seed) % (&domain.n - 1u8) + 1u8)
    }

    fn spki(&self) -> Vec<u8> {
        match self {
            Self::P256(key) => p256_spki(key),
            Self::Brainpool512(d) => {
                let domain = crate::weierstrass::brainpool_p512r1();
                let (x, y) = domain.mul_point(&domain.gx, &domain.gy, d).expect("d is in [1, n-1]");
                der::seq(&[
                    &der::seq(&[&der::oid("1.2.840.10045.2.1"), &der::oid("1.3.36.3.3.2.8.1.1.13")]),
                    &der::bits(&domain.encode(&x, &y)),
                ])
            }
        }
    }

    /// The signature algorithm OID: ECDSA with SHA-256, or SHA-512 on the
    /// 512-bit curve.
    fn algorithm(&self) -> &'static str {
        match self {
            Self::P256(_) => ECDSA_SHA256,
            Self::Brainpool512(_) => "1.2.840.10045.4.3.4",
        }
    }

    /// A DER ECDSA signature of `message`.
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::P256(key) => {
                let signature: Signature = key.sign(message);
                signature.to_der().as_bytes().to_vec()
            }
            Self::Brainpool512(d) => {
                let domain = crate::weierstrass::brainpool_p512r1();
                let hash = sha2::Sha512::digest(message);
                // A nonce derived from the key and the message (never the
                // same for two messages).
                let mut seed = d.to_bytes_be();
                seed.extend_from_slice(&hash);
                let mut counter = 0u8;
                loop {
                    seed.push(counter);
                    let k = num_bigint::BigUint::from_bytes_be(&sha2::Sha512::digest(&seed)) % (&domain.n - 1u8) + 1u8;
                    seed.pop();
                    if let Some((r, s)) = domain.sign_ecdsa(d, &hash, &k) {
                        return der::seq(&[&der::uint(&r.to_bytes_be()), &der::uint(&s.to_bytes_be())]);
                    }
                    counter = counter.wrapping_add(1);
                }
            }
        }
    }
}

/// The test PKI: a CSCA and the document signer it certified.
pub struct TestPki {
    csca_key: SignKey,
    ds_key: SignKey,
    csca_certificate: Vec<u8>,
    ds_certificate: Vec<u8>,
    csca_name: &'static str,
}

impl std::fmt::Debug for TestPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestPki(..)")
    }
}

/// A P-256 key from a label: SHA-256 of it, stepped until it is a valid
/// scalar (the first almost always is).
fn derived_key(label: &str) -> SigningKey {
    let mut seed = Sha256::digest(label.as_bytes());
    loop {
        if let Ok(key) = SigningKey::from_slice(&seed) {
            return key;
        }
        seed = Sha256::digest(seed);
    }
}

/// SubjectPublicKeyInfo of a P-256 key (named curve).
pub fn p256_spki(key: &SigningKey) -> Vec<u8> {
    let point = key.verifying_key().to_sec1_point(false);
    der::seq(&[
        &der::seq(&[&der::oid("1.2.840.10045.2.1"), &der::oid("1.2.840.10045.3.1.7")]),
        &der::bits(point.as_bytes()),
    ])
}

fn name(common_name: &str) -> Vec<u8> {
    let rdn = |oid: &str, value: Vec<u8>| der::set_of(&[&der::seq(&[&der::oid(oid), &value])]);
    der::seq(&[
        &rdn("2.5.4.6", der::printable("UT")),
        &rdn("2.5.4.10", der::utf8("mitid-assist test PKI")),
        &rdn("2.5.4.3", der::utf8(common_name)),
    ])
}

fn extension(oid: &str, critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        der::seq(&[&der::oid(oid), &der::true_(), &der::octets(value)])
    } else {
        der::seq(&[&der::oid(oid), &der::octets(value)])
    }
}

fn key_id(spki: &[u8]) -> Vec<u8> {
    use sha1::Sha1;
    Sha1::digest(spki).to_vec()
}

struct CertificateSpec<'a> {
    serial: u64,
    issuer: &'a str,
    subject: &'a str,
    not_before: &'a str,
    not_after: &'a str,
    ca: bool,
}

fn certificate(spec: &CertificateSpec<'_>, subject_key: &SignKey, issuer_key: &SignKey) -> Vec<u8> {
    let spki = subject_key.spki();
    let ski = key_id(&spki);
    let aki = key_id(&issuer_key.spki());
    let mut extensions = vec![extension("2.5.29.14", false, &der::octets(&ski))];
    extensions.push(extension("2.5.29.35", false, &der::seq(&[&der::tlv(&[0x80], &aki)])));
    if spec.ca {
        extensions.push(extension("2.5.29.19", true, &der::seq(&[&der::true_(), &der::int(0)])));
        // keyCertSign and cRLSign: bits 5 and 6.
        extensions.push(extension("2.5.29.15", true, &[0x03, 0x02, 0x01, 0x06]));
    } else {
        // digitalSignature: bit 0.
        extensions.push(extension("2.5.29.15", true, &[0x03, 0x02, 0x07, 0x80]));
    }
    let extension_refs: Vec<&[u8]> = extensions.iter().map(Vec::as_slice).collect();
    let tbs = der::seq(&[
        &der::context(0, &[&der::int(2)]),
        &der::int(spec.serial),
        &der::algorithm(issuer_key.algorithm()),
        &name(spec.issuer),
        &der::seq(&[&der::utc_time(spec.not_before), &der::utc_time(spec.not_after)]),
        &name(spec.subject),
        &spki,
        &der::context(3, &[&der::seq(&extension_refs)]),
    ]);
    let signature = issuer_key.sign(&tbs);
    der::seq(&[&tbs, &der::algorithm(issuer_key.algorithm()), &der::bits(&signature)])
}

const CSCA_NAME: &str = "mitid-assist test CSCA";
const DS_NAME: &str = "mitid-assist test document signer";

impl TestPki {
    /// The simulator's PKI (the same on every run).
    pub fn new() -> Self {
        Self::build("mitid-assist test CSCA key", CSCA_NAME, ("250101000000Z", "351231235959Z"), false)
    }

    /// A CSCA and document signer on brainpoolP512r1 (ECDSA with SHA-512),
    /// like German documents (for benchmarks and tests).
    pub fn brainpool512() -> Self {
        Self::build(
            "mitid-assist test brainpool CSCA key",
            "mitid-assist test brainpool CSCA",
            ("250101000000Z", "351231235959Z"),
            true,
        )
    }

    /// The same CSCA, but a document signer whose certificate expired at
    /// the end of 2021.
    pub fn expired_signer() -> Self {
        Self::build("mitid-assist test CSCA key", CSCA_NAME, ("190101000000Z", "211231235959Z"), false)
    }

    /// A CSCA nobody trusts (it is never exported).
    pub fn unknown_csca() -> Self {
        Self::build(
            "mitid-assist unknown CSCA key",
            "mitid-assist unknown CSCA",
            ("250101000000Z", "351231235959Z"),
            false,
        )
    }

    fn build(csca_label: &str, csca_name: &'static str, ds_validity: (&str, &str), brainpool: bool) -> Self {
        let csca_key = SignKey::derive(csca_label, brainpool);
        let ds_key = SignKey::derive(&format!("{csca_label}: document signer key"), brainpool);
        let csca_certificate = certificate(
            &CertificateSpec {
                serial: 1,
                issuer: csca_name,
                subject: csca_name,
                not_before: "240101000000Z",
                not_after: "391231235959Z",
                ca: true,
            },
            &csca_key,
            &csca_key,
        );
        let ds_certificate = certificate(
            &CertificateSpec {
                serial: 2,
                issuer: csca_name,
                subject: DS_NAME,
                not_before: ds_validity.0,
                not_after: ds_validity.1,
                ca: false,
            },
            &ds_key,
            &csca_key,
        );
        Self { csca_key, ds_key, csca_certificate, ds_certificate, csca_name }
    }

    /// The CSCA's self-signed certificate, DER — what `trust import` takes.
    pub fn csca_certificate(&self) -> &[u8] {
        &self.csca_certificate
    }

    /// The document signer's certificate, DER (carried in every SOD).
    pub fn document_signer_certificate(&self) -> &[u8] {
        &self.ds_certificate
    }

    /// The CSCA's public key, SubjectPublicKeyInfo DER.
    pub fn csca_public_key(&self) -> Vec<u8> {
        self.csca_key.spki()
    }

    /// EF.SOD over `data_groups` (number → raw file): the LDS security
    /// object with their SHA-256 hashes, signed by the document signer.
    pub fn sign_sod(&self, data_groups: &BTreeMap<u8, Vec<u8>>) -> Vec<u8> {
        let hashes: Vec<Vec<u8>> = data_groups
            .iter()
            .map(|(number, raw)| der::seq(&[&der::int(u64::from(*number)), &der::octets(&Sha256::digest(raw))]))
            .collect();
        let hash_refs: Vec<&[u8]> = hashes.iter().map(Vec::as_slice).collect();
        let lds_object = der::seq(&[&der::int(0), &der::algorithm(SHA256), &der::seq(&hash_refs)]);
        der::tlv(&[0x77], &self.signed_data(LDS_SECURITY_OBJECT, &lds_object, &self.ds_key, &self.ds_certificate, 2))
    }

    /// CMS SignedData of `content` (of type `content_type`) signed by `key`,
    /// whose certificate (serial `serial`, issued by the CSCA) goes along.
    fn signed_data(&self, content_type: &str, content: &[u8], key: &SignKey, cert: &[u8], serial: u64) -> Vec<u8> {
        let attributes = [
            der::seq(&[&der::oid("1.2.840.113549.1.9.3"), &der::set_of(&[&der::oid(content_type)])]),
            der::seq(&[&der::oid("1.2.840.113549.1.9.4"), &der::set_of(&[&der::octets(&Sha256::digest(content))])]),
        ];
        // The signature covers the attributes as a SET (tag 31); SignedData
        // carries them implicitly tagged [0].
        let signed_attributes = der::set_of(&[&attributes[0], &attributes[1]]);
        let signature = key.sign(&signed_attributes);
        let mut implicit = signed_attributes.clone();
        implicit[0] = 0xA0;
        let signer_info = der::seq(&[
            &der::int(1),
            &der::seq(&[&name(self.csca_name), &der::int(serial)]),
            &der::algorithm(SHA256),
            &implicit,
            &der::algorithm(key.algorithm()),
            &der::octets(&signature),
        ]);
        let signed_data = der::seq(&[
            &der::int(3),
            &der::set_of(&[&der::algorithm(SHA256)]),
            &der::seq(&[&der::oid(content_type), &der::context(0, &[&der::octets(content)])]),
            &der::context(0, &[cert]),
            &der::set_of(&[&signer_info]),
        ]);
        der::seq(&[&der::oid("1.2.840.113549.1.7.2"), &der::context(0, &[&signed_data])])
    }

    /// A CSCA master list holding this CSCA, signed by a master list
    /// signer the CSCA certified — what `trust import` takes.
    pub fn master_list(&self) -> Vec<u8> {
        let key = SignKey::derive(&format!("{}: master list signer key", self.csca_name), false);
        let cert = certificate(
            &CertificateSpec {
                serial: 3,
                issuer: self.csca_name,
                subject: "mitid-assist test master list signer",
                not_before: "250101000000Z",
                not_after: "351231235959Z",
                ca: false,
            },
            &key,
            &self.csca_key,
        );
        let list = der::seq(&[&der::int(0), &der::set_of(&[&self.csca_certificate])]);
        self.signed_data("2.23.136.1.1.2", &list, &key, &cert, 3)
    }

    /// A CRL from the CSCA revoking the certificates with these serial
    /// numbers (the document signer is serial 2).
    pub fn crl(&self, revoked: &[u64]) -> Vec<u8> {
        self.crl_between(revoked, "260101000000Z", "360101000000Z")
    }

    /// A CRL as [`Self::crl`], issued at `this_update` and due for its next
    /// update at `next_update` (UTCTime, `YYMMDDHHMMSSZ`).
    pub fn crl_between(&self, revoked: &[u64], this_update: &str, next_update: &str) -> Vec<u8> {
        let entries: Vec<Vec<u8>> =
            revoked.iter().map(|serial| der::seq(&[&der::int(*serial), &der::utc_time("260101000000Z")])).collect();
        let entry_refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let mut parts: Vec<Vec<u8>> = vec![
            der::int(1),
            der::algorithm(self.csca_key.algorithm()),
            name(self.csca_name),
            der::utc_time(this_update),
            der::utc_time(next_update),
        ];
        if !entries.is_empty() {
            parts.push(der::seq(&entry_refs));
        }
        let part_refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let tbs = der::seq(&part_refs);
        let signature = self.csca_key.sign(&tbs);
        der::seq(&[&tbs, &der::algorithm(self.csca_key.algorithm()), &der::bits(&signature)])
    }
}

impl Default for TestPki {
    fn default() -> Self {
        Self::new()
    }
}

/// The simulator's default specimen passport (Utopia, Anna Maria
/// Eriksson, valid to April 2034), with its check digits.
pub fn specimen_mrz() -> Mrz {
    let text = specimen_td3("UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "740812", 'F', "340415");
    Mrz::parse(&text).expect("the specimen's check digits are computed")
}

/// The check digit of `text` as MRZ text (`<` where there is none).
fn check_char(text: &str) -> char {
    crate::mrz::check_digit(text).map_or('<', |d| char::from(b'0' + d))
}

/// A TD3 MRZ for a specimen passport with the check digits computed, e.g.
/// `specimen_td3("UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "740812",
/// 'F', "310415")`.
pub fn specimen_td3(
    issuer: &str,
    surname: &str,
    given_names: &str,
    number: &str,
    birth: &str,
    sex: char,
    expiry: &str,
) -> String {
    let names = format!("{}<<{}", surname.replace(' ', "<"), given_names.replace(' ', "<"));
    let line1 = format!("P<{issuer}{names:<<39}").chars().take(44).collect::<String>();
    let line1 = format!("{line1:<<44}");
    let number9 = format!("{number:<<9}");
    let personal = "<".repeat(14);
    let body = format!(
        "{number9}{}{issuer}{birth}{}{sex}{expiry}{}{personal}{}",
        check_char(&number9),
        check_char(birth),
        check_char(expiry),
        check_char(&personal)
    );
    let composite = format!("{}{}{}", &body[0..10], &body[13..20], &body[21..43]);
    format!("{line1}\n{body}{}", check_char(&composite))
}

/// A TD1 MRZ (three lines of 30) for a specimen ID card with the check
/// digits computed, e.g. `specimen_td1("UTO", "ERIKSSON", "ANNA MARIA",
/// "D23145890", "740812", 'F', "340415")`.
pub fn specimen_td1(
    issuer: &str,
    surname: &str,
    given_names: &str,
    number: &str,
    birth: &str,
    sex: char,
    expiry: &str,
) -> String {
    let number9 = format!("{number:<<9}");
    let line1 = format!("ID{issuer}{number9}{}{}", check_char(&number9), "<".repeat(15));
    let line2 = format!("{birth}{}{sex}{expiry}{}{issuer}{}", check_char(birth), check_char(expiry), "<".repeat(11));
    let composite = format!("{}{}{}{}", &line1[5..30], &line2[0..7], &line2[8..15], &line2[18..29]);
    let names = format!("{}<<{}", surname.replace(' ', "<"), given_names.replace(' ', "<"));
    let line3: String = format!("{names:<<30}").chars().take(30).collect();
    format!("{line1}\n{line2}{}\n{line3}", check_char(&composite))
}

fn placeholder_face() -> Vec<u8> {
    // A calm grey-blue background with a head and shoulders in silhouette,
    // and a little texture so the JPEG is the size of a real chip photo.
    // 360×480 at JPEG quality 85 comes to about 20 KB, a typical DG2.
    let (w, h) = (360u32, 480u32);
    let mut noise = 0x2545_F491u32;
    let image = image::RgbImage::from_fn(w, h, |x, y| {
        noise ^= noise << 13;
        noise ^= noise >> 17;
        noise ^= noise << 5;
        let grain = (noise % 9) as i32 - 4;
        // Coordinates in units of the width, from the top centre.
        let (fx, fy) = ((x as f32 - w as f32 / 2.0) / w as f32, y as f32 / w as f32);
        let head = (fx / 0.25).powi(2) + ((fy - 0.52) / 0.33).powi(2) <= 1.0;
        let shoulders = fy > 0.93 && (fx / 0.5).powi(2) + ((fy - 1.33) / 0.4).powi(2) <= 1.0;
        let base: [i32; 3] = if head {
            [214, 176, 150]
        } else if shoulders {
            [58, 66, 84]
        } else {
            [200, 208, 218 - (y / 12) as i32]
        };
        image::Rgb(base.map(|c| (c + grain).clamp(0, 255) as u8))
    });
    jpeg(&image::DynamicImage::ImageRgb8(image))
}

fn jpeg(image: &image::DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    image::DynamicImage::ImageRgb8(image.to_rgb8())
        .write_with_encoder(encoder)
        .expect("encoding to memory does not fail");
    out
}

/// The face as stored: JPEG or JPEG 2000 as given, anything else the image
/// crate reads re-encoded to JPEG. Returns the bytes, whether JPEG 2000,
/// and the size.
fn face_image(given: Option<&[u8]>) -> Result<(Vec<u8>, bool, u32, u32), GenerateError> {
    let bytes = match given {
        None => placeholder_face(),
        Some(bytes) => bytes.to_vec(),
    };
    match crate::face::ImageFormat::sniff(&bytes) {
        Some(format) => {
            let face =
                crate::face::FaceImage { encoding: crate::face::Encoding::Iso19794, format, data: bytes.clone() };
            let rgb = crate::face::decode(&face).map_err(|e| GenerateError::Face(e.to_string()))?;
            let jp2 = format != crate::face::ImageFormat::Jpeg;
            Ok((bytes, jp2, rgb.width, rgb.height))
        }
        None => {
            let image = image::load_from_memory(&bytes).map_err(|e| GenerateError::Face(e.to_string()))?;
            Ok((jpeg(&image), false, image.width(), image.height()))
        }
    }
}

/// Whether `bytes` is a picture a generated document can hold as its face
/// (JPEG, JPEG 2000, or PNG): its width and height.
pub fn check_picture(bytes: &[u8]) -> Result<(u32, u32), GenerateError> {
    face_image(Some(bytes)).map(|(_, _, w, h)| (w, h))
}

fn dg2(face: &[u8], jp2: bool, width: u32, height: u32) -> Vec<u8> {
    let clamp16 = |v: u32| u16::try_from(v).unwrap_or(u16::MAX).to_be_bytes();
    let block_len = (20 + 12 + face.len()) as u32;
    let mut record = b"FAC\0".to_vec();
    record.extend_from_slice(b"010\0");
    record.extend_from_slice(&(14 + block_len).to_be_bytes());
    record.extend_from_slice(&1u16.to_be_bytes());
    // Facial record header: no feature points, nothing else specified.
    record.extend_from_slice(&block_len.to_be_bytes());
    record.extend_from_slice(&[0; 16]);
    // Image information: full frontal, JPEG (0) or JPEG 2000 (1), size,
    // 24-bit RGB, digital still.
    record.extend_from_slice(&[0x01, u8::from(jp2)]);
    record.extend_from_slice(&clamp16(width));
    record.extend_from_slice(&clamp16(height));
    record.extend_from_slice(&[0x01, 0x02, 0, 0, 0, 0]);
    record.extend_from_slice(face);
    let header = der::tlv(
        &[0xA1],
        &[der::tlv(&[0x80], &[1, 1]), der::tlv(&[0x81], &[2]), der::tlv(&[0x87], &[1, 1]), der::tlv(&[0x88], &[0, 8])]
            .concat(),
    );
    let template = der::nest(&[0x7F, 0x60], &[&header, &der::tlv(&[0x5F, 0x2E], &record)]);
    der::tlv(&[0x75], &der::nest(&[0x7F, 0x61], &[&der::int(1), &template]))
}

fn text_dg(tag: u8, fields: &[([u8; 2], String)]) -> Vec<u8> {
    let list: Vec<u8> = fields.iter().flat_map(|(t, _)| *t).collect();
    let mut value = der::tlv(&[0x5C], &list);
    for (t, text) in fields {
        value.extend(der::tlv(t, text.as_bytes()));
    }
    der::tlv(&[tag], &value)
}

/// The full date YYYYMMDD of an MRZ date YYMMDD: a birth date in the
/// future is taken as the century before.
fn full_birth_date(yymmdd: &str) -> String {
    let yy: u32 = yymmdd.get(..2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let century = if yy > 30 { "19" } else { "20" };
    format!("{century}{yymmdd}")
}

/// Generates the document of `mrz`, its SOD signed by `pki`.
pub fn generate(mrz: &Mrz, spec: &DocumentSpec, pki: &TestPki) -> Result<Document, GenerateError> {
    let (face, jp2, width, height) = face_image(spec.face.as_deref())?;
    let number = &mrz.document_number;
    let ca_key = derived_key(&format!("mitid-assist test chip authentication key {number}"));
    let aa_key = derived_key(&format!("mitid-assist test active authentication key {number}"));

    let mut groups: BTreeMap<u8, Vec<u8>> = BTreeMap::new();
    groups.insert(1, der::tlv(&[0x61], &der::tlv(&[0x5F, 0x1F], mrz.lines.concat().as_bytes())));
    groups.insert(2, dg2(&face, jp2, width, height));
    let full_name = format!("{}<<{}", mrz.primary_name.replace(' ', "<"), mrz.secondary_names.replace(' ', "<"));
    groups.insert(
        11,
        text_dg(
            0x6B,
            &[
                ([0x5F, 0x0E], full_name),
                ([0x5F, 0x2B], full_birth_date(&mrz.birth_date)),
                ([0x5F, 0x11], spec.place_of_birth.clone().unwrap_or_else(|| "UTOPIA CITY".into())),
            ],
        ),
    );
    groups.insert(
        12,
        text_dg(
            0x6C,
            &[
                ([0x5F, 0x19], spec.issuing_authority.clone().unwrap_or_else(|| "UTOPIA PASSPORT OFFICE".into())),
                ([0x5F, 0x26], spec.date_of_issue.clone().unwrap_or_else(|| "20210415".into())),
            ],
        ),
    );
    let security_infos = der::set_of(&[
        &der::seq(&[&der::oid("0.4.0.127.0.7.2.2.1.2"), &p256_spki(&ca_key)]),
        &der::seq(&[&der::oid("0.4.0.127.0.7.2.2.3.2.2"), &der::int(1)]),
        &der::seq(&[&der::oid("2.23.136.1.1.5"), &der::int(1), &der::oid("0.4.0.127.0.7.1.1.4.1.3")]),
    ]);
    groups.insert(14, der::tlv(&[0x6E], &security_infos));
    groups.insert(15, der::tlv(&[0x6F], &p256_spki(&aa_key)));

    let tags: Vec<u8> = [0x61, 0x75, 0x6B, 0x6C, 0x6E, 0x6F].to_vec();
    let com = der::tlv(
        &[0x60],
        &[der::tlv(&[0x5F, 0x01], b"0107"), der::tlv(&[0x5F, 0x36], b"040000"), der::tlv(&[0x5C], &tags)].concat(),
    );
    let sod = pki.sign_sod(&groups);
    let mut files = BTreeMap::new();
    files.insert(FileId::Com, com);
    files.insert(FileId::Sod, sod);
    for (number, raw) in groups {
        files.insert(FileId::Dg(DataGroup(number)), raw);
    }
    Ok(Document {
        files,
        chip_authentication_key: ca_key.to_bytes().into(),
        active_authentication_key: aa_key.to_bytes().into(),
    })
}

/// What the simulated document is, for trainers and tests: genuine, or
/// one of the ways a document fails verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scenario {
    /// Signed by the test CSCA, the chip holds DG15's key.
    #[default]
    Genuine,
    /// DG1 changed after signing (the holder's name).
    AlteredDg1,
    /// DG2 changed after signing (the photo).
    AlteredDg2,
    /// The SOD's signature broken.
    BadSodSignature,
    /// The document signer's certificate expired.
    ExpiredSigner,
    /// Signed under a CSCA nobody trusts.
    UnknownCsca,
    /// A copy of the genuine data on another chip: it answers Active and
    /// Chip Authentication with its own keys, not DG15's and DG14's.
    Clone,
}

impl Scenario {
    /// Every scenario, with its command-line name.
    pub const ALL: [(&'static str, Scenario); 7] = [
        ("genuine", Scenario::Genuine),
        ("altered-dg1", Scenario::AlteredDg1),
        ("altered-dg2", Scenario::AlteredDg2),
        ("bad-sod-signature", Scenario::BadSodSignature),
        ("expired-signer", Scenario::ExpiredSigner),
        ("unknown-csca", Scenario::UnknownCsca),
        ("clone", Scenario::Clone),
    ];
}

/// The private keys a simulated chip answers with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ChipKeys {
    /// Active Authentication's.
    pub active_authentication: [u8; 32],
    /// Chip Authentication's.
    pub chip_authentication: [u8; 32],
}

impl std::fmt::Debug for ChipKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChipKeys(..)")
    }
}

/// Generates the document of `scenario`, and the keys its chip answers
/// Active and Chip Authentication with.
pub fn generate_scenario(
    mrz: &Mrz,
    spec: &DocumentSpec,
    scenario: Scenario,
) -> Result<(Document, ChipKeys), GenerateError> {
    let pki = match scenario {
        Scenario::ExpiredSigner => TestPki::expired_signer(),
        Scenario::UnknownCsca => TestPki::unknown_csca(),
        _ => TestPki::new(),
    };
    let mut doc = generate(mrz, spec, &pki)?;
    let mut keys = ChipKeys {
        active_authentication: doc.active_authentication_key,
        chip_authentication: doc.chip_authentication_key,
    };
    match scenario {
        Scenario::AlteredDg1 => {
            // The first letter of the primary identifier (after "P<" and
            // the issuer, 5 bytes into the value).
            if let Some(dg1) = doc.files.get_mut(&FileId::DG1) {
                let at = 5 + 5;
                if let Some(b) = dg1.get_mut(at) {
                    *b = if *b == b'X' { b'Y' } else { b'X' };
                }
            }
        }
        Scenario::AlteredDg2 => {
            if let Some(dg2) = doc.files.get_mut(&FileId::DG2) {
                let at = dg2.len() * 2 / 3;
                dg2[at] ^= 0x10;
            }
        }
        Scenario::BadSodSignature => {
            if let Some(sod) = doc.files.get_mut(&FileId::Sod) {
                let at = sod.len() - 5;
                sod[at] ^= 0x01;
            }
        }
        Scenario::Clone => {
            keys = ChipKeys {
                active_authentication: derived_key("mitid-assist cloned chip's own AA key").to_bytes().into(),
                chip_authentication: derived_key("mitid-assist cloned chip's own CA key").to_bytes().into(),
            };
        }
        Scenario::Genuine | Scenario::ExpiredSigner | Scenario::UnknownCsca => {}
    }
    Ok((doc, keys))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lds::{self, HashVerdict};
    use crate::security_infos::{self, ActiveAuthenticationKey, SecurityInfo};

    fn specimen() -> Mrz {
        Mrz::parse(&specimen_td3("UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "740812", 'F', "310415")).unwrap()
    }

    #[test]
    fn a_td1_specimen_is_an_id_card_mrz_with_right_check_digits() {
        let text = specimen_td1("UTO", "ERIKSSON", "ANNA MARIA", "D23145890", "740812", 'F', "340415");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.iter().map(|l| l.len()).collect::<Vec<_>>(), [30, 30, 30]);
        // ICAO 9303 Part 5's worked example gives these check digits.
        assert_eq!(lines[0], "IDUTOD231458907<<<<<<<<<<<<<<<");
        let mrz = Mrz::parse(&text).unwrap();
        assert_eq!(mrz.format, crate::mrz::Format::Td1);
        assert_eq!((mrz.document_number.as_str(), mrz.primary_name.as_str()), ("D23145890", "ERIKSSON"));
        let doc = generate(&mrz, &DocumentSpec::default(), &TestPki::new()).unwrap();
        assert_eq!(lds::parse_dg1(&doc.files[&FileId::DG1]).unwrap(), mrz);
    }

    #[test]
    fn a_generated_document_parses_and_its_hashes_match() {
        let mrz = specimen();
        let doc = generate(&mrz, &DocumentSpec::default(), &TestPki::new()).unwrap();
        let com = lds::parse_com(&doc.files[&FileId::Com]).unwrap();
        assert_eq!(com.data_groups.len(), 6);
        assert_eq!(lds::parse_dg1(&doc.files[&FileId::DG1]).unwrap(), mrz);
        let faces = crate::face::parse_dg2(&doc.files[&FileId::DG2]).unwrap();
        let rgb = crate::face::decode(&faces[0]).unwrap();
        assert_eq!((rgb.width, rgb.height), (360, 480));
        let dg2_len = doc.files[&FileId::DG2].len();
        assert!((10_000..60_000).contains(&dg2_len), "DG2 is {dg2_len} bytes");
        let dg11 = lds::parse_text_dg(&doc.files[&FileId::DG11]).unwrap();
        assert!(dg11.iter().any(|f| f.value == "ERIKSSON  ANNA MARIA"), "{dg11:?}");
        assert!(dg11.iter().any(|f| f.value == "19740812"));
        assert!(!lds::parse_text_dg(&doc.files[&FileId::DG12]).unwrap().is_empty());
        let infos = security_infos::parse(&doc.files[&FileId::DG14]).unwrap();
        assert!(infos.iter().any(|i| matches!(i, SecurityInfo::ChipAuthenticationPublicKey { .. })));
        assert!(infos.iter().any(|i| matches!(i, SecurityInfo::ActiveAuthentication { .. })));
        assert!(matches!(
            security_infos::parse_dg15(&doc.files[&FileId::DG15]).unwrap(),
            ActiveAuthenticationKey::Ec { .. }
        ));

        let sod = lds::parse_sod(&doc.files[&FileId::Sod]).unwrap();
        for number in [1u8, 2, 11, 12, 14, 15] {
            let raw = &doc.files[&FileId::Dg(DataGroup(number))];
            assert_eq!(sod.check(DataGroup(number), raw), HashVerdict::Match, "DG{number}");
        }
        let mut altered = doc.files[&FileId::DG1].clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert_eq!(sod.check(DataGroup(1), &altered), HashVerdict::Mismatch);
    }

    #[test]
    fn the_signatures_verify_with_the_keys_they_claim() {
        use crate::pki::x509::Certificate;
        for pki in [TestPki::new(), TestPki::brainpool512()] {
            let csca = Certificate::parse(pki.csca_certificate()).unwrap();
            let ds = Certificate::parse(pki.document_signer_certificate()).unwrap();
            let csca_key = csca.public_key().unwrap();
            assert_eq!(csca.spki, pki.csca_public_key());
            assert_eq!(csca.verify_signed_by(&csca_key), Ok(()));
            assert_eq!(ds.verify_signed_by(&csca_key), Ok(()));
            assert!(ds.verify_signed_by(&ds.public_key().unwrap()).is_err());
        }
        // The CSCA is the same on every run.
        assert_eq!(TestPki::new().csca_certificate(), TestPki::new().csca_certificate());
    }

    #[test]
    fn specimen_mrz_check_digits() {
        let text = specimen_td3("UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "740812", 'F', "120415");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
        assert_eq!(lines[1].len(), 44);
        assert!(Mrz::parse(&text).is_ok());
    }

    #[test]
    fn a_png_face_is_stored_as_jpeg_and_garbage_is_refused() {
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(60, 80, image::Rgb([120, 90, 70])))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let spec = DocumentSpec { face: Some(png), ..DocumentSpec::default() };
        let doc = generate(&specimen(), &spec, &TestPki::new()).unwrap();
        let faces = crate::face::parse_dg2(&doc.files[&FileId::DG2]).unwrap();
        assert_eq!(faces[0].format, crate::face::ImageFormat::Jpeg);
        let spec = DocumentSpec { face: Some(b"not an image".to_vec()), ..DocumentSpec::default() };
        assert!(matches!(generate(&specimen(), &spec, &TestPki::new()), Err(GenerateError::Face(_))));
    }
}
