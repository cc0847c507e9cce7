//! The shared service's wire: the paths, headers, request and answer bodies
//! (JSON) and the errors, as the server (`mitid-assist-server`) serves them
//! and the desk's client reads them. One definition for both ends, so the
//! two cannot drift; the server's OpenAPI document is written from these
//! types.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::caller::{CallerDetails, InvalidCaller};
use crate::checkpoint::Checkpoint;
use crate::pcode::{PCodeInfo, Redemption};
pub use crate::service::NewContact;
use crate::store::{AuditReport, StoreError};
use crate::support_hours::HoursConfig;

/// The agent a request is made for (until staff sign in, the desk's agent
/// id; never personal data).
pub const AGENT_HEADER: &str = "x-mitid-agent";
/// The desk a request comes from (set by the service from the desk's own
/// agent id, where staff sign in).
pub const DESK_HEADER: &str = "x-mitid-desk";
/// The signed-in person's name (UTF-8), set by the service from their
/// token for its own handlers; what a client sends is dropped.
pub const AGENT_NAME_HEADER: &str = "x-mitid-agent-name";
/// The service's clock on every answer (RFC 3339): the desk's "now".
pub const TIME_HEADER: &str = "x-mitid-time";
/// A change sent again with the same key is done once.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// The request's id, in the server's log and on the answer.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// The most a request body may hold.
pub const MAX_BODY: usize = 1024 * 1024;
/// The most a trust-store import may hold (a master list is about 1 MB).
pub const MAX_TRUST_BODY: usize = 16 * 1024 * 1024;
/// The most a batch of callers may hold (an import, 10,000 at a time).
pub const MAX_BATCH_BODY: usize = 8 * 1024 * 1024;

/// What a desk learns when it connects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// Who the service records this desk's changes under.
    pub agent: String,
    /// The service's clock.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub now: Timestamp,
    /// MitID Support's hours, as the service enforces them.
    pub hours: HoursConfig,
    /// The public key the service signs its audit checkpoints with (SEC1 hex).
    pub checkpoint_key: String,
    /// The fingerprint of the service's P-code key (never the key).
    pub key_fingerprint: String,
    /// The server's version.
    pub version: String,
    /// The signed-in person's name, as the identity provider gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The signed-in person's roles (empty where staff do not sign in).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<crate::roles::Role>,
}

/// How desks sign in to this service (`GET /v1/sign-in`, answered to
/// anyone): the organisation's OpenID provider and the desk's client id
/// there; `None` where staff do not sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignIn {
    /// The provider's issuer URL.
    pub issuer: Option<String>,
    /// The desk's client id at the provider.
    pub client_id: Option<String>,
    /// The resource to ask tokens for (RFC 8707), if the provider wants one.
    pub resource: Option<String>,
}

/// A record made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Created {
    /// Its id.
    pub id: i64,
}

/// Records made, in the order asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedMany {
    /// Their ids.
    pub ids: Vec<i64>,
}

/// How many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    /// The number.
    pub count: u64,
}

/// Many callers added as one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCallers {
    /// The callers.
    pub callers: Vec<CallerDetails>,
    /// What the audit log calls it: `caller.import` or `caller.generate`.
    pub action: String,
}

/// The actions a batch of callers may be recorded as.
pub const BATCH_ACTIONS: &[&str] = &["caller.import", "caller.generate"];

/// A duplicate to merge into the caller of the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Merge {
    /// The duplicate, which goes.
    pub from: i64,
}

/// The most a contact's outcome or note, a case's step or verdict, may hold.
pub const MAX_TEXT: usize = 10_000;

/// A P-code issued: the code, shown once, and what is kept of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Issued {
    /// The 8 digits, for the agent to read out; stored nowhere.
    pub code: String,
    /// The code's record.
    pub pcode: PCodeInfo,
}

/// A code typed for a caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redeem {
    /// The 8 digits.
    pub code: String,
}

/// What a redemption came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redeemed {
    /// The outcome.
    pub redemption: Redemption,
    /// Attempts left on the code concerned.
    pub attempts_left: u8,
}

/// The path of the MitID side's redemptions (`POST`), and of an accepted
/// one's completion (`POST {REDEMPTIONS_PATH}/{id}/completed`).
pub const REDEMPTIONS_PATH: &str = "/v1/redemptions";

/// What the citizen entered in the MitID app, for whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedemptionRequest {
    /// The 8 digits.
    pub code: String,
    /// The MitID side's id of this entry (1–64 of `A-Za-z0-9-_.:`): sent
    /// again unchanged with a retry, it gets the first answer and counts
    /// nothing.
    pub attempt_id: String,
    /// The holder, as the passport or ID card's chip gave them.
    pub holder: crate::redemption::Holder,
}

/// What an entry came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// The right code: one use spent; report the enrollment's completion.
    Accepted,
    /// A wrong code: one use of the holder's active code spent.
    Wrong,
    /// No use left (the third wrong entry locks the code).
    Locked,
    /// More than 60 days old.
    Expired,
    /// Used for an enrollment that completed.
    Consumed,
    /// Revoked by MitID Support.
    Revoked,
    /// The holder has no P-code.
    NoCode,
}

impl From<Redemption> for Outcome {
    fn from(r: Redemption) -> Self {
        match r {
            Redemption::Accepted => Self::Accepted,
            Redemption::Wrong { .. } => Self::Wrong,
            Redemption::Locked => Self::Locked,
            Redemption::Expired => Self::Expired,
            Redemption::Consumed => Self::Consumed,
            Redemption::Revoked => Self::Revoked,
            Redemption::NoCode => Self::NoCode,
        }
    }
}

/// The answer to a redemption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedemptionAnswer {
    /// This entry's id (for `…/completed` after an accepted one).
    pub redemption_id: i64,
    /// What it came to.
    pub result: Outcome,
    /// Uses left on the holder's code afterwards.
    pub attempts_left: u8,
}

impl RedemptionAnswer {
    /// The outcome as the desk's records name it.
    pub fn redemption(&self) -> Redemption {
        match self.result {
            Outcome::Accepted => Redemption::Accepted,
            Outcome::Wrong => Redemption::Wrong { attempts_left: self.attempts_left },
            Outcome::Locked => Redemption::Locked,
            Outcome::Expired => Redemption::Expired,
            Outcome::Consumed => Redemption::Consumed,
            Outcome::Revoked => Redemption::Revoked,
            Outcome::NoCode => Redemption::NoCode,
        }
    }
}

/// An enrollment's completion, recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Completed {
    /// The accepted entry.
    pub redemption_id: i64,
    /// When its completion was first reported.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub completed_at: Timestamp,
}

/// Why a code is revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revoke {
    /// The reason, kept with the code.
    pub reason: String,
}

/// A step of a counter case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewStep {
    /// Which step ("chip", "face", "handover").
    pub step: String,
    /// Its verdict.
    pub verdict: String,
    /// What it rests on (no personal data).
    #[serde(default)]
    pub detail: String,
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Close {
    /// The outcome.
    pub outcome: String,
}

/// The chain checked, with the service's newest signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verified {
    /// What the check found.
    pub report: AuditReport,
    /// The head, signed (none while the log is empty).
    pub checkpoint: Option<Checkpoint>,
}

/// One entry's hash, for a desk to hold against the checkpoint it remembers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryHash {
    /// The entry.
    pub seq: i64,
    /// Its hash, hex; none when the log holds no such entry.
    pub hash: Option<String>,
}

/// The service's clock set (a training or test service only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetClock {
    /// The new now.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub now: Timestamp,
    /// How fast it runs from now on (1 = real time, 0.1 to 100); as it
    /// was when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
}

/// Where a trainee's desk is, as it tells its class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskReport {
    /// The lesson the desk runs.
    pub lesson: Option<String>,
    /// The screen it shows.
    pub screen: String,
    /// The step or dialog on it.
    pub step: String,
    /// What the trainee did last, in words.
    pub last_action: Option<String>,
}

/// What a class has for one of its desks: the class's lesson, its clock,
/// and the faults the trainer sent it since it last asked (each once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClassOrders {
    /// The lesson the class runs.
    pub lesson: Option<String>,
    /// The class's clock now.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub now: Timestamp,
    /// How fast it runs.
    pub speed: f64,
    /// The faults to make happen at the desk now.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub faults: Vec<crate::lesson::FaultKind>,
}

/// One desk of a class, as the trainer follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClassDesk {
    /// The desk's id.
    pub desk: String,
    /// Who works at it, when staff sign in.
    pub name: Option<String>,
    /// Where it was when it last told.
    pub report: DeskReport,
    /// How many seconds ago that was (real time).
    pub seen_seconds_ago: u64,
    /// Faults sent that it has not fetched yet.
    pub waiting: usize,
}

/// A class: its lesson and its desks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClassView {
    /// The lesson the class runs.
    pub lesson: Option<String>,
    /// Its desks, by id.
    pub desks: Vec<ClassDesk>,
}

/// A fault the trainer sends: to one desk, or to every desk of the class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClassFault {
    /// The desk; every desk when not given.
    pub desk: Option<String>,
    /// The fault, by its name (`card-slips`, `support-closes`, …).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub fault: crate::lesson::FaultKind,
}

/// What the service says of its health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok`, or what is wrong.
    pub status: String,
}

/// Which of a caller's details is wrong, as it crosses the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Invalid {
    /// Both names empty.
    NoName,
    /// A name too long.
    NameTooLong,
    /// The notes too long.
    NotesTooLong,
    /// Not an e-mail address.
    BadEmail,
    /// Not a country code.
    BadCountry,
    /// A document without its number.
    NoDocumentNumber,
    /// A date of birth in the future.
    FutureBirth,
}

/// The kinds of error the service answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorKind {
    /// The request cannot be read (malformed JSON, unknown fields, a value
    /// of the wrong kind, too large).
    BadRequest,
    /// The body is larger than [`MAX_BODY`].
    TooLarge,
    /// The body is not JSON.
    NotJson,
    /// No such path.
    NotFound,
    /// MitID Support is closed.
    Closed,
    /// No such caller.
    NoCaller,
    /// No such P-code.
    NoPcode,
    /// No such case.
    NoCase,
    /// Caller details that cannot be stored.
    InvalidCaller,
    /// Not a P-code (8 digits).
    MalformedPcode,
    /// The caller holds the most usable codes allowed.
    TooManyActive,
    /// The code is void already.
    AlreadyVoid,
    /// A caller merged into itself.
    SelfMerge,
    /// The same idempotency key with another request.
    IdempotencyConflict,
    /// The service cannot serve now (its database is away); try again.
    Unavailable,
    /// No such redemption (`number`), or not one of this client's.
    NoRedemption,
    /// The redemption (`number`) was not accepted (`value`: what it was),
    /// so it completes nothing.
    NotAccepted,
    /// Too many requests: wait the `Retry-After` seconds.
    TooManyRequests,
    /// The trust store did not take the file (`value`: why, as
    /// `unrecognized`, `not_ca`, `signature`, `malformed`, `unusable`).
    TrustRejected,
    /// No sign-in, an expired one, or a token the service does not take.
    Unauthorized,
    /// Not possible on this service, or not with the caller's roles (the
    /// message says which role is needed).
    Forbidden,
    /// Something the service did not expect; its log says more (by request id).
    Internal,
}

/// One entry of the site's trust store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrustItem {
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    /// The certificate or CRL.
    pub entry: crate::trust::Entry,
}

/// The site's trust store, as `GET /v1/trust` lists it (with an `ETag`;
/// `If-None-Match` with it answers 304 while nothing changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrustList {
    /// Every CSCA certificate and CRL.
    pub entries: Vec<TrustItem>,
    /// What wants attention.
    pub warnings: Vec<crate::trust::TrustWarning>,
}

/// The path of the trust store's import (`POST`, the file's bytes as
/// `application/octet-stream`, its name in `?source=`).
pub const TRUST_PATH: &str = "/v1/trust";

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What kind.
    pub error: ErrorKind,
    /// In words, for people.
    pub message: String,
    /// For `closed`: when Support opens next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_open: Option<String>,
    /// For `no_caller`, `no_case`: the id; for `too_many_active`: the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    /// For `no_pcode`: the reference; for `already_void`: the state; for
    /// `invalid_caller`: the value at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// For `invalid_caller`: which detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid: Option<Invalid>,
    /// For `invalid_caller` in a batch: the entry (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

impl ErrorBody {
    /// An error of `kind` with `message` and nothing more.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            error: kind,
            message: message.into(),
            next_open: None,
            number: None,
            value: None,
            invalid: None,
            index: None,
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(&self) -> u16 {
        match self.error {
            ErrorKind::BadRequest | ErrorKind::InvalidCaller | ErrorKind::MalformedPcode | ErrorKind::SelfMerge => 400,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::TooLarge => 413,
            ErrorKind::NotJson => 415,
            ErrorKind::NotFound
            | ErrorKind::NoCaller
            | ErrorKind::NoPcode
            | ErrorKind::NoCase
            | ErrorKind::NoRedemption => 404,
            ErrorKind::Closed | ErrorKind::TooManyActive | ErrorKind::AlreadyVoid | ErrorKind::NotAccepted => 409,
            ErrorKind::TooManyRequests => 429,
            ErrorKind::IdempotencyConflict | ErrorKind::TrustRejected => 422,
            ErrorKind::Unavailable => 503,
            ErrorKind::Internal => 500,
        }
    }

    /// The service's error for a store error: what a client can act on,
    /// `None` for what only the service's log should say.
    pub fn from_store(error: &StoreError) -> Option<Self> {
        let message = error.to_string();
        let mut body = match error {
            StoreError::Closed { next_open } => {
                Self { next_open: Some(next_open.clone()), ..Self::new(ErrorKind::Closed, message) }
            }
            StoreError::NoCaller(id) => Self { number: Some(*id), ..Self::new(ErrorKind::NoCaller, message) },
            StoreError::NoPCode(reference) => {
                Self { value: Some(reference.clone()), ..Self::new(ErrorKind::NoPcode, message) }
            }
            StoreError::MalformedPCode(_) => Self::new(ErrorKind::MalformedPcode, message),
            StoreError::TooManyActive(n) => {
                Self { number: Some(i64::from(*n)), ..Self::new(ErrorKind::TooManyActive, message) }
            }
            StoreError::AlreadyVoid(state) => {
                Self { value: Some((*state).to_owned()), ..Self::new(ErrorKind::AlreadyVoid, message) }
            }
            StoreError::SelfMerge => Self::new(ErrorKind::SelfMerge, message),
            StoreError::BadRedemption(_) => Self::new(ErrorKind::BadRequest, message),
            StoreError::SignInNeeded(m) => Self::new(ErrorKind::Unauthorized, m.clone()),
            StoreError::NeedsRole { roles, message } => Self {
                value: Some(roles.iter().map(|r| r.name()).collect::<Vec<_>>().join(",")),
                ..Self::new(ErrorKind::Forbidden, message.clone())
            },
            StoreError::NoRedemption(id) => Self { number: Some(*id), ..Self::new(ErrorKind::NoRedemption, message) },
            StoreError::NotAccepted { id, result } => {
                Self { number: Some(*id), value: Some(result.clone()), ..Self::new(ErrorKind::NotAccepted, message) }
            }
            StoreError::Trust(refusal) => {
                Self { value: Some(refusal.code().into()), ..Self::new(ErrorKind::TrustRejected, refusal.to_string()) }
            }
            StoreError::InvalidCaller(e) => Self::invalid(e, message),
            StoreError::InvalidAt { index, source } => Self { index: Some(*index), ..Self::invalid(source, message) },
            _ => return None,
        };
        body.message = body.message.trim().to_owned();
        Some(body)
    }

    fn invalid(e: &InvalidCaller, message: String) -> Self {
        let (invalid, value) = match e {
            InvalidCaller::NoName => (Invalid::NoName, None),
            InvalidCaller::TooLong(what) if what.contains("notes") => (Invalid::NotesTooLong, None),
            InvalidCaller::TooLong(_) => (Invalid::NameTooLong, None),
            InvalidCaller::BadEmail(v) => (Invalid::BadEmail, Some(v.clone())),
            InvalidCaller::BadCountry(v) => (Invalid::BadCountry, Some(v.clone())),
            InvalidCaller::NoDocumentNumber => (Invalid::NoDocumentNumber, None),
            InvalidCaller::FutureBirth(d) => (Invalid::FutureBirth, Some(d.to_string())),
        };
        Self { invalid: Some(invalid), value, ..Self::new(ErrorKind::InvalidCaller, message) }
    }

    /// The store error a client reports for this answer.
    pub fn into_store(self) -> StoreError {
        let value = self.value.clone().unwrap_or_default();
        match self.error {
            ErrorKind::Closed => StoreError::Closed { next_open: self.next_open.unwrap_or_default() },
            ErrorKind::NoCaller => StoreError::NoCaller(self.number.unwrap_or_default()),
            ErrorKind::NoPcode => StoreError::NoPCode(value),
            ErrorKind::MalformedPcode => StoreError::MalformedPCode(crate::pcode::MalformedPCode),
            ErrorKind::TooManyActive => {
                StoreError::TooManyActive(self.number.and_then(|n| u32::try_from(n).ok()).unwrap_or(1))
            }
            ErrorKind::AlreadyVoid => StoreError::AlreadyVoid(match value.as_str() {
                "consumed" => "consumed",
                "locked" => "locked",
                "revoked" => "revoked",
                _ => "void",
            }),
            ErrorKind::SelfMerge => StoreError::SelfMerge,
            ErrorKind::NoRedemption => StoreError::NoRedemption(self.number.unwrap_or_default()),
            ErrorKind::Unauthorized => StoreError::SignInNeeded(self.message),
            ErrorKind::Forbidden if self.value.is_some() => StoreError::NeedsRole {
                roles: value.split(',').filter_map(crate::roles::Role::parse).collect(),
                message: self.message,
            },
            ErrorKind::NotAccepted => StoreError::NotAccepted { id: self.number.unwrap_or_default(), result: value },
            ErrorKind::InvalidCaller => {
                let invalid = match self.invalid {
                    Some(Invalid::NoName) | None => InvalidCaller::NoName,
                    Some(Invalid::NameTooLong) => InvalidCaller::TooLong("a name"),
                    Some(Invalid::NotesTooLong) => InvalidCaller::TooLong("the notes"),
                    Some(Invalid::BadEmail) => InvalidCaller::BadEmail(value),
                    Some(Invalid::BadCountry) => InvalidCaller::BadCountry(value),
                    Some(Invalid::NoDocumentNumber) => InvalidCaller::NoDocumentNumber,
                    Some(Invalid::FutureBirth) => match value.parse() {
                        Ok(date) => InvalidCaller::FutureBirth(date),
                        Err(_) => return StoreError::Refused(self.message),
                    },
                };
                match self.index {
                    Some(index) => StoreError::InvalidAt { index, source: invalid },
                    None => StoreError::InvalidCaller(invalid),
                }
            }
            ErrorKind::Unavailable => StoreError::Unreachable(self.message),
            ErrorKind::TrustRejected => StoreError::Trust(crate::trust::TrustRefusal::from_code(&value, &self.message)),
            ErrorKind::NoCase
            | ErrorKind::BadRequest
            | ErrorKind::TooLarge
            | ErrorKind::NotJson
            | ErrorKind::NotFound
            | ErrorKind::IdempotencyConflict
            | ErrorKind::TooManyRequests
            | ErrorKind::Forbidden
            | ErrorKind::Internal => StoreError::Refused(self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_a_client_can_act_on_crosses_the_wire_and_back() {
        let date: jiff::civil::Date = "2030-01-01".parse().expect("a date");
        let errors = [
            StoreError::Closed { next_open: "2026-11-25T08:00:00+01:00".into() },
            StoreError::NoCaller(17),
            StoreError::NoPCode("P-0badc0de".into()),
            StoreError::MalformedPCode(crate::pcode::MalformedPCode),
            StoreError::TooManyActive(2),
            StoreError::AlreadyVoid("consumed"),
            StoreError::SelfMerge,
            StoreError::NoRedemption(9),
            StoreError::NotAccepted { id: 9, result: "wrong".into() },
            StoreError::SignInNeeded("the sign-in has expired".into()),
            StoreError::NeedsRole {
                roles: vec![crate::roles::Role::Supervisor, crate::roles::Role::Auditor],
                message: "this needs one of the roles supervisor or auditor".into(),
            },
            StoreError::InvalidCaller(InvalidCaller::NoName),
            StoreError::InvalidCaller(InvalidCaller::TooLong("the notes")),
            StoreError::InvalidCaller(InvalidCaller::BadEmail("x@".into())),
            StoreError::InvalidCaller(InvalidCaller::FutureBirth(date)),
            StoreError::InvalidAt { index: 3, source: InvalidCaller::BadCountry("XX".into()) },
            StoreError::Trust(crate::trust::TrustRefusal::Signature),
            StoreError::Trust(crate::trust::TrustRefusal::NotCa),
            StoreError::Trust(crate::trust::TrustRefusal::Unrecognized),
            StoreError::Trust(crate::trust::TrustRefusal::Malformed("a broken CRL".into())),
        ];
        for error in errors {
            let body = ErrorBody::from_store(&error).expect("a client's error");
            let json = serde_json::to_string(&body).expect("JSON");
            let back: ErrorBody = serde_json::from_str(&json).expect("read back");
            assert_eq!(back.into_store().to_string(), error.to_string(), "{json}");
        }
        assert!(ErrorBody::from_store(&StoreError::Corrupt("x".into())).is_none());
    }
}
