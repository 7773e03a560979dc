//! Helpers for the lifetime models' tests.

use super::{Event, LifetimeModel, Scenario, Status, TokenTimes};

/// 2026-11-22T10:15:40Z.
const IAT: i64 = 1_795_342_540;

pub(crate) fn token(ttl_secs: i64) -> TokenTimes {
    TokenTimes::from_unix(IAT, IAT + ttl_secs).expect("a time in range")
}

pub(crate) fn secs(s: i64) -> i64 {
    s * 1_000
}

pub(crate) fn simulate(
    model: &dyn LifetimeModel,
    times: &TokenTimes,
    scenario: &Scenario,
) -> Vec<Event> {
    model.simulate(times, scenario)
}

pub(crate) fn status_at(model: &dyn LifetimeModel, times: &TokenTimes, t_ms: i64) -> Status {
    model.status_at(times, t_ms)
}

/// Each event as (whole seconds, actor, event, confidence); the detail the tests compare.
pub(crate) fn outline(events: &[Event]) -> Vec<(i64, &'static str, &'static str, &'static str)> {
    events
        .iter()
        .map(|e| {
            assert_eq!(e.t_ms % 1_000, 0, "{e:?} is not on a whole second");
            (
                e.t_ms / 1_000,
                e.actor.as_str(),
                e.event,
                e.confidence.as_str(),
            )
        })
        .collect()
}
