//! Skills and capacity end to end, on both databases: a contact requiring a
//! skill goes only to an operator who has it at the level; capacity per
//! channel limits how many chats an operator holds; changes take effect at
//! once and survive a restart; bad input is refused with nothing changed;
//! operators cannot change skills.

mod common;

use axum::http::{Method, StatusCode};
use domain::contact::{Channel, ContactType, Direction};
use domain::Role;
use server::dispatch::Dispatcher;
use store::contacts::NewContact;

fn contact(queue_id: i64, channel: Channel, subject: &str) -> NewContact {
    NewContact {
        channel,
        direction: Direction::Inbound,
        contact_type: ContactType::Information,
        topic: String::new(),
        priority: 0,
        subject: subject.into(),
        customer_id: None,
        queue_id,
    }
}

fn refused(r: &common::Reply, code: &str, k: &str) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {}", r.body);
    assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.contains(code)), "{k}: {code} in {}", r.body);
}

#[tokio::test]
async fn a_contact_requiring_kazakh_goes_only_to_an_operator_with_the_level() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let sup = app.account(Role::Supervisor);
        let op = app.account(Role::Operator);
        let senior = app.account(Role::SeniorOperator);
        let kz = store.create_queue("kz", "Казахский", "Қазақша", "Kazakh").await.expect(k).id;
        for user in [op.id, senior.id] {
            store.add_queue_member(kz, user).await.expect(k);
        }
        app.state.dispatch.reload(store).await.expect(k);
        app.state.dispatch.set_state(store, op.id, "ready").await.expect(k);

        // Refused with nothing created: an unknown skill, a level out of range.
        let register = |skills: &str| {
            let body = format!(
                r#"{{"channel":"voice","contact_type":"information","subject":"Тапсырыс","queue_id":{kz},"skills":{skills}}}"#
            );
            let app = &app;
            async move { app.api(Method::POST, "/api/v1/contacts", Some(&op.bearer), Some(&body)).await }
        };
        let before = store.open_contacts().await.expect(k).len();
        let r = register(r#"[{"skill":"lang_xx","min_level":3}]"#).await;
        refused(&r, "skills: unknown-skill", k);
        assert_eq!(r.json()["error"]["code"], "invalid_field", "{k}");
        let r = register(r#"[{"skill":"lang_kk","min_level":0}]"#).await;
        refused(&r, "invalid-skill-level", k);
        assert_eq!(store.open_contacts().await.expect(k).len(), before, "{k}: nothing created");

        // The ready operator lacks Kazakh: the contact waits.
        let r = register(r#"[{"skill":"lang_kk","min_level":3}]"#).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let first = r.json()["id"].as_i64().expect("id");
        assert_eq!(r.json()["operator_id"], serde_json::Value::Null, "{k}: not offered to the operator without it");
        assert_eq!(r.json()["routing"], "waiting", "{k}");
        let own = store.contact_skills(first).await.expect(k);
        assert_eq!((own[0].code.as_str(), own[0].level), ("lang_kk", 3), "{k}");

        // Operators may not give themselves skills; bad levels and unknown skills change nothing.
        let path = format!("/api/v1/operators/{}/skills", senior.id);
        let kk = |level: i64| format!(r#"{{"skills":[{{"skill":"lang_kk","level":{level}}}]}}"#);
        let r = app.api(Method::PUT, &path, Some(&op.bearer), Some(&kk(4))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}");
        refused(&app.api(Method::PUT, &path, Some(&sup.bearer), Some(&kk(0))).await, "invalid-skill-level", k);
        refused(&app.api(Method::PUT, &path, Some(&sup.bearer), Some(&kk(6))).await, "invalid-skill-level", k);
        let unknown = r#"{"skills":[{"skill":"cooking","level":2}]}"#;
        refused(&app.api(Method::PUT, &path, Some(&sup.bearer), Some(unknown)).await, "unknown-skill", k);
        assert!(store.operator_skills(senior.id).await.expect(k).is_empty(), "{k}: nothing changed");

        let r = app.api(Method::PUT, &path, Some(&sup.bearer), Some(&kk(4))).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert_eq!(r.json()["skills"][0]["skill"], "lang_kk", "{k}");
        assert_eq!(r.json()["capacity"]["voice"], 1, "{k}: default capacity shown");
        assert_eq!(store.list_audit(Some("operator.skills_changed"), 10, 0).await.expect(k).len(), 1, "{k}");
        app.state.dispatch.set_state(store, senior.id, "ready").await.expect(k);
        let c = store.contact(first).await.expect(k).expect("contact");
        assert_eq!(c.operator_id, Some(senior.id), "{k}: offered to the qualified operator");
        app.state.dispatch.accept(store, first, senior.id).await.expect(k);

        // A change of skill is in force at once, without a restart.
        let op_path = format!("/api/v1/operators/{}/skills", op.id);
        let r = app.api(Method::PUT, &op_path, Some(&sup.bearer), Some(&kk(2))).await;
        assert_eq!(r.status, StatusCode::OK, "{k}");
        let r = register(r#"[{"skill":"lang_kk","min_level":3}]"#).await;
        let second = r.json()["id"].as_i64().expect("id");
        assert_eq!(r.json()["operator_id"], serde_json::Value::Null, "{k}: level 2 is not enough for 3");
        let r = app.api(Method::PUT, &op_path, Some(&sup.bearer), Some(&kk(3))).await;
        assert_eq!(r.status, StatusCode::OK, "{k}");
        let c = store.contact(second).await.expect(k).expect("contact");
        assert_eq!(c.operator_id, Some(op.id), "{k}: offered as soon as the level is raised");

        // A restart rebuilds routing with the stored skills: a contact needing
        // level 5 stays waiting, one needing 3 goes to the operator who has it.
        app.state.dispatch.accept(store, second, op.id).await.expect(k);
        let expert = app
            .state
            .dispatch
            .create_contact_requiring(
                store,
                &contact(kz, Channel::Chat, "Сарапшы керек"),
                &[domain::skill::SkillLevel { skill: "lang_kk".into(), level: 5 }],
                &store::AuditActor::cli(),
            )
            .await
            .expect(k);
        assert_eq!(expert.operator_id, None, "{k}: nobody has level 5");
        let rebuilt = Dispatcher::rebuild(store).await.expect(k);
        assert!(
            matches!(rebuilt.routing_status(expert.id).await, Some(routing::ContactStatus::Waiting { .. })),
            "{k}: still waiting after the restart"
        );
        let chat = [domain::skill::SkillLevel { skill: "lang_kk".into(), level: 3 }];
        let fresh = rebuilt
            .create_contact_requiring(store, &contact(kz, Channel::Chat, "Чат"), &chat, &store::AuditActor::cli())
            .await
            .expect(k);
        assert_eq!(fresh.operator_id, Some(op.id), "{k}: the operator's level survived the restart");
    }
}

#[tokio::test]
async fn capacity_limits_chats_at_once_and_survives_a_restart() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let sup = app.account(Role::Supervisor);
        let op = app.account(Role::Operator);
        let chats = store.create_queue("chats", "Чаты", "Чаттар", "Chats").await.expect(k).id;
        store.add_queue_member(chats, op.id).await.expect(k);
        app.state.dispatch.reload(store).await.expect(k);

        let path = format!("/api/v1/operators/{}/capacity", op.id);
        let put = |body: &'static str| app.api(Method::PUT, &path, Some(&sup.bearer), Some(body));
        refused(&put(r#"{"capacity":{"chat":-1}}"#).await, "invalid-capacity", k);
        refused(&put(r#"{"capacity":{"chat":21}}"#).await, "invalid-capacity", k);
        let zero = r#"{"capacity":{"voice":0,"chat":0,"email":0,"web_form":0,"messenger":0,"walk_in":0}}"#;
        refused(&put(zero).await, "capacity-all-zero", k);
        let r = put(r#"{"capacity":{"fax":2}}"#).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: unknown channel");
        let r = app.api(Method::PUT, &path, Some(&op.bearer), Some(r#"{"capacity":{"chat":2}}"#)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}: operators do not set capacity");
        assert!(store.operator_capacity(op.id).await.expect(k).is_empty(), "{k}: nothing changed");

        let r = put(r#"{"capacity":{"chat":2}}"#).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert_eq!((r.json()["capacity"]["chat"].as_i64(), r.json()["capacity"]["email"].as_i64()), (Some(2), Some(8)));
        assert_eq!(store.list_audit(Some("operator.capacity_changed"), 10, 0).await.expect(k).len(), 1, "{k}");

        app.state.dispatch.set_state(store, op.id, "ready").await.expect(k);
        let actor = store::AuditActor::cli();
        let mut ids = Vec::new();
        for n in 0..3 {
            let new = contact(chats, Channel::Chat, &format!("Чат {n}"));
            ids.push(app.state.dispatch.create_contact(store, &new, &actor).await.expect(k));
        }
        assert_eq!(ids[0].operator_id, Some(op.id), "{k}");
        assert_eq!(ids[1].operator_id, Some(op.id), "{k}");
        assert_eq!(ids[2].operator_id, None, "{k}: the third chat waits while two are held");
        for c in &ids[..2] {
            app.state.dispatch.accept(store, c.id, op.id).await.expect(k);
        }
        // A letter still fits: capacity is per channel.
        let letter = contact(chats, Channel::Email, "Письмо");
        let letter = app.state.dispatch.create_contact(store, &letter, &actor).await.expect(k);
        assert_eq!(letter.operator_id, Some(op.id), "{k}");

        // After a restart the limit still holds; raising it takes effect at once.
        let rebuilt = Dispatcher::rebuild(store).await.expect(k);
        assert!(matches!(rebuilt.routing_status(ids[2].id).await, Some(routing::ContactStatus::Waiting { .. })), "{k}");
        assert_eq!(store.contact(ids[2].id).await.expect(k).and_then(|c| c.operator_id), None, "{k}");
        store.set_operator_capacity(op.id, &[(Channel::Chat, 3)], &sup_actor(sup)).await.expect(k);
        rebuilt.reload(store).await.expect(k);
        assert_eq!(store.contact(ids[2].id).await.expect(k).and_then(|c| c.operator_id), Some(op.id), "{k}");
    }
}

fn sup_actor(sup: &common::Account) -> store::AuditActor {
    store::AuditActor { user_id: Some(sup.id), ..store::AuditActor::cli() }
}

#[tokio::test]
async fn a_queue_requirement_applies_to_its_contacts_and_the_rooms_edit_it_all() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let sup = app.account(Role::Supervisor);
        let op = app.account(Role::Operator);
        let kz = store.create_queue("kz", "Казахский", "Қазақша", "Kazakh").await.expect(k).id;
        store.add_queue_member(kz, op.id).await.expect(k);
        app.state.dispatch.reload(store).await.expect(k);
        app.state.dispatch.set_state(store, op.id, "ready").await.expect(k);

        // The queue requires Kazakh ≥ 3 (API); a contact without its own requirements waits.
        let path = format!("/api/v1/queues/{kz}/skills");
        let req = r#"{"skills":[{"skill":"lang_kk","min_level":3}]}"#;
        let r = app.api(Method::PUT, &path, Some(&op.bearer), Some(req)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}");
        let r = app.api(Method::PUT, &path, Some(&sup.bearer), Some(req)).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert_eq!(r.json()[0]["level"], 3, "{k}");
        let (new, actor) = (contact(kz, Channel::Voice, "Сұрақ"), sup_actor(sup));
        let c = app.state.dispatch.create_contact(store, &new, &actor).await.expect(k);
        assert_eq!(c.operator_id, None, "{k}: the queue's requirement applies");

        // The skills room: the page, a refused level, then the operator's form saved.
        let (cookie, csrf) = app.session(sup.id).await;
        let page = app.get("/admin/skills", &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains("data-skill=\"lang_kk\""), "{k}");
        assert!(page.body.contains(&format!("id=\"operator-{}\"", op.id)), "{k}");
        let form = format!("/admin/operators/{}/skills", op.id);
        let r = app.form(&form, &cookie, Some(&csrf), &[("level_lang_kk", "0"), ("cap_chat", "3")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(r.body.contains("Уровень навыка — целое число от 1 до 5."), "{k}");
        let r = app.form(&form, &cookie, Some(&csrf), &[("level_lang_kk", "3"), ("cap_chat", "-2")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: skills and capacity go together or not at all");
        assert!(store.operator_skills(op.id).await.expect(k).is_empty(), "{k}: nothing changed");
        let r = app
            .form(&form, &cookie, Some(&csrf), &[("level_lang_kk", "3"), ("cap_chat", "4"), ("cap_voice", "1")])
            .await;
        assert!(r.location().is_some_and(|l| l.starts_with("/admin/skills")), "{k}: {}", r.body);
        assert_eq!(
            store.operator_capacity(op.id).await.expect(k),
            vec![(Channel::Chat, 4)],
            "{k}: defaults not stored"
        );
        let c = store.contact(c.id).await.expect(k).expect("contact");
        assert_eq!(c.operator_id, Some(op.id), "{k}: offered once the operator has the skill");

        // The catalogue: add, a taken code, rename and deactivate.
        let r = app
            .form(
                "/admin/skills",
                &cookie,
                Some(&csrf),
                &[
                    ("code", "credit_cards"),
                    ("name_ru", "Кредитные карты"),
                    ("name_kk", "Кредит карталары"),
                    ("name_en", "Credit cards"),
                ],
            )
            .await;
        assert!(r.location().is_some(), "{k}: {}", r.body);
        let r = app
            .form(
                "/admin/skills",
                &cookie,
                Some(&csrf),
                &[("code", "credit_cards"), ("name_ru", "Ещё"), ("name_kk", "Тағы"), ("name_en", "Again")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{k}");
        let cards = store.list_skills().await.expect(k).into_iter().find(|s| s.code == "credit_cards").expect("skill");
        let r = app
            .form(
                &format!("/admin/skills/{}", cards.id),
                &cookie,
                Some(&csrf),
                &[("name_ru", "Карты"), ("name_kk", "Карталар"), ("name_en", "Cards")],
            )
            .await;
        assert!(r.location().is_some(), "{k}: {}", r.body);
        let cards = store.list_skills().await.expect(k).into_iter().find(|s| s.code == "credit_cards").expect("skill");
        assert_eq!((cards.name_ru.as_str(), cards.active), ("Карты", false), "{k}: renamed and deactivated");
        let inactive = r#"{"skills":[{"skill":"credit_cards","min_level":1}]}"#;
        refused(&app.api(Method::PUT, &path, Some(&sup.bearer), Some(inactive)).await, "inactive-skill", k);
        let r = app.api(Method::GET, "/api/v1/skills", Some(&op.bearer), None).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: operators read the catalogue");
        assert_eq!(r.json().as_array().map(Vec::len), Some(2), "{k}");

        // The queue room shows and edits the requirement.
        let page = app.get("/admin/queues", &[("cookie", &cookie)]).await;
        assert!(page.body.contains(&format!("id=\"queue-skills-{kz}\"")), "{k}");
        assert!(page.body.contains("name=\"min_lang_kk\" type=\"number\" min=\"1\" max=\"5\" value=\"3\""), "{k}");
        let r = app.form(&format!("/admin/queues/{kz}/skills"), &cookie, Some(&csrf), &[("min_lang_kk", "9")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        let r = app.form(&format!("/admin/queues/{kz}/skills"), &cookie, Some(&csrf), &[("min_lang_kk", "")]).await;
        assert!(r.location().is_some(), "{k}: {}", r.body);
        assert!(store.queue_skills(kz).await.expect(k).is_empty(), "{k}: requirement removed");
        let changes = store.list_audit(Some("queue.skills_changed"), 10, 0).await.expect(k);
        assert_eq!(changes.len(), 2, "{k}: each saved change audited, refusals not");
    }
}
