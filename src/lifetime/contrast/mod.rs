//! Contrast models: platforms the lab compares with before tokenbench mints their tokens.

mod agora;
mod livekit;

use super::Playable;

pub(super) static MODELS: [Playable; 2] = [
    Playable {
        id: "agora",
        model: &agora::MODEL,
        default_ttl: 900, // the builder's default
    },
    Playable {
        id: "livekit",
        model: &livekit::MODEL,
        default_ttl: 21_600, // 6 h
    },
];
