//! Accepting HTTP/1.1 connections so that slow or idle clients cannot hold the server: a header read
//! timeout (hyper's), a cap on open connections (a semaphore around each accepted one; over the cap a
//! short `503 overloaded` answer), the client's address for the handlers (`ConnectInfo<SocketAddr>`)
//! and a graceful shutdown (hyper-util's). Request and body timeouts are layers of the router
//! ([`crate::router`]), so they also hold in tests that serve it another way.
//!
//! With a [`TlsAcceptor`] the same loop serves HTTPS: the TLS handshake runs in the connection's own
//! task, within the header read timeout, so a client that never finishes it holds only its permit.
//!
//! Only HTTP/1.1 (also over TLS): enough for a team's phones, and one code path to keep right.
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::api::error::ApiError;

/// How long and how many: what one client may take of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections open at once; over it a new one gets `503 overloaded` and is closed. Keep it
    /// under the process's open-file limit (often 1,024).
    pub max_connections: usize,
    /// A request's headers must arrive within this (from the connection's first byte, or from the
    /// end of the previous answer on a kept-alive connection: an idle connection is closed too).
    pub header_read_timeout: Duration,
    /// The longest pause while a request body arrives.
    pub body_idle_timeout: Duration,
    /// The longest time from the request's headers to the start of the answer, body included.
    pub request_timeout: Duration,
    /// Waiting for open requests to finish on Ctrl-C / SIGTERM.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            // Headers fit in one packet even on 2G; a phone that is silent this long has gone.
            header_read_timeout: Duration::from_secs(15),
            body_idle_timeout: Duration::from_secs(30),
            // A push of 200 events (about 80 kB) over a poor 2G link takes some 20 s.
            request_timeout: Duration::from_secs(120),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Over-the-cap connections answered `503` at the same time; past these they are simply closed.
const OVERLOAD_ANSWERS: usize = 64;
/// An over-the-cap connection must send its headers quickly to be told why.
const OVERLOAD_HEADER_TIMEOUT: Duration = Duration::from_secs(2);

/// Serves `app` on `listener` until `shutdown` completes, then waits up to
/// `limits.shutdown_grace` for open requests. Every request carries `ConnectInfo<SocketAddr>`.
pub async fn serve_connections(listener: TcpListener, app: Router, limits: ConnectionLimits, shutdown: impl Future<Output = ()>) {
    serve_connections_with(listener, app, limits, None, shutdown).await;
}

/// [`serve_connections`], over TLS when `tls` is given.
pub async fn serve_connections_with(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let overload_permits = Arc::new(Semaphore::new(OVERLOAD_ANSWERS));
    let overloaded = crate::static_files::with_security_headers(Router::new().fallback(overloaded), None);
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let mut refuse = hyper::server::conn::http1::Builder::new();
    refuse.timer(TokioTimer::new()).header_read_timeout(OVERLOAD_HEADER_TIMEOUT).keep_alive(false);
    let mut warned_full = false;

    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_error(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        if let Ok(permit) = permits.clone().try_acquire_owned() {
            warned_full = false;
            let service = with_connect_info(app.clone(), remote);
            let watcher = graceful.watcher();
            let (http, tls) = (http.clone(), tls.clone());
            tokio::spawn(async move {
                if let Some(io) = handshake(stream, tls.as_ref(), limits.header_read_timeout, remote).await {
                    if let Err(error) = watcher.watch(http.serve_connection(TokioIo::new(io), service)).await {
                        tracing::debug!(%remote, %error, "connection ended with an error");
                    }
                }
                drop(permit);
            });
        } else if let Ok(permit) = overload_permits.clone().try_acquire_owned() {
            if !warned_full {
                tracing::warn!(max = limits.max_connections, "connection limit reached: new connections get 503 overloaded");
                warned_full = true;
            }
            let service = with_connect_info(overloaded.clone(), remote);
            let (refuse, tls) = (refuse.clone(), tls.clone());
            tokio::spawn(async move {
                if let Some(io) = handshake(stream, tls.as_ref(), OVERLOAD_HEADER_TIMEOUT, remote).await {
                    let _ = refuse.serve_connection(TokioIo::new(io), service).await;
                }
                drop(permit);
            });
        }
        // Else: dropped at once, the cheapest answer to a flood.
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await.is_err() {
        tracing::warn!("some requests were still running after {:?}: stopped anyway", limits.shutdown_grace);
    }
}

/// A connection's byte stream, plain or TLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The stream to speak HTTP on: the TCP stream itself, or the TLS stream once the handshake has
/// finished within `timeout` (`None`, logged, when it failed: a client that does not trust the
/// certificate closes here).
async fn handshake(stream: TcpStream, tls: Option<&TlsAcceptor>, timeout: Duration, remote: SocketAddr) -> Option<Box<dyn Io>> {
    let Some(acceptor) = tls else { return Some(Box::new(stream)) };
    match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => Some(Box::new(stream)),
        Ok(Err(error)) => {
            tracing::debug!(%remote, %error, "TLS handshake failed");
            None
        }
        Err(_) => {
            tracing::debug!(%remote, "TLS handshake took too long");
            None
        }
    }
}

/// The router as hyper's service, with the client's address where axum's `ConnectInfo` looks.
fn with_connect_info(
    app: Router,
    remote: SocketAddr,
) -> TowerToHyperService<impl tower::Service<Request<Incoming>, Response = axum::response::Response, Error = Infallible, Future = impl Send> + Clone>
{
    TowerToHyperService::new(tower::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        app.clone().oneshot(request.map(axum::body::Body::new))
    }))
}

async fn overloaded() -> axum::response::Response {
    let mut response =
        ApiError::client(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "the server has too many connections open right now: try again in a minute")
            .into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    response
}

/// Errors of one connection (the client went away before being accepted) are not worth a pause;
/// others (out of file descriptors) are logged and retried after a second, as axum does.
async fn accept_error(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(error.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset) {
        return;
    }
    tracing::error!(%error, "cannot accept connections: retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
