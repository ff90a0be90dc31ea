//! Maintenance items (`/api/v1/maintenance`): the planned and finished maintenance actions of a well (inspections,
//! pump changes, workovers, …), whose earliest `scheduled` one is the well's "next scheduled action".
//!
//! Conventions: snake_case wire names; `due_on` is a local date of the tenant's time zone (`YYYY-MM-DD`), instants
//! are RFC 3339 UTC. Inputs reject unknown fields; [`NewMaintenance::parse`] and [`MaintenancePatch::parse`] check
//! every value and name each field that is wrong (a value of those types is valid).

use crate::domain::{FieldErrors, WellId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaintenanceId(pub Uuid);

impl std::fmt::Display for MaintenanceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What kind of work an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MaintenanceKind {
    Inspection,
    PumpChange,
    Workover,
    ChemicalTreatment,
    FacilityService,
    WellTest,
    Other,
}

/// Where an item is in its life: planned, carried out, or dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MaintenanceStatus {
    Scheduled,
    Done,
    Cancelled,
}

macro_rules! wire_enum {
    ($t:ty, $what:literal, $($variant:ident => $s:literal),+ $(,)?) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(Self::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $s),+ }
            }
        }
        impl std::str::FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok(Self::$variant),)+
                    other => Err(format!(concat!("unknown ", $what, " {:?}: expected one of {}"), other,
                        [$($s),+].join(", "))),
                }
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(MaintenanceKind, "maintenance kind",
    Inspection => "inspection", PumpChange => "pump_change", Workover => "workover",
    ChemicalTreatment => "chemical_treatment", FacilityService => "facility_service", WellTest => "well_test",
    Other => "other");
wire_enum!(MaintenanceStatus, "maintenance status", Scheduled => "scheduled", Done => "done", Cancelled => "cancelled");

/// A stored maintenance item of one well (the tenant is the well's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaintenanceItem {
    /// UUIDv7.
    pub id: MaintenanceId,
    pub well_id: WellId,
    pub kind: MaintenanceKind,
    pub title: String,
    pub notes: Option<String>,
    /// The local date (tenant's time zone) the work is due.
    pub due_on: NaiveDate,
    pub status: MaintenanceStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the item became `done`; `null` unless it is done.
    pub completed_at: Option<DateTime<Utc>>,
    /// Username of whoever created it (`simulator` for the simulator's items).
    pub created_by: String,
}

/// Body of `POST /api/v1/maintenance` as a client sends it: `well_id`, `kind`, `title` and `due_on` are required
/// (checked by [`NewMaintenance::parse`], which names every missing or bad field at once).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "A new maintenance item: `well_id`, `kind`, `title` and `due_on` are required (a missing \
                          one is a `validation_failed` naming every missing or bad field at once).")
)]
pub struct NewMaintenanceInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub well_id: Option<WellId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MaintenanceKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    /// Default `scheduled`; `done` records work already carried out (completed now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MaintenanceStatus>,
}

/// Body of `PATCH /api/v1/maintenance/{id}`: the fields to change (absent = unchanged). `notes` set to `""`
/// clears them. The well of an item cannot be changed (delete it and create one on the right well).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaintenancePatchInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MaintenanceKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MaintenanceStatus>,
}

/// Longest title, in characters (after trimming).
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest notes, in characters (after trimming).
pub const MAX_NOTES_CHARS: usize = 2_000;
/// Earliest accepted due date.
pub const MIN_DUE_ON: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => panic!("1900-01-01 is a date"),
};
/// Latest accepted due date (four-digit years keep `YYYY-MM-DD` text sortable, and catch typos such as 20205).
pub const MAX_DUE_ON: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(d) => d,
    None => panic!("2199-12-31 is a date"),
};

/// A validated item to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMaintenance {
    pub well_id: WellId,
    pub kind: MaintenanceKind,
    pub title: String,
    pub notes: Option<String>,
    pub due_on: NaiveDate,
    pub status: MaintenanceStatus,
}

/// A validated change. `notes: Some(None)` clears the notes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaintenancePatch {
    pub kind: Option<MaintenanceKind>,
    pub title: Option<String>,
    pub notes: Option<Option<String>>,
    pub due_on: Option<NaiveDate>,
    pub status: Option<MaintenanceStatus>,
}

fn parse_title(errors: &mut FieldErrors, raw: &str) -> Option<String> {
    let v = raw.trim();
    let chars = v.chars().count();
    if chars == 0 {
        errors.push("title", "must not be empty");
        None
    } else if chars > MAX_TITLE_CHARS {
        errors.push("title", format!("is {chars} characters long; at most {MAX_TITLE_CHARS} are allowed"));
        None
    } else if v.chars().any(char::is_control) {
        errors.push("title", "must not contain control characters (line breaks, tabs)");
        None
    } else {
        Some(v.to_owned())
    }
}

/// `Ok(None)` for blank notes.
fn parse_notes(errors: &mut FieldErrors, raw: &str) -> Result<Option<String>, ()> {
    let v = raw.trim();
    let chars = v.chars().count();
    if chars > MAX_NOTES_CHARS {
        errors.push("notes", format!("are {chars} characters long; at most {MAX_NOTES_CHARS} are allowed"));
        Err(())
    } else if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        errors.push("notes", "must not contain control characters other than line breaks and tabs");
        Err(())
    } else {
        Ok((!v.is_empty()).then(|| v.to_owned()))
    }
}

fn check_due_on(errors: &mut FieldErrors, due_on: NaiveDate) -> Option<NaiveDate> {
    if (MIN_DUE_ON..=MAX_DUE_ON).contains(&due_on) {
        Some(due_on)
    } else {
        errors.push("due_on", format!("{due_on} is outside {MIN_DUE_ON}..{MAX_DUE_ON}"));
        None
    }
}

impl NewMaintenance {
    /// Validates a create request, collecting every error.
    pub fn parse(input: &NewMaintenanceInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        if input.well_id.is_none() {
            errors.push("well_id", "is required");
        }
        if input.kind.is_none() {
            errors.push("kind", format!("is required (one of {})", kinds()));
        }
        let title = match input.title.as_deref() {
            None => {
                errors.push("title", "is required");
                None
            }
            Some(raw) => parse_title(&mut errors, raw),
        };
        let notes =
            input.notes.as_deref().map(|raw| parse_notes(&mut errors, raw)).transpose().ok().flatten().flatten();
        let due_on = match input.due_on {
            None => {
                errors.push("due_on", "is required (YYYY-MM-DD)");
                None
            }
            Some(d) => check_due_on(&mut errors, d),
        };
        let (Some(well_id), Some(kind), Some(title), Some(due_on), true) =
            (input.well_id, input.kind, title, due_on, errors.is_empty())
        else {
            return Err(errors);
        };
        Ok(Self { well_id, kind, title, notes, due_on, status: input.status.unwrap_or(MaintenanceStatus::Scheduled) })
    }
}

fn kinds() -> String {
    MaintenanceKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
}

impl MaintenancePatch {
    /// Validates a change, collecting every error.
    pub fn parse(input: &MaintenancePatchInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = input.title.as_deref().and_then(|raw| parse_title(&mut errors, raw));
        let notes = input.notes.as_deref().and_then(|raw| parse_notes(&mut errors, raw).ok());
        let due_on = input.due_on.and_then(|d| check_due_on(&mut errors, d));
        errors.into_result(|| Self { kind: input.kind, title, notes, due_on, status: input.status })
    }

    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

impl MaintenanceItem {
    /// The stored form of a new item created by `created_by` at `now` (completed at `now` if created as done).
    pub fn from_new(id: MaintenanceId, new: &NewMaintenance, created_by: &str, now: DateTime<Utc>) -> Self {
        Self {
            id,
            well_id: new.well_id,
            kind: new.kind,
            title: new.title.clone(),
            notes: new.notes.clone(),
            due_on: new.due_on,
            status: new.status,
            created_at: now,
            updated_at: now,
            completed_at: (new.status == MaintenanceStatus::Done).then_some(now),
            created_by: created_by.to_owned(),
        }
    }

    /// The item with `patch` applied at `now`: `completed_at` becomes `now` when the item becomes done, stays as it
    /// was while it remains done, and is cleared when it is not done.
    pub fn patched(&self, patch: &MaintenancePatch, now: DateTime<Utc>) -> Self {
        let status = patch.status.unwrap_or(self.status);
        let completed_at = match (self.status, status) {
            (MaintenanceStatus::Done, MaintenanceStatus::Done) => self.completed_at.or(Some(now)),
            (_, MaintenanceStatus::Done) => Some(now),
            _ => None,
        };
        Self {
            kind: patch.kind.unwrap_or(self.kind),
            title: patch.title.clone().unwrap_or_else(|| self.title.clone()),
            notes: patch.notes.clone().unwrap_or_else(|| self.notes.clone()),
            due_on: patch.due_on.unwrap_or(self.due_on),
            status,
            updated_at: now,
            completed_at,
            ..self.clone()
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn input() -> NewMaintenanceInput {
        NewMaintenanceInput {
            well_id: Some(WellId(Uuid::nil())),
            kind: Some(MaintenanceKind::PumpChange),
            title: Some("  Replace rod pump  ".into()),
            notes: Some("   ".into()),
            due_on: NaiveDate::from_ymd_opt(2025, 7, 1),
            status: None,
        }
    }

    fn fields(e: &FieldErrors) -> Vec<&str> {
        e.0.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn maintenance_input_is_trimmed_and_defaults_to_scheduled() {
        let m = NewMaintenance::parse(&input()).unwrap();
        assert_eq!(m.title, "Replace rod pump");
        assert_eq!(m.notes, None);
        assert_eq!(m.status, MaintenanceStatus::Scheduled);
    }

    #[test]
    fn maintenance_input_names_every_bad_field() {
        let e = NewMaintenance::parse(&NewMaintenanceInput::default()).unwrap_err();
        assert_eq!(fields(&e), ["well_id", "kind", "title", "due_on"]);
        let bad = NewMaintenanceInput {
            title: Some("x".repeat(201)),
            notes: Some("y".repeat(2_001)),
            due_on: NaiveDate::from_ymd_opt(2200, 1, 1),
            ..input()
        };
        assert_eq!(fields(&NewMaintenance::parse(&bad).unwrap_err()), ["title", "notes", "due_on"]);
        // 200 characters (not bytes) are fine.
        assert!(NewMaintenance::parse(&NewMaintenanceInput { title: Some("é".repeat(200)), ..input() }).is_ok());
        let e = NewMaintenance::parse(&NewMaintenanceInput { title: Some("a\u{7}b".into()), ..input() }).unwrap_err();
        assert_eq!(fields(&e), ["title"]);
        let e = MaintenancePatch::parse(&MaintenancePatchInput { title: Some(" ".into()), ..Default::default() })
            .unwrap_err();
        assert_eq!(fields(&e), ["title"]);
    }

    #[test]
    fn maintenance_patch_sets_and_clears_completed_at() {
        let t0: DateTime<Utc> = "2025-06-01T12:00:00Z".parse().unwrap();
        let new = NewMaintenance::parse(&NewMaintenanceInput { notes: Some("n".into()), ..input() }).unwrap();
        let item = MaintenanceItem::from_new(MaintenanceId(Uuid::nil()), &new, "ops", t0);
        assert_eq!(item.completed_at, None);
        let done = |s| MaintenancePatch { status: Some(s), ..Default::default() };
        let t1 = t0 + chrono::Duration::hours(1);
        let d = item.patched(&done(MaintenanceStatus::Done), t1);
        assert_eq!((d.completed_at, d.updated_at, d.created_at), (Some(t1), t1, t0));
        let t2 = t1 + chrono::Duration::hours(1);
        let still = d.patched(&MaintenancePatch { title: Some("t".into()), ..Default::default() }, t2);
        assert_eq!(still.completed_at, Some(t1), "stays done: the completion time is kept");
        assert_eq!(still.patched(&done(MaintenanceStatus::Cancelled), t2).completed_at, None);
        let cleared =
            MaintenancePatch::parse(&MaintenancePatchInput { notes: Some("".into()), ..Default::default() }).unwrap();
        assert_eq!(item.patched(&cleared, t1).notes, None);
        assert!(MaintenancePatch::parse(&MaintenancePatchInput::default()).unwrap().is_empty());
    }

    #[test]
    fn maintenance_enums_round_trip_as_snake_case() {
        for k in MaintenanceKind::ALL {
            assert_eq!(k.as_str().parse::<MaintenanceKind>().unwrap(), *k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for s in MaintenanceStatus::ALL {
            assert_eq!(s.as_str().parse::<MaintenanceStatus>().unwrap(), *s);
        }
        assert!("pump change".parse::<MaintenanceKind>().unwrap_err().contains("pump_change"));
        let bad = serde_json::from_str::<MaintenancePatchInput>(r#"{"tittle": "x"}"#);
        assert!(bad.is_err(), "unknown fields are rejected");
    }
}
