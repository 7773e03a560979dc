//! `GET /relaybox/auth?clientId=…` (or `X-Client-Id`): what relaybox-rest-js's
//! `generateTokenResponse` answers, `{token, expiresIn, expiresAt}` with `expiresAt` in
//! milliseconds, for relaybox-client-js's `authEndpoint`.

use serde_json::json;

use super::CLIENT_ID;
use crate::platform::endpoint::{
    Answer, ForeignBody, Method, Minting, Request, Route, client_id, refused,
};

pub(super) static ROUTES: &[Route] = &[Route {
    // relaybox-client-js fetches with GET unless `authRequestOptions.method` says otherwise.
    methods: &[Method::Get, Method::Post],
    path: "/relaybox/auth",
    foreign_body: ForeignBody::Unread,
    about: "relaybox-client-js authEndpoint (clientId from the query or X-Client-Id) → {token, expiresIn, expiresAt}",
    handler: answer,
}];

fn answer(minting: &Minting, request: &Request) -> Answer {
    let asked = request
        .query("clientId")
        .or_else(|| request.header("x-client-id"));
    let mut form = minting.form.clone();
    // rest-js leaves out a clientId that is empty or "null"; an anonymous client gets none, unless
    // the settings give one.
    if let Some(asked) = asked.filter(|id| !id.is_empty() && *id != "null") {
        match client_id("clientId", asked) {
            Ok(id) => form.set_text(CLIENT_ID, id),
            Err(error) => return refused(400, None, vec![error]),
        }
    }
    let now = minting.now;
    minting.answer(&form, |minted| {
        let expires_in = minted.lifetime_seconds().unwrap_or_default();
        json!({
            "token": minted.token,
            "expiresIn": expires_in,
            // rest-js: Date.now() + expiresIn * 1000.
            "expiresAt": now.timestamp_millis() + expires_in * 1000,
        })
    })
}
