//! `/province`: the province (or district) office compares its communes' teams. Online only; the
//! admin token (from `hocso admin create-token`) is typed in and kept in memory, never stored.
use hocso_core::reports::{ProvinceAnswer, TeamTotals};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::dashboard::BarChart;
use crate::i18n::use_i18n;

#[derive(Clone, PartialEq)]
enum Load {
    Idle,
    Loading,
    Offline,
    Refused,
    Ready(Box<ProvinceAnswer>),
}

#[component]
pub fn Province() -> impl IntoView {
    let i18n = use_i18n();
    let token = RwSignal::new(String::new());
    let load = RwSignal::new(Load::Idle);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let token = token.get_untracked().trim().to_owned();
        load.set(Load::Loading);
        spawn_local(async move {
            let response = gloo_net::http::Request::get("/api/v1/admin/teams").header("Authorization", &format!("Bearer {token}")).send().await;
            load.set(match response {
                Err(_) => Load::Offline,
                Ok(r) if r.status() == 401 || r.status() == 403 => Load::Refused,
                Ok(r) if r.ok() => r.json::<ProvinceAnswer>().await.map(|a| Load::Ready(Box::new(a))).unwrap_or(Load::Offline),
                Ok(_) => Load::Offline,
            });
        });
    };
    view! {
        <header class="bar"><h1>{move || i18n.t("province.title")}</h1></header>
        <section class="dashboard">
            <form class="join-form" on:submit=submit>
                <label class="field">
                    <span>{move || i18n.t("province.token")}</span>
                    <input type="password" autocomplete="off" prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev))/>
                </label>
                <button type="submit" class="big-button wide">{move || i18n.t("province.show")}</button>
            </form>
            {move || match load.get() {
                Load::Idle => ().into_any(),
                Load::Loading => view! { <p class="notice" aria-busy="true">{i18n.t("common.loading")}</p> }.into_any(),
                Load::Offline => view! { <p class="notice">{i18n.t("dashboard.offline")}</p> }.into_any(),
                Load::Refused => view! { <p class="error" role="alert">{i18n.t("province.refused")}</p> }.into_any(),
                Load::Ready(data) => {
                    let ProvinceAnswer { teams, totals, .. } = *data;
                    let chart: Vec<(String, f64)> = teams.iter().map(|t| (t.team.commune.clone(), t.totals.people_reached as f64)).collect();
                    // The same columns for a team and for the sum of all teams.
                    let cells = |t: &TeamTotals| view! {
                        <td>{t.people_reached}</td><td>{t.sessions_held}</td>
                        <td>{t.attendees}</td><td>{t.completions}</td><td>{t.devices}</td>
                    };
                    view! {
                        <h2>{i18n.t("dashboard.people_reached")}</h2>
                        <BarChart rows=chart/>
                        <div class="table-scroll">
                            <table class="data-table">
                                <thead><tr>
                                    <th>{i18n.t("province.team")}</th><th>{i18n.t("dashboard.people_reached")}</th>
                                    <th>{i18n.t("dashboard.sessions_held")}</th><th>{i18n.t("dashboard.attendees")}</th>
                                    <th>{i18n.t("dashboard.completions")}</th><th>{i18n.t("dashboard.devices")}</th>
                                </tr></thead>
                                <tbody>
                                    {teams.into_iter().map(|t| view! { <tr>
                                        <td>{format!("{} ({})", t.team.name, t.team.commune)}</td>
                                        {cells(&t.totals)}
                                    </tr> }).collect_view()}
                                    <tr class="totals">
                                        <td>{i18n.t("province.total")}</td>
                                        {cells(&totals)}
                                    </tr>
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}
