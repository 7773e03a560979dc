//! `POST /vonage/token` (and OpenTok's `POST /opentok/token`): the options of `@vonage/video`
//! `generateClientToken` (or `opentok` `generateToken`) as a JSON body, each optional; what is
//! not sent comes from the settings' form.

use chrono::DateTime;
use serde_json::{Value, json};

use super::family::{CONNECTION_DATA_MAX, MAX_TTL, session_id_key, wire_role};
use super::{CLAIMS, DATA, EXPIRY, ROLE, TOPIC};
use crate::duration::Expiry;
use crate::platform::FieldValue;
use crate::platform::endpoint::{
    Answer, ForeignBody, Method, Minting, Request, Route, ValidationError, refused, shown, string,
    whole_number,
};

pub(super) static ROUTES: &[Route] = &[Route {
    methods: &[Method::Post],
    path: "/vonage/token",
    foreign_body: ForeignBody::Refuse,
    about: "{sessionId, role, data, expireTime, initialLayoutClassList} → {token, applicationId}",
    handler: vonage,
}];

fn vonage(minting: &Minting, request: &Request) -> Answer {
    video_token(minting, request, Family::Vonage)
}

/// Which of the family's two token routes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// Answered with `applicationId`.
    Vonage,
    /// Answered with `apiKey`; the session must belong to the key.
    Opentok,
}

/// `{sessionId, role, data, expireTime, initialLayoutClassList}`, each optional.
pub(crate) fn video_token(minting: &Minting, request: &Request, family: Family) -> Answer {
    let body = request.body();
    let mut form = minting.form.clone();
    let mut errors = Vec::new();
    let key = &minting.prepared.credentials.key;
    let now = minting.now;
    if let Some(session_id) = string(body, "sessionId", &mut errors) {
        let owner = session_id_key(&session_id);
        if family == Family::Opentok && owner.as_deref() != Some(key.as_str()) {
            // opentok-node refuses too: "Token cannot be generated unless the session belongs to the API Key".
            errors.push(ValidationError::new(
                "sessionId",
                match owner {
                    Some(owner) => format!("the session belongs to API key {owner}, not {key}"),
                    None => "the session id does not decode as a session of this API key".to_string(),
                },
            ));
        }
        form.set_text(TOPIC, session_id);
    }
    if let Some(role) = string(body, "role", &mut errors) {
        match wire_role(&role) {
            Ok(_) => form.set_text(ROLE, role),
            Err(reason) => errors.push(ValidationError::new("role", reason)),
        }
    }
    if let Some(data) = string(body, "data", &mut errors) {
        let length = data.chars().count();
        if length > CONNECTION_DATA_MAX {
            errors.push(ValidationError::new(
                "data",
                format!(
                    "Value exceeds max length. Got {length}, expected less than or equal to {CONNECTION_DATA_MAX}"
                ),
            ));
        }
        form.set_text(DATA, data);
    }
    if let Some(value) = body.get("expireTime") {
        match whole_number(value, "expireTime") {
            Err(error) => errors.push(error),
            Ok(seconds) => {
                let latest = now.timestamp() + MAX_TTL;
                if seconds <= now.timestamp() || seconds > latest {
                    errors.push(ValidationError::new(
                        "expireTime",
                        format!(
                            "Value must be a unix time in the next 30 days, between {} and {latest}, got {seconds}",
                            now.timestamp() + 1
                        ),
                    ));
                } else if let Some(at) = DateTime::from_timestamp(seconds, 0) {
                    form.set(EXPIRY, FieldValue::Expiry(Expiry::At(at)));
                }
            }
        }
    }
    if let Some(value) = body.get("initialLayoutClassList") {
        let classes = match value {
            Value::String(text) => Some(text.clone()),
            Value::Array(items) if items.iter().all(Value::is_string) => Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            other => {
                errors.push(ValidationError::new(
                    "initialLayoutClassList",
                    format!(
                        "Value {} not allowed, must be of type string array",
                        shown(other)
                    ),
                ));
                None
            }
        };
        if let Some(classes) = classes {
            // The SDKs send the list space-separated (PLATFORMS.md §2.5).
            let mut claims = form.extra_claims().to_vec();
            claims.push((
                "initial_layout_class_list".to_string(),
                Value::from(classes),
            ));
            form.set(CLAIMS, FieldValue::Claims(claims));
        }
    }
    if !errors.is_empty() {
        return refused(400, None, errors);
    }
    minting.answer(&form, |minted| match family {
        Family::Vonage => json!({ "token": minted.token, "applicationId": key }),
        Family::Opentok => json!({ "token": minted.token, "apiKey": key }),
    })
}
