//! The knowledge editor's API and the logic its rooms share: articles (every
//! save is a new version, re-indexed at once and listed in the "what changed"
//! feed), call scripts (validated graphs, versioned; runs keep the version
//! they started with), and reply templates (only known variables). Writes
//! need `EditKnowledge` (senior operators, supervisors, quality specialists,
//! administrators — 003:582, 003:660).
//!
//! Built-in scripts (`domain::script::demo_scripts`) and templates
//! (`kb::demo_templates`) are the base: a stored script version continues the
//! built-in one's numbering, and a stored template replaces the built-in one
//! with the same id (an inactive one hides it).

use std::collections::{BTreeMap, HashSet};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::script::{Script, ScriptError};
use kb::edit::{ArticleDraft, EditError};
use serde::{Deserialize, Serialize};
use store::kb_edit::{StoredTemplate, StoredVersion, VersionSave, ARCHIVED, PUBLISHED};
use store::{AuditActor, StoreError};
use utoipa::ToSchema;

use crate::auth::SignedInUser;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::AppState;

/// Why an edit was refused.
#[derive(Debug)]
pub enum Refused {
    /// A field of an article or template.
    Edit(EditError),
    /// A script, with every problem (each names its step).
    Script(Vec<ScriptError>),
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Refused {
        Refused::Store(e)
    }
}

impl From<EditError> for Refused {
    fn from(e: EditError) -> Refused {
        Refused::Edit(e)
    }
}

impl Refused {
    /// The refusal as one line for people: `message` turns a message key into text.
    pub fn describe(&self, message: impl Fn(&str) -> String) -> String {
        match self {
            Refused::Edit(e) => {
                let detail = e.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
                format!("{}: {}{detail}", e.field, message(e.code))
            }
            Refused::Script(errors) => errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
            Refused::Store(StoreError::Conflict(_)) => message("kb-edit-conflict"),
            Refused::Store(StoreError::NotFound(_)) => message("error-not-found"),
            Refused::Store(StoreError::Invalid(inv)) => format!("{}: {}", inv.field, message(inv.code)),
            Refused::Store(_) => message("error-server"),
        }
    }
}

impl From<Refused> for ApiError {
    fn from(r: Refused) -> ApiError {
        match r {
            Refused::Edit(e) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", e.to_string()),
            Refused::Script(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("nodes: {}", r.describe(str::to_string)),
            ),
            Refused::Store(StoreError::Conflict(what)) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", format!("{what}: reload and edit the newest version"))
            }
            Refused::Store(e) => e.into(),
        }
    }
}

// ---------------------------------------------------------------- articles

fn parse_article(v: &StoredVersion<i64>) -> Result<kb::Article, StoreError> {
    serde_json::from_str(&v.document).map_err(|e| StoreError::Corrupt(format!("article {} v{}: {e}", v.id, v.version)))
}

/// Saves the next version of an article (a new article when `id` is `None`) and brings the
/// search index in line at once: a published version replaces the indexed one, an archived
/// one leaves the index. Nothing is saved when the draft is invalid.
pub async fn save_article(
    st: &AppState,
    id: Option<i64>,
    base_version: Option<i64>,
    draft: &ArticleDraft,
    status: &str,
    summary: &str,
    actor: &AuditActor,
) -> Result<kb::Article, Refused> {
    draft.validate()?;
    let at = store::now_ms();
    let save = VersionSave { base_version, status, summary: summary.trim(), at };
    let stored = st
        .store
        .save_article_version(id, save, actor, |id, version| {
            let version = i32::try_from(version).map_err(|_| StoreError::Corrupt("article version".into()))?;
            serde_json::to_string(&draft.to_article(id, version, at)).map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .await?;
    let article = parse_article(&stored)?;
    let indexed =
        if status == ARCHIVED { st.kb.remove(article.id).map(|_| ()) } else { st.kb.upsert(&article).map(|_| ()) };
    if let Err(e) = indexed {
        // The version is saved; the index is rebuilt from the store at the next start.
        tracing::error!("article {} v{} saved but not indexed: {e}", article.id, article.version);
    }
    Ok(article)
}

/// One version of an article with who saved it, when, and what changed from the version
/// before it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleVersionOut {
    pub id: i64,
    pub version: i64,
    /// `published` or `archived`.
    pub status: String,
    pub lang: String,
    pub title: String,
    pub body: String,
    pub category: String,
    pub tags: Vec<String>,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub updated_at: i64,
    pub author: Option<String>,
    /// The editor's own words.
    pub summary: String,
    /// Fields that differ from the previous version (`lang`, `title`, `body`, `category`,
    /// `tags`, `validity`); empty for version 1.
    pub changed: Vec<String>,
}

fn version_out(v: &StoredVersion<i64>, a: kb::Article, previous: Option<&kb::Article>) -> ArticleVersionOut {
    let changed = previous.map(|p| kb::edit::changed_fields(p, &a)).unwrap_or_default();
    ArticleVersionOut {
        id: a.id,
        version: v.version,
        status: v.status.clone(),
        lang: a.lang.code().to_string(),
        title: a.title,
        body: a.body,
        category: a.category,
        tags: a.tags,
        valid_from: a.valid_from,
        valid_until: a.valid_until,
        updated_at: v.updated_at,
        author: v.author_name.clone(),
        summary: v.summary.clone(),
        changed: changed.into_iter().map(str::to_string).collect(),
    }
}

/// Every version of an article, newest first, each with what changed from the one before.
pub async fn article_history(st: &AppState, id: i64) -> Result<Vec<ArticleVersionOut>, StoreError> {
    let stored = st.store.article_history(id).await?;
    let parsed: Vec<kb::Article> = stored.iter().map(parse_article).collect::<Result<_, _>>()?;
    Ok(stored
        .iter()
        .zip(parsed.iter())
        .enumerate()
        .map(|(i, (v, a))| version_out(v, a.clone(), parsed.get(i + 1)))
        .collect())
}

/// The newest version of every article, archived ones included.
pub async fn article_heads(st: &AppState) -> Result<Vec<ArticleVersionOut>, StoreError> {
    let heads = st.store.article_heads().await?;
    heads.iter().map(|v| Ok(version_out(v, parse_article(v)?, None))).collect()
}

/// An article as an editor sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleIn {
    /// `ru`, `kk` or `en`.
    pub lang: String,
    pub title: String,
    pub body: String,
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// In force from (ms since the epoch, inclusive); absent: always was.
    pub valid_from: Option<i64>,
    /// In force until (exclusive); must be after `valid_from`.
    pub valid_until: Option<i64>,
    /// `published` (default) or `archived`.
    #[serde(default)]
    pub status: Option<String>,
    /// What changed, in the editor's words.
    #[serde(default)]
    pub summary: String,
    /// For an edit: the version it is based on; refused (409) when a newer one exists.
    #[serde(default)]
    pub base_version: Option<i64>,
}

impl ArticleIn {
    fn draft(&self) -> Result<ArticleDraft, EditError> {
        let lang = kb::Lang::from_code(&self.lang).ok_or(EditError {
            field: "lang",
            code: "kb-invalid-lang",
            detail: Some(self.lang.clone()),
        })?;
        Ok(ArticleDraft {
            lang,
            title: self.title.clone(),
            body: self.body.clone(),
            category: self.category.clone(),
            tags: self.tags.clone(),
            valid_from: self.valid_from,
            valid_until: self.valid_until,
        })
    }

    fn status(&self) -> &str {
        self.status.as_deref().unwrap_or(PUBLISHED)
    }
}

/// The newest version of every article (archived ones too).
#[utoipa::path(get, path = "/api/v1/kb/articles", tag = "knowledge",
    responses((status = 200, body = Vec<ArticleVersionOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list_articles(State(st): State<AppState>) -> Result<Json<Vec<ArticleVersionOut>>, ApiError> {
    Ok(Json(article_heads(&st).await?))
}

/// Creates an article (version 1), indexed and in the feed at once.
#[utoipa::path(post, path = "/api/v1/kb/articles", tag = "knowledge", request_body = ArticleIn,
    responses((status = 201, body = ArticleVersionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_article(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<ArticleIn>,
) -> Result<(StatusCode, Json<ArticleVersionOut>), ApiError> {
    let draft = input.draft().map_err(Refused::Edit)?;
    let a = save_article(&st, None, None, &draft, input.status(), &input.summary, &caller.actor()).await?;
    let newest = article_history(&st, a.id).await?.into_iter().next().ok_or_else(|| ApiError::not_found("article"))?;
    Ok((StatusCode::CREATED, Json(newest)))
}

/// Every version of an article, newest first.
#[utoipa::path(get, path = "/api/v1/kb/articles/{id}", tag = "knowledge",
    params(("id" = i64, Path, description = "Article id")),
    responses((status = 200, body = Vec<ArticleVersionOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_article(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ArticleVersionOut>>, ApiError> {
    let history = article_history(&st, id).await?;
    if history.is_empty() {
        return Err(ApiError::not_found("article"));
    }
    Ok(Json(history))
}

/// Saves the next version of an article (or archives / republishes it with `status`).
#[utoipa::path(put, path = "/api/v1/kb/articles/{id}", tag = "knowledge", request_body = ArticleIn,
    params(("id" = i64, Path, description = "Article id")),
    responses((status = 200, body = ArticleVersionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update_article(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ArticleIn>,
) -> Result<Json<ArticleVersionOut>, ApiError> {
    let draft = input.draft().map_err(Refused::Edit)?;
    save_article(&st, Some(id), input.base_version, &draft, input.status(), &input.summary, &caller.actor()).await?;
    let newest = article_history(&st, id).await?.into_iter().next().ok_or_else(|| ApiError::not_found("article"))?;
    Ok(Json(newest))
}

/// One version of an article.
#[utoipa::path(get, path = "/api/v1/kb/articles/{id}/versions/{v}", tag = "knowledge",
    params(("id" = i64, Path, description = "Article id"), ("v" = i64, Path, description = "Version")),
    responses((status = 200, body = ArticleVersionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_article_version(
    State(st): State<AppState>,
    Path((id, v)): Path<(i64, i64)>,
) -> Result<Json<ArticleVersionOut>, ApiError> {
    let found = article_history(&st, id).await?.into_iter().find(|x| x.version == v);
    found.map(Json).ok_or_else(|| ApiError::not_found("article version"))
}

// ---------------------------------------------------------------- scripts

/// One version of a script with where it came from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScriptVersionOut {
    #[schema(value_type = Object)]
    pub script: Script,
    /// `published` or `archived`.
    pub status: String,
    /// Shipped with the program rather than saved in the editor.
    pub builtin: bool,
    pub summary: String,
    pub author: Option<String>,
    pub updated_at: Option<i64>,
}

/// Every version of every script: built-in ones and those saved in the editor, by id, newest
/// version first. A stored document that does not parse is skipped with a warning.
pub async fn script_versions(st: &AppState) -> Result<Vec<ScriptVersionOut>, StoreError> {
    let mut all: Vec<ScriptVersionOut> = domain::script::demo_scripts()
        .into_iter()
        .map(|script| ScriptVersionOut {
            script,
            status: PUBLISHED.into(),
            builtin: true,
            summary: String::new(),
            author: None,
            updated_at: None,
        })
        .collect();
    for v in st.store.stored_scripts().await? {
        match serde_json::from_str::<Script>(&v.document) {
            Ok(script) => all.push(ScriptVersionOut {
                script,
                status: v.status,
                builtin: false,
                summary: v.summary,
                author: v.author_name,
                updated_at: Some(v.updated_at),
            }),
            Err(e) => tracing::warn!("script {} v{} unreadable: {e}", v.id, v.version),
        }
    }
    all.sort_by(|a, b| a.script.id.cmp(&b.script.id).then(b.script.version.cmp(&a.script.version)));
    Ok(all)
}

/// The newest version of every script (archived ones too), by id.
pub async fn current_scripts(st: &AppState) -> Result<Vec<ScriptVersionOut>, StoreError> {
    let mut seen = HashSet::new();
    Ok(script_versions(st).await?.into_iter().filter(|v| seen.insert(v.script.id.clone())).collect())
}

/// The scripts operators can start: the newest version of each, unless archived.
pub async fn runnable_scripts(st: &AppState) -> Result<Vec<Script>, StoreError> {
    Ok(current_scripts(st).await?.into_iter().filter(|v| v.status == PUBLISHED).map(|v| v.script).collect())
}

/// A given version of a script (the one a saved run used).
pub async fn script_version(st: &AppState, id: &str, version: i64) -> Result<Option<Script>, StoreError> {
    Ok(script_versions(st)
        .await?
        .into_iter()
        .find(|v| v.script.id == id && i64::from(v.script.version) == version)
        .map(|v| v.script))
}

/// Saves `script` as the next version of its id (a new script when `base_version` is `None`):
/// the graph must be valid and every linked article must exist; the version number is the
/// store's. Returns the version saved.
pub async fn save_script(
    st: &AppState,
    mut script: Script,
    base_version: Option<i64>,
    status: &str,
    summary: &str,
    actor: &AuditActor,
) -> Result<Script, Refused> {
    script.id = script.id.trim().to_string();
    let mut errors = script.validate().err().unwrap_or_default();
    let articles: HashSet<i64> = st.store.article_heads().await?.into_iter().map(|a| a.id).collect();
    errors.extend(script.check_article_links(|a| articles.contains(&a)));
    if !errors.is_empty() {
        return Err(Refused::Script(errors));
    }
    let floor = domain::script::demo_scripts()
        .into_iter()
        .find(|s| s.id == script.id)
        .map(|s| i64::from(s.version))
        .unwrap_or(0);
    let save = VersionSave { base_version, status, summary: summary.trim(), at: store::now_ms() };
    let id = script.id.clone();
    let mut saved = script.clone();
    let version = st
        .store
        .save_script_version(&id, floor, save, actor, |version| {
            saved.version = u32::try_from(version).map_err(|_| StoreError::Corrupt("script version".into()))?;
            serde_json::to_string(&saved).map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .await?;
    script.version = u32::try_from(version).map_err(|_| StoreError::Corrupt("script version".into()))?;
    Ok(script)
}

/// A script to save: the whole graph as JSON (its `version` is ignored: the store numbers
/// versions).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScriptIn {
    #[schema(value_type = Object)]
    pub script: Script,
    /// For an edit: the version it is based on; refused (409) when a newer one exists.
    #[serde(default)]
    pub base_version: Option<i64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub summary: String,
}

/// The newest version of every script.
#[utoipa::path(get, path = "/api/v1/scripts", tag = "knowledge",
    responses((status = 200, body = Vec<ScriptVersionOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list_scripts(State(st): State<AppState>) -> Result<Json<Vec<ScriptVersionOut>>, ApiError> {
    Ok(Json(current_scripts(&st).await?))
}

/// Creates a script (the id must be new).
#[utoipa::path(post, path = "/api/v1/scripts", tag = "knowledge", request_body = ScriptIn,
    responses((status = 201, body = ScriptVersionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_script(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<ScriptIn>,
) -> Result<(StatusCode, Json<ScriptVersionOut>), ApiError> {
    let status = input.status.as_deref().unwrap_or(PUBLISHED).to_string();
    let script = save_script(&st, input.script, None, &status, &input.summary, &caller.actor()).await?;
    let out =
        ScriptVersionOut { script, status, builtin: false, summary: input.summary, author: None, updated_at: None };
    Ok((StatusCode::CREATED, Json(out)))
}

/// Every version of a script, newest first.
#[utoipa::path(get, path = "/api/v1/scripts/{id}", tag = "knowledge",
    params(("id" = String, Path, description = "Script id")),
    responses((status = 200, body = Vec<ScriptVersionOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_script(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<ScriptVersionOut>>, ApiError> {
    let versions: Vec<_> = script_versions(&st).await?.into_iter().filter(|v| v.script.id == id).collect();
    if versions.is_empty() {
        return Err(ApiError::not_found("script"));
    }
    Ok(Json(versions))
}

/// Saves the next version of a script; runs already saved on contacts keep theirs.
#[utoipa::path(put, path = "/api/v1/scripts/{id}", tag = "knowledge", request_body = ScriptIn,
    params(("id" = String, Path, description = "Script id")),
    responses((status = 200, body = ScriptVersionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update_script(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<String>,
    ApiJson(mut input): ApiJson<ScriptIn>,
) -> Result<Json<ScriptVersionOut>, ApiError> {
    input.script.id = id;
    let base = input.base_version.ok_or(domain::validate::Invalid { field: "base_version", code: "required" })?;
    let status = input.status.as_deref().unwrap_or(PUBLISHED).to_string();
    let script = save_script(&st, input.script, Some(base), &status, &input.summary, &caller.actor()).await?;
    Ok(Json(ScriptVersionOut {
        script,
        status,
        builtin: false,
        summary: input.summary,
        author: None,
        updated_at: None,
    }))
}

// ---------------------------------------------------------------- reply templates

/// A reply template with whether operators can use it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateOut {
    pub id: i64,
    pub name: String,
    pub lang: String,
    /// Text with `{{variable}}` placeholders.
    pub body: String,
    pub active: bool,
    pub builtin: bool,
}

/// Every template: built-in ones replaced by stored ones with the same id, then stored ones.
pub async fn all_templates(st: &AppState) -> Result<Vec<TemplateOut>, StoreError> {
    let mut by_id: BTreeMap<i64, TemplateOut> = kb::demo_templates()
        .unwrap_or_else(|e| {
            tracing::error!("built-in reply templates do not load: {e}");
            Vec::new()
        })
        .into_iter()
        .map(|t| {
            (
                t.id,
                TemplateOut {
                    id: t.id,
                    name: t.name,
                    lang: t.lang.code().into(),
                    body: t.body,
                    active: true,
                    builtin: true,
                },
            )
        })
        .collect();
    for t in st.store.stored_templates().await? {
        by_id.insert(
            t.id,
            TemplateOut { id: t.id, name: t.name, lang: t.lang, body: t.body, active: t.active, builtin: false },
        );
    }
    Ok(by_id.into_values().collect())
}

/// The templates operators can use in the reply composer.
pub async fn active_templates(st: &AppState) -> Result<Vec<kb::Template>, StoreError> {
    Ok(all_templates(st)
        .await?
        .into_iter()
        .filter(|t| t.active)
        .filter_map(|t| {
            Some(kb::Template { id: t.id, name: t.name, lang: kb::Lang::from_code(&t.lang)?, body: t.body })
        })
        .collect())
}

/// A template as an editor sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateIn {
    pub name: String,
    /// `ru`, `kk` or `en`.
    pub lang: String,
    /// Text with `{{variable}}` placeholders from the known list (`customer_name`,
    /// `contact_number`, `operator_name`, `due_date`, …); an unknown one is refused by name.
    pub body: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Checks and saves a template; `id` `None` adds one. Returns its id.
pub async fn save_template(st: &AppState, id: Option<i64>, t: &TemplateIn, actor: &AuditActor) -> Result<i64, Refused> {
    let lang = kb::Lang::from_code(&t.lang).ok_or(EditError {
        field: "lang",
        code: "kb-invalid-lang",
        detail: Some(t.lang.clone()),
    })?;
    kb::edit::check_template(&t.name, &t.body)?;
    let all = all_templates(st).await?;
    if let Some(id) = id {
        if !all.iter().any(|x| x.id == id) {
            return Err(Refused::Store(StoreError::NotFound("template")));
        }
    }
    let floor = all.iter().filter(|x| x.builtin).map(|x| x.id).max().unwrap_or(0);
    let stored = StoredTemplate {
        id: id.unwrap_or(0),
        name: t.name.trim().to_string(),
        lang: lang.code().to_string(),
        body: t.body.trim().to_string(),
        active: t.active,
        updated_at: store::now_ms(),
    };
    Ok(st.store.save_template(id, floor, &stored, actor).await?)
}

/// Every reply template, inactive ones included.
#[utoipa::path(get, path = "/api/v1/templates", tag = "knowledge",
    responses((status = 200, body = Vec<TemplateOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list_templates(State(st): State<AppState>) -> Result<Json<Vec<TemplateOut>>, ApiError> {
    Ok(Json(all_templates(&st).await?))
}

async fn template_out(st: &AppState, id: i64) -> Result<TemplateOut, ApiError> {
    all_templates(st).await?.into_iter().find(|t| t.id == id).ok_or_else(|| ApiError::not_found("template"))
}

/// Adds a reply template.
#[utoipa::path(post, path = "/api/v1/templates", tag = "knowledge", request_body = TemplateIn,
    responses((status = 201, body = TemplateOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_template(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<TemplateIn>,
) -> Result<(StatusCode, Json<TemplateOut>), ApiError> {
    let id = save_template(&st, None, &input, &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(template_out(&st, id).await?)))
}

/// Replaces a reply template (built-in or stored); `active: false` withdraws it.
#[utoipa::path(put, path = "/api/v1/templates/{id}", tag = "knowledge", request_body = TemplateIn,
    params(("id" = i64, Path, description = "Template id")),
    responses((status = 200, body = TemplateOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update_template(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TemplateIn>,
) -> Result<Json<TemplateOut>, ApiError> {
    save_template(&st, Some(id), &input, &caller.actor()).await?;
    Ok(Json(template_out(&st, id).await?))
}
