//! Periods and their windows: local calendar days, Monday-start weeks and calendar months of a time zone, turned
//! into half-open intervals of UTC instants.

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The length of an aggregation period. On the wire and in storage: `daily`, `weekly`, `monthly`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Period {
    /// A local calendar day, midnight to midnight: 23, 24 or 25 hours.
    Daily,
    /// Monday 00:00 to the next Monday 00:00, local time (ISO 8601 weeks).
    Weekly,
    /// The 1st at 00:00 to the next month's 1st at 00:00, local time.
    Monthly,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Daily, Period::Weekly, Period::Monthly];

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Daily => "daily",
            Period::Weekly => "weekly",
            Period::Monthly => "monthly",
        }
    }

    /// The local date on which the period containing `date` starts (the date itself, its Monday, or the 1st).
    pub fn first_day(self, date: NaiveDate) -> NaiveDate {
        match self {
            Period::Daily => date,
            Period::Weekly => {
                let back = Days::new(u64::from(date.weekday().num_days_from_monday()));
                date.checked_sub_days(back).unwrap_or(date)
            }
            Period::Monthly => date.with_day(1).unwrap_or(date),
        }
    }

    /// The local date on which the period that starts on `first_day` ends (exclusive); saturates at chrono's last
    /// representable date.
    fn end_day(self, first_day: NaiveDate) -> NaiveDate {
        let next = match self {
            Period::Daily => first_day.checked_add_days(Days::new(1)),
            Period::Weekly => first_day.checked_add_days(Days::new(7)),
            Period::Monthly => first_day.checked_add_months(Months::new(1)),
        };
        next.unwrap_or(NaiveDate::MAX)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "daily" => Ok(Period::Daily),
            "weekly" => Ok(Period::Weekly),
            "monthly" => Ok(Period::Monthly),
            other => Err(format!("unknown period {other:?}: expected daily, weekly or monthly")),
        }
    }
}

/// The instant at which the local date `date` begins in `tz`: its local midnight in UTC. When midnight happens twice
/// (clocks fall back across it) this is the earlier instant; when it does not happen at all (clocks spring forward
/// at midnight, as in America/Havana) it is the first instant after the gap, the earliest one whose local time is
/// at or after midnight.
pub fn local_midnight(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    match tz.from_local_datetime(&midnight) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.with_timezone(&Utc).min(b.with_timezone(&Utc)),
        LocalResult::None => first_instant_at_or_after(midnight, tz),
    }
}

/// Binary search, to the second, for the earliest instant whose local time is at or after `local` (which lies in a
/// gap). UTC offsets stay within ±15 h, so 30 h either side of `local` read as UTC brackets the answer.
fn first_instant_at_or_after(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    const BRACKET: i64 = 30 * 3600;
    let guess = local.and_utc().timestamp();
    let (mut before, mut after) = (guess - BRACKET, guess + BRACKET);
    while after - before > 1 {
        let mid = before + (after - before) / 2;
        let reached = match DateTime::from_timestamp(mid, 0) {
            Some(t) => t.with_timezone(&tz).naive_local() >= local,
            None => mid > guess,
        };
        if reached {
            after = mid;
        } else {
            before = mid;
        }
    }
    DateTime::from_timestamp(after, 0).unwrap_or_else(|| local.and_utc())
}

/// One period of one time zone as a half-open interval `[start, end)` of UTC instants. `start` is the local
/// midnight of `local_start` (see [`local_midnight`]) and `end` the local midnight that starts the next period, so
/// consecutive windows tile time without gaps or overlaps. Made only by [`PeriodWindow::containing`],
/// [`PeriodWindow::for_date`] and [`PeriodWindow::next`]/[`PeriodWindow::previous`]; deserialising checks that the
/// stated instants are the ones the period, local start and zone give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "WindowRepr")]
pub struct PeriodWindow {
    period: Period,
    local_start: NaiveDate,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    time_zone: Tz,
}

impl PeriodWindow {
    /// The window of `period` that contains `date` (a local calendar date of `tz`).
    pub fn for_date(period: Period, date: NaiveDate, tz: Tz) -> Self {
        let local_start = period.first_day(date);
        let start = local_midnight(local_start, tz);
        let end = local_midnight(period.end_day(local_start), tz);
        Self { period, local_start, start, end, time_zone: tz }
    }

    /// The window of `period` that contains `instant`. This is the window of the instant's local date, except where
    /// clocks fall back across midnight: the instants after the first local midnight belong to the new day even
    /// while the clocks show the old date again, so that windows never overlap.
    pub fn containing(period: Period, instant: DateTime<Utc>, tz: Tz) -> Self {
        let mut window = Self::for_date(period, instant.with_timezone(&tz).date_naive(), tz);
        for _ in 0..4 {
            if instant >= window.end {
                window = window.next();
            } else if instant < window.start {
                window = window.previous();
            } else {
                break;
            }
        }
        window
    }

    /// The window that starts where this one ends.
    pub fn next(&self) -> Self {
        let local_start = self.local_end();
        let end = local_midnight(self.period.end_day(local_start), self.time_zone);
        Self { local_start, start: self.end, end, ..*self }
    }

    /// The window that ends where this one starts.
    pub fn previous(&self) -> Self {
        match self.local_start.checked_sub_days(Days::new(1)) {
            Some(day) => Self::for_date(self.period, day, self.time_zone),
            None => *self,
        }
    }

    pub fn period(&self) -> Period {
        self.period
    }

    /// The first local date of the window (a Monday for weeks, the 1st for months). With the period, the well and
    /// the field, this is the key of a stored aggregate.
    pub fn local_start(&self) -> NaiveDate {
        self.local_start
    }

    /// The local date on which the next window starts (exclusive end).
    pub fn local_end(&self) -> NaiveDate {
        self.period.end_day(self.local_start)
    }

    /// First instant inside the window.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// First instant after the window.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// Whether `instant` lies in `[start, end)`.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }

    /// Elapsed time: a Chicago day lasts 23, 24 or 25 hours, a week 167 to 169 hours.
    pub fn duration(&self) -> TimeDelta {
        self.end - self.start
    }

    /// Calendar days in the window: 1, 7, or 28 to 31.
    pub fn days(&self) -> u32 {
        u32::try_from((self.local_end() - self.local_start).num_days()).unwrap_or(0)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowRepr {
    period: Period,
    local_start: NaiveDate,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    time_zone: Tz,
}

impl TryFrom<WindowRepr> for PeriodWindow {
    type Error = String;
    fn try_from(r: WindowRepr) -> Result<Self, String> {
        let w = PeriodWindow::for_date(r.period, r.local_start, r.time_zone);
        if (w.local_start, w.start, w.end) == (r.local_start, r.start, r.end) {
            Ok(w)
        } else {
            Err(format!(
                "{} window starting {} in {} runs {}..{}, not {}..{}",
                r.period, r.local_start, r.time_zone, w.start, w.end, r.start, r.end
            ))
        }
    }
}
