//! The `hocso` server: serves the built PWA from `dist/` and the team sync API under `/api/v1`.
//!
//! Not for: rules of the app (in `hocso_core`) or building anything (that is `cargo xtask build`).

pub mod admin_cli;
pub mod api;
pub mod backup;
pub mod connections;
pub mod content_cli;
pub mod dashboard;
pub mod embedded;
pub mod health;
pub mod import_recordings;
pub mod metrics;
pub mod proxy;
pub mod public_url;
pub mod static_files;
pub mod store;
pub mod team_cli;
pub mod tls;
pub mod translate_cli;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
pub use connections::{serve_connections, serve_connections_with, ConnectionLimits};
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

/// Everything `hocso serve` needs, read once at start.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    /// The built app (`cargo xtask build` writes it).
    pub dist: PathBuf,
    /// A SQLite file path or `sqlite:` URL, or a `postgres://` URL (`--database`, `DATABASE_URL`).
    pub database: String,
    pub limits: Limits,
    /// Timeouts and the connection cap: what one slow client may hold.
    pub connections: ConnectionLimits,
    /// HTTPS with this certificate and key (`--tls-cert`, `--tls-key`); plain HTTP without.
    pub tls: Option<tls::TlsFiles>,
    /// A plain-HTTP port that only redirects to HTTPS (`--redirect-http-from`, with `tls`).
    pub redirect_http_from: Option<u16>,
    /// A reverse proxy in front: client addresses from `X-Forwarded-For`, HTTPS from
    /// `X-Forwarded-Proto` (`--trust-proxy`; see [`proxy`]).
    pub trust_proxy: bool,
    /// The server's https address (`--public-url`, checked by [`public_url::parse`]), offered by
    /// pages opened over plain HTTP.
    pub public_url: Option<String>,
    /// The content folder trainers publish into (`--content DIR`, see [`api::content`]); without
    /// it, publishing answers `409`.
    pub content: Option<PathBuf>,
}

/// Default database file, next to where `hocso` runs.
pub const DEFAULT_DATABASE: &str = "hocso.db";

impl ServeConfig {
    pub fn new(addr: SocketAddr, dist: PathBuf, database: impl Into<String>) -> Self {
        Self {
            addr,
            dist,
            database: database.into(),
            limits: Limits::default(),
            connections: ConnectionLimits::default(),
            tls: None,
            redirect_http_from: None,
            trust_proxy: false,
            public_url: None,
            content: None,
        }
    }
}

/// Request rates the API accepts (sizes and batch limits are protocol constants in `hocso_core::sync`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Requests one device token may make at once…
    pub requests_burst: u32,
    /// …and per second after that.
    pub requests_per_second: f64,
    /// Joins (all devices together) at once and per second: join codes cannot be guessed by trying.
    pub joins_burst: u32,
    pub joins_per_second: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { requests_burst: 60, requests_per_second: 5.0, joins_burst: 300, joins_per_second: 10.0 }
    }
}

/// Opens the database and assembles the whole HTTP application.
pub async fn app(config: &ServeConfig) -> anyhow::Result<Router> {
    let store = store::Store::open(&config.database).await?;
    Ok(router(config, store))
}

/// The whole HTTP application over an open store: every endpoint is assembled here. Serve it with
/// [`serve_connections`] (or axum's `into_make_service_with_connect_info::<SocketAddr>()`): the API
/// reads the client's address.
pub fn router(config: &ServeConfig, store: store::Store) -> Router {
    let mut state = api::AppState::new(store.clone(), config.limits, config.dist.clone());
    state.content = config.content.clone().map(|dir| std::sync::Arc::new(api::content::ContentSource::new(dir, config.dist.join("content"))));
    let metrics = state.metrics.clone();
    let request_timeout = config.connections.request_timeout;
    let public_url = config.public_url.clone();
    let app = Router::new()
        .route("/healthz", get(move || health::check(store.clone())))
        .route(
            "/metrics",
            get({
                let metrics = metrics.clone();
                move || metrics::serve(metrics.clone())
            }),
        )
        .route("/api/v1/server", get(move || public_url::info(public_url.clone())))
        .nest("/api/v1", api::router(state))
        .fallback_service(static_files::service(&config.dist))
        // Sound is compressed already (Opus, AAC): gzip would only cost the laptop's CPU.
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(NotForContentType::const_new("audio/"))))
        // A body that stops arriving fails the handler reading it; a request that takes too long
        // altogether (a body dripping in) is answered 408.
        .layer(RequestBodyTimeoutLayer::new(config.connections.body_idle_timeout))
        .layer(axum::middleware::from_fn(move |request, next: axum::middleware::Next| async move {
            match tokio::time::timeout(request_timeout, next.run(request)).await {
                Ok(response) => response,
                Err(_) => axum::response::IntoResponse::into_response(api::error::ApiError::client(
                    StatusCode::REQUEST_TIMEOUT,
                    "request_timeout",
                    format!("the request took longer than {} s to arrive: try again", request_timeout.as_secs()),
                )),
            }
        }))
        .layer(axum::middleware::from_fn(move |request, next| metrics::count_refusals(metrics.clone(), request, next)))
        .layer(TraceLayer::new_for_http());
    let app = tls::with_hsts(app, config.tls.is_some(), config.trust_proxy);
    let app = proxy::with_forwarded_client(app, config.trust_proxy);
    static_files::with_security_headers(app, Some(&config.dist))
}

/// Checks the configuration, binds the port(s) and serves until Ctrl-C / SIGTERM, finishing in-flight
/// requests. Errors say what to do.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    static_files::check_dist(&config.dist)?;
    check_database_outside_dist(&config.database, &config.dist)?;
    let tls = config.tls.as_ref().map(tls::acceptor).transpose()?;
    if let Some(content) = &config.content {
        println!("{}", api::content::build_at_start(content, &config.dist.join("content"))?);
    }
    if config.redirect_http_from.is_some() && tls.is_none() {
        anyhow::bail!("--redirect-http-from sends browsers to HTTPS, which needs --tls-cert and --tls-key");
    }
    let listener = bind(config.addr).await?;
    let local = listener.local_addr().context("reading the bound address")?;
    let redirect = match config.redirect_http_from {
        Some(port) => Some(bind(SocketAddr::new(config.addr.ip(), port)).await?),
        None => None,
    };
    // Held while serving: `hocso restore` refuses to replace the database under a running server.
    let in_use = backup::hold_in_use(&config.database)?;
    let store = store::Store::open(&config.database).await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("HocSo is running at {scheme}://{local}/  (Ctrl-C to stop)");
    // One Ctrl-C / SIGTERM stops every listener.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let grace = config.connections.shutdown_grace;
    let stop_on_signal = tokio::spawn(async move {
        shutdown_signal().await;
        println!("Stopping: open requests have {} s to finish.", grace.as_secs());
        let _ = stop.send(true);
    });
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let redirecting = redirect.map(|listener| {
        if let Ok(from) = listener.local_addr() {
            println!("Plain HTTP on http://{from}/ redirects to HTTPS");
        }
        tokio::spawn(serve_connections(listener, tls::redirect_router(local.port()), config.connections, until_stopped(stopped.clone())))
    });
    serve_connections_with(listener, router(&config, store.clone()), config.connections, tls, until_stopped(stopped)).await;
    if let Some(task) = redirecting {
        let _ = task.await;
    }
    stop_on_signal.abort();
    store.close().await;
    drop(in_use);
    println!("HocSo stopped.");
    Ok(())
}

async fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!("{addr} is already in use: stop the program using it, or choose another port"),
        std::io::ErrorKind::PermissionDenied => {
            anyhow::anyhow!(
                "not allowed to listen on {addr}: ports under 1024 need root or the CAP_NET_BIND_SERVICE capability (see the README's systemd unit)"
            )
        }
        _ => anyhow::Error::new(e).context(format!("cannot listen on {addr}")),
    })
}

/// Everything under `dist/` is served to anyone: the database must not be there.
fn check_database_outside_dist(database: &str, dist: &std::path::Path) -> anyhow::Result<()> {
    if store::is_postgres_url(database) {
        return Ok(());
    }
    let path = std::path::Path::new(database.strip_prefix("sqlite://").or(database.strip_prefix("sqlite:")).unwrap_or(database));
    let absolute = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    if absolute(path).starts_with(absolute(dist)) {
        anyhow::bail!("the database {} is inside {}, which is served to everyone: choose another --database", path.display(), dist.display());
    }
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
