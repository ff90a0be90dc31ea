//! The price table API (`/api/v1/prices`): the tenant's dated WTI and Henry Hub prices (the EIA history shipped with
//! Flowline, then the tenant's own dated prices on top) and the gas heat content its revenue uses.
//!
//! Conventions: snake_case wire names; `day`, `from` and `to` are local dates (`YYYY-MM-DD`), instants RFC 3339 UTC.
//! Inputs reject unknown fields. [`PriceUpdate::parse`] checks every value with the rules of
//! [`crate::kpis::prices`] and [`crate::kpis::revenue`] (finite, -100..=1000 USD, negative WTI allowed; heat content
//! 0.8..=1.5 MMBtu/Mcf) and names each field that is wrong (`points[3].price`), so an update is all or nothing.

use crate::domain::FieldErrors;
use crate::kpis::prices::{Commodity, PricePoint, validate_price};
use crate::kpis::revenue::HeatContent;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most days one `GET /api/v1/prices` answer covers (`to - from + 1`).
pub const MAX_PRICE_DAYS: i64 = 400;
/// The most points one `PUT /api/v1/prices` may carry.
pub const MAX_PRICE_POINTS: usize = 5_000;
/// The years a dated price may fall in.
pub const PRICE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;
/// The unit of the heat content.
pub const HEAT_CONTENT_UNIT: &str = "MMBtu/Mcf";

/// Where a price comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PriceSource {
    /// The EIA daily spot history shipped in `assets/prices/` (the same for every tenant).
    Eia,
    /// Set by one of the tenant's admins; replaces the EIA price of that day, or adds a day.
    Tenant,
}

/// One dated price as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceRow {
    pub day: NaiveDate,
    /// USD per the answer's `unit`.
    pub price: f64,
    pub source: PriceSource,
    /// When and by whom a tenant price was set (absent for EIA prices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
}

/// The tenant's gas heat content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeatContentView {
    pub value: f64,
    /// `MMBtu/Mcf`.
    pub unit: String,
    /// `default` (1.037) until an admin sets one, then `tenant`.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
}

/// `GET /api/v1/prices`: one commodity's prices on the days `from..=to` that have one, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceList {
    pub commodity: Commodity,
    /// `USD/bbl` (WTI) or `USD/MMBtu` (Henry Hub).
    pub unit: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Days without a row (weekends, holidays) are priced at the latest earlier day by the KPIs.
    pub points: Vec<PriceRow>,
    pub heat_content: HeatContentView,
    /// The first and last day of the merged table of this commodity (`None` when it is empty).
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    /// The longest `from..=to` one request may ask for, in days (`MAX_PRICE_DAYS`, 400).
    pub max_days: i64,
}

/// One price of an update.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricePointInput {
    pub commodity: Commodity,
    pub day: NaiveDate,
    pub price: f64,
}

/// `PUT /api/v1/prices`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceUpdateInput {
    #[serde(default)]
    pub points: Vec<PricePointInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heat_content_mmbtu_per_mcf: Option<f64>,
}

/// A checked update: valid points, one per (commodity, day) (the last one given wins, as in
/// [`crate::kpis::prices::PriceTable::upsert`]), ordered by commodity and day.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceUpdate {
    pub points: Vec<PricePoint>,
    pub heat_content: Option<HeatContent>,
}

impl PriceUpdate {
    /// Checks every value; the errors name each bad field (`points[3].price`, `points[0].day`,
    /// `heat_content_mmbtu_per_mcf`, `points` when there are too many or nothing to change).
    pub fn parse(input: &PriceUpdateInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        if input.points.is_empty() && input.heat_content_mmbtu_per_mcf.is_none() {
            errors.push("points", "nothing to update: give points, heat_content_mmbtu_per_mcf or both");
        }
        if input.points.len() > MAX_PRICE_POINTS {
            errors.push("points", format!("{} points; at most {MAX_PRICE_POINTS} per request", input.points.len()));
        }
        let mut merged: BTreeMap<(Commodity, NaiveDate), f64> = BTreeMap::new();
        for (i, p) in input.points.iter().enumerate() {
            if !PRICE_YEARS.contains(&p.day.year()) {
                errors.push(format!("points[{i}].day"), format!("{} is outside the years 1900 to 2999", p.day));
            }
            let point = PricePoint::new(p.commodity, p.day, p.price);
            if let Err(e) = validate_price(&point) {
                errors.push(format!("points[{i}].price"), e.to_string());
            }
            merged.insert((p.commodity, p.day), p.price);
        }
        let heat_content = match input.heat_content_mmbtu_per_mcf {
            None => None,
            Some(v) => match HeatContent::new(v) {
                Ok(h) => Some(h),
                Err(e) => {
                    errors.push("heat_content_mmbtu_per_mcf", e.to_string());
                    None
                }
            },
        };
        errors.into_result(|| PriceUpdate {
            points: merged.into_iter().map(|((c, d), p)| PricePoint::new(c, d, p)).collect(),
            heat_content,
        })
    }
}

/// The answer to `PUT /api/v1/prices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceUpdateResult {
    /// Distinct (commodity, day) prices stored (a repeated day counts once).
    pub stored: usize,
    pub heat_content_mmbtu_per_mcf: f64,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn p(commodity: Commodity, day: &str, price: f64) -> PricePointInput {
        PricePointInput { commodity, day: d(day), price }
    }

    #[test]
    fn a_valid_update_keeps_the_last_point_of_a_day_and_allows_negative_wti() {
        let input = PriceUpdateInput {
            points: vec![
                p(Commodity::Wti, "2020-04-20", 10.0),
                p(Commodity::HenryHub, "2020-04-20", 1.9),
                p(Commodity::Wti, "2020-04-20", -36.98),
            ],
            heat_content_mmbtu_per_mcf: Some(1.1),
        };
        let u = PriceUpdate::parse(&input).unwrap();
        assert_eq!(
            u.points,
            vec![
                PricePoint::new(Commodity::Wti, d("2020-04-20"), -36.98),
                PricePoint::new(Commodity::HenryHub, d("2020-04-20"), 1.9),
            ]
        );
        assert_eq!(u.heat_content.map(f64::from), Some(1.1));
    }

    #[test]
    fn every_bad_field_is_named() {
        let input = PriceUpdateInput {
            points: vec![
                p(Commodity::Wti, "2024-06-03", 75.0),
                p(Commodity::Wti, "2024-06-04", 1000.5),
                p(Commodity::HenryHub, "1899-12-31", -101.0),
            ],
            heat_content_mmbtu_per_mcf: Some(2.0),
        };
        let fields: Vec<String> = PriceUpdate::parse(&input).unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["points[1].price", "points[2].day", "points[2].price", "heat_content_mmbtu_per_mcf"]);
        let empty = PriceUpdate::parse(&PriceUpdateInput::default()).unwrap_err();
        assert_eq!(empty.0[0].field, "points");
    }

    #[test]
    fn unknown_fields_and_commodities_are_refused() {
        let bad = r#"{"points":[{"commodity":"brent","day":"2024-06-03","price":80}]}"#;
        assert!(serde_json::from_str::<PriceUpdateInput>(bad).is_err());
        let extra = r#"{"points":[],"heat":1.0}"#;
        assert!(serde_json::from_str::<PriceUpdateInput>(extra).is_err());
    }
}
