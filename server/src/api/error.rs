//! The one error type of the HTTP API: every failure becomes `{error, message}` (and `record`, the
//! refused event or profile, when one record is at fault) with a 4xx/5xx status. Internal errors are
//! logged with their cause and answered with a sentence that leaks nothing.
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hocso_core::sync::ApiError as ErrorBody;

use crate::store::StoreError;

#[derive(Debug)]
pub enum ApiError {
    /// A refusal the client can act on: status, stable code, clear sentence, and the id of the one
    /// event or profile refused, so that the phone can set that record aside and send the rest.
    Client {
        status: StatusCode,
        code: &'static str,
        message: String,
        record: Option<String>,
    },
    /// Too many requests from one device token, or too many failed attempts (unknown tokens, wrong
    /// codes) from one client address.
    RateLimited {
        retry_after_secs: u64,
        from: Limited,
    },
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn client(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Client { status, code, message: message.into(), record: None }
    }

    /// The same refusal, naming the record at fault.
    pub fn with_record(self, id: &str) -> Self {
        match self {
            ApiError::Client { status, code, message, .. } => ApiError::Client { status, code, message, record: Some(id.to_owned()) },
            other => other,
        }
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::client(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Client { status, .. } => *status,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let (code, message, record, retry_after) = match self {
            ApiError::Client { code, message, record, .. } => (code, message, record, None),
            ApiError::RateLimited { retry_after_secs, from } => (
                "rate_limited",
                match from {
                    Limited::Device => format!("too many requests from this device: wait {retry_after_secs} s and try again"),
                    Limited::Joins => format!("too many phones are joining right now: wait {retry_after_secs} s and try again"),
                    Limited::Failures => format!(
                        "too many failed attempts (unknown tokens or wrong codes) from this network address: wait \
                         {retry_after_secs} s and try again"
                    ),
                },
                None,
                Some(retry_after_secs),
            ),
            ApiError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error while answering an API request");
                ("internal", "the server failed to answer; it has been logged, try again later".to_owned(), None, None)
            }
        };
        let mut response = (status, Json(ErrorBody { error: code.to_owned(), message, record })).into_response();
        if let Some(secs) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// What a `rate_limited` answer counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// One device token's requests.
    Device,
    /// Every join of the server together.
    Joins,
    /// Failed authentications and joins from one client address.
    Failures,
}

/// Store outcomes that are the client's doing map to 4xx here, in one place.
impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::InvalidCode => Self::client(
                StatusCode::UNAUTHORIZED,
                "invalid_code",
                "this code matches no team: check it with the team leader (codes may have been renewed)",
            ),
            StoreError::InvalidToken => {
                Self::client(StatusCode::UNAUTHORIZED, "invalid_token", "the device token is not known: join the team again with its code")
            }
            StoreError::Revoked => {
                Self::client(StatusCode::UNAUTHORIZED, "token_revoked", "this device was removed from its team: ask the team leader")
            }
            StoreError::TeamFull => Self::client(
                StatusCode::CONFLICT,
                "team_full",
                format!(
                    "this team already has {} phones: the team leader can remove phones no longer used \
                     (`hocso device revoke`), then join again",
                    crate::store::MAX_ACTIVE_DEVICES_PER_TEAM
                ),
            ),
            StoreError::LearnerOfAnotherTeam(id) => {
                Self::client(StatusCode::FORBIDDEN, "learner_of_another_team", format!("learner {id:?} belongs to another team: nothing was stored"))
            }
            StoreError::Conflict { code, message } => Self::client(StatusCode::CONFLICT, code, message),
            StoreError::Forbidden { code, message } => Self::client(StatusCode::FORBIDDEN, code, message),
            StoreError::NotFound(what) => Self::client(StatusCode::NOT_FOUND, "not_found", format!("{what} not found")),
            StoreError::Database(e) => ApiError::Internal(e.into()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonSyntaxError(e) => {
                Self::client(StatusCode::BAD_REQUEST, "malformed_json", format!("the body is not valid JSON: {}", e.body_text()))
            }
            JsonRejection::JsonDataError(e) => {
                Self::unprocessable("invalid_body", format!("the JSON does not have the expected fields and types: {}", e.body_text()))
            }
            JsonRejection::MissingJsonContentType(_) => Self::client(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::client(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the body is larger than {} bytes: send fewer events per batch", hocso_core::sync::MAX_BODY_BYTES),
            ),
            other => Self::client(other.status(), "bad_request", format!("the body could not be read: {}", other.body_text())),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::client(StatusCode::BAD_REQUEST, "invalid_query", format!("bad query string: {}", rejection.body_text()))
    }
}
