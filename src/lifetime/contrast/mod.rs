//! Contrast models: platforms the lab compares with before tokenbench mints their tokens.

mod livekit;

use super::Playable;

pub(super) static MODELS: [Playable; 1] = [Playable {
    id: "livekit",
    model: &livekit::MODEL,
    default_ttl: 21_600, // 6 h
}];
