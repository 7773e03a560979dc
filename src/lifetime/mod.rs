//! Lifetime lab: what a token's expiry does on each platform.
//!
//! Pure functions: a token's iat and exp and a [`Scenario`] in, an ordered timeline of
//! [`Event`]s out. Nothing here reads the clock, does I/O or uses a global RNG; jitter comes
//! from a PRNG seeded by the scenario, so the same inputs always give the same timeline.
//!
//! Times are `i64` milliseconds since the token's iat ("offsets"), so Relaybox's jitter and
//! backoff are exact. Facts come from PLATFORMS.md; every event carries the [`Confidence`] of
//! the claim it makes, and section numbers in comments point at the source.
//!
//! Expiry is inclusive everywhere: at `t >= exp` a token is expired (node `jsonwebtoken`
//! and the Relaybox SDK's local check both treat `now >= exp` as expired, §3.5, §3.6).

mod agora;
mod engine;
mod livekit;
mod relaybox;
mod rng;
mod session;
mod table;
mod vonage;
mod zoom;

#[cfg(test)]
mod tests;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

pub use table::{EventJson, format_offset, render_table, to_json};

/// A platform's lifetime model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    Zoom,
    Vonage,
    Opentok,
    Relaybox,
    /// Contrast model: expiry kicks a connected client.
    Agora,
    /// Contrast model: the server refreshes tokens of connected clients.
    Livekit,
}

impl Model {
    const ALL: [Model; 6] = [
        Model::Zoom,
        Model::Vonage,
        Model::Opentok,
        Model::Relaybox,
        Model::Agora,
        Model::Livekit,
    ];

    pub fn all() -> &'static [Model] {
        &Self::ALL
    }

    pub fn id(self) -> &'static str {
        match self {
            Model::Zoom => "zoom",
            Model::Vonage => "vonage",
            Model::Opentok => "opentok",
            Model::Relaybox => "relaybox",
            Model::Agora => "agora",
            Model::Livekit => "livekit",
        }
    }

    pub fn from_id(id: &str) -> Option<Model> {
        Self::ALL.into_iter().find(|model| model.id() == id)
    }

    /// The lifetime a token gets when none is asked for, in seconds (§7 "Default lifetime").
    pub fn default_ttl_secs(self) -> i64 {
        match self {
            Model::Zoom | Model::Vonage | Model::Opentok | Model::Relaybox => {
                crate::platform::by_id(self.id())
                    .expect("every platform has a lifetime model of the same id")
                    .default_ttl()
            }
            Model::Agora => 900,      // the builder's default, §4
            Model::Livekit => 21_600, // 6 h, §5
        }
    }
}

/// A token's issue and expiry instants; offsets are measured from `iat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenTimes {
    pub iat: DateTime<Utc>,
    pub exp: DateTime<Utc>,
}

impl TokenTimes {
    /// From the JWT claims (unix seconds); `None` when either is outside chrono's range.
    pub fn from_unix(iat: i64, exp: i64) -> Option<Self> {
        Some(TokenTimes {
            iat: DateTime::from_timestamp(iat, 0)?,
            exp: DateTime::from_timestamp(exp, 0)?,
        })
    }

    /// `exp − iat` in ms: the lifetime, and also exp's offset. Negative when exp < iat.
    pub fn ttl_ms(&self) -> i64 {
        (self.exp - self.iat).num_milliseconds()
    }

    /// The instant at an offset, clamped to chrono's range rather than failing.
    pub fn at(&self, t_ms: i64) -> DateTime<Utc> {
        TimeDelta::try_milliseconds(t_ms)
            .and_then(|delta| self.iat.checked_add_signed(delta))
            .unwrap_or(if t_ms < 0 {
                DateTime::<Utc>::MIN_UTC
            } else {
                DateTime::<Utc>::MAX_UTC
            })
    }
}

/// What happens to one client, as offsets in ms from iat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The client joins (`None`: nobody joins, only the token's own events show).
    pub join_at: Option<i64>,
    /// The connection drops (network loss)...
    pub drop_at: Option<i64>,
    /// ...and the network stays down this long (0: back at once). Long enough, it exhausts
    /// Relaybox's reconnect attempts.
    pub offline_for: i64,
    /// The server disconnects the client, which then tries to get back in.
    pub force_disconnect_at: Option<i64>,
    /// Relaybox only: the app's auth endpoint stops answering...
    pub endpoint_down_at: Option<i64>,
    /// ...and answers again. Given without `endpoint_down_at`, it was down from the start.
    pub endpoint_up_at: Option<i64>,
    /// Agora only: the app calls `renewToken` with a new token of the same lifetime.
    pub renew_at: Option<i64>,
    /// Nothing after this is simulated; `None`: see [`Scenario::end`].
    pub until: Option<i64>,
    /// Seeds the jitter of Relaybox's retries and reconnects.
    pub seed: u64,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            join_at: Some(0),
            drop_at: None,
            offline_for: 0,
            force_disconnect_at: None,
            endpoint_down_at: None,
            endpoint_up_at: None,
            renew_at: None,
            until: None,
            seed: 0,
        }
    }
}

impl Scenario {
    /// `until`, or by default a margin (2 min or a tenth of the lifetime, whichever is longer)
    /// past the latest of exp and every time the scenario names, so no given event is cut off.
    pub fn end(&self, times: &TokenTimes) -> i64 {
        if let Some(until) = self.until {
            return until;
        }
        let ttl = times.ttl_ms();
        let renewed_exp = self.renew_at.map(|t| t.saturating_add(ttl));
        let back_online = self
            .drop_at
            .map(|t| t.saturating_add(self.offline_for.max(0)));
        let latest = [
            self.join_at,
            self.drop_at,
            back_online,
            self.force_disconnect_at,
            self.endpoint_down_at,
            self.endpoint_up_at,
            self.renew_at,
            renewed_exp,
        ]
        .into_iter()
        .flatten()
        .fold(ttl, i64::max);
        latest.saturating_add((ttl / 10).max(120_000))
    }
}

/// How sure we are of what an event claims, from PLATFORMS.md's source tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// A vendor page (or vendor support article) says so.
    Documented,
    /// Read in the vendor's own SDK or server code.
    SdkCode,
    /// No source: an assumption, labelled as such on screen.
    Unconfirmed,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Documented => "documented",
            Confidence::SdkCode => "sdk-code",
            Confidence::Unconfirmed => "unconfirmed",
        }
    }
}

/// Who acts in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Actor {
    Client,
    Server,
    Sdk,
    AuthEndpoint,
    /// A note about the simulation itself (a loop or size limit was reached).
    Simulator,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Client => "client",
            Actor::Server => "server",
            Actor::Sdk => "sdk",
            Actor::AuthEndpoint => "auth-endpoint",
            Actor::Simulator => "simulator",
        }
    }
}

/// One line of a timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Milliseconds since iat.
    pub t_ms: i64,
    pub actor: Actor,
    /// Short kebab id: `join`, `refresh-failed`, `kicked`, ...
    pub event: &'static str,
    /// One sentence on what happened, with the platform's codes.
    pub outcome: String,
    pub confidence: Confidence,
}

/// The timeline of one client under `scenario`, ordered by time (ties keep causal order).
pub fn simulate(model: Model, times: &TokenTimes, scenario: &Scenario) -> Vec<Event> {
    use session::Session;
    let exp = times.ttl_ms();
    match model {
        Model::Zoom => engine::run(Session::new(zoom::Zoom::new(exp)), times, scenario),
        Model::Vonage | Model::Opentok => {
            engine::run(Session::new(vonage::Vonage::new(exp)), times, scenario)
        }
        Model::Agora => engine::run(Session::new(agora::Agora::new(exp)), times, scenario),
        Model::Livekit => engine::run(Session::new(livekit::Livekit::new(exp)), times, scenario),
        Model::Relaybox => engine::run(relaybox::Relaybox::new(exp, scenario), times, scenario),
    }
}

/// A yes/no answer in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The client is (still) in the session.
    pub in_session: bool,
    pub outcome: String,
    pub confidence: Confidence,
}

impl Verdict {
    fn admitted(outcome: impl Into<String>, confidence: Confidence) -> Self {
        Verdict {
            in_session: true,
            outcome: outcome.into(),
            confidence,
        }
    }

    fn refused(outcome: impl Into<String>, confidence: Confidence) -> Self {
        Verdict {
            in_session: false,
            outcome: outcome.into(),
            confidence,
        }
    }
}

/// What happens at one instant, for the TUI's lifetime pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// A client joining at that instant with this token.
    pub joining: Verdict,
    /// A client connected since iat without a drop.
    pub connected: Verdict,
}

/// What happens at offset `t_ms` to a client joining then and to one connected since iat.
pub fn status_at(model: Model, times: &TokenTimes, t_ms: i64) -> Status {
    fn ask(rules: impl session::Rules, t_ms: i64) -> Status {
        // Nobody is connected with a token refused at iat.
        let at_iat = rules.admit(0, session::Entry::Join);
        Status {
            joining: rules.admit(t_ms, session::Entry::Join),
            connected: if at_iat.in_session {
                rules.while_connected(t_ms)
            } else {
                at_iat
            },
        }
    }
    let exp = times.ttl_ms();
    match model {
        Model::Zoom => ask(zoom::Zoom::new(exp), t_ms),
        Model::Vonage | Model::Opentok => ask(vonage::Vonage::new(exp), t_ms),
        Model::Agora => ask(agora::Agora::new(exp), t_ms),
        Model::Livekit => ask(livekit::Livekit::new(exp), t_ms),
        Model::Relaybox => Status {
            joining: relaybox::joining(exp, t_ms),
            connected: relaybox::while_connected(exp, t_ms),
        },
    }
}

/// One line on what expiry means on the platform; unconfirmed parts say so.
pub fn expiry_summary(model: Model) -> &'static str {
    match model {
        Model::Zoom => {
            "Checked at join: a join at or after exp is refused (error 200); a connected client \
             stays (unconfirmed for the Video SDK)."
        }
        Model::Vonage | Model::Opentok => {
            "Checked at connect: an expired token gets error 1004; a connected client stays until \
             disconnected, and a force-disconnected client cannot rejoin."
        }
        Model::Relaybox => {
            "Checked at the WebSocket upgrade; the SDK refreshes at expiresIn − 20 s and uses the \
             new token on the next reconnect; a connected client stays past exp (unconfirmed)."
        }
        Model::Agora => {
            "Checked continuously: a warning 30 s before exp, then the client is kicked at exp \
             unless the app calls renewToken."
        }
        Model::Livekit => {
            "Checked at the initial connect only; the server refreshes the token of a connected \
             client, and reconnects use the refreshed token."
        }
    }
}
