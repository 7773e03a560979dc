//! Zoom Video SDK signature (PLATFORMS.md §1): HS256, SDK key + SDK secret.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{
    Credentials, EnvVars, Form, MintContext, Platform, claim_text, expiry_of, leftover_claims,
};
use crate::findings::{Field, Finding};
use crate::token::{Claims, Decoded, seconds_of};

pub struct Zoom;

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

/// The claims this platform builds from its form; the rest are extra claims.
const BUILT: [&str; 8] = [
    "app_key",
    "role_type",
    "tpc",
    "version",
    "iat",
    "exp",
    "pwd",
    "user_identity",
];

impl Platform for Zoom {
    fn id(&self) -> &'static str {
        "zoom"
    }

    fn name(&self) -> &'static str {
        "Zoom Video SDK"
    }

    fn fields(&self) -> &'static [Field] {
        &[
            Field::Role,
            Field::Topic,
            Field::Password,
            Field::Expiry,
            Field::ClientId,
            Field::Claims,
            Field::Key,
            Field::Secret,
        ]
    }

    fn roles(&self) -> &'static [&'static str] {
        &["host", "participant"]
    }

    fn default_form(&self) -> Form {
        Form {
            role: "host".into(),
            topic: "teammeeting".into(),
            ..Form::default()
        }
    }

    fn default_ttl(&self) -> i64 {
        7200
    }

    fn lifetime_limits(&self) -> &'static str {
        "30m ≤ exp−iat ≤ 48h (default 2h)"
    }

    fn env_vars(&self) -> EnvVars {
        EnvVars {
            key: Some("ZOOM_VIDEO_SDK_KEY"),
            secret: "ZOOM_VIDEO_SDK_SECRET",
        }
    }

    fn demo_credentials(&self) -> Credentials {
        super::demo_credentials_from(include_str!("../../assets/demo/zoom.json"), None)
    }

    fn write_claims(
        &self,
        form: &Form,
        credentials: &Credentials,
        ctx: &mut MintContext,
        claims: &mut Claims,
    ) -> Result<(), String> {
        let role_type: i64 = match form.role.trim() {
            "host" | "1" => 1,
            "participant" | "0" => 0,
            other => {
                return Err(format!(
                    "'{other}' is not a zoom role: use host or participant (or 1 or 0)"
                ));
            }
        };
        let iat = ctx.now.timestamp();
        let exp = form.expiry.resolve_unix(iat, self.default_ttl());
        claims.put("app_key", credentials.key.as_str());
        claims.put("role_type", role_type);
        claims.put("tpc", form.topic.as_str());
        claims.put("version", 1_i64);
        claims.put("iat", iat);
        claims.put("exp", exp);
        if !form.password.is_empty() {
            claims.put("pwd", form.password.as_str());
        }
        if !form.client_id.is_empty() {
            claims.put("user_identity", form.client_id.as_str());
        }
        Ok(())
    }

    fn recognizes(&self, decoded: &Decoded) -> bool {
        matches!(decoded, Decoded::Jwt(jwt) if jwt.claim("app_key").is_some()
            || (jwt.claim("tpc").is_some() && jwt.claim("role_type").is_some()))
    }

    fn key_id(&self, decoded: &Decoded) -> Option<String> {
        decoded.claim_str("app_key")
    }

    fn rules(&self, decoded: &Decoded, now: DateTime<Utc>) -> Vec<Finding> {
        let Decoded::Jwt(jwt) = decoded else {
            return vec![Finding::error(
                "zoom.format",
                Field::Format,
                "a Zoom Video SDK signature is a JWT (HS256), not an OpenTok T1 token",
            )];
        };
        let mut findings = Vec::new();
        let claim = |name: &str| jwt.claim(name);
        if jwt.alg_name() != Some("HS256") {
            findings.push(Finding::warning("zoom.alg", Field::Token, "Zoom expects HS256 signatures; other algorithms \"may produce unexpected results\""));
        }
        if claim("app_key")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            findings.push(Finding::error(
                "zoom.app-key",
                Field::Key,
                "app_key is missing: set it to the Video SDK key",
            ));
        }
        check_role_type(claim("role_type"), &mut findings);
        check_tpc(claim("tpc"), &mut findings);
        if claim("version") != Some(&Value::from(1)) {
            findings.push(Finding::error(
                "zoom.version",
                Field::Claims,
                "version must be the number 1",
            ));
        }
        check_times(claim("iat"), claim("exp"), now, &mut findings);
        check_length(
            claim("pwd"),
            PWD_MAX,
            "zoom.pwd-length",
            Field::Password,
            "pwd (session password)",
            " (the Web SDK limits passwords to 10; whether the server checks pwd in the JWT is unconfirmed)",
            &mut findings,
        );
        check_length(
            claim("user_identity"),
            USER_IDENTITY_MAX,
            "zoom.user-identity-length",
            Field::ClientId,
            "user_identity",
            "",
            &mut findings,
        );
        check_length(
            claim("user_key"),
            USER_KEY_MAX,
            "zoom.user-identity-length",
            Field::ClientId,
            "user_key",
            "",
            &mut findings,
        );
        check_length(
            claim("session_key"),
            SESSION_KEY_MAX,
            "zoom.session-key-length",
            Field::Claims,
            "session_key",
            "",
            &mut findings,
        );
        if let Some(regions) = claim("geo_regions") {
            check_geo_regions(regions, &mut findings);
        }
        findings
    }

    fn form_from(&self, decoded: &Decoded) -> Form {
        let role = match decoded.claim("role_type") {
            Some(v) if v == 1 => "host".to_string(),
            Some(v) if v == 0 => "participant".to_string(),
            _ => claim_text(decoded, "role_type"),
        };
        Form {
            role,
            topic: claim_text(decoded, "tpc"),
            password: claim_text(decoded, "pwd"),
            expiry: expiry_of(decoded),
            client_id: claim_text(decoded, "user_identity"),
            claims: leftover_claims(decoded, &BUILT)
                .into_iter()
                .chain(
                    decoded
                        .claim("version")
                        .filter(|v| *v != 1)
                        .map(|v| ("version".to_string(), v)),
                )
                .collect(),
            ..Form::default()
        }
    }
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
    findings.push(Finding::error("zoom.role-type", Field::Role, message));
}

fn check_tpc(tpc: Option<&Value>, findings: &mut Vec<Finding>) {
    let Some(tpc) = tpc.and_then(Value::as_str).filter(|t| !t.is_empty()) else {
        findings.push(Finding::error("zoom.tpc-empty", Field::Topic, "tpc (the session name) is missing or empty: set it to the topic the client passes to join()"));
        return;
    };
    let length = tpc.chars().count();
    if length > TPC_MAX {
        findings.push(Finding::error(
            "zoom.tpc-length",
            Field::Topic,
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
        findings.push(Finding::error("zoom.tpc-chars", Field::Topic, format!("tpc has characters Zoom does not allow ({shown}): use letters, digits, spaces and {TPC_SYMBOLS}")));
    }
    if tpc.chars().any(char::is_uppercase) {
        findings.push(Finding::info(
            "zoom.tpc-case",
            Field::Topic,
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
            Field::Expiry,
            "iat is a string: Zoom wants a number of seconds (\"should not be a string\")",
        ));
    }
    if matches!(exp, Some(Value::String(_))) {
        findings.push(Finding::error(
            "zoom.exp-string",
            Field::Expiry,
            "exp is a string: Zoom wants a number of seconds",
        ));
    }
    let (Some(iat), Some(exp)) = (iat.and_then(seconds_of), exp.and_then(seconds_of)) else {
        findings.push(Finding::error(
            "zoom.exp-window",
            Field::Expiry,
            "iat and exp are both required, as numbers of seconds",
        ));
        return;
    };
    let ttl = exp.saturating_sub(iat);
    if !(MIN_TTL..=MAX_TTL).contains(&ttl) {
        findings.push(Finding::error(
            "zoom.exp-window",
            Field::Expiry,
            format!("exp is {ttl} s after iat: Zoom wants 1800 s (30 min) to 172800 s (48 h)"),
        ));
    } else if ttl < MIN_TTL + EDGE_MARGIN {
        findings.push(Finding::warning("zoom.exp-window-edge", Field::Expiry, format!("exp is {ttl} s after iat, within {EDGE_MARGIN} s of the 1800 s minimum: tokens this close have been refused; use 31m or more")));
    }
    if iat > now.timestamp() {
        findings.push(Finding::warning("zoom.iat-future", Field::Expiry, format!("iat is {} s in the future: a server clock that runs ahead gets \"invalid signature\"; back-date iat by 30 s as Zoom's samples do", iat - now.timestamp())));
    }
}

#[allow(clippy::too_many_arguments)]
fn check_length(
    value: Option<&Value>,
    max: usize,
    rule: &'static str,
    field: Field,
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
            Field::Claims,
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
            Field::Claims,
            format!(
                "unknown geo region(s) {}: use {} (each enabled on the account)",
                unknown.join(", "),
                GEO_REGIONS.join(",")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::tests_support::{mint_and_decode, rule_ids_of};
    use serde_json::json;

    fn rules_for(claims: Value) -> Vec<&'static str> {
        let now = DateTime::from_timestamp(1_795_341_600, 0).unwrap();
        rule_ids_of(&Zoom, "HS256", claims, now)
    }

    fn base() -> Value {
        json!({"app_key": "k", "role_type": 1, "tpc": "room", "version": 1, "iat": 1_795_341_600, "exp": 1_795_348_800})
    }

    fn with(changes: Value) -> Value {
        let mut claims = base();
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        claims
    }

    #[test]
    fn a_good_token_breaks_no_rule() {
        assert!(rules_for(base()).is_empty());
    }

    #[test]
    fn exp_window_boundaries() {
        let iat = 1_795_341_600;
        for (ttl, expected) in [
            (1799, vec!["zoom.exp-window"]),
            (1800, vec!["zoom.exp-window-edge"]),
            (1859, vec!["zoom.exp-window-edge"]),
            (1860, vec![]),
            (172_800, vec![]),
            (172_801, vec!["zoom.exp-window"]),
        ] {
            assert_eq!(
                rules_for(with(json!({"exp": iat + ttl}))),
                expected,
                "ttl {ttl}"
            );
        }
    }

    #[test]
    fn role_type_rules() {
        assert_eq!(rules_for(with(json!({"role_type": 0}))), Vec::<&str>::new());
        assert_eq!(rules_for(with(json!({"role_type": 2}))), ["zoom.role-type"]);
        assert_eq!(
            rules_for(with(json!({"role_type": "1"}))),
            ["zoom.role-type"]
        );
        assert_eq!(
            rules_for(with(json!({"role_type": null}))),
            ["zoom.role-type"]
        );
    }

    #[test]
    fn topic_rules() {
        assert_eq!(
            rules_for(with(json!({"tpc": "a".repeat(200)}))),
            Vec::<&str>::new()
        );
        assert_eq!(
            rules_for(with(json!({"tpc": "a".repeat(201)}))),
            ["zoom.tpc-length"]
        );
        assert_eq!(rules_for(with(json!({"tpc": ""}))), ["zoom.tpc-empty"]);
        assert_eq!(rules_for(with(json!({"tpc": null}))), ["zoom.tpc-empty"]);
        assert_eq!(
            rules_for(with(json!({"tpc": "room/1"}))),
            ["zoom.tpc-chars"]
        );
        assert_eq!(
            rules_for(with(json!({"tpc": "a!#$%&()+-:;<=.>?@[]^_{}|~, b"}))),
            Vec::<&str>::new()
        );
        assert_eq!(
            rules_for(with(json!({"tpc": "My Room"}))),
            ["zoom.tpc-case"]
        );
    }

    #[test]
    fn claim_length_rules() {
        assert_eq!(
            rules_for(with(json!({"pwd": "1234567890"}))),
            Vec::<&str>::new()
        );
        assert_eq!(
            rules_for(with(json!({"pwd": "12345678901"}))),
            ["zoom.pwd-length"]
        );
        assert_eq!(
            rules_for(with(json!({"user_identity": "u".repeat(35)}))),
            Vec::<&str>::new()
        );
        assert_eq!(
            rules_for(with(json!({"user_identity": "u".repeat(36)}))),
            ["zoom.user-identity-length"]
        );
        assert_eq!(
            rules_for(with(json!({"session_key": "s".repeat(36)}))),
            Vec::<&str>::new()
        );
        assert_eq!(
            rules_for(with(json!({"session_key": "s".repeat(37)}))),
            ["zoom.session-key-length"]
        );
    }

    #[test]
    fn version_geo_and_types() {
        assert_eq!(rules_for(with(json!({"version": 2}))), ["zoom.version"]);
        assert_eq!(
            rules_for(with(json!({"geo_regions": "US,DE"}))),
            Vec::<&str>::new()
        );
        assert_eq!(
            rules_for(with(json!({"geo_regions": "US,XX"}))),
            ["zoom.geo-regions"]
        );
        assert_eq!(
            rules_for(with(json!({"iat": "1795341600"}))),
            ["zoom.iat-string"]
        );
        assert_eq!(
            rules_for(with(json!({"exp": "1795348800"}))),
            ["zoom.exp-string"]
        );
        assert_eq!(rules_for(with(json!({"app_key": null}))), ["zoom.app-key"]);
    }

    #[test]
    fn iat_in_the_future() {
        assert_eq!(
            rules_for(with(json!({"iat": 1_795_341_660, "exp": 1_795_348_860}))),
            ["zoom.iat-future"]
        );
    }

    #[test]
    fn mint_builds_the_documented_claims() {
        let form = Form {
            password: "pw".into(),
            client_id: "alice".into(),
            expiry: crate::duration::Expiry::After(7200),
            ..Zoom.default_form()
        };
        let (decoded, now) = mint_and_decode(&Zoom, &form);
        let claims = decoded.claims();
        let names: Vec<&str> = claims
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            names,
            [
                "app_key",
                "role_type",
                "tpc",
                "version",
                "iat",
                "exp",
                "pwd",
                "user_identity"
            ]
        );
        assert_eq!(claims["role_type"], 1);
        assert_eq!(claims["exp"], now.timestamp() + 7200);
        assert_eq!(Zoom.form_from(&decoded), form);
    }

    #[test]
    fn unknown_role_is_refused_at_mint() {
        let form = Form {
            role: "admin".into(),
            ..Zoom.default_form()
        };
        let credentials = Zoom.demo_credentials();
        let signer = Zoom.signer(&credentials).unwrap();
        let mut rng = rand::rngs::mock::StepRng::new(0, 1);
        let mut ctx = MintContext {
            now: Utc::now(),
            rng: &mut rng,
        };
        assert!(
            Zoom.mint(&form, &credentials, &signer, &mut ctx)
                .unwrap_err()
                .contains("host or participant")
        );
    }
}
