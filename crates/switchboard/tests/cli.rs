//! The binary as administrators and scripts use it: subcommands, help,
//! configuration sources, and durability under `kill -9`.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{start, BIN};

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).env("SWITCHBOARD_LOG", "warn").output().expect("run switchboard");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(args: &[&str]) -> String {
    let (success, stdout, stderr) = run(args);
    assert!(success, "switchboard {args:?} failed: {stderr}");
    stdout
}

#[test]
fn help_is_there_for_every_command() {
    for args in [
        vec!["--help"],
        vec!["demo", "--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "passwd", "--help"],
        vec!["user", "role", "--help"],
        vec!["user", "token", "--help"],
        vec!["user", "list", "--help"],
    ] {
        let out = ok(&args);
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
}

#[tokio::test]
async fn users_are_administered_from_the_command_line_on_both_databases() {
    for db in testkit::databases().await {
        let url = db.url.as_str();
        ok(&["migrate", "--database", url]);
        ok(&[
            "user",
            "add",
            "--database",
            url,
            "--login",
            "boss",
            "--name",
            "Бастық Әлия",
            "--role",
            "administrator,supervisor",
            "--password",
            "boss-pass-1",
        ]);
        let (success, _, err) =
            run(&["user", "add", "--database", url, "--login", "boss", "--name", "X", "--password", "boss-pass-1"]);
        assert!(!success && err.contains("already exists"), "{}: duplicate: {err}", db.kind);
        let (success, _, err) = run(&[
            "user",
            "add",
            "--database",
            url,
            "--login",
            "x1",
            "--name",
            "X",
            "--role",
            "king",
            "--password",
            "boss-pass-1",
        ]);
        assert!(!success && err.contains("unknown role"), "{err}");
        let (success, _, err) =
            run(&["user", "add", "--database", url, "--login", "x2", "--name", "X", "--password", "short"]);
        assert!(!success && err.contains("password-too-short"), "{err}");
        ok(&["user", "role", "--database", url, "--login", "boss", "--set", "head_of_centre"]);
        ok(&["user", "passwd", "--database", url, "--login", "boss", "--password", "new-pass-22"]);
        let token = ok(&["user", "token", "--database", url, "--login", "boss", "--name", "ci"]);
        assert!(token.trim().len() >= 40, "token printed: {token}");
        let list = ok(&["user", "list", "--database", url]);
        assert!(list.contains("boss\tactive\thead_of_centre\tБастық Әлия"), "{}: {list}", db.kind);

        let store = store::Store::connect(url).await.expect("connect");
        let audit = store.list_audit(None, 50, 0).await.expect("audit");
        assert!(audit.iter().all(|a| a.actor_login == "cli"), "CLI changes are audited as cli");
        assert!(audit.iter().any(|a| a.action == "user.roles"));
        assert!(audit.iter().any(|a| a.action == "user.password"));
    }
}

#[test]
fn configuration_comes_from_a_toml_file_and_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("conf.db");
    let conf = dir.path().join("switchboard.toml");
    std::fs::write(&conf, format!("database = \"sqlite://{}\"\n", db.display())).expect("write config");
    let conf = conf.to_string_lossy().into_owned();
    ok(&["--config", &conf, "migrate"]);
    assert!(db.exists(), "the file's database was used");

    let other = dir.path().join("env.db");
    let out = Command::new(BIN)
        .args(["migrate"])
        .env("SWITCHBOARD_DATABASE", format!("sqlite://{}", other.display()))
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(other.exists(), "SWITCHBOARD_DATABASE was used");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "databse = 1\n").expect("write");
    let (success, _, err) = run(&["--config", &bad.to_string_lossy(), "migrate"]);
    assert!(!success && err.contains("invalid configuration"), "{err}");
    let (success, _, err) = run(&["migrate"]);
    assert!(!success && err.contains("no database"), "{err}");
}

#[tokio::test]
async fn acknowledged_user_creations_survive_kill_9() {
    for db in testkit::databases().await {
        let url = db.url.clone();
        ok(&[
            "user",
            "add",
            "--database",
            &url,
            "--login",
            "root.admin",
            "--name",
            "Админ",
            "--role",
            "administrator",
            "--password",
            "admin-pass-1",
        ]);
        let token = ok(&["user", "token", "--database", &url, "--login", "root.admin"]).trim().to_string();

        let mut server = start(&url, &[]);
        let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = Vec::new();
        for w in 0..4 {
            let (base, token, acknowledged, stop) =
                (server.url.clone(), token.clone(), acknowledged.clone(), stop.clone());
            workers.push(std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
                for i in 0..10_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let login = format!("burst.{w}.{i}");
                    let body = serde_json::json!({"login": login, "name": "Тест Жүктеме", "password": "burst-pass-1", "roles": ["operator"]});
                    match agent.post(&format!("{base}/api/v1/users")).set("Authorization", &format!("Bearer {token}")).send_json(body) {
                        Ok(r) if r.status() == 201 => acknowledged.lock().expect("lock").push(login),
                        Ok(r) => panic!("unexpected status {}", r.status()),
                        // The server was killed: requests in flight may or may not have landed.
                        Err(_) => break,
                    }
                }
            }));
        }
        // Let the burst run until a good number were answered, then kill -9 mid-flight.
        let started = Instant::now();
        while acknowledged.lock().expect("lock").len() < 40 && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(5));
        }
        server.child.kill().expect("kill -9");
        server.child.wait().expect("reaped");
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().expect("worker");
        }
        let acknowledged = acknowledged.lock().expect("lock").clone();
        assert!(acknowledged.len() >= 40, "{}: burst too small: {}", db.kind, acknowledged.len());

        let mut server = start(&url, &[]);
        let health = ureq::get(&format!("{}/healthz", server.url)).call().expect("healthz");
        assert_eq!(health.status(), 200);
        let users: serde_json::Value = ureq::get(&format!("{}/api/v1/users", server.url))
            .set("Authorization", &format!("Bearer {token}"))
            .call()
            .expect("list users")
            .into_json()
            .expect("json");
        let present: std::collections::HashSet<&str> =
            users.as_array().expect("array").iter().filter_map(|u| u["login"].as_str()).collect();
        let lost: Vec<&String> = acknowledged.iter().filter(|l| !present.contains(l.as_str())).collect();
        assert!(lost.is_empty(), "{}: acknowledged but lost after kill -9: {lost:?}", db.kind);
        let _ = server.child.kill();
        let _ = server.child.wait();
        eprintln!("{}: {} acknowledged creations all present after kill -9", db.kind, acknowledged.len());
    }
}
