//! Field-entry ingest: the single path by which production data enters the store (API batches, CSV imports and
//! the live simulator all come through here).

use super::Deps;
use super::alarms::AlarmService;
use crate::ports::StorageError;
use flowline_shared::dto::{IngestResponse, RowError};
use flowline_shared::{FieldEntry, FieldEntryDraft, FieldError, TenantId};
use std::collections::HashMap;

/// The largest batch one request may carry.
pub const MAX_BATCH: usize = 10_000;
/// How far in the future a reading may be stamped (clock skew between field devices and the server).
pub const MAX_FUTURE_SKEW: chrono::Duration = chrono::Duration::hours(24);

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("batch of {got} entries is larger than the limit of {max}")]
    TooLarge { got: usize, max: usize },
    #[error("batch is empty")]
    Empty,
    #[error("{} of the entries are invalid; nothing was stored", .0.len())]
    Invalid(Vec<RowError>),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Clone)]
pub struct IngestService {
    deps: Deps,
    /// Evaluates the alarm rules on every stored batch (none in tools that only load history).
    alarms: Option<AlarmService>,
    /// Invalidates the tenant's cached dashboard KPIs after every stored batch (none in tools that only load history).
    kpis: Option<super::kpis::KpiCache>,
    rows: Option<super::wells::WellRowsCache>,
}

impl IngestService {
    pub fn new(deps: Deps) -> Self {
        Self { deps, alarms: None, kpis: None, rows: None }
    }

    /// The same service, evaluating the alarm rules for the wells of every stored batch.
    pub fn with_alarms(self, alarms: AlarmService) -> Self {
        Self { alarms: Some(alarms), ..self }
    }

    /// The same service, invalidating the tenant's cached KPIs (and announcing `kpis_changed`) after every stored
    /// batch.
    pub fn with_kpis(self, kpis: super::kpis::KpiCache) -> Self {
        Self { kpis: Some(kpis), ..self }
    }

    /// The same service, dropping the tenant's cached well rows (newest readings) after every stored batch.
    pub fn with_well_rows(self, rows: super::wells::WellRowsCache) -> Self {
        Self { rows: Some(rows), ..self }
    }

    /// Validates the whole batch, then stores it atomically. All or nothing: one bad row rejects the batch with
    /// the list of every bad row. Ids already stored count as duplicates (a retried upload is harmless).
    pub async fn ingest(&self, tenant: TenantId, drafts: Vec<FieldEntryDraft>) -> Result<IngestResponse, IngestError> {
        if drafts.is_empty() {
            return Err(IngestError::Empty);
        }
        if drafts.len() > MAX_BATCH {
            return Err(IngestError::TooLarge { got: drafts.len(), max: MAX_BATCH });
        }
        let entries = self.validate(tenant, drafts).await?;
        let outcome = self.deps.storage.insert_entries(tenant, &entries).await?;
        if outcome.inserted > 0 {
            self.evaluate_alarms(tenant, &entries).await;
            self.readings_stored(tenant).await;
        }
        Ok(IngestResponse { accepted: outcome.inserted, duplicates: outcome.duplicates })
    }

    /// Drops what new readings of the tenant make stale: the cached well rows and the KPIs (which announces
    /// `kpis_changed`). For every path that stores readings (this service's batches, the CSV import).
    pub async fn readings_stored(&self, tenant: TenantId) {
        if let Some(rows) = &self.rows {
            rows.invalidate(tenant);
        }
        if let Some(kpis) = &self.kpis {
            kpis.invalidate(tenant).await;
        }
    }

    /// The data is stored whatever happens here: a failed evaluation is logged; the well's next batch evaluates its
    /// rules again (the periodic step covers the data-gap rule only).
    async fn evaluate_alarms(&self, tenant: TenantId, entries: &[FieldEntry]) {
        let Some(alarms) = &self.alarms else { return };
        let evaluated = match self.deps.storage.tenant_by_id(tenant).await {
            Ok(Some(tenant)) => alarms.evaluate_readings(&tenant, entries).await.map(|_| ()),
            Ok(None) => return,
            Err(e) => Err(e.into()),
        };
        if let Err(e) = evaluated {
            tracing::warn!(error = %e, "alarm evaluation after ingest failed");
        }
    }

    /// Every check of a batch; returns the valid entries or every row error.
    pub async fn validate(
        &self,
        tenant: TenantId,
        drafts: Vec<FieldEntryDraft>,
    ) -> Result<Vec<FieldEntry>, IngestError> {
        let mut well_ids: Vec<_> = drafts.iter().map(|d| d.well_id).collect();
        well_ids.sort_unstable();
        well_ids.dedup();
        let known = self.deps.storage.existing_well_ids(tenant, &well_ids).await?;
        let latest_allowed = self.deps.clock.now() + MAX_FUTURE_SKEW;

        let mut first_row_of_id = HashMap::with_capacity(drafts.len());
        let mut row_errors = Vec::new();
        let mut entries = Vec::with_capacity(drafts.len());
        for (row, draft) in drafts.into_iter().enumerate() {
            let mut errors: Vec<FieldError> = Vec::new();
            if let Some(first) = first_row_of_id.insert(draft.id, row) {
                errors.push(FieldError::new("id", format!("duplicate of the id in row {first} of this batch")));
            }
            if !known.contains(&draft.well_id) {
                errors.push(FieldError::new("well_id", format!("no well {} in this tenant", draft.well_id)));
            }
            if draft.recorded_at > latest_allowed {
                errors.push(FieldError::new("recorded_at", "is more than 24 hours in the future"));
            }
            let id = draft.id;
            match FieldEntry::new(draft) {
                Ok(entry) if errors.is_empty() => entries.push(entry),
                Ok(_) => row_errors.push(RowError { row: row as u64, id: Some(id), errors }),
                Err(field_errors) => {
                    errors.extend(field_errors.0);
                    row_errors.push(RowError { row: row as u64, id: Some(id), errors });
                }
            }
        }
        if row_errors.is_empty() { Ok(entries) } else { Err(IngestError::Invalid(row_errors)) }
    }
}
