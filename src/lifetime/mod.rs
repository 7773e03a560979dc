//! Lifetime lab: what a token's expiry does on each platform, played on the platforms' own
//! lifetime models (each in its platform's folder, written against `platform::lifetime`), and
//! shown as a table, as JSON, or on the workbench's lab screen.

pub mod picture;
pub mod svg;
mod table;

#[cfg(test)]
mod tests;

pub use crate::platform::lifetime::{
    Actor, Confidence, EndpointTokens, Event, LifetimeModel, Presence, PrivilegeTime, Scenario,
    ScenarioInput, Status, TokenTimes, Verdict, format_offset,
};
pub use table::{EventJson, render_table, to_json};

use crate::platform::{self, Platform};

/// A model the lab can play: a platform's.
#[derive(Clone, Copy)]
pub struct Playable {
    pub id: &'static str,
    pub model: &'static dyn LifetimeModel,
    /// The lifetime a token gets when none is asked for, in seconds.
    pub default_ttl: i64,
}

impl std::fmt::Debug for Playable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

impl PartialEq for Playable {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// Every model the lab plays: the platforms', in the registry's order.
pub fn playable() -> Vec<Playable> {
    platform::ALL
        .iter()
        .map(|p| Playable {
            id: p.id(),
            model: p.lifetime(),
            default_ttl: p.default_ttl(),
        })
        .collect()
}

/// The model of the platform with this id.
pub fn playable_by_id(id: &str) -> Option<Playable> {
    playable().into_iter().find(|p| p.id == id)
}

/// The lifetime model of the platform with this id.
pub fn model(id: &str) -> Option<&'static dyn LifetimeModel> {
    playable_by_id(id).map(|p| p.model)
}

/// The model of a platform.
pub fn of(platform: &dyn Platform) -> &'static dyn LifetimeModel {
    platform.lifetime()
}

/// The ids of the models that take `input`, for messages.
pub fn ids_with(input: ScenarioInput) -> Vec<&'static str> {
    playable()
        .into_iter()
        .filter(|p| p.model.inputs().contains(&input))
        .map(|p| p.id)
        .collect()
}
