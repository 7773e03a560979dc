//! Agora AccessToken2, the contrast case: expiry kicks a connected client, after a warning
//! 30 s before, unless the app renews the token in-band (§4).
//!
//! A renewal replaces the token with one minted at the renewal instant with the original
//! lifetime, so exp moves to `renew_at + (exp − iat)`.

use crate::platform::lifetime::engine::{Cx, Step};
use crate::platform::lifetime::format_offset;
use crate::platform::lifetime::session::{Client, Entry, Rules, Session, announce_exp};
use crate::platform::lifetime::{Actor, Confidence, Verdict};
use crate::platform::lifetime::{
    Event, LifetimeModel, Scenario, ScenarioInput, Status, TokenTimes, engine, session,
};

/// `onTokenPrivilegeWillExpire` fires this long before exp (§4).
const WARNING_MS: i64 = 30_000;

/// Connection-state reason 9 (§4).
const EXPIRED: &str = "connection state reason 9 (TokenExpired)";

pub(crate) enum Timer {
    Warn { exp: i64 },
    Kick { exp: i64 },
}

pub(crate) struct Agora {
    /// The original token's exp, which is also its lifetime.
    lifetime: i64,
    /// The exp of the token in use, moved by a renewal.
    exp: i64,
    /// The exp whose warning is already scheduled, so a reconnect does not schedule it twice.
    warning_for: Option<i64>,
}

impl Agora {
    pub fn new(exp: i64) -> Self {
        Agora {
            lifetime: exp,
            exp,
            warning_for: None,
        }
    }

    fn schedule_warning(&mut self, cx: &mut Cx<Timer>, t: i64) {
        if self.warning_for == Some(self.exp) {
            return;
        }
        self.warning_for = Some(self.exp);
        let warn_at = self.exp.saturating_sub(WARNING_MS);
        if t <= warn_at {
            cx.schedule(warn_at, Step::Timer(Timer::Warn { exp: self.exp }));
        } else {
            cx.emit(
                t,
                Actor::Sdk,
                "token-privilege-will-expire",
                "fires at once (unconfirmed): less than 30 s were left when the client got in (Agora token authentication docs)",
                Confidence::Unconfirmed,
            );
        }
    }

    fn expire(&mut self, cx: &mut Cx<Timer>, t: i64, client: Client) -> Client {
        if client == Client::Connected {
            cx.emit(
                t,
                Actor::Server,
                "kicked",
                format!("kicked: the token expired, {EXPIRED}; the app must rejoin with a new token (Agora token authentication docs)"),
                Confidence::Documented,
            );
            return Client::Out;
        }
        announce_exp(self, cx, t, client);
        client
    }
}

impl Rules for Agora {
    type Timer = Timer;
    const RENEWS: bool = true;

    fn admit(&self, t: i64, entry: Entry) -> Verdict {
        if t >= self.exp {
            let outcome = match entry {
                Entry::Reconnect { .. } => format!(
                    "refused: the token expired while the client was offline, {EXPIRED} (Agora token authentication docs)"
                ),
                Entry::Join | Entry::Rejoin => {
                    format!(
                        "refused: the token has expired, {EXPIRED} (Agora token authentication docs)"
                    )
                }
            };
            return Verdict::refused(outcome, Confidence::Documented);
        }
        if t < 0 {
            return Verdict::admitted(
                "joined (unconfirmed): the token's issue time is still in the future",
                Confidence::Unconfirmed,
            );
        }
        let outcome = match entry {
            Entry::Join => "joined: the token is valid",
            Entry::Rejoin => "rejoined: the token is still valid",
            Entry::Reconnect { .. } => "reconnected: the token is still valid",
        };
        Verdict::admitted(outcome, Confidence::Documented)
    }

    fn while_connected(&self, t: i64) -> Verdict {
        let warn_at = self.exp.saturating_sub(WARNING_MS);
        if t < warn_at {
            Verdict::admitted(
                format!(
                    "connected; onTokenPrivilegeWillExpire fires at {} (exp − 30 s)",
                    format_offset(warn_at)
                ),
                Confidence::Documented,
            )
        } else if t < self.exp {
            Verdict::admitted(
                format!(
                    "warned (onTokenPrivilegeWillExpire): kicked at {} unless the app calls renewToken (Agora token authentication docs)",
                    format_offset(self.exp)
                ),
                Confidence::Documented,
            )
        } else {
            Verdict::refused(
                format!(
                    "kicked at exp: {EXPIRED}, unless renewed in time (Agora token authentication docs)"
                ),
                Confidence::Documented,
            )
        }
    }

    fn on_connected(&mut self, cx: &mut Cx<Timer>, t: i64) {
        self.schedule_warning(cx, t);
    }

    fn on_exp(&mut self, cx: &mut Cx<Timer>, t: i64, client: Client) -> Client {
        if self.exp == self.lifetime {
            return self.expire(cx, t, client);
        }
        cx.emit(
            t,
            Actor::Server,
            "exp",
            format!(
                "the original token expires; the renewed one (exp {}) is in use",
                format_offset(self.exp)
            ),
            Confidence::Documented,
        );
        client
    }

    fn on_renew(&mut self, cx: &mut Cx<Timer>, t: i64, client: Client) {
        let (outcome, confidence) = match client {
            Client::NotJoined => (
                "no effect: the client is not in the channel yet".to_owned(),
                Confidence::Documented,
            ),
            Client::Out => (
                "too late: the client is already out; it must rejoin with the new token (Agora token authentication docs)"
                    .to_owned(),
                Confidence::Documented,
            ),
            Client::Connected | Client::Offline { .. } => {
                self.exp = t.saturating_add(self.lifetime);
                cx.schedule(self.exp.max(t), Step::Timer(Timer::Kick { exp: self.exp }));
                let outcome = format!(
                    "renewToken: accepted; exp moves to {} (a new token with the same lifetime, Agora token authentication docs)",
                    format_offset(self.exp)
                );
                if client == Client::Connected {
                    self.schedule_warning(cx, t);
                    (outcome, Confidence::Documented)
                } else {
                    (
                        format!("{outcome}; renewing while offline is unconfirmed"),
                        Confidence::Unconfirmed,
                    )
                }
            }
        };
        cx.emit(t, Actor::Client, "renew", outcome, confidence);
    }

    fn on_timer(&mut self, cx: &mut Cx<Timer>, t: i64, timer: Timer, client: Client) -> Client {
        match timer {
            // A warning or kick for a token that was renewed since is void.
            Timer::Warn { exp } if exp == self.exp && client == Client::Connected => {
                cx.emit(
                    t,
                    Actor::Sdk,
                    "token-privilege-will-expire",
                    "onTokenPrivilegeWillExpire: 30 s left; the app should call renewToken (Agora token authentication docs)",
                    Confidence::Documented,
                );
                client
            }
            Timer::Kick { exp } if exp == self.exp => self.expire(cx, t, client),
            Timer::Warn { .. } | Timer::Kick { .. } => client,
        }
    }
}

/// The lifetime model, on the shared engine.
pub struct Model;

pub static MODEL: Model = Model;

impl LifetimeModel for Model {
    fn simulate(&self, times: &TokenTimes, scenario: &Scenario) -> Vec<Event> {
        engine::run(Session::new(Agora::new(times.ttl_ms())), times, scenario)
    }

    fn status_at(&self, times: &TokenTimes, t_ms: i64) -> Status {
        session::status_of(&Agora::new(times.ttl_ms()), t_ms)
    }

    fn summary(&self) -> &'static str {
        "Checked continuously: a warning 30 s before exp, then the client is kicked at exp \
             unless the app calls renewToken."
    }
    fn inputs(&self) -> &'static [ScenarioInput] {
        &[ScenarioInput::Renewal]
    }
}

#[cfg(test)]
mod tests {
    use crate::platform::lifetime::testing::{outline, secs, simulate, status_at, token};
    use crate::platform::lifetime::{LifetimeModel, Scenario};

    const AGORA: &dyn LifetimeModel = &super::MODEL;

    #[test]
    fn without_renewal_warned_30_s_before_and_kicked_at_exp() {
        let timeline = simulate(AGORA, &token(900), &Scenario::default());
        assert_eq!(
            outline(&timeline),
            [
                (0, "client", "join", "documented"),
                (870, "sdk", "token-privilege-will-expire", "documented"),
                (900, "server", "kicked", "documented"),
            ]
        );
        assert!(timeline[2].outcome.contains("reason 9 (TokenExpired)"));
    }

    #[test]
    fn renewal_before_exp_moves_exp_to_renewal_plus_lifetime() {
        let scenario = Scenario {
            renew_at: Some(secs(880)),
            ..Scenario::default()
        };
        let timeline = simulate(AGORA, &token(900), &scenario);
        assert_eq!(
            outline(&timeline),
            [
                (0, "client", "join", "documented"),
                (870, "sdk", "token-privilege-will-expire", "documented"),
                (880, "client", "renew", "documented"),
                (900, "server", "exp", "documented"),
                (1_750, "sdk", "token-privilege-will-expire", "documented"),
                (1_780, "server", "kicked", "documented"),
            ]
        );
        assert!(timeline[2].outcome.contains("exp moves to +29:40"));
    }

    #[test]
    fn renewal_before_the_warning_cancels_the_old_warning() {
        let scenario = Scenario {
            renew_at: Some(secs(600)),
            until: Some(secs(1_000)),
            ..Scenario::default()
        };
        let events: Vec<_> = simulate(AGORA, &token(900), &scenario)
            .into_iter()
            .map(|e| e.event)
            .collect();
        assert_eq!(events, ["join", "renew", "exp"]);
    }

    #[test]
    fn renewal_at_or_after_exp_is_too_late() {
        let scenario = Scenario {
            renew_at: Some(secs(900)),
            ..Scenario::default()
        };
        let timeline = simulate(AGORA, &token(900), &scenario);
        assert_eq!(timeline[2].event, "kicked");
        assert_eq!(timeline[3].event, "renew");
        assert!(timeline[3].outcome.starts_with("too late"));
    }

    #[test]
    fn join_one_second_before_exp_gets_an_immediate_unconfirmed_warning_and_at_exp_is_refused() {
        let times = token(900);
        let late = Scenario {
            join_at: Some(secs(899)),
            ..Scenario::default()
        };
        assert_eq!(
            outline(&simulate(AGORA, &times, &late)),
            [
                (899, "client", "join", "documented"),
                (899, "sdk", "token-privilege-will-expire", "unconfirmed"),
                (900, "server", "kicked", "documented"),
            ]
        );
        let at_exp = Scenario {
            join_at: Some(secs(900)),
            ..Scenario::default()
        };
        let timeline = simulate(AGORA, &times, &at_exp);
        assert_eq!(timeline[1].event, "join");
        assert!(
            timeline[1]
                .outcome
                .starts_with("refused: the token has expired")
        );
    }

    #[test]
    fn drop_and_reconnect_before_exp_works_and_after_exp_is_refused() {
        let times = token(900);
        let short = Scenario {
            drop_at: Some(secs(100)),
            offline_for: secs(10),
            ..Scenario::default()
        };
        let timeline = simulate(AGORA, &times, &short);
        assert_eq!(timeline[2].event, "reconnect");
        assert!(timeline[2].outcome.starts_with("reconnected"));
        // The warning is scheduled once, not again on reconnect.
        assert_eq!(
            timeline
                .iter()
                .filter(|e| e.event == "token-privilege-will-expire")
                .count(),
            1
        );

        let long = Scenario {
            drop_at: Some(secs(800)),
            offline_for: secs(200),
            ..Scenario::default()
        };
        let timeline = simulate(AGORA, &times, &long);
        assert_eq!(
            outline(&timeline)[1..],
            [
                (800, "client", "drop", "documented"),
                (900, "server", "exp", "documented"),
                (1_000, "client", "reconnect", "documented"),
            ]
        );
        assert!(
            timeline[3]
                .outcome
                .starts_with("refused: the token expired while the client was offline")
        );
    }

    #[test]
    fn drop_after_the_original_exp_reconnects_with_the_renewed_token() {
        let scenario = Scenario {
            renew_at: Some(secs(880)),
            drop_at: Some(secs(1_000)),
            offline_for: secs(5),
            ..Scenario::default()
        };
        let timeline = simulate(AGORA, &token(900), &scenario);
        let reconnect = timeline.iter().find(|e| e.event == "reconnect").unwrap();
        assert_eq!(reconnect.t_ms, secs(1_005));
        assert!(reconnect.outcome.starts_with("reconnected"));
        assert_eq!(timeline.last().unwrap().event, "kicked");
        assert_eq!(timeline.last().unwrap().t_ms, secs(1_780));
    }

    #[test]
    fn status_before_during_and_after_the_warning() {
        let times = token(900);
        assert!(
            status_at(AGORA, &times, secs(100))
                .connected
                .outcome
                .contains("fires at +14:30")
        );
        assert!(
            status_at(AGORA, &times, secs(880))
                .connected
                .outcome
                .starts_with("warned")
        );
        let after = status_at(AGORA, &times, secs(900));
        assert!(!after.connected.in_session && !after.joining.in_session);
    }
}
