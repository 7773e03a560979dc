//! Ably tokens (PLATFORMS.md §6, §12), signed with the secret of an API key
//! `appId.keyId:secret`, in either format:
//!
//! - an Ably JWT as Ably's docs mint one (ably.com/docs/auth/token/jwt): header `kid` = the key
//!   name, claims `x-ably-capability` (a JSON *string*), `x-ably-clientId`, `iat`, `exp`;
//! - a TokenRequest as ably-js's `createTokenRequest` writes it (`src/common/lib/client/auth.ts`):
//!   canonical capability, `ttl` in milliseconds, `timestamp` and a 16-digit `nonce`, `mac`.

mod endpoint;
mod lifetime;
mod rules;

use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::{Map, Value, json};

use super::endpoint::Route;
use super::field::common::{self, spec};
use super::lifetime::LifetimeModel;
use super::{
    CredentialPart, CredentialSpec, Credentials, FieldKind, FieldSpec, FieldValue, Form,
    MintContext, MintError, Platform, RoomPermission, TokenFormat, exp_of, expiry_of,
    leftover_claims,
};
use crate::duration::Expiry;
use crate::findings::Finding;
use crate::secret::Secret;
use crate::token::ably_token_request::{self, Unsigned, canonical_capability};
use crate::token::{Claims, Decoded};

pub struct Ably;

pub static PLATFORM: Ably = Ably;

crate::fields! {
    EXPIRY: "expiry" = common::expiry("JWT exp − iat, or a TokenRequest's ttl (in ms): at most 24 h"),
    PERMISSIONS: "permissions" = FieldSpec {
        empty: "none: {\"*\":[\"*\"]} in a JWT, the key's own in a TokenRequest",
        ..spec("capability", "permission", FieldKind::Rooms { operations: &OPERATIONS },
            "RESOURCE=OPS (repeatable): channel pattern → operations, the capability")
    },
    CLIENT_ID: "client-id" = common::text("client id", "client-id", "",
        "→ x-ably-clientId (JWT) or clientId (TokenRequest); * lets the client choose"),
    CLAIMS: "claims" = common::claims(),
    FORMAT: "format" = spec("format", "format", FieldKind::Choice { choices: &FORMATS, default: "jwt" },
        "jwt (an Ably JWT) or token-request (a TokenRequest the client trades with Ably)"),
}

pub const FORMATS: [&str; 2] = ["jwt", "token-request"];

/// The capability operations of ably 2.28.0's `ably.d.ts` (`capabilityOp`) and Ably's
/// capabilities docs, with `*`, in the order ably-js sorts them (a canonical capability lists
/// them so).
pub const OPERATIONS: [&str; 18] = [
    "*",
    "annotation-publish",
    "annotation-subscribe",
    "channel-metadata",
    "history",
    "message-delete-any",
    "message-delete-own",
    "message-update-any",
    "message-update-own",
    "object-publish",
    "object-subscribe",
    "presence",
    "privileged-headers",
    "publish",
    "push-admin",
    "push-subscribe",
    "stats",
    "subscribe",
];

/// What a JWT holds when the form gives no capability (Ably's sample server writes it, since
/// the claim is required): every channel, every operation, as far as the key allows.
const ALL: &str = r#"{"*":["*"]}"#;

static CREDENTIALS: CredentialSpec = CredentialSpec {
    key: CredentialPart {
        label: "key name",
        help: "the API key's name appId.keyId → kid (JWT) or keyName (TokenRequest)",
        option: "key",
        env: &[],
    },
    secret: CredentialPart {
        label: "key secret",
        help: "the API key's secret, or the whole API key appId.keyId:secret",
        option: "secret",
        env: &["ABLY_API_KEY"],
    },
    account: None,
    demo: include_str!("../../../assets/demo/ably.json"),
    demo_secret: None,
};

pub const DEFAULT_TTL: i64 = 3600;
/// "Access tokens max 24 h" (Ably's token docs, "Token TTL limits"); over it, 40003.
pub const MAX_TTL: i64 = 86_400;

const BUILT: [&str; 4] = ["x-ably-capability", "x-ably-clientId", "iat", "exp"];

impl Platform for Ably {
    fn id(&self) -> &'static str {
        "ably"
    }

    fn name(&self) -> &'static str {
        "Ably"
    }

    fn fields(&self) -> &'static [FieldSpec] {
        FIELDS
    }

    fn credentials(&self) -> &'static CredentialSpec {
        &CREDENTIALS
    }

    fn default_ttl(&self) -> i64 {
        DEFAULT_TTL
    }

    fn lifetime_limits(&self) -> &'static str {
        "at most 24h (1h for revocable keys)"
    }

    fn lifetime(&self) -> &'static dyn LifetimeModel {
        &lifetime::MODEL
    }

    fn routes(&self) -> &'static [Route] {
        endpoint::ROUTES
    }

    fn split_secret(&self, secret: Secret) -> (Option<String>, Secret) {
        // An API key `appId.keyId:secret` carries its name; ably-js's key pattern allows no
        // ':' in the secret.
        let text = secret.expose();
        match text.iter().position(|b| *b == b':') {
            Some(colon) if text[..colon].contains(&b'.') && !text[colon + 1..].contains(&b':') => (
                Some(String::from_utf8_lossy(&text[..colon]).into_owned()),
                Secret::new(&text[colon + 1..]),
            ),
            _ => (None, secret),
        }
    }

    fn format(&self, form: &Form) -> TokenFormat {
        if form.text(FORMAT).trim() == "token-request" {
            TokenFormat::Other
        } else {
            TokenFormat::Jwt
        }
    }

    /// The header of Ably's docs' servers (jsonwebtoken with `keyid`): `alg`, `typ`, `kid`.
    fn jwt_header(&self, alg: &'static str, _form: &Form, credentials: &Credentials) -> Value {
        json!({"alg": alg, "typ": "JWT", "kid": credentials.key})
    }

    fn write_claims(
        &self,
        form: &Form,
        _credentials: &Credentials,
        ctx: &mut MintContext,
        claims: &mut Claims,
    ) -> Result<(), MintError> {
        let format = form.text(FORMAT).trim();
        if format != "jwt" {
            return Err(MintError::field(
                FORMAT,
                format!("'{format}' is not an Ably token format: use jwt or token-request"),
            ));
        }
        let iat = ctx.now.timestamp();
        let exp = exp_of(EXPIRY, form, iat, DEFAULT_TTL)?;
        let capability = capability_of(form)?;
        // The docs' claims, then what jsonwebtoken appends: iat, exp.
        claims.put("x-ably-capability", capability.as_deref().unwrap_or(ALL));
        let client_id = form.text(CLIENT_ID);
        if !client_id.is_empty() {
            claims.put("x-ably-clientId", client_id);
        }
        claims.put("iat", iat);
        claims.put("exp", exp);
        Ok(())
    }

    /// A TokenRequest, as `createTokenRequest` signs it at `now` with a 16-digit nonce.
    fn mint_other(
        &self,
        form: &Form,
        credentials: &Credentials,
        ctx: &mut MintContext,
        out: &mut Vec<u8>,
    ) -> Result<(), MintError> {
        if !form.extra_claims().is_empty() {
            return Err(MintError::field(
                CLAIMS,
                "a TokenRequest has only its seven fields: extra claims go into JWTs (--format jwt)",
            ));
        }
        let timestamp_ms = ctx.now.timestamp_millis();
        let ttl_ms = match form.expiry(EXPIRY) {
            Expiry::Default => None,
            Expiry::After(seconds) => Some(seconds.saturating_mul(1000)),
            Expiry::At(at) => Some((at - ctx.now).num_milliseconds()),
        };
        // ably-js writes a ttl of 0 but signs it as "", and reads a timestamp of 0 as none.
        if ttl_ms.is_some_and(|ttl| ttl <= 0) {
            return Err(MintError::field(
                EXPIRY,
                "a TokenRequest's ttl must be 1 s or more (leave the expiry empty for Ably's default hour)",
            ));
        }
        if timestamp_ms <= 0 {
            return Err(MintError::field(
                EXPIRY,
                "a TokenRequest's timestamp must be after 1970: ably-js reads 0 as no timestamp",
            ));
        }
        let capability = capability_of(form)?;
        let client_id = Some(form.text(CLIENT_ID)).filter(|id| !id.is_empty());
        // ably-js: ('000000' + Math.floor(Math.random() * 1e16)).slice(-16).
        let nonce = format!("{:016}", ctx.rng.gen_range(0..10_000_000_000_000_000_u64));
        out.extend_from_slice(ably_token_request::encode(
            &Unsigned {
                key_name: &credentials.key,
                ttl_ms,
                capability: capability.as_deref(),
                client_id,
                timestamp_ms,
                nonce: &nonce,
            },
            &credentials.secret,
        )
        .as_bytes());
        Ok(())
    }

    fn detect(&self, decoded: &Decoded) -> u8 {
        match decoded {
            Decoded::AblyTokenRequest(_) => 100,
            Decoded::Jwt(jwt) if jwt.claim("x-ably-capability").is_some() => 100,
            Decoded::Jwt(jwt) if jwt.claim("x-ably-clientId").is_some() => 90,
            _ => 0,
        }
    }

    fn key_id(&self, decoded: &Decoded) -> Option<String> {
        match decoded {
            Decoded::Jwt(jwt) => jwt.header.get("kid").and_then(Value::as_str).map(str::to_string),
            Decoded::AblyTokenRequest(request) => request.key_name().map(str::to_string),
            _ => None,
        }
    }

    fn rules(&self, decoded: &Decoded, now: DateTime<Utc>) -> Vec<Finding> {
        rules::rules(decoded, now)
    }

    fn key_findings(&self, decoded: &Decoded, key: &str) -> Vec<Finding> {
        rules::key_findings(self.key_id(decoded).as_deref(), key)
    }

    fn built_claims(&self) -> &'static [&'static str] {
        &BUILT
    }

    fn form_from(&self, decoded: &Decoded) -> Form {
        let mut form = self.default_form();
        let request = matches!(decoded, Decoded::AblyTokenRequest(_));
        form.set_text(FORMAT, if request { "token-request" } else { "jwt" });
        let capability = decoded.claim(if request {
            "capability"
        } else {
            "x-ably-capability"
        });
        let rooms = capability.as_ref().and_then(rooms_of);
        let all = !request && capability.as_ref().and_then(Value::as_str) == Some(ALL);
        form.set(
            PERMISSIONS,
            FieldValue::Rooms(if all {
                Vec::new()
            } else {
                rooms.clone().unwrap_or_default()
            }),
        );
        let client_id = decoded.claim(if request { "clientId" } else { "x-ably-clientId" });
        form.set_text(
            CLIENT_ID,
            client_id.as_ref().and_then(Value::as_str).unwrap_or_default(),
        );
        match decoded {
            Decoded::AblyTokenRequest(token_request) => {
                let expiry = match (token_request.field("ttl"), token_request.millis("ttl")) {
                    (None | Some(Value::Null), _) => Expiry::Default,
                    (_, Some(ttl)) => Expiry::After(ttl.div_euclid(1000)),
                    (_, None) => Expiry::Default,
                };
                form.set(EXPIRY, FieldValue::Expiry(expiry));
            }
            _ => {
                form.set(EXPIRY, FieldValue::Expiry(expiry_of(decoded)));
                // What the form cannot hold as it is (a capability object, a numeric client
                // id) stays an extra claim.
                let mut built: Vec<&str> = BUILT.to_vec();
                if capability.is_some() && rooms.is_none() {
                    built.retain(|name| *name != "x-ably-capability");
                }
                if !matches!(client_id, Some(Value::String(_)) | None) {
                    built.retain(|name| *name != "x-ably-clientId");
                }
                form.set(CLAIMS, FieldValue::Claims(leftover_claims(decoded, &built)));
            }
        }
        form
    }
}

/// The canonical capability of the form's rooms (a room named twice keeps its last
/// operations, as a JavaScript object built room by room does); `None` without rooms.
fn capability_of(form: &Form) -> Result<Option<String>, MintError> {
    let rooms = form.rooms(PERMISSIONS);
    if rooms.is_empty() {
        return Ok(None);
    }
    let mut capability = Map::new();
    for room in rooms {
        capability.insert(room.room.clone(), json!(room.operations));
    }
    canonical_capability(&Value::Object(capability))
        .map(Some)
        .map_err(|reason| MintError::field(PERMISSIONS, reason))
}

/// The rooms of a capability claim: a JSON string of resource → list of operations.
fn rooms_of(capability: &Value) -> Option<Vec<RoomPermission>> {
    rooms_of_json(&serde_json::from_str(capability.as_str()?).ok()?)
}

/// The rooms of a capability object, when it is one of lists of operation names.
fn rooms_of_json(capability: &Value) -> Option<Vec<RoomPermission>> {
    capability
        .as_object()?
        .iter()
        .map(|(room, operations)| {
            Some(RoomPermission {
                room: room.clone(),
                operations: operations
                    .as_array()?
                    .iter()
                    .map(|op| op.as_str().map(str::to_string))
                    .collect::<Option<Vec<String>>>()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
