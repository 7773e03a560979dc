//! Agora (PLATFORMS.md §4, §9): AccessToken2 (`007…`), and the legacy AccessToken (`006…`), signed
//! with the project's app certificate. Token times in a 007 are seconds after its `issue_ts`; in a
//! 006 they are absolute.

mod endpoint;
mod lifetime;
mod rules;

use chrono::{DateTime, Utc};
use rand::Rng;

use super::endpoint::Route;
use super::field::common::{self, spec};
use super::lifetime::{LifetimeModel, TokenTimes};
use super::{
    CredentialError, CredentialPart, CredentialSpec, Credentials, FieldKind, FieldSpec, FieldValue,
    Form, MintContext, MintError, OtherMinter, Platform, TokenFormat, exp_of,
};
use crate::duration::Expiry;
use crate::findings::Finding;
use crate::secret::Secret;
use crate::token::agora::{self, Contents, Contents006, Service, ServiceFields, is_32_hex};
use crate::token::{Decoded, Signer, VerifyKey};

pub struct Agora;

pub static PLATFORM: Agora = Agora;

/// The services a form mints, as `--service` names them.
const SERVICES: [&str; 5] = ["rtc", "rtm", "rtc+rtm", "chat", "chat-app"];

/// The privileges a form can time on its own, as `--privilege` names them, with the service type
/// and privilege id of AccessToken2 and the privilege id of 006.
const TIMED: [(&str, u16, u16, u16); 7] = [
    ("join-channel", 1, 1, 1),
    ("publish-audio", 1, 2, 2),
    ("publish-video", 1, 3, 3),
    ("publish-data", 1, 4, 4),
    ("rtm-login", 2, 1, 1000),
    ("chat-user", 5, 1, 0),
    ("chat-app", 5, 2, 0),
];

const PRIVILEGE_NAMES: [&str; 7] = [
    "join-channel",
    "publish-audio",
    "publish-video",
    "publish-data",
    "rtm-login",
    "chat-user",
    "chat-app",
];

/// Agora's builders cap a token and each privilege at this many seconds.
pub const MAX_SECONDS: u32 = 86_400;

/// The lifetime a token gets when none is asked for: the community token servers' `expiry`
/// default (3600 s).
const DEFAULT_TTL: i64 = 3600;

crate::fields! {
    // The service first: it decides which of the fields below go into the token, and rows
    // above it never come and go.
    SERVICE: "service" = spec("service", "service", FieldKind::Choice { choices: &SERVICES, default: "rtc" },
        "rtc, rtm, rtc+rtm, chat (a user token) or chat-app (an app token) → the token's services"),
    ROLE: "role" = spec("role", "role", FieldKind::Choice { choices: &["publisher", "subscriber"], default: "publisher" },
        "publisher (join and publish audio, video, data) or subscriber (join only) → the RTC privileges"),
    TOPIC: "topic" = FieldSpec {
        aliases: &["channel"],
        ..common::text("channel", "topic", "tokenbench", "the channel name (under 64 bytes) → the RTC service")
    },
    EXPIRY: "expiry" = common::expiry("the token's expire, in seconds after issue_ts: at most 24h"),
    PRIVILEGES: "privileges" = FieldSpec {
        empty: "the token's expiry",
        ..spec("privileges", "privilege", FieldKind::Pairs { names: &PRIVILEGE_NAMES },
            "NAME=DURATION (repeatable): one privilege's own expiry after issue_ts (or at a time); default: the token's")
    },
    CLIENT_ID: "client-id" = FieldSpec {
        aliases: &["uid"],
        empty: "uid 0: any user may join",
        ..common::text("uid or account", "client-id", "", "a uid (1 to 4294967295; 0 = any) or a user account; the RTM or chat user id")
    },
    FORMAT: "format" = spec("format", "format", FieldKind::Choice { choices: &["007", "006"], default: "007" },
        "007 (AccessToken2) or 006 (the legacy AccessToken)"),
}

static CREDENTIALS: CredentialSpec = CredentialSpec {
    key: CredentialPart {
        label: "app id",
        help: "the project's app id (32 hex characters)",
        option: "key",
        env: &["AGORA_APP_ID", "APP_ID"],
    },
    secret: CredentialPart {
        label: "app certificate",
        help: "the project's app certificate (32 hex characters)",
        option: "secret",
        env: &["AGORA_APP_CERTIFICATE", "APP_CERTIFICATE"],
    },
    account: None,
    demo: include_str!("../../../assets/demo/agora.json"),
    demo_secret: None,
};

impl Platform for Agora {
    fn id(&self) -> &'static str {
        "agora"
    }

    fn name(&self) -> &'static str {
        "Agora"
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
        "≤ 24h, token and each privilege"
    }

    fn lifetime(&self) -> &'static dyn LifetimeModel {
        &lifetime::MODEL
    }

    fn token_times(&self, decoded: &Decoded) -> Option<TokenTimes> {
        lifetime::token_times(decoded)
    }

    fn routes(&self) -> &'static [Route] {
        endpoint::ROUTES
    }

    /// Agora's builders mint nothing (they return "") unless the app id and certificate are
    /// 32 hex characters: refused here, before minting.
    fn signer(&self, credentials: &Credentials) -> Result<Signer, CredentialError> {
        if !is_32_hex(credentials.key.as_bytes()) {
            return Err(CredentialError::Unusable(format!(
                "the Agora app id is {} characters long and must be 32 hex characters: copy it from the project's page in Agora's console",
                credentials.key.chars().count()
            )));
        }
        Ok(Signer::hs256(certificate(&credentials.secret)?))
    }

    fn verify_key(&self, secret: &Secret) -> Result<VerifyKey, CredentialError> {
        Ok(VerifyKey::Secret(certificate(secret)?.clone()))
    }

    fn format(&self, _form: &Form) -> TokenFormat {
        TokenFormat::Other
    }

    fn hashed_names(&self, form: &Form) -> Option<(String, String)> {
        match (form.text(FORMAT), form.text(SERVICE)) {
            ("006", "rtm") => Some((form.text(CLIENT_ID).trim().to_string(), String::new())),
            ("006", _) => Some((form.text(TOPIC).to_string(), rtc_uid(form))),
            _ => None,
        }
    }

    /// The privileges the service and role put in the token.
    fn offers(&self, form: &Form, field: usize, name: &str) -> bool {
        if field != PRIVILEGES.index {
            return true;
        }
        let service = form.text(SERVICE);
        let rtc = service.starts_with("rtc")
            && rtc_privileges(form).is_ok_and(|names| names.contains(&name));
        let rtm = service.ends_with("rtm") && name == "rtm-login";
        let chat = (service == "chat" && name == "chat-user")
            || (service == "chat-app" && name == "chat-app");
        rtc || rtm || chat
    }

    /// An RTM or chat token has no channel and no RTC role; a chat app token names no user.
    fn applies(&self, form: &Form, field: usize) -> bool {
        let service = form.text(SERVICE);
        match field {
            i if i == TOPIC.index || i == ROLE.index => service.starts_with("rtc"),
            i if i == CLIENT_ID.index => service != "chat-app",
            _ => true,
        }
    }

    fn mint_other(
        &self,
        form: &Form,
        credentials: &Credentials,
        ctx: &mut MintContext,
        out: &mut Vec<u8>,
    ) -> Result<(), MintError> {
        AgoraMinter::new(credentials).mint(form, ctx, out)
    }

    fn other_minter<'a>(
        &'a self,
        credentials: &'a Credentials,
    ) -> Option<Box<dyn OtherMinter + 'a>> {
        Some(Box::new(AgoraMinter::new(credentials)))
    }

    fn detect(&self, decoded: &Decoded) -> u8 {
        match decoded {
            Decoded::Agora007(_) | Decoded::Agora006(_) => 100,
            _ => 0,
        }
    }

    fn key_id(&self, decoded: &Decoded) -> Option<String> {
        match decoded {
            Decoded::Agora007(token) => Some(token.app_id.clone()),
            Decoded::Agora006(token) => Some(token.app_id.clone()),
            _ => None,
        }
    }

    fn rules(&self, decoded: &Decoded, now: DateTime<Utc>) -> Vec<Finding> {
        rules::rules(decoded, now)
    }

    fn form_from(&self, decoded: &Decoded) -> Form {
        match decoded {
            Decoded::Agora007(token) => form_from_007(token),
            Decoded::Agora006(token) => form_from_006(token),
            _ => self.default_form(),
        }
    }
}

/// Mints Agora tokens for one app with its zlib compressor kept from token to token.
struct AgoraMinter<'a> {
    credentials: &'a Credentials,
    encoder: agora::Encoder007,
}

impl<'a> AgoraMinter<'a> {
    fn new(credentials: &'a Credentials) -> Self {
        AgoraMinter {
            credentials,
            encoder: agora::Encoder007::new(),
        }
    }
}

impl OtherMinter for AgoraMinter<'_> {
    fn mint(&mut self, form: &Form, ctx: &mut MintContext, out: &mut Vec<u8>) -> Result<(), MintError> {
        let credentials = self.credentials;
        let issue_ts = u32::try_from(ctx.now.timestamp()).map_err(|_| {
            MintError::field(
                EXPIRY,
                "Agora tokens hold their issue time in 32 bits: the clock must read 1970 to 2106",
            )
        })?;
        let expire = seconds_after(
            EXPIRY,
            exp_of(EXPIRY, form, ctx.now.timestamp(), DEFAULT_TTL)? - ctx.now.timestamp(),
        )?;
        // Agora's builders draw the salt from 1 to 99 999 999.
        let salt = ctx.rng.gen_range(1..=99_999_999);
        match form.text(FORMAT) {
            "007" => {
                let services = services(form, ctx.now, expire)?;
                let contents = Contents {
                    app_id: &credentials.key,
                    issue_ts,
                    expire,
                    salt,
                    services: &services,
                };
                self.encoder.encode(&contents, &credentials.secret, out);
            }
            "006" => {
                let token = mint_006(form, credentials, ctx.now, issue_ts, expire, salt)?;
                out.extend_from_slice(token.as_bytes());
            }
            other => {
                return Err(MintError::field(
                    FORMAT,
                    format!("'{other}' is not an Agora token format: use 007 or 006"),
                ));
            }
        }
        Ok(())
    }
}

/// The certificate, unless it is not Agora's 32 hex characters.
fn certificate(secret: &Secret) -> Result<&Secret, CredentialError> {
    if is_32_hex(secret.expose()) {
        Ok(secret)
    } else {
        Err(CredentialError::Unusable(format!(
            "the Agora app certificate is {} bytes long and must be 32 hex characters: copy the primary certificate from the project's page in Agora's console",
            secret.len()
        )))
    }
}

/// A number of seconds as the u32 a token holds, or why it cannot be one.
fn seconds_after(field: super::FieldRef, seconds: i64) -> Result<u32, MintError> {
    u32::try_from(seconds).map_err(|_| {
        MintError::field(
            field,
            if seconds < 0 {
                format!("the expiry falls {} s before the issue time: give a duration such as 1h", -seconds)
            } else {
                format!("{seconds} s is more than an Agora token can hold (32 bits)")
            },
        )
    })
}

/// The privileges the form times itself: name → seconds after issue.
fn privilege_overrides(
    form: &Form,
    now: DateTime<Utc>,
) -> Result<Vec<(&'static str, u32)>, MintError> {
    form.pairs(PRIVILEGES)
        .iter()
        .map(|(name, value)| {
            let known = PRIVILEGE_NAMES
                .iter()
                .find(|known| **known == name.as_str())
                .ok_or_else(|| {
                    MintError::field(
                        PRIVILEGES,
                        format!(
                            "'{name}' is not a privilege tokenbench mints: use {}",
                            PRIVILEGE_NAMES.join(", ")
                        ),
                    )
                })?;
            let expiry = Expiry::parse(value).map_err(|e| {
                MintError::field(PRIVILEGES, format!("{name}: {e}"))
            })?;
            let seconds = expiry.resolve_unix(now.timestamp(), 0) - now.timestamp();
            Ok((*known, seconds_after(PRIVILEGES, seconds)?))
        })
        .collect()
}

/// The value of privilege `name`: the form's own, else the token's expiry.
fn privilege_value(overrides: &[(&str, u32)], name: &str, expire: u32) -> u32 {
    overrides
        .iter()
        .rev()
        .find(|(n, _)| *n == name)
        .map_or(expire, |(_, v)| *v)
}

/// The uid or account of the RTC service: `""` for uid 0, the wildcard.
fn rtc_uid(form: &Form) -> String {
    match form.text(CLIENT_ID).trim() {
        "" | "0" => String::new(),
        uid => uid.to_string(),
    }
}

/// The user id an RTM or chat service needs.
fn user_id(form: &Form, service: &str) -> Result<String, MintError> {
    match form.text(CLIENT_ID).trim() {
        "" => Err(MintError::field(
            CLIENT_ID,
            format!("a {service} token names its user: give --client-id (the user id)"),
        )),
        user => Ok(user.to_string()),
    }
}

/// The RTC privileges of a role, by privilege name.
fn rtc_privileges(form: &Form) -> Result<&'static [&'static str], MintError> {
    match form.text(ROLE) {
        "publisher" => Ok(&["join-channel", "publish-audio", "publish-video", "publish-data"]),
        "subscriber" => Ok(&["join-channel"]),
        other => Err(MintError::field(
            ROLE,
            format!("'{other}' is not an Agora RTC role: use publisher or subscriber"),
        )),
    }
}

/// The services of the 007 token a form mints.
fn services(form: &Form, now: DateTime<Utc>, expire: u32) -> Result<Vec<Service>, MintError> {
    let overrides = privilege_overrides(form, now)?;
    let service = form.text(SERVICE);
    let (rtc, rtm, chat) = match service {
        "rtc" => (true, false, None),
        "rtm" => (false, true, None),
        "rtc+rtm" => (true, true, None),
        "chat" => (false, false, Some("chat-user")),
        "chat-app" => (false, false, Some("chat-app")),
        other => {
            return Err(MintError::field(
                SERVICE,
                format!("'{other}' is not a service tokenbench mints: use {}", SERVICES.join(", ")),
            ));
        }
    };
    let timed = |names: &[&str]| -> Vec<(u16, u32)> {
        TIMED
            .iter()
            .filter(|(name, ..)| names.contains(name))
            .map(|(name, _, id, _)| (*id, privilege_value(&overrides, name, expire)))
            .collect()
    };
    let mut granted: Vec<&str> = Vec::new();
    let mut services = Vec::new();
    if rtc {
        let names = rtc_privileges(form)?;
        granted.extend(names);
        services.push(Service::rtc(form.text(TOPIC), &rtc_uid(form), timed(names)));
    }
    if rtm {
        granted.push("rtm-login");
        services.push(Service {
            number: 2,
            privileges: timed(&["rtm-login"]),
            fields: ServiceFields::Rtm {
                user_id: user_id(form, "RTM")?,
            },
        });
    }
    if let Some(privilege) = chat {
        granted.push(privilege);
        let user_id = if privilege == "chat-app" {
            String::new()
        } else {
            user_id(form, "chat user")?
        };
        services.push(Service {
            number: 5,
            privileges: timed(&[privilege]),
            fields: ServiceFields::Chat { user_id },
        });
    }
    if let Some((name, _)) = overrides.iter().find(|(name, _)| !granted.contains(name)) {
        return Err(MintError::field(
            PRIVILEGES,
            format!("{name} is not in a {service} token (as {} mints it): drop it, or choose another service or role", form.text(ROLE)),
        ));
    }
    Ok(services)
}

/// A 006 token: one RTC service, or RTM (the account in the channel's place, as Agora's
/// RtmTokenBuilder does); its times absolute.
fn mint_006(
    form: &Form,
    credentials: &Credentials,
    now: DateTime<Utc>,
    issue_ts: u32,
    expire: u32,
    salt: u32,
) -> Result<String, MintError> {
    let overrides = privilege_overrides(form, now)?;
    let absolute = |name: &str| issue_ts.saturating_add(privilege_value(&overrides, name, expire));
    let (channel, uid, names): (String, String, &[&str]) = match form.text(SERVICE) {
        "rtc" => (form.text(TOPIC).to_string(), rtc_uid(form), rtc_privileges(form)?),
        "rtm" => (user_id(form, "RTM")?, String::new(), &["rtm-login"]),
        other => {
            return Err(MintError::field(
                SERVICE,
                format!("a 006 token holds one service, rtc or rtm, not {other}: choose 007 for more"),
            ));
        }
    };
    if let Some((name, _)) = overrides.iter().find(|(name, _)| !names.contains(name)) {
        return Err(MintError::field(
            PRIVILEGES,
            format!("{name} is not in this 006 token: drop it, or choose another service or role"),
        ));
    }
    let privileges: Vec<(u16, u32)> = TIMED
        .iter()
        .filter(|(name, ..)| names.contains(name))
        .map(|(name, .., id_006)| (*id_006, absolute(name)))
        .collect();
    Ok(agora::encode_006(
        &Contents006 {
            app_id: &credentials.key,
            channel: &channel,
            uid: &uid,
            salt,
            ts: issue_ts.saturating_add(expire),
            privileges: &privileges,
        },
        &credentials.secret,
    ))
}

/// The privilege pairs a form needs to mint these privileges again: those whose time is not
/// the token's.
fn timed_apart(
    privileges: impl Iterator<Item = (&'static str, u32)>,
    token: u32,
    as_text: impl Fn(u32) -> String,
) -> Vec<(String, String)> {
    privileges
        .filter(|(_, value)| *value != token)
        .map(|(name, value)| (name.to_string(), as_text(value)))
        .collect()
}

fn form_from_007(token: &agora::AccessToken2) -> Form {
    let mut form = PLATFORM.default_form();
    let rtc = token.services.iter().find(|s| s.number == 1);
    let rtm = token.services.iter().find(|s| s.number == 2);
    let chat = token.services.iter().find(|s| s.number == 5);
    let service = match (rtc, rtm, chat) {
        (Some(_), Some(_), _) => "rtc+rtm",
        (Some(_), None, _) => "rtc",
        (None, Some(_), _) => "rtm",
        (None, None, Some(chat)) if chat.privilege(1).is_none() && chat.privilege(2).is_some() => {
            "chat-app"
        }
        (None, None, Some(_)) => "chat",
        (None, None, None) => "rtc",
    };
    form.set_text(SERVICE, service);
    if let Some(rtc) = rtc {
        form.set_text(TOPIC, rtc.channel().unwrap_or_default());
        form.set_text(CLIENT_ID, rtc.identity().unwrap_or_default());
        let publishes = (2..=4).any(|id| rtc.privilege(id).is_some());
        form.set_text(ROLE, if publishes { "publisher" } else { "subscriber" });
    } else if let Some(user) = rtm.or(chat).and_then(Service::identity) {
        form.set_text(CLIENT_ID, user);
    }
    form.set(
        EXPIRY,
        FieldValue::Expiry(Expiry::After(i64::from(token.expire))),
    );
    let timed = TIMED.iter().filter_map(|(name, number, id, _)| {
        token
            .services
            .iter()
            .find(|s| s.number == *number)
            .and_then(|s| s.privilege(*id))
            .map(|value| (*name, value))
    });
    form.set(
        PRIVILEGES,
        FieldValue::Pairs(timed_apart(timed, token.expire, |v| v.to_string())),
    );
    form
}

fn form_from_006(token: &agora::AccessToken006) -> Form {
    let mut form = PLATFORM.default_form();
    form.set_text(FORMAT, "006");
    let rtm = token.privilege(1000).is_some();
    form.set_text(SERVICE, if rtm { "rtm" } else { "rtc" });
    if !rtm {
        let publishes = (2..=4).any(|id| token.privilege(id).is_some());
        form.set_text(ROLE, if publishes { "publisher" } else { "subscriber" });
    }
    match (rtm, &token.channel, &token.uid) {
        (true, Some(account), _) => form.set_text(CLIENT_ID, account.as_str()),
        (false, Some(channel), Some(uid)) => {
            form.set_text(TOPIC, channel.as_str());
            form.set_text(CLIENT_ID, uid.as_str());
        }
        // Only the CRC32s are in the token: the names stay as the defaults.
        _ => {}
    }
    if let Some(ts) = DateTime::from_timestamp(i64::from(token.ts), 0) {
        form.set(EXPIRY, FieldValue::Expiry(Expiry::At(ts)));
    }
    let timed = TIMED.iter().filter_map(|(name, _, _, id_006)| {
        (*id_006 != 0)
            .then(|| token.privilege(*id_006))
            .flatten()
            .map(|value| (*name, value))
    });
    form.set(
        PRIVILEGES,
        FieldValue::Pairs(timed_apart(timed, token.ts, |v| format!("@{v}"))),
    );
    form
}

#[cfg(test)]
mod tests;
