//! Delivery status of customer notices on every database kind: claims are
//! exclusive (two workers racing never take one notice twice), a stale claim
//! is taken over and the overtaken worker's outcome is refused, temporary
//! failures back off and end `failed`, and every outcome has its event.
//! Also the notice gateways' refusals.

use domain::contact::{Channel, ContactType, Direction};
use domain::Role;
use store::contacts::NewContact;
use store::notices::{GatewaySettings, NoticeOutcome, Recorded};
use store::{AuditActor, NewCustomer, NewUser, Store, StoreError};

async fn setup(db: &testkit::TestDb) -> (Store, i64, AuditActor, NewContact) {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let new = NewUser {
        login: "admin".into(),
        name: "Админ".into(),
        password_hash: "x".into(),
        locale: "ru".into(),
        roles: vec![Role::Administrator],
    };
    let admin = store.create_user(&new, &AuditActor::cli()).await.expect("user").id;
    let queue = store.create_queue("sales", "Продажи", "Сату", "Sales").await.expect("queue").id;
    let customer = store
        .create_customers(&[NewCustomer {
            full_name: "Ахметова Айгерим".into(),
            phone: "+77011234567".into(),
            email: "a@mail.kz".into(),
            client_type: "retail".into(),
            locale: "kk".into(),
            created_at: 0,
            consent_at: Some(1),
        }])
        .await
        .expect("customer")[0];
    let actor = AuditActor { user_id: Some(admin), login: "admin".into(), ip: None };
    let c = NewContact {
        channel: Channel::WebForm,
        direction: Direction::Inbound,
        contact_type: ContactType::Information,
        topic: String::new(),
        priority: 0,
        subject: "Где мой заказ?".into(),
        customer_id: Some(customer),
        queue_id: queue,
    };
    let contact = store.create_contact(&c, &actor).await.expect("contact").id;
    (store, contact, actor, c)
}

#[tokio::test]
async fn claims_are_exclusive_and_outcomes_recorded_with_events() {
    for db in testkit::databases().await {
        let kind = db.kind;
        let (store, contact, _, _) = setup(&db).await;
        let notices = store.contact_notifications(contact).await.expect("notices");
        assert_eq!(notices.len(), 1, "{kind}: the registration notice");
        assert_eq!((notices[0].status.as_str(), notices[0].attempts), ("pending", 0));
        let now = store::now_ms();

        // Two workers claim at once: exactly one gets the notice.
        let (a, b) = tokio::join!(store.claim_due_notices(now, 60_000, 10), store.claim_due_notices(now, 60_000, 10));
        let (a, b) = (a.expect("claim a"), b.expect("claim b"));
        assert_eq!(a.len() + b.len(), 1, "{kind}: one notice, one claim: {a:?} {b:?}");
        let due = a.into_iter().chain(b).next().expect("claimed");
        assert_eq!(due.attempt, 1);
        assert_eq!(due.locale, "kk");
        assert_eq!(due.emails, vec!["a@mail.kz".to_string()], "{kind}");
        assert_eq!(due.phones, vec!["+77011234567".to_string()]);
        assert!(due.consent);
        assert!(store.claim_due_notices(now, 60_000, 10).await.expect("again").is_empty(), "{kind}: taken");

        // A temporary failure backs off; not due before its time.
        let fail = NoticeOutcome::Failed {
            via: "sms".into(),
            address: "+77011234567".into(),
            error: "gateway answered 503".into(),
            permanent: false,
        };
        let r = store.record_notice_outcome(due.id, 1, &fail, now).await.expect("record");
        assert_eq!(r, Recorded::RetryAt(now + 60_000), "{kind}");
        let n = &store.contact_notifications(contact).await.expect("n")[0];
        assert_eq!((n.status.as_str(), n.attempts, n.last_error.as_str()), ("pending", 1, "gateway answered 503"));
        assert!(store.claim_due_notices(now + 59_000, 60_000, 10).await.expect("early").is_empty(), "{kind}");
        let mut t = now + 60_000;
        let mut attempt = 1;
        loop {
            let got = store.claim_due_notices(t, 60_000, 10).await.expect("due");
            assert_eq!(got.len(), 1, "{kind}: due again at attempt {}", attempt + 1);
            attempt = got[0].attempt;
            match store.record_notice_outcome(due.id, attempt, &fail, t).await.expect("record") {
                Recorded::RetryAt(at) => t = at,
                Recorded::Failed => break,
                other => panic!("{kind}: {other:?}"),
            }
        }
        assert_eq!(attempt, domain::notice::MAX_ATTEMPTS, "{kind}");
        let n = &store.contact_notifications(contact).await.expect("n")[0];
        assert_eq!((n.status.as_str(), n.via.as_str()), ("failed", "sms"), "{kind}");
        assert!(
            store.claim_due_notices(t + 10_000_000, 60_000, 10).await.expect("none").is_empty(),
            "{kind}: given up"
        );
        let kinds: Vec<String> = store.contact_events(contact).await.expect("ev").into_iter().map(|e| e.kind).collect();
        let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
        assert_eq!(count("notice.retry_scheduled"), 3, "{kind}: {kinds:?}");
        assert_eq!(count("notice.failed"), 1, "{kind}");
        store.close().await;
    }
}

#[tokio::test]
async fn a_stale_claim_is_taken_over_and_the_late_outcome_refused() {
    for db in testkit::databases().await {
        let kind = db.kind;
        let (store, contact, actor, new) = setup(&db).await;
        let now = store::now_ms();
        let first = store.claim_due_notices(now, 60_000, 10).await.expect("claim");
        assert_eq!(first.len(), 1);
        assert!(store.claim_due_notices(now + 59_999, 60_000, 10).await.expect("not stale").is_empty(), "{kind}");
        let second = store.claim_due_notices(now + 60_001, 60_000, 10).await.expect("stale");
        assert_eq!(second.len(), 1, "{kind}: the vanished worker's notice is taken over");
        assert_eq!(second[0].attempt, 2);
        let sent = NoticeOutcome::Sent { via: "email".into(), address: "a@mail.kz".into() };
        let late = store.record_notice_outcome(first[0].id, 1, &sent, now + 60_002).await.expect("late");
        assert_eq!(late, Recorded::Stale, "{kind}: the overtaken worker writes nothing");
        let ok = store.record_notice_outcome(first[0].id, 2, &sent, now + 60_003).await.expect("ok");
        assert_eq!(ok, Recorded::Sent);
        let n = &store.contact_notifications(contact).await.expect("n")[0];
        assert_eq!((n.status.as_str(), n.via.as_str(), n.address.as_str()), ("sent", "email", "a@mail.kz"));
        assert_eq!(n.sent_at, Some(now + 60_003));
        // Recording twice is refused too.
        let again = store.record_notice_outcome(first[0].id, 2, &sent, now + 60_004).await.expect("again");
        assert_eq!(again, Recorded::Stale, "{kind}");
        assert_eq!(store.count_events(Some("notice.sent")).await.expect("count"), 1, "{kind}");

        // Undeliverable and permanent failures end at once.
        let c2 = store.create_contact(&new, &actor).await.expect("contact").id;
        let c3 = store.create_contact(&new, &actor).await.expect("contact").id;
        let due = store.claim_due_notices(now + 70_000, 60_000, 10).await.expect("claim");
        assert_eq!(due.iter().map(|d| d.contact_id).collect::<Vec<_>>(), vec![c2, c3], "{kind}");
        let none = NoticeOutcome::Undeliverable { reason: "no-address".into() };
        let r = store.record_notice_outcome(due[0].id, 1, &none, now + 70_001).await.expect("undeliverable");
        assert_eq!(r, Recorded::Undeliverable);
        let refused = NoticeOutcome::Failed {
            via: "sms".into(),
            address: "+77011234567".into(),
            error: "gateway answered 400".into(),
            permanent: true,
        };
        let r = store.record_notice_outcome(due[1].id, 1, &refused, now + 70_002).await.expect("failed");
        assert_eq!(r, Recorded::Failed, "{kind}: a permanent failure is not retried");
        let n2 = &store.contact_notifications(c2).await.expect("n")[0];
        assert_eq!((n2.status.as_str(), n2.last_error.as_str()), ("undeliverable", "no-address"), "{kind}");
        let n3 = &store.contact_notifications(c3).await.expect("n")[0];
        assert_eq!((n3.status.as_str(), n3.attempts), ("failed", 1), "{kind}");
        assert_eq!(store.count_events(Some("notice.undeliverable")).await.expect("c"), 1, "{kind}");
        store.close().await;
    }
}

#[tokio::test]
async fn gateways_are_validated_and_audited() {
    for db in testkit::databases().await {
        let kind = db.kind;
        let (store, _, actor, _) = setup(&db).await;
        let bad = |k: &str, url: &str| GatewaySettings {
            kind: k.into(),
            name: "SMS".into(),
            url: url.into(),
            auth_header_sealed: None,
            active: true,
        };
        for (k, url, code) in
            [("fax", "http://127.0.0.1/", "gateway-kind-unknown"), ("sms", "localhost:80", "gateway-url-invalid")]
        {
            match store.create_notice_gateway(&bad(k, url), &actor).await {
                Err(StoreError::Invalid(inv)) => assert_eq!(inv.code, code, "{kind}"),
                other => panic!("{kind}: {other:?}"),
            }
        }
        assert!(store.notice_gateways().await.expect("list").is_empty(), "{kind}: nothing stored");
        let mut s = bad("sms", "http://127.0.0.1:9/send");
        s.auth_header_sealed = Some("sealed".into());
        let g = store.create_notice_gateway(&s, &actor).await.expect("create");
        assert_eq!(store.active_notice_gateway("sms").await.expect("a").map(|g| g.id), Some(g.id));
        assert!(store.active_notice_gateway("messenger").await.expect("m").is_none());
        s.auth_header_sealed = None;
        s.active = false;
        let g2 = store.update_notice_gateway(g.id, &s, &actor).await.expect("update");
        assert_eq!(g2.auth_header_sealed, "sealed", "{kind}: an absent header is kept");
        assert!(store.active_notice_gateway("sms").await.expect("a").is_none(), "{kind}: inactive");
        assert!(matches!(store.update_notice_gateway(999, &s, &actor).await, Err(StoreError::NotFound(_))));
        assert_eq!(store.count_events(Some("notice_gateway.created")).await.expect("c"), 1);
        assert_eq!(store.count_events(Some("notice_gateway.changed")).await.expect("c"), 1);
        store.close().await;
    }
}
