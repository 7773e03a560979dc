//! The command line: `mint`, `inspect`, `simulate`, `platforms`, `serve`, `completions`, and the workbench.

mod fields;
mod inspect;
mod mint;
mod mint_jwt;
mod platforms;
mod serve;
mod simulate;
mod text;
mod workbench;

use std::io::Write;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{CommandFactory, Parser, Subcommand};

pub use fields::FieldArgs;

#[derive(Parser, Debug)]
#[command(
    name = "tokenbench",
    version,
    about = "A workbench for the auth tokens of realtime and video platforms: mint, inspect, explain.",
    after_help = format!("With no command, opens the workbench. Platforms: {}.", crate::platform::ids().join(", "))
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Mint a token, print it (or its report with --json), and say which rules it breaks; `mint
    /// jwt --alg A` mints any JWT.
    Mint(Lazy<mint::MintArgs>),
    /// Decode, verify and explain a token (any JWT, or a platform's own format).
    Inspect(Lazy<inspect::InspectArgs>),
    /// Show, as a timeline, what expiry does to a client: joins, drops, refreshes, kicks.
    Simulate(Lazy<simulate::SimulateArgs>),
    /// List the platforms, their options, defaults and limits.
    Platforms(Lazy<platforms::PlatformsArgs>),
    /// Open the workbench (the default): a platform's form, its token, claims, lifetime and findings.
    Tui(Lazy<workbench::TuiArgs>),
    /// Run a local auth endpoint that client apps call for tokens, shaped like each vendor's own sample.
    Serve(Lazy<serve::ServeArgs>),
    /// Print a shell completion script.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// A subcommand's arguments, declared only when clap builds that subcommand: a run builds the
/// options of the command it runs and no other (`inspect` never builds the field options that
/// `mint`, `tui` and `serve` generate from every platform).
#[derive(Debug)]
pub struct Lazy<T>(pub T);

impl<T: clap::Args> clap::Args for Lazy<T> {
    fn augment_args(command: clap::Command) -> clap::Command {
        command.defer(T::augment_args)
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        command.defer(T::augment_args_for_update)
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Lazy)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
}

/// What went wrong, and so which exit code: usage (2), or a finished run with a verdict.
pub enum Outcome {
    /// Done, with no `error` finding that counts (exit 0).
    Clean,
    /// Done, with `error` findings that count (exit 1).
    Findings,
}

/// A mistake the user can fix: one sentence, exit code 2.
pub struct UsageError(pub String);

impl From<String> for UsageError {
    fn from(message: String) -> Self {
        UsageError(message)
    }
}

/// Every error the core returns that the user can fix is one sentence: it becomes a usage error.
macro_rules! usage_from {
    ($($error:ty),+) => {
        $(impl From<$error> for UsageError {
            fn from(error: $error) -> Self {
                UsageError(error.to_string())
            }
        })+
    };
}

usage_from!(
    crate::secret::SecretError,
    crate::token::KeyError,
    crate::token::DecodeError,
    crate::platform::CredentialError,
    crate::platform::MintError,
    crate::duration::TimeError
);

/// Parses the arguments and runs the command; with no command, opens the workbench.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout with exit 0, and usage errors with exit 2.
            // An error that quotes a value with controls in it is printed plain, escaped.
            let rendered = error.render().to_string();
            if crate::text::escape_lines(&rendered) == rendered {
                let _ = error.print();
            } else {
                let _ = write!(
                    std::io::stderr(),
                    "{}",
                    crate::text::escape_lines(&rendered)
                );
            }
            return ExitCode::from(error.exit_code() as u8);
        }
    };
    let result = match cli.command {
        None => workbench::run(workbench::TuiArgs::default()),
        Some(Command::Tui(Lazy(args))) => workbench::run(args),
        Some(Command::Mint(Lazy(args))) => mint::run(args),
        Some(Command::Inspect(Lazy(args))) => inspect::run(args),
        Some(Command::Simulate(Lazy(args))) => simulate::run(args),
        Some(Command::Platforms(Lazy(args))) => platforms::run(args),
        Some(Command::Serve(Lazy(args))) => serve::run(args),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "tokenbench",
                &mut std::io::stdout(),
            );
            Ok(Outcome::Clean)
        }
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(UsageError(message)) => {
            // The message may quote a value given (perhaps read from a file by a script): it is
            // shown, never obeyed.
            let _ = writeln!(
                std::io::stderr(),
                "error: {}",
                crate::text::escape_lines(&message)
            );
            ExitCode::from(2)
        }
    }
}

/// `--now TIME` for every command that reads the clock.
pub(crate) fn parse_now(text: &str) -> Result<DateTime<Utc>, crate::duration::TimeError> {
    crate::duration::parse_instant(text)
}

/// Writes to stdout, treating a closed pipe (`| head`) as the end rather than a failure.
pub(crate) fn write_out(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

/// The platform ids, for clap's value parser.
pub(crate) fn platform_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(crate::platform::ids())
}
