//! The event stream's reconnection delays: exponential from 1 s, doubling up to 30 s, with jitter so that a room
//! of clients does not reconnect in step after a server restart.
//!
//! Owns: that arithmetic (pure: the random share is a parameter). Must not touch: clocks, tokio, the network.

use std::time::Duration;

/// The first retry's ceiling.
pub const FIRST: Duration = Duration::from_secs(1);
/// The longest wait between attempts.
pub const CAP: Duration = Duration::from_secs(30);

/// The delay before reconnection attempt `attempt` (1 for the first retry): a ceiling of 1 s, 2 s, 4 s, … up to
/// 30 s, of which a random share in [0.5, 1] is waited ("equal jitter"); `unit` is a number in [0, 1).
pub fn delay(attempt: u32, unit: f64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(16);
    let ceiling = FIRST.saturating_mul(1_u32 << doublings).min(CAP);
    let share = 0.5 + 0.5 * unit.clamp(0.0, 1.0);
    ceiling.mul_f64(share)
}

/// [`delay`] with a random share.
pub fn jittered(attempt: u32) -> Duration {
    delay(attempt, rand::random::<f64>())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_one_second_up_to_thirty() {
        let ceilings: Vec<u64> = (1..=8).map(|a| delay(a, 1.0).as_millis() as u64).collect();
        assert_eq!(ceilings, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
        assert_eq!(delay(0, 1.0), FIRST, "attempt 0 is treated as the first");
        assert_eq!(delay(u32::MAX, 1.0), CAP);
    }

    #[test]
    fn jitter_waits_between_half_and_all_of_the_ceiling() {
        assert_eq!(delay(3, 0.0), Duration::from_secs(2));
        assert_eq!(delay(3, 0.5), Duration::from_secs(3));
        for _ in 0..100 {
            let d = jittered(6);
            assert!(d >= Duration::from_secs(15) && d <= CAP, "{d:?}");
        }
    }
}
