//! `POST /devices/join`: a phone joins a team with the join code (member) or leader code (leader).
use axum::extract::State;
use axum::Json;
use hocso_core::sync::{is_valid_device_id, JoinRequest, JoinResponse};

use super::error::ApiError;
use super::json::ApiJson;
use super::AppState;

pub async fn join(State(state): State<AppState>, ApiJson(request): ApiJson<JoinRequest>) -> Result<Json<JoinResponse>, ApiError> {
    state.join_limiter.check("join").map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
    let name = request.device_name.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::unprocessable("invalid_device_name", "device_name must be 1 to 64 bytes of printable text"));
    }
    if let Some(id) = &request.device_id {
        if !is_valid_device_id(id) {
            return Err(ApiError::unprocessable(
                "invalid_device_id",
                "device_id must be 1 to 64 letters, digits, '_' or '-'",
            ));
        }
    }
    let joined = state.store.join(&request.code, name, request.device_id.as_deref()).await?;
    tracing::info!(device = %joined.device_id, team = %joined.team.id, role = joined.role.as_str(), "device joined");
    Ok(Json(JoinResponse {
        device_token: joined.device_token,
        device_id: joined.device_id,
        team: joined.team,
        role: joined.role,
    }))
}
