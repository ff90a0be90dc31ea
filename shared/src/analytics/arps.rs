//! Arps decline-curve analysis: exponential (`b = 0`), hyperbolic (`0 < b <= 2`) and harmonic (`b = 1`) declines
//! fitted from a well's peak rate, with the estimated ultimate recovery (EUR) to an economic limit and a rate
//! forecast along the fitted curve. Pure: no I/O, no clock.
//!
//! # The curve and its units
//! `q(t) = qi / (1 + b D t)^(1/b)` (`q(t) = qi e^(-D t)` for `b = 0`), `t` in days from the fit start, `q` in the
//! input's rate unit (bbl/d for oil), `D` the *nominal* decline per day at `t = 0`. Cumulative:
//! `N(t) = qi / ((1 - b) D) (1 - (1 + b D t)^(1 - 1/b))`, `qi / D ln(1 + D t)` for `b = 1` and
//! `qi / D (1 - e^(-D t))` for `b = 0`.
//!
//! `Di` follows petbox-dca (the reference implementation these formulas are tested against): the **secant effective
//! annual decline**, `Di = 1 - q(365.25 d) / qi = 1 - (1 + 365.25 D b)^(-1/b)`, so that
//! `D = ((1 - Di)^(-b) - 1) / b / 365.25`; its exponential limit is `D = -ln(1 - Di) / 365.25` and its harmonic case
//! `D = Di / (1 - Di) / 365.25`. A fit reports both `D` (per day and x 365.25 per year) and `Di`.
//!
//! # Input
//! - [`fit_daily`]: [`DailyPoint`]s (one per calendar day). Downtime days (`hours_on == 0`) and non-finite values are
//!   left out, as in the trend module; a producing day's `value` is its calendar-day rate, so a part day counts at
//!   its (lower) calendar-day rate. Time is the day index; the sample spacing is one day.
//! - [`fit_rates`]: [`RateSample`]s, `t_days` plus a rate (for example monthly rates at mid-month times, as in
//!   petbox's test data). Non-finite samples are ignored; the sample spacing is the median spacing of the producing
//!   samples.
//!
//! Points may come in any order; two points on the same day (same `t_days`) are an error. Only points with a rate
//! above zero take part in the fit (a zero month is a shut-in, not a decline; the log objective cannot take it).
//!
//! # Rules
//! - **Restart after a shut-in.** A shut-in is a stretch between two consecutive producing points longer than
//!   [`ArpsConfig::shut_in_days`] (default 30): its length is the gap between them minus the sample spacing (for daily
//!   input: the number of days without production). Production after a long shut-in starts a new decline (the well
//!   comes back with flush production: a new peak), so only the points after the **last** such shut-in are fitted.
//!   If that segment is too short the fit fails with [`ArpsError::TooFewPoints`]: the earlier decline is not used,
//!   because it no longer describes the well.
//! - **From the peak.** Within that segment the fit starts at the highest rate (the first one if it repeats); earlier
//!   points (ramp-up, clean-up) are ignored, since fitting them drags `b` to 0. `t = 0` at the peak, and `qi` is the
//!   fitted rate there (not the observed peak). At least [`ArpsConfig::min_points`] (default 6) points, counting the
//!   peak, are needed.
//! - **Objective.** Least squares on log rates by default ([`ArpsObjective::LogRate`]: every month or day counts by
//!   its relative error, so the late-time curvature that determines `b` is not drowned by the early high rates); on
//!   rates with [`ArpsObjective::Rate`]. Parameters `ln qi`, `ln D` and `b`, with `b` bounded in `[0, 2]`; a small
//!   bounded Levenberg-Marquardt solver (active set at the bounds) started from `b = 0, 0.5, 1, 1.5`, best kept.
//! - **Which model is reported.** One hyperbolic fit with a free `b` in `[0, 2]`. If it lands within
//!   [`ArpsConfig::model_snap_tolerance`] (default 0.05) of 0 the model is *exponential*, within that of 1 it is
//!   *harmonic*, and the curve is refitted with `b` fixed at exactly 0 or 1 (`qi` and `D` re-estimated); otherwise it
//!   is *hyperbolic* with the free `b` (values above 1, typical of transient flow in shale wells, are allowed up to 2).
//!   The free `b` is always reported too ([`ArpsFit::b_free`]).
//! - **Fit quality** ([`FitQuality`]) is given on both scales over the fitted points: RMSE and `R^2 = 1 - SSE / SST`
//!   on rates, and on natural-log rates (the default objective). `R^2` is not clamped: a negative value means the curve
//!   is worse than the mean.
//! - **Cumulative and EUR.** `cumulative_to_date` is all production in the input, before the peak and before any
//!   restart included: for daily input the sum of the producing days' values (a calendar-day rate times one day); for
//!   rate samples each sample's rate times its share of time (half the spacing to each neighbour; the first and last
//!   samples get the full spacing to their one neighbour), zero-rate samples included. `remaining` is the volume along
//!   the fitted curve from the last producing point to the time the curve reaches [`ArpsConfig::economic_limit`]
//!   (default 5 rate units), but no further than [`ArpsConfig::max_life_years`] (default 50) after the last point.
//!   **`eur = cumulative_to_date + remaining`**: what was measured plus what the curve still promises. If the curve
//!   is already below the limit at the last point, `remaining` is 0.
//! - **Forecast.** [`ArpsFit::generate_forecast`] gives the curve's rate on each of the next `days` days after the last
//!   producing point. There is no prediction interval: an Arps fit is a deterministic curve, not a stochastic model,
//!   and the fit's own spread is given by [`FitQuality`]. Rates are the curve's even past the economic limit.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::trend::DailyPoint;

/// Days in a year in petbox's (and this module's) annual declines.
pub const DAYS_PER_YEAR: f64 = 365.25;
/// The largest `b` a fit may take (the transient linear-flow limit).
pub const B_MAX: f64 = 2.0;
/// Nominal daily declines the fit may take: below the lower bound the series does not decline.
const D_MIN: f64 = 1e-9;
const D_MAX: f64 = 10.0;
/// Below this `|b|` a curve is evaluated as the exponential limit; below this `|1 - b|` as the harmonic case.
const B_EPS: f64 = 1e-10;

/// What the fit minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArpsObjective {
    /// Sum of squared differences of natural-log rates (relative errors).
    #[default]
    LogRate,
    /// Sum of squared rate differences.
    Rate,
}

/// The reported decline model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ArpsModel {
    /// `b = 0`.
    Exponential,
    /// `0 < b <= 2`, `b != 1`.
    Hyperbolic,
    /// `b = 1`.
    Harmonic,
}

/// Where the remaining volume stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EurEnd {
    /// The curve reaches the economic limit within the maximum life (or was already below it).
    EconomicLimit,
    /// The curve is still above the economic limit [`ArpsConfig::max_life_years`] after the last point.
    MaxLife,
}

/// How a fit is made. Every field has a default ([`ArpsConfig::default`]); [`fit_daily`] and [`fit_rates`] check them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArpsConfig {
    /// Rate below which the well is not worth producing (input rate unit; default 5, bbl/d for oil). Must be > 0.
    pub economic_limit: f64,
    /// A gap without production longer than this many days restarts the fit (default 30). Must be > 0.
    pub shut_in_days: f64,
    /// The fewest points to fit, counting the peak (default 6; at least 4 for three parameters).
    pub min_points: usize,
    /// What the fit minimises (default log rates).
    pub objective: ArpsObjective,
    /// A free `b` this close to 0 or 1 is reported as exponential or harmonic (default 0.05; in `[0, 0.5)`).
    pub model_snap_tolerance: f64,
    /// The remaining volume is counted at most this many years past the last point (default 50). Must be > 0.
    pub max_life_years: f64,
}

impl Default for ArpsConfig {
    fn default() -> Self {
        Self {
            economic_limit: 5.0,
            shut_in_days: 30.0,
            min_points: 6,
            objective: ArpsObjective::LogRate,
            model_snap_tolerance: 0.05,
            max_life_years: 50.0,
        }
    }
}

impl ArpsConfig {
    fn validate(&self) -> Result<(), ArpsError> {
        let bad = |name: &'static str, value: f64| Err(ArpsError::InvalidConfig { name, value });
        if !(self.economic_limit.is_finite() && self.economic_limit > 0.0) {
            return bad("economic_limit", self.economic_limit);
        }
        if !(self.shut_in_days.is_finite() && self.shut_in_days > 0.0) {
            return bad("shut_in_days", self.shut_in_days);
        }
        if self.min_points < 4 {
            return bad("min_points", self.min_points as f64);
        }
        if !(self.model_snap_tolerance >= 0.0 && self.model_snap_tolerance < 0.5) {
            return bad("model_snap_tolerance", self.model_snap_tolerance);
        }
        if !(self.max_life_years.is_finite() && self.max_life_years > 0.0) {
            return bad("max_life_years", self.max_life_years);
        }
        Ok(())
    }
}

/// Why no fit was produced.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArpsError {
    #[error("invalid Arps configuration: {name} = {value}")]
    InvalidConfig { name: &'static str, value: f64 },
    #[error("invalid Arps parameters: qi = {qi}, D = {d}, b = {b} (need qi > 0, D > 0, 0 <= b <= 2)")]
    InvalidParameters { qi: f64, d: f64, b: f64 },
    #[error("two points at the same time (t = {t_days} days)")]
    DuplicateTime { t_days: f64 },
    #[error("too few points to fit a decline: {found} from the peak (after the last shut-in), {required} needed")]
    TooFewPoints { found: usize, required: usize },
    #[error("the series does not decline from its peak")]
    NoDecline,
    #[error("the decline fit did not produce finite parameters")]
    FitFailed,
}

/// A rate at a time: `t_days` from any origin (for example mid-month days since first production), `rate` per day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateSample {
    pub t_days: f64,
    pub rate: f64,
}

impl RateSample {
    pub fn new(t_days: f64, rate: f64) -> Self {
        Self { t_days, rate }
    }
}

/// An Arps curve: `qi` at `t = 0`, nominal decline `d` per day, exponent `b` in `[0, 2]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArpsCurve {
    pub qi: f64,
    /// Nominal decline per day at `t = 0` (`-d ln q / dt`).
    pub d_nominal_daily: f64,
    pub b: f64,
}

impl ArpsCurve {
    pub fn new(qi: f64, d_nominal_daily: f64, b: f64) -> Result<Self, ArpsError> {
        let ok = qi.is_finite() && qi > 0.0 && d_nominal_daily.is_finite() && d_nominal_daily > 0.0;
        if !(ok && (0.0..=B_MAX).contains(&b)) {
            return Err(ArpsError::InvalidParameters { qi, d: d_nominal_daily, b });
        }
        Ok(Self { qi, d_nominal_daily, b })
    }

    /// From petbox's parameters: `di` the secant effective annual decline, in `(0, 1)`.
    pub fn from_secant_effective(qi: f64, di: f64, b: f64) -> Result<Self, ArpsError> {
        if !(di > 0.0 && di < 1.0) {
            return Err(ArpsError::InvalidParameters { qi, d: di, b });
        }
        Self::new(qi, nominal_daily_from_secant(di, b), b)
    }

    /// The secant effective annual decline `1 - q(365.25) / qi`.
    pub fn di_secant_effective_annual(&self) -> f64 {
        secant_from_nominal_daily(self.d_nominal_daily, self.b)
    }

    /// `-ln(q(t) / qi)`.
    fn log_decline(&self, t: f64) -> f64 {
        let d = self.d_nominal_daily;
        if self.b.abs() < B_EPS { d * t } else { (self.b * d * t).ln_1p() / self.b }
    }

    /// The rate at `t` days from the fit start.
    pub fn rate(&self, t: f64) -> f64 {
        self.qi * (-self.log_decline(t)).exp()
    }

    /// The volume produced from `t = 0` to `t` days.
    pub fn cumulative(&self, t: f64) -> f64 {
        let (qi, d, b) = (self.qi, self.d_nominal_daily, self.b);
        if b.abs() < B_EPS {
            qi / d * -(-d * t).exp_m1()
        } else if (1.0 - b).abs() < B_EPS {
            qi / d * (d * t).ln_1p()
        } else {
            qi / ((1.0 - b) * d) * -((1.0 - 1.0 / b) * (b * d * t).ln_1p()).exp_m1()
        }
    }

    /// The time (days from the fit start) at which the rate falls to `q`; 0 when `q >= qi`, infinite when `q <= 0`.
    pub fn time_to_rate(&self, q: f64) -> f64 {
        if q >= self.qi {
            return 0.0;
        }
        if q <= 0.0 {
            return f64::INFINITY;
        }
        let ln_ratio = (self.qi / q).ln();
        if self.b.abs() < B_EPS {
            ln_ratio / self.d_nominal_daily
        } else {
            (self.b * ln_ratio).exp_m1() / (self.b * self.d_nominal_daily)
        }
    }
}

/// Nominal daily decline from a secant effective annual decline (petbox's `Di`).
pub fn nominal_daily_from_secant(di: f64, b: f64) -> f64 {
    if b.abs() < B_EPS { -(-di).ln_1p() / DAYS_PER_YEAR } else { (-b * (-di).ln_1p()).exp_m1() / b / DAYS_PER_YEAR }
}

/// Secant effective annual decline from a nominal daily decline.
pub fn secant_from_nominal_daily(d: f64, b: f64) -> f64 {
    let d_year = d * DAYS_PER_YEAR;
    if b.abs() < B_EPS { -(-d_year).exp_m1() } else { -(-(b * d_year).ln_1p() / b).exp_m1() }
}

/// How well the curve follows the fitted points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitQuality {
    /// Root mean square rate error (input rate unit).
    pub rmse: f64,
    /// `1 - SSE / SST` on rates.
    pub r_squared: f64,
    /// Root mean square error of natural-log rates (about a relative error).
    pub log_rmse: f64,
    /// `1 - SSE / SST` on natural-log rates.
    pub log_r_squared: f64,
    /// Levenberg-Marquardt iterations of the reported fit.
    pub iterations: usize,
    /// Whether the solver met its tolerance (rather than its iteration cap).
    pub converged: bool,
}

/// A fitted decline and what follows from it. Times `*_t_days` are on the input's time axis (day index from the
/// first point for daily input); days `*_day` are set for daily input only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArpsFit {
    pub model: ArpsModel,
    pub objective: ArpsObjective,
    /// The fitted rate at the fit start (the peak).
    pub qi: f64,
    /// Nominal decline per day at the fit start.
    pub d_nominal_daily: f64,
    /// `d_nominal_daily x 365.25`.
    pub d_nominal_annual: f64,
    /// petbox's `Di`: `1 - q(1 year) / qi`.
    pub di_secant_effective_annual: f64,
    /// The reported `b` (exactly 0 or 1 for the exponential and harmonic models).
    pub b: f64,
    /// `b` of the free hyperbolic fit, before naming the model.
    pub b_free: f64,
    /// Points fitted (from the peak to the last producing point).
    pub n_points: usize,
    /// The observed peak rate where the fit starts.
    pub peak_rate: f64,
    pub fit_start_t_days: f64,
    pub fit_start_day: Option<NaiveDate>,
    /// The last producing point (where the forecast and the remaining volume start).
    pub last_t_days: f64,
    pub last_day: Option<NaiveDate>,
    /// Whether a shut-in longer than `shut_in_days` came before the fitted segment.
    pub restarted_after_shut_in: bool,
    /// On the input's time axis: where the fitted segment (after the last long shut-in) begins.
    pub segment_start_t_days: f64,
    pub economic_limit: f64,
    /// All production in the input (see the module docs).
    pub cumulative_to_date: f64,
    /// The part of `cumulative_to_date` before the fit start (ramp-up, earlier segments).
    pub cumulative_before_fit_start: f64,
    /// Along the curve from the last point to the economic limit (or the maximum life).
    pub remaining: f64,
    /// `cumulative_to_date + remaining`.
    pub eur: f64,
    /// Days from the last point until the curve reaches the economic limit (0 if already below it). Reported even
    /// when it is beyond the maximum life (then `eur_end` is `max_life` and `remaining` stops there).
    pub days_to_economic_limit: f64,
    pub eur_end: EurEnd,
    pub quality: FitQuality,
}

impl ArpsFit {
    /// The fitted curve (`t = 0` at the fit start).
    pub fn curve(&self) -> ArpsCurve {
        ArpsCurve { qi: self.qi, d_nominal_daily: self.d_nominal_daily, b: self.b }
    }

    /// The curve's rate on each of the next `days` days after the last producing point (`days_ahead` 1..=days).
    /// No interval: see the module docs.
    pub fn generate_forecast(&self, days: u32) -> Vec<ArpsForecastPoint> {
        let curve = self.curve();
        let tau_last = self.last_t_days - self.fit_start_t_days;
        (1..=days)
            .map(|k| {
                let ahead = f64::from(k);
                ArpsForecastPoint {
                    days_ahead: k,
                    t_days: self.last_t_days + ahead,
                    day: self.last_day.and_then(|d| d.checked_add_days(Days::new(u64::from(k)))),
                    rate: curve.rate(tau_last + ahead),
                }
            })
            .collect()
    }
}

/// One forecast day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArpsForecastPoint {
    pub days_ahead: u32,
    /// On the input's time axis.
    pub t_days: f64,
    /// The calendar day, for daily input.
    pub day: Option<NaiveDate>,
    pub rate: f64,
}

/// One observation on the common time axis.
#[derive(Debug, Clone, Copy)]
struct Obs {
    t: f64,
    q: f64,
    volume: f64,
}

/// Fits a decline to daily points (see the module docs for the rules).
pub fn fit_daily(points: &[DailyPoint], config: &ArpsConfig) -> Result<ArpsFit, ArpsError> {
    config.validate()?;
    let mut usable: Vec<&DailyPoint> = points.iter().filter(|p| p.is_usable()).collect();
    usable.sort_by_key(|p| p.day);
    if let Some(w) = usable.windows(2).find(|w| w[0].day == w[1].day) {
        let first = usable.first().map_or(w[0].day, |p| p.day);
        return Err(ArpsError::DuplicateTime { t_days: (w[0].day - first).num_days() as f64 });
    }
    let Some(first_day) = usable.first().map(|p| p.day) else {
        return Err(ArpsError::TooFewPoints { found: 0, required: config.min_points });
    };
    let obs: Vec<Obs> = usable
        .iter()
        .map(|p| Obs { t: (p.day - first_day).num_days() as f64, q: p.value, volume: p.value.max(0.0) })
        .collect();
    let mut fit = fit_obs(&obs, 1.0, config)?;
    let to_day = |t: f64| first_day.checked_add_days(Days::new(t.max(0.0) as u64));
    fit.fit_start_day = to_day(fit.fit_start_t_days);
    fit.last_day = to_day(fit.last_t_days);
    Ok(fit)
}

/// Fits a decline to rate samples (for example monthly rates; see the module docs for the rules).
pub fn fit_rates(samples: &[RateSample], config: &ArpsConfig) -> Result<ArpsFit, ArpsError> {
    config.validate()?;
    let mut s: Vec<RateSample> =
        samples.iter().copied().filter(|s| s.t_days.is_finite() && s.rate.is_finite()).collect();
    s.sort_by(|a, b| a.t_days.total_cmp(&b.t_days));
    if let Some(w) = s.windows(2).find(|w| w[0].t_days == w[1].t_days) {
        return Err(ArpsError::DuplicateTime { t_days: w[0].t_days });
    }
    let n = s.len();
    let obs: Vec<Obs> = (0..n)
        .map(|i| {
            let share = match (i.checked_sub(1).and_then(|j| s.get(j)), s.get(i + 1)) {
                (Some(prev), Some(next)) => (next.t_days - prev.t_days) / 2.0,
                (None, Some(next)) => next.t_days - s[i].t_days,
                (Some(prev), None) => s[i].t_days - prev.t_days,
                (None, None) => 0.0,
            };
            Obs { t: s[i].t_days, q: s[i].rate, volume: s[i].rate.max(0.0) * share }
        })
        .collect();
    let producing: Vec<f64> = obs.iter().filter(|o| o.q > 0.0).map(|o| o.t).collect();
    let mut gaps: Vec<f64> = producing.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_by(f64::total_cmp);
    let spacing = gaps.get(gaps.len() / 2).copied().unwrap_or(1.0);
    fit_obs(&obs, spacing, config)
}

fn fit_obs(obs: &[Obs], spacing: f64, config: &ArpsConfig) -> Result<ArpsFit, ArpsError> {
    let producing: Vec<Obs> = obs.iter().copied().filter(|o| o.q > 0.0).collect();
    let too_few = |found| ArpsError::TooFewPoints { found, required: config.min_points };
    // The last shut-in longer than the threshold starts the segment.
    let restart = producing
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[1].t - w[0].t - spacing > config.shut_in_days)
        .map(|(i, _)| i + 1)
        .next_back();
    let segment = &producing[restart.unwrap_or(0)..];
    let Some(peak) = segment.iter().enumerate().fold(None, |best: Option<(usize, f64)>, (i, o)| match best {
        Some((_, q)) if q >= o.q => best,
        _ => Some((i, o.q)),
    }) else {
        return Err(too_few(0));
    };
    let window = &segment[peak.0..];
    if window.len() < config.min_points {
        return Err(too_few(window.len()));
    }
    let t0 = window[0].t;
    let tau: Vec<f64> = window.iter().map(|o| o.t - t0).collect();
    let y: Vec<f64> = window.iter().map(|o| o.q).collect();

    let free = fit_curve(&tau, &y, config.objective, None)?;
    let b_free = free.params[2];
    let tol = config.model_snap_tolerance;
    let (model, solution) = if b_free < tol {
        (ArpsModel::Exponential, fit_curve(&tau, &y, config.objective, Some(0.0))?)
    } else if (b_free - 1.0).abs() < tol {
        (ArpsModel::Harmonic, fit_curve(&tau, &y, config.objective, Some(1.0))?)
    } else {
        (ArpsModel::Hyperbolic, free)
    };
    let [ln_qi, ln_d, b] = solution.params;
    let d = ln_d.exp();
    if d <= D_MIN * 1.000_001 {
        return Err(ArpsError::NoDecline);
    }
    let curve = ArpsCurve::new(ln_qi.exp(), d, b).map_err(|_| ArpsError::FitFailed)?;

    let quality = quality(&curve, &tau, &y, solution.iterations, solution.converged);
    let cumulative_to_date: f64 = obs.iter().map(|o| o.volume).sum();
    let cumulative_before_fit_start: f64 = obs.iter().filter(|o| o.t < t0).map(|o| o.volume).sum();
    let tau_last = tau.last().copied().unwrap_or(0.0);
    let (remaining, days_to_economic_limit, eur_end) = if curve.rate(tau_last) <= config.economic_limit {
        (0.0, 0.0, EurEnd::EconomicLimit)
    } else {
        let tau_el = curve.time_to_rate(config.economic_limit);
        let tau_max = tau_last + config.max_life_years * DAYS_PER_YEAR;
        let (tau_end, end) =
            if tau_el <= tau_max { (tau_el, EurEnd::EconomicLimit) } else { (tau_max, EurEnd::MaxLife) };
        ((curve.cumulative(tau_end) - curve.cumulative(tau_last)).max(0.0), tau_el - tau_last, end)
    };
    let restarted = restart.is_some();
    Ok(ArpsFit {
        model,
        objective: config.objective,
        qi: curve.qi,
        d_nominal_daily: curve.d_nominal_daily,
        d_nominal_annual: curve.d_nominal_daily * DAYS_PER_YEAR,
        di_secant_effective_annual: curve.di_secant_effective_annual(),
        b: curve.b,
        b_free,
        n_points: window.len(),
        peak_rate: peak.1,
        fit_start_t_days: t0,
        fit_start_day: None,
        last_t_days: t0 + tau_last,
        last_day: None,
        restarted_after_shut_in: restarted,
        segment_start_t_days: segment.first().map_or(t0, |o| o.t),
        economic_limit: config.economic_limit,
        cumulative_to_date,
        cumulative_before_fit_start,
        remaining,
        eur: cumulative_to_date + remaining,
        days_to_economic_limit,
        eur_end,
        quality,
    })
}

fn quality(curve: &ArpsCurve, tau: &[f64], y: &[f64], iterations: usize, converged: bool) -> FitQuality {
    let n = y.len() as f64;
    let stats = |pred: &dyn Fn(usize) -> f64, obs: &dyn Fn(usize) -> f64| {
        let mean = (0..y.len()).map(obs).sum::<f64>() / n;
        let sse: f64 = (0..y.len()).map(|i| (pred(i) - obs(i)).powi(2)).sum();
        let sst: f64 = (0..y.len()).map(|i| (obs(i) - mean).powi(2)).sum();
        let r2 = if sst > 0.0 {
            1.0 - sse / sst
        } else if sse == 0.0 {
            1.0
        } else {
            0.0
        };
        ((sse / n).sqrt(), r2)
    };
    let (rmse, r_squared) = stats(&|i| curve.rate(tau[i]), &|i| y[i]);
    let (log_rmse, log_r_squared) = stats(&|i| curve.qi.ln() - curve.log_decline(tau[i]), &|i| y[i].ln());
    FitQuality { rmse, r_squared, log_rmse, log_r_squared, iterations, converged }
}

/// A solution of the least-squares problem: `[ln qi, ln D, b]`.
#[derive(Debug, Clone, Copy)]
struct Solution {
    params: [f64; 3],
    sse: f64,
    iterations: usize,
    converged: bool,
}

/// The least-squares problem over the points from the peak; `fixed_b` fits only `ln qi` and `ln D`.
struct Problem<'a> {
    tau: &'a [f64],
    y: &'a [f64],
    ln_y: Vec<f64>,
    objective: ArpsObjective,
    fixed_b: Option<f64>,
}

impl Problem<'_> {
    fn n_free(&self) -> usize {
        if self.fixed_b.is_some() { 2 } else { 3 }
    }

    fn bounds(&self) -> [(f64, f64); 3] {
        let b = self.fixed_b.map_or((0.0, B_MAX), |b| (b, b));
        [(f64::NEG_INFINITY, f64::INFINITY), (D_MIN.ln(), D_MAX.ln()), b]
    }

    /// Residuals and, if asked, their Jacobian rows (derivatives by `ln qi`, `ln D`, `b`).
    fn evaluate(&self, p: &[f64; 3], mut jac: Option<&mut Vec<[f64; 3]>>) -> Option<(Vec<f64>, f64)> {
        let [ln_qi, ln_d, b] = *p;
        let d = ln_d.exp();
        if let Some(j) = jac.as_deref_mut() {
            j.clear();
        }
        let mut r = Vec::with_capacity(self.tau.len());
        for (i, &t) in self.tau.iter().enumerate() {
            let u = d * t;
            let x = b * u;
            // L = -ln(q / qi) and its derivatives by ln D and b.
            let (l, dl_dlnd, dl_db) = if b.abs() < B_EPS {
                (u, u, -u * u / 2.0)
            } else {
                let l = x.ln_1p() / b;
                let dl_db = if x.abs() < 1e-4 {
                    -u * u * (0.5 - 2.0 / 3.0 * x + 0.75 * x * x)
                } else {
                    u / (b * (1.0 + x)) - x.ln_1p() / (b * b)
                };
                (l, u / (1.0 + x), dl_db)
            };
            let ln_q = ln_qi - l;
            let grad = [1.0, -dl_dlnd, -dl_db];
            let (res, scale) = match self.objective {
                ArpsObjective::LogRate => (ln_q - self.ln_y[i], 1.0),
                ArpsObjective::Rate => {
                    let q = ln_q.exp();
                    (q - self.y[i], q)
                }
            };
            if !res.is_finite() {
                return None;
            }
            r.push(res);
            if let Some(j) = jac.as_deref_mut() {
                j.push([grad[0] * scale, grad[1] * scale, grad[2] * scale]);
            }
        }
        let sse = r.iter().map(|v| v * v).sum();
        Some((r, sse))
    }
}

/// Fits the curve from several starting points and keeps the best.
fn fit_curve(tau: &[f64], y: &[f64], objective: ArpsObjective, fixed_b: Option<f64>) -> Result<Solution, ArpsError> {
    let ln_y: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let problem = Problem { tau, y, ln_y, objective, fixed_b };
    // Start from the log-linear (exponential) least-squares line.
    let pts: Vec<(f64, f64)> = tau.iter().copied().zip(problem.ln_y.iter().copied()).collect();
    let (slope, intercept) = match super::trend::ols(&pts) {
        Some(f) => (f.slope, f.intercept),
        None => return Err(ArpsError::FitFailed),
    };
    let tau_n = tau.last().copied().unwrap_or(0.0).max(1.0);
    let decline = (-slope * tau_n).max(1e-3); // ln(q0 / qn) along the line
    let starts: Vec<f64> = fixed_b.map_or_else(|| vec![0.0, 0.5, 1.0, 1.5], |b| vec![b]);
    let mut best: Option<Solution> = None;
    for b0 in starts {
        let d0 = if b0 < B_EPS { decline / tau_n } else { (b0 * decline).exp_m1() / (b0 * tau_n) };
        let p0 = [intercept, d0.clamp(D_MIN * 10.0, D_MAX / 10.0).ln(), b0];
        if let Some(s) = levenberg_marquardt(&problem, p0)
            && best.is_none_or(|b| s.sse < b.sse)
        {
            best = Some(s);
        }
    }
    match best {
        Some(s) if s.params.iter().all(|v| v.is_finite()) => Ok(s),
        _ => Err(ArpsError::FitFailed),
    }
}

/// Bounded Levenberg-Marquardt (Marquardt's diagonal scaling; a parameter at a bound whose gradient points outward is
/// held there for the step; steps are projected onto the bounds).
fn levenberg_marquardt(problem: &Problem, p0: [f64; 3]) -> Option<Solution> {
    const MAX_ITER: usize = 500;
    let n = problem.n_free();
    let bounds = problem.bounds();
    let clamp = |p: [f64; 3]| {
        let mut q = p;
        for (v, (lo, hi)) in q.iter_mut().zip(bounds) {
            *v = v.clamp(lo, hi);
        }
        q
    };
    let mut p = clamp(p0);
    let mut jac = Vec::with_capacity(problem.tau.len());
    let (_, mut sse) = problem.evaluate(&p, None)?;
    let mut lambda = 1e-3;
    let mut converged = false;
    let mut iterations = 0;
    while iterations < MAX_ITER && !converged {
        iterations += 1;
        let (r, _) = problem.evaluate(&p, Some(&mut jac))?;
        let mut a = [[0.0; 3]; 3];
        let mut g = [0.0; 3];
        for (row, ri) in jac.iter().zip(&r) {
            for i in 0..n {
                g[i] += row[i] * ri;
                for k in 0..n {
                    a[i][k] += row[i] * row[k];
                }
            }
        }
        let free: Vec<usize> = (0..n)
            .filter(|&i| {
                let (lo, hi) = bounds[i];
                !((p[i] <= lo && g[i] > 0.0) || (p[i] >= hi && g[i] < 0.0) || lo == hi)
            })
            .collect();
        if free.is_empty() || free.iter().all(|&i| g[i] == 0.0) {
            converged = true;
            break;
        }
        let mut accepted = false;
        while lambda < 1e16 {
            let m = free.len();
            let mut mat = [[0.0; 3]; 3];
            let mut rhs = [0.0; 3];
            for (ii, &i) in free.iter().enumerate() {
                rhs[ii] = -g[i];
                for (kk, &k) in free.iter().enumerate() {
                    mat[ii][kk] = a[i][k];
                }
                mat[ii][ii] += lambda * a[i][i].max(1e-12);
            }
            if let Some(step) = solve(&mut mat, &mut rhs, m) {
                let mut trial = p;
                for (ii, &i) in free.iter().enumerate() {
                    trial[i] += step[ii];
                }
                let trial = clamp(trial);
                if let Some((_, trial_sse)) = problem.evaluate(&trial, None)
                    && trial_sse < sse
                {
                    let moved = trial.iter().zip(&p).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
                    converged = sse - trial_sse <= 1e-14 * sse + f64::MIN_POSITIVE || moved < 1e-12;
                    p = trial;
                    sse = trial_sse;
                    lambda = (lambda / 3.0).max(1e-12);
                    accepted = true;
                    break;
                }
            }
            lambda *= 4.0;
        }
        if !accepted {
            // No step lowers the sum of squares: a (bounded) minimum.
            converged = true;
        }
    }
    Some(Solution { params: p, sse, iterations, converged })
}

/// Solves the `m x m` system (m <= 3) by Gaussian elimination with partial pivoting.
fn solve(a: &mut [[f64; 3]; 3], b: &mut [f64; 3], m: usize) -> Option<[f64; 3]> {
    for col in 0..m {
        let pivot = (col..m).max_by(|&i, &k| a[i][col].abs().total_cmp(&a[k][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 || !a[pivot][col].is_finite() {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..m {
            let f = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (x, p) in a[row][col..m].iter_mut().zip(&pivot_row[col..m]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..m).rev() {
        let s: f64 = (row + 1..m).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(curve: &ArpsCurve, n: usize, step: f64, noise: f64) -> Vec<RateSample> {
        (0..n)
            .map(|i| {
                let t = i as f64 * step;
                // deterministic +-noise pattern
                let e = noise * ((i * 7919 % 13) as f64 / 6.0 - 1.0);
                RateSample::new(t, curve.rate(t) * (1.0 + e))
            })
            .collect()
    }

    #[test]
    fn di_conversions_round_trip() {
        for b in [0.0, 0.3, 1.0, 1.7, 2.0] {
            let d = nominal_daily_from_secant(0.7, b);
            assert!((secant_from_nominal_daily(d, b) - 0.7).abs() < 1e-14);
        }
        // harmonic: D = Di / (1 - Di) / 365.25
        assert!((nominal_daily_from_secant(0.5, 1.0) - 1.0 / DAYS_PER_YEAR).abs() < 1e-15);
    }

    #[test]
    fn time_to_rate_inverts_rate() {
        for b in [0.0, 0.5, 1.0, 2.0] {
            let c = ArpsCurve::new(1000.0, 0.01, b).unwrap();
            let t = c.time_to_rate(37.0);
            assert!((c.rate(t) / 37.0 - 1.0).abs() < 1e-12, "b={b}");
        }
    }

    #[test]
    fn exact_hyperbolic_is_recovered() {
        let c = ArpsCurve::new(800.0, 0.004, 0.6).unwrap();
        let fit = fit_rates(&series(&c, 40, 30.0, 0.0), &ArpsConfig::default()).unwrap();
        assert_eq!(fit.model, ArpsModel::Hyperbolic);
        assert!((fit.qi / 800.0 - 1.0).abs() < 1e-8);
        assert!((fit.d_nominal_daily / 0.004 - 1.0).abs() < 1e-7);
        assert!((fit.b - 0.6).abs() < 1e-7);
    }

    #[test]
    fn solver_handles_b_on_the_bound() {
        let c = ArpsCurve::new(500.0, 0.02, 2.0).unwrap();
        let fit = fit_rates(&series(&c, 30, 30.0, 0.0), &ArpsConfig::default()).unwrap();
        assert!((fit.b - 2.0).abs() < 1e-9);
        assert!((fit.qi / 500.0 - 1.0).abs() < 1e-8);
    }
}
