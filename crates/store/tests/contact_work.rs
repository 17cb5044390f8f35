//! Work on a contact in the store, on every database kind: notes,
//! attachments, links, replies, close and reopen, and the customer notices
//! written with each visible status change (and only with it).

use std::sync::Arc;

use domain::contact::{Channel, ContactType, Direction, Status, WrapUp};
use domain::contact_work::{LinkKind, LinkTarget, Notice, MAX_ATTACHMENT_BYTES};
use domain::Role;
use store::contacts::NewContact;
use store::{AuditActor, NewCustomer, NewUser, NoticeText, Store, StoreError};

/// A renderer that shows what it was asked for.
struct Echo;

impl NoticeText for Echo {
    fn text(&self, locale: &str, notice: Notice, contact_id: i64) -> String {
        format!("{locale}:{}:{contact_id}", notice.key())
    }
}

struct Setup {
    store: Store,
    op: i64,
    actor: AuditActor,
    queue: i64,
    other_queue: i64,
    customer: i64,
}

async fn setup(db: &testkit::TestDb) -> Setup {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store.set_notice_text(Arc::new(Echo));
    let new = NewUser {
        login: "op.a".into(),
        name: "Оператор Айдар".into(),
        password_hash: "x".into(),
        locale: "ru".into(),
        roles: vec![Role::Operator],
    };
    let op = store.create_user(&new, &AuditActor::cli()).await.expect("user").id;
    let queue = store.create_queue("sales", "Продажи", "Сату", "Sales").await.expect("queue").id;
    let other_queue = store.create_queue("claims", "Жалобы", "Шағымдар", "Claims").await.expect("queue").id;
    let customer = store
        .create_customers(&[NewCustomer {
            full_name: "Ахметова Айгерим".into(),
            phone: "+77011234567".into(),
            email: "a@mail.kz".into(),
            client_type: "retail".into(),
            locale: "kk".into(),
            created_at: 0,
            consent_at: None,
        }])
        .await
        .expect("customer")[0];
    let actor = AuditActor { user_id: Some(op), login: "op.a".into(), ip: None };
    Setup { store, op, actor, queue, other_queue, customer }
}

fn contact(queue_id: i64, customer_id: Option<i64>) -> NewContact {
    NewContact {
        channel: Channel::Chat,
        direction: Direction::Inbound,
        contact_type: ContactType::Information,
        topic: String::new(),
        priority: 0,
        subject: "Где мой заказ?".into(),
        customer_id,
        queue_id,
    }
}

fn wrapup() -> WrapUp {
    WrapUp {
        summary: "Ответили".into(),
        outcome: "answered".into(),
        fields: Default::default(),
        first_contact_resolution: true,
    }
}

async fn keys(store: &Store, id: i64) -> Vec<String> {
    store.contact_notifications(id).await.expect("notices").into_iter().map(|n| n.template_key).collect()
}

#[tokio::test]
async fn notes_attachments_links_and_replies_round_trip() {
    for db in testkit::databases().await {
        let k = db.kind;
        let s = setup(&db).await;
        let store = &s.store;
        let a = store.create_contact(&contact(s.queue, Some(s.customer)), &s.actor).await.expect(k);
        let b = store.create_contact(&contact(s.queue, None), &s.actor).await.expect(k);
        let events_before = store.count_events(None).await.expect(k);

        // Notes: round trip with the author; blank, too long, or on a missing contact is refused.
        let note = store.add_note(a.id, &s.actor, "Клиент просил звонить после 18:00").await.expect(k);
        assert_eq!((note.author_id, note.author_name.as_deref()), (Some(s.op), Some("Оператор Айдар")), "{k}");
        assert!(matches!(store.add_note(a.id, &s.actor, "  ").await, Err(StoreError::Invalid(_))), "{k}");
        assert!(matches!(store.add_note(a.id, &s.actor, &"x".repeat(4001)).await, Err(StoreError::Invalid(_))));
        assert!(matches!(store.add_note(9999, &s.actor, "x").await, Err(StoreError::NotFound(_))), "{k}");
        assert_eq!(store.contact_notes(a.id).await.expect(k), vec![note], "{k}");

        // Attachments: bytes come back as stored; the name is made safe; empty is refused.
        let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let meta = store.add_attachment(a.id, &s.actor, "../../чек №1.pdf", "application/pdf", &bytes).await.expect(k);
        assert_eq!((meta.filename.as_str(), meta.size), ("чек №1.pdf", 70_000), "{k}");
        let got = store.attachment(a.id, meta.id).await.expect(k).expect("stored");
        assert_eq!(got.content, bytes, "{k}");
        assert_eq!(got.meta.content_type, "application/pdf", "{k}");
        assert!(store.attachment(b.id, meta.id).await.expect(k).is_none(), "{k}: only through its own contact");
        assert!(matches!(
            store.add_attachment(a.id, &s.actor, "a.txt", "text/plain", &[]).await,
            Err(StoreError::Invalid(_))
        ));
        let big = vec![0u8; MAX_ATTACHMENT_BYTES + 1];
        assert!(matches!(store.add_attachment(a.id, &s.actor, "a.bin", "", &big).await, Err(StoreError::Invalid(_))));
        assert!(matches!(store.add_attachment(9999, &s.actor, "a.txt", "", b"x").await, Err(StoreError::NotFound(_))));
        assert_eq!(store.contact_attachments(a.id).await.expect(k).len(), 1, "{k}");

        // Links: to another contact (seen from both), to an order; self, missing and twice are refused.
        let dup = LinkTarget::Contact { kind: LinkKind::DuplicateOf, id: a.id };
        let link = store.link_contact(b.id, &dup, &s.actor).await.expect(k);
        assert_eq!(store.contact_links(a.id).await.expect(k), vec![link.clone()], "{k}: listed on the other too");
        assert!(matches!(store.link_contact(b.id, &dup, &s.actor).await, Err(StoreError::Conflict(_))), "{k}");
        let own = LinkTarget::Contact { kind: LinkKind::Related, id: b.id };
        assert!(matches!(store.link_contact(b.id, &own, &s.actor).await, Err(StoreError::Invalid(_))), "{k}");
        let gone = LinkTarget::Contact { kind: LinkKind::Related, id: 9999 };
        assert!(matches!(store.link_contact(b.id, &gone, &s.actor).await, Err(StoreError::NotFound(_))), "{k}");
        let order = store.link_contact(a.id, &LinkTarget::Order("ЗК-17".into()), &s.actor).await.expect(k);
        assert_eq!((order.kind, order.order_ref.as_deref()), (LinkKind::Order, Some("ЗК-17")), "{k}");
        assert_eq!(store.contact_links(a.id).await.expect(k).len(), 2, "{k}");

        // Replies: stored pending on the contact's channel.
        let reply = store.record_reply(a.id, &s.actor, Some(1), "Сәлеметсіз бе!").await.expect(k);
        assert_eq!((reply.channel.as_str(), reply.status.as_str()), ("chat", "pending"), "{k}");
        assert!(matches!(store.record_reply(a.id, &s.actor, None, " ").await, Err(StoreError::Invalid(_))), "{k}");
        assert!(matches!(store.record_reply(9999, &s.actor, None, "x").await, Err(StoreError::NotFound(_))), "{k}");

        // One event per successful change, none for the refused ones.
        assert_eq!(store.count_events(None).await.expect(k) - events_before, 5, "{k}");
        for kind in ["contact.note_added", "contact.attachment_added", "contact.reply_recorded"] {
            assert_eq!(store.count_events(Some(kind)).await.expect(k), 1, "{k}: {kind}");
        }
        assert_eq!(store.count_events(Some("contact.linked")).await.expect(k), 2, "{k}");
    }
}

#[tokio::test]
async fn close_only_from_resolved_reopen_back_to_queue_and_the_customer_is_told() {
    for db in testkit::databases().await {
        let k = db.kind;
        let s = setup(&db).await;
        let store = &s.store;
        let c = store.create_contact(&contact(s.queue, Some(s.customer)), &s.actor).await.expect(k);
        assert_eq!(keys(store, c.id).await, ["notice-registered"], "{k}");
        let first = &store.contact_notifications(c.id).await.expect(k)[0];
        assert_eq!(
            (first.customer_id, first.channel.as_str(), first.locale.as_str(), first.status.as_str()),
            (s.customer, "chat", "kk", "pending"),
            "{k}"
        );
        assert_eq!(first.body, format!("kk:notice-registered:{}", c.id), "{k}: in the customer's language");

        // Closing an open contact is refused and tells nobody anything.
        assert!(matches!(store.close_contact(c.id, &s.actor).await, Err(StoreError::Conflict(_))), "{k}");
        assert!(matches!(store.reopen_contact(c.id, None, "again", &s.actor).await, Err(StoreError::Conflict(_))));
        assert_eq!(keys(store, c.id).await.len(), 1, "{k}");

        store.present_contact(c.id, s.op).await.expect(k);
        store.accept_contact(c.id, s.op).await.expect(k);
        store.set_contact_waiting(c.id, s.op, Status::WaitingDepartment).await.expect(k);
        store.set_contact_waiting(c.id, s.op, Status::InWork).await.expect(k);
        store.set_contact_waiting(c.id, s.op, Status::WaitingCustomer).await.expect(k);
        store.set_contact_waiting(c.id, s.op, Status::InWork).await.expect(k);
        store.transfer_contact(c.id, s.other_queue, "в отдел претензий", &s.actor).await.expect(k);
        store.present_contact(c.id, s.op).await.expect(k);
        store.accept_contact(c.id, s.op).await.expect(k);
        store.resolve_contact(c.id, s.op, &wrapup()).await.expect(k);
        assert!(matches!(store.close_contact(9999, &s.actor).await, Err(StoreError::Conflict(_))), "{k}");
        store.close_contact(c.id, &s.actor).await.expect(k);
        assert!(matches!(store.close_contact(c.id, &s.actor).await, Err(StoreError::Conflict(_))), "{k}: twice");
        assert_eq!(store.contact(c.id).await.expect(k).map(|c| c.status), Some(Status::Closed), "{k}");

        // Reopen needs a reason; it goes back to its last queue with no operator.
        assert!(matches!(store.reopen_contact(c.id, None, " ", &s.actor).await, Err(StoreError::Invalid(_))));
        assert!(matches!(store.reopen_contact(c.id, Some(9999), "x", &s.actor).await, Err(StoreError::NotFound(_))));
        let back = store.reopen_contact(c.id, None, "клиент перезвонил", &s.actor).await.expect(k);
        assert_eq!((back.status, back.queue_id, back.operator_id), (Status::Queued, Some(s.other_queue), None), "{k}");
        assert_eq!(
            keys(store, c.id).await,
            [
                "notice-registered",
                "notice-waiting-customer",
                "notice-transferred",
                "notice-resolved",
                "notice-closed",
                "notice-reopened"
            ],
            "{k}: waiting on a department and back in work are not the customer's business"
        );
        assert_eq!(store.count_events(Some("contact.case_closed")).await.expect(k), 1, "{k}");
        assert_eq!(store.count_events(Some("contact.reopened")).await.expect(k), 1, "{k}");

        // A contact without a customer has no one to tell.
        let anon = store.create_contact(&contact(s.queue, None), &s.actor).await.expect(k);
        assert!(keys(store, anon.id).await.is_empty(), "{k}");
    }
}
