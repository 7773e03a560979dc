//! LiveKit access token (PLATFORMS.md §5, §10): a JWT signed HS256 with an API secret, `iss` the
//! API key, `sub` the identity, `nbf` and `exp`, and the grants of livekit/protocol
//! `auth/grants.go` (`video`, `sip`, `agent`, `inference`, `observability`, `kind`,
//! `kindDetails`, `roomConfig`, `roomPreset`, `metadata`, `attributes`). The header is
//! livekit-server-sdk's (`{"alg":"HS256"}`); Python's (`typ` too) and Go's (`iat` too) read the
//! same. `lk token create`'s flags are accepted: `--identity`, `--room`, `--valid-for`, `--join`,
//! `--admin`, `--create`, `--list`, `--egress`, `--ingress`, `--inference`,
//! `--allow-update-metadata`, `--allow-source`.

mod endpoint;
mod lifetime;
mod rules;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::endpoint::Route;
use super::field::common::{self, spec};
use super::generic::ClockLeeway;
use super::lifetime::{LifetimeModel, TokenTimes};
use super::{
    CredentialPart, CredentialSpec, Credentials, FieldKind, FieldSpec, FieldValue, Form,
    MintContext, MintError, Platform, Preset, exp_of, leftover_claims,
};
use crate::duration::Expiry;
use crate::findings::Finding;
use crate::token::{ClaimValue, Claims, Decoded};

pub struct Livekit;

pub static PLATFORM: Livekit = Livekit;

/// The role presets, each a set of grants that `--grant` then adjusts.
const ROLES: [&str; 6] = ["participant", "viewer", "admin", "egress", "ingress", "none"];

crate::fields! {
    ROLE: "role" = FieldSpec {
        ..spec("role", "role", FieldKind::Choice { choices: &ROLES, default: "participant" },
            "a preset of grants: participant (join, publish, subscribe, data), viewer (join, subscribe), \
             admin (roomAdmin, roomCreate, roomList), egress (roomRecord), ingress (ingressAdmin), \
             none; --grant adjusts it")
    },
    TOPIC: "topic" = FieldSpec {
        aliases: &["room"],
        ..common::text("room", "topic", "demo-room", "the room → video.room")
    },
    EXPIRY: "expiry" = FieldSpec {
        aliases: &["valid-for"],
        ..common::expiry("exp (default 6 h); only the initial connect checks it")
    },
    GRANTS: "grants" = FieldSpec {
        presets: &PRESETS,
        empty: "as the role gives",
        ..spec("grants", "grant", FieldKind::Pairs { names: &GRANT_NAMES },
            "NAME=VALUE (repeatable): a video grant (canPublish=false, hidden=true …), \
             sip.admin|call, agent.admin|simulationAdmin|databaseAdmin|dispatchAdmin, inference.perform, \
             observability.write (true or false), kind=standard|egress|ingress|sip|agent, \
             kindDetails=A,B, roomPreset=NAME, destinationRoom=ROOM; or, as lk takes it, a JSON \
             object of video grants")
    },
    SOURCES: "sources" = FieldSpec {
        aliases: &["allow-source"],
        empty: "every source",
        ..common::text("publish sources", "sources", "",
            "camera, microphone, screen_share, screen_share_audio (comma list) → video.canPublishSources")
    },
    METADATA: "metadata" = common::text("metadata", "metadata", "", "→ metadata (a string; often JSON)"),
    ATTRIBUTES: "attributes" = FieldSpec {
        ..spec("attributes", "attribute", FieldKind::Pairs { names: &[] },
            "KEY=VALUE (repeatable) → attributes (string → string)")
    },
    ROOM_CONFIG: "room-config" = FieldSpec {
        empty: "none",
        ..spec("room config", "room-config", FieldKind::Json,
            "RoomConfiguration as JSON → roomConfig (agents to dispatch, timeouts …)")
    },
    CLIENT_ID: "client-id" = FieldSpec {
        aliases: &["identity"],
        ..common::text("identity", "client-id", "alice", "→ sub (required to join)")
    },
    NAME: "name" = common::text("name", "name", "", "the display name → name"),
    CLAIMS: "claims" = common::claims(),
    URL: "url" = FieldSpec {
        env: &["LIVEKIT_URL"],
        empty: "ws://localhost:7880",
        ..common::text("server URL", "url", "", "the server_url serve's /livekit/token answers (not in the token)")
    },
    REQUEST_MAY_SET: "request-may-set" = common::text("request may set", "request-may-set",
        endpoint::BODY_FIELDS_TEXT,
        "the body fields /livekit/token takes from a request (comma list); another is refused with 403"),
}

/// `lk token create`'s value-less permission flags (livekit-cli `cmd/lk/token.go`).
static PRESETS: [Preset; 8] = [
    preset("join", "roomJoin=true", "lk: join a room"),
    preset("admin", "roomAdmin=true", "lk: moderate a room"),
    preset("create", "roomCreate=true", "lk: create rooms"),
    preset("list", "roomList=true", "lk: list rooms"),
    preset("egress", "roomRecord=true", "lk: use the Egress service"),
    preset("ingress", "ingressAdmin=true", "lk: use the Ingress service"),
    preset("inference", "inference.perform=true", "lk: use LiveKit Inference"),
    preset(
        "allow-update-metadata",
        "canUpdateOwnMetadata=true",
        "lk: update one's own name, metadata and attributes",
    ),
];

const fn preset(option: &'static str, value: &'static str, help: &'static str) -> Preset {
    Preset {
        option,
        value,
        help,
    }
}

/// The video grant's switches, in livekit/protocol's `VideoGrant` order (how they are written).
const VIDEO_SWITCHES: [&str; 15] = [
    "roomCreate",
    "roomList",
    "roomRecord",
    "roomAdmin",
    "roomJoin",
    "canPublish",
    "canSubscribe",
    "canPublishData",
    "canUpdateOwnMetadata",
    "ingressAdmin",
    "hidden",
    "recorder",
    "agent",
    "canSubscribeMetrics",
    "canManageAgentSession",
];

/// The grants besides video's, each `GRANT.FIELD` a switch, in `ClaimGrants` order.
const OTHER_SWITCHES: [(&str, &[&str]); 4] = [
    ("sip", &["admin", "call"]),
    // dispatchAdmin: livekit-api (Python) 1.2.2 writes it, beside the Go protocol's three.
    ("agent", &["admin", "simulationAdmin", "databaseAdmin", "dispatchAdmin"]),
    ("inference", &["perform"]),
    ("observability", &["write"]),
];

/// Every grant name the form offers, in the workbench's order: the commonest first.
const GRANT_NAMES: [&str; 27] = [
    "roomJoin",
    "canPublish",
    "canSubscribe",
    "canPublishData",
    "canUpdateOwnMetadata",
    "hidden",
    "roomAdmin",
    "roomCreate",
    "roomList",
    "roomRecord",
    "ingressAdmin",
    "recorder",
    "agent",
    "canSubscribeMetrics",
    "canManageAgentSession",
    "destinationRoom",
    "sip.admin",
    "sip.call",
    "agent.admin",
    "agent.simulationAdmin",
    "agent.databaseAdmin",
    "agent.dispatchAdmin",
    "inference.perform",
    "observability.write",
    "kind",
    "kindDetails",
    "roomPreset",
];

/// The participant kinds (livekit/protocol `ParticipantInfo.Kind`, lowercase as `kindFromProto`
/// writes them).
const KINDS: [&str; 7] = ["standard", "ingress", "egress", "sip", "agent", "connector", "bridge"];

/// The track sources `canPublishSources` names (livekit/protocol `sourceToString`).
pub const SOURCES_KNOWN: [&str; 4] = ["camera", "microphone", "screen_share", "screen_share_audio"];

static CREDENTIALS: CredentialSpec = CredentialSpec {
    key: CredentialPart {
        label: "API key",
        help: "the API key → iss",
        option: "key",
        env: &["LIVEKIT_API_KEY"],
    },
    secret: CredentialPart {
        label: "API secret",
        help: "the API key's secret (HS256)",
        option: "secret",
        env: &["LIVEKIT_API_SECRET"],
    },
    account: None,
    demo: include_str!("../../../assets/demo/livekit.json"),
    demo_secret: None,
};

/// livekit-server-sdk's default ttl, `6h`.
pub const DEFAULT_TTL: i64 = 21_600;
/// The server's clock leeway (livekit/protocol `auth/verifier.go`, `tokenLeeway`).
pub const SERVER_LEEWAY: i64 = 60;

/// The claims the form builds.
const BUILT: [&str; 17] = [
    "name",
    "kind",
    "kindDetails",
    "video",
    "sip",
    "agent",
    "inference",
    "observability",
    "roomConfig",
    "roomPreset",
    "metadata",
    "attributes",
    "iss",
    "exp",
    "nbf",
    "sub",
    "iat",
];

impl Platform for Livekit {
    fn id(&self) -> &'static str {
        "livekit"
    }

    fn name(&self) -> &'static str {
        "LiveKit"
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
        "exp required; checked at join only"
    }

    fn lifetime(&self) -> &'static dyn LifetimeModel {
        &lifetime::MODEL
    }

    /// livekit-server-sdk writes no `iat`: the lifetime runs from `nbf`, the mint time.
    fn token_times(&self, decoded: &Decoded) -> Option<TokenTimes> {
        let start = decoded.issued_at().or_else(|| decoded.not_before())?;
        Some(TokenTimes::new(start, decoded.expires_at()?))
    }

    fn clock_leeway(&self) -> Option<ClockLeeway> {
        Some(ClockLeeway {
            seconds: SERVER_LEEWAY,
            whose: "LiveKit's server",
        })
    }

    fn routes(&self) -> &'static [Route] {
        endpoint::ROUTES
    }

    /// The endpoint's own settings go into no token.
    fn applies(&self, _form: &Form, field: usize) -> bool {
        field != URL.index && field != REQUEST_MAY_SET.index
    }

    /// The grant switches are toggles: true, false, or (no pair) what the role gives.
    fn pair_choices(&self, field: usize, name: &str) -> &'static [&'static str] {
        match name {
            _ if field != GRANTS.index => &[],
            "kind" => &KINDS,
            "destinationRoom" | "kindDetails" | "roomPreset" => &[],
            _ => &["true", "false"],
        }
    }

    fn pair_default(&self, form: &Form, field: usize, name: &str) -> Option<&'static str> {
        if field != GRANTS.index {
            return None;
        }
        role_grants(form.text(ROLE))
            .iter()
            .find(|(grant, _)| *grant == name)
            .map(|(_, value)| *value)
    }

    /// livekit-server-sdk's header: `alg` alone.
    fn jwt_header(&self, alg: &'static str, _form: &Form, _credentials: &Credentials) -> Value {
        json!({ "alg": alg })
    }

    fn write_claims(
        &self,
        form: &Form,
        credentials: &Credentials,
        ctx: &mut MintContext,
        claims: &mut Claims,
    ) -> Result<(), MintError> {
        let nbf = ctx.now.timestamp();
        let exp = exp_of(EXPIRY, form, nbf, DEFAULT_TTL)?;
        let grants = Grants::of(form)?;
        let name = form.text(NAME);
        if !name.is_empty() {
            claims.put("name", name);
        }
        if let Some(kind) = &grants.kind {
            claims.put("kind", kind.as_str());
        }
        if let Some(details) = &grants.kind_details {
            claims.put("kindDetails", ClaimValue::Json(details));
        }
        for (claim, grant) in [
            ("video", &grants.video),
            ("sip", &grants.sip),
            ("agent", &grants.agent),
            ("inference", &grants.inference),
            ("observability", &grants.observability),
        ] {
            if let Some(grant) = grant {
                claims.put(claim, ClaimValue::Json(&Value::Object(grant.clone())));
            }
        }
        let room_config = room_config_of(form)?;
        if let Some(config) = &room_config {
            claims.put("roomConfig", ClaimValue::Json(config));
        }
        if let Some(preset) = &grants.room_preset {
            claims.put("roomPreset", preset.as_str());
        }
        let metadata = form.text(METADATA);
        if !metadata.is_empty() {
            claims.put("metadata", metadata);
        }
        let attributes = form.pairs(ATTRIBUTES);
        if !attributes.is_empty() {
            let object: Map<String, Value> = attributes
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            claims.put("attributes", ClaimValue::Json(&Value::Object(object)));
        }
        // What jose appends in livekit-server-sdk's toJwt: iss, exp, nbf, then sub.
        claims.put("iss", credentials.key.as_str());
        claims.put("exp", exp);
        claims.put("nbf", nbf);
        let identity = form.text(CLIENT_ID);
        if !identity.is_empty() {
            claims.put("sub", identity);
        }
        Ok(())
    }

    fn detect(&self, decoded: &Decoded) -> u8 {
        let Decoded::Jwt(jwt) = decoded else {
            return 0;
        };
        let object = |name: &str| jwt.claim(name).is_some_and(Value::is_object);
        let api_key = jwt
            .claim("iss")
            .and_then(Value::as_str)
            .is_some_and(|iss| iss.starts_with("API"));
        if object("video") {
            return 95;
        }
        if ["sip", "inference", "observability", "roomConfig"]
            .iter()
            .any(|name| object(name))
            || (object("agent") && api_key)
        {
            return 85;
        }
        // LiveKit API keys start with "API"; a token with only nbf/exp besides is likely ours.
        if api_key && jwt.claim("grants").is_none() {
            return 60;
        }
        0
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
        let text = |name: &str| match decoded.claim(name) {
            Some(Value::String(text)) => text,
            _ => String::new(),
        };
        form.set_text(CLIENT_ID, text("sub"));
        form.set_text(NAME, text("name"));
        form.set_text(METADATA, text("metadata"));
        let video = decoded.claim("video");
        let video = video.as_ref().and_then(Value::as_object);
        form.set_text(
            TOPIC,
            video
                .and_then(|v| v.get("room"))
                .and_then(Value::as_str)
                .unwrap_or_default(),
        );
        if let Some(Value::Array(sources)) = video.and_then(|v| v.get("canPublishSources")) {
            let names: Vec<&str> = sources.iter().filter_map(Value::as_str).collect();
            // Names the form cannot mint leave the video grant an extra claim.
            if names.len() == sources.len() && names.iter().all(|n| SOURCES_KNOWN.contains(n)) {
                form.set_text(SOURCES, names.join(","));
            }
        }
        let mut pairs = grant_pairs(decoded);
        let role = ROLES
            .iter()
            .find(|role| {
                role_grants(role)
                    .iter()
                    .all(|(name, value)| pairs.iter().any(|(n, v)| n == name && v == value))
            })
            .copied()
            .unwrap_or("none");
        pairs.retain(|(name, value)| {
            !role_grants(role)
                .iter()
                .any(|(n, v)| n == name && v == value)
        });
        form.set_text(ROLE, role);
        form.set(GRANTS, FieldValue::Pairs(pairs));
        if let Some(Value::Object(attributes)) = decoded.claim("attributes") {
            form.set(
                ATTRIBUTES,
                FieldValue::Pairs(
                    attributes
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect(),
                ),
            );
        }
        if let Some(config) = decoded.claim("roomConfig") {
            form.set_text(ROOM_CONFIG, config.to_string());
        }
        let start = decoded.issued_at().or_else(|| decoded.not_before());
        let expiry = match (start, decoded.expires_at()) {
            (Some(start), Some(exp)) => Expiry::After((exp - start).num_seconds()),
            (None, Some(exp)) => Expiry::At(exp),
            _ => Expiry::Default,
        };
        form.set(EXPIRY, FieldValue::Expiry(expiry));
        // Claims the form cannot hold as they are (a grant of a number, an unknown video field)
        // stay extra claims, which then replace what the form writes.
        let mut built: Vec<&str> = BUILT.to_vec();
        let rebuilt = Grants::of(&form).ok();
        let same = |name: &str, built: Option<Value>| decoded.claim(name) == built;
        if let Some(grants) = &rebuilt {
            for (name, grant) in [
                ("video", &grants.video),
                ("sip", &grants.sip),
                ("agent", &grants.agent),
                ("inference", &grants.inference),
                ("observability", &grants.observability),
            ] {
                if !same(name, grant.clone().map(Value::Object)) {
                    built.retain(|n| *n != name);
                }
            }
            if !same("kind", grants.kind.clone().map(Value::String)) {
                built.retain(|n| *n != "kind");
            }
            if !same("kindDetails", grants.kind_details.clone()) {
                built.retain(|n| *n != "kindDetails");
            }
            if !same("roomPreset", grants.room_preset.clone().map(Value::String)) {
                built.retain(|n| *n != "roomPreset");
            }
        }
        // livekit-api (Python) writes an empty sub when there is no identity; the form would
        // write none.
        for name in ["name", "metadata", "sub"] {
            if decoded.claim(name).is_some_and(|v| v.as_str().is_none_or(str::is_empty)) {
                built.retain(|n| *n != name);
            }
        }
        let attributes_fit = match decoded.claim("attributes") {
            None => true,
            Some(Value::Object(map)) => !map.is_empty() && map.values().all(Value::is_string),
            Some(_) => false,
        };
        if !attributes_fit {
            built.retain(|n| *n != "attributes");
            form.set(ATTRIBUTES, FieldValue::Pairs(Vec::new()));
        }
        if decoded.claim("roomConfig").is_some_and(|v| !v.is_object()) {
            built.retain(|n| *n != "roomConfig");
            form.set_text(ROOM_CONFIG, "");
        }
        form.set(
            CLAIMS,
            FieldValue::Claims(leftover_claims(decoded, &built)),
        );
        form
    }
}

/// The grants a role gives, before `--grant` adjusts them.
fn role_grants(role: &str) -> &'static [(&'static str, &'static str)] {
    match role {
        "participant" => &[
            ("roomJoin", "true"),
            ("canPublish", "true"),
            ("canSubscribe", "true"),
            ("canPublishData", "true"),
        ],
        "viewer" => &[
            ("roomJoin", "true"),
            ("canPublish", "false"),
            ("canSubscribe", "true"),
            ("canPublishData", "false"),
        ],
        "admin" => &[
            ("roomAdmin", "true"),
            ("roomCreate", "true"),
            ("roomList", "true"),
        ],
        "egress" => &[("roomRecord", "true")],
        "ingress" => &[("ingressAdmin", "true")],
        _ => &[],
    }
}

/// The grant claims of a form: the role's grants, then `--grant`'s, then the room and sources.
#[derive(Debug, Default, PartialEq)]
struct Grants {
    video: Option<Map<String, Value>>,
    sip: Option<Map<String, Value>>,
    agent: Option<Map<String, Value>>,
    inference: Option<Map<String, Value>>,
    observability: Option<Map<String, Value>>,
    kind: Option<String>,
    kind_details: Option<Value>,
    room_preset: Option<String>,
}

impl Grants {
    fn of(form: &Form) -> Result<Grants, MintError> {
        let role = form.text(ROLE);
        if !ROLES.contains(&role) {
            return Err(MintError::field(
                ROLE,
                format!("'{role}' is not a LiveKit role: use one of {}", ROLES.join(", ")),
            ));
        }
        // The last value of a name wins; the role's come first.
        let mut set: Vec<(String, String)> = role_grants(role)
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        for (name, value) in form.pairs(GRANTS) {
            set.retain(|(n, _)| n != name);
            set.push((name.clone(), value.clone()));
        }
        let value_of = |name: &str| {
            set.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        for (name, _) in &set {
            let known = GRANT_NAMES.contains(&name.as_str()) || name == "canPublishSources";
            if !known {
                return Err(MintError::field(
                    GRANTS,
                    format!(
                        "'{name}' is not a LiveKit grant: use one of {}",
                        GRANT_NAMES.join(", ")
                    ),
                ));
            }
        }
        let switch = |name: &str| -> Result<Option<bool>, MintError> {
            match value_of(name) {
                None | Some("") => Ok(None),
                Some("true") => Ok(Some(true)),
                Some("false") => Ok(Some(false)),
                Some(other) => Err(MintError::field(
                    GRANTS,
                    format!("{name}={other}: a grant switch is true or false"),
                )),
            }
        };
        let mut grants = Grants::default();
        let mut video = Map::new();
        for name in VIDEO_SWITCHES {
            // Go writes a plain bool only when true; canPublish and the others that default to
            // true when unset are pointers, written when set either way.
            if let Some(on) = switch(name)? {
                video.insert(name.into(), Value::Bool(on));
            }
            if name == "roomJoin" {
                let room = form.text(TOPIC);
                if !room.is_empty() {
                    video.insert("room".into(), room.into());
                }
            }
            if name == "canPublishData" {
                let sources = sources_of(form.text(SOURCES), value_of("canPublishSources"))?;
                if let Some(sources) = sources {
                    video.insert("canPublishSources".into(), sources);
                }
            }
        }
        if let Some(room) = value_of("destinationRoom").filter(|r| !r.is_empty()) {
            video.insert("destinationRoom".into(), room.into());
        }
        grants.video = Some(video).filter(|v| !v.is_empty());
        for (grant, fields) in OTHER_SWITCHES {
            let mut object = Map::new();
            for field in fields {
                if let Some(on) = switch(&format!("{grant}.{field}"))? {
                    object.insert(field.to_string(), Value::Bool(on));
                }
            }
            let slot = match grant {
                "sip" => &mut grants.sip,
                "agent" => &mut grants.agent,
                "inference" => &mut grants.inference,
                _ => &mut grants.observability,
            };
            *slot = Some(object).filter(|o| !o.is_empty());
        }
        grants.kind = value_of("kind")
            .filter(|k| !k.is_empty())
            .map(str::to_string);
        grants.kind_details = value_of("kindDetails").filter(|k| !k.is_empty()).map(|k| {
            Value::Array(
                k.split(',')
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(|d| Value::String(d.to_string()))
                    .collect(),
            )
        });
        grants.room_preset = value_of("roomPreset")
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        Ok(grants)
    }
}

/// `canPublishSources` from the sources field, or a `--grant canPublishSources=` (which wins).
fn sources_of(field: &str, grant: Option<&str>) -> Result<Option<Value>, MintError> {
    let text = grant.unwrap_or(field);
    let names: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(None);
    }
    if let Some(unknown) = names.iter().find(|s| !SOURCES_KNOWN.contains(s)) {
        return Err(MintError::field(
            SOURCES,
            format!(
                "'{unknown}' is not a track source: use {}",
                SOURCES_KNOWN.join(", ")
            ),
        ));
    }
    Ok(Some(Value::Array(
        names.iter().map(|s| Value::String(s.to_string())).collect(),
    )))
}

/// The room config field as the JSON object it must be, or none when empty.
fn room_config_of(form: &Form) -> Result<Option<Value>, MintError> {
    let text = form.text(ROOM_CONFIG).trim();
    if text.is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Ok(Some(value)),
        Ok(_) => Err(MintError::field(
            ROOM_CONFIG,
            "the room config must be a JSON object (a RoomConfiguration), such as {\"agents\":[{\"agentName\":\"my-agent\"}]}",
        )),
        Err(error) => Err(MintError::field(
            ROOM_CONFIG,
            format!("the room config is not JSON: {error}"),
        )),
    }
}

/// The grants of a token as the form's pairs (room, sources and the role aside), in the form's
/// order.
fn grant_pairs(decoded: &Decoded) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let text = |value: &Value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let video = decoded.claim("video");
    for name in GRANT_NAMES {
        let value = match name.split_once('.') {
            Some((grant, field)) => decoded.claim(grant).and_then(|g| g.get(field).cloned()),
            None if name == "kind" || name == "roomPreset" => decoded.claim(name),
            None if name == "kindDetails" => match decoded.claim(name) {
                Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                    Some(Value::String(
                        items.iter().map(text).collect::<Vec<_>>().join(","),
                    ))
                }
                _ => None,
            },
            None => video.as_ref().and_then(|v| v.get(name)).cloned(),
        };
        // Only what the form writes back the same: a grant of another type stays in its claim,
        // which the form then keeps as an extra claim.
        let text_grant = matches!(name, "destinationRoom" | "kind" | "kindDetails" | "roomPreset");
        match value {
            Some(Value::Bool(on)) if !text_grant => pairs.push((name.to_string(), on.to_string())),
            Some(Value::String(value)) if text_grant && !value.is_empty() => {
                pairs.push((name.to_string(), value))
            }
            _ => {}
        }
    }
    pairs
}

/// The effective permissions of a video grant, as the server computes them (livekit/protocol
/// `VideoGrant.GetCanPublish` and the others): unset `canPublish`/`canSubscribe` are true, unset
/// `canPublishData` follows `canPublish`, `canPublishSources` narrows publishing, unset
/// `canUpdateOwnMetadata` is false.
#[derive(Debug, PartialEq, Eq)]
pub struct Effective {
    pub can_publish: bool,
    /// The sources publishing is narrowed to; empty: every source.
    pub sources: Vec<String>,
    pub can_subscribe: bool,
    pub can_publish_data: bool,
    pub can_update_metadata: bool,
}

pub fn effective(video: &Map<String, Value>) -> Effective {
    let flag = |name: &str| video.get(name).and_then(Value::as_bool);
    let can_publish = flag("canPublish").unwrap_or(true);
    Effective {
        can_publish,
        sources: match video.get("canPublishSources") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        },
        can_subscribe: flag("canSubscribe").unwrap_or(true),
        can_publish_data: flag("canPublishData").unwrap_or(can_publish),
        can_update_metadata: flag("canUpdateOwnMetadata").unwrap_or(false),
    }
}

impl Effective {
    /// The permissions in words, one clause each.
    pub fn in_words(&self) -> String {
        let publish = match (self.can_publish, self.sources.is_empty()) {
            (false, _) => "cannot publish".to_string(),
            (true, true) => "publishes any source".to_string(),
            (true, false) => format!("publishes only {}", self.sources.join(", ")),
        };
        let yes_no = |on: bool, yes: &str, no: &str| if on { yes } else { no }.to_string();
        [
            publish,
            yes_no(self.can_subscribe, "subscribes", "cannot subscribe"),
            yes_no(
                self.can_publish_data,
                "sends data",
                "cannot send data",
            ),
            yes_no(
                self.can_update_metadata,
                "may update its own metadata",
                "cannot update its own metadata",
            ),
        ]
        .join("; ")
    }
}

#[cfg(test)]
mod tests;
