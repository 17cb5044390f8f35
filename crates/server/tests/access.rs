//! The role × route table: every route of `server::routes::ROUTES`, every
//! role and an anonymous caller, each asserted allowed or denied against the
//! expectations written out below (independently of the route table).

mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use domain::Role::{self, *};

use common::build;

/// Who the product promises may reach each route.
enum Expect {
    Public,
    AnySignedIn,
    Only(&'static [Role]),
}

const CUSTOMER_DATA: &[Role] = &[Operator, SeniorOperator, QualitySpecialist, Supervisor, HeadOfCentre, StoreManager];
/// Register customers and record consent: who talks to customers.
const EDIT_CUSTOMERS: &[Role] = &[Operator, SeniorOperator, Supervisor, StoreManager];
/// Merge duplicates and assign managers: senior staff and the shop's managers.
const MANAGE_CUSTOMERS: &[Role] = &[SeniorOperator, Supervisor, HeadOfCentre, StoreManager];
/// Take orders (search, quote, create, confirm, pay, cancel).
const USE_ORDERS: &[Role] = &[Operator, SeniorOperator, Supervisor, StoreManager];
/// Fulfil orders, receivables, order settings.
const MANAGE_ORDERS: &[Role] = &[Supervisor, StoreManager];
const CONFIGURE_SHOP: &[Role] = &[StoreManager, Administrator];

fn expected(method: &str, path: &str) -> Option<Expect> {
    use Expect::*;
    Some(match (method, path) {
        ("GET", "/healthz" | "/metrics" | "/api/openapi.json" | "/static/app.css" | "/static/live.js" | "/login") => {
            Public
        }
        ("POST", "/login" | "/status" | "/request" | "/shop/order")
        | ("GET", "/status" | "/request" | "/shop/order") => Public,
        ("POST", "/logout" | "/profile/locale" | "/profile/password" | "/profile/tokens" | "/api/v1/me/tokens") => {
            AnySignedIn
        }
        ("GET", "/" | "/profile" | "/api/v1/me" | "/api/v1/roles") => AnySignedIn,
        ("GET", "/desk" | "/desk/events" | "/desk/contacts/{id}" | "/desk/kb" | "/desk/kb/{id}")
        | ("POST", "/desk/kb/{id}/ack")
        | ("POST", "/desk/state" | "/desk/contacts/{id}/accept" | "/desk/contacts/{id}/decline")
        | ("POST", "/desk/contacts/{id}/transfer" | "/desk/contacts/{id}/resolve" | "/desk/contacts/{id}/script") => {
            Only(&[Operator, SeniorOperator, Supervisor])
        }
        ("GET", "/desk/customers" | "/desk/customers/{id}")
        | ("GET", "/api/v1/customers" | "/api/v1/customers/{id}" | "/api/v1/customers/{id}/duplicates") => {
            Only(CUSTOMER_DATA)
        }
        ("POST", "/api/v1/customers" | "/desk/customers/{id}/consent") | ("PUT", "/api/v1/customers/{id}/consent") => {
            Only(EDIT_CUSTOMERS)
        }
        ("POST", "/api/v1/customers/{id}/merge" | "/desk/customers/{id}/merge" | "/desk/customers/{id}/manager")
        | ("PUT", "/api/v1/customers/{id}/manager") => Only(MANAGE_CUSTOMERS),
        // Work on a contact: the desk's roles. Closing is further limited to
        // the resolver or a supervisor inside the handler (tests/contact_work.rs).
        ("POST", "/desk/contacts/{id}/notes" | "/desk/contacts/{id}/attachments" | "/desk/contacts/{id}/links")
        | ("GET", "/desk/contacts/{id}/attachments/{aid}")
        | ("POST", "/desk/contacts/{id}/close" | "/desk/contacts/{id}/reopen" | "/desk/contacts/{id}/waiting")
        | ("POST", "/desk/contacts/{id}/replies")
        | ("GET", "/api/v1/contacts/{id}/notes" | "/api/v1/contacts/{id}/attachments/{aid}")
        | ("GET", "/api/v1/contacts/{id}/notifications" | "/api/v1/contacts/{id}/emails")
        | (
            "POST",
            "/api/v1/contacts/{id}/notes" | "/api/v1/contacts/{id}/attachments" | "/api/v1/contacts/{id}/links",
        )
        | ("POST", "/api/v1/contacts/{id}/close" | "/api/v1/contacts/{id}/reopen" | "/api/v1/contacts/{id}/waiting")
        | ("POST", "/api/v1/contacts/{id}/replies") => Only(&[Operator, SeniorOperator, Supervisor]),
        ("GET", "/orders" | "/orders/{id}") => Only(USE_ORDERS),
        ("GET", "/static/order-desk.js" | "/static/orders.js") => Public,
        // Orders (docs/ORDERS.md): the desk's roles and store managers take
        // them; fulfilment actions are limited to ManageOrders in the handler
        // (tests/orders.rs); accounts and settings are the managers'.
        ("GET", "/api/v1/catalogue/search" | "/api/v1/orders" | "/api/v1/orders/{id}")
        | ("GET", "/api/v1/customers/{id}/account")
        | ("POST", "/api/v1/orders/quote" | "/api/v1/orders" | "/api/v1/orders/{id}/actions")
        | ("POST", "/api/v1/contacts/{id}/credit-redirect") => Only(USE_ORDERS),
        ("PUT", "/api/v1/customers/{id}/account" | "/api/v1/order-settings") | ("GET", "/api/v1/order-settings") => {
            Only(MANAGE_ORDERS)
        }
        // Order documents: who works orders; the seller's details: ConfigureShop.
        ("GET", "/orders/{id}/documents/{file}") => Only(&[Operator, SeniorOperator, Supervisor, StoreManager]),
        ("GET" | "POST", "/admin/seller") | ("GET" | "PUT", "/api/v1/seller") => Only(CONFIGURE_SHOP),
        // The shop manager's analytics: ManageOrders.
        ("GET", "/orders/analytics" | "/orders/analytics/export.csv" | "/orders/analytics/export.xlsx")
        | ("GET", "/api/v1/sales/analytics")
        | ("POST", "/orders/analytics/settings" | "/orders/analytics/customers/{id}/callback") => Only(MANAGE_ORDERS),
        ("GET", "/quality") => Only(&[QualitySpecialist, Supervisor, HeadOfCentre]),
        ("GET", "/planning") => Only(&[ResourcePlanner, Supervisor, HeadOfCentre]),
        ("GET", "/wallboard" | "/wallboard/events" | "/api/v1/alerts")
        | ("POST", "/wallboard/alerts/{id}/ack" | "/api/v1/alerts/{id}/ack") => {
            Only(&[SeniorOperator, ResourcePlanner, Supervisor, HeadOfCentre])
        }
        ("GET", "/reports") => Only(&[QualitySpecialist, ResourcePlanner, Supervisor, HeadOfCentre, StoreManager]),
        ("GET", "/admin/users" | "/api/v1/users" | "/api/v1/users/{id}") => Only(&[HeadOfCentre, Administrator]),
        ("POST", "/admin/users" | "/admin/users/{id}/roles" | "/api/v1/users") => Only(&[Administrator]),
        ("PUT", "/api/v1/users/{id}/roles") => Only(&[Administrator]),
        ("GET", "/admin/audit" | "/api/v1/audit") => Only(&[Administrator]),
        // Mailboxes (servers, passwords, target queue): administrators configure the channels.
        ("GET", "/api/v1/mailboxes" | "/api/v1/mailboxes/{id}" | "/admin/mailboxes")
        | ("POST", "/api/v1/mailboxes" | "/admin/mailboxes" | "/admin/mailboxes/{id}")
        | ("PUT", "/api/v1/mailboxes/{id}") => Only(&[Administrator]),
        // Notice gateways (SMS / messenger webhooks with their secrets): administrators too.
        ("GET", "/api/v1/notice-gateways" | "/admin/gateways")
        | ("POST", "/api/v1/notice-gateways" | "/admin/gateways" | "/admin/gateways/{id}")
        | ("PUT", "/api/v1/notice-gateways/{id}") => Only(&[Administrator]),
        ("GET" | "PUT", "/api/v1/notice-texts") | ("POST", "/admin/notice-texts") => Only(&[Administrator]),
        ("GET", "/api/v1/queues") => AnySignedIn,
        ("POST", "/api/v1/queues" | "/api/v1/queues/{id}/members")
        | ("PUT", "/api/v1/queues/{id}/rules")
        | ("PUT", "/api/v1/service-levels")
        | ("GET", "/admin/queues" | "/admin/service-levels" | "/api/v1/service-levels")
        | ("POST", "/admin/queues/{id}/rules" | "/admin/service-levels/sla" | "/admin/service-levels/legal") => {
            Only(&[Supervisor, Administrator])
        }
        // Operators read topics to classify contacts; the tree is shaped by
        // those who shape routing.
        ("GET", "/api/v1/topics") => AnySignedIn,
        // The knowledge editor: those who keep the knowledge base current (003:582, 003:660).
        ("GET", "/admin/kb" | "/admin/kb/{id}" | "/admin/scripts" | "/admin/scripts/{id}" | "/admin/templates")
        | ("POST", "/admin/kb" | "/admin/kb/{id}" | "/admin/scripts" | "/admin/scripts/{id}")
        | ("POST", "/admin/templates" | "/admin/templates/{id}")
        | ("GET", "/api/v1/kb/articles" | "/api/v1/kb/articles/{id}" | "/api/v1/kb/articles/{id}/versions/{v}")
        | ("GET", "/api/v1/scripts" | "/api/v1/scripts/{id}" | "/api/v1/templates")
        | ("POST", "/api/v1/kb/articles" | "/api/v1/scripts" | "/api/v1/templates")
        | ("PUT", "/api/v1/kb/articles/{id}" | "/api/v1/scripts/{id}" | "/api/v1/templates/{id}") => {
            Only(&[SeniorOperator, QualitySpecialist, Supervisor, Administrator])
        }
        ("GET", "/admin/topics")
        | ("POST", "/admin/topics" | "/admin/topics/{id}" | "/api/v1/topics")
        | ("PUT", "/api/v1/topics/{id}") => Only(&[Supervisor, Administrator]),
        // Anyone signed in reads the skill catalogue; skills, capacity and
        // requirements are set by those who shape routing.
        ("GET", "/api/v1/skills") => AnySignedIn,
        ("GET", "/admin/skills")
        | ("POST", "/admin/skills" | "/admin/skills/{id}" | "/admin/operators/{id}/skills")
        | ("POST", "/admin/queues/{id}/skills" | "/api/v1/skills")
        | ("PUT", "/api/v1/skills/{id}" | "/api/v1/operators/{id}/skills" | "/api/v1/operators/{id}/capacity")
        | ("PUT", "/api/v1/queues/{id}/skills" | "/api/v1/contacts/{id}/skills") => Only(&[Supervisor, Administrator]),
        // The planner's room and API: planners, supervisors, the head of centre.
        ("POST", "/planning/series" | "/planning/series/centre" | "/planning/series/{id}/forecasts")
        | ("GET", "/planning/series/{id}" | "/planning/forecasts/{id}" | "/planning/forecasts/{id}/xlsx")
        | ("POST", "/planning/forecasts/{id}/staffing" | "/planning/staffing/{id}/schedules")
        | ("GET", "/planning/staffing/{id}" | "/planning/staffing/{id}/xlsx")
        | ("POST", "/planning/schedules" | "/planning/schedules/{id}/publish")
        | ("GET", "/planning/schedules/{id}" | "/planning/schedules/{id}/xlsx")
        | ("GET", "/api/v1/planning/series" | "/api/v1/planning/series/{id}" | "/api/v1/planning/forecasts/{id}")
        | ("POST", "/api/v1/planning/series" | "/api/v1/planning/series/centre")
        | ("POST", "/api/v1/planning/series/{id}/forecasts" | "/api/v1/planning/forecasts/{id}/staffing")
        | ("GET", "/api/v1/planning/staffing/{id}" | "/api/v1/planning/schedules/{id}")
        | ("POST", "/api/v1/planning/staffing/{id}/schedules" | "/api/v1/planning/schedules")
        | ("POST", "/api/v1/planning/schedules/{id}/publish")
        | ("GET", "/planning/tools" | "/planning/tools/reforecast")
        | ("POST", "/planning/tools/shrinkage" | "/planning/tools/vacation") => {
            Only(&[ResourcePlanner, Supervisor, HeadOfCentre])
        }
        // Operators' own published shifts: the desk's roles.
        ("GET", "/desk/schedule" | "/api/v1/planning/my-schedule") => Only(&[Operator, SeniorOperator, Supervisor]),
        // The web chat: the widget and its routes are public (the session
        // token is the visitor's credential); the operator's side is the desk's.
        (
            "GET",
            "/chat/widget.js"
            | "/chat/api/status"
            | "/chat/api/file/{id}"
            | "/chat/ws"
            | "/static/chat-desk.js"
            | "/chat/demo",
        )
        | ("POST", "/chat/api/start" | "/chat/api/offline" | "/chat/api/upload" | "/chat/api/transcript") => Public,
        ("GET", "/api/v1/contacts/{id}/chat")
        | ("POST", "/api/v1/contacts/{id}/chat" | "/desk/contacts/{id}/chat" | "/desk/contacts/{id}/chat/typing") => {
            Only(&[Operator, SeniorOperator, Supervisor])
        }
        // The PBX webhook: its token is the credential, whoever calls.
        ("POST", "/api/v1/cti/{token}") => Public,
        // Telegram's webhook: the secret in its path is the credential.
        ("POST", "/api/v1/telegram/{secret}") => Public,
        ("GET", "/api/v1/telegram-bots" | "/admin/telegram")
        | ("POST", "/api/v1/telegram-bots" | "/api/v1/telegram-bots/{id}/webhook")
        | ("POST", "/admin/telegram" | "/admin/telegram/{id}" | "/admin/telegram/{id}/webhook")
        | ("PUT", "/api/v1/telegram-bots/{id}") => Only(&[Administrator]),
        ("GET", "/api/v1/contacts/{id}/messages") => Only(&[Operator, SeniorOperator, Supervisor]),
        ("GET", "/api/v1/cti-integrations")
        | ("POST", "/api/v1/cti-integrations" | "/api/v1/cti-integrations/{id}/revoke") => Only(&[Administrator]),
        ("POST", "/api/v1/customers/{id}/call" | "/desk/customers/{id}/call")
        | ("GET", "/api/v1/contacts/{id}/call") => Only(&[Operator, SeniorOperator, Supervisor]),
        ("POST", "/api/v1/contacts")
        | ("GET", "/api/v1/contacts/{id}" | "/api/v1/me/contacts")
        | ("POST", "/api/v1/contacts/{id}/accept" | "/api/v1/contacts/{id}/decline")
        | ("POST", "/api/v1/contacts/{id}/transfer" | "/api/v1/contacts/{id}/resolve")
        | ("PUT", "/api/v1/me/state") => Only(&[Operator, SeniorOperator, Supervisor]),
        // Returns and claims: whoever takes orders registers them; the
        // returns list and the window presets are ManageOrders's.
        ("POST", "/api/v1/orders/{id}/returns" | "/api/v1/orders/{id}/claims")
        | ("GET", "/api/v1/orders/{id}/returns") => Only(&[Operator, SeniorOperator, Supervisor, StoreManager]),
        ("GET", "/api/v1/returns" | "/orders/returns") => Only(MANAGE_ORDERS),
        // The statutory presets are the shop's legal settings.
        ("GET", "/api/v1/return-windows" | "/admin/return-windows")
        | ("PUT", "/api/v1/return-windows")
        | ("POST", "/admin/return-windows") => Only(CONFIGURE_SHOP),
        _ => return None,
    })
}

/// One of each planning record, for the `{id}` of the planning routes.
struct PlanningIds {
    series: i64,
    forecast: i64,
    staffing: i64,
    schedule: i64,
}

async fn planning_records(app: &common::TestApp) -> PlanningIds {
    use store::planning::{NewForecast, NewSchedule, NewSeries, SeriesPoint};
    let store = &app.state.store;
    let actor = store::AuditActor::cli();
    let points = (0..4).map(|i| SeriesPoint { ts: 1_795_000_000 + i * 3600, calls: 10.0, aht_s: None }).collect();
    let new = NewSeries { name: "access".into(), source: "upload", interval_s: 3600, points };
    let series = store.create_series(&new, &actor).await.expect("series").id;
    let new = NewForecast {
        series_id: series,
        method: "auto".into(),
        chosen: "profile".into(),
        horizon_days: 1,
        report: serde_json::json!({"backtest": []}),
        points: vec![(1_795_086_400, 10.0)],
    };
    let forecast = store.create_forecast(&new, &actor).await.expect("forecast").id;
    let row = serde_json::json!([{"ts": 1_795_086_400, "calls": 10.0, "on_line": 2, "scheduled": 3,
        "service_level": 0.9, "asa_s": 5.0, "occupancy": 0.4}]);
    let targets = serde_json::json!({"service_level": 0.8, "answer_time_s": 20.0, "max_occupancy": null,
        "shrinkage": 0.3, "aht_s": 180.0, "interval_s": 3600.0});
    let staffing = store.create_staffing(forecast, &targets, &row, &actor).await.expect("staffing").id;
    let roster = r#"{"interval_min":60,"start_date":"2026-11-18","days":1,"operators":[]}"#.to_string();
    let new = NewSchedule { name: "access".into(), staffing_id: Some(staffing), roster, operators: vec![] };
    let schedule = store.create_schedule(&new, &actor).await.expect("schedule").id;
    PlanningIds { series, forecast, staffing, schedule }
}

#[tokio::test]
async fn every_role_against_every_route() {
    let app = common::app(testkit::sqlite()).await;
    let file = app
        .state
        .store
        .add_attachment(app.contact, &store::AuditActor::cli(), "scan.pdf", "application/pdf", b"%PDF-1.4")
        .await
        .expect("attachment");
    let plan = planning_records(&app).await;
    let cti_token = server::auth::random_token();
    let cti = app
        .state
        .store
        .create_cti_integration(
            &store::cti::NewIntegration { name: "access".into(), ..Default::default() },
            &server::auth::token_hash(&cti_token),
            &store::AuditActor::cli(),
        )
        .await
        .expect("integration")
        .id;
    let new_call = domain::cti::parse_message(&[
        ("event".to_string(), "newCall".to_string()),
        ("callId".to_string(), "access-1".to_string()),
        ("direction".to_string(), "in".to_string()),
    ])
    .expect("message");
    let call_contact =
        app.state.store.apply_call_message(cti, &new_call, store::now_ms(), None).await.expect("call").contact_id;
    let mailbox = app
        .state
        .store
        .create_mailbox(
            &store::mail::MailboxSettings {
                name: "Поддержка".into(),
                address: "support@shop.test".into(),
                imap_host: "127.0.0.1".into(),
                imap_port: 9,
                imap_tls: "none".into(),
                imap_user: "support".into(),
                imap_password_sealed: None,
                imap_folder: "INBOX".into(),
                smtp_host: "127.0.0.1".into(),
                smtp_port: 9,
                smtp_tls: "none".into(),
                smtp_user: String::new(),
                smtp_password_sealed: None,
                queue_id: app.queue,
                topic: String::new(),
                contact_type: domain::contact::ContactType::Information,
                signature: String::new(),
                active: false,
            },
            &store::AuditActor::cli(),
        )
        .await
        .expect("mailbox")
        .id;
    let tg_secret = server::auth::random_token();
    let bot = app
        .state
        .store
        .create_telegram_bot(
            &store::telegram::BotSettings {
                name: "access".into(),
                token_sealed: Some(app.state.secrets.seal("123456:access-token-xyz")),
                api_base: "http://127.0.0.1:9".into(),
                queue_id: app.queue,
                greeting: String::new(),
                active: true,
            },
            &server::auth::token_hash(&tg_secret),
            &store::AuditActor::cli(),
        )
        .await
        .expect("bot")
        .id;
    common::orders::shop(&app).await;
    let order = common::orders::order(&app, Some(app.contact)).await;
    let routes = server::routes::ROUTES;
    let mut checked = 0;
    for spec in routes {
        let verb = spec.verb.as_str();
        let expect = expected(verb, spec.path)
            .unwrap_or_else(|| panic!("route {verb} {} has no expectation in this test: add one", spec.path));
        let id = if spec.path.contains("planning/series/") {
            plan.series
        } else if spec.path.contains("planning/forecasts/") {
            plan.forecast
        } else if spec.path.contains("planning/staffing/") {
            plan.staffing
        } else if spec.path.contains("planning/schedules/") {
            plan.schedule
        } else if spec.path.contains("cti-integrations/") {
            cti
        } else if spec.path.ends_with("/call") && spec.path.contains("contacts/") {
            call_contact
        } else if spec.path.contains("alerts/") {
            app.alert
        } else if spec.path.contains("mailboxes/") {
            mailbox
        } else if spec.path.contains("telegram-bots/") || spec.path.contains("/admin/telegram/") {
            bot
        } else if spec.path.contains("orders/") {
            order
        } else if spec.path.contains("customers") {
            app.customer
        } else if spec.path.contains("contacts/") {
            app.contact
        } else if spec.path.contains("/kb/") {
            app.article
        } else if spec.path.contains("queues/") {
            app.queue
        } else if spec.path.contains("topics/") {
            app.topic
        } else if spec.path.contains("skills/") {
            app.skill
        } else {
            app.target_user
        };
        let id = if spec.path.contains("scripts/") {
            "order_intake_ru".to_string()
        } else if spec.path.contains("templates/") {
            "1".to_string()
        } else {
            id.to_string()
        };
        let path = spec
            .path
            .replace("{token}", &cti_token)
            .replace("{secret}", &tg_secret)
            .replace("{id}", &id)
            .replace("{aid}", &file.id.to_string())
            .replace("{file}", "invoice.html")
            .replace("{v}", "1");
        let is_api = spec.path.starts_with("/api/");
        let method = Method::from_bytes(verb.as_bytes()).expect("method");

        // Anonymous: a valid pre-session CSRF pair, so only access decides.
        let anon_headers = [("cookie", "sb_csrf=anon-token"), ("x-csrf-token", "anon-token")];
        let body = |api: bool| if api { Body::from("{}") } else { Body::from("x=1") };
        let ctype = if is_api { "application/json" } else { "application/x-www-form-urlencoded" };
        let mut h: Vec<(&str, &str)> = anon_headers.to_vec();
        h.push(("content-type", ctype));
        let reply = app.send(build(method.clone(), &path, &h, body(is_api))).await;
        let anon_denied = reply.status == StatusCode::UNAUTHORIZED
            || (reply.status == StatusCode::SEE_OTHER && reply.location() == Some("/login") && !is_api);
        match expect {
            Expect::Public => assert!(
                !anon_denied && reply.status != StatusCode::FORBIDDEN,
                "anonymous {verb} {path}: {}",
                reply.status
            ),
            _ => {
                assert!(anon_denied, "anonymous {verb} {path} must be refused, got {}", reply.status);
                if is_api {
                    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "anonymous {verb} {path}");
                    assert_eq!(reply.json()["error"]["code"], "unauthenticated");
                }
            }
        }
        checked += 1;

        for (role, account) in &app.accounts {
            // API routes as an integration would call them (bearer), pages as
            // a browser would (fresh session cookie + CSRF header).
            let (cookie, csrf) = app.session(account.id).await;
            let bearer = format!("Bearer {}", account.bearer);
            let headers: Vec<(&str, &str)> = if is_api {
                vec![("authorization", &bearer), ("content-type", ctype)]
            } else {
                vec![("cookie", &cookie), ("x-csrf-token", &csrf), ("content-type", ctype)]
            };
            let reply = app.send(build(method.clone(), &path, &headers, body(is_api))).await;
            let allowed = match &expect {
                Expect::Public | Expect::AnySignedIn => true,
                Expect::Only(roles) => roles.contains(role),
            };
            if allowed {
                assert!(
                    !matches!(
                        reply.status,
                        StatusCode::UNAUTHORIZED
                            | StatusCode::FORBIDDEN
                            | StatusCode::NOT_FOUND
                            | StatusCode::METHOD_NOT_ALLOWED
                    ) && !reply.status.is_server_error(),
                    "{role:?} must reach {verb} {path}, got {}: {}",
                    reply.status,
                    reply.body.chars().take(200).collect::<String>()
                );
            } else {
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role:?} must be refused {verb} {path}");
                if is_api {
                    assert_eq!(reply.json()["error"]["code"], "forbidden");
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, routes.len() * (Role::ALL.len() + 1));
}

#[tokio::test]
async fn a_user_with_two_roles_gets_both_and_a_deactivated_user_nothing() {
    let app = common::app(testkit::sqlite()).await;
    let actor = store::AuditActor::cli();
    let op = app.account(Operator);
    app.state.store.set_roles(op.id, &[Operator, ResourcePlanner], &actor).await.expect("roles");
    let (cookie, _) = app.session(op.id).await;
    assert_eq!(app.get("/desk", &[("cookie", &cookie)]).await.status, StatusCode::OK);
    assert_eq!(app.get("/planning", &[("cookie", &cookie)]).await.status, StatusCode::OK);
    assert_eq!(app.get("/quality", &[("cookie", &cookie)]).await.status, StatusCode::FORBIDDEN);

    app.state.store.set_active(op.id, false, &actor).await.expect("deactivate");
    let r = app.api(Method::GET, "/api/v1/me", Some(&op.bearer), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "deactivated user's token must stop working");
    let r = app.get("/desk", &[("cookie", &cookie)]).await;
    assert_eq!(r.location(), Some("/login"), "deactivated user's session must stop working");
}

#[tokio::test]
async fn navigation_shows_each_role_only_its_rooms() {
    let app = common::app(testkit::sqlite()).await;
    for (role, account) in &app.accounts {
        let (cookie, _) = app.session(account.id).await;
        let page = app.get("/", &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK);
        for room in server::routes::ROOMS {
            let access = server::routes::access_of(room.href).expect("room route");
            let may = match access {
                domain::access::Access::Requires(p) => role.permissions().contains(&p),
                _ => true,
            };
            let shown = page.body.contains(&format!("data-room=\"{}\"", room.id));
            assert_eq!(shown, may, "{role:?}: room {} shown={shown}", room.id);
        }
    }
}
