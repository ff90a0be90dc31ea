//! The Volve daily production format: Equinor's per-wellbore daily export of the Volve field (Norwegian North Sea,
//! production licence PL046, 2007-2016), as in `assets/volve/volve_daily.csv`. Real data with real quirks; every
//! choice below is tested on the real rows (`backend/tests/fixtures/volve_daily_excerpt.csv`) and the whole file.
//!
//! # Columns
//! The header must name at least the columns marked required (any order, any case); the other columns of the
//! export are accepted and ignored. A column the export does not have is an error.
//!
//! | Volve column | required | becomes | conversion |
//! |---|---|---|---|
//! | `DATEPRD` | yes | `recorded_at` | the production day (`YYYY-MM-DD`), stamped at noon of that day in the tenant's time zone |
//! | `WELL_BORE_CODE` | yes | entry id | UUID v5 of `volve:<WELL_BORE_CODE>:<DATEPRD>`, e.g. `volve:NO 15/9-F-12 H:2012-08-13` |
//! | `NPD_WELL_BORE_NAME` | yes | the well | matched by name (`15/9-F-12`) among the tenant's wells without an API number; created if missing |
//! | `ON_STREAM_HRS` | yes | `hours_on` | none; up to 25 |
//! | `BORE_OIL_VOL` | yes | `oil_bbl` | Sm3 x 6.289 810 770 bbl/m3 |
//! | `BORE_GAS_VOL` | yes | `gas_mcf` | Sm3 x 0.035 314 666 7 Mcf/m3 |
//! | `BORE_WAT_VOL` | yes | `water_bbl` of production rows | Sm3 x 6.289 810 770 bbl/m3 |
//! | `BORE_WI_VOL` | yes | `water_bbl` of injection rows | Sm3 x 6.289 810 770 bbl/m3 |
//! | `AVG_WHP_P` | no | `tubing_psig` | bar x 14.503 773 8 psi/bar |
//! | `AVG_ANNULUS_PRESS` | no | `casing_psig` | bar x 14.503 773 8 psi/bar |
//! | `FLOW_KIND` | yes | which water column is read | `production` or `injection` |
//! | `WELL_TYPE` | yes | type of a created well | `OP` (oil producer) -> oil, `WI` (water injector) -> injection |
//! | `AVG_CHOKE_SIZE_P` | no | nothing: `choke_64ths` is left empty | see below |
//! | `NPD_WELL_BORE_CODE`, `NPD_FIELD_CODE`, `NPD_FIELD_NAME`, `NPD_FACILITY_CODE`, `NPD_FACILITY_NAME`, `AVG_DOWNHOLE_PRESSURE`, `AVG_DOWNHOLE_TEMPERATURE`, `AVG_DP_TUBING`, `AVG_CHOKE_UOM`, `AVG_WHT_P`, `DP_CHOKE_SIZE` | no | ignored | |
//!
//! Every entry is stored with source `import` and no downtime reason (Volve gives none).
//!
//! # Units
//! Factors from `flowline_shared::units`: 1 bbl = 0.158 987 294 928 m3 exactly, 1 ft3 = 0.028 316 846 592 m3
//! exactly, 1 bar = 14.503 773 8 psi. Norwegian standard conditions (15 °C) differ from the US ones (60 °F) by
//! 0.2 %, below the accuracy of allocated volumes, and are not corrected. Volve pressures are gauge pressures in
//! bar and become psig. The choke is reported as percent open (`AVG_CHOKE_SIZE_P`, `AVG_CHOKE_UOM` = `%`), not as a
//! bean size: turning a percentage into 64ths of an inch needs the choke's trim and characteristic, which the data
//! set does not give, so `choke_64ths` stays empty rather than holding a made-up number.
//!
//! # Time
//! Volve reports production days, not instants. A day is stamped at noon of `DATEPRD` in the tenant's time zone, so
//! it falls inside that same day whatever the zone's offset or daylight saving time, and the daily aggregate of the
//! tenant's day is the Volve day.
//!
//! # Quirks of the real data and what the import does
//! - 25-hour days: on the dates daylight saving time ended in Norway (2008-10-26, 2010-10-31, 2014-10-26, ...)
//!   `ON_STREAM_HRS` reaches 25.0. Valid: Flowline accepts up to 25 hours on.
//! - Negative water (`BORE_WAT_VOL` down to -457.84 Sm3, 15/9-F-12 on 2012-08-13): allocation corrections, which
//!   offset water over-allocated on earlier days when the allocation was reconciled against the fiscal meters.
//!   Such a row is imported with `is_correction = true` (any negative volume sets it), so that sums over a month
//!   match the reported totals; dropping or zeroing it would overstate the water produced.
//! - Oil with zero on-stream hours (15/9-F-11 on 2015-01-17: 1026.57 Sm3 at 0.0 h): an allocation artefact, kept
//!   as it is (`hours_on` 0, volumes as allocated), so that the volumes still add up.
//! - Blank pressure cells: no reading that day; the pressure is left empty (not 0).
//! - Days with no data at all (every volume and `ON_STREAM_HRS` blank, e.g. 15/9-F-4 and 15/9-F-5 before their
//!   first injection, and after the field shut down): skipped, counted in `skipped`.
//! - A day with `ON_STREAM_HRS` but blank volumes (injectors on days without injection): volumes 0.
//! - Injection rows (`FLOW_KIND` = `injection`) carry the water injected in `BORE_WI_VOL` and leave the production
//!   columns blank: their `water_bbl` is the water injected, as the field-entry model defines it for an injection
//!   well. Production rows take `BORE_WAT_VOL` (their `BORE_WI_VOL` is blank or 0 in the data).
//! - A row with volumes but a blank `ON_STREAM_HRS` does not occur in the data and is rejected: unknown hours are
//!   not zero hours.
//!
//! # Wells
//! One well per wellbore (`NPD_WELL_BORE_NAME`), matched by exact name among the tenant's wells that have no API
//! number (Norwegian wellbores have none). Wells not found are created, all in one call, once every row is valid:
//! - type: from the wellbore's last `WELL_TYPE` by date (`OP` -> oil, `WI` -> injection); some wellbores switch
//!   between the two (15/9-F-5 produced oil in 2016 between injection periods and ended as an injector);
//! - status: active if the wellbore produced or injected (oil, gas or injected water above 0) in the last 30 days
//!   of the file, else inactive (for the whole file: all inactive, the field stopped in September 2016);
//! - field `VOLVE`, lease `PL046` (the production licence), state `NO` (Norway), no county, no API number;
//! - first production date: the first day with oil above 0 in the file;
//! - location: from the Norwegian Offshore Directorate's wellbore list compiled into the server
//!   (`assets/volve/volve_wellbores_with_coordinates.csv`, NLOD 2.0), converted from ED50 to WGS 84.
//!
//! Existing wells are not changed. Wellbores whose rows are all skipped get no well.

use super::datum::ed50_to_wgs84;
use super::{Cells, ColumnNames, EntryIds, Header, ImportError, ParsedFile, PendingEntry, for_each_record, noon_of};
use chrono::NaiveDate;
use chrono_tz::Tz;
use csv::StringRecord;
use flowline_shared::dto::RowError;
use flowline_shared::units::{bar_to_psi, sm3_to_bbl, sm3_to_mcf};
use flowline_shared::{
    Coordinates, EntrySource, FieldEntryDraft, FieldError, FieldErrors, NewWell, WellId, WellPatch, WellStatus,
    WellType,
};
use std::collections::HashMap;
use std::sync::OnceLock;
use uuid::Uuid;

pub const DATEPRD: &str = "DATEPRD";
pub const WELL_BORE_CODE: &str = "WELL_BORE_CODE";
pub const NPD_WELL_BORE_NAME: &str = "NPD_WELL_BORE_NAME";
pub const ON_STREAM_HRS: &str = "ON_STREAM_HRS";
pub const AVG_ANNULUS_PRESS: &str = "AVG_ANNULUS_PRESS";
pub const AVG_CHOKE_SIZE_P: &str = "AVG_CHOKE_SIZE_P";
pub const AVG_WHP_P: &str = "AVG_WHP_P";
pub const BORE_OIL_VOL: &str = "BORE_OIL_VOL";
pub const BORE_GAS_VOL: &str = "BORE_GAS_VOL";
pub const BORE_WAT_VOL: &str = "BORE_WAT_VOL";
pub const BORE_WI_VOL: &str = "BORE_WI_VOL";
pub const FLOW_KIND: &str = "FLOW_KIND";
pub const WELL_TYPE: &str = "WELL_TYPE";

/// Columns every Volve file must have.
pub const REQUIRED: &[&str] = &[
    DATEPRD,
    WELL_BORE_CODE,
    NPD_WELL_BORE_NAME,
    ON_STREAM_HRS,
    BORE_OIL_VOL,
    BORE_GAS_VOL,
    BORE_WAT_VOL,
    BORE_WI_VOL,
    FLOW_KIND,
    WELL_TYPE,
];
/// The other columns of the export: pressures (read) and the rest (accepted, ignored).
pub const OPTIONAL: &[&str] = &[
    AVG_WHP_P,
    AVG_ANNULUS_PRESS,
    AVG_CHOKE_SIZE_P,
    "NPD_WELL_BORE_CODE",
    "NPD_FIELD_CODE",
    "NPD_FIELD_NAME",
    "NPD_FACILITY_CODE",
    "NPD_FACILITY_NAME",
    "AVG_DOWNHOLE_PRESSURE",
    "AVG_DOWNHOLE_TEMPERATURE",
    "AVG_DP_TUBING",
    "AVG_CHOKE_UOM",
    "AVG_WHT_P",
    "DP_CHOKE_SIZE",
];

/// The production licence, field and country of the wells a Volve import creates.
pub const VOLVE_LEASE: &str = "PL046";
pub const VOLVE_FIELD: &str = "VOLVE";
pub const VOLVE_STATE: &str = "NO";
/// A wellbore is active if it produced or injected within this many days up to the last day of the file.
pub const ACTIVE_WITHIN_DAYS: i64 = 30;

const COORDINATES_CSV: &str = include_str!("../../../../assets/volve/volve_wellbores_with_coordinates.csv");

const PRODUCTION: ColumnNames = ColumnNames {
    id: DATEPRD,
    well_id: NPD_WELL_BORE_NAME,
    recorded_at: DATEPRD,
    oil_bbl: BORE_OIL_VOL,
    gas_mcf: BORE_GAS_VOL,
    water_bbl: BORE_WAT_VOL,
    tubing_psig: AVG_WHP_P,
    casing_psig: AVG_ANNULUS_PRESS,
    choke_64ths: AVG_CHOKE_SIZE_P,
    hours_on: ON_STREAM_HRS,
    converted: true,
};

static PRODUCTION_COLUMNS: ColumnNames = PRODUCTION;
static INJECTION_COLUMNS: ColumnNames = ColumnNames { water_bbl: BORE_WI_VOL, ..PRODUCTION };

const IDENTITY: &str = "the same WELL_BORE_CODE and DATEPRD";

/// What the file says about one wellbore, to create its well.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WellborePlan {
    pub name: String,
    /// First line of the wellbore in the file (where a problem with its well is reported).
    pub first_line: u64,
    /// Type on the latest day seen.
    pub last_type: (NaiveDate, WellType),
    pub first_oil: Option<NaiveDate>,
    pub last_activity: Option<NaiveDate>,
    /// Whether any row of the wellbore is stored (not all skipped).
    pub has_entries: bool,
}

impl WellborePlan {
    /// The well to create for this wellbore; `last_date` is the last day of the file.
    pub(crate) fn new_well(&self, last_date: Option<NaiveDate>) -> Result<NewWell, FieldErrors> {
        let active = match (self.last_activity, last_date) {
            (Some(activity), Some(last)) => (last - activity).num_days() < ACTIVE_WITHIN_DAYS,
            _ => false,
        };
        let location = wellbore_locations().get(&self.name).copied();
        NewWell::parse(&WellPatch {
            api_number: None,
            name: Some(self.name.clone()),
            well_type: Some(self.last_type.1),
            status: Some(if active { WellStatus::Active } else { WellStatus::Inactive }),
            latitude: location.map(|c| c.latitude),
            longitude: location.map(|c| c.longitude),
            lease: Some(VOLVE_LEASE.into()),
            field: Some(VOLVE_FIELD.into()),
            county: None,
            state: Some(VOLVE_STATE.into()),
            first_production_date: self.first_oil,
        })
    }
}

/// A parsed Volve file.
#[derive(Debug)]
pub(crate) struct VolveFile {
    /// Entries with a placeholder well id; `PendingEntry::wellbore` indexes `wellbores`.
    pub parsed: ParsedFile,
    pub wellbores: Vec<WellborePlan>,
    /// The last `DATEPRD` of the file (skipped rows included).
    pub last_date: Option<NaiveDate>,
}

/// A well problem found while planning a wellbore's well, in the file's terms.
pub(crate) fn well_field_error(e: FieldError, wellbore: &str) -> FieldError {
    let field = if e.field == "name" { NPD_WELL_BORE_NAME.to_owned() } else { e.field };
    FieldError { field, message: format!("well {wellbore:?}: {}", e.message) }
}

fn normalise(name: &str) -> String {
    name.to_ascii_uppercase()
}

/// Parses a whole Volve file. Well ids are left as a placeholder (nil) until the wells are known.
pub(crate) fn parse(text: &str, tz: Tz, ids: EntryIds) -> Result<VolveFile, ImportError> {
    let mut reader = super::reader(text);
    let headers = reader.headers().map_err(|e| ImportError::Format(format!("cannot read the header: {e}")))?.clone();
    let header = Header::read(&headers, REQUIRED, OPTIONAL, normalise)?;
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    let mut wellbores: Vec<WellborePlan> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut last_date: Option<NaiveDate> = None;
    let mut skipped = 0u64;
    let rows = for_each_record(text, &mut reader, &mut errors, |line, record| {
        let row = match read_row(&header, record) {
            Ok(row) => row,
            Err(errors) => return Some(RowError { row: line, id: None, errors }),
        };
        last_date = last_date.max(Some(row.date));
        let index = *by_name.entry(row.name.clone()).or_insert_with(|| {
            wellbores.push(WellborePlan {
                name: row.name.clone(),
                first_line: line,
                last_type: (row.date, row.well_type),
                first_oil: None,
                last_activity: None,
                has_entries: false,
            });
            wellbores.len() - 1
        });
        let plan = wellbores.get_mut(index)?;
        if row.date >= plan.last_type.0 {
            plan.last_type = (row.date, row.well_type);
        }
        match row.to_draft(tz, ids) {
            Ok(None) => {
                skipped += 1;
                None
            }
            Ok(Some(draft)) => {
                plan.has_entries = true;
                if row.oil.is_some_and(|v| v > 0.0) {
                    plan.first_oil = Some(plan.first_oil.map_or(row.date, |first| first.min(row.date)));
                }
                if row.is_activity() {
                    plan.last_activity = plan.last_activity.max(Some(row.date));
                }
                entries.push(PendingEntry {
                    line,
                    draft,
                    columns: if row.injection { &INJECTION_COLUMNS } else { &PRODUCTION_COLUMNS },
                    identity: IDENTITY,
                    wellbore: Some(index),
                });
                None
            }
            Err(e) => Some(RowError { row: line, id: None, errors: vec![e] }),
        }
    })?;
    Ok(VolveFile { parsed: ParsedFile { rows, skipped, entries, errors }, wellbores, last_date })
}

/// One Volve row, read but not converted. Volumes in Sm3, pressures in bar.
#[derive(Debug, Clone, PartialEq)]
struct VolveRow {
    date: NaiveDate,
    code: String,
    name: String,
    injection: bool,
    well_type: WellType,
    hours: Option<f64>,
    oil: Option<f64>,
    gas: Option<f64>,
    water: Option<f64>,
    injected: Option<f64>,
    whp: Option<f64>,
    annulus: Option<f64>,
}

fn read_row(header: &Header, record: &StringRecord) -> Result<VolveRow, Vec<FieldError>> {
    let mut cells = Cells::new(header, record);
    let date = cells.required(DATEPRD, parse_date);
    let code = cells.required(WELL_BORE_CODE, |raw| text(raw).map(str::to_owned));
    let name = cells.required(NPD_WELL_BORE_NAME, |raw| text(raw).map(str::to_owned));
    let injection = cells.required(FLOW_KIND, |raw| match raw.to_ascii_lowercase().as_str() {
        "production" => Ok(false),
        "injection" => Ok(true),
        _ => Err(format!("{raw:?} is neither production nor injection")),
    });
    let well_type = cells.required(WELL_TYPE, |raw| match raw.to_ascii_uppercase().as_str() {
        "OP" => Ok(WellType::Oil),
        "WI" => Ok(WellType::Injection),
        _ => Err(format!("{raw:?} is neither OP (oil producer) nor WI (water injector)")),
    });
    let hours = cells.optional(ON_STREAM_HRS, super::parse_number);
    let oil = cells.optional(BORE_OIL_VOL, super::parse_number);
    let gas = cells.optional(BORE_GAS_VOL, super::parse_number);
    let water = cells.optional(BORE_WAT_VOL, super::parse_number);
    let injected = cells.optional(BORE_WI_VOL, super::parse_number);
    let whp = cells.optional(AVG_WHP_P, super::parse_number);
    let annulus = cells.optional(AVG_ANNULUS_PRESS, super::parse_number);
    match (date, code, name, injection, well_type) {
        (Some(date), Some(code), Some(name), Some(injection), Some(well_type)) if cells.errors.is_empty() => {
            Ok(VolveRow { date, code, name, injection, well_type, hours, oil, gas, water, injected, whp, annulus })
        }
        _ => Err(cells.errors),
    }
}

impl VolveRow {
    /// Whether the wellbore produced or injected that day.
    fn is_activity(&self) -> bool {
        let positive = |v: Option<f64>| v.is_some_and(|v| v > 0.0);
        positive(self.oil) || positive(self.gas) || (self.injection && positive(self.injected))
    }

    /// The entry of this row, in oilfield units; `None` for a day without any data (skipped). The well id is a
    /// placeholder.
    fn to_draft(&self, tz: Tz, ids: EntryIds) -> Result<Option<FieldEntryDraft>, FieldError> {
        let volumes = [self.oil, self.gas, self.water, self.injected];
        let Some(hours_on) = self.hours else {
            if volumes.iter().all(Option::is_none) {
                return Ok(None);
            }
            return Err(FieldError::new(ON_STREAM_HRS, "is blank on a row that has volumes"));
        };
        let recorded_at = noon_of(self.date, tz)
            .ok_or_else(|| FieldError::new(DATEPRD, format!("noon of {} does not exist in {tz}", self.date)))?;
        let oil_bbl = sm3_to_bbl(self.oil.unwrap_or(0.0));
        let gas_mcf = sm3_to_mcf(self.gas.unwrap_or(0.0));
        let water_sm3 = if self.injection { self.injected } else { self.water };
        let water_bbl = sm3_to_bbl(water_sm3.unwrap_or(0.0));
        Ok(Some(FieldEntryDraft {
            id: ids.id(&entry_key(&self.code, self.date)),
            well_id: WellId(Uuid::nil()),
            recorded_at,
            oil_bbl,
            gas_mcf,
            water_bbl,
            tubing_psig: self.whp.map(bar_to_psi),
            casing_psig: self.annulus.map(bar_to_psi),
            choke_64ths: None,
            hours_on,
            downtime_reason: None,
            source: EntrySource::Import,
            is_correction: oil_bbl < 0.0 || gas_mcf < 0.0 || water_bbl < 0.0,
        }))
    }
}

/// The natural key of a Volve row: `volve:<WELL_BORE_CODE>:<DATEPRD>`.
pub fn entry_key(wellbore_code: &str, date: NaiveDate) -> String {
    format!("volve:{wellbore_code}:{}", date.format("%Y-%m-%d"))
}

/// A name cell: at most 200 printable characters.
fn text(raw: &str) -> Result<&str, String> {
    if raw.len() > 200 || raw.chars().any(char::is_control) {
        Err("must be at most 200 printable characters".into())
    } else {
        Ok(raw)
    }
}

/// `YYYY-MM-DD`, also with a midnight time as spreadsheets add it (`2014-04-07 00:00:00`).
fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let date = raw.strip_suffix(" 00:00:00").or_else(|| raw.strip_suffix("T00:00:00")).unwrap_or(raw);
    NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| format!("{raw:?} is not a date YYYY-MM-DD"))
}

/// Wellbore name -> WGS 84 location, from the compiled-in list of the Norwegian Offshore Directorate.
fn wellbore_locations() -> &'static HashMap<String, Coordinates> {
    static LOCATIONS: OnceLock<HashMap<String, Coordinates>> = OnceLock::new();
    LOCATIONS.get_or_init(|| parse_locations(COORDINATES_CSV))
}

/// Reads `wlbWellboreName`, `wlbGeodeticDatum`, `wlbNsDecDeg`, `wlbEwDesDeg` (sic); ED50 is converted to WGS 84,
/// other datums are taken as WGS 84 only if named so. Rows that cannot be read are left out (logged).
fn parse_locations(csv_text: &str) -> HashMap<String, Coordinates> {
    let mut out = HashMap::new();
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(csv_text.as_bytes());
    let Ok(headers) = reader.headers().cloned() else {
        tracing::warn!("wellbore coordinate list has no header; Volve wells get no location");
        return out;
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(name_i), Some(datum_i), Some(lat_i), Some(lon_i)) =
        (col("wlbWellboreName"), col("wlbGeodeticDatum"), col("wlbNsDecDeg"), col("wlbEwDesDeg"))
    else {
        tracing::warn!("wellbore coordinate list lacks its columns; Volve wells get no location");
        return out;
    };
    for record in reader.records().flatten() {
        let (Some(name), Some(datum), Some(lat), Some(lon)) =
            (record.get(name_i), record.get(datum_i), record.get(lat_i), record.get(lon_i))
        else {
            continue;
        };
        let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
            continue;
        };
        let (lat, lon) = match datum.to_ascii_uppercase().replace(' ', "").as_str() {
            "ED50" => ed50_to_wgs84(lat, lon),
            "WGS84" => (lat, lon),
            other => {
                tracing::warn!(wellbore = name, datum = other, "unknown datum; no location");
                continue;
            }
        };
        if let Ok(c) = Coordinates::new(lat, lon) {
            out.insert(name.to_owned(), c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use flowline_shared::TenantId;

    const CHICAGO: Tz = chrono_tz::America::Chicago;
    const EXCERPT: &str = include_str!("../../../tests/fixtures/volve_daily_excerpt.csv");

    fn ids() -> EntryIds {
        EntryIds::for_tenant(TenantId(Uuid::from_u128(7)))
    }

    fn excerpt() -> VolveFile {
        parse(EXCERPT, CHICAGO, ids()).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The entry of a wellbore code on a day.
    fn entry<'a>(file: &'a VolveFile, code: &str, day: &str) -> &'a PendingEntry {
        let id = ids().id(&entry_key(code, date(day)));
        file.parsed.entries.iter().find(|e| e.draft.id == id).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn excerpt_parses_without_errors() {
        let file = excerpt();
        assert!(file.parsed.errors.is_empty(), "{:?}", file.parsed.errors);
        assert_eq!(file.parsed.rows, 200);
        assert_eq!(file.parsed.skipped, 28);
        assert_eq!(file.parsed.entries.len(), 172);
        assert_eq!(file.last_date, Some(date("2016-12-01")));
        let names: Vec<&str> = file.wellbores.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["15/9-F-1 C", "15/9-F-11", "15/9-F-12", "15/9-F-14", "15/9-F-15 D", "15/9-F-4", "15/9-F-5"]);
    }

    #[test]
    fn converts_one_real_row_by_hand() {
        // Line 70 of the excerpt, 15/9-F-12 on 2012-08-13:
        //   ON_STREAM_HRS 0.625, AVG_WHP_P 50.951032 bar, AVG_ANNULUS_PRESS 10.320236 bar,
        //   BORE_OIL_VOL 632.96 Sm3, BORE_GAS_VOL 12123.37 Sm3, BORE_WAT_VOL -457.84 Sm3.
        // By hand:
        //   oil    632.96 Sm3 x 6.28981077 bbl/m3     = 3981.198625 bbl  (= 632.96 / 0.158987294928)
        //   gas    12123.37 Sm3 x 0.0353146667 Mcf/m3 = 428.132771 Mcf  (= 12123.37 / 28.316846592)
        //   water  -457.84 Sm3 x 6.28981077 bbl/m3    = -2879.726963 bbl (negative: a correction)
        //   tubing 50.951032 bar x 14.5037738 psi/bar = 738.982243 psig
        //   casing 10.320236 bar x 14.5037738 psi/bar = 149.682369 psig
        //   recorded_at: noon 2012-08-13 in Chicago (CDT, UTC-5) = 2012-08-13T17:00:00Z
        let file = excerpt();
        let e = entry(&file, "NO 15/9-F-12 H", "2012-08-13");
        assert_eq!(e.line, 70);
        let d = &e.draft;
        let by_hand = |got: f64, want: f64| (got - want).abs() < 1e-5;
        assert!(by_hand(d.oil_bbl, 3_981.198_625), "{}", d.oil_bbl);
        assert!(by_hand(d.gas_mcf, 428.132_771), "{}", d.gas_mcf);
        assert!(by_hand(d.water_bbl, -2_879.726_963), "{}", d.water_bbl);
        assert!(by_hand(d.tubing_psig.unwrap(), 738.982_243), "{:?}", d.tubing_psig);
        assert!(by_hand(d.casing_psig.unwrap(), 149.682_369), "{:?}", d.casing_psig);
        assert_eq!(d.hours_on, 0.625);
        assert_eq!(d.recorded_at, "2012-08-13T17:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(d.choke_64ths, None, "percent open is not converted to 64ths");
        assert_eq!(d.source, EntrySource::Import);
    }

    #[test]
    fn quirk_25_hour_days_are_kept() {
        let file = excerpt();
        for (code, day) in [
            ("NO 15/9-F-1 C", "2014-10-26"),
            ("NO 15/9-F-11 H", "2014-10-26"),
            ("NO 15/9-F-12 H", "2008-10-26"),
            ("NO 15/9-F-14 H", "2014-10-26"),
            ("NO 15/9-F-5 AH", "2010-10-31"),
        ] {
            let e = entry(&file, code, day);
            assert_eq!(e.draft.hours_on, 25.0, "{code} {day}");
            assert!(flowline_shared::FieldEntry::new(e.draft.clone()).is_ok());
        }
    }

    #[test]
    fn quirk_negative_water_is_a_correction() {
        let file = excerpt();
        let worst = entry(&file, "NO 15/9-F-12 H", "2012-08-13");
        assert!(worst.draft.is_correction);
        assert!(close(worst.draft.water_bbl, sm3_to_bbl(-457.84)));
        assert!(flowline_shared::FieldEntry::new(worst.draft.clone()).is_ok());
        for (code, day) in
            [("NO 15/9-F-12 H", "2008-04-23"), ("NO 15/9-F-14 H", "2009-03-03"), ("NO 15/9-F-14 H", "2012-08-13")]
        {
            let e = entry(&file, code, day);
            assert!(e.draft.water_bbl < 0.0 && e.draft.is_correction, "{code} {day}");
        }
        let corrections = file.parsed.entries.iter().filter(|e| e.draft.is_correction).count();
        assert_eq!(corrections, 4, "only rows with a negative volume are corrections");
    }

    #[test]
    fn quirk_oil_with_zero_hours_is_kept() {
        let file = excerpt();
        let e = entry(&file, "NO 15/9-F-11 H", "2015-01-17");
        assert_eq!(e.draft.hours_on, 0.0);
        assert!(close(e.draft.oil_bbl, sm3_to_bbl(1026.57)));
        assert!(!e.draft.is_correction);
    }

    #[test]
    fn quirk_blank_pressures_are_none() {
        let file = excerpt();
        let both = entry(&file, "NO 15/9-F-11 H", "2013-07-26");
        assert_eq!((both.draft.tubing_psig, both.draft.casing_psig), (None, None));
        let casing_only = entry(&file, "NO 15/9-F-14 H", "2009-03-03");
        assert!(casing_only.draft.tubing_psig.is_some());
        assert_eq!(casing_only.draft.casing_psig, None);
    }

    #[test]
    fn quirk_days_without_data_are_skipped_and_hours_without_volumes_are_zero() {
        let file = excerpt();
        let skipped_id = ids().id(&entry_key("NO 15/9-F-4 AH", date("2007-09-01")));
        assert!(file.parsed.entries.iter().all(|e| e.draft.id != skipped_id));
        // 15/9-F-4 on 2008-01-07: injection row, ON_STREAM_HRS 0.0, every volume blank.
        let e = entry(&file, "NO 15/9-F-4 AH", "2008-01-07");
        assert_eq!((e.draft.oil_bbl, e.draft.gas_mcf, e.draft.water_bbl, e.draft.hours_on), (0.0, 0.0, 0.0, 0.0));
    }

    #[test]
    fn injection_rows_take_the_injected_water() {
        let file = excerpt();
        // 15/9-F-4 on 2008-10-25: injection, 24 h, BORE_WI_VOL 8469 Sm3, production columns blank.
        let e = entry(&file, "NO 15/9-F-4 AH", "2008-10-25");
        assert!(close(e.draft.water_bbl, 8469.0 * 6.289_810_770));
        assert_eq!((e.draft.oil_bbl, e.draft.gas_mcf), (0.0, 0.0));
        assert_eq!(e.columns.water_bbl, BORE_WI_VOL);
        // 15/9-F-5 on 2016-05-04: WELL_TYPE WI but FLOW_KIND production: produced water.
        let p = entry(&file, "NO 15/9-F-5 AH", "2016-05-04");
        assert!(close(p.draft.water_bbl, sm3_to_bbl(136.13)));
    }

    #[test]
    fn wells_take_the_last_type_status_and_first_oil() {
        let file = excerpt();
        let plan = |name: &str| file.wellbores.iter().find(|w| w.name == name).unwrap();
        // 15/9-F-1 C starts as WI on 2014-04-07 and is OP afterwards; 15/9-F-5 ends as an injector.
        assert_eq!(plan("15/9-F-1 C").last_type.1, WellType::Oil);
        assert_eq!(plan("15/9-F-5").last_type.1, WellType::Injection);
        assert_eq!(plan("15/9-F-12").first_oil, Some(date("2008-04-20")));
        assert_eq!(plan("15/9-F-4").first_oil, None);
        let well = plan("15/9-F-12").new_well(file.last_date).unwrap();
        assert_eq!(well.well_type, WellType::Oil);
        assert_eq!(well.status, WellStatus::Inactive, "the file ends 2016-12-01");
        assert_eq!(
            (well.field.as_deref(), well.lease.as_deref(), well.state.as_deref()),
            (Some("VOLVE"), Some("PL046"), Some("NO"))
        );
        assert_eq!(well.api_number, None);
        let loc = well.location.unwrap();
        assert!((loc.latitude - 58.4411).abs() < 0.001 && (loc.longitude - 1.8858).abs() < 0.001, "{loc:?}");
        // Active when it produced within the last 30 days of the file. In the excerpt, 15/9-F-12 last produces on
        // 2012-08-13 (the next days and its September 2016 rows have no volumes).
        assert_eq!(plan("15/9-F-12").last_activity, Some(date("2012-08-13")));
        let active = plan("15/9-F-12").new_well(Some(date("2012-09-11"))).unwrap();
        assert_eq!(active.status, WellStatus::Active);
        let inactive = plan("15/9-F-12").new_well(Some(date("2012-09-12"))).unwrap();
        assert_eq!(inactive.status, WellStatus::Inactive);
    }

    #[test]
    fn every_volve_wellbore_has_a_location() {
        let locations = wellbore_locations();
        for name in ["15/9-F-1 C", "15/9-F-11", "15/9-F-12", "15/9-F-14", "15/9-F-15 D", "15/9-F-4", "15/9-F-5"] {
            assert!(locations.contains_key(name), "{name}");
        }
    }

    #[test]
    fn ids_are_deterministic() {
        let a: Vec<_> = excerpt().parsed.entries.iter().map(|e| e.draft.id).collect();
        let b: Vec<_> = excerpt().parsed.entries.iter().map(|e| e.draft.id).collect();
        assert_eq!(a, b);
        let unique: std::collections::HashSet<_> = a.iter().collect();
        assert_eq!(unique.len(), a.len());
    }

    #[test]
    fn bad_cells_are_row_errors() {
        let mut lines: Vec<&str> = EXCERPT.lines().take(4).collect();
        let bad = "2014-04-3x,NO 15/9-F-1 C,7405,15/9-F-1 C,3420717,VOLVE,369304,MÆRSK INSPIRER,abc,,,,0.0,1.0,%,0.0,0.0,0.0,0.0,0.0,0.0,,sideways,XX";
        lines.push(bad);
        let no_hours = "2014-04-12,NO 15/9-F-1 C,7405,15/9-F-1 C,3420717,VOLVE,369304,MÆRSK INSPIRER,,,,,0.0,1.0,%,0.0,0.0,5.0,0.0,0.0,0.0,,production,OP";
        lines.push(no_hours);
        let text = lines.join("\n");
        let file = parse(&text, CHICAGO, ids()).unwrap();
        assert_eq!(file.parsed.errors.len(), 2, "{:?}", file.parsed.errors);
        let first = &file.parsed.errors[0];
        assert_eq!(first.row, 5);
        let fields: Vec<&str> = first.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, [DATEPRD, FLOW_KIND, WELL_TYPE, ON_STREAM_HRS]);
        assert_eq!(file.parsed.errors[1].row, 6);
        assert_eq!(file.parsed.errors[1].errors[0].field, ON_STREAM_HRS);
    }

    #[test]
    fn header_must_have_the_volve_columns() {
        let Err(ImportError::Format(msg)) = parse("DATEPRD,WELL_BORE_CODE,BORE_OIL_VOL,EXTRA\n", CHICAGO, ids()) else {
            panic!("expected a format error");
        };
        assert!(msg.contains("missing required columns: NPD_WELL_BORE_NAME, ON_STREAM_HRS"), "{msg}");
        assert!(msg.contains("unknown columns: \"EXTRA\""), "{msg}");
        // Lower-case column names are accepted.
        let lower = EXCERPT.lines().take(3).collect::<Vec<_>>().join("\n").replacen("DATEPRD", "dateprd", 1);
        assert!(parse(&lower, CHICAGO, ids()).is_ok());
    }

    #[test]
    fn dates_accept_a_midnight_time() {
        assert_eq!(parse_date("2014-04-07"), Ok(date("2014-04-07")));
        assert_eq!(parse_date("2014-04-07 00:00:00"), Ok(date("2014-04-07")));
        assert!(parse_date("07.04.2014").is_err());
    }

    #[test]
    fn the_whole_real_file_parses_without_row_errors() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/volve/volve_daily.csv");
        let text = std::fs::read_to_string(&path).unwrap();
        let file = parse(&text, CHICAGO, ids()).unwrap();
        assert!(file.parsed.errors.is_empty(), "{:?}", &file.parsed.errors[..file.parsed.errors.len().min(5)]);
        assert_eq!(file.parsed.rows, 15_634);
        assert_eq!(file.parsed.skipped, 285);
        assert_eq!(file.parsed.entries.len(), 15_349);
        assert_eq!(file.wellbores.len(), 7);
        for e in &file.parsed.entries {
            assert!(flowline_shared::FieldEntry::new(e.draft.clone()).is_ok(), "line {}", e.line);
        }
        let min_water = file.parsed.entries.iter().map(|e| e.draft.water_bbl).fold(f64::INFINITY, f64::min);
        assert!(close(min_water, sm3_to_bbl(-457.84)));
        for plan in &file.wellbores {
            let well = plan.new_well(file.last_date).unwrap();
            assert_eq!(well.status, WellStatus::Inactive, "{}: the field stopped in September 2016", plan.name);
            assert!(well.location.is_some());
        }
    }
}
