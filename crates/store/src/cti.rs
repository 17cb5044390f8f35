//! Voice through CTI: PBX integrations and the calls they report. Every
//! message is applied in one transaction — the call's state (checked by
//! `domain::cti`), the voice contact's status and the events — so a refused
//! message (unknown call, out of order) leaves nothing behind. The call row
//! carries a version: two messages about one call racing cannot both apply
//! to the same state.

use domain::contact::{Channel, ContactType, Direction, Status};
use domain::cti::{CallEvent, CallMessage, CallState};
use domain::events as ev;
use domain::validate::Invalid;
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, AuditActor};
use crate::contacts::{change, Change};
use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, to_bool, Result, Store, StoreError};

/// A PBX integration: its token (stored hashed) authenticates the webhook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Integration {
    pub id: i64,
    pub name: String,
    /// Where click-to-call sends dial requests.
    pub dial_url: String,
    /// The number shown to callees of outbound calls (the `dial` answer); empty for none.
    pub caller_id: String,
    /// Normalised numbers whose calls are rejected (`busy`).
    pub blocked: Vec<String>,
    /// Extension → operator (user id).
    pub extensions: Vec<(String, i64)>,
    pub active: bool,
    pub created_at: i64,
}

/// An integration to create.
#[derive(Debug, Clone, Default)]
pub struct NewIntegration {
    pub name: String,
    pub dial_url: String,
    pub caller_id: String,
    pub blocked: Vec<String>,
    pub extensions: Vec<(String, i64)>,
}

/// What applying one PBX message did.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutcome {
    pub contact_id: i64,
    /// The operator now on the call (mapped from `user`), if known.
    pub operator_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub state: CallState,
}

/// A call as stored, for its KPIs.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    pub integration_id: i64,
    pub call_id: String,
    pub state: CallState,
    /// When the contact was resolved (the end of after-call work).
    pub resolved_at: Option<i64>,
}

/// A recording of a call: a link, or an uploaded file (an attachment).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recording {
    pub id: i64,
    pub contact_id: i64,
    pub url: Option<String>,
    pub attachment_id: Option<i64>,
    pub created_at: i64,
}

/// A request to be called back: an outbound task due at a time.
#[derive(Debug, Clone)]
pub struct NewCallback {
    /// Any format; normalised (refused when it is no phone number).
    pub number: String,
    /// The code of the queue whose operators call back.
    pub queue: String,
    pub due_at: i64,
    /// Who asked: `pbx` (a full queue) or `web_form`.
    pub source: &'static str,
    /// Unique per source (e.g. the PBX's callId): a repeated request is the same task.
    pub key: String,
}

/// A callback not yet released into its queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PendingCallback {
    pub id: i64,
    pub contact_id: i64,
    pub queue_id: i64,
    pub number: String,
    pub due_at: i64,
}

/// An uploaded recording file.
pub struct Upload<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

fn invalid(field: &'static str, code: &'static str) -> StoreError {
    StoreError::Invalid(Invalid { field, code })
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

const INTEGRATION_COLUMNS: &str = "id, name, dial_url, caller_id, blocked, active, created_at";

impl Store {
    /// Creates an integration whose webhook token has hash `token_hash`
    /// (event and audit row in the same transaction). Unknown users in the
    /// extension map are refused with nothing written.
    pub async fn create_cti_integration(
        &self,
        new: &NewIntegration,
        token_hash: &str,
        actor: &AuditActor,
    ) -> Result<Integration> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid("name", "invalid-name"));
        }
        let url = new.dial_url.trim();
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) || url.len() > 500 {
            return Err(invalid("dial_url", "invalid-url"));
        }
        let mut blocked = Vec::new();
        for b in &new.blocked {
            blocked.push(domain::customer::normalize_phone(b).map_err(|_| invalid("blocked", "invalid-phone"))?);
        }
        for (ext, _) in &new.extensions {
            if ext.trim().is_empty() || ext.chars().count() > 64 {
                return Err(invalid("extensions", "invalid-extension"));
            }
        }
        let at = now_ms();
        let blocked_json = serde_json::to_string(&blocked).map_err(corrupt)?;
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cti_integrations (name, token_hash, dial_url, caller_id, blocked, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
        )
        .bind(name)
        .bind(token_hash)
        .bind(url)
        .bind(new.caller_id.trim())
        .bind(&blocked_json)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::conflict_as("integration token"))?;
        for (ext, user) in &new.extensions {
            sqlx::query("INSERT INTO cti_extensions (integration_id, extension, user_id) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(ext.trim())
                .bind(*user)
                .execute(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound("user"),
                    sqlx::Error::Database(d) if d.is_unique_violation() => invalid("extensions", "duplicate-extension"),
                    _ => StoreError::Db(e),
                })?;
        }
        let payload = json!({"integration_id": id, "name": name, "dial_url": url});
        events::append(
            &mut tx,
            &NewEvent { at, kind: ev::CTI_INTEGRATION_CREATED, refs: EventRefs::default(), payload: payload.clone() },
        )
        .await?;
        audit::record_in(&mut tx, actor, "cti.integration_create", &format!("cti:{id}"), &payload.to_string(), at)
            .await?;
        tx.commit().await?;
        self.cti_integration(id).await?.ok_or(StoreError::NotFound("integration"))
    }

    /// Revokes an integration: its token stops working at once.
    pub async fn revoke_cti_integration(&self, id: i64, actor: &AuditActor) -> Result<()> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE cti_integrations SET active = 0 WHERE id = $1 AND active = 1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::NotFound("integration"));
        }
        let payload = json!({"integration_id": id});
        events::append(
            &mut tx,
            &NewEvent { at, kind: ev::CTI_INTEGRATION_REVOKED, refs: EventRefs::default(), payload: payload.clone() },
        )
        .await?;
        audit::record_in(&mut tx, actor, "cti.integration_revoke", &format!("cti:{id}"), &payload.to_string(), at)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn cti_integrations(&self) -> Result<Vec<Integration>> {
        let rows = sqlx::query(&format!("SELECT {INTEGRATION_COLUMNS} FROM cti_integrations ORDER BY id"))
            .fetch_all(self.reader())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.integration_from_row(r).await?);
        }
        Ok(out)
    }

    pub async fn cti_integration(&self, id: i64) -> Result<Option<Integration>> {
        let row = sqlx::query(&format!("SELECT {INTEGRATION_COLUMNS} FROM cti_integrations WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        match row {
            Some(r) => Ok(Some(self.integration_from_row(&r).await?)),
            None => Ok(None),
        }
    }

    /// The active integration whose token has this hash.
    pub async fn cti_integration_by_token(&self, token_hash: &str) -> Result<Option<Integration>> {
        let row = sqlx::query(&format!(
            "SELECT {INTEGRATION_COLUMNS} FROM cti_integrations WHERE token_hash = $1 AND active = 1"
        ))
        .bind(token_hash)
        .fetch_optional(self.reader())
        .await?;
        match row {
            Some(r) => Ok(Some(self.integration_from_row(&r).await?)),
            None => Ok(None),
        }
    }

    async fn integration_from_row(&self, r: &sqlx::any::AnyRow) -> Result<Integration> {
        let id: i64 = r.try_get("id")?;
        let blocked: String = r.try_get("blocked")?;
        let ext =
            sqlx::query("SELECT extension, user_id FROM cti_extensions WHERE integration_id = $1 ORDER BY extension")
                .bind(id)
                .fetch_all(self.reader())
                .await?;
        Ok(Integration {
            id,
            name: r.try_get("name")?,
            dial_url: r.try_get("dial_url")?,
            caller_id: r.try_get("caller_id")?,
            blocked: serde_json::from_str(&blocked).map_err(corrupt)?,
            extensions: ext
                .iter()
                .map(|e| Ok((e.try_get("extension")?, e.try_get("user_id")?)))
                .collect::<Result<Vec<_>>>()?,
            active: to_bool(r.try_get("active")?),
            created_at: r.try_get("created_at")?,
        })
    }

    /// The extension an operator has on an integration (click-to-call rings it).
    pub async fn cti_extension_of(&self, integration_id: i64, user_id: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT extension FROM cti_extensions WHERE integration_id = $1 AND user_id = $2 ORDER BY extension",
        )
        .bind(integration_id)
        .bind(user_id)
        .fetch_optional(self.reader())
        .await?)
    }

    /// Applies one PBX message at `at` (ms) in one transaction. Refused with
    /// nothing written: an event for an unknown call (`callId: unknown-call`),
    /// a second `newCall` for a known one, an event that cannot follow
    /// (`event: out-of-order`), a recording without a link or a file.
    pub async fn apply_call_message(
        &self,
        integration_id: i64,
        msg: &CallMessage,
        at: i64,
        upload: Option<Upload<'_>>,
    ) -> Result<CallOutcome> {
        let mut tx = self.begin().await?;
        let out = apply_in(&mut tx, integration_id, msg, at, upload).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Click-to-call: records the outbound call the PBX accepted to dial
    /// (a new voice contact held by the operator) with the operator's audit
    /// entry. A PBX that already reported the call (its `newCall` came first)
    /// leaves the call as it is.
    pub async fn record_dial(&self, integration_id: i64, msg: &CallMessage, actor: &AuditActor) -> Result<CallOutcome> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let out = match apply_in(&mut tx, integration_id, msg, at, None).await {
            Err(StoreError::Invalid(Invalid { code: "duplicate-call", .. })) => {
                drop(tx);
                tx = self.begin().await?;
                let (contact_id, state, _) =
                    call_row(&mut tx, integration_id, &msg.call_id).await?.ok_or(StoreError::NotFound("call"))?;
                CallOutcome { contact_id, operator_id: actor.user_id, customer_id: None, state }
            }
            other => other?,
        };
        let payload = json!({"integration_id": integration_id, "call_id": msg.call_id, "to": msg.to});
        let refs = EventRefs { contact_id: Some(out.contact_id), agent_id: actor.user_id, ..Default::default() };
        events::append(&mut tx, &NewEvent { at, kind: ev::CALL_DIAL_REQUESTED, refs, payload: payload.clone() })
            .await?;
        audit::record_in(&mut tx, actor, "call.dial", &format!("contact:{}", out.contact_id), &payload.to_string(), at)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Registers a callback request: an outbound voice contact (status
    /// `new`, outside routing until due) with the customer found by number,
    /// its `callbacks` row and events. A repeated request (same source and
    /// key) returns the first one's contact. Unknown queue or bad number:
    /// refused, nothing written.
    pub async fn request_callback(&self, cb: &NewCallback) -> Result<i64> {
        let number = domain::customer::normalize_phone(&cb.number).map_err(|_| invalid("from", "invalid-phone"))?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let contact_id = insert_callback(&mut tx, cb, &number, None, at).await?;
        tx.commit().await?;
        Ok(contact_id)
    }

    /// Callbacks due at `now` and not yet released, earliest first.
    pub async fn due_callbacks(&self, now: i64) -> Result<Vec<PendingCallback>> {
        let rows = sqlx::query(
            "SELECT id, contact_id, queue_id, number, due_at FROM callbacks WHERE released_at IS NULL AND due_at <= $1 \
             ORDER BY due_at, id",
        )
        .bind(now)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingCallback {
                    id: r.try_get("id")?,
                    contact_id: r.try_get("contact_id")?,
                    queue_id: r.try_get("queue_id")?,
                    number: r.try_get("number")?,
                    due_at: r.try_get("due_at")?,
                })
            })
            .collect()
    }

    /// Puts a due callback's contact in its queue (`contact.offered`), once:
    /// a second release is `Conflict`.
    pub async fn release_callback(&self, cb: &PendingCallback, at: i64) -> Result<crate::Contact> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE callbacks SET released_at = $1 WHERE id = $2 AND released_at IS NULL")
            .bind(at)
            .bind(cb.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict("callback release"));
        }
        let payload = json!({"channel": Channel::Voice.as_str(), "callback": true, "due_at": cb.due_at});
        change(
            &mut tx,
            Change {
                id: cb.contact_id,
                from: &[Status::New],
                to: Status::Queued,
                operator: None,
                queue: Some(cb.queue_id),
                held_by: None,
                wrapup: None,
                kind: ev::CONTACT_OFFERED,
                payload,
                at,
            },
        )
        .await?;
        tx.commit().await?;
        self.contact(cb.contact_id).await?.ok_or(StoreError::NotFound("contact"))
    }

    /// The call behind a voice contact, if it came through CTI.
    pub async fn call_of_contact(&self, contact_id: i64) -> Result<Option<CallRecord>> {
        let row = sqlx::query("SELECT integration_id, call_id, state FROM cti_calls WHERE contact_id = $1")
            .bind(contact_id)
            .fetch_optional(self.reader())
            .await?;
        let Some(r) = row else { return Ok(None) };
        let state: String = r.try_get("state")?;
        let resolved_at: Option<i64> =
            sqlx::query_scalar("SELECT MAX(at) FROM events WHERE contact_id = $1 AND kind = $2")
                .bind(contact_id)
                .bind(ev::CONTACT_RESOLVED)
                .fetch_one(self.reader())
                .await?;
        Ok(Some(CallRecord {
            integration_id: r.try_get("integration_id")?,
            call_id: r.try_get("call_id")?,
            state: serde_json::from_str(&state).map_err(corrupt)?,
            resolved_at,
        }))
    }

    /// A contact's recordings, oldest first.
    pub async fn call_recordings(&self, contact_id: i64) -> Result<Vec<Recording>> {
        let rows = sqlx::query(
            "SELECT id, contact_id, url, attachment_id, created_at FROM call_recordings WHERE contact_id = $1 ORDER BY id",
        )
        .bind(contact_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Recording {
                    id: r.try_get("id")?,
                    contact_id: r.try_get("contact_id")?,
                    url: r.try_get("url")?,
                    attachment_id: r.try_get("attachment_id")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }
}

async fn call_row(
    tx: &mut Transaction<'static, Any>,
    integration_id: i64,
    call_id: &str,
) -> Result<Option<(i64, CallState, i64)>> {
    let row =
        sqlx::query("SELECT contact_id, state, version FROM cti_calls WHERE integration_id = $1 AND call_id = $2")
            .bind(integration_id)
            .bind(call_id)
            .fetch_optional(&mut **tx)
            .await?;
    match row {
        None => Ok(None),
        Some(r) => {
            let state: String = r.try_get("state")?;
            Ok(Some((r.try_get("contact_id")?, serde_json::from_str(&state).map_err(corrupt)?, r.try_get("version")?)))
        }
    }
}

/// The operator a PBX `user` names: an active user with that login, else
/// the integration's extension map.
async fn operator_for(tx: &mut Transaction<'static, Any>, integration_id: i64, user: &str) -> Result<Option<i64>> {
    let by_login: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE login = $1 AND active = 1")
        .bind(user)
        .fetch_optional(&mut **tx)
        .await?;
    if by_login.is_some() {
        return Ok(by_login);
    }
    Ok(sqlx::query_scalar("SELECT user_id FROM cti_extensions WHERE integration_id = $1 AND extension = $2")
        .bind(integration_id)
        .bind(user)
        .fetch_optional(&mut **tx)
        .await?)
}

/// The customer whose phone identity is `number` (normalised), if known.
async fn customer_for(tx: &mut Transaction<'static, Any>, number: &str) -> Result<Option<i64>> {
    let Ok(phone) = domain::customer::normalize_phone(number) else { return Ok(None) };
    Ok(sqlx::query_scalar(
        "SELECT i.customer_id FROM customer_identities i JOIN customers c ON c.id = i.customer_id \
         WHERE i.kind = 'phone' AND i.value = $1 AND c.merged_into IS NULL ORDER BY i.customer_id",
    )
    .bind(phone)
    .fetch_optional(&mut **tx)
    .await?)
}

async fn queue_for(tx: &mut Transaction<'static, Any>, code: Option<&str>) -> Result<Option<i64>> {
    let Some(code) = code else { return Ok(None) };
    Ok(sqlx::query_scalar("SELECT id FROM queues WHERE code = $1").bind(code).fetch_optional(&mut **tx).await?)
}

fn secs(ms: i64) -> i64 {
    (ms + 500) / 1000
}

async fn apply_in(
    tx: &mut Transaction<'static, Any>,
    integration_id: i64,
    msg: &CallMessage,
    at: i64,
    upload: Option<Upload<'_>>,
) -> Result<CallOutcome> {
    let operator = match &msg.user {
        Some(u) => operator_for(tx, integration_id, u).await?,
        None => None,
    };
    let queue = queue_for(tx, msg.queue.as_deref()).await?;
    let existing = call_row(tx, integration_id, &msg.call_id).await?;
    let Some((contact_id, before, version)) = existing else {
        if msg.event != CallEvent::NewCall {
            return Err(invalid("callId", "unknown-call"));
        }
        return start_call(tx, integration_id, msg, at, operator, queue).await;
    };
    let after = before.next(msg.event, at)?;
    let row = sqlx::query("SELECT customer_id, operator_id FROM contacts WHERE id = $1")
        .bind(contact_id)
        .fetch_one(&mut **tx)
        .await?;
    let customer_id: Option<i64> = row.try_get("customer_id")?;
    let holder: Option<i64> = row.try_get("operator_id")?;
    let refs = EventRefs {
        contact_id: Some(contact_id),
        agent_id: operator.or(holder),
        queue_id: queue,
        customer_id,
        ..Default::default()
    };
    let base = json!({"call_id": msg.call_id, "event": msg.event.as_str()});
    let status = |from: &'static [Status], to: Status, op: Option<Option<i64>>, kind: &'static str, payload| Change {
        id: contact_id,
        from,
        to,
        operator: op,
        queue: None,
        held_by: None,
        wrapup: None,
        kind,
        payload,
        at,
    };
    let mut now_with = holder;
    match msg.event {
        CallEvent::NewCall => return Err(invalid("callId", "duplicate-call")),
        // Not a step of a call: `request_callback` takes it.
        CallEvent::Callback => return Err(invalid("event", "out-of-order")),
        CallEvent::Queued => {
            // Back from an unanswered offer is a requeue, not a second arrival.
            let kind =
                if before.phase == domain::cti::Phase::Offered { ev::CONTACT_REQUEUED } else { ev::CONTACT_OFFERED };
            let payload = json!({"call_id": msg.call_id, "queue": msg.queue, "channel": Channel::Voice.as_str()});
            change(tx, status(&[Status::New, Status::Offered], Status::Queued, Some(None), kind, payload)).await?;
            now_with = None;
        }
        CallEvent::Offered => {
            change(
                tx,
                status(&[Status::New, Status::Queued], Status::Offered, Some(operator), ev::CONTACT_PRESENTED, base),
            )
            .await?;
            now_with = operator;
        }
        CallEvent::Answer => {
            let t = after.timings(None);
            let who = operator.or(holder);
            let payload = json!({"call_id": msg.call_id, "wait_s": secs(t.wait_ms), "ring_s": secs(t.ring_ms),
                "wait_ms": t.wait_ms, "ring_ms": t.ring_ms});
            // An outbound call is in the operator's work from the dial on.
            let from: &'static [Status] = &[Status::New, Status::Queued, Status::Offered, Status::InWork];
            change(tx, status(from, Status::InWork, Some(who), ev::CONTACT_ANSWERED, payload)).await?;
            now_with = who;
        }
        CallEvent::Hold => {
            events::append(tx, &NewEvent { at, kind: ev::CALL_HELD, refs, payload: base }).await?;
        }
        CallEvent::Unhold => {
            let payload = json!({"call_id": msg.call_id, "hold_ms": after.hold_ms - before.hold_ms});
            events::append(tx, &NewEvent { at, kind: ev::CALL_RESUMED, refs, payload }).await?;
        }
        CallEvent::Transferred => {
            if operator.is_some() {
                sqlx::query("UPDATE contacts SET operator_id = $1, updated_at = $2 WHERE id = $3")
                    .bind(operator)
                    .bind(at)
                    .bind(contact_id)
                    .execute(&mut **tx)
                    .await?;
                now_with = operator;
            }
            let payload = json!({"call_id": msg.call_id, "reason": "pbx", "to_user": msg.user, "to_queue": msg.queue,
                "from_operator": holder});
            events::append(tx, &NewEvent { at, kind: ev::CONTACT_TRANSFERRED, refs, payload }).await?;
        }
        CallEvent::Hangup | CallEvent::Abandoned if after.abandoned => {
            let t = after.timings(None);
            let short = t.wait_ms <= domain::cti::SHORT_ABANDON_S * 1000;
            let payload = json!({"call_id": msg.call_id, "wait_s": secs(t.wait_ms), "wait_ms": t.wait_ms,
                "short": short, "cause": msg.cause});
            let from: &'static [Status] = &[Status::New, Status::Queued, Status::Offered];
            change(tx, status(from, Status::Closed, Some(None), ev::CONTACT_ABANDONED, payload)).await?;
            now_with = None;
        }
        CallEvent::Hangup | CallEvent::Abandoned => {
            let t = after.timings(None);
            let payload = json!({"call_id": msg.call_id, "talk_s": secs(t.talk_ms), "hold_s": secs(t.hold_ms),
                "talk_ms": t.talk_ms, "hold_ms": t.hold_ms, "ring_ms": t.ring_ms, "wait_ms": t.wait_ms,
                "cause": msg.cause});
            events::append(tx, &NewEvent { at, kind: ev::CALL_ENDED, refs, payload }).await?;
        }
        CallEvent::Recording => {
            let attachment = match (&upload, &msg.url) {
                (Some(u), _) => Some(
                    crate::contact_work::insert_attachment(
                        tx,
                        contact_id,
                        &AuditActor { user_id: None, login: "cti".into(), ip: None },
                        u.filename,
                        u.content_type,
                        u.bytes,
                        at,
                    )
                    .await?
                    .id,
                ),
                (None, Some(_)) => None,
                (None, None) => return Err(invalid("url", "required")),
            };
            let url = if attachment.is_some() { None } else { msg.url.clone() };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO call_recordings (contact_id, url, attachment_id, created_at) VALUES ($1, $2, $3, $4) \
                 RETURNING id",
            )
            .bind(contact_id)
            .bind(&url)
            .bind(attachment)
            .bind(at)
            .fetch_one(&mut **tx)
            .await?;
            let payload = json!({"call_id": msg.call_id, "recording_id": id, "url": url, "attachment_id": attachment});
            events::append(tx, &NewEvent { at, kind: ev::CALL_RECORDING_ADDED, refs, payload }).await?;
        }
    }
    let state = serde_json::to_string(&after).map_err(corrupt)?;
    let n = sqlx::query(
        "UPDATE cti_calls SET state = $1, version = version + 1, updated_at = $2 \
         WHERE integration_id = $3 AND call_id = $4 AND version = $5",
    )
    .bind(&state)
    .bind(at)
    .bind(integration_id)
    .bind(&msg.call_id)
    .bind(version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(StoreError::Conflict("call state"));
    }
    Ok(CallOutcome { contact_id, operator_id: now_with, customer_id, state: after })
}

/// `newCall`: a voice contact (status `new`, outside our routing: the PBX
/// routes the call) with the caller identified by number.
async fn start_call(
    tx: &mut Transaction<'static, Any>,
    integration_id: i64,
    msg: &CallMessage,
    at: i64,
    operator: Option<i64>,
    queue: Option<i64>,
) -> Result<CallOutcome> {
    let direction = msg.direction.ok_or(invalid("direction", "required"))?;
    let number = if direction == Direction::Inbound { &msg.from } else { &msg.to };
    let customer_id = customer_for(tx, number).await?;
    // An outbound call is the calling operator's from the start.
    let holder = if direction == Direction::Outbound { operator } else { None };
    let subject = if number.is_empty() { "anonymous".to_string() } else { number.clone() };
    let contact_id: i64 = sqlx::query_scalar(
        "INSERT INTO contacts (channel, direction, contact_type, topic, priority, status, queue_id, operator_id, \
         customer_id, subject, created_at, updated_at) VALUES ($1, $2, $3, '', 0, $4, NULL, $5, $6, $7, $8, $8) \
         RETURNING id",
    )
    .bind(Channel::Voice.as_str())
    .bind(direction.as_str())
    .bind(ContactType::Information.as_str())
    .bind(if holder.is_some() { Status::InWork.as_str() } else { Status::New.as_str() })
    .bind(holder)
    .bind(customer_id)
    .bind(&subject)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    let state = CallState::start(direction, at);
    sqlx::query(
        "INSERT INTO cti_calls (integration_id, call_id, contact_id, state, version, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5)",
    )
    .bind(integration_id)
    .bind(&msg.call_id)
    .bind(contact_id)
    .bind(serde_json::to_string(&state).map_err(corrupt)?)
    .bind(at)
    .execute(&mut **tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => invalid("callId", "duplicate-call"),
        _ => StoreError::Db(e),
    })?;
    let refs = EventRefs {
        contact_id: Some(contact_id),
        agent_id: holder,
        queue_id: queue,
        customer_id,
        ..Default::default()
    };
    let payload = json!({"channel": Channel::Voice.as_str(), "type": ContactType::Information.as_str(), "topic": "",
        "call_id": msg.call_id, "from": msg.from, "to": msg.to, "direction": direction.as_str(), "queue": msg.queue});
    events::append(tx, &NewEvent { at, kind: ev::CONTACT_CREATED, refs, payload }).await?;
    Ok(CallOutcome { contact_id, operator_id: holder, customer_id, state })
}

/// Inserts a callback (its outbound voice contact, the `callbacks` row and
/// `contact.created`) inside `tx` for an already normalised `number`; a
/// repeated (source, key) returns the first one's contact. Also used for the
/// confirmation call of an order (`store::orders`).
pub(crate) async fn insert_callback(
    tx: &mut Transaction<'static, Any>,
    cb: &NewCallback,
    number: &str,
    customer: Option<i64>,
    at: i64,
) -> Result<i64> {
    let known: Option<i64> =
        sqlx::query_scalar("SELECT contact_id FROM callbacks WHERE source = $1 AND request_key = $2")
            .bind(cb.source)
            .bind(&cb.key)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(contact) = known {
        return Ok(contact);
    }
    let queue = queue_for(tx, Some(&cb.queue)).await?.ok_or(invalid("queue", "unknown-queue"))?;
    let customer_id = match customer {
        Some(id) => Some(id),
        None => customer_for(tx, number).await?,
    };
    let contact_id: i64 = sqlx::query_scalar(
            "INSERT INTO contacts (channel, direction, contact_type, topic, priority, status, queue_id, operator_id, \
             customer_id, subject, created_at, updated_at) VALUES ($1, $2, $3, '', 0, 'new', NULL, NULL, $4, $5, $6, $6) \
             RETURNING id",
        )
        .bind(Channel::Voice.as_str())
        .bind(Direction::Outbound.as_str())
        .bind(ContactType::Information.as_str())
        .bind(customer_id)
        .bind(number)
        .bind(at)
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO callbacks (contact_id, number, queue_id, due_at, source, request_key, released_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
    )
    .bind(contact_id)
    .bind(number)
    .bind(queue)
    .bind(cb.due_at)
    .bind(cb.source)
    .bind(&cb.key)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    let refs = EventRefs { contact_id: Some(contact_id), queue_id: Some(queue), customer_id, ..Default::default() };
    let payload = json!({"channel": Channel::Voice.as_str(), "type": ContactType::Information.as_str(), "topic": "",
            "direction": Direction::Outbound.as_str(), "callback": {"number": number, "due_at": cb.due_at,
            "source": cb.source}});
    events::append(tx, &NewEvent { at, kind: ev::CONTACT_CREATED, refs, payload }).await?;
    Ok(contact_id)
}
