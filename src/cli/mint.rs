//! `tokenbench mint P`: one token, or `--count N` of them.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{FieldArgs, Outcome, UsageError, parse_now};
use crate::findings::Severity;
use crate::platform::credentials::argv_warning;
use crate::platform::{
    self, CredentialSource, Form, IndexedForms, MintContext, MintError, Prepared, TokenRng,
};
use crate::report::{self, KeyChoice};
use crate::secret::SecretOrigin;
use crate::token::Signer;

#[derive(Args, Debug)]
pub struct MintArgs {
    /// The platform, or jwt for any JWT (with --alg and a key).
    #[arg(value_parser = mint_targets())]
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
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = parse_count, help = count_help())]
    pub count: u64,
    /// Threads to mint on; the output order stays the same [default: every core for RS256, else 1].
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub jobs: Option<u64>,
    /// mint jwt: the algorithm: HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512,
    /// ES256, ES384, ES512, EdDSA (or none, unsigned).
    #[arg(long, value_name = "ALG", help_heading = "Any JWT (mint jwt)")]
    pub alg: Option<String>,
    /// mint jwt: the signing key from a file: a PEM private key (PKCS#8, PKCS#1, SEC1), a private
    /// JWK, a JWKS (the member named by --header kid=), or an HMAC secret's bytes. --secret takes
    /// the same in any secret form.
    #[arg(long, value_name = "PATH", help_heading = "Any JWT (mint jwt)")]
    pub key_file: Option<String>,
    /// mint jwt: a header field, repeatable (VALUE parsed as JSON when it is JSON, else a
    /// string): typ, kid, cty, or any other.
    #[arg(
        long = "header",
        value_name = "NAME=VALUE",
        help_heading = "Any JWT (mint jwt)"
    )]
    pub header: Vec<String>,
}

/// `--count`'s help. clap turns `{n}` in help text into a line break, so the placeholder's
/// letter is written as a styled literal, which clap leaves alone; its output without colours
/// (a pipe, NO_COLOR) drops the style and shows a plain `{n}`.
fn count_help() -> clap::builder::StyledStr {
    use std::fmt::Write as _;
    let literal = clap::builder::styling::Style::new().bold();
    let mut help = clap::builder::StyledStr::new();
    let _ = write!(
        help,
        "Mint N tokens, one per line; {{{literal}n{literal:#}}} in any text field becomes 0 to N-1"
    );
    help
}

/// What `mint` takes first: a platform id, or `jwt`.
fn mint_targets() -> clap::builder::PossibleValuesParser {
    let mut targets = crate::platform::ids();
    targets.push(super::mint_jwt::ID);
    clap::builder::PossibleValuesParser::new(targets)
}

/// A count of 1 or more.
fn parse_count(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err("it must be 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("'{text}' is not a whole number of 1 or more")),
    }
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
    Mint(MintError),
    /// The reader went away (`| head`): stop quietly.
    Closed,
}

/// The rules of severity error the first failing token broke, if any did.
type Broken = Option<Vec<&'static str>>;

/// Batches a worker thread mints before handing them over, in order, to the writer.
const MAX_BATCH: u64 = 1024;
/// An RSA signature costs a millisecond: small batches, so the writer notices a closed output soon.
const SLOW_BATCH: u64 = 8;
/// Output is flushed at least this often, so a closed reader stops the run this soon.
const FLUSH_EVERY: Duration = Duration::from_millis(20);

/// One bulk run: everything a thread needs to mint and print any range of the tokens.
struct Run<'a> {
    prepared: &'a Prepared,
    form: &'a Form,
    now: DateTime<Utc>,
    pinned: Option<DateTime<Utc>>,
    output: Output,
    strict: bool,
    /// Set when the output closed: every worker stops at its next token.
    stopped: &'a AtomicBool,
}

impl Run<'_> {
    /// Mints and prints tokens `range` into `out`; the rules broken by the first token that
    /// breaks one of severity error (checked only when it matters: a report, or --strict).
    fn write(&self, range: Range<u64>, out: &mut impl Write) -> Result<Broken, Stop> {
        let platform = self.prepared.platform;
        let mut minter = self.prepared.minter();
        let needs_report = self.strict || !matches!(self.output, Output::Token);
        let mut forms = IndexedForms::new(self.form);
        let mut run_rng = StdRng::from_entropy();
        let mut broken = None;
        let mut last_flush = Instant::now();
        for n in range {
            if n % 64 == 0 {
                if self.stopped.load(Ordering::Relaxed) {
                    return Err(Stop::Closed);
                }
                if last_flush.elapsed() >= FLUSH_EVERY {
                    out.flush().map_err(|_| Stop::Closed)?;
                    last_flush = Instant::now();
                }
            }
            let form = forms.form(n);
            let mut rng = TokenRng::new(platform, form, self.pinned, &mut run_rng);
            let mut ctx = MintContext {
                now: self.now,
                rng: &mut rng,
            };
            let token = minter.mint(form, &mut ctx).map_err(Stop::Mint)?;
            let written = if needs_report {
                let token = std::str::from_utf8(token).expect("tokens are ASCII");
                let decoded =
                    platform::decode_minted(platform, form, token).expect("a minted token decodes");
                let report = report::check(
                    token,
                    decoded,
                    Some(platform),
                    KeyChoice::Prepared(self.prepared),
                    self.now,
                );
                if broken.is_none() && report.has_errors() {
                    broken = Some(
                        report
                            .findings
                            .iter()
                            .filter(|f| f.severity == Severity::Error)
                            .map(|f| f.rule)
                            .collect(),
                    );
                }
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
        Ok(broken)
    }

    /// Mints `count` tokens on `jobs` threads, printed in the order one thread would print them.
    /// Each worker takes the next batch when it is done with one, so a core the host slows (steal
    /// time) mints fewer batches rather than holding the others up, as a fixed share of batches
    /// did; no worker starts a batch more than `2 × jobs` ahead of the one being written, so the
    /// batches waiting for their turn stay few.
    fn write_parallel(
        &self,
        count: u64,
        jobs: u64,
        batch: u64,
        out: &mut impl Write,
    ) -> Result<Broken, Stop> {
        let batch = count.div_ceil(jobs * 8).clamp(1, batch);
        let batches = count.div_ceil(batch);
        let range_of = |b: u64| b * batch..((b + 1) * batch).min(count);
        let ahead = 2 * jobs;
        let next = AtomicU64::new(0);
        let progress = Progress::default();
        std::thread::scope(|scope| {
            let (sender, receiver) = std::sync::mpsc::channel();
            for _ in 0..jobs.min(batches) {
                let sender = sender.clone();
                let (next, progress) = (&next, &progress);
                scope.spawn(move || {
                    loop {
                        let b = next.fetch_add(1, Ordering::Relaxed);
                        if b >= batches || !progress.room_for(b, ahead, self.stopped) {
                            return;
                        }
                        let mut bytes = Vec::new();
                        let result = self.write(range_of(b), &mut bytes).map(|e| (bytes, e));
                        let failed = result.is_err();
                        // The writer hung up (an error or a closed output): nothing to do.
                        if sender.send((b, result)).is_err() || failed {
                            return;
                        }
                    }
                });
            }
            drop(sender);
            let mut waiting = BTreeMap::new();
            let mut broken = None;
            let result = (0..batches).try_for_each(|b| {
                let (bytes, batch_broken) = loop {
                    if let Some(done) = waiting.remove(&b) {
                        break done;
                    }
                    let (minted, done) = receiver
                        .recv()
                        .expect("a worker sends every batch it takes");
                    waiting.insert(minted, done);
                }?;
                out.write_all(&bytes)
                    .and_then(|()| out.flush())
                    .map_err(|_| Stop::Closed)?;
                if broken.is_none() {
                    broken = batch_broken;
                }
                progress.written(b + 1);
                Ok(())
            });
            if result.is_err() {
                self.stopped.store(true, Ordering::Relaxed);
                progress.wake_all();
            }
            result.map(|()| broken)
        })
    }
}

/// How many batches of a parallel run are written, and the workers waiting for it to grow.
#[derive(Default)]
struct Progress {
    written: Mutex<u64>,
    grown: Condvar,
}

impl Progress {
    /// Waits until batch `b` is fewer than `ahead` batches past the written ones; false when
    /// the run stopped instead.
    fn room_for(&self, b: u64, ahead: u64, stopped: &AtomicBool) -> bool {
        let mut written = self.written.lock().expect("no thread panics holding it");
        while b >= *written + ahead && !stopped.load(Ordering::Relaxed) {
            written = self
                .grown
                .wait(written)
                .expect("no thread panics holding it");
        }
        !stopped.load(Ordering::Relaxed)
    }

    fn written(&self, batches: u64) {
        *self.written.lock().expect("no thread panics holding it") = batches;
        self.grown.notify_all();
    }

    /// Wakes every waiting worker, to see that the run stopped. Under the lock, so that no worker
    /// misses it between its test of `stopped` and its wait.
    fn wake_all(&self) {
        let _written = self.written.lock().expect("no thread panics holding it");
        self.grown.notify_all();
    }
}

/// Whether a signature costs enough (RSA) for threads and small batches to pay.
fn is_slow(signer: &Signer) -> bool {
    signer.is_slow()
}

pub fn run(args: MintArgs) -> Result<Outcome, UsageError> {
    if args.platform == super::mint_jwt::ID {
        return super::mint_jwt::run(args);
    }
    for (given, name) in [
        (args.alg.is_some(), "alg"),
        (args.key_file.is_some(), "key-file"),
        (!args.header.is_empty(), "header"),
    ] {
        if given {
            return Err(UsageError(format!(
                "--{name} belongs to mint jwt (any JWT); {} mints its own header with its own key",
                args.platform
            )));
        }
    }
    let platform = platform::by_id(&args.platform).expect("clap only accepts known platforms");
    let form = args.fields.form(platform)?;
    let credentials = args.fields.credentials(platform)?;
    if credentials.source == CredentialSource::Given(SecretOrigin::Literal) {
        eprintln!("warning: {} (secret.argv)", argv_warning().message);
    }
    let prepared = Prepared::new(platform, credentials)?;
    let output = if args.token_only || (args.count > 1 && !args.json) {
        Output::Token
    } else if args.json && args.count > 1 {
        Output::JsonLines
    } else if args.json {
        Output::Json
    } else {
        Output::Text
    };
    let stopped = AtomicBool::new(false);
    let run = Run {
        prepared: &prepared,
        form: &form,
        now: FieldArgs::now_or(args.now),
        pinned: args.now,
        output,
        strict: args.strict,
        stopped: &stopped,
    };
    let slow = is_slow(prepared.signer());
    let jobs = args
        .jobs
        .unwrap_or_else(|| {
            if slow {
                std::thread::available_parallelism().map_or(1, |n| n.get() as u64)
            } else {
                1
            }
        })
        .min(args.count);
    let mut out = BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
    let result = if jobs > 1 {
        let batch = if slow { SLOW_BATCH } else { MAX_BATCH };
        run.write_parallel(args.count, jobs, batch, &mut out)
    } else {
        run.write(0..args.count, &mut out)
    };
    let broken = match result {
        Ok(broken) => broken,
        Err(Stop::Mint(error)) => return Err(error.into()),
        Err(Stop::Closed) => return Ok(Outcome::Clean),
    };
    let _ = out.flush();
    match broken {
        Some(rules) if args.strict => {
            eprintln!(
                "error: --strict: {} breaks {} rule(s) of severity error: {}",
                if args.count > 1 {
                    "a token"
                } else {
                    "the token"
                },
                rules.len(),
                rules.join(", ")
            );
            Ok(Outcome::Findings)
        }
        _ => Ok(Outcome::Clean),
    }
}
