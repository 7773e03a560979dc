//! Rules about any token, whatever its platform: signature, expiry, algorithm, key strength.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::duration::format_relative;
use crate::findings::Finding;
use crate::platform::field::ids;
use crate::token::{Decoded, Signature, TokenRequest};

/// HS256 secrets shorter than this are weak (RFC 7518 §3.2); a warning, never a refusal.
pub const MIN_HMAC_SECRET_BYTES: usize = 32;

/// An `iat` before this (2001-09-09) is not the time a token was minted.
const PLAUSIBLE_IAT: i64 = 1_000_000_000;

/// The finding for an `exp` that is there but is not a number of seconds a verifier reads: a
/// string (most libraries refuse it), a fraction (some do), anything else (none can).
fn exp_type(decoded: &Decoded, ids: &Ids) -> Option<Finding> {
    let exp = decoded.claim(match decoded {
        Decoded::Jwt(_) => "exp",
        Decoded::T1(_) => "expire_time",
        // Binary formats hold their times as integers: there is no type to get wrong.
        Decoded::Agora007(_) | Decoded::Agora006(_) => return None,
        Decoded::AblyTokenRequest(request) => return request_times(request, ids),
    })?;
    let shown = crate::platform::endpoint::shown(&exp);
    match &exp {
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            decoded.expires_at().is_none().then(|| {
                Finding::error(
                    ids.exp_type,
                    "expiry",
                    format!("exp is {shown}, beyond any time a token can name (the year 9999): no verifier reads it"),
                )
            })
        }
        Value::Number(_) if decoded.expires_at().is_some() => Some(Finding::warning(
            ids.exp_type,
            "expiry",
            format!("exp is {shown}, a fraction of a second: some libraries refuse it; use whole seconds"),
        )),
        Value::String(_) if matches!(decoded, Decoded::T1(_)) => None,
        Value::String(_) if decoded.expires_at().is_some() => Some(Finding::error(
            ids.exp_type,
            "expiry",
            format!("exp is the string {shown}: most libraries refuse it; write it as a number"),
        )),
        _ => Some(Finding::error(
            ids.exp_type,
            "expiry",
            format!("exp is {shown}, not a number of seconds: no verifier reads it, so the token is refused or never expires"),
        )),
    }
}

/// The finding for a TokenRequest's `timestamp` or `ttl` that is not a whole number of
/// milliseconds, or a missing `timestamp` (its expiry is `timestamp + ttl`).
fn request_times(request: &TokenRequest, ids: &Ids) -> Option<Finding> {
    let shown = |name: &str| {
        request
            .field(name)
            .map(crate::platform::endpoint::shown)
            .unwrap_or_default()
    };
    if request.millis("timestamp").is_none() {
        let message = match request.field("timestamp") {
            None | Some(Value::Null) => "the TokenRequest has no timestamp: Ably refuses it (the mac covers it); createTokenRequest always writes the time in milliseconds".to_string(),
            Some(_) => format!("timestamp is {}, not a whole number of milliseconds: Ably refuses it", shown("timestamp")),
        };
        return Some(Finding::error(ids.no_exp, "expiry", message));
    }
    match request.field("ttl") {
        None | Some(Value::Null) | Some(Value::Number(_)) if request.lifetime_ms().is_some() => {
            None
        }
        Some(Value::String(_)) if request.lifetime_ms().is_some() => Some(Finding::warning(
            ids.exp_type,
            "expiry",
            format!(
                "ttl is the string {}: ably-js sends a number of milliseconds; write it as one",
                shown("ttl")
            ),
        )),
        _ => Some(Finding::error(
            ids.exp_type,
            "expiry",
            format!(
                "ttl is {}, not a whole number of milliseconds: Ably refuses it",
                shown("ttl")
            ),
        )),
    }
}

/// Rule ids per format, so a T1 finding never claims to be about a JWT.
struct Ids {
    signature_invalid: &'static str,
    unverified: &'static str,
    expired: &'static str,
    no_exp: &'static str,
    exp_type: &'static str,
    weak_secret: &'static str,
}

fn ids(decoded: &Decoded) -> Ids {
    match decoded {
        Decoded::Jwt(_) => Ids {
            signature_invalid: "jwt.signature-invalid",
            unverified: "jwt.unverified",
            expired: "jwt.expired",
            no_exp: "jwt.no-exp",
            exp_type: "jwt.exp-type",
            weak_secret: "jwt.weak-secret",
        },
        Decoded::T1(_) => Ids {
            signature_invalid: "t1.signature-invalid",
            unverified: "t1.unverified",
            expired: "t1.expired",
            no_exp: "t1.no-expire-time",
            exp_type: "t1.expire-time-type",
            weak_secret: "t1.weak-secret",
        },
        Decoded::Agora007(_) | Decoded::Agora006(_) => Ids {
            signature_invalid: "agora.signature-invalid",
            unverified: "agora.unverified",
            expired: "agora.expired",
            no_exp: "agora.no-expiry",
            exp_type: "agora.expire-type",
            weak_secret: "agora.weak-certificate",
        },
        Decoded::AblyTokenRequest(_) => Ids {
            signature_invalid: "ably.mac-invalid",
            unverified: "ably.unverified",
            expired: "ably.expired",
            no_exp: "ably.no-timestamp",
            exp_type: "ably.ttl-type",
            weak_secret: "ably.weak-secret",
        },
    }
}

/// The format-level findings. `hmac_secret_len` is the length of the HMAC secret the token was
/// checked with, when there was one.
pub fn rules(
    decoded: &Decoded,
    signature: Signature,
    hmac_secret_len: Option<usize>,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let ids = ids(decoded);
    let mut findings = Vec::new();
    if let Decoded::Jwt(jwt) = decoded
        && jwt
            .alg_name()
            .is_some_and(|alg| alg.eq_ignore_ascii_case("none"))
    {
        findings.push(Finding::error(
            "jwt.alg-none",
            ids::TOKEN,
            "the token is unsigned (alg \"none\"): no platform accepts it; sign it with the platform's key",
        ));
    }
    let unsigned = matches!(decoded, Decoded::Jwt(jwt) if jwt.alg_name().is_some_and(|a| a.eq_ignore_ascii_case("none")));
    match signature {
        Signature::Invalid if unsigned => {}
        Signature::Invalid => findings.push(Finding::error(
            ids.signature_invalid,
            ids::SECRET,
            "the signature does not match this key: the token was signed with another secret, or changed after signing",
        )),
        Signature::Unverified if unsigned => {}
        Signature::Unverified => findings.push(Finding::info(
            ids.unverified,
            ids::SECRET,
            match decoded.missing_for_verify() {
                Some(missing) => format!("the signature was not checked: to check it, give {missing}"),
                None => "no key was at hand, so the signature was not checked: give the token's secret or key to check it".into(),
            },
        )),
        Signature::Valid => {}
    }
    if let Some(finding) = exp_type(decoded, &ids) {
        findings.push(finding);
    } else {
        match decoded.expires_at() {
            Some(exp) if now >= exp => findings.push(Finding::error(
                ids.expired,
                "expiry",
                format!(
                    "the token expired {} ({}): new joins are refused; mint a new one",
                    format_relative(exp, now),
                    exp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
            )),
            Some(_) => {}
            None => findings.push(Finding::warning(
                ids.no_exp,
                "expiry",
                "the token has no expiry: a leaked copy works forever; give it one",
            )),
        }
    }
    if let Some(nbf) = decoded.not_before().filter(|nbf| *nbf > now) {
        findings.push(Finding::error(
            "jwt.not-yet-valid",
            ids::TOKEN,
            format!(
                "the token is not valid before {} ({}): wait, or lower nbf",
                format_relative(nbf, now),
                nbf.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        ));
    }
    if let Some(iat) = decoded
        .issued_at()
        .filter(|iat| iat.timestamp() < PLAUSIBLE_IAT)
        .filter(|_| matches!(decoded, Decoded::Jwt(_) | Decoded::T1(_)))
    {
        findings.push(Finding::warning(
            "jwt.iat-implausible",
            "expiry",
            format!(
                "iat is {}, before any token was minted: a number of seconds since 1970 was meant, or a claim overrides it",
                iat.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        ));
    }
    if let Some(len) = hmac_secret_len.filter(|len| *len < MIN_HMAC_SECRET_BYTES) {
        let hs = matches!(decoded, Decoded::T1(_) | Decoded::AblyTokenRequest(_))
            || decoded.algorithm_label().starts_with("HS");
        if hs {
            findings.push(Finding::warning(
                ids.weak_secret,
                ids::SECRET,
                format!(
                    "the secret is {len} bytes, under the {MIN_HMAC_SECRET_BYTES} that HMAC-SHA256 calls for: fine for a test, too weak for production"
                ),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;
    use crate::token::inspect;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn jwt(header: &str, claims: &str) -> Decoded {
        inspect(&format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        ))
        .unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_000_000, 0).unwrap()
    }

    fn rule_ids(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn valid_fresh_token_has_no_findings() {
        let token = jwt(r#"{"alg":"HS256"}"#, r#"{"exp":1000001}"#);
        assert!(rules(&token, Signature::Valid, Some(32), now()).is_empty());
    }

    #[test]
    fn expiry_boundary_is_inclusive() {
        let at_exp = jwt(r#"{"alg":"HS256"}"#, r#"{"exp":1000000}"#);
        assert_eq!(
            rule_ids(&rules(&at_exp, Signature::Valid, None, now())),
            ["jwt.expired"]
        );
        let missing = jwt(r#"{"alg":"HS256"}"#, r#"{}"#);
        assert_eq!(
            rule_ids(&rules(&missing, Signature::Valid, None, now())),
            ["jwt.no-exp"]
        );
    }

    #[test]
    fn signature_states_are_distinct_findings() {
        let token = jwt(r#"{"alg":"HS256"}"#, r#"{"exp":2000000}"#);
        let invalid = rules(&token, Signature::Invalid, None, now());
        assert_eq!(rule_ids(&invalid), ["jwt.signature-invalid"]);
        assert_eq!(invalid[0].severity, crate::findings::Severity::Error);
        let unverified = rules(&token, Signature::Unverified, None, now());
        assert_eq!(rule_ids(&unverified), ["jwt.unverified"]);
        assert_eq!(unverified[0].severity, crate::findings::Severity::Info);
    }

    #[test]
    fn exp_that_is_not_a_number_is_its_own_finding_never_no_expiry() {
        for (exp, severity) in [
            (r#""soon""#, Severity::Error),
            (r#""2000000""#, Severity::Error),
            ("true", Severity::Error),
            ("9223372036854775807", Severity::Error),
            ("-9223372036854775809", Severity::Error),
            ("2000000.5", Severity::Warning),
        ] {
            let token = jwt(r#"{"alg":"HS256"}"#, &format!(r#"{{"exp":{exp}}}"#));
            let findings = rules(&token, Signature::Valid, Some(32), now());
            assert_eq!(rule_ids(&findings), ["jwt.exp-type"], "{exp}");
            assert_eq!(findings[0].severity, severity, "{exp}");
        }
    }

    #[test]
    fn an_iat_from_1970_is_implausible() {
        let token = jwt(r#"{"alg":"HS256"}"#, r#"{"exp":2000000000,"iat":1}"#);
        let early = DateTime::from_timestamp(1_000_000_000, 0).unwrap();
        assert_eq!(
            rule_ids(&rules(&token, Signature::Valid, Some(32), early)),
            ["jwt.iat-implausible"]
        );
    }

    #[test]
    fn alg_none_nbf_and_weak_secret() {
        let none = jwt(r#"{"alg":"none"}"#, r#"{"exp":2000000,"nbf":1000100}"#);
        assert_eq!(
            rule_ids(&rules(&none, Signature::Invalid, None, now())),
            ["jwt.alg-none", "jwt.not-yet-valid"]
        );
        assert_eq!(
            rule_ids(&rules(&none, Signature::Unverified, None, now())),
            ["jwt.alg-none", "jwt.not-yet-valid"]
        );
        let hs = jwt(r#"{"alg":"HS256"}"#, r#"{"exp":2000000}"#);
        assert_eq!(
            rule_ids(&rules(&hs, Signature::Valid, Some(31), now())),
            ["jwt.weak-secret"]
        );
        assert!(rules(&hs, Signature::Valid, Some(32), now()).is_empty());
        let rs = jwt(r#"{"alg":"RS256"}"#, r#"{"exp":2000000}"#);
        assert!(rules(&rs, Signature::Valid, Some(3), now()).is_empty());
    }

    #[test]
    fn a_token_request_has_its_own_ids_and_reads_its_times_in_milliseconds() {
        let request =
            |fields: &str| inspect(&format!(r#"{{"keyName":"a.b","nonce":"n"{fields}}}"#)).unwrap();
        // timestamp 999 s + the default hour: fresh at 1 000 000 s.
        let fresh = request(r#","timestamp":999000000"#);
        assert!(rules(&fresh, Signature::Valid, Some(32), now()).is_empty());
        assert_eq!(
            rule_ids(&rules(&fresh, Signature::Invalid, Some(3), now())),
            ["ably.mac-invalid", "ably.weak-secret"]
        );
        assert_eq!(
            rule_ids(&rules(&fresh, Signature::Unverified, None, now())),
            ["ably.unverified"]
        );
        let expired = request(r#","timestamp":999000000,"ttl":1000000"#);
        assert_eq!(
            rule_ids(&rules(&expired, Signature::Valid, None, now())),
            ["ably.expired"]
        );
        for (fields, rule, severity) in [
            ("", "ably.no-timestamp", Severity::Error),
            (
                r#","timestamp":"soon""#,
                "ably.no-timestamp",
                Severity::Error,
            ),
            (
                r#","timestamp":999000000,"ttl":"60000""#,
                "ably.ttl-type",
                Severity::Warning,
            ),
            (
                r#","timestamp":999000000,"ttl":1.5"#,
                "ably.ttl-type",
                Severity::Error,
            ),
        ] {
            let findings = rules(&request(fields), Signature::Valid, None, now());
            assert_eq!(rule_ids(&findings), [rule], "{fields}");
            assert_eq!(findings[0].severity, severity, "{fields}");
        }
    }
}
