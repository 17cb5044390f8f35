//! The knowledge editor on both databases: article versions re-indexed at
//! once and listed in the feed until read, validation that saves nothing,
//! script validation naming steps, script versions kept by runs, the
//! "register complaint" action performed exactly once, reply templates, and
//! who may edit.

mod common;

use axum::http::{Method, StatusCode};
use domain::Role;

fn message(r: &common::Reply) -> String {
    r.json()["error"]["message"].as_str().unwrap_or_default().to_string()
}

async fn call(app: &common::TestApp, bearer: &str, m: Method, path: &str, json: Option<String>) -> common::Reply {
    app.api(m, path, Some(bearer), json.as_deref()).await
}

#[tokio::test]
async fn articles_scripts_actions_and_templates() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let st = &app.state;
        let sup = app.account(Role::Supervisor);
        let op = app.account(Role::Operator);

        // --- Articles: create, then edit = version 2; the index follows at once.
        let heads_before = st.store.article_heads().await.expect("heads").len();
        let body1 = "Возврат товара возможен в течение четырнадцати дней при наличии чека.";
        let new = serde_json::json!({"lang": "ru", "title": "Возврат товара", "body": body1, "category": "returns",
            "tags": ["возврат"], "summary": "первая редакция"});
        let r = call(&app, &sup.bearer, Method::POST, "/api/v1/kb/articles", Some(new.to_string())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let id = r.json()["id"].as_i64().expect("id");
        assert!(st.kb.search("чеком", None, store::now_ms(), 10).expect("search").iter().any(|h| h.id == id), "{k}");

        let body2 = "Возврат оформляется через курьерскую службу в течение недели.";
        let edit = serde_json::json!({"lang": "ru", "title": "Возврат товара", "body": body2, "category": "returns",
            "base_version": 1, "summary": "курьер вместо чека"});
        let r =
            call(&app, &sup.bearer, Method::PUT, &format!("/api/v1/kb/articles/{id}"), Some(edit.to_string())).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert_eq!(r.json()["version"], 2, "{k}");
        assert_eq!(r.json()["changed"], serde_json::json!(["body", "tags"]), "{k}");
        let found = |q: &str| st.kb.search(q, None, store::now_ms(), 10).expect("search").iter().any(|h| h.id == id);
        assert!(found("курьерской"), "{k}: the new text by another word form");
        assert!(!found("чеком"), "{k}: the removed text is gone from search");
        let history = call(&app, &sup.bearer, Method::GET, &format!("/api/v1/kb/articles/{id}"), None).await.json();
        assert_eq!(history.as_array().map(Vec::len), Some(2), "{k}: the old version is kept");
        assert_eq!(history[1]["body"], body1, "{k}");
        assert_eq!(history[0]["author"], "Тест supervisor", "{k}");
        // An edit based on the old version is refused; nothing is saved.
        let r =
            call(&app, &sup.bearer, Method::PUT, &format!("/api/v1/kb/articles/{id}"), Some(edit.to_string())).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{k}");
        assert_eq!(st.store.article_history(id).await.expect("history").len(), 2, "{k}");
        let page = app.get(&format!("/admin/kb/{id}"), &[("cookie", &app.session(sup.id).await.0)]).await;
        assert!(page.body.contains("data-version=\"1\"") && page.body.contains("курьер вместо чека"), "{k}");

        // Validation: clear errors, nothing saved.
        for (bad, field) in [
            (serde_json::json!({"lang": "ru", "title": " ", "body": "x", "category": "c"}), "title"),
            (serde_json::json!({"lang": "ru", "title": "t", "body": "", "category": "c"}), "body"),
            (
                serde_json::json!({"lang": "ru", "title": "t", "body": "b", "category": "c", "valid_from": 2000,
                    "valid_until": 1000}),
                "valid_until",
            ),
        ] {
            let r = call(&app, &sup.bearer, Method::POST, "/api/v1/kb/articles", Some(bad.to_string())).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {bad}");
            assert!(message(&r).starts_with(field), "{k}: {}", r.body);
        }
        assert_eq!(st.store.article_heads().await.expect("heads").len(), heads_before + 1, "{k}");

        // The feed: the change waits for the operator until they acknowledge version 2.
        let (cookie, csrf) = app.session(op.id).await;
        let feed = app.get("/desk/kb", &[("cookie", &cookie)]).await;
        assert!(feed.body.contains(&format!("data-change=\"{id}\"")), "{k}: unacknowledged");
        let r = app.form(&format!("/desk/kb/{id}/ack"), &cookie, Some(&csrf), &[("version", "2")]).await;
        assert!(r.location().is_some(), "{k}: {}", r.body);
        let feed = app.get("/desk/kb", &[("cookie", &cookie)]).await;
        assert!(!feed.body.contains(&format!("data-change=\"{id}\"")), "{k}: acknowledged");
        // The supervisor sees who has read the current version.
        let page = app.get(&format!("/admin/kb/{id}"), &[("cookie", &app.session(sup.id).await.0)]).await;
        let readers = |which: &str| {
            let from = page.body.find(&format!("data-readers=\"{which}\"")).expect("readers line");
            page.body[from..].split("</p>").next().unwrap_or_default().to_string()
        };
        assert!(readers("read").contains(&format!("({})", op.login)), "{k}: {}", readers("read"));
        assert!(readers("unread").contains(&format!("({})", sup.login)), "{k}: {}", readers("unread"));

        // Operators read the knowledge base but cannot edit it.
        let r =
            app.api(Method::PUT, &format!("/api/v1/kb/articles/{id}"), Some(&op.bearer), Some(&edit.to_string())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}");
        let r = app.form("/admin/kb", &cookie, Some(&csrf), &[("lang", "ru"), ("title", "t"), ("body", "b")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}");

        // --- Scripts: validation names the step.
        let script = |first_next: &str, article: i64| {
            serde_json::json!({"script": {"id": "claim_test", "version": 1, "name": "Жалоба (тест)", "lang": "ru",
                "contact_type": "complaint", "start": "ask", "nodes": [
                    {"id": "ask", "text": "Хотите оставить жалобу?", "kind": "question",
                        "options": [{"label": "Да", "next": first_next}, {"label": "Нет", "next": "bye"}],
                        "article_ids": [article]},
                    {"id": "register", "text": "Регистрирую жалобу", "kind": "action",
                        "action": {"type": "register_complaint"}, "next": "bye"},
                    {"id": "bye", "text": "Спасибо", "kind": "end", "outcome": "done"}]}})
            .to_string()
        };
        let r = call(&app, &sup.bearer, Method::POST, "/api/v1/scripts", Some(script("nowhere", id))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        let m = message(&r);
        assert!(m.contains("\"ask\" leads to \"nowhere\"") && m.contains("\"register\" cannot be reached"), "{k}: {m}");
        let r = call(&app, &sup.bearer, Method::POST, "/api/v1/scripts", Some(script("register", 999_999))).await;
        assert!(message(&r).contains("999999"), "{k}: unknown article named: {}", r.body);
        let r = call(&app, &sup.bearer, Method::POST, "/api/v1/scripts", Some(script("register", id))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        assert_eq!(r.json()["script"]["version"], 1, "{k}");

        // The operator holds the harness's contact.
        st.store.add_queue_member(app.queue, op.id).await.expect("member");
        st.dispatch.reload(&st.store).await.expect("reload");
        app.form("/desk/state", &cookie, Some(&csrf), &[("state", "ready")]).await;
        let r = app.form(&format!("/desk/contacts/{}/accept", app.contact), &cookie, Some(&csrf), &[]).await;
        assert!(r.location().is_some(), "{k}: accepted: {}", r.body);

        // A run starts on version 1; an edit makes version 2; the run keeps version 1.
        let step = format!("/desk/contacts/{}/script", app.contact);
        let r = app.form(&step, &cookie, Some(&csrf), &[("start", "claim_test")]).await;
        assert!(r.location().is_some(), "{k}: {}", r.body);
        let edited = script("register", id).replace("Хотите оставить жалобу?", "Оформим жалобу?");
        let mut edited: serde_json::Value = serde_json::from_str(&edited).expect("json");
        edited["base_version"] = 1.into();
        let r = call(&app, &sup.bearer, Method::PUT, "/api/v1/scripts/claim_test", Some(edited.to_string())).await;
        assert_eq!(r.json()["script"]["version"], 2, "{k}: {}", r.body);
        let page = app.get(&format!("/desk/contacts/{}", app.contact), &[("cookie", &cookie)]).await;
        assert!(page.body.contains("Хотите оставить жалобу?"), "{k}: the run keeps its version");
        assert_eq!(st.store.script_run(app.contact).await.expect("run").expect("saved").script_version, 1, "{k}");

        // "Register complaint": the step submitted twice creates exactly one complaint.
        app.form(&step, &cookie, Some(&csrf), &[("answer", "choose"), ("option", "0"), ("step", "0")]).await;
        for _ in 0..2 {
            let r = app.form(&step, &cookie, Some(&csrf), &[("answer", "continue"), ("step", "1")]).await;
            assert!(r.location().is_some_and(|l| l.contains("#script")), "{k}: {}", r.body);
        }
        let done = st.store.script_actions(app.contact).await.expect("actions");
        assert_eq!(done.len(), 1, "{k}: one complaint: {done:?}");
        let complaint = st.store.contact(done[0].1).await.expect("load").expect("complaint");
        let original = st.store.contact(app.contact).await.expect("load").expect("contact");
        assert_eq!(complaint.contact_type, domain::contact::ContactType::Complaint, "{k}");
        assert_eq!(complaint.customer_id, original.customer_id, "{k}");
        let events = st.store.contact_events(complaint.id).await.expect("events");
        let clocks = server::clocks::contact_clocks(&st.service_levels(), &complaint, &events, store::now_ms());
        let legal = clocks.iter().find(|c| c.name == "legal").expect("legal clock");
        assert!(legal.due_at.is_some_and(|d| d > complaint.created_at), "{k}: a legal due date");
        let links = st.store.contact_links(app.contact).await.expect("links");
        assert!(links.iter().any(|l| l.target_contact_id == Some(complaint.id)), "{k}: linked");
        let page = app.get(&format!("/desk/contacts/{}", app.contact), &[("cookie", &cookie)]).await;
        assert!(page.body.contains(&format!("data-created=\"{}\"", complaint.id)), "{k}: shown in the window");

        // --- Reply templates: an unknown variable is named; the composer uses the edited one.
        let bad = r#"{"name": "Ответ", "lang": "ru", "body": "Здравствуйте, {{customer_nam}}!"}"#;
        let r = call(&app, &sup.bearer, Method::PUT, "/api/v1/templates/1", Some(bad.into())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(message(&r).contains("customer_nam"), "{k}: {}", r.body);
        let good =
            r#"{"name": "Ответ", "lang": "ru", "body": "Уважаемый клиент, обращение № {{contact_number}} принято."}"#;
        let r = call(&app, &sup.bearer, Method::PUT, "/api/v1/templates/1", Some(good.into())).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        let page = app.get(&format!("/desk/contacts/{}?template=1", app.contact), &[("cookie", &cookie)]).await;
        assert!(page.body.contains(&format!("Уважаемый клиент, обращение № {} принято.", app.contact)), "{k}");
    }
}

#[tokio::test]
async fn a_script_action_is_stored_once_per_step_even_when_committed_twice() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let c = store.contact(app.contact).await.expect("load").expect("contact");
        let action = store::kb_edit::ScriptAction {
            script_id: "s".into(),
            node_id: "register".into(),
            step_no: 3,
            action: "register_complaint",
            contact: store::contacts::NewContact {
                channel: c.channel,
                direction: c.direction,
                contact_type: domain::contact::ContactType::Complaint,
                topic: String::new(),
                priority: 0,
                subject: "Жалоба".into(),
                customer_id: c.customer_id,
                queue_id: app.queue,
            },
        };
        let run = store::contacts::ScriptRunRecord {
            script_id: "s".into(),
            script_version: 1,
            path: "[]".into(),
            updated_at: 1,
        };
        let actor = store::AuditActor::cli();
        let first = store.commit_script_step(c.id, &run, Some(&action), &actor).await.expect("first");
        let second = store.commit_script_step(c.id, &run, Some(&action), &actor).await.expect("second");
        let (created, fresh) = first.expect("performed");
        assert!(fresh, "{k}");
        assert_eq!(second, Some((created, false)), "{k}: the same contact, nothing new");
        assert_eq!(store.script_actions(c.id).await.expect("actions").len(), 1, "{k}");
    }
}
