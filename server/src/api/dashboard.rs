//! `GET /team/dashboard`, `GET /team/export.csv`, `GET /team/sessions.csv` (the leader's device) and
//! `GET /admin/teams` (an admin token): indicators computed from the events and devices that
//! already sync.
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::auth::{Admin, Leader};
use super::error::ApiError;
use super::AppState;
use hocso_core::date::Date;
use hocso_core::reports::{ProvinceAnswer, TeamDashboard};

use crate::dashboard::{self, LessonTopics, Period, PublishedDrills};
use crate::store::AuthDevice;

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both optional and inclusive, in Vietnam time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodParams {
    from: Option<String>,
    to: Option<String>,
}

fn period(params: Result<Query<PeriodParams>, QueryRejection>) -> Result<Period, ApiError> {
    let Query(params) = params?;
    Period::parse(params.from.as_deref(), params.to.as_deref())
        .map_err(|error| ApiError::client(StatusCode::BAD_REQUEST, "invalid_date", error.to_string()))
}

async fn team_dashboard(state: &AppState, leader: AuthDevice, period: &Period) -> Result<TeamDashboard, ApiError> {
    let range = period.range();
    let team = &leader.team.id;
    let learner_days = state.store.learner_days(team, range).await?;
    let completions = state.store.completions(team, range).await?;
    let session_events = state.store.session_events(team).await?;
    let devices = state.store.device_statuses(team).await?;
    let drills = state.store.drill_counts(team, range).await?;
    let catalogue = dashboard::read_catalogue(state.catalogue.path()).await;
    let topics = catalogue.as_ref().map_or_else(LessonTopics::default, LessonTopics::new);
    // The packs are read only when there are drill events to check.
    let published = match drills.completed.is_empty() && drills.wrong.is_empty() {
        true => PublishedDrills::unknown(),
        false => PublishedDrills::load(state.catalogue.path(), catalogue.as_ref()).await,
    };
    let mut answer = dashboard::team_dashboard(leader.team, period, &topics, &learner_days, &completions, &session_events, &devices);
    dashboard::add_drill_counts(&mut answer, &drills, &published);
    Ok(answer)
}

/// A CSV download: the file name is ASCII, so it always makes a valid header.
fn csv_response(name: String, bytes: Vec<u8>) -> Result<Response, ApiError> {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("file name {name:?}: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}

/// Today in Vietnam, for a file name's open end; a server clock with no date is a 500.
fn today_in_vietnam() -> Result<Date, ApiError> {
    Date::in_vietnam_at(crate::store::now_ms())
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the server's clock ({} ms) has no date", crate::store::now_ms())))
}

fn csv_error(error: csv::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("writing a CSV report: {error}"))
}

pub async fn team(
    State(state): State<AppState>,
    Leader(leader): Leader,
    params: Result<Query<PeriodParams>, QueryRejection>,
) -> Result<Json<TeamDashboard>, ApiError> {
    let period = period(params)?;
    Ok(Json(team_dashboard(&state, leader, &period).await?))
}

pub async fn team_csv(
    State(state): State<AppState>,
    Leader(leader): Leader,
    params: Result<Query<PeriodParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let period = period(params)?;
    let dashboard = team_dashboard(&state, leader, &period).await?;
    let name = dashboard::csv_file_name(&dashboard.team, &period, today_in_vietnam()?);
    csv_response(name, dashboard::lessons_csv(&dashboard).map_err(csv_error)?)
}

pub async fn sessions_csv(
    State(state): State<AppState>,
    Leader(leader): Leader,
    params: Result<Query<PeriodParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let period = period(params)?;
    let events = state.store.session_events(&leader.team.id).await?;
    let sessions = dashboard::sessions_in(&period, &events);
    let name = dashboard::sessions_csv_file_name(&leader.team, &period, today_in_vietnam()?);
    csv_response(name, dashboard::sessions_csv(&sessions).map_err(csv_error)?)
}

pub async fn admin_teams(
    State(state): State<AppState>,
    Admin(_admin): Admin,
    params: Result<Query<PeriodParams>, QueryRejection>,
) -> Result<Json<ProvinceAnswer>, ApiError> {
    let period = period(params)?;
    let counts = state.store.team_counts(period.range()).await?;
    let topics = LessonTopics::load(state.catalogue.path()).await;
    Ok(Json(dashboard::province_view(&period, &topics, counts)))
}
