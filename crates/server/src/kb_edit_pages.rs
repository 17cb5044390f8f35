//! The knowledge editor's rooms: articles (`/admin/kb`: new, edit = next
//! version, archive / republish, every version viewable with who, when and
//! what changed), call scripts (`/admin/scripts`: the steps as a table and
//! the whole graph as JSON to edit, import and export) and reply templates
//! (`/admin/templates`). The logic is `kb_edit`'s; dates are days in the
//! centre's time zone (Almaty).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::script::{NodeKind, Script};
use domain::time::{Date, UtcOffset};
use kb::edit::{ArticleDraft, EditError};
use serde::Deserialize;
use store::kb_edit::{ARCHIVED, PUBLISHED};
use store::StoreError;

use crate::auth::{Caller, SignedInUser};
use crate::error::ApiError;
use crate::kb_edit::{self as logic, ArticleVersionOut, Refused, ScriptVersionOut, TemplateIn, TemplateOut};
use crate::pages::{chrome, error_page, render, Chrome, PageForm};
use crate::AppState;

fn day(ms: Option<i64>) -> String {
    ms.map(|t| UtcOffset::ALMATY.local_date(t).to_string()).unwrap_or_default()
}

fn parse_day(field: &'static str, s: &str) -> Result<Option<i64>, EditError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    Date::parse(s.trim()).map(|d| Some(UtcOffset::ALMATY.start_of_day(d))).ok_or(EditError {
        field,
        code: "kb-invalid-date",
        detail: Some(s.to_string()),
    })
}

fn refusal_text(st: &AppState, caller: &Caller, r: &Refused) -> String {
    r.describe(|key| st.catalog.get(caller.locale, key))
}

fn status_of(r: &Refused) -> StatusCode {
    match r {
        Refused::Store(store::StoreError::Conflict(_)) => StatusCode::CONFLICT,
        Refused::Store(store::StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

// ---------------------------------------------------------------- articles

/// The article form's fields (create and edit).
#[derive(Deserialize, Default)]
pub struct ArticleForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    base_version: String,
}

impl ArticleForm {
    fn from_version(v: &ArticleVersionOut) -> ArticleForm {
        ArticleForm {
            lang: v.lang.clone(),
            title: v.title.clone(),
            body: v.body.clone(),
            category: v.category.clone(),
            tags: v.tags.join(", "),
            valid_from: day(v.valid_from),
            valid_until: day(v.valid_until),
            status: v.status.clone(),
            summary: String::new(),
            base_version: v.version.to_string(),
        }
    }

    fn draft(&self) -> Result<ArticleDraft, EditError> {
        Ok(ArticleDraft {
            lang: kb::Lang::from_code(&self.lang).ok_or(EditError {
                field: "lang",
                code: "kb-invalid-lang",
                detail: Some(self.lang.clone()),
            })?,
            title: self.title.clone(),
            body: self.body.clone(),
            category: self.category.clone(),
            tags: kb::edit::parse_tags(&self.tags),
            valid_from: parse_day("valid_from", &self.valid_from)?,
            valid_until: parse_day("valid_until", &self.valid_until)?,
        })
    }

    fn status(&self) -> &'static str {
        status_field(&self.status)
    }
}

#[derive(Template)]
#[template(path = "kb_editor.html")]
struct ArticlesPage {
    chrome: Chrome,
    articles: Vec<ArticleVersionOut>,
    form: ArticleForm,
    error: Option<String>,
}

async fn articles_page(
    st: &AppState,
    caller: &Caller,
    status: StatusCode,
    form: ArticleForm,
    error: Option<String>,
) -> Response {
    let chrome = chrome(st, caller, "kb-editor", "kb-editor-title");
    match logic::article_heads(st).await {
        Ok(articles) => render(status, &ArticlesPage { chrome, articles, form, error }),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// `GET /admin/kb`: every article and the form for a new one.
pub async fn articles(State(st): State<AppState>, caller: Caller) -> Response {
    let form = ArticleForm { lang: "ru".into(), ..ArticleForm::default() };
    articles_page(&st, &caller, StatusCode::OK, form, None).await
}

/// `POST /admin/kb`: creates an article.
pub async fn create_article(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    PageForm(f): PageForm<ArticleForm>,
) -> Response {
    let saved = match f.draft() {
        Ok(d) => logic::save_article(&st, None, None, &d, f.status(), &f.summary, &caller.actor()).await,
        Err(e) => Err(Refused::Edit(e)),
    };
    match saved {
        Ok(a) => Redirect::to(&format!("/admin/kb/{}", a.id)).into_response(),
        Err(r) => {
            let text = refusal_text(&st, &caller, &r);
            articles_page(&st, &caller, status_of(&r), f, Some(text)).await
        }
    }
}

#[derive(Template)]
#[template(path = "kb_editor_article.html")]
struct ArticlePage {
    chrome: Chrome,
    id: i64,
    form: ArticleForm,
    history: Vec<ArticleVersionOut>,
    /// Desk staff who have / have not acknowledged the newest version ("name (login)").
    read: Vec<String>,
    unread: Vec<String>,
    error: Option<String>,
}

/// Who of the desk staff has read `newest` (003:582, 003:660: supervisors
/// check that operators know the current rules).
async fn read_status(st: &AppState, newest: &ArticleVersionOut) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let users = st.store.list_users().await?;
    let acks = st.store.article_readers(newest.id).await?;
    let mut by_operator: std::collections::HashMap<String, Vec<kb::feed::Ack>> = std::collections::HashMap::new();
    for u in users.iter().filter(|u| u.can(domain::Permission::UseDesk)) {
        let seen = acks
            .iter()
            .filter(|(user, _)| *user == u.id)
            .map(|(_, v)| kb::feed::Ack { article_id: newest.id, version: i32::try_from(*v).unwrap_or(i32::MAX) })
            .collect();
        by_operator.insert(format!("{} ({})", u.name, u.login), seen);
    }
    let version = i32::try_from(newest.version).unwrap_or(i32::MAX);
    Ok(kb::feed::readers_of(newest.id, version, &by_operator))
}

async fn article_page(
    st: &AppState,
    caller: &Caller,
    id: i64,
    status: StatusCode,
    form: Option<ArticleForm>,
    error: Option<String>,
) -> Response {
    let history = match logic::article_history(st, id).await {
        Ok(h) => h,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let Some(newest) = history.first() else {
        return error_page(st, caller.locale, StatusCode::NOT_FOUND, "error-not-found");
    };
    let (read, unread) = match read_status(st, newest).await {
        Ok(r) => r,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let form = form.unwrap_or_else(|| ArticleForm::from_version(newest));
    let chrome = chrome(st, caller, "kb-editor", "kb-editor-title");
    render(status, &ArticlePage { chrome, id, form, history, read, unread, error })
}

/// `GET /admin/kb/{id}`: the newest version to edit and every version before it.
pub async fn article(State(st): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Response {
    article_page(&st, &caller, id, StatusCode::OK, None, None).await
}

/// `POST /admin/kb/{id}`: saves the next version (or archives / republishes it).
pub async fn save_article(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ArticleForm>,
) -> Response {
    let base = f.base_version.trim().parse::<i64>().ok();
    let saved = match f.draft() {
        Ok(d) => logic::save_article(&st, Some(id), base, &d, f.status(), &f.summary, &caller.actor()).await,
        Err(e) => Err(Refused::Edit(e)),
    };
    match saved {
        Ok(a) => Redirect::to(&format!("/admin/kb/{}", a.id)).into_response(),
        Err(r) => {
            let text = refusal_text(&st, &caller, &r);
            article_page(&st, &caller, id, status_of(&r), Some(f), Some(text)).await
        }
    }
}

// ---------------------------------------------------------------- scripts

/// One step of a script as the room lists it.
pub struct StepRow {
    pub id: String,
    pub kind: &'static str,
    pub text: String,
    /// Where it leads: `label → next` per option, or the next step, or the outcome.
    pub leads: Vec<String>,
    pub articles: Vec<i64>,
    pub start: bool,
}

fn step_rows(s: &Script) -> Vec<StepRow> {
    s.nodes
        .iter()
        .map(|n| {
            let (kind, leads) = match &n.kind {
                NodeKind::Question { options } => {
                    ("question", options.iter().map(|o| format!("{} → {}", o.label, o.next)).collect())
                }
                NodeKind::Say { next } => ("say", vec![next.clone().unwrap_or_else(|| "■".into())]),
                NodeKind::Input { field, next, .. } => ("input", vec![format!("{field} → {next}")]),
                NodeKind::Action { action, next } => {
                    let a = serde_json::to_value(action).ok().and_then(|v| v["type"].as_str().map(str::to_string));
                    (
                        "action",
                        vec![format!("{} → {}", a.unwrap_or_default(), next.clone().unwrap_or_else(|| "■".into()))],
                    )
                }
                NodeKind::End { outcome } => ("end", vec![format!("■ {outcome}")]),
            };
            StepRow {
                id: n.id.clone(),
                kind,
                text: n.text.clone(),
                leads,
                articles: n.article_ids.clone(),
                start: n.id == s.start,
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct ScriptForm {
    #[serde(default)]
    json: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    base_version: String,
}

#[derive(Template)]
#[template(path = "scripts_editor.html")]
struct ScriptsPage {
    chrome: Chrome,
    scripts: Vec<ScriptVersionOut>,
    json: String,
    error: Option<String>,
}

async fn scripts_page(
    st: &AppState,
    caller: &Caller,
    status: StatusCode,
    json: String,
    error: Option<String>,
) -> Response {
    let chrome = chrome(st, caller, "scripts", "scripts-editor-title");
    match logic::current_scripts(st).await {
        Ok(scripts) => render(status, &ScriptsPage { chrome, scripts, json, error }),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// `GET /admin/scripts`: every script and the JSON import form.
pub async fn scripts(State(st): State<AppState>, caller: Caller) -> Response {
    scripts_page(&st, &caller, StatusCode::OK, String::new(), None).await
}

fn parse_script(json: &str) -> Result<Script, Refused> {
    serde_json::from_str(json).map_err(|e| {
        Refused::Edit(EditError { field: "json", code: "script-invalid-json", detail: Some(e.to_string()) })
    })
}

/// The status a form asks for: `archived`, else `published`.
fn status_field(s: &str) -> &'static str {
    if s == ARCHIVED {
        ARCHIVED
    } else {
        PUBLISHED
    }
}

/// `POST /admin/scripts`: imports a script from JSON — a new one, or the next version of the
/// script with the same id.
pub async fn import_script(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    PageForm(f): PageForm<ScriptForm>,
) -> Response {
    let saved = async {
        let script = parse_script(&f.json)?;
        let current = logic::current_scripts(&st).await?;
        let base = current.iter().find(|v| v.script.id == script.id.trim()).map(|v| i64::from(v.script.version));
        logic::save_script(&st, script, base, status_field(&f.status), &f.summary, &caller.actor()).await
    };
    match saved.await {
        Ok(s) => Redirect::to(&format!("/admin/scripts/{}", s.id)).into_response(),
        Err(r) => {
            let text = refusal_text(&st, &caller, &r);
            scripts_page(&st, &caller, status_of(&r), f.json, Some(text)).await
        }
    }
}

#[derive(Template)]
#[template(path = "script_editor.html")]
struct ScriptPage {
    chrome: Chrome,
    current: ScriptVersionOut,
    steps: Vec<StepRow>,
    versions: Vec<ScriptVersionOut>,
    json: String,
    error: Option<String>,
}

async fn script_page(
    st: &AppState,
    caller: &Caller,
    id: &str,
    status: StatusCode,
    json: Option<String>,
    error: Option<String>,
) -> Response {
    let versions: Vec<ScriptVersionOut> = match logic::script_versions(st).await {
        Ok(all) => all.into_iter().filter(|v| v.script.id == id).collect(),
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let Some(current) = versions.first().cloned() else {
        return error_page(st, caller.locale, StatusCode::NOT_FOUND, "error-not-found");
    };
    let json = json.unwrap_or_else(|| serde_json::to_string_pretty(&current.script).unwrap_or_default());
    let steps = step_rows(&current.script);
    let chrome = chrome(st, caller, "scripts", "scripts-editor-title");
    render(status, &ScriptPage { chrome, current, steps, versions, json, error })
}

/// `GET /admin/scripts/{id}`: the newest version's steps, its JSON to edit or export, and
/// every version.
pub async fn script(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    script_page(&st, &caller, &id, StatusCode::OK, None, None).await
}

/// `POST /admin/scripts/{id}`: saves the edited JSON as the next version.
pub async fn save_script(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ScriptForm>,
) -> Response {
    let saved = async {
        let mut script = parse_script(&f.json)?;
        script.id = id.clone();
        let base = f.base_version.trim().parse::<i64>().ok();
        logic::save_script(&st, script, base, status_field(&f.status), &f.summary, &caller.actor()).await
    };
    match saved.await {
        Ok(s) => Redirect::to(&format!("/admin/scripts/{}", s.id)).into_response(),
        Err(r) => {
            let text = refusal_text(&st, &caller, &r);
            script_page(&st, &caller, &id, status_of(&r), Some(f.json), Some(text)).await
        }
    }
}

// ---------------------------------------------------------------- templates

#[derive(Template)]
#[template(path = "templates_editor.html")]
struct TemplatesPage {
    chrome: Chrome,
    templates: Vec<TemplateOut>,
    variables: String,
    error: Option<String>,
}

async fn templates_page(st: &AppState, caller: &Caller, status: StatusCode, error: Option<String>) -> Response {
    let chrome = chrome(st, caller, "templates", "templates-editor-title");
    let variables = kb::template::VARIABLES.iter().map(|v| format!("{{{{{v}}}}}")).collect::<Vec<_>>().join(" ");
    match logic::all_templates(st).await {
        Ok(templates) => render(status, &TemplatesPage { chrome, templates, variables, error }),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// `GET /admin/templates`.
pub async fn templates(State(st): State<AppState>, caller: Caller) -> Response {
    templates_page(&st, &caller, StatusCode::OK, None).await
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    body: String,
    /// A checkbox: absent when unticked.
    #[serde(default)]
    active: Option<String>,
}

impl TemplateForm {
    fn input(self) -> TemplateIn {
        TemplateIn { name: self.name, lang: self.lang, body: self.body, active: self.active.is_some() }
    }
}

async fn template_saved(st: &AppState, caller: &Caller, saved: Result<i64, Refused>) -> Response {
    match saved {
        Ok(id) => Redirect::to(&format!("/admin/templates#template-{id}")).into_response(),
        Err(r) => {
            let text = refusal_text(st, caller, &r);
            templates_page(st, caller, status_of(&r), Some(text)).await
        }
    }
}

/// `POST /admin/templates`: adds a template.
pub async fn create_template(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    PageForm(f): PageForm<TemplateForm>,
) -> Response {
    let saved = logic::save_template(&st, None, &f.input(), &caller.actor()).await;
    template_saved(&st, &caller, saved).await
}

/// `POST /admin/templates/{id}`: replaces a template (built-in or stored).
pub async fn save_template(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<TemplateForm>,
) -> Response {
    let saved = logic::save_template(&st, Some(id), &f.input(), &caller.actor()).await;
    template_saved(&st, &caller, saved).await
}
