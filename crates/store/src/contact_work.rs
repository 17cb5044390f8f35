//! Work on a contact besides routing: internal notes, attachments (bytes in
//! the database), links to other contacts and orders, written replies, the
//! close and reopen steps of the lifecycle, and the customer notices written
//! with each customer-visible status change. Every change appends its event
//! in the same transaction; a notice is written in the transaction of the
//! status change it tells of, so there is never one without the other.
//!
//! The store formats nothing for people: the text of a notice comes from a
//! [`NoticeText`] the server installs on the store handle at start
//! ([`Store::set_notice_text`]); without one, the text is the message key.

use std::sync::{Arc, RwLock};

use domain::contact::Status;
use domain::contact_work::{self as work, LinkKind, LinkTarget, Notice};
use domain::events as ev;
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::AuditActor;
use crate::contacts::{change, Change, Contact};
use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};

/// Renders the text of a customer notice.
pub trait NoticeText: Send + Sync {
    /// The text of `notice` about contact number `contact_id`, in `locale`
    /// (`ru`, `kk` or `en`; anything else is the renderer's default).
    fn text(&self, locale: &str, notice: Notice, contact_id: i64) -> String;

    /// The text of an order notice (`domain::notice::ORDER_NOTICE_KEYS`)
    /// about order `number`; the message key when not implemented.
    fn order_text(&self, locale: &str, key: &str, number: i64, carrier: &str, tracking: &str) -> String {
        let _ = (locale, number, carrier, tracking);
        key.to_string()
    }
}

/// Where a store handle keeps its renderer (shared by clones).
#[derive(Clone, Default)]
pub struct NoticeSlot(Arc<RwLock<Option<Arc<dyn NoticeText>>>>);

impl NoticeSlot {
    fn render(&self, locale: &str, notice: Notice, contact_id: i64) -> String {
        let guard = self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        match guard.as_ref() {
            Some(r) => r.text(locale, notice, contact_id),
            None => notice.key().to_string(),
        }
    }

    fn render_order(&self, locale: &str, key: &str, number: i64, carrier: &str, tracking: &str) -> String {
        let guard = self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        match guard.as_ref() {
            Some(r) => r.order_text(locale, key, number, carrier, tracking),
            None => key.to_string(),
        }
    }
}

/// What an order notice says: the order number, its carrier and tracking number.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OrderNotice<'a> {
    pub key: &'a str,
    pub order_id: i64,
    pub carrier: &'a str,
    pub tracking: &'a str,
}

/// An internal note on a contact (staff only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub id: i64,
    pub contact_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: i64,
}

/// What is known of an attachment without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentMeta {
    pub id: i64,
    pub contact_id: i64,
    pub author_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

/// An attachment with its bytes (for download).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub meta: AttachmentMeta,
    pub content: Vec<u8>,
}

/// A link between a contact and another contact or an order. Listed for
/// both contacts of a contact link; `contact_id` is the one it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub id: i64,
    pub contact_id: i64,
    pub kind: LinkKind,
    pub target_contact_id: Option<i64>,
    pub order_ref: Option<String>,
    pub author_id: Option<i64>,
    pub created_at: i64,
}

/// A written reply recorded on a contact, waiting for its channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    pub id: i64,
    pub contact_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub channel: String,
    pub template_id: Option<i64>,
    pub body: String,
    /// `pending` until a channel delivers it.
    pub status: String,
    pub created_at: i64,
}

/// A notice to the customer about a status change of their contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub contact_id: i64,
    pub customer_id: i64,
    pub channel: String,
    pub template_key: String,
    pub locale: String,
    pub body: String,
    /// `pending → sending → sent | failed | undeliverable` (see `store::notices`).
    pub status: String,
    pub created_at: i64,
    /// How it went (`email`, `chat`, `sms`, `messenger`); empty until tried.
    pub via: String,
    /// The address used, in full (show it masked).
    pub address: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    /// The last error, or the reason it is undeliverable.
    pub last_error: String,
    pub sent_at: Option<i64>,
}

fn fk_as(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound(what),
        _ => StoreError::Db(e),
    }
}

async fn contact_exists(tx: &mut Transaction<'static, Any>, id: i64) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE id = $1").bind(id).fetch_one(&mut **tx).await?;
    Ok(n > 0)
}

/// Inserts a link with its `contact.linked` event inside `tx`; returns the link id.
pub(crate) async fn insert_link(
    tx: &mut Transaction<'static, Any>,
    contact_id: i64,
    kind: LinkKind,
    target_id: Option<i64>,
    order_ref: Option<&str>,
    by: &AuditActor,
    at: i64,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contact_links (contact_id, kind, target_contact_id, order_ref, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(contact_id)
    .bind(kind.as_str())
    .bind(target_id)
    .bind(order_ref)
    .bind(by.user_id)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    let payload = json!({"link_id": id, "kind": kind.as_str(), "contact_id": target_id, "order_ref": order_ref});
    events::append(tx, &NewEvent { at, kind: ev::CONTACT_LINKED, refs: refs(contact_id, by), payload }).await?;
    Ok(id)
}

/// Stores a file on a contact inside `tx` with its `contact.attachment_added`
/// event. The name is sanitised, the type reduced to `type/subtype`; an
/// empty or too large file is refused.
pub(crate) async fn insert_attachment(
    tx: &mut Transaction<'static, Any>,
    contact_id: i64,
    by: &AuditActor,
    filename: &str,
    content_type: &str,
    content: &[u8],
    at: i64,
) -> Result<AttachmentMeta> {
    let filename = work::validate_attachment(filename, content.len())?;
    let content_type = work::sanitize_content_type(content_type);
    let size = content.len() as i64;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contact_attachments (contact_id, author_id, filename, content_type, size, content, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(contact_id)
    .bind(by.user_id)
    .bind(&filename)
    .bind(&content_type)
    .bind(size)
    .bind(content)
    .bind(at)
    .fetch_one(&mut **tx)
    .await
    .map_err(fk_as("contact"))?;
    let payload = json!({"attachment_id": id, "filename": filename, "content_type": content_type, "size": size});
    events::append(tx, &NewEvent { at, kind: ev::CONTACT_ATTACHMENT_ADDED, refs: refs(contact_id, by), payload })
        .await?;
    Ok(AttachmentMeta { id, contact_id, author_id: by.user_id, filename, content_type, size, created_at: at })
}

fn refs(contact_id: i64, by: &AuditActor) -> EventRefs {
    EventRefs { contact_id: Some(contact_id), agent_id: by.user_id, ..Default::default() }
}

impl Store {
    /// Installs the renderer of customer notices (the server does at start).
    pub fn set_notice_text(&self, renderer: Arc<dyn NoticeText>) {
        let mut slot = self.notices.0.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Some(renderer);
    }

    /// Writes an order's customer notice inside its transaction, like
    /// [`Store::notify`]: on the order contact's channel, in the customer's language.
    pub(crate) async fn notify_order(
        &self,
        tx: &mut Transaction<'static, Any>,
        contact_id: i64,
        n: OrderNotice<'_>,
        at: i64,
    ) -> Result<()> {
        let row = sqlx::query(
            "SELECT c.channel, c.customer_id, cu.locale FROM contacts c JOIN customers cu ON cu.id = c.customer_id \
             WHERE c.id = $1",
        )
        .bind(contact_id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else { return Ok(()) };
        let channel: String = row.try_get("channel")?;
        let customer_id: i64 = row.try_get("customer_id")?;
        let locale: String = row.try_get("locale")?;
        let body = self.notices.render_order(&locale, n.key, n.order_id, n.carrier, n.tracking);
        sqlx::query(
            "INSERT INTO notifications (contact_id, customer_id, channel, template_key, locale, body, status, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)",
        )
        .bind(contact_id)
        .bind(customer_id)
        .bind(&channel)
        .bind(n.key)
        .bind(&locale)
        .bind(&body)
        .bind(at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Writes the notice of a status change inside its transaction: to the
    /// contact's customer, on the contact's channel, in the customer's
    /// language. A contact without a customer has no one to tell.
    pub(crate) async fn notify(
        &self,
        tx: &mut Transaction<'static, Any>,
        contact_id: i64,
        notice: Notice,
        at: i64,
    ) -> Result<()> {
        let row = sqlx::query(
            "SELECT c.channel, c.customer_id, cu.locale FROM contacts c JOIN customers cu ON cu.id = c.customer_id \
             WHERE c.id = $1",
        )
        .bind(contact_id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else { return Ok(()) };
        let channel: String = row.try_get("channel")?;
        let customer_id: i64 = row.try_get("customer_id")?;
        let locale: String = row.try_get("locale")?;
        let body = self.notices.render(&locale, notice, contact_id);
        sqlx::query(
            "INSERT INTO notifications (contact_id, customer_id, channel, template_key, locale, body, status, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)",
        )
        .bind(contact_id)
        .bind(customer_id)
        .bind(&channel)
        .bind(notice.key())
        .bind(&locale)
        .bind(&body)
        .bind(at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Applies a status change and writes its customer notice, if any, in one transaction.
    pub(crate) async fn apply_change_notify(&self, c: Change<'_>, notice: Option<Notice>) -> Result<()> {
        let (id, at) = (c.id, c.at);
        let mut tx = self.begin().await?;
        change(&mut tx, c).await?;
        if let Some(n) = notice {
            self.notify(&mut tx, id, n, at).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds an internal note to a contact.
    pub async fn add_note(&self, contact_id: i64, by: &AuditActor, text: &str) -> Result<Note> {
        work::validate_note(text)?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contact_notes (contact_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(contact_id)
        .bind(by.user_id)
        .bind(text)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(fk_as("contact"))?;
        let payload = json!({"note_id": id, "chars": text.chars().count()});
        events::append(&mut tx, &NewEvent { at, kind: ev::CONTACT_NOTE_ADDED, refs: refs(contact_id, by), payload })
            .await?;
        tx.commit().await?;
        let note = self.contact_notes(contact_id).await?.into_iter().find(|n| n.id == id);
        note.ok_or(StoreError::NotFound("note"))
    }

    /// The notes of a contact, oldest first, with their authors' names.
    pub async fn contact_notes(&self, contact_id: i64) -> Result<Vec<Note>> {
        let rows = sqlx::query(
            "SELECT n.id, n.contact_id, n.author_id, u.name AS author_name, n.body, n.created_at \
             FROM contact_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.contact_id = $1 ORDER BY n.id",
        )
        .bind(contact_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Note {
                    id: r.try_get("id")?,
                    contact_id: r.try_get("contact_id")?,
                    author_id: r.try_get("author_id")?,
                    author_name: r.try_get("author_name")?,
                    body: r.try_get("body")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Stores a file on a contact. The name is sanitised, the type reduced to
    /// `type/subtype`; an empty or too large file is refused.
    pub async fn add_attachment(
        &self,
        contact_id: i64,
        by: &AuditActor,
        filename: &str,
        content_type: &str,
        content: &[u8],
    ) -> Result<AttachmentMeta> {
        let mut tx = self.begin().await?;
        let meta = insert_attachment(&mut tx, contact_id, by, filename, content_type, content, now_ms()).await?;
        tx.commit().await?;
        Ok(meta)
    }

    /// The attachments of a contact without their bytes, oldest first.
    pub async fn contact_attachments(&self, contact_id: i64) -> Result<Vec<AttachmentMeta>> {
        let rows = sqlx::query(
            "SELECT id, contact_id, author_id, filename, content_type, size, created_at FROM contact_attachments \
             WHERE contact_id = $1 ORDER BY id",
        )
        .bind(contact_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(attachment_meta).collect()
    }

    /// One attachment of a contact with its bytes.
    pub async fn attachment(&self, contact_id: i64, id: i64) -> Result<Option<Attachment>> {
        let row = sqlx::query(
            "SELECT id, contact_id, author_id, filename, content_type, size, created_at, content \
             FROM contact_attachments WHERE contact_id = $1 AND id = $2",
        )
        .bind(contact_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| Ok(Attachment { meta: attachment_meta(&r)?, content: r.try_get("content")? })).transpose()
    }

    /// Links a contact to another contact or to an order. The other contact
    /// must exist and differ; the same link twice is a conflict.
    pub async fn link_contact(&self, contact_id: i64, target: &LinkTarget, by: &AuditActor) -> Result<Link> {
        let (target_id, order_ref) = match target {
            LinkTarget::Contact { id, .. } if *id == contact_id => {
                return Err(domain::validate::Invalid { field: "contact_id", code: "link-self" }.into())
            }
            LinkTarget::Contact { id, .. } => (Some(*id), None),
            LinkTarget::Order(r) => (None, Some(r.clone())),
        };
        let kind = target.kind();
        let at = now_ms();
        let mut tx = self.begin().await?;
        if !contact_exists(&mut tx, contact_id).await? {
            return Err(StoreError::NotFound("contact"));
        }
        if let Some(t) = target_id {
            if !contact_exists(&mut tx, t).await? {
                return Err(StoreError::NotFound("linked contact"));
            }
        }
        let twice: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM contact_links WHERE contact_id = $1 AND kind = $2 \
             AND (target_contact_id = $3 OR order_ref = $4)",
        )
        .bind(contact_id)
        .bind(kind.as_str())
        .bind(target_id)
        .bind(order_ref.as_deref())
        .fetch_one(&mut *tx)
        .await?;
        if twice > 0 {
            return Err(StoreError::Conflict("link"));
        }
        let id = insert_link(&mut tx, contact_id, kind, target_id, order_ref.as_deref(), by, at).await?;
        tx.commit().await?;
        Ok(Link {
            id,
            contact_id,
            kind,
            target_contact_id: target_id,
            order_ref,
            author_id: by.user_id,
            created_at: at,
        })
    }

    /// Links made from or to a contact, oldest first.
    pub async fn contact_links(&self, contact_id: i64) -> Result<Vec<Link>> {
        let rows = sqlx::query(
            "SELECT id, contact_id, kind, target_contact_id, order_ref, author_id, created_at FROM contact_links \
             WHERE contact_id = $1 OR target_contact_id = $1 ORDER BY id",
        )
        .bind(contact_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(Link {
                    id: r.try_get("id")?,
                    contact_id: r.try_get("contact_id")?,
                    kind: LinkKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("unknown link kind {kind:?}")))?,
                    target_contact_id: r.try_get("target_contact_id")?,
                    order_ref: r.try_get("order_ref")?,
                    author_id: r.try_get("author_id")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Records a written reply to the customer on the contact's channel
    /// (`pending`: the channels deliver it later).
    pub async fn record_reply(
        &self,
        contact_id: i64,
        by: &AuditActor,
        template_id: Option<i64>,
        text: &str,
    ) -> Result<Reply> {
        work::validate_reply(text)?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let channel: Option<String> = sqlx::query_scalar("SELECT channel FROM contacts WHERE id = $1")
            .bind(contact_id)
            .fetch_optional(&mut *tx)
            .await?;
        let channel = channel.ok_or(StoreError::NotFound("contact"))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contact_replies (contact_id, author_id, channel, template_id, body, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id",
        )
        .bind(contact_id)
        .bind(by.user_id)
        .bind(&channel)
        .bind(template_id)
        .bind(text)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let payload = json!({"reply_id": id, "channel": channel, "template_id": template_id});
        events::append(
            &mut tx,
            &NewEvent { at, kind: ev::CONTACT_REPLY_RECORDED, refs: refs(contact_id, by), payload },
        )
        .await?;
        tx.commit().await?;
        let reply = self.contact_replies(contact_id).await?.into_iter().find(|r| r.id == id);
        reply.ok_or(StoreError::NotFound("reply"))
    }

    /// The replies recorded on a contact, oldest first.
    pub async fn contact_replies(&self, contact_id: i64) -> Result<Vec<Reply>> {
        let rows = sqlx::query(
            "SELECT r.id, r.contact_id, r.author_id, u.name AS author_name, r.channel, r.template_id, r.body, \
             r.status, r.created_at FROM contact_replies r LEFT JOIN users u ON u.id = r.author_id \
             WHERE r.contact_id = $1 ORDER BY r.id",
        )
        .bind(contact_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Reply {
                    id: r.try_get("id")?,
                    contact_id: r.try_get("contact_id")?,
                    author_id: r.try_get("author_id")?,
                    author_name: r.try_get("author_name")?,
                    channel: r.try_get("channel")?,
                    template_id: r.try_get("template_id")?,
                    body: r.try_get("body")?,
                    status: r.try_get("status")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// The notices written for a contact's customer, oldest first.
    pub async fn contact_notifications(&self, contact_id: i64) -> Result<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT id, contact_id, customer_id, channel, template_key, locale, body, status, created_at, via, \
             address, attempts, next_attempt_at, last_error, sent_at FROM notifications WHERE contact_id = $1 ORDER BY id",
        )
        .bind(contact_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Notification {
                    id: r.try_get("id")?,
                    contact_id: r.try_get("contact_id")?,
                    customer_id: r.try_get("customer_id")?,
                    channel: r.try_get("channel")?,
                    template_key: r.try_get("template_key")?,
                    locale: r.try_get("locale")?,
                    body: r.try_get("body")?,
                    status: r.try_get("status")?,
                    created_at: r.try_get("created_at")?,
                    via: r.try_get("via")?,
                    address: r.try_get("address")?,
                    attempts: r.try_get("attempts")?,
                    next_attempt_at: r.try_get("next_attempt_at")?,
                    last_error: r.try_get("last_error")?,
                    sent_at: r.try_get("sent_at")?,
                })
            })
            .collect()
    }

    /// Closes a resolved contact for good; refused (`Conflict`) from any other status.
    pub async fn close_contact(&self, id: i64, by: &AuditActor) -> Result<()> {
        self.apply_change_notify(
            Change {
                id,
                from: &[Status::Resolved],
                to: Status::Closed,
                operator: None,
                queue: None,
                held_by: None,
                wrapup: None,
                kind: ev::CONTACT_CASE_CLOSED,
                payload: json!({"by": by.user_id}),
                at: now_ms(),
            },
            Some(Notice::Closed),
        )
        .await
    }

    /// Reopens a resolved or closed contact: back to its queue (or `to_queue`)
    /// with no operator, the reason in the event. Returns the contact as it
    /// now is, for routing.
    pub async fn reopen_contact(
        &self,
        id: i64,
        to_queue: Option<i64>,
        reason: &str,
        by: &AuditActor,
    ) -> Result<Contact> {
        if reason.trim().is_empty() || reason.chars().count() > 500 {
            return Err(domain::validate::Invalid { field: "reason", code: "reopen-reason-required" }.into());
        }
        let before = self.contact(id).await?.ok_or(StoreError::NotFound("contact"))?;
        let queue = to_queue
            .or(before.queue_id)
            .ok_or(domain::validate::Invalid { field: "queue_id", code: "reopen-queue-required" })?;
        self.apply_change_notify(
            Change {
                id,
                from: &[Status::Resolved, Status::Closed],
                to: Status::Queued,
                operator: Some(None),
                queue: Some(queue),
                held_by: None,
                wrapup: None,
                kind: ev::CONTACT_REOPENED,
                payload: json!({"from": before.status.as_str(), "reason": reason, "by": by.user_id,
                    "previous_operator": before.operator_id}),
                at: now_ms(),
            },
            Some(Notice::Reopened),
        )
        .await
        .map_err(|e| match e {
            StoreError::Db(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => StoreError::NotFound("queue"),
            other => other,
        })?;
        self.contact(id).await?.ok_or(StoreError::NotFound("contact"))
    }
}

fn attachment_meta(r: &sqlx::any::AnyRow) -> Result<AttachmentMeta> {
    Ok(AttachmentMeta {
        id: r.try_get("id")?,
        contact_id: r.try_get("contact_id")?,
        author_id: r.try_get("author_id")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        created_at: r.try_get("created_at")?,
    })
}
