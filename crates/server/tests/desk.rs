//! The operator desk through its pages, as a browser drives it: go ready, be
//! offered a contact, accept, redirect to another department with a reason,
//! a second operator there resolves it with a wrap-up, and the customer card
//! shows the whole trace.

mod common;

use axum::http::StatusCode;
use domain::Role;

#[tokio::test]
async fn contact_goes_from_offer_through_transfer_to_wrap_up() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let claims = store.create_queue("complaints", "Жалобы", "Шағымдар", "Complaints").await.expect("queue").id;
        let first = app.account(Role::Operator);
        let second = app.account(Role::SeniorOperator);
        store.add_queue_member(app.queue, first.id).await.expect("member");
        store.add_queue_member(claims, second.id).await.expect("member");
        app.state.dispatch.reload(store).await.expect("reload");

        // The harness's contact waits in the support queue until someone is ready.
        let (c1, t1) = app.session(first.id).await;
        let desk = app.get("/desk", &[("cookie", &c1)]).await;
        assert!(desk.body.contains("Не в сети"), "{k}: starts offline");
        let r = app.form("/desk/state", &c1, Some(&t1), &[("state", "ready")]).await;
        assert_eq!(r.location(), Some("/desk"), "{k}: {}", r.body);
        let desk = app.get("/desk", &[("cookie", &c1)]).await;
        let offered = format!("data-contact=\"{}\" data-status=\"offered\"", app.contact);
        assert!(desk.body.contains(&offered), "{k}: offered on the desk");

        let r = app.form(&format!("/desk/contacts/{}/accept", app.contact), &c1, Some(&t1), &[]).await;
        assert_eq!(r.location(), Some(format!("/desk/contacts/{}", app.contact).as_str()), "{k}");
        let page = app.get(&format!("/desk/contacts/{}", app.contact), &[("cookie", &c1)]).await;
        assert!(page.body.contains("id=\"wrapup-form\"") && page.body.contains("id=\"transfer-form\""), "{k}");
        assert!(page.body.contains("id=\"clocks\"") && page.body.contains("Первый ответ"), "{k}: SLA clocks shown");

        // Run a script to its end inside the contact; the path is saved on it.
        let script_path = format!("/desk/contacts/{}/script", app.contact);
        let r = app.form(&script_path, &c1, Some(&t1), &[("start", "complaint_kk")]).await;
        assert!(r.location().is_some_and(|l| l.contains("#script")), "{k}: {}", r.body);
        let mut steps = 0;
        loop {
            let page = app.get(&format!("/desk/contacts/{}", app.contact), &[("cookie", &c1)]).await;
            if page.body.contains("id=\"script-ended\"") {
                break;
            }
            let kind = page.body.split("data-kind=\"").nth(1).and_then(|s| s.split('"').next()).expect("a script node");
            let r = match kind {
                "question" => app.form(&script_path, &c1, Some(&t1), &[("answer", "choose"), ("option", "0")]).await,
                "input" => app.form(&script_path, &c1, Some(&t1), &[("answer", "enter"), ("text", "12345")]).await,
                _ => app.form(&script_path, &c1, Some(&t1), &[("answer", "continue")]).await,
            };
            assert!(r.location().is_some(), "{k}: step refused at {kind}: {}", r.body);
            steps += 1;
            assert!(steps < 60, "{k}: script does not end");
            if steps == 2 {
                // A mis-click is undone, then redone by the loop.
                let back = app.form(&script_path, &c1, Some(&t1), &[("answer", "back")]).await;
                assert!(back.location().is_some(), "{k}: back refused: {}", back.body);
            }
        }
        let run = store.script_run(app.contact).await.expect("load").expect("saved run");
        assert_eq!(run.script_id, "complaint_kk", "{k}");
        assert!(run.path.contains("ended"), "{k}: the path ends with its outcome: {}", run.path);
        let empty = app.form(&script_path, &c1, Some(&t1), &[("answer", "continue")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: no steps after the end");

        // Redirect without a reason is refused and changes nothing.
        let path = format!("/desk/contacts/{}/transfer", app.contact);
        let claims_id = claims.to_string();
        let r = app.form(&path, &c1, Some(&t1), &[("queue_id", &claims_id), ("reason", " ")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        let r = app.form(&path, &c1, Some(&t1), &[("queue_id", &claims_id), ("reason", "Нужен отдел претензий")]).await;
        assert_eq!(r.location(), Some("/desk"), "{k}: {}", r.body);

        // The second operator, in the complaints queue, gets it once ready.
        let (c2, t2) = app.session(second.id).await;
        app.form("/desk/state", &c2, Some(&t2), &[("state", "ready")]).await;
        let desk2 = app.get("/desk", &[("cookie", &c2)]).await;
        assert!(desk2.body.contains(&offered), "{k}: offered to the second operator");
        // The first operator cannot take it any more.
        let stolen = app.form(&format!("/desk/contacts/{}/accept", app.contact), &c1, Some(&t1), &[]).await;
        assert_eq!(stolen.status, StatusCode::CONFLICT, "{k}");
        app.form(&format!("/desk/contacts/{}/accept", app.contact), &c2, Some(&t2), &[]).await;
        let resolve = format!("/desk/contacts/{}/resolve", app.contact);
        let empty = app.form(&resolve, &c2, Some(&t2), &[("summary", ""), ("outcome", "answered")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: wrap-up is mandatory");
        let done = app
            .form(&resolve, &c2, Some(&t2), &[("summary", "Клиенту ответили"), ("outcome", "answered"), ("fcr", "on")])
            .await;
        assert_eq!(done.location(), Some(format!("/desk/contacts/{}", app.contact).as_str()), "{k}: {}", done.body);

        let c = store.contact(app.contact).await.expect("load").expect("contact");
        assert_eq!(c.status, domain::contact::Status::Resolved, "{k}");
        assert_eq!(c.operator_id, Some(second.id), "{k}");
        assert!(c.wrapup.is_some_and(|w| w.first_contact_resolution), "{k}");

        // The customer card shows the contact, its status and the redirect.
        let card = app.get(&format!("/desk/customers/{}", app.customer), &[("cookie", &c2)]).await;
        assert!(card.body.contains(&format!("data-contact=\"{}\"", app.contact)), "{k}");
        assert!(card.body.contains("Нужен отдел претензий") && card.body.contains("Решено"), "{k}: trace and status");
        assert!(card.body.contains("Жалобы"), "{k}: the queue it went to");
    }
}

#[tokio::test]
async fn knowledge_search_finds_other_word_forms_and_reads_are_acknowledged() {
    let app = common::app(testkit::sqlite()).await;
    let op = app.account(Role::Operator);
    let (cookie, csrf) = app.session(op.id).await;
    // The article says «Доставка заказа»; the operator types other forms.
    let page = app
        .get(
            "/desk/kb?q=%D0%B4%D0%BE%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B8+%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7%D0%BE%D0%B2",
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("data-article=\"{}\"", app.article)), "{}", page.body);
    assert!(page.body.contains("<mark>"), "matches are marked");
    let nothing = app.get("/desk/kb?q=%22(((", &[("cookie", &cookie)]).await;
    assert_eq!(nothing.status, StatusCode::OK, "odd input is not an error");

    // Unread changes list the article until the operator acknowledges it.
    let feed = app.get("/desk/kb", &[("cookie", &cookie)]).await;
    assert!(feed.body.contains(&format!("data-change=\"{}\"", app.article)));
    let r = app.form(&format!("/desk/kb/{}/ack", app.article), &cookie, Some(&csrf), &[("version", "1")]).await;
    assert_eq!(r.location(), Some(format!("/desk/kb/{}", app.article).as_str()));
    let feed = app.get("/desk/kb", &[("cookie", &cookie)]).await;
    assert!(!feed.body.contains(&format!("data-change=\"{}\"", app.article)), "acknowledged");
    let reads = app.state.store.article_acks(op.id).await.expect("acks");
    assert_eq!(reads.len(), 1);
}
