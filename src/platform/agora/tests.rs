use super::*;
use crate::platform::FieldRef;
use crate::duration::Expiry;
use crate::platform::tests_support::{fixed_now, mint, mint_and_decode};
use crate::token::agora::{decode_006, decode_007};

/// AgoraIO/Tools python3/test/AccessToken2Test.py `test_service_rtc`.
pub(crate) const RTC_JOIN: &str = "007eJxTYBBbsMMnKq7p9Hf/HcIX5kce9b518kCiQgSr5Zrp4X1Tu6UUGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcwMk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiVwMRhYWRsYmhkbmxgDCaiTj";

fn form(changes: &[(FieldRef, &str)]) -> Form {
    let mut form = Agora.default_form();
    for (field, text) in changes {
        form.set_text(*field, *text);
    }
    form
}

fn decoded_007(form: &Form) -> agora::AccessToken2 {
    match mint_and_decode(&PLATFORM, form).0 {
        Decoded::Agora007(token) => token,
        other => panic!("not a 007 token: {other:?}"),
    }
}

fn rule_ids(decoded: &Decoded) -> Vec<&'static str> {
    Agora.rules(decoded, fixed_now()).iter().map(|f| f.rule).collect()
}

/// A 007 token of these services at the fixed time, signed with the demo certificate.
fn token_of(expire: u32, services: Vec<Service>) -> Decoded {
    let demo = Agora.demo_credentials();
    let text = agora::encode_007(
        &Contents {
            app_id: &demo.key,
            issue_ts: fixed_now().timestamp() as u32,
            expire,
            salt: 7,
            services: &services,
        },
        &demo.secret,
    );
    crate::token::inspect(&text).unwrap()
}

#[test]
fn a_publisher_token_has_the_four_rtc_privileges_at_the_token_expiry() {
    let mut form = form(&[(TOPIC, "room-1"), (CLIENT_ID, "42")]);
    form.set(EXPIRY, FieldValue::Expiry(Expiry::After(600)));
    let token = decoded_007(&form);
    assert_eq!(token.expire, 600);
    assert_eq!(token.issue_ts as i64, fixed_now().timestamp());
    assert!((1..=99_999_999).contains(&token.salt));
    assert_eq!(
        token.services,
        vec![Service::rtc("room-1", "42", vec![(1, 600), (2, 600), (3, 600), (4, 600)])]
    );
    assert!(token.verify(&Agora.demo_credentials().secret));
}

#[test]
fn the_default_form_mints_a_wildcard_rtc_token_of_an_hour() {
    let token = decoded_007(&Agora.default_form());
    assert_eq!(token.expire, 3600);
    assert_eq!(token.services[0].identity(), Some(""));
    assert_eq!(token.services[0].channel(), Some("tokenbench"));
}

#[test]
fn a_subscriber_gets_join_only_and_privileges_can_be_timed_apart() {
    let mut form = form(&[(ROLE, "subscriber")]);
    form.set(
        PRIVILEGES,
        FieldValue::Pairs(vec![("join-channel".into(), "10m".into())]),
    );
    let token = decoded_007(&form);
    assert_eq!(token.services[0].privileges, vec![(1, 600)]);
    assert_eq!(token.join_refused_after(), 600);
}

#[test]
fn rtc_and_rtm_in_one_token_packed_by_type() {
    let token = decoded_007(&form(&[(SERVICE, "rtc+rtm"), (CLIENT_ID, "alice")]));
    let numbers: Vec<u16> = token.services.iter().map(|s| s.number).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(token.services[1].identity(), Some("alice"));
    assert_eq!(token.services[1].privileges, vec![(1, 3600)]);
}

#[test]
fn chat_user_and_app_tokens() {
    let user = decoded_007(&form(&[(SERVICE, "chat"), (CLIENT_ID, "bob")]));
    assert_eq!(user.services[0].privileges, vec![(1, 3600)]);
    assert_eq!(user.services[0].identity(), Some("bob"));
    let app = decoded_007(&form(&[(SERVICE, "chat-app")]));
    assert_eq!(app.services[0].privileges, vec![(2, 3600)]);
    assert_eq!(app.services[0].identity(), Some(""));
}

#[test]
fn mint_refuses_what_agora_cannot_take_in_one_sentence() {
    let cases = [
        (form(&[(SERVICE, "rtm")]), CLIENT_ID.id, "names its user"),
        (form(&[(ROLE, "host")]), ROLE.id, "publisher or subscriber"),
        (form(&[(SERVICE, "video")]), SERVICE.id, "rtc, rtm"),
        (form(&[(FORMAT, "008")]), FORMAT.id, "007 or 006"),
        (form(&[(SERVICE, "chat"), (FORMAT, "006"), (CLIENT_ID, "u")]), SERVICE.id, "one service"),
    ];
    for (form, field, words) in cases {
        let error = mint(&PLATFORM, &form).unwrap_err();
        assert!(error.to_string().contains(words), "{error}");
        assert!(matches!(error, MintError::Field { field: f, .. } if f == field), "{error:?}");
    }
    let mut timed = form(&[(ROLE, "subscriber")]);
    timed.set(
        PRIVILEGES,
        FieldValue::Pairs(vec![("publish-audio".into(), "5m".into())]),
    );
    assert!(mint(&PLATFORM, &timed).unwrap_err().to_string().contains("publish-audio is not in"));
    timed.set(PRIVILEGES, FieldValue::Pairs(vec![("fly".into(), "5m".into())]));
    assert!(mint(&PLATFORM, &timed).unwrap_err().to_string().contains("'fly' is not a privilege"));
}

#[test]
fn credentials_of_the_wrong_shape_are_refused_before_minting() {
    let mut credentials = Agora.demo_credentials();
    credentials.key = "my-app".into();
    let error = Agora.signer(&credentials).unwrap_err();
    assert!(error.to_string().contains("32 hex"), "{error}");
    let mut credentials = Agora.demo_credentials();
    credentials.secret = Secret::new("short");
    assert!(Agora.signer(&credentials).unwrap_err().to_string().contains("certificate"));
    assert!(Agora.verify_key(&Secret::new("z".repeat(32))).is_err());
}

#[test]
fn a_007_token_fills_the_form_it_was_minted_from() {
    for changes in [
        vec![(TOPIC, "a b"), (CLIENT_ID, "7")],
        vec![(ROLE, "subscriber"), (CLIENT_ID, "")],
        vec![(SERVICE, "rtm"), (CLIENT_ID, "alice")],
        vec![(SERVICE, "rtc+rtm"), (CLIENT_ID, "alice")],
        vec![(SERVICE, "chat"), (CLIENT_ID, "bob")],
        vec![(SERVICE, "chat-app")],
    ] {
        let mut form = form(&changes);
        form.set(EXPIRY, FieldValue::Expiry(Expiry::After(900)));
        if form.text(SERVICE) == "rtc" {
            form.set(
                PRIVILEGES,
                FieldValue::Pairs(vec![("join-channel".into(), "1200".into())]),
            );
        }
        let (decoded, _) = mint_and_decode(&PLATFORM, &form);
        let back = Agora.form_from(&decoded);
        // RTM and chat tokens do not hold the form's RTC fields.
        let mut expected = form.clone();
        if !form.text(SERVICE).starts_with("rtc") {
            expected.set_text(TOPIC, back.text(TOPIC));
            expected.set_text(ROLE, back.text(ROLE));
        }
        assert_eq!(back, expected, "{changes:?}");
    }
}

#[test]
fn a_006_token_mints_verifies_with_its_names_and_fills_the_form() {
    let mut form = form(&[(FORMAT, "006"), (TOPIC, "room"), (CLIENT_ID, "42")]);
    form.set(EXPIRY, FieldValue::Expiry(Expiry::After(600)));
    let text = mint(&PLATFORM, &form).unwrap();
    assert!(text.starts_with("006decafbad"));
    let token = decode_006(&text).unwrap();
    let now = fixed_now().timestamp() as u32;
    assert_eq!(token.ts, now + 600);
    assert_eq!(token.privileges, vec![(1, now + 600), (2, now + 600), (3, now + 600), (4, now + 600)]);
    let secret = Agora.demo_credentials().secret;
    assert!(!token.verify(&secret));
    let named = token.with_names("room", "42");
    assert!(named.verify(&secret));
    let back = Agora.form_from(&Decoded::Agora006(named));
    assert_eq!(back.text(TOPIC), "room");
    assert_eq!(back.text(FORMAT), "006");
    assert_eq!(
        back.expiry(EXPIRY),
        Expiry::At(DateTime::from_timestamp(i64::from(now + 600), 0).unwrap())
    );

    let rtm = mint(&PLATFORM, &self::form(&[(FORMAT, "006"), (SERVICE, "rtm"), (CLIENT_ID, "alice")])).unwrap();
    let rtm = decode_006(&rtm).unwrap().with_names("alice", "");
    assert!(rtm.verify(&secret));
    assert_eq!(rtm.privileges.len(), 1);
    assert_eq!(rtm.privileges[0].0, 1000);
}

#[test]
fn a_good_token_breaks_no_rule() {
    let decoded = mint_and_decode(&PLATFORM, &form(&[(CLIENT_ID, "42")])).0;
    assert_eq!(rule_ids(&decoded), Vec::<&str>::new());
}

#[test]
fn expire_and_privilege_boundaries() {
    let rtc = |join: u32| vec![Service::rtc("c", "1", vec![(1, join), (2, join)])];
    assert_eq!(rule_ids(&token_of(86_400, rtc(86_400))), Vec::<&str>::new());
    assert_eq!(rule_ids(&token_of(86_401, rtc(600))), ["agora.expire-absolute"]);
    assert_eq!(
        rule_ids(&token_of(86_400, rtc(86_401))),
        ["agora.expire-absolute", "agora.expire-absolute"]
    );
    let absolute = Agora.rules(&token_of(1_795_345_200, rtc(600)), fixed_now());
    assert!(absolute[0].message.contains("a unix time (2026-11-22T11:00:00Z)"), "{}", absolute[0].message);
    assert_eq!(
        rule_ids(&token_of(600, rtc(900))),
        ["agora.privilege-beyond-token", "agora.privilege-beyond-token"]
    );
    assert_eq!(rule_ids(&token_of(600, rtc(0))), ["agora.privilege-zero", "agora.privilege-zero"]);
}

#[test]
fn channel_and_uid_boundaries() {
    let rtc = |channel: &str, uid: &str| vec![Service::rtc(channel, uid, vec![(1, 600), (2, 600)])];
    assert_eq!(rule_ids(&token_of(600, rtc(&"c".repeat(63), "1"))), Vec::<&str>::new());
    assert_eq!(rule_ids(&token_of(600, rtc(&"c".repeat(64), "1"))), ["agora.channel-length"]);
    assert_eq!(rule_ids(&token_of(600, rtc("", "1"))), ["agora.channel-length"]);
    assert_eq!(rule_ids(&token_of(600, rtc("a/b", "1"))), ["agora.channel-chars"]);
    assert_eq!(rule_ids(&token_of(600, rtc("a!#$%&()+-:;<=.>?@[]^_{}|~, b", "1"))), Vec::<&str>::new());
    assert_eq!(rule_ids(&token_of(600, rtc("c", ""))), ["agora.uid-range"]);
    assert_eq!(
        Agora.rules(&token_of(600, rtc("c", "")), fixed_now())[0].severity,
        crate::findings::Severity::Info
    );
    assert_eq!(rule_ids(&token_of(600, rtc("c", "4294967295"))), Vec::<&str>::new());
    assert_eq!(rule_ids(&token_of(600, rtc("c", "4294967296"))), ["agora.uid-range"]);
    assert_eq!(rule_ids(&token_of(600, rtc("c", "0"))), ["agora.uid-range"]);
    assert_eq!(rule_ids(&token_of(600, rtc("c", "alice"))), Vec::<&str>::new());
}

#[test]
fn missing_join_privileges_subscribers_and_unknown_services() {
    assert_eq!(
        rule_ids(&token_of(600, vec![Service::rtc("c", "1", vec![(2, 600)])])),
        ["agora.join-privilege-missing"]
    );
    assert_eq!(
        rule_ids(&token_of(600, vec![Service::rtc("c", "1", vec![(1, 600)])])),
        ["agora.subscriber-role"]
    );
    let rtm = |user: &str| Service {
        number: 2,
        privileges: vec![(1, 600)],
        fields: ServiceFields::Rtm { user_id: user.into() },
    };
    assert_eq!(rule_ids(&token_of(600, vec![rtm("alice")])), Vec::<&str>::new());
    assert_eq!(rule_ids(&token_of(600, vec![rtm(&"u".repeat(64))])), Vec::<&str>::new());
    assert_eq!(rule_ids(&token_of(600, vec![rtm(&"u".repeat(65))])), ["agora.rtm-user-id"]);
    assert_eq!(rule_ids(&token_of(600, vec![])), ["agora.join-privilege-missing"]);
}

#[test]
fn a_006_token_with_relative_times_is_the_opposite_mistake() {
    let demo = Agora.demo_credentials();
    let now = fixed_now().timestamp() as u32;
    let text = |privilege: u32, ts: u32| {
        agora::encode_006(
            &Contents006 {
                app_id: &demo.key,
                channel: "c",
                uid: "1",
                salt: 1,
                ts,
                privileges: &[(1, privilege), (2, privilege)],
            },
            &demo.secret,
        )
    };
    let rules = |privilege, ts| {
        let decoded = crate::token::inspect(&text(privilege, ts)).unwrap();
        rule_ids(&decoded)
    };
    assert_eq!(rules(now + 86_400, now + 86_400), Vec::<&str>::new());
    assert_eq!(rules(600, now + 600), ["agora.expire-relative", "agora.expire-relative"]);
    assert_eq!(
        rules(now + 86_401, now + 86_401),
        ["agora.expire-max", "agora.expire-max", "agora.expire-max"]
    );
    assert_eq!(
        rules(now + 900, now + 600),
        ["agora.privilege-beyond-token", "agora.privilege-beyond-token"]
    );
    let decoded = crate::token::inspect(&text(now + 600, now + 600))
        .unwrap()
        .with_hashed_names(Some("other"), Some("1"));
    assert_eq!(rule_ids(&decoded), ["agora.006-names"]);
}

#[test]
fn detects_its_formats_and_names_the_app_id() {
    let decoded = crate::token::inspect(RTC_JOIN).unwrap();
    assert_eq!(Agora.detect(&decoded), 100);
    assert_eq!(Agora.key_id(&decoded).as_deref(), Some("970CA35de60c44645bbae8a215061b33"));
    assert!(decode_007(RTC_JOIN).is_ok());
    assert_eq!(crate::platform::detect(&decoded).map(|p| p.id()), Some("agora"));
}
