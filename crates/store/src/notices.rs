//! Delivery of customer notices (migration 0018): the status of each
//! `notifications` row goes `pending → sending → sent | failed |
//! undeliverable`, with the way it went (`via`), the address used, attempts,
//! the next attempt time, the last error and when it was sent.
//!
//! **Claims.** [`Store::claim_due_notices`] takes due notices (pending and
//! due, or `sending` longer than the stale timeout: a worker that vanished)
//! by a conditional update per row that also counts the attempt, so of two
//! workers racing for one notice exactly one wins. The attempt number is the
//! claim's token: [`Store::record_notice_outcome`] only records when the row
//! is still `sending` at that attempt, so a worker overtaken after the
//! timeout cannot overwrite the newer attempt's outcome.
//!
//! **Outcomes** are recorded with their event in one transaction:
//! `notice.sent`; a temporary failure goes back to `pending` with a back-off
//! (`domain::notice::retry_delay_ms`, event `notice.retry_scheduled`); a
//! permanent one, or the last attempt, is `failed` (`notice.failed`); no way
//! to reach the customer is `undeliverable` with the reason
//! (`notice.undeliverable`).
//!
//! Also the notice gateways (SMS / messenger webhooks), each change with its
//! event and audit row; their authorisation header is stored sealed by the
//! server.

use domain::events as ev;
use domain::notice as rules;
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, AuditActor};
use crate::events::{self, EventRefs, NewEvent};
use crate::mail::Mailbox;
use crate::{now_ms, Result, Store, StoreError};

/// A claimed notice with everything routing and sending need.
#[derive(Debug, Clone)]
pub struct DueNotice {
    pub id: i64,
    pub contact_id: i64,
    pub customer_id: i64,
    /// The contact's channel when the notice was written.
    pub channel: String,
    pub template_key: String,
    pub locale: String,
    pub body: String,
    /// This attempt's number (1 for the first); the claim's token.
    pub attempt: i64,
    pub created_at: i64,
    pub queue_id: Option<i64>,
    pub customer_name: String,
    /// Consent to personal-data processing.
    pub consent: bool,
    /// The customer's identities by kind, oldest first.
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub chats: Vec<String>,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeOutcome {
    /// Handed to the channel.
    Sent { via: String, address: String },
    /// Not delivered; `permanent` failures are not retried.
    Failed { via: String, address: String, error: String, permanent: bool },
    /// No way to reach the customer (reason from `domain::notice::Undeliverable`).
    Undeliverable { reason: String },
}

/// What recording an outcome did to the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Sent,
    /// Back to `pending` until this time.
    RetryAt(i64),
    Failed,
    Undeliverable,
    /// The claim was lost (another worker took the notice after the timeout):
    /// nothing was written.
    Stale,
}

/// A notice gateway as stored (the sealed header is the server's to open).
#[derive(Debug, Clone, Serialize)]
pub struct NoticeGateway {
    pub id: i64,
    /// `sms` or `messenger`.
    pub kind: String,
    pub name: String,
    pub url: String,
    #[serde(skip)]
    pub auth_header_sealed: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A gateway's settings as an administrator gives them. `auth_header_sealed`
/// `None` keeps the stored value (on create: none); `Some("")` clears it.
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    pub kind: String,
    pub name: String,
    pub url: String,
    pub auth_header_sealed: Option<String>,
    pub active: bool,
}

const GATEWAY_COLUMNS: &str = "id, kind, name, url, auth_header, active, created_at, updated_at";

fn gateway_from_row(r: &sqlx::any::AnyRow) -> Result<NoticeGateway> {
    Ok(NoticeGateway {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        url: r.try_get("url")?,
        auth_header_sealed: r.try_get("auth_header")?,
        active: crate::to_bool(r.try_get("active")?),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Claims up to `limit` due notices at time `now`: `pending` ones whose
    /// next attempt is due, and `sending` ones claimed before
    /// `now - stale_after_ms`. Each is taken by a conditional update that
    /// counts the attempt, so two workers never take the same one.
    pub async fn claim_due_notices(&self, now: i64, stale_after_ms: i64, limit: i64) -> Result<Vec<DueNotice>> {
        let stale_before = now - stale_after_ms;
        let candidates = sqlx::query(
            "SELECT id, status, attempts FROM notifications WHERE (status = 'pending' AND next_attempt_at <= $1) \
             OR (status = 'sending' AND claimed_at < $2) ORDER BY id LIMIT $3",
        )
        .bind(now)
        .bind(stale_before)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        let mut claimed = Vec::new();
        for c in &candidates {
            let id: i64 = c.try_get("id")?;
            let status: String = c.try_get("status")?;
            let attempts: i64 = c.try_get("attempts")?;
            let n = sqlx::query(
                "UPDATE notifications SET status = 'sending', claimed_at = $1, attempts = attempts + 1 \
                 WHERE id = $2 AND status = $3 AND attempts = $4 \
                 AND ((status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND claimed_at < $5))",
            )
            .bind(now)
            .bind(id)
            .bind(&status)
            .bind(attempts)
            .bind(stale_before)
            .execute(&self.write)
            .await?
            .rows_affected();
            if n == 1 {
                claimed.push((id, attempts + 1));
            }
        }
        let mut out = Vec::with_capacity(claimed.len());
        for (id, attempt) in claimed {
            if let Some(d) = self.due_notice(id, attempt).await? {
                out.push(d);
            }
        }
        Ok(out)
    }

    async fn due_notice(&self, id: i64, attempt: i64) -> Result<Option<DueNotice>> {
        let row = sqlx::query(
            "SELECT n.id, n.contact_id, n.channel, n.template_key, n.locale, n.body, n.created_at, \
             c.customer_id AS current_customer, n.customer_id, c.queue_id, cu.full_name, cu.consent \
             FROM notifications n JOIN contacts c ON c.id = n.contact_id \
             JOIN customers cu ON cu.id = COALESCE(c.customer_id, n.customer_id) WHERE n.id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        let Some(r) = row else { return Ok(None) };
        // A merge moves the contact to the surviving customer: tell that one.
        let customer_id: i64 = r.try_get::<Option<i64>, _>("current_customer")?.unwrap_or(r.try_get("customer_id")?);
        let mut d = DueNotice {
            id,
            contact_id: r.try_get("contact_id")?,
            customer_id,
            channel: r.try_get("channel")?,
            template_key: r.try_get("template_key")?,
            locale: r.try_get("locale")?,
            body: r.try_get("body")?,
            attempt,
            created_at: r.try_get("created_at")?,
            queue_id: r.try_get("queue_id")?,
            customer_name: r.try_get("full_name")?,
            consent: crate::to_bool(r.try_get("consent")?),
            emails: Vec::new(),
            phones: Vec::new(),
            chats: Vec::new(),
        };
        for i in self.customer_identities(customer_id).await? {
            match i.kind {
                domain::customer::IdentityKind::Email => d.emails.push(i.value),
                domain::customer::IdentityKind::Phone => d.phones.push(i.value),
                domain::customer::IdentityKind::Chat => d.chats.push(i.value),
            }
        }
        Ok(Some(d))
    }

    /// Records how attempt `attempt` of notice `id` ended, with its event, in
    /// one transaction (see the module docs). A lost claim writes nothing.
    pub async fn record_notice_outcome(
        &self,
        id: i64,
        attempt: i64,
        outcome: &NoticeOutcome,
        now: i64,
    ) -> Result<Recorded> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT contact_id, customer_id FROM notifications WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("notice"))?;
        let refs = EventRefs {
            contact_id: Some(row.try_get("contact_id")?),
            customer_id: Some(row.try_get("customer_id")?),
            ..Default::default()
        };
        let (status, via, address, error, next_at, sent_at, recorded) = match outcome {
            NoticeOutcome::Sent { via, address } => {
                ("sent", via.as_str(), address.as_str(), "", 0, Some(now), Recorded::Sent)
            }
            NoticeOutcome::Failed { via, address, error, permanent } => {
                match rules::retry_delay_ms(attempt).filter(|_| !permanent) {
                    Some(delay) => (
                        "pending",
                        via.as_str(),
                        address.as_str(),
                        error.as_str(),
                        now + delay,
                        None,
                        Recorded::RetryAt(now + delay),
                    ),
                    None => ("failed", via.as_str(), address.as_str(), error.as_str(), 0, None, Recorded::Failed),
                }
            }
            NoticeOutcome::Undeliverable { reason } => {
                ("undeliverable", "", "", reason.as_str(), 0, None, Recorded::Undeliverable)
            }
        };
        let n = sqlx::query(
            "UPDATE notifications SET status = $1, via = $2, address = $3, last_error = $4, next_attempt_at = $5, \
             sent_at = $6, claimed_at = NULL WHERE id = $7 AND status = 'sending' AND attempts = $8",
        )
        .bind(status)
        .bind(via)
        .bind(address)
        .bind(error)
        .bind(next_at)
        .bind(sent_at)
        .bind(id)
        .bind(attempt)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(Recorded::Stale);
        }
        let masked = rules::masked_address(via, address);
        let (kind, payload) = match recorded {
            Recorded::Sent => (ev::NOTICE_SENT, json!({"notice_id": id, "via": via, "to": masked, "attempt": attempt})),
            Recorded::RetryAt(at) => (
                ev::NOTICE_RETRY,
                json!({"notice_id": id, "via": via, "to": masked, "attempt": attempt, "error": error, "next_attempt_at": at}),
            ),
            Recorded::Failed => (
                ev::NOTICE_FAILED,
                json!({"notice_id": id, "via": via, "to": masked, "attempt": attempt, "error": error}),
            ),
            _ => (ev::NOTICE_UNDELIVERABLE, json!({"notice_id": id, "reason": error})),
        };
        events::append(&mut tx, &NewEvent { at: now, kind, refs, payload }).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    /// The mailbox a notice about `contact_id` goes out from: the one that
    /// received the contact's first letter, else an active one whose queue
    /// is the contact's, else the first active mailbox.
    pub async fn notice_mailbox(&self, contact_id: i64) -> Result<Option<Mailbox>> {
        let cols = crate::mail::COLUMNS.split(", ").map(|c| format!("m.{}", c.trim())).collect::<Vec<_>>().join(", ");
        let own = sqlx::query(&format!(
            "SELECT {cols} FROM email_messages e JOIN mailboxes m ON m.id = e.mailbox_id \
             WHERE e.contact_id = $1 AND e.direction = 'in' AND m.active = 1 ORDER BY e.id LIMIT 1"
        ))
        .bind(contact_id)
        .fetch_optional(self.reader())
        .await?;
        if let Some(r) = own {
            return crate::mail::from_row(&r).map(Some);
        }
        let by_queue = sqlx::query(&format!(
            "SELECT {cols} FROM mailboxes m JOIN contacts c ON c.queue_id = m.queue_id \
             WHERE c.id = $1 AND m.active = 1 ORDER BY m.id LIMIT 1"
        ))
        .bind(contact_id)
        .fetch_optional(self.reader())
        .await?;
        if let Some(r) = by_queue {
            return crate::mail::from_row(&r).map(Some);
        }
        let first = sqlx::query(&format!("SELECT {cols} FROM mailboxes m WHERE m.active = 1 ORDER BY m.id LIMIT 1"))
            .fetch_optional(self.reader())
            .await?;
        first.map(|r| crate::mail::from_row(&r)).transpose()
    }

    /// Stores a notice letter sent (or refused) by SMTP, so a customer's
    /// answer to it threads into the contact by its Message-ID.
    /// Event `notice.letter_kept`.
    pub async fn record_notice_letter(
        &self,
        notice_id: i64,
        letter: &crate::mail::OutgoingLetter,
        sent: bool,
        detail: &str,
    ) -> Result<()> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO email_messages (mailbox_id, contact_id, reply_id, direction, message_id, in_reply_to, \
             references_ids, from_address, to_address, subject, body_text, disposition, detail, created_at) \
             VALUES ($1, $2, NULL, 'out', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(letter.mailbox_id)
        .bind(letter.contact_id)
        .bind(&letter.message_id)
        .bind(&letter.in_reply_to)
        .bind(letter.references.join(" "))
        .bind(&letter.from_address)
        .bind(&letter.to_address)
        .bind(&letter.subject)
        .bind(&letter.body)
        .bind(if sent { "sent" } else { "failed" })
        .bind(detail)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let refs = EventRefs { contact_id: Some(letter.contact_id), ..Default::default() };
        let payload = json!({"notice_id": notice_id, "message_id": letter.message_id, "sent": sent});
        events::append(&mut tx, &NewEvent { at, kind: ev::NOTICE_LETTER_KEPT, refs, payload }).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a notice gateway (event `notice_gateway.created` and its audit entry).
    pub async fn create_notice_gateway(&self, s: &GatewaySettings, actor: &AuditActor) -> Result<NoticeGateway> {
        rules::validate_gateway(&s.kind, &s.name, &s.url)?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO notice_gateways (kind, name, url, auth_header, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {GATEWAY_COLUMNS}"
        ))
        .bind(&s.kind)
        .bind(s.name.trim())
        .bind(s.url.trim())
        .bind(s.auth_header_sealed.clone().unwrap_or_default())
        .bind(i64::from(s.active))
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let g = gateway_from_row(&row)?;
        record_gateway(&mut tx, &g, ev::NOTICE_GATEWAY_CREATED, actor, at).await?;
        tx.commit().await?;
        Ok(g)
    }

    /// Changes a notice gateway (event `notice_gateway.changed` and its audit entry).
    pub async fn update_notice_gateway(
        &self,
        id: i64,
        s: &GatewaySettings,
        actor: &AuditActor,
    ) -> Result<NoticeGateway> {
        rules::validate_gateway(&s.kind, &s.name, &s.url)?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let before: String = sqlx::query_scalar("SELECT auth_header FROM notice_gateways WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("gateway"))?;
        let row = sqlx::query(&format!(
            "UPDATE notice_gateways SET kind = $1, name = $2, url = $3, auth_header = $4, active = $5, updated_at = $6 \
             WHERE id = $7 RETURNING {GATEWAY_COLUMNS}"
        ))
        .bind(&s.kind)
        .bind(s.name.trim())
        .bind(s.url.trim())
        .bind(s.auth_header_sealed.clone().unwrap_or(before))
        .bind(i64::from(s.active))
        .bind(at)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let g = gateway_from_row(&row)?;
        record_gateway(&mut tx, &g, ev::NOTICE_GATEWAY_CHANGED, actor, at).await?;
        tx.commit().await?;
        Ok(g)
    }

    pub async fn notice_gateways(&self) -> Result<Vec<NoticeGateway>> {
        let rows = sqlx::query(&format!("SELECT {GATEWAY_COLUMNS} FROM notice_gateways ORDER BY id"))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(gateway_from_row).collect()
    }

    /// The first active gateway of `kind`.
    pub async fn active_notice_gateway(&self, kind: &str) -> Result<Option<NoticeGateway>> {
        let row = sqlx::query(&format!(
            "SELECT {GATEWAY_COLUMNS} FROM notice_gateways WHERE kind = $1 AND active = 1 ORDER BY id LIMIT 1"
        ))
        .bind(kind)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| gateway_from_row(&r)).transpose()
    }
}

/// Administrators' texts of notices: key (`notice-resolved`) → locale → text.
pub type NoticeTexts = std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>;

const NOTICE_TEXTS: &str = "notice_texts";

impl Store {
    /// The administrators' notice texts (empty: the catalogue's everywhere).
    pub async fn notice_texts(&self) -> Result<NoticeTexts> {
        Ok(self.settings_document(NOTICE_TEXTS, "notice texts").await?.unwrap_or_default())
    }

    /// Replaces the administrators' notice texts: keys of `domain::contact_work::Notice`,
    /// locales `ru`/`kk`/`en`, each text checked; event and audit row.
    pub async fn set_notice_texts(&self, texts: &NoticeTexts, actor: &AuditActor) -> Result<()> {
        let mut keys: Vec<&str> = domain::contact_work::Notice::ALL.iter().map(|n| n.key()).collect();
        keys.extend(domain::notice::ORDER_NOTICE_KEYS);
        for (key, by_locale) in texts {
            if !keys.contains(&key.as_str()) {
                return Err(domain::validate::Invalid { field: "key", code: "notice-key-unknown" }.into());
            }
            for (locale, text) in by_locale {
                if !matches!(locale.as_str(), "ru" | "kk" | "en") {
                    return Err(domain::validate::Invalid { field: "locale", code: "invalid-locale" }.into());
                }
                rules::validate_text(text)?;
            }
        }
        let change = crate::settings::SettingsChange {
            key: NOTICE_TEXTS,
            event: ev::NOTICE_TEXTS_CHANGED,
            audit_action: ev::NOTICE_TEXTS_CHANGED,
        };
        self.put_settings_document(&change, texts, actor).await
    }
}

async fn record_gateway(
    tx: &mut Transaction<'static, Any>,
    g: &NoticeGateway,
    kind: &'static str,
    actor: &AuditActor,
    at: i64,
) -> Result<()> {
    // Settings only: the sealed header never enters the log.
    let payload = json!({"gateway_id": g.id, "kind": g.kind, "name": g.name, "url": g.url, "active": g.active,
        "auth_header_set": !g.auth_header_sealed.is_empty()});
    let refs = EventRefs { agent_id: actor.user_id, ..Default::default() };
    events::append(tx, &NewEvent { at, kind, refs, payload: payload.clone() }).await?;
    audit::record_in(tx, actor, kind, &format!("notice_gateway:{}", g.id), &payload.to_string(), at).await
}
