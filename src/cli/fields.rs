//! The field options shared by `mint` and `tui`, and how they become a form and credentials.

use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::Value;

use super::UsageError;
use crate::duration::{Expiry, parse_duration, parse_instant};
use crate::findings::Field;
use crate::platform::{
    self, Credentials, Form, Platform, RoomPermission, parse_claim, parse_permission,
};

#[derive(Args, Debug, Default, Clone)]
pub struct FieldArgs {
    /// SDK key (zoom), application id (vonage), API key (opentok) or public key appPid.keyId (relaybox).
    #[arg(long, value_name = "ID")]
    pub key: Option<String>,
    /// The secret: env:NAME, @path, b64:BASE64, - (stdin), or the value itself (warned: argv is visible).
    #[arg(long, value_name = "SRC")]
    pub secret: Option<String>,
    /// zoom: host or participant (1/0); vonage/opentok: subscriber, publisher, publisher-only, moderator.
    #[arg(long, value_name = "R")]
    pub role: Option<String>,
    /// Session name (zoom tpc) or session id (vonage, opentok).
    #[arg(long, value_name = "T")]
    pub topic: Option<String>,
    /// Session password (zoom pwd).
    #[arg(long, value_name = "P")]
    pub password: Option<String>,
    /// Lifetime: 90s, 30m, 2h, 1d, 1h30m.
    #[arg(long, value_name = "DUR", value_parser = parse_duration, allow_hyphen_values = true, conflicts_with = "exp")]
    pub ttl: Option<i64>,
    /// Expiry time: RFC 3339 or unix seconds.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub exp: Option<DateTime<Utc>>,
    /// Connection data (vonage, opentok).
    #[arg(long, value_name = "TEXT")]
    pub data: Option<String>,
    /// Relaybox permission ROOM=OPS (repeatable); ROOM may be * or a pattern, OPS a comma list or *.
    #[arg(long = "permission", value_name = "ROOM=OPS", value_parser = parse_permission)]
    pub permissions: Vec<RoomPermission>,
    /// Client identity: zoom user_identity, relaybox clientId.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Any extra claim NAME=VALUE (repeatable); VALUE is read as JSON when it is JSON.
    #[arg(long = "claim", value_name = "NAME=VALUE", value_parser = parse_claim)]
    pub claims: Vec<(String, Value)>,
    /// opentok only: mint the legacy T1== token instead of a JWT.
    #[arg(long)]
    pub legacy_t1: bool,
}

/// The option names of each field, for "does not apply" messages.
fn options_of(field: Field) -> &'static [&'static str] {
    match field {
        Field::Role => &["--role"],
        Field::Topic => &["--topic"],
        Field::Password => &["--password"],
        Field::Expiry => &["--ttl", "--exp"],
        Field::Data => &["--data"],
        Field::Permissions => &["--permission"],
        Field::ClientId => &["--client-id"],
        Field::Claims => &["--claim"],
        Field::Format => &["--legacy-t1"],
        Field::Key => &["--key"],
        Field::Secret => &["--secret"],
        Field::Token | Field::Credentials => &[],
    }
}

impl FieldArgs {
    /// The fields whose options were given.
    fn given(&self) -> Vec<Field> {
        let mut given = Vec::new();
        let mut mark = |present: bool, field: Field| {
            if present {
                given.push(field);
            }
        };
        mark(self.role.is_some(), Field::Role);
        mark(self.topic.is_some(), Field::Topic);
        mark(self.password.is_some(), Field::Password);
        mark(self.ttl.is_some() || self.exp.is_some(), Field::Expiry);
        mark(self.data.is_some(), Field::Data);
        mark(!self.permissions.is_empty(), Field::Permissions);
        mark(self.client_id.is_some(), Field::ClientId);
        mark(!self.claims.is_empty(), Field::Claims);
        mark(self.legacy_t1, Field::Format);
        given
    }

    /// Refuses options the platform has no field for, naming the platform's own options.
    pub fn check_applicable(&self, platform: &dyn Platform) -> Result<(), UsageError> {
        let Some(field) = self
            .given()
            .into_iter()
            .find(|f| !platform.fields().contains(f))
        else {
            return Ok(());
        };
        let own: Vec<&str> = platform
            .fields()
            .iter()
            .flat_map(|f| options_of(*f).iter().copied())
            .collect();
        Err(UsageError(format!(
            "{} does not apply to {}: its options are {}",
            options_of(field).join("/"),
            platform.id(),
            own.join(", ")
        )))
    }

    /// The platform's default form with the given options laid over it.
    pub fn form(&self, platform: &dyn Platform) -> Result<Form, UsageError> {
        self.check_applicable(platform)?;
        let mut form = platform.default_form();
        if let Some(role) = &self.role {
            form.role = role.clone();
        }
        let set = |target: &mut String, value: &Option<String>| {
            if let Some(value) = value {
                target.clone_from(value);
            }
        };
        set(&mut form.topic, &self.topic);
        set(&mut form.password, &self.password);
        set(&mut form.data, &self.data);
        set(&mut form.client_id, &self.client_id);
        if let Some(ttl) = self.ttl {
            form.expiry = Expiry::After(ttl);
        }
        if let Some(exp) = self.exp {
            form.expiry = Expiry::At(exp);
        }
        if !self.permissions.is_empty() {
            form.permissions.clone_from(&self.permissions);
        }
        form.claims.extend(self.claims.iter().cloned());
        form.legacy_t1 |= self.legacy_t1;
        Ok(form)
    }

    /// Credentials from the options, then the environment, then the demo credentials.
    pub fn credentials(&self, platform: &dyn Platform) -> Result<Credentials, UsageError> {
        let secret = match &self.secret {
            Some(spec) => Some(crate::secret::resolve_from_process(spec)?),
            None => None,
        };
        let credentials =
            platform::resolve_credentials(platform, self.key.clone(), secret, &|name| {
                std::env::var(name).ok()
            })?;
        platform.signer(&credentials)?;
        Ok(credentials)
    }
}
