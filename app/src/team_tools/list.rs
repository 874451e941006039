//! `/team`: the sessions run on this phone, and the way to start one or open the dashboard, the
//! recorder and the team's voices, or the studio.
use leptos::prelude::*;
use leptos_router::components::A;

use super::use_team;
use crate::i18n::use_i18n;
use crate::membership::is_leader;

#[component]
pub fn TeamHome() -> impl IntoView {
    let i18n = use_i18n();
    let team = use_team();
    view! {
        <header class="bar">
            <A href="/" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.home")>"←"</A>
            <h1>{move || i18n.t("session.team_title")}</h1>
        </header>
        <Show when=is_leader fallback=move || view! { <p class="notice">{i18n.t("session.leader_only")}</p> }>
            <div class="team-actions">
                <A href="/team/sessions/new" attr:class="big-button wide">{move || i18n.t("session.new")}</A>
                <A href="/team/dashboard" attr:class="big-button secondary wide">{move || i18n.t("dashboard.title")}</A>
            </div>
            <h2 class="section-title">{move || i18n.t("session.list")}</h2>
            <ul class="session-list">
                {move || {
                    let sessions = team.sessions();
                    if sessions.is_empty() && team.loaded.get() {
                        return view! { <li class="hint">{i18n.t("session.none")}</li> }.into_any();
                    }
                    sessions.into_iter().map(|s| view! {
                        <li>
                            <A href=format!("/team/sessions/{}", s.id) attr:class="session-row">
                                <span class="session-date">{s.details.date.clone()}</span>
                                <span class="session-place">{format!("{} · {}", s.details.place, s.details.village)}</span>
                                <span class="lesson-meta">
                                    {i18n.t_with("session.attendee_count", &[("n", &s.attendees.len().to_string())])}
                                    {if s.closed { format!(" · {}", i18n.t("session.closed")) } else { String::new() }}
                                </span>
                            </A>
                        </li>
                    }).collect_view().into_any()
                }}
            </ul>
        </Show>
        // Any phone of the team (member or leader) records lessons in its voice; the leader approves.
        <div class="team-actions">
            <A href="/team/record" attr:class="big-button secondary wide">{move || i18n.t("team.record_link")}</A>
            <A href="/team/recordings" attr:class="big-button secondary wide">{move || i18n.t("team.voices_link")}</A>
        </div>
        // Trainers write lessons; the studio asks for their own token, not the leader code.
        <div class="team-actions">
            <A href="/team/studio" attr:class="big-button secondary wide">{move || i18n.t("studio.title")}</A>
        </div>
    }
}
