//! Vonage Video and OpenTok (the same service and client SDKs): the token is checked at
//! `session.connect` (§2.8).

use crate::platform::lifetime::{LifetimeModel, engine, session, Event, Scenario, Status, TokenTimes};
use crate::platform::lifetime::session::{Session, Entry, NoTimer, Rules};
use crate::platform::lifetime::{Confidence, Verdict};

/// OTAuthorizationFailure (§2.8).
const EXPIRED: &str = "error 1004 (authentication error: token expired)";

pub(crate) struct Vonage {
    exp: i64,
}

impl Vonage {
    pub fn new(exp: i64) -> Self {
        Vonage { exp }
    }
}

impl Rules for Vonage {
    type Timer = NoTimer;

    fn admit(&self, t: i64, entry: Entry) -> Verdict {
        if t >= self.exp {
            return match entry {
                Entry::Join => {
                    Verdict::refused(format!("refused: {EXPIRED} (Vonage exception-handling guide)"), Confidence::Documented)
                }
                Entry::Rejoin => Verdict::refused(
                    format!(
                        "refused: {EXPIRED}; a short-lived token is how Vonage keeps a force-disconnected \
                         client out (Vonage exception-handling guide)"
                    ),
                    Confidence::Documented,
                ),
                Entry::Reconnect { .. } => Verdict::refused(
                    format!(
                        "refused (unconfirmed): {EXPIRED} if the automatic reconnect presents the token \
                         again; untested in the sources (Vonage exception-handling guide)"
                    ),
                    Confidence::Unconfirmed,
                ),
            };
        }
        if t < 0 {
            return Verdict::admitted(
                "connected (unconfirmed): iat is still in the future and no clock-skew rule is documented",
                Confidence::Unconfirmed,
            );
        }
        let outcome = match entry {
            Entry::Join => "connected: the token is valid (checked at connect, Vonage exception-handling guide)",
            Entry::Rejoin => "reconnected by the app: the token is still valid",
            Entry::Reconnect { .. } => "reconnected: the token is still valid",
        };
        Verdict::admitted(outcome, Confidence::Documented)
    }

    fn while_connected(&self, t: i64) -> Verdict {
        if t >= self.exp {
            Verdict::admitted(
                "stays connected: an expired token ends nothing; only forceDisconnect() or a drop does \
                 (vendor support article, Vonage exception-handling guide)",
                Confidence::Documented,
            )
        } else {
            Verdict::admitted(
                "connected: the token was checked at connect",
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
        engine::run(Session::new(Vonage::new(times.ttl_ms())), times, scenario)
    }

    fn status_at(&self, times: &TokenTimes, t_ms: i64) -> Status {
        session::status_of(&Vonage::new(times.ttl_ms()), t_ms)
    }

    fn summary(&self) -> &'static str {
        "Checked at connect: an expired token gets error 1004; a connected client stays until \
             disconnected, and a force-disconnected client cannot rejoin."
    }
}

#[cfg(test)]
mod tests {
    use crate::platform::lifetime::testing::{outline, secs, simulate, status_at, token};
    use crate::platform::lifetime::{LifetimeModel, Scenario};

    /// OpenTok tokens play on the same model (`crate::platform::opentok`).
    const VONAGE: &dyn LifetimeModel = &super::MODEL;

    #[test]
    fn default_token_connects_and_stays_past_exp() {
        let timeline = simulate(VONAGE, &token(86_400), &Scenario::default());
        assert_eq!(
            outline(&timeline),
            [
                (0, "client", "join", "documented"),
                (86_400, "server", "exp", "documented")
            ]
        );
        assert!(timeline[1].outcome.contains("vendor support article"));
    }

    #[test]
    fn connect_one_second_before_exp_works_and_at_exp_gets_1004() {
        let times = token(86_400);
        let before = Scenario {
            join_at: Some(secs(86_399)),
            ..Scenario::default()
        };
        assert!(
            simulate(VONAGE, &times, &before)[0]
                .outcome
                .starts_with("connected")
        );

        let at_exp = Scenario {
            join_at: Some(secs(86_400)),
            ..Scenario::default()
        };
        let timeline = simulate(VONAGE, &times, &at_exp);
        assert_eq!(timeline[1].event, "join");
        assert_eq!(
            timeline[1].outcome,
            "refused: error 1004 (authentication error: token expired) (Vonage exception-handling guide)"
        );
        assert_eq!(timeline[1].confidence.as_str(), "documented");
    }

    #[test]
    fn force_disconnect_then_rejoin_is_refused_after_exp_only() {
        let times = token(3_600);
        let after = Scenario {
            force_disconnect_at: Some(secs(4_000)),
            ..Scenario::default()
        };
        let timeline = simulate(VONAGE, &times, &after);
        assert_eq!(
            outline(&timeline)[2..],
            [
                (4_000, "server", "force-disconnect", "documented"),
                (4_000, "client", "rejoin", "documented")
            ]
        );
        assert!(timeline[3].outcome.starts_with("refused: error 1004"));

        let before = Scenario {
            force_disconnect_at: Some(secs(3_000)),
            ..Scenario::default()
        };
        let timeline = simulate(VONAGE, &times, &before);
        assert!(timeline[2].outcome.starts_with("reconnected by the app"));
        // Still connected at exp, so exp ends nothing.
        assert_eq!(timeline[3].event, "exp");
        assert!(timeline[3].outcome.starts_with("stays connected"));
    }

    #[test]
    fn drop_before_exp_reconnects_and_after_exp_is_refused_unconfirmed() {
        let times = token(3_600);
        let before = Scenario {
            drop_at: Some(secs(1_000)),
            ..Scenario::default()
        };
        let reconnect = simulate(VONAGE, &times, &before)
            .into_iter()
            .find(|e| e.event == "reconnect");
        assert!(reconnect.unwrap().outcome.starts_with("reconnected"));

        let after = Scenario {
            drop_at: Some(secs(3_700)),
            ..Scenario::default()
        };
        let reconnect = simulate(VONAGE, &times, &after)
            .into_iter()
            .find(|e| e.event == "reconnect");
        let reconnect = reconnect.unwrap();
        assert!(
            reconnect
                .outcome
                .starts_with("refused (unconfirmed): error 1004")
        );
        assert_eq!(reconnect.confidence.as_str(), "unconfirmed");
    }

    #[test]
    fn status_at_exp() {
        let status = status_at(VONAGE, &token(3_600), secs(3_600));
        assert!(!status.joining.in_session);
        assert!(status.connected.in_session);
    }
}
