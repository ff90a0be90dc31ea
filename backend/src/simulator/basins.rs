//! The basins the simulated wells are placed in: their counties (with API county codes and a box inside each
//! county), fields, lease-name styles and basin-typical decline, fluid and pressure parameters.
//!
//! API county codes are the FIPS county codes, which the API numbering system uses (Texas = state 42, North Dakota
//! = 33). The boxes are conservative rectangles inside each county (not its full extent), so that every simulated
//! surface location lies in the county it is filed under. Parameter ranges are typical of horizontal shale wells in
//! each play (public operator presentations and state production data, rounded): they make plausible data, not a
//! reservoir study.

/// A county: its name as written on a well record, API county code and a box inside it.
#[derive(Debug, Clone, Copy)]
pub struct County {
    pub name: &'static str,
    /// Three-digit API (FIPS) county code.
    pub api_code: u32,
    /// Latitude range (degrees north) of a box inside the county.
    pub lat: (f64, f64),
    /// Longitude range (degrees east, negative west) of a box inside the county.
    pub lon: (f64, f64),
    /// First five-digit API well sequence number handed out in this county (recent horizontal wells are numbered
    /// in this range).
    pub api_sequence_start: u32,
}

impl County {
    pub fn contains(&self, latitude: f64, longitude: f64) -> bool {
        (self.lat.0..=self.lat.1).contains(&latitude) && (self.lon.0..=self.lon.1).contains(&longitude)
    }
}

/// A producing field (a trend of the play) and the counties of the basin it spans.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub name: &'static str,
    /// Indices into the basin's `counties`.
    pub counties: &'static [usize],
    /// Share of the field's wells classified as gas wells (gas-condensate window).
    pub gas_well_share: f64,
}

/// How a basin's lease names are built from its `lease_names`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseStyle {
    /// Texas Permian units named after two sections: `Scharbauer 14-23`.
    Sections,
    /// Eagle Ford pooled units: `Pawelek Unit 3`.
    Unit,
    /// North Dakota spacing units with township and range: `Lundin 5301 21-13`.
    TownshipRange,
}

/// Uniform ranges the per-well parameters are drawn from.
#[derive(Debug, Clone, Copy)]
pub struct ModelRanges {
    /// Initial (peak) oil rate, bbl/d.
    pub qi: (f64, f64),
    /// Secant-effective first-year decline, fraction.
    pub di_effective: (f64, f64),
    /// Arps hyperbolic exponent.
    pub b: (f64, f64),
    /// Initial producing gas-oil ratio, scf/bbl.
    pub gor: (f64, f64),
    /// Initial water cut, fraction of liquids.
    pub water_cut_initial: (f64, f64),
    /// Water cut the well tends to late in life.
    pub water_cut_final: (f64, f64),
    /// Sales-line (back) pressure, psig.
    pub line_psig: (f64, f64),
    /// Flowing tubing pressure above line pressure at the peak rate of a 1000 bbl/d well, psig.
    pub tubing_drawdown_psig: (f64, f64),
}

/// A basin (play) with everything needed to place and parameterise wells in it.
#[derive(Debug, Clone, Copy)]
pub struct Basin {
    pub name: &'static str,
    /// Two-letter postal code of the state.
    pub state: &'static str,
    /// API state code.
    pub api_state: u32,
    pub counties: &'static [County],
    pub fields: &'static [FieldDef],
    pub lease_names: &'static [&'static str],
    pub lease_style: LeaseStyle,
    /// Relative share of the fleet placed in this basin.
    pub weight: f64,
    pub model: ModelRanges,
    /// Whether winter weather (freezes, blizzards) is a common cause of field-wide downtime.
    pub cold_winters: bool,
}

impl Basin {
    /// The smallest box holding the boxes of all the basin's counties: (lat range, lon range).
    pub fn bounding_box(&self) -> ((f64, f64), (f64, f64)) {
        let mut lat = (f64::INFINITY, f64::NEG_INFINITY);
        let mut lon = (f64::INFINITY, f64::NEG_INFINITY);
        for c in self.counties {
            lat = (lat.0.min(c.lat.0), lat.1.max(c.lat.1));
            lon = (lon.0.min(c.lon.0), lon.1.max(c.lon.1));
        }
        (lat, lon)
    }
}

const fn county(
    name: &'static str,
    api_code: u32,
    lat: (f64, f64),
    lon: (f64, f64),
    api_sequence_start: u32,
) -> County {
    County { name, api_code, lat, lon, api_sequence_start }
}

/// Permian Basin, Midland sub-basin (Spraberry / Wolfcamp), Texas.
const MIDLAND_COUNTIES: &[County] = &[
    county("Midland", 329, (31.70, 32.05), (-102.25, -101.80), 40_000),
    county("Martin", 317, (32.12, 32.49), (-102.17, -101.73), 40_000),
    county("Howard", 227, (32.12, 32.48), (-101.65, -101.22), 39_000),
    county("Glasscock", 173, (31.70, 32.05), (-101.74, -101.30), 38_000),
    county("Upton", 461, (31.10, 31.60), (-102.25, -101.82), 40_000),
];

/// Permian Basin, Delaware sub-basin (Wolfcamp / Bone Spring), Texas.
const DELAWARE_COUNTIES: &[County] = &[
    county("Reeves", 389, (31.05, 31.50), (-103.95, -103.62), 32_000),
    county("Loving", 301, (31.78, 31.98), (-103.75, -103.38), 33_000),
    county("Ward", 475, (31.45, 31.60), (-103.20, -102.90), 35_000),
];

/// Eagle Ford shale, South Texas.
const EAGLE_FORD_COUNTIES: &[County] = &[
    county("Karnes", 255, (28.72, 29.02), (-98.05, -97.70), 31_000),
    county("DeWitt", 123, (28.90, 29.25), (-97.50, -97.12), 32_000),
    county("Gonzales", 177, (29.30, 29.68), (-97.70, -97.30), 32_000),
    county("La Salle", 283, (28.10, 28.60), (-99.38, -98.85), 34_000),
];

/// Williston Basin, Bakken / Three Forks, North Dakota.
const BAKKEN_COUNTIES: &[County] = &[
    county("McKenzie", 53, (47.45, 47.95), (-103.95, -103.00), 3_000),
    county("Mountrail", 61, (48.00, 48.55), (-102.80, -102.05), 1_000),
    county("Williams", 105, (48.18, 48.58), (-103.95, -103.00), 2_000),
    county("Dunn", 25, (47.20, 47.60), (-102.95, -102.25), 1_500),
];

/// Every basin of the simulator. The fields of all basins together are numbered in this order (see
/// [`field_count`]); there are at most [`MAX_FIELDS`] of them.
pub const BASINS: &[Basin] = &[
    Basin {
        name: "Permian - Midland Basin",
        state: "TX",
        api_state: 42,
        counties: MIDLAND_COUNTIES,
        fields: &[
            FieldDef { name: "Spraberry", counties: &[0, 1, 2, 3, 4], gas_well_share: 0.0 },
            FieldDef { name: "Wolfcamp", counties: &[0, 1, 3, 4], gas_well_share: 0.0 },
        ],
        lease_names: &[
            "University",
            "Scharbauer",
            "Cowden",
            "Fasken",
            "Mabee",
            "Tippett",
            "Bradford",
            "Hutt",
            "Windham",
            "Estes",
            "Driver",
            "Schrock",
            "Brunson",
            "Blocker",
            "Calverley",
            "Bohannon",
            "Sale Ranch",
            "Tarzan",
            "Guitar",
            "Glass",
            "Epley",
            "Hamman",
            "Woody",
            "Rocker B",
        ],
        lease_style: LeaseStyle::Sections,
        weight: 0.30,
        model: ModelRanges {
            qi: (450.0, 1100.0),
            di_effective: (0.60, 0.75),
            b: (0.9, 1.3),
            gor: (700.0, 1300.0),
            water_cut_initial: (0.35, 0.55),
            water_cut_final: (0.60, 0.80),
            line_psig: (80.0, 150.0),
            tubing_drawdown_psig: (700.0, 1300.0),
        },
        cold_winters: false,
    },
    Basin {
        name: "Permian - Delaware Basin",
        state: "TX",
        api_state: 42,
        counties: DELAWARE_COUNTIES,
        fields: &[
            FieldDef { name: "Phantom (Wolfcamp)", counties: &[0, 1, 2], gas_well_share: 0.05 },
            FieldDef { name: "Bone Spring", counties: &[0, 1, 2], gas_well_share: 0.0 },
        ],
        lease_names: &[
            "State",
            "Orla",
            "Monroe",
            "Tarpon",
            "Arno",
            "Mentone",
            "Coyanosa",
            "Toyah",
            "Barstow",
            "Grisham",
            "Hawkeye",
            "Porter",
            "Brushy Draw",
            "Red Bluff",
            "Pecos Valley",
            "Collie",
            "Saragosa",
            "Wickett",
            "Quito",
            "Worsham",
        ],
        lease_style: LeaseStyle::Sections,
        weight: 0.25,
        model: ModelRanges {
            qi: (700.0, 1500.0),
            di_effective: (0.68, 0.82),
            b: (1.0, 1.4),
            gor: (1200.0, 2500.0),
            water_cut_initial: (0.45, 0.65),
            water_cut_final: (0.70, 0.85),
            line_psig: (100.0, 200.0),
            tubing_drawdown_psig: (1200.0, 2500.0),
        },
        cold_winters: false,
    },
    Basin {
        name: "Eagle Ford",
        state: "TX",
        api_state: 42,
        counties: EAGLE_FORD_COUNTIES,
        fields: &[
            FieldDef { name: "Eagle Ford", counties: &[0, 1, 2, 3], gas_well_share: 0.0 },
            FieldDef { name: "Sugarkane", counties: &[0, 1], gas_well_share: 0.35 },
        ],
        lease_names: &[
            "Pawelek",
            "Kowalik",
            "Kotara",
            "Yanta",
            "Moczygemba",
            "Jendrusch",
            "Dziuk",
            "Hoffmann",
            "Kittleman",
            "Burrow",
            "Hickok",
            "Sweeney",
            "Boothe",
            "Weston",
            "Ruckman Ranch",
            "Schendel",
            "Bolf",
            "Lyssy",
            "Olenick",
            "Pruski",
            "Zaiontz",
            "Korth",
        ],
        lease_style: LeaseStyle::Unit,
        weight: 0.25,
        model: ModelRanges {
            qi: (400.0, 1200.0),
            di_effective: (0.70, 0.85),
            b: (0.8, 1.2),
            gor: (600.0, 1800.0),
            water_cut_initial: (0.10, 0.25),
            water_cut_final: (0.25, 0.45),
            line_psig: (100.0, 250.0),
            tubing_drawdown_psig: (1200.0, 2400.0),
        },
        cold_winters: false,
    },
    Basin {
        name: "Williston - Bakken",
        state: "ND",
        api_state: 33,
        counties: BAKKEN_COUNTIES,
        fields: &[
            FieldDef { name: "Bakken", counties: &[0, 2, 3], gas_well_share: 0.0 },
            FieldDef { name: "Sanish", counties: &[1], gas_well_share: 0.0 },
            FieldDef { name: "Parshall", counties: &[1], gas_well_share: 0.0 },
        ],
        lease_names: &[
            "Fossum",
            "Lundin",
            "Nelson",
            "Olson",
            "Hanson",
            "Larson",
            "Rolfson",
            "Bergstrom",
            "Skarphol",
            "Haugen",
            "Voigt",
            "Lindvig",
            "Sorenson",
            "Bakke",
            "Moen",
            "Holstad",
            "Thorson",
            "Wold",
            "Solberg",
            "Kline Federal",
        ],
        lease_style: LeaseStyle::TownshipRange,
        weight: 0.20,
        model: ModelRanges {
            qi: (500.0, 1300.0),
            di_effective: (0.62, 0.78),
            b: (0.9, 1.3),
            gor: (700.0, 1400.0),
            water_cut_initial: (0.30, 0.45),
            water_cut_final: (0.45, 0.65),
            line_psig: (50.0, 120.0),
            tubing_drawdown_psig: (800.0, 1800.0),
        },
        cold_winters: true,
    },
];

/// Upper bound of the number of fields over all basins (fixed-size per-day tables use it).
pub const MAX_FIELDS: usize = 16;

/// Number of fields over all basins; field ids run from 0 in [`BASINS`] order.
pub const fn field_count() -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < BASINS.len() {
        n += BASINS[i].fields.len();
        i += 1;
    }
    n
}

const _: () = assert!(field_count() <= MAX_FIELDS, "raise MAX_FIELDS");

/// The global id of field `local` of basin `basin`.
pub fn field_id(basin: usize, local: usize) -> usize {
    BASINS[..basin].iter().map(|b| b.fields.len()).sum::<usize>() + local
}

/// The global id of county `local` of basin `basin` (counties of all basins numbered in [`BASINS`] order).
pub fn county_id(basin: usize, local: usize) -> usize {
    BASINS[..basin].iter().map(|b| b.counties.len()).sum::<usize>() + local
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn simulator_basin_tables_are_consistent() {
        let total_weight: f64 = BASINS.iter().map(|b| b.weight).sum();
        assert!((total_weight - 1.0).abs() < 1e-9);
        for basin in BASINS {
            assert!(matches!((basin.state, basin.api_state), ("TX", 42) | ("ND", 33)), "{}", basin.name);
            for c in basin.counties {
                assert!(c.lat.0 < c.lat.1 && c.lon.0 < c.lon.1, "{}", c.name);
                assert!(
                    (1..1000).contains(&c.api_code) && c.api_code % 2 == 1,
                    "FIPS county codes are odd: {}",
                    c.name
                );
                assert!(c.lat.1 - c.lat.0 > 0.1 && c.lon.1 - c.lon.0 > 0.2, "box of {} too small", c.name);
            }
            for f in basin.fields {
                assert!(!f.counties.is_empty() && f.counties.iter().all(|&i| i < basin.counties.len()), "{}", f.name);
            }
            let m = basin.model;
            assert!(m.qi.1 <= 1500.0 && m.qi.0 >= 100.0);
            assert!(m.b.0 >= 0.8 && m.b.1 <= 1.4);
            assert!(m.water_cut_initial.1 <= m.water_cut_final.0 + 0.1);
        }
        // County boxes of one state must not overlap, so that a location names one county.
        let all: Vec<(&Basin, &County)> = BASINS.iter().flat_map(|b| b.counties.iter().map(move |c| (b, c))).collect();
        for (i, (b1, c1)) in all.iter().enumerate() {
            for (b2, c2) in &all[i + 1..] {
                let overlap = b1.state == b2.state
                    && c1.lat.0 < c2.lat.1
                    && c2.lat.0 < c1.lat.1
                    && c1.lon.0 < c2.lon.1
                    && c2.lon.0 < c1.lon.1;
                assert!(!overlap, "{} and {} overlap", c1.name, c2.name);
            }
        }
    }
}
