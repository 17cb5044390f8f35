//! The operator desk in the browser: state switcher, the operator's own work
//! (offers to accept, contacts in work), queues, the contact window with its
//! redirection trace, transfer and wrap-up, and the customer card with the
//! timeline of all their contacts. Plain forms that work without JavaScript;
//! every change goes through the dispatcher like the API's.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::contact::{required_wrapup_fields, ContactType, Status, WrapUp};
use domain::masking::{mask_email, mask_name, mask_phone};
use domain::script::{Action, Answer, NodeKind, PathStep, Script, ScriptRun};
use serde::Deserialize;
use store::{Contact, Customer, StoreError};

use crate::auth::{Caller, SignedInUser};
use crate::dispatch::STATES;
use crate::error::ApiError;
use crate::pages::{chrome, error_page, render, Chrome, PageForm};
use crate::AppState;

/// A contact line in the desk's lists.
pub struct ContactRow {
    pub id: i64,
    pub status: String,
    pub status_label: String,
    pub type_label: String,
    pub subject: String,
    pub offered: bool,
}

fn row(chrome: &Chrome, c: &Contact) -> ContactRow {
    ContactRow {
        id: c.id,
        status: c.status.as_str().to_string(),
        status_label: chrome.t.get(&format!("status-{}", c.status.as_str())),
        type_label: chrome.t.get(&format!("ctype-{}", c.contact_type.as_str())),
        subject: c.subject.clone(),
        offered: c.status == Status::Offered,
    }
}

/// A customer as listed in the desk: masked, since a list is not a view of
/// anyone's data; opening the card is.
pub struct CustomerRow {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub client_type: String,
}

impl CustomerRow {
    pub fn masked(c: &Customer) -> CustomerRow {
        CustomerRow {
            id: c.id,
            name: mask_name(&c.full_name),
            phone: mask_phone(&c.phone),
            email: mask_email(&c.email),
            client_type: c.client_type.clone(),
        }
    }
}

pub struct QueueRow {
    pub id: i64,
    pub name: String,
    pub waiting: usize,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    chrome: Chrome,
    state: String,
    /// (value, label, selected)
    states: Vec<(&'static str, String, bool)>,
    mine: Vec<ContactRow>,
    queues: Vec<QueueRow>,
    customers: Vec<CustomerRow>,
}

fn state_label(chrome: &Chrome, s: &str) -> String {
    chrome.t.get(&format!("state-{}", s.replace([':', '_'], "-")))
}

async fn queue_rows(st: &AppState, chrome: &Chrome) -> Result<Vec<QueueRow>, StoreError> {
    let mut out = Vec::new();
    for q in st.store.list_queues().await? {
        let waiting = st.dispatch.waiting(q.id).await;
        out.push(QueueRow { id: q.id, name: q.name(chrome.lang).to_string(), waiting });
    }
    Ok(out)
}

pub async fn desk(State(st): State<AppState>, SignedInUser(user, caller): SignedInUser) -> Response {
    let chrome = chrome(&st, &caller, "desk", "nav-desk");
    let load = async {
        let state = st
            .store
            .operator_states()
            .await?
            .into_iter()
            .find(|(u, _, _)| *u == user.id)
            .map(|(_, s, _)| s)
            .unwrap_or_else(|| "offline".into());
        let mine = st.store.operator_contacts(user.id).await?;
        let queues = queue_rows(&st, &chrome).await?;
        let customers = st.store.list_customers(20, 0).await?;
        Ok::<_, StoreError>((state, mine, queues, customers))
    };
    let (state, mine, queues, customers) = match load.await {
        Ok(v) => v,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let states = STATES.iter().map(|s| (*s, state_label(&chrome, s), *s == state)).collect();
    let mine = mine.iter().map(|c| row(&chrome, c)).collect();
    let customers = customers.iter().map(CustomerRow::masked).collect();
    let state = state_label(&chrome, &state);
    render(StatusCode::OK, &DeskPage { chrome, state, states, mine, queues, customers })
}

#[derive(Deserialize)]
pub struct StateForm {
    state: String,
}

/// Maps a store error from a desk action to a page.
pub(crate) fn failed(st: &AppState, caller: &Caller, e: StoreError) -> Response {
    match e {
        StoreError::Conflict(_) => error_page(st, caller.locale, StatusCode::CONFLICT, "error-contact-changed"),
        StoreError::NotFound(_) => error_page(st, caller.locale, StatusCode::NOT_FOUND, "error-not-found"),
        StoreError::Invalid(inv) => error_page(st, caller.locale, StatusCode::UNPROCESSABLE_ENTITY, inv.code),
        other => ApiError::internal(other).into_response(),
    }
}

pub async fn set_state(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    PageForm(f): PageForm<StateForm>,
) -> Response {
    match st.dispatch.set_state(&st.store, user.id, &f.state).await {
        Ok(()) => Redirect::to("/desk").into_response(),
        Err(e) => failed(&st, &caller, e),
    }
}

pub async fn accept(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
) -> Response {
    match st.dispatch.accept(&st.store, id, user.id).await {
        Ok(()) => Redirect::to(&format!("/desk/contacts/{id}")).into_response(),
        Err(e) => failed(&st, &caller, e),
    }
}

pub async fn decline(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
) -> Response {
    match st.dispatch.decline(&st.store, id, user.id).await {
        Ok(()) => Redirect::to("/desk").into_response(),
        Err(e) => failed(&st, &caller, e),
    }
}

pub struct HopRow {
    pub when: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

fn hop_row(chrome: &Chrome, queues: &[(i64, String)], users: &[(i64, String)], h: store::Hop) -> HopRow {
    let reason = if h.reason == crate::dispatch::OVERFLOW_REASON { chrome.t.get("hop-overflow") } else { h.reason };
    HopRow {
        when: crate::pages::format_utc(h.at),
        from: format!("{} / {}", name_of(queues, h.from_queue_id), name_of(users, h.from_operator_id)),
        to: name_of(queues, h.to_queue_id),
        reason,
    }
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    chrome: Chrome,
    c: ContactRow,
    channel: String,
    queue: String,
    operator: String,
    customer: Option<(i64, String)>,
    /// The topic's name in the viewer's language.
    topic: String,
    hops: Vec<HopRow>,
    /// Held by the viewer and in work: transfer and wrap-up are offered.
    mine: bool,
    queues: Vec<QueueRow>,
    /// (field id, label)
    required: Vec<(&'static str, String)>,
    wrapup: Option<WrapUp>,
    /// The script being run in this contact, if any.
    script: Option<ScriptView>,
    /// Scripts that can be started: (id, name).
    scripts: Vec<(String, String)>,
    clocks: Vec<ClockRow>,
    work: WorkView,
    /// The order panel: the viewer holds the contact, may take orders, and the contact has a customer.
    order_panel: Option<crate::order_pages::OrderPanel>,
}

/// Notes, attachments, links, notices, replies and the lifecycle buttons of
/// the contact window.
pub struct WorkView {
    pub notes: Vec<NoteRow>,
    pub attachments: Vec<AttachmentRow>,
    pub links: Vec<LinkRow>,
    pub notices: Vec<NoticeRow>,
    pub replies: Vec<ReplyRow>,
    /// The letters of an email contact, in and out, oldest first.
    pub emails: Vec<EmailRow>,
    /// The messenger conversation of a messenger contact, oldest first.
    pub messages: Vec<crate::telegram::MessageRow>,
    /// (id, name, selected)
    pub templates: Vec<(i64, String, bool)>,
    /// The composer's text (a template filled from the contact, blanks left as `{{name}}`).
    pub draft: String,
    pub template_id: String,
    /// (link kind, label)
    pub link_kinds: Vec<(&'static str, String)>,
    pub can_close: bool,
    pub can_reopen: bool,
    /// The holder may park it: in work.
    pub can_wait: bool,
    /// The holder may take it back: waiting.
    pub can_resume: bool,
    /// Where the call's recordings play from (CTI voice contacts).
    pub recordings: Vec<String>,
    /// The call's timings (label, seconds) for a contact that came through CTI.
    pub call: Vec<(String, String)>,
    /// The conversation of a web chat contact.
    pub chat: Option<ChatView>,
}

/// A web chat in the contact window (`static/chat-desk.js` keeps it live).
pub struct ChatView {
    pub messages: Vec<ChatRow>,
    pub last_seq: i64,
    pub visitor: String,
    pub page_url: String,
    /// The viewer may write (holds it, or supervises) and it is not resolved.
    pub can_send: bool,
    pub ended: bool,
}

pub struct ChatRow {
    pub seq: i64,
    pub from: &'static str,
    pub name: String,
    pub when: String,
    pub text: String,
    /// (attachment id, file name)
    pub file: Option<(i64, String)>,
}

/// A letter in the contact window. `html` was sanitised when the letter
/// was stored (`mail::parse`), so the template shows it as is.
pub struct EmailRow {
    pub when: String,
    pub direction: String,
    pub incoming: bool,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub status: String,
}

pub struct NoteRow {
    pub when: String,
    pub author: String,
    pub body: String,
}

pub struct AttachmentRow {
    pub href: String,
    pub filename: String,
    pub size: String,
    pub when: String,
}

pub struct LinkRow {
    pub kind: String,
    pub label: String,
    /// The linked contact's window, for contact links.
    pub href: Option<String>,
}

pub struct NoticeRow {
    pub when: String,
    pub body: String,
    pub status: String,
    /// Channel and masked address, e.g. `e-mail a***@mail.kz` (empty until tried).
    pub via: String,
    pub attempts: i64,
    /// The last error, or why it is undeliverable, in the viewer's language.
    pub error: String,
}

pub struct ReplyRow {
    pub when: String,
    pub author: String,
    pub body: String,
    pub status: String,
}

fn note_rows(notes: Vec<store::contact_work::Note>) -> Vec<NoteRow> {
    notes
        .into_iter()
        .map(|n| NoteRow {
            when: crate::pages::format_utc(n.created_at),
            author: n.author_name.unwrap_or_else(|| "—".into()),
            body: n.body,
        })
        .collect()
}

fn size_label(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// Loads what the contact window shows of the work on a contact.
async fn work_view(
    st: &AppState,
    chrome: &Chrome,
    c: &Contact,
    user: &store::User,
    template: Option<i64>,
) -> Result<WorkView, StoreError> {
    let id = c.id;
    let notes = note_rows(st.store.contact_notes(id).await?);
    let attachments = st
        .store
        .contact_attachments(id)
        .await?
        .into_iter()
        .map(|a| AttachmentRow {
            href: format!("/desk/contacts/{id}/attachments/{}", a.id),
            filename: a.filename,
            size: size_label(a.size),
            when: crate::pages::format_utc(a.created_at),
        })
        .collect();
    let links = st
        .store
        .contact_links(id)
        .await?
        .into_iter()
        .map(|l| {
            let kind = chrome.t.get(&format!("link-kind-{}", l.kind.as_str()));
            match (l.target_contact_id, l.order_ref) {
                (Some(t), _) if l.contact_id == id => {
                    LinkRow { kind, label: format!("№ {t}"), href: Some(format!("/desk/contacts/{t}")) }
                }
                (Some(_), _) => LinkRow {
                    kind: format!("{kind} ({})", chrome.t.get("link-from")),
                    label: format!("№ {}", l.contact_id),
                    href: Some(format!("/desk/contacts/{}", l.contact_id)),
                },
                (None, order) => LinkRow { kind, label: order.unwrap_or_default(), href: None },
            }
        })
        .collect();
    let pending = |status: &str, key: &str| if status == "pending" { chrome.t.get(key) } else { status.to_string() };
    let notices = st
        .store
        .contact_notifications(id)
        .await?
        .into_iter()
        .map(|n| NoticeRow {
            when: crate::pages::format_utc(n.created_at),
            status: crate::notices::status_label(&chrome.t, &n.status),
            via: crate::notices::via_label(&chrome.t, &n.via, &n.address),
            attempts: n.attempts,
            error: crate::notices::error_label(&chrome.t, &n.status, &n.last_error),
            body: n.body,
        })
        .collect();
    let replies = st
        .store
        .contact_replies(id)
        .await?
        .into_iter()
        .map(|r| ReplyRow {
            when: crate::pages::format_utc(r.created_at),
            author: r.author_name.unwrap_or_else(|| "—".into()),
            status: pending(&r.status, "reply-pending"),
            body: r.body,
        })
        .collect();
    // `cid:` images of the (sanitised) HTML point at the stored attachments.
    let inline = st.store.contact_inline_images(id).await?;
    let with_images = |html: String| {
        inline.iter().fold(html, |h, (cid, aid)| {
            h.replace(&format!("\"cid:{cid}\""), &format!("\"/desk/contacts/{id}/attachments/{aid}\""))
        })
    };
    let emails = st
        .store
        .contact_emails(id)
        .await?
        .into_iter()
        .map(|e| {
            let incoming = e.direction == "in";
            let status = match e.disposition.as_str() {
                "sending" | "sent" | "failed" | "bounce" => chrome.t.get(&format!("email-status-{}", e.disposition)),
                _ => String::new(),
            };
            EmailRow {
                when: crate::pages::format_utc(e.created_at),
                direction: chrome.t.get(if incoming { "email-in" } else { "email-out" }),
                incoming,
                from: e.from_address,
                to: e.to_address,
                subject: e.subject,
                text: if e.disposition == "bounce" { e.detail } else { e.body_text },
                html: e.body_html.map(with_images),
                status,
            }
        })
        .collect();
    let messages = crate::telegram::message_rows(st, &chrome.t, id).await?;
    let all = crate::kb_edit::active_templates(st).await?;
    let chosen = template.and_then(|t| all.iter().find(|x| x.id == t));
    let draft = match chosen {
        Some(t) => {
            let vars = crate::work_api::template_vars(st, c, user).await?;
            kb::template::fill(&t.body, &vars).map(|(text, _)| text).unwrap_or_else(|_| t.body.clone())
        }
        None => String::new(),
    };
    let template_id = chosen.map(|t| t.id.to_string()).unwrap_or_default();
    let templates =
        all.iter().map(|t| (t.id, format!("{} ({})", t.name, t.lang.code()), Some(t.id) == template)).collect();
    let link_kinds = domain::contact_work::LinkKind::ALL
        .iter()
        .map(|k| (k.as_str(), chrome.t.get(&format!("link-kind-{}", k.as_str()))))
        .collect();
    let holder = c.operator_id == Some(user.id);
    Ok(WorkView {
        notes,
        attachments,
        links,
        notices,
        replies,
        emails,
        messages,
        templates,
        draft,
        template_id,
        link_kinds,
        can_close: c.status == Status::Resolved
            && domain::contact_work::may_close(c.operator_id, user.id, user.can(domain::Permission::ManageQueues)),
        can_reopen: matches!(c.status, Status::Resolved | Status::Closed),
        can_wait: holder && c.status == Status::InWork,
        can_resume: holder && matches!(c.status, Status::WaitingCustomer | Status::WaitingDepartment),
        recordings: st
            .store
            .call_recordings(id)
            .await?
            .iter()
            .map(|r| crate::cti::recording_href(r, "/desk"))
            .collect(),
        chat: match st.store.chat_session_of_contact(id).await? {
            Some(s) => {
                let messages: Vec<ChatRow> = st
                    .store
                    .chat_messages(s.id, 0)
                    .await?
                    .into_iter()
                    .map(|m| ChatRow {
                        seq: m.seq,
                        from: m.from.as_str(),
                        name: m.name,
                        when: crate::pages::format_utc(m.created_at),
                        text: m.text,
                        file: m.file.map(|f| (f.id, f.name)),
                    })
                    .collect();
                let open = !matches!(c.status, Status::Resolved | Status::Closed);
                Some(ChatView {
                    last_seq: messages.last().map_or(0, |m| m.seq),
                    messages,
                    visitor: s.visitor_name,
                    page_url: s.page_url,
                    can_send: open && (holder || user.can(domain::Permission::ManageQueues)),
                    ended: s.ended_at.is_some(),
                })
            }
            None => None,
        },
        call: match st.store.call_of_contact(id).await? {
            Some(rec) => {
                let t = rec.state.timings(rec.resolved_at);
                [("call-ring", t.ring_ms), ("call-wait", t.wait_ms), ("call-talk", t.talk_ms), ("call-hold", t.hold_ms)]
                    .into_iter()
                    .chain([("call-wrap", t.wrap_ms)])
                    .map(|(key, ms)| (chrome.t.get(key), format!("{:.0} s", ms as f64 / 1000.0)))
                    .collect()
            }
            None => Vec::new(),
        },
    })
}

/// Query of the contact window: a reply template to start the composer from.
#[derive(Deserialize)]
pub struct ContactQuery {
    #[serde(default)]
    template: String,
}

/// An SLA or legal clock on the contact window.
pub struct ClockRow {
    pub label: String,
    pub state: &'static str,
    pub state_label: String,
    pub due: String,
}

/// The script runner's state as the page shows it.
pub struct ScriptView {
    pub name: String,
    /// question, say, input, action, ended
    pub kind: &'static str,
    pub text: String,
    pub options: Vec<(usize, String)>,
    pub prompt: String,
    pub outcome: String,
    /// (node text, answer) of each step taken.
    pub path: Vec<(String, String)>,
    pub articles: Vec<i64>,
    /// How many steps the path has: the step forms send it back so a form
    /// submitted twice is recognised and changes nothing the second time.
    pub step: usize,
    /// Contacts the script's actions registered: (what, contact number).
    pub actions: Vec<(String, i64)>,
}

/// Rebuilds a contact's saved script run with the script version it started with.
async fn load_run(st: &AppState, contact: i64) -> Result<Option<(Script, ScriptRun)>, StoreError> {
    let Some(rec) = st.store.script_run(contact).await? else { return Ok(None) };
    let script = crate::kb_edit::script_version(st, &rec.script_id, rec.script_version)
        .await?
        .ok_or(StoreError::NotFound("script"))?;
    let path: Vec<PathStep> = serde_json::from_str(&rec.path).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let run = ScriptRun::replay(&script, &path).map_err(|e| StoreError::Corrupt(format!("script path: {e:?}")))?;
    Ok(Some((script, run)))
}

fn script_view(script: &Script, run: &ScriptRun) -> ScriptView {
    let path = run
        .path()
        .iter()
        .map(|p| {
            let text = script.node(&p.node_id).map(|n| n.text.clone()).unwrap_or_default();
            (text, p.label_or_text().unwrap_or("✓").to_string())
        })
        .collect();
    let node = run.current_node(script);
    let mut v = ScriptView {
        name: script.name.clone(),
        kind: "ended",
        text: node.map(|n| n.text.clone()).unwrap_or_default(),
        options: Vec::new(),
        prompt: String::new(),
        outcome: run.outcome().unwrap_or_default().to_string(),
        path,
        articles: node.map(|n| n.article_ids.clone()).unwrap_or_default(),
        step: run.path().len(),
        actions: Vec::new(),
    };
    if run.is_ended() {
        return v;
    }
    if let Some(n) = node {
        v.kind = match &n.kind {
            NodeKind::Question { options } => {
                v.options = options.iter().enumerate().map(|(i, o)| (i, o.label.clone())).collect();
                "question"
            }
            NodeKind::Say { .. } => "say",
            NodeKind::Input { prompt, .. } => {
                v.prompt = prompt.clone();
                "input"
            }
            NodeKind::Action { .. } => "action",
            NodeKind::End { .. } => "ended",
        };
    }
    v
}

async fn names(st: &AppState, locale: &str) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), StoreError> {
    let queues = st.store.list_queues().await?.into_iter().map(|q| (q.id, q.name(locale).to_string())).collect();
    let users = st.store.list_users().await?.into_iter().map(|u| (u.id, u.name)).collect();
    Ok((queues, users))
}

fn name_of(list: &[(i64, String)], id: Option<i64>) -> String {
    id.and_then(|id| list.iter().find(|(i, _)| *i == id)).map(|(_, n)| n.clone()).unwrap_or_else(|| "—".into())
}

pub async fn contact(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    Query(query): Query<ContactQuery>,
) -> Response {
    let template = query.template.parse::<i64>().ok();
    let chrome = chrome(&st, &caller, "desk", "contact-title");
    let load = async {
        let c = st.store.contact(id).await?.ok_or(StoreError::NotFound("contact"))?;
        let hops = st.store.contact_hops(id).await?;
        let (queue_names, user_names) = names(&st, chrome.lang).await?;
        let customer = match c.customer_id {
            Some(cid) => st.store.customer(cid).await?,
            None => None,
        };
        let queues = queue_rows(&st, &chrome).await?;
        Ok::<_, StoreError>((c, hops, queue_names, user_names, customer, queues))
    };
    let (c, hops, queue_names, user_names, customer, queues) = match load.await {
        Ok(v) => v,
        Err(e) => return failed(&st, &caller, e),
    };
    let hops = hops.into_iter().map(|h| hop_row(&chrome, &queue_names, &user_names, h)).collect();
    let mine = c.operator_id == Some(user.id)
        && matches!(c.status, Status::InWork | Status::WaitingCustomer | Status::WaitingDepartment);
    let required = required_wrapup_fields(c.contact_type)
        .iter()
        .map(|f| (*f, chrome.t.get(&format!("wrapup-field-{f}"))))
        .collect();
    let script = match load_run(&st, id).await {
        Ok(run) => run.map(|(script, run)| script_view(&script, &run)),
        Err(e) => return failed(&st, &caller, e),
    };
    let script = match (script, st.store.script_actions(id).await) {
        (Some(mut view), Ok(done)) => {
            view.actions =
                done.into_iter().map(|(action, cid)| (chrome.t.get(&format!("script-done-{action}")), cid)).collect();
            Some(view)
        }
        (view, Ok(_)) => view,
        (_, Err(e)) => return failed(&st, &caller, e),
    };
    let scripts = match crate::kb_edit::runnable_scripts(&st).await {
        Ok(all) => all.into_iter().map(|s| (s.id, s.name)).collect(),
        Err(e) => return failed(&st, &caller, e),
    };
    let clocks = match st.store.contact_events(id).await {
        Ok(events) => crate::clocks::contact_clocks(&st.service_levels(), &c, &events, store::now_ms())
            .into_iter()
            .map(|k| ClockRow {
                label: chrome.t.get(&format!("clock-{}", k.name)),
                state: k.state,
                state_label: chrome.t.get(&format!("clock-state-{}", k.state)),
                due: k.due.unwrap_or_else(|| "—".into()),
            })
            .collect(),
        Err(e) => return failed(&st, &caller, e),
    };
    let work = match work_view(&st, &chrome, &c, &user, template).await {
        Ok(w) => w,
        Err(e) => return failed(&st, &caller, e),
    };
    let topic = match crate::topics::label(&st, &c.topic, chrome.lang).await {
        Ok(t) => t,
        Err(e) => return failed(&st, &caller, e),
    };
    let order_panel = match &customer {
        Some(cu) if mine && user.can(domain::Permission::UseOrders) => {
            Some(crate::order_pages::OrderPanel::new(&chrome.t, cu))
        }
        _ => None,
    };
    let page = ContactPage {
        order_panel,
        c: row(&chrome, &c),
        topic,
        channel: chrome.t.get(&format!("channel-{}", c.channel.as_str())),
        queue: name_of(&queue_names, c.queue_id),
        operator: name_of(&user_names, c.operator_id),
        customer: customer.map(|cu: Customer| (cu.id, mask_name(&cu.full_name))),
        hops,
        mine,
        queues,
        required,
        wrapup: c.wrapup,
        script,
        scripts,
        clocks,
        work,
        chrome,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct TransferForm {
    queue_id: i64,
    reason: String,
}

pub async fn transfer(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<TransferForm>,
) -> Response {
    match st.store.contact(id).await {
        Ok(Some(c)) if c.operator_id == Some(user.id) => {}
        Ok(Some(_)) => return error_page(&st, caller.locale, StatusCode::CONFLICT, "error-contact-changed"),
        Ok(None) => return error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found"),
        Err(e) => return ApiError::internal(e).into_response(),
    }
    match st.dispatch.transfer(&st.store, id, f.queue_id, &f.reason, &caller.actor()).await {
        Ok(()) => Redirect::to("/desk").into_response(),
        Err(e) => failed(&st, &caller, e),
    }
}

pub async fn resolve(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let fields = pairs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("field_").map(|f| (f.to_string(), v.trim().to_string())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let wrapup = WrapUp {
        summary: get("summary"),
        outcome: get("outcome"),
        fields,
        first_contact_resolution: get("fcr") == "on",
    };
    match st.dispatch.resolve(&st.store, id, user.id, &wrapup).await {
        Ok(()) => Redirect::to(&format!("/desk/contacts/{id}")).into_response(),
        Err(e) => failed(&st, &caller, e),
    }
}

/// One step of the script runner: start a script, answer, continue or go back.
pub async fn script_step(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let c = match st.store.contact(id).await {
        Ok(Some(c)) if c.operator_id == Some(user.id) && c.status.is_open() => c,
        Ok(Some(_)) => return error_page(&st, caller.locale, StatusCode::CONFLICT, "error-contact-changed"),
        Ok(None) => return error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found"),
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let back_to_script = Redirect::to(&format!("/desk/contacts/{id}#script")).into_response();
    let start = get("start");
    let (script, mut run) = if !start.is_empty() {
        let scripts = match crate::kb_edit::runnable_scripts(&st).await {
            Ok(s) => s,
            Err(e) => return failed(&st, &caller, e),
        };
        match scripts.into_iter().find(|s| s.id == start) {
            Some(s) => {
                let run = ScriptRun::start(&s);
                (s, run)
            }
            None => return error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found"),
        }
    } else {
        match load_run(&st, id).await {
            Ok(Some(v)) => v,
            Ok(None) => return error_page(&st, caller.locale, StatusCode::CONFLICT, "error-contact-changed"),
            Err(e) => return failed(&st, &caller, e),
        }
    };
    let mut action = None;
    if start.is_empty() {
        // A form for an earlier step (submitted twice, or from a stale page) changes nothing.
        if get("step").parse::<usize>().is_ok_and(|step| step != run.path().len()) {
            return back_to_script;
        }
        let (node_id, step_no) = (run.current().to_string(), run.path().len());
        let now = Some(store::now_ms());
        let result = match get("answer").as_str() {
            "choose" => match get("option").parse::<usize>() {
                Ok(i) => run.step_at(&script, Answer::Choose(i), now).map(|o| o.action),
                Err(_) => return error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request"),
            },
            "enter" => run.step_at(&script, Answer::Enter(get("text")), now).map(|o| o.action),
            "continue" => run.step_at(&script, Answer::Continue, now).map(|o| o.action),
            "back" => run.back().map(|_| None),
            _ => return error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request"),
        };
        match result {
            Ok(Some(a)) => match script_action(&st, &c, &script, &node_id, step_no, &a, caller.locale).await {
                Ok(todo) => action = todo,
                Err(e) => return failed(&st, &caller, e),
            },
            Ok(None) => {}
            Err(_) => return error_page(&st, caller.locale, StatusCode::UNPROCESSABLE_ENTITY, "script-step-refused"),
        }
    }
    let path = match serde_json::to_string(run.path()) {
        Ok(p) => p,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let rec = store::contacts::ScriptRunRecord {
        script_id: script.id.clone(),
        script_version: i64::from(script.version),
        path,
        updated_at: store::now_ms(),
    };
    match st.store.commit_script_step(id, &rec, action.as_ref(), &caller.actor()).await {
        Ok(Some((created, true))) => {
            if let (Some(a), Ok(Some(new))) = (&action, st.store.contact(created).await) {
                st.dispatch.route_registered(&st.store, &new, a.contact.queue_id).await;
            }
            back_to_script
        }
        Ok(_) => back_to_script,
        Err(e) => failed(&st, &caller, e),
    }
}

/// What a script action does when the operator passes its step.
///
/// "Register complaint" registers a **new complaint contact** for the same
/// customer, linked to this one, rather than turning this contact into a
/// complaint: the call may be about an order or a question and keeps its own
/// type, SLA and wrap-up, while the complaint gets its own legal deadline
/// clock from the moment it is registered, its own queue (`complaints`) and
/// its own life (investigation, waiting on a department) after the call
/// ends. "Create order" registers a sale/order contact in the `sales` queue
/// for the order desk to take: orders themselves do not exist yet (the order
/// desk is a later issue), so no order is pretended. Other actions
/// (transfer, callback, open article) are recorded on the path only.
async fn script_action(
    st: &AppState,
    c: &Contact,
    script: &Script,
    node_id: &str,
    step_no: usize,
    action: &Action,
    locale: i18n::Locale,
) -> Result<Option<store::kb_edit::ScriptAction>, StoreError> {
    let (name, contact_type, queue_code) = match action {
        Action::RegisterComplaint => ("register_complaint", ContactType::Complaint, "complaints"),
        Action::CreateOrder => ("create_order", ContactType::SaleOrder, "sales"),
        Action::Transfer { .. } | Action::OpenArticle { .. } | Action::ScheduleCallback => return Ok(None),
    };
    let queues = st.store.list_queues().await?;
    let queue_id = queues
        .iter()
        .find(|q| q.code == queue_code)
        .map(|q| q.id)
        .or(c.queue_id)
        .ok_or(StoreError::NotFound("queue"))?;
    let subject = format!("{} № {}: {}", st.catalog.get(locale, &format!("script-done-{name}")), c.id, c.subject);
    let contact = store::contacts::NewContact {
        channel: c.channel,
        direction: c.direction,
        contact_type,
        topic: String::new(),
        priority: c.priority,
        subject: subject.chars().take(500).collect(),
        customer_id: c.customer_id,
        queue_id,
    };
    Ok(Some(store::kb_edit::ScriptAction {
        script_id: script.id.clone(),
        node_id: node_id.to_string(),
        step_no: i64::try_from(step_no).unwrap_or(i64::MAX),
        action: name,
        contact,
    }))
}

pub struct TimelineRow {
    pub when: String,
    pub c: ContactRow,
    pub queue: String,
    pub operator: String,
    pub trace: Vec<HopRow>,
    pub notes: Vec<NoteRow>,
    /// The changes of orders taken in this contact (`order.*` events), oldest first.
    pub orders: Vec<OrderChangeRow>,
}

/// One change of an order on the customer's timeline.
pub struct OrderChangeRow {
    pub when: String,
    /// 0 for `order.blocked` (no order was created).
    pub order_id: i64,
    /// The event kind (`order.created`, `order.shipped`, …).
    pub kind: String,
    pub label: String,
}

/// The order changes among a contact's events, labelled for the card.
fn order_changes(t: &crate::pages::Tr, events: &[store::events::EventRecord]) -> Vec<OrderChangeRow> {
    events
        .iter()
        .filter(|e| e.kind.starts_with("order."))
        .filter_map(|e| {
            let what = e.kind.trim_start_matches("order.");
            // A blocked order (credit gate) never existed: no number, still a change worth seeing.
            let order_id = e.refs.order_id.or((what == "blocked").then_some(0))?;
            let label = match what {
                "created" => t.get("ord-change-created"),
                "blocked" => t.get("ord-change-blocked"),
                status => t.get(&format!("ord-status-{status}")),
            };
            let extra = match (
                e.payload.get("carrier").and_then(|v| v.as_str()),
                e.payload.get("tracking").and_then(|v| v.as_str()),
            ) {
                (Some(c), Some(tr)) if !c.is_empty() => format!(" ({c}, {tr})"),
                _ => String::new(),
            };
            Some(OrderChangeRow {
                when: crate::pages::format_utc(e.at),
                order_id,
                kind: e.kind.clone(),
                label: format!("{label}{extra}"),
            })
        })
        .collect()
}

/// A possible duplicate on the card (masked: it is someone else's card).
pub struct DuplicateRow {
    pub c: CustomerRow,
    pub score: u32,
    pub reasons: String,
}

#[derive(Template)]
#[template(path = "customer.html")]
struct CustomerPage {
    chrome: Chrome,
    c: Customer,
    client_type: String,
    /// (kind label, normalised value)
    identities: Vec<(String, String)>,
    manager: String,
    consent: String,
    duplicates: Vec<DuplicateRow>,
    /// May merge duplicates and assign the manager.
    can_manage: bool,
    /// May record consent.
    can_edit: bool,
    /// May call the customer through the PBX (click-to-call).
    can_call: bool,
    /// Users who can be the manager: (id, name, selected).
    managers: Vec<(i64, String, bool)>,
    timeline: Vec<TimelineRow>,
}

pub async fn customer_card(State(st): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Response {
    let chrome = chrome(&st, &caller, "desk", "customer-card-title");
    let load = async {
        let c = st.store.customer(id).await?.ok_or(StoreError::NotFound("customer"))?;
        st.store.audit(&caller.actor(), "customer.view", &format!("customer:{id}"), "ui").await?;
        let contacts = st.store.customer_contacts(id, 100).await?;
        let (queue_names, user_names) = names(&st, chrome.lang).await?;
        let mut timeline = Vec::with_capacity(contacts.len());
        for k in &contacts {
            let trace = st
                .store
                .contact_hops(k.id)
                .await?
                .into_iter()
                .map(|h| hop_row(&chrome, &queue_names, &user_names, h))
                .collect();
            let notes = note_rows(st.store.contact_notes(k.id).await?);
            let orders = order_changes(&chrome.t, &st.store.contact_events(k.id).await?);
            timeline.push(TimelineRow {
                orders,
                when: crate::pages::format_utc(k.created_at),
                c: row(&chrome, k),
                queue: name_of(&queue_names, k.queue_id),
                operator: name_of(&user_names, k.operator_id),
                trace,
                notes,
            });
        }
        Ok::<_, StoreError>((c, timeline))
    };
    let (c, timeline) = match load.await {
        Ok(v) => v,
        Err(e) => return failed(&st, &caller, e),
    };
    let details = async {
        let identities = st.store.customer_identities(id).await?;
        let duplicates = st.store.customer_duplicates(id).await?;
        let users = st.store.list_users().await?;
        Ok::<_, StoreError>((identities, duplicates, users))
    };
    let (identities, duplicates, users) = match details.await {
        Ok(v) => v,
        Err(e) => return failed(&st, &caller, e),
    };
    let user = caller.user();
    let can = |p| user.is_some_and(|u| u.can(p));
    let t = &chrome.t;
    let page = CustomerPage {
        client_type: t.get(&format!("client-type-{}", c.client_type)),
        identities: identities
            .into_iter()
            .map(|i| (t.get(&format!("identity-{}", i.kind.as_str())), i.value))
            .collect(),
        manager: name_of(&users.iter().map(|u| (u.id, u.name.clone())).collect::<Vec<_>>(), c.manager_id),
        consent: match (c.consent, c.consent_at) {
            (true, Some(at)) => format!("{} ({} UTC)", t.get("customer-consent-given"), crate::pages::format_utc(at)),
            (true, None) => t.get("customer-consent-given"),
            (false, Some(at)) => {
                format!("{} ({} UTC)", t.get("customer-consent-withdrawn"), crate::pages::format_utc(at))
            }
            (false, None) => t.get("customer-consent-none"),
        },
        duplicates: duplicates
            .iter()
            .map(|d| DuplicateRow {
                c: CustomerRow::masked(&d.customer),
                score: d.score,
                reasons: d
                    .reasons
                    .iter()
                    .map(|r| t.get(&format!("duplicate-{}", r.as_str().replace('_', "-"))))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        can_manage: can(domain::Permission::ManageCustomers) && c.merged_into.is_none(),
        can_edit: can(domain::Permission::EditCustomers) && c.merged_into.is_none(),
        can_call: can(domain::Permission::UseDesk) && c.merged_into.is_none(),
        managers: users
            .iter()
            .filter(|u| u.active && domain::customer::can_be_manager(&u.roles))
            .map(|u| (u.id, u.name.clone(), Some(u.id) == c.manager_id))
            .collect(),
        c,
        timeline,
        chrome,
    };
    render(StatusCode::OK, &page)
}
