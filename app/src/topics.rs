//! Topic tiles and the topic screen. The lessons of a topic arrive with the content packs.
use hocso_core::topics::{topic, Topic};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::i18n::use_i18n;
use crate::not_found::NotFound;

/// A simple picture per topic, so a learner who reads little recognises it.
#[component]
pub fn TopicPicture(id: &'static str) -> impl IntoView {
    let shape = match id {
        // A public building with columns.
        "public-services" => view! {
            <path d="M8 26 L32 12 L56 26 Z" fill="currentColor"/>
            <rect x="12" y="28" width="6" height="20" rx="1" fill="currentColor"/>
            <rect x="24" y="28" width="6" height="20" rx="1" fill="currentColor"/>
            <rect x="36" y="28" width="6" height="20" rx="1" fill="currentColor"/>
            <rect x="48" y="28" width="4" height="20" rx="1" fill="currentColor"/>
            <rect x="8" y="50" width="48" height="6" rx="1" fill="currentColor"/>
        }
        .into_any(),
        // A phone showing a QR code.
        "cashless-payment" => view! {
            <rect x="18" y="6" width="28" height="52" rx="5" fill="none" stroke="currentColor" stroke-width="4"/>
            <rect x="24" y="16" width="8" height="8" fill="currentColor"/>
            <rect x="34" y="16" width="6" height="6" fill="currentColor"/>
            <rect x="24" y="28" width="6" height="6" fill="currentColor"/>
            <rect x="32" y="26" width="8" height="8" fill="currentColor"/>
            <circle cx="32" cy="48" r="3" fill="currentColor"/>
        }
        .into_any(),
        // A shield with a lock.
        _ => view! {
            <path d="M32 4 L54 12 V30 C54 44 44 54 32 60 C20 54 10 44 10 30 V12 Z" fill="currentColor"/>
            <rect x="23" y="30" width="18" height="14" rx="2" fill="#fff"/>
            <path d="M26 30 V25 a6 6 0 0 1 12 0 V30" fill="none" stroke="#fff" stroke-width="3"/>
        }
        .into_any(),
    };
    view! { <svg class="topic-picture" viewBox="0 0 64 64" aria-hidden="true">{shape}</svg> }
}

/// A big tile on the home screen.
#[component]
pub fn TopicTile(topic: &'static Topic) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <A href=format!("/topics/{}", topic.id) attr:class="topic-tile" attr:style=format!("--topic-colour: {}", topic.colour)>
            <TopicPicture id=topic.id/>
            <span class="topic-text">
                <span class="topic-title">{move || i18n.t(&topic.title_key())}</span>
                <span class="topic-summary">{move || i18n.t(&topic.summary_key())}</span>
            </span>
        </A>
    }
}

/// The screen of one topic.
#[component]
pub fn TopicPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    move || match params.with(|p| p.get("topic")).as_deref().and_then(topic) {
        None => view! { <NotFound/> }.into_any(),
        Some(topic) => view! {
            <header class="bar" style=format!("--topic-colour: {}", topic.colour)>
                <A href="/" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.home")>"←"</A>
                <h1>{move || i18n.t(&topic.title_key())}</h1>
            </header>
            <section class="topic-hero" style=format!("--topic-colour: {}", topic.colour)>
                <TopicPicture id=topic.id/>
                <p>{move || i18n.t(&topic.summary_key())}</p>
            </section>
            <p class="notice">{move || i18n.t("topic.lessons_coming")}</p>
        }
        .into_any(),
    }
}
