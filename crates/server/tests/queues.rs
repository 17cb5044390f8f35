//! Queue routing rules: a supervisor sets them over the API or the queue
//! room, bad rules are refused with nothing changed, and routing applies
//! them at once — a contact left waiting overflows to the backup queue,
//! with the move on its trace, and is offered there.

mod common;

use axum::http::{Method, StatusCode};
use domain::Role;

#[tokio::test]
async fn a_supervisor_sets_overflow_and_a_waiting_contact_moves_to_the_backup_queue() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let sup = app.account(Role::Supervisor);
        let backup = store.create_queue("backup", "Резерв", "Резерв", "Backup").await.expect(k).id;
        let op = app.account(Role::Operator);
        store.add_queue_member(backup, op.id).await.expect(k);
        app.state.dispatch.reload(store).await.expect(k);
        app.state.dispatch.set_state(store, op.id, "ready").await.expect(k);

        let path = format!("/api/v1/queues/{}/rules", app.queue);
        let rules = |extra: &str| {
            format!(
                r#"{{"priority":10,"mode":"round_robin","aging_s_per_level":30,"aht_s":240,"key_client_wait_s":45{extra}}}"#
            )
        };
        // Refused: overflow into itself, half an overflow, unknown mode, unknown backup.
        let own = rules(&format!(r#","overflow_queue_id":{},"overflow_after_s":20"#, app.queue));
        let r = app.api(Method::PUT, &path, Some(&sup.bearer), Some(&own)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {}", r.body);
        assert!(
            r.json()["error"]["message"].as_str().is_some_and(|m| m.contains("invalid-queue-overflow-self")),
            "{k}"
        );
        let half = rules(&format!(r#","overflow_queue_id":{backup},"overflow_after_s":null"#));
        let r = app.api(Method::PUT, &path, Some(&sup.bearer), Some(&half)).await;
        assert!(
            r.json()["error"]["message"].as_str().is_some_and(|m| m.contains("invalid-queue-overflow-pair")),
            "{k}"
        );
        let r = app.api(Method::PUT, &path, Some(&sup.bearer), Some(&rules("").replace("round_robin", "x"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        let missing = rules(r#","overflow_queue_id":99999,"overflow_after_s":20"#);
        let r = app.api(Method::PUT, &path, Some(&sup.bearer), Some(&missing)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{k}: {}", r.body);
        let unchanged = store.queue(app.queue).await.expect(k).expect("queue");
        assert_eq!(unchanged.rules, domain::queue::QueueRules::default(), "{k}: nothing changed");
        // Operators may not change rules.
        let ok = rules(&format!(r#","overflow_queue_id":{backup},"overflow_after_s":20"#));
        let r = app.api(Method::PUT, &path, Some(&op.bearer), Some(&ok)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}");

        let r = app.api(Method::PUT, &path, Some(&sup.bearer), Some(&ok)).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert_eq!(r.json()["rules"]["overflow_queue_id"], backup, "{k}");
        assert_eq!(r.json()["rules"]["mode"], "round_robin", "{k}");
        let audit = store.list_audit(Some("queue.rules_changed"), 50, 0).await.expect(k);
        assert_eq!(audit.len(), 1, "{k}: audited once (refusals leave no trace)");

        // The harness's contact waits in the first queue, which nobody serves.
        let contact = store.contact(app.contact).await.expect(k).expect("contact");
        assert_eq!(contact.queue_id, Some(app.queue), "{k}");
        let created = contact.created_at;
        app.state.dispatch.tick(store, created + 19_000).await.expect(k);
        assert_eq!(store.contact(app.contact).await.expect(k).and_then(|c| c.queue_id), Some(app.queue), "{k}");
        app.state.dispatch.tick(store, created + 20_000).await.expect(k);
        let moved = store.contact(app.contact).await.expect(k).expect("contact");
        assert_eq!(moved.queue_id, Some(backup), "{k}: overflowed");
        assert_eq!(moved.operator_id, Some(op.id), "{k}: offered in the backup queue");
        let hops = store.contact_hops(app.contact).await.expect(k);
        assert_eq!(hops.last().map(|h| h.reason.as_str()), Some(server::dispatch::OVERFLOW_REASON), "{k}");
        let (cookie, _) = app.session(op.id).await;
        let page = app.get(&format!("/desk/contacts/{}", app.contact), &[("cookie", &cookie)]).await;
        assert!(page.body.contains("Переполнение очереди"), "{k}: the trace says why");
    }
}

#[tokio::test]
async fn the_queue_room_edits_rules_and_explains_refusals() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let sup = app.account(Role::Supervisor);
        let (cookie, csrf) = app.session(sup.id).await;
        let page = app.get("/admin/queues", &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains(&format!("id=\"queue-{}\"", app.queue)), "{k}");

        let path = format!("/admin/queues/{}/rules", app.queue);
        let fields = |aht: &'static str| {
            vec![
                ("priority", "5"),
                ("mode", "least_occupied"),
                ("aging_s_per_level", ""),
                ("aht_s", aht),
                ("overflow_queue_id", ""),
                ("overflow_after_s", ""),
                ("key_client_wait_s", "90"),
            ]
        };
        let r = app.form(&path, &cookie, Some(&csrf), &fields("3")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(r.body.contains("Среднее время обработки: от 10 до 7200 секунд"), "{k}");
        let r = app.form(&path, &cookie, Some(&csrf), &fields("abc")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        let r = app.form(&path, &cookie, Some(&csrf), &fields("200")).await;
        assert!(r.location().is_some_and(|l| l.starts_with("/admin/queues")), "{k}: {}", r.body);
        let q = app.state.store.queue(app.queue).await.expect(k).expect("queue");
        assert_eq!((q.rules.priority, q.rules.mode.as_str(), q.rules.aht_s), (5, "least_occupied", 200), "{k}");
        assert_eq!((q.rules.aging_s_per_level, q.rules.key_client_wait_s), (None, 90), "{k}");
    }
}

#[tokio::test]
async fn a_key_client_waits_for_their_manager_before_anyone_else() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let sales = store.create_queue("sales", "Продажи", "Сату", "Sales").await.expect(k).id;
        let manager = app.account(Role::SeniorOperator);
        let op = app.account(Role::Operator);
        for user in [manager.id, op.id] {
            store.add_queue_member(sales, user).await.expect(k);
        }
        app.state.dispatch.reload(store).await.expect(k);
        let actor = store::AuditActor::cli();
        let key = store::NewCustomer {
            full_name: "ТОО «Алтын Дала»".into(),
            phone: "+7 701 555 12 12".into(),
            email: "zakup@altyndala.kz".into(),
            client_type: "key".into(),
            locale: "kk".into(),
            created_at: store::now_ms(),
            consent_at: None,
        };
        let customer = store.create_customers(&[key]).await.expect(k)[0];
        store.set_customer_manager(customer, Some(manager.id), &actor).await.expect(k);

        app.state.dispatch.set_state(store, op.id, "ready").await.expect(k);
        let order = store::contacts::NewContact {
            channel: domain::contact::Channel::Voice,
            direction: domain::contact::Direction::Inbound,
            contact_type: domain::contact::ContactType::SaleOrder,
            topic: String::new(),
            priority: 0,
            subject: "Заказ на следующую неделю".into(),
            customer_id: Some(customer),
            queue_id: sales,
        };
        let c = app.state.dispatch.create_contact(store, &order, &actor).await.expect(k);
        assert_eq!(c.operator_id, None, "{k}: the ready operator is not the key client's manager");
        app.state.dispatch.set_state(store, manager.id, "ready").await.expect(k);
        let c = store.contact(c.id).await.expect(k).expect("contact");
        assert_eq!(c.operator_id, Some(manager.id), "{k}: offered to the client's own manager");

        // A second call while the manager is busy: after the window anyone may take it.
        let second = app.state.dispatch.create_contact(store, &order, &actor).await.expect(k);
        assert_eq!(second.operator_id, None, "{k}");
        app.state.dispatch.tick(store, second.created_at + 59_000).await.expect(k);
        assert_eq!(store.contact(second.id).await.expect(k).and_then(|c| c.operator_id), None, "{k}");
        app.state.dispatch.tick(store, second.created_at + 60_000).await.expect(k);
        assert_eq!(store.contact(second.id).await.expect(k).and_then(|c| c.operator_id), Some(op.id), "{k}");
    }
}
