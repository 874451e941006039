//! `/team/dashboard`: the leader's view of the commune's numbers, fetched from the team server
//! when online (the numbers only exist there, summed over every phone of the team). Each chart is a
//! plain SVG bar chart with the same numbers in a table beside it, readable on a phone.
use hocso_core::reports::TeamDashboard;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use wasm_bindgen::JsCast;

use crate::i18n::use_i18n;
use crate::sync::use_sync;

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Offline,
    Refused,
    Ready(Box<TeamDashboard>),
}

async fn get(path: &str, token: &str) -> Result<gloo_net::http::Response, Load> {
    let response = gloo_net::http::Request::get(path).header("Authorization", &format!("Bearer {token}")).send().await.map_err(|_| Load::Offline)?;
    match response.status() {
        200 => Ok(response),
        401 | 403 => Err(Load::Refused),
        _ => Err(Load::Offline),
    }
}

/// Horizontal bars, one per row, labelled with the value (no colour-only meaning).
#[component]
pub fn BarChart(rows: Vec<(String, f64)>, #[prop(optional)] percent: bool) -> impl IntoView {
    let max = rows.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max).max(1.0);
    let height = rows.len() as f64 * 34.0;
    view! {
        <svg class="bar-chart" viewBox=format!("0 0 320 {height}") role="img" aria-hidden="true">
            {rows.into_iter().enumerate().map(|(i, (label, value))| {
                let y = i as f64 * 34.0;
                let width = (value / if percent { 100.0 } else { max }) * 180.0;
                let shown = if percent { format!("{value:.0}%") } else { format!("{value:.0}") };
                view! {
                    <text x="0" y=y + 21.0 font-size="13">{label.chars().take(18).collect::<String>()}</text>
                    <rect x="130" y=y + 6.0 width=width.max(2.0) height="20" rx="3" fill="#0f6e4c"/>
                    <text x=130.0 + width.max(2.0) + 6.0 y=y + 21.0 font-size="13" font-weight="700">{shown}</text>
                }
            }).collect_view()}
        </svg>
    }
}

/// Downloads a CSV from the server with the device token (a plain link could not send it).
async fn download_csv(path: String, token: String) -> Result<(), Load> {
    let response = get(&path, &token).await?;
    let name = response
        .headers()
        .get("content-disposition")
        .and_then(|d| d.split("filename=\"").nth(1).map(|s| s.trim_end_matches('"').to_owned()))
        .unwrap_or_else(|| "hocso.csv".into());
    let bytes = response.binary().await.map_err(|_| Load::Offline)?;
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|_| Load::Offline)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| Load::Offline)?;
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        if let Ok(link) = document.create_element("a") {
            let link: web_sys::HtmlAnchorElement = link.unchecked_into();
            link.set_href(&url);
            link.set_download(&name);
            link.click();
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let app = crate::state::use_app_state();
    // Lesson titles in the reader's language, from the catalogue this phone has.
    let title = move |lesson_id: &str| {
        app.catalogue.with_untracked(|c| {
            c.as_ref()
                .and_then(|c| c.as_ref().ok())
                .and_then(|c| c.topics.iter().flat_map(|t| &t.lessons).find(|l| l.id == lesson_id))
                .map(|l| crate::content::lesson_title(l, &i18n.locale()).0)
                .unwrap_or_else(|| lesson_id.to_owned())
        })
    };
    // Topic titles too: topics are content, so the catalogue names them (a lesson no longer in it has none).
    let topic_title = move |topic_id: Option<&str>| match topic_id {
        None => i18n.t("dashboard.topic_unknown"),
        Some(id) => app.catalogue.with_untracked(|c| {
            c.as_ref()
                .and_then(|c| c.as_ref().ok())
                .and_then(|c| c.topics.iter().find(|t| t.id == id))
                .map(|t| t.text(&i18n.locale()).title)
                .unwrap_or_else(|| id.to_owned())
        }),
    };
    let load = RwSignal::new(Load::Loading);
    let token = move || sync.membership.with(|m| m.as_ref().map(|m| m.device_token.clone()));
    let refresh = move || {
        let Some(token) = token() else {
            load.set(Load::Refused);
            return;
        };
        load.set(Load::Loading);
        spawn_local(async move {
            let result = async {
                let response = get("/api/v1/team/dashboard", &token).await?;
                response.json::<TeamDashboard>().await.map_err(|_| Load::Offline)
            }
            .await;
            load.set(match result {
                Ok(dashboard) => Load::Ready(Box::new(dashboard)),
                Err(error) => error,
            });
        });
    };
    Effect::new(move |done: Option<bool>| {
        if done != Some(true) && sync.membership.with(Option::is_some) {
            refresh();
            return true;
        }
        done.unwrap_or(false)
    });
    let csv = move |path: &'static str| {
        move |_| {
            if let Some(token) = token() {
                spawn_local(async move {
                    if let Err(error) = download_csv(path.to_owned(), token).await {
                        load.set(error);
                    }
                });
            }
        }
    };
    view! {
        <header class="bar">
            <A href="/team" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.back")>"←"</A>
            <h1>{move || i18n.t("dashboard.title")}</h1>
        </header>
        <section class="dashboard">
            {move || match load.get() {
                Load::Loading => view! { <p class="notice" aria-busy="true">{i18n.t("common.loading")}</p> }.into_any(),
                Load::Offline => view! {
                    <p class="notice">{i18n.t("dashboard.offline")}</p>
                    <button class="big-button wide" on:click=move |_| refresh()>{i18n.t("dashboard.retry")}</button>
                }.into_any(),
                Load::Refused => view! { <p class="notice">{i18n.t("session.leader_only")}</p> }.into_any(),
                Load::Ready(data) => {
                    let TeamDashboard { team, months, lessons, villages, group_quiz, devices, .. } = *data;
                    let cards = [
                        ("dashboard.people_reached", data.people_reached),
                        ("dashboard.sessions_held", data.sessions_held),
                        ("dashboard.attendees", data.attendees),
                        ("dashboard.learners_completed", data.learners_completed),
                        ("dashboard.completions", data.completions),
                    ];
                    let topics: Vec<(String, f64)> = data.topics.iter()
                        .map(|t| (topic_title(t.topic.as_deref()), t.completions as f64)).collect();
                    let month_chart: Vec<(String, f64)> = months.iter().map(|m| (m.month.clone(), m.completions as f64)).collect();
                    view! {
                        <p class="lesson-meta">{format!("{} · {}", team.name, team.commune)}</p>
                        <div class="cards">
                            {cards.into_iter().map(|(key, n)| view! {
                                <div class="card"><span class="card-number">{n}</span><span class="card-label">{i18n.t(key)}</span></div>
                            }).collect_view()}
                        </div>
                        <h2>{i18n.t("dashboard.by_topic")}</h2>
                        <BarChart rows=topics.clone()/>
                        <table class="data-table">
                            <thead><tr><th>{i18n.t("dashboard.topic")}</th><th>{i18n.t("dashboard.completions")}</th></tr></thead>
                            <tbody>{topics.into_iter().map(|(t, n)| view! { <tr><td>{t}</td><td>{n}</td></tr> }).collect_view()}</tbody>
                        </table>
                        <h2>{i18n.t("dashboard.by_month")}</h2>
                        <BarChart rows=month_chart/>
                        <table class="data-table">
                            <thead><tr><th>{i18n.t("dashboard.month")}</th><th>{i18n.t("dashboard.active_learners")}</th><th>{i18n.t("dashboard.sessions_held")}</th><th>{i18n.t("dashboard.completions")}</th></tr></thead>
                            <tbody>{months.into_iter().map(|m| view! {
                                <tr><td>{m.month}</td><td>{m.active_learners}</td><td>{m.sessions}</td><td>{m.completions}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                        <h2>{i18n.t("dashboard.by_village")}</h2>
                        <table class="data-table">
                            <thead><tr><th>{i18n.t("session.village")}</th><th>{i18n.t("dashboard.sessions_held")}</th><th>{i18n.t("dashboard.attendees")}</th></tr></thead>
                            <tbody>{villages.into_iter().map(|v| view! {
                                <tr><td>{v.village}</td><td>{v.sessions}</td><td>{v.attendees}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                        <h2>{i18n.t("dashboard.hard_lessons")}</h2>
                        <table class="data-table">
                            <thead><tr><th>{i18n.t("dashboard.lesson")}</th><th>{i18n.t("dashboard.completions")}</th><th>{i18n.t("dashboard.first_try")}</th></tr></thead>
                            <tbody>{lessons.iter().map(|l| view! {
                                <tr><td>{title(&l.lesson_id)}</td><td>{l.completions}</td>
                                <td>{l.first_try_correct_percent.map(|p| format!("{p:.0}%")).unwrap_or_else(|| "–".into())}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                        <h2>{i18n.t("dashboard.drills")}</h2>
                        <table class="data-table drills-table">
                            <thead><tr><th>{i18n.t("dashboard.lesson")}</th><th>{i18n.t("dashboard.drills_done")}</th><th>{i18n.t("dashboard.most_missed")}</th></tr></thead>
                            <tbody>{lessons.iter().filter(|l| l.drills_done > 0 || l.most_missed_drill_step.is_some()).map(|l| {
                                // Screens are counted from 1 for people; the drill number only when a lesson has several.
                                let missed = l.most_missed_drill_step.map_or_else(|| "–".to_owned(), |m| i18n.t_with("dashboard.missed_screen", &[
                                    ("drill", &(m.drill + 1).to_string()), ("screen", &(m.step + 1).to_string()), ("learners", &m.learners.to_string()),
                                ]));
                                view! { <tr><td>{title(&l.lesson_id)}</td><td>{l.drills_done}</td><td>{missed}</td></tr> }
                            }).collect_view()}</tbody>
                        </table>
                        <h2>{i18n.t("dashboard.group_quiz")}</h2>
                        <table class="data-table">
                            <thead><tr><th>{i18n.t("dashboard.lesson")}</th><th>{i18n.t("dashboard.questions")}</th><th>{i18n.t("dashboard.right_hands")}</th></tr></thead>
                            <tbody>{group_quiz.into_iter().map(|g| view! {
                                <tr><td>{title(&g.lesson_id)}</td><td>{g.questions}</td>
                                <td>{format!("{}/{}", g.right_hands, g.total_hands)}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                        <h2>{i18n.t("dashboard.devices")}</h2>
                        <table class="data-table">
                            <thead><tr><th>{i18n.t("dashboard.device")}</th><th>{i18n.t("dashboard.last_sync")}</th></tr></thead>
                            <tbody>{devices.into_iter().map(|d| {
                                let last = d.last_sync_at
                                    .map(|ms| String::from(js_sys::Date::new(&(ms as f64).into()).to_locale_string("vi-VN", &wasm_bindgen::JsValue::UNDEFINED)))
                                    .unwrap_or_else(|| "–".into());
                                view! { <tr><td>{d.name}</td><td>{last}</td></tr> }
                            }).collect_view()}</tbody>
                        </table>
                        <div class="team-actions">
                            <button class="big-button secondary wide" on:click=csv("/api/v1/team/export.csv")>{i18n.t("dashboard.csv_lessons")}</button>
                            <button class="big-button secondary wide" on:click=csv("/api/v1/team/sessions.csv")>{i18n.t("dashboard.csv_sessions")}</button>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}
