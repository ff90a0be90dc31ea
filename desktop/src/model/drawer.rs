//! The alarm drawer's own state: open or closed, its filter, the comment and shelving fields the operator types,
//! and the answer to the last action. The drawer view edits these fields in place (as the login dialog edits its
//! form); everything that changes alarms goes out as a `Command`.
//!
//! Owns: the shelving choices and the rules for a valid shelving. Must not touch: egui, the network, clocks.

use super::alarms::AlarmFilter;
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
        }
    }
}

impl AlarmDrawer {
    /// The comment to send: `None` when blank.
    pub fn comment(&self) -> Option<String> {
        let trimmed = self.comment.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

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
