//! The shape shared by the platforms that check a token when a client gets in (Zoom,
//! Vonage/OpenTok, Agora, LiveKit): a [`Rules`] value says who is admitted and what exp does;
//! [`Session`] plays joins, drops and force-disconnects against it.
//!
//! Their reconnect backoff is not documented, so a dropped client tries once, when the
//! network is back.

use super::engine::{Cx, Lifecycle, Step};
use super::format_offset;
use super::{Actor, Confidence, Presence, Verdict};

/// How a client gets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// The first join.
    Join,
    /// The app joins again after the server disconnected it.
    Rejoin,
    /// The SDK reconnects on its own after a drop.
    Reconnect { dropped_at: i64 },
}

/// For rules without timers of their own.
pub(crate) enum NoTimer {}

/// A drop or a force-disconnect while the client is not connected: noted, with no effect.
pub(crate) fn not_connected<T>(cx: &mut Cx<T>, t: i64, kick: bool) {
    let (actor, event) = if kick {
        (Actor::Server, "force-disconnect")
    } else {
        (Actor::Client, "drop")
    };
    cx.emit(
        t,
        actor,
        event,
        "no effect: the client is not connected",
        Confidence::Documented,
    );
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Client {
    NotJoined,
    Connected,
    Offline {
        dropped_at: i64,
    },
    /// Refused or kicked; the scenario does not bring it back.
    Out,
}

pub(crate) trait Rules {
    type Timer;
    const RENEWS: bool = false;

    /// Whether a client getting in at `t` is admitted, and what it is told.
    fn admit(&self, t: i64, entry: Entry) -> Verdict;

    /// What a client connected since iat, without a drop, experiences at `t`.
    fn while_connected(&self, t: i64) -> Verdict;

    /// The client got in at `t`.
    fn on_connected(&mut self, _cx: &mut Cx<Self::Timer>, _t: i64) {}

    /// The token's exp passes; returns the client's state afterwards.
    fn on_exp(&mut self, cx: &mut Cx<Self::Timer>, t: i64, client: Client) -> Client {
        announce_exp(self, cx, t, client);
        client
    }

    /// The app renews the token in place; returns the client's state afterwards.
    fn on_renew(&mut self, _cx: &mut Cx<Self::Timer>, _t: i64, client: Client) -> Client {
        client
    }

    fn on_timer(
        &mut self,
        _cx: &mut Cx<Self::Timer>,
        _t: i64,
        _timer: Self::Timer,
        client: Client,
    ) -> Client {
        client
    }
}

/// The "exp" event of a platform that does nothing to its clients at exp: it says what the
/// client (connected, offline, or not in) now faces.
pub(crate) fn announce_exp<R: Rules + ?Sized>(
    rules: &R,
    cx: &mut Cx<R::Timer>,
    t: i64,
    client: Client,
) {
    let (outcome, confidence) = match client {
        Client::Connected => {
            let verdict = rules.while_connected(t);
            (verdict.outcome, verdict.confidence)
        }
        Client::Offline { dropped_at } => {
            let verdict = rules.admit(t, Entry::Reconnect { dropped_at });
            let outcome = format!(
                "the token expires while the client is offline; a reconnect now: {}",
                verdict.outcome
            );
            (outcome, verdict.confidence)
        }
        Client::NotJoined | Client::Out => {
            let verdict = rules.admit(t, Entry::Join);
            (
                format!("the token expires; a join now: {}", verdict.outcome),
                verdict.confidence,
            )
        }
    };
    cx.emit(t, Actor::Server, "exp", outcome, confidence);
}

pub(crate) struct Session<R> {
    rules: R,
    client: Client,
}

impl<R: Rules> Session<R> {
    pub fn new(rules: R) -> Self {
        Session {
            rules,
            client: Client::NotJoined,
        }
    }

    fn enter(&mut self, cx: &mut Cx<R::Timer>, t: i64, event: &'static str, entry: Entry) {
        let verdict = self.rules.admit(t, entry);
        cx.emit(t, Actor::Client, event, verdict.outcome, verdict.confidence);
        if verdict.in_session {
            self.client = Client::Connected;
            self.rules.on_connected(cx, t);
        } else {
            self.client = Client::Out;
        }
    }
}

impl<R: Rules> Lifecycle for Session<R> {
    type Timer = R::Timer;
    const RENEWS: bool = R::RENEWS;

    fn handle(&mut self, cx: &mut Cx<R::Timer>, t: i64, step: Step<R::Timer>) {
        match step {
            Step::Join => self.enter(cx, t, "join", Entry::Join),
            Step::Exp => self.client = self.rules.on_exp(cx, t, self.client),
            Step::Drop if self.client == Client::Connected => {
                let back = t.saturating_add(cx.offline_for);
                cx.emit(
                    t,
                    Actor::Client,
                    "drop",
                    format!(
                        "connection lost; the SDK reconnects when the network is back at {}",
                        format_offset(back)
                    ),
                    Confidence::Documented,
                );
                self.client = Client::Offline { dropped_at: t };
                cx.schedule(back, Step::NetworkBack);
            }
            Step::NetworkBack => {
                if let Client::Offline { dropped_at } = self.client {
                    self.enter(cx, t, "reconnect", Entry::Reconnect { dropped_at });
                }
            }
            Step::ForceDisconnect
                if matches!(self.client, Client::Connected | Client::Offline { .. }) =>
            {
                cx.emit(
                    t,
                    Actor::Server,
                    "force-disconnect",
                    "the server disconnects the client; the app rejoins at once with the same token",
                    Confidence::Documented,
                );
                self.enter(cx, t, "rejoin", Entry::Rejoin);
            }
            Step::Drop => not_connected(cx, t, false),
            Step::ForceDisconnect => not_connected(cx, t, true),
            Step::Renew => self.client = self.rules.on_renew(cx, t, self.client),
            Step::Timer(timer) => self.client = self.rules.on_timer(cx, t, timer, self.client),
            // Only Relaybox fetches tokens at run time; the engine never schedules these here.
            Step::EndpointDown | Step::EndpointUp => {}
        }
    }

    fn presence(&self) -> Presence {
        match self.client {
            Client::NotJoined => Presence::NotJoined,
            Client::Connected => Presence::Connected,
            // One try, when the network is back.
            Client::Offline { .. } => Presence::Reconnecting { attempt: 1 },
            Client::Out => Presence::Out,
        }
    }
}

/// What a model built on [`Rules`] says at `t_ms`: a client joining then, and one connected
/// since iat (nobody is connected with a token refused at iat).
pub(crate) fn status_of(rules: &impl Rules, t_ms: i64) -> super::Status {
    let at_iat = rules.admit(0, Entry::Join);
    super::Status {
        joining: rules.admit(t_ms, Entry::Join),
        connected: if at_iat.in_session {
            rules.while_connected(t_ms)
        } else {
            at_iat
        },
    }
}
