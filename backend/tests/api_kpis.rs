//! The dashboard KPI and price APIs end to end on a real server and a real SQLite file: the six KPI cards on a small
//! hand-built fleet equal hand-computed figures; alarms show in the alarm card; the per-tenant cache (a second GET
//! within the minute is the same answer, an ingest or an alarm change drops it, `kpis_changed` is announced);
//! `If-None-Match` gives 304; the price table's GET and PUT with every bad input, roles and tenancy. Test names
//! contain "kpis" or "prices".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::expect_error;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::{TestApp, spawn_app};
use flowline_backend::ports::Clock;
use flowline_backend::services::Deps;
use flowline_backend::services::aggregation::AggregationService;
use flowline_backend::services::ingest::IngestService;
use flowline_shared::dto::events::EventKind;
use flowline_shared::{DowntimeReason, EntryId, EntrySource, FieldEntryDraft, WellId};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use uuid::Uuid;

const TZ: chrono_tz::Tz = chrono_tz::America::Chicago;

fn d(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, day).unwrap()
}

/// A local time of a June 2024 day in Chicago (CDT, UTC-5).
fn local(day: u32, hour: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(2024, 6, day, hour, 0, 0).unwrap().with_timezone(&Utc)
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

fn assert_close(v: &Value, expected: f64, what: &str) {
    assert!(close(v, expected), "{what}: got {v}, expected {expected}");
}

async fn create_well(app: &TestApp, token: &str, body: Value) -> WellId {
    let res = app.http.post(app.url("/api/v1/wells")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    WellId(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().parse().unwrap())
}

fn draft(well: WellId, at: DateTime<Utc>, oil: f64, gas: f64, hours_on: f64) -> FieldEntryDraft {
    FieldEntryDraft {
        id: EntryId(Uuid::now_v7()),
        well_id: well,
        recorded_at: at,
        oil_bbl: oil,
        gas_mcf: gas,
        water_bbl: 10.0,
        tubing_psig: None,
        casing_psig: None,
        choke_64ths: None,
        hours_on,
        downtime_reason: (hours_on < 24.0).then_some(DowntimeReason::Mechanical),
        source: EntrySource::Manual,
        is_correction: false,
    }
}

struct Fleet {
    oil: WellId,
    gas: WellId,
}

/// Three wells of `alpha`, nine days of readings (2-10 June 2024, 10:00 local), aggregated by the backfill; the clock
/// at noon local on the 10th. Readings go through a plain ingest service (no alarm evaluation), so the fleet starts
/// without alarms.
///
/// - `Oil 1` (oil, active): 100 bbl/d oil, 200 Mcf/d gas, 24 h on each day; on the 10th 60 / 120 with 12 h on.
/// - `Gas 2` (gas, active): 1,000 Mcf/d, no oil, 24 h on; on the 9th two readings, 900 and 1,100 (mean 1,000).
/// - `Shut 3` (oil, shut in): 30 / 60 on the 2nd to the 4th only.
async fn seed(app: &TestApp) -> Fleet {
    app.clock.set(local(10, 12));
    let ops = app.token(&app.alpha, "ops").await;
    let oil = create_well(app, &ops, json!({ "name": "Oil 1", "type": "oil" })).await;
    let gas = create_well(app, &ops, json!({ "name": "Gas 2", "type": "gas" })).await;
    let shut = create_well(app, &ops, json!({ "name": "Shut 3", "type": "oil", "status": "shut_in" })).await;
    let mut entries = Vec::new();
    for day in 2..=10 {
        if day < 10 {
            entries.push(draft(oil, local(day, 10), 100.0, 200.0, 24.0));
        } else {
            entries.push(draft(oil, local(day, 10), 60.0, 120.0, 12.0));
        }
        if day == 9 {
            entries.push(draft(gas, local(day, 8), 0.0, 900.0, 24.0));
            entries.push(draft(gas, local(day, 16), 0.0, 1100.0, 24.0));
        } else {
            entries.push(draft(gas, local(day, 10), 0.0, 1000.0, 24.0));
        }
        if day <= 4 {
            entries.push(draft(shut, local(day, 10), 30.0, 60.0, 24.0));
        }
    }
    let deps = Deps { storage: Arc::clone(&app.storage), clock: app.clock.clone() };
    let alpha = app.tenant_id(&app.alpha).await;
    IngestService::new(deps.clone()).ingest(alpha, entries).await.unwrap();
    let tenant = app.storage.tenant_by_id(alpha).await.unwrap().unwrap();
    AggregationService::new(deps).backfill(&tenant, None, None, &|_| {}).await.unwrap().unwrap();
    Fleet { oil, gas }
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap()
}

async fn kpis(app: &TestApp, token: &str) -> (Value, String) {
    let res = get(app, token, "/api/v1/dashboard/kpis").await;
    assert_eq!(res.status(), StatusCode::OK);
    let tag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(res.headers()["cache-control"], "private, no-cache");
    (res.json().await.unwrap(), tag)
}

async fn put_prices(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.http.put(app.url("/api/v1/prices")).bearer_auth(token).json(body).send().await.unwrap()
}

fn fields(body: &Value) -> Vec<String> {
    body["details"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect()
}

/// Prices for the 9th and 10th that make the revenue easy to compute by hand.
async fn set_test_prices(app: &TestApp) {
    let admin = app.token(&app.alpha, "admin").await;
    let body = json!({ "points": [
        { "commodity": "wti", "day": "2024-06-09", "price": 78.0 },
        { "commodity": "henry_hub", "day": "2024-06-09", "price": 2.4 },
        { "commodity": "wti", "day": "2024-06-10", "price": 80.0 },
        { "commodity": "henry_hub", "day": "2024-06-10", "price": 2.5 },
    ]});
    assert_eq!(put_prices(app, &admin, &body).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn kpis_of_a_hand_built_fleet_equal_hand_computed_figures() {
    let app = spawn_app().await;
    let fleet = seed(&app).await;
    set_test_prices(&app).await;
    let viewer = app.token(&app.alpha, "viewer").await;
    let (k, _) = kpis(&app, &viewer).await;

    assert_eq!(k["today"], "2024-06-10");
    assert_eq!(k["last_day"], "2024-06-10");
    assert_eq!(k["previous_day"], "2024-06-09");
    assert_eq!(k["wells_reporting"], 2);
    assert_eq!(k["wells_without_data"], json!([]));
    let days: Vec<String> = (4..=10).map(|day| d(day).to_string()).collect();
    assert_eq!(k["sparkline_days"], json!(days));

    // 1. Total oil (BOPD): 60 + 0 on the 10th, 100 + 0 on the 9th; the shut-in well's 30 counts on the 4th.
    let oil = &k["total_oil"];
    assert_eq!(oil["unit"], "BOPD");
    assert_close(&oil["value"], 60.0, "oil");
    assert_close(&oil["previous"], 100.0, "oil previous");
    assert_eq!(oil["sparkline"], json!([130.0, 100.0, 100.0, 100.0, 100.0, 100.0, 60.0]));
    assert_eq!(oil["change"]["direction"], "down");
    // The newest reading behind the figures: Oil 1's and Gas 2's at 10:00 on the 10th.
    assert_eq!(oil["as_of"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), local(10, 10));
    assert_eq!(oil["staleness_seconds"], 2 * 3600);

    // 2. Total gas (MCFD): 120 + 1,000; the 9th is 200 + mean(900, 1,100).
    assert_close(&k["total_gas"]["value"], 1120.0, "gas");
    assert_close(&k["total_gas"]["previous"], 1200.0, "gas previous");

    // 3. Active wells: 2 of 3; both on production on the 10th.
    let active = &k["active_wells"];
    assert_eq!((active["active"].as_u64(), active["total"].as_u64()), (Some(2), Some(3)));
    assert_close(&active["percent_of_total"], 200.0 / 3.0, "percent active");
    assert_close(&active["on_production"]["value"], 2.0, "on production");

    // 4. Revenue (USD/d): oil x WTI + gas x 1.037 MMBtu/Mcf x Henry Hub, at the tenant's prices of each day.
    let revenue = &k["fleet_revenue"];
    assert_close(&revenue["value"], 60.0 * 80.0 + 1120.0 * 1.037 * 2.5, "revenue");
    assert_close(&revenue["previous"], 100.0 * 78.0 + 1200.0 * 1.037 * 2.4, "revenue previous");
    assert_eq!(revenue["breakdown"]["oil_price"]["effective_day"], "2024-06-10");
    assert_close(&revenue["breakdown"]["heat_content_mmbtu_per_mcf"], 1.037, "heat content");
    assert_eq!(revenue["missing_prices"], json!([]));

    // 5. Unacknowledged alarms: none.
    assert_close(&k["unacknowledged_alarms"]["value"], 0.0, "alarms");
    assert_eq!(k["unacknowledged_alarms"]["highest_priority"], Value::Null);

    // 6. Downtime (%): mean over the active wells with data: (1 - 12/24) and 0.
    assert_close(&k["downtime"]["value"], 25.0, "downtime");
    assert_close(&k["downtime"]["previous"], 0.0, "downtime previous");
    assert_eq!(k["downtime"]["wells_counted"], 2);

    // Deferred production (BOE 6:1): Oil 1's stable rate (median of the 3rd to the 9th: 100 + 200/6) x 0.5.
    let deferred = &k["deferred_production"];
    assert_close(&deferred["value"], (100.0 + 200.0 / 6.0) * 0.5, "deferred");
    assert_eq!(deferred["boe_basis"], "6:1");
    let oil_well = deferred["wells"].as_array().unwrap().iter().find(|w| w["well_id"] == json!(fleet.oil)).unwrap();
    assert_close(&oil_well["downtime_fraction"], 0.5, "downtime fraction");
    let _ = fleet.gas;
}

#[tokio::test]
async fn kpis_are_cached_for_a_minute_dropped_by_ingest_and_alarms_and_revalidate_with_304() {
    let app = spawn_app().await;
    let fleet = seed(&app).await;
    set_test_prices(&app).await;
    let ops = app.token(&app.alpha, "ops").await;
    let alpha = app.tenant_id(&app.alpha).await;
    let (first, tag) = kpis(&app, &ops).await;
    assert_eq!(first["now"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), local(10, 12));

    // Within the minute: the same answer (same computation instant and age), the same tag, and 304 on revalidation.
    app.clock.advance(Duration::seconds(30));
    let (second, second_tag) = kpis(&app, &ops).await;
    assert_eq!(second, first);
    assert_eq!(second_tag, tag);
    let res = app
        .http
        .get(app.url("/api/v1/dashboard/kpis"))
        .bearer_auth(&ops)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(res.headers()["etag"].to_str().unwrap(), tag);
    assert!(res.bytes().await.unwrap().is_empty());
    let res = app
        .http
        .get(app.url("/api/v1/dashboard/kpis"))
        .bearer_auth(&ops)
        .header("if-none-match", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // An ingest through the API (Gas 2 reports zero: "well down", a critical alarm) drops the answer and is
    // announced with `kpis_changed`.
    let seq_before = app.storage.last_event_seq(alpha).await.unwrap();
    app.clock.advance(Duration::seconds(5));
    let reading = json!({ "entries": [{
        "id": Uuid::now_v7(), "well_id": fleet.gas, "recorded_at": local(10, 11),
        "oil_bbl": 0.0, "gas_mcf": 0.0, "water_bbl": 0.0, "hours_on": 0, "downtime_reason": "mechanical"
    }]});
    let res = app.http.post(app.url("/api/v1/field-entries")).bearer_auth(&ops).json(&reading).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let events = app.storage.events_after(alpha, seq_before, 100).await.unwrap();
    let changed: Vec<_> = events.iter().filter(|e| e.kind == EventKind::KpisChanged).collect();
    assert_eq!(changed.len(), 1, "{events:?}");
    assert_eq!(
        flowline_backend::services::kpis::invalidated_at(&changed[0].data),
        Some(local(10, 12) + Duration::seconds(35))
    );
    let (third, third_tag) = kpis(&app, &ops).await;
    assert_ne!(third["now"], first["now"], "recomputed after the ingest");
    assert_ne!(third_tag, tag);
    // The alarm card counts the unacknowledged alarms the alarm list shows, the critical "well down" among them.
    let unacked: Value = get(&app, &ops, "/api/v1/alarms?state=active_unacknowledged").await.json().await.unwrap();
    let alarms = &third["unacknowledged_alarms"];
    assert!(alarms["critical"].as_u64().unwrap() >= 1, "{alarms}");
    assert_close(&alarms["value"], unacked["total"].as_f64().unwrap(), "alarm count");
    assert_eq!(alarms["highest_priority"], "critical");
    // The figures follow the stored aggregates: the dirty worker's pass brings Gas 2's new reading in (once the
    // answer is recomputed: here after the minute).
    let tenant = app.storage.tenant_by_id(alpha).await.unwrap().unwrap();
    app.state.aggregation.run_dirty_once(&tenant).await.unwrap().unwrap();
    app.clock.advance(Duration::seconds(61));
    let (fourth, _) = kpis(&app, &ops).await;
    // Gas 2 on the 10th: mean(1,000, 0) = 500 Mcf with mean(24, 0) = 12 h on.
    assert_close(&fourth["total_gas"]["value"], 120.0 + 500.0, "gas after the worker");
    assert_close(&fourth["downtime"]["value"], 50.0, "downtime after the worker");
    assert_close(
        &fourth["deferred_production"]["value"],
        (100.0 + 200.0 / 6.0) * 0.5 + (1000.0 / 6.0) * 0.5,
        "deferred after the worker",
    );

    // Acknowledging every alarm (alarm events on the bus) drops the answer at once: the card shows none.
    let res =
        app.http.post(app.url("/api/v1/alarms/acknowledge")).bearer_auth(&ops).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (fifth, _) = kpis(&app, &ops).await;
    assert_close(&fifth["unacknowledged_alarms"]["value"], 0.0, "alarms after acknowledge-all");
    assert_eq!(fifth["now"], fourth["now"], "the clock did not move: recomputed at the same instant");
}

#[tokio::test]
async fn kpis_are_per_tenant_and_need_a_token() {
    let app = spawn_app().await;
    seed(&app).await;
    let beta = app.token(&app.beta, "ops").await;
    let (k, _) = kpis(&app, &beta).await;
    assert_eq!(k["active_wells"]["total"], 0);
    assert_eq!(k["last_day"], Value::Null);
    assert_eq!(k["total_oil"]["value"], Value::Null);
    let res = app.http.get(app.url("/api/v1/dashboard/kpis")).send().await.unwrap();
    expect_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn prices_are_the_eia_baseline_with_the_tenants_prices_on_top() {
    let app = spawn_app().await;
    app.clock.set(local(10, 12));
    let viewer = app.token(&app.alpha, "viewer").await;
    let admin = app.token(&app.alpha, "admin").await;
    let res = get(&app, &viewer, "/api/v1/prices?commodity=wti&from=2020-04-16&to=2020-04-22").await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["unit"], "USD/bbl");
    assert_eq!(list["max_days"], 400);
    assert_eq!(list["heat_content"], json!({ "value": 1.037, "unit": "MMBtu/Mcf", "source": "default" }));
    let days: Vec<&str> = list["points"].as_array().unwrap().iter().map(|p| p["day"].as_str().unwrap()).collect();
    assert_eq!(days, ["2020-04-16", "2020-04-17", "2020-04-20", "2020-04-21", "2020-04-22"], "no weekend rows");
    assert_eq!(list["points"][2], json!({ "day": "2020-04-20", "price": -36.98, "source": "eia" }));
    assert_eq!(list["first_day"], "1986-01-02");

    // An admin overrides a day, adds a Saturday and sets the heat content; all listed with who and when.
    let body = json!({
        "points": [
            { "commodity": "wti", "day": "2020-04-20", "price": -37.63 },
            { "commodity": "wti", "day": "2020-04-18", "price": 17.5 },
            { "commodity": "henry_hub", "day": "2020-04-20", "price": 1.8 },
        ],
        "heat_content_mmbtu_per_mcf": 1.1
    });
    let res = put_prices(&app, &admin, &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let stored: Value = res.json().await.unwrap();
    assert_eq!(stored["stored"], 3);
    assert_eq!(stored["heat_content_mmbtu_per_mcf"], 1.1);
    let list: Value =
        get(&app, &viewer, "/api/v1/prices?commodity=wti&from=2020-04-16&to=2020-04-22").await.json().await.unwrap();
    let points = list["points"].as_array().unwrap();
    assert_eq!(points.len(), 6);
    assert_eq!(points[2]["day"], "2020-04-18");
    assert_eq!((points[2]["source"].as_str(), points[2]["updated_by"].as_str()), (Some("tenant"), Some("admin")));
    assert_eq!((points[3]["price"].as_f64(), points[3]["source"].as_str()), (Some(-37.63), Some("tenant")));
    assert_eq!(points[4]["source"], "eia");
    assert_eq!(list["heat_content"]["value"], 1.1);
    assert_eq!(list["heat_content"]["source"], "tenant");
    let hh: Value = get(&app, &viewer, "/api/v1/prices?commodity=henry_hub&from=2020-04-20&to=2020-04-20")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hh["unit"], "USD/MMBtu");
    assert_eq!(hh["points"][0]["price"], 1.8);

    // Defaults: the 365 days ending today (the tenant's date); a tenant day in the future shows when asked for.
    let list: Value = get(&app, &viewer, "/api/v1/prices?commodity=wti").await.json().await.unwrap();
    assert_eq!((list["from"].as_str(), list["to"].as_str()), (Some("2023-06-12"), Some("2024-06-10")));

    // Another tenant sees the baseline only.
    let beta = app.token(&app.beta, "ops").await;
    let list: Value =
        get(&app, &beta, "/api/v1/prices?commodity=wti&from=2020-04-20&to=2020-04-20").await.json().await.unwrap();
    assert_eq!(list["points"][0]["price"], -36.98);
    assert_eq!(list["points"][0]["source"], "eia");
    assert_eq!(list["heat_content"]["source"], "default");
}

#[tokio::test]
async fn prices_bad_inputs_are_refused_naming_the_field_and_store_nothing() {
    let app = spawn_app().await;
    app.clock.set(local(10, 12));
    let admin = app.token(&app.alpha, "admin").await;
    let ops = app.token(&app.alpha, "ops").await;
    let viewer = app.token(&app.alpha, "viewer").await;
    let beta_ops = app.token(&app.beta, "ops").await;
    let good = json!({ "points": [{ "commodity": "wti", "day": "2024-06-10", "price": 80.0 }] });

    // Only admins write.
    for token in [&ops, &viewer, &beta_ops] {
        expect_error(put_prices(&app, token, &good).await, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let res = app.http.put(app.url("/api/v1/prices")).json(&good).send().await.unwrap();
    expect_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;

    // Values against the rules: 422 naming each field, nothing stored (the good point of the batch neither).
    let cases = [
        (json!({ "points": [] }), vec!["points"]),
        (json!({}), vec!["points"]),
        (
            json!({ "points": [
                { "commodity": "wti", "day": "2024-06-10", "price": 80.0 },
                { "commodity": "wti", "day": "2024-06-11", "price": 1000.01 },
                { "commodity": "henry_hub", "day": "2024-06-11", "price": -100.5 },
            ]}),
            vec!["points[1].price", "points[2].price"],
        ),
        (json!({ "points": [{ "commodity": "wti", "day": "1899-12-29", "price": 1.0 }] }), vec!["points[0].day"]),
        (json!({ "heat_content_mmbtu_per_mcf": 0.5 }), vec!["heat_content_mmbtu_per_mcf"]),
        (json!({ "points": good["points"], "heat_content_mmbtu_per_mcf": 1.6 }), vec!["heat_content_mmbtu_per_mcf"]),
    ];
    for (body, expected) in cases {
        let res = put_prices(&app, &admin, &body).await;
        let err = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(fields(&err), expected, "{body}");
    }
    // Shapes: unknown commodity or field, a bad date, a string price, a number JSON cannot hold: 422 naming the path.
    let shapes = [
        (json!({ "points": [{ "commodity": "brent", "day": "2024-06-10", "price": 80.0 }] }), "points[0].commodity"),
        (json!({ "points": [{ "commodity": "wti", "day": "2024-13-01", "price": 80.0 }] }), "points[0].day"),
        (json!({ "points": [{ "commodity": "wti", "day": "2024-06-10", "price": "80" }] }), "points[0].price"),
        (json!({ "points": [{ "commodity": "wti", "day": "2024-06-10", "price": 1.0, "unit": "x" }] }), "points[0]"),
        (json!({ "heat": 1.0 }), "heat"),
    ];
    for (body, path) in shapes {
        let err =
            expect_error(put_prices(&app, &admin, &body).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
        assert!(err["details"]["path"].as_str().unwrap().starts_with(path), "{body}: {err}");
    }
    let send_raw = |body: &'static str| {
        app.http
            .put(app.url("/api/v1/prices"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let res = send_raw(r#"{"points":[{"commodity":"wti","day":"2024-06-10","price":1e999}]}"#).await.unwrap();
    // A number beyond f64 (no JSON number is NaN or infinite): refused by the parser.
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_json").await;
    expect_error(send_raw("{\"points\": [").await.unwrap(), StatusCode::BAD_REQUEST, "invalid_json").await;

    let t = app.tenant_id(&app.alpha).await;
    let stored = app.storage.tenant_prices(t, &Default::default()).await.unwrap();
    assert!(stored.is_empty(), "{stored:?}");
    assert_eq!(app.storage.price_settings(t).await.unwrap(), None);

    // Query parameters: 400 naming the parameter.
    for (query, parameter) in [
        ("", "commodity"),
        ("?commodity=brent", "commodity"),
        ("?commodity=wti&from=2024-06-31", "from"),
        ("?commodity=wti&from=2024-06-10&to=2024-06-01", "from"),
        ("?commodity=wti&from=2023-01-01&to=2024-06-01", "to"),
        ("?commodity=wti&days=3", "days"),
    ] {
        let res = get(&app, &admin, &format!("/api/v1/prices{query}")).await;
        let err = expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(err["details"]["parameter"], parameter, "{query}: {err}");
    }
    // Exactly 400 days is allowed.
    assert_eq!(get(&app, &admin, "/api/v1/prices?commodity=wti&from=2023-05-08&to=2024-06-10").await.status(), 200);
    // A repeated day: the last price wins and counts once.
    let repeated = json!({ "points": [
        { "commodity": "wti", "day": "2024-06-10", "price": 70.0 },
        { "commodity": "wti", "day": "2024-06-10", "price": 71.0 },
    ]});
    let res: Value = put_prices(&app, &admin, &repeated).await.json().await.unwrap();
    assert_eq!(res["stored"], 1);
    let stored = app.storage.tenant_prices(t, &Default::default()).await.unwrap();
    assert_eq!(stored.iter().map(|p| p.price).collect::<Vec<_>>(), [71.0]);
}

#[tokio::test]
async fn kpis_use_the_tenants_heat_content_and_a_price_update_drops_the_cache() {
    let app = spawn_app().await;
    seed(&app).await;
    set_test_prices(&app).await;
    let ops = app.token(&app.alpha, "ops").await;
    let admin = app.token(&app.alpha, "admin").await;
    let (before, _) = kpis(&app, &ops).await;
    assert_close(&before["fleet_revenue"]["value"], 60.0 * 80.0 + 1120.0 * 1.037 * 2.5, "revenue");
    let res = put_prices(&app, &admin, &json!({ "heat_content_mmbtu_per_mcf": 1.2 })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (after, _) = kpis(&app, &ops).await;
    assert_close(&after["fleet_revenue"]["value"], 60.0 * 80.0 + 1120.0 * 1.2 * 2.5, "revenue at 1.2");
    assert_eq!(app.clock.now(), local(10, 12), "the clock did not move: the update dropped the cached answer");
}
