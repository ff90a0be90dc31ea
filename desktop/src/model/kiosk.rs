//! Kiosk (wall display) mode: its options and the rotation between the screens.
//!
//! Owns: the kiosk settings (zoom, rotation interval) and the rotation schedule, a pure function of the instant
//! the rotation started and `now` (both passed in). Must not touch: egui, clocks, I/O.

use crate::protocol::Screen;
use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;

/// Default seconds between two screens of the rotation.
pub const DEFAULT_ROTATE_SECS: u64 = 30;

/// The kiosk options, as given on the command line or saved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KioskOptions {
    /// egui zoom factor.
    pub zoom: f32,
    /// Time on each screen; `None`: no rotation (the screen stays where it is).
    pub rotate_every: Option<Duration>,
}

impl KioskOptions {
    /// `rotate_secs` 0 is "no rotation".
    pub fn new(zoom: f32, rotate_secs: u64) -> Self {
        Self { zoom, rotate_every: (rotate_secs > 0).then(|| Duration::from_secs(rotate_secs)) }
    }

    pub fn rotate_secs(&self) -> u64 {
        self.rotate_every.map_or(0, |d| d.as_secs())
    }
}

/// The kiosk's state in the model: read only, full screen, rotating.
#[derive(Debug, Clone, PartialEq)]
pub struct Kiosk {
    pub options: KioskOptions,
    /// When the rotation started (the first frame); set by [`Kiosk::tick`].
    pub started: Option<DateTime<Utc>>,
    /// The rotation slot last shown, so that a screen chosen by hand (D, W, L) stays until the next slot.
    last_slot: Option<u64>,
}

impl Kiosk {
    pub fn new(options: KioskOptions) -> Self {
        Self { options, started: None, last_slot: None }
    }

    /// The screen to switch to at `now` when the rotation moved to a new slot since the last call (the rotation
    /// starts at the first call, with the dashboard); `None` otherwise and without rotation.
    pub fn tick(&mut self, now: DateTime<Utc>) -> Option<Screen> {
        let every = self.options.rotate_every?;
        let started = *self.started.get_or_insert(now);
        let (index, screen) = slot(started, now, every);
        if self.last_slot == Some(index) {
            return None;
        }
        self.last_slot = Some(index);
        Some(screen)
    }

    /// When the screen changes next, if it rotates and has started.
    pub fn next_change(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let every = self.options.rotate_every?;
        let started = self.started?;
        let (index, _) = slot(started, now, every);
        let step = TimeDelta::from_std(every).ok()?;
        Some(started + step * i32::try_from(index + 1).ok()?)
    }
}

/// The n-th slot of `every` since `started` (0 before `started`), and its screen.
fn slot(started: DateTime<Utc>, now: DateTime<Utc>, every: Duration) -> (u64, Screen) {
    let elapsed = (now - started).to_std().unwrap_or(Duration::ZERO);
    let every_ms = every.as_millis().max(1);
    let index = u64::try_from(elapsed.as_millis() / every_ms).unwrap_or(u64::MAX);
    let screen = Screen::ALL[usize::try_from(index % Screen::ALL.len() as u64).unwrap_or(0)];
    (index, screen)
}

/// Dashboard, wells, alarms, dashboard, ... each for `every`, starting at `started`.
pub fn screen_at(started: DateTime<Utc>, now: DateTime<Utc>, every: Duration) -> Screen {
    slot(started, now, every).1
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::utc;

    fn t(s: i64) -> DateTime<Utc> {
        utc(2025, 3, 14, 12, 0, 0).unwrap() + TimeDelta::seconds(s)
    }

    #[test]
    fn the_rotation_visits_every_screen_in_turn_and_starts_over() {
        let every = Duration::from_secs(30);
        let expected = [
            (0, Screen::Dashboard),
            (29, Screen::Dashboard),
            (30, Screen::Wells),
            (59, Screen::Wells),
            (60, Screen::Alarms),
            (90, Screen::Dashboard),
            (215, Screen::Wells),
        ];
        for (s, screen) in expected {
            assert_eq!(screen_at(t(0), t(s), every), screen, "at {s} s");
        }
        // A clock that steps back does not crash or skip: before the start is the first screen.
        assert_eq!(screen_at(t(10), t(0), every), Screen::Dashboard);
    }

    #[test]
    fn tick_starts_the_rotation_at_the_first_frame_and_says_when_it_changes() {
        let mut kiosk = Kiosk::new(KioskOptions::new(1.5, 20));
        assert_eq!(kiosk.next_change(t(100)), None, "not started");
        assert_eq!(kiosk.tick(t(100)), Some(Screen::Dashboard));
        assert_eq!(kiosk.started, Some(t(100)));
        assert_eq!(kiosk.tick(t(105)), None, "same slot: a screen chosen by hand stays");
        assert_eq!(kiosk.next_change(t(105)), Some(t(120)));
        assert_eq!(kiosk.tick(t(121)), Some(Screen::Wells));
        assert_eq!(kiosk.next_change(t(121)), Some(t(140)));
        assert_eq!(kiosk.tick(t(140)), Some(Screen::Alarms));
    }

    #[test]
    fn the_model_follows_the_rotation_and_keeps_a_screen_chosen_by_hand_until_the_next_slot() {
        use crate::model::{Mode, Model};
        let mut model = Model::new(Mode::Remote, None, Duration::from_secs(30));
        model.screen = Screen::Wells;
        model.tick(t(0));
        assert_eq!(model.screen, Screen::Wells, "no kiosk: no rotation");
        model.kiosk = Some(Kiosk::new(KioskOptions::new(1.5, 30)));
        assert!(model.is_read_only());
        model.tick(t(0));
        assert_eq!(model.screen, Screen::Dashboard);
        model.screen = Screen::Alarms;
        model.tick(t(10));
        assert_eq!(model.screen, Screen::Alarms);
        model.tick(t(30));
        assert_eq!(model.screen, Screen::Wells);
    }

    #[test]
    fn zero_seconds_is_no_rotation() {
        let mut kiosk = Kiosk::new(KioskOptions::new(1.5, 0));
        assert_eq!(kiosk.options.rotate_every, None);
        assert_eq!(kiosk.options.rotate_secs(), 0);
        assert_eq!(kiosk.tick(t(0)), None);
        assert_eq!(kiosk.next_change(t(0)), None);
    }
}
