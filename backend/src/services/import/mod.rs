//! CSV import of field entries, for `POST /api/v1/field-entries/import` and `flowline-server import`.
//!
//! Two dialects ([`ImportFormat`]): Flowline's own columns (see [`flowline_csv`] for the column table) and the
//! Volve daily production export of Equinor (see [`volve_csv`] for the column mapping, the unit conversions and
//! how each quirk of the real data is handled).
//!
//! # All or nothing
//! An import runs in this order and stores nothing unless every row is valid:
//! 1. Decode: the file must be UTF-8 text (a leading byte-order mark, as Excel writes it, is dropped) whose first
//!    line is a header naming the columns. A missing required column, an unknown or repeated column, a file that is
//!    not UTF-8 or one without data rows is an [`ImportError::Format`].
//! 2. Parse every row into a field entry, collecting every bad row: which line (1-based, the header is line 1),
//!    which column and why.
//! 3. Check every entry with the domain rules ([`FieldEntry::new`]: ranges, negative volumes only on corrections,
//!    at most 25 hours on), that it is not stamped more than [`MAX_FUTURE_SKEW`] ahead, that its well exists and
//!    that no two rows of the file give the same entry. Any failure: [`ImportError::Invalid`] with every bad row.
//! 4. Volve only: create the wells the tenant does not have yet, in one transaction.
//! 5. Validate every chunk of [`MAX_BATCH`] entries through [`IngestService::validate`] (the single ingest path),
//!    all of them before the first write; then store the chunks one transaction each, reporting progress.
//!    Step 3 already checked everything step 5 checks, so step 5 fails only on a concurrent change (a well deleted
//!    meanwhile); the wells created in step 4 then stay, and no entry is stored.
//!
//! A file of more than [`MAX_BATCH`] entries is therefore stored in several transactions. Because everything was
//! validated first, only a database failure between two chunks can leave part of a file stored; running the same
//! import again then completes it (the rows already stored count as duplicates, see below).
//!
//! # Entry ids and re-imports
//! A Flowline row with an `id` keeps it. Every other row gets a deterministic id: a UUID v5 of the row's natural key
//! (`flowline:<well key>:<recorded_at>` or `volve:<WELL_BORE_CODE>:<DATEPRD>`, see the format modules) under a
//! namespace derived from the tenant ([`EntryIds`]). Importing the same file twice is harmless: the second time every
//! row is a duplicate. The namespace is per tenant because entry ids are unique across the whole store: with a
//! tenant-independent id, a second tenant importing the public Volve file would find every row "already stored" by
//! the first tenant (and learn that the first tenant has it).

mod datum;
pub mod flowline_csv;
pub mod volve_csv;

use super::Deps;
use super::ingest::{IngestError, IngestService, MAX_BATCH, MAX_FUTURE_SKEW};
use crate::ports::{PageRequest, Storage, StorageError, StorageResult, WellFilter};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use csv::StringRecord;
use flowline_shared::dto::{ImportFormat, ImportResponse, RowError};
use flowline_shared::{ApiNumber, EntryId, FieldEntry, FieldEntryDraft, FieldError, TenantId, WellId};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Every bad row of the file (ordered by line); nothing was stored.
    #[error("{} rows of the file are invalid; nothing was imported", .0.len())]
    Invalid(Vec<RowError>),
    /// The file as a whole is unreadable: not UTF-8, empty, no data rows, or a header with missing, unknown or
    /// repeated columns. Nothing was stored.
    #[error("{0}")]
    Format(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
}

/// The fixed namespace of import entry ids (a random UUID chosen once; never change it, or re-imports stop being
/// recognised as duplicates).
pub const FLOWLINE_IMPORT_NAMESPACE: Uuid = Uuid::from_u128(0x6c1f_3a52_8e0b_4d7e_9a41_5f2c_b8d9_0e17);

/// Derives the deterministic entry ids of one tenant's imports: UUID v5 of a row's natural key under the namespace
/// UUID v5(FLOWLINE_IMPORT_NAMESPACE, tenant id bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryIds {
    namespace: Uuid,
}

impl EntryIds {
    pub fn for_tenant(tenant: TenantId) -> Self {
        Self { namespace: Uuid::new_v5(&FLOWLINE_IMPORT_NAMESPACE, tenant.0.as_bytes()) }
    }

    /// The id of the entry with this natural key.
    pub fn id(&self, key: &str) -> EntryId {
        EntryId(Uuid::new_v5(&self.namespace, key.as_bytes()))
    }
}

/// Imports CSV files through the ingest path.
#[derive(Clone)]
pub struct ImportService {
    deps: Deps,
    ingest: IngestService,
}

impl ImportService {
    pub fn new(deps: Deps, ingest: IngestService) -> Self {
        Self { deps, ingest }
    }

    /// Parses and validates the whole file first; stores nothing unless every row is valid (see the module doc).
    /// Then writes through [`IngestService::validate`] and `insert_entries` in chunks of [`MAX_BATCH`].
    ///
    /// `progress(done, total)` counts entries written: it is called with `(0, total)` once everything is
    /// validated, then after each chunk; `total` is the number of entries to store (data rows minus skipped rows).
    /// It is not called when the import fails validation.
    pub async fn import(
        &self,
        tenant: TenantId,
        format: ImportFormat,
        csv: &[u8],
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<ImportResponse, ImportError> {
        let text = decode(csv)?;
        let storage = self.deps.storage.as_ref();
        let tenant_row = storage
            .tenant_by_id(tenant)
            .await?
            .ok_or_else(|| StorageError::NotFound(format!("tenant {}", tenant.0)))?;
        let tz = tenant_row.time_zone;
        let ids = EntryIds::for_tenant(tenant);
        let wells = WellIndex::load(storage, tenant).await?;

        let (parsed, volve) = match format {
            ImportFormat::Flowline => (flowline_csv::parse(text, tz, &wells, ids)?, None),
            ImportFormat::Volve => {
                let file = volve_csv::parse(text, tz, ids)?;
                (file.parsed, Some((file.wellbores, file.last_date)))
            }
        };
        let ParsedFile { rows, skipped, mut entries, errors } = parsed;
        let mut errors = prevalidate(errors, &entries, self.deps.clock.now());

        // Volve: which wells exist, which must be created (validated here, created only once all rows passed).
        let mut to_create = Vec::new();
        let mut wellbore_ids: Vec<Option<WellId>> = Vec::new();
        if let Some((wellbores, last_date)) = &volve {
            for plan in wellbores {
                let existing = wells.by_name_without_api.get(plan.name.as_str()).copied();
                wellbore_ids.push(existing);
                if existing.is_none() && plan.has_entries {
                    match plan.new_well(*last_date) {
                        Ok(well) => to_create.push((wellbore_ids.len() - 1, well)),
                        Err(field_errors) => errors.push(RowError {
                            row: plan.first_line,
                            id: None,
                            errors: field_errors
                                .0
                                .into_iter()
                                .map(|e| volve_csv::well_field_error(e, &plan.name))
                                .collect(),
                        }),
                    }
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row);
            return Err(ImportError::Invalid(errors));
        }
        let mut response = ImportResponse { rows, skipped, ..ImportResponse::default() };
        if entries.is_empty() {
            return Ok(response);
        }

        if !to_create.is_empty() {
            let new_wells: Vec<_> = to_create.iter().map(|(_, w)| w.clone()).collect();
            let created = storage.create_wells(tenant, &new_wells, self.deps.clock.now()).await?;
            if created.len() != to_create.len() {
                return Err(StorageError::Unavailable(format!(
                    "asked to create {} wells, storage returned {}",
                    to_create.len(),
                    created.len()
                ))
                .into());
            }
            for ((index, _), well) in to_create.iter().zip(&created) {
                if let Some(slot) = wellbore_ids.get_mut(*index) {
                    *slot = Some(well.id);
                }
            }
            response.wells_created = created.len() as u64;
            tracing::info!(tenant = %tenant.0, wells = created.len(), "import created wells");
        }
        for entry in &mut entries {
            if let Some(index) = entry.wellbore
                && let Some(Some(id)) = wellbore_ids.get(index)
            {
                entry.draft.well_id = *id;
            }
        }

        // Validate every chunk through the ingest path before writing the first one.
        let mut validated = Vec::with_capacity(entries.len().div_ceil(MAX_BATCH));
        let mut row_errors = Vec::new();
        for chunk in entries.chunks(MAX_BATCH) {
            let drafts = chunk.iter().map(|e| e.draft.clone()).collect();
            match self.ingest.validate(tenant, drafts).await {
                Ok(valid) => validated.push(valid),
                Err(IngestError::Invalid(bad)) => {
                    row_errors.extend(bad.into_iter().map(|e| relabel(chunk, e)));
                }
                Err(IngestError::Storage(e)) => return Err(ImportError::Storage(e)),
                Err(other) => return Err(ImportError::Ingest(other)),
            }
        }
        if !row_errors.is_empty() {
            row_errors.sort_by_key(|e| e.row);
            return Err(ImportError::Invalid(row_errors));
        }
        drop(entries);

        let total: u64 = validated.iter().map(|c| c.len() as u64).sum();
        progress(0, total);
        let mut done = 0;
        let mut failed = None;
        for chunk in &validated {
            match storage.insert_entries(tenant, chunk).await {
                Ok(outcome) => {
                    response.accepted += outcome.inserted;
                    response.duplicates += outcome.duplicates;
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
            done += chunk.len() as u64;
            progress(done, total);
        }
        // The chunks stored before a failure stay stored (see the module doc): the caches must learn of them too.
        if response.accepted > 0 || response.wells_created > 0 {
            self.ingest.readings_stored(tenant).await;
        }
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(response),
        }
    }
}

/// The whole file as text, or why it cannot be read.
fn decode(csv: &[u8]) -> Result<&str, ImportError> {
    let text = match std::str::from_utf8(csv) {
        Ok(text) => text,
        Err(e) => {
            let valid = csv.get(..e.valid_up_to()).unwrap_or_default();
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            return Err(ImportError::Format(format!(
                "the file is not UTF-8 text (first invalid byte on line {line}); save it as CSV UTF-8"
            )));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ImportError::Format("the file is empty".into()));
    }
    Ok(text)
}

/// A CSV reader with the settings both dialects use: header row, cells trimmed, rows of any length (a row with the
/// wrong number of cells is reported as a row error, not a format error).
fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes())
}

/// The columns of a header, by normalised name.
pub(crate) struct Header {
    index: HashMap<&'static str, usize>,
    len: usize,
}

impl Header {
    /// Reads the header: every required column present, no unknown or repeated column. `normalise` maps a header
    /// cell to the spelling of `required`/`optional` (case folding).
    pub(crate) fn read(
        headers: &StringRecord,
        required: &[&'static str],
        optional: &[&'static str],
        normalise: fn(&str) -> String,
    ) -> Result<Self, ImportError> {
        let mut index = HashMap::new();
        let mut unknown = Vec::new();
        let mut repeated = Vec::new();
        for (i, raw) in headers.iter().enumerate() {
            let name = normalise(raw.trim_start_matches('\u{feff}').trim());
            match required.iter().chain(optional).find(|known| **known == name) {
                Some(known) => {
                    if index.insert(*known, i).is_some() {
                        repeated.push(*known);
                    }
                }
                None if name.is_empty() => unknown.push(format!("an unnamed column (column {})", i + 1)),
                None => unknown.push(format!("{raw:?}")),
            }
        }
        let missing: Vec<&str> = required.iter().copied().filter(|c| !index.contains_key(c)).collect();
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("missing required columns: {}", missing.join(", ")));
        }
        if !unknown.is_empty() {
            problems.push(format!("unknown columns: {}", unknown.join(", ")));
        }
        if !repeated.is_empty() {
            problems.push(format!("columns given more than once: {}", repeated.join(", ")));
        }
        if problems.is_empty() {
            Ok(Self { index, len: headers.len() })
        } else {
            let mut accepted: Vec<&str> = required.to_vec();
            accepted.extend(optional);
            Err(ImportError::Format(format!(
                "line 1 must be a header naming the columns: {}. Accepted columns: {}",
                problems.join("; "),
                accepted.join(", ")
            )))
        }
    }

    /// The trimmed cell of `column`, `None` when the column is absent or the cell blank.
    pub(crate) fn cell<'r>(&self, record: &'r StringRecord, column: &str) -> Option<&'r str> {
        let i = *self.index.get(column)?;
        record.get(i).map(str::trim).filter(|s| !s.is_empty())
    }

    /// A row error when the record has a different number of cells than the header.
    pub(crate) fn check_width(&self, record: &StringRecord) -> Option<FieldError> {
        (record.len() != self.len).then(|| {
            FieldError::new("row", format!("has {} cells but the header has {} columns", record.len(), self.len))
        })
    }
}

/// Line numbers of a text by byte offset. The CSV reader's own line count leaves out blank lines, so lines are
/// counted here from the record's byte offset.
struct Lines<'t> {
    text: &'t [u8],
    newlines: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let text = text.as_bytes();
        Self { text, newlines: text.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect() }
    }

    /// The 1-based line on which the record at `byte` starts (blank lines before it skipped).
    fn line_at(&self, byte: u64) -> u64 {
        let start = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        let blank =
            self.text.get(start..).unwrap_or_default().iter().take_while(|b| matches!(b, b'\n' | b'\r')).count();
        self.newlines.partition_point(|n| *n < start + blank) as u64 + 1
    }
}

/// Reads every record of `text` (the reader's input), handing each with its line number to `row`; the row errors
/// it returns and CSV syntax errors are collected in `errors`. Returns the number of data rows.
pub(crate) fn for_each_record(
    text: &str,
    reader: &mut csv::Reader<&[u8]>,
    errors: &mut Vec<RowError>,
    mut row: impl FnMut(u64, &StringRecord) -> Option<RowError>,
) -> Result<u64, ImportError> {
    let lines = Lines::new(text);
    let mut record = StringRecord::new();
    let mut rows = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                rows += 1;
                let line = record.position().map_or(rows + 1, |p| lines.line_at(p.byte()));
                errors.extend(row(line, &record));
            }
            Err(e) => {
                rows += 1;
                match e.position() {
                    Some(pos) => errors.push(RowError {
                        row: lines.line_at(pos.byte()),
                        id: None,
                        errors: vec![FieldError::new("row", format!("is not valid CSV: {e}"))],
                    }),
                    None => return Err(ImportError::Format(format!("the file is not valid CSV: {e}"))),
                }
            }
        }
    }
    if rows == 0 {
        return Err(ImportError::Format("the file has a header but no data rows".into()));
    }
    Ok(rows)
}

/// Reads the cells of one row, collecting every error of the row.
pub(crate) struct Cells<'a> {
    pub header: &'a Header,
    pub record: &'a StringRecord,
    pub errors: Vec<FieldError>,
}

impl<'a> Cells<'a> {
    /// Starts a row; a row with the wrong number of cells is an error of column `row`.
    pub(crate) fn new(header: &'a Header, record: &'a StringRecord) -> Self {
        Self { header, record, errors: header.check_width(record).into_iter().collect() }
    }

    /// The parsed cell; `None` when blank, absent or invalid (then the error is recorded).
    pub(crate) fn optional<T>(&mut self, column: &str, parse: impl FnOnce(&'a str) -> Result<T, String>) -> Option<T> {
        let raw = self.header.cell(self.record, column)?;
        match parse(raw) {
            Ok(v) => Some(v),
            Err(message) => {
                self.errors.push(FieldError::new(column, message));
                None
            }
        }
    }

    /// As `optional`, and a blank cell is an error.
    pub(crate) fn required<T>(&mut self, column: &str, parse: impl FnOnce(&'a str) -> Result<T, String>) -> Option<T> {
        if self.header.cell(self.record, column).is_none() {
            self.errors.push(FieldError::new(column, "is required"));
            return None;
        }
        self.optional(column, parse)
    }
}

/// A number cell: finite, plain decimal notation (as `f64` parses it).
pub(crate) fn parse_number(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("{raw:?} is not a finite number")),
        Err(_) => Err(format!("{raw:?} is not a number")),
    }
}

/// Noon of `date` in `tz`, as an instant (the stamp of a whole production day).
pub(crate) fn noon_of(date: NaiveDate, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let noon = date.and_hms_opt(12, 0, 0)?;
    tz.from_local_datetime(&noon).earliest().map(|t| t.with_timezone(&Utc))
}

/// The CSV column each draft field came from, to name it in error messages.
#[derive(Debug)]
pub(crate) struct ColumnNames {
    pub id: &'static str,
    pub well_id: &'static str,
    pub recorded_at: &'static str,
    pub oil_bbl: &'static str,
    pub gas_mcf: &'static str,
    pub water_bbl: &'static str,
    pub tubing_psig: &'static str,
    pub casing_psig: &'static str,
    pub choke_64ths: &'static str,
    pub hours_on: &'static str,
    /// Volumes and pressures were converted from other units: say so beside a converted value.
    pub converted: bool,
}

impl ColumnNames {
    pub(crate) fn rename(&self, e: FieldError) -> FieldError {
        let (column, converted) = match e.field.as_str() {
            "id" => (self.id, false),
            "well_id" => (self.well_id, false),
            "recorded_at" => (self.recorded_at, false),
            "oil_bbl" => (self.oil_bbl, true),
            "gas_mcf" => (self.gas_mcf, true),
            "water_bbl" => (self.water_bbl, true),
            "tubing_psig" => (self.tubing_psig, true),
            "casing_psig" => (self.casing_psig, true),
            "choke_64ths" => (self.choke_64ths, false),
            "hours_on" => (self.hours_on, false),
            _ => return e,
        };
        let message = if converted && self.converted {
            format!("{} (value after conversion to bbl, Mcf or psig)", e.message)
        } else {
            e.message
        };
        FieldError { field: column.to_owned(), message }
    }
}

/// One data row turned into an entry, waiting for validation.
#[derive(Debug)]
pub(crate) struct PendingEntry {
    /// Line of the file (1-based, header = 1).
    pub line: u64,
    pub draft: FieldEntryDraft,
    pub columns: &'static ColumnNames,
    /// What makes two rows the same entry, for the duplicate message ("the same well and recorded_at").
    pub identity: &'static str,
    /// Volve: index of the row's wellbore in `VolveFile::wellbores`; its well id is filled in once the wells exist.
    pub wellbore: Option<usize>,
}

/// A parsed file: entries to store and every bad row.
#[derive(Debug, Default)]
pub(crate) struct ParsedFile {
    /// Data rows read (the header excluded).
    pub rows: u64,
    /// Rows that carry no record and are left out on purpose.
    pub skipped: u64,
    pub entries: Vec<PendingEntry>,
    pub errors: Vec<RowError>,
}

/// Domain rules, future stamps and duplicate rows, checked on every entry before anything is written. Returns the
/// parse errors and these, ordered by line (one `RowError` per line).
fn prevalidate(mut errors: Vec<RowError>, entries: &[PendingEntry], now: DateTime<Utc>) -> Vec<RowError> {
    let latest_allowed = now + MAX_FUTURE_SKEW;
    let mut first_line: HashMap<EntryId, u64> = HashMap::with_capacity(entries.len());
    for entry in entries {
        let mut problems = Vec::new();
        match first_line.entry(entry.draft.id) {
            Entry::Occupied(first) => problems.push(FieldError::new(
                entry.columns.id,
                format!("duplicate of line {}: {}", first.get(), entry.identity),
            )),
            Entry::Vacant(slot) => {
                slot.insert(entry.line);
            }
        }
        if entry.draft.recorded_at > latest_allowed {
            problems.push(FieldError::new(entry.columns.recorded_at, "is more than 24 hours in the future"));
        }
        if let Err(field_errors) = FieldEntry::new(entry.draft.clone()) {
            problems.extend(field_errors.0.into_iter().map(|e| entry.columns.rename(e)));
        }
        if !problems.is_empty() {
            errors.push(RowError { row: entry.line, id: Some(entry.draft.id), errors: problems });
        }
    }
    errors.sort_by_key(|e| e.row);
    errors
}

/// An ingest row error (0-based index in `chunk`) as a file row error (line, CSV column names).
fn relabel(chunk: &[PendingEntry], e: RowError) -> RowError {
    match usize::try_from(e.row).ok().and_then(|i| chunk.get(i)) {
        Some(entry) => RowError {
            row: entry.line,
            id: e.id,
            errors: e.errors.into_iter().map(|f| entry.columns.rename(f)).collect(),
        },
        None => e,
    }
}

/// The tenant's wells, indexed the ways an import names them.
#[derive(Debug, Default)]
pub(crate) struct WellIndex {
    /// Every well of the tenant with its API number, if any.
    pub by_id: HashMap<WellId, Option<ApiNumber>>,
    pub by_api: HashMap<ApiNumber, WellId>,
    /// Wells without an API number (Volve wellbores), by name; the first by (name, id) wins.
    pub by_name_without_api: HashMap<String, WellId>,
}

/// Page size used to read the whole well list.
const WELL_PAGE: u32 = 1000;

impl WellIndex {
    pub(crate) async fn load(storage: &dyn Storage, tenant: TenantId) -> StorageResult<Self> {
        let mut index = Self::default();
        let mut offset = 0u64;
        let mut seen = HashSet::new();
        loop {
            let page = PageRequest { limit: WELL_PAGE, offset };
            let (wells, total) = storage.list_wells(tenant, &WellFilter::default(), page).await?;
            let n = wells.len() as u64;
            for w in wells.into_iter().map(|w| w.well) {
                if !seen.insert(w.id) {
                    continue;
                }
                match &w.api_number {
                    Some(api) => {
                        index.by_api.entry(api.clone()).or_insert(w.id);
                    }
                    None => {
                        index.by_name_without_api.entry(w.name.clone()).or_insert(w.id);
                    }
                }
                index.by_id.insert(w.id, w.api_number);
            }
            offset += n;
            if n == 0 || offset >= total {
                break;
            }
        }
        Ok(index)
    }
}

#[cfg(test)]
mod tests;
