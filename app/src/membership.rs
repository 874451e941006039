//! This phone's membership of a commune team, as the learner app shows it: the calm sync status
//! line, joining (and joining again) with the code the team reads aloud or a join link, and whether
//! the team tools are kept offline on a leader's phone. The team tools themselves are `team_tools`.
use hocso_core::sync::{FailReason, Role, SyncStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use crate::i18n::{use_i18n, I18n};
use crate::sync::{minutes_since, use_sync, SyncState, SyncView};

/// True on a phone joined with the leader code.
pub fn is_leader() -> bool {
    use_context::<SyncState>().is_some_and(|s| s.membership.with(|m| m.as_ref().is_some_and(|m| m.role == Role::Leader)))
}

/// The team tools are a second app under `/team/` (built with `--features team`). From the learner
/// app, a link there must load that app, not route inside this one.
#[cfg(not(feature = "team"))]
pub const TEAM_LINK_REL: Option<&str> = Some("external");
#[cfg(feature = "team")]
pub const TEAM_LINK_REL: Option<&str> = None;

/// Whether the team tools are stored on this phone for offline sessions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TeamTools {
    NotNeeded,
    Preparing,
    Ready,
    Failed,
}

/// On a leader's phone, asks the service worker to keep the team tools, now and after each
/// membership change, so the leader can run a session in a cultural house with no signal. A failed
/// download is retried when the sync status changes (the phone may be back online).
pub fn provide_team_tools() {
    let sync = use_sync();
    let tools = RwSignal::new(TeamTools::NotNeeded);
    provide_context(tools);
    Effect::new(move |_| {
        sync.view.track();
        if !is_leader() {
            return tools.set(TeamTools::NotNeeded);
        }
        if matches!(tools.get_untracked(), TeamTools::Ready | TeamTools::Preparing) {
            return;
        }
        tools.set(TeamTools::Preparing);
        spawn_local(async move {
            let ready = crate::pwa::prepare_team_tools().await;
            tools.set(if ready { TeamTools::Ready } else { TeamTools::Failed });
        });
    });
}

/// "Team tools ready offline" under the leader's team panel.
#[component]
fn TeamToolsStatus() -> impl IntoView {
    let i18n = use_i18n();
    let tools = use_context::<RwSignal<TeamTools>>();
    move || {
        let key = match tools.map(|t| t.get()) {
            Some(TeamTools::Preparing) => "team_tools.preparing",
            Some(TeamTools::Ready) => "team_tools.ready",
            Some(TeamTools::Failed) => "team_tools.failed",
            _ => return None,
        };
        Some(view! { <p class="team-tools-status" role="status">{i18n.t(key)}</p> })
    }
}

/// The learner app's answer on a team path: only seen when the team tools could not be loaded
/// (offline before they were ever stored). Online, the link loads them.
#[cfg(not(feature = "team"))]
#[component]
pub fn TeamToolsElsewhere() -> impl IntoView {
    let i18n = use_i18n();
    let here = leptos_router::hooks::use_location();
    let href = move || here.pathname.get();
    view! {
        <header class="bar">
            <a href="/" class="icon-button" aria-label=move || i18n.t("nav.home")>"←"</a>
            <h1>{move || i18n.t("session.team_title")}</h1>
        </header>
        <section class="notice-screen">
            <p>{move || i18n.t("team_tools.need_network")}</p>
            <a href=href rel="external" class="big-button wide">{move || i18n.t("team_tools.open")}</a>
        </section>
    }
}

/// The status sentence: never alarming, never blocking, and never "sent" when the phone could not
/// read what is waiting.
pub fn status_text(i18n: I18n, view: &SyncView) -> String {
    let main = match (&view.status, view.unsynced) {
        (SyncStatus::Syncing, _) => i18n.t("sync.syncing"),
        (SyncStatus::Failed { reason: FailReason::Revoked }, _) => i18n.t("sync.revoked"),
        (SyncStatus::Failed { reason: FailReason::Rejected(_) }, _) => i18n.t("sync.rejected"),
        (SyncStatus::Failed { reason: FailReason::Storage(_) }, _) | (_, None) => i18n.t("sync.storage_failed"),
        (_, Some(waiting)) if waiting > 0 => i18n.t_with("sync.waiting", &[("count", &waiting.to_string())]),
        (SyncStatus::Synced { at }, _) => match minutes_since(*at) {
            0 => i18n.t("sync.synced_now"),
            m if m < 60 => i18n.t_with("sync.synced_minutes", &[("n", &m.to_string())]),
            m => i18n.t_with("sync.synced_hours", &[("n", &(m / 60).to_string())]),
        },
        (SyncStatus::Failed { .. }, _) => i18n.t("sync.offline_saved"),
        (SyncStatus::Idle | SyncStatus::Waiting { .. }, _) => i18n.t("sync.saved_here"),
    };
    if view.set_aside == 0 {
        return main;
    }
    format!("{main} {}", i18n.t_with("sync.set_aside", &[("count", &view.set_aside.to_string())]))
}

/// One line on the home screen, for a phone that joined a team.
#[component]
pub fn SyncStatusLine() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // Re-read "n minutes ago" once a minute.
    let tick = RwSignal::new(0u32);
    if let Ok(interval) = set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(60)) {
        on_cleanup(move || interval.clear());
    }
    view! {
        <Show when=move || sync.membership.get().is_some()>
            <p class="sync-status" role="status" aria-live="polite">
                {move || { tick.track(); status_text(i18n, &sync.view.get()) }}
            </p>
        </Show>
    }
}

/// Settings → join the team, or see which team this phone belongs to; a joined phone can always
/// join again (after it was removed, a server restore, or to move to another team) and keeps all
/// its progress.
#[component]
pub fn TeamPanel() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    view! {
        <section class="settings-section" id="team">
            <h2>{move || i18n.t("sync.team_title")}</h2>
            {move || match sync.membership.get() {
                Some(m) => view! {
                    <p class="success">{i18n.t_with("sync.joined", &[("team", &m.team.name), ("commune", &m.team.commune)])}</p>
                    {(m.role == Role::Leader).then(|| view! { <p>{i18n.t("sync.leader")}</p> <TeamToolsStatus/> })}
                    <p class="sync-status">{move || status_text(i18n, &sync.view.get())}</p>
                    <button class="big-button secondary wide" on:click=move |_| sync.sync_now()>{i18n.t("sync.sync_now")}</button>
                    // Opens by itself when the phone was removed: joining again is the way back. (A
                    // memo, so a later sync does not close what a person opened.)
                    <details class="join-again" prop:open=Memo::new(move |_| matches!(sync.view.get().status, SyncStatus::Failed { reason: FailReason::Revoked }))>
                        <summary>{i18n.t("sync.join_again")}</summary>
                        <p class="hint">{i18n.t("sync.join_again_hint")}</p>
                        <JoinForm/>
                    </details>
                }.into_any(),
                None => view! {
                    <p class="hint">{i18n.t("sync.explain")}</p>
                    <JoinForm/>
                }.into_any(),
            }}
        </section>
    }
}

/// The code field and the button: the code the team reads aloud, or the one in a join link.
#[component]
fn JoinForm() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let query = use_query_map();
    let code = RwSignal::new(query.with_untracked(|q| q.get("code")).unwrap_or_default());
    let error = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let join = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let entered = code.get_untracked();
        if entered.trim().is_empty() {
            error.set(Some("sync.join_wrong_code"));
            return;
        }
        busy.set(true);
        error.set(None);
        let device_name = i18n.t("sync.device_name");
        spawn_local(async move {
            match sync.join(&entered, &device_name).await {
                Ok(_) => code.set(String::new()),
                Err(e) => error.set(Some(e.message_key())),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="join-form" on:submit=join>
            <label class="field">
                <span>{move || i18n.t("sync.code")}</span>
                <input type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" inputmode="text"
                    class="code-input" prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
            </label>
            <button type="submit" class="big-button wide" disabled=move || busy.get()>{move || i18n.t("sync.join")}</button>
        </form>
        {move || error.get().map(|key| view! { <p class="error" role="alert">{i18n.t(key)}</p> })}
    }
}
