//! Contacts and their life: every status change is a conditional update
//! (`WHERE status IN …`) plus its event in one transaction, so two operators
//! racing for the same contact cannot both win, and the event log always
//! matches the table.

use domain::contact::{Channel, ContactType, Direction, Status, WrapUp};
use domain::contact_work::Notice;
use domain::events as ev;
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::AuditActor;
use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};

/// A contact to register.
#[derive(Debug, Clone)]
pub struct NewContact {
    pub channel: Channel,
    pub direction: Direction,
    pub contact_type: ContactType,
    pub topic: String,
    pub priority: i64,
    pub subject: String,
    pub customer_id: Option<i64>,
    pub queue_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    pub id: i64,
    pub channel: Channel,
    pub direction: Direction,
    pub contact_type: ContactType,
    pub topic: String,
    pub priority: i64,
    pub status: Status,
    pub queue_id: Option<i64>,
    pub operator_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub subject: String,
    pub wrapup: Option<WrapUp>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One step of a contact's redirection trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hop {
    pub at: i64,
    pub from_queue_id: Option<i64>,
    pub to_queue_id: Option<i64>,
    pub from_operator_id: Option<i64>,
    pub to_operator_id: Option<i64>,
    pub reason: String,
    pub by_user_id: Option<i64>,
}

const COLUMNS: &str = "id, channel, direction, contact_type, topic, priority, status, queue_id, operator_id, \
                       customer_id, subject, wrapup, created_at, updated_at";

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {v:?}"))
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Contact> {
    let channel: String = r.try_get("channel")?;
    let direction: String = r.try_get("direction")?;
    let contact_type: String = r.try_get("contact_type")?;
    let status: String = r.try_get("status")?;
    let wrapup: Option<String> = r.try_get("wrapup")?;
    Ok(Contact {
        id: r.try_get("id")?,
        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        direction: Direction::parse(&direction).ok_or_else(|| corrupt("direction", &direction))?,
        contact_type: ContactType::parse(&contact_type).ok_or_else(|| corrupt("type", &contact_type))?,
        topic: r.try_get("topic")?,
        priority: r.try_get("priority")?,
        status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        queue_id: r.try_get("queue_id")?,
        operator_id: r.try_get("operator_id")?,
        customer_id: r.try_get("customer_id")?,
        subject: r.try_get("subject")?,
        wrapup: wrapup.map(|w| serde_json::from_str(&w).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// A status change: from any of `from`, to `to`, with the columns to set.
pub(crate) struct Change<'a> {
    pub(crate) id: i64,
    pub(crate) from: &'a [Status],
    pub(crate) to: Status,
    /// `Some(x)`: set operator_id to x (None clears it).
    pub(crate) operator: Option<Option<i64>>,
    pub(crate) queue: Option<i64>,
    /// Only when the contact is held by this operator.
    pub(crate) held_by: Option<i64>,
    pub(crate) wrapup: Option<&'a WrapUp>,
    pub(crate) kind: &'static str,
    pub(crate) payload: serde_json::Value,
    pub(crate) at: i64,
}

/// Applies a change if the contact is in an expected status; `Conflict`
/// otherwise. Appends the event in the same transaction.
pub(crate) async fn change(tx: &mut Transaction<'static, Any>, c: Change<'_>) -> Result<()> {
    let mut sql = String::from("UPDATE contacts SET status = $1, updated_at = $2");
    let mut n = 2;
    let mut next = |col: &str, sql: &mut String| {
        n += 1;
        sql.push_str(&format!(", {col} = ${n}"));
    };
    if c.operator.is_some() {
        next("operator_id", &mut sql);
    }
    if c.queue.is_some() {
        next("queue_id", &mut sql);
    }
    if c.wrapup.is_some() {
        next("wrapup", &mut sql);
    }
    let statuses: Vec<String> = c.from.iter().map(|s| format!("'{}'", s.as_str())).collect();
    n += 1;
    sql.push_str(&format!(" WHERE id = ${n} AND status IN ({})", statuses.join(",")));
    if c.held_by.is_some() {
        n += 1;
        sql.push_str(&format!(" AND operator_id = ${n}"));
    }
    let mut q = sqlx::query(&sql).bind(c.to.as_str()).bind(c.at);
    if let Some(op) = c.operator {
        q = q.bind(op);
    }
    if let Some(queue) = c.queue {
        q = q.bind(queue);
    }
    if let Some(w) = c.wrapup {
        q = q.bind(serde_json::to_string(w).map_err(|e| StoreError::Corrupt(e.to_string()))?);
    }
    q = q.bind(c.id);
    if let Some(op) = c.held_by {
        q = q.bind(op);
    }
    if q.execute(&mut **tx).await?.rows_affected() != 1 {
        return Err(StoreError::Conflict("contact status"));
    }
    let refs = EventRefs {
        contact_id: Some(c.id),
        agent_id: c.operator.flatten().or(c.held_by),
        queue_id: c.queue,
        ..Default::default()
    };
    events::append(tx, &NewEvent { at: c.at, kind: c.kind, refs, payload: c.payload }).await
}

impl Store {
    /// Registers a contact straight into its queue. When this returns the
    /// contact is durable: it is acknowledged.
    pub async fn create_contact(&self, new: &NewContact, actor: &AuditActor) -> Result<Contact> {
        self.create_contact_requiring(new, &[], actor).await
    }

    /// Registers a contact that requires `skills` (codes of active skills
    /// with minimum levels): refused with nothing written when one is unknown,
    /// inactive, repeated or out of range.
    pub async fn create_contact_requiring(
        &self,
        new: &NewContact,
        skills: &[domain::skill::SkillLevel],
        actor: &AuditActor,
    ) -> Result<Contact> {
        let mut tx = self.begin().await?;
        let id = self.insert_contact(&mut tx, new, skills, actor, now_ms()).await?;
        tx.commit().await?;
        self.contact(id).await?.ok_or(StoreError::NotFound("contact"))
    }

    /// Inserts a queued contact with its skill requirements, its
    /// `contact.created`/`contact.offered` events and its "registered" notice
    /// inside `tx`; returns its id.
    pub(crate) async fn insert_contact(
        &self,
        tx: &mut Transaction<'static, Any>,
        new: &NewContact,
        skills: &[domain::skill::SkillLevel],
        actor: &AuditActor,
        at: i64,
    ) -> Result<i64> {
        if !(0..=domain::contact::MAX_PRIORITY).contains(&new.priority) {
            return Err(StoreError::Invalid(domain::validate::Invalid { field: "priority", code: "invalid-priority" }));
        }
        crate::topics::check_for_contact(tx, &new.topic).await?;
        let required = crate::skills::resolve(tx, skills).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contacts (channel, direction, contact_type, topic, priority, status, queue_id, customer_id, \
             subject, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(new.channel.as_str())
        .bind(new.direction.as_str())
        .bind(new.contact_type.as_str())
        .bind(&new.topic)
        .bind(new.priority)
        .bind(new.queue_id)
        .bind(new.customer_id)
        .bind(&new.subject)
        .bind(at)
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound("queue or customer"),
            _ => StoreError::Db(e),
        })?;
        let refs = EventRefs {
            contact_id: Some(id),
            queue_id: Some(new.queue_id),
            customer_id: new.customer_id,
            agent_id: actor.user_id,
            ..Default::default()
        };
        crate::skills::insert_for_contact(tx, id, &required).await?;
        let mut payload =
            json!({"channel": new.channel.as_str(), "type": new.contact_type.as_str(), "topic": new.topic});
        if !skills.is_empty() {
            payload["skills"] =
                json!(skills.iter().map(|s| json!({"skill": s.skill, "min_level": s.level})).collect::<Vec<_>>());
        }
        events::append(tx, &NewEvent { at, kind: ev::CONTACT_CREATED, refs, payload: payload.clone() }).await?;
        events::append(tx, &NewEvent { at, kind: ev::CONTACT_OFFERED, refs, payload }).await?;
        self.notify(tx, id, Notice::Registered, at).await?;
        Ok(id)
    }

    pub async fn contact(&self, id: i64) -> Result<Option<Contact>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM contacts WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Contacts still needing work, oldest first (for rebuilding routing).
    pub async fn open_contacts(&self) -> Result<Vec<Contact>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM contacts WHERE status NOT IN ('resolved', 'closed') ORDER BY id"
        ))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Contacts of a customer, newest first (the card's timeline).
    pub async fn customer_contacts(&self, customer_id: i64, limit: i64) -> Result<Vec<Contact>> {
        let rows =
            sqlx::query(&format!("SELECT {COLUMNS} FROM contacts WHERE customer_id = $1 ORDER BY id DESC LIMIT $2"))
                .bind(customer_id)
                .bind(limit)
                .fetch_all(self.reader())
                .await?;
        rows.iter().map(from_row).collect()
    }

    /// Contacts an operator holds (offered or in work), oldest first.
    pub async fn operator_contacts(&self, operator_id: i64) -> Result<Vec<Contact>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM contacts WHERE operator_id = $1 AND status NOT IN ('resolved', 'closed', 'queued') \
             ORDER BY id"
        ))
        .bind(operator_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn apply_change(&self, c: Change<'_>) -> Result<()> {
        let mut tx = self.begin().await?;
        change(&mut tx, c).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The router offered a queued contact to an operator.
    pub async fn present_contact(&self, id: i64, operator_id: i64) -> Result<()> {
        self.apply_change(Change {
            id,
            from: &[Status::Queued],
            to: Status::Offered,
            operator: Some(Some(operator_id)),
            queue: None,
            held_by: None,
            wrapup: None,
            kind: ev::CONTACT_PRESENTED,
            payload: json!({}),
            at: now_ms(),
        })
        .await
    }

    /// An offer went unanswered or was refused: back to the queue.
    pub async fn requeue_contact(&self, id: i64, reason: &str) -> Result<()> {
        self.apply_change(Change {
            id,
            from: &[Status::Offered],
            to: Status::Queued,
            operator: Some(None),
            queue: None,
            held_by: None,
            wrapup: None,
            kind: ev::CONTACT_REQUEUED,
            payload: json!({"reason": reason}),
            at: now_ms(),
        })
        .await
    }

    /// The operator the contact was offered to takes it (answered).
    pub async fn accept_contact(&self, id: i64, operator_id: i64) -> Result<()> {
        self.apply_change(Change {
            id,
            from: &[Status::Offered],
            to: Status::InWork,
            operator: None,
            queue: None,
            held_by: Some(operator_id),
            wrapup: None,
            kind: ev::CONTACT_ANSWERED,
            payload: json!({}),
            at: now_ms(),
        })
        .await
    }

    /// The holding operator parks the contact waiting on the customer or a
    /// department, or takes it back in work.
    pub async fn set_contact_waiting(&self, id: i64, operator_id: i64, to: Status) -> Result<()> {
        let from: &[Status] = match to {
            Status::WaitingCustomer | Status::WaitingDepartment => &[Status::InWork],
            Status::InWork => &[Status::WaitingCustomer, Status::WaitingDepartment],
            _ => return Err(StoreError::Conflict("contact status")),
        };
        self.apply_change_notify(
            Change {
                id,
                from,
                to,
                operator: None,
                queue: None,
                held_by: Some(operator_id),
                wrapup: None,
                kind: ev::CONTACT_STATUS_CHANGED,
                payload: json!({"status": to.as_str()}),
                at: now_ms(),
            },
            Notice::for_status(to),
        )
        .await
    }

    /// Redirects a contact to a queue with a reason, recording the hop.
    pub async fn transfer_contact(&self, id: i64, to_queue: i64, reason: &str, by: &AuditActor) -> Result<()> {
        let before = self.contact(id).await?.ok_or(StoreError::NotFound("contact"))?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid(domain::validate::Invalid { field: "reason", code: "reason-required" }));
        }
        let at = now_ms();
        let mut tx = self.begin().await?;
        change(
            &mut tx,
            Change {
                id,
                from: &[
                    Status::Queued,
                    Status::Offered,
                    Status::InWork,
                    Status::WaitingCustomer,
                    Status::WaitingDepartment,
                ],
                to: Status::Queued,
                operator: Some(None),
                queue: Some(to_queue),
                held_by: None,
                wrapup: None,
                kind: ev::CONTACT_TRANSFERRED,
                payload: json!({"from_queue": before.queue_id, "reason": reason}),
                at,
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Db(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => StoreError::NotFound("queue"),
            other => other,
        })?;
        sqlx::query(
            "INSERT INTO contact_hops (contact_id, at, from_queue_id, to_queue_id, from_operator_id, to_operator_id, \
             reason, by_user_id) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)",
        )
        .bind(id)
        .bind(at)
        .bind(before.queue_id)
        .bind(to_queue)
        .bind(before.operator_id)
        .bind(reason)
        .bind(by.user_id)
        .execute(&mut *tx)
        .await?;
        self.notify(&mut tx, id, Notice::Transferred, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resolves a contact held by `operator_id` with its wrap-up (validated
    /// against the contact type's required fields).
    pub async fn resolve_contact(&self, id: i64, operator_id: i64, wrapup: &WrapUp) -> Result<()> {
        let c = self.contact(id).await?.ok_or(StoreError::NotFound("contact"))?;
        domain::contact::validate_wrapup(c.contact_type, wrapup)?;
        self.apply_change_notify(
            Change {
                id,
                from: &[Status::InWork, Status::WaitingCustomer, Status::WaitingDepartment],
                to: Status::Resolved,
                operator: None,
                queue: None,
                held_by: Some(operator_id),
                wrapup: Some(wrapup),
                kind: ev::CONTACT_RESOLVED,
                payload: json!({"outcome": wrapup.outcome, "fcr": wrapup.first_contact_resolution}),
                at: now_ms(),
            },
            Some(Notice::Resolved),
        )
        .await
    }

    /// The redirection trace of a contact, oldest first.
    pub async fn contact_hops(&self, id: i64) -> Result<Vec<Hop>> {
        let rows = sqlx::query(
            "SELECT at, from_queue_id, to_queue_id, from_operator_id, to_operator_id, reason, by_user_id \
             FROM contact_hops WHERE contact_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Hop {
                    at: r.try_get("at")?,
                    from_queue_id: r.try_get("from_queue_id")?,
                    to_queue_id: r.try_get("to_queue_id")?,
                    from_operator_id: r.try_get("from_operator_id")?,
                    to_operator_id: r.try_get("to_operator_id")?,
                    reason: r.try_get("reason")?,
                    by_user_id: r.try_get("by_user_id")?,
                })
            })
            .collect()
    }

    /// Adds an operator to a queue (idempotent).
    pub async fn add_queue_member(&self, queue_id: i64, user_id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM queue_members WHERE queue_id = $1 AND user_id = $2")
            .bind(queue_id)
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        if exists == 0 {
            sqlx::query("INSERT INTO queue_members (queue_id, user_id) VALUES ($1, $2)")
                .bind(queue_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound("queue or user"),
                    _ => StoreError::Db(e),
                })?;
            let refs = EventRefs { queue_id: Some(queue_id), agent_id: Some(user_id), ..Default::default() };
            events::append(&mut tx, &NewEvent { at: now_ms(), kind: ev::QUEUE_MEMBER_ADDED, refs, payload: json!({}) })
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// (queue id, operator id) pairs.
    pub async fn queue_members(&self) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query("SELECT queue_id, user_id FROM queue_members ORDER BY queue_id, user_id")
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|r| Ok((r.try_get("queue_id")?, r.try_get("user_id")?))).collect()
    }

    /// Who serves one queue, with whether each is an active supervisor (the
    /// department head of the key-client rule): (user, is_supervisor).
    pub async fn queue_staff(&self, queue_id: i64) -> Result<Vec<(i64, bool)>> {
        let rows = sqlx::query(
            "SELECT m.user_id, \
             (SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id \
              WHERE r.user_id = m.user_id AND r.role = 'supervisor' AND u.active = 1) AS heads \
             FROM queue_members m WHERE m.queue_id = $1 ORDER BY m.user_id",
        )
        .bind(queue_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let heads: i64 = r.try_get("heads")?;
                Ok((r.try_get("user_id")?, heads > 0))
            })
            .collect()
    }

    /// Records an operator's state (`ready`, `not_ready:<reason>`, `offline`).
    pub async fn set_operator_state(&self, user_id: i64, state: &str) -> Result<()> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE operator_states SET state = $1, since = $2 WHERE user_id = $3")
            .bind(state)
            .bind(at)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            sqlx::query("INSERT INTO operator_states (user_id, state, since) VALUES ($1, $2, $3)")
                .bind(user_id)
                .bind(state)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        let refs = EventRefs { agent_id: Some(user_id), ..Default::default() };
        events::append(
            &mut tx,
            &NewEvent { at, kind: ev::AGENT_STATE_CHANGED, refs, payload: json!({"state": state}) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// (operator id, state, since) for every operator with a recorded state.
    pub async fn operator_states(&self) -> Result<Vec<(i64, String, i64)>> {
        let rows = sqlx::query("SELECT user_id, state, since FROM operator_states ORDER BY user_id")
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|r| Ok((r.try_get("user_id")?, r.try_get("state")?, r.try_get("since")?))).collect()
    }
}

/// The script run saved on a contact: which script and the path taken (JSON
/// the server's script runner reads and writes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRunRecord {
    pub script_id: String,
    pub script_version: i64,
    pub path: String,
    pub updated_at: i64,
}

impl Store {
    /// Saves the script run of a contact (replacing the previous state) and
    /// appends `contact.script_step`.
    pub async fn save_script_run(&self, contact_id: i64, run: &ScriptRunRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        write_script_run(&mut tx, contact_id, run).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn script_run(&self, contact_id: i64) -> Result<Option<ScriptRunRecord>> {
        let row = sqlx::query(
            "SELECT script_id, script_version, path, updated_at FROM contact_script_runs WHERE contact_id = $1",
        )
        .bind(contact_id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| {
            Ok(ScriptRunRecord {
                script_id: r.try_get("script_id")?,
                script_version: r.try_get("script_version")?,
                path: r.try_get("path")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .transpose()
    }
}

/// Replaces the script run of a contact inside `tx` and appends `contact.script_step`.
pub(crate) async fn write_script_run(
    tx: &mut Transaction<'static, Any>,
    contact_id: i64,
    run: &ScriptRunRecord,
) -> Result<()> {
    sqlx::query("DELETE FROM contact_script_runs WHERE contact_id = $1").bind(contact_id).execute(&mut **tx).await?;
    sqlx::query(
        "INSERT INTO contact_script_runs (contact_id, script_id, script_version, path, updated_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(contact_id)
    .bind(&run.script_id)
    .bind(run.script_version)
    .bind(&run.path)
    .bind(run.updated_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound("contact"),
        _ => StoreError::Db(e),
    })?;
    let refs = EventRefs { contact_id: Some(contact_id), ..Default::default() };
    let payload = json!({"script": run.script_id, "version": run.script_version});
    events::append(tx, &NewEvent { at: run.updated_at, kind: ev::CONTACT_SCRIPT_STEP, refs, payload }).await
}

/// A finished contact from history (imported, e.g. by the demo), with the id
/// its events refer to.
#[derive(Debug, Clone)]
pub struct PastContact {
    pub id: i64,
    pub channel: Channel,
    pub contact_type: ContactType,
    /// A topic code that exists (it may have been deactivated since), or empty.
    pub topic: String,
    pub queue_id: Option<i64>,
    pub operator_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub subject: String,
    pub created_at: i64,
    pub closed_at: i64,
}

impl Store {
    /// Imports finished contacts and their events in one transaction, so the
    /// table and the log agree. Ids are kept; new contacts number after them.
    /// Every topic must be a known code, else nothing is imported.
    pub async fn import_history(&self, contacts: &[PastContact], history: &[NewEvent]) -> Result<()> {
        let mut tx = self.begin().await?;
        let codes: Vec<&str> = contacts.iter().map(|c| c.topic.as_str()).collect();
        if !crate::topics::unknown_codes(&mut tx, &codes).await?.is_empty() {
            return Err(StoreError::Invalid(domain::validate::Invalid { field: "topic", code: "unknown-topic" }));
        }
        for chunk in contacts.chunks(400) {
            let mut sql = String::from(
                "INSERT INTO contacts (id, channel, direction, contact_type, topic, priority, status, queue_id, \
                 operator_id, customer_id, subject, created_at, updated_at) VALUES ",
            );
            crate::push_values(&mut sql, chunk.len(), 13);
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q
                    .bind(c.id)
                    .bind(c.channel.as_str())
                    .bind(Direction::Inbound.as_str())
                    .bind(c.contact_type.as_str())
                    .bind(&c.topic)
                    .bind(0_i64)
                    .bind(Status::Closed.as_str())
                    .bind(c.queue_id)
                    .bind(c.operator_id)
                    .bind(c.customer_id)
                    .bind(&c.subject)
                    .bind(c.created_at)
                    .bind(c.closed_at);
            }
            q.execute(&mut *tx).await.map_err(crate::conflict_as("contact id"))?;
        }
        events::append_all(&mut tx, history).await?;
        if self.backend() == crate::Backend::Postgres {
            // Explicit ids do not move an identity sequence; new contacts must number after them.
            sqlx::query(
                "SELECT setval(pg_get_serial_sequence('contacts', 'id'), (SELECT COALESCE(MAX(id), 1) FROM contacts))",
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The customer wrote on a contact that waits on them (a letter, a chat or
/// messenger message): it goes back in work, in the transaction that stores
/// what they wrote; any other status is left as it is. `reason` names the
/// channel in the event (`customer-email`, `customer-message`, …).
pub(crate) async fn customer_answered(
    tx: &mut Transaction<'static, Any>,
    contact_id: i64,
    reason: &str,
    at: i64,
) -> Result<()> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM contacts WHERE id = $1")
        .bind(contact_id)
        .fetch_optional(&mut **tx)
        .await?;
    if status.as_deref() == Some(Status::WaitingCustomer.as_str()) {
        change(
            tx,
            Change {
                id: contact_id,
                from: &[Status::WaitingCustomer],
                to: Status::InWork,
                operator: None,
                queue: None,
                held_by: None,
                wrapup: None,
                kind: domain::events::CONTACT_STATUS_CHANGED,
                payload: serde_json::json!({"status": Status::InWork.as_str(), "reason": reason}),
                at,
            },
        )
        .await?;
    }
    Ok(())
}
