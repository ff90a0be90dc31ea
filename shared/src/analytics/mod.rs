//! Pure time-series analytics: aggregation into daily, weekly and monthly periods in a tenant's time zone, trends
//! (ordinary least squares) and anomalies (trailing z-scores). No I/O, no clock: callers pass every instant.

pub mod aggregation;
pub mod anomalies;
pub mod arps;
pub mod forecast;
pub mod trend;

/// Helpers shared by the analytics tests.
#[cfg(test)]
pub(crate) mod test_support {
    /// Deterministic noise in [-1, 1] (a small LCG), so tests are reproducible.
    pub(crate) fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
            })
            .collect()
    }
}
