//! Order documents over HTTP on every database kind: an order inserted by
//! the raw-0021 test fixture (`common::order_fixture`) is printed as HTML and
//! PDF with its sums, VAT, amount in words and the seller's details; every
//! view is audited; bad names, languages and orders are refused; the
//! seller's details are edited through the API and the admin page, bad
//! values refused with nothing changed.

mod common;

use axum::http::{Method, StatusCode};
use domain::Role;

const SELLER: &str = r#"{"jurisdiction":"KZ","name":"ТОО «Жетісу Азық»","tax_id":"180340021791",
  "address":"Алматы, пр. Абая 10","bank_name":"АО «Kaspi Bank»","account":"KZ86125KZT5004100100",
  "bik":"CASPKZKA","kbe":"17","vat_registration":"60001 № 0123456","director":"Сейітов Ә. Б.",
  "accountant":"Ахметова Г. Қ.","invoice_valid_days":5}"#;

#[tokio::test]
async fn documents_print_the_order_in_html_and_pdf_and_views_are_audited() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let order = common::order_fixture::raw_order(&app, 3).await;
        let op = app.account(Role::Operator);
        let (cookie, _) = app.session(op.id).await;
        let base = format!("/orders/{order}/documents");

        // Before the seller's details are filled in, the document says so.
        let r = app.get(&format!("{base}/invoice.html?lang=ru"), &[("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert!(r.body.contains("Реквизиты продавца не заполнены"), "{k}");

        let admin = app.account(Role::Administrator);
        let saved = app.api(Method::PUT, "/api/v1/seller", Some(&admin.bearer), Some(SELLER)).await;
        assert_eq!(saved.status, StatusCode::OK, "{k}: {}", saved.body);

        let r = app.get(&format!("{base}/invoice.html?lang=ru"), &[("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::OK, "{k}");
        let ctype = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert_eq!(ctype, "text/html; charset=utf-8", "{k}");
        assert!(r.headers.get("cache-control").is_some_and(|v| v.to_str().unwrap_or("").contains("no-store")));
        let h = &r.body;
        assert!(h.contains(&format!("Счёт на оплату № {order} от ")), "{k}");
        // 2 × 4 500,00 − 200,00 + 2 × 1 000,00 = 10 800,00; + 1 500,00 delivery.
        assert!(h.contains("Всего к оплате:</td><td class=\"r\">12\u{a0}300,00 ₸"), "{k}: {h}");
        assert!(h.contains("Сумма прописью: Двенадцать тысяч триста тенге 00 тиын"), "{k}");
        // VAT 12/112 of each line and of delivery, half-up.
        let vat = retail::money::vat_included(880_000, 1200)
            + 2 * retail::money::vat_included(100_000, 1200)
            + retail::money::vat_included(150_000, 1200);
        assert!(h.contains(&format!("в том числе НДС:</td><td class=\"r\">{} ₸", documents::money(vat))), "{k}");
        assert!(h.contains("Қазы «Ет-Ас» &lt;деликатес&gt;") && !h.contains("<деликатес>"), "{k}: escaped");
        assert!(h.contains("180340021791") && h.contains("KZ86125KZT5004100100"), "{k}: seller's details");
        assert!(h.contains("Ахметова Айгерим Сериковна"), "{k}: the buyer");

        let r = app.get(&format!("{base}/delivery-note.html?lang=kk"), &[("cookie", &cookie)]).await;
        assert!(r.body.contains(&format!("Жүкқұжат № {order}")) && r.body.contains("Айгүл Сейітова"), "{k}");
        let r = app.get(&format!("{base}/confirmation.html?lang=kk"), &[("cookie", &cookie)]).await;
        assert!(r.body.contains("Тапсырысты растау") && r.body.contains("Шот бойынша банктік аударым"), "{k}");

        let pdf_req = common::build(
            Method::GET,
            &format!("{base}/invoice.pdf?lang=kk"),
            &[("cookie", &cookie)],
            axum::body::Body::empty(),
        );
        let resp = app.send(pdf_req).await;
        assert_eq!(resp.status, StatusCode::OK, "{k}");
        assert_eq!(resp.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/pdf"));
        let bytes = app.get_bytes(&format!("{base}/invoice.pdf?lang=kk"), &cookie).await;
        assert!(bytes.starts_with(b"%PDF-1.4"), "{k}");
        let pdf = lopdf::Document::load_mem(&bytes).expect("the PDF parses");
        assert_eq!(pdf.get_pages().len(), 1, "{k}");

        // Every view of the buyer's data is audited, with who and what.
        let audit = app.state.store.list_audit(Some("order.document_viewed"), 50, 0).await.expect(k);
        assert_eq!(audit.len(), 6, "{k}: six views");
        assert!(audit.iter().all(|a| a.target == format!("order:{order}") && a.actor_id == Some(op.id)), "{k}");
        assert!(audit.iter().any(|a| a.detail == "invoice.pdf kk"), "{k}");
    }
}

#[tokio::test]
async fn bad_document_requests_are_refused() {
    let app = common::app(testkit::sqlite()).await;
    let order = common::order_fixture::raw_order(&app, 1).await;
    let op = app.account(Role::Operator);
    let (cookie, _) = app.session(op.id).await;
    let get = |p: String| {
        let cookie = cookie.clone();
        let app = &app;
        async move { app.get(&p, &[("cookie", &cookie)]).await.status }
    };
    assert_eq!(get(format!("/orders/{order}/documents/invoice.html?lang=de")).await, StatusCode::BAD_REQUEST);
    assert_eq!(get(format!("/orders/{order}/documents/receipt.pdf")).await, StatusCode::NOT_FOUND);
    assert_eq!(get(format!("/orders/{order}/documents/invoice.docx")).await, StatusCode::NOT_FOUND);
    assert_eq!(get("/orders/9999/documents/invoice.pdf".into()).await, StatusCode::NOT_FOUND);
    assert_eq!(get("/orders/abc/documents/invoice.pdf".into()).await, StatusCode::NOT_FOUND);
    // Without ?lang the caller's language is used (the operator's is ru).
    let r = app.get(&format!("/orders/{order}/documents/confirmation.html"), &[("cookie", &cookie)]).await;
    assert!(r.body.contains("Подтверждение заказа"));
    let audit = app.state.store.list_audit(Some("order.document_viewed"), 50, 0).await.expect("audit");
    assert_eq!(audit.len(), 1, "refused requests show nothing and audit nothing");
}

#[tokio::test]
async fn seller_details_are_edited_through_the_api_and_the_page() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let sup = app.account(Role::StoreManager);
        let bad = SELLER.replace("180340021791", "180340021790");
        let r = app.api(Method::PUT, "/api/v1/seller", Some(&sup.bearer), Some(&bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(r.body.contains("tax_id") && r.body.contains("seller-invalid-bin"), "{k}: {}", r.body);
        let r = app.api(Method::GET, "/api/v1/seller", Some(&sup.bearer), None).await;
        assert_eq!(r.json()["name"], "", "{k}: nothing stored");

        let r = app.api(Method::PUT, "/api/v1/seller", Some(&sup.bearer), Some(SELLER)).await;
        assert_eq!(r.status, StatusCode::OK, "{k}");
        assert_eq!(r.json()["invoice_valid_days"], 5, "{k}");

        let (cookie, csrf) = app.session(sup.id).await;
        let page = app.get("/admin/seller", &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains("value=\"KZ86125KZT5004100100\""), "{k}");
        let mut fields = vec![
            ("jurisdiction", "KZ"),
            ("name", "ТОО «Жаңа Дүкен»"),
            ("tax_id", "180340021791"),
            ("address", "Астана, Мәңгілік Ел 1"),
            ("bank_name", "АО «Halyk Bank»"),
            ("account", "KZ00125KZT5004100100"),
            ("bik", "HSBKKZKX"),
            ("kbe", "17"),
            ("director", "Нұрланов Н."),
            ("invoice_valid_days", "3"),
        ];
        let r = app.form("/admin/seller", &cookie, Some(&csrf), &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(r.body.contains("ИИК (р/с): ИИК — 20 знаков"), "{k}: {}", r.body);
        assert!(r.body.contains("ТОО «Жаңа Дүкен»"), "{k}: what was typed stays in the form");
        assert_eq!(app.state.store.seller().await.expect(k).name, "ТОО «Жетісу Азық»", "{k}: nothing changed");
        fields[5] = ("account", "KZ86125KZT5004100100");
        let r = app.form("/admin/seller", &cookie, Some(&csrf), &fields).await;
        assert_eq!(r.location(), Some("/admin/seller"), "{k}: {}", r.body);
        let s = app.state.store.seller().await.expect(k);
        assert_eq!((s.name.as_str(), s.vat_registration.as_str()), ("ТОО «Жаңа Дүкен»", ""), "{k}");
        let audit = app.state.store.list_audit(Some("settings.seller"), 10, 0).await.expect(k);
        assert_eq!(audit.len(), 2, "{k}: each save audited");
    }
}
