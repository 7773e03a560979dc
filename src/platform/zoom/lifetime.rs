//! Zoom Video SDK: the signature is checked at join (§1.4, §1.5).

use crate::platform::lifetime::{LifetimeModel, engine, session, Event, Scenario, Status, TokenTimes};
use crate::platform::lifetime::session::{Session, Entry, NoTimer, Rules};
use crate::platform::lifetime::format_delay;
use crate::platform::lifetime::{Confidence, Verdict};

/// `1800 s ≤ exp − iat ≤ 48 h` (§1.3).
const LIFETIME_MS: std::ops::RangeInclusive<i64> = 1_800_000..=172_800_000;

/// The Web SDK's text for code 200 (§1.3, §1.4).
const EXPIRED: &str = "error 200 (The token has expired, is over 2 days old, or is ineffective)";

pub(crate) struct Zoom {
    exp: i64,
}

impl Zoom {
    pub fn new(exp: i64) -> Self {
        Zoom { exp }
    }
}

impl Rules for Zoom {
    type Timer = NoTimer;

    fn admit(&self, t: i64, entry: Entry) -> Verdict {
        if !LIFETIME_MS.contains(&self.exp) {
            return Verdict::refused(
                format!(
                    "refused: exp − iat is {}, outside Zoom's 1800 s to 48 h window (Zoom Video SDK auth docs); the SDK reports error 200",
                    format_delay(self.exp)
                ),
                Confidence::Documented,
            );
        }
        if t < 0 {
            return Verdict::refused(
                "refused (unconfirmed): iat is still in the future; Zoom documents no clock tolerance \
                 and its samples back-date iat by 30 s to avoid this (Zoom Video SDK auth docs)",
                Confidence::Unconfirmed,
            );
        }
        if t >= self.exp {
            return match entry {
                Entry::Reconnect { .. } => Verdict::refused(
                    "refused (unconfirmed): the token has expired; a failover reconnect that re-validates \
                     it gets error 200, but whether the Video SDK re-validates is unknown (Zoom developer forum)",
                    Confidence::Unconfirmed,
                ),
                Entry::Join | Entry::Rejoin => {
                    Verdict::refused(format!("refused: {EXPIRED} (videosdk-web exception-code.d.ts)"), Confidence::SdkCode)
                }
            };
        }
        let outcome = match entry {
            Entry::Join => "joined: the token is valid (Zoom checks it at join, videosdk-web exception-code.d.ts)",
            Entry::Rejoin => "rejoined: the token is still valid",
            Entry::Reconnect { .. } => "reconnected: the token is still valid",
        };
        Verdict::admitted(outcome, Confidence::Documented)
    }

    fn while_connected(&self, t: i64) -> Verdict {
        if t >= self.exp {
            Verdict::admitted(
                "stays connected: exp is checked only at join (unconfirmed for the Video SDK; \
                 community reports for the Meeting SDK, Zoom developer forum)",
                Confidence::Unconfirmed,
            )
        } else {
            Verdict::admitted(
                "connected: the token was checked at join",
                Confidence::Documented,
            )
        }
    }
}

/// The lifetime model, on the shared engine.
pub struct Model;

pub static MODEL: Model = Model;

impl LifetimeModel for Model {
    fn simulate(&self, times: &TokenTimes, scenario: &Scenario) -> Vec<Event> {
        engine::run(Session::new(Zoom::new(times.ttl_ms())), times, scenario)
    }

    fn status_at(&self, times: &TokenTimes, t_ms: i64) -> Status {
        session::status_of(&Zoom::new(times.ttl_ms()), t_ms)
    }

    fn summary(&self) -> &'static str {
        "Checked at join: a join at or after exp is refused (error 200); a connected client \
             stays (unconfirmed for the Video SDK)."
    }
}

#[cfg(test)]
mod tests {
    use crate::platform::lifetime::testing::{outline, secs, simulate, status_at, token};
    use crate::platform::lifetime::{LifetimeModel, Scenario};

    const ZOOM: &dyn LifetimeModel = &super::MODEL;

    #[test]
    fn default_token_joins_and_stays_past_exp_unconfirmed() {
        let timeline = simulate(ZOOM, &token(7_200), &Scenario::default());
        assert_eq!(
            outline(&timeline),
            [
                (0, "client", "join", "documented"),
                (7_200, "server", "exp", "unconfirmed")
            ]
        );
        assert!(timeline[1].outcome.starts_with("stays connected"));
    }

    #[test]
    fn join_one_second_before_exp_is_admitted_and_exactly_at_exp_refused_with_code_200() {
        let times = token(7_200);
        let before = Scenario {
            join_at: Some(secs(7_199)),
            ..Scenario::default()
        };
        let timeline = simulate(ZOOM, &times, &before);
        assert_eq!(timeline[0].event, "join");
        assert!(timeline[0].outcome.starts_with("joined"));

        let at_exp = Scenario {
            join_at: Some(secs(7_200)),
            ..Scenario::default()
        };
        let timeline = simulate(ZOOM, &times, &at_exp);
        assert_eq!(
            outline(&timeline),
            [
                (7_200, "server", "exp", "sdk-code"),
                (7_200, "client", "join", "sdk-code")
            ]
        );
        assert_eq!(
            timeline[1].outcome,
            "refused: error 200 (The token has expired, is over 2 days old, or is ineffective) (videosdk-web exception-code.d.ts)"
        );
    }

    #[test]
    fn join_before_iat_is_refused_but_labelled_unconfirmed() {
        let scenario = Scenario {
            join_at: Some(secs(-5)),
            ..Scenario::default()
        };
        let timeline = simulate(ZOOM, &token(7_200), &scenario);
        assert_eq!(timeline[0].t_ms, secs(-5));
        assert!(timeline[0].outcome.starts_with("refused (unconfirmed)"));
        assert_eq!(timeline[0].confidence.as_str(), "unconfirmed");
    }

    #[test]
    fn lifetime_outside_the_documented_window_is_refused_at_join() {
        for ttl in [1_799, 172_801] {
            let verdict = status_at(ZOOM, &token(ttl), 0).joining;
            assert!(!verdict.in_session, "ttl {ttl}");
            assert!(
                verdict.outcome.contains("1800 s to 48 h"),
                "{}",
                verdict.outcome
            );
        }
        for ttl in [1_800, 172_800] {
            assert!(
                status_at(ZOOM, &token(ttl), 0).joining.in_session,
                "ttl {ttl}"
            );
        }
    }

    #[test]
    fn drop_before_exp_reconnects_and_after_exp_is_refused_unconfirmed() {
        let times = token(7_200);
        let before = Scenario {
            drop_at: Some(secs(3_600)),
            offline_for: secs(30),
            ..Scenario::default()
        };
        let timeline = simulate(ZOOM, &times, &before);
        assert_eq!(
            outline(&timeline)[1..3],
            [
                (3_600, "client", "drop", "documented"),
                (3_630, "client", "reconnect", "documented")
            ]
        );
        assert!(timeline[2].outcome.starts_with("reconnected"));

        let after = Scenario {
            drop_at: Some(secs(7_300)),
            ..Scenario::default()
        };
        let timeline = simulate(ZOOM, &times, &after);
        let reconnect = timeline.iter().find(|e| e.event == "reconnect").unwrap();
        assert_eq!(reconnect.t_ms, secs(7_300));
        assert!(reconnect.outcome.starts_with("refused (unconfirmed)"));
        assert_eq!(reconnect.confidence.as_str(), "unconfirmed");
    }

    #[test]
    fn drop_that_outlasts_exp_is_refused_when_the_network_is_back() {
        let scenario = Scenario {
            drop_at: Some(secs(7_100)),
            offline_for: secs(200),
            ..Scenario::default()
        };
        let timeline = simulate(ZOOM, &token(7_200), &scenario);
        assert_eq!(
            outline(&timeline)[1..],
            [
                (7_100, "client", "drop", "documented"),
                (7_200, "server", "exp", "unconfirmed"),
                (7_300, "client", "reconnect", "unconfirmed"),
            ]
        );
        assert!(
            timeline[2]
                .outcome
                .starts_with("the token expires while the client is offline")
        );
    }

    #[test]
    fn force_disconnect_after_exp_then_rejoin_is_refused_with_code_200() {
        let scenario = Scenario {
            force_disconnect_at: Some(secs(7_500)),
            ..Scenario::default()
        };
        let timeline = simulate(ZOOM, &token(7_200), &scenario);
        assert_eq!(
            outline(&timeline)[2..],
            [
                (7_500, "server", "force-disconnect", "documented"),
                (7_500, "client", "rejoin", "sdk-code")
            ]
        );
        assert!(timeline[3].outcome.contains("error 200"));

        let before = Scenario {
            force_disconnect_at: Some(secs(60)),
            ..Scenario::default()
        };
        let rejoin = simulate(ZOOM, &token(7_200), &before)
            .into_iter()
            .find(|e| e.event == "rejoin")
            .unwrap();
        assert!(rejoin.outcome.starts_with("rejoined"));
    }

    #[test]
    fn status_says_who_gets_in_and_who_stays() {
        let times = token(7_200);
        let early = status_at(ZOOM, &times, secs(60));
        assert!(early.joining.in_session && early.connected.in_session);
        let late = status_at(ZOOM, &times, secs(7_200));
        assert!(!late.joining.in_session);
        assert!(late.connected.in_session);
        assert_eq!(late.connected.confidence.as_str(), "unconfirmed");
    }
}
