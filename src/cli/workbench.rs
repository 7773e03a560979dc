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
    /// The tab to open on: zoom (the default), vonage, opentok or relaybox.
    #[arg(long, value_name = "P", value_parser = platform_parser())]
    pub platform: Option<String>,
    /// Prefill the platform's form (and its credentials).
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Start the clock at this time (RFC 3339 or unix seconds); it runs from there.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
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
        let Some(Command::Tui(args)) = cli.command else {
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
        assert_eq!(app.current().platform.id(), "vonage");
        let claims = &app.shown.as_ref().unwrap().report.claims;
        assert_eq!(claims["role"], "moderator");
        assert_eq!(claims["session_id"], "2_abc");
        assert_eq!(claims["exp"], 1_795_341_600 + 3600);
        assert_eq!(
            app.platforms[0].form.topic, "teammeeting",
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
}
