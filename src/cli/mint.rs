//! `tokenbench mint P`: one token, or `--count N` of them.

use std::io::{BufWriter, Write};
use std::ops::Range;

use chrono::{DateTime, Utc};
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{FieldArgs, Outcome, UsageError, parse_now, platform_parser};
use crate::clock::Clock;
use crate::platform::{self, Credentials, Form, MintContext, Minter, Platform, TokenRng};
use crate::report::{self, KeyChoice};
use crate::token::Signer;

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
    /// Threads to mint on; the output order stays the same [default: every core for RS256
    /// (vonage), else 1].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,
}

/// How each token is printed.
#[derive(Clone, Copy)]
enum Output {
    /// The token alone on its line.
    Token,
    /// One compact JSON report per line.
    JsonLines,
    /// One pretty JSON report.
    Json,
    /// The text report.
    Text,
}

/// Why minting stopped early.
enum Stop {
    /// A token could not be minted: a usage error.
    Mint(String),
    /// The reader went away (`| head`): stop quietly.
    Closed,
}

/// Batches a worker thread mints before handing them over, in order, to the writer.
const MAX_BATCH: u64 = 1024;

/// One bulk run: everything a thread needs to mint and print any range of the tokens.
struct Run<'a> {
    platform: &'static dyn Platform,
    form: &'a Form,
    credentials: &'a Credentials,
    signer: &'a Signer,
    now: DateTime<Utc>,
    pinned: Option<DateTime<Utc>>,
    output: Output,
    strict: bool,
}

impl Run<'_> {
    /// Mints and prints tokens `range` into `out`; true when one breaks a rule with severity
    /// error (checked only when it matters: a report is printed, or --strict).
    fn write(&self, range: Range<u64>, out: &mut impl Write) -> Result<bool, Stop> {
        let mut minter = Minter::new(self.platform, self.credentials, self.signer);
        let per_token_form = self.form.has_index_placeholder();
        let needs_report = self.strict || !matches!(self.output, Output::Token);
        let mut indexed = Form::default();
        let mut run_rng = StdRng::from_entropy();
        let mut errors = false;
        for n in range {
            let form = if per_token_form {
                self.form.index_into(n, &mut indexed);
                &indexed
            } else {
                self.form
            };
            let mut rng = TokenRng::new(form, self.pinned, &mut run_rng);
            let mut ctx = MintContext {
                now: self.now,
                rng: &mut rng,
            };
            let token = minter.mint(form, &mut ctx).map_err(Stop::Mint)?;
            let written = if needs_report {
                let token = std::str::from_utf8(token).expect("tokens are ASCII");
                let decoded = crate::token::inspect(token).expect("a minted token decodes");
                let report = report::check(
                    token,
                    decoded,
                    Some(self.platform),
                    KeyChoice::Minted(self.credentials),
                    self.now,
                );
                errors |= report.has_errors();
                match self.output {
                    Output::Token => writeln!(out, "{token}"),
                    Output::JsonLines => writeln!(
                        out,
                        "{}",
                        serde_json::to_string(&report).expect("reports serialise")
                    ),
                    Output::Json => writeln!(
                        out,
                        "{}",
                        serde_json::to_string_pretty(&report).expect("reports serialise")
                    ),
                    Output::Text => write!(out, "{}", super::text::report(&report, self.now)),
                }
            } else {
                out.write_all(token).and_then(|()| out.write_all(b"\n"))
            };
            written.map_err(|_| Stop::Closed)?;
        }
        Ok(errors)
    }

    /// Mints `count` tokens on `jobs` threads, printed in the order one thread would print them:
    /// worker k mints batches k, k + jobs, …, and the writer takes them round the workers.
    fn write_parallel(&self, count: u64, jobs: u64, out: &mut impl Write) -> Result<bool, Stop> {
        let batch = count.div_ceil(jobs * 8).clamp(1, MAX_BATCH);
        let batches = count.div_ceil(batch);
        let range_of = |b: u64| b * batch..((b + 1) * batch).min(count);
        std::thread::scope(|scope| {
            let receivers: Vec<_> = (0..jobs.min(batches))
                .map(|worker| {
                    let (sender, receiver) = std::sync::mpsc::sync_channel(2);
                    scope.spawn(move || {
                        for b in (worker..batches).step_by(jobs as usize) {
                            let mut bytes = Vec::new();
                            let result = self.write(range_of(b), &mut bytes).map(|e| (bytes, e));
                            let failed = result.is_err();
                            // The writer hung up (an error or a closed output): nothing to do.
                            if sender.send(result).is_err() || failed {
                                return;
                            }
                        }
                    });
                    receiver
                })
                .collect();
            let mut errors = false;
            for b in 0..batches {
                let (bytes, batch_errors) = receivers[(b % jobs) as usize]
                    .recv()
                    .expect("a worker sends every batch it owns")?;
                out.write_all(&bytes).map_err(|_| Stop::Closed)?;
                errors |= batch_errors;
            }
            Ok(errors)
        })
    }
}

/// Threads by default: every core for RS256, whose signature costs a millisecond; one for HMAC,
/// which a single thread already mints faster than the output is written.
fn default_jobs(signer: &Signer) -> u64 {
    match signer {
        Signer::Rs256(_) => std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
        Signer::Hs256(_) => 1,
    }
}

pub fn run(args: MintArgs) -> Result<Outcome, UsageError> {
    let platform = platform::by_id(&args.platform).expect("clap only accepts known platforms");
    let form = args.fields.form(platform)?;
    let credentials = args.fields.credentials(platform)?;
    let signer = platform.signer(&credentials)?;
    let output = if args.token_only || (args.count > 1 && !args.json) {
        Output::Token
    } else if args.json && args.count > 1 {
        Output::JsonLines
    } else if args.json {
        Output::Json
    } else {
        Output::Text
    };
    let run = Run {
        platform,
        form: &form,
        credentials: &credentials,
        signer: &signer,
        now: args.now.unwrap_or_else(|| Clock::system().now()),
        pinned: args.now,
        output,
        strict: args.strict,
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| default_jobs(&signer))
        .min(args.count);
    let mut out = BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
    let result = if jobs > 1 {
        run.write_parallel(args.count, jobs, &mut out)
    } else {
        run.write(0..args.count, &mut out)
    };
    let errors = match result {
        Ok(errors) => errors,
        Err(Stop::Mint(message)) => return Err(UsageError(message)),
        Err(Stop::Closed) => return Ok(Outcome::Clean),
    };
    let _ = out.flush();
    Ok(if args.strict && errors {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
