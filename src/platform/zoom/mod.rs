//! Zoom Video SDK signature (PLATFORMS.md §1): HS256, SDK key + SDK secret.

mod endpoint;
mod lifetime;
pub mod rules;

use chrono::{DateTime, Utc};

use super::endpoint::Route;
use super::field::common::{self, spec};
use super::lifetime::LifetimeModel;
use super::{
    CredentialPart, CredentialSpec, Credentials, FieldKind, Form, FieldValue, MintContext,
    MintError, Platform, claim_text, exp_of, expiry_of, leftover_claims,
};
use crate::findings::Finding;
use crate::token::{Claims, Decoded};

pub struct Zoom;

pub static PLATFORM: Zoom = Zoom;

crate::fields! {
    ROLE: "role" = spec("role", "role", FieldKind::Choice { choices: &["host", "participant"], default: "host" },
        "host or participant (1 or 0) → role_type"),
    TOPIC: "topic" = common::text("session name", "topic", "teammeeting",
        "the session name → tpc (what the client passes to join)"),
    PASSWORD: "password" = common::text("password", "password", "", "the session password → pwd"),
    EXPIRY: "expiry" = common::expiry("exp − iat: 30m to 48h"),
    CLIENT_ID: "client-id" = common::text("user identity", "client-id", "", "→ user_identity"),
    CLAIMS: "claims" = common::claims(),
}

static CREDENTIALS: CredentialSpec = CredentialSpec {
    key: CredentialPart {
        label: "SDK key",
        help: "the Video SDK key → app_key",
        option: "key",
        env: &["ZOOM_VIDEO_SDK_KEY"],
    },
    secret: CredentialPart {
        label: "SDK secret",
        help: "the Video SDK secret (HS256)",
        option: "secret",
        env: &["ZOOM_VIDEO_SDK_SECRET"],
    },
    account: None,
    demo: include_str!("../../../assets/demo/zoom.json"),
    demo_secret: None,
};

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

    fn fields(&self) -> &'static [super::FieldSpec] {
        FIELDS
    }

    fn credentials(&self) -> &'static CredentialSpec {
        &CREDENTIALS
    }

    fn default_ttl(&self) -> i64 {
        7200
    }

    fn lifetime_limits(&self) -> &'static str {
        "30m ≤ exp−iat ≤ 48h"
    }

    fn lifetime(&self) -> &'static dyn LifetimeModel {
        &lifetime::MODEL
    }

    fn routes(&self) -> &'static [Route] {
        endpoint::ROUTES
    }

    fn write_claims(
        &self,
        form: &Form,
        credentials: &Credentials,
        ctx: &mut MintContext,
        claims: &mut Claims,
    ) -> Result<(), MintError> {
        let role_type: i64 = match form.text(ROLE).trim() {
            "host" | "1" => 1,
            "participant" | "0" => 0,
            other => {
                return Err(MintError::field(
                    ROLE,
                    format!("'{other}' is not a zoom role: use host or participant (or 1 or 0)"),
                ));
            }
        };
        let iat = ctx.now.timestamp();
        let exp = exp_of(EXPIRY, form, iat, self.default_ttl())?;
        claims.put("app_key", credentials.key.as_str());
        claims.put("role_type", role_type);
        claims.put("tpc", form.text(TOPIC));
        claims.put("version", 1_i64);
        claims.put("iat", iat);
        claims.put("exp", exp);
        let password = form.text(PASSWORD);
        if !password.is_empty() {
            claims.put("pwd", password);
        }
        let client_id = form.text(CLIENT_ID);
        if !client_id.is_empty() {
            claims.put("user_identity", client_id);
        }
        Ok(())
    }

    fn detect(&self, decoded: &Decoded) -> u8 {
        match decoded {
            Decoded::Jwt(jwt) if jwt.claim("app_key").is_some() => 90,
            Decoded::Jwt(jwt) if jwt.claim("tpc").is_some() && jwt.claim("role_type").is_some() => {
                80
            }
            _ => 0,
        }
    }

    fn key_id(&self, decoded: &Decoded) -> Option<String> {
        decoded.claim_str("app_key")
    }

    fn rules(&self, decoded: &Decoded, now: DateTime<Utc>) -> Vec<Finding> {
        rules::rules(decoded, now)
    }

    fn built_claims(&self) -> &'static [&'static str] {
        &BUILT
    }

    fn form_from(&self, decoded: &Decoded) -> Form {
        let role = match decoded.claim("role_type") {
            Some(v) if v == 1 => "host".to_string(),
            Some(v) if v == 0 => "participant".to_string(),
            _ => claim_text(decoded, "role_type"),
        };
        let mut form = self.default_form();
        form.set_text(ROLE, role);
        form.set_text(TOPIC, claim_text(decoded, "tpc"));
        form.set_text(PASSWORD, claim_text(decoded, "pwd"));
        form.set(EXPIRY, FieldValue::Expiry(expiry_of(decoded)));
        form.set_text(CLIENT_ID, claim_text(decoded, "user_identity"));
        form.set(
            CLAIMS,
            FieldValue::Claims(
                leftover_claims(decoded, &BUILT)
                    .into_iter()
                    .chain(
                        decoded
                            .claim("version")
                            .filter(|v| *v != 1)
                            .map(|v| ("version".to_string(), v)),
                    )
                    .collect(),
            ),
        );
        form
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::tests_support::{mint, mint_and_decode, rule_ids_of};
    use serde_json::{Value, json};

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
        let mut form = Zoom.default_form();
        form.set_text(PASSWORD, "pw");
        form.set_text(CLIENT_ID, "alice");
        form.set(EXPIRY, FieldValue::Expiry(crate::duration::Expiry::After(7200)));
        let (decoded, now) = mint_and_decode(&PLATFORM, &form);
        let claims = decoded.claims();
        let names: Vec<&str> = claims
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(names, BUILT);
        assert_eq!(claims["role_type"], 1);
        assert_eq!(claims["exp"], now.timestamp() + 7200);
        assert_eq!(Zoom.form_from(&decoded), form);
    }

    #[test]
    fn unknown_role_is_refused_at_mint() {
        let mut form = Zoom.default_form();
        form.set_text(ROLE, "admin");
        let error = mint(&PLATFORM, &form).unwrap_err();
        assert!(error.to_string().contains("host or participant"), "{error}");
        assert_eq!(error, MintError::field(ROLE, error.to_string()));
    }
}
