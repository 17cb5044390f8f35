//! The messenger channel over HTTP: Telegram bots.
//!
//! **Inbound.** `POST /api/v1/telegram/{secret}` is the webhook Telegram
//! posts Updates to. The secret in the path is the credential (looked up by
//! its SHA-256, like the CTI token), so the route is public and exempt from
//! CSRF; when Telegram sends `X-Telegram-Bot-Api-Secret-Token` (we set it in
//! `setWebhook`) it must match too. An Update is read by
//! `domain::telegram`, its file fetched (`getFile`, then
//! `{base}/file/bot{token}/{path}`, at most 10 MiB), and handed to
//! `Store::ingest_update` (exactly once per update id); a contact it creates
//! is routed through the dispatcher. `/start` is answered with a greeting in
//! the user's language, sent after the webhook has answered.
//!
//! **Outbound.** [`deliver_pending`] sends replies recorded on messenger
//! contacts with `sendMessage` (split at 4096 characters), recording `sent`
//! with Telegram's message ids, `failed` on a permanent refusal (400/403/404:
//! e.g. the user blocked the bot), or trying again later on 429 (after
//! `retry_after`), 5xx and timeouts. [`send_text`] is the bare "send this text
//! to that chat" for other senders (customer notices).
//!
//! Every Bot API call runs on a blocking thread (`ureq`, with timeouts); the
//! token is part of the URL, so error texts are scrubbed of it before they
//! are logged or stored.

use std::io::Read;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::telegram::{self as tg, FileRef, Meaning};
use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::telegram::{
    BotSettings, Delivery, FetchedFile, IncomingUpdate, PendingMessengerReply, TelegramBot, UpdateKind, UpdateOutcome,
};
use store::StoreError;
use tokio::task::JoinHandle;
use utoipa::ToSchema;

use crate::auth::{random_token, token_hash, SignedInUser};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::live::LiveEvent;
use crate::AppState;

/// How long one Bot API call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a file download may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(60);
/// How often the sender looks for replies.
pub const SEND_EVERY: Duration = Duration::from_secs(1);
/// After this many failed attempts a reply is `failed`.
pub const MAX_ATTEMPTS: i64 = 8;

/// Why a Bot API call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    pub kind: tg::Failure,
    /// Telegram's description (or the transport error), without the token.
    pub message: String,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn scrub(text: &str, token: &str) -> String {
    if token.is_empty() {
        text.to_string()
    } else {
        text.replace(token, "***")
    }
}

/// The bot's token in clear (from its sealed form).
fn token_of(st: &AppState, bot: &TelegramBot) -> Result<String, ApiFailure> {
    st.secrets
        .open(&bot.token_sealed)
        .map_err(|e| ApiFailure { kind: tg::Failure::Permanent, message: format!("bot token: {e}") })
}

/// Calls Bot API method `method` with a JSON body; the `result` on success.
pub async fn call(api_base: &str, token: &str, method: &str, body: Value) -> Result<Value, ApiFailure> {
    let url = format!("{}/bot{token}/{method}", api_base.trim_end_matches('/'));
    let token = token.to_string();
    let joined = tokio::task::spawn_blocking(move || {
        let agent = ureq::AgentBuilder::new().timeout(CALL_TIMEOUT).build();
        match agent.post(&url).send_json(body) {
            Ok(resp) => {
                let v: Value = resp.into_json().map_err(|e| ApiFailure {
                    kind: tg::Failure::Retry { retry_after: None },
                    message: format!("unreadable answer: {e}"),
                })?;
                if v["ok"] == true {
                    Ok(v["result"].clone())
                } else {
                    Err(ApiFailure {
                        kind: tg::Failure::Permanent,
                        message: v["description"].as_str().unwrap_or("refused").to_string(),
                    })
                }
            }
            Err(ureq::Error::Status(code, resp)) => {
                let v: Value = resp.into_json().unwrap_or(Value::Null);
                let retry_after = v["parameters"]["retry_after"].as_u64();
                let what = v["description"].as_str().map(str::to_string).unwrap_or_else(|| format!("HTTP {code}"));
                Err(ApiFailure { kind: tg::failure_of(code, retry_after), message: format!("{code}: {what}") })
            }
            Err(e) => Err(ApiFailure {
                kind: tg::Failure::Retry { retry_after: None },
                message: format!("Bot API unreachable: {}", scrub(&e.to_string(), &token)),
            }),
        }
    })
    .await;
    joined.unwrap_or_else(|e| {
        Err(ApiFailure { kind: tg::Failure::Retry { retry_after: None }, message: format!("call aborted: {e}") })
    })
}

/// Sends `text` to a Telegram chat through `bot`, split into pieces of at
/// most 4096 characters; Telegram's message ids of the pieces sent. The
/// entry point for any sender (replies here, customer notices elsewhere).
pub async fn send_text(st: &AppState, bot: &TelegramBot, chat_id: i64, text: &str) -> Result<Vec<i64>, ApiFailure> {
    let token = token_of(st, bot)?;
    let mut ids = Vec::new();
    for piece in tg::send_messages(chat_id, text) {
        let body = serde_json::to_value(&piece).unwrap_or(Value::Null);
        let result = call(&bot.api_base, &token, "sendMessage", body).await?;
        ids.extend(result["message_id"].as_i64());
    }
    Ok(ids)
}

/// Fetches a message's file: `getFile`, then the download, refusing files
/// over [`tg::MAX_FILE_BYTES`] (by Telegram's word and by what arrives).
pub async fn fetch_file(st: &AppState, bot: &TelegramBot, f: &FileRef) -> Result<FetchedFile, String> {
    if f.size.is_some_and(|s| s < 0 || s as usize > tg::MAX_FILE_BYTES) {
        return Err("too-large".into());
    }
    let token = token_of(st, bot).map_err(|e| e.message)?;
    let file = call(&bot.api_base, &token, "getFile", json!({"file_id": f.file_id})).await.map_err(|e| e.message)?;
    if file["file_size"].as_i64().is_some_and(|s| s < 0 || s as usize > tg::MAX_FILE_BYTES) {
        return Err("too-large".into());
    }
    let path = file["file_path"].as_str().filter(|p| !p.is_empty()).ok_or("no file_path")?.to_string();
    let url = format!("{}/file/bot{token}/{path}", bot.api_base.trim_end_matches('/'));
    let content = tokio::task::spawn_blocking(move || {
        let agent = ureq::AgentBuilder::new().timeout(DOWNLOAD_TIMEOUT).build();
        let resp = agent.get(&url).call().map_err(|e| scrub(&e.to_string(), &token))?;
        let mut buf = Vec::new();
        resp.into_reader()
            .take(tg::MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(|e| scrub(&e.to_string(), &token))?;
        if buf.len() > tg::MAX_FILE_BYTES {
            return Err("too-large".to_string());
        }
        Ok(buf)
    })
    .await
    .map_err(|e| e.to_string())??;
    Ok(FetchedFile { filename: f.file_name.clone(), content_type: f.mime_type.clone(), content })
}

// ---------------------------------------------------------------- webhook

fn unauthorized() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", "unknown webhook secret")
}

/// The greeting for `/start`: the bot's own, else the catalogue's in the user's language.
fn greeting(st: &AppState, bot: &TelegramBot, locale: &str) -> String {
    if bot.greeting.trim().is_empty() {
        st.catalog.get(i18n_locale(locale), "telegram-greeting")
    } else {
        bot.greeting.clone()
    }
}

fn i18n_locale(locale: &str) -> i18n::Locale {
    i18n::Locale::or_default(locale)
}

/// `POST /api/v1/telegram/{secret}`: one Update from Telegram.
#[utoipa::path(post, path = "/api/v1/telegram/{secret}", tag = "channels",
    params(("secret" = String, Path, description = "The bot's webhook secret (shown once when generated)"),
        ("X-Telegram-Bot-Api-Secret-Token" = Option<String>, Header,
            description = "Set by Telegram from setWebhook's secret_token; must equal the path's secret when sent")),
    request_body(content = Object, description = "A Telegram Update (message with text, caption, photo, document \
        or contact; /start; edits, callback queries, groups and channels are recorded and ignored)"),
    responses(
        (status = 200, description = "`{}`: processed, or already processed before (nothing new)"),
        (status = 400, body = ErrorBody, description = "not an Update; nothing stored"),
        (status = 401, body = ErrorBody, description = "unknown secret, inactive bot, or a wrong secret header")))]
pub async fn webhook(
    State(st): State<AppState>,
    Path(secret): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match handle(&st, &secret, &headers, &body).await {
        Ok(()) => Json(json!({})).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn handle(st: &AppState, secret: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
    let bot =
        st.store.telegram_bot_by_secret(&token_hash(secret)).await?.filter(|b| b.active).ok_or_else(unauthorized)?;
    if let Some(h) = headers.get("x-telegram-bot-api-secret-token") {
        use subtle::ConstantTimeEq;
        if !bool::from(h.as_bytes().ct_eq(secret.as_bytes())) {
            return Err(unauthorized());
        }
    }
    let update = tg::parse_update(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", format!("not a Telegram Update: {e}")))?;
    if st.store.telegram_update_seen(bot.id, update.update_id).await? {
        return Ok(());
    }
    let kind = match tg::classify(&update) {
        Meaning::Ignore(why) => UpdateKind::Ignore(why.into()),
        Meaning::Start(sender) => {
            let text = greeting(st, &bot, sender.locale);
            UpdateKind::Start { sender, greeting: text }
        }
        Meaning::Message { sender, message_id, text, file, phone } => {
            let file = match file {
                Some(f) => Some(fetch_file(st, &bot, &f).await),
                None => None,
            };
            UpdateKind::Message { sender, message_id, text, file, phone }
        }
    };
    let incoming = IncomingUpdate { bot_id: bot.id, update_id: update.update_id, kind };
    match st.store.ingest_update(&incoming).await? {
        UpdateOutcome::Created(c) => st.dispatch.route_registered(&st.store, &c, bot.queue_id).await,
        UpdateOutcome::Threaded { contact } => {
            st.live.publish(LiveEvent::ContactChanged { contact: contact.id, operator: contact.operator_id })
        }
        UpdateOutcome::Greet { message, chat_id, text } => {
            let st = st.clone();
            tokio::spawn(async move {
                let result = match send_text(&st, &bot, chat_id, &text).await {
                    Ok(ids) => Delivery::Sent(ids),
                    Err(e) => Delivery::Failed(e.message),
                };
                if let Err(e) = st.store.finish_messenger_message(message, &result).await {
                    tracing::warn!("greeting {message}: {e}");
                }
            });
        }
        UpdateOutcome::AlreadyDone | UpdateOutcome::Ignored => {}
    }
    Ok(())
}

// ---------------------------------------------------------------- replies

/// Starts the reply sender; abort the handle to stop it.
pub fn spawn(st: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(SEND_EVERY).await;
            deliver_pending(&st, store::now_ms()).await;
        }
    })
}

/// Sends every reply due at `now` (the sender calls it every second; tests
/// with a chosen time).
pub async fn deliver_pending(st: &AppState, now: i64) {
    let pending = match st.store.pending_messenger_replies(now, 20).await {
        Ok(p) => p,
        Err(e) => return tracing::warn!("messenger replies not read: {e}"),
    };
    for p in pending {
        if let Err(e) = deliver(st, &p, now).await {
            tracing::warn!("reply {} on contact {}: {e}", p.reply_id, p.contact_id);
        }
    }
    // Greetings whose immediate send was lost.
    let stale = match st.store.due_messenger_messages(now, 20).await {
        Ok(m) => m,
        Err(e) => return tracing::warn!("messenger messages not read: {e}"),
    };
    for m in stale {
        let Ok(Some(bot)) = st.store.telegram_bot(m.bot_id).await else { continue };
        let outcome = match send_text(st, &bot, m.chat_id, &m.body).await {
            Ok(ids) => Delivery::Sent(ids),
            Err(e) => Delivery::Failed(e.message),
        };
        if let Err(e) = st.store.finish_messenger_message(m.id, &outcome).await {
            tracing::warn!("message {}: {e}", m.id);
        }
    }
}

/// Sends `text` to a customer through the bot and chat they last wrote
/// from; `Ok(None)` when they never wrote to an active bot. For the
/// customer-notice senders.
pub async fn send_to_customer(st: &AppState, customer_id: i64, text: &str) -> Result<Option<Vec<i64>>, ApiFailure> {
    let retry = |e: StoreError| ApiFailure { kind: tg::Failure::Retry { retry_after: None }, message: e.to_string() };
    let Some((bot_id, chat_id)) = st.store.telegram_chat_of_customer(customer_id).await.map_err(retry)? else {
        return Ok(None);
    };
    let Some(bot) = st.store.telegram_bot(bot_id).await.map_err(retry)? else { return Ok(None) };
    send_text(st, &bot, chat_id, text).await.map(Some)
}

async fn deliver(st: &AppState, p: &PendingMessengerReply, now: i64) -> Result<(), StoreError> {
    let row = st.store.prepare_messenger_reply(p).await?;
    let bot = st.store.telegram_bot(p.bot_id).await?.ok_or(StoreError::NotFound("telegram bot"))?;
    let result = send_text(st, &bot, row.chat_id, &row.body).await;
    let outcome = match result {
        Ok(ids) => Delivery::Sent(ids),
        Err(ApiFailure { kind: tg::Failure::Permanent, message }) => Delivery::Failed(message),
        Err(ApiFailure { kind: tg::Failure::Retry { .. }, message }) if row.attempts + 1 >= MAX_ATTEMPTS => {
            Delivery::Failed(message)
        }
        Err(ApiFailure { kind: tg::Failure::Retry { retry_after }, message }) => {
            // Telegram's retry_after when given, else 2, 4, 8 … s, at most 5 minutes.
            let wait_s = retry_after.unwrap_or(2u64 << row.attempts.clamp(0, 7)).min(300);
            st.store.retry_messenger_message(row.id, &message, now + wait_s as i64 * 1000).await?;
            return Ok(());
        }
    };
    st.store.finish_messenger_message(row.id, &outcome).await?;
    if let Some(c) = row.contact_id {
        st.live.publish(LiveEvent::ContactChanged { contact: c, operator: None });
    }
    Ok(())
}

// ---------------------------------------------------------------- bots API

/// A bot as the API shows it (never the token).
#[derive(Debug, Serialize, ToSchema)]
pub struct BotOut {
    pub id: i64,
    pub name: String,
    pub api_base: String,
    pub queue_id: i64,
    pub greeting: String,
    pub active: bool,
    pub token_set: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// The webhook secret: shown once, when generated (creation, `rotate_secret`, webhook registration).
    pub webhook_secret: Option<String>,
    /// The webhook's path with the secret (append it to the server's public https address); shown once.
    pub webhook_path: Option<String>,
}

fn bot_out(b: TelegramBot, secret: Option<String>) -> BotOut {
    BotOut {
        id: b.id,
        token_set: !b.token_sealed.is_empty(),
        name: b.name,
        api_base: b.api_base,
        queue_id: b.queue_id,
        greeting: b.greeting,
        active: b.active,
        created_at: b.created_at,
        updated_at: b.updated_at,
        webhook_path: secret.as_ref().map(|s| format!("/api/v1/telegram/{s}")),
        webhook_secret: secret,
    }
}

fn default_base() -> String {
    tg::DEFAULT_API_BASE.into()
}
fn default_true() -> bool {
    true
}

/// A bot's settings. The token is write-only; absent on update = kept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BotIn {
    pub name: String,
    /// From @BotFather (`123456:ABC…`); required on create.
    pub token: Option<String>,
    /// The Bot API's base URL (default `https://api.telegram.org`).
    #[serde(default = "default_base")]
    pub api_base: String,
    /// Where new contacts from this bot queue.
    pub queue_id: i64,
    /// The answer to `/start`; empty = the standard greeting in the user's language.
    #[serde(default)]
    pub greeting: String,
    #[serde(default = "default_true")]
    pub active: bool,
    /// On update: generate a new webhook secret (the old one stops working).
    #[serde(default)]
    pub rotate_secret: bool,
}

impl BotIn {
    fn settings(&self, st: &AppState) -> Result<BotSettings, ApiError> {
        let token = self.token.as_deref().map(str::trim).filter(|t| !t.is_empty());
        tg::validate_bot(&self.name, token, &self.api_base)?;
        Ok(BotSettings {
            name: self.name.clone(),
            token_sealed: token.map(|t| st.secrets.seal(t)),
            api_base: self.api_base.clone(),
            queue_id: self.queue_id,
            greeting: self.greeting.clone(),
            active: self.active,
        })
    }
}

/// Lists the bots.
#[utoipa::path(get, path = "/api/v1/telegram-bots", tag = "channels",
    responses((status = 200, body = Vec<BotOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(State(st): State<AppState>) -> Result<Json<Vec<BotOut>>, ApiError> {
    Ok(Json(st.store.telegram_bots().await?.into_iter().map(|b| bot_out(b, None)).collect()))
}

/// Adds a bot; the answer holds its webhook secret and path, once.
#[utoipa::path(post, path = "/api/v1/telegram-bots", tag = "channels", request_body = BotIn,
    responses((status = 201, body = BotOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown queue"), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<BotIn>,
) -> Result<(StatusCode, Json<BotOut>), ApiError> {
    let (b, secret) = create_bot(&st, &input, &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(bot_out(b, Some(secret)))))
}

async fn create_bot(
    st: &AppState,
    input: &BotIn,
    actor: &store::AuditActor,
) -> Result<(TelegramBot, String), ApiError> {
    let settings = input.settings(st)?;
    let secret = random_token();
    let b = st.store.create_telegram_bot(&settings, &token_hash(&secret), actor).await?;
    Ok((b, secret))
}

async fn update_bot(
    st: &AppState,
    id: i64,
    input: &BotIn,
    actor: &store::AuditActor,
) -> Result<(TelegramBot, Option<String>), ApiError> {
    let settings = input.settings(st)?;
    let secret = input.rotate_secret.then(random_token);
    let hash = secret.as_deref().map(token_hash);
    let b = st.store.update_telegram_bot(id, &settings, hash.as_deref(), actor).await?;
    Ok((b, secret))
}

/// Changes a bot (an absent token is kept; `rotate_secret` shows a new secret once).
#[utoipa::path(put, path = "/api/v1/telegram-bots/{id}", tag = "channels", request_body = BotIn,
    params(("id" = i64, Path, description = "Bot id")),
    responses((status = 200, body = BotOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<BotIn>,
) -> Result<Json<BotOut>, ApiError> {
    let (b, secret) = update_bot(&st, id, &input, &caller.actor()).await?;
    Ok(Json(bot_out(b, secret)))
}

/// Where Telegram should post: the server's public https address.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookIn {
    /// E.g. `https://desk.example.kz`; the webhook path is appended.
    pub public_url: String,
}

/// Registers the webhook with Telegram (`setWebhook` with a fresh secret as
/// both the path and `secret_token`); the new secret is stored only when
/// Telegram accepted it.
#[utoipa::path(post, path = "/api/v1/telegram-bots/{id}/webhook", tag = "channels", request_body = WebhookIn,
    params(("id" = i64, Path, description = "Bot id")),
    responses((status = 200, body = BotOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "not an http(s) address"),
        (status = 502, body = ErrorBody, description = "Telegram refused or did not answer")),
    security(("bearer" = []), ("session" = [])))]
pub async fn register_webhook(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<WebhookIn>,
) -> Result<Json<BotOut>, ApiError> {
    let (b, secret) = set_webhook(&st, id, &input.public_url, &caller.actor()).await?;
    Ok(Json(bot_out(b, Some(secret))))
}

async fn set_webhook(
    st: &AppState,
    id: i64,
    public_url: &str,
    actor: &store::AuditActor,
) -> Result<(TelegramBot, String), ApiError> {
    let bot = st.store.telegram_bot(id).await?.ok_or_else(|| ApiError::not_found("telegram bot"))?;
    let base = public_url.trim().trim_end_matches('/');
    if tg::validate_bot("x", None, base).is_err() {
        return Err(domain::validate::Invalid { field: "public_url", code: "invalid-url" }.into());
    }
    let secret = random_token();
    let token = token_of(st, &bot).map_err(|e| ApiError::internal(e.message))?;
    let body = json!({"url": format!("{base}/api/v1/telegram/{secret}"), "secret_token": secret,
        "allowed_updates": ["message"]});
    call(&bot.api_base, &token, "setWebhook", body)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_GATEWAY, "telegram_failed", e.message))?;
    let settings = BotSettings {
        name: bot.name.clone(),
        token_sealed: None,
        api_base: bot.api_base.clone(),
        queue_id: bot.queue_id,
        greeting: bot.greeting.clone(),
        active: bot.active,
    };
    let b = st.store.update_telegram_bot(id, &settings, Some(&token_hash(&secret)), actor).await?;
    Ok((b, secret))
}

/// A message of a messenger contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: i64,
    /// `in` or `out`.
    pub direction: String,
    pub body: String,
    pub attachment_id: Option<i64>,
    /// In: `received`. Out: `sending`, `sent`, `failed`.
    pub status: String,
    pub error: String,
    pub attempts: i64,
    pub created_at: i64,
}

/// The messenger messages of a contact, in and out, oldest first.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/messages", tag = "contact work",
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 200, body = Vec<MessageOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn contact_messages(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<MessageOut>>, ApiError> {
    st.store.contact(id).await?.ok_or_else(|| ApiError::not_found("contact"))?;
    let list = st.store.contact_messenger_messages(id).await?;
    Ok(Json(
        list.into_iter()
            .map(|m| MessageOut {
                id: m.id,
                direction: m.direction,
                body: m.body,
                attachment_id: m.attachment_id,
                status: m.status,
                error: m.error,
                attempts: m.attempts,
                created_at: m.created_at,
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------- pages

/// One message in the contact window.
pub struct MessageRow {
    pub when: String,
    pub direction: String,
    pub incoming: bool,
    pub text: String,
    pub attachment: Option<i64>,
    /// Out: sending / sent / failed in the viewer's language.
    pub status: String,
    pub error: String,
}

/// The contact window's conversation of a messenger contact.
pub async fn message_rows(st: &AppState, t: &crate::pages::Tr, contact: i64) -> Result<Vec<MessageRow>, StoreError> {
    let list = st.store.contact_messenger_messages(contact).await?;
    Ok(list
        .into_iter()
        .map(|m| {
            let incoming = m.direction == "in";
            MessageRow {
                when: crate::pages::format_utc(m.created_at),
                direction: t.get(if incoming { "messenger-in" } else { "messenger-out" }),
                incoming,
                text: m.body,
                attachment: m.attachment_id,
                status: if incoming { String::new() } else { t.get(&format!("messenger-status-{}", m.status)) },
                error: m.error,
            }
        })
        .collect())
}

/// One bot's form in the room (`id` 0: the new one).
pub struct BotRow {
    pub id: i64,
    pub name: String,
    pub api_base: String,
    pub greeting: String,
    pub active: bool,
    /// (queue id, name, selected)
    pub queues: Vec<(i64, String, bool)>,
}

#[derive(askama::Template)]
#[template(path = "telegram.html")]
struct TelegramPage {
    chrome: crate::pages::Chrome,
    bots: Vec<BotRow>,
    error: Option<String>,
    /// A secret just generated: (bot id, webhook path), shown once.
    shown: Option<(i64, String)>,
}

async fn room_page(
    st: &AppState,
    caller: &crate::auth::Caller,
    status: StatusCode,
    error: Option<String>,
    shown: Option<(i64, String)>,
) -> Response {
    let chrome = crate::pages::chrome(st, caller, "mailboxes", "telegram-title");
    let (list, queues) = match (st.store.telegram_bots().await, st.store.list_queues().await) {
        (Ok(l), Ok(q)) => (l, q),
        (Err(e), _) | (_, Err(e)) => return ApiError::internal(e).into_response(),
    };
    let queue_options = |selected: i64| -> Vec<(i64, String, bool)> {
        queues.iter().map(|q| (q.id, q.name(chrome.lang).to_string(), q.id == selected)).collect()
    };
    let mut bots: Vec<BotRow> = list
        .into_iter()
        .map(|b| BotRow {
            id: b.id,
            queues: queue_options(b.queue_id),
            name: b.name,
            api_base: b.api_base,
            greeting: b.greeting,
            active: b.active,
        })
        .collect();
    bots.push(BotRow {
        id: 0,
        name: String::new(),
        api_base: tg::DEFAULT_API_BASE.into(),
        greeting: String::new(),
        active: true,
        queues: queue_options(queues.first().map(|q| q.id).unwrap_or_default()),
    });
    crate::pages::render(status, &TelegramPage { chrome, bots, error, shown })
}

/// `GET /admin/telegram`: every bot as a form, and one for a new bot.
pub async fn room(State(st): State<AppState>, caller: crate::auth::Caller) -> Response {
    room_page(&st, &caller, StatusCode::OK, None, None).await
}

/// A bot form; an empty token keeps the stored one, `active` is a checkbox.
#[derive(Deserialize)]
pub struct BotForm {
    name: String,
    #[serde(default)]
    token: String,
    api_base: String,
    queue_id: String,
    #[serde(default)]
    greeting: String,
    active: Option<String>,
}

impl BotForm {
    fn input(self) -> Result<BotIn, domain::validate::Invalid> {
        Ok(BotIn {
            queue_id: crate::pages::form_required(
                &self.queue_id,
                domain::validate::Invalid { field: "queue_id", code: "error-not-found" },
            )?,
            name: self.name,
            token: (!self.token.trim().is_empty()).then_some(self.token),
            api_base: self.api_base,
            greeting: self.greeting,
            active: self.active.is_some(),
            rotate_secret: false,
        })
    }
}

async fn room_answer(
    st: &AppState,
    caller: &crate::auth::Caller,
    saved: Result<(TelegramBot, Option<String>), ApiError>,
) -> Response {
    match saved {
        Ok((b, Some(secret))) => {
            room_page(st, caller, StatusCode::OK, None, Some((b.id, format!("/api/v1/telegram/{secret}")))).await
        }
        Ok((b, None)) => axum::response::Redirect::to(&format!("/admin/telegram#bot-{}", b.id)).into_response(),
        Err(e) => {
            // An invalid field says `field: code`; the code is a catalogue key when there is one.
            let code = e.message.split_once(": ").map(|(_, c)| c).filter(|c| st.catalog.has(c));
            let message = match code {
                Some(code) => st.catalog.get(caller.locale, code),
                None => e.message.clone(),
            };
            room_page(st, caller, e.status, Some(message), None).await
        }
    }
}

/// `POST /admin/telegram`: adds a bot; the page shows its webhook path once.
pub async fn create_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    crate::pages::PageForm(f): crate::pages::PageForm<BotForm>,
) -> Response {
    let saved = match f.input() {
        Ok(input) => create_bot(&st, &input, &caller.actor()).await.map(|(b, s)| (b, Some(s))),
        Err(inv) => Err(inv.into()),
    };
    room_answer(&st, &caller, saved).await
}

/// `POST /admin/telegram/{id}`: changes a bot (an empty token is kept).
pub async fn update_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    crate::pages::PageForm(f): crate::pages::PageForm<BotForm>,
) -> Response {
    let saved = match f.input() {
        Ok(input) => update_bot(&st, id, &input, &caller.actor()).await,
        Err(inv) => Err(inv.into()),
    };
    room_answer(&st, &caller, saved).await
}

#[derive(Deserialize)]
pub struct WebhookForm {
    public_url: String,
}

/// `POST /admin/telegram/{id}/webhook`: "register webhook" (`setWebhook`).
pub async fn webhook_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    crate::pages::PageForm(f): crate::pages::PageForm<WebhookForm>,
) -> Response {
    let saved = set_webhook(&st, id, &f.public_url, &caller.actor()).await.map(|(b, s)| (b, Some(s)));
    room_answer(&st, &caller, saved).await
}

// ---------------------------------------------------------------- customer notices

/// Customer notices through Telegram (`via` messenger): to the chat the
/// customer last wrote from, while its bot is active. Registered after the
/// messenger webhook gateway, so it is asked first; a customer who never
/// wrote to a bot falls through to the gateway (if any).
pub struct TelegramNoticeSender;

impl crate::notices::NoticeSender for TelegramNoticeSender {
    fn via(&self) -> &'static str {
        "messenger"
    }

    fn available<'a>(&'a self, st: &'a AppState, n: &'a store::notices::DueNotice) -> BoxFuture<'a, bool> {
        Box::pin(async move { matches!(st.store.telegram_chat_of_customer(n.customer_id).await, Ok(Some(_))) })
    }

    fn send<'a>(
        &'a self,
        st: &'a AppState,
        out: &'a crate::notices::Outgoing<'a>,
    ) -> BoxFuture<'a, Result<(), crate::notices::SendError>> {
        use crate::notices::SendError;
        Box::pin(async move {
            match send_to_customer(st, out.notice.customer_id, &out.text).await {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(SendError::Temporary("the customer has no Telegram chat with an active bot".into())),
                Err(ApiFailure { kind: tg::Failure::Permanent, message }) => Err(SendError::Permanent(message)),
                Err(ApiFailure { message, .. }) => Err(SendError::Temporary(message)),
            }
        })
    }
}
