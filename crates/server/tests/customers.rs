//! The customer card through the API and the pages: registration with
//! identities and its validation, masked quick search, duplicates and
//! merging, manager and consent, and the audit of card views.

mod common;

use axum::http::{Method, StatusCode};
use domain::Role;

/// The harness's customer: Ахметова Айгерим Сериковна, +77011234567, aigerim@mail.kz.
const SAME_PHONE_OTHER_FORMAT: &str = r#"{"full_name":"АХМЕТОВА  айгерим сериковна","client_type":"retail",
    "identities":[{"kind":"phone","value":"8 (701) 123-45-67"},{"kind":"email","value":" Aigerim.Work@Mail.kz "}],
    "consent":true}"#;

#[tokio::test]
async fn registration_validates_at_the_edge_and_returns_duplicate_candidates() {
    let app = common::app(testkit::sqlite()).await;
    let op = app.account(Role::Operator);
    let before = app.state.store.count_customers().await.expect("count");
    let bad = [
        (r#"{"full_name":"","identities":[{"kind":"phone","value":"+77010000000"}]}"#, "name"),
        (r#"{"full_name":"Иван","identities":[]}"#, "identity-required"),
        (r#"{"full_name":"Иван","identities":[{"kind":"phone","value":"123"}]}"#, "invalid-phone"),
        (r#"{"full_name":"Иван","identities":[{"kind":"email","value":"nobody"}]}"#, "invalid-email"),
        (r#"{"full_name":"Иван","identities":[{"kind":"chat","value":"a b"}]}"#, "invalid-chat"),
        (r#"{"full_name":"Иван","client_type":"vip","identities":[{"kind":"chat","value":"@ivan"}]}"#, "client-type"),
        (r#"{"full_name":"Иван","locale":"de","identities":[{"kind":"chat","value":"@ivan"}]}"#, "locale"),
        (r#"{"full_name":"Иван","identities":[{"kind":"fax","value":"1"}]}"#, "kind"),
        (r#"{"full_name":"Иван","identities":[{"kind":"chat","value":"@ivan"}],"extra":1}"#, "extra"),
    ];
    for (body, what) in bad {
        let r = app.api(Method::POST, "/api/v1/customers", Some(&op.bearer), Some(body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
        let e = r.json();
        assert!(e["error"]["code"].is_string() && e["error"]["message"].is_string(), "{body}");
        assert!(e["error"]["message"].as_str().unwrap_or("").contains(what), "{what}: {}", r.body);
    }
    assert_eq!(app.state.store.count_customers().await.expect("count"), before, "nothing created");

    let r = app.api(Method::POST, "/api/v1/customers", Some(&op.bearer), Some(SAME_PHONE_OTHER_FORMAT)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let out = r.json();
    let c = &out["customer"];
    assert_eq!(c["phone"], "+77011234567", "normalised");
    assert_eq!(c["email"], "aigerim.work@mail.kz");
    assert_eq!(c["consent"], true);
    assert_eq!(c["identities"].as_array().map(Vec::len), Some(2));
    let dups = out["duplicates"].as_array().expect("duplicates");
    assert_eq!(dups.len(), 1, "{}", r.body);
    assert_eq!(dups[0]["customer"]["id"], app.customer);
    assert_eq!(dups[0]["customer"]["phone"], "+7701*****67", "candidates are masked");
    assert_eq!(dups[0]["reasons"], serde_json::json!(["same_phone", "same_name"]));
    assert!(!r.body.contains("aigerim@mail.kz") && !r.body.contains("Сериковна"), "no one else's data in full");
    let audit = app.state.store.list_audit(Some("customer.create"), 10, 0).await.expect("audit");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor_id, Some(op.id));
}

#[tokio::test]
async fn search_is_masked_and_finds_by_phone_email_name_and_contact_number() {
    let app = common::app(testkit::sqlite()).await;
    let op = app.account(Role::Operator);
    let find = |q: &str| {
        let q = form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
        format!("/api/v1/customers?q={q}")
    };
    for (q, by) in [
        ("8 701 123 45 67", "phone"),
        ("+7 (701) 123-45-67", "phone"),
        ("AIGERIM@mail.kz", "email"),
        ("АХМЕТОВА", "name"),
        ("айгерим", "name"),
        (&format!("№ {}", app.contact), "contact"),
        (&app.contact.to_string(), "contact"),
    ] {
        let r = app.api(Method::GET, &find(q), Some(&op.bearer), None).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
        let out = r.json();
        assert_eq!(out["matched_by"], by, "{q}");
        let found = out["customers"].as_array().expect("customers");
        assert_eq!(found.len(), 1, "{q}");
        assert_eq!(found[0]["id"], app.customer);
        assert_eq!(found[0]["phone"], "+7701*****67");
        assert_eq!(found[0]["email"], "a******@mail.kz");
        assert_eq!(found[0]["full_name"], "Ахметова А. С.");
        assert!(!r.body.contains("+77011234567") && !r.body.contains("Айгерим"), "{q}: masked");
    }
    let none = app.api(Method::GET, &find("Петров"), Some(&op.bearer), None).await;
    assert_eq!(none.json()["customers"], serde_json::json!([]));
    for q in ["", "а", "№ x", "+7 701"] {
        let r = app.api(Method::GET, &find(q), Some(&op.bearer), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q:?}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "invalid_field");
    }
    // Searching is not a view of anyone's data.
    assert!(app.state.store.list_audit(Some("customer.view"), 10, 0).await.expect("audit").is_empty());

    // The desk's quick search: masked rows linking to cards.
    let (cookie, _) = app.session(op.id).await;
    let desk = app.get("/desk", &[("cookie", &cookie)]).await;
    assert!(desk.body.contains("action=\"/desk/customers\""), "quick search on the desk");
    let page = app.get("/desk/customers?q=%D0%B0%D1%85%D0%BC%D0%B5%D1%82", &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("href=\"/desk/customers/{}\"", app.customer)), "{}", page.body);
    assert!(page.body.contains("+7701*****67") && !page.body.contains("+77011234567"));
    assert!(page.body.contains("Искали по: ФИО"));
    let bad = app.get("/desk/customers?q=%D0%B0", &[("cookie", &cookie)]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Запрос слишком короткий"));
    let empty = app.get("/desk/customers", &[("cookie", &cookie)]).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(app.state.store.list_audit(Some("customer.view"), 10, 0).await.expect("audit").is_empty());
    let card = app.get(&format!("/desk/customers/{}", app.customer), &[("cookie", &cookie)]).await;
    assert_eq!(card.status, StatusCode::OK);
    assert_eq!(app.state.store.list_audit(Some("customer.view"), 10, 0).await.expect("audit").len(), 1, "card audited");
}

#[tokio::test]
async fn duplicates_merge_through_the_api_and_bad_merges_change_nothing() {
    let app = common::app(testkit::sqlite()).await;
    let op = app.account(Role::Operator);
    let senior = app.account(Role::SeniorOperator);
    let r = app.api(Method::POST, "/api/v1/customers", Some(&op.bearer), Some(SAME_PHONE_OTHER_FORMAT)).await;
    let dup = r.json()["customer"]["id"].as_i64().expect("id");
    let survivor = app.customer;

    let r = app.api(Method::GET, &format!("/api/v1/customers/{survivor}/duplicates"), Some(&op.bearer), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    assert_eq!(list[0]["customer"]["id"], dup);
    assert_eq!(list[0]["reasons"], serde_json::json!(["same_phone", "same_name"]), "name folds case");
    assert_eq!(list[0]["score"], 90);

    let merge = |body: String| {
        let path = format!("/api/v1/customers/{survivor}/merge");
        let bearer = senior.bearer.clone();
        let app = &app;
        async move { app.api(Method::POST, &path, Some(&bearer), Some(&body)).await }
    };
    let r = app.api(Method::POST, &format!("/api/v1/customers/{survivor}/merge"), Some(&op.bearer), Some("{}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "operators do not merge");
    let events = app.state.store.count_events(None).await.expect("events");
    for (body, status) in [
        (format!(r#"{{"duplicate_id":{survivor}}}"#), StatusCode::UNPROCESSABLE_ENTITY),
        (r#"{"duplicate_id":99999}"#.to_string(), StatusCode::NOT_FOUND),
        (r#"{"duplicate_id":"x"}"#.to_string(), StatusCode::UNPROCESSABLE_ENTITY),
        ("{}".to_string(), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = merge(body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert!(r.json()["error"]["code"].is_string());
    }
    assert_eq!(app.state.store.count_events(None).await.expect("events"), events, "refused merges change nothing");

    let r = merge(format!(r#"{{"duplicate_id":{dup}}}"#)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["identities_moved"], 1);
    let again = merge(format!(r#"{{"duplicate_id":{dup}}}"#)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.json()["error"]["message"].as_str().unwrap_or("").contains("merge-already-merged"));

    let card = app.api(Method::GET, &format!("/api/v1/customers/{survivor}"), Some(&op.bearer), None).await.json();
    let values: Vec<&str> =
        card["identities"].as_array().expect("ids").iter().filter_map(|i| i["value"].as_str()).collect();
    assert_eq!(values, vec!["aigerim@mail.kz", "aigerim.work@mail.kz", "+77011234567"]);
    assert_eq!(card["consent"], true, "the duplicate's consent carries over");
    let gone = app.api(Method::GET, &format!("/api/v1/customers/{dup}"), Some(&op.bearer), None).await.json();
    assert_eq!(gone["merged_into"], survivor);
    let merges = app.state.store.list_audit(Some("customer.merge"), 10, 0).await.expect("audit");
    assert_eq!(merges.len(), 1);
    assert_eq!(merges[0].actor_id, Some(senior.id));
}

#[tokio::test]
async fn manager_and_consent_through_the_api_and_the_card() {
    let app = common::app(testkit::sqlite()).await;
    let op = app.account(Role::Operator);
    let supervisor = app.account(Role::Supervisor);
    let manager = app.account(Role::StoreManager);
    let path = |what: &str| format!("/api/v1/customers/{}/{what}", app.customer);

    let body = format!(r#"{{"manager_id":{}}}"#, manager.id);
    let r = app.api(Method::PUT, &path("manager"), Some(&supervisor.bearer), Some(&body)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app
        .api(Method::PUT, &path("manager"), Some(&supervisor.bearer), Some(&format!(r#"{{"manager_id":{}}}"#, op.id)))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an operator is no client manager");
    let r = app.api(Method::PUT, &path("manager"), Some(&supervisor.bearer), Some(r#"{"manager_id":99999}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.api(Method::PUT, &path("consent"), Some(&op.bearer), Some(r#"{"consent":true}"#)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.api(Method::PUT, &path("consent"), Some(&op.bearer), Some(r#"{"consent":"yes"}"#)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let card = app.api(Method::GET, &format!("/api/v1/customers/{}", app.customer), Some(&op.bearer), None).await;
    let card = card.json();
    assert_eq!(card["manager"]["id"], manager.id);
    assert_eq!(card["manager"]["name"], "Тест store-manager");
    assert_eq!(card["consent"], true);
    assert!(card["consent_at"].is_i64());

    // The card page: identities, manager, consent; forms only for allowed roles.
    let (cookie, csrf) = app.session(op.id).await;
    let page = app.get(&format!("/desk/customers/{}", app.customer), &[("cookie", &cookie)]).await;
    assert!(page.body.contains("Тест store-manager") && page.body.contains("ключевой"), "manager and client type");
    assert!(page.body.contains("телефон: +77011234567"), "identities");
    assert!(page.body.contains("id=\"consent-form\"") && !page.body.contains("id=\"manager-form\""));
    let r = app
        .form(&format!("/desk/customers/{}/consent", app.customer), &cookie, Some(&csrf), &[("consent", "no")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!app.state.store.customer(app.customer).await.expect("read").expect("c").consent);
    let r = app.form(&format!("/desk/customers/{}/consent", app.customer), &cookie, None, &[("consent", "yes")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "CSRF token required");

    let (cookie, csrf) = app.session(supervisor.id).await;
    let page = app.get(&format!("/desk/customers/{}", app.customer), &[("cookie", &cookie)]).await;
    assert!(page.body.contains("id=\"manager-form\""));
    let r = app
        .form(&format!("/desk/customers/{}/manager", app.customer), &cookie, Some(&csrf), &[("manager_id", "")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.state.store.customer(app.customer).await.expect("read").expect("c").manager_id, None);
    assert_eq!(app.state.store.list_audit(Some("customer.manager"), 10, 0).await.expect("audit").len(), 2);
    assert_eq!(app.state.store.list_audit(Some("customer.consent"), 10, 0).await.expect("audit").len(), 2);
}

#[tokio::test]
async fn the_card_offers_merging_duplicates_to_allowed_roles() {
    let app = common::app(testkit::sqlite()).await;
    let op = app.account(Role::Operator);
    let head = app.account(Role::HeadOfCentre);
    let r = app.api(Method::POST, "/api/v1/customers", Some(&op.bearer), Some(SAME_PHONE_OTHER_FORMAT)).await;
    let dup = r.json()["customer"]["id"].as_i64().expect("id");
    let card = format!("/desk/customers/{}", app.customer);

    let (cookie, _) = app.session(op.id).await;
    let page = app.get(&card, &[("cookie", &cookie)]).await;
    assert!(page.body.contains(&format!("data-duplicate=\"{dup}\"")), "duplicates listed");
    assert!(page.body.contains("тот же телефон"));
    assert!(!page.body.contains("class=\"inline merge\""), "operators see no merge button");

    let (cookie, csrf) = app.session(head.id).await;
    let page = app.get(&card, &[("cookie", &cookie)]).await;
    assert!(page.body.contains("class=\"inline merge\""));
    let merge = format!("{card}/merge");
    let r = app.form(&merge, &cookie, Some(&csrf), &[("duplicate_id", &app.customer.to_string())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Нельзя объединить карточку саму с собой"));
    let r = app.form(&merge, &cookie, Some(&csrf), &[("duplicate_id", &dup.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(&card, &[("cookie", &cookie)]).await;
    assert!(!page.body.contains(&format!("data-duplicate=\"{dup}\"")));
    let merged = app.get(&format!("/desk/customers/{dup}"), &[("cookie", &cookie)]).await;
    assert!(merged.body.contains("id=\"merged-into\"") && merged.body.contains(&format!("href=\"{card}\"")));
}
