//! `tokenbench serve`: the local auth endpoint, one line per request answered.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use clap::Args;

use super::fields::{FieldArgs, reads};
use super::{Outcome, UsageError, parse_now, platform_parser, write_out};
use crate::clock::Clock;
use crate::duration::format_relative;
use crate::findings::Severity;
use crate::platform::credentials::{argv_warning, join_or};
use crate::platform::{self, CredentialSource, FieldKind, Platform, Prepared};
use crate::report::{self, KeyChoice};
use crate::secret::{Secret, SecretOrigin};
use crate::serve::{self, CorsPolicy, PlatformConfig, RequestRecord, ServeConfig, ServeOptions};
use crate::text::shorten;

/// The variable a bearer token for `--require-token` may come from.
const TOKEN_VAR: &str = "TOKENBENCH_SERVE_TOKEN";

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
    /// Require `Authorization: Bearer TOKEN` on every route but /healthz: the token comes from
    /// TOKENBENCH_SERVE_TOKEN, or is made up and printed at start.
    #[arg(long)]
    pub require_token: bool,
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

/// Whether `platform` takes this role (a choice of its `role` field).
fn has_role(platform: &dyn Platform, role: &str) -> bool {
    platform.fields().iter().any(|f| {
        f.id == "role"
            && matches!(f.kind, FieldKind::Choice { choices, .. } if choices.contains(&role.trim()))
    })
}

/// The field options a platform reads; a role only where it is one of the platform's roles.
fn applicable(fields: &FieldArgs, platform: &dyn Platform) -> FieldArgs {
    let credentials = platform.credentials();
    fields.filtered(|name, values| {
        let credential = name == credentials.key.option
            || name == credentials.secret.option
            || credentials.account.is_some_and(|a| a.option == name);
        let role_fits = name != "role" || values.iter().all(|role| has_role(platform, role));
        !credential && reads(platform, name) && role_fits
    })
}

/// Every platform's form and credentials from the options (see [`ServeArgs::platform`]).
fn config_from(args: &ServeArgs) -> Result<ServeConfig, UsageError> {
    let clock = args.now.map_or_else(Clock::system, Clock::manual);
    let only = args
        .platform
        .as_deref()
        .map(|id| platform::by_id(id).expect("clap only accepts known platforms"));
    if only.is_none() {
        let credential_options: Vec<&str> = platform::ALL
            .iter()
            .flat_map(|p| {
                let c = p.credentials();
                [
                    Some(c.key.option),
                    Some(c.secret.option),
                    c.account.map(|a| a.option),
                ]
            })
            .flatten()
            .collect();
        if let Some(name) = args.fields.names().find(|n| credential_options.contains(n)) {
            return Err(UsageError(format!(
                "--{name} belongs to one platform: add --platform {}",
                join_or(&platform::ids())
            )));
        }
        if let Some(roles) = args.fields.values("role")
            && let Some(role) = roles
                .iter()
                .find(|role| !platform::ALL.iter().any(|p| has_role(*p, role)))
        {
            let known: Vec<String> = platform::ALL
                .iter()
                .filter_map(|p| {
                    p.fields().iter().find_map(|f| match f.kind {
                        FieldKind::Choice { choices, .. } if f.id == "role" => Some(format!(
                            "{} has {}",
                            p.id(),
                            crate::platform::credentials::join_and(choices)
                        )),
                        _ => None,
                    })
                })
                .collect();
            return Err(UsageError(format!(
                "'{role}' is not a role of any platform: {}",
                known.join("; ")
            )));
        }
        if let Some(name) = args
            .fields
            .names()
            .find(|name| !platform::ALL.iter().any(|p| reads(*p, name)))
        {
            return Err(UsageError(format!("--{name} applies to no platform")));
        }
    }
    let mut platforms = Vec::new();
    for platform in platform::ALL {
        let fields = match only {
            Some(chosen) if chosen.id() == platform.id() => args.fields.clone(),
            Some(_) => FieldArgs::default(),
            None => applicable(&args.fields, *platform),
        };
        platforms.push(PlatformConfig {
            platform: *platform,
            form: fields.form(*platform)?,
            credentials: fields.credentials(*platform)?,
        });
    }
    Ok(ServeConfig { platforms, clock })
}

fn credentials_text(config: &PlatformConfig) -> String {
    let key = &config.credentials.key;
    match &config.credentials.source {
        CredentialSource::Demo => {
            format!("demo credentials (key {key}): tokens that only tokenbench accepts")
        }
        CredentialSource::Environment => format!(
            "key {key}, secret from {}",
            config.platform.credentials().secret.env.join(" or ")
        ),
        CredentialSource::Given(_) => format!("key {key}, secret from --secret"),
        CredentialSource::Typed => format!("key {key}, secret typed into the workbench"),
    }
}

/// The `error` findings of a token minted from each form as it stands: what a request that
/// overrides nothing gets (the rule breaks may be just what the developer is exploring).
fn form_errors(config: &ServeConfig) -> Vec<String> {
    let now = config.clock.now();
    let mut lines = Vec::new();
    for settings in &config.platforms {
        let Ok(prepared) = Prepared::new(settings.platform, settings.credentials.clone()) else {
            continue;
        };
        let Ok(token) = prepared.mint_at(&settings.form, now, false) else {
            continue;
        };
        let Ok(decoded) = crate::platform::decode_minted(settings.platform, &settings.form, &token)
        else {
            continue;
        };
        let report = report::check(
            &token,
            decoded,
            Some(settings.platform),
            KeyChoice::Prepared(&prepared),
            now,
        );
        lines.extend(
            report
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| format!("{}: {} ({})", settings.platform.id(), f.message, f.rule)),
        );
    }
    lines
}

/// How long a value from a request may be in a log line.
const LOG_VALUE_CHARS: usize = 64;

/// One request as a log line: never the whole token, never a secret, and nothing the request
/// sent printed raw (controls escaped, long values shortened).
fn request_line(record: &RequestRecord) -> String {
    let mut line = format!(
        "{} {:<5} {:<15} {}",
        record.at.to_rfc3339_opts(SecondsFormat::Secs, true),
        shorten(&record.method, 8),
        shorten(&record.route, LOG_VALUE_CHARS),
        record.status
    );
    if let Some(client_id) = &record.client_id {
        line.push_str(&format!("  client {}", shorten(client_id, LOG_VALUE_CHARS)));
    }
    if let Some(prefix) = record.token_prefix() {
        line.push_str(&format!("  token {}…", shorten(prefix, LOG_VALUE_CHARS)));
    }
    if let Some(expires_at) = record.expires_at {
        line.push_str(&format!(
            "  expires {} ({})",
            expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            format_relative(expires_at, record.at.trunc_subsecs(0))
        ));
    }
    if let Some(error) = &record.error {
        line.push_str(&format!("  {}", shorten(error, 160)));
    }
    line.push('\n');
    line
}

/// The bearer token `--require-token` asks for: from [`TOKEN_VAR`], else 24 random bytes.
fn bearer_token() -> (Secret, bool) {
    match std::env::var(TOKEN_VAR) {
        Ok(value) if !value.is_empty() => (Secret::new(value), false),
        _ => {
            use base64::Engine as _;
            let mut bytes = [0u8; 24];
            rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
            let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
            (Secret::new(text), true)
        }
    }
}

pub fn run(args: ServeArgs) -> Result<Outcome, UsageError> {
    let config = config_from(&args)?;
    let (require_token, made_up) = if args.require_token {
        let (token, made_up) = bearer_token();
        (Some(token), made_up)
    } else {
        (None, false)
    };
    let options = ServeOptions {
        bind: SocketAddr::new(args.bind, args.port),
        cors: cors_policy(&args.cors_origins),
        require_token: require_token.clone(),
        ..ServeOptions::local(args.port)
    };
    if serve::is_exposed(&options.bind) {
        eprintln!(
            "warning: listening on {}, not loopback: anyone who can reach it can mint tokens signed with these credentials{}",
            options.bind,
            if require_token.is_some() {
                ""
            } else {
                " (add --require-token)"
            }
        );
    }
    for settings in &config.platforms {
        if settings.credentials.source == CredentialSource::Given(SecretOrigin::Literal) {
            eprintln!(
                "warning: the {} secret: {} (secret.argv)",
                settings.platform.id(),
                argv_warning().message
            );
        }
    }
    for error in form_errors(&config) {
        eprintln!("note: tokens minted from these settings alone break a rule: {error}");
    }
    for expired in serve::expired_at_start(&config, Clock::system().now()) {
        eprintln!(
            "warning: --now is so far back that every token is already expired: {expired}; clients will loop on re-authenticating"
        );
    }
    let handle = serve::start(config.clone(), options)?;
    let mut banner = format!("tokenbench serve: listening on {}\n", handle.url());
    for (platform, route) in serve::routes() {
        let methods: Vec<&str> = route.methods.iter().map(|m| m.as_str()).collect();
        let settings = config
            .get(platform.id())
            .expect("the config has each platform of the registry");
        banner.push_str(&format!(
            "  {:<9} {:<40} {}\n",
            methods.join("|"),
            route.path,
            route.about
        ));
        banner.push_str(&format!(
            "  {:<9} {:<40} {}\n",
            "",
            "",
            credentials_text(settings)
        ));
    }
    banner.push_str(&format!("  {:<9} {:<40} liveness\n", "GET", "/healthz"));
    banner.push_str("It answers to localhost names only, takes JSON bodies, and lets localhost origins read its answers.\n");
    if let Some(token) = &require_token {
        if made_up {
            banner.push_str(&format!(
                "Every route but /healthz needs: Authorization: Bearer {} (set {TOKEN_VAR} to choose it)\n",
                token.expose_text()
            ));
        } else {
            banner.push_str(&format!(
                "Every route but /healthz needs: Authorization: Bearer <the value of {TOKEN_VAR}>\n"
            ));
        }
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
    use crate::platform::FieldValue;

    /// The value of field `field` of platform `id` in `config`.
    fn value(config: &ServeConfig, id: &str, field: &str) -> FieldValue {
        let settings = config.get(id).unwrap();
        let index = settings
            .platform
            .fields()
            .iter()
            .position(|f| f.id == field)
            .unwrap();
        settings.form.values()[index].clone()
    }

    fn text(config: &ServeConfig, id: &str, field: &str) -> String {
        match value(config, id, field) {
            FieldValue::Text(text) => text,
            other => panic!("{other:?}"),
        }
    }

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
        let after_60 = FieldValue::Expiry(Expiry::After(60));
        assert_eq!(value(&config, "relaybox", "expiry"), after_60);
        assert_eq!(value(&config, "zoom", "expiry"), after_60);
        assert_eq!(text(&config, "relaybox", "client-id"), "bob");
        assert_eq!(text(&config, "zoom", "client-id"), "bob");
        assert_eq!(text(&config, "vonage", "role"), "moderator");
        assert_eq!(
            text(&config, "zoom", "role"),
            "host",
            "moderator is no zoom role"
        );
        assert_eq!(text(&config, "opentok", "data"), "d");
        assert_eq!(
            value(&config, "opentok", "format"),
            FieldValue::Switch(true)
        );
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
        assert_eq!(config.get("zoom").unwrap().credentials.key, "k");
        assert_eq!(
            value(&config, "relaybox", "expiry"),
            FieldValue::Expiry(Expiry::Default)
        );
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
        let error = config_from(&args(&["--role", "wizard"])).err().unwrap();
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

    #[test]
    fn a_request_line_escapes_what_the_request_sent_and_shortens_it() {
        let at = DateTime::from_timestamp(1_795_341_600, 0).unwrap();
        let line = request_line(&RequestRecord {
            at,
            method: "GET".into(),
            route: format!("/x{}", "a".repeat(500)),
            platform: None,
            client_id: Some("\u{1b}]52;c;aGk=\u{7}\u{202e}evil".into()),
            status: 404,
            token: None,
            expires_at: None,
            error: Some("no route \u{1b}[2J".into()),
        });
        assert!(
            !line.trim_end().chars().any(crate::text::is_unsafe),
            "{line:?}"
        );
        assert!(
            line.contains("client \\e]52;c;aGk=\\x07\\u{202e}evil"),
            "{line}"
        );
        assert!(line.len() < 400, "{}", line.len());
    }
}
