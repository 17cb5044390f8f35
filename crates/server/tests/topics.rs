//! The topic tree over the API and in the admin room: operators read it,
//! supervisors shape it, bad changes are refused with nothing changed, and
//! contacts take only active topics, shown by name in the contact window.

mod common;

use axum::http::{Method, StatusCode};
use domain::Role;

#[tokio::test]
async fn supervisors_shape_the_tree_over_the_api_and_contacts_follow_it() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let sup = app.account(Role::Supervisor);
        let op = app.account(Role::Operator);

        let child = format!(
            r#"{{"parent_id":{},"code":"delivery.late","name_ru":"Сроки доставки","name_kk":"Жеткізу мерзімі","name_en":"Delivery times","contact_type":"complaint"}}"#,
            app.topic
        );
        let r = app.api(Method::POST, "/api/v1/topics", Some(&op.bearer), Some(&child)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}: operators do not shape the tree");
        let r = app.api(Method::POST, "/api/v1/topics", Some(&sup.bearer), Some(&child)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let late = r.json()["id"].as_i64().expect("id");
        assert_eq!(r.json()["contact_type"], "complaint", "{k}");
        let r = app.api(Method::POST, "/api/v1/topics", Some(&sup.bearer), Some(&child)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{k}: code taken");
        let third = format!(
            r#"{{"parent_id":{late},"code":"delivery.late.courier","name_ru":"Курьер","name_kk":"Курьер","name_en":"Courier","contact_type":null}}"#
        );
        let r = app.api(Method::POST, "/api/v1/topics", Some(&sup.bearer), Some(&third)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let courier = r.json()["id"].as_i64().expect("id");

        // Refused with nothing changed: a fourth level, a cycle, a bad code, an empty name.
        let before = store.list_topics().await.expect(k);
        let fourth = third
            .replace(&format!(r#""parent_id":{late}"#), &format!(r#""parent_id":{courier}"#))
            .replace("delivery.late.courier", "deeper");
        let refused = |r: &common::Reply, code: &str| {
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {}", r.body);
            assert_eq!(r.json()["error"]["code"], "invalid_field", "{k}");
            assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.contains(code)), "{k}: {}", r.body);
        };
        refused(&app.api(Method::POST, "/api/v1/topics", Some(&sup.bearer), Some(&fourth)).await, "topic-too-deep");
        let cycle = format!(
            r#"{{"parent_id":{courier},"name_ru":"Доставка","name_kk":"Жеткізу","name_en":"Delivery","contact_type":null,"active":true}}"#
        );
        let path = format!("/api/v1/topics/{}", app.topic);
        refused(&app.api(Method::PUT, &path, Some(&sup.bearer), Some(&cycle)).await, "topic-cycle");
        let bad = child.replace("delivery.late", "Delivery Late");
        refused(&app.api(Method::POST, "/api/v1/topics", Some(&sup.bearer), Some(&bad)).await, "invalid-topic-code");
        let unnamed = child.replace("delivery.late", "x.y").replace("Delivery times", " ");
        refused(
            &app.api(Method::POST, "/api/v1/topics", Some(&sup.bearer), Some(&unnamed)).await,
            "invalid-topic-name",
        );
        assert_eq!(store.list_topics().await.expect(k), before, "{k}: nothing changed");

        // Operators read the tree, nested and in order.
        let r = app.api(Method::GET, "/api/v1/topics", Some(&op.bearer), None).await;
        assert_eq!(r.status, StatusCode::OK, "{k}");
        let tree = r.json();
        assert_eq!(tree[0]["code"], "delivery", "{k}: {tree}");
        assert_eq!(tree[0]["children"][0]["code"], "delivery.late", "{k}");
        assert_eq!(tree[0]["children"][0]["children"][0]["code"], "delivery.late.courier", "{k}");

        // Contacts: an active topic is taken; unknown and deactivated ones are refused.
        let contact = |topic: &str| {
            format!(
                r#"{{"channel":"chat","contact_type":"complaint","topic":"{topic}","subject":"Опоздал курьер","queue_id":{}}}"#,
                app.queue
            )
        };
        let r = app.api(Method::POST, "/api/v1/contacts", Some(&op.bearer), Some(&contact("delivery.late"))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let kept = r.json()["id"].as_i64().expect("id");
        let r = app.api(Method::POST, "/api/v1/contacts", Some(&op.bearer), Some(&contact("unknown"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert_eq!(
            r.json(),
            serde_json::json!({"error": {"code": "invalid_field", "message": "topic: unknown-topic"}}),
            "{k}"
        );
        let off = r#"{"parent_id":PARENT,"name_ru":"Сроки доставки","name_kk":"Жеткізу мерзімі","name_en":"Delivery times","contact_type":"complaint","active":false}"#
            .replace("PARENT", &app.topic.to_string());
        let r = app.api(Method::PUT, &format!("/api/v1/topics/{late}"), Some(&sup.bearer), Some(&off)).await;
        assert_eq!((r.status, r.json()["active"].as_bool()), (StatusCode::OK, Some(false)), "{k}: {}", r.body);
        let r = app.api(Method::POST, "/api/v1/contacts", Some(&op.bearer), Some(&contact("delivery.late"))).await;
        assert_eq!(r.json()["error"]["message"], "topic: inactive-topic", "{k}");
        let r = app.api(Method::GET, &format!("/api/v1/contacts/{kept}"), Some(&op.bearer), None).await;
        assert_eq!(r.json()["topic"], "delivery.late", "{k}: the contact keeps its topic");

        // The contact window names the topic in the viewer's language.
        let (cookie, _) = app.session(op.id).await;
        let page = app.get(&format!("/desk/contacts/{}", app.contact), &[("cookie", &cookie)]).await;
        assert!(page.body.contains(r#"<dd id="contact-topic">Доставка</dd>"#), "{k}");
        store.set_locale(op.id, "en").await.expect(k);
        let page = app.get(&format!("/desk/contacts/{kept}"), &[("cookie", &cookie)]).await;
        assert!(page.body.contains(r#"<dd id="contact-topic">Delivery times</dd>"#), "{k}");
    }
}

#[tokio::test]
async fn the_topic_room_adds_renames_and_deactivates() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let sup = app.account(Role::Supervisor);
        let (cookie, csrf) = app.session(sup.id).await;

        let room = app.get("/admin/topics", &[("cookie", &cookie)]).await;
        assert_eq!(room.status, StatusCode::OK, "{k}");
        assert!(room.body.contains(r#"data-topic="delivery""#) && room.body.contains(r#"data-room="topics""#), "{k}");

        let parent = app.topic.to_string();
        let add = [
            ("parent_id", parent.as_str()),
            ("code", "delivery.damage"),
            ("name_ru", "Повреждение при доставке"),
            ("name_kk", "Жеткізу кезінде бүлінуі"),
            ("name_en", "Damaged in delivery"),
            ("contact_type", "complaint"),
            ("position", "1"),
        ];
        let r = app.form("/admin/topics", &cookie, None, &add).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}: CSRF required");
        let r = app.form("/admin/topics", &cookie, Some(&csrf), &add).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{k}: {}", r.body);
        let damage = store.topic_by_code("delivery.damage").await.expect(k).expect("added");
        assert_eq!(
            (damage.parent_id, damage.contact_type),
            (Some(app.topic), Some(domain::contact::ContactType::Complaint))
        );

        // A bad code re-renders the room with the reason, nothing added.
        let mut bad = add;
        bad[1] = ("code", "Плохой код");
        let r = app.form("/admin/topics", &cookie, Some(&csrf), &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(r.body.contains("Код тематики"), "{k}: {}", r.body);
        assert_eq!(store.list_topics().await.expect(k).len(), 2, "{k}");

        // Rename, retype and deactivate (checkbox left out).
        let path = format!("/admin/topics/{}", damage.id);
        let edit = [
            ("parent_id", parent.as_str()),
            ("name_ru", "Бой и повреждения"),
            ("name_kk", "Сынық және бүлінген тауар"),
            ("name_en", "Broken or damaged"),
            ("contact_type", ""),
            ("position", "2"),
        ];
        let r = app.form(&path, &cookie, Some(&csrf), &edit).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{k}: {}", r.body);
        let now = store.topic(damage.id).await.expect(k).expect("topic");
        assert_eq!(
            (now.name_ru.as_str(), now.contact_type, now.active, now.position),
            ("Бой и повреждения", None, false, 2)
        );
        assert_eq!(now.code, "delivery.damage", "{k}: the code never changes");
        let room = app.get("/admin/topics", &[("cookie", &cookie)]).await;
        assert!(room.body.contains(r#"data-topic="delivery.damage" data-active="false""#), "{k}");

        // Moving a topic under itself is refused on the page too.
        let mut cycle = edit;
        let own = damage.id.to_string();
        cycle[0] = ("parent_id", own.as_str());
        let r = app.form(&path, &cookie, Some(&csrf), &cycle).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert_eq!(store.topic(damage.id).await.expect(k).expect("topic").parent_id, Some(app.topic), "{k}");
        let audit = store.list_audit(Some("topic.changed"), 10, 0).await.expect(k);
        assert_eq!(audit.len(), 1, "{k}: one change audited");

        // Operators cannot open the room.
        let op = app.account(Role::Operator);
        let (op_cookie, _) = app.session(op.id).await;
        assert_eq!(app.get("/admin/topics", &[("cookie", &op_cookie)]).await.status, StatusCode::FORBIDDEN, "{k}");
    }
}
