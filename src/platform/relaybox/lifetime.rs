//! Relaybox: the server checks the token only at the WebSocket upgrade (§3.5); the client
//! SDK fetches, refreshes and checks it (§3.6). Modelled on relaybox-client-js
//! (`lib/relaybox.ts`, `lib/socket-manager.ts`):
//!
//! - A join fetches from the app's auth endpoint. By default it mints a token for the request
//!   with this token's lifetime (expiresIn = exp − iat), as an endpoint on the server SDK or
//!   `tokenbench serve` does; set to cached, it answers the first fetch with this very token
//!   (expiresAt = exp), so a late join gets an old token. Later fetches always get a fresh
//!   token with the same lifetime. While the client's network is down the endpoint is out of
//!   reach too.
//! - Every token response arms a refresh timer at expiresIn − 20 s (the SDK clears no
//!   earlier timer, and neither does the model). A failed fetch retries after 10 s plus
//!   0–2 s of jitter. A refresh only replaces the stored token: the live socket keeps the
//!   session it opened with, exp included.
//! - On close the SDK counts reconnects n = 1, 2, … and waits min(10 s, 500 ms·2ⁿ) plus
//!   jitter in [0, base). The count is raised before the delay is computed, so the first
//!   wait is 1–2 s; at the 10th count it gives up (`reconnect_failed`), after 9 attempts.
//! - Before each attempt a local check compares the stored expiry with now. An expired
//!   token emits `auth_token_expired` and the SDK calls `connect(true)`, which fetches a
//!   token and connects (`reauthenticating`). If that fetch fails, `connect(true)` rejects
//!   and nothing retries: the client stays disconnected, while the refresh timer goes on
//!   storing tokens that nothing uses.

use crate::platform::lifetime::engine::{self, Cx, Lifecycle, Step};
use crate::platform::lifetime::session::not_connected;
use crate::platform::lifetime::{
    Actor, Confidence, EndpointTokens, Event, LifetimeModel, Presence, Scenario, ScenarioInput,
    Status, TokenTimes, Verdict, format_delay, format_offset,
};

const REFRESH_BUFFER_MS: i64 = 20_000; // AUTH_TOKEN_REFRESH_BUFFER_SECONDS
const RETRY_MS: i64 = 10_000; // AUTH_TOKEN_REFRESH_RETRY_MS
const RETRY_JITTER_MS: u64 = 2_000; // AUTH_TOKEN_REFRESH_JITTER_RANGE_MS
const MAX_RECONNECT_ATTEMPTS: u32 = 10;
const INITIAL_RECONNECT_DELAY_MS: i64 = 500;
const MAX_RECONNECT_DELAY_MS: i64 = 10_000;

/// Failed refreshes in a row listed one by one; the rest are counted in the next success.
const LISTED_FAILURES: u32 = 3;
/// Passes shown of a loop that never waits (expiresIn ≤ 20 s refreshes, or fetched tokens
/// that arrive expired) before the simulation cuts it short.
const LOOP_PASSES: u32 = 3;

const NO_KICK: &str = "no code in relaybox/core closes a live socket at exp (relaybox/core websocket.service.ts)";

pub(crate) enum Timer {
    Refresh { retry: u32 },
    Reconnect { attempt: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    NotJoined,
    Connected,
    Reconnecting,
    /// Join failed, reauthentication failed or reconnects ran out: nothing brings it back.
    Out,
}

pub(crate) struct Relaybox {
    /// expiresIn, in ms.
    lifetime: i64,
    /// What the endpoint answers the join's fetch with.
    endpoint_tokens: EndpointTokens,
    conn: Conn,
    /// The reconnect attempt armed last (what a reconnecting client waits for).
    next_attempt: u32,
    /// The expiry of the token the live socket opened with.
    socket_exp: i64,
    /// Expiry of the stored token as the SDK computes it locally.
    stored_exp: i64,
    endpoint_up: bool,
    /// After a drop, the client's network is down until then.
    offline_until: Option<i64>,
    failed_refreshes: u32,
    instant_refreshes: u32,
    expired_arrivals: u32,
}

/// `base = min(10 s, 500 ms · 2ⁿ)` for reconnect count `n` (§3.6).
fn reconnect_base_ms(count: u32) -> i64 {
    2_i64
        .saturating_pow(count)
        .saturating_mul(INITIAL_RECONNECT_DELAY_MS)
        .min(MAX_RECONNECT_DELAY_MS)
}

impl Relaybox {
    pub fn new(exp: i64, scenario: &Scenario) -> Self {
        Relaybox {
            lifetime: exp,
            endpoint_tokens: scenario.endpoint_tokens,
            conn: Conn::NotJoined,
            next_attempt: 0,
            socket_exp: exp,
            stored_exp: exp,
            // Only a comeback given: the endpoint was down from the start.
            endpoint_up: scenario.endpoint_up_at.is_none() || scenario.endpoint_down_at.is_some(),
            offline_until: None,
            failed_refreshes: 0,
            instant_refreshes: 0,
            expired_arrivals: 0,
        }
    }

    fn network_up(&self, t: i64) -> bool {
        self.offline_until.is_none_or(|until| t >= until)
    }

    fn reachable(&self, t: i64) -> bool {
        self.endpoint_up && self.network_up(t)
    }

    /// Store a token response and arm its refresh timer.
    fn store(&mut self, cx: &mut Cx<Timer>, t: i64, stored_exp: i64) {
        self.stored_exp = stored_exp;
        let delay = self.lifetime.saturating_sub(REFRESH_BUFFER_MS).max(0);
        if delay == 0 {
            self.instant_refreshes += 1;
            if self.instant_refreshes > LOOP_PASSES {
                if self.instant_refreshes == LOOP_PASSES + 1 {
                    cx.emit(
                        t,
                        Actor::Sdk,
                        "refresh-loop",
                        "expiresIn ≤ 20 s: the refresh timer fires at once after every response, a loop \
                         limited only by the endpoint's response time (seen in relaybox-client-js socket-manager.ts); not \
                         simulated further",
                        Confidence::SdkCode,
                    );
                }
                return;
            }
        }
        cx.schedule(
            t.saturating_add(delay),
            Step::Timer(Timer::Refresh { retry: 0 }),
        );
    }

    /// Arm reconnect attempt `count`; returns its delay.
    fn arm_reconnect(&mut self, cx: &mut Cx<Timer>, t: i64, count: u32) -> i64 {
        let base = reconnect_base_ms(count);
        let delay = base + cx.rng.below(base.unsigned_abs()) as i64;
        self.next_attempt = count;
        cx.schedule(
            t.saturating_add(delay),
            Step::Timer(Timer::Reconnect { attempt: count }),
        );
        delay
    }

    fn join(&mut self, cx: &mut Cx<Timer>, t: i64) {
        if !self.reachable(t) {
            cx.emit(
                t,
                Actor::Client,
                "join",
                "failed: the auth endpoint did not answer; connect() rejects and the SDK does not retry (relaybox-client-js socket-manager.ts)",
                Confidence::SdkCode,
            );
            self.conn = Conn::Out;
            return;
        }
        let (stored_exp, answer) = match self.endpoint_tokens {
            EndpointTokens::Fresh => (t.saturating_add(self.lifetime), "minted a token for the request"),
            EndpointTokens::Cached => (cx.exp, "answered with its cached token"),
        };
        self.store(cx, t, stored_exp);
        if t < self.stored_exp {
            cx.emit(
                t,
                Actor::Client,
                "join",
                format!(
                    "connected: the auth endpoint {answer} (expiresIn {}, valid until {}) and the auth service \
                     validated it at the WebSocket upgrade (relaybox/core websocket.service.ts)",
                    format_delay(self.lifetime),
                    format_offset(self.stored_exp)
                ),
                Confidence::SdkCode,
            );
            self.connected();
        } else {
            cx.emit(
                t,
                Actor::Sdk,
                "auth-token-expired",
                format!(
                    "the token from the endpoint expired at {}: the local check before connecting emits \
                     auth_token_expired (relaybox-client-js socket-manager.ts)",
                    format_offset(self.stored_exp)
                ),
                Confidence::SdkCode,
            );
            self.reauthenticate(cx, t);
        }
    }

    /// A socket opened with the stored token.
    fn connected(&mut self) {
        self.conn = Conn::Connected;
        self.socket_exp = self.stored_exp;
    }

    /// `auth_token_expired` → `connect(true)`: fetch a token and connect with it.
    fn reauthenticate(&mut self, cx: &mut Cx<Timer>, t: i64) {
        loop {
            if !self.reachable(t) {
                cx.emit(
                    t,
                    Actor::Sdk,
                    "reauthenticating",
                    "failed: the auth endpoint did not answer; connect(true) rejects and nothing retries, so \
                     the client stays disconnected (relaybox-client-js socket-manager.ts)",
                    Confidence::SdkCode,
                );
                self.conn = Conn::Out;
                return;
            }
            self.store(cx, t, t.saturating_add(self.lifetime));
            if t < self.stored_exp {
                cx.emit(
                    t,
                    Actor::Sdk,
                    "reauthenticating",
                    format!(
                        "fetched a new token (valid until {}) and connected (relaybox-client-js socket-manager.ts)",
                        format_offset(self.stored_exp)
                    ),
                    Confidence::SdkCode,
                );
                self.connected();
                return;
            }
            self.expired_arrivals += 1;
            if self.expired_arrivals >= LOOP_PASSES {
                cx.emit(
                    t,
                    Actor::Sdk,
                    "reauth-loop",
                    "every fetched token has already expired (expiresIn ≤ 0): auth_token_expired and a refetch \
                     repeat without end; not simulated further",
                    Confidence::SdkCode,
                );
                self.conn = Conn::Out;
                return;
            }
            cx.emit(
                t,
                Actor::Sdk,
                "auth-token-expired",
                "the fetched token has already expired (expiresIn ≤ 0): auth_token_expired again",
                Confidence::SdkCode,
            );
        }
    }

    fn refresh(&mut self, cx: &mut Cx<Timer>, t: i64, retry: u32) {
        let what = match retry {
            0 => "the refresh timer (expiresIn − 20 s)".to_owned(),
            n => format!("retry {n}"),
        };
        if self.reachable(t) {
            let unlisted = self.failed_refreshes.saturating_sub(LISTED_FAILURES);
            self.failed_refreshes = 0;
            let stored_exp = t.saturating_add(self.lifetime);
            let used = match self.conn {
                Conn::Connected => {
                    "the live socket keeps its session and exp; the new token serves the next reconnect"
                }
                Conn::Reconnecting => "the next reconnect attempt uses it",
                Conn::NotJoined | Conn::Out => "nothing connects with it on its own",
            };
            let unlisted = match unlisted {
                0 => String::new(),
                n => format!("; {n} failed retries not listed"),
            };
            cx.emit(
                t,
                Actor::Sdk,
                "refresh",
                format!(
                    "{what}: new token stored (valid until {}); {used} (relaybox-client-js socket-manager.ts){unlisted}",
                    format_offset(stored_exp)
                ),
                Confidence::SdkCode,
            );
            self.store(cx, t, stored_exp);
        } else {
            let delay = RETRY_MS + cx.rng.below(RETRY_JITTER_MS) as i64;
            cx.schedule(
                t.saturating_add(delay),
                Step::Timer(Timer::Refresh {
                    retry: retry.saturating_add(1),
                }),
            );
            self.failed_refreshes += 1;
            if self.failed_refreshes <= LISTED_FAILURES {
                let rest = if self.failed_refreshes == LISTED_FAILURES {
                    "; further failed retries are not listed"
                } else {
                    ""
                };
                cx.emit(
                    t,
                    Actor::Sdk,
                    "refresh-failed",
                    format!(
                        "{what}: could not reach the auth endpoint; retry in {} (10 s + 0–2 s jitter, relaybox-client-js socket-manager.ts){rest}",
                        format_delay(delay)
                    ),
                    Confidence::SdkCode,
                );
            }
        }
    }

    /// The socket closed (a drop or the server); the SDK starts reconnecting.
    fn closed(
        &mut self,
        cx: &mut Cx<Timer>,
        t: i64,
        actor: Actor,
        event: &'static str,
        cause: String,
    ) {
        let delay = self.arm_reconnect(cx, t, 1);
        cx.emit(
            t,
            actor,
            event,
            format!(
                "{cause}; the SDK reconnects with its stored token: attempt 1 in {} (relaybox-client-js socket-manager.ts)",
                format_delay(delay)
            ),
            Confidence::SdkCode,
        );
        self.conn = Conn::Reconnecting;
    }

    fn reconnect(&mut self, cx: &mut Cx<Timer>, t: i64, attempt: u32) {
        if self.stored_exp <= t {
            cx.emit(
                t,
                Actor::Sdk,
                "auth-token-expired",
                format!(
                    "attempt {attempt}: the stored token expired at {}; the local check emits auth_token_expired \
                     and the SDK fetches a new one (relaybox-client-js socket-manager.ts)",
                    format_offset(self.stored_exp)
                ),
                Confidence::SdkCode,
            );
            self.reauthenticate(cx, t);
        } else if self.network_up(t) {
            cx.emit(
                t,
                Actor::Client,
                "reconnect",
                format!(
                    "attempt {attempt}: reconnected with the stored token (valid until {}, relaybox-client-js socket-manager.ts)",
                    format_offset(self.stored_exp)
                ),
                Confidence::SdkCode,
            );
            self.connected();
        } else if attempt + 1 < MAX_RECONNECT_ATTEMPTS {
            let delay = self.arm_reconnect(cx, t, attempt + 1);
            cx.emit(
                t,
                Actor::Client,
                "reconnect",
                format!(
                    "attempt {attempt} failed: network down; attempt {} in {} (relaybox-client-js socket-manager.ts)",
                    attempt + 1,
                    format_delay(delay)
                ),
                Confidence::SdkCode,
            );
        } else {
            cx.emit(
                t,
                Actor::Client,
                "reconnect",
                format!("attempt {attempt} failed: network down"),
                Confidence::SdkCode,
            );
            cx.emit(
                t,
                Actor::Sdk,
                "reconnect-failed",
                "reconnect_failed: the reconnect count reached MAX_RECONNECT_ATTEMPTS (10), so the SDK stops trying (relaybox-client-js socket-manager.ts)",
                Confidence::SdkCode,
            );
            self.conn = Conn::Out;
        }
    }

    fn exp(&self, cx: &mut Cx<Timer>, t: i64) {
        let (outcome, confidence) = match self.conn {
            Conn::Connected if self.socket_exp > t => (
                format!(
                    "the token played expires; the client's socket opened with one the endpoint minted later \
                     (valid until {}), so nothing changes",
                    format_offset(self.socket_exp)
                ),
                Confidence::SdkCode,
            ),
            Conn::Connected => (format!("the token expires; the connected client stays: {NO_KICK}"), Confidence::Unconfirmed),
            Conn::Reconnecting if self.stored_exp > t => (
                format!(
                    "the token expires while the client is reconnecting; the stored token was refreshed (valid \
                     until {}), so the attempts go on (relaybox-client-js socket-manager.ts)",
                    format_offset(self.stored_exp)
                ),
                Confidence::SdkCode,
            ),
            Conn::Reconnecting => (
                "the token expires while the client is reconnecting; the next attempt's local check will emit \
                 auth_token_expired (relaybox-client-js socket-manager.ts)"
                    .to_owned(),
                Confidence::SdkCode,
            ),
            Conn::NotJoined | Conn::Out => {
                let verdict = joining(self.lifetime, t);
                (format!("the token expires; a join now: {}", verdict.outcome), verdict.confidence)
            }
        };
        cx.emit(t, Actor::Server, "exp", outcome, confidence);
    }
}

impl Lifecycle for Relaybox {
    type Timer = Timer;
    const FETCHES: bool = true;

    fn handle(&mut self, cx: &mut Cx<Timer>, t: i64, step: Step<Timer>) {
        match step {
            Step::EndpointDown => {
                self.endpoint_up = false;
                cx.emit(
                    t,
                    Actor::AuthEndpoint,
                    "endpoint-down",
                    "the auth endpoint stops answering",
                    Confidence::Documented,
                );
            }
            Step::EndpointUp => {
                self.endpoint_up = true;
                cx.emit(
                    t,
                    Actor::AuthEndpoint,
                    "endpoint-up",
                    "the auth endpoint answers again",
                    Confidence::Documented,
                );
            }
            Step::Exp => self.exp(cx, t),
            Step::Join => self.join(cx, t),
            Step::Drop if self.conn == Conn::Connected => {
                let back = t.saturating_add(cx.offline_for);
                self.offline_until = Some(back);
                let cause = if back > t {
                    format!(
                        "connection lost (network down until {})",
                        format_offset(back)
                    )
                } else {
                    "connection lost".to_owned()
                };
                self.closed(cx, t, Actor::Client, "drop", cause);
            }
            Step::ForceDisconnect if self.conn == Conn::Connected => {
                self.closed(
                    cx,
                    t,
                    Actor::Server,
                    "force-disconnect",
                    "the server closed the socket".to_owned(),
                );
            }
            Step::Drop => not_connected(cx, t, false),
            Step::ForceDisconnect => not_connected(cx, t, true),
            Step::Timer(Timer::Refresh { retry }) => self.refresh(cx, t, retry),
            Step::Timer(Timer::Reconnect { attempt }) => self.reconnect(cx, t, attempt),
            // Renewal is Agora's; network comebacks are read from `offline_until`.
            Step::Renew | Step::NetworkBack => {}
        }
    }

    fn presence(&self) -> Presence {
        match self.conn {
            Conn::NotJoined => Presence::NotJoined,
            Conn::Connected => Presence::Connected,
            Conn::Reconnecting => Presence::Reconnecting {
                attempt: self.next_attempt,
            },
            Conn::Out => Presence::Out,
        }
    }
}

/// A client joining at `t` (the endpoint answering).
pub(crate) fn joining(lifetime: i64, t: i64) -> Verdict {
    if t < lifetime {
        Verdict::admitted(
            "connects: the token is valid (checked at the WebSocket upgrade, relaybox/core websocket.service.ts)",
            Confidence::SdkCode,
        )
    } else if lifetime > 0 {
        Verdict::admitted(
            "the local check emits auth_token_expired; the SDK fetches a new token and connects \
             (reauthenticating, relaybox-client-js socket-manager.ts)",
            Confidence::SdkCode,
        )
    } else {
        Verdict::refused(
            "every fetched token has already expired (expiresIn ≤ 0): auth_token_expired repeats without end",
            Confidence::SdkCode,
        )
    }
}

/// A client connected since iat without a drop.
pub(crate) fn while_connected(lifetime: i64, t: i64) -> Verdict {
    let refresh_at = lifetime.saturating_sub(REFRESH_BUFFER_MS);
    if lifetime <= 0 {
        joining(lifetime, 0)
    } else if t >= lifetime {
        Verdict::admitted(
            format!("stays connected past exp: {NO_KICK}"),
            Confidence::Unconfirmed,
        )
    } else if refresh_at <= 0 {
        Verdict::admitted(
            "connected; expiresIn ≤ 20 s, so the SDK refreshes in a tight loop (relaybox-client-js socket-manager.ts)",
            Confidence::SdkCode,
        )
    } else if t >= refresh_at {
        Verdict::admitted(
            format!(
                "connected; the token was refreshed at {}: the new one serves the next reconnect, the live \
                 socket keeps its exp (relaybox-client-js socket-manager.ts)",
                format_offset(refresh_at)
            ),
            Confidence::SdkCode,
        )
    } else {
        Verdict::admitted(
            format!(
                "connected; the SDK refreshes the token at {} (expiresIn − 20 s, relaybox-client-js socket-manager.ts)",
                format_offset(refresh_at)
            ),
            Confidence::SdkCode,
        )
    }
}

/// The lifetime model, on the shared engine.
pub struct Model;

pub static MODEL: Model = Model;

impl LifetimeModel for Model {
    fn simulate(&self, times: &TokenTimes, scenario: &Scenario) -> Vec<Event> {
        engine::run(Relaybox::new(times.ttl_ms(), scenario), times, scenario)
    }

    fn status_at(&self, times: &TokenTimes, t_ms: i64) -> Status {
        Status {
            joining: joining(times.ttl_ms(), t_ms),
            connected: while_connected(times.ttl_ms(), t_ms),
        }
    }

    fn summary(&self) -> &'static str {
        "Checked at the WebSocket upgrade; the SDK refreshes at expiresIn − 20 s and uses the \
         new token on the next reconnect; a connected client stays past exp (unconfirmed)."
    }

    fn inputs(&self) -> &'static [ScenarioInput] {
        &[ScenarioInput::EndpointOutage, ScenarioInput::EndpointTokens]
    }
}

#[cfg(test)]
mod tests {
    use super::reconnect_base_ms;
    use crate::platform::lifetime::testing::{outline, secs, simulate, status_at, token};
    use crate::platform::lifetime::{EndpointTokens, Event, LifetimeModel, Scenario};

    const RELAYBOX: &dyn LifetimeModel = &super::MODEL;

    fn find<'a>(timeline: &'a [Event], event: &str) -> Vec<&'a Event> {
        timeline.iter().filter(|e| e.event == event).collect()
    }

    #[test]
    fn default_token_refreshes_at_expires_in_minus_20_s_and_stays_past_exp() {
        let timeline = simulate(RELAYBOX, &token(900), &Scenario::default());
        assert_eq!(
            outline(&timeline),
            [
                (0, "client", "join", "sdk-code"),
                (880, "sdk", "refresh", "sdk-code"),
                (900, "server", "exp", "unconfirmed"),
            ]
        );
        assert!(timeline[1].outcome.contains("valid until +29:40"));
        assert!(
            timeline[1]
                .outcome
                .contains("the live socket keeps its session and exp")
        );
    }

    #[test]
    fn join_one_second_before_exp_connects_and_exactly_at_exp_trips_the_local_check() {
        let times = token(900);
        let before = Scenario {
            join_at: Some(secs(899)),
            ..Scenario::default()
        };
        assert!(
            simulate(RELAYBOX, &times, &before)[0]
                .outcome
                .starts_with("connected")
        );

        let at_exp = Scenario {
            join_at: Some(secs(900)),
            endpoint_tokens: EndpointTokens::Cached,
            ..Scenario::default()
        };
        let timeline = simulate(RELAYBOX, &times, &at_exp);
        assert_eq!(
            outline(&timeline),
            [
                (900, "server", "exp", "sdk-code"),
                (900, "sdk", "auth-token-expired", "sdk-code"),
                (900, "sdk", "reauthenticating", "sdk-code"),
            ]
        );
        assert_eq!(
            timeline[2].outcome,
            "fetched a new token (valid until +30:00) and connected (relaybox-client-js socket-manager.ts)"
        );

        // An endpoint minting per request (the default) hands the late joiner a fresh token.
        let fresh = Scenario {
            endpoint_tokens: EndpointTokens::Fresh,
            ..at_exp
        };
        let timeline = simulate(RELAYBOX, &times, &fresh);
        assert_eq!(
            outline(&timeline)[..2],
            [
                (900, "server", "exp", "sdk-code"),
                (900, "client", "join", "sdk-code"),
            ]
        );
        assert!(
            timeline[1]
                .outcome
                .starts_with("connected: the auth endpoint minted a token for the request (expiresIn 900 s, valid until +30:00)"),
            "{}",
            timeline[1].outcome
        );
    }

    #[test]
    fn a_late_fresh_join_outlives_the_played_tokens_exp() {
        let scenario = Scenario {
            join_at: Some(secs(600)),
            ..Scenario::default()
        };
        let timeline = simulate(RELAYBOX, &token(900), &scenario);
        let exp = find(&timeline, "exp")[0];
        assert!(exp.outcome.contains("valid until +25:00"), "{}", exp.outcome);
        let until = Scenario {
            until: Some(secs(1_500)),
            ..scenario
        };
        let refresh = find(&simulate(RELAYBOX, &token(900), &until), "refresh")[0].t_ms;
        assert_eq!(refresh, secs(1_480), "expiresIn − 20 s after the join");
    }

    #[test]
    fn expires_in_of_20_s_or_less_is_a_bounded_refresh_loop() {
        for ttl in [20, 5, 1] {
            let timeline = simulate(RELAYBOX, &token(ttl), &Scenario::default());
            let events: Vec<_> = timeline.iter().map(|e| (e.t_ms, e.event)).collect();
            assert_eq!(
                events,
                [
                    (0, "join"),
                    (0, "refresh"),
                    (0, "refresh"),
                    (0, "refresh"),
                    (0, "refresh-loop"),
                    (secs(ttl), "exp"),
                ],
                "ttl {ttl}"
            );
        }
        assert_eq!(
            simulate(RELAYBOX, &token(21), &Scenario::default())[1].t_ms,
            secs(1)
        );
    }

    #[test]
    fn a_token_that_is_born_expired_loops_boundedly_and_never_connects() {
        for ttl in [0, -60] {
            let timeline = simulate(RELAYBOX, &token(ttl), &Scenario::default());
            assert!(timeline.len() < 20, "ttl {ttl}: {timeline:#?}");
            assert_eq!(find(&timeline, "reauth-loop").len(), 1, "ttl {ttl}");
            assert!(find(&timeline, "join").is_empty());
            assert!(!status_at(RELAYBOX, &token(ttl), 0).joining.in_session);
        }
    }

    #[test]
    fn a_refresh_that_fails_retries_every_10_to_12_s_and_recovers() {
        let scenario = |seed| Scenario {
            endpoint_down_at: Some(secs(850)),
            endpoint_up_at: Some(secs(900)),
            seed,
            ..Scenario::default()
        };
        let mut recoveries = Vec::new();
        for seed in 0..50 {
            let timeline = simulate(RELAYBOX, &token(900), &scenario(seed));
            let attempts: Vec<&Event> = timeline
                .iter()
                .filter(|e| e.event.starts_with("refresh"))
                .collect();
            let outcomes: Vec<_> = attempts
                .iter()
                .map(|e| (e.event, &e.outcome[..7]))
                .collect();
            assert_eq!(
                outcomes,
                [
                    ("refresh-failed", "the ref"),
                    ("refresh-failed", "retry 1"),
                    ("refresh", "retry 2")
                ],
                "seed {seed}"
            );
            assert_eq!(attempts[0].t_ms, secs(880));
            for pair in attempts.windows(2) {
                let gap = pair[1].t_ms - pair[0].t_ms;
                assert!((10_000..12_000).contains(&gap), "seed {seed}: gap {gap}");
            }
            recoveries.push(attempts[2].t_ms);
        }
        // The jitter really varies with the seed, and is the same for the same seed.
        recoveries.dedup();
        assert!(recoveries.len() > 40);
        assert_eq!(
            simulate(RELAYBOX, &token(900), &scenario(7)),
            simulate(RELAYBOX, &token(900), &scenario(7))
        );
    }

    #[test]
    fn a_long_outage_lists_three_failures_then_counts_the_rest() {
        let down = Scenario {
            endpoint_down_at: Some(secs(850)),
            endpoint_up_at: Some(secs(3_600)),
            ..Scenario::default()
        };
        let timeline = simulate(RELAYBOX, &token(900), &down);
        let failures = find(&timeline, "refresh-failed");
        assert_eq!(failures.len(), 3);
        assert!(
            failures[2]
                .outcome
                .ends_with("further failed retries are not listed")
        );
        let refresh = find(&timeline, "refresh");
        assert_eq!(refresh.len(), 1);
        // About 250 retries fit in the 45 min outage; all but the three listed are counted.
        let unlisted: u32 = refresh[0]
            .outcome
            .rsplit("; ")
            .next()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((220..=275).contains(&unlisted), "{}", refresh[0].outcome);
    }

    #[test]
    fn drop_before_exp_reconnects_after_1_to_2_s_with_the_stored_token() {
        let scenario = Scenario {
            drop_at: Some(secs(300)),
            seed: 5,
            ..Scenario::default()
        };
        let timeline = simulate(RELAYBOX, &token(900), &scenario);
        let reconnect = find(&timeline, "reconnect")[0];
        assert!(
            (secs(301)..secs(302)).contains(&reconnect.t_ms),
            "{}",
            reconnect.t_ms
        );
        assert_eq!(
            reconnect.outcome,
            "attempt 1: reconnected with the stored token (valid until +15:00, relaybox-client-js socket-manager.ts)"
        );
    }

    #[test]
    fn drop_after_exp_reconnects_with_the_refreshed_token() {
        let scenario = Scenario {
            drop_at: Some(secs(950)),
            ..Scenario::default()
        };
        let timeline = simulate(RELAYBOX, &token(900), &scenario);
        assert!(find(&timeline, "auth-token-expired").is_empty());
        assert!(
            find(&timeline, "reconnect")[0]
                .outcome
                .contains("valid until +29:40")
        );
    }

    #[test]
    fn drop_after_exp_without_a_refresh_reauthenticates_and_fails_while_the_endpoint_is_down() {
        let times = token(900);
        let down = Scenario {
            endpoint_down_at: Some(secs(850)),
            endpoint_up_at: Some(secs(1_000)),
            drop_at: Some(secs(950)),
            ..Scenario::default()
        };
        let timeline = simulate(RELAYBOX, &times, &down);
        let expired = find(&timeline, "auth-token-expired");
        assert_eq!(expired.len(), 1);
        assert!(expired[0].outcome.contains("expired at +15:00"));
        let reauth = find(&timeline, "reauthenticating");
        assert!(reauth[0].outcome.starts_with("failed"));
        assert_eq!(reauth[0].t_ms, expired[0].t_ms);
        // The endpoint comes back and the refresh recovers, but nothing reconnects.
        let refresh = find(&timeline, "refresh");
        assert!(refresh[0].t_ms > secs(1_000));
        assert!(
            refresh[0]
                .outcome
                .contains("nothing connects with it on its own")
        );
        assert!(find(&timeline, "reconnect").is_empty());

        let back_in_time = Scenario {
            endpoint_up_at: Some(secs(950)),
            ..down
        };
        let reauth = simulate(RELAYBOX, &times, &back_in_time);
        assert!(
            find(&reauth, "reauthenticating")[0]
                .outcome
                .starts_with("fetched a new token")
        );
    }

    #[test]
    fn backoff_bases_follow_the_sdk_which_counts_before_computing() {
        // min(10 s, 500 ms · 2ⁿ) with n raised to 1 before the first wait.
        assert_eq!(
            (0..=10).map(reconnect_base_ms).collect::<Vec<_>>(),
            [
                500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000
            ]
        );
        assert_eq!(reconnect_base_ms(u32::MAX), 10_000);
    }

    #[test]
    fn a_long_network_outage_exhausts_nine_attempts_then_reconnect_failed() {
        for seed in 0..20 {
            let scenario = Scenario {
                drop_at: Some(secs(100)),
                offline_for: secs(600),
                seed,
                ..Scenario::default()
            };
            let timeline = simulate(RELAYBOX, &token(900), &scenario);
            let tries: Vec<i64> = std::iter::once(secs(100))
                .chain(find(&timeline, "reconnect").iter().map(|e| e.t_ms))
                .collect();
            assert_eq!(tries.len(), 10, "seed {seed}");
            for (n, pair) in tries.windows(2).enumerate() {
                let base = reconnect_base_ms(n as u32 + 1);
                let gap = pair[1] - pair[0];
                assert!(
                    (base..2 * base).contains(&gap),
                    "seed {seed}, attempt {}: {gap}",
                    n + 1
                );
            }
            let failed = find(&timeline, "reconnect-failed");
            assert_eq!(failed.len(), 1);
            assert_eq!(failed[0].t_ms, tries[9]);
            assert!(
                find(&timeline, "reconnect")[8]
                    .outcome
                    .ends_with("attempt 9 failed: network down")
            );
        }
    }

    #[test]
    fn an_outage_across_the_refresh_time_fails_the_refresh_until_the_network_is_back() {
        for seed in 0..10 {
            let scenario = Scenario {
                drop_at: Some(secs(870)),
                offline_for: secs(30),
                seed,
                ..Scenario::default()
            };
            let timeline = simulate(RELAYBOX, &token(900), &scenario);
            let failed = find(&timeline, "refresh-failed");
            assert_eq!(failed[0].t_ms, secs(880));
            assert!(
                failed[0]
                    .outcome
                    .contains("could not reach the auth endpoint")
            );
            assert!(find(&timeline, "refresh")[0].t_ms >= secs(900));
            // Back online, the client gets in with a refreshed or a refetched token.
            let back = timeline.iter().find(|e| {
                e.outcome.contains("reconnected with the stored token")
                    || e.outcome.contains("and connected")
            });
            assert!(
                back.is_some_and(|e| e.t_ms >= secs(900)),
                "seed {seed}: {timeline:#?}"
            );
        }
    }

    #[test]
    fn force_disconnect_reconnects_with_the_stored_token() {
        let scenario = Scenario {
            force_disconnect_at: Some(secs(950)),
            ..Scenario::default()
        };
        let timeline = simulate(RELAYBOX, &token(900), &scenario);
        let kick = find(&timeline, "force-disconnect")[0];
        assert_eq!(kick.actor.as_str(), "server");
        assert!(
            kick.outcome
                .starts_with("the server closed the socket; the SDK reconnects")
        );
        assert!(
            find(&timeline, "reconnect")[0]
                .outcome
                .contains("reconnected with the stored token")
        );
    }

    #[test]
    fn an_endpoint_down_from_the_start_fails_the_join() {
        let scenario = Scenario {
            endpoint_up_at: Some(secs(30)),
            ..Scenario::default()
        };
        let timeline = simulate(RELAYBOX, &token(900), &scenario);
        assert_eq!(timeline[0].event, "join");
        assert!(
            timeline[0]
                .outcome
                .starts_with("failed: the auth endpoint did not answer")
        );
        assert!(find(&timeline, "refresh").is_empty());
    }

    #[test]
    fn status_follows_the_refresh_and_exp() {
        let times = token(900);
        assert!(
            status_at(RELAYBOX, &times, secs(100))
                .connected
                .outcome
                .contains("refreshes the token at +14:40")
        );
        assert!(
            status_at(RELAYBOX, &times, secs(880))
                .connected
                .outcome
                .contains("was refreshed at +14:40")
        );
        let after = status_at(RELAYBOX, &times, secs(900));
        assert!(after.connected.in_session);
        assert_eq!(after.connected.confidence.as_str(), "unconfirmed");
        assert!(after.joining.outcome.contains("auth_token_expired"));
    }
}
