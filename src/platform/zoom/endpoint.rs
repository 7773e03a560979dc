//! `POST /zoom`: the request body of zoom/videosdk-auth-endpoint-sample (`POST /` in its
//! `src/index.js`) and the sample's validations (`src/validations.js`), mirrored so that a client
//! written against the sample gets the same answers here; answered with `{signature}`.
//!
//! Where the sample leans on JavaScript quirks, this is stricter and says why: a number sent as a
//! string must be a whole number (the sample's `parseInt` reads `"1800abc"` as 1800), and
//! fractional seconds are refused (the sample would put them in `exp`).

use serde_json::{Map, Value, json};

use super::rules::{GEO_REGIONS, MAX_TTL, MIN_TTL, SESSION_KEY_MAX, TPC_MAX, USER_IDENTITY_MAX};
use super::{CLIENT_ID, CLAIMS, EXPIRY, ROLE, TOPIC};
use crate::duration::Expiry;
use crate::platform::FieldValue;
use crate::platform::endpoint::{
    Answer, ForeignBody, Method, Minting, Request, Route, ValidationError, refused, shown, whole_number,
};

pub(super) static ROUTES: &[Route] = &[Route {
    methods: &[Method::Post],
    path: "/zoom",
    // The sample's express.json() leaves a body of another type unread: {} and its 400s.
    foreign_body: ForeignBody::Unread,
    about: "the body of Zoom's videosdk-auth-endpoint-sample → {signature}",
    handler: answer,
}];

/// Validates the body as the sample does, lays it over the settings' form, and mints.
fn answer(minting: &Minting, request: &Request) -> Answer {
    let body = request.body();
    let zoom = match parse(body) {
        Ok(zoom) => zoom,
        Err(errors) => {
            let client_id = body
                .get("userIdentity")
                .and_then(Value::as_str)
                .map(str::to_string);
            return refused(400, client_id, errors);
        }
    };
    let mut form = minting.form.clone();
    form.set_text(ROLE, zoom.role.to_string());
    form.set_text(TOPIC, zoom.session_name);
    if let Some(seconds) = zoom.expiration_seconds {
        form.set(EXPIRY, FieldValue::Expiry(Expiry::After(seconds)));
    }
    if let Some(identity) = zoom.user_identity {
        form.set_text(CLIENT_ID, identity);
    }
    // After the form's own extra claims, so the request's win.
    let mut claims = form.extra_claims().to_vec();
    claims.extend(zoom.claims);
    form.set(CLAIMS, FieldValue::Claims(claims));
    minting.answer(&form, |minted| json!({ "signature": minted.token }))
}

/// A request that passed the sample's validations.
#[derive(Clone, Debug, PartialEq)]
struct ZoomRequest {
    /// 1 host, 0 participant.
    role: i64,
    session_name: String,
    expiration_seconds: Option<i64>,
    user_identity: Option<String>,
    /// The other claims the sample emits, in its order, each only when its property was sent.
    claims: Vec<(String, Value)>,
}

/// The sample's 0/1 properties besides `role`, with the claims they become. The deprecated
/// `audioCompatibleMode` becomes `audio_webrtc_mode` too, when `audioWebRtcMode` is not sent
/// (the sample writes `audioWebRtcMode ?? audioCompatibleMode`).
const SWITCHES: [(&str, &str); 5] = [
    ("cloudRecordingOption", "cloud_recording_option"),
    ("cloudRecordingElection", "cloud_recording_election"),
    ("videoWebRtcMode", "video_webrtc_mode"),
    ("audioWebRtcMode", "audio_webrtc_mode"),
    ("audioCompatibleMode", "audio_webrtc_mode"),
];

/// Validates a request body as the sample does, collecting every error.
fn parse(body: &Map<String, Value>) -> Result<ZoomRequest, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let mut check = Check(&mut errors);
    let role = check.keep(required(body, "role").and_then(|v| one_of(v, "role", &[0, 1])));
    let session_name = check.keep(
        required(body, "sessionName").and_then(|v| string_at_most(v, "sessionName", TPC_MAX)),
    );
    let expiration_seconds = check.keep(between(
        body.get("expirationSeconds"),
        "expirationSeconds",
        MIN_TTL,
        MAX_TTL,
    ));
    let user_identity = check.keep(string_at_most(
        body.get("userIdentity"),
        "userIdentity",
        USER_IDENTITY_MAX,
    ));
    let session_key = check.keep(string_at_most(
        body.get("sessionKey"),
        "sessionKey",
        SESSION_KEY_MAX,
    ));
    let geo_regions = check.keep(geo_regions(body.get("geoRegions")));
    let switches: Vec<(&str, Option<i64>)> = SWITCHES
        .iter()
        .map(|(property, claim)| {
            (
                *claim,
                check.keep(one_of(body.get(*property), property, &[0, 1])),
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut claims = Vec::new();
    if let Some(key) = session_key {
        claims.push(("session_key".to_string(), Value::from(key)));
    }
    if let Some(regions) = geo_regions {
        claims.push(("geo_regions".to_string(), Value::from(regions)));
    }
    let mut switches = switches.into_iter();
    for (claim, value) in switches.by_ref().take(2) {
        if let Some(value) = value {
            claims.push((claim.to_string(), Value::from(value)));
        }
    }
    // The sample passes the tracking id through unvalidated.
    if let Some(id) = body.get("telemetryTrackingId") {
        claims.push(("telemetry_tracking_id".to_string(), id.clone()));
    }
    for (claim, value) in switches {
        if let Some(value) = value
            && !claims.iter().any(|(name, _)| name == claim)
        {
            claims.push((claim.to_string(), Value::from(value)));
        }
    }
    Ok(ZoomRequest {
        role: role.expect("role is required, so an absent role is an error above"),
        session_name: session_name.expect("sessionName is required likewise"),
        expiration_seconds,
        user_identity,
        claims,
    })
}

/// Keeps a validated value, or collects its error and gives `None`.
struct Check<'a>(&'a mut Vec<ValidationError>);

impl Check<'_> {
    fn keep<T>(&mut self, result: Result<Option<T>, ValidationError>) -> Option<T> {
        result.unwrap_or_else(|error| {
            self.0.push(error);
            None
        })
    }
}

fn required<'a>(
    body: &'a Map<String, Value>,
    property: &str,
) -> Result<Option<&'a Value>, ValidationError> {
    match body.get(property) {
        Some(value) => Ok(Some(value)),
        None => Err(ValidationError::new(
            property,
            "Property required, but not present in request body",
        )),
    }
}

fn one_of(
    value: Option<&Value>,
    property: &str,
    allowed: &[i64],
) -> Result<Option<i64>, ValidationError> {
    let Some(value) = value else { return Ok(None) };
    let number = whole_number(value, property)?;
    if !allowed.contains(&number) {
        let expected: Vec<String> = allowed.iter().map(i64::to_string).collect();
        return Err(ValidationError::new(
            property,
            format!(
                "Value is not valid. Got {number}, expected {}",
                expected.join(",")
            ),
        ));
    }
    Ok(Some(number))
}

fn between(
    value: Option<&Value>,
    property: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>, ValidationError> {
    let Some(value) = value else { return Ok(None) };
    let number = whole_number(value, property)?;
    if !(min..=max).contains(&number) {
        return Err(ValidationError::new(
            property,
            format!("Value must be between {min} and {max}, got {number}"),
        ));
    }
    Ok(Some(number))
}

/// A string of at most `max` UTF-16 code units (JavaScript's `length`, which the sample checks).
fn string_at_most(
    value: Option<&Value>,
    property: &str,
    max: usize,
) -> Result<Option<String>, ValidationError> {
    let Some(value) = value else { return Ok(None) };
    let Value::String(text) = value else {
        return Err(ValidationError::new(
            property,
            format!("Value {} not allowed, must be of type string", shown(value)),
        ));
    };
    let length = text.encode_utf16().count();
    if length > max {
        return Err(ValidationError::new(
            property,
            format!("Value exceeds max length. Got {length}, expected less than or equal to {max}"),
        ));
    }
    Ok(Some(text.clone()))
}

/// A comma-separated string or a string array of allowed regions, joined with commas; the
/// sample drops whitespace and empty entries.
fn geo_regions(value: Option<&Value>) -> Result<Option<String>, ValidationError> {
    const PROPERTY: &str = "geoRegions";
    let Some(value) = value else { return Ok(None) };
    let without_spaces = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let regions: Vec<String> = match value {
        Value::String(text) => text.split(',').map(without_spaces).collect(),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .map(without_spaces)
            .collect(),
        other => {
            return Err(ValidationError::new(
                PROPERTY,
                format!(
                    "Value {} not allowed, must be of type string or string array",
                    shown(other)
                ),
            ));
        }
    };
    let regions: Vec<String> = regions.into_iter().filter(|r| !r.is_empty()).collect();
    if regions.is_empty() {
        return Err(ValidationError::new(
            PROPERTY,
            "Property defined, but no value(s) were present",
        ));
    }
    if !regions.iter().all(|r| GEO_REGIONS.contains(&r.as_str())) {
        return Err(ValidationError::new(
            PROPERTY,
            format!(
                "One or more value(s) not allowed. Got ({}), expected ({})",
                regions.join(","),
                GEO_REGIONS.join(",")
            ),
        ));
    }
    Ok(Some(regions.join(",")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("test bodies are objects"),
        }
    }

    fn properties(errors: &[ValidationError]) -> Vec<&str> {
        errors.iter().map(|e| e.property.as_str()).collect()
    }

    #[test]
    fn the_samples_example_request_passes() {
        let request = parse(&body(json!({
            "sessionName": "Cool Cars", "role": 1, "sessionKey": "session123", "userIdentity": "user123"
        })))
        .unwrap();
        assert_eq!(request.role, 1);
        assert_eq!(request.session_name, "Cool Cars");
        assert_eq!(request.user_identity.as_deref(), Some("user123"));
        assert_eq!(request.expiration_seconds, None);
        assert_eq!(
            request.claims,
            [("session_key".to_string(), json!("session123"))]
        );
    }

    #[test]
    fn every_optional_property_becomes_its_claim_in_the_samples_order() {
        let request = parse(&body(json!({
            "sessionName": "s", "role": "0", "expirationSeconds": "3600",
            "geoRegions": ["US", " DE "], "cloudRecordingOption": 1, "cloudRecordingElection": "0",
            "telemetryTrackingId": "trace-1", "videoWebRtcMode": 1, "audioWebRtcMode": "1"
        })))
        .unwrap();
        assert_eq!(request.role, 0);
        assert_eq!(request.expiration_seconds, Some(3600));
        let names: Vec<&str> = request.claims.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "geo_regions",
                "cloud_recording_option",
                "cloud_recording_election",
                "telemetry_tracking_id",
                "video_webrtc_mode",
                "audio_webrtc_mode"
            ]
        );
        assert_eq!(request.claims[0].1, json!("US,DE"));
        assert_eq!(request.claims[2].1, json!(0));
    }

    #[test]
    fn the_deprecated_audio_compatible_mode_becomes_audio_webrtc_mode_unless_that_is_sent() {
        let claims = |extra: Value| {
            let mut request = json!({"sessionName": "s", "role": 1});
            for (k, v) in extra.as_object().unwrap() {
                request[k] = v.clone();
            }
            parse(&body(request)).unwrap().claims
        };
        assert_eq!(
            claims(json!({"audioCompatibleMode": 1})),
            [("audio_webrtc_mode".to_string(), json!(1))]
        );
        assert_eq!(
            claims(json!({"audioCompatibleMode": 1, "audioWebRtcMode": 0})),
            [("audio_webrtc_mode".to_string(), json!(0))]
        );
        assert!(
            parse(&body(json!({"sessionName": "s", "role": 1, "audioCompatibleMode": 2})))
                .is_err()
        );
    }

    #[test]
    fn missing_required_properties_are_reported_together() {
        let errors = parse(&Map::new()).unwrap_err();
        assert_eq!(properties(&errors), ["role", "sessionName"]);
        assert!(errors[0].reason.contains("required"));
    }

    #[test]
    fn limits_match_the_sample() {
        let long = |n: usize| "x".repeat(n);
        let ok = parse(&body(json!({
            "sessionName": long(200), "role": 1, "userIdentity": long(35), "sessionKey": long(36),
            "expirationSeconds": 1800
        })));
        assert!(ok.is_ok(), "{ok:?}");
        assert!(
            parse(&body(
                json!({"sessionName": "s", "role": 1, "expirationSeconds": 172_800})
            ))
            .is_ok()
        );
        let errors = parse(&body(json!({
            "sessionName": long(201), "role": 2, "userIdentity": long(36), "sessionKey": long(37),
            "expirationSeconds": 1799, "geoRegions": "US,XX", "cloudRecordingOption": 3
        })))
        .unwrap_err();
        assert_eq!(
            properties(&errors),
            [
                "role",
                "sessionName",
                "expirationSeconds",
                "userIdentity",
                "sessionKey",
                "geoRegions",
                "cloudRecordingOption"
            ]
        );
        assert!(
            errors[0].reason.contains("Got 2, expected 0,1"),
            "{errors:?}"
        );
        assert!(
            errors[2].reason.contains("between 1800 and 172800"),
            "{errors:?}"
        );
    }

    #[test]
    fn lengths_count_utf16_units_like_javascript() {
        // "😀" is two UTF-16 units: 18 of them are 36 units, over userIdentity's 35.
        let errors = parse(&body(json!({
            "sessionName": "s", "role": 1, "userIdentity": "😀".repeat(18)
        })))
        .unwrap_err();
        assert!(errors[0].reason.contains("Got 36"), "{errors:?}");
    }

    #[test]
    fn wrong_types_are_refused_with_the_value_shown() {
        let errors = parse(&body(json!({
            "sessionName": 5, "role": "host", "expirationSeconds": 1800.5,
            "geoRegions": 1, "videoWebRtcMode": null
        })))
        .unwrap_err();
        assert_eq!(
            properties(&errors),
            [
                "role",
                "sessionName",
                "expirationSeconds",
                "geoRegions",
                "videoWebRtcMode"
            ]
        );
        assert!(errors[0].reason.contains("\"host\""), "{errors:?}");
        assert!(errors[1].reason.contains("type string"), "{errors:?}");
        assert!(errors[2].reason.contains("whole number"), "{errors:?}");
        assert!(errors[4].reason.contains("null"), "{errors:?}");
    }

    #[test]
    fn geo_regions_need_at_least_one_region() {
        let errors = parse(&body(
            json!({"sessionName": "s", "role": 1, "geoRegions": " , "}),
        ))
        .unwrap_err();
        assert!(errors[0].reason.contains("no value"), "{errors:?}");
    }

    #[test]
    fn long_values_are_cut_short_in_messages() {
        let errors = parse(&body(
            json!({"sessionName": "s", "role": "x".repeat(10_000)}),
        ))
        .unwrap_err();
        assert!(errors[0].reason.len() < 120, "{errors:?}");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn leaf() -> impl Strategy<Value = Value> {
            prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                (-1.0e20..1.0e20f64).prop_map(Value::from),
                prop_oneof![
                    Just("0".to_string()),
                    Just(" 1 ".to_string()),
                    Just("US, DE".to_string()),
                    ".{0,40}"
                ]
                .prop_map(Value::from),
            ]
        }

        fn value() -> impl Strategy<Value = Value> {
            leaf().prop_recursive(2, 8, 4, |inner| {
                prop::collection::vec(inner, 0..4).prop_map(Value::from)
            })
        }

        fn body() -> impl Strategy<Value = Map<String, Value>> {
            let names = prop_oneof![
                Just("role"),
                Just("sessionName"),
                Just("expirationSeconds"),
                Just("userIdentity"),
                Just("sessionKey"),
                Just("geoRegions"),
                Just("cloudRecordingOption"),
                Just("telemetryTrackingId"),
                Just("audioWebRtcMode"),
                Just("other"),
            ];
            prop::collection::vec((names, value()), 0..8)
                .prop_map(|pairs| pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
        }

        proptest! {
            #[test]
            fn any_body_is_answered_and_what_passes_keeps_the_limits(body in body()) {
                match parse(&body) {
                    Ok(request) => {
                        prop_assert!(request.role == 0 || request.role == 1);
                        prop_assert!(request.session_name.encode_utf16().count() <= TPC_MAX);
                        if let Some(seconds) = request.expiration_seconds {
                            prop_assert!((MIN_TTL..=MAX_TTL).contains(&seconds));
                        }
                    }
                    Err(errors) => prop_assert!(!errors.is_empty()),
                }
            }
        }
    }
}
