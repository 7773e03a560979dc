use super::*;
use crate::platform::tests_support::{fixed_now, mint, mint_and_decode};
use crate::platform::Prepared;
use crate::secret::Secret;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

fn pairs(items: &[(&str, &str)]) -> FieldValue {
    FieldValue::Pairs(
        items
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    )
}

/// The rule ids of a token with this header and these claims (unsigned).
fn rule_ids(header: Value, claims: Value) -> Vec<&'static str> {
    let text = format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let decoded = crate::token::inspect(&text).unwrap();
    Twilio
        .rules(&decoded, fixed_now())
        .iter()
        .map(|f| f.rule)
        .collect()
}

fn header() -> Value {
    json!({"alg": "HS256", "typ": "JWT", "cty": CTY})
}

const SK: &str = "SK00000000000000000000000000000000";
const AC: &str = "AC00000000000000000000000000000000";

fn claims_with(ttl: i64, grants: Value) -> Value {
    let iat = fixed_now().timestamp();
    json!({"jti": format!("{SK}-{iat}"), "grants": grants, "iat": iat, "exp": iat + ttl, "iss": SK, "sub": AC})
}

/// twilio_mint.js's first vector (tests/interop, npm twilio 6.3.1 at --now 1767225600).
#[test]
fn mint_is_byte_for_byte_what_twilio_node_writes() {
    let platform: &'static dyn Platform = &PLATFORM;
    let credentials = Credentials {
        key: SK.into(),
        secret: Secret::new("secretsecretsecretsecretsecret12"),
        account: Some(AC.into()),
        source: crate::platform::CredentialSource::Demo,
    };
    let prepared = Prepared::new(platform, credentials).unwrap();
    let form = Twilio.default_form();
    let now = DateTime::from_timestamp(1_767_225_600, 0).unwrap();
    let token = prepared.mint_at(&form, now, true).unwrap();
    assert_eq!(
        token,
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImN0eSI6InR3aWxpby1mcGE7dj0xIn0.eyJqdGkiOiJTSzAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwLTE3NjcyMjU2MDAiLCJncmFudHMiOnsiaWRlbnRpdHkiOiJhbGljZSJ9LCJpYXQiOjE3NjcyMjU2MDAsImV4cCI6MTc2NzIyOTIwMCwiaXNzIjoiU0swMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCIsInN1YiI6IkFDMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAifQ.6cQnjQcseBKnuKhobr_wZL7sbOiHLBgp2GfCNOKMYvw"
    );
}

#[test]
fn every_grant_is_written_as_the_sdks_write_it_and_read_back() {
    let mut form = Twilio.default_form();
    form.set_text(TOPIC, "room1");
    form.set_text(CLIENT_ID, "bob");
    form.set_text(REGION, "au1");
    form.set(EXPIRY, FieldValue::Expiry(Expiry::After(600)));
    form.set(
        GRANTS,
        pairs(&[
            ("voice.incoming.allow", "true"),
            ("voice.outgoing.application_sid", "AP00000000000000000000000000000000"),
            ("voice.outgoing.params", r#"{"a":"1"}"#),
            ("chat.service_sid", "IS00000000000000000000000000000000"),
            ("data_sync.service_sid", "IS11111111111111111111111111111111"),
            ("task_router.workspace_sid", "WS00000000000000000000000000000000"),
            ("task_router.worker_sid", "WK00000000000000000000000000000000"),
            ("task_router.role", "worker"),
            ("player", r#"{"playbackUrl":"https://x"}"#),
        ]),
    );
    let (decoded, now) = mint_and_decode(&PLATFORM, &form);
    let Decoded::Jwt(jwt) = &decoded else { panic!() };
    assert_eq!(jwt.header, json!({"alg": "HS256", "typ": "JWT", "cty": CTY, "twr": "au1"}));
    // twilio_mint.js §9.3's grants, in its order.
    assert_eq!(
        serde_json::to_string(&decoded.claims()["grants"]).unwrap(),
        r#"{"identity":"bob","video":{"room":"room1"},"voice":{"incoming":{"allow":true},"outgoing":{"application_sid":"AP00000000000000000000000000000000","params":{"a":"1"}}},"chat":{"service_sid":"IS00000000000000000000000000000000"},"data_sync":{"service_sid":"IS11111111111111111111111111111111"},"task_router":{"workspace_sid":"WS00000000000000000000000000000000","worker_sid":"WK00000000000000000000000000000000","role":"worker"},"player":{"playbackUrl":"https://x"}}"#
    );
    let claims = decoded.claims();
    let names: Vec<&String> = claims.as_object().unwrap().keys().collect();
    assert_eq!(names, ["jti", "grants", "iat", "exp", "iss", "sub"]);
    assert_eq!(
        decoded.claim_str("jti").unwrap(),
        format!("{}-{}", Twilio.demo_credentials().key, now.timestamp())
    );
    // The demo SIDs are well formed; the video key region is the one finding.
    let rules: Vec<&str> = Twilio.rules(&decoded, now).iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["twilio.video-region"]);
    assert_eq!(Twilio.form_from(&decoded), form);
}

#[test]
fn the_default_form_is_alices_identity_alone() {
    let (decoded, now) = mint_and_decode(&PLATFORM, &Twilio.default_form());
    assert_eq!(decoded.claims()["grants"], json!({"identity": "alice"}));
    assert!(Twilio.rules(&decoded, now).is_empty());
    assert_eq!(Twilio.detect(&decoded), 100);
}

#[test]
fn a_python_token_reads_its_lifetime_from_nbf_and_player_null_is_no_error() {
    // twilio_mint.py §9.2's claims (sorted header, nbf and no iat, identity last) + player null.
    let nbf = fixed_now().timestamp();
    let claims = json!({"jti": format!("{SK}-{nbf}"), "grants": {"player": null, "identity": "alice"},
                        "iss": SK, "exp": nbf + 3600, "nbf": nbf, "sub": AC});
    let header = json!({"alg": "HS256", "cty": CTY, "typ": "JWT"});
    assert!(rule_ids(header.clone(), claims.clone()).is_empty());
    let text = format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let decoded = crate::token::inspect(&text).unwrap();
    let form = Twilio.form_from(&decoded);
    assert_eq!(form.expiry(EXPIRY), Expiry::After(3600));
    assert_eq!(form.pairs(GRANTS), [("player".to_string(), "null".to_string())]);
    assert!(form.extra_claims().is_empty(), "{:?}", form.extra_claims());
}

#[test]
fn ttl_boundaries_86400_passes_and_86401_fails() {
    assert!(rule_ids(header(), claims_with(86_400, json!({"identity": "a"}))).is_empty());
    assert_eq!(
        rule_ids(header(), claims_with(86_401, json!({"identity": "a"}))),
        ["twilio.ttl-max"]
    );
}

#[test]
fn chat_tokens_live_three_minutes_or_more() {
    let chat = json!({"identity": "a", "chat": {"service_sid": "IS00000000000000000000000000000000"}});
    assert!(rule_ids(header(), claims_with(180, chat.clone())).is_empty());
    assert_eq!(rule_ids(header(), claims_with(179, chat)), ["twilio.chat-min-ttl"]);
    assert!(rule_ids(header(), claims_with(60, json!({"identity": "a", "video": {}}))).is_empty());
}

#[test]
fn identity_length_counts_double_byte_characters_twice() {
    let with_identity = |identity: String| {
        rule_ids(header(), claims_with(3600, json!({ "identity": identity })))
    };
    assert!(with_identity("a".repeat(128)).is_empty());
    assert_eq!(with_identity("a".repeat(129)), ["twilio.identity-length"]);
    assert!(with_identity("日".repeat(64)).is_empty());
    assert_eq!(with_identity("日".repeat(65)), ["twilio.identity-length"]);
    assert_eq!(rules::identity_length("Zoë 日本"), 8);
    assert_eq!(with_identity(String::new()), ["twilio.identity-required"]);
    assert_eq!(
        rule_ids(header(), claims_with(3600, json!({"video": {}}))),
        ["twilio.identity-required"]
    );
}

#[test]
fn header_alg_sids_and_grants_are_checked() {
    let grants = json!({"identity": "a"});
    assert_eq!(
        rule_ids(json!({"alg": "HS256", "typ": "JWT"}), claims_with(3600, grants.clone())),
        ["twilio.cty"]
    );
    assert_eq!(
        rule_ids(json!({"alg": "HS512", "typ": "JWT", "cty": CTY}), claims_with(3600, grants.clone())),
        ["twilio.alg"]
    );
    let mut claims = claims_with(3600, grants.clone());
    claims["iss"] = json!("SKnothex");
    claims["sub"] = json!("ACxyz");
    assert_eq!(rule_ids(header(), claims), ["twilio.sid-format", "twilio.sid-format"]);
    let bad_app = json!({"identity": "a", "voice": {"outgoing": {"application_sid": "PN00000000000000000000000000000000"}}});
    assert_eq!(rule_ids(header(), claims_with(3600, bad_app)), ["twilio.sid-format"]);
    let unknown = json!({"identity": "a", "video": {"room": "r", "size": 4}, "fax": {}});
    assert_eq!(rule_ids(header(), claims_with(3600, unknown)), ["twilio.grant-unknown"]);
    let legacy = json!({"identity": "a", "ip_messaging": {"service_sid": "IS00000000000000000000000000000000"}});
    let findings = {
        let text = format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(header().to_string()),
            URL_SAFE_NO_PAD.encode(claims_with(3600, legacy).to_string())
        );
        Twilio.rules(&crate::token::inspect(&text).unwrap(), fixed_now())
    };
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (findings[0].rule, findings[0].severity),
        ("twilio.grant-unknown", crate::findings::Severity::Info)
    );
}

#[test]
fn grants_the_form_cannot_hold_stay_an_extra_claim() {
    let iat = fixed_now().timestamp();
    // An unknown grant, and the video quickstart's VideoGrant() without a room.
    for grants in [json!({"identity": "a", "fax": {"x": 1}}), json!({"identity": "a", "video": {}})] {
        let claims = json!({"grants": grants, "iat": iat, "exp": iat + 60, "iss": SK, "sub": AC});
        let text = format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(header().to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let form = Twilio.form_from(&crate::token::inspect(&text).unwrap());
        assert_eq!(form.extra_claims(), [("grants".to_string(), grants.clone())]);
        let (remade, _) = mint_and_decode(&PLATFORM, &form);
        assert_eq!(remade.claims()["grants"], grants);
    }
}

#[test]
fn bad_grant_json_and_a_missing_account_are_refused_at_mint() {
    let mut form = Twilio.default_form();
    form.set(GRANTS, pairs(&[("player", "{nope")]));
    let error = mint(&PLATFORM, &form).unwrap_err();
    assert!(error.to_string().contains("player is not JSON"), "{error}");
    let mut credentials = Twilio.demo_credentials();
    credentials.account = None;
    let prepared = Prepared::new(&PLATFORM, credentials).unwrap();
    let error = prepared
        .mint_at(&Twilio.default_form(), fixed_now(), true)
        .unwrap_err();
    assert!(error.to_string().contains("--account"), "{error}");
}
