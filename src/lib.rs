//! tokenbench: a workbench for realtime and video platform auth tokens.

pub mod lifetime;
