//! The offline shell's visible side: the "new version — reload" banner.
//!
//! `public/pwa.js` registers the service worker (it must run even before the WASM loads) and sets
//! `window.hocsoPwa.updateReady` / fires `hocso-update-ready` when a newer build has installed.
//! It also asks the worker to keep the team tools offline on a team leader's phone.
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = hocsoPwa, js_name = isUpdateReady)]
    fn is_update_ready() -> bool;
    #[wasm_bindgen(js_namespace = hocsoPwa, js_name = isUpdating)]
    fn is_updating_js() -> bool;
    #[wasm_bindgen(js_namespace = hocsoPwa, js_name = applyUpdate)]
    fn apply_update();
    #[wasm_bindgen(js_namespace = hocsoPwa, js_name = prepareTeamTools)]
    fn prepare_team_tools_promise() -> js_sys::Promise;
    #[wasm_bindgen(js_namespace = hocsoPwa, js_name = whenControlled)]
    fn when_controlled_promise() -> js_sys::Promise;
}

/// True in a secure context (https, or localhost): only there do browsers offer a service worker,
/// persistent storage and `crypto.randomUUID`. On `http://` with a LAN name or address they are
/// missing, and the app must still work (without offline use).
pub fn is_secure_context() -> bool {
    web_sys::window().is_some_and(|w| w.is_secure_context())
}

/// Resolves true once a service worker controls this page (its fetches are then kept for offline
/// use); false without one, or if none took the page within a minute.
pub async fn when_controlled() -> bool {
    if !pwa_script_loaded() {
        return false;
    }
    wasm_bindgen_futures::JsFuture::from(when_controlled_promise()).await.ok().and_then(|v| v.as_bool()).unwrap_or(false)
}

/// True once the learner tapped "reload" for a new version: the page is about to reload, and the
/// new service worker takes over only when the old one has no work left, so downloads stop.
pub fn is_updating() -> bool {
    pwa_script_loaded() && is_updating_js()
}

fn pwa_script_loaded() -> bool {
    web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"hocsoPwa".into()).ok()).is_some_and(|v| v.is_object())
}

/// Asks the service worker to keep the team tools (a second, separately built app under `/team/`)
/// for offline use; true once they are stored. False without a service worker or on a failure.
pub async fn prepare_team_tools() -> bool {
    if !pwa_script_loaded() {
        return false;
    }
    wasm_bindgen_futures::JsFuture::from(prepare_team_tools_promise()).await.ok().and_then(|v| v.as_bool()).unwrap_or(false)
}

#[component]
pub fn UpdateBanner() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let ready = RwSignal::new(pwa_script_loaded() && is_update_ready());
    let listener = window_event_listener_untyped("hocso-update-ready", move |_| ready.set(true));
    on_cleanup(move || listener.remove());
    view! {
        <Show when=move || ready.get()>
            <div class="update-banner" role="status">
                <span>{move || i18n.t("pwa.update_ready")}</span>
                <button class="big-button" on:click=move |_| apply_update()>{move || i18n.t("pwa.reload")}</button>
            </div>
        </Show>
    }
}
