//! Settings: the language picker (each language named in itself, drafts marked as unreviewed).
use hocso_core::i18n::LOCALES;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_i18n;

#[component]
pub fn Settings() -> impl IntoView {
    let i18n = use_i18n();
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
                                <span>{locale.native_name}</span>
                                {(!locale.reviewed).then(|| view! { <span class="draft-badge">{move || i18n.t("settings.draft_language")}</span> })}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
    }
}
