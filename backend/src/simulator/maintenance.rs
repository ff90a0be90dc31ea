//! The simulated fleet's maintenance schedule: every well has a recurring action every 30-60 days (its period and
//! phase a hash of the seed and the well index), so occurrence `k` of a well always falls on the same date,
//! whatever the history's end. For a history ending on day E (exclusive) a well gets its next occurrence after the
//! last simulated day (due 1-60 days after it, `scheduled`) and the two before it that fall inside the history
//! (`done`, one in six `cancelled`).
//!
//! Ids are UUIDv7 whose timestamp is the due date (midnight UTC) and whose other bytes hash the seed, the stored
//! well id and `k`: a re-run (or a later start of the demo) regenerates the ids of the items it already stored, so
//! an insert that skips stored ids creates no duplicates, and two tenants simulated with one seed do not collide.

use super::SimulatedFleet;
use super::fleet::{date_of, day_number};
use super::noise::{Stream, hash};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use flowline_shared::WellId;
use flowline_shared::dto::maintenance::{MaintenanceId, MaintenanceItem, MaintenanceKind, MaintenanceStatus};

/// Purpose of the numbers drawn here (distinct from the tags of `noise::tag`).
const TAG_SCHEDULE: u64 = 101;
const TAG_OCCURRENCE: u64 = 102;
const TAG_ID: u64 = 103;

/// Username recorded as the creator of simulated items.
pub const SIMULATOR_USER: &str = "simulator";

/// Shortest and longest interval between a well's occurrences, days.
const MIN_PERIOD: u64 = 30;
const MAX_PERIOD: u64 = 60;
/// Past occurrences kept per well.
const PAST: i64 = 2;

fn kind_and_title(draw: u64) -> (MaintenanceKind, &'static str) {
    // Weighted: routine inspections and chemical work are common, workovers rare.
    match draw % 20 {
        0..=5 => (MaintenanceKind::Inspection, "Wellhead and flowline inspection"),
        6..=8 => (MaintenanceKind::ChemicalTreatment, "Scale and corrosion inhibitor treatment"),
        9..=11 => (MaintenanceKind::WellTest, "Production well test"),
        12..=14 => (MaintenanceKind::FacilityService, "Separator and tank battery service"),
        15..=16 => (MaintenanceKind::PumpChange, "Replace downhole pump"),
        17 => (MaintenanceKind::Workover, "Workover: clean out and re-perforate"),
        _ => (MaintenanceKind::Other, "Location and lease road upkeep"),
    }
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN)).and_utc()
}

fn item_id(seed: u64, well: WellId, k: i64, due_on: NaiveDate) -> MaintenanceId {
    let (hi, lo) = well.0.as_u64_pair();
    let mut s = Stream::new(hash(seed, TAG_ID, hi, lo, k as u64), TAG_ID, 0, 0, 0);
    let mut bytes = [0u8; 10];
    bytes[..8].copy_from_slice(&s.next_u64().to_le_bytes());
    bytes[8..].copy_from_slice(&s.next_u64().to_le_bytes()[..2]);
    let ms = u64::try_from(at(due_on, 0).timestamp_millis()).unwrap_or(0);
    MaintenanceId(uuid::Builder::from_unix_timestamp_millis(ms, &bytes).into_uuid())
}

/// The maintenance items of the wells of `fleet` (`well_ids[i]` is the stored id of well `i`; wells beyond its end
/// are skipped), as of the fleet's history end. Instants are capped at `now`.
pub fn maintenance_plan(fleet: &SimulatedFleet, well_ids: &[WellId], now: DateTime<Utc>) -> Vec<MaintenanceItem> {
    let seed = fleet.seed();
    let last_day = day_number(fleet.history_end()) - 1;
    let first_day = day_number(fleet.history_start());
    let mut out = Vec::with_capacity(well_ids.len() * (PAST as usize + 1));
    for (index, &well_id) in well_ids.iter().enumerate().take(fleet.len()) {
        let mut s = Stream::new(seed, TAG_SCHEDULE, index as u64, 0, 0);
        let period = (MIN_PERIOD + s.below(MAX_PERIOD - MIN_PERIOD + 1)) as i64;
        let phase = s.below(period as u64) as i64;
        // The first occurrence due after the last simulated day: due on day phase + k * period.
        let next = (last_day - phase).div_euclid(period) + 1;
        for k in (next - PAST)..=next {
            let due_day = phase + k * period;
            if k < next && due_day < first_day {
                continue;
            }
            let due_on = date_of(due_day);
            let mut o = Stream::new(seed, TAG_OCCURRENCE, index as u64, k as u64, 0);
            let (kind, title) = kind_and_title(o.next_u64());
            let status = match (k == next, o.below(6)) {
                (true, _) => MaintenanceStatus::Scheduled,
                (false, 0) => MaintenanceStatus::Cancelled,
                (false, _) => MaintenanceStatus::Done,
            };
            let created_at = at(due_on - Duration::days(period), 14).min(now);
            let completed_at = (status == MaintenanceStatus::Done).then(|| at(due_on, 20).min(now));
            let notes = match status {
                MaintenanceStatus::Scheduled => None,
                MaintenanceStatus::Done => Some("Completed as planned.".to_owned()),
                MaintenanceStatus::Cancelled => Some("Cancelled: rescheduled with the next visit.".to_owned()),
            };
            out.push(MaintenanceItem {
                id: item_id(seed, well_id, k, due_on),
                well_id,
                kind,
                title: title.to_owned(),
                notes,
                due_on,
                status,
                created_at,
                updated_at: completed_at.unwrap_or(created_at),
                completed_at,
                created_by: SIMULATOR_USER.to_owned(),
            });
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::simulator::FleetSpec;
    use std::collections::HashSet;
    use uuid::Uuid;

    fn plan(end: NaiveDate, ids: &[WellId]) -> Vec<MaintenanceItem> {
        let fleet = SimulatedFleet::plan(&FleetSpec { wells: 30, months: 6, seed: 7 }, end);
        maintenance_plan(&fleet, ids, at(end, 18))
    }

    #[test]
    fn simulator_maintenance_has_one_scheduled_item_per_well_due_after_the_history() {
        let end = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let ids: Vec<WellId> = (0..30u128).map(|i| WellId(Uuid::from_u128(i + 1))).collect();
        let items = plan(end, &ids);
        for well in &ids {
            let mine: Vec<&MaintenanceItem> = items.iter().filter(|i| i.well_id == *well).collect();
            let scheduled: Vec<_> = mine.iter().filter(|i| i.status == MaintenanceStatus::Scheduled).collect();
            assert_eq!(scheduled.len(), 1);
            let days = (scheduled[0].due_on - end.pred_opt().unwrap()).num_days();
            assert!((1..=60).contains(&days), "due {days} days after the last simulated day");
            assert_eq!(mine.len(), 3, "two past occurrences inside six months of history");
            for past in mine.iter().filter(|i| i.status != MaintenanceStatus::Scheduled) {
                assert!(past.due_on < end);
                assert_eq!(past.completed_at.is_some(), past.status == MaintenanceStatus::Done);
                assert!(past.created_at <= past.updated_at);
            }
        }
        assert!(items.iter().any(|i| i.status == MaintenanceStatus::Done));
        let unique: HashSet<_> = items.iter().map(|i| i.id).collect();
        assert_eq!(unique.len(), items.len());
        assert!(items.iter().all(|i| i.id.0.get_version_num() == 7));
    }

    #[test]
    fn simulator_maintenance_occurrences_keep_their_ids_and_dates_when_the_history_moves_on() {
        let end = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let ids: Vec<WellId> = (0..30u128).map(|i| WellId(Uuid::from_u128(i + 1))).collect();
        let first = plan(end, &ids);
        let later = plan(end + Duration::days(20), &ids);
        assert_eq!(plan(end, &ids), first, "deterministic");
        let by_id: std::collections::HashMap<_, _> = first.iter().map(|i| (i.id, i)).collect();
        let shared: Vec<_> = later.iter().filter_map(|i| by_id.get(&i.id).map(|f| (f, i))).collect();
        assert!(!shared.is_empty());
        for (a, b) in shared {
            assert_eq!((a.well_id, a.due_on, a.kind), (b.well_id, b.due_on, b.kind));
        }
        // Another tenant's wells (other ids) get other item ids.
        let other: Vec<WellId> = (0..30u128).map(|i| WellId(Uuid::from_u128(i + 1_000))).collect();
        assert!(plan(end, &other).iter().all(|i| !by_id.contains_key(&i.id)));
    }
}
