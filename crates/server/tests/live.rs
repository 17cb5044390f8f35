//! Live updates and SLA alerts: an operator's event stream hears their offer
//! (and nobody else's), supervisors hear alerts the scanner raises once per
//! clock and level, and acknowledge them on the wallboard or over the API.

mod common;

use axum::http::{Method, StatusCode};
use domain::contact::{Channel, ContactType, Direction};
use domain::Role;
use store::contacts::NewContact;
use store::AuditActor;

#[tokio::test]
async fn an_offer_reaches_its_operator_live_and_no_one_else() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let op = app.account(Role::Operator);
        let senior = app.account(Role::SeniorOperator);
        store.add_queue_member(app.queue, op.id).await.expect("member");
        app.state.dispatch.reload(store).await.expect("reload");

        let (cookie, csrf) = app.session(op.id).await;
        let mut mine = app.events("/desk/events", &[("cookie", &cookie)]).await;
        assert_eq!(mine.next_event().await.map(|(n, _)| n).as_deref(), Some("hello"), "{k}");
        let (other_cookie, _) = app.session(senior.id).await;
        let mut others = app.events("/desk/events", &[("cookie", &other_cookie)]).await;
        assert!(others.next_event().await.is_some(), "{k}: hello");

        // Going ready gets the harness's waiting contact offered, live.
        let r = app.form("/desk/state", &cookie, Some(&csrf), &[("state", "ready")]).await;
        assert_eq!(r.location(), Some("/desk"), "{k}");
        let offer = mine.wait_for("offer", &format!("\"contact\":{}", app.contact)).await;
        assert!(offer.is_some(), "{k}: the offer arrives on the operator's stream");

        // Another operator hears queue and contact news but not the offer.
        let mut heard = Vec::new();
        while let Some((name, data)) = others.next_event().await {
            let done = name == "queue";
            heard.push((name, data));
            if done {
                break;
            }
        }
        assert!(heard.iter().all(|(n, _)| n != "offer"), "{k}: {heard:?}");

        // Accepting is announced as a change of the operator's own contact.
        let r = app.form(&format!("/desk/contacts/{}/accept", app.contact), &cookie, Some(&csrf), &[]).await;
        assert!(r.location().is_some(), "{k}: {}", r.body);
        let change = mine.wait_for("contact", "\"mine\":true").await;
        assert_eq!(change, Some(format!(r#"{{"contact":{},"mine":true}}"#, app.contact)), "{k}");

        // A new contact in the queue is news for every desk.
        let body = format!(
            r#"{{"channel":"chat","contact_type":"information","subject":"Где мой заказ?","queue_id":{}}}"#,
            app.queue
        );
        let r = app.api(Method::POST, "/api/v1/contacts", Some(&op.bearer), Some(&body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        assert!(others.wait_for("queue", &format!("\"queue\":{}", app.queue)).await.is_some(), "{k}");

        // The desk page carries the hooks the script needs.
        let desk = app.get("/desk", &[("cookie", &cookie)]).await;
        assert!(desk.body.contains(r#"data-live="/desk/events""#) && desk.body.contains("/static/live.js"), "{k}");
        let js = app.get("/static/live.js", &[]).await;
        assert!(js.body.contains("EventSource") && js.body.contains("KeyA"), "{k}");
    }
}

fn complaint(queue_id: i64) -> NewContact {
    NewContact {
        channel: Channel::Email,
        direction: Direction::Inbound,
        contact_type: ContactType::Complaint,
        topic: "delivery".into(),
        priority: 0,
        subject: "Товар пришёл разбитым".into(),
        customer_id: None,
        queue_id,
    }
}

#[tokio::test]
async fn breached_clocks_raise_one_alert_each_for_supervisors() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let c = app.state.dispatch.create_contact(store, &complaint(app.queue), &AuditActor::cli()).await.expect(k);
        let supervisor = app.account(Role::Supervisor);
        let (sup_cookie, sup_csrf) = app.session(supervisor.id).await;
        let mut board = app.events("/wallboard/events", &[("cookie", &sup_cookie)]).await;
        assert!(board.next_event().await.is_some(), "{k}: hello");
        let op = app.account(Role::Operator);
        let (op_cookie, _) = app.session(op.id).await;
        let mut desk = app.events("/desk/events", &[("cookie", &op_cookie)]).await;
        assert!(desk.next_event().await.is_some(), "{k}: hello");

        // Nothing is due at once.
        let now = store::now_ms();
        assert_eq!(server::alerts::scan(&app.state, now).await.expect(k), 0, "{k}");

        // A month later every clock of the unanswered complaint is breached.
        let later = now + 30 * 24 * 3_600_000;
        let raised = server::alerts::scan(&app.state, later).await.expect(k);
        let open: Vec<_> = store.contact_alerts(c.id).await.expect(k);
        let clocks: Vec<&str> = open.iter().map(|a| a.clock.as_str()).collect();
        assert!(clocks.contains(&"first_response") && clocks.contains(&"legal"), "{k}: {clocks:?}");
        assert!(open.iter().all(|a| a.level == "breached"), "{k}");
        // The harness's own contact is overdue too; it came with one alert.
        assert_eq!(raised + 1, store.open_alerts(100).await.expect(k).len(), "{k}");
        assert!(raised > open.len(), "{k}");
        // Scanning again raises nothing new.
        assert_eq!(server::alerts::scan(&app.state, later + 1).await.expect(k), 0, "{k}");
        let events = store.contact_events(c.id).await.expect(k);
        let alert_events = events.iter().filter(|e| e.kind == domain::events::CONTACT_SLA_ALERT).count();
        assert_eq!(alert_events, open.len(), "{k}: one event per alert");

        // Supervisors hear it; the operator's desk does not.
        let heard = board.wait_for("alert", &format!("\"contact\":{}", c.id)).await;
        assert!(heard.is_some_and(|d| d.contains("breached")), "{k}");
        let mut operator_heard = Vec::new();
        while let Some((name, _)) = desk.next_event().await {
            operator_heard.push(name);
            if operator_heard.len() > 20 {
                break;
            }
        }
        assert!(!operator_heard.iter().any(|n| n == "alert"), "{k}: {operator_heard:?}");

        // The wallboard lists them; acknowledging one takes it off.
        let page = app.get("/wallboard", &[("cookie", &sup_cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        let first = &open[0];
        assert!(page.body.contains(&format!("data-alert=\"{}\"", first.id)), "{k}");
        let r = app.form(&format!("/wallboard/alerts/{}/ack", first.id), &sup_cookie, Some(&sup_csrf), &[]).await;
        assert_eq!(r.location(), Some("/wallboard"), "{k}");
        let page = app.get("/wallboard", &[("cookie", &sup_cookie)]).await;
        assert!(!page.body.contains(&format!("data-alert=\"{}\"", first.id)), "{k}");

        // Over the API: listed, acknowledged once, then a conflict.
        let second = &open[1];
        let list = app.api(Method::GET, "/api/v1/alerts", Some(&supervisor.bearer), None).await;
        assert!(list.json().as_array().is_some_and(|a| a.iter().any(|x| x["id"] == second.id)), "{k}");
        let path = format!("/api/v1/alerts/{}/ack", second.id);
        let r = app.api(Method::POST, &path, Some(&supervisor.bearer), Some("{}")).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert_eq!(r.json()["acknowledged_by"], supervisor.id, "{k}");
        let again = app.api(Method::POST, &path, Some(&supervisor.bearer), Some("{}")).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{k}");
        let missing = app.api(Method::POST, "/api/v1/alerts/999999/ack", Some(&supervisor.bearer), Some("{}")).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{k}");
        // Operators may not see the alert list.
        let denied = app.api(Method::GET, "/api/v1/alerts", Some(&op.bearer), None).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN, "{k}");
    }
}
