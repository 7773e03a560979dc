//! `GET /ably/auth?clientId=…`: an `authUrl` for ably-js. It answers a TokenRequest as
//! `application/json` (ably-js then trades it with Ably), or with `?format=jwt` an Ably JWT as
//! `application/jwt` (used as the token as it is) — the two answers ably-js's `authUrl` takes
//! that need no call to Ably (`auth.ts`, `_requestTokenImpl`). It reads the token params ably-js
//! sends along (`clientId`, `ttl` in ms, `capability` as JSON) from the query, or from a JSON
//! body on POST.

use serde_json::Value;

use super::{CLIENT_ID, EXPIRY, FORMAT, PERMISSIONS, rooms_of_json};
use crate::duration::Expiry;
use crate::platform::endpoint::{
    Answer, Body, ForeignBody, Method, Minting, Request, Route, ValidationError, client_id,
    refused, shown, whole_number,
};
use crate::platform::{FieldValue, RoomPermission};

pub(super) static ROUTES: &[Route] = &[Route {
    methods: &[Method::Get, Method::Post],
    path: "/ably/auth",
    // ably-js's authMethod POST sends a form body: its params are then on the URL only.
    foreign_body: ForeignBody::Unread,
    about: "ably-js authUrl (clientId, ttl, capability) → a TokenRequest, or with ?format=jwt an Ably JWT as application/jwt",
    handler: answer,
}];

/// A parameter from the query, else from the JSON body.
fn param(request: &Request, name: &str) -> Option<Value> {
    request
        .query(name)
        .map(|text| Value::String(text.to_string()))
        .or_else(|| request.body().get(name).cloned())
}

fn answer(minting: &Minting, request: &Request) -> Answer {
    let mut errors = Vec::new();
    let mut form = minting.form.clone();
    let jwt = match param(request, "format") {
        None => false,
        Some(Value::String(format)) if format == "jwt" => true,
        Some(Value::String(format)) if format == "token-request" => false,
        Some(other) => {
            errors.push(ValidationError::new(
                "format",
                format!("Value {} not allowed, must be jwt or token-request", shown(&other)),
            ));
            false
        }
    };
    form.set_text(FORMAT, if jwt { "jwt" } else { "token-request" });
    match param(request, "clientId") {
        Some(Value::String(id)) => match client_id("clientId", &id) {
            Ok(id) => form.set_text(CLIENT_ID, id),
            Err(error) => errors.push(error),
        },
        Some(other) => errors.push(ValidationError::new(
            "clientId",
            format!("Value {} not allowed, must be of type string", shown(&other)),
        )),
        None => {}
    }
    if let Some(ttl) = param(request, "ttl") {
        match whole_number(&ttl, "ttl") {
            Ok(ms) if ms >= 1000 => {
                form.set(EXPIRY, FieldValue::Expiry(Expiry::After(ms / 1000)));
            }
            Ok(ms) => errors.push(ValidationError::new(
                "ttl",
                format!("Value {ms} not allowed: ttl is in milliseconds, 1000 or more"),
            )),
            Err(error) => errors.push(error),
        }
    }
    if let Some(capability) = param(request, "capability") {
        match rooms(&capability) {
            Some(rooms) => form.set(PERMISSIONS, FieldValue::Rooms(rooms)),
            None => errors.push(ValidationError::new(
                "capability",
                format!(
                    "Value {} not allowed, must be JSON of resource → operations, such as {{\"*\":[\"subscribe\"]}}",
                    shown(&capability)
                ),
            )),
        }
    }
    if !errors.is_empty() {
        let id = Some(form.text(CLIENT_ID).to_string()).filter(|id| !id.is_empty());
        return refused(400, id, errors);
    }
    minting.answer_as(200, &form, |minted| Body::Text {
        content_type: if jwt {
            "application/jwt"
        } else {
            "application/json"
        },
        text: minted.token.clone(),
    })
}

/// The rooms of a capability given as JSON text (or, in a JSON body, as an object).
fn rooms(capability: &Value) -> Option<Vec<RoomPermission>> {
    match capability {
        Value::String(text) => rooms_of_json(&serde_json::from_str(text).ok()?),
        other => rooms_of_json(other),
    }
}
