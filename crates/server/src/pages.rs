//! The server-rendered UI: sign-in, the navigation of rooms each role may
//! enter, the profile, the administrator's users and audit pages, and the
//! rooms that later work fills in. Every string comes from the catalogue.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use domain::access::Access;
use domain::{Permission, Role};
use i18n::{Catalog, Locale};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use store::{AuditEntry, User};

use crate::api::{hash_off_runtime, new_user};
use crate::auth::{
    cookie, random_token, set_cookie, token_hash, Caller, SignedInUser, Via, LANG_COOKIE, PRE_SESSION_CSRF_COOKIE,
    SESSION_COOKIE,
};
use crate::error::ApiError;
use crate::routes::{access_of, ROOMS};
use crate::{password, AppState};

/// Looks messages up in the caller's language; templates call `t.get("key")`.
pub struct Tr {
    catalog: Arc<Catalog>,
    locale: Locale,
}

impl Tr {
    pub fn get(&self, key: &str) -> String {
        self.catalog.get(self.locale, key)
    }

    /// The translated name of a role.
    pub fn role(&self, role: &Role) -> String {
        self.get(&format!("role-{}", role.as_str()))
    }
}

pub struct NavItem {
    pub room: &'static str,
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// What every page shares: language, navigation, the user, the CSRF token.
pub struct Chrome {
    pub t: Tr,
    pub lang: &'static str,
    pub title: String,
    pub signed_in: bool,
    pub user_name: String,
    pub nav: Vec<NavItem>,
    pub csrf: String,
}

/// True when `user` may reach a route with this access.
pub fn may(user: &User, access: Access) -> bool {
    match access {
        Access::Public | Access::SignedIn => user.active,
        Access::Requires(p) => user.can(p),
    }
}

pub(crate) fn chrome(st: &AppState, caller: &Caller, current: &str, title_key: &str) -> Chrome {
    let t = Tr { catalog: st.catalog.clone(), locale: caller.locale };
    let nav = match caller.user() {
        Some(u) => ROOMS
            .iter()
            .filter(|room| access_of(room.href).is_some_and(|a| may(u, a)))
            .map(|room| NavItem {
                room: room.id,
                href: room.href,
                label: t.get(room.label_key),
                current: room.id == current,
            })
            .collect(),
        None => Vec::new(),
    };
    Chrome {
        title: t.get(title_key),
        lang: caller.locale.code(),
        signed_in: caller.user().is_some(),
        user_name: caller.user().map(|u| u.name.clone()).unwrap_or_default(),
        nav,
        csrf: caller.csrf.clone(),
        t,
    }
}

pub(crate) fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    message: String,
}

/// An error page in the caller's language (used by the guard too).
pub fn error_page(st: &AppState, locale: Locale, status: StatusCode, key: &str) -> Response {
    let caller = Caller { principal: None, locale, ip: String::new(), csrf: String::new() };
    let chrome = chrome(st, &caller, "", "error-title");
    let message = chrome.t.get(key);
    render(status, &ErrorPage { chrome, message })
}

/// A whole number typed in a form field: `None` when left empty, `invalid`
/// when it is not a number.
pub fn form_number(s: &str, invalid: domain::validate::Invalid) -> Result<Option<i64>, domain::validate::Invalid> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| invalid)
}

/// A whole number a form field must hold.
pub fn form_required(s: &str, invalid: domain::validate::Invalid) -> Result<i64, domain::validate::Invalid> {
    form_number(s, invalid.clone())?.ok_or(invalid)
}

/// A urlencoded form whose rejection is an error page, not a plain-text 4xx.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Self::Rejection> {
        let locale = req.extensions().get::<Caller>().map(|c| c.locale).unwrap_or_default();
        match Form::<T>::from_request(req, st).await {
            Ok(Form(v)) => Ok(PageForm(v)),
            Err(FormRejection::BytesRejection(_)) => {
                Err(error_page(st, locale, StatusCode::PAYLOAD_TOO_LARGE, "error-bad-request"))
            }
            Err(_) => Err(error_page(st, locale, StatusCode::BAD_REQUEST, "error-bad-request")),
        }
    }
}

/// Fallback for paths no route serves.
pub async fn not_found(State(st): State<AppState>, req: Request) -> Response {
    st.metrics.record_unmatched();
    if req.uri().path().starts_with("/api/") {
        return ApiError::not_found("route").into_response();
    }
    let locale = cookie(req.headers(), LANG_COOKIE).map(Locale::or_default).unwrap_or_default();
    error_page(&st, locale, StatusCode::NOT_FOUND, "error-not-found")
}

pub async fn stylesheet() -> Response {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../static/app.css")).into_response()
}

/// `GET /static/live.js`: live updates and keyboard shortcuts.
pub async fn live_script() -> Response {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../static/live.js")).into_response()
}

// ---------------------------------------------------------------- sign-in

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    error: Option<String>,
    login: String,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    lang: Option<String>,
}

pub async fn login_form(
    State(st): State<AppState>,
    mut caller: Caller,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    if caller.user().is_some() {
        return Redirect::to("/").into_response();
    }
    let mut cookies = Vec::new();
    if let Some(loc) = q.lang.as_deref().and_then(Locale::parse) {
        caller.locale = loc;
        cookies.push(set_cookie(LANG_COOKIE, loc.code(), 365 * 86400, st.config.secure_cookies));
    }
    if caller.csrf.is_empty() {
        caller.csrf = random_token();
        cookies.push(set_cookie(PRE_SESSION_CSRF_COOKIE, &caller.csrf, 86400, st.config.secure_cookies));
    }
    let page = LoginPage { chrome: chrome(&st, &caller, "", "sign-in-title"), error: None, login: String::new() };
    let mut resp = render(StatusCode::OK, &page);
    for c in cookies {
        if let Ok(v) = c.parse() {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    resp
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
}

pub async fn login_submit(State(st): State<AppState>, caller: Caller, PageForm(f): PageForm<LoginForm>) -> Response {
    let login = f.login.trim().to_lowercase();
    let since = store::now_ms() - st.config.sign_in_window_ms;
    let failures = match st.store.recent_failed_sign_ins(&login, &caller.ip, since).await {
        Ok(n) => n,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let fail = |status: StatusCode, key: &str| {
        let page = LoginPage {
            chrome: chrome(&st, &caller, "", "sign-in-title"),
            error: Some(st.catalog.get(caller.locale, key)),
            login: login.clone(),
        };
        render(status, &page)
    };
    let mut actor = caller.actor();
    actor.login = login.clone();
    let target = format!("login:{login}");
    if failures >= st.config.sign_in_max_failures {
        if let Err(e) = st.store.audit(&actor, "sign_in.blocked", &target, "rate limit").await {
            return ApiError::internal(e).into_response();
        }
        return fail(StatusCode::TOO_MANY_REQUESTS, "sign-in-rate-limited");
    }
    let creds = match st.store.credentials(&login).await {
        Ok(c) => c,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let cost = st.config.hash_cost;
    let (user, phc) = match creds {
        Some((u, h)) => (Some(u), h),
        None => (None, password::decoy(cost)),
    };
    let pw = f.password;
    let ok = tokio::task::spawn_blocking(move || password::verify(&pw, &phc)).await.unwrap_or(false);
    let user = match user {
        Some(u) if ok && u.active => u,
        _ => {
            if let Err(e) = st.store.audit(&actor, "sign_in.failed", &target, "").await {
                return ApiError::internal(e).into_response();
            }
            return fail(StatusCode::UNAUTHORIZED, "sign-in-failed");
        }
    };
    let token = random_token();
    let csrf = random_token();
    if let Err(e) =
        st.store.create_session(&token_hash(&token), user.id, &csrf, st.config.session_ttl_ms, Some(&caller.ip)).await
    {
        return ApiError::internal(e).into_response();
    }
    actor.user_id = Some(user.id);
    if let Err(e) = st.store.audit(&actor, "sign_in.ok", &format!("user:{}", user.id), "").await {
        return ApiError::internal(e).into_response();
    }
    let mut resp = Redirect::to("/").into_response();
    let c = set_cookie(SESSION_COOKIE, &token, st.config.session_ttl_ms / 1000, st.config.secure_cookies);
    if let Ok(v) = c.parse() {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    resp
}

pub async fn logout(State(st): State<AppState>, caller: Caller) -> Response {
    if let Some(crate::auth::Principal { via: Via::Session { token_hash, .. }, user }) = &caller.principal {
        if let Err(e) = st.store.delete_session(token_hash).await {
            return ApiError::internal(e).into_response();
        }
        let _ = st.store.audit(&caller.actor(), "sign_out", &format!("user:{}", user.id), "").await;
    }
    let mut resp = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", 0, st.config.secure_cookies).parse() {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    resp
}

// ---------------------------------------------------------------- rooms

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    greeting: String,
}

pub async fn home(State(st): State<AppState>, SignedInUser(user, caller): SignedInUser) -> Response {
    let chrome = chrome(&st, &caller, "", "home-title");
    let greeting = st.catalog.get_args(caller.locale, "signed-in-as", &[("name", &user.name)]);
    render(StatusCode::OK, &HomePage { chrome, greeting })
}

#[derive(Template)]
#[template(path = "room.html")]
struct RoomPage {
    chrome: Chrome,
    room: &'static str,
    text: String,
}

fn room_page(st: &AppState, caller: &Caller, room: &'static str) -> Response {
    let title_key = format!("nav-{room}");
    let chrome = chrome(st, caller, room, &title_key);
    let text = chrome.t.get(&format!("room-{room}-text"));
    render(StatusCode::OK, &RoomPage { chrome, room, text })
}

pub async fn quality(State(st): State<AppState>, caller: Caller) -> Response {
    room_page(&st, &caller, "quality")
}
pub async fn reports(State(st): State<AppState>, caller: Caller) -> Response {
    room_page(&st, &caller, "reports")
}

// ---------------------------------------------------------------- profile

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    chrome: Chrome,
    user: User,
    roles: Vec<String>,
    new_token: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

fn profile_page(
    st: &AppState,
    caller: &Caller,
    user: User,
    new_token: Option<String>,
    notice: Option<&str>,
    error: Option<&str>,
) -> Response {
    let chrome = chrome(st, caller, "profile", "profile-title");
    let roles = user.roles.iter().map(|r| chrome.t.role(r)).collect();
    let notice = notice.map(|k| chrome.t.get(k));
    let error = error.map(|k| chrome.t.get(k));
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(status, &ProfilePage { chrome, user, roles, new_token, notice, error })
}

pub async fn profile(State(st): State<AppState>, SignedInUser(user, caller): SignedInUser) -> Response {
    profile_page(&st, &caller, user, None, None, None)
}

#[derive(Deserialize)]
pub struct LocaleForm {
    locale: String,
}

pub async fn profile_locale(
    State(st): State<AppState>,
    SignedInUser(mut user, mut caller): SignedInUser,
    PageForm(f): PageForm<LocaleForm>,
) -> Response {
    match st.store.set_locale(user.id, &f.locale).await {
        Ok(()) => {
            caller.locale = Locale::or_default(&f.locale);
            user.locale = f.locale;
            profile_page(&st, &caller, user, None, Some("profile-saved"), None)
        }
        Err(store::StoreError::Invalid(inv)) => profile_page(&st, &caller, user, None, None, Some(inv.code)),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
}

pub async fn profile_password(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    PageForm(f): PageForm<PasswordForm>,
) -> Response {
    let phc = match st.store.credentials(&user.login).await {
        Ok(Some((_, h))) => h,
        Ok(None) => return error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found"),
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let current = f.current;
    if !tokio::task::spawn_blocking(move || password::verify(&current, &phc)).await.unwrap_or(false) {
        return profile_page(&st, &caller, user, None, None, Some("password-wrong"));
    }
    if let Err(inv) = domain::validate::password(&f.new) {
        return profile_page(&st, &caller, user, None, None, Some(inv.code));
    }
    let hash = match hash_off_runtime(&st, &f.new).await {
        Ok(h) => h,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = st.store.set_password_hash(user.id, &hash, &caller.actor()).await {
        return ApiError::internal(e).into_response();
    }
    // Changing the password ended every session, this one too.
    Redirect::to("/login").into_response()
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn profile_token(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    PageForm(f): PageForm<TokenForm>,
) -> Response {
    let token = random_token();
    match st.store.create_api_token(user.id, &f.name, &token_hash(&token), &caller.actor()).await {
        Ok(_) => profile_page(&st, &caller, user, Some(token), Some("profile-saved"), None),
        Err(store::StoreError::Invalid(inv)) => profile_page(&st, &caller, user, None, None, Some(inv.code)),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

// ---------------------------------------------------------------- administration

pub struct UserRow {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub locale: String,
    pub active: bool,
    /// (role id, translated name, held)
    pub roles: Vec<(&'static str, String, bool)>,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    can_manage: bool,
    users: Vec<UserRow>,
    all_roles: Vec<(&'static str, String)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn users_page(
    st: &AppState,
    caller: &Caller,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&str>,
) -> Response {
    let users = match st.store.list_users().await {
        Ok(u) => u,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let chrome = chrome(st, caller, "users", "users-title");
    let can_manage = caller.user().is_some_and(|u| u.can(Permission::ManageUsers));
    let all_roles = Role::ALL.iter().map(|r| (r.as_str(), chrome.t.role(r))).collect();
    let users = users
        .into_iter()
        .map(|u| UserRow {
            roles: Role::ALL.iter().map(|r| (r.as_str(), chrome.t.role(r), u.roles.contains(r))).collect(),
            id: u.id,
            login: u.login,
            name: u.name,
            locale: u.locale,
            active: u.active,
        })
        .collect();
    let notice = notice.map(|k| chrome.t.get(k));
    let error = error.map(|k| chrome.t.get(k));
    render(status, &UsersPage { chrome, can_manage, users, all_roles, notice, error })
}

pub async fn users(State(st): State<AppState>, caller: Caller) -> Response {
    users_page(&st, &caller, StatusCode::OK, None, None).await
}

fn roles_from_pairs(pairs: &[(String, String)]) -> Vec<Role> {
    pairs.iter().filter(|(k, _)| k == "role").filter_map(|(_, v)| Role::parse(v)).collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

pub async fn user_create(
    State(st): State<AppState>,
    caller: Caller,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let locale = Some(field(&pairs, "locale").to_string()).filter(|l| !l.is_empty());
    let new = new_user(
        &st,
        field(&pairs, "login").trim().to_string(),
        field(&pairs, "name").trim().to_string(),
        field(&pairs, "password"),
        locale,
        roles_from_pairs(&pairs),
    )
    .await;
    let result = match new {
        Ok(n) => st.store.create_user(&n, &caller.actor()).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => users_page(&st, &caller, StatusCode::OK, Some("users-created"), None).await,
        Err(e) if e.status == StatusCode::CONFLICT => {
            users_page(&st, &caller, StatusCode::CONFLICT, None, Some("conflict-login")).await
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let key = e.message.split(": ").nth(1).unwrap_or("error-bad-request").to_string();
            users_page(&st, &caller, StatusCode::UNPROCESSABLE_ENTITY, None, Some(&key)).await
        }
        Err(e) => e.into_response(),
    }
}

pub async fn user_roles(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    match st.store.set_roles(id, &roles_from_pairs(&pairs), &caller.actor()).await {
        Ok(_) => users_page(&st, &caller, StatusCode::OK, Some("users-roles-saved"), None).await,
        Err(store::StoreError::NotFound(_)) => error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found"),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    entries: Vec<(String, AuditEntry)>,
}

pub async fn audit(State(st): State<AppState>, caller: Caller) -> Response {
    let entries = match st.store.list_audit(None, 200, 0).await {
        Ok(e) => e,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let entries = entries.into_iter().map(|e| (format_utc(e.at), e)).collect();
    render(StatusCode::OK, &AuditPage { chrome: chrome(&st, &caller, "audit", "audit-title"), entries })
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) from milliseconds since the epoch.
pub fn format_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    let (y, m, d) = domain::time::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00");
        assert_eq!(format_utc(1_795_430_096_000), "2026-11-23 10:34:56");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00:00");
    }
}
