//! Composition root: builds the services on a storage and clock, and spawns the HTTP server. Used by the
//! `flowline-server` binary, the desktop's embedded demo and the tests (each test spawns its own app on port 0).

use crate::http::{self, AppState};
use crate::ports::{Clock, Storage};
use crate::services::Deps;
use crate::services::auth::{AuthError, AuthService};
use crate::services::import::ImportService;
use crate::services::ingest::IngestService;
use crate::services::wells::WellService;
use std::net::SocketAddr;
use std::sync::Arc;

/// Builds every service over the given ports.
pub fn build_state(
    storage: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    jwt_secret: &[u8],
    token_ttl: chrono::Duration,
) -> Result<AppState, AuthError> {
    let deps = Deps { storage: Arc::clone(&storage), clock };
    let ingest = IngestService::new(deps.clone());
    Ok(AppState {
        storage,
        auth: AuthService::new(deps.clone(), jwt_secret, token_ttl)?,
        wells: WellService::new(deps.clone()),
        import: ImportService::new(deps, ingest.clone()),
        ingest,
    })
}

/// A server running on a background task.
pub struct RunningServer {
    pub addr: SocketAddr,
    shutdown: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Asks the server to stop and waits for in-flight requests.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(true);
        self.task.await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// Serves `state` on `listener` in a background task.
pub fn spawn_server(
    listener: tokio::net::TcpListener,
    state: AppState,
    max_body_bytes: usize,
) -> std::io::Result<RunningServer> {
    let addr = listener.local_addr()?;
    let (shutdown, mut rx) = tokio::sync::watch::channel(false);
    let router = http::router(state, max_body_bytes);
    let task = tokio::spawn(http::serve(listener, router, async move {
        let _ = rx.wait_for(|stop| *stop).await;
    }));
    Ok(RunningServer { addr, shutdown, task })
}

/// 32 random bytes, for demo mode and tests where no secret is configured.
pub fn random_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut key = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}
