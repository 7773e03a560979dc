//! Platforms: what each one's form means, how it becomes a token, and the rules a token of
//! that platform must keep. One file per platform; adding one means a file and a line in [`ALL`].

pub mod generic;
pub mod opentok;
pub mod relaybox;
pub mod vonage;
pub mod zoom;

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::{Map, Value};

use crate::duration::Expiry;
use crate::findings::{Field, Finding};
use crate::secret::{Secret, SecretOrigin};
use crate::token::{Decoded, Signer, VerifyKey};

/// Every platform, in the order of the workbench's tabs.
pub static ALL: [&dyn Platform; 4] = [
    &zoom::Zoom,
    &vonage::Vonage,
    &opentok::Opentok,
    &relaybox::Relaybox,
];

pub fn by_id(id: &str) -> Option<&'static dyn Platform> {
    ALL.iter().copied().find(|p| p.id() == id)
}

pub fn ids() -> Vec<&'static str> {
    ALL.iter().map(|p| p.id()).collect()
}

/// Every credential environment variable of every platform (tests clear them all).
pub fn credential_env_vars() -> Vec<&'static str> {
    ALL.iter()
        .flat_map(|p| {
            let vars = p.env_vars();
            vars.key.into_iter().chain([vars.secret])
        })
        .collect()
}

/// The platform a decoded token most likely belongs to.
pub fn detect(decoded: &Decoded) -> Option<&'static dyn Platform> {
    ALL.iter().copied().find(|p| p.recognizes(decoded))
}

/// What a user fills in. Text stays as typed; each platform reads the fields that apply to it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Form {
    pub role: String,
    pub topic: String,
    pub password: String,
    pub expiry: Expiry,
    pub data: String,
    pub permissions: Vec<RoomPermission>,
    pub client_id: String,
    /// Extra claims, added last; one with the name of a built claim replaces it in place.
    pub claims: Vec<(String, Value)>,
    /// OpenTok only: mint the legacy `T1==` format instead of a JWT.
    pub legacy_t1: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomPermission {
    pub room: String,
    pub operations: Vec<String>,
}

impl Form {
    /// The form for token number `n` of a bulk run: `{n}` in any text becomes `n`.
    pub fn for_index(&self, n: u64) -> Form {
        let index = n.to_string();
        let put = |text: &str| text.replace("{n}", &index);
        Form {
            role: self.role.clone(),
            topic: put(&self.topic),
            password: put(&self.password),
            expiry: self.expiry,
            data: put(&self.data),
            permissions: self
                .permissions
                .iter()
                .map(|p| RoomPermission {
                    room: put(&p.room),
                    operations: p.operations.clone(),
                })
                .collect(),
            client_id: put(&self.client_id),
            claims: self
                .claims
                .iter()
                .map(|(name, value)| (name.clone(), substitute_in_json(value, &index)))
                .collect(),
            legacy_t1: self.legacy_t1,
        }
    }

    /// A seed for the random fields of a token minted from this form at `now` (with `--now`):
    /// the same inputs give the same `jti` and `nonce`, alone or in a bulk run.
    pub fn seed(&self, now: DateTime<Utc>) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        now.timestamp_micros().hash(&mut hasher);
        (
            &self.role,
            &self.topic,
            &self.password,
            &self.data,
            &self.client_id,
            self.legacy_t1,
        )
            .hash(&mut hasher);
        self.expiry.to_text().hash(&mut hasher);
        for permission in &self.permissions {
            (&permission.room, &permission.operations).hash(&mut hasher);
        }
        for (name, value) in &self.claims {
            (name, value.to_string()).hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Whether any text holds `{n}`, so a bulk run can skip the per-token copy when none does.
    pub fn has_index_placeholder(&self) -> bool {
        let has = |text: &str| text.contains("{n}");
        has(&self.topic)
            || has(&self.password)
            || has(&self.data)
            || has(&self.client_id)
            || self.permissions.iter().any(|p| has(&p.room))
            || self
                .claims
                .iter()
                .any(|(_, v)| v.to_string().contains("{n}"))
    }
}

fn substitute_in_json(value: &Value, index: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace("{n}", index)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| substitute_in_json(v, index)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute_in_json(v, index)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Parses `NAME=VALUE` for an extra claim: VALUE is JSON when it parses as JSON, else a string.
pub fn parse_claim(text: &str) -> Result<(String, Value), String> {
    let (name, value) = text
        .split_once('=')
        .filter(|(name, _)| !name.trim().is_empty())
        .ok_or_else(|| {
            format!(
                "'{text}' is not a claim: use NAME=VALUE, such as geo_regions=US,DE or version=1"
            )
        })?;
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()));
    Ok((name.trim().to_string(), value))
}

/// Parses `ROOM=OPS` for a permission: OPS is a comma list or `*`.
pub fn parse_permission(text: &str) -> Result<RoomPermission, String> {
    let (room, operations) = text
        .split_once('=')
        .filter(|(room, _)| !room.is_empty())
        .ok_or_else(|| format!("'{text}' is not a permission: use ROOM=OPS, such as 'chat:*=publish,subscribe' or '*=*'"))?;
    Ok(RoomPermission {
        room: room.to_string(),
        operations: operations
            .split(',')
            .map(str::trim)
            .filter(|op| !op.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

/// Where a platform's credentials came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    /// From command-line options or the workbench's form; the secret's own origin is kept.
    Given(SecretOrigin),
    /// From the platform's usual environment variables.
    Environment,
    /// The built-in demo credentials.
    Demo,
}

#[derive(Clone, Debug)]
pub struct Credentials {
    /// SDK key, application id, API key or Relaybox public key.
    pub key: String,
    pub secret: Secret,
    pub source: CredentialSource,
}

/// The credential environment variables of a platform.
pub struct EnvVars {
    pub key: Option<&'static str>,
    pub secret: &'static str,
}

pub struct MintContext<'a> {
    pub now: DateTime<Utc>,
    /// For the random fields (`jti`, `nonce`): seeded from `--now` when it is given.
    pub rng: &'a mut dyn RngCore,
}

/// A platform: its form, its token, its rules.
pub trait Platform: Sync {
    /// The id used on the command line (`zoom`).
    fn id(&self) -> &'static str;
    /// The name shown to people (`Zoom Video SDK`).
    fn name(&self) -> &'static str;
    /// The form fields that apply, in the workbench's order.
    fn fields(&self) -> &'static [Field];
    /// The role choices, as typed; empty when the platform has no roles.
    fn roles(&self) -> &'static [&'static str] {
        &[]
    }
    /// The operations a permission may grant; empty when the platform has no permissions.
    fn operations(&self) -> &'static [&'static str] {
        &[]
    }
    fn default_form(&self) -> Form;
    fn default_ttl(&self) -> i64;
    /// The platform's lifetime limits in a few words, shown beside the expiry.
    fn lifetime_limits(&self) -> &'static str;
    fn env_vars(&self) -> EnvVars;
    fn demo_credentials(&self) -> Credentials;
    /// Builds the signer from credentials, checking that the secret has the right shape
    /// (by default an HS256 secret, which any bytes are).
    fn signer(&self, credentials: &Credentials) -> Result<Signer, String> {
        Ok(Signer::hs256(&credentials.secret))
    }
    /// The key that checks a token of this platform, from the same secret that signs it.
    fn verify_key(&self, secret: &Secret) -> Result<VerifyKey, String> {
        Ok(VerifyKey::Secret(self.split_secret(secret.clone()).1))
    }
    /// Splits a secret that carries its key (Relaybox's `appPid.keyId:secret`).
    fn split_secret(&self, secret: Secret) -> (Option<String>, Secret) {
        (None, secret)
    }
    fn mint(
        &self,
        form: &Form,
        credentials: &Credentials,
        signer: &Signer,
        ctx: &mut MintContext,
    ) -> Result<String, String>;
    fn recognizes(&self, decoded: &Decoded) -> bool;
    /// The key id a token names (`app_key`, `application_id`, `iss`, `partner_id`, `publicKey`).
    fn key_id(&self, decoded: &Decoded) -> Option<String>;
    /// The rules of this platform, applied to a decoded token at time `now`.
    fn rules(&self, decoded: &Decoded, now: DateTime<Utc>) -> Vec<Finding>;
    /// The form that mints a token like this one (credentials excepted).
    fn form_from(&self, decoded: &Decoded) -> Form;
}

impl std::fmt::Debug for dyn Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Resolves credentials: the given key and secret, then the platform's environment
/// variables, then the demo credentials. Mixing a given key with a demo secret is refused.
pub fn resolve_credentials(
    platform: &dyn Platform,
    key: Option<String>,
    secret: Option<(Secret, SecretOrigin)>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Credentials, String> {
    let vars = platform.env_vars();
    let (secret, source) = match secret {
        Some((secret, origin)) => (Some(secret), CredentialSource::Given(origin)),
        None => (
            env(vars.secret).map(|value| Secret::new(value.into_bytes())),
            CredentialSource::Environment,
        ),
    };
    let Some(secret) = secret else {
        if let Some(key) = key {
            return Err(format!(
                "no secret for the {} key {key}: give --secret or set {}",
                platform.id(),
                vars.secret
            ));
        }
        return Ok(platform.demo_credentials());
    };
    let (key_in_secret, secret) = platform.split_secret(secret);
    let key = key
        .or(key_in_secret)
        .or_else(|| vars.key.and_then(env))
        .ok_or_else(|| match vars.key {
            Some(var) => format!(
                "no key for this {} secret: give --key or set {var}",
                platform.id()
            ),
            None => format!("no key for this {} secret: give --key", platform.id()),
        })?;
    Ok(Credentials {
        key,
        secret,
        source,
    })
}

/// Demo credentials from one of the `assets/demo/*.json` files compiled into the binary.
pub fn demo_credentials_from(json: &str, secret: Option<&[u8]>) -> Credentials {
    let file: Value = serde_json::from_str(json).expect("the demo credential files are valid JSON");
    let text = |name: &str| file[name].as_str().unwrap_or_default().to_string();
    Credentials {
        key: text("key"),
        secret: Secret::new(
            secret
                .map(<[u8]>::to_vec)
                .unwrap_or_else(|| text("secret").into_bytes()),
        ),
        source: CredentialSource::Demo,
    }
}

/// Puts the extra claims into a built claim set: a name already there is replaced in place.
pub fn apply_extra_claims(claims: &mut Map<String, Value>, extra: &[(String, Value)]) {
    for (name, value) in extra {
        claims.insert(name.clone(), value.clone());
    }
}

/// The common part of [`Platform::form_from`]: expiry and any claim the platform does not build.
pub fn leftover_claims(decoded: &Decoded, built: &[&str]) -> Vec<(String, Value)> {
    match decoded.claims() {
        Value::Object(map) => map
            .into_iter()
            .filter(|(name, _)| !built.contains(&name.as_str()))
            .collect(),
        _ => Vec::new(),
    }
}

/// The expiry of a decoded token as the form's duration (exp − iat), or absolute without iat.
pub fn expiry_of(decoded: &Decoded) -> Expiry {
    match (decoded.issued_at(), decoded.expires_at()) {
        (Some(iat), Some(exp)) => Expiry::After((exp - iat).num_seconds()),
        (None, Some(exp)) => Expiry::At(exp),
        _ => Expiry::Default,
    }
}

/// Text of a claim for a form field: strings as they are, other JSON as JSON.
pub fn claim_text(decoded: &Decoded, name: &str) -> String {
    match decoded.claim(name) {
        Some(Value::String(s)) => s,
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A random UUID v4 (`jti`), drawn from the mint context's random source.
pub fn uuid_v4(rng: &mut dyn RngCore) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_holds_every_platform_once() {
        assert_eq!(ids(), ["zoom", "vonage", "opentok", "relaybox"]);
        for platform in ALL {
            assert!(by_id(platform.id()).is_some());
            assert!(!platform.fields().is_empty());
        }
        assert!(by_id("agora").is_none());
    }

    #[test]
    fn claims_parse_as_json_or_string() {
        assert_eq!(
            parse_claim("version=1").unwrap(),
            ("version".into(), Value::from(1))
        );
        assert_eq!(
            parse_claim("geo_regions=US,DE").unwrap(),
            ("geo_regions".into(), Value::from("US,DE"))
        );
        assert_eq!(parse_claim("x=").unwrap(), ("x".into(), Value::from("")));
        assert!(parse_claim("novalue").unwrap_err().contains("NAME=VALUE"));
        assert!(parse_claim("=1").is_err());
    }

    #[test]
    fn permissions_parse_rooms_and_operation_lists() {
        let p = parse_permission("chat:*=publish, presence").unwrap();
        assert_eq!(p.room, "chat:*");
        assert_eq!(p.operations, ["publish", "presence"]);
        assert_eq!(parse_permission("*=*").unwrap().operations, ["*"]);
        assert!(parse_permission("chat").unwrap_err().contains("ROOM=OPS"));
    }

    #[test]
    fn index_placeholder_reaches_every_text_field() {
        let form = Form {
            topic: "room-{n}".into(),
            client_id: "user-{n}".into(),
            claims: vec![("tag".into(), serde_json::json!({"k": ["v{n}"]}))],
            permissions: vec![RoomPermission {
                room: "r{n}".into(),
                operations: vec!["*".into()],
            }],
            ..Form::default()
        };
        assert!(form.has_index_placeholder());
        let third = form.for_index(2);
        assert_eq!(third.topic, "room-2");
        assert_eq!(third.client_id, "user-2");
        assert_eq!(third.claims[0].1, serde_json::json!({"k": ["v2"]}));
        assert_eq!(third.permissions[0].room, "r2");
        assert!(!Form::default().has_index_placeholder());
    }

    #[test]
    fn credentials_fall_back_from_options_to_env_to_demo() {
        let zoom = &zoom::Zoom;
        let no_env = |_: &str| None;
        let demo = resolve_credentials(zoom, None, None, &no_env).unwrap();
        assert_eq!(demo.source, CredentialSource::Demo);

        let env = |name: &str| match name {
            "ZOOM_VIDEO_SDK_KEY" => Some("env-key".to_string()),
            "ZOOM_VIDEO_SDK_SECRET" => Some("env-secret".to_string()),
            _ => None,
        };
        let from_env = resolve_credentials(zoom, None, None, &env).unwrap();
        assert_eq!(
            (from_env.key.as_str(), from_env.source),
            ("env-key", CredentialSource::Environment)
        );

        let given = resolve_credentials(
            zoom,
            Some("k".into()),
            Some((Secret::new("s"), SecretOrigin::Literal)),
            &env,
        )
        .unwrap();
        assert_eq!(given.key, "k");
        assert_eq!(given.secret.expose(), b"s");

        let error = resolve_credentials(zoom, Some("k".into()), None, &no_env).unwrap_err();
        assert!(error.contains("ZOOM_VIDEO_SDK_SECRET"), "{error}");
        let error = resolve_credentials(
            zoom,
            None,
            Some((Secret::new("s"), SecretOrigin::Literal)),
            &no_env,
        )
        .unwrap_err();
        assert!(error.contains("--key"), "{error}");
    }
}

/// Shared by the platforms' tests: tokens from claims, and minting at a fixed time.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    /// The rule ids a platform reports for an (unsigned) token with these claims.
    pub fn rule_ids_of(
        platform: &dyn Platform,
        alg: &str,
        claims: Value,
        now: DateTime<Utc>,
    ) -> Vec<&'static str> {
        let header = serde_json::json!({"alg": alg, "typ": "JWT"});
        let text = format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let decoded = crate::token::inspect(&text).unwrap();
        platform
            .rules(&decoded, now)
            .iter()
            .map(|f| f.rule)
            .collect()
    }

    pub fn fixed_now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_341_600, 0).unwrap()
    }

    /// Mints with the demo credentials at [`fixed_now`] and decodes the result.
    pub fn mint_and_decode(platform: &dyn Platform, form: &Form) -> (Decoded, DateTime<Utc>) {
        let credentials = platform.demo_credentials();
        let signer = platform.signer(&credentials).unwrap();
        let mut rng = rand::rngs::mock::StepRng::new(7, 11);
        let mut ctx = MintContext {
            now: fixed_now(),
            rng: &mut rng,
        };
        let token = platform
            .mint(form, &credentials, &signer, &mut ctx)
            .unwrap();
        let decoded = crate::token::inspect(&token).unwrap();
        assert!(decoded.verify(&platform.verify_key(&credentials.secret).unwrap()));
        (decoded, fixed_now())
    }
}
