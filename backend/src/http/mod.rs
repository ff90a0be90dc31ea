//! The HTTP API under `/api/v1` (axum). The only module besides the adapters that names axum or tower.
//!
//! Owns: routing, extracting and checking request input, mapping service errors onto the error shape.
//! Must not touch: SQL or business rules: handlers call services.

pub mod conditional;
pub mod error;
pub mod export;
pub mod extract;
pub mod routes;
pub mod state;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use error::ApiError;
pub use state::AppState;
use std::future::Future;
use tower_http::trace::TraceLayer;

/// The whole application router.
pub fn router(state: AppState, max_body_bytes: usize) -> Router {
    let api = Router::new()
        .route("/auth/login", post(routes::auth::login))
        .route("/wells", get(routes::wells::list).post(routes::wells::create))
        .route("/wells/map", get(routes::dashboard::map))
        .route("/wells/{id}", get(routes::wells::get).patch(routes::wells::update))
        .route("/wells/{id}/dashboard-detail", get(routes::dashboard::detail))
        .route("/wells/{id}/field-entries", get(routes::entries::list_for_well))
        .route("/field-entries", post(routes::entries::ingest))
        .route("/field-entries/import", post(routes::entries::import_csv))
        .route("/wells/{id}/forecast", get(routes::analytics::forecast))
        .route("/aggregates", get(routes::analytics::aggregates))
        .route("/trends", get(routes::analytics::trends))
        .route("/trends/{well_id}", get(routes::analytics::trend_detail))
        .route("/anomalies", get(routes::analytics::anomalies))
        .route("/maintenance", get(routes::maintenance::list).post(routes::maintenance::create))
        .route(
            "/maintenance/{id}",
            get(routes::maintenance::get).patch(routes::maintenance::update).delete(routes::maintenance::delete),
        )
        .route("/dashboard/kpis", get(routes::kpis::kpis))
        .route("/dashboard/export", post(routes::export::export))
        .route("/prices", get(routes::prices::list).put(routes::prices::put))
        .route("/admin/backfill", post(routes::admin::backfill))
        .route("/admin/jobs", get(routes::admin::jobs))
        .route("/ws/alerts", get(crate::ws::alerts::alerts))
        .route("/alarms", get(routes::alarms::list))
        .route("/alarms/acknowledge", post(routes::alarms::acknowledge_all))
        .route("/alarms/health", get(routes::alarms::health))
        .route("/alarms/out-of-service", get(routes::alarms::out_of_service))
        .route(
            "/wells/{id}/alarms-out-of-service",
            axum::routing::put(routes::alarms::take_out_of_service).delete(routes::alarms::return_to_service),
        )
        .route("/alarms/{id}", get(routes::alarms::get))
        .route("/alarms/{id}/journal", get(routes::alarms::journal))
        .route("/alarms/{id}/acknowledge", post(routes::alarms::acknowledge))
        .route("/alarms/{id}/shelve", post(routes::alarms::shelve))
        .route("/alarms/{id}/unshelve", post(routes::alarms::unshelve))
        .route("/alarm-rules", get(routes::alarms::rules).put(routes::alarms::put_rules))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(axum::middleware::from_fn(conditional::conditional_get));
    Router::new()
        .route("/health", get(routes::health::health))
        .route("/ready", get(routes::health::ready))
        .nest("/api/v1", api)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves; in-flight requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}
