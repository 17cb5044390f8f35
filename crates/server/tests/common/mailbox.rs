//! The real mail servers the email tests run against (`scripts/mail-start`
//! exports where they listen), and reading a test user's INBOX over IMAP.

use futures_util::TryStreamExt;

/// Where `scripts/mail-start`'s Dovecot and SMTP servers listen.
pub struct MailEnv {
    pub imap: String,
    pub imaps: String,
    pub smtp: String,
    pub password: String,
    /// The test CA's PEM file (Dovecot's TLS certificate is signed by it).
    pub ca: String,
}

/// The mail servers from the environment; `None` when they were not started.
pub fn mail_env() -> Option<MailEnv> {
    let imap = std::env::var("SWITCHBOARD_TEST_IMAP").ok()?;
    let get = |k: &str| std::env::var(k).unwrap_or_default();
    Some(MailEnv {
        imap,
        imaps: get("SWITCHBOARD_TEST_IMAPS"),
        smtp: get("SWITCHBOARD_TEST_SMTP"),
        password: get("SWITCHBOARD_TEST_MAIL_PASSWORD"),
        ca: get("SWITCHBOARD_TEST_MAIL_CA"),
    })
}

/// `host:port` → (host, port).
pub fn split(addr: &str) -> (String, u16) {
    let (h, p) = addr.rsplit_once(':').expect("host:port");
    (h.to_string(), p.parse().expect("port"))
}

/// Every letter in a user's INBOX (plain IMAP), oldest first.
pub async fn inbox(env: &MailEnv, user: &str) -> Vec<Vec<u8>> {
    let tcp = tokio::net::TcpStream::connect(&env.imap).await.expect("imap");
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.expect("greeting");
    let mut s = client.login(user, &env.password).await.map_err(|(e, _)| e).expect("login");
    s.select("INBOX").await.expect("select");
    let mut out: Vec<(u32, Vec<u8>)> = s
        .uid_fetch("1:*", "(UID BODY.PEEK[])")
        .await
        .expect("fetch")
        .try_filter_map(|f| async move { Ok(f.uid.map(|u| (u, f.body().unwrap_or_default().to_vec()))) })
        .try_collect()
        .await
        .unwrap_or_default();
    let _ = s.logout().await;
    out.sort_by_key(|(u, _)| *u);
    out.into_iter().map(|(_, b)| b).collect()
}
