//! `Device`: the extractor that turns `Authorization: Bearer <token>` into an authenticated,
//! rate-limited device of one team. Handlers that take it can only see that team's data.
//! `Leader` is such a device joined with the leader code; `Admin` is a province token, which sees
//! every team's indicators and nothing of the sync API; `Trainer` is a trainer token, which
//! publishes lessons and nothing else.
//!
//! Failed attempts (an unknown token here, a wrong code at join) are counted per client address,
//! and an address over its limit is refused before the database is asked ([`ClientAddr`]).
use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use hocso_core::sync::Role;

use super::error::{ApiError, Limited};
use super::AppState;
use crate::store::{AdminToken, AuthDevice, StoreError, TokenRole};

/// Where a request came from, for counting failures: the peer's IP address when the server is
/// served with `into_make_service_with_connect_info::<SocketAddr>()`, otherwise one bucket for
/// every client together (still bounded, but one client's failures then slow down everyone's).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_key(parts)))
    }
}

fn client_key(parts: &Parts) -> String {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or_else(|| "all clients".to_owned(), |info| info.0.ip().to_string())
}

impl ClientAddr {
    /// Refuses at once when this address failed too often.
    pub fn check(&self, state: &AppState) -> Result<(), ApiError> {
        let limited = |retry_after_secs| ApiError::RateLimited { retry_after_secs, from: Limited::Failures };
        state.failure_limiter.peek(&self.0).map_err(limited)
    }

    /// Counts a failure of this address.
    pub fn failed(&self, state: &AppState) {
        let _ = state.failure_limiter.check(&self.0);
    }
}

/// A bearer token that is a device's, or an admin token sent where a device's is expected.
enum Bearer {
    Device(AuthDevice),
    AdminToken,
}

/// Authenticates a device token: the client's failures are checked first, and an unknown token
/// (neither a device's nor an admin's) is counted as one.
async fn device_of(parts: &Parts, state: &AppState, token: &str) -> Result<Bearer, ApiError> {
    let client = ClientAddr(client_key(parts));
    client.check(state)?;
    match state.store.authenticate(token).await {
        Ok(device) => Ok(Bearer::Device(device)),
        Err(StoreError::InvalidToken) if state.store.authenticate_admin(token).await.is_ok() => Ok(Bearer::AdminToken),
        Err(error) => {
            if matches!(error, StoreError::InvalidToken) {
                client.failed(state);
            }
            Err(error.into())
        }
    }
}

fn per_device(state: &AppState, key: &str) -> Result<(), ApiError> {
    state.device_limiter.check(key).map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs, from: Limited::Device })
}

pub struct Device(pub AuthDevice);

impl FromRequestParts<AppState> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let Bearer::Device(device) = device_of(parts, state, token).await? else {
            return Err(StoreError::InvalidToken.into());
        };
        per_device(state, &device.id)?;
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
        let Bearer::Device(device) = device_of(parts, state, token).await? else {
            return Err(ApiError::client(
                StatusCode::FORBIDDEN,
                "team_token_required",
                "an admin token sees the teams' totals at /api/v1/admin/teams; a team's own page needs its leader's device token",
            ));
        };
        per_device(state, &device.id)?;
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

/// A province (or other) office's token, made with `hocso admin create-token` (role `province`):
/// every team's indicators.
pub struct Admin(pub AdminToken);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let admin = admin_token(parts, state, || {
            ApiError::client(
                StatusCode::FORBIDDEN,
                "admin_only",
                "this needs an admin token (`hocso admin create-token`); a team leader sees the team at /api/v1/team/dashboard",
            )
        })
        .await?;
        if admin.role != TokenRole::Province {
            return Err(ApiError::client(
                StatusCode::FORBIDDEN,
                "province_only",
                "this is a trainer's token, which publishes lessons and nothing else: every team's indicators need a province \
                 token (`hocso admin create-token --role province`)",
            ));
        }
        Ok(Admin(admin))
    }
}

/// A trainer's token, made with `hocso admin create-token --role trainer`: checks and publishes
/// lessons (`/api/v1/content/…`), nothing else.
pub struct Trainer(pub AdminToken);

impl FromRequestParts<AppState> for Trainer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let trainer = admin_token(parts, state, || {
            ApiError::client(
                StatusCode::FORBIDDEN,
                "trainer_only",
                "this is a team device's token: publishing lessons needs a trainer token (`hocso admin create-token --role trainer`)",
            )
        })
        .await?;
        if trainer.role != TokenRole::Trainer {
            return Err(ApiError::client(
                StatusCode::FORBIDDEN,
                "trainer_only",
                format!(
                    "this is a {} token, which reads the teams' indicators: publishing lessons needs a trainer token \
                     (`hocso admin create-token --role trainer`)",
                    trainer.role
                ),
            ));
        }
        Ok(Trainer(trainer))
    }
}

/// The admin token of the request, of any role. A device token gets `device_token` (a 403 with the
/// endpoint's own sentence); an unknown token counts as a failure of the client's address.
async fn admin_token(parts: &Parts, state: &AppState, device_token: impl FnOnce() -> ApiError) -> Result<AdminToken, ApiError> {
    let token = bearer(parts)?;
    let client = ClientAddr(client_key(parts));
    client.check(state)?;
    let admin = match state.store.authenticate_admin(token).await {
        Ok(admin) => admin,
        Err(StoreError::InvalidToken) if state.store.authenticate(token).await.is_ok() => return Err(device_token()),
        Err(StoreError::Revoked) => {
            return Err(ApiError::client(
                StatusCode::UNAUTHORIZED,
                "token_revoked",
                "this admin token was revoked: ask the server's operator for a new one",
            ));
        }
        Err(StoreError::InvalidToken) => {
            client.failed(state);
            return Err(ApiError::client(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "this token is not known on this server: check that it was copied whole, or ask the server's operator for a new one",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    per_device(state, &format!("admin:{}", admin.id))?;
    Ok(admin)
}
