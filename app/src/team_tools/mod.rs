//! Team member mode: run a learning session in a village cultural house, with no signal.
//!
//! Built only into the team tools (`--features team`, served under `/team/`), so a villager's
//! first download does not carry screens only a team leader uses.
//!
//! Unlocked on a phone that joined with the team's leader code. A session (date, place, lessons,
//! attendance, group quiz) is a fold of append-only events (`hocso_core::sessions`), saved in
//! IndexedDB before the screen moves on and synced like any learner's answers.
//! Screens: the list (`list`), the form and summary (`summary`), present mode (`present`); the
//! leader's online dashboard lives in `dashboard`; a trainer's lesson studio in `studio`; the team's
//! recorder of lessons in `record` (with the phone's `microphone` and its saved `takes`) and the
//! team's recorded voices in `recordings` (both over `recordings_api`).
pub mod dashboard;
pub mod list;
pub mod microphone;
pub mod present;
pub mod province;
pub mod record;
pub mod recordings;
pub mod recordings_api;
pub mod studio;
pub mod summary;
pub mod takes;

use hocso_core::content::{Catalogue, CatalogueTopic};
use hocso_core::progress::{EventKind, ProgressEvent};
use hocso_core::sessions::{fold_sessions, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::use_i18n;
use crate::state::AppState;
use crate::store;
use crate::sync::{use_sync, Membership};

/// The session events on this phone, whoever recorded them.
#[derive(Clone, Copy)]
pub struct TeamState {
    pub events: RwSignal<Vec<ProgressEvent>>,
    pub loaded: RwSignal<bool>,
}

impl TeamState {
    pub fn sessions(&self) -> Vec<Session> {
        self.events.with(|events| fold_sessions(events))
    }

    pub fn session(&self, id: &str) -> Option<Session> {
        self.sessions().into_iter().find(|s| s.id == id)
    }

    /// Saves a session event through the app's one save path (under the profile running the
    /// session, so it syncs like any answer), then shows it in the session list. `lesson` is the
    /// lesson a group answer is about; events about the whole session name none.
    pub async fn record(&self, app: AppState, lesson: Option<&str>, kind: EventKind) -> bool {
        let (lesson_id, version) = match lesson {
            Some(lesson_id) => {
                let version = app
                    .catalogue
                    .with_untracked(|c| lesson_version(c.as_ref().and_then(|c| c.as_ref().ok()), lesson_id))
                    .unwrap_or_else(|| "-".to_owned());
                (lesson_id, version)
            }
            None => ("", String::new()),
        };
        match app.record(lesson_id, &version, kind).await {
            Some(event) => {
                self.events.update(|events| events.push(event));
                true
            }
            None => false,
        }
    }
}

fn lesson_version(catalogue: Option<&Catalogue>, lesson_id: &str) -> Option<String> {
    let lesson = catalogue?.topics.iter().flat_map(|t| &t.lessons).find(|l| l.id == lesson_id)?;
    lesson.locales.get("vi").map(|l| l.version.clone())
}

/// The catalogue topic holding a lesson.
pub fn topic_of(catalogue: &Catalogue, lesson_id: &str) -> Option<CatalogueTopic> {
    catalogue.topics.iter().find(|t| t.lessons.iter().any(|l| l.id == lesson_id)).cloned()
}

/// `/team/<screen>`: the team tools' one-word screens, the leader's dashboard and the trainer's
/// studio. One route for them keeps the learner's build (which answers every team path with
/// "the team tools are elsewhere") from growing with each new one.
#[leptos::component]
pub fn TeamScreen() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    move || match params.with(|p| p.get("screen")).as_deref() {
        Some("dashboard") => view! { <dashboard::Dashboard/> }.into_any(),
        Some("studio") => view! { <studio::Studio/> }.into_any(),
        Some("record") => view! { <record::Recorder/> }.into_any(),
        Some("recordings") => view! { <recordings::TeamVoices/> }.into_any(),
        _ => view! { <crate::not_found::NotFound/> }.into_any(),
    }
}

pub fn provide_team_state() {
    let team = TeamState { events: RwSignal::new(Vec::new()), loaded: RwSignal::new(false) };
    provide_context(team);
    spawn_local(async move {
        if let Ok(events) = store::all_events().await {
            team.events.set(events.into_iter().filter(|e| e.kind.session().is_some()).collect());
        }
        team.loaded.set(true);
    });
}

pub fn use_team() -> TeamState {
    expect_context::<TeamState>()
}

/// A short random id for sessions and attendees.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}{:x}{:06x}", js_sys::Date::now() as u64, (js_sys::Math::random() * 16_777_215.0) as u32)
}

/// Today as `YYYY-MM-DD` in the phone's time zone.
pub fn today() -> String {
    let now = js_sys::Date::new_0();
    format!("{:04}-{:02}-{:02}", now.get_full_year(), now.get_month() + 1, now.get_date())
}

/// This phone's membership of a team, for the screens any member uses: `None` while not known yet
/// (read from IndexedDB at start), `Some(None)` when the phone joined no team.
pub fn team_member() -> Signal<Option<Option<Membership>>> {
    let sync = use_sync();
    let stored = RwSignal::new(None::<Option<Membership>>);
    spawn_local(async move {
        stored.set(Some(store::get_meta::<Membership>("membership").await.ok().flatten()));
    });
    Signal::derive(move || match sync.membership.get() {
        Some(membership) => Some(Some(membership)),
        None => stored.get(),
    })
}

/// A big "listen" button for a sound at `url` (a take's object URL): plays it from the start, and
/// stops it on a second tap.
#[component]
pub fn PlayButton(url: String) -> impl IntoView {
    let i18n = use_i18n();
    let audio = NodeRef::<leptos::html::Audio>::new();
    let playing = RwSignal::new(false);
    let toggle = move |_| {
        let Some(audio) = audio.get_untracked() else { return };
        if audio.paused() {
            audio.set_current_time(0.0);
            let _ = audio.play();
        } else {
            let _ = audio.pause();
        }
    };
    view! {
        <button class="big-button secondary play-button" aria-pressed=move || playing.get().to_string() on:click=toggle>
            {move || if playing.get() { i18n.t("record.pause") } else { i18n.t("record.play") }}
        </button>
        <audio class="take-audio" node_ref=audio src=url preload="metadata"
            on:play=move |_| playing.set(true) on:pause=move |_| playing.set(false) on:ended=move |_| playing.set(false)></audio>
    }
}
