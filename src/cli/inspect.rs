//! `tokenbench inspect [TOKEN | -]`: decode, verify, explain.

use std::io::{IsTerminal, Read};

/// A token from standard input: at most [`MAX_TOKEN_BYTES`] are read, whatever is piped in.
fn read_token(input: &mut dyn Read) -> Result<String, UsageError> {
    let mut bytes = Vec::new();
    input
        .take(MAX_TOKEN_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| UsageError(format!("cannot read standard input: {e}")))?;
    if bytes.len() > MAX_TOKEN_BYTES {
        return Err(UsageError(format!(
            "standard input holds more than the {} KiB a token can be: it is not a token",
            MAX_TOKEN_BYTES / 1024
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| UsageError("standard input is not text, so it holds no token".into()))
}

use chrono::{DateTime, Utc};
use clap::Args;

use super::{FieldArgs, Outcome, UsageError, parse_now, platform_parser, write_out};
use crate::findings::Finding;
use crate::platform::credentials::argv_warning;
use crate::platform::{self, field::ids};
use crate::report::{self, KeyChoice};
use crate::secret::SecretOrigin;
use crate::token::MAX_TOKEN_BYTES;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The token (any JWT, or a platform's own format), or - to read it from standard input.
    pub token: Option<String>,
    /// The key to verify with: env:NAME, @path, b64:BASE64, - (stdin), or the value itself.
    #[arg(long, value_name = "SRC")]
    pub secret: Option<String>,
    /// The key id the token should name (SDK key, application id, API key, public key).
    #[arg(long, value_name = "ID")]
    pub key: Option<String>,
    /// Read the token as this platform's instead of detecting it.
    #[arg(long, value_name = "P", value_parser = platform_parser())]
    pub platform: Option<String>,
    /// Check expiry against this time (RFC 3339 or unix seconds) instead of now.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// The channel a token holds only as a hash (Agora 006: its CRC32), to verify it.
    #[arg(long, value_name = "NAME")]
    pub topic: Option<String>,
    /// The uid or account a token holds only as a hash (Agora 006), to verify it.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InspectArgs) -> Result<Outcome, UsageError> {
    let from_stdin = match args.token.as_deref() {
        Some("-") => true,
        Some(_) => false,
        None if !std::io::stdin().is_terminal() => true,
        None => {
            return Err(UsageError(
                "give a token to inspect, or - to read it from standard input".into(),
            ));
        }
    };
    if from_stdin && args.secret.as_deref() == Some("-") {
        return Err(UsageError("the token and the secret cannot both come from standard input: give the secret as env:NAME or @path".into()));
    }
    let text = if from_stdin {
        read_token(&mut std::io::stdin().lock())?
    } else {
        args.token.clone().unwrap_or_default()
    };
    let (secret, origin) = match &args.secret {
        Some(spec) => {
            let (secret, origin) = crate::secret::resolve_from_process(spec)?;
            (Some(secret), Some(origin))
        }
        None => (None, None),
    };
    if origin == Some(SecretOrigin::Literal) {
        eprintln!("warning: {} (secret.argv)", argv_warning().message);
    }
    let platform = args.platform.as_deref().and_then(platform::by_id);
    let now = FieldArgs::now_or(args.now);
    let env = |name: &str| std::env::var(name).ok();
    let key = match &secret {
        Some(secret) => KeyChoice::Given(secret),
        None => KeyChoice::Find { env: &env },
    };
    let decoded = crate::token::inspect(&text)?;
    if (args.topic.is_some() || args.client_id.is_some()) && !decoded.hashes_names() {
        eprintln!(
            "note: --topic and --client-id only serve tokens that hold them as hashes (a 006 token); this one holds them as they are"
        );
    }
    // A uid left out is uid 0, which a 006 token holds as the empty text.
    let decoded = decoded.with_hashed_names(
        args.topic.as_deref(),
        args.topic
            .as_ref()
            .map(|_| args.client_id.as_deref().unwrap_or_default()),
    );
    let platform = platform.or_else(|| platform::detect(&decoded));
    let mut report = report::check(&text, decoded, platform, key, now);
    if let Some(expected) = &args.key {
        let decoded = crate::token::inspect(&text)?;
        let named = report
            .platform
            .and_then(platform::by_id)
            .and_then(|p| p.key_id(&decoded));
        if named.as_deref() != Some(expected.as_str()) {
            report.findings.insert(0, Finding::error(
                "key-mismatch",
                ids::KEY,
                format!("the token names key {}, not {expected}: the platform refuses it for key {expected}", named.as_deref().unwrap_or("(none)")),
            ));
        }
    }
    if origin == Some(SecretOrigin::Literal) {
        report.findings.push(argv_warning());
        crate::findings::sort(&mut report.findings);
    }
    if args.json {
        write_out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).expect("reports serialise")
        ));
    } else {
        write_out(&super::text::report(&report, now));
    }
    Ok(if report.has_errors() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_input_is_read_up_to_the_token_limit_and_no_further() {
        let mut endless = std::io::repeat(b'a');
        let error = read_token(&mut endless).err().unwrap();
        assert!(error.0.contains("1024 KiB"), "{}", error.0);
        let mut token = std::io::Cursor::new(b"eyJhbGciOiJub25lIn0.e30.\n".to_vec());
        assert_eq!(
            read_token(&mut token).ok().unwrap(),
            "eyJhbGciOiJub25lIn0.e30.\n"
        );
    }
}
