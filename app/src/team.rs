//! The team side of the learner app: the calm sync status line, and joining the commune's
//! community digital technology team with the code it reads aloud (or a join link).
use hocso_core::sync::{FailReason, Role, SyncStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use crate::i18n::{use_i18n, I18n};
use crate::sync::{minutes_since, use_sync, SyncView};

/// The status sentence: never alarming, never blocking.
pub fn status_text(i18n: I18n, view: &SyncView) -> String {
    let waiting = |i18n: I18n| i18n.t_with("sync.waiting", &[("count", &view.unsynced.to_string())]);
    match &view.status {
        SyncStatus::Syncing => i18n.t("sync.syncing"),
        SyncStatus::Failed { reason: FailReason::Revoked } => i18n.t("sync.revoked"),
        SyncStatus::Failed { reason: FailReason::Rejected(_) } => i18n.t("sync.rejected"),
        _ if view.unsynced > 0 => waiting(i18n),
        SyncStatus::Synced { at } => match minutes_since(*at) {
            0 => i18n.t("sync.synced_now"),
            m if m < 60 => i18n.t_with("sync.synced_minutes", &[("n", &m.to_string())]),
            m => i18n.t_with("sync.synced_hours", &[("n", &(m / 60).to_string())]),
        },
        SyncStatus::Failed { .. } => i18n.t("sync.offline_saved"),
        SyncStatus::Idle | SyncStatus::Waiting { .. } => i18n.t("sync.saved_here"),
    }
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

/// Settings → join the team, or see which team this phone belongs to.
#[component]
pub fn TeamPanel() -> impl IntoView {
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
            if let Err(e) = sync.join(&entered, &device_name).await {
                error.set(Some(e.message_key()));
            }
            busy.set(false);
        });
    };
    view! {
        <section class="settings-section" id="team">
            <h2>{move || i18n.t("sync.team_title")}</h2>
            {move || match sync.membership.get() {
                Some(m) => view! {
                    <p class="success">{i18n.t_with("sync.joined", &[("team", &m.team.name), ("commune", &m.team.commune)])}</p>
                    {(m.role == Role::Leader).then(|| view! { <p>{i18n.t("sync.leader")}</p> })}
                    <p class="sync-status">{move || status_text(i18n, &sync.view.get())}</p>
                    <button class="big-button secondary wide" on:click=move |_| sync.sync_now()>{i18n.t("sync.sync_now")}</button>
                }.into_any(),
                None => view! {
                    <p class="hint">{i18n.t("sync.explain")}</p>
                    <form class="join-form" on:submit=join>
                        <label class="field">
                            <span>{i18n.t("sync.code")}</span>
                            <input type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" inputmode="text"
                                class="code-input" prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                        </label>
                        <button type="submit" class="big-button wide" disabled=move || busy.get()>{i18n.t("sync.join")}</button>
                    </form>
                }.into_any(),
            }}
            {move || error.get().map(|key| view! { <p class="error" role="alert">{i18n.t(key)}</p> })}
        </section>
    }
}
