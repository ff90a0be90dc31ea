//! Unit conversions between the SI units of foreign data sets and the oilfield units Flowline stores.
//!
//! Standard conditions differ slightly (Norway's Sm3 at 15 °C, the US scf at 60 °F = 15.56 °C); the 0.2 %
//! difference is below the accuracy of allocated volumes and is not corrected.

/// US barrels in one cubic metre (1 bbl = 0.158987294928 m3).
pub const BBL_PER_M3: f64 = 6.289_810_770;
/// Thousand cubic feet in one cubic metre (1 ft3 = 0.028316846592 m3).
pub const MCF_PER_M3: f64 = 0.035_314_666_7;
/// psi in one bar.
pub const PSI_PER_BAR: f64 = 14.503_773_8;

/// Standard cubic metres of liquid to barrels.
pub fn sm3_to_bbl(sm3: f64) -> f64 {
    sm3 * BBL_PER_M3
}

/// Standard cubic metres of gas to Mcf.
pub fn sm3_to_mcf(sm3: f64) -> f64 {
    sm3 * MCF_PER_M3
}

/// bar (gauge) to psig.
pub fn bar_to_psi(bar: f64) -> f64 {
    bar * PSI_PER_BAR
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_match_reference_values() {
        assert!((sm3_to_bbl(1.0) - 1.0 / 0.158_987_294_928).abs() < 1e-6);
        assert!((sm3_to_mcf(1000.0) - 1000.0 / 28.316_846_592).abs() < 1e-6);
        assert!((bar_to_psi(1.0) - 14.503_773_8).abs() < 1e-6);
    }
}
