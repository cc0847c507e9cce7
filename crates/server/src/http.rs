//! The service over HTTP: one route per record operation of the desk
//! service, JSON in and out, the errors of [`crate::error`], a request id
//! on every answer and log line, the service's clock on every answer, a
//! cap on bodies, `/healthz`, `/readyz` and the OpenAPI document.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use deadpool_postgres::Transaction;
use mitid_core::api::{
    self, Close, Count, Created, CreatedMany, EntryHash, ErrorBody, ErrorKind, Health, Issued, Merge, NewCallers,
    NewStep, Redeem, Redeemed, Revoke, Session, SetClock, SignIn, TrustList, Verified,
};
use mitid_core::api::{ClassFault, ClassOrders, ClassView, DeskReport};
use mitid_core::caller::{Caller, CallerDetails, Contact};
use mitid_core::pcode::{PCode, PCodeInfo};
use mitid_core::service::NewContact;
use mitid_core::store::{AuditFilter, CaseStep, Hit};
use mitid_core::trust::ImportReport;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::OpenApi;

use mitid_core::roles::{Operation, Role};

use crate::db::Ts;
use crate::error::Failure;
use crate::records::{Actor, Records};

/// What every handler shares.
pub struct App {
    /// The records.
    pub records: Records,
    /// Say a CRL is getting old this many days before its next update.
    pub trust_warn_days: u32,
    /// Who may call, when staff sign in.
    pub identity: Option<Arc<crate::identity::Identity>>,
    /// The MitID side's redemptions, when configured.
    pub mitid_side: Option<crate::mitid_side::MitidSide>,
    /// On a training service, its class.
    pub class: Option<crate::class::Class>,
    /// The longest a request may take before it is answered 503 (a slow
    /// database must not pile requests up).
    pub request_deadline: Duration,
}

type Shared = State<Arc<App>>;

/// The router for `app`.
pub fn router(app: Arc<App>) -> Router {
    let v1 = Router::new()
        .route("/session", get(session))
        .route("/sign-in", get(sign_in))
        .route("/callers", post(add_caller))
        .route("/callers/batch", post(add_callers).layer(DefaultBodyLimit::max(api::MAX_BATCH_BODY)))
        .route("/callers/search", get(search))
        .route("/callers/count", get(caller_count))
        .route("/callers/{id}", get(caller).put(update_caller).delete(delete_caller))
        .route("/callers/{id}/merge", post(merge_callers))
        .route("/callers/{id}/contacts", get(contacts).post(log_contact))
        .route("/callers/{id}/pcodes", get(pcodes).post(issue_pcode))
        .route("/callers/{id}/redemptions", post(redeem_pcode))
        .route("/pcodes/{reference}", get(pcode))
        .route("/pcodes/{reference}/revoke", post(revoke_pcode))
        .route("/cases", post(open_case))
        .route("/cases/{id}/steps", get(case_steps).post(record_case_step))
        .route("/cases/{id}/close", post(close_case))
        .route("/audit", get(audit_entries))
        .route("/audit/verify", post(verify_audit))
        .route("/audit/checkpoint", get(checkpoint))
        .route("/audit/entries/{seq}/hash", get(entry_hash))
        .route("/clock", put(set_clock))
        .route("/class", get(class_view))
        .route("/class/desk", put(class_report))
        .route("/class/faults", post(class_fault))
        .route("/trust", get(trust_list).post(import_trust).layer(DefaultBodyLimit::max(api::MAX_TRUST_BODY)))
        .route_layer(middleware::from_fn_with_state(app.clone(), authorize))
        .merge(
            Router::new()
                .route("/redemptions", post(crate::mitid_side::redeem))
                .route("/redemptions/{id}/completed", post(crate::mitid_side::complete))
                .route_layer(middleware::from_fn_with_state(app.clone(), crate::mitid_side::admit)),
        )
        .route_layer(middleware::from_fn(declared_length));
    Router::new()
        .nest("/v1", v1)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(api::MAX_BODY))
        .layer(middleware::from_fn_with_state(app.clone(), stamp))
        .with_state(app)
}

/// What a route of `/v1` is, for deciding who may call it.
fn operation(method: &axum::http::Method, route: &str) -> Operation {
    use axum::http::Method;
    let route = route.strip_prefix("/v1").unwrap_or(route);
    match (method, route) {
        (_, "/session") => Operation::Session,
        (&Method::GET, "/trust") => Operation::ReadTrust,
        (_, "/trust") => Operation::WriteTrust,
        (_, "/clock") => Operation::SetClock,
        (&Method::PUT, "/class/desk") => Operation::ClassReport,
        (_, r) if r.starts_with("/class") => Operation::ClassRun,
        (_, r) if r.starts_with("/audit") => Operation::ReadAudit,
        (_, r) if r.starts_with("/cases") => Operation::Cases,
        (&Method::POST, "/callers/{id}/pcodes") => Operation::IssuePcode,
        (&Method::POST, "/callers/{id}/redemptions") => Operation::DeskRedemption,
        (&Method::POST, "/callers/{id}/contacts") => Operation::LogContact,
        (&Method::POST, "/pcodes/{reference}/revoke") => Operation::RevokePcode,
        (&Method::POST, "/callers/{id}/merge") | (&Method::DELETE, "/callers/{id}") => Operation::MergeOrDelete,
        (&Method::POST | &Method::PUT, _) => Operation::WriteCallers,
        _ => Operation::ReadCallers,
    }
}

/// A body declared larger than its route takes is refused by its length,
/// before a byte of it is read — so a client that asked to continue
/// (`Expect: 100-continue`) gets the 413 instead of sending it all into a
/// closing connection.
async fn declared_length(matched: Option<axum::extract::MatchedPath>, request: Request, next: Next) -> Response {
    let most = match matched.as_ref().map(|m| m.as_str()) {
        Some("/v1/callers/batch") => api::MAX_BATCH_BODY,
        Some("/v1/trust") => api::MAX_TRUST_BODY,
        _ => api::MAX_BODY,
    };
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > most) {
        return Failure::TooLarge.into_response();
    }
    next.run(request).await
}

/// Who signed in, for the handlers.
#[derive(Debug, Clone)]
struct Signed {
    name: Option<String>,
    roles: Vec<Role>,
}

/// With staff sign-in: the bearer token checked, the route's roles
/// required (a trainer's only on a training service), and the signed-in
/// person made the agent every change is recorded under.
async fn authorize(
    State(app): Shared,
    matched: Option<axum::extract::MatchedPath>,
    mut request: Request,
    next: Next,
) -> Result<Response, Failure> {
    let route = matched.as_ref().map_or("", |m| m.as_str());
    // Who signed in is the service's to say, never the client's.
    request.headers_mut().remove(api::AGENT_NAME_HEADER);
    let claimed = request.headers_mut().remove(api::AGENT_HEADER);
    let claimed_desk = request.headers_mut().remove(api::DESK_HEADER);
    let Some(identity) = app.identity.as_ref().filter(|_| route != "/v1/sign-in") else {
        if let Some(claimed) = claimed {
            request.headers_mut().insert(api::AGENT_HEADER, claimed);
        }
        return Ok(next.run(request).await);
    };
    let operation = operation(request.method(), route);
    let token = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .ok_or(crate::identity::TokenError::Missing)?;
    let principal = identity.check(token.trim()).await?;
    let mut held = principal.roles.clone();
    if app.records.simulated.is_none() {
        held.retain(|r| *r != Role::Trainer);
    }
    if !operation.allowed(&held) {
        return Err(Failure::NeedsRole(operation));
    }
    let agent = HeaderValue::from_str(&principal.subject)
        .map_err(|_| crate::identity::TokenError::Invalid("its subject is not plain text".into()))?;
    request.headers_mut().insert(api::AGENT_HEADER, agent);
    // The desk's own id names the desk it works at.
    if let Some(desk) = claimed_desk.or(claimed).filter(|v| !v.is_empty() && v.len() <= 100) {
        request.headers_mut().insert(api::DESK_HEADER, desk);
    }
    if let Some(name) = principal.name.as_deref().and_then(|n| HeaderValue::from_bytes(n.as_bytes()).ok()) {
        request.headers_mut().insert(api::AGENT_NAME_HEADER, name);
    }
    request.extensions_mut().insert(Signed { name: principal.name, roles: held });
    Ok(next.run(request).await)
}

/// A request id (the client's, when it sent a sane one), the service's
/// clock on the answer, and one log line per request — its method, route,
/// status and time, never a body or a query string (they hold names).
async fn stamp(State(app): Shared, request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(api::REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map_or_else(new_request_id, str::to_owned);
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let span = tracing::info_span!("request", id = %id);
    // Verifying the whole chain reads it all, page by page, each within
    // the statement timeout: on a large site longer than any one request.
    let deadline = if path == "/v1/audit/verify" { Duration::MAX } else { app.request_deadline };
    let served = tokio::time::timeout(deadline, next.run(request));
    let mut response = match tracing::Instrument::instrument(served, span.clone()).await {
        Ok(response) => response,
        // Dropped, the request's transaction is rolled back on its
        // connection, unless its commit had reached the database: the
        // answer says it may have been done.
        Err(_) => Failure::TooSlow.into_response(),
    };
    if let Some(replaced) = as_error_body(&response) {
        response = replaced;
    }
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(api::REQUEST_ID_HEADER, value);
    }
    if let Ok(value) = HeaderValue::from_str(&app.records.now().to_string()) {
        headers.insert(api::TIME_HEADER, value);
    }
    tracing::info!(
        parent: &span,
        method = %method,
        route = %route_of(&path),
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "served"
    );
    response
}

/// The answers axum gives on its own (a body too large, not JSON, a
/// method not taken) as the service's error body, so every 4xx says what
/// to do in the same form.
fn as_error_body(response: &Response) -> Option<Response> {
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json || response.status().is_success() {
        return None;
    }
    let message = match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            "the request body is larger than allowed: 1 MiB, 8 MiB for a batch of callers".into()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "the request body must be JSON (Content-Type: application/json)".into(),
        StatusCode::METHOD_NOT_ALLOWED => "this endpoint does not take that method: see /openapi.json".into(),
        status if status.is_client_error() => format!("the request was refused ({status})"),
        _ => return None,
    };
    let kind = match response.status() {
        StatusCode::NOT_FOUND => ErrorKind::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorKind::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorKind::NotJson,
        _ => ErrorKind::BadRequest,
    };
    Some((response.status(), Json(ErrorBody::new(kind, message))).into_response())
}

/// The path with its ids taken out (`/v1/callers/{id}`): a P-code reference
/// or caller id is not for the log.
fn route_of(path: &str) -> String {
    path.split('/')
        .map(|part| {
            let version = part.strip_prefix('v').is_some_and(|n| n.len() == 1 && n.chars().all(|c| c.is_ascii_digit()));
            if !version && (part.chars().any(|c| c.is_ascii_digit()) && part.len() > 1 || part.starts_with("P-")) {
                "{id}"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn new_request_id() -> String {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn bad_json(e: JsonRejection) -> Failure {
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => return Failure::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => return Failure::NotJson,
        _ => {}
    }
    Failure::BadRequest(format!("the request body is not what this endpoint takes: {}", e.body_text()))
}

pub(crate) fn bad_path(e: PathRejection) -> Failure {
    Failure::BadRequest(format!("the address is not valid: {}", e.body_text()))
}

fn bad_query(e: QueryRejection) -> Failure {
    Failure::BadRequest(format!("the query is not valid: {}", e.body_text()))
}

/// Who a change is recorded under: the desk's agent id.
fn agent(headers: &HeaderMap) -> Result<Actor, Failure> {
    let Some(value) = headers.get(api::AGENT_HEADER) else { return Ok(Actor::agent("unknown-agent")) };
    let text = value
        .to_str()
        .map_err(|_| Failure::BadRequest(format!("the {} header is not plain text", api::AGENT_HEADER)))?
        .trim();
    if text.is_empty() || text.len() > 100 || text.chars().any(char::is_control) {
        return Err(Failure::BadRequest(format!("the {} header must be 1 to 100 characters", api::AGENT_HEADER)));
    }
    // Set by `authorize` alone (it drops what a client sends).
    let utf8 = |name: &str| {
        headers
            .get(name)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .map(str::to_owned)
            .filter(|v| !v.is_empty())
    };
    Ok(Actor { agent: text.to_owned(), name: utf8(api::AGENT_NAME_HEADER), desk: utf8(api::DESK_HEADER) })
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Failure> {
    let Some(value) = headers.get(api::IDEMPOTENCY_HEADER) else { return Ok(None) };
    let text = value.to_str().unwrap_or_default();
    if text.is_empty() || text.len() > 128 || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Failure::BadRequest(format!(
            "the {} header must be 1 to 128 printable characters",
            api::IDEMPOTENCY_HEADER
        )));
    }
    Ok(Some(text.to_owned()))
}

/// Does `work` in a transaction once per idempotency key: the same key
/// again (a desk's outbox delivering after a lost answer) gets the first
/// answer and changes nothing; the same key with another request, 422.
async fn once<T: serde::Serialize>(
    app: &App,
    key: Option<String>,
    request: &[u8],
    work: impl AsyncFnOnce(&Transaction<'_>) -> Result<T, Failure>,
) -> Result<Response, Failure> {
    let mut client = app.records.pool.get().await?;
    let tx = client.transaction().await?;
    let digest = Sha256::digest(request).to_vec();
    if let Some(key) = &key {
        let now = Ts(app.records.now());
        let fresh = tx
            .execute(
                "INSERT INTO idempotency (key, request, status, body, at) VALUES ($1, $2, 0, '', $3)
                 ON CONFLICT (key) DO NOTHING",
                &[key, &digest, &now],
            )
            .await?;
        if fresh == 0 {
            let row = tx.query_one("SELECT request, status, body FROM idempotency WHERE key = $1", &[key]).await?;
            if row.get::<_, &[u8]>(0) != digest.as_slice() {
                return Err(Failure::IdempotencyConflict);
            }
            let status = StatusCode::from_u16(row.get::<_, i16>(1).unsigned_abs()).unwrap_or(StatusCode::OK);
            let body: String = row.get(2);
            return Ok(json_text(status, body));
        }
    }
    let answer = work(&tx).await?;
    let body = serde_json::to_string(&answer).map_err(|e| Failure::BadRequest(e.to_string()))?;
    if let Some(key) = &key {
        tx.execute("UPDATE idempotency SET status = 200, body = $2 WHERE key = $1", &[key, &body]).await?;
    }
    app.records.commit(tx).await?;
    Ok(json_text(StatusCode::OK, body))
}

fn json_text(status: StatusCode, body: String) -> Response {
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn not_found() -> Response {
    let body = ErrorBody::new(ErrorKind::NotFound, "there is no such endpoint: see /openapi.json");
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

async fn method_not_allowed() -> Response {
    let body = ErrorBody::new(ErrorKind::BadRequest, "this endpoint does not take that method: see /openapi.json");
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

/// Query of a search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// What was typed.
    pub q: String,
    /// The most hits (at most 200).
    pub limit: Option<usize>,
}

/// Query of the audit log.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this agent.
    pub agent: Option<String>,
    /// Only entries made at this desk.
    pub desk: Option<String>,
    /// Only actions starting with this.
    pub action_prefix: Option<String>,
    /// Only entries at or after (RFC 3339).
    pub from: Option<String>,
    /// Only entries before (RFC 3339).
    pub until: Option<String>,
    /// At most this many, newest first.
    pub limit: Option<u32>,
}

fn instant(name: &str, text: Option<&str>) -> Result<Option<jiff::Timestamp>, Failure> {
    text.map(|t| t.parse().map_err(|_| Failure::BadRequest(format!("{name} is not an RFC 3339 instant: «{t}»"))))
        .transpose()
}

pub(crate) fn parse_code(code: &str) -> Result<PCode, Failure> {
    code.parse().map_err(|e: mitid_core::pcode::MalformedPCode| Failure::Store(e.into()))
}

#[utoipa::path(get, path = "/v1/session", tag = "desk", responses((status = 200, body = Session)))]
async fn session(
    State(app): Shared,
    headers: HeaderMap,
    signed: Option<axum::Extension<Signed>>,
) -> Result<Json<Session>, Failure> {
    let records = &app.records;
    let signed = signed.map(|axum::Extension(s)| s);
    Ok(Json(Session {
        name: signed.as_ref().and_then(|s| s.name.clone()),
        roles: signed.map(|s| s.roles).unwrap_or_default(),
        agent: agent(&headers)?.agent,
        now: records.now(),
        hours: records.hours().config().clone(),
        checkpoint_key: records.checkpoints.public_hex(),
        key_fingerprint: records.key_fingerprint(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

#[utoipa::path(get, path = "/v1/sign-in", tag = "desk", responses((status = 200, body = SignIn)))]
async fn sign_in(State(app): Shared) -> Json<SignIn> {
    let config = app.identity.as_ref().map(|i| i.config());
    Json(SignIn {
        issuer: config.map(|c| c.issuer.clone()),
        client_id: config.map(|c| c.desk_client_id.clone()),
        resource: config.and_then(|c| c.resource.clone()),
    })
}

#[utoipa::path(post, path = "/v1/callers", tag = "callers", request_body = CallerDetails,
    responses((status = 200, body = Created), (status = 400, body = ErrorBody)))]
async fn add_caller(
    State(app): Shared,
    headers: HeaderMap,
    body: Result<Json<CallerDetails>, JsonRejection>,
) -> Result<Json<Created>, Failure> {
    let Json(details) = body.map_err(bad_json)?;
    Ok(Json(Created { id: app.records.add_caller(&agent(&headers)?, details).await? }))
}

#[utoipa::path(post, path = "/v1/callers/batch", tag = "callers", request_body = NewCallers,
    responses((status = 200, body = CreatedMany), (status = 400, body = ErrorBody)))]
async fn add_callers(
    State(app): Shared,
    headers: HeaderMap,
    body: Result<Json<NewCallers>, JsonRejection>,
) -> Result<Json<CreatedMany>, Failure> {
    let Json(batch) = body.map_err(bad_json)?;
    Ok(Json(CreatedMany { ids: app.records.add_callers(&agent(&headers)?, batch.callers, &batch.action).await? }))
}

#[utoipa::path(get, path = "/v1/callers/search", tag = "callers", params(SearchQuery),
    responses((status = 200, body = Vec<Hit>), (status = 400, body = ErrorBody)))]
async fn search(
    State(app): Shared,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<Vec<Hit>>, Failure> {
    let Query(query) = query.map_err(bad_query)?;
    Ok(Json(app.records.search(&query.q, query.limit.unwrap_or(50)).await?))
}

#[utoipa::path(get, path = "/v1/callers/count", tag = "callers", responses((status = 200, body = Count)))]
async fn caller_count(State(app): Shared) -> Result<Json<Count>, Failure> {
    Ok(Json(Count { count: app.records.caller_count().await? }))
}

#[utoipa::path(get, path = "/v1/callers/{id}", tag = "callers", params(("id" = i64, Path)),
    responses((status = 200, body = Caller), (status = 404, body = ErrorBody)))]
async fn caller(State(app): Shared, id: Result<Path<i64>, PathRejection>) -> Result<Json<Caller>, Failure> {
    let Path(id) = id.map_err(bad_path)?;
    app.records.caller(id).await?.map(Json).ok_or(Failure::Store(mitid_core::store::StoreError::NoCaller(id)))
}

#[utoipa::path(put, path = "/v1/callers/{id}", tag = "callers", params(("id" = i64, Path)), request_body = CallerDetails,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_caller(
    State(app): Shared,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<CallerDetails>, JsonRejection>,
) -> Result<StatusCode, Failure> {
    let Path(id) = id.map_err(bad_path)?;
    let Json(details) = body.map_err(bad_json)?;
    app.records.update_caller(&agent(&headers)?, id, details).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/v1/callers/{id}", tag = "callers", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_caller(
    State(app): Shared,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, Failure> {
    let Path(id) = id.map_err(bad_path)?;
    app.records.delete_caller(&agent(&headers)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/callers/{id}/merge", tag = "callers", params(("id" = i64, Path)), request_body = Merge,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn merge_callers(
    State(app): Shared,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<Merge>, JsonRejection>,
) -> Result<StatusCode, Failure> {
    let Path(into) = id.map_err(bad_path)?;
    let Json(merge) = body.map_err(bad_json)?;
    app.records.merge_callers(&agent(&headers)?, into, merge.from).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/callers/{id}/contacts", tag = "callers", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Contact>)))]
async fn contacts(State(app): Shared, id: Result<Path<i64>, PathRejection>) -> Result<Json<Vec<Contact>>, Failure> {
    let Path(id) = id.map_err(bad_path)?;
    Ok(Json(app.records.contacts(id).await?))
}

#[utoipa::path(post, path = "/v1/callers/{id}/contacts", tag = "callers", params(("id" = i64, Path),
        ("idempotency-key" = Option<String>, Header, description = "The same key again is done once")),
    request_body = NewContact,
    responses((status = 200, body = Created), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn log_contact(
    State(app): Shared,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<NewContact>, JsonRejection>,
) -> Result<Response, Failure> {
    let Path(id) = id.map_err(bad_path)?;
    let Json(contact) = body.map_err(bad_json)?;
    let (agent, key) = (agent(&headers)?, idempotency_key(&headers)?);
    let request = serde_json::to_vec(&(id, &contact)).unwrap_or_default();
    once(&app, key, &request, async |tx| {
        app.records.log_contact(tx, &agent, id, contact).await?;
        Ok(Created { id })
    })
    .await
}

#[utoipa::path(get, path = "/v1/callers/{id}/pcodes", tag = "pcodes", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PCodeInfo>)))]
async fn pcodes(State(app): Shared, id: Result<Path<i64>, PathRejection>) -> Result<Json<Vec<PCodeInfo>>, Failure> {
    let Path(id) = id.map_err(bad_path)?;
    Ok(Json(app.records.pcodes(id).await?))
}

#[utoipa::path(post, path = "/v1/callers/{id}/pcodes", tag = "pcodes", params(("id" = i64, Path)),
    responses((status = 200, body = Issued), (status = 404, body = ErrorBody),
        (status = 409, description = "Support is closed, or the caller holds the most codes allowed", body = ErrorBody)))]
async fn issue_pcode(
    State(app): Shared,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Issued>, Failure> {
    let Path(id) = id.map_err(bad_path)?;
    let (code, pcode) = app.records.issue_pcode(&agent(&headers)?, id).await?;
    Ok(Json(Issued { code: code.digits().to_owned(), pcode }))
}

#[utoipa::path(post, path = "/v1/callers/{id}/redemptions", tag = "pcodes", params(("id" = i64, Path)),
    request_body = Redeem, responses((status = 200, body = Redeemed), (status = 400, body = ErrorBody)))]
async fn redeem_pcode(
    State(app): Shared,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<Redeem>, JsonRejection>,
) -> Result<Json<Redeemed>, Failure> {
    let Path(id) = id.map_err(bad_path)?;
    let Json(redeem) = body.map_err(bad_json)?;
    let (redemption, attempts_left) = app.records.redeem_pcode(id, &parse_code(&redeem.code)?).await?;
    Ok(Json(Redeemed { redemption, attempts_left }))
}

#[utoipa::path(get, path = "/v1/pcodes/{reference}", tag = "pcodes", params(("reference" = String, Path)),
    responses((status = 200, body = PCodeInfo), (status = 404, body = ErrorBody)))]
async fn pcode(State(app): Shared, reference: Result<Path<String>, PathRejection>) -> Result<Json<PCodeInfo>, Failure> {
    let Path(reference) = reference.map_err(bad_path)?;
    app.records
        .pcode(&reference)
        .await?
        .map(Json)
        .ok_or(Failure::Store(mitid_core::store::StoreError::NoPCode(reference)))
}

#[utoipa::path(post, path = "/v1/pcodes/{reference}/revoke", tag = "pcodes", params(("reference" = String, Path)),
    request_body = Revoke,
    responses((status = 200, body = PCodeInfo), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn revoke_pcode(
    State(app): Shared,
    headers: HeaderMap,
    reference: Result<Path<String>, PathRejection>,
    body: Result<Json<Revoke>, JsonRejection>,
) -> Result<Json<PCodeInfo>, Failure> {
    let Path(reference) = reference.map_err(bad_path)?;
    let Json(revoke) = body.map_err(bad_json)?;
    Ok(Json(app.records.revoke_pcode(&agent(&headers)?, &reference, &revoke.reason).await?))
}

#[utoipa::path(post, path = "/v1/cases", tag = "cases",
    params(("idempotency-key" = Option<String>, Header, description = "The same key again is done once")),
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
async fn open_case(State(app): Shared, headers: HeaderMap) -> Result<Response, Failure> {
    let (agent, key) = (agent(&headers)?, idempotency_key(&headers)?);
    once(&app, key, b"open", async |tx| Ok(Created { id: app.records.open_case(tx, &agent).await? })).await
}

#[utoipa::path(post, path = "/v1/cases/{id}/steps", tag = "cases", params(("id" = i64, Path),
        ("idempotency-key" = Option<String>, Header, description = "The same key again is done once")),
    request_body = NewStep,
    responses((status = 200, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_case_step(
    State(app): Shared,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<NewStep>, JsonRejection>,
) -> Result<Response, Failure> {
    let Path(id) = id.map_err(bad_path)?;
    let Json(step) = body.map_err(bad_json)?;
    let (agent, key) = (agent(&headers)?, idempotency_key(&headers)?);
    let request = serde_json::to_vec(&(id, &step)).unwrap_or_default();
    once(&app, key, &request, async |tx| {
        app.records.record_case_step(tx, &agent, id, &step.step, &step.verdict, &step.detail).await?;
        Ok(Created { id })
    })
    .await
}

#[utoipa::path(post, path = "/v1/cases/{id}/close", tag = "cases", params(("id" = i64, Path),
        ("idempotency-key" = Option<String>, Header, description = "The same key again is done once")),
    request_body = Close,
    responses((status = 200, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close_case(
    State(app): Shared,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<Close>, JsonRejection>,
) -> Result<Response, Failure> {
    let Path(id) = id.map_err(bad_path)?;
    let Json(close) = body.map_err(bad_json)?;
    let (agent, key) = (agent(&headers)?, idempotency_key(&headers)?);
    let request = serde_json::to_vec(&(id, "close", &close)).unwrap_or_default();
    once(&app, key, &request, async |tx| {
        app.records.close_case(tx, &agent, id, &close.outcome).await?;
        Ok(Created { id })
    })
    .await
}

#[utoipa::path(get, path = "/v1/cases/{id}/steps", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CaseStep>), (status = 404, body = ErrorBody)))]
async fn case_steps(State(app): Shared, id: Result<Path<i64>, PathRejection>) -> Result<Json<Vec<CaseStep>>, Failure> {
    let Path(id) = id.map_err(bad_path)?;
    Ok(Json(app.records.case_steps(id).await?))
}

#[utoipa::path(get, path = "/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Vec<mitid_core::audit::AuditEntry>), (status = 400, body = ErrorBody)))]
async fn audit_entries(
    State(app): Shared,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<Vec<mitid_core::audit::AuditEntry>>, Failure> {
    let Query(q) = query.map_err(bad_query)?;
    let filter = AuditFilter {
        agent: q.agent,
        desk: q.desk,
        action_prefix: q.action_prefix,
        from: instant("from", q.from.as_deref())?,
        until: instant("until", q.until.as_deref())?,
        limit: q.limit,
    };
    Ok(Json(app.records.audit_entries(&filter).await?))
}

#[utoipa::path(post, path = "/v1/audit/verify", tag = "audit", responses((status = 200, body = Verified)))]
async fn verify_audit(State(app): Shared) -> Result<Json<Verified>, Failure> {
    let report = app.records.verify_audit().await?;
    let checkpoint = if report.problem.is_none() { app.records.checkpoint().await? } else { None };
    Ok(Json(Verified { report, checkpoint }))
}

#[utoipa::path(get, path = "/v1/audit/checkpoint", tag = "audit",
    responses((status = 200, body = Option<mitid_core::checkpoint::Checkpoint>)))]
async fn checkpoint(State(app): Shared) -> Result<Json<Option<mitid_core::checkpoint::Checkpoint>>, Failure> {
    Ok(Json(app.records.checkpoint().await?))
}

#[utoipa::path(get, path = "/v1/audit/entries/{seq}/hash", tag = "audit", params(("seq" = i64, Path)),
    responses((status = 200, body = EntryHash)))]
async fn entry_hash(State(app): Shared, seq: Result<Path<i64>, PathRejection>) -> Result<Json<EntryHash>, Failure> {
    let Path(seq) = seq.map_err(bad_path)?;
    Ok(Json(EntryHash { seq, hash: app.records.entry_hash(seq).await?.map(hex::encode) }))
}

#[utoipa::path(put, path = "/v1/clock", tag = "training", request_body = SetClock,
    responses((status = 204), (status = 403, description = "Not a training or test service", body = ErrorBody)))]
async fn set_clock(State(app): Shared, body: Result<Json<SetClock>, JsonRejection>) -> Result<StatusCode, Failure> {
    let Json(set) = body.map_err(bad_json)?;
    let Some(clock) = &app.records.simulated else {
        return Err(Failure::Forbidden(
            "this service's clock is the real one; only a training service's can be set".into(),
        ));
    };
    if let Some(speed) = set.speed {
        if !(0.1..=100.0).contains(&speed) {
            return Err(Failure::BadRequest("speed: from 0.1 to 100 (1 is real time)".into()));
        }
        clock.set_speed(speed);
    }
    clock.set(set.now);
    Ok(StatusCode::NO_CONTENT)
}

fn class(app: &App) -> Result<&crate::class::Class, Failure> {
    app.class.as_ref().ok_or_else(|| {
        Failure::Forbidden(
            "this service serves no class: only a training service (mitid-assist-server --demo) does".into(),
        )
    })
}

#[utoipa::path(put, path = "/v1/class/desk", tag = "training", request_body = DeskReport,
    responses((status = 200, body = ClassOrders), (status = 403, description = "Not a training service", body = ErrorBody)))]
async fn class_report(
    State(app): Shared,
    headers: HeaderMap,
    body: Result<Json<DeskReport>, JsonRejection>,
) -> Result<Json<ClassOrders>, Failure> {
    let Json(report) = body.map_err(bad_json)?;
    let actor = agent(&headers)?;
    Ok(Json(class(&app)?.report(&actor, report, &app.records)?))
}

#[utoipa::path(get, path = "/v1/class", tag = "training",
    responses((status = 200, body = ClassView), (status = 403, description = "Not a training service", body = ErrorBody)))]
async fn class_view(State(app): Shared) -> Result<Json<ClassView>, Failure> {
    Ok(Json(class(&app)?.view()))
}

#[utoipa::path(post, path = "/v1/class/faults", tag = "training", request_body = ClassFault,
    responses((status = 200, body = Count, description = "How many desks it was sent to"),
        (status = 404, description = "No such desk in the class", body = ErrorBody)))]
async fn class_fault(
    State(app): Shared,
    body: Result<Json<ClassFault>, JsonRejection>,
) -> Result<Json<Count>, Failure> {
    let Json(sent) = body.map_err(bad_json)?;
    let count = class(&app)?.send(sent.desk.as_deref(), sent.fault)?;
    tracing::info!(fault = sent.fault.name(), desks = count, "class fault sent");
    Ok(Json(Count { count: count as u64 }))
}

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// `?source=`: the imported file's name.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct TrustSource {
    /// The file's name, as the store and the audit log record it.
    source: String,
}

#[utoipa::path(get, path = "/v1/trust", tag = "trust",
    params(("if-none-match" = Option<String>, Header, description = "The ETag of the list the desk holds")),
    responses((status = 200, body = TrustList, headers(("etag" = String))), (status = 304, description = "Unchanged")))]
async fn trust_list(State(app): Shared, headers: HeaderMap) -> Result<Response, Failure> {
    let version = app.records.trust_version().await?;
    let etag = HeaderValue::from_str(&version).map_err(|_| Failure::corrupt("trust version"))?;
    if headers.get(axum::http::header::IF_NONE_MATCH) == Some(&etag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response.headers_mut().insert(axum::http::header::ETAG, etag);
        return Ok(response);
    }
    let list = app.records.trust_list(app.trust_warn_days).await?;
    let mut response = Json(list).into_response();
    response.headers_mut().insert(axum::http::header::ETAG, etag);
    Ok(response)
}

#[utoipa::path(post, path = "/v1/trust", tag = "trust", params(TrustSource),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "A CSCA master list, CSCA certificate(s) or CRL(s), DER or PEM"),
    responses((status = 200, body = ImportReport), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn import_trust(
    State(app): Shared,
    headers: HeaderMap,
    query: Result<Query<TrustSource>, QueryRejection>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ImportReport>, Failure> {
    let Query(query) = query.map_err(bad_query)?;
    check_source(&query.source)?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::TooLarge
        } else {
            Failure::BadRequest(format!("the file could not be received: {e}"))
        }
    })?;
    let agent = agent(&headers)?;
    Ok(Json(app.records.import_trust(&agent, &body, &query.source, crate::trust::Admission::Imported).await?))
}

fn check_source(source: &str) -> Result<(), Failure> {
    if source.trim().is_empty() || source.len() > 200 || source.chars().any(char::is_control) {
        return Err(Failure::BadRequest("source: the file's name, 1 to 200 characters, no control characters".into()));
    }
    Ok(())
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
async fn readyz(State(app): Shared) -> Result<Json<Health>, Failure> {
    let client = app.records.pool.get().await?;
    client.query_one("SELECT 1", &[]).await?;
    Ok(Json(Health { status: "ok".into() }))
}

async fn openapi() -> Response {
    let mut response = Json(ApiDoc::openapi()).into_response();
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The OpenAPI document, written from the handlers and the wire types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "mitid-assist-server",
        description = "The shared service of mitid-assist: callers, P-codes, counter cases and the audit log."
    ),
    paths(
        session,
        sign_in,
        add_caller,
        add_callers,
        search,
        caller_count,
        caller,
        update_caller,
        delete_caller,
        merge_callers,
        contacts,
        log_contact,
        pcodes,
        issue_pcode,
        redeem_pcode,
        crate::mitid_side::redeem,
        crate::mitid_side::complete,
        pcode,
        revoke_pcode,
        open_case,
        record_case_step,
        close_case,
        case_steps,
        audit_entries,
        verify_audit,
        checkpoint,
        entry_hash,
        set_clock,
        class_report,
        class_view,
        class_fault,
        trust_list,
        import_trust,
        healthz,
        readyz
    )
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::route_of;

    #[test]
    fn the_log_names_routes_without_their_ids() {
        assert_eq!(route_of("/v1/callers/search"), "/v1/callers/search");
        assert_eq!(route_of("/v1/callers/4711/pcodes"), "/v1/callers/{id}/pcodes");
        assert_eq!(route_of("/v1/pcodes/P-0badc0de/revoke"), "/v1/pcodes/{id}/revoke");
        assert_eq!(route_of("/v1/audit/entries/12/hash"), "/v1/audit/entries/{id}/hash");
    }
}
