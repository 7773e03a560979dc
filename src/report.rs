//! A token checked from every side: its platform, its signature, its findings. The one shape
//! that `mint`, `inspect` and the workbench all show (`--json` serialises it as it is).

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::findings::{self, Finding};
use crate::platform::credentials::{argv_warning, demo_finding};
use crate::platform::field::ids;
use crate::platform::{self, CredentialError, CredentialSource, Credentials, Platform, Prepared};
use crate::secret::{Secret, SecretOrigin};
use crate::token::{DecodeError, Decoded, KeySet, Signature, TimeFields, VerifyKey};

#[derive(Debug, Serialize)]
pub struct Report {
    pub platform: Option<&'static str>,
    pub format: &'static str,
    pub token: String,
    pub header: Option<Value>,
    pub claims: Value,
    pub issued_at: Option<String>,
    pub expires_at: Option<String>,
    pub expires_in_seconds: Option<i64>,
    pub signature: Signature,
    pub findings: Vec<Finding>,
    /// The algorithm as the format names it (a JWT's `alg`, HMAC-SHA1 for T1…), for display.
    #[serde(skip)]
    pub algorithm: String,
    /// Which claims hold times, for display.
    #[serde(skip)]
    pub time_fields: TimeFields,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        findings::has_errors(&self.findings)
    }
}

/// What the signature is checked with.
pub enum KeyChoice<'a> {
    /// A secret the user gave (inspect `--secret`), read in the way the token's platform reads it.
    Given(&'a Secret),
    /// The credentials that just minted the token.
    Minted(&'a Credentials),
    /// The prepared credentials that just minted the token, with the key that checks it
    /// derived once (the workbench, bulk runs).
    Prepared(&'a Prepared),
    /// Whatever can be found: the platform's environment variables, or the demo credentials
    /// when the token names the demo key.
    Find {
        env: &'a dyn Fn(&str) -> Option<String>,
    },
}

/// A token whose signature has been checked: the rules can then run again at any time (the
/// clock moved) without any crypto, which runs once, here.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The token as given (a T1 token is shown back as it was).
    text: String,
    pub decoded: Decoded,
    pub platform: Option<&'static dyn Platform>,
    pub signature: Signature,
    /// The length of the HMAC secret the token was checked with, when there was one.
    hmac_len: Option<usize>,
    /// What the key and credentials themselves say (unusable, demo, typed on the command line,
    /// of the wrong kind for the token).
    key_findings: Vec<Finding>,
    /// A key finding says why the signature is not valid, in place of the generic words.
    explained: bool,
}

impl Checked {
    /// Finds the key, and verifies.
    pub fn new(
        text: &str,
        decoded: Decoded,
        platform: Option<&'static dyn Platform>,
        key: KeyChoice,
    ) -> Checked {
        let mut key_findings = Vec::new();
        let minted = |credentials: &Credentials| {
            (
                Some(platform.map_or(credentials.secret.clone(), |p| {
                    p.split_secret(credentials.secret.clone()).1
                })),
                Some(credentials.source.clone()),
                Some(credentials.key.clone()),
            )
        };
        let mut prepared_key = None;
        // The secret, where it came from, and the key id it belongs to when that is known.
        let (secret, source, key_id) = match key {
            KeyChoice::Given(secret) => (
                Some(secret.clone()),
                None,
                platform.and_then(|p| p.split_secret(secret.clone()).0),
            ),
            KeyChoice::Minted(credentials) => minted(credentials),
            KeyChoice::Prepared(prepared) => {
                prepared_key = Some(prepared.verify_key());
                minted(&prepared.credentials)
            }
            KeyChoice::Find { env } => {
                match platform.and_then(|p| found_credentials(p, &decoded, env)) {
                    Some(credentials) => (
                        Some(credentials.secret),
                        Some(credentials.source),
                        Some(credentials.key),
                    ),
                    None => (None, None, None),
                }
            }
        };
        if let (Some(platform), Some(key_id)) = (platform, &key_id) {
            key_findings.extend(platform.key_findings(&decoded, key_id));
        }
        let unusable = |reason: String| Finding::error("secret.unusable", ids::SECRET, reason);
        let mut explained = false;
        let (signature, hmac_len) = match (&secret, &decoded, platform) {
            (None, _, _) => (Signature::Unverified, None),
            // A JWT of no platform: the key is whatever was given (a secret, a PEM, a JWK, a
            // JWKS), picked and checked against the token's alg and kid.
            (Some(secret), Decoded::Jwt(jwt), None) => match generic_keys(secret) {
                Ok(keys) => {
                    let verification = crate::token::keys::verify(jwt, &keys);
                    explained = verification
                        .problems
                        .iter()
                        .any(|problem| problem.explains_signature());
                    key_findings.extend(platform::generic::key_findings(&verification.problems));
                    (verification.signature, verification.hmac_len)
                }
                Err(reason) => {
                    explained = true;
                    key_findings.push(unusable(reason));
                    (Signature::Unverified, None)
                }
            },
            (Some(secret), _, _) => match prepared_key.map_or_else(
                || key_for(platform, secret).map(Cow::Owned),
                |prepared| prepared.map(Cow::Borrowed).map_err(Clone::clone),
            ) {
                Ok(_) if decoded.missing_for_verify().is_some() => {
                    (Signature::Unverified, Some(secret.len()))
                }
                Ok(key) if decoded.verify(&key) => (Signature::Valid, Some(secret.len())),
                Ok(_) => (Signature::Invalid, Some(secret.len())),
                Err(reason) => {
                    explained = true;
                    key_findings.push(unusable(reason.to_string()));
                    (Signature::Unverified, None)
                }
            },
        };
        match (&source, platform) {
            (Some(CredentialSource::Demo), Some(platform)) => key_findings.push(demo_finding(
                platform.name(),
                platform.credentials(),
                signature == Signature::Valid,
            )),
            (Some(CredentialSource::Given(SecretOrigin::Literal)), _) => {
                key_findings.push(argv_warning())
            }
            _ => {}
        }
        Checked {
            text: text.trim().to_string(),
            hmac_len,
            explained,
            decoded,
            platform,
            signature,
            key_findings,
        }
    }

    /// The report at `now`: the generic and platform rules run on the token as verified.
    pub fn report(&self, now: DateTime<Utc>) -> Report {
        let decoded = &self.decoded;
        let check = platform::generic::SignatureCheck {
            signature: self.signature,
            hmac_secret_len: self.hmac_len,
            explained: self.explained,
            leeway: self.platform.and_then(|p| p.clock_leeway()),
        };
        let mut findings = platform::generic::rules(decoded, &check, now);
        findings.extend(self.key_findings.iter().cloned());
        if let Some(platform) = self.platform {
            findings.extend(platform.rules(decoded, now));
        }
        findings::sort(&mut findings);
        let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        Report {
            platform: self.platform.map(|p| p.id()),
            format: decoded.format(),
            token: decoded.canonical_text().unwrap_or(&self.text).to_string(),
            header: decoded.header().cloned(),
            claims: decoded.claims(),
            // A platform whose tokens carry no iat names when its lifetime starts (nbf).
            issued_at: decoded
                .issued_at()
                .or_else(|| self.platform?.token_times(decoded).map(|t| t.iat))
                .map(time),
            expires_at: decoded.expires_at().map(time),
            expires_in_seconds: decoded.expires_at().map(|exp| (exp - now).num_seconds()),
            signature: self.signature,
            findings,
            algorithm: decoded.algorithm_label(),
            time_fields: decoded.time_fields(),
        }
    }
}

/// Checks a decoded token: finds its key, verifies, and runs the generic and platform rules.
/// `text` is the token as given, shown back as it was.
pub fn check(
    text: &str,
    decoded: Decoded,
    platform: Option<&'static dyn Platform>,
    key: KeyChoice,
    now: DateTime<Utc>,
) -> Report {
    Checked::new(text, decoded, platform, key).report(now)
}

/// Checks a token given as text (inspect): decodes, picks the platform unless told, checks.
pub fn inspect(
    text: &str,
    platform: Option<&'static dyn Platform>,
    key: KeyChoice,
    now: DateTime<Utc>,
) -> Result<Report, DecodeError> {
    let decoded = crate::token::inspect(text)?;
    let platform = platform.or_else(|| platform::detect(&decoded));
    Ok(check(text, decoded, platform, key, now))
}

/// The key of a platform's token from a secret, as the platform reads it (a Vonage private key
/// gives its public half); without a platform, an HMAC secret.
fn key_for(platform: Option<&dyn Platform>, secret: &Secret) -> Result<VerifyKey, CredentialError> {
    match platform {
        Some(platform) => platform.verify_key(secret),
        None => platform::usable_hmac_secret(secret).map(|s| VerifyKey::Secret(s.clone())),
    }
}

/// The keys a secret holds for a JWT of no platform: a PEM, a JWK or JWKS, or an HMAC secret
/// (not an empty one).
fn generic_keys(secret: &Secret) -> Result<KeySet, String> {
    let keys = crate::token::keys::parse(secret.expose()).map_err(|e| e.0)?;
    if let [key] = keys.keys.as_slice()
        && let crate::token::keys::Material::Secret(secret) = &key.material
    {
        platform::usable_hmac_secret(secret).map_err(|e| e.to_string())?;
    }
    Ok(keys)
}

/// Credentials that fit a token without being given: the platform's environment secret, when
/// its key variable is unset or names the token's key; else the demo credentials when the token
/// names the demo key.
fn found_credentials(
    platform: &dyn Platform,
    decoded: &Decoded,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Credentials> {
    let token_key = platform.key_id(decoded);
    let spec = platform.credentials();
    let from_env = |names: &[&str]| names.iter().find_map(|name| env(name));
    if let Some(value) = from_env(spec.secret.env) {
        let (key_in_secret, secret) = platform.split_secret(Secret::new(value.into_bytes()));
        let env_key = key_in_secret.or_else(|| from_env(spec.key.env));
        if env_key.is_none() || env_key == token_key {
            return Some(Credentials {
                key: env_key.or(token_key).unwrap_or_default(),
                secret,
                account: spec.account.and_then(|a| from_env(a.env)),
                source: CredentialSource::Environment,
            });
        }
    }
    let demo = platform.demo_credentials();
    (token_key.as_deref() == Some(demo.key.as_str())).then_some(demo)
}

/// "2026-11-22 12:00:00 UTC, in 2h" for a time claim's value; `local` shows the local zone.
pub fn describe_time(value: &Value, now: DateTime<Utc>, local: bool) -> Option<String> {
    describe_instant(crate::token::seconds_of(value)?, now, local)
}

fn describe_instant(seconds: i64, now: DateTime<Utc>, local: bool) -> Option<String> {
    let at = DateTime::from_timestamp(seconds, 0)?;
    let date = if local {
        at.with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M:%S %Z")
            .to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    };
    Some(format!(
        "{date}, {}",
        crate::duration::format_relative(at, now)
    ))
}

/// Pretty JSON of the claims with each time claim's line followed by its date and relative
/// time; `fields` says which members hold times (a claim of seconds after another is shown as
/// the time it names).
pub fn annotated_claims(
    claims: &Value,
    fields: &TimeFields,
    now: DateTime<Utc>,
    local: bool,
) -> Vec<(String, Option<String>)> {
    annotated(claims, fields, now, local, false)
}

/// [`annotated_claims`], each registered claim (RFC 7519 §4.1) also saying what it means: for a
/// token of no platform, whose claims no platform explains.
pub fn explained_claims(
    claims: &Value,
    fields: &TimeFields,
    now: DateTime<Utc>,
    local: bool,
) -> Vec<(String, Option<String>)> {
    annotated(claims, fields, now, local, true)
}

/// The gap between a claim's line and its annotation: one cell wider where the line has no
/// trailing comma, so annotations of values of the same width start in the same column.
pub fn annotation_gap(line: &str) -> &'static str {
    if line.ends_with(',') { "   " } else { "    " }
}

/// What a registered claim means, in a few words.
pub fn registered_claim(name: &str) -> Option<&'static str> {
    Some(match name {
        "iss" => "issuer: who minted it",
        "sub" => "subject: whom it is about",
        "aud" => "audience: who should accept it",
        "exp" => "expires",
        "nbf" => "not valid before",
        "iat" => "issued",
        "jti" => "token id: one use, against replay",
        _ => return None,
    })
}

fn annotated(
    claims: &Value,
    fields: &TimeFields,
    now: DateTime<Utc>,
    local: bool,
    explain: bool,
) -> Vec<(String, Option<String>)> {
    let base = claims.get(fields.base).and_then(crate::token::seconds_of);
    let pretty = serde_json::to_string_pretty(claims).expect("JSON values serialise");
    pretty
        .lines()
        .map(|line| {
            let member = |name: &str| {
                line.trim_start()
                    .strip_prefix(&format!("\"{name}\": "))
                    .map(|rest| rest.trim_end_matches(','))
            };
            let value_of =
                |name: &str| -> Option<Value> { serde_json::from_str(member(name)?).ok() };
            let absolute = fields
                .absolute
                .iter()
                .find_map(|name| describe_time(&value_of(name)?, now, local));
            let relative = || {
                fields.relative.iter().find_map(|name| {
                    let seconds = crate::token::seconds_of(&value_of(name)?)?;
                    describe_instant(base?.checked_add(seconds)?, now, local)
                })
            };
            let time = absolute.or_else(relative);
            // Only the payload's own members: two spaces in, not a nested object's.
            let top_level = line.starts_with("  \"") && !line.starts_with("   ");
            let meaning = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]
                .into_iter()
                .find(|name| explain && top_level && member(name).is_some())
                .and_then(registered_claim);
            let note = match (meaning, time) {
                (Some(meaning), Some(time)) => Some(format!("{meaning}: {time}")),
                (Some(meaning), None) => Some(meaning.to_string()),
                (None, time) => time,
            };
            (line.to_string(), note)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{MintContext, Prepared, by_id};

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_341_600, 0).unwrap()
    }

    fn mint_with(id: &str, credentials: Credentials) -> String {
        let platform = by_id(id).unwrap();
        let prepared = Prepared::new(platform, credentials).unwrap();
        let mut rng = rand::rngs::mock::StepRng::new(3, 5);
        let mut ctx = MintContext {
            now: now(),
            rng: &mut rng,
        };
        prepared.mint(&platform.default_form(), &mut ctx).unwrap()
    }

    fn mint_demo(id: &str) -> String {
        mint_with(id, by_id(id).unwrap().demo_credentials())
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn rules(report: &Report) -> Vec<&'static str> {
        report.findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn demo_tokens_verify_without_a_secret_for_every_platform() {
        use crate::findings::Severity;
        for platform in platform::ALL {
            let token = mint_demo(platform.id());
            let report = inspect(&token, None, KeyChoice::Find { env: &no_env }, now()).unwrap();
            assert_eq!(report.platform, Some(platform.id()), "detected platform");
            assert_eq!(report.signature, Signature::Valid, "{}", platform.id());
            // A default form breaks no rule; what it says is information (Agora's default uid 0
            // lets anyone join, say).
            let demo = report
                .findings
                .iter()
                .find(|f| f.rule == "demo-credentials");
            assert!(demo.unwrap().message.starts_with("signed with"));
            for finding in &report.findings {
                assert_eq!(
                    finding.severity,
                    Severity::Info,
                    "{}: {finding:?}",
                    platform.id()
                );
            }
        }
    }

    #[test]
    fn a_wrong_secret_is_invalid_and_no_secret_is_unverified() {
        let token = mint_demo("zoom");
        let wrong = Secret::new("wrong");
        let report = inspect(&token, None, KeyChoice::Given(&wrong), now()).unwrap();
        assert_eq!(report.signature, Signature::Invalid);
        assert!(report.has_errors());
        let own = Credentials {
            key: "own-key".into(),
            secret: Secret::new("own-secret"),
            account: None,
            source: CredentialSource::Environment,
        };
        let own_token = mint_with("zoom", own);
        let report = inspect(&own_token, None, KeyChoice::Find { env: &no_env }, now()).unwrap();
        assert_eq!(report.signature, Signature::Unverified);
        assert!(report.findings.iter().any(|f| f.rule == "jwt.unverified"));
    }

    #[test]
    fn a_token_naming_the_demo_key_but_signed_otherwise_does_not_claim_the_demo_signed_it() {
        let demo = by_id("zoom").unwrap().demo_credentials();
        let forged = mint_with(
            "zoom",
            Credentials {
                secret: Secret::new("not the demo secret at all, really"),
                source: CredentialSource::Environment,
                ..demo
            },
        );
        let report = inspect(&forged, None, KeyChoice::Find { env: &no_env }, now()).unwrap();
        assert_eq!(report.signature, Signature::Invalid);
        let demo = report
            .findings
            .iter()
            .find(|f| f.rule == "demo-credentials")
            .unwrap();
        assert!(demo.message.starts_with("checked with"), "{}", demo.message);
    }

    #[test]
    fn environment_credentials_verify_tokens_of_their_key() {
        let credentials = Credentials {
            key: "app.key".into(),
            secret: Secret::new("env-secret-env-secret-env-secret!"),
            account: None,
            source: CredentialSource::Environment,
        };
        let token = mint_with("relaybox", credentials);
        let var = by_id("relaybox").unwrap().credentials().secret.env[0];
        let env = move |name: &str| {
            (name == var).then(|| "app.key:env-secret-env-secret-env-secret!".to_string())
        };
        let report = inspect(&token, None, KeyChoice::Find { env: &env }, now()).unwrap();
        assert_eq!(report.signature, Signature::Valid);
        let report = inspect(&token, None, KeyChoice::Find { env: &no_env }, now()).unwrap();
        assert_eq!(report.signature, Signature::Unverified);
        assert!(!report.has_errors());
    }

    fn jwt_times() -> TimeFields {
        crate::token::inspect("eyJhbGciOiJub25lIn0.e30.")
            .unwrap()
            .time_fields()
    }

    #[test]
    fn time_claims_are_annotated() {
        let claims = serde_json::json!({"sub": "x", "iat": 1_795_341_600, "exp": 1_795_348_800});
        let lines = annotated_claims(&claims, &jwt_times(), now(), false);
        assert_eq!(lines[1], ("  \"sub\": \"x\",".to_string(), None));
        assert_eq!(lines[2].1.as_deref(), Some("2026-11-22 10:00:00 UTC, now"));
        assert_eq!(
            lines[3].1.as_deref(),
            Some("2026-11-22 12:00:00 UTC, in 2h")
        );
    }

    #[test]
    fn report_times_and_shape() {
        let token = mint_demo("zoom");
        let report = inspect(&token, None, KeyChoice::Find { env: &no_env }, now()).unwrap();
        assert_eq!(report.issued_at.as_deref(), Some("2026-11-22T10:00:00Z"));
        assert_eq!(report.expires_at.as_deref(), Some("2026-11-22T12:00:00Z"));
        assert_eq!(report.expires_in_seconds, Some(7200));
        let json = serde_json::to_value(&report).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "platform",
                "format",
                "token",
                "header",
                "claims",
                "issued_at",
                "expires_at",
                "expires_in_seconds",
                "signature",
                "findings"
            ]
        );
        assert_eq!(json["findings"][0]["severity"], "info");
        assert_eq!(json["findings"][0]["field"], "credentials");
    }

    #[test]
    fn a_literal_secret_warns_and_a_bad_vonage_key_is_a_finding() {
        let vonage = by_id("vonage").unwrap();
        let token = mint_demo("vonage");
        let not_a_key = Secret::new("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----");
        let report = inspect(&token, Some(vonage), KeyChoice::Given(&not_a_key), now()).unwrap();
        assert_eq!(report.signature, Signature::Unverified);
        assert!(report.findings.iter().any(|f| f.rule == "secret.unusable"));
        let zoom = by_id("zoom").unwrap();
        let literal = Credentials {
            source: CredentialSource::Given(SecretOrigin::Literal),
            ..zoom.demo_credentials()
        };
        let token = mint_demo("zoom");
        let decoded = crate::token::inspect(&token).unwrap();
        let report = check(
            &token,
            decoded,
            Some(zoom),
            KeyChoice::Minted(&literal),
            now(),
        );
        assert_eq!(rules(&report), ["secret.argv"]);
    }

    #[test]
    fn an_empty_secret_is_unusable_not_a_weak_one() {
        let token = mint_demo("zoom");
        let empty = Secret::new("");
        let report = inspect(&token, None, KeyChoice::Given(&empty), now()).unwrap();
        assert_eq!(report.signature, Signature::Unverified);
        assert!(
            rules(&report).contains(&"secret.unusable"),
            "{:?}",
            rules(&report)
        );
        assert!(!rules(&report).contains(&"jwt.weak-secret"));
    }
}
