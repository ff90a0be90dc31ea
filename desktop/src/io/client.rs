//! A typed client of Flowline's HTTP API (`/api/v1`), over reqwest with rustls.
//!
//! Owns: the paths, the bearer header, decoding the wire DTOs and mapping every failure into a [`ClientError`].
//! It is independent of the UI, so the workspace's end-to-end tests drive the server with it.
//! Must not touch: egui, the model, the event channel. Never panics on a network path.

pub use super::error::ClientError;
use flowline_shared::dto::{ErrorBody, HealthResponse, LoginRequest, LoginResponse, Page, WellView};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Whole-request timeout unless the caller picks another.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest page the client asks for when it fetches a whole list.
pub const MAX_PAGE_SIZE: u32 = 500;
/// A safety stop for [`ApiClient::list_all_wells`] against a server whose totals keep moving.
const MAX_PAGES: u32 = 1_000;
/// How much of an unexpected body goes into an error message.
const SNIPPET_CHARS: usize = 200;

/// A client bound to one server. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base_url: String,
    timeout: Duration,
}

impl ApiClient {
    /// A client of the server at `base_url` (`http://host:port`, with or without a trailing slash).
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        Self::with_timeout(base_url, DEFAULT_TIMEOUT)
    }

    pub fn with_timeout(base_url: &str, timeout: Duration) -> Result<Self, ClientError> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let invalid = |reason: String| ClientError::InvalidUrl { url: base_url.to_owned(), reason };
        let parsed = reqwest::Url::parse(trimmed).map_err(|e| invalid(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid(format!("the scheme must be http or https, not {}", parsed.scheme())));
        }
        if parsed.host_str().is_none() {
            return Err(invalid("the address has no host".to_owned()));
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("flowline-desktop/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| invalid(error_chain(&e)))?;
        Ok(Self { http, base_url: trimmed.to_owned(), timeout })
    }

    /// The server address without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `GET /health`: is the server process up.
    pub async fn health(&self) -> Result<HealthResponse, ClientError> {
        self.send(Method::GET, "/health", None, None::<&()>).await
    }

    /// `POST /api/v1/auth/login`: a bearer token for the user of the tenant.
    pub async fn login(&self, request: &LoginRequest) -> Result<LoginResponse, ClientError> {
        self.send(Method::POST, "/api/v1/auth/login", None, Some(request)).await
    }

    /// `GET /api/v1/wells?limit=&offset=`: one page of the tenant's wells with their latest readings.
    pub async fn list_wells(&self, token: &str, limit: u32, offset: u64) -> Result<Page<WellView>, ClientError> {
        let path = format!("/api/v1/wells?limit={limit}&offset={offset}");
        self.send(Method::GET, &path, Some(token), None::<&()>).await
    }

    /// Every well of the tenant, page after page; returns the wells and the total the server reported.
    pub async fn list_all_wells(&self, token: &str, page_size: u32) -> Result<(Vec<WellView>, u64), ClientError> {
        let limit = page_size.clamp(1, MAX_PAGE_SIZE);
        let mut wells = Vec::new();
        let mut total = 0;
        for _ in 0..MAX_PAGES {
            let page = self.list_wells(token, limit, wells.len() as u64).await?;
            total = page.total;
            let received = page.items.len();
            wells.extend(page.items);
            if received == 0 || wells.len() as u64 >= total {
                break;
            }
        }
        Ok((wells, total))
    }

    pub(super) async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&impl serde::Serialize>,
    ) -> Result<T, ClientError> {
        let url = format!("{}{path}", self.base_url);
        let mut request = self.http.request(method, &url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| self.transport_error(&url, &e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.transport_error(&url, &e))?;
        decode(&url, status, &bytes)
    }

    /// The shared HTTP client (for requests with extra headers, see `alarms_api`).
    pub(super) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A short error for the user (the server address and the root cause); the whole chain goes to the debug log.
    pub(super) fn transport_error(&self, url: &str, error: &reqwest::Error) -> ClientError {
        tracing::debug!(url, error = %error_chain(error), "request failed");
        if error.is_timeout() {
            ClientError::Timeout { url: self.base_url.clone(), timeout: self.timeout }
        } else {
            ClientError::Unreachable { url: self.base_url.clone(), reason: root_cause(error) }
        }
    }
}

/// A success body as `T`; an error status as the API's error shape, or as an unexpected answer.
pub(super) fn decode<T: DeserializeOwned>(url: &str, status: StatusCode, bytes: &[u8]) -> Result<T, ClientError> {
    if status.is_success() {
        return serde_json::from_slice(bytes)
            .map_err(|e| ClientError::Decode { url: url.to_owned(), reason: e.to_string() });
    }
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => Err(ClientError::Api {
            status: status.as_u16(),
            code: body.code,
            message: body.message,
            details: body.details,
        }),
        Err(_) => Err(ClientError::UnexpectedResponse {
            url: url.to_owned(),
            status: status.as_u16(),
            snippet: snippet(bytes),
        }),
    }
}

fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return "(empty body)".to_owned();
    }
    let mut out: String = flat.chars().take(SNIPPET_CHARS).collect();
    if flat.chars().count() > SNIPPET_CHARS {
        out.push('…');
    }
    out
}

/// The innermost cause, as a phrase: "connection refused" rather than "error sending request for url (...)".
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = error;
    while let Some(cause) = innermost.source() {
        innermost = cause;
    }
    let text = innermost.to_string();
    // "Connection refused (os error 111)": the number helps nobody at a control-room desk.
    let text = match text.find(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "no details".to_owned(),
    }
}

/// reqwest's own message ("error sending request") with its causes ("connection refused"), for the log.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A one-shot HTTP server on a loopback port that answers every request with `status` and `body`, and hands the
    /// raw requests it read back through the join handle.
    fn canned_server(
        status: &'static str,
        content_type: &'static str,
        body: &'static str,
        requests: usize,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for _ in 0..requests {
                let (mut stream, _) = listener.accept().unwrap();
                let mut buf = vec![0u8; 16 * 1024];
                let mut read = 0;
                // Read the head, then as much body as Content-Length announces.
                loop {
                    let n = stream.read(&mut buf[read..]).unwrap();
                    read += n;
                    let text = String::from_utf8_lossy(&buf[..read]).to_string();
                    if let Some(head_end) = text.find("\r\n\r\n") {
                        let length = text
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap())
                            })
                            .unwrap_or(0);
                        if read >= head_end + 4 + length {
                            break;
                        }
                    }
                    if n == 0 {
                        break;
                    }
                }
                seen.push(String::from_utf8_lossy(&buf[..read]).to_string());
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(response.as_bytes()).unwrap();
            }
            seen
        });
        (url, handle)
    }

    fn credentials() -> LoginRequest {
        LoginRequest { tenant: "demo".into(), username: "demo".into(), password: "pw".into() }
    }

    #[tokio::test]
    async fn a_404_html_page_is_an_unexpected_response() {
        let (url, server) = canned_server("404 Not Found", "text/html", "<html><body>Not here</body></html>", 1);
        let client = ApiClient::new(&url).unwrap();
        let err = client.list_wells("t", 50, 0).await.unwrap_err();
        assert!(matches!(err, ClientError::UnexpectedResponse { status: 404, .. }), "{err:?}");
        assert!(err.to_string().contains("Not here"), "{err}");
        assert!(!err.is_transient());
        server.join().unwrap();
    }

    #[tokio::test]
    async fn the_api_error_body_becomes_a_typed_error() {
        let body = r#"{"code":"unauthorized","message":"Invalid tenant, username or password","details":null}"#;
        let (url, server) = canned_server("401 Unauthorized", "application/json", body, 1);
        let client = ApiClient::new(&format!("{url}/")).unwrap();
        let err = client.login(&credentials()).await.unwrap_err();
        assert!(err.is_unauthorized());
        assert_eq!(err.code(), Some("unauthorized"));
        assert_eq!(err.user_message(), "Invalid tenant, username or password");
        let requests = server.join().unwrap();
        assert!(requests[0].starts_with("POST /api/v1/auth/login HTTP/1.1"), "{}", requests[0]);
        assert!(requests[0].contains(r#""tenant":"demo""#));
    }

    #[tokio::test]
    async fn a_success_body_that_is_not_json_is_a_decode_error() {
        let (url, server) = canned_server("200 OK", "text/plain", "hello", 1);
        let err = ApiClient::new(&url).unwrap().health().await.unwrap_err();
        assert!(matches!(err, ClientError::Decode { .. }), "{err:?}");
        server.join().unwrap();
    }

    #[tokio::test]
    async fn pages_are_fetched_with_the_bearer_token() {
        let body = r#"{"items":[],"total":0,"limit":500,"offset":0}"#;
        let (url, server) = canned_server("200 OK", "application/json", body, 1);
        let (wells, total) = ApiClient::new(&url).unwrap().list_all_wells("tok123", 10_000).await.unwrap();
        assert!(wells.is_empty());
        assert_eq!(total, 0);
        let requests = server.join().unwrap();
        assert!(requests[0].starts_with("GET /api/v1/wells?limit=500&offset=0 "), "{}", requests[0]);
        assert!(requests[0].to_ascii_lowercase().contains("authorization: bearer tok123"));
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable_and_transient() {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = ApiClient::new(&format!("http://127.0.0.1:{port}")).unwrap().health().await.unwrap_err();
        assert!(matches!(err, ClientError::Unreachable { .. }), "{err:?}");
        assert!(err.is_transient());
        assert_eq!(err.to_string(), format!("cannot reach http://127.0.0.1:{port}: connection refused"));
    }

    #[test]
    fn bad_addresses_are_rejected_up_front() {
        for bad in ["", "localhost:8080", "ftp://x", "http://"] {
            assert!(matches!(ApiClient::new(bad), Err(ClientError::InvalidUrl { .. })), "{bad}");
        }
        assert_eq!(ApiClient::new("http://ops.example:8080/").unwrap().base_url(), "http://ops.example:8080");
    }
}
