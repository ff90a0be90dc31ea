//! The HTTP API under `/api/v1` (axum). The only module besides the adapters that names axum or tower.
//!
//! Owns: routing, extracting and checking request input, mapping service errors onto the error shape.
//! Must not touch: SQL or business rules: handlers call services.

pub mod conditional;
pub mod error;
pub mod export;
pub mod extract;
pub mod openapi;
pub mod routes;
pub mod state;

use axum::extract::DefaultBodyLimit;
use axum::{Extension, Router};
use error::ApiError;
pub use state::AppState;
use std::future::Future;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The whole application router, and the OpenAPI document of [`route_table`] at `/openapi.json`.
pub fn router(state: AppState, max_body_bytes: usize) -> Router {
    let (router, document) = route_table().split_for_parts();
    router
        .layer(Extension(openapi::PublishedDocument::new(&openapi::complete(document))))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The OpenAPI 3.1 document of the API, as `/openapi.json` serves it.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    openapi::complete(route_table().into_openapi())
}

/// The route table: every route of the service. Each is registered with `routes!`, which takes the handler's
/// `#[utoipa::path]` (method and path) for both the router and the OpenAPI document, so the two cannot diverge;
/// handlers of one path go in one `routes!`. Do not add routes with `.route(…)`: they would be missing from the
/// document (backend/tests/openapi.rs checks this file for it, and probes every documented route).
pub fn route_table() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .routes(routes!(routes::auth::login))
        .routes(routes!(routes::wells::list, routes::wells::create))
        .routes(routes!(routes::dashboard::map))
        .routes(routes!(routes::wells::get, routes::wells::update))
        .routes(routes!(routes::dashboard::detail))
        .routes(routes!(routes::entries::list_for_well))
        .routes(routes!(routes::entries::ingest))
        .routes(routes!(routes::entries::import_csv))
        .routes(routes!(routes::analytics::forecast))
        .routes(routes!(routes::analytics::aggregates))
        .routes(routes!(routes::analytics::trends))
        .routes(routes!(routes::analytics::trend_detail))
        .routes(routes!(routes::analytics::anomalies))
        .routes(routes!(routes::maintenance::list, routes::maintenance::create))
        .routes(routes!(routes::maintenance::get, routes::maintenance::update, routes::maintenance::delete))
        .routes(routes!(routes::kpis::kpis))
        .routes(routes!(routes::export::export))
        .routes(routes!(routes::prices::list, routes::prices::put))
        .routes(routes!(routes::admin::backfill))
        .routes(routes!(routes::admin::jobs))
        .routes(routes!(crate::ws::alerts::alerts))
        .routes(routes!(routes::alarms::list))
        .routes(routes!(routes::alarms::acknowledge_all))
        .routes(routes!(routes::alarms::health))
        .routes(routes!(routes::alarms::out_of_service))
        .routes(routes!(routes::alarms::take_out_of_service, routes::alarms::return_to_service))
        .routes(routes!(routes::alarms::get))
        .routes(routes!(routes::alarms::journal))
        .routes(routes!(routes::alarms::acknowledge))
        .routes(routes!(routes::alarms::shelve))
        .routes(routes!(routes::alarms::unshelve))
        .routes(routes!(routes::alarms::rules, routes::alarms::put_rules))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(axum::middleware::from_fn(conditional::conditional_get));
    OpenApiRouter::new()
        .routes(routes!(routes::health::health))
        .routes(routes!(routes::health::ready))
        // Public, outside `/api/v1` (no tenant data, no conditional-GET layer: it tags itself).
        .routes(routes!(openapi::openapi_json))
        .nest("/api/v1", api)
}

/// Serves until `shutdown` resolves; in-flight requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}
