//! The use cases against a real SQLite store, without HTTP: accounts, authentication, wells and ingest rules.

mod common;

use chrono::Duration;
use common::TestClock;
use flowline_backend::ports::{Clock, PageRequest, StorageError, WellFilter};
use flowline_backend::services::Deps;
use flowline_backend::services::accounts::{AccountError, AccountService};
use flowline_backend::services::auth::{AuthError, AuthService};
use flowline_backend::services::ingest::{IngestError, IngestService, MAX_BATCH};
use flowline_backend::services::wells::{WellError, WellService};
use flowline_shared::dto::LoginRequest;
use flowline_shared::{EntryId, EntrySource, FieldEntryDraft, Role, WellId, WellPatch, WellStatus, WellType};
use std::sync::Arc;
use uuid::Uuid;

async fn deps() -> (Deps, Arc<TestClock>, tempfile::TempDir) {
    let (storage, dir) = common::sqlite().await;
    let clock = Arc::new(TestClock::starting_now());
    (Deps { storage, clock: clock.clone() }, clock, dir)
}

fn login(tenant: &str, username: &str, password: &str) -> LoginRequest {
    LoginRequest { tenant: tenant.into(), username: username.into(), password: password.into() }
}

#[tokio::test]
async fn accounts_validate_and_refuse_duplicates() {
    let (deps, _, _dir) = deps().await;
    let accounts = AccountService::new(deps);
    let t = accounts.create_tenant("acme", "  ", "America/Denver").await.unwrap();
    assert_eq!(t.name, "acme", "a blank name falls back to the slug");
    assert_eq!(t.time_zone, chrono_tz::America::Denver);
    assert!(matches!(accounts.create_tenant("Bad Slug", "", "America/Chicago").await, Err(AccountError::Invalid(_))));
    assert!(matches!(accounts.create_tenant("other", "", "Mars/Olympus").await, Err(AccountError::Invalid(_))));
    assert!(matches!(
        accounts.create_tenant("acme", "", "America/Chicago").await,
        Err(AccountError::Storage(StorageError::Conflict(_)))
    ));
    let u = accounts.create_user("acme", "jsmith", "long-enough-pw", Role::Viewer).await.unwrap();
    assert_eq!(u.role, Role::Viewer);
    assert!(matches!(
        accounts.create_user("nowhere", "jsmith", "long-enough-pw", Role::Viewer).await,
        Err(AccountError::UnknownTenant(_))
    ));
    assert!(matches!(
        accounts.create_user("acme", "x", "short", Role::Viewer).await,
        Err(AccountError::Auth(AuthError::WeakPassword))
    ));
    assert!(matches!(
        accounts.create_user("acme", "no spaces", "long-enough-pw", Role::Admin).await,
        Err(AccountError::Invalid(_))
    ));
    assert!(matches!(
        accounts.create_user("acme", "jsmith", "long-enough-pw", Role::Admin).await,
        Err(AccountError::Storage(StorageError::Conflict(_)))
    ));
}

#[tokio::test]
async fn login_and_token_lifecycle() {
    let (deps, clock, _dir) = deps().await;
    let accounts = AccountService::new(deps.clone());
    accounts.create_tenant("acme", "Acme", "America/Chicago").await.unwrap();
    accounts.create_user("acme", "ops", "correct-horse", Role::Operator).await.unwrap();
    let auth = AuthService::new(deps.clone(), common::SECRET, Duration::hours(2)).unwrap();

    let ok = auth.login(login("acme", "ops", "correct-horse")).await.unwrap();
    assert_eq!((ok.tenant.as_str(), ok.username.as_str(), ok.role), ("acme", "ops", Role::Operator));
    let principal = auth.verify(&ok.token).unwrap();
    assert_eq!(principal.tenant, "acme");
    assert_eq!(principal.role, Role::Operator);

    for bad in [
        login("acme", "ops", "wrong-horse"),
        login("acme", "ghost", "correct-horse"),
        login("nope", "ops", "correct-horse"),
        login("NOT A SLUG", "ops", "x"),
        login("acme", "bad name!", "x"),
    ] {
        assert!(matches!(auth.login(bad).await, Err(AuthError::InvalidCredentials)));
    }
    assert!(matches!(auth.verify("not-a-token"), Err(AuthError::InvalidToken(_))));
    let other_key = AuthService::new(deps, b"a-completely-different-secret-key!!", Duration::hours(2)).unwrap();
    assert!(matches!(other_key.verify(&ok.token), Err(AuthError::InvalidToken(_))), "signature checked");
    clock.advance(Duration::hours(2));
    assert!(matches!(auth.verify(&ok.token), Err(AuthError::Expired)));
}

#[tokio::test]
async fn wells_create_update_and_list_within_the_tenant() {
    let (deps, _, _dir) = deps().await;
    let accounts = AccountService::new(deps.clone());
    let t1 = accounts.create_tenant("one", "", "America/Chicago").await.unwrap();
    let t2 = accounts.create_tenant("two", "", "America/Chicago").await.unwrap();
    let wells = WellService::new(deps);
    let input = WellPatch {
        name: Some("Midland 1H".into()),
        well_type: Some(WellType::Oil),
        api_number: Some("42-329-00001".into()),
        ..Default::default()
    };
    let w = wells.create(t1.id, &input).await.unwrap();
    assert!(matches!(wells.create(t1.id, &WellPatch::default()).await, Err(WellError::Invalid(_))));
    assert!(matches!(wells.create(t1.id, &input).await, Err(WellError::Conflict(_))));
    assert!(matches!(wells.get(t2.id, w.id).await, Err(WellError::NotFound(_))));

    let patch = WellPatch { status: Some(WellStatus::ShutIn), ..Default::default() };
    let updated = wells.update(t1.id, w.id, &patch).await.unwrap();
    assert_eq!(updated.status, WellStatus::ShutIn);
    assert_eq!(wells.get(t1.id, w.id).await.unwrap().status, WellStatus::ShutIn);
    assert!(matches!(wells.update(t2.id, w.id, &patch).await, Err(WellError::NotFound(_))));
    let bad = WellPatch { latitude: Some(123.0), longitude: Some(0.0), ..Default::default() };
    assert!(matches!(wells.update(t1.id, w.id, &bad).await, Err(WellError::Invalid(_))));

    let second = WellPatch { name: Some("Other".into()), api_number: Some("42-329-00002".into()), ..input.clone() };
    let other = wells.create(t1.id, &second).await.unwrap();
    let clash = WellPatch { api_number: Some("4232900001".into()), ..Default::default() };
    assert!(matches!(wells.update(t1.id, other.id, &clash).await, Err(WellError::Conflict(_))));

    let (page, total) = wells.list(t1.id, &WellFilter::default(), PageRequest { limit: 10, offset: 0 }).await.unwrap();
    assert_eq!((page.len(), total), (2, 2));
    assert_eq!(wells.list(t2.id, &WellFilter::default(), PageRequest { limit: 10, offset: 0 }).await.unwrap().1, 0);
}

#[tokio::test]
async fn ingest_refuses_empty_oversized_and_future_batches() {
    let (deps, clock, _dir) = deps().await;
    let tenant = AccountService::new(deps.clone()).create_tenant("acme", "", "America/Chicago").await.unwrap();
    let well = WellService::new(deps.clone())
        .create(tenant.id, &WellPatch { name: Some("W".into()), well_type: Some(WellType::Gas), ..Default::default() })
        .await
        .unwrap();
    let ingest = IngestService::new(deps.clone());
    let draft = |well_id: WellId, at| FieldEntryDraft {
        id: EntryId(Uuid::now_v7()),
        well_id,
        recorded_at: at,
        oil_bbl: 0.0,
        gas_mcf: 900.0,
        water_bbl: 5.0,
        tubing_psig: None,
        casing_psig: None,
        choke_64ths: None,
        hours_on: 24.0,
        downtime_reason: None,
        source: EntrySource::Scada,
        is_correction: false,
    };
    assert!(matches!(ingest.ingest(tenant.id, vec![]).await, Err(IngestError::Empty)));
    let now = chrono::Utc::now();
    let many: Vec<_> = (0..=MAX_BATCH).map(|_| draft(well.id, now)).collect();
    assert!(matches!(ingest.ingest(tenant.id, many).await, Err(IngestError::TooLarge { .. })));
    let future = clock.now() + Duration::hours(25);
    match ingest.ingest(tenant.id, vec![draft(well.id, now), draft(well.id, future)]).await {
        Err(IngestError::Invalid(rows)) => {
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].row, 1);
            assert_eq!(rows[0].errors[0].field, "recorded_at");
        }
        other => panic!("expected a row error, got {other:?}"),
    }
    assert_eq!(deps.storage.count_entries(tenant.id).await.unwrap(), 0);
    let ok = ingest.ingest(tenant.id, vec![draft(well.id, now)]).await.unwrap();
    assert_eq!(ok.accepted, 1);
}
