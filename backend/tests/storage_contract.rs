//! One contract for every storage adapter: each test below runs against SQLite and against PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, TimeZone, Utc};
use flowline_backend::ports::{EntryQuery, NewUser, PageRequest, Storage, StorageError, WellFilter};
use flowline_shared::{
    ApiNumber, Coordinates, EntryId, EntrySource, FieldEntry, FieldEntryDraft, NewWell, Role, TenantId, Username, Well,
    WellId, WellStatus, WellType,
};
use std::sync::Arc;
use uuid::Uuid;

type S = Arc<dyn Storage>;

fn new_well(name: &str, api: Option<&str>) -> NewWell {
    NewWell {
        api_number: api.map(|a| ApiNumber::parse(a).unwrap()),
        name: name.into(),
        well_type: WellType::Oil,
        status: WellStatus::Active,
        location: Some(Coordinates::new(31.9, -102.1).unwrap()),
        lease: Some("University 7".into()),
        field: Some("Spraberry".into()),
        county: Some("Midland".into()),
        state: Some("TX".into()),
        first_production_date: chrono::NaiveDate::from_ymd_opt(2023, 5, 1),
    }
}

fn entry(well: WellId, day: i64, oil: f64) -> FieldEntry {
    FieldEntry::new(FieldEntryDraft {
        id: EntryId(Uuid::now_v7()),
        well_id: well,
        recorded_at: Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap() + Duration::days(day),
        oil_bbl: oil,
        gas_mcf: oil * 2.5,
        water_bbl: 10.0,
        tubing_psig: Some(300.0),
        casing_psig: None,
        choke_64ths: Some(24.0),
        hours_on: 24.0,
        downtime_reason: None,
        source: EntrySource::Scada,
        is_correction: false,
    })
    .unwrap()
}

async fn well(storage: &S, tenant: TenantId, name: &str, api: Option<&str>) -> Well {
    storage.create_well(tenant, &new_well(name, api), Utc::now()).await.unwrap()
}

async fn migrations_are_idempotent(s: S) {
    assert_eq!(s.migrate().await.unwrap(), 0, "a second migrate applies nothing");
    s.ping().await.unwrap();
}

async fn tenants_are_unique_by_slug(s: S) {
    let t = common::tenant(&s).await;
    assert_eq!(s.tenant_by_slug(&t.slug).await.unwrap(), Some(t.clone()));
    assert_eq!(s.tenant_by_id(t.id).await.unwrap(), Some(t.clone()));
    let again = flowline_backend::ports::NewTenant { slug: t.slug.clone(), name: "x".into(), time_zone: t.time_zone };
    assert!(matches!(s.create_tenant(&again).await, Err(StorageError::Conflict(_))));
    assert_eq!(s.tenant_by_id(TenantId(Uuid::new_v4())).await.unwrap(), None);
}

async fn users_are_unique_per_tenant(s: S) {
    let t1 = common::tenant(&s).await;
    let t2 = common::tenant(&s).await;
    let user = |tenant| NewUser {
        tenant_id: tenant,
        username: Username::parse("ops").unwrap(),
        password_hash: "h1".into(),
        role: Role::Operator,
    };
    let created = s.create_user(&user(t1.id)).await.unwrap();
    assert_eq!(created.role, Role::Operator);
    assert!(matches!(s.create_user(&user(t1.id)).await, Err(StorageError::Conflict(_))));
    s.create_user(&user(t2.id)).await.unwrap();
    assert!(matches!(s.create_user(&user(TenantId(Uuid::new_v4()))).await, Err(StorageError::NotFound(_))));
    let creds = s.user_credentials(t1.id, &Username::parse("ops").unwrap()).await.unwrap().unwrap();
    assert_eq!(creds.password_hash, "h1");
    assert_eq!(creds.user.id, created.id);
    assert!(s.user_credentials(t1.id, &Username::parse("nobody").unwrap()).await.unwrap().is_none());
}

async fn wells_round_trip_and_stay_in_their_tenant(s: S) {
    let t1 = common::tenant(&s).await;
    let t2 = common::tenant(&s).await;
    let w = well(&s, t1.id, "Midland 1H", Some("42-329-00001")).await;
    assert_eq!(s.get_well(t1.id, w.id).await.unwrap(), Some(w.clone()));
    assert_eq!(s.get_well(t2.id, w.id).await.unwrap(), None, "another tenant cannot read it");
    // The same API number is a conflict in one tenant and fine in another.
    let dup = s.create_well(t1.id, &new_well("Other", Some("4232900001")), Utc::now()).await;
    assert!(matches!(dup, Err(StorageError::Conflict(_))));
    well(&s, t2.id, "Midland 1H", Some("42-329-00001")).await;
    // Wells without API numbers do not collide.
    well(&s, t1.id, "15/9-F-1 C", None).await;
    well(&s, t1.id, "15/9-F-11", None).await;
    let ids = s.existing_well_ids(t1.id, &[w.id, WellId(Uuid::new_v4())]).await.unwrap();
    assert_eq!(ids.len(), 1);
    assert!(s.existing_well_ids(t2.id, &[w.id]).await.unwrap().is_empty());
}

async fn create_wells_is_all_or_nothing(s: S) {
    let t = common::tenant(&s).await;
    let batch = [new_well("A", Some("42-329-00010")), new_well("B", Some("42-329-00010"))];
    assert!(matches!(s.create_wells(t.id, &batch, Utc::now()).await, Err(StorageError::Conflict(_))));
    let (rows, total) = s.list_wells(t.id, &WellFilter::default(), PageRequest { limit: 10, offset: 0 }).await.unwrap();
    assert_eq!((rows.len(), total), (0, 0), "the first well of a failed batch is not kept");
}

async fn updates_replace_fields_within_the_tenant(s: S) {
    let t1 = common::tenant(&s).await;
    let t2 = common::tenant(&s).await;
    let mut w = well(&s, t1.id, "Before", Some("42-329-00020")).await;
    well(&s, t1.id, "Taken", Some("42-329-00021")).await;
    w.name = "After".into();
    w.status = WellStatus::ShutIn;
    let updated = s.update_well(t1.id, &w).await.unwrap();
    assert_eq!(updated.name, "After");
    assert!(updated.updated_at >= w.created_at);
    assert_eq!(s.get_well(t1.id, w.id).await.unwrap(), Some(updated.clone()));
    assert!(matches!(s.update_well(t2.id, &w).await, Err(StorageError::NotFound(_))));
    let mut clash = updated.clone();
    clash.api_number = Some(ApiNumber::parse("42-329-00021").unwrap());
    assert!(matches!(s.update_well(t1.id, &clash).await, Err(StorageError::Conflict(_))));
}

async fn list_filters_paginates_and_treats_text_as_data(s: S) {
    let t = common::tenant(&s).await;
    for i in 0..7 {
        let mut nw = new_well(&format!("Well {i:02}"), Some(&format!("42-329-1000{i}")));
        if i % 2 == 1 {
            nw.status = WellStatus::ShutIn;
            nw.well_type = WellType::Gas;
            nw.lease = Some("Lease_50%".into());
        }
        s.create_well(t.id, &nw, Utc::now()).await.unwrap();
    }
    let page = |limit, offset| PageRequest { limit, offset };
    let all = WellFilter::default();
    let (first, total) = s.list_wells(t.id, &all, page(3, 0)).await.unwrap();
    assert_eq!(total, 7);
    let names: Vec<_> = first.iter().map(|w| w.well.name.as_str()).collect();
    assert_eq!(names, ["Well 00", "Well 01", "Well 02"]);
    let (last, _) = s.list_wells(t.id, &all, page(3, 6)).await.unwrap();
    assert_eq!(last.len(), 1);

    let shut_in = WellFilter { status: Some(WellStatus::ShutIn), ..Default::default() };
    assert_eq!(s.list_wells(t.id, &shut_in, page(50, 0)).await.unwrap().1, 3);
    let gas = WellFilter { well_type: Some(WellType::Gas), ..Default::default() };
    assert_eq!(s.list_wells(t.id, &gas, page(50, 0)).await.unwrap().1, 3);
    let lease = WellFilter { lease: Some("Lease_50%".into()), ..Default::default() };
    assert_eq!(s.list_wells(t.id, &lease, page(50, 0)).await.unwrap().1, 3);
    let field = WellFilter { field: Some("Spraberry".into()), ..Default::default() };
    assert_eq!(s.list_wells(t.id, &field, page(50, 0)).await.unwrap().1, 7);

    let search = |q: &str| WellFilter { search: Some(q.into()), ..Default::default() };
    assert_eq!(s.list_wells(t.id, &search("well 03"), page(50, 0)).await.unwrap().1, 1, "case-insensitive name");
    assert_eq!(s.list_wells(t.id, &search("329-10004"), page(50, 0)).await.unwrap().1, 1, "API number with dashes");
    assert_eq!(s.list_wells(t.id, &search("_50%"), page(50, 0)).await.unwrap().1, 3, "wildcards match literally");
    assert_eq!(s.list_wells(t.id, &search("%"), page(50, 0)).await.unwrap().1, 3, "a lone % is not match-all");
    for hostile in ["'; DROP TABLE wells; --", "\" OR 1=1 --", "\\", "Robert'); DELETE FROM field_entries;--"] {
        assert_eq!(s.list_wells(t.id, &search(hostile), page(50, 0)).await.unwrap().1, 0, "{hostile}");
        let by_lease = WellFilter { lease: Some(hostile.into()), ..Default::default() };
        assert_eq!(s.list_wells(t.id, &by_lease, page(50, 0)).await.unwrap().1, 0);
    }
    assert_eq!(s.list_wells(t.id, &all, page(50, 0)).await.unwrap().1, 7, "nothing was dropped");
}

async fn list_shows_the_latest_reading(s: S) {
    let t = common::tenant(&s).await;
    let w = well(&s, t.id, "With data", None).await;
    well(&s, t.id, "Without data", None).await;
    s.insert_entries(t.id, &[entry(w.id, 0, 100.0), entry(w.id, 2, 90.0), entry(w.id, 1, 95.0)]).await.unwrap();
    let (rows, _) = s.list_wells(t.id, &WellFilter::default(), PageRequest { limit: 10, offset: 0 }).await.unwrap();
    let latest = rows[0].latest.as_ref().expect("latest reading");
    assert_eq!(latest.oil_bbl, 90.0);
    assert_eq!(latest.recorded_at, Utc.with_ymd_and_hms(2024, 1, 3, 12, 0, 0).unwrap());
    assert!(rows[1].latest.is_none());
}

async fn entries_are_idempotent_ordered_and_windowed(s: S) {
    let t = common::tenant(&s).await;
    let w = well(&s, t.id, "W", None).await;
    let batch: Vec<FieldEntry> = (0..10).rev().map(|d| entry(w.id, d, 100.0 - d as f64)).collect();
    let first = s.insert_entries(t.id, &batch).await.unwrap();
    assert_eq!((first.inserted, first.duplicates), (10, 0));
    let again = s.insert_entries(t.id, &batch[..4]).await.unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 4), "a retried batch stores nothing twice");
    assert_eq!(s.count_entries(t.id).await.unwrap(), 10);

    let q = |from: Option<i64>, to: Option<i64>, limit, offset| EntryQuery {
        from: from.map(|d| Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(d)),
        to: to.map(|d| Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(d)),
        page: PageRequest { limit, offset },
    };
    let (all, total) = s.entries_for_well(t.id, w.id, q(None, None, 100, 0)).await.unwrap();
    assert_eq!(total, 10);
    assert!(all.windows(2).all(|p| p[0].recorded_at < p[1].recorded_at), "ordered by time");
    assert_eq!(all[0].oil_bbl, 100.0);
    let stored = batch.iter().find(|e| e.id == all[0].id).unwrap();
    assert_eq!(&all[0], stored, "every field round-trips");
    let (window, wtotal) = s.entries_for_well(t.id, w.id, q(Some(2), Some(5), 2, 1)).await.unwrap();
    assert_eq!(wtotal, 3, "from inclusive, to exclusive");
    assert_eq!(window.len(), 2);
    assert_eq!(window[0].recorded_at, Utc.with_ymd_and_hms(2024, 1, 4, 12, 0, 0).unwrap());
}

async fn entries_never_cross_tenants(s: S) {
    let t1 = common::tenant(&s).await;
    let t2 = common::tenant(&s).await;
    let w1 = well(&s, t1.id, "Mine", None).await;
    s.insert_entries(t1.id, &[entry(w1.id, 0, 1.0)]).await.unwrap();
    let none = EntryQuery { from: None, to: None, page: PageRequest { limit: 10, offset: 0 } };
    assert_eq!(s.entries_for_well(t2.id, w1.id, none).await.unwrap().1, 0);
    assert_eq!(s.count_entries(t2.id).await.unwrap(), 0);
    // Even if a caller skipped the service's check, the database refuses an entry filed under the wrong tenant,
    // and the whole batch is rolled back.
    let result = s.insert_entries(t2.id, &[entry(w1.id, 5, 2.0)]).await;
    assert!(
        matches!(result, Err(StorageError::NotFound(_))),
        "entry for another tenant's well must be refused: {result:?}"
    );
    assert_eq!(s.count_entries(t2.id).await.unwrap(), 0);
    let mixed = [entry(w1.id, 6, 3.0), entry(WellId(Uuid::new_v4()), 7, 3.0)];
    assert!(matches!(s.insert_entries(t1.id, &mixed).await, Err(StorageError::NotFound(_))));
    assert_eq!(s.count_entries(t1.id).await.unwrap(), 1, "a failed batch leaves nothing behind");
}

async fn corrections_and_optional_fields_round_trip(s: S) {
    let t = common::tenant(&s).await;
    let w = well(&s, t.id, "W", None).await;
    let mut d = entry(w.id, 0, 0.0).into_draft();
    d.water_bbl = -457.84;
    d.is_correction = true;
    d.tubing_psig = None;
    d.choke_64ths = None;
    d.hours_on = 25.0;
    d.downtime_reason = Some(flowline_shared::DowntimeReason::Weather);
    d.source = EntrySource::Import;
    let e = FieldEntry::new(d).unwrap();
    s.insert_entries(t.id, std::slice::from_ref(&e)).await.unwrap();
    let (back, _) = s
        .entries_for_well(t.id, w.id, EntryQuery { from: None, to: None, page: PageRequest { limit: 5, offset: 0 } })
        .await
        .unwrap();
    assert_eq!(back, vec![e]);
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { let (s, _dir) = crate::common::sqlite().await; super::$name(s).await; })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { if let Some(s) = crate::common::postgres().await { super::$name(s).await; } })*
        }
    };
}

contract!(
    migrations_are_idempotent,
    tenants_are_unique_by_slug,
    users_are_unique_per_tenant,
    wells_round_trip_and_stay_in_their_tenant,
    create_wells_is_all_or_nothing,
    updates_replace_fields_within_the_tenant,
    list_filters_paginates_and_treats_text_as_data,
    list_shows_the_latest_reading,
    entries_are_idempotent_ordered_and_windowed,
    entries_never_cross_tenants,
    corrections_and_optional_fields_round_trip,
);
