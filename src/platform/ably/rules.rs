//! Ably's rules (PLATFORMS.md §12; ably.com/docs/auth/token/jwt, the token request spec, the
//! capabilities docs, ably-common's error codes).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{CLIENT_ID, EXPIRY, FORMAT, MAX_TTL, OPERATIONS, PERMISSIONS};
use crate::findings::Finding;
use crate::platform::endpoint::shown;
use crate::platform::field::ids;
use crate::token::ably_token_request::canonical_capability;
use crate::token::{Decoded, TokenRequest};

pub(super) fn rules(decoded: &Decoded, now: DateTime<Utc>) -> Vec<Finding> {
    let mut findings = Vec::new();
    match decoded {
        Decoded::Jwt(jwt) => {
            check_key_name(jwt.header.get("kid"), "the header's kid", &mut findings);
            if jwt.alg_name() != Some("HS256") {
                findings.push(Finding::error(
                    "ably.alg",
                    ids::TOKEN,
                    "an Ably JWT is signed HS256 with the API key's secret: Ably takes no other (no asymmetric keys)",
                ));
            }
            let missing: Vec<&str> = ["iat", "exp"]
                .into_iter()
                .filter(|name| jwt.claim(name).is_none())
                .collect();
            if !missing.is_empty() {
                findings.push(Finding::error(
                    "ably.jwt-claims",
                    EXPIRY,
                    format!("{} missing: Ably requires iat and exp, and refuses the JWT with 40144", missing.join(" and ")),
                ));
            }
            match jwt.claim("x-ably-capability") {
                None => findings.push(Finding::error(
                    "ably.capability-json",
                    PERMISSIONS,
                    "x-ably-capability is missing: Ably requires it, as a JSON string such as \"{\\\"*\\\":[\\\"subscribe\\\"]}\"",
                )),
                Some(capability) => check_capability(capability, false, &mut findings),
            }
            if let (Some(iat), Some(exp)) = (decoded.issued_at(), decoded.expires_at()) {
                let ttl = (exp - iat).num_seconds();
                if ttl > MAX_TTL {
                    findings.push(ttl_max(format!("exp is {ttl} s after iat")));
                }
                if iat > now {
                    findings.push(iat_future(format!(
                        "iat is {} s in the future: Ably refuses the JWT (\"issuedAt time must not be in the future\", ably-js issue #1720)",
                        (iat - now).num_seconds()
                    )));
                }
            }
            check_client_id(jwt.claim("x-ably-clientId"), &mut findings);
        }
        Decoded::AblyTokenRequest(request) => {
            check_key_name(request.field("keyName"), "keyName", &mut findings);
            if let Some(capability) = request.field("capability") {
                check_capability(capability, true, &mut findings);
            }
            check_ttl(request, &mut findings);
            if let Some(at) = decoded.issued_at().filter(|at| *at > now) {
                findings.push(iat_future(format!(
                    "timestamp is {} s in the future: Ably refuses a TokenRequest whose timestamp is not current (40104)",
                    (at - now).num_seconds()
                )));
            }
            check_client_id(request.field("clientId"), &mut findings);
        }
        _ => findings.push(Finding::error(
            "ably.format",
            FORMAT,
            "an Ably token is a JWT (HS256, kid = the key name) or a TokenRequest",
        )),
    }
    findings
}

/// A token naming one key (`kid`, `keyName`) checked with the secret of another: Ably looks the
/// secret up by the name, so it refuses the token.
pub(super) fn key_findings(token_key: Option<&str>, key: &str) -> Vec<Finding> {
    match token_key {
        Some(named) if !key.is_empty() && named != key => vec![Finding::error(
            "ably.kid",
            ids::KEY,
            format!("the token names the key {named}, but it is checked with the key {key}: Ably checks it with {named}'s secret and refuses it; name the key that signs it"),
        )],
        _ => Vec::new(),
    }
}

/// A key name is `appId.keyId`.
fn check_key_name(name: Option<&Value>, what: &str, findings: &mut Vec<Finding>) {
    let good = name
        .and_then(Value::as_str)
        .and_then(|name| name.split_once('.'))
        .is_some_and(|(app, key)| !app.is_empty() && !key.is_empty() && !key.contains(':'));
    if !good {
        let message = match name {
            None => format!("{what} is missing: Ably finds the key by it, and refuses the token without one (40144); set it to the key name appId.keyId"),
            Some(name) => format!("{what} is {}, not a key name appId.keyId: Ably cannot find the key", shown(name)),
        };
        findings.push(Finding::error("ably.kid", ids::KEY, message));
    }
}

/// A capability: a JSON *string* of resource → list of known operations (a TokenRequest's also in
/// the canonical form ably-js signs).
fn check_capability(capability: &Value, request: bool, findings: &mut Vec<Finding>) {
    let what = if request { "capability" } else { "x-ably-capability" };
    let Some(text) = capability.as_str() else {
        findings.push(Finding::error(
            "ably.capability-json",
            PERMISSIONS,
            format!("{what} is a JSON {}, not a string: Ably wants the capability as JSON text, such as JSON.stringify({{\"*\": [\"subscribe\"]}})", kind(capability)),
        ));
        return;
    };
    let parsed: Value = match serde_json::from_str(text) {
        Ok(parsed) => parsed,
        Err(_) => {
            findings.push(Finding::error(
                "ably.capability-json",
                PERMISSIONS,
                format!("{what} is not JSON: {}", shown(capability)),
            ));
            return;
        }
    };
    let canonical = match canonical_capability(&parsed) {
        Ok(canonical) => canonical,
        Err(reason) => {
            findings.push(Finding::error(
                "ably.capability-json",
                PERMISSIONS,
                format!("{what}: {reason}"),
            ));
            return;
        }
    };
    if request && canonical != text {
        findings.push(Finding::warning(
            "ably.capability-json",
            PERMISSIONS,
            format!("capability is not in the canonical form ably-js signs ({canonical}): keys and operations sorted, no spaces, as the token request spec asks"),
        ));
    }
    let mut unknown: Vec<String> = Vec::new();
    for (resource, operations) in parsed.as_object().into_iter().flatten() {
        for operation in operations.as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !OPERATIONS.contains(&operation) {
                unknown.push(format!("{operation} on \"{resource}\""));
            }
        }
    }
    if !unknown.is_empty() {
        findings.push(Finding::error(
            "ably.capability-op",
            PERMISSIONS,
            format!("unknown operation {}: Ably's are {}", unknown.join(", "), OPERATIONS.join(", ")),
        ));
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Null => "null",
        Value::String(_) => "string",
    }
}

/// A TokenRequest's ttl is in milliseconds.
fn check_ttl(request: &TokenRequest, findings: &mut Vec<Finding>) {
    let Some(ttl) = request.millis("ttl") else {
        return;
    };
    if ttl == 0 {
        findings.push(Finding::error(
            "ably.ttl-units",
            EXPIRY,
            "ttl is 0: ably-js writes it but signs it as empty, so the mac matches no verifier that follows the spec; leave ttl out for Ably's default hour",
        ));
    } else if ttl < 1000 {
        findings.push(Finding::error(
            "ably.ttl-units",
            EXPIRY,
            format!("ttl is {ttl} ms, under a second: a TokenRequest's ttl is in milliseconds, so {ttl} seconds is {}", ttl * 1000),
        ));
    } else if ttl > MAX_TTL * 1000 {
        findings.push(ttl_max(format!("ttl is {ttl} ms")));
    }
}

fn ttl_max(what: String) -> Finding {
    Finding::error(
        "ably.ttl-max",
        EXPIRY,
        format!("{what}, over Ably's 24 h for a token: refused with 40003 (a revocable key's tokens get at most 1 h)"),
    )
}

fn iat_future(what: String) -> Finding {
    Finding::warning(
        "ably.iat-future",
        EXPIRY,
        format!("{what}; fix the minting clock, or let ably-js take Ably's time (queryTime)"),
    )
}

fn check_client_id(client_id: Option<&Value>, findings: &mut Vec<Finding>) {
    match client_id {
        Some(Value::String(id)) if id == "*" => findings.push(Finding::info(
            "ably.client-id-wildcard",
            CLIENT_ID,
            "clientId * lets the client take any client id it names when it connects",
        )),
        Some(Value::String(id)) if id.is_empty() => findings.push(Finding::error(
            "ably.client-id",
            CLIENT_ID,
            "the client id is empty: Ably refuses it (40012); leave it out for an anonymous client",
        )),
        Some(Value::String(_)) | None => {}
        Some(other) => findings.push(Finding::error(
            "ably.client-id",
            CLIENT_ID,
            format!("the client id is {}, not a string: Ably refuses it (40012)", shown(other)),
        )),
    }
}
