//! The typed error of [`super::client::ApiClient`].
//!
//! Owns: the distinction between "the server said no" (its `{code, message, details}` body), "the server is not
//! there" and "something answered, but not Flowline". Must not touch: egui or the model.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The base URL given to the client is not an http(s) URL.
    #[error("{url:?} is not a valid server address: {reason}")]
    InvalidUrl { url: String, reason: String },

    /// No answer: the connection was refused, the name did not resolve, TLS failed or similar.
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },

    /// No answer within the client's timeout.
    #[error("{url} did not answer within {} s", timeout.as_secs())]
    Timeout { url: String, timeout: Duration },

    /// The API answered with its error shape.
    #[error("{message} ({code}, HTTP {status})")]
    Api { status: u16, code: String, message: String, details: serde_json::Value },

    /// Something answered with an error status but not with the API's error shape (a proxy's HTML page, a 404
    /// from a server that is not Flowline).
    #[error("{url} answered HTTP {status} without a Flowline error body: {snippet}")]
    UnexpectedResponse { url: String, status: u16, snippet: String },

    /// A success status whose body is not the expected JSON.
    #[error("{url} answered with a body that could not be read: {reason}")]
    Decode { url: String, reason: String },
}

impl ClientError {
    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::UnexpectedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API's error code (`"unauthorized"`, `"validation_failed"`, ...), when it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The credentials or the token were refused.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    /// A failure that may pass by itself (no answer, a timeout, a 5xx or a 429): the app shows "offline" and keeps
    /// trying instead of asking the user to act.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } | Self::Timeout { .. } => true,
            Self::Api { status, .. } | Self::UnexpectedResponse { status, .. } => *status >= 500 || *status == 429,
            Self::InvalidUrl { .. } | Self::Decode { .. } => false,
        }
    }

    /// The text for the user: the server's own message when it sent one, otherwise the whole description.
    pub fn user_message(&self) -> String {
        match self {
            Self::Api { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}
