//! Platforms: what each one's form means, how it becomes a token, and the rules a token of
//! that platform must keep. One file per platform; adding one means a file and a line in [`ALL`].

pub mod generic;
pub mod opentok;
pub mod relaybox;
pub mod vonage;
pub mod zoom;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde_json::Value;
use siphasher::sip::SipHasher13;

use crate::duration::Expiry;
use crate::findings::{Field, Finding};
use crate::secret::{Secret, SecretOrigin};
use crate::token::{Claims, Decoded, Signer, VerifyKey, jwt, opentok_t1};

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
        let mut form = Form::default();
        self.index_into(n, &mut form);
        form
    }

    /// [`Form::for_index`] into `out`, reusing its text buffers: a bulk run allocates nothing
    /// per token for its forms.
    pub fn index_into(&self, n: u64, out: &mut Form) {
        let mut digits = [0u8; 20];
        let index = decimal(n, &mut digits);
        out.role.clone_from(&self.role);
        replace_into(&self.topic, index, &mut out.topic);
        replace_into(&self.password, index, &mut out.password);
        out.expiry = self.expiry;
        replace_into(&self.data, index, &mut out.data);
        out.permissions.truncate(self.permissions.len());
        for (i, permission) in self.permissions.iter().enumerate() {
            if i == out.permissions.len() {
                out.permissions.push(RoomPermission {
                    room: String::new(),
                    operations: Vec::new(),
                });
            }
            replace_into(&permission.room, index, &mut out.permissions[i].room);
            out.permissions[i]
                .operations
                .clone_from(&permission.operations);
        }
        replace_into(&self.client_id, index, &mut out.client_id);
        out.claims.clear();
        out.claims.extend(
            self.claims
                .iter()
                .map(|(name, value)| (name.clone(), substitute_in_json(value, index))),
        );
        out.legacy_t1 = self.legacy_t1;
    }

    /// The random source of the token minted from this form at a pinned clock (`--now`): the
    /// same inputs give the same `jti` and `nonce`, alone or in a bulk run, from build to build (a
    /// CLI test pins the values).
    pub fn pinned_rng(&self, now: DateTime<Utc>) -> PinnedRng {
        PinnedRng::seed_from_u64(self.seed(now))
    }

    /// A SipHash-1-3 of the time and every input, each text ended by 0xFF (a byte UTF-8 never
    /// holds) so that no two forms feed the same bytes. The bytes are gathered and hashed in one
    /// call: fewer instructions than a hasher call a field, once a token in a `--now` bulk run.
    fn seed(&self, now: DateTime<Utc>) -> u64 {
        let mut bytes = Vec::with_capacity(128);
        let text = |bytes: &mut Vec<u8>, text: &str| {
            bytes.extend_from_slice(text.as_bytes());
            bytes.push(0xFF);
        };
        bytes.extend_from_slice(&now.timestamp_micros().to_le_bytes());
        for field in [
            &self.role,
            &self.topic,
            &self.password,
            &self.data,
            &self.client_id,
        ] {
            text(&mut bytes, field);
        }
        let (kind, value) = match self.expiry {
            Expiry::Default => (0, 0),
            Expiry::After(seconds) => (1, seconds),
            Expiry::At(instant) => (2, instant.timestamp()),
        };
        bytes.extend_from_slice(&[self.legacy_t1.into(), kind]);
        bytes.extend_from_slice(&value.to_le_bytes());
        for permission in &self.permissions {
            text(&mut bytes, &permission.room);
            for operation in &permission.operations {
                text(&mut bytes, operation);
            }
            bytes.push(0xFE);
        }
        bytes.push(0xFD);
        for (name, value) in &self.claims {
            text(&mut bytes, name);
            serde_json::to_writer(&mut bytes, value).expect("JSON values always serialise");
            bytes.push(0xFF);
        }
        SipHasher13::new().hash(&bytes)
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

/// `n` in decimal, written into `digits`.
fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &str {
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&digits[start..]).expect("ASCII digits")
}

/// `text` with every `{n}` replaced by `index`, into `out` (as `str::replace` would give).
fn replace_into(text: &str, index: &str, out: &mut String) {
    out.clear();
    let mut rest = text;
    // A search for the byte `{` is much faster than one for the string `{n}`.
    while let Some(at) = rest.bytes().position(|b| b == b'{') {
        let (before, from_brace) = rest.split_at(at);
        out.push_str(before);
        match from_brace.strip_prefix("{n}") {
            Some(after) => {
                out.push_str(index);
                rest = after;
            }
            None => {
                out.push('{');
                rest = &from_brace[1..];
            }
        }
    }
    out.push_str(rest);
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

/// The token format a form mints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenFormat {
    Jwt,
    /// OpenTok's legacy `T1==` token, signed HMAC-SHA1 with the secret itself.
    OpentokT1,
}

/// Mints token after token for one platform and one key, reusing its buffers: every platform
/// goes through here, alone ([`Platform::mint`]) or in bulk.
pub struct Minter<'a, P: Platform + ?Sized> {
    platform: &'a P,
    credentials: &'a Credentials,
    jwt: jwt::Encoder<'a>,
    t1: String,
}

impl<'a, P: Platform + ?Sized> Minter<'a, P> {
    pub fn new(platform: &'a P, credentials: &'a Credentials, signer: &'a Signer) -> Self {
        Minter {
            platform,
            credentials,
            jwt: jwt::Encoder::for_signer(signer),
            t1: String::new(),
        }
    }

    /// The token `form` mints, ASCII, as bytes so that a bulk run writes it out unchecked; it
    /// lives until the next call.
    pub fn mint(&mut self, form: &Form, ctx: &mut MintContext) -> Result<&[u8], String> {
        let (platform, credentials) = (self.platform, self.credentials);
        let mut write = |mut claims: Claims| {
            platform.write_claims(form, credentials, ctx, &mut claims)?;
            claims.finish();
            Ok(())
        };
        match platform.format(form) {
            TokenFormat::Jwt => self
                .jwt
                .encode(|buffer| write(Claims::json(buffer, &form.claims))),
            TokenFormat::OpentokT1 => {
                let mut fields = Vec::new();
                write(Claims::t1_fields(&mut fields, &form.claims))?;
                self.t1 = opentok_t1::encode(&credentials.key, &credentials.secret, &fields);
                Ok(self.t1.as_bytes())
            }
        }
    }
}

/// The generator of a token minted at a pinned clock: PCG, whose output its crate keeps the same
/// from version to version, and cheap to seed once a token.
pub type PinnedRng = rand_pcg::Pcg64Mcg;

/// The random source of one token (`jti`, `nonce`). With a pinned clock (`--now`) it is
/// [`Form::pinned_rng`], so the same inputs give the same token alone and in bulk, and the
/// seeding happens only when a platform draws (zoom and relaybox never do). Otherwise it draws
/// from one generator of the run, seeded once from the operating system.
pub enum TokenRng<'a> {
    Pinned {
        form: &'a Form,
        now: DateTime<Utc>,
        rng: Option<PinnedRng>,
    },
    Run(&'a mut StdRng),
}

impl<'a> TokenRng<'a> {
    /// The source for `form` at `pinned` when the clock is pinned, else `run`.
    pub fn new(form: &'a Form, pinned: Option<DateTime<Utc>>, run: &'a mut StdRng) -> Self {
        match pinned {
            Some(now) => TokenRng::Pinned {
                form,
                now,
                rng: None,
            },
            None => TokenRng::Run(run),
        }
    }

    fn rng(&mut self) -> &mut dyn RngCore {
        match self {
            TokenRng::Pinned { form, now, rng } => rng.get_or_insert_with(|| form.pinned_rng(*now)),
            TokenRng::Run(rng) => rng,
        }
    }
}

impl RngCore for TokenRng<'_> {
    fn next_u32(&mut self) -> u32 {
        self.rng().next_u32()
    }

    fn next_u64(&mut self) -> u64 {
        self.rng().next_u64()
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.rng().fill_bytes(dest)
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.rng().try_fill_bytes(dest)
    }
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
    /// Writes the claims of the token `form` mints, in the platform's order. The user's extra
    /// claims are applied on the way by [`Claims`]; the format and signature by [`Minter`].
    fn write_claims(
        &self,
        form: &Form,
        credentials: &Credentials,
        ctx: &mut MintContext,
        claims: &mut Claims,
    ) -> Result<(), String>;
    /// The format `form` mints: a JWT, unless the platform has another (OpenTok's legacy T1).
    fn format(&self, _form: &Form) -> TokenFormat {
        TokenFormat::Jwt
    }
    /// Mints one token. Many tokens go faster through one [`Minter`].
    fn mint(
        &self,
        form: &Form,
        credentials: &Credentials,
        signer: &Signer,
        ctx: &mut MintContext,
    ) -> Result<String, String> {
        Minter::new(self, credentials, signer)
            .mint(form, ctx)
            .map(|token| String::from_utf8(token.to_vec()).expect("tokens are ASCII"))
    }
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
    fn index_into_reuses_a_form_and_gives_what_for_index_gives() {
        let template = Form {
            topic: "{n}{n}-x".into(),
            data: "no placeholder".into(),
            permissions: vec![RoomPermission {
                room: "r{n}".into(),
                operations: vec!["*".into()],
            }],
            ..Form::default()
        };
        let mut reused = Form {
            permissions: vec![template.permissions[0].clone(); 3],
            claims: vec![("old".into(), Value::Null)],
            ..Form::default()
        };
        for n in [0, 7, 1234, u64::MAX] {
            template.index_into(n, &mut reused);
            assert_eq!(reused, template.for_index(n));
        }
        assert_eq!(reused.topic, format!("{0}{0}-x", u64::MAX));
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
