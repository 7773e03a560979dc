//! Vonage Video client token (PLATFORMS.md §2.5): RS256, application id + application private key.
//! Also the rules shared by the whole Vonage/OpenTok family (§2.2, §2.6, §2.7), which
//! [`super::opentok`] applies too.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use siphasher::sip::SipHasher13;
use std::cell::RefCell;
use std::hash::Hasher;
use std::rc::Rc;

use super::{
    Credentials, EnvVars, Form, MintContext, Platform, claim_text, expiry_of, leftover_claims,
    uuid_v4,
};
use crate::findings::{Field, Finding};
use crate::secret::{Secret, decode_base64_any};
use crate::token::{Claims, Decoded, Signer, VerifyKey};

pub struct Vonage;

/// Roles as the workbench offers them; `publisher-only` is `publisheronly` on the wire (§2.2).
pub const ROLES: [&str; 4] = ["subscriber", "publisher", "publisher-only", "moderator"];
const WIRE_ROLES: [&str; 4] = ["subscriber", "publisher", "publisheronly", "moderator"];
/// §2.7: "up to 30 days".
pub const MAX_TTL: i64 = 30 * 86_400;
/// §2.7: "limited to 1000 characters".
pub const CONNECTION_DATA_MAX: usize = 1000;
pub const DEFAULT_TTL: i64 = 86_400;
/// The family's lifetime limits, as the workbench shows them beside the expiry.
pub const LIFETIME_LIMITS: &str = "at most 30 days (default 24h)";

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

/// The wire value of a role as typed, or a usage error naming the roles.
pub fn wire_role(role: &str) -> Result<&'static str, String> {
    match role.trim() {
        "publisher-only" | "publisheronly" => Ok("publisheronly"),
        other => WIRE_ROLES
            .iter()
            .copied()
            .find(|r| *r == other)
            .ok_or_else(|| format!("'{other}' is not a role: use subscriber, publisher, publisher-only or moderator")),
    }
}

/// The role as the form shows it.
fn form_role(decoded: &Decoded) -> String {
    match claim_text(decoded, "role").as_str() {
        "publisheronly" => "publisher-only".into(),
        other => other.into(),
    }
}

/// A session id of the documented shape that names `key` (§2.6), for forms without one. Its
/// random-looking part is a hash of the key and the time, so that every token of a run (and a
/// single mint at the same `--now`) names one session.
pub fn made_up_session_id(key: &str, now: DateTime<Utc>) -> Rc<str> {
    thread_local! {
        /// The last one made up, with its key and millisecond: every token of a bulk run asks
        /// for the same one.
        static LAST: RefCell<Option<(String, i64, Rc<str>)>> = const { RefCell::new(None) };
    }
    let millis = now.timestamp_millis();
    LAST.with_borrow_mut(|last| match last {
        Some((last_key, last_millis, id)) if last_key == key && *last_millis == millis => {
            id.clone()
        }
        _ => {
            let id: Rc<str> = make_up_session_id(key, millis).into();
            *last = Some((key.to_string(), millis, id.clone()));
            id
        }
    })
}

fn make_up_session_id(key: &str, millis: i64) -> String {
    let mut hasher = SipHasher13::new();
    hasher.write(key.as_bytes());
    hasher.write(&millis.to_le_bytes());
    let record = format!("1~{key}~~{millis}~{:08x}~", hasher.finish() as u32);
    format!("1_{}", URL_SAFE_NO_PAD.encode(record))
}

/// The API key a session id names, when it decodes as §2.6 describes.
pub fn session_id_key(session_id: &str) -> Option<String> {
    let bytes = decode_base64_any(session_id.get(2..)?)?;
    let text = String::from_utf8(bytes).ok()?;
    text.split('~').nth(1).map(str::to_string)
}

/// The private key PEM of a Vonage secret: PEM text, or a path to it (as `VONAGE_PRIVATE_KEY` often is).
fn private_key_pem(secret: &Secret) -> Result<Secret, String> {
    if secret.expose().starts_with(b"-----BEGIN") {
        return Ok(secret.clone());
    }
    let path = secret.expose_text();
    std::fs::read(path.trim())
        .map(Secret::new)
        .map_err(|_| "the vonage secret must be the application's private key: PEM text, or the path of a PEM file".to_string())
}

/// Rules of the whole Vonage/OpenTok family. `api_key` is the key the session must belong to
/// (OpenTok API-key tokens); Vonage application tokens have no such check (§2.6).
pub fn family_rules(decoded: &Decoded, api_key: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    match decoded.claim("role") {
        None => findings.push(Finding::error(
            "vonage.role",
            Field::Role,
            "role is missing: use subscriber, publisher, publisheronly or moderator",
        )),
        Some(Value::String(role)) if WIRE_ROLES.contains(&role.as_str()) => {}
        Some(Value::String(role)) if role == "publisher-only" => {
            findings.push(Finding::error(
                "vonage.role",
                Field::Role,
                "the role is spelled publisheronly on the wire, with no hyphen",
            ));
        }
        Some(other) => findings.push(Finding::error(
            "vonage.role",
            Field::Role,
            format!("{other} is not a role: use subscriber, publisher, publisheronly or moderator"),
        )),
    }
    if decoded.claim_str("scope").as_deref() != Some("session.connect")
        && !matches!(decoded, Decoded::T1(_))
    {
        findings.push(Finding::error(
            "vonage.scope",
            Field::Claims,
            "scope must be \"session.connect\" for a client token",
        ));
    }
    check_session_id(decoded, api_key, &mut findings);
    if let (Some(iat), Some(exp)) = (decoded.issued_at(), decoded.expires_at()) {
        let ttl = (exp - iat).num_seconds();
        if ttl > MAX_TTL {
            findings.push(Finding::error("vonage.exp-max", Field::Expiry, format!("the expiry is {} after creation, over the 30-day maximum: SDKs refuse it (\"Expire time must be within the next 30 days\")", crate::duration::format_approx(ttl))));
        }
        if ttl <= 0 {
            findings.push(Finding::error("vonage.exp-past", Field::Expiry, "the expiry is not after the creation time: most SDKs refuse it, and @vonage/jwt silently replaces it with now + 900 s"));
        }
    }
    if let Some(data) = decoded.claim_str("connection_data") {
        let length = data.chars().count();
        if length > CONNECTION_DATA_MAX {
            findings.push(Finding::error("vonage.connection-data-length", Field::Data, format!("connection data is {length} characters, over the documented {CONNECTION_DATA_MAX}: shorten it (clients all see it, so keep personal data out)")));
        }
    }
    let spelling = |what: &str| {
        Finding::warning(
            "vonage.claim-spelling",
            Field::Claims,
            format!(
                "{what}: some SDKs write it this way, and which spelling the server honours is unconfirmed"
            ),
        )
    };
    if decoded.claim("subject").is_some() && decoded.claim("sub").is_none() {
        findings.push(spelling("the claim is named subject rather than sub"));
    }
    if decoded.claim("data").is_some() && decoded.claim("connection_data").is_none() {
        findings.push(spelling(
            "the connection data is in a claim named data rather than connection_data",
        ));
    }
    if decoded
        .claim("initial_layout_class_list")
        .is_some_and(|v| v.is_array())
    {
        findings.push(spelling(
            "initial_layout_class_list is a JSON list rather than a space-separated string",
        ));
    }
    findings
}

fn check_session_id(decoded: &Decoded, api_key: Option<&str>, findings: &mut Vec<Finding>) {
    let Some(session_id) = decoded.claim_str("session_id").filter(|s| !s.is_empty()) else {
        findings.push(Finding::error(
            "vonage.session-id",
            Field::Topic,
            "session_id is missing: set it to the id of the session the client connects to",
        ));
        return;
    };
    match (session_id_key(&session_id), api_key) {
        (None, _) => findings.push(Finding::warning("vonage.session-id", Field::Topic, "the session id does not decode as 1_<base64> with a ~-separated record: check it was copied whole (the format is undocumented, so this is a hint)")),
        (Some(owner), Some(key)) if owner != key => findings.push(Finding::error("vonage.session-id", Field::Topic, format!("the session belongs to API key {owner}, not {key}: the SDKs refuse to make this token (\"the session … does not belong to the api_key\")"))),
        _ => {}
    }
}

impl Platform for Vonage {
    fn id(&self) -> &'static str {
        "vonage"
    }

    fn name(&self) -> &'static str {
        "Vonage Video"
    }

    fn fields(&self) -> &'static [Field] {
        &[
            Field::Role,
            Field::Topic,
            Field::Expiry,
            Field::Data,
            Field::Claims,
            Field::Key,
            Field::Secret,
        ]
    }

    fn roles(&self) -> &'static [&'static str] {
        &ROLES
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
        LIFETIME_LIMITS
    }

    fn env_vars(&self) -> EnvVars {
        EnvVars {
            key: Some("VONAGE_APPLICATION_ID"),
            secret: "VONAGE_PRIVATE_KEY",
        }
    }

    fn demo_credentials(&self) -> Credentials {
        super::demo_credentials_from(
            include_str!("../../assets/demo/vonage.json"),
            Some(include_bytes!("../../assets/demo/vonage-private-key.pem")),
        )
    }

    fn signer(&self, credentials: &Credentials) -> Result<Signer, String> {
        Signer::rs256_from_pem(private_key_pem(&credentials.secret)?.expose())
    }

    fn verify_key(&self, secret: &Secret) -> Result<VerifyKey, String> {
        VerifyKey::rsa_from_pem(private_key_pem(secret)?.expose())
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
        claims.put("application_id", credentials.key.as_str());
        claims.put("scope", "session.connect");
        claims.put("session_id", session_id);
        claims.put("role", role);
        claims.put("initial_layout_class_list", "");
        if !form.data.is_empty() {
            claims.put("connection_data", form.data.as_str());
        }
        claims.put("sub", "video");
        claims.put("acl", &json!({"paths": {"/session/**": {}}}));
        let iat = ctx.now.timestamp();
        claims.put("iat", iat);
        claims.put("exp", form.expiry.resolve_unix(iat, DEFAULT_TTL));
        claims.put("jti", uuid_v4(ctx.rng).as_str());
        Ok(())
    }

    fn recognizes(&self, decoded: &Decoded) -> bool {
        matches!(decoded, Decoded::Jwt(jwt) if jwt.claim("application_id").is_some()
            || (jwt.claim("session_id").is_some() && jwt.alg_name() == Some("RS256")))
    }

    fn key_id(&self, decoded: &Decoded) -> Option<String> {
        decoded.claim_str("application_id")
    }

    fn rules(&self, decoded: &Decoded, _now: DateTime<Utc>) -> Vec<Finding> {
        let Decoded::Jwt(jwt) = decoded else {
            return vec![Finding::error(
                "vonage.format",
                Field::Format,
                "a Vonage application token is an RS256 JWT: legacy T1 tokens belong to OpenTok API keys",
            )];
        };
        let mut findings = Vec::new();
        if jwt.alg_name() != Some("RS256") {
            findings.push(Finding::error(
                "vonage.alg",
                Field::Token,
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
                Field::Key,
                "application_id is missing: set it to the Vonage application id",
            ));
        }
        findings.extend(family_rules(decoded, None));
        findings
    }

    fn form_from(&self, decoded: &Decoded) -> Form {
        Form {
            role: form_role(decoded),
            topic: claim_text(decoded, "session_id"),
            expiry: expiry_of(decoded),
            data: claim_text(decoded, "connection_data"),
            claims: leftover_claims(decoded, &BUILT),
            ..Form::default()
        }
    }
}

/// The role as the form shows it, for [`super::opentok`].
pub fn role_for_form(decoded: &Decoded) -> String {
    form_role(decoded)
}

#[cfg(test)]
mod tests {
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
    fn a_made_up_session_is_remembered_only_for_its_key_and_millisecond() {
        let later = fixed_now() + chrono::Duration::milliseconds(1);
        let first = made_up_session_id("k1", fixed_now());
        assert_ne!(made_up_session_id("k2", fixed_now()), first);
        assert_ne!(made_up_session_id("k1", later), first);
        assert_eq!(made_up_session_id("k1", fixed_now()), first);
        assert_eq!(
            *first,
            make_up_session_id("k1", fixed_now().timestamp_millis())
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
        let form = Form {
            role: "publisher-only".into(),
            topic: "2_abc".into(),
            data: "name=bob".into(),
            expiry: crate::duration::Expiry::After(3600),
            ..Form::default()
        };
        let (decoded, _) = mint_and_decode(&Vonage, &form);
        let claims = decoded.claims();
        assert_eq!(claims["role"], "publisheronly");
        assert_eq!(claims["acl"], json!({"paths": {"/session/**": {}}}));
        assert_eq!(claims["sub"], "video");
        assert_eq!(decoded.header().unwrap()["alg"], "RS256");
        assert_eq!(Vonage.form_from(&decoded), form);
        assert!(wire_role("owner").is_err());
    }
}
