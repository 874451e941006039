//! `/team/record` ("Ghi âm bài học"): a member of the team reads a lesson aloud, part by part, in
//! one language, and the takes go to the team server for the leader to approve (issue #15).
//!
//! The screen shows each part's text (the steps, then the drills' instructions: the parts of
//! `hocso_core::recordings`), in the chosen language where the lesson has it. Per part: record
//! (stops by itself at 60 s), listen, record again, save. A saved take is checked first by
//! `hocso_core::audio::check_recording`, the server's own rules, then kept in IndexedDB (`takes`),
//! so recording works with no signal and survives a reload; it is sent when the phone is online,
//! again after no answer, with the same id (`takes::send_waiting`). The lesson and language are in
//! the address (`?lesson=…&locale=…`), so a reload comes back to them.
use hocso_core::audio::{check_recording, RecordingProblem, MAX_RECORDING_BYTES, MAX_RECORDING_MS};
use hocso_core::content::{Block, Catalogue, Lesson};
use hocso_core::i18n::{LOCALES, REFERENCE_LOCALE};
use hocso_core::recordings::RecordingPart;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::microphone::{self, MicProblem, Recording};
use super::takes::{self, Sent, Take, Upload};
use super::{recordings_api, team_member, PlayButton};
use crate::content::{fetch_topic, lesson_title, LocalisedLesson};
use crate::i18n::{use_i18n, I18n};
use crate::state::use_app_state;

/// Recording stops by itself a little before the limit, so the file never states over 60 s.
const AUTO_STOP_MS: u64 = MAX_RECORDING_MS - 300;
/// After no answer, sending is tried again this often while the screen is open (and at once when
/// the browser says it is online).
const RETRY_MS: u64 = 30_000;

/// One part of a lesson to read: a step, or a drill's instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Part {
    key: String,
    /// "Bước 2/8", "Luyện tập 1".
    label: String,
    title: String,
    lines: Vec<String>,
}

/// The parts of `lesson` in reading order: its steps (`0`, `1`, …), then its drills' instructions
/// (`drill-0`, …), as `hocso_core::recordings` numbers them.
fn lesson_parts(lesson: &Lesson, i18n: I18n) -> Vec<Part> {
    let total = lesson.steps.len().to_string();
    let steps = lesson.steps.iter().enumerate().map(|(i, step)| Part {
        key: RecordingPart::Step(i as u32).key(),
        label: i18n.t_with("record.step", &[("n", &(i + 1).to_string()), ("total", &total)]),
        title: step.title.clone(),
        lines: step.blocks.iter().map(Block::plain_text).filter(|t| !t.trim().is_empty()).collect(),
    });
    let drills = lesson.drills().into_iter().enumerate().map(|(i, drill)| Part {
        key: RecordingPart::DrillInstruction(i as u32).key(),
        label: i18n.t_with("record.drill", &[("n", &(i + 1).to_string())]),
        title: String::new(),
        lines: vec![drill.instruction.clone()],
    });
    steps.chain(drills).collect()
}

/// The name a language goes by in the pickers: Vietnamese read by the team says so.
pub(super) fn language_label(code: &str, i18n: I18n) -> String {
    if code == REFERENCE_LOCALE {
        return i18n.t("record.language_vi");
    }
    LOCALES.iter().find(|l| l.code == code).map_or_else(|| code.to_owned(), |l| l.native_name.to_owned())
}

/// The sentence for a recording the server would refuse.
fn problem_sentence(problem: &RecordingProblem, i18n: I18n) -> String {
    match problem {
        RecordingProblem::Empty => i18n.t("record.problem_empty"),
        RecordingProblem::TooLarge { bytes } => i18n.t_with("record.problem_too_large", &[("kb", &kilobytes(*bytes as u64))]),
        RecordingProblem::NotAudio => i18n.t("record.problem_not_audio"),
        RecordingProblem::TooLong { duration_ms } => i18n.t_with("record.problem_too_long", &[("seconds", &duration_ms.div_ceil(1000).to_string())]),
    }
}

pub(super) fn kilobytes(bytes: u64) -> String {
    bytes.div_ceil(1000).to_string()
}

pub(super) fn seconds(ms: u64) -> String {
    ms.div_ceil(1000).max(1).to_string()
}

/// The language chosen in the address, Vietnamese when none (or one HocSo does not have).
fn locale_of(query: Memo<leptos_router::params::ParamsMap>) -> String {
    query.with(|q| q.get("locale")).filter(|l| LOCALES.iter().any(|x| x.code == l)).unwrap_or_else(|| REFERENCE_LOCALE.to_owned())
}

#[derive(Clone, PartialEq)]
enum LessonLoad {
    Nothing,
    Loading,
    Failed(&'static str),
    /// The lesson, and the language asked for (the lesson may be in Vietnamese instead).
    Ready(Box<LocalisedLesson>, String),
}

/// The part being recorded or listened to before saving (one at a time), with the lesson and
/// language it was started for (the pickers are locked meanwhile, but a take is saved for those).
#[derive(Clone, PartialEq)]
struct Active {
    part: Target,
    phase: Phase,
}

#[derive(Clone, PartialEq)]
struct Target {
    lesson: String,
    locale: String,
    step: String,
}

impl Active {
    fn is_of(&self, lesson: Option<&str>, locale: &str, step: &str) -> bool {
        Some(self.part.lesson.as_str()) == lesson && self.part.locale == locale && self.part.step == step
    }
}

#[derive(Clone, PartialEq)]
enum Phase {
    /// Asking for the microphone.
    Starting,
    Recording {
        elapsed_ms: u64,
    },
    Stopping,
    /// A take to listen to, not saved yet; `problem` is why it could not be sent.
    Recorded {
        url: String,
        content_type: String,
        duration_ms: u64,
        bytes: u64,
        problem: Option<String>,
    },
    Saving,
}

#[derive(Clone, PartialEq)]
enum Sending {
    Idle,
    Running,
    Ended(Sent),
}

/// `/team/record`.
#[component]
pub fn Recorder() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app_state();
    let member = team_member();
    let query = use_query_map();
    let navigate = use_navigate();
    let lesson_id = move || query.with(|q| q.get("lesson")).filter(|l| !l.is_empty());
    let locale = move || locale_of(query);
    let choose = Callback::new(move |(lesson, locale): (Option<String>, String)| {
        let lesson = lesson.unwrap_or_default();
        navigate(&format!("/team/record?lesson={lesson}&locale={locale}"), NavigateOptions { replace: true, scroll: false, ..Default::default() });
    });

    let mic = microphone::available();
    let mic_problem = RwSignal::new(mic.err());
    // The part whose Record was tapped last: a microphone problem is said under it, by the thumb.
    let tried = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(LessonLoad::Nothing);
    let takes_here = RwSignal::new(Vec::<(Take, String)>::new());
    let takes_loaded = RwSignal::new(false);
    let active = RwSignal::new(None::<Active>);
    let sending = RwSignal::new(Sending::Idle);
    let store_problem = RwSignal::new(None::<&'static str>);
    // The running recording and the bytes of the take on screen: not signals (not shared, and a
    // MediaRecorder cannot leave this thread).
    let recording = StoredValue::new_local(None::<Recording>);
    let pending = StoredValue::new(Vec::<u8>::new());
    let ticker = StoredValue::new(None::<IntervalHandle>);
    let retry = StoredValue::new(None::<TimeoutHandle>);
    // `send_now` schedules itself again after no answer: it reaches itself through this.
    let send_later = StoredValue::new(None::<Callback<()>>);

    // The lesson's text in the chosen language (else Vietnamese): from the topic pack, which the
    // service worker keeps once fetched.
    Effect::new(move || {
        let (Some(id), locale) = (lesson_id(), locale()) else {
            loaded.set(LessonLoad::Nothing);
            return;
        };
        let topic = app.catalogue.with(|c| match c {
            None => Err(None),
            Some(Err(error)) => Err(Some(error.message_key())),
            Some(Ok(catalogue)) => super::topic_of(catalogue, &id).ok_or(Some("record.lesson_unknown")),
        });
        let topic = match topic {
            Ok(topic) => topic,
            Err(None) => return loaded.set(LessonLoad::Loading),
            Err(Some(key)) => return loaded.set(LessonLoad::Failed(key)),
        };
        // A catalogue refreshed in the background fetches the lesson again without hiding it.
        let shown = loaded.with_untracked(|l| matches!(l, LessonLoad::Ready(lesson, asked) if lesson.lesson.meta.id == id && *asked == locale));
        if !shown {
            loaded.set(LessonLoad::Loading);
        }
        spawn_local(async move {
            let result = fetch_topic(&topic, &locale).await;
            // The screen was left meanwhile.
            if loaded.try_get_untracked().is_none() {
                return;
            }
            // Another lesson or language was chosen meanwhile: that one's answer counts.
            if untrack(move || (lesson_id(), locale_of(query))) != (Some(id.clone()), locale.clone()) {
                return;
            }
            match result {
                Ok(mut lessons) => match lessons.lessons.remove(&id) {
                    Some(lesson) => loaded.set(LessonLoad::Ready(Box::new(lesson), locale)),
                    None => loaded.set(LessonLoad::Failed("record.lesson_unknown")),
                },
                Err(_) if shown => {}
                Err(error) => loaded.set(LessonLoad::Failed(error.message_key())),
            }
        });
    });

    // Sends what waits, now; after no answer, again in a while.
    let send_now = move || {
        let Some(Some(Some(token))) = member.try_get_untracked().map(|m| m.map(|m| m.map(|m| m.device_token))) else { return };
        if let Some(handle) = retry.get_value() {
            handle.clear();
            retry.set_value(None);
        }
        if !takes_here.with_untracked(|t| t.iter().any(|(take, _)| take.upload == Upload::Waiting)) {
            return;
        }
        sending.set(Sending::Running);
        spawn_local(async move {
            let result = takes::send_waiting(&token, |id, upload| {
                takes_here.update(|all| {
                    if let Some((take, _)) = all.iter_mut().find(|(t, _)| t.id == id) {
                        take.upload = upload.clone();
                    }
                })
            })
            .await;
            if result == Sent::Busy {
                return;
            }
            if matches!(result, Sent::NoAnswer { .. }) {
                let again = set_timeout_with_handle(
                    move || {
                        if let Some(send) = send_later.try_get_value().flatten() {
                            send.run(());
                        }
                    },
                    std::time::Duration::from_millis(RETRY_MS),
                )
                .ok();
                retry.set_value(again);
            }
            sending.set(Sending::Ended(result));
        });
    };
    send_later.set_value(Some(Callback::new(move |()| send_now())));

    spawn_local(async move {
        match takes::load_all().await {
            Ok(all) => takes_here.set(all),
            Err(error) => store_problem.set(Some(error.message_key())),
        }
        takes_loaded.set(true);
    });
    // Once the takes and the membership are known, send what waits.
    Effect::new(move || {
        if takes_loaded.get() && member.get().flatten().is_some() {
            send_now();
        }
    });
    let online = window_event_listener_untyped("online", move |_| send_now());

    let stop = move || {
        if let Some(handle) = ticker.get_value() {
            handle.clear();
            ticker.set_value(None);
        }
        let Some(running) = recording.try_update_value(Option::take).flatten() else { return };
        let Some(part) = active.with_untracked(|a| a.as_ref().map(|a| a.part.clone())) else { return };
        active.set(Some(Active { part: part.clone(), phase: Phase::Stopping }));
        spawn_local(async move {
            match running.stop().await {
                Ok(recorded) => {
                    let checked = check_recording(&recorded.bytes);
                    let problem = checked.as_ref().err().map(|p| problem_sentence(p, i18n));
                    let duration_ms = checked.ok().and_then(|c| c.duration_ms).unwrap_or(recorded.elapsed_ms);
                    let url = recordings_api::blob_of(&recorded.bytes, &recorded.content_type)
                        .and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob).ok())
                        .unwrap_or_default();
                    let bytes = recorded.bytes.len() as u64;
                    pending.set_value(recorded.bytes);
                    let phase = Phase::Recorded { url, content_type: recorded.content_type, duration_ms, bytes, problem };
                    active.set(Some(Active { part, phase }));
                }
                Err(problem) => {
                    mic_problem.set(Some(problem));
                    active.set(None);
                }
            }
        });
    };

    let forget_recorded = move || {
        if let Some(Active { phase: Phase::Recorded { url, .. }, .. }) = active.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
        pending.set_value(Vec::new());
        active.set(None);
    };

    let start = move |step: String| {
        if active.with_untracked(|a| a.as_ref().is_some_and(|a| !matches!(a.phase, Phase::Recorded { .. }))) {
            return;
        }
        let Some(lesson) = untrack(lesson_id) else { return };
        tried.set(Some(step.clone()));
        let part = Target { lesson, locale: untrack(locale), step };
        forget_recorded();
        mic_problem.set(None);
        active.set(Some(Active { part: part.clone(), phase: Phase::Starting }));
        spawn_local(async move {
            match microphone::start().await {
                Ok(running) => {
                    // The screen was left while the phone asked for the microphone: let it go.
                    if recording.try_set_value(Some(running)).is_some() {
                        return;
                    }
                    active.set(Some(Active { part: part.clone(), phase: Phase::Recording { elapsed_ms: 0 } }));
                    let tick = move || {
                        let elapsed_ms = recording.try_with_value(|r| r.as_ref().map(Recording::elapsed_ms)).flatten();
                        let Some(elapsed_ms) = elapsed_ms else { return };
                        if elapsed_ms >= AUTO_STOP_MS {
                            stop();
                        } else {
                            active.set(Some(Active { part: part.clone(), phase: Phase::Recording { elapsed_ms } }));
                        }
                    };
                    ticker.set_value(set_interval_with_handle(tick, std::time::Duration::from_millis(250)).ok());
                }
                Err(problem) => {
                    mic_problem.set(Some(problem));
                    active.set(None);
                }
            }
        });
    };

    let save = move || {
        let Some(Active { part, phase: Phase::Recorded { url, content_type, duration_ms, bytes, problem: None } }) = active.get_untracked() else {
            return;
        };
        active.set(Some(Active { part: part.clone(), phase: Phase::Saving }));
        let take = Take {
            id: crate::store::random_id(),
            lesson: part.lesson.clone(),
            step: part.step.clone(),
            locale: part.locale.clone(),
            content_type: content_type.clone(),
            duration_ms,
            bytes,
            created_at: js_sys::Date::now() as i64,
            upload: Upload::Waiting,
        };
        let sound = pending.with_value(|bytes| recordings_api::blob_of(bytes, &content_type));
        spawn_local(async move {
            let saved = match &sound {
                Some(blob) => takes::save(&take, blob).await,
                None => Err(crate::store::StoreError::Failed("no blob".into())),
            };
            match saved {
                Ok(removed) => {
                    store_problem.set(None);
                    pending.set_value(Vec::new());
                    takes_here.update(|all| {
                        all.retain(|(t, old_url)| {
                            let keep = !removed.contains(&t.id);
                            if !keep {
                                let _ = web_sys::Url::revoke_object_url(old_url);
                            }
                            keep
                        });
                        all.push((take, url));
                    });
                    active.set(None);
                    send_now();
                }
                Err(error) => {
                    store_problem.set(Some(error.message_key()));
                    active.set(Some(Active { part, phase: Phase::Recorded { url, content_type, duration_ms, bytes, problem: None } }));
                }
            }
        });
    };

    let delete_take = move |id: String| {
        spawn_local(async move {
            match takes::delete(&id).await {
                Ok(()) => takes_here.update(|all| {
                    all.retain(|(t, url)| {
                        if t.id == id {
                            let _ = web_sys::Url::revoke_object_url(url);
                        }
                        t.id != id
                    })
                }),
                Err(error) => store_problem.set(Some(error.message_key())),
            }
        });
    };

    on_cleanup(move || {
        online.remove();
        if let Some(handle) = ticker.try_get_value().flatten() {
            handle.clear();
        }
        if let Some(handle) = retry.try_get_value().flatten() {
            handle.clear();
        }
        // Leaving mid-take frees the microphone.
        let _ = recording.try_update_value(Option::take);
        if let Some(Some(Active { phase: Phase::Recorded { url, .. }, .. })) = active.try_get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
        takes_here.try_with_untracked(|all| all.iter().for_each(|(_, url)| drop(web_sys::Url::revoke_object_url(url))));
    });

    // The pickers wait while a part is being recorded or saved.
    let locked = move || active.with(|a| a.as_ref().is_some_and(|a| !matches!(a.phase, Phase::Recorded { .. })));
    let waiting = move || takes_here.with(|t| t.iter().filter(|(take, _)| take.upload == Upload::Waiting).count());
    let controls = PartControls {
        active,
        takes_here,
        start: Callback::new(start),
        stop: Callback::new(move |()| stop()),
        save: Callback::new(move |()| save()),
        discard: Callback::new(move |()| forget_recorded()),
        delete_take: Callback::new(delete_take),
        can_record: mic.is_ok(),
        mic_problem,
        tried,
        lesson_id: Signal::derive(lesson_id),
        locale: Signal::derive(locale),
    };

    view! {
        <header class="bar">
            <A href="/team" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.back")>"←"</A>
            <h1>{move || i18n.t("record.title")}</h1>
        </header>
        <section class="recorder">
            {move || match member.get() {
                None | Some(None) => view! { <super::record::NotYetMember known=member.get().is_some()/> }.into_any(),
                Some(Some(_)) => ().into_any(),
            }}
            {(mic == Err(MicProblem::Insecure)).then(|| view! { <p class="error record-insecure" role="alert">{move || i18n.t("record.needs_https")}</p> })}
            {move || store_problem.get().map(|key| view! { <p class="error" role="alert">{i18n.t(key)}</p> })}
            // What waits to be sent (nothing to show before the first take).
            <Show when=move || takes_here.with(|t| !t.is_empty())>
                <div class="send-bar" class:has-waiting=move || { waiting() > 0 }>
                    <p class="send-count">{move || match waiting() {
                        0 => i18n.t("record.all_sent"),
                        n => i18n.t_with("record.waiting", &[("n", &n.to_string())]),
                    }}</p>
                    <Show when=move || { waiting() > 0 }>
                        <button class="big-button wide" disabled=move || sending.get() == Sending::Running || member.get().flatten().is_none()
                            on:click=move |_| send_now()>{move || i18n.t("record.send")}</button>
                    </Show>
                    {move || send_message(sending.get(), i18n).map(|(class, text)| view! { <p class=class role="status">{text}</p> })}
                </div>
            </Show>
            <p class="hint record-limits">{move || i18n.t_with("record.limits", &[("seconds", &(MAX_RECORDING_MS / 1000).to_string()), ("kb", &(MAX_RECORDING_BYTES / 1000).to_string())])}</p>
            <label class="field">
                <span>{move || i18n.t("record.lesson")}</span>
                <select disabled=locked on:change=move |ev| { let v = event_target_value(&ev); choose.run((Some(v).filter(|v| !v.is_empty()), locale())); }>
                    <option value="" selected=move || lesson_id().is_none()>{move || i18n.t("record.choose_lesson")}</option>
                    {move || app.catalogue.with(|c| c.as_ref().and_then(|c| c.as_ref().ok()).map(|c| lesson_options(c, i18n, lesson_id())))}
                </select>
            </label>
            <label class="field">
                <span>{move || i18n.t("record.language")}</span>
                <select disabled=locked on:change=move |ev| choose.run((lesson_id(), event_target_value(&ev)))>
                    {LOCALES.iter().map(|l| {
                        let code = l.code;
                        view! { <option value=code selected=move || locale() == code>{move || language_label(code, i18n)}</option> }
                    }).collect_view()}
                </select>
            </label>
            {move || match loaded.get() {
                LessonLoad::Nothing => view! { <p class="hint">{i18n.t("record.pick_lesson")}</p> }.into_any(),
                LessonLoad::Loading => view! { <p class="hint" aria-busy="true">{i18n.t("record.loading")}</p> }.into_any(),
                LessonLoad::Failed(key) => view! { <p class="error" role="alert">{i18n.t(key)}</p> }.into_any(),
                LessonLoad::Ready(localised, wanted) => {
                    let fallback = localised.is_fallback(&wanted).then(|| {
                        let language = language_label(&wanted, i18n);
                        view! { <p class="notice record-fallback">{i18n.t_with("record.text_in_vietnamese", &[("language", &language)])}</p> }
                    });
                    let parts = lesson_parts(&localised.lesson, i18n);
                    view! {
                        {fallback}
                        <ol class="record-parts" lang=localised.locale.clone()>
                            {parts.into_iter().map(|part| view! { <PartCard part controls/> }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The lesson picker's options, by topic, titles in the interface's language.
fn lesson_options(catalogue: &Catalogue, i18n: I18n, chosen: Option<String>) -> impl IntoView {
    let ui = i18n.locale();
    catalogue
        .topics
        .iter()
        .map(|topic| {
            let label = topic.text(&ui).title;
            let lessons = topic
                .lessons
                .iter()
                .map(|lesson| {
                    let selected = chosen.as_deref() == Some(lesson.id.as_str());
                    view! { <option value=lesson.id.clone() selected=selected>{lesson_title(lesson, &ui).0}</option> }
                })
                .collect_view();
            view! { <optgroup label=label>{lessons}</optgroup> }
        })
        .collect_view()
}

/// What the last round of sending came to, as a line under the button.
fn send_message(sending: Sending, i18n: I18n) -> Option<(&'static str, String)> {
    match sending {
        Sending::Idle | Sending::Ended(Sent::Busy) => None,
        Sending::Running => Some(("hint", i18n.t("record.sending"))),
        Sending::Ended(Sent::Done { sent: 0 }) => None,
        Sending::Ended(Sent::Done { sent }) => Some(("success", i18n.t_with("record.sent", &[("n", &sent.to_string())]))),
        Sending::Ended(Sent::NoAnswer { .. }) => Some(("hint", i18n.t("record.no_answer"))),
        Sending::Ended(Sent::NotInTeam) => Some(("error", i18n.t("record.not_in_team"))),
        Sending::Ended(Sent::Storage) => Some(("error", i18n.t("store.error_failed"))),
    }
}

/// What every part's buttons share.
#[derive(Clone, Copy)]
struct PartControls {
    active: RwSignal<Option<Active>>,
    takes_here: RwSignal<Vec<(Take, String)>>,
    start: Callback<String>,
    stop: Callback<()>,
    save: Callback<()>,
    discard: Callback<()>,
    delete_take: Callback<String>,
    can_record: bool,
    mic_problem: RwSignal<Option<MicProblem>>,
    tried: RwSignal<Option<String>>,
    lesson_id: Signal<Option<String>>,
    locale: Signal<String>,
}

/// One part: its text, and record → stop → listen, record again, save; or its saved take.
#[component]
fn PartCard(part: Part, controls: PartControls) -> impl IntoView {
    let i18n = use_i18n();
    let PartControls { active, takes_here, start, stop, save, discard, delete_take, can_record, mic_problem, tried, lesson_id, locale } = controls;
    let key = StoredValue::new(part.key.clone());
    let this = move |a: &Active| key.with_value(|k| a.is_of(lesson_id.get().as_deref(), &locale.get(), k));
    let mine = move || active.with(|a| a.as_ref().filter(|a| this(a)).map(|a| a.phase.clone()));
    // Another part is being recorded: this one waits (a take on screen does not block).
    let busy_elsewhere = move || active.with(|a| a.as_ref().is_some_and(|a| !this(a) && !matches!(a.phase, Phase::Recorded { .. })));
    let saved = move || {
        let (lesson, locale) = (lesson_id.get().unwrap_or_default(), locale.get());
        takes_here.with(|all| key.with_value(|k| all.iter().rev().find(|(t, _)| t.is_of(&lesson, k, &locale)).cloned()))
    };
    let confirm_delete = RwSignal::new(false);
    let record_button = move |label: &'static str, class: &'static str| {
        view! {
            <button class=format!("big-button wide record-button {class}") disabled=busy_elsewhere
                on:click=move |_| start.run(key.get_value())>
                <span aria-hidden="true" class="record-dot"></span>{move || i18n.t(label)}
            </button>
        }
    };
    let controls_view = move || {
        if !can_record {
            return None;
        }
        Some(match mine() {
            Some(Phase::Starting) => view! { <p class="hint" aria-busy="true">{i18n.t("record.asking_mic")}</p> }.into_any(),
            Some(Phase::Recording { elapsed_ms }) => view! {
                <div class="recording-now">
                    <p class="record-counter" role="timer">
                        <span class="record-live" aria-hidden="true"></span>
                        {i18n.t_with("record.counter", &[("seconds", &(elapsed_ms / 1000).to_string()), ("max", &(MAX_RECORDING_MS / 1000).to_string())])}
                    </p>
                    <button class="big-button wide danger stop-button" on:click=move |_| stop.run(())>
                        <span aria-hidden="true" class="stop-square"></span>{i18n.t("record.stop")}
                    </button>
                </div>
            }.into_any(),
            Some(Phase::Stopping | Phase::Saving) => view! { <p class="hint" aria-busy="true">{i18n.t("record.saving")}</p> }.into_any(),
            Some(Phase::Recorded { url, duration_ms, bytes, problem, .. }) => {
                let has_problem = problem.is_some();
                view! {
                    <p class="take-meta">{i18n.t_with("record.take_meta", &[("seconds", &seconds(duration_ms)), ("kb", &kilobytes(bytes))])}</p>
                    {problem.map(|p| view! { <p class="error take-problem" role="alert">{p}</p> })}
                    <div class="take-actions">
                        <PlayButton url/>
                        <button class="big-button" disabled=has_problem on:click=move |_| save.run(())>{i18n.t("record.save")}</button>
                        {record_button("record.again", "secondary")}
                        <button class="big-button secondary" on:click=move |_| discard.run(())>{i18n.t("record.discard")}</button>
                    </div>
                }.into_any()
            }
            None => match saved() {
                None => record_button("record.start", "").into_any(),
                Some((take, url)) => {
                    let (class, state) = match &take.upload {
                        Upload::Waiting => ("take-state waiting", i18n.t("record.state_waiting")),
                        Upload::Sent => ("take-state sent", i18n.t("record.state_sent")),
                        Upload::Refused(message) => ("take-state refused", i18n.t_with("record.state_refused", &[("message", message)])),
                    };
                    let id = take.id.clone();
                    let deletable = take.upload != Upload::Sent;
                    view! {
                        <p class="take-meta" data-take=take.id.clone()>{i18n.t_with("record.saved_meta", &[("seconds", &seconds(take.duration_ms)), ("kb", &kilobytes(take.bytes))])}</p>
                        <p class=class>{state}</p>
                        <div class="take-actions">
                            <PlayButton url/>
                            {record_button("record.again", "secondary")}
                            {deletable.then(|| view! {
                                <button class="big-button secondary delete-take" on:click=move |_| {
                                    if confirm_delete.get_untracked() { delete_take.run(id.clone()); confirm_delete.set(false); } else { confirm_delete.set(true); }
                                }>{move || if confirm_delete.get() { i18n.t("record.delete_confirm") } else { i18n.t("record.delete") }}</button>
                            })}
                        </div>
                    }.into_any()
                }
            },
        })
    };
    view! {
        <li class="record-part" data-part=part.key.clone() class:recording=move || matches!(mine(), Some(Phase::Recording { .. }))>
            <p class="record-part-label">{part.label}</p>
            {(!part.title.is_empty()).then(|| view! { <h2 class="record-part-title">{part.title}</h2> })}
            // The buttons above the text: tap Record, then read down; while recording they stay in sight.
            <div class="record-controls">
                {controls_view}
                {move || {
                    let here = tried.with(|t| key.with_value(|k| t.as_ref() == Some(k)));
                    mic_problem.get().filter(|_| here && mine().is_none()).map(|p| view! { <p class="error mic-problem" role="alert">{i18n.t(p.message_key())}</p> })
                }}
            </div>
            <div class="record-text">{part.lines.into_iter().map(|line| view! { <p>{line}</p> }).collect_view()}</div>
        </li>
    }
}

/// What the recorder and the voices list show before they know the phone's team (`known` false:
/// still reading), or when it has none: the way to join.
#[component]
pub(super) fn NotYetMember(known: bool) -> impl IntoView {
    let i18n = use_i18n();
    if !known {
        return view! { <p class="hint" aria-busy="true">{i18n.t("record.loading")}</p> }.into_any();
    }
    view! {
        <p class="notice">{i18n.t("record.join_first")}</p>
        <A href="/settings" attr:class="big-button wide">{i18n.t("record.join_link")}</A>
    }
    .into_any()
}
