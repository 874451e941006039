//! What many screens share: the learner profiles on this phone, who is learning now, that learner's
//! events and the progress folded from them, and the content catalogue. Provided as a context of
//! signals; every write goes through [`AppState::record`], which stores the event first.
use hocso_core::content::Catalogue;
use hocso_core::progress::{EventKind, Progress, ProgressEvent};
use hocso_core::sync::protocol::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::content::{fetch_catalogue, ContentError};
use crate::prefs;
use crate::store::{self, StoreError};

#[derive(Clone, Copy)]
pub struct AppState {
    pub profiles: RwSignal<Vec<Profile>>,
    /// Profiles have been read from IndexedDB (before that, "no profile" means "not known yet").
    pub profiles_loaded: RwSignal<bool>,
    pub learner_id: RwSignal<Option<String>>,
    pub events: RwSignal<Vec<ProgressEvent>>,
    /// The current learner's events have been read (so "no events" means "not started").
    pub events_loaded: RwSignal<bool>,
    pub progress: Memo<Progress>,
    pub catalogue: RwSignal<Option<Result<Catalogue, ContentError>>>,
    /// The last storage failure, shown as a calm banner until dismissed.
    pub store_error: RwSignal<Option<StoreError>>,
}

impl AppState {
    pub fn learner(&self) -> Option<Profile> {
        let id = self.learner_id.get()?;
        self.profiles.with(|ps| ps.iter().find(|p| p.id == id).cloned())
    }

    /// Saves an event durably, then shows it. Returns `None` (and shows why) when it was not saved:
    /// the caller must then not move on, so no answer is ever silently lost.
    pub async fn record(&self, lesson_id: &str, lesson_version: &str, kind: EventKind) -> Option<ProgressEvent> {
        self.record_all(lesson_id, lesson_version, vec![kind]).await.map(|mut events| events.remove(0))
    }

    /// Several events of one tap, kept together or not at all (see `store::record_all`).
    pub async fn record_all(&self, lesson_id: &str, lesson_version: &str, kinds: Vec<EventKind>) -> Option<Vec<ProgressEvent>> {
        let learner = self.learner_id.get_untracked()?;
        match store::record_all(&learner, lesson_id, lesson_version, kinds).await {
            Ok(events) => {
                self.store_error.set(None);
                self.events.update(|all| all.extend(events.iter().cloned()));
                Some(events)
            }
            Err(error) => {
                leptos::logging::warn!("HocSo: events not saved: {error:?}");
                self.store_error.set(Some(error));
                None
            }
        }
    }

    pub fn select_learner(&self, id: Option<String>) {
        prefs::save_learner(id.as_deref());
        self.learner_id.set(id.clone());
        self.events.set(Vec::new());
        self.events_loaded.set(false);
        let state = *self;
        if let Some(id) = id {
            spawn_local(async move {
                match store::events_of(&id).await {
                    Ok(events) => {
                        state.events.set(events);
                        state.events_loaded.set(true);
                    }
                    Err(error) => state.store_error.set(Some(error)),
                }
            });
        }
    }

    pub async fn reload_profiles(&self) {
        match store::profiles().await {
            Ok(profiles) => {
                let selected = self.learner_id.get_untracked();
                if selected.is_some_and(|id| !profiles.iter().any(|p| p.id == id)) {
                    self.select_learner(None);
                }
                self.profiles.set(profiles);
            }
            Err(error) => self.store_error.set(Some(error)),
        }
        self.profiles_loaded.set(true);
    }

    pub fn reload_catalogue(&self) {
        let catalogue = self.catalogue;
        spawn_local(async move { catalogue.set(Some(fetch_catalogue().await)) });
    }
}

pub fn provide_app_state() {
    let learner_id = RwSignal::new(prefs::saved_learner());
    let events = RwSignal::new(Vec::<ProgressEvent>::new());
    let progress = Memo::new(move |_| match learner_id.get() {
        Some(id) => events.with(|events| Progress::fold(&id, events)),
        None => Progress::default(),
    });
    let state = AppState {
        profiles: RwSignal::new(Vec::new()),
        profiles_loaded: RwSignal::new(false),
        learner_id,
        events,
        events_loaded: RwSignal::new(false),
        progress,
        catalogue: RwSignal::new(None),
        store_error: RwSignal::new(None),
    };
    provide_context(state);
    crate::sync::provide_sync(state);
    spawn_local(async move {
        state.reload_profiles().await;
        state.select_learner(state.learner_id.get_untracked());
    });
    state.reload_catalogue();
}

pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}

/// The last storage failure, on every screen: calm, in the learner's language, never a crash.
#[component]
pub fn StoreErrorBanner() -> impl IntoView {
    let state = use_app_state();
    let i18n = crate::i18n::use_i18n();
    move || state.store_error.get().map(|e| view! { <p class="error store-error" role="alert">{i18n.t(e.message_key())}</p> })
}
