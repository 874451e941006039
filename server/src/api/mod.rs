//! The team sync API under `/api/v1`: every endpoint is listed in [`router`].
//!
//! One module per resource (`devices`, `sync`, `dashboard`, `recordings`, `content`), one error type ([`error::ApiError`]), and the
//! extractors that authenticate and rate-limit a device ([`auth`]) or read JSON ([`json`]).
pub mod auth;
pub mod content;
pub mod dashboard;
pub mod devices;
pub mod error;
pub mod json;
pub mod rate_limit;
pub mod recordings;
pub mod sync;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use hocso_core::content::MAX_UPLOAD_BYTES;
use hocso_core::sync::MAX_BODY_BYTES;

use crate::store::Store;
use crate::Limits;
use error::ApiError;
use rate_limit::RateLimiter;

/// Failed authentications and joins one client address may make at once…
pub const FAILURES_BURST: u32 = 30;
/// …and per second after that (one every 2 s): a phone with a stale token fails once and stops;
/// whoever keeps trying unknown tokens or codes is answered `429` without a database lookup.
pub const FAILURES_PER_SECOND: f64 = 0.5;

/// What every handler may use, built once at start.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub limits: Limits,
    /// Per device token.
    pub device_limiter: Arc<RateLimiter>,
    /// All joins together: join codes must not be guessable by trying many.
    pub join_limiter: Arc<RateLimiter>,
    /// Failed authentications (unknown tokens) and joins (wrong codes) per client address, checked
    /// before the database is asked (see [`auth::ClientAddr`]).
    pub failure_limiter: Arc<RateLimiter>,
    pub catalogue: Arc<sync::Catalogue>,
    /// Counters of `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The content folder lessons are published from (`hocso serve --content DIR`), if any.
    pub content: Option<Arc<content::ContentSource>>,
}

impl AppState {
    pub fn new(store: Store, limits: Limits, dist: PathBuf) -> Self {
        Self {
            store,
            device_limiter: Arc::new(RateLimiter::new(limits.requests_burst, limits.requests_per_second)),
            join_limiter: Arc::new(RateLimiter::new(limits.joins_burst, limits.joins_per_second)),
            failure_limiter: Arc::new(RateLimiter::new(FAILURES_BURST, FAILURES_PER_SECOND)),
            catalogue: Arc::new(sync::Catalogue::new(dist.join("content").join("catalogue.json"))),
            metrics: Arc::default(),
            content: None,
            limits,
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/devices/join", post(devices::join))
        .route("/sync/push", post(sync::push))
        .route("/sync/pull", get(sync::pull))
        .route("/team/dashboard", get(dashboard::team))
        .route("/team/export.csv", get(dashboard::team_csv))
        .route("/team/sessions.csv", get(dashboard::sessions_csv))
        .route("/admin/teams", get(dashboard::admin_teams))
        .route("/recordings", get(recordings::list))
        .route(
            "/recordings/{id}",
            // A recording is up to 600 kB: its own limit, under the API's 1 MB.
            put(recordings::upload).layer(DefaultBodyLimit::max(recordings::MAX_UPLOAD_BODY_BYTES)).delete(recordings::delete),
        )
        .route("/recordings/{id}/approve", post(recordings::approve))
        .route("/recordings/{id}/audio", get(recordings::audio))
        // Lessons with their pictures and sounds: a larger body than sync's, on these two only.
        .route("/content/check", post(content::check).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/content/publish", post(content::publish).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .fallback(|| async { ApiError::client(StatusCode::NOT_FOUND, "not_found", "no such API endpoint: see the README's \"Sync protocol\"") })
        .method_not_allowed_fallback(|| async {
            ApiError::client(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this endpoint does not take that method")
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
