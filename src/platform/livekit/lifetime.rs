//! LiveKit: exp only matters at the initial connect (LiveKit authentication docs, "expiration
//! time only impacts the initial connection, and not subsequent reconnects"). The server sends
//! a connected client a refreshed token when its session starts (join and resume) and then every
//! 5 min; since livekit/livekit PR #4580 each is valid for max(10 min, the time the original
//! token has left) (`pkg/service/roommanager.go`, `refreshToken`, `tokenRefreshInterval`,
//! `tokenDefaultTTL`). The client keeps it only to reconnect with. The server verifies with 60 s
//! of leeway (livekit/protocol `auth/verifier.go`); an expired token is refused with HTTP 401
//! `invalid authorization token: token has invalid claims: token is expired`.

use super::SERVER_LEEWAY;
use crate::platform::lifetime::engine::Cx;
use crate::platform::lifetime::format_offset;
use crate::platform::lifetime::session::{Entry, NoTimer, Rules, Session};
use crate::platform::lifetime::{Actor, Confidence, Verdict};
use crate::platform::lifetime::{
    Event, LifetimeModel, Scenario, Status, TokenTimes, engine, session,
};

const REFRESH_EVERY_MS: i64 = 300_000;
const REFRESHED_LIFETIME_MS: i64 = 600_000;
const LEEWAY_MS: i64 = SERVER_LEEWAY * 1_000;

/// The server's answer to a connect with an expired token.
pub const EXPIRED_401: &str =
    "HTTP 401 invalid authorization token: token has invalid claims: token is expired";

pub(crate) struct Livekit {
    exp: i64,
    /// When the current session started, which is when the server's refresh ticker started.
    connected_at: i64,
}

impl Livekit {
    pub fn new(exp: i64) -> Self {
        Livekit {
            exp,
            connected_at: 0,
        }
    }

    /// The last refresh the server sent by `t` in a session started at `connected_at`.
    fn last_refresh(connected_at: i64, t: i64) -> i64 {
        let ticks = t.saturating_sub(connected_at).max(0) / REFRESH_EVERY_MS;
        connected_at.saturating_add(ticks * REFRESH_EVERY_MS)
    }

    /// When a token refreshed at `refreshed` expires: 10 min on, or the original's exp when
    /// that is later (PR #4580).
    fn refreshed_until(&self, refreshed: i64) -> i64 {
        refreshed.saturating_add(REFRESHED_LIFETIME_MS).max(self.exp)
    }
}

impl Rules for Livekit {
    type Timer = NoTimer;

    fn admit(&self, t: i64, entry: Entry) -> Verdict {
        if let Entry::Reconnect { dropped_at } = entry {
            let refreshed = Self::last_refresh(self.connected_at, dropped_at);
            let valid_until = self.refreshed_until(refreshed);
            return if t < valid_until.saturating_add(LEEWAY_MS) {
                Verdict::admitted(
                    format!(
                        "reconnected with the token the server refreshed at {} (valid until {}; LiveKit authentication docs)",
                        format_offset(refreshed),
                        format_offset(valid_until)
                    ),
                    Confidence::Documented,
                )
            } else {
                Verdict::refused(
                    format!(
                        "refused (unconfirmed): the last refreshed token (sent at {}) expired at {}; \
                         the app must connect with a new token",
                        format_offset(refreshed),
                        format_offset(valid_until)
                    ),
                    Confidence::Unconfirmed,
                )
            };
        }
        if t >= self.exp.saturating_add(LEEWAY_MS) {
            return Verdict::refused(
                format!(
                    "refused: {EXPIRED_401} (the server checks exp at the initial connect, with 60 s of leeway)"
                ),
                Confidence::SdkCode,
            );
        }
        if t < -LEEWAY_MS {
            return Verdict::refused(
                "refused: nbf (the mint time) is more than the server's 60 s of leeway ahead (livekit/protocol auth/verifier.go)",
                Confidence::SdkCode,
            );
        }
        let outcome = match entry {
            Entry::Join if t >= self.exp => {
                "connected: exp has passed, but by less than the server's 60 s of leeway (livekit/protocol auth/verifier.go)"
            }
            Entry::Join => {
                "connected: the token is valid (LiveKit checks exp only at the initial connect, LiveKit authentication docs)"
            }
            _ => "connected again by the app: the token is still valid",
        };
        Verdict::admitted(outcome, Confidence::Documented)
    }

    fn while_connected(&self, t: i64) -> Verdict {
        if t >= self.exp {
            Verdict::admitted(
                "stays connected: exp only impacts the initial connection; the server keeps refreshing the token (LiveKit authentication docs)",
                Confidence::Documented,
            )
        } else {
            let refreshed = Self::last_refresh(0, t);
            Verdict::admitted(
                format!(
                    "connected; the server last refreshed its token at {} (every 5 min), valid until {}",
                    format_offset(refreshed),
                    format_offset(self.refreshed_until(refreshed))
                ),
                Confidence::SdkCode,
            )
        }
    }

    fn on_connected(&mut self, cx: &mut Cx<NoTimer>, t: i64) {
        self.connected_at = t;
        cx.emit(
            t,
            Actor::Server,
            "token-refreshed",
            format!(
                "the server sends a refreshed token now and every 5 min while the client is connected, each valid for max(10 min, the time the original has left): this one until {}; the client keeps it to reconnect with (livekit/livekit pkg/service/roommanager.go)",
                format_offset(self.refreshed_until(t))
            ),
            Confidence::SdkCode,
        );
    }
}

/// The lifetime model, on the shared engine.
pub struct Model;

pub static MODEL: Model = Model;

impl LifetimeModel for Model {
    fn simulate(&self, times: &TokenTimes, scenario: &Scenario) -> Vec<Event> {
        engine::run(Session::new(Livekit::new(times.ttl_ms())), times, scenario)
    }

    fn status_at(&self, times: &TokenTimes, t_ms: i64) -> Status {
        session::status_of(&Livekit::new(times.ttl_ms()), t_ms)
    }

    fn summary(&self) -> &'static str {
        "Checked at the initial connect only (60 s leeway); the server refreshes a connected \
         client's token every 5 min, each valid for max(10 min, the original's time left), and \
         reconnects use it."
    }
}

#[cfg(test)]
mod tests {
    use crate::platform::lifetime::testing::{outline, secs, simulate, status_at, token};
    use crate::platform::lifetime::{LifetimeModel, Scenario};

    const LIVEKIT: &dyn LifetimeModel = &super::MODEL;

    #[test]
    fn default_token_connects_is_refreshed_and_stays_past_exp() {
        let timeline = simulate(LIVEKIT, &token(21_600), &Scenario::default());
        assert_eq!(
            outline(&timeline),
            [
                (0, "client", "join", "documented"),
                (0, "server", "token-refreshed", "sdk-code"),
                (21_600, "server", "exp", "documented"),
            ]
        );
        assert!(timeline[2].outcome.starts_with("stays connected"));
    }

    #[test]
    fn a_join_is_refused_only_once_exp_is_past_by_the_servers_leeway_with_its_401() {
        let times = token(3_600);
        let join_at = |t: i64| Scenario {
            join_at: Some(secs(t)),
            ..Scenario::default()
        };
        for t in [3_599, 3_600, 3_659] {
            let timeline = simulate(LIVEKIT, &times, &join_at(t));
            let join = timeline.iter().find(|e| e.event == "join").unwrap();
            assert!(join.outcome.starts_with("connected"), "{t}: {timeline:?}");
        }
        let timeline = simulate(LIVEKIT, &times, &join_at(3_630));
        let join = timeline.iter().find(|e| e.event == "join").unwrap();
        assert!(join.outcome.contains("60 s of leeway"), "{}", join.outcome);
        let timeline = simulate(LIVEKIT, &times, &join_at(3_660));
        let refused = timeline.iter().find(|e| e.event == "join").unwrap();
        assert_eq!(
            refused.outcome,
            format!(
                "refused: {} (the server checks exp at the initial connect, with 60 s of leeway)",
                super::EXPIRED_401
            )
        );
        assert!(refused.outcome.contains(
            "HTTP 401 invalid authorization token: token has invalid claims: token is expired"
        ));
    }

    #[test]
    fn a_refreshed_token_lasts_as_long_as_the_original_has_left_when_that_is_more_than_10_min() {
        // Dropped at +01:40, back at +50:00: the token refreshed at +00:00 is valid until the
        // original's exp (+1:00:00), not 10 min (before livekit/livekit PR #4580 it was refused).
        let scenario = Scenario {
            drop_at: Some(secs(100)),
            offline_for: secs(2_900),
            ..Scenario::default()
        };
        let reconnect = simulate(LIVEKIT, &token(3_600), &scenario)
            .into_iter()
            .find(|e| e.event == "reconnect")
            .unwrap();
        assert_eq!(
            reconnect.outcome,
            "reconnected with the token the server refreshed at +00:00 (valid until +1:00:00; LiveKit authentication docs)"
        );
        // A short token: the refreshed one lasts 10 min from its refresh.
        let short = Scenario {
            drop_at: Some(secs(100)),
            offline_for: secs(560),
            ..Scenario::default()
        };
        let reconnect = simulate(LIVEKIT, &token(60), &short)
            .into_iter()
            .find(|e| e.event == "reconnect")
            .unwrap();
        assert!(
            reconnect.outcome.starts_with("refused (unconfirmed)")
                && reconnect.outcome.contains("expired at +10:00"),
            "{}",
            reconnect.outcome
        );
    }

    #[test]
    fn reconnect_after_exp_uses_the_refreshed_token() {
        let scenario = Scenario {
            drop_at: Some(secs(3_700)),
            offline_for: secs(20),
            ..Scenario::default()
        };
        let timeline = simulate(LIVEKIT, &token(3_600), &scenario);
        let reconnect = timeline.iter().find(|e| e.event == "reconnect").unwrap();
        assert_eq!(reconnect.t_ms, secs(3_720));
        // Ticks at +00:00, +05:00, ...: the last one before the drop at +1:01:40 is +1:00:00.
        assert_eq!(
            reconnect.outcome,
            "reconnected with the token the server refreshed at +1:00:00 (valid until +1:10:00; LiveKit authentication docs)"
        );
        // The resumed session gets a fresh token at once.
        assert_eq!(timeline.last().unwrap().event, "token-refreshed");
    }

    #[test]
    fn drop_before_exp_reconnects() {
        let scenario = Scenario {
            drop_at: Some(secs(100)),
            ..Scenario::default()
        };
        let reconnect = simulate(LIVEKIT, &token(3_600), &scenario)
            .into_iter()
            .find(|e| e.event == "reconnect")
            .unwrap();
        assert!(
            reconnect
                .outcome
                .starts_with("reconnected with the token the server refreshed at +00:00")
        );
    }

    #[test]
    fn an_outage_longer_than_the_refreshed_token_is_refused_unconfirmed() {
        let scenario = Scenario {
            drop_at: Some(secs(3_700)),
            offline_for: secs(700),
            ..Scenario::default()
        };
        let reconnect = simulate(LIVEKIT, &token(3_600), &scenario)
            .into_iter()
            .find(|e| e.event == "reconnect")
            .unwrap();
        assert!(
            reconnect.outcome.starts_with("refused (unconfirmed)"),
            "{}",
            reconnect.outcome
        );
        assert!(reconnect.outcome.contains("expired at +1:10:00"));
    }

    #[test]
    fn force_disconnect_after_exp_cannot_connect_again_with_the_original_token() {
        let scenario = Scenario {
            force_disconnect_at: Some(secs(4_000)),
            ..Scenario::default()
        };
        let timeline = simulate(LIVEKIT, &token(3_600), &scenario);
        let rejoin = timeline.iter().find(|e| e.event == "rejoin").unwrap();
        assert!(rejoin.outcome.starts_with("refused"));
    }

    #[test]
    fn status_names_the_last_refresh() {
        let status = status_at(LIVEKIT, &token(3_600), secs(650));
        assert!(
            status
                .connected
                .outcome
                .contains("refreshed its token at +10:00")
        );
        assert!(status.joining.in_session);
    }
}
