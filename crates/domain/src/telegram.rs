//! The Telegram bot channel's rules, no I/O: what an incoming Update (the
//! Bot API's JSON, read leniently: unknown fields are ignored) means for us,
//! who its sender is as a customer identity, which language they speak, and
//! the shape and length limit of the `sendMessage` requests we make.
//!
//! Only private chats are served: a bot added to a group or a channel
//! ignores what it hears there.

use serde::{Deserialize, Serialize};

use crate::customer::{Identity, IdentityKind};

/// The most characters Telegram accepts in one message's text.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// The largest file a bot downloads (the contact attachment limit, 10 MiB).
pub const MAX_FILE_BYTES: usize = crate::contact_work::MAX_ATTACHMENT_BYTES;

/// One Update as Telegram posts it to the webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Update {
    pub update_id: i64,
    #[serde(default)]
    pub message: Option<Message>,
    #[serde(default)]
    pub edited_message: Option<serde_json::Value>,
    #[serde(default)]
    pub channel_post: Option<serde_json::Value>,
    #[serde(default)]
    pub callback_query: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Message {
    pub message_id: i64,
    #[serde(default)]
    pub from: Option<User>,
    pub chat: Chat,
    #[serde(default)]
    pub date: i64,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub photo: Vec<PhotoSize>,
    #[serde(default)]
    pub document: Option<Document>,
    #[serde(default)]
    pub contact: Option<SharedContact>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct User {
    pub id: i64,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub language_code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Chat {
    pub id: i64,
    /// `private`, `group`, `supergroup` or `channel`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PhotoSize {
    pub file_id: String,
    #[serde(default)]
    pub width: i64,
    #[serde(default)]
    pub height: i64,
    #[serde(default)]
    pub file_size: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Document {
    pub file_id: String,
    #[serde(default)]
    pub file_name: Option<String>,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub file_size: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SharedContact {
    pub phone_number: String,
    #[serde(default)]
    pub user_id: Option<i64>,
}

/// Reads an Update; anything that is not one is an error with serde's words.
pub fn parse_update(body: &[u8]) -> Result<Update, String> {
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

/// A file a message carries, to fetch with `getFile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub file_id: String,
    pub file_name: String,
    pub mime_type: String,
    /// What Telegram says the size is (checked against [`MAX_FILE_BYTES`] before downloading).
    pub size: Option<i64>,
}

/// Who wrote, as the channel knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub user_id: i64,
    pub chat_id: i64,
    /// First and last name joined; the username when both are empty.
    pub name: String,
    pub locale: &'static str,
}

/// What an Update means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meaning {
    /// `/start` (with or without a deep-link payload): greet the user.
    Start(Sender),
    /// A message for the contact centre: text, a file, a shared phone, or several.
    Message { sender: Sender, message_id: i64, text: String, file: Option<FileRef>, phone: Option<String> },
    /// Nothing for us: edits, button presses, groups, channels, bots, empty messages.
    Ignore(&'static str),
}

/// The customer's locale from Telegram's `language_code` (`kk`, `en`, else `ru`).
pub fn locale_of(language_code: Option<&str>) -> &'static str {
    let code = language_code.unwrap_or("").trim().to_ascii_lowercase();
    match code.split(['-', '_']).next().unwrap_or("") {
        "kk" => "kk",
        "en" => "en",
        _ => "ru",
    }
}

/// The identity value of a Telegram user: `tg:<user id>`.
pub fn identity_value(user_id: i64) -> String {
    format!("tg:{user_id}")
}

/// The customer identity of a Telegram user (kind chat).
pub fn identity(user_id: i64) -> Identity {
    Identity { kind: IdentityKind::Chat, value: identity_value(user_id) }
}

fn display_name(u: &User) -> String {
    let full = [Some(u.first_name.as_str()), u.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let name = if full.is_empty() { u.username.clone().unwrap_or_default() } else { full };
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    if name.trim().is_empty() {
        format!("Telegram {}", u.id)
    } else {
        name.trim().to_string()
    }
}

/// Decides what an Update means (see [`Meaning`]).
pub fn classify(u: &Update) -> Meaning {
    if u.edited_message.is_some() {
        return Meaning::Ignore("edited-message");
    }
    if u.callback_query.is_some() {
        return Meaning::Ignore("callback-query");
    }
    let Some(m) = &u.message else { return Meaning::Ignore("not-a-message") };
    if m.chat.kind != "private" {
        return Meaning::Ignore("not-a-private-chat");
    }
    let Some(from) = &m.from else { return Meaning::Ignore("no-sender") };
    if from.is_bot {
        return Meaning::Ignore("from-a-bot");
    }
    let sender = Sender {
        user_id: from.id,
        chat_id: m.chat.id,
        name: display_name(from),
        locale: locale_of(from.language_code.as_deref()),
    };
    let text = m.text.clone().or_else(|| m.caption.clone()).unwrap_or_default();
    if is_start(&text) {
        return Meaning::Start(sender);
    }
    // The largest photo size Telegram offers, else the document.
    let photo = m.photo.iter().max_by_key(|p| (p.width * p.height, p.file_size.unwrap_or(0))).map(|p| FileRef {
        file_id: p.file_id.clone(),
        file_name: format!("photo-{}.jpg", m.message_id),
        mime_type: "image/jpeg".into(),
        size: p.file_size,
    });
    let file = photo.or_else(|| {
        m.document.as_ref().map(|d| FileRef {
            file_id: d.file_id.clone(),
            file_name: d
                .file_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| format!("file-{}", m.message_id)),
            mime_type: d.mime_type.clone().unwrap_or_else(|| "application/octet-stream".into()),
            size: d.file_size,
        })
    });
    // A shared phone counts only when it is the sender's own.
    let phone = m
        .contact
        .as_ref()
        .filter(|c| c.user_id.is_none_or(|id| id == from.id))
        .map(|c| c.phone_number.clone())
        .filter(|p| !p.trim().is_empty());
    if text.trim().is_empty() && file.is_none() && phone.is_none() {
        return Meaning::Ignore("empty-message");
    }
    Meaning::Message { sender, message_id: m.message_id, text, file, phone }
}

/// `/start`, `/start payload`, `/start@SomeBot`.
fn is_start(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    first == "/start" || first.starts_with("/start@")
}

/// Splits a reply into pieces of at most [`MAX_MESSAGE_CHARS`] characters,
/// at a paragraph, line or word break when one is near the limit.
pub fn split_text(text: &str) -> Vec<String> {
    split_at(text, MAX_MESSAGE_CHARS)
}

fn split_at(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while rest.chars().count() > max {
        // Byte offset of the first character past the limit.
        let limit = rest.char_indices().nth(max).map(|(i, _)| i).unwrap_or(rest.len());
        let window = &rest[..limit];
        let floor = window.char_indices().nth(max / 2).map(|(i, _)| i).unwrap_or(0);
        let cut = ["\n\n", "\n", " "]
            .iter()
            .find_map(|sep| window.rfind(sep).filter(|&i| i >= floor && i > 0))
            .unwrap_or(limit);
        out.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() || out.is_empty() {
        out.push(rest.to_string());
    }
    out
}

/// The body of a `sendMessage` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendMessage {
    pub chat_id: i64,
    pub text: String,
}

/// One `sendMessage` body per piece of `text`.
pub fn send_messages(chat_id: i64, text: &str) -> Vec<SendMessage> {
    split_text(text).into_iter().map(|text| SendMessage { chat_id, text }).collect()
}

/// How a failed Bot API call is to be treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Never retried: bad request, the user blocked the bot, unknown chat, bad token.
    Permanent,
    /// Tried again later; `retry_after` seconds when Telegram said (429).
    Retry { retry_after: Option<u64> },
}

/// Classifies an HTTP status (and Telegram's `parameters.retry_after`).
pub fn failure_of(status: u16, retry_after: Option<u64>) -> Failure {
    match status {
        429 => Failure::Retry { retry_after },
        400..=499 => Failure::Permanent,
        _ => Failure::Retry { retry_after: None },
    }
}

/// Checks a bot's settings: a name, a token shaped like Telegram's
/// (`<digits>:<secret>`), an http(s) API base.
pub fn validate_bot(name: &str, token: Option<&str>, api_base: &str) -> Result<(), crate::validate::Invalid> {
    use crate::validate::Invalid;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(Invalid { field: "name", code: "bot-name-required" });
    }
    if let Some(t) = token {
        let ok = t.split_once(':').is_some_and(|(id, secret)| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && secret.len() >= 10
                && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
        if !ok || t.len() > 200 {
            return Err(Invalid { field: "token", code: "invalid-bot-token" });
        }
    }
    let base = api_base.trim();
    if !(base.starts_with("https://") || base.starts_with("http://"))
        || base.len() > 300
        || base.contains([' ', '\n', '\r', '?', '#'])
    {
        return Err(Invalid { field: "api_base", code: "invalid-url" });
    }
    Ok(())
}

/// Telegram's default API base.
pub const DEFAULT_API_BASE: &str = "https://api.telegram.org";

#[cfg(test)]
mod tests {
    use super::*;

    fn update(json: &str) -> Update {
        parse_update(json.as_bytes()).expect("parses")
    }

    const TEXT: &str = r#"{"update_id": 10, "message": {"message_id": 5, "date": 1700000000,
        "from": {"id": 42, "is_bot": false, "first_name": "Айгерим", "last_name": "Ахметова",
                 "username": "aigerim", "language_code": "kk", "is_premium": true},
        "chat": {"id": 42, "type": "private", "first_name": "Айгерим"},
        "text": "Где мой заказ?", "entities": []}}"#;

    #[test]
    fn a_text_message_is_read_leniently() {
        let u = update(TEXT);
        assert_eq!(u.update_id, 10);
        match classify(&u) {
            Meaning::Message { sender, message_id, text, file, phone } => {
                assert_eq!(sender, Sender { user_id: 42, chat_id: 42, name: "Айгерим Ахметова".into(), locale: "kk" });
                assert_eq!((message_id, text.as_str(), file, phone), (5, "Где мой заказ?", None, None));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn start_greets_and_other_updates_are_ignored() {
        let start = TEXT.replace("Где мой заказ?", "/start promo");
        assert!(matches!(classify(&update(&start)), Meaning::Start(s) if s.locale == "kk"));
        let start_at = TEXT.replace("Где мой заказ?", "/start@ShopBot");
        assert!(matches!(classify(&update(&start_at)), Meaning::Start(_)));
        let not_start = TEXT.replace("Где мой заказ?", "/starter");
        assert!(matches!(classify(&update(&not_start)), Meaning::Message { .. }));
        let edited = r#"{"update_id": 11, "edited_message": {"message_id": 5, "chat": {"id": 1, "type": "private"}}}"#;
        assert_eq!(classify(&update(edited)), Meaning::Ignore("edited-message"));
        let button = r#"{"update_id": 12, "callback_query": {"id": "x", "data": "y"}}"#;
        assert_eq!(classify(&update(button)), Meaning::Ignore("callback-query"));
        let group = TEXT.replace("\"private\"", "\"supergroup\"");
        assert_eq!(classify(&update(&group)), Meaning::Ignore("not-a-private-chat"));
        let bot = TEXT.replace("\"is_bot\": false", "\"is_bot\": true");
        assert_eq!(classify(&update(&bot)), Meaning::Ignore("from-a-bot"));
        let poll = r#"{"update_id": 13, "poll": {"id": "1"}}"#;
        assert_eq!(classify(&update(poll)), Meaning::Ignore("not-a-message"));
        let sticker = r#"{"update_id": 14, "message": {"message_id": 1, "from": {"id": 1, "first_name": "A"},
            "chat": {"id": 1, "type": "private"}, "sticker": {"file_id": "s"}}}"#;
        assert_eq!(classify(&update(sticker)), Meaning::Ignore("empty-message"));
    }

    #[test]
    fn files_and_shared_phones() {
        let photo = r#"{"update_id": 1, "message": {"message_id": 7, "from": {"id": 3, "first_name": "",
            "username": "ivan_k"}, "chat": {"id": 3, "type": "private"}, "caption": "чек",
            "photo": [{"file_id": "small", "width": 90, "height": 90, "file_size": 1000},
                      {"file_id": "big", "width": 1280, "height": 960, "file_size": 90000}]}}"#;
        let Meaning::Message { sender, text, file, .. } = classify(&update(photo)) else { panic!("message") };
        assert_eq!((sender.name.as_str(), sender.locale, text.as_str()), ("ivan_k", "ru", "чек"));
        let f = file.expect("photo");
        assert_eq!((f.file_id.as_str(), f.mime_type.as_str(), f.size), ("big", "image/jpeg", Some(90000)));
        let doc = r#"{"update_id": 2, "message": {"message_id": 8, "from": {"id": 3, "first_name": "Иван",
            "language_code": "en-GB"}, "chat": {"id": 3, "type": "private"},
            "document": {"file_id": "d1", "file_name": "invoice.pdf", "mime_type": "application/pdf", "file_size": 12}}}"#;
        let Meaning::Message { sender, file, text, .. } = classify(&update(doc)) else { panic!("message") };
        assert_eq!((sender.locale, text.as_str()), ("en", ""));
        assert_eq!(file.map(|f| f.file_name), Some("invoice.pdf".into()));
        let own = r#"{"update_id": 3, "message": {"message_id": 9, "from": {"id": 3, "first_name": "Иван"},
            "chat": {"id": 3, "type": "private"}, "contact": {"phone_number": "+77011234567", "user_id": 3}}}"#;
        assert!(matches!(classify(&update(own)), Meaning::Message { phone: Some(p), .. } if p == "+77011234567"));
        let someone_else = own.replace("\"user_id\": 3", "\"user_id\": 4");
        assert_eq!(classify(&update(&someone_else)), Meaning::Ignore("empty-message"));
    }

    #[test]
    fn malformed_updates_are_errors() {
        for bad in ["", "{", "[]", r#"{"message": {}}"#, r#"{"update_id": "x"}"#] {
            assert!(parse_update(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn identity_and_locale() {
        assert_eq!(identity(42).value, "tg:42");
        assert_eq!(identity(42).kind, IdentityKind::Chat);
        assert!(Identity::new(IdentityKind::Chat, &identity_value(42)).is_ok(), "normalises to itself");
        for (code, want) in
            [(Some("kk"), "kk"), (Some("KK-kz"), "kk"), (Some("en_US"), "en"), (Some("de"), "ru"), (None, "ru")]
        {
            assert_eq!(locale_of(code), want, "{code:?}");
        }
    }

    #[test]
    fn long_replies_are_split_within_the_limit() {
        assert_eq!(split_text("  Здравствуйте!  "), ["Здравствуйте!"]);
        let words = "слово ".repeat(2000);
        let parts = split_text(&words);
        assert!(parts.len() >= 3, "{}", parts.len());
        assert!(parts.iter().all(|p| p.chars().count() <= MAX_MESSAGE_CHARS && !p.is_empty()));
        assert_eq!(parts.join(" "), words.trim(), "nothing lost at the cuts");
        let solid = "я".repeat(MAX_MESSAGE_CHARS * 2 + 1);
        let parts = split_text(&solid);
        assert_eq!(parts.iter().map(|p| p.chars().count()).collect::<Vec<_>>(), [4096, 4096, 1]);
        assert_eq!(split_at("ab\n\ncd ef", 6), ["ab", "cd ef"]);
        let m = send_messages(7, "hi");
        assert_eq!(serde_json::to_value(&m[0]).expect("json"), serde_json::json!({"chat_id": 7, "text": "hi"}));
    }

    #[test]
    fn failures_and_settings() {
        assert_eq!(failure_of(403, None), Failure::Permanent);
        assert_eq!(failure_of(400, None), Failure::Permanent);
        assert_eq!(failure_of(429, Some(3)), Failure::Retry { retry_after: Some(3) });
        assert_eq!(failure_of(502, None), Failure::Retry { retry_after: None });
        assert!(validate_bot("Shop", Some("123456:ABC-def_ghijklmn"), DEFAULT_API_BASE).is_ok());
        assert!(validate_bot("Shop", None, "http://127.0.0.1:8081").is_ok());
        assert_eq!(validate_bot(" ", None, DEFAULT_API_BASE).map_err(|e| e.field), Err("name"));
        assert_eq!(validate_bot("S", Some("nocolon"), DEFAULT_API_BASE).map_err(|e| e.field), Err("token"));
        assert_eq!(validate_bot("S", Some("12:short"), DEFAULT_API_BASE).map_err(|e| e.field), Err("token"));
        assert_eq!(validate_bot("S", None, "ftp://x").map_err(|e| e.field), Err("api_base"));
    }
}
