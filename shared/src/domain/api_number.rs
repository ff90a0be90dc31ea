//! The American Petroleum Institute well number (API-10/12/14).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// API state codes in use: 01-51 for the states (alphabetical, Alaska is 50, Hawaii 51), 55 Alaska offshore,
/// 56 Pacific coast offshore, 60 northern Gulf of Mexico, 61 Atlantic coast offshore.
fn is_known_state_code(code: u32) -> bool {
    matches!(code, 1..=51 | 55 | 56 | 60 | 61)
}

/// A validated API well number, stored as its 14 digits (API-10 and API-12 are padded with `00`: the original
/// wellbore and the original completion).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(
        value_type = String,
        description = "API well number: 14 digits as `SS-CCC-WWWWW-BB-CC` in answers; inputs may give 10, 12 or 14 \
                       digits with or without dashes",
        example = "42-317-12345-00-00"
    )
)]
pub struct ApiNumber([u8; 14]);

impl ApiNumber {
    /// Accepts 10, 12 or 14 digits, with or without dashes or spaces between the groups.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("API number is empty".into());
        }
        let mut digits = Vec::with_capacity(14);
        for ch in trimmed.chars() {
            match ch {
                '0'..='9' => digits.push(ch as u8 - b'0'),
                '-' | ' ' => {}
                _ => return Err(format!("API number may contain only digits and dashes, found {ch:?}")),
            }
        }
        match digits.len() {
            10 | 12 | 14 => {}
            n => return Err(format!("API number must have 10, 12 or 14 digits, found {n}")),
        }
        digits.resize(14, 0);
        let state = u32::from(digits[0]) * 10 + u32::from(digits[1]);
        if !is_known_state_code(state) {
            return Err(format!("API state code {state:02} is not a known state or offshore area"));
        }
        let county = u32::from(digits[2]) * 100 + u32::from(digits[3]) * 10 + u32::from(digits[4]);
        if county == 0 {
            return Err("API county code 000 is not valid".into());
        }
        let mut out = [0u8; 14];
        out.copy_from_slice(&digits);
        Ok(Self(out))
    }

    /// The 14 digits without separators, the stored form.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    pub fn state_code(&self) -> u32 {
        u32::from(self.0[0]) * 10 + u32::from(self.0[1])
    }

    pub fn county_code(&self) -> u32 {
        u32::from(self.0[2]) * 100 + u32::from(self.0[3]) * 10 + u32::from(self.0[4])
    }
}

impl std::fmt::Display for ApiNumber {
    /// `42-317-12345-00-00`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.digits();
        write!(f, "{}-{}-{}-{}-{}", &d[0..2], &d[2..5], &d[5..10], &d[10..12], &d[12..14])
    }
}

impl std::str::FromStr for ApiNumber {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for ApiNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ApiNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_10_12_14_digits_with_and_without_dashes() {
        for input in
            ["4231712345", "42-317-12345", "423171234500", "42-317-12345-00", "42317123450000", "42-317-12345-00-00"]
        {
            let api = ApiNumber::parse(input).unwrap();
            assert_eq!(api.to_string(), "42-317-12345-00-00", "{input}");
            assert_eq!(api.digits(), "42317123450000");
        }
        let api = ApiNumber::parse("33-053-04567-01-02").unwrap();
        assert_eq!(api.to_string(), "33-053-04567-01-02");
        assert_eq!(api.state_code(), 33);
        assert_eq!(api.county_code(), 53);
    }

    #[test]
    fn rejects_malformed_numbers() {
        for bad in ["", "42-317", "4231712345678", "42-317-1234X", "99-317-12345", "42-000-12345", "42/317/12345"] {
            assert!(ApiNumber::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn serde_round_trip_uses_display_form() {
        let api = ApiNumber::parse("4231712345").unwrap();
        let json = serde_json::to_string(&api).unwrap();
        assert_eq!(json, "\"42-317-12345-00-00\"");
        let back: ApiNumber = serde_json::from_str(&json).unwrap();
        assert_eq!(back, api);
        assert!(serde_json::from_str::<ApiNumber>("\"12\"").is_err());
    }
}
