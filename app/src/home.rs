//! The home screen: who is learning, and a big tile per topic of the catalogue with its progress.
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

use crate::avatars::AvatarPicture;
use crate::i18n::use_i18n;
use crate::membership::{is_leader, SyncStatusLine, TEAM_LINK_REL};
use crate::offline::OfflineReadiness;
use crate::state::use_app_state;
use crate::topics::{catalogue_topics, TopicTile};

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
    let state = use_app_state();
    let learner = move || state.learner();
    view! {
        // A shared phone: first ask who is learning (once profiles are known).
        <Show when=move || state.profiles_loaded.get() && learner().is_none()>
            <Redirect path="/who"/>
        </Show>
        <header class="bar">
            <h1 class="brand">"Học Số"</h1>
            <A href="/settings" attr:class="language-button" attr:aria-label=move || i18n.t("settings.title")>
                <GlobeIcon/>{move || i18n.t("settings.language_name")}
            </A>
        </header>
        {move || learner().map(|profile| {
            let label = i18n.t_with("home.switch_learner", &[("name", &profile.nickname)]);
            let hello = i18n.t_with("home.hello", &[("name", &profile.nickname)]);
            view! {
            <A href="/who" attr:class="learner-chip" attr:aria-label=label>
                <AvatarPicture avatar=profile.avatar.clone() colour=profile.colour.clone()/>
                <span>{hello}</span>
                <span class="switch">{i18n.t("home.switch")}</span>
            </A>
            }
        })}
        <SyncStatusLine/>
        <OfflineReadiness/>
        <Show when=is_leader>
            <a href="/team" class="team-link" rel=TEAM_LINK_REL>{move || i18n.t("session.team_title")}</a>
        </Show>
        <p class="welcome">{move || i18n.t("home.welcome")}</p>
        // The topics are content: the catalogue lists them (kept by the service worker, so this
        // works offline), and a topic published later appears without a new app.
        <nav class="topic-list" aria-label=move || i18n.t("home.topics")>
            {move || catalogue_topics().into_iter().map(|topic| view! { <TopicTile topic/> }).collect_view()}
            {move || match state.catalogue.get() {
                None => Some(view! { <p class="notice" aria-busy="true">{i18n.t("common.loading")}</p> }.into_any()),
                Some(Err(error)) => Some(view! { <p class="notice">{i18n.t(error.message_key())}</p> }.into_any()),
                Some(Ok(_)) => None,
            }}
        </nav>
    }
}
