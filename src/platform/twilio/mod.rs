//! Twilio Access Token (PLATFORMS.md §11): a JWT signed HS256 with an API key's secret, as
//! twilio-node's `jwt.AccessToken` writes it (`src/jwt/AccessToken.ts`): header
//! `{"alg","typ","cty":"twilio-fpa;v=1"}` (+ `twr` for a region), claims `jti` (`SK…-iat`),
//! `grants` (identity first, then the grants), `iat`, `exp`, `iss` (API key SID), `sub`
//! (Account SID). Tokens from twilio-python (`nbf`, no `iat`) are read too.

mod endpoint;
mod lifetime;
mod rules;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::endpoint::Route;
use super::field::common::{self, spec};
use super::field::ids;
use super::lifetime::LifetimeModel;
use super::subform::{self, SubField, SubForm, SubKind};
use super::{
    CredentialPart, CredentialSpec, Credentials, FieldKind, FieldSpec, FieldValue, Form,
    MintContext, MintError, Platform, exp_of, leftover_claims,
};
use crate::duration::Expiry;
use crate::findings::Finding;
use crate::token::{ClaimValue, Claims, Decoded};

pub struct Twilio;

pub static PLATFORM: Twilio = Twilio;

crate::fields! {
    TOPIC: "topic" = FieldSpec {
        empty: "no video grant",
        ..common::text("video room", "topic", "",
            "the Video room → grants.video (empty: no video grant)")
    },
    EXPIRY: "expiry" = common::expiry("exp − iat: at most 24 h (error 20157); 3 min or more with a chat grant"),
    GRANTS: "grants" = FieldSpec {
        ..spec("grants", "grant", FieldKind::SubForms { forms: &GRANT_FORMS },
            "GRANT.FIELD=VALUE (repeatable), the grants besides video's: voice.incoming.allow=true, \
             voice.outgoing.application_sid=AP…, chat.service_sid=IS…, data_sync.service_sid=IS…, \
             task_router.workspace_sid=WS…, player=JSON; GRANT= alone for one with nothing set")
    },
    CLIENT_ID: "client-id" = FieldSpec {
        aliases: &["identity"],
        ..common::text("identity", "client-id", "alice",
            "→ grants.identity (required; at most 128 characters, double-byte ones counting 2)")
    },
    REGION: "region" = common::text("region", "region", "",
        "the API key's region → header twr (empty: none, which is us1)"),
    CLAIMS: "claims" = common::claims(),
}

/// The grants twilio-node and twilio-python write besides video's (which the topic makes), each
/// a sub-form, in the SDKs' class order.
static GRANT_FORMS: [SubForm; 5] = [
    SubForm {
        name: "voice",
        label: "voice grant",
        fields: &[
            sub("incoming.allow", "incoming calls", SubKind::Switch),
            sub("outgoing.application_sid", "TwiML app SID", SubKind::Text),
            sub("outgoing.params", "app params", SubKind::Json),
            sub("push_credential_sid", "push credential", SubKind::Text),
            sub("endpoint_id", "endpoint id", SubKind::Text),
        ],
    },
    SubForm {
        name: "chat",
        label: "chat grant",
        fields: &[
            sub("service_sid", "service SID", SubKind::Text),
            sub("endpoint_id", "endpoint id", SubKind::Text),
            sub("deployment_role_sid", "deployment role", SubKind::Text),
            sub("push_credential_sid", "push credential", SubKind::Text),
        ],
    },
    SubForm {
        name: "data_sync",
        label: "sync grant",
        fields: &[
            sub("service_sid", "service SID", SubKind::Text),
            sub("endpoint_id", "endpoint id", SubKind::Text),
        ],
    },
    SubForm {
        name: "task_router",
        label: "TaskRouter",
        fields: &[
            sub("workspace_sid", "workspace SID", SubKind::Text),
            sub("worker_sid", "worker SID", SubKind::Text),
            sub("role", "role", SubKind::Text),
        ],
    },
    SubForm {
        name: "player",
        label: "player grant",
        fields: &[sub("", "grant JSON", SubKind::Json)],
    },
];

const fn sub(name: &'static str, label: &'static str, kind: SubKind) -> SubField {
    SubField { name, label, kind }
}

static CREDENTIALS: CredentialSpec = CredentialSpec {
    key: CredentialPart {
        label: "API key SID",
        help: "the API key SID SK… → iss",
        option: "key",
        env: &["TWILIO_API_KEY"],
    },
    secret: CredentialPart {
        label: "API key secret",
        help: "the API key's secret (HS256; not the account's Auth Token)",
        option: "secret",
        env: &["TWILIO_API_SECRET"],
    },
    account: Some(CredentialPart {
        label: "Account SID",
        help: "the Account SID AC… → sub",
        option: "account",
        env: &["TWILIO_ACCOUNT_SID"],
    }),
    demo: include_str!("../../../assets/demo/twilio.json"),
    demo_secret: None,
};

/// twilio-node's header `cty`, which Twilio requires (error 20102 otherwise).
pub const CTY: &str = "twilio-fpa;v=1";
pub const DEFAULT_TTL: i64 = 3600;
/// Error 20157: "Expiration Time Exceeds Maximum Time Allowed" (24 h).
pub const MAX_TTL: i64 = 86_400;
/// Chat and Conversations tokens live at least 3 minutes (Programmable Chat's token docs).
pub const CHAT_MIN_TTL: i64 = 180;
/// Error 53200: an identity of more than 128 characters, double-byte ones counting 2.
pub const IDENTITY_MAX: usize = 128;

/// The claims the form builds; `nbf` (twilio-python's) is read into the expiry.
const BUILT: [&str; 7] = ["jti", "grants", "iat", "exp", "iss", "sub", "nbf"];

impl Platform for Twilio {
    fn id(&self) -> &'static str {
        "twilio"
    }

    fn name(&self) -> &'static str {
        "Twilio"
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
        "at most 24h; 3m or more with chat"
    }

    fn lifetime(&self) -> &'static dyn LifetimeModel {
        &lifetime::MODEL
    }

    fn routes(&self) -> &'static [Route] {
        endpoint::ROUTES
    }

    /// twilio-node's header: `alg`, `typ`, `cty`, and `twr` when a region is given.
    fn jwt_header(&self, alg: &'static str, form: &Form, _credentials: &Credentials) -> Value {
        let mut header = json!({"alg": alg, "typ": "JWT", "cty": CTY});
        // twilio-node writes any non-empty string.
        let region = form.text(REGION);
        if !region.is_empty() {
            header["twr"] = region.into();
        }
        header
    }

    fn header_follows_form(&self) -> bool {
        true
    }

    fn write_claims(
        &self,
        form: &Form,
        credentials: &Credentials,
        ctx: &mut MintContext,
        claims: &mut Claims,
    ) -> Result<(), MintError> {
        let account = credentials
            .account
            .as_deref()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| {
                MintError::field(
                    ids::ACCOUNT,
                    "no Account SID: give --account AC… or set TWILIO_ACCOUNT_SID",
                )
            })?;
        let iat = ctx.now.timestamp();
        let exp = exp_of(EXPIRY, form, iat, DEFAULT_TTL)?;
        let grants = grants_of(form)?;
        // twilio-node's payload, then what jsonwebtoken appends: iat, exp, iss, sub.
        let jti = format!("{}-{iat}", credentials.key);
        claims.put("jti", jti.as_str());
        claims.put("grants", ClaimValue::Json(&grants));
        claims.put("iat", iat);
        claims.put("exp", exp);
        claims.put("iss", credentials.key.as_str());
        claims.put("sub", account);
        Ok(())
    }

    fn detect(&self, decoded: &Decoded) -> u8 {
        match decoded {
            Decoded::Jwt(jwt) if jwt.header.get("cty").is_some_and(|c| c == CTY) => 100,
            Decoded::Jwt(jwt)
                if jwt.claim("grants").is_some_and(Value::is_object)
                    && jwt
                        .claim("iss")
                        .and_then(Value::as_str)
                        .is_some_and(|iss| iss.starts_with("SK")) =>
            {
                90
            }
            _ => 0,
        }
    }

    fn key_id(&self, decoded: &Decoded) -> Option<String> {
        decoded.claim_str("iss")
    }

    fn rules(&self, decoded: &Decoded, _now: DateTime<Utc>) -> Vec<Finding> {
        rules::rules(decoded)
    }

    fn built_claims(&self) -> &'static [&'static str] {
        &BUILT
    }

    fn form_from(&self, decoded: &Decoded) -> Form {
        let mut form = self.default_form();
        let grants = decoded.claim("grants");
        let object = grants.as_ref().and_then(Value::as_object);
        let identity = object.and_then(|g| g.get("identity"));
        form.set_text(
            CLIENT_ID,
            identity.and_then(Value::as_str).unwrap_or_default(),
        );
        let video = object.and_then(|g| g.get("video"));
        form.set_text(
            TOPIC,
            video
                .and_then(|v| v.get("room"))
                .and_then(Value::as_str)
                .unwrap_or_default(),
        );
        form.set(
            GRANTS,
            FieldValue::Pairs(object.map(grant_pairs).unwrap_or_default()),
        );
        // twilio-python writes nbf and no iat: the lifetime runs from nbf.
        let start = decoded.issued_at().or_else(|| decoded.not_before());
        let expiry = match (start, decoded.expires_at()) {
            (Some(start), Some(exp)) => Expiry::After((exp - start).num_seconds()),
            (None, Some(exp)) => Expiry::At(exp),
            _ => Expiry::Default,
        };
        form.set(EXPIRY, FieldValue::Expiry(expiry));
        form.set_text(
            REGION,
            decoded
                .header()
                .and_then(|h| h.get("twr"))
                .and_then(Value::as_str)
                .unwrap_or_default(),
        );
        // Grants the form cannot hold as they are (an unknown grant, a number where text goes)
        // stay an extra claim, which the form's grants then do not replace.
        let mut built: Vec<&str> = BUILT.to_vec();
        if grants.is_some() && grants_of(&form).ok() != grants {
            built.retain(|name| *name != "grants");
        }
        form.set(
            CLAIMS,
            FieldValue::Claims(leftover_claims(decoded, &built)),
        );
        form
    }
}

/// The `grants` claim of a form: `identity` first, then each grant in, as twilio-node's grant
/// classes write them (a field only when set; `incoming` only when allowed). A video grant
/// without a room (any room) is not in the form: a token with one keeps its grants as an extra
/// claim.
fn grants_of(form: &Form) -> Result<Value, MintError> {
    let pairs = form.pairs(GRANTS);
    let mut grants = Map::new();
    let identity = form.text(CLIENT_ID);
    if !identity.is_empty() {
        grants.insert("identity".into(), identity.into());
    }
    let room = form.text(TOPIC);
    if !room.is_empty() {
        grants.insert("video".into(), json!({ "room": room }));
    }
    for group in &GRANT_FORMS {
        if !subform::is_in(pairs, group) {
            continue;
        }
        let mut grant = Map::new();
        for field in group.fields {
            let Some(text) = subform::value(pairs, group, field) else {
                continue;
            };
            let value = match field.kind {
                SubKind::Switch if text == "true" => Value::Bool(true),
                SubKind::Switch => continue,
                SubKind::Text => Value::String(text.to_string()),
                SubKind::Json => serde_json::from_str(text).map_err(|_| {
                    MintError::field(
                        GRANTS,
                        format!("{} is not JSON: {text}", group.path(field)),
                    )
                })?,
            };
            if field.name.is_empty() {
                // The grant's own value: twilio's PlaybackGrant writes the object it is given.
                grants.insert(group.name.into(), value);
                break;
            }
            put_path(&mut grant, field.name, value);
        }
        grants.entry(group.name).or_insert(Value::Object(grant));
    }
    Ok(Value::Object(grants))
}

/// Sets `a.b` in `object` to `value`, making `a` an object.
fn put_path(object: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        Some((head, rest)) => {
            let inner = object
                .entry(head)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = inner {
                put_path(inner, rest, value);
            }
        }
        None => {
            object.insert(path.into(), value);
        }
    }
}

/// The grant sub-forms a `grants` claim fills (video's room goes to the topic field).
fn grant_pairs(grants: &Map<String, Value>) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for group in &GRANT_FORMS {
        let Some(grant) = grants.get(group.name) else {
            continue;
        };
        pairs.push((group.name.to_string(), String::new()));
        for field in group.fields {
            let value = if field.name.is_empty() {
                Some(grant).filter(|g| g.as_object().is_none_or(|o| !o.is_empty()))
            } else {
                field
                    .name
                    .split('.')
                    .try_fold(grant, |value, part| value.get(part))
            };
            let text = match (field.kind, value) {
                (_, None) => continue,
                (SubKind::Switch, Some(Value::Bool(true))) => "true".to_string(),
                (SubKind::Text, Some(Value::String(text))) => text.clone(),
                (SubKind::Json, Some(value)) => value.to_string(),
                // Anything else is not what the form writes: the grants stay an extra claim.
                (_, Some(other)) => claim_text_of(other),
            };
            pairs.push((group.path(field), text));
        }
    }
    subform::canonical(&GRANT_FORMS, &pairs)
}

fn claim_text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The `grants` object of a token, when it has one.
pub(crate) fn grants(decoded: &Decoded) -> Option<Map<String, Value>> {
    match decoded.claim("grants") {
        Some(Value::Object(grants)) => Some(grants),
        _ => None,
    }
}

/// `exp − iat` (or `− nbf` for twilio-python's tokens, which have no iat), in seconds.
pub(crate) fn lifetime_seconds(decoded: &Decoded) -> Option<i64> {
    let start = decoded.issued_at().or_else(|| decoded.not_before())?;
    Some((decoded.expires_at()? - start).num_seconds())
}

#[cfg(test)]
mod tests;
