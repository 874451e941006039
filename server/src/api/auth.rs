//! `Device`: the extractor that turns `Authorization: Bearer <token>` into an authenticated,
//! rate-limited device of one team. Handlers that take it can only see that team's data.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};

use super::error::ApiError;
use super::AppState;
use crate::store::AuthDevice;

pub struct Device(pub AuthDevice);

impl FromRequestParts<AppState> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
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
            })?;
        let device = state.store.authenticate(token).await?;
        state.device_limiter.check(&device.id).map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
        Ok(Device(device))
    }
}
