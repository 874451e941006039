//! The HocSo progressive web app: Leptos, client-side rendered, built by Trunk.
//!
//! One module per feature; views stay thin over `hocso_core`. Browser I/O lives in small layers
//! (`prefs` for local settings, `pwa` for the service worker) so components never touch web APIs
//! directly. Not for: rules of the app (those belong in `hocso_core`, tested natively).

pub mod home;
pub mod i18n;
pub mod not_found;
pub mod prefs;
pub mod pwa;
pub mod routes;
pub mod settings;
pub mod topics;

/// Mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(routes::App);
}
