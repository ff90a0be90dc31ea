//! Revenue of produced oil and gas at dated prices.
//!
//! # Rules
//! - **Formula** (design.md): `oil bbl x oil price + gas Mcf x heat content x gas price`, oil at WTI (USD/bbl), gas
//!   at Henry Hub (USD/MMBtu) converted by the heat content (MMBtu/Mcf). Nothing else: no differentials, royalties,
//!   shrink or NGLs.
//! - **Heat content** ([`HeatContent`]): default [`DEFAULT_HEAT_CONTENT`] 1.037 MMBtu/Mcf, configurable within
//!   [`HEAT_CONTENT_RANGE`] 0.8..=1.5 (lean to rich gas); anything else is refused.
//! - **Volumes** must be finite and >= 0 (a day's production). **Quotes** must be of the right commodity (WTI for
//!   oil, Henry Hub for gas); a negative price is real and gives a negative revenue.
//! - The breakdown keeps the quotes it used, so a screen can say which day's price (and how old) it shows.

use super::prices::{Commodity, PriceQuote};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

/// EIA's average heat content of US natural gas, MMBtu per Mcf.
pub const DEFAULT_HEAT_CONTENT: f64 = 1.037;

/// The heat contents accepted, MMBtu per Mcf.
pub const HEAT_CONTENT_RANGE: RangeInclusive<f64> = 0.8..=1.5;

/// Why a revenue could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RevenueError {
    #[error("heat content must be between 0.8 and 1.5 MMBtu/Mcf, got {0}")]
    HeatContent(f64),
    #[error("{what} must be a finite volume >= 0, got {value}")]
    Volume { what: &'static str, value: f64 },
    #[error("the {role} price must be a {expected} quote, got {got}")]
    WrongCommodity { role: &'static str, expected: Commodity, got: Commodity },
}

/// Gas heat content in MMBtu per Mcf, within [`HEAT_CONTENT_RANGE`].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct HeatContent(f64);

impl HeatContent {
    pub fn new(mmbtu_per_mcf: f64) -> Result<Self, RevenueError> {
        if mmbtu_per_mcf.is_finite() && HEAT_CONTENT_RANGE.contains(&mmbtu_per_mcf) {
            Ok(Self(mmbtu_per_mcf))
        } else {
            Err(RevenueError::HeatContent(mmbtu_per_mcf))
        }
    }

    pub fn mmbtu_per_mcf(self) -> f64 {
        self.0
    }
}

impl Default for HeatContent {
    fn default() -> Self {
        Self(DEFAULT_HEAT_CONTENT)
    }
}

impl TryFrom<f64> for HeatContent {
    type Error = RevenueError;
    fn try_from(v: f64) -> Result<Self, RevenueError> {
        Self::new(v)
    }
}

impl From<HeatContent> for f64 {
    fn from(h: HeatContent) -> f64 {
        h.0
    }
}

/// A revenue and how it was made up. Money in USD.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevenueBreakdown {
    pub oil_bbl: f64,
    pub gas_mcf: f64,
    /// `gas_mcf x heat_content`.
    pub gas_mmbtu: f64,
    pub heat_content_mmbtu_per_mcf: f64,
    /// `oil_bbl x oil price`.
    pub oil_usd: f64,
    /// `gas_mmbtu x gas price`.
    pub gas_usd: f64,
    pub total_usd: f64,
    pub oil_price: PriceQuote,
    pub gas_price: PriceQuote,
}

/// Revenue of `oil_bbl` at the WTI quote and `gas_mcf` at the Henry Hub quote (see the module documentation).
pub fn revenue(
    oil_bbl: f64,
    gas_mcf: f64,
    oil_price: PriceQuote,
    gas_price_per_mmbtu: PriceQuote,
    heat_content: HeatContent,
) -> Result<RevenueBreakdown, RevenueError> {
    for (what, value) in [("oil_bbl", oil_bbl), ("gas_mcf", gas_mcf)] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(RevenueError::Volume { what, value });
        }
    }
    for (role, expected, quote) in
        [("oil", Commodity::Wti, &oil_price), ("gas", Commodity::HenryHub, &gas_price_per_mmbtu)]
    {
        if quote.commodity != expected {
            return Err(RevenueError::WrongCommodity { role, expected, got: quote.commodity });
        }
    }
    let gas_mmbtu = gas_mcf * heat_content.mmbtu_per_mcf();
    let oil_usd = oil_bbl * oil_price.price;
    let gas_usd = gas_mmbtu * gas_price_per_mmbtu.price;
    Ok(RevenueBreakdown {
        oil_bbl,
        gas_mcf,
        gas_mmbtu,
        heat_content_mmbtu_per_mcf: heat_content.mmbtu_per_mcf(),
        oil_usd,
        gas_usd,
        total_usd: oil_usd + gas_usd,
        oil_price,
        gas_price: gas_price_per_mmbtu,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn quote(commodity: Commodity, price: f64) -> PriceQuote {
        let day = NaiveDate::from_ymd_opt(2024, 6, 3).unwrap();
        PriceQuote { commodity, price, day, effective_day: day, age_days: 0 }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn revenue_by_hand() {
        // Oil: 100 bbl x 75.26 = 7526.
        // Gas: 500 Mcf x 1.037 = 518.5 MMBtu; x 2.71 = 1405.135.
        // Total 8931.135.
        let r = revenue(
            100.0,
            500.0,
            quote(Commodity::Wti, 75.26),
            quote(Commodity::HenryHub, 2.71),
            HeatContent::default(),
        )
        .unwrap();
        assert!(close(r.oil_usd, 7526.0), "{}", r.oil_usd);
        assert!(close(r.gas_mmbtu, 518.5), "{}", r.gas_mmbtu);
        assert!(close(r.gas_usd, 1405.135), "{}", r.gas_usd);
        assert!(close(r.total_usd, 8931.135), "{}", r.total_usd);
        assert_eq!(r.heat_content_mmbtu_per_mcf, 1.037);
        assert_eq!(r.oil_price.price, 75.26);
        assert_eq!(r.gas_price.commodity, Commodity::HenryHub);
    }

    #[test]
    fn heat_content_changes_only_gas() {
        // 1000 Mcf x 1.2 = 1200 MMBtu x 3 = 3600; oil 10 x 80 = 800.
        let h = HeatContent::new(1.2).unwrap();
        let r = revenue(10.0, 1000.0, quote(Commodity::Wti, 80.0), quote(Commodity::HenryHub, 3.0), h).unwrap();
        assert!(close(r.gas_usd, 3600.0) && close(r.oil_usd, 800.0) && close(r.total_usd, 4400.0));
    }

    #[test]
    fn negative_oil_price_gives_negative_oil_revenue() {
        // 100 bbl x -36.98 = -3698; gas 0.
        let r =
            revenue(100.0, 0.0, quote(Commodity::Wti, -36.98), quote(Commodity::HenryHub, 1.9), HeatContent::default())
                .unwrap();
        assert!(close(r.total_usd, -3698.0), "{}", r.total_usd);
    }

    #[test]
    fn heat_content_is_validated() {
        assert_eq!(HeatContent::default().mmbtu_per_mcf(), 1.037);
        assert!(HeatContent::new(0.8).is_ok() && HeatContent::new(1.5).is_ok());
        assert_eq!(HeatContent::new(0.79), Err(RevenueError::HeatContent(0.79)));
        assert!(HeatContent::new(1.51).is_err());
        assert!(HeatContent::new(f64::NAN).is_err());
        assert_eq!(serde_json::from_str::<HeatContent>("1.1").unwrap().mmbtu_per_mcf(), 1.1);
        assert!(serde_json::from_str::<HeatContent>("3.0").is_err());
        assert_eq!(serde_json::to_string(&HeatContent::default()).unwrap(), "1.037");
    }

    #[test]
    fn bad_volumes_and_swapped_quotes_are_refused() {
        let (oil, gas, h) = (quote(Commodity::Wti, 75.0), quote(Commodity::HenryHub, 2.5), HeatContent::default());
        assert_eq!(revenue(-1.0, 0.0, oil, gas, h), Err(RevenueError::Volume { what: "oil_bbl", value: -1.0 }));
        assert!(matches!(revenue(0.0, f64::NAN, oil, gas, h), Err(RevenueError::Volume { what: "gas_mcf", .. })));
        assert_eq!(
            revenue(1.0, 1.0, gas, oil, h),
            Err(RevenueError::WrongCommodity { role: "oil", expected: Commodity::Wti, got: Commodity::HenryHub })
        );
    }
}
