//! The web chat's server side (the protocol is `docs/CHAT.md`): the widget
//! script, the public JSON routes under `/chat/api/` (CORS for any origin,
//! no cookies, the session token is the credential, so the guard asks no
//! CSRF token: [`crate::routes::TOKEN_ROUTES`]) and the visitor's WebSocket
//! `/chat/ws`.
//!
//! Every message is stored before it is announced. A [`ChatHub`] keeps one
//! broadcast channel per open session, fed by the append path; a socket
//! subscribes *before* it replays `seq > after` from the store and then
//! drops hub frames it has already sent (by `seq`), so nothing falls between
//! replay and live and nothing is sent twice.
//!
//! Queue position and wait come from [`crate::dispatch::Dispatcher::position`]
//! (position × the queue's expected handling time ÷ operators staffing it);
//! each socket re-checks them when routing announces a change of its queue
//! or contact, and every few seconds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::contact::{Channel, Status};
use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::{json, Value};
use store::chat::{ChatMessage, ChatSession, NewChat, NewChatMessage, Sender};
use tokio::sync::broadcast;

use crate::auth::{random_token, token_hash, Caller};
use crate::live::LiveEvent;
use crate::AppState;

/// Chats a single address may start in [`START_WINDOW_MS`].
pub const MAX_STARTS: i64 = 20;
pub const START_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Offline messages a single address may leave in [`OFFLINE_WINDOW_MS`].
pub const MAX_OFFLINE: i64 = 5;
pub const OFFLINE_WINDOW_MS: i64 = 60 * 60 * 1000;
/// Audit actions counted by the rate limits.
pub const CHAT_STARTED: &str = "chat.started";
pub const CHAT_OFFLINE: &str = "chat.offline_message";
/// How often an open socket re-checks the queue position anyway.
const RECHECK_EVERY: Duration = Duration::from_secs(3);

// ---------------------------------------------------------------- the hub

/// A frame for the sockets of one session; `seq` for messages (dedupe).
#[derive(Debug, Clone)]
pub struct Frame {
    pub seq: Option<i64>,
    pub json: Arc<str>,
}

/// One broadcast channel per session with an open socket.
#[derive(Default)]
pub struct ChatHub {
    sessions: Mutex<HashMap<i64, broadcast::Sender<Frame>>>,
}

impl ChatHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, broadcast::Sender<Frame>>> {
        match self.sessions.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    pub fn subscribe(&self, session: i64) -> broadcast::Receiver<Frame> {
        self.lock().entry(session).or_insert_with(|| broadcast::channel(256).0).subscribe()
    }

    /// Sends a frame to the session's open sockets (none is fine).
    pub fn send(&self, session: i64, frame: Frame) {
        let mut map = self.lock();
        if let Some(tx) = map.get(&session) {
            if tx.send(frame).is_err() {
                map.remove(&session);
            }
        }
    }

    /// Whether the visitor has a socket open on this session now.
    pub fn online(&self, session: i64) -> bool {
        self.lock().get(&session).is_some_and(|tx| tx.receiver_count() > 0)
    }

    fn forget_if_unused(&self, session: i64) {
        let mut map = self.lock();
        if map.get(&session).is_some_and(|tx| tx.receiver_count() == 0) {
            map.remove(&session);
        }
    }
}

/// The `msg` frame of a stored message.
pub fn msg_frame(m: &ChatMessage) -> Value {
    let mut v = json!({"t": "msg", "seq": m.seq, "from": m.from.as_str(), "name": m.name, "text": m.text,
        "at": m.created_at});
    if let Some(f) = &m.file {
        v["file"] = json!({"id": f.id, "name": f.name, "size": f.size, "type": f.content_type});
    }
    if let Some(cid) = &m.cid {
        v["cid"] = json!(cid);
    }
    v
}

fn frame(v: &Value, seq: Option<i64>) -> Frame {
    Frame { seq, json: Arc::from(v.to_string()) }
}

/// Announces a stored message: to the session's sockets and, for visitor
/// messages, to the contact's operator's desk.
pub async fn announce(st: &AppState, session: &ChatSession, m: &ChatMessage) {
    st.chat.send(session.id, frame(&msg_frame(m), Some(m.seq)));
    if let Ok(Some(c)) = st.store.contact(session.contact_id).await {
        if let Some(op) = c.operator_id {
            st.live.publish(LiveEvent::ChatMessage { contact: c.id, operator: op, seq: m.seq });
        }
    }
}

/// Tells the visitor the operator is (not) typing.
pub fn operator_typing(st: &AppState, session: i64, on: bool) {
    st.chat.send(session, frame(&json!({"t": "typing", "on": on}), None));
}

/// Tells the visitor the chat is over (the operator resolved or closed it).
pub fn ended(st: &AppState, session: i64) {
    st.chat.send(session, frame(&json!({"t": "ended"}), None));
}

/// Stores an operator's message and announces it.
pub async fn send_operator_message(
    st: &AppState,
    session: &ChatSession,
    user_id: i64,
    text: &str,
) -> store::Result<ChatMessage> {
    let m = NewChatMessage { from: Sender::Operator, author_id: Some(user_id), text, file: None, cid: None };
    let (stored, _) = st.store.append_chat_message(session.id, &m).await?;
    announce(st, session, &stored).await;
    Ok(stored)
}

// ---------------------------------------------------------------- customer notices

/// Customer notices in the chat itself (via `chat`), while the visitor is
/// online: a system message in the conversation, stored with its seq like
/// every message, so a reconnect replays it. Offline visitors fall back to
/// e-mail or SMS (`domain::notice::route`).
pub struct ChatNoticeSender;

impl crate::notices::NoticeSender for ChatNoticeSender {
    fn via(&self) -> &'static str {
        "chat"
    }

    fn available<'a>(&'a self, st: &'a AppState, n: &'a store::notices::DueNotice) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            match st.store.chat_session_of_contact(n.contact_id).await {
                Ok(Some(session)) => session.ended_at.is_none() && st.chat.online(session.id),
                _ => false,
            }
        })
    }

    fn send<'a>(
        &'a self,
        st: &'a AppState,
        out: &'a crate::notices::Outgoing<'a>,
    ) -> BoxFuture<'a, Result<(), crate::notices::SendError>> {
        use crate::notices::SendError;
        Box::pin(async move {
            let session = match st.store.chat_session_of_contact(out.notice.contact_id).await {
                Ok(Some(s)) if s.ended_at.is_none() => s,
                Ok(_) => return Err(SendError::Temporary("the chat is over".into())),
                Err(e) => return Err(SendError::Temporary(e.to_string())),
            };
            let m = NewChatMessage { from: Sender::System, author_id: None, text: &out.text, file: None, cid: None };
            let (stored, _) =
                st.store.append_chat_message(session.id, &m).await.map_err(|e| SendError::Temporary(e.to_string()))?;
            announce(st, &session, &stored).await;
            Ok(())
        })
    }
}

// ---------------------------------------------------------------- errors

/// `{"error": code, "message": text, "fields": {name: reason}}` with a 4xx status.
pub struct ChatError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Vec<(&'static str, &'static str)>,
}

impl ChatError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ChatError {
        ChatError { status, code, message: message.into(), fields: Vec::new() }
    }

    fn invalid(fields: Vec<(&'static str, &'static str)>) -> ChatError {
        ChatError { fields, ..ChatError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "the form has errors") }
    }

    fn unknown_session() -> ChatError {
        ChatError {
            fields: vec![("session", "unknown-session")],
            ..ChatError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown-session", "no such chat session")
        }
    }

    fn internal(e: impl std::fmt::Display) -> ChatError {
        tracing::error!("chat: {e}");
        ChatError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; it has been logged")
    }
}

impl From<store::StoreError> for ChatError {
    fn from(e: store::StoreError) -> ChatError {
        match e {
            store::StoreError::Invalid(inv) => ChatError::invalid(vec![(inv.field, inv.code)]),
            store::StoreError::NotFound(what) => ChatError::new(StatusCode::NOT_FOUND, "not-found", what),
            other => ChatError::internal(other),
        }
    }
}

impl IntoResponse for ChatError {
    fn into_response(self) -> Response {
        let fields: serde_json::Map<String, Value> =
            self.fields.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
        (self.status, axum::Json(json!({"error": self.code, "message": self.message, "fields": fields})))
            .into_response()
    }
}

type ChatResult<T = Response> = Result<T, ChatError>;

fn parse_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> ChatResult<T> {
    serde_json::from_slice(body).map_err(|e| ChatError::new(StatusCode::BAD_REQUEST, "bad-body", e.to_string()))
}

// ---------------------------------------------------------------- CORS

/// CORS for `/chat/api/*`: any origin, no credentials; answers preflights.
pub async fn cors(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/chat/api/") {
        return next.run(req).await;
    }
    let mut resp =
        if req.method() == Method::OPTIONS { StatusCode::NO_CONTENT.into_response() } else { next.run(req).await };
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    resp
}

// ---------------------------------------------------------------- HTTP

/// `GET /chat/widget.js`.
pub async fn widget() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        include_str!("../static/chat/widget.js"),
    )
        .into_response()
}

/// The queue named by `code`, or the first queue when `code` is empty.
async fn queue_by_code(st: &AppState, code: &str) -> ChatResult<store::Queue> {
    let queues = st.store.list_queues().await?;
    let code = code.trim();
    let found = if code.is_empty() { queues.into_iter().next() } else { queues.into_iter().find(|q| q.code == code) };
    found.ok_or_else(|| ChatError::invalid(vec![("queue", "unknown-queue")]))
}

#[derive(Deserialize)]
pub struct StatusQuery {
    #[serde(default)]
    queue: String,
}

/// `GET /chat/api/status?queue=CODE`.
pub async fn status(State(st): State<AppState>, Query(q): Query<StatusQuery>) -> ChatResult {
    let queue = queue_by_code(&st, &q.queue).await?;
    let online = st.dispatch.can_take(queue.id, Channel::Chat).await;
    Ok(axum::Json(json!({"online": online, "queue": queue.code})).into_response())
}

#[derive(Deserialize)]
struct StartBody {
    #[serde(default)]
    queue: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    page_url: Option<String>,
    #[serde(default)]
    consent: bool,
}

fn locale_of(s: Option<&str>) -> &'static str {
    i18n::Locale::or_default(s.unwrap_or_default()).code()
}

async fn rate_limited(st: &AppState, action: &str, ip: &str, window: i64, max: i64) -> ChatResult<()> {
    let n = st.store.recent_actions_from(action, ip, store::now_ms() - window).await?;
    if n >= max {
        return Err(ChatError::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", "too many requests; try later"));
    }
    Ok(())
}

/// A topic: an active topic's code goes on the contact; any other text into the subject.
async fn topic_and_subject(st: &AppState, topic: &str, text: &str) -> ChatResult<(String, String)> {
    let topic = topic.trim();
    let mut code = String::new();
    let mut subject = String::new();
    if !topic.is_empty() {
        match st.store.topic_by_code(topic).await? {
            Some(t) if t.active => code = t.code,
            _ => subject = topic.chars().take(120).collect(),
        }
    }
    if subject.is_empty() {
        subject = text.chars().take(120).collect();
    } else if !text.is_empty() {
        subject = format!("{subject}: {}", text.chars().take(100).collect::<String>());
    }
    Ok((code, subject))
}

/// `POST /chat/api/start`: the pre-chat form.
pub async fn start(State(st): State<AppState>, caller: Caller, body: Bytes) -> ChatResult {
    let b: StartBody = parse_body(&body)?;
    let form = domain::chat::Form {
        name: &b.name,
        email: b.email.as_deref().unwrap_or_default(),
        phone: b.phone.as_deref().unwrap_or_default(),
        text: b.text.as_deref().unwrap_or_default(),
        consent: b.consent,
        offline: false,
    };
    let checked = domain::chat::check_form(&form).map_err(ChatError::invalid)?;
    let queue = queue_by_code(&st, &b.queue).await?;
    rate_limited(&st, CHAT_STARTED, &caller.ip, START_WINDOW_MS, MAX_STARTS).await?;
    let (topic, subject) = topic_and_subject(&st, b.topic.as_deref().unwrap_or_default(), &checked.text).await?;
    let token = random_token();
    let new = NewChat {
        token_hash: token_hash(&token),
        queue_id: queue.id,
        name: checked.name,
        identities: checked.identities,
        topic,
        subject,
        text: (!checked.text.is_empty()).then_some(checked.text),
        locale: locale_of(b.locale.as_deref()).to_string(),
        page_url: b.page_url.unwrap_or_default().chars().take(1000).collect(),
    };
    let started = st.store.start_chat(&new).await?;
    st.dispatch.route_registered(&st.store, &started.contact, queue.id).await;
    let actor = store::AuditActor { user_id: None, login: "chat".into(), ip: Some(caller.ip.clone()) };
    st.store.audit(&actor, CHAT_STARTED, &format!("contact:{}", started.contact.id), "").await?;
    let id = started.contact.id;
    Ok((StatusCode::CREATED, axum::Json(json!({"session": token, "contact": id, "number": id}))).into_response())
}

async fn session_of(st: &AppState, token: &str) -> ChatResult<ChatSession> {
    if token.is_empty() {
        return Err(ChatError::unknown_session());
    }
    st.store.chat_session_by_token(&token_hash(token)).await?.ok_or_else(ChatError::unknown_session)
}

/// `POST /chat/api/upload`: multipart `session`, `cid`, `file`.
pub async fn upload(State(st): State<AppState>, req: Request) -> ChatResult {
    let limit = crate::routes::body_limit("/chat/api/upload", st.config.body_limit);
    let (fields, files) = crate::cti::read_fields(req, limit).await.map_err(|e| {
        if e.status == StatusCode::PAYLOAD_TOO_LARGE {
            ChatError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "the file is larger than 5 MiB")
        } else {
            ChatError::new(StatusCode::BAD_REQUEST, "bad-body", e.message)
        }
    })?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let session = session_of(&st, &get("session")).await?;
    let cid = get("cid");
    if !cid.is_empty() && !domain::chat::check_cid(&cid) {
        return Err(ChatError::invalid(vec![("cid", "invalid")]));
    }
    let Some((name, ct, bytes)) = files.into_iter().find(|(n, _, _)| !n.is_empty()) else {
        return Err(ChatError::invalid(vec![("file", "required")]));
    };
    let ct = match domain::chat::check_file(&ct, bytes.len()) {
        Ok(t) => t,
        Err(domain::chat::FileRefusal::TooLarge) => {
            return Err(ChatError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "the file is larger than 5 MiB"))
        }
        Err(domain::chat::FileRefusal::WrongType) => {
            return Err(ChatError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "wrong-type",
                "only PNG, JPEG, GIF, PDF and plain text files",
            ))
        }
        Err(domain::chat::FileRefusal::Empty) => return Err(ChatError::invalid(vec![("file", "empty")])),
    };
    if session.ended_at.is_some() {
        return Err(ChatError::new(StatusCode::CONFLICT, "ended", "the chat is over"));
    }
    let m = NewChatMessage {
        from: Sender::Visitor,
        author_id: None,
        text: "",
        file: Some((&name, ct, &bytes)),
        cid: (!cid.is_empty()).then_some(cid.as_str()),
    };
    let (stored, created) = st.store.append_chat_message(session.id, &m).await?;
    if created {
        announce(&st, &session, &stored).await;
    }
    Ok((StatusCode::CREATED, axum::Json(json!({"seq": stored.seq}))).into_response())
}

#[derive(Deserialize)]
pub struct SessionQuery {
    #[serde(default)]
    session: String,
}

/// `GET /chat/api/file/{id}?session=TOKEN`: a file of that session only.
pub async fn file(State(st): State<AppState>, Path(id): Path<i64>, Query(q): Query<SessionQuery>) -> ChatResult {
    let session = session_of(&st, &q.session).await?;
    let a = st
        .store
        .chat_file(session.id, id)
        .await?
        .ok_or_else(|| ChatError::new(StatusCode::NOT_FOUND, "not-found", "no such file in this chat"))?;
    let mut resp = crate::work_api::download_response(a);
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    Ok(resp)
}

// ---------------------------------------------------------------- WebSocket

#[derive(Deserialize)]
pub struct WsQuery {
    #[serde(default)]
    session: String,
    #[serde(default)]
    after: i64,
}

/// `GET /chat/ws?session=TOKEN&after=SEQ`.
pub async fn ws(State(st): State<AppState>, Query(q): Query<WsQuery>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.max_message_size(64 * 1024).on_upgrade(move |socket| async move {
        if let Err(e) = run_socket(st, socket, q).await {
            tracing::debug!("chat socket ended: {e}");
        }
    })
}

/// What the socket told the widget about the queue and the operator.
#[derive(Default)]
struct Shown {
    last_seq: i64,
    queue: Option<(usize, i64)>,
    operator: Option<i64>,
    ended: bool,
}

async fn send(socket: &mut WebSocket, v: &Value) -> Result<(), axum::Error> {
    socket.send(Message::Text(v.to_string().into())).await
}

async fn operator_name(st: &AppState, id: Option<i64>) -> Option<String> {
    match id {
        Some(id) => st.store.user_by_id(id).await.ok().flatten().map(|u| u.name),
        None => None,
    }
}

/// The queue frame for the contact now, if it waits (an offered contact is next: position 1).
async fn queue_now(st: &AppState, c: &store::Contact) -> Option<(usize, i64)> {
    match c.status {
        Status::Queued | Status::New => {
            st.dispatch.position(c.id).await.map(|p| (p.position, p.estimated_wait_ms / 1000))
        }
        Status::Offered => Some((1, 0)),
        _ => None,
    }
}

/// Sends what changed in the contact since the last check: queue position,
/// the operator who accepted it, the end.
async fn refresh(st: &AppState, socket: &mut WebSocket, s: &ChatSession, shown: &mut Shown) -> anyhow::Result<()> {
    let Some(c) = st.store.contact(s.contact_id).await? else { return Ok(()) };
    let q = queue_now(st, &c).await;
    if q.is_some() && q != shown.queue {
        let (position, ewt) = q.unwrap_or_default();
        send(socket, &json!({"t": "queue", "position": position, "ewt_s": ewt})).await?;
    }
    shown.queue = q;
    let holding = matches!(c.status, Status::InWork | Status::WaitingCustomer | Status::WaitingDepartment);
    if holding && c.operator_id.is_some() && c.operator_id != shown.operator {
        shown.operator = c.operator_id;
        let name = operator_name(st, c.operator_id).await.unwrap_or_default();
        send(socket, &json!({"t": "assigned", "operator": name})).await?;
    }
    if matches!(c.status, Status::Resolved | Status::Closed) && !shown.ended {
        shown.ended = true;
        send(socket, &json!({"t": "ended"})).await?;
    }
    Ok(())
}

async fn replay(st: &AppState, socket: &mut WebSocket, s: &ChatSession, shown: &mut Shown) -> anyhow::Result<()> {
    for m in st.store.chat_messages(s.id, shown.last_seq).await? {
        send(socket, &msg_frame(&m)).await?;
        shown.last_seq = shown.last_seq.max(m.seq);
    }
    Ok(())
}

#[derive(Deserialize)]
struct Incoming {
    t: String,
    #[serde(default)]
    cid: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    on: bool,
}

async fn run_socket(st: AppState, mut socket: WebSocket, q: WsQuery) -> anyhow::Result<()> {
    let session = match session_of(&st, &q.session).await {
        Ok(s) => s,
        Err(_) => {
            send(&mut socket, &json!({"t": "error", "code": "unknown-session"})).await?;
            let _ = socket.send(Message::Close(None)).await;
            return Ok(());
        }
    };
    // Subscribe first: whatever is stored from now on reaches this socket.
    let mut hub = st.chat.subscribe(session.id);
    let mut live = st.live.subscribe();
    let result = serve_socket(&st, &mut socket, &session, &mut hub, &mut live, q.after.max(0)).await;
    drop(hub);
    st.chat.forget_if_unused(session.id);
    result
}

async fn serve_socket(
    st: &AppState,
    socket: &mut WebSocket,
    session: &ChatSession,
    hub: &mut broadcast::Receiver<Frame>,
    live: &mut broadcast::Receiver<LiveEvent>,
    after: i64,
) -> anyhow::Result<()> {
    let contact = st.store.contact(session.contact_id).await?;
    let (status, operator) = match &contact {
        Some(c) => (c.status.as_str(), c.operator_id),
        None => ("closed", None),
    };
    let mut shown = Shown { last_seq: after, ..Shown::default() };
    let mut hello = json!({"t": "hello", "contact": session.contact_id, "number": session.contact_id,
        "status": status});
    let holding = matches!(status, "in_work" | "waiting_customer" | "waiting_department" | "resolved" | "closed");
    if holding {
        if let Some(name) = operator_name(st, operator).await {
            hello["operator"] = json!(name);
            shown.operator = operator;
        }
    }
    shown.ended = matches!(status, "resolved" | "closed");
    send(socket, &hello).await?;
    replay(st, socket, session, &mut shown).await?;
    // Ended by the visitor earlier (the contact may still be in wrap-up).
    let ended_before = st.store.chat_session(session.id).await?.is_some_and(|s| s.ended_at.is_some());
    if ended_before && !shown.ended {
        shown.ended = true;
        send(socket, &json!({"t": "ended"})).await?;
    }
    refresh(st, socket, session, &mut shown).await?;
    let mut tick = tokio::time::interval(RECHECK_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { return Ok(()) };
                match msg {
                    Message::Text(t) => handle_frame(st, socket, session, &mut shown, t.as_str()).await?,
                    Message::Close(_) => return Ok(()),
                    _ => {}
                }
            }
            got = hub.recv() => match got {
                Ok(f) => {
                    if let Some(seq) = f.seq {
                        if seq <= shown.last_seq {
                            continue;
                        }
                        shown.last_seq = seq;
                    }
                    if f.json.contains(r#""t":"ended""#) {
                        if shown.ended {
                            continue;
                        }
                        shown.ended = true;
                    }
                    socket.send(Message::Text(f.json.to_string().into())).await?;
                }
                Err(broadcast::error::RecvError::Lagged(_)) => replay(st, socket, session, &mut shown).await?,
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
            got = live.recv() => match got {
                Ok(LiveEvent::QueueChanged { queue }) if queue == session.queue_id => {
                    refresh(st, socket, session, &mut shown).await?
                }
                Ok(LiveEvent::ContactChanged { contact, .. } | LiveEvent::Offered { contact, .. })
                    if contact == session.contact_id =>
                {
                    refresh(st, socket, session, &mut shown).await?
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => refresh(st, socket, session, &mut shown).await?,
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
            _ = tick.tick() => refresh(st, socket, session, &mut shown).await?,
        }
    }
}

async fn handle_frame(
    st: &AppState,
    socket: &mut WebSocket,
    session: &ChatSession,
    shown: &mut Shown,
    text: &str,
) -> anyhow::Result<()> {
    let Ok(f) = serde_json::from_str::<Incoming>(text) else {
        send(socket, &json!({"t": "error", "code": "bad-frame"})).await?;
        return Ok(());
    };
    match f.t.as_str() {
        "ping" => send(socket, &json!({"t": "pong"})).await?,
        "msg" => {
            let cid = f.cid.unwrap_or_default();
            if !domain::chat::check_cid(&cid) {
                send(socket, &json!({"t": "error", "code": "bad-cid"})).await?;
                return Ok(());
            }
            let Ok(text) = domain::chat::check_text(f.text.as_deref().unwrap_or_default()) else {
                send(socket, &json!({"t": "error", "code": "bad-text", "cid": cid})).await?;
                return Ok(());
            };
            let fresh = st.store.chat_session(session.id).await?;
            if fresh.is_some_and(|s| s.ended_at.is_some()) {
                send(socket, &json!({"t": "error", "code": "ended", "cid": cid})).await?;
                return Ok(());
            }
            let m = NewChatMessage { from: Sender::Visitor, author_id: None, text, file: None, cid: Some(&cid) };
            let (stored, created) = st.store.append_chat_message(session.id, &m).await?;
            if created {
                announce(st, session, &stored).await;
            } else {
                // A resend: answer with the stored message, even if already shown.
                send(socket, &msg_frame(&stored)).await?;
                shown.last_seq = shown.last_seq.max(stored.seq);
            }
        }
        "typing" => {
            if let Ok(Some(c)) = st.store.contact(session.contact_id).await {
                if let Some(op) = c.operator_id {
                    st.live.publish(LiveEvent::ChatTyping { contact: c.id, operator: op, on: f.on });
                }
            }
        }
        "end" => {
            let locale = i18n::Locale::or_default(&session.locale);
            let text = st.catalog.get(locale, "chat-ended-by-visitor");
            if let Some(m) = st.store.end_chat(session.id, &text).await? {
                announce(st, session, &m).await;
            }
            ended(st, session.id);
            if let Ok(Some(c)) = st.store.contact(session.contact_id).await {
                st.live.publish(LiveEvent::ContactChanged { contact: c.id, operator: c.operator_id });
            }
        }
        _ => send(socket, &json!({"t": "error", "code": "unknown-frame"})).await?,
    }
    Ok(())
}

// ---------------------------------------------------------------- offline and transcript

/// The mailbox that answers for a queue: an active one of that queue, else the first active one.
async fn mailbox_for(st: &AppState, queue_id: i64) -> ChatResult<Option<store::mail::Mailbox>> {
    let active: Vec<_> = st.store.mailboxes().await?.into_iter().filter(|m| m.active).collect();
    let own = active.iter().find(|m| m.queue_id == queue_id).cloned();
    Ok(own.or_else(|| active.into_iter().next()))
}

/// `POST /chat/api/offline`: nobody can take a chat; the message becomes an
/// email contact answered by e-mail.
pub async fn offline(State(st): State<AppState>, caller: Caller, body: Bytes) -> ChatResult {
    let b: StartBody = parse_body(&body)?;
    let email = b.email.as_deref().unwrap_or_default();
    let form = domain::chat::Form {
        name: &b.name,
        email,
        phone: b.phone.as_deref().unwrap_or_default(),
        text: b.text.as_deref().unwrap_or_default(),
        consent: b.consent,
        offline: true,
    };
    let checked = domain::chat::check_form(&form).map_err(ChatError::invalid)?;
    let queue = queue_by_code(&st, &b.queue).await?;
    rate_limited(&st, CHAT_OFFLINE, &caller.ip, OFFLINE_WINDOW_MS, MAX_OFFLINE).await?;
    let (topic, subject) = topic_and_subject(&st, b.topic.as_deref().unwrap_or_default(), &checked.text).await?;
    let visitor = checked
        .identities
        .iter()
        .find(|i| i.kind == domain::customer::IdentityKind::Email)
        .map(|i| i.value.clone())
        .unwrap_or_default();
    let mailbox = mailbox_for(&st, queue.id).await?;
    let domain_part = mailbox.as_ref().map_or("switchboard.invalid", |m| mail::outgoing::domain_of(&m.address));
    let letter = store::chat::Letter {
        mailbox_id: mailbox.as_ref().map_or(0, |m| m.id),
        message_id: format!("chat.{:x}@{domain_part}", rand::random::<u64>()),
        from_address: visitor,
        to_address: mailbox.as_ref().map(|m| m.address.clone()).unwrap_or_default(),
        subject,
        body: checked.text,
    };
    let m = store::chat::OfflineMessage {
        queue_id: queue.id,
        name: checked.name,
        identities: checked.identities,
        topic,
        locale: locale_of(b.locale.as_deref()).to_string(),
        letter,
    };
    let contact = st.store.offline_chat_message(&m).await?;
    st.dispatch.route_registered(&st.store, &contact, queue.id).await;
    let actor = store::AuditActor { user_id: None, login: "chat".into(), ip: Some(caller.ip.clone()) };
    st.store.audit(&actor, CHAT_OFFLINE, &format!("contact:{}", contact.id), "").await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"number": contact.id}))).into_response())
}

#[derive(Deserialize)]
struct TranscriptBody {
    #[serde(default)]
    session: String,
    #[serde(default)]
    email: Option<String>,
}

/// `POST /chat/api/transcript`: e-mails the whole conversation as plain
/// text through the SMTP of the mailbox serving the chat's queue (else the
/// first active one) and records the letter on the contact.
pub async fn transcript(State(st): State<AppState>, body: Bytes) -> ChatResult {
    let b: TranscriptBody = parse_body(&body)?;
    let session = session_of(&st, &b.session).await?;
    let given = b.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let to = match given.unwrap_or(&session.visitor_email) {
        "" => return Err(ChatError::invalid(vec![("email", "required")])),
        raw => {
            domain::customer::Identity::new(domain::customer::IdentityKind::Email, raw)
                .map_err(|_| ChatError::invalid(vec![("email", "invalid")]))?
                .value
        }
    };
    let Some(mailbox) = mailbox_for(&st, session.queue_id).await? else {
        return Err(ChatError::new(StatusCode::CONFLICT, "no-mailbox", "no mailbox can send the transcript"));
    };
    let messages = st.store.chat_messages(session.id, 0).await?;
    let lines: Vec<domain::chat::Line<'_>> = messages
        .iter()
        .map(|m| domain::chat::Line {
            at_ms: m.created_at,
            name: &m.name,
            text: &m.text,
            file: m.file.as_ref().map(|f| f.name.as_str()),
        })
        .collect();
    let (subject, text) =
        domain::chat::transcript(&session.locale, session.contact_id, &lines, domain::time::UtcOffset::ALMATY);
    let nonce = rand::random::<u64>();
    let letter = store::chat::Letter {
        mailbox_id: mailbox.id,
        message_id: mail::outgoing::message_id(
            session.contact_id,
            0,
            nonce,
            mail::outgoing::domain_of(&mailbox.address),
        ),
        from_address: mailbox.address.clone(),
        to_address: to,
        subject,
        body: text,
    };
    let record = store::mail::EmailRecord {
        id: 0,
        mailbox_id: mailbox.id,
        contact_id: Some(session.contact_id),
        reply_id: None,
        direction: "out".into(),
        message_id: letter.message_id.clone(),
        in_reply_to: String::new(),
        references: Vec::new(),
        from_address: letter.from_address.clone(),
        to_address: letter.to_address.clone(),
        subject: letter.subject.clone(),
        body_text: letter.body.clone(),
        body_html: None,
        disposition: "sending".into(),
        detail: String::new(),
        created_at: store::now_ms(),
    };
    match crate::mail_channel::send_letter(&st, &mailbox, &record).await {
        Ok(()) => {
            st.store.record_chat_transcript(session.id, &letter, true, "").await?;
            Ok((StatusCode::ACCEPTED, axum::Json(json!({}))).into_response())
        }
        Err(why) => {
            st.store.record_chat_transcript(session.id, &letter, false, &why).await?;
            Err(ChatError::new(StatusCode::BAD_GATEWAY, "send-failed", "the mail server refused the transcript"))
        }
    }
}

/// `GET /static/chat-desk.js`: the contact window's live chat.
pub async fn desk_script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../static/chat-desk.js")).into_response()
}

#[derive(Deserialize)]
pub struct DemoQuery {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    queue: String,
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `GET /chat/demo?lang=&queue=`: a shop page with the widget embedded by
/// its one tag, to try the chat in `switchboard demo`.
pub async fn demo(State(st): State<AppState>, caller: Caller, Query(q): Query<DemoQuery>) -> Response {
    let locale = i18n::Locale::parse(&q.lang).unwrap_or(caller.locale);
    let queue = if q.queue.is_empty() { "support".to_string() } else { q.queue.clone() };
    let t = |k: &str| html_escape(&st.catalog.get(locale, k));
    let page = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>\
         <body style=\"font-family: sans-serif; max-width: 40rem; margin: 2rem auto\"><h1>{title}</h1><p>{text}</p>\
         <pre>&lt;script src=\"/chat/widget.js\" data-queue=\"{queue}\" data-lang=\"{lang}\" async&gt;&lt;/script&gt;</pre>\
         <script src=\"/chat/widget.js\" data-queue=\"{queue}\" data-lang=\"{lang}\" async></script></body></html>",
        lang = locale.code(),
        title = t("chat-demo-title"),
        text = t("chat-demo-text"),
        queue = html_escape(&queue),
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}
