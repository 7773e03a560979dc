//! Twilio: one app holding the token in each SDK it grants, as Twilio's quickstarts do:
//!
//! - Video (twilio-video.js): the token is checked at connect (20104 expired, 20157 over 24 h).
//!   A connected participant stays in the Room past exp (Twilio staff, twilio-video.js issue
//!   #73); when the network drops, the SDK reconnects with the token it connected with, which
//!   fails with 20104 once that has expired (twilio-video.js CHANGELOG, 2.0.0-beta6). There is
//!   no in-band update: only a new connect uses a new token.
//! - Voice (@twilio/voice-sdk): `tokenWillExpire` fires `tokenRefreshMs` = 10 s before expiry
//!   (a timer armed from the ttl the server reports), the app answers with `updateToken`; at
//!   expiry the signaling reports 31205, which the SDK raises as 20104 and stops registering
//!   (twilio-voice.js `lib/twilio/device.ts`).
//! - Conversations: at expiry the client's connection state becomes `disconnected` unless the
//!   app called `updateToken` (Conversations SDK overview). The `tokenAboutToExpire` warning
//!   comes 3 minutes before for Sync (twilio-sync docs); for Conversations that lead is
//!   unconfirmed.
//!
//! A renewal (the scenario's `renew_at`) is the app calling `updateToken` on Voice and
//! Conversations with a token of the same lifetime, and keeping it for its next connect.

use crate::platform::lifetime::engine::{self, Cx, Lifecycle, Step};
use crate::platform::lifetime::session::not_connected;
use crate::platform::lifetime::{
    Actor, Confidence, Event, LifetimeModel, Presence, Scenario, ScenarioInput, Status, TokenTimes,
    Verdict, format_delay, format_offset,
};

/// twilio-voice.js `tokenRefreshMs` default.
const VOICE_REFRESH_MS: i64 = 10_000;
/// twilio-sync's documented lead for `tokenAboutToExpire`.
const ABOUT_TO_EXPIRE_MS: i64 = 180_000;
/// Error 20157: exp more than 24 h after issue.
const MAX_TTL_MS: i64 = 86_400_000;

const EXPIRED: &str = "error 20104 (Access Token expired or expiration date invalid)";

pub(crate) enum Timer {
    /// Timers of the app's token number `generation` (0: this token; each renewal adds one).
    ConversationsAboutToExpire { generation: u32 },
    VoiceWillExpire { generation: u32 },
    Expired { generation: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Video {
    NotJoined,
    Connected,
    Offline { dropped_at: i64 },
    Out,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Join,
    Rejoin,
}

pub(crate) struct Twilio {
    /// The lifetime of every token the app gets.
    ttl: i64,
    video: Video,
    /// The expiry of the token the Room connection holds (the one it connected with).
    video_exp: i64,
    /// The expiry of the token the app holds now, and which one it is.
    app_exp: i64,
    generation: u32,
    /// Voice and Conversations were started with the app's token (at the first good join).
    clients_started: bool,
}

impl Twilio {
    pub fn new(exp: i64) -> Self {
        Twilio {
            ttl: exp,
            video: Video::NotJoined,
            video_exp: exp,
            app_exp: exp,
            generation: 0,
            clients_started: false,
        }
    }

    /// Whether a Video connect at `t` with a token expiring at `exp` is admitted.
    fn admit(&self, t: i64, exp: i64, entry: Entry) -> Verdict {
        if self.ttl > MAX_TTL_MS {
            return Verdict::refused(
                format!(
                    "refused: the token lives {}, over 24 h: error 20157 (Expiration Time Exceeds Maximum Time Allowed, Twilio error docs)",
                    format_delay(self.ttl)
                ),
                Confidence::Documented,
            );
        }
        if t < 0 {
            return Verdict::refused(
                "refused (unconfirmed): the token is not valid yet; Twilio documents 20105 for an nbf in the future, \
                 not how it treats a future iat",
                Confidence::Unconfirmed,
            );
        }
        if t >= exp {
            return Verdict::refused(
                format!("refused: {EXPIRED} (twilio-video.js AccessTokenExpiredError)"),
                Confidence::Documented,
            );
        }
        Verdict::admitted(
            match entry {
                Entry::Join => "connected to the Room: Video checks the token at connect (Twilio error docs 20101–20107)",
                Entry::Rejoin => "connected again with the token the app holds",
            },
            Confidence::Documented,
        )
    }

    fn connect(&mut self, cx: &mut Cx<Timer>, t: i64, event: &'static str, entry: Entry) {
        let verdict = self.admit(t, self.app_exp, entry);
        cx.emit(t, Actor::Client, event, verdict.outcome, verdict.confidence);
        if !verdict.in_session {
            self.video = Video::Out;
            return;
        }
        self.video = Video::Connected;
        self.video_exp = self.app_exp;
        if !self.clients_started {
            self.clients_started = true;
            self.arm(cx, t);
        }
    }

    /// The Voice and Conversations timers of the app's current token, from `t` on.
    fn arm(&mut self, cx: &mut Cx<Timer>, t: i64) {
        let generation = self.generation;
        let exp = self.app_exp;
        if t < exp {
            cx.schedule(
                exp.saturating_sub(ABOUT_TO_EXPIRE_MS).max(t),
                Step::Timer(Timer::ConversationsAboutToExpire { generation }),
            );
            cx.schedule(
                exp.saturating_sub(VOICE_REFRESH_MS).max(t),
                Step::Timer(Timer::VoiceWillExpire { generation }),
            );
        }
        cx.schedule(exp.max(t), Step::Timer(Timer::Expired { generation }));
    }

    fn on_exp(&mut self, cx: &mut Cx<Timer>, t: i64) {
        let (outcome, confidence) = match self.video {
            Video::Connected if self.video_exp == t => (
                "the token expires; the Video participant stays in the Room: expiry does not affect an active \
                 Room connection (Twilio staff, twilio-video.js issue #73), but a reconnect now fails with 20104"
                    .to_string(),
                Confidence::Documented,
            ),
            Video::Connected => (
                format!(
                    "the token expires; the Room connection holds the renewed token, valid until {}",
                    format_offset(self.video_exp)
                ),
                Confidence::Documented,
            ),
            Video::Offline { .. } => (
                format!(
                    "the token expires while the participant is offline: the SDK's reconnect will fail with {EXPIRED}"
                ),
                Confidence::Documented,
            ),
            Video::NotJoined | Video::Out => {
                let verdict = self.admit(t, self.app_exp, Entry::Join);
                (
                    format!("the token expires; a join now: {}", verdict.outcome),
                    verdict.confidence,
                )
            }
        };
        cx.emit(t, Actor::Server, "exp", outcome, confidence);
    }

    fn on_timer(&mut self, cx: &mut Cx<Timer>, t: i64, timer: Timer) {
        match timer {
            Timer::ConversationsAboutToExpire { generation } if generation == self.generation => cx.emit(
                t,
                Actor::Sdk,
                "conversations-token-about-to-expire",
                "Conversations emits tokenAboutToExpire (3 min before for Sync, twilio-sync docs; the lead for \
                 Conversations is unconfirmed): the app fetches a token and calls updateToken",
                Confidence::Unconfirmed,
            ),
            Timer::VoiceWillExpire { generation } if generation == self.generation => cx.emit(
                t,
                Actor::Sdk,
                "voice-token-will-expire",
                "a Voice Device emits tokenWillExpire (tokenRefreshMs, 10 s before the ttl the server reports, \
                 twilio-voice.js device.ts): the app calls device.updateToken(newToken)",
                Confidence::SdkCode,
            ),
            Timer::Expired { generation } if generation == self.generation => {
                cx.emit(
                    t,
                    Actor::Sdk,
                    "voice-token-expired",
                    "Voice: the signaling reports 31205, raised as AccessTokenExpired 20104; the Device stops \
                     registering and takes no incoming calls (twilio-voice.js device.ts)",
                    Confidence::SdkCode,
                );
                cx.emit(
                    t,
                    Actor::Sdk,
                    "conversations-disconnected",
                    "Conversations: the connection state becomes disconnected; renew with updateToken \
                     (Conversations SDK overview)",
                    Confidence::Documented,
                );
            }
            // A timer of a token the app has since replaced.
            Timer::ConversationsAboutToExpire { .. }
            | Timer::VoiceWillExpire { .. }
            | Timer::Expired { .. } => {}
        }
    }

    fn on_renew(&mut self, cx: &mut Cx<Timer>, t: i64) {
        let late = t >= self.app_exp;
        self.generation += 1;
        self.app_exp = t.saturating_add(self.ttl);
        let video = match self.video {
            Video::Connected | Video::Offline { .. } => {
                " twilio-video.js has no updateToken: the Room connection keeps the token it connected with"
            }
            Video::NotJoined | Video::Out => " the app's next Video connect uses it.",
        };
        let (outcome, confidence) = if !self.clients_started {
            (
                format!(
                    "the app fetches a new token, valid until {};{video}",
                    format_offset(self.app_exp)
                ),
                Confidence::Documented,
            )
        } else if late {
            (
                format!(
                    "the app calls updateToken on Voice and Conversations after expiry (new token until {}); \
                     whether they register and reconnect on their own is unconfirmed;{video}",
                    format_offset(self.app_exp)
                ),
                Confidence::Unconfirmed,
            )
        } else {
            (
                format!(
                    "the app calls updateToken on Voice and Conversations: they carry on with the new token, valid \
                     until {} (Voice and Conversations SDK docs);{video}",
                    format_offset(self.app_exp)
                ),
                Confidence::Documented,
            )
        };
        cx.emit(t, Actor::Client, "renew", outcome, confidence);
        if self.clients_started {
            self.arm(cx, t);
        }
    }
}

impl Lifecycle for Twilio {
    type Timer = Timer;
    const RENEWS: bool = true;

    fn handle(&mut self, cx: &mut Cx<Timer>, t: i64, step: Step<Timer>) {
        match step {
            Step::Join => self.connect(cx, t, "join", Entry::Join),
            Step::Exp => self.on_exp(cx, t),
            Step::Renew => self.on_renew(cx, t),
            Step::Drop if self.video == Video::Connected => {
                let back = t.saturating_add(cx.offline_for);
                cx.emit(
                    t,
                    Actor::Client,
                    "drop",
                    format!(
                        "connection lost; twilio-video.js reconnects with the token it connected with when the \
                         network is back at {}",
                        format_offset(back)
                    ),
                    Confidence::Documented,
                );
                self.video = Video::Offline { dropped_at: t };
                cx.schedule(back, Step::NetworkBack);
            }
            Step::NetworkBack => {
                if let Video::Offline { .. } = self.video {
                    let (outcome, confidence) = if t < self.video_exp {
                        self.video = Video::Connected;
                        (
                            "reconnected to the Room: the token it connected with is still valid".to_string(),
                            Confidence::Documented,
                        )
                    } else {
                        self.video = Video::Out;
                        (
                            format!(
                                "refused: the reconnect uses the token the Room connected with, now expired: {EXPIRED}; \
                                 the participant is disconnected (twilio-video.js CHANGELOG 2.0.0-beta6)"
                            ),
                            Confidence::Documented,
                        )
                    };
                    cx.emit(t, Actor::Client, "reconnect", outcome, confidence);
                }
            }
            Step::ForceDisconnect if matches!(self.video, Video::Connected | Video::Offline { .. }) => {
                cx.emit(
                    t,
                    Actor::Server,
                    "force-disconnect",
                    "the participant is removed from the Room; the app connects again with the token it holds",
                    Confidence::Documented,
                );
                self.connect(cx, t, "rejoin", Entry::Rejoin);
            }
            Step::Drop => not_connected(cx, t, false),
            Step::ForceDisconnect => not_connected(cx, t, true),
            Step::Timer(timer) => self.on_timer(cx, t, timer),
            // The app's clients do not fetch tokens themselves.
            Step::EndpointDown | Step::EndpointUp => {}
        }
    }

    fn presence(&self) -> Presence {
        match self.video {
            Video::NotJoined => Presence::NotJoined,
            Video::Connected => Presence::Connected,
            Video::Offline { .. } => Presence::Reconnecting { attempt: 1 },
            Video::Out => Presence::Out,
        }
    }
}

pub struct Model;

pub static MODEL: Model = Model;

impl LifetimeModel for Model {
    fn simulate(&self, times: &TokenTimes, scenario: &Scenario) -> Vec<Event> {
        engine::run(Twilio::new(times.ttl_ms()), times, scenario)
    }

    fn status_at(&self, times: &TokenTimes, t_ms: i64) -> Status {
        let model = Twilio::new(times.ttl_ms());
        let exp = times.ttl_ms();
        let at_iat = model.admit(0, exp, Entry::Join);
        let connected = if !at_iat.in_session {
            at_iat
        } else if t_ms >= exp {
            Verdict::admitted(
                "a Video participant stays in the Room past exp (Twilio staff, twilio-video.js issue #73), but its \
                 reconnects fail with 20104; Voice got 20104 and Conversations is disconnected unless the app \
                 called updateToken",
                Confidence::Documented,
            )
        } else {
            Verdict::admitted(
                "connected: Video in the Room, Voice registered, Conversations connected",
                Confidence::Documented,
            )
        };
        Status {
            joining: model.admit(t_ms, exp, Entry::Join),
            connected,
        }
    }

    fn summary(&self) -> &'static str {
        "Video: a participant stays past exp, but a reconnect with the expired token fails (20104) and there is \
         no in-band update; Voice warns 10 s before (tokenWillExpire → updateToken); Conversations disconnects \
         at exp unless updateToken."
    }

    fn inputs(&self) -> &'static [ScenarioInput] {
        &[ScenarioInput::Renewal]
    }
}

#[cfg(test)]
mod tests {
    use crate::platform::lifetime::testing::{outline, secs, simulate, status_at, token};
    use crate::platform::lifetime::{LifetimeModel, Scenario};

    const TWILIO: &dyn LifetimeModel = &super::MODEL;

    #[test]
    fn a_connected_app_warns_then_stays_in_video_and_loses_voice_and_conversations() {
        let timeline = simulate(TWILIO, &token(3_600), &Scenario::default());
        assert_eq!(
            outline(&timeline),
            [
                (0, "client", "join", "documented"),
                (3_420, "sdk", "conversations-token-about-to-expire", "unconfirmed"),
                (3_590, "sdk", "voice-token-will-expire", "sdk-code"),
                (3_600, "server", "exp", "documented"),
                (3_600, "sdk", "voice-token-expired", "sdk-code"),
                (3_600, "sdk", "conversations-disconnected", "documented"),
            ]
        );
        assert!(timeline[3].outcome.contains("stays in the Room"), "{}", timeline[3].outcome);
        assert!(timeline[4].outcome.contains("20104"));
    }

    #[test]
    fn a_reconnect_after_exp_is_refused_with_20104_and_before_it_succeeds() {
        let times = token(3_600);
        let late = Scenario {
            drop_at: Some(secs(3_590)),
            offline_for: secs(30),
            ..Scenario::default()
        };
        let timeline = simulate(TWILIO, &times, &late);
        let reconnect = timeline.iter().find(|e| e.event == "reconnect").unwrap();
        assert_eq!(reconnect.t_ms, secs(3_620));
        assert!(reconnect.outcome.starts_with("refused") && reconnect.outcome.contains("20104"));
        let early = Scenario {
            drop_at: Some(secs(600)),
            offline_for: secs(5),
            ..Scenario::default()
        };
        let reconnect = simulate(TWILIO, &times, &early)
            .into_iter()
            .find(|e| e.event == "reconnect")
            .unwrap();
        assert!(reconnect.outcome.starts_with("reconnected"));
    }

    #[test]
    fn a_renewal_moves_voice_and_conversations_but_not_the_video_connection() {
        let scenario = Scenario {
            renew_at: Some(secs(3_595)),
            drop_at: Some(secs(3_700)),
            ..Scenario::default()
        };
        let timeline = simulate(TWILIO, &token(3_600), &scenario);
        let events: Vec<&str> = timeline.iter().map(|e| e.event).collect();
        // Voice was warned at 3 590, renewed at 3 595: no expiry events at 3 600 for it.
        assert_eq!(
            events[..5],
            ["join", "conversations-token-about-to-expire", "voice-token-will-expire", "renew", "exp"]
        );
        assert!(!timeline.iter().any(|e| e.event == "voice-token-expired" && e.t_ms == secs(3_600)));
        let reconnect = timeline.iter().find(|e| e.event == "reconnect").unwrap();
        assert!(reconnect.outcome.starts_with("refused"), "{}", reconnect.outcome);
        let warned = timeline
            .iter()
            .filter(|e| e.event == "voice-token-will-expire")
            .map(|e| e.t_ms)
            .collect::<Vec<_>>();
        assert_eq!(warned, [secs(3_590), secs(3_595 + 3_590)]);
    }

    #[test]
    fn joins_at_and_after_exp_and_over_24_hours_are_refused() {
        let times = token(3_600);
        assert!(status_at(TWILIO, &times, secs(3_599)).joining.in_session);
        let at_exp = status_at(TWILIO, &times, secs(3_600));
        assert!(!at_exp.joining.in_session);
        assert!(at_exp.joining.outcome.contains("20104"));
        assert!(at_exp.connected.in_session);
        let long = status_at(TWILIO, &token(86_401), 0);
        assert!(!long.joining.in_session && long.joining.outcome.contains("20157"));
        assert!(status_at(TWILIO, &token(86_400), 0).joining.in_session);
        let kicked = Scenario {
            force_disconnect_at: Some(secs(4_000)),
            ..Scenario::default()
        };
        let rejoin = simulate(TWILIO, &times, &kicked)
            .into_iter()
            .find(|e| e.event == "rejoin")
            .unwrap();
        assert!(rejoin.outcome.contains("20104"));
    }
}
