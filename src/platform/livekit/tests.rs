use super::*;
use crate::platform::tests_support::{fixed_now, mint, mint_and_decode, rule_ids_of};
use serde_json::json;

fn pairs(items: &[(&str, &str)]) -> FieldValue {
    FieldValue::Pairs(
        items
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    )
}

fn rule_ids(claims: Value) -> Vec<&'static str> {
    rule_ids_of(&PLATFORM, "HS256", claims, fixed_now())
}

fn claims_with(extra: Value) -> Value {
    let nbf = fixed_now().timestamp();
    let mut claims = json!({"iss": "APIkey", "exp": nbf + 600, "nbf": nbf, "sub": "alice"});
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    claims
}

#[test]
fn the_default_form_mints_what_livekit_server_sdk_writes_for_a_participant() {
    let mut form = Livekit.default_form();
    form.set_text(TOPIC, "demo-room");
    let (decoded, now) = mint_and_decode(&PLATFORM, &form);
    assert_eq!(decoded.header(), Some(&json!({"alg": "HS256"})));
    let nbf = now.timestamp();
    assert_eq!(
        decoded.claims(),
        json!({
            "video": {"roomJoin": true, "room": "demo-room", "canPublish": true, "canSubscribe": true, "canPublishData": true},
            "iss": "APIdemoTokenbench", "exp": nbf + DEFAULT_TTL, "nbf": nbf, "sub": "alice"
        })
    );
    // The claims in livekit-server-sdk's order: the grants, then iss, exp, nbf, sub.
    let token = mint(&PLATFORM, &form).unwrap();
    let payload = token.split('.').nth(1).unwrap();
    use base64::Engine as _;
    let text = String::from_utf8(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert!(
        text.starts_with(r#"{"video":{"roomJoin":true,"room":"demo-room","canPublish":true"#),
        "{text}"
    );
    assert!(text.ends_with(&format!(r#""iss":"APIdemoTokenbench","exp":{},"nbf":{nbf},"sub":"alice"}}"#, nbf + DEFAULT_TTL)), "{text}");
}

#[test]
fn roles_grants_and_lk_flags_make_every_grant_of_the_go_protocol() {
    let mut form = Livekit.default_form();
    form.set_text(ROLE, "viewer");
    form.set(EXPIRY, FieldValue::Expiry(Expiry::After(600)));
    form.set(
        GRANTS,
        pairs(&[
            ("hidden", "true"),
            ("canUpdateOwnMetadata", "true"),
            ("destinationRoom", "other"),
            ("sip.admin", "true"),
            ("sip.call", "false"),
            ("agent.admin", "true"),
            ("agent.simulationAdmin", "true"),
            ("agent.databaseAdmin", "true"),
            ("inference.perform", "true"),
            ("observability.write", "true"),
            ("kind", "agent"),
            ("kindDetails", "cloud_agent,forwarded"),
            ("roomPreset", "preset-1"),
        ]),
    );
    form.set_text(TOPIC, "r");
    form.set_text(SOURCES, "camera, microphone");
    form.set_text(METADATA, r#"{"a":1}"#);
    form.set(ATTRIBUTES, pairs(&[("team", "blue")]));
    form.set_text(ROOM_CONFIG, r#"{"agents":[{"agentName":"helper"}]}"#);
    form.set_text(NAME, "Alice");
    let (decoded, _) = mint_and_decode(&PLATFORM, &form);
    let claims = decoded.claims();
    assert_eq!(
        claims["video"],
        json!({"roomJoin": true, "room": "r", "canPublish": false, "canSubscribe": true,
               "canPublishData": false, "canPublishSources": ["camera", "microphone"],
               "canUpdateOwnMetadata": true, "hidden": true, "destinationRoom": "other"})
    );
    assert_eq!(claims["sip"], json!({"admin": true, "call": false}));
    assert_eq!(
        claims["agent"],
        json!({"admin": true, "simulationAdmin": true, "databaseAdmin": true})
    );
    assert_eq!(claims["inference"], json!({"perform": true}));
    assert_eq!(claims["observability"], json!({"write": true}));
    assert_eq!(claims["kind"], "agent");
    assert_eq!(claims["kindDetails"], json!(["cloud_agent", "forwarded"]));
    assert_eq!(claims["roomPreset"], "preset-1");
    assert_eq!(claims["roomConfig"], json!({"agents": [{"agentName": "helper"}]}));
    assert_eq!(claims["metadata"], r#"{"a":1}"#);
    assert_eq!(claims["attributes"], json!({"team": "blue"}));
    assert_eq!(claims["name"], "Alice");
    // The viewer's canPublish=false makes the sources pointless: the rule says so.
    assert!(
        Livekit
            .rules(&decoded, fixed_now())
            .iter()
            .any(|f| f.rule == "livekit.sources-without-publish")
    );
    // Read back, the form is the same.
    assert_eq!(Livekit.form_from(&decoded), form_canonical(&form));
}

/// `form` with its grants in the form's order, as `form_from` gives them.
fn form_canonical(form: &Form) -> Form {
    let mut out = form.clone();
    let mut grants = form.pairs(GRANTS).to_vec();
    grants.sort_by_key(|(name, _)| GRANT_NAMES.iter().position(|n| n == name));
    out.set(GRANTS, FieldValue::Pairs(grants));
    out.set_text(SOURCES, "camera,microphone");
    out
}

#[test]
fn each_role_reads_back_as_itself() {
    for role in ROLES {
        let mut form = Livekit.default_form();
        form.set_text(ROLE, role);
        form.set(EXPIRY, FieldValue::Expiry(Expiry::After(600)));
        let (decoded, _) = mint_and_decode(&PLATFORM, &form);
        assert_eq!(Livekit.form_from(&decoded), form, "{role}");
    }
}

#[test]
fn bad_grants_sources_and_room_configs_are_refused_naming_their_field() {
    let refused = |set: &dyn Fn(&mut Form)| {
        let mut form = Livekit.default_form();
        set(&mut form);
        match mint(&PLATFORM, &form).unwrap_err() {
            MintError::Field { field, message } => (field, message),
            other => panic!("{other}"),
        }
    };
    let (field, message) = refused(&|f| f.set(GRANTS, pairs(&[("canPublsh", "true")])));
    assert_eq!(field, "grants");
    assert!(message.contains("not a LiveKit grant"), "{message}");
    let (_, message) = refused(&|f| f.set(GRANTS, pairs(&[("canPublish", "yes")])));
    assert!(message.contains("true or false"), "{message}");
    let (field, message) = refused(&|f| f.set_text(SOURCES, "camera,webcam"));
    assert_eq!(field, "sources");
    assert!(message.contains("'webcam'"), "{message}");
    let (field, message) = refused(&|f| f.set_text(ROOM_CONFIG, "{\"agents\": ["));
    assert_eq!(field, "room-config");
    assert!(message.starts_with("the room config is not JSON"), "{message}");
    let (_, message) = refused(&|f| f.set_text(ROOM_CONFIG, "[1]"));
    assert!(message.contains("JSON object"), "{message}");
}

#[test]
fn effective_permissions_follow_the_servers_defaults() {
    // (video grant, can publish, can subscribe, can publish data, can update metadata)
    let table = [
        (json!({}), true, true, true, false),
        (json!({"canPublish": false}), false, true, false, false),
        (json!({"canPublish": true}), true, true, true, false),
        (json!({"canSubscribe": false}), true, false, true, false),
        (
            json!({"canPublish": false, "canPublishData": true}),
            false,
            true,
            true,
            false,
        ),
        (
            json!({"canPublish": true, "canPublishData": false}),
            true,
            true,
            false,
            false,
        ),
        (json!({"canUpdateOwnMetadata": true}), true, true, true, true),
    ];
    for (video, publish, subscribe, data, metadata) in table {
        let e = effective(video.as_object().unwrap());
        assert_eq!(
            (
                e.can_publish,
                e.can_subscribe,
                e.can_publish_data,
                e.can_update_metadata
            ),
            (publish, subscribe, data, metadata),
            "{video}"
        );
    }
    let narrowed = effective(
        json!({"canPublishSources": ["camera"]})
            .as_object()
            .unwrap(),
    );
    assert_eq!(
        narrowed.in_words(),
        "publishes only camera; subscribes; sends data; cannot update its own metadata"
    );
    let viewer = effective(json!({"canPublish": false}).as_object().unwrap());
    assert_eq!(
        viewer.in_words(),
        "cannot publish; subscribes; cannot send data; cannot update its own metadata"
    );
}

#[test]
fn rules_fire_at_their_boundaries() {
    let join = |video: Value| claims_with(json!({ "video": video }));
    assert!(rule_ids(join(json!({"roomJoin": true, "room": "r"}))).contains(&"livekit.effective-permissions"));
    assert!(!rule_ids(join(json!({"roomJoin": true, "room": "r"}))).contains(&"livekit.room-missing"));
    assert!(rule_ids(join(json!({"roomJoin": true}))).contains(&"livekit.room-missing"));
    assert!(rule_ids(join(json!({"roomJoin": true, "room": ""}))).contains(&"livekit.room-missing"));
    // A room admin needs no room to join.
    assert!(!rule_ids(join(json!({"roomAdmin": true}))).contains(&"livekit.room-missing"));

    let mut no_sub = join(json!({"roomJoin": true, "room": "r"}));
    no_sub.as_object_mut().unwrap().remove("sub");
    assert!(rule_ids(no_sub.clone()).contains(&"livekit.identity-required"));
    no_sub["sub"] = json!("");
    assert!(rule_ids(no_sub.clone()).contains(&"livekit.identity-required"));
    no_sub["sub"] = json!("x");
    assert!(!rule_ids(no_sub).contains(&"livekit.identity-required"));

    let mut no_exp = claims_with(json!({}));
    no_exp.as_object_mut().unwrap().remove("exp");
    assert_eq!(rule_ids(no_exp), ["livekit.exp-required"]);
    assert_eq!(
        rule_ids_of(&PLATFORM, "HS512", claims_with(json!({})), fixed_now()),
        ["livekit.alg"]
    );

    assert!(
        rule_ids(join(json!({"canPublish": false, "canPublishSources": ["camera"]})))
            .contains(&"livekit.sources-without-publish")
    );
    assert!(
        !rule_ids(join(json!({"canPublish": true, "canPublishSources": ["camera"]})))
            .contains(&"livekit.sources-without-publish")
    );
    assert!(
        rule_ids(join(json!({"canPublishSources": ["webcam"]}))).contains(&"livekit.source-unknown")
    );
    assert!(
        rule_ids(join(json!({"canPublish": false}))).contains(&"livekit.data-follows-publish")
    );
    assert!(
        !rule_ids(join(json!({"canPublish": false, "canPublishData": false})))
            .contains(&"livekit.data-follows-publish")
    );
    assert!(!rule_ids(join(json!({}))).contains(&"livekit.data-follows-publish"));

    assert_eq!(
        rule_ids(claims_with(json!({"attributes": {"a": "1"}}))),
        Vec::<&str>::new()
    );
    assert_eq!(
        rule_ids(claims_with(json!({"attributes": {"a": 1}}))),
        ["livekit.attributes"]
    );
    assert_eq!(
        rule_ids(claims_with(json!({"attributes": ["a"]}))),
        ["livekit.attributes"]
    );
    let egress = |output: Value| {
        claims_with(json!({"roomConfig": {"egress": {"room": {"fileOutputs": [{"s3": output}]}}}}))
    };
    assert_eq!(
        rule_ids(egress(json!({"accessKey": "AK", "secret": "S"}))),
        ["livekit.room-config"]
    );
    assert_eq!(
        rule_ids(egress(json!({"bucket": "b", "secret": ""}))),
        Vec::<&str>::new()
    );
    assert_eq!(
        rule_ids(claims_with(json!({"roomConfig": "x"}))),
        ["livekit.room-config"]
    );
    assert_eq!(
        rule_ids(claims_with(json!({"roomConfig": {"agents": [{"agentName": "a"}]}}))),
        Vec::<&str>::new()
    );
}

#[test]
fn the_servers_60_s_leeway_decides_expired_and_not_yet_valid_and_says_so() {
    use crate::report::{KeyChoice, inspect};
    let mut form = Livekit.default_form();
    form.set_text(TOPIC, "r");
    form.set(EXPIRY, FieldValue::Expiry(Expiry::After(600)));
    let token = mint(&PLATFORM, &form).unwrap();
    let no_env = |_: &str| None;
    let at = |offset: i64| {
        let report = inspect(
            &token,
            None,
            KeyChoice::Find { env: &no_env },
            fixed_now() + chrono::TimeDelta::seconds(offset),
        )
        .unwrap();
        report
            .findings
            .into_iter()
            .filter(|f| f.rule == "jwt.expired" || f.rule == "jwt.not-yet-valid")
            .map(|f| (f.rule, f.severity.label(), f.message))
            .collect::<Vec<_>>()
    };
    assert!(at(599).is_empty());
    let within = at(659);
    assert_eq!(within.len(), 1);
    assert_eq!((within[0].0, within[0].1), ("jwt.expired", "warning"));
    assert!(within[0].2.contains("LiveKit's server allows 60 s"), "{}", within[0].2);
    let past = at(660);
    assert_eq!((past[0].0, past[0].1), ("jwt.expired", "error"));
    assert!(past[0].2.contains("LiveKit's server allows 60 s"));
    assert!(at(-60).is_empty());
    let early = at(-61);
    assert_eq!((early[0].0, early[0].1), ("jwt.not-yet-valid", "error"));
    assert!(early[0].2.contains("60 s"));
}

#[test]
fn python_and_go_style_tokens_are_read_into_the_form() {
    // livekit-api (Python) writes typ, and the defaults as explicit true; Go writes iat.
    let nbf = fixed_now().timestamp();
    let claims = json!({"iss": "APIkey", "sub": "bob", "nbf": nbf, "iat": nbf, "exp": nbf + 3600,
        "name": "Bob", "video": {"roomJoin": true, "room": "r", "canPublish": true, "canSubscribe": true, "canPublishData": true}});
    use base64::Engine as _;
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let text = format!(
        "{}.{}.c2ln",
        b64(json!({"alg": "HS256", "typ": "JWT"})),
        b64(claims)
    );
    let decoded = crate::token::inspect(&text).unwrap();
    assert_eq!(crate::platform::detect(&decoded).map(|p| p.id()), Some("livekit"));
    let form = Livekit.form_from(&decoded);
    assert_eq!(form.text(ROLE), "participant");
    assert_eq!(form.text(CLIENT_ID), "bob");
    assert_eq!(form.text(NAME), "Bob");
    assert_eq!(form.text(TOPIC), "r");
    assert_eq!(form.pairs(GRANTS), &[]);
    assert_eq!(form.expiry(EXPIRY), Expiry::After(3600));
    assert_eq!(form.extra_claims(), &[]);
    // A grant the form cannot hold stays an extra claim, which re-mints it as it was.
    let odd = json!({"iss": "APIkey", "sub": "bob", "nbf": nbf, "exp": nbf + 60, "video": {"roomJoin": 1, "room": "r"}});
    let text = format!("{}.{}.c2ln", b64(json!({"alg": "HS256"})), b64(odd.clone()));
    let decoded = crate::token::inspect(&text).unwrap();
    let form = Livekit.form_from(&decoded);
    let (again, _) = mint_and_decode(&PLATFORM, &form);
    assert_eq!(again.claims()["video"], odd["video"]);
}
