//! The supervisor's queue room: every queue with its operators and routing
//! rules (priority, distribution mode, aging, handling time, overflow,
//! key-client wait), edited in place. Routing applies a change at once.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::queue::{QueueRules, MODES};
use domain::validate::Invalid;
use serde::Deserialize;
use store::StoreError;

use crate::auth::{Caller, SignedInUser};
use crate::error::ApiError;
use crate::pages::{chrome, form_number, form_required, render, Chrome, PageForm};
use crate::AppState;

pub struct QueueView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub waiting: usize,
    pub rules: QueueRules,
    pub aging: String,
    pub overflow_after: String,
    pub members: Vec<String>,
    /// (value, label, selected)
    pub modes: Vec<(&'static str, String, bool)>,
    /// Other queues as backup choices: (id, name, selected).
    pub backups: Vec<(i64, String, bool)>,
    /// Skills the queue may require: (code, name, minimum level or empty).
    pub skills: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "queues.html")]
struct QueuesPage {
    chrome: Chrome,
    queues: Vec<QueueView>,
    error: Option<String>,
}

async fn page(st: &AppState, caller: &Caller, status: StatusCode, error: Option<String>) -> Response {
    let chrome = chrome(st, caller, "queues", "nav-queues");
    let load = async {
        let queues = st.store.list_queues().await?;
        let members = st.store.queue_members().await?;
        let users = st.store.list_users().await?;
        let skills = st.store.list_skills().await?;
        let required = st.store.routing_skills().await?.queues;
        Ok::<_, StoreError>((queues, members, users, skills, required))
    };
    let (queues, members, users, skills, required) = match load.await {
        Ok(v) => v,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let names: Vec<(i64, String)> = queues.iter().map(|q| (q.id, q.name(chrome.lang).to_string())).collect();
    let mut views = Vec::with_capacity(queues.len());
    for q in queues {
        let members = members
            .iter()
            .filter(|(queue, _)| *queue == q.id)
            .filter_map(|(_, user)| users.iter().find(|u| u.id == *user).map(|u| u.name.clone()))
            .collect();
        let modes = MODES.iter().map(|m| (*m, chrome.t.get(&format!("queue-mode-{m}")), *m == q.rules.mode)).collect();
        let backups = names
            .iter()
            .filter(|(id, _)| *id != q.id)
            .map(|(id, name)| (*id, name.clone(), q.rules.overflow_queue_id == Some(*id)))
            .collect();
        let needs = required.get(&q.id);
        let skills = skills
            .iter()
            .filter_map(|s| {
                let min = needs.and_then(|n| n.iter().find(|(id, _)| *id == s.id)).map(|(_, l)| l.to_string());
                // Inactive skills only where still required.
                (s.active || min.is_some())
                    .then(|| (s.code.clone(), s.name(chrome.lang).to_string(), min.unwrap_or_default()))
            })
            .collect();
        views.push(QueueView {
            skills,
            modes,
            backups,
            id: q.id,
            name: q.name(chrome.lang).to_string(),
            waiting: st.dispatch.waiting(q.id).await,
            aging: q.rules.aging_s_per_level.map(|s| s.to_string()).unwrap_or_default(),
            overflow_after: q.rules.overflow_after_s.map(|s| s.to_string()).unwrap_or_default(),
            code: q.code,
            rules: q.rules,
            members,
        });
    }
    render(status, &QueuesPage { chrome, queues: views, error })
}

/// `GET /admin/queues`.
pub async fn queues(State(st): State<AppState>, caller: Caller) -> Response {
    page(&st, &caller, StatusCode::OK, None).await
}

/// The rules form: empty optional fields mean "none".
#[derive(Deserialize)]
pub struct RulesForm {
    priority: String,
    mode: String,
    #[serde(default)]
    aging_s_per_level: String,
    aht_s: String,
    #[serde(default)]
    overflow_queue_id: String,
    #[serde(default)]
    overflow_after_s: String,
    key_client_wait_s: String,
}

impl RulesForm {
    fn rules(&self) -> Result<QueueRules, Invalid> {
        let bad = |field, code| Invalid { field, code };
        Ok(QueueRules {
            priority: form_required(&self.priority, bad("priority", "invalid-queue-priority"))?,
            mode: self.mode.clone(),
            aging_s_per_level: form_number(&self.aging_s_per_level, bad("aging_s_per_level", "invalid-queue-aging"))?,
            aht_s: form_required(&self.aht_s, bad("aht_s", "invalid-queue-aht"))?,
            overflow_queue_id: form_number(
                &self.overflow_queue_id,
                bad("overflow_queue_id", "invalid-queue-overflow-pair"),
            )?,
            overflow_after_s: form_number(
                &self.overflow_after_s,
                bad("overflow_after_s", "invalid-queue-overflow-after"),
            )?,
            key_client_wait_s: form_required(
                &self.key_client_wait_s,
                bad("key_client_wait_s", "invalid-queue-key-wait"),
            )?,
        })
    }
}

/// `POST /admin/queues/{id}/rules`.
pub async fn set_rules(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<RulesForm>,
) -> Response {
    let saved = match form.rules() {
        Ok(rules) => st.store.set_queue_rules(id, &rules, &caller.actor()).await,
        Err(inv) => Err(StoreError::Invalid(inv)),
    };
    let saved = match saved {
        Ok(_) => st.dispatch.reload(&st.store).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Redirect::to(&format!("/admin/queues#queue-{id}")).into_response(),
        Err(e) => refused(&st, &caller, e).await,
    }
}

/// The queue room again with the reason a change was refused.
pub(crate) async fn refused(st: &AppState, caller: &Caller, e: StoreError) -> Response {
    match e {
        StoreError::Invalid(inv) => {
            page(st, caller, StatusCode::UNPROCESSABLE_ENTITY, Some(st.catalog.get(caller.locale, inv.code))).await
        }
        StoreError::NotFound(_) => {
            page(st, caller, StatusCode::NOT_FOUND, Some(st.catalog.get(caller.locale, "error-not-found"))).await
        }
        e => ApiError::internal(e).into_response(),
    }
}
