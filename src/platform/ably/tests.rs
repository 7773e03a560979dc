use super::*;
use crate::findings::Severity;
use crate::platform::tests_support::{fixed_now, mint, mint_and_decode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

fn room(name: &str, operations: &[&str]) -> RoomPermission {
    RoomPermission {
        room: name.into(),
        operations: operations.iter().map(|o| o.to_string()).collect(),
    }
}

fn jwt(header: Value, claims: Value) -> Decoded {
    crate::token::inspect(&format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    ))
    .unwrap()
}

fn rule_ids(decoded: &Decoded) -> Vec<&'static str> {
    Ably.rules(decoded, fixed_now()).iter().map(|f| f.rule).collect()
}

fn good_claims() -> Value {
    let iat = fixed_now().timestamp();
    json!({"x-ably-capability": r#"{"chat:*":["publish","subscribe"]}"#, "x-ably-clientId": "alice", "iat": iat, "exp": iat + 3600})
}

fn header() -> Value {
    json!({"alg": "HS256", "typ": "JWT", "kid": "app.key"})
}

fn request(fields: Value) -> Decoded {
    let mut base = json!({"keyName": "app.key", "ttl": 3_600_000, "timestamp": fixed_now().timestamp_millis(), "nonce": "0123456789abcdef", "mac": "x"});
    for (k, v) in fields.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    crate::token::inspect(&base.to_string()).unwrap()
}

#[test]
fn the_jwt_is_the_docs_jwt_with_a_canonical_capability_and_reads_back() {
    let mut form = Ably.default_form();
    form.set(
        PERMISSIONS,
        FieldValue::Rooms(vec![room("alerts", &["history", "subscribe"]), room("chat:*", &["presence", "publish"])]),
    );
    form.set_text(CLIENT_ID, "alice");
    form.set(EXPIRY, FieldValue::Expiry(Expiry::After(600)));
    let (decoded, now) = mint_and_decode(&PLATFORM, &form);
    let Decoded::Jwt(token) = &decoded else { panic!() };
    assert_eq!(token.header, json!({"alg": "HS256", "typ": "JWT", "kid": "demoAppId.demoKeyId"}));
    let claims = decoded.claims();
    let names: Vec<&String> = claims.as_object().unwrap().keys().collect();
    assert_eq!(names, BUILT);
    assert_eq!(
        claims["x-ably-capability"],
        r#"{"alerts":["history","subscribe"],"chat:*":["presence","publish"]}"#
    );
    assert_eq!(claims["exp"], now.timestamp() + 600);
    assert!(Ably.rules(&decoded, now).is_empty());
    assert_eq!(Ably.form_from(&decoded), form);
    // No rooms: the required claim says every channel.
    let (decoded, _) = mint_and_decode(&PLATFORM, &Ably.default_form());
    assert_eq!(decoded.claims()["x-ably-capability"], ALL);
    assert!(decoded.claim("x-ably-clientId").is_none());
    let mut default = Ably.default_form();
    default.set(EXPIRY, FieldValue::Expiry(Expiry::After(DEFAULT_TTL)));
    assert_eq!(Ably.form_from(&decoded), default);
}

#[test]
fn the_token_request_is_what_create_token_request_writes_and_reads_back() {
    let mut form = Ably.default_form();
    form.set_text(FORMAT, "token-request");
    form.set(PERMISSIONS, FieldValue::Rooms(vec![room("*", &["subscribe"])]));
    form.set_text(CLIENT_ID, "alice");
    form.set(EXPIRY, FieldValue::Expiry(Expiry::After(3600)));
    let (decoded, now) = mint_and_decode(&PLATFORM, &form);
    assert_eq!(decoded.format(), "ably-token-request");
    let claims = decoded.claims();
    let names: Vec<&String> = claims.as_object().unwrap().keys().collect();
    assert_eq!(names, ["keyName", "ttl", "capability", "clientId", "timestamp", "nonce", "mac"]);
    assert_eq!(claims["keyName"], "demoAppId.demoKeyId");
    assert_eq!(claims["ttl"], 3_600_000);
    assert_eq!(claims["capability"], r#"{"*":["subscribe"]}"#);
    assert_eq!(claims["timestamp"], now.timestamp_millis());
    let nonce = claims["nonce"].as_str().unwrap();
    assert!(nonce.len() == 16 && nonce.bytes().all(|b| b.is_ascii_digit()), "{nonce}");
    assert!(Ably.rules(&decoded, now).is_empty());
    assert_eq!(Ably.form_from(&decoded), form);
    // An empty form leaves ttl, capability and clientId out, as ably-js does.
    let mut bare = Ably.default_form();
    bare.set_text(FORMAT, "token-request");
    let (decoded, _) = mint_and_decode(&PLATFORM, &bare);
    let claims = decoded.claims();
    let names: Vec<&String> = claims.as_object().unwrap().keys().collect();
    assert_eq!(names, ["keyName", "timestamp", "nonce", "mac"]);
    assert_eq!(Ably.form_from(&decoded), bare);
}

#[test]
fn a_token_request_takes_no_extra_claims_nor_a_ttl_of_zero() {
    let mut form = Ably.default_form();
    form.set_text(FORMAT, "token-request");
    form.set(CLAIMS, FieldValue::Claims(vec![("x".into(), json!(1))]));
    assert!(mint(&PLATFORM, &form).unwrap_err().to_string().contains("--format jwt"));
    form.set(CLAIMS, FieldValue::Claims(Vec::new()));
    form.set(EXPIRY, FieldValue::Expiry(Expiry::After(0)));
    assert!(mint(&PLATFORM, &form).unwrap_err().to_string().contains("1 s or more"));
    form.set_text(FORMAT, "paseto");
    assert!(mint(&PLATFORM, &form).unwrap_err().to_string().contains("jwt or token-request"));
}

#[test]
fn token_request_ttl_boundaries() {
    assert!(rule_ids(&request(json!({"ttl": 1000}))).is_empty());
    assert_eq!(rule_ids(&request(json!({"ttl": 999}))), ["ably.ttl-units"]);
    assert_eq!(rule_ids(&request(json!({"ttl": 0}))), ["ably.ttl-units"]);
    assert!(rule_ids(&request(json!({"ttl": 86_400_000}))).is_empty());
    assert_eq!(rule_ids(&request(json!({"ttl": 86_400_001}))), ["ably.ttl-max"]);
    assert!(rule_ids(&request(json!({"ttl": null}))).is_empty());
}

#[test]
fn jwt_rules_at_their_boundaries() {
    let iat = fixed_now().timestamp();
    assert!(rule_ids(&jwt(header(), good_claims())).is_empty());
    let mut long = good_claims();
    long["exp"] = json!(iat + 86_400);
    assert!(rule_ids(&jwt(header(), long.clone())).is_empty());
    long["exp"] = json!(iat + 86_401);
    assert_eq!(rule_ids(&jwt(header(), long)), ["ably.ttl-max"]);
    let mut object = good_claims();
    object["x-ably-capability"] = json!({"chat:*": ["publish"]});
    let findings = Ably.rules(&jwt(header(), object), fixed_now());
    assert_eq!(findings[0].rule, "ably.capability-json");
    assert!(findings[0].message.contains("not a string"), "{}", findings[0].message);
    let mut unknown = good_claims();
    unknown["x-ably-capability"] = json!(r#"{"chat":["shout"]}"#);
    assert_eq!(rule_ids(&jwt(header(), unknown)), ["ably.capability-op"]);
    let mut missing = good_claims();
    missing.as_object_mut().unwrap().remove("x-ably-capability");
    missing.as_object_mut().unwrap().remove("iat");
    assert_eq!(rule_ids(&jwt(header(), missing)), ["ably.jwt-claims", "ably.capability-json"]);
    assert_eq!(rule_ids(&jwt(json!({"alg": "HS256"}), good_claims())), ["ably.kid"]);
    assert_eq!(rule_ids(&jwt(json!({"alg": "RS256", "kid": "a.b"}), good_claims())), ["ably.alg"]);
    let mut future = good_claims();
    future["iat"] = json!(iat + 5);
    let findings = Ably.rules(&jwt(header(), future), fixed_now());
    assert_eq!(
        (findings[0].rule, findings[0].severity),
        ("ably.iat-future", Severity::Warning)
    );
    let mut wildcard = good_claims();
    wildcard["x-ably-clientId"] = json!("*");
    let findings = Ably.rules(&jwt(header(), wildcard), fixed_now());
    assert_eq!(
        (findings[0].rule, findings[0].severity),
        ("ably.client-id-wildcard", Severity::Info)
    );
}

#[test]
fn a_token_request_capability_must_be_canonical_json_text() {
    assert_eq!(
        rule_ids(&request(json!({"capability": r#"{"b":["subscribe"],"a":["publish"]}"#}))),
        ["ably.capability-json"]
    );
    assert!(rule_ids(&request(json!({"capability": r#"{"a":["publish"],"b":["subscribe"]}"#}))).is_empty());
    assert_eq!(rule_ids(&request(json!({"capability": {"a": ["publish"]}}))), ["ably.capability-json"]);
    assert_eq!(rule_ids(&request(json!({"keyName": "nodot"}))), ["ably.kid"]);
}

#[test]
fn a_token_naming_another_key_than_the_one_checking_it_is_an_error() {
    let decoded = jwt(header(), good_claims());
    assert!(Ably.key_findings(&decoded, "app.key").is_empty());
    let findings = Ably.key_findings(&decoded, "app.other");
    assert_eq!(findings[0].rule, "ably.kid");
    assert!(findings[0].message.contains("app.other"));
}

#[test]
fn an_api_key_in_one_piece_carries_its_name() {
    let (key, secret) = Ably.split_secret(Secret::new("appId1.keyId1:s3cret"));
    assert_eq!(key.as_deref(), Some("appId1.keyId1"));
    assert_eq!(secret.expose(), b"s3cret");
    let (key, _) = Ably.split_secret(Secret::new("plain"));
    assert!(key.is_none());
}
