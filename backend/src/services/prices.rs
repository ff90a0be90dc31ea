//! The price table: the EIA daily spot history shipped in `assets/prices/` is every tenant's baseline (embedded in
//! the binary, parsed once); an admin may set dated prices of the tenant (replacing the EIA price of that day or
//! adding a day) and the tenant's gas heat content. Revenue KPIs use the merged table ([`PriceService::table`]).
//!
//! - **Merge.** The EIA price of a day, unless the tenant set one for that (commodity, day): then the tenant's. The
//!   list says which (`source`).
//! - **Listing** (`GET /api/v1/prices`): one commodity, local dates `from..=to`, at most [`MAX_PRICE_DAYS`] days.
//!   Without bounds: the 365 days ending today (the tenant's local date); with only `from`: 365 days from it; with
//!   only `to`: 365 days ending on it.
//! - **Updates** (`PUT /api/v1/prices`, admins): validated whole by [`PriceUpdate::parse`] (the `kpis::prices` and
//!   `kpis::revenue` rules), then stored in one transaction: all or nothing. A stored update invalidates the
//!   tenant's cached KPIs (revenue changes).

use super::Deps;
use super::kpis::KpiCache;
use crate::ports::{StorageError, TenantPriceQuery};
use chrono::{Days, NaiveDate};
use flowline_shared::dto::prices::{
    HEAT_CONTENT_UNIT, HeatContentView, MAX_PRICE_DAYS, PriceList, PriceRow, PriceSource, PriceUpdate,
    PriceUpdateInput, PriceUpdateResult,
};
use flowline_shared::kpis::prices::{Commodity, PriceTable};
use flowline_shared::kpis::revenue::HeatContent;
use flowline_shared::{FieldErrors, Tenant, TenantId};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const WTI_CSV: &str = include_str!("../../../assets/prices/wti-daily.csv");
const HENRY_HUB_CSV: &str = include_str!("../../../assets/prices/henry-hub-daily.csv");

/// Days listed when the request gives no bounds (or one).
const DEFAULT_DAYS: u64 = 365;

/// The EIA baseline, parsed on first use. The files are part of the build and parse (a unit test says so); if they
/// ever did not, the table is empty and the revenue KPI reports the missing prices instead of failing.
pub fn baseline() -> &'static PriceTable {
    static TABLE: OnceLock<PriceTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        PriceTable::from_eia_csv(WTI_CSV, HENRY_HUB_CSV).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the embedded EIA price files do not parse: no baseline prices");
            PriceTable::new()
        })
    })
}

#[derive(Debug, thiserror::Error)]
pub enum PriceServiceError {
    /// The update broke a rule; every offending field is named.
    #[error("invalid price update: {0}")]
    Invalid(FieldErrors),
    /// A query parameter is wrong in combination with another.
    #[error("parameter `{parameter}`: {message}")]
    InvalidParameter { parameter: &'static str, message: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What `GET /api/v1/prices` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceQuery {
    pub commodity: Commodity,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Clone)]
pub struct PriceService {
    deps: Deps,
    /// Invalidated after a stored update (none in tools without KPIs).
    kpis: Option<KpiCache>,
}

fn days_before(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap_or(NaiveDate::MIN)
}

fn days_after(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX)
}

impl PriceService {
    pub fn new(deps: Deps) -> Self {
        Self { deps, kpis: None }
    }

    /// The same service, invalidating the tenant's cached KPIs after an update.
    pub fn with_kpis(self, kpis: KpiCache) -> Self {
        Self { kpis: Some(kpis), ..self }
    }

    /// The tenant's merged table and heat content: the revenue KPIs' input. Borrows the baseline when the tenant
    /// set no prices of its own.
    pub async fn table(&self, tenant: TenantId) -> Result<(Cow<'static, PriceTable>, HeatContent), StorageError> {
        let own = self.deps.storage.tenant_prices(tenant, &TenantPriceQuery::default()).await?;
        let heat = self.deps.storage.price_settings(tenant).await?.map(|s| s.heat_content).unwrap_or_default();
        if own.is_empty() {
            return Ok((Cow::Borrowed(baseline()), heat));
        }
        let mut table = baseline().clone();
        let points: Vec<_> =
            own.iter().map(|p| flowline_shared::kpis::prices::PricePoint::new(p.commodity, p.day, p.price)).collect();
        // Stored prices passed the same rules; a row that somehow does not is left out rather than failing the KPIs.
        if let Err(e) = table.upsert(&points) {
            tracing::warn!(error = %e, "a stored tenant price is invalid: using the EIA baseline alone");
            return Ok((Cow::Borrowed(baseline()), heat));
        }
        Ok((Cow::Owned(table), heat))
    }

    /// One commodity's merged prices over local dates (see the module documentation for the defaults).
    pub async fn list(&self, tenant: &Tenant, query: PriceQuery) -> Result<PriceList, PriceServiceError> {
        let today = self.deps.clock.now().with_timezone(&tenant.time_zone).date_naive();
        let span = DEFAULT_DAYS - 1;
        let to = query.to.unwrap_or_else(|| query.from.map_or(today, |f| days_after(f, span)));
        let from = query.from.unwrap_or_else(|| days_before(to, span));
        if from > to {
            return Err(PriceServiceError::InvalidParameter {
                parameter: "from",
                message: format!("{from} is after to ({to})"),
            });
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_PRICE_DAYS {
            return Err(PriceServiceError::InvalidParameter {
                parameter: "to",
                message: format!("{from}..={to} is {days} days; at most {MAX_PRICE_DAYS} per request"),
            });
        }
        let commodity = query.commodity;
        let own = self
            .deps
            .storage
            .tenant_prices(tenant.id, &TenantPriceQuery { commodity: Some(commodity), from: None, to: None })
            .await?;
        let settings = self.deps.storage.price_settings(tenant.id).await?;

        let mut rows: BTreeMap<NaiveDate, PriceRow> = baseline()
            .points(commodity)
            .filter(|p| (from..=to).contains(&p.day))
            .map(|p| {
                let row = PriceRow {
                    day: p.day,
                    price: p.price,
                    source: PriceSource::Eia,
                    updated_at: None,
                    updated_by: None,
                };
                (p.day, row)
            })
            .collect();
        for p in own.iter().filter(|p| (from..=to).contains(&p.day)) {
            let row = PriceRow {
                day: p.day,
                price: p.price,
                source: PriceSource::Tenant,
                updated_at: Some(p.updated_at),
                updated_by: Some(p.updated_by.clone()),
            };
            rows.insert(p.day, row);
        }
        let base = baseline().range(commodity);
        let first_day = base.map(|b| b.0).into_iter().chain(own.first().map(|p| p.day)).min();
        let last_day = base.map(|b| b.1).into_iter().chain(own.last().map(|p| p.day)).max();
        Ok(PriceList {
            commodity,
            unit: commodity.unit().to_owned(),
            from,
            to,
            points: rows.into_values().collect(),
            heat_content: heat_view(settings.as_ref()),
            first_day,
            last_day,
            max_days: MAX_PRICE_DAYS,
        })
    }

    /// Validates and stores an update by the admin `by` (a username); all or nothing.
    pub async fn update(
        &self,
        tenant: TenantId,
        by: &str,
        input: &PriceUpdateInput,
    ) -> Result<PriceUpdateResult, PriceServiceError> {
        let update = PriceUpdate::parse(input).map_err(PriceServiceError::Invalid)?;
        let now = self.deps.clock.now();
        self.deps.storage.put_prices(tenant, &update.points, update.heat_content, by, now).await?;
        if let Some(kpis) = &self.kpis {
            kpis.invalidate(tenant).await;
        }
        let heat = match update.heat_content {
            Some(h) => h,
            None => self.deps.storage.price_settings(tenant).await?.map(|s| s.heat_content).unwrap_or_default(),
        };
        Ok(PriceUpdateResult {
            stored: update.points.len(),
            heat_content_mmbtu_per_mcf: heat.mmbtu_per_mcf(),
            // What storage keeps (millisecond precision).
            updated_at: chrono::DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now),
        })
    }
}

fn heat_view(settings: Option<&crate::ports::PriceSettings>) -> HeatContentView {
    match settings {
        Some(s) => HeatContentView {
            value: s.heat_content.mmbtu_per_mcf(),
            unit: HEAT_CONTENT_UNIT.to_owned(),
            source: "tenant".to_owned(),
            updated_at: Some(s.updated_at),
            updated_by: Some(s.updated_by.clone()),
        },
        None => HeatContentView {
            value: HeatContent::default().mmbtu_per_mcf(),
            unit: HEAT_CONTENT_UNIT.to_owned(),
            source: "default".to_owned(),
            updated_at: None,
            updated_by: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_eia_files_parse_into_the_kpi_baseline() {
        let t = PriceTable::from_eia_csv(WTI_CSV, HENRY_HUB_CSV).expect("the shipped price files parse");
        assert_eq!(t.len(Commodity::Wti), 10_226);
        assert_eq!(t.len(Commodity::HenryHub), 7_437 - 1, "one blank Henry Hub day");
        let b = baseline();
        assert_eq!(b.exact(Commodity::Wti, "2020-04-20".parse().unwrap()), Some(-36.98));
        assert!(std::ptr::eq(b, baseline()), "parsed once");
    }
}
