//! The dated commodity price table: WTI crude oil (USD/bbl) and Henry Hub natural gas (USD/MMBtu).
//!
//! # Input
//! The EIA daily spot price files shipped in `assets/prices/` (see its README for source and licence), passed as text:
//! nothing here reads a file. Admin updates arrive as [`PricePoint`]s through [`PriceTable::upsert`].
//!
//! # Rules
//! - **File format** ([`parse_eia_csv`]). The first non-empty line must be the header `Date,Price` (a UTF-8 byte order
//!   mark and surrounding spaces are ignored, the names are compared without regard to case). Every following line is
//!   `YYYY-MM-DD,price`; LF or CRLF line endings; cells are trimmed; empty lines are skipped.
//! - **Blank prices.** A row whose price cell is empty (`2018-01-05,` in the Henry Hub file) is skipped and its day
//!   is listed in [`ParsedPrices::blank_days`]: that day is then priced at the previous trading day, like a holiday.
//! - **Errors.** A line without exactly two cells, a date that is not `YYYY-MM-DD`, a price that is not a finite
//!   number, a price outside [`PRICE_RANGE`], or a day given twice is an error naming the (1-based) line. The whole
//!   file is rejected: nothing is half loaded.
//! - **Sane range.** Every price, from a file or an update, must be finite and within -100..=1000 USD
//!   ([`PRICE_RANGE`]), for both commodities. Negative prices are real (WTI settled at -36.98 on 2020-04-20) and are
//!   accepted.
//! - **Lookup** ([`PriceTable::price_on`]). The price of a day is the latest price on or before it: weekends and
//!   holidays take the previous trading day's. The answer says which day it came from and how many days old it is
//!   ([`PriceQuote::age_days`]); the table never refuses an old price, the caller judges the age. A day before the
//!   commodity's first price has no price (`None`), never a guess from a later one.
//! - **Updates** ([`PriceTable::upsert`]). A point for a day that already has a price replaces it; the update is
//!   validated as a whole first and applied only if every point is valid (no partial write). Within one update the
//!   last point for a given day wins.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// The prices the table accepts, in USD per the commodity's unit, for both commodities.
pub const PRICE_RANGE: RangeInclusive<f64> = -100.0..=1000.0;

/// A priced commodity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Commodity {
    /// West Texas Intermediate crude oil, Cushing spot, USD/bbl.
    Wti,
    /// Henry Hub natural gas spot, USD/MMBtu.
    HenryHub,
}

impl Commodity {
    pub const ALL: [Commodity; 2] = [Commodity::Wti, Commodity::HenryHub];

    /// The price unit: `USD/bbl` for WTI, `USD/MMBtu` for Henry Hub.
    pub fn unit(self) -> &'static str {
        match self {
            Commodity::Wti => "USD/bbl",
            Commodity::HenryHub => "USD/MMBtu",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Commodity::Wti => "wti",
            Commodity::HenryHub => "henry_hub",
        }
    }
}

impl std::fmt::Display for Commodity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One day's price of one commodity, in [`Commodity::unit`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PricePoint {
    pub commodity: Commodity,
    pub day: NaiveDate,
    pub price: f64,
}

impl PricePoint {
    pub fn new(commodity: Commodity, day: NaiveDate, price: f64) -> Self {
        Self { commodity, day, price }
    }
}

/// The price used for a day: the latest price on or before it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceQuote {
    pub commodity: Commodity,
    /// In the commodity's unit (`Commodity::unit`): USD/bbl for WTI, USD/MMBtu for Henry Hub.
    pub price: f64,
    /// The day the price was asked for.
    pub day: NaiveDate,
    /// The trading day the price is from (on or before `day`).
    pub effective_day: NaiveDate,
    /// `day - effective_day` in days: 0 on a trading day, 2 on a Sunday after a Friday price.
    pub age_days: i64,
}

impl PriceQuote {
    /// The price unit, as [`Commodity::unit`].
    pub fn unit(&self) -> &'static str {
        self.commodity.unit()
    }
}

/// A price that cannot enter the table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PriceError {
    #[error("{commodity} price on {day} must be a finite number, got {price}")]
    NotFinite { commodity: Commodity, day: NaiveDate, price: f64 },
    #[error("{commodity} price on {day} must be between -100 and 1000 USD, got {price}")]
    OutOfRange { commodity: Commodity, day: NaiveDate, price: f64 },
}

/// A price file that could not be read. Lines are numbered from 1 (the header is line 1).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PriceParseError {
    #[error("the price file is empty: expected a header `Date,Price`")]
    Empty,
    #[error("line {line}: expected the header `Date,Price`, got {found:?}")]
    Header { line: usize, found: String },
    #[error("line {line}: expected two cells `date,price`, got {found:?}")]
    Columns { line: usize, found: String },
    #[error("line {line}: {found:?} is not a date (YYYY-MM-DD)")]
    Date { line: usize, found: String },
    #[error("line {line}: {found:?} is not a number")]
    Number { line: usize, found: String },
    #[error("line {line}: {source}")]
    Price { line: usize, source: PriceError },
    #[error("line {line}: {day} is given twice (first on line {first_line})")]
    Duplicate { line: usize, first_line: usize, day: NaiveDate },
}

/// A price file's content: its prices in file order and the days it had no price for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedPrices {
    pub points: Vec<PricePoint>,
    /// Days whose price cell was blank, in file order; they were skipped.
    pub blank_days: Vec<NaiveDate>,
}

/// Checks a price against [`PRICE_RANGE`].
pub fn validate_price(point: &PricePoint) -> Result<(), PriceError> {
    let PricePoint { commodity, day, price } = *point;
    if !price.is_finite() {
        return Err(PriceError::NotFinite { commodity, day, price });
    }
    if !PRICE_RANGE.contains(&price) {
        return Err(PriceError::OutOfRange { commodity, day, price });
    }
    Ok(())
}

/// The prices of an EIA daily price file (`Date,Price`), blank cells skipped. See [`parse_eia_csv_with_blanks`] for
/// the days that were skipped.
pub fn parse_eia_csv(commodity: Commodity, text: &str) -> Result<Vec<PricePoint>, PriceParseError> {
    parse_eia_csv_with_blanks(commodity, text).map(|p| p.points)
}

/// The prices of an EIA daily price file and the days whose price cell was blank (see the module documentation).
pub fn parse_eia_csv_with_blanks(commodity: Commodity, text: &str) -> Result<ParsedPrices, PriceParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty());
    let (header_line, header) = lines.next().ok_or(PriceParseError::Empty)?;
    let is_header =
        matches!(split_two(header), Some((d, p)) if d.eq_ignore_ascii_case("date") && p.eq_ignore_ascii_case("price"));
    if !is_header {
        return Err(PriceParseError::Header { line: header_line, found: header.to_string() });
    }
    let mut points = Vec::new();
    let mut blank_days = Vec::new();
    let mut seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (line, content) in lines {
        let (date, price) =
            split_two(content).ok_or_else(|| PriceParseError::Columns { line, found: content.to_string() })?;
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| PriceParseError::Date { line, found: date.to_string() })?;
        if let Some(&first_line) = seen.get(&day) {
            return Err(PriceParseError::Duplicate { line, first_line, day });
        }
        seen.insert(day, line);
        if price.is_empty() {
            blank_days.push(day);
            continue;
        }
        let price: f64 = price.parse().map_err(|_| PriceParseError::Number { line, found: price.to_string() })?;
        let point = PricePoint { commodity, day, price };
        validate_price(&point).map_err(|source| PriceParseError::Price { line, source })?;
        points.push(point);
    }
    Ok(ParsedPrices { points, blank_days })
}

/// `a,b` as two trimmed cells; `None` for any other number of cells.
fn split_two(line: &str) -> Option<(&str, &str)> {
    let (a, b) = line.split_once(',')?;
    if b.contains(',') {
        return None;
    }
    Some((a.trim(), b.trim()))
}

/// What an update changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UpsertSummary {
    /// Days that had no price before.
    pub inserted: usize,
    /// Days whose price was replaced (also when the new price equals the old one).
    pub replaced: usize,
}

/// Dated prices per commodity. Every price in it passed [`validate_price`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PriceTable {
    wti: BTreeMap<NaiveDate, f64>,
    henry_hub: BTreeMap<NaiveDate, f64>,
}

impl PriceTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// A table holding `points` (see [`PriceTable::upsert`]).
    pub fn from_points(points: &[PricePoint]) -> Result<Self, PriceError> {
        let mut table = Self::new();
        table.upsert(points)?;
        Ok(table)
    }

    /// The table seeded from the two EIA daily files (`assets/prices/wti-daily.csv`, `henry-hub-daily.csv`).
    pub fn from_eia_csv(wti_csv: &str, henry_hub_csv: &str) -> Result<Self, PriceParseError> {
        let mut table = Self::new();
        for (commodity, text) in [(Commodity::Wti, wti_csv), (Commodity::HenryHub, henry_hub_csv)] {
            for p in parse_eia_csv(commodity, text)? {
                // Parsed points are validated already.
                table.series_mut(commodity).insert(p.day, p.price);
            }
        }
        Ok(table)
    }

    fn series(&self, commodity: Commodity) -> &BTreeMap<NaiveDate, f64> {
        match commodity {
            Commodity::Wti => &self.wti,
            Commodity::HenryHub => &self.henry_hub,
        }
    }

    fn series_mut(&mut self, commodity: Commodity) -> &mut BTreeMap<NaiveDate, f64> {
        match commodity {
            Commodity::Wti => &mut self.wti,
            Commodity::HenryHub => &mut self.henry_hub,
        }
    }

    /// Adds or replaces prices. All points are validated first; on an error nothing changes.
    pub fn upsert(&mut self, points: &[PricePoint]) -> Result<UpsertSummary, PriceError> {
        for p in points {
            validate_price(p)?;
        }
        let mut summary = UpsertSummary::default();
        for p in points {
            match self.series_mut(p.commodity).insert(p.day, p.price) {
                None => summary.inserted += 1,
                Some(_) => summary.replaced += 1,
            }
        }
        Ok(summary)
    }

    /// The latest price on or before `day`; `None` before the commodity's first price.
    pub fn price_on(&self, commodity: Commodity, day: NaiveDate) -> Option<PriceQuote> {
        let (&effective_day, &price) = self.series(commodity).range(..=day).next_back()?;
        Some(PriceQuote { commodity, price, day, effective_day, age_days: (day - effective_day).num_days() })
    }

    /// The price recorded for exactly `day`, without falling back to an earlier day.
    pub fn exact(&self, commodity: Commodity, day: NaiveDate) -> Option<f64> {
        self.series(commodity).get(&day).copied()
    }

    /// The first and last days with a price.
    pub fn range(&self, commodity: Commodity) -> Option<(NaiveDate, NaiveDate)> {
        let s = self.series(commodity);
        Some((*s.keys().next()?, *s.keys().next_back()?))
    }

    /// How many days have a price.
    pub fn len(&self, commodity: Commodity) -> usize {
        self.series(commodity).len()
    }

    /// No price for either commodity.
    pub fn is_empty(&self) -> bool {
        self.wti.is_empty() && self.henry_hub.is_empty()
    }

    /// The prices of one commodity, oldest first.
    pub fn points(&self, commodity: Commodity) -> impl Iterator<Item = PricePoint> + '_ {
        self.series(commodity).iter().map(move |(&day, &price)| PricePoint { commodity, day, price })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const WTI_FILE: &str = include_str!("../../../assets/prices/wti-daily.csv");
    const HENRY_HUB_FILE: &str = include_str!("../../../assets/prices/henry-hub-daily.csv");

    const SNIPPET: &str = "Date,Price\r\n2020-04-17,18.31\r\n2020-04-20,-36.98\r\n2020-04-21,\r\n2020-04-22,13.64\r\n";

    #[test]
    fn parser_reads_a_snippet_with_a_negative_price_and_a_blank_cell() {
        let parsed = parse_eia_csv_with_blanks(Commodity::Wti, SNIPPET).unwrap();
        assert_eq!(
            parsed.points,
            vec![
                PricePoint::new(Commodity::Wti, d(2020, 4, 17), 18.31),
                PricePoint::new(Commodity::Wti, d(2020, 4, 20), -36.98),
                PricePoint::new(Commodity::Wti, d(2020, 4, 22), 13.64),
            ]
        );
        assert_eq!(parsed.blank_days, vec![d(2020, 4, 21)]);
        assert_eq!(parse_eia_csv(Commodity::Wti, SNIPPET).unwrap().len(), 3);
    }

    #[test]
    fn parser_accepts_lf_a_bom_spaces_and_empty_lines() {
        let text = "\u{feff}date , price\n\n 2024-06-03 , 75.26 \n2024-06-04,74.27";
        let points = parse_eia_csv(Commodity::Wti, text).unwrap();
        assert_eq!(points.len(), 2);
        assert_eq!(points[0], PricePoint::new(Commodity::Wti, d(2024, 6, 3), 75.26));
    }

    #[test]
    fn parser_names_the_bad_line() {
        let bad_date = "Date,Price\n2020-04-17,18.31\n2020-13-01,20\n";
        assert_eq!(
            parse_eia_csv(Commodity::Wti, bad_date),
            Err(PriceParseError::Date { line: 3, found: "2020-13-01".into() })
        );
        let bad_number = "Date,Price\r\n2020-04-17,18.31\r\n2020-04-20,-36.98\r\n2020-04-21,12..5\r\n";
        let err = parse_eia_csv(Commodity::Wti, bad_number).unwrap_err();
        assert_eq!(err, PriceParseError::Number { line: 4, found: "12..5".into() });
        assert_eq!(err.to_string(), "line 4: \"12..5\" is not a number");
        assert_eq!(
            parse_eia_csv(Commodity::Wti, "Date,Price\n2020-04-17,18.31,x\n"),
            Err(PriceParseError::Columns { line: 2, found: "2020-04-17,18.31,x".into() })
        );
        assert_eq!(
            parse_eia_csv(Commodity::Wti, "Date,Price\n2020-04-17\n"),
            Err(PriceParseError::Columns { line: 2, found: "2020-04-17".into() })
        );
        assert!(matches!(
            parse_eia_csv(Commodity::Wti, "Date,Price\n2020-04-17,NaN\n"),
            Err(PriceParseError::Price { line: 2, source: PriceError::NotFinite { .. } })
        ));
        assert!(matches!(
            parse_eia_csv(Commodity::HenryHub, "Date,Price\n2020-04-17,1500\n"),
            Err(PriceParseError::Price { line: 2, source: PriceError::OutOfRange { .. } })
        ));
        assert_eq!(
            parse_eia_csv(Commodity::Wti, "Date,Price\n2020-04-17,18\n2020-04-17,19\n"),
            Err(PriceParseError::Duplicate { line: 3, first_line: 2, day: d(2020, 4, 17) })
        );
    }

    #[test]
    fn parser_requires_the_header() {
        assert_eq!(parse_eia_csv(Commodity::Wti, ""), Err(PriceParseError::Empty));
        assert_eq!(parse_eia_csv(Commodity::Wti, "\r\n \n"), Err(PriceParseError::Empty));
        assert_eq!(
            parse_eia_csv(Commodity::Wti, "2020-04-17,18.31\n"),
            Err(PriceParseError::Header { line: 1, found: "2020-04-17,18.31".into() })
        );
        assert_eq!(parse_eia_csv(Commodity::Wti, "Date,Price\n").unwrap(), vec![]);
    }

    fn friday_monday_table() -> PriceTable {
        // 2024-05-31 is a Friday, 2024-06-03 the Monday after.
        PriceTable::from_points(&[
            PricePoint::new(Commodity::Wti, d(2024, 5, 31), 76.99),
            PricePoint::new(Commodity::Wti, d(2024, 6, 3), 75.26),
            PricePoint::new(Commodity::HenryHub, d(2024, 6, 3), 2.71),
        ])
        .unwrap()
    }

    #[test]
    fn price_on_a_weekend_is_the_previous_trading_day() {
        let t = friday_monday_table();
        let sunday = t.price_on(Commodity::Wti, d(2024, 6, 2)).unwrap();
        assert_eq!(
            sunday,
            PriceQuote {
                commodity: Commodity::Wti,
                price: 76.99,
                day: d(2024, 6, 2),
                effective_day: d(2024, 5, 31),
                age_days: 2
            }
        );
        assert_eq!(sunday.unit(), "USD/bbl");
        let monday = t.price_on(Commodity::Wti, d(2024, 6, 3)).unwrap();
        assert_eq!((monday.price, monday.age_days), (75.26, 0));
        // After the last price: the last one, with its age.
        let later = t.price_on(Commodity::HenryHub, d(2024, 6, 13)).unwrap();
        assert_eq!((later.price, later.effective_day, later.age_days), (2.71, d(2024, 6, 3), 10));
    }

    #[test]
    fn price_on_before_the_first_price_is_none() {
        let t = friday_monday_table();
        assert_eq!(t.price_on(Commodity::Wti, d(2024, 5, 30)), None);
        assert_eq!(t.price_on(Commodity::HenryHub, d(2024, 6, 2)), None, "gas starts later than oil");
        assert_eq!(PriceTable::new().price_on(Commodity::Wti, d(2024, 6, 3)), None);
    }

    #[test]
    fn upsert_replaces_a_day_and_inserts_new_ones() {
        let mut t = friday_monday_table();
        let s = t
            .upsert(&[
                PricePoint::new(Commodity::Wti, d(2024, 6, 3), 74.0),
                PricePoint::new(Commodity::Wti, d(2024, 6, 4), 74.27),
            ])
            .unwrap();
        assert_eq!(s, UpsertSummary { inserted: 1, replaced: 1 });
        assert_eq!(t.exact(Commodity::Wti, d(2024, 6, 3)), Some(74.0));
        assert_eq!(t.price_on(Commodity::Wti, d(2024, 6, 3)).unwrap().price, 74.0);
        assert_eq!(t.len(Commodity::Wti), 3);
        assert_eq!(t.exact(Commodity::HenryHub, d(2024, 6, 3)), Some(2.71), "the other commodity is untouched");
    }

    #[test]
    fn upsert_accepts_negative_prices_and_rejects_insane_ones_without_a_partial_write() {
        let mut t = friday_monday_table();
        let before = t.clone();
        let err = t
            .upsert(&[
                PricePoint::new(Commodity::Wti, d(2024, 6, 4), 80.0),
                PricePoint::new(Commodity::Wti, d(2024, 6, 5), 1000.01),
            ])
            .unwrap_err();
        assert_eq!(err, PriceError::OutOfRange { commodity: Commodity::Wti, day: d(2024, 6, 5), price: 1000.01 });
        assert_eq!(t, before, "nothing was written");
        assert!(t.upsert(&[PricePoint::new(Commodity::HenryHub, d(2024, 6, 4), f64::INFINITY)]).is_err());
        assert!(t.upsert(&[PricePoint::new(Commodity::Wti, d(2024, 6, 4), -100.01)]).is_err());
        assert_eq!(t, before);
        // The edges of the range and a negative WTI are fine.
        let s = t
            .upsert(&[
                PricePoint::new(Commodity::Wti, d(2020, 4, 20), -36.98),
                PricePoint::new(Commodity::Wti, d(2024, 6, 5), 1000.0),
                PricePoint::new(Commodity::HenryHub, d(2024, 6, 5), -100.0),
            ])
            .unwrap();
        assert_eq!(s.inserted, 3);
        assert_eq!(t.price_on(Commodity::Wti, d(2020, 4, 21)).unwrap().price, -36.98);
    }

    #[test]
    fn serde_uses_snake_case() {
        assert_eq!(serde_json::to_string(&Commodity::HenryHub).unwrap(), "\"henry_hub\"");
        let q = friday_monday_table().price_on(Commodity::Wti, d(2024, 6, 2)).unwrap();
        let v = serde_json::to_value(q).unwrap();
        assert_eq!(v["effective_day"], "2024-05-31");
        assert_eq!(v["age_days"], 2);
        assert_eq!(v["commodity"], "wti");
    }

    #[test]
    fn real_wti_file_parses_with_its_negative_day() {
        let parsed = parse_eia_csv_with_blanks(Commodity::Wti, WTI_FILE).unwrap();
        assert_eq!(parsed.points.len(), 10_226);
        assert!(parsed.blank_days.is_empty());
        assert!(parsed.points.contains(&PricePoint::new(Commodity::Wti, d(2020, 4, 20), -36.98)));
        let t = PriceTable::from_eia_csv(WTI_FILE, HENRY_HUB_FILE).unwrap();
        assert_eq!(t.exact(Commodity::Wti, d(2024, 6, 3)), Some(75.26));
        assert_eq!(t.price_on(Commodity::Wti, d(2024, 6, 3)).unwrap().age_days, 0);
        assert_eq!(t.range(Commodity::Wti), Some((d(1986, 1, 2), d(2026, 8, 18))));
        assert_eq!(t.price_on(Commodity::Wti, d(1986, 1, 1)), None);
    }

    #[test]
    fn real_henry_hub_file_skips_its_blank_day() {
        let parsed = parse_eia_csv_with_blanks(Commodity::HenryHub, HENRY_HUB_FILE).unwrap();
        assert_eq!(parsed.blank_days, vec![d(2018, 1, 5)]);
        assert_eq!(parsed.points.len(), 7_436);
        let t = PriceTable::from_eia_csv(WTI_FILE, HENRY_HUB_FILE).unwrap();
        let q = t.price_on(Commodity::HenryHub, d(2018, 1, 5)).unwrap();
        assert_eq!((q.price, q.effective_day, q.age_days), (4.65, d(2018, 1, 4), 1));
        assert!(t.price_on(Commodity::HenryHub, d(2024, 6, 3)).is_some());
        assert_eq!(t.range(Commodity::HenryHub).map(|r| r.0), Some(d(1997, 1, 7)));
    }
}
