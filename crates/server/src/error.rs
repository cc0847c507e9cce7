//! What can go wrong serving a request, and the answer each gets: a 4xx
//! with what to do for the client's mistakes, a 503 with `Retry-After`
//! while the database is away (never a 500 for that), and a 500 with only
//! the request id for what the service did not expect — whose detail goes
//! to the log, which carries no personal data.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mitid_core::api::{ErrorBody, ErrorKind};
use mitid_core::store::StoreError;

/// A request that failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// What the records refuse (the same errors the desk's store gives).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No such case.
    #[error("there is no counter case E-{0}")]
    NoCase(i64),
    /// The request cannot be read.
    #[error("{0}")]
    BadRequest(String),
    /// The body is too large.
    #[error("the request body is larger than allowed: 1 MiB, 8 MiB for a batch of callers, 16 MiB for a trust list")]
    TooLarge,
    /// The body is not JSON.
    #[error("the request body must be JSON (Content-Type: application/json)")]
    NotJson,
    /// The idempotency key was used for another request.
    #[error("this idempotency key was already used for a different request")]
    IdempotencyConflict,
    /// Not allowed on this service.
    #[error("{0}")]
    Forbidden(String),
    /// What the request names is not there.
    #[error("{0}")]
    NotFound(String),
    /// Not for the roles the caller holds.
    #[error("this needs {}; you are signed in without it", .0.needs())]
    NeedsRole(mitid_core::roles::Operation),
    /// No sign-in, or one the service does not take.
    #[error(transparent)]
    Unauthorized(#[from] crate::identity::TokenError),
    /// A redemption without the MitID side's client certificate.
    #[error("{0}")]
    NoClientCertificate(&'static str),
    /// Too many requests from one client or for one holder.
    #[error("too many redemptions {0}: try again in {1} s")]
    TooMany(&'static str, u64),
    /// A statement failed.
    #[error("database: {0}")]
    Db(#[from] tokio_postgres::Error),
    /// No connection to the database could be had.
    #[error("database pool: {0}")]
    Pool(String),
    /// The request ran past its deadline (the database is slow).
    #[error("the request took longer than the service allows")]
    TooSlow,
    /// A stored value this version cannot read.
    #[error("the database holds a value this version cannot read ({0})")]
    Corrupt(&'static str),
}

impl Failure {
    pub(crate) fn corrupt(what: &'static str) -> Self {
        Self::Corrupt(what)
    }

    /// Whether the database is away (the request may be tried again).
    pub fn unavailable(&self) -> bool {
        match self {
            Self::Pool(_) | Self::TooSlow => true,
            Self::Db(e) => {
                match e.code() {
                    Some(code) => {
                        let code = code.code();
                        // 08: connection; 57: operator intervention
                        // (shutdown, statement or lock timeout); 53: out
                        // of resources; 55P03: lock not available;
                        // 25006: read-only (a standby, before failover).
                        code.starts_with("08")
                            || code.starts_with("57")
                            || code.starts_with("53")
                            || code == "55P03"
                            || code == "25006"
                    }
                    // Not from the server: the connection (a value that
                    // cannot be converted is this code's mistake).
                    None => !e.to_string().contains("serializ"),
                }
            }
            _ => false,
        }
    }

    /// The answer's body.
    pub fn body(&self) -> ErrorBody {
        match self {
            Self::Store(e) => ErrorBody::from_store(e).unwrap_or_else(|| match e {
                StoreError::KeyMismatch { .. } => ErrorBody::new(ErrorKind::Internal, e.to_string()),
                _ => ErrorBody::new(ErrorKind::Internal, "the service failed; its log has the details"),
            }),
            Self::NoCase(id) => ErrorBody { number: Some(*id), ..ErrorBody::new(ErrorKind::NoCase, self.to_string()) },
            Self::BadRequest(m) => ErrorBody::new(ErrorKind::BadRequest, m.clone()),
            Self::TooLarge => ErrorBody::new(ErrorKind::TooLarge, self.to_string()),
            Self::NotJson => ErrorBody::new(ErrorKind::NotJson, self.to_string()),
            Self::IdempotencyConflict => ErrorBody::new(ErrorKind::IdempotencyConflict, self.to_string()),
            Self::Forbidden(m) => ErrorBody::new(ErrorKind::Forbidden, m.clone()),
            Self::NotFound(m) => ErrorBody::new(ErrorKind::NotFound, m.clone()),
            Self::NeedsRole(operation) => ErrorBody::from_store(&StoreError::NeedsRole {
                roles: operation.roles().iter().copied().filter(|r| *r != mitid_core::roles::Role::Trainer).collect(),
                message: self.to_string(),
            })
            .unwrap_or_else(|| ErrorBody::new(ErrorKind::Forbidden, self.to_string())),
            Self::NoClientCertificate(m) => ErrorBody::new(ErrorKind::Unauthorized, (*m).to_owned()),
            Self::TooMany(..) => ErrorBody::new(ErrorKind::TooManyRequests, self.to_string()),
            Self::Unauthorized(crate::identity::TokenError::Provider(_)) => ErrorBody::new(
                ErrorKind::Unavailable,
                "the organisation's identity provider cannot be reached to check the sign-in; try again shortly",
            ),
            Self::Unauthorized(e) => ErrorBody::new(ErrorKind::Unauthorized, e.to_string()),
            Self::TooSlow => ErrorBody::new(
                ErrorKind::Unavailable,
                "the service's database is too slow just now; what was asked may or may not have been done — look before trying again",
            ),
            Self::Db(_) | Self::Pool(_) if self.unavailable() => ErrorBody::new(
                ErrorKind::Unavailable,
                "the service's database cannot be reached just now; nothing was changed — try again shortly",
            ),
            Self::Db(_) | Self::Pool(_) | Self::Corrupt(_) => {
                ErrorBody::new(ErrorKind::Internal, "the service failed; its log has the details")
            }
        }
    }
}

impl Failure {
    /// What the log says: a database error by its SQLSTATE and message
    /// only (a constraint's detail may quote the values).
    pub fn log_text(&self) -> String {
        match self {
            Self::Db(e) => match e.as_db_error() {
                Some(db) => format!("database error {}: {}", db.code().code(), db.message()),
                None if e.is_closed() => "the database connection closed".into(),
                None => "the database connection failed".into(),
            },
            other => other.to_string(),
        }
    }
}

impl From<deadpool_postgres::PoolError> for Failure {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => Self::Db(e),
            other => Self::Pool(other.to_string()),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = self.body();
        let retry_after = match &self {
            Self::TooMany(_, seconds) => Some(*seconds),
            _ => None,
        };
        let client_certificate = matches!(self, Self::NoClientCertificate(_));
        if body.error == ErrorKind::Internal {
            tracing::error!(error = %self.log_text(), "request failed");
        } else if body.error == ErrorKind::Unavailable {
            tracing::warn!(error = %self.log_text(), "database unavailable");
        }
        let status = StatusCode::from_u16(body.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        if status == StatusCode::UNAUTHORIZED && !client_certificate {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
