//! HocSo's core: the rules of the app, in pure Rust with no browser and no server.
//!
//! It holds what both the WASM app and the `hocso` server must agree on: UI-string lookup with
//! per-key fallback ([`i18n`]), and lessons: their format, checker and content packs ([`content`]).
//! It never touches storage, the network or the DOM (only `content` reads and writes the content
//! folder, for the `hocso` CLI and the build), so everything here is tested natively and fast; the
//! app and the server are thin shells over it.

pub mod audio;
pub mod backup;
pub mod content;
pub mod date;
pub mod events;
pub mod i18n;
pub mod practice;
pub mod profile;
pub mod progress;
pub mod recordings;
pub mod reports;
pub mod sessions;
pub mod sync;
pub mod translate;
mod wire;
