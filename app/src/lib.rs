//! The HocSo progressive web app: Leptos, client-side rendered, built by Trunk.
//!
//! One module per feature; views stay thin over `hocso_core`. Browser I/O lives in small layers
//! (`store` for IndexedDB, `content` for lesson packs, `prefs` for local settings, `speech` and
//! `voices` (the team's recordings),
//! `pwa` for the service worker) so components never touch web APIs
//! directly. Not for: rules of the app (those belong in `hocso_core`, tested natively).

pub mod avatars;
pub mod backup;
pub mod bench;
pub mod content;
pub mod home;
pub mod i18n;
pub mod lesson;
pub mod membership;
pub mod not_found;
pub mod offline;
pub mod practice;
pub mod prefs;
pub mod profiles;
pub mod pwa;
pub mod rich_text;
pub mod routes;
pub mod settings;
pub mod speech;
pub mod state;
pub mod store;
pub mod sync;
/// The team tools (sessions, present mode, dashboard, province view): only in the second build.
#[cfg(feature = "team")]
pub mod team_tools;
pub mod topics;
pub mod voices;

/// Mounts the app on `<body>`, in a task of its own: compiling and starting the WASM module is
/// already a long task on a slow phone, and the page can paint and answer a tap in between.
pub fn start() {
    // Release builds trap at once on a panic (see xtask `smallest_wasm`): the hook is for development.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    gloo_timers::callback::Timeout::new(0, || leptos::mount::mount_to_body(routes::App)).forget();
}
