//! The price port's contract (`ports/prices.rs`), on SQLite and on PostgreSQL. Test names contain "prices" so that
//! `cargo test --test storage_contract prices` runs them.

use super::S;
use crate::common;
use chrono::{DateTime, NaiveDate, Utc};
use flowline_backend::ports::{StorageError, TenantPriceQuery};
use flowline_shared::TenantId;
use flowline_shared::kpis::prices::{Commodity, PricePoint};
use flowline_shared::kpis::revenue::HeatContent;
use uuid::Uuid;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn wti(d: &str, price: f64) -> PricePoint {
    PricePoint::new(Commodity::Wti, day(d), price)
}

fn hh(d: &str, price: f64) -> PricePoint {
    PricePoint::new(Commodity::HenryHub, day(d), price)
}

fn ms(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap()
}

async fn prices_round_trip_ordered_and_filtered(s: S) {
    let t = common::tenant(&s).await;
    let at = Utc::now();
    assert!(s.tenant_prices(t.id, &TenantPriceQuery::default()).await.unwrap().is_empty());
    let points = [hh("2024-06-04", 2.5), wti("2024-06-04", 74.27), wti("2020-04-20", -36.98), hh("2024-06-03", 2.61)];
    s.put_prices(t.id, &points, None, "admin 'quoted' ünïcode", at).await.unwrap();
    let all = s.tenant_prices(t.id, &TenantPriceQuery::default()).await.unwrap();
    let got: Vec<(Commodity, NaiveDate, f64)> = all.iter().map(|p| (p.commodity, p.day, p.price)).collect();
    assert_eq!(
        got,
        vec![
            (Commodity::Wti, day("2020-04-20"), -36.98),
            (Commodity::Wti, day("2024-06-04"), 74.27),
            (Commodity::HenryHub, day("2024-06-03"), 2.61),
            (Commodity::HenryHub, day("2024-06-04"), 2.5),
        ],
        "WTI first, then by day; a negative WTI price is kept"
    );
    assert!(all.iter().all(|p| p.updated_at == ms(at) && p.updated_by == "admin 'quoted' ünïcode"));
    let q = TenantPriceQuery { commodity: Some(Commodity::HenryHub), from: Some(day("2024-06-04")), to: None };
    let hh_only = s.tenant_prices(t.id, &q).await.unwrap();
    assert_eq!(hh_only.len(), 1);
    assert_eq!(hh_only[0].day, day("2024-06-04"));
    let q = TenantPriceQuery { commodity: Some(Commodity::Wti), from: None, to: Some(day("2024-06-03")) };
    assert_eq!(s.tenant_prices(t.id, &q).await.unwrap().len(), 1);
    // Exact values survive (bit for bit).
    s.put_prices(t.id, &[wti("2024-06-05", 0.1 + 0.2)], None, "admin", at).await.unwrap();
    let q = TenantPriceQuery { commodity: Some(Commodity::Wti), from: Some(day("2024-06-05")), to: None };
    assert_eq!(s.tenant_prices(t.id, &q).await.unwrap()[0].price.to_bits(), (0.1f64 + 0.2).to_bits());
}

async fn prices_replace_a_stored_day_and_keep_the_heat_content(s: S) {
    let t = common::tenant(&s).await;
    assert_eq!(s.price_settings(t.id).await.unwrap(), None);
    let first = Utc::now() - chrono::Duration::hours(1);
    let heat = HeatContent::new(1.1).unwrap();
    s.put_prices(t.id, &[wti("2024-06-03", 75.0)], Some(heat), "alice", first).await.unwrap();
    let settings = s.price_settings(t.id).await.unwrap().unwrap();
    assert_eq!((settings.heat_content, settings.updated_at, settings.updated_by.as_str()), (heat, ms(first), "alice"));
    let later = Utc::now();
    s.put_prices(t.id, &[wti("2024-06-03", 76.5)], None, "bob", later).await.unwrap();
    let all = s.tenant_prices(t.id, &TenantPriceQuery::default()).await.unwrap();
    assert_eq!(all.len(), 1, "replaced, not added");
    assert_eq!((all[0].price, all[0].updated_at, all[0].updated_by.as_str()), (76.5, ms(later), "bob"));
    // Without a heat content the setting stays; with one it is replaced; points may be empty.
    assert_eq!(s.price_settings(t.id).await.unwrap().unwrap().heat_content, heat);
    let richer = HeatContent::new(1.3).unwrap();
    s.put_prices(t.id, &[], Some(richer), "carol", later).await.unwrap();
    let settings = s.price_settings(t.id).await.unwrap().unwrap();
    assert_eq!((settings.heat_content, settings.updated_by.as_str()), (richer, "carol"));
}

async fn prices_are_per_tenant_and_an_unknown_tenant_writes_nothing(s: S) {
    let t = common::tenant(&s).await;
    let other = common::tenant(&s).await;
    s.put_prices(t.id, &[wti("2024-06-03", 75.0)], Some(HeatContent::new(0.9).unwrap()), "a", Utc::now())
        .await
        .unwrap();
    assert!(s.tenant_prices(other.id, &TenantPriceQuery::default()).await.unwrap().is_empty());
    assert_eq!(s.price_settings(other.id).await.unwrap(), None);
    // The same day in another tenant is another row.
    s.put_prices(other.id, &[wti("2024-06-03", 80.0)], None, "b", Utc::now()).await.unwrap();
    assert_eq!(s.tenant_prices(t.id, &TenantPriceQuery::default()).await.unwrap()[0].price, 75.0);
    assert_eq!(s.tenant_prices(other.id, &TenantPriceQuery::default()).await.unwrap()[0].price, 80.0);

    let nobody = TenantId(Uuid::new_v4());
    let res = s.put_prices(nobody, &[wti("2024-06-03", 1.0)], Some(HeatContent::default()), "x", Utc::now()).await;
    assert!(matches!(res, Err(StorageError::NotFound(_))), "{res:?}");
    assert!(s.tenant_prices(nobody, &TenantPriceQuery::default()).await.unwrap().is_empty());
    assert_eq!(s.price_settings(nobody).await.unwrap(), None);
}

macro_rules! prices_contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { let (s, _dir) = crate::common::sqlite().await; super::$name(s).await; })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { if let Some(s) = crate::common::postgres().await { super::$name(s).await; } })*
        }
    };
}

prices_contract!(
    prices_round_trip_ordered_and_filtered,
    prices_replace_a_stored_day_and_keep_the_heat_content,
    prices_are_per_tenant_and_an_unknown_tenant_writes_nothing,
);
