//! Alarms on SQLite: the alarm is its JSON body, with the filter columns beside it; changes, journal records and
//! stream events go in one transaction on the writer connection.

use super::SqliteStorage;
use super::events::append_in;
use super::rows::{classify, instant, ms, unavailable};
use crate::ports::{
    AlarmChange, AlarmFilter, AlarmRepository, NewEvent, OutOfService, PageRequest, StorageError, StorageResult,
    StoredAlarm, StoredEvent,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::alarms::{AlarmId, AlarmRuleSet, AlarmTransition};
use flowline_shared::{TenantId, UserId, WellId};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, params, params_from_iter};
use std::collections::HashSet;

fn json_column<T: serde::de::DeserializeOwned>(row: &Row<'_>, col: usize) -> rusqlite::Result<T> {
    let raw: String = row.get(col)?;
    serde_json::from_str(&raw)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e)))
}

fn stored_alarm(row: &Row<'_>) -> rusqlite::Result<StoredAlarm> {
    Ok(StoredAlarm { alarm: json_column(row, 0)?, revision: row.get(1)? })
}

fn to_json<T: serde::Serialize>(value: &T) -> StorageResult<String> {
    serde_json::to_string(value).map_err(|e| StorageError::Unavailable(format!("cannot encode: {e}")))
}

/// `WHERE` clause over `alarms` and its values.
fn alarm_filter(tenant: TenantId, filter: &AlarmFilter) -> (String, Vec<Value>) {
    let mut sql = String::from("tenant_id = ?");
    let mut values = vec![Value::Blob(tenant.0.as_bytes().to_vec())];
    if let Some(priority) = filter.priority {
        sql.push_str(" AND priority = ?");
        values.push(Value::Text(priority.as_str().to_owned()));
    }
    if !filter.states.is_empty() {
        sql.push_str(&format!(" AND state IN ({})", vec!["?"; filter.states.len()].join(", ")));
        values.extend(filter.states.iter().map(|s| Value::Text(s.as_str().to_owned())));
    }
    if let Some(well) = filter.well_id {
        sql.push_str(" AND well_id = ?");
        values.push(Value::Blob(well.0.as_bytes().to_vec()));
    }
    if let Some(from) = filter.raised_from {
        sql.push_str(" AND raised_at >= ?");
        values.push(Value::Integer(ms(from)));
    }
    if let Some(to) = filter.raised_to {
        sql.push_str(" AND raised_at < ?");
        values.push(Value::Integer(ms(to)));
    }
    (sql, values)
}

#[async_trait]
impl AlarmRepository for SqliteStorage {
    async fn alarm_rule_set(&self, tenant: TenantId) -> StorageResult<Option<AlarmRuleSet>> {
        self.read(move |conn| {
            conn.query_row("SELECT rules FROM alarm_rule_sets WHERE tenant_id = ?1", params![tenant.0], |row| {
                json_column(row, 0)
            })
            .optional()
            .map_err(unavailable)
        })
        .await
    }

    async fn put_alarm_rule_set(
        &self,
        tenant: TenantId,
        rules: &AlarmRuleSet,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let json = to_json(rules)?;
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO alarm_rule_sets (tenant_id, rules, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (tenant_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at, \
                 updated_by = excluded.updated_by",
                params![tenant.0, json, ms(at), by.0],
            )
            .map(|_| ())
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(ref f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                    StorageError::NotFound(format!("tenant {}", tenant.0))
                }
                other => unavailable(other),
            })
        })
        .await
    }

    async fn open_alarms(&self, tenant: TenantId, wells: Option<&[WellId]>) -> StorageResult<Vec<StoredAlarm>> {
        let wanted: Option<HashSet<WellId>> = wells.map(|w| w.iter().copied().collect());
        self.read(move |conn| {
            // Open alarms are few (hundreds for a large fleet): read the tenant's and keep the wells asked for.
            let mut stmt = conn
                .prepare_cached("SELECT body, revision FROM alarms WHERE tenant_id = ?1 AND state <> 'normal'")
                .map_err(unavailable)?;
            let rows = stmt.query_map(params![tenant.0], stored_alarm).map_err(unavailable)?;
            let all = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(unavailable)?;
            Ok(all.into_iter().filter(|a| wanted.as_ref().is_none_or(|w| w.contains(&a.alarm.well_id))).collect())
        })
        .await
    }

    async fn get_alarm(&self, tenant: TenantId, id: AlarmId) -> StorageResult<Option<StoredAlarm>> {
        self.read(move |conn| {
            conn.query_row(
                "SELECT body, revision FROM alarms WHERE tenant_id = ?1 AND id = ?2",
                params![tenant.0, id.0],
                stored_alarm,
            )
            .optional()
            .map_err(unavailable)
        })
        .await
    }

    async fn list_alarms(
        &self,
        tenant: TenantId,
        filter: &AlarmFilter,
        page: PageRequest,
    ) -> StorageResult<(Vec<StoredAlarm>, u64)> {
        let (clause, values) = alarm_filter(tenant, filter);
        self.read(move |conn| {
            let total: i64 = conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM alarms WHERE {clause}"),
                    params_from_iter(values.iter()),
                    |r| r.get(0),
                )
                .map_err(unavailable)?;
            let mut paged = values.clone();
            paged.push(Value::Integer(i64::from(page.limit)));
            paged.push(Value::Integer(i64::try_from(page.offset).unwrap_or(i64::MAX)));
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT body, revision FROM alarms WHERE {clause} ORDER BY raised_at DESC, id LIMIT ? OFFSET ?"
                ))
                .map_err(unavailable)?;
            let rows = stmt.query_map(params_from_iter(paged.iter()), stored_alarm).map_err(unavailable)?;
            let alarms = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(unavailable)?;
            Ok((alarms, u64::try_from(total).unwrap_or(0)))
        })
        .await
    }

    async fn record_alarm_changes(
        &self,
        tenant: TenantId,
        changes: &[AlarmChange],
        events: &[NewEvent],
    ) -> StorageResult<Vec<StoredEvent>> {
        let mut encoded = Vec::with_capacity(changes.len());
        for change in changes {
            let journal =
                change.transitions.iter().map(|t| Ok((ms(t.at), to_json(t)?))).collect::<StorageResult<Vec<_>>>()?;
            encoded.push((change.clone(), to_json(&change.alarm)?, journal));
        }
        let events = events.to_vec();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            for (change, body, journal) in &encoded {
                let a = &change.alarm;
                if a.tenant_id != tenant {
                    return Err(StorageError::NotFound(format!("alarm {} in this tenant", a.id.0)));
                }
                let well_known: bool = tx
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM wells WHERE tenant_id = ?1 AND id = ?2)",
                        params![tenant.0, a.well_id.0],
                        |r| r.get(0),
                    )
                    .map_err(unavailable)?;
                if !well_known {
                    return Err(StorageError::NotFound(format!("well {} in this tenant", a.well_id.0)));
                }
                let shelved_until = a.shelved.as_ref().map(|s| ms(s.until));
                match change.read_revision {
                    None => {
                        tx.execute(
                            "INSERT INTO alarms (id, tenant_id, well_id, rule, priority, state, raised_at, \
                             last_changed_at, shelved_until, revision, body) \
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10)",
                            params![
                                a.id.0,
                                tenant.0,
                                a.well_id.0,
                                a.rule.as_str(),
                                a.priority.as_str(),
                                a.state.as_str(),
                                ms(a.raised_at),
                                ms(a.last_changed_at),
                                shelved_until,
                                body
                            ],
                        )
                        .map_err(|e| classify(e, "an open alarm of this well and rule already exists"))?;
                    }
                    Some(revision) => {
                        let updated = tx
                            .execute(
                                "UPDATE alarms SET state = ?1, raised_at = ?2, last_changed_at = ?3, shelved_until = ?4, \
                                 body = ?5, revision = revision + 1 \
                                 WHERE tenant_id = ?6 AND id = ?7 AND revision = ?8",
                                params![
                                    a.state.as_str(),
                                    ms(a.raised_at),
                                    ms(a.last_changed_at),
                                    shelved_until,
                                    body,
                                    tenant.0,
                                    a.id.0,
                                    revision
                                ],
                            )
                            .map_err(|e| classify(e, "an open alarm of this well and rule already exists"))?;
                        if updated == 0 {
                            return Err(StorageError::Conflict(format!("alarm {} changed meanwhile", a.id.0)));
                        }
                    }
                }
                for (at, record) in journal {
                    tx.execute(
                        "INSERT INTO alarm_journal (tenant_id, alarm_id, at, body, request_key) \
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![tenant.0, a.id.0, at, record, change.request_key],
                    )
                    .map_err(unavailable)?;
                }
            }
            let stored = append_in(&tx, tenant, events)?;
            tx.commit().map_err(unavailable)?;
            Ok(stored)
        })
        .await
    }

    async fn alarm_journal(
        &self,
        tenant: TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<AlarmTransition>> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT body FROM alarm_journal WHERE tenant_id = ?1 AND at >= ?2 AND at < ?3 ORDER BY seq",
                )
                .map_err(unavailable)?;
            let rows =
                stmt.query_map(params![tenant.0, ms(from), ms(to)], |row| json_column(row, 0)).map_err(unavailable)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(unavailable)
        })
        .await
    }

    async fn alarm_history(&self, tenant: TenantId, id: AlarmId) -> StorageResult<Vec<AlarmTransition>> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT body FROM alarm_journal WHERE tenant_id = ?1 AND alarm_id = ?2 ORDER BY seq")
                .map_err(unavailable)?;
            let rows = stmt.query_map(params![tenant.0, id.0], |row| json_column(row, 0)).map_err(unavailable)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(unavailable)
        })
        .await
    }

    async fn alarm_request(&self, tenant: TenantId, request_key: &str) -> StorageResult<Vec<AlarmTransition>> {
        let key = request_key.to_owned();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT body FROM alarm_journal WHERE tenant_id = ?1 AND request_key = ?2 ORDER BY seq")
                .map_err(unavailable)?;
            let rows = stmt.query_map(params![tenant.0, key], |row| json_column(row, 0)).map_err(unavailable)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(unavailable)
        })
        .await
    }

    async fn alarms_out_of_service(&self, tenant: TenantId) -> StorageResult<Vec<OutOfService>> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT well_id, since, by_user, reason FROM alarm_out_of_service WHERE tenant_id = ?1 ORDER BY since",
                )
                .map_err(unavailable)?;
            let rows = stmt
                .query_map(params![tenant.0], |row| {
                    Ok(OutOfService {
                        well_id: WellId(row.get(0)?),
                        since: instant(row, 1)?,
                        by: UserId(row.get(2)?),
                        reason: row.get(3)?,
                    })
                })
                .map_err(unavailable)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(unavailable)
        })
        .await
    }

    async fn set_alarms_out_of_service(
        &self,
        tenant: TenantId,
        well: WellId,
        record: Option<&OutOfService>,
    ) -> StorageResult<()> {
        let record = record.cloned();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let known: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM wells WHERE tenant_id = ?1 AND id = ?2)",
                    params![tenant.0, well.0],
                    |r| r.get(0),
                )
                .map_err(unavailable)?;
            if !known {
                return Err(StorageError::NotFound(format!("well {} in this tenant", well.0)));
            }
            match record {
                Some(r) => tx.execute(
                    "INSERT INTO alarm_out_of_service (tenant_id, well_id, since, by_user, reason) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tenant_id, well_id) DO UPDATE SET \
                     since = excluded.since, by_user = excluded.by_user, reason = excluded.reason",
                    params![tenant.0, well.0, ms(r.since), r.by.0, r.reason],
                ),
                None => tx.execute(
                    "DELETE FROM alarm_out_of_service WHERE tenant_id = ?1 AND well_id = ?2",
                    params![tenant.0, well.0],
                ),
            }
            .map_err(unavailable)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }
}
