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

/// The team tools' own strings (`locales/team/<code>.json`): only in their build, so a villager's
/// download does not carry them.
#[cfg(feature = "team")]
const TEAM_VIETNAMESE_JSON: &str = include_str!("../../locales/team/vi.json");

/// The reference strings, compiled in.
pub fn vietnamese() -> Messages {
    let messages = Messages::from_json(VIETNAMESE_JSON).expect("locales/vi.json is checked by the core tests");
    #[cfg(feature = "team")]
    let messages = messages.with(Messages::from_json(TEAM_VIETNAMESE_JSON).expect("locales/team/vi.json is checked by the core tests"));
    messages
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

/// The team tools' strings in `code` (`locales/team/<code>.json`); missing ones fall back to Vietnamese.
#[cfg(feature = "team")]
async fn fetch_team_messages(code: &str) -> Option<Messages> {
    let response = gloo_net::http::Request::get(&format!("/locales/team/{code}.json")).send().await.ok()?;
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
        #[cfg(feature = "team")]
        Some(chosen) => match fetch_team_messages(code).await {
            Some(team) => Translator::new(code, chosen.with(team), reference),
            None => Translator::new(code, chosen, reference),
        },
        #[cfg(not(feature = "team"))]
        Some(chosen) => Translator::new(code, chosen, reference),
        None => Translator::new(REFERENCE_LOCALE, reference.clone(), reference),
    }
}

fn set_document_lang(code: &str) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", code);
    }
}

/// Provides the [`I18n`] context and starts loading the saved language. Vietnamese (also when none
/// or an unknown one was saved) is compiled in: ready at once, parsed once.
pub fn provide_i18n() {
    let saved = prefs::saved_language().filter(|code| code != REFERENCE_LOCALE && locale_info(code).is_some());
    let reference = vietnamese();
    let i18n =
        I18n { translator: RwSignal::new(Translator::new(REFERENCE_LOCALE, reference.clone(), reference)), ready: RwSignal::new(saved.is_none()) };
    provide_context(i18n);
    if let Some(code) = saved {
        i18n.set_locale(&code);
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// The first screen `index.html` draws before the app's code has arrived (`<main id="boot">`),
/// unless it hid it (not the home screen's address).
fn first_screen() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id("boot")
}

/// True once the browser has shown its first paint, i.e. `index.html`'s first screen. Replacing
/// that screen before it is shown would make the browser drop it from the page's paint timing and
/// count the app's identical screen, drawn later, as the largest paint.
fn first_paint_shown() -> bool {
    web_sys::window().and_then(|w| w.performance()).is_some_and(|p| p.get_entries_by_name("first-contentful-paint").length() > 0)
}

/// The app's screens in place of `index.html`'s first screen, in the same frame.
fn take_over(children: StoredValue<ChildrenFn>) -> AnyView {
    if let Some(boot) = first_screen() {
        boot.remove();
    }
    children.with_value(|children| children())
}

/// Shows its children once the chosen language is loaded, so no screen flashes in the wrong language.
/// Until then the first screen of `index.html` stays, or, where it is hidden, a splash.
#[component]
pub fn I18nGate(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let drawn_in_advance = first_screen().is_some_and(|boot| !boot.has_attribute("hidden"));
    // On a phone the first screen has long been shown when the app's code arrives; on a fast
    // network it may not have been yet. Checked every frame, for at most 2 s (a page opened in the
    // background paints nothing until it is shown).
    let shown = RwSignal::new(!drawn_in_advance || first_paint_shown());
    if !shown.get_untracked() {
        spawn_local(async move {
            for _ in 0..120 {
                gloo_timers::future::TimeoutFuture::new(16).await;
                if first_paint_shown() {
                    break;
                }
            }
            shown.set(true);
        });
    }
    let children = StoredValue::new(children);
    view! {
        <Show
            when=move || i18n.ready.get() && shown.get()
            fallback=move || (!drawn_in_advance).then(|| view! { <div class="splash" aria-busy="true">"Học Số"</div> })
        >
            {take_over(children)}
        </Show>
    }
}
