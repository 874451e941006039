//! Sync between a phone and its team server: the protocol both sides speak ([`protocol`]) and the
//! phone's engine that sends its answers exactly once ([`engine`]).
//!
//! Not here: HTTP, storage and timers. The server implements the protocol in `hocso-server`; the app
//! gives the engine its IndexedDB outbox and a fetch-based transport.
pub mod engine;
pub mod memory;
pub mod protocol;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use engine::{
    Backoff, FailReason, HttpRequest, HttpResponse, Method, NoAnswer, Outbox, OutboxResult, StoreFailure, SyncEngine, SyncStatus, Transport,
};
pub use protocol::*;
