//! The maintenance API end to end on a real server and a real SQLite file: CRUD, every bad input (a documented 4xx
//! naming the parameter or field, nothing written), roles, tenancy; and the simulator's idempotent seed. Test names
//! contain "maintenance" so that `cargo test --test api_maintenance maintenance` runs them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::expect_error;

use common::{TestApp, spawn_app};
use flowline_backend::ports::{Clock, InsertOutcome, MaintenanceFilter, PageRequest};
use flowline_backend::services::Deps;
use flowline_backend::services::simulation;
use flowline_backend::simulator::{FleetSpec, SimulatedFleet};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

async fn a_well(app: &TestApp, token: &str, name: &str) -> String {
    let res = app
        .http
        .post(app.url("/api/v1/wells"))
        .bearer_auth(token)
        .json(&json!({ "name": name, "type": "oil" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn post(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.http.post(app.url("/api/v1/maintenance")).bearer_auth(token).json(body).send().await.unwrap()
}

async fn patch(app: &TestApp, token: &str, id: &str, body: &Value) -> reqwest::Response {
    app.http.patch(app.url(&format!("/api/v1/maintenance/{id}"))).bearer_auth(token).json(body).send().await.unwrap()
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap()
}

async fn delete(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    app.http.delete(app.url(&format!("/api/v1/maintenance/{id}"))).bearer_auth(token).send().await.unwrap()
}

fn fields(body: &Value) -> Vec<String> {
    body["details"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect()
}

/// Every item of the tenant, straight from storage.
async fn stored(app: &TestApp, tenant: &str) -> Vec<flowline_shared::dto::maintenance::MaintenanceItem> {
    let t = app.tenant_id(tenant).await;
    app.storage
        .list_maintenance(t, &MaintenanceFilter::default(), PageRequest { limit: 1_000, offset: 0 })
        .await
        .unwrap()
        .0
}

fn body(well: &str) -> Value {
    json!({ "well_id": well, "kind": "pump_change", "title": "  Replace rod pump ", "due_on": "2025-07-01" })
}

#[tokio::test]
async fn maintenance_crud_happy_path() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    let well = a_well(&app, &token, "Maint 1H").await;
    let other_well = a_well(&app, &token, "Maint 2H").await;

    let res = post(&app, &token, &body(&well)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(Uuid::parse_str(&id).unwrap().get_version_num(), 7);
    assert_eq!(created["title"], "Replace rod pump");
    assert_eq!(created["kind"], "pump_change");
    assert_eq!(created["status"], "scheduled");
    assert_eq!(created["due_on"], "2025-07-01");
    assert_eq!(created["created_by"], "ops");
    assert_eq!(created["well_id"], well.as_str());
    assert!(created["notes"].is_null() && created["completed_at"].is_null());

    let fetched: Value = get(&app, &token, &format!("/api/v1/maintenance/{id}")).await.json().await.unwrap();
    assert_eq!(fetched, created);

    // A second, earlier item on another well, created as already done.
    let res = post(
        &app,
        &token,
        &json!({ "well_id": other_well, "kind": "inspection", "title": "Wellhead inspection", "due_on": "2025-06-01",
                 "notes": "Found a weeping valve.\nReplaced the packing.", "status": "done" }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let done: Value = res.json().await.unwrap();
    assert!(done["completed_at"].is_string());

    let list: Value = get(&app, &token, "/api/v1/maintenance").await.json().await.unwrap();
    assert_eq!((list["total"].as_u64(), list["limit"].as_u64(), list["offset"].as_u64()), (Some(2), Some(50), Some(0)));
    assert_eq!(list["items"][0]["id"], done["id"], "ordered by due date");
    let list: Value = get(
        &app,
        &token,
        &format!("/api/v1/maintenance?well_id={well}&status=scheduled&from=2025-07-01&to=2025-07-01&limit=1"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id.as_str());

    // Patch: the fields given change; done sets completed_at; back to scheduled clears it.
    let res =
        patch(&app, &token, &id, &json!({ "status": "done", "notes": "Pump swapped.", "due_on": "2025-07-03" })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let patched: Value = res.json().await.unwrap();
    assert_eq!((patched["status"].as_str(), patched["notes"].as_str()), (Some("done"), Some("Pump swapped.")));
    assert_eq!((patched["due_on"].as_str(), patched["title"].as_str()), (Some("2025-07-03"), Some("Replace rod pump")));
    assert!(patched["completed_at"].is_string());
    assert_eq!(patched["created_at"], created["created_at"]);
    let res = patch(&app, &token, &id, &json!({ "status": "scheduled", "notes": "" })).await;
    let reopened: Value = res.json().await.unwrap();
    assert!(reopened["completed_at"].is_null() && reopened["notes"].is_null());

    let res = delete(&app, &token, &id).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(res.bytes().await.unwrap().is_empty());
    expect_error(get(&app, &token, &format!("/api/v1/maintenance/{id}")).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    expect_error(delete(&app, &token, &id).await, StatusCode::NOT_FOUND, "not_found").await;
    let list: Value = get(&app, &token, "/api/v1/maintenance").await.json().await.unwrap();
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn maintenance_bad_bodies_name_the_field_and_write_nothing() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    let well = a_well(&app, &token, "Maint 1H").await;
    let beta = app.token("beta", "ops").await;
    let beta_well = a_well(&app, &beta, "Beta 1H").await;

    // Rule violations: 422 validation_failed with every offending field.
    let with = |key: &str, value: Value| {
        let mut b = body(&well);
        b[key] = value;
        b
    };
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({}), vec!["well_id", "kind", "title", "due_on"]),
        (with("title", json!("   ")), vec!["title"]),
        (with("title", json!("x".repeat(201))), vec!["title"]),
        (with("title", json!("two\nlines")), vec!["title"]),
        (with("notes", json!("n".repeat(2_001))), vec!["notes"]),
        (with("due_on", json!("2300-01-01")), vec!["due_on"]),
        (with("well_id", json!(Uuid::new_v4())), vec!["well_id"]),
        (with("well_id", json!(beta_well)), vec!["well_id"]),
    ];
    for (b, expected) in cases {
        let res = post(&app, &token, &b).await;
        let err = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(fields(&err), expected, "{b}");
    }
    // Wrong shapes: 422 invalid_body with the path of the bad value.
    let shape = |key: &str, value: Value| {
        let mut b = body(&well);
        b[key] = value;
        (b, key.to_owned())
    };
    let cases = vec![
        shape("kind", json!("pump change")),
        shape("status", json!("open")),
        shape("due_on", json!("2025-13-01")),
        shape("due_on", json!(20250701)),
        shape("well_id", json!("not-a-uuid")),
        shape("title", json!(42)),
        shape("priority", json!("high")),
    ];
    for (b, path) in cases {
        let err = expect_error(post(&app, &token, &b).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
        let message = err["message"].as_str().unwrap();
        assert!(message.contains(&path) || err["details"]["path"] == path.as_str(), "{path}: {err}");
    }
    let res = app
        .http
        .post(app.url("/api/v1/maintenance"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"well_id\": ")
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_json").await;
    assert!(stored(&app, "alpha").await.is_empty(), "nothing was written");

    // Patches: the same rules; the well cannot be changed; a bad id is a bad parameter.
    let item: Value = post(&app, &token, &body(&well)).await.json().await.unwrap();
    let id = item["id"].as_str().unwrap();
    let err = expect_error(
        patch(&app, &token, id, &json!({ "title": "", "notes": "n".repeat(2_001), "due_on": "1800-01-01" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&err), ["title", "notes", "due_on"]);
    for bad in [json!({ "well_id": well }), json!({ "status": "closed" }), json!({ "kind": null, "extra": 1 })] {
        expect_error(patch(&app, &token, id, &bad).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    }
    for path in ["/api/v1/maintenance/not-a-uuid", "/api/v1/maintenance/123"] {
        let err = expect_error(get(&app, &token, path).await, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(err["details"]["parameter"], "id");
    }
    let err =
        expect_error(patch(&app, &token, "nope", &json!({})).await, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(err["details"]["parameter"], "id");
    let err = expect_error(delete(&app, &token, "nope").await, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(err["details"]["parameter"], "id");
    let unknown = Uuid::now_v7();
    expect_error(
        patch(&app, &token, &unknown.to_string(), &json!({ "status": "done" })).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let after = stored(&app, "alpha").await;
    assert_eq!(after.len(), 1);
    assert_eq!(serde_json::to_value(&after[0]).unwrap(), item, "the failed patches changed nothing");
}

#[tokio::test]
async fn maintenance_bad_query_parameters_name_the_parameter() {
    let app = spawn_app().await;
    let token = app.token("alpha", "ops").await;
    for (query, param) in [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("status=open", "status"),
        ("well_id=well-7", "well_id"),
        ("from=2025-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2025-07-02&to=2025-07-01", "from"),
        ("kind=workover", "kind"),
        ("status=done&status=scheduled", "status"),
    ] {
        let res = get(&app, &token, &format!("/api/v1/maintenance?{query}")).await;
        let err = expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(err["details"]["parameter"], param, "{query}");
    }
    // A well filter naming no well of the tenant is simply empty.
    let list: Value =
        get(&app, &token, &format!("/api/v1/maintenance?well_id={}", Uuid::new_v4())).await.json().await.unwrap();
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn maintenance_viewers_read_but_cannot_write() {
    let app = spawn_app().await;
    let ops = app.token("alpha", "ops").await;
    let viewer = app.token("alpha", "viewer").await;
    let well = a_well(&app, &ops, "Maint 1H").await;
    let item: Value = post(&app, &ops, &body(&well)).await.json().await.unwrap();
    let id = item["id"].as_str().unwrap();

    expect_error(post(&app, &viewer, &body(&well)).await, StatusCode::FORBIDDEN, "forbidden").await;
    expect_error(patch(&app, &viewer, id, &json!({ "status": "done" })).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    expect_error(delete(&app, &viewer, id).await, StatusCode::FORBIDDEN, "forbidden").await;
    let fetched: Value = get(&app, &viewer, &format!("/api/v1/maintenance/{id}")).await.json().await.unwrap();
    assert_eq!(fetched, item);
    let list: Value = get(&app, &viewer, "/api/v1/maintenance").await.json().await.unwrap();
    assert_eq!(list["total"], 1);
    let after = stored(&app, "alpha").await;
    assert_eq!(serde_json::to_value(&after).unwrap(), json!([item]), "nothing changed");
    // Admins write too.
    let admin = app.token("alpha", "admin").await;
    assert_eq!(patch(&app, &admin, id, &json!({ "kind": "workover" })).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn maintenance_of_another_tenant_is_not_found_and_never_listed() {
    let app = spawn_app().await;
    let alpha = app.token("alpha", "ops").await;
    let beta = app.token("beta", "ops").await;
    let well = a_well(&app, &alpha, "Maint 1H").await;
    let item: Value = post(&app, &alpha, &body(&well)).await.json().await.unwrap();
    let id = item["id"].as_str().unwrap();

    expect_error(get(&app, &beta, &format!("/api/v1/maintenance/{id}")).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    expect_error(patch(&app, &beta, id, &json!({ "status": "cancelled" })).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    expect_error(delete(&app, &beta, id).await, StatusCode::NOT_FOUND, "not_found").await;
    for query in ["", "?status=scheduled", &format!("?well_id={well}")] {
        let list: Value = get(&app, &beta, &format!("/api/v1/maintenance{query}")).await.json().await.unwrap();
        assert_eq!((list["total"].as_u64(), list["items"].as_array().map(Vec::len)), (Some(0), Some(0)), "{query}");
    }
    let after = stored(&app, "alpha").await;
    assert_eq!(serde_json::to_value(&after).unwrap(), json!([item]), "alpha's item is untouched");
}

#[tokio::test]
async fn simulator_maintenance_seed_is_listed_and_a_rerun_creates_no_duplicates() {
    let app = spawn_app().await;
    let tenant = app.tenant_id("alpha").await;
    let deps = Deps { storage: app.storage.clone(), clock: app.clock.clone() };
    let fleet = SimulatedFleet::plan(&FleetSpec { wells: 6, months: 3, seed: 11 }, app.clock.now().date_naive());
    let (well_ids, _) = simulation::backfill(&deps, tenant, &fleet, &|_, _| {}).await.unwrap();
    let first = simulation::seed_maintenance(&deps, tenant, &fleet, &well_ids).await.unwrap();
    assert!(first.inserted >= 6 * 2 && first.duplicates == 0, "{first:?}");

    let token = app.token("alpha", "viewer").await;
    let list: Value = get(&app, &token, "/api/v1/maintenance?limit=1000").await.json().await.unwrap();
    assert_eq!(list["total"].as_u64(), Some(first.inserted));
    assert!(list["items"].as_array().unwrap().iter().all(|i| i["created_by"] == "simulator"));
    let next = app.state.maintenance.next_scheduled(tenant, &well_ids).await.unwrap();
    assert_eq!(next.len(), 6, "every simulated well has its next scheduled action");
    let last_day = fleet.history_end().pred_opt().unwrap();
    assert!(next.values().all(|i| (1..=60).contains(&(i.due_on - last_day).num_days())));

    // Re-running the simulator (history and seed) stores nothing new.
    let (again, _) = simulation::backfill(&deps, tenant, &fleet, &|_, _| {}).await.unwrap();
    assert_eq!(again, well_ids);
    let second = simulation::seed_maintenance(&deps, tenant, &fleet, &well_ids).await.unwrap();
    assert_eq!(second, InsertOutcome { inserted: 0, duplicates: first.inserted });
    let list: Value = get(&app, &token, "/api/v1/maintenance?limit=1000").await.json().await.unwrap();
    assert_eq!(list["total"].as_u64(), Some(first.inserted));
}
