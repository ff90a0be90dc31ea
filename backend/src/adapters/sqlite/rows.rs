//! Conversions between SQLite rows and domain values, and error mapping.

pub(super) use crate::adapters::{now_ms, truncate_ms};
use crate::ports::StorageError;
use chrono::{DateTime, NaiveDate, Utc};
use flowline_shared::{ApiNumber, Coordinates, Tenant, TenantId, TenantSlug, Well, WellId};
use rusqlite::Row;
use rusqlite::types::{FromSqlError, Type};

pub(super) fn unavailable(e: rusqlite::Error) -> StorageError {
    StorageError::Unavailable(e.to_string())
}

/// Unique and primary-key violations become `Conflict`; everything else `Unavailable`.
pub(super) fn classify(e: rusqlite::Error, what: &str) -> StorageError {
    if let rusqlite::Error::SqliteFailure(err, _) = &e
        && err.code == rusqlite::ErrorCode::ConstraintViolation
        && matches!(err.extended_code, 2067 | 1555)
    {
        return StorageError::Conflict(what.to_owned());
    }
    unavailable(e)
}

pub(super) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn conversion(col: usize, msg: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, Type::Text, Box::new(FromSqlError::Other(msg.into())))
}

pub(super) fn instant(row: &Row<'_>, col: usize) -> rusqlite::Result<DateTime<Utc>> {
    let v: i64 = row.get(col)?;
    DateTime::from_timestamp_millis(v).ok_or_else(|| conversion(col, format!("{v} is not a valid instant")))
}

pub(super) fn parsed<T: std::str::FromStr<Err = String>>(row: &Row<'_>, col: usize) -> rusqlite::Result<T> {
    let v: String = row.get(col)?;
    v.parse().map_err(|e| conversion(col, e))
}

pub(super) fn opt_parsed<T: std::str::FromStr<Err = String>>(row: &Row<'_>, col: usize) -> rusqlite::Result<Option<T>> {
    let v: Option<String> = row.get(col)?;
    v.map(|s| s.parse().map_err(|e| conversion(col, e))).transpose()
}

pub(super) const TENANT_COLUMNS: &str = "id, slug, name, time_zone, created_at";

pub(super) fn tenant(row: &Row<'_>) -> rusqlite::Result<Tenant> {
    let slug: String = row.get(1)?;
    let tz: String = row.get(3)?;
    Ok(Tenant {
        id: TenantId(row.get(0)?),
        slug: TenantSlug::parse(&slug).map_err(|e| conversion(1, e))?,
        name: row.get(2)?,
        time_zone: tz.parse().map_err(|e: chrono_tz::ParseError| conversion(3, e.to_string()))?,
        created_at: instant(row, 4)?,
    })
}

/// Column list matching [`well`]; prefix with a table alias where needed.
pub(super) const WELL_COLUMNS: &str = "id, tenant_id, api_number, name, well_type, status, latitude, longitude, lease, field, \
     county, state, first_production_date, created_at, updated_at";

pub(super) fn well(row: &Row<'_>) -> rusqlite::Result<Well> {
    let api: Option<String> = row.get(2)?;
    let lat: Option<f64> = row.get(6)?;
    let lon: Option<f64> = row.get(7)?;
    let first: Option<String> = row.get(12)?;
    Ok(Well {
        id: WellId(row.get(0)?),
        tenant_id: TenantId(row.get(1)?),
        api_number: api.map(|a| ApiNumber::parse(&a).map_err(|e| conversion(2, e))).transpose()?,
        name: row.get(3)?,
        well_type: parsed(row, 4)?,
        status: parsed(row, 5)?,
        location: match (lat, lon) {
            (Some(latitude), Some(longitude)) => Some(Coordinates { latitude, longitude }),
            _ => None,
        },
        lease: row.get(8)?,
        field: row.get(9)?,
        county: row.get(10)?,
        state: row.get(11)?,
        first_production_date: first
            .map(|d| d.parse::<NaiveDate>().map_err(|e| conversion(12, e.to_string())))
            .transpose()?,
        created_at: instant(row, 13)?,
        updated_at: instant(row, 14)?,
    })
}

/// A `YYYY-MM-DD` text column.
pub(super) fn date(row: &Row<'_>, col: usize) -> rusqlite::Result<NaiveDate> {
    let v: String = row.get(col)?;
    v.parse::<NaiveDate>().map_err(|e| conversion(col, e.to_string()))
}
