//! `tokenbench tui` (and `tokenbench` alone): the workbench, its form prefilled from the same
//! field options as `mint`.

use chrono::{DateTime, Utc};
use clap::Args;

use super::{FieldArgs, Outcome, UsageError, parse_now, platform_parser};
use crate::clock::Clock;
use crate::platform;
use crate::tui::AppConfig;

#[derive(Args, Debug, Default)]
pub struct TuiArgs {
    /// The tab to open on (the first platform unless told).
    #[arg(long, value_name = "P", value_parser = platform_parser())]
    pub platform: Option<String>,
    /// Prefill the platform's form (and its credentials).
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Start the clock at this time (RFC 3339 or unix seconds); it runs from there.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// The loopback port `s` serves the local auth endpoint on: 8787 unless told (0 picks a free one).
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
}

pub fn run(args: TuiArgs) -> Result<Outcome, UsageError> {
    crate::tui::run(config(args)?)?;
    Ok(Outcome::Clean)
}

/// The workbench's start: the chosen tab prefilled from the options, the others on defaults.
fn config(args: TuiArgs) -> Result<AppConfig, UsageError> {
    let chosen = args
        .platform
        .as_deref()
        .and_then(platform::by_id)
        .unwrap_or(platform::ALL[0]);
    let mut forms = Vec::new();
    for platform in platform::ALL {
        let platform = *platform;
        forms.push(if platform.id() == chosen.id() {
            (
                args.fields.form(platform)?,
                args.fields.credentials(platform)?,
            )
        } else {
            // The other tabs read the environment, else the demo credentials; a broken
            // environment for a tab the user did not ask for does not stop the workbench.
            let credentials = FieldArgs::default()
                .credentials(platform)
                .unwrap_or_else(|_| platform.demo_credentials());
            (platform.default_form(), credentials)
        });
    }
    let mut clock = Clock::system();
    if let Some(now) = args.now {
        clock.jump_to(now);
    }
    Ok(AppConfig {
        clock,
        active: platform::ALL
            .iter()
            .position(|p| p.id() == chosen.id())
            .unwrap_or(0),
        forms,
        deterministic: args.now.is_some(),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        size: (80, 24),
        env: |name| std::env::var(name).ok(),
        serve_port: args.port.unwrap_or(crate::serve::DEFAULT_PORT),
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};
    use crate::tui::App;

    fn config_of(args: &[&str]) -> Result<AppConfig, UsageError> {
        let cli = Cli::try_parse_from(args).unwrap();
        let Some(Command::Tui(crate::cli::Lazy(args))) = cli.command else {
            panic!("a tui command")
        };
        config(args)
    }

    #[test]
    fn the_options_prefill_the_chosen_platform_and_now_starts_the_clock() {
        let config = config_of(&[
            "tokenbench",
            "tui",
            "--platform",
            "vonage",
            "--role",
            "moderator",
            "--topic",
            "2_abc",
            "--ttl",
            "1h",
            "--now",
            "2026-11-22T10:00:00Z",
        ])
        .unwrap_or_else(|e| panic!("{}", e.0));
        assert!(config.deterministic);
        let app = App::new(config);
        assert_eq!(app.tab().platform.id(), "vonage");
        let claims = &app.shown.as_ref().unwrap().report.claims;
        assert_eq!(claims["role"], "moderator");
        assert_eq!(claims["session_id"], "2_abc");
        assert_eq!(claims["exp"], 1_795_341_600 + 3600);
        let zoom = &app.tabs[0];
        assert_eq!(
            zoom.text(crate::tui::form::Row::Field(1)),
            "teammeeting",
            "zoom keeps its defaults"
        );
    }

    #[test]
    fn an_option_of_another_platform_is_a_usage_error() {
        let error = config_of(&[
            "tokenbench",
            "tui",
            "--platform",
            "relaybox",
            "--role",
            "host",
        ])
        .err()
        .unwrap();
        assert!(
            error.0.contains("--role does not apply to relaybox"),
            "{}",
            error.0
        );
    }

    #[test]
    fn the_endpoint_port_is_8787_unless_told() {
        let default = config_of(&["tokenbench", "tui"]).unwrap_or_else(|e| panic!("{}", e.0));
        assert_eq!(default.serve_port, crate::serve::DEFAULT_PORT);
        let any =
            config_of(&["tokenbench", "tui", "--port", "0"]).unwrap_or_else(|e| panic!("{}", e.0));
        assert_eq!(any.serve_port, 0);
    }
}
