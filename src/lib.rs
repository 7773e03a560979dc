//! tokenbench: a workbench for the auth tokens of realtime and video platforms.
//!
//! Layers, each depending only on those before it: [`clock`], [`duration`] and [`text`] →
//! [`secret`] → [`token`] formats → [`platform`] (each platform a folder: fields, rules, lifetime
//! model, endpoints) and [`report`] → [`lifetime`] (the lab, playing the platforms' models) →
//! front ends ([`cli`], [`tui`], [`serve`]).

#![deny(
    clippy::unwrap_used,
    clippy::dbg_macro,
    clippy::todo,
    dead_code,
    unsafe_code,
    unused_must_use
)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod cli;
pub mod clock;
pub mod duration;
pub mod findings;
pub mod lifetime;
pub mod platform;
pub mod report;
pub mod secret;
pub mod serve;
pub mod text;
pub mod token;
pub mod tui;
