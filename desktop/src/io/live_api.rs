//! The live dashboard's part of [`ApiClient`]: the fleet KPIs with a conditional GET (`If-None-Match`), the open
//! alarms, and the operator's alarm actions (acknowledge one or all, shelve).
//!
//! Owns: those paths and the ETag handling. Must not touch: egui, the model, the event channel.

use super::client::{ApiClient, ClientError, MAX_PAGE_SIZE};
use flowline_shared::alarms::{AlarmId, AlarmState};
use flowline_shared::dto::Page;
use flowline_shared::dto::alarms::{
    AcknowledgeAllRequest, AcknowledgeAllResponse, AcknowledgeRequest, AlarmSelection, AlarmView, ShelveRequest,
};
use flowline_shared::kpis::FleetKpis;
use reqwest::Method;
use reqwest::header::{ETAG, IF_NONE_MATCH};

/// The open states: every state but normal.
const OPEN_STATES: [AlarmState; 3] =
    [AlarmState::ActiveUnacknowledged, AlarmState::ActiveAcknowledged, AlarmState::ReturnedUnacknowledged];
/// A safety stop against a list whose total keeps moving.
const MAX_ALARM_PAGES: u64 = 100;

/// The answer to a conditional GET.
#[derive(Debug, Clone, PartialEq)]
pub enum Conditional<T> {
    /// New data, with the tag to revalidate it next time.
    Modified { value: T, etag: Option<String> },
    /// HTTP 304: what the client has is current.
    NotModified,
}

impl ApiClient {
    /// `GET /api/v1/dashboard/kpis`, revalidating `etag` when given.
    pub async fn dashboard_kpis(
        &self,
        token: &str,
        etag: Option<&str>,
    ) -> Result<Conditional<Box<FleetKpis>>, ClientError> {
        let url = format!("{}/api/v1/dashboard/kpis", self.base_url());
        let mut request = self.http().get(&url).bearer_auth(token);
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        let response = request.send().await.map_err(|e| self.transport_error(&url, &e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Conditional::NotModified);
        }
        let etag = response.headers().get(ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = response.bytes().await.map_err(|e| self.transport_error(&url, &e))?;
        let value = super::client::decode::<Box<FleetKpis>>(&url, status, &bytes)?;
        Ok(Conditional::Modified { value, etag })
    }

    /// `GET /api/v1/alarms?state=…`: one page.
    pub async fn list_alarms(
        &self,
        token: &str,
        state: AlarmState,
        limit: u32,
        offset: u64,
    ) -> Result<Page<AlarmView>, ClientError> {
        let path = format!("/api/v1/alarms?state={}&limit={limit}&offset={offset}", state.as_str());
        self.send(Method::GET, &path, Some(token), None::<&()>).await
    }

    /// Every open alarm of the tenant (active, acknowledged or returned-unacknowledged; shelved ones included).
    pub async fn open_alarms(&self, token: &str) -> Result<Vec<AlarmView>, ClientError> {
        let mut alarms = Vec::new();
        for state in OPEN_STATES {
            let mut fetched = 0_u64;
            for _ in 0..MAX_ALARM_PAGES {
                let page = self.list_alarms(token, state, MAX_PAGE_SIZE, fetched).await?;
                let received = page.items.len() as u64;
                fetched += received;
                alarms.extend(page.items);
                if received == 0 || fetched >= page.total {
                    break;
                }
            }
        }
        Ok(alarms)
    }

    /// `POST /api/v1/alarms/{id}/acknowledge`.
    pub async fn acknowledge(
        &self,
        token: &str,
        id: AlarmId,
        comment: Option<String>,
    ) -> Result<AlarmView, ClientError> {
        let path = format!("/api/v1/alarms/{id}/acknowledge");
        self.send(Method::POST, &path, Some(token), Some(&AcknowledgeRequest { comment })).await
    }

    /// `POST /api/v1/alarms/acknowledge`: every unacknowledged alarm matching `filter`; returns how many.
    pub async fn acknowledge_all(
        &self,
        token: &str,
        filter: AlarmSelection,
        comment: Option<String>,
    ) -> Result<u64, ClientError> {
        let body = AcknowledgeAllRequest { filter, comment };
        let answer: AcknowledgeAllResponse =
            self.send(Method::POST, "/api/v1/alarms/acknowledge", Some(token), Some(&body)).await?;
        Ok(answer.acknowledged)
    }

    /// `POST /api/v1/alarms/{id}/shelve`.
    pub async fn shelve(&self, token: &str, id: AlarmId, request: &ShelveRequest) -> Result<AlarmView, ClientError> {
        let path = format!("/api/v1/alarms/{id}/shelve");
        self.send(Method::POST, &path, Some(token), Some(request)).await
    }
}
