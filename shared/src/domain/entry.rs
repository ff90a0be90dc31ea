//! Field entries: one gauge or allocation reading of a well's production and pressures.

use super::well::str_enum;
use super::{FieldErrors, WellId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Chosen by the client, so that a retried upload is recognised and not stored twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryId(pub Uuid);

/// Hours on production in one day: at most 25, because the day on which daylight saving time ends lasts 25 hours.
pub const MAX_HOURS_ON: f64 = 25.0;

/// Why a well was not producing for (part of) a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DowntimeReason {
    Mechanical,
    Electrical,
    Workover,
    Weather,
    PlannedMaintenance,
    Facility,
    HighLinePressure,
    WaitingOnTransport,
    Regulatory,
    Other,
}

str_enum!(DowntimeReason, "downtime reason",
    Mechanical => "mechanical", Electrical => "electrical", Workover => "workover", Weather => "weather",
    PlannedMaintenance => "planned_maintenance", Facility => "facility", HighLinePressure => "high_line_pressure",
    WaitingOnTransport => "waiting_on_transport", Regulatory => "regulatory", Other => "other");

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EntrySource {
    #[default]
    Manual,
    Scada,
    Import,
    Simulator,
}

str_enum!(EntrySource, "entry source", Manual => "manual", Scada => "scada", Import => "import", Simulator => "simulator");

/// The fields of an entry as received, before validation. This is also the JSON shape of one entry in
/// `POST /api/v1/field-entries`. Rates are per calendar day of the reading (bbl/d, Mcf/d); pressures in psig.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldEntryDraft {
    pub id: EntryId,
    pub well_id: WellId,
    pub recorded_at: DateTime<Utc>,
    /// Oil, bbl/d.
    pub oil_bbl: f64,
    /// Gas, Mcf/d.
    pub gas_mcf: f64,
    /// Water, bbl/d (for an injection well, water injected).
    pub water_bbl: f64,
    #[serde(default)]
    pub tubing_psig: Option<f64>,
    #[serde(default)]
    pub casing_psig: Option<f64>,
    /// Choke size in 64ths of an inch.
    #[serde(default)]
    pub choke_64ths: Option<f64>,
    pub hours_on: f64,
    #[serde(default)]
    pub downtime_reason: Option<DowntimeReason>,
    #[serde(default)]
    pub source: EntrySource,
    /// A correction may carry negative volumes (it offsets an earlier allocation).
    #[serde(default)]
    pub is_correction: bool,
}

/// A validated field entry. Read its fields through `Deref`; the only way in is [`FieldEntry::new`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "A stored field entry: the entry as it was sent, validated.")
)]
pub struct FieldEntry(FieldEntryDraft);

impl std::ops::Deref for FieldEntry {
    type Target = FieldEntryDraft;
    fn deref(&self) -> &FieldEntryDraft {
        &self.0
    }
}

/// Wellhead pressures below full vacuum are impossible; above this they are a typo in psi for kPa or similar.
const MIN_PSIG: f64 = -14.7;
const MAX_PSIG: f64 = 30_000.0;
const MAX_CHOKE_64THS: f64 = 256.0;

impl FieldEntry {
    pub fn new(draft: FieldEntryDraft) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        for (name, value) in [("oil_bbl", draft.oil_bbl), ("gas_mcf", draft.gas_mcf), ("water_bbl", draft.water_bbl)] {
            if !value.is_finite() {
                errors.push(name, "must be a finite number");
            } else if value < 0.0 && !draft.is_correction {
                errors.push(name, format!("{value} is negative; only an entry flagged is_correction may be"));
            }
        }
        if !(draft.hours_on.is_finite() && (0.0..=MAX_HOURS_ON).contains(&draft.hours_on)) {
            errors.push("hours_on", format!("{} is outside 0..25 hours", draft.hours_on));
        }
        for (name, value) in [("tubing_psig", draft.tubing_psig), ("casing_psig", draft.casing_psig)] {
            if let Some(v) = value
                && !(v.is_finite() && (MIN_PSIG..=MAX_PSIG).contains(&v))
            {
                errors.push(name, format!("{v} is outside {MIN_PSIG}..{MAX_PSIG} psig"));
            }
        }
        if let Some(c) = draft.choke_64ths
            && !(c.is_finite() && (0.0..=MAX_CHOKE_64THS).contains(&c))
        {
            errors.push("choke_64ths", format!("{c} is outside 0..{MAX_CHOKE_64THS} 64ths of an inch"));
        }
        errors.into_result(|| Self(draft))
    }

    pub fn into_draft(self) -> FieldEntryDraft {
        self.0
    }

    /// Barrels of oil equivalent at 6 Mcf per barrel ("6:1").
    pub fn boe(&self) -> f64 {
        self.oil_bbl + self.gas_mcf / 6.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn draft() -> FieldEntryDraft {
        FieldEntryDraft {
            id: EntryId(Uuid::from_u128(1)),
            well_id: WellId(Uuid::from_u128(2)),
            recorded_at: "2024-03-10T12:00:00Z".parse().unwrap(),
            oil_bbl: 120.0,
            gas_mcf: 300.0,
            water_bbl: 40.0,
            tubing_psig: Some(350.0),
            casing_psig: Some(600.0),
            choke_64ths: Some(32.0),
            hours_on: 24.0,
            downtime_reason: None,
            source: EntrySource::Manual,
            is_correction: false,
        }
    }

    #[test]
    fn accepts_a_normal_entry_and_a_25_hour_day() {
        assert!(FieldEntry::new(draft()).is_ok());
        let e = FieldEntry::new(FieldEntryDraft { hours_on: 25.0, ..draft() }).unwrap();
        assert_eq!(e.boe(), 170.0);
    }

    #[test]
    fn negative_volume_needs_the_correction_flag() {
        let err = FieldEntry::new(FieldEntryDraft { water_bbl: -457.84, ..draft() }).unwrap_err();
        assert_eq!(err.0[0].field, "water_bbl");
        assert!(FieldEntry::new(FieldEntryDraft { water_bbl: -457.84, is_correction: true, ..draft() }).is_ok());
    }

    #[test]
    fn rejects_out_of_range_values() {
        let bad = FieldEntryDraft {
            hours_on: 25.5,
            oil_bbl: f64::NAN,
            tubing_psig: Some(-20.0),
            choke_64ths: Some(300.0),
            ..draft()
        };
        let fields: Vec<String> = FieldEntry::new(bad).unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["oil_bbl", "hours_on", "tubing_psig", "choke_64ths"]);
    }

    #[test]
    fn json_shape_rejects_unknown_fields() {
        let mut v = serde_json::to_value(draft()).unwrap();
        assert!(serde_json::from_value::<FieldEntryDraft>(v.clone()).is_ok());
        v["bogus"] = serde_json::json!(1);
        assert!(serde_json::from_value::<FieldEntryDraft>(v).is_err());
    }
}
