//! The maintenance port's contract (`ports/maintenance.rs`), on SQLite and on PostgreSQL. Test names contain
//! "maintenance" so that `cargo test --test storage_contract maintenance` runs them.

use super::{S, well};
use crate::common;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use flowline_backend::ports::{InsertOutcome, MaintenanceFilter, PageRequest, StorageError};
use flowline_shared::WellId;
use flowline_shared::dto::maintenance::{
    MaintenanceId, MaintenanceItem, MaintenanceKind, MaintenancePatch, MaintenanceStatus,
};
use uuid::Uuid;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn item(well: WellId, due_on: &str, status: MaintenanceStatus) -> MaintenanceItem {
    let now = Utc::now();
    MaintenanceItem {
        id: MaintenanceId(Uuid::now_v7()),
        well_id: well,
        kind: MaintenanceKind::PumpChange,
        title: format!("Pump change due {due_on}"),
        notes: Some("ünïcode 'quoted' -- notes; DROP TABLE wells".into()),
        due_on: day(due_on),
        status,
        created_at: now,
        updated_at: now,
        completed_at: (status == MaintenanceStatus::Done).then_some(now),
        created_by: "ops".into(),
    }
}

fn page(limit: u32, offset: u64) -> PageRequest {
    PageRequest { limit, offset }
}

async fn all(s: &S, tenant: flowline_shared::TenantId, filter: MaintenanceFilter) -> (Vec<MaintenanceItem>, u64) {
    s.list_maintenance(tenant, &filter, page(1_000, 0)).await.unwrap()
}

async fn maintenance_items_round_trip(s: S) {
    let t = common::tenant(&s).await;
    let other = common::tenant(&s).await;
    let w = well(&s, t.id, "Maint 1H", None).await;
    let mut new = item(w.id, "2025-07-01", MaintenanceStatus::Scheduled);
    new.notes = None;
    let created = s.create_maintenance(t.id, &new).await.unwrap();
    assert_eq!(created.created_at.timestamp_millis(), new.created_at.timestamp_millis());
    assert_eq!(created.created_at.timestamp_subsec_nanos() % 1_000_000, 0, "kept at millisecond precision");
    assert_eq!(s.get_maintenance(t.id, new.id).await.unwrap(), Some(created.clone()));
    let done = item(w.id, "2025-06-01", MaintenanceStatus::Done);
    let stored = s.create_maintenance(t.id, &done).await.unwrap();
    assert_eq!(s.get_maintenance(t.id, done.id).await.unwrap(), Some(stored));
    // The id is taken; another tenant cannot see it.
    assert!(matches!(s.create_maintenance(t.id, &new).await, Err(StorageError::Conflict(_))));
    assert_eq!(s.get_maintenance(other.id, new.id).await.unwrap(), None);
    assert_eq!(s.get_maintenance(t.id, MaintenanceId(Uuid::now_v7())).await.unwrap(), None);
}

async fn maintenance_list_filters_orders_and_pages(s: S) {
    let t = common::tenant(&s).await;
    let (a, b) = (well(&s, t.id, "A", None).await, well(&s, t.id, "B", None).await);
    let rows = [
        item(a.id, "2025-03-10", MaintenanceStatus::Scheduled),
        item(b.id, "2025-01-05", MaintenanceStatus::Done),
        item(a.id, "2025-02-01", MaintenanceStatus::Cancelled),
        item(b.id, "2025-03-10", MaintenanceStatus::Scheduled),
        item(a.id, "2025-12-31", MaintenanceStatus::Scheduled),
    ];
    for r in &rows {
        s.create_maintenance(t.id, r).await.unwrap();
    }
    let (items, total) = all(&s, t.id, MaintenanceFilter::default()).await;
    assert_eq!(total, 5);
    let keys: Vec<(NaiveDate, Uuid)> = items.iter().map(|i| (i.due_on, i.id.0)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "ordered by due date, then id");
    assert_eq!(items[0].due_on, day("2025-01-05"));

    let by_well = all(&s, t.id, MaintenanceFilter { well_id: Some(a.id), ..Default::default() }).await;
    assert_eq!(by_well.1, 3);
    assert!(by_well.0.iter().all(|i| i.well_id == a.id));
    let scheduled =
        all(&s, t.id, MaintenanceFilter { status: Some(MaintenanceStatus::Scheduled), ..Default::default() }).await;
    assert_eq!(scheduled.1, 3);
    // Both bounds are inclusive.
    let window =
        MaintenanceFilter { due_from: Some(day("2025-02-01")), due_to: Some(day("2025-03-10")), ..Default::default() };
    let (items, total) = all(&s, t.id, window).await;
    assert_eq!(total, 3);
    assert_eq!(items.first().map(|i| i.due_on), Some(day("2025-02-01")));
    let combined = MaintenanceFilter {
        well_id: Some(a.id),
        status: Some(MaintenanceStatus::Scheduled),
        due_from: Some(day("2025-03-01")),
        due_to: None,
    };
    assert_eq!(all(&s, t.id, combined).await.1, 2);
    assert_eq!(
        all(&s, t.id, MaintenanceFilter { well_id: Some(WellId(Uuid::new_v4())), ..Default::default() }).await.1,
        0
    );

    // Pages: the total is of all matches, the pages are disjoint and in order.
    let (p1, total) = s.list_maintenance(t.id, &MaintenanceFilter::default(), page(2, 0)).await.unwrap();
    let (p2, _) = s.list_maintenance(t.id, &MaintenanceFilter::default(), page(2, 2)).await.unwrap();
    let (p3, _) = s.list_maintenance(t.id, &MaintenanceFilter::default(), page(2, 4)).await.unwrap();
    let (p4, _) = s.list_maintenance(t.id, &MaintenanceFilter::default(), page(2, 6)).await.unwrap();
    assert_eq!((total, p1.len(), p2.len(), p3.len(), p4.len()), (5, 2, 2, 1, 0));
    let paged: Vec<Uuid> = p1.iter().chain(&p2).chain(&p3).map(|i| i.id.0).collect();
    assert_eq!(paged, sorted.iter().map(|k| k.1).collect::<Vec<_>>());
}

async fn maintenance_patch_applies_fields_and_done_sets_completed_at(s: S) {
    let t = common::tenant(&s).await;
    let other = common::tenant(&s).await;
    let w = well(&s, t.id, "Patch 1H", None).await;
    let created = s.create_maintenance(t.id, &item(w.id, "2025-07-01", MaintenanceStatus::Scheduled)).await.unwrap();
    let t1: DateTime<Utc> = created.created_at + Duration::milliseconds(61_234);
    let patch = MaintenancePatch {
        title: Some("Swap the rod pump".into()),
        notes: Some(None),
        due_on: Some(day("2025-07-15")),
        kind: Some(MaintenanceKind::Workover),
        status: None,
    };
    let p = s.update_maintenance(t.id, created.id, &patch, t1).await.unwrap();
    assert_eq!((p.title.as_str(), p.notes.as_deref(), p.due_on), ("Swap the rod pump", None, day("2025-07-15")));
    assert_eq!(
        (p.kind, p.status, p.completed_at, p.updated_at),
        (MaintenanceKind::Workover, MaintenanceStatus::Scheduled, None, t1)
    );
    assert_eq!((p.created_at, p.created_by.as_str(), p.well_id), (created.created_at, "ops", w.id));
    assert_eq!(s.get_maintenance(t.id, created.id).await.unwrap(), Some(p.clone()));

    // Done sets completed_at; staying done keeps it; leaving done clears it.
    let t2 = t1 + Duration::minutes(5);
    let done = MaintenancePatch { status: Some(MaintenanceStatus::Done), ..Default::default() };
    let d = s.update_maintenance(t.id, created.id, &done, t2).await.unwrap();
    assert_eq!((d.status, d.completed_at), (MaintenanceStatus::Done, Some(t2)));
    let t3 = t2 + Duration::minutes(5);
    let retitle = MaintenancePatch { title: Some("Rod pump swapped".into()), ..Default::default() };
    let d2 = s.update_maintenance(t.id, created.id, &retitle, t3).await.unwrap();
    assert_eq!((d2.completed_at, d2.updated_at), (Some(t2), t3));
    assert_eq!(s.get_maintenance(t.id, created.id).await.unwrap(), Some(d2.clone()));
    let cancel = MaintenancePatch { status: Some(MaintenanceStatus::Cancelled), ..Default::default() };
    let c = s.update_maintenance(t.id, created.id, &cancel, t3).await.unwrap();
    assert_eq!((c.status, c.completed_at), (MaintenanceStatus::Cancelled, None));
    assert_eq!(s.get_maintenance(t.id, created.id).await.unwrap(), Some(c.clone()));

    // Another tenant's or an unknown item: NotFound, nothing changed.
    assert!(matches!(s.update_maintenance(other.id, created.id, &done, t3).await, Err(StorageError::NotFound(_))));
    let unknown = MaintenanceId(Uuid::now_v7());
    assert!(matches!(s.update_maintenance(t.id, unknown, &done, t3).await, Err(StorageError::NotFound(_))));
    assert_eq!(s.get_maintenance(t.id, created.id).await.unwrap(), Some(c));
}

async fn maintenance_delete_removes_only_the_tenants_item(s: S) {
    let t = common::tenant(&s).await;
    let other = common::tenant(&s).await;
    let w = well(&s, t.id, "Delete 1H", None).await;
    let keep = s.create_maintenance(t.id, &item(w.id, "2025-07-01", MaintenanceStatus::Scheduled)).await.unwrap();
    let gone = s.create_maintenance(t.id, &item(w.id, "2025-08-01", MaintenanceStatus::Scheduled)).await.unwrap();
    assert!(matches!(s.delete_maintenance(other.id, gone.id).await, Err(StorageError::NotFound(_))));
    assert!(s.get_maintenance(t.id, gone.id).await.unwrap().is_some(), "another tenant cannot delete it");
    s.delete_maintenance(t.id, gone.id).await.unwrap();
    assert_eq!(s.get_maintenance(t.id, gone.id).await.unwrap(), None);
    assert!(matches!(s.delete_maintenance(t.id, gone.id).await, Err(StorageError::NotFound(_))));
    let (items, total) = all(&s, t.id, MaintenanceFilter::default()).await;
    assert_eq!((items, total), (vec![keep], 1));
}

async fn maintenance_next_scheduled_is_the_earliest_scheduled_item_per_well(s: S) {
    let t = common::tenant(&s).await;
    let other = common::tenant(&s).await;
    let (a, b, c) = (well(&s, t.id, "A", None).await, well(&s, t.id, "B", None).await, well(&s, t.id, "C", None).await);
    let foreign = well(&s, other.id, "Foreign", None).await;
    // A: earlier done and cancelled items are ignored; of two scheduled items on one day the lower id wins.
    let a_done = item(a.id, "2025-01-01", MaintenanceStatus::Done);
    let a_cancelled = item(a.id, "2025-01-02", MaintenanceStatus::Cancelled);
    let a_first = item(a.id, "2025-03-01", MaintenanceStatus::Scheduled);
    let a_tie = item(a.id, "2025-03-01", MaintenanceStatus::Scheduled);
    let a_late = item(a.id, "2025-02-15", MaintenanceStatus::Scheduled);
    let a_later = item(a.id, "2026-01-01", MaintenanceStatus::Scheduled);
    // B: nothing scheduled. C: one scheduled item.
    let b_done = item(b.id, "2025-01-01", MaintenanceStatus::Done);
    let c_only = item(c.id, "2024-12-01", MaintenanceStatus::Scheduled);
    for i in [&a_later, &a_tie, &a_first, &a_done, &a_cancelled, &a_late, &b_done, &c_only] {
        s.create_maintenance(t.id, i).await.unwrap();
    }
    s.create_maintenance(other.id, &item(foreign.id, "2020-01-01", MaintenanceStatus::Scheduled)).await.unwrap();

    let next = s
        .next_scheduled_maintenance(t.id, &[a.id, b.id, c.id, foreign.id, WellId(Uuid::new_v4()), a.id])
        .await
        .unwrap();
    assert_eq!(next.len(), 2, "{next:?}");
    assert_eq!(next[&a.id].id, a_late.id, "the earliest scheduled, not the earliest overall");
    assert_eq!(next[&c.id].id, c_only.id);
    assert!(!next.contains_key(&b.id) && !next.contains_key(&foreign.id));

    // Once A's first is done, the next one by (due date, id) follows.
    let done = MaintenancePatch { status: Some(MaintenanceStatus::Done), ..Default::default() };
    s.update_maintenance(t.id, a_late.id, &done, Utc::now()).await.unwrap();
    let next = s.next_scheduled_maintenance(t.id, &[a.id]).await.unwrap();
    assert_eq!(next[&a.id].id, a_first.id.min(a_tie.id));
    assert!(s.next_scheduled_maintenance(t.id, &[]).await.unwrap().is_empty());
}

async fn maintenance_on_another_tenants_or_no_well_is_refused_and_writes_nothing(s: S) {
    let t = common::tenant(&s).await;
    let other = common::tenant(&s).await;
    let mine = well(&s, t.id, "Mine", None).await;
    let theirs = well(&s, other.id, "Theirs", None).await;
    let foreign = item(theirs.id, "2025-07-01", MaintenanceStatus::Scheduled);
    assert!(matches!(s.create_maintenance(t.id, &foreign).await, Err(StorageError::NotFound(_))));
    let nowhere = item(WellId(Uuid::new_v4()), "2025-07-01", MaintenanceStatus::Scheduled);
    assert!(matches!(s.create_maintenance(t.id, &nowhere).await, Err(StorageError::NotFound(_))));
    // A batch with one foreign item writes none of it.
    let batch = [item(mine.id, "2025-07-01", MaintenanceStatus::Scheduled), foreign.clone()];
    assert!(matches!(s.insert_maintenance(t.id, &batch).await, Err(StorageError::NotFound(_))));
    assert_eq!(all(&s, t.id, MaintenanceFilter::default()).await.1, 0);
    assert_eq!(all(&s, other.id, MaintenanceFilter::default()).await.1, 0);
    assert_eq!(s.get_maintenance(other.id, foreign.id).await.unwrap(), None);

    // The idempotent batch insert: stored ids are skipped and left as they were.
    let seed = [
        item(mine.id, "2025-07-01", MaintenanceStatus::Scheduled),
        item(mine.id, "2025-05-01", MaintenanceStatus::Done),
    ];
    assert_eq!(s.insert_maintenance(t.id, &seed).await.unwrap(), InsertOutcome { inserted: 2, duplicates: 0 });
    let renamed = MaintenancePatch { title: Some("Changed by a user".into()), ..Default::default() };
    s.update_maintenance(t.id, seed[0].id, &renamed, Utc::now()).await.unwrap();
    let again = [seed[0].clone(), seed[1].clone(), item(mine.id, "2025-09-01", MaintenanceStatus::Scheduled)];
    assert_eq!(s.insert_maintenance(t.id, &again).await.unwrap(), InsertOutcome { inserted: 1, duplicates: 2 });
    assert_eq!(s.get_maintenance(t.id, seed[0].id).await.unwrap().unwrap().title, "Changed by a user");
    let (items, total) = all(&s, t.id, MaintenanceFilter::default()).await;
    assert_eq!(total, 3);
    assert_eq!(items[0].completed_at.map(|c| c.timestamp_millis()), seed[1].completed_at.map(|c| c.timestamp_millis()));
    // Another tenant sees none of them.
    assert_eq!(all(&s, other.id, MaintenanceFilter::default()).await.1, 0);
    assert_eq!(s.insert_maintenance(t.id, &[]).await.unwrap(), InsertOutcome::default());
}

macro_rules! maintenance_contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { let (s, _dir) = crate::common::sqlite().await; super::$name(s).await; })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { if let Some(s) = crate::common::postgres().await { super::$name(s).await; } })*
        }
    };
}

maintenance_contract!(
    maintenance_items_round_trip,
    maintenance_list_filters_orders_and_pages,
    maintenance_patch_applies_fields_and_done_sets_completed_at,
    maintenance_delete_removes_only_the_tenants_item,
    maintenance_next_scheduled_is_the_earliest_scheduled_item_per_well,
    maintenance_on_another_tenants_or_no_well_is_refused_and_writes_nothing,
);
