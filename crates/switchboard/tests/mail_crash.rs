//! `kill -9` while 500 letters are being ingested from a real Dovecot
//! mailbox (scripts/mail-start): the real `switchboard serve` binary is
//! killed several times at random points of the ingestion and restarted;
//! at the end every letter is in exactly one contact — counts and
//! Message-IDs checked — on SQLite and PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};
mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

use common::{call, Server, BIN, TEST_KEY as KEY};
const LETTERS: u32 = 500;
const KILLS: usize = 5;

fn cli(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .env("SWITCHBOARD_LOG", "warn")
        .env("SWITCHBOARD_SECRET_KEY", KEY)
        .output()
        .expect("run");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn start(db: &str, ca: &str) -> Server {
    common::start(
        db,
        &[
            ("SWITCHBOARD_LOG", "error"),
            ("SWITCHBOARD_MAIL_POLL_MS", "200"),
            ("SWITCHBOARD_MAIL_IDLE_MS", "1000"),
            ("SWITCHBOARD_MAIL_CA_FILE", ca),
        ],
    )
}

/// Appends `LETTERS` letters to a user's INBOX over IMAP; returns their Message-IDs.
async fn fill_mailbox(imap: &str, user: &str, password: &str, tag: &str) -> BTreeSet<String> {
    let tcp = tokio::net::TcpStream::connect(imap).await.expect("imap");
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.expect("greeting");
    let mut s = client.login(user, password).await.map_err(|(e, _)| e).expect("login");
    let mut ids = BTreeSet::new();
    for n in 0..LETTERS {
        let id = format!("crash-{tag}-{n}@example.test");
        // A few customers write several letters each: each letter is its own contact all the same.
        let raw = format!(
            "From: Клиент {c} <client{c}-{tag}@example.test>\r\nTo: {user}\r\nSubject: Вопрос {n}\r\n\
Message-ID: <{id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nПисьмо номер {n}.\r\n",
            c = n % 37
        );
        s.append("INBOX", None, None, raw.as_bytes()).await.expect("append");
        ids.insert(id);
    }
    let _ = s.logout().await;
    ids
}

/// A small deterministic generator for the kill points (seeded from the clock).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below.max(1)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_letter_is_in_exactly_one_contact_after_kill_9_during_ingestion() {
    let Ok(imap) = std::env::var("SWITCHBOARD_TEST_IMAP") else {
        eprintln!("!!!! SKIPPED: SWITCHBOARD_TEST_IMAP is not set — run scripts/mail-start (scripts/test does) !!!!");
        return;
    };
    let password = std::env::var("SWITCHBOARD_TEST_MAIL_PASSWORD").unwrap_or_default();
    let smtp = std::env::var("SWITCHBOARD_TEST_SMTP").unwrap_or_default();
    let ca = std::env::var("SWITCHBOARD_TEST_MAIL_CA").unwrap_or_default();
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(1);
    let mut rng = Lcg(seed as u64);
    eprintln!("kill points seeded with {seed}");
    for db in testkit::databases().await {
        let url = db.url.clone();
        cli(&[
            "user",
            "add",
            "--database",
            &url,
            "--login",
            "admin",
            "--name",
            "Админ",
            "--role",
            "administrator",
            "--password",
            "pass-word-1",
        ]);
        cli(&[
            "user",
            "add",
            "--database",
            &url,
            "--login",
            "boss",
            "--name",
            "Босс",
            "--role",
            "supervisor",
            "--password",
            "pass-word-1",
        ]);
        let admin = cli(&["user", "token", "--database", &url, "--login", "admin"]);
        let boss = cli(&["user", "token", "--database", &url, "--login", "boss"]);
        let tag = format!("{}-{}", db.kind, rng.next(1 << 30));
        let user = format!("crash-{tag}@switchboard.test");
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();

        // The queue and the mailbox, while nothing is in it; then the server goes away.
        let server = start(&url, &ca);
        let q = call(
            &agent,
            "POST",
            &format!("{}/api/v1/queues", server.url),
            &boss,
            Some(json!({"code": "mail", "name_ru": "Почта", "name_kk": "Пошта", "name_en": "Mail"})),
        )
        .expect("queue");
        let (ih, ip) = imap.rsplit_once(':').expect("host:port");
        let (sh, sp) = smtp.rsplit_once(':').expect("host:port");
        let m = call(
            &agent,
            "POST",
            &format!("{}/api/v1/mailboxes", server.url),
            &admin,
            Some(json!({
            "name": "Crash", "address": user, "imap_host": ih, "imap_port": ip.parse::<i64>().expect("port"),
            "imap_tls": "none", "imap_user": user, "imap_password": password, "smtp_host": sh,
            "smtp_port": sp.parse::<i64>().expect("port"), "smtp_tls": "none", "queue_id": q["id"]})),
        )
        .expect("mailbox");
        let mailbox = m["id"].as_i64().expect("mailbox id");
        drop(server);

        let ids = fill_mailbox(&imap, &user, &password, &tag).await;
        let cursor = |server: &Server| -> i64 {
            call(&agent, "GET", &format!("{}/api/v1/mailboxes/{mailbox}", server.url), &admin, None)
                .ok()
                .and_then(|m| m["last_uid"].as_i64())
                .unwrap_or(-1)
        };

        // Kill -9 at random points while letters are being ingested.
        let started = Instant::now();
        let mut kills = Vec::new();
        for _ in 0..KILLS {
            let mut server = start(&url, &ca);
            let before = cursor(&server);
            if before >= i64::from(LETTERS) {
                break;
            }
            // Wait until this run is ingesting, then let it go on for a random while.
            let deadline = Instant::now() + Duration::from_secs(20);
            while cursor(&server) <= before && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(Duration::from_millis(rng.next(400)));
            server.child.kill().expect("kill -9");
            server.child.wait().expect("reaped");
            kills.push(before);
        }
        // The last run finishes the job.
        let server = start(&url, &ca);
        let deadline = Instant::now() + Duration::from_secs(60);
        while cursor(&server) < i64::from(LETTERS) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(cursor(&server), i64::from(LETTERS), "{}: ingestion did not finish", db.kind);
        drop(server);
        eprintln!("{}: {} kills at cursors {kills:?}; {:?} in all", db.kind, kills.len(), started.elapsed());
        assert!(kills.len() >= 3 && kills.iter().any(|k| *k > 0), "{}: too few kills mid-ingestion", db.kind);

        let store = store::Store::connect(&url).await.expect("connect");
        let letters = store.mailbox_letters(mailbox).await.expect("letters");
        let mut per_id: BTreeMap<&str, Vec<Option<i64>>> = BTreeMap::new();
        for l in &letters {
            per_id.entry(l.message_id.as_str()).or_default().push(l.contact_id);
        }
        assert_eq!(letters.len(), LETTERS as usize, "{}: letters stored", db.kind);
        assert_eq!(per_id.keys().map(|k| k.to_string()).collect::<BTreeSet<_>>(), ids, "{}: Message-IDs", db.kind);
        let contacts: BTreeSet<i64> = per_id
            .iter()
            .map(|(id, c)| {
                assert_eq!(c.len(), 1, "{}: {id} stored {} times", db.kind, c.len());
                c[0].unwrap_or_else(|| panic!("{}: {id} has no contact", db.kind))
            })
            .collect();
        assert_eq!(contacts.len(), LETTERS as usize, "{}: one contact per letter", db.kind);
        for c in contacts.iter().step_by(50) {
            // Inbound: the customer notices the server sends are letters of the contact too.
            let inbound = store.contact_emails(*c).await.expect("emails").into_iter().filter(|e| e.direction == "in");
            assert_eq!(inbound.count(), 1, "{}: contact {c}", db.kind);
        }
        let created = store.count_events(Some("contact.created")).await.expect("events");
        let received = store.count_events(Some("contact.email_received")).await.expect("events");
        assert_eq!((created, received), (i64::from(LETTERS), i64::from(LETTERS)), "{}: events", db.kind);
        store.close().await;
    }
}
