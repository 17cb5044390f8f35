//! The email channel's storage (migration 0015): mailboxes, the ingestion
//! cursor, and every letter in or out by Message-ID.
//!
//! **Exactly once.** [`Store::ingest_letter`] does everything one letter
//! causes — the customer found or registered, the contact created or the
//! letter threaded into its contact (reopened when it was finished), its
//! attachments, its events, and the mailbox's highest processed UID — in one
//! transaction, after checking the cursor inside that transaction. A crash
//! before the commit leaves the letter unprocessed (it is fetched again); a
//! crash after it leaves the cursor past it (it is never fetched again); a
//! letter seen twice (a second poller, a replayed fetch) finds the cursor
//! already past it and changes nothing. A UIDVALIDITY change resets the
//! cursor, and letters whose Message-ID this mailbox already holds are then
//! skipped.
//!
//! Passwords arrive sealed (the server encrypts them with its secret key);
//! the store keeps the sealed text and never sees them in clear.

use domain::contact::{Channel, ContactType, Direction, Status};
use domain::customer::{Identity, IdentityKind};
use domain::events as ev;
use domain::validate::Invalid;
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, AuditActor};
use crate::contacts::{change, Change, Contact, NewContact};
use crate::events::{self, EventRefs, NewEvent};
use crate::{conflict_as, now_ms, Result, Store, StoreError};

/// How a connection is protected.
pub const TLS_MODES: [&str; 3] = ["tls", "starttls", "none"];

/// A mailbox as stored (passwords sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    pub id: i64,
    pub name: String,
    /// The from-address of replies; letters from it are ours.
    pub address: String,
    pub imap_host: String,
    pub imap_port: i64,
    pub imap_tls: String,
    pub imap_user: String,
    #[serde(skip)]
    pub imap_password_sealed: String,
    pub imap_folder: String,
    pub smtp_host: String,
    pub smtp_port: i64,
    pub smtp_tls: String,
    pub smtp_user: String,
    #[serde(skip)]
    pub smtp_password_sealed: String,
    pub queue_id: i64,
    pub topic: String,
    pub contact_type: ContactType,
    /// Added under the operator's name at the end of every reply.
    pub signature: String,
    pub active: bool,
    pub uid_validity: i64,
    pub last_uid: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A mailbox's settings as an administrator gives them. A password `None`
/// keeps the stored one (on create it means none).
#[derive(Debug, Clone)]
pub struct MailboxSettings {
    pub name: String,
    pub address: String,
    pub imap_host: String,
    pub imap_port: i64,
    pub imap_tls: String,
    pub imap_user: String,
    pub imap_password_sealed: Option<String>,
    pub imap_folder: String,
    pub smtp_host: String,
    pub smtp_port: i64,
    pub smtp_tls: String,
    pub smtp_user: String,
    pub smtp_password_sealed: Option<String>,
    pub queue_id: i64,
    pub topic: String,
    pub contact_type: ContactType,
    pub signature: String,
    pub active: bool,
}

fn invalid(field: &'static str, code: &'static str) -> StoreError {
    StoreError::Invalid(Invalid { field, code })
}

impl MailboxSettings {
    /// The checks every mailbox passes (the first failure, naming its field).
    pub fn validate(&self) -> Result<()> {
        let text = |v: &str, max: usize| !v.trim().is_empty() && v.chars().count() <= max && !v.contains(['\r', '\n']);
        if !text(&self.name, 200) {
            return Err(invalid("name", "mailbox-name-required"));
        }
        if Identity::new(IdentityKind::Email, &self.address).is_err() {
            return Err(invalid("address", "invalid-email"));
        }
        for (field, host) in [("imap_host", &self.imap_host), ("smtp_host", &self.smtp_host)] {
            if !text(host, 253) || host.contains([' ', '/', '@']) {
                return Err(invalid(field, "invalid-host"));
            }
        }
        for (field, port) in [("imap_port", self.imap_port), ("smtp_port", self.smtp_port)] {
            if !(1..=65535).contains(&port) {
                return Err(invalid(field, "invalid-port"));
            }
        }
        for (field, mode) in [("imap_tls", &self.imap_tls), ("smtp_tls", &self.smtp_tls)] {
            if !TLS_MODES.contains(&mode.as_str()) {
                return Err(invalid(field, "invalid-tls-mode"));
            }
        }
        if !text(&self.imap_user, 320) {
            return Err(invalid("imap_user", "mailbox-user-required"));
        }
        if self.smtp_user.chars().count() > 320 || self.smtp_user.contains(['\r', '\n']) {
            return Err(invalid("smtp_user", "invalid-user"));
        }
        if !text(&self.imap_folder, 200) {
            return Err(invalid("imap_folder", "mailbox-folder-required"));
        }
        if self.signature.chars().count() > 2000 {
            return Err(invalid("signature", "signature-too-long"));
        }
        Ok(())
    }
}

pub(crate) const COLUMNS: &str =
    "id, name, address, imap_host, imap_port, imap_tls, imap_user, imap_password, imap_folder, \
    smtp_host, smtp_port, smtp_tls, smtp_user, smtp_password, queue_id, topic, contact_type, signature, active, \
    uid_validity, last_uid, created_at, updated_at";

pub(crate) fn from_row(r: &sqlx::any::AnyRow) -> Result<Mailbox> {
    let ct: String = r.try_get("contact_type")?;
    let active: i64 = r.try_get("active")?;
    Ok(Mailbox {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        address: r.try_get("address")?,
        imap_host: r.try_get("imap_host")?,
        imap_port: r.try_get("imap_port")?,
        imap_tls: r.try_get("imap_tls")?,
        imap_user: r.try_get("imap_user")?,
        imap_password_sealed: r.try_get("imap_password")?,
        imap_folder: r.try_get("imap_folder")?,
        smtp_host: r.try_get("smtp_host")?,
        smtp_port: r.try_get("smtp_port")?,
        smtp_tls: r.try_get("smtp_tls")?,
        smtp_user: r.try_get("smtp_user")?,
        smtp_password_sealed: r.try_get("smtp_password")?,
        queue_id: r.try_get("queue_id")?,
        topic: r.try_get("topic")?,
        contact_type: ContactType::parse(&ct).ok_or_else(|| StoreError::Corrupt(format!("contact type {ct:?}")))?,
        signature: r.try_get("signature")?,
        active: active != 0,
        uid_validity: r.try_get("uid_validity")?,
        last_uid: r.try_get("last_uid")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// How an incoming letter is to be handled (the `mail` crate decides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Create a contact or thread into one.
    Accept,
    /// A delivery failure of the letter with this Message-ID.
    Bounce { original_message_id: Option<String>, detail: String },
    /// Record as processed and do nothing else.
    Ignore(String),
}

/// A file carried by a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterFile {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
    /// For inline images: what `cid:` URLs in the HTML body call it.
    pub content_id: Option<String>,
}

/// One fetched letter, decoded, with where it was found.
#[derive(Debug, Clone)]
pub struct IncomingLetter {
    pub mailbox_id: i64,
    pub uid_validity: i64,
    pub uid: i64,
    /// Without brackets; empty when the letter has none.
    pub message_id: String,
    pub in_reply_to: String,
    pub references: Vec<String>,
    /// Message-IDs to look for, nearest first (In-Reply-To, then References).
    pub thread_keys: Vec<String>,
    /// The `[#N]` number in the subject, if any.
    pub subject_contact: Option<i64>,
    pub from_address: String,
    pub from_name: String,
    pub to_address: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub files: Vec<LetterFile>,
    pub fate: Fate,
}

/// What ingesting a letter did.
#[derive(Debug, Clone, PartialEq)]
pub enum Ingested {
    /// The cursor was already past it (or its Message-ID was already here after a UIDVALIDITY change).
    AlreadyDone,
    Ignored,
    /// A new contact, queued in its queue: the caller routes it.
    Created(Contact),
    /// Added to an existing contact; `reopened` when it went back to its queue (the caller routes it).
    Threaded {
        contact: Contact,
        reopened: bool,
    },
    /// A delivery failure, attached to the contact of the failed letter when known.
    Bounced {
        contact_id: Option<i64>,
    },
}

/// A letter stored on a contact (in or out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailRecord {
    pub id: i64,
    pub mailbox_id: i64,
    pub contact_id: Option<i64>,
    pub reply_id: Option<i64>,
    /// `in` or `out`.
    pub direction: String,
    pub message_id: String,
    pub in_reply_to: String,
    pub references: Vec<String>,
    pub from_address: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// In: `accepted`, `threaded`, `bounce`, `ignored`. Out: `sending`, `sent`, `failed`.
    pub disposition: String,
    pub detail: String,
    pub created_at: i64,
}

const EMAIL_COLUMNS: &str =
    "id, mailbox_id, contact_id, reply_id, direction, message_id, in_reply_to, references_ids, \
    from_address, to_address, subject, body_text, body_html, disposition, detail, created_at";

fn email_from_row(r: &sqlx::any::AnyRow) -> Result<EmailRecord> {
    let refs: String = r.try_get("references_ids")?;
    Ok(EmailRecord {
        id: r.try_get("id")?,
        mailbox_id: r.try_get("mailbox_id")?,
        contact_id: r.try_get("contact_id")?,
        reply_id: r.try_get("reply_id")?,
        direction: r.try_get("direction")?,
        message_id: r.try_get("message_id")?,
        in_reply_to: r.try_get("in_reply_to")?,
        references: refs.split_whitespace().map(str::to_string).collect(),
        from_address: r.try_get("from_address")?,
        to_address: r.try_get("to_address")?,
        subject: r.try_get("subject")?,
        body_text: r.try_get("body_text")?,
        body_html: r.try_get("body_html")?,
        disposition: r.try_get("disposition")?,
        detail: r.try_get("detail")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A reply waiting to go out by email, with what its letter needs.
#[derive(Debug, Clone)]
pub struct PendingEmailReply {
    pub reply_id: i64,
    pub contact_id: i64,
    pub mailbox_id: i64,
    pub body: String,
    pub author_name: Option<String>,
    /// `sending` when a previous attempt was interrupted: its Message-ID is reused.
    pub status: String,
    pub created_at: i64,
}

impl Store {
    /// Adds a mailbox (event `mailbox.created` and its audit entry).
    pub async fn create_mailbox(&self, s: &MailboxSettings, actor: &AuditActor) -> Result<Mailbox> {
        s.validate()?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        crate::topics::check_for_contact(&mut tx, &s.topic).await?;
        let sql = format!(
            "INSERT INTO mailboxes (name, address, imap_host, imap_port, imap_tls, imap_user, imap_password, \
             imap_folder, smtp_host, smtp_port, smtp_tls, smtp_user, smtp_password, queue_id, topic, contact_type, \
             signature, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, $15, $16, $17, $18, $19, $19) RETURNING {COLUMNS}"
        );
        let query = sqlx::query(&sql);
        let row = bind_settings(query, s, String::new(), String::new())
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(save_error)?;
        let m = from_row(&row)?;
        record_mailbox(&mut tx, &m, ev::MAILBOX_CREATED, actor, at).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Changes a mailbox (event `mailbox.changed` and its audit entry). A new
    /// IMAP server, user or folder starts the cursor again.
    pub async fn update_mailbox(&self, id: i64, s: &MailboxSettings, actor: &AuditActor) -> Result<Mailbox> {
        s.validate()?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        crate::topics::check_for_contact(&mut tx, &s.topic).await?;
        let before = sqlx::query(&format!("SELECT {COLUMNS} FROM mailboxes WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| from_row(&r))
            .transpose()?
            .ok_or(StoreError::NotFound("mailbox"))?;
        let moved = before.imap_host != s.imap_host.trim()
            || before.imap_user != s.imap_user.trim()
            || before.imap_folder != s.imap_folder.trim();
        let sql = format!(
            "UPDATE mailboxes SET name = $1, address = $2, imap_host = $3, imap_port = $4, imap_tls = $5, \
             imap_user = $6, imap_password = $7, imap_folder = $8, smtp_host = $9, smtp_port = $10, smtp_tls = $11, \
             smtp_user = $12, smtp_password = $13, queue_id = $14, topic = $15, contact_type = $16, signature = $17, \
             active = $18, updated_at = $19, uid_validity = $20, last_uid = $21 WHERE id = $22 RETURNING {COLUMNS}"
        );
        let query = sqlx::query(&sql);
        let row = bind_settings(query, s, before.imap_password_sealed, before.smtp_password_sealed)
            .bind(at)
            .bind(if moved { 0 } else { before.uid_validity })
            .bind(if moved { 0 } else { before.last_uid })
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(save_error)?;
        let m = from_row(&row)?;
        record_mailbox(&mut tx, &m, ev::MAILBOX_CHANGED, actor, at).await?;
        tx.commit().await?;
        Ok(m)
    }

    pub async fn mailboxes(&self) -> Result<Vec<Mailbox>> {
        let rows =
            sqlx::query(&format!("SELECT {COLUMNS} FROM mailboxes ORDER BY id")).fetch_all(self.reader()).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn mailbox(&self, id: i64) -> Result<Option<Mailbox>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM mailboxes WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| from_row(&r)).transpose()
    }

    /// Processes one letter exactly once (see the module docs): everything it
    /// causes and the mailbox's cursor, in one transaction.
    pub async fn ingest_letter(&self, l: &IncomingLetter) -> Result<Ingested> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        // The cursor, read inside the writing transaction (on PostgreSQL the
        // row lock makes a second poller wait, then see the new cursor).
        let lock = if self.backend() == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM mailboxes WHERE id = $1{lock}"))
            .bind(l.mailbox_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("mailbox"))?;
        let mailbox = from_row(&row)?;
        if mailbox.uid_validity == l.uid_validity && l.uid <= mailbox.last_uid {
            return Ok(Ingested::AlreadyDone);
        }
        let validity_changed = mailbox.uid_validity != l.uid_validity;
        advance_cursor(&mut tx, l.mailbox_id, l.uid_validity, l.uid).await?;
        if validity_changed && !l.message_id.is_empty() {
            let seen: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM email_messages WHERE mailbox_id = $1 AND direction = 'in' AND message_id = $2",
            )
            .bind(l.mailbox_id)
            .bind(&l.message_id)
            .fetch_one(&mut *tx)
            .await?;
            if seen > 0 {
                tx.commit().await?;
                return Ok(Ingested::AlreadyDone);
            }
        }
        let outcome = match &l.fate {
            Fate::Ignore(reason) => {
                insert_email(&mut tx, l, None, "ignored", reason, at).await?;
                let payload = json!({"mailbox_id": l.mailbox_id, "uid": l.uid, "message_id": l.message_id,
                    "reason": reason});
                events::append(&mut tx, &NewEvent { at, kind: ev::EMAIL_IGNORED, refs: EventRefs::default(), payload })
                    .await?;
                Ingested::Ignored
            }
            Fate::Bounce { original_message_id, detail } => {
                let contact_id = match original_message_id {
                    Some(id) => contact_of_message(&mut tx, std::slice::from_ref(id)).await?,
                    None => None,
                };
                insert_email(&mut tx, l, contact_id, "bounce", detail, at).await?;
                if let Some(c) = contact_id {
                    sqlx::query(
                        "UPDATE email_messages SET disposition = 'failed', detail = $1 \
                         WHERE direction = 'out' AND message_id = $2",
                    )
                    .bind(detail)
                    .bind(original_message_id.as_deref().unwrap_or_default())
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE contact_replies SET status = 'failed' WHERE id IN \
                         (SELECT reply_id FROM email_messages WHERE direction = 'out' AND message_id = $1)",
                    )
                    .bind(original_message_id.as_deref().unwrap_or_default())
                    .execute(&mut *tx)
                    .await?;
                    let payload = json!({"message_id": original_message_id, "detail": detail, "source": "bounce"});
                    let refs = EventRefs { contact_id: Some(c), ..Default::default() };
                    events::append(&mut tx, &NewEvent { at, kind: ev::CONTACT_DELIVERY_FAILED, refs, payload }).await?;
                }
                Ingested::Bounced { contact_id }
            }
            Fate::Accept => {
                let mut target = contact_of_message(&mut tx, &l.thread_keys).await?;
                if target.is_none() {
                    if let Some(n) = l.subject_contact {
                        target = email_contact_of_sender(&mut tx, n, &l.from_address).await?;
                    }
                }
                match target {
                    Some(contact_id) => {
                        let reopened = self.thread_into(&mut tx, &mailbox, contact_id, l, at).await?;
                        tx.commit().await?;
                        let contact = self.contact(contact_id).await?.ok_or(StoreError::NotFound("contact"))?;
                        return Ok(Ingested::Threaded { contact, reopened });
                    }
                    None => {
                        let id = self.create_from_letter(&mut tx, &mailbox, l, at).await?;
                        tx.commit().await?;
                        let contact = self.contact(id).await?.ok_or(StoreError::NotFound("contact"))?;
                        return Ok(Ingested::Created(contact));
                    }
                }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn create_from_letter(
        &self,
        tx: &mut Transaction<'static, Any>,
        mailbox: &Mailbox,
        l: &IncomingLetter,
        at: i64,
    ) -> Result<i64> {
        let customer_id = customer_for_sender(tx, &l.from_address, &l.from_name, at).await?;
        let subject: String = if l.subject.trim().is_empty() {
            l.text.split_whitespace().take(12).collect::<Vec<_>>().join(" ")
        } else {
            l.subject.clone()
        };
        let new = NewContact {
            channel: Channel::Email,
            direction: Direction::Inbound,
            contact_type: mailbox.contact_type,
            topic: mailbox.topic.clone(),
            priority: 0,
            subject: subject.chars().take(500).collect(),
            customer_id,
            queue_id: mailbox.queue_id,
        };
        // The mailbox's topic may have been deactivated since it was set: the letter still comes in.
        let new = match crate::topics::check_for_contact(tx, &new.topic).await {
            Ok(()) => new,
            Err(_) => NewContact { topic: String::new(), ..new },
        };
        let id = self.insert_contact(tx, &new, &[], &AuditActor::mail(), at).await?;
        let email_id = insert_email(tx, l, Some(id), "accepted", "", at).await?;
        let files = insert_files(tx, id, l, at).await?;
        received_event(tx, id, customer_id, email_id, l, files, at).await?;
        Ok(id)
    }

    /// Adds a letter to its contact; a finished contact goes back to its
    /// queue, one waiting on the customer back to its operator. Returns
    /// whether it was reopened.
    async fn thread_into(
        &self,
        tx: &mut Transaction<'static, Any>,
        mailbox: &Mailbox,
        contact_id: i64,
        l: &IncomingLetter,
        at: i64,
    ) -> Result<bool> {
        let row = sqlx::query("SELECT status, queue_id, customer_id FROM contacts WHERE id = $1")
            .bind(contact_id)
            .fetch_one(&mut **tx)
            .await?;
        let status: String = row.try_get("status")?;
        let queue: Option<i64> = row.try_get("queue_id")?;
        let customer_id: Option<i64> = row.try_get("customer_id")?;
        let status = Status::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?;
        let email_id = insert_email(tx, l, Some(contact_id), "threaded", "", at).await?;
        let files = insert_files(tx, contact_id, l, at).await?;
        received_event(tx, contact_id, customer_id, email_id, l, files, at).await?;
        let reopened = match status {
            Status::Resolved | Status::Closed => {
                change(
                    tx,
                    Change {
                        id: contact_id,
                        from: &[Status::Resolved, Status::Closed],
                        to: Status::Queued,
                        operator: Some(None),
                        queue: Some(queue.unwrap_or(mailbox.queue_id)),
                        held_by: None,
                        wrapup: None,
                        kind: ev::CONTACT_REOPENED,
                        payload: json!({"from": status.as_str(), "reason": "customer-email", "by": null}),
                        at,
                    },
                )
                .await?;
                true
            }
            Status::WaitingCustomer => {
                crate::contacts::customer_answered(tx, contact_id, "customer-email", at).await?;
                false
            }
            _ => false,
        };
        Ok(reopened)
    }

    /// The letters of a contact, oldest first.
    pub async fn contact_emails(&self, contact_id: i64) -> Result<Vec<EmailRecord>> {
        let rows =
            sqlx::query(&format!("SELECT {EMAIL_COLUMNS} FROM email_messages WHERE contact_id = $1 ORDER BY id"))
                .bind(contact_id)
                .fetch_all(self.reader())
                .await?;
        rows.iter().map(email_from_row).collect()
    }

    /// (Content-ID, attachment id) of a contact's inline images.
    pub async fn contact_inline_images(&self, contact_id: i64) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT content_id, id FROM contact_attachments WHERE contact_id = $1 AND content_id IS NOT NULL \
             ORDER BY id",
        )
        .bind(contact_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("content_id")?, r.try_get("id")?))).collect()
    }

    /// Inbound letters of a mailbox (any disposition), oldest first.
    pub async fn mailbox_letters(&self, mailbox_id: i64) -> Result<Vec<EmailRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {EMAIL_COLUMNS} FROM email_messages WHERE mailbox_id = $1 AND direction = 'in' ORDER BY id"
        ))
        .bind(mailbox_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(email_from_row).collect()
    }

    /// Replies on email contacts not yet handed to SMTP (`pending`), or whose
    /// sending was interrupted (`sending`), oldest first, with the mailbox
    /// that received the contact's first letter.
    pub async fn pending_email_replies(&self, limit: i64) -> Result<Vec<PendingEmailReply>> {
        let rows = sqlx::query(
            "SELECT r.id, r.contact_id, r.body, r.status, r.created_at, u.name AS author_name, \
             (SELECT e.mailbox_id FROM email_messages e WHERE e.contact_id = r.contact_id AND e.direction = 'in' \
              ORDER BY e.id LIMIT 1) AS mailbox_id \
             FROM contact_replies r LEFT JOIN users u ON u.id = r.author_id \
             WHERE r.channel = 'email' AND r.status IN ('pending', 'sending') ORDER BY r.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let mailbox: Option<i64> = r.try_get("mailbox_id")?;
            let Some(mailbox_id) = mailbox else { continue };
            out.push(PendingEmailReply {
                reply_id: r.try_get("id")?,
                contact_id: r.try_get("contact_id")?,
                mailbox_id,
                body: r.try_get("body")?,
                author_name: r.try_get("author_name")?,
                status: r.try_get("status")?,
                created_at: r.try_get("created_at")?,
            });
        }
        Ok(out)
    }

    /// Before handing a reply letter to SMTP: stores it with its Message-ID
    /// and marks the reply `sending`, so the customer's answer threads even
    /// if we crash right after sending; an interrupted attempt is retried
    /// with the same Message-ID. Returns the stored letter (the earlier one
    /// when the reply was already being sent).
    pub async fn prepare_email_reply(&self, reply_id: i64, letter: &OutgoingLetter) -> Result<EmailRecord> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let existing = sqlx::query(&format!(
            "SELECT {EMAIL_COLUMNS} FROM email_messages WHERE reply_id = $1 AND direction = 'out' ORDER BY id LIMIT 1"
        ))
        .bind(reply_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = existing {
            tx.commit().await?;
            return email_from_row(&r);
        }
        let n = sqlx::query("UPDATE contact_replies SET status = 'sending' WHERE id = $1 AND status = 'pending'")
            .bind(reply_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict("reply status"));
        }
        let row = sqlx::query(&format!(
            "INSERT INTO email_messages (mailbox_id, contact_id, reply_id, direction, message_id, in_reply_to, \
             references_ids, from_address, to_address, subject, body_text, disposition, detail, created_at) \
             VALUES ($1, $2, $3, 'out', $4, $5, $6, $7, $8, $9, $10, 'sending', '', $11) RETURNING {EMAIL_COLUMNS}"
        ))
        .bind(letter.mailbox_id)
        .bind(letter.contact_id)
        .bind(reply_id)
        .bind(&letter.message_id)
        .bind(&letter.in_reply_to)
        .bind(letter.references.join(" "))
        .bind(&letter.from_address)
        .bind(&letter.to_address)
        .bind(&letter.subject)
        .bind(&letter.body)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        email_from_row(&row)
    }

    /// After SMTP answered: `sent` (event `contact.email_sent`) or `failed`
    /// with the server's words (event `contact.delivery_failed`).
    pub async fn finish_email_reply(&self, reply_id: i64, sent: bool, detail: &str) -> Result<()> {
        let at = now_ms();
        let status = if sent { "sent" } else { "failed" };
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT contact_id, message_id FROM email_messages WHERE reply_id = $1 AND direction = 'out' \
             ORDER BY id LIMIT 1",
        )
        .bind(reply_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("outgoing letter"))?;
        let contact_id: Option<i64> = row.try_get("contact_id")?;
        let message_id: String = row.try_get("message_id")?;
        let n = sqlx::query("UPDATE contact_replies SET status = $1 WHERE id = $2 AND status = 'sending'")
            .bind(status)
            .bind(reply_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict("reply status"));
        }
        sqlx::query(
            "UPDATE email_messages SET disposition = $1, detail = $2 WHERE reply_id = $3 AND direction = 'out'",
        )
        .bind(status)
        .bind(detail)
        .bind(reply_id)
        .execute(&mut *tx)
        .await?;
        let kind = if sent { ev::CONTACT_EMAIL_SENT } else { ev::CONTACT_DELIVERY_FAILED };
        let refs = EventRefs { contact_id, ..Default::default() };
        let payload = json!({"reply_id": reply_id, "message_id": message_id, "detail": detail});
        events::append(&mut tx, &NewEvent { at, kind, refs, payload }).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A reply letter as it will be sent.
#[derive(Debug, Clone)]
pub struct OutgoingLetter {
    pub mailbox_id: i64,
    pub contact_id: i64,
    pub message_id: String,
    pub in_reply_to: String,
    pub references: Vec<String>,
    pub from_address: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// Binds the settings as `$1`–`$18` (the column order of both the INSERT
/// and the UPDATE); a password not given keeps `imap_kept` / `smtp_kept`.
fn bind_settings<'q>(q: AnyQuery<'q>, s: &'q MailboxSettings, imap_kept: String, smtp_kept: String) -> AnyQuery<'q> {
    q.bind(s.name.trim())
        .bind(s.address.trim().to_lowercase())
        .bind(s.imap_host.trim())
        .bind(s.imap_port)
        .bind(&s.imap_tls)
        .bind(s.imap_user.trim())
        .bind(s.imap_password_sealed.clone().unwrap_or(imap_kept))
        .bind(s.imap_folder.trim())
        .bind(s.smtp_host.trim())
        .bind(s.smtp_port)
        .bind(&s.smtp_tls)
        .bind(s.smtp_user.trim())
        .bind(s.smtp_password_sealed.clone().unwrap_or(smtp_kept))
        .bind(s.queue_id)
        .bind(&s.topic)
        .bind(s.contact_type.as_str())
        .bind(&s.signature)
        .bind(i64::from(s.active))
}

fn save_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound("queue"),
        _ => conflict_as("mailbox address")(e),
    }
}

async fn record_mailbox(
    tx: &mut Transaction<'static, Any>,
    m: &Mailbox,
    kind: &'static str,
    actor: &AuditActor,
    at: i64,
) -> Result<()> {
    // Settings only: sealed passwords never enter the log.
    let payload = json!({"mailbox_id": m.id, "name": m.name, "address": m.address, "imap_host": m.imap_host,
        "imap_port": m.imap_port, "imap_tls": m.imap_tls, "imap_user": m.imap_user, "imap_folder": m.imap_folder,
        "smtp_host": m.smtp_host, "smtp_port": m.smtp_port, "smtp_tls": m.smtp_tls, "smtp_user": m.smtp_user,
        "queue_id": m.queue_id, "topic": m.topic, "active": m.active});
    let refs = EventRefs { agent_id: actor.user_id, queue_id: Some(m.queue_id), ..Default::default() };
    events::append(tx, &NewEvent { at, kind, refs, payload: payload.clone() }).await?;
    audit::record_in(tx, actor, kind, &format!("mailbox:{}", m.id), &payload.to_string(), at).await
}

async fn advance_cursor(tx: &mut Transaction<'static, Any>, mailbox_id: i64, validity: i64, uid: i64) -> Result<()> {
    sqlx::query("UPDATE mailboxes SET uid_validity = $1, last_uid = $2 WHERE id = $3")
        .bind(validity)
        .bind(uid)
        .bind(mailbox_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The contact of the first of `ids` we hold a letter of (in or out).
async fn contact_of_message(tx: &mut Transaction<'static, Any>, ids: &[String]) -> Result<Option<i64>> {
    for id in ids.iter().filter(|i| !i.is_empty()) {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT contact_id FROM email_messages WHERE message_id = $1 AND contact_id IS NOT NULL \
             ORDER BY id LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Contact `n` when it is an email contact whose customer writes from this
/// address (a number in a subject alone is not enough to join a stranger's case).
async fn email_contact_of_sender(tx: &mut Transaction<'static, Any>, n: i64, from: &str) -> Result<Option<i64>> {
    let Ok(identity) = Identity::new(IdentityKind::Email, from) else { return Ok(None) };
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT c.id FROM contacts c JOIN customer_identities i ON i.customer_id = c.customer_id \
         WHERE c.id = $1 AND c.channel = 'email' AND i.kind = 'email' AND i.value = $2",
    )
    .bind(n)
    .bind(&identity.value)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found)
}

/// The customer who owns this e-mail address, or a new one registered for it.
async fn customer_for_sender(
    tx: &mut Transaction<'static, Any>,
    from: &str,
    name: &str,
    at: i64,
) -> Result<Option<i64>> {
    let Ok(identity) = Identity::new(IdentityKind::Email, from) else { return Ok(None) };
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT c.id FROM customer_identities i JOIN customers c ON c.id = i.customer_id \
         WHERE i.kind = 'email' AND i.value = $1 AND c.merged_into IS NULL ORDER BY c.id LIMIT 1",
    )
    .bind(&identity.value)
    .fetch_optional(&mut **tx)
    .await?;
    if found.is_some() {
        return Ok(found);
    }
    let full_name =
        if name.trim().is_empty() { identity.value.clone() } else { name.trim().chars().take(200).collect() };
    let new = crate::customers::NewCustomer {
        full_name,
        phone: String::new(),
        email: identity.value.clone(),
        client_type: "new".into(),
        locale: "ru".into(),
        created_at: at,
        consent_at: None,
    };
    Ok(Some(crate::customers::insert_customer(tx, &new, &[identity]).await?))
}

async fn insert_email(
    tx: &mut Transaction<'static, Any>,
    l: &IncomingLetter,
    contact_id: Option<i64>,
    disposition: &str,
    detail: &str,
    at: i64,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO email_messages (mailbox_id, contact_id, direction, message_id, in_reply_to, references_ids, \
         uid_validity, uid, from_address, to_address, subject, body_text, body_html, disposition, detail, created_at) \
         VALUES ($1, $2, 'in', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(l.mailbox_id)
    .bind(contact_id)
    .bind(&l.message_id)
    .bind(&l.in_reply_to)
    .bind(l.references.join(" "))
    .bind(l.uid_validity)
    .bind(l.uid)
    .bind(&l.from_address)
    .bind(&l.to_address)
    .bind(&l.subject)
    .bind(&l.text)
    .bind(l.html.as_deref())
    .bind(disposition)
    .bind(detail)
    .bind(at)
    .fetch_one(&mut **tx)
    .await
    .map_err(conflict_as("letter uid"))?;
    Ok(id)
}

/// Stores a letter's files on the contact; a file the attachment rules
/// refuse (empty, too large) is left out and named in the result.
async fn insert_files(
    tx: &mut Transaction<'static, Any>,
    contact_id: i64,
    l: &IncomingLetter,
    at: i64,
) -> Result<serde_json::Value> {
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for f in &l.files {
        let Ok(filename) = domain::contact_work::validate_attachment(&f.filename, f.content.len()) else {
            skipped.push(json!({"filename": f.filename, "size": f.content.len()}));
            continue;
        };
        let content_type = domain::contact_work::sanitize_content_type(&f.content_type);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contact_attachments (contact_id, author_id, filename, content_type, size, content, \
             created_at, content_id) VALUES ($1, NULL, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(contact_id)
        .bind(&filename)
        .bind(&content_type)
        .bind(f.content.len() as i64)
        .bind(&f.content)
        .bind(at)
        .bind(f.content_id.as_deref())
        .fetch_one(&mut **tx)
        .await?;
        kept.push(json!({"attachment_id": id, "filename": filename, "content_type": content_type,
            "size": f.content.len()}));
    }
    Ok(json!({"kept": kept, "skipped": skipped}))
}

async fn received_event(
    tx: &mut Transaction<'static, Any>,
    contact_id: i64,
    customer_id: Option<i64>,
    email_id: i64,
    l: &IncomingLetter,
    files: serde_json::Value,
    at: i64,
) -> Result<()> {
    let refs = EventRefs { contact_id: Some(contact_id), customer_id, ..Default::default() };
    let payload = json!({"email_id": email_id, "mailbox_id": l.mailbox_id, "message_id": l.message_id,
        "uid": l.uid, "files": files});
    events::append(tx, &NewEvent { at, kind: ev::CONTACT_EMAIL_RECEIVED, refs, payload }).await
}
