//! `POST /livekit/token`: LiveKit's standardized token endpoint (docs.livekit.io, "Endpoint
//! token generation"), which the client SDKs' endpoint `TokenSource` calls. The optional JSON
//! body names `room_name`, `participant_identity`, `participant_name`, `participant_metadata`,
//! `participant_attributes` and `room_config`; the answer is 201 `{server_url,
//! participant_token}`. A field the settings do not let a request set is refused with 403, as the
//! docs ask ("for fields clients aren't allowed to set, return a 4xx status code").

use serde_json::{Map, Value, json};

use super::{ATTRIBUTES, CLIENT_ID, METADATA, NAME, REQUEST_MAY_SET, ROOM_CONFIG, TOPIC, URL};
use crate::platform::endpoint::{
    Answer, ForeignBody, Method, Minting, Request, Route, ValidationError, client_id, refused,
    shown, string,
};
use crate::platform::FieldValue;

pub(super) static ROUTES: &[Route] = &[Route {
    methods: &[Method::Post],
    path: "/livekit/token",
    foreign_body: ForeignBody::Refuse,
    about: "LiveKit's standard token endpoint: optional JSON {room_name, participant_identity, participant_name, participant_metadata, participant_attributes, room_config} → 201 {server_url, participant_token}",
    handler: answer,
}];

/// Every body field the endpoint reads, in the docs' order.
pub(super) const BODY_FIELDS: [&str; 6] = [
    "room_name",
    "participant_identity",
    "participant_name",
    "participant_metadata",
    "participant_attributes",
    "room_config",
];

/// [`BODY_FIELDS`] as the `request-may-set` setting writes them: all allowed by default.
pub(super) const BODY_FIELDS_TEXT: &str = "room_name,participant_identity,participant_name,participant_metadata,participant_attributes,room_config";

/// The URL `livekit-server --dev` listens on, when the settings name no server.
const DEV_SERVER_URL: &str = "ws://localhost:7880";

fn answer(minting: &Minting, request: &Request) -> Answer {
    let body = request.body();
    let allowed: Vec<&str> = minting
        .form
        .text(REQUEST_MAY_SET)
        .split(',')
        .map(str::trim)
        .collect();
    let refused_fields: Vec<ValidationError> = BODY_FIELDS
        .iter()
        .filter(|name| body.get(**name).is_some_and(|v| !v.is_null()))
        .filter(|name| !allowed.contains(name))
        .map(|name| {
            ValidationError::new(
                name,
                "the settings do not let a request set this field (tokenbench serve --request-may-set)",
            )
        })
        .collect();
    if !refused_fields.is_empty() {
        return refused(403, None, refused_fields);
    }
    let mut errors = Vec::new();
    let mut form = minting.form.clone();
    if let Some(room) = string(body, "room_name", &mut errors) {
        form.set_text(TOPIC, room);
    }
    if let Some(identity) = string(body, "participant_identity", &mut errors) {
        match client_id("participant_identity", &identity) {
            Ok(identity) => form.set_text(CLIENT_ID, identity),
            Err(error) => errors.push(error),
        }
    }
    if let Some(name) = string(body, "participant_name", &mut errors) {
        form.set_text(NAME, name);
    }
    if let Some(metadata) = string(body, "participant_metadata", &mut errors) {
        form.set_text(METADATA, metadata);
    }
    match body.get("participant_attributes") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => match attributes(map) {
            Ok(pairs) => form.set(ATTRIBUTES, FieldValue::Pairs(pairs)),
            Err(error) => errors.push(error),
        },
        Some(other) => errors.push(ValidationError::new(
            "participant_attributes",
            format!(
                "Value {} not allowed, must be an object of strings",
                shown(other)
            ),
        )),
    }
    match body.get("room_config") {
        None | Some(Value::Null) => {}
        Some(config @ Value::Object(_)) => form.set_text(ROOM_CONFIG, config.to_string()),
        Some(other) => errors.push(ValidationError::new(
            "room_config",
            format!(
                "Value {} not allowed, must be a RoomConfiguration object",
                shown(other)
            ),
        )),
    }
    let identity = form.text(CLIENT_ID).to_string();
    if !errors.is_empty() {
        return refused(400, Some(identity).filter(|i| !i.is_empty()), errors);
    }
    let server_url = match minting.form.text(URL) {
        "" => DEV_SERVER_URL.to_string(),
        url => url.to_string(),
    };
    minting.answer_with(201, &form, |minted| {
        json!({ "server_url": server_url, "participant_token": minted.token })
    })
}

fn attributes(map: &Map<String, Value>) -> Result<Vec<(String, String)>, ValidationError> {
    map.iter()
        .map(|(name, value)| match value {
            Value::String(text) => Ok((name.clone(), text.clone())),
            other => Err(ValidationError::new(
                "participant_attributes",
                format!(
                    "Value {} of {} not allowed, must be of type string",
                    shown(other),
                    shown(&Value::String(name.clone()))
                ),
            )),
        })
        .collect()
}
