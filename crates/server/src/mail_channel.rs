//! The email channel's I/O: one IMAP poller per active mailbox and one SMTP
//! sender, started by [`spawn`] beside the HTTP server.
//!
//! **Poller.** Connects (TLS, STARTTLS or plain), selects the folder, asks
//! for the UIDs above the stored cursor, fetches them in UID order in small
//! batches (`BODY.PEEK[]`, so nothing is marked read), decodes each with the
//! `mail` crate and hands it to `Store::ingest_letter`, which commits the
//! letter's contact and the cursor together (exactly once; see
//! `store::mail`). A failed letter stops the batch: later UIDs wait for it.
//! Then it waits in IDLE when the server offers it (else sleeps and polls).
//! A supervisor restarts a mailbox's poller when its settings change.
//!
//! **Sender.** Picks replies recorded on email contacts, stores the letter
//! with its Message-ID before handing it to SMTP (so the customer's answer
//! threads even after a crash; an interrupted send is retried with the same
//! Message-ID), then records `sent` or `failed`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context};
use futures_util::TryStreamExt;
use store::mail::{Fate, IncomingLetter, Ingested, LetterFile, Mailbox, OutgoingLetter, PendingEmailReply};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;
use tokio_rustls::rustls;

use crate::live::LiveEvent;
use crate::AppState;

/// How the channel runs (from `SWITCHBOARD_MAIL_*`; tests shorten the waits).
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// Between polls when the server has no IDLE, and between reconnects.
    pub poll_every: Duration,
    /// The longest IDLE before checking again.
    pub idle_for: Duration,
    /// How often the sender looks for replies to send.
    pub send_every: Duration,
    /// Extra trusted root certificates (PEM), e.g. a private CA.
    pub extra_ca_file: Option<PathBuf>,
    /// UIDs fetched per IMAP command.
    pub batch: usize,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            poll_every: Duration::from_secs(30),
            idle_for: Duration::from_secs(300),
            send_every: Duration::from_secs(2),
            extra_ca_file: None,
            batch: 25,
        }
    }
}

impl MailConfig {
    /// Defaults overridden by `SWITCHBOARD_MAIL_POLL_MS`, `SWITCHBOARD_MAIL_IDLE_MS`,
    /// `SWITCHBOARD_MAIL_SEND_MS` and `SWITCHBOARD_MAIL_CA_FILE`.
    pub fn from_env() -> MailConfig {
        let ms = |name: &str, d: Duration| {
            std::env::var(name).ok().and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_millis).unwrap_or(d)
        };
        let d = MailConfig::default();
        MailConfig {
            poll_every: ms("SWITCHBOARD_MAIL_POLL_MS", d.poll_every),
            idle_for: ms("SWITCHBOARD_MAIL_IDLE_MS", d.idle_for),
            send_every: ms("SWITCHBOARD_MAIL_SEND_MS", d.send_every),
            extra_ca_file: std::env::var_os("SWITCHBOARD_MAIL_CA_FILE").map(PathBuf::from).filter(|p| p.is_file()),
            batch: d.batch,
        }
    }
}

/// Starts the mailbox supervisor (pollers) and the sender; abort the handle to stop both.
pub fn spawn(st: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let sender = tokio::spawn(send_loop(st.clone()));
        supervise(st).await;
        sender.abort();
    })
}

/// Keeps one poller per active mailbox, restarted when its settings change.
async fn supervise(st: AppState) {
    struct Running {
        updated_at: i64,
        task: JoinHandle<()>,
    }
    let mut running: HashMap<i64, Running> = HashMap::new();
    loop {
        match st.store.mailboxes().await {
            Ok(list) => {
                let wanted: HashMap<i64, &Mailbox> = list.iter().filter(|m| m.active).map(|m| (m.id, m)).collect();
                running.retain(|id, r| {
                    let keep = wanted.get(id).is_some_and(|m| m.updated_at == r.updated_at) && !r.task.is_finished();
                    if !keep {
                        r.task.abort();
                    }
                    keep
                });
                for (id, m) in wanted {
                    running.entry(id).or_insert_with(|| Running {
                        updated_at: m.updated_at,
                        task: tokio::spawn(poll_forever(st.clone(), m.clone())),
                    });
                }
            }
            Err(e) => tracing::warn!("mailboxes not read: {e}"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

async fn poll_forever(st: AppState, m: Mailbox) {
    let password = match st.secrets.open(&m.imap_password_sealed) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("mailbox {} ({}): {e}", m.id, m.address);
            return;
        }
    };
    loop {
        if let Err(e) = session(&st, &m, &password).await {
            tracing::warn!("mailbox {} ({}): {e:#}", m.id, m.address);
        }
        tokio::time::sleep(st.mail.poll_every.min(Duration::from_secs(30))).await;
    }
}

/// Anything an IMAP or SMTP connection can run over.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Stream for T {}

type Session = async_imap::Session<Box<dyn Stream>>;

/// The rustls client settings: the system's roots plus the configured extra CA.
fn tls_config(extra_ca: Option<&PathBuf>) -> anyhow::Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = extra_ca {
        let pem = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        for cert in rustls_pemfile::certs(&mut &pem[..]) {
            roots.add(cert.context("bad CA certificate")?).context("bad CA certificate")?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

async fn tls_wrap(st: &AppState, host: &str, tcp: impl Stream + 'static) -> anyhow::Result<Box<dyn Stream>> {
    let connector = tokio_rustls::TlsConnector::from(tls_config(st.mail.extra_ca_file.as_ref())?);
    let name = rustls::pki_types::ServerName::try_from(host.to_string()).context("bad host name")?;
    Ok(Box::new(connector.connect(name, tcp).await.context("TLS handshake")?))
}

async fn connect(st: &AppState, m: &Mailbox, password: &str) -> anyhow::Result<Session> {
    let addr = format!("{}:{}", m.imap_host, m.imap_port);
    let tcp = tokio::time::timeout(Duration::from_secs(20), tokio::net::TcpStream::connect(&addr))
        .await
        .map_err(|_| anyhow!("connecting to {addr} timed out"))?
        .with_context(|| format!("cannot connect to {addr}"))?;
    let stream: Box<dyn Stream> = match m.imap_tls.as_str() {
        "tls" => tls_wrap(st, &m.imap_host, tcp).await?,
        "starttls" => {
            let mut plain = async_imap::Client::new(tcp);
            plain.read_response().await?.ok_or_else(|| anyhow!("no greeting"))?;
            plain.run_command_and_check_ok("STARTTLS", None).await.context("STARTTLS")?;
            tls_wrap(st, &m.imap_host, plain.into_inner()).await?
        }
        _ => Box::new(tcp),
    };
    let mut client = async_imap::Client::new(stream);
    if m.imap_tls != "starttls" {
        client.read_response().await?.ok_or_else(|| anyhow!("no greeting"))?;
    }
    let session = client.login(&m.imap_user, password).await.map_err(|(e, _)| anyhow!("login refused: {e}"))?;
    Ok(session)
}

/// One connection's life: fetch what is new, wait (IDLE or sleep), repeat.
async fn session(st: &AppState, m: &Mailbox, password: &str) -> anyhow::Result<()> {
    let mut session = connect(st, m, password).await?;
    let folder = session.select(&m.imap_folder).await.with_context(|| format!("cannot select {}", m.imap_folder))?;
    let validity = i64::from(folder.uid_validity.unwrap_or(0));
    let idle = session.capabilities().await?.has_str("IDLE");
    loop {
        ingest_new(st, m, &mut session, validity).await?;
        if idle {
            let mut handle = session.idle();
            handle.init().await?;
            let (wait, _stop) = handle.wait_with_timeout(st.mail.idle_for);
            wait.await?;
            session = handle.done().await?;
        } else {
            tokio::time::sleep(st.mail.poll_every).await;
            session.noop().await?;
        }
    }
}

/// Fetches and ingests every letter above the cursor, in UID order.
async fn ingest_new(st: &AppState, m: &Mailbox, session: &mut Session, validity: i64) -> anyhow::Result<()> {
    let current = st.store.mailbox(m.id).await?.ok_or_else(|| anyhow!("mailbox {} is gone", m.id))?;
    let from = if current.uid_validity == validity { current.last_uid + 1 } else { 1 };
    let found = session.uid_search(format!("UID {from}:*")).await?;
    // `n:*` always matches the newest letter, even below n.
    let mut uids: Vec<u32> = found.into_iter().filter(|u| i64::from(*u) >= from).collect();
    uids.sort_unstable();
    for chunk in uids.chunks(st.mail.batch.max(1)) {
        let set: Vec<String> = chunk.iter().map(u32::to_string).collect();
        let mut fetched: Vec<(u32, Vec<u8>)> = session
            .uid_fetch(set.join(","), "(UID BODY.PEEK[])")
            .await?
            .try_filter_map(|f| async move { Ok(f.uid.map(|u| (u, f.body().map(<[u8]>::to_vec).unwrap_or_default()))) })
            .try_collect()
            .await?;
        fetched.sort_by_key(|(u, _)| *u);
        for (uid, raw) in fetched {
            ingest_one(st, m, validity, uid, &raw).await.with_context(|| format!("letter UID {uid}"))?;
        }
    }
    Ok(())
}

/// Decodes one letter, stores it (exactly once) and routes what it created.
pub async fn ingest_one(st: &AppState, m: &Mailbox, validity: i64, uid: u32, raw: &[u8]) -> anyhow::Result<Ingested> {
    let letter = incoming(m, validity, uid, raw);
    let outcome = st.store.ingest_letter(&letter).await?;
    match &outcome {
        Ingested::Created(c) => st.dispatch.route_registered(&st.store, c, m.queue_id).await,
        Ingested::Threaded { contact, reopened: true } => {
            let queue = contact.queue_id.unwrap_or(m.queue_id);
            st.dispatch.route_registered(&st.store, contact, queue).await;
        }
        Ingested::Threaded { contact, reopened: false } => {
            st.live.publish(LiveEvent::ContactChanged { contact: contact.id, operator: contact.operator_id })
        }
        _ => {}
    }
    Ok(outcome)
}

/// What the store needs of a raw letter; anything unreadable is recorded and ignored.
pub fn incoming(m: &Mailbox, validity: i64, uid: u32, raw: &[u8]) -> IncomingLetter {
    let mut l = IncomingLetter {
        mailbox_id: m.id,
        uid_validity: validity,
        uid: i64::from(uid),
        message_id: String::new(),
        in_reply_to: String::new(),
        references: Vec::new(),
        thread_keys: Vec::new(),
        subject_contact: None,
        from_address: String::new(),
        from_name: String::new(),
        to_address: m.address.clone(),
        subject: String::new(),
        text: String::new(),
        html: None,
        files: Vec::new(),
        fate: Fate::Ignore("unreadable".into()),
    };
    let Some(letter) = mail::parse(raw) else { return l };
    let own_addresses = [m.address.clone()];
    let own = mail::Own { addresses: &own_addresses, message_id_domain: mail::outgoing::domain_of(&m.address) };
    l.fate = match mail::classify(&letter, &own) {
        mail::Disposition::Accept => Fate::Accept,
        mail::Disposition::Ignore(why) => Fate::Ignore(why.into()),
        mail::Disposition::Bounce => {
            let b = letter.bounce.clone().unwrap_or_default();
            let detail = [b.recipient, b.status, b.diagnostic].into_iter().flatten().collect::<Vec<_>>().join(" ");
            Fate::Bounce { original_message_id: b.original_message_id, detail }
        }
    };
    l.thread_keys = mail::thread_keys(&letter);
    l.subject_contact = mail::contact_number_in_subject(&letter.subject);
    l.message_id = letter.message_id.clone().unwrap_or_default();
    l.in_reply_to = letter.in_reply_to.first().cloned().unwrap_or_default();
    l.references = letter.references.clone();
    l.from_address = letter.reply_address.clone().or(letter.from_address.clone()).unwrap_or_default();
    l.from_name = letter.from_name.clone().unwrap_or_default();
    l.subject = letter.subject.clone();
    l.text = mail::outgoing::trim_quoted(&letter.text);
    l.html = letter.html.clone();
    l.files = letter
        .attachments
        .into_iter()
        .map(|a| LetterFile {
            filename: a.filename,
            content_type: a.content_type,
            content: a.content,
            content_id: if a.inline { a.content_id } else { None },
        })
        .collect();
    l
}

// ---------------------------------------------------------------- sending

async fn send_loop(st: AppState) {
    loop {
        tokio::time::sleep(st.mail.send_every).await;
        let pending = match st.store.pending_email_replies(20).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("email replies not read: {e}");
                continue;
            }
        };
        for p in pending {
            if let Err(e) = send_reply(&st, &p).await {
                tracing::warn!("reply {} on contact {}: {e:#}", p.reply_id, p.contact_id);
            }
        }
    }
}

/// Composes, stores and sends one reply letter.
pub async fn send_reply(st: &AppState, p: &PendingEmailReply) -> anyhow::Result<()> {
    let m = st.store.mailbox(p.mailbox_id).await?.ok_or_else(|| anyhow!("mailbox {} is gone", p.mailbox_id))?;
    let contact = st.store.contact(p.contact_id).await?.ok_or_else(|| anyhow!("contact is gone"))?;
    let letters = st.store.contact_emails(p.contact_id).await?;
    let last_in = letters
        .iter()
        .rev()
        .find(|e| e.direction == "in" && matches!(e.disposition.as_str(), "accepted" | "threaded"))
        .ok_or_else(|| anyhow!("no customer letter to answer"))?;
    let nonce = rand::random::<u64>();
    let message_id = mail::outgoing::message_id(contact.id, p.reply_id, nonce, mail::outgoing::domain_of(&m.address));
    let parent = (!last_in.message_id.is_empty()).then_some(last_in.message_id.as_str());
    let signature = match &p.author_name {
        Some(name) if !m.signature.trim().is_empty() => format!("{name}\n{}", m.signature.trim()),
        Some(name) => name.clone(),
        None => m.signature.clone(),
    };
    let attribution = format!("{}:", last_in.from_address);
    let draft = OutgoingLetter {
        mailbox_id: m.id,
        contact_id: contact.id,
        message_id,
        in_reply_to: last_in.message_id.clone(),
        references: mail::outgoing::references(&last_in.references, parent),
        from_address: m.address.clone(),
        to_address: last_in.from_address.clone(),
        subject: mail::outgoing::subject(contact.id, &last_in.subject),
        body: mail::outgoing::body(&p.body, &signature, Some((&attribution, &last_in.body_text))),
    };
    // An interrupted attempt returns the letter stored then, with its Message-ID.
    let stored = st.store.prepare_email_reply(p.reply_id, &draft).await?;
    let letter = SmtpLetter {
        to: &stored.to_address,
        subject: &stored.subject,
        message_id: &stored.message_id,
        in_reply_to: &stored.in_reply_to,
        references: &stored.references,
        body: &stored.body_text,
    };
    let result = smtp_send(st, &m, &letter).await;
    match result {
        Ok(()) => st.store.finish_email_reply(p.reply_id, true, "").await?,
        Err(SendError::Permanent(why)) => st.store.finish_email_reply(p.reply_id, false, &why).await?,
        // Left `sending`: tried again on the next round with the same Message-ID.
        Err(SendError::Transient(why)) => return Err(anyhow!("will retry: {why}")),
    }
    Ok(())
}

/// Sends one stored letter through the mailbox's SMTP server (the chat's
/// transcript); `Err` carries the server's words.
pub(crate) async fn send_letter(st: &AppState, m: &Mailbox, letter: &store::mail::EmailRecord) -> Result<(), String> {
    let smtp = SmtpLetter {
        to: &letter.to_address,
        subject: &letter.subject,
        message_id: &letter.message_id,
        in_reply_to: &letter.in_reply_to,
        references: &letter.references,
        body: &letter.body_text,
    };
    smtp_send(st, m, &smtp).await.map_err(|e| match e {
        SendError::Permanent(w) | SendError::Transient(w) => w,
    })
}

/// Why SMTP did not take a letter: refused for good, or worth another try.
#[derive(Debug)]
pub enum SendError {
    Permanent(String),
    Transient(String),
}

/// A plain-text letter to hand to a mailbox's SMTP server.
pub struct SmtpLetter<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    /// Without brackets.
    pub message_id: &'a str,
    pub in_reply_to: &'a str,
    pub references: &'a [String],
    pub body: &'a str,
}

/// Sends one letter through the SMTP server of mailbox `m` (TLS, STARTTLS
/// or plain; the mailbox's sealed password opened here), from the mailbox's
/// address and name. Shared by replies and customer notices.
pub async fn smtp_send(st: &AppState, m: &Mailbox, letter: &SmtpLetter<'_>) -> Result<(), SendError> {
    use lettre::message::header::ContentType;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

    let bad = |what: &str, e: &dyn std::fmt::Display| SendError::Permanent(format!("{what}: {e}"));
    let from_addr: lettre::Address = m.address.parse().map_err(|e| bad("from address", &e))?;
    let to_addr: lettre::Address = letter.to.trim().parse().map_err(|e| bad("to address", &e))?;
    let bracket = |id: &str| format!("<{id}>");
    let mut builder = lettre::Message::builder()
        .from(lettre::message::Mailbox::new(Some(m.name.clone()), from_addr))
        .to(lettre::message::Mailbox::new(None, to_addr))
        .subject(letter.subject.to_string())
        .message_id(Some(bracket(letter.message_id)))
        .header(ContentType::TEXT_PLAIN);
    if !letter.in_reply_to.is_empty() {
        builder = builder.in_reply_to(bracket(letter.in_reply_to));
    }
    if !letter.references.is_empty() {
        builder = builder.references(letter.references.iter().map(|r| bracket(r)).collect::<Vec<_>>().join(" "));
    }
    let message = builder.body(letter.body.to_string()).map_err(|e| bad("letter", &e))?;

    let tls = if m.smtp_tls == "none" {
        Tls::None
    } else {
        let mut params = TlsParameters::builder(m.smtp_host.clone());
        if let Some(path) = &st.mail.extra_ca_file {
            let pem = std::fs::read(path).map_err(|e| bad("CA file", &e))?;
            params = params.add_root_certificate(Certificate::from_pem(&pem).map_err(|e| bad("CA file", &e))?);
        }
        let params = params.build_rustls().map_err(|e| bad("TLS", &e))?;
        if m.smtp_tls == "tls" {
            Tls::Wrapper(params)
        } else {
            Tls::Required(params)
        }
    };
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(m.smtp_host.clone())
        .port(u16::try_from(m.smtp_port).map_err(|e| bad("port", &e))?)
        .tls(tls)
        .timeout(Some(Duration::from_secs(30)));
    if !m.smtp_user.is_empty() {
        let password = st.secrets.open(&m.smtp_password_sealed).map_err(|e| bad("password", &e))?;
        transport = transport.credentials(Credentials::new(m.smtp_user.clone(), password));
    }
    match transport.build().send(message).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
        Err(e) => Err(SendError::Transient(e.to_string())),
    }
}
