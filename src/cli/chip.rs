//! The chip commands: list readers, put the simulated chip behind pcscd's
//! virtual reader, read a document through PC/SC.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use clap::Subcommand;
use mitid_core::trust::TrustStore;
use mitid_emrtd::face;
use mitid_emrtd::file::FileId;
use mitid_emrtd::lds::{self, HashVerdict};
use mitid_emrtd::mrz::{AccessKey, Mrz};
use mitid_emrtd::pace::{PaceCipher, Suite};
use mitid_emrtd::pcsc::{self, PcscTransport};
use mitid_emrtd::pki::passive;
use mitid_emrtd::pki::verdict::{self, ChipCheck};
use mitid_emrtd::reader::{ReadError, Reader};
use mitid_emrtd::security_infos::{self, ActiveAuthenticationKey, SecurityInfo};
use mitid_emrtd::session;
use mitid_emrtd::sim::document::{self, DocumentSpec, Scenario, TestPki};
use mitid_emrtd::sim::{Quirks, SimChip};
use mitid_emrtd::transport::TransportError;
use serde_json::json;

use super::{CliError, Outcome};

/// Exit code: the chip refused the MRZ (access denied).
pub const EXIT_ACCESS_DENIED: u8 = 4;
/// Exit code: no smart-card service, no reader or no document.
pub const EXIT_NO_CARD: u8 = 5;
/// Exit code: the document was moved away and the read could not finish.
pub const EXIT_CARD_LOST: u8 = 6;
/// Exit code: the chip answered something unusable.
pub const EXIT_CHIP: u8 = 7;

/// Chip commands.
#[derive(Debug, Subcommand)]
pub enum ChipCommand {
    /// List the smart-card readers.
    Readers {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Follow the readers live: print a line with every reader and whether
    /// a document is on it, each time a reader is plugged in or out, a
    /// document is placed or taken away, or the smart-card service stops or
    /// comes back. Runs until stopped (or after --changes lines).
    Watch {
        /// Stop after this many lines.
        #[arg(long)]
        changes: Option<u64>,
    },
    /// Serve the simulated chip to pcscd's virtual reader (vsmartcard vpcd),
    /// so any PC/SC program sees a passport in "Virtual PCD 00 00". Runs
    /// until stopped. Without --lds-dir it generates a document — DG1, DG2
    /// with the face, DG11, DG12, DG14, DG15 and a SOD signed by the
    /// simulator's test CSCA — from --mrz-file (or a specimen MRZ).
    Sim {
        /// vpcd's address (its driver listens on 35963 for reader 00 00).
        #[arg(long, default_value = "127.0.0.1:35963")]
        vpcd: SocketAddr,
        /// Serve these files as they are (EF_COM.bin, EF_SOD.bin,
        /// DatagroupN.bin or efXXXX.bin) instead of generating a document.
        #[arg(long)]
        lds_dir: Option<PathBuf>,
        /// The MRZ that opens the chip (and, when generating, goes in DG1);
        /// with --lds-dir, DG1's when absent.
        #[arg(long)]
        mrz_file: Option<PathBuf>,
        /// The face for a generated DG2: JPEG or JPEG 2000 as is, PNG
        /// re-encoded to JPEG; a drawn placeholder when absent.
        #[arg(long, conflicts_with = "lds_dir")]
        face: Option<PathBuf>,
        /// What the generated document is: genuine, or a way verification
        /// fails — altered-dg1, altered-dg2, bad-sod-signature,
        /// expired-signer, unknown-csca, clone (answers Active
        /// Authentication with its own key).
        #[arg(long, conflicts_with = "lds_dir", default_value = "genuine", value_parser = parse_scenario)]
        scenario: Scenario,
        /// Write the simulator's CSCA certificate (DER) here, for the trust
        /// store, and exit.
        #[arg(long)]
        export_csca: Option<PathBuf>,
        /// Write a CSCA master list holding the simulator's CSCA (signed by
        /// a master list signer it certified) here, and exit.
        #[arg(long)]
        export_master_list: Option<PathBuf>,
        /// The most data one READ BINARY returns.
        #[arg(long)]
        max_le: Option<u32>,
        /// Refuse extended-length APDUs.
        #[arg(long)]
        no_extended: bool,
        /// Which access control the chip offers.
        #[arg(long, value_parser = ["pace", "bac", "both"], default_value = "both")]
        access: String,
        /// The card access number PACE takes instead of the MRZ.
        #[arg(long, default_value = "123456")]
        can: String,
        /// Refuse PACE without the parameter-id tag 0x84 (as some chips do).
        #[arg(long)]
        require_parameter_id: bool,
        /// PACE's standardized domain parameter id: 0–2 DH (RFC 5114 MODP
        /// groups), 8 P-192, 9 brainpoolP192r1, 10 P-224, 11 brainpoolP224r1,
        /// 12 P-256, 13 brainpoolP256r1, 14 brainpoolP320r1, 15 P-384,
        /// 16 brainpoolP384r1, 17 brainpoolP512r1, 18 P-521. Default 13;
        /// with --mapping cam 12, the curve of the generated document's
        /// Chip Authentication key.
        #[arg(long, value_parser = parse_curve)]
        parameter_id: Option<u8>,
        /// PACE's mapping: generic, integrated (AES-128), or Chip
        /// Authentication Mapping (which proves the chip with DG14's key
        /// inside PACE; ECDH and AES only).
        #[arg(long, value_parser = ["gm", "im", "cam"], default_value = "gm")]
        mapping: String,
        /// The PACE cipher (and so the secure messaging after it).
        #[arg(long, value_parser = ["3des", "aes128", "aes192", "aes256"], default_value = "aes128")]
        cipher: String,
    },
    /// Read a document's chip through PC/SC: PACE when the chip offers it
    /// (with the MRZ or the CAN), else BAC.
    Read {
        /// The reader; the first with a card when absent.
        #[arg(long)]
        reader: Option<String>,
        /// The card access number (6 digits on the front of ID cards), for PACE.
        #[arg(long, conflicts_with_all = ["mrz_file", "doc", "dob", "expiry"])]
        can: Option<String>,
        /// A file with the MRZ (2 or 3 lines).
        #[arg(long, conflicts_with_all = ["doc", "dob", "expiry"])]
        mrz_file: Option<PathBuf>,
        /// Document number.
        #[arg(long, requires_all = ["dob", "expiry"])]
        doc: Option<String>,
        /// Date of birth, YYMMDD.
        #[arg(long)]
        dob: Option<String>,
        /// Date of expiry, YYMMDD.
        #[arg(long)]
        expiry: Option<String>,
        /// Write each file exactly as read into this folder.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Check the document against these CSCAs (a master list, a
        /// certificate, or a folder of them) instead of the trust store.
        #[arg(long, value_name = "FILE|DIR")]
        trust: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

impl ChipCommand {
    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        matches!(self, Self::Readers { json: true } | Self::Read { json: true, .. })
    }
}

fn cipher_name(cipher: PaceCipher) -> &'static str {
    match cipher {
        PaceCipher::Tdes => "3DES",
        PaceCipher::Aes128 => "AES-128",
        PaceCipher::Aes192 => "AES-192",
        PaceCipher::Aes256 => "AES-256",
    }
}

fn parse_scenario(text: &str) -> Result<Scenario, String> {
    Scenario::ALL.iter().find(|(name, _)| *name == text).map(|(_, s)| *s).ok_or_else(|| {
        let names: Vec<&str> = Scenario::ALL.iter().map(|(n, _)| *n).collect();
        format!("the scenarios are {}", names.join(", "))
    })
}

fn parse_curve(text: &str) -> Result<u8, String> {
    text.parse::<u8>()
        .ok()
        .filter(|id| mitid_emrtd::curves::by_parameter_id(*id).is_some())
        .ok_or_else(|| "the standardized parameter ids are 0–2 (DH) and 8–18 (elliptic curves)".into())
}

fn transport_error(e: TransportError) -> CliError {
    let code = match e {
        TransportError::CardLost | TransportError::Timeout => EXIT_CARD_LOST,
        _ => EXIT_NO_CARD,
    };
    CliError::Chip(code, e.to_string())
}

fn read_error(e: ReadError) -> CliError {
    match e {
        ReadError::Transport(t) => transport_error(t),
        ReadError::AccessDenied => CliError::Chip(EXIT_ACCESS_DENIED, e.to_string()),
        ReadError::Unstable => CliError::Chip(EXIT_CARD_LOST, e.to_string()),
        other => CliError::Chip(EXIT_CHIP, other.to_string()),
    }
}

/// The files of an LDS folder.
fn load_lds(dir: &Path) -> Result<BTreeMap<FileId, Vec<u8>>, CliError> {
    let cannot = |e: std::io::Error| CliError::Input(format!("cannot read {}: {e}", dir.display()));
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).map_err(cannot)? {
        let entry = entry.map_err(cannot)?;
        if let Some(id) = FileId::from_file_name(&entry.file_name().to_string_lossy()) {
            files.insert(id, std::fs::read(entry.path()).map_err(cannot)?);
        }
    }
    if !files.contains_key(&FileId::DG1) {
        return Err(CliError::Input(format!("{} has no DG1 (Datagroup1.bin or ef0101.bin)", dir.display())));
    }
    Ok(files)
}

fn read_mrz_file(path: &Path) -> Result<Mrz, CliError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))?;
    Mrz::parse(&text).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
}

pub(super) fn run(action: &ChipCommand, context: &super::Context, demo: bool) -> Result<Outcome, CliError> {
    match action {
        ChipCommand::Readers { json } => {
            let names = pcsc::readers().map_err(transport_error)?;
            Ok(Outcome::ok(if *json {
                json!(names).to_string() + "\n"
            } else if names.is_empty() {
                "no readers\n".into()
            } else {
                names.join("\n") + "\n"
            }))
        }
        ChipCommand::Watch { changes } => {
            use std::io::Write;
            let printed = std::cell::Cell::new(0u64);
            pcsc::watch(
                Duration::from_millis(500),
                || changes.is_none_or(|n| printed.get() < n),
                |now| {
                    let line = match now {
                        Ok(readers) if readers.is_empty() => "no readers".to_owned(),
                        Ok(readers) => readers
                            .iter()
                            .map(|r| format!("{} ({})", r.name, if r.card { "document" } else { "empty" }))
                            .collect::<Vec<_>>()
                            .join(", "),
                        Err(e) => format!("error: {e}"),
                    };
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{line}");
                    let _ = out.flush();
                    printed.set(printed.get() + 1);
                },
            );
            Ok(Outcome::ok(String::new()))
        }
        ChipCommand::Sim {
            vpcd,
            lds_dir,
            mrz_file,
            face,
            scenario,
            export_csca,
            export_master_list,
            max_le,
            no_extended,
            access,
            can,
            require_parameter_id,
            parameter_id,
            mapping,
            cipher,
        } => {
            let pace_cipher = match cipher.as_str() {
                "3des" => PaceCipher::Tdes,
                "aes128" => PaceCipher::Aes128,
                "aes192" => PaceCipher::Aes192,
                "aes256" => PaceCipher::Aes256,
                _ => return Err(CliError::Input("--cipher takes 3des, aes128, aes192 or aes256".into())),
            };
            let cam = mapping == "cam";
            if mapping == "im" && pace_cipher != PaceCipher::Aes128 {
                return Err(CliError::Input("PACE-IM is served with AES-128 only: use --cipher aes128".into()));
            }
            let parameter_id = parameter_id.unwrap_or(if cam { 12 } else { 13 });
            if cam && (parameter_id != 12 || pace_cipher == PaceCipher::Tdes || lds_dir.is_some()) {
                return Err(CliError::Input(
                    "PACE-CAM works here on a generated document (its Chip Authentication key is P-256): \
                     leave out --lds-dir, use --parameter-id 12 and an AES cipher"
                        .into(),
                ));
            }
            let pki = TestPki::new();
            if let Some(path) = export_csca {
                std::fs::write(path, pki.csca_certificate())
                    .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))?;
                return Ok(Outcome::ok(format!("the simulator's CSCA certificate is in {}\n", path.display())));
            }
            if let Some(path) = export_master_list {
                std::fs::write(path, pki.master_list())
                    .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))?;
                return Ok(Outcome::ok(format!("a master list with the simulator's CSCA is in {}\n", path.display())));
            }
            let mut chip_keys = None;
            let (files, mrz, source) = match lds_dir {
                Some(dir) => {
                    let files = load_lds(dir)?;
                    let mrz = match mrz_file {
                        Some(path) => read_mrz_file(path)?,
                        None => {
                            lds::parse_dg1(&files[&FileId::DG1]).map_err(|e| CliError::Input(format!("DG1: {e}")))?
                        }
                    };
                    (files, mrz, dir.display().to_string())
                }
                None => {
                    let mrz = match mrz_file {
                        Some(path) => read_mrz_file(path)?,
                        None => document::specimen_mrz(),
                    };
                    let face = match face {
                        Some(path) => Some(
                            std::fs::read(path)
                                .map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))?,
                        ),
                        None => None,
                    };
                    let spec = DocumentSpec { face, ..DocumentSpec::default() };
                    let (doc, keys) = document::generate_scenario(&mrz, &spec, *scenario)
                        .map_err(|e| CliError::Input(e.to_string()))?;
                    chip_keys = Some(keys);
                    let number = mrz.document_number.clone();
                    let name = Scenario::ALL.iter().find(|(_, s)| s == scenario).map_or("", |(n, _)| *n);
                    (doc.files, mrz, format!("a generated document (number {number}, {name})"))
                }
            };
            let quirks = Quirks {
                max_le: max_le.unwrap_or(65_536),
                extended: !no_extended,
                bac: access != "pace",
                pace: access != "bac",
                require_parameter_id: *require_parameter_id,
                parameter_id,
                pace_cipher,
                pace_cam: cam,
                pace_im: mapping == "im",
            };
            let mut chip = SimChip::new(files, &mrz.access_key()).quirks(quirks).can(can);
            if let Some(keys) = chip_keys {
                chip = chip
                    .active_authentication_key(keys.active_authentication)
                    .chip_authentication_key(keys.chip_authentication);
            }
            eprintln!("simulated chip ready: serving {source} to vpcd at {vpcd}");
            let stop = AtomicBool::new(false);
            mitid_emrtd::vpcd::serve(&mut chip, *vpcd, &stop, Duration::from_millis(300)).map_err(|e| {
                CliError::Chip(EXIT_NO_CARD, format!("vpcd at {vpcd}: {e} (is pcscd running with the vpcd driver?)"))
            })?;
            Ok(Outcome::ok(String::new()))
        }
        ChipCommand::Read { reader, can, mrz_file, doc, dob, expiry, out, trust, json } => {
            let key = match (can, mrz_file, doc, dob, expiry) {
                (Some(_), ..) => None,
                (None, Some(path), ..) => Some(read_mrz_file(path)?.access_key()),
                (None, None, Some(doc), Some(dob), Some(expiry)) => {
                    Some(AccessKey::new(doc, dob, expiry).map_err(|e| CliError::Input(e.to_string()))?)
                }
                _ => return Err(CliError::Input("give --can, --mrz-file, or --doc, --dob and --expiry".into())),
            };
            if let Some(can) = can
                && (can.len() != 6 || !can.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(CliError::Input("the CAN is the 6 digits printed on the document".into()));
            }
            // Passive authentication against the trust store (or --trust).
            let now_ts = context.clock.now();
            let store = match trust {
                Some(path) => {
                    let mut store = TrustStore::in_memory();
                    super::trust::import_path(&mut store, path, now_ts)?;
                    store
                }
                // The site's (through the service) or this desk's own.
                None if context.server.is_some() => super::desk::open(context, demo)?.trust()?.store,
                None => mitid_core::desk::Desk::own_trust(&context.paths.data_dir, now_ts)?.store,
            };
            let now = crate::chip_read::utc_time(now_ts);
            let trust = session::Trust { certificates: store.certificates(), crls: store.crls(), now };
            let secret = match (can, key) {
                (Some(can), _) => session::Secret::Can(can.clone()),
                (None, Some(key)) => session::Secret::Mrz(key),
                (None, None) => return Err(CliError::Input("give --can or the MRZ".into())),
            };
            let started = Instant::now();
            let transport = PcscTransport::connect(reader.as_deref()).map_err(transport_error)?;
            let reader_name = transport.reader();
            let mut r = Reader::new(transport);
            let document = session::read_document(&mut r, &secret, &trust, &mut |_| {}).map_err(|e| match e {
                session::SessionError::Read(e) => read_error(e),
                other => CliError::Chip(EXIT_CHIP, other.to_string()),
            })?;
            let (access, suite) = match document.access {
                session::Access::Pace(suite) => ("PACE", suite),
                session::Access::Bac => ("BAC", Suite::gm(13, PaceCipher::Aes128)),
            };
            let (curve_id, pace_cipher) = (suite.parameter_id, suite.cipher);
            let sod = lds::parse_sod(document.file(FileId::Sod).unwrap_or_default())
                .map_err(|e| CliError::Chip(EXIT_CHIP, e.to_string()))?;
            let skipped: Vec<String> = document.skipped_eac.iter().map(|dg| format!("DG{dg}")).collect();
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            let mut listed = Vec::new();
            let mut all_match = true;
            for file in &document.files {
                let verdict = match file.file_id.as_data_group() {
                    Some(dg) => match sod.check(dg, &file.bytes) {
                        HashVerdict::Match => "match",
                        HashVerdict::Mismatch => {
                            all_match = false;
                            "mismatch"
                        }
                        HashVerdict::NotListed => "not_in_sod",
                    },
                    None => "n/a",
                };
                let (name, bytes, apdus) = (file.file_id.stem(), file.bytes.len(), file.apdus);
                listed.push(json!({"file": name, "bytes": bytes, "apdus": apdus, "hash": verdict}));
            }
            if let Some(dir) = out {
                std::fs::create_dir_all(dir)
                    .map_err(|e| CliError::Input(format!("cannot make {}: {e}", dir.display())))?;
                for file in &document.files {
                    let path = dir.join(format!("{}.bin", file.file_id.stem()));
                    std::fs::write(&path, &file.bytes)
                        .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))?;
                }
            }
            let dg1 = document.dg1();
            // The face: its format, size, and (with --out) a PNG.
            let face = document.file(FileId::DG2).map(|bytes| {
                let face = face::parse_dg2(bytes).map_err(|e| e.to_string())?.remove(0);
                let rgb = face::decode(&face).map_err(|e| e.to_string())?;
                Ok::<_, String>((face, rgb))
            });
            if let (Some(dir), Some(Ok((_, rgb)))) = (out, &face) {
                let png = face::to_png(rgb).map_err(|e| CliError::Chip(EXIT_CHIP, e.to_string()))?;
                let path = dir.join("face.png");
                std::fs::write(&path, png)
                    .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))?;
            }
            let offers = document.file(FileId::DG14).and_then(|b| security_infos::parse(b).ok()).map(|infos| {
                infos
                    .iter()
                    .map(|info| match info {
                        SecurityInfo::Pace { mapping, agreement, cipher, .. } => {
                            format!("PACE {mapping:?} {agreement:?} {cipher:?}")
                        }
                        SecurityInfo::ChipAuthentication { agreement, cipher, .. } => {
                            format!("CA {agreement:?} {cipher:?}")
                        }
                        SecurityInfo::ChipAuthenticationPublicKey { agreement, .. } => format!("CA key {agreement:?}"),
                        SecurityInfo::TerminalAuthentication => "TA".into(),
                        SecurityInfo::ActiveAuthentication { .. } => "AA".into(),
                        SecurityInfo::Other(_) => "other".into(),
                    })
                    .collect::<Vec<_>>()
            });
            let aa_key =
                document.file(FileId::DG15).and_then(|b| security_infos::parse_dg15(b).ok()).map(|key| match key {
                    ActiveAuthenticationKey::Rsa { bits, .. } => format!("RSA {bits}"),
                    ActiveAuthenticationKey::Ec { .. } => "EC".into(),
                });
            let dg11 = document.file(FileId::DG11).and_then(|b| lds::parse_text_dg(b).ok()).map(|fields| {
                fields.into_iter().map(|f| json!({"field": f.name, "value": f.value})).collect::<Vec<_>>()
            });
            let dg2 = face.map(|f| match f {
                Ok((face, rgb)) => json!({
                    "encoding": format!("{:?}", face.encoding), "format": format!("{:?}", face.format),
                    "bytes": face.data.len(), "width": rgb.width, "height": rgb.height,
                }),
                Err(problem) => json!({"error": problem}),
            });
            let check_json = |check: &ChipCheck| match check {
                ChipCheck::Passed { .. } => json!({"result": "passed"}),
                ChipCheck::Failed(reason) => json!({"result": "failed", "reason": reason}),
                ChipCheck::NotAttempted => json!({"result": "not_attempted"}),
                ChipCheck::NotOffered => json!({"result": "not_offered"}),
            };
            let active_authentication = check_json(&document.active);
            let chip_authentication = check_json(&document.chip);
            let pace_cam = check_json(&document.pace_cam);
            let pa = &document.passive;
            let (verdict, verdict_reason) = document.verdict.clone();
            let document_valid = document.valid_on(context.hours.local(now_ts).date());
            let pa_json = json!({
                "passed": pa.passed(),
                "steps": pa.steps.iter().map(|(step, outcome)| {
                    let (result, reason) = match outcome {
                        passive::Outcome::Passed(detail) => ("passed", detail.clone()),
                        passive::Outcome::Failed(failure) => ("failed", failure.to_string()),
                        passive::Outcome::NotApplicable(why) => ("not_applicable", why.clone()),
                    };
                    json!({"step": verdict::step_name(*step), "result": result, "reason": reason})
                }).collect::<Vec<_>>(),
                "document_signer": pa.signer.as_ref().map(|c| c.subject.to_string()),
                "csca": pa.csca.as_ref().map(|c| c.subject.to_string()),
                "trusted_cscas": store.certificates().len(),
            });
            let stats = r.stats();
            let report = json!({
                "reader": reader_name,
                "access": access,
                "mapping": (access == "PACE").then_some(if suite.cam {
                    "CAM"
                } else if suite.im {
                    "IM"
                } else {
                    "GM"
                }),
                "cipher": if access == "PACE" { cipher_name(pace_cipher) } else { "3DES" },
                "curve": (access == "PACE").then(|| mitid_emrtd::curves::by_parameter_id(curve_id).map(|c| c.name())),
                "files": listed,
                "skipped_eac": skipped,
                "hashes_match": all_match,
                "dg1": dg1.as_ref().map(|m| json!({
                    "document_number": m.document_number, "issuer": m.issuer, "nationality": m.nationality,
                    "primary_name": m.primary_name, "secondary_names": m.secondary_names,
                    "birth_date": m.birth_date, "expiry_date": m.expiry_date, "sex": m.sex.to_string(),
                })),
                "dg2": dg2,
                "dg11": dg11,
                "dg14_offers": offers,
                "dg15_key": aa_key,
                "passive_authentication": pa_json,
                "active_authentication": active_authentication,
                "chip_authentication": chip_authentication,
                "pace_cam": pace_cam,
                "verdict": verdict.name(),
                "verdict_reason": verdict_reason,
                "document_valid": document_valid,
                "totals": {"apdus": stats.apdus, "bytes": stats.bytes, "ms": (elapsed * 10.0).round() / 10.0, "resumed": stats.resumed},
            });
            if *json {
                return Ok(Outcome::ok(report.to_string() + "\n"));
            }
            let mut text = format!(
                "read through {reader_name} with {access} ({}) in {elapsed:.0} ms, {} APDUs\n",
                report["cipher"].as_str().unwrap_or(""),
                stats.apdus
            );
            for f in report["files"].as_array().into_iter().flatten() {
                text += &format!(
                    "  {:<7} {:>6} bytes  {:>4} APDUs  hash {}\n",
                    f["file"].as_str().unwrap_or(""),
                    f["bytes"],
                    f["apdus"],
                    f["hash"].as_str().unwrap_or("")
                );
            }
            text += &format!("verdict: {} — {verdict_reason}\n", verdict.name());
            if let Some(valid) = document_valid {
                text += if valid { "the document is valid today\n" } else { "the document has expired\n" };
            }
            Ok(Outcome::ok(text))
        }
    }
}
