//! What the whole Vonage/OpenTok family shares (PLATFORMS.md §2.2, §2.6, §2.7): roles, session
//! ids, and the rules of a client token, which [`crate::platform::opentok`] applies too.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::Value;
use siphasher::sip::SipHasher13;
use std::cell::RefCell;
use std::hash::Hasher;
use std::rc::Rc;

use super::{CLAIMS, DATA, EXPIRY, ROLE, TOPIC};
use crate::findings::Finding;
use crate::platform::claim_text;
use crate::secret::decode_base64_any;
use crate::token::Decoded;

/// Roles as the workbench offers them; `publisher-only` is `publisheronly` on the wire (§2.2).
pub const ROLES: [&str; 4] = ["subscriber", "publisher", "publisher-only", "moderator"];
pub(crate) const WIRE_ROLES: [&str; 4] = ["subscriber", "publisher", "publisheronly", "moderator"];
/// §2.7: "up to 30 days".
pub const MAX_TTL: i64 = 30 * 86_400;
/// §2.7: "limited to 1000 characters".
pub const CONNECTION_DATA_MAX: usize = 1000;
pub const DEFAULT_TTL: i64 = 86_400;
/// The family's lifetime limits, as the workbench shows them beside the expiry.
pub const LIFETIME_LIMITS: &str = "at most 30 days";

/// The wire value of a role as typed, or a usage error naming the roles.
pub fn wire_role(role: &str) -> Result<&'static str, String> {
    match role.trim() {
        "publisher-only" | "publisheronly" => Ok("publisheronly"),
        other => WIRE_ROLES.iter().copied().find(|r| *r == other).ok_or_else(|| {
            format!(
                "'{other}' is not a role: use {}",
                crate::platform::credentials::join_or(&ROLES)
            )
        }),
    }
}

/// The role as the form shows it.
pub fn form_role(decoded: &Decoded) -> String {
    match claim_text(decoded, "role").as_str() {
        "publisheronly" => "publisher-only".into(),
        other => other.into(),
    }
}

/// A session id of the documented shape that names `key` (§2.6), for forms without one. Its
/// random-looking part is a hash of the key and the time, so that every token of a run (and a
/// single mint at the same `--now`) names one session.
pub fn made_up_session_id(key: &str, now: DateTime<Utc>) -> Rc<str> {
    thread_local! {
        /// The last one made up, with its key and millisecond: every token of a bulk run asks
        /// for the same one.
        static LAST: RefCell<Option<(String, i64, Rc<str>)>> = const { RefCell::new(None) };
    }
    let millis = now.timestamp_millis();
    LAST.with_borrow_mut(|last| match last {
        Some((last_key, last_millis, id)) if last_key == key && *last_millis == millis => {
            id.clone()
        }
        _ => {
            let id: Rc<str> = make_up_session_id(key, millis).into();
            *last = Some((key.to_string(), millis, id.clone()));
            id
        }
    })
}

fn make_up_session_id(key: &str, millis: i64) -> String {
    let mut hasher = SipHasher13::new();
    hasher.write(key.as_bytes());
    hasher.write(&millis.to_le_bytes());
    let record = format!("1~{key}~~{millis}~{:08x}~", hasher.finish() as u32);
    format!("1_{}", URL_SAFE_NO_PAD.encode(record))
}

/// The API key a session id names, when it decodes as §2.6 describes.
pub fn session_id_key(session_id: &str) -> Option<String> {
    let bytes = decode_base64_any(session_id.get(2..)?)?;
    let text = String::from_utf8(bytes).ok()?;
    text.split('~').nth(1).map(str::to_string)
}

/// Rules of the whole Vonage/OpenTok family. `api_key` is the key the session must belong to
/// (OpenTok API-key tokens); Vonage application tokens have no such check (§2.6).
pub fn family_rules(decoded: &Decoded, api_key: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    match decoded.claim("role") {
        None => findings.push(Finding::error(
            "vonage.role",
            ROLE,
            format!("role is missing: use {}", crate::platform::credentials::join_or(&WIRE_ROLES)),
        )),
        Some(Value::String(role)) if WIRE_ROLES.contains(&role.as_str()) => {}
        Some(Value::String(role)) if role == "publisher-only" => {
            findings.push(Finding::error(
                "vonage.role",
                ROLE,
                "the role is spelled publisheronly on the wire, with no hyphen",
            ));
        }
        Some(other) => findings.push(Finding::error(
            "vonage.role",
            ROLE,
            format!("{other} is not a role: use {}", crate::platform::credentials::join_or(&WIRE_ROLES)),
        )),
    }
    if decoded.claim_str("scope").as_deref() != Some("session.connect")
        && !matches!(decoded, Decoded::T1(_))
    {
        findings.push(Finding::error(
            "vonage.scope",
            CLAIMS,
            "scope must be \"session.connect\" for a client token",
        ));
    }
    check_session_id(decoded, api_key, &mut findings);
    if let (Some(iat), Some(exp)) = (decoded.issued_at(), decoded.expires_at()) {
        let ttl = (exp - iat).num_seconds();
        if ttl > MAX_TTL {
            findings.push(Finding::error("vonage.exp-max", EXPIRY, format!("the expiry is {} after creation, over the 30-day maximum: SDKs refuse it (\"Expire time must be within the next 30 days\")", crate::duration::format_approx(ttl))));
        }
        if ttl <= 0 {
            findings.push(Finding::error("vonage.exp-past", EXPIRY, "the expiry is not after the creation time: most SDKs refuse it, and @vonage/jwt silently replaces it with now + 900 s"));
        }
    }
    if let Some(data) = decoded.claim_str("connection_data") {
        let length = data.chars().count();
        if length > CONNECTION_DATA_MAX {
            findings.push(Finding::error("vonage.connection-data-length", DATA, format!("connection data is {length} characters, over the documented {CONNECTION_DATA_MAX}: shorten it (clients all see it, so keep personal data out)")));
        }
    }
    let spelling = |what: &str| {
        Finding::warning(
            "vonage.claim-spelling",
            CLAIMS,
            format!(
                "{what}: some SDKs write it this way, and which spelling the server honours is unconfirmed"
            ),
        )
    };
    if decoded.claim("subject").is_some() && decoded.claim("sub").is_none() {
        findings.push(spelling("the claim is named subject rather than sub"));
    }
    if decoded.claim("data").is_some() && decoded.claim("connection_data").is_none() {
        findings.push(spelling(
            "the connection data is in a claim named data rather than connection_data",
        ));
    }
    if decoded
        .claim("initial_layout_class_list")
        .is_some_and(|v| v.is_array())
    {
        findings.push(spelling(
            "initial_layout_class_list is a JSON list rather than a space-separated string",
        ));
    }
    findings
}

fn check_session_id(decoded: &Decoded, api_key: Option<&str>, findings: &mut Vec<Finding>) {
    let Some(session_id) = decoded.claim_str("session_id").filter(|s| !s.is_empty()) else {
        findings.push(Finding::error(
            "vonage.session-id",
            TOPIC,
            "session_id is missing: set it to the id of the session the client connects to",
        ));
        return;
    };
    match (session_id_key(&session_id), api_key) {
        (None, _) => findings.push(Finding::warning("vonage.session-id", TOPIC, "the session id does not decode as 1_<base64> with a ~-separated record: check it was copied whole (the format is undocumented, so this is a hint)")),
        (Some(owner), Some(key)) if owner != key => findings.push(Finding::error("vonage.session-id", TOPIC, format!("the session belongs to API key {owner}, not {key}: the SDKs refuse to make this token (\"the session … does not belong to the api_key\")"))),
        _ => {}
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::tests_support::fixed_now;

    #[test]
    fn a_made_up_session_is_remembered_only_for_its_key_and_millisecond() {
        let later = fixed_now() + chrono::Duration::milliseconds(1);
        let first = made_up_session_id("k1", fixed_now());
        assert_ne!(made_up_session_id("k2", fixed_now()), first);
        assert_ne!(made_up_session_id("k1", later), first);
        assert_eq!(made_up_session_id("k1", fixed_now()), first);
        assert_eq!(
            *first,
            make_up_session_id("k1", fixed_now().timestamp_millis())
        );
    }

}
