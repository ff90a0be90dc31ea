//! The API's one error shape `{ "code", "message", "details" }` and the mapping of every service error onto it.
//! [`ErrorCode`] is the one list of the `code` values (stable wire strings): the handlers use it, and the OpenAPI
//! document (`http/openapi.rs`) prints its table from it; README.md repeats the table for readers.

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

/// Every `code` an error of the API can carry. The wire strings ([`ErrorCode::as_str`]) never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidJson,
    InvalidParameter,
    InvalidQuery,
    UpgradeRequired,
    Unauthorized,
    InvalidCredentials,
    Forbidden,
    NotFound,
    Conflict,
    BatchTooLarge,
    PayloadTooLarge,
    InvalidBody,
    ValidationFailed,
    InvalidCsv,
    Internal,
    StorageUnavailable,
    NotReady,
}

impl ErrorCode {
    /// In the order of the table (by status).
    pub const ALL: [ErrorCode; 17] = [
        ErrorCode::InvalidJson,
        ErrorCode::InvalidParameter,
        ErrorCode::InvalidQuery,
        ErrorCode::UpgradeRequired,
        ErrorCode::Unauthorized,
        ErrorCode::InvalidCredentials,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::BatchTooLarge,
        ErrorCode::PayloadTooLarge,
        ErrorCode::InvalidBody,
        ErrorCode::ValidationFailed,
        ErrorCode::InvalidCsv,
        ErrorCode::Internal,
        ErrorCode::StorageUnavailable,
        ErrorCode::NotReady,
    ];

    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidParameter => "invalid_parameter",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::UpgradeRequired => "upgrade_required",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::BatchTooLarge => "batch_too_large",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::InvalidCsv => "invalid_csv",
            ErrorCode::Internal => "internal",
            ErrorCode::StorageUnavailable => "storage_unavailable",
            ErrorCode::NotReady => "not_ready",
        }
    }

    /// The status the code comes with (`upgrade_required` may also come with 405 or 426, as axum's upgrade
    /// check says).
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::InvalidJson
            | ErrorCode::InvalidParameter
            | ErrorCode::InvalidQuery
            | ErrorCode::UpgradeRequired => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized | ErrorCode::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::BatchTooLarge | ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::InvalidBody | ErrorCode::ValidationFailed | ErrorCode::InvalidCsv => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::StorageUnavailable | ErrorCode::NotReady => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// When the code is given.
    pub fn meaning(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "the body is not JSON",
            ErrorCode::InvalidParameter => {
                "a query, path or header parameter is malformed, out of range or unknown (an unknown enum value, a \
                 date that is not `YYYY-MM-DD`, an id that is not a UUID, `from` after `to`, a `limit` out of range, \
                 an `Idempotency-Key` that is not 1 to 200 visible ASCII characters); also a backfill body with \
                 `from` after `to`"
            }
            ErrorCode::InvalidQuery => "the query string cannot be decoded",
            ErrorCode::UpgradeRequired => "`/api/v1/ws/alerts` was called without a valid WebSocket upgrade",
            ErrorCode::Unauthorized => {
                "missing, malformed, forged, unsigned or expired token, or its tenant no longer exists"
            }
            ErrorCode::InvalidCredentials => "login failed (the same answer for unknown tenant, user or password)",
            ErrorCode::Forbidden => "the caller's role may not do this (a viewer writing, a non-admin on admin routes)",
            ErrorCode::NotFound => "no such resource in the caller's tenant, or no such endpoint",
            ErrorCode::Conflict => {
                "a unique rule (API number within a tenant), a backfill while the previous one runs, or an alarm \
                 action its state does not allow"
            }
            ErrorCode::BatchTooLarge => "more than 10,000 entries in one batch",
            ErrorCode::PayloadTooLarge => "the body exceeds `FLOWLINE_MAX_BODY_BYTES`",
            ErrorCode::InvalidBody => "JSON of the wrong shape: wrong type, unknown or missing field",
            ErrorCode::ValidationFailed => {
                "values break a rule; also an `Idempotency-Key` already used for another request"
            }
            ErrorCode::InvalidCsv => "the CSV header or encoding is wrong",
            ErrorCode::Internal => "a computation failed unexpectedly",
            ErrorCode::StorageUnavailable => "the database cannot be reached",
            ErrorCode::NotReady => "`/ready`: the database cannot be reached",
        }
    }

    /// What `details` holds.
    pub fn details(self) -> &'static str {
        match self {
            ErrorCode::InvalidParameter => "`{ \"parameter\" }`",
            ErrorCode::InvalidBody => "`{ \"path\": \"entries[3].oil_bbl\" }`",
            ErrorCode::ValidationFailed => {
                "`{ \"rows\": [ { \"row\", \"id\", \"errors\": [ { \"field\", \"message\" } ] } ] }` or \
                 `{ \"fields\": [ { \"field\", \"message\" } ] }`"
            }
            _ => "null",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), details: Value::Null }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn bad_parameter(name: &str, message: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidParameter, format!("parameter `{name}`: {message}"))
            .with_details(json!({ "parameter": name }))
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code.as_str(), message = %self.message, "request failed");
        }
        let body = ErrorBody { code: self.code.as_str().to_owned(), message: self.message, details: self.details };
        (self.status, Json(body)).into_response()
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, ErrorCode::Conflict, m),
            StorageError::NotFound(m) => ApiError::not_found(m),
            StorageError::Unavailable(m) => {
                tracing::error!(error = %m, "storage unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::StorageUnavailable,
                    "the database is not available",
                )
            }
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidCredentials,
                "unknown tenant, username or password",
            ),
            AuthError::Expired => ApiError::unauthorized("the token has expired: sign in again"),
            AuthError::InvalidToken(_) => ApiError::unauthorized("the token is not valid"),
            AuthError::WeakPassword => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::ValidationFailed, e.to_string())
            }
            AuthError::Hashing(m) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, m),
            AuthError::Storage(s) => s.into(),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::TooLarge { .. } => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BatchTooLarge, e.to_string())
            }
            IngestError::Empty => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::ValidationFailed, "the batch has no entries")
            }
            IngestError::Invalid(rows) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
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
                ErrorCode::ValidationFailed,
                format!("{} rows are invalid; nothing was imported", rows.len()),
            )
            .with_details(json!({ "rows": rows })),
            ImportError::Format(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidCsv, m),
            ImportError::Storage(s) => s.into(),
            ImportError::Ingest(i) => i.into(),
        }
    }
}

impl From<WellError> for ApiError {
    fn from(e: WellError) -> Self {
        match e {
            WellError::Invalid(errors) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
                format!("invalid well: {errors}"),
            )
            .with_details(json!({ "fields": errors })),
            WellError::NotFound(id) => ApiError::not_found(format!("no well {id} in this tenant")),
            WellError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, ErrorCode::Conflict, m),
            WellError::Storage(s) => s.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::ValidationFailed, m),
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
