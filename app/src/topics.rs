//! Topic tiles (home) and the topic screen: its lessons with the learner's status, and "download
//! this topic" for offline use.
use hocso_core::content::CatalogueTopic;
use hocso_core::progress::{LessonProgress, LessonStatus};
use hocso_core::topics::{topic, Topic};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::content::{download_topic, drill_count, lesson_title, topic_download_size, topic_versions, Media};
use crate::i18n::use_i18n;
use crate::not_found::NotFound;
use crate::state::use_app_state;
use crate::store;

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

/// The catalogue entry of a topic, once the catalogue is known.
pub fn catalogue_topic(id: &'static str) -> impl Fn() -> Option<CatalogueTopic> + Copy + 'static {
    let state = use_app_state();
    move || state.catalogue.with(|c| c.as_ref()?.as_ref().ok()?.topics.iter().find(|t| t.id == id).cloned())
}

/// A big tile on the home screen, with the learner's progress in the topic.
#[component]
pub fn TopicTile(topic: &'static Topic) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let entry = catalogue_topic(topic.id);
    let done = move || {
        entry().map(|t| {
            let completed = state.progress.with(|p| p.completed_count_with_drills(t.lessons.iter().map(|l| (l.id.as_str(), drill_count(l)))));
            i18n.t_with("topic.done_of", &[("done", &completed.to_string()), ("total", &t.lessons.len().to_string())])
        })
    };
    view! {
        <A href=format!("/topics/{}", topic.id) attr:class="topic-tile" attr:style=format!("--topic-colour: {}", topic.colour)>
            <TopicPicture id=topic.id/>
            <span class="topic-text">
                <span class="topic-title">{move || i18n.t(&topic.title_key())}</span>
                <span class="topic-summary">{move || i18n.t(&topic.summary_key())}</span>
                <span class="topic-progress">{done}</span>
            </span>
        </A>
    }
}

fn kilobytes(bytes: u64) -> String {
    format!("{} KB", bytes.div_ceil(1024))
}

/// "Download this topic": fetches its packs and pictures so the service worker keeps them.
#[component]
fn DownloadTopic(topic: CatalogueTopic) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let size = topic_download_size(&topic, &locale);
    let versions = topic_versions(&topic);
    let meta_key = format!("downloaded.{}.{locale}", topic.id);
    // None: checking; Some(true): ready offline.
    let ready = RwSignal::new(None::<bool>);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<&'static str>);
    {
        let (meta_key, versions) = (meta_key.clone(), versions.clone());
        spawn_local(async move {
            let saved: Option<String> = store::get_meta(&meta_key).await.ok().flatten();
            ready.set(Some(saved.as_deref() == Some(versions.as_str())));
        });
    }
    let download = move |_| {
        let (topic, locale, meta_key, versions) = (topic.clone(), locale.clone(), meta_key.clone(), versions.clone());
        busy.set(true);
        failed.set(None);
        spawn_local(async move {
            match download_topic(&topic, &locale, Media::PicturesAndSound).await {
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
                        {move || if busy.get() { i18n.t("topic.downloading") } else { i18n.t_with("topic.download", &[("size", &kilobytes(size))]) }}
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
        let Some(topic) = params.with(|p| p.get("topic")).as_deref().and_then(topic) else {
            return view! { <NotFound/> }.into_any();
        };
        let entry = catalogue_topic(topic.id);
        let lessons = move || {
            let Some(entry) = entry() else {
                return match state.catalogue.get() {
                    Some(Err(error)) => view! { <p class="notice">{i18n.t(error.message_key())}</p> }.into_any(),
                    _ => view! { <p class="notice" aria-busy="true">{i18n.t("common.loading")}</p> }.into_any(),
                };
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
                        let href = format!("/lessons/{}/{}", topic.id, lesson.id);
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
        view! {
            <header class="bar" style=format!("--topic-colour: {}", topic.colour)>
                <A href="/" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.home")>"←"</A>
                <h1>{move || i18n.t(&topic.title_key())}</h1>
            </header>
            <section class="topic-hero" style=format!("--topic-colour: {}", topic.colour)>
                <TopicPicture id=topic.id/>
                <p>{move || i18n.t(&topic.summary_key())}</p>
            </section>
            {lessons}
        }
        .into_any()
    }
}
