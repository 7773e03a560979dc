//! The Ably TokenRequest (ably.com/docs/api/token-request-spec): a JSON object
//! `{keyName, ttl, capability, clientId, timestamp, nonce, mac}` that a client trades with Ably
//! for a token. `mac` is `base64(HMAC-SHA256(key secret, text))` over
//! `keyName\nttl\ncapability\nclientId\ntimestamp\nnonce\n`, an absent field signed as an empty
//! line; `ttl` and `timestamp` are milliseconds, `capability` the canonical JSON text of
//! resource → operations.
//!
//! Verification signs the fields as they were received (a capability is not canonicalised
//! again), as the spec's text is built from what the request carries.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::secret::{Secret, decode_base64_any};

/// The lifetime Ably gives a token whose request names no ttl (RSA5: 60 minutes).
pub const DEFAULT_TTL_MS: i64 = 3_600_000;

/// The fields of the signed text, in its order (the mac follows them).
const SIGNED: [&str; 6] = [
    "keyName",
    "ttl",
    "capability",
    "clientId",
    "timestamp",
    "nonce",
];

/// A TokenRequest as read: its members in their order, whatever their types.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenRequest {
    pub fields: Map<String, Value>,
}

impl TokenRequest {
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    pub fn key_name(&self) -> Option<&str> {
        self.field("keyName").and_then(Value::as_str)
    }

    /// A millisecond field (`ttl`, `timestamp`) as a whole number: a JSON integer, or a string
    /// holding one (the docs' own unsigned example writes `"ttl": "3600000"`).
    pub fn millis(&self, name: &str) -> Option<i64> {
        match self.field(name)? {
            Value::Number(n) => n.as_i64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// The requested lifetime in ms: `ttl`, or Ably's default when there is none; `None` when
    /// a `ttl` is there but is no whole number.
    pub fn lifetime_ms(&self) -> Option<i64> {
        match self.field("ttl") {
            None | Some(Value::Null) => Some(DEFAULT_TTL_MS),
            Some(_) => self.millis("ttl"),
        }
    }

    /// The text the mac covers, per the spec, from the fields as they are.
    pub fn sign_text(&self) -> String {
        let mut text = String::with_capacity(128);
        for name in SIGNED {
            match self.field(name) {
                None | Some(Value::Null) => {}
                Some(Value::String(value)) => text.push_str(value),
                Some(other) => text.push_str(&other.to_string()),
            }
            text.push('\n');
        }
        text
    }

    /// Whether `mac` is the HMAC of the signed text with `secret`.
    pub fn verify(&self, secret: &Secret) -> bool {
        let Some(mac) = self
            .field("mac")
            .and_then(Value::as_str)
            .and_then(decode_base64_any)
        else {
            return false;
        };
        hmac_of(secret, &self.sign_text())
            .verify_slice(&mac)
            .is_ok()
    }
}

fn hmac_of(secret: &Secret, text: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(secret.expose())
        .expect("HMAC takes keys of any length");
    mac.update(text.as_bytes());
    mac
}

/// Reads a TokenRequest pasted as JSON; the reason is the end of "this is not a token: …".
pub fn decode(text: &str) -> Result<TokenRequest, String> {
    let value: Value = serde_json::from_str(text.trim())
        .map_err(|e| format!("it starts with {{ but is not JSON ({e})"))?;
    let Value::Object(fields) = value else {
        return Err("it starts with { but is not one JSON object".into());
    };
    match fields.get("keyName") {
        Some(Value::String(_)) => Ok(TokenRequest { fields }),
        Some(_) => Err(
            "a JSON object is read as an Ably TokenRequest, and its keyName is not a string".into(),
        ),
        None => {
            Err("a JSON object is read as an Ably TokenRequest, and this one has no keyName".into())
        }
    }
}

/// What a TokenRequest says before it is signed; `None` leaves a field out (signed as "").
#[derive(Clone, Copy, Debug)]
pub struct Unsigned<'a> {
    pub key_name: &'a str,
    pub ttl_ms: Option<i64>,
    /// Canonical capability JSON ([`canonical_capability`]).
    pub capability: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub timestamp_ms: i64,
    pub nonce: &'a str,
}

/// The signed TokenRequest as JSON, its members in ably-js's order: keyName, ttl, capability,
/// clientId, timestamp, nonce, mac.
pub fn encode(request: &Unsigned, secret: &Secret) -> String {
    let mut fields = Map::new();
    fields.insert("keyName".into(), request.key_name.into());
    if let Some(ttl) = request.ttl_ms {
        fields.insert("ttl".into(), ttl.into());
    }
    if let Some(capability) = request.capability {
        fields.insert("capability".into(), capability.into());
    }
    if let Some(client_id) = request.client_id {
        fields.insert("clientId".into(), client_id.into());
    }
    fields.insert("timestamp".into(), request.timestamp_ms.into());
    fields.insert("nonce".into(), request.nonce.into());
    let unsigned = TokenRequest { fields };
    let mac = hmac_of(secret, &unsigned.sign_text())
        .finalize()
        .into_bytes();
    let mut fields = unsigned.fields;
    fields.insert("mac".into(), STANDARD.encode(mac).into());
    Value::Object(fields).to_string()
}

/// A capability (resource → operations) in the canonical form ably-js signs (`c14n` in
/// `auth.ts`): resources and each resource's operations sorted as JavaScript sorts strings (by
/// UTF-16 code units), duplicates kept, no whitespace. The reason says what is not a capability.
pub fn canonical_capability(capability: &Value) -> Result<String, String> {
    let Value::Object(resources) = capability else {
        return Err("a capability is a JSON object of resource → operations".into());
    };
    let mut entries: Vec<(&String, Vec<&str>)> = Vec::with_capacity(resources.len());
    for (resource, operations) in resources {
        let Value::Array(operations) = operations else {
            return Err(format!(
                "the operations of \"{resource}\" must be a list, such as [\"subscribe\"]"
            ));
        };
        let mut names = operations
            .iter()
            .map(|op| {
                op.as_str().ok_or_else(|| {
                    format!("the operations of \"{resource}\" must be strings, not {op}")
                })
            })
            .collect::<Result<Vec<&str>, String>>()?;
        names.sort_by(|a, b| utf16_order(a, b));
        entries.push((resource, names));
    }
    entries.sort_by(|a, b| utf16_order(a.0, b.0));
    let mut text = String::from("{");
    for (i, (resource, operations)) in entries.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&Value::from(resource.as_str()).to_string());
        text.push_str(":[");
        for (j, operation) in operations.iter().enumerate() {
            if j > 0 {
                text.push(',');
            }
            text.push_str(&Value::from(*operation).to_string());
        }
        text.push(']');
    }
    text.push('}');
    Ok(text)
}

/// JavaScript's default string order: by UTF-16 code units, so an astral character (a
/// surrogate pair from U+D800) sorts before U+E000 and above, unlike byte or code point order.
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY_NAME: &str = "appId1.keyId1";
    const SECRET: &str = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";

    fn unsigned<'a>(capability: Option<&'a str>) -> Unsigned<'a> {
        Unsigned {
            key_name: KEY_NAME,
            ttl_ms: Some(3_600_000),
            capability,
            client_id: Some("alice"),
            timestamp_ms: 1_767_225_600_000,
            nonce: "0123456789abcdef",
        }
    }

    /// ably 2.28.0 createTokenRequest with these inputs (tests/interop/ably_token_request.js).
    #[test]
    fn encode_is_byte_for_byte_what_ably_js_gives() {
        let capability = canonical_capability(&json!({"chat:*": ["subscribe", "publish", "presence"], "*": ["subscribe"], "alerts": ["history", "subscribe"]})).unwrap();
        assert_eq!(
            capability,
            r#"{"*":["subscribe"],"alerts":["history","subscribe"],"chat:*":["presence","publish","subscribe"]}"#
        );
        let token = encode(&unsigned(Some(&capability)), &Secret::new(SECRET));
        assert_eq!(
            token,
            r#"{"keyName":"appId1.keyId1","ttl":3600000,"capability":"{\"*\":[\"subscribe\"],\"alerts\":[\"history\",\"subscribe\"],\"chat:*\":[\"presence\",\"publish\",\"subscribe\"]}","clientId":"alice","timestamp":1767225600000,"nonce":"0123456789abcdef","mac":"Wxz2tiRbXTh7MWDKwWga6bsXDL282ER4uTOqyOCGUzw="}"#
        );
        let without = encode(&unsigned(None), &Secret::new(SECRET));
        assert!(
            without.ends_with(r#""mac":"ctTUkM5SSFR1n82qgktEXcLYg5DtmwOO3f8GsXmmMdY="}"#),
            "{without}"
        );
    }

    #[test]
    fn absent_fields_are_signed_as_empty_lines() {
        let request = Unsigned {
            ttl_ms: None,
            client_id: None,
            ..unsigned(None)
        };
        let token = encode(&request, &Secret::new(SECRET));
        let decoded = decode(&token).unwrap();
        assert_eq!(
            decoded.sign_text(),
            "appId1.keyId1\n\n\n\n1767225600000\n0123456789abcdef\n"
        );
        assert_eq!(
            decoded.field("mac").unwrap(),
            "L+dHcE3nc3rpOaAc1sWcHJvD+oY/dxpbcnYtcLqx1cg="
        );
        assert_eq!(decoded.lifetime_ms(), Some(DEFAULT_TTL_MS));
        assert!(decoded.verify(&Secret::new(SECRET)));
        assert!(!decoded.verify(&Secret::new("other")));
    }

    #[test]
    fn a_changed_field_or_mac_no_longer_verifies() {
        let token = encode(&unsigned(None), &Secret::new(SECRET));
        let mut decoded = decode(&token).unwrap();
        assert!(decoded.verify(&Secret::new(SECRET)));
        decoded.fields.insert("clientId".into(), "mallory".into());
        assert!(!decoded.verify(&Secret::new(SECRET)));
        let mut garbled = decode(&token).unwrap();
        garbled.fields.insert("mac".into(), "!!".into());
        assert!(!garbled.verify(&Secret::new(SECRET)));
    }

    /// ably-js writes `"ttl":0` but signs it as "" (`ttl || ''`): per the spec that mac is wrong.
    #[test]
    fn ttl_zero_is_signed_as_the_spec_says() {
        let sdk = r#"{"keyName":"appId1.keyId1","ttl":0,"timestamp":1767225600000,"nonce":"0123456789abcdef","mac":"L+dHcE3nc3rpOaAc1sWcHJvD+oY/dxpbcnYtcLqx1cg="}"#;
        let decoded = decode(sdk).unwrap();
        assert_eq!(
            decoded.sign_text(),
            "appId1.keyId1\n0\n\n\n1767225600000\n0123456789abcdef\n"
        );
        assert!(!decoded.verify(&Secret::new(SECRET)));
    }

    #[test]
    fn capabilities_sort_by_utf16_and_keep_duplicates() {
        assert_eq!(
            canonical_capability(&json!({"😀": ["subscribe"], "！": ["publish"], "a": ["subscribe"], "B": ["history"]})).unwrap(),
            r#"{"B":["history"],"a":["subscribe"],"😀":["subscribe"],"！":["publish"]}"#
        );
        assert_eq!(
            canonical_capability(&json!({"b": ["publish", "publish", "*"], "a": ["subscribe"]}))
                .unwrap(),
            r#"{"a":["subscribe"],"b":["*","publish","publish"]}"#
        );
        assert_eq!(canonical_capability(&json!({})).unwrap(), "{}");
        assert!(
            canonical_capability(&json!({"a": "publish"}))
                .unwrap_err()
                .contains("list")
        );
        assert!(
            canonical_capability(&json!({"a": [1]}))
                .unwrap_err()
                .contains("strings")
        );
        assert!(canonical_capability(&json!([])).is_err());
    }

    #[test]
    fn decode_wants_an_object_with_a_key_name() {
        assert!(decode("{").unwrap_err().contains("not JSON"));
        assert!(
            decode(r#"{"token": "x"}"#)
                .unwrap_err()
                .contains("no keyName")
        );
        assert!(
            decode(r#"{"keyName": 1}"#)
                .unwrap_err()
                .contains("not a string")
        );
        let decoded = decode(r#"{"keyName": "a.b", "ttl": "60000", "timestamp": 5}"#).unwrap();
        assert_eq!(decoded.millis("ttl"), Some(60_000));
        assert_eq!(decoded.lifetime_ms(), Some(60_000));
        assert_eq!(decoded.key_name(), Some("a.b"));
        let odd = decode(r#"{"keyName": "a.b", "ttl": "soon"}"#).unwrap();
        assert_eq!(odd.lifetime_ms(), None);
    }
}
