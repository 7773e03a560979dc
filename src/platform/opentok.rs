//! OpenTok API-key token (PLATFORMS.md §2.3, §2.4): the HS256 JWT opentok-node makes by default,
//! or the legacy `T1==` token. The family's rules live in [`super::vonage`].

use chrono::{DateTime, Utc};
use rand::Rng;

use super::vonage::{DEFAULT_TTL, family_rules, made_up_session_id, role_for_form, wire_role};
use super::{
    Credentials, EnvVars, Form, MintContext, Platform, TokenFormat, claim_text, expiry_of,
    leftover_claims,
};
use crate::findings::{Field, Finding};
use crate::token::{Claims, Decoded};

pub struct Opentok;

const BUILT: [&str; 13] = [
    "iss",
    "ist",
    "iat",
    "exp",
    "session_id",
    "create_time",
    "nonce",
    "role",
    "expire_time",
    "connection_data",
    "initial_layout_class_list",
    "scope",
    "partner_id",
];

impl Platform for Opentok {
    fn id(&self) -> &'static str {
        "opentok"
    }

    fn name(&self) -> &'static str {
        "OpenTok (API key)"
    }

    fn fields(&self) -> &'static [Field] {
        &[
            Field::Role,
            Field::Topic,
            Field::Expiry,
            Field::Data,
            Field::Claims,
            Field::Format,
            Field::Key,
            Field::Secret,
        ]
    }

    fn roles(&self) -> &'static [&'static str] {
        &super::vonage::ROLES
    }

    fn default_form(&self) -> Form {
        Form {
            role: "publisher".into(),
            ..Form::default()
        }
    }

    fn default_ttl(&self) -> i64 {
        DEFAULT_TTL
    }

    fn lifetime_limits(&self) -> &'static str {
        super::vonage::LIFETIME_LIMITS
    }

    fn env_vars(&self) -> EnvVars {
        EnvVars {
            key: Some("OPENTOK_API_KEY"),
            secret: "OPENTOK_API_SECRET",
        }
    }

    fn demo_credentials(&self) -> Credentials {
        super::demo_credentials_from(include_str!("../../assets/demo/opentok.json"), None)
    }

    fn format(&self, form: &Form) -> TokenFormat {
        if form.legacy_t1 {
            TokenFormat::OpentokT1
        } else {
            TokenFormat::Jwt
        }
    }

    fn write_claims(
        &self,
        form: &Form,
        credentials: &Credentials,
        ctx: &mut MintContext,
        claims: &mut Claims,
    ) -> Result<(), String> {
        let role = wire_role(&form.role)?;
        let made_up;
        let session_id = if form.topic.is_empty() {
            made_up = made_up_session_id(&credentials.key, ctx.now);
            &*made_up
        } else {
            form.topic.as_str()
        };
        let create_time = ctx.now.timestamp();
        let expire_time = form.expiry.resolve_unix(create_time, DEFAULT_TTL);
        // opentok-node's nonce is Math.random(): a float in [0, 1).
        let nonce: f64 = ctx.rng.r#gen();
        if !form.legacy_t1 {
            claims.put("iss", credentials.key.as_str());
            claims.put("ist", "project");
            claims.put("iat", create_time);
            claims.put("exp", expire_time);
        }
        // The T1 data fields, and the rest of the JWT claims. opentok-node's key order
        // (`_.pick`): session_id, create_time, nonce, role, expire_time, connection_data,
        // initial_layout_class_list, scope.
        claims.put("session_id", session_id);
        claims.put("create_time", create_time);
        claims.put("nonce", nonce);
        claims.put("role", role);
        claims.put("expire_time", expire_time);
        if !form.data.is_empty() {
            claims.put("connection_data", form.data.as_str());
        }
        claims.put("initial_layout_class_list", "");
        claims.put("scope", "session.connect");
        Ok(())
    }

    fn recognizes(&self, decoded: &Decoded) -> bool {
        match decoded {
            Decoded::T1(_) => true,
            Decoded::Jwt(jwt) => {
                jwt.claim("ist").is_some_and(|v| v == "project")
                    && jwt.claim("session_id").is_some()
            }
        }
    }

    fn key_id(&self, decoded: &Decoded) -> Option<String> {
        match decoded {
            Decoded::T1(t1) => Some(t1.partner_id.clone()),
            Decoded::Jwt(_) => decoded
                .claim("iss")
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)),
        }
    }

    fn rules(&self, decoded: &Decoded, _now: DateTime<Utc>) -> Vec<Finding> {
        let mut findings = Vec::new();
        if let Decoded::Jwt(jwt) = decoded {
            if jwt.alg_name() != Some("HS256") {
                findings.push(Finding::error(
                    "opentok.alg",
                    Field::Token,
                    "an OpenTok API-key token is signed HS256 with the API secret",
                ));
            }
            if jwt.claim("ist").is_none_or(|v| v != "project") {
                findings.push(Finding::error(
                    "opentok.ist",
                    Field::Claims,
                    "ist must be \"project\" for a token made with an API key and secret",
                ));
            }
        }
        findings.extend(family_rules(decoded, self.key_id(decoded).as_deref()));
        findings
    }

    fn form_from(&self, decoded: &Decoded) -> Form {
        Form {
            role: role_for_form(decoded),
            topic: claim_text(decoded, "session_id"),
            expiry: expiry_of(decoded),
            data: claim_text(decoded, "connection_data"),
            claims: leftover_claims(decoded, &BUILT),
            legacy_t1: matches!(decoded, Decoded::T1(_)),
            ..Form::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::tests_support::{fixed_now, mint_and_decode, rule_ids_of};
    use crate::platform::vonage::made_up_session_id;
    use serde_json::{Value, json};

    /// Whether a value is an opentok-node nonce: a float in [0, 1).
    fn is_nonce(value: &Value) -> bool {
        value.as_f64().is_some_and(|n| (0.0..1.0).contains(&n))
            || value.as_str().is_some_and(|s| s.parse::<f64>().is_ok())
    }

    #[test]
    fn jwt_has_opentok_node_claims_in_order() {
        let form = Form {
            data: "name=Alice".into(),
            expiry: crate::duration::Expiry::After(3600),
            ..Opentok.default_form()
        };
        let (decoded, now) = mint_and_decode(&Opentok, &form);
        let claims = decoded.claims();
        let names: Vec<&str> = claims
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            names,
            BUILT[..BUILT.len() - 1],
            "opentok-node's claims, in its order"
        );
        assert_eq!(claims["exp"], claims["expire_time"]);
        assert_eq!(claims["exp"], now.timestamp() + 3600);
        assert!(is_nonce(&claims["nonce"]));
        assert!(Opentok.rules(&decoded, now).is_empty());
        assert_eq!(
            Opentok.form_from(&decoded),
            Form {
                topic: claim_text(&decoded, "session_id"),
                ..form
            }
        );
    }

    #[test]
    fn legacy_t1_round_trips_and_verifies() {
        let form = Form {
            legacy_t1: true,
            role: "moderator".into(),
            data: "a b&c".into(),
            expiry: crate::duration::Expiry::After(600),
            ..Form::default()
        };
        let (decoded, now) = mint_and_decode(&Opentok, &form);
        assert_eq!(decoded.format(), "opentok-t1");
        assert_eq!(
            decoded.claim_str("connection_data").as_deref(),
            Some("a b&c")
        );
        assert_eq!(
            decoded.expires_at().unwrap().timestamp(),
            now.timestamp() + 600
        );
        assert!(Opentok.rules(&decoded, now).is_empty());
        let refilled = Opentok.form_from(&decoded);
        assert!(refilled.legacy_t1);
        assert_eq!(refilled.role, "moderator");
    }

    #[test]
    fn session_of_another_api_key_is_an_error() {
        let other = made_up_session_id("999", fixed_now());
        let iat = fixed_now().timestamp();
        let claims = json!({"iss": "31337000", "ist": "project", "iat": iat, "exp": iat + 60, "session_id": &*other, "role": "publisher", "scope": "session.connect"});
        assert_eq!(
            rule_ids_of(&Opentok, "HS256", claims, fixed_now()),
            ["vonage.session-id"]
        );
    }
}
