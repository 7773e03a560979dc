//! Token formats, with no platform knowledge: compact JWS, the OpenTok legacy `T1==` token,
//! Agora's `007`/`006` tokens and the Ably TokenRequest.

pub mod ably_token_request;
pub mod agora;
pub mod claims;
pub mod json;
pub mod jwa;
pub mod jwt;
pub mod keys;
mod mac;
pub mod opentok_t1;
mod words;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

pub use ably_token_request::TokenRequest;
pub use agora::{AccessToken2, AccessToken006};
pub use claims::Claims;
pub use json::ClaimValue;
pub use jwa::{Alg, PrivateKey, PublicKey};
pub use jwt::{Jwt, Signer, VerifyKey};
pub use keys::{Key, KeyError, KeySet};
pub use opentok_t1::T1;

/// A token decoded as far as it goes, whatever its signature or times.
#[derive(Clone, Debug, PartialEq)]
pub enum Decoded {
    Jwt(Jwt),
    T1(T1),
    Agora007(AccessToken2),
    Agora006(AccessToken006),
    AblyTokenRequest(TokenRequest),
}

/// The longest token text tokenbench reads (real tokens are a few KiB): anything longer is
/// refused before it is decoded, so hostile input costs no more than this.
pub const MAX_TOKEN_BYTES: usize = 1024 * 1024;

/// Why a text is not a token; one sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("there is no token: the input is empty")]
    Empty,
    #[error("this is not a token: it is {0} bytes, over the {limit} bytes tokenbench reads", limit = MAX_TOKEN_BYTES)]
    TooLong(usize),
    /// The end of the sentence "this is not a token: …".
    #[error("this is not a token: {0}")]
    Malformed(String),
}

/// Detects the format and decodes.
pub fn inspect(text: &str) -> Result<Decoded, DecodeError> {
    if text.len() > MAX_TOKEN_BYTES {
        return Err(DecodeError::TooLong(text.len()));
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DecodeError::Empty);
    }
    let result = if trimmed.starts_with(opentok_t1::PREFIX) {
        opentok_t1::decode(trimmed).map(Decoded::T1)
    } else if trimmed.starts_with(agora::PREFIX_007) {
        agora::decode_007(trimmed).map(Decoded::Agora007)
    } else if trimmed.starts_with(agora::PREFIX_006) {
        agora::decode_006(trimmed).map(Decoded::Agora006)
    } else if trimmed.starts_with('{') {
        ably_token_request::decode(trimmed).map(Decoded::AblyTokenRequest)
    } else {
        jwt::decode(trimmed).map(Decoded::Jwt)
    };
    result.map_err(|reason| DecodeError::Malformed(reason.to_string()))
}

/// The token inside something pasted around it: a JSON answer of an auth endpoint
/// (`{"token": …}`, `{"signature": …}`, `{"rtcToken": …}` — any string member that decodes as a
/// token), or a URL carrying it in its query (`?token=…`, `?access_token=…`). `None` when the
/// text is not such a wrapper, and when it is a token itself (a TokenRequest is JSON).
pub fn unwrap(text: &str) -> Option<String> {
    let text = text.trim();
    if text.len() > MAX_TOKEN_BYTES {
        return None;
    }
    if text.starts_with('{') {
        if ably_token_request::decode(text).is_ok() {
            return None;
        }
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let object = value.as_object()?;
        return object
            .values()
            .filter_map(serde_json::Value::as_str)
            .find(|candidate| inspect(candidate).is_ok())
            .map(str::to_string);
    }
    let (_, query) = text.split_once('?')?;
    if !text.contains("://") && !text.starts_with('/') {
        return None;
    }
    form_urlencoded::parse(query.split('#').next().unwrap_or_default().as_bytes())
        .filter(|(name, _)| matches!(name.as_ref(), "token" | "access_token" | "jwt" | "auth"))
        .map(|(_, value)| value.into_owned())
        .find(|candidate| inspect(candidate).is_ok())
}

/// Which members of a format's claims hold times, so that they can be shown as dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeFields {
    /// Members holding unix seconds.
    pub absolute: &'static [&'static str],
    /// Members holding seconds after the member `base` (an Agora 007 token's times).
    pub relative: &'static [&'static str],
    pub base: &'static str,
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
    /// `jwt`, `opentok-t1`, `agora-007`, `agora-006` or `ably-token-request`, as in the JSON
    /// output.
    pub fn format(&self) -> &'static str {
        match self {
            Decoded::Jwt(_) => "jwt",
            Decoded::T1(_) => "opentok-t1",
            Decoded::Agora007(_) => "agora-007",
            Decoded::Agora006(_) => "agora-006",
            Decoded::AblyTokenRequest(_) => "ably-token-request",
        }
    }

    /// The prefix of the rule ids about the format itself (`jwt.expired`, `t1.expired`).
    pub fn rule_prefix(&self) -> &'static str {
        match self {
            Decoded::Jwt(_) => "jwt",
            Decoded::T1(_) => "t1",
            Decoded::Agora007(_) | Decoded::Agora006(_) => "agora",
            Decoded::AblyTokenRequest(_) => "ably",
        }
    }

    /// The members of [`Decoded::claims`] that hold times.
    pub fn time_fields(&self) -> TimeFields {
        let absolute = |absolute| TimeFields {
            absolute,
            relative: &[],
            base: "",
        };
        match self {
            Decoded::Jwt(_) => absolute(&["iat", "exp", "nbf"]),
            Decoded::T1(_) => absolute(&["create_time", "expire_time"]),
            Decoded::Agora007(_) => TimeFields {
                absolute: &["issue_ts"],
                relative: &agora::PRIVILEGE_NAMES_AND_EXPIRE,
                base: "issue_ts",
            },
            Decoded::Agora006(_) => absolute(&agora::TIMES_006),
            // Its timestamp is in milliseconds: shown as it is.
            Decoded::AblyTokenRequest(_) => absolute(&[]),
        }
    }

    /// The token's text in its canonical form, when the format has one (a JWT re-joined from
    /// its parts); `None` when the text as given is the token.
    pub fn canonical_text(&self) -> Option<&str> {
        match self {
            Decoded::Jwt(jwt) => Some(jwt.compact()),
            _ => None,
        }
    }

    pub fn header(&self) -> Option<&Value> {
        match self {
            Decoded::Jwt(jwt) => Some(&jwt.header),
            _ => None,
        }
    }

    /// The claims: a JWT's payload, a T1 token's data fields and `partner_id`, an Agora token's
    /// structure, a TokenRequest's fields.
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
            Decoded::Agora007(token) => token.to_json(),
            Decoded::Agora006(token) => token.to_json(),
            Decoded::AblyTokenRequest(request) => Value::Object(request.fields.clone()),
        }
    }

    /// A claim or data field by name (a top-level member of an Agora token's structure).
    pub fn claim(&self, name: &str) -> Option<Value> {
        match self {
            Decoded::Jwt(jwt) => jwt.claim(name).cloned(),
            Decoded::T1(t1) if name == "partner_id" => Some(Value::String(t1.partner_id.clone())),
            Decoded::T1(t1) => t1.field(name).map(|v| Value::String(v.to_string())),
            Decoded::Agora007(_) | Decoded::Agora006(_) => self.claims().get(name).cloned(),
            Decoded::AblyTokenRequest(request) => request.field(name).cloned(),
        }
    }

    pub fn claim_str(&self, name: &str) -> Option<String> {
        self.claim(name)
            .and_then(|v| v.as_str().map(str::to_string))
    }

    /// The issue time: `iat`, a T1 token's `create_time`, a 007 token's `issue_ts` (a 006
    /// token has none), a TokenRequest's `timestamp` (to the second). Numeric strings count, since a token with `"iat": "1700000000"` still
    /// has an issue time (the rules flag the type).
    pub fn issued_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Decoded::Jwt(_) => self.time_claim("iat"),
            Decoded::T1(_) => self.time_claim("create_time"),
            Decoded::Agora007(token) => DateTime::from_timestamp(token.issue_ts.into(), 0),
            Decoded::Agora006(_) => None,
            Decoded::AblyTokenRequest(request) => millis_to_time(request.millis("timestamp")?),
        }
    }

    /// The expiry: `exp`, a T1 token's `expire_time`, for Agora when a new join is refused
    /// (the token's expiry or its join privilege's, whichever is first), for a TokenRequest
    /// `timestamp + ttl` (Ably's default hour without a ttl).
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Decoded::Jwt(_) => self.time_claim("exp"),
            Decoded::T1(_) => self.time_claim("expire_time"),
            Decoded::Agora007(token) => DateTime::from_timestamp(
                i64::from(token.issue_ts) + i64::from(token.join_refused_after()),
                0,
            ),
            Decoded::Agora006(token) => DateTime::from_timestamp(token.join_refused_at().into(), 0),
            Decoded::AblyTokenRequest(request) => millis_to_time(
                request
                    .millis("timestamp")?
                    .checked_add(request.lifetime_ms()?)?,
            ),
        }
    }

    pub fn not_before(&self) -> Option<DateTime<Utc>> {
        match self {
            Decoded::Jwt(_) => self.time_claim("nbf"),
            _ => None,
        }
    }

    /// A claim holding seconds since 1970, as a time; `None` when it is not a number of
    /// seconds, or falls after the year 9999 (no verifier reads such a time).
    pub fn time_claim(&self, name: &str) -> Option<DateTime<Utc>> {
        seconds_of(&self.claim(name)?)
            .filter(|seconds| *seconds <= crate::duration::LATEST_UNIX)
            .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
    }

    /// The algorithm as written, for display: a JWT's `alg`, or the format's MAC.
    pub fn algorithm_label(&self) -> String {
        match self {
            Decoded::Jwt(jwt) => jwt.alg_name().unwrap_or("(no alg)").to_string(),
            Decoded::T1(_) => "HMAC-SHA1".into(),
            Decoded::Agora007(_) | Decoded::Agora006(_) | Decoded::AblyTokenRequest(_) => {
                "HMAC-SHA256".into()
            }
        }
    }

    /// What verifying this token needs besides its key, when the token does not hold it (a 006
    /// token holds only CRC32s of its channel and uid): the end of "to check it, give …".
    pub fn missing_for_verify(&self) -> Option<&'static str> {
        match self {
            Decoded::Agora006(token) if token.channel.is_none() || token.uid.is_none() => Some(
                "the channel and uid it was made for (--topic and --client-id): a 006 token holds only their CRC32s",
            ),
            _ => None,
        }
    }

    /// Whether the format holds its channel and uid only as hashes (a 006 token's CRC32s).
    pub fn hashes_names(&self) -> bool {
        matches!(self, Decoded::Agora006(_))
    }

    /// Gives the token the names it holds only as hashes (a 006 token's channel and uid), so
    /// that it can be verified. Other formats are returned as they are.
    pub fn with_hashed_names(self, channel: Option<&str>, uid: Option<&str>) -> Decoded {
        match (self, channel, uid) {
            (Decoded::Agora006(token), Some(channel), Some(uid)) => {
                Decoded::Agora006(token.with_names(channel, uid))
            }
            (decoded, _, _) => decoded,
        }
    }

    pub fn verify(&self, key: &VerifyKey) -> bool {
        match (self, key) {
            (Decoded::Jwt(jwt), key) => jwt.verify(key),
            (Decoded::T1(t1), VerifyKey::Secret(secret)) => t1.verify(secret),
            (Decoded::Agora007(token), VerifyKey::Secret(secret)) => token.verify(secret),
            (Decoded::Agora006(token), VerifyKey::Secret(secret)) => token.verify(secret),
            (Decoded::AblyTokenRequest(request), VerifyKey::Secret(secret)) => {
                request.verify(secret)
            }
            (_, VerifyKey::Public(_)) => false,
        }
    }
}

/// An instant from milliseconds since 1970, to the second (as the reports show times).
fn millis_to_time(millis: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(millis.div_euclid(1000), 0)
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
            inspect("  ").unwrap_err().to_string(),
            "there is no token: the input is empty"
        );
        assert!(
            inspect("not a token")
                .unwrap_err()
                .to_string()
                .starts_with("this is not a token: ")
        );
        let huge = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(
            inspect(&huge).unwrap_err(),
            DecodeError::TooLong(MAX_TOKEN_BYTES + 1)
        );
    }

    #[test]
    fn a_time_after_the_year_9999_is_no_time() {
        let jwt = |exp: &str| {
            use base64::Engine as _;
            let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(format!(r#"{{"exp":{exp}}}"#));
            inspect(&format!("eyJhbGciOiJub25lIn0.{payload}.")).unwrap()
        };
        let last = crate::duration::LATEST_UNIX;
        assert_eq!(
            jwt(&last.to_string()).expires_at().unwrap().timestamp(),
            last
        );
        for exp in [
            (last + 1).to_string(),
            format!("\"{}\"", last + 1),
            "1e300".into(),
            "9223372036854775808".into(),
        ] {
            assert_eq!(jwt(&exp).expires_at(), None, "{exp}");
        }
    }

    #[test]
    fn tokens_are_found_inside_endpoint_answers_and_urls() {
        let token = "eyJhbGciOiJub25lIn0.e30.";
        for wrapped in [
            format!(r#"{{"token": "{token}", "expiresIn": 900}}"#),
            format!(r#"{{"signature":"{token}"}}"#),
            format!(r#"{{"rtcToken":"{token}"}}"#),
            format!("wss://example.test/socket?v=1&token={token}#x"),
            format!("/auth?access_token={token}"),
        ] {
            assert_eq!(unwrap(&wrapped).as_deref(), Some(token), "{wrapped}");
        }
        assert_eq!(unwrap(token), None);
        assert_eq!(unwrap(r#"{"token": "not one"}"#), None);
        // A TokenRequest is itself the token, not a wrapper of one of its string members.
        let request = r#"{"keyName":"a.b","capability":"{}","timestamp":1,"nonce":"eyJhbGciOiJub25lIn0.e30.","mac":"x"}"#;
        assert_eq!(unwrap(request), None);
        assert_eq!(inspect(request).unwrap().format(), "ably-token-request");
        assert_eq!(unwrap("a?token=x"), None);
    }

    #[test]
    fn a_token_request_pasted_as_json_has_its_fields_as_claims_and_its_times() {
        let text = r#" {"keyName":"appId1.keyId1","ttl":60000,"timestamp":1767225600500,"nonce":"n","mac":"m"} "#;
        let decoded = inspect(text).unwrap();
        assert_eq!(decoded.format(), "ably-token-request");
        assert_eq!(decoded.rule_prefix(), "ably");
        assert!(decoded.header().is_none());
        assert_eq!(decoded.claims()["ttl"], 60000);
        assert_eq!(
            decoded.claim_str("keyName").as_deref(),
            Some("appId1.keyId1")
        );
        assert_eq!(decoded.issued_at().unwrap().timestamp(), 1_767_225_600);
        assert_eq!(decoded.expires_at().unwrap().timestamp(), 1_767_225_660);
        assert_eq!(decoded.algorithm_label(), "HMAC-SHA256");
        assert!(
            inspect(r#"{"token":"x"}"#)
                .unwrap_err()
                .to_string()
                .contains("Ably TokenRequest")
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
