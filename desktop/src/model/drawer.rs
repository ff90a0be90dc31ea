//! The alarm drawer's own state: open or closed, its filter, the comment and shelving fields the operator types,
//! and the answer to the last action. The drawer view edits these fields in place (as the login dialog edits its
//! form); everything that changes alarms goes out as a `Command`.
//!
//! Owns: the shelving choices and the rules for a valid shelving, the date filter's text fields and how they are
//! read. Must not touch: egui, the network, clocks.

use super::alarms::AlarmFilter;
use chrono::NaiveDate;
use flowline_shared::alarms::{AlarmId, MAX_SHELVE_HOURS, MAX_TEXT_CHARS};
use std::time::Duration;

/// How long an alarm can be shelved from the drawer, in hours (the server allows up to 7 days).
pub const SHELVE_HOURS: [u32; 5] = [1, 4, 8, 24, 72];

#[derive(Debug, Clone, PartialEq)]
pub struct AlarmDrawer {
    pub open: bool,
    pub filter: AlarmFilter,
    /// The optional comment that goes with an acknowledgement (one or all).
    pub comment: String,
    /// The alarm whose shelving form is unfolded.
    pub shelving: Option<AlarmId>,
    pub shelve_hours: u32,
    pub shelve_reason: String,
    /// What the server said about the last action (acknowledged, refused, ...), and whether it was an error.
    pub notice: Option<(String, bool)>,
    /// The date filter as typed (YYYY-MM-DD, days in the display zone, both inclusive; blank: open-ended). The
    /// view turns them into `filter.raised_from` / `raised_to` every frame.
    pub from_text: String,
    pub to_text: String,
}

impl Default for AlarmDrawer {
    fn default() -> Self {
        Self {
            open: false,
            filter: AlarmFilter::default(),
            comment: String::new(),
            shelving: None,
            shelve_hours: SHELVE_HOURS[1],
            shelve_reason: String::new(),
            notice: None,
            from_text: String::new(),
            to_text: String::new(),
        }
    }
}

impl AlarmDrawer {
    /// The comment to send: `None` when blank.
    pub fn comment(&self) -> Option<String> {
        let trimmed = self.comment.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    }

    /// The typed date range: (from, to), each `None` when blank, or what is wrong with it.
    pub fn date_range(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), String> {
        let from = parse_day(&self.from_text).map_err(|e| format!("From: {e}"))?;
        let to = parse_day(&self.to_text).map_err(|e| format!("To: {e}"))?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err("From is after To".to_owned());
        }
        Ok((from, to))
    }

    /// The shelving to send, or what is missing.
    pub fn shelving(&self) -> Result<(Duration, String), String> {
        let reason = self.shelve_reason.trim();
        if reason.is_empty() {
            return Err("Enter why the alarm is shelved".to_owned());
        }
        if reason.chars().count() > MAX_TEXT_CHARS {
            return Err(format!("The reason is longer than {MAX_TEXT_CHARS} characters"));
        }
        let hours = i64::from(self.shelve_hours).clamp(1, MAX_SHELVE_HOURS);
        Ok((Duration::from_secs(hours.unsigned_abs() * 3600), reason.to_owned()))
    }
}

/// A day typed as YYYY-MM-DD; blank is `None`.
pub fn parse_day(text: &str) -> Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some).map_err(|_| "enter a date as YYYY-MM-DD".to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_date_range_is_read_from_the_typed_days() {
        let mut drawer = AlarmDrawer::default();
        assert_eq!(drawer.date_range(), Ok((None, None)));
        drawer.from_text = " 2025-03-14 ".into();
        let day = NaiveDate::from_ymd_opt(2025, 3, 14).unwrap();
        assert_eq!(drawer.date_range(), Ok((Some(day), None)));
        drawer.to_text = "2025-03-13".into();
        assert_eq!(drawer.date_range(), Err("From is after To".to_owned()));
        drawer.to_text = "14/03/2025".into();
        assert_eq!(drawer.date_range(), Err("To: enter a date as YYYY-MM-DD".to_owned()));
    }

    #[test]
    fn a_blank_comment_is_no_comment() {
        let mut drawer = AlarmDrawer { comment: "  ".into(), ..Default::default() };
        assert_eq!(drawer.comment(), None);
        drawer.comment = " crew called ".into();
        assert_eq!(drawer.comment().as_deref(), Some("crew called"));
    }

    #[test]
    fn shelving_needs_a_reason_and_stays_within_the_servers_limit() {
        let mut drawer = AlarmDrawer::default();
        assert!(drawer.shelving().is_err());
        drawer.shelve_reason = "pump change".into();
        assert_eq!(drawer.shelving(), Ok((Duration::from_secs(4 * 3600), "pump change".to_owned())));
        drawer.shelve_hours = 10_000;
        assert_eq!(drawer.shelving().unwrap().0, Duration::from_secs(MAX_SHELVE_HOURS.unsigned_abs() * 3600));
    }
}
