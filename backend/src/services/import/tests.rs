//! Import service tests against the in-memory fake of the storage port (the lead's integration tests cover the real
//! SQLite and PostgreSQL adapters).

use super::*;
use crate::ports::{EntryRepository, SystemClock};
use crate::services::memory_storage::FakeStorage;
use flowline_shared::{NewWell, WellPatch, WellStatus, WellType};
use std::sync::{Arc, Mutex};

const EXCERPT: &[u8] = include_bytes!("../../../tests/fixtures/volve_daily_excerpt.csv");
const FLOWLINE_GOOD: &[u8] = include_bytes!("../../../tests/fixtures/flowline_good.csv");
const FLOWLINE_BAD_ROW: &[u8] = include_bytes!("../../../tests/fixtures/flowline_bad_row.csv");

fn service(tz: chrono_tz::Tz) -> (ImportService, Arc<FakeStorage>, TenantId) {
    let (fake, tenant) = FakeStorage::with_tenant(tz);
    let fake = Arc::new(fake);
    let deps = Deps { storage: fake.clone(), clock: Arc::new(SystemClock) };
    (ImportService::new(deps.clone(), IngestService::new(deps)), fake, tenant)
}

fn add_texas_wells(fake: &FakeStorage, tenant: TenantId) {
    for (api, name) in [("42-317-12345", "Midland 12-1H"), ("42-317-12346", "Midland 12-2H")] {
        let well = NewWell::parse(&WellPatch {
            api_number: Some(api.into()),
            name: Some(name.into()),
            well_type: Some(WellType::Oil),
            ..WellPatch::default()
        })
        .unwrap();
        fake.add_well(tenant, &well);
    }
}

fn no_progress(_: u64, _: u64) {}

fn full_volve_file() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/volve/volve_daily.csv");
    std::fs::read(path).unwrap()
}

#[tokio::test]
async fn flowline_file_is_imported_and_a_second_import_is_all_duplicates() {
    let (svc, fake, tenant) = service(chrono_tz::America::Chicago);
    add_texas_wells(&fake, tenant);
    let first = svc.import(tenant, ImportFormat::Flowline, FLOWLINE_GOOD, &no_progress).await.unwrap();
    assert_eq!(first, ImportResponse { rows: 4, accepted: 4, duplicates: 0, skipped: 0, wells_created: 0 });
    let second = svc.import(tenant, ImportFormat::Flowline, FLOWLINE_GOOD, &no_progress).await.unwrap();
    assert_eq!(second, ImportResponse { rows: 4, accepted: 0, duplicates: 4, skipped: 0, wells_created: 0 });
    assert_eq!(fake.count_entries(tenant).await.unwrap(), 4);
}

#[tokio::test]
async fn a_bad_row_is_reported_with_its_line_and_nothing_is_stored() {
    let (svc, fake, tenant) = service(chrono_tz::America::Chicago);
    add_texas_wells(&fake, tenant);
    let err = svc.import(tenant, ImportFormat::Flowline, FLOWLINE_BAD_ROW, &no_progress).await.unwrap_err();
    let ImportError::Invalid(rows) = err else { panic!("expected row errors, got {err:?}") };
    // flowline_bad_row.csv: line 3 has a negative oil volume without is_correction, line 5 names an unknown well.
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].row, 3);
    assert_eq!(rows[0].errors[0].field, "oil_bbl");
    assert!(rows[0].errors[0].message.contains("negative"), "{:?}", rows[0].errors);
    assert!(rows[0].id.is_some());
    assert_eq!(rows[1].row, 5);
    assert_eq!(rows[1].errors[0].field, "well");
    assert_eq!(fake.count_entries(tenant).await.unwrap(), 0);
    assert_eq!(fake.lock().insert_calls, 0);
}

#[tokio::test]
async fn duplicate_and_future_rows_are_row_errors() {
    let (svc, fake, tenant) = service(chrono_tz::America::Chicago);
    add_texas_wells(&fake, tenant);
    let csv = "well,recorded_at,oil_bbl,gas_mcf,water_bbl,hours_on\n\
        42-317-12345,2024-03-10,1,1,1,24\n\
        4231712345,2024-03-10,2,2,2,24\n\
        42-317-12345,2100-01-01,1,1,1,24\n";
    let Err(ImportError::Invalid(rows)) =
        svc.import(tenant, ImportFormat::Flowline, csv.as_bytes(), &no_progress).await
    else {
        panic!("expected row errors");
    };
    assert_eq!(rows[0].row, 3);
    assert_eq!(rows[0].errors[0].message, "duplicate of line 2: the same well and recorded_at");
    assert_eq!(rows[1].row, 4);
    assert_eq!(rows[1].errors[0].field, "recorded_at");
    assert_eq!(fake.lock().insert_calls, 0);
}

#[tokio::test]
async fn unreadable_files_are_format_errors() {
    let (svc, _fake, tenant) = service(chrono_tz::America::Chicago);
    let latin1 = b"well,recorded_at,oil_bbl,gas_mcf,water_bbl,hours_on\n42-317-12345,2024-03-10,1,1,1,24 M\xc6RSK\n";
    for (input, expected) in [
        (&b""[..], "the file is empty"),
        (&b"  \n"[..], "the file is empty"),
        (&latin1[..], "not UTF-8 text (first invalid byte on line 2)"),
    ] {
        match svc.import(tenant, ImportFormat::Flowline, input, &no_progress).await {
            Err(ImportError::Format(m)) => assert!(m.contains(expected), "{m}"),
            other => panic!("expected a format error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn unknown_tenant_is_a_storage_not_found() {
    let (svc, _fake, _tenant) = service(chrono_tz::America::Chicago);
    let other = TenantId(uuid::Uuid::from_u128(1));
    let err = svc.import(other, ImportFormat::Flowline, FLOWLINE_GOOD, &no_progress).await.unwrap_err();
    assert!(matches!(err, ImportError::Storage(StorageError::NotFound(_))), "{err:?}");
}

#[tokio::test]
async fn volve_excerpt_creates_the_wells_once_and_reimports_as_duplicates() {
    let (svc, fake, tenant) = service(chrono_tz::America::Chicago);
    let first = svc.import(tenant, ImportFormat::Volve, EXCERPT, &no_progress).await.unwrap();
    assert_eq!(first, ImportResponse { rows: 200, accepted: 172, duplicates: 0, skipped: 28, wells_created: 7 });
    assert_eq!(fake.lock().create_wells_calls, 1);
    {
        let state = fake.lock();
        let f5 = state.wells.iter().find(|w| w.name == "15/9-F-5").unwrap();
        assert_eq!(f5.well_type, WellType::Injection);
        assert_eq!(f5.status, WellStatus::Inactive);
        assert_eq!(f5.api_number, None);
        assert!(f5.location.is_some());
        // Every entry points at the well of its wellbore.
        let f12 = state.wells.iter().find(|w| w.name == "15/9-F-12").unwrap();
        let id =
            EntryIds::for_tenant(tenant).id(&volve_csv::entry_key("NO 15/9-F-12 H", "2012-08-13".parse().unwrap()));
        let (_, entry) = state.entries.get(&id).unwrap();
        assert_eq!(entry.well_id, f12.id);
        assert!(entry.is_correction);
    }
    let second = svc.import(tenant, ImportFormat::Volve, EXCERPT, &no_progress).await.unwrap();
    assert_eq!(second, ImportResponse { rows: 200, accepted: 0, duplicates: 172, skipped: 28, wells_created: 0 });
    assert_eq!(fake.lock().wells.len(), 7);
}

#[tokio::test]
async fn volve_matches_existing_wells_by_name_without_api_number() {
    let (svc, fake, tenant) = service(chrono_tz::America::Chicago);
    let existing = fake.add_well(
        tenant,
        &NewWell::parse(&WellPatch {
            name: Some("15/9-F-12".into()),
            well_type: Some(WellType::Oil),
            ..WellPatch::default()
        })
        .unwrap(),
    );
    // Same name but with an API number: a different (US) well, not matched.
    fake.add_well(
        tenant,
        &NewWell::parse(&WellPatch {
            api_number: Some("42-317-12345".into()),
            name: Some("15/9-F-14".into()),
            well_type: Some(WellType::Oil),
            ..WellPatch::default()
        })
        .unwrap(),
    );
    let res = svc.import(tenant, ImportFormat::Volve, EXCERPT, &no_progress).await.unwrap();
    assert_eq!(res.wells_created, 6);
    let state = fake.lock();
    let on_existing = state.entries.values().filter(|(_, e)| e.well_id == existing.id).count();
    assert_eq!(on_existing, 33, "every 15/9-F-12 row of the excerpt is on the existing well");
}

#[tokio::test]
async fn volve_ids_are_scoped_to_the_tenant() {
    let (svc, fake, tenant) = service(chrono_tz::America::Chicago);
    svc.import(tenant, ImportFormat::Volve, EXCERPT, &no_progress).await.unwrap();
    let other = TenantId(uuid::Uuid::from_u128(0x99));
    {
        let mut state = fake.lock();
        let mut t = state.tenants[0].clone();
        t.id = other;
        t.time_zone = chrono_tz::Europe::Oslo;
        state.tenants.push(t);
    }
    let res = svc.import(other, ImportFormat::Volve, EXCERPT, &no_progress).await.unwrap();
    assert_eq!((res.accepted, res.duplicates, res.wells_created), (172, 0, 7));
}

#[tokio::test]
async fn full_volve_file_is_written_in_chunks_with_progress() {
    let (svc, fake, tenant) = service(chrono_tz::America::Chicago);
    let calls = Mutex::new(Vec::<(u64, u64)>::new());
    let progress = |done: u64, total: u64| calls.lock().unwrap().push((done, total));
    let res = svc.import(tenant, ImportFormat::Volve, &full_volve_file(), &progress).await.unwrap();
    assert_eq!(res, ImportResponse { rows: 15_634, accepted: 15_349, duplicates: 0, skipped: 285, wells_created: 7 });
    assert_eq!(fake.lock().insert_calls, 2, "MAX_BATCH is {MAX_BATCH}");
    assert_eq!(*calls.lock().unwrap(), [(0, 15_349), (10_000, 15_349), (15_349, 15_349)]);
}

#[tokio::test]
async fn a_bad_row_in_the_last_chunk_stores_nothing_not_even_wells() {
    let (svc, fake, tenant) = service(chrono_tz::America::Chicago);
    let text = String::from_utf8(full_volve_file()).unwrap();
    // The last row of the file (line 15,635, in the second chunk): make it 26 hours on.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let target = lines.len() - 1;
    let mut cells: Vec<&str> = lines[target].split(',').collect();
    assert_eq!((cells[0], cells[3], cells[8]), ("2016-09-18", "15/9-F-5", "0.0"));
    cells[8] = "26.0"; // ON_STREAM_HRS
    lines[target] = cells.join(",");
    let csv = lines.join("\n");
    let Err(ImportError::Invalid(rows)) = svc.import(tenant, ImportFormat::Volve, csv.as_bytes(), &no_progress).await
    else {
        panic!("expected row errors");
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row, 15_635);
    assert_eq!(rows[0].errors[0].field, "ON_STREAM_HRS");
    let state = fake.lock();
    assert_eq!((state.insert_calls, state.create_wells_calls, state.entries.len()), (0, 0, 0));
}

#[tokio::test]
async fn a_storage_failure_between_chunks_is_completed_by_running_again() {
    let (svc, fake, tenant) = service(chrono_tz::America::Chicago);
    fake.lock().fail_insert_call = Some(2);
    let file = full_volve_file();
    let err = svc.import(tenant, ImportFormat::Volve, &file, &no_progress).await.unwrap_err();
    assert!(matches!(err, ImportError::Storage(StorageError::Unavailable(_))), "{err:?}");
    assert_eq!(fake.count_entries(tenant).await.unwrap(), 10_000);
    let again = svc.import(tenant, ImportFormat::Volve, &file, &no_progress).await.unwrap();
    assert_eq!((again.accepted, again.duplicates, again.wells_created), (5_349, 10_000, 0));
}

#[test]
fn the_import_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let (svc, _fake, tenant) = service(chrono_tz::America::Chicago);
    let future = svc.import(tenant, ImportFormat::Flowline, FLOWLINE_GOOD, &no_progress);
    assert_send(&future);
}
