//! Wire types of the alarm API (`/api/v1/alarms`, `/api/v1/alarm-rules`). The alarm itself is the domain
//! [`Alarm`](crate::alarms::Alarm) (snake_case), with the well's name and the priority's display label beside it.

use crate::alarms::{Alarm, AlarmPriority, AlarmState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One alarm as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlarmView {
    #[serde(flatten)]
    pub alarm: Alarm,
    pub well_name: String,
    /// "Critical", "Warning" or "Info".
    pub priority_label: String,
    /// The well's alarms are out of service.
    pub out_of_service: bool,
    /// Shown to operators now: open, not shelved, its well in service.
    pub annunciated: bool,
}

impl AlarmView {
    /// The view at `now`.
    pub fn new(alarm: Alarm, well_name: String, out_of_service: bool, now: DateTime<Utc>) -> Self {
        let priority_label = alarm.priority.label().to_owned();
        let annunciated = alarm.is_annunciated(out_of_service, now);
        Self { alarm, well_name, priority_label, out_of_service, annunciated }
    }
}

/// `PUT /api/v1/wells/{id}/alarms-out-of-service`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutOfServiceRequest {
    /// Why (required, up to 500 characters).
    pub reason: String,
}

/// A well whose alarms are out of service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutOfServiceView {
    pub well_id: uuid::Uuid,
    pub since: DateTime<Utc>,
    /// The user who took it out of service.
    pub by: uuid::Uuid,
    pub reason: String,
}

/// `POST /api/v1/alarms/{id}/acknowledge`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcknowledgeRequest {
    /// Up to 500 characters.
    #[serde(default)]
    pub comment: Option<String>,
}

/// Which alarms `POST /api/v1/alarms/acknowledge` acknowledges (every condition must hold; all unacknowledged ones
/// when empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlarmSelection {
    #[serde(default)]
    pub priority: Option<AlarmPriority>,
    #[serde(default)]
    pub state: Option<AlarmState>,
    #[serde(default)]
    pub well_id: Option<uuid::Uuid>,
    /// Raised at or after (RFC 3339).
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// Raised before (RFC 3339).
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
}

/// `POST /api/v1/alarms/acknowledge`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcknowledgeAllRequest {
    #[serde(default)]
    pub filter: AlarmSelection,
    #[serde(default)]
    pub comment: Option<String>,
}

/// The answer of `POST /api/v1/alarms/acknowledge`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcknowledgeAllResponse {
    pub acknowledged: u64,
}

/// `POST /api/v1/alarms/{id}/shelve`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShelveRequest {
    /// Why (required, up to 500 characters).
    pub reason: String,
    /// Until when (RFC 3339; in the future, at most 7 days ahead).
    pub until: DateTime<Utc>,
}
