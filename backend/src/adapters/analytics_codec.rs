//! What both adapters share about the stored analytics: the names of the enums in storage, the SQL of a well's
//! primary field, and the flattening of a pass's results into rows (JSON encoded, duplicates resolved).

use crate::ports::{StorageError, StorageResult, WellAnalytics};
use chrono::NaiveDate;
use flowline_shared::WellId;
use flowline_shared::WellType;
use flowline_shared::analytics::aggregation::Field;
use flowline_shared::analytics::anomalies::Severity;
use flowline_shared::analytics::trend::TrendDirection;
use std::collections::BTreeMap;

/// The serde name of a direction.
pub(crate) fn direction_name(d: TrendDirection) -> &'static str {
    match d {
        TrendDirection::Up => "up",
        TrendDirection::Flat => "flat",
        TrendDirection::Down => "down",
        TrendDirection::InsufficientData => "insufficient_data",
    }
}

/// The serde name of a severity.
pub(crate) fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
    }
}

/// The field a well is judged by (`TrendFilter::field` doc: oil for oil wells, gas for gas wells, water for
/// injection and disposal wells).
fn primary_field(t: WellType) -> Field {
    match t {
        WellType::Oil => Field::OilBbl,
        WellType::Gas => Field::GasMcf,
        WellType::Injection | WellType::Disposal => Field::WaterBbl,
    }
}

/// `CASE <well_type column> WHEN 'oil' THEN 'oil_bbl' … END`: the primary field's name of a well, in both dialects.
pub(crate) fn primary_field_sql(well_type_column: &str) -> String {
    let mut sql = format!("CASE {well_type_column}");
    for t in WellType::ALL {
        sql.push_str(&format!(" WHEN '{}' THEN '{}'", t.as_str(), primary_field(*t).as_str()));
    }
    sql.push_str(" END");
    sql
}

/// `CASE <field column> WHEN 'oil_bbl' THEN 0 … END`: the position of a field in `Field::ALL` (its `Ord`), to sort by.
pub(crate) fn field_rank_sql(field_column: &str) -> String {
    let mut sql = format!("CASE {field_column}");
    for f in Field::ALL {
        sql.push_str(&format!(" WHEN '{}' THEN {}", f.as_str(), f.index()));
    }
    sql.push_str(" END");
    sql
}

/// One well's `well_analytics` row of a pass.
#[derive(Debug, Clone)]
pub(crate) struct EncodedWell {
    pub well_id: WellId,
    pub as_of: NaiveDate,
    /// `None` when there is no forecast: the well's primary field is stored (the adapter looks it up).
    pub forecast_field: Option<&'static str>,
    /// JSON of the `Forecast`.
    pub forecast: Option<String>,
    pub forecast_error: Option<String>,
    /// The anomaly window (inclusive).
    pub window: (NaiveDate, NaiveDate),
}

#[derive(Debug, Clone)]
pub(crate) struct EncodedTrend {
    pub well_id: WellId,
    pub field: &'static str,
    pub direction: &'static str,
    pub percent_change: Option<f64>,
    pub slope_per_day: Option<f64>,
    pub r_squared: Option<f64>,
    /// JSON of the `ProductionTrend`.
    pub json: String,
}

#[derive(Debug, Clone)]
pub(crate) struct EncodedAnomaly {
    pub well_id: WellId,
    pub field: &'static str,
    pub day: NaiveDate,
    pub z: f64,
    pub severity: &'static str,
    /// JSON of the `Anomaly`.
    pub json: String,
}

/// The rows of a pass, ordered by well id (the order rows are locked in).
#[derive(Debug, Clone, Default)]
pub(crate) struct EncodedAnalytics {
    pub wells: Vec<EncodedWell>,
    pub trends: Vec<EncodedTrend>,
    pub anomalies: Vec<EncodedAnomaly>,
}

fn json<T: serde::Serialize>(value: &T, what: &str) -> StorageResult<String> {
    serde_json::to_string(value).map_err(|e| StorageError::Unavailable(format!("cannot encode {what}: {e}")))
}

/// Decodes a stored JSON value; a value that does not decode is a corrupted store (`Unavailable`).
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> StorageResult<T> {
    serde_json::from_str(text).map_err(|e| StorageError::Unavailable(format!("stored {what} is invalid: {e}")))
}

/// Flattens the results of a pass into rows. A well listed twice keeps its last result, a field's trend or a
/// (field, day)'s anomaly listed twice in one result its last value: storing the batch is storing each result in
/// turn, as far as what is left afterwards goes.
pub(crate) fn encode(results: &[WellAnalytics]) -> StorageResult<EncodedAnalytics> {
    let mut last: BTreeMap<WellId, &WellAnalytics> = BTreeMap::new();
    for r in results {
        last.insert(r.well_id, r);
    }
    let mut out = EncodedAnalytics::default();
    for (&well_id, r) in &last {
        let (forecast_field, forecast, forecast_error) = match &r.forecast {
            Ok((field, forecast)) => (Some(field.as_str()), Some(json(forecast, "forecast")?), None),
            Err(reason) => (None, None, Some(reason.clone())),
        };
        out.wells.push(EncodedWell {
            well_id,
            as_of: r.as_of,
            forecast_field,
            forecast,
            forecast_error,
            window: r.anomaly_window,
        });
        let trends: BTreeMap<Field, _> = r.trends.iter().map(|(f, t)| (*f, t)).collect();
        for (field, t) in trends {
            out.trends.push(EncodedTrend {
                well_id,
                field: field.as_str(),
                direction: direction_name(t.direction),
                percent_change: t.percent_change,
                slope_per_day: t.slope_per_day(),
                r_squared: t.r_squared(),
                json: json(t, "trend")?,
            });
        }
        let anomalies: BTreeMap<(Field, NaiveDate), _> = r.anomalies.iter().map(|(f, a)| ((*f, a.day), a)).collect();
        for ((field, day), a) in anomalies {
            out.anomalies.push(EncodedAnomaly {
                well_id,
                field: field.as_str(),
                day,
                z: a.z,
                severity: severity_name(a.severity),
                json: json(a, "anomaly")?,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names() {
        for d in [TrendDirection::Up, TrendDirection::Flat, TrendDirection::Down, TrendDirection::InsufficientData] {
            assert_eq!(serde_json::to_value(d).unwrap(), direction_name(d));
        }
        for s in [Severity::Low, Severity::Medium, Severity::High] {
            assert_eq!(serde_json::to_value(s).unwrap(), severity_name(s));
        }
        assert_eq!(
            primary_field_sql("w.well_type"),
            "CASE w.well_type WHEN 'oil' THEN 'oil_bbl' WHEN 'gas' THEN 'gas_mcf' WHEN 'injection' THEN 'water_bbl' \
             WHEN 'disposal' THEN 'water_bbl' END"
        );
    }

    #[test]
    fn the_migrations_triggers_use_the_same_primary_fields() {
        let case = primary_field_sql("NEW.well_type");
        for sql in [
            include_str!("../../../migrations/sqlite/0003_analytics.sql"),
            include_str!("../../../migrations/postgres/0004_analytics.sql"),
        ] {
            assert!(sql.contains(&format!("is_primary = (field = {case})")), "{case}");
        }
    }
}
