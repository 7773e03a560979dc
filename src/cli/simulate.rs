//! `tokenbench simulate P`: what expiry does to a client on platform P, as a timeline.

use chrono::{DateTime, TimeDelta, Utc};
use clap::Args;

use super::{FieldArgs, Outcome, UsageError, parse_now, write_out};
use crate::duration::{TimeError, format_duration_compact, parse_duration, parse_instant};
use crate::lifetime::picture::{Picture, Played};
use crate::lifetime::svg::{self, SvgAxis};
use crate::lifetime::{self, EndpointTokens, Scenario, ScenarioInput, TokenTimes};
use crate::platform::credentials::join_or;

fn model_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(lifetime::playable().into_iter().map(|m| m.id))
}

/// Offsets from the token's iat, in milliseconds.
fn offset(text: &str) -> Result<i64, TimeError> {
    parse_duration(text).map(|seconds| seconds.saturating_mul(1000))
}

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// The platform whose lifetime model plays the scenario.
    #[arg(value_parser = model_parser())]
    pub platform: String,
    /// Play this token's own times (its issue time, expiry and privileges) instead of
    /// --ttl/--exp/--now.
    #[arg(long, value_name = "TOKEN", conflicts_with_all = ["ttl", "exp", "now"])]
    pub token: Option<String>,
    /// The token's lifetime (default: the platform's).
    #[arg(long, value_name = "DUR", value_parser = parse_duration, conflicts_with = "exp")]
    pub ttl: Option<i64>,
    /// The token's expiry time (RFC 3339 or unix seconds).
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub exp: Option<DateTime<Utc>>,
    /// When the client joins, after iat (default 0s).
    #[arg(long, value_name = "DUR", value_parser = offset)]
    pub join_at: Option<i64>,
    /// When the client's network drops.
    #[arg(long, value_name = "DUR", value_parser = offset)]
    pub drop_at: Option<i64>,
    /// How long the network stays down after --drop-at (default 0s).
    #[arg(long, value_name = "DUR", value_parser = offset, requires = "drop_at")]
    pub offline_for: Option<i64>,
    /// When the server force-disconnects the client, which then tries to rejoin.
    #[arg(long, value_name = "DUR", value_parser = offset)]
    pub force_disconnect_at: Option<i64>,
    /// When the app's auth endpoint stops answering (platforms whose client fetches its tokens).
    #[arg(long, value_name = "DUR", value_parser = offset)]
    pub endpoint_down_at: Option<i64>,
    /// When the auth endpoint answers again.
    #[arg(long, value_name = "DUR", value_parser = offset)]
    pub endpoint_up_at: Option<i64>,
    /// When the app renews the token in place (platforms that renew in-band).
    #[arg(long, value_name = "DUR", value_parser = offset)]
    pub renew_at: Option<i64>,
    /// What the auth endpoint answers a join with (platforms whose client fetches its tokens):
    /// a token minted for the request, or the token played, minted at iat.
    #[arg(long, value_name = "WHAT", value_enum, default_value_t = EndpointTokensArg::Fresh)]
    pub endpoint_tokens: EndpointTokensArg,
    /// Simulate up to this offset (default: a margin past exp and every given time).
    #[arg(long, value_name = "DUR", value_parser = offset)]
    pub until: Option<i64>,
    /// Seeds the jitter of retries and reconnects: same seed, same timeline.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// The token's iat (RFC 3339 or unix seconds; default now).
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Print the events as a JSON array.
    #[arg(long, conflicts_with = "svg")]
    pub json: bool,
    /// Also draw the timeline as an SVG picture into FILE (lanes, legend, axis); `-` writes
    /// only the SVG, to stdout.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<String>,
    /// The SVG's axis: offsets from iat, or UTC times.
    #[arg(long, value_name = "AXIS", value_enum, default_value_t = SvgAxisArg::Offset, requires = "svg")]
    pub svg_axis: SvgAxisArg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EndpointTokensArg {
    Fresh,
    Cached,
}

impl From<EndpointTokensArg> for EndpointTokens {
    fn from(arg: EndpointTokensArg) -> Self {
        match arg {
            EndpointTokensArg::Fresh => EndpointTokens::Fresh,
            EndpointTokensArg::Cached => EndpointTokens::Cached,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SvgAxisArg {
    Offset,
    Utc,
}

/// The SVG of `events` played by `playable`, titled with the token and the scenario.
fn svg_of(
    playable: lifetime::Playable,
    times: &TokenTimes,
    scenario: &Scenario,
    events: Vec<lifetime::Event>,
    axis: SvgAxisArg,
) -> String {
    let played = [Played {
        model: playable,
        events,
    }];
    let end = scenario.end(times);
    let picture = Picture::of(times, scenario, &played, end);
    let title = format!(
        "{} · a token of {} · {}",
        playable.id,
        format_duration_compact(times.ttl_ms() / 1000),
        scenario_words(scenario)
    );
    let axis = match axis {
        SvgAxisArg::Offset => SvgAxis::Offset,
        SvgAxisArg::Utc => SvgAxis::Utc,
    };
    svg::render(times, &picture, &played, axis, &title)
}

/// The scenario's inputs in a few words, for the picture's title.
fn scenario_words(scenario: &Scenario) -> String {
    let at = |t: i64| lifetime::format_offset(t);
    let mut words = Vec::new();
    match scenario.join_at {
        Some(t) => words.push(format!("join {}", at(t))),
        None => words.push("nobody joins".to_string()),
    }
    if let Some(t) = scenario.drop_at {
        words.push(format!(
            "drop {} for {}",
            at(t),
            format_duration_compact(scenario.offline_for / 1000)
        ));
    }
    if let Some(t) = scenario.force_disconnect_at {
        words.push(format!("kick {}", at(t)));
    }
    if let Some(t) = scenario.endpoint_down_at {
        words.push(format!("endpoint down {}", at(t)));
    }
    if let Some(t) = scenario.endpoint_up_at {
        words.push(format!("up {}", at(t)));
    }
    if let Some(t) = scenario.renew_at {
        words.push(format!("renew {}", at(t)));
    }
    words.join(", ")
}

/// The times a token holds, as its platform reads them (a privilege that ends on its own
/// included).
fn token_times(text: &str) -> Result<TokenTimes, UsageError> {
    let decoded = crate::token::inspect(text)?;
    let times = match crate::platform::detect(&decoded) {
        Some(platform) => platform.token_times(&decoded),
        None => decoded
            .issued_at()
            .zip(decoded.expires_at())
            .map(|(iat, exp)| TokenTimes::new(iat, exp)),
    };
    times.ok_or_else(|| {
        UsageError(
            "the token has no issue time and expiry to play: give --ttl or --exp instead".into(),
        )
    })
}

pub fn run(args: SimulateArgs) -> Result<Outcome, UsageError> {
    let playable =
        lifetime::playable_by_id(&args.platform).expect("clap only accepts known models");
    let model = playable.model;
    let takes = |input| model.inputs().contains(&input);
    let refuse = |options: &str, input, why: &str| {
        UsageError(format!(
            "{options} to {} only: {} {why}",
            join_or(&lifetime::ids_with(input)),
            playable.id
        ))
    };
    if args.renew_at.is_some() && !takes(ScenarioInput::Renewal) {
        return Err(refuse(
            "--renew-at applies",
            ScenarioInput::Renewal,
            "tokens are not renewed in place",
        ));
    }
    if (args.endpoint_down_at.is_some() || args.endpoint_up_at.is_some())
        && !takes(ScenarioInput::EndpointOutage)
    {
        return Err(refuse(
            "--endpoint-down-at and --endpoint-up-at apply",
            ScenarioInput::EndpointOutage,
            "clients do not fetch tokens themselves",
        ));
    }
    if args.endpoint_tokens == EndpointTokensArg::Cached && !takes(ScenarioInput::EndpointTokens) {
        return Err(refuse(
            "--endpoint-tokens cached applies",
            ScenarioInput::EndpointTokens,
            "clients do not fetch tokens from the app's endpoint",
        ));
    }
    let times = match &args.token {
        Some(text) => token_times(text)?,
        None => {
            let iat = FieldArgs::now_or(args.now);
            let exp = match (args.exp, args.ttl) {
                (Some(exp), _) => exp,
                (None, ttl) => iat + TimeDelta::seconds(ttl.unwrap_or(playable.default_ttl)),
            };
            TokenTimes::new(iat, exp)
        }
    };
    let scenario = Scenario {
        join_at: Some(args.join_at.unwrap_or(0)),
        drop_at: args.drop_at,
        offline_for: args.offline_for.unwrap_or(0),
        force_disconnect_at: args.force_disconnect_at,
        endpoint_down_at: args.endpoint_down_at,
        endpoint_up_at: args.endpoint_up_at,
        renew_at: args.renew_at,
        endpoint_tokens: args.endpoint_tokens.into(),
        until: args.until,
        seed: args.seed,
    };
    let events = model.simulate(&times, &scenario);
    match args.svg.as_deref() {
        Some("-") => {
            write_out(&svg_of(playable, &times, &scenario, events, args.svg_axis));
            return Ok(Outcome::Clean);
        }
        Some(path) => {
            let picture = svg_of(playable, &times, &scenario, events.clone(), args.svg_axis);
            std::fs::write(path, picture)
                .map_err(|e| UsageError(format!("cannot write the picture to {path}: {e}")))?;
        }
        None => {}
    }
    if args.json {
        let json = lifetime::to_json(&events, &times);
        write_out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json).expect("events serialise")
        ));
    } else {
        write_out(&format!(
            "{}\n{}",
            model.summary(),
            lifetime::render_table(&events, &times)
        ));
    }
    Ok(Outcome::Clean)
}
