//! Shared state of the HTTP handlers: the services, built once at start-up.

use crate::ports::Storage;
use crate::services::auth::AuthService;
use crate::services::import::ImportService;
use crate::services::ingest::IngestService;
use crate::services::wells::WellService;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub auth: AuthService,
    pub wells: WellService,
    pub ingest: IngestService,
    pub import: ImportService,
}
