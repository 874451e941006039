//! Shown for any path the app does not know (a mistyped or outdated link).
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_i18n;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="not-found">
            <h1>{move || i18n.t("not_found.title")}</h1>
            <p>{move || i18n.t("not_found.body")}</p>
            <A href="/" attr:class="big-button">{move || i18n.t("nav.home")}</A>
        </section>
    }
}
