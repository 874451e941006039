//! The `hocso` server: serves the built PWA from `dist/` (and, later, the team sync API).
//!
//! Not for: rules of the app (in `hocso_core`) or building anything (that is `cargo xtask build`).

pub mod static_files;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// Everything `hocso serve` needs, read once at start.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    /// The built app (`cargo xtask build` writes it).
    pub dist: PathBuf,
}

/// The whole HTTP application: every endpoint is assembled here.
pub fn app(config: &ServeConfig) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .fallback_service(static_files::service(&config.dist))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Checks the configuration, binds the port and serves until Ctrl-C / SIGTERM, finishing in-flight
/// requests. Errors say what to do.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    static_files::check_dist(&config.dist)?;
    let listener = tokio::net::TcpListener::bind(config.addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!(
                "{} is already in use: stop the program using it, or choose another with --port",
                config.addr
            )
        } else {
            anyhow::Error::new(e).context(format!("cannot listen on {}", config.addr))
        }
    })?;
    let local = listener.local_addr().context("reading the bound address")?;
    println!("HocSo is running at http://{local}/  (Ctrl-C to stop)");
    axum::serve(listener, app(&config))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server error")?;
    println!("HocSo stopped.");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut sig) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            sig.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
