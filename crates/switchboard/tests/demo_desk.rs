//! `switchboard demo` starts with a working desk: operators serve the three
//! queues, the seeded open contacts wait in them, and an operator who goes
//! ready is offered one. Checked through the API with a token issued by a
//! second process on the same (WAL) database while the demo runs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_switchboard");
/// First start seeds 90 days of history and hashes passwords (slow in debug).
const STARTUP: Duration = Duration::from_secs(180);

struct Demo {
    child: Child,
    url: String,
    logins: Vec<String>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_demo(data: &std::path::Path) -> Demo {
    let csv = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/bank_calls_5min.csv");
    let data = data.to_str().expect("utf-8 temp path");
    let mut child = Command::new(BIN)
        .args(["demo", "--data", data, "--listen", "127.0.0.1:0", "--bank-csv", csv, "--live-contacts", "false"])
        .env("SWITCHBOARD_LOG", "warn")
        .env_remove("SWITCHBOARD_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn demo");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut demo = Demo { child, url: String::new(), logins: Vec::new() };
    let deadline = std::time::Instant::now() + STARTUP;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = rx.recv_timeout(left).unwrap_or_else(|e| panic!("no URL line within {STARTUP:?}: {e}"));
        if let Some(rest) = line.strip_prefix("  login ") {
            demo.logins.push(rest.split_whitespace().next().expect("login").to_string());
        } else if let Some(u) = line.strip_prefix("Switchboard demo: ") {
            demo.url = u.trim_end_matches('/').to_string();
            return demo;
        }
    }
}

fn token(data: &std::path::Path, login: &str) -> String {
    let db = format!("sqlite://{}", data.join("switchboard.db").display());
    let out = Command::new(BIN)
        .args(["user", "token", "--database", &db, "--login", login])
        .env("SWITCHBOARD_LOG", "warn")
        .env_remove("SWITCHBOARD_CONFIG")
        .output()
        .expect("run user token");
    assert!(out.status.success(), "user token: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn call(agent: &ureq::Agent, method: &str, url: &str, token: &str, body: Option<Value>) -> Value {
    let req = agent.request(method, url).set("Authorization", &format!("Bearer {token}"));
    let resp = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    match resp {
        Ok(r) if r.status() == 204 => Value::Null,
        Ok(r) => r.into_json().unwrap_or_else(|e| panic!("{method} {url}: {e}")),
        Err(ureq::Error::Status(code, r)) => panic!("{method} {url}: {code} {}", r.into_string().unwrap_or_default()),
        Err(e) => panic!("{method} {url}: {e}"),
    }
}

fn waiting(queues: &Value) -> (Vec<(String, i64)>, u64) {
    let list = queues.as_array().expect("queue list");
    let ids =
        list.iter().map(|q| (q["code"].as_str().expect("code").to_string(), q["id"].as_i64().expect("id"))).collect();
    (ids, list.iter().map(|q| q["waiting"].as_u64().expect("waiting")).sum())
}

#[test]
fn demo_starts_with_queues_served_and_contacts_waiting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = start_demo(dir.path());
    assert!(demo.logins.iter().any(|l| l == "operator1"), "logins printed: {:?}", demo.logins);
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();

    let supervisor = token(dir.path(), "supervisor1");
    let queues = call(&agent, "GET", &format!("{}/api/v1/queues", demo.url), &supervisor, None);
    let (ids, total) = waiting(&queues);
    let mut codes: Vec<&str> = ids.iter().map(|(c, _)| c.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["complaints", "sales", "support"]);
    // Everyone starts offline and the live stream is off: exactly the seeded
    // open contacts wait.
    assert!(total >= 1, "{queues}");
    assert_eq!(total, demo::OPEN_CONTACTS as u64, "{queues}");

    // operator1 serves support: going ready brings offers from there (as many
    // as their capacity per channel allows).
    let support = ids.iter().find(|(c, _)| c == "support").map(|&(_, id)| id).expect("support");
    let op = token(dir.path(), "operator1");
    call(&agent, "PUT", &format!("{}/api/v1/me/state", demo.url), &op, Some(json!({"state": "ready"})));
    let mine = call(&agent, "GET", &format!("{}/api/v1/me/contacts", demo.url), &op, None);
    let mine = mine.as_array().expect("my contacts");
    assert!(!mine.is_empty(), "no offer after going ready");
    for c in mine {
        assert_eq!(c["status"], "offered", "{c}");
        assert_eq!(c["queue_id"].as_i64(), Some(support), "{c}");
        assert!(c["customer_id"].is_i64() && !c["subject"].as_str().unwrap_or("").is_empty(), "{c}");
    }

    let (_, after) = waiting(&call(&agent, "GET", &format!("{}/api/v1/queues", demo.url), &supervisor, None));
    assert_eq!(after, total - mine.len() as u64, "offered contacts left the queue");
}
