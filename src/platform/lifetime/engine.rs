//! A tiny discrete-event loop shared by every model: an agenda of steps ordered by time
//! (ties in the order they were scheduled), bounded by `until` and by hard caps.

use super::rng::SplitMix64;
use super::{Actor, Confidence, Event, Presence, Scenario, TokenTimes};

/// More steps than any real scenario needs (an endpoint down for days with retries every
/// 10–12 s is about 8 000 a day); reaching it ends the run with a note.
const MAX_STEPS: usize = 100_000;
/// Keeps a pathological scenario (a 21 s Relaybox token over a year) from building a huge Vec.
const MAX_EVENTS: usize = 1_000;

/// Something that happens at an instant: a scenario input, the token's exp, or a model's timer.
pub(crate) enum Step<T> {
    EndpointDown,
    EndpointUp,
    Exp,
    Join,
    Renew,
    Drop,
    ForceDisconnect,
    NetworkBack,
    Timer(T),
}

/// What a model sees while it handles a step: the token, the scenario, the agenda and the output.
pub(crate) struct Cx<T> {
    /// exp's offset from iat, which is also the token's lifetime.
    pub exp: i64,
    pub offline_for: i64,
    pub rng: SplitMix64,
    agenda: Vec<(i64, u64, Step<T>)>,
    next_seq: u64,
    events: Vec<Event>,
}

impl<T> Cx<T> {
    pub fn schedule(&mut self, t: i64, step: Step<T>) {
        self.agenda.push((t, self.next_seq, step));
        self.next_seq += 1;
    }

    pub fn emit(
        &mut self,
        t: i64,
        actor: Actor,
        event: &'static str,
        outcome: impl Into<String>,
        confidence: Confidence,
    ) {
        self.events.push(Event {
            t_ms: t,
            actor,
            event,
            outcome: outcome.into(),
            confidence,
            presence: None,
        });
    }

    fn next(&mut self) -> Option<(i64, Step<T>)> {
        // The agenda holds a handful of entries, so a scan beats a heap in clarity and speed.
        let (index, _) = self
            .agenda
            .iter()
            .enumerate()
            .min_by_key(|(_, (t, seq, _))| (*t, *seq))?;
        let (t, _, step) = self.agenda.swap_remove(index);
        Some((t, step))
    }
}

pub(crate) trait Lifecycle {
    type Timer;
    /// Agora: the scenario's `renew_at` applies.
    const RENEWS: bool = false;
    /// Relaybox: the scenario's endpoint outage applies.
    const FETCHES: bool = false;

    fn handle(&mut self, cx: &mut Cx<Self::Timer>, t: i64, step: Step<Self::Timer>);

    /// Where the client is now (read after every step to mark the events that moved it).
    fn presence(&self) -> Presence;
}

pub(crate) fn run<L: Lifecycle>(
    mut model: L,
    times: &TokenTimes,
    scenario: &Scenario,
) -> Vec<Event> {
    let exp = times.ttl_ms();
    let until = scenario.end(times);
    let mut cx = Cx {
        exp,
        offline_for: scenario.offline_for.max(0),
        rng: SplitMix64::new(scenario.seed),
        agenda: Vec::new(),
        next_seq: 0,
        events: Vec::new(),
    };
    // Scheduling order settles ties: the endpoint and exp change the world before the client
    // acts at the same instant, so a join exactly at exp meets an expired token.
    let inputs = [
        (
            scenario.endpoint_down_at.filter(|_| L::FETCHES),
            Step::EndpointDown,
        ),
        (
            scenario.endpoint_up_at.filter(|_| L::FETCHES),
            Step::EndpointUp,
        ),
        (Some(exp), Step::Exp),
        (scenario.join_at, Step::Join),
        (scenario.renew_at.filter(|_| L::RENEWS), Step::Renew),
        (scenario.drop_at, Step::Drop),
        (scenario.force_disconnect_at, Step::ForceDisconnect),
    ];
    for (at, step) in inputs {
        if let Some(t) = at {
            cx.schedule(t, step);
        }
    }

    let mut steps = 0;
    let mut presence = model.presence();
    while let Some((t, step)) = cx.next() {
        if t > until {
            break;
        }
        if steps == MAX_STEPS || cx.events.len() >= MAX_EVENTS {
            cx.emit(
                t,
                Actor::Simulator,
                "truncated",
                format!(
                    "simulation stopped here after {steps} steps and {} events",
                    cx.events.len()
                ),
                Confidence::Documented,
            );
            break;
        }
        steps += 1;
        let before = cx.events.len();
        model.handle(&mut cx, t, step);
        let now = model.presence();
        if now != presence
            && let Some(last) = cx.events[before..].last_mut()
        {
            last.presence = Some(now);
            presence = now;
        }
    }
    cx.events
}
