//! The lesson reader: one step per screen, then the quiz one question at a time, then the result.
//!
//! Every move is first saved as a progress event (see `AppState::record`); only when it is stored
//! does the screen change, so reopening the lesson resumes at exactly the step the learner saw.
use std::collections::BTreeSet;

use hocso_core::content::{Block, CatalogueTopic, Lesson, Question, QuestionKind};
use hocso_core::progress::{EventKind, LessonStatus};
use hocso_core::recordings::{RecordingPart, StepVoices, TeamRecording, VoiceSource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::content::{fetch_topic, LocalisedLesson};
use crate::i18n::use_i18n;
use crate::not_found::NotFound;
use crate::practice::PracticeHost;
use crate::rich_text::{blocks_view, inlines_view};
use crate::state::use_app_state;
use crate::sync::SyncState;
use crate::topics::catalogue_topic;
use crate::{prefs, speech};

/// Positions in a lesson: steps `0..steps`, then questions, then the result screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Positions {
    steps: usize,
    questions: usize,
}

impl Positions {
    fn of(lesson: &Lesson) -> Self {
        Self { steps: lesson.steps.len(), questions: lesson.quiz.len() }
    }
    fn result(&self) -> usize {
        self.steps + self.questions
    }
    /// Where to reopen: the saved step, kept inside the lesson even if it got shorter since.
    fn resume(&self, saved: u32) -> usize {
        (saved as usize).min(self.result().saturating_sub(1))
    }
}

/// The trainer studio's preview (team tools), provided around a [`Reader`] of a lesson that is not
/// the catalogue's: the learner's screens as they are, but nothing is saved, the lesson starts at
/// its first step, and what would leave for another screen closes the preview instead.
#[derive(Clone, Copy)]
pub struct Preview {
    pub close: Callback<()>,
}

/// Whether the view is in a preview. Only the team tools have previews: in the learner's build this
/// holds nothing and [`PreviewMode::on`] is `false` at compile time, also inside the closures that
/// keep it, so the villager's download carries none of the preview's branches.
#[derive(Clone, Copy)]
struct PreviewMode {
    #[cfg(feature = "team")]
    preview: Option<Preview>,
}

impl PreviewMode {
    fn here() -> Self {
        Self {
            #[cfg(feature = "team")]
            preview: use_context::<Preview>(),
        }
    }

    fn on(self) -> bool {
        #[cfg(feature = "team")]
        return self.preview.is_some();
        #[cfg(not(feature = "team"))]
        false
    }
}

#[component]
pub fn LessonPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let params = use_params_map();
    move || {
        let topic_id = params.with(|p| p.get("topic")).unwrap_or_default();
        let lesson_id = params.with(|p| p.get("lesson")).unwrap_or_default();
        if state.learner_id.get().is_none() {
            return view! {
                <section class="notice-screen">
                    <p>{move || i18n.t("lesson.choose_learner")}</p>
                    <A href="/who" attr:class="big-button">{move || i18n.t("profiles.who")}</A>
                </section>
            }
            .into_any();
        }
        let entry = catalogue_topic(topic_id);
        let pack = LocalResource::new({
            let entry = entry.clone();
            move || {
                let entry = entry();
                let locale = i18n.locale();
                async move {
                    match entry {
                        Some(entry) => Some(fetch_topic(&entry, &locale).await),
                        None => None,
                    }
                }
            }
        });
        let lesson_id = StoredValue::new(lesson_id);
        view! {
            {move || match pack.get() {
                // No such topic in a known catalogue: nothing to load.
                Some(None) if matches!(state.catalogue.get(), Some(Ok(_))) => view! { <NotFound/> }.into_any(),
                Some(None) if matches!(state.catalogue.get(), Some(Err(_))) => {
                    let key = state.catalogue.with(|c| c.as_ref().and_then(|c| c.as_ref().err()).map(|e| e.message_key()).unwrap_or("content.error_broken"));
                    view! { <p class="notice">{i18n.t(key)}</p> }.into_any()
                }
                None | Some(None) => view! { <p class="notice" aria-busy="true">{i18n.t("common.loading")}</p> }.into_any(),
                Some(Some(Err(error))) => view! { <p class="notice">{i18n.t(error.message_key())}</p> }.into_any(),
                Some(Some(Ok(lessons))) => {
                    let id = lesson_id.get_value();
                    match lessons.lessons.get(&id).cloned() {
                        None => view! { <NotFound/> }.into_any(),
                        Some(localised) => {
                            let Some(topic) = entry() else { return view! { <NotFound/> }.into_any() };
                            let next = entry().and_then(|t| {
                                let index = t.lessons.iter().position(|l| l.id == id)?;
                                t.lessons.get(index + 1).map(|l| l.id.clone())
                            });
                            let next_title = next.as_ref().and_then(|n| lessons.lessons.get(n)).map(|l| l.lesson.meta.title.clone());
                            view! { <Reader topic localised next=next.zip(next_title)/> }.into_any()
                        }
                    }
                }
            }}
        }
        .into_any()
    }
}

/// One lesson, from its first screen to its result; `next` is the topic's next lesson (id, title).
#[component]
pub fn Reader(topic: CatalogueTopic, localised: LocalisedLesson, next: Option<(String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let preview = PreviewMode::here();
    let positions = Positions::of(&localised.lesson);
    let fallback = !preview.on() && localised.is_fallback(&i18n.locale());
    let locale = localised.locale.clone();
    let version = localised.version.clone();
    let lesson = StoredValue::new(localised.lesson);
    let lesson_id = lesson.with_value(|l| l.meta.id.clone());
    // For each practice drill, the step that holds it: the lesson is finished only when they are done.
    let drill_steps = StoredValue::new(lesson.with_value(Lesson::drill_steps));
    let position = RwSignal::new(None::<usize>);
    let saving = RwSignal::new(false);
    // The step of a drill left when the learner tried to finish; then, on its way back there.
    let drill_left = RwSignal::new(None::<u32>);
    let finish_after_drill = RwSignal::new(false);
    // A preview's drills save nothing, as in present mode.
    let saved_as = (!preview.on()).then(|| StoredValue::new((lesson_id.clone(), version.clone())));
    provide_context(PracticeHost { lesson: saved_as, locale: StoredValue::new(locale.clone()) });
    let large_text = RwSignal::new(prefs::large_text());

    // Saves `kind`, then shows `to`: the screen never runs ahead of what is stored.
    let record_then_show = {
        let (lesson_id, version) = (lesson_id.clone(), version.clone());
        move |kinds: Vec<EventKind>, to: usize| {
            let (lesson_id, version) = (lesson_id.clone(), version.clone());
            if preview.on() {
                drill_left.set(None);
                position.set(Some(to));
                return;
            }
            saving.set(true);
            drill_left.set(None);
            spawn_local(async move {
                let mut saved = true;
                for kind in kinds {
                    saved = saved && state.record(&lesson_id, &version, kind).await.is_some();
                }
                if saved {
                    position.set(Some(to));
                    speech::stop();
                    if let Some(window) = web_sys::window() {
                        window.scroll_to_with_x_and_y(0.0, 0.0);
                    }
                }
                saving.set(false);
            });
        }
    };

    // Open where the learner left off, once their events are loaded.
    {
        let record_then_show = record_then_show.clone();
        let lesson_id = lesson_id.clone();
        Effect::new(move |_| {
            if preview.on() {
                position.set(Some(0));
                return;
            }
            if position.get_untracked().is_some() || !state.events_loaded.get() {
                return;
            }
            match state.progress.with_untracked(|p| drill_steps.with_value(|d| p.lesson(&lesson_id).status_with_drills(d))) {
                LessonStatus::InProgress { step } => position.set(Some(positions.resume(step))),
                _ => record_then_show(vec![EventKind::LessonStarted, EventKind::StepViewed { step: 0 }], 0),
            }
        });
    }

    let go = {
        let record_then_show = record_then_show.clone();
        let lesson_id = lesson_id.clone();
        move |to: usize| {
            if to >= positions.result() && preview.on() {
                record_then_show(Vec::new(), positions.result());
            } else if to >= positions.result() {
                // The learner finishes the drills first: say so, and offer the way there.
                let left = state
                    .progress
                    .with_untracked(|p| drill_steps.with_value(|d| p.lesson(&lesson_id).first_undone_drill(d.len()).map(|i| d[i as usize])));
                if left.is_some() {
                    drill_left.set(left);
                    return;
                }
                let score = state.progress.with_untracked(|p| p.lesson(&lesson_id).attempt_score(positions.questions as u32));
                record_then_show(vec![EventKind::LessonCompleted { score }], positions.result());
            } else {
                record_then_show(vec![EventKind::StepViewed { step: to as u32 }], to);
            }
        }
    };
    let restart = {
        let record_then_show = record_then_show.clone();
        move || record_then_show(vec![EventKind::LessonStarted, EventKind::StepViewed { step: 0 }], 0)
    };

    let title = lesson.with_value(|l| l.meta.title.clone());
    let draft = lesson.with_value(|l| l.meta.status == hocso_core::content::Status::Draft);
    // Who checked it, so a learner knows a person stands behind what they read.
    let reviewed = lesson.with_value(|l| l.meta.review().map(|(by, on)| (by.to_owned(), format!("{:02}/{:02}/{}", on.day(), on.month(), on.year()))));
    let topic_href = format!("/topics/{}", topic.id);
    let colour = topic.colour().to_owned();
    let topic = StoredValue::new(topic.id);
    let lesson_lang = locale.clone();
    let lesson_id_for_steps = StoredValue::new(lesson_id.clone());
    let body = move || {
        let Some(at) = position.get() else {
            return view! { <p class="notice" aria-busy="true">{i18n.t("common.loading")}</p> }.into_any();
        };
        let go = go.clone();
        if let Some(step) = drill_left.get() {
            let to_drill = go.clone();
            let label = i18n.t_with("practice.finish_first", &[("step", &(step + 1).to_string())]);
            return view! {
                <section class="result">
                    <p class="drill-left-mark" aria-hidden="true">"☝"</p>
                    <h2>{label}</h2>
                    <button class="big-button wide" on:click=move |_| { finish_after_drill.set(true); to_drill(step as usize) }>{i18n.t("practice.go_to_drill")}</button>
                </section>
            }
            .into_any();
        }
        if at < positions.steps {
            let step = lesson.with_value(|l| l.steps[at].clone());
            let first_drill = drill_steps.with_value(|d| d.iter().filter(|s| (**s as usize) < at).count() as u32);
            let finish = go.clone();
            // Back from "finish the practice first": once it is done, the result is one tap away.
            let ready = move || {
                finish_after_drill.get()
                    && state
                        .progress
                        .with(|p| drill_steps.with_value(|d| p.lesson(&lesson_id_for_steps.read_value()).first_undone_drill(d.len()).is_none()))
            };
            view! {
                <StepView topic=topic.get_value() lesson_id=lesson_id_for_steps.get_value() step locale=locale.clone() at first_drill positions go saving/>
                <Show when=ready>
                    {let finish = finish.clone(); view! {
                        <div class="drill-ready" role="status">
                            <p>{i18n.t("practice.ready")}</p>
                            <button class="big-button wide" on:click=move |_| finish(positions.result())>{i18n.t("quiz.finish")}</button>
                        </div>
                    }}
                </Show>
            }
            .into_any()
        } else if at < positions.result() {
            let question = lesson.with_value(|l| l.quiz[at - positions.steps].clone());
            view! { <QuestionView topic=topic.get_value() question lesson_id=lesson_id.clone() version=version.clone() index=at - positions.steps at positions go saving/> }.into_any()
        } else {
            view! { <ResultView lesson_id=lesson_id.clone() topic=topic.get_value() next=next.clone() restart=restart.clone()/> }.into_any()
        }
    };
    let percent = move || position.get().map(|at| (at * 100) / positions.result().max(1)).unwrap_or(0);

    // The learner's build keeps its plain link (no preview, and not a byte more to download).
    #[cfg(feature = "team")]
    let close = match preview.preview {
        Some(preview) => view! {
            <button class="icon-button" aria-label=move || i18n.t("lesson.close") on:click=move |_| preview.close.run(())>"✕"</button>
        }
        .into_any(),
        None => view! { <A href=topic_href attr:class="icon-button" attr:aria-label=move || i18n.t("lesson.close")>"✕"</A> }.into_any(),
    };
    #[cfg(not(feature = "team"))]
    let close = view! { <A href=topic_href attr:class="icon-button" attr:aria-label=move || i18n.t("lesson.close")>"✕"</A> };
    view! {
        <header class="bar" style=format!("--topic-colour: {colour}")>
            {close}
            <h1 class="lesson-heading">{title}</h1>
            <button class="icon-button text-size" aria-pressed=move || large_text.get().to_string()
                aria-label=move || i18n.t("lesson.large_text")
                on:click=move |_| { let on = !large_text.get(); large_text.set(on); prefs::save_large_text(on); }>"A+"</button>
        </header>
        <div class="progress-track" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=move || percent().to_string()>
            <div class="progress-fill" style=move || format!("width: {}%", percent())></div>
        </div>
        {fallback.then(|| view! { <p class="badge-line">{move || i18n.t("lesson.fallback_notice")}</p> })}
        {draft.then(|| view! { <p class="badge-line draft">{move || i18n.t("lesson.draft_notice")}</p> })}
        {reviewed.map(|(who, date)| view! {
            <p class="badge-line reviewed">{move || i18n.t_with("lesson.reviewed_by", &[("who", &who), ("date", &date)])}</p>
        })}
        <article class="reader" class:large-text=move || large_text.get() lang=lesson_lang>
            {body}
        </article>
    }
}

/// The text a step reads aloud: its title and every block's words.
pub(crate) fn step_speech_text(title: &str, blocks: &[Block]) -> String {
    std::iter::once(title.to_owned()).chain(blocks.iter().map(Block::plain_text)).collect::<Vec<_>>().join(". ")
}

/// Where a step's reading comes from, once chosen (see `StepVoices::best`).
#[derive(Clone, PartialEq)]
enum Voice {
    Team(TeamRecording),
    File(String),
    Speech,
    None,
}

/// The "read aloud" button, and a line saying whose voice it is. `part` is (lesson id, step) when
/// the text is a lesson's step: the team's recording of it can play then.
#[component]
pub(crate) fn ReadAloud(text: String, audio: Option<String>, locale: String, #[prop(optional)] part: Option<(String, u32)>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_context::<SyncState>();
    let voice = RwSignal::new(None::<Voice>);
    let token = move || sync.and_then(|s| s.membership.get_untracked()).map(|m| m.device_token);
    let choose = {
        let (audio, locale) = (audio.clone(), locale.clone());
        move |downloaded: &[String]| {
            let team = sync.map(|s| s.voices.with_untracked(|lines| crate::voices::parse(lines))).unwrap_or_default();
            let online = web_sys::window().is_none_or(|w| w.navigator().on_line());
            let can_fetch = online && token().is_some();
            let wanted = i18n.locale();
            let (lesson_id, step) = part.clone().unwrap_or_default();
            let step = StepVoices {
                team: if part.is_some() { &team } else { &[] },
                lesson_id: &lesson_id,
                part: RecordingPart::Step(step),
                wanted_locale: &wanted,
                shown_locale: &locale,
                has_lesson_audio: audio.is_some(),
                can_speak: speech::can_speak(&locale),
            };
            match step.best(|r| can_fetch || downloaded.contains(&r.sha256)) {
                VoiceSource::Team(recording) => Voice::Team(recording.clone()),
                VoiceSource::LessonFile => Voice::File(audio.clone().unwrap_or_default()),
                VoiceSource::Speech => Voice::Speech,
                VoiceSource::None => Voice::None,
            }
        }
    };
    // Chosen again when the team's voices change (a sync) and once more a moment after start:
    // phones load their speech voices late.
    Effect::new(move |_| {
        if let Some(sync) = sync {
            sync.voices.track();
        }
        let choose = choose.clone();
        spawn_local(async move {
            let downloaded = crate::voices::downloaded().await;
            voice.set(Some(choose(&downloaded)));
            if voice.get_untracked() == Some(Voice::None) {
                gloo_timers::future::TimeoutFuture::new(800).await;
                voice.set(Some(choose(&downloaded)));
            }
        });
    });
    let play = move |_| {
        let (text, locale) = (text.clone(), locale.clone());
        match voice.get_untracked() {
            Some(Voice::Team(recording)) => spawn_local(async move {
                match crate::voices::sound_url(&recording, token().as_deref()).await {
                    Some(url) => speech::play(&url),
                    // Gone since it was chosen (the signal went): read it the phone's way.
                    None => speech::speak(&text, &locale),
                }
            }),
            Some(Voice::File(url)) => speech::play(&url),
            Some(Voice::Speech) => speech::speak(&text, &locale),
            Some(Voice::None) | None => {}
        }
    };
    let whose = move || match voice.get() {
        Some(Voice::Team(_)) => {
            let team = sync.and_then(|s| s.membership.get()).map(|m| m.team.name).unwrap_or_default();
            Some(i18n.t_with("lesson.voice_team", &[("team", &team)]))
        }
        Some(Voice::File(_)) => Some(i18n.t("lesson.voice_lesson")),
        Some(Voice::Speech) => Some(i18n.t("lesson.voice_phone")),
        Some(Voice::None) | None => None,
    };
    let has_voice = move || !matches!(voice.get(), Some(Voice::None));
    view! {
        <button class="read-aloud" disabled=move || !has_voice() on:click=play>
            <svg class="speaker" viewBox="0 0 24 24" aria-hidden="true"><path d="M3 9v6h4l5 4V5L7 9H3z" fill="currentColor"/><path d="M16 8a5 5 0 0 1 0 8M19 5a9 9 0 0 1 0 14" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>
            {move || if has_voice() { i18n.t("lesson.read_aloud") } else { i18n.t("lesson.no_voice") }}
        </button>
        {move || whose().map(|line| view! { <p class="voice-source">{line}</p> })}
    }
}

#[component]
fn StepView(
    topic: String,
    lesson_id: String,
    step: hocso_core::content::Step,
    locale: String,
    at: usize,
    first_drill: u32,
    positions: Positions,
    go: impl Fn(usize) + Clone + Send + Sync + 'static,
    saving: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let speech_text = step_speech_text(&step.title, &step.blocks);
    let audio = step.audio().map(str::to_owned);
    let back = go.clone();
    view! {
        <p class="step-count">{move || i18n.t_with("lesson.step_of", &[("n", &(at + 1).to_string()), ("total", &positions.steps.to_string())])}</p>
        <h2 class="step-title">{step.title.clone()}</h2>
        <ReadAloud text=speech_text audio locale part=(lesson_id, at as u32)/>
        <div class="step-body">{blocks_view(&step.blocks, &topic, first_drill)}</div>
        <nav class="step-nav">
            <button class="big-button secondary" disabled=move || at == 0 || saving.get() on:click=move |_| back(at - 1)>
                {move || i18n.t("lesson.back")}
            </button>
            <button class="big-button" disabled=move || saving.get() on:click=move |_| go(at + 1)>
                {move || if at + 1 == positions.steps && positions.questions > 0 { i18n.t("lesson.start_quiz") } else { i18n.t("lesson.next") }}
            </button>
        </nav>
    }
}

#[component]
fn QuestionView(
    topic: String,
    question: Question,
    lesson_id: String,
    version: String,
    index: usize,
    at: usize,
    positions: Positions,
    go: impl Fn(usize) + Clone + Send + Sync + 'static,
    saving: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let preview = PreviewMode::here();
    let topic = StoredValue::new(topic);
    let chosen = RwSignal::new(BTreeSet::<usize>::new());
    // None: not checked yet; Some(right?) after checking.
    let outcome = RwSignal::new(None::<bool>);
    let wrong_tries = RwSignal::new(0u32);
    let kind = question.kind;
    let question = StoredValue::new(question);
    let reveal = move || outcome.get() == Some(true) || wrong_tries.get() >= 2;

    let toggle = move |option: usize| {
        if outcome.get_untracked().is_some() {
            return;
        }
        chosen.update(|set| {
            if kind == QuestionKind::Multiple {
                if !set.remove(&option) {
                    set.insert(option);
                }
            } else {
                *set = BTreeSet::from([option]);
            }
        });
    };
    let check = move |_| {
        let picked = chosen.get_untracked();
        let right = question.with_value(|q| q.is_right(&picked));
        let (lesson_id, version) = (lesson_id.clone(), version.clone());
        if preview.on() {
            outcome.set(Some(right));
            if !right {
                wrong_tries.update(|n| *n += 1);
            }
            return;
        }
        saving.set(true);
        spawn_local(async move {
            let kind = EventKind::QuestionAnswered { question: index as u32, chosen: picked.iter().map(|i| *i as u32).collect(), correct: right };
            if state.record(&lesson_id, &version, kind).await.is_some() {
                outcome.set(Some(right));
                if !right {
                    wrong_tries.update(|n| *n += 1);
                }
            }
            saving.set(false);
        });
    };
    let retry = move |_| {
        chosen.set(BTreeSet::new());
        outcome.set(None);
    };
    let next = go.clone();

    view! {
        <p class="step-count">{move || i18n.t_with("lesson.question_of", &[("n", &(index + 1).to_string()), ("total", &positions.questions.to_string())])}</p>
        <h2 class="question-prompt">{question.with_value(|q| q.prompt.clone())}</h2>
        {(kind == QuestionKind::Multiple).then(|| view! { <p class="hint">{move || i18n.t("quiz.choose_all")}</p> })}
        <div class="options" role=if kind == QuestionKind::Multiple { "group" } else { "radiogroup" }>
            {question.with_value(|q| q.options.iter().enumerate().map(|(i, option)| {
                let correct = option.correct;
                let explanation = option.explanation.clone();
                let class = move || {
                    let picked = chosen.with(|c| c.contains(&i));
                    let mut class = String::from("option");
                    if picked { class.push_str(" picked"); }
                    if outcome.get().is_some() && picked { class.push_str(if correct { " right" } else { " wrong" }); }
                    if reveal() && correct && !picked { class.push_str(" right"); }
                    class
                };
                let show_explanation = move || outcome.get().is_some() && (chosen.with(|c| c.contains(&i)) || (reveal() && correct));
                view! {
                    <div class="option-block">
                        <button class=class aria-pressed=move || chosen.with(|c| c.contains(&i)).to_string() on:click=move |_| toggle(i)>
                            <span class="option-mark" aria-hidden="true"></span>
                            <span>{inlines_view(&option.text, &topic.read_value())}</span>
                        </button>
                        <Show when=show_explanation>
                            <p class="explanation">{inlines_view(&explanation, &topic.read_value())}</p>
                        </Show>
                    </div>
                }
            }).collect_view())}
        </div>
        <div class="feedback" role="status" aria-live="polite">
            {move || outcome.get().map(|right| if right {
                view! { <p class="feedback-right">"✓ " {i18n.t("quiz.right")}</p> }.into_any()
            } else {
                view! { <p class="feedback-wrong">"✗ " {i18n.t("quiz.wrong")}</p> }.into_any()
            })}
        </div>
        <nav class="step-nav">
            {move || match outcome.get() {
                None => view! {
                    <button class="big-button wide" disabled=move || chosen.with(BTreeSet::is_empty) || saving.get() on:click=check.clone()>
                        {move || i18n.t("quiz.check")}
                    </button>
                }.into_any(),
                Some(false) if !reveal() => view! {
                    <button class="big-button wide" on:click=retry>{move || i18n.t("quiz.retry")}</button>
                }.into_any(),
                Some(_) => {
                    let next = next.clone();
                    let next = move |_| next(at + 1);
                    view! {
                        <button class="big-button wide" disabled=move || saving.get() on:click=next>
                            {move || if at + 1 == positions.result() { i18n.t("quiz.finish") } else { i18n.t("lesson.next") }}
                        </button>
                    }.into_any()
                }
            }}
        </nav>
    }
}

#[component]
fn ResultView(lesson_id: String, topic: String, next: Option<(String, String)>, restart: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    // A preview saves no answers: a score here would be the phone's own learner's.
    let previewing = PreviewMode::here().on();
    let score = move || if previewing { None } else { state.progress.with(|p| p.lesson(&lesson_id).last_score) };
    let topic_href = format!("/topics/{topic}");
    #[cfg(feature = "team")]
    let back = match PreviewMode::here().preview {
        Some(preview) => view! {
            <button class="text-link" on:click=move |_| preview.close.run(())>{move || i18n.t("result.back_to_topic")}</button>
        }
        .into_any(),
        None => view! { <A href=topic_href attr:class="text-link">{move || i18n.t("result.back_to_topic")}</A> }.into_any(),
    };
    #[cfg(not(feature = "team"))]
    let back = view! { <A href=topic_href attr:class="text-link">{move || i18n.t("result.back_to_topic")}</A> };
    view! {
        <section class="result">
            <div class="result-badge" aria-hidden="true">"✓"</div>
            <h2>{move || i18n.t("result.done")}</h2>
            {move || score().filter(|s| s.out_of > 0).map(|s| view! {
                <p class="score">{i18n.t_with("result.score", &[("correct", &s.correct.to_string()), ("total", &s.out_of.to_string())])}</p>
            })}
            {next.map(|(id, title)| view! {
                <A href=format!("/lessons/{topic}/{id}") attr:class="big-button wide">
                    {move || i18n.t_with("result.next_lesson", &[("title", &title)])}
                </A>
            })}
            <button class="big-button secondary wide" on:click=move |_| restart()>{move || i18n.t("result.again")}</button>
            {back}
        </section>
    }
}
