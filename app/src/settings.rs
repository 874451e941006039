//! Settings: language, storage on this phone (persistent or not, how much), and backups.
use hocso_core::i18n::LOCALES;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use wasm_bindgen_futures::JsFuture;

use crate::backup::BackupPanel;
use crate::i18n::use_i18n;
use crate::membership::TeamPanel;

/// Whether the browser promised to keep our data, and how many bytes we use.
async fn storage_facts() -> Option<(bool, f64)> {
    let storage = web_sys::window()?.navigator().storage();
    let persisted = JsFuture::from(storage.persisted().ok()?).await.ok()?.as_bool().unwrap_or(false);
    let estimate: web_sys::StorageEstimate = JsFuture::from(storage.estimate().ok()?).await.ok()?.into();
    Some((persisted, estimate.get_usage().unwrap_or(0.0)))
}

/// "2.5 MB", with integers only: formatting floats would add kilobytes of WASM for one label.
pub fn megabytes(bytes: f64) -> String {
    let tenths = (bytes / 104_857.6).round() as u64;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

#[component]
fn StoragePanel() -> impl IntoView {
    let i18n = use_i18n();
    let facts = RwSignal::new(None::<Option<(bool, f64)>>);
    spawn_local(async move { facts.set(Some(storage_facts().await)) });
    view! {
        <section class="settings-section">
            <h2>{move || i18n.t("storage.title")}</h2>
            {move || match facts.get() {
                None => ().into_any(),
                Some(None) => view! { <p>{i18n.t("storage.unknown")}</p> }.into_any(),
                Some(Some((persisted, used))) => view! {
                    <p class="storage-persisted">{if persisted { i18n.t("storage.persisted") } else { i18n.t("storage.not_persisted") }}</p>
                    <p class="storage-used">{i18n.t_with("storage.used", &[("size", &megabytes(used))])}</p>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let i18n = use_i18n();
    let app = crate::state::use_app_state();
    let sync = use_context::<crate::sync::SyncState>();
    // "12/15 bài · 4 bài có giọng đọc" under each language, with a bar a non-reader can read too.
    let coverage = move |code: &'static str| {
        let team = sync.map(|s| s.team_voices()).unwrap_or_default();
        app.catalogue.with(|c| c.as_ref().and_then(|c| c.as_ref().ok()).map(|c| hocso_core::recordings::locale_coverage(c, &team, code)))
    };
    view! {
        <header class="bar">
            <A href="/" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.home")>"←"</A>
            <h1>{move || i18n.t("settings.title")}</h1>
        </header>
        <section class="settings">
            <h2 id="language-heading">{move || i18n.t("settings.language")}</h2>
            <div class="language-list" role="radiogroup" aria-labelledby="language-heading">
                {LOCALES
                    .iter()
                    .map(|locale| {
                        let checked = move || i18n.locale() == locale.code;
                        view! {
                            <button
                                class="language-option"
                                role="radio"
                                lang=locale.code
                                aria-checked=move || checked().to_string()
                                on:click=move |_| i18n.set_locale(locale.code)
                            >
                                <span class="radio-dot" aria-hidden="true"></span>
                                <span class="language-name">
                                    <span>{locale.native_name}</span>
                                    {move || coverage(locale.code).filter(|c| c.lessons > 0).map(|c| {
                                        let line = i18n.t_with("settings.coverage", &[
                                            ("written", &c.written.to_string()),
                                            ("lessons", &c.lessons.to_string()),
                                            ("voiced", &c.voiced.to_string()),
                                        ]);
                                        view! {
                                            <span class="coverage">
                                                <span class="coverage-bar" aria-hidden="true">
                                                    <span class="written" style=format!("width:{}%", c.written * 100 / c.lessons)></span>
                                                </span>
                                                <span class="coverage-line">{line}</span>
                                            </span>
                                        }
                                    })}
                                </span>
                                {(!locale.reviewed).then(|| view! { <span class="draft-badge">{move || i18n.t("settings.draft_language")}</span> })}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <A href="/who" attr:class="big-button secondary wide">{move || i18n.t("profiles.who")}</A>
            <TeamPanel/>
            <StoragePanel/>
            <BackupPanel/>
        </section>
    }
}
