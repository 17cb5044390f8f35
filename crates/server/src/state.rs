//! Shared state of the server and its settings.

use std::sync::{Arc, RwLock};

use domain::service_levels::ServiceLevels;

use i18n::Catalog;
use store::Store;

use crate::dispatch::Dispatcher;
use crate::live::LiveHub;
use crate::mail_channel::MailConfig;
use crate::metrics::Metrics;
use crate::notices::{NoticeConfig, NoticeSenders};
use crate::password::HashCost;
use crate::secret::SecretBox;

/// Settings of the HTTP server (from the CLI, the TOML file or `SWITCHBOARD_*`).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body accepted, in bytes (1 MiB by default).
    pub body_limit: usize,
    /// How long a browser session lasts, in milliseconds.
    pub session_ttl_ms: i64,
    /// Mark cookies `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// Failed sign-ins allowed per login or address in the window below.
    pub sign_in_max_failures: i64,
    pub sign_in_window_ms: i64,
    /// Cost of password hashing.
    pub hash_cost: HashCost,
    /// The key sealing secrets at rest (mailbox passwords); `None` makes a
    /// random one for this process only (tests): sealed values then do not
    /// survive a restart.
    pub secret_key: Option<crate::secret::SecretKey>,
    /// The email channel's timings and extra trusted CA.
    pub mail: MailConfig,
    /// The customer notice worker's timings and the public address.
    pub notices: NoticeConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit: 1024 * 1024,
            session_ttl_ms: 12 * 3600 * 1000,
            secure_cookies: false,
            sign_in_max_failures: 5,
            sign_in_window_ms: 15 * 60 * 1000,
            hash_cost: HashCost::default(),
            secret_key: None,
            mail: MailConfig::default(),
            notices: NoticeConfig::default(),
        }
    }
}

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ServerConfig>,
    pub catalog: Arc<Catalog>,
    pub metrics: Arc<Metrics>,
    /// The routing engine, rebuilt from the store at start.
    pub dispatch: Arc<Dispatcher>,
    /// The knowledge-base search index, built from the store at start.
    pub kb: Arc<kb::KbIndex>,
    /// Live updates for open browsers (the dispatcher publishes on it).
    pub live: LiveHub,
    /// Seals and opens secrets stored in the database (mailbox passwords).
    pub secrets: Arc<SecretBox>,
    /// The email channel's settings.
    pub mail: Arc<MailConfig>,
    /// The senders customer notices leave through (`notices::NoticeSenders::register`).
    pub notices: Arc<NoticeSenders>,
    /// The notice worker's settings.
    pub notice_config: Arc<NoticeConfig>,
    /// Renders notices (administrators' texts over the catalogue's).
    pub notice_texts: Arc<crate::notices::NoticeRenderer>,
    /// Open web chat sockets, one broadcast channel per session.
    pub chat: Arc<crate::chat::ChatHub>,
    /// SLA targets and legal presets in force, read from the store at start
    /// and replaced when an administrator saves them.
    service_levels: Arc<RwLock<Arc<ServiceLevels>>>,
}

impl AppState {
    /// Loads the catalogue and rebuilds routing from the store.
    pub async fn new(store: Store, config: ServerConfig) -> anyhow::Result<AppState> {
        let dispatch = Dispatcher::rebuild(&store).await?;
        let kb = kb::KbIndex::with_articles(&crate::kb_pages::stored_articles(&store).await?)?;
        let levels = store.service_levels().await?;
        let catalog = Arc::new(Catalog::load()?);
        let notice_texts = Arc::new(crate::notices::NoticeRenderer::new(catalog.clone(), store.notice_texts().await?));
        store.set_notice_text(notice_texts.clone());
        let key = config.secret_key.map(|k| k.0).unwrap_or_else(SecretBox::generate_key);
        Ok(AppState {
            secrets: Arc::new(SecretBox::new(&key)),
            mail: Arc::new(config.mail.clone()),
            notices: Arc::new(NoticeSenders::standard()),
            notice_texts,
            notice_config: Arc::new(config.notices.clone()),
            chat: Arc::new(crate::chat::ChatHub::default()),
            store,
            config: Arc::new(config),
            catalog,
            metrics: Arc::new(Metrics::new(crate::routes::ROUTES.len())),
            live: dispatch.live().clone(),
            service_levels: Arc::new(RwLock::new(Arc::new(levels))),
            dispatch: Arc::new(dispatch),
            kb: Arc::new(kb),
        })
    }
}

impl AppState {
    /// The service levels in force now.
    pub fn service_levels(&self) -> Arc<ServiceLevels> {
        match self.service_levels.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Validates, stores and puts in force new service levels.
    pub async fn set_service_levels(&self, levels: ServiceLevels, actor: &store::AuditActor) -> store::Result<()> {
        self.store.set_service_levels(&levels, actor).await?;
        let fresh = Arc::new(levels);
        match self.service_levels.write() {
            Ok(mut g) => *g = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }
}
