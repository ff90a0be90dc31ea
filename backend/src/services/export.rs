//! The dashboard export (`POST /api/v1/dashboard/export`, US-1106): fills a [`flowline_report::DashboardReport`]
//! for the caller's tenant and renders it as a PDF or a CSV. Composed from the other services and existing ports
//! only; the layout and the formats are the `flowline-report` crate's.
//!
//! # Content
//! - **KPI cards**: the six cards of `GET /api/v1/dashboard/kpis` ([`KpiService::dashboard`], so the same cached
//!   answer): total oil, total gas, active wells (its 7-day sparkline is the wells on production per day), fleet
//!   revenue, unacknowledged alarms and downtime, each with value, unit, previous day, change, direction, sparkline
//!   and as-of. A card is marked abnormal ([`KpiCard::alarm`]) when the unacknowledged-alarm card counts any alarm
//!   (the highest priority counted) or when fleet downtime is at least [`DOWNTIME_ALARM_PERCENT`] (high).
//! - **Alarms**: the tenant's open alarms, annunciated ones first (shelved alarms and those of wells out of service
//!   after them), newest raise first, at most [`MAX_ALARM_ROWS`]; a line under the filters says when more are open.
//! - **Wells**: every well matching the filters (status, type, lease: the map's filters), ordered by name, judged
//!   as the map judges them ([`display_status`], [`WellAlarms::of`]), but wells without coordinates are listed too
//!   (a table needs none). Rates, water and hours on come from the well's latest reading (per calendar day);
//!   downtime is `1 - hours_on / length of the reading's local day` of that reading; "no data" without one.
//! - **Chart** (PDF only; the CSV has no chart): the fleet's daily oil over the last [`CHART_DAYS`] local days
//!   ending today: per day the sum of the daily oil aggregates of every well with data that day (the KPI's rule, so
//!   its last seven days are the oil card's sparkline), read as the KPIs read theirs ([`for_each_daily_aggregate`]),
//!   while the KPIs, the alarms and the well rows are gathered. The KPI sparkline has only seven days, hence the
//!   aggregate read. The 7-day band is an ETS forecast of that fleet series (the
//!   stored forecasts' model and configuration, 95 %), a few milliseconds; without enough data the chart has no
//!   forecast and its title says why.
//! - **Header**: the configured company name and logo ([`Branding`]), `generated_at` = the clock's now,
//!   `data_as_of` = the oil KPI's as-of (the newest reading behind the figures; the KPIs' computation time without
//!   data), the tenant's time zone, the filters as text lines.
//!
//! KPIs, chart and alarms cover the whole fleet, as on the dashboard; the filters narrow the well table only (the
//! filter lines say so). Rendering (and the forecast) runs on a blocking thread.

use super::Deps;
use super::alarms::{AlarmService, AlarmServiceError};
use super::analytics::ets_forecast;
use super::dashboard::{WellAlarms, display_status};
use super::kpis::{KpiError, KpiService, for_each_daily_aggregate};
use super::wells::WellRowsCache;
use crate::ports::{StorageError, WellFilter};
use chrono::{DateTime, Days, NaiveDate, Utc};
use flowline_report::{
    AlarmPriority, AlarmRow, AlarmState, ChartPoint, DashboardReport, Direction, ExportKind, ForecastPoint, KpiCard,
    ReportError, ReportHeader, TrendChart, WellRow,
};
use flowline_shared::alarms::{Alarm, AlarmPriority as Priority, AlarmState as State};
use flowline_shared::analytics::aggregation::Field;
use flowline_shared::analytics::trend::DailyPoint;
use flowline_shared::dto::dashboard::DisplayStatus;
use flowline_shared::kpis::downtime::{downtime_fraction, local_day_hours};
use flowline_shared::kpis::{Commodity, Direction as KpiDirection, FleetKpis, Kpi};
use flowline_shared::{Tenant, WellId, WellStatus, WellType};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// The most alarm rows of a report.
pub const MAX_ALARM_ROWS: usize = 200;
/// Days of the fleet oil chart, ending today.
pub const CHART_DAYS: u64 = 60;
/// Days of the chart's forecast.
pub const FORECAST_DAYS: u32 = 7;
/// Fleet downtime (percent) from which the downtime card is marked abnormal (high priority).
pub const DOWNTIME_ALARM_PERCENT: f64 = 10.0;
/// The longest lease filter, in characters.
pub const MAX_LEASE_CHARS: usize = 200;
/// The company name when none is configured.
pub const DEFAULT_COMPANY: &str = "Flowline";
/// The report's title.
pub const TITLE: &str = "Production dashboard";
/// The interval level of the chart's forecast (fraction).
const FORECAST_LEVEL: f64 = 0.95;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A filter value breaks a rule (`field` names it, e.g. `filters.lease`).
    #[error("{field}: {message}")]
    InvalidFilter { field: &'static str, message: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Kpis(#[from] KpiError),
    #[error(transparent)]
    Alarms(#[from] AlarmServiceError),
    #[error("the report could not be rendered: {0}")]
    Render(#[from] ReportError),
    #[error("the export task failed: {0}")]
    Task(String),
}

/// The company name and logo printed on every page, from the configuration (read once at start-up).
#[derive(Debug, Clone, PartialEq)]
pub struct Branding {
    company: String,
    logo: Option<Arc<[u8]>>,
}

impl Default for Branding {
    fn default() -> Self {
        Self { company: DEFAULT_COMPANY.to_owned(), logo: None }
    }
}

impl Branding {
    /// The branding of `company` with the logo's bytes (PNG). The logo is checked by rendering an empty report with
    /// it, so an undecodable file fails here, at start-up, not at the first export.
    ///
    /// # Errors
    /// [`ReportError::InvalidLogo`] when the logo does not decode.
    pub fn new(company: impl Into<String>, logo: Option<Vec<u8>>) -> Result<Self, ReportError> {
        let branding = Self { company: company.into(), logo: logo.map(Arc::from) };
        if branding.logo.is_some() {
            let epoch = DateTime::<Utc>::UNIX_EPOCH;
            let probe = DashboardReport {
                header: branding.header(chrono_tz::UTC, epoch, epoch, Vec::new()),
                kpis: Vec::new(),
                charts: Vec::new(),
                alarms: Vec::new(),
                wells: Vec::new(),
            };
            flowline_report::render_pdf(&probe)?;
        }
        Ok(branding)
    }

    pub fn company(&self) -> &str {
        &self.company
    }

    pub fn has_logo(&self) -> bool {
        self.logo.is_some()
    }

    fn header(
        &self,
        time_zone: chrono_tz::Tz,
        generated_at: DateTime<Utc>,
        data_as_of: DateTime<Utc>,
        filters: Vec<String>,
    ) -> ReportHeader {
        ReportHeader {
            company: self.company.clone(),
            logo: self.logo.as_deref().map(<[u8]>::to_vec),
            title: TITLE.to_owned(),
            time_zone,
            generated_at,
            data_as_of,
            filters,
        }
    }
}

/// Which wells the well table lists (the map's filters). Build it with [`ExportFilters::new`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportFilters {
    status: Option<WellStatus>,
    well_type: Option<WellType>,
    lease: Option<String>,
}

impl ExportFilters {
    /// The filters; a lease is trimmed and must be 1 to [`MAX_LEASE_CHARS`] characters (matched exactly, as the
    /// well list matches it).
    ///
    /// # Errors
    /// [`ExportError::InvalidFilter`] naming `filters.lease`.
    pub fn new(
        status: Option<WellStatus>,
        well_type: Option<WellType>,
        lease: Option<&str>,
    ) -> Result<Self, ExportError> {
        let lease = match lease.map(str::trim) {
            None => None,
            Some("") => {
                return Err(ExportError::InvalidFilter { field: "filters.lease", message: "must not be blank".into() });
            }
            Some(l) if l.chars().count() > MAX_LEASE_CHARS => {
                return Err(ExportError::InvalidFilter {
                    field: "filters.lease",
                    message: format!("must be at most {MAX_LEASE_CHARS} characters"),
                });
            }
            Some(l) => Some(l.to_owned()),
        };
        Ok(Self { status, well_type, lease })
    }

    /// One text line per filter, and what they apply to.
    fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(s) = self.status {
            lines.push(format!("Status: {}", status_label(s)));
        }
        if let Some(t) = self.well_type {
            lines.push(format!("Type: {}", type_label(t)));
        }
        if let Some(l) = &self.lease {
            lines.push(format!("Lease: {l}"));
        }
        if lines.is_empty() {
            lines.push("Wells: all wells".to_owned());
        } else {
            lines.push("The filters apply to the well table; KPIs, chart and alarms cover the whole fleet".to_owned());
        }
        lines
    }
}

/// A rendered export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportFile {
    pub kind: ExportKind,
    /// `dashboard_export_YYYY-MM-DD.pdf|csv`, the tenant's local date of `generated_at`.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

#[derive(Clone)]
pub struct ExportService {
    deps: Deps,
    kpis: KpiService,
    alarms: AlarmService,
    rows: WellRowsCache,
    branding: Arc<Branding>,
}

fn status_label(s: WellStatus) -> &'static str {
    match s {
        WellStatus::Active => "Active",
        WellStatus::ShutIn => "Shut in",
        WellStatus::Inactive => "Inactive",
        WellStatus::Plugged => "Plugged",
    }
}

fn type_label(t: WellType) -> &'static str {
    match t {
        WellType::Oil => "Oil",
        WellType::Gas => "Gas",
        WellType::Injection => "Injection",
        WellType::Disposal => "Disposal",
    }
}

fn display_label(d: DisplayStatus) -> &'static str {
    match d {
        DisplayStatus::Down => "Down",
        DisplayStatus::Critical => "Critical",
        DisplayStatus::Warning => "Warning",
        DisplayStatus::Inactive => "Inactive",
        DisplayStatus::Stale => "Stale",
        DisplayStatus::Normal => "Normal",
    }
}

/// The well table's status: the display status of an active well ("Normal", "Down", "Stale", …), the registry
/// status of an inactive one ("Shut in"), both when an inactive well has annunciated alarms ("Shut in, critical").
pub fn status_text(status: WellStatus, display: DisplayStatus) -> String {
    match (status, display) {
        (_, DisplayStatus::Inactive) => status_label(status).to_owned(),
        (WellStatus::Active, d) => display_label(d).to_owned(),
        (s, d) => format!("{}, {}", status_label(s), display_label(d).to_lowercase()),
    }
}

fn priority(p: Priority) -> AlarmPriority {
    match p {
        Priority::Critical => AlarmPriority::Critical,
        Priority::High => AlarmPriority::High,
        Priority::Low => AlarmPriority::Low,
    }
}

fn direction(kpi: &Kpi) -> Direction {
    match kpi.change.map(|c| c.direction) {
        Some(KpiDirection::Up) => Direction::Up,
        Some(KpiDirection::Down) => Direction::Down,
        Some(KpiDirection::Flat) | None => Direction::Flat,
    }
}

/// One card from a KPI's figures.
fn card(label: &str, kpi: &Kpi, decimals: Option<u8>, note: String, alarm: Option<AlarmPriority>) -> KpiCard {
    KpiCard {
        label: label.to_owned(),
        value: kpi.value,
        unit: kpi.unit.as_str().to_owned(),
        previous: kpi.previous,
        change_percent: kpi.change.and_then(|c| c.change_percent),
        direction: direction(kpi),
        note,
        as_of: kpi.as_of,
        decimals,
        alarm,
        sparkline: kpi.sparkline.clone(),
    }
}

/// The six cards, in the dashboard's order. Decimals: counts 0, downtime 1, the rest chosen by the report from the
/// magnitude.
pub fn kpi_cards(k: &FleetKpis) -> Vec<KpiCard> {
    let day_note = match k.last_day {
        Some(day) => format!("{day}, {} wells reporting", k.wells_reporting),
        None => "no readings".to_owned(),
    };
    let a = &k.active_wells;
    let mut active = card("Active wells", &a.on_production, Some(0), String::new(), None);
    active.value = Some(a.active as f64);
    active.unit = a.unit.as_str().to_owned();
    active.previous = None;
    active.change_percent = None;
    active.direction = Direction::Flat;
    active.as_of = Some(a.as_of);
    active.note = match a.percent_of_total {
        Some(p) => format!("{} of {} wells ({p:.0}%); trend: wells on production", a.active, a.total),
        None => "no wells".to_owned(),
    };
    let r = &k.fleet_revenue;
    let revenue_note = if !r.missing_prices.is_empty() {
        let names: Vec<&str> = r
            .missing_prices
            .iter()
            .map(|c| match c {
                Commodity::Wti => "WTI",
                Commodity::HenryHub => "Henry Hub",
            })
            .collect();
        format!("no price for {}", names.join(", "))
    } else if let Some(b) = &r.breakdown {
        format!("WTI {:.2} USD/bbl, Henry Hub {:.2} USD/MMBtu", b.oil_price.price, b.gas_price.price)
    } else {
        day_note.clone()
    };
    let u = &k.unacknowledged_alarms;
    let d = &k.downtime;
    let downtime_alarm = d.kpi.value.filter(|v| *v >= DOWNTIME_ALARM_PERCENT).map(|_| AlarmPriority::High);
    vec![
        card("Total oil", &k.total_oil, None, day_note.clone(), None),
        card("Total gas", &k.total_gas, None, day_note, None),
        active,
        card("Fleet revenue", &r.kpi, None, revenue_note, None),
        card(
            "Unacknowledged alarms",
            &u.kpi,
            Some(0),
            format!("{} critical, {} high, {} low", u.critical, u.high, u.low),
            u.highest_priority.map(priority),
        ),
        card(
            "Downtime",
            &d.kpi,
            Some(1),
            format!("{} active wells counted; abnormal from {DOWNTIME_ALARM_PERCENT:.0}%", d.wells_counted),
            downtime_alarm,
        ),
    ]
}

/// The open alarms as rows: annunciated first, then newest raise, then id; at most [`MAX_ALARM_ROWS`]. Returns the
/// rows' alarms (names are filled in later).
fn sorted_alarms(mut open: Vec<Alarm>, out_of_service: &HashSet<WellId>, now: DateTime<Utc>) -> Vec<Alarm> {
    open.retain(|a| a.state.is_open());
    open.sort_by(|a, b| {
        let annunciated = |x: &Alarm| x.is_annunciated(out_of_service.contains(&x.well_id), now);
        annunciated(b).cmp(&annunciated(a)).then(b.raised_at.cmp(&a.raised_at)).then(a.id.0.cmp(&b.id.0))
    });
    open.truncate(MAX_ALARM_ROWS);
    open
}

fn alarm_row(a: &Alarm, well: String, out_of_service: bool, now: DateTime<Utc>) -> AlarmRow {
    let state = if a.is_shelved(now) {
        AlarmState::Shelved
    } else {
        match a.state {
            State::ActiveAcknowledged => AlarmState::Acknowledged,
            State::ReturnedUnacknowledged => AlarmState::ClearedUnacknowledged,
            State::ActiveUnacknowledged | State::Normal => AlarmState::Unacknowledged,
        }
    };
    let mut message = a.message.clone();
    if out_of_service {
        message.push_str(" (well out of service)");
    }
    AlarmRow {
        priority: priority(a.priority),
        state,
        well,
        rule: a.rule.label().to_owned(),
        message,
        raised_at: a.raised_at,
        // The alarm names the user by id only; there is no port to look names up.
        acknowledged_by: None,
    }
}

impl ExportService {
    pub fn new(deps: Deps, kpis: KpiService, alarms: AlarmService, rows: WellRowsCache) -> Self {
        Self { deps, kpis, alarms, rows, branding: Arc::new(Branding::default()) }
    }

    /// The same service printing `branding` (set once by the binary from the configuration).
    #[must_use]
    pub fn with_branding(mut self, branding: Branding) -> Self {
        self.branding = Arc::new(branding);
        self
    }

    pub fn branding(&self) -> &Branding {
        &self.branding
    }

    /// The report of the tenant now; the chart only when `with_chart` (the PDF prints it, the CSV does not), without
    /// its forecast (see [`ExportService::export`]).
    pub async fn report(
        &self,
        tenant: &Tenant,
        filters: &ExportFilters,
        with_chart: bool,
    ) -> Result<DashboardReport, ExportError> {
        let id = tenant.id;
        let filter = WellFilter {
            status: filters.status,
            well_type: filters.well_type,
            lease: filters.lease.clone(),
            field: None,
            search: None,
        };
        let today = self.deps.clock.now().with_timezone(&tenant.time_zone).date_naive();
        // Independent reads, at once: the KPIs and the chart each read weeks of daily aggregates of every well.
        let (snapshot, rules, out_of_service, open, rows, chart) = tokio::try_join!(
            async { Ok::<_, ExportError>(self.kpis.dashboard(id).await?) },
            async { Ok::<_, ExportError>(self.alarms.rules(id).await?) },
            async { Ok::<_, ExportError>(self.alarms.out_of_service_wells(id).await?) },
            async { Ok::<_, ExportError>(self.deps.storage.open_alarms(id, None).await?) },
            async { Ok::<_, ExportError>(self.rows.rows(id, &filter).await?) },
            async {
                match with_chart {
                    true => Ok::<_, ExportError>(Some(self.fleet_oil_chart(tenant, today).await?)),
                    false => Ok(None),
                }
            },
        )?;
        let now = self.deps.clock.now();
        let kpis = &snapshot.kpis;
        let open: Vec<Alarm> = open.into_iter().map(|s| s.alarm).collect();
        let open_count = open.iter().filter(|a| a.state.is_open()).count();

        // The wells of the table, with the map's judgement.
        let staleness = rules.staleness();
        let mut by_well: HashMap<WellId, Vec<&Alarm>> = HashMap::new();
        for a in &open {
            by_well.entry(a.well_id).or_default().push(a);
        }
        let mut wells = Vec::new();
        let mut names: HashMap<WellId, String> = HashMap::new();
        for row in rows.iter() {
            let well = &row.well;
            let oos = out_of_service.contains(&well.id);
            let alarms = WellAlarms::of(by_well.get(&well.id).into_iter().flatten().copied(), oos, now);
            let display = display_status(well, row.latest.as_ref(), alarms, staleness, now);
            let latest = row.latest.as_ref();
            names.insert(well.id, well.name.clone());
            wells.push(WellRow {
                api_number: well.api_number.as_ref().map(ToString::to_string),
                status: status_text(well.status, display),
                oil_bopd: latest.map(|r| r.oil_bbl),
                gas_mcfd: latest.map(|r| r.gas_mcf),
                water_bwpd: latest.map(|r| r.water_bbl),
                downtime_percent: latest.map(|r| {
                    let day = r.recorded_at.with_timezone(&tenant.time_zone).date_naive();
                    100.0 * downtime_fraction(r.hours_on, local_day_hours(tenant.time_zone, day))
                }),
                last_reading_at: latest.map(|r| r.recorded_at),
                alarm: alarms.highest.map(priority),
                name: well.name.clone(),
            });
        }

        // The alarm list, with the names of wells outside the table.
        let listed = sorted_alarms(open, &out_of_service, now);
        let mut missing: Vec<WellId> = listed.iter().map(|a| a.well_id).filter(|w| !names.contains_key(w)).collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            for w in self.deps.storage.wells_by_ids(id, &missing).await? {
                names.insert(w.id, w.name);
            }
        }
        let alarms: Vec<AlarmRow> = listed
            .iter()
            .map(|a| {
                let name = names.get(&a.well_id).cloned().unwrap_or_else(|| a.well_id.to_string());
                alarm_row(a, name, out_of_service.contains(&a.well_id), now)
            })
            .collect();

        let mut lines = filters.lines();
        if open_count > alarms.len() {
            lines.push(format!("Alarms: the {} most urgent of {open_count} open alarms are listed", alarms.len()));
        }
        let charts = chart.into_iter().collect();
        let data_as_of = kpis.total_oil.as_of.unwrap_or(kpis.now);
        Ok(DashboardReport {
            header: self.branding.header(tenant.time_zone, now, data_as_of, lines),
            kpis: kpi_cards(kpis),
            charts,
            alarms,
            wells,
        })
    }

    /// The fleet's daily oil over the [`CHART_DAYS`] days ending `today` (see the module documentation).
    async fn fleet_oil_chart(&self, tenant: &Tenant, today: NaiveDate) -> Result<TrendChart, ExportError> {
        let from = today.checked_sub_days(Days::new(CHART_DAYS - 1)).unwrap_or(NaiveDate::MIN);
        let ids = self.deps.storage.well_ids(tenant.id).await?;
        let mut sums: BTreeMap<NaiveDate, f64> = BTreeMap::new();
        for_each_daily_aggregate(&self.deps, tenant.id, tenant.time_zone, &ids, (from, today), |a| {
            if a.field == Field::OilBbl {
                *sums.entry(a.period.local_start()).or_default() += a.stats.mean;
            }
        })
        .await?;
        let actual = from
            .iter_days()
            .take_while(|d| *d <= today)
            .map(|date| ChartPoint { date, value: sums.get(&date).copied() })
            .collect();
        Ok(TrendChart {
            title: format!("Fleet oil rate, last {CHART_DAYS} days"),
            unit: "BOPD".to_owned(),
            actual,
            forecast: Vec::new(),
            band_label: format!("{:.0}% interval", FORECAST_LEVEL * 100.0),
        })
    }

    /// The export of the tenant now as `kind`; the PDF's forecast and the rendering run on a blocking thread.
    pub async fn export(
        &self,
        tenant: &Tenant,
        kind: ExportKind,
        filters: &ExportFilters,
    ) -> Result<ExportFile, ExportError> {
        let started = std::time::Instant::now();
        let mut report = self.report(tenant, filters, kind == ExportKind::Pdf).await?;
        let gathered = started.elapsed();
        let wells = report.wells.len();
        let file_name = flowline_report::file_name(kind, report.header.generated_local_date());
        let bytes = tokio::task::spawn_blocking(move || match kind {
            ExportKind::Pdf => {
                for chart in &mut report.charts {
                    add_forecast(chart);
                }
                flowline_report::render_pdf(&report)
            }
            ExportKind::Csv => Ok(flowline_report::render_csv(&report).into_bytes()),
        })
        .await
        .map_err(|e| ExportError::Task(e.to_string()))??;
        tracing::info!(
            ?kind,
            wells,
            bytes = bytes.len(),
            gather_ms = gathered.as_millis(),
            render_ms = (started.elapsed() - gathered).as_millis(),
            "dashboard export"
        );
        Ok(ExportFile { kind, file_name, bytes })
    }
}

/// Appends the [`FORECAST_DAYS`]-day ETS forecast of the chart's series (CPU work), or says in the title why there
/// is none.
pub fn add_forecast(chart: &mut TrendChart) {
    let points: Vec<DailyPoint> =
        chart.actual.iter().filter_map(|p| p.value.map(|v| DailyPoint::new(p.date, v, 24.0))).collect();
    let Some(last) = points.last().map(|p| p.day) else {
        chart.title.push_str(" (no forecast: no data)");
        return;
    };
    match ets_forecast(&points, last, FORECAST_DAYS, FORECAST_LEVEL) {
        Ok(f) => {
            chart.forecast = f
                .points
                .iter()
                .map(|p| ForecastPoint { date: p.day, value: p.value, lower: Some(p.lower), upper: Some(p.upper) })
                .collect();
            chart.title.push_str(&format!(" and {FORECAST_DAYS}-day forecast"));
        }
        Err(reason) => chart.title.push_str(&format!(" (no forecast: {reason})")),
    }
}
