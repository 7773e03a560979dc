//! Zoom's rules (PLATFORMS.md §1.2, §1.3): every documented limit of a Video SDK signature.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{CLIENT_ID, EXPIRY, PASSWORD, ROLE, TOPIC};
use crate::findings::Finding;
use crate::platform::field::ids;
use crate::token::{Decoded, seconds_of};

/// §1.3: `1800 ≤ exp − iat ≤ 172800`.
pub const MIN_TTL: i64 = 1800;
pub const MAX_TTL: i64 = 172_800;
/// How close to the 1800 s minimum is close enough to fail in practice (§1.3, community reports).
pub const EDGE_MARGIN: i64 = 60;
pub const TPC_MAX: usize = 200;
const PWD_MAX: usize = 10;
pub const USER_IDENTITY_MAX: usize = 35;
const USER_KEY_MAX: usize = 36;
pub const SESSION_KEY_MAX: usize = 36;
pub const GEO_REGIONS: [&str; 12] = [
    "AU", "BR", "CA", "CN", "DE", "HK", "IN", "JP", "MX", "NL", "SG", "US",
];
/// §1.2: symbols allowed in a session name besides letters, digits and space.
const TPC_SYMBOLS: &str = "!#$%&()+-:;<=.>?@[]^_{}|~,";

/// Zoom's rules for a decoded token at `now`.
pub(super) fn rules(decoded: &Decoded, now: DateTime<Utc>) -> Vec<Finding> {
    let Decoded::Jwt(jwt) = decoded else {
        return vec![Finding::error(
            "zoom.format",
            ids::FORMAT,
            "a Zoom Video SDK signature is a JWT (HS256), not an OpenTok T1 token",
        )];
    };
    let mut findings = Vec::new();
    let claim = |name: &str| jwt.claim(name);
    if jwt.alg_name() != Some("HS256") {
        findings.push(Finding::warning("zoom.alg", ids::TOKEN, "Zoom expects HS256 signatures; other algorithms \"may produce unexpected results\""));
    }
    if claim("app_key")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        findings.push(Finding::error(
            "zoom.app-key",
            ids::KEY,
            "app_key is missing: set it to the Video SDK key",
        ));
    }
    check_role_type(claim("role_type"), &mut findings);
    check_tpc(claim("tpc"), &mut findings);
    if claim("version") != Some(&Value::from(1)) {
        findings.push(Finding::error(
            "zoom.version",
            "claims",
            "version must be the number 1",
        ));
    }
    check_times(claim("iat"), claim("exp"), now, &mut findings);
    check_length(
        claim("pwd"),
        PWD_MAX,
        "zoom.pwd-length",
        PASSWORD.id,
        "pwd (session password)",
        " (the Web SDK limits passwords to 10; whether the server checks pwd in the JWT is unconfirmed)",
        &mut findings,
    );
    check_length(
        claim("user_identity"),
        USER_IDENTITY_MAX,
        "zoom.user-identity-length",
        CLIENT_ID.id,
        "user_identity",
        "",
        &mut findings,
    );
    check_length(
        claim("user_key"),
        USER_KEY_MAX,
        "zoom.user-identity-length",
        CLIENT_ID.id,
        "user_key",
        "",
        &mut findings,
    );
    check_length(
        claim("session_key"),
        SESSION_KEY_MAX,
        "zoom.session-key-length",
        "claims",
        "session_key",
        "",
        &mut findings,
    );
    if let Some(regions) = claim("geo_regions") {
        check_geo_regions(regions, &mut findings);
    }
    findings
}


fn check_role_type(role_type: Option<&Value>, findings: &mut Vec<Finding>) {
    let message = match role_type {
        None => {
            "role_type is missing (required since Video SDK 1.2.0): use 1 for host or 0 for participant"
        }
        Some(Value::String(_)) => {
            "role_type must be a number, not a string: use 1 or 0 without quotes"
        }
        Some(v) if *v == 0 || *v == 1 => return,
        Some(_) => "role_type must be 1 (host) or 0 (participant)",
    };
    findings.push(Finding::error("zoom.role-type", ROLE, message));
}

fn check_tpc(tpc: Option<&Value>, findings: &mut Vec<Finding>) {
    let Some(tpc) = tpc.and_then(Value::as_str).filter(|t| !t.is_empty()) else {
        findings.push(Finding::error("zoom.tpc-empty", TOPIC, "tpc (the session name) is missing or empty: set it to the topic the client passes to join()"));
        return;
    };
    let length = tpc.chars().count();
    if length > TPC_MAX {
        findings.push(Finding::error(
            "zoom.tpc-length",
            TOPIC,
            format!("tpc is {length} characters, over Zoom's {TPC_MAX}: shorten the session name"),
        ));
    }
    let mut bad: Vec<char> = tpc
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || *c == ' ' || TPC_SYMBOLS.contains(*c)))
        .collect();
    bad.dedup();
    if !bad.is_empty() {
        let shown: String = bad.iter().take(8).collect();
        findings.push(Finding::error("zoom.tpc-chars", TOPIC, format!("tpc has characters Zoom does not allow ({shown}): use letters, digits, spaces and {TPC_SYMBOLS}")));
    }
    if tpc.chars().any(char::is_uppercase) {
        findings.push(Finding::info(
            "zoom.tpc-case",
            TOPIC,
            format!(
                "session names are case-insensitive: \"{tpc}\" joins the same session as \"{}\"",
                tpc.to_lowercase()
            ),
        ));
    }
}

fn check_times(
    iat: Option<&Value>,
    exp: Option<&Value>,
    now: DateTime<Utc>,
    findings: &mut Vec<Finding>,
) {
    if matches!(iat, Some(Value::String(_))) {
        findings.push(Finding::error(
            "zoom.iat-string",
            EXPIRY,
            "iat is a string: Zoom wants a number of seconds (\"should not be a string\")",
        ));
    }
    if matches!(exp, Some(Value::String(_))) {
        findings.push(Finding::error(
            "zoom.exp-string",
            EXPIRY,
            "exp is a string: Zoom wants a number of seconds",
        ));
    }
    let (Some(iat), Some(exp)) = (iat.and_then(seconds_of), exp.and_then(seconds_of)) else {
        findings.push(Finding::error(
            "zoom.exp-window",
            EXPIRY,
            "iat and exp are both required, as numbers of seconds",
        ));
        return;
    };
    let ttl = exp.saturating_sub(iat);
    if !(MIN_TTL..=MAX_TTL).contains(&ttl) {
        findings.push(Finding::error(
            "zoom.exp-window",
            EXPIRY,
            if ttl < 0 {
                format!(
                    "exp is {} before iat: Zoom wants it 1800 s (30 min) to 172800 s (48 h) after",
                    crate::duration::format_approx(ttl)
                )
            } else {
                format!(
                    "exp is {ttl} s ({}) after iat: Zoom wants 1800 s (30 min) to 172800 s (48 h)",
                    crate::duration::format_approx(ttl)
                )
            },
        ));
    } else if ttl < MIN_TTL + EDGE_MARGIN {
        findings.push(Finding::warning("zoom.exp-window-edge", EXPIRY, format!("exp is {ttl} s after iat, within {EDGE_MARGIN} s of the 1800 s minimum: tokens this close have been refused; use 31m or more")));
    }
    if iat > now.timestamp() {
        findings.push(Finding::warning("zoom.iat-future", EXPIRY, format!("iat is {} s in the future: a server clock that runs ahead gets \"invalid signature\"; back-date iat by 30 s as Zoom's samples do", iat - now.timestamp())));
    }
}

#[allow(clippy::too_many_arguments)]
fn check_length(
    value: Option<&Value>,
    max: usize,
    rule: &'static str,
    field: &'static str,
    what: &str,
    note: &str,
    findings: &mut Vec<Finding>,
) {
    let Some(text) = value.and_then(Value::as_str) else {
        return;
    };
    let length = text.chars().count();
    if length > max {
        findings.push(Finding::error(
            rule,
            field,
            format!("{what} is {length} characters, over Zoom's {max}{note}"),
        ));
    }
}

fn check_geo_regions(regions: &Value, findings: &mut Vec<Finding>) {
    let Some(text) = regions.as_str() else {
        findings.push(Finding::error(
            "zoom.geo-regions",
            "claims",
            "geo_regions must be a comma-separated string such as \"US,DE\"",
        ));
        return;
    };
    let unknown: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|r| !GEO_REGIONS.contains(r))
        .collect();
    if !unknown.is_empty() {
        findings.push(Finding::error(
            "zoom.geo-regions",
            "claims",
            format!(
                "unknown geo region(s) {}: use {} (each enabled on the account)",
                unknown.join(", "),
                GEO_REGIONS.join(",")
            ),
        ));
    }
}

