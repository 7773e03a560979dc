//! tokenbench: a workbench for the auth tokens of realtime and video platforms.
//!
//! Layers, each depending only on those before it: [`clock`] and [`duration`] → [`secret`] →
//! [`token`] formats → [`platform`] rules and [`report`] → [`lifetime`] models → front ends ([`cli`]).

pub mod cli;
pub mod clock;
pub mod duration;
pub mod findings;
pub mod lifetime;
pub mod platform;
pub mod report;
pub mod secret;
pub mod serve;
pub mod token;
pub mod tui;
