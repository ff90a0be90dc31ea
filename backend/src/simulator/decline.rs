//! The per-well production model: Arps hyperbolic decline after a short clean-up ramp, a gas-oil ratio that rises
//! as the well declines, a water cut that rises as it depletes, and wellhead pressures and choke that follow the rate.

use super::basins::ModelRanges;
use rand::Rng;

/// Days in a year, for converting annual declines.
const DAYS_PER_YEAR: f64 = 365.25;

/// Nominal daily decline `D` (1/day) of a hyperbolic decline with secant-effective annual decline `di_effective`
/// and exponent `b`, so that `q(1 year) = qi * (1 - di_effective)`.
pub fn nominal_daily_decline(di_effective: f64, b: f64) -> f64 {
    ((1.0 - di_effective).powf(-b) - 1.0) / b / DAYS_PER_YEAR
}

/// Arps hyperbolic rate as a fraction of `qi` after `t` days: `(1 + b D t)^(-1/b)` (what [`WellModel::trend`]
/// computes, in logarithms, after the clean-up ramp).
#[cfg(test)]
pub fn arps_fraction(d: f64, b: f64, t: f64) -> f64 {
    (1.0 + b * d * t.max(0.0)).powf(-1.0 / b)
}

/// Everything that shapes one well's production; drawn once when the fleet is planned.
#[derive(Debug, Clone, PartialEq)]
pub struct WellModel {
    /// Peak oil rate, bbl/d (per producing day).
    pub qi: f64,
    /// Nominal daily decline, 1/day.
    pub d: f64,
    /// Arps hyperbolic exponent.
    pub b: f64,
    /// Days of clean-up after first production before the peak rate is reached.
    pub ramp_days: f64,
    /// Initial gas-oil ratio, Mcf/bbl.
    pub gor0: f64,
    /// GOR grows as the well depletes: `gor0 * (qi / q)^gor_exponent` (q without the clean-up ramp).
    pub gor_exponent: f64,
    /// Water cut: `wc_final - (wc_final - wc0) * (q / qi)^wc_exponent`, rising from `wc0` as the well depletes.
    pub wc0: f64,
    pub wc_final: f64,
    pub wc_exponent: f64,
    /// Sales-line pressure, psig.
    pub line_psig: f64,
    /// Flowing tubing pressure above line at the peak rate, psig.
    pub tubing_drawdown: f64,
    /// Casing pressure = tubing * casing_ratio + casing_offset (the annulus is always above the tubing).
    pub casing_ratio: f64,
    pub casing_offset: f64,
    /// Choke (64ths of an inch) at first production; opened towards 64/64 as the well declines.
    pub choke0: f64,
    /// Standard deviation of the well's own day-to-day rate noise (fraction).
    pub noise_sd: f64,
}

/// The model's state on one day, before noise and downtime.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// Oil rate as a fraction of `qi` (ramp and decline).
    pub fraction: f64,
    /// Gas-oil ratio, Mcf/bbl.
    pub gor: f64,
    /// Water-oil ratio, bbl/bbl.
    pub wor: f64,
    /// Choke, whole 64ths.
    pub choke: f64,
}

impl WellModel {
    /// Draws a well from a basin's ranges. `gas_well` raises the GOR into the gas-condensate window and lowers the
    /// oil rate.
    pub fn draw(rng: &mut impl Rng, m: &ModelRanges, gas_well: bool) -> Self {
        let mut qi = rng.gen_range(m.qi.0..m.qi.1);
        let di = rng.gen_range(m.di_effective.0..m.di_effective.1);
        let b = rng.gen_range(m.b.0..m.b.1);
        let mut gor0 = rng.gen_range(m.gor.0..m.gor.1) / 1000.0;
        if gas_well {
            qi *= rng.gen_range(0.2..0.4);
            gor0 = rng.gen_range(6.0..15.0);
        }
        let wc0 = rng.gen_range(m.water_cut_initial.0..m.water_cut_initial.1);
        let wc_final = rng.gen_range(m.water_cut_final.0..m.water_cut_final.1).max(wc0 + 0.02);
        let line_psig = rng.gen_range(m.line_psig.0..m.line_psig.1);
        // Bigger wells flow at higher wellhead pressure: scale the drawdown with the (oil-equivalent) peak rate.
        let boe_peak = qi * (1.0 + gor0 / 6.0);
        let tubing_drawdown = rng.gen_range(m.tubing_drawdown_psig.0..m.tubing_drawdown_psig.1)
            * (boe_peak / 1000.0).clamp(0.3, 3.0).sqrt();
        Self {
            qi,
            d: nominal_daily_decline(di, b),
            b,
            ramp_days: rng.gen_range(7.0..25.0),
            gor0,
            gor_exponent: rng.gen_range(0.25..0.45),
            wc0,
            wc_final,
            wc_exponent: rng.gen_range(0.4..0.7),
            line_psig,
            tubing_drawdown,
            casing_ratio: rng.gen_range(1.05..1.3),
            casing_offset: rng.gen_range(30.0..250.0),
            choke0: rng.gen_range(18.0..34.0_f64).round(),
            noise_sd: rng.gen_range(0.04..0.09),
        }
    }

    /// Rate fraction, GOR, WOR and choke `t` days after first production.
    pub fn trend(&self, t: f64) -> Trend {
        let t = t.max(0.0);
        // One logarithm and three exponentials instead of three powers: this runs once per well-day.
        let ln_decline = -(1.0 + self.b * self.d * t).ln() / self.b;
        let decline = ln_decline.exp();
        let ramp = if t < self.ramp_days { 0.4 + 0.6 * t / self.ramp_days } else { 1.0 };
        let gor = self.gor0 * (-self.gor_exponent * ln_decline).exp();
        let wc = self.wc_final - (self.wc_final - self.wc0) * (self.wc_exponent * ln_decline).exp();
        let choke = if t < self.ramp_days {
            self.choke0
        } else {
            // Whole 64ths (a cast rounds faster than `f64::round`).
            ((self.choke0 + (64.0 - self.choke0) * (1.0 - decline.sqrt()) + 0.5) as u32 as f64).clamp(8.0, 64.0)
        };
        Trend { fraction: ramp * decline, gor, wor: wc / (1.0 - wc), choke }
    }

    /// Flowing tubing pressure at a producing-day oil rate, psig: line pressure plus a drawdown that falls with the
    /// rate.
    pub fn flowing_tubing(&self, rate: f64) -> f64 {
        self.line_psig + self.tubing_drawdown * (rate.max(0.0) / self.qi).min(2.0).powf(0.7)
    }

    /// Tubing pressure of the shut-in well: it builds up above the flowing pressure, less so as the reservoir
    /// depletes.
    pub fn shut_in_tubing(&self, trend: &Trend) -> f64 {
        self.line_psig + self.tubing_drawdown * (0.5 + 0.7 * trend.fraction.powf(0.35))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn simulator_secant_effective_decline_after_one_year() {
        for (di, b) in [(0.7, 1.1), (0.85, 1.4), (0.6, 0.8)] {
            let d = nominal_daily_decline(di, b);
            let q1 = arps_fraction(d, b, DAYS_PER_YEAR);
            assert!((q1 - (1.0 - di)).abs() < 1e-12, "{di} {b}: {q1}");
        }
    }

    #[test]
    fn simulator_model_trends_move_the_right_way() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for basin in super::super::basins::BASINS {
            for gas in [false, true] {
                let m = WellModel::draw(&mut rng, &basin.model, gas);
                let early = m.trend(40.0);
                let late = m.trend(700.0);
                assert!(late.fraction < early.fraction);
                assert!(late.gor > early.gor);
                assert!(late.wor > early.wor);
                assert!(late.choke >= early.choke && late.choke <= 64.0);
                assert!(m.trend(0.0).fraction < m.trend(m.ramp_days).fraction, "clean-up ramp rises to the peak");
                let hi = m.flowing_tubing(m.qi * early.fraction);
                let lo = m.flowing_tubing(m.qi * late.fraction);
                assert!(hi > lo && lo > m.line_psig);
                assert!(lo * m.casing_ratio + m.casing_offset > lo);
                let after_ramp = m.trend(400.0).fraction;
                assert!((after_ramp - arps_fraction(m.d, m.b, 400.0)).abs() < 1e-12);
                assert!(m.shut_in_tubing(&late) > lo);
            }
        }
    }
}
