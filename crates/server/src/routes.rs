//! Every route of the server in one table with who may reach it, and the
//! router built from it. The [`crate::auth::guard`] middleware looks each
//! request's route up here; a route missing from the table is refused.

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post, put};
use axum::Router;
use domain::access::Access;
use domain::Permission::*;
use tower_http::catch_panic::CatchPanicLayer;

use crate::{
    alerts, analytics_pages, api, auth, chat, chat_desk, cti, customer_api, customer_pages, desk_api, desk_pages,
    kb_edit, kb_edit_pages, kb_pages, live, mail_api, metrics, order_documents, order_pages, orders_api, pages,
    planning_api, planning_pages, planning_tools, public_pages, queue_pages, returns, service_pages, shop_pages,
    skills, telegram, topics, work_api, work_pages, AppState,
};

/// HTTP methods the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Put,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
        }
    }

    /// Methods that change state and so need a CSRF token from browsers.
    pub fn is_unsafe(self) -> bool {
        !matches!(self, Verb::Get)
    }

    pub fn from_method(m: &axum::http::Method) -> Option<Verb> {
        match *m {
            axum::http::Method::GET | axum::http::Method::HEAD => Some(Verb::Get),
            axum::http::Method::POST => Some(Verb::Post),
            axum::http::Method::PUT => Some(Verb::Put),
            _ => None,
        }
    }
}

/// One route: method, path pattern (axum syntax) and who may reach it.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub verb: Verb,
    pub path: &'static str,
    pub access: Access,
}

const fn r(verb: Verb, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec { verb, path, access }
}

use Access::{Public, Requires, SignedIn};
use Verb::{Get, Post, Put};

/// The route table. Adding a route means adding a line here; the role×route
/// test in `tests/access.rs` then says who must and must not reach it.
pub const ROUTES: &[RouteSpec] = &[
    // Operations and documentation.
    r(Get, "/healthz", Public),
    r(Get, "/metrics", Public),
    r(Get, "/api/openapi.json", Public),
    r(Get, "/static/app.css", Public),
    r(Get, "/static/live.js", Public),
    // Signing in and out.
    r(Get, "/login", Public),
    r(Post, "/login", Public),
    // Customers' public pages.
    r(Get, "/status", Public),
    r(Post, "/status", Public),
    r(Get, "/request", Public),
    r(Post, "/request", Public),
    // The web chat (docs/CHAT.md): the session token is the visitor's credential.
    r(Get, "/chat/widget.js", Public),
    r(Get, "/chat/api/status", Public),
    r(Post, "/chat/api/start", Public),
    r(Post, "/chat/api/offline", Public),
    r(Post, "/chat/api/upload", Public),
    r(Get, "/chat/api/file/{id}", Public),
    r(Post, "/chat/api/transcript", Public),
    r(Get, "/chat/ws", Public),
    r(Get, "/chat/demo", Public),
    r(Post, "/logout", SignedIn),
    // UI rooms.
    r(Get, "/", SignedIn),
    r(Get, "/profile", SignedIn),
    r(Post, "/profile/locale", SignedIn),
    r(Post, "/profile/password", SignedIn),
    r(Post, "/profile/tokens", SignedIn),
    r(Get, "/desk", Requires(UseDesk)),
    r(Get, "/desk/events", Requires(UseDesk)),
    r(Get, "/desk/customers", Requires(ViewCustomerData)),
    r(Get, "/desk/customers/{id}", Requires(ViewCustomerData)),
    r(Post, "/desk/customers/{id}/merge", Requires(ManageCustomers)),
    r(Post, "/desk/customers/{id}/manager", Requires(ManageCustomers)),
    r(Post, "/desk/customers/{id}/consent", Requires(EditCustomers)),
    r(Post, "/desk/customers/{id}/call", Requires(UseDesk)),
    r(Post, "/desk/state", Requires(UseDesk)),
    r(Get, "/desk/kb", Requires(UseDesk)),
    r(Get, "/desk/kb/{id}", Requires(UseDesk)),
    r(Post, "/desk/kb/{id}/ack", Requires(UseDesk)),
    r(Get, "/desk/contacts/{id}", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/accept", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/decline", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/transfer", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/resolve", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/script", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/notes", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/attachments", Requires(UseDesk)),
    r(Get, "/desk/contacts/{id}/attachments/{aid}", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/links", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/close", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/reopen", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/waiting", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/replies", Requires(UseDesk)),
    r(Get, "/orders", Requires(UseOrders)),
    // Order documents (invoice, delivery note, confirmation; html or pdf) and
    // the seller's details on them: ConfigureShop.
    r(Get, "/orders/{id}/documents/{file}", Requires(UseOrders)),
    r(Get, "/admin/seller", Requires(ConfigureShop)),
    r(Post, "/admin/seller", Requires(ConfigureShop)),
    r(Get, "/api/v1/seller", Requires(ConfigureShop)),
    r(Put, "/api/v1/seller", Requires(ConfigureShop)),
    // The shop manager's analytics (issue 6 §6).
    r(Get, "/orders/analytics", Requires(ManageOrders)),
    r(Post, "/orders/analytics/settings", Requires(ManageOrders)),
    r(Post, "/orders/analytics/customers/{id}/callback", Requires(ManageOrders)),
    r(Get, "/orders/analytics/export.csv", Requires(ManageOrders)),
    r(Get, "/orders/analytics/export.xlsx", Requires(ManageOrders)),
    r(Get, "/api/v1/sales/analytics", Requires(ManageOrders)),
    // The order room and the desk's order panel (docs/ORDERS.md); the scripts use the orders API.
    r(Get, "/orders/{id}", Requires(UseOrders)),
    r(Get, "/static/order-desk.js", Public),
    r(Get, "/static/orders.js", Public),
    r(Get, "/quality", Requires(UseQuality)),
    r(Get, "/planning", Requires(UsePlanning)),
    // The planner's room: histories, forecasts, staffing, schedules, exports.
    r(Post, "/planning/series", Requires(UsePlanning)),
    r(Post, "/planning/series/centre", Requires(UsePlanning)),
    r(Get, "/planning/series/{id}", Requires(UsePlanning)),
    r(Post, "/planning/series/{id}/forecasts", Requires(UsePlanning)),
    r(Get, "/planning/forecasts/{id}", Requires(UsePlanning)),
    r(Get, "/planning/forecasts/{id}/xlsx", Requires(UsePlanning)),
    r(Post, "/planning/forecasts/{id}/staffing", Requires(UsePlanning)),
    r(Get, "/planning/staffing/{id}", Requires(UsePlanning)),
    r(Get, "/planning/staffing/{id}/xlsx", Requires(UsePlanning)),
    r(Post, "/planning/staffing/{id}/schedules", Requires(UsePlanning)),
    r(Post, "/planning/schedules", Requires(UsePlanning)),
    r(Get, "/planning/schedules/{id}", Requires(UsePlanning)),
    r(Get, "/planning/schedules/{id}/xlsx", Requires(UsePlanning)),
    r(Post, "/planning/schedules/{id}/publish", Requires(UsePlanning)),
    r(Get, "/planning/tools", Requires(UsePlanning)),
    r(Get, "/planning/tools/reforecast", Requires(UsePlanning)),
    r(Post, "/planning/tools/shrinkage", Requires(UsePlanning)),
    r(Post, "/planning/tools/vacation", Requires(UsePlanning)),
    // An operator's own published shifts.
    r(Get, "/desk/schedule", Requires(UseDesk)),
    r(Get, "/wallboard", Requires(ViewWallboard)),
    r(Get, "/wallboard/events", Requires(ViewWallboard)),
    r(Post, "/wallboard/alerts/{id}/ack", Requires(ViewWallboard)),
    r(Get, "/reports", Requires(ViewReports)),
    r(Get, "/admin/users", Requires(ViewUsers)),
    r(Post, "/admin/users", Requires(ManageUsers)),
    r(Post, "/admin/users/{id}/roles", Requires(ManageUsers)),
    r(Get, "/admin/audit", Requires(ViewAudit)),
    r(Get, "/admin/queues", Requires(ManageQueues)),
    r(Post, "/admin/queues/{id}/rules", Requires(ManageQueues)),
    r(Get, "/admin/service-levels", Requires(ManageQueues)),
    r(Post, "/admin/service-levels/sla", Requires(ManageQueues)),
    r(Post, "/admin/service-levels/legal", Requires(ManageQueues)),
    // The topic tree: who shapes routing also shapes classification.
    r(Get, "/admin/topics", Requires(ManageQueues)),
    r(Post, "/admin/topics", Requires(ManageQueues)),
    r(Post, "/admin/topics/{id}", Requires(ManageQueues)),
    // Skills and capacity: who shapes routing also says who can take what.
    r(Get, "/admin/skills", Requires(ManageQueues)),
    r(Post, "/admin/skills", Requires(ManageQueues)),
    r(Post, "/admin/skills/{id}", Requires(ManageQueues)),
    r(Post, "/admin/operators/{id}/skills", Requires(ManageQueues)),
    r(Post, "/admin/queues/{id}/skills", Requires(ManageQueues)),
    // The knowledge editor: articles, call scripts, reply templates.
    r(Get, "/admin/kb", Requires(EditKnowledge)),
    r(Post, "/admin/kb", Requires(EditKnowledge)),
    r(Get, "/admin/kb/{id}", Requires(EditKnowledge)),
    r(Post, "/admin/kb/{id}", Requires(EditKnowledge)),
    r(Get, "/admin/scripts", Requires(EditKnowledge)),
    r(Post, "/admin/scripts", Requires(EditKnowledge)),
    r(Get, "/admin/scripts/{id}", Requires(EditKnowledge)),
    r(Post, "/admin/scripts/{id}", Requires(EditKnowledge)),
    r(Get, "/admin/templates", Requires(EditKnowledge)),
    r(Post, "/admin/templates", Requires(EditKnowledge)),
    r(Post, "/admin/templates/{id}", Requires(EditKnowledge)),
    // JSON API.
    r(Get, "/api/v1/me", SignedIn),
    r(Post, "/api/v1/me/tokens", SignedIn),
    r(Get, "/api/v1/roles", SignedIn),
    r(Get, "/api/v1/users", Requires(ViewUsers)),
    r(Post, "/api/v1/users", Requires(ManageUsers)),
    r(Get, "/api/v1/users/{id}", Requires(ViewUsers)),
    r(Put, "/api/v1/users/{id}/roles", Requires(ManageUsers)),
    r(Get, "/api/v1/audit", Requires(ViewAudit)),
    r(Get, "/api/v1/customers", Requires(ViewCustomerData)),
    r(Post, "/api/v1/customers", Requires(EditCustomers)),
    r(Get, "/api/v1/customers/{id}", Requires(ViewCustomerData)),
    r(Get, "/api/v1/customers/{id}/duplicates", Requires(ViewCustomerData)),
    r(Post, "/api/v1/customers/{id}/merge", Requires(ManageCustomers)),
    r(Put, "/api/v1/customers/{id}/manager", Requires(ManageCustomers)),
    r(Put, "/api/v1/customers/{id}/consent", Requires(EditCustomers)),
    r(Get, "/api/v1/queues", SignedIn),
    r(Post, "/api/v1/queues", Requires(ManageQueues)),
    r(Post, "/api/v1/queues/{id}/members", Requires(ManageQueues)),
    r(Put, "/api/v1/queues/{id}/rules", Requires(ManageQueues)),
    r(Get, "/api/v1/service-levels", Requires(ManageQueues)),
    r(Put, "/api/v1/service-levels", Requires(ManageQueues)),
    // Everyone signed in reads the topics (operators classify contacts).
    r(Get, "/api/v1/topics", SignedIn),
    r(Post, "/api/v1/topics", Requires(ManageQueues)),
    r(Put, "/api/v1/topics/{id}", Requires(ManageQueues)),
    r(Get, "/admin/mailboxes", Requires(ManageChannels)),
    r(Post, "/admin/mailboxes", Requires(ManageChannels)),
    r(Post, "/admin/mailboxes/{id}", Requires(ManageChannels)),
    r(Get, "/api/v1/mailboxes", Requires(ManageChannels)),
    r(Post, "/api/v1/mailboxes", Requires(ManageChannels)),
    r(Get, "/api/v1/mailboxes/{id}", Requires(ManageChannels)),
    r(Put, "/api/v1/mailboxes/{id}", Requires(ManageChannels)),
    r(Get, "/admin/gateways", Requires(ManageChannels)),
    r(Post, "/admin/gateways", Requires(ManageChannels)),
    r(Post, "/admin/gateways/{id}", Requires(ManageChannels)),
    r(Get, "/api/v1/notice-gateways", Requires(ManageChannels)),
    r(Post, "/api/v1/notice-gateways", Requires(ManageChannels)),
    r(Put, "/api/v1/notice-gateways/{id}", Requires(ManageChannels)),
    r(Post, "/admin/notice-texts", Requires(ManageChannels)),
    r(Get, "/api/v1/notice-texts", Requires(ManageChannels)),
    r(Put, "/api/v1/notice-texts", Requires(ManageChannels)),
    // Everyone signed in reads the skill catalogue (to say what a contact needs).
    r(Get, "/api/v1/skills", SignedIn),
    r(Post, "/api/v1/skills", Requires(ManageQueues)),
    r(Put, "/api/v1/skills/{id}", Requires(ManageQueues)),
    r(Put, "/api/v1/operators/{id}/skills", Requires(ManageQueues)),
    r(Put, "/api/v1/operators/{id}/capacity", Requires(ManageQueues)),
    r(Put, "/api/v1/queues/{id}/skills", Requires(ManageQueues)),
    r(Put, "/api/v1/contacts/{id}/skills", Requires(ManageQueues)),
    r(Post, "/api/v1/contacts", Requires(UseDesk)),
    r(Get, "/api/v1/contacts/{id}", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/accept", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/decline", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/transfer", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/resolve", Requires(UseDesk)),
    r(Get, "/api/v1/contacts/{id}/notes", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/notes", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/attachments", Requires(UseDesk)),
    r(Get, "/api/v1/contacts/{id}/attachments/{aid}", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/links", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/close", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/reopen", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/waiting", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/replies", Requires(UseDesk)),
    r(Get, "/api/v1/contacts/{id}/notifications", Requires(UseDesk)),
    r(Get, "/api/v1/contacts/{id}/emails", Requires(UseDesk)),
    r(Get, "/api/v1/contacts/{id}/chat", Requires(UseDesk)),
    r(Post, "/api/v1/contacts/{id}/chat", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/chat", Requires(UseDesk)),
    r(Post, "/desk/contacts/{id}/chat/typing", Requires(UseDesk)),
    r(Get, "/static/chat-desk.js", Public),
    r(Get, "/api/v1/me/contacts", Requires(UseDesk)),
    r(Put, "/api/v1/me/state", Requires(UseDesk)),
    r(Get, "/api/v1/kb/articles", Requires(EditKnowledge)),
    r(Post, "/api/v1/kb/articles", Requires(EditKnowledge)),
    r(Get, "/api/v1/kb/articles/{id}", Requires(EditKnowledge)),
    r(Put, "/api/v1/kb/articles/{id}", Requires(EditKnowledge)),
    r(Get, "/api/v1/kb/articles/{id}/versions/{v}", Requires(EditKnowledge)),
    r(Get, "/api/v1/scripts", Requires(EditKnowledge)),
    r(Post, "/api/v1/scripts", Requires(EditKnowledge)),
    r(Get, "/api/v1/scripts/{id}", Requires(EditKnowledge)),
    r(Put, "/api/v1/scripts/{id}", Requires(EditKnowledge)),
    r(Get, "/api/v1/templates", Requires(EditKnowledge)),
    r(Post, "/api/v1/templates", Requires(EditKnowledge)),
    r(Put, "/api/v1/templates/{id}", Requires(EditKnowledge)),
    r(Get, "/api/v1/alerts", Requires(ViewWallboard)),
    r(Get, "/api/v1/planning/series", Requires(UsePlanning)),
    r(Post, "/api/v1/planning/series", Requires(UsePlanning)),
    r(Post, "/api/v1/planning/series/centre", Requires(UsePlanning)),
    r(Get, "/api/v1/planning/series/{id}", Requires(UsePlanning)),
    r(Post, "/api/v1/planning/series/{id}/forecasts", Requires(UsePlanning)),
    r(Get, "/api/v1/planning/forecasts/{id}", Requires(UsePlanning)),
    r(Post, "/api/v1/planning/forecasts/{id}/staffing", Requires(UsePlanning)),
    r(Get, "/api/v1/planning/staffing/{id}", Requires(UsePlanning)),
    r(Post, "/api/v1/planning/staffing/{id}/schedules", Requires(UsePlanning)),
    r(Post, "/api/v1/planning/schedules", Requires(UsePlanning)),
    r(Get, "/api/v1/planning/schedules/{id}", Requires(UsePlanning)),
    r(Post, "/api/v1/planning/schedules/{id}/publish", Requires(UsePlanning)),
    r(Get, "/api/v1/planning/my-schedule", Requires(UseDesk)),
    r(Post, "/api/v1/alerts/{id}/ack", Requires(ViewWallboard)),
    // Voice through CTI: the PBX's webhook (authenticated by the token in
    // its path), the integrations (administrators), click-to-call and a call's timings.
    r(Post, "/api/v1/cti/{token}", Public),
    r(Get, "/api/v1/cti-integrations", Requires(ManageUsers)),
    r(Post, "/api/v1/cti-integrations", Requires(ManageUsers)),
    r(Post, "/api/v1/cti-integrations/{id}/revoke", Requires(ManageUsers)),
    r(Post, "/api/v1/customers/{id}/call", Requires(UseDesk)),
    r(Get, "/api/v1/contacts/{id}/call", Requires(UseDesk)),
    // The messenger channel: Telegram's webhook (authenticated by the secret
    // in its path), the bots (administrators), a contact's messages.
    r(Post, "/api/v1/telegram/{secret}", Public),
    r(Get, "/api/v1/telegram-bots", Requires(ManageChannels)),
    r(Post, "/api/v1/telegram-bots", Requires(ManageChannels)),
    r(Put, "/api/v1/telegram-bots/{id}", Requires(ManageChannels)),
    r(Post, "/api/v1/telegram-bots/{id}/webhook", Requires(ManageChannels)),
    r(Get, "/api/v1/contacts/{id}/messages", Requires(UseDesk)),
    r(Get, "/admin/telegram", Requires(ManageChannels)),
    r(Post, "/admin/telegram", Requires(ManageChannels)),
    r(Post, "/admin/telegram/{id}", Requires(ManageChannels)),
    r(Post, "/admin/telegram/{id}/webhook", Requires(ManageChannels)),
    // Orders (issue 6, docs/ORDERS.md): the desk takes them, store managers fulfil.
    // Fulfilment actions are further limited to ManageOrders inside the handler.
    r(Get, "/api/v1/catalogue/search", Requires(UseOrders)),
    r(Post, "/api/v1/orders/quote", Requires(UseOrders)),
    r(Get, "/api/v1/orders", Requires(UseOrders)),
    r(Post, "/api/v1/orders", Requires(UseOrders)),
    r(Get, "/api/v1/orders/{id}", Requires(UseOrders)),
    r(Post, "/api/v1/orders/{id}/actions", Requires(UseOrders)),
    r(Get, "/api/v1/customers/{id}/account", Requires(UseOrders)),
    r(Put, "/api/v1/customers/{id}/account", Requires(ManageOrders)),
    r(Post, "/api/v1/contacts/{id}/credit-redirect", Requires(UseOrders)),
    // The public order form (CSRF-checked with the pre-session token).
    r(Get, "/shop/order", Public),
    r(Post, "/shop/order", Public),
    r(Get, "/api/v1/order-settings", Requires(ManageOrders)),
    r(Put, "/api/v1/order-settings", Requires(ManageOrders)),
    // Returns, exchanges and claims of orders (docs/ORDERS.md "Returns and claims").
    r(Post, "/api/v1/orders/{id}/returns", Requires(UseOrders)),
    r(Get, "/api/v1/orders/{id}/returns", Requires(UseOrders)),
    r(Post, "/api/v1/orders/{id}/claims", Requires(UseOrders)),
    r(Get, "/api/v1/returns", Requires(ManageOrders)),
    r(Get, "/api/v1/return-windows", Requires(ConfigureShop)),
    r(Put, "/api/v1/return-windows", Requires(ConfigureShop)),
    r(Get, "/orders/returns", Requires(ManageOrders)),
    r(Get, "/admin/return-windows", Requires(ConfigureShop)),
    r(Post, "/admin/return-windows", Requires(ConfigureShop)),
];

/// Routes authenticated by a secret in their path (PBX webhooks): a cookie
/// carries no authority there, so the guard asks no CSRF token.
pub const PATH_TOKEN_ROUTES: &[&str] = &["/api/v1/cti/{token}", "/api/v1/telegram/{secret}"];

/// Public routes authenticated by a token in the request (the web chat's
/// session token), never by a cookie: the guard asks no CSRF token either.
pub const TOKEN_ROUTES: &[&str] = &["/chat/api/start", "/chat/api/offline", "/chat/api/upload", "/chat/api/transcript"];

/// Routes that take a file upload: their bodies may be larger than the
/// configured limit, up to [`UPLOAD_BODY_LIMIT`].
pub const UPLOAD_ROUTES: &[&str] = &[
    "/desk/contacts/{id}/attachments",
    "/api/v1/contacts/{id}/attachments",
    // History files (`planning::MAX_HISTORY_BYTES`, checked by the handler).
    "/planning/series",
    "/api/v1/planning/series",
    // The public request form's files.
    "/request",
    // Call recordings uploaded by the PBX.
    "/api/v1/cti/{token}",
    // Files sent in a web chat (5 MiB, checked by the handler).
    "/chat/api/upload",
];

/// Body limit of an upload: the largest attachment plus room for the form around it.
pub const UPLOAD_BODY_LIMIT: usize = domain::contact_work::MAX_ATTACHMENT_BYTES + 256 * 1024;

/// The body limit of the route `path`: `default` (the configured one), or more for uploads.
pub fn body_limit(path: &str, default: usize) -> usize {
    if UPLOAD_ROUTES.contains(&path) {
        default.max(UPLOAD_BODY_LIMIT)
    } else {
        default
    }
}

/// Index into [`ROUTES`] of the route matched for a request.
#[derive(Debug, Clone, Copy)]
pub struct RouteIndex(pub usize);

/// Finds the table entry for a method and a matched path pattern.
pub fn lookup(verb: Verb, path: &str) -> Option<usize> {
    ROUTES.iter().position(|s| s.verb == verb && s.path == path)
}

/// Who may reach the GET route at `path`; `None` when there is none.
pub fn access_of(path: &str) -> Option<Access> {
    lookup(Verb::Get, path).map(|i| ROUTES[i].access)
}

/// A room in the navigation: shown to a user when they may reach its page.
#[derive(Debug, Clone, Copy)]
pub struct Room {
    pub id: &'static str,
    pub href: &'static str,
    pub label_key: &'static str,
}

pub const ROOMS: &[Room] = &[
    Room { id: "desk", href: "/desk", label_key: "nav-desk" },
    Room { id: "orders", href: "/orders", label_key: "nav-orders" },
    Room { id: "returns", href: "/orders/returns", label_key: "nav-returns" },
    Room { id: "analytics", href: "/orders/analytics", label_key: "analytics-title" },
    Room { id: "quality", href: "/quality", label_key: "nav-quality" },
    Room { id: "planning", href: "/planning", label_key: "nav-planning" },
    Room { id: "wallboard", href: "/wallboard", label_key: "nav-wallboard" },
    Room { id: "reports", href: "/reports", label_key: "nav-reports" },
    Room { id: "queues", href: "/admin/queues", label_key: "nav-queues" },
    Room { id: "service-levels", href: "/admin/service-levels", label_key: "nav-service-levels" },
    Room { id: "seller", href: "/admin/seller", label_key: "nav-seller" },
    Room { id: "return-windows", href: "/admin/return-windows", label_key: "return-windows-title" },
    Room { id: "topics", href: "/admin/topics", label_key: "nav-topics" },
    Room { id: "mailboxes", href: "/admin/mailboxes", label_key: "nav-mailboxes" },
    Room { id: "gateways", href: "/admin/gateways", label_key: "nav-gateways" },
    Room { id: "skills", href: "/admin/skills", label_key: "nav-skills" },
    Room { id: "kb-editor", href: "/admin/kb", label_key: "nav-kb-editor" },
    Room { id: "scripts", href: "/admin/scripts", label_key: "nav-scripts" },
    Room { id: "templates", href: "/admin/templates", label_key: "nav-templates" },
    Room { id: "users", href: "/admin/users", label_key: "nav-users" },
    Room { id: "audit", href: "/admin/audit", label_key: "nav-audit" },
    Room { id: "profile", href: "/profile", label_key: "nav-profile" },
];

/// The application: every route of [`ROUTES`], the guard and metrics on each,
/// the body limit, and a panic catcher that answers 500 instead of dropping
/// the connection.
pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    let upload_limit = DefaultBodyLimit::max(body_limit(UPLOAD_ROUTES[0], limit));
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(metrics::render))
        .route("/api/openapi.json", get(api::openapi_json))
        .route("/static/app.css", get(pages::stylesheet))
        .route("/static/live.js", get(pages::live_script))
        .route("/login", get(pages::login_form).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route("/status", get(public_pages::status_form).post(public_pages::status_lookup))
        .route("/request", get(public_pages::request_form).post(public_pages::request_submit).layer(upload_limit))
        .route("/chat/widget.js", get(chat::widget))
        .route("/chat/api/status", get(chat::status))
        .route("/chat/api/start", post(chat::start))
        .route("/chat/api/offline", post(chat::offline))
        .route("/chat/api/upload", post(chat::upload).layer(upload_limit))
        .route("/chat/api/file/{id}", get(chat::file))
        .route("/chat/api/transcript", post(chat::transcript))
        .route("/chat/ws", get(chat::ws))
        .route("/chat/demo", get(chat::demo))
        .route("/", get(pages::home))
        .route("/profile", get(pages::profile))
        .route("/profile/locale", post(pages::profile_locale))
        .route("/profile/password", post(pages::profile_password))
        .route("/profile/tokens", post(pages::profile_token))
        .route("/desk", get(desk_pages::desk))
        .route("/desk/events", get(live::events))
        .route("/desk/customers", get(customer_pages::search))
        .route("/desk/customers/{id}", get(desk_pages::customer_card))
        .route("/desk/customers/{id}/merge", post(customer_pages::merge))
        .route("/desk/customers/{id}/manager", post(customer_pages::set_manager))
        .route("/desk/customers/{id}/consent", post(customer_pages::set_consent))
        .route("/desk/customers/{id}/call", post(customer_pages::call))
        .route("/desk/state", post(desk_pages::set_state))
        .route("/desk/kb", get(kb_pages::search))
        .route("/desk/kb/{id}", get(kb_pages::article))
        .route("/desk/kb/{id}/ack", post(kb_pages::acknowledge))
        .route("/desk/contacts/{id}", get(desk_pages::contact))
        .route("/desk/contacts/{id}/accept", post(desk_pages::accept))
        .route("/desk/contacts/{id}/decline", post(desk_pages::decline))
        .route("/desk/contacts/{id}/transfer", post(desk_pages::transfer))
        .route("/desk/contacts/{id}/resolve", post(desk_pages::resolve))
        .route("/desk/contacts/{id}/script", post(desk_pages::script_step))
        .route("/desk/contacts/{id}/notes", post(work_pages::add_note))
        .route("/desk/contacts/{id}/attachments", post(work_pages::upload).layer(upload_limit))
        .route("/desk/contacts/{id}/attachments/{aid}", get(work_pages::download))
        .route("/api/v1/cti/{token}", post(cti::webhook).layer(upload_limit))
        .route("/api/v1/cti-integrations", get(cti::list_integrations).post(cti::create_integration))
        .route("/api/v1/cti-integrations/{id}/revoke", post(cti::revoke_integration))
        .route("/api/v1/customers/{id}/call", post(cti::click_to_call))
        .route("/api/v1/contacts/{id}/call", get(cti::call))
        .route("/api/v1/telegram/{secret}", post(telegram::webhook))
        .route("/api/v1/telegram-bots", get(telegram::list).post(telegram::create))
        .route("/api/v1/telegram-bots/{id}", put(telegram::update))
        .route("/api/v1/telegram-bots/{id}/webhook", post(telegram::register_webhook))
        .route("/api/v1/contacts/{id}/messages", get(telegram::contact_messages))
        .route("/admin/telegram", get(telegram::room).post(telegram::create_form))
        .route("/admin/telegram/{id}", post(telegram::update_form))
        .route("/admin/telegram/{id}/webhook", post(telegram::webhook_form))
        .route("/desk/contacts/{id}/links", post(work_pages::link))
        .route("/desk/contacts/{id}/close", post(work_pages::close))
        .route("/desk/contacts/{id}/reopen", post(work_pages::reopen))
        .route("/desk/contacts/{id}/waiting", post(work_pages::waiting))
        .route("/desk/contacts/{id}/replies", post(work_pages::reply))
        .route("/orders/{id}/documents/{file}", get(order_documents::view))
        .route("/admin/seller", get(order_documents::seller_page).post(order_documents::save_seller))
        .route("/api/v1/seller", get(order_documents::get_seller).put(order_documents::put_seller))
        .route("/orders/analytics", get(analytics_pages::room))
        .route("/orders/analytics/settings", post(analytics_pages::save_settings))
        .route("/orders/analytics/customers/{id}/callback", post(analytics_pages::callback))
        .route("/orders/analytics/export.csv", get(analytics_pages::export_csv))
        .route("/orders/analytics/export.xlsx", get(analytics_pages::export_xlsx))
        .route("/api/v1/sales/analytics", get(analytics_pages::api))
        .route("/orders", get(order_pages::room))
        .route("/orders/{id}", get(order_pages::order))
        .route("/static/order-desk.js", get(order_pages::order_desk_js))
        .route("/static/orders.js", get(order_pages::orders_js))
        .route("/quality", get(pages::quality))
        .route("/planning", get(planning_pages::room))
        .route("/planning/series", post(planning_pages::upload_history).layer(upload_limit))
        .route("/planning/series/centre", post(planning_pages::centre_history))
        .route("/planning/series/{id}", get(planning_pages::series))
        .route("/planning/series/{id}/forecasts", post(planning_pages::run_forecast))
        .route("/planning/forecasts/{id}", get(planning_pages::forecast))
        .route("/planning/forecasts/{id}/xlsx", get(planning_pages::forecast_xlsx))
        .route("/planning/forecasts/{id}/staffing", post(planning_pages::staff))
        .route("/planning/staffing/{id}", get(planning_pages::staffing))
        .route("/planning/staffing/{id}/xlsx", get(planning_pages::staffing_xlsx))
        .route("/planning/staffing/{id}/schedules", post(planning_pages::generate))
        .route("/planning/schedules", post(planning_pages::upload_roster))
        .route("/planning/schedules/{id}", get(planning_pages::schedule))
        .route("/planning/schedules/{id}/xlsx", get(planning_pages::schedule_xlsx))
        .route("/planning/schedules/{id}/publish", post(planning_pages::publish))
        .route("/planning/tools", get(planning_tools::tools))
        .route("/planning/tools/reforecast", get(planning_tools::reforecast_page))
        .route("/planning/tools/shrinkage", post(planning_tools::shrinkage))
        .route("/planning/tools/vacation", post(planning_tools::vacation_plan))
        .route("/desk/schedule", get(planning_pages::my_schedule))
        .route("/wallboard", get(alerts::wallboard))
        .route("/wallboard/events", get(live::events))
        .route("/wallboard/alerts/{id}/ack", post(alerts::acknowledge_form))
        .route("/reports", get(pages::reports))
        .route("/admin/users", get(pages::users).post(pages::user_create))
        .route("/admin/users/{id}/roles", post(pages::user_roles))
        .route("/admin/audit", get(pages::audit))
        .route("/admin/queues", get(queue_pages::queues))
        .route("/admin/queues/{id}/rules", post(queue_pages::set_rules))
        .route("/admin/service-levels", get(service_pages::levels_page))
        .route("/admin/service-levels/sla", post(service_pages::save_policy))
        .route("/admin/service-levels/legal", post(service_pages::save_preset))
        .route("/admin/topics", get(topics::room).post(topics::create_form))
        .route("/admin/topics/{id}", post(topics::update_form))
        .route("/admin/skills", get(skills::room).post(skills::create_form))
        .route("/admin/skills/{id}", post(skills::update_form))
        .route("/admin/operators/{id}/skills", post(skills::operator_form))
        .route("/admin/queues/{id}/skills", post(skills::queue_form))
        .route("/admin/kb", get(kb_edit_pages::articles).post(kb_edit_pages::create_article))
        .route("/admin/kb/{id}", get(kb_edit_pages::article).post(kb_edit_pages::save_article))
        .route("/admin/scripts", get(kb_edit_pages::scripts).post(kb_edit_pages::import_script))
        .route("/admin/scripts/{id}", get(kb_edit_pages::script).post(kb_edit_pages::save_script))
        .route("/admin/templates", get(kb_edit_pages::templates).post(kb_edit_pages::create_template))
        .route("/admin/templates/{id}", post(kb_edit_pages::save_template))
        .route("/api/v1/kb/articles", get(kb_edit::list_articles).post(kb_edit::create_article))
        .route("/api/v1/kb/articles/{id}", get(kb_edit::get_article).put(kb_edit::update_article))
        .route("/api/v1/kb/articles/{id}/versions/{v}", get(kb_edit::get_article_version))
        .route("/api/v1/scripts", get(kb_edit::list_scripts).post(kb_edit::create_script))
        .route("/api/v1/scripts/{id}", get(kb_edit::get_script).put(kb_edit::update_script))
        .route("/api/v1/templates", get(kb_edit::list_templates).post(kb_edit::create_template))
        .route("/api/v1/templates/{id}", put(kb_edit::update_template))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/me/tokens", post(api::create_token))
        .route("/api/v1/roles", get(api::roles))
        .route("/api/v1/users", get(api::list_users).post(api::create_user))
        .route("/api/v1/users/{id}", get(api::get_user))
        .route("/api/v1/users/{id}/roles", put(api::set_roles))
        .route("/api/v1/audit", get(api::audit))
        .route("/api/v1/catalogue/search", get(orders_api::search))
        .route("/api/v1/orders/quote", post(orders_api::quote))
        .route("/api/v1/orders", get(orders_api::list).post(orders_api::create))
        .route("/api/v1/orders/{id}", get(orders_api::get_order))
        .route("/api/v1/orders/{id}/actions", post(orders_api::action))
        .route("/api/v1/customers/{id}/account", get(orders_api::get_account).put(orders_api::put_account))
        .route("/api/v1/order-settings", get(orders_api::get_settings).put(orders_api::put_settings))
        .route("/api/v1/contacts/{id}/credit-redirect", post(orders_api::credit_redirect))
        .route("/shop/order", get(shop_pages::form).post(shop_pages::submit))
        .route("/api/v1/customers", get(customer_api::search).post(customer_api::create))
        .route("/api/v1/customers/{id}", get(customer_api::customer))
        .route("/api/v1/customers/{id}/duplicates", get(customer_api::duplicates))
        .route("/api/v1/customers/{id}/merge", post(customer_api::merge))
        .route("/api/v1/customers/{id}/manager", put(customer_api::set_manager))
        .route("/api/v1/customers/{id}/consent", put(customer_api::set_consent))
        .route("/api/v1/queues", get(desk_api::queues).post(desk_api::create_queue))
        .route("/api/v1/queues/{id}/members", post(desk_api::add_member))
        .route("/api/v1/queues/{id}/rules", put(desk_api::set_rules))
        .route("/api/v1/service-levels", get(service_pages::get_levels).put(service_pages::put_levels))
        .route("/api/v1/topics", get(topics::list).post(topics::create))
        .route("/api/v1/topics/{id}", put(topics::update))
        .route("/admin/mailboxes", get(mail_api::room).post(mail_api::create_form))
        .route("/admin/mailboxes/{id}", post(mail_api::update_form))
        .route("/api/v1/mailboxes", get(mail_api::list).post(mail_api::create))
        .route("/api/v1/mailboxes/{id}", get(mail_api::get_one).put(mail_api::update))
        .route("/admin/gateways", get(crate::notices::room).post(crate::notices::create_form))
        .route("/admin/gateways/{id}", post(crate::notices::update_form))
        .route("/api/v1/notice-gateways", get(crate::notices::list).post(crate::notices::create))
        .route("/api/v1/notice-gateways/{id}", put(crate::notices::update))
        .route("/admin/notice-texts", post(crate::notices::texts_form))
        .route("/api/v1/notice-texts", get(crate::notices::get_texts).put(crate::notices::put_texts))
        .route("/api/v1/skills", get(skills::list).post(skills::create))
        .route("/api/v1/skills/{id}", put(skills::update))
        .route("/api/v1/operators/{id}/skills", put(skills::set_operator_skills))
        .route("/api/v1/operators/{id}/capacity", put(skills::set_operator_capacity))
        .route("/api/v1/queues/{id}/skills", put(skills::set_queue_skills))
        .route("/api/v1/contacts/{id}/skills", put(skills::set_contact_skills))
        .route("/api/v1/contacts", post(desk_api::create_contact))
        .route("/api/v1/contacts/{id}", get(desk_api::get_contact))
        .route("/api/v1/contacts/{id}/accept", post(desk_api::accept))
        .route("/api/v1/contacts/{id}/decline", post(desk_api::decline))
        .route("/api/v1/contacts/{id}/transfer", post(desk_api::transfer))
        .route("/api/v1/contacts/{id}/resolve", post(desk_api::resolve))
        .route("/api/v1/contacts/{id}/notes", get(work_api::notes).post(work_api::add_note))
        .route("/api/v1/contacts/{id}/attachments", post(work_api::upload).layer(upload_limit))
        .route("/api/v1/contacts/{id}/attachments/{aid}", get(work_api::download))
        .route("/api/v1/contacts/{id}/links", post(work_api::link))
        .route("/api/v1/contacts/{id}/close", post(work_api::close))
        .route("/api/v1/contacts/{id}/reopen", post(work_api::reopen))
        .route("/api/v1/contacts/{id}/waiting", post(work_api::waiting))
        .route("/api/v1/contacts/{id}/replies", post(work_api::reply))
        .route("/api/v1/contacts/{id}/notifications", get(work_api::notifications))
        .route("/api/v1/contacts/{id}/emails", get(mail_api::contact_emails))
        .route("/api/v1/contacts/{id}/chat", get(chat_desk::list).post(chat_desk::send))
        .route("/desk/contacts/{id}/chat", post(chat_desk::send_form))
        .route("/desk/contacts/{id}/chat/typing", post(chat_desk::typing))
        .route("/static/chat-desk.js", get(chat::desk_script))
        .route("/api/v1/me/contacts", get(desk_api::my_contacts))
        .route("/api/v1/me/state", put(desk_api::set_my_state))
        .route("/api/v1/alerts", get(alerts::list))
        .route("/api/v1/planning/series", get(planning_api::list_series).post(planning_api::import).layer(upload_limit))
        .route("/api/v1/planning/series/centre", post(planning_api::import_from_centre))
        .route("/api/v1/planning/series/{id}", get(planning_api::get_series))
        .route("/api/v1/planning/series/{id}/forecasts", post(planning_api::create_forecast))
        .route("/api/v1/planning/forecasts/{id}", get(planning_api::get_forecast))
        .route("/api/v1/planning/forecasts/{id}/staffing", post(planning_api::create_staffing))
        .route("/api/v1/planning/staffing/{id}", get(planning_api::get_staffing))
        .route("/api/v1/planning/staffing/{id}/schedules", post(planning_api::generate))
        .route("/api/v1/planning/schedules", post(planning_api::create_schedule))
        .route("/api/v1/planning/schedules/{id}", get(planning_api::get_schedule))
        .route("/api/v1/planning/schedules/{id}/publish", post(planning_api::publish_schedule))
        .route("/api/v1/planning/my-schedule", get(planning_api::my_schedule))
        .route("/api/v1/alerts/{id}/ack", post(alerts::acknowledge))
        .route("/api/v1/orders/{id}/returns", get(returns::order_returns).post(returns::create_return))
        .route("/api/v1/orders/{id}/claims", post(returns::create_claim))
        .route("/api/v1/returns", get(returns::list_returns))
        .route("/api/v1/return-windows", get(returns::get_windows).put(returns::put_windows))
        .route("/orders/returns", get(returns::returns_page))
        .route("/admin/return-windows", get(returns::windows_room).post(returns::windows_form))
        .route_layer(from_fn_with_state(state.clone(), auth::guard))
        .route_layer(from_fn_with_state(state.clone(), metrics::track))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(chat::cors))
        .layer(CatchPanicLayer::custom(api::panic_response))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_unique() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(!(a.verb == b.verb && a.path == b.path), "duplicate route {} {}", a.verb.as_str(), a.path);
            }
        }
    }

    #[test]
    fn every_room_has_a_signed_in_get_route() {
        for room in ROOMS {
            let access = access_of(room.href).unwrap_or_else(|| panic!("room {} has no route", room.id));
            assert_ne!(access, Access::Public, "room {} must not be public", room.id);
        }
    }
}
