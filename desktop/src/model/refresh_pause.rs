//! The auto-refresh pause of US-1104: while the operator works (clicks, types, scrolls) the timed refresh of the
//! wells, KPIs and alarms stops, so figures do not move under the pointer; after [`RESUME_AFTER`] without input it
//! resumes (with a refresh at once if one fell due). Alarms keep arriving over the event stream meanwhile, and
//! "Refresh" still refreshes. The kiosk never pauses (nobody works on it).
//!
//! Owns: when a pause starts and ends, from the instants the app passes in. Must not touch: egui, I/O, clocks.

use chrono::{DateTime, TimeDelta, Utc};

/// Idle time after which the auto-refresh resumes.
pub const RESUME_AFTER: TimeDelta = TimeDelta::minutes(5);

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RefreshPause {
    last_input: Option<DateTime<Utc>>,
    paused: bool,
}

impl RefreshPause {
    /// The operator gave input at `at`. True when this starts a pause (the I/O thread must be told).
    pub fn input(&mut self, at: DateTime<Utc>) -> bool {
        self.last_input = Some(at);
        !std::mem::replace(&mut self.paused, true)
    }

    /// True when the pause ends at `now` (five minutes without input; the I/O thread must be told).
    pub fn tick(&mut self, now: DateTime<Utc>) -> bool {
        let idle = self.last_input.is_none_or(|at| now.signed_duration_since(at) >= RESUME_AFTER);
        if self.paused && idle {
            self.paused = false;
            return true;
        }
        false
    }

    /// When the auto-refresh resumes, while paused.
    pub fn resumes_at(&self) -> Option<DateTime<Utc>> {
        if self.paused { self.last_input.map(|at| at + RESUME_AFTER) } else { None }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(min: i64, sec: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap() + TimeDelta::minutes(min) + TimeDelta::seconds(sec)
    }

    #[test]
    fn input_pauses_once_and_five_idle_minutes_resume() {
        let mut pause = RefreshPause::default();
        assert!(!pause.tick(t(0, 0)), "nothing to resume");
        assert_eq!(pause.resumes_at(), None);
        assert!(pause.input(t(0, 0)), "the first input starts the pause");
        assert!(!pause.input(t(1, 0)), "more input only moves the end");
        assert_eq!(pause.resumes_at(), Some(t(6, 0)));
        assert!(!pause.tick(t(5, 59)), "five minutes after the first input, but not after the last");
        assert!(pause.tick(t(6, 0)), "five idle minutes");
        assert!(!pause.tick(t(7, 0)), "resumed once");
        assert_eq!(pause.resumes_at(), None);
        assert!(pause.input(t(8, 0)), "new input pauses again");
    }
}
