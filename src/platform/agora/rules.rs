//! Agora's rules (PLATFORMS.md §9.3): the shapes Agora's builders and SDKs expect, and the
//! mistakes users make with them, first of all absolute times where a 007 token wants seconds
//! after its issue time (AgoraIO/Tools#175, #278, #320) and the opposite in a 006 token.

use chrono::{DateTime, SecondsFormat, Utc};

use super::{CLIENT_ID, EXPIRY, MAX_SECONDS, PRIVILEGES, SERVICE, TOPIC};
use crate::findings::Finding;
use crate::platform::field::ids;
use crate::token::Decoded;
use crate::token::agora::{
    AccessToken2, AccessToken006, Service, ServiceFields, is_32_hex, privilege_name_006,
};

/// A time of this many seconds or more is a unix time, not a lifetime (2001-09-09).
const UNIX_TIME: u32 = 1_000_000_000;

/// The channel name's characters, besides ASCII letters and digits (Agora's join docs).
const CHANNEL_PUNCTUATION: &str = " !#$%&()+-:;<=.>?@[]^_{}|~,";

/// The longest RTM user id, in bytes.
const MAX_RTM_USER_ID: usize = 64;

pub(super) fn rules(decoded: &Decoded, now: DateTime<Utc>) -> Vec<Finding> {
    let mut findings = Vec::new();
    match decoded {
        Decoded::Agora007(token) => rules_007(token, &mut findings),
        Decoded::Agora006(token) => rules_006(token, now, &mut findings),
        _ => {}
    }
    findings
}

fn app_id(app_id: &str, findings: &mut Vec<Finding>) {
    if !is_32_hex(app_id.as_bytes()) {
        findings.push(Finding::error(
            "agora.app-id",
            ids::KEY,
            format!(
                "the app id is {} characters, not 32 hex: Agora refuses the token; copy the app id from the project's page in Agora's console",
                app_id.chars().count()
            ),
        ));
    }
}

fn unix_time(seconds: u32) -> String {
    DateTime::from_timestamp(i64::from(seconds), 0)
        .map_or_else(String::new, |t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn rules_007(token: &AccessToken2, findings: &mut Vec<Finding>) {
    app_id(&token.app_id, findings);
    if token.expire > MAX_SECONDS {
        findings.push(expire_absolute("the token's expire", token.expire, EXPIRY.id));
    }
    for service in &token.services {
        for (id, value) in &service.privileges {
            let name = format!("{} {}", service.name(), service.privilege_name(*id));
            if *value > MAX_SECONDS {
                findings.push(expire_absolute(&name, *value, PRIVILEGES.id));
            } else if *value == 0 {
                findings.push(Finding::info(
                    "agora.privilege-zero",
                    PRIVILEGES,
                    format!("{name} is 0, which follows the token's expire as Agora's agent toolkit documents it (unconfirmed on Agora's servers): give it a time to be sure"),
                ));
            } else if *value > token.expire && token.expire <= MAX_SECONDS {
                findings.push(Finding::warning(
                    "agora.privilege-beyond-token",
                    PRIVILEGES,
                    format!(
                        "{name} lasts {value} s, longer than the token's {} s: the token's expire caps it for new joins",
                        token.expire
                    ),
                ));
            }
        }
        service_rules(service, findings);
    }
    if let Some(number) = token.unknown_service {
        findings.push(Finding::info(
            "agora.unknown-service",
            SERVICE,
            format!(
                "service type {number} is not one tokenbench knows (of {} declared): reading stopped there, as Agora's parsers do; what follows is signed but not shown",
                token.declared_services
            ),
        ));
    }
    if token.services.is_empty() && token.unknown_service.is_none() {
        findings.push(Finding::error(
            "agora.join-privilege-missing",
            SERVICE,
            "the token holds no service, so it lets nobody join or log in: mint it with a service",
        ));
    }
}

fn expire_absolute(what: &str, value: u32, field: &'static str) -> Finding {
    let message = if value >= UNIX_TIME {
        format!(
            "{what} is {value}, a unix time ({}) where a 007 token wants seconds after its issue time: the token lasts decades, Agora caps it at 24 h and the SDK's expiry callback never fires; give a duration such as 3600",
            unix_time(value)
        )
    } else {
        format!(
            "{what} is {value} s, more than the 24 h (86400 s) Agora allows: an absolute time was meant, or the token should be shorter"
        )
    };
    Finding::error("agora.expire-absolute", field, message)
}

fn service_rules(service: &Service, findings: &mut Vec<Finding>) {
    let missing_entry = |what: &str| {
        Finding::error(
            "agora.join-privilege-missing",
            PRIVILEGES,
            format!("the {} service has no {what} privilege: nobody can use it; add {what}", service.name()),
        )
    };
    match &service.fields {
        ServiceFields::Rtc { channel, uid } => {
            if service.privilege(1).is_none() {
                findings.push(missing_entry("join_channel"));
            } else if (2..=4).all(|id| service.privilege(id).is_none()) {
                findings.push(Finding::info(
                    "agora.subscriber-role",
                    super::ROLE,
                    "a subscriber token (join only): Agora does not enforce it unless co-host authentication is enabled for the project, so the client can still publish",
                ));
            }
            channel_rules(channel, findings);
            uid_rules(uid, findings);
        }
        ServiceFields::Rtm { user_id } | ServiceFields::Rtm2 { user_id, .. } => {
            if service.privilege(1).is_none() {
                findings.push(missing_entry("login"));
            }
            rtm_user_rules(user_id, findings);
        }
        ServiceFields::Fpa if service.privilege(1).is_none() => findings.push(missing_entry("login")),
        _ => {}
    }
}

fn channel_rules(channel: &str, findings: &mut Vec<Finding>) {
    if channel.is_empty() {
        findings.push(Finding::error(
            "agora.channel-length",
            TOPIC,
            "the channel name is empty: the client cannot join; give the channel it joins",
        ));
    } else if channel.len() >= 64 {
        findings.push(Finding::error(
            "agora.channel-length",
            TOPIC,
            format!("the channel name is {} bytes; Agora takes fewer than 64", channel.len()),
        ));
    }
    let foreign: String = channel
        .chars()
        .filter(|c| !c.is_ascii_alphanumeric() && !CHANNEL_PUNCTUATION.contains(*c))
        .collect();
    if !foreign.is_empty() {
        findings.push(Finding::error(
            "agora.channel-chars",
            TOPIC,
            format!(
                "the channel name holds {}, which Agora does not take: use letters, digits, spaces and {CHANNEL_PUNCTUATION}",
                crate::text::escape(&foreign)
            ),
        ));
    }
}

fn uid_rules(uid: &str, findings: &mut Vec<Finding>) {
    if uid.is_empty() {
        findings.push(Finding::info(
            "agora.uid-range",
            CLIENT_ID,
            "uid 0: any user may join with this token (Agora's documented wildcard); give the user's uid to bind it to one",
        ));
        return;
    }
    if uid == "0" {
        findings.push(Finding::warning(
            "agora.uid-range",
            CLIENT_ID,
            "the uid is the text \"0\": a user account named 0, not the uid-0 wildcard (agora-token signs a string \"0\" as it is); leave it empty for any user",
        ));
        return;
    }
    if uid.bytes().all(|b| b.is_ascii_digit())
        && uid.parse::<u64>().map_or(true, |n| n > u64::from(u32::MAX))
    {
        findings.push(Finding::error(
            "agora.uid-range",
            CLIENT_ID,
            format!("uid {uid} is beyond 4294967295, the largest uid: a client joining with a number cannot match it"),
        ));
    }
}

fn rtm_user_rules(user_id: &str, findings: &mut Vec<Finding>) {
    if user_id.is_empty() || user_id == "0" {
        findings.push(Finding::error(
            "agora.rtm-user-id",
            CLIENT_ID,
            "the RTM user id is empty or \"0\", which RTM refuses: give the user id the client logs in with",
        ));
    } else if user_id.len() > MAX_RTM_USER_ID {
        findings.push(Finding::error(
            "agora.rtm-user-id",
            CLIENT_ID,
            format!("the RTM user id is {} bytes; RTM takes at most {MAX_RTM_USER_ID}", user_id.len()),
        ));
    }
}

fn rules_006(token: &AccessToken006, now: DateTime<Utc>, findings: &mut Vec<Finding>) {
    app_id(&token.app_id, findings);
    let mut entries = 0;
    for (id, value) in &token.privileges {
        let name = privilege_name_006(*id);
        if matches!(id, 1 | 1000) {
            entries += 1;
        }
        if *value != 0 && *value < UNIX_TIME {
            findings.push(Finding::error(
                "agora.expire-relative",
                PRIVILEGES,
                format!("{name} is {value}: a 006 token wants a unix time (now + seconds), so it expired in 1970; add the current time to it, or mint a 007 token, which takes seconds"),
            ));
            continue;
        }
        if *value > token.ts && token.ts != 0 {
            findings.push(Finding::warning(
                "agora.privilege-beyond-token",
                PRIVILEGES,
                format!(
                    "{name} runs to {}, after the token's own expiry ({}): the token caps it",
                    unix_time(*value),
                    unix_time(token.ts)
                ),
            ));
        }
        beyond_a_day(&name, *value, now, findings);
    }
    beyond_a_day("the token's expiry (ts)", token.ts, now, findings);
    if entries == 0 {
        findings.push(Finding::error(
            "agora.join-privilege-missing",
            PRIVILEGES,
            "the token has no join_channel or rtm_login privilege: nobody can join with it",
        ));
    }
    if token.names_match() == Some(false) {
        findings.push(Finding::error(
            "agora.006-names",
            TOPIC,
            "the channel or uid given is not the one the token was made for (their CRC32s differ from the token's)",
        ));
    }
    if let (Some(channel), Some(uid)) = (&token.channel, &token.uid)
        && token.privilege(1000).is_none()
    {
        channel_rules(channel, findings);
        uid_rules(uid, findings);
    }
}

fn beyond_a_day(what: &str, at: u32, now: DateTime<Utc>, findings: &mut Vec<Finding>) {
    let left = i64::from(at) - now.timestamp();
    if at >= UNIX_TIME && left > i64::from(MAX_SECONDS) {
        findings.push(Finding::warning(
            "agora.expire-max",
            EXPIRY,
            format!(
                "{what} is {} away, more than the 24 h Agora allows: Agora caps it (what its servers do beyond is unconfirmed)",
                crate::duration::format_approx(left)
            ),
        ));
    }
}
