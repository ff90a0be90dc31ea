//! The oil tile's drill-down: every well's stored 30-day oil trend as the server sent it, and the order the
//! view lists them in.
//!
//! Owns: the trend list, its fetch state (loading, error, fetched and checked instants), the sort and the row order
//! (wells with insufficient data always last, whatever the order). Must not touch: egui, the network, tokio or
//! clocks (instants come with the events).

use crate::protocol::OilChangeSort;
use chrono::{DateTime, Utc};
use flowline_shared::analytics::trend::TrendDirection;
use flowline_shared::dto::analytics::TrendListItem;
use std::cmp::Ordering;

/// The drill-down's data. Kept through a refresh: a failed or pending fetch leaves the last list on screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OilChangeBoard {
    /// The trends, in the order of `sort`.
    pub trends: Vec<TrendListItem>,
    /// The total the server reported.
    pub total: u64,
    /// When the list on screen was fetched, and when it was last confirmed (a 304 moves only this one).
    pub fetched_at: Option<DateTime<Utc>>,
    pub checked_at: Option<DateTime<Utc>>,
    /// A fetch is on its way (the screen was opened and asked for it).
    pub loading: bool,
    /// Why the last fetch failed, for the view.
    pub error: Option<String>,
    pub sort: OilChangeSort,
}

impl OilChangeBoard {
    /// The screen was opened: a fetch is on its way.
    pub fn requested(&mut self) {
        self.loading = true;
    }

    pub fn loaded(&mut self, mut trends: Vec<TrendListItem>, total: u64, at: DateTime<Utc>) {
        sort_trends(&mut trends, self.sort);
        self.trends = trends;
        self.total = total;
        self.fetched_at = Some(at);
        self.checked_at = Some(at);
        self.loading = false;
        self.error = None;
    }

    pub fn unchanged(&mut self, at: DateTime<Utc>) {
        self.checked_at = Some(at);
        self.loading = false;
        self.error = None;
    }

    /// The list on screen stays; the error is shown beside it.
    pub fn failed(&mut self, error: String) {
        self.loading = false;
        self.error = Some(error);
    }

    /// Local command: a new order.
    pub fn sort_by(&mut self, sort: OilChangeSort) {
        self.sort = sort;
        sort_trends(&mut self.trends, sort);
    }

    /// How many wells have too few producing days for a trend.
    pub fn insufficient(&self) -> usize {
        self.trends.iter().filter(|t| is_insufficient(t)).count()
    }

    /// The oldest trend computation in the list: the age the header states.
    pub fn oldest_computed_at(&self) -> Option<DateTime<Utc>> {
        self.trends.iter().map(|t| t.computed_at).min()
    }
}

/// Fewer producing days than a line needs: no slope, no r².
pub fn is_insufficient(trend: &TrendListItem) -> bool {
    trend.direction == TrendDirection::InsufficientData
}

/// Sorts in place: insufficient data last; then by `sort`, a missing change after the known ones; ties by name,
/// then id, as the server breaks them.
pub fn sort_trends(trends: &mut [TrendListItem], sort: OilChangeSort) {
    trends.sort_by(|a, b| {
        is_insufficient(a)
            .cmp(&is_insufficient(b))
            .then_with(|| match sort {
                OilChangeSort::ChangeAscending => by_change(a, b, false),
                OilChangeSort::ChangeDescending => by_change(a, b, true),
                OilChangeSort::Name => a.well_name.to_lowercase().cmp(&b.well_name.to_lowercase()),
            })
            .then_with(|| a.well_name.cmp(&b.well_name))
            .then_with(|| a.well_id.0.cmp(&b.well_id.0))
    });
}

fn by_change(a: &TrendListItem, b: &TrendListItem, descending: bool) -> Ordering {
    match (a.percent_change, b.percent_change) {
        (Some(x), Some(y)) if descending => y.total_cmp(&x),
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod fixtures {
    //! Trends for model and view tests.
    use chrono::{DateTime, NaiveDate, Utc};
    use flowline_shared::analytics::aggregation::Field;
    use flowline_shared::analytics::trend::TrendDirection;
    use flowline_shared::dto::analytics::TrendListItem;
    use flowline_shared::{WellId, WellStatus, WellType};
    use uuid::Uuid;

    /// The oil trend of the well named `name` (the same id as `model::fixtures::well`); `percent` None with
    /// `InsufficientData` makes a well without a fit.
    pub fn trend(name: &str, direction: TrendDirection, percent: Option<f64>, at: DateTime<Utc>) -> TrendListItem {
        let fitted = direction != TrendDirection::InsufficientData;
        TrendListItem {
            well_id: WellId(Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes())),
            well_name: name.to_owned(),
            well_type: WellType::Oil,
            well_status: WellStatus::Active,
            lease: None,
            field: Field::OilBbl,
            unit: "bbl/d".to_owned(),
            direction,
            window_days: 30,
            slope_per_day: fitted.then(|| percent.unwrap_or(0.0) / 10.0),
            r_squared: fitted.then_some(0.87),
            slope_std_error: fitted.then_some(0.01),
            percent_change: percent,
            recent_mean: Some(100.0),
            previous_mean: Some(110.0),
            points_used: if fitted { 30 } else { 2 },
            downtime_days: 0,
            as_of: NaiveDate::from_ymd_opt(2025, 3, 14).unwrap(),
            computed_at: at,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::fixtures::trend;
    use super::*;
    use crate::format::utc;
    use TrendDirection::{Down, Flat, InsufficientData, Up};

    fn names(board: &OilChangeBoard) -> Vec<&str> {
        board.trends.iter().map(|t| t.well_name.as_str()).collect()
    }

    fn board() -> OilChangeBoard {
        let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
        let mut board = OilChangeBoard::default();
        board.requested();
        board.loaded(
            vec![
                trend("Sparse", InsufficientData, Some(-40.0), at),
                trend("bravo", Down, Some(-12.0), at),
                trend("Alpha", Up, Some(8.0), at),
                trend("Steep", Down, Some(-30.0), at),
                trend("No Previous", Flat, None, at),
                trend("Empty", InsufficientData, None, at),
            ],
            6,
            at,
        );
        board
    }

    #[test]
    fn insufficient_data_is_last_in_every_order() {
        let mut board = board();
        assert!(!board.loading);
        assert_eq!(names(&board), ["Steep", "bravo", "Alpha", "No Previous", "Sparse", "Empty"]);
        board.sort_by(OilChangeSort::ChangeDescending);
        assert_eq!(names(&board), ["Alpha", "bravo", "Steep", "No Previous", "Sparse", "Empty"]);
        board.sort_by(OilChangeSort::Name);
        assert_eq!(names(&board), ["Alpha", "bravo", "No Previous", "Steep", "Empty", "Sparse"]);
        assert_eq!(board.insufficient(), 2);
    }

    #[test]
    fn the_trends_event_fills_the_model_and_a_drill_down_shows_them() {
        use crate::model::{ConnectionState, Mode, Model};
        use crate::protocol::{Event, Screen};
        let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
        let mut model = Model::new(Mode::Remote, None, std::time::Duration::from_secs(30));
        model.drill_down_oil_change();
        assert_eq!(model.screen, Screen::OilChange);
        assert_eq!(model.screen.section(), Screen::Dashboard, "the sidebar keeps the dashboard selected");
        model.oil_change.requested();
        model.apply(Event::OilTrendsLoaded {
            trends: vec![trend("Up 1", Up, Some(5.0), at), trend("Down 1", Down, Some(-20.0), at)],
            total: 2,
            at,
        });
        assert_eq!(names(&model.oil_change), ["Down 1", "Up 1"]);
        assert_eq!(
            (model.oil_change.total, model.oil_change.fetched_at, model.oil_change.loading),
            (2, Some(at), false)
        );
        assert_eq!(model.connection, ConnectionState::Online { since: at }, "an answer means online");
        model.sort_oil_change(OilChangeSort::ChangeDescending);
        assert_eq!(names(&model.oil_change), ["Up 1", "Down 1"]);
        model.apply(Event::OilTrendsFailed { error: "timed out".into(), at });
        assert_eq!(model.oil_change.trends.len(), 2, "the previous list stays during a refresh that failed");
        model.apply(Event::LoggedOut);
        assert!(model.oil_change.trends.is_empty(), "signing out forgets the tenant's trends");
    }

    #[test]
    fn a_failure_or_a_304_keeps_the_list() {
        let mut board = board();
        let later = utc(2025, 3, 14, 12, 5, 0).unwrap();
        board.requested();
        board.failed("cannot reach the server".into());
        assert_eq!(board.trends.len(), 6);
        assert_eq!(board.error.as_deref(), Some("cannot reach the server"));
        board.unchanged(later);
        assert_eq!((board.error.as_ref(), board.checked_at, board.trends.len()), (None, Some(later), 6));
        assert_eq!(board.fetched_at, Some(utc(2025, 3, 14, 12, 0, 0).unwrap()));
    }
}
