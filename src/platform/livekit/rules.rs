//! LiveKit's rules (PLATFORMS.md §10; livekit/protocol `auth/grants.go`, `auth/verifier.go`;
//! livekit-server-sdk `AccessToken.ts`): what the server refuses in an access token, and what its
//! grants mean once the server fills in what is unset.

use serde_json::{Map, Value};

use super::{ATTRIBUTES, CLIENT_ID, EXPIRY, GRANTS, ROOM_CONFIG, SOURCES, TOPIC, effective};
use crate::findings::Finding;
use crate::platform::field::ids;
use crate::token::Decoded;

/// Names in a room configuration's egress settings that hold a storage or stream credential
/// (livekit/protocol `livekit_egress.proto`: S3, GCP, Azure, AliOSS uploads; stream keys).
const SECRET_NAMES: [&str; 8] = [
    "secret",
    "access_key",
    "accessKey",
    "credentials",
    "account_key",
    "accountKey",
    "session_token",
    "sessionToken",
];

pub(super) fn rules(decoded: &Decoded) -> Vec<Finding> {
    let Decoded::Jwt(jwt) = decoded else {
        return vec![Finding::error(
            "livekit.format",
            ids::FORMAT,
            "a LiveKit access token is a JWT signed HS256 with the API secret",
        )];
    };
    let mut findings = Vec::new();
    if jwt.alg_name() != Some("HS256") {
        findings.push(Finding::error(
            "livekit.alg",
            ids::TOKEN,
            format!(
                "the token is signed {}: LiveKit's server accepts HS256 only (livekit-server-sdk's TokenVerifier would take HS384/HS512 too); sign it HS256",
                jwt.alg_name().unwrap_or("with no alg")
            ),
        ));
    }
    if decoded.claim("exp").is_none() {
        findings.push(Finding::error(
            "livekit.exp-required",
            EXPIRY,
            "the token has no exp: LiveKit's server and both SDKs' verifiers require one; give it an expiry",
        ));
    }
    let video = match decoded.claim("video") {
        Some(Value::Object(video)) => Some(video),
        _ => None,
    };
    if let Some(video) = &video {
        video_rules(decoded, video, &mut findings);
    }
    room_config_rules(decoded.claim("roomConfig"), &mut findings);
    match decoded.claim("attributes") {
        None => {}
        Some(Value::Object(map)) if map.values().all(Value::is_string) => {}
        Some(_) => findings.push(Finding::error(
            "livekit.attributes",
            ATTRIBUTES,
            "attributes must be an object of strings (string → string): the server cannot read other values; write numbers and flags as text",
        )),
    }
    findings
}

fn video_rules(decoded: &Decoded, video: &Map<String, Value>, findings: &mut Vec<Finding>) {
    let joins = video.get("roomJoin") == Some(&Value::Bool(true));
    let identity = decoded.claim("sub").filter(|s| s.as_str() != Some(""));
    if joins && identity.is_none() {
        if decoded.claim("jti").is_some() {
            findings.push(Finding::info(
                "livekit.identity-required",
                CLIENT_ID,
                "no sub: the server takes jti as the participant's identity (livekit-server-sdk refuses to mint this: \"identity is required for join but not set\")",
            ));
        } else {
            findings.push(Finding::error(
                "livekit.identity-required",
                CLIENT_ID,
                "roomJoin without an identity (sub): the server refuses the join (\"identity is required for join but not set\"); give --identity",
            ));
        }
    }
    let room = video.get("room").and_then(Value::as_str).unwrap_or("");
    if joins && room.is_empty() {
        findings.push(Finding::error(
            "livekit.room-missing",
            TOPIC,
            "roomJoin without video.room: the server takes the room to join from the token; give --room",
        ));
    }
    let can_publish = video.get("canPublish").and_then(Value::as_bool);
    let sources = video
        .get("canPublishSources")
        .and_then(Value::as_array)
        .filter(|s| !s.is_empty());
    if let Some(sources) = sources {
        if can_publish == Some(false) {
            findings.push(Finding::warning(
                "livekit.sources-without-publish",
                SOURCES,
                "canPublishSources is set but canPublish is false: no source can be published; set canPublish=true or drop the sources",
            ));
        }
        if let Some(unknown) = sources
            .iter()
            .find(|s| !s.as_str().is_some_and(|s| super::SOURCES_KNOWN.contains(&s)))
        {
            findings.push(Finding::warning(
                "livekit.source-unknown",
                SOURCES,
                format!(
                    "canPublishSources holds {}, which is not camera, microphone, screen_share or screen_share_audio: the server ignores it",
                    crate::text::escape(&unknown.to_string())
                ),
            ));
        }
    }
    if video.get("canPublishData").is_none() && can_publish.is_some() {
        findings.push(Finding::info(
            "livekit.data-follows-publish",
            GRANTS,
            format!(
                "canPublishData is unset, so it takes canPublish's value: data publishing is {}",
                if can_publish == Some(true) { "on" } else { "off" }
            ),
        ));
    }
    if joins {
        findings.push(Finding::info(
            "livekit.effective-permissions",
            GRANTS,
            format!(
                "as the server reads the grant: {}",
                effective(video).in_words()
            ),
        ));
    }
}

fn room_config_rules(config: Option<Value>, findings: &mut Vec<Finding>) {
    let Some(config) = config else {
        return;
    };
    let Value::Object(config) = config else {
        findings.push(Finding::error(
            "livekit.room-config",
            ROOM_CONFIG,
            "roomConfig must be a JSON object (a RoomConfiguration): the server cannot read it",
        ));
        return;
    };
    if let Some(egress) = config.get("egress")
        && let Some(name) = secret_in(egress)
    {
        findings.push(Finding::error(
            "livekit.room-config",
            ROOM_CONFIG,
            format!(
                "roomConfig.egress holds {}: a token is signed, not encrypted, so every client that holds it can read that credential; set up egress on the server instead",
                crate::text::escape(&name)
            ),
        ));
    }
}

/// The name of the first non-empty credential inside `value`.
fn secret_in(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => map.iter().find_map(|(name, inner)| {
            let filled = match inner {
                Value::String(text) => !text.is_empty(),
                Value::Null => false,
                _ => true,
            };
            if SECRET_NAMES.contains(&name.as_str()) && filled {
                Some(name.clone())
            } else {
                secret_in(inner)
            }
        }),
        Value::Array(items) => items.iter().find_map(secret_in),
        _ => None,
    }
}
