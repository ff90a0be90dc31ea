//! The OpenAPI 3.1 document of the API, served at `GET /openapi.json`.
//!
//! Owns: completing the document that `utoipa-axum` collects from the route table (`http/mod.rs`: each route is
//! registered with `routes!`, which takes the handler's `#[utoipa::path]`, so a route cannot exist without its
//! documentation) and the DTOs' `ToSchema` (flowline-shared's `openapi` feature): the info with the error-code table
//! (printed from [`ErrorCode::ALL`]), the security schemes, and what every route of a kind has in common, added here
//! once instead of on 37 handlers: 401 on every authenticated route, 400 `invalid_json` / 422 `invalid_body` / 413 on
//! every body, 503 `storage_unavailable` under `/api/v1`, the conditional-GET layer's 304 and headers on every `GET`
//! under `/api/v1` (and `If-None-Match` wherever a 304 is documented), and the `ErrorBody` content of every error
//! response. Serving the finished document with its ETag.
//! Must not touch: routing (the route table is `http/mod.rs`'s) or any service: the document describes the handlers,
//! it never calls them.

use super::conditional::{entity_tag, matches_any};
use super::error::ErrorCode;
use axum::Extension;
use axum::body::{Body, Bytes};
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use flowline_shared::dto::ErrorBody;
use flowline_shared::dto::events::{EventKind, StreamMessage};
use std::sync::Arc;
use utoipa::openapi::content::Content;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::response::Response as ApiResponse;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::tag::Tag;
use utoipa::openapi::{Components, Info, OpenApi, Ref, RefOr, Required, Schema};
use utoipa::{PartialSchema, ToSchema};

/// The security scheme of the bearer JWT (`Authorization: Bearer <token>` from `POST /api/v1/auth/login`).
pub const BEARER: &str = "bearer";
/// The WebSocket's alternative: the same JWT in the `token` query parameter (browsers cannot set headers on a
/// WebSocket).
pub const TOKEN_QUERY: &str = "token_query";
/// The routes of the API proper (the conditional-GET layer, the storage).
const API_PREFIX: &str = "/api/v1/";

/// The document's tags, in the order a reader meets them.
const TAGS: [(&str, &str); 11] = [
    ("auth", "Sign in: the bearer token every other call needs"),
    ("wells", "The well registry"),
    ("field entries", "Production readings: batch ingest, CSV import, a well's entries"),
    ("analytics", "Stored aggregates, trends, anomalies and forecasts"),
    ("dashboard", "The control room: KPIs, the status map, the well detail, the export"),
    ("alarms", "ISA-18.2 alarms: list, acknowledge, shelve, out of service, rules, alarm-system health"),
    ("events", "The event stream over a WebSocket (protocol: docs/websocket.md)"),
    ("maintenance", "Maintenance items of the wells"),
    ("prices", "The oil and gas price table behind the revenue KPI"),
    ("admin", "Jobs: backfill, job runs (admins only)"),
    ("service", "Liveness, readiness and this document"),
];

const OVERVIEW: &str = "\
The HTTP API of Flowline: production data of oil and gas wells per tenant, analytics, alarms and the control-room \
dashboard. Generated from the server's code.

**Authentication**: `POST /api/v1/auth/login` returns a JWT; send it as `Authorization: Bearer <token>` (scheme \
`bearer`). Login, `/health`, `/ready` and `/openapi.json` are public. The WebSocket `/api/v1/ws/alerts` also \
takes the token as `?token=` (scheme `token_query`). Every answer is confined to the token's tenant; roles: viewers \
read, operators also write and act on alarms, admins also run jobs and change rules and prices.

**Conditional requests**: every `200` answer to a `GET` under `/api/v1` carries a strong `ETag` (128 bits of the \
body's SHA-256), `Cache-Control: private, no-cache` and `Vary: Authorization`; send the tag back in \
`If-None-Match` and an unchanged answer is `304 Not Modified` with no body. Errors and writes are never tagged; \
answers over 8 MiB are not tagged.

**Conventions**: snake_case JSON; inputs reject unknown fields; instants are RFC 3339 UTC; days are local dates \
(`YYYY-MM-DD`) of the tenant's time zone; numbers carry their unit in their name or in a `unit` field beside them; \
values that cannot be computed are `null`.

**Errors**: every error is an `ErrorBody` `{ \"code\", \"message\", \"details\" }`; a bad input never causes a \
partial write. The codes:

";

/// Completes the document collected from the route table (see the module doc). Called once per router.
pub fn complete(mut doc: OpenApi) -> OpenApi {
    let mut info = Info::new("Flowline API", env!("CARGO_PKG_VERSION"));
    info.description = Some(format!("{OVERVIEW}{}", error_code_table()));
    doc.info = info;
    doc.tags = Some(
        TAGS.iter()
            .map(|(name, description)| {
                let mut tag = Tag::new(*name);
                tag.description = Some((*description).to_owned());
                tag
            })
            .collect(),
    );
    let components = doc.components.get_or_insert_with(Components::new);
    add_security_schemes(components);
    add_stream_schemas(components);
    describe_error_codes(components);
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, operation) in operations_mut(item) {
            complete_operation(path, method, operation);
        }
    }
    doc
}

/// The error-code table (Markdown), one row per [`ErrorCode`].
pub fn error_code_table() -> String {
    let mut table = String::from("| Status | `code` | When | `details` |\n|---|---|---|---|\n");
    for code in ErrorCode::ALL {
        table.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            code.status().as_u16(),
            code.as_str(),
            code.meaning(),
            code.details()
        ));
    }
    table
}

fn add_security_schemes(components: &mut Components) {
    let bearer = HttpBuilder::new()
        .scheme(HttpAuthScheme::Bearer)
        .bearer_format("JWT")
        .description(Some("The token of `POST /api/v1/auth/login` (HS256 JWT; it names the tenant, user and role)"))
        .build();
    components.add_security_scheme(BEARER, SecurityScheme::Http(bearer));
    components.add_security_scheme(
        TOKEN_QUERY,
        SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
            "token",
            "The same JWT as a query parameter: only `/api/v1/ws/alerts` accepts it",
        ))),
    );
}

/// The WebSocket's messages are not an HTTP body, so no route refers to them: they are added by hand.
fn add_stream_schemas(components: &mut Components) {
    let mut found = Vec::new();
    StreamMessage::schemas(&mut found);
    components.schemas.extend(found);
    components.schemas.insert(StreamMessage::name().into_owned(), StreamMessage::schema());
    components.schemas.insert(EventKind::name().into_owned(), EventKind::schema());
}

/// `ErrorBody` (which the handlers' annotations leave to [`complete_operation`]): its `code` lists every code, and
/// the schema carries the table.
fn describe_error_codes(components: &mut Components) {
    components.schemas.insert(ErrorBody::name().into_owned(), ErrorBody::schema());
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let code = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes))
        .description(Some("Stable machine-readable code (see the table in the schema's description)"))
        .build();
    if let Some(RefOr::T(Schema::Object(body))) = components.schemas.get_mut(ErrorBody::name().as_ref()) {
        body.properties.insert("code".to_owned(), RefOr::T(Schema::Object(code)));
        body.description = Some(format!("The one error shape of the API.\n\n{}", error_code_table()));
    }
}

fn operations_mut(item: &mut PathItem) -> Vec<(&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("options", item.options.as_mut()),
        ("head", item.head.as_mut()),
        ("patch", item.patch.as_mut()),
        ("trace", item.trace.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.map(|o| (method, o)))
    .collect()
}

fn complete_operation(path: &str, method: &str, operation: &mut Operation) {
    // `security(())` on a handler marks it public: written as the canonical empty list. Everything else is bearer.
    let public = operation.security.as_ref().is_some_and(|s| s.iter().all(|r| *r == SecurityRequirement::default()));
    if public {
        operation.security = Some(Vec::new());
    } else if operation.security.is_none() {
        operation.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
    }
    let upgrade = operation.responses.responses.contains_key("101");
    let under_api = path.starts_with(API_PREFIX);
    if !public {
        add_error(
            operation,
            401,
            "`unauthorized`: missing, malformed, forged or expired token, or its tenant no longer exists",
        );
    }
    if let Some(body) = &operation.request_body {
        let json = body.content.contains_key("application/json");
        add_error(
            operation,
            413,
            "`payload_too_large`: the body exceeds the server's limit (`FLOWLINE_MAX_BODY_BYTES`)",
        );
        if json {
            add_error(operation, 400, "`invalid_json`: the body is not JSON");
            add_error(
                operation,
                422,
                "`invalid_body`: JSON of the wrong shape (wrong type, unknown or missing field; `details.path` names \
                 it)",
            );
        }
    }
    if under_api && !upgrade {
        add_error(operation, 503, "`storage_unavailable`: the database cannot be reached");
        if method == "get" {
            add_conditional_get(operation);
        }
    }
    if operation.responses.responses.contains_key("304") {
        add_if_none_match(operation);
    }
    for response in operation.responses.responses.iter_mut().filter(|(s, _)| is_error(s)).map(|(_, r)| r) {
        if let RefOr::T(response) = response
            && response.content.is_empty()
        {
            response.content.insert("application/json".to_owned(), error_content());
        }
    }
}

/// `4xx` and `5xx` (also the `4XX` ranges).
fn is_error(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

fn error_content() -> Content {
    Content::new(Some(Ref::from_schema_name(ErrorBody::name())))
}

/// Adds an error answer, or one more reason to an existing one.
fn add_error(operation: &mut Operation, status: u16, reason: &str) {
    let responses = &mut operation.responses.responses;
    match responses.get_mut(&status.to_string()) {
        Some(RefOr::T(existing)) => {
            if !existing.description.contains(reason.split(':').next().unwrap_or(reason)) {
                existing.description = format!("{}; {reason}", existing.description);
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let mut response = ApiResponse::new(reason);
            response.content.insert("application/json".to_owned(), error_content());
            responses.insert(status.to_string(), RefOr::T(response));
        }
    }
}

fn string_header(description: &str) -> Header {
    let mut header = Header::new(ObjectBuilder::new().schema_type(Type::String).build());
    header.description = Some(description.to_owned());
    header
}

/// The request header of every answer that can be 304.
fn add_if_none_match(operation: &mut Operation) {
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    if parameters.iter().any(|p| p.name == "If-None-Match") {
        return;
    }
    let parameter = ParameterBuilder::new()
        .name("If-None-Match")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some("ETags of copies the client holds: a match gives 304 with no body"))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).build()))
        .build();
    parameters.push(parameter);
}

/// The conditional-GET layer (`http/conditional.rs`) over every `GET` under `/api/v1`.
fn add_conditional_get(operation: &mut Operation) {
    if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
        ok.headers.insert("ETag".to_owned(), string_header("Strong tag of the body (absent over 8 MiB)"));
        ok.headers.insert("Cache-Control".to_owned(), string_header("`private, no-cache`"));
        ok.headers.insert("Vary".to_owned(), string_header("`authorization`"));
    }
    let mut not_modified = ApiResponse::new("Not Modified: `If-None-Match` named the current ETag; no body");
    not_modified.headers.insert("ETag".to_owned(), string_header("The current tag"));
    operation.responses.responses.insert("304".to_owned(), RefOr::T(not_modified));
}

/// The finished document as served: its JSON, once, and its tag.
#[derive(Clone)]
pub struct PublishedDocument {
    json: Bytes,
    etag: HeaderValue,
}

impl PublishedDocument {
    pub fn new(doc: &OpenApi) -> Arc<Self> {
        // Serialising plain maps and strings cannot fail; an empty object would still be a valid answer.
        let json = Bytes::from(serde_json::to_vec(doc).unwrap_or_else(|_| b"{}".to_vec()));
        let etag = entity_tag(&json);
        Arc::new(Self { json, etag })
    }
}

/// This document
///
/// The OpenAPI 3.1 description of the whole API, generated from the server's code. Public (outside `/api/v1` like
/// `/health`): it describes the API, not a tenant's data, and clients need it before they have a token. Tagged with
/// an ETag like the API's reads.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "service",
    security(()),
    responses(
        (status = 200, description = "The document", content_type = "application/json", body = Object, headers(
            ("ETag" = String, description = "Strong tag of the document"),
            ("Cache-Control" = String, description = "`no-cache`"),
        )),
        (status = 304, description = "Not Modified: `If-None-Match` named the current ETag; no body"),
    )
)]
pub async fn openapi_json(Extension(doc): Extension<Arc<PublishedDocument>>, headers: HeaderMap) -> Response {
    let not_modified = headers.get(IF_NONE_MATCH).is_some_and(|h| doc.etag.to_str().is_ok_and(|t| matches_any(h, t)));
    let mut response = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(doc.json.clone()));
        r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r
    };
    let h = response.headers_mut();
    h.insert(ETAG, doc.etag.clone());
    // Public and the same for everyone: any cache may keep it, but must revalidate (a new build changes it).
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(CONTENT_LENGTH, HeaderValue::from(doc.json.len()));
    response
}
