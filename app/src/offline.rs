//! Offline after one visit. Once the first screen is up, every topic's lessons in the phone's
//! language (and Vietnamese, the fallback) with their pictures are fetched in the background
//! through the service worker, which keeps them; again whenever the catalogue or the language
//! changes. The home screen says in one short line when the phone is ready to learn with no signal,
//! and what is still missing while it is not. Sound (large) stays behind each topic's "Tải về".
//!
//! On plain `http://` (a village Wi-Fi address) there is no service worker, so nothing can be kept
//! for offline use: the line then says to open the team's https address instead.
use hocso_core::content::Catalogue;
use hocso_core::i18n::{LOCALES, REFERENCE_LOCALE};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::content::{download_all, download_topic, topic_versions, ContentError, Media, CATALOGUE_URL};
use crate::i18n::use_i18n;
use crate::state::AppState;
use crate::store;

/// How ready this phone is to learn with no network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Not known yet (the catalogue is loading, or the first screen is still being drawn).
    Unknown,
    Preparing {
        done: usize,
        total: usize,
    },
    Ready,
    /// These topics could not be fetched (no signal, or the server failed): tried again when the
    /// phone comes back online or the app is opened again.
    Missing {
        topics: usize,
    },
    /// Not a secure context: the browser keeps nothing for offline use on this address.
    Insecure,
}

/// Waits this long after the first screen before downloading, so the download does not compete
/// with it on a slow phone and a slow network.
const START_DELAY_MS: u32 = 2_000;

/// The meta key of a topic prepared in the background (pictures, no sound) for `locale`.
fn prepared_key(topic: &str, locale: &str) -> String {
    format!("prepared.{topic}.{locale}")
}

pub fn provide_offline(app: AppState) {
    let i18n = use_i18n();
    let readiness = RwSignal::new(if crate::pwa::is_secure_context() { Readiness::Unknown } else { Readiness::Insecure });
    provide_context(readiness);
    if readiness.get_untracked() == Readiness::Insecure {
        let offer = HttpsOffer(RwSignal::new(None));
        provide_context(offer);
        spawn_local(async move { offer.0.set(https_address_for_this_page().await) });
        return;
    }
    // Each run has a number; a run started later (new catalogue, new language) makes older ones stop.
    let generation = StoredValue::new(0u32);
    let again = RwSignal::new(0u32);
    Effect::new(move |_| {
        again.track();
        let locale = i18n.locale();
        let Some(Ok(catalogue)) = app.catalogue.get() else { return };
        let run = generation.get_value() + 1;
        generation.set_value(run);
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(START_DELAY_MS).await;
            if !crate::pwa::when_controlled().await {
                // No service worker took this page (yet): nothing fetched now would be kept.
                readiness.set(Readiness::Missing { topics: catalogue.topics.len() });
                return;
            }
            // A tapped update stops the run too: the page reloads in a moment (see pwa::is_updating).
            prepare(&catalogue, &locale, readiness, move || generation.get_value() == run && !crate::pwa::is_updating()).await;
        });
    });
    let online = window_event_listener_untyped("online", move |_| {
        if matches!(readiness.get_untracked(), Readiness::Missing { .. }) {
            again.update(|n| *n += 1);
        }
    });
    on_cleanup(move || online.remove());
}

async fn prepare(catalogue: &Catalogue, locale: &str, readiness: RwSignal<Readiness>, current: impl Fn() -> bool) {
    let total = catalogue.topics.len();
    let (mut done, mut missing) = (0, 0);
    // The catalogue this page read came before the worker controlled it: fetch it again through
    // the worker, which keeps it for the next start with no signal. The interface in the other
    // languages comes too (not with the app's first download: Vietnamese is compiled in), so a
    // learner can switch language at home.
    let mut first = vec![CATALOGUE_URL.to_owned()];
    // The topics' pictures are on the first screen: kept before any lesson, so the home screen is
    // whole with no signal (a topic published later brings its own with the next catalogue).
    first.extend(catalogue.topics.iter().filter_map(|t| t.icon.clone()));
    if let Err(error) = download_all(&first).await {
        if error == ContentError::StoppedForUpdate {
            return;
        }
        leptos::logging::warn!("HocSo: the lesson list was not kept for offline use: {error:?}");
        readiness.set(Readiness::Missing { topics: total });
        return;
    }
    // Each other language on its own: one that fails must not hold back the lessons (without it,
    // its learners see the Vietnamese interface offline, which every key falls back to anyway).
    for code in LOCALES.iter().filter(|l| l.code != REFERENCE_LOCALE).map(|l| l.code) {
        match download_all(&[format!("/locales/{code}.json")]).await {
            Ok(()) => {}
            Err(ContentError::StoppedForUpdate) => return,
            Err(error) => leptos::logging::warn!("HocSo: the {code} interface was not kept for offline use: {error:?}"),
        }
    }
    for topic in &catalogue.topics {
        if !current() {
            return;
        }
        readiness.set(Readiness::Preparing { done, total });
        let key = prepared_key(&topic.id, locale);
        let versions = topic_versions(topic);
        let kept = store::get_meta::<String>(&key).await.ok().flatten().is_some_and(|v| v == versions);
        if kept {
            done += 1;
            continue;
        }
        match download_topic(topic, locale, Media::Pictures).await {
            Ok(()) => {
                done += 1;
                if let Err(error) = store::set_meta(&key, versions).await {
                    leptos::logging::warn!("HocSo: could not note topic {} as ready offline: {error:?}", topic.id);
                }
            }
            Err(ContentError::StoppedForUpdate) => return,
            Err(error) => {
                leptos::logging::warn!("HocSo: topic {} not kept for offline use: {error:?}", topic.id);
                missing += 1;
            }
        }
    }
    if current() {
        readiness.set(if missing == 0 { Readiness::Ready } else { Readiness::Missing { topics: missing } });
    }
}

/// The team server's https address, when the server knows it (`hocso serve --public-url`) and this
/// page is not already there: offered on plain HTTP (its start page: the line is on the home screen).
#[derive(Clone, Copy)]
struct HttpsOffer(RwSignal<Option<String>>);

async fn https_address_for_this_page() -> Option<String> {
    let response = match gloo_net::http::Request::get("/api/v1/server").send().await {
        Ok(response) if response.ok() => response,
        Ok(response) => {
            leptos::logging::warn!("HocSo: /api/v1/server answered {}: no https address to offer", response.status());
            return None;
        }
        Err(error) => {
            leptos::logging::warn!("HocSo: /api/v1/server not reachable: {error}");
            return None;
        }
    };
    // `hocso_core::sync::ServerInfo`, read with the browser's JSON parser: serde's reader for it
    // added 2 kB to the villager's first download for one optional string.
    let text = response.text().await.ok()?;
    let info = js_sys::JSON::parse(&text).map_err(|error| leptos::logging::warn!("HocSo: /api/v1/server: {error:?}")).ok()?;
    let public_url = js_sys::Reflect::get(&info, &"public_url".into()).ok()?.as_string()?;
    let origin = web_sys::window()?.location().origin().ok()?;
    (!public_url.starts_with(&format!("{origin}/"))).then_some(public_url)
}

/// One short line on the home screen: ready, downloading, missing, or "open the https address"
/// (with a button to it when the server told its address).
#[component]
pub fn OfflineReadiness() -> impl IntoView {
    let i18n = use_i18n();
    let readiness = use_context::<RwSignal<Readiness>>();
    move || {
        let (class, text) = match readiness?.get() {
            Readiness::Unknown => return None,
            Readiness::Ready => ("offline-ready", format!("✓ {}", i18n.t("offline.ready"))),
            Readiness::Preparing { done, total } => {
                ("offline-preparing", i18n.t_with("offline.preparing", &[("done", &done.to_string()), ("total", &total.to_string())]))
            }
            Readiness::Missing { topics } => ("offline-missing", i18n.t_with("offline.missing", &[("count", &topics.to_string())])),
            Readiness::Insecure => ("offline-missing", i18n.t("pwa.insecure")),
        };
        let offer = use_context::<HttpsOffer>().and_then(|offer| offer.0.get()).map(|address| {
            view! {
                <a class="big-button https-offer" href=address.clone()>{i18n.t("pwa.open_https")}</a>
                <p class="https-address">{address}</p>
            }
        });
        Some(view! { <p class=format!("offline-status {class}") role="status" aria-live="polite">{text}</p> {offer} })
    }
}
