//! Conditional GET for the API's reads: every successful `GET` answer carries a strong `ETag` (a digest of its body)
//! and `Cache-Control: private, no-cache`, and a request whose `If-None-Match` names the current tag gets
//! `304 Not Modified` with no body. A client that refreshes every 30 s therefore downloads (and redraws) only what
//! changed.
//!
//! Rules (RFC 9110 §13.1.2, §15.4.5):
//! - Only `GET` and `HEAD` answers with status 200 are tagged; errors, `POST`s and other statuses pass untouched, as
//!   does an answer that already has an `ETag` or whose body is larger than [`MAX_TAGGED_BODY`] (a large CSV export
//!   is streamed to the client rather than held to be hashed).
//! - The tag is the first 128 bits of the body's SHA-256, in hex: equal bodies (in any instance of the same build)
//!   give equal tags, so it survives a restart or a load balancer switching instances.
//! - `If-None-Match` is a comma-separated list of tags, `W/` (weak) prefixes allowed, or `*`; the comparison is the
//!   weak one the RFC prescribes for `If-None-Match`. A match gives 304 with the `ETag`, `Cache-Control` and `Vary`
//!   headers of the full answer and its `Content-Length`, and no body.
//! - `private, no-cache`: the answers depend on the caller's tenant and role, so shared caches must not keep them,
//!   and a client must revalidate before reusing its copy (which is what the 304 makes cheap). `Vary:
//!   Authorization` says the same to any cache in between.

use crate::etag::strong_tag;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Larger answers are not tagged (they would have to be held in memory to be hashed).
pub const MAX_TAGGED_BODY: usize = 8 * 1024 * 1024;

pub(crate) const CACHE_CONTROL_VALUE: &str = "private, no-cache";

/// The middleware (`axum::middleware::from_fn(conditional_get)`).
pub async fn conditional_get(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        return next.run(request).await;
    }
    let if_none_match = request.headers().get(IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(ETAG) {
        return response;
    }
    if body_too_large(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_TAGGED_BODY).await {
        Ok(bytes) => bytes,
        // The body failed while being read, or outgrew the limit without saying so up front: the answer is lost
        // either way, and an error status says so instead of a truncated 200.
        Err(e) => {
            tracing::warn!(error = %e, "could not buffer an answer to tag it");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = entity_tag(&bytes);
    parts.headers.insert(ETAG, tag.clone());
    parts.headers.insert(CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL_VALUE));
    parts.headers.append(VARY, HeaderValue::from_static("authorization"));
    if if_none_match.as_ref().is_some_and(|header| tag.to_str().is_ok_and(|t| matches_any(header, t))) {
        parts.status = StatusCode::NOT_MODIFIED;
        // RFC 9110 §8.6: a 304 may carry Content-Length only as the length of the 200's content; without it the
        // router would add "0" for the empty body.
        parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(bytes.len()));
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn body_too_large(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > MAX_TAGGED_BODY)
}

/// The strong tag of a body (see [`crate::etag::strong_tag`]) as a header value.
pub fn entity_tag(body: &[u8]) -> HeaderValue {
    // Quotes and hex digits only: always a valid header value.
    HeaderValue::from_str(&strong_tag(body)).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// Whether an `If-None-Match` value names `tag` (weak comparison: `W/` prefixes are ignored) or is `*`.
pub(crate) fn matches_any(header: &HeaderValue, tag: &str) -> bool {
    let Ok(header) = header.to_str() else {
        return false;
    };
    header.split(',').map(str::trim).any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new()
            .route("/data", get(|| async { "{\"oil\":42}" }).post(|| async { "posted" }))
            .route("/missing", get(|| async { (StatusCode::NOT_FOUND, "no") }))
            .route("/tagged", get(|| async { ([(ETAG, HeaderValue::from_static("\"own\""))], "already tagged") }))
            .layer(axum::middleware::from_fn(conditional_get))
    }

    async fn send(method: Method, path: &str, if_none_match: Option<&str>) -> Response {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(tag) = if_none_match {
            request = request.header(IF_NONE_MATCH, tag);
        }
        app().oneshot(request.body(Body::empty()).unwrap()).await.unwrap()
    }

    async fn body(response: Response) -> Vec<u8> {
        to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()
    }

    #[tokio::test]
    async fn a_get_is_tagged_and_a_matching_revalidation_gets_304_without_a_body() {
        let first = send(Method::GET, "/data", None).await;
        assert_eq!(first.status(), StatusCode::OK);
        let tag = first.headers()[ETAG].to_str().unwrap().to_owned();
        assert_eq!(tag, entity_tag(b"{\"oil\":42}").to_str().unwrap());
        assert_eq!(tag.len(), 34);
        assert_eq!(first.headers()[CACHE_CONTROL], "private, no-cache");
        assert_eq!(first.headers()[VARY], "authorization");
        assert_eq!(body(first).await, b"{\"oil\":42}");

        let again = send(Method::GET, "/data", Some(&tag)).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()[ETAG].to_str().unwrap(), tag);
        assert_eq!(again.headers()[CACHE_CONTROL], "private, no-cache");
        assert_eq!(again.headers()[CONTENT_LENGTH], "10", "the length of the 200's content, not of the empty body");
        assert!(body(again).await.is_empty());
    }

    #[tokio::test]
    async fn lists_weak_tags_and_star_match_and_other_tags_do_not() {
        let tag = entity_tag(b"{\"oil\":42}").to_str().unwrap().to_owned();
        for header in [format!("\"x\", W/{tag}"), format!("{tag},\"y\""), "*".to_owned()] {
            assert_eq!(send(Method::GET, "/data", Some(&header)).await.status(), StatusCode::NOT_MODIFIED, "{header}");
        }
        let stale = send(Method::GET, "/data", Some("\"0123\"")).await;
        assert_eq!(stale.status(), StatusCode::OK);
        assert_eq!(body(stale).await, b"{\"oil\":42}");
    }

    #[tokio::test]
    async fn head_is_tagged_like_get() {
        let head = send(Method::HEAD, "/data", None).await;
        assert_eq!(head.headers()[ETAG], entity_tag(b"{\"oil\":42}"));
    }

    #[tokio::test]
    async fn posts_errors_and_answers_with_their_own_tag_pass_untouched() {
        let tag = entity_tag(b"posted").to_str().unwrap().to_owned();
        let post = send(Method::POST, "/data", Some(&tag)).await;
        assert_eq!(post.status(), StatusCode::OK);
        assert!(post.headers().get(ETAG).is_none());
        let missing = send(Method::GET, "/missing", Some("*")).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert!(missing.headers().get(ETAG).is_none());
        let own = send(Method::GET, "/tagged", Some("\"own\"")).await;
        assert_eq!(own.status(), StatusCode::OK, "a handler's own tag is its business");
        assert_eq!(own.headers()[ETAG], "\"own\"");
    }
}
