//! The dashboard export (`POST /api/v1/dashboard/export`) end to end on a real server and a real SQLite file: a
//! small hand-built fleet with nine days of readings and one critical alarm; the PDF's headers, its text (the KPI
//! values as the KPI endpoint reports them, formatted as the report prints them, a well, the alarm, the generated-at
//! line); the CSV's rows (one per card, one per matching well) and the filters; every bad input named; tenancy; the
//! configured company name and logo. Test names contain "export".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::expect_error;

use chrono::{DateTime, TimeZone, Utc};
use common::{PASSWORD, SECRET, TestApp, spawn_app};
use flowline_backend::app::{build_state, spawn_server};
use flowline_backend::ports::Clock;
use flowline_backend::services::Deps;
use flowline_backend::services::aggregation::AggregationService;
use flowline_backend::services::export::Branding;
use flowline_backend::services::ingest::IngestService;
use flowline_report::{CSV_HEADER, local_time, thousands};
use flowline_shared::{EntryId, EntrySource, FieldEntryDraft, WellId};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use uuid::Uuid;

const TZ: chrono_tz::Tz = chrono_tz::America::Chicago;

/// A local time of a June 2024 day in Chicago (CDT, UTC-5).
fn local(day: u32, hour: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(2024, 6, day, hour, 0, 0).unwrap().with_timezone(&Utc)
}

async fn create_well(app: &TestApp, token: &str, body: Value) -> WellId {
    let res = app.http.post(app.url("/api/v1/wells")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
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
        downtime_reason: (hours_on < 24.0).then_some(flowline_shared::DowntimeReason::Mechanical),
        source: EntrySource::Manual,
        is_correction: false,
    }
}

/// Three wells of `alpha` with readings on 2-10 June 2024 (10:00 local), aggregated; the clock at noon local on the
/// 10th; then a zero reading of `Gas 2` at 11:00 through the API, which raises a critical "well down" alarm.
///
/// - `Oil 1` (oil, active, lease North, API 42-317-12345): 100 bbl/d oil, 200 Mcf/d, 24 h on; on the 10th 60 / 120
///   with 12 h on.
/// - `Gas 2` (gas, active, lease South): 1,000 Mcf/d, 24 h on (its latest reading is the zero one).
/// - `Shut 3` (oil, shut in, lease North): 30 / 60 on the 2nd to the 4th only.
async fn seed(app: &TestApp) {
    app.clock.set(local(10, 12));
    let ops = app.token(&app.alpha, "ops").await;
    let oil = create_well(
        app,
        &ops,
        json!({ "name": "Oil 1", "type": "oil", "lease": "North", "api_number": "42-317-12345",
                "latitude": 31.9, "longitude": -102.1 }),
    )
    .await;
    let gas = create_well(app, &ops, json!({ "name": "Gas 2", "type": "gas", "lease": "South" })).await;
    let shut =
        create_well(app, &ops, json!({ "name": "Shut 3", "type": "oil", "status": "shut_in", "lease": "North" })).await;
    let mut entries = Vec::new();
    for day in 2..=10 {
        let (oil_bbl, gas_mcf, hours) = if day < 10 { (100.0, 200.0, 24.0) } else { (60.0, 120.0, 12.0) };
        entries.push(draft(oil, local(day, 10), oil_bbl, gas_mcf, hours));
        entries.push(draft(gas, local(day, 10), 0.0, 1000.0, 24.0));
        if day <= 4 {
            entries.push(draft(shut, local(day, 10), 30.0, 60.0, 24.0));
        }
    }
    let deps = Deps { storage: Arc::clone(&app.storage), clock: app.clock.clone() };
    let alpha = app.tenant_id(&app.alpha).await;
    IngestService::new(deps.clone()).ingest(alpha, entries).await.unwrap();
    let tenant = app.storage.tenant_by_id(alpha).await.unwrap().unwrap();
    AggregationService::new(deps).backfill(&tenant, None, None, &|_| {}).await.unwrap().unwrap();

    let body = json!({ "entries": [{ "id": Uuid::now_v7(), "well_id": gas.0, "recorded_at": local(10, 11),
                                     "oil_bbl": 0.0, "gas_mcf": 0.0, "water_bbl": 5.0, "hours_on": 24 }] });
    let res = app.http.post(app.url("/api/v1/field-entries")).bearer_auth(&ops).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

async fn export(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.http.post(app.url("/api/v1/dashboard/export")).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn kpis(app: &TestApp, token: &str) -> Value {
    let res = app.http.get(app.url("/api/v1/dashboard/kpis")).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Text of every page, whitespace collapsed (lopdf decodes the fonts' ToUnicode maps).
fn pdf_text(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("lopdf parses the PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text of the pages");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pdf_has_image(pdf: &[u8]) -> bool {
    let doc = lopdf::Document::load_mem(pdf).expect("lopdf parses the PDF");
    doc.objects.values().any(|o| {
        o.as_stream().is_ok_and(|s| s.dict.get(b"Subtype").and_then(|v| v.as_name()).is_ok_and(|n| n == b"Image"))
    })
}

/// The report's automatic decimals (`flowline_report::format::auto_decimals`): 1 for percentages, 0 from 100, 1
/// from 1 (and for 0), else 2.
fn auto_decimals(value: f64, unit: &str) -> usize {
    let m = value.abs();
    if unit == "%" {
        1
    } else if m >= 100.0 {
        0
    } else if m >= 1.0 || m == 0.0 {
        1
    } else {
        2
    }
}

/// Parses the CSV: every record as wide as the header, which is the report's.
fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), CSV_HEADER.to_vec());
    reader.records().collect::<Result<Vec<_>, _>>().expect("every record parses")
}

fn col(name: &str) -> usize {
    CSV_HEADER.iter().position(|h| *h == name).expect("column")
}

/// The CSV export's rows for `filters`, after checking the download headers.
async fn csv_export(app: &TestApp, token: &str, filters: Value) -> Vec<csv::StringRecord> {
    let res = export(app, token, json!({ "format": "csv", "filters": filters })).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"dashboard_export_2024-06-10.csv\"");
    csv_rows(&res.text().await.unwrap())
}

fn well_names(rows: &[csv::StringRecord]) -> Vec<String> {
    rows.iter().filter(|r| &r[0] == "well").map(|r| r[col("well")].to_owned()).collect()
}

#[tokio::test]
async fn export_pdf_has_the_download_headers_and_the_kpis_as_the_kpi_endpoint_reports_them() {
    let app = spawn_app().await;
    seed(&app).await;
    // Any role may export.
    let viewer = app.token(&app.alpha, "viewer").await;
    let k = kpis(&app, &viewer).await;
    let res = export(&app, &viewer, json!({ "format": "pdf" })).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"dashboard_export_2024-06-10.pdf\"");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);

    // The six cards' values as the KPI endpoint reports them, printed with the report's decimals (counts 0,
    // downtime 1, the rest from the magnitude).
    let cards = [
        ("Total oil", &k["total_oil"]["value"], None),
        ("Total gas", &k["total_gas"]["value"], None),
        ("Active wells", &k["active_wells"]["active"], Some(0)),
        ("Fleet revenue", &k["fleet_revenue"]["value"], None),
        ("Unacknowledged alarms", &k["unacknowledged_alarms"]["value"], Some(0)),
        ("Downtime", &k["downtime"]["value"], Some(1)),
    ];
    for (label, value, decimals) in cards {
        assert!(text.contains(label), "card {label} missing: {text}");
        let v = value.as_f64().unwrap_or_else(|| panic!("{label} has a value: {k}"));
        let unit = if label == "Downtime" { "%" } else { "" };
        let printed = thousands(v, decimals.unwrap_or_else(|| auto_decimals(v, unit)));
        assert!(text.contains(&printed), "{label} = {v} printed as {printed} missing: {text}");
    }
    // Hand-checked figures of the fleet: 60 bbl/d of oil and 1,120 Mcf/d of gas on the 10th, 25 % downtime (Oil 1
    // half a day down, Gas 2 up), one unacknowledged critical alarm.
    assert_eq!(k["total_oil"]["value"], 60.0);
    assert_eq!(k["total_gas"]["value"], 1120.0);
    assert!(text.contains("60.0") && text.contains("1,120") && text.contains("25.0"), "{text}");
    assert_eq!(k["unacknowledged_alarms"]["critical"], 1);
    assert!(text.contains("1 critical, 0 high, 0 low"), "{text}");
    assert!(text.contains("CRITICAL") && text.contains("HIGH"), "abnormal cards carry their priority: {text}");

    // Wells, the alarm, the chart, the header and footer.
    for well in ["Oil 1", "Gas 2", "Shut 3", "42-317-12345-00-00", "Shut in", "Down"] {
        assert!(text.contains(well), "{well} missing: {text}");
    }
    assert!(text.contains("Well down"), "the alarm's rule: {text}");
    assert!(text.contains("Fleet oil rate, last 60 days"), "{text}");
    assert!(text.contains("Flowline") && text.contains("Production dashboard"), "{text}");
    let generated = format!("Generated {}", local_time(app.clock.now(), TZ));
    assert!(text.contains(&generated), "{generated} missing: {text}");
    assert!(text.contains("Generated 2024-06-10 12:00 CDT"), "{text}");
    assert!(text.contains("Wells: all wells"), "the filter line: {text}");
    assert!(!pdf_has_image(&pdf), "no logo configured");
}

#[tokio::test]
async fn export_csv_has_a_row_per_card_and_per_matching_well_and_filters_narrow_the_wells() {
    let app = spawn_app().await;
    seed(&app).await;
    let ops = app.token(&app.alpha, "ops").await;
    let k = kpis(&app, &ops).await;

    let rows = csv_export(&app, &ops, json!({})).await;
    let kpi_rows: Vec<_> = rows.iter().filter(|r| &r[0] == "kpi").collect();
    let labels: Vec<&str> = kpi_rows.iter().map(|r| &r[col("kpi")]).collect();
    assert_eq!(
        labels,
        ["Total oil", "Total gas", "Active wells", "Fleet revenue", "Unacknowledged alarms", "Downtime"],
        "one row per card"
    );
    let value = |label: &str| -> f64 {
        let row = kpi_rows.iter().find(|r| &r[col("kpi")] == label).unwrap();
        row[col("value")].parse().unwrap()
    };
    assert_eq!(value("Total gas"), k["total_gas"]["value"].as_f64().unwrap());
    assert_eq!(value("Fleet revenue"), k["fleet_revenue"]["value"].as_f64().unwrap());
    assert_eq!(value("Downtime"), k["downtime"]["value"].as_f64().unwrap());
    assert_eq!(value("Unacknowledged alarms"), 1.0);
    assert_eq!(well_names(&rows), ["Gas 2", "Oil 1", "Shut 3"], "every well, by name");

    // The well rows: the latest reading's rates, water and downtime; the alarm; the status.
    let well = |name: &str| rows.iter().find(|r| &r[0] == "well" && &r[col("well")] == name).unwrap().clone();
    let oil = well("Oil 1");
    assert_eq!(&oil[col("api_number")], "42-317-12345-00-00");
    assert_eq!((&oil[col("oil_bopd")], &oil[col("gas_mcfd")], &oil[col("water_bwpd")]), ("60", "120", "10"));
    assert_eq!(oil[col("downtime_percent")].parse::<f64>().unwrap(), 50.0);
    assert_eq!(&oil[col("last_reading_at")], "2024-06-10T15:00:00Z");
    let gas = well("Gas 2");
    assert_eq!((&gas[col("status")], &gas[col("alarm_priority")]), ("Down", "critical"));
    assert_eq!(&gas[col("water_bwpd")], "5");
    assert_eq!(&well("Shut 3")[col("status")], "Shut in");

    // Filters narrow the well rows only.
    let cases = [
        (json!({ "status": "active" }), vec!["Gas 2", "Oil 1"]),
        (json!({ "type": "gas" }), vec!["Gas 2"]),
        (json!({ "lease": "North" }), vec!["Oil 1", "Shut 3"]),
        (json!({ "lease": "North", "status": "active" }), vec!["Oil 1"]),
        (json!({ "lease": "Nowhere" }), vec![]),
    ];
    for (filters, expected) in cases {
        let rows = csv_export(&app, &ops, filters.clone()).await;
        assert_eq!(well_names(&rows), expected, "{filters}");
        assert_eq!(rows.iter().filter(|r| &r[0] == "kpi").count(), 6, "{filters}");
    }
}

#[tokio::test]
async fn export_rejects_a_bad_format_unknown_fields_and_bad_filters_naming_them() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;

    let body = expect_error(
        export(&app, &ops, json!({ "format": "xml" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;
    assert_eq!(body["details"]["path"], "format", "{body}");
    assert!(body["message"].as_str().unwrap().contains("xml"), "{body}");

    let body =
        expect_error(export(&app, &ops, json!({})).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert!(body["message"].as_str().unwrap().contains("format"), "{body}");

    let body = expect_error(
        export(&app, &ops, json!({ "format": "pdf", "colour": "red" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;
    assert!(body["message"].as_str().unwrap().contains("colour"), "{body}");

    let body = expect_error(
        export(&app, &ops, json!({ "format": "csv", "filters": { "field": "Permian" } })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;
    assert!(body["message"].as_str().unwrap().contains("field"), "{body}");

    for (filters, path) in [
        (json!({ "status": "producing" }), "filters.status"),
        (json!({ "type": "water" }), "filters.type"),
        (json!({ "lease": 7 }), "filters.lease"),
    ] {
        let res = export(&app, &ops, json!({ "format": "csv", "filters": filters })).await;
        let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
        assert_eq!(body["details"]["path"], path, "{body}");
    }

    let res = export(&app, &ops, json!({ "format": "csv", "filters": { "lease": "   " } })).await;
    let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["details"]["fields"][0]["field"], "filters.lease", "{body}");
    let res = export(&app, &ops, json!({ "format": "csv", "filters": { "lease": "x".repeat(201) } })).await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    let res = app
        .http
        .post(app.url("/api/v1/dashboard/export"))
        .bearer_auth(&ops)
        .header("content-type", "application/json")
        .body("{\"format\": ")
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_json").await;

    let res =
        app.http.post(app.url("/api/v1/dashboard/export")).json(&json!({ "format": "pdf" })).send().await.unwrap();
    expect_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn export_of_another_tenant_shows_none_of_this_tenants_wells() {
    let app = spawn_app().await;
    seed(&app).await;
    let beta = app.token(&app.beta, "ops").await;
    create_well(&app, &beta, json!({ "name": "Beta 9", "type": "oil" })).await;

    let rows = csv_export(&app, &beta, json!({})).await;
    assert_eq!(well_names(&rows), ["Beta 9"]);
    let alarms = rows.iter().find(|r| &r[col("kpi")] == "Unacknowledged alarms").unwrap();
    assert_eq!(&alarms[col("value")], "0", "alpha's alarm is not beta's");

    let res = export(&app, &beta, json!({ "format": "pdf" })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = pdf_text(&res.bytes().await.unwrap());
    assert!(text.contains("Beta 9"), "{text}");
    for alpha_well in ["Oil 1", "Gas 2", "Shut 3"] {
        assert!(!text.contains(alpha_well), "{alpha_well} leaked into beta's export: {text}");
    }

    let alpha = app.token(&app.alpha, "ops").await;
    assert!(!well_names(&csv_export(&app, &alpha, json!({})).await).contains(&"Beta 9".to_owned()));
}

/// A 64 x 16 RGB PNG.
fn logo_png() -> Vec<u8> {
    let (w, h) = (64u32, 16u32);
    let pixels: Vec<u8> =
        (0..w * h).flat_map(|i| if (i % w) / 8 % 2 == 0 { [40, 40, 120] } else { [235; 3] }).collect();
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header().unwrap().write_image_data(&pixels).unwrap();
    }
    out
}

#[tokio::test]
async fn export_prints_the_configured_company_name_and_logo() {
    assert!(Branding::new("X", Some(b"not a png".to_vec())).is_err(), "an undecodable logo is refused");

    let app = spawn_app().await;
    app.clock.set(local(10, 12));
    // A second server on the same database and clock, branded as `serve` brands it from the configuration.
    let mut state =
        build_state(Arc::clone(&app.storage), app.clock.clone(), SECRET, chrono::Duration::hours(1)).unwrap();
    state.export = state.export.with_branding(Branding::new("Permian Operating LLC", Some(logo_png())).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = spawn_server(listener, state, 1 << 20).unwrap();
    let base = server.base_url();
    let login = json!({ "tenant": app.alpha, "username": "viewer", "password": PASSWORD });
    let res = app.http.post(format!("{base}/api/v1/auth/login")).json(&login).send().await.unwrap();
    let token = res.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();

    let res = app
        .http
        .post(format!("{base}/api/v1/dashboard/export"))
        .bearer_auth(&token)
        .json(&json!({ "format": "pdf" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let pdf = res.bytes().await.unwrap();
    assert!(pdf_text(&pdf).contains("Permian Operating LLC"));
    assert!(pdf_has_image(&pdf), "the logo is embedded");
    server.stop().await.unwrap();
}
