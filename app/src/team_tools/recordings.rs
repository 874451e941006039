//! `/team/recordings` ("Giọng đọc của tổ"): the team's recordings on its server, by lesson, part and
//! language, each to listen to; the leader approves one per part and language (the voice every
//! phone of the team then plays) and deletes takes. Online only: the list and the sound live on the
//! team server. A refusal (a member approving, a deleted take) shows the server's own sentence on
//! the take it was about.
use std::collections::BTreeMap;

use hocso_core::i18n::LOCALES;
use hocso_core::recordings::{RecordingPart, TeamRecording};
use hocso_core::sync::Role;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use super::record::{kilobytes, language_label, seconds};
use super::recordings_api::{self, ApiFailure};
use super::team_member;
use crate::i18n::{use_i18n, I18n};
use crate::state::use_app_state;

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Offline,
    Failed(String),
    Ready(Vec<TeamRecording>),
}

/// Lesson → part → its recordings, languages in picker order, oldest first.
type Grouped = BTreeMap<String, BTreeMap<RecordingPart, Vec<TeamRecording>>>;

fn group(recordings: Vec<TeamRecording>) -> Grouped {
    let mut grouped = Grouped::new();
    for recording in recordings {
        let Some(part) = recording.part() else { continue };
        grouped.entry(recording.lesson_id.clone()).or_default().entry(part).or_default().push(recording);
    }
    let language_order = |code: &str| LOCALES.iter().position(|l| l.code == code).unwrap_or(LOCALES.len());
    for parts in grouped.values_mut() {
        for list in parts.values_mut() {
            list.sort_by(|a, b| language_order(&a.locale).cmp(&language_order(&b.locale)).then(a.created_at.cmp(&b.created_at)));
        }
    }
    grouped
}

/// `dd/mm HH:MM` in the phone's time zone.
fn when(ms: i64) -> String {
    let date = js_sys::Date::new(&(ms as f64).into());
    format!("{:02}/{:02} {:02}:{:02}", date.get_date(), date.get_month() + 1, date.get_hours(), date.get_minutes())
}

fn failure_sentence(failure: ApiFailure, i18n: I18n) -> String {
    match failure {
        ApiFailure::NoAnswer => i18n.t("voices.offline"),
        ApiFailure::Refused { message, .. } => i18n.t_with("voices.refused", &[("message", &message)]),
    }
}

/// `/team/recordings`.
#[component]
pub fn TeamVoices() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app_state();
    let member = team_member();
    let load = RwSignal::new(Load::Loading);
    // The sentence shown under one recording: (its id, the sentence).
    let said = RwSignal::new(None::<(String, String)>);
    let busy = RwSignal::new(false);
    let token = move || member.try_get_untracked().flatten().flatten().map(|m| m.device_token);

    let refresh = move || {
        let Some(token) = token() else { return };
        spawn_local(async move {
            load.set(match recordings_api::list(&token).await {
                Ok(list) => Load::Ready(list.recordings),
                Err(ApiFailure::NoAnswer) => Load::Offline,
                Err(ApiFailure::Refused { message, .. }) => Load::Failed(message),
            });
        });
    };
    Effect::new(move || {
        if member.get().flatten().is_some() {
            refresh();
        }
    });
    // Approve or delete, then list again (approving one unapproves the one before it).
    let act = move |id: String, approve: bool| {
        let Some(token) = token() else { return };
        busy.set(true);
        said.set(None);
        spawn_local(async move {
            let done = if approve { recordings_api::approve(&token, &id).await.map(|_| ()) } else { recordings_api::delete(&token, &id).await };
            busy.set(false);
            match done {
                Ok(()) => refresh(),
                Err(failure) => said.set(Some((id, failure_sentence(failure, i18n)))),
            }
        });
    };
    let act = Callback::new(move |(id, approve): (String, bool)| act(id, approve));
    let title = move |lesson_id: &str| {
        app.catalogue.with(|c| {
            c.as_ref()
                .and_then(|c| c.as_ref().ok())
                .and_then(|c| c.topics.iter().flat_map(|t| &t.lessons).find(|l| l.id == lesson_id))
                .map(|l| crate::content::lesson_title(l, &i18n.locale()).0)
                .unwrap_or_else(|| lesson_id.to_owned())
        })
    };

    view! {
        <header class="bar">
            <A href="/team" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.back")>"←"</A>
            <h1>{move || i18n.t("voices.title")}</h1>
        </header>
        <section class="voices">
            {move || match member.get() {
                None | Some(None) => view! { <super::record::NotYetMember known=member.get().is_some()/> }.into_any(),
                Some(Some(membership)) => {
                    let leader = membership.role == Role::Leader;
                    let device = membership.device_id.clone();
                    let device_token = membership.device_token.clone();
                    view! {
                        <p class="hint">{if leader { i18n.t("voices.intro_leader") } else { i18n.t("voices.intro_member") }}</p>
                        <button class="big-button secondary wide" on:click=move |_| { load.set(Load::Loading); refresh(); }>{i18n.t("voices.refresh")}</button>
                        {move || match load.get() {
                            Load::Loading => view! { <p class="hint" aria-busy="true">{i18n.t("record.loading")}</p> }.into_any(),
                            Load::Offline => view! { <p class="error" role="alert">{i18n.t("voices.offline")}</p> }.into_any(),
                            Load::Failed(message) => view! { <p class="error" role="alert">{i18n.t_with("voices.refused", &[("message", &message)])}</p> }.into_any(),
                            Load::Ready(list) if list.is_empty() => view! { <p class="notice">{i18n.t("voices.none")}</p> }.into_any(),
                            Load::Ready(list) => {
                                let device = device.clone();
                                let device_token = device_token.clone();
                                group(list).into_iter().map(|(lesson, parts)| {
                                    let device = device.clone();
                                    let device_token = device_token.clone();
                                    view! {
                                        <section class="voice-lesson" data-lesson=lesson.clone()>
                                            <h2 class="section-title">{title(&lesson)}</h2>
                                            {parts.into_iter().map(|(part, recordings)| {
                                                let label = match part {
                                                    RecordingPart::Step(n) => i18n.t_with("voices.step", &[("n", &(n + 1).to_string())]),
                                                    RecordingPart::DrillInstruction(n) => i18n.t_with("record.drill", &[("n", &(n + 1).to_string())]),
                                                };
                                                let device = device.clone();
                                                let device_token = device_token.clone();
                                                view! {
                                                    <h3 class="voice-part">{label}</h3>
                                                    <ul class="voice-list">
                                                        {recordings.into_iter().map(|r| view! { <Voice recording=r leader mine_device=device.clone() token=device_token.clone() said busy act/> }).collect_view()}
                                                    </ul>
                                                }
                                            }).collect_view()}
                                        </section>
                                    }
                                }).collect_view().into_any()
                            }
                        }}
                    }.into_any()
                }
            }}
        </section>
    }
}

/// One recording: its language and state, listen, and what this phone may do with it.
#[component]
fn Voice(
    recording: TeamRecording,
    leader: bool,
    mine_device: String,
    token: String,
    said: RwSignal<Option<(String, String)>>,
    busy: RwSignal<bool>,
    act: Callback<(String, bool)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let mine = recording.recorded_by == mine_device;
    let who = if mine { i18n.t("voices.this_phone") } else { i18n.t("voices.other_phone") };
    let length = recording.duration_ms.map(|ms| format!("{} · ", i18n.t_with("voices.seconds", &[("seconds", &seconds(ms))]))).unwrap_or_default();
    let meta = format!("{length}{} kB · {who} · {}", kilobytes(recording.bytes), when(recording.created_at));
    let id = StoredValue::new(recording.id.clone());
    let approved = recording.approved;
    let may_delete = leader || (mine && !approved);
    let confirm = RwSignal::new(false);
    view! {
        <li class="voice" class:approved=approved data-id=recording.id.clone() data-locale=recording.locale.clone()>
            <p class="voice-title">
                <strong>{language_label(&recording.locale, i18n)}</strong>
                {approved.then(|| view! { <span class="voice-approved">{i18n.t("voices.approved")}</span> })}
            </p>
            <p class="voice-meta">{meta}</p>
            <div class="voice-actions">
                <ServerPlay id=recording.id.clone() token/>
                {(leader && !approved).then(|| view! {
                    <button class="big-button approve-button" disabled=move || busy.get() on:click=move |_| act.run((id.get_value(), true))>{i18n.t("voices.approve")}</button>
                })}
                {may_delete.then(|| view! {
                    <button class="big-button secondary delete-voice" disabled=move || busy.get() on:click=move |_| {
                        if confirm.get_untracked() { confirm.set(false); act.run((id.get_value(), false)); } else { confirm.set(true); }
                    }>{move || if confirm.get() { i18n.t("record.delete_confirm") } else { i18n.t("record.delete") }}</button>
                })}
            </div>
            {move || said.get().filter(|(about, _)| id.with_value(|id| about == id)).map(|(_, sentence)| view! { <p class="error voice-error" role="alert">{sentence}</p> })}
        </li>
    }
}

/// "Listen" for a recording on the server: its sound is fetched with the token on the first tap
/// (an `<audio src>` cannot send one) and played from an object URL.
#[component]
fn ServerPlay(id: String, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let token = StoredValue::new(token);
    let audio = NodeRef::<leptos::html::Audio>::new();
    let url = StoredValue::new(None::<String>);
    let playing = RwSignal::new(false);
    let fetching = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let id = StoredValue::new(id);
    let play = move |_| {
        let Some(element) = audio.get_untracked() else { return };
        if url.with_value(Option::is_some) {
            if element.paused() {
                element.set_current_time(0.0);
                let _ = element.play();
            } else {
                let _ = element.pause();
            }
            return;
        }
        let token = token.get_value();
        fetching.set(true);
        failed.set(None);
        spawn_local(async move {
            match recordings_api::audio_url(&token, &id.get_value()).await {
                Ok(object_url) => {
                    element.set_src(&object_url);
                    url.set_value(Some(object_url));
                    let _ = element.play();
                }
                Err(failure) => failed.set(Some(failure_sentence(failure, i18n))),
            }
            fetching.set(false);
        });
    };
    on_cleanup(move || {
        if let Some(Some(url)) = url.try_get_value() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    view! {
        <button class="big-button secondary play-button" disabled=move || fetching.get() aria-pressed=move || playing.get().to_string() on:click=play>
            {move || if playing.get() { i18n.t("record.pause") } else { i18n.t("record.play") }}
        </button>
        <audio class="voice-audio" node_ref=audio preload="none"
            on:play=move |_| playing.set(true) on:pause=move |_| playing.set(false) on:ended=move |_| playing.set(false)></audio>
        {move || failed.get().map(|sentence| view! { <p class="error voice-error" role="alert">{sentence}</p> })}
    }
}
