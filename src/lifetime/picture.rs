//! The lab's picture as data: one time axis, a lane per actor (the token and each privilege
//! that ends on its own, the client's connection, the auth endpoint with the SDK's timers, the
//! server), each with bars for states and markers for events. The workbench draws it in cells,
//! `simulate --svg` as shapes; both read the same [`Picture`].
//!
//! Also here: what happens *now* in a scenario, in words, derived from the model's own
//! timelines rather than from a second set of rules.

use super::{
    Actor, Confidence, Event, LifetimeModel, Playable, Presence, Scenario, ScenarioInput,
    TokenTimes, Verdict, format_offset,
};

/// A state a bar shows over a stretch of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bar {
    /// The token (or privilege) is valid.
    Valid,
    Expired,
    Connected,
    Reconnecting,
    /// Refused, kicked or given up.
    Out,
    EndpointUp,
    EndpointDown,
}

impl Bar {
    /// What the legend says of the bar.
    pub fn meaning(self) -> &'static str {
        match self {
            Bar::Valid => "valid",
            Bar::Expired => "expired",
            Bar::Connected => "connected",
            Bar::Reconnecting => "reconnecting",
            Bar::Out => "out",
            Bar::EndpointUp => "endpoint up",
            Bar::EndpointDown => "endpoint down",
        }
    }

    /// The legend's word where room is short.
    pub fn short(self) -> &'static str {
        match self {
            Bar::Valid => "valid",
            Bar::Expired => "expired",
            Bar::Connected => "in",
            Bar::Reconnecting => "retrying",
            Bar::Out => "out",
            Bar::EndpointUp => "up",
            Bar::EndpointDown => "down",
        }
    }
}

/// What kind of event a marker stands for, most telling first (when two share a place, the
/// first in this order is drawn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mark {
    /// Refused, kicked or given up.
    Out,
    /// The connection is lost, or an attempt to get back failed.
    Lost,
    /// The client got in (joined, reconnected, reauthenticated).
    In,
    /// A warning or a failed fetch.
    Warning,
    /// The token was refreshed or renewed.
    Refresh,
    /// The token's exp.
    Expiry,
    Other,
}

impl Mark {
    pub const ALL: [Mark; 7] = [
        Mark::In,
        Mark::Lost,
        Mark::Out,
        Mark::Refresh,
        Mark::Warning,
        Mark::Expiry,
        Mark::Other,
    ];

    /// What the legend says of the marker.
    pub fn meaning(self) -> &'static str {
        match self {
            Mark::In => "got in",
            Mark::Lost => "lost / retrying",
            Mark::Out => "refused, kicked or gave up",
            Mark::Refresh => "refreshed / renewed",
            Mark::Warning => "warning or failed fetch",
            Mark::Expiry => "exp",
            Mark::Other => "other event",
        }
    }

    /// The legend's word where room is short.
    pub fn short(self) -> &'static str {
        match self {
            Mark::In => "got in",
            Mark::Lost => "lost",
            Mark::Out => "out",
            Mark::Refresh => "refresh",
            Mark::Warning => "warning",
            Mark::Expiry => "exp",
            Mark::Other => "other",
        }
    }

    /// The kind of `event`: by where it moved the client, else by its name.
    pub fn of(event: &Event) -> Mark {
        match event.presence {
            Some(Presence::Connected) => return Mark::In,
            Some(Presence::Reconnecting { .. }) => return Mark::Lost,
            Some(Presence::Out) => return Mark::Out,
            Some(Presence::NotJoined) | None => {}
        }
        let name = event.event;
        if name == "exp" {
            Mark::Expiry
        } else if name.contains("fail") || name.contains("expire") || name.contains("warn") {
            Mark::Warning
        } else if name.starts_with("refresh") || name.starts_with("renew") {
            Mark::Refresh
        } else {
            Mark::Other
        }
    }
}

/// Whose lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaneKind {
    Token,
    /// A privilege with its own end (Agora's), as the token names it.
    Privilege(String),
    /// The connection of the scenario's client on a model (its id, for side by side).
    Client(&'static str),
    /// The auth endpoint and the SDK's refresh timers (where clients fetch their tokens).
    Endpoint,
    /// The SDK's own timers and warnings (where they do not).
    Sdk,
    Server,
}

/// A stretch of a lane in one state, `from_ms` up to `to_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub from_ms: i64,
    pub to_ms: i64,
    pub bar: Bar,
}

/// An event on a lane; `event` indexes the events of its model's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    pub t_ms: i64,
    pub mark: Mark,
    pub event: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    pub kind: LaneKind,
    pub segments: Vec<Segment>,
    pub markers: Vec<Marker>,
}

impl Lane {
    /// The lane's name, as the label column shows it.
    pub fn name(&self) -> String {
        match &self.kind {
            LaneKind::Token => "token".into(),
            LaneKind::Privilege(name) => name.clone(),
            LaneKind::Client(id) => format!("client·{id}"),
            LaneKind::Endpoint => "endpoint".into(),
            LaneKind::Sdk => "sdk".into(),
            LaneKind::Server => "server".into(),
        }
    }

    /// The bar at offset `t_ms`, if any.
    pub fn bar_at(&self, t_ms: i64) -> Option<Bar> {
        self.segments
            .iter()
            .find(|s| s.from_ms <= t_ms && t_ms < s.to_ms)
            .map(|s| s.bar)
    }
}

/// One model's timeline under the scenario.
#[derive(Debug, Clone)]
pub struct Played {
    pub model: Playable,
    pub events: Vec<Event>,
}

/// The whole picture: the axis (iat at 0 to `end_ms`), exp, and the lanes.
#[derive(Debug, Clone)]
pub struct Picture {
    pub end_ms: i64,
    pub exp_ms: i64,
    pub lanes: Vec<Lane>,
}

impl Picture {
    /// The picture of `played` (one model, or several side by side) on a token of `times`
    /// under `scenario`. With several models, each gets its own client lane, and the endpoint
    /// and server lanes are the first model's.
    pub fn of(times: &TokenTimes, scenario: &Scenario, played: &[Played], end_ms: i64) -> Picture {
        let exp_ms = times.ttl_ms();
        let validity = |ends: i64| {
            vec![
                Segment {
                    from_ms: 0,
                    to_ms: ends,
                    bar: Bar::Valid,
                },
                Segment {
                    from_ms: ends.max(0),
                    to_ms: end_ms,
                    bar: Bar::Expired,
                },
            ]
        };
        let mut lanes = vec![Lane {
            kind: LaneKind::Token,
            segments: validity(exp_ms),
            markers: Vec::new(),
        }];
        for privilege in &times.privileges {
            lanes.push(Lane {
                kind: LaneKind::Privilege(privilege.name.clone()),
                segments: validity(times.offset_of(privilege.ends)),
                markers: Vec::new(),
            });
        }
        for one in played {
            lanes.push(client_lane(one, end_ms));
        }
        let Some(first) = played.first() else {
            return Picture {
                end_ms,
                exp_ms,
                lanes,
            };
        };
        let fetches = first
            .model
            .model
            .inputs()
            .contains(&ScenarioInput::EndpointOutage);
        let mut endpoint = Lane {
            kind: if fetches {
                LaneKind::Endpoint
            } else {
                LaneKind::Sdk
            },
            segments: if fetches {
                endpoint_segments(scenario, end_ms)
            } else {
                Vec::new()
            },
            markers: Vec::new(),
        };
        let mut server = Lane {
            kind: LaneKind::Server,
            segments: Vec::new(),
            markers: Vec::new(),
        };
        for (index, event) in first.events.iter().enumerate() {
            let marker = Marker {
                t_ms: event.t_ms,
                mark: Mark::of(event),
                event: index,
            };
            match event.actor {
                Actor::Sdk | Actor::AuthEndpoint
                    if event.presence.is_none() && !event.event.starts_with("endpoint-") =>
                {
                    endpoint.markers.push(marker)
                }
                Actor::Server | Actor::Simulator => server.markers.push(marker),
                _ => {}
            }
        }
        if fetches || !endpoint.markers.is_empty() {
            lanes.push(endpoint);
        }
        lanes.push(server);
        Picture {
            end_ms,
            exp_ms,
            lanes,
        }
    }

    /// The bars and marks the picture holds, for its legend, in the legend's order.
    pub fn legend(&self) -> (Vec<Bar>, Vec<Mark>) {
        let mut bars: Vec<Bar> = Vec::new();
        for segment in self.lanes.iter().flat_map(|l| &l.segments) {
            if segment.to_ms > segment.from_ms && !bars.contains(&segment.bar) {
                bars.push(segment.bar);
            }
        }
        let marks = Mark::ALL
            .into_iter()
            .filter(|m| {
                self.lanes
                    .iter()
                    .flat_map(|l| &l.markers)
                    .any(|x| x.mark == *m)
            })
            .collect();
        (bars, marks)
    }
}

/// The client's connection: a bar per state it passes through, a marker where an event moved
/// it or where it acted.
fn client_lane(played: &Played, end_ms: i64) -> Lane {
    let mut segments = Vec::new();
    let mut markers = Vec::new();
    let mut state: Option<(i64, Presence)> = None;
    for (index, event) in played.events.iter().enumerate() {
        if let Some(presence) = event.presence {
            if let Some((from, was)) = state {
                close(&mut segments, from, event.t_ms, was);
            }
            state = Some((event.t_ms, presence));
        }
        if event.presence.is_some() || event.actor == Actor::Client {
            markers.push(Marker {
                t_ms: event.t_ms,
                mark: Mark::of(event),
                event: index,
            });
        }
    }
    if let Some((from, was)) = state {
        close(&mut segments, from, end_ms.max(from), was);
    }
    Lane {
        kind: LaneKind::Client(played.model.id),
        segments,
        markers,
    }
}

/// Ends the client's stretch in `presence` (none while it is not in yet), joining it to the
/// one before when they are the same bar.
fn close(segments: &mut Vec<Segment>, from: i64, to: i64, presence: Presence) {
    let bar = match presence {
        Presence::NotJoined => return,
        Presence::Connected => Bar::Connected,
        Presence::Reconnecting { .. } => Bar::Reconnecting,
        Presence::Out => Bar::Out,
    };
    if let Some(last) = segments.last_mut()
        && last.bar == bar
        && last.to_ms == from
    {
        last.to_ms = to;
    } else {
        segments.push(Segment {
            from_ms: from,
            to_ms: to,
            bar,
        });
    }
}

/// Up and down, from the scenario's outage (given only a comeback, it was down from iat).
fn endpoint_segments(scenario: &Scenario, end_ms: i64) -> Vec<Segment> {
    let (down, up) = match (scenario.endpoint_down_at, scenario.endpoint_up_at) {
        (None, None) => (end_ms, end_ms),
        (None, Some(up)) => (0, up),
        (Some(down), up) => (down, up.unwrap_or(end_ms).max(down)),
    };
    [
        (0, down, Bar::EndpointUp),
        (down, up, Bar::EndpointDown),
        (up, end_ms, Bar::EndpointUp),
    ]
    .into_iter()
    .filter(|(from, to, _)| to > from)
    .map(|(from_ms, to_ms, bar)| Segment {
        from_ms,
        to_ms,
        bar,
    })
    .collect()
}

/// What the scenario's own client is doing at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientNow {
    pub presence: Presence,
    /// Since when, and the event that put it there (none before it joins).
    pub since: Option<(i64, &'static str)>,
    pub verdict: Verdict,
}

impl ClientNow {
    /// A few words on the state: "connected since +00:00", "reconnecting (attempt 2 next)".
    pub fn state_words(&self) -> String {
        let since = self
            .since
            .map(|(t, _)| format!(" since {}", format_offset(t)))
            .unwrap_or_default();
        match self.presence {
            Presence::NotJoined => "not joined".into(),
            Presence::Connected => format!("connected{since}"),
            Presence::Reconnecting { attempt } => {
                format!("reconnecting{since}, attempt {attempt} next")
            }
            Presence::Out => match self.since {
                Some((t, "kicked")) => format!("kicked at {}", format_offset(t)),
                Some((t, _)) => format!("disconnected since {}", format_offset(t)),
                None => "disconnected".into(),
            },
        }
    }
}

/// Where the scenario's client is at `now_ms`, from its timeline: the last event at or
/// before then that moved it.
pub fn client_at(events: &[Event], scenario: &Scenario, now_ms: i64) -> ClientNow {
    let last = events
        .iter()
        .filter(|e| e.t_ms <= now_ms)
        .rfind(|e| e.presence.is_some());
    match last {
        Some(event) => {
            let presence = event.presence.unwrap_or(Presence::NotJoined);
            ClientNow {
                presence,
                since: Some((event.t_ms, event.event)),
                verdict: Verdict {
                    in_session: presence == Presence::Connected,
                    outcome: event.outcome.clone(),
                    confidence: event.confidence,
                },
            }
        }
        None => {
            let outcome = match scenario.join_at {
                Some(t) if t > now_ms => format!("joins at {}", format_offset(t)),
                Some(_) => "has not got in".into(),
                None => "nobody joins in this scenario".into(),
            };
            ClientNow {
                presence: Presence::NotJoined,
                since: None,
                verdict: Verdict {
                    in_session: false,
                    outcome,
                    confidence: Confidence::Documented,
                },
            }
        }
    }
}

/// What a client joining at `t_ms` gets in this scenario's world (its endpoint outage and what
/// the endpoint hands out; not the scenario client's own drops and kicks): the model plays
/// that join, and its words at the instant are the answer.
pub fn joining_at(
    model: &dyn LifetimeModel,
    times: &TokenTimes,
    scenario: &Scenario,
    t_ms: i64,
) -> Verdict {
    let world = Scenario {
        join_at: Some(t_ms),
        drop_at: None,
        offline_for: 0,
        force_disconnect_at: None,
        renew_at: None,
        until: Some(t_ms),
        ..scenario.clone()
    };
    let events = model.simulate(times, &world);
    let at: Vec<&Event> = events
        .iter()
        .filter(|e| e.t_ms == t_ms && matches!(e.actor, Actor::Client | Actor::Sdk))
        .collect();
    let Some(settled) = at.iter().rfind(|e| e.presence.is_some()) else {
        return model.status_at(times, t_ms).joining;
    };
    let outcome = at
        .iter()
        .map(|e| e.outcome.as_str())
        .collect::<Vec<_>>()
        .join("; then ");
    Verdict {
        in_session: settled.presence == Some(Presence::Connected),
        outcome,
        confidence: settled.confidence,
    }
}

#[cfg(test)]
mod tests;
