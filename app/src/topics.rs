//! Topic tiles (home) and the topic screen: its lessons with the learner's status, and "download
//! this topic" for offline use.
use hocso_core::content::CatalogueTopic;
use hocso_core::progress::{LessonProgress, LessonStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::content::{download_topic, drill_count, lesson_title, topic_download_size, topic_versions, Media};
use crate::i18n::use_i18n;
use crate::not_found::NotFound;
use crate::state::use_app_state;
use crate::store;
use crate::sync::SyncState;
use hocso_core::recordings::TeamRecording;

/// The topic's picture (its `topic.md` icon), so a learner who reads little recognises it. The
/// service worker keeps it with the catalogue (see `offline.rs`), so the home screen has it offline.
#[component]
pub fn TopicPicture(icon: Option<String>) -> impl IntoView {
    match icon {
        Some(src) => view! { <img class="topic-picture" src=src alt=""/> }.into_any(),
        // A topic without an icon keeps its place, so tiles line up.
        None => view! { <span class="topic-picture" aria-hidden="true"></span> }.into_any(),
    }
}

/// The catalogue entry of a topic, once the catalogue is known.
pub fn catalogue_topic(id: String) -> impl Fn() -> Option<CatalogueTopic> + Clone + 'static {
    let state = use_app_state();
    move || state.catalogue.with(|c| c.as_ref()?.as_ref().ok()?.topics.iter().find(|t| t.id == id).cloned())
}

/// The topics of the catalogue, in home-screen order (empty until it is known).
pub fn catalogue_topics() -> Vec<CatalogueTopic> {
    let state = use_app_state();
    state.catalogue.with(|c| c.as_ref().and_then(|c| c.as_ref().ok()).map(|c| c.topics.clone()).unwrap_or_default())
}

/// A big tile on the home screen, with the learner's progress in the topic.
#[component]
pub fn TopicTile(topic: CatalogueTopic) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let lessons: Vec<(String, usize)> = topic.lessons.iter().map(|l| (l.id.clone(), drill_count(l))).collect();
    let total = lessons.len().to_string();
    let done = move || {
        let completed = state.progress.with(|p| p.completed_count_with_drills(lessons.iter().map(|(id, drills)| (id.as_str(), *drills))));
        i18n.t_with("topic.done_of", &[("done", &completed.to_string()), ("total", &total)])
    };
    let text = {
        let topic = topic.clone();
        move || topic.text(&i18n.locale())
    };
    let summary = text.clone();
    let (href, style, icon) = (format!("/topics/{}", topic.id), format!("--topic-colour: {}", topic.colour()), topic.icon.clone());
    view! {
        <A href=href attr:class="topic-tile" attr:style=style>
            <TopicPicture icon/>
            <span class="topic-text">
                <span class="topic-title">{move || text().title}</span>
                <span class="topic-summary">{move || summary().summary}</span>
                <span class="topic-progress">{done}</span>
            </span>
        </A>
    }
}

fn kilobytes(bytes: u64) -> String {
    format!("{} KB", bytes.div_ceil(1024))
}

/// "Download this topic": fetches its packs, pictures and sounds so the service worker keeps them,
/// and the team's approved voices of its lessons (kept in IndexedDB, see `voices`).
#[component]
fn DownloadTopic(topic: CatalogueTopic) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_context::<SyncState>();
    let locale = i18n.locale();
    let meta_key = format!("downloaded.{}.{locale}", topic.id);
    // The team's voices of this topic, its size and what a download is valid for (the packs'
    // versions and those voices), read from the phone's store: the screen may open before the
    // app's copy of the voices is loaded, and must neither leave them out nor call them ready.
    let voices = StoredValue::new(Vec::<TeamRecording>::new());
    let versions = StoredValue::new(String::new());
    let size = RwSignal::new(topic_download_size(&topic, &locale));
    // None: checking; Some(true): ready offline.
    let ready = RwSignal::new(None::<bool>);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<&'static str>);
    {
        let (meta_key, topic, locale) = (meta_key.clone(), topic.clone(), locale.clone());
        spawn_local(async move {
            let team = crate::voices::parse(&crate::voices::saved().await);
            let mine: Vec<TeamRecording> = crate::voices::for_topic(&team, &topic, &locale).into_iter().cloned().collect();
            let valid_for = mine.iter().fold(topic_versions(&topic), |all, r| all + "," + &r.sha256);
            size.update(|s| *s += mine.iter().map(|r| r.bytes).sum::<u64>());
            let saved: Option<String> = store::get_meta(&meta_key).await.ok().flatten();
            ready.set(Some(saved.as_deref() == Some(valid_for.as_str())));
            voices.set_value(mine);
            versions.set_value(valid_for);
        });
    }
    let download = move |_| {
        let (topic, locale, meta_key) = (topic.clone(), locale.clone(), meta_key.clone());
        let (voices, versions) = (voices.get_value(), versions.get_value());
        let token = sync.and_then(|s| s.membership.get_untracked()).map(|m| m.device_token);
        busy.set(true);
        failed.set(None);
        spawn_local(async move {
            let mut result = download_topic(&topic, &locale, Media::PicturesAndSound).await;
            if let (Ok(()), Some(token)) = (&result, token) {
                result = crate::voices::download(&voices, &token).await;
            }
            match result {
                Ok(()) => {
                    let _ = store::set_meta(&meta_key, versions).await;
                    ready.set(Some(true));
                }
                Err(error) => failed.set(Some(error.message_key())),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="download">
            {move || match ready.get() {
                Some(true) => view! { <p class="ready-offline">"✓ " {i18n.t("topic.ready_offline")}</p> }.into_any(),
                Some(false) => view! {
                    <button class="big-button secondary wide" disabled=move || busy.get() on:click=download.clone()>
                        {move || if busy.get() { i18n.t("topic.downloading") } else { i18n.t_with("topic.download", &[("size", &kilobytes(size.get()))]) }}
                    </button>
                }.into_any(),
                None => ().into_any(),
            }}
            {move || failed.get().map(|key| view! { <p class="error" role="alert">{i18n.t(key)}</p> })}
        </div>
    }
}

/// A lesson's status in the topic list, which knows how many drills it holds but not where: a quiz
/// completed with a drill left is in progress, "practice left".
fn list_status(lesson: &LessonProgress, drills: usize) -> Option<LessonStatus> {
    match lesson.status() {
        LessonStatus::Completed { .. } if !lesson.is_completed_with_drills(drills) => None,
        status => Some(status),
    }
}

fn status_text(i18n: crate::i18n::I18n, status: Option<LessonStatus>) -> (String, &'static str) {
    let Some(status) = status else { return (i18n.t("lesson.status_drill_left"), "in-progress") };
    match status {
        LessonStatus::NotStarted => (i18n.t("lesson.status_new"), "new"),
        LessonStatus::InProgress { step } => (i18n.t_with("lesson.status_step", &[("step", &(step + 1).to_string())]), "in-progress"),
        LessonStatus::Completed { score } => {
            (i18n.t_with("lesson.status_done", &[("correct", &score.correct.to_string()), ("total", &score.out_of.to_string())]), "done")
        }
    }
}

/// The screen of one topic: its lessons in order.
#[component]
pub fn TopicPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let params = use_params_map();
    move || {
        let id = params.with(|p| p.get("topic")).unwrap_or_default();
        // The topic comes from the catalogue: until it is known, say so; a topic it lacks is not found.
        let topic = match state.catalogue.get() {
            None => return view! { <p class="notice" aria-busy="true">{i18n.t("common.loading")}</p> }.into_any(),
            Some(Err(error)) => return view! { <p class="notice">{i18n.t(error.message_key())}</p> }.into_any(),
            Some(Ok(catalogue)) => match catalogue.topics.into_iter().find(|t| t.id == id) {
                Some(topic) => topic,
                None => return view! { <NotFound/> }.into_any(),
            },
        };
        let entry = catalogue_topic(topic.id.clone());
        let topic_id = topic.id.clone();
        let lessons = move || {
            let Some(entry) = entry() else {
                return view! { <NotFound/> }.into_any();
            };
            let locale = i18n.locale();
            view! {
                <DownloadTopic topic=entry.clone()/>
                <ol class="lesson-list">
                    {entry.lessons.into_iter().map(|lesson| {
                        let (title, fallback) = lesson_title(&lesson, &locale);
                        let id = StoredValue::new(lesson.id.clone());
                        let drills = drill_count(&lesson);
                        let status = move || state.progress.with(|p| list_status(&p.lesson(&id.read_value()), drills));
                        let href = format!("/lessons/{}/{}", topic_id, lesson.id);
                        view! {
                            <li>
                                <A href=href attr:class=move || format!("lesson-row status-{}", status_text(i18n, status()).1)>
                                    {lesson.icon.clone().map(|src| view! { <img class="lesson-icon" src=src alt=""/> })}
                                    <span class="lesson-text">
                                        <span class="lesson-title">{title}</span>
                                        {fallback.then(|| view! { <span class="badge">{move || i18n.t("lesson.in_vietnamese")}</span> })}
                                        <span class="lesson-meta">
                                            {move || status_text(i18n, status()).0}
                                            " · "
                                            {let minutes = lesson.minutes.to_string(); move || i18n.t_with("lesson.minutes", &[("n", &minutes)])}
                                        </span>
                                    </span>
                                </A>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }
            .into_any()
        };
        let colour = topic.colour().to_owned();
        let text = {
            let topic = topic.clone();
            move || topic.text(&i18n.locale())
        };
        let summary = text.clone();
        view! {
            <header class="bar" style=format!("--topic-colour: {colour}")>
                <A href="/" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.home")>"←"</A>
                <h1>{move || text().title}</h1>
            </header>
            <section class="topic-hero" style=format!("--topic-colour: {colour}")>
                <TopicPicture icon=topic.icon.clone()/>
                <p>{move || summary().summary}</p>
            </section>
            {lessons}
        }
        .into_any()
    }
}
