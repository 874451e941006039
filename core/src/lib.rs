//! HocSo's core: the rules of the app, in pure Rust with no browser and no server.
//!
//! It holds what both the WASM app and the `hocso` server must agree on: UI-string lookup with
//! per-key fallback ([`i18n`]). It never touches storage, the network or the DOM, so everything here
//! is tested natively and fast; the app and the server are thin shells over it.

pub mod i18n;
pub mod topics;
