//! Voice through CTI over HTTP, on every database kind: a recorded call
//! (newCall → queued → offered → answer → hold → unhold → hangup →
//! recording, form-encoded and JSON as PBXes send them) becomes one voice
//! contact with its timings, a screen pop for the answering operator and
//! its KPI inputs; unknown tokens are 401 and bad messages 4xx that store
//! nothing; click-to-call reaches a real HTTP peer standing in for the PBX.

mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use domain::Role;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use common::{build, Reply, TestApp};

const BOUNDARY: &str = "----switchboard-cti-boundary";

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, String)]) -> Reply {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        ser.append_pair(k, v);
    }
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    app.send(build(Method::POST, path, &headers, Body::from(ser.finish()))).await
}

async fn post_json(app: &TestApp, path: &str, body: &serde_json::Value) -> Reply {
    app.send(build(Method::POST, path, &[("content-type", "application/json")], Body::from(body.to_string()))).await
}

/// Every stored change has its event: the log's length says whether anything was stored.
async fn stored_counts(app: &TestApp) -> i64 {
    app.state.store.count_events(None).await.expect("events")
}

/// Creates an integration as the administrator; returns (id, webhook path).
async fn integration(app: &TestApp, body: serde_json::Value) -> (i64, String) {
    let admin = app.account(Role::Administrator);
    let r = app.api(Method::POST, "/api/v1/cti-integrations", Some(&admin.bearer), Some(&body.to_string())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let j = r.json();
    (j["id"].as_i64().expect("id"), j["endpoint"].as_str().expect("endpoint").to_string())
}

#[tokio::test]
async fn a_recorded_call_becomes_one_voice_contact_with_timings_pop_and_kpis() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let op = app.account(Role::Operator);
        let (_, hook) =
            integration(&app, serde_json::json!({"name": "Asterisk", "extensions": {"101": "operator"}})).await;

        let (cookie, _) = app.session(op.id).await;
        let mut stream = app.events("/desk/events", &[("cookie", &cookie)]).await;
        assert!(stream.wait_for("hello", "").await.is_some(), "{k:?}: stream opens");

        let created_before = app.state.store.count_events(Some("contact.created")).await.expect("count");
        // Times as the PBX recorded them: the call began 300 s ago.
        let t0 = store::now_ms() - 300_000;
        let at = |s: i64| (t0 + s * 1000).to_string();
        let call = "1732370000.4711".to_string();
        // Zammad's form-encoded newCall; the caller's number in another format than the card's.
        let r = post_form(
            &app,
            &hook,
            &[
                ("event", "newCall".into()),
                ("from", "8 (701) 123-45-67".into()),
                ("to", "+77272000000".into()),
                ("direction", "in".into()),
                ("callId", call.clone()),
                ("queue", "support".into()),
                ("timestamp", at(0)),
            ],
        )
        .await;
        assert_eq!((r.status, r.json()), (StatusCode::OK, serde_json::json!({})), "{k:?}: {}", r.body);
        let steps = [
            serde_json::json!({"event": "queued", "callId": call, "queue": "support", "timestamp": t0 + 2_000}),
            serde_json::json!({"event": "offered", "callId": call, "user": "101", "timestamp": t0 + 14_000}),
            serde_json::json!({"event": "answer", "callId": call, "user[]": ["101"], "direction": "in",
                "from": "87011234567", "to": "77272000000", "timestamp": t0 + 17_000}),
            serde_json::json!({"event": "hold", "callId": call, "timestamp": t0 + 60_000}),
            serde_json::json!({"event": "unhold", "callId": call, "timestamp": t0 + 90_000}),
            serde_json::json!({"event": "hangup", "callId": call, "cause": "normalClearing", "timestamp": t0 + 200_000}),
            serde_json::json!({"event": "recording", "callId": call, "url": "https://pbx.example/rec/4711.ogg",
                "timestamp": t0 + 201_000}),
        ];
        for step in &steps {
            let r = post_json(&app, &hook, step).await;
            assert_eq!((r.status, r.json()), (StatusCode::OK, serde_json::json!({})), "{k:?} {step}: {}", r.body);
        }
        // The recording file uploaded too (multipart, as a PBX pushes it).
        let body = common::multipart(
            BOUNDARY,
            &[("event", "recording"), ("callId", call.as_str())],
            &[("file", "4711.ogg", "audio/ogg", b"OggS-fake-audio")],
        );
        let ctype = format!("multipart/form-data; boundary={BOUNDARY}");
        let r = app.send(build(Method::POST, &hook, &[("content-type", &ctype)], Body::from(body))).await;
        assert_eq!(r.status, StatusCode::OK, "{k:?} upload: {}", r.body);

        // Exactly one new contact: voice, inbound, the known customer, with the answering operator.
        let created = app.state.store.count_events(Some("contact.created")).await.expect("count");
        assert_eq!(created, created_before + 1, "{k:?}: one contact for the call");
        let pop = stream.wait_for("pop", "").await.expect("screen pop for the answering operator");
        let popped: serde_json::Value = serde_json::from_str(&pop).expect("pop json");
        assert_eq!(popped["customer"], app.customer, "{k:?}: the caller's card pops");
        let id = popped["contact"].as_i64().expect("contact id");
        let c = app.state.store.contact(id).await.expect("read").expect("contact");
        assert_eq!(c.channel, domain::contact::Channel::Voice);
        assert_eq!(c.direction, domain::contact::Direction::Inbound);
        assert_eq!(c.customer_id, Some(app.customer), "{k:?}: caller identified by number");
        assert_eq!(c.operator_id, Some(op.id), "{k:?}: extension 101 is the operator");
        assert_eq!(c.status, domain::contact::Status::InWork, "{k:?}: wrap-up is the operator's");
        assert_eq!(c.queue_id, None, "{k:?}: the PBX routes the call, not our engine");

        // Timings and KPI inputs.
        let r = app.api(Method::GET, &format!("/api/v1/contacts/{id}/call"), Some(&op.bearer), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(
            (j["ring_s"].as_f64(), j["wait_s"].as_f64(), j["talk_s"].as_f64(), j["hold_s"].as_f64()),
            (Some(3.0), Some(15.0), Some(153.0), Some(30.0)),
            "{k:?}: {j}"
        );
        assert_eq!(j["phase"], "ended");
        assert_eq!((j["offered"].as_bool(), j["answered"].as_bool()), (Some(true), Some(true)));
        assert_eq!(j["answered_within_threshold"], true, "{k:?}: 15 s ≤ 20 s");
        assert_eq!((j["abandoned"].as_bool(), j["wrap_s"].as_f64()), (Some(false), Some(0.0)));
        let recs = j["recordings"].as_array().expect("recordings");
        assert_eq!(recs.len(), 2, "{k:?}: {j}");
        assert_eq!(recs[0]["href"], "https://pbx.example/rec/4711.ogg");
        let file_href = recs[1]["href"].as_str().expect("href").to_string();
        assert!(file_href.starts_with(&format!("/api/v1/contacts/{id}/attachments/")), "{file_href}");
        let bytes = app.get(&file_href, &[("authorization", &format!("Bearer {}", op.bearer))]).await;
        assert_eq!(bytes.body, "OggS-fake-audio", "{k:?}: the uploaded recording plays back");

        // The events carry the KPI inputs like other contacts' do.
        let events = app.state.store.contact_events(id).await.expect("events");
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "contact.created",
                "contact.offered",
                "contact.presented",
                "contact.answered",
                "call.held",
                "call.resumed",
                "call.ended",
                "call.recording_added",
                "contact.attachment_added",
                "call.recording_added"
            ],
            "{k:?}"
        );
        let answered = events.iter().find(|e| e.kind == "contact.answered").expect("answered");
        assert_eq!((answered.payload["wait_s"].as_i64(), answered.refs.agent_id), (Some(15), Some(op.id)));
        let ended = events.iter().find(|e| e.kind == "call.ended").expect("ended");
        assert_eq!((ended.payload["talk_s"].as_i64(), ended.payload["hold_s"].as_i64()), (Some(153), Some(30)));

        // The contact window plays the recordings.
        let page = app.get(&format!("/desk/contacts/{id}"), &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<audio controls src=\"https://pbx.example/rec/4711.ogg\""), "{k:?}: audio link");
        assert!(page.body.contains("<dt>Разговор</dt><dd>153 s</dd>"), "{k:?}: the call's timings in the window");
        assert!(
            page.body.contains(&format!("<audio controls src=\"/desk/contacts/{id}/attachments/")),
            "{k:?}: audio file"
        );

        // Wrap-up: resolving after the hangup gives the after-call work.
        let wrap = r#"{"summary":"Спросил о заказе","outcome":"answered"}"#;
        let r = app.api(Method::POST, &format!("/api/v1/contacts/{id}/resolve"), Some(&op.bearer), Some(wrap)).await;
        assert!(r.status.is_success(), "{k:?}: {}", r.body);
        let j = app.api(Method::GET, &format!("/api/v1/contacts/{id}/call"), Some(&op.bearer), None).await.json();
        let wrap_s = j["wrap_s"].as_f64().expect("wrap");
        assert!((99.0..200.0).contains(&wrap_s), "{k:?}: wrap-up from the hangup to now: {wrap_s}");
        let handle_s = j["handle_s"].as_f64().expect("handle");
        assert!((handle_s - (153.0 + 30.0 + wrap_s)).abs() < 1e-6, "{k:?}: AHT parts: {handle_s}");
    }
}

#[tokio::test]
async fn the_protocol_is_in_the_openapi_document() {
    let app = common::app(testkit::sqlite()).await;
    let doc = app.get("/api/openapi.json", &[]).await.json();
    let hook = &doc["paths"]["/api/v1/cti/{token}"]["post"];
    assert!(hook["responses"]["401"].is_object() && hook["responses"]["422"].is_object(), "{hook}");
    let fields = &doc["components"]["schemas"]["CtiEventIn"]["properties"];
    for f in ["event", "callId", "from", "to", "direction", "user", "queue", "cause", "timestamp", "url", "due"] {
        assert!(fields[f].is_object(), "field {f} documented");
    }
    for p in ["/api/v1/cti-integrations", "/api/v1/customers/{id}/call", "/api/v1/contacts/{id}/call"] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
}

#[tokio::test]
async fn unknown_tokens_and_bad_messages_store_nothing() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let (id, hook) = integration(&app, serde_json::json!({"name": "PBX", "blocked": ["+7 777 000 00 00"]})).await;
        let new_call = |call: &str| {
            serde_json::json!({"event": "newCall", "callId": call, "from": "+77010000001",
            "to": "100", "direction": "in"})
        };
        let before = stored_counts(&app).await;
        let r = post_json(&app, "/api/v1/cti/not-a-token", &new_call("x1")).await;
        assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")));

        let bad: Vec<(serde_json::Value, &str)> = vec![
            (serde_json::json!({"callId": "x2", "from": "1"}), "event: required"),
            (serde_json::json!({"event": "ring", "callId": "x2"}), "event: unknown-event"),
            (serde_json::json!({"event": "answer", "user": "operator"}), "callId: required"),
            (serde_json::json!({"event": "answer", "callId": "x3"}), "callId: unknown-call"),
            (serde_json::json!({"event": "hangup", "callId": "x3"}), "callId: unknown-call"),
            (
                serde_json::json!({"event": "newCall", "callId": "x4", "direction": "sideways"}),
                "direction: invalid-direction",
            ),
            (
                serde_json::json!({"event": "newCall", "callId": "x4", "direction": "in", "timestamp": "soon"}),
                "timestamp: invalid-timestamp",
            ),
            (serde_json::json!({"event": "newCall", "callId": {"nested": 1}, "direction": "in"}), ""),
            (serde_json::json!(["not", "an", "object"]), ""),
        ];
        for (body, message) in &bad {
            let r = post_json(&app, &hook, body).await;
            assert!(r.status.is_client_error(), "{k:?} {body}: {}", r.status);
            if !message.is_empty() {
                assert_eq!(r.json()["error"]["message"], *message, "{k:?} {body}");
            }
        }
        let r =
            app.send(build(Method::POST, &hook, &[("content-type", "application/json")], Body::from("{oops"))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{k:?}: malformed JSON");
        let r =
            app.send(build(Method::POST, &hook, &[("content-type", "text/plain")], Body::from("event=newCall"))).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        // A blocked caller is rejected busy, as Zammad answers, and not stored.
        let blocked = serde_json::json!({"event": "newCall", "callId": "x5", "from": "87770000000", "to": "100",
            "direction": "in"});
        let r = post_json(&app, &hook, &blocked).await;
        assert_eq!(r.json(), serde_json::json!({"action": "reject", "reason": "busy"}), "{k:?}");
        assert_eq!(stored_counts(&app).await, before, "{k:?}: nothing stored by refused messages");

        // Out of order for a known call: refused whole, the call unchanged.
        assert_eq!(post_json(&app, &hook, &new_call("x6")).await.status, StatusCode::OK);
        let after_new = stored_counts(&app).await;
        for body in [
            serde_json::json!({"event": "hold", "callId": "x6"}),
            serde_json::json!({"event": "unhold", "callId": "x6"}),
            serde_json::json!({"event": "recording", "callId": "x6"}),
            new_call("x6"),
        ] {
            let r = post_json(&app, &hook, &body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k:?} {body}: {}", r.body);
        }
        let r =
            post_json(&app, &hook, &serde_json::json!({"event": "answer", "callId": "x6", "timestamp": 1000})).await;
        assert_eq!(r.json()["error"]["message"], "timestamp: out-of-order", "{k:?}: back in time");
        assert_eq!(stored_counts(&app).await, after_new, "{k:?}: refused events stored nothing");
        // An abandoned call: closed, counted as abandoned.
        let r = post_json(&app, &hook, &serde_json::json!({"event": "abandoned", "callId": "x6"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = post_json(&app, &hook, &serde_json::json!({"event": "answer", "callId": "x6"})).await;
        assert_eq!(r.json()["error"]["message"], "event: out-of-order", "{k:?}: no answer after the end");

        // Revoked: the token stops working.
        let admin = app.account(Role::Administrator);
        let r =
            app.api(Method::POST, &format!("/api/v1/cti-integrations/{id}/revoke"), Some(&admin.bearer), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(post_json(&app, &hook, &new_call("x7")).await.status, StatusCode::UNAUTHORIZED);
    }
}

/// A one-request-at-a-time HTTP server standing in for the PBX's dial
/// endpoint: answers `status` and hands over each request body it read.
async fn pbx(status: u16) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while let Ok(n) = sock.read(&mut chunk).await {
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        let _ = tx.send(String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).to_string());
                        break;
                    }
                }
            }
            let reply = format!("HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}");
            let _ = sock.write_all(reply.as_bytes()).await;
        }
    });
    (format!("http://{addr}/dial"), rx)
}

#[tokio::test]
async fn click_to_call_asks_the_pbx_and_records_an_outbound_contact() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let op = app.account(Role::Operator);
        let (url, mut requests) = pbx(200).await;
        let (_, hook) = integration(
            &app,
            serde_json::json!({"name": "PBX", "dial_url": url, "caller_id": "+77272000000",
                "extensions": {"101": "operator"}}),
        )
        .await;
        let path = format!("/api/v1/customers/{}/call", app.customer);
        let r = app.api(Method::POST, &path, Some(&op.bearer), Some("{}")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k:?}: {}", r.body);
        let j = r.json();
        let sent: serde_json::Value =
            serde_json::from_str(&requests.recv().await.expect("the PBX got a request")).expect("dial request is JSON");
        assert_eq!((sent["to"].as_str(), sent["from"].as_str()), (Some("+77011234567"), Some("101")), "{k:?}");
        assert_eq!(sent["callId"], j["call_id"]);
        let id = j["contact_id"].as_i64().expect("contact");
        let c = app.state.store.contact(id).await.expect("read").expect("contact");
        assert_eq!(
            (c.channel, c.direction, c.operator_id, c.customer_id),
            (domain::contact::Channel::Voice, domain::contact::Direction::Outbound, Some(op.id), Some(app.customer)),
            "{k:?}"
        );
        // The PBX then reports the call under the same callId.
        let call = j["call_id"].as_str().expect("call id");
        let r = post_json(&app, &hook, &serde_json::json!({"event": "answer", "callId": call, "user": "101"})).await;
        assert_eq!(r.status, StatusCode::OK, "{k:?}: {}", r.body);
        // An outbound newCall from the PBX gets Zammad's dial answer with our caller id.
        let r = post_json(
            &app,
            &hook,
            &serde_json::json!({"event": "newCall", "callId": "o-2", "from": "101",
            "to": "+77011234567", "direction": "out", "user": "operator"}),
        )
        .await;
        assert_eq!(
            r.json(),
            serde_json::json!({"action": "dial", "number": "+77011234567", "caller_id": "+77272000000"})
        );

        // The card's button does the same and opens the new contact.
        let (cookie, csrf) = app.session(op.id).await;
        let card = app.get(&format!("/desk/customers/{}", app.customer), &[("cookie", &cookie)]).await;
        assert!(card.body.contains(&format!("action=\"/desk/customers/{}/call\"", app.customer)), "{k:?}: button");
        let r = app.form(&format!("/desk/customers/{}/call", app.customer), &cookie, Some(&csrf), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{k:?}: {}", r.body);
        assert!(r.location().is_some_and(|l| l.starts_with("/desk/contacts/")), "{k:?}: {:?}", r.location());
        assert!(requests.recv().await.is_some(), "{k:?}: the PBX got the card's request");

        // A PBX that refuses: 502, nothing recorded.
        let before = app.state.store.count_events(None).await.expect("count");
        let (down, _rx) = pbx(503).await;
        let admin = app.account(Role::Administrator);
        let body = serde_json::json!({"name": "Down", "dial_url": down}).to_string();
        let r = app.api(Method::POST, "/api/v1/cti-integrations", Some(&admin.bearer), Some(&body)).await;
        let down_id = r.json()["id"].as_i64().expect("id");
        let before = before + (app.state.store.count_events(None).await.expect("count") - before);
        let body = format!(r#"{{"integration_id":{down_id}}}"#);
        let r = app.api(Method::POST, &path, Some(&op.bearer), Some(&body)).await;
        assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::BAD_GATEWAY, Some("pbx_failed")));
        assert_eq!(app.state.store.count_events(None).await.expect("count"), before, "{k:?}: nothing recorded");
    }
}

#[tokio::test]
async fn callback_requests_become_outbound_tasks_routed_when_due() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        // The test app made its queue after routing was built.
        app.state.dispatch.reload(store).await.expect("reload");
        let (_, hook) = integration(&app, serde_json::json!({"name": "PBX"})).await;
        let due = store::now_ms() + 3_600_000;
        let ask = serde_json::json!({"event": "callback", "callId": "full-1", "from": "8 701 123 45 67",
            "queue": "support", "due": due});
        let before = store.count_events(Some("contact.created")).await.expect("count");
        for _ in 0..2 {
            let r = post_json(&app, &hook, &ask).await;
            assert_eq!((r.status, r.json()), (StatusCode::OK, serde_json::json!({})), "{k:?}: {}", r.body);
        }
        assert_eq!(store.count_events(Some("contact.created")).await.expect("count"), before + 1, "{k:?}: one task");
        let pending = store.due_callbacks(due).await.expect("due");
        assert_eq!(pending.len(), 1, "{k:?}");
        let id = pending[0].contact_id;
        let c = store.contact(id).await.expect("read").expect("contact");
        assert_eq!(
            (c.direction, c.status, c.queue_id, c.customer_id),
            (domain::contact::Direction::Outbound, domain::contact::Status::New, None, Some(app.customer)),
            "{k:?}: waits outside routing until due"
        );
        server::cti::release_due_callbacks(&app.state, due - 1).await;
        assert_eq!(store.contact(id).await.expect("read").expect("c").status, domain::contact::Status::New);
        server::cti::release_due_callbacks(&app.state, due).await;
        let c = store.contact(id).await.expect("read").expect("contact");
        assert_eq!(c.queue_id, Some(app.queue), "{k:?}: in its queue when due");
        assert!(matches!(c.status, domain::contact::Status::Queued | domain::contact::Status::Offered), "{k:?}");
        assert!(app.state.dispatch.routing_status(id).await.is_some(), "{k:?}: routed");
        assert!(store.due_callbacks(due + 1).await.expect("due").is_empty(), "{k:?}: released once");

        // Unknown queue, bad number, missing queue: refused, nothing stored.
        let events = store.count_events(None).await.expect("count");
        for (body, message) in [
            (
                serde_json::json!({"event": "callback", "callId": "c2", "from": "87011234567", "queue": "nope"}),
                "queue: unknown-queue",
            ),
            (
                serde_json::json!({"event": "callback", "callId": "c3", "from": "call me", "queue": "support"}),
                "from: invalid-phone",
            ),
            (serde_json::json!({"event": "callback", "callId": "c4", "from": "87011234567"}), "queue: required"),
        ] {
            let r = post_json(&app, &hook, &body).await;
            assert_eq!(
                (r.status, r.json()["error"]["message"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(message))
            );
        }
        assert_eq!(store.count_events(None).await.expect("count"), events, "{k:?}: nothing stored");
    }
}
