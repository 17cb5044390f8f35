//! The JSON API under `/api/v1`, its OpenAPI 3 document (generated from these
//! handlers by utoipa), and `/healthz`.

use std::any::Any;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{Permission, Role};
use serde::{Deserialize, Serialize};
use store::{NewUser, User};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use crate::auth::{random_token, token_hash, SignedInUser};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::{customer_api, desk_api, password, work_api, AppState};

/// A user as the API shows it (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub login: String,
    pub name: String,
    /// Interface language: `ru`, `kk` or `en`.
    pub locale: String,
    pub active: bool,
    pub roles: Vec<Role>,
    /// Everything the user's roles allow.
    pub permissions: Vec<Permission>,
}

impl From<User> for UserOut {
    fn from(u: User) -> UserOut {
        let permissions = Permission::ALL.into_iter().filter(|p| u.can(*p)).collect();
        UserOut {
            id: u.id,
            login: u.login,
            name: u.name,
            locale: u.locale,
            active: u.active,
            roles: u.roles,
            permissions,
        }
    }
}

/// A user to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserIn {
    pub login: String,
    pub name: String,
    /// At least 8 characters.
    pub password: String,
    /// `ru` (default), `kk` or `en`.
    pub locale: Option<String>,
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// The complete new set of a user's roles.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesIn {
    pub roles: Vec<Role>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleOut {
    pub role: Role,
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    /// What the token is for, e.g. "PBX integration".
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    /// Send as `Authorization: Bearer <token>`; shown only once.
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    pub id: i64,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_login: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// At most this many rows (1–500, default 100).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Only entries with this action (audit).
    pub action: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}

/// `/healthz`: 200 when the database answers, 503 when it does not.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn healthz(State(st): State<AppState>) -> Response {
    match st.store.ping().await {
        Ok(()) => Json(Health { status: "ok".into() }).into_response(),
        Err(e) => {
            tracing::warn!("health check failed: {e}");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "database_unavailable", "the database does not answer")
                .into_response()
        }
    }
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn me(SignedInUser(user, _): SignedInUser) -> Json<UserOut> {
    Json(user.into())
}

/// Issues an API token for the signed-in user.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "accounts", request_body = TokenIn,
    responses((status = 201, body = TokenOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_token(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    ApiJson(input): ApiJson<TokenIn>,
) -> Result<(StatusCode, Json<TokenOut>), ApiError> {
    let token = random_token();
    let id = st.store.create_api_token(user.id, &input.name, &token_hash(&token), &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(TokenOut { id, token })))
}

/// Every role and what it allows.
#[utoipa::path(get, path = "/api/v1/roles", tag = "accounts",
    responses((status = 200, body = Vec<RoleOut>), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn roles() -> Json<Vec<RoleOut>> {
    Json(Role::ALL.into_iter().map(|role| RoleOut { role, permissions: role.permissions().to_vec() }).collect())
}

/// All users.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts",
    responses((status = 200, body = Vec<UserOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list_users(State(st): State<AppState>) -> Result<Json<Vec<UserOut>>, ApiError> {
    Ok(Json(st.store.list_users().await?.into_iter().map(UserOut::from).collect()))
}

/// Creates a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUserIn,
    responses((status = 201, body = UserOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_user(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<NewUserIn>,
) -> Result<(StatusCode, Json<UserOut>), ApiError> {
    let new = new_user(&st, input.login, input.name, &input.password, input.locale, input.roles).await?;
    let user = st.store.create_user(&new, &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Validates a new user and hashes the password off the async runtime; shared
/// by the API, the admin page and (through `password::hash`) the CLI.
pub async fn new_user(
    st: &AppState,
    login: String,
    name: String,
    password: &str,
    locale: Option<String>,
    roles: Vec<Role>,
) -> Result<NewUser, ApiError> {
    domain::validate::login(&login)?;
    domain::validate::display_name(&name)?;
    domain::validate::password(password)?;
    let locale = locale.unwrap_or_else(|| "ru".into());
    domain::validate::locale(&locale)?;
    let password_hash = hash_off_runtime(st, password).await?;
    Ok(NewUser { login, name, password_hash, locale, roles })
}

/// Argon2 takes tens of milliseconds: keep it off the async workers.
pub async fn hash_off_runtime(st: &AppState, password: &str) -> Result<String, ApiError> {
    let cost = st.config.hash_cost;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || password::hash(&password, cost))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_user(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<UserOut>, ApiError> {
    let user = st.store.user_by_id(id).await?.ok_or_else(|| ApiError::not_found("user"))?;
    Ok(Json(user.into()))
}

/// Replaces a user's roles (recorded in the audit log).
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "accounts", request_body = RolesIn,
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_roles(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RolesIn>,
) -> Result<Json<UserOut>, ApiError> {
    Ok(Json(st.store.set_roles(id, &input.roles, &caller.actor()).await?.into()))
}

fn page_bounds(p: &Page) -> (i64, i64) {
    (p.limit.unwrap_or(100).clamp(1, 500), p.offset.unwrap_or(0).max(0))
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(Page),
    responses((status = 200, body = Vec<AuditOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn audit(State(st): State<AppState>, Query(p): Query<Page>) -> Result<Json<Vec<AuditOut>>, ApiError> {
    let (limit, offset) = page_bounds(&p);
    let rows = st.store.list_audit(p.action.as_deref(), limit, offset).await?;
    Ok(Json(
        rows.into_iter()
            .map(|a| AuditOut {
                id: a.id,
                at: a.at,
                actor_id: a.actor_id,
                actor_login: a.actor_login,
                action: a.action,
                target: a.target,
                detail: a.detail,
                ip: a.ip,
            })
            .collect(),
    ))
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

/// The OpenAPI document, generated from the handlers above.
#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard API", description = "Contact centre and order desk. State-changing requests made with a session cookie need the `x-csrf-token` header; bearer tokens do not."),
    paths(healthz, me, create_token, roles, list_users, create_user, get_user, set_roles, audit,
        customer_api::customer, customer_api::search, customer_api::create, customer_api::duplicates,
        customer_api::merge, customer_api::set_manager, customer_api::set_consent,
        desk_api::queues, desk_api::create_queue, desk_api::add_member, desk_api::set_rules,
        crate::service_pages::get_levels, crate::service_pages::put_levels,
        crate::order_documents::get_seller, crate::order_documents::put_seller, desk_api::create_contact, desk_api::get_contact, desk_api::accept,
        desk_api::decline, desk_api::transfer, desk_api::resolve, desk_api::my_contacts, desk_api::set_my_state,
        crate::alerts::list, crate::alerts::acknowledge,
        work_api::add_note, work_api::notes, work_api::upload, work_api::download, work_api::link, work_api::close,
        work_api::reopen, work_api::waiting, work_api::reply, work_api::notifications,
        crate::topics::list, crate::topics::create, crate::topics::update,
        crate::mail_api::list, crate::mail_api::get_one, crate::mail_api::create, crate::mail_api::update,
        crate::mail_api::contact_emails, crate::chat_desk::list, crate::chat_desk::send,
        crate::skills::list, crate::skills::create, crate::skills::update, crate::skills::set_operator_skills,
        crate::skills::set_operator_capacity, crate::skills::set_queue_skills, crate::skills::set_contact_skills,
        crate::kb_edit::list_articles, crate::kb_edit::create_article, crate::kb_edit::get_article,
        crate::kb_edit::update_article, crate::kb_edit::get_article_version, crate::kb_edit::list_scripts,
        crate::kb_edit::create_script, crate::kb_edit::get_script, crate::kb_edit::update_script,
        crate::kb_edit::list_templates, crate::kb_edit::create_template, crate::kb_edit::update_template,
        crate::planning_api::list_series, crate::planning_api::import, crate::planning_api::import_from_centre,
        crate::planning_api::get_series, crate::planning_api::create_forecast, crate::planning_api::get_forecast,
        crate::planning_api::create_staffing, crate::planning_api::get_staffing, crate::planning_api::generate,
        crate::planning_api::create_schedule, crate::planning_api::get_schedule, crate::planning_api::publish_schedule,
        crate::planning_api::my_schedule,
        crate::orders_api::search, crate::orders_api::quote, crate::orders_api::create, crate::orders_api::list,
        crate::orders_api::get_order, crate::orders_api::action, crate::orders_api::get_account,
        crate::orders_api::put_account, crate::orders_api::get_settings, crate::orders_api::put_settings,
        crate::orders_api::credit_redirect,
        crate::cti::webhook, crate::cti::create_integration, crate::cti::list_integrations,
        crate::cti::revoke_integration, crate::cti::click_to_call, crate::cti::call,
        crate::notices::list, crate::notices::create, crate::notices::update,
        crate::notices::get_texts, crate::notices::put_texts,
        crate::telegram::webhook, crate::telegram::list, crate::telegram::create, crate::telegram::update,
        crate::telegram::register_webhook, crate::telegram::contact_messages,
        crate::returns::create_return, crate::returns::order_returns, crate::returns::list_returns,
        crate::returns::create_claim, crate::returns::get_windows, crate::returns::put_windows,
        crate::analytics_pages::api),
    components(schemas(crate::notices::GatewayMessage)),
    modifiers(&SecuritySchemes),
    tags((name = "accounts"), (name = "audit"), (name = "channels"), (name = "contacts"), (name = "contact work"), (name = "customers"),
        (name = "knowledge"), (name = "operations"), (name = "orders"), (name = "planning"),
        (name = "cti", description = "Voice through CTI: the PBX webhook (Zammad's generic CTI events newCall, answer, hangup plus queued, offered, hold, unhold, transferred, abandoned, recording; token in the path; answers {}, reject or dial), integrations, click-to-call, call timings and KPI inputs"))
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// Turns a panic in a handler into a JSON 500 (and a log line) instead of a
/// dropped connection.
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let what = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    ApiError::internal(format!("handler panicked: {what}")).into_response()
}
