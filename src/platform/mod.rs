//! Platforms as plug-ins. A platform is one folder, `src/platform/<id>/`, that owns everything
//! about it: its fields (as data), credentials, form → token and token → form, detection, rules,
//! lifetime model and `serve` routes. [`ALL`] is the only list of platforms: the front ends
//! iterate it, and nothing outside this folder names a platform.

pub mod credentials;
pub mod endpoint;
pub mod field;
pub mod generic;
pub mod lifetime;
pub mod mint;
pub mod subform;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use credentials::{
    CredentialError, CredentialPart, CredentialSource, CredentialSpec, Credentials,
};
pub use field::{
    FieldKind, FieldRef, FieldSpec, FieldValue, Form, IndexedForms, Preset, RoomPermission,
};
pub use mint::{MintContext, MintError, Minter, OtherMinter, Prepared, TokenFormat, TokenRng};

use crate::duration::Expiry;
use crate::findings::Finding;
use crate::secret::{Secret, SecretOrigin};
use crate::token::{Claims, Decoded, Signer, VerifyKey};
use endpoint::Route;
use lifetime::{LifetimeModel, TokenTimes};

/// Declares the platform folders and lists them, in the order of the workbench's tabs. Each
/// folder exports `PLATFORM`.
macro_rules! registry {
    ($($id:ident),+ $(,)?) => {
        $(pub mod $id;)+
        /// Every platform, in the order of the workbench's tabs.
        pub static ALL: &[&dyn Platform] = &[$(&$id::PLATFORM),+];
    };
}

registry!(
    zoom, vonage, opentok, relaybox, agora, livekit, twilio, ably
);

pub fn by_id(id: &str) -> Option<&'static dyn Platform> {
    ALL.iter().copied().find(|p| p.id() == id)
}

pub fn ids() -> Vec<&'static str> {
    ALL.iter().map(|p| p.id()).collect()
}

/// Every environment variable a platform reads, its credentials' and its fields' (tests clear
/// them all).
pub fn credential_env_vars() -> Vec<&'static str> {
    ALL.iter()
        .flat_map(|p| {
            p.credentials()
                .env_vars()
                .chain(p.fields().iter().flat_map(|f| f.env.iter().copied()))
        })
        .collect()
}

/// The platform a decoded token most likely belongs to: the most confident detection.
pub fn detect(decoded: &Decoded) -> Option<&'static dyn Platform> {
    ALL.iter()
        .copied()
        .map(|p| (p.detect(decoded), p))
        .filter(|(score, _)| *score > 0)
        .fold(
            None,
            |best: Option<(u8, &'static dyn Platform)>, (score, p)| match best {
                Some((top, _)) if top >= score => best,
                _ => Some((score, p)),
            },
        )
        .map(|(_, p)| p)
}

/// A platform: its form, its token, its rules, its lifetime, its endpoints.
pub trait Platform: Sync {
    /// The id used on the command line (`zoom`).
    fn id(&self) -> &'static str;
    /// The name shown to people (`Zoom Video SDK`).
    fn name(&self) -> &'static str;
    /// The form's fields, in the workbench's order (credentials come from [`Platform::credentials`]).
    fn fields(&self) -> &'static [FieldSpec];
    fn credentials(&self) -> &'static CredentialSpec;
    /// The lifetime a token gets when the form leaves the expiry empty, in seconds.
    fn default_ttl(&self) -> i64;
    /// The platform's lifetime limits in a few words, shown beside the expiry.
    fn lifetime_limits(&self) -> &'static str;
    fn lifetime(&self) -> &'static dyn LifetimeModel;
    /// The times the lifetime model plays for a decoded token: its iat and exp, and on a
    /// platform whose privileges end on their own, those too.
    fn token_times(&self, decoded: &Decoded) -> Option<TokenTimes> {
        Some(TokenTimes::new(decoded.issued_at()?, decoded.expires_at()?))
    }
    /// The clock skew the platform's server tolerates, which the expiry rules then count.
    fn clock_leeway(&self) -> Option<generic::ClockLeeway> {
        None
    }
    /// The auth endpoints `serve` hosts for this platform.
    fn routes(&self) -> &'static [Route] {
        &[]
    }

    fn default_form(&self) -> Form {
        Form::defaults(self.fields())
    }
    fn demo_credentials(&self) -> Credentials {
        self.credentials().demo_credentials()
    }
    /// Builds the signer from credentials, checking that the secret has the right shape
    /// (by default an HS256 secret).
    fn signer(&self, credentials: &Credentials) -> Result<Signer, CredentialError> {
        Ok(Signer::hs256(usable_hmac_secret(&credentials.secret)?))
    }
    /// The key that checks a token of this platform, from the same secret that signs it.
    fn verify_key(&self, secret: &Secret) -> Result<VerifyKey, CredentialError> {
        let secret = self.split_secret(secret.clone()).1;
        usable_hmac_secret(&secret)?;
        Ok(VerifyKey::Secret(secret))
    }
    /// Splits a secret that carries its key (an API key `appPid.keyId:secret`).
    fn split_secret(&self, secret: Secret) -> (Option<String>, Secret) {
        (None, secret)
    }
    /// The channel and uid a token of `form` holds only as hashes (Agora 006), which checking
    /// it needs.
    fn hashed_names(&self, _form: &Form) -> Option<(String, String)> {
        None
    }
    /// Whether `field` (an index into [`Platform::fields`]) goes into the token `form` mints;
    /// the workbench leaves out the rows of fields that do not (an RTM token has no channel).
    fn applies(&self, _form: &Form, _field: usize) -> bool {
        true
    }
    /// Whether the workbench offers `name` of the pairs field `field` for `form` (Agora offers
    /// the privileges of the chosen service and role).
    fn offers(&self, _form: &Form, _field: usize, _name: &str) -> bool {
        true
    }
    /// The values `name` of the pairs field `field` takes when it is a choice (LiveKit's grant
    /// switches: true or false), which the workbench cycles; empty: free text.
    fn pair_choices(&self, _field: usize, _name: &str) -> &'static [&'static str] {
        &[]
    }
    /// What `name` of the pairs field `field` is when `form` sets no pair of it, when another
    /// field decides (LiveKit's role gives grants), for the workbench to show.
    fn pair_default(&self, _form: &Form, _field: usize, _name: &str) -> Option<&'static str> {
        None
    }
    /// The format `form` mints: a JWT, unless the platform has another.
    fn format(&self, _form: &Form) -> TokenFormat {
        TokenFormat::Jwt
    }
    /// The JWT header, `alg` being the signer's.
    fn jwt_header(&self, alg: &'static str, _form: &Form, _credentials: &Credentials) -> Value {
        serde_json::json!({"alg": alg, "typ": "JWT"})
    }
    /// Whether [`Platform::jwt_header`] reads the form (a bulk run then checks it per token).
    fn header_follows_form(&self) -> bool {
        false
    }
    /// Writes the claims of the JWT `form` mints, in the platform's order. The user's extra
    /// claims are applied on the way by [`Claims`]; the format and signature by [`Minter`].
    /// A platform that mints no JWT keeps the default, which refuses.
    fn write_claims(
        &self,
        _form: &Form,
        _credentials: &Credentials,
        _ctx: &mut MintContext,
        _claims: &mut Claims,
    ) -> Result<(), MintError> {
        Err(MintError::field(
            field::ids::FORMAT,
            format!("{} tokens are not JWTs", self.name()),
        ))
    }
    /// A minter of the platform's own format for a run that keeps prepared state (a keyed MAC)
    /// from token to token; `None`: each token is minted alone by [`Platform::mint_other`].
    fn other_minter<'a>(
        &'a self,
        _credentials: &'a Credentials,
    ) -> Option<Box<dyn OtherMinter + 'a>> {
        None
    }
    /// Mints the token of a format of the platform's own ([`TokenFormat::Other`]) into `out`.
    fn mint_other(
        &self,
        _form: &Form,
        _credentials: &Credentials,
        _ctx: &mut MintContext,
        _out: &mut Vec<u8>,
    ) -> Result<(), MintError> {
        Err(MintError::field(
            field::ids::FORMAT,
            format!("{} mints JWTs only", self.name()),
        ))
    }
    /// How sure this platform is that a decoded token is one of its own: 0 not at all, up to
    /// 100 for a claim only it writes.
    fn detect(&self, decoded: &Decoded) -> u8;
    /// The key id a token names (`app_key`, `application_id`, `iss`, `partner_id`, `publicKey`).
    fn key_id(&self, decoded: &Decoded) -> Option<String>;
    /// The rules of this platform, applied to a decoded token at time `now`.
    fn rules(&self, decoded: &Decoded, now: DateTime<Utc>) -> Vec<Finding>;
    /// What a token says against the key it was checked with, when that key's id is known
    /// (a token naming one key but signed with another's secret).
    fn key_findings(&self, _decoded: &Decoded, _key: &str) -> Vec<Finding> {
        Vec::new()
    }
    /// The form that mints a token like this one (credentials excepted).
    fn form_from(&self, decoded: &Decoded) -> Form;
    /// The claims the platform writes from its form: an extra claim of one of these names
    /// replaces what a field gives (the workbench says so).
    fn built_claims(&self) -> &'static [&'static str] {
        &[]
    }
    /// What an empty field became in a minted token, when the platform makes one up (Vonage's
    /// session id): the workbench shows it where the field is empty.
    fn made_up(&self, _field: usize, _decoded: &Decoded) -> Option<String> {
        None
    }
    /// The client identity a form asks for, for logs: its `client-id` field when not empty.
    fn client_id_of(&self, form: &Form) -> Option<String> {
        self.fields()
            .iter()
            .position(|f| f.id == "client-id")
            .and_then(|index| form.values().get(index))
            .and_then(|value| match value {
                FieldValue::Text(text) if !text.is_empty() => Some(text.clone()),
                _ => None,
            })
    }
}

impl std::fmt::Debug for dyn Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Decodes a token `form` just minted, with what the form knows and the token holds only as
/// hashes, so that it can be checked.
pub fn decode_minted(
    platform: &dyn Platform,
    form: &Form,
    text: &str,
) -> Result<Decoded, crate::token::DecodeError> {
    let decoded = crate::token::inspect(text)?;
    Ok(match platform.hashed_names(form) {
        Some((channel, uid)) => decoded.with_hashed_names(Some(&channel), Some(&uid)),
        None => decoded,
    })
}

/// An HMAC secret, unless it is empty: an empty key signs, but nothing should accept it, and it
/// is always a mistake (`b64:`, `@/dev/null`, an emptied field).
pub fn usable_hmac_secret(secret: &Secret) -> Result<&Secret, CredentialError> {
    if secret.is_empty() {
        return Err(CredentialError::Unusable(
            "the secret is empty: give the platform's secret (an HMAC key of 32 bytes or more)"
                .into(),
        ));
    }
    Ok(secret)
}

/// Resolves credentials: the given key and secret, then the platform's environment
/// variables, then the demo credentials. Mixing a given key with a demo secret is refused.
pub fn resolve_credentials(
    platform: &dyn Platform,
    key: Option<String>,
    account: Option<String>,
    secret: Option<(Secret, SecretOrigin)>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Credentials, CredentialError> {
    let spec = platform.credentials();
    let from_env = |part: &CredentialPart| part.env.iter().find_map(|name| env(name));
    let (secret, source) = match secret {
        Some((secret, origin)) => (Some(secret), CredentialSource::Given(origin)),
        None => (
            from_env(&spec.secret).map(|value| Secret::new(value.into_bytes())),
            CredentialSource::Environment,
        ),
    };
    let Some(secret) = secret else {
        if let Some(key) = key {
            return Err(CredentialError::NoSecret {
                platform: platform.id(),
                key,
                option: spec.secret.option,
                var: spec.secret.env.first().copied().unwrap_or("its variable"),
            });
        }
        return Ok(platform.demo_credentials());
    };
    let missing = |part: &CredentialPart| CredentialError::NoPart {
        platform: platform.id(),
        what: part.label,
        option: part.option,
        env: part
            .env
            .first()
            .map(|var| format!(" or set {var}"))
            .unwrap_or_default(),
    };
    let (key_in_secret, secret) = platform.split_secret(secret);
    let key = key
        .or(key_in_secret)
        .or_else(|| from_env(&spec.key))
        .ok_or_else(|| missing(&spec.key))?;
    let account = match &spec.account {
        Some(part) => Some(
            account
                .or_else(|| from_env(part))
                .ok_or_else(|| missing(part))?,
        ),
        None => None,
    };
    Ok(Credentials {
        key,
        secret,
        account,
        source,
    })
}

/// A token's `exp` for an expiry field: the form's expiry after `iat`, refused past the year
/// 9999 (a typo such as `--ttl 999999999d`), where no platform can read it.
pub fn exp_of(field: FieldRef, form: &Form, iat: i64, default_ttl: i64) -> Result<i64, MintError> {
    let exp = form.expiry(field).resolve_unix(iat, default_ttl);
    if !(0..=crate::duration::LATEST_UNIX).contains(&exp) {
        return Err(MintError::field(
            field,
            format!(
                "the expiry falls {}, outside the years 1970 to 9999 that a token can name",
                if exp < 0 {
                    "before 1970"
                } else {
                    "after the year 9999"
                }
            ),
        ));
    }
    Ok(exp)
}

/// The common part of [`Platform::form_from`]: any claim the platform does not build.
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
pub fn uuid_v4(rng: &mut dyn rand::RngCore) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn registry_holds_every_platform_once_with_unique_field_ids() {
        let ids = ids();
        for platform in ALL {
            assert_eq!(ids.iter().filter(|id| **id == platform.id()).count(), 1);
            assert!(by_id(platform.id()).is_some());
            let fields = platform.fields();
            assert!(!fields.is_empty());
            for field in fields {
                assert!(!field.id.is_empty() && !field.label.is_empty(), "{field:?}");
                assert_eq!(
                    fields.iter().filter(|f| f.id == field.id).count(),
                    1,
                    "{}: {}",
                    platform.id(),
                    field.id
                );
            }
            let form = platform.default_form();
            assert_eq!(form.values().len(), fields.len());
        }
        assert!(by_id("nothing").is_none());
    }

    #[test]
    fn an_option_has_one_shape_on_every_platform() {
        let mut shapes: HashMap<&str, (bool, bool)> = HashMap::new();
        for platform in ALL {
            for field in platform.fields() {
                for option in std::iter::once(&field.option).chain(field.aliases) {
                    let shape = (field.kind.is_flag(), field.kind.repeats());
                    let seen = *shapes.entry(option).or_insert(shape);
                    assert_eq!(seen, shape, "--{option} on {}", platform.id());
                }
            }
        }
    }

    #[test]
    fn credentials_fall_back_from_options_to_env_to_demo() {
        let zoom = by_id("zoom").unwrap();
        let vars = zoom.credentials();
        let no_env = |_: &str| None;
        let demo = resolve_credentials(zoom, None, None, None, &no_env).unwrap();
        assert_eq!(demo.source, CredentialSource::Demo);

        let (key_var, secret_var) = (vars.key.env[0], vars.secret.env[0]);
        let env = move |name: &str| {
            if name == key_var {
                Some("env-key".to_string())
            } else if name == secret_var {
                Some("env-secret".to_string())
            } else {
                None
            }
        };
        let from_env = resolve_credentials(zoom, None, None, None, &env).unwrap();
        assert_eq!(
            (from_env.key.as_str(), from_env.source),
            ("env-key", CredentialSource::Environment)
        );

        let given = resolve_credentials(
            zoom,
            Some("k".into()),
            None,
            Some((Secret::new("s"), SecretOrigin::Literal)),
            &env,
        )
        .unwrap();
        assert_eq!(given.key, "k");
        assert_eq!(given.secret.expose(), b"s");

        let error = resolve_credentials(zoom, Some("k".into()), None, None, &no_env).unwrap_err();
        assert!(error.to_string().contains(secret_var), "{error}");
        let error = resolve_credentials(
            zoom,
            None,
            None,
            Some((Secret::new("s"), SecretOrigin::Literal)),
            &no_env,
        )
        .unwrap_err();
        assert!(error.to_string().contains("--key"), "{error}");
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

    /// Mints with the demo credentials at [`fixed_now`].
    pub fn mint(platform: &'static dyn Platform, form: &Form) -> Result<String, MintError> {
        let prepared = Prepared::new(platform, platform.demo_credentials()).unwrap();
        let mut rng = rand::rngs::mock::StepRng::new(7, 11);
        let mut ctx = MintContext {
            now: fixed_now(),
            rng: &mut rng,
        };
        prepared.mint(form, &mut ctx)
    }

    /// Mints with the demo credentials at [`fixed_now`] and decodes the result.
    pub fn mint_and_decode(
        platform: &'static dyn Platform,
        form: &Form,
    ) -> (Decoded, DateTime<Utc>) {
        let token = mint(platform, form).unwrap();
        let decoded = crate::token::inspect(&token).unwrap();
        let credentials = platform.demo_credentials();
        assert!(decoded.verify(&platform.verify_key(&credentials.secret).unwrap()));
        (decoded, fixed_now())
    }
}
