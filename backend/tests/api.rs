//! The HTTP API end to end on a real server and a real SQLite file: authentication, tenancy, wells, ingest and
//! every documented bad-input case (each must answer with the documented 4xx and leave the database unchanged).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::expect_error;

use common::{TestApp, spawn_app};
use flowline_backend::ports::{PageRequest, WellFilter};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

async fn create_well(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.http.post(app.url("/api/v1/wells")).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn a_well(app: &TestApp, token: &str, api: &str) -> String {
    let res = create_well(app, token, json!({ "name": format!("Well {api}"), "type": "oil", "api_number": api, "latitude": 31.9, "longitude": -102.1 })).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

fn entry(well: &str) -> Value {
    json!({
        "id": Uuid::now_v7(), "well_id": well, "recorded_at": "2024-06-01T12:00:00Z",
        "oil_bbl": 120.5, "gas_mcf": 300.0, "water_bbl": 40.0, "tubing_psig": 350.0, "hours_on": 24
    })
}

async fn post_entries(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.http.post(app.url("/api/v1/field-entries")).bearer_auth(token).json(body).send().await.unwrap()
}

async fn entry_count(app: &TestApp, tenant: &str) -> u64 {
    app.storage.count_entries(app.tenant_id(tenant).await).await.unwrap()
}

async fn well_count(app: &TestApp, tenant: &str) -> u64 {
    let t = app.tenant_id(tenant).await;
    app.storage.list_wells(t, &WellFilter::default(), PageRequest { limit: 1, offset: 0 }).await.unwrap().1
}

#[tokio::test]
async fn health_and_ready() {
    let app = spawn_app().await;
    let health: Value = app.http.get(app.url("/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let ready: Value = app.http.get(app.url("/ready")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["database"], "sqlite");
}

#[tokio::test]
async fn login_issues_a_token_and_rejects_bad_credentials_alike() {
    let app = spawn_app().await;
    let res = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "tenant": "alpha", "username": "ops", "password": common::PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["role"], "operator");
    assert!(body["expires_at"].as_str().is_some());
    for (tenant, user, pass) in
        [("alpha", "ops", "wrong-password"), ("alpha", "ghost", common::PASSWORD), ("nope", "ops", common::PASSWORD)]
    {
        let res = app
            .http
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "tenant": tenant, "username": user, "password": pass }))
            .send()
            .await
            .unwrap();
        expect_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
}

#[tokio::test]
async fn wells_create_get_update_list() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    let id = a_well(&app, &token, "42-317-12345").await;
    let well: Value = app
        .http
        .get(app.url(&format!("/api/v1/wells/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(well["api_number"], "42-317-12345-00-00");
    assert_eq!(well["status"], "active");
    let res = app
        .http
        .patch(app.url(&format!("/api/v1/wells/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "status": "shut_in", "lease": "University 7" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "shut_in");
    a_well(&app, &token, "42-317-12346").await;
    let list: Value = app
        .http
        .get(app.url("/api/v1/wells?status=shut_in&limit=10"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["lease"], "University 7");
    let list: Value =
        app.http.get(app.url("/api/v1/wells?q=12346")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["total"], 1);
    // Another tenant sees none of it.
    let beta = app.token("beta", "ops").await;
    let res = app.http.get(app.url(&format!("/api/v1/wells/{id}"))).bearer_auth(&beta).send().await.unwrap();
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let list: Value =
        app.http.get(app.url("/api/v1/wells")).bearer_auth(&beta).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn ingest_is_idempotent_and_entries_are_listed() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    let well = a_well(&app, &token, "42-317-00001").await;
    let batch = json!({ "entries": [entry(&well), entry(&well)] });
    let res: Value = post_entries(&app, &token, &batch).await.json().await.unwrap();
    assert_eq!(res, json!({ "accepted": 2, "duplicates": 0 }));
    let res: Value = post_entries(&app, &token, &batch).await.json().await.unwrap();
    assert_eq!(res, json!({ "accepted": 0, "duplicates": 2 }), "a retried request is harmless");
    let page: Value = app
        .http
        .get(app.url(&format!(
            "/api/v1/wells/{well}/field-entries?from=2024-06-01T00:00:00Z&to=2024-06-02T00:00:00Z&limit=10"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"][0]["oil_bbl"], 120.5);
}

#[tokio::test]
async fn bad_json_bodies_are_rejected_and_nothing_is_stored() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    let well = a_well(&app, &token, "42-317-00002").await;
    let send_raw = |body: &'static str| {
        app.http
            .post(app.url("/api/v1/field-entries"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    expect_error(send_raw("{\"entries\": [").await.unwrap(), StatusCode::BAD_REQUEST, "invalid_json").await;

    let mut unknown = entry(&well);
    unknown["pressure"] = json!(12);
    let body = expect_error(
        post_entries(&app, &token, &json!({ "entries": [unknown] })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;
    assert!(body["message"].as_str().unwrap().contains("pressure"), "{body}");

    let mut wrong_type = entry(&well);
    wrong_type["oil_bbl"] = json!("lots");
    let body = expect_error(
        post_entries(&app, &token, &json!({ "entries": [entry(&well), wrong_type] })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;
    assert_eq!(body["details"]["path"], "entries[1].oil_bbl");
    assert_eq!(entry_count(&app, "alpha").await, 0);
}

#[tokio::test]
async fn invalid_rows_reject_the_whole_batch_with_every_reason() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    let well = a_well(&app, &token, "42-317-00003").await;
    let beta = app.token("beta", "ops").await;
    let beta_well = a_well(&app, &beta, "42-317-00003").await;

    let mut negative = entry(&well);
    negative["water_bbl"] = json!(-457.84);
    let mut correction = entry(&well);
    correction["water_bbl"] = json!(-457.84);
    correction["is_correction"] = json!(true);
    let mut long_day = entry(&well);
    long_day["hours_on"] = json!(25.5);
    let dup = entry(&well);
    let foreign = entry(&beta_well);
    let batch = json!({ "entries": [entry(&well), negative, correction, long_day, dup.clone(), dup, foreign] });
    let body =
        expect_error(post_entries(&app, &token, &batch).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
            .await;
    let rows = body["details"]["rows"].as_array().unwrap();
    let summary: Vec<(u64, String)> = rows
        .iter()
        .flat_map(|r| {
            r["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |e| (r["row"].as_u64().unwrap(), e["field"].as_str().unwrap().to_owned()))
        })
        .collect();
    assert_eq!(
        summary,
        [(1, "water_bbl".to_owned()), (3, "hours_on".to_owned()), (5, "id".to_owned()), (6, "well_id".to_owned())],
        "{body}"
    );
    assert_eq!(entry_count(&app, "alpha").await, 0, "nothing of a rejected batch is stored");
    assert_eq!(entry_count(&app, "beta").await, 0);
}

#[tokio::test]
async fn oversized_batches_get_413() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    let well = a_well(&app, &token, "42-317-00004").await;
    let entries: Vec<Value> = (0..10_001).map(|_| entry(&well)).collect();
    let res = post_entries(&app, &token, &json!({ "entries": entries })).await;
    expect_error(res, StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large").await;
    // A body over the byte limit is refused before it is parsed.
    let huge = format!("{{\"entries\": [{}]}}", "1,".repeat(5_000_000));
    let res = app
        .http
        .post(app.url("/api/v1/field-entries"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_eq!(entry_count(&app, "alpha").await, 0);
}

#[tokio::test]
async fn bad_wells_are_rejected() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    let res =
        create_well(&app, &token, json!({ "name": "X", "type": "oil", "latitude": 95.0, "longitude": -200.0 })).await;
    let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: Vec<&str> =
        body["details"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["latitude", "longitude"]);
    for api in ["42-317", "99-317-12345", "42-317-1234X"] {
        let res = create_well(&app, &token, json!({ "name": "X", "type": "oil", "api_number": api })).await;
        let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["details"]["fields"][0]["field"], "api_number");
    }
    let res = create_well(&app, &token, json!({ "name": "X", "type": "steam" })).await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    a_well(&app, &token, "42-317-00005").await;
    let res = create_well(&app, &token, json!({ "name": "Again", "type": "oil", "api_number": "4231700005" })).await;
    expect_error(res, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(well_count(&app, "alpha").await, 1);
}

#[tokio::test]
async fn tokens_missing_expired_forged_or_unsigned_get_401() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    let wells = || app.http.get(app.url("/api/v1/wells"));
    expect_error(wells().send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
    expect_error(
        wells().header("authorization", "Basic abc").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;

    // Forged: same claims, signed with another key.
    let claims: Value = {
        use base64_like::decode_segment;
        serde_json::from_slice(&decode_segment(token.split('.').nth(1).unwrap())).unwrap()
    };
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"another-key-of-sufficient-length!!"),
    )
    .unwrap();
    expect_error(wells().bearer_auth(&forged).send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;

    // alg: none, no signature.
    let header = base64_like::encode_segment(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = base64_like::encode_segment(serde_json::to_vec(&claims).unwrap().as_slice());
    let unsigned = format!("{header}.{payload}.");
    expect_error(wells().bearer_auth(&unsigned).send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;

    // Still valid now; expired after the TTL.
    assert_eq!(wells().bearer_auth(&token).send().await.unwrap().status(), 200);
    app.clock.advance(chrono::Duration::hours(13));
    let body =
        expect_error(wells().bearer_auth(&token).send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert!(body["message"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn viewers_cannot_write() {
    let app = spawn_app().await;
    let ops = app.token("alpha", "ops").await;
    let viewer = app.token("alpha", "viewer").await;
    let well = a_well(&app, &ops, "42-317-00006").await;
    expect_error(
        post_entries(&app, &viewer, &json!({ "entries": [entry(&well)] })).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        create_well(&app, &viewer, json!({ "name": "V", "type": "gas" })).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let res = app
        .http
        .patch(app.url(&format!("/api/v1/wells/{well}")))
        .bearer_auth(&viewer)
        .json(&json!({ "name": "Renamed" }))
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .http
        .post(app.url("/api/v1/field-entries/import"))
        .bearer_auth(&viewer)
        .body("well,recorded_at\n")
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(entry_count(&app, "alpha").await, 0);
    assert_eq!(well_count(&app, "alpha").await, 1);
    // Reading is fine.
    assert_eq!(app.http.get(app.url("/api/v1/wells")).bearer_auth(&viewer).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn sql_metacharacters_in_filters_are_plain_data() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    a_well(&app, &token, "42-317-00007").await;
    for hostile in ["'; DROP TABLE wells; --", "x' OR '1'='1", "%", "_"] {
        let res = app
            .http
            .get(app.url("/api/v1/wells"))
            .query(&[("q", hostile), ("lease", hostile)])
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Value>().await.unwrap()["total"], 0, "{hostile}");
    }
    assert_eq!(well_count(&app, "alpha").await, 1);
}

#[tokio::test]
async fn bad_query_parameters_name_the_parameter() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    for (query, param) in [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("limit=5000", "limit"),
        ("status=flowing", "status"),
        ("sort=name", "sort"),
    ] {
        let res = app.http.get(app.url(&format!("/api/v1/wells?{query}"))).bearer_auth(&token).send().await.unwrap();
        let body = expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(body["details"]["parameter"], param, "{query}");
    }
    let well = a_well(&app, &token, "42-317-00008").await;
    let res = app
        .http
        .get(app.url(&format!("/api/v1/wells/{well}/field-entries?from=yesterday")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    let res = app.http.get(app.url("/api/v1/wells/not-a-uuid")).bearer_auth(&token).send().await.unwrap();
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
}

#[tokio::test]
async fn csv_with_a_bad_row_imports_nothing_and_says_which_row() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    a_well(&app, &token, "42-317-00009").await;
    let csv = "well,recorded_at,oil_bbl,gas_mcf,water_bbl,hours_on\n\
               42-317-00009,2024-06-01T12:00:00Z,100,200,10,24\n\
               42-317-00009,2024-06-02T12:00:00Z,-5,200,10,24\n";
    let res = app
        .http
        .post(app.url("/api/v1/field-entries/import?format=flowline"))
        .bearer_auth(&token)
        .body(csv)
        .send()
        .await
        .unwrap();
    let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["details"]["rows"][0]["row"], 3, "line 3 of the file (the header is line 1)");
    assert_eq!(body["details"]["rows"][0]["errors"][0]["field"], "oil_bbl");
    assert_eq!(entry_count(&app, "alpha").await, 0);

    let good = csv.lines().take(2).collect::<Vec<_>>().join("\n");
    let res = app
        .http
        .post(app.url("/api/v1/field-entries/import?format=flowline"))
        .bearer_auth(&token)
        .body(good.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["accepted"], 1);
    let again: Value = app
        .http
        .post(app.url("/api/v1/field-entries/import?format=flowline"))
        .bearer_auth(&token)
        .body(good)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["duplicates"], 1, "re-importing the same file is harmless");
}

/// Base64url without padding, as JWT segments use it (kept here to avoid a dependency for two test helpers).
mod base64_like {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn encode_segment(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    pub fn decode_segment(s: &str) -> Vec<u8> {
        let vals: Vec<u32> = s.bytes().map(|c| ALPHABET.iter().position(|a| *a == c).unwrap() as u32).collect();
        let mut out = Vec::new();
        for chunk in vals.chunks(4) {
            let n = chunk.iter().enumerate().fold(0u32, |acc, (i, v)| acc | (v << (18 - 6 * i)));
            for i in 0..chunk.len() - 1 {
                out.push((n >> (16 - 8 * i)) as u8);
            }
        }
        out
    }
}

#[tokio::test]
async fn reads_carry_an_etag_and_an_unchanged_read_is_a_bodiless_304() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    a_well(&app, &token, "42-317-00001").await;
    let get = |tag: Option<String>| {
        let mut request = app.http.get(app.url("/api/v1/wells")).bearer_auth(&token);
        if let Some(tag) = tag {
            request = request.header("if-none-match", tag);
        }
        request.send()
    };
    let first = get(None).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(first.headers()["cache-control"], "private, no-cache");
    let listed: Value = first.json().await.unwrap();
    assert_eq!(listed["total"], 1);

    let unchanged = get(Some(tag.clone())).await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.headers()["etag"].to_str().unwrap(), tag);
    assert!(unchanged.bytes().await.unwrap().is_empty());

    // A change gives another tag and the full answer.
    a_well(&app, &token, "42-317-00002").await;
    let changed = get(Some(tag.clone())).await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), tag);
    assert_eq!(changed.json::<Value>().await.unwrap()["total"], 2);

    // Another tenant's list is another answer: its tag never matches ours.
    let other = app.token("beta", "ops").await;
    let theirs = app.http.get(app.url("/api/v1/wells")).bearer_auth(&other).header("if-none-match", &tag);
    let theirs = theirs.send().await.unwrap();
    assert_eq!(theirs.status(), StatusCode::OK);
    assert_eq!(theirs.json::<Value>().await.unwrap()["total"], 0);
    // Errors and writes are never tagged.
    let unauthorised = app.http.get(app.url("/api/v1/wells")).send().await.unwrap();
    assert_eq!(unauthorised.status(), StatusCode::UNAUTHORIZED);
    assert!(unauthorised.headers().get("etag").is_none());
}
