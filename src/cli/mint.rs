//! `tokenbench mint P`: one token, or `--count N` of them.

use std::io::{BufWriter, Write};

use chrono::{DateTime, Utc};
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{FieldArgs, Outcome, UsageError, parse_now, platform_parser};
use crate::clock::Clock;
use crate::platform::{self, Form, MintContext};
use crate::report::{self, KeyChoice};

#[derive(Args, Debug)]
pub struct MintArgs {
    /// zoom, vonage, opentok or relaybox.
    #[arg(value_parser = platform_parser())]
    pub platform: String,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Pin the clock (RFC 3339 or unix seconds): same inputs, same token.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Print the report as JSON (one object; one per line with --count).
    #[arg(long, conflicts_with = "token_only")]
    pub json: bool,
    /// Print only the token.
    #[arg(long)]
    pub token_only: bool,
    /// Exit 1 when the token breaks a rule with severity error.
    #[arg(long)]
    pub strict: bool,
    /// Mint N tokens, one per line; {n} in any text field becomes 0…N−1.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,
}

/// The random source of one token: seeded from `--now` and the token's own inputs when the
/// clock is pinned, so the same inputs give the same token in bulk and alone.
pub(crate) fn rng_for(pinned: Option<DateTime<Utc>>, form: &Form) -> StdRng {
    match pinned {
        Some(now) => StdRng::seed_from_u64(form.seed(now)),
        None => StdRng::from_entropy(),
    }
}

pub fn run(args: MintArgs) -> Result<Outcome, UsageError> {
    let platform = platform::by_id(&args.platform).expect("clap only accepts known platforms");
    let form = args.fields.form(platform)?;
    let credentials = args.fields.credentials(platform)?;
    let signer = platform.signer(&credentials)?;
    let now = args.now.unwrap_or_else(|| Clock::system().now());
    let one_line_each = args.token_only || (args.count > 1 && !args.json);
    let needs_report = !one_line_each || args.strict;
    let per_token_form = form.has_index_placeholder();
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut errors = false;
    for n in 0..args.count {
        let indexed;
        let form = if per_token_form {
            indexed = form.for_index(n);
            &indexed
        } else {
            &form
        };
        let mut rng = rng_for(args.now, form);
        let token = platform.mint(
            form,
            &credentials,
            &signer,
            &mut MintContext { now, rng: &mut rng },
        )?;
        let written = if needs_report {
            let decoded = crate::token::inspect(&token).expect("a minted token decodes");
            let report = report::check(
                &token,
                decoded,
                Some(platform),
                KeyChoice::Minted(&credentials),
                now,
            );
            errors |= report.has_errors();
            if one_line_each {
                writeln!(out, "{token}")
            } else if args.json && args.count > 1 {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string(&report).expect("reports serialise")
                )
            } else if args.json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&report).expect("reports serialise")
                )
            } else {
                write!(out, "{}", super::text::report(&report, now))
            }
        } else {
            writeln!(out, "{token}")
        };
        if written.is_err() {
            // The reader went away (`| head`): stop quietly.
            return Ok(Outcome::Clean);
        }
    }
    let _ = out.flush();
    Ok(if args.strict && errors {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
