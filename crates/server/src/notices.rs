//! Delivery of customer notices through the customer's channel.
//!
//! **Senders** are pluggable: anything implementing [`NoticeSender`] under a
//! `via` name (`email`, `chat`, `sms`, `messenger`, the names of
//! `domain::notice::Via`) is registered in the [`NoticeSenders`] registry
//! held in `AppState` (`AppState::new` registers e-mail and the SMS /
//! messenger webhook gateways; the web chat and Telegram register theirs the
//! same way). A later registration for a `via` is asked first.
//!
//! **The worker** ([`spawn`], started by `serve`; period
//! `SWITCHBOARD_NOTICE_SEND_MS`, default 2000) claims due notices
//! (`Store::claim_due_notices`: exclusive, stale claims taken over), asks
//! each `via`'s senders whether they can carry this notice now, lets
//! `domain::notice::route` decide, sends, and records the outcome with its
//! event (`Store::record_notice_outcome`): 2xx / SMTP accepted = `sent`, a
//! permanent refusal = `failed` at once, a temporary one retried with
//! back-off. Tests call [`deliver_due`] with a chosen time.
//!
//! **Texts** are the stored notice (rendered in the customer's language when
//! it was written) plus the status page link (`SWITCHBOARD_PUBLIC_URL` +
//! `/status?number=N`) and, for e-mail, a subject per notice key with the
//! `[#N]` token so the customer's answer threads into the contact.
//!
//! **The webhook gateway** POSTs JSON
//! `{"notice_id","to","text","locale","contact_number","kind"}` to the
//! administrator's URL with the optional `Authorization` header value
//! (sealed at rest), with an 8 s timeout off the async workers (ureq).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::notice::{self as rules, Route, RouteInput, Via};
use futures_util::future::BoxFuture;
use i18n::Locale;
use serde::{Deserialize, Serialize};
use store::notices::{DueNotice, GatewaySettings, NoticeGateway, NoticeOutcome};
use store::StoreError;
use tokio::task::JoinHandle;
use utoipa::ToSchema;

use crate::auth::SignedInUser;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::AppState;

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct NoticeConfig {
    /// Between rounds of the worker.
    pub send_every: Duration,
    /// A `sending` claim older than this is taken over (a worker vanished).
    pub stale_after: Duration,
    /// Notices claimed per round.
    pub batch: i64,
    /// The public address of this server (`https://help.shop.kz`): the
    /// status page link in notices. None: no link.
    pub public_url: Option<String>,
    /// How long a gateway may take to answer.
    pub gateway_timeout: Duration,
}

impl Default for NoticeConfig {
    fn default() -> Self {
        NoticeConfig {
            send_every: Duration::from_millis(2000),
            stale_after: Duration::from_secs(300),
            batch: 20,
            public_url: None,
            gateway_timeout: Duration::from_secs(8),
        }
    }
}

impl NoticeConfig {
    /// Defaults overridden by `SWITCHBOARD_NOTICE_SEND_MS` and `SWITCHBOARD_PUBLIC_URL`.
    pub fn from_env() -> NoticeConfig {
        let d = NoticeConfig::default();
        NoticeConfig {
            send_every: std::env::var("SWITCHBOARD_NOTICE_SEND_MS")
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_millis)
                .unwrap_or(d.send_every),
            public_url: std::env::var("SWITCHBOARD_PUBLIC_URL")
                .ok()
                .map(|u| u.trim().trim_end_matches('/').to_string())
                .filter(|u| u.starts_with("http://") || u.starts_with("https://")),
            ..d
        }
    }
}

/// Why a sender did not deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Refused for good (bad address, 4xx): not retried.
    Permanent(String),
    /// Worth another try later (5xx, timeout, connection refused).
    Temporary(String),
}

/// One notice ready to go: the claimed row, where to, and its texts.
pub struct Outgoing<'a> {
    pub notice: &'a DueNotice,
    /// The address the route chose (e-mail, phone, or chat handle).
    pub to: &'a str,
    /// The notice text with the status page link.
    pub text: String,
    /// The subject line for letters (with `[#N]`).
    pub subject: String,
}

/// A way notices leave. Implementations must be cheap to ask `available`.
pub trait NoticeSender: Send + Sync {
    /// The `via` this sender serves (`email`, `chat`, `sms`, `messenger`).
    fn via(&self) -> &'static str;
    /// Whether it can carry this notice now (a mailbox exists, the visitor
    /// is online, a gateway is active …).
    fn available<'a>(&'a self, st: &'a AppState, notice: &'a DueNotice) -> BoxFuture<'a, bool>;
    /// Delivers one notice.
    fn send<'a>(&'a self, st: &'a AppState, out: &'a Outgoing<'a>) -> BoxFuture<'a, Result<(), SendError>>;
}

/// The registered senders (see the module docs).
#[derive(Default)]
pub struct NoticeSenders(RwLock<Vec<Arc<dyn NoticeSender>>>);

impl NoticeSenders {
    /// E-mail, the SMS and messenger webhook gateways, Telegram (asked before
    /// the messenger gateway) and the web chat.
    pub fn standard() -> NoticeSenders {
        let s = NoticeSenders::default();
        s.register(Arc::new(EmailSender));
        s.register(Arc::new(WebhookSender { kind: "sms" }));
        s.register(Arc::new(WebhookSender { kind: "messenger" }));
        s.register(Arc::new(crate::telegram::TelegramNoticeSender));
        s.register(Arc::new(crate::chat::ChatNoticeSender));
        s
    }

    /// Adds a sender; it is asked before those registered earlier for its `via`.
    pub fn register(&self, sender: Arc<dyn NoticeSender>) {
        let mut list = self.0.write().unwrap_or_else(|p| p.into_inner());
        list.insert(0, sender);
    }

    fn all(&self) -> Vec<Arc<dyn NoticeSender>> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Starts the worker; abort the handle to stop it.
pub fn spawn(st: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(st.notice_config.send_every).await;
            if let Err(e) = deliver_due(&st, store::now_ms()).await {
                tracing::warn!("customer notices: {e:#}");
            }
        }
    })
}

/// One round at time `now`: claims due notices, routes, sends and records
/// each. Returns how many were claimed.
pub async fn deliver_due(st: &AppState, now: i64) -> anyhow::Result<usize> {
    let stale = i64::try_from(st.notice_config.stale_after.as_millis()).unwrap_or(i64::MAX);
    let due = st.store.claim_due_notices(now, stale, st.notice_config.batch).await?;
    for n in &due {
        let outcome = deliver_one(st, n).await;
        st.store.record_notice_outcome(n.id, n.attempt, &outcome, store::now_ms().max(now)).await?;
    }
    Ok(due.len())
}

async fn deliver_one(st: &AppState, n: &DueNotice) -> NoticeOutcome {
    let senders = st.notices.all();
    let mut chosen: Vec<(Via, Arc<dyn NoticeSender>)> = Vec::new();
    for s in senders {
        let Some(via) = Via::parse(s.via()) else { continue };
        if chosen.iter().any(|(v, _)| *v == via) {
            continue;
        }
        if s.available(st, n).await {
            chosen.push((via, s));
        }
    }
    let channel = domain::contact::Channel::parse(&n.channel);
    let input = RouteInput {
        channel,
        emails: n.emails.iter().map(String::as_str).collect(),
        phones: n.phones.iter().map(String::as_str).collect(),
        chats: n.chats.iter().map(String::as_str).collect(),
        consent: n.consent,
        available: chosen.iter().map(|(v, _)| *v).collect(),
    };
    match rules::route(&input) {
        Route::Undeliverable(why) => NoticeOutcome::Undeliverable { reason: why.as_str().to_string() },
        Route::Send { via, to } => {
            let Some((_, sender)) = chosen.iter().find(|(v, _)| *v == via) else {
                return NoticeOutcome::Undeliverable { reason: rules::Undeliverable::NoSender.as_str().into() };
            };
            let (subject, text) = texts(st, n);
            let out = Outgoing { notice: n, to: &to, text, subject };
            let (via, address) = (via.as_str().to_string(), to.clone());
            match sender.send(st, &out).await {
                Ok(()) => NoticeOutcome::Sent { via, address },
                Err(SendError::Permanent(error)) => NoticeOutcome::Failed { via, address, error, permanent: true },
                Err(SendError::Temporary(error)) => NoticeOutcome::Failed { via, address, error, permanent: false },
            }
        }
    }
}

/// The subject line and the text (with the status page link) of a notice,
/// in the customer's language (Russian when unknown).
pub fn texts(st: &AppState, n: &DueNotice) -> (String, String) {
    let locale = Locale::or_default(&n.locale);
    let number = n.contact_id.to_string();
    let key = format!("{}-subject", n.template_key);
    let line = st.catalog.get_args(locale, &key, &[("number", &number)]);
    let line = if line == key { st.catalog.get_args(locale, "notice-subject", &[("number", &number)]) } else { line };
    let subject = mail::outgoing::notice_subject(n.contact_id, &line);
    let mut text = n.body.clone();
    if let Some(base) = &st.notice_config.public_url {
        let link = format!("{base}/status?number={number}");
        text.push_str("\n\n");
        text.push_str(&st.catalog.get_args(locale, "notice-status-link", &[("link", &link)]));
    }
    (subject, text)
}

// ---------------------------------------------------------------- texts

/// Renders notices when they are written: the administrator's text for the
/// (key, language) when there is one, else the catalogue's.
pub struct NoticeRenderer {
    catalog: Arc<i18n::Catalog>,
    overrides: RwLock<store::notices::NoticeTexts>,
}

impl NoticeRenderer {
    pub fn new(catalog: Arc<i18n::Catalog>, overrides: store::notices::NoticeTexts) -> NoticeRenderer {
        NoticeRenderer { catalog, overrides: RwLock::new(overrides) }
    }

    /// The administrators' texts in force.
    pub fn overrides(&self) -> store::notices::NoticeTexts {
        self.overrides.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Stores and puts in force new texts.
    pub async fn set(
        &self,
        st: &store::Store,
        texts: store::notices::NoticeTexts,
        actor: &store::AuditActor,
    ) -> store::Result<()> {
        st.set_notice_texts(&texts, actor).await?;
        *self.overrides.write().unwrap_or_else(|p| p.into_inner()) = texts;
        Ok(())
    }

    /// The catalogue's text of `key` in `locale`, with `{number}` left for the placeholder.
    pub fn default_text(&self, locale: Locale, key: &str) -> String {
        self.catalog.get_args(
            locale,
            key,
            &[("number", "{number}"), ("carrier", "{carrier}"), ("tracking", "{tracking}")],
        )
    }
}

impl store::NoticeText for NoticeRenderer {
    fn text(&self, locale: &str, notice: domain::contact_work::Notice, contact_id: i64) -> String {
        let lang = Locale::or_default(locale);
        let own = self
            .overrides
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(notice.key())
            .and_then(|m| m.get(lang.code()))
            .map(|t| rules::fill_text(t, contact_id));
        own.unwrap_or_else(|| self.catalog.get_args(lang, notice.key(), &[("number", &contact_id.to_string())]))
    }

    fn order_text(&self, locale: &str, key: &str, number: i64, carrier: &str, tracking: &str) -> String {
        let lang = Locale::or_default(locale);
        let own = self
            .overrides
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .and_then(|m| m.get(lang.code()))
            .map(|t| rules::fill_order_text(t, number, carrier, tracking));
        own.unwrap_or_else(|| {
            let n = number.to_string();
            self.catalog.get_args(lang, key, &[("number", &n), ("carrier", carrier), ("tracking", tracking)])
        })
    }
}

// ---------------------------------------------------------------- labels

/// A notice's status in the viewer's language.
pub fn status_label(t: &crate::pages::Tr, status: &str) -> String {
    match status {
        "pending" => t.get("notice-pending"),
        "sending" | "sent" | "failed" | "undeliverable" => t.get(&format!("notice-status-{status}")),
        other => other.to_string(),
    }
}

/// The channel and masked address of a delivery (`SMS +7701*****67`); empty until tried.
pub fn via_label(t: &crate::pages::Tr, via: &str, address: &str) -> String {
    if via.is_empty() {
        return String::new();
    }
    let name = if Via::parse(via).is_some() { t.get(&format!("via-{via}")) } else { via.to_string() };
    let masked = rules::masked_address(via, address);
    if masked.is_empty() {
        name
    } else {
        format!("{name} {masked}")
    }
}

/// The last error, or the translated reason a notice is undeliverable.
pub fn error_label(t: &crate::pages::Tr, status: &str, error: &str) -> String {
    const REASONS: [&str; 4] = ["voice-channel", "no-consent", "no-address", "no-sender"];
    if status == "undeliverable" && REASONS.contains(&error) {
        t.get(&format!("notice-reason-{error}"))
    } else {
        error.to_string()
    }
}

// ---------------------------------------------------------------- e-mail

/// Notices by e-mail through the SMTP of the contact's mailbox (see
/// `Store::notice_mailbox`), threaded by Message-ID and `[#N]`.
pub struct EmailSender;

impl NoticeSender for EmailSender {
    fn via(&self) -> &'static str {
        "email"
    }

    fn available<'a>(&'a self, st: &'a AppState, n: &'a DueNotice) -> BoxFuture<'a, bool> {
        Box::pin(async move { matches!(st.store.notice_mailbox(n.contact_id).await, Ok(Some(_))) })
    }

    fn send<'a>(&'a self, st: &'a AppState, out: &'a Outgoing<'a>) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let n = out.notice;
            let m = match st.store.notice_mailbox(n.contact_id).await {
                Ok(Some(m)) => m,
                Ok(None) => return Err(SendError::Temporary("no active mailbox".into())),
                Err(e) => return Err(SendError::Temporary(e.to_string())),
            };
            let domain = mail::outgoing::domain_of(&m.address).to_string();
            let message_id = mail::outgoing::notice_message_id(n.contact_id, n.id, rand::random::<u64>(), &domain);
            // On an email contact the notice answers the customer's last letter,
            // so their mail program shows it in the same conversation.
            let letters = st.store.contact_emails(n.contact_id).await.unwrap_or_default();
            let last_in = letters.iter().rev().find(|e| {
                e.direction == "in"
                    && !e.message_id.is_empty()
                    && matches!(e.disposition.as_str(), "accepted" | "threaded")
            });
            let in_reply_to = last_in.map(|e| e.message_id.clone()).unwrap_or_default();
            let references = last_in
                .map(|e| mail::outgoing::references(&e.references, Some(e.message_id.as_str())))
                .unwrap_or_default();
            let letter = crate::mail_channel::SmtpLetter {
                to: out.to,
                subject: &out.subject,
                message_id: &message_id,
                in_reply_to: &in_reply_to,
                references: &references,
                body: &out.text,
            };
            let result = crate::mail_channel::smtp_send(st, &m, &letter).await;
            let (sent, detail) = match &result {
                Ok(()) => (true, String::new()),
                Err(crate::mail_channel::SendError::Permanent(e) | crate::mail_channel::SendError::Transient(e)) => {
                    (false, e.clone())
                }
            };
            let stored = store::mail::OutgoingLetter {
                mailbox_id: m.id,
                contact_id: n.contact_id,
                message_id: message_id.clone(),
                in_reply_to: in_reply_to.clone(),
                references: references.clone(),
                from_address: m.address.clone(),
                to_address: out.to.to_string(),
                subject: out.subject.clone(),
                body: out.text.clone(),
            };
            if let Err(e) = st.store.record_notice_letter(n.id, &stored, sent, &detail).await {
                tracing::warn!("notice {} letter not stored: {e}", n.id);
            }
            result.map_err(|e| match e {
                crate::mail_channel::SendError::Permanent(e) => SendError::Permanent(e),
                crate::mail_channel::SendError::Transient(e) => SendError::Temporary(e),
            })
        })
    }
}

// ---------------------------------------------------------------- webhook gateways

/// Notices through the first active gateway of `kind` (`sms` by phone,
/// `messenger` by chat handle).
pub struct WebhookSender {
    pub kind: &'static str,
}

/// What a gateway receives.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GatewayMessage {
    pub notice_id: i64,
    /// A phone in `+` and digits (sms) or a chat handle (messenger).
    pub to: String,
    pub text: String,
    /// `ru`, `kk` or `en`.
    pub locale: String,
    pub contact_number: i64,
    /// `sms` or `messenger`.
    pub kind: String,
}

impl NoticeSender for WebhookSender {
    fn via(&self) -> &'static str {
        self.kind
    }

    fn available<'a>(&'a self, st: &'a AppState, n: &'a DueNotice) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            // A messenger gateway needs the customer's handle to address them.
            if self.kind == "messenger" && n.chats.iter().all(|c| c.trim().is_empty()) {
                return false;
            }
            matches!(st.store.active_notice_gateway(self.kind).await, Ok(Some(_)))
        })
    }

    fn send<'a>(&'a self, st: &'a AppState, out: &'a Outgoing<'a>) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let g = match st.store.active_notice_gateway(self.kind).await {
                Ok(Some(g)) => g,
                Ok(None) => return Err(SendError::Temporary("no active gateway".into())),
                Err(e) => return Err(SendError::Temporary(e.to_string())),
            };
            let auth = if g.auth_header_sealed.is_empty() {
                None
            } else {
                Some(st.secrets.open(&g.auth_header_sealed).map_err(|e| SendError::Permanent(e.to_string()))?)
            };
            let n = out.notice;
            let body = GatewayMessage {
                notice_id: n.id,
                to: out.to.to_string(),
                text: out.text.clone(),
                locale: Locale::or_default(&n.locale).code().to_string(),
                contact_number: n.contact_id,
                kind: self.kind.to_string(),
            };
            post_json(g.url.clone(), auth, body, st.notice_config.gateway_timeout).await
        })
    }
}

/// POSTs `body` off the async workers: 2xx is delivered, 4xx a permanent
/// refusal, anything else (5xx, timeout, no connection) temporary.
async fn post_json(
    url: String,
    auth: Option<String>,
    body: GatewayMessage,
    timeout: Duration,
) -> Result<(), SendError> {
    let joined = tokio::task::spawn_blocking(move || {
        let agent = ureq::AgentBuilder::new().timeout(timeout).redirects(0).build();
        let mut req = agent.post(&url);
        if let Some(a) = auth.as_deref() {
            req = req.set("Authorization", a);
        }
        match req.send_json(&body) {
            Ok(_) => Ok(()),
            Err(ureq::Error::Status(code, _)) if (400..500).contains(&code) => {
                Err(SendError::Permanent(format!("the gateway answered {code}")))
            }
            Err(ureq::Error::Status(code, _)) => Err(SendError::Temporary(format!("the gateway answered {code}"))),
            Err(e) => Err(SendError::Temporary(format!("the gateway is unreachable: {e}"))),
        }
    })
    .await;
    joined.map_err(|e| SendError::Temporary(e.to_string()))?
}

// ---------------------------------------------------------------- API

/// A notice gateway as the API shows it (the header value never).
#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayOut {
    pub id: i64,
    /// `sms` or `messenger`.
    pub kind: String,
    pub name: String,
    pub url: String,
    pub auth_header_set: bool,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

fn gateway_out(g: NoticeGateway) -> GatewayOut {
    GatewayOut {
        id: g.id,
        auth_header_set: !g.auth_header_sealed.is_empty(),
        kind: g.kind,
        name: g.name,
        url: g.url,
        active: g.active,
        created_at: g.created_at,
        updated_at: g.updated_at,
    }
}

fn default_true() -> bool {
    true
}

/// A gateway's settings. The webhook receives a JSON POST
/// ([`GatewayMessage`]); 2xx = sent, 4xx = refused for good, 5xx or no
/// answer within 8 s = tried again (after 1, 5 and 30 minutes).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GatewayIn {
    /// `sms` or `messenger`.
    pub kind: String,
    pub name: String,
    /// `http://` or `https://` URL of the webhook.
    pub url: String,
    /// The `Authorization` header value sent with each POST (write-only;
    /// absent on update = kept, empty = none).
    pub auth_header: Option<String>,
    #[serde(default = "default_true")]
    pub active: bool,
}

impl GatewayIn {
    fn settings(self, st: &AppState) -> GatewaySettings {
        GatewaySettings {
            auth_header_sealed: self.auth_header.map(|h| {
                if h.trim().is_empty() {
                    String::new()
                } else {
                    st.secrets.seal(h.trim())
                }
            }),
            kind: self.kind.trim().to_string(),
            name: self.name,
            url: self.url,
            active: self.active,
        }
    }
}

/// Lists the notice gateways.
#[utoipa::path(get, path = "/api/v1/notice-gateways", tag = "channels",
    responses((status = 200, body = Vec<GatewayOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(State(st): State<AppState>) -> Result<Json<Vec<GatewayOut>>, ApiError> {
    Ok(Json(st.store.notice_gateways().await?.into_iter().map(gateway_out).collect()))
}

/// Adds an SMS or messenger gateway (webhook) for customer notices.
#[utoipa::path(post, path = "/api/v1/notice-gateways", tag = "channels", request_body = GatewayIn,
    responses((status = 201, body = GatewayOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<GatewayIn>,
) -> Result<(StatusCode, Json<GatewayOut>), ApiError> {
    let g = st.store.create_notice_gateway(&input.settings(&st), &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(gateway_out(g))))
}

/// Replaces a gateway's settings (an absent header value is kept).
#[utoipa::path(put, path = "/api/v1/notice-gateways/{id}", tag = "channels", request_body = GatewayIn,
    params(("id" = i64, Path, description = "Gateway id")),
    responses((status = 200, body = GatewayOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<GatewayIn>,
) -> Result<Json<GatewayOut>, ApiError> {
    let g = st.store.update_notice_gateway(id, &input.settings(&st), &caller.actor()).await?;
    Ok(Json(gateway_out(g)))
}

/// The administrators' notice texts: key (`notice-resolved`) → locale (`ru`, `kk`, `en`) → text;
/// `{number}` stands for the contact number. A missing entry is the catalogue's text.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeTextsBody {
    #[schema(value_type = Object)]
    pub texts: store::notices::NoticeTexts,
}

/// The administrators' texts of customer notices.
#[utoipa::path(get, path = "/api/v1/notice-texts", tag = "channels",
    responses((status = 200, body = NoticeTextsBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_texts(State(st): State<AppState>) -> Json<NoticeTextsBody> {
    Json(NoticeTextsBody { texts: st.notice_texts.overrides() })
}

/// Replaces the administrators' texts of customer notices (in force at once
/// for notices written from now on).
#[utoipa::path(put, path = "/api/v1/notice-texts", tag = "channels", request_body = NoticeTextsBody,
    responses((status = 200, body = NoticeTextsBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn put_texts(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<NoticeTextsBody>,
) -> Result<Json<NoticeTextsBody>, ApiError> {
    st.notice_texts.set(&st.store, input.texts, &caller.actor()).await?;
    Ok(Json(NoticeTextsBody { texts: st.notice_texts.overrides() }))
}

// ---------------------------------------------------------------- room

/// One gateway's form in the room (`id` 0: the new one).
pub struct GatewayRow {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub active: bool,
    pub auth_header_set: bool,
    /// (kind, selected)
    pub kinds: Vec<(&'static str, bool)>,
}

/// One notice's texts in the room: (locale, field name, administrator's text, the catalogue's).
pub struct TextRow {
    pub key: &'static str,
    pub cells: Vec<(&'static str, String, String, String)>,
}

#[derive(askama::Template)]
#[template(path = "gateways.html")]
struct GatewaysPage {
    chrome: crate::pages::Chrome,
    gateways: Vec<GatewayRow>,
    texts: Vec<TextRow>,
    error: Option<String>,
}

fn text_rows(st: &AppState) -> Vec<TextRow> {
    let own = st.notice_texts.overrides();
    let order_keys = domain::notice::ORDER_NOTICE_KEYS.iter().copied();
    domain::contact_work::Notice::ALL
        .iter()
        .map(|n| n.key())
        .chain(order_keys)
        .map(|key| TextRow {
            key,
            cells: Locale::ALL
                .iter()
                .map(|l| {
                    let text = own.get(key).and_then(|m| m.get(l.code())).cloned().unwrap_or_default();
                    (l.code(), format!("t.{}.{}", key, l.code()), text, st.notice_texts.default_text(*l, key))
                })
                .collect(),
        })
        .collect()
}

fn kinds(selected: &str) -> Vec<(&'static str, bool)> {
    rules::GATEWAY_KINDS.iter().map(|k| (*k, *k == selected)).collect()
}

async fn room_page(st: &AppState, caller: &crate::auth::Caller, status: StatusCode, error: Option<String>) -> Response {
    let chrome = crate::pages::chrome(st, caller, "gateways", "gateways-title");
    let list = match st.store.notice_gateways().await {
        Ok(l) => l,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let mut rows: Vec<GatewayRow> = list
        .into_iter()
        .map(|g| GatewayRow {
            id: g.id,
            kinds: kinds(&g.kind),
            auth_header_set: !g.auth_header_sealed.is_empty(),
            name: g.name,
            url: g.url,
            active: g.active,
        })
        .collect();
    rows.push(GatewayRow {
        id: 0,
        name: String::new(),
        url: String::new(),
        active: true,
        auth_header_set: false,
        kinds: kinds("sms"),
    });
    crate::pages::render(status, &GatewaysPage { chrome, gateways: rows, texts: text_rows(st), error })
}

/// `GET /admin/gateways`: every gateway as a form, and one for a new gateway.
pub async fn room(State(st): State<AppState>, caller: crate::auth::Caller) -> Response {
    room_page(&st, &caller, StatusCode::OK, None).await
}

/// A gateway form; an empty header value keeps the stored one, `active` is a checkbox.
#[derive(Deserialize)]
pub struct GatewayForm {
    kind: String,
    name: String,
    url: String,
    #[serde(default)]
    auth_header: String,
    active: Option<String>,
}

impl GatewayForm {
    fn input(self) -> GatewayIn {
        GatewayIn {
            kind: self.kind,
            name: self.name,
            url: self.url,
            auth_header: (!self.auth_header.trim().is_empty()).then_some(self.auth_header),
            active: self.active.is_some(),
        }
    }
}

async fn room_answer(
    st: &AppState,
    caller: &crate::auth::Caller,
    saved: Result<NoticeGateway, StoreError>,
) -> Response {
    let say = |key: &str| Some(st.catalog.get(caller.locale, key));
    match saved {
        Ok(g) => Redirect::to(&format!("/admin/gateways#gateway-{}", g.id)).into_response(),
        Err(StoreError::Invalid(inv)) => room_page(st, caller, StatusCode::UNPROCESSABLE_ENTITY, say(inv.code)).await,
        Err(StoreError::NotFound(_)) => room_page(st, caller, StatusCode::NOT_FOUND, say("error-not-found")).await,
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// `POST /admin/gateways`: adds a gateway.
pub async fn create_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    crate::pages::PageForm(f): crate::pages::PageForm<GatewayForm>,
) -> Response {
    let saved = st.store.create_notice_gateway(&f.input().settings(&st), &caller.actor()).await;
    room_answer(&st, &caller, saved).await
}

/// `POST /admin/gateways/{id}`: changes a gateway (an empty header value is kept).
pub async fn update_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    crate::pages::PageForm(f): crate::pages::PageForm<GatewayForm>,
) -> Response {
    let saved = st.store.update_notice_gateway(id, &f.input().settings(&st), &caller.actor()).await;
    room_answer(&st, &caller, saved).await
}

/// `POST /admin/notice-texts`: the texts form (`t.<key>.<locale>`; empty = the catalogue's).
pub async fn texts_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    crate::pages::PageForm(f): crate::pages::PageForm<std::collections::HashMap<String, String>>,
) -> Response {
    let mut texts = store::notices::NoticeTexts::new();
    for (field, value) in f {
        let Some((key, locale)) = field.strip_prefix("t.").and_then(|r| r.rsplit_once('.')) else { continue };
        if !value.trim().is_empty() {
            texts.entry(key.to_string()).or_default().insert(locale.to_string(), value.trim().to_string());
        }
    }
    match st.notice_texts.set(&st.store, texts, &caller.actor()).await {
        Ok(()) => Redirect::to("/admin/gateways#notice-texts").into_response(),
        Err(StoreError::Invalid(inv)) => {
            let say = Some(st.catalog.get(caller.locale, inv.code));
            room_page(&st, &caller, StatusCode::UNPROCESSABLE_ENTITY, say).await
        }
        Err(e) => ApiError::internal(e).into_response(),
    }
}
