//! Vonage Video client token (PLATFORMS.md §2.5): RS256, application id + application private key.

pub(crate) mod endpoint;
pub(crate) mod family;
pub(crate) mod lifetime;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::endpoint::Route;
use super::field::common::{self, spec};
use super::field::ids;
use super::lifetime::LifetimeModel;
use super::{
    CredentialError, CredentialPart, CredentialSpec, Credentials, FieldKind, FieldValue, Form,
    MintContext, MintError, Platform, claim_text, exp_of, expiry_of, leftover_claims, uuid_v4,
};
use crate::findings::Finding;
use crate::secret::Secret;
use crate::token::{Claims, Decoded, Signer, VerifyKey};
use family::{DEFAULT_TTL, LIFETIME_LIMITS, family_rules, form_role, made_up_session_id, wire_role};

pub struct Vonage;

pub static PLATFORM: Vonage = Vonage;

crate::fields! {
    ROLE: "role" = spec("role", "role", FieldKind::Choice { choices: &family::ROLES, default: "publisher" },
        "subscriber, publisher, publisher-only or moderator → role"),
    TOPIC: "topic" = common::text("session id", "topic", "",
        "the session id → session_id (empty: a made-up one of the documented shape)"),
    EXPIRY: "expiry" = common::expiry("at most 30 days"),
    DATA: "data" = common::text("connection data", "data", "", "→ connection_data (every client sees it)"),
    CLAIMS: "claims" = common::claims(),
}

static CREDENTIALS: CredentialSpec = CredentialSpec {
    key: CredentialPart {
        label: "app id",
        help: "the Vonage application id → application_id",
        option: "key",
        env: &["VONAGE_APPLICATION_ID"],
    },
    secret: CredentialPart {
        label: "private key",
        help: "the application's private key (RS256): PEM text, or the path of a PEM file",
        option: "secret",
        env: &["VONAGE_PRIVATE_KEY"],
    },
    account: None,
    demo: include_str!("../../../assets/demo/vonage.json"),
    demo_secret: Some(include_bytes!("../../../assets/demo/vonage-private-key.pem")),
};

const BUILT: [&str; 11] = [
    "application_id",
    "scope",
    "session_id",
    "role",
    "initial_layout_class_list",
    "connection_data",
    "sub",
    "acl",
    "iat",
    "exp",
    "jti",
];

/// The private key PEM of a Vonage secret: PEM text, or a path to it (as `VONAGE_PRIVATE_KEY`
/// often is).
fn private_key_pem(secret: &Secret) -> Result<Secret, CredentialError> {
    if secret.expose().starts_with(b"-----BEGIN") {
        return Ok(secret.clone());
    }
    crate::secret::read_file(secret.expose_text().trim())
        .map(Secret::new)
        .map_err(|_| CredentialError::Unusable("the vonage secret must be the application's private key: PEM text, or the path of a PEM file".into()))
}

impl Platform for Vonage {
    fn id(&self) -> &'static str {
        "vonage"
    }

    fn name(&self) -> &'static str {
        "Vonage Video"
    }

    fn fields(&self) -> &'static [super::FieldSpec] {
        FIELDS
    }

    fn credentials(&self) -> &'static CredentialSpec {
        &CREDENTIALS
    }

    fn default_ttl(&self) -> i64 {
        DEFAULT_TTL
    }

    fn lifetime_limits(&self) -> &'static str {
        LIFETIME_LIMITS
    }

    fn lifetime(&self) -> &'static dyn LifetimeModel {
        &lifetime::MODEL
    }

    fn routes(&self) -> &'static [Route] {
        endpoint::ROUTES
    }

    fn signer(&self, credentials: &Credentials) -> Result<Signer, CredentialError> {
        Signer::rs256_from_pem(private_key_pem(&credentials.secret)?.expose())
            .map_err(|e| CredentialError::Unusable(e.to_string()))
    }

    fn verify_key(&self, secret: &Secret) -> Result<VerifyKey, CredentialError> {
        VerifyKey::rsa_from_pem(private_key_pem(secret)?.expose())
            .map_err(|e| CredentialError::Unusable(e.to_string()))
    }

    fn write_claims(
        &self,
        form: &Form,
        credentials: &Credentials,
        ctx: &mut MintContext,
        claims: &mut Claims,
    ) -> Result<(), MintError> {
        let role = wire_role(form.text(ROLE)).map_err(|e| MintError::field(ROLE, e))?;
        let made_up;
        let session_id = match form.text(TOPIC) {
            "" => {
                made_up = made_up_session_id(&credentials.key, ctx.now);
                &*made_up
            }
            given => given,
        };
        claims.put("application_id", credentials.key.as_str());
        claims.put("scope", "session.connect");
        claims.put("session_id", session_id);
        claims.put("role", role);
        claims.put("initial_layout_class_list", "");
        let data = form.text(DATA);
        if !data.is_empty() {
            claims.put("connection_data", data);
        }
        claims.put("sub", "video");
        claims.put("acl", &json!({"paths": {"/session/**": {}}}));
        let iat = ctx.now.timestamp();
        claims.put("iat", iat);
        claims.put("exp", exp_of(EXPIRY, form, iat, DEFAULT_TTL)?);
        claims.put("jti", uuid_v4(ctx.rng).as_str());
        Ok(())
    }

    fn detect(&self, decoded: &Decoded) -> u8 {
        match decoded {
            Decoded::Jwt(jwt) if jwt.claim("application_id").is_some() => 90,
            Decoded::Jwt(jwt) if jwt.claim("session_id").is_some() && jwt.alg_name() == Some("RS256") => 70,
            _ => 0,
        }
    }

    fn key_id(&self, decoded: &Decoded) -> Option<String> {
        decoded.claim_str("application_id")
    }

    fn rules(&self, decoded: &Decoded, _now: DateTime<Utc>) -> Vec<Finding> {
        let Decoded::Jwt(jwt) = decoded else {
            return vec![Finding::error(
                "vonage.format",
                ids::FORMAT,
                "a Vonage application token is an RS256 JWT: legacy T1 tokens belong to OpenTok API keys",
            )];
        };
        let mut findings = Vec::new();
        if jwt.alg_name() != Some("RS256") {
            findings.push(Finding::error(
                "vonage.alg",
                ids::TOKEN,
                "a Vonage application token is signed RS256 with the application's private key",
            ));
        }
        if jwt
            .claim("application_id")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            findings.push(Finding::error(
                "vonage.application-id",
                ids::KEY,
                "application_id is missing: set it to the Vonage application id",
            ));
        }
        findings.extend(family_rules(decoded, None));
        findings
    }

    fn built_claims(&self) -> &'static [&'static str] {
        &BUILT
    }

    fn made_up(&self, field: usize, decoded: &Decoded) -> Option<String> {
        (field == TOPIC.index)
            .then(|| decoded.claim_str("session_id"))
            .flatten()
    }

    fn form_from(&self, decoded: &Decoded) -> Form {
        let mut form = self.default_form();
        form.set_text(ROLE, form_role(decoded));
        form.set_text(TOPIC, claim_text(decoded, "session_id"));
        form.set(EXPIRY, FieldValue::Expiry(expiry_of(decoded)));
        form.set_text(DATA, claim_text(decoded, "connection_data"));
        form.set(CLAIMS, FieldValue::Claims(leftover_claims(decoded, &BUILT)));
        form
    }
}

#[cfg(test)]
mod tests {
    use super::family::{MAX_TTL, WIRE_ROLES, session_id_key};
    use super::*;
    use crate::platform::tests_support::{fixed_now, mint_and_decode, rule_ids_of};

    fn base() -> Value {
        let iat = fixed_now().timestamp();
        json!({"application_id": "app", "scope": "session.connect", "session_id": &*made_up_session_id("app", fixed_now()),
               "role": "publisher", "initial_layout_class_list": "", "sub": "video", "iat": iat, "exp": iat + 3600, "jti": "x"})
    }

    fn rules_for(changes: Value) -> Vec<&'static str> {
        let mut claims = base();
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        rule_ids_of(&Vonage, "RS256", claims, fixed_now())
    }

    #[test]
    fn a_good_token_breaks_no_rule() {
        assert!(rules_for(json!({})).is_empty());
    }

    #[test]
    fn expiry_bounds() {
        let iat = fixed_now().timestamp();
        assert!(rules_for(json!({"exp": iat + MAX_TTL})).is_empty());
        assert_eq!(
            rules_for(json!({"exp": iat + MAX_TTL + 1})),
            ["vonage.exp-max"]
        );
        assert_eq!(rules_for(json!({"exp": iat})), ["vonage.exp-past"]);
    }

    #[test]
    fn connection_data_length_boundary() {
        assert!(rules_for(json!({"connection_data": "d".repeat(1000)})).is_empty());
        assert_eq!(
            rules_for(json!({"connection_data": "d".repeat(1001)})),
            ["vonage.connection-data-length"]
        );
    }

    #[test]
    fn roles_scope_session_and_spellings() {
        for role in WIRE_ROLES {
            assert!(rules_for(json!({"role": role})).is_empty(), "{role}");
        }
        assert_eq!(
            rules_for(json!({"role": "publisher-only"})),
            ["vonage.role"]
        );
        assert_eq!(rules_for(json!({"role": "admin"})), ["vonage.role"]);
        assert_eq!(
            rules_for(json!({"scope": "session.read"})),
            ["vonage.scope"]
        );
        assert_eq!(
            rules_for(json!({"session_id": null})),
            ["vonage.session-id"]
        );
        assert_eq!(
            rules_for(json!({"session_id": "not-a-session"})),
            ["vonage.session-id"]
        );
        assert_eq!(
            rules_for(json!({"subject": "video", "sub": null})),
            ["vonage.claim-spelling"]
        );
        assert_eq!(rules_for(json!({"data": "x"})), ["vonage.claim-spelling"]);
        assert_eq!(
            rules_for(json!({"initial_layout_class_list": ["a"]})),
            ["vonage.claim-spelling"]
        );
        assert_eq!(
            rules_for(json!({"application_id": null})),
            ["vonage.application-id"]
        );
    }

    #[test]
    fn session_ids_name_their_api_key() {
        let id = made_up_session_id("12345", fixed_now());
        assert_eq!(session_id_key(&id).as_deref(), Some("12345"));
        assert_eq!(
            session_id_key(
                "1_MX4xMDB-MTI3LjAuMC4xflR1ZSBKYW4gMjggMTU6NDg6NDAgUFNUIDIwMTR-MC43NjAyOTYyfg"
            )
            .as_deref(),
            Some("100")
        );
        assert_eq!(session_id_key("x"), None);
    }

    #[test]
    fn mint_builds_the_client_token_claims_and_round_trips_the_form() {
        let mut form = Vonage.default_form();
        form.set_text(ROLE, "publisher-only");
        form.set_text(TOPIC, "2_abc");
        form.set_text(DATA, "name=bob");
        form.set(EXPIRY, FieldValue::Expiry(crate::duration::Expiry::After(3600)));
        let (decoded, _) = mint_and_decode(&PLATFORM, &form);
        let claims = decoded.claims();
        assert_eq!(claims["role"], "publisheronly");
        assert_eq!(claims["acl"], json!({"paths": {"/session/**": {}}}));
        assert_eq!(claims["sub"], "video");
        assert_eq!(decoded.header().unwrap()["alg"], "RS256");
        assert_eq!(Vonage.form_from(&decoded), form);
        assert!(wire_role("owner").is_err());
    }
}
