//! Who is asking, and may they? Authentication by session cookie or bearer
//! token, the role check for every route, and CSRF protection for every
//! state-changing request from a browser — all in [`guard`], the one
//! mechanism in front of every route.

use std::net::SocketAddr;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use domain::access::Access;
use i18n::Locale;
use rand::RngCore;
use sha2::{Digest, Sha256};
use store::{AuditActor, User};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::routes::{RouteIndex, ROUTES};
use crate::AppState;

pub const SESSION_COOKIE: &str = "sb_session";
/// Double-submit CSRF cookie for forms shown before signing in.
pub const PRE_SESSION_CSRF_COOKIE: &str = "sb_csrf";
pub const LANG_COOKIE: &str = "sb_lang";
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Session { token_hash: String, csrf: String },
    Bearer,
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub via: Via,
}

/// Facts about the caller every handler may need: the principal if any, the
/// interface language, the address, and the CSRF token to put in forms.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Option<Principal>,
    pub locale: Locale,
    pub ip: String,
    pub csrf: String,
}

impl Caller {
    pub fn user(&self) -> Option<&User> {
        self.principal.as_ref().map(|p| &p.user)
    }

    /// The audit actor for this caller.
    pub fn actor(&self) -> AuditActor {
        AuditActor {
            user_id: self.user().map(|u| u.id),
            login: self.user().map(|u| u.login.clone()).unwrap_or_else(|| "anonymous".into()),
            ip: Some(self.ip.clone()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // The guard inserts a Caller before any handler runs.
        parts.extensions.get::<Caller>().cloned().ok_or_else(ApiError::unauthenticated)
    }
}

/// A signed-in user, for handlers of routes that require one.
pub struct SignedInUser(pub User, pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for SignedInUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        match caller.user().cloned() {
            Some(u) => Ok(SignedInUser(u, caller)),
            None => Err(ApiError::unauthenticated()),
        }
    }
}

/// A fresh random secret, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored for a session or API token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")).map(str::trim)
}

enum Authn {
    Anonymous,
    User(Principal),
    /// A bearer token was sent but is not valid: never fall back to the cookie.
    BadToken,
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Authn, store::StoreError> {
    if let Some(token) = bearer(headers) {
        let Some(user_id) = state.store.api_token_user(&token_hash(token)).await? else {
            return Ok(Authn::BadToken);
        };
        return Ok(match state.store.user_by_id(user_id).await? {
            Some(user) => Authn::User(Principal { user, via: Via::Bearer }),
            None => Authn::BadToken,
        });
    }
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let hash = token_hash(token);
        if let Some(s) = state.store.session(&hash).await? {
            if let Some(user) = state.store.user_by_id(s.user_id).await? {
                return Ok(Authn::User(Principal { user, via: Via::Session { token_hash: hash, csrf: s.csrf_token } }));
            }
        }
    }
    Ok(Authn::Anonymous)
}

fn client_ip(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The middleware in front of every route: authenticates, checks the route's
/// [`Access`] against the user's roles, checks CSRF on state-changing browser
/// requests, and hands a [`Caller`] to the handler.
pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(RouteIndex(i)) = req.extensions().get::<RouteIndex>().copied() else {
        // A route registered without a table entry: refuse rather than guess.
        tracing::error!("route {} {} is not in the route table", req.method(), req.uri().path());
        return ApiError::forbidden().into_response();
    };
    let spec = &ROUTES[i];
    let is_api = spec.path.starts_with("/api/");
    let ip = client_ip(&req);

    let authn = match authenticate(&state, req.headers()).await {
        Ok(a) => a,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let principal = match authn {
        Authn::User(p) => Some(p),
        Authn::Anonymous => None,
        Authn::BadToken => {
            return ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", "the bearer token is not valid")
                .into_response()
        }
    };
    let locale = match &principal {
        Some(p) => Locale::or_default(&p.user.locale),
        None => cookie(req.headers(), LANG_COOKIE).map(Locale::or_default).unwrap_or_default(),
    };

    let allowed = match (spec.access, &principal) {
        (Access::Public, _) => true,
        (_, None) => {
            return if is_api {
                ApiError::unauthenticated().into_response()
            } else {
                Redirect::to("/login").into_response()
            };
        }
        (Access::SignedIn, Some(_)) => true,
        (Access::Requires(p), Some(pr)) => pr.user.can(p),
    };
    if !allowed {
        return if is_api {
            ApiError::forbidden().into_response()
        } else {
            crate::pages::error_page(&state, locale, StatusCode::FORBIDDEN, "error-forbidden")
        };
    }

    // CSRF: browsers authenticate by cookie, which another site can make them
    // send; a token only our pages know must come with every change.
    let expected_csrf = match &principal {
        Some(Principal { via: Via::Session { csrf, .. }, .. }) => Some(csrf.clone()),
        Some(Principal { via: Via::Bearer, .. }) => None,
        None => cookie(req.headers(), PRE_SESSION_CSRF_COOKIE).map(str::to_string),
    };
    let csrf_for_forms = expected_csrf.clone().unwrap_or_default();
    let needs_csrf = spec.verb.is_unsafe()
        && !matches!(principal, Some(Principal { via: Via::Bearer, .. }))
        && !crate::routes::PATH_TOKEN_ROUTES.contains(&spec.path)
        && !crate::routes::TOKEN_ROUTES.contains(&spec.path);
    if needs_csrf {
        let (ok, rebuilt) = match check_csrf(
            req,
            expected_csrf.as_deref(),
            crate::routes::body_limit(spec.path, state.config.body_limit),
        )
        .await
        {
            Ok(v) => v,
            Err(resp) => return resp,
        };
        if !ok {
            return if is_api {
                ApiError::new(StatusCode::FORBIDDEN, "csrf", "missing or wrong CSRF token").into_response()
            } else {
                crate::pages::error_page(&state, locale, StatusCode::FORBIDDEN, "error-csrf")
            };
        }
        req = rebuilt;
    }

    req.extensions_mut().insert(Caller { principal, locale, ip, csrf: csrf_for_forms });
    next.run(req).await
}

/// Compares the submitted CSRF token (header, or the `csrf` form field) with
/// the expected one. Reads a form body and puts it back for the handler.
async fn check_csrf(req: Request, expected: Option<&str>, limit: usize) -> Result<(bool, Request), Response> {
    let Some(expected) = expected.filter(|e| !e.is_empty()) else {
        return Ok((false, req));
    };
    if let Some(h) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let ok = bool::from(h.as_bytes().ct_eq(expected.as_bytes()));
        return Ok((ok, req));
    }
    let content_type = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    // File uploads from the contact window: the token is a field of the multipart form.
    let boundary = multer::parse_boundary(content_type).ok();
    if !is_form && boundary.is_none() {
        return Ok((false, req));
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "request body too large")
                .into_response())
        }
    };
    let submitted = match boundary {
        Some(b) if !is_form => multipart_field(bytes.clone(), b, CSRF_FIELD).await,
        _ => form_field(&bytes, CSRF_FIELD),
    };
    let ok = submitted.is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected.as_bytes())));
    Ok((ok, Request::from_parts(parts, Body::from(bytes))))
}

/// One field of an urlencoded form body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// One text field of a buffered multipart form (`None` if absent or unreadable).
async fn multipart_field(bytes: axum::body::Bytes, boundary: String, name: &str) -> Option<String> {
    let mut form = multer::Multipart::new(Body::from(bytes).into_data_stream(), boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// `Set-Cookie` value for a session or helper cookie.
pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_decode() {
        let body = b"login=op%2B1&csrf=abc-_1&name=%D0%90+%D0%91";
        assert_eq!(form_field(body, "csrf").as_deref(), Some("abc-_1"));
        assert_eq!(form_field(body, "login").as_deref(), Some("op+1"));
        assert_eq!(form_field(body, "name").as_deref(), Some("А Б"));
        assert_eq!(form_field(b"x=%ZZ&y=%", "x").as_deref(), Some("%ZZ"));
        assert_eq!(form_field(b"", "csrf"), None);
    }

    #[test]
    fn cookies_parse() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, "a=1; sb_session=xyz; b=2".parse().expect("header"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
