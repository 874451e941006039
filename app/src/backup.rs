//! Settings → backup: save the current learner's progress to a file, and merge one back in.
use hocso_core::backup::Backup;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::i18n::use_i18n;
use crate::state::use_app_state;
use crate::store;

/// Offers `text` as a downloaded file.
fn download(file_name: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    web_sys::Url::revoke_object_url(&url)
}

/// A file name with only safe characters: `hocso-mai-2026-11-29.json`.
pub fn backup_file_name(nickname: &str, date: &str) -> String {
    let slug: String = nickname
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("hocso-{}-{date}.json", if slug.is_empty() { "learner".into() } else { slug })
}

#[component]
pub fn BackupPanel() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let message = RwSignal::new(None::<(bool, String)>);

    let export = move |_| {
        let Some(profile) = state.learner() else { return };
        spawn_local(async move {
            match store::events_of(&profile.id).await {
                Ok(events) => {
                    let backup = Backup::of_learner(&profile, &events, js_sys::Date::now() as i64);
                    let date = String::from(js_sys::Date::new_0().to_iso_string()).chars().take(10).collect::<String>();
                    match download(&backup_file_name(&profile.nickname, &date), &backup.to_json()) {
                        Ok(()) => message.set(Some((true, i18n.t_with("backup.exported", &[("count", &backup.events.len().to_string())])))),
                        Err(_) => message.set(Some((false, i18n.t("backup.export_failed")))),
                    }
                }
                Err(e) => message.set(Some((false, i18n.t(e.message_key())))),
            }
        });
    };

    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
        input.set_value("");
        spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(_) => return message.set(Some((false, i18n.t("backup.not_a_backup")))),
            };
            let backup = match Backup::parse(&text) {
                Ok(backup) => backup,
                Err(hocso_core::backup::BackupError::TooNew(_)) => return message.set(Some((false, i18n.t("backup.too_new")))),
                Err(_) => return message.set(Some((false, i18n.t("backup.not_a_backup")))),
            };
            let result = async {
                for incoming in &backup.profiles {
                    store::import_profile(incoming).await?;
                }
                store::merge_events(&backup.events).await
            }
            .await;
            match result {
                Ok(added) => {
                    state.reload_profiles().await;
                    state.select_learner(state.learner_id.get_untracked());
                    message.set(Some((true, i18n.t_with("backup.imported", &[("count", &added.to_string())]))));
                }
                Err(e) => message.set(Some((false, i18n.t(e.message_key())))),
            }
        });
    };

    view! {
        <section class="settings-section">
            <h2>{move || i18n.t("backup.title")}</h2>
            <p class="hint">{move || i18n.t("backup.explain")}</p>
            <button class="big-button secondary wide" disabled=move || state.learner_id.get().is_none() on:click=export>
                {move || i18n.t("backup.export")}
            </button>
            <label class="big-button secondary wide file-button">
                {move || i18n.t("backup.import")}
                <input type="file" accept="application/json,.json" class="visually-hidden" on:change=import/>
            </label>
            {move || message.get().map(|(ok, text)| view! {
                <p class=if ok { "success" } else { "error" } role="status">{text}</p>
            })}
        </section>
    }
}
