//! Ably: a client given this token and an `authUrl` to renew it from (what `serve` hosts),
//! modelled on ably-js 2.28.0 and Ably's features spec:
//!
//! - Ably checks the token when the client connects; an expired one is refused with 40142 and
//!   the SDK renews once from authUrl before giving up (RSA4b).
//! - Ably asks a connected client to re-authenticate before its token expires (an AUTH message,
//!   RTN22) — 30 s before, per Ably's own SDK tests. The SDK calls `authorize()`: a token from
//!   authUrl, sent in-band, the connection stays up (RTC8a). A failed fetch is only logged
//!   (`transport.ts`); at expiry Ably disconnects the client with 40142 (RTN22a) and the SDK
//!   tries again at once with a new token (RTN15h2).
//! - A failed attempt leaves the connection DISCONNECTED, retried after
//!   15 s × min((n + 2) / 3, 2) × 0.8–1 (`disconnectedRetryTimeout`, `getRetryTime`); 2 minutes
//!   after it was lost (`connectionStateTtl`) it is SUSPENDED and retried every 30 s.
//! - The SDK keeps no timer of its own on the token's expiry.
//! - A client given only the token (no authUrl, authCallback or key) cannot renew: 40142, then
//!   40171 and FAILED (RSA4a2, `connectionmanager.ts`).

use crate::platform::lifetime::engine::{self, Cx, Lifecycle, Step};
use crate::platform::lifetime::session::not_connected;
use crate::platform::lifetime::{
    Actor, Confidence, Event, LifetimeModel, Presence, Scenario, ScenarioInput, Status, TokenTimes,
    Verdict, format_delay, format_offset,
};

/// How long before expiry Ably sends AUTH (ably-java PR #238's test of the server).
const AUTH_LEAD_MS: i64 = 30_000;
const DISCONNECTED_RETRY_MS: i64 = 15_000;
const SUSPENDED_RETRY_MS: i64 = 30_000;
const CONNECTION_STATE_TTL_MS: i64 = 120_000;
/// Failed attempts in a row listed one by one; the rest are counted when the client is back.
const LISTED_FAILURES: u32 = 3;

const WITHOUT_AUTH_URL: &str = "a client given only the token (no authUrl, authCallback or key) is refused \
     with 40142, then FAILED with 40171 \"token renewal not configured\" (ably-js connectionmanager.ts, RSA4a2)";

const NEVER_VALID: &str = "refused with 40142 (token expired): every token from authUrl has this lifetime, \
     so it is expired too; the client cannot connect";

pub(crate) enum Timer {
    /// Timers of the token number `generation` (each renewal adds one).
    ServerAuth { generation: u32 },
    Expiry { generation: u32 },
    Retry,
    Suspend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    NotJoined,
    Connected,
    /// Lost, and retrying.
    Disconnected,
    /// The token could not be used and cannot be renewed.
    Failed,
}

pub(crate) struct Ably {
    ttl: i64,
    conn: Conn,
    /// The expiry of the token the client holds now, and which one it is.
    token_exp: i64,
    generation: u32,
    endpoint_up: bool,
    offline_until: Option<i64>,
    /// When the connection was lost, while it is.
    lost_at: Option<i64>,
    /// `disconnectedRetryCount`: failed attempts since the connection was lost.
    failures: u32,
    suspended: bool,
}

/// `getRetryTime(15 s, n)` without its jitter.
fn retry_base_ms(failures: u32) -> i64 {
    (DISCONNECTED_RETRY_MS * (i64::from(failures) + 2) / 3).min(2 * DISCONNECTED_RETRY_MS)
}

impl Ably {
    pub fn new(exp: i64, scenario: &Scenario) -> Self {
        Ably {
            ttl: exp,
            conn: Conn::NotJoined,
            token_exp: exp,
            generation: 0,
            // Only a comeback given: the endpoint was down from the start.
            endpoint_up: scenario.endpoint_up_at.is_none() || scenario.endpoint_down_at.is_some(),
            offline_until: None,
            lost_at: None,
            failures: 0,
            suspended: false,
        }
    }

    fn network_up(&self, t: i64) -> bool {
        self.offline_until.is_none_or(|until| t >= until)
    }

    /// The client holds a new token from `t`: arm Ably's AUTH request and its expiry.
    fn new_token(&mut self, cx: &mut Cx<Timer>, t: i64) {
        self.generation += 1;
        self.token_exp = t.saturating_add(self.ttl);
        self.arm(cx, t);
    }

    fn arm(&mut self, cx: &mut Cx<Timer>, t: i64) {
        let generation = self.generation;
        // A token of 30 s or less would be asked back at once, over and over: not simulated.
        if self.ttl > AUTH_LEAD_MS {
            cx.schedule(
                self.token_exp.saturating_sub(AUTH_LEAD_MS).max(t),
                Step::Timer(Timer::ServerAuth { generation }),
            );
        }
        cx.schedule(self.token_exp.max(t), Step::Timer(Timer::Expiry { generation }));
    }

    fn connected(&mut self) {
        self.conn = Conn::Connected;
        self.lost_at = None;
        self.failures = 0;
        self.suspended = false;
    }

    fn join(&mut self, cx: &mut Cx<Timer>, t: i64) {
        if t < 0 {
            cx.emit(
                t,
                Actor::Client,
                "join",
                "refused: the token is not valid yet: Ably refuses a JWT whose iat is in the future (\"issuedAt time \
                 must not be in the future\", ably-js issue #1720) and a TokenRequest whose timestamp is not current \
                 (40104); a token from the same clock fails the same way",
                Confidence::Documented,
            );
            self.conn = Conn::Failed;
            return;
        }
        if t < self.token_exp {
            cx.emit(
                t,
                Actor::Client,
                "join",
                "connected: Ably checks the token when the client connects",
                Confidence::Documented,
            );
            self.connected();
            self.arm(cx, t);
            return;
        }
        if self.ttl <= 0 {
            cx.emit(t, Actor::Client, "join", NEVER_VALID, Confidence::SdkCode);
            self.conn = Conn::Failed;
        } else if self.reachable(t) {
            cx.emit(
                t,
                Actor::Client,
                "join",
                format!(
                    "refused with 40142 (token expired); the SDK renews once from authUrl and connects with the \
                     new token (RSA4b); {WITHOUT_AUTH_URL}"
                ),
                Confidence::SdkCode,
            );
            self.connected();
            self.new_token(cx, t);
        } else {
            cx.emit(
                t,
                Actor::Client,
                "join",
                "refused with 40142 (token expired), and the renewal from authUrl fails: 80019",
                Confidence::SdkCode,
            );
            self.lost(cx, t);
        }
    }

    fn reachable(&self, t: i64) -> bool {
        self.endpoint_up && self.network_up(t)
    }

    /// The connection is lost at `t`: DISCONNECTED, with a retry armed.
    fn lost(&mut self, cx: &mut Cx<Timer>, t: i64) {
        if self.lost_at.is_none() {
            self.lost_at = Some(t);
            cx.schedule(
                t.saturating_add(CONNECTION_STATE_TTL_MS),
                Step::Timer(Timer::Suspend),
            );
        }
        self.conn = Conn::Disconnected;
        self.failures += 1;
        let delay = if self.suspended {
            SUSPENDED_RETRY_MS
        } else {
            let base = retry_base_ms(self.failures);
            base - cx.rng.below((base / 5).unsigned_abs()) as i64
        };
        cx.schedule(t.saturating_add(delay), Step::Timer(Timer::Retry));
        if self.failures <= LISTED_FAILURES {
            let state = if self.suspended { "SUSPENDED" } else { "DISCONNECTED" };
            cx.emit(
                t,
                Actor::Sdk,
                "retry-scheduled",
                format!(
                    "{state}: the SDK tries again in {} (ably-js connectionmanager.ts)",
                    format_delay(delay)
                ),
                Confidence::SdkCode,
            );
        }
    }

    /// A connection attempt: with the token held while it is valid, else with one from authUrl.
    fn attempt(&mut self, cx: &mut Cx<Timer>, t: i64, event: &'static str) {
        let missed = self.failures.saturating_sub(LISTED_FAILURES);
        let missed = if missed > 0 {
            format!(" (after {missed} more failed attempts)")
        } else {
            String::new()
        };
        if !self.network_up(t) {
            if self.failures < LISTED_FAILURES {
                cx.emit(t, Actor::Client, event, "failed: the network is down", Confidence::Documented);
            }
            self.lost(cx, t);
        } else if t < self.token_exp {
            cx.emit(
                t,
                Actor::Client,
                event,
                format!("connected again with the token it holds{missed}"),
                Confidence::SdkCode,
            );
            self.connected();
        } else if self.ttl <= 0 {
            cx.emit(t, Actor::Client, event, NEVER_VALID, Confidence::SdkCode);
            self.conn = Conn::Failed;
        } else if self.endpoint_up {
            cx.emit(
                t,
                Actor::Client,
                event,
                format!("connected with a new token from authUrl{missed} (RTN15h2)"),
                Confidence::SdkCode,
            );
            self.connected();
            self.new_token(cx, t);
        } else {
            if self.failures < LISTED_FAILURES {
                cx.emit(
                    t,
                    Actor::Client,
                    event,
                    "failed: the token has expired and authUrl does not answer: 80019 \"Client configured \
                     authentication provider request failed\" (ably-js connectionmanager.ts)",
                    Confidence::SdkCode,
                );
            }
            self.lost(cx, t);
        }
    }

    fn exp(&mut self, cx: &mut Cx<Timer>, t: i64) {
        let outcome = match self.conn {
            Conn::Connected if self.token_exp > t => format!(
                "this token expires; the connection carries on with the token renewed in-band, valid until {}; \
                 {WITHOUT_AUTH_URL}",
                format_offset(self.token_exp)
            ),
            Conn::Connected => format!("this token expires unrenewed; {WITHOUT_AUTH_URL}"),
            Conn::NotJoined | Conn::Disconnected | Conn::Failed => format!(
                "the token expires; a join now: refused with 40142, then renewed from authUrl; {WITHOUT_AUTH_URL}"
            ),
        };
        cx.emit(t, Actor::Server, "exp", outcome, Confidence::SdkCode);
    }

    fn on_timer(&mut self, cx: &mut Cx<Timer>, t: i64, timer: Timer) {
        match timer {
            Timer::ServerAuth { generation }
                if generation == self.generation && self.conn == Conn::Connected =>
            {
                cx.emit(
                    t,
                    Actor::Server,
                    "auth-requested",
                    "Ably asks the client to re-authenticate: an AUTH message (RTN22 in Ably's client library spec), \
                     30 s before expiry per Ably's SDK tests (ably-java PR #238)",
                    Confidence::SdkCode,
                );
                if self.reachable(t) {
                    cx.emit(
                        t,
                        Actor::Sdk,
                        "authorize",
                        "authorize(): a new token from authUrl, sent in-band; the connection stays up (RTC8a)",
                        Confidence::Documented,
                    );
                    self.new_token(cx, t);
                } else {
                    cx.emit(
                        t,
                        Actor::Sdk,
                        "authorize-failed",
                        "authorize() fails: authUrl does not answer; ably-js only logs it, and the connection stays \
                         up until the token expires (ably-js transport.ts)",
                        Confidence::SdkCode,
                    );
                }
            }
            Timer::Expiry { generation }
                if generation == self.generation && self.conn == Conn::Connected =>
            {
                cx.emit(
                    t,
                    Actor::Server,
                    "disconnected",
                    "Ably disconnects the client with 40142 (token expired, RTN22a); the SDK tries again at once \
                     with a new token (RTN15h2)",
                    Confidence::SdkCode,
                );
                self.lost_at = Some(t);
                cx.schedule(t.saturating_add(CONNECTION_STATE_TTL_MS), Step::Timer(Timer::Suspend));
                self.attempt(cx, t, "reconnect");
            }
            Timer::Retry if self.conn == Conn::Disconnected => self.attempt(cx, t, "retry"),
            Timer::Suspend
                if self.conn == Conn::Disconnected
                    && self
                        .lost_at
                        .is_some_and(|at| t >= at.saturating_add(CONNECTION_STATE_TTL_MS))
                    && !self.suspended =>
            {
                self.suspended = true;
                cx.emit(
                    t,
                    Actor::Sdk,
                    "suspended",
                    "SUSPENDED: 2 min without a connection (connectionStateTtl); the SDK now tries every 30 s and \
                     channels lose their continuity (ably-js connectionmanager.ts)",
                    Confidence::SdkCode,
                );
            }
            Timer::ServerAuth { .. } | Timer::Expiry { .. } | Timer::Retry | Timer::Suspend => {}
        }
    }
}

impl Lifecycle for Ably {
    type Timer = Timer;
    const RENEWS: bool = true;
    const FETCHES: bool = true;

    fn handle(&mut self, cx: &mut Cx<Timer>, t: i64, step: Step<Timer>) {
        match step {
            Step::EndpointDown => {
                self.endpoint_up = false;
                cx.emit(
                    t,
                    Actor::AuthEndpoint,
                    "endpoint-down",
                    "the authUrl endpoint stops answering",
                    Confidence::Documented,
                );
            }
            Step::EndpointUp => {
                self.endpoint_up = true;
                cx.emit(
                    t,
                    Actor::AuthEndpoint,
                    "endpoint-up",
                    "the authUrl endpoint answers again",
                    Confidence::Documented,
                );
            }
            Step::Exp => self.exp(cx, t),
            Step::Join => self.join(cx, t),
            Step::Renew => {
                let (outcome, confidence) = if self.reachable(t) {
                    let was = self.conn;
                    self.new_token(cx, t);
                    let how = if was == Conn::Connected {
                        "sent in-band; the connection stays up (RTC8a)"
                    } else {
                        "kept for the next connection"
                    };
                    (
                        format!(
                            "the app calls authorize(): a new token from authUrl, valid until {}, {how}",
                            format_offset(self.token_exp)
                        ),
                        Confidence::Documented,
                    )
                } else {
                    (
                        "the app calls authorize(), which fails: authUrl does not answer (80019)".to_string(),
                        Confidence::SdkCode,
                    )
                };
                cx.emit(t, Actor::Client, "renew", outcome, confidence);
            }
            Step::Drop if self.conn == Conn::Connected => {
                let back = t.saturating_add(cx.offline_for);
                self.offline_until = Some(back);
                cx.emit(
                    t,
                    Actor::Client,
                    "drop",
                    format!(
                        "connection lost (network back at {}); the SDK tries again at once, then with backoff",
                        format_offset(back)
                    ),
                    Confidence::SdkCode,
                );
                self.lost_at = Some(t);
                cx.schedule(t.saturating_add(CONNECTION_STATE_TTL_MS), Step::Timer(Timer::Suspend));
                self.attempt(cx, t, "reconnect");
            }
            Step::ForceDisconnect if self.conn == Conn::Connected => {
                cx.emit(
                    t,
                    Actor::Server,
                    "force-disconnect",
                    "Ably closes the connection; the SDK connects again at once",
                    Confidence::Documented,
                );
                self.attempt(cx, t, "reconnect");
            }
            Step::Drop => not_connected(cx, t, false),
            Step::ForceDisconnect => not_connected(cx, t, true),
            Step::NetworkBack => {}
            Step::Timer(timer) => self.on_timer(cx, t, timer),
        }
    }

    fn presence(&self) -> Presence {
        match self.conn {
            Conn::NotJoined => Presence::NotJoined,
            Conn::Connected => Presence::Connected,
            Conn::Disconnected => Presence::Reconnecting {
                attempt: self.failures + 1,
            },
            Conn::Failed => Presence::Out,
        }
    }
}

pub struct Model;

pub static MODEL: Model = Model;

impl LifetimeModel for Model {
    fn simulate(&self, times: &TokenTimes, scenario: &Scenario) -> Vec<Event> {
        engine::run(Ably::new(times.ttl_ms(), scenario), times, scenario)
    }

    fn status_at(&self, times: &TokenTimes, t_ms: i64) -> Status {
        let exp = times.ttl_ms();
        let joining = if exp <= 0 {
            Verdict::refused(NEVER_VALID, Confidence::SdkCode)
        } else if t_ms < 0 {
            Verdict::refused(
                "refused: the token is not valid yet (iat or timestamp in the future)",
                Confidence::Documented,
            )
        } else if t_ms < exp {
            Verdict::admitted("connects: the token is valid", Confidence::Documented)
        } else {
            Verdict::admitted(
                format!("Ably refuses the token with 40142; the SDK renews from authUrl and connects (RSA4b); {WITHOUT_AUTH_URL}"),
                Confidence::SdkCode,
            )
        };
        let connected = if exp <= 0 {
            Verdict::refused(NEVER_VALID, Confidence::SdkCode)
        } else if t_ms < exp.saturating_sub(AUTH_LEAD_MS) || exp <= AUTH_LEAD_MS {
            Verdict::admitted("connected", Confidence::Documented)
        } else {
            Verdict::admitted(
                format!(
                    "stays connected: Ably asked for a new token 30 s before expiry and the SDK sent one from authUrl \
                     in-band (RTN22, RTC8a); {WITHOUT_AUTH_URL}"
                ),
                Confidence::SdkCode,
            )
        };
        Status { joining, connected }
    }

    fn summary(&self) -> &'static str {
        "Renewed in-band: Ably asks for a new token 30 s before expiry and the SDK fetches one from authUrl; \
         without a way to renew, 40142 then 40171 (FAILED)."
    }

    fn inputs(&self) -> &'static [ScenarioInput] {
        &[ScenarioInput::EndpointOutage, ScenarioInput::Renewal]
    }
}

#[cfg(test)]
mod tests {
    use crate::platform::lifetime::testing::{outline, secs, simulate, status_at, token};
    use crate::platform::lifetime::{LifetimeModel, Scenario};

    const ABLY: &dyn LifetimeModel = &super::MODEL;

    #[test]
    fn renewal_is_asked_30_s_before_expiry_and_happens_in_band() {
        let timeline = simulate(
            ABLY,
            &token(3_600),
            &Scenario {
                until: Some(secs(7_200)),
                ..Scenario::default()
            },
        );
        assert_eq!(
            outline(&timeline),
            [
                (0, "client", "join", "documented"),
                (3_570, "server", "auth-requested", "sdk-code"),
                (3_570, "sdk", "authorize", "documented"),
                (3_600, "server", "exp", "sdk-code"),
                (7_140, "server", "auth-requested", "sdk-code"),
                (7_140, "sdk", "authorize", "documented"),
            ]
        );
        assert!(timeline[3].outcome.contains("40171"), "{}", timeline[3].outcome);
        assert!(timeline[3].outcome.contains("+1:59:30"), "{}", timeline[3].outcome);
    }

    #[test]
    fn an_endpoint_down_at_renewal_gets_40142_at_expiry_then_retries_until_it_is_back() {
        let scenario = Scenario {
            endpoint_down_at: Some(secs(3_500)),
            endpoint_up_at: Some(secs(3_640)),
            until: Some(secs(3_700)),
            ..Scenario::default()
        };
        let timeline = simulate(ABLY, &token(3_600), &scenario);
        let events: Vec<&str> = timeline.iter().map(|e| e.event).collect();
        assert_eq!(
            events,
            [
                "join",
                "endpoint-down",
                "auth-requested",
                "authorize-failed",
                "exp",
                "disconnected",
                "reconnect",
                "retry-scheduled",
                "retry",
                "retry-scheduled",
                "retry",
                "retry-scheduled",
                "endpoint-up",
                "retry",
            ]
        );
        assert!(timeline[5].outcome.contains("40142"));
        assert!(timeline[6].outcome.contains("80019"));
        // 15 s, then 20 s, less up to a fifth of jitter.
        let retries: Vec<i64> = timeline.iter().filter(|e| e.event == "retry").map(|e| e.t_ms).collect();
        assert!((secs(3_612)..=secs(3_615)).contains(&retries[0]), "{retries:?}");
        assert!(timeline.last().unwrap().outcome.starts_with("connected with a new token"));
    }

    #[test]
    fn a_long_outage_suspends_the_connection() {
        let scenario = Scenario {
            endpoint_down_at: Some(secs(3_500)),
            until: Some(secs(3_900)),
            ..Scenario::default()
        };
        let timeline = simulate(ABLY, &token(3_600), &scenario);
        let suspended = timeline.iter().find(|e| e.event == "suspended").unwrap();
        assert_eq!(suspended.t_ms, secs(3_720));
    }

    #[test]
    fn a_join_after_expiry_renews_once_and_says_what_a_token_alone_gets() {
        let times = token(3_600);
        let late = Scenario {
            join_at: Some(secs(3_700)),
            ..Scenario::default()
        };
        let timeline = simulate(ABLY, &times, &late);
        let join = timeline.iter().find(|e| e.event == "join").unwrap();
        assert!(join.outcome.contains("40142") && join.outcome.contains("40171"), "{}", join.outcome);
        let status = status_at(ABLY, &times, secs(3_600));
        assert!(status.joining.in_session && status.joining.outcome.contains("40171"));
        assert!(status_at(ABLY, &times, secs(3_569)).connected.outcome == "connected");
        assert!(status_at(ABLY, &times, secs(3_570)).connected.outcome.contains("30 s before"));
        assert!(!status_at(ABLY, &times, secs(-1)).joining.in_session);
    }

    #[test]
    fn a_drop_reconnects_with_the_token_held_or_a_new_one() {
        let times = token(3_600);
        let short = Scenario {
            drop_at: Some(secs(600)),
            offline_for: secs(10),
            ..Scenario::default()
        };
        let timeline = simulate(ABLY, &times, &short);
        let back = timeline.iter().rfind(|e| e.event == "retry").unwrap();
        assert!(back.outcome.starts_with("connected again with the token it holds"), "{}", back.outcome);
        let renewed = Scenario {
            renew_at: Some(secs(100)),
            ..Scenario::default()
        };
        let timeline = simulate(ABLY, &times, &renewed);
        assert_eq!(timeline[1].event, "renew");
        assert_eq!(
            timeline.iter().find(|e| e.event == "auth-requested").unwrap().t_ms,
            secs(100 + 3_570)
        );
    }
}
