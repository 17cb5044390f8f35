//! The knowledge editor's storage: new versions of articles and call scripts
//! (old versions are kept), reply templates, and script actions performed at
//! most once per run step. Documents are JSON the server's `kb` and `domain`
//! types read; the store numbers versions and ids inside the transaction,
//! refuses a save based on a version that is no longer the newest
//! (`Conflict`), and writes each change's event and audit row with it.

use domain::contact_work::LinkKind;
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::{record_in, AuditActor};
use crate::contacts::{write_script_run, NewContact, ScriptRunRecord};
use crate::events::{self, EventRefs, NewEvent};
use crate::{Result, Store, StoreError};

/// Event kinds of the editor (`kb.article_changed` is the feed's, shared with the demo seed).
pub const ARTICLE_CHANGED: &str = "kb.article_changed";
pub const SCRIPT_SAVED: &str = "kb.script_saved";
pub const TEMPLATE_SAVED: &str = "kb.template_saved";
pub const SCRIPT_ACTION_PERFORMED: &str = "contact.script_action";

/// Status of a stored version: `published` (in force) or `archived` (withdrawn).
pub const PUBLISHED: &str = "published";
pub const ARCHIVED: &str = "archived";

/// One stored version of an article or a script with who saved it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion<K> {
    pub id: K,
    pub version: i64,
    pub status: String,
    pub document: String,
    pub summary: String,
    pub author_id: Option<i64>,
    /// The author's display name, when the author is a user.
    pub author_name: Option<String>,
    pub updated_at: i64,
}

/// A reply template saved in the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub id: i64,
    pub name: String,
    pub lang: String,
    pub body: String,
    pub active: bool,
    pub updated_at: i64,
}

/// What to save as the next version.
#[derive(Debug, Clone, Copy)]
pub struct VersionSave<'a> {
    /// The version the editor started from; `None` for a new article or script. A save based
    /// on an older version than the newest is refused with `Conflict`.
    pub base_version: Option<i64>,
    pub status: &'a str,
    pub summary: &'a str,
    pub at: i64,
}

/// A script action to perform with a step of a script run.
#[derive(Debug, Clone)]
pub struct ScriptAction {
    pub script_id: String,
    pub node_id: String,
    /// The step's position in the run's path: with the node it makes the action's key.
    pub step_no: i64,
    /// `register_complaint` or `create_order`.
    pub action: &'static str,
    /// The contact the action registers (linked to the run's contact as related).
    pub contact: NewContact,
}

fn version_row<K: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>>(r: &sqlx::any::AnyRow) -> Result<StoredVersion<K>> {
    Ok(StoredVersion {
        id: r.try_get("id")?,
        version: r.try_get("version")?,
        status: r.try_get("status")?,
        document: r.try_get("document")?,
        summary: r.try_get("summary")?,
        author_id: r.try_get("author_id")?,
        author_name: r.try_get("author_name")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn check_status(status: &str) -> Result<()> {
    if status == PUBLISHED || status == ARCHIVED {
        Ok(())
    } else {
        Err(domain::validate::Invalid { field: "status", code: "kb-invalid-status" }.into())
    }
}

/// The newest stored version (`None` when there is none) and whether `base` may build on it.
fn next_version(newest: Option<i64>, floor: i64, base: Option<i64>, what: &'static str) -> Result<i64> {
    let current = newest.unwrap_or(0).max(floor);
    match base {
        Some(b) if b != current => Err(StoreError::Conflict(what)),
        None if current > 0 => Err(StoreError::Conflict(what)),
        _ => Ok(current + 1),
    }
}

const ARTICLE_COLUMNS: &str = "a.id, a.version, a.status, a.document, a.summary, a.author_id, u.name AS author_name, \
                               a.updated_at";
const SCRIPT_COLUMNS: &str = "s.id, s.version, s.status, s.document, s.summary, s.author_id, u.name AS author_name, \
                              s.updated_at";

impl Store {
    /// Saves the next version of article `id` (a new article when `id` is `None`: the next
    /// free id, version 1). `document` builds the JSON from the (id, version) assigned.
    /// Writes `kb.article_changed` and an audit row in the same transaction.
    pub async fn save_article_version(
        &self,
        id: Option<i64>,
        save: VersionSave<'_>,
        actor: &AuditActor,
        document: impl FnOnce(i64, i64) -> Result<String>,
    ) -> Result<StoredVersion<i64>> {
        check_status(save.status)?;
        let mut tx = self.begin().await?;
        let (id, version) = match id {
            None => {
                let max: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(id) FROM kb_articles").fetch_one(&mut *tx).await?;
                (max.unwrap_or(0) + 1, next_version(None, 0, save.base_version, "article")?)
            }
            Some(id) => {
                let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM kb_articles WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                if newest.is_none() {
                    return Err(StoreError::NotFound("article"));
                }
                (id, next_version(newest, 0, save.base_version, "newer article version")?)
            }
        };
        let doc = document(id, version)?;
        sqlx::query(
            "INSERT INTO kb_articles (id, version, updated_at, document, author_id, summary, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(version)
        .bind(save.at)
        .bind(&doc)
        .bind(actor.user_id)
        .bind(save.summary)
        .bind(save.status)
        .execute(&mut *tx)
        .await
        .map_err(crate::conflict_as("article version"))?;
        let payload = json!({"article_id": id, "version": version, "status": save.status, "summary": save.summary});
        let refs = EventRefs { agent_id: actor.user_id, ..Default::default() };
        events::append(&mut tx, &NewEvent { at: save.at, kind: ARTICLE_CHANGED, refs, payload }).await?;
        let detail = format!("v{version} {}: {}", save.status, save.summary);
        record_in(&mut tx, actor, "kb.article_saved", &format!("article:{id}"), &detail, save.at).await?;
        tx.commit().await?;
        let saved = self.article_version(id, version).await?;
        saved.ok_or(StoreError::NotFound("article"))
    }

    /// Every version of an article, newest first (empty when there is no such article).
    pub async fn article_history(&self, id: i64) -> Result<Vec<StoredVersion<i64>>> {
        let rows = sqlx::query(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM kb_articles a LEFT JOIN users u ON u.id = a.author_id \
             WHERE a.id = $1 ORDER BY a.version DESC"
        ))
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(version_row).collect()
    }

    /// One version of an article.
    pub async fn article_version(&self, id: i64, version: i64) -> Result<Option<StoredVersion<i64>>> {
        let row = sqlx::query(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM kb_articles a LEFT JOIN users u ON u.id = a.author_id \
             WHERE a.id = $1 AND a.version = $2"
        ))
        .bind(id)
        .bind(version)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(version_row).transpose()
    }

    /// The newest version of every article, archived ones included, by id.
    pub async fn article_heads(&self) -> Result<Vec<StoredVersion<i64>>> {
        let rows = sqlx::query(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM kb_articles a LEFT JOIN users u ON u.id = a.author_id \
             JOIN (SELECT id, MAX(version) AS v FROM kb_articles GROUP BY id) m ON m.id = a.id AND m.v = a.version \
             ORDER BY a.id"
        ))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(version_row).collect()
    }

    /// Saves the next version of script `id`. `floor` is the version of the built-in script
    /// with this id (0 when there is none): stored versions continue after it. `document`
    /// builds the JSON from the version assigned. Event `kb.script_saved` and an audit row.
    pub async fn save_script_version(
        &self,
        id: &str,
        floor: i64,
        save: VersionSave<'_>,
        actor: &AuditActor,
        document: impl FnOnce(i64) -> Result<String>,
    ) -> Result<i64> {
        check_status(save.status)?;
        let mut tx = self.begin().await?;
        let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM kb_scripts WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let what = if save.base_version.is_none() { "script id" } else { "newer script version" };
        let version = next_version(newest, floor, save.base_version, what)?;
        sqlx::query(
            "INSERT INTO kb_scripts (id, version, status, document, summary, author_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(version)
        .bind(save.status)
        .bind(document(version)?)
        .bind(save.summary)
        .bind(actor.user_id)
        .bind(save.at)
        .execute(&mut *tx)
        .await
        .map_err(crate::conflict_as("script version"))?;
        let payload = json!({"script_id": id, "version": version, "status": save.status, "summary": save.summary});
        let refs = EventRefs { agent_id: actor.user_id, ..Default::default() };
        events::append(&mut tx, &NewEvent { at: save.at, kind: SCRIPT_SAVED, refs, payload }).await?;
        let detail = format!("v{version} {}: {}", save.status, save.summary);
        record_in(&mut tx, actor, "kb.script_saved", &format!("script:{id}"), &detail, save.at).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Every stored version of every script, by id, newest version first.
    pub async fn stored_scripts(&self) -> Result<Vec<StoredVersion<String>>> {
        let rows = sqlx::query(&format!(
            "SELECT {SCRIPT_COLUMNS} FROM kb_scripts s LEFT JOIN users u ON u.id = s.author_id \
             ORDER BY s.id, s.version DESC"
        ))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(version_row).collect()
    }

    /// Saves a reply template: a new one (the next id after `floor`, the highest built-in id,
    /// and the stored ones) when `id` is `None`, else replaces the stored one with that id.
    /// Event `kb.template_saved` and an audit row. Returns the id.
    pub async fn save_template(
        &self,
        id: Option<i64>,
        floor: i64,
        t: &StoredTemplate,
        actor: &AuditActor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = match id {
            Some(id) => id,
            None => {
                let max: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(id) FROM reply_templates").fetch_one(&mut *tx).await?;
                max.unwrap_or(0).max(floor) + 1
            }
        };
        sqlx::query("DELETE FROM reply_templates WHERE id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO reply_templates (id, name, lang, body, active, author_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(&t.name)
        .bind(&t.lang)
        .bind(&t.body)
        .bind(i64::from(t.active))
        .bind(actor.user_id)
        .bind(t.updated_at)
        .execute(&mut *tx)
        .await?;
        let payload = json!({"template_id": id, "name": t.name, "lang": t.lang, "active": t.active});
        let refs = EventRefs { agent_id: actor.user_id, ..Default::default() };
        events::append(&mut tx, &NewEvent { at: t.updated_at, kind: TEMPLATE_SAVED, refs, payload }).await?;
        record_in(&mut tx, actor, "kb.template_saved", &format!("template:{id}"), &t.name, t.updated_at).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every stored reply template, by id.
    pub async fn stored_templates(&self) -> Result<Vec<StoredTemplate>> {
        let rows = sqlx::query("SELECT id, name, lang, body, active, updated_at FROM reply_templates ORDER BY id")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredTemplate {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    lang: r.try_get("lang")?,
                    body: r.try_get("body")?,
                    active: r.try_get::<i64, _>("active")? != 0,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// Saves a step of a contact's script run and, when the step passed an action node,
    /// performs the action in the same transaction: registers the action's contact, links it
    /// to the run's contact (`related`) and records the action under its key (contact, script,
    /// node, step). When the key is already recorded — the step was submitted twice — nothing
    /// new is created. Returns the action's contact and whether it was created now.
    pub async fn commit_script_step(
        &self,
        contact_id: i64,
        run: &ScriptRunRecord,
        action: Option<&ScriptAction>,
        actor: &AuditActor,
    ) -> Result<Option<(i64, bool)>> {
        let mut tx = self.begin().await?;
        let done = match action {
            Some(a) => Some(self.perform_once(&mut tx, contact_id, a, actor, run.updated_at).await?),
            None => None,
        };
        write_script_run(&mut tx, contact_id, run).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn perform_once(
        &self,
        tx: &mut Transaction<'static, Any>,
        contact_id: i64,
        a: &ScriptAction,
        actor: &AuditActor,
        at: i64,
    ) -> Result<(i64, bool)> {
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT created_contact_id FROM script_actions \
             WHERE contact_id = $1 AND script_id = $2 AND node_id = $3 AND step_no = $4",
        )
        .bind(contact_id)
        .bind(&a.script_id)
        .bind(&a.node_id)
        .bind(a.step_no)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(created) = existing {
            return Ok((created, false));
        }
        let created = self.insert_contact(tx, &a.contact, &[], actor, at).await?;
        crate::contact_work::insert_link(tx, contact_id, LinkKind::Related, Some(created), None, actor, at).await?;
        sqlx::query(
            "INSERT INTO script_actions (contact_id, script_id, node_id, step_no, action, created_contact_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(contact_id)
        .bind(&a.script_id)
        .bind(&a.node_id)
        .bind(a.step_no)
        .bind(a.action)
        .bind(created)
        .bind(at)
        .execute(&mut **tx)
        .await
        .map_err(crate::conflict_as("script action"))?;
        let refs = EventRefs { contact_id: Some(contact_id), agent_id: actor.user_id, ..Default::default() };
        let payload = json!({"script_id": a.script_id, "node_id": a.node_id, "step": a.step_no, "action": a.action,
            "created_contact_id": created});
        events::append(tx, &NewEvent { at, kind: SCRIPT_ACTION_PERFORMED, refs, payload }).await?;
        Ok((created, true))
    }

    /// The contacts script actions created from a contact: (action, created contact id), oldest first.
    pub async fn script_actions(&self, contact_id: i64) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT action, created_contact_id FROM script_actions WHERE contact_id = $1 ORDER BY at, created_contact_id",
        )
        .bind(contact_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("action")?, r.try_get("created_contact_id")?))).collect()
    }
}
