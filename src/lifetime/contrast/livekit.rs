//! LiveKit, the other contrast case: exp only matters at the initial connect; the server
//! keeps a connected client supplied with fresh tokens, which its reconnects use (§5).
//!
//! The figures are not in PLATFORMS.md: livekit/livekit `pkg/service/roommanager.go`
//! (@2778561) refreshes when a participant's session starts (on join and on resume), then
//! every `tokenRefreshInterval` = 5 min, each token `SetValidFor(tokenDefaultTTL)` = 10 min.

use crate::platform::lifetime::engine::Cx;
use crate::platform::lifetime::format_offset;
use crate::platform::lifetime::session::{Entry, NoTimer, Rules, Session};
use crate::platform::lifetime::{Actor, Confidence, Verdict};
use crate::platform::lifetime::{
    Event, LifetimeModel, Scenario, Status, TokenTimes, engine, session,
};

const REFRESH_EVERY_MS: i64 = 300_000;
const REFRESHED_LIFETIME_MS: i64 = 600_000;

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
}

impl Rules for Livekit {
    type Timer = NoTimer;

    fn admit(&self, t: i64, entry: Entry) -> Verdict {
        if let Entry::Reconnect { dropped_at } = entry {
            let refreshed = Self::last_refresh(self.connected_at, dropped_at);
            let valid_until = refreshed.saturating_add(REFRESHED_LIFETIME_MS);
            return if t < valid_until {
                Verdict::admitted(
                    format!(
                        "reconnected with the token the server refreshed at {} (LiveKit authentication docs)",
                        format_offset(refreshed)
                    ),
                    Confidence::Documented,
                )
            } else {
                Verdict::refused(
                    format!(
                        "refused (unconfirmed): the last refreshed token (sent at {}) expired at {}; the app \
                         must connect with a new token",
                        format_offset(refreshed),
                        format_offset(valid_until)
                    ),
                    Confidence::Unconfirmed,
                )
            };
        }
        if t >= self.exp {
            return Verdict::refused(
                "refused: the server rejects an expired token at the initial connect (LiveKit authentication docs)",
                Confidence::Documented,
            );
        }
        if t < 0 {
            return Verdict::refused(
                "refused (unconfirmed): nbf (the mint time) is still in the future; the server's clock \
                 leeway is not documented (the Node verifier allows 10 s, LiveKit authentication docs)",
                Confidence::Unconfirmed,
            );
        }
        let outcome = match entry {
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
            Verdict::admitted(
                format!(
                    "connected; the server last refreshed its token at {} (every 5 min)",
                    format_offset(Self::last_refresh(0, t))
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
            "the server sends a refreshed token (valid 10 min) now and every 5 min while the client is connected",
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
        "Checked at the initial connect only; the server refreshes the token of a connected \
             client, and reconnects use the refreshed token."
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
    fn connect_one_second_before_exp_works_and_at_exp_is_refused() {
        let times = token(3_600);
        let before = Scenario {
            join_at: Some(secs(3_599)),
            ..Scenario::default()
        };
        assert!(
            simulate(LIVEKIT, &times, &before)[0]
                .outcome
                .starts_with("connected")
        );
        let at_exp = Scenario {
            join_at: Some(secs(3_600)),
            ..Scenario::default()
        };
        let timeline = simulate(LIVEKIT, &times, &at_exp);
        assert_eq!(timeline.len(), 2);
        assert!(
            timeline[1]
                .outcome
                .starts_with("refused: the server rejects an expired token")
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
            "reconnected with the token the server refreshed at +1:00:00 (LiveKit authentication docs)"
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
