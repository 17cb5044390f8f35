//! The topic tree that classifies contacts. Shape rules (code format, names,
//! at most three levels, no cycles) are `domain::topic`'s, checked here inside
//! the transaction against the tree as it stands. Codes never change and
//! topics are deactivated rather than deleted, so every contact keeps a valid
//! topic code; only active topics are accepted for new contacts.

use domain::contact::ContactType;
use domain::topic::{self, TopicNames};
use domain::validate::Invalid;
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, AuditActor};
use crate::events::{self, NewEvent};
use crate::{conflict_as, now_ms, to_bool, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topic {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    /// The contact type this topic usually means, offered as the default.
    pub contact_type: Option<ContactType>,
    pub active: bool,
    /// Order among siblings (then by id).
    pub position: i64,
    pub created_at: i64,
}

impl Topic {
    /// The topic's name in an interface language (Russian when unknown).
    pub fn name(&self, locale: &str) -> &str {
        match locale {
            "kk" => &self.name_kk,
            "en" => &self.name_en,
            _ => &self.name_ru,
        }
    }
}

/// A topic with the topics under it, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicNode {
    pub topic: Topic,
    pub children: Vec<TopicNode>,
}

/// A topic to add under `parent_id` (a root when `None`).
#[derive(Debug, Clone)]
pub struct NewTopic {
    pub parent_id: Option<i64>,
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    pub contact_type: Option<ContactType>,
    pub position: i64,
}

/// Everything about a topic that may change (not its code).
#[derive(Debug, Clone)]
pub struct TopicChange {
    pub parent_id: Option<i64>,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    pub contact_type: Option<ContactType>,
    pub active: bool,
    pub position: i64,
}

const COLUMNS: &str = "id, parent_id, code, name_ru, name_kk, name_en, contact_type, active, position, created_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Topic> {
    let contact_type: Option<String> = r.try_get("contact_type")?;
    Ok(Topic {
        id: r.try_get("id")?,
        parent_id: r.try_get("parent_id")?,
        code: r.try_get("code")?,
        name_ru: r.try_get("name_ru")?,
        name_kk: r.try_get("name_kk")?,
        name_en: r.try_get("name_en")?,
        contact_type: topic::contact_type(contact_type.as_deref())
            .map_err(|_| StoreError::Corrupt(format!("topic contact type {contact_type:?}")))?,
        active: to_bool(r.try_get("active")?),
        position: r.try_get("position")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Arranges topics (any order) as a forest, siblings by position then id.
/// Topics whose parent is missing are not lost: they become roots.
pub fn tree(mut topics: Vec<Topic>) -> Vec<TopicNode> {
    topics.sort_by_key(|t| (t.position, t.id));
    let ids: std::collections::HashSet<i64> = topics.iter().map(|t| t.id).collect();
    fn children(
        all: &[Topic],
        parent: Option<i64>,
        ids: &std::collections::HashSet<i64>,
        depth: usize,
    ) -> Vec<TopicNode> {
        if depth > topic::MAX_DEPTH + 1 {
            return Vec::new();
        }
        all.iter()
            .filter(|t| match parent {
                Some(p) => t.parent_id == Some(p),
                None => t.parent_id.is_none_or(|p| !ids.contains(&p)),
            })
            .map(|t| TopicNode { topic: t.clone(), children: children(all, Some(t.id), ids, depth + 1) })
            .collect()
    }
    children(&topics, None, &ids, 1)
}

/// The forest depth first, each topic with its level (1 for roots).
pub fn flatten(nodes: &[TopicNode]) -> Vec<(usize, &Topic)> {
    fn walk<'a>(nodes: &'a [TopicNode], level: usize, out: &mut Vec<(usize, &'a Topic)>) {
        for n in nodes {
            out.push((level, &n.topic));
            walk(&n.children, level + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(nodes, 1, &mut out);
    out
}

async fn shape(tx: &mut Transaction<'static, Any>) -> Result<Vec<(i64, Option<i64>)>> {
    let rows = sqlx::query("SELECT id, parent_id FROM topics").fetch_all(&mut **tx).await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("parent_id")?))).collect()
}

/// A new contact's topic: empty (unclassified) or the code of an active topic.
pub(crate) async fn check_for_contact(tx: &mut Transaction<'static, Any>, code: &str) -> Result<()> {
    if code.is_empty() {
        return Ok(());
    }
    let active: Option<i64> =
        sqlx::query_scalar("SELECT active FROM topics WHERE code = $1").bind(code).fetch_optional(&mut **tx).await?;
    match active {
        Some(a) if to_bool(a) => Ok(()),
        Some(_) => Err(StoreError::Invalid(Invalid { field: "topic", code: "inactive-topic" })),
        None => Err(StoreError::Invalid(Invalid { field: "topic", code: "unknown-topic" })),
    }
}

/// Codes from `codes` that name no topic at all (active or not), for imports
/// of past contacts, whose topics may have been deactivated since.
pub(crate) async fn unknown_codes(tx: &mut Transaction<'static, Any>, codes: &[&str]) -> Result<Vec<String>> {
    let known: std::collections::HashSet<String> =
        sqlx::query_scalar("SELECT code FROM topics").fetch_all(&mut **tx).await?.into_iter().collect();
    let mut unknown: Vec<String> =
        codes.iter().filter(|c| !c.is_empty() && !known.contains(**c)).map(|c| c.to_string()).collect();
    unknown.sort();
    unknown.dedup();
    Ok(unknown)
}

fn detail(t: &Topic) -> serde_json::Value {
    json!({
        "code": t.code,
        "parent_id": t.parent_id,
        "name_ru": t.name_ru,
        "name_kk": t.name_kk,
        "name_en": t.name_en,
        "contact_type": t.contact_type.map(ContactType::as_str),
        "active": t.active,
        "position": t.position,
    })
}

async fn record(
    tx: &mut Transaction<'static, Any>,
    t: &Topic,
    kind: &'static str,
    actor: &AuditActor,
    at: i64,
) -> Result<()> {
    let mut payload = detail(t);
    payload["topic_id"] = json!(t.id);
    let refs = crate::EventRefs { agent_id: actor.user_id, ..Default::default() };
    events::append(tx, &NewEvent { at, kind, refs, payload: payload.clone() }).await?;
    audit::record_in(tx, actor, kind, &format!("topic:{}", t.id), &payload.to_string(), at).await
}

impl Store {
    /// Adds a topic (validated: code, names, parent, depth), with its event
    /// and audit row. A taken code is a conflict.
    pub async fn create_topic(&self, new: &NewTopic, actor: &AuditActor) -> Result<Topic> {
        topic::code(&new.code)?;
        TopicNames { name_ru: &new.name_ru, name_kk: &new.name_kk, name_en: &new.name_en }.validate()?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        topic::check_parent(&shape(&mut tx).await?, None, new.parent_id)?;
        let row = sqlx::query(&format!(
            "INSERT INTO topics (parent_id, code, name_ru, name_kk, name_en, contact_type, active, position, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8) RETURNING {COLUMNS}"
        ))
        .bind(new.parent_id)
        .bind(&new.code)
        .bind(new.name_ru.trim())
        .bind(new.name_kk.trim())
        .bind(new.name_en.trim())
        .bind(new.contact_type.map(ContactType::as_str))
        .bind(new.position)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_as("topic code"))?;
        let t = from_row(&row)?;
        record(&mut tx, &t, domain::events::TOPIC_CREATED, actor, at).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Renames, moves, retypes, reorders, deactivates or reactivates a topic
    /// (validated: names, no cycle, depth), with its event and audit row.
    /// Contacts keep the topic's code whatever changes.
    pub async fn update_topic(&self, id: i64, change: &TopicChange, actor: &AuditActor) -> Result<Topic> {
        TopicNames { name_ru: &change.name_ru, name_kk: &change.name_kk, name_en: &change.name_en }.validate()?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let nodes = shape(&mut tx).await?;
        if !nodes.iter().any(|(i, _)| *i == id) {
            return Err(StoreError::NotFound("topic"));
        }
        topic::check_parent(&nodes, Some(id), change.parent_id)?;
        let row = sqlx::query(&format!(
            "UPDATE topics SET parent_id = $1, name_ru = $2, name_kk = $3, name_en = $4, contact_type = $5, \
             active = $6, position = $7 WHERE id = $8 RETURNING {COLUMNS}"
        ))
        .bind(change.parent_id)
        .bind(change.name_ru.trim())
        .bind(change.name_kk.trim())
        .bind(change.name_en.trim())
        .bind(change.contact_type.map(ContactType::as_str))
        .bind(i64::from(change.active))
        .bind(change.position)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let t = from_row(&row.ok_or(StoreError::NotFound("topic"))?)?;
        record(&mut tx, &t, domain::events::TOPIC_CHANGED, actor, at).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Every topic, active or not, siblings in order.
    pub async fn list_topics(&self) -> Result<Vec<Topic>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM topics ORDER BY position, id"))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The topic tree, roots first, siblings by position then id.
    pub async fn topic_tree(&self) -> Result<Vec<TopicNode>> {
        Ok(tree(self.list_topics().await?))
    }

    pub async fn topic(&self, id: i64) -> Result<Option<Topic>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM topics WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn topic_by_code(&self, code: &str) -> Result<Option<Topic>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM topics WHERE code = $1"))
            .bind(code)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}
