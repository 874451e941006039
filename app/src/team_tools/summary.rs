//! `/team/sessions/new`: start a session. `/team/sessions/:id`: its summary — lessons to present,
//! attendance, group quiz results — editable until the member closes it.
use hocso_core::progress::EventKind;
use hocso_core::sessions::{validate_details, AgeBand, Attendee, Gender, SessionDetails, AGE_BANDS, GENDERS};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::{new_id, today, use_team};
use crate::content::lesson_title;
use crate::i18n::use_i18n;
use crate::not_found::NotFound;
use crate::state::use_app_state;

#[component]
pub fn NewSession() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app_state();
    let team = use_team();
    let navigate = StoredValue::new_local(use_navigate());
    let date = RwSignal::new(today());
    let place = RwSignal::new(String::new());
    let village = RwSignal::new(String::new());
    let lessons = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<&'static str>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let details = SessionDetails {
            date: date.get_untracked(),
            place: place.get_untracked().trim().to_owned(),
            village: village.get_untracked().trim().to_owned(),
            lessons: lessons.get_untracked(),
        };
        if let Err(key) = validate_details(&details) {
            error.set(Some(key));
            return;
        }
        let session = new_id("s");
        spawn_local(async move {
            if team.record(app, None, EventKind::SessionDetails { session: session.clone(), details }).await {
                navigate.with_value(|n| n(&format!("/team/sessions/{session}"), Default::default()));
            }
        });
    };
    let catalogue = move || app.catalogue.get().and_then(Result::ok);
    view! {
        <header class="bar">
            <A href="/team" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.back")>"←"</A>
            <h1>{move || i18n.t("session.new")}</h1>
        </header>
        <form class="profile-form" on:submit=save>
            <label class="field"><span>{move || i18n.t("session.date")}</span>
                <input type="date" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t("session.place")}</span>
                <input type="text" maxlength="64" prop:value=move || place.get() on:input=move |ev| place.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t("session.village")}</span>
                <input type="text" maxlength="64" prop:value=move || village.get() on:input=move |ev| village.set(event_target_value(&ev))/></label>
            <fieldset>
                <legend>{move || i18n.t("session.lessons")}</legend>
                {move || catalogue().map(|catalogue| catalogue.topics.into_iter().map(|topic| {
                    let locale = i18n.locale();
                    view! {
                        <p class="topic-group">{topic.text(&locale).title}</p>
                        {topic.lessons.into_iter().map(|lesson| {
                            let id = lesson.id.clone();
                            let checked = { let id = id.clone(); move || lessons.with(|l| l.contains(&id)) };
                            let toggle = move |_| lessons.update(|l| if let Some(i) = l.iter().position(|x| *x == id) { l.remove(i); } else { l.push(id.clone()); });
                            view! {
                                <label class="check-row">
                                    <input type="checkbox" prop:checked=checked on:change=toggle/>
                                    <span>{lesson_title(&lesson, &locale).0}</span>
                                </label>
                            }
                        }).collect_view()}
                    }
                }).collect_view())}
            </fieldset>
            {move || error.get().map(|key| view! { <p class="error" role="alert">{i18n.t(key)}</p> })}
            <button type="submit" class="big-button wide">{move || i18n.t("session.start")}</button>
        </form>
    }
}

fn gender_key(gender: Option<Gender>) -> String {
    format!("gender.{}", gender.map_or("unknown", Gender::key))
}

fn age_key(band: Option<AgeBand>) -> String {
    format!("age.{}", band.map_or("unknown", AgeBand::key))
}

/// A row of big toggle chips for one optional choice.
#[component]
fn Chips<T: Copy + PartialEq + Send + Sync + 'static>(
    choices: &'static [T],
    value: RwSignal<Option<T>>,
    label: fn(Option<T>) -> String,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="chips">
            {choices.iter().map(|choice| {
                let choice = *choice;
                view! {
                    <button type="button" class="chip" aria-pressed=move || (value.get() == Some(choice)).to_string()
                        on:click=move |_| value.update(|v| *v = if *v == Some(choice) { None } else { Some(choice) })>
                        {move || i18n.t(&label(Some(choice)))}
                    </button>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
pub fn SessionSummary() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app_state();
    let team = use_team();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let session = move || team.session(&id());

    let nickname = RwSignal::new(String::new());
    let village = RwSignal::new(String::new());
    let gender = RwSignal::new(None::<Gender>);
    let age_band = RwSignal::new(None::<AgeBand>);
    let learner = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let confirming_close = RwSignal::new(false);
    Effect::new(move |_| {
        if village.get_untracked().is_empty() {
            if let Some(s) = session() {
                village.set(s.details.village);
            }
        }
    });

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(s) = session() else { return };
        let name = nickname.get_untracked().trim().to_owned();
        if name.is_empty() {
            error.set(Some("profiles.error_nickname"));
            return;
        }
        let linked = learner.get_untracked();
        let nickname_typed: String = name.chars().take(64).collect();
        let village_typed: String = village.get_untracked().trim().chars().take(64).collect();
        // Someone who came to an earlier session keeps their id, so reports count them once.
        let earlier = team
            .sessions()
            .into_iter()
            .flat_map(|s| s.attendees.into_values())
            .find(|a| a.nickname.to_lowercase() == nickname_typed.to_lowercase() && a.village.to_lowercase() == village_typed.to_lowercase());
        if earlier.as_ref().is_some_and(|a| s.attendees.contains_key(&a.id)) {
            error.set(Some("session.already_listed"));
            return;
        }
        let attendee = Attendee {
            id: earlier.as_ref().map_or_else(|| new_id("a"), |a| a.id.clone()),
            nickname: nickname_typed,
            village: village_typed,
            gender: gender.get_untracked().or(earlier.as_ref().and_then(|a| a.gender)),
            age_band: age_band.get_untracked().or(earlier.as_ref().and_then(|a| a.age_band)),
            learner: (!linked.is_empty()).then_some(linked).or(earlier.and_then(|a| a.learner)),
        };
        spawn_local(async move {
            if team.record(app, None, EventKind::AttendeeAdded { session: s.id.clone(), attendee }).await {
                nickname.set(String::new());
                gender.set(None);
                age_band.set(None);
                learner.set(String::new());
                error.set(None);
            }
        });
    };
    let remove = move |attendee: String| {
        let Some(s) = session() else { return };
        spawn_local(async move {
            team.record(app, None, EventKind::AttendeeRemoved { session: s.id.clone(), attendee }).await;
        });
    };
    let close = move |_| {
        let Some(s) = session() else { return };
        spawn_local(async move {
            team.record(app, None, EventKind::SessionClosed { session: s.id.clone() }).await;
            confirming_close.set(false);
        });
    };

    move || {
        let Some(s) = session() else {
            return if team.loaded.get() { view! { <NotFound/> }.into_any() } else { ().into_any() };
        };
        let locale = i18n.locale();
        let catalogue = app.catalogue.get().and_then(Result::ok);
        let title_of = move |lesson_id: &str| {
            catalogue
                .as_ref()
                .and_then(|c| c.topics.iter().flat_map(|t| &t.lessons).find(|l| l.id == lesson_id))
                .map(|l| lesson_title(l, &locale).0)
                .unwrap_or_else(|| lesson_id.to_owned())
        };
        let closed = s.closed;
        let results: Vec<(String, u32, u64, u64)> = s
            .group_answers
            .iter()
            .map(|((lesson, question), answer)| {
                let (right, total) = answer.right_of_total();
                (title_of(lesson), question + 1, right, total)
            })
            .collect();
        view! {
            <header class="bar">
                <A href="/team" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.back")>"←"</A>
                <h1>{format!("{} · {}", s.details.date, s.details.place)}</h1>
            </header>
            <section class="settings">
                <p class="lesson-meta">{format!("{} · {}", s.details.village, if closed { i18n.t("session.closed") } else { i18n.t("session.open") })}</p>
                <h2>{i18n.t("session.lessons")}</h2>
                <ul class="session-lessons">
                    {s.details.lessons.iter().map(|lesson| view! {
                        <li>
                            <span>{title_of(lesson)}</span>
                            {(!closed).then(|| view! {
                                <A href=format!("/team/sessions/{}/present/{lesson}", s.id) attr:class="big-button">{i18n.t("session.present")}</A>
                            })}
                        </li>
                    }).collect_view()}
                </ul>

                <h2>{i18n.t_with("session.attendance", &[("n", &s.attendees.len().to_string())])}</h2>
                <ul class="attendee-list">
                    {s.attendees.values().map(|a| {
                        let id = a.id.clone();
                        view! {
                            <li>
                                <span class="attendee-name">{a.nickname.clone()}</span>
                                <span class="lesson-meta">{format!("{} · {} · {}", a.village, i18n.t(&gender_key(a.gender)), i18n.t(&age_key(a.age_band)))}</span>
                                {(!closed).then(|| view! {
                                    <button class="icon-button remove" aria-label=i18n.t_with("session.remove_named", &[("name", &a.nickname)])
                                        on:click=move |_| remove(id.clone())>"✕"</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(!closed).then(|| view! {
                    <form class="attendee-form" on:submit=add>
                        <label class="field"><span>{i18n.t("session.attendee_name")}</span>
                            <input type="text" maxlength="64" autocomplete="off" list="earlier-attendees" prop:value=move || nickname.get() on:input=move |ev| nickname.set(event_target_value(&ev))/></label>
                        <datalist id="earlier-attendees">
                            {move || {
                                let mut names: Vec<String> = team.sessions().into_iter().flat_map(|s| s.attendees.into_values().map(|a| a.nickname)).collect();
                                names.sort();
                                names.dedup();
                                names.into_iter().map(|n| view! { <option value=n/> }).collect_view()
                            }}
                        </datalist>
                        <label class="field"><span>{i18n.t("session.village")}</span>
                            <input type="text" maxlength="64" prop:value=move || village.get() on:input=move |ev| village.set(event_target_value(&ev))/></label>
                        <p class="hint">{i18n.t("session.optional_counts")}</p>
                        <Chips choices=GENDERS value=gender label=gender_key/>
                        <Chips choices=AGE_BANDS value=age_band label=age_key/>
                        <label class="field"><span>{i18n.t("session.link_learner")}</span>
                            <select on:change=move |ev| learner.set(event_target_value(&ev)) prop:value=move || learner.get()>
                                <option value="">{i18n.t("session.no_link")}</option>
                                {app.profiles.get().into_iter().map(|p| view! { <option value=p.id.clone()>{p.nickname.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        {move || error.get().map(|key| view! { <p class="error" role="alert">{i18n.t(key)}</p> })}
                        <button type="submit" class="big-button wide">{i18n.t("session.add_attendee")}</button>
                    </form>
                })}

                <h2>{i18n.t("session.group_results")}</h2>
                {if results.is_empty() {
                    view! { <p class="hint">{i18n.t("session.no_results")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="group-results">
                            {results.into_iter().map(|(lesson, question, right, total)| view! {
                                <li>{i18n.t_with("session.result_line", &[
                                    ("lesson", &lesson), ("n", &question.to_string()), ("right", &right.to_string()), ("total", &total.to_string()),
                                ])}</li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}

                {(!closed).then(|| view! {
                    <Show when=move || confirming_close.get() fallback=move || view! {
                        <button class="big-button secondary wide" on:click=move |_| confirming_close.set(true)>{i18n.t("session.close")}</button>
                    }>
                        <div class="confirm" role="alertdialog">
                            <p>{i18n.t("session.close_confirm")}</p>
                            <div class="button-row">
                                <button class="big-button secondary" on:click=move |_| confirming_close.set(false)>{i18n.t("common.back")}</button>
                                <button class="big-button" on:click=close>{i18n.t("session.close_yes")}</button>
                            </div>
                        </div>
                    </Show>
                })}
            </section>
        }
        .into_any()
    }
}
