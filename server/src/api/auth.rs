//! `Device`: the extractor that turns `Authorization: Bearer <token>` into an authenticated,
//! rate-limited device of one team. Handlers that take it can only see that team's data.
//! `Leader` is such a device joined with the leader code; `Admin` is an admin token, which sees
//! every team's indicators and nothing of the sync API.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use hocso_core::sync::Role;

use super::error::ApiError;
use super::AppState;
use crate::store::{AdminToken, AuthDevice, StoreError};

pub struct Device(pub AuthDevice);

impl FromRequestParts<AppState> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let device = state.store.authenticate(token).await?;
        state.device_limiter.check(&device.id).map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
        Ok(Device(device))
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::client(
                StatusCode::UNAUTHORIZED,
                "missing_token",
                "send the device token as `Authorization: Bearer <token>` (join the team first)",
            )
        })
}

/// The device of a team's leader (joined with the leader code): the team's dashboard and export.
/// An admin token is refused here: it sees every team's totals, not one team's details.
pub struct Leader(pub AuthDevice);

impl FromRequestParts<AppState> for Leader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let device = match state.store.authenticate(token).await {
            Err(StoreError::InvalidToken) if state.store.authenticate_admin(token).await.is_ok() => {
                return Err(ApiError::client(
                    StatusCode::FORBIDDEN,
                    "team_token_required",
                    "an admin token sees the teams' totals at /api/v1/admin/teams; a team's own page needs its leader's device token",
                ));
            }
            other => other?,
        };
        state.device_limiter.check(&device.id).map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
        if device.role != Role::Leader {
            return Err(ApiError::client(
                StatusCode::FORBIDDEN,
                "leader_only",
                "only the team leader's device sees the team's dashboard: join with the leader code",
            ));
        }
        Ok(Leader(device))
    }
}

/// A province (or other) administrator's token, made with `hocso admin create-token`.
pub struct Admin(pub AdminToken);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let admin = match state.store.authenticate_admin(token).await {
            Ok(admin) => admin,
            Err(StoreError::InvalidToken) if state.store.authenticate(token).await.is_ok() => {
                return Err(ApiError::client(
                    StatusCode::FORBIDDEN,
                    "admin_only",
                    "this needs an admin token (`hocso admin create-token`); a team leader sees the team at /api/v1/team/dashboard",
                ));
            }
            Err(StoreError::Revoked) => {
                return Err(ApiError::client(
                    StatusCode::UNAUTHORIZED,
                    "token_revoked",
                    "this admin token was revoked: ask the server's operator for a new one",
                ));
            }
            Err(other) => return Err(other.into()),
        };
        let key = format!("admin:{}", admin.id);
        state.device_limiter.check(&key).map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
        Ok(Admin(admin))
    }
}
