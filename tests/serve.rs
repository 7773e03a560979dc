//! `tokenbench serve` over real HTTP on loopback: every route's answers and refusals, the tokens
//! verified by the vendors' own npm packages (tests/interop), Relaybox's refresh cycle against
//! the live endpoint, CORS, the request log, and a bounded burst of concurrent requests.

#[path = "support/http.rs"]
mod http;
#[path = "support/node.rs"]
mod node;
#[path = "support/python.rs"]
mod python;

use std::net::SocketAddr;

use chrono::{DateTime, TimeDelta, Utc};
use http::{Call, request};
use hyper::Method;
use node::{interop_dir, node};
use python::python;
use serde_json::{Value, json};
use tokenbench::clock::Clock;
use tokenbench::duration::Expiry;
use tokenbench::platform::{
    FieldValue, Platform, RoomPermission, ably::Ably, livekit::Livekit, opentok::Opentok,
    relaybox::Relaybox, twilio::Twilio, zoom::Zoom,
};
use tokenbench::serve::{self, ServeConfig, ServeHandle, ServeOptions};

/// 2026-11-22T10:00:00Z.
fn fixed_now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_341_600, 0).unwrap()
}

fn start(config: ServeConfig) -> ServeHandle {
    serve::start(config, ServeOptions::local(0)).expect("the endpoint starts")
}

/// The endpoint on demo credentials with the clock pinned at [`fixed_now`].
fn start_pinned() -> ServeHandle {
    start(ServeConfig::demo(Clock::manual(fixed_now())))
}

fn claims(token: &str) -> Value {
    tokenbench::token::inspect(token)
        .expect("the endpoint returns a token")
        .claims()
}

/// Sets field `field` of platform `id`'s form in `config`.
fn set(config: &mut ServeConfig, id: &str, field: &str, value: FieldValue) {
    let settings = config.get_mut(id).unwrap();
    assert!(
        settings
            .form
            .set_by_id(settings.platform.fields(), field, value),
        "{id} has no field {field}"
    );
}

fn text(value: &str) -> FieldValue {
    FieldValue::Text(value.to_string())
}

fn demo_secret(platform: &dyn Platform) -> String {
    platform.demo_credentials().secret.expose_text()
}

fn error_properties(reply: &http::Reply) -> Vec<String> {
    reply.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array: {:?}", reply.json()))
        .iter()
        .map(|e| e["property"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn post(addr: SocketAddr, path: &str, body: Value) -> http::Reply {
    request(addr, Call::post_json(path, &body))
}

// ---------------------------------------------------------------------------------------------
// Zoom
// ---------------------------------------------------------------------------------------------

#[test]
fn zoom_signature_carries_every_sample_field_and_verifies_with_jsrsasign_and_jsonwebtoken() {
    let server = start_pinned();
    let reply = post(
        server.local_addr(),
        "/zoom",
        json!({
            "sessionName": "Cool Cars", "role": 1, "expirationSeconds": "3600",
            "userIdentity": "user123", "sessionKey": "session123", "geoRegions": ["US", "DE"],
            "cloudRecordingOption": 1, "cloudRecordingElection": "1", "telemetryTrackingId": "trace-7",
            "videoWebRtcMode": 1, "audioWebRtcMode": "0"
        }),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    let body = reply.json();
    let signature = body["signature"].as_str().expect("{signature}");
    let claims = claims(signature);
    let iat = fixed_now().timestamp();
    assert_eq!(
        claims,
        json!({
            "app_key": Zoom.demo_credentials().key, "role_type": 1, "tpc": "Cool Cars", "version": 1,
            "iat": iat, "exp": iat + 3600, "user_identity": "user123", "session_key": "session123",
            "geo_regions": "US,DE", "cloud_recording_option": 1, "cloud_recording_election": 1,
            "telemetry_tracking_id": "trace-7", "video_webrtc_mode": 1, "audio_webrtc_mode": 0
        })
    );
    let verdict = node("zoom_verify.js", &[signature, &demo_secret(&Zoom)]);
    assert_eq!(verdict["jsrsasign"], true, "{verdict}");
    assert_eq!(verdict["jsonwebtoken"], true, "{verdict}");
}

#[test]
fn zoom_fields_the_request_leaves_out_come_from_the_configured_form() {
    let mut config = ServeConfig::demo(Clock::manual(fixed_now()));
    set(
        &mut config,
        "zoom",
        "expiry",
        FieldValue::Expiry(Expiry::After(5400)),
    );
    set(&mut config, "zoom", "password", text("secret1"));
    set(&mut config, "zoom", "client-id", text("from-form"));
    let server = start(config);
    let reply = post(
        server.local_addr(),
        "/zoom",
        json!({"sessionName": "s", "role": "0"}),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    let claims = claims(reply.json()["signature"].as_str().unwrap());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        5400
    );
    assert_eq!(claims["role_type"], 0);
    assert_eq!(claims["pwd"], "secret1");
    assert_eq!(claims["user_identity"], "from-form");
}

#[test]
fn zoom_refusals_follow_the_samples_validations() {
    let server = start_pinned();
    let addr = server.local_addr();

    let reply = post(addr, "/zoom", json!({}));
    assert_eq!(reply.status, 400);
    assert_eq!(error_properties(&reply), ["role", "sessionName"]);

    let reply = post(
        addr,
        "/zoom",
        json!({
            "sessionName": "x".repeat(201), "role": 2, "expirationSeconds": 1799,
            "userIdentity": "u".repeat(36), "sessionKey": "k".repeat(37), "geoRegions": "US,XX",
            "cloudRecordingOption": "yes"
        }),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        error_properties(&reply),
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
    let first = &reply.json()["errors"][0];
    assert_eq!(first["reason"], "Value is not valid. Got 2, expected 0,1");

    // The window's edges are inside it.
    for seconds in [1800, 172_800] {
        let reply = post(
            addr,
            "/zoom",
            json!({"sessionName": "s", "role": 1, "expirationSeconds": seconds}),
        );
        assert_eq!(reply.status, 200, "{seconds}: {:?}", reply.json());
    }
}

// ---------------------------------------------------------------------------------------------
// Bodies that are not what a route wants
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_bodies_get_a_clear_4xx_and_the_server_keeps_serving() {
    let server = start_pinned();
    let addr = server.local_addr();
    let reason = |reply: &http::Reply| {
        reply.json()["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let reply = request(
        addr,
        Call::post_raw("/zoom", b"{\"role\": 1,".to_vec())
            .header("content-type", "application/json"),
    );
    assert_eq!(reply.status, 400);
    assert!(
        reason(&reply).starts_with("the body is not valid JSON"),
        "{}",
        reason(&reply)
    );

    let reply = request(
        addr,
        Call::post_raw("/vonage/token", b"[1, 2]".to_vec())
            .header("content-type", "application/json"),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        reason(&reply),
        "the body must be a JSON object, not an array"
    );

    let reply = request(
        addr,
        Call::post_raw("/opentok/token", vec![0xff, 0xfe, 0x00])
            .header("content-type", "application/json"),
    );
    assert_eq!(reply.status, 400);

    let big = json!({"sessionName": "x".repeat(64 * 1024), "role": 1});
    let reply = post(addr, "/zoom", big);
    assert_eq!(reply.status, 413);
    assert_eq!(reason(&reply), "the body is over the 64 KiB limit");

    let reply = post(
        addr,
        "/vonage/token",
        json!({"role": 7, "data": ["x"], "sessionId": null}),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(error_properties(&reply), ["sessionId", "role", "data"]);

    let reply = request(addr, Call::get("/nowhere"));
    assert_eq!(reply.status, 404);
    assert!(reason(&reply).contains("POST /zoom"), "{}", reason(&reply));

    let reply = request(addr, Call::get("/zoom"));
    assert_eq!(reply.status, 405);
    assert!(reason(&reply).contains("POST"), "{}", reason(&reply));

    let reply = request(addr, Call::get("/healthz"));
    assert_eq!((reply.status, reply.json()), (200, json!({"status": "ok"})));
}

// ---------------------------------------------------------------------------------------------
// Twilio
// ---------------------------------------------------------------------------------------------

#[test]
fn twilio_token_answers_identity_and_token_as_the_quickstarts_do_and_twilio_python_accepts_it() {
    let mut config = ServeConfig::demo(Clock::manual(fixed_now()));
    set(
        &mut config,
        "twilio",
        "grants",
        FieldValue::Pairs(vec![(
            "chat.service_sid".into(),
            "IS00000000000000000000000000000000".into(),
        )]),
    );
    let server = start(config);
    let addr = server.local_addr();
    let now = fixed_now().timestamp().to_string();

    let reply = request(
        addr,
        Call::get("/twilio/token?identity=alice%40home&room=r1"),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    let body = reply.json();
    assert_eq!(body["identity"], "alice@home");
    let token = body["token"].as_str().unwrap();
    let grants = json!({"identity": "alice@home", "video": {"room": "r1"},
                        "chat": {"service_sid": "IS00000000000000000000000000000000"}});
    assert_eq!(claims(token)["grants"], grants);
    let verdict = python(
        "twilio_verify.py",
        &[token, &demo_secret(&Twilio), "--now", &now],
    );
    assert_eq!(verdict["valid"], true, "{verdict}");
    assert_eq!(verdict["payload"]["grants"], grants);

    // The same fields as JSON.
    let reply = post(
        addr,
        "/twilio/token",
        json!({"identity": "bob", "room": "r2"}),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    assert_eq!(reply.json()["identity"], "bob");
    assert_eq!(
        claims(reply.json()["token"].as_str().unwrap())["grants"]["video"],
        json!({"room": "r2"})
    );
    // None asked: the settings' identity, and no room, no video grant.
    let reply = request(addr, Call::get("/twilio/token"));
    assert_eq!(reply.json()["identity"], "alice");
    assert!(
        claims(reply.json()["token"].as_str().unwrap())["grants"]
            .get("video")
            .is_none()
    );
    // Refusals.
    let reply = post(addr, "/twilio/token", json!({"identity": 5}));
    assert_eq!(
        (reply.status, error_properties(&reply)),
        (400, vec!["identity".to_string()])
    );
    let reply = request(
        addr,
        Call::post_raw("/twilio/token", b"identity=bob".to_vec()),
    );
    assert_eq!(reply.status, 415);
    let long = "a".repeat(300);
    let reply = request(addr, Call::get(&format!("/twilio/token?identity={long}")));
    assert_eq!(reply.status, 400);
}

#[test]
fn twilio_without_an_identity_anywhere_is_refused_as_twilio_node_refuses_it() {
    let mut config = ServeConfig::demo(Clock::manual(fixed_now()));
    set(&mut config, "twilio", "client-id", text(""));
    let server = start(config);
    let reply = request(server.local_addr(), Call::get("/twilio/token?room=r1"));
    assert_eq!(
        (reply.status, error_properties(&reply)),
        (400, vec!["identity".to_string()])
    );
}

// ---------------------------------------------------------------------------------------------
// LiveKit
// ---------------------------------------------------------------------------------------------

#[test]
fn livekit_standard_token_endpoint_answers_201_with_a_token_token_verifier_accepts() {
    let mut config = ServeConfig::demo(Clock::manual(fixed_now()));
    set(
        &mut config,
        "livekit",
        "url",
        text("wss://demo.example.livekit.cloud"),
    );
    let server = start(config);
    let addr = server.local_addr();
    let now = fixed_now().timestamp().to_string();
    let key = Livekit.demo_credentials().key;
    let secret = demo_secret(&Livekit);

    let reply = post(
        addr,
        "/livekit/token",
        json!({
            "room_name": "r1",
            "participant_identity": "bob",
            "participant_name": "Bob",
            "participant_metadata": "{\"a\":1}",
            "participant_attributes": {"team": "blue"},
            "room_config": {"agents": [{"agentName": "helper", "metadata": "m"}]}
        }),
    );
    assert_eq!(reply.status, 201, "{:?}", reply.json());
    let body = reply.json();
    let names: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names, ["server_url", "participant_token"]);
    assert_eq!(body["server_url"], "wss://demo.example.livekit.cloud");
    let token = body["participant_token"].as_str().unwrap();
    let verdict = node("livekit_verify.js", &[token, &key, &secret, "--now", &now]);
    assert_eq!(verdict["valid"], true, "{verdict:#}");
    let read = &verdict["claims"];
    assert_eq!(read["sub"], "bob");
    assert_eq!(read["name"], "Bob");
    assert_eq!(read["metadata"], "{\"a\":1}");
    assert_eq!(read["attributes"], json!({"team": "blue"}));
    assert_eq!(read["video"]["room"], "r1");
    assert_eq!(read["video"]["roomJoin"], true);
    assert_eq!(
        read["roomConfig"],
        json!({"agents": [{"agentName": "helper", "metadata": "m"}]})
    );

    // No body fields: the settings' identity and room.
    let reply = post(addr, "/livekit/token", json!({}));
    assert_eq!(reply.status, 201, "{:?}", reply.json());
    let token = reply.json()["participant_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(claims(&token)["sub"], "alice");
    assert_eq!(claims(&token)["video"]["room"], "demo-room");

    // Refusals: wrong types are 400s naming the field; a GET is not the standard endpoint.
    let reply = post(
        addr,
        "/livekit/token",
        json!({"room_name": 1, "participant_attributes": {"n": 2}, "room_config": "x"}),
    );
    assert_eq!(
        (reply.status, error_properties(&reply)),
        (
            400,
            vec![
                "room_name".to_string(),
                "participant_attributes".to_string(),
                "room_config".to_string()
            ]
        )
    );
    assert_ne!(request(addr, Call::get("/livekit/token")).status, 201);
}

#[test]
fn livekit_fields_the_settings_do_not_let_a_request_set_are_refused_with_403() {
    let mut config = ServeConfig::demo(Clock::manual(fixed_now()));
    set(&mut config, "livekit", "request-may-set", text("room_name"));
    let server = start(config);
    let addr = server.local_addr();
    let reply = post(addr, "/livekit/token", json!({"room_name": "ok"}));
    assert_eq!(reply.status, 201, "{:?}", reply.json());
    // Without a server URL in the settings or LIVEKIT_URL: livekit-server --dev's.
    assert_eq!(reply.json()["server_url"], "ws://localhost:7880");
    let reply = post(
        addr,
        "/livekit/token",
        json!({"room_name": "ok", "participant_identity": "mallory", "room_config": {}}),
    );
    assert_eq!(
        (reply.status, error_properties(&reply)),
        (
            403,
            vec![
                "participant_identity".to_string(),
                "room_config".to_string()
            ]
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Ably
// ---------------------------------------------------------------------------------------------

fn ably_key() -> String {
    let demo = Ably.demo_credentials();
    format!("{}:{}", demo.key, demo.secret.expose_text())
}

#[test]
fn ably_auth_url_answers_a_token_request_that_ably_js_trades_and_signs_as_ably_js_does() {
    let server = start_pinned();
    let addr = server.local_addr();
    let reply = request(addr, Call::get("/ably/auth?clientId=alice"));
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body = reply.json();
    assert_eq!(body["keyName"], Ably.demo_credentials().key);
    assert_eq!(body["clientId"], "alice");
    assert!(
        body.get("issued").is_none(),
        "a TokenRequest, not a TokenDetails"
    );
    // ably-js signs the same fields to the same mac.
    let timestamp = body["timestamp"].to_string();
    let sdk = node(
        "ably_token_request.js",
        &[
            &ably_key(),
            "--client-id",
            "alice",
            "--timestamp",
            &timestamp,
            "--nonce",
            body["nonce"].as_str().unwrap(),
        ],
    );
    assert_eq!(sdk["token_request"], body, "{sdk}");

    // ably-js as the client: it takes the answer and sends the TokenRequest on to Ably (here a
    // loopback stand-in), as it is.
    let url = format!("http://{addr}/ably/auth");
    let fetched = node("ably_auth_url.js", &[&url, "--client-id", "alice"]);
    assert_eq!(
        fetched["token_details"]["token"], "stand-in-token",
        "{fetched}"
    );
    assert_eq!(
        fetched["forwarded"]["path"],
        format!("/keys/{}/requestToken", Ably.demo_credentials().key)
    );
    let forwarded = fetched["forwarded"]["body"].to_string();
    let decoded = tokenbench::token::inspect(&forwarded).unwrap();
    assert_eq!(decoded.claim_str("clientId").as_deref(), Some("alice"));
    let key = Ably.verify_key(&Ably.demo_credentials().secret).unwrap();
    assert!(decoded.verify(&key), "{forwarded}");

    // The token params ably-js sends along: ttl in ms and the capability.
    let reply = request(
        addr,
        Call::get(
            "/ably/auth?ttl=60000&capability=%7B%22chat%22%3A%5B%22subscribe%22%2C%22publish%22%5D%7D",
        ),
    );
    let body = reply.json();
    assert_eq!(body["ttl"], 60000);
    assert_eq!(body["capability"], r#"{"chat":["publish","subscribe"]}"#);
    for bad in [
        "/ably/auth?format=paseto",
        "/ably/auth?ttl=60",
        "/ably/auth?capability=nope",
    ] {
        let reply = request(addr, Call::get(bad));
        assert_eq!(reply.status, 400, "{bad}: {:?}", reply.json());
    }
}

#[test]
fn ably_auth_url_answers_a_jwt_as_application_jwt_which_ably_js_uses_as_it_is() {
    let server = start_pinned();
    let addr = server.local_addr();
    let reply = request(addr, Call::get("/ably/auth?format=jwt&clientId=alice"));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/jwt"));
    let token = String::from_utf8(reply.body.clone()).unwrap();
    let verdict = node(
        "ably_jwt_verify.js",
        &[
            &token,
            &ably_key(),
            "--now",
            &fixed_now().timestamp().to_string(),
        ],
    );
    assert_eq!(verdict["ably_ok"], true, "{verdict}");
    assert_eq!(verdict["client_id"], "alice");
    let url = format!("http://{addr}/ably/auth?format=jwt");
    let fetched = node("ably_auth_url.js", &[&url, "--client-id", "bob"]);
    let token = fetched["token_details"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{fetched}"));
    assert_eq!(
        claims(token)["x-ably-clientId"],
        "bob",
        "ably-js sends its clientId along"
    );
    assert_eq!(
        fetched["forwarded"],
        Value::Null,
        "a JWT goes to Ably as it is"
    );
}

// ---------------------------------------------------------------------------------------------
// Relaybox
// ---------------------------------------------------------------------------------------------

fn relaybox_verifies_at(token: &str, at: i64) -> Value {
    node(
        "jwt_verify.js",
        &[
            token,
            &demo_secret(&Relaybox),
            "--issuer",
            tokenbench::platform::relaybox::ISSUER,
            "--now",
            &at.to_string(),
        ],
    )
}

#[test]
fn relaybox_token_response_has_the_client_id_permissions_and_millisecond_expiry() {
    let mut config = ServeConfig::demo(Clock::manual(fixed_now()));
    set(
        &mut config,
        "relaybox",
        "permissions",
        FieldValue::Rooms(vec![
            RoomPermission {
                room: "chat:*".into(),
                operations: vec!["publish".into(), "presence".into()],
            },
            RoomPermission {
                room: "*".into(),
                operations: vec!["subscribe".into()],
            },
        ]),
    );
    set(&mut config, "relaybox", "client-id", text("user-1"));
    let server = start(config);
    let addr = server.local_addr();
    let now = fixed_now().timestamp();

    let reply = request(addr, Call::get("/relaybox/auth?clientId=alice%40home"));
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    let body = reply.json();
    assert_eq!(body["expiresIn"], 900);
    assert_eq!(body["expiresAt"], (now + 900) * 1000);
    let token = body["token"].as_str().unwrap();
    let claims = claims(token);
    assert_eq!(claims["clientId"], "alice@home");
    assert_eq!(
        claims["permissions"],
        json!({"chat:*": ["publish", "presence"], "*": ["subscribe"]})
    );
    assert_eq!(claims["exp"], now + 900);
    let verdict = relaybox_verifies_at(token, now);
    assert_eq!(verdict["jsonwebtoken"], true, "{verdict}");

    // relaybox-client-js sends the client id in a header.
    let reply = request(
        addr,
        Call::get("/relaybox/auth").header("X-Client-Id", "bob"),
    );
    assert_eq!(claims_of_reply(&reply)["clientId"], "bob");
    // None sent: the form's.
    let reply = request(addr, Call::get("/relaybox/auth"));
    assert_eq!(claims_of_reply(&reply)["clientId"], "user-1");
    // A client may switch the method to POST (relaybox-client-js then sends a JSON type).
    let reply = request(
        addr,
        Call::get("/relaybox/auth?clientId=carol")
            .with_method(Method::POST)
            .header("content-type", "application/json"),
    );
    assert_eq!(claims_of_reply(&reply)["clientId"], "carol");
}

fn claims_of_reply(reply: &http::Reply) -> Value {
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    claims(reply.json()["token"].as_str().unwrap())
}

/// The client's cycle (PLATFORMS.md §3.6): fetch, refresh `expiresIn − 20 s` later, and use the
/// new token once the first has expired. The endpoint's clock stands in for the waiting.
#[test]
fn relaybox_refresh_cycle_against_the_live_endpoint() {
    const TTL: i64 = 45;
    let t0 = fixed_now();
    let mut config = ServeConfig::demo(Clock::manual(t0));
    set(
        &mut config,
        "relaybox",
        "expiry",
        FieldValue::Expiry(Expiry::After(TTL)),
    );
    let server = start(config);
    let addr = server.local_addr();
    let fetch = || {
        let reply = request(
            addr,
            Call::get("/relaybox/auth").header("X-Client-Id", "refresher"),
        );
        assert_eq!(reply.status, 200, "{:?}", reply.json());
        reply.json()
    };

    let first = fetch();
    assert_eq!(first["expiresIn"], TTL);
    let refresh_after =
        first["expiresIn"].as_i64().unwrap() - tokenbench::platform::relaybox::REFRESH_BUFFER;
    assert_eq!(refresh_after, 25);
    let refresh_at = t0 + TimeDelta::seconds(refresh_after);
    server.set_clock(Clock::manual(refresh_at));
    let second = fetch();

    let (first_token, second_token) = (
        first["token"].as_str().unwrap(),
        second["token"].as_str().unwrap(),
    );
    assert_ne!(first_token, second_token);
    assert_eq!(claims(second_token)["iat"], refresh_at.timestamp());
    assert_eq!(second["expiresAt"], (refresh_at.timestamp() + TTL) * 1000);
    assert!(second["expiresAt"].as_i64() > first["expiresAt"].as_i64());

    // At the refresh both are good; just after the first expires only the new one is.
    let first_expiry = t0.timestamp() + TTL;
    assert_eq!(
        relaybox_verifies_at(first_token, refresh_at.timestamp())["jsonwebtoken"],
        true
    );
    let expired = relaybox_verifies_at(first_token, first_expiry + 1);
    assert_eq!(expired["jsonwebtoken"], false, "{expired}");
    assert_eq!(expired["jsonwebtoken_error"], "jwt expired");
    let fresh = relaybox_verifies_at(second_token, first_expiry + 1);
    assert_eq!(fresh["jsonwebtoken"], true, "{fresh}");
}

// ---------------------------------------------------------------------------------------------
// Vonage and OpenTok
// ---------------------------------------------------------------------------------------------

/// An OpenTok session id that belongs to `api_key` (PLATFORMS.md §2.6).
fn session_id_for(api_key: &str) -> String {
    use base64::Engine as _;
    let raw = format!("1~{api_key}~~1795341600000~tokenbench-serve~");
    format!(
        "1_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    )
}

#[test]
fn vonage_token_verifies_with_vonage_jwt_and_carries_the_request() {
    // @vonage/jwt checks exp against the real clock, so this endpoint runs on it too.
    let server = start(ServeConfig::demo(Clock::system()));
    let expire_time = Utc::now().timestamp() + 3600;
    let reply = post(
        server.local_addr(),
        "/vonage/token",
        json!({
            "sessionId": "2_MX4xMjM0fn4xNzAwMDAwMDAwMDAwfmFiY2R-fg", "role": "moderator",
            "data": "name=Ada", "expireTime": expire_time, "initialLayoutClassList": ["focus", "full"]
        }),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    let body = reply.json();
    let app_id = tokenbench::platform::vonage::Vonage.demo_credentials().key;
    assert_eq!(body["applicationId"], app_id.as_str());
    let token = body["token"].as_str().unwrap();
    let claims = claims(token);
    assert_eq!(claims["application_id"], app_id.as_str());
    assert_eq!(
        claims["session_id"],
        "2_MX4xMjM0fn4xNzAwMDAwMDAwMDAwfmFiY2R-fg"
    );
    assert_eq!(claims["role"], "moderator");
    assert_eq!(claims["connection_data"], "name=Ada");
    assert_eq!(claims["initial_layout_class_list"], "focus full");
    assert_eq!(claims["exp"], expire_time);

    let key = interop_dir().join("../../assets/demo/vonage-private-key.pem");
    let verdict = node("vonage_verify.js", &[token, key.to_str().unwrap()]);
    assert_eq!(verdict["verifySignature"], true, "{verdict}");
}

#[test]
fn vonage_refuses_what_the_sdks_refuse() {
    let server = start(ServeConfig::demo(Clock::manual(fixed_now())));
    let addr = server.local_addr();
    let now = fixed_now().timestamp();
    for (body, property) in [
        (json!({"role": "host"}), "role"),
        (json!({"expireTime": now - 1}), "expireTime"),
        (json!({"expireTime": now + 31 * 86_400}), "expireTime"),
        (json!({"expireTime": "soon"}), "expireTime"),
        (json!({"data": "d".repeat(1001)}), "data"),
        (
            json!({"initialLayoutClassList": [1]}),
            "initialLayoutClassList",
        ),
    ] {
        let reply = post(addr, "/vonage/token", body.clone());
        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(error_properties(&reply), [property], "{body}");
    }
    // Everything optional: the form (publisher, a made-up session) fills in.
    let reply = post(addr, "/vonage/token", json!({}));
    assert_eq!(claims_of_reply_token(&reply)["role"], "publisher");
}

fn claims_of_reply_token(reply: &http::Reply) -> Value {
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    claims(reply.json()["token"].as_str().unwrap())
}

#[test]
fn opentok_token_belongs_to_the_api_key_and_verifies_with_jsonwebtoken() {
    let server = start_pinned();
    let addr = server.local_addr();
    let api_key = Opentok.demo_credentials().key;
    let session_id = session_id_for(&api_key);
    let reply = post(
        addr,
        "/opentok/token",
        json!({"sessionId": session_id, "role": "subscriber", "expireTime": fixed_now().timestamp() + 600}),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    let body = reply.json();
    assert_eq!(body["apiKey"], api_key.as_str());
    let token = body["token"].as_str().unwrap();
    let claims = claims(token);
    assert_eq!(
        (claims["iss"].as_str(), claims["role"].as_str()),
        (Some(api_key.as_str()), Some("subscriber"))
    );
    assert_eq!(claims["session_id"], session_id.as_str());
    assert_eq!(claims["exp"], fixed_now().timestamp() + 600);
    let verdict = node("jwt_verify.js", &[token, &demo_secret(&Opentok)]);
    assert_eq!(verdict["jsonwebtoken"], true, "{verdict}");

    // opentok-node refuses sessions of other API keys, and so does the endpoint.
    let reply = post(
        addr,
        "/opentok/token",
        json!({"sessionId": session_id_for("999")}),
    );
    assert_eq!(reply.status, 400);
    let reason = reply.json()["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("belongs to API key 999"), "{reason}");
}

// ---------------------------------------------------------------------------------------------
// CORS, the request log, reconfiguration, stopping
// ---------------------------------------------------------------------------------------------

#[test]
fn cors_answers_localhost_origins_by_default_and_no_others() {
    let server = start_pinned();
    let addr = server.local_addr();
    let preflight = |origin: &str| {
        request(
            addr,
            Call::get("/relaybox/auth")
                .with_method(Method::OPTIONS)
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "content-type,x-client-id"),
        )
    };
    let allowed = preflight("http://localhost:5173");
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    let headers = allowed
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_lowercase();
    assert!(headers.contains("x-client-id"), "{headers}");

    let refused = preflight("https://evil.example");
    assert_eq!(refused.header("access-control-allow-origin"), None);

    let simple = request(
        addr,
        Call::post_json("/zoom", &json!({"sessionName": "s", "role": 1}))
            .header("Origin", "http://127.0.0.1:3000"),
    );
    assert_eq!(
        simple.header("access-control-allow-origin"),
        Some("http://127.0.0.1:3000")
    );

    let listed = serve::start(
        ServeConfig::demo(Clock::manual(fixed_now())),
        ServeOptions {
            cors: serve::CorsPolicy::Origins(vec!["https://app.example".into()]),
            ..ServeOptions::local(0)
        },
    )
    .unwrap();
    let reply = request(
        listed.local_addr(),
        Call::get("/healthz").header("Origin", "https://app.example"),
    );
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let reply = request(
        listed.local_addr(),
        Call::get("/healthz").header("Origin", "http://localhost:3000"),
    );
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

#[test]
fn every_answer_is_logged_with_its_token_and_expiry() {
    let server = start_pinned();
    let addr = server.local_addr();
    post(
        addr,
        "/zoom",
        json!({"sessionName": "s", "role": 1, "userIdentity": "ann"}),
    );
    post(addr, "/zoom", json!({"role": 1}));
    request(addr, Call::get("/relaybox/auth?clientId=zed"));
    // Each entry is logged before its answer is sent, so all three are there.
    let records = server.drain_requests();
    assert_eq!(records.len(), 3, "{records:?}");

    let zoom = &records[0];
    assert_eq!(
        (zoom.method.as_str(), zoom.route.as_str(), zoom.status),
        ("POST", "/zoom", 200)
    );
    assert_eq!(
        (zoom.platform, zoom.client_id.as_deref()),
        (Some("zoom"), Some("ann"))
    );
    assert_eq!(zoom.at, fixed_now());
    assert_eq!(zoom.expires_at, Some(fixed_now() + TimeDelta::hours(2)));
    let decoded = tokenbench::token::inspect(zoom.token.as_deref().unwrap()).unwrap();
    assert_eq!(decoded.claim_str("user_identity").as_deref(), Some("ann"));

    let refused = &records[1];
    assert_eq!((refused.status, refused.token.as_deref()), (400, None));
    assert_eq!(
        refused.error.as_deref(),
        Some("sessionName: Property required, but not present in request body")
    );

    let relaybox = &records[2];
    assert_eq!(
        (relaybox.platform, relaybox.client_id.as_deref()),
        (Some("relaybox"), Some("zed"))
    );
    assert_eq!(
        relaybox.expires_at,
        Some(fixed_now() + TimeDelta::seconds(900))
    );
    assert!(server.drain_requests().is_empty());
}

#[test]
fn reconfiguring_takes_effect_at_once_and_a_bad_config_keeps_the_old_one() {
    let server = start_pinned();
    let addr = server.local_addr();
    let mut config = ServeConfig::demo(Clock::manual(fixed_now()));
    set(&mut config, "relaybox", "client-id", text("second"));
    set(
        &mut config,
        "relaybox",
        "expiry",
        FieldValue::Expiry(Expiry::After(120)),
    );
    server.reconfigure(config.clone()).unwrap();
    let reply = request(addr, Call::get("/relaybox/auth"));
    assert_eq!(claims_of_reply(&reply)["clientId"], "second");
    assert_eq!(reply.json()["expiresIn"], 120);

    let mut broken = config;
    set(&mut broken, "vonage", "role", text("host"));
    let error = server.reconfigure(broken).unwrap_err();
    assert!(error.starts_with("vonage: 'host' is not a role"), "{error}");
    let reply = request(addr, Call::get("/relaybox/auth"));
    assert_eq!(reply.json()["expiresIn"], 120);
}

#[test]
fn start_refuses_a_busy_port_and_stop_closes_it() {
    let server = start_pinned();
    let addr = server.local_addr();
    let error = serve::start(
        ServeConfig::demo(Clock::system()),
        ServeOptions::local(addr.port()),
    )
    .err()
    .expect("the port is taken");
    assert!(
        error.starts_with(&format!("cannot listen on {addr}")),
        "{error}"
    );
    assert!(server.is_running());
    server.stop();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still listening after stop"
    );
}

/// A bounded burst (the 20 000-request run with its figures is examples/serve_load.rs):
/// every request answered 200, none lost.
#[test]
fn two_thousand_requests_over_fifty_connections_all_succeed() {
    let server = start(ServeConfig::demo(Clock::system()));
    let addr = server.local_addr();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = runtime.block_on(http::load(addr, 50, 2000, |n| match n % 3 {
        0 => Call::post_json(
            "/zoom",
            &json!({"sessionName": format!("room-{n}"), "role": n % 2}),
        ),
        1 => Call::get(&format!("/relaybox/auth?clientId=user-{n}")),
        _ => Call::post_json("/opentok/token", &json!({"role": "subscriber"})),
    }));
    assert_eq!(report.failed, 0, "{:?}", report.first_failures);
    assert_eq!(report.latencies.len(), 2000);
}

// ---------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------

/// `tokenbench serve` as a process: its stdout lines arrive on a channel; killed on drop.
struct ServeProcess {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl ServeProcess {
    fn spawn(args: &[&str]) -> ServeProcess {
        use std::io::BufRead;
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tokenbench"));
        command.arg("serve").args(args);
        for name in tokenbench::platform::credential_env_vars() {
            command.env_remove(name);
        }
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("tokenbench serve starts");
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        ServeProcess { child, lines }
    }

    /// The next stdout line that contains `needle`.
    fn line_with(&self, needle: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(std::time::Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("no line with {needle:?} from tokenbench serve"));
            if line.contains(needle) {
                return line;
            }
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_serve_command_mints_with_its_options_and_logs_requests_without_tokens() {
    let process = ServeProcess::spawn(&[
        "--port",
        "0",
        "--now",
        "2026-11-22T10:00:00Z",
        "--ttl",
        "60s",
        "--client-id",
        "bob",
    ]);
    let banner = process.line_with("listening on http://");
    let addr: SocketAddr = banner
        .rsplit("http://")
        .next()
        .and_then(|a| a.trim().parse().ok())
        .unwrap_or_else(|| panic!("no address in {banner:?}"));
    assert!(addr.ip().is_loopback(), "{banner}");

    let reply = request(addr, Call::get("/relaybox/auth"));
    assert_eq!(reply.json()["expiresIn"], 60);
    let token = reply.json()["token"].as_str().unwrap().to_string();
    assert_eq!(claims(&token)["clientId"], "bob");

    // Request lines start with the time; the banner's route lines do not.
    let line = process.line_with("2026-11-22T10:00:00Z GET");
    assert!(line.contains("/relaybox/auth"), "{line}");
    assert!(line.contains(" 200 "), "{line}");
    assert!(line.contains("client bob"), "{line}");
    assert!(line.contains("expires 2026-11-22T10:01:00Z"), "{line}");
    assert!(
        !line.contains(&token[20..]),
        "the log holds the token: {line}"
    );
}

#[test]
fn the_serve_command_refuses_a_secret_without_its_platform() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tokenbench"))
        .args(["serve", "--secret", "env:ANY", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("add --platform"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Agora: the community token server's routes
// ---------------------------------------------------------------------------------------------

fn agora_certificate() -> String {
    demo_secret(tokenbench::platform::by_id("agora").unwrap())
}

#[test]
fn agora_rtc_rtm_and_rte_answer_as_the_community_token_server_and_verify_with_agora_token() {
    let server = start_pinned();
    let addr = server.local_addr();
    let ping = request(addr, Call::get("/agora/ping"));
    assert_eq!(
        (ping.status, ping.json()),
        (200, json!({"message": "pong"}))
    );

    let rtc = request(
        addr,
        Call::get("/agora/rtc/lobby/publisher/uid/42?expiry=600"),
    );
    assert_eq!(rtc.status, 200, "{:?}", rtc.json());
    let token = rtc.json()["rtcToken"].as_str().unwrap().to_string();
    let service = &claims(&token)["services"][0];
    assert_eq!(service["channel"], "lobby");
    assert_eq!(service["uid"], "42");
    assert_eq!(service["privileges"]["join_channel"], 600);
    assert_eq!(service["privileges"]["publish_audio"], 600);
    let verdict = node("agora_verify.js", &[&token, &agora_certificate()]);
    assert_eq!(verdict["valid"], true, "{verdict}");

    let audience = request(
        addr,
        Call::get("/agora/rtc/lobby/audience/userAccount/alice"),
    );
    let token = audience.json()["rtcToken"].as_str().unwrap().to_string();
    let service = &claims(&token)["services"][0];
    assert_eq!(service["uid"], "alice");
    assert_eq!(
        service["privileges"],
        json!({"join_channel": 3600}),
        "expiry defaults to 3600"
    );

    let rtm = request(addr, Call::get("/agora/rtm/alice?expiry=120"));
    let token = rtm.json()["rtmToken"].as_str().unwrap().to_string();
    assert_eq!(claims(&token)["services"][0]["user_id"], "alice");
    assert_eq!(claims(&token)["expire"], 120);

    let rte = request(addr, Call::get("/agora/rte/lobby/publisher/uid/7"));
    let both = rte.json();
    for name in ["rtcToken", "rtmToken"] {
        let token = both[name].as_str().unwrap();
        let verdict = node("agora_verify.js", &[token, &agora_certificate()]);
        assert_eq!(verdict["valid"], true, "{name}: {verdict}");
    }
}

#[test]
fn agora_refusals_are_400s_with_the_token_servers_error_shape() {
    let server = start_pinned();
    let addr = server.local_addr();
    for (path, error) in [
        ("/agora/rtc/lobby/host/uid/1", "role is incorrect"),
        (
            "/agora/rtc/lobby/publisher/account/1",
            "token type is invalid",
        ),
        ("/agora/rtc/lobby/publisher/uid/alice", "uid is incorrect"),
        (
            "/agora/rtc/lobby/publisher/uid/1?expiry=soon",
            "expiry is incorrect",
        ),
        ("/agora/rtm/alice?expiry=-5", "expiry is incorrect"),
    ] {
        let reply = request(addr, Call::get(path));
        assert_eq!(reply.status, 400, "{path}");
        let message = reply.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(message.starts_with(error), "{path}: {message}");
    }
    let long = format!("/agora/rtm/{}", "a".repeat(300));
    assert_eq!(request(addr, Call::get(&long)).status, 400);
    // The server keeps serving.
    assert_eq!(request(addr, Call::get("/agora/ping")).status, 200);
}
