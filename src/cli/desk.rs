//! The desk commands: callers, P-codes and the audit log.

use std::path::PathBuf;
use std::time::Instant;

use clap::Subcommand;
use mitid_core::api::RedemptionRequest;
use mitid_core::caller::{CallerDetails, Phone};
use mitid_core::desk::{Desk, DeskError};
use mitid_core::pcode::{PCode, Redemption};
use mitid_core::service::DeskService;
use mitid_core::synthetic;
use serde_json::json;

use super::calendar::rfc3339;
use super::{CliError, Context, EXIT_NO, Outcome};

/// Caller commands.
#[derive(Debug, Subcommand)]
pub enum CallerCommand {
    /// Add a caller; prints the new id.
    Add {
        /// "Family, Given" (or "Given Family").
        #[arg(long)]
        name: String,
        /// Phone number (repeat for more); 8 digits are taken as Danish.
        #[arg(long)]
        phone: Vec<String>,
        /// Date of birth, YYYY-MM-DD.
        #[arg(long, value_name = "YYYY-MM-DD")]
        dob: Option<String>,
        /// Nationality, three letters as in the passport (UKR, DEU).
        #[arg(long, value_name = "ISO3")]
        nationality: Option<String>,
        /// E-mail address.
        #[arg(long)]
        email: Option<String>,
        /// A passport, as its issuing state and number (repeat for more):
        /// a P-code issued to the caller is bound to it.
        #[arg(long, value_name = "STATE:NUMBER")]
        passport: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Find callers by name, phone, e-mail, caller or P-code reference.
    Search {
        /// What to look for.
        query: String,
        /// At most this many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import callers from CSV (header: given_name, family_name, birth_date,
    /// nationality, phone, email, language; several phones split by ';').
    /// All rows or none.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
    /// Merge a duplicate into a caller (the duplicate is deleted).
    Merge {
        /// The caller to keep.
        #[arg(long)]
        into: i64,
        /// The duplicate.
        #[arg(long)]
        from: i64,
    },
    /// Delete a caller and everything about them (GDPR request).
    Delete {
        /// The caller.
        id: i64,
    },
    /// Make up N realistic callers (demo data, benchmarks).
    Generate {
        /// How many.
        n: u64,
        /// The same seed gives the same callers.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

impl CallerCommand {
    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        matches!(self, Self::Add { json: true, .. } | Self::Search { json: true, .. })
    }
}

/// P-code commands.
#[derive(Debug, Subcommand)]
pub enum PcodeCommand {
    /// Issue a P-code to a caller (only while MitID Support is open).
    Issue {
        /// The caller's id.
        #[arg(long)]
        caller: i64,
        /// Print JSON: {"code":"12345678","expires_at":…,"attempts_left":3}.
        #[arg(long)]
        json: bool,
    },
    /// Enter a code as the citizen's MitID app does: for a caller, or — as
    /// the MitID side's API takes it — for the holder the passport's chip
    /// names. Every entry spends one of the code's three uses; `pcode
    /// complete` voids it.
    Redeem {
        /// The 8 digits.
        code: String,
        /// Whose code it is (on a training service too).
        #[arg(long, required_unless_present = "surname", conflicts_with = "surname")]
        caller: Option<i64>,
        #[command(flatten)]
        holder: HolderArgs,
        /// The entry's id: the same id again gets the first answer and
        /// counts nothing (a fresh one when not given).
        #[arg(long, requires = "surname")]
        attempt: Option<String>,
        /// Print JSON: {"result":…,"attempts_left":N} (and
        /// "redemption_id" for a holder).
        #[arg(long)]
        json: bool,
    },
    /// Report that the enrollment an accepted entry began has completed:
    /// the code is void (a single desk and demo mode; the MitID side does
    /// it on a shared service).
    Complete {
        /// The accepted entry's redemption id.
        redemption: i64,
    },
    /// Revoke a P-code.
    Revoke {
        /// Its reference, P-xxxxxxxx.
        reference: String,
        /// Why (kept with the code, not in the audit log).
        #[arg(long)]
        reason: String,
    },
}

/// The holder, as the passport's chip gives them.
#[derive(Debug, clap::Args)]
pub struct HolderArgs {
    /// The holder's surname as the chip writes it (MUELLER).
    #[arg(long, requires_all = ["given", "birth", "nationality", "state", "document"])]
    surname: Option<String>,
    /// Their given names as the chip writes them.
    #[arg(long)]
    given: Option<String>,
    /// Their date of birth.
    #[arg(long, value_name = "YYYY-MM-DD")]
    birth: Option<String>,
    /// Their nationality (three letters).
    #[arg(long)]
    nationality: Option<String>,
    /// The document's issuing state (D, DEU, UKR).
    #[arg(long)]
    state: Option<String>,
    /// The document's number.
    #[arg(long)]
    document: Option<String>,
}

impl HolderArgs {
    fn holder(&self) -> Result<Option<mitid_core::redemption::Holder>, CliError> {
        let (Some(surname), Some(given), Some(birth), Some(nationality), Some(state), Some(document)) =
            (&self.surname, &self.given, &self.birth, &self.nationality, &self.state, &self.document)
        else {
            return Ok(None);
        };
        let holder = mitid_core::redemption::Holder {
            issuing_state: state.clone(),
            document_number: document.clone(),
            date_of_birth: date(birth)?,
            surname: surname.clone(),
            given_names: given.clone(),
            nationality: nationality.clone(),
        };
        holder.check().map_err(|e| CliError::Input(e.to_string()))?;
        Ok(Some(holder))
    }
}

impl PcodeCommand {
    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        matches!(self, Self::Issue { json: true, .. } | Self::Redeem { json: true, .. })
    }
}

/// Audit commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no entry was edited, reordered or removed.
    Verify {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the whole log, oldest first, as CSV or JSON.
    Export {
        /// csv or json.
        #[arg(long, value_parser = ["csv", "json"], default_value = "csv")]
        format: String,
        /// The file to write (replaced atomically); stdout when absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

impl AuditCommand {
    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        matches!(self, Self::Verify { json: true })
    }
}

/// Opens the records the context names: the site's shared service when
/// one is configured, else the desk of the context's data dir.
pub(super) fn open(context: &Context, demo: bool) -> Result<Box<dyn DeskService>, CliError> {
    let data = &context.paths.data_dir;
    if let Some(server) = &context.server {
        let agent = context.config.desk.agent_id();
        // Where staff sign in, as whoever signed in on this desk.
        let token = super::signin::kept(context)?
            .map(|signed| std::sync::Arc::new(signed) as std::sync::Arc<dyn mitid_remote::TokenSource>);
        return Ok(Box::new(mitid_remote::RemoteDesk::connect_signed_in(server, &agent, data, token)?));
    }
    Ok(Box::new(embedded(context, demo)?))
}

fn embedded(context: &Context, demo: bool) -> Result<Desk, CliError> {
    let data = &context.paths.data_dir;
    if demo {
        eprintln!("mitid-assist: demo mode: the P-code key is a file in the demo data folder, not in a keyring");
    }
    let key_store = Desk::key_store(data, demo, context.config.desk.key_store);
    Ok(Desk::open(data, &key_store, context.hours.clone(), context.clock.clone(), &context.config.desk)?)
}

/// The embedded desk, for what only the MitID side does on a shared
/// service.
fn open_embedded(context: &Context, demo: bool, what: &str) -> Result<Desk, CliError> {
    if context.server.is_some() {
        return Err(CliError::Input(format!(
            "this desk works on a shared service, where the MitID side itself does this (POST /v1/redemptions, over mutual TLS): a desk cannot {what} there"
        )));
    }
    embedded(context, demo)
}

fn phones(texts: &[String]) -> Result<Vec<Phone>, CliError> {
    texts.iter().map(|p| Phone::parse(p).map_err(|e| CliError::Input(e.to_string()))).collect()
}

fn passport_ref(text: &str) -> Result<mitid_core::caller::DocumentRef, CliError> {
    let Some((country, number)) = text.split_once(':') else {
        return Err(CliError::Input(format!("«{text}» is not a passport: write STATE:NUMBER, e.g. DEU:C01X00T47")));
    };
    Ok(mitid_core::caller::DocumentRef {
        kind: mitid_core::caller::DocumentKind::Passport,
        country: country.trim().to_uppercase(),
        number: number.trim().to_owned(),
    })
}

fn date(text: &str) -> Result<jiff::civil::Date, CliError> {
    text.parse().map_err(|_| CliError::Input(format!("«{text}» is not a date: write YYYY-MM-DD")))
}

pub(super) fn caller(action: &CallerCommand, context: &Context, demo: bool) -> Result<Outcome, CliError> {
    match action {
        CallerCommand::Add { name, phone, dob, nationality, email, passport, json } => {
            let (given_name, family_name) = CallerDetails::parse_name(name);
            let details = CallerDetails {
                given_name,
                family_name,
                birth_date: dob.as_deref().map(date).transpose()?,
                nationality: nationality.clone(),
                phones: phones(phone)?,
                email: email.clone(),
                documents: passport.iter().map(|p| passport_ref(p)).collect::<Result<_, _>>()?,
                ..CallerDetails::default()
            };
            // The input is checked before anything else — the key store,
            // the database — is touched.
            let today = context.hours.local(context.clock.now()).date();
            let details = details.validated(today).map_err(|e| CliError::Input(e.to_string()))?;
            let mut desk = open(context, demo)?;
            let id = desk.add_caller(details)?;
            Ok(Outcome::ok(if *json {
                json!({"id": id, "reference": format!("C-{id}")}).to_string() + "\n"
            } else {
                format!("{id}\n")
            }))
        }
        CallerCommand::Search { query, limit, json } => {
            let desk = open(context, demo)?;
            let hits = desk.search(query, *limit)?;
            if *json {
                return Ok(Outcome::ok(serde_json::to_string(&hits).unwrap_or_default() + "\n"));
            }
            let mut out = String::new();
            for h in &hits {
                out += &format!(
                    "C-{:<8} {:<40} {:<10} {:<16} {:?}\n",
                    h.caller_id,
                    h.name,
                    h.birth_date.as_deref().unwrap_or("-"),
                    h.phone.as_deref().unwrap_or("-"),
                    h.kind
                );
            }
            if hits.is_empty() {
                eprintln!("no caller matches «{query}»");
            }
            Ok(Outcome::ok(out))
        }
        CallerCommand::Import { file } => {
            let batch = read_csv(file)?;
            let n = batch.len();
            let mut desk = open(context, demo)?;
            desk.add_callers(batch, "caller.import").map_err(|e| match e {
                mitid_core::store::StoreError::InvalidAt { index, source } => {
                    CliError::Input(format!("{}, line {}: {source}; nothing was imported", file.display(), index + 2))
                }
                other => other.into(),
            })?;
            Ok(Outcome::ok(format!("imported {n} callers\n")))
        }
        CallerCommand::Merge { into, from } => {
            let mut desk = open(context, demo)?;
            desk.merge_callers(*into, *from)?;
            Ok(Outcome::ok(format!("C-{from} merged into C-{into}\n")))
        }
        CallerCommand::Delete { id } => {
            let mut desk = open(context, demo)?;
            desk.delete_caller(*id)?;
            Ok(Outcome::ok(format!("C-{id} deleted\n")))
        }
        CallerCommand::Generate { n, seed } => {
            let mut desk = open(context, demo)?;
            let mut rng = synthetic::Rng::new(*seed);
            let started = Instant::now();
            let mut done = 0u64;
            while done < *n {
                let size = (*n - done).min(10_000);
                let batch: Vec<_> = (0..size).map(|_| synthetic::caller(&mut rng)).collect();
                desk.add_callers(batch, "caller.generate")?;
                done += size;
                eprint!("\r{done} of {n} callers made ({:.0} s)", started.elapsed().as_secs_f64());
            }
            eprintln!();
            Ok(Outcome::ok(format!("made {n} callers in {:.1} s\n", started.elapsed().as_secs_f64())))
        }
    }
}

/// Reads an import file, reporting the line of any problem.
fn read_csv(file: &PathBuf) -> Result<Vec<CallerDetails>, CliError> {
    let at = |line: u64, what: String| {
        CliError::Input(format!("{}, line {line}: {what}; nothing was imported", file.display()))
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(file)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", file.display())))?;
    let headers = reader.headers().map_err(|e| at(1, e.to_string()))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let known = ["given_name", "family_name", "birth_date", "nationality", "phone", "email", "language"];
    if let Some(unknown) = headers.iter().find(|h| !known.iter().any(|k| k.eq_ignore_ascii_case(h))) {
        return Err(at(1, format!("unknown column «{unknown}»; the columns are {}", known.join(", "))));
    }
    let mut batch = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| at(line, e.to_string()))?;
        let get = |name: &str| column(name).and_then(|c| record.get(c)).filter(|v| !v.is_empty()).map(str::to_owned);
        let phone_texts: Vec<String> = get("phone")
            .map(|p| p.split(';').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        batch.push(CallerDetails {
            given_name: get("given_name").unwrap_or_default(),
            family_name: get("family_name").unwrap_or_default(),
            birth_date: get("birth_date").map(|d| date(&d)).transpose().map_err(|e| at(line, e.to_string()))?,
            nationality: get("nationality"),
            phones: phones(&phone_texts).map_err(|e| at(line, e.to_string()))?,
            email: get("email"),
            language: get("language"),
            ..CallerDetails::default()
        });
    }
    Ok(batch)
}

pub(super) fn pcode(action: &PcodeCommand, context: &Context, demo: bool) -> Result<Outcome, CliError> {
    match action {
        PcodeCommand::Issue { caller, json } => {
            let mut desk = open(context, demo)?;
            let (code, info) = desk.issue_pcode(*caller)?;
            let expires = rfc3339(desk.hours(), info.expires_at);
            Ok(Outcome::ok(if *json {
                json!({"code": code.digits(), "expires_at": expires, "attempts_left": info.attempts_left, "reference": info.reference})
                    .to_string()
                    + "\n"
            } else {
                format!(
                    "P-code {}  (reference {})\nvalid until {expires}, {} attempts. Read it out now: it is not shown again.\n",
                    code.grouped(),
                    info.reference,
                    info.attempts_left
                )
            }))
        }
        PcodeCommand::Redeem { code, caller, holder, attempt, json } => {
            let code: PCode =
                code.parse().map_err(|e: mitid_core::pcode::MalformedPCode| CliError::Input(e.to_string()))?;
            let holder = holder.holder()?;
            let (result, attempts_left, redemption_id) = match (caller, holder) {
                (Some(caller), _) => {
                    let (result, left) = open(context, demo)?.redeem_pcode(*caller, &code)?;
                    (result, left, None)
                }
                (None, Some(holder)) => {
                    let attempt_id = match attempt {
                        Some(id) => id.clone(),
                        None => mitid_core::store::fresh_attempt().map_err(DeskError::Store)?,
                    };
                    let request = RedemptionRequest { code: code.digits().to_owned(), attempt_id, holder };
                    let answer = open_embedded(context, demo, "redeem for a holder")?
                        .redeem(&request)
                        .map_err(DeskError::Store)?;
                    (answer.redemption(), answer.attempts_left, Some(answer.redemption_id))
                }
                (None, None) => {
                    return Err(CliError::Input("say whose code: --caller ID, or the holder (--surname …)".into()));
                }
            };
            let stdout = if *json {
                let mut value = json!({"result": result.name(), "attempts_left": attempts_left});
                if let Some(id) = redemption_id {
                    value["redemption_id"] = json!(id);
                }
                value.to_string() + "\n"
            } else {
                let id = redemption_id.map(|id| format!(", redemption {id}")).unwrap_or_default();
                format!("{} ({attempts_left} uses left{id})\n", result.name())
            };
            Ok(Outcome { stdout, code: if result == Redemption::Accepted { 0 } else { EXIT_NO } })
        }
        PcodeCommand::Complete { redemption } => {
            let done = open_embedded(context, demo, "report a completed enrollment")?
                .complete_redemption(*redemption)
                .map_err(DeskError::Store)?;
            Ok(Outcome::ok(format!(
                "redemption {} completed at {}: its code is void\n",
                done.redemption_id, done.completed_at
            )))
        }
        PcodeCommand::Revoke { reference, reason } => {
            if reason.trim().is_empty() {
                return Err(CliError::Input("give a reason for revoking (--reason)".into()));
            }
            let mut desk = open(context, demo)?;
            let info = desk.revoke_pcode(reference.trim(), reason)?;
            Ok(Outcome::ok(format!("{} revoked\n", info.reference)))
        }
    }
}

pub(super) fn audit(action: &AuditCommand, context: &Context, demo: bool) -> Result<Outcome, CliError> {
    match action {
        AuditCommand::Verify { json } => {
            let desk = open(context, demo)?;
            let report = desk.verify_audit()?;
            let ok = report.problem.is_none();
            let stdout = if *json {
                json!({"ok": ok, "entries": report.entries, "problem": report.problem}).to_string() + "\n"
            } else {
                match &report.problem {
                    None => format!("audit log intact: {} entries\n", report.entries),
                    Some(problem) => format!("AUDIT LOG DAMAGED: {problem}\n"),
                }
            };
            Ok(Outcome { stdout, code: if ok { 0 } else { EXIT_NO } })
        }
        AuditCommand::Export { format, out } => {
            let desk = open(context, demo)?;
            let mut entries = desk.audit_entries(&mitid_core::store::AuditFilter::default())?;
            entries.reverse();
            let body = if format == "json" {
                mitid_core::audit::to_json(&entries)
            } else {
                mitid_core::audit::to_csv(&entries)
            };
            match out {
                None => Ok(Outcome::ok(body)),
                Some(path) => {
                    mitid_core::config::write_atomically(path, body.as_bytes())
                        .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))?;
                    Ok(Outcome::ok(format!("{} entries written to {}\n", entries.len(), path.display())))
                }
            }
        }
    }
}
