//! `tokenbench mint jwt --alg A`: any JWT, from any key, with the generic rules only. Not a
//! platform: no form, no credentials spec; the header, the claims and the key as given.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use super::mint::MintArgs;
use super::{FieldArgs, Outcome, UsageError};
use crate::duration::{parse_duration, parse_instant};
use crate::findings::Severity;
use crate::platform::credentials::argv_warning;
use crate::platform::field::parse_claim;
use crate::platform::{CredentialSource, Credentials};
use crate::report::{self, KeyChoice};
use crate::secret::{Secret, SecretOrigin};
use crate::token::{Alg, Signer, keys};

/// What `mint jwt` is called instead of a platform.
pub const ID: &str = "jwt";

/// The field options `mint jwt` reads (the rest belong to platforms).
const READS: [&str; 4] = ["secret", "claim", "ttl", "exp"];

/// A token's lifetime when neither --ttl nor --exp nor an `exp` claim says.
const DEFAULT_TTL: i64 = 3600;

fn options() -> String {
    "--alg, --secret or --key-file, --claim, --header, --ttl or --exp, --now, --json, --token-only, --strict".into()
}

type JsonObject = Map<String, Value>;

/// The header and claims `args` ask for, before signing.
fn header_and_claims(
    args: &MintArgs,
    alg: Option<Alg>,
    kid: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(JsonObject, JsonObject), UsageError> {
    let mut header = Map::new();
    header.insert("alg".into(), alg.map_or("none", Alg::name).into());
    header.insert("typ".into(), "JWT".into());
    for text in &args.header {
        let (name, value) = parse_claim(text).map_err(|e| UsageError(format!("--header: {e}")))?;
        if name == "alg" {
            return Err(UsageError(
                "--header alg: the algorithm is --alg's, so that the key is checked against it"
                    .into(),
            ));
        }
        header.insert(name, value);
    }
    // A JWK's kid goes into the header, so that a verifier holding its JWKS finds the key.
    if let Some(kid) = kid
        && !header.contains_key("kid")
    {
        header.insert("kid".into(), kid.into());
    }
    let fields = &args.fields;
    let one = |name: &str| fields.values(name).and_then(|v| v.last()).cloned();
    let iat = now.timestamp();
    let exp = match (one("ttl"), one("exp")) {
        (Some(ttl), _) => {
            iat + parse_duration(&ttl).map_err(|e| UsageError(format!("--ttl: {e}")))?
        }
        (None, Some(exp)) => parse_instant(&exp)
            .map_err(|e| UsageError(format!("--exp: {e}")))?
            .timestamp(),
        (None, None) => (now + TimeDelta::seconds(DEFAULT_TTL)).timestamp(),
    };
    let mut claims = Map::new();
    claims.insert("iat".into(), iat.into());
    claims.insert("exp".into(), exp.into());
    for text in fields.values("claim").unwrap_or_default() {
        let (name, value) = parse_claim(text).map_err(|e| UsageError(format!("--claim: {e}")))?;
        claims.insert(name, value);
    }
    Ok((header, claims))
}

/// The key bytes and where they came from: --secret in any of its forms, or --key-file as is.
fn key_source(args: &MintArgs) -> Result<Option<(Secret, SecretOrigin)>, UsageError> {
    match (
        args.fields.values("secret").and_then(|v| v.last()),
        &args.key_file,
    ) {
        (Some(_), Some(_)) => Err(UsageError(
            "give the key once: --secret or --key-file, not both".into(),
        )),
        (Some(spec), None) => Ok(Some(crate::secret::resolve_from_process(spec)?)),
        // The file's bytes as they are: a binary HMAC secret may end in a newline byte.
        (None, Some(path)) => Ok(Some((
            Secret::new(crate::secret::read_file(path)?),
            SecretOrigin::File(path.clone()),
        ))),
        (None, None) => Ok(None),
    }
}

pub fn run(args: MintArgs) -> Result<Outcome, UsageError> {
    if let Some(name) = args.fields.names().find(|name| !READS.contains(name)) {
        return Err(UsageError(format!(
            "--{name} does not apply to mint jwt: its options are {}",
            options()
        )));
    }
    for (given, name) in [(args.jobs.is_some(), "jobs"), (args.count > 1, "count")] {
        if given {
            return Err(UsageError(format!(
                "--{name} does not apply to mint jwt (one token at a time): its options are {}",
                options()
            )));
        }
    }
    let alg_name = args.alg.as_deref().ok_or_else(|| {
        UsageError(format!(
            "mint jwt needs --alg: one of {}, or none",
            Alg::ALL.map(Alg::name).join(", ")
        ))
    })?;
    let alg = match alg_name {
        "none" => None,
        name => Some(Alg::from_name(name).ok_or_else(|| {
            UsageError(format!(
                "--alg {name} is not a JWS algorithm: give one of {}, or none (names are case-sensitive)",
                Alg::ALL.map(Alg::name).join(", ")
            ))
        })?),
    };
    let source = key_source(&args)?;
    if matches!(&source, Some((_, SecretOrigin::Literal))) {
        eprintln!("warning: {} (secret.argv)", argv_warning().message);
    }
    let now = FieldArgs::now_or(args.now);
    let requested_kid = args
        .header
        .iter()
        .filter_map(|h| parse_claim(h).ok())
        .find(|(name, _)| name == "kid")
        .and_then(|(_, kid)| kid.as_str().map(str::to_string));
    let (signer, key_kid) = match (alg, &source) {
        (None, _) => (None, None),
        (Some(alg), None) => {
            return Err(UsageError(format!(
                "mint jwt --alg {} needs a key: --secret SRC (an HMAC secret, or a PEM or JWK) or --key-file PATH",
                alg.name()
            )));
        }
        (Some(alg), Some((bytes, _))) => {
            let set = keys::parse(bytes.expose()).map_err(|e| UsageError(e.0))?;
            let key = set
                .signing_key(alg, requested_kid.as_deref())
                .map_err(|e| UsageError(e.0))?;
            let signer = Signer::new(alg, key).map_err(|e| UsageError(e.0))?;
            (Some(signer), key.kid.clone())
        }
    };
    let (header, claims) = header_and_claims(&args, alg, key_kid.as_deref(), now)?;
    let header = Value::Object(header);
    let token = match &signer {
        Some(signer) => crate::token::jwt::encode(&header, &claims, signer)
            .map_err(|e| UsageError(e.to_string()))?,
        None => crate::token::jwt::encode_unsigned(&header, &claims),
    };
    let credentials = source.map(|(secret, origin)| Credentials {
        key: key_kid.unwrap_or_default(),
        secret,
        account: None,
        source: CredentialSource::Given(origin),
    });
    let decoded = crate::token::inspect(&token).map_err(|e| UsageError(e.to_string()))?;
    let key = match &credentials {
        Some(credentials) => KeyChoice::Minted(credentials),
        None => KeyChoice::Find { env: &|_| None },
    };
    let report = report::check(&token, decoded, None, key, now);
    let out = if args.token_only {
        format!("{token}\n")
    } else if args.json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&report).expect("reports serialise")
        )
    } else {
        super::text::report(&report, now)
    };
    super::write_out(&out);
    if args.strict && report.has_errors() {
        let broken: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.rule)
            .collect();
        eprintln!(
            "error: --strict: the token breaks {} rule(s) of severity error: {}",
            broken.len(),
            broken.join(", ")
        );
        return Ok(Outcome::Findings);
    }
    Ok(Outcome::Clean)
}
