//! Skills and capacity (migration 0012): the skill catalogue, operators'
//! skills with levels, their capacity per channel (a missing row means the
//! default), and the skills queues and contacts require. The rules are
//! `domain::skill`'s; codes are resolved to active skills inside the
//! transaction that writes them. Every change appends its event and audit
//! row in that transaction. The caller reloads routing.

use std::collections::HashMap;

use domain::contact::Channel;
use domain::skill::{self, SkillLevel};
use domain::validate::Invalid;
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, AuditActor};
use crate::events::{self, EventRefs, NewEvent};
use crate::{conflict_as, now_ms, to_bool, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skill {
    pub id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    /// Inactive skills stay on operators and contacts but cannot be given anew.
    pub active: bool,
    pub created_at: i64,
}

impl Skill {
    /// The skill's name in an interface language (Russian when unknown).
    pub fn name(&self, locale: &str) -> &str {
        crate::localized(locale, &self.name_ru, &self.name_kk, &self.name_en)
    }
}

/// A skill held or required at a level, with its code for people and the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leveled {
    pub skill_id: i64,
    pub code: String,
    pub level: i64,
}

/// Everything the routing engine needs about skills and capacity, read at
/// once: operators' skills and capacity, queues' and open contacts' requirements.
#[derive(Debug, Clone, Default)]
pub struct RoutingSkills {
    pub operators: HashMap<i64, Vec<(i64, u8)>>,
    pub capacity: HashMap<i64, Vec<(Channel, i64)>>,
    pub queues: HashMap<i64, Vec<(i64, u8)>>,
    pub contacts: HashMap<i64, Vec<(i64, u8)>>,
}

/// The tables holding (owner, skill, level) rows.
#[derive(Debug, Clone, Copy)]
enum Levels {
    Operator,
    Queue,
    Contact,
}

impl Levels {
    /// (table, owner column, level column): fixed strings, never input.
    fn sql(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Levels::Operator => ("operator_skills", "user_id", "level"),
            Levels::Queue => ("queue_skills", "queue_id", "min_level"),
            Levels::Contact => ("contact_skills", "contact_id", "min_level"),
        }
    }
}

const COLUMNS: &str = "id, code, name_ru, name_kk, name_en, active, created_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Skill> {
    Ok(Skill {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name_ru: r.try_get("name_ru")?,
        name_kk: r.try_get("name_kk")?,
        name_en: r.try_get("name_en")?,
        active: to_bool(r.try_get("active")?),
        created_at: r.try_get("created_at")?,
    })
}

/// Checks levels and turns codes into ids of active skills: an unknown code
/// is `skills: unknown-skill`, an inactive one `skills: inactive-skill`.
pub(crate) async fn resolve(tx: &mut Transaction<'static, Any>, set: &[SkillLevel]) -> Result<Vec<(i64, i64)>> {
    skill::check_levels(set)?;
    if set.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query("SELECT id, code, active FROM skills").fetch_all(&mut **tx).await?;
    let mut known = HashMap::new();
    for r in &rows {
        let code: String = r.try_get("code")?;
        known.insert(code, (r.try_get::<i64, _>("id")?, to_bool(r.try_get("active")?)));
    }
    set.iter()
        .map(|s| match known.get(&s.skill) {
            Some((id, true)) => Ok((*id, s.level)),
            Some((_, false)) => Err(StoreError::Invalid(Invalid { field: "skills", code: "inactive-skill" })),
            None => Err(StoreError::Invalid(Invalid { field: "skills", code: "unknown-skill" })),
        })
        .collect()
}

/// Replaces the rows of one owner in a levels table.
async fn replace(tx: &mut Transaction<'static, Any>, t: Levels, owner: i64, set: &[(i64, i64)]) -> Result<()> {
    let (table, owner_col, level_col) = t.sql();
    sqlx::query(&format!("DELETE FROM {table} WHERE {owner_col} = $1")).bind(owner).execute(&mut **tx).await?;
    if set.is_empty() {
        return Ok(());
    }
    let mut sql = format!("INSERT INTO {table} ({owner_col}, skill_id, {level_col}) VALUES ");
    crate::push_values(&mut sql, set.len(), 3);
    let mut q = sqlx::query(&sql);
    for (skill_id, level) in set {
        q = q.bind(owner).bind(*skill_id).bind(*level);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// The rows of a levels table (of one owner, or all), as owner → [(skill, level)].
async fn read_levels(store: &Store, t: Levels, owner: Option<i64>) -> Result<HashMap<i64, Vec<(i64, u8)>>> {
    let (table, owner_col, level_col) = t.sql();
    let mut sql = format!("SELECT {owner_col} AS owner, skill_id, {level_col} AS level FROM {table}");
    if matches!(t, Levels::Contact) {
        sql.push_str(" WHERE contact_id IN (SELECT id FROM contacts WHERE status NOT IN ('resolved', 'closed'))");
    }
    if owner.is_some() {
        sql.push_str(if matches!(t, Levels::Contact) { " AND " } else { " WHERE " });
        sql.push_str(&format!("{owner_col} = $1"));
    }
    sql.push_str(" ORDER BY owner, skill_id");
    let mut q = sqlx::query(&sql);
    if let Some(owner) = owner {
        q = q.bind(owner);
    }
    let rows = q.fetch_all(store.reader()).await?;
    let mut out: HashMap<i64, Vec<(i64, u8)>> = HashMap::new();
    for r in &rows {
        let level: i64 = r.try_get("level")?;
        let level = u8::try_from(level).map_err(|_| StoreError::Corrupt(format!("skill level {level}")))?;
        out.entry(r.try_get("owner")?).or_default().push((r.try_get("skill_id")?, level));
    }
    Ok(out)
}

/// One owner's skills with codes, by code.
async fn leveled(store: &Store, t: Levels, owner: i64) -> Result<Vec<Leveled>> {
    let (table, owner_col, level_col) = t.sql();
    let rows = sqlx::query(&format!(
        "SELECT s.id, s.code, x.{level_col} AS level FROM {table} x JOIN skills s ON s.id = x.skill_id \
         WHERE x.{owner_col} = $1 ORDER BY s.code"
    ))
    .bind(owner)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| Ok(Leveled { skill_id: r.try_get("id")?, code: r.try_get("code")?, level: r.try_get("level")? }))
        .collect()
}

fn set_payload(set: &[SkillLevel]) -> serde_json::Value {
    json!(set.iter().map(|s| json!({"skill": s.skill, "level": s.level})).collect::<Vec<_>>())
}

/// Appends the event and the audit row of an administrative change.
async fn record(
    tx: &mut Transaction<'static, Any>,
    kind: &'static str,
    refs: EventRefs,
    target: String,
    payload: serde_json::Value,
    actor: &AuditActor,
    at: i64,
) -> Result<()> {
    events::append(tx, &NewEvent { at, kind, refs, payload: payload.clone() }).await?;
    audit::record_in(tx, actor, kind, &target, &payload.to_string(), at).await
}

async fn exists(tx: &mut Transaction<'static, Any>, table: &'static str, id: i64) -> Result<bool> {
    let row = sqlx::query(&format!("SELECT id FROM {table} WHERE id = $1")).bind(id).fetch_optional(&mut **tx).await?;
    Ok(row.is_some())
}

impl Store {
    /// Adds a skill to the catalogue (validated code and names), with its
    /// event and audit row. A taken code is a conflict.
    pub async fn create_skill(
        &self,
        code: &str,
        name_ru: &str,
        name_kk: &str,
        name_en: &str,
        actor: &AuditActor,
    ) -> Result<Skill> {
        skill::code(code)?;
        skill::names(name_ru, name_kk, name_en)?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO skills (code, name_ru, name_kk, name_en, active, created_at) VALUES ($1, $2, $3, $4, 1, $5) \
             RETURNING {COLUMNS}"
        ))
        .bind(code)
        .bind(name_ru.trim())
        .bind(name_kk.trim())
        .bind(name_en.trim())
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_as("skill code"))?;
        let s = from_row(&row)?;
        let payload = json!({"skill_id": s.id, "code": s.code, "name_ru": s.name_ru, "name_kk": s.name_kk,
            "name_en": s.name_en});
        let refs = EventRefs { agent_id: actor.user_id, ..Default::default() };
        record(&mut tx, domain::events::SKILL_CREATED, refs, format!("skill:{}", s.id), payload, actor, at).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Renames, deactivates or reactivates a skill (its code never changes).
    pub async fn update_skill(
        &self,
        id: i64,
        name_ru: &str,
        name_kk: &str,
        name_en: &str,
        active: bool,
        actor: &AuditActor,
    ) -> Result<Skill> {
        skill::names(name_ru, name_kk, name_en)?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE skills SET name_ru = $1, name_kk = $2, name_en = $3, active = $4 WHERE id = $5 RETURNING {COLUMNS}"
        ))
        .bind(name_ru.trim())
        .bind(name_kk.trim())
        .bind(name_en.trim())
        .bind(i64::from(active))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let s = from_row(&row.ok_or(StoreError::NotFound("skill"))?)?;
        let payload = json!({"skill_id": s.id, "code": s.code, "name_ru": s.name_ru, "name_kk": s.name_kk,
            "name_en": s.name_en, "active": s.active});
        let refs = EventRefs { agent_id: actor.user_id, ..Default::default() };
        record(&mut tx, domain::events::SKILL_CHANGED, refs, format!("skill:{id}"), payload, actor, at).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// The catalogue, active or not, by code.
    pub async fn list_skills(&self) -> Result<Vec<Skill>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM skills ORDER BY code")).fetch_all(self.reader()).await?;
        rows.iter().map(from_row).collect()
    }

    /// Replaces an operator's skills (codes of active skills, levels 1–5).
    pub async fn set_operator_skills(&self, user_id: i64, set: &[SkillLevel], actor: &AuditActor) -> Result<()> {
        self.set_operator_profile(user_id, Some(set), None, actor).await
    }

    /// Replaces an operator's capacity: the channels listed get their value
    /// (0–20), the rest the default. Someone serving a queue must keep room
    /// on at least one channel.
    pub async fn set_operator_capacity(&self, user_id: i64, set: &[(Channel, i64)], actor: &AuditActor) -> Result<()> {
        self.set_operator_profile(user_id, None, Some(set), actor).await
    }

    /// Replaces an operator's skills and/or capacity in one transaction:
    /// both are written, or (on any refusal) neither.
    pub async fn set_operator_profile(
        &self,
        user_id: i64,
        skills: Option<&[SkillLevel]>,
        capacity: Option<&[(Channel, i64)]>,
        actor: &AuditActor,
    ) -> Result<()> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let ids = match skills {
            Some(set) => Some(resolve(&mut tx, set).await?),
            None => None,
        };
        if !exists(&mut tx, "users", user_id).await? {
            return Err(StoreError::NotFound("user"));
        }
        let refs = EventRefs { agent_id: Some(user_id), ..Default::default() };
        if let Some(set) = capacity {
            let queues: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM queue_members WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
            skill::check_capacity(set, queues > 0)?;
            sqlx::query("DELETE FROM operator_capacity WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            for (ch, max) in set {
                sqlx::query("INSERT INTO operator_capacity (user_id, channel, max_contacts) VALUES ($1, $2, $3)")
                    .bind(user_id)
                    .bind(ch.as_str())
                    .bind(*max)
                    .execute(&mut *tx)
                    .await?;
            }
            let payload: serde_json::Map<String, serde_json::Value> =
                set.iter().map(|(ch, max)| (ch.as_str().to_string(), json!(max))).collect();
            let kind = domain::events::OPERATOR_CAPACITY_CHANGED;
            record(&mut tx, kind, refs, format!("user:{user_id}"), payload.into(), actor, at).await?;
        }
        if let (Some(set), Some(ids)) = (skills, ids) {
            replace(&mut tx, Levels::Operator, user_id, &ids).await?;
            let kind = domain::events::OPERATOR_SKILLS_CHANGED;
            record(&mut tx, kind, refs, format!("user:{user_id}"), set_payload(set), actor, at).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn operator_skills(&self, user_id: i64) -> Result<Vec<Leveled>> {
        leveled(self, Levels::Operator, user_id).await
    }

    /// The channels with a capacity set for an operator (others: the default).
    pub async fn operator_capacity(&self, user_id: i64) -> Result<Vec<(Channel, i64)>> {
        Ok(self.all_capacity(Some(user_id)).await?.remove(&user_id).unwrap_or_default())
    }

    async fn all_capacity(&self, user: Option<i64>) -> Result<HashMap<i64, Vec<(Channel, i64)>>> {
        let mut sql = String::from("SELECT user_id, channel, max_contacts FROM operator_capacity");
        if user.is_some() {
            sql.push_str(" WHERE user_id = $1");
        }
        let mut q = sqlx::query(&sql);
        if let Some(user) = user {
            q = q.bind(user);
        }
        let rows = q.fetch_all(self.reader()).await?;
        let mut out: HashMap<i64, Vec<(Channel, i64)>> = HashMap::new();
        for r in &rows {
            let ch: String = r.try_get("channel")?;
            let ch = Channel::parse(&ch).ok_or_else(|| StoreError::Corrupt(format!("capacity channel {ch:?}")))?;
            out.entry(r.try_get("user_id")?).or_default().push((ch, r.try_get("max_contacts")?));
        }
        Ok(out)
    }

    /// Replaces the skills a queue requires of its contacts' operators.
    pub async fn set_queue_skills(&self, queue_id: i64, set: &[SkillLevel], actor: &AuditActor) -> Result<()> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let ids = resolve(&mut tx, set).await?;
        if !exists(&mut tx, "queues", queue_id).await? {
            return Err(StoreError::NotFound("queue"));
        }
        replace(&mut tx, Levels::Queue, queue_id, &ids).await?;
        let refs = EventRefs { queue_id: Some(queue_id), agent_id: actor.user_id, ..Default::default() };
        let kind = domain::events::QUEUE_SKILLS_CHANGED;
        record(&mut tx, kind, refs, format!("queue:{queue_id}"), set_payload(set), actor, at).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn queue_skills(&self, queue_id: i64) -> Result<Vec<Leveled>> {
        leveled(self, Levels::Queue, queue_id).await
    }

    /// Replaces the skills a contact itself requires (its queue's come on top).
    pub async fn set_contact_skills(&self, contact_id: i64, set: &[SkillLevel], actor: &AuditActor) -> Result<()> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let ids = resolve(&mut tx, set).await?;
        if !exists(&mut tx, "contacts", contact_id).await? {
            return Err(StoreError::NotFound("contact"));
        }
        replace(&mut tx, Levels::Contact, contact_id, &ids).await?;
        let refs = EventRefs { contact_id: Some(contact_id), agent_id: actor.user_id, ..Default::default() };
        let kind = domain::events::CONTACT_SKILLS_CHANGED;
        record(&mut tx, kind, refs, format!("contact:{contact_id}"), set_payload(set), actor, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The skills a contact itself requires (without its queue's).
    pub async fn contact_skills(&self, contact_id: i64) -> Result<Vec<Leveled>> {
        leveled(self, Levels::Contact, contact_id).await
    }

    /// What routing needs for one contact: its own requirements merged with
    /// its queue's.
    pub async fn routing_requirements(&self, contact_id: i64, queue_id: i64) -> Result<Vec<(i64, u8)>> {
        let own = read_levels(self, Levels::Contact, Some(contact_id)).await?.remove(&contact_id).unwrap_or_default();
        let queue = read_levels(self, Levels::Queue, Some(queue_id)).await?.remove(&queue_id).unwrap_or_default();
        Ok(skill::merge(&own, &queue))
    }

    /// Skills, capacity and requirements of everything routing holds.
    pub async fn routing_skills(&self) -> Result<RoutingSkills> {
        Ok(RoutingSkills {
            operators: read_levels(self, Levels::Operator, None).await?,
            capacity: self.all_capacity(None).await?,
            queues: read_levels(self, Levels::Queue, None).await?,
            contacts: read_levels(self, Levels::Contact, None).await?,
        })
    }
}

/// Writes a new contact's own requirements (already resolved) in its
/// registration transaction.
pub(crate) async fn insert_for_contact(
    tx: &mut Transaction<'static, Any>,
    contact_id: i64,
    set: &[(i64, i64)],
) -> Result<()> {
    replace(tx, Levels::Contact, contact_id, set).await
}
