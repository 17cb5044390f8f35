//! `switchboard`: the one binary. Subcommands run the demo, serve production,
//! migrate the database and administer users without the UI. Configuration
//! comes from flags, `SWITCHBOARD_*` environment variables and an optional
//! TOML file, in that order of precedence.

mod catalogue_cli;
mod config;
mod secret_key;
mod users;
mod wfm_cli;
mod wfm_planning_cli;
mod wfm_schedule_cli;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use server::{AppState, ServerConfig};
use store::{AuditActor, Store};

use crate::config::FileConfig;

#[derive(Parser)]
#[command(name = "switchboard", version, about = "Open-source contact centre and order desk in one binary")]
struct Cli {
    /// TOML configuration file (keys: database, listen, body_limit, session_ttl_hours, secure_cookies).
    #[arg(long, global = true, env = "SWITCHBOARD_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a demo on an embedded SQLite database seeded with realistic data.
    Demo {
        /// Address to listen on.
        #[arg(long, env = "SWITCHBOARD_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Folder for the demo database (created if missing, reused if present).
        #[arg(long, env = "SWITCHBOARD_DATA", default_value = "./switchboard-demo")]
        data: PathBuf,
        /// The bank's 5-minute call volumes that shape the demo history
        /// (default: ../shared/data/bank_calls_5min.csv, looked for near the
        /// working folder and the source tree).
        #[arg(long, env = "SWITCHBOARD_BANK_CSV")]
        bank_csv: Option<PathBuf>,
        /// Keep new contacts arriving while the demo runs, at the bank's
        /// pace for the local time of day (a new one every ~5–20 s by day).
        #[arg(
            long,
            env = "SWITCHBOARD_DEMO_LIVE",
            default_value = "true",
            value_name = "true|false",
            action = clap::ArgAction::Set,
            value_parser = clap::builder::BoolishValueParser::new()
        )]
        live_contacts: bool,
    },
    /// Serve the UI and API on a database; migrations run on start.
    Serve {
        /// `sqlite://PATH` or `postgres://USER@HOST/DB`.
        #[arg(long, env = "SWITCHBOARD_DATABASE")]
        database: Option<String>,
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, env = "SWITCHBOARD_LISTEN")]
        listen: Option<String>,
    },
    /// Bring the database schema up to date and exit.
    Migrate {
        #[arg(long, env = "SWITCHBOARD_DATABASE")]
        database: Option<String>,
    },
    /// Administer users without the UI.
    User {
        #[arg(long, env = "SWITCHBOARD_DATABASE", global = true)]
        database: Option<String>,
        #[command(subcommand)]
        action: users::UserCommand,
    },
    /// The order desk's catalogue: import or export a CSV/XLSX file (docs/RETAIL.md).
    Catalogue {
        #[command(subcommand)]
        action: catalogue_cli::CatalogueCommand,
    },
    /// Workforce planning: Erlang staffing and volume forecasts.
    Wfm {
        #[command(subcommand)]
        action: wfm_cli::WfmCommand,
    },
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SWITCHBOARD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let file = FileConfig::load(cli.config.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match runtime.block_on(run(cli.command, file)) {
        Ok(()) => Ok(std::process::ExitCode::SUCCESS),
        // A refused input (bad catalogue file): its own exit code for scripts.
        Err(e) if e.is::<catalogue_cli::Refused>() => {
            eprintln!("Error: {e:#}");
            Ok(std::process::ExitCode::from(2))
        }
        Err(e) => Err(e),
    }
}

async fn run(command: Command, file: FileConfig) -> anyhow::Result<()> {
    match command {
        Command::Demo { listen, data, bank_csv, live_contacts } => {
            demo(&listen, &data, bank_csv.as_deref(), live_contacts, &file).await
        }
        Command::Serve { database, listen } => {
            let url = file.database_url(database)?;
            let listen = listen.or(file.listen.clone()).unwrap_or_else(|| "127.0.0.1:8080".into());
            let store = open(&url).await?;
            let mut config = file.server_config();
            config.secret_key = Some(secret_key::resolve(&secret_key::default_file(&url))?);
            config.mail = server::mail_channel::MailConfig::from_env();
            config.notices = server::notices::NoticeConfig::from_env();
            serve(store, &listen, config, None).await
        }
        Command::Migrate { database } => {
            let url = file.database_url(database)?;
            open(&url).await?;
            println!("migrated {}", redact(&url));
            Ok(())
        }
        Command::User { database, action } => {
            let url = file.database_url(database)?;
            let store = open(&url).await?;
            users::run(&store, action, file.server_config().hash_cost).await
        }
        Command::Catalogue { action } => catalogue_cli::run(action, &file).await,
        Command::Wfm { action } => wfm_cli::run(action),
    }
}

/// Connects and migrates.
async fn open(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url).await.with_context(|| format!("cannot open {}", redact(url)))?;
    store.migrate().await.context("migration failed")?;
    Ok(store)
}

/// Binds, builds the server state, and serves (see [`serve_state`]).
async fn serve(store: Store, listen: &str, config: ServerConfig, banner: Option<String>) -> anyhow::Result<()> {
    let listener = bind(listen).await?;
    let state = AppState::new(store, config).await?;
    serve_state(state, listener, banner).await
}

async fn bind(listen: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))
}

/// Prints `banner` and the URL line (`Switchboard demo: http://…/` for the
/// demo — scripts wait for it), and serves until stopped.
async fn serve_state(state: AppState, listener: tokio::net::TcpListener, banner: Option<String>) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    match banner {
        Some(b) => println!("{b}Switchboard demo: http://{addr}/"),
        None => println!("Switchboard serving: http://{addr}/"),
    }
    server::serve(state, listener).await?;
    Ok(())
}

async fn demo(listen: &str, data: &Path, bank_csv: Option<&Path>, live: bool, file: &FileConfig) -> anyhow::Result<()> {
    std::fs::create_dir_all(data).with_context(|| format!("cannot create {}", data.display()))?;
    let db = data.join("switchboard.db");
    let url = format!("sqlite://{}", db.display());
    let store = open(&url).await?;
    let mut config = file.server_config();
    config.secret_key = Some(secret_key::resolve(&data.join("switchboard.key"))?);
    config.mail = server::mail_channel::MailConfig::from_env();
    config.notices = server::notices::NoticeConfig::from_env();
    let fresh = store.count_users().await? == 0;
    // Seeding needs the bank's profile; the live stream only prefers it.
    let csv = if fresh || live {
        let read = find_bank_csv(bank_csv)
            .and_then(|p| std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display())));
        match read {
            Ok(text) => Some(text),
            Err(e) if !fresh => {
                eprintln!("Live contacts arrive at a flat pace: {e:#}");
                None
            }
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    if let (true, Some(csv)) = (fresh, csv.as_deref()) {
        eprintln!("Seeding demo data into {} (first start; takes a little while)…", db.display());
        let cost = config.hash_cost;
        let hash = move |p: &str| server::password::hash(p, cost).unwrap_or_default();
        server::work_api::install_catalog_notices(&store)?;
        let seeded = demo::seed(&store, csv, store::now_ms(), &hash).await.map_err(|e| anyhow::anyhow!(e))?;
        eprintln!(
            "Seeded {} users, {} customers, {} past contacts, {} open contacts, {} catalogue items, {} past orders, \
             {} client accounts ({} events).",
            seeded.users.len(),
            seeded.customers,
            seeded.contacts,
            seeded.open_contacts,
            seeded.catalogue_items,
            seeded.orders,
            seeded.accounts,
            seeded.events
        );
        // The planner's room: history from those contacts, forecast, staffing, a published schedule.
        match server::planning_api::seed_demo(&store, store::now_ms()).await {
            Ok(p) => eprintln!(
                "Seeded planning: history {}, forecast {}, schedule {} (published).",
                p.series, p.forecast, p.schedule
            ),
            Err(e) => eprintln!("Planning demo data skipped: {}", e.message),
        }
    } else {
        eprintln!("Reusing demo data in {}.", db.display());
    }
    let mut banner = String::from("Demo logins (as seeded):\n");
    for u in demo::users() {
        let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
        banner.push_str(&format!("  login {:<14} password {:<22} roles {}\n", u.login, u.password, roles.join(",")));
    }
    let listener = bind(listen).await?;
    let state = AppState::new(store, config).await?;
    if live {
        let bank = match csv.as_deref().map(demo::parse_bank_calls) {
            Some(Ok(days)) => days,
            Some(Err(e)) => {
                eprintln!("Live contacts arrive at a flat pace: bank call profile: {e}");
                Vec::new()
            }
            None => Vec::new(),
        };
        tokio::spawn(live_contacts(state.clone(), demo::ArrivalProfile::from_bank(&bank)));
    }
    serve_state(state, listener, Some(banner)).await
}

/// The demo's live stream: registers a new contact through the dispatcher
/// (so it is routed like any other) after each gap drawn from `profile`,
/// until the process ends. Pauses while [`demo::LIVE_MAX_WAITING`] contacts
/// are waiting; a failed step is logged and the stream goes on.
async fn live_contacts(state: AppState, profile: demo::ArrivalProfile) {
    let seed = store::now_ms().unsigned_abs();
    let customers: Vec<i64> = match state.store.list_customers(100_000, 0).await {
        Ok(list) => list.into_iter().map(|c| c.id).collect(),
        Err(e) => {
            tracing::warn!("live contacts come without customers: {e}");
            Vec::new()
        }
    };
    for n in 0u64.. {
        let gap = profile.gap_ms(store::now_ms(), seed, n);
        tokio::time::sleep(std::time::Duration::from_millis(gap)).await;
        if let Err(e) = live_contact(&state, seed, n, &customers).await {
            tracing::warn!("live contact {n} not created: {e:#}");
        }
    }
}

async fn live_contact(state: &AppState, seed: u64, n: u64, customers: &[i64]) -> anyhow::Result<()> {
    let queues = state.store.list_queues().await?;
    let mut waiting = 0;
    for q in &queues {
        waiting += state.dispatch.waiting(q.id).await;
    }
    if waiting >= demo::LIVE_MAX_WAITING {
        return Ok(());
    }
    let draft = demo::open_contact(seed, n, customers);
    let Some(queue) = queues.iter().find(|q| q.code == draft.queue) else {
        bail!("no queue {}", draft.queue);
    };
    let c = state.dispatch.create_contact(&state.store, &draft.into_new(queue.id), &AuditActor::demo()).await?;
    tracing::debug!("live contact {} in {}", c.id, queue.code);
    Ok(())
}

/// Where the bank's call volumes are: the flag, or the shared data folder
/// beside the working folder or beside the source tree.
fn find_bank_csv(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    let rel = Path::new("shared/data/bank_calls_5min.csv");
    let mut candidates = vec![Path::new("..").join(rel), rel.to_path_buf()];
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..").join(rel));
    for c in &candidates {
        if c.is_file() {
            return Ok(c.clone());
        }
    }
    bail!(
        "bank_calls_5min.csv not found (looked at {}); pass --bank-csv PATH",
        candidates.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(", ")
    )
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://sb:secret@db/sb"), "postgres://sb:***@db/sb");
        assert_eq!(redact("postgres://sb@db/sb"), "postgres://sb@db/sb");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}
