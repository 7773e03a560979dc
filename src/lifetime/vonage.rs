//! Vonage Video and OpenTok (the same service and client SDKs): the token is checked at
//! `session.connect` (§2.8).

use super::session::{Entry, NoTimer, Rules};
use super::{Confidence, Verdict};

/// OTAuthorizationFailure (§2.8).
const EXPIRED: &str = "error 1004 (authentication error: token expired)";

pub(super) struct Vonage {
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
                    Verdict::refused(format!("refused: {EXPIRED} (§2.8)"), Confidence::Documented)
                }
                Entry::Rejoin => Verdict::refused(
                    format!(
                        "refused: {EXPIRED}; a short-lived token is how Vonage keeps a force-disconnected \
                         client out (§2.8)"
                    ),
                    Confidence::Documented,
                ),
                Entry::Reconnect { .. } => Verdict::refused(
                    format!(
                        "refused (unconfirmed): {EXPIRED} if the automatic reconnect presents the token \
                         again; untested in the sources (§2.8)"
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
            Entry::Join => "connected: the token is valid (checked at connect, §2.8)",
            Entry::Rejoin => "reconnected by the app: the token is still valid",
            Entry::Reconnect { .. } => "reconnected: the token is still valid",
        };
        Verdict::admitted(outcome, Confidence::Documented)
    }

    fn while_connected(&self, t: i64) -> Verdict {
        if t >= self.exp {
            Verdict::admitted(
                "stays connected: an expired token ends nothing; only forceDisconnect() or a drop does \
                 (vendor support article, §2.8)",
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

#[cfg(test)]
mod tests {
    use crate::lifetime::tests::{outline, secs, token};
    use crate::lifetime::{Model, Scenario, simulate, status_at};

    #[test]
    fn default_token_connects_and_stays_past_exp() {
        let timeline = simulate(Model::Vonage, &token(86_400), &Scenario::default());
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
    fn opentok_has_the_same_timeline_as_vonage() {
        let scenario = Scenario {
            drop_at: Some(secs(90_000)),
            force_disconnect_at: Some(secs(95_000)),
            ..Scenario::default()
        };
        let times = token(86_400);
        assert_eq!(
            simulate(Model::Opentok, &times, &scenario),
            simulate(Model::Vonage, &times, &scenario)
        );
    }

    #[test]
    fn connect_one_second_before_exp_works_and_at_exp_gets_1004() {
        let times = token(86_400);
        let before = Scenario {
            join_at: Some(secs(86_399)),
            ..Scenario::default()
        };
        assert!(
            simulate(Model::Vonage, &times, &before)[0]
                .outcome
                .starts_with("connected")
        );

        let at_exp = Scenario {
            join_at: Some(secs(86_400)),
            ..Scenario::default()
        };
        let timeline = simulate(Model::Vonage, &times, &at_exp);
        assert_eq!(timeline[1].event, "join");
        assert_eq!(
            timeline[1].outcome,
            "refused: error 1004 (authentication error: token expired) (§2.8)"
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
        let timeline = simulate(Model::Vonage, &times, &after);
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
        let timeline = simulate(Model::Vonage, &times, &before);
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
        let reconnect = simulate(Model::Vonage, &times, &before)
            .into_iter()
            .find(|e| e.event == "reconnect");
        assert!(reconnect.unwrap().outcome.starts_with("reconnected"));

        let after = Scenario {
            drop_at: Some(secs(3_700)),
            ..Scenario::default()
        };
        let reconnect = simulate(Model::Vonage, &times, &after)
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
        let status = status_at(Model::Opentok, &token(3_600), secs(3_600));
        assert!(!status.joining.in_session);
        assert!(status.connected.in_session);
    }
}
