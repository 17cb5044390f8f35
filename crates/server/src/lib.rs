//! The HTTP face of Switchboard: the JSON API under `/api/v1` (with its
//! OpenAPI document), the server-rendered UI, authentication, CSRF, the role
//! check on every route, `/healthz` and `/metrics`.
//!
//! Handlers are thin: they validate input, call the store, and render. The
//! one place that decides who may reach a route is [`routes::ROUTES`] together
//! with the [`auth::guard`] middleware.

pub mod alerts;
pub mod analytics_pages;
pub mod api;
pub mod auth;
pub mod chat;
pub mod chat_desk;
pub mod clocks;
pub mod cti;
pub mod customer_api;
pub mod customer_pages;
pub mod desk_api;
pub mod desk_pages;
pub mod dispatch;
pub mod error;
pub mod kb_edit;
pub mod kb_edit_pages;
pub mod kb_pages;
pub mod live;
pub mod mail_api;
pub mod mail_channel;
pub mod metrics;
pub mod notices;
pub mod order_documents;
pub mod order_pages;
pub mod orders_api;
pub mod pages;
pub mod password;
pub mod planning;
pub mod planning_api;
pub mod planning_pages;
pub mod planning_tools;
pub mod planning_xlsx;
pub mod public_pages;
pub mod queue_pages;
pub mod returns;
pub mod routes;
pub mod secret;
pub mod service_pages;
pub mod shop_pages;
pub mod skills;
pub mod state;
pub mod telegram;
pub mod topics;
pub mod work_api;
pub mod work_pages;

pub use state::{AppState, ServerConfig};

use std::net::SocketAddr;

/// Serves `state` on `listener` until ctrl-c / SIGTERM.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let live = state.live.clone();
    let scanner = alerts::spawn_scanner(state.clone(), alerts::SCAN_EVERY);
    let clock = dispatch::spawn_ticker(state.clone(), dispatch::TICK_EVERY);
    let mail = mail_channel::spawn(state.clone());
    let notices = notices::spawn(state.clone());
    let messenger = telegram::spawn(state.clone());
    let app = routes::router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Open event streams would otherwise hold the shutdown forever.
            live.close();
        })
        .await?;
    scanner.abort();
    clock.abort();
    mail.abort();
    notices.abort();
    messenger.abort();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
