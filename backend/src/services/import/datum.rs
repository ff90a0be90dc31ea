//! ED50 to WGS 84, for the Norwegian Offshore Directorate's wellbore coordinates (given in ED50).
//!
//! Method: geocentric translation (EPSG:1133, "ED50 to WGS 84 (1)", the mean for western Europe: dX = -87 m,
//! dY = -98 m, dZ = -121 m). The position is taken to the earth-centred frame on the International 1924 ellipsoid
//! (ED50), shifted, and brought back to latitude/longitude on the WGS 84 ellipsoid. Accuracy is about 10 m in the
//! North Sea, plenty for placing a well on a map; without it every Volve well would be drawn about 100 m off.

/// International 1924 (Hayford) ellipsoid of ED50.
const ED50_A: f64 = 6_378_388.0;
const ED50_F: f64 = 1.0 / 297.0;
/// WGS 84 ellipsoid.
const WGS84_A: f64 = 6_378_137.0;
const WGS84_F: f64 = 1.0 / 298.257_223_563;
/// ED50 -> WGS 84 translation, metres.
const SHIFT: (f64, f64, f64) = (-87.0, -98.0, -121.0);

/// ED50 latitude/longitude (degrees, on the ellipsoid surface) to WGS 84.
pub(crate) fn ed50_to_wgs84(latitude: f64, longitude: f64) -> (f64, f64) {
    let e2 = ED50_F * (2.0 - ED50_F);
    let (phi, lambda) = (latitude.to_radians(), longitude.to_radians());
    let n = ED50_A / (1.0 - e2 * phi.sin().powi(2)).sqrt();
    let x = n * phi.cos() * lambda.cos() + SHIFT.0;
    let y = n * phi.cos() * lambda.sin() + SHIFT.1;
    let z = n * (1.0 - e2) * phi.sin() + SHIFT.2;

    let e2 = WGS84_F * (2.0 - WGS84_F);
    let p = x.hypot(y);
    let mut phi = z.atan2(p * (1.0 - e2));
    for _ in 0..8 {
        let n = WGS84_A / (1.0 - e2 * phi.sin().powi(2)).sqrt();
        let h = p / phi.cos() - n;
        phi = z.atan2(p * (1.0 - e2 * n / (n + h)));
    }
    (phi.to_degrees(), y.atan2(x).to_degrees())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volve_shift_is_about_120_metres_south_west() {
        // Wellbore 15/9-F-12, ED50 58.441714 N 1.887481 E.
        let (lat, lon) = ed50_to_wgs84(58.441714, 1.887481);
        let north_m = (lat - 58.441714) * 111_320.0;
        let east_m = (lon - 1.887481) * 111_320.0 * 58.44_f64.to_radians().cos();
        // The same point in WGS 84 lies about 70 m south and 95 m west (-2.2" latitude, -5.9" longitude): the
        // well-known ED50 offset in the central North Sea.
        assert!((-85.0..-55.0).contains(&north_m), "north shift {north_m} m");
        assert!((-110.0..-80.0).contains(&east_m), "east shift {east_m} m");
    }
}
