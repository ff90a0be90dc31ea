//! Wells: identity, classification, location and the validated inputs that create or change one.

use super::{ApiNumber, FieldErrors, TenantId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WellId(pub Uuid);

impl std::fmt::Display for WellId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WellType {
    Oil,
    Gas,
    Injection,
    Disposal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WellStatus {
    Active,
    ShutIn,
    Inactive,
    Plugged,
}

macro_rules! str_enum {
    ($t:ty, $what:literal, $($variant:ident => $s:literal),+ $(,)?) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $s),+ }
            }
            pub const ALL: &'static [$t] = &[$(Self::$variant),+];
        }
        impl std::str::FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok(Self::$variant),)+
                    other => Err(format!(concat!("unknown ", $what, " {:?}"), other)),
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
pub(crate) use str_enum;

str_enum!(WellType, "well type", Oil => "oil", Gas => "gas", Injection => "injection", Disposal => "disposal");
str_enum!(WellStatus, "well status", Active => "active", ShutIn => "shut_in", Inactive => "inactive", Plugged => "plugged");

/// WGS 84 surface location in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

impl Coordinates {
    pub fn new(latitude: f64, longitude: f64) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        if !(latitude.is_finite() && (-90.0..=90.0).contains(&latitude)) {
            errors.push("latitude", format!("{latitude} is outside -90..90 degrees"));
        }
        if !(longitude.is_finite() && (-180.0..=180.0).contains(&longitude)) {
            errors.push("longitude", format!("{longitude} is outside -180..180 degrees"));
        }
        errors.into_result(|| Self { latitude, longitude })
    }
}

/// A stored well.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Well {
    pub id: WellId,
    pub tenant_id: TenantId,
    /// None for wells outside the API numbering system (for example the Norwegian Volve wellbores).
    pub api_number: Option<ApiNumber>,
    pub name: String,
    #[serde(rename = "type")]
    pub well_type: WellType,
    pub status: WellStatus,
    pub location: Option<Coordinates>,
    pub lease: Option<String>,
    pub field: Option<String>,
    pub county: Option<String>,
    /// Two-letter postal code of the state (or a country code outside the US).
    pub state: Option<String>,
    pub first_production_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A validated well to create. Built from the wire input by [`NewWell::parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewWell {
    pub api_number: Option<ApiNumber>,
    pub name: String,
    pub well_type: WellType,
    pub status: WellStatus,
    pub location: Option<Coordinates>,
    pub lease: Option<String>,
    pub field: Option<String>,
    pub county: Option<String>,
    pub state: Option<String>,
    pub first_production_date: Option<NaiveDate>,
}

/// The raw fields of a well as a client sends them (create) or changes them (update: absent = unchanged).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WellPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub well_type: Option<WellType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WellStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_production_date: Option<NaiveDate>,
}

const MAX_TEXT: usize = 200;

fn clean_text(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<String> {
    let v = value?.trim();
    if v.is_empty() {
        return None;
    }
    if v.len() > MAX_TEXT || v.chars().any(char::is_control) {
        errors.push(field, format!("must be at most {MAX_TEXT} printable characters"));
        return None;
    }
    Some(v.to_owned())
}

fn parse_state(errors: &mut FieldErrors, value: Option<&str>) -> Option<String> {
    let v = clean_text(errors, "state", value)?;
    if v.len() == 2 && v.chars().all(|c| c.is_ascii_alphabetic()) {
        Some(v.to_ascii_uppercase())
    } else {
        errors.push("state", format!("{v:?} is not a two-letter state or country code"));
        None
    }
}

impl NewWell {
    /// Validates a create request: name and type are required; everything else is optional.
    pub fn parse(input: &WellPatch) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = clean_text(&mut errors, "name", input.name.as_deref());
        if name.is_none() && input.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            errors.push("name", "is required");
        }
        if input.well_type.is_none() {
            errors.push("type", "is required (oil, gas, injection or disposal)");
        }
        let api_number = match input.api_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => match ApiNumber::parse(raw) {
                Ok(api) => Some(api),
                Err(message) => {
                    errors.push("api_number", message);
                    None
                }
            },
        };
        let location = match (input.latitude, input.longitude) {
            (None, None) => None,
            (Some(lat), Some(lon)) => match Coordinates::new(lat, lon) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.0.extend(e.0);
                    None
                }
            },
            _ => {
                errors.push("latitude", "latitude and longitude must be given together");
                None
            }
        };
        let lease = clean_text(&mut errors, "lease", input.lease.as_deref());
        let field = clean_text(&mut errors, "field", input.field.as_deref());
        let county = clean_text(&mut errors, "county", input.county.as_deref());
        let state = parse_state(&mut errors, input.state.as_deref());
        let (Some(name), Some(well_type), true) = (name, input.well_type, errors.is_empty()) else {
            return Err(errors);
        };
        Ok(Self {
            api_number,
            name,
            well_type,
            status: input.status.unwrap_or(WellStatus::Active),
            location,
            lease,
            field,
            county,
            state,
            first_production_date: input.first_production_date,
        })
    }
}

impl Well {
    /// The stored form of a new well: its id, tenant and creation time added.
    pub fn from_new(id: WellId, tenant_id: TenantId, new: &NewWell, now: DateTime<Utc>) -> Well {
        Well {
            id,
            tenant_id,
            api_number: new.api_number.clone(),
            name: new.name.clone(),
            well_type: new.well_type,
            status: new.status,
            location: new.location,
            lease: new.lease.clone(),
            field: new.field.clone(),
            county: new.county.clone(),
            state: new.state.clone(),
            first_production_date: new.first_production_date,
            created_at: now,
            updated_at: now,
        }
    }

    /// The patch applied to this well, validated as a whole (so a half-valid patch changes nothing).
    pub fn patched(&self, patch: &WellPatch) -> Result<Well, FieldErrors> {
        let merged = WellPatch {
            api_number: patch.api_number.clone().or_else(|| self.api_number.as_ref().map(ApiNumber::to_string)),
            name: patch.name.clone().or_else(|| Some(self.name.clone())),
            well_type: patch.well_type.or(Some(self.well_type)),
            status: patch.status.or(Some(self.status)),
            latitude: patch.latitude.or(self.location.map(|l| l.latitude)),
            longitude: patch.longitude.or(self.location.map(|l| l.longitude)),
            lease: patch.lease.clone().or_else(|| self.lease.clone()),
            field: patch.field.clone().or_else(|| self.field.clone()),
            county: patch.county.clone().or_else(|| self.county.clone()),
            state: patch.state.clone().or_else(|| self.state.clone()),
            first_production_date: patch.first_production_date.or(self.first_production_date),
        };
        let valid = NewWell::parse(&merged)?;
        Ok(Well {
            api_number: valid.api_number,
            name: valid.name,
            well_type: valid.well_type,
            status: valid.status,
            location: valid.location,
            lease: valid.lease,
            field: valid.field,
            county: valid.county,
            state: valid.state,
            first_production_date: valid.first_production_date,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> WellPatch {
        WellPatch {
            api_number: Some("42-317-12345".into()),
            name: Some("  Midland 12-1H ".into()),
            well_type: Some(WellType::Oil),
            latitude: Some(31.9),
            longitude: Some(-102.1),
            state: Some("tx".into()),
            ..Default::default()
        }
    }

    #[test]
    fn parses_a_valid_well_and_normalises_fields() {
        let w = NewWell::parse(&input()).unwrap();
        assert_eq!(w.name, "Midland 12-1H");
        assert_eq!(w.api_number.unwrap().to_string(), "42-317-12345-00-00");
        assert_eq!(w.state.as_deref(), Some("TX"));
        assert_eq!(w.status, WellStatus::Active);
    }

    #[test]
    fn collects_every_error() {
        let bad = WellPatch {
            api_number: Some("12-34".into()),
            name: None,
            well_type: None,
            latitude: Some(91.0),
            longitude: Some(-200.0),
            ..Default::default()
        };
        let errs = NewWell::parse(&bad).unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        for f in ["name", "type", "api_number", "latitude", "longitude"] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
    }

    #[test]
    fn lone_latitude_is_rejected() {
        let errs = NewWell::parse(&WellPatch { longitude: None, ..input() }).unwrap_err();
        assert_eq!(errs.0[0].field, "latitude");
    }

    #[test]
    fn patch_keeps_unchanged_fields_and_validates() {
        let now = Utc::now();
        let nw = NewWell::parse(&input()).unwrap();
        let well = Well::from_new(WellId(Uuid::nil()), TenantId(Uuid::nil()), &nw, now);
        let p = well.patched(&WellPatch { status: Some(WellStatus::ShutIn), ..Default::default() }).unwrap();
        assert_eq!(p.status, WellStatus::ShutIn);
        assert_eq!(p.name, well.name);
        assert!(well.patched(&WellPatch { latitude: Some(100.0), ..Default::default() }).is_err());
    }

    #[test]
    fn enums_round_trip_as_strings() {
        for t in WellType::ALL {
            assert_eq!(t.as_str().parse::<WellType>().unwrap(), *t);
        }
        for s in WellStatus::ALL {
            assert_eq!(s.as_str().parse::<WellStatus>().unwrap(), *s);
        }
        assert_eq!(serde_json::to_string(&WellStatus::ShutIn).unwrap(), "\"shut_in\"");
    }
}
