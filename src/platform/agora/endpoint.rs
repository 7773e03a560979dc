//! The routes of Agora's community token server (AgoraIO-Community/Agora-Node-TokenServer, whose
//! routes the Go agora-token-service keeps), under `/agora`: `ping`, `rtc`, `rtm` and `rte` (both
//! tokens). Answers and errors have that server's shapes: `{"rtcToken": …}`, `{"rtmToken": …}`,
//! and 400 `{"error": "role is incorrect"}` and the like.

use serde_json::{Value, json};

use super::{CLIENT_ID, EXPIRY, ROLE, SERVICE, TOPIC};
use crate::duration::Expiry;
use crate::platform::FieldValue;
use crate::platform::endpoint::{
    Answer, Body, ForeignBody, LogEntry, Method, Minted, Minting, Request, Route, client_id,
};

pub(super) static ROUTES: &[Route] = &[
    Route {
        methods: &[Method::Get],
        path: "/agora/ping",
        foreign_body: ForeignBody::Unread,
        about: "Agora community token server ping → {message: pong}",
        handler: ping,
    },
    Route {
        methods: &[Method::Get],
        path: "/agora/rtc/{channel}/{role}/{tokentype}/{uid}",
        foreign_body: ForeignBody::Unread,
        about: "Agora community token server: role publisher|audience, tokentype uid|userAccount, ?expiry=seconds → {rtcToken}",
        handler: rtc,
    },
    Route {
        methods: &[Method::Get],
        path: "/agora/rtm/{uid}",
        foreign_body: ForeignBody::Unread,
        about: "Agora community token server: ?expiry=seconds → {rtmToken}",
        handler: rtm,
    },
    Route {
        methods: &[Method::Get],
        path: "/agora/rte/{channel}/{role}/{tokentype}/{uid}",
        foreign_body: ForeignBody::Unread,
        about: "Agora community token server: an RTC and an RTM token → {rtcToken, rtmToken}",
        handler: rte,
    },
];

/// A 400 in the token server's shape, `{"error": …}`.
fn error(message: impl Into<String>) -> Answer {
    let message = message.into();
    Answer {
        status: 400,
        body: Body::Json(json!({ "error": message })),
        log: LogEntry {
            error: Some(message),
            ..LogEntry::default()
        },
    }
}

/// [`error`], for the form builders' `Err`.
fn refuse(message: impl Into<String>) -> Box<Answer> {
    Box::new(error(message))
}

fn ping(_: &Minting, _: &Request) -> Answer {
    Answer {
        status: 200,
        body: Body::Json(json!({"message": "pong"})),
        log: LogEntry::default(),
    }
}

/// The settings' form with the request's `?expiry=` (seconds; absent or empty: the settings').
fn with_expiry(minting: &Minting, request: &Request) -> Result<crate::platform::Form, Box<Answer>> {
    let mut form = minting.form.clone();
    match request.query("expiry").map(str::trim) {
        None | Some("") => {}
        Some(text) => match text.parse::<u32>() {
            Ok(seconds) => form.set(EXPIRY, FieldValue::Expiry(Expiry::After(seconds.into()))),
            Err(_) => {
                return Err(refuse(format!(
                    "expiry is incorrect: {} is not a whole number of seconds",
                    crate::text::shorten(&crate::text::escape(text), 40)
                )));
            }
        },
    }
    Ok(form)
}

/// The RTC form of a request's path: channel, role, token type and uid.
fn rtc_form(minting: &Minting, request: &Request) -> Result<crate::platform::Form, Box<Answer>> {
    let mut form = with_expiry(minting, request)?;
    let channel = request.param("channel").unwrap_or_default();
    if channel.is_empty() {
        return Err(refuse("channel is required"));
    }
    let role = match request.param("role").unwrap_or_default() {
        "publisher" => "publisher",
        // The Node server's name for a subscriber; the Go service takes any other word too.
        "audience" | "subscriber" => "subscriber",
        _ => return Err(refuse("role is incorrect")),
    };
    let uid = request.param("uid").unwrap_or_default();
    if uid.is_empty() {
        return Err(refuse("uid is required"));
    }
    match request.param("tokentype").unwrap_or_default() {
        "uid" if !uid.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(refuse(
                "uid is incorrect: with tokentype uid it is a number (use userAccount for a string)",
            ));
        }
        "uid" | "userAccount" => {}
        _ => return Err(refuse("token type is invalid")),
    }
    let uid = client_id("uid", uid).map_err(|e| refuse(e.reason))?;
    form.set_text(TOPIC, channel);
    form.set_text(ROLE, role);
    form.set_text(CLIENT_ID, uid);
    form.set_text(SERVICE, "rtc");
    Ok(form)
}

fn rtm_form(minting: &Minting, request: &Request) -> Result<crate::platform::Form, Box<Answer>> {
    let mut form = with_expiry(minting, request)?;
    let uid = request.param("uid").unwrap_or_default();
    if uid.is_empty() {
        return Err(refuse("uid is required"));
    }
    let uid = client_id("uid", uid).map_err(|e| refuse(e.reason))?;
    form.set_text(CLIENT_ID, uid);
    form.set_text(SERVICE, "rtm");
    Ok(form)
}

/// Mints every form, answering `{name: token…}`; the log keeps the first token.
fn tokens(minting: &Minting, forms: Result<Vec<(&str, crate::platform::Form)>, Box<Answer>>) -> Answer {
    let forms = match forms {
        Ok(forms) => forms,
        Err(answer) => return *answer,
    };
    let mut body = serde_json::Map::new();
    let mut first: Option<Minted> = None;
    for (name, form) in &forms {
        match minting.mint(form) {
            Ok(minted) => {
                body.insert((*name).to_string(), Value::from(minted.token.as_str()));
                first.get_or_insert(minted);
            }
            Err(e) => return error(e.to_string()),
        }
    }
    let client_id = forms
        .first()
        .and_then(|(_, form)| minting.prepared.platform.client_id_of(form));
    Answer {
        status: 200,
        body: Body::Json(Value::Object(body)),
        log: LogEntry {
            client_id,
            expires_at: first.as_ref().and_then(|m| m.expires_at),
            token: first.map(|m| m.token),
            error: None,
        },
    }
}

fn rtc(minting: &Minting, request: &Request) -> Answer {
    tokens(
        minting,
        rtc_form(minting, request).map(|form| vec![("rtcToken", form)]),
    )
}

fn rtm(minting: &Minting, request: &Request) -> Answer {
    tokens(
        minting,
        rtm_form(minting, request).map(|form| vec![("rtmToken", form)]),
    )
}

fn rte(minting: &Minting, request: &Request) -> Answer {
    let forms = rtc_form(minting, request).and_then(|rtc| {
        let rtm = rtm_form(minting, request)?;
        Ok(vec![("rtcToken", rtc), ("rtmToken", rtm)])
    });
    tokens(minting, forms)
}
