//! What is aggregated: the numeric fields of an entry, the reading trait that exposes them, and the running
//! statistics kept for each (well, period, field).

use crate::domain::{FieldEntry, FieldEntryDraft, WellId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A numeric field of a field entry. Names on the wire and in storage are the entry's JSON field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Field {
    /// Oil rate, bbl/d; the sum of daily values is bbl.
    OilBbl,
    /// Gas rate, Mcf/d; the sum of daily values is Mcf.
    GasMcf,
    /// Water rate, bbl/d; the sum of daily values is bbl.
    WaterBbl,
    /// Tubing pressure, psig (optional on an entry).
    TubingPsig,
    /// Casing pressure, psig (optional on an entry).
    CasingPsig,
    /// Choke size, 64ths of an inch (optional on an entry).
    #[serde(rename = "choke_64ths")]
    Choke64ths,
    /// Hours on production of the day; the sum of daily values is producing hours.
    HoursOn,
}

/// How many [`Field`]s there are.
pub const FIELD_COUNT: usize = 7;

impl Field {
    /// Every field, in the order aggregates are emitted.
    pub const ALL: [Field; FIELD_COUNT] = [
        Field::OilBbl,
        Field::GasMcf,
        Field::WaterBbl,
        Field::TubingPsig,
        Field::CasingPsig,
        Field::Choke64ths,
        Field::HoursOn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::OilBbl => "oil_bbl",
            Field::GasMcf => "gas_mcf",
            Field::WaterBbl => "water_bbl",
            Field::TubingPsig => "tubing_psig",
            Field::CasingPsig => "casing_psig",
            Field::Choke64ths => "choke_64ths",
            Field::HoursOn => "hours_on",
        }
    }

    /// Position in [`Field::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Unit of one entry's value and of a daily value.
    pub fn unit(self) -> &'static str {
        match self {
            Field::OilBbl | Field::WaterBbl => "bbl/d",
            Field::GasMcf => "Mcf/d",
            Field::TubingPsig | Field::CasingPsig => "psig",
            Field::Choke64ths => "1/64 in",
            Field::HoursOn => "h",
        }
    }

    /// Whether an entry may lack this field (pressures and choke).
    pub fn is_optional(self) -> bool {
        matches!(self, Field::TubingPsig | Field::CasingPsig | Field::Choke64ths)
    }

    /// Whether the sum of daily values means something: a volume (bbl, Mcf) or producing hours. For pressures and
    /// the choke only the mean, extremes and spread do.
    pub fn sums_to_volume(self) -> bool {
        !self.is_optional()
    }

    /// The field's value in an entry; `None` when an optional field is missing.
    pub fn value(self, entry: &FieldEntryDraft) -> Option<f64> {
        match self {
            Field::OilBbl => Some(entry.oil_bbl),
            Field::GasMcf => Some(entry.gas_mcf),
            Field::WaterBbl => Some(entry.water_bbl),
            Field::TubingPsig => entry.tubing_psig,
            Field::CasingPsig => entry.casing_psig,
            Field::Choke64ths => entry.choke_64ths,
            Field::HoursOn => Some(entry.hours_on),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Field::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
            format!("unknown field {s:?}: expected one of {}", names.join(", "))
        })
    }
}

/// What the aggregation functions read from an entry. Implemented for [`FieldEntryDraft`] and [`FieldEntry`] (and
/// references to either); storage code may implement it for a compact row so as not to build whole entries.
pub trait Reading {
    fn well_id(&self) -> WellId;
    fn recorded_at(&self) -> DateTime<Utc>;
    /// The value of `field`, `None` when the entry does not have it. Non-finite values are skipped like missing ones.
    fn value(&self, field: Field) -> Option<f64>;
}

impl Reading for FieldEntryDraft {
    fn well_id(&self) -> WellId {
        self.well_id
    }
    fn recorded_at(&self) -> DateTime<Utc> {
        self.recorded_at
    }
    fn value(&self, field: Field) -> Option<f64> {
        field.value(self)
    }
}

impl Reading for FieldEntry {
    fn well_id(&self) -> WellId {
        Reading::well_id(&**self)
    }
    fn recorded_at(&self) -> DateTime<Utc> {
        Reading::recorded_at(&**self)
    }
    fn value(&self, field: Field) -> Option<f64> {
        field.value(self)
    }
}

impl<T: Reading + ?Sized> Reading for &T {
    fn well_id(&self) -> WellId {
        (**self).well_id()
    }
    fn recorded_at(&self) -> DateTime<Utc> {
        (**self).recorded_at()
    }
    fn value(&self, field: Field) -> Option<f64> {
        (**self).value(field)
    }
}

/// Count, sum, mean, extremes and the sum of squared deviations from the mean (`m2`) of at least one value. `m2`
/// is kept instead of the standard deviation so that partial statistics can be merged exactly (Chan, Golub and
/// LeVeque's parallel formula) and stored for later merges.
///
/// Invariant: `mean == sum / count` exactly (the same floating-point division), however the statistics were built
/// (pushed, merged or from a slice); storage relies on it and does not store the mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub count: u32,
    pub sum: f64,
    /// The average ("avg").
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
}

impl Stats {
    /// The statistics of one value.
    pub fn single(x: f64) -> Self {
        Self { count: 1, sum: x, mean: x, min: x, max: x, m2: 0.0 }
    }

    /// The statistics of the finite values of `values`; `None` when there are none.
    pub fn from_values(values: impl IntoIterator<Item = f64>) -> Option<Self> {
        let mut stats = None;
        for x in values.into_iter().filter(|x| x.is_finite()) {
            push(&mut stats, x);
        }
        stats
    }

    /// The statistics of a few values, exactly in two passes (mean first, then squared deviations from it); `None`
    /// for an empty slice. The caller filters non-finite values.
    pub(super) fn from_slice(values: &[f64]) -> Option<Self> {
        let (&first, _) = values.split_first()?;
        let count = u32::try_from(values.len()).unwrap_or(u32::MAX);
        let (mut sum, mut min, mut max) = (0.0, first, first);
        for &x in values {
            sum += x;
            min = min.min(x);
            max = max.max(x);
        }
        let mean = sum / values.len() as f64;
        let m2 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
        Some(Self { count, sum, mean, min, max, m2 })
    }

    /// Adds one value (Welford's update of `m2`, with the running mean taken as `sum / count`).
    pub fn push(&mut self, x: f64) {
        if self.count == 0 {
            *self = Self::single(x);
            return;
        }
        let before = self.mean;
        self.count = self.count.saturating_add(1);
        self.sum += x;
        self.mean = self.sum / f64::from(self.count);
        self.m2 += (x - before) * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// The statistics from their stored parts (the mean is `sum / count`); `None` for a zero count.
    pub fn from_parts(count: u32, sum: f64, min: f64, max: f64, m2: f64) -> Option<Self> {
        (count > 0).then(|| Self { count, sum, mean: sum / f64::from(count), min, max, m2 })
    }

    /// The statistics of the union of the two value sets (Chan et al.): counts and sums add, the means combine by
    /// weight, `m2 = m2_a + m2_b + delta^2 * n_a * n_b / n`, extremes take the extremes.
    pub fn merge(&self, other: &Stats) -> Stats {
        if other.count == 0 {
            return *self;
        }
        if self.count == 0 {
            return *other;
        }
        let (na, nb) = (f64::from(self.count), f64::from(other.count));
        let n = na + nb;
        let delta = other.mean - self.mean;
        let count = self.count.saturating_add(other.count);
        let sum = self.sum + other.sum;
        Stats {
            count,
            sum,
            mean: sum / f64::from(count),
            min: self.min.min(other.min),
            max: self.max.max(other.max),
            m2: self.m2 + other.m2 + delta * delta * na * nb / n,
        }
    }

    /// Sample variance (divisor n - 1); `None` for fewer than two values, where it is undefined.
    pub fn variance(&self) -> Option<f64> {
        (self.count >= 2).then(|| self.m2.max(0.0) / f64::from(self.count - 1))
    }

    /// Sample standard deviation (divisor n - 1); `None` for fewer than two values (never reported as 0).
    pub fn stddev(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }
}

/// Adds `x` to an optional accumulator, starting it if empty.
pub(super) fn push(slot: &mut Option<Stats>, x: f64) {
    match slot {
        Some(s) => s.push(x),
        None => *slot = Some(Stats::single(x)),
    }
}

/// The numeric part of a stored entry, as storage reads it for aggregation: much smaller than a [`FieldEntry`]
/// (no id, source or strings). Missing optional fields are `None`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntryValues {
    pub well_id: WellId,
    pub recorded_at: DateTime<Utc>,
    /// Indexed by [`Field::index`].
    pub values: [Option<f64>; FIELD_COUNT],
}

impl EntryValues {
    /// The values of an entry.
    pub fn of(entry: &FieldEntryDraft) -> Self {
        Self {
            well_id: entry.well_id,
            recorded_at: entry.recorded_at,
            values: Field::ALL.map(|field| field.value(entry)),
        }
    }
}

impl Reading for EntryValues {
    fn well_id(&self) -> WellId {
        self.well_id
    }
    fn recorded_at(&self) -> DateTime<Utc> {
        self.recorded_at
    }
    fn value(&self, field: Field) -> Option<f64> {
        self.values[field.index()]
    }
}
