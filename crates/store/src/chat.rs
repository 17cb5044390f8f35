//! Web chat (migration `0017_chat.sql`): a session per visitor, keyed by the
//! SHA-256 of its token, tied to a contact of channel `chat`, and its
//! messages numbered 1, 2, 3 … per session.
//!
//! - Starting a chat is one transaction: the customer found by a normalised
//!   identity (or registered), their consent recorded, the contact registered
//!   (`insert_contact`: events and the "registered" notice as usual), the
//!   session, and the first message when there is one.
//! - Appending a message takes the session's row (`last_seq + 1`, a lock on
//!   PostgreSQL, the single writer on SQLite), so two messages never share a
//!   `seq`; a repeated `cid` returns the stored message and writes nothing.
//!   Each message appends `chat.message`.

use domain::contact::{Channel, ContactType, Direction};
use domain::customer::{Identity, IdentityKind};
use domain::events as ev;
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::AuditActor;
use crate::contacts::NewContact;
use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};

/// Who wrote a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sender {
    Visitor,
    Operator,
    System,
}

impl Sender {
    pub fn as_str(self) -> &'static str {
        match self {
            Sender::Visitor => "visitor",
            Sender::Operator => "operator",
            Sender::System => "system",
        }
    }

    fn parse(s: &str) -> Result<Sender> {
        Ok(match s {
            "visitor" => Sender::Visitor,
            "operator" => Sender::Operator,
            "system" => Sender::System,
            other => return Err(StoreError::Corrupt(format!("chat sender {other}"))),
        })
    }
}

/// A chat session as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatSession {
    pub id: i64,
    pub contact_id: i64,
    pub queue_id: i64,
    pub visitor_name: String,
    pub visitor_email: String,
    pub visitor_phone: String,
    pub locale: String,
    pub page_url: String,
    pub last_seq: i64,
    pub created_at: i64,
    pub ended_at: Option<i64>,
}

/// A file sent in a chat (kept as an attachment of the contact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatFile {
    pub id: i64,
    pub name: String,
    pub size: i64,
    #[serde(rename = "type")]
    pub content_type: String,
}

/// A chat message as stored, with its author's name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatMessage {
    pub id: i64,
    pub session_id: i64,
    pub contact_id: i64,
    pub seq: i64,
    pub from: Sender,
    pub author_id: Option<i64>,
    /// The visitor's name, the operator's name, or empty for the system.
    pub name: String,
    pub text: String,
    pub file: Option<ChatFile>,
    pub cid: Option<String>,
    pub created_at: i64,
}

/// A chat to open (the pre-chat form, already validated by the caller).
#[derive(Debug, Clone)]
pub struct NewChat {
    pub token_hash: String,
    pub queue_id: i64,
    pub name: String,
    /// Normalised e-mail and/or phone (`Identity::new`); at least one.
    pub identities: Vec<Identity>,
    /// An active topic code, or empty.
    pub topic: String,
    pub subject: String,
    /// The first visitor message, if any.
    pub text: Option<String>,
    pub locale: String,
    pub page_url: String,
}

/// What starting a chat made.
#[derive(Debug, Clone)]
pub struct ChatStarted {
    pub session: ChatSession,
    pub contact: crate::Contact,
    pub customer_id: i64,
    pub first: Option<ChatMessage>,
}

/// A letter the chat stores in `email_messages` (a transcript out, an
/// offline message in). `mailbox_id` 0 = no mailbox serves the chat.
#[derive(Debug, Clone, Default)]
pub struct Letter {
    pub mailbox_id: i64,
    pub message_id: String,
    pub from_address: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
}

/// An offline message (the form checked by the caller).
#[derive(Debug, Clone)]
pub struct OfflineMessage {
    pub queue_id: i64,
    pub name: String,
    pub identities: Vec<Identity>,
    pub topic: String,
    pub locale: String,
    pub letter: Letter,
}

async fn insert_letter(
    tx: &mut Transaction<'static, Any>,
    l: &Letter,
    contact_id: i64,
    direction: &str,
    disposition: &str,
    detail: &str,
    at: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO email_messages (mailbox_id, contact_id, direction, message_id, in_reply_to, references_ids, \
         from_address, to_address, subject, body_text, disposition, detail, created_at) \
         VALUES ($1, $2, $3, $4, '', '', $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(l.mailbox_id)
    .bind(contact_id)
    .bind(direction)
    .bind(&l.message_id)
    .bind(&l.from_address)
    .bind(&l.to_address)
    .bind(&l.subject)
    .bind(&l.body)
    .bind(disposition)
    .bind(detail)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?)
}

/// A message to append.
#[derive(Debug, Clone)]
pub struct NewChatMessage<'a> {
    pub from: Sender,
    pub author_id: Option<i64>,
    pub text: &'a str,
    /// (file name, content type, bytes), stored as an attachment of the contact.
    pub file: Option<(&'a str, &'a str, &'a [u8])>,
    pub cid: Option<&'a str>,
}

const SESSION_COLUMNS: &str = "id, contact_id, queue_id, visitor_name, visitor_email, visitor_phone, locale, \
    page_url, last_seq, created_at, ended_at";

fn session_from_row(r: &sqlx::any::AnyRow) -> Result<ChatSession> {
    Ok(ChatSession {
        id: r.try_get("id")?,
        contact_id: r.try_get("contact_id")?,
        queue_id: r.try_get("queue_id")?,
        visitor_name: r.try_get("visitor_name")?,
        visitor_email: r.try_get("visitor_email")?,
        visitor_phone: r.try_get("visitor_phone")?,
        locale: r.try_get("locale")?,
        page_url: r.try_get("page_url")?,
        last_seq: r.try_get("last_seq")?,
        created_at: r.try_get("created_at")?,
        ended_at: r.try_get("ended_at")?,
    })
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.session_id, s.contact_id, m.seq, m.sender, m.author_id, \
    m.body, m.attachment_id, m.cid, m.created_at, s.visitor_name, u.name AS author_name, \
    a.filename, a.size, a.content_type \
    FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id \
    LEFT JOIN users u ON u.id = m.author_id \
    LEFT JOIN contact_attachments a ON a.id = m.attachment_id";

fn message_from_row(r: &sqlx::any::AnyRow) -> Result<ChatMessage> {
    let from = Sender::parse(&r.try_get::<String, _>("sender")?)?;
    let name = match from {
        Sender::Visitor => r.try_get("visitor_name")?,
        Sender::Operator => r.try_get::<Option<String>, _>("author_name")?.unwrap_or_default(),
        Sender::System => String::new(),
    };
    let file = match r.try_get::<Option<i64>, _>("attachment_id")? {
        Some(id) => Some(ChatFile {
            id,
            name: r.try_get::<Option<String>, _>("filename")?.unwrap_or_default(),
            size: r.try_get::<Option<i64>, _>("size")?.unwrap_or_default(),
            content_type: r.try_get::<Option<String>, _>("content_type")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(ChatMessage {
        id: r.try_get("id")?,
        session_id: r.try_get("session_id")?,
        contact_id: r.try_get("contact_id")?,
        seq: r.try_get("seq")?,
        from,
        author_id: r.try_get("author_id")?,
        name,
        text: r.try_get("body")?,
        file,
        cid: r.try_get("cid")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The customer owning one of `identities` (not merged), if any.
pub(crate) async fn customer_by_identity(
    tx: &mut Transaction<'static, Any>,
    identities: &[Identity],
) -> Result<Option<i64>> {
    for i in identities {
        let kind = match i.kind {
            IdentityKind::Phone => "phone",
            IdentityKind::Email => "email",
            _ => continue,
        };
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT c.id FROM customer_identities i JOIN customers c ON c.id = i.customer_id \
             WHERE i.kind = $1 AND i.value = $2 AND c.merged_into IS NULL ORDER BY c.id LIMIT 1",
        )
        .bind(kind)
        .bind(&i.value)
        .fetch_optional(&mut **tx)
        .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Finds the customer by identity or registers them, and records their
/// consent (given in a public form) with its event, inside `tx`.
pub(crate) async fn customer_with_consent(
    tx: &mut Transaction<'static, Any>,
    name: &str,
    identities: &[Identity],
    locale: &str,
    at: i64,
) -> Result<i64> {
    if let Some(id) = customer_by_identity(tx, identities).await? {
        sqlx::query("UPDATE customers SET consent = 1, consent_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        let refs = EventRefs { customer_id: Some(id), ..Default::default() };
        events::append(
            tx,
            &NewEvent { at, kind: ev::CUSTOMER_CONSENT_CHANGED, refs, payload: json!({"consent": true}) },
        )
        .await?;
        return Ok(id);
    }
    let first = |k: IdentityKind| identities.iter().find(|i| i.kind == k).map(|i| i.value.clone()).unwrap_or_default();
    let new = crate::customers::NewCustomer {
        full_name: name.to_string(),
        phone: first(IdentityKind::Phone),
        email: first(IdentityKind::Email),
        client_type: "new".into(),
        locale: locale.to_string(),
        created_at: at,
        consent_at: Some(at),
    };
    crate::customers::insert_customer(tx, &new, identities).await
}

async fn insert_message(
    tx: &mut Transaction<'static, Any>,
    session: &ChatSession,
    m: &NewChatMessage<'_>,
    customer_id: Option<i64>,
    at: i64,
) -> Result<i64> {
    let seq: i64 =
        sqlx::query_scalar("UPDATE chat_sessions SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq")
            .bind(session.id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound("chat session"))?;
    let attachment = match m.file {
        Some((name, ct, bytes)) => {
            let by = AuditActor { user_id: m.author_id, login: "chat".into(), ip: None };
            Some(crate::contact_work::insert_attachment(tx, session.contact_id, &by, name, ct, bytes, at).await?.id)
        }
        None => None,
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO chat_messages (session_id, seq, sender, author_id, body, attachment_id, cid, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(session.id)
    .bind(seq)
    .bind(m.from.as_str())
    .bind(m.author_id)
    .bind(m.text)
    .bind(attachment)
    .bind(m.cid)
    .bind(at)
    .fetch_one(&mut **tx)
    .await
    .map_err(crate::conflict_as("chat message"))?;
    let refs = EventRefs {
        contact_id: Some(session.contact_id),
        agent_id: m.author_id,
        queue_id: Some(session.queue_id),
        customer_id,
        ..Default::default()
    };
    let payload = json!({"session_id": session.id, "seq": seq, "from": m.from.as_str(),
        "chars": m.text.chars().count(), "attachment_id": attachment});
    events::append(tx, &NewEvent { at, kind: ev::CHAT_MESSAGE, refs, payload }).await?;
    Ok(id)
}

impl Store {
    /// Opens a chat: customer (found or registered) with consent, the chat
    /// contact queued in `queue_id`, the session and the first message, in
    /// one transaction. The caller routes the contact afterwards.
    pub async fn start_chat(&self, new: &NewChat) -> Result<ChatStarted> {
        if new.identities.is_empty() {
            return Err(domain::validate::Invalid { field: "email", code: "contact-required" }.into());
        }
        let at = now_ms();
        let actor = AuditActor { user_id: None, login: "chat".into(), ip: None };
        let mut tx = self.begin().await?;
        let customer_id = customer_with_consent(&mut tx, &new.name, &new.identities, &new.locale, at).await?;
        let contact = NewContact {
            channel: Channel::Chat,
            direction: Direction::Inbound,
            contact_type: ContactType::Information,
            topic: new.topic.clone(),
            priority: 0,
            subject: new.subject.clone(),
            customer_id: Some(customer_id),
            queue_id: new.queue_id,
        };
        let contact_id = self.insert_contact(&mut tx, &contact, &[], &actor, at).await?;
        let email = new.identities.iter().find(|i| i.kind == IdentityKind::Email).map(|i| i.value.clone());
        let phone = new.identities.iter().find(|i| i.kind == IdentityKind::Phone).map(|i| i.value.clone());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO chat_sessions (token_hash, contact_id, queue_id, visitor_name, visitor_email, visitor_phone, \
             locale, page_url, last_seq, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9) RETURNING id",
        )
        .bind(&new.token_hash)
        .bind(contact_id)
        .bind(new.queue_id)
        .bind(&new.name)
        .bind(email.clone().unwrap_or_default())
        .bind(phone.clone().unwrap_or_default())
        .bind(&new.locale)
        .bind(&new.page_url)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::conflict_as("chat session"))?;
        let session = ChatSession {
            id,
            contact_id,
            queue_id: new.queue_id,
            visitor_name: new.name.clone(),
            visitor_email: email.unwrap_or_default(),
            visitor_phone: phone.unwrap_or_default(),
            locale: new.locale.clone(),
            page_url: new.page_url.clone(),
            last_seq: 0,
            created_at: at,
            ended_at: None,
        };
        let refs = EventRefs {
            contact_id: Some(contact_id),
            queue_id: Some(new.queue_id),
            customer_id: Some(customer_id),
            ..Default::default()
        };
        let payload = json!({"session_id": id, "locale": new.locale, "page_url": new.page_url});
        events::append(&mut tx, &NewEvent { at, kind: ev::CHAT_STARTED, refs, payload }).await?;
        let first_id = match new.text.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(text) => {
                let m = NewChatMessage { from: Sender::Visitor, author_id: None, text, file: None, cid: None };
                Some(insert_message(&mut tx, &session, &m, Some(customer_id), at).await?)
            }
            None => None,
        };
        tx.commit().await?;
        let contact = self.contact(contact_id).await?.ok_or(StoreError::NotFound("contact"))?;
        let first = match first_id {
            Some(mid) => self.chat_message(mid).await?,
            None => None,
        };
        let session = self.chat_session(id).await?.unwrap_or(session);
        Ok(ChatStarted { session, contact, customer_id, first })
    }

    /// The session whose token hashes to `token_hash`.
    pub async fn chat_session_by_token(&self, token_hash: &str) -> Result<Option<ChatSession>> {
        let row = sqlx::query(&format!("SELECT {SESSION_COLUMNS} FROM chat_sessions WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    pub async fn chat_session(&self, id: i64) -> Result<Option<ChatSession>> {
        let row = sqlx::query(&format!("SELECT {SESSION_COLUMNS} FROM chat_sessions WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    /// The chat session of a contact (the newest, should there be several).
    pub async fn chat_session_of_contact(&self, contact_id: i64) -> Result<Option<ChatSession>> {
        let row = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM chat_sessions WHERE contact_id = $1 ORDER BY id DESC LIMIT 1"
        ))
        .bind(contact_id)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    pub async fn chat_message(&self, id: i64) -> Result<Option<ChatMessage>> {
        let row =
            sqlx::query(&format!("{MESSAGE_SELECT} WHERE m.id = $1")).bind(id).fetch_optional(self.reader()).await?;
        row.as_ref().map(message_from_row).transpose()
    }

    /// Messages of a session with `seq > after`, in order.
    pub async fn chat_messages(&self, session_id: i64, after: i64) -> Result<Vec<ChatMessage>> {
        let rows = sqlx::query(&format!("{MESSAGE_SELECT} WHERE m.session_id = $1 AND m.seq > $2 ORDER BY m.seq"))
            .bind(session_id)
            .bind(after)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(message_from_row).collect()
    }

    /// Appends a message (and its file) with the next `seq` and its
    /// `chat.message` event. A `cid` the session already has returns the
    /// stored message and `false`, writing nothing.
    pub async fn append_chat_message(&self, session_id: i64, m: &NewChatMessage<'_>) -> Result<(ChatMessage, bool)> {
        let session = self.chat_session(session_id).await?.ok_or(StoreError::NotFound("chat session"))?;
        let customer_id = self.contact(session.contact_id).await?.and_then(|c| c.customer_id);
        let mut tx = self.begin().await?;
        // Take the session's row first: a racing resend of the same cid waits here.
        sqlx::query("UPDATE chat_sessions SET last_seq = last_seq WHERE id = $1")
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        if let Some(cid) = m.cid {
            let existing: Option<i64> =
                sqlx::query_scalar("SELECT id FROM chat_messages WHERE session_id = $1 AND cid = $2")
                    .bind(session_id)
                    .bind(cid)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(id) = existing {
                tx.rollback().await?;
                let stored = self.chat_message(id).await?.ok_or(StoreError::NotFound("chat message"))?;
                return Ok((stored, false));
            }
        }
        let at = now_ms();
        let id = insert_message(&mut tx, &session, m, customer_id, at).await?;
        if m.from == Sender::Visitor {
            crate::contacts::customer_answered(&mut tx, session.contact_id, "customer-message", at).await?;
        }
        tx.commit().await?;
        let stored = self.chat_message(id).await?.ok_or(StoreError::NotFound("chat message"))?;
        Ok((stored, true))
    }

    /// The visitor ends the chat: `ended_at` set and the system message
    /// `text` appended, with `chat.ended`. `None` when it had already ended.
    pub async fn end_chat(&self, session_id: i64, text: &str) -> Result<Option<ChatMessage>> {
        let session = self.chat_session(session_id).await?.ok_or(StoreError::NotFound("chat session"))?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE chat_sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
            .bind(at)
            .bind(session_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        let refs =
            EventRefs { contact_id: Some(session.contact_id), queue_id: Some(session.queue_id), ..Default::default() };
        events::append(
            &mut tx,
            &NewEvent { at, kind: ev::CHAT_ENDED, refs, payload: json!({"session_id": session_id}) },
        )
        .await?;
        let m = NewChatMessage { from: Sender::System, author_id: None, text, file: None, cid: None };
        let id = insert_message(&mut tx, &session, &m, None, at).await?;
        tx.commit().await?;
        self.chat_message(id).await
    }

    /// A file of the session's messages with its bytes; `None` when the
    /// attachment is not one of this session's.
    pub async fn chat_file(
        &self,
        session_id: i64,
        attachment_id: i64,
    ) -> Result<Option<crate::contact_work::Attachment>> {
        let contact: Option<i64> = sqlx::query_scalar(
            "SELECT s.contact_id FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id \
             WHERE m.session_id = $1 AND m.attachment_id = $2",
        )
        .bind(session_id)
        .bind(attachment_id)
        .fetch_optional(self.reader())
        .await?;
        match contact {
            Some(c) => self.attachment(c, attachment_id).await,
            None => Ok(None),
        }
    }

    /// Records a transcript letter on the chat's contact: an outgoing
    /// `email_messages` row (`sent` or `failed` with the server's words) and
    /// the event `chat.transcript_sent`, in one transaction.
    pub async fn record_chat_transcript(
        &self,
        session_id: i64,
        letter: &Letter,
        sent: bool,
        detail: &str,
    ) -> Result<()> {
        let session = self.chat_session(session_id).await?.ok_or(StoreError::NotFound("chat session"))?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let email_id =
            insert_letter(&mut tx, letter, session.contact_id, "out", if sent { "sent" } else { "failed" }, detail, at)
                .await?;
        let refs =
            EventRefs { contact_id: Some(session.contact_id), queue_id: Some(session.queue_id), ..Default::default() };
        let payload = json!({"session_id": session_id, "email_id": email_id, "to": letter.to_address, "sent": sent});
        events::append(&mut tx, &NewEvent { at, kind: ev::CHAT_TRANSCRIPT_SENT, refs, payload }).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The widget's offline mode: the visitor's message becomes a contact of
    /// channel `email` in `queue_id` — customer found or registered with
    /// consent, and, when a mailbox serves it, the message stored as an
    /// inbound letter of that mailbox (from the visitor's address), so the
    /// e-mail reply sender answers the visitor and threads. One transaction;
    /// the caller routes the contact.
    pub async fn offline_chat_message(&self, m: &OfflineMessage) -> Result<crate::Contact> {
        let at = now_ms();
        let actor = AuditActor { user_id: None, login: "chat".into(), ip: None };
        let mut tx = self.begin().await?;
        let customer_id = customer_with_consent(&mut tx, &m.name, &m.identities, &m.locale, at).await?;
        let contact = NewContact {
            channel: Channel::Email,
            direction: Direction::Inbound,
            contact_type: ContactType::Information,
            topic: m.topic.clone(),
            priority: 0,
            subject: m.letter.subject.clone(),
            customer_id: Some(customer_id),
            queue_id: m.queue_id,
        };
        let contact_id = self.insert_contact(&mut tx, &contact, &[], &actor, at).await?;
        if m.letter.mailbox_id > 0 {
            let email_id =
                insert_letter(&mut tx, &m.letter, contact_id, "in", "accepted", "chat offline form", at).await?;
            let refs = EventRefs { contact_id: Some(contact_id), customer_id: Some(customer_id), ..Default::default() };
            let payload = json!({"email_id": email_id, "mailbox_id": m.letter.mailbox_id,
                "message_id": m.letter.message_id, "source": "chat_offline"});
            events::append(&mut tx, &NewEvent { at, kind: ev::CONTACT_EMAIL_RECEIVED, refs, payload }).await?;
        } else {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO contact_notes (contact_id, author_id, body, created_at) VALUES ($1, NULL, $2, $3) RETURNING id",
            )
            .bind(contact_id)
            .bind(&m.letter.body)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let refs = EventRefs { contact_id: Some(contact_id), ..Default::default() };
            events::append(
                &mut tx,
                &NewEvent { at, kind: ev::CONTACT_NOTE_ADDED, refs, payload: json!({"note_id": id}) },
            )
            .await?;
        }
        tx.commit().await?;
        self.contact(contact_id).await?.ok_or(StoreError::NotFound("contact"))
    }

    /// Rows of both chat tables (tests count that a refusal wrote nothing).
    pub async fn count_chat_rows(&self) -> Result<(i64, i64)> {
        let s: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM chat_sessions").fetch_one(self.reader()).await?;
        let m: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM chat_messages").fetch_one(self.reader()).await?;
        Ok((s, m))
    }
}
