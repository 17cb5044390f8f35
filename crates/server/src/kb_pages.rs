//! The knowledge base in the desk: search (stemmed, ru/kk/en), reading an
//! article, and the "what changed" feed with read acknowledgement that
//! supervisors can follow (003:582, 003:660).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::Store;

use crate::auth::SignedInUser;
use crate::error::ApiError;
use crate::pages::{chrome, error_page, render, Chrome};
use crate::AppState;

/// Current versions of all stored articles; a document that does not parse
/// is skipped with a warning rather than stopping the server.
pub async fn stored_articles(store: &Store) -> Result<Vec<kb::Article>, store::StoreError> {
    Ok(store
        .current_articles()
        .await?
        .into_iter()
        .filter_map(|a| match serde_json::from_str::<kb::Article>(&a.document) {
            Ok(article) => Some(article),
            Err(e) => {
                tracing::warn!("knowledge article {} v{} unreadable: {e}", a.id, a.version);
                None
            }
        })
        .collect())
}

/// Stores a new version of an article and puts it in the index.
pub async fn save_article(st: &AppState, a: &kb::Article) -> Result<(), ApiError> {
    let document = serde_json::to_string(a).map_err(ApiError::internal)?;
    let v = store::kb::ArticleVersion { id: a.id, version: i64::from(a.version), updated_at: a.updated_at, document };
    st.store.put_article(&v).await?;
    st.kb.upsert(a).map_err(ApiError::internal)?;
    Ok(())
}

pub struct HitRow {
    pub id: i64,
    pub title: String,
    /// HTML: escaped text with `<mark>` around matches (made by the kb crate).
    pub snippet: String,
    pub lang: &'static str,
}

pub struct ChangeRow {
    pub id: i64,
    pub version: i32,
    pub title: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "kb.html")]
struct KbPage {
    chrome: Chrome,
    q: String,
    searched: bool,
    hits: Vec<HitRow>,
    changes: Vec<ChangeRow>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// Changes of the last 30 days the operator has not acknowledged.
async fn unread_changes(st: &AppState, user_id: i64) -> Result<Vec<ChangeRow>, store::StoreError> {
    let articles = stored_articles(&st.store).await?;
    let since = store::now_ms() - 30 * 86_400_000;
    let acks: Vec<kb::feed::Ack> = st
        .store
        .article_acks(user_id)
        .await?
        .into_iter()
        .map(|(article_id, version, _)| kb::feed::Ack { article_id, version: version as i32 })
        .collect();
    let changes = kb::feed::changes_since(&articles, since);
    Ok(kb::feed::unacknowledged(&changes, &acks)
        .into_iter()
        .map(|c| ChangeRow {
            id: c.id,
            version: c.version,
            title: c.title.clone(),
            when: crate::pages::format_utc(c.updated_at),
        })
        .collect())
}

pub async fn search(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Query(query): Query<SearchQuery>,
) -> Response {
    let chrome = chrome(&st, &caller, "desk", "kb-title");
    let q = query.q.unwrap_or_default();
    let hits = if q.trim().is_empty() {
        Vec::new()
    } else {
        match st.kb.search(&q, None, store::now_ms(), 20) {
            Ok(h) => h,
            Err(e) => return ApiError::internal(e).into_response(),
        }
    };
    let changes = match unread_changes(&st, user.id).await {
        Ok(c) => c,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let hits = hits
        .into_iter()
        .map(|h| HitRow { id: h.id, title: h.title, snippet: h.snippet, lang: h.lang.code() })
        .collect();
    render(StatusCode::OK, &KbPage { chrome, searched: !q.trim().is_empty(), q, hits, changes })
}

#[derive(Template)]
#[template(path = "kb_article.html")]
struct ArticlePage {
    chrome: Chrome,
    a: kb::Article,
    paragraphs: Vec<String>,
    read: bool,
}

pub async fn article(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
) -> Response {
    let articles = match stored_articles(&st.store).await {
        Ok(a) => a,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let Some(a) = articles.into_iter().find(|a| a.id == id) else {
        return error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found");
    };
    let read = match st.store.article_acks(user.id).await {
        Ok(acks) => acks.iter().any(|(aid, v, _)| *aid == id && *v >= i64::from(a.version)),
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let paragraphs = a.body.split("\n\n").map(str::to_string).collect();
    let chrome = chrome(&st, &caller, "desk", "kb-title");
    render(StatusCode::OK, &ArticlePage { chrome, a, paragraphs, read })
}

#[derive(Deserialize)]
pub struct AckForm {
    version: i64,
}

pub async fn acknowledge(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    crate::pages::PageForm(f): crate::pages::PageForm<AckForm>,
) -> Response {
    match st.store.ack_article(user.id, id, f.version).await {
        Ok(()) => Redirect::to(&format!("/desk/kb/{id}")).into_response(),
        Err(store::StoreError::NotFound(_)) => error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found"),
        Err(e) => ApiError::internal(e).into_response(),
    }
}
