//! UI strings for the views: loads `locales/<code>.json` at runtime and provides a [`I18n`] context.
//!
//! Vietnamese is compiled in as the reference, so the app always has words even when a locale file
//! cannot be fetched (offline before it was cached). The lookup and fallback rules live in
//! `hocso_core::i18n`.
use hocso_core::i18n::{locale_info, Messages, Translator, REFERENCE_LOCALE};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::prefs;

const VIETNAMESE_JSON: &str = include_str!("../../locales/vi.json");

/// The reference strings, compiled in.
pub fn vietnamese() -> Messages {
    Messages::from_json(VIETNAMESE_JSON).expect("locales/vi.json is checked by the core tests")
}

#[derive(Clone, Copy)]
pub struct I18n {
    translator: RwSignal<Translator>,
    ready: RwSignal<bool>,
}

impl I18n {
    /// The text for `key` in the chosen language (reactive: re-reads when the language changes).
    pub fn t(&self, key: &str) -> String {
        self.translator.with(|t| t.t(key))
    }

    pub fn t_with(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.translator.with(|t| t.t_with(key, args))
    }

    pub fn locale(&self) -> String {
        self.translator.with(|t| t.locale().to_owned())
    }

    /// Switches the language, remembers it on this device and sets `<html lang>`.
    pub fn set_locale(&self, code: &str) {
        let code = if locale_info(code).is_some() { code.to_owned() } else { REFERENCE_LOCALE.to_owned() };
        prefs::save_language(&code);
        let this = *self;
        spawn_local(async move {
            let translator = load_translator(&code).await;
            set_document_lang(translator.locale());
            this.translator.set(translator);
            this.ready.set(true);
        });
    }
}

async fn fetch_messages(code: &str) -> Option<Messages> {
    let response = gloo_net::http::Request::get(&format!("/locales/{code}.json")).send().await.ok()?;
    if !response.ok() {
        return None;
    }
    Messages::from_json(&response.text().await.ok()?).ok()
}

/// The translator for `code`; Vietnamese when the file cannot be had (the lookup falls back anyway).
async fn load_translator(code: &str) -> Translator {
    let reference = vietnamese();
    if code == REFERENCE_LOCALE {
        return Translator::new(REFERENCE_LOCALE, reference.clone(), reference);
    }
    match fetch_messages(code).await {
        Some(chosen) => Translator::new(code, chosen, reference),
        None => Translator::new(REFERENCE_LOCALE, reference.clone(), reference),
    }
}

fn set_document_lang(code: &str) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", code);
    }
}

/// Provides the [`I18n`] context and starts loading the saved language.
pub fn provide_i18n() {
    let reference = vietnamese();
    let i18n = I18n { translator: RwSignal::new(Translator::new(REFERENCE_LOCALE, reference.clone(), reference)), ready: RwSignal::new(false) };
    provide_context(i18n);
    i18n.set_locale(&prefs::saved_language().unwrap_or_else(|| REFERENCE_LOCALE.to_owned()));
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Shows its children once the chosen language is loaded, so no screen flashes in the wrong language.
#[component]
pub fn I18nGate(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || i18n.ready.get() fallback=|| view! { <div class="splash" aria-busy="true">"Học Số"</div> }>
            {children()}
        </Show>
    }
}
