//! What a platform's lifetime model is written against: the token's times, a [`Scenario`], the
//! [`Event`]s of a timeline with the [`Confidence`] of each, and a tiny discrete-event
//! [`engine`]. Every platform's model (in its own folder) is pure: the same token and scenario
//! always give the same timeline. The `lifetime` layer plays them and draws the results.
//!
//! Times are `i64` milliseconds since the token's iat ("offsets"), so jitter and backoff are
//! exact. Expiry is inclusive everywhere: at `t >= exp` a token is expired.

pub(crate) mod engine;
mod rng;
pub(crate) mod session;

#[cfg(test)]
pub(crate) mod testing;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

/// A platform's lifetime model.
pub trait LifetimeModel: Sync {
    /// The timeline of one client under `scenario`, ordered by time (ties keep causal order).
    fn simulate(&self, times: &TokenTimes, scenario: &Scenario) -> Vec<Event>;
    /// What happens at offset `t_ms` to a client joining then and to one connected since iat.
    fn status_at(&self, times: &TokenTimes, t_ms: i64) -> Status;
    /// One line on what expiry means on the platform; unconfirmed parts say so.
    fn summary(&self) -> &'static str;
    /// The scenario inputs that mean something on this platform beyond joins and drops.
    fn inputs(&self) -> &'static [ScenarioInput] {
        &[]
    }
}

/// A scenario input only some platforms have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScenarioInput {
    /// The app's auth endpoint goes down and up (the client fetches tokens itself).
    EndpointOutage,
    /// The app renews the token in place (`renewToken`).
    Renewal,
    /// What the auth endpoint hands out is a setting: a token minted per request, or the
    /// token played (see [`EndpointTokens`]).
    EndpointTokens,
}

/// What the app's auth endpoint answers a client's token request with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum EndpointTokens {
    /// A token minted for each request, with the played token's lifetime (as an endpoint on
    /// the vendor's server SDK, or `tokenbench serve`, does).
    #[default]
    Fresh,
    /// Always the token played, minted at iat: a join late in its life gets an old token.
    Cached,
}

/// A token's issue and expiry instants, and the privileges that end on their own (Agora's);
/// offsets are measured from `iat`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenTimes {
    pub iat: DateTime<Utc>,
    pub exp: DateTime<Utc>,
    /// Privileges with their own expiry, in the token's order.
    pub privileges: Vec<PrivilegeTime>,
}

/// A privilege that ends at its own time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivilegeTime {
    /// As the token names it (`rtc join_channel`).
    pub name: String,
    pub ends: DateTime<Utc>,
    /// Whether it is what lets a client in (a join or login): when it ends, a connected client
    /// is put out and a new one is refused.
    pub admits: bool,
}

impl TokenTimes {
    pub fn new(iat: DateTime<Utc>, exp: DateTime<Utc>) -> Self {
        TokenTimes {
            iat,
            exp,
            privileges: Vec::new(),
        }
    }

    /// From the JWT claims (unix seconds); `None` when either is outside chrono's range.
    pub fn from_unix(iat: i64, exp: i64) -> Option<Self> {
        Some(TokenTimes::new(
            DateTime::from_timestamp(iat, 0)?,
            DateTime::from_timestamp(exp, 0)?,
        ))
    }

    /// A privilege's end as an offset from iat.
    pub fn offset_of(&self, instant: DateTime<Utc>) -> i64 {
        (instant - self.iat).num_milliseconds()
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
    /// ...and the network stays down this long (0: back at once).
    pub offline_for: i64,
    /// The server disconnects the client, which then tries to get back in.
    pub force_disconnect_at: Option<i64>,
    /// [`ScenarioInput::EndpointOutage`]: the app's auth endpoint stops answering...
    pub endpoint_down_at: Option<i64>,
    /// ...and answers again. Given without `endpoint_down_at`, it was down from the start.
    pub endpoint_up_at: Option<i64>,
    /// [`ScenarioInput::Renewal`]: the app renews the token with one of the same lifetime.
    pub renew_at: Option<i64>,
    /// [`ScenarioInput::EndpointTokens`]: what the endpoint hands out.
    pub endpoint_tokens: EndpointTokens,
    /// Nothing after this is simulated; `None`: see [`Scenario::end`].
    pub until: Option<i64>,
    /// Seeds the jitter of retries and reconnects.
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
            endpoint_tokens: EndpointTokens::Fresh,
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
        // The last thing the token itself does: exp, or a privilege that outlasts it.
        let last_end = times
            .privileges
            .iter()
            .map(|p| times.offset_of(p.ends))
            .fold(ttl, i64::max);
        let renewed_exp = self.renew_at.map(|t| t.saturating_add(last_end));
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
        .fold(last_end, i64::max);
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
    /// Where the scenario's client is after this event, when the event moved it (the engine
    /// fills it in from the model's state, so the lab can draw the connection lane).
    pub presence: Option<Presence>,
}

/// Where the scenario's client is: what the lab's connection lane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Presence {
    /// Not in yet (before the join, or nobody joins).
    NotJoined,
    Connected,
    /// Out of the session and trying to get back; `attempt` is the next try's number.
    Reconnecting {
        attempt: u32,
    },
    /// Out for good: refused, kicked, or given up; the scenario brings it back no more.
    Out,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The client is (still) in the session.
    pub in_session: bool,
    pub outcome: String,
    pub confidence: Confidence,
}

impl Verdict {
    pub(crate) fn admitted(outcome: impl Into<String>, confidence: Confidence) -> Self {
        Verdict {
            in_session: true,
            outcome: outcome.into(),
            confidence,
        }
    }

    pub(crate) fn refused(outcome: impl Into<String>, confidence: Confidence) -> Self {
        Verdict {
            in_session: false,
            outcome: outcome.into(),
            confidence,
        }
    }
}

/// What happens at one instant, for the workbench's lifetime pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// A client joining at that instant with this token.
    pub joining: Verdict,
    /// A client connected since iat without a drop.
    pub connected: Verdict,
}

/// An offset from iat as `+mm:ss` or `+h:mm:ss`, with `.mmm` when it has milliseconds.
pub fn format_offset(t_ms: i64) -> String {
    let sign = if t_ms < 0 { '-' } else { '+' };
    let ms = t_ms.unsigned_abs();
    let (hours, minutes, seconds, millis) = (
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1_000 % 60,
        ms % 1_000,
    );
    let mut text = if hours > 0 {
        format!("{sign}{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{sign}{minutes:02}:{seconds:02}")
    };
    if millis > 0 {
        text.push_str(&format!(".{millis:03}"));
    }
    text
}

/// A duration in seconds: `900 s`, `10.734 s`.
pub(crate) fn format_delay(ms: i64) -> String {
    let (sign, ms) = (if ms < 0 { "-" } else { "" }, ms.unsigned_abs());
    match ms % 1_000 {
        0 => format!("{sign}{} s", ms / 1_000),
        millis => format!("{sign}{}.{millis:03} s", ms / 1_000),
    }
}
