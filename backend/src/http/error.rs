//! The API's one error shape `{ "code", "message", "details" }` and the mapping of every service error onto it.
//! The code table is in README.md; `code` values are stable.

use crate::ports::StorageError;
use crate::services::accounts::AccountError;
use crate::services::aggregation::AggregationJobError;
use crate::services::analytics::AnalyticsError;
use crate::services::auth::AuthError;
use crate::services::import::ImportError;
use crate::services::ingest::IngestError;
use crate::services::wells::WellError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flowline_shared::dto::ErrorBody;
use serde_json::{Value, json};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), details: Value::Null }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn bad_parameter(name: &str, message: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_parameter", format!("parameter `{name}`: {message}"))
            .with_details(json!({ "parameter": name }))
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        let body = ErrorBody { code: self.code.to_owned(), message: self.message, details: self.details };
        (self.status, Json(body)).into_response()
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            StorageError::NotFound(m) => ApiError::not_found(m),
            StorageError::Unavailable(m) => {
                tracing::error!(error = %m, "storage unavailable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "the database is not available")
            }
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "unknown tenant, username or password")
            }
            AuthError::Expired => ApiError::unauthorized("the token has expired: sign in again"),
            AuthError::InvalidToken(_) => ApiError::unauthorized("the token is not valid"),
            AuthError::WeakPassword => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", e.to_string())
            }
            AuthError::Hashing(m) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", m),
            AuthError::Storage(s) => s.into(),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::TooLarge { .. } => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large", e.to_string())
            }
            IngestError::Empty => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "the batch has no entries")
            }
            IngestError::Invalid(rows) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                format!("{} entries are invalid; nothing was stored", rows.len()),
            )
            .with_details(json!({ "rows": rows })),
            IngestError::Storage(s) => s.into(),
        }
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Invalid(rows) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                format!("{} rows are invalid; nothing was imported", rows.len()),
            )
            .with_details(json!({ "rows": rows })),
            ImportError::Format(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv", m),
            ImportError::Storage(s) => s.into(),
            ImportError::Ingest(i) => i.into(),
        }
    }
}

impl From<WellError> for ApiError {
    fn from(e: WellError) -> Self {
        match e {
            WellError::Invalid(errors) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", format!("invalid well: {errors}"))
                    .with_details(json!({ "fields": errors }))
            }
            WellError::NotFound(id) => ApiError::not_found(format!("no well {id} in this tenant")),
            WellError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            WellError::Storage(s) => s.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", m),
            AccountError::UnknownTenant(t) => ApiError::not_found(format!("tenant {t} does not exist")),
            AccountError::Auth(a) => a.into(),
            AccountError::Storage(s) => s.into(),
        }
    }
}

impl From<AnalyticsError> for ApiError {
    fn from(e: AnalyticsError) -> Self {
        match e {
            AnalyticsError::InvalidParameter { parameter, message } => ApiError::bad_parameter(parameter, message),
            AnalyticsError::UnknownWell(id) => ApiError::not_found(format!("no well {id} in this tenant")),
            AnalyticsError::Storage(s) => s.into(),
            AnalyticsError::Task(m) => ApiError::internal(format!("analytics failed: {m}")),
        }
    }
}

impl From<AggregationJobError> for ApiError {
    fn from(e: AggregationJobError) -> Self {
        match e {
            AggregationJobError::EmptyRange { first, last } => {
                ApiError::bad_parameter("from", format!("{first} is after to ({last})"))
            }
            AggregationJobError::Storage(s) => s.into(),
            AggregationJobError::Aggregation(_) | AggregationJobError::Task(_) => ApiError::internal(e.to_string()),
        }
    }
}
