//! `/team/sessions/:id/present/:lesson`: the lesson shown big, for a phone held up or a TV, and a
//! group quiz where the member counts raised hands per option (saved as a `GroupAnswered` event).
use hocso_core::content::{Lesson, Question};
use hocso_core::progress::EventKind;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{topic_of, use_team};
use crate::content::fetch_topic;
use crate::i18n::use_i18n;
use crate::lesson::{step_speech_text, ReadAloud};
use crate::practice::PracticeHost;
use crate::rich_text::{blocks_view, inlines_view};
use crate::speech;
use crate::state::use_app_state;

#[component]
pub fn PresentMode() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app_state();
    let params = use_params_map();
    let session_id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let lesson_id = move || params.with(|p| p.get("lesson")).unwrap_or_default();
    let pack = LocalResource::new(move || {
        let topic = app.catalogue.with(|c| c.as_ref().and_then(|c| c.as_ref().ok()).and_then(|c| topic_of(c, &lesson_id())));
        let locale = i18n.locale();
        async move {
            match topic {
                Some(topic) => Some(fetch_topic(&topic, &locale).await.map(|t| (topic.id.clone(), t))),
                None => None,
            }
        }
    });
    let back_href = move || format!("/team/sessions/{}", session_id());
    view! {
        <div class="present">
            <A href=back_href attr:class="present-exit">{move || i18n.t("session.exit_present")}</A>
            {move || match pack.get() {
                None | Some(None) => view! { <p class="notice">{i18n.t("common.loading")}</p> }.into_any(),
                Some(Some(Err(e))) => view! { <p class="notice">{i18n.t(e.message_key())}</p> }.into_any(),
                Some(Some(Ok((topic, lessons)))) => match lessons.lessons.get(&lesson_id()).cloned() {
                    None => view! { <p class="notice">{i18n.t("not_found.title")}</p> }.into_any(),
                    Some(localised) => view! {
                        <Slides topic=topic session=session_id() lesson=localised.lesson locale=localised.locale/>
                    }.into_any(),
                },
            }}
        </div>
    }
}

#[component]
fn Slides(topic: String, session: String, lesson: Lesson, locale: String) -> impl IntoView {
    let i18n = use_i18n();
    let steps = lesson.steps.len();
    let total = steps + lesson.quiz.len();
    let at = RwSignal::new(0usize);
    let drill_steps = lesson.drill_steps();
    // The room decides and the leader taps: drills are shown, nothing is saved for a learner.
    provide_context(PracticeHost { lesson: None, locale: StoredValue::new(locale.clone()) });
    let lesson = StoredValue::new(lesson);
    let topic = StoredValue::new(topic);
    let session = StoredValue::new(session);
    let locale = StoredValue::new(locale);
    let go = move |to: usize| {
        speech::stop();
        at.set(to.min(total.saturating_sub(1)));
    };
    let slide = move || {
        let position = at.get();
        if position < steps {
            let step = lesson.with_value(|l| l.steps[position].clone());
            let text = step_speech_text(&step.title, &step.blocks);
            let audio = step.audio().map(str::to_owned);
            let first_drill = drill_steps.iter().filter(|s| (**s as usize) < position).count() as u32;
            view! {
                <p class="present-count">{i18n.t_with("lesson.step_of", &[("n", &(position + 1).to_string()), ("total", &steps.to_string())])}</p>
                <h2 class="present-title">{step.title.clone()}</h2>
                <div class="present-body">{blocks_view(&step.blocks, &topic.get_value(), first_drill)}</div>
                <ReadAloud text audio locale=locale.get_value() part=(lesson.with_value(|l| l.meta.id.clone()), position as u32)/>
            }
            .into_any()
        } else {
            let index = position - steps;
            let question = lesson.with_value(|l| l.quiz[index].clone());
            let lesson_id = lesson.with_value(|l| l.meta.id.clone());
            view! { <GroupQuestion session=session.get_value() lesson_id topic=topic.get_value() question index count=lesson.with_value(|l| l.quiz.len())/> }.into_any()
        }
    };
    view! {
        <article class="present-slide" lang=locale.get_value()>{slide}</article>
        <nav class="present-nav">
            <button class="big-button secondary" disabled=move || at.get() == 0 on:click=move |_| go(at.get() - 1)>{move || i18n.t("lesson.back")}</button>
            <button class="big-button" disabled=move || { at.get() + 1 >= total } on:click=move |_| go(at.get() + 1)>{move || i18n.t("lesson.next")}</button>
        </nav>
    }
}

/// One question for the room: a counter per option, then the right answer revealed.
#[component]
fn GroupQuestion(session: String, lesson_id: String, topic: String, question: Question, index: usize, count: usize) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app_state();
    let team = use_team();
    let counts = RwSignal::new(vec![0u32; question.options.len()]);
    let saved = RwSignal::new(false);
    let correct_options: Vec<u32> = question.correct_options().into_iter().map(|i| i as u32).collect();
    let save = move |_| {
        let (session, lesson_id, correct_options) = (session.clone(), lesson_id.clone(), correct_options.clone());
        spawn_local(async move {
            let kind = EventKind::GroupAnswered { session, question: index as u32, counts: counts.get_untracked(), correct_options };
            if team.record(app, Some(&lesson_id), kind).await {
                saved.set(true);
            }
        });
    };
    view! {
        <p class="present-count">{i18n.t_with("session.group_question_of", &[("n", &(index + 1).to_string()), ("total", &count.to_string())])}</p>
        <h2 class="present-title">{question.prompt.clone()}</h2>
        <p class="hint">{i18n.t("session.count_hands")}</p>
        <div class="group-options">
            {question.options.iter().enumerate().map(|(i, option)| {
                let correct = option.correct;
                let explanation = option.explanation.clone();
                let topic = topic.clone();
                view! {
                    <div class=move || if saved.get() && correct { "group-option right" } else { "group-option" }>
                        <span class="group-option-text">{inlines_view(&option.text, &topic)}</span>
                        <div class="counter">
                            <button class="count-button" aria-label=i18n.t("session.minus") disabled=move || saved.get()
                                on:click=move |_| counts.update(|c| c[i] = c[i].saturating_sub(1))>"−"</button>
                            <span class="count" aria-live="polite">{move || counts.with(|c| c[i])}</span>
                            <button class="count-button" aria-label=i18n.t("session.plus") disabled=move || saved.get()
                                on:click=move |_| counts.update(|c| c[i] += 1)>"+"</button>
                        </div>
                        <Show when=move || saved.get()>
                            <p class="explanation">{inlines_view(&explanation, &topic)}</p>
                        </Show>
                    </div>
                }
            }).collect_view()}
        </div>
        {move || if saved.get() {
            view! { <p class="success">{i18n.t("session.group_saved")}</p> }.into_any()
        } else {
            view! { <button class="big-button wide" on:click=save.clone()>{i18n.t("session.save_and_show")}</button> }.into_any()
        }}
    }
}
