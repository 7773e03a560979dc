//! Properties: inspect never panics, and every form survives mint → inspect → form.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use tokenbench::duration::Expiry;
use tokenbench::platform::{self, Form, MintContext, Platform, RoomPermission};
use tokenbench::report::{self, KeyChoice};
use tokenbench::token::{self, Signature};

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_341_600, 0).unwrap()
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn mint(platform: &dyn Platform, form: &Form) -> String {
    let credentials = platform.demo_credentials();
    let signer = platform.signer(&credentials).unwrap();
    let mut rng = form.pinned_rng(now());
    platform
        .mint(
            form,
            &credentials,
            &signer,
            &mut MintContext {
                now: now(),
                rng: &mut rng,
            },
        )
        .unwrap()
}

/// Text that is any mix of ASCII, spaces, symbols and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _.:~!*'()&=+%/#é雪-]{1,24}"
}

/// A form that uses only the fields `platform` has, with values the form can hold.
fn form_for(platform: &'static dyn Platform) -> impl Strategy<Value = Form> {
    let roles: Vec<String> = platform.roles().iter().map(|r| r.to_string()).collect();
    let operations: Vec<String> = platform
        .operations()
        .iter()
        .filter(|o| **o != "*")
        .map(|o| o.to_string())
        .collect();
    let fields = platform.fields();
    (
        proptest::sample::select(if roles.is_empty() {
            vec![String::new()]
        } else {
            roles
        }),
        text(),
        "[a-z0-9]{0,10}",
        21i64..2_592_000,
        text(),
        proptest::collection::vec(
            (
                "[a-z*:]{1,8}",
                proptest::sample::subsequence(operations.clone(), 0..=operations.len()),
            ),
            0..3,
        ),
        "[a-z0-9-]{0,20}",
        any::<bool>(),
    )
        .prop_map(
            move |(role, topic, password, ttl, data, rooms, client_id, legacy)| {
                let has = |f| fields.contains(&f);
                let mut permissions: Vec<RoomPermission> = Vec::new();
                for (room, operations) in rooms {
                    if !permissions.iter().any(|p| p.room == room) {
                        permissions.push(RoomPermission { room, operations });
                    }
                }
                Form {
                    role,
                    topic: if has(tokenbench::findings::Field::Topic) {
                        topic
                    } else {
                        String::new()
                    },
                    password: if has(tokenbench::findings::Field::Password) {
                        password
                    } else {
                        String::new()
                    },
                    expiry: Expiry::After(ttl),
                    data: if has(tokenbench::findings::Field::Data) {
                        data
                    } else {
                        String::new()
                    },
                    permissions: if has(tokenbench::findings::Field::Permissions) {
                        permissions
                    } else {
                        Vec::new()
                    },
                    client_id: if has(tokenbench::findings::Field::ClientId) {
                        client_id
                    } else {
                        String::new()
                    },
                    claims: Vec::new(),
                    legacy_t1: has(tokenbench::findings::Field::Format) && legacy,
                }
            },
        )
}

fn any_platform() -> impl Strategy<Value = &'static dyn Platform> {
    proptest::sample::select(platform::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn inspect_never_panics_on_any_string(input in any::<String>()) {
        let _ = report::inspect(&input, None, KeyChoice::Find { env: &no_env }, now());
    }

    #[test]
    fn inspect_never_panics_on_token_shaped_input(
        header in "[A-Za-z0-9_=+/-]{0,40}", claims in "[A-Za-z0-9_=+/-]{0,80}", signature in "[A-Za-z0-9_=+/-]{0,50}", t1 in any::<bool>(),
    ) {
        let text = if t1 { format!("T1=={header}{claims}") } else { format!("{header}.{claims}.{signature}") };
        for platform in platform::ALL {
            let _ = report::inspect(&text, Some(platform), KeyChoice::Find { env: &no_env }, now());
        }
    }

    #[test]
    fn inspect_never_panics_on_valid_tokens_with_a_byte_changed(
        platform in any_platform(), legacy in any::<bool>(), position in any::<prop::sample::Index>(), replacement in any::<u8>(),
    ) {
        let form = Form { legacy_t1: legacy && platform.id() == "opentok", ..platform.default_form() };
        let mut bytes = mint(platform, &form).into_bytes();
        let i = position.index(bytes.len());
        let changed = bytes[i] != replacement;
        bytes[i] = replacement;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Ok(report) = report::inspect(&text, None, KeyChoice::Find { env: &no_env }, now()) {
            // The signature covers the text of header.claims, so any change there must show.
            let in_signed_part = text.rfind('.').is_some_and(|dot| i < dot);
            if changed && report.format == "jwt" && in_signed_part {
                prop_assert_ne!(report.signature, Signature::Valid);
            }
        }
    }

    #[test]
    fn mint_then_inspect_round_trips_every_form(form in any_platform().prop_flat_map(|p| (Just(p), form_for(p)))) {
        let (platform, form) = form;
        let token = mint(platform, &form);
        let report = report::inspect(&token, None, KeyChoice::Find { env: &no_env }, now()).unwrap();
        prop_assert_eq!(report.platform, Some(platform.id()));
        prop_assert_eq!(report.signature, Signature::Valid);
        let decoded = token::inspect(&token).unwrap();
        let mut expected = form.clone();
        if expected.topic.is_empty() && matches!(platform.id(), "vonage" | "opentok") {
            // A form without a session id gets a made-up one that names the key.
            expected.topic = platform::claim_text(&decoded, "session_id");
        }
        prop_assert_eq!(platform.form_from(&decoded), expected);
    }
}
