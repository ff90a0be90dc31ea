//! Conversions between PostgreSQL rows and domain values, and error mapping.

pub(super) use crate::adapters::truncate_ms;
use crate::ports::StorageError;
use flowline_shared::{ApiNumber, Coordinates, EntryId, FieldEntryDraft, Tenant, TenantId, TenantSlug, Well, WellId};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

/// `NotFound` (naming the first offender) unless every one of `wells` is a well of `tenant`. The schema has no
/// foreign keys from per-well tables to `wells` (see migration 0002); writers call this inside their transaction
/// instead (wells are never deleted, so the check cannot race).
pub(super) async fn ensure_wells_of_tenant(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant: TenantId,
    wells: impl Iterator<Item = WellId>,
) -> Result<(), StorageError> {
    let mut ids: Vec<uuid::Uuid> = wells.map(|w| w.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let foreign = tx
        .query_opt(
            "SELECT u.w FROM UNNEST($2::uuid[]) AS u(w) \
             WHERE NOT EXISTS (SELECT 1 FROM wells WHERE tenant_id = $1 AND id = u.w) LIMIT 1",
            &[&tenant.0, &ids],
        )
        .await
        .map_err(unavailable)?;
    match foreign {
        Some(row) => {
            let well: uuid::Uuid = get(&row, 0)?;
            Err(StorageError::NotFound(format!("well {well} in this tenant")))
        }
        None => Ok(()),
    }
}

pub(super) fn unavailable(e: tokio_postgres::Error) -> StorageError {
    StorageError::Unavailable(e.to_string())
}

/// Unique violations become `Conflict`; everything else `Unavailable`.
pub(super) fn classify(e: tokio_postgres::Error, what: &str) -> StorageError {
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) { StorageError::Conflict(what.to_owned()) } else { unavailable(e) }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::Unavailable(format!("stored {what} is invalid: {e}"))
}

pub(super) fn get<'a, T: tokio_postgres::types::FromSql<'a>>(row: &'a Row, col: usize) -> Result<T, StorageError> {
    row.try_get(col).map_err(|e| corrupt("column", e))
}

pub(super) fn parse<T: std::str::FromStr<Err = String>>(row: &Row, col: usize) -> Result<T, StorageError> {
    let raw: String = get(row, col)?;
    raw.parse().map_err(|e: String| corrupt("value", e))
}

pub(super) const TENANT_COLUMNS: &str = "id, slug, name, time_zone, created_at";

pub(super) fn tenant(row: &Row) -> Result<Tenant, StorageError> {
    let slug: String = get(row, 1)?;
    let tz: String = get(row, 3)?;
    Ok(Tenant {
        id: TenantId(get(row, 0)?),
        slug: TenantSlug::parse(&slug).map_err(|e| corrupt("tenant slug", e))?,
        name: get(row, 2)?,
        time_zone: tz.parse().map_err(|e: chrono_tz::ParseError| corrupt("time zone", e))?,
        created_at: get(row, 4)?,
    })
}

pub(super) const WELL_COLUMNS: &str = "id, tenant_id, api_number, name, well_type, status, latitude, longitude, lease, field, \
     county, state, first_production_date, created_at, updated_at";

pub(super) fn well(row: &Row) -> Result<Well, StorageError> {
    let api: Option<String> = get(row, 2)?;
    let lat: Option<f64> = get(row, 6)?;
    let lon: Option<f64> = get(row, 7)?;
    Ok(Well {
        id: WellId(get(row, 0)?),
        tenant_id: TenantId(get(row, 1)?),
        api_number: api.map(|a| ApiNumber::parse(&a).map_err(|e| corrupt("API number", e))).transpose()?,
        name: get(row, 3)?,
        well_type: parse(row, 4)?,
        status: parse(row, 5)?,
        location: match (lat, lon) {
            (Some(latitude), Some(longitude)) => Some(Coordinates { latitude, longitude }),
            _ => None,
        },
        lease: get(row, 8)?,
        field: get(row, 9)?,
        county: get(row, 10)?,
        state: get(row, 11)?,
        first_production_date: get(row, 12)?,
        created_at: get(row, 13)?,
        updated_at: get(row, 14)?,
    })
}

pub(super) const ENTRY_COLUMNS: &str = "id, well_id, recorded_at, oil_bbl, gas_mcf, water_bbl, tubing_psig, casing_psig, \
     choke_64ths, hours_on, downtime_reason, source, is_correction";

pub(super) fn entry(row: &Row) -> Result<FieldEntryDraft, StorageError> {
    let reason: Option<String> = get(row, 10)?;
    Ok(FieldEntryDraft {
        id: EntryId(get(row, 0)?),
        well_id: WellId(get(row, 1)?),
        recorded_at: get(row, 2)?,
        oil_bbl: get(row, 3)?,
        gas_mcf: get(row, 4)?,
        water_bbl: get(row, 5)?,
        tubing_psig: get(row, 6)?,
        casing_psig: get(row, 7)?,
        choke_64ths: get(row, 8)?,
        hours_on: get(row, 9)?,
        downtime_reason: reason.map(|r| r.parse().map_err(|e: String| corrupt("downtime reason", e))).transpose()?,
        source: parse(row, 11)?,
        is_correction: get(row, 12)?,
    })
}

/// A `readings` row: well id, instant, then the values in `Field::ALL` order.
pub(super) fn entry_values(row: &Row) -> Result<flowline_shared::analytics::aggregation::EntryValues, StorageError> {
    Ok(flowline_shared::analytics::aggregation::EntryValues {
        well_id: WellId(get(row, 0)?),
        recorded_at: get(row, 1)?,
        values: [
            Some(get(row, 2)?),
            Some(get(row, 3)?),
            Some(get(row, 4)?),
            get(row, 5)?,
            get(row, 6)?,
            get(row, 7)?,
            Some(get(row, 8)?),
        ],
    })
}
