//! Field entries on SQLite.

use super::SqliteStorage;
use super::rows::{self, ms, unavailable};
use crate::ports::{EntryQuery, EntryRepository, InsertOutcome, StorageError, StorageResult};
use async_trait::async_trait;
use flowline_shared::{EntryId, FieldEntry, FieldEntryDraft, TenantId, WellId};
use rusqlite::types::Value;
use rusqlite::{Row, params, params_from_iter};

/// SQLITE_CONSTRAINT_FOREIGNKEY: the entry's (tenant, well) is not a well of that tenant.
const FOREIGN_KEY_VIOLATION: std::os::raw::c_int = 787;

const ENTRY_COLUMNS: &str = "id, well_id, recorded_at, oil_bbl, gas_mcf, water_bbl, tubing_psig, casing_psig, choke_64ths, \
     hours_on, downtime_reason, source, is_correction";

fn entry(row: &Row<'_>) -> rusqlite::Result<FieldEntryDraft> {
    Ok(FieldEntryDraft {
        id: EntryId(row.get(0)?),
        well_id: WellId(row.get(1)?),
        recorded_at: rows::instant(row, 2)?,
        oil_bbl: row.get(3)?,
        gas_mcf: row.get(4)?,
        water_bbl: row.get(5)?,
        tubing_psig: row.get(6)?,
        casing_psig: row.get(7)?,
        choke_64ths: row.get(8)?,
        hours_on: row.get(9)?,
        downtime_reason: rows::opt_parsed(row, 10)?,
        source: rows::parsed(row, 11)?,
        is_correction: row.get(12)?,
    })
}

fn window(tenant: TenantId, well: WellId, q: &EntryQuery) -> (String, Vec<Value>) {
    let mut sql = String::from("tenant_id = ? AND well_id = ?");
    let mut values = vec![Value::Blob(tenant.0.as_bytes().to_vec()), Value::Blob(well.0.as_bytes().to_vec())];
    if let Some(from) = q.from {
        sql.push_str(" AND recorded_at >= ?");
        values.push(Value::Integer(ms(from)));
    }
    if let Some(to) = q.to {
        sql.push_str(" AND recorded_at < ?");
        values.push(Value::Integer(ms(to)));
    }
    (sql, values)
}

#[async_trait]
impl EntryRepository for SqliteStorage {
    async fn insert_entries(&self, tenant: TenantId, entries: &[FieldEntry]) -> StorageResult<InsertOutcome> {
        let entries = entries.to_vec();
        self.write(move |conn| {
            let now = ms(chrono::Utc::now());
            let tx = conn.transaction().map_err(unavailable)?;
            let mut inserted = 0u64;
            {
                let mut stmt = tx
                    .prepare_cached(
                        "INSERT INTO field_entries (id, tenant_id, well_id, recorded_at, oil_bbl, gas_mcf, water_bbl, tubing_psig, \
                         casing_psig, choke_64ths, hours_on, downtime_reason, source, is_correction, created_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT (id) DO NOTHING",
                    )
                    .map_err(unavailable)?;
                for e in &entries {
                    inserted += stmt
                        .execute(params![
                            e.id.0,
                            tenant.0,
                            e.well_id.0,
                            ms(e.recorded_at),
                            e.oil_bbl,
                            e.gas_mcf,
                            e.water_bbl,
                            e.tubing_psig,
                            e.casing_psig,
                            e.choke_64ths,
                            e.hours_on,
                            e.downtime_reason.map(|r| r.as_str()),
                            e.source.as_str(),
                            e.is_correction,
                            now,
                        ])
                        .map_err(|err| match &err {
                            rusqlite::Error::SqliteFailure(f, _) if f.extended_code == FOREIGN_KEY_VIOLATION => {
                                StorageError::NotFound(format!("well {} in this tenant", e.well_id))
                            }
                            _ => unavailable(err),
                        })? as u64;
                }
            }
            tx.commit().map_err(unavailable)?;
            Ok(InsertOutcome { inserted, duplicates: entries.len() as u64 - inserted })
        })
        .await
    }

    async fn entries_for_well(
        &self,
        tenant: TenantId,
        well: WellId,
        query: EntryQuery,
    ) -> StorageResult<(Vec<FieldEntry>, u64)> {
        let (clause, values) = window(tenant, well, &query);
        self.read(move |conn| {
            let total: i64 = conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM field_entries WHERE {clause}"),
                    params_from_iter(values.iter()),
                    |r| r.get(0),
                )
                .map_err(unavailable)?;
            let sql = format!(
                "SELECT {ENTRY_COLUMNS} FROM field_entries WHERE {clause} ORDER BY recorded_at, id LIMIT {} OFFSET {}",
                query.page.limit, query.page.offset
            );
            let mut stmt = conn.prepare(&sql).map_err(unavailable)?;
            let drafts = stmt
                .query_map(params_from_iter(values.iter()), entry)
                .map_err(unavailable)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(unavailable)?;
            let entries = drafts
                .into_iter()
                .map(|d| {
                    FieldEntry::new(d).map_err(|e| StorageError::Unavailable(format!("stored entry is invalid: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((entries, u64::try_from(total).unwrap_or(0)))
        })
        .await
    }

    async fn count_entries(&self, tenant: TenantId) -> StorageResult<u64> {
        self.read(move |conn| {
            let n: i64 = conn
                .query_row("SELECT COUNT(*) FROM field_entries WHERE tenant_id = ?1", params![tenant.0], |r| r.get(0))
                .map_err(unavailable)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }
}
