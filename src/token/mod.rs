//! Token formats, with no platform knowledge: compact JWS and the OpenTok legacy `T1==` token.

pub mod claims;
pub mod jwt;
pub mod opentok_t1;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

pub use claims::{ClaimValue, Claims};
pub use jwt::{Jwt, Signer, VerifyKey};
pub use opentok_t1::T1;

/// A token decoded as far as it goes, whatever its signature or times.
#[derive(Clone, Debug, PartialEq)]
pub enum Decoded {
    Jwt(Jwt),
    T1(T1),
}

/// Detects the format and decodes. The error is one sentence for the user.
pub fn inspect(text: &str) -> Result<Decoded, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("there is no token: the input is empty".into());
    }
    let result = if trimmed.starts_with(opentok_t1::PREFIX) {
        opentok_t1::decode(trimmed).map(Decoded::T1)
    } else {
        jwt::decode(trimmed).map(Decoded::Jwt)
    };
    result.map_err(|reason| format!("this is not a token: {reason}"))
}

/// Whether the signature was checked, and how it came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Signature {
    Valid,
    Invalid,
    /// No key was at hand: never reported as invalid.
    Unverified,
}

impl Signature {
    pub fn label(self) -> &'static str {
        match self {
            Signature::Valid => "valid",
            Signature::Invalid => "invalid",
            Signature::Unverified => "unverified",
        }
    }
}

impl Decoded {
    /// `jwt` or `opentok-t1`, as in the JSON output.
    pub fn format(&self) -> &'static str {
        match self {
            Decoded::Jwt(_) => "jwt",
            Decoded::T1(_) => "opentok-t1",
        }
    }

    /// The prefix of the rule ids about the format itself (`jwt.expired`, `t1.expired`).
    pub fn rule_prefix(&self) -> &'static str {
        match self {
            Decoded::Jwt(_) => "jwt",
            Decoded::T1(_) => "t1",
        }
    }

    pub fn header(&self) -> Option<&Value> {
        match self {
            Decoded::Jwt(jwt) => Some(&jwt.header),
            Decoded::T1(_) => None,
        }
    }

    /// The claims: a JWT's payload, or a T1 token's data fields and `partner_id`.
    pub fn claims(&self) -> Value {
        match self {
            Decoded::Jwt(jwt) => jwt.claims.clone(),
            Decoded::T1(t1) => {
                let mut map = Map::new();
                map.insert("partner_id".into(), Value::String(t1.partner_id.clone()));
                for (key, value) in &t1.fields {
                    map.insert(key.clone(), Value::String(value.clone()));
                }
                Value::Object(map)
            }
        }
    }

    /// A claim or data field by name.
    pub fn claim(&self, name: &str) -> Option<Value> {
        match self {
            Decoded::Jwt(jwt) => jwt.claim(name).cloned(),
            Decoded::T1(t1) if name == "partner_id" => Some(Value::String(t1.partner_id.clone())),
            Decoded::T1(t1) => t1.field(name).map(|v| Value::String(v.to_string())),
        }
    }

    pub fn claim_str(&self, name: &str) -> Option<String> {
        self.claim(name)
            .and_then(|v| v.as_str().map(str::to_string))
    }

    /// The issue time: `iat`, or a T1 token's `create_time`. Numeric strings count, since a
    /// token with `"iat": "1700000000"` still has an issue time (the rules flag the type).
    pub fn issued_at(&self) -> Option<DateTime<Utc>> {
        self.time_claim(match self {
            Decoded::Jwt(_) => "iat",
            Decoded::T1(_) => "create_time",
        })
    }

    /// The expiry: `exp`, or a T1 token's `expire_time`.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.time_claim(match self {
            Decoded::Jwt(_) => "exp",
            Decoded::T1(_) => "expire_time",
        })
    }

    pub fn not_before(&self) -> Option<DateTime<Utc>> {
        match self {
            Decoded::Jwt(_) => self.time_claim("nbf"),
            Decoded::T1(_) => None,
        }
    }

    pub fn time_claim(&self, name: &str) -> Option<DateTime<Utc>> {
        seconds_of(&self.claim(name)?).and_then(|s| DateTime::from_timestamp(s, 0))
    }

    /// The algorithm as written, for display: a JWT's `alg`, or HMAC-SHA1 for T1.
    pub fn algorithm_label(&self) -> String {
        match self {
            Decoded::Jwt(jwt) => jwt.alg_name().unwrap_or("(no alg)").to_string(),
            Decoded::T1(_) => "HMAC-SHA1".into(),
        }
    }

    pub fn verify(&self, key: &VerifyKey) -> bool {
        match (self, key) {
            (Decoded::Jwt(jwt), key) => jwt.verify(key),
            (Decoded::T1(t1), VerifyKey::Secret(secret)) => t1.verify(secret),
            (Decoded::T1(_), VerifyKey::Public(_)) => false,
        }
    }
}

/// Seconds from a JSON number (fractions dropped) or a numeric string.
pub fn seconds_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format_and_explains_garbage() {
        assert_eq!(inspect("eyJhbGciOiJub25lIn0.e30.").unwrap().format(), "jwt");
        let t1 = opentok_t1::encode(
            "1",
            &crate::secret::Secret::new("k"),
            &[("create_time", "5".into())],
        );
        let decoded = inspect(&t1).unwrap();
        assert_eq!(decoded.format(), "opentok-t1");
        assert_eq!(decoded.issued_at().unwrap().timestamp(), 5);
        assert_eq!(decoded.claims()["partner_id"], "1");
        assert!(decoded.header().is_none());
        assert_eq!(
            inspect("  ").unwrap_err(),
            "there is no token: the input is empty"
        );
        assert!(
            inspect("not a token")
                .unwrap_err()
                .starts_with("this is not a token: ")
        );
    }

    #[test]
    fn times_from_numbers_and_numeric_strings() {
        assert_eq!(seconds_of(&serde_json::json!(12)), Some(12));
        assert_eq!(seconds_of(&serde_json::json!(12.7)), Some(12));
        assert_eq!(seconds_of(&serde_json::json!("12")), Some(12));
        assert_eq!(seconds_of(&serde_json::json!(null)), None);
        assert_eq!(seconds_of(&serde_json::json!(1e300)), Some(i64::MAX));
    }
}
