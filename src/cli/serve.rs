//! `tokenbench serve`: the local auth endpoint, one line per request answered.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use clap::Args;

use super::{FieldArgs, Outcome, UsageError, parse_now, platform_parser, write_out};
use crate::clock::Clock;
use crate::duration::format_relative;
use crate::findings::{Field, Severity};
use crate::platform::{self, CredentialSource, MintContext, Platform};
use crate::report::{self, KeyChoice};
use crate::secret::SecretOrigin;
use crate::serve::{
    self, CorsPolicy, PlatformConfig, ROUTES, RequestRecord, ServeConfig, ServeOptions,
};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, value_name = "N", default_value_t = serve::DEFAULT_PORT)]
    pub port: u16,
    /// Address to listen on. Anything but loopback lets other machines mint tokens with your secrets.
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// The platform --key and --secret belong to; the field options then apply to it alone, as for mint.
    /// Without it, each field option applies to every platform that has the field.
    #[arg(long, value_name = "P", value_parser = platform_parser())]
    pub platform: Option<String>,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Pin the clock: every token is minted at TIME (RFC 3339 or unix seconds).
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// A browser origin allowed to call the endpoint (repeatable; * for any). Default: any localhost origin.
    #[arg(long = "cors-origin", value_name = "ORIGIN", value_parser = parse_origin)]
    pub cors_origins: Vec<String>,
}

/// `*`, or `http(s)://host[:port]` with nothing after it (an Origin header's shape).
fn parse_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text == "*" {
        return Ok(text.to_string());
    }
    let authority = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"));
    match authority {
        Some(authority)
            if !authority.is_empty()
                && !authority.contains('/')
                && authority.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(text.to_string())
        }
        _ => Err(format!(
            "'{text}' is not an origin: use scheme://host[:port] such as http://localhost:3000, or *"
        )),
    }
}

fn cors_policy(origins: &[String]) -> CorsPolicy {
    if origins.is_empty() {
        CorsPolicy::Localhost
    } else if origins.iter().any(|o| o == "*") {
        CorsPolicy::Any
    } else {
        CorsPolicy::Origins(origins.to_vec())
    }
}

/// The field options a platform has fields for; a role only where it is one of the platform's roles.
fn applicable(fields: &FieldArgs, platform: &dyn Platform) -> FieldArgs {
    let has = |field: Field| platform.fields().contains(&field);
    let keep = |value: &Option<String>, field: Field| value.clone().filter(|_| has(field));
    FieldArgs {
        key: None,
        secret: None,
        role: fields
            .role
            .clone()
            .filter(|role| has(Field::Role) && platform.roles().contains(&role.trim())),
        topic: keep(&fields.topic, Field::Topic),
        password: keep(&fields.password, Field::Password),
        ttl: fields.ttl.filter(|_| has(Field::Expiry)),
        exp: fields.exp.filter(|_| has(Field::Expiry)),
        data: keep(&fields.data, Field::Data),
        permissions: if has(Field::Permissions) {
            fields.permissions.clone()
        } else {
            Vec::new()
        },
        client_id: keep(&fields.client_id, Field::ClientId),
        claims: if has(Field::Claims) {
            fields.claims.clone()
        } else {
            Vec::new()
        },
        legacy_t1: fields.legacy_t1 && has(Field::Format),
    }
}

/// Every platform's form and credentials from the options (see [`ServeArgs::platform`]).
fn config_from(args: &ServeArgs) -> Result<ServeConfig, UsageError> {
    let clock = args.now.map_or_else(Clock::system, Clock::manual);
    let mut config = ServeConfig::demo(clock);
    let only = args
        .platform
        .as_deref()
        .map(|id| platform::by_id(id).expect("clap only accepts known platforms"));
    if only.is_none() {
        if args.fields.key.is_some() || args.fields.secret.is_some() {
            return Err(UsageError(
                "--key and --secret belong to one platform: add --platform zoom, vonage, opentok or relaybox".into(),
            ));
        }
        if let Some(role) = &args.fields.role
            && !platform::ALL
                .iter()
                .any(|p| p.roles().contains(&role.trim()))
        {
            return Err(UsageError(format!(
                "'{role}' is not a role of any platform: zoom has host and participant; vonage and opentok have subscriber, publisher, publisher-only and moderator"
            )));
        }
    }
    for platform in platform::ALL {
        let fields = match only {
            Some(chosen) if chosen.id() == platform.id() => args.fields.clone(),
            Some(_) => FieldArgs::default(),
            None => applicable(&args.fields, platform),
        };
        let settings = config
            .platform_mut(platform.id())
            .expect("the config has every platform");
        *settings = PlatformConfig {
            form: fields.form(platform)?,
            credentials: fields.credentials(platform)?,
        };
    }
    Ok(config)
}

fn credentials_text(platform: &dyn Platform, config: &PlatformConfig) -> String {
    let key = &config.credentials.key;
    match &config.credentials.source {
        CredentialSource::Demo => {
            format!("demo credentials (key {key}): tokens that only tokenbench accepts")
        }
        CredentialSource::Environment => {
            let vars = platform.env_vars();
            format!("key {key}, secret from {}", vars.secret)
        }
        CredentialSource::Given(_) => format!("key {key}, secret from --secret"),
    }
}

/// The `error` findings of a token minted from each form as it stands: what a request that
/// overrides nothing gets (the rule breaks may be just what the developer is exploring).
fn form_errors(config: &ServeConfig) -> Vec<String> {
    let now = config.clock.now();
    let mut lines = Vec::new();
    for platform in platform::ALL {
        let settings = config
            .platform(platform.id())
            .expect("the config has every platform");
        let Ok(signer) = platform.signer(&settings.credentials) else {
            continue;
        };
        let mut rng = rand::thread_rng();
        let minted = platform.mint(
            &settings.form,
            &settings.credentials,
            &signer,
            &mut MintContext { now, rng: &mut rng },
        );
        let Some((token, decoded)) = minted
            .ok()
            .and_then(|token| crate::token::inspect(&token).ok().map(|d| (token, d)))
        else {
            continue;
        };
        let report = report::check(
            &token,
            decoded,
            Some(platform),
            KeyChoice::Minted(&settings.credentials),
            now,
        );
        lines.extend(
            report
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| format!("{}: {} ({})", platform.id(), f.message, f.rule)),
        );
    }
    lines
}

/// One request as a log line: never the whole token, never a secret.
fn request_line(record: &RequestRecord) -> String {
    let mut line = format!(
        "{} {:<5} {:<15} {}",
        record.at.to_rfc3339_opts(SecondsFormat::Secs, true),
        record.method,
        record.route,
        record.status
    );
    if let Some(client_id) = &record.client_id {
        line.push_str(&format!("  client {client_id}"));
    }
    if let Some(prefix) = record.token_prefix() {
        line.push_str(&format!("  token {prefix}…"));
    }
    if let Some(expires_at) = record.expires_at {
        line.push_str(&format!(
            "  expires {} ({})",
            expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            format_relative(expires_at, record.at.trunc_subsecs(0))
        ));
    }
    if let Some(error) = &record.error {
        line.push_str(&format!("  {error}"));
    }
    line.push('\n');
    line
}

pub fn run(args: ServeArgs) -> Result<Outcome, UsageError> {
    let config = config_from(&args)?;
    let options = ServeOptions {
        bind: SocketAddr::new(args.bind, args.port),
        cors: cors_policy(&args.cors_origins),
    };
    if serve::is_exposed(&options.bind) {
        eprintln!(
            "warning: listening on {}, not loopback: anyone who can reach it can mint tokens signed with these credentials",
            options.bind
        );
    }
    for platform in platform::ALL {
        let settings = config
            .platform(platform.id())
            .expect("the config has every platform");
        if settings.credentials.source == CredentialSource::Given(SecretOrigin::Literal) {
            eprintln!(
                "warning: the {} secret was typed on the command line, where ps and shell history keep it: use env:NAME, @file or - instead",
                platform.id()
            );
        }
    }
    for error in form_errors(&config) {
        eprintln!("note: tokens minted from these settings alone break a rule: {error}");
    }
    let handle = serve::start(config.clone(), options)?;
    let mut banner = format!("tokenbench serve: listening on {}\n", handle.url());
    for (method, path, platform_id) in ROUTES {
        let about = match platform_id.and_then(platform::by_id) {
            Some(platform) => credentials_text(
                platform,
                config
                    .platform(platform.id())
                    .expect("the config has every platform"),
            ),
            None => "liveness".to_string(),
        };
        banner.push_str(&format!("  {method:<5} {path:<15} {about}\n"));
    }
    banner.push_str("Ctrl-C stops. One line per request follows.\n");
    write_out(&banner);
    loop {
        for record in handle.wait_for_requests(Duration::from_secs(1)) {
            write_out(&request_line(&record));
        }
        if !handle.is_running() {
            return Err(UsageError("the server stopped unexpectedly".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::Expiry;

    fn args(extra: &[&str]) -> ServeArgs {
        use clap::Parser;
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            serve: ServeArgs,
        }
        let argv = std::iter::once("serve").chain(extra.iter().copied());
        Wrapper::try_parse_from(argv).expect("valid options").serve
    }

    fn config(extra: &[&str]) -> ServeConfig {
        config_from(&args(extra)).unwrap_or_else(|error| panic!("{}", error.0))
    }

    #[test]
    fn field_options_apply_to_the_platforms_that_have_the_field() {
        let config = config(&[
            "--ttl",
            "60s",
            "--role",
            "moderator",
            "--client-id",
            "bob",
            "--data",
            "d",
            "--legacy-t1",
        ]);
        assert_eq!(config.relaybox.form.expiry, Expiry::After(60));
        assert_eq!(config.zoom.form.expiry, Expiry::After(60));
        assert_eq!(config.relaybox.form.client_id, "bob");
        assert_eq!(config.zoom.form.client_id, "bob");
        assert_eq!(config.vonage.form.client_id, "");
        assert_eq!(config.vonage.form.role, "moderator");
        assert_eq!(config.zoom.form.role, "host", "moderator is no zoom role");
        assert_eq!(config.opentok.form.data, "d");
        assert!(config.opentok.form.legacy_t1);
        assert!(!config.vonage.form.legacy_t1);
    }

    #[test]
    fn with_a_platform_options_are_checked_as_for_mint() {
        let config = config(&[
            "--platform",
            "zoom",
            "--key",
            "k",
            "--secret",
            "b64:c2VjcmV0",
            "--ttl",
            "1h",
        ]);
        assert_eq!(config.zoom.credentials.key, "k");
        assert_eq!(config.relaybox.form.expiry, Expiry::Default);
        let error = config_from(&args(&["--platform", "zoom", "--data", "x"]))
            .err()
            .unwrap();
        assert!(
            error.0.contains("--data does not apply to zoom"),
            "{}",
            error.0
        );
    }

    #[test]
    fn key_or_secret_without_a_platform_and_unknown_roles_are_usage_errors() {
        let error = config_from(&args(&["--secret", "env:X"])).err().unwrap();
        assert!(error.0.contains("add --platform"), "{}", error.0);
        let error = config_from(&args(&["--role", "admin"])).err().unwrap();
        assert!(
            error.0.contains("not a role of any platform"),
            "{}",
            error.0
        );
    }

    #[test]
    fn settings_that_break_a_rule_are_named_before_serving() {
        let errors = form_errors(&config(&["--ttl", "60s", "--now", "2026-11-22T10:00:00Z"]));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("zoom: "), "{errors:?}");
        assert!(errors[0].ends_with("(zoom.exp-window)"), "{errors:?}");
        assert!(form_errors(&config(&[])).is_empty());
    }

    #[test]
    fn origins_are_checked() {
        assert_eq!(
            parse_origin("http://localhost:3000").unwrap(),
            "http://localhost:3000"
        );
        assert_eq!(parse_origin("*").unwrap(), "*");
        assert!(parse_origin("localhost:3000").is_err());
        assert!(parse_origin("https://app.example/path").is_err());
        assert_eq!(cors_policy(&[]), CorsPolicy::Localhost);
        assert_eq!(cors_policy(&["*".into()]), CorsPolicy::Any);
    }

    #[test]
    fn a_request_line_shows_a_token_prefix_and_the_expiry_only() {
        let at = DateTime::from_timestamp(1_795_341_600, 0).unwrap();
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0cGMiOiJzIn0.c2lnbmF0dXJl";
        let line = request_line(&RequestRecord {
            at,
            method: "POST".into(),
            route: "/zoom".into(),
            platform: Some("zoom"),
            client_id: Some("ann".into()),
            status: 200,
            token: Some(token.into()),
            expires_at: Some(at + chrono::TimeDelta::hours(2)),
            error: None,
        });
        assert!(!line.contains(token), "{line}");
        assert!(!line.contains("c2lnbmF0dXJl"), "{line}");
        assert!(line.contains("token eyJhbGciOiJI…"), "{line}");
        assert!(line.contains("client ann"), "{line}");
        assert!(
            line.contains("expires 2026-11-22T12:00:00Z (in 2h"),
            "{line}"
        );
    }
}
