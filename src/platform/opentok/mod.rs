//! OpenTok API-key token (PLATFORMS.md §2.3, §2.4): the HS256 JWT opentok-node makes by default,
//! or the legacy `T1==` token. The family's rules, roles and lifetime model are
//! [`crate::platform::vonage`]'s.

use chrono::{DateTime, Utc};
use rand::Rng;

use super::endpoint::{Answer, ForeignBody, Method, Minting, Request, Route};
use super::field::common::{self, spec};
use super::field::ids;
use super::lifetime::LifetimeModel;
use super::vonage::endpoint::{Family, video_token};
use super::vonage::family::{
    self, DEFAULT_TTL, LIFETIME_LIMITS, family_rules, form_role, made_up_session_id, wire_role,
};
use super::{
    CredentialPart, CredentialSpec, Credentials, FieldKind, FieldValue, Form, MintContext,
    MintError, OtherMinter, Platform, TokenFormat, claim_text, exp_of, expiry_of, leftover_claims,
};
use crate::findings::Finding;
use crate::token::{Claims, Decoded, opentok_t1};

pub struct Opentok;

pub static PLATFORM: Opentok = Opentok;

// The first five are Vonage's, in the same places: the family's endpoint fills either form.
crate::fields! {
    ROLE: "role" = spec("role", "role", FieldKind::Choice { choices: &family::ROLES, default: "publisher" },
        "subscriber, publisher, publisher-only or moderator → role"),
    TOPIC: "topic" = common::text("session id", "topic", "",
        "the session id → session_id (empty: a made-up one of this API key)"),
    EXPIRY: "expiry" = common::expiry("at most 30 days"),
    DATA: "data" = common::text("connection data", "data", "", "→ connection_data (every client sees it)"),
    CLAIMS: "claims" = common::claims(),
    FORMAT: "format" = spec("format", "legacy-t1", FieldKind::Switch { off: "JWT", on: "legacy T1" },
        "mint the legacy T1== token instead of a JWT"),
}

static CREDENTIALS: CredentialSpec = CredentialSpec {
    key: CredentialPart {
        label: "API key",
        help: "the OpenTok API key → iss (JWT) or partner_id (T1)",
        option: "key",
        env: &["OPENTOK_API_KEY"],
    },
    secret: CredentialPart {
        label: "API secret",
        help: "the OpenTok API secret (HS256, or HMAC-SHA1 for T1)",
        option: "secret",
        env: &["OPENTOK_API_SECRET"],
    },
    account: None,
    demo: include_str!("../../../assets/demo/opentok.json"),
    demo_secret: None,
};

static ROUTES: &[Route] = &[Route {
    methods: &[Method::Post],
    path: "/opentok/token",
    foreign_body: ForeignBody::Refuse,
    about: "{sessionId, role, data, expireTime, initialLayoutClassList} → {token, apiKey}",
    handler: opentok,
}];

fn opentok(minting: &Minting, request: &Request) -> Answer {
    video_token(minting, request, Family::Opentok)
}

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

/// Mints T1 tokens for one API key with the HMAC key prepared once and the buffers kept.
struct T1Minter<'a> {
    credentials: &'a Credentials,
    encoder: opentok_t1::Encoder,
    data: String,
}

impl<'a> T1Minter<'a> {
    fn new(credentials: &'a Credentials) -> Self {
        T1Minter {
            credentials,
            encoder: opentok_t1::Encoder::new(&credentials.key, &credentials.secret),
            data: String::with_capacity(256),
        }
    }
}

impl OtherMinter for T1Minter<'_> {
    fn mint(&mut self, form: &Form, ctx: &mut MintContext, out: &mut Vec<u8>) -> Result<(), MintError> {
        self.data.clear();
        let mut claims = Claims::t1_data(&mut self.data, form.extra_claims());
        PLATFORM.write_claims(form, self.credentials, ctx, &mut claims)?;
        claims.finish();
        self.encoder.encode(&mut self.data, out);
        Ok(())
    }
}

impl Platform for Opentok {
    fn id(&self) -> &'static str {
        "opentok"
    }

    fn name(&self) -> &'static str {
        "OpenTok (API key)"
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
        &super::vonage::lifetime::MODEL
    }

    fn routes(&self) -> &'static [Route] {
        ROUTES
    }

    fn format(&self, form: &Form) -> TokenFormat {
        if form.switch(FORMAT) {
            TokenFormat::Other
        } else {
            TokenFormat::Jwt
        }
    }

    /// The legacy `T1==` token: the same fields as the JWT's data, signed HMAC-SHA1.
    fn mint_other(
        &self,
        form: &Form,
        credentials: &Credentials,
        ctx: &mut MintContext,
        out: &mut Vec<u8>,
    ) -> Result<(), MintError> {
        T1Minter::new(credentials).mint(form, ctx, out)
    }

    fn other_minter<'a>(
        &'a self,
        credentials: &'a Credentials,
    ) -> Option<Box<dyn OtherMinter + 'a>> {
        Some(Box::new(T1Minter::new(credentials)))
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
        let create_time = ctx.now.timestamp();
        let expire_time = exp_of(EXPIRY, form, create_time, DEFAULT_TTL)?;
        // opentok-node's nonce is Math.random(): a float in [0, 1).
        let nonce: f64 = ctx.rng.r#gen();
        if !form.switch(FORMAT) {
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
        let data = form.text(DATA);
        if !data.is_empty() {
            claims.put("connection_data", data);
        }
        claims.put("initial_layout_class_list", "");
        claims.put("scope", "session.connect");
        Ok(())
    }

    fn detect(&self, decoded: &Decoded) -> u8 {
        match decoded {
            Decoded::T1(_) => 100,
            Decoded::Jwt(jwt)
                if jwt.claim("ist").is_some_and(|v| v == "project")
                    && jwt.claim("session_id").is_some() =>
            {
                90
            }
            _ => 0,
        }
    }

    fn key_id(&self, decoded: &Decoded) -> Option<String> {
        match decoded {
            Decoded::T1(t1) => Some(t1.partner_id.clone()),
            Decoded::Jwt(_) => decoded
                .claim("iss")
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)),
            _ => None,
        }
    }

    fn rules(&self, decoded: &Decoded, _now: DateTime<Utc>) -> Vec<Finding> {
        let mut findings = Vec::new();
        if let Decoded::Jwt(jwt) = decoded {
            if jwt.alg_name() != Some("HS256") {
                findings.push(Finding::error(
                    "opentok.alg",
                    ids::TOKEN,
                    "an OpenTok API-key token is signed HS256 with the API secret",
                ));
            }
            if jwt.claim("ist").is_none_or(|v| v != "project") {
                findings.push(Finding::error(
                    "opentok.ist",
                    CLAIMS,
                    "ist must be \"project\" for a token made with an API key and secret",
                ));
            }
        }
        findings.extend(family_rules(decoded, self.key_id(decoded).as_deref()));
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
        form.set(FORMAT, FieldValue::Switch(matches!(decoded, Decoded::T1(_))));
        form
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::Expiry;
    use crate::platform::tests_support::{fixed_now, mint_and_decode, rule_ids_of};
    use serde_json::{Value, json};

    /// Whether a value is an opentok-node nonce: a float in [0, 1).
    fn is_nonce(value: &Value) -> bool {
        value.as_f64().is_some_and(|n| (0.0..1.0).contains(&n))
            || value.as_str().is_some_and(|s| s.parse::<f64>().is_ok())
    }

    #[test]
    fn the_first_fields_are_vonages_in_the_same_places() {
        use crate::platform::vonage;
        for field in [vonage::ROLE, vonage::TOPIC, vonage::EXPIRY, vonage::DATA, vonage::CLAIMS] {
            assert_eq!(FIELDS[field.index].id, field.id);
        }
    }

    #[test]
    fn jwt_has_opentok_node_claims_in_order() {
        let mut form = Opentok.default_form();
        form.set_text(DATA, "name=Alice");
        form.set(EXPIRY, FieldValue::Expiry(Expiry::After(3600)));
        let (decoded, now) = mint_and_decode(&PLATFORM, &form);
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
        let mut refilled = form.clone();
        refilled.set_text(TOPIC, claim_text(&decoded, "session_id"));
        assert_eq!(Opentok.form_from(&decoded), refilled);
    }

    #[test]
    fn legacy_t1_round_trips_and_verifies() {
        let mut form = Opentok.default_form();
        form.set(FORMAT, FieldValue::Switch(true));
        form.set_text(ROLE, "moderator");
        form.set_text(DATA, "a b&c");
        form.set(EXPIRY, FieldValue::Expiry(Expiry::After(600)));
        let (decoded, now) = mint_and_decode(&PLATFORM, &form);
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
        assert!(refilled.switch(FORMAT));
        assert_eq!(refilled.text(ROLE), "moderator");
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
