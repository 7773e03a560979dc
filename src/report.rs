//! A token checked from every side: its platform, its signature, its findings. The one shape
//! that `mint`, `inspect` and the workbench all show (`--json` serialises it as it is).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::findings::{self, Field, Finding};
use crate::platform::{self, CredentialSource, Credentials, Platform};
use crate::secret::{Secret, SecretOrigin};
use crate::token::{Decoded, Signature, VerifyKey};

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
    /// Whatever can be found: the platform's environment variables, or the demo credentials
    /// when the token names the demo key.
    Find {
        env: &'a dyn Fn(&str) -> Option<String>,
    },
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
    let mut findings = Vec::new();
    let (verify_key, hmac_len) = match key {
        KeyChoice::Given(secret) => (key_for(&decoded, platform, secret), Some(secret.len())),
        KeyChoice::Minted(credentials) => {
            findings.extend(credential_findings(platform, credentials));
            let secret = platform.map_or(credentials.secret.clone(), |p| {
                p.split_secret(credentials.secret.clone()).1
            });
            (key_for(&decoded, platform, &secret), Some(secret.len()))
        }
        KeyChoice::Find { env } => match platform.and_then(|p| found_credentials(p, &decoded, env))
        {
            Some(credentials) => {
                findings.extend(credential_findings(platform, &credentials));
                (
                    key_for(&decoded, platform, &credentials.secret),
                    Some(credentials.secret.len()),
                )
            }
            None => (Err(String::new()), None),
        },
    };
    let signature = match &verify_key {
        Ok(key) if decoded.verify(key) => Signature::Valid,
        Ok(_) => Signature::Invalid,
        Err(reason) if reason.is_empty() => Signature::Unverified,
        Err(reason) => {
            findings.push(Finding::error(
                "secret.unusable",
                Field::Secret,
                reason.clone(),
            ));
            Signature::Unverified
        }
    };
    findings.splice(
        0..0,
        platform::generic::rules(
            &decoded,
            signature,
            hmac_len.filter(|_| verify_key.is_ok()),
            now,
        ),
    );
    if let Some(platform) = platform {
        findings.extend(platform.rules(&decoded, now));
    }
    findings::sort(&mut findings);
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    Report {
        platform: platform.map(|p| p.id()),
        format: decoded.format(),
        token: match &decoded {
            Decoded::Jwt(jwt) => jwt.compact().to_string(),
            Decoded::T1(_) => text.trim().to_string(),
        },
        header: decoded.header().cloned(),
        claims: decoded.claims(),
        issued_at: decoded.issued_at().map(time),
        expires_at: decoded.expires_at().map(time),
        expires_in_seconds: decoded.expires_at().map(|exp| (exp - now).num_seconds()),
        signature,
        findings,
    }
}

/// Checks a token given as text (inspect): decodes, picks the platform unless told, checks.
pub fn inspect(
    text: &str,
    platform: Option<&'static dyn Platform>,
    key: KeyChoice,
    now: DateTime<Utc>,
) -> Result<Report, String> {
    let decoded = crate::token::inspect(text)?;
    let platform = platform.or_else(|| platform::detect(&decoded));
    Ok(check(text, decoded, platform, key, now))
}

/// The key for `decoded` from a secret: the platform's reading of it (a Vonage private key
/// gives its public half), or for an unknown platform a PEM key or an HMAC secret by `alg`.
fn key_for(
    decoded: &Decoded,
    platform: Option<&dyn Platform>,
    secret: &Secret,
) -> Result<VerifyKey, String> {
    match platform {
        Some(platform) => platform.verify_key(secret),
        None if decoded.algorithm_label().starts_with("RS")
            || decoded.algorithm_label().starts_with("PS") =>
        {
            VerifyKey::rsa_from_pem(secret.expose())
        }
        None if decoded.algorithm_label().starts_with("ES") => {
            jsonwebtoken::DecodingKey::from_ec_pem(secret.expose())
                .map(VerifyKey::Public)
                .map_err(|_| {
                    "the key could not be read: an ES token needs an EC public key in PEM form"
                        .to_string()
                })
        }
        None => Ok(VerifyKey::Secret(secret.clone())),
    }
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
    let vars = platform.env_vars();
    if let Some(value) = env(vars.secret) {
        let (key_in_secret, secret) = platform.split_secret(Secret::new(value.into_bytes()));
        let env_key = key_in_secret.or_else(|| vars.key.and_then(env));
        if env_key.is_none() || env_key == token_key {
            return Some(Credentials {
                key: env_key.or(token_key).unwrap_or_default(),
                secret,
                source: CredentialSource::Environment,
            });
        }
    }
    let demo = platform.demo_credentials();
    (token_key.as_deref() == Some(demo.key.as_str())).then_some(demo)
}

/// The warning for a secret typed on the command line.
pub fn argv_warning() -> Finding {
    Finding::warning(
        "secret.argv",
        Field::Secret,
        "the secret was typed on the command line, where ps and shell history keep it: use env:NAME, @file or - instead",
    )
}

fn credential_findings(platform: Option<&dyn Platform>, credentials: &Credentials) -> Vec<Finding> {
    let mut findings = Vec::new();
    match &credentials.source {
        CredentialSource::Demo => {
            let (name, vars) = platform.map_or(("the platform", String::new()), |p| {
                let env = p.env_vars();
                let vars = match env.key {
                    Some(key) => format!(" or set {key} and {}", env.secret),
                    None => format!(" or set {}", env.secret),
                };
                (p.name(), vars)
            });
            findings.push(Finding::info(
                "demo-credentials",
                Field::Credentials,
                format!("signed with tokenbench's built-in demo credentials, which {name} refuses: give --key and --secret{vars}"),
            ));
        }
        CredentialSource::Given(SecretOrigin::Literal) => findings.push(argv_warning()),
        CredentialSource::Given(_) | CredentialSource::Environment => {}
    }
    findings
}

/// Claims that hold times, in either format.
pub const TIME_CLAIMS: [&str; 5] = ["iat", "exp", "nbf", "create_time", "expire_time"];

/// "2026-11-22 12:00:00 UTC, in 2h" for a time claim's value; `local` shows the local zone.
pub fn describe_time(value: &Value, now: DateTime<Utc>, local: bool) -> Option<String> {
    let at = DateTime::from_timestamp(crate::token::seconds_of(value)?, 0)?;
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

/// Pretty JSON of the claims with each time claim's line followed by its date and relative time.
pub fn annotated_claims(
    claims: &Value,
    now: DateTime<Utc>,
    local: bool,
) -> Vec<(String, Option<String>)> {
    let pretty = serde_json::to_string_pretty(claims).expect("JSON values serialise");
    pretty
        .lines()
        .map(|line| {
            let note = TIME_CLAIMS.iter().find_map(|name| {
                let rest = line.trim_start().strip_prefix(&format!("\"{name}\": "))?;
                let value: Value = serde_json::from_str(rest.trim_end_matches(',')).ok()?;
                describe_time(&value, now, local)
            });
            (line.to_string(), note)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{Form, MintContext, by_id};

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_341_600, 0).unwrap()
    }

    fn mint_demo(id: &str) -> String {
        let platform = by_id(id).unwrap();
        let credentials = platform.demo_credentials();
        let signer = platform.signer(&credentials).unwrap();
        let mut rng = rand::rngs::mock::StepRng::new(3, 5);
        let mut ctx = MintContext {
            now: now(),
            rng: &mut rng,
        };
        platform
            .mint(&platform.default_form(), &credentials, &signer, &mut ctx)
            .unwrap()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn demo_tokens_verify_without_a_secret_for_every_platform() {
        for platform in platform::ALL {
            let token = mint_demo(platform.id());
            let report = inspect(&token, None, KeyChoice::Find { env: &no_env }, now()).unwrap();
            assert_eq!(report.platform, Some(platform.id()), "detected platform");
            assert_eq!(report.signature, Signature::Valid, "{}", platform.id());
            let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
            assert_eq!(rules, ["demo-credentials"], "{}", platform.id());
        }
    }

    #[test]
    fn a_wrong_secret_is_invalid_and_no_secret_is_unverified() {
        let token = mint_demo("zoom");
        let wrong = Secret::new("wrong");
        let report = inspect(&token, None, KeyChoice::Given(&wrong), now()).unwrap();
        assert_eq!(report.signature, Signature::Invalid);
        assert!(report.has_errors());
        let zoom = by_id("zoom").unwrap();
        let own = Credentials {
            key: "own-key".into(),
            secret: Secret::new("own-secret"),
            source: CredentialSource::Environment,
        };
        let mut rng = rand::rngs::mock::StepRng::new(0, 1);
        let signer = zoom.signer(&own).unwrap();
        let own_token = zoom
            .mint(
                &zoom.default_form(),
                &own,
                &signer,
                &mut MintContext {
                    now: now(),
                    rng: &mut rng,
                },
            )
            .unwrap();
        let report = inspect(&own_token, None, KeyChoice::Find { env: &no_env }, now()).unwrap();
        assert_eq!(report.signature, Signature::Unverified);
        assert!(report.findings.iter().any(|f| f.rule == "jwt.unverified"));
    }

    #[test]
    fn environment_credentials_verify_tokens_of_their_key() {
        let platform = by_id("relaybox").unwrap();
        let credentials = Credentials {
            key: "app.key".into(),
            secret: Secret::new("env-secret-env-secret-env-secret!"),
            source: CredentialSource::Environment,
        };
        let signer = platform.signer(&credentials).unwrap();
        let mut rng = rand::rngs::mock::StepRng::new(0, 1);
        let token = platform
            .mint(
                &Form::default(),
                &credentials,
                &signer,
                &mut MintContext {
                    now: now(),
                    rng: &mut rng,
                },
            )
            .unwrap();
        let env = |name: &str| {
            (name == "RELAYBOX_API_KEY")
                .then(|| "app.key:env-secret-env-secret-env-secret!".to_string())
        };
        let report = inspect(&token, None, KeyChoice::Find { env: &env }, now()).unwrap();
        assert_eq!(report.signature, Signature::Valid);
        let report = inspect(&token, None, KeyChoice::Find { env: &no_env }, now()).unwrap();
        assert_eq!(report.signature, Signature::Unverified);
        assert!(!report.has_errors());
    }

    #[test]
    fn time_claims_are_annotated() {
        let claims = serde_json::json!({"sub": "x", "iat": 1_795_341_600, "exp": 1_795_348_800});
        let lines = annotated_claims(&claims, now(), false);
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
            key: "k".into(),
            secret: Secret::new("s"),
            source: CredentialSource::Given(SecretOrigin::Literal),
        };
        let rules: Vec<&str> = credential_findings(Some(zoom), &literal)
            .iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(rules, ["secret.argv"]);
    }
}
