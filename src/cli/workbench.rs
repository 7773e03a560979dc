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
    let config = AppConfig {
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
    };
    crate::tui::run(config)?;
    Ok(Outcome::Clean)
}
