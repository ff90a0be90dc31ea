//! The OpenAPI document (`GET /openapi.json`, `http/openapi.rs`) against the official OpenAPI 3.1 JSON Schema (vendored
//! in tests/fixtures/openapi, no network) and against the running server: every documented operation is routed
//! (none answers the "no such endpoint" fallback) and the route table registers no route past the document; the
//! documented query parameters are exactly those each handler accepts; the documented security is what the handlers
//! enforce; every status a probe provokes is documented; every error refers to `ErrorBody`; and real answers of a
//! seeded tenant, and the request bodies that seeded it, validate against their documented schemas. Test names
//! contain "openapi".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::{TestApp, spawn_app};
use flowline_backend::http::error::ErrorCode;
use flowline_backend::http::openapi_document;
use jsonschema::{Registry, Validator};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const DOC_URI: &str = "https://flowline.invalid/openapi.json";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openapi");
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn document() -> Value {
    serde_json::to_value(openapi_document()).expect("the document serialises")
}

fn fixture(name: &str) -> Value {
    let path = format!("{FIXTURES}/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One operation of the document.
struct Op {
    path: String,
    method: &'static str,
    spec: Value,
}

impl Op {
    fn label(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }

    fn public(&self) -> bool {
        self.spec["security"].as_array().is_some_and(Vec::is_empty)
    }

    fn query_parameters(&self) -> BTreeSet<String> {
        self.parameters("query")
    }

    fn parameters(&self, location: &str) -> BTreeSet<String> {
        self.spec["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == location)
            .map(|p| p["name"].as_str().expect("a parameter has a name").to_owned())
            .collect()
    }

    fn required_query_parameters(&self) -> BTreeSet<String> {
        self.spec["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query" && p["required"] == true)
            .map(|p| p["name"].as_str().expect("a parameter has a name").to_owned())
            .collect()
    }

    fn statuses(&self) -> BTreeSet<u16> {
        self.spec["responses"]
            .as_object()
            .expect("an operation has responses")
            .keys()
            .map(|s| s.parse().unwrap_or_else(|_| panic!("{}: status {s}", self.label())))
            .collect()
    }

    fn has_json_body(&self) -> bool {
        self.spec["requestBody"]["content"].get("application/json").is_some()
    }

    /// The JSON pointer of a response's (or the request's) JSON schema.
    fn response_schema_pointer(&self, status: u16) -> Option<String> {
        let schema = &self.spec["responses"][status.to_string()]["content"]["application/json"]["schema"];
        (!schema.is_null()).then(|| {
            format!(
                "#/paths/{}/{}/responses/{status}/content/application~1json/schema",
                escape(&self.path),
                self.method
            )
        })
    }

    fn request_schema_pointer(&self) -> String {
        format!("#/paths/{}/{}/requestBody/content/application~1json/schema", escape(&self.path), self.method)
    }
}

/// JSON-pointer escaping of one segment, as a URI fragment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1").replace('{', "%7B").replace('}', "%7D")
}

fn operations(doc: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(spec) = item.get(method) {
                ops.push(Op { path: path.clone(), method, spec: spec.clone() });
            }
        }
    }
    ops
}

/// Validates JSON against schemas of the document (by JSON pointer), `$ref`s resolved within it.
struct SchemaCheck {
    registry: Registry<'static>,
}

impl SchemaCheck {
    fn new(doc: &Value) -> Self {
        let registry = Registry::new().add(DOC_URI, doc.clone()).expect("the document is a resource").prepare();
        Self { registry: registry.expect("the document's references resolve") }
    }

    fn validator(&self, pointer: &str) -> Validator {
        jsonschema::options()
            .with_registry(&self.registry)
            .build(&json!({ "$ref": format!("{DOC_URI}{pointer}") }))
            .unwrap_or_else(|e| panic!("{pointer}: {e}"))
    }

    fn assert_valid(&self, pointer: &str, instance: &Value, what: &str) {
        let validator = self.validator(pointer);
        let errors: Vec<String> =
            validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{what} does not match {pointer}:\n{}\n{instance:#}", errors.join("\n"));
    }
}

#[test]
fn openapi_document_validates_against_the_official_openapi_3_1_schema() {
    let doc = document();
    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.1.")), Some(true), "{}", doc["openapi"]);
    let schema = fixture("schema.json");
    // Without the schema dialect: the structure of the document.
    let plain = jsonschema::validator_for(&schema).expect("the OpenAPI 3.1 schema compiles");
    let errors: Vec<String> = plain.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "schema.json:\n{}", errors.join("\n"));
    // With the OpenAPI dialect: every Schema Object is also checked against JSON Schema 2020-12 and the OAS
    // vocabulary.
    let mut registry = Registry::new();
    for name in ["schema.json", "dialect-base.schema.json", "meta-base.schema.json"] {
        let resource = fixture(name);
        let id = resource["$id"].as_str().expect("the fixtures have an $id").to_owned();
        registry = registry.add(id, resource).expect("a valid URI");
    }
    let registry = registry.prepare().expect("the OpenAPI schemas resolve");
    let base = jsonschema::options()
        .with_registry(&registry)
        .build(&fixture("schema-base.json"))
        .expect("schema-base.json compiles");
    let errors: Vec<String> = base.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "schema-base.json:\n{}", errors.join("\n"));
    // And the checker is not blind: a document without `info` fails.
    let mut broken = doc.clone();
    broken.as_object_mut().expect("an object").remove("info");
    assert!(!base.is_valid(&broken));
}

#[test]
fn openapi_references_resolve_and_operation_ids_are_unique() {
    let doc = document();
    let text = doc.to_string();
    let mut refs = BTreeSet::new();
    for piece in text.split("\"$ref\":\"").skip(1) {
        refs.insert(piece.split('"').next().expect("a reference").to_owned());
    }
    assert!(!refs.is_empty());
    for r in &refs {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{r} is not local"));
        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
    let ops = operations(&doc);
    let ids: Vec<&str> =
        ops.iter().map(|o| o.spec["operationId"].as_str().unwrap_or_else(|| panic!("{}", o.label()))).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "duplicate operationIds in {ids:?}");
    for op in &ops {
        assert!(op.spec["summary"].as_str().is_some_and(|s| !s.is_empty()), "{} has no summary", op.label());
        assert!(op.spec["tags"].as_array().is_some_and(|t| !t.is_empty()), "{} has no tag", op.label());
        for p in op.spec["parameters"].as_array().into_iter().flatten() {
            assert!(p["description"].as_str().is_some_and(|d| !d.is_empty()), "{}: {p}", op.label());
        }
    }
}

#[test]
fn openapi_errors_refer_to_error_body_and_security_is_declared() {
    let doc = document();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["bearer"]["bearerFormat"], "JWT");
    assert_eq!(
        schemes["token_query"],
        json!({ "type": "apiKey", "in": "query", "name": "token",
        "description": schemes["token_query"]["description"] })
    );
    let public: BTreeSet<String> = operations(&doc).into_iter().filter(Op::public).map(|o| o.label()).collect();
    let expected: BTreeSet<String> = ["POST /api/v1/auth/login", "GET /health", "GET /ready", "GET /openapi.json"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(public, expected);
    for op in operations(&doc) {
        let security = op.spec["security"].as_array().unwrap_or_else(|| panic!("{} declares no security", op.label()));
        if !op.public() {
            assert!(security.iter().any(|r| r.get("bearer").is_some()), "{}: {security:?}", op.label());
            assert!(op.statuses().contains(&401), "{} has no 401", op.label());
        }
        for (status, response) in op.spec["responses"].as_object().expect("responses") {
            if status.parse::<u16>().expect("a status") >= 400 {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{} {status}",
                    op.label()
                );
                assert!(response["description"].as_str().is_some_and(|d| d.contains('`')), "{} {status}", op.label());
            }
        }
        if op.method == "get" && op.path.starts_with("/api/v1/") && op.path != "/api/v1/ws/alerts" {
            assert!(op.statuses().contains(&304), "{} has no 304", op.label());
            assert!(op.parameters("header").contains("If-None-Match"), "{}", op.label());
        }
    }
    let ws = operations(&doc).into_iter().find(|o| o.path == "/api/v1/ws/alerts").expect("the WebSocket");
    assert_eq!(ws.spec["security"], json!([{ "bearer": [] }, { "token_query": [] }]));
    assert!(ws.statuses().contains(&101));
    for csv in ["/api/v1/aggregates", "/api/v1/trends", "/api/v1/anomalies"] {
        let content = &doc["paths"][csv]["get"]["responses"]["200"]["content"];
        assert!(content.get("application/json").is_some() && content.get("text/csv").is_some(), "{csv}");
    }
    let export = &doc["paths"]["/api/v1/dashboard/export"]["post"]["responses"]["200"]["content"];
    assert!(export.get("application/pdf").is_some() && export.get("text/csv").is_some());
    assert!(doc["components"]["schemas"]["StreamMessage"].is_object(), "the WebSocket's messages are described");
    // The operator requests an outbox may repeat take an idempotency key.
    for op in operations(&doc) {
        let keyed = ["acknowledge_alarm", "acknowledge_alarms", "shelve_alarm"]
            .contains(&op.spec["operationId"].as_str().unwrap_or(""));
        assert_eq!(op.parameters("header").contains("Idempotency-Key"), keyed, "{}", op.label());
    }
}

#[test]
fn openapi_carries_the_error_code_table_from_the_one_list_of_codes() {
    let doc = document();
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let unique: BTreeSet<&str> = codes.iter().copied().collect();
    assert_eq!(unique.len(), codes.len());
    let body = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(body["properties"]["code"]["enum"], json!(codes));
    assert_eq!(body["required"], json!(["code", "message"]));
    let info = doc["info"]["description"].as_str().expect("info.description");
    let readme = include_str!("../../README.md");
    for code in ErrorCode::ALL {
        let row = format!("| {} | `{}` |", code.status().as_u16(), code.as_str());
        assert!(info.contains(&row), "info.description lacks {row}");
        assert!(body["description"].as_str().is_some_and(|d| d.contains(&row)), "ErrorBody lacks {row}");
        assert!(readme.contains(&format!("`{}`", code.as_str())), "README.md's error table lacks {code}");
    }
}

#[test]
fn openapi_stream_message_schema_matches_the_websocket_messages() {
    use flowline_shared::dto::events::{EventBody, EventKind, StreamMessage};
    let doc = document();
    let check = SchemaCheck::new(&doc);
    let at = Utc::now();
    let data = json!({ "alert": { "id": uuid::Uuid::new_v4(), "priority": "critical" } });
    let messages = [
        StreamMessage::Snapshot { seq: 12, at, resumed_from: Some(9), replaying: 3, resync: false },
        StreamMessage::Heartbeat { seq: 12, at },
        StreamMessage::event(
            EventKind::AlertCreated,
            EventBody { seq: 13, at, data: data.as_object().expect("an object").clone() },
        ),
    ];
    for message in messages {
        let wire = serde_json::to_value(&message).expect("a message serialises");
        check.assert_valid("#/components/schemas/StreamMessage", &wire, "a stream message");
    }
    assert!(!check.validator("#/components/schemas/StreamMessage").is_valid(&json!({ "type": "alert_deleted" })));
}

#[test]
fn openapi_route_table_registers_every_route_through_the_document() {
    // `routes!` registers a handler's `#[utoipa::path]` with the router and the document at once; a plain
    // `.route(…)` (or a service or a merged plain router) would be served but not documented.
    let code: String = include_str!("../src/http/mod.rs")
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(code.contains(".routes(routes!("), "the route table is where the test looks for it");
    let code = code.replace("OpenApiRouter::new()", "");
    for forbidden in [".route(", ".route_service(", ".nest_service(", ".merge(", "Router::new()"] {
        assert!(!code.contains(forbidden), "http/mod.rs uses {forbidden}: register routes with `routes!`");
    }
}

/// A request to an operation: path parameters replaced, optionally a token and extra query.
async fn call(app: &TestApp, op: &Op, path_value: &str, token: Option<&str>, query: &str) -> reqwest::Response {
    let mut path = op.path.clone();
    for name in op.parameters("path") {
        path = path.replace(&format!("{{{name}}}"), path_value);
    }
    let url = if query.is_empty() { app.url(&path) } else { app.url(&format!("{path}?{query}")) };
    let method = Method::from_bytes(op.method.to_uppercase().as_bytes()).expect("a method");
    let mut request = app.http.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if op.spec.get("requestBody").is_some() {
        request = request.header("content-type", "application/json").body("{}");
    }
    request.send().await.expect("the server answers")
}

/// Status and body (JSON or `Value::Null`).
async fn answer(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let json = res.headers().get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let body = if json { res.json().await.unwrap_or(Value::Null) } else { Value::Null };
    (status, body)
}

fn assert_documented(op: &Op, status: StatusCode, body: &Value, check: &SchemaCheck, what: &str) {
    assert!(
        op.statuses().contains(&status.as_u16()),
        "{}: {what} gave {status}, which the document does not list: {body}",
        op.label()
    );
    if status.as_u16() >= 400 && status != StatusCode::METHOD_NOT_ALLOWED {
        check.assert_valid("#/components/schemas/ErrorBody", body, &format!("{} {what}", op.label()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_every_documented_operation_is_routed_secured_and_answers_as_documented() {
    let app = spawn_app().await;
    let admin = app.token(&app.alpha, "admin").await;
    let doc = document();
    let check = SchemaCheck::new(&doc);
    let ops = operations(&doc);
    assert!(ops.len() >= 40, "only {} operations", ops.len());
    let unknown_id = uuid::Uuid::new_v4().to_string();

    // The probe can tell: an undocumented path is the fallback's 404.
    let res = app.http.get(app.url("/api/v1/no-such-thing")).bearer_auth(&admin).send().await.unwrap();
    let (status, body) = answer(res).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::NOT_FOUND, Some("no such endpoint")));

    for op in &ops {
        // Routed: neither the fallback nor a method the route does not have.
        let (status, body) = answer(call(&app, op, &unknown_id, Some(&admin), "").await).await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{} is not routed for its method", op.label());
        assert_ne!(body["message"], "no such endpoint", "{} is not routed", op.label());
        assert_documented(op, status, &body, &check, "a call with an admin token and `{}`");

        // Secured as documented.
        let (status, body) = answer(call(&app, op, &unknown_id, None, "").await).await;
        if op.public() {
            assert_ne!(status, StatusCode::UNAUTHORIZED, "{} is documented public: {body}", op.label());
        } else {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{} is documented as needing a token: {body}", op.label());
            assert_eq!(body["code"], "unauthorized");
        }
        assert_documented(op, status, &body, &check, "a call without a token");

        // The documented query parameters are those the handler accepts (handlers list them when rejecting an
        // unknown one; handlers without query parameters ignore it).
        let (status, body) = answer(call(&app, op, &unknown_id, Some(&admin), "zz_probe=1").await).await;
        assert_documented(op, status, &body, &check, "a call with an unknown query parameter");
        let accepted: Option<BTreeSet<String>> = body["message"]
            .as_str()
            .and_then(|m| m.split_once("unknown parameter; expected one of "))
            .map(|(_, list)| list.split(", ").map(str::to_owned).collect());
        let mut documented = op.query_parameters();
        if op.spec["security"].as_array().into_iter().flatten().any(|r| r.get("token_query").is_some()) {
            documented.insert("token".to_owned());
        }
        match accepted {
            Some(accepted) => assert_eq!(documented, accepted, "{}: query parameters", op.label()),
            None => assert!(documented.is_empty(), "{} documents {documented:?} but ignores unknown ones", op.label()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_json_is_served_publicly_with_an_etag() {
    let app = spawn_app().await;
    let res = app.http.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json");
    let tag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(res.headers()["cache-control"], "no-cache");
    let served: Value = res.json().await.unwrap();
    assert_eq!(served, document(), "the served document is the one the code builds");
    let again = app.http.get(app.url("/openapi.json")).header("if-none-match", &tag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), tag);
    assert!(again.bytes().await.unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------------------------
// Real answers against their schemas

const TZ: chrono_tz::Tz = chrono_tz::America::Chicago;

fn today() -> NaiveDate {
    Utc::now().with_timezone(&TZ).date_naive()
}

/// Noon (local) `days` days ago.
fn noon(days: i64) -> String {
    let day = today() - Duration::days(days);
    TZ.from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap()).unwrap().with_timezone(&Utc).to_rfc3339()
}

struct Client<'a> {
    app: &'a TestApp,
    doc: &'a Value,
    check: &'a SchemaCheck,
    ops: Vec<Op>,
    token: String,
}

impl Client<'_> {
    fn op(&self, method: &str, path: &str) -> &Op {
        self.ops
            .iter()
            .find(|o| o.method == method && o.path == path)
            .unwrap_or_else(|| panic!("{method} {path} is not documented"))
    }

    /// Sends `body` (checked against the documented request schema first) and checks the answer against the
    /// documented schema of its status.
    async fn send(&self, method: &str, template: &str, concrete: &str, body: Option<Value>) -> (StatusCode, Value) {
        let op = self.op(method, template);
        let mut request = self
            .app
            .http
            .request(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), self.app.url(concrete))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            assert!(op.has_json_body(), "{} takes no JSON body", op.label());
            self.check.assert_valid(&op.request_schema_pointer(), &body, &format!("the request to {}", op.label()));
            request = request.json(&body);
        }
        let (status, value) = answer(request.send().await.unwrap()).await;
        assert_documented(op, status, &value, self.check, concrete);
        if let Some(pointer) = op.response_schema_pointer(status.as_u16())
            && status.is_success()
        {
            self.check.assert_valid(&pointer, &value, &format!("{status} of {concrete}"));
        }
        (status, value)
    }

    async fn ok(&self, method: &str, template: &str, concrete: &str, body: Option<Value>) -> Value {
        let (status, value) = self.send(method, template, concrete, body).await;
        assert!(status.is_success(), "{method} {concrete}: {status} {value}");
        value
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_schemas_match_the_real_answers_of_a_seeded_tenant() {
    let app = spawn_app().await;
    let doc = document();
    let check = SchemaCheck::new(&doc);
    let login = json!({ "tenant": app.alpha, "username": "admin", "password": common::PASSWORD });
    let mut c = Client { app: &app, doc: &doc, check: &check, ops: operations(&doc), token: String::new() };
    let signed_in = c.ok("post", "/api/v1/auth/login", "/api/v1/auth/login", Some(login)).await;
    c.token = signed_in["token"].as_str().unwrap().to_owned();

    let well = |name: &str, extra: Value| {
        let mut body = json!({ "name": name, "type": "oil", "lease": "North", "field": "Permian" });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let a = c
        .ok(
            "post",
            "/api/v1/wells",
            "/api/v1/wells",
            Some(well(
                "Alpha 1",
                json!({ "api_number": "42-317-12345", "latitude": 31.9, "longitude": -102.1,
                        "first_production_date": "2020-03-01", "county": "Martin", "state": "TX" }),
            )),
        )
        .await;
    let b = c
        .ok(
            "post",
            "/api/v1/wells",
            "/api/v1/wells",
            Some(well("Bravo 2", json!({ "latitude": 32.0, "longitude": -102.0 }))),
        )
        .await;
    // The checker is not blind: a well is not an error, and a well without its name is not a well.
    let created = c.op("post", "/api/v1/wells").response_schema_pointer(201).expect("a JSON answer");
    assert!(!check.validator("#/components/schemas/ErrorBody").is_valid(&a));
    let mut nameless = a.clone();
    nameless.as_object_mut().unwrap().remove("name");
    assert!(!check.validator(&created).is_valid(&nameless));
    let (a, b) = (a["id"].as_str().unwrap().to_owned(), b["id"].as_str().unwrap().to_owned());
    c.ok("patch", "/api/v1/wells/{id}", &format!("/api/v1/wells/{a}"), Some(json!({ "county": "Midland" }))).await;

    // 60 days of readings for both wells, the last of Bravo's at zero: a well-down alarm.
    let mut entries = Vec::new();
    for day in (0..60).rev() {
        for (well, oil) in [(&a, 100.0 + (day % 7) as f64), (&b, 80.0 - (day % 5) as f64)] {
            let down = well == &b && day == 0;
            entries.push(json!({
                "id": uuid::Uuid::new_v4(), "well_id": well, "recorded_at": noon(day),
                "oil_bbl": if down { 0.0 } else { oil }, "gas_mcf": if down { 0.0 } else { oil * 2.0 },
                "water_bbl": 20.0, "hours_on": if down { 0.0 } else { 24.0 },
                "tubing_psig": 250.0, "casing_psig": 400.0, "choke_64ths": 32.0,
                "downtime_reason": if down { json!("mechanical") } else { Value::Null }, "source": "scada"
            }));
        }
    }
    c.ok("post", "/api/v1/field-entries", "/api/v1/field-entries", Some(json!({ "entries": entries }))).await;
    let tenant = app.storage.tenant_by_id(app.tenant_id(&app.alpha).await).await.unwrap().unwrap();
    app.state.aggregation.backfill(&tenant, None, None, &|_| {}).await.unwrap();
    let wells: Vec<flowline_shared::WellId> =
        [&a, &b].iter().map(|w| flowline_shared::WellId(w.parse().unwrap())).collect();
    app.state.analytics.recompute(&tenant, &wells, &|_| {}).await.unwrap();

    let item = c
        .ok(
            "post",
            "/api/v1/maintenance",
            "/api/v1/maintenance",
            Some(json!({ "well_id": a, "kind": "pump_change", "title": "Replace the pump",
                         "due_on": today() + Duration::days(3) })),
        )
        .await;
    let item = item["id"].as_str().unwrap().to_owned();
    c.ok(
        "patch",
        "/api/v1/maintenance/{id}",
        &format!("/api/v1/maintenance/{item}"),
        Some(json!({ "notes": "bring a spare" })),
    )
    .await;
    c.ok(
        "put",
        "/api/v1/prices",
        "/api/v1/prices",
        Some(json!({ "points": [ { "commodity": "wti", "day": today(), "price": 71.5 } ],
                     "heat_content_mmbtu_per_mcf": 1.04 })),
    )
    .await;
    let rules = c.ok("get", "/api/v1/alarm-rules", "/api/v1/alarm-rules", None).await;
    c.ok("put", "/api/v1/alarm-rules", "/api/v1/alarm-rules", Some(rules)).await;

    let alarms = c.ok("get", "/api/v1/alarms", "/api/v1/alarms", None).await;
    let alarm = alarms["items"][0]["id"].as_str().expect("Bravo's well-down alarm").to_owned();
    c.ok(
        "post",
        "/api/v1/alarms/{id}/acknowledge",
        &format!("/api/v1/alarms/{alarm}/acknowledge"),
        Some(json!({ "comment": "crew sent" })),
    )
    .await;
    let until = (Utc::now() + Duration::hours(2)).to_rfc3339();
    c.ok(
        "post",
        "/api/v1/alarms/{id}/shelve",
        &format!("/api/v1/alarms/{alarm}/shelve"),
        Some(json!({ "reason": "repair", "until": until })),
    )
    .await;
    c.ok("post", "/api/v1/alarms/{id}/unshelve", &format!("/api/v1/alarms/{alarm}/unshelve"), None).await;
    c.ok(
        "post",
        "/api/v1/alarms/acknowledge",
        "/api/v1/alarms/acknowledge",
        Some(json!({ "filter": { "priority": "critical" } })),
    )
    .await;
    c.ok(
        "put",
        "/api/v1/wells/{id}/alarms-out-of-service",
        &format!("/api/v1/wells/{a}/alarms-out-of-service"),
        Some(json!({ "reason": "workover" })),
    )
    .await;
    c.ok("post", "/api/v1/admin/backfill", "/api/v1/admin/backfill", Some(json!({}))).await;

    // Every documented GET with the seeded ids and its required parameters.
    let month_ago = today() - Duration::days(30);
    let required: BTreeMap<&str, String> = [
        ("well_id", a.clone()),
        ("period", "daily".to_owned()),
        ("from", month_ago.to_string()),
        ("to", today().to_string()),
        ("commodity", "wti".to_owned()),
    ]
    .into_iter()
    .collect();
    let gets: Vec<(String, String)> = c
        .ops
        .iter()
        .filter(|o| o.method == "get" && o.path != "/api/v1/ws/alerts" && o.path != "/openapi.json")
        .map(|o| {
            let id = match o.path.as_str() {
                p if p.starts_with("/api/v1/maintenance/") => &item,
                p if p.starts_with("/api/v1/alarms/") => &alarm,
                _ => &a,
            };
            let path = o.path.replace("{id}", id).replace("{well_id}", id);
            let query: Vec<String> = o
                .required_query_parameters()
                .iter()
                .map(|name| format!("{name}={}", required.get(name.as_str()).unwrap_or_else(|| panic!("{name}?"))))
                .collect();
            let concrete = if query.is_empty() { path } else { format!("{path}?{}", query.join("&")) };
            (o.path.clone(), concrete)
        })
        .collect();
    for (template, concrete) in &gets {
        c.ok("get", template, concrete, None).await;
    }
    // Non-default forecasts (computed on request) and the CSV alternatives.
    for query in ["days=14&level=90", "model=arps"] {
        let answer =
            c.ok("get", "/api/v1/wells/{id}/forecast", &format!("/api/v1/wells/{a}/forecast?{query}"), None).await;
        assert_eq!(answer["available"], true, "{query}: {answer}");
    }
    for (path, query) in [
        ("/api/v1/aggregates", format!("well_id={a}&period=weekly&from={month_ago}&to={}&format=csv", today())),
        ("/api/v1/trends", "format=csv".to_owned()),
        ("/api/v1/anomalies", "format=csv".to_owned()),
    ] {
        let res = app.http.get(app.url(&format!("{path}?{query}"))).bearer_auth(&c.token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"), "{path}");
    }
    for (format, mime) in [("pdf", "application/pdf"), ("csv", "text/csv")] {
        let res = app
            .http
            .post(app.url("/api/v1/dashboard/export"))
            .bearer_auth(&c.token)
            .json(&json!({ "format": format, "filters": { "status": "active" } }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with(mime));
        let documented = &c.doc["paths"]["/api/v1/dashboard/export"]["post"]["responses"]["200"]["content"];
        assert!(documented.get(mime).is_some(), "{mime}");
    }
    let trends = c.ok("get", "/api/v1/trends", "/api/v1/trends", None).await;
    assert_eq!(trends["total"], 2, "the analytics pass stored trends: {trends}");
    c.send(
        "delete",
        "/api/v1/wells/{id}/alarms-out-of-service",
        &format!("/api/v1/wells/{a}/alarms-out-of-service"),
        None,
    )
    .await;
    c.send("delete", "/api/v1/maintenance/{id}", &format!("/api/v1/maintenance/{item}"), None).await;
}
