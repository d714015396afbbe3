//! Points and polygons in WGS 84 longitude/latitude, enough for routing a
//! complaint to its district and finding complaints nearby.

use crate::error::Invalid;
use serde::{Deserialize, Serialize};

/// A point on the map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// Why a typed location was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoError {
    OutOfRange,
}

impl GeoPoint {
    /// Validates latitude and longitude ranges (NaN refused).
    pub fn parse(lat: f64, lon: f64) -> Result<Self, GeoError> {
        if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) {
            Ok(Self { lat, lon })
        } else {
            Err(GeoError::OutOfRange)
        }
    }

    /// Great-circle distance in metres (haversine; error well under 1 % at city scale).
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        const R: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().asin()
    }
}

/// A number typed into a coordinate field: any digit script, `.` or the
/// Persian decimal separator `٫`; blank is `None`. `invalid` names the field.
pub fn parse_number(raw: &str, invalid: Invalid) -> Result<Option<f64>, Invalid> {
    let text = crate::model::digits::to_latin(raw.trim()).replace('٫', ".");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or(invalid)
}

/// Where a complaint is: both coordinates or neither, in range.
pub fn point_from(lat: Option<f64>, lon: Option<f64>) -> Result<Option<GeoPoint>, Invalid> {
    match (lat, lon) {
        (Some(lat), Some(lon)) => GeoPoint::parse(lat, lon)
            .map(Some)
            .map_err(|_| Invalid::LocationOutOfRange),
        (None, None) => Ok(None),
        _ => Err(Invalid::LocationIncomplete),
    }
}

/// The device's reported accuracy radius, in metres (0 to 100 km).
pub fn accuracy_from(accuracy_m: Option<f64>) -> Result<Option<f64>, Invalid> {
    match accuracy_m {
        Some(a) if !(0.0..=100_000.0).contains(&a) => Err(Invalid::AccuracyOutOfRange),
        other => Ok(other),
    }
}

/// A polygon as GeoJSON rings of `[lon, lat]`: the first ring is the outer
/// boundary, the others are holes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Polygon(pub Vec<Vec<[f64; 2]>>);

impl Polygon {
    /// Whether `p` lies inside (even–odd rule; holes excluded). Points exactly
    /// on a shared border belong to one of the two neighbours, never to none.
    pub fn contains(&self, p: GeoPoint) -> bool {
        let mut rings = self.0.iter();
        let Some(outer) = rings.next() else {
            return false;
        };
        ring_contains(outer, p) && !rings.any(|hole| ring_contains(hole, p))
    }
}

impl Polygon {
    /// The outer ring's box: min lon, min lat, max lon, max lat.
    pub fn bbox(&self) -> [f64; 4] {
        let outer = self.0.first().map(Vec::as_slice).unwrap_or(&[]);
        outer.iter().fold(
            [f64::MAX, f64::MAX, f64::MIN, f64::MIN],
            |[a, b, c, d], [lon, lat]| [a.min(*lon), b.min(*lat), c.max(*lon), d.max(*lat)],
        )
    }
}

#[cfg(feature = "ssr")]
/// Most districts one import may hold, and most positions in all its rings.
pub const MAX_DISTRICTS: usize = 500;
#[cfg(feature = "ssr")]
pub const MAX_POSITIONS: usize = 500_000;

#[cfg(feature = "ssr")]
/// A district as a GeoJSON import gives it, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictSpec {
    pub code: String,
    pub name: super::complaint::Named,
    pub polygon: Polygon,
}

#[cfg(feature = "ssr")]
#[derive(Deserialize)]
struct FeatureCollection {
    #[serde(rename = "type")]
    kind: String,
    features: Vec<Feature>,
}

#[cfg(feature = "ssr")]
#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[cfg(feature = "ssr")]
#[derive(Deserialize)]
struct Properties {
    code: String,
    name_fa: String,
    #[serde(default)]
    name_en: String,
}

#[cfg(feature = "ssr")]
#[derive(Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: String,
    coordinates: Vec<Vec<[f64; 2]>>,
}

#[cfg(feature = "ssr")]
/// Districts from a GeoJSON `FeatureCollection` of `Polygon` features, each
/// with `code` (2–40 of `a-z`, `0-9`, `-`), `name_fa` and optionally
/// `name_en` properties. Every ring must be closed, have at least four
/// positions and lie on the globe; codes must be unique. Refused whole:
/// `DistrictsFormat` when it is not such a collection, `DistrictsGeometry`
/// for a bad ring, `DistrictsDuplicate` for a repeated code.
pub fn parse_districts(geojson: &str) -> Result<Vec<DistrictSpec>, Invalid> {
    let collection: FeatureCollection =
        serde_json::from_str(geojson).map_err(|_| Invalid::DistrictsFormat)?;
    if collection.kind != "FeatureCollection"
        || collection.features.is_empty()
        || collection.features.len() > MAX_DISTRICTS
    {
        return Err(Invalid::DistrictsFormat);
    }
    let positions: usize = collection
        .features
        .iter()
        .flat_map(|f| f.geometry.coordinates.iter().map(Vec::len))
        .sum();
    if positions > MAX_POSITIONS {
        return Err(Invalid::DistrictsFormat);
    }
    let mut out: Vec<DistrictSpec> = Vec::with_capacity(collection.features.len());
    for f in collection.features {
        let code = f.properties.code.trim().to_owned();
        let code_ok = crate::model::text::is_code(&code);
        let name = crate::model::question::label(
            &f.properties.name_fa,
            &f.properties.name_en,
            Invalid::DistrictsFormat,
        )?;
        if !code_ok {
            return Err(Invalid::DistrictsFormat);
        }
        let rings = f.geometry.coordinates;
        let ring_ok = |ring: &Vec<[f64; 2]>| {
            ring.len() >= 4
                && ring.first() == ring.last()
                && ring.iter().all(|[lon, lat]| {
                    lon.is_finite()
                        && lat.is_finite()
                        && (-180.0..=180.0).contains(lon)
                        && (-90.0..=90.0).contains(lat)
                })
        };
        if f.geometry.kind != "Polygon" || rings.is_empty() || !rings.iter().all(ring_ok) {
            return Err(Invalid::DistrictsGeometry);
        }
        if out.iter().any(|d| d.code == code) {
            return Err(Invalid::DistrictsDuplicate);
        }
        out.push(DistrictSpec {
            code,
            name,
            polygon: Polygon(rings),
        });
    }
    Ok(out)
}

fn ring_contains(ring: &[[f64; 2]], p: GeoPoint) -> bool {
    let (x, y) = (p.lon, p.lat);
    let mut inside = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let [xi, yi] = ring[i];
        let [xj, yj] = ring[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Polygon {
        Polygon(vec![vec![
            [0.0, 0.0],
            [10.0, 0.0],
            [10.0, 10.0],
            [0.0, 10.0],
            [0.0, 0.0],
        ]])
    }

    #[test]
    fn inside_outside_and_holes() {
        let mut poly = square();
        assert!(poly.contains(GeoPoint { lat: 5.0, lon: 5.0 }));
        assert!(!poly.contains(GeoPoint {
            lat: 11.0,
            lon: 5.0
        }));
        poly.0.push(vec![
            [4.0, 4.0],
            [6.0, 4.0],
            [6.0, 6.0],
            [4.0, 6.0],
            [4.0, 4.0],
        ]);
        assert!(!poly.contains(GeoPoint { lat: 5.0, lon: 5.0 }));
        assert!(poly.contains(GeoPoint { lat: 2.0, lon: 2.0 }));
    }

    #[test]
    fn concave_polygon() {
        // A "U": the notch between the arms is outside.
        let u = Polygon(vec![vec![
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 3.0],
            [2.0, 3.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 3.0],
            [0.0, 3.0],
            [0.0, 0.0],
        ]]);
        assert!(!u.contains(GeoPoint { lat: 2.0, lon: 1.5 }));
        assert!(u.contains(GeoPoint { lat: 2.0, lon: 0.5 }));
        assert!(u.contains(GeoPoint { lat: 0.5, lon: 1.5 }));
    }

    #[test]
    fn shared_border_belongs_to_exactly_one_side() {
        let left = Polygon(vec![vec![
            [0.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [0.0, 1.0],
            [0.0, 0.0],
        ]]);
        let right = Polygon(vec![vec![
            [1.0, 0.0],
            [2.0, 0.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 0.0],
        ]]);
        let on_border = GeoPoint { lat: 0.5, lon: 1.0 };
        assert_eq!(
            [left.contains(on_border), right.contains(on_border)]
                .iter()
                .filter(|b| **b)
                .count(),
            1
        );
    }

    #[test]
    fn typed_numbers_in_any_script() {
        let lat = Invalid::LatNotANumber;
        assert_eq!(parse_number(" ۳۶٫۲۵۷۵ ", lat), Ok(Some(36.2575)));
        assert_eq!(parse_number("٣٦.٥", lat), Ok(Some(36.5)));
        assert_eq!(parse_number("", lat), Ok(None));
        for bad in ["abc", "NaN", "inf", "1e999", "36,2"] {
            assert_eq!(parse_number(bad, lat), Err(lat), "{bad}");
        }
        assert_eq!(
            point_from(Some(36.0), None),
            Err(Invalid::LocationIncomplete)
        );
        assert_eq!(
            point_from(Some(136.0), Some(50.0)),
            Err(Invalid::LocationOutOfRange)
        );
        assert_eq!(point_from(None, None), Ok(None));
        assert_eq!(accuracy_from(Some(-1.0)), Err(Invalid::AccuracyOutOfRange));
    }

    proptest::proptest! {
        #[test]
        fn typed_coordinates_round_trip_in_persian_digits(lat in -90.0f64..=90.0, lon in -180.0f64..=180.0) {
            let typed = |v: f64| crate::model::digits::to_persian(&format!("{v:.6}")).replace('.', "٫");
            let lat6 = parse_number(&typed(lat), Invalid::LatNotANumber).ok().flatten();
            let lon6 = parse_number(&typed(lon), Invalid::LonNotANumber).ok().flatten();
            let point = point_from(lat6, lon6).ok().flatten();
            proptest::prop_assert!(point.is_some());
            let p = point.unwrap_or(GeoPoint { lat: 0.0, lon: 0.0 });
            proptest::prop_assert!((p.lat - lat).abs() < 1e-6 && (p.lon - lon).abs() < 1e-6);
        }

        #[test]
        fn distance_is_symmetric_and_non_negative(a in -80.0f64..80.0, b in -170.0f64..170.0, c in -80.0f64..80.0, d in -170.0f64..170.0) {
            let (p, q) = (GeoPoint { lat: a, lon: b }, GeoPoint { lat: c, lon: d });
            let (pq, qp) = (p.distance_m(q), q.distance_m(p));
            proptest::prop_assert!(pq >= 0.0 && (pq - qp).abs() < 1e-6);
            proptest::prop_assert!(pq <= 20_040_000.0, "no further than half the Earth");
        }
    }

    #[test]
    fn ranges_and_distance() {
        assert!(GeoPoint::parse(91.0, 0.0).is_err());
        assert!(GeoPoint::parse(f64::NAN, 0.0).is_err());
        let a = GeoPoint::parse(36.27, 50.0).expect("valid");
        let b = GeoPoint::parse(36.27, 50.01).expect("valid");
        let d = a.distance_m(b);
        assert!((890.0..910.0).contains(&d), "{d}");
    }

    #[test]
    #[cfg(feature = "ssr")]
    fn a_district_import_is_checked_whole() {
        let feature = |code: &str, ring: &str| {
            format!(
                r#"{{"type":"Feature","properties":{{"code":"{code}","name_fa":"منطقه {code}"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#
            )
        };
        let square = "[[0,0],[1,0],[1,1],[0,1],[0,0]]";
        let collection = |features: &[String]| {
            format!(
                r#"{{"type":"FeatureCollection","features":[{}]}}"#,
                features.join(",")
            )
        };
        let got = parse_districts(&collection(&[feature("d1", square), feature("d2", square)]))
            .expect("valid");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].name.en, "منطقه d2", "English falls back to Persian");
        assert_eq!(got[0].polygon.bbox(), [0.0, 0.0, 1.0, 1.0]);
        let open = "[[0,0],[1,0],[1,1],[0,1]]";
        let off_globe = "[[0,0],[1,0],[1,91],[0,1],[0,0]]";
        for bad in [open, off_globe, "[[0,0],[1,0],[0,0]]"] {
            assert_eq!(
                parse_districts(&collection(&[feature("d1", bad)])),
                Err(Invalid::DistrictsGeometry),
                "{bad}"
            );
        }
        assert_eq!(
            parse_districts(&collection(&[feature("d1", square), feature("d1", square)])),
            Err(Invalid::DistrictsDuplicate)
        );
        assert_eq!(
            parse_districts(&collection(&[feature("D 1", square)])),
            Err(Invalid::DistrictsFormat)
        );
        assert_eq!(parse_districts("{}"), Err(Invalid::DistrictsFormat));
        assert_eq!(
            parse_districts(&collection(&[])),
            Err(Invalid::DistrictsFormat)
        );
    }
}
