//! `/metrics`: what an operator graphs and alerts on, in the Prometheus (OpenMetrics) text format.
//! Counts only, never a team's or a learner's data: pushes stored, events stored and duplicates
//! (phones re-sending what the server has), API refusals by HTTP status, and how long pushes take.
//!
//! Per process: two servers on one database each count their own requests (Prometheus sums them).
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Status {
    status: u16,
}

/// The server's counters; cheap to share (`Arc`).
pub struct Metrics {
    registry: Registry,
    pushes: Counter,
    events_stored: Counter,
    events_duplicate: Counter,
    refusals: Family<Status, Counter>,
    push_seconds: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let (pushes, events_stored, events_duplicate) = (Counter::default(), Counter::default(), Counter::default());
        let refusals = Family::<Status, Counter>::default();
        // 5 ms to about 10 s: a push of 500 events on a busy 2-core laptop is in the middle.
        let push_seconds = Histogram::new(exponential_buckets(0.005, 2.0, 12));
        registry.register("hocso_sync_pushes", "Pushes stored (answered 200)", pushes.clone());
        registry.register("hocso_sync_events_stored", "Events stored for the first time", events_stored.clone());
        registry.register("hocso_sync_events_duplicate", "Events received again and already stored (phones re-sending)", events_duplicate.clone());
        registry.register("hocso_api_refusals", "API answers with an error status, by status", refusals.clone());
        registry.register("hocso_sync_push_duration_seconds", "Time to check and store a push, once its body has arrived", push_seconds.clone());
        Self { registry, pushes, events_stored, events_duplicate, refusals, push_seconds }
    }
}

impl Metrics {
    /// A push that was stored.
    pub fn pushed(&self, stored: u64, duplicates: u64) {
        self.pushes.inc();
        self.events_stored.inc_by(stored);
        self.events_duplicate.inc_by(duplicates);
    }

    /// A push handled (stored or refused) in the time since `started`.
    pub fn push_took(&self, started: Instant) {
        self.push_seconds.observe(started.elapsed().as_secs_f64());
    }

    /// An API answer: counted when it is an error.
    fn answered(&self, status: StatusCode) {
        if status.is_client_error() || status.is_server_error() {
            self.refusals.get_or_create(&Status { status: status.as_u16() }).inc();
        }
    }

    /// The text Prometheus reads.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// The `/metrics` answer.
pub async fn serve(metrics: Arc<Metrics>) -> Response {
    match metrics.encode() {
        Ok(text) => {
            ([(header::CONTENT_TYPE, HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"))], text).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "cannot write the metrics");
            (StatusCode::INTERNAL_SERVER_ERROR, "the metrics could not be written: see the server's log\n").into_response()
        }
    }
}

/// Counts the error answers of the API under `/api/`.
pub async fn count_refusals(metrics: Arc<Metrics>, request: Request<Body>, next: axum::middleware::Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if is_api {
        metrics.answered(response.status());
    }
    response
}
