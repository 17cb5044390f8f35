//! The messenger channel's storage (migration 0019): Telegram bots, every
//! processed update once, and the messages in and out of messenger contacts.
//!
//! **Exactly once.** [`Store::ingest_update`] claims `(bot, update_id)` in
//! `telegram_updates` (its primary key) and does everything the update
//! causes — customer found or registered, contact created or the message
//! threaded into the customer's open messenger contact, the file as an
//! attachment, the events, a greeting to send — in the same transaction. A
//! repeated delivery of the update (Telegram retries until it hears 200)
//! finds the key taken and changes nothing.
//!
//! The bot's token arrives sealed (the server encrypts it with its secret
//! key) and is never written to events or audit; the webhook secret is kept
//! as its SHA-256 only.

use domain::contact::{Channel, ContactType, Direction};
use domain::customer::{Identity, IdentityKind};
use domain::events as ev;
use domain::telegram::Sender;
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, AuditActor};
use crate::contacts::{Contact, NewContact};
use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};

/// How long a greeting may wait for its immediate send before the sender takes it over.
pub const GREETING_GRACE_MS: i64 = 60_000;

/// A bot as stored (token sealed, webhook secret hashed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TelegramBot {
    pub id: i64,
    pub name: String,
    #[serde(skip)]
    pub token_sealed: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub api_base: String,
    pub queue_id: i64,
    /// Sent to `/start`; empty = the catalogue's greeting in the user's language.
    pub greeting: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A bot's settings as an administrator gives them; a token `None` keeps the stored one.
#[derive(Debug, Clone)]
pub struct BotSettings {
    pub name: String,
    pub token_sealed: Option<String>,
    pub api_base: String,
    pub queue_id: i64,
    pub greeting: String,
    pub active: bool,
}

const BOT_COLUMNS: &str =
    "id, name, token_sealed, secret_hash, api_base, queue_id, greeting, active, created_at, updated_at";

fn bot_from_row(r: &sqlx::any::AnyRow) -> Result<TelegramBot> {
    let active: i64 = r.try_get("active")?;
    Ok(TelegramBot {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        token_sealed: r.try_get("token_sealed")?,
        secret_hash: r.try_get("secret_hash")?,
        api_base: r.try_get("api_base")?,
        queue_id: r.try_get("queue_id")?,
        greeting: r.try_get("greeting")?,
        active: active != 0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// A file fetched from Telegram for a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedFile {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// What the server read from one update.
#[derive(Debug, Clone)]
pub enum UpdateKind {
    /// `/start`: record the greeting (its text in the user's language) to send.
    Start {
        sender: Sender,
        greeting: String,
    },
    /// A message for the centre.
    Message {
        sender: Sender,
        message_id: i64,
        text: String,
        /// The fetched file, or why it was not kept.
        file: Option<std::result::Result<FetchedFile, String>>,
        phone: Option<String>,
    },
    Ignore(String),
}

#[derive(Debug, Clone)]
pub struct IncomingUpdate {
    pub bot_id: i64,
    pub update_id: i64,
    pub kind: UpdateKind,
}

/// What ingesting an update did.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateOutcome {
    /// This update was processed before: nothing changed.
    AlreadyDone,
    Ignored,
    /// A greeting was recorded (`sending`): the caller sends it and calls [`Store::finish_messenger_message`].
    Greet {
        message: i64,
        chat_id: i64,
        text: String,
    },
    /// A new contact, queued: the caller routes it.
    Created(Contact),
    /// Added to the customer's open contact.
    Threaded {
        contact: Contact,
    },
}

/// A message in or out of a messenger contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessengerMessage {
    pub id: i64,
    pub bot_id: i64,
    pub contact_id: Option<i64>,
    pub reply_id: Option<i64>,
    /// `in` or `out`.
    pub direction: String,
    pub chat_id: i64,
    /// Telegram's message id (in: the customer's; out: the last piece we sent).
    pub message_id: Option<i64>,
    pub body: String,
    pub attachment_id: Option<i64>,
    /// In: `received`. Out: `sending`, `sent`, `failed`.
    pub status: String,
    pub error: String,
    pub attempts: i64,
    pub created_at: i64,
}

const MSG_COLUMNS: &str = "id, bot_id, contact_id, reply_id, direction, chat_id, message_id, body, attachment_id, \
                           status, error, attempts, next_attempt_at, created_at";

fn msg_from_row(r: &sqlx::any::AnyRow) -> Result<MessengerMessage> {
    Ok(MessengerMessage {
        id: r.try_get("id")?,
        bot_id: r.try_get("bot_id")?,
        contact_id: r.try_get("contact_id")?,
        reply_id: r.try_get("reply_id")?,
        direction: r.try_get("direction")?,
        chat_id: r.try_get("chat_id")?,
        message_id: r.try_get("message_id")?,
        body: r.try_get("body")?,
        attachment_id: r.try_get("attachment_id")?,
        status: r.try_get("status")?,
        error: r.try_get("error")?,
        attempts: r.try_get("attempts")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A reply on a messenger contact to deliver, with where it goes.
#[derive(Debug, Clone)]
pub struct PendingMessengerReply {
    pub reply_id: i64,
    pub contact_id: i64,
    pub bot_id: i64,
    pub chat_id: i64,
    pub body: String,
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Telegram's message ids of the pieces sent.
    Sent(Vec<i64>),
    Failed(String),
}

fn invalid(field: &'static str, code: &'static str) -> StoreError {
    StoreError::Invalid(domain::validate::Invalid { field, code })
}

impl BotSettings {
    pub fn validate(&self, creating: bool) -> Result<()> {
        if creating && self.token_sealed.as_deref().is_none_or(str::is_empty) {
            return Err(invalid("token", "required"));
        }
        domain::telegram::validate_bot(&self.name, None, &self.api_base)?;
        if self.greeting.chars().count() > domain::telegram::MAX_MESSAGE_CHARS {
            return Err(invalid("greeting", "too-long"));
        }
        Ok(())
    }
}

fn save_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound("queue"),
        _ => crate::conflict_as("webhook secret")(e),
    }
}

async fn record_bot(
    tx: &mut Transaction<'static, Any>,
    b: &TelegramBot,
    kind: &'static str,
    token_changed: bool,
    secret_changed: bool,
    actor: &AuditActor,
    at: i64,
) -> Result<()> {
    // Settings only: the sealed token and the secret's hash never enter the log.
    let payload = json!({"bot_id": b.id, "name": b.name, "api_base": b.api_base, "queue_id": b.queue_id,
        "greeting": b.greeting, "active": b.active, "token_changed": token_changed,
        "secret_changed": secret_changed});
    let refs = EventRefs { agent_id: actor.user_id, queue_id: Some(b.queue_id), ..Default::default() };
    events::append(tx, &NewEvent { at, kind, refs, payload: payload.clone() }).await?;
    audit::record_in(tx, actor, kind, &format!("telegram_bot:{}", b.id), &payload.to_string(), at).await
}

impl Store {
    /// Adds a bot (event `telegram.bot_created` and its audit entry).
    pub async fn create_telegram_bot(
        &self,
        s: &BotSettings,
        secret_hash: &str,
        actor: &AuditActor,
    ) -> Result<TelegramBot> {
        s.validate(true)?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO telegram_bots (name, token_sealed, secret_hash, api_base, queue_id, greeting, active, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {BOT_COLUMNS}"
        ))
        .bind(s.name.trim())
        .bind(s.token_sealed.clone().unwrap_or_default())
        .bind(secret_hash)
        .bind(s.api_base.trim().trim_end_matches('/'))
        .bind(s.queue_id)
        .bind(s.greeting.trim())
        .bind(i64::from(s.active))
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(save_error)?;
        let b = bot_from_row(&row)?;
        record_bot(&mut tx, &b, ev::TELEGRAM_BOT_CREATED, true, true, actor, at).await?;
        tx.commit().await?;
        Ok(b)
    }

    /// Changes a bot; `new_secret_hash` replaces the webhook secret (the old
    /// one stops working at once). Event `telegram.bot_changed` and its audit entry.
    pub async fn update_telegram_bot(
        &self,
        id: i64,
        s: &BotSettings,
        new_secret_hash: Option<&str>,
        actor: &AuditActor,
    ) -> Result<TelegramBot> {
        s.validate(false)?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let before = sqlx::query(&format!("SELECT {BOT_COLUMNS} FROM telegram_bots WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| bot_from_row(&r))
            .transpose()?
            .ok_or(StoreError::NotFound("telegram bot"))?;
        let token = s.token_sealed.clone().filter(|t| !t.is_empty());
        let row = sqlx::query(&format!(
            "UPDATE telegram_bots SET name = $1, token_sealed = $2, secret_hash = $3, api_base = $4, queue_id = $5, \
             greeting = $6, active = $7, updated_at = $8 WHERE id = $9 RETURNING {BOT_COLUMNS}"
        ))
        .bind(s.name.trim())
        .bind(token.clone().unwrap_or(before.token_sealed))
        .bind(new_secret_hash.unwrap_or(&before.secret_hash))
        .bind(s.api_base.trim().trim_end_matches('/'))
        .bind(s.queue_id)
        .bind(s.greeting.trim())
        .bind(i64::from(s.active))
        .bind(at)
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(save_error)?;
        let b = bot_from_row(&row)?;
        record_bot(&mut tx, &b, ev::TELEGRAM_BOT_CHANGED, token.is_some(), new_secret_hash.is_some(), actor, at)
            .await?;
        tx.commit().await?;
        Ok(b)
    }

    pub async fn telegram_bots(&self) -> Result<Vec<TelegramBot>> {
        let rows = sqlx::query(&format!("SELECT {BOT_COLUMNS} FROM telegram_bots ORDER BY id"))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(bot_from_row).collect()
    }

    pub async fn telegram_bot(&self, id: i64) -> Result<Option<TelegramBot>> {
        let row = sqlx::query(&format!("SELECT {BOT_COLUMNS} FROM telegram_bots WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| bot_from_row(&r)).transpose()
    }

    /// The bot whose webhook secret hashes to `hash`.
    pub async fn telegram_bot_by_secret(&self, hash: &str) -> Result<Option<TelegramBot>> {
        let row = sqlx::query(&format!("SELECT {BOT_COLUMNS} FROM telegram_bots WHERE secret_hash = $1"))
            .bind(hash)
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| bot_from_row(&r)).transpose()
    }

    /// Whether an update was already processed (a cheap check before fetching its file).
    pub async fn telegram_update_seen(&self, bot_id: i64, update_id: i64) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM telegram_updates WHERE bot_id = $1 AND update_id = $2")
            .bind(bot_id)
            .bind(update_id)
            .fetch_one(self.reader())
            .await?;
        Ok(n > 0)
    }

    /// Processes one update exactly once (see the module docs).
    pub async fn ingest_update(&self, u: &IncomingUpdate) -> Result<UpdateOutcome> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let bot = sqlx::query(&format!("SELECT {BOT_COLUMNS} FROM telegram_bots WHERE id = $1"))
            .bind(u.bot_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| bot_from_row(&r))
            .transpose()?
            .ok_or(StoreError::NotFound("telegram bot"))?;
        let outcome = match &u.kind {
            UpdateKind::Ignore(_) => "ignored",
            UpdateKind::Start { .. } => "start",
            UpdateKind::Message { .. } => "message",
        };
        // The claim: a second delivery of this update stops here.
        let claimed = sqlx::query(
            "INSERT INTO telegram_updates (bot_id, update_id, outcome, received_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(u.bot_id)
        .bind(u.update_id)
        .bind(outcome)
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(UpdateOutcome::AlreadyDone);
        }
        match &u.kind {
            UpdateKind::Ignore(reason) => {
                let payload = json!({"bot_id": u.bot_id, "update_id": u.update_id, "reason": reason});
                let e = NewEvent { at, kind: ev::TELEGRAM_UPDATE_IGNORED, refs: EventRefs::default(), payload };
                events::append(&mut tx, &e).await?;
                tx.commit().await?;
                Ok(UpdateOutcome::Ignored)
            }
            UpdateKind::Start { sender, greeting } => {
                let id = insert_message(
                    &mut tx,
                    &NewMessage {
                        bot_id: bot.id,
                        contact_id: None,
                        reply_id: None,
                        direction: "out",
                        chat_id: sender.chat_id,
                        message_id: None,
                        body: greeting,
                        attachment_id: None,
                        status: "sending",
                    },
                    at,
                )
                .await?;
                // The webhook sends it at once; the sender picks it up only if that send was lost.
                sqlx::query("UPDATE messenger_messages SET next_attempt_at = $1 WHERE id = $2")
                    .bind(at + GREETING_GRACE_MS)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(UpdateOutcome::Greet { message: id, chat_id: sender.chat_id, text: greeting.clone() })
            }
            UpdateKind::Message { sender, message_id, text, file, phone } => {
                let customer = customer_for_sender(&mut tx, sender, phone.as_deref(), at).await?;
                let open = open_contact(&mut tx, customer, bot.id).await?;
                let (contact_id, created) = match open {
                    Some(id) => (id, false),
                    None => {
                        let subject: String = if text.trim().is_empty() {
                            "Telegram".into()
                        } else {
                            text.split_whitespace().take(12).collect::<Vec<_>>().join(" ").chars().take(500).collect()
                        };
                        let new = NewContact {
                            channel: Channel::Messenger,
                            direction: Direction::Inbound,
                            contact_type: ContactType::Information,
                            topic: String::new(),
                            priority: 0,
                            subject,
                            customer_id: Some(customer),
                            queue_id: bot.queue_id,
                        };
                        (self.insert_contact(&mut tx, &new, &[], &AuditActor::messenger(), at).await?, true)
                    }
                };
                let (attachment_id, file_note) = match file {
                    Some(Ok(f)) => match insert_file(&mut tx, contact_id, f, at).await? {
                        Ok(id) => (Some(id), json!({"attachment_id": id, "filename": f.filename})),
                        Err(why) => (None, json!({"skipped": why, "filename": f.filename})),
                    },
                    Some(Err(why)) => (None, json!({"skipped": why})),
                    None => (None, serde_json::Value::Null),
                };
                let shared_phone = phone.as_deref().map(|p| format!("📞 {p}"));
                let body = match (text.trim().is_empty(), shared_phone) {
                    (true, Some(p)) => p,
                    (false, Some(p)) => format!("{text}\n{p}"),
                    _ => text.clone(),
                };
                let mid = insert_message(
                    &mut tx,
                    &NewMessage {
                        bot_id: bot.id,
                        contact_id: Some(contact_id),
                        reply_id: None,
                        direction: "in",
                        chat_id: sender.chat_id,
                        message_id: Some(*message_id),
                        body: &body,
                        attachment_id,
                        status: "received",
                    },
                    at,
                )
                .await?;
                sqlx::query("UPDATE telegram_updates SET contact_id = $1 WHERE bot_id = $2 AND update_id = $3")
                    .bind(contact_id)
                    .bind(u.bot_id)
                    .bind(u.update_id)
                    .execute(&mut *tx)
                    .await?;
                let refs =
                    EventRefs { contact_id: Some(contact_id), customer_id: Some(customer), ..Default::default() };
                let payload = json!({"bot_id": bot.id, "update_id": u.update_id, "message_id": message_id,
                    "messenger_message_id": mid, "file": file_note, "created": created});
                events::append(&mut tx, &NewEvent { at, kind: ev::CONTACT_MESSENGER_RECEIVED, refs, payload }).await?;
                if !created {
                    crate::contacts::customer_answered(&mut tx, contact_id, "customer-message", at).await?;
                }
                tx.commit().await?;
                let contact = self.contact(contact_id).await?.ok_or(StoreError::NotFound("contact"))?;
                Ok(if created { UpdateOutcome::Created(contact) } else { UpdateOutcome::Threaded { contact } })
            }
        }
    }

    /// The messages of a contact, oldest first.
    pub async fn contact_messenger_messages(&self, contact_id: i64) -> Result<Vec<MessengerMessage>> {
        let rows =
            sqlx::query(&format!("SELECT {MSG_COLUMNS} FROM messenger_messages WHERE contact_id = $1 ORDER BY id"))
                .bind(contact_id)
                .fetch_all(self.reader())
                .await?;
        rows.iter().map(msg_from_row).collect()
    }

    /// Every message of a bot (with and without a contact), oldest first.
    pub async fn bot_messenger_messages(&self, bot_id: i64) -> Result<Vec<MessengerMessage>> {
        let rows = sqlx::query(&format!("SELECT {MSG_COLUMNS} FROM messenger_messages WHERE bot_id = $1 ORDER BY id"))
            .bind(bot_id)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(msg_from_row).collect()
    }

    /// Replies on messenger contacts waiting to be delivered (`pending`, or
    /// `sending` whose next attempt is due at `now`), oldest first, with the
    /// bot and chat of the contact's last customer message.
    pub async fn pending_messenger_replies(&self, now: i64, limit: i64) -> Result<Vec<PendingMessengerReply>> {
        let rows = sqlx::query(
            "SELECT r.id, r.contact_id, r.body, \
             (SELECT m.bot_id FROM messenger_messages m WHERE m.contact_id = r.contact_id AND m.direction = 'in' \
              ORDER BY m.id DESC LIMIT 1) AS bot_id, \
             (SELECT m.chat_id FROM messenger_messages m WHERE m.contact_id = r.contact_id AND m.direction = 'in' \
              ORDER BY m.id DESC LIMIT 1) AS chat_id \
             FROM contact_replies r \
             WHERE r.channel = 'messenger' AND (r.status = 'pending' OR (r.status = 'sending' AND EXISTS \
              (SELECT 1 FROM messenger_messages o WHERE o.reply_id = r.id AND o.status = 'sending' \
               AND o.next_attempt_at <= $1))) \
             ORDER BY r.id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let (bot, chat): (Option<i64>, Option<i64>) = (r.try_get("bot_id")?, r.try_get("chat_id")?);
            let (Some(bot_id), Some(chat_id)) = (bot, chat) else { continue };
            out.push(PendingMessengerReply {
                reply_id: r.try_get("id")?,
                contact_id: r.try_get("contact_id")?,
                bot_id,
                chat_id,
                body: r.try_get("body")?,
            });
        }
        Ok(out)
    }

    /// Before the first attempt: the reply becomes `sending` with its
    /// outgoing message row; a later attempt finds and returns that row.
    pub async fn prepare_messenger_reply(&self, p: &PendingMessengerReply) -> Result<MessengerMessage> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let existing = sqlx::query(&format!(
            "SELECT {MSG_COLUMNS} FROM messenger_messages WHERE reply_id = $1 ORDER BY id LIMIT 1"
        ))
        .bind(p.reply_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = existing {
            tx.commit().await?;
            return msg_from_row(&r);
        }
        let n = sqlx::query("UPDATE contact_replies SET status = 'sending' WHERE id = $1 AND status = 'pending'")
            .bind(p.reply_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict("reply status"));
        }
        let id = insert_message(
            &mut tx,
            &NewMessage {
                bot_id: p.bot_id,
                contact_id: Some(p.contact_id),
                reply_id: Some(p.reply_id),
                direction: "out",
                chat_id: p.chat_id,
                message_id: None,
                body: &p.body,
                attachment_id: None,
                status: "sending",
            },
            at,
        )
        .await?;
        let row = sqlx::query(&format!("SELECT {MSG_COLUMNS} FROM messenger_messages WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        msg_from_row(&row)
    }

    /// A transient failure: the message stays `sending`, tried again at
    /// `next_at` (event `contact.messenger_retry`).
    pub async fn retry_messenger_message(&self, id: i64, error: &str, next_at: i64) -> Result<()> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE messenger_messages SET attempts = attempts + 1, error = $1, next_attempt_at = $2 \
             WHERE id = $3 AND status = 'sending' RETURNING contact_id, reply_id, attempts",
        )
        .bind(error)
        .bind(next_at)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::Conflict("message status"))?;
        let contact_id: Option<i64> = row.try_get("contact_id")?;
        let reply_id: Option<i64> = row.try_get("reply_id")?;
        let attempts: i64 = row.try_get("attempts")?;
        let refs = EventRefs { contact_id, ..Default::default() };
        let payload = json!({"messenger_message_id": id, "reply_id": reply_id, "attempts": attempts,
            "error": error, "next_attempt_at": next_at});
        events::append(&mut tx, &NewEvent { at, kind: ev::CONTACT_MESSENGER_RETRY, refs, payload }).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records how a send ended: `sent` with Telegram's message ids (event
    /// `contact.messenger_sent`) or `failed` with the error (event
    /// `contact.delivery_failed`); the reply, if any, follows.
    pub async fn finish_messenger_message(&self, id: i64, result: &Delivery) -> Result<()> {
        let at = now_ms();
        let (status, error, last_id, ids) = match result {
            Delivery::Sent(ids) => ("sent", String::new(), ids.last().copied(), ids.clone()),
            Delivery::Failed(e) => ("failed", e.clone(), None, Vec::new()),
        };
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE messenger_messages SET status = $1, error = $2, message_id = $3, attempts = attempts + 1 \
             WHERE id = $4 AND status = 'sending' RETURNING contact_id, reply_id, bot_id",
        )
        .bind(status)
        .bind(&error)
        .bind(last_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::Conflict("message status"))?;
        let contact_id: Option<i64> = row.try_get("contact_id")?;
        let reply_id: Option<i64> = row.try_get("reply_id")?;
        let bot_id: i64 = row.try_get("bot_id")?;
        if let Some(r) = reply_id {
            sqlx::query("UPDATE contact_replies SET status = $1 WHERE id = $2 AND status = 'sending'")
                .bind(status)
                .bind(r)
                .execute(&mut *tx)
                .await?;
        }
        let kind =
            if matches!(result, Delivery::Sent(_)) { ev::CONTACT_MESSENGER_SENT } else { ev::CONTACT_DELIVERY_FAILED };
        let refs = EventRefs { contact_id, ..Default::default() };
        let payload = json!({"messenger_message_id": id, "reply_id": reply_id, "bot_id": bot_id,
            "telegram_message_ids": ids, "detail": error, "source": "telegram"});
        events::append(&mut tx, &NewEvent { at, kind, refs, payload }).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Outgoing messages that belong to no reply (greetings) still `sending`
    /// and due at `now`: their immediate send was lost (a crash).
    pub async fn due_messenger_messages(&self, now: i64, limit: i64) -> Result<Vec<MessengerMessage>> {
        let rows = sqlx::query(&format!(
            "SELECT {MSG_COLUMNS} FROM messenger_messages WHERE direction = 'out' AND reply_id IS NULL \
             AND status = 'sending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(msg_from_row).collect()
    }

    /// Where a customer can be reached on Telegram: (bot, chat) of their
    /// newest message to an active bot.
    pub async fn telegram_chat_of_customer(&self, customer_id: i64) -> Result<Option<(i64, i64)>> {
        let row = sqlx::query(
            "SELECT m.bot_id, m.chat_id FROM messenger_messages m JOIN contacts c ON c.id = m.contact_id \
             JOIN telegram_bots b ON b.id = m.bot_id \
             WHERE c.customer_id = $1 AND m.direction = 'in' AND b.active = 1 ORDER BY m.id DESC LIMIT 1",
        )
        .bind(customer_id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| Ok((r.try_get("bot_id")?, r.try_get("chat_id")?))).transpose()
    }
}

impl AuditActor {
    /// The messenger channel acting on an update it received.
    pub fn messenger() -> AuditActor {
        AuditActor { user_id: None, login: "messenger".into(), ip: None }
    }
}

struct NewMessage<'a> {
    bot_id: i64,
    contact_id: Option<i64>,
    reply_id: Option<i64>,
    direction: &'a str,
    chat_id: i64,
    message_id: Option<i64>,
    body: &'a str,
    attachment_id: Option<i64>,
    status: &'a str,
}

async fn insert_message(tx: &mut Transaction<'static, Any>, m: &NewMessage<'_>, at: i64) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messenger_messages (bot_id, contact_id, reply_id, direction, chat_id, message_id, body, \
         attachment_id, status, error, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', 0, 0, $10) RETURNING id",
    )
    .bind(m.bot_id)
    .bind(m.contact_id)
    .bind(m.reply_id)
    .bind(m.direction)
    .bind(m.chat_id)
    .bind(m.message_id)
    .bind(m.body)
    .bind(m.attachment_id)
    .bind(m.status)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// The customer of this Telegram user: by the `tg:` identity, else by the
/// phone they shared, else registered (name, locale, identities). A shared
/// phone is added to the customer's identities.
async fn customer_for_sender(
    tx: &mut Transaction<'static, Any>,
    s: &Sender,
    phone: Option<&str>,
    at: i64,
) -> Result<i64> {
    let tg = domain::telegram::identity(s.user_id);
    let phone = phone.and_then(|p| Identity::new(IdentityKind::Phone, p).ok());
    let mut found = customer_by_identity(tx, &tg).await?;
    if found.is_none() {
        if let Some(p) = &phone {
            found = customer_by_identity(tx, p).await?;
        }
    }
    let mut identities = vec![tg];
    identities.extend(phone.clone());
    match found {
        Some(id) => {
            crate::customers::add_identities(tx, id, &identities, at).await?;
            Ok(id)
        }
        None => {
            let new = crate::customers::NewCustomer {
                full_name: s.name.clone(),
                phone: phone.as_ref().map(|p| p.value.clone()).unwrap_or_default(),
                email: String::new(),
                client_type: "new".into(),
                locale: s.locale.into(),
                created_at: at,
                consent_at: None,
            };
            crate::customers::insert_customer(tx, &new, &identities).await
        }
    }
}

async fn customer_by_identity(tx: &mut Transaction<'static, Any>, i: &Identity) -> Result<Option<i64>> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT c.id FROM customer_identities i JOIN customers c ON c.id = i.customer_id \
         WHERE i.kind = $1 AND i.value = $2 AND c.merged_into IS NULL ORDER BY c.id LIMIT 1",
    )
    .bind(i.kind.as_str())
    .bind(&i.value)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found)
}

/// The customer's newest messenger contact of this bot that is not finished.
async fn open_contact(tx: &mut Transaction<'static, Any>, customer: i64, bot_id: i64) -> Result<Option<i64>> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT c.id FROM contacts c WHERE c.customer_id = $1 AND c.channel = 'messenger' \
         AND c.status NOT IN ('resolved', 'closed') \
         AND EXISTS (SELECT 1 FROM messenger_messages m WHERE m.contact_id = c.id AND m.bot_id = $2) \
         ORDER BY c.id DESC LIMIT 1",
    )
    .bind(customer)
    .bind(bot_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found)
}

/// Stores a fetched file on the contact; a file the attachment rules refuse
/// is left out and the reason returned.
async fn insert_file(
    tx: &mut Transaction<'static, Any>,
    contact_id: i64,
    f: &FetchedFile,
    at: i64,
) -> Result<std::result::Result<i64, String>> {
    let filename = match domain::contact_work::validate_attachment(&f.filename, f.content.len()) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e.code.to_string())),
    };
    let content_type = domain::contact_work::sanitize_content_type(&f.content_type);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contact_attachments (contact_id, author_id, filename, content_type, size, content, created_at) \
         VALUES ($1, NULL, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(contact_id)
    .bind(&filename)
    .bind(&content_type)
    .bind(f.content.len() as i64)
    .bind(&f.content)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Ok(id))
}
