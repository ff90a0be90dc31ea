//! The analytics query API and the admin job endpoints end to end: a real server over SQLite and over PostgreSQL,
//! seeded through the real path (wells over HTTP, entries through the ingest service, the backfill, one analytics
//! pass at a fixed instant), then every endpoint, its CSV export and its documented error cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use common::TestApp;
use flowline_backend::ports::{AggregateQuery, Clock};
use flowline_backend::services::Deps;
use flowline_backend::services::aggregation::AggregationService;
use flowline_backend::services::analytics::AnalyticsService;
use flowline_backend::services::ingest::IngestService;
use flowline_shared::analytics::aggregation::Period;
use flowline_shared::{DowntimeReason, EntryId, EntrySource, FieldEntryDraft, TenantId, WellId};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use uuid::Uuid;

const TZ: Tz = chrono_tz::America::Chicago;
/// Days of history of the seeded wells (they end the day before `AS_OF`).
const HISTORY: u64 = 120;
/// Days before `as_of`: the decline well's day with two entries, its downtime day and its planted outlier.
const TWO_ENTRIES: u64 = 10;
const DOWNTIME: u64 = 5;
const OUTLIER: u64 = 45;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

fn ago(days: u64) -> NaiveDate {
    as_of().checked_sub_days(Days::new(days)).unwrap()
}

fn local(day: NaiveDate, h: u32) -> DateTime<Utc> {
    TZ.from_local_datetime(&day.and_hms_opt(h, 0, 0).unwrap()).earliest().unwrap().with_timezone(&Utc)
}

/// Deterministic noise in [-1, 1].
fn noise(seed: u64, i: u64) -> f64 {
    let s = (seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let s = s ^ (s >> 29);
    ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
}

fn draft(well: WellId, at: DateTime<Utc>, oil: f64, gas: f64, water: f64, hours_on: f64) -> FieldEntryDraft {
    FieldEntryDraft {
        id: EntryId(Uuid::now_v7()),
        well_id: well,
        recorded_at: at,
        oil_bbl: oil,
        gas_mcf: gas,
        water_bbl: water,
        tubing_psig: Some(300.0),
        casing_psig: None,
        choke_64ths: None,
        hours_on,
        downtime_reason: (hours_on == 0.0).then_some(DowntimeReason::Mechanical),
        source: EntrySource::Scada,
        is_correction: false,
    }
}

/// What [`seed`] made.
struct Seeded {
    alpha: TenantId,
    /// Oil, active, lease North: exponential decline 0.4 %/day, two entries on one day, a downtime day and a
    /// planted drop (oil and gas) in the previous window.
    decline: WellId,
    /// Gas, active, lease South: level.
    flat: WellId,
    /// Oil, shut in, lease North: two days of data.
    sparse: WellId,
    /// Oil, active, lease East: +1 %/day.
    rising: WellId,
    /// Tenant beta's well (a copy of the decline well).
    foreign: WellId,
    /// The instant of the analytics pass (the clock has moved on a minute since).
    pass_at: DateTime<Utc>,
    /// The oil readings of the day with two entries.
    two_entries: (f64, f64),
}

async fn create_well(app: &TestApp, token: &str, body: Value) -> WellId {
    let res = app.http.post(app.url("/api/v1/wells")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    WellId(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().parse().unwrap())
}

/// A decline series: `q0 * exp(rate * t) * (1 +- 1 %)`, one entry at noon on each of the `HISTORY` days before
/// `as_of`.
fn series(well: WellId, q0: f64, rate: f64, seed: u64) -> Vec<FieldEntryDraft> {
    (1..=HISTORY)
        .map(|k| {
            let t = (HISTORY - k) as f64;
            let oil = q0 * (rate * t).exp() * (1.0 + 0.01 * noise(seed, k));
            draft(well, local(ago(k), 12), oil, oil * 2.5, 50.0 + noise(seed + 1, k), 24.0)
        })
        .collect()
}

/// The decline well's entries: the series with its three special days.
fn decline_entries(well: WellId) -> (Vec<FieldEntryDraft>, (f64, f64)) {
    let mut entries = series(well, 500.0, -0.004, 7);
    for e in &mut entries {
        let day = e.recorded_at.with_timezone(&TZ).date_naive();
        if day == ago(DOWNTIME) {
            (e.oil_bbl, e.gas_mcf, e.water_bbl, e.hours_on) = (0.0, 0.0, 0.0, 0.0);
            e.downtime_reason = Some(DowntimeReason::Mechanical);
        } else if day == ago(OUTLIER) {
            e.oil_bbl *= 0.5;
            e.gas_mcf *= 0.5;
        }
    }
    let base = entries.iter().find(|e| e.recorded_at == local(ago(TWO_ENTRIES), 12)).unwrap().clone();
    entries.retain(|e| e.recorded_at != base.recorded_at);
    let two = (base.oil_bbl * 0.97, base.oil_bbl * 1.05);
    entries.push(draft(well, local(ago(TWO_ENTRIES), 8), two.0, base.gas_mcf, base.water_bbl, 24.0));
    entries.push(draft(well, local(ago(TWO_ENTRIES), 16), two.1, base.gas_mcf, base.water_bbl, 24.0));
    (entries, two)
}

/// Wells over HTTP, entries through the ingest service, then the backfill and one analytics pass per tenant with
/// the clock at noon of `as_of`; the clock then moves on a minute.
async fn seed(app: &TestApp) -> Seeded {
    app.clock.set(local(as_of(), 12));
    let ops = app.token(&app.alpha, "ops").await;
    let beta_ops = app.token(&app.beta, "ops").await;
    let decline = create_well(app, &ops, json!({ "name": "Alpha Decline", "type": "oil", "lease": "North" })).await;
    let flat = create_well(app, &ops, json!({ "name": "Bravo Flat", "type": "gas", "lease": "South" })).await;
    let sparse = create_well(
        app,
        &ops,
        json!({ "name": "Charlie Sparse", "type": "oil", "lease": "North", "status": "shut_in" }),
    )
    .await;
    let rising = create_well(app, &ops, json!({ "name": "Delta Rising", "type": "oil", "lease": "East" })).await;
    let foreign = create_well(app, &beta_ops, json!({ "name": "Echo Foreign", "type": "oil" })).await;

    let deps = Deps { storage: Arc::clone(&app.storage), clock: app.clock.clone() };
    let ingest = IngestService::new(deps.clone());
    let alpha = app.tenant_id(&app.alpha).await;
    let beta = app.tenant_id(&app.beta).await;
    let (mut entries, two_entries) = decline_entries(decline);
    entries.extend(series(flat, 5.0, 0.0, 11).into_iter().map(|mut e| {
        e.gas_mcf = 1000.0 * (1.0 + 0.01 * noise(13, e.recorded_at.timestamp() as u64));
        e
    }));
    let (first, last) = (local(ago(3), 0), local(ago(1), 0));
    entries
        .extend(series(sparse, 80.0, 0.0, 17).into_iter().filter(|e| e.recorded_at >= first && e.recorded_at < last));
    entries.extend(series(rising, 200.0, 0.01, 19));
    ingest.ingest(alpha, entries).await.unwrap();
    ingest.ingest(beta, decline_entries(foreign).0).await.unwrap();

    let aggregation = AggregationService::new(deps.clone());
    let analytics = AnalyticsService::new(deps);
    for (id, wells) in [(alpha, vec![decline, flat, sparse, rising]), (beta, vec![foreign])] {
        let tenant = app.storage.tenant_by_id(id).await.unwrap().unwrap();
        aggregation.backfill(&tenant, None, None, &|_| {}).await.unwrap().unwrap();
        analytics.recompute(&tenant, &wells, &|_| {}).await.unwrap();
    }
    let pass_at = app.clock.now();
    app.clock.advance(chrono::Duration::minutes(1));
    Seeded { alpha, decline, flat, sparse, rising, foreign, pass_at, two_entries }
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let res = app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get_ok(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = get(app, token, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// A CSV download: checks the headers, returns the parsed rows (header first).
async fn get_csv(app: &TestApp, token: &str, path: &str, resource: &str) -> Vec<csv::StringRecord> {
    let res = app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    // The tenant's local date now (the clock sits at noon of `as_of`).
    let expected = format!("attachment; filename=\"{resource}_{}.csv\"", as_of());
    assert_eq!(res.headers()["content-disposition"].to_str().unwrap(), expected);
    let body = res.text().await.unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(body.as_bytes());
    reader.records().map(Result::unwrap).collect()
}

fn column(header: &csv::StringRecord, name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn items(body: &Value) -> &Vec<Value> {
    body["items"].as_array().unwrap()
}

fn names(body: &Value) -> Vec<&str> {
    items(body).iter().map(|i| i["well_name"].as_str().unwrap()).collect()
}

/// Asserts a 400 `invalid_parameter` naming `parameter`.
async fn expect_bad_parameter(app: &TestApp, token: &str, path: &str, parameter: &str) {
    let (status, body) = get(app, token, path).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
    assert_eq!(body["code"], "invalid_parameter", "{path}: {body}");
    assert!(body["message"].as_str().unwrap().contains(parameter), "{path}: {body}");
    assert_eq!(body["details"]["parameter"], parameter, "{path}: {body}");
}

// ---------------------------------------------------------------------------------------------------------------

async fn aggregates_match_the_stored_ones_as_json_and_csv(app: TestApp) {
    let s = seed(&app).await;
    let token = app.token(&app.alpha, "viewer").await;
    let (from, to) = (ago(TWO_ENTRIES + 2), ago(TWO_ENTRIES - 2));
    let path = format!("/api/v1/aggregates?well_id={}&period=daily&from={from}&to={to}", s.decline.0);
    let all = get_ok(&app, &token, &path).await;
    let all = all.as_array().unwrap();
    let stored = app
        .storage
        .aggregates(s.alpha, TZ, &AggregateQuery { wells: vec![s.decline], period: Period::Daily, from, to })
        .await
        .unwrap();
    assert_eq!(all.len(), stored.len());
    assert_eq!(all.len(), 5 * 5, "5 days x oil, gas, water, tubing, hours on");
    for (view, a) in all.iter().zip(&stored) {
        assert_eq!(view["field"], a.field.as_str());
        assert_eq!(view["period_start"], a.period.local_start().to_string());
        assert_eq!(view["avg"].as_f64().unwrap(), a.stats.mean);
        assert_eq!(view["sum"].as_f64().unwrap(), a.stats.sum);
        assert_eq!(view["count"].as_u64().unwrap(), u64::from(a.stats.count));
        assert_eq!(view["unit"], a.field.unit());
        assert_eq!(view["start"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), a.period.start());
    }

    let oil = get_ok(&app, &token, &format!("{path}&field=oil_bbl")).await;
    let oil = oil.as_array().unwrap();
    assert_eq!(oil.len(), 5);
    let day = oil.iter().find(|a| a["period_start"] == ago(TWO_ENTRIES).to_string()).unwrap();
    let (a, b) = s.two_entries;
    assert_eq!(day["count"], 2);
    assert_eq!(day["entries"], 2);
    assert!((day["avg"].as_f64().unwrap() - (a + b) / 2.0).abs() < 1e-9, "the day's value is the mean: {day}");
    assert_eq!(day["min"].as_f64().unwrap(), a.min(b));
    assert!(day["stddev"].as_f64().unwrap() > 0.0);
    assert_eq!(day["unit"], "bbl/d");
    assert_eq!(day["complete"], true);
    let single = oil.iter().find(|a| a["period_start"] == ago(TWO_ENTRIES - 1).to_string()).unwrap();
    assert_eq!(single["stddev"], Value::Null, "one reading has no spread");

    let monthly = get_ok(
        &app,
        &token,
        &format!(
            "/api/v1/aggregates?well_id={}&period=monthly&field=oil_bbl&from=2025-05-01&to=2025-05-31",
            s.decline.0
        ),
    )
    .await;
    let may = &monthly.as_array().unwrap()[0];
    assert_eq!(may["period"], "monthly");
    assert_eq!(may["count"], 31);
    assert_eq!(may["sum_unit"], "bbl");
    assert_eq!(may["complete"], true);

    let rows = get_csv(&app, &token, &format!("{path}&field=oil_bbl&format=csv"), "aggregates").await;
    let header = &rows[0];
    assert_eq!(rows.len(), 1 + 5, "header and one row per day");
    for name in
        ["oil_bbl_per_day_avg", "oil_bbl_per_day_min", "oil_bbl_per_day_stddev", "oil_bbl_total", "oil_bbl_days"]
    {
        column(header, name);
    }
    let row = rows.iter().find(|r| r[column(header, "period_start")] == ago(TWO_ENTRIES).to_string()).unwrap();
    assert_eq!(row[column(header, "oil_bbl_per_day_avg")].parse::<f64>().unwrap(), day["avg"].as_f64().unwrap());
    assert_eq!(row[column(header, "oil_bbl_entries")].parse::<u32>().unwrap(), 2);
    let wide = get_csv(&app, &token, &format!("{path}&format=csv"), "aggregates").await;
    assert_eq!(wide.len(), 1 + 5);
    for name in ["gas_mcf_per_day_avg", "water_bbl_total", "tubing_psig_max", "hours_on_total", "choke_64ths_avg"] {
        column(&wide[0], name);
    }
    // Choke was never measured: empty cells, not zeros.
    assert_eq!(&wide[1][column(&wide[0], "choke_64ths_avg")], "");
}

async fn trends_list_filters_sorts_paginates_and_exports(app: TestApp) {
    let s = seed(&app).await;
    let token = app.token(&app.alpha, "viewer").await;
    let all = get_ok(&app, &token, "/api/v1/trends").await;
    assert_eq!(all["total"], 4);
    assert_eq!((all["limit"].as_u64(), all["offset"].as_u64()), (Some(50), Some(0)));
    assert_eq!(
        names(&all),
        ["Alpha Decline", "Bravo Flat", "Delta Rising", "Charlie Sparse"],
        "steepest decline first"
    );
    let decline = &items(&all)[0];
    assert_eq!(decline["well_id"], s.decline.0.to_string());
    assert_eq!(decline["field"], "oil_bbl");
    assert_eq!(decline["unit"], "bbl/d");
    assert_eq!(decline["direction"], "down");
    assert_eq!(decline["well_status"], "active");
    assert_eq!(decline["lease"], "North");
    assert!(decline["slope_per_day"].as_f64().unwrap() < 0.0);
    assert!(decline["percent_change"].as_f64().unwrap() < -5.0);
    assert_eq!(decline["downtime_days"], 1);
    assert_eq!(decline["as_of"], as_of().to_string());
    assert_eq!(decline["computed_at"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), s.pass_at);
    let flat = &items(&all)[1];
    assert_eq!((flat["field"].as_str(), flat["direction"].as_str()), (Some("gas_mcf"), Some("flat")));
    assert_eq!(items(&all)[2]["direction"], "up");
    let sparse = &items(&all)[3];
    assert_eq!(sparse["direction"], "insufficient_data");
    assert_eq!(sparse["slope_per_day"], Value::Null);

    let by = |q: &'static str| {
        let (app, token) = (&app, &token);
        async move { get_ok(app, token, &format!("/api/v1/trends?{q}")).await }
    };
    assert_eq!(names(&by("sort=-change").await)[0], "Delta Rising");
    assert_eq!(names(&by("sort=name").await), ["Alpha Decline", "Bravo Flat", "Charlie Sparse", "Delta Rising"]);
    let page = by("sort=name&limit=2&offset=1").await;
    assert_eq!(names(&page), ["Bravo Flat", "Charlie Sparse"]);
    assert_eq!((page["total"].as_u64(), page["limit"].as_u64(), page["offset"].as_u64()), (Some(4), Some(2), Some(1)));
    assert_eq!(names(&by("status=shut_in").await), ["Charlie Sparse"]);
    assert_eq!(names(&by("type=gas").await), ["Bravo Flat"]);
    assert_eq!(names(&by("lease=North&sort=name").await), ["Alpha Decline", "Charlie Sparse"]);
    assert_eq!(names(&by("direction=down").await), ["Alpha Decline"]);
    assert_eq!(names(&by("direction=insufficient_data").await), ["Charlie Sparse"]);
    let water = by("field=water_bbl&sort=name").await;
    assert_eq!(water["total"], 4);
    assert!(items(&water).iter().all(|i| i["field"] == "water_bbl"));
    assert_eq!(by("direction=up&status=shut_in").await["total"], 0);

    let rows = get_csv(&app, &token, "/api/v1/trends?format=csv&sort=name&limit=1", "trends").await;
    assert_eq!(rows.len(), 1 + 4, "every matching row, whatever the page");
    let header = &rows[0];
    let name = column(header, "well_name");
    assert_eq!(
        rows[1..].iter().map(|r| &r[name]).collect::<Vec<_>>(),
        ["Alpha Decline", "Bravo Flat", "Charlie Sparse", "Delta Rising"]
    );
    assert_eq!(&rows[1][column(header, "unit")], "bbl/d");
    assert_eq!(&rows[1][column(header, "direction")], "down");
    let pc = rows[1][column(header, "percent_change")].parse::<f64>().unwrap();
    assert_eq!(pc, decline["percent_change"].as_f64().unwrap());
    assert_eq!(&rows[3][column(header, "slope_per_day")], "", "no fit, empty cell");
}

async fn trend_detail_draws_the_mini_chart(app: TestApp) {
    let s = seed(&app).await;
    let token = app.token(&app.alpha, "viewer").await;
    let sparse = get_ok(&app, &token, &format!("/api/v1/trends/{}", s.sparse.0)).await;
    assert_eq!(sparse["insufficient_data"], true);
    assert!(sparse["message"].as_str().unwrap().contains('3'));
    assert_eq!(sparse["trend_line"], Value::Null);
    assert_eq!(sparse["direction"], "insufficient_data");
    assert_eq!(sparse["points"].as_array().unwrap().len(), 2);
    assert_eq!(sparse["period_days"], 30);

    let d = get_ok(&app, &token, &format!("/api/v1/trends/{}?period=30d", s.decline.0)).await;
    assert_eq!(d["insufficient_data"], false);
    assert_eq!(d["message"], Value::Null);
    assert_eq!(d["well_name"], "Alpha Decline");
    assert_eq!((d["field"].as_str(), d["unit"].as_str()), (Some("oil_bbl"), Some("bbl/d")));
    assert_eq!(d["direction"], "down");
    assert_eq!(d["as_of"], as_of().to_string());
    let points = d["points"].as_array().unwrap();
    assert_eq!(points.len(), 29, "the 29 days before as_of have data");
    let downtime: Vec<&Value> = points.iter().filter(|p| p["downtime"] == true).collect();
    assert_eq!(downtime.len(), 1);
    assert_eq!(downtime[0]["day"], ago(DOWNTIME).to_string());
    assert_eq!(downtime[0]["hours_on"], 0.0);
    let min = d["min"].as_f64().unwrap();
    assert!(min > 100.0, "the downtime day is not the minimum: {min}");
    assert!(d["max"].as_f64().unwrap() > min);
    let line = &d["trend_line"];
    assert!(line["start"]["value"].as_f64().unwrap() > line["end"]["value"].as_f64().unwrap());
    assert!(line["start"]["day"].as_str().unwrap() < line["end"]["day"].as_str().unwrap());
    assert!(d["r_squared"].as_f64().unwrap() > 0.5);
    assert!(d["slope_per_day"].as_f64().unwrap() < 0.0);

    let week = get_ok(&app, &token, &format!("/api/v1/trends/{}?period=7d&field=gas_mcf", s.flat.0)).await;
    assert_eq!((week["field"].as_str(), week["unit"].as_str()), (Some("gas_mcf"), Some("Mcf/d")));
    assert_eq!(week["period_days"], 7);
    assert_eq!(week["points"].as_array().unwrap().len(), 6);
    let rising = get_ok(&app, &token, &format!("/api/v1/trends/{}?period=90d", s.rising.0)).await;
    assert_eq!(rising["direction"], "up");
}

async fn forecasts_serve_the_stored_default_and_compute_the_rest(app: TestApp) {
    let s = seed(&app).await;
    let token = app.token(&app.alpha, "viewer").await;
    let base = format!("/api/v1/wells/{}/forecast", s.decline.0);
    let stored = get_ok(&app, &token, &base).await;
    assert_eq!(stored["available"], true);
    assert_eq!(stored["model"], "ets");
    assert_eq!((stored["field"].as_str(), stored["unit"].as_str()), (Some("oil_bbl"), Some("bbl/d")));
    assert_eq!(stored["computed_at"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), s.pass_at, "the stored one");
    assert_eq!(stored["horizon_days"], 7);
    assert_eq!(stored["level_percent"], 95.0);
    assert_eq!(stored["points"].as_array().unwrap().len(), 7);
    // The data end yesterday: the forecast starts the day after them.
    assert_eq!(stored["as_of"], ago(1).to_string());
    assert_eq!(stored["points"][0]["day"], as_of().to_string());
    let ets = &stored["ets"];
    assert!(!ets["model_name"].as_str().unwrap().is_empty());
    for key in ["aicc", "in_sample_mae", "in_sample_rmse", "naive_baseline"] {
        assert!(ets[key].as_f64().is_some(), "{key}: {ets}");
    }
    assert!(ets["backtest"]["mae"].as_f64().is_some(), "{ets}");
    assert_eq!(stored["arps"], Value::Null);

    let fresh = get_ok(&app, &token, &format!("{base}?days=14&level=80")).await;
    assert_eq!(fresh["computed_at"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), app.clock.now());
    assert_eq!(fresh["level_percent"], 80.0);
    let points = fresh["points"].as_array().unwrap();
    assert_eq!(points.len(), 14);
    for p in points {
        let (v, lo, hi) = (p["value"].as_f64().unwrap(), p["lower"].as_f64().unwrap(), p["upper"].as_f64().unwrap());
        assert!(v >= 0.0 && lo >= 0.0 && lo <= v && v <= hi, "{p}");
    }

    let arps = get_ok(&app, &token, &format!("{base}?model=arps&days=30")).await;
    assert_eq!(arps["available"], true, "{arps}");
    assert_eq!(arps["model"], "arps");
    assert_eq!(arps["level_percent"], Value::Null);
    let points = arps["points"].as_array().unwrap();
    assert_eq!(points.len(), 30);
    assert!(points.iter().all(|p| p["lower"].is_null() && p["upper"].is_null()));
    assert!(points[0]["value"].as_f64().unwrap() > points[29]["value"].as_f64().unwrap(), "declining");
    let fit = &arps["arps"];
    assert_eq!(fit["volume_unit"], "bbl");
    let (eur, cum) = (fit["eur"].as_f64().unwrap(), fit["cumulative_to_date"].as_f64().unwrap());
    assert!(eur > cum && cum > 0.0, "{fit}");
    assert!(fit["di_secant_effective_annual_fraction"].as_f64().unwrap() > 0.0);
    assert!(fit["qi"].as_f64().unwrap() > 300.0);

    let gas = get_ok(&app, &token, &format!("/api/v1/wells/{}/forecast?field=gas_mcf", s.flat.0)).await;
    assert_eq!(
        (gas["field"].as_str(), gas["computed_at"].as_str().map(|t| t.parse::<DateTime<Utc>>().unwrap())),
        (Some("gas_mcf"), Some(s.pass_at))
    );
    let none = get_ok(&app, &token, &format!("/api/v1/wells/{}/forecast", s.sparse.0)).await;
    assert_eq!(none["available"], false);
    assert!(!none["reason"].as_str().unwrap().is_empty());
    assert_eq!(none["points"].as_array().unwrap().len(), 0);
}

async fn anomalies_are_listed_and_exported(app: TestApp) {
    let s = seed(&app).await;
    let token = app.token(&app.alpha, "viewer").await;
    let all = get_ok(&app, &token, "/api/v1/anomalies?limit=1000").await;
    let list = items(&all);
    assert_eq!(all["total"].as_u64().unwrap() as usize, list.len());
    assert!(list.iter().all(|a| a["well_id"] != s.foreign.0.to_string()), "another tenant's");
    let planted = list
        .iter()
        .find(|a| {
            a["well_id"] == s.decline.0.to_string() && a["field"] == "oil_bbl" && a["day"] == ago(OUTLIER).to_string()
        })
        .unwrap_or_else(|| panic!("the planted drop is found: {all}"));
    assert_eq!(planted["direction"], "drop");
    assert_eq!(planted["severity"], "high");
    assert!(planted["z"].as_f64().unwrap() < -4.0);
    assert_eq!(planted["unit"], "bbl/d");
    assert_eq!(planted["well_name"], "Alpha Decline");
    assert_eq!(planted["detected_at"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), s.pass_at);
    assert!(
        !list.iter().any(|a| a["well_id"] == s.decline.0.to_string() && a["day"] == ago(DOWNTIME).to_string()),
        "a downtime day is not an anomaly"
    );
    let days: Vec<&str> = list.iter().map(|a| a["day"].as_str().unwrap()).collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let mine = get_ok(&app, &token, &format!("/api/v1/anomalies?well_id={}&field=oil_bbl", s.decline.0)).await;
    assert!(items(&mine).iter().all(|a| a["well_id"] == s.decline.0.to_string() && a["field"] == "oil_bbl"));
    assert!(items(&mine).iter().any(|a| a["day"] == ago(OUTLIER).to_string()));
    let recent = get_ok(&app, &token, &format!("/api/v1/anomalies?since={}", ago(OUTLIER - 1))).await;
    assert!(items(&recent).iter().all(|a| a["day"].as_str().unwrap() >= ago(OUTLIER - 1).to_string().as_str()));
    assert!(list.len() >= 2, "oil and gas of the planted day: {all}");
    let paged = get_ok(&app, &token, "/api/v1/anomalies?limit=1&offset=1").await;
    assert_eq!(items(&paged), &vec![list[1].clone()]);
    assert_eq!(paged["total"], all["total"]);
    assert_eq!((paged["limit"].as_u64(), paged["offset"].as_u64()), (Some(1), Some(1)));

    let rows =
        get_csv(&app, &token, &format!("/api/v1/anomalies?well_id={}&format=csv", s.decline.0), "anomalies").await;
    let header = &rows[0];
    let every_field = get_ok(&app, &token, &format!("/api/v1/anomalies?well_id={}", s.decline.0)).await;
    assert_eq!(rows.len(), 1 + every_field["total"].as_u64().unwrap() as usize);
    let row = rows
        .iter()
        .find(|r| {
            &r[column(header, "day")] == ago(OUTLIER).to_string().as_str() && &r[column(header, "field")] == "oil_bbl"
        })
        .unwrap();
    assert_eq!(row[column(header, "z")].parse::<f64>().unwrap(), planted["z"].as_f64().unwrap());
    assert_eq!(&row[column(header, "unit")], "bbl/d");
    assert_eq!(&row[column(header, "direction")], "drop");
}

async fn every_bad_parameter_is_named(app: TestApp) {
    let s = seed(&app).await;
    let token = app.token(&app.alpha, "viewer").await;
    let w = s.decline.0;
    let agg = |rest: &str| format!("/api/v1/aggregates?{rest}");
    let ok = format!("well_id={w}&period=daily&from=2025-06-01&to=2025-06-10");
    for (path, parameter) in [
        (agg("period=daily&from=2025-06-01&to=2025-06-10"), "well_id"),
        (agg("well_id=nope&period=daily&from=2025-06-01&to=2025-06-10"), "well_id"),
        (agg(&format!("well_id={w}&from=2025-06-01&to=2025-06-10")), "period"),
        (agg(&format!("well_id={w}&period=hourly&from=2025-06-01&to=2025-06-10")), "period"),
        (agg(&format!("well_id={w}&period=daily&to=2025-06-10")), "from"),
        (agg(&format!("well_id={w}&period=daily&from=2025-13-01&to=2025-06-10")), "from"),
        (agg(&format!("well_id={w}&period=daily&from=06/01/2025&to=2025-06-10")), "from"),
        (agg(&format!("well_id={w}&period=daily&from=2025-06-01")), "to"),
        (agg(&format!("well_id={w}&period=daily&from=2025-06-10&to=2025-06-01")), "from"),
        (agg(&format!("well_id={w}&period=daily&from=2010-01-01&to=2025-06-01")), "to"),
        (agg(&format!("{ok}&field=oil")), "field"),
        (agg(&format!("{ok}&format=xml")), "format"),
        (agg(&format!("{ok}&colour=red")), "colour"),
        ("/api/v1/trends?limit=0".into(), "limit"),
        ("/api/v1/trends?limit=501".into(), "limit"),
        ("/api/v1/trends?limit=ten".into(), "limit"),
        ("/api/v1/trends?offset=-1".into(), "offset"),
        ("/api/v1/trends?status=flowing".into(), "status"),
        ("/api/v1/trends?type=steam".into(), "type"),
        ("/api/v1/trends?direction=sideways".into(), "direction"),
        ("/api/v1/trends?field=tubing_psig".into(), "field"),
        ("/api/v1/trends?field=oil".into(), "field"),
        ("/api/v1/trends?sort=percent".into(), "sort"),
        ("/api/v1/trends?format=pdf".into(), "format"),
        (format!("/api/v1/trends/{w}?period=30"), "period"),
        (format!("/api/v1/trends/{w}?period=d"), "period"),
        (format!("/api/v1/trends/{w}?period=2d"), "period"),
        (format!("/api/v1/trends/{w}?period=3661d"), "period"),
        (format!("/api/v1/trends/{w}?period=-5d"), "period"),
        (format!("/api/v1/trends/{w}?period=1m"), "period"),
        (format!("/api/v1/trends/{w}?field=oil"), "field"),
        ("/api/v1/trends/not-a-uuid".into(), "well_id"),
        (format!("/api/v1/wells/{w}/forecast?days=0"), "days"),
        (format!("/api/v1/wells/{w}/forecast?days=91"), "days"),
        (format!("/api/v1/wells/{w}/forecast?days=seven"), "days"),
        (format!("/api/v1/wells/{w}/forecast?level=50"), "level"),
        (format!("/api/v1/wells/{w}/forecast?level=100"), "level"),
        (format!("/api/v1/wells/{w}/forecast?level=NaN"), "level"),
        (format!("/api/v1/wells/{w}/forecast?level=high"), "level"),
        (format!("/api/v1/wells/{w}/forecast?model=prophet"), "model"),
        (format!("/api/v1/wells/{w}/forecast?field=oil"), "field"),
        ("/api/v1/wells/not-a-uuid/forecast".into(), "id"),
        ("/api/v1/anomalies?since=yesterday".into(), "since"),
        ("/api/v1/anomalies?well_id=42".into(), "well_id"),
        ("/api/v1/anomalies?field=choke_64ths".into(), "field"),
        ("/api/v1/anomalies?limit=0".into(), "limit"),
        ("/api/v1/anomalies?limit=1001".into(), "limit"),
        ("/api/v1/anomalies?format=xlsx".into(), "format"),
    ] {
        expect_bad_parameter(&app, &token, &path, parameter).await;
    }
    let admin = app.token(&app.alpha, "admin").await;
    expect_bad_parameter(&app, &admin, "/api/v1/admin/jobs?job=hourly", "job").await;
    expect_bad_parameter(&app, &admin, "/api/v1/admin/jobs?limit=0", "limit").await;
    expect_bad_parameter(&app, &admin, "/api/v1/admin/jobs?limit=201", "limit").await;
}

async fn unknown_foreign_and_unauthenticated_are_refused(app: TestApp) {
    let s = seed(&app).await;
    let token = app.token(&app.alpha, "viewer").await;
    let unknown = Uuid::new_v4();
    for well in [unknown, s.foreign.0] {
        for path in [
            format!("/api/v1/aggregates?well_id={well}&period=daily&from=2025-06-01&to=2025-06-10"),
            format!("/api/v1/trends/{well}"),
            format!("/api/v1/wells/{well}/forecast"),
            format!("/api/v1/wells/{well}/forecast?model=arps"),
            format!("/api/v1/anomalies?well_id={well}"),
        ] {
            let (status, body) = get(&app, &token, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
            assert_eq!(body["code"], "not_found");
        }
    }
    // Beta sees its own well and none of alpha's.
    let beta = app.token(&app.beta, "ops").await;
    let trends = get_ok(&app, &beta, "/api/v1/trends").await;
    assert_eq!(names(&trends), ["Echo Foreign"]);
    let anomalies = get_ok(&app, &beta, "/api/v1/anomalies?limit=1000").await;
    assert!(items(&anomalies).iter().all(|a| a["well_id"] == s.foreign.0.to_string()));
    assert!(items(&anomalies).iter().any(|a| a["day"] == ago(OUTLIER).to_string()));
    let (status, _) = get(&app, &beta, &format!("/api/v1/trends/{}", s.decline.0)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    for path in [
        "/api/v1/aggregates".to_owned(),
        "/api/v1/trends".to_owned(),
        format!("/api/v1/trends/{}", s.decline.0),
        format!("/api/v1/wells/{}/forecast", s.decline.0),
        "/api/v1/anomalies".to_owned(),
        "/api/v1/admin/jobs".to_owned(),
    ] {
        let res = app.http.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "unauthorized");
        let res = app.http.get(app.url(&path)).bearer_auth("forged.token.value").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let res = app.http.post(app.url("/api/v1/admin/backfill")).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn finished_backfills(app: &TestApp, admin: &str) -> Vec<Value> {
    let runs = get_ok(app, admin, "/api/v1/admin/jobs?job=backfill&limit=200").await;
    runs.as_array().unwrap().iter().filter(|r| r["status"] == "succeeded").cloned().collect()
}

async fn admin_backfill_runs_in_the_background(app: TestApp) {
    let s = seed(&app).await;
    let admin = app.token(&app.alpha, "admin").await;
    let post = |token: String, body: Option<Value>| {
        let app = &app;
        async move {
            let mut req = app.http.post(app.url("/api/v1/admin/backfill")).bearer_auth(token);
            if let Some(body) = body {
                req = req.json(&body);
            }
            let res = req.send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    for user in ["ops", "viewer"] {
        let token = app.token(&app.alpha, user).await;
        let (status, body) = post(token.clone(), Some(json!({}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{user}");
        let (status, _) = get(&app, &token, "/api/v1/admin/jobs").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
    }
    let (status, body) = post(admin.clone(), Some(json!({ "from": "2025-06-10", "to": "2025-06-01" }))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_parameter")));
    assert!(body["message"].as_str().unwrap().contains("from"));
    let (status, body) = post(admin.clone(), Some(json!({ "since": "2025-06-01" }))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")));
    let (status, body) = post(admin.clone(), Some(json!({ "from": "June" }))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")));

    // While one runs for the tenant, another is refused.
    let slot = app.state.backfills.try_start(s.alpha).unwrap();
    let (status, body) = post(admin.clone(), Some(json!({}))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{body}");
    drop(slot);

    let before = finished_backfills(&app, &admin).await.len();
    assert!(before >= 1, "the seeding backfill is listed");
    let (status, body) = post(admin.clone(), None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["job"], "backfill");
    assert_eq!(body["wells"], 4);
    assert_eq!(body["started_at"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), app.clock.now());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let runs = loop {
        let runs = finished_backfills(&app, &admin).await;
        if runs.len() > before && !app.state.backfills.is_running(s.alpha) {
            break runs;
        }
        assert!(std::time::Instant::now() < deadline, "the backfill did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(runs.len(), before + 1);
    let run = &runs[0];
    assert_eq!(run["job"], "backfill");
    assert!(run["rows"].as_u64().unwrap() > 0);
    assert!(run["finished_at"].is_string());
    assert!(run["message"].as_str().unwrap().contains("4 wells"), "{run}");
    let (status, body) = post(admin.clone(), Some(json!({ "from": "2025-06-01", "to": "2025-06-30" }))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while app.state.backfills.is_running(s.alpha) {
        assert!(std::time::Instant::now() < deadline, "the backfill did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Only the tenant's own runs: beta's seeding backfill (same instant) is not listed.
    let all = get_ok(&app, &admin, "/api/v1/admin/jobs?limit=200").await;
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), before + 2, "{all:?}");
    assert!(all.iter().all(|r| r["job"] == "backfill" && r["status"] == "succeeded"), "{all:?}");
    let limited = get_ok(&app, &admin, "/api/v1/admin/jobs?limit=1").await;
    assert_eq!(limited.as_array().unwrap().len(), 1);
}

macro_rules! on_both_dialects {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() {
                let (s, dir) = crate::common::sqlite().await;
                super::$name(crate::common::spawn_app_on(s, Some(dir)).await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() {
                if let Some(s) = crate::common::postgres().await {
                    super::$name(crate::common::spawn_app_on(s, None).await).await;
                }
            })*
        }
    };
}

on_both_dialects!(
    aggregates_match_the_stored_ones_as_json_and_csv,
    trends_list_filters_sorts_paginates_and_exports,
    trend_detail_draws_the_mini_chart,
    forecasts_serve_the_stored_default_and_compute_the_rest,
    anomalies_are_listed_and_exported,
    every_bad_parameter_is_named,
    unknown_foreign_and_unauthenticated_are_refused,
    admin_backfill_runs_in_the_background,
);
