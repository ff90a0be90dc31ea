//! Flowline's own CSV format: one field entry per row.
//!
//! The first line is a header naming the columns; their order is free and names are matched without regard to case
//! or surrounding spaces. A column not in this table is an error (a typo must not silently drop data). Cells are
//! trimmed; a blank optional cell means "none". The file is UTF-8 (with or without a byte-order mark), comma
//! separated, quoted as RFC 4180 (`"…"`, `""` for a quote). Numbers use a dot for decimals and no thousands
//! separators.
//!
//! | column | required | meaning and accepted values |
//! |---|---|---|
//! | `id` | no | UUID of the entry. Blank or absent: derived from the well and `recorded_at` (UUID v5), so importing the same file again stores nothing twice. |
//! | `well` | yes | The well: its Flowline id (UUID) or its API number as API-10, -12 or -14, with or without dashes (`42-317-12345`, `42317123450000`). The well must exist in the tenant. |
//! | `recorded_at` | yes | When the reading was taken: an RFC 3339 instant with its UTC offset (`2024-03-10T07:00:00-05:00`, `2024-03-10T12:00:00Z`), or a date `YYYY-MM-DD` for a whole production day, stored as noon of that day in the tenant's time zone. |
//! | `oil_bbl` | yes | Oil, bbl, for the day of the reading (bbl/d). |
//! | `gas_mcf` | yes | Gas, Mcf (Mcf/d). |
//! | `water_bbl` | yes | Water, bbl (bbl/d); for an injection well, water injected. |
//! | `tubing_psig` | no | Tubing (wellhead) pressure, psig. |
//! | `casing_psig` | no | Casing pressure, psig. |
//! | `choke_64ths` | no | Choke size, 64ths of an inch (0-256). |
//! | `hours_on` | yes | Hours on production that day, 0-25 (the day daylight saving time ends has 25 hours). |
//! | `downtime_reason` | no | Why the well was down: `mechanical`, `electrical`, `workover`, `weather`, `planned_maintenance`, `facility`, `high_line_pressure`, `waiting_on_transport`, `regulatory`, `other`. |
//! | `source` | no | Where the reading came from: `manual`, `scada`, `import` (the default), `simulator`. |
//! | `is_correction` | no | `true`/`false`, `1`/`0` or blank (= false). A correction may carry negative volumes: it offsets an earlier allocation. |
//!
//! Volumes are never negative unless `is_correction` is true; pressures are within -14.7..30,000 psig.
//!
//! Example:
//! ```text
//! well,recorded_at,oil_bbl,gas_mcf,water_bbl,tubing_psig,casing_psig,choke_64ths,hours_on,downtime_reason
//! 42-317-12345,2024-03-10,120.5,310,42,350,610,32,24,
//! 42-317-12346,2024-03-10T06:00:00-06:00,0,0,0,,,,6,mechanical
//! ```
//!
//! Entry ids derived when `id` is blank: UUID v5 of `flowline:<well key>:<recorded_at>` (under the tenant's import
//! namespace, see [`super::EntryIds`]), where the well key is the well's 14-digit API number if it has one, else
//! its UUID, and `recorded_at` is the instant in UTC in RFC 3339 (`2024-03-10T18:00:00Z`). A well named once by
//! id and once by API number therefore gets the same entry ids.

use super::{
    Cells, ColumnNames, EntryIds, Header, ImportError, ParsedFile, PendingEntry, WellIndex, for_each_record, noon_of,
    parse_number, reader,
};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use csv::StringRecord;
use flowline_shared::dto::RowError;
use flowline_shared::{ApiNumber, DowntimeReason, EntryId, EntrySource, FieldEntryDraft, WellId};
use uuid::Uuid;

pub const ID: &str = "id";
pub const WELL: &str = "well";
pub const RECORDED_AT: &str = "recorded_at";
pub const OIL_BBL: &str = "oil_bbl";
pub const GAS_MCF: &str = "gas_mcf";
pub const WATER_BBL: &str = "water_bbl";
pub const TUBING_PSIG: &str = "tubing_psig";
pub const CASING_PSIG: &str = "casing_psig";
pub const CHOKE_64THS: &str = "choke_64ths";
pub const HOURS_ON: &str = "hours_on";
pub const DOWNTIME_REASON: &str = "downtime_reason";
pub const SOURCE: &str = "source";
pub const IS_CORRECTION: &str = "is_correction";

/// Columns every file must have.
pub const REQUIRED: &[&str] = &[WELL, RECORDED_AT, OIL_BBL, GAS_MCF, WATER_BBL, HOURS_ON];
/// Columns a file may have.
pub const OPTIONAL: &[&str] = &[ID, TUBING_PSIG, CASING_PSIG, CHOKE_64THS, DOWNTIME_REASON, SOURCE, IS_CORRECTION];

static COLUMNS: ColumnNames = ColumnNames {
    id: ID,
    well_id: WELL,
    recorded_at: RECORDED_AT,
    oil_bbl: OIL_BBL,
    gas_mcf: GAS_MCF,
    water_bbl: WATER_BBL,
    tubing_psig: TUBING_PSIG,
    casing_psig: CASING_PSIG,
    choke_64ths: CHOKE_64THS,
    hours_on: HOURS_ON,
    converted: false,
};

/// What makes two rows the same entry.
const SAME_ID: &str = "the same id";
const SAME_READING: &str = "the same well and recorded_at";

fn normalise(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Parses a whole file. Wells are resolved against `wells`; times of date-only cells use `tz`.
pub(crate) fn parse(text: &str, tz: Tz, wells: &WellIndex, ids: EntryIds) -> Result<ParsedFile, ImportError> {
    let mut reader = reader(text);
    let headers = reader.headers().map_err(|e| ImportError::Format(format!("cannot read the header: {e}")))?.clone();
    let header = Header::read(&headers, REQUIRED, OPTIONAL, normalise)?;
    let mut file = ParsedFile::default();
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    file.rows = for_each_record(text, &mut reader, &mut errors, |line, record| {
        match parse_row(&header, record, line, tz, wells, ids) {
            Ok(entry) => {
                entries.push(entry);
                None
            }
            Err(e) => Some(e),
        }
    })?;
    file.errors = errors;
    file.entries = entries;
    Ok(file)
}

fn parse_row(
    header: &Header,
    record: &StringRecord,
    line: u64,
    tz: Tz,
    wells: &WellIndex,
    ids: EntryIds,
) -> Result<PendingEntry, RowError> {
    let mut cells = Cells::new(header, record);
    let id = cells.optional(ID, parse_uuid);
    let well = cells.required(WELL, |raw| resolve_well(raw, wells));
    let recorded_at = cells.required(RECORDED_AT, |raw| parse_recorded_at(raw, tz));
    let oil_bbl = cells.required(OIL_BBL, parse_number);
    let gas_mcf = cells.required(GAS_MCF, parse_number);
    let water_bbl = cells.required(WATER_BBL, parse_number);
    let tubing_psig = cells.optional(TUBING_PSIG, parse_number);
    let casing_psig = cells.optional(CASING_PSIG, parse_number);
    let choke_64ths = cells.optional(CHOKE_64THS, parse_number);
    let hours_on = cells.required(HOURS_ON, parse_number);
    let downtime_reason = cells.optional(DOWNTIME_REASON, parse_downtime_reason);
    let source = cells.optional(SOURCE, parse_source).unwrap_or(EntrySource::Import);
    let is_correction = cells.optional(IS_CORRECTION, parse_bool).unwrap_or(false);

    let (Some((well_id, well_key)), Some(recorded_at), Some(oil_bbl), Some(gas_mcf), Some(water_bbl), Some(hours_on)) =
        (well, recorded_at, oil_bbl, gas_mcf, water_bbl, hours_on)
    else {
        return Err(RowError { row: line, id: id.map(EntryId), errors: cells.errors });
    };
    if !cells.errors.is_empty() {
        return Err(RowError { row: line, id: id.map(EntryId), errors: cells.errors });
    }
    let (id, identity) = match id {
        Some(id) => (EntryId(id), SAME_ID),
        None => (ids.id(&entry_key(&well_key, recorded_at)), SAME_READING),
    };
    Ok(PendingEntry {
        line,
        draft: FieldEntryDraft {
            id,
            well_id,
            recorded_at,
            oil_bbl,
            gas_mcf,
            water_bbl,
            tubing_psig,
            casing_psig,
            choke_64ths,
            hours_on,
            downtime_reason,
            source,
            is_correction,
        },
        columns: &COLUMNS,
        identity,
        wellbore: None,
    })
}

/// The natural key of a row without an `id`: `flowline:<well key>:<recorded_at in UTC, RFC 3339>`.
pub fn entry_key(well_key: &str, recorded_at: DateTime<Utc>) -> String {
    format!("flowline:{well_key}:{}", recorded_at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn parse_uuid(raw: &str) -> Result<Uuid, String> {
    Uuid::parse_str(raw).map_err(|_| format!("{raw:?} is not a UUID"))
}

/// The well a cell names (UUID or API number) and its key for entry ids (API digits, else the UUID).
fn resolve_well(raw: &str, wells: &WellIndex) -> Result<(WellId, String), String> {
    if let Ok(uuid) = Uuid::parse_str(raw) {
        let id = WellId(uuid);
        return match wells.by_id.get(&id) {
            Some(Some(api)) => Ok((id, api.digits())),
            Some(None) => Ok((id, id.to_string())),
            None => Err(format!("no well with id {id} in this tenant")),
        };
    }
    match ApiNumber::parse(raw) {
        Ok(api) => match wells.by_api.get(&api) {
            Some(id) => Ok((*id, api.digits())),
            None => Err(format!("no well with API number {api} in this tenant")),
        },
        Err(message) => Err(format!("{raw:?} is neither a well id (UUID) nor an API number: {message}")),
    }
}

/// An RFC 3339 instant, or a date meaning noon of that day in the tenant's zone.
pub fn parse_recorded_at(raw: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return noon_of(date, tz).ok_or_else(|| format!("noon of {date} does not exist in {tz}"));
    }
    Err(format!(
        "{raw:?} is neither an RFC 3339 instant with a UTC offset (2024-03-10T07:00:00-05:00) nor a date (2024-03-10)"
    ))
}

fn parse_downtime_reason(raw: &str) -> Result<DowntimeReason, String> {
    raw.to_ascii_lowercase().parse::<DowntimeReason>().map_err(|e| {
        let all: Vec<&str> = DowntimeReason::ALL.iter().map(|r| r.as_str()).collect();
        format!("{e}: expected one of {}", all.join(", "))
    })
}

fn parse_source(raw: &str) -> Result<EntrySource, String> {
    raw.to_ascii_lowercase().parse::<EntrySource>().map_err(|e| {
        let all: Vec<&str> = EntrySource::ALL.iter().map(|s| s.as_str()).collect();
        format!("{e}: expected one of {}", all.join(", "))
    })
}

fn parse_bool(raw: &str) -> Result<bool, String> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("{raw:?} is not true, false, 1 or 0")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowline_shared::TenantId;

    const CHICAGO: Tz = chrono_tz::America::Chicago;

    fn api(s: &str) -> ApiNumber {
        ApiNumber::parse(s).unwrap()
    }

    fn wells() -> WellIndex {
        let mut w = WellIndex::default();
        let a = WellId(Uuid::from_u128(0xa));
        let b = WellId(Uuid::from_u128(0xb));
        w.by_id.insert(a, Some(api("42-317-12345")));
        w.by_api.insert(api("42-317-12345"), a);
        w.by_id.insert(b, None);
        w.by_name_without_api.insert("15/9-F-12".into(), b);
        w
    }

    fn ids() -> EntryIds {
        EntryIds::for_tenant(TenantId(Uuid::from_u128(7)))
    }

    fn parse_text(text: &str) -> Result<ParsedFile, ImportError> {
        parse(text, CHICAGO, &wells(), ids())
    }

    #[test]
    fn parses_every_column_kind() {
        let text = "\u{feff}ID, Well ,recorded_at,oil_bbl,gas_mcf,water_bbl,tubing_psig,casing_psig,choke_64ths,hours_on,downtime_reason,source,is_correction\n\
            0191a7c4-0000-7000-8000-000000000001,42317123450000,2024-03-10T07:00:00-05:00,120.5,310,42,350.5,610,32,24,,scada,0\n\
            ,00000000-0000-0000-0000-00000000000b,2024-03-10,-1.5,0,0,,,,6,Mechanical,,TRUE\n";
        let file = parse_text(text).unwrap();
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(file.rows, 2);
        let a = &file.entries[0].draft;
        assert_eq!(a.id, EntryId(Uuid::parse_str("0191a7c4-0000-7000-8000-000000000001").unwrap()));
        assert_eq!(a.well_id, WellId(Uuid::from_u128(0xa)));
        assert_eq!(a.recorded_at, "2024-03-10T12:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!((a.oil_bbl, a.gas_mcf, a.water_bbl, a.hours_on), (120.5, 310.0, 42.0, 24.0));
        assert_eq!((a.tubing_psig, a.casing_psig, a.choke_64ths), (Some(350.5), Some(610.0), Some(32.0)));
        assert_eq!((a.downtime_reason, a.source, a.is_correction), (None, EntrySource::Scada, false));
        assert_eq!(file.entries[0].line, 2);

        let b = &file.entries[1].draft;
        assert_eq!(b.well_id, WellId(Uuid::from_u128(0xb)));
        // 2024-03-10 is the day daylight saving time starts in Chicago; noon is CDT (UTC-5).
        assert_eq!(b.recorded_at, "2024-03-10T17:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!((b.tubing_psig, b.casing_psig, b.choke_64ths), (None, None, None));
        assert_eq!(b.downtime_reason, Some(DowntimeReason::Mechanical));
        assert_eq!(b.source, EntrySource::Import, "blank source defaults to import");
        assert!(b.is_correction);
        assert_eq!(b.id, ids().id("flowline:00000000-0000-0000-0000-00000000000b:2024-03-10T17:00:00Z"));
    }

    #[test]
    fn date_only_is_noon_in_the_tenant_zone() {
        let t = parse_recorded_at("2024-01-15", CHICAGO).unwrap();
        assert_eq!(t, "2024-01-15T18:00:00Z".parse::<DateTime<Utc>>().unwrap());
        let oslo = parse_recorded_at("2024-07-01", chrono_tz::Europe::Oslo).unwrap();
        assert_eq!(oslo, "2024-07-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert!(parse_recorded_at("2024-03-10T12:00:00", CHICAGO).is_err(), "an instant needs its offset");
        assert!(parse_recorded_at("10/03/2024", CHICAGO).is_err());
    }

    #[test]
    fn api_number_in_any_form_gives_the_same_well_and_entry_id() {
        let text = "well,recorded_at,oil_bbl,gas_mcf,water_bbl,hours_on\n\
            42-317-12345,2024-03-10T12:00:00Z,1,1,1,24\n\
            4231712345,2024-03-11T12:00:00Z,1,1,1,24\n\
            00000000-0000-0000-0000-00000000000a,2024-03-12T12:00:00Z,1,1,1,24\n";
        let file = parse_text(text).unwrap();
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let a = WellId(Uuid::from_u128(0xa));
        assert!(file.entries.iter().all(|e| e.draft.well_id == a));
        assert_eq!(file.entries[2].draft.id, ids().id("flowline:42317123450000:2024-03-12T12:00:00Z"));
    }

    #[test]
    fn missing_required_and_unknown_columns_are_named() {
        let Err(ImportError::Format(msg)) =
            parse_text("well,recorded_at,oil_bbl,gas_mcf,hours_on,oil_bopd,\n1,2,3,4,5,6,\n")
        else {
            panic!("expected a format error");
        };
        assert!(msg.contains("missing required columns: water_bbl"), "{msg}");
        assert!(msg.contains("unknown columns: \"oil_bopd\", an unnamed column (column 7)"), "{msg}");

        let Err(ImportError::Format(msg)) = parse_text("well,recorded_at,oil_bbl,gas_mcf,water_bbl,hours_on,OIL_BBL\n")
        else {
            panic!("expected a format error");
        };
        assert!(msg.contains("more than once: oil_bbl"), "{msg}");

        // A file without a header: its first data line is read as one.
        let Err(ImportError::Format(msg)) = parse_text("42-317-12345,2024-03-10,1,1,1,24\n") else {
            panic!("expected a format error");
        };
        assert!(msg.starts_with("line 1 must be a header"), "{msg}");
    }

    #[test]
    fn header_without_rows_is_a_format_error() {
        assert!(matches!(
            parse_text("well,recorded_at,oil_bbl,gas_mcf,water_bbl,hours_on\n"),
            Err(ImportError::Format(m)) if m.contains("no data rows")
        ));
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_line_and_column() {
        let text = "well,recorded_at,oil_bbl,gas_mcf,water_bbl,hours_on,choke_64ths,downtime_reason,is_correction,id\n\
            42-317-12345,2024-03-10,1,1,1,24,,,,\n\
            42-317-99999,yesterday,abc,NaN,,24,x,broken,maybe,not-a-uuid\n\
            \n\
            42-317-12345,2024-03-11,1,1,1,24,,,\n";
        let file = parse_text(text).unwrap();
        assert_eq!(file.rows, 3);
        assert_eq!(file.entries.len(), 1);
        assert_eq!(file.errors.len(), 2, "{:?}", file.errors);
        let bad = &file.errors[0];
        assert_eq!(bad.row, 3);
        let fields: Vec<&str> = bad.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [ID, WELL, RECORDED_AT, OIL_BBL, GAS_MCF, WATER_BBL, CHOKE_64THS, DOWNTIME_REASON, IS_CORRECTION]
        );
        assert!(bad.errors[1].message.contains("no well with API number 42-317-99999-00-00"), "{:?}", bad.errors[1]);
        assert_eq!(bad.errors[5].message, "is required");
        // The blank line 4 is skipped by the reader, and the short row is on line 5.
        assert_eq!(file.errors[1].row, 5);
        assert_eq!(file.errors[1].errors[0].field, "row");
    }

    #[test]
    fn line_numbers_count_blank_lines_crlf_and_quoted_newlines() {
        let text = "well,recorded_at,oil_bbl,gas_mcf,water_bbl,hours_on,downtime_reason\r\n\
            \r\n\
            42-317-12345,2024-03-10,1,1,1,24,\"bad\r\nreason\"\r\n\
            \r\n\
            \r\n\
            42-317-12345,2024-03-11,x,1,1,24,\r\n";
        let file = parse_text(text).unwrap();
        let lines: Vec<u64> = file.errors.iter().map(|e| e.row).collect();
        assert_eq!(lines, [3, 7]);
        assert_eq!(file.rows, 2);
    }

    #[test]
    fn unknown_well_id_is_a_row_error() {
        let text = "well,recorded_at,oil_bbl,gas_mcf,water_bbl,hours_on\n\
            00000000-0000-0000-0000-0000000000ff,2024-03-10,1,1,1,24\n";
        let file = parse_text(text).unwrap();
        assert_eq!(file.errors[0].row, 2);
        assert_eq!(file.errors[0].errors[0].field, WELL);
        assert!(file.errors[0].errors[0].message.starts_with("no well with id"));
    }

    #[test]
    fn ids_are_deterministic() {
        let text = "well,recorded_at,oil_bbl,gas_mcf,water_bbl,hours_on\n\
            42-317-12345,2024-03-10,1,1,1,24\n42-317-12345,2024-03-11,1,1,1,24\n";
        let first: Vec<EntryId> = parse_text(text).unwrap().entries.iter().map(|e| e.draft.id).collect();
        let second: Vec<EntryId> = parse_text(text).unwrap().entries.iter().map(|e| e.draft.id).collect();
        assert_eq!(first, second);
        assert_ne!(first[0], first[1]);
        let other_tenant = EntryIds::for_tenant(TenantId(Uuid::from_u128(8)));
        let third = parse(text, CHICAGO, &wells(), other_tenant).unwrap();
        assert_ne!(third.entries[0].draft.id, first[0], "ids are scoped to the tenant");
    }

    #[test]
    fn bool_and_enum_cells() {
        for (raw, want) in
            [("true", true), ("TRUE", true), ("1", true), ("false", false), ("False", false), ("0", false)]
        {
            assert_eq!(parse_bool(raw), Ok(want), "{raw}");
        }
        assert!(parse_bool("yes").is_err());
        assert_eq!(parse_downtime_reason("planned_maintenance"), Ok(DowntimeReason::PlannedMaintenance));
        assert!(parse_downtime_reason("planned maintenance").unwrap_err().contains("expected one of mechanical"));
        assert_eq!(parse_source("SCADA"), Ok(EntrySource::Scada));
        assert!(parse_number("1,5").is_err());
        assert!(parse_number("inf").is_err());
        assert_eq!(parse_number("-0.95"), Ok(-0.95));
    }
}
