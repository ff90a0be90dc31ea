//! Counter-based deterministic randomness for the daily generation.
//!
//! Every random number of a well-day is a pure function of `(seed, purpose, keys)`: any day of any well can be
//! generated on its own, in any order, without carrying generator state and without allocating. The mixer is
//! SplitMix64 (a bijective 64-bit finaliser), far cheaper than seeding a cryptographic generator per well-day.
//! Planning the fleet (once) uses `ChaCha8Rng` instead; see `fleet.rs`.

/// Purposes, so that the numbers drawn for one purpose are independent of those drawn for another.
pub mod tag {
    pub const WELL_DAY: u64 = 1;
    pub const GAUGE: u64 = 2;
    pub const ENTRY_ID: u64 = 3;
    pub const WELL_EVENT: u64 = 4;
    pub const FIELD_EVENT: u64 = 5;
    pub const FIELD_EVENT_WELL: u64 = 6;
    pub const FIELD_WEEK: u64 = 7;
    pub const FIELD_DAY: u64 = 8;
    pub const LIVE: u64 = 9;
    pub const LIVE_ID: u64 = 10;
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser: a bijection of `u64` with good avalanche.
#[inline]
pub const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of `(seed, tag, a, b, c)`.
#[inline]
pub fn hash(seed: u64, tag: u64, a: u64, b: u64, c: u64) -> u64 {
    let mut h = mix(seed ^ tag.wrapping_mul(GOLDEN));
    h = mix(h.wrapping_add(GOLDEN) ^ a);
    h = mix(h.wrapping_add(GOLDEN) ^ b);
    mix(h.wrapping_add(GOLDEN) ^ c)
}

/// A short random stream keyed by `(seed, tag, a, b, c)` (SplitMix64 seeded with their hash).
#[derive(Debug, Clone)]
pub struct Stream(u64);

impl Stream {
    #[inline]
    pub fn new(seed: u64, tag: u64, a: u64, b: u64, c: u64) -> Self {
        Self(hash(seed, tag, a, b, c))
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `[0, 1)`.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// Uniform in `[lo, hi)`.
    #[inline]
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in `0..n` (`n > 0`; the modulo bias is negligible for the small `n` used here).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Approximately standard normal (mean 0, variance 1, bounded by +-3.46).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        normal(self.next_u64())
    }
}

/// Uniform in `[0, 1)` from the top 53 bits.
#[inline]
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// An approximately standard normal number from 64 random bits: the Irwin-Hall sum of four 16-bit uniforms,
/// centred and scaled to unit variance. Bounded (|x| <= 2 * sqrt(3)), which keeps multiplicative noise positive,
/// and free of `ln`/`cos`, which keeps it cheap.
#[inline]
pub fn normal(h: u64) -> f64 {
    let sum = (h & 0xFFFF) + ((h >> 16) & 0xFFFF) + ((h >> 32) & 0xFFFF) + (h >> 48);
    // Each 16-bit part is uniform on 0..=65535 with mean 32767.5 and variance (65536^2 - 1) / 12.
    const SCALE: f64 = 1.0 / (65536.0 * 0.577_350_269_189_625_8); // 1 / (65536 * sqrt(1/3))
    (sum as f64 - 2.0 * 65535.0) * SCALE
}

/// The common daily production factor of a field (about 1): a smooth weekly component (line pressure, gathering
/// system, weather) interpolated between weekly knots, plus a day-to-day component. Every well of the field shares
/// it, which makes wells of the same field correlated.
pub fn field_factor(seed: u64, field: usize, day: i64) -> f64 {
    let week = day.div_euclid(7);
    let frac = day.rem_euclid(7) as f64 / 7.0;
    let k0 = normal(hash(seed, tag::FIELD_WEEK, field as u64, week as u64, 0));
    let k1 = normal(hash(seed, tag::FIELD_WEEK, field as u64, (week + 1) as u64, 0));
    let smooth = k0 + (k1 - k0) * frac;
    let daily = normal(hash(seed, tag::FIELD_DAY, field as u64, day as u64, 0));
    (1.0 + 0.06 * smooth + 0.03 * daily).max(0.5)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn simulator_normal_has_unit_variance_and_zero_mean() {
        let mut s = Stream::new(7, 1, 2, 3, 4);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| s.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
        assert!(xs.iter().all(|x| x.abs() <= 3.47));
    }

    #[test]
    fn simulator_uniform_in_unit_interval_and_hash_depends_on_every_key() {
        let mut s = Stream::new(1, 1, 1, 1, 1);
        for _ in 0..10_000 {
            let u = s.uniform();
            assert!((0.0..1.0).contains(&u));
        }
        let base = hash(1, 2, 3, 4, 5);
        for other in
            [hash(0, 2, 3, 4, 5), hash(1, 0, 3, 4, 5), hash(1, 2, 0, 4, 5), hash(1, 2, 3, 0, 5), hash(1, 2, 3, 4, 0)]
        {
            assert_ne!(base, other);
        }
        assert_eq!(base, hash(1, 2, 3, 4, 5));
    }

    #[test]
    fn simulator_field_factor_is_near_one_and_smooth() {
        let fs: Vec<f64> = (0..3650).map(|d| field_factor(42, 3, d)).collect();
        let mean = fs.iter().sum::<f64>() / fs.len() as f64;
        assert!((mean - 1.0).abs() < 0.02, "{mean}");
        // Consecutive days are correlated (the weekly component), so day-to-day changes are smaller than the spread.
        let spread = (fs.iter().map(|f| (f - mean).powi(2)).sum::<f64>() / fs.len() as f64).sqrt();
        let step = (fs.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>() / (fs.len() - 1) as f64).sqrt();
        assert!(step < spread * 1.2, "step {step} spread {spread}");
        assert_ne!(field_factor(42, 3, 100), field_factor(42, 4, 100));
    }
}
