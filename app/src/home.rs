//! The home screen: what can I learn? Three big topic tiles.
use hocso_core::topics::TOPICS;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_i18n;
use crate::topics::TopicTile;

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="bar">
            <h1 class="brand">"Học Số"</h1>
            <A href="/settings" attr:class="language-button" attr:aria-label=move || i18n.t("settings.title")>
                <span aria-hidden="true">"🌐 "</span>{move || i18n.t("settings.language_name")}
            </A>
        </header>
        <p class="welcome">{move || i18n.t("home.welcome")}</p>
        <nav class="topic-list" aria-label=move || i18n.t("home.topics")>
            {TOPICS.iter().map(|topic| view! { <TopicTile topic/> }).collect_view()}
        </nav>
    }
}
