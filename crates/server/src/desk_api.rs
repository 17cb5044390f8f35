//! The contact and operator-desk part of the JSON API: register contacts,
//! operator state, accept / decline / transfer / resolve, queues and their
//! members. Every change goes through the [`crate::dispatch::Dispatcher`] so
//! routing and the store move together.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::contact::{Channel, ContactType, Direction, WrapUp};
use domain::queue::QueueRules;
use serde::{Deserialize, Serialize};
use store::contacts::NewContact;
use store::Contact;
use utoipa::ToSchema;

use crate::auth::SignedInUser;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::AppState;

/// A contact to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactIn {
    pub channel: Channel,
    #[serde(default = "inbound")]
    pub direction: Direction,
    pub contact_type: ContactType,
    #[serde(default)]
    pub topic: String,
    /// 0 normal, 1 high, 2 urgent.
    #[serde(default)]
    pub priority: i64,
    pub subject: String,
    pub customer_id: Option<i64>,
    pub queue_id: i64,
    /// Skills the contact requires (codes of active skills, minimum level
    /// 1–5); the queue's requirements are added. Routed only to operators
    /// who have them all.
    #[serde(default)]
    pub skills: Vec<crate::skills::RequirementIn>,
}

fn inbound() -> Direction {
    Direction::Inbound
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HopOut {
    pub at: i64,
    pub from_queue_id: Option<i64>,
    pub to_queue_id: Option<i64>,
    pub from_operator_id: Option<i64>,
    pub reason: String,
    pub by_user_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub id: i64,
    pub channel: Channel,
    pub direction: Direction,
    pub contact_type: ContactType,
    pub topic: String,
    pub priority: i64,
    /// new, queued, offered, in_work, waiting_customer, waiting_department, resolved, closed.
    pub status: String,
    pub queue_id: Option<i64>,
    pub operator_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub subject: String,
    pub wrapup: Option<WrapUp>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Where the routing engine has it: waiting, offered, assigned (absent when closed).
    pub routing: Option<String>,
    /// Place in the queue (1 = next) while waiting.
    pub position: Option<usize>,
    pub estimated_wait_s: Option<i64>,
    pub hops: Vec<HopOut>,
}

pub(crate) async fn contact_out(st: &AppState, c: Contact) -> Result<ContactOut, ApiError> {
    let routing = st.dispatch.routing_status(c.id).await.map(|s| {
        match s {
            routing::ContactStatus::Waiting { .. } => "waiting",
            routing::ContactStatus::Offered { .. } => "offered",
            routing::ContactStatus::Assigned { .. } => "assigned",
        }
        .to_string()
    });
    let position = st.dispatch.position(c.id).await;
    let hops = st
        .store
        .contact_hops(c.id)
        .await?
        .into_iter()
        .map(|h| HopOut {
            at: h.at,
            from_queue_id: h.from_queue_id,
            to_queue_id: h.to_queue_id,
            from_operator_id: h.from_operator_id,
            reason: h.reason,
            by_user_id: h.by_user_id,
        })
        .collect();
    Ok(ContactOut {
        id: c.id,
        channel: c.channel,
        direction: c.direction,
        contact_type: c.contact_type,
        topic: c.topic,
        priority: c.priority,
        status: c.status.as_str().to_string(),
        queue_id: c.queue_id,
        operator_id: c.operator_id,
        customer_id: c.customer_id,
        subject: c.subject,
        wrapup: c.wrapup,
        created_at: c.created_at,
        updated_at: c.updated_at,
        routing,
        position: position.map(|p| p.position),
        estimated_wait_s: position.map(|p| p.estimated_wait_ms / 1000),
        hops,
    })
}

/// Registers a contact and puts it in its queue; answered once durable.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = NewContactIn,
    responses((status = 201, body = ContactOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_contact(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<NewContactIn>,
) -> Result<(StatusCode, Json<ContactOut>), ApiError> {
    if input.subject.trim().is_empty() || input.subject.chars().count() > 500 {
        return Err(domain::validate::Invalid { field: "subject", code: "invalid-subject" }.into());
    }
    let new = NewContact {
        channel: input.channel,
        direction: input.direction,
        contact_type: input.contact_type,
        topic: input.topic,
        priority: input.priority,
        subject: input.subject,
        customer_id: input.customer_id,
        queue_id: input.queue_id,
    };
    let skills = crate::skills::requirements(&input.skills);
    let c = st.dispatch.create_contact_requiring(&st.store, &new, &skills, &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(contact_out(&st, c).await?)))
}

/// One contact with its routing place and redirection trace.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 200, body = ContactOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_contact(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<ContactOut>, ApiError> {
    let c = st.store.contact(id).await?.ok_or_else(|| ApiError::not_found("contact"))?;
    Ok(Json(contact_out(&st, c).await?))
}

/// Contacts offered to or worked by the signed-in operator.
#[utoipa::path(get, path = "/api/v1/me/contacts", tag = "contacts",
    responses((status = 200, body = Vec<ContactOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn my_contacts(
    State(st): State<AppState>,
    SignedInUser(user, _caller): SignedInUser,
) -> Result<Json<Vec<ContactOut>>, ApiError> {
    let mut out = Vec::new();
    for c in st.store.operator_contacts(user.id).await? {
        out.push(contact_out(&st, c).await?);
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateIn {
    /// ready, not_ready:break, not_ready:lunch, not_ready:training,
    /// not_ready:meeting, not_ready:after_contact_work, offline.
    pub state: String,
}

/// Sets the signed-in operator's state; going ready starts offers.
#[utoipa::path(put, path = "/api/v1/me/state", tag = "contacts", request_body = StateIn,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_my_state(
    State(st): State<AppState>,
    SignedInUser(user, _caller): SignedInUser,
    ApiJson(input): ApiJson<StateIn>,
) -> Result<StatusCode, ApiError> {
    st.dispatch.set_state(&st.store, user.id, &input.state).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a contact offered to the signed-in operator.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/accept", tag = "contacts",
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn accept(
    State(st): State<AppState>,
    SignedInUser(user, _caller): SignedInUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    st.dispatch.accept(&st.store, id, user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refuses an offer: the contact goes back to its place, the operator to not ready.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/decline", tag = "contacts",
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn decline(
    State(st): State<AppState>,
    SignedInUser(user, _caller): SignedInUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    st.dispatch.decline(&st.store, id, user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferIn {
    pub queue_id: i64,
    /// Why, for the trace and the customer notice.
    pub reason: String,
}

/// Redirects a contact to another queue (department) with a reason.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/transfer", tag = "contacts", request_body = TransferIn,
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn transfer(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TransferIn>,
) -> Result<StatusCode, ApiError> {
    let c = st.store.contact(id).await?.ok_or_else(|| ApiError::not_found("contact"))?;
    // Only the operator holding it, or a supervisor, redirects a contact in work.
    if c.operator_id.is_some_and(|op| op != user.id) && !user.can(domain::Permission::ManageQueues) {
        return Err(ApiError::new(StatusCode::CONFLICT, "not_yours", "another operator holds this contact"));
    }
    st.dispatch.transfer(&st.store, id, input.queue_id, &input.reason, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resolves a contact with its wrap-up (required fields depend on the type).
#[utoipa::path(post, path = "/api/v1/contacts/{id}/resolve", tag = "contacts", request_body = WrapUp,
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn resolve(
    State(st): State<AppState>,
    SignedInUser(user, _caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(wrapup): ApiJson<WrapUp>,
) -> Result<StatusCode, ApiError> {
    st.dispatch.resolve(&st.store, id, user.id, &wrapup).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueOut {
    pub id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    /// Contacts waiting now.
    pub waiting: usize,
    pub rules: QueueRules,
}

fn queue_out(q: store::Queue, waiting: usize) -> QueueOut {
    QueueOut {
        id: q.id,
        code: q.code,
        name_ru: q.name_ru,
        name_kk: q.name_kk,
        name_en: q.name_en,
        waiting,
        rules: q.rules,
    }
}

/// Queues with the number of contacts waiting.
#[utoipa::path(get, path = "/api/v1/queues", tag = "contacts",
    responses((status = 200, body = Vec<QueueOut>), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn queues(State(st): State<AppState>) -> Result<Json<Vec<QueueOut>>, ApiError> {
    let mut out = Vec::new();
    for q in st.store.list_queues().await? {
        let waiting = st.dispatch.waiting(q.id).await;
        out.push(queue_out(q, waiting));
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    pub user_id: i64,
}

/// Adds an operator to a queue.
#[utoipa::path(post, path = "/api/v1/queues/{id}/members", tag = "contacts", request_body = MemberIn,
    params(("id" = i64, Path, description = "Queue id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_member(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MemberIn>,
) -> Result<StatusCode, ApiError> {
    st.store.add_queue_member(id, input.user_id).await?;
    st.dispatch.reload(&st.store).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQueueIn {
    /// Short code, e.g. `sales`.
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
}

/// Creates a queue.
#[utoipa::path(post, path = "/api/v1/queues", tag = "contacts", request_body = NewQueueIn,
    responses((status = 201, body = QueueOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_queue(
    State(st): State<AppState>,
    ApiJson(input): ApiJson<NewQueueIn>,
) -> Result<(StatusCode, Json<QueueOut>), ApiError> {
    domain::validate::login(&input.code)
        .map_err(|_| domain::validate::Invalid { field: "code", code: "invalid-code" })?;
    for name in [&input.name_ru, &input.name_kk, &input.name_en] {
        domain::validate::display_name(name)?;
    }
    let q = st.store.create_queue(&input.code, &input.name_ru, &input.name_kk, &input.name_en).await?;
    st.dispatch.reload(&st.store).await?;
    Ok((StatusCode::CREATED, Json(queue_out(q, 0))))
}

/// Replaces a queue's routing rules: priority, distribution mode, priority
/// aging, handling time, overflow to a backup queue, key-client wait.
/// Routing applies them at once.
#[utoipa::path(put, path = "/api/v1/queues/{id}/rules", tag = "contacts", request_body = QueueRules,
    params(("id" = i64, Path, description = "Queue id")),
    responses((status = 200, body = QueueOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_rules(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(rules): ApiJson<QueueRules>,
) -> Result<Json<QueueOut>, ApiError> {
    let q = st.store.set_queue_rules(id, &rules, &caller.actor()).await?;
    st.dispatch.reload(&st.store).await?;
    let waiting = st.dispatch.waiting(id).await;
    Ok(Json(queue_out(q, waiting)))
}
