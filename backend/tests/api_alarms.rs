//! The alarm API end to end on a real server and SQLite file: alarms raised by ingest and announced on the event
//! stream, one open alarm per (well, rule), the ISA-18.2 life cycle through the API, acknowledge-all, shelving,
//! the rules, roles, tenancy, and every documented bad input (a 4xx naming it, nothing changed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::expect_error;

use chrono::{Duration, SecondsFormat, Utc};
use common::{TestApp, spawn_app};
use flowline_shared::dto::events::{EventKind, StreamMessage};
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

async fn a_well(app: &TestApp, token: &str, name: &str) -> String {
    let res = app
        .http
        .post(app.url("/api/v1/wells"))
        .bearer_auth(token)
        .json(&json!({ "name": name, "type": "oil", "latitude": 31.9, "longitude": -102.1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

/// Ingests one reading of `well` taken now (the test clock), with the given oil and gas rates.
async fn reading(app: &TestApp, token: &str, well: &str, oil: f64, gas: f64) {
    let at = app.clock.now_rfc3339();
    let body = json!({ "entries": [{ "id": Uuid::now_v7(), "well_id": well, "recorded_at": at, "oil_bbl": oil,
                                     "gas_mcf": gas, "water_bbl": 10.0, "tubing_psig": 300.0, "hours_on": 24 }] });
    let res = app.http.post(app.url("/api/v1/field-entries")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

trait ClockExt {
    fn now_rfc3339(&self) -> String {
        self.now_rfc3339_plus(Duration::zero())
    }
    fn now_rfc3339_plus(&self, by: Duration) -> String;
}

impl ClockExt for common::TestClock {
    fn now_rfc3339_plus(&self, by: Duration) -> String {
        use flowline_backend::ports::Clock;
        (self.now() + by).to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap()
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.http.post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn alarms(app: &TestApp, token: &str, query: &str) -> Value {
    let res = get(app, token, &format!("/api/v1/alarms{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The next alarm event on the stream (heartbeats and `kpis_changed` skipped).
async fn next_event(
    socket: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
) -> (EventKind, Value) {
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next()).await.unwrap();
        let Message::Text(text) = frame.unwrap().unwrap() else { continue };
        let message: StreamMessage = serde_json::from_str(&text).unwrap();
        if let Some((kind, body)) = message.as_event()
            && kind != EventKind::KpisChanged
        {
            return (kind, Value::Object(body.data.clone()));
        }
    }
}

#[tokio::test]
async fn ingest_raises_one_alarm_per_well_and_rule_and_its_life_cycle_is_announced() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let well = a_well(&app, &ops, "Down 1").await;
    let ws = format!("{}/api/v1/ws/alerts?token={ops}", app.base_url.replacen("http", "ws", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(ws).await.unwrap();

    // No oil and no gas from an active well: well down, critical.
    reading(&app, &ops, &well, 0.0, 0.0).await;
    let (kind, data) = next_event(&mut socket).await;
    assert_eq!(kind, EventKind::AlertCreated);
    assert_eq!(
        (data["alert"]["rule"].as_str(), data["alert"]["priority"].as_str()),
        (Some("well_down"), Some("critical"))
    );
    let listed = alarms(&app, &ops, "").await;
    assert_eq!(listed["total"], 1);
    let alarm = &listed["items"][0];
    assert_eq!(alarm["well_name"], "Down 1");
    assert_eq!(alarm["state"], "active_unacknowledged");
    assert_eq!(alarm["priority_label"], "Critical");
    let id = alarm["id"].as_str().unwrap().to_owned();

    // Still down: the same alarm, no second one.
    app.clock.advance(Duration::minutes(5));
    reading(&app, &ops, &well, 0.0, 0.0).await;
    assert_eq!(alarms(&app, &ops, "").await["total"], 1);

    // Producing again: returned to normal, unacknowledged (kept visible), announced as an update.
    app.clock.advance(Duration::minutes(5));
    reading(&app, &ops, &well, 120.0, 300.0).await;
    let (kind, data) = next_event(&mut socket).await;
    assert_eq!((kind, data["alert"]["state"].as_str()), (EventKind::AlertUpdated, Some("returned_unacknowledged")));
    // Down again before anyone acknowledged: the same alarm re-raised, occurrence 2.
    app.clock.advance(Duration::minutes(5));
    reading(&app, &ops, &well, 0.0, 0.0).await;
    let (kind, data) = next_event(&mut socket).await;
    assert_eq!(kind, EventKind::AlertUpdated);
    assert_eq!((data["alert"]["id"].as_str(), data["alert"]["occurrences"].as_u64()), (Some(id.as_str()), Some(2)));

    // Acknowledged with a comment (who and when recorded), then producing: closed, announced as cleared.
    let res =
        post(&app, &ops, &format!("/api/v1/alarms/{id}/acknowledge"), json!({ "comment": "crew on the way" })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let acked: Value = res.json().await.unwrap();
    assert_eq!(acked["state"], "active_acknowledged");
    assert_eq!(acked["acknowledged"]["comment"], "crew on the way");
    assert!(acked["acknowledged"]["by"].is_string());
    assert_eq!(next_event(&mut socket).await.0, EventKind::AlertUpdated);
    app.clock.advance(Duration::minutes(5));
    reading(&app, &ops, &well, 120.0, 300.0).await;
    let (kind, data) = next_event(&mut socket).await;
    assert_eq!((kind, data["alert"]["state"].as_str()), (EventKind::AlertCleared, Some("normal")));

    // The journal has every transition, oldest first.
    let journal: Value = get(&app, &ops, &format!("/api/v1/alarms/{id}/journal")).await.json().await.unwrap();
    let actions: Vec<&str> = journal.as_array().unwrap().iter().map(|t| t["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["raised", "returned", "raised", "acknowledged", "returned"]);
    assert_eq!(alarms(&app, &ops, "?state=normal").await["total"], 1);
    assert_eq!(alarms(&app, &ops, "?state=active_unacknowledged").await["total"], 0);
}

#[tokio::test]
async fn operators_act_on_alarms_viewers_read_and_other_tenants_see_nothing() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let viewer = app.token(&app.alpha, "viewer").await;
    let (w1, w2) = (a_well(&app, &ops, "W-1").await, a_well(&app, &ops, "W-2").await);
    reading(&app, &ops, &w1, 0.0, 0.0).await;
    reading(&app, &ops, &w2, 0.0, 0.0).await;
    let listed = alarms(&app, &viewer, "?priority=critical").await;
    assert_eq!(listed["total"], 2, "viewers read");
    let id = listed["items"][0]["id"].as_str().unwrap().to_owned();

    // Viewers may not act; nothing changes.
    let res = post(&app, &viewer, &format!("/api/v1/alarms/{id}/acknowledge"), json!({})).await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = post(&app, &viewer, "/api/v1/alarms/acknowledge", json!({})).await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(alarms(&app, &ops, "?state=active_unacknowledged").await["total"], 2);

    // Another tenant: 404 for the alarm, an empty list.
    let beta = app.token(&app.beta, "ops").await;
    expect_error(get(&app, &beta, &format!("/api/v1/alarms/{id}")).await, StatusCode::NOT_FOUND, "not_found").await;
    let res = post(&app, &beta, &format!("/api/v1/alarms/{id}/acknowledge"), json!({})).await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(alarms(&app, &beta, "").await["total"], 0);

    // Bad inputs name what was wrong and change nothing.
    let long = "x".repeat(501);
    let res = post(&app, &ops, &format!("/api/v1/alarms/{id}/acknowledge"), json!({ "comment": long })).await;
    assert_eq!(
        expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await["details"]["parameter"],
        "comment"
    );
    let res = post(&app, &ops, "/api/v1/alarms/not-a-uuid/acknowledge", json!({})).await;
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    let res = post(&app, &ops, &format!("/api/v1/alarms/{id}/acknowledge"), json!({ "coment": "typo" })).await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    for query in ["?priority=urgent", "?state=open", "?well_id=7", "?from=yesterday", "?limit=0", "?sort=x"] {
        let res = get(&app, &ops, &format!("/api/v1/alarms{query}")).await;
        expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    }
    let now = Utc::now();
    let backwards = format!("?from={}&to={}", (now + Duration::hours(1)).to_rfc3339(), now.to_rfc3339());
    let res = get(&app, &ops, &format!("/api/v1/alarms{}", backwards.replace('+', "%2B"))).await;
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(alarms(&app, &ops, "?state=active_unacknowledged").await["total"], 2);

    // Acknowledge one, then again: 409. Acknowledge the rest with one call.
    assert_eq!(post(&app, &ops, &format!("/api/v1/alarms/{id}/acknowledge"), json!({})).await.status(), StatusCode::OK);
    let res = post(&app, &ops, &format!("/api/v1/alarms/{id}/acknowledge"), json!({})).await;
    expect_error(res, StatusCode::CONFLICT, "conflict").await;
    // A filter on an acknowledged state selects nothing to acknowledge.
    let res =
        post(&app, &ops, "/api/v1/alarms/acknowledge", json!({ "filter": { "state": "active_acknowledged" } })).await;
    assert_eq!(res.json::<Value>().await.unwrap()["acknowledged"], 0);
    assert_eq!(alarms(&app, &ops, "?state=active_unacknowledged").await["total"], 1);
    let res = post(
        &app,
        &ops,
        "/api/v1/alarms/acknowledge",
        json!({ "filter": { "priority": "critical" }, "comment": "all" }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["acknowledged"], 1);
    assert_eq!(alarms(&app, &ops, "?state=active_acknowledged").await["total"], 2);
    let res = post(&app, &ops, "/api/v1/alarms/acknowledge", json!({ "filter": { "priority": "urgent" } })).await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
}

#[tokio::test]
async fn shelving_needs_a_reason_and_a_near_future_end() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let well = a_well(&app, &ops, "S-1").await;
    reading(&app, &ops, &well, 0.0, 0.0).await;
    let id = alarms(&app, &ops, "").await["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/alarms/{id}/shelve");
    let in_hours = |h: i64| (Utc::now() + Duration::hours(h)).to_rfc3339_opts(SecondsFormat::Secs, true);

    let res = post(&app, &ops, &path, json!({ "until": in_hours(2) })).await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    for (body, field) in [
        (json!({ "reason": "  ", "until": in_hours(2) }), "reason"),
        (json!({ "reason": "pump swap", "until": in_hours(-1) }), "until"),
        (json!({ "reason": "pump swap", "until": in_hours(24 * 8) }), "until"),
    ] {
        let res = post(&app, &ops, &path, body).await;
        assert_eq!(
            expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await["details"]["parameter"],
            field
        );
    }
    assert!(alarms(&app, &ops, "").await["items"][0]["shelved"].is_null(), "nothing changed");

    let res = post(&app, &ops, &path, json!({ "reason": "pump swap", "until": in_hours(2) })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let shelved: Value = res.json().await.unwrap();
    assert_eq!(shelved["shelved"]["reason"], "pump swap");
    let res = post(&app, &ops, &format!("/api/v1/alarms/{id}/unshelve"), json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.json::<Value>().await.unwrap()["shelved"].is_null());
    let res = post(&app, &ops, &format!("/api/v1/alarms/{id}/unshelve"), json!({})).await;
    expect_error(res, StatusCode::CONFLICT, "conflict").await;
}

#[tokio::test]
async fn alarm_rules_are_read_by_all_and_changed_by_admins_with_validation() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let admin = app.token(&app.alpha, "admin").await;
    let rules: Value = get(&app, &ops, "/api/v1/alarm-rules").await.json().await.unwrap();
    let put = |token: &str, body: Value| {
        app.http.put(app.url("/api/v1/alarm-rules")).bearer_auth(token.to_owned()).json(&body).send()
    };
    expect_error(put(&ops, rules.clone()).await.unwrap(), StatusCode::FORBIDDEN, "forbidden").await;

    // Change the production-drop trip ratio; an impossible one is refused naming it.
    let mut changed = rules.clone();
    let rule_list = changed["rules"].as_array_mut().unwrap();
    let drop = rule_list.iter_mut().find(|r| r["kind"] == "production_drop").unwrap();
    drop["trip_ratio"] = json!(0.5);
    drop["clear_ratio"] = json!(0.6);
    let res = put(&admin, changed.clone()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let stored: Value = get(&app, &ops, "/api/v1/alarm-rules").await.json().await.unwrap();
    assert_eq!(stored, changed);

    let mut broken = changed.clone();
    let rule_list = broken["rules"].as_array_mut().unwrap();
    rule_list.iter_mut().find(|r| r["kind"] == "production_drop").unwrap()["trip_ratio"] = json!(1.5);
    let body = expect_error(put(&admin, broken).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert!(body["message"].as_str().unwrap().contains("trip_ratio"), "{body}");
    let stored: Value = get(&app, &ops, "/api/v1/alarm-rules").await.json().await.unwrap();
    assert_eq!(stored, changed, "the refused set changed nothing");
}

#[tokio::test]
async fn the_periodic_step_raises_data_gaps_and_ends_expired_shelves() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let (quiet, shelved) = (a_well(&app, &ops, "Quiet 1").await, a_well(&app, &ops, "Shelved 1").await);
    reading(&app, &ops, &quiet, 120.0, 300.0).await;
    reading(&app, &ops, &shelved, 0.0, 0.0).await;
    let down = alarms(&app, &ops, "?priority=critical").await["items"][0]["id"].as_str().unwrap().to_owned();
    let until = app.clock.now_rfc3339_plus(Duration::hours(1));
    let res =
        post(&app, &ops, &format!("/api/v1/alarms/{down}/shelve"), json!({ "reason": "rig on site", "until": until }))
            .await;
    assert_eq!(res.status(), StatusCode::OK);
    let tenant = app.storage.tenant_by_id(app.tenant_id(&app.alpha).await).await.unwrap().unwrap();

    // Nothing is due yet: readings are fresh and the shelf holds.
    let report = app.state.alarms.run_periodic(&tenant).await.unwrap();
    assert_eq!((report.raised, report.changed), (0, 0));

    // Seven hours without a reading: both wells raise a data gap (6 h, high); the shelf has run out.
    app.clock.advance(Duration::hours(7));
    let report = app.state.alarms.run_periodic(&tenant).await.unwrap();
    assert_eq!((report.raised, report.changed), (2, 1), "{report:?}");
    let gaps = alarms(&app, &ops, "?priority=high").await;
    assert_eq!(gaps["total"], 2);
    assert!(gaps["items"].as_array().unwrap().iter().all(|a| a["rule"] == "data_gap"));
    let unshelved: Value = get(&app, &ops, &format!("/api/v1/alarms/{down}")).await.json().await.unwrap();
    assert!(unshelved["shelved"].is_null());
    let journal: Value = get(&app, &ops, &format!("/api/v1/alarms/{down}/journal")).await.json().await.unwrap();
    assert_eq!(journal.as_array().unwrap().last().unwrap()["action"], "shelf_expired");

    // Running again changes nothing (no duplicate, the growing age is not a transition).
    let report = app.state.alarms.run_periodic(&tenant).await.unwrap();
    assert_eq!((report.raised, report.changed), (0, 0));
    // A fresh reading returns the quiet well's gap to normal at ingest.
    reading(&app, &ops, &quiet, 120.0, 300.0).await;
    let states: Vec<String> = alarms(&app, &ops, &format!("?well_id={quiet}")).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["state"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(states, ["returned_unacknowledged"]);
}

#[tokio::test]
async fn alarm_health_counts_what_the_journal_holds() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    for i in 0..3 {
        let well = a_well(&app, &ops, &format!("H-{i}")).await;
        reading(&app, &ops, &well, 0.0, 0.0).await;
    }
    // The default window is the last 24 hours up to now (exclusive): a minute later it holds the three raises.
    app.clock.advance(Duration::minutes(1));
    let health: Value = get(&app, &ops, "/api/v1/alarms/health").await.json().await.unwrap();
    assert_eq!(health["raised"], 3, "{health}");
    assert_eq!(health["priority_mix"]["critical"], 3);
    assert_eq!(health["bad_actors"].as_array().unwrap().len(), 3);
    let tomorrow = app.clock.now_rfc3339_plus(Duration::days(1)).replace('+', "%2B");
    let later = app.clock.now_rfc3339_plus(Duration::days(2)).replace('+', "%2B");
    let empty: Value =
        get(&app, &ops, &format!("/api/v1/alarms/health?from={tomorrow}&to={later}")).await.json().await.unwrap();
    assert_eq!(empty["raised"], 0);
    for query in [
        format!("?from={later}&to={tomorrow}"),
        "?from=2020-01-01T00:00:00Z&to=2020-03-01T00:00:00Z".into(),
        "?window=1".into(),
    ] {
        let res = get(&app, &ops, &format!("/api/v1/alarms/health{query}")).await;
        expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    }
}

#[tokio::test]
async fn a_well_out_of_service_raises_nothing_and_its_alarms_are_not_annunciated() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let viewer = app.token(&app.alpha, "viewer").await;
    let well = a_well(&app, &ops, "OOS-1").await;
    reading(&app, &ops, &well, 0.0, 0.0).await;
    let ws = format!("{}/api/v1/ws/alerts?token={ops}", app.base_url.replacen("http", "ws", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(ws).await.unwrap();
    let before = alarms(&app, &ops, "").await;
    assert_eq!(before["items"][0]["annunciated"], true);
    let path = format!("/api/v1/wells/{well}/alarms-out-of-service");
    let put = |token: &str, body: Value| app.http.put(app.url(&path)).bearer_auth(token.to_owned()).json(&body).send();

    expect_error(put(&viewer, json!({ "reason": "x" })).await.unwrap(), StatusCode::FORBIDDEN, "forbidden").await;
    let res = put(&ops, json!({ "reason": " " })).await.unwrap();
    assert_eq!(expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await["details"]["parameter"], "reason");
    expect_error(put(&ops, json!({})).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    let res = put(&ops, json!({ "reason": "workover rig on location" })).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Its open alarm is announced as no longer annunciated.
    let (kind, data) = next_event(&mut socket).await;
    assert_eq!((kind, data["out_of_service"].as_bool()), (EventKind::AlertUpdated, Some(true)));
    assert_eq!(res.json::<Value>().await.unwrap()["reason"], "workover rig on location");
    let listed: Value = get(&app, &viewer, "/api/v1/alarms/out-of-service").await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // Its open alarm is kept but not annunciated; nothing it reports raises or clears anything.
    let during = alarms(&app, &ops, "").await;
    assert_eq!(
        (during["items"][0]["out_of_service"].as_bool(), during["items"][0]["annunciated"].as_bool()),
        (Some(true), Some(false))
    );
    app.clock.advance(Duration::minutes(10));
    reading(&app, &ops, &well, 120.0, 300.0).await;
    assert_eq!(alarms(&app, &ops, "").await["items"][0]["state"], "active_unacknowledged", "frozen, not cleared");

    // Back in service: evaluated again at the next reading.
    let res = app.http.delete(app.url(&path)).bearer_auth(&ops).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    reading(&app, &ops, &well, 120.0, 300.0).await;
    assert_eq!(alarms(&app, &ops, "").await["items"][0]["state"], "returned_unacknowledged");

    // Another tenant's well: 404, nothing written.
    let beta = app.token(&app.beta, "ops").await;
    let res = app.http.put(app.url(&path)).bearer_auth(&beta).json(&json!({ "reason": "x" })).send().await.unwrap();
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let listed: Value = get(&app, &ops, "/api/v1/alarms/out-of-service").await.json().await.unwrap();
    assert!(listed.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_late_or_historical_reading_neither_raises_nor_clears() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let well = a_well(&app, &ops, "Late 1").await;
    reading(&app, &ops, &well, 120.0, 300.0).await;
    // A reading from yesterday with no production arrives late: history, not the well's present.
    let yesterday = app.clock.now_rfc3339_plus(Duration::days(-1));
    let body = json!({ "entries": [{ "id": Uuid::now_v7(), "well_id": well, "recorded_at": yesterday, "oil_bbl": 0.0,
                                     "gas_mcf": 0.0, "water_bbl": 0.0, "hours_on": 24 }] });
    let res = app.http.post(app.url("/api/v1/field-entries")).bearer_auth(&ops).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(alarms(&app, &ops, "").await["total"], 0);
    // The present says it is down: raised.
    reading(&app, &ops, &well, 0.0, 0.0).await;
    assert_eq!(alarms(&app, &ops, "").await["total"], 1);
}

#[tokio::test]
async fn an_anomaly_from_the_analytics_raises_a_low_alarm_at_the_next_reading() {
    use flowline_backend::ports::{Clock, WellAnalytics};
    use flowline_shared::analytics::aggregation::Field;
    use flowline_shared::analytics::anomalies::{Anomaly, AnomalyDirection, Severity};
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let well = a_well(&app, &ops, "Odd 1").await;
    reading(&app, &ops, &well, 120.0, 300.0).await;
    assert_eq!(alarms(&app, &ops, "").await["total"], 0);
    // The analytics found a medium spike yesterday.
    let tenant = app.tenant_id(&app.alpha).await;
    let today = app.clock.now().with_timezone(&chrono_tz::America::Chicago).date_naive();
    let yesterday = today.pred_opt().unwrap();
    let spike = Anomaly {
        day: yesterday,
        value: 200.0,
        hours_on: 24.0,
        z: 3.5,
        expected: 120.0,
        stddev: 22.0,
        window_points: 30,
        severity: Severity::Medium,
        direction: AnomalyDirection::Spike,
    };
    let results = WellAnalytics {
        well_id: flowline_shared::WellId(well.parse().unwrap()),
        as_of: today,
        trends: vec![],
        anomalies: vec![(Field::OilBbl, spike)],
        anomaly_window: (today - Duration::days(89), today),
        forecast: Err("not enough data".into()),
    };
    app.storage.store_analytics(tenant, &[results], app.clock.now()).await.unwrap();
    reading(&app, &ops, &well, 120.0, 300.0).await;
    let listed = alarms(&app, &ops, "").await;
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(
        (listed["items"][0]["rule"].as_str(), listed["items"][0]["priority"].as_str()),
        (Some("anomaly"), Some("low"))
    );
}

async fn post_keyed(app: &TestApp, token: &str, path: &str, key: &str, body: Value) -> reqwest::Response {
    app.http.post(app.url(path)).bearer_auth(token).header("Idempotency-Key", key).json(&body).send().await.unwrap()
}

fn replayed(res: &reqwest::Response) -> bool {
    res.headers().get("idempotent-replayed").is_some_and(|v| v == "true")
}

/// How many journal records of `action` the alarm has.
async fn journaled(app: &TestApp, token: &str, id: &str, action: &str) -> usize {
    let journal: Value = get(app, token, &format!("/api/v1/alarms/{id}/journal")).await.json().await.unwrap();
    journal.as_array().unwrap().iter().filter(|r| r["action"] == action).count()
}

/// The desktop's outbox resends a request whose answer it did not get: with the same `Idempotency-Key` it is
/// applied once and answered as the first was; a key reused for another request is refused, a malformed one too.
#[tokio::test]
async fn a_request_repeated_with_its_idempotency_key_is_applied_once() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let admin = app.token(&app.alpha, "admin").await;
    let (w1, w2) = (a_well(&app, &ops, "I-1").await, a_well(&app, &ops, "I-2").await);
    reading(&app, &ops, &w1, 0.0, 0.0).await;
    reading(&app, &ops, &w2, 0.0, 0.0).await;
    let id_of = |listed: &Value, well: &str| {
        listed["items"].as_array().unwrap().iter().find(|a| a["well_id"] == well).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let listed = alarms(&app, &ops, "").await;
    let (a1, a2) = (id_of(&listed, &w1), id_of(&listed, &w2));
    let ack1 = format!("/api/v1/alarms/{a1}/acknowledge");

    let first = post_keyed(&app, &ops, &ack1, "k-1", json!({ "comment": "crew on the way" })).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(!replayed(&first));
    let again = post_keyed(&app, &ops, &ack1, "k-1", json!({ "comment": "crew on the way" })).await;
    assert_eq!(again.status(), StatusCode::OK, "a repeat is answered, not refused as already acknowledged");
    assert!(replayed(&again));
    let body: Value = again.json().await.unwrap();
    assert_eq!(
        (body["state"].as_str(), body["acknowledged"]["comment"].as_str()),
        (Some("active_acknowledged"), Some("crew on the way"))
    );
    assert_eq!(journaled(&app, &ops, &a1, "acknowledged").await, 1, "applied once");
    // Without a key a second acknowledgement is still refused.
    expect_error(post(&app, &ops, &ack1, json!({})).await, StatusCode::CONFLICT, "conflict").await;

    // The key belongs to that request: another alarm, or another user, with it is refused and nothing changes.
    let res = post_keyed(&app, &ops, &format!("/api/v1/alarms/{a2}/acknowledge"), "k-1", json!({})).await;
    let error = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(error["details"]["fields"][0]["field"], "Idempotency-Key");
    let res = post_keyed(&app, &admin, &ack1, "k-1", json!({})).await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(alarms(&app, &ops, "?state=active_unacknowledged").await["total"], 1);

    // Malformed keys: 400 naming the header, nothing changed.
    for key in [" ".to_owned(), "x".repeat(201), "två".to_owned()] {
        let res = app
            .http
            .post(app.url(&format!("/api/v1/alarms/{a2}/acknowledge")))
            .bearer_auth(&ops)
            .header("Idempotency-Key", key.as_bytes())
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let error = expect_error(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(error["details"]["parameter"], "Idempotency-Key");
    }
    assert_eq!(alarms(&app, &ops, "?state=active_unacknowledged").await["total"], 1);

    // Acknowledge-all: the repeat answers the first count and acknowledges nothing new.
    let first = post_keyed(&app, &ops, "/api/v1/alarms/acknowledge", "k-all", json!({})).await;
    assert_eq!(first.json::<Value>().await.unwrap()["acknowledged"], 1);
    let w3 = a_well(&app, &ops, "I-3").await;
    reading(&app, &ops, &w3, 0.0, 0.0).await;
    let again = post_keyed(&app, &ops, "/api/v1/alarms/acknowledge", "k-all", json!({})).await;
    assert!(replayed(&again));
    assert_eq!(again.json::<Value>().await.unwrap()["acknowledged"], 1);
    assert_eq!(alarms(&app, &ops, "?state=active_unacknowledged").await["total"], 1, "the new alarm waits");

    // Shelving: once.
    let a3 = id_of(&alarms(&app, &ops, "?state=active_unacknowledged").await, &w3);
    let until = (Utc::now() + Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let shelve = format!("/api/v1/alarms/{a3}/shelve");
    let body = json!({ "reason": "pump swap", "until": until });
    assert!(!replayed(&post_keyed(&app, &ops, &shelve, "k-shelf", body.clone()).await));
    let again = post_keyed(&app, &ops, &shelve, "k-shelf", body).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(replayed(&again));
    assert_eq!(journaled(&app, &ops, &a3, "shelved").await, 1);

    // Keys are per tenant: another tenant's request with the same key is its own.
    let beta = app.token(&app.beta, "ops").await;
    let wb = a_well(&app, &beta, "B-1").await;
    reading(&app, &beta, &wb, 0.0, 0.0).await;
    let ab = id_of(&alarms(&app, &beta, "").await, &wb);
    let res = post_keyed(&app, &beta, &format!("/api/v1/alarms/{ab}/acknowledge"), "k-1", json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!replayed(&res));
}

/// Duplicates sent at once (a client retrying while the first is in flight) are applied once: every one is
/// answered 200, exactly one of them as the first.
#[tokio::test]
async fn concurrent_duplicates_of_a_keyed_request_are_applied_once() {
    let app = spawn_app().await;
    let ops = app.token(&app.alpha, "ops").await;
    let well = a_well(&app, &ops, "C-1").await;
    reading(&app, &ops, &well, 0.0, 0.0).await;
    let id = alarms(&app, &ops, "").await["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/alarms/{id}/acknowledge");
    let sends = (0..6).map(|_| post_keyed(&app, &ops, &path, "same-key", json!({ "comment": "once" })));
    let answers = futures_util::future::join_all(sends).await;
    assert!(
        answers.iter().all(|r| r.status() == StatusCode::OK),
        "{:?}",
        answers.iter().map(|r| r.status()).collect::<Vec<_>>()
    );
    assert_eq!(answers.iter().filter(|r| !replayed(r)).count(), 1);
    assert_eq!(journaled(&app, &ops, &id, "acknowledged").await, 1);
}
