//! `/healthz`: `200 ok` when the database answers a read, else `503` with a sentence (for a load
//! balancer, systemd's watchdog scripts or an uptime check). It reads the database, so it also
//! fails when the file has gone or is damaged, not only when the process has stopped.
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::store::Store;

/// A database that takes longer than this to answer one small read is not healthy.
pub const DATABASE_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn check(store: Store) -> Response {
    match tokio::time::timeout(DATABASE_TIMEOUT, store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(error)) => {
            tracing::error!(%error, "health check: the database cannot be read");
            (StatusCode::SERVICE_UNAVAILABLE, format!("the database cannot be read ({error}): see the server's log\n")).into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the database did not answer within {} s: it may be overloaded or its disk stuck\n", DATABASE_TIMEOUT.as_secs()),
        )
            .into_response(),
    }
}
