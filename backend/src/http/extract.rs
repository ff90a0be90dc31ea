//! Request extractors that answer in the API's error shape: the authenticated caller, JSON bodies and query
//! strings.

use super::error::{ApiError, ErrorCode};
use super::state::AppState;
use crate::services::auth::Principal;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::HashMap;

/// The caller, from a valid `Authorization: Bearer` token. Missing, malformed, forged or expired: 401.
pub struct Caller(pub Principal);

impl Caller {
    /// 403 unless the caller may write (operator or admin).
    pub fn require_writer(&self) -> Result<(), ApiError> {
        if self.0.role.can_write() {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("role {} may not change data", self.0.role.as_str())))
        }
    }

    /// 403 unless the caller is an admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.0.role.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("role {} may not run jobs: admins only", self.0.role.as_str())))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("missing Authorization header with a bearer token"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized("Authorization header must be `Bearer <token>`"))?;
        Ok(Caller(state.auth.verify(token)?))
    }
}

/// A JSON body; syntax errors are 400 `invalid_json`, shape errors (wrong type, unknown or missing field) 422
/// `invalid_body` naming the path of the bad value.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(rejection) => {
                let status = rejection.status();
                let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    ErrorCode::PayloadTooLarge
                } else {
                    ErrorCode::InvalidBody
                };
                return Err(ApiError::new(status, code, rejection.body_text()));
            }
        };
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses a JSON body with the errors of [`ApiJson`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidJson, format!("malformed JSON: {inner}")))
            } else {
                Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::InvalidBody,
                    format!("at `{path}`: {inner}"),
                )
                .with_details(json!({ "path": path })))
            }
        }
    }
}

/// Query parameters, checked one by one so that an error names the parameter. Unknown parameters are rejected.
pub struct QueryParams(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).map_err(|e| {
            ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery, format!("malformed query string: {e}"))
        })?;
        let mut map = HashMap::with_capacity(pairs.len());
        for (k, v) in pairs {
            if map.insert(k.clone(), v).is_some() {
                return Err(ApiError::bad_parameter(&k, "given more than once"));
            }
        }
        Ok(QueryParams(map))
    }
}

impl QueryParams {
    /// Errors naming the first parameter not in `allowed`.
    pub fn allow_only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        let mut unknown: Vec<&String> = self.0.keys().filter(|k| !allowed.contains(&k.as_str())).collect();
        unknown.sort();
        match unknown.first() {
            Some(k) => {
                Err(ApiError::bad_parameter(k, format!("unknown parameter; expected one of {}", allowed.join(", "))))
            }
            None => Ok(()),
        }
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// Parses with `FromStr`; the error names the parameter and the value.
    pub fn parsed<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, ApiError>
    where
        T::Err: std::fmt::Display,
    {
        self.text(name)
            .map(|v| v.parse::<T>().map_err(|e| ApiError::bad_parameter(name, format!("{v:?} is not valid: {e}"))))
            .transpose()
    }

    /// A local date `YYYY-MM-DD`.
    pub fn date(&self, name: &str) -> Result<Option<chrono::NaiveDate>, ApiError> {
        self.text(name)
            .map(|v| {
                chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                    .map_err(|e| ApiError::bad_parameter(name, format!("{v:?} is not a YYYY-MM-DD date: {e}")))
            })
            .transpose()
    }

    /// An instant in RFC 3339 (UTC or with an offset).
    pub fn instant(&self, name: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
        self.text(name)
            .map(|v| {
                chrono::DateTime::parse_from_rfc3339(&v)
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .map_err(|e| ApiError::bad_parameter(name, format!("{v:?} is not an RFC 3339 instant: {e}")))
            })
            .transpose()
    }

    /// A UUID.
    pub fn uuid(&self, name: &str) -> Result<Option<uuid::Uuid>, ApiError> {
        self.text(name).map(|v| parse_uuid(name, &v)).transpose()
    }

    /// A number within `range`, `default` when absent.
    pub fn number<T>(&self, name: &str, default: T, range: std::ops::RangeInclusive<T>) -> Result<T, ApiError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
        T::Err: std::fmt::Display,
    {
        let v = self.parsed::<T>(name)?.unwrap_or(default);
        if range.contains(&v) {
            Ok(v)
        } else {
            Err(ApiError::bad_parameter(name, format!("{v} is outside {}..={}", range.start(), range.end())))
        }
    }
}

/// A UUID in a path segment or a query parameter; the 400 names `name`.
pub fn parse_uuid(name: &str, raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw).map_err(|_| ApiError::bad_parameter(name, format!("{raw:?} is not a UUID")))
}
