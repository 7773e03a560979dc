//! What expiry does on Agora, following the real token (PLATFORMS.md §9.4): the SDK warns 30 s
//! before each privilege ends (`onTokenPrivilegeWillExpire`, web `token-privilege-will-expire`);
//! when the join privilege ends, a connected client is kicked unless the app called
//! `renewToken`; the token's own `expire` only stops new joins while the join privilege lasts.
//!
//! A renewal replaces the token with one of the same shape minted at the renewal instant, so
//! every deadline moves by the renewal's offset.

use chrono::DateTime;

use crate::platform::lifetime::engine::{Cx, Step};
use crate::platform::lifetime::format_offset;
use crate::platform::lifetime::session::{Client, Entry, Rules, Session, announce_exp};
use crate::platform::lifetime::{
    Actor, Confidence, Event, LifetimeModel, PrivilegeTime, Scenario, ScenarioInput, Status,
    TokenTimes, Verdict, engine, session,
};
use crate::token::Decoded;

/// `onTokenPrivilegeWillExpire` fires this long before a privilege ends.
const WARNING_MS: i64 = 30_000;

/// Connection-state reason 9.
const EXPIRED: &str = "connection state reason 9 (TokenExpired)";

/// Where a user can read what the events say.
const DOCS: &str = "Agora token authentication docs";

/// The times of a decoded Agora token: iat is `issue_ts`, exp the token's own `expire`, and each
/// privilege with its own end (a privilege of 0 follows the token). A 006 token has no issue
/// time, so the lab cannot place it.
pub(super) fn token_times(decoded: &Decoded) -> Option<TokenTimes> {
    let Decoded::Agora007(token) = decoded else {
        return None;
    };
    let at = |seconds: u32| DateTime::from_timestamp(i64::from(token.issue_ts) + i64::from(seconds), 0);
    let mut times = TokenTimes::new(at(0)?, at(token.expire)?);
    for service in &token.services {
        let entry = service.entry_privilege().map(|(id, _)| id);
        for (id, value) in &service.privileges {
            let value = if *value == 0 { token.expire } else { *value };
            times.privileges.push(PrivilegeTime {
                name: format!("{} {}", service.name(), service.privilege_name(*id)),
                ends: at(value)?,
                admits: entry == Some(*id),
            });
        }
    }
    Some(times)
}

pub(crate) enum Timer {
    /// 30 s before `names` end.
    Warn { generation: u32, names: String },
    /// Privileges other than the join end.
    PrivilegeEnd { generation: u32, names: String },
    /// The join privilege ends.
    Kick { generation: u32 },
}

/// A token's deadlines as offsets from iat: the token's expire, the join privilege's end, and
/// the other privileges'.
#[derive(Clone)]
struct Deadlines {
    token: i64,
    join: i64,
    others: Vec<(String, i64)>,
}

impl Deadlines {
    fn of(times: &TokenTimes) -> Deadlines {
        let token = times.ttl_ms();
        let join = times
            .privileges
            .iter()
            .filter(|p| p.admits)
            .map(|p| times.offset_of(p.ends))
            .min()
            .unwrap_or(token);
        let others = times
            .privileges
            .iter()
            .filter(|p| !p.admits)
            .map(|p| (p.name.clone(), times.offset_of(p.ends)))
            .collect();
        Deadlines {
            token,
            join,
            others,
        }
    }

    fn shifted(&self, by: i64) -> Deadlines {
        Deadlines {
            token: self.token.saturating_add(by),
            join: self.join.saturating_add(by),
            others: self
                .others
                .iter()
                .map(|(name, at)| (name.clone(), at.saturating_add(by)))
                .collect(),
        }
    }

    /// When a new join is refused.
    fn refuses_at(&self) -> i64 {
        self.token.min(self.join)
    }

    /// Every distinct end, with the names of what ends then, earliest first.
    fn ends(&self) -> Vec<(i64, String, bool)> {
        let mut ends: Vec<(i64, Vec<&str>, bool)> = Vec::new();
        let all = std::iter::once(("the join privilege", self.join, true))
            .chain(self.others.iter().map(|(n, at)| (n.as_str(), *at, false)));
        for (name, at, join) in all {
            match ends.iter_mut().find(|(t, ..)| *t == at) {
                Some((_, names, is_join)) => {
                    names.push(name);
                    *is_join |= join;
                }
                None => ends.push((at, vec![name], join)),
            }
        }
        ends.sort_by_key(|(t, ..)| *t);
        ends.into_iter()
            .map(|(t, names, join)| (t, names.join(", "), join))
            .collect()
    }
}

pub(crate) struct Agora {
    original: Deadlines,
    /// The deadlines of the token in use, moved by a renewal.
    current: Deadlines,
    /// Counts renewals; a timer of an older token is void.
    generation: u32,
    /// The generation whose timers are scheduled, so a reconnect does not schedule them twice.
    scheduled: Option<u32>,
    /// The generation whose join privilege has already put the client out.
    kicked: Option<u32>,
}

impl Agora {
    fn new(times: &TokenTimes) -> Self {
        let deadlines = Deadlines::of(times);
        Agora {
            original: deadlines.clone(),
            current: deadlines,
            generation: 0,
            scheduled: None,
            kicked: None,
        }
    }

    fn schedule(&mut self, cx: &mut Cx<Timer>, t: i64) {
        if self.scheduled == Some(self.generation) {
            return;
        }
        self.scheduled = Some(self.generation);
        let generation = self.generation;
        for (end, names, join) in self.current.ends() {
            if end <= t {
                continue;
            }
            let warn_at = end.saturating_sub(WARNING_MS);
            if t <= warn_at {
                cx.schedule(
                    warn_at,
                    Step::Timer(Timer::Warn {
                        generation,
                        names: names.clone(),
                    }),
                );
            } else {
                cx.emit(
                    t,
                    Actor::Sdk,
                    "token-privilege-will-expire",
                    format!("fires at once (unconfirmed): less than 30 s of {names} were left when the client got in ({DOCS})"),
                    Confidence::Unconfirmed,
                );
            }
            let others: Vec<&str> = names
                .split(", ")
                .filter(|name| *name != "the join privilege")
                .collect();
            if !(others.is_empty() || join && end == self.current.join) {
                cx.schedule(
                    end,
                    Step::Timer(Timer::PrivilegeEnd {
                        generation,
                        names: others.join(", "),
                    }),
                );
            }
        }
        cx.schedule(
            self.current.join.max(t),
            Step::Timer(Timer::Kick { generation }),
        );
    }

    /// The join privilege ends: a connected client is kicked, once per token.
    fn kick(&mut self, cx: &mut Cx<Timer>, t: i64, client: Client) -> Client {
        if self.kicked == Some(self.generation) {
            return client;
        }
        self.kicked = Some(self.generation);
        if client == Client::Connected {
            cx.emit(
                t,
                Actor::Server,
                "kicked",
                format!("kicked: the join privilege ended, {EXPIRED}; the app must rejoin with a new token ({DOCS})"),
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
        if t >= self.current.refuses_at() {
            let why = if t >= self.current.token {
                "the token has expired"
            } else {
                "the token's join privilege has ended"
            };
            let outcome = match entry {
                Entry::Reconnect { .. } => format!(
                    "refused: {why} while the client was offline, {EXPIRED} ({DOCS})"
                ),
                Entry::Join | Entry::Rejoin => format!("refused: {why}, {EXPIRED} ({DOCS})"),
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
        let join = self.current.join;
        let warn_at = join.saturating_sub(WARNING_MS);
        if t >= join {
            Verdict::refused(
                format!("kicked when the join privilege ended: {EXPIRED}, unless renewed in time ({DOCS})"),
                Confidence::Documented,
            )
        } else if t >= warn_at {
            Verdict::admitted(
                format!(
                    "warned (onTokenPrivilegeWillExpire): kicked at {} unless the app calls renewToken ({DOCS})",
                    format_offset(join)
                ),
                Confidence::Documented,
            )
        } else if t >= self.current.token {
            Verdict::admitted(
                format!(
                    "still connected after the token's expire, with no callback: the join privilege lasts to {}; a rejoin with this token is refused ({DOCS}, Chinese edition)",
                    format_offset(join)
                ),
                Confidence::Documented,
            )
        } else {
            Verdict::admitted(
                format!(
                    "connected; onTokenPrivilegeWillExpire fires at {} (30 s before the join privilege ends)",
                    format_offset(warn_at)
                ),
                Confidence::Documented,
            )
        }
    }

    fn on_connected(&mut self, cx: &mut Cx<Timer>, t: i64) {
        self.schedule(cx, t);
    }

    fn on_exp(&mut self, cx: &mut Cx<Timer>, t: i64, client: Client) -> Client {
        let kick_now = self.generation == 0
            && self.current.join == t
            && self.scheduled == Some(0);
        if kick_now {
            return self.kick(cx, t, client);
        }
        if self.generation > 0 {
            cx.emit(
                t,
                Actor::Server,
                "exp",
                format!(
                    "the original token expires; the renewed one (expire {}) is in use",
                    format_offset(self.current.token)
                ),
                Confidence::Documented,
            );
            return client;
        }
        announce_exp(self, cx, t, client);
        client
    }

    fn on_renew(&mut self, cx: &mut Cx<Timer>, t: i64, client: Client) -> Client {
        // A renewal at the very instant the join privilege ends comes too late.
        let client = if t >= self.current.join {
            self.kick(cx, t, client)
        } else {
            client
        };
        let (outcome, confidence) = match client {
            Client::NotJoined => (
                "no effect: the client is not in the channel yet".to_owned(),
                Confidence::Documented,
            ),
            Client::Out => (
                format!("too late: the client is already out; it must rejoin with the new token ({DOCS})"),
                Confidence::Documented,
            ),
            Client::Offline { .. } if t >= self.current.join => (
                format!("too late: the join privilege ended while the client was offline; it must rejoin with the new token ({DOCS})"),
                Confidence::Documented,
            ),
            Client::Connected | Client::Offline { .. } => {
                self.generation += 1;
                self.current = self.original.shifted(t);
                let outcome = format!(
                    "renewToken: accepted; the join privilege now ends at {} (a new token of the same shape, {DOCS})",
                    format_offset(self.current.join)
                );
                if client == Client::Connected {
                    self.schedule(cx, t);
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
        client
    }

    fn on_timer(&mut self, cx: &mut Cx<Timer>, t: i64, timer: Timer, client: Client) -> Client {
        let current = self.generation;
        match timer {
            Timer::Warn { generation, names }
                if generation == current && client == Client::Connected =>
            {
                cx.emit(
                    t,
                    Actor::Sdk,
                    "token-privilege-will-expire",
                    format!("onTokenPrivilegeWillExpire: 30 s left of {names}; the app should call renewToken ({DOCS})"),
                    Confidence::Documented,
                );
                client
            }
            Timer::PrivilegeEnd { generation, names }
                if generation == current && client == Client::Connected =>
            {
                cx.emit(
                    t,
                    Actor::Sdk,
                    "token-privilege-did-expire",
                    format!("{names} ended; the client stays in the channel, and what it can no longer do is enforced only with co-host authentication (unconfirmed)"),
                    Confidence::Unconfirmed,
                );
                client
            }
            Timer::Kick { generation } if generation == current => self.kick(cx, t, client),
            Timer::Warn { .. } | Timer::PrivilegeEnd { .. } | Timer::Kick { .. } => client,
        }
    }
}

/// The lifetime model, on the shared engine.
pub struct Model;

pub static MODEL: Model = Model;

impl LifetimeModel for Model {
    fn simulate(&self, times: &TokenTimes, scenario: &Scenario) -> Vec<Event> {
        engine::run(Session::new(Agora::new(times)), times, scenario)
    }

    fn status_at(&self, times: &TokenTimes, t_ms: i64) -> Status {
        session::status_of(&Agora::new(times), t_ms)
    }

    fn summary(&self) -> &'static str {
        "Checked while connected: a warning 30 s before each privilege ends, and the client is \
         kicked when its join privilege ends unless the app calls renewToken; the token's own \
         expire only stops new joins."
    }

    fn inputs(&self) -> &'static [ScenarioInput] {
        &[ScenarioInput::Renewal]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::lifetime::testing::{outline, secs, simulate, status_at, token};

    const AGORA: &dyn LifetimeModel = &super::MODEL;

    /// A token of `ttl` s whose join privilege lasts `join` s and publish privilege `publish` s.
    fn with_privileges(ttl: i64, join: i64, publish: Option<i64>) -> TokenTimes {
        let mut times = token(ttl);
        let at = |s: i64| times.iat + chrono::TimeDelta::seconds(s);
        let mut privileges = vec![PrivilegeTime {
            name: "rtc join_channel".into(),
            ends: at(join),
            admits: true,
        }];
        if let Some(publish) = publish {
            privileges.push(PrivilegeTime {
                name: "rtc publish_audio".into(),
                ends: at(publish),
                admits: false,
            });
        }
        times.privileges = privileges;
        times
    }

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
    fn the_join_privilege_kicks_not_the_token_expire() {
        let times = with_privileges(600, 900, None);
        let timeline = simulate(AGORA, &times, &Scenario::default());
        assert_eq!(
            outline(&timeline),
            [
                (0, "client", "join", "documented"),
                (600, "server", "exp", "documented"),
                (870, "sdk", "token-privilege-will-expire", "documented"),
                (900, "server", "kicked", "documented"),
            ]
        );
        assert!(timeline[1].outcome.contains("still connected"), "{}", timeline[1].outcome);
        let status = status_at(AGORA, &times, secs(700));
        assert!(status.connected.in_session);
        assert!(!status.joining.in_session, "a new join after the token's expire is refused");
    }

    #[test]
    fn a_join_privilege_shorter_than_the_token_kicks_early_and_refuses_joins() {
        let times = with_privileges(900, 300, None);
        let timeline = simulate(AGORA, &times, &Scenario::default());
        assert_eq!(timeline[2].t_ms, secs(300));
        assert_eq!(timeline[2].event, "kicked");
        let status = status_at(AGORA, &times, secs(400));
        assert!(status.joining.outcome.contains("join privilege has ended"));
    }

    #[test]
    fn each_privilege_is_warned_and_a_publish_privilege_ends_without_a_kick() {
        let times = with_privileges(900, 900, Some(300));
        let events: Vec<(i64, &str)> = simulate(AGORA, &times, &Scenario::default())
            .iter()
            .map(|e| (e.t_ms / 1000, e.event))
            .collect();
        assert_eq!(
            events,
            [
                (0, "join"),
                (270, "token-privilege-will-expire"),
                (300, "token-privilege-did-expire"),
                (870, "token-privilege-will-expire"),
                (900, "kicked"),
            ]
        );
    }

    #[test]
    fn renewal_before_exp_moves_every_deadline() {
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
        assert!(timeline[2].outcome.contains("now ends at +29:40"));
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
                .starts_with("refused: the token has expired while the client was offline")
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

    #[test]
    fn the_times_of_a_real_token_follow_its_privileges() {
        let token = crate::token::agora::decode_007(crate::platform::agora::tests::RTC_JOIN).unwrap();
        let times = token_times(&Decoded::Agora007(token)).unwrap();
        assert_eq!(times.iat.timestamp(), 1_111_111);
        assert_eq!(times.ttl_ms(), secs(600));
        assert_eq!(times.privileges.len(), 1);
        assert!(times.privileges[0].admits);
        assert_eq!(times.privileges[0].name, "rtc join_channel");
    }
}
