//! Twilio's rules (PLATFORMS.md §11; Twilio's error pages 20101–20107, 20157, 53200): what
//! Twilio refuses in an Access Token, and what its SDKs disagree on.

use serde_json::{Map, Value};
use unicode_width::UnicodeWidthChar;

use super::{
    CHAT_MIN_TTL, CLIENT_ID, CTY, EXPIRY, GRANT_FORMS, GRANTS, IDENTITY_MAX, MAX_TTL, REGION,
    grants, lifetime_seconds,
};
use crate::findings::Finding;
use crate::platform::field::ids;
use crate::token::Decoded;

/// Grant keys of older SDKs, which a token inspector still meets: `ip_messaging` (twilio-node
/// before 4.0's `IpMessagingGrant`, now `chat`) and `rtc` (the old `ConversationsGrant`).
const LEGACY_GRANTS: [&str; 2] = ["ip_messaging", "rtc"];

/// The SID prefixes Twilio gives each kind of resource (34 characters: two letters, 32 hex).
const GRANT_SIDS: [(&str, &str); 8] = [
    ("voice.outgoing.application_sid", "AP"),
    ("voice.push_credential_sid", "CR"),
    ("chat.service_sid", "IS"),
    ("chat.deployment_role_sid", "RL"),
    ("chat.push_credential_sid", "CR"),
    ("data_sync.service_sid", "IS"),
    ("task_router.workspace_sid", "WS"),
    ("task_router.worker_sid", "WK"),
];

pub(super) fn rules(decoded: &Decoded) -> Vec<Finding> {
    let Decoded::Jwt(jwt) = decoded else {
        return vec![Finding::error(
            "twilio.format",
            ids::FORMAT,
            "a Twilio Access Token is a JWT signed HS256 with an API key's secret",
        )];
    };
    let mut findings = Vec::new();
    if jwt.header.get("cty").is_none_or(|cty| cty != CTY) {
        findings.push(Finding::error(
            "twilio.cty",
            ids::TOKEN,
            format!("the header's cty must be \"{CTY}\": Twilio refuses the token's header otherwise (error 20102)"),
        ));
    }
    match jwt.alg_name() {
        Some("HS256") => {}
        Some(alg @ ("HS384" | "HS512")) => findings.push(Finding::warning(
            "twilio.alg",
            ids::TOKEN,
            format!("{alg}: twilio-node signs it, but twilio-python's AccessToken.from_jwt accepts HS256 only; use HS256"),
        )),
        _ => findings.push(Finding::error(
            "twilio.alg",
            ids::TOKEN,
            "Twilio Access Tokens are signed HS256 (or HS384/HS512) with the API key's secret",
        )),
    }
    if let Some(ttl) = lifetime_seconds(decoded)
        && ttl > MAX_TTL
    {
        findings.push(Finding::error(
            "twilio.ttl-max",
            EXPIRY,
            format!("exp is {ttl} s after issue, over Twilio's {MAX_TTL} s (24 h): refused with error 20157 (20104 by Twilio's other page on it); use 24h or less"),
        ));
    }
    let grants = grants(decoded);
    check_identity(grants.as_ref(), &mut findings);
    check_sids(decoded, grants.as_ref(), &mut findings);
    if let Some(grants) = &grants {
        if grants.contains_key("chat")
            && let Some(ttl) = lifetime_seconds(decoded).filter(|ttl| *ttl < CHAT_MIN_TTL)
        {
            findings.push(Finding::error(
                "twilio.chat-min-ttl",
                EXPIRY,
                format!("the token lives {ttl} s: Chat and Conversations tokens live at least {CHAT_MIN_TTL} s (3 min); use 3m or more"),
            ));
        }
        check_grants(grants, &mut findings);
        let region = jwt.header.get("twr").and_then(Value::as_str);
        if grants.contains_key("video")
            && let Some(region) = region.filter(|r| !r.eq_ignore_ascii_case("us1"))
        {
            findings.push(Finding::warning(
                "twilio.video-region",
                REGION,
                format!("the API key is in region {region}, but Video takes only API keys of us1: a Video client is refused; make the key in us1"),
            ));
        }
    } else {
        findings.push(Finding::error(
            "twilio.grant-unknown",
            GRANTS,
            "the token has no grants object: Twilio refuses it (error 20106); it holds the identity and each grant",
        ));
    }
    findings
}

/// Error 53200: the length Twilio counts, double-byte (full-width) characters as 2.
pub(crate) fn identity_length(identity: &str) -> usize {
    identity
        .chars()
        .map(|c| if c.width() == Some(2) { 2 } else { 1 })
        .sum()
}

fn check_identity(grants: Option<&Map<String, Value>>, findings: &mut Vec<Finding>) {
    match grants.and_then(|g| g.get("identity")) {
        Some(Value::String(identity)) if !identity.is_empty() => {
            let length = identity_length(identity);
            if length > IDENTITY_MAX {
                findings.push(Finding::error(
                    "twilio.identity-length",
                    CLIENT_ID,
                    format!("the identity counts {length} characters (double-byte ones as 2, as error 53200 says; which characters Twilio counts so is unconfirmed), over Twilio's {IDENTITY_MAX}: refused; shorten it"),
                ));
            }
        }
        Some(Value::String(_)) | None => findings.push(Finding::error(
            "twilio.identity-required",
            CLIENT_ID,
            "the grants hold no identity: Video, Voice, Conversations and Sync refuse the token; set one (twilio-node requires it)",
        )),
        Some(other) => findings.push(Finding::error(
            "twilio.identity-required",
            CLIENT_ID,
            format!("the identity is {other}, not a string: Twilio reads none; write it as text"),
        )),
    }
}

/// Whether `sid` is a Twilio SID with this prefix: two letters and 32 hex digits.
fn is_sid(sid: &str, prefix: &str) -> bool {
    sid.len() == 34
        && sid.starts_with(prefix)
        && sid[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn check_sids(
    decoded: &Decoded,
    grants: Option<&Map<String, Value>>,
    findings: &mut Vec<Finding>,
) {
    let mut bad = |field: &'static str, what: &str, value: &Value, prefix: &str| {
        if !value.as_str().is_some_and(|sid| is_sid(sid, prefix)) {
            let shown = crate::platform::endpoint::shown(value);
            findings.push(Finding::error(
                "twilio.sid-format",
                field,
                format!("{what} is {shown}, not a {prefix}… SID (two letters and 32 hex digits): Twilio refuses it"),
            ));
        }
    };
    let missing = Value::Null;
    bad(
        ids::KEY,
        "iss (the API key SID)",
        decoded.claim("iss").as_ref().unwrap_or(&missing),
        "SK",
    );
    bad(
        ids::ACCOUNT,
        "sub (the Account SID)",
        decoded.claim("sub").as_ref().unwrap_or(&missing),
        "AC",
    );
    let Some(grants) = grants else { return };
    for (path, prefix) in GRANT_SIDS {
        let mut parts = path.split('.');
        let value = parts
            .next()
            .and_then(|grant| grants.get(grant))
            .and_then(|grant| parts.try_fold(grant, |value, part| value.get(part)));
        if let Some(value) = value {
            bad(GRANTS.id, path, value, prefix);
        }
    }
}

/// Grant keys and fields that no current SDK writes.
fn check_grants(grants: &Map<String, Value>, findings: &mut Vec<Finding>) {
    let mut unknown = Vec::new();
    for (name, grant) in grants {
        if name == "identity" {
            continue;
        }
        if LEGACY_GRANTS.contains(&name.as_str()) {
            findings.push(Finding::info(
                "twilio.grant-unknown",
                GRANTS,
                format!("{name} is a grant of older SDKs (twilio-node before 4.0): current ones write chat or video instead"),
            ));
            continue;
        }
        let form = GRANT_FORMS.iter().find(|f| f.name == name);
        if form.is_none() && name != "video" {
            unknown.push(name.clone());
            continue;
        }
        // The player grant is the object Twilio Live's API returns, whatever it holds.
        if form.is_some_and(|form| form.fields.iter().any(|f| f.name.is_empty())) {
            continue;
        }
        let Value::Object(fields) = grant else {
            unknown.push(format!("{name} (not an object)"));
            continue;
        };
        for (field, value) in fields {
            let known = match form {
                Some(form) => form.fields.iter().any(|f| {
                    f.name == field.as_str()
                        || f.name
                            .strip_prefix(field.as_str())
                            .is_some_and(|rest| rest.starts_with('.') && value.is_object())
                }),
                None => field == "room",
            };
            if !known {
                unknown.push(format!("{name}.{field}"));
            }
        }
    }
    if !unknown.is_empty() {
        let known: Vec<&str> = std::iter::once("video")
            .chain(GRANT_FORMS.iter().map(|f| f.name))
            .collect();
        findings.push(Finding::warning(
            "twilio.grant-unknown",
            GRANTS,
            format!(
                "{} is no grant twilio-node or twilio-python writes: Twilio ignores it or refuses the token (error 20106); the grants are identity, {}",
                unknown.join(", "),
                known.join(", ")
            ),
        ));
    }
}
