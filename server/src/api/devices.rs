//! `POST /devices/join`: a phone joins a team with the join code (member) or leader code (leader).
//! What happens to the device id it sends is the store's rule ([`crate::store::Store::join`]): a
//! known id is kept only with proof (a token that device holds or held), otherwise the phone gets a
//! new id; nobody takes a phone over by knowing its id.
use axum::extract::State;
use axum::Json;
use hocso_core::sync::{is_valid_device_id, JoinRequest, JoinResponse};

use super::auth::ClientAddr;
use super::error::{ApiError, Limited};
use super::json::ApiJson;
use super::AppState;
use crate::store::StoreError;

/// Longer than any token this server gives (`hs_` and 64 hex digits): not worth hashing.
const MAX_PROOF_BYTES: usize = 256;

pub async fn join(State(state): State<AppState>, client: ClientAddr, ApiJson(request): ApiJson<JoinRequest>) -> Result<Json<JoinResponse>, ApiError> {
    // An address that failed too often is refused first, without taking from everyone's joins.
    client.check(&state)?;
    state.join_limiter.check("join").map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs, from: Limited::Joins })?;
    let name = request.device_name.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::unprocessable("invalid_device_name", "device_name must be 1 to 64 bytes of printable text"));
    }
    if let Some(id) = &request.device_id {
        if !is_valid_device_id(id) {
            return Err(ApiError::unprocessable("invalid_device_id", "device_id must be 1 to 64 letters, digits, '_' or '-'"));
        }
    }
    let proof = request.device_token.as_deref().filter(|token| token.len() <= MAX_PROOF_BYTES);
    let joined = match state.store.join(&request.code, name, request.device_id.as_deref(), proof).await {
        Err(StoreError::InvalidCode) => {
            client.failed(&state);
            return Err(StoreError::InvalidCode.into());
        }
        other => other?,
    };
    tracing::info!(
        device = %joined.device_id, asked = ?request.device_id, outcome = ?joined.outcome, team = %joined.team.id,
        role = joined.role.as_str(), "device joined"
    );
    Ok(Json(JoinResponse { device_token: joined.device_token, device_id: joined.device_id, team: joined.team, role: joined.role }))
}
