//! The home screen: what can I learn? Three big topic tiles.
use hocso_core::topics::TOPICS;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_i18n;
use crate::topics::TopicTile;

/// Languages, drawn (phones often lack an emoji font).
#[component]
fn GlobeIcon() -> impl IntoView {
    view! {
        <svg class="globe" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2">
            <circle cx="12" cy="12" r="10"/>
            <path d="M2 12h20M12 2a15 15 0 0 1 0 20M12 2a15 15 0 0 0 0 20"/>
        </svg>
    }
}

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="bar">
            <h1 class="brand">"Học Số"</h1>
            <A href="/settings" attr:class="language-button" attr:aria-label=move || i18n.t("settings.title")>
                <GlobeIcon/>{move || i18n.t("settings.language_name")}
            </A>
        </header>
        <p class="welcome">{move || i18n.t("home.welcome")}</p>
        <nav class="topic-list" aria-label=move || i18n.t("home.topics")>
            {TOPICS.iter().map(|topic| view! { <TopicTile topic/> }).collect_view()}
        </nav>
    }
}
