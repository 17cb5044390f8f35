//! `kill -9` while contacts are being created and routed: after a restart
//! every acknowledged contact exists once and is either queued or with
//! exactly one operator — the store and the rebuilt routing engine agree.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use common::{call, start, BIN};

fn cli(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).env("SWITCHBOARD_LOG", "warn").output().expect("run");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn acknowledged_contacts_survive_kill_9_queued_or_assigned_never_both() {
    for db in testkit::databases().await {
        let url = db.url.clone();
        let mut tokens = Vec::new();
        let mut ids = Vec::new();
        for (login, role) in [("boss", "supervisor"), ("op1", "operator"), ("op2", "operator"), ("op3", "operator")] {
            cli(&[
                "user",
                "add",
                "--database",
                &url,
                "--login",
                login,
                "--name",
                "Тест",
                "--role",
                role,
                "--password",
                "pass-word-1",
            ]);
            tokens.push(cli(&["user", "token", "--database", &url, "--login", login]));
        }
        let server = start(&url, &[]);
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
        let boss = tokens[0].clone();
        let q = call(
            &agent,
            "POST",
            &format!("{}/api/v1/queues", server.url),
            &boss,
            Some(json!({"code": "support", "name_ru": "Поддержка", "name_kk": "Қолдау", "name_en": "Support"})),
        )
        .expect("queue");
        let queue = q["id"].as_i64().expect("queue id");
        for t in &tokens[1..] {
            let me = call(&agent, "GET", &format!("{}/api/v1/me", server.url), t, None).expect("me");
            ids.push(me["id"].as_i64().expect("id"));
            call(
                &agent,
                "POST",
                &format!("{}/api/v1/queues/{queue}/members", server.url),
                &boss,
                Some(json!({"user_id": me["id"]})),
            )
            .expect("member");
            call(&agent, "PUT", &format!("{}/api/v1/me/state", server.url), t, Some(json!({"state": "ready"})))
                .expect("ready");
        }

        let acknowledged = Arc::new(Mutex::new(Vec::<i64>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = Vec::new();
        // Two callers register contacts; three operators accept and resolve.
        for _ in 0..2 {
            let (base, token, acked, stop) = (server.url.clone(), boss.clone(), acknowledged.clone(), stop.clone());
            workers.push(std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
                while !stop.load(Ordering::Relaxed) {
                    let body = json!({"channel": "voice", "contact_type": "information", "subject": "Где мой заказ?", "queue_id": queue});
                    match call(&agent, "POST", &format!("{base}/api/v1/contacts"), &token, Some(body)) {
                        Ok(c) => acked.lock().expect("lock").push(c["id"].as_i64().expect("id")),
                        Err(e) if e.starts_with("transport") => break,
                        Err(e) => panic!("unexpected answer: {e}"),
                    }
                }
            }));
        }
        for t in &tokens[1..] {
            let (base, token, stop) = (server.url.clone(), t.clone(), stop.clone());
            workers.push(std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
                while !stop.load(Ordering::Relaxed) {
                    let Ok(mine) = call(&agent, "GET", &format!("{base}/api/v1/me/contacts"), &token, None) else {
                        break;
                    };
                    for c in mine.as_array().cloned().unwrap_or_default() {
                        let id = c["id"].as_i64().unwrap_or_default();
                        let r = if c["status"] == "offered" {
                            call(&agent, "POST", &format!("{base}/api/v1/contacts/{id}/accept"), &token, None)
                        } else {
                            let w =
                                json!({"summary": "Ответили", "outcome": "answered", "first_contact_resolution": true});
                            call(&agent, "POST", &format!("{base}/api/v1/contacts/{id}/resolve"), &token, Some(w))
                        };
                        if matches!(&r, Err(e) if e.starts_with("transport")) {
                            return;
                        }
                    }
                }
            }));
        }
        let started = Instant::now();
        while acknowledged.lock().expect("lock").len() < 60 && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut server = server;
        server.child.kill().expect("kill -9");
        server.child.wait().expect("reaped");
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().expect("worker");
        }
        drop(server);
        let acknowledged = acknowledged.lock().expect("lock").clone();
        assert!(acknowledged.len() >= 60, "{}: burst too small: {}", db.kind, acknowledged.len());

        let server = start(&url, &[]);
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for id in &acknowledged {
            let c = call(&agent, "GET", &format!("{}/api/v1/contacts/{id}", server.url), &boss, None)
                .unwrap_or_else(|e| panic!("{}: acknowledged contact {id} lost: {e}", db.kind));
            let status = c["status"].as_str().unwrap_or_default().to_string();
            let routing = c["routing"].as_str().map(str::to_string);
            // Offers not accepted before the crash went back to the queue on
            // restart, and may have been offered again since.
            let consistent = match status.as_str() {
                "queued" => routing.as_deref() == Some("waiting") && c["operator_id"].is_null(),
                "offered" => routing.as_deref() == Some("offered") && c["operator_id"].is_i64(),
                "in_work" => routing.as_deref() == Some("assigned") && c["operator_id"].is_i64(),
                "resolved" => routing.is_none(),
                _ => false,
            };
            assert!(consistent, "{}: contact {id} is {status} in the store but {routing:?} in routing", db.kind);
            *counts.entry(status).or_default() += 1;
        }
        // Each operator holds at most one call.
        for t in &tokens[1..] {
            let mine = call(&agent, "GET", &format!("{}/api/v1/me/contacts", server.url), t, None).expect("mine");
            assert!(mine.as_array().map_or(0, Vec::len) <= 1, "{}: an operator holds two calls: {mine}", db.kind);
        }
        eprintln!("{}: {} acknowledged contacts after kill -9: {counts:?}", db.kind, acknowledged.len());
    }
}
