//! `GET /twilio/token?identity=&room=`, or `POST` the same fields as JSON: `{identity, token}`,
//! the answer of Twilio's voice quickstart (TwilioDevEd/voice-javascript-sdk-quickstart-node,
//! `src/handler.js`), with the identity and Video room a client asks for, as the video quickstart
//! takes them (twilio/video-quickstart-js, `server/index.js`).

use serde_json::json;

use super::{CLIENT_ID, TOPIC};
use crate::platform::endpoint::{
    Answer, ForeignBody, Method, Minting, Request, Route, ValidationError, client_id, refused,
    string,
};

pub(super) static ROUTES: &[Route] = &[Route {
    methods: &[Method::Get, Method::Post],
    path: "/twilio/token",
    foreign_body: ForeignBody::Refuse,
    about: "identity and room from the query or a JSON body → {identity, token}",
    handler: answer,
}];

fn answer(minting: &Minting, request: &Request) -> Answer {
    let mut errors = Vec::new();
    let body = request.body();
    let mut asked = |name: &str| match request.query(name) {
        Some(value) => Some(value.to_string()),
        None => string(body, name, &mut errors),
    };
    let identity = asked("identity");
    let room = asked("room");
    let mut form = minting.form.clone();
    if let Some(identity) = identity.filter(|id| !id.is_empty()) {
        match client_id("identity", &identity) {
            Ok(id) => form.set_text(CLIENT_ID, id),
            Err(error) => errors.push(error),
        }
    }
    if let Some(room) = room {
        form.set_text(TOPIC, room);
    }
    let identity = form.text(CLIENT_ID).to_string();
    if errors.is_empty() && identity.is_empty() {
        // twilio-node refuses to mint without one ("identity is required to be specified in options").
        errors.push(ValidationError::new(
            "identity",
            "Property required: give ?identity= (or set an identity in the settings)",
        ));
    }
    if !errors.is_empty() {
        return refused(400, Some(identity).filter(|i| !i.is_empty()), errors);
    }
    minting.answer(&form, |minted| {
        json!({ "identity": identity, "token": minted.token })
    })
}
