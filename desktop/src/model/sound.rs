//! The audible alarm's decision: which priority's tone should sound now, if any.
//!
//! The highest priority among the annunciated unacknowledged alarms sounds, again every [`REPEAT_EVERY`] until
//! every alarm of that priority is acknowledged (then the next priority down takes over), at once when a new
//! alarm arrives or the priority rises, and never while muted or when no audio player exists.
//! Owns: the mute setting, the last tone played and whether audio is available. Must not touch: egui, clocks
//! (`now` comes in), processes or audio (the I/O thread plays the tone the app asks for).

use super::alarms::AlarmBoard;
use chrono::{DateTime, TimeDelta, Utc};
use flowline_shared::alarms::AlarmPriority;

/// How often the tone repeats while alarms of its priority wait for an acknowledgement.
pub const REPEAT_EVERY: TimeDelta = TimeDelta::seconds(10);

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlarmSound {
    /// The operator silenced the audible alarms (a persisted setting).
    pub muted: bool,
    /// Why audible alarms are off although not muted (no player found); shown as an indicator.
    pub unavailable: Option<String>,
    /// The last tone asked for and when.
    pub last_played: Option<(AlarmPriority, DateTime<Utc>)>,
}

impl AlarmSound {
    /// The tone to play at `now`, or `None` (muted, unavailable, nothing unacknowledged, or played recently).
    pub fn due(&self, alarms: &AlarmBoard, now: DateTime<Utc>) -> Option<AlarmPriority> {
        if self.muted || self.unavailable.is_some() {
            return None;
        }
        let priority = alarms.highest_unacknowledged(now)?;
        let Some((last_priority, at)) = self.last_played else { return Some(priority) };
        let repeat_due = now < at || now - at >= REPEAT_EVERY;
        let higher = priority > last_priority;
        let new_alarm_since = alarms.last_new_alarm_at.is_some_and(|raised| raised > at && raised <= now);
        (repeat_due || higher || new_alarm_since).then_some(priority)
    }

    /// The app sent the tone of `priority` at `now`.
    pub fn played(&mut self, priority: AlarmPriority, now: DateTime<Utc>) {
        self.last_played = Some((priority, now));
    }

    /// Whether the alarms would sound if it were not for the mute or a missing player (the indicator's cue).
    pub fn is_silenced(&self) -> bool {
        self.muted || self.unavailable.is_some()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::utc;
    use crate::model::alarms::fixtures::{alarm, view};
    use crate::protocol::AlarmChange;
    use flowline_shared::alarms::AlarmState;

    fn t(s: i64) -> DateTime<Utc> {
        utc(2025, 3, 14, 12, 0, 0).unwrap() + TimeDelta::seconds(s)
    }

    fn board(alarms: &[(u128, AlarmPriority, AlarmState)]) -> AlarmBoard {
        let mut board = AlarmBoard::default();
        let views = alarms.iter().map(|(n, p, s)| view(alarm(*n, *p, *s, t(-60)), "W")).collect();
        board.load(views, t(-60), t(-60));
        board
    }

    #[test]
    fn the_highest_unacknowledged_priority_sounds_and_repeats_every_ten_seconds() {
        let alarms = board(&[
            (1, AlarmPriority::High, AlarmState::ActiveUnacknowledged),
            (2, AlarmPriority::Critical, AlarmState::ActiveUnacknowledged),
        ]);
        let mut sound = AlarmSound::default();
        assert_eq!(sound.due(&alarms, t(0)), Some(AlarmPriority::Critical));
        sound.played(AlarmPriority::Critical, t(0));
        assert_eq!(sound.due(&alarms, t(9)), None, "not before the repeat");
        assert_eq!(sound.due(&alarms, t(10)), Some(AlarmPriority::Critical));
    }

    #[test]
    fn acknowledging_every_critical_alarm_hands_over_to_high_then_silence() {
        let mut sound = AlarmSound::default();
        sound.played(AlarmPriority::Critical, t(0));
        let acked = board(&[
            (1, AlarmPriority::High, AlarmState::ActiveUnacknowledged),
            (2, AlarmPriority::Critical, AlarmState::ActiveAcknowledged),
        ]);
        assert_eq!(sound.due(&acked, t(5)), None, "the high tone waits for the repeat");
        assert_eq!(sound.due(&acked, t(10)), Some(AlarmPriority::High));
        let all_acked = board(&[
            (1, AlarmPriority::High, AlarmState::ActiveAcknowledged),
            (2, AlarmPriority::Critical, AlarmState::ActiveAcknowledged),
        ]);
        assert_eq!(sound.due(&all_acked, t(60)), None);
        // Returned to normal but unacknowledged still sounds: it still waits for an operator.
        let returned = board(&[(3, AlarmPriority::Low, AlarmState::ReturnedUnacknowledged)]);
        assert_eq!(sound.due(&returned, t(60)), Some(AlarmPriority::Low));
    }

    #[test]
    fn a_higher_priority_or_a_new_alarm_sounds_at_once() {
        let mut sound = AlarmSound::default();
        sound.played(AlarmPriority::Low, t(0));
        let higher = board(&[(1, AlarmPriority::High, AlarmState::ActiveUnacknowledged)]);
        assert_eq!(sound.due(&higher, t(2)), Some(AlarmPriority::High));

        sound.played(AlarmPriority::High, t(2));
        let mut alarms = higher.clone();
        let raised = alarm(9, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(4));
        alarms.apply_change(AlarmChange::Created, 1, raised, None, t(4), |_| None);
        assert_eq!(sound.due(&alarms, t(3)), None, "not before it arrived");
        assert_eq!(sound.due(&alarms, t(5)), Some(AlarmPriority::High));
    }

    #[test]
    fn a_missing_player_is_said_once_and_silences_the_alarms() {
        use crate::model::{Level, Mode, Model};
        use crate::protocol::Event;
        let mut model = Model::new(Mode::Remote, None, std::time::Duration::from_secs(30));
        for _ in 0..2 {
            model.apply(Event::AudioUnavailable { reason: "no audio player found".into(), at: t(0) });
        }
        assert_eq!(model.messages.len(), 1);
        assert_eq!(model.messages[0].level, Level::Warning);
        assert_eq!(model.messages[0].text, "no audio player found: audible alarms are off");
        assert!(model.sound.is_silenced());
    }

    #[test]
    fn muted_or_without_a_player_nothing_sounds() {
        let alarms = board(&[(1, AlarmPriority::Critical, AlarmState::ActiveUnacknowledged)]);
        let mut sound = AlarmSound { muted: true, ..Default::default() };
        assert!(sound.is_silenced());
        assert_eq!(sound.due(&alarms, t(0)), None);
        sound.muted = false;
        assert_eq!(sound.due(&alarms, t(0)), Some(AlarmPriority::Critical));
        sound.unavailable = Some("no audio player found".into());
        assert_eq!(sound.due(&alarms, t(0)), None);
        assert!(sound.is_silenced());
    }
}
