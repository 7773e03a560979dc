//! Relaybox auth token (PLATFORMS.md §3): HS256 with the secret of an API key `appPid.keyId:secret`.

mod endpoint;
mod lifetime;

use std::borrow::Cow;

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use super::endpoint::Route;
use super::field::common::{self, spec};
use super::field::ids;
use super::lifetime::LifetimeModel;
use super::{
    CredentialPart, CredentialSpec, Credentials, FieldKind, FieldSpec, FieldValue, Form, MintContext,
    MintError, Platform, RoomPermission, exp_of, expiry_of, leftover_claims,
};
use crate::findings::Finding;
use crate::secret::Secret;
use crate::token::{ClaimValue, Claims, Decoded};

pub struct Relaybox;

pub static PLATFORM: Relaybox = Relaybox;

crate::fields! {
    EXPIRY: "expiry" = common::expiry("expiresIn: the client refreshes 20 s before it"),
    PERMISSIONS: "permissions" = FieldSpec {
        empty: "none: the API key's own permissions apply",
        ..spec("permissions", "permission", FieldKind::Rooms { operations: &OPERATIONS },
            "ROOM=OPS (repeatable): room pattern → operations; none: the API key's own permissions apply")
    },
    CLIENT_ID: "client-id" = common::text("client id", "client-id", "", "→ clientId (needed for presence)"),
    CLAIMS: "claims" = common::claims(),
}

static CREDENTIALS: CredentialSpec = CredentialSpec {
    key: CredentialPart {
        label: "public key",
        help: "the API key's public part appPid.keyId → publicKey",
        option: "key",
        env: &[],
    },
    secret: CredentialPart {
        label: "secret",
        help: "the API key's secret, or the whole appPid.keyId:secret",
        option: "secret",
        env: &["RELAYBOX_API_KEY"],
    },
    account: None,
    demo: include_str!("../../../assets/demo/relaybox.json"),
    demo_secret: None,
};

/// The `permissions` claim: an object of room → operations, written straight from the form. A
/// room named twice keeps its first place and its last operations, as a JSON object built room
/// by room does.
struct Rooms<'a>(&'a [RoomPermission]);

impl Serialize for Rooms<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (i, permission) in self.0.iter().enumerate() {
            let room = &permission.room;
            if self.0[..i].iter().any(|earlier| earlier.room == *room) {
                continue;
            }
            let last = self.0[i..].iter().rfind(|later| later.room == *room);
            map.serialize_entry(room, &last.unwrap_or(permission).operations)?;
        }
        map.end()
    }
}

/// The length of `2026-11-22T10:00:00.000Z`.
const ISO_LEN: usize = 24;

/// `now` as JavaScript's `toISOString` writes it (rest-js's `timestamp`), into `buffer`: written
/// digit by digit for the years 0 to 9999, as formatting it costs more than the rest of a token.
fn iso_string(now: DateTime<Utc>, buffer: &mut [u8; ISO_LEN]) -> Cow<'_, str> {
    // Read once: each field read from a `DateTime` converts it to local (UTC) time again.
    let utc = now.naive_utc();
    let year = utc.year();
    // Years of more than four digits and leap seconds: rare, and chrono's to write.
    if !(0..=9999).contains(&year) || utc.nanosecond() >= 1_000_000_000 {
        return Cow::Owned(now.to_rfc3339_opts(SecondsFormat::Millis, true));
    }
    let fields = [
        (0, 4, year as u32),
        (5, 2, utc.month()),
        (8, 2, utc.day()),
        (11, 2, utc.hour()),
        (14, 2, utc.minute()),
        (17, 2, utc.second()),
        (20, 3, utc.nanosecond() / 1_000_000),
    ];
    *buffer = *b"0000-00-00T00:00:00.000Z";
    for (start, width, mut value) in fields {
        for digit in buffer[start..start + width].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    Cow::Borrowed(std::str::from_utf8(buffer).expect("digits and separators are ASCII"))
}

pub const ISSUER: &str = "https://relaybox.net";
/// §3.6: the client refreshes `expiresIn − 20 s` after each token response.
pub const REFRESH_BUFFER: i64 = 20;
/// §3.4, rest-js v1.14.1.
pub const OPERATIONS: [&str; 11] = [
    "create",
    "join",
    "subscribe",
    "publish",
    "presence",
    "metrics",
    "history",
    "intellect",
    "storage",
    "privacy",
    "*",
];
/// §3.4: characters the SDK refuses in room keys.
const ROOM_FORBIDDEN: &str = "!@#$%^&)(+=.";
const BUILT: [&str; 8] = [
    "publicKey",
    "timestamp",
    "tokenType",
    "permissions",
    "clientId",
    "iat",
    "exp",
    "iss",
];

impl Platform for Relaybox {
    fn id(&self) -> &'static str {
        "relaybox"
    }

    fn name(&self) -> &'static str {
        "Relaybox"
    }

    fn fields(&self) -> &'static [FieldSpec] {
        FIELDS
    }

    fn credentials(&self) -> &'static CredentialSpec {
        &CREDENTIALS
    }

    fn lifetime(&self) -> &'static dyn LifetimeModel {
        &lifetime::MODEL
    }

    fn routes(&self) -> &'static [Route] {
        endpoint::ROUTES
    }

    fn default_ttl(&self) -> i64 {
        900
    }

    fn lifetime_limits(&self) -> &'static str {
        "no limit; refreshed at expiresIn−20s"
    }

    fn split_secret(&self, secret: Secret) -> (Option<String>, Secret) {
        // An API key `appPid.keyId:secret` carries its public key; the SDK splits on the one ':'.
        let text = secret.expose();
        match text.iter().position(|b| *b == b':') {
            Some(colon) if text[..colon].contains(&b'.') && !text[colon + 1..].contains(&b':') => (
                Some(String::from_utf8_lossy(&text[..colon]).into_owned()),
                Secret::new(&text[colon + 1..]),
            ),
            _ => (None, secret),
        }
    }

    fn write_claims(
        &self,
        form: &Form,
        credentials: &Credentials,
        ctx: &mut MintContext,
        claims: &mut Claims,
    ) -> Result<(), MintError> {
        let iat = ctx.now.timestamp();
        let exp = exp_of(EXPIRY, form, iat, self.default_ttl())?;
        // rest-js payload first, then what node jsonwebtoken appends: iat, exp, iss.
        claims.put("publicKey", credentials.key.as_str());
        let mut timestamp = [0; ISO_LEN];
        claims.put("timestamp", iso_string(ctx.now, &mut timestamp).as_ref());
        claims.put("tokenType", "id_token");
        // No rooms, no claim: the API key's own permissions then apply (rest-js writes none).
        let permissions = form.rooms(PERMISSIONS);
        if !permissions.is_empty() {
            let rooms =
                serde_json::to_string(&Rooms(permissions)).expect("rooms always serialise");
            claims.put("permissions", ClaimValue::JsonText(&rooms));
        }
        // rest-js drops a clientId that is empty or the string "null".
        let client_id = form.text(CLIENT_ID);
        if !client_id.is_empty() && client_id != "null" {
            claims.put("clientId", client_id);
        }
        claims.put("iat", iat);
        claims.put("exp", exp);
        claims.put("iss", ISSUER);
        Ok(())
    }

    fn detect(&self, decoded: &Decoded) -> u8 {
        match decoded {
            Decoded::Jwt(jwt) if jwt.claim("iss").is_some_and(|v| v == ISSUER) => 100,
            Decoded::Jwt(jwt)
                if jwt.claim("publicKey").is_some() && jwt.claim("tokenType").is_some() =>
            {
                80
            }
            _ => 0,
        }
    }

    fn key_id(&self, decoded: &Decoded) -> Option<String> {
        decoded.claim_str("publicKey")
    }

    fn rules(&self, decoded: &Decoded, _now: DateTime<Utc>) -> Vec<Finding> {
        let Decoded::Jwt(jwt) = decoded else {
            return vec![Finding::error(
                "relaybox.format",
                ids::FORMAT,
                "a Relaybox auth token is a JWT (HS256)",
            )];
        };
        let mut findings = Vec::new();
        if jwt.claim("tokenType").is_none_or(|v| v != "id_token") {
            findings.push(Finding::error("relaybox.token-type", CLAIMS, "tokenType must be \"id_token\": the auth service refuses any other (\"Invalid token type\")"));
        }
        if jwt.claim("iss").is_none_or(|v| v != ISSUER) {
            findings.push(Finding::error(
                "relaybox.issuer",
                CLAIMS,
                format!("iss must be \"{ISSUER}\": the auth service verifies the issuer"),
            ));
        }
        let public_key = jwt
            .claim("publicKey")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if public_key
            .split_once('.')
            .is_none_or(|(app, key)| app.is_empty() || key.is_empty())
        {
            findings.push(Finding::error(
                "relaybox.public-key",
                ids::KEY,
                "publicKey must be appPid.keyId: the server finds the secret by keyId",
            ));
        }
        if let Some(permissions) = jwt.claim("permissions") {
            check_permissions(permissions, &mut findings);
        }
        if let (Some(iat), Some(exp)) = (decoded.issued_at(), decoded.expires_at()) {
            let ttl = (exp - iat).num_seconds();
            if ttl <= REFRESH_BUFFER {
                findings.push(Finding::warning("relaybox.short-ttl", EXPIRY, format!("the token lives {ttl} s: the client refreshes {REFRESH_BUFFER} s before expiry, so its refresh timer fires at once and keeps firing; use more than {REFRESH_BUFFER} s")));
            }
        }
        findings
    }

    fn built_claims(&self) -> &'static [&'static str] {
        &BUILT
    }

    fn form_from(&self, decoded: &Decoded) -> Form {
        let permissions = match decoded.claim("permissions") {
            Some(Value::Object(rooms)) if rooms.values().all(Value::is_array) => rooms
                .iter()
                .map(|(room, ops)| RoomPermission {
                    room: room.clone(),
                    operations: ops
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|op| op.as_str().map_or_else(|| op.to_string(), str::to_string))
                        .collect(),
                })
                .collect(),
            _ => Vec::new(),
        };
        // Anything the form cannot hold as it is (array permissions, a numeric clientId) stays an extra claim.
        let mut built: Vec<&str> = BUILT.to_vec();
        if decoded.claim("permissions").is_some() && permissions.is_empty() {
            built.retain(|name| *name != "permissions");
        }
        if !matches!(decoded.claim("clientId"), Some(Value::String(_)) | None) {
            built.retain(|name| *name != "clientId");
        }
        let mut form = self.default_form();
        form.set(EXPIRY, FieldValue::Expiry(expiry_of(decoded)));
        form.set(PERMISSIONS, FieldValue::Rooms(permissions));
        form.set_text(CLIENT_ID, decoded.claim_str("clientId").unwrap_or_default());
        form.set(CLAIMS, FieldValue::Claims(leftover_claims(decoded, &built)));
        form
    }
}

fn check_permissions(permissions: &Value, findings: &mut Vec<Finding>) {
    let mut unknown = Vec::new();
    match permissions {
        Value::Array(ops) => {
            if ops.first().is_none_or(|op| op != "*") {
                findings.push(Finding::warning("relaybox.permissions-array", PERMISSIONS, "a permission list that does not start with \"*\" is refused by the official SDK's validator (\"Permissions for room '0' should be an array\"): use a room map such as {\"*\": [\"publish\"]}"));
            }
            unknown.extend(
                ops.iter()
                    .filter(|op| !is_operation(op))
                    .map(Value::to_string),
            );
        }
        Value::Object(rooms) => {
            for (room, ops) in rooms {
                let mut bad: Vec<char> = room.chars().filter(|c| ROOM_FORBIDDEN.contains(*c)).collect();
                bad.dedup();
                if !bad.is_empty() {
                    let bad: String = bad.into_iter().collect();
                    findings.push(Finding::error("relaybox.room-chars", PERMISSIONS, format!("the room pattern \"{room}\" has {bad}, which the SDK refuses in room keys (any of {ROOM_FORBIDDEN})")));
                }
                match ops {
                    Value::Array(ops) => unknown.extend(
                        ops.iter()
                            .filter(|op| !is_operation(op))
                            .map(|op| format!("{op} in \"{room}\"")),
                    ),
                    _ => findings.push(Finding::error(
                        "relaybox.permission-unknown",
                        PERMISSIONS,
                        format!("the permissions of \"{room}\" must be a list of operations"),
                    )),
                }
            }
        }
        _ => findings.push(Finding::error(
            "relaybox.permission-unknown",
            PERMISSIONS,
            "permissions must be a room map or a list",
        )),
    }
    if !unknown.is_empty() {
        findings.push(Finding::error(
            "relaybox.permission-unknown",
            PERMISSIONS,
            format!(
                "unknown operation(s) {}: use {}",
                unknown.join(", "),
                OPERATIONS.join(", ")
            ),
        ));
    }
}

fn is_operation(op: &Value) -> bool {
    op.as_str().is_some_and(|op| OPERATIONS.contains(&op))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::tests_support::{fixed_now, mint_and_decode, rule_ids_of};
    use chrono::TimeZone;
    use serde_json::{Map, json};

    proptest::proptest! {
        #[test]
        fn iso_string_is_what_chrono_writes(
            millis in -70_000_000_000_000i64..300_000_000_000_000,
        ) {
            let now = Utc.timestamp_millis_opt(millis).unwrap();
            let mut buffer = [0; ISO_LEN];
            let ours = iso_string(now, &mut buffer).into_owned();
            proptest::prop_assert_eq!(ours, now.to_rfc3339_opts(SecondsFormat::Millis, true));
        }
    }

    #[test]
    fn iso_string_at_the_edges_of_four_digit_years_and_a_leap_second() {
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_milli_opt(23, 59, 59, 1_500)
            .unwrap()
            .and_utc();
        for now in [
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            leap,
        ] {
            let mut buffer = [0; ISO_LEN];
            assert_eq!(
                iso_string(now, &mut buffer).as_ref(),
                now.to_rfc3339_opts(SecondsFormat::Millis, true)
            );
        }
    }

    #[test]
    fn a_room_named_twice_keeps_its_first_place_and_last_operations() {
        let permission = |room: &str, operation: &str| RoomPermission {
            room: room.into(),
            operations: vec![operation.into()],
        };
        let permissions = [
            permission("a", "join"),
            permission("b", "publish"),
            permission("a", "history"),
            permission("c", "*"),
            permission("b", "presence"),
        ];
        // What a JSON object built room by room holds.
        let built: Map<String, Value> = permissions
            .iter()
            .map(|p| (p.room.clone(), json!(p.operations)))
            .collect();
        assert_eq!(
            serde_json::to_string(&Rooms(&permissions)).unwrap(),
            serde_json::to_string(&built).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&built).unwrap(),
            r#"{"a":["history"],"b":["presence"],"c":["*"]}"#
        );
    }

    fn rules_for(changes: Value) -> Vec<&'static str> {
        let iat = fixed_now().timestamp();
        let mut claims = json!({"publicKey": "app.key", "timestamp": "2026-11-22T10:00:00.000Z", "tokenType": "id_token",
                                "permissions": {"chat:*": ["publish"]}, "clientId": "u", "iat": iat, "exp": iat + 900, "iss": ISSUER});
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        rule_ids_of(&Relaybox, "HS256", claims, fixed_now())
    }

    #[test]
    fn a_good_token_breaks_no_rule() {
        assert!(rules_for(json!({})).is_empty());
        assert!(rules_for(json!({"permissions": null})).is_empty());
        assert!(rules_for(json!({"permissions": ["*"]})).is_empty());
    }

    #[test]
    fn each_rule_triggers() {
        let iat = fixed_now().timestamp();
        assert_eq!(
            rules_for(json!({"permissions": {"chat": ["shout"]}})),
            ["relaybox.permission-unknown"]
        );
        assert_eq!(
            rules_for(json!({"permissions": {"chat.room": ["publish"]}})),
            ["relaybox.room-chars"]
        );
        assert_eq!(
            rules_for(json!({"permissions": ["publish"]})),
            ["relaybox.permissions-array"]
        );
        assert_eq!(
            rules_for(json!({"tokenType": "refresh_token"})),
            ["relaybox.token-type"]
        );
        assert_eq!(
            rules_for(json!({"iss": "https://example.com"})),
            ["relaybox.issuer"]
        );
        assert_eq!(
            rules_for(json!({"publicKey": "nodot"})),
            ["relaybox.public-key"]
        );
        assert_eq!(rules_for(json!({"exp": iat + 20})), ["relaybox.short-ttl"]);
        assert!(rules_for(json!({"exp": iat + 21})).is_empty());
    }

    #[test]
    fn api_key_secret_carries_the_public_key() {
        let (key, secret) = Relaybox.split_secret(Secret::new("app.key:s3cret"));
        assert_eq!(key.as_deref(), Some("app.key"));
        assert_eq!(secret.expose(), b"s3cret");
        let (key, secret) = Relaybox.split_secret(Secret::new("plain-secret"));
        assert_eq!((key, secret.expose()), (None, b"plain-secret".as_slice()));
    }

    #[test]
    fn mint_builds_rest_js_claims_and_round_trips_the_form() {
        let mut form = Relaybox.default_form();
        form.set(EXPIRY, FieldValue::Expiry(crate::duration::Expiry::After(900)));
        form.set(
            PERMISSIONS,
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
        form.set_text(CLIENT_ID, "user-1");
        let (decoded, now) = mint_and_decode(&PLATFORM, &form);
        let claims = decoded.claims();
        let names: Vec<&str> = claims
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(names, BUILT);
        assert_eq!(claims["timestamp"], "2026-11-22T10:00:00.000Z");
        assert_eq!(
            claims["permissions"],
            json!({"chat:*": ["publish", "presence"], "*": ["subscribe"]})
        );
        assert!(Relaybox.rules(&decoded, now).is_empty());
        assert_eq!(Relaybox.form_from(&decoded), form);
    }

    #[test]
    fn like_rest_js_no_permissions_and_no_null_client_id_by_default() {
        let (decoded, _) = mint_and_decode(&PLATFORM, &Relaybox.default_form());
        let claims = decoded.claims();
        assert!(claims.get("permissions").is_none(), "{claims}");
        assert!(claims.get("clientId").is_none(), "{claims}");
        let mut form = Relaybox.default_form();
        form.set_text(CLIENT_ID, "null");
        let (decoded, _) = mint_and_decode(&PLATFORM, &form);
        assert!(decoded.claims().get("clientId").is_none());
    }

    #[test]
    fn the_room_chars_finding_names_the_character() {
        let iat = fixed_now().timestamp();
        let claims = json!({"publicKey": "app.key", "timestamp": "x", "tokenType": "id_token",
                            "permissions": {"chat.room+1": ["publish"]}, "iat": iat, "exp": iat + 900, "iss": ISSUER});
        let text = format!(
            "{}.{}.c2ln",
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, r#"{"alg":"HS256"}"#),
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims.to_string())
        );
        let decoded = crate::token::inspect(&text).unwrap();
        let findings = Relaybox.rules(&decoded, fixed_now());
        assert!(findings[0].message.contains("has .+,"), "{}", findings[0].message);
    }
}
