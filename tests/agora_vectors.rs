//! Agora's published test vectors (AgoraIO/Tools `DynamicKey/AgoraDynamicKey/*/test/`, npm
//! agora-token 2.0.6 and agora-access-token 2.0.4 tests), gathered in tests/vectors/agora.json
//! with the fields each test asserts, plus a few derived ones (unknown services, tampered
//! bytes), each marked as such in its `source`. Each was checked with Agora's own npm package
//! when it was gathered (its `verified_with`).
//!
//! Strings are never compared across builds (each language's zlib compresses differently):
//! the inflated payload, the fields and the signature are.

use serde_json::Value;
use tokenbench::secret::Secret;
use tokenbench::token::agora::{
    self, AccessToken2, Contents, Contents006, Service, ServiceFields, decode_006, decode_007,
};

fn vectors() -> Vec<Value> {
    let text = include_str!("vectors/agora.json");
    serde_json::from_str(text).expect("the vectors are JSON")
}

fn text<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name].as_str().unwrap_or_default()
}

fn number(value: &Value, name: &str) -> u32 {
    value[name].as_u64().map_or(0, |n| n as u32)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `{"1": 600}` → `[(1, 600)]`, sorted by id.
fn privileges(value: &Value) -> Vec<(u16, u32)> {
    let mut list: Vec<(u16, u32)> = value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(id, v)| (id.parse().unwrap(), v.as_u64().unwrap() as u32))
        .collect();
    list.sort();
    list
}

/// The service a vector's `expected` entry describes.
fn service_of(expected: &Value) -> Service {
    let s = |name: &str| text(expected, name).to_string();
    let number = expected["type"].as_u64().unwrap() as u16;
    let fields = match number {
        1 => ServiceFields::Rtc {
            channel: s("channel"),
            uid: s("uid"),
        },
        2 => ServiceFields::Rtm {
            user_id: s("user_id"),
        },
        3 => ServiceFields::Streaming {
            channel: s("channel"),
            account: s("account"),
        },
        4 => ServiceFields::Fpa,
        5 => ServiceFields::Chat {
            user_id: s("user_id"),
        },
        6 => ServiceFields::Fcdn {
            channel: s("channel"),
            account: s("account"),
        },
        7 => ServiceFields::Apaas {
            room_uuid: s("room_uuid"),
            user_uuid: s("user_uuid"),
            role: expected["role"].as_i64().unwrap() as i16,
        },
        8 => ServiceFields::Rtm2 {
            user_id: s("user_id"),
            permissions: expected["permissions"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(resource, kinds)| {
                    let kinds = kinds
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(kind, names)| {
                            let names = names
                                .as_array()
                                .into_iter()
                                .flatten()
                                .map(|n| n.as_str().unwrap().to_string())
                                .collect();
                            (kind.parse().unwrap(), names)
                        })
                        .collect();
                    (resource.parse().unwrap(), kinds)
                })
                .collect(),
        },
        9 => ServiceFields::ConvoAi,
        10 => ServiceFields::Stt,
        other => panic!("no service type {other} in the vectors"),
    };
    Service {
        number,
        privileges: privileges(&expected["privileges"]),
        fields,
    }
}

fn sorted(mut service: Service) -> Service {
    service.privileges.sort();
    service
}

fn payload(token: &AccessToken2) -> String {
    let mut bytes = (token.signature.len() as u16).to_le_bytes().to_vec();
    bytes.extend_from_slice(&token.signature);
    bytes.extend_from_slice(token.signing_info());
    hex(&bytes)
}

#[test]
fn every_007_vector_decodes_to_its_fields_and_payload_and_verifies_as_recorded() {
    let mut checked = 0;
    for vector in vectors().iter().filter(|v| v["format"] == "007") {
        let name = text(vector, "name");
        let token = text(vector, "token");
        if vector["verified"]["expected_parse_failure"] == true {
            assert!(decode_007(token).is_err(), "{name} must not decode");
            assert!(tokenbench::token::inspect(token).is_err(), "{name}");
            continue;
        }
        let decoded = decode_007(token).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = &vector["expected"];
        assert_eq!(decoded.app_id, text(vector, "app_id"), "{name}");
        assert_eq!(decoded.issue_ts, number(expected, "issue_ts"), "{name}");
        assert_eq!(decoded.expire, number(expected, "expire"), "{name}");
        assert_eq!(decoded.salt, number(expected, "salt"), "{name}");
        let services: Vec<Service> = expected["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(service_of)
            .collect();
        let got: Vec<Service> = decoded.services.iter().cloned().map(sorted).collect();
        assert_eq!(got, services, "{name}");
        if let Some(declared) = vector["declared_service_count"].as_u64() {
            assert_eq!(u64::from(decoded.declared_services), declared, "{name}");
        }
        assert_eq!(payload(&decoded), text(vector, "payload_hex"), "{name}");
        if let Some(signature) = vector["signature_hex"].as_str() {
            assert_eq!(hex(&decoded.signature), signature, "{name}");
        }
        let certificate = Secret::new(text(vector, "app_certificate"));
        let valid = vector["verified"]["signature_valid"] == true;
        if name == "chat_online_foreign_app" {
            // Another project's token: its certificate is not published.
            assert!(!decoded.verify(&certificate), "{name}");
        } else {
            assert_eq!(decoded.verify(&certificate), valid, "{name}");
        }
        assert!(!decoded.verify(&Secret::new("a".repeat(32))), "{name}");
        checked += 1;
    }
    assert!(checked >= 45, "only {checked} vectors were checked");
}

#[test]
fn minting_each_official_vectors_inputs_gives_its_payload_byte_for_byte() {
    let (mut minted, mut same_string) = (0, 0);
    for vector in vectors()
        .iter()
        .filter(|v| v["format"] == "007" && v["verified"]["remint_classes_same_payload"] == true)
    {
        let name = text(vector, "name");
        let expected = &vector["expected"];
        let services: Vec<Service> = expected["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(service_of)
            .collect();
        let token = agora::encode_007(
            &Contents {
                app_id: text(vector, "app_id"),
                issue_ts: number(expected, "issue_ts"),
                expire: number(expected, "expire"),
                salt: number(expected, "salt"),
                services: &services,
            },
            &Secret::new(text(vector, "app_certificate")),
        );
        let decoded = decode_007(&token).unwrap();
        assert_eq!(payload(&decoded), text(vector, "payload_hex"), "{name}");
        let other_zlib = ["_node", "_go", "_csharp", "_dart", "_rust", "_java"]
            .iter()
            .any(|suffix| name.ends_with(suffix));
        if vector["verified"]["remint_classes_same_string"] == true && !other_zlib {
            // zlib-rs compresses as zlib does: the same string as the C and Python builders.
            assert_eq!(token, text(vector, "token"), "{name}");
            same_string += 1;
        }
        minted += 1;
    }
    assert!(minted >= 30, "only {minted} vectors were minted");
    assert!(same_string >= 3, "only {same_string} strings were compared");
}

#[test]
fn every_006_vector_verifies_with_its_channel_and_uid_and_mints_the_same_string() {
    let mut checked = 0;
    for vector in vectors().iter().filter(|v| v["format"] == "006") {
        let name = text(vector, "name");
        let expected = &vector["expected"];
        let service = &expected["services"][0];
        let (channel, uid) = (text(service, "channel"), text(service, "uid"));
        let token = decode_006(text(vector, "token")).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(token.app_id, text(vector, "app_id"), "{name}");
        assert_eq!(token.ts, number(expected, "ts"), "{name}");
        assert_eq!(token.salt, number(expected, "salt"), "{name}");
        let mut got = token.privileges.clone();
        got.sort();
        assert_eq!(got, privileges(&service["privileges"]), "{name}");
        if let Some(crc) = vector["crc_channel"].as_u64() {
            assert_eq!(u64::from(token.crc_channel), crc, "{name}");
            assert_eq!(u64::from(agora::crc32(channel)), crc, "{name}");
        }
        let certificate = Secret::new(text(vector, "app_certificate"));
        assert!(
            !token.verify(&certificate),
            "{name}: no names, no verification"
        );
        let named = token.clone().with_names(channel, uid);
        assert_eq!(named.names_match(), Some(true), "{name}");
        assert!(named.verify(&certificate), "{name}");
        assert!(
            !token.clone().with_names("other", uid).verify(&certificate),
            "{name}"
        );
        let again = agora::encode_006(
            &Contents006 {
                app_id: text(vector, "app_id"),
                channel,
                uid,
                salt: token.salt,
                ts: token.ts,
                privileges: &token.privileges,
            },
            &certificate,
        );
        assert_eq!(again, text(vector, "token"), "{name}");
        checked += 1;
    }
    assert_eq!(checked, 6);
}
