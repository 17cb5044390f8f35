//! Service levels are data an administrator edits: SLA targets per type and
//! priority and the legal presets; a change is in force at once for the
//! clocks, survives a restart, and bad values are refused with nothing changed.

mod common;

use axum::http::{Method, StatusCode};
use domain::contact::ContactType;
use domain::service_levels::ServiceLevels;
use domain::time::MS_PER_MINUTE;
use domain::Role;

#[tokio::test]
async fn edited_targets_and_legal_terms_drive_the_clocks_and_survive_a_restart() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let sup = app.account(Role::Supervisor);
        let (cookie, csrf) = app.session(sup.id).await;
        let page = app.get("/admin/service-levels", &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains("data-preset=\"kz.consumer_claim\""), "{k}: presets listed with sources");

        // An urgent-complaint rule: first answer within 15 minutes.
        let policy = |first: &'static str, risk: &'static str| {
            vec![
                ("contact_type", "complaint"),
                ("priority", "2"),
                ("first_response_min", first),
                ("next_response_min", ""),
                ("resolution_min", "480"),
                ("at_risk_percent", risk),
            ]
        };
        let r = app.form("/admin/service-levels/sla", &cookie, Some(&csrf), &policy("15", "0")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: threshold 0 refused");
        let r = app.form("/admin/service-levels/sla", &cookie, Some(&csrf), &policy("abc", "20")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert_eq!(*app.state.service_levels(), ServiceLevels::default(), "{k}: nothing changed");
        let r = app.form("/admin/service-levels/sla", &cookie, Some(&csrf), &policy("15", "20")).await;
        assert_eq!(r.location(), Some("/admin/service-levels"), "{k}: {}", r.body);
        let levels = app.state.service_levels();
        let urgent = levels.policy(ContactType::Complaint, 2).expect("policy");
        assert_eq!((urgent.first_response, urgent.next_response), (Some(15 * MS_PER_MINUTE), None), "{k}");
        assert_eq!(
            levels.policy(ContactType::Complaint, 0).and_then(|p| p.first_response),
            Some(240 * MS_PER_MINUTE),
            "{k}: other priorities keep the general rule"
        );

        // Complaints held to the Russian preset, shortened to 7 working days.
        let r = app
            .form(
                "/admin/service-levels/legal",
                &cookie,
                Some(&csrf),
                &[("id", "ru.consumer_claim"), ("days", "0"), ("counting", "calendar")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        let fields = [
            ("id", "ru.consumer_claim"),
            ("days", "7"),
            ("counting", "working"),
            ("roll_forward", "1"),
            ("for_complaints", "1"),
        ];
        let r = app.form("/admin/service-levels/legal", &cookie, Some(&csrf), &fields).await;
        assert_eq!(r.location(), Some("/admin/service-levels"), "{k}: {}", r.body);
        let levels = app.state.service_levels();
        assert_eq!(levels.complaint_preset, "ru.consumer_claim", "{k}");
        assert_eq!(levels.legal.get("ru.consumer_claim").map(|p| p.days), Some(7), "{k}");

        // The clocks of a complaint follow: the legal due is now 7 working days on.
        let store = &app.state.store;
        let c = store.contact(app.contact).await.expect(k).expect("contact");
        let complaint = store::Contact { contact_type: ContactType::Complaint, priority: 2, ..c };
        let events = store.contact_events(app.contact).await.expect(k);
        let clocks = server::clocks::contact_clocks(&levels, &complaint, &events, complaint.created_at);
        let legal = clocks.iter().find(|k| k.name == "legal").and_then(|k| k.due_at).expect("legal clock");
        let days = (legal - complaint.created_at) as f64 / 86_400_000.0;
        assert!((7.0..=12.0).contains(&days), "{k}: 7 working days end {days:.1} calendar days later");

        // A restart reads what was saved.
        let again = server::AppState::new(store.clone(), server::ServerConfig::default()).await.expect(k);
        assert_eq!(*again.service_levels(), *levels, "{k}: saved");
        let audit = store.list_audit(Some("settings.service_levels"), 10, 0).await.expect(k);
        assert_eq!(audit.len(), 2, "{k}: one audit row per saved change");

        // The API: read, refuse an invalid document, accept a valid one.
        let got = app.api(Method::GET, "/api/v1/service-levels", Some(&sup.bearer), None).await;
        assert_eq!(got.json()["complaint_preset"], "ru.consumer_claim", "{k}");
        let mut doc = got.json();
        doc["complaint_preset"] = "xx.unknown".into();
        let r = app.api(Method::PUT, "/api/v1/service-levels", Some(&sup.bearer), Some(&doc.to_string())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {}", r.body);
        doc["complaint_preset"] = "kz.consumer_claim".into();
        let r = app.api(Method::PUT, "/api/v1/service-levels", Some(&sup.bearer), Some(&doc.to_string())).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}: {}", r.body);
        assert_eq!(app.state.service_levels().complaint_preset, "kz.consumer_claim", "{k}");
        let op = app.account(Role::Operator);
        let r = app.api(Method::PUT, "/api/v1/service-levels", Some(&op.bearer), Some(&doc.to_string())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}");
    }
}
