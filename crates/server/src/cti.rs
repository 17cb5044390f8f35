//! Voice through CTI over HTTP: the PBX webhook `POST /api/v1/cti/{token}`
//! (Zammad's generic CTI shape, form-encoded, JSON or multipart with a
//! recording file), the administrators' integrations, click-to-call from the
//! customer card and a call's timings and KPI inputs.
//!
//! The token in the path is the PBX's credential (stored hashed), so the
//! route is public and needs no CSRF token: a cookie carries no authority
//! there. The screen pop goes over the live stream to the answering operator.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::contact::Direction;
use domain::cti::{CallEvent, CallMessage, KpiInputs};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::cti::{Integration, NewCallback, NewIntegration, Upload};
use utoipa::ToSchema;

use crate::auth::{random_token, token_hash, SignedInUser};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::live::LiveEvent;
use crate::AppState;

/// A posted form: its fields and its files as (file name, content type, bytes).
pub(crate) type Fields = (Vec<(String, String)>, Vec<(String, String, Bytes)>);

fn bad_body(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", message)
}

/// Flattens a JSON object to (name, value) pairs: strings as they are,
/// numbers and booleans as text, arrays (Zammad's `user[]`) one pair each.
fn json_fields(v: Value) -> Result<Vec<(String, String)>, ApiError> {
    let Value::Object(map) = v else { return Err(bad_body("the body must be a JSON object")) };
    let mut out = Vec::new();
    for (k, v) in map {
        match v {
            Value::String(s) => out.push((k, s)),
            Value::Number(n) => out.push((k, n.to_string())),
            Value::Bool(b) => out.push((k, b.to_string())),
            Value::Null => {}
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::String(s) => out.push((k.clone(), s)),
                        Value::Number(n) => out.push((k.clone(), n.to_string())),
                        _ => return Err(bad_body(format!("{k}: arrays hold strings or numbers"))),
                    }
                }
            }
            Value::Object(_) => return Err(bad_body(format!("{k}: nested objects are not accepted"))),
        }
    }
    Ok(out)
}

/// Reads a form-encoded, JSON or multipart body into fields and files.
pub(crate) async fn read_fields(req: Request, limit: usize) -> Result<Fields, ApiError> {
    let ctype = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let bytes = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "the body is too large"))?;
    let mime = ctype.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match mime.as_str() {
        "application/json" => {
            let v: Value = serde_json::from_slice(&bytes).map_err(|e| bad_body(format!("malformed JSON: {e}")))?;
            Ok((json_fields(v)?, Vec::new()))
        }
        "application/x-www-form-urlencoded" => {
            Ok((form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect(), Vec::new()))
        }
        "multipart/form-data" => {
            let boundary = multer::parse_boundary(&ctype).map_err(|e| bad_body(e.to_string()))?;
            let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(bytes) });
            let mut form = multer::Multipart::new(stream, boundary);
            let mut fields = Vec::new();
            let mut files = Vec::new();
            while let Some(field) = form.next_field().await.map_err(|e| bad_body(e.to_string()))? {
                let name = field.name().unwrap_or("").to_string();
                if let Some(filename) = field.file_name().map(str::to_string) {
                    let ct = field.content_type().map(|m| m.to_string()).unwrap_or_default();
                    let data = field.bytes().await.map_err(|e| bad_body(e.to_string()))?;
                    files.push((filename, ct, data));
                } else {
                    fields.push((name, field.text().await.map_err(|e| bad_body(e.to_string()))?));
                }
            }
            Ok((fields, files))
        }
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send application/x-www-form-urlencoded, application/json or multipart/form-data",
        )),
    }
}

/// `POST /api/v1/cti/{token}`: one event of a call from the PBX.
#[utoipa::path(post, path = "/api/v1/cti/{token}", tag = "cti",
    params(("token" = String, Path, description = "The integration's secret token")),
    request_body(content = CtiEventIn, description = "Zammad's generic CTI fields plus our ACD events; also \
        application/x-www-form-urlencoded, or multipart/form-data with a `file` for a recording upload"),
    responses(
        (status = 200, body = CtiAnswer, description = "`{}`, or `{\"action\":\"reject\",\"reason\":\"busy\"}` for a \
            blocked caller, or `{\"action\":\"dial\",\"number\":…,\"caller_id\":…}` for an outbound newCall"),
        (status = 400, body = ErrorBody, description = "malformed body"),
        (status = 401, body = ErrorBody, description = "unknown or revoked token"),
        (status = 409, body = ErrorBody, description = "a concurrent event changed the call"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "unknown event, missing callId, event out of order \
            (`event: out-of-order`), unknown call (`callId: unknown-call`); nothing is stored")))]
pub async fn webhook(State(st): State<AppState>, Path(token): Path<String>, req: Request) -> Response {
    match handle(&st, &token, req).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn handle(st: &AppState, token: &str, req: Request) -> Result<Value, ApiError> {
    let integration = st
        .store
        .cti_integration_by_token(&token_hash(token))
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", "unknown CTI token"))?;
    let limit = crate::routes::body_limit("/api/v1/cti/{token}", st.config.body_limit);
    let (fields, files) = read_fields(req, limit).await?;
    let msg = domain::cti::parse_message(&fields)?;
    if msg.event == CallEvent::NewCall && msg.direction == Some(Direction::Inbound) && is_blocked(&integration, &msg) {
        return Ok(json!({"action": "reject", "reason": "busy"}));
    }
    let at = msg.at.unwrap_or_else(store::now_ms);
    if msg.event == CallEvent::Callback {
        let queue = msg.queue.clone().ok_or(domain::validate::Invalid { field: "queue", code: "required" })?;
        let cb = NewCallback {
            number: msg.from.clone(),
            queue,
            due_at: msg.due.unwrap_or(at),
            source: "pbx",
            key: format!("{}:{}", integration.id, msg.call_id),
        };
        st.store.request_callback(&cb).await?;
        release_due_callbacks(st, store::now_ms()).await;
        return Ok(json!({}));
    }
    let upload = files.first().map(|(name, ct, bytes)| Upload { filename: name, content_type: ct, bytes });
    if upload.is_some() && msg.event != CallEvent::Recording {
        return Err(domain::validate::Invalid { field: "file", code: "only-with-recording" }.into());
    }
    let out = st.store.apply_call_message(integration.id, &msg, at, upload).await?;
    st.live.publish(LiveEvent::ContactChanged { contact: out.contact_id, operator: out.operator_id });
    if let (CallEvent::Answer, Some(operator)) = (msg.event, out.operator_id) {
        st.live.publish(LiveEvent::ScreenPop { contact: out.contact_id, operator, customer: out.customer_id });
    }
    if msg.event == CallEvent::NewCall
        && msg.direction == Some(Direction::Outbound)
        && !integration.caller_id.is_empty()
    {
        return Ok(json!({"action": "dial", "number": msg.to, "caller_id": integration.caller_id}));
    }
    Ok(json!({}))
}

/// Puts every callback due at `now` into its queue and routes it (the
/// dispatcher's ticker calls this every second; tests with a chosen time).
pub async fn release_due_callbacks(st: &AppState, now: i64) {
    let due = match st.store.due_callbacks(now).await {
        Ok(d) => d,
        Err(e) => return tracing::warn!("callbacks not read: {e}"),
    };
    for cb in due {
        match st.store.release_callback(&cb, now).await {
            Ok(c) => st.dispatch.route_registered(&st.store, &c, cb.queue_id).await,
            // Released meanwhile by another tick: nothing to do.
            Err(store::StoreError::Conflict(_)) => {}
            Err(e) => tracing::warn!("callback {} not released: {e}", cb.id),
        }
    }
}

fn is_blocked(i: &Integration, msg: &CallMessage) -> bool {
    domain::customer::normalize_phone(&msg.from).is_ok_and(|n| i.blocked.contains(&n))
}

/// The webhook's fields (documentation of the protocol).
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct CtiEventIn {
    /// `newCall`, `answer`, `hangup` (Zammad); `queued`, `offered`, `hold`, `unhold` (or `resume`),
    /// `transferred`, `abandoned`, `recording` (ACD extensions); `callback` (an outbound task).
    event: String,
    /// The PBX's id of the call; every event of a call carries it (≤ 250 characters).
    #[serde(rename = "callId")]
    call_id: String,
    /// Calling number (`anonymous` allowed).
    from: Option<String>,
    /// Called number.
    to: Option<String>,
    /// `in` or `out`; required for `newCall`.
    direction: Option<String>,
    /// The agent: a login or an extension of the integration (`user[]` and `answeringNumber` also read).
    user: Option<String>,
    /// The PBX queue; a queue of ours with this code is referenced in the events.
    queue: Option<String>,
    /// Why the call ended (`hangup`), e.g. `normalClearing`, `cancel`, `noAnswer`, `busy`.
    cause: Option<String>,
    /// When it happened, milliseconds since the epoch (default: time of receipt); never earlier
    /// than the call's previous event.
    timestamp: Option<i64>,
    /// A recording's http(s) address (`recording`; or upload it as multipart field `file`).
    url: Option<String>,
    /// `callback`: when to call `from` back (ms since the epoch; default now); `queue` (a queue code
    /// of ours) says whose operators call. Repeating a callId's callback changes nothing.
    due: Option<i64>,
}

/// The answer to the PBX.
#[derive(Debug, Serialize, ToSchema)]
pub struct CtiAnswer {
    /// `reject` or `dial`; absent for "carry on".
    action: Option<String>,
    /// `busy` with `reject`.
    reason: Option<String>,
    /// With `dial`: the number to dial and the caller id to show.
    number: Option<String>,
    caller_id: Option<String>,
}

/// An integration to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntegrationIn {
    pub name: String,
    /// The PBX's endpoint for click-to-call dial requests (http or https); may be empty.
    #[serde(default)]
    pub dial_url: String,
    /// Caller id for outbound calls (returned in the `dial` answer); may be empty.
    #[serde(default)]
    pub caller_id: String,
    /// Numbers whose inbound calls are rejected `busy`.
    #[serde(default)]
    pub blocked: Vec<String>,
    /// Extension → operator login.
    #[serde(default)]
    pub extensions: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationOut {
    pub id: i64,
    pub name: String,
    pub dial_url: String,
    pub caller_id: String,
    pub blocked: Vec<String>,
    /// Extension → operator user id.
    pub extensions: std::collections::BTreeMap<String, i64>,
    pub active: bool,
    pub created_at: i64,
    /// The webhook path with the token: shown once, at creation.
    pub endpoint: Option<String>,
}

fn integration_out(i: Integration, endpoint: Option<String>) -> IntegrationOut {
    IntegrationOut {
        id: i.id,
        name: i.name,
        dial_url: i.dial_url,
        caller_id: i.caller_id,
        blocked: i.blocked,
        extensions: i.extensions.into_iter().collect(),
        active: i.active,
        created_at: i.created_at,
        endpoint,
    }
}

/// Creates a PBX integration; the answer holds its endpoint with the token, once.
#[utoipa::path(post, path = "/api/v1/cti-integrations", tag = "cti", request_body = IntegrationIn,
    responses((status = 201, body = IntegrationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "an extension names an unknown login"),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_integration(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<IntegrationIn>,
) -> Result<(StatusCode, Json<IntegrationOut>), ApiError> {
    let mut extensions = Vec::new();
    for (ext, login) in &input.extensions {
        let user = st.store.user_by_login(login).await?.ok_or_else(|| ApiError::not_found("user"))?;
        extensions.push((ext.clone(), user.id));
    }
    let new = NewIntegration {
        name: input.name,
        dial_url: input.dial_url,
        caller_id: input.caller_id,
        blocked: input.blocked,
        extensions,
    };
    let token = random_token();
    let i = st.store.create_cti_integration(&new, &token_hash(&token), &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(integration_out(i, Some(format!("/api/v1/cti/{token}"))))))
}

/// The PBX integrations (tokens are never shown again).
#[utoipa::path(get, path = "/api/v1/cti-integrations", tag = "cti",
    responses((status = 200, body = [IntegrationOut]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list_integrations(
    State(st): State<AppState>,
    SignedInUser(_user, _caller): SignedInUser,
) -> Result<Json<Vec<IntegrationOut>>, ApiError> {
    Ok(Json(st.store.cti_integrations().await?.into_iter().map(|i| integration_out(i, None)).collect()))
}

/// Revokes an integration: its token stops working at once.
#[utoipa::path(post, path = "/api/v1/cti-integrations/{id}/revoke", tag = "cti",
    params(("id" = i64, Path, description = "Integration id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn revoke_integration(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    st.store.revoke_cti_integration(id, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Click-to-call: which number, through which integration.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DialIn {
    /// Default: the customer's first phone.
    #[serde(default)]
    pub number: Option<String>,
    /// Default: the first active integration with a dial endpoint.
    #[serde(default)]
    pub integration_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DialOut {
    /// The outbound voice contact recorded for the call.
    pub contact_id: i64,
    pub call_id: String,
    pub number: String,
}

/// How long the PBX has to accept a dial request.
const DIAL_TIMEOUT: Duration = Duration::from_secs(5);

/// Sends the dial request to the PBX: a JSON POST; any 2xx is acceptance.
async fn send_dial(url: String, body: Value) -> Result<(), String> {
    tokio::task::spawn_blocking(move || {
        let agent = ureq::AgentBuilder::new().timeout(DIAL_TIMEOUT).build();
        match agent.post(&url).send_json(body) {
            Ok(_) => Ok(()),
            Err(ureq::Error::Status(code, _)) => Err(format!("the PBX answered {code}")),
            Err(e) => Err(format!("the PBX is unreachable: {e}")),
        }
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Click-to-call from the customer card: asks the PBX to ring the
/// operator's extension and dial the customer, then records an outbound
/// voice contact held by the operator. A PBX that refuses or is unreachable
/// gives 502 and nothing is recorded.
#[utoipa::path(post, path = "/api/v1/customers/{id}/call", tag = "cti", request_body = DialIn,
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 201, body = DialOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such customer"),
        (status = 422, body = ErrorBody, description = "bad number, the customer has no phone, or no integration \
            with a dial endpoint"),
        (status = 502, body = ErrorBody, description = "the PBX refused or did not answer")),
    security(("bearer" = []), ("session" = [])))]
pub async fn click_to_call(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DialIn>,
) -> Result<(StatusCode, Json<DialOut>), ApiError> {
    let out = dial(&st, &user, &caller.actor(), id, input).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Click-to-call shared by the API and the card's button.
pub async fn dial(
    st: &AppState,
    user: &store::User,
    actor: &store::AuditActor,
    customer: i64,
    input: DialIn,
) -> Result<DialOut, ApiError> {
    st.store.customer(customer).await?.ok_or_else(|| ApiError::not_found("customer"))?;
    let number = match input.number {
        Some(n) => domain::customer::normalize_phone(&n)?,
        None => st
            .store
            .customer_identities(customer)
            .await?
            .into_iter()
            .find(|i| i.kind == domain::customer::IdentityKind::Phone)
            .map(|i| i.value)
            .ok_or(domain::validate::Invalid { field: "number", code: "no-phone" })?,
    };
    let integrations = st.store.cti_integrations().await?;
    let integration = integrations
        .into_iter()
        .filter(|i| i.active && !i.dial_url.is_empty())
        .find(|i| input.integration_id.is_none_or(|want| want == i.id))
        .ok_or(domain::validate::Invalid { field: "integration_id", code: "no-dial-endpoint" })?;
    let extension = st.store.cti_extension_of(integration.id, user.id).await?.unwrap_or_else(|| user.login.clone());
    let call_id = format!("sb-{}", random_token());
    let body = json!({"event": "dial", "callId": call_id, "from": extension, "to": number, "user": user.login,
        "direction": "out"});
    send_dial(integration.dial_url.clone(), body)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_GATEWAY, "pbx_failed", e))?;
    let msg = CallMessage {
        event: CallEvent::NewCall,
        call_id: call_id.clone(),
        from: extension,
        to: number.clone(),
        direction: Some(Direction::Outbound),
        user: Some(user.login.clone()),
        queue: None,
        cause: None,
        at: None,
        url: None,
        due: None,
    };
    let out = st.store.record_dial(integration.id, &msg, actor).await?;
    st.live.publish(LiveEvent::ContactChanged { contact: out.contact_id, operator: Some(user.id) });
    Ok(DialOut { contact_id: out.contact_id, call_id, number })
}

/// A call's timings and what it gives the KPIs.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallOut {
    pub call_id: String,
    /// ringing, queued, offered, talking, held, ended.
    pub phase: String,
    pub ring_s: f64,
    pub wait_s: f64,
    pub talk_s: f64,
    pub hold_s: f64,
    /// After-call work: hangup → resolution (0 until resolved).
    pub wrap_s: f64,
    pub offered: bool,
    pub answered: bool,
    /// Answered within T (20 s).
    pub answered_within_threshold: bool,
    pub abandoned: bool,
    /// Abandoned within S (5 s).
    pub short_abandon: bool,
    /// Talk + hold + after-call work, seconds (AHT's numerator).
    pub handle_s: f64,
    pub recordings: Vec<RecordingOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordingOut {
    pub id: i64,
    /// Where to play it: the PBX's link or the uploaded file.
    pub href: String,
}

fn s(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// The href a recording plays from.
pub fn recording_href(r: &store::cti::Recording, prefix: &str) -> String {
    match (&r.url, r.attachment_id) {
        (_, Some(a)) => format!("{prefix}/contacts/{}/attachments/{a}", r.contact_id),
        (Some(u), None) => u.clone(),
        (None, None) => String::new(),
    }
}

/// `GET /api/v1/contacts/{id}/call`: the call behind a voice contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/call", tag = "cti",
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 200, body = CallOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such contact, or it did not come through CTI")),
    security(("bearer" = []), ("session" = [])))]
pub async fn call(
    State(st): State<AppState>,
    SignedInUser(_user, _caller): SignedInUser,
    Path(id): Path<i64>,
) -> Result<Json<CallOut>, ApiError> {
    let rec = st.store.call_of_contact(id).await?.ok_or_else(|| ApiError::not_found("call"))?;
    let k: KpiInputs = rec.state.kpi(rec.resolved_at);
    let t = k.timings;
    let recordings = st
        .store
        .call_recordings(id)
        .await?
        .iter()
        .map(|r| RecordingOut { id: r.id, href: recording_href(r, "/api/v1") })
        .collect();
    let phase = serde_json::to_value(rec.state.phase).ok().and_then(|v| v.as_str().map(str::to_string));
    Ok(Json(CallOut {
        call_id: rec.call_id,
        phase: phase.unwrap_or_default(),
        ring_s: s(t.ring_ms),
        wait_s: s(t.wait_ms),
        talk_s: s(t.talk_ms),
        hold_s: s(t.hold_ms),
        wrap_s: s(t.wrap_ms),
        offered: k.offered,
        answered: k.answered,
        answered_within_threshold: k.answered_within_threshold,
        abandoned: k.abandoned,
        short_abandon: k.short_abandon,
        handle_s: s(k.handle_ms),
        recordings,
    }))
}
