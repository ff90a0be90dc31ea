//! Alarms on PostgreSQL: the alarm is its JSONB body, with the filter columns beside it; changes, journal records and
//! stream events go in one transaction.

use super::PostgresStorage;
use super::events::append_in;
use super::rows::{self, classify, truncate_ms, unavailable};
use crate::ports::{
    AlarmChange, AlarmFilter, AlarmRepository, NewEvent, OutOfService, PageRequest, StorageError, StorageResult,
    StoredAlarm, StoredEvent,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::alarms::{AlarmId, AlarmRuleSet, AlarmTransition};
use flowline_shared::{TenantId, UserId, WellId};
use serde_json::Value;
use std::collections::HashSet;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

fn from_json<T: serde::de::DeserializeOwned>(value: Value, what: &str) -> StorageResult<T> {
    serde_json::from_value(value).map_err(|e| StorageError::Unavailable(format!("stored {what} is invalid: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> StorageResult<Value> {
    serde_json::to_value(value).map_err(|e| StorageError::Unavailable(format!("cannot encode: {e}")))
}

fn stored_alarm(row: &Row) -> StorageResult<StoredAlarm> {
    Ok(StoredAlarm { alarm: from_json(rows::get(row, 0)?, "alarm")?, revision: rows::get(row, 1)? })
}

type Params = Vec<Box<dyn ToSql + Sync + Send>>;

/// `WHERE` clause over `alarms` and its parameters.
fn alarm_filter(tenant: TenantId, filter: &AlarmFilter) -> (String, Params) {
    let mut params: Params = vec![Box::new(tenant.0)];
    let mut sql = String::from("tenant_id = $1");
    if let Some(priority) = filter.priority {
        params.push(Box::new(priority.as_str()));
        sql.push_str(&format!(" AND priority = ${}", params.len()));
    }
    if !filter.states.is_empty() {
        let states: Vec<&'static str> = filter.states.iter().map(|s| s.as_str()).collect();
        params.push(Box::new(states));
        sql.push_str(&format!(" AND state = ANY(${})", params.len()));
    }
    if let Some(well) = filter.well_id {
        params.push(Box::new(well.0));
        sql.push_str(&format!(" AND well_id = ${}", params.len()));
    }
    if let Some(from) = filter.raised_from {
        params.push(Box::new(from));
        sql.push_str(&format!(" AND raised_at >= ${}", params.len()));
    }
    if let Some(to) = filter.raised_to {
        params.push(Box::new(to));
        sql.push_str(&format!(" AND raised_at < ${}", params.len()));
    }
    (sql, params)
}

fn refs(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

#[async_trait]
impl AlarmRepository for PostgresStorage {
    async fn alarm_rule_set(&self, tenant: TenantId) -> StorageResult<Option<AlarmRuleSet>> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT rules FROM alarm_rule_sets WHERE tenant_id = $1", &[&tenant.0])
            .await
            .map_err(unavailable)?;
        row.map(|r| from_json(rows::get(&r, 0)?, "alarm rule set")).transpose()
    }

    async fn put_alarm_rule_set(
        &self,
        tenant: TenantId,
        rules: &AlarmRuleSet,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let json = to_json(rules)?;
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO alarm_rule_sets (tenant_id, rules, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (tenant_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = EXCLUDED.updated_at, \
                 updated_by = EXCLUDED.updated_by",
                &[&tenant.0, &json, &truncate_ms(at), &by.0],
            )
            .await
            .map_err(|e| {
                if e.code() == Some(&tokio_postgres::error::SqlState::FOREIGN_KEY_VIOLATION) {
                    StorageError::NotFound(format!("tenant {}", tenant.0))
                } else {
                    unavailable(e)
                }
            })?;
        Ok(())
    }

    async fn open_alarms(&self, tenant: TenantId, wells: Option<&[WellId]>) -> StorageResult<Vec<StoredAlarm>> {
        let wanted: Option<HashSet<WellId>> = wells.map(|w| w.iter().copied().collect());
        let client = self.client().await?;
        let found = client
            .query("SELECT body, revision FROM alarms WHERE tenant_id = $1 AND state <> 'normal'", &[&tenant.0])
            .await
            .map_err(unavailable)?
            .iter()
            .map(stored_alarm)
            .collect::<StorageResult<Vec<_>>>()?;
        Ok(found.into_iter().filter(|a| wanted.as_ref().is_none_or(|w| w.contains(&a.alarm.well_id))).collect())
    }

    async fn get_alarm(&self, tenant: TenantId, id: AlarmId) -> StorageResult<Option<StoredAlarm>> {
        let client = self.client().await?;
        client
            .query_opt("SELECT body, revision FROM alarms WHERE tenant_id = $1 AND id = $2", &[&tenant.0, &id.0])
            .await
            .map_err(unavailable)?
            .as_ref()
            .map(stored_alarm)
            .transpose()
    }

    async fn list_alarms(
        &self,
        tenant: TenantId,
        filter: &AlarmFilter,
        page: PageRequest,
    ) -> StorageResult<(Vec<StoredAlarm>, u64)> {
        let (clause, mut params) = alarm_filter(tenant, filter);
        let client = self.client().await?;
        let total: i64 = rows::get(
            &client
                .query_one(&format!("SELECT COUNT(*) FROM alarms WHERE {clause}"), &refs(&params))
                .await
                .map_err(unavailable)?,
            0,
        )?;
        params.push(Box::new(i64::from(page.limit)));
        params.push(Box::new(i64::try_from(page.offset).unwrap_or(i64::MAX)));
        let n = params.len();
        let found = client
            .query(
                &format!(
                    "SELECT body, revision FROM alarms WHERE {clause} ORDER BY raised_at DESC, id LIMIT ${} OFFSET ${n}",
                    n - 1
                ),
                &refs(&params),
            )
            .await
            .map_err(unavailable)?
            .iter()
            .map(stored_alarm)
            .collect::<StorageResult<Vec<_>>>()?;
        Ok((found, u64::try_from(total).unwrap_or(0)))
    }

    async fn record_alarm_changes(
        &self,
        tenant: TenantId,
        changes: &[AlarmChange],
        events: &[NewEvent],
    ) -> StorageResult<Vec<StoredEvent>> {
        if let Some(foreign) = changes.iter().find(|c| c.alarm.tenant_id != tenant) {
            return Err(StorageError::NotFound(format!("alarm {} in this tenant", foreign.alarm.id.0)));
        }
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(unavailable)?;
        rows::ensure_wells_of_tenant(&tx, tenant, changes.iter().map(|c| c.alarm.well_id)).await?;
        let conflict = "an open alarm of this well and rule already exists";
        for change in changes {
            let a = &change.alarm;
            let body = to_json(a)?;
            let shelved_until = a.shelved.as_ref().map(|s| truncate_ms(s.until));
            let (raised, changed) = (truncate_ms(a.raised_at), truncate_ms(a.last_changed_at));
            match change.read_revision {
                None => {
                    tx.execute(
                        "INSERT INTO alarms (id, tenant_id, well_id, rule, priority, state, raised_at, last_changed_at, \
                         shelved_until, revision, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)",
                        &[
                            &a.id.0,
                            &tenant.0,
                            &a.well_id.0,
                            &a.rule.as_str(),
                            &a.priority.as_str(),
                            &a.state.as_str(),
                            &raised,
                            &changed,
                            &shelved_until,
                            &body,
                        ],
                    )
                    .await
                    .map_err(|e| classify(e, conflict))?;
                }
                Some(revision) => {
                    let updated = tx
                        .execute(
                            "UPDATE alarms SET state = $1, raised_at = $2, last_changed_at = $3, shelved_until = $4, \
                             body = $5, revision = revision + 1 WHERE tenant_id = $6 AND id = $7 AND revision = $8",
                            &[
                                &a.state.as_str(),
                                &raised,
                                &changed,
                                &shelved_until,
                                &body,
                                &tenant.0,
                                &a.id.0,
                                &revision,
                            ],
                        )
                        .await
                        .map_err(|e| classify(e, conflict))?;
                    if updated == 0 {
                        return Err(StorageError::Conflict(format!("alarm {} changed meanwhile", a.id.0)));
                    }
                }
            }
            for t in &change.transitions {
                tx.execute(
                    "INSERT INTO alarm_journal (tenant_id, alarm_id, at, body, request_key) VALUES ($1, $2, $3, $4, $5)",
                    &[&tenant.0, &a.id.0, &truncate_ms(t.at), &to_json(t)?, &change.request_key],
                )
                .await
                .map_err(unavailable)?;
            }
        }
        let stored = append_in(&tx, tenant, events).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(stored)
    }

    async fn alarm_journal(
        &self,
        tenant: TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<AlarmTransition>> {
        let client = self.client().await?;
        client
            .query(
                "SELECT body FROM alarm_journal WHERE tenant_id = $1 AND at >= $2 AND at < $3 ORDER BY seq",
                &[&tenant.0, &from, &to],
            )
            .await
            .map_err(unavailable)?
            .iter()
            .map(|r| from_json(rows::get(r, 0)?, "journal record"))
            .collect()
    }

    async fn alarm_history(&self, tenant: TenantId, id: AlarmId) -> StorageResult<Vec<AlarmTransition>> {
        let client = self.client().await?;
        client
            .query(
                "SELECT body FROM alarm_journal WHERE tenant_id = $1 AND alarm_id = $2 ORDER BY seq",
                &[&tenant.0, &id.0],
            )
            .await
            .map_err(unavailable)?
            .iter()
            .map(|r| from_json(rows::get(r, 0)?, "journal record"))
            .collect()
    }

    async fn alarm_request(&self, tenant: TenantId, request_key: &str) -> StorageResult<Vec<AlarmTransition>> {
        let client = self.client().await?;
        client
            .query(
                "SELECT body FROM alarm_journal WHERE tenant_id = $1 AND request_key = $2 ORDER BY seq",
                &[&tenant.0, &request_key],
            )
            .await
            .map_err(unavailable)?
            .iter()
            .map(|r| from_json(rows::get(r, 0)?, "journal record"))
            .collect()
    }

    async fn alarms_out_of_service(&self, tenant: TenantId) -> StorageResult<Vec<OutOfService>> {
        let client = self.client().await?;
        client
            .query(
                "SELECT well_id, since, by_user, reason FROM alarm_out_of_service WHERE tenant_id = $1 ORDER BY since",
                &[&tenant.0],
            )
            .await
            .map_err(unavailable)?
            .iter()
            .map(|r| {
                Ok(OutOfService {
                    well_id: WellId(rows::get(r, 0)?),
                    since: rows::get(r, 1)?,
                    by: UserId(rows::get(r, 2)?),
                    reason: rows::get(r, 3)?,
                })
            })
            .collect()
    }

    async fn set_alarms_out_of_service(
        &self,
        tenant: TenantId,
        well: WellId,
        record: Option<&OutOfService>,
    ) -> StorageResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(unavailable)?;
        rows::ensure_wells_of_tenant(&tx, tenant, std::iter::once(well)).await?;
        match record {
            Some(r) => {
                let since = truncate_ms(r.since);
                tx.execute(
                    "INSERT INTO alarm_out_of_service (tenant_id, well_id, since, by_user, reason) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, well_id) DO UPDATE SET \
                     since = EXCLUDED.since, by_user = EXCLUDED.by_user, reason = EXCLUDED.reason",
                    &[&tenant.0, &well.0, &since, &r.by.0, &r.reason],
                )
                .await
            }
            None => {
                tx.execute(
                    "DELETE FROM alarm_out_of_service WHERE tenant_id = $1 AND well_id = $2",
                    &[&tenant.0, &well.0],
                )
                .await
            }
        }
        .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)
    }
}
