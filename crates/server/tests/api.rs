//! Behaviour of the API and the UI's edges: bad input, CSRF, sign-in and its
//! rate limit, audit, OpenAPI, metrics, health, personal data.

mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use domain::Role;

use common::build;

#[tokio::test]
async fn bad_json_gets_a_clear_4xx_with_a_json_body_and_changes_nothing() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let admin = app.account(Role::Administrator).bearer.clone();
        let users_before = app.state.store.count_users().await.expect("count");
        let oversized = format!("{{\"login\":\"big\",\"name\":\"{}\",\"password\":\"12345678\"}}", "я".repeat(600_000));
        let cases: Vec<(&str, String, Option<&str>, StatusCode, &str)> = vec![
            ("malformed", "{\"login\": ".into(), Some("application/json"), StatusCode::BAD_REQUEST, "malformed_json"),
            (
                "not an object",
                "[1,2]".into(),
                Some("application/json"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
            ),
            (
                "unknown field",
                r#"{"login":"zz1","name":"Z","password":"12345678","admin":true}"#.into(),
                Some("application/json"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
            ),
            (
                "unknown role",
                r#"{"login":"zz2","name":"Z","password":"12345678","roles":["root"]}"#.into(),
                Some("application/json"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
            ),
            (
                "wrong type",
                r#"{"login":5,"name":"Z","password":"12345678"}"#.into(),
                Some("application/json"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
            ),
            (
                "short password",
                r#"{"login":"zz3","name":"Z","password":"123"}"#.into(),
                Some("application/json"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
            ),
            (
                "bad login",
                r#"{"login":"Иван","name":"Z","password":"12345678"}"#.into(),
                Some("application/json"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
            ),
            (
                "no content type",
                r#"{"login":"zz4"}"#.into(),
                None,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            ("over 1 MiB", oversized, Some("application/json"), StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
        ];
        for (what, body, ctype, status, code) in cases {
            let auth = format!("Bearer {admin}");
            let mut headers = vec![("authorization", auth.as_str())];
            if let Some(c) = ctype {
                headers.push(("content-type", c));
            }
            let r = app.send(build(Method::POST, "/api/v1/users", &headers, Body::from(body))).await;
            assert_eq!(r.status, status, "{}: {what}: {}", app.db.kind, r.body);
            assert_eq!(r.json()["error"]["code"], code, "{}: {what}", app.db.kind);
            assert!(r.json()["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: message");
        }
        let r = app.api(Method::PUT, "/api/v1/users/abc/roles", Some(&admin), Some(r#"{"roles":[]}"#)).await;
        assert!(r.status.is_client_error(), "non-numeric id: {}", r.status);
        assert_eq!(
            app.state.store.count_users().await.expect("count"),
            users_before,
            "{}: nothing created",
            app.db.kind
        );

        // And the good request works, once.
        let good =
            r#"{"login":"new.user","name":"Жаңа Қолданушы","password":"12345678","roles":["operator"],"locale":"kk"}"#;
        let r = app.api(Method::POST, "/api/v1/users", Some(&admin), Some(good)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["roles"], serde_json::json!(["operator"]));
        assert_eq!(r.json()["name"], "Жаңа Қолданушы");
        let r = app.api(Method::POST, "/api/v1/users", Some(&admin), Some(good)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"]["code"], "conflict");
    }
}

#[tokio::test]
async fn unknown_api_paths_and_bad_tokens_answer_json() {
    let app = common::app(testkit::sqlite()).await;
    let r = app.api(Method::GET, "/api/v1/nothing-here", None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"]["code"], "not_found");
    let r = app.api(Method::GET, "/api/v1/me", Some("not-a-token"), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "invalid_token");
    let op = app.account(Role::Operator);
    let r = app.api(Method::GET, "/api/v1/me", Some(&op.bearer), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["login"], op.login.as_str());
    assert!(r.json()["permissions"].as_array().is_some_and(|p| p.contains(&serde_json::json!("use_desk"))));
    assert!(r.json().get("password_hash").is_none());
}

#[tokio::test]
async fn form_posts_without_the_csrf_token_are_rejected() {
    let app = common::app(testkit::sqlite()).await;
    let admin = app.account(Role::Administrator);
    let (cookie, csrf) = app.session(admin.id).await;
    let fields = [("login", "csrf.victim"), ("name", "Жертва"), ("password", "12345678"), ("role", "administrator")];

    let r = app.form("/admin/users", &cookie, None, &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no token");
    let r = app.form("/admin/users", &cookie, Some("forged"), &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "wrong token");
    assert!(app.state.store.user_by_login("csrf.victim").await.expect("lookup").is_none(), "nothing created");

    // A JSON call riding on the session cookie needs the header too.
    let r = app
        .send(build(
            Method::POST,
            "/api/v1/users",
            &[("cookie", &cookie), ("content-type", "application/json")],
            Body::from(r#"{"login":"csrf.json","name":"X","password":"12345678"}"#),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "csrf");

    let r = app.form("/admin/users", &cookie, Some(&csrf), &fields).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let created = app.state.store.user_by_login("csrf.victim").await.expect("lookup").expect("created");
    assert_eq!(created.roles, vec![Role::Administrator]);

    // Signing in needs the pre-session token from the sign-in page.
    let r = app
        .send(build(
            Method::POST,
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            Body::from("login=administrator&password=pw-administrator-123"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn sign_in(app: &common::TestApp, login: &str, password: &str) -> common::Reply {
    let page = app.get("/login", &[]).await;
    let csrf = page.cookie("sb_csrf").expect("sign-in page sets the CSRF cookie");
    assert!(page.body.contains(&csrf), "form carries the token");
    let cookie = format!("sb_csrf={csrf}");
    let mut ser = form_urlencoded::Serializer::new(String::new());
    ser.append_pair("csrf", &csrf).append_pair("login", login).append_pair("password", password);
    app.send(build(
        Method::POST,
        "/login",
        &[("cookie", &cookie), ("content-type", "application/x-www-form-urlencoded")],
        Body::from(ser.finish()),
    ))
    .await
}

#[tokio::test]
async fn sign_in_sign_out_rate_limit_and_audit() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let op = app.account(Role::Operator);
        let ok = sign_in(&app, &op.login, &op.password).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let session = ok.cookie("sb_session").expect("session cookie");
        let cookie = format!("sb_session={session}");
        let home = app.get("/", &[("cookie", &cookie)]).await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("data-room=\"desk\""));

        // Sign out ends the session.
        let csrf = home.body.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token");
        let out = app.form("/logout", &cookie, Some(csrf), &[]).await;
        assert_eq!(out.location(), Some("/login"));
        assert_eq!(app.get("/", &[("cookie", &cookie)]).await.location(), Some("/login"));

        let bad = sign_in(&app, &op.login, "wrong-password").await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
        assert!(bad.body.contains("id=\"login-form\"") && bad.body.contains("class=\"error\""));
        let unknown = sign_in(&app, "no.such.user", "whatever1").await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);

        // Failures count per login and per address (all of these come from one):
        // three more reach the limit of five; then even the right password waits.
        for _ in 0..3 {
            assert_eq!(sign_in(&app, &op.login, "wrong-password").await.status, StatusCode::UNAUTHORIZED);
        }
        let limited = sign_in(&app, &op.login, &op.password).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", app.db.kind);
        assert!(limited.cookie("sb_session").is_none());

        // The administrator sees all of it in the audit log.
        let admin = app.account(Role::Administrator).bearer.clone();
        let log = app.api(Method::GET, "/api/v1/audit?limit=500", Some(&admin), None).await.json();
        let actions: Vec<&str> = log.as_array().expect("array").iter().filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "sign_in.ok").count(), 1, "{actions:?}");
        assert_eq!(actions.iter().filter(|a| **a == "sign_in.failed").count(), 5, "{actions:?}");
        assert!(actions.contains(&"sign_in.blocked") && actions.contains(&"sign_out"), "{actions:?}");
        let failed = log.as_array().expect("array").iter().find(|e| e["action"] == "sign_in.failed").expect("failed");
        assert_eq!(failed["target"], format!("login:{}", op.login).as_str());
        assert!(failed["ip"].is_string(), "address recorded");
        let (acookie, _) = app.session(app.account(Role::Administrator).id).await;
        let page = app.get("/admin/audit", &[("cookie", &acookie)]).await;
        assert!(page.body.contains("sign_in.failed"));
    }
}

#[tokio::test]
async fn role_changes_are_audited_with_who_did_them() {
    let app = common::app(testkit::sqlite()).await;
    let admin = app.account(Role::Administrator);
    let path = format!("/api/v1/users/{}/roles", app.target_user);
    let r = app.api(Method::PUT, &path, Some(&admin.bearer), Some(r#"{"roles":["supervisor","operator"]}"#)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["roles"], serde_json::json!(["operator", "supervisor"]));
    let log = app.state.store.list_audit(Some("user.roles"), 10, 0).await.expect("audit");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor_login, admin.login);
    assert_eq!(log[0].target, format!("user:{}", app.target_user));
    assert!(log[0].detail.contains("supervisor"));
    let events = app.state.store.events_after(Some("user.roles_changed"), 0, 10).await.expect("events");
    assert_eq!(events.len(), 1, "the change is also an event");
}

#[tokio::test]
async fn personal_data_is_masked_in_lists_and_every_full_view_is_audited() {
    let app = common::app(testkit::sqlite()).await;
    let op = app.account(Role::Operator);
    let (cookie, _) = app.session(op.id).await;
    let desk = app.get("/desk", &[("cookie", &cookie)]).await;
    assert!(desk.body.contains("+7701*****67"), "masked phone in the list");
    assert!(!desk.body.contains("+77011234567") && !desk.body.contains("aigerim@mail.kz"));
    assert!(app.state.store.list_audit(Some("customer.view"), 10, 0).await.expect("audit").is_empty());

    let card = app.get(&format!("/desk/customers/{}", app.customer), &[("cookie", &cookie)]).await;
    assert!(card.body.contains("+77011234567"));
    let r = app.api(Method::GET, &format!("/api/v1/customers/{}", app.customer), Some(&op.bearer), None).await;
    assert_eq!(r.json()["email"], "aigerim@mail.kz");
    let views = app.state.store.list_audit(Some("customer.view"), 10, 0).await.expect("audit");
    assert_eq!(views.len(), 2, "one per view");
    assert!(views.iter().all(|v| v.actor_id == Some(op.id) && v.target == format!("customer:{}", app.customer)));
}

#[tokio::test]
async fn openapi_document_is_valid_and_lists_every_api_route() {
    let app = common::app(testkit::sqlite()).await;
    let r = app.get("/api/openapi.json", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let spec = oas3::from_json(&r.body).unwrap_or_else(|e| panic!("not a valid OpenAPI 3 document: {e}"));
    assert!(spec.openapi.starts_with("3."), "version {}", spec.openapi);
    let doc = r.json();
    for route in server::routes::ROUTES.iter().filter(|r| r.path.starts_with("/api/v1")) {
        let method = route.verb.as_str().to_lowercase();
        assert!(
            doc["paths"][route.path][&method].is_object(),
            "{} {} missing from OpenAPI",
            route.verb.as_str(),
            route.path
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_count_requests() {
    let app = common::app(testkit::sqlite()).await;
    for _ in 0..3 {
        app.get("/healthz", &[]).await;
    }
    app.api(Method::GET, "/api/v1/me", None, None).await;
    app.get("/nowhere", &[]).await;
    let r = app.get("/metrics", &[]).await;
    assert!(r.headers.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/plain")));
    let lines = r.body.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text parses");
    let value = |name: &str, route: &str, status: Option<&str>| {
        scrape
            .samples
            .iter()
            .find(|s| {
                s.metric == name
                    && s.labels.get("route") == Some(route)
                    && status.is_none_or(|st| s.labels.get("status") == Some(st))
            })
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Untyped(v) => v,
                _ => -1.0,
            })
    };
    assert_eq!(value("switchboard_http_requests_total", "/healthz", Some("2xx")), Some(3.0));
    assert_eq!(value("switchboard_http_requests_total", "/api/v1/me", Some("4xx")), Some(1.0));
    assert!(scrape.samples.iter().any(|s| s.metric == "switchboard_http_unmatched_requests_total"));
    assert!(scrape
        .samples
        .iter()
        .any(|s| s.metric == "switchboard_http_request_duration_seconds" && s.labels.get("route") == Some("/healthz")));
}

#[tokio::test]
async fn health_follows_the_database() {
    let app = common::app(testkit::sqlite()).await;
    let r = app.get("/healthz", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    app.state.store.close().await;
    let r = app.get("/healthz", &[]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.json()["error"]["code"], "database_unavailable");
}

#[tokio::test]
async fn the_interface_speaks_each_users_language() {
    let app = common::app(testkit::sqlite()).await;
    let op = app.account(Role::Operator);
    let (cookie, csrf) = app.session(op.id).await;
    let ru = app.get("/desk", &[("cookie", &cookie)]).await;
    assert!(ru.body.contains("Рабочее место") && ru.body.contains("lang=\"ru\""));
    let r = app.form("/profile/locale", &cookie, Some(&csrf), &[("locale", "kk")]).await;
    assert_eq!(r.status, StatusCode::OK);
    let kk = app.get("/desk", &[("cookie", &cookie)]).await;
    assert!(kk.body.contains("Жұмыс орны") && kk.body.contains("lang=\"kk\""), "Kazakh after switching");
    app.form("/profile/locale", &cookie, Some(&csrf), &[("locale", "en")]).await;
    assert!(app.get("/desk", &[("cookie", &cookie)]).await.body.contains(">Desk<"));
    let bad = app.form("/profile/locale", &cookie, Some(&csrf), &[("locale", "de")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Before signing in, the language comes from the page's switch.
    let login = app.get("/login?lang=kk", &[]).await;
    assert!(login.body.contains("Құпиясөз"));
    assert_eq!(login.cookie("sb_lang").as_deref(), Some("kk"));
}

#[tokio::test]
async fn every_message_key_the_templates_use_exists_in_all_languages() {
    let catalog = i18n::Catalog::load().expect("catalogue");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut keys = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("templates") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("template");
        for part in text.split("t.get(\"").skip(1) {
            keys.push(part.split('"').next().expect("key").to_string());
        }
    }
    assert!(keys.len() > 30, "found only {} keys", keys.len());
    for room in server::routes::ROOMS {
        keys.push(room.label_key.to_string());
    }
    for room in ["desk", "orders", "quality", "planning", "wallboard", "reports"] {
        keys.push(format!("room-{room}-text"));
    }
    for role in Role::ALL {
        keys.push(format!("role-{}", role.as_str()));
    }
    for code in ["invalid-login", "password-too-short", "password-too-long", "invalid-name", "invalid-locale"] {
        keys.push(code.to_string());
    }
    use domain::contact::{required_wrapup_fields, Channel, ContactType, Status};
    keys.extend(Status::ALL.iter().map(|s| format!("status-{}", s.as_str())));
    keys.extend(ContactType::ALL.iter().map(|t| format!("ctype-{}", t.as_str())));
    keys.extend(Channel::ALL.iter().map(|c| format!("channel-{}", c.as_str())));
    keys.extend(server::dispatch::STATES.iter().map(|s| format!("state-{}", s.replace([':', '_'], "-"))));
    keys.push("state-not-ready-missed-offer".into());
    for name in ["first_response", "next_response", "resolution", "legal"] {
        keys.push(format!("clock-{name}"));
    }
    for state in ["pending", "running", "at_risk", "paused", "breached", "met"] {
        keys.push(format!("clock-state-{state}"));
    }
    for t in ContactType::ALL {
        keys.extend(required_wrapup_fields(*t).iter().map(|f| format!("wrapup-field-{f}")));
    }
    for code in [
        "wrapup-summary-required",
        "wrapup-outcome-required",
        "wrapup-field-required",
        "reason-required",
        "script-step-refused",
        "error-contact-changed",
        "invalid-phone",
        "invalid-email",
        "invalid-chat",
        "invalid-client-type",
        "identity-required",
        "search-too-short",
        "search-invalid",
        "merge-into-itself",
        "merge-already-merged",
        "manager-not-eligible",
        "customer-merged",
    ] {
        keys.push(code.to_string());
    }
    use domain::customer::{DuplicateReason, IdentityKind, CLIENT_TYPES};
    keys.extend(CLIENT_TYPES.iter().map(|t| format!("client-type-{t}")));
    keys.extend(IdentityKind::ALL.iter().map(|k| format!("identity-{}", k.as_str())));
    for r in DuplicateReason::ALL {
        keys.push(format!("duplicate-{}", r.as_str().replace('_', "-")));
    }
    for by in ["phone", "email", "contact", "name"] {
        keys.push(format!("customer-search-by-{by}"));
    }
    use domain::contact_work::{LinkKind, Notice};
    keys.extend(LinkKind::ALL.iter().map(|k| format!("link-kind-{}", k.as_str())));
    keys.extend(Notice::ALL.iter().map(|n| n.key().to_string()));
    for code in [
        "note-required",
        "note-too-long",
        "reply-required",
        "reply-too-long",
        "reply-unfilled",
        "attachment-empty",
        "attachment-too-large",
        "attachment-bad-name",
        "attachment-required",
        "link-contact-required",
        "link-self",
        "link-order-invalid",
        "link-missing",
        "link-exists",
        "reopen-reason-required",
        "reopen-queue-required",
        "invalid-status",
        "error-not-yours",
        "notice-pending",
        "reply-pending",
    ] {
        keys.push(code.to_string());
    }
    let missing: Vec<_> = keys.iter().filter(|k| !catalog.has(k)).collect();
    assert!(missing.is_empty(), "missing from a catalogue: {missing:?}");
}

#[tokio::test]
async fn admin_creates_users_and_sets_roles_through_the_page() {
    let app = common::app(testkit::sqlite()).await;
    let admin = app.account(Role::Administrator);
    let (cookie, csrf) = app.session(admin.id).await;
    let r = app
        .form(
            "/admin/users",
            &cookie,
            Some(&csrf),
            &[
                ("login", "dana"),
                ("name", "Дана Серікова"),
                ("password", "12345678"),
                ("locale", "kk"),
                ("role", "operator"),
                ("role", "store_manager"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let dana = app.state.store.user_by_login("dana").await.expect("lookup").expect("created");
    assert_eq!(dana.roles, vec![Role::Operator, Role::StoreManager]);
    let r = app.form(&format!("/admin/users/{}/roles", dana.id), &cookie, Some(&csrf), &[("role", "supervisor")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.state.store.user_by_id(dana.id).await.expect("lookup").expect("user").roles, vec![Role::Supervisor]);
    let dup = app
        .form("/admin/users", &cookie, Some(&csrf), &[("login", "dana"), ("name", "X"), ("password", "12345678")])
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    let short =
        app.form("/admin/users", &cookie, Some(&csrf), &[("login", "eva"), ("name", "X"), ("password", "1")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("8"), "explains the rule");

    // The head of centre may look but not change.
    let head = app.account(Role::HeadOfCentre);
    let (hcookie, _) = app.session(head.id).await;
    let page = app.get("/admin/users", &[("cookie", &hcookie)]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("dana") && !page.body.contains("id=\"user-create\""));
}

#[tokio::test]
async fn profile_changes_password_and_issues_tokens() {
    let app = common::app(testkit::sqlite()).await;
    let op = app.account(Role::Operator);
    let (cookie, csrf) = app.session(op.id).await;
    let r = app.form("/profile/tokens", &cookie, Some(&csrf), &[("name", "мой скрипт")]).await;
    let token = r.body.split("class=\"token\">").nth(1).and_then(|s| s.split('<').next()).expect("token shown once");
    let me = app.api(Method::GET, "/api/v1/me", Some(token), None).await;
    assert_eq!(me.json()["login"], op.login.as_str());

    let wrong =
        app.form("/profile/password", &cookie, Some(&csrf), &[("current", "nope"), ("new", "new-password-1")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app
        .form("/profile/password", &cookie, Some(&csrf), &[("current", &op.password), ("new", "new-password-1")])
        .await;
    assert_eq!(ok.location(), Some("/login"));
    assert_eq!(app.get("/", &[("cookie", &cookie)]).await.location(), Some("/login"), "sessions ended");
    assert_eq!(sign_in(&app, &op.login, "new-password-1").await.status, StatusCode::SEE_OTHER);
}
