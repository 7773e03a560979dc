//! Rules about any token, whatever its platform: signature, expiry, algorithm, key strength.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::duration::format_relative;
use crate::findings::Finding;
use crate::platform::field::ids;
use crate::text::escape;
use crate::token::keys::Problem;
use crate::token::{Decoded, Jwt, Signature, TokenRequest};

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
                    format!("exp is {shown}, outside the times a token can name (up to the year 9999): no verifier reads it"),
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

/// How the signature came out, for the rules.
#[derive(Clone, Copy, Debug)]
pub struct SignatureCheck {
    pub signature: Signature,
    /// The length of the HMAC secret the token was checked with, when there was one.
    pub hmac_secret_len: Option<usize>,
    /// A finding about the key already says why the signature is not valid (a key of the wrong
    /// kind, a kid the JWKS lacks): the generic words would mislead.
    pub explained: bool,
    /// The clock leeway of the platform's server, which `exp` and `nbf` are judged with.
    pub leeway: Option<ClockLeeway>,
}

/// A server's tolerance for clock skew: a token is refused only once `exp` is this far behind,
/// or `nbf` this far ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockLeeway {
    pub seconds: i64,
    /// Whose leeway it is, for the finding ("LiveKit's server").
    pub whose: &'static str,
}

/// The format-level findings.
pub fn rules(decoded: &Decoded, check: &SignatureCheck, now: DateTime<Utc>) -> Vec<Finding> {
    let ids = ids(decoded);
    let mut findings = Vec::new();
    let (signature, hmac_secret_len) = (check.signature, check.hmac_secret_len);
    if let Decoded::Jwt(jwt) = decoded {
        findings.extend(header_rules(jwt));
    }
    if let Decoded::Jwt(jwt) = decoded
        && jwt
            .alg_name()
            .is_some_and(|alg| alg.eq_ignore_ascii_case("none"))
    {
        findings.push(Finding::error(
            "jwt.alg-none",
            ids::TOKEN,
            "the token is unsigned (alg \"none\"): no platform accepts it, nor any library unless told to; sign it with the issuer's key",
        ));
    }
    let unsigned = matches!(decoded, Decoded::Jwt(jwt) if jwt.alg_name().is_some_and(|a| a.eq_ignore_ascii_case("none")));
    match signature {
        Signature::Invalid | Signature::Unverified if check.explained => {}
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
        let leeway = check.leeway.map_or(0, |l| l.seconds);
        let with_leeway = |what: String| match check.leeway {
            Some(l) => format!(
                "{what} ({} allows {} s of clock skew, which this counts)",
                l.whose, l.seconds
            ),
            None => what,
        };
        match decoded.expires_at() {
            Some(exp) if now >= exp + chrono::TimeDelta::seconds(leeway) => {
                findings.push(Finding::error(
                    ids.expired,
                    "expiry",
                    with_leeway(format!(
                        "the token expired {} ({}): new joins are refused; mint a new one",
                        format_relative(exp, now),
                        exp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    )),
                ))
            }
            Some(exp) if now >= exp => findings.push(Finding::warning(
                ids.expired,
                "expiry",
                with_leeway(format!(
                    "the token expired {} ({}), but is still accepted until {}",
                    format_relative(exp, now),
                    exp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    (exp + chrono::TimeDelta::seconds(leeway))
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                )),
            )),
            Some(_) => {}
            None => findings.push(Finding::warning(
                ids.no_exp,
                "expiry",
                "the token has no expiry: a leaked copy works forever; give it one",
            )),
        }
    }
    let leeway = chrono::TimeDelta::seconds(check.leeway.map_or(0, |l| l.seconds));
    if let Some(nbf) = decoded.not_before().filter(|nbf| *nbf - leeway > now) {
        let message = format!(
            "the token is not valid until {} ({}): wait, or lower nbf",
            nbf.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            format_relative(nbf, now)
        );
        findings.push(Finding::error(
            "jwt.not-yet-valid",
            ids::TOKEN,
            match check.leeway {
                Some(l) => format!(
                    "{message} ({} allows {} s of clock skew, which this counts)",
                    l.whose, l.seconds
                ),
                None => message,
            },
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
    // RFC 7518 §3.2: an HMAC key at least as long as the hash (32 bytes for SHA-256).
    let (minimum, mac) = match decoded {
        Decoded::Jwt(jwt) => match jwt
            .algorithm()
            .and_then(|alg| alg.min_secret_len().map(|m| (m, alg)))
        {
            Some((minimum, alg)) => (
                Some(minimum),
                format!("HMAC-SHA{} ({})", minimum * 8, alg.name()),
            ),
            None => (None, String::new()),
        },
        _ => (Some(MIN_HMAC_SECRET_BYTES), "HMAC-SHA256".to_string()),
    };
    if let (Some(len), Some(minimum)) = (hmac_secret_len, minimum)
        && len < minimum
    {
        findings.push(Finding::warning(
            ids.weak_secret,
            ids::SECRET,
            format!(
                "the secret is {len} bytes, under the {minimum} that {mac} calls for: fine for a test, too weak for production"
            ),
        ));
    }
    findings
}

/// What the header asks a verifier to trust besides the key it holds: a URL to fetch keys from
/// (`jku`, `x5u`), or a key of the token's own (`jwk`, `x5c`). tokenbench follows none of them.
fn header_rules(jwt: &Jwt) -> Vec<Finding> {
    let mut findings = Vec::new();
    for name in ["jku", "x5u"] {
        if let Some(value) = jwt.header.get(name) {
            findings.push(Finding::info(
                "jwt.key-url-not-followed",
                ids::TOKEN,
                format!(
                    "the header's {name} ({}) names a URL to fetch the key from: tokenbench fetches nothing, and a verifier should take keys only from a list it trusts; give the key itself",
                    crate::platform::endpoint::shown(value)
                ),
            ));
        }
    }
    for (name, what) in [("jwk", "a public key"), ("x5c", "a certificate chain")] {
        if jwt.header.get(name).is_some() {
            findings.push(Finding::warning(
                "jwt.embedded-key-ignored",
                ids::TOKEN,
                format!(
                    "the header carries {what} ({name}): a token that brings its own key proves nothing, so it was not used; give the issuer's key"
                ),
            ));
        }
    }
    findings
}

/// The findings on a key that does not fit the token it checks.
pub fn key_findings(problems: &[Problem]) -> Vec<Finding> {
    problems
        .iter()
        .map(|problem| match problem {
            Problem::UnknownAlg(None) => Finding::error(
                "jwt.alg-unknown",
                ids::TOKEN,
                "the header has no alg: no verifier checks the token; give it the alg it is signed with",
            ),
            Problem::UnknownAlg(Some(name)) => Finding::error(
                "jwt.alg-unknown",
                ids::TOKEN,
                format!(
                    "alg {} is not a JWS algorithm (names are case-sensitive: HS256, RS256, PS256, ES256, ES512, EdDSA…): verifiers refuse the token",
                    escape(name)
                ),
            ),
            Problem::KeyConfusion { alg, key } => Finding::error(
                "jwt.key-confusion",
                ids::SECRET,
                format!(
                    "the token says {} (an HMAC) but the key is {key}: a verifier that HMACs with a public key's bytes accepts forged tokens (key confusion); refuse HS algorithms for this key, or give the HMAC secret",
                    alg.name()
                ),
            ),
            Problem::AlgKeyMismatch { alg, key } => Finding::error(
                "jwt.alg-key-mismatch",
                ids::SECRET,
                format!(
                    "the token says {}, which needs {}, but the key is {key}: give the issuer's key of that kind",
                    alg.name(),
                    alg.family().describe()
                ),
            ),
            Problem::KidNotFound { kid, kids } => Finding::error(
                "jwt.kid-not-found",
                ids::SECRET,
                format!(
                    "the token's kid {} is not in the JWKS ({}): verifiers refuse it; give the JWKS that holds it, or the key itself",
                    escape(kid),
                    if kids.is_empty() {
                        "whose keys have no kid".to_string()
                    } else {
                        format!("which holds {}", kids.iter().map(|k| escape(k).into_owned()).collect::<Vec<_>>().join(", "))
                    }
                ),
            ),
            Problem::Ambiguous { candidates, verified_by } => Finding::warning(
                "jwt.kid-ambiguous",
                ids::SECRET,
                format!(
                    "the token has no kid and {candidates} keys of the JWKS fit its alg: {}; jose refuses such a token (several matching keys) and PyJWT takes the first key without a kid; give the token a kid",
                    match verified_by {
                        Some(key) => format!("each was tried, and {key} verified it"),
                        None => "each was tried, and none verified it".to_string(),
                    }
                ),
            ),
            Problem::ShortRsa { bits } => Finding::warning(
                "jwt.rsa-key-short",
                ids::SECRET,
                format!(
                    "the RSA key is {bits} bits: jose refuses keys under 2048 bits and PyJWT warns; use 2048 bits or more"
                ),
            ),
        })
        .collect()
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

    fn check(signature: Signature, hmac_secret_len: Option<usize>) -> SignatureCheck {
        SignatureCheck {
            leeway: None,
            signature,
            hmac_secret_len,
            explained: false,
        }
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
        assert!(rules(&token, &check(Signature::Valid, Some(32)), now()).is_empty());
    }

    #[test]
    fn expiry_boundary_is_inclusive() {
        let at_exp = jwt(r#"{"alg":"HS256"}"#, r#"{"exp":1000000}"#);
        assert_eq!(
            rule_ids(&rules(&at_exp, &check(Signature::Valid, None), now())),
            ["jwt.expired"]
        );
        let missing = jwt(r#"{"alg":"HS256"}"#, r#"{}"#);
        assert_eq!(
            rule_ids(&rules(&missing, &check(Signature::Valid, None), now())),
            ["jwt.no-exp"]
        );
    }

    #[test]
    fn signature_states_are_distinct_findings() {
        let token = jwt(r#"{"alg":"HS256"}"#, r#"{"exp":2000000}"#);
        let invalid = rules(&token, &check(Signature::Invalid, None), now());
        assert_eq!(rule_ids(&invalid), ["jwt.signature-invalid"]);
        assert_eq!(invalid[0].severity, crate::findings::Severity::Error);
        let unverified = rules(&token, &check(Signature::Unverified, None), now());
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
            // 10000-01-01T00:00:00Z: the first second after the year 9999.
            ("253402300800", Severity::Error),
            ("1e300", Severity::Error),
            ("null", Severity::Error),
            ("2000000.5", Severity::Warning),
        ] {
            let token = jwt(r#"{"alg":"HS256"}"#, &format!(r#"{{"exp":{exp}}}"#));
            let findings = rules(&token, &check(Signature::Valid, Some(32)), now());
            assert_eq!(rule_ids(&findings), ["jwt.exp-type"], "{exp}");
            assert_eq!(findings[0].severity, severity, "{exp}");
        }
    }

    #[test]
    fn an_iat_from_1970_is_implausible() {
        let token = jwt(r#"{"alg":"HS256"}"#, r#"{"exp":2000000000,"iat":1}"#);
        let early = DateTime::from_timestamp(1_000_000_000, 0).unwrap();
        assert_eq!(
            rule_ids(&rules(&token, &check(Signature::Valid, Some(32)), early)),
            ["jwt.iat-implausible"]
        );
    }

    #[test]
    fn alg_none_nbf_and_weak_secret() {
        let none = jwt(r#"{"alg":"none"}"#, r#"{"exp":2000000,"nbf":1000100}"#);
        assert_eq!(
            rule_ids(&rules(&none, &check(Signature::Invalid, None), now())),
            ["jwt.alg-none", "jwt.not-yet-valid"]
        );
        assert_eq!(
            rule_ids(&rules(&none, &check(Signature::Unverified, None), now())),
            ["jwt.alg-none", "jwt.not-yet-valid"]
        );
        let hs = jwt(r#"{"alg":"HS256"}"#, r#"{"exp":2000000}"#);
        assert_eq!(
            rule_ids(&rules(&hs, &check(Signature::Valid, Some(31)), now())),
            ["jwt.weak-secret"]
        );
        assert!(rules(&hs, &check(Signature::Valid, Some(32)), now()).is_empty());
        let rs = jwt(r#"{"alg":"RS256"}"#, r#"{"exp":2000000}"#);
        assert!(rules(&rs, &check(Signature::Valid, Some(3)), now()).is_empty());
    }

    #[test]
    fn a_token_request_has_its_own_ids_and_reads_its_times_in_milliseconds() {
        let request =
            |fields: &str| inspect(&format!(r#"{{"keyName":"a.b","nonce":"n"{fields}}}"#)).unwrap();
        // timestamp 999 s + the default hour: fresh at 1 000 000 s.
        let fresh = request(r#","timestamp":999000000"#);
        assert!(rules(&fresh, &check(Signature::Valid, Some(32)), now()).is_empty());
        assert_eq!(
            rule_ids(&rules(&fresh, &check(Signature::Invalid, Some(3)), now())),
            ["ably.mac-invalid", "ably.weak-secret"]
        );
        assert_eq!(
            rule_ids(&rules(&fresh, &check(Signature::Unverified, None), now())),
            ["ably.unverified"]
        );
        let expired = request(r#","timestamp":999000000,"ttl":1000000"#);
        assert_eq!(
            rule_ids(&rules(&expired, &check(Signature::Valid, None), now())),
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
            let findings = rules(&request(fields), &check(Signature::Valid, None), now());
            assert_eq!(rule_ids(&findings), [rule], "{fields}");
            assert_eq!(findings[0].severity, severity, "{fields}");
        }
    }
}
