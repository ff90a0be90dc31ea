//! The dashboard's well views end to end on a real server and SQLite file: the status map (`GET /api/v1/wells/map`:
//! coordinates, filters, bbox validation, the display-status rule driven by readings, alarms, shelving, out of
//! service and the test clock, tenancy) and the well detail modal (`GET /api/v1/wells/{id}/dashboard-detail`).
//! Plus the display-status rule table on the pure function.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::expect_error;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use common::{TestApp, spawn_app};
use flowline_backend::ports::Clock;
use flowline_backend::services::dashboard::{WellAlarms, display_status};
use flowline_shared::alarms::AlarmPriority;
use flowline_shared::dto::LatestReading;
use flowline_shared::dto::dashboard::DisplayStatus;
use flowline_shared::{Coordinates, NewWell, TenantId, Well, WellId, WellPatch, WellStatus, WellType};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

async fn create_well(app: &TestApp, token: &str, body: Value) -> String {
    let res = app.http.post(app.url("/api/v1/wells")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

/// An active oil well at (31.9, -102.1).
async fn oil_well(app: &TestApp, token: &str, name: &str) -> String {
    create_well(app, token, json!({ "name": name, "type": "oil", "latitude": 31.9, "longitude": -102.1 })).await
}

fn now(app: &TestApp) -> DateTime<Utc> {
    app.clock.now()
}

/// An instant of the answer.
fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// `at` as stored: instants are kept at millisecond precision.
fn to_ms(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Ingests one reading of `well` taken now (the test clock).
async fn reading_with(app: &TestApp, token: &str, well: &str, oil: f64, gas: f64, tubing: f64) {
    let body = json!({ "entries": [{ "id": Uuid::now_v7(), "well_id": well, "recorded_at": rfc3339(now(app)),
                                     "oil_bbl": oil, "gas_mcf": gas, "water_bbl": 10.0, "tubing_psig": tubing,
                                     "casing_psig": 450.0, "choke_64ths": 24, "hours_on": 24 }] });
    let res = app.http.post(app.url("/api/v1/field-entries")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

async fn reading(app: &TestApp, token: &str, well: &str, oil: f64, gas: f64) {
    reading_with(app, token, well, oil, gas, 300.0).await;
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap()
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.http.post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn map(app: &TestApp, token: &str, query: &str) -> Value {
    let res = get(app, token, &format!("/api/v1/wells/map{query}")).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.unwrap()
}

/// The map's well names, in order.
fn names(map: &Value) -> Vec<String> {
    map["wells"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap().to_owned()).collect()
}

/// The map row of the well `id`.
async fn marker(app: &TestApp, token: &str, id: &str) -> Value {
    let all = map(app, token, "").await;
    all["wells"].as_array().unwrap().iter().find(|w| w["id"] == id).cloned().unwrap_or(Value::Null)
}

async fn detail(app: &TestApp, token: &str, id: &str) -> Value {
    let res = get(app, token, &format!("/api/v1/wells/{id}/dashboard-detail")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The only open alarm of the tenant.
async fn open_alarm(app: &TestApp, token: &str) -> String {
    let listed: Value = get(app, token, "/api/v1/alarms?state=active_unacknowledged").await.json().await.unwrap();
    assert_eq!(listed["total"], 1, "{listed}");
    listed["items"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn map_lists_wells_with_coordinates_counts_the_rest_and_filters() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let a = create_well(
        &app,
        &ops,
        json!({ "name": "A-1", "type": "oil", "api_number": "4231712345", "lease": "L1", "latitude": 31.9,
                "longitude": -102.1 }),
    )
    .await;
    let b = create_well(
        &app,
        &ops,
        json!({ "name": "B-1", "type": "gas", "lease": "L2", "latitude": 32.5, "longitude": -101.5 }),
    )
    .await;
    let c = create_well(
        &app,
        &ops,
        json!({ "name": "C-1", "type": "oil", "status": "shut_in", "lease": "L1", "latitude": 35.0,
                "longitude": -98.0 }),
    )
    .await;
    create_well(&app, &ops, json!({ "name": "D-1", "type": "oil", "lease": "L1" })).await;
    reading(&app, &ops, &a, 120.0, 300.0).await;
    // A shut-in well reporting nothing is not down: its own value.
    reading(&app, &ops, &c, 0.0, 0.0).await;

    let all = map(&app, &ops, "").await;
    assert_eq!(names(&all), ["A-1", "B-1", "C-1"]);
    assert_eq!((all["without_coordinates"].as_u64(), all["outside_bbox"].as_u64()), (Some(1), Some(0)));
    assert_eq!(all["units"]["oil_rate"], "bbl/d");
    assert_eq!(all["units"]["gas_rate"], "Mcf/d");
    assert_eq!(all["staleness_hours"], 6.0);
    assert_eq!(instant(&all["as_of"]), now(&app));
    let row = &all["wells"][0];
    assert_eq!(row["id"], a.as_str());
    assert_eq!(row["api"], "42-317-12345-00-00");
    assert_eq!((row["lat"].as_f64(), row["lon"].as_f64()), (Some(31.9), Some(-102.1)));
    assert_eq!((row["status"].as_str(), row["display_status"].as_str()), (Some("active"), Some("normal")));
    assert_eq!((row["oil_rate"].as_f64(), row["gas_rate"].as_f64()), (Some(120.0), Some(300.0)));
    assert!(row["alarm_priority"].is_null());
    assert_eq!(instant(&row["last_reading_at"]), to_ms(now(&app)));
    let b_row = &all["wells"][1];
    assert_eq!(b_row["display_status"], "stale", "an active well that never reported");
    assert!(b_row["oil_rate"].is_null() && b_row["last_reading_at"].is_null() && b_row["api"].is_null());
    assert_eq!(all["wells"][2]["id"], c.as_str());
    assert_eq!(all["wells"][2]["display_status"], "inactive");

    let shut_in = map(&app, &ops, "?status=shut_in").await;
    assert_eq!((names(&shut_in), shut_in["without_coordinates"].as_u64()), (vec!["C-1".to_owned()], Some(0)));
    assert_eq!(names(&map(&app, &ops, "?type=gas").await), ["B-1"]);
    assert_eq!(map(&app, &ops, "?type=gas").await["wells"][0]["id"], b.as_str());
    let l1 = map(&app, &ops, "?lease=L1").await;
    assert_eq!((names(&l1), l1["without_coordinates"].as_u64()), (vec!["A-1".to_owned(), "C-1".to_owned()], Some(1)));
    let boxed = map(&app, &ops, "?bbox=-103,31,-101,33").await;
    assert_eq!(names(&boxed), ["A-1", "B-1"]);
    assert_eq!((boxed["outside_bbox"].as_u64(), boxed["without_coordinates"].as_u64()), (Some(1), Some(1)));
    // Edges are inside; the filters combine.
    assert_eq!(names(&map(&app, &ops, "?bbox=-102.1,31.9,-102,32").await), ["A-1"]);
    assert_eq!(names(&map(&app, &ops, "?bbox=-103,31,-97,36&lease=L1&type=oil&status=active").await), ["A-1"]);
    assert!(names(&map(&app, &ops, "?lease=nowhere").await).is_empty());

    // A viewer reads it too; another tenant sees none of it.
    let viewer = app.token(&app.alpha, "viewer").await;
    assert_eq!(names(&map(&app, &viewer, "").await).len(), 3);
    let beta = app.token(&app.beta, "ops").await;
    let theirs = map(&app, &beta, "").await;
    assert!(names(&theirs).is_empty());
    assert_eq!(theirs["without_coordinates"], 0);
}

#[tokio::test]
async fn map_pages_through_more_wells_than_one_page() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let tenant = app.tenant_id(&app.alpha).await;
    // 2,345 wells (every fifth without coordinates): three pages of `list_wells`.
    let wells: Vec<NewWell> = (0..2_345)
        .map(|i| {
            let located = i % 5 != 0;
            NewWell::parse(&WellPatch {
                name: Some(format!("P-{i:04}")),
                well_type: Some(WellType::Oil),
                latitude: located.then_some(31.0 + f64::from(i) / 10_000.0),
                longitude: located.then_some(-102.0),
                ..WellPatch::default()
            })
            .unwrap()
        })
        .collect();
    app.storage.create_wells(tenant, &wells, now(&app)).await.unwrap();
    let all = map(&app, &ops, "").await;
    let listed = names(&all);
    assert_eq!((listed.len(), all["without_coordinates"].as_u64()), (1_876, Some(469)));
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, listed, "ordered by name, each well once");
    assert!(all["wells"].as_array().unwrap().iter().all(|w| w["display_status"] == "stale"));
}

#[tokio::test]
async fn map_rejects_each_bad_bbox_and_bad_filter_naming_it() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    for bbox in [
        "1,2,3",
        "1,2,3,4,5",
        "a,31,-101,33",
        "-103,31,-101,",
        "NaN,31,-101,33",
        "-103,31,inf,33",
        "-181,31,-101,33",
        "-103,31,181,33",
        "-103,-91,-101,33",
        "-103,31,-101,91",
        "-101,31,-103,33",
        "-103,33,-101,31",
        "-103,31,-103,33",
        "-103,31,-101,31",
    ] {
        let res = get(&app, &ops, &format!("/api/v1/wells/map?bbox={bbox}")).await;
        let body = expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(body["details"]["parameter"], "bbox", "{bbox}: {body}");
        assert!(body["message"].as_str().unwrap().contains("bbox"), "{body}");
    }
    for (query, parameter) in [("status=open", "status"), ("type=oilish", "type"), ("limit=5", "limit")] {
        let res = get(&app, &ops, &format!("/api/v1/wells/map?{query}")).await;
        let body = expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(body["details"]["parameter"], parameter, "{body}");
    }
    let res = app.http.get(app.url("/api/v1/wells/map")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn map_display_status_follows_readings_alarms_and_shelving() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let well = oil_well(&app, &ops, "W-1").await;

    // No oil and no gas: down; the well-down rule raised a critical alarm on ingest.
    reading(&app, &ops, &well, 0.0, 0.0).await;
    let m = marker(&app, &ops, &well).await;
    assert_eq!((m["display_status"].as_str(), m["alarm_priority"].as_str()), (Some("down"), Some("critical")));
    assert_eq!((m["oil_rate"].as_f64(), m["gas_rate"].as_f64()), (Some(0.0), Some(0.0)));
    let alarm = open_alarm(&app, &ops).await;

    // Producing again: the alarm returned to normal but waits for an acknowledgement: still annunciated, critical.
    app.clock.advance(Duration::minutes(5));
    reading(&app, &ops, &well, 120.0, 300.0).await;
    let m = marker(&app, &ops, &well).await;
    assert_eq!((m["display_status"].as_str(), m["alarm_priority"].as_str()), (Some("critical"), Some("critical")));

    // Shelved: not annunciated, so not shown; unshelved: back.
    let until = rfc3339(now(&app) + Duration::hours(2));
    let res =
        post(&app, &ops, &format!("/api/v1/alarms/{alarm}/shelve"), json!({ "reason": "crew", "until": until })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let m = marker(&app, &ops, &well).await;
    assert_eq!(m["display_status"], "normal");
    assert!(m["alarm_priority"].is_null());
    assert_eq!(post(&app, &ops, &format!("/api/v1/alarms/{alarm}/unshelve"), json!({})).await.status(), StatusCode::OK);
    assert_eq!(marker(&app, &ops, &well).await["display_status"], "critical");

    // Acknowledged: closed, normal.
    let res = post(&app, &ops, &format!("/api/v1/alarms/{alarm}/acknowledge"), json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let m = marker(&app, &ops, &well).await;
    assert_eq!((m["display_status"].as_str(), m["alarm_priority"].as_null()), (Some("normal"), Some(())));

    // Tubing pressure over the oil limit (1,500 psig): a high-priority alarm, shown as a warning.
    app.clock.advance(Duration::minutes(5));
    reading_with(&app, &ops, &well, 120.0, 300.0, 1_600.0).await;
    let m = marker(&app, &ops, &well).await;
    assert_eq!((m["display_status"].as_str(), m["alarm_priority"].as_str()), (Some("warning"), Some("high")));

    // Down with a warning open: down wins.
    app.clock.advance(Duration::minutes(5));
    reading_with(&app, &ops, &well, 0.0, 0.0, 1_600.0).await;
    let m = marker(&app, &ops, &well).await;
    assert_eq!((m["display_status"].as_str(), m["alarm_priority"].as_str()), (Some("down"), Some("critical")));
}

#[tokio::test]
async fn map_shows_out_of_service_wells_without_their_alarms() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let well = oil_well(&app, &ops, "OOS-1").await;
    reading_with(&app, &ops, &well, 120.0, 300.0, 1_600.0).await;
    assert_eq!(marker(&app, &ops, &well).await["display_status"], "warning");
    let path = format!("/api/v1/wells/{well}/alarms-out-of-service");
    let res = app.http.put(app.url(&path)).bearer_auth(&ops).json(&json!({ "reason": "sensor swap" })).send().await;
    assert_eq!(res.unwrap().status(), StatusCode::OK);
    let m = marker(&app, &ops, &well).await;
    assert_eq!(m["display_status"], "normal");
    assert!(m["alarm_priority"].is_null());
    let d = detail(&app, &ops, &well).await;
    assert_eq!((d["display_status"].as_str(), d["recent_alarms"].as_array().unwrap().len()), (Some("normal"), 1));
}

#[tokio::test]
async fn map_marks_an_active_well_stale_once_its_reading_is_older_than_the_staleness() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let well = oil_well(&app, &ops, "Old-1").await;
    reading(&app, &ops, &well, 120.0, 300.0).await;
    assert_eq!(marker(&app, &ops, &well).await["display_status"], "normal");
    app.clock.advance(Duration::hours(6) - Duration::seconds(1));
    assert_eq!(marker(&app, &ops, &well).await["display_status"], "normal", "just under the limit");
    app.clock.advance(Duration::seconds(61));
    let m = marker(&app, &ops, &well).await;
    assert_eq!(m["display_status"], "stale");
    assert_eq!(m["oil_rate"], 120.0, "the last known rate is still shown");
    let d = detail(&app, &ops, &well).await;
    assert_eq!(d["display_status"], "stale");
    assert_eq!(d["current_production"]["age_seconds"], 6 * 3600 + 60);

    // A shut-in well is never stale.
    let res = app
        .http
        .patch(app.url(&format!("/api/v1/wells/{well}")))
        .bearer_auth(&ops)
        .json(&json!({ "status": "shut_in" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(marker(&app, &ops, &well).await["display_status"], "inactive");
}

#[tokio::test]
async fn detail_combines_facts_production_alarms_trend_forecast_and_maintenance() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let well = create_well(
        &app,
        &ops,
        json!({ "name": "Detail 1H", "type": "oil", "api_number": "42-317-12345", "lease": "L9", "latitude": 31.9,
                "longitude": -102.1 }),
    )
    .await;
    // Six well-down episodes, each acknowledged after it ended: six alarms, the newest first, five shown.
    let mut raised = Vec::new();
    for _ in 0..6 {
        reading(&app, &ops, &well, 0.0, 0.0).await;
        raised.push(open_alarm(&app, &ops).await);
        app.clock.advance(Duration::minutes(10));
        reading(&app, &ops, &well, 120.0, 300.0).await;
        let listed: Value = get(&app, &ops, "/api/v1/alarms?state=returned_unacknowledged").await.json().await.unwrap();
        let id = listed["items"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(post(&app, &ops, &format!("/api/v1/alarms/{id}/acknowledge"), json!({})).await.status(), 200);
        app.clock.advance(Duration::minutes(10));
    }
    reading_with(&app, &ops, &well, 130.0, 310.0, 280.0).await;
    app.clock.advance(Duration::seconds(90));

    // Maintenance: a done item, a later and an earlier scheduled one; the earliest scheduled is next.
    for (title, due_on, status) in [
        ("Old inspection", "2020-01-01", "done"),
        ("Workover", "2030-06-01", "scheduled"),
        ("Pump change", "2030-03-01", "scheduled"),
    ] {
        let body = json!({ "well_id": well, "kind": "inspection", "title": title, "due_on": due_on, "status": status });
        assert_eq!(post(&app, &ops, "/api/v1/maintenance", body).await.status(), StatusCode::CREATED);
    }

    let d = detail(&app, &ops, &well).await;
    assert_eq!(instant(&d["computed_at"]), now(&app));
    assert_eq!(d["well"]["id"], well.as_str());
    assert_eq!(d["well"]["name"], "Detail 1H");
    assert_eq!(d["well"]["type"], "oil");
    assert_eq!(d["well"]["status"], "active");
    assert_eq!(d["well"]["api_number"], "42-317-12345-00-00");
    assert_eq!((d["display_status"].as_str(), d["alarm_priority"].as_null()), (Some("normal"), Some(())));

    let p = &d["current_production"];
    assert_eq!(
        (p["oil_rate"].as_f64(), p["gas_rate"].as_f64(), p["water_rate"].as_f64()),
        (Some(130.0), Some(310.0), Some(10.0))
    );
    assert_eq!(
        (p["hours_on"].as_f64(), p["tubing_psig"].as_f64(), p["casing_psig"].as_f64()),
        (Some(24.0), Some(280.0), Some(450.0))
    );
    assert_eq!(p["choke_64ths"], 24.0);
    assert_eq!(p["age_seconds"], 90);
    assert_eq!(p["rate_basis"], "calendar_day");
    assert_eq!(instant(&p["recorded_at"]), to_ms(now(&app) - Duration::seconds(90)));
    assert_eq!(
        p["units"],
        json!({ "oil_rate": "bbl/d", "gas_rate": "Mcf/d", "water_rate": "bbl/d", "hours_on": "h", "pressure": "psig",
                "choke": "1/64 in" })
    );

    let recent: Vec<&str> = d["recent_alarms"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    let newest_five: Vec<&str> = raised.iter().rev().take(5).map(String::as_str).collect();
    assert_eq!(recent, newest_five);
    let first = &d["recent_alarms"][0];
    assert_eq!((first["priority_label"].as_str(), first["well_name"].as_str()), (Some("Critical"), Some("Detail 1H")));
    assert_eq!((first["rule"].as_str(), first["state"].as_str()), (Some("well_down"), Some("normal")));

    // Aggregates are the scheduler's: without them the trend has no points, and says so.
    let t = &d["trend"];
    assert_eq!(
        (t["field"].as_str(), t["unit"].as_str(), t["period_days"].as_u64()),
        (Some("oil_bbl"), Some("bbl/d"), Some(30))
    );
    assert_eq!((t["insufficient_data"].as_bool(), t["direction"].as_str()), (Some(true), Some("insufficient_data")));
    assert!(t["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(t["trend_line"].is_null());
    assert!(t["computed_at"].is_string() && t["as_of"].is_string());

    let f = &d["forecast"];
    assert_eq!(
        (f["available"].as_bool(), f["model"].as_str(), f["unit"].as_str()),
        (Some(false), Some("ets"), Some("bbl/d"))
    );
    assert!(f["reason"].as_str().is_some_and(|r| !r.is_empty()), "{f}");
    assert_eq!((f["horizon_days"].as_u64(), f["level_percent"].as_f64()), (Some(7), Some(95.0)));
    assert!(f["points"].as_array().unwrap().is_empty() && f["model_name"].is_null() && f["backtest_mae"].is_null());
    assert!(f["computed_at"].is_string());

    let next = &d["next_maintenance"];
    assert_eq!((next["title"].as_str(), next["due_on"].as_str()), (Some("Pump change"), Some("2030-03-01")));
    assert_eq!(next["status"], "scheduled");

    // The map agrees.
    assert_eq!(marker(&app, &ops, &well).await["display_status"], "normal");
}

#[tokio::test]
async fn detail_of_a_silent_well_and_the_errors() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let well = oil_well(&app, &ops, "New 1H").await;
    let d = detail(&app, &ops, &well).await;
    assert!(d["current_production"].is_null());
    assert!(d["next_maintenance"].is_null());
    assert!(d["recent_alarms"].as_array().unwrap().is_empty());
    assert_eq!(d["display_status"], "stale");
    assert_eq!(d["trend"]["points"], json!([]));
    assert_eq!(d["forecast"]["available"], false);

    // Another tenant's well and an unknown one: 404; not a UUID: 400 naming `id`.
    let beta = app.token(&app.beta, "ops").await;
    let res = get(&app, &beta, &format!("/api/v1/wells/{well}/dashboard-detail")).await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = get(&app, &ops, &format!("/api/v1/wells/{}/dashboard-detail", Uuid::new_v4())).await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = get(&app, &ops, "/api/v1/wells/not-a-uuid/dashboard-detail").await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(body["details"]["parameter"], "id");
}

fn a_well(well_type: WellType, status: WellStatus) -> Well {
    let at = Utc::now();
    Well {
        id: WellId(Uuid::nil()),
        tenant_id: TenantId(Uuid::nil()),
        api_number: None,
        name: "W".into(),
        well_type,
        status,
        location: Some(Coordinates::new(31.9, -102.1).unwrap()),
        lease: None,
        field: None,
        county: None,
        state: None,
        first_production_date: None,
        created_at: at,
        updated_at: at,
    }
}

#[test]
fn display_status_rule_table() {
    let now = Utc::now();
    let staleness = Duration::hours(6);
    let read = |age: Duration, oil: f64, gas: f64, water: f64, hours_on: f64| LatestReading {
        recorded_at: now - age,
        oil_bbl: oil,
        gas_mcf: gas,
        water_bbl: water,
        hours_on,
    };
    let fresh = read(Duration::minutes(5), 100.0, 200.0, 10.0, 24.0);
    let none = WellAlarms::default();
    let with = |p: AlarmPriority| WellAlarms { highest: Some(p), well_down: false };
    let down_alarm = WellAlarms { highest: Some(AlarmPriority::Critical), well_down: true };
    let oil = a_well(WellType::Oil, WellStatus::Active);
    let status = |w: &Well, r: Option<&LatestReading>, a: WellAlarms| display_status(w, r, a, staleness, now);

    assert_eq!(status(&oil, Some(&fresh), none), DisplayStatus::Normal);
    assert_eq!(status(&oil, Some(&fresh), with(AlarmPriority::Low)), DisplayStatus::Normal, "info is not coloured");
    assert_eq!(status(&oil, Some(&fresh), with(AlarmPriority::High)), DisplayStatus::Warning);
    assert_eq!(status(&oil, Some(&fresh), with(AlarmPriority::Critical)), DisplayStatus::Critical);
    assert_eq!(status(&oil, Some(&fresh), down_alarm), DisplayStatus::Down);
    // Down by the reading: no oil and no gas, or no hours on.
    assert_eq!(status(&oil, Some(&read(Duration::zero(), 0.0, 0.0, 5.0, 24.0)), none), DisplayStatus::Down);
    assert_eq!(status(&oil, Some(&read(Duration::zero(), 0.0, 50.0, 5.0, 24.0)), none), DisplayStatus::Normal);
    assert_eq!(status(&oil, Some(&read(Duration::zero(), 80.0, 50.0, 5.0, 0.0)), none), DisplayStatus::Down);
    // A down reading that is also old: down (the last thing known).
    assert_eq!(status(&oil, Some(&read(Duration::days(3), 0.0, 0.0, 0.0, 0.0)), none), DisplayStatus::Down);
    // Injection wells are judged on the water injected.
    let injector = a_well(WellType::Injection, WellStatus::Active);
    assert_eq!(status(&injector, Some(&read(Duration::zero(), 0.0, 0.0, 900.0, 24.0)), none), DisplayStatus::Normal);
    assert_eq!(status(&injector, Some(&read(Duration::zero(), 0.0, 0.0, 0.0, 24.0)), none), DisplayStatus::Down);
    // Staleness: over the limit, or never reported; a reading stamped ahead of the clock is fresh.
    assert_eq!(status(&oil, Some(&read(staleness, 1.0, 1.0, 1.0, 24.0)), none), DisplayStatus::Normal);
    let old = read(staleness + Duration::milliseconds(1), 1.0, 1.0, 1.0, 24.0);
    assert_eq!(status(&oil, Some(&old), none), DisplayStatus::Stale);
    assert_eq!(status(&oil, None, none), DisplayStatus::Stale);
    assert_eq!(status(&oil, Some(&read(Duration::hours(-2), 1.0, 1.0, 1.0, 24.0)), none), DisplayStatus::Normal);
    assert_eq!(status(&oil, Some(&old), with(AlarmPriority::High)), DisplayStatus::Warning, "alarms before stale");
    // Not active: inactive whatever the reading, unless an alarm is annunciated.
    for s in [WellStatus::ShutIn, WellStatus::Inactive, WellStatus::Plugged] {
        let w = a_well(WellType::Oil, s);
        assert_eq!(status(&w, None, none), DisplayStatus::Inactive, "{s}");
        assert_eq!(status(&w, Some(&read(Duration::zero(), 0.0, 0.0, 0.0, 0.0)), none), DisplayStatus::Inactive);
        assert_eq!(status(&w, Some(&fresh), with(AlarmPriority::Low)), DisplayStatus::Inactive);
        assert_eq!(status(&w, Some(&fresh), with(AlarmPriority::Critical)), DisplayStatus::Critical);
        assert_eq!(status(&w, Some(&fresh), down_alarm), DisplayStatus::Down);
    }
}

/// The map's well rows are cached per tenant (services::wells::WellRowsCache): every change that moves them shows
/// at the next answer, not a minute later: an ingested reading, a well edit, a new well, a CSV import.
#[tokio::test]
async fn the_cached_map_follows_readings_well_edits_and_imports_at_once() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let admin = app.token(&app.alpha, "admin").await;
    let id = create_well(
        &app,
        &ops,
        json!({ "name": "Cache 1", "api_number": "42-317-00501", "type": "oil", "latitude": 31.9, "longitude": -102.1 }),
    )
    .await;
    reading(&app, &ops, &id, 100.0, 50.0).await;
    assert_eq!(marker(&app, &ops, &id).await["oil_rate"], 100.0);
    assert_eq!(marker(&app, &ops, &id).await["oil_rate"], 100.0, "served again");

    // Inside the cache's minute and inside the 10 s in which `kpis_changed` is announced at most once: only the
    // ingest's own invalidation can show the change.
    app.clock.advance(Duration::seconds(3));
    reading(&app, &ops, &id, 120.0, 50.0).await;
    assert_eq!(marker(&app, &ops, &id).await["oil_rate"], 120.0, "an ingest shows at once");

    let res = app
        .http
        .patch(app.url(&format!("/api/v1/wells/{id}")))
        .bearer_auth(&admin)
        .json(&json!({ "name": "Cache 1 renamed", "latitude": 32.5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let moved = marker(&app, &ops, &id).await;
    assert_eq!((moved["name"].as_str(), moved["lat"].as_f64()), (Some("Cache 1 renamed"), Some(32.5)));

    let second = oil_well(&app, &ops, "Cache 2").await;
    assert_eq!(names(&map(&app, &ops, "").await), ["Cache 1 renamed", "Cache 2"], "a new well shows at once");

    // Inside the cache's minute and inside the 10 s in which `kpis_changed` is announced at most once: only the
    // ingest's own invalidation can show the change.
    app.clock.advance(Duration::seconds(3));
    let csv = format!(
        "well,recorded_at,oil_bbl,gas_mcf,water_bbl,hours_on\n42-317-00501,{},140,50,10,24\n",
        rfc3339(now(&app))
    );
    let res = app
        .http
        .post(app.url("/api/v1/field-entries/import?format=flowline"))
        .bearer_auth(&ops)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    assert_eq!(marker(&app, &ops, &id).await["oil_rate"], 140.0, "an import shows at once");
    assert!(marker(&app, &ops, &second).await["oil_rate"].is_null());
}
