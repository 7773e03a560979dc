//! Properties: inspect never panics, and every form survives mint → inspect → form.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use tokenbench::duration::Expiry;
use tokenbench::platform::subform::{self, SubKind};
use tokenbench::platform::{
    self, FieldKind, FieldValue, Form, MintError, Platform, Prepared, RoomPermission,
};
use tokenbench::report::{self, KeyChoice};
use tokenbench::token::{self, Signature};

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_341_600, 0).unwrap()
}

fn no_env(_: &str) -> Option<String> {
    None
}

/// The token a form mints, or `None` when the platform refuses the form, as it may for
/// combinations a token cannot hold (an Agora RTM token without a user, a 006 token of two
/// services): the refusal is one sentence about a field, never a failure of another kind.
fn mint(platform: &'static dyn Platform, form: &Form) -> Option<String> {
    let prepared = Prepared::new(platform, platform.demo_credentials()).unwrap();
    match prepared.mint_at(form, now(), true) {
        Ok(token) => Some(token),
        Err(MintError::Field { .. }) => None,
        Err(other) => panic!("{}: {other}", platform.id()),
    }
}

/// Text that is any mix of ASCII, spaces, symbols and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _.:~!*'()&=+%/#é雪-]{1,24}"
}

/// A value for one field of the kind its spec declares, that the form can hold as it is.
fn value_for(kind: FieldKind, id: &str) -> BoxedStrategy<FieldValue> {
    match kind {
        FieldKind::Choice { choices, .. } => proptest::sample::select(choices.to_vec())
            .prop_map(|c| FieldValue::Text(c.to_string()))
            .boxed(),
        // "null" means no client id on Relaybox, "0" the uid-0 wildcard on Agora: both read
        // back as the empty id.
        FieldKind::Text { .. } if id == "client-id" => "[a-z0-9-]{0,20}"
            .prop_filter("\"null\" and \"0\" mean no client id", |t| {
                t != "null" && t != "0"
            })
            .prop_map(FieldValue::Text)
            .boxed(),
        FieldKind::Text { .. } => prop_oneof![Just(String::new()), text()]
            .prop_map(FieldValue::Text)
            .boxed(),
        FieldKind::Switch { .. } => any::<bool>().prop_map(FieldValue::Switch).boxed(),
        FieldKind::Expiry => (21i64..2_592_000)
            .prop_map(|ttl| FieldValue::Expiry(Expiry::After(ttl)))
            .boxed(),
        FieldKind::Rooms { operations } => {
            let operations: Vec<String> = operations
                .iter()
                .filter(|o| **o != "*")
                .map(|o| o.to_string())
                .collect();
            proptest::collection::vec(
                (
                    "[a-z*:]{1,8}",
                    proptest::sample::subsequence(operations.clone(), 0..=operations.len()),
                ),
                0..3,
            )
            .prop_map(|rooms| {
                let mut permissions: Vec<RoomPermission> = Vec::new();
                for (room, operations) in rooms {
                    if !permissions.iter().any(|p| p.room == room) {
                        permissions.push(RoomPermission { room, operations });
                    }
                }
                // In sorted order, as a platform that writes them canonically reads them back.
                permissions.sort_by(|a, b| a.room.cmp(&b.room));
                FieldValue::Rooms(permissions)
            })
            .boxed()
        }
        FieldKind::Pairs { .. } => Just(FieldValue::Pairs(Vec::new())).boxed(),
        FieldKind::SubForms { forms, .. } => {
            // Each group out, in with nothing set, or in with some of its fields set.
            let groups: Vec<BoxedStrategy<Vec<(String, String)>>> = forms
                .iter()
                .map(|group| {
                    let fields: Vec<BoxedStrategy<Option<(String, String)>>> = group
                        .fields
                        .iter()
                        .map(|field| {
                            let path = group.path(field);
                            let value = match field.kind {
                                SubKind::Text => "[A-Za-z0-9_]{1,12}".boxed(),
                                SubKind::Switch => Just("true".to_string()).boxed(),
                                SubKind::Json => Just(r#"{"k":"v"}"#.to_string()).boxed(),
                            };
                            proptest::option::of(value.prop_map(move |v| (path.clone(), v))).boxed()
                        })
                        .collect();
                    let name = group.name.to_string();
                    (0..3u8, fields)
                        .prop_map(move |(state, fields)| match state {
                            0 => Vec::new(),
                            1 => vec![(name.clone(), String::new())],
                            _ => fields.into_iter().flatten().collect(),
                        })
                        .boxed()
                })
                .collect();
            groups
                .prop_map(move |groups| {
                    let pairs: Vec<(String, String)> = groups.into_iter().flatten().collect();
                    FieldValue::Pairs(subform::canonical(forms, &pairs))
                })
                .boxed()
        }
        FieldKind::Claims => Just(FieldValue::Claims(Vec::new())).boxed(),
        FieldKind::Json => Just(FieldValue::Text(String::new())).boxed(),
    }
}

/// A form of `platform` with a value of its kind in every field.
fn form_for(platform: &'static dyn Platform) -> impl Strategy<Value = Form> {
    let values: Vec<BoxedStrategy<FieldValue>> = platform
        .fields()
        .iter()
        .map(|f| value_for(f.kind, f.id))
        .collect();
    values.prop_map(move |values| {
        let mut form = platform.default_form();
        for (index, value) in values.into_iter().enumerate() {
            if let Some(slot) = form.value_mut(index) {
                *slot = value;
            }
        }
        form
    })
}

/// The form with each expiry as the instant it names at [`now`]: a token without an issue time
/// (Agora 006) gives its expiry back as a time, not a duration.
fn at_now(mut form: Form) -> Form {
    for index in 0..form.values().len() {
        if let Some(FieldValue::Expiry(expiry)) = form.value_mut(index)
            && let Some(at) = DateTime::from_timestamp(expiry.resolve_unix(now().timestamp(), 0), 0)
        {
            *expiry = Expiry::At(at);
        }
    }
    form
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
            let _ = report::inspect(&text, Some(*platform), KeyChoice::Find { env: &no_env }, now());
        }
    }

    #[test]
    fn inspect_never_panics_on_any_bytes_behind_a_binary_format_prefix(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        prefix in proptest::sample::select(vec!["007", "006", "006970CA35de60c44645bbae8a215061b33"]),
        compress in any::<bool>(),
    ) {
        use base64::Engine as _;
        let body = if compress {
            let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            std::io::Write::write_all(&mut encoder, &bytes).unwrap();
            encoder.finish().unwrap()
        } else {
            bytes
        };
        let text = format!("{prefix}{}", base64::engine::general_purpose::STANDARD.encode(body));
        let _ = report::inspect(&text, None, KeyChoice::Find { env: &no_env }, now());
    }

    #[test]
    fn inspect_never_panics_on_valid_tokens_with_a_byte_changed(
        form in any_platform().prop_flat_map(|p| (Just(p), form_for(p))),
        position in any::<prop::sample::Index>(), replacement in any::<u8>(),
    ) {
        let (platform, form) = form;
        let Some(token) = mint(platform, &form) else { return Ok(()) };
        let mut bytes = token.into_bytes();
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
        prop_assume!(token.is_some());
        let token = token.unwrap_or_default();
        // A token that holds its channel and uid only as hashes is checked with the form's.
        let decoded = platform::decode_minted(platform, &form, &token).unwrap();
        let report = report::check(&token, decoded.clone(), platform::detect(&decoded), KeyChoice::Find { env: &no_env }, now());
        prop_assert_eq!(report.platform, Some(platform.id()));
        prop_assert_eq!(report.signature, Signature::Valid);
        let mut expected = form.clone();
        let defaults = platform.default_form();
        for (index, value) in form.values().iter().enumerate() {
            // A field the token does not carry reads back as its default.
            if !platform.applies(&form, index)
                && let (Some(slot), Some(default)) = (expected.value_mut(index), defaults.values().get(index))
            {
                *slot = default.clone();
                continue;
            }
            // An empty field the platform fills with a made-up value (Vonage's session id).
            if *value == FieldValue::Text(String::new())
                && let Some(made_up) = platform.made_up(index, &decoded)
                && let Some(slot) = expected.value_mut(index)
            {
                *slot = FieldValue::Text(made_up);
            }
        }
        prop_assert_eq!(at_now(platform.form_from(&decoded)), at_now(expected));
    }
}

/// Key-like text: PEM armour, JSON members of JWKs and JWKSs, base64, around any bytes.
fn key_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces = proptest::sample::select(vec![
        "-----BEGIN PUBLIC KEY-----\n",
        "-----END PUBLIC KEY-----",
        "-----BEGIN EC PRIVATE KEY-----",
        "-----END EC PRIVATE KEY-----",
        "-----BEGIN CERTIFICATE-----",
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
        "MCowBQYDK2VwAyEA",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}",
        "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"d\":\"AQ\"}",
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"",
        "{\"keys\":[",
        "]}",
        "\\n",
        "=",
    ]);
    (
        proptest::collection::vec(pieces, 0..6),
        proptest::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(pieces, bytes)| {
            let mut out: Vec<u8> = pieces.concat().into_bytes();
            out.extend(bytes);
            out
        })
}

proptest! {
    /// Whatever a key file or the key box holds, reading it and checking a token with it never
    /// panics: it is a key, a secret, or one sentence on why not.
    #[test]
    fn keys_are_read_and_used_without_a_panic(key in key_like(), alg in "[A-Za-z0-9]{0,6}") {
        let token = format!(
            "{}.eyJzdWIiOiJ4In0.c2ln",
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                format!("{{\"alg\":\"{alg}\",\"kid\":\"k\"}}")
            )
        );
        let secret = tokenbench::secret::Secret::new(key.clone());
        let report = report::inspect(&token, None, KeyChoice::Given(&secret), now()).unwrap();
        prop_assert_ne!(report.signature, Signature::Valid);
        if let Ok(keys) = token::keys::parse(&key) {
            let _ = keys.describe();
        }
    }
}
