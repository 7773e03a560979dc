//! The field options of `mint`, `tui` and `serve`, generated from the platforms' field specs:
//! every option any platform declares, each taking its value as text; a platform then reads the
//! options it declares, and any other option is a usage error that names its own.

use chrono::{DateTime, Utc};
use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

use super::UsageError;
use crate::duration::{Expiry, parse_duration, parse_instant};
use crate::platform::field::{self, FieldValue};
use crate::platform::{self, Credentials, FieldKind, FieldSpec, Form, Platform};

/// The two options of every expiry field.
const TTL: &str = "ttl";
const EXP: &str = "exp";

/// The options given, by name, with their values in the order given.
#[derive(Debug, Default, Clone)]
pub struct FieldArgs {
    given: Vec<(String, Vec<String>)>,
}

/// How one option is declared, across every platform that has it.
struct Declared {
    name: &'static str,
    flag: bool,
    repeats: bool,
    value_name: &'static str,
    /// Per platform: what it is there.
    uses: Vec<(&'static str, &'static str)>,
}

/// Every option of every platform's fields and credentials, in a stable order.
fn declared() -> Vec<Declared> {
    let mut all: Vec<Declared> = Vec::new();
    let mut add = |name: &'static str,
                   flag: bool,
                   repeats: bool,
                   value_name: &'static str,
                   platform: &'static str,
                   help: &'static str| {
        match all.iter_mut().find(|d| d.name == name) {
            Some(known) => known.uses.push((platform, help)),
            None => all.push(Declared {
                name,
                flag,
                repeats,
                value_name,
                uses: vec![(platform, help)],
            }),
        }
    };
    for p in platform::ALL {
        let id = p.id();
        let credentials = p.credentials();
        add(
            credentials.key.option,
            false,
            false,
            "ID",
            id,
            credentials.key.help,
        );
        if let Some(account) = credentials.account {
            add(account.option, false, false, "ID", id, account.help);
        }
        add(
            credentials.secret.option,
            false,
            false,
            "SRC",
            id,
            credentials.secret.help,
        );
        for spec in p.fields() {
            let value_name = value_name(spec.kind);
            if let FieldKind::Expiry = spec.kind {
                add(
                    TTL,
                    false,
                    false,
                    "DUR",
                    id,
                    "lifetime: 90s, 30m, 2h, 1d, 1h 30m",
                );
                add(
                    EXP,
                    false,
                    false,
                    "TIME",
                    id,
                    "expiry time: RFC 3339 or unix seconds",
                );
            } else {
                add(
                    spec.option,
                    spec.kind.is_flag(),
                    spec.kind.repeats(),
                    value_name,
                    id,
                    spec.help,
                );
            }
            for alias in spec.aliases {
                add(
                    alias,
                    spec.kind.is_flag(),
                    spec.kind.repeats(),
                    value_name,
                    id,
                    spec.help,
                );
            }
            for preset in spec.presets {
                add(preset.option, true, false, "", id, preset.help);
            }
        }
    }
    all
}

fn value_name(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text { .. } | FieldKind::Choice { .. } => "TEXT",
        FieldKind::Switch { .. } => "",
        FieldKind::Expiry => "DUR",
        FieldKind::Rooms { .. } => "ROOM=OPS",
        FieldKind::Pairs { .. } | FieldKind::Claims => "NAME=VALUE",
        FieldKind::SubForms { .. } => "GROUP.FIELD=VALUE",
        FieldKind::Json => "JSON",
    }
}

/// "zoom: session name; vonage, opentok: session id": what an option is on each platform.
fn help_of(declared: &Declared) -> String {
    let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
    for (platform, help) in &declared.uses {
        match groups.iter_mut().find(|(_, h)| h == help) {
            Some((platforms, _)) => platforms.push(platform),
            None => groups.push((vec![platform], help)),
        }
    }
    if groups.len() == 1 && declared.uses.len() == platform::ALL.len() {
        return groups[0].1.to_string();
    }
    groups
        .iter()
        .map(|(platforms, help)| format!("{}: {help}", platforms.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Args for FieldArgs {
    fn augment_args(mut command: Command) -> Command {
        for declared in declared() {
            let mut arg = Arg::new(declared.name)
                .long(declared.name)
                .help(help_of(&declared))
                .help_heading("Field options (each platform reads its own)");
            arg = if declared.flag {
                arg.action(ArgAction::SetTrue)
            } else {
                let arg = arg
                    .value_name(declared.value_name)
                    .allow_hyphen_values(declared.name == TTL);
                if declared.repeats {
                    arg.action(ArgAction::Append)
                } else {
                    arg.action(ArgAction::Set)
                }
            };
            command = command.arg(arg);
        }
        command.group(
            clap::ArgGroup::new("expiry")
                .args([TTL, EXP])
                .multiple(false),
        )
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for FieldArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut given = Vec::new();
        for declared in declared() {
            if declared.flag {
                if matches.get_flag(declared.name) {
                    given.push((declared.name.to_string(), Vec::new()));
                }
            } else if let Some(values) = matches.get_many::<String>(declared.name) {
                given.push((declared.name.to_string(), values.cloned().collect()));
            }
        }
        Ok(FieldArgs { given })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// The options a platform reads, as `--name` each: its fields', then its credentials'.
pub fn options_of(platform: &dyn Platform) -> Vec<String> {
    let mut options = Vec::new();
    for spec in platform.fields() {
        match spec.kind {
            FieldKind::Expiry => options.extend([format!("--{TTL}"), format!("--{EXP}")]),
            _ => options.push(format!("--{}", spec.option)),
        }
        options.extend(spec.aliases.iter().map(|a| format!("--{a}")));
        options.extend(spec.presets.iter().map(|p| format!("--{}", p.option)));
    }
    let credentials = platform.credentials();
    options.push(format!("--{}", credentials.key.option));
    if let Some(account) = credentials.account {
        options.push(format!("--{}", account.option));
    }
    options.push(format!("--{}", credentials.secret.option));
    options
}

/// Whether `platform` reads the option `name`.
pub fn reads(platform: &dyn Platform, name: &str) -> bool {
    let credentials = platform.credentials();
    name == credentials.key.option
        || name == credentials.secret.option
        || credentials.account.is_some_and(|a| a.option == name)
        || platform.fields().iter().any(|spec| spec_reads(spec, name))
}

fn spec_reads(spec: &FieldSpec, name: &str) -> bool {
    match spec.kind {
        FieldKind::Expiry => name == TTL || name == EXP || spec.aliases.contains(&name),
        _ => {
            spec.option == name
                || spec.aliases.contains(&name)
                || spec.presets.iter().any(|p| p.option == name)
        }
    }
}

impl FieldArgs {
    /// Only the options that `keep` accepts.
    pub fn filtered(&self, mut keep: impl FnMut(&str, &[String]) -> bool) -> FieldArgs {
        FieldArgs {
            given: self
                .given
                .iter()
                .filter(|(name, values)| keep(name, values))
                .cloned()
                .collect(),
        }
    }

    /// The names of the options given.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.given.iter().map(|(name, _)| name.as_str())
    }

    /// The values of an option, when given.
    pub fn values(&self, name: &str) -> Option<&[String]> {
        self.given
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, values)| values.as_slice())
    }

    fn one(&self, name: &str) -> Option<&str> {
        self.values(name).and_then(|v| v.last()).map(String::as_str)
    }

    /// Refuses options the platform does not read, naming the platform's own options.
    pub fn check_applicable(&self, platform: &dyn Platform) -> Result<(), UsageError> {
        let Some(name) = self.names().find(|name| !reads(platform, name)) else {
            return Ok(());
        };
        Err(UsageError(format!(
            "--{name} does not apply to {}: its options are {}",
            platform.id(),
            options_of(platform).join(", ")
        )))
    }

    /// The platform's default form with the given options laid over it.
    pub fn form(&self, platform: &dyn Platform) -> Result<Form, UsageError> {
        self.check_applicable(platform)?;
        let mut form = platform.default_form();
        for (index, spec) in platform.fields().iter().enumerate() {
            if let Some(value) = self.value_for(spec)?
                && let Some(slot) = form.value_mut(index)
            {
                *slot = value;
            }
        }
        Ok(form)
    }

    /// The value the options give one field, or `None` when none of its options was given.
    fn value_for(&self, spec: &FieldSpec) -> Result<Option<FieldValue>, UsageError> {
        let usage = |e: &dyn std::fmt::Display| UsageError(format!("--{}: {e}", spec.option));
        let all = |name: &str| self.values(name).unwrap_or_default().to_vec();
        // A field's presets come first, then what its own options add.
        let mut texts: Vec<String> = spec
            .presets
            .iter()
            .filter(|p| self.values(p.option).is_some())
            .map(|p| p.value.to_string())
            .collect();
        let names: Vec<&str> = std::iter::once(spec.option)
            .chain(spec.aliases.iter().copied())
            .collect();
        let value = match spec.kind {
            FieldKind::Expiry => {
                let ttl = std::iter::once(TTL)
                    .chain(spec.aliases.iter().copied())
                    .find_map(|name| self.one(name));
                match (ttl, self.one(EXP)) {
                    (Some(ttl), _) => Some(FieldValue::Expiry(Expiry::After(
                        parse_duration(ttl).map_err(|e| UsageError(format!("--{TTL}: {e}")))?,
                    ))),
                    (None, Some(exp)) => Some(FieldValue::Expiry(Expiry::At(
                        parse_instant(exp).map_err(|e| UsageError(format!("--{EXP}: {e}")))?,
                    ))),
                    (None, None) => None,
                }
            }
            FieldKind::Switch { .. } => names
                .iter()
                .any(|name| self.values(name).is_some())
                .then_some(FieldValue::Switch(true)),
            kind => {
                for name in &names {
                    texts.extend(all(name));
                }
                if texts.is_empty() {
                    None
                } else {
                    Some(match kind {
                        FieldKind::Rooms { .. } => FieldValue::Rooms(
                            texts
                                .iter()
                                .map(|t| field::parse_room(t))
                                .collect::<Result<_, _>>()
                                .map_err(|e| usage(&e))?,
                        ),
                        FieldKind::Pairs { .. } => FieldValue::Pairs(
                            texts
                                .iter()
                                .map(|t| field::parse_pairs(t))
                                .collect::<Result<Vec<_>, _>>()
                                .map_err(|e| usage(&e))?
                                .concat(),
                        ),
                        FieldKind::SubForms { forms, .. } => FieldValue::Pairs(
                            texts
                                .iter()
                                .map(|t| field::parse_pair(t))
                                .collect::<Result<Vec<_>, _>>()
                                .map_err(|e| usage(&e))
                                .and_then(|pairs| {
                                    crate::platform::subform::check(forms, &pairs)
                                        .map_err(|e| usage(&e))
                                })?,
                        ),
                        FieldKind::Claims => FieldValue::Claims(
                            texts
                                .iter()
                                .map(|t| field::parse_claim(t))
                                .collect::<Result<_, _>>()
                                .map_err(|e| usage(&e))?,
                        ),
                        _ => FieldValue::Text(texts.pop().unwrap_or_default()),
                    })
                }
            }
        };
        let value = value.or_else(|| {
            spec.env
                .iter()
                .find_map(|name| std::env::var(name).ok())
                .filter(|_| matches!(spec.kind, FieldKind::Text { .. }))
                .map(FieldValue::Text)
        });
        Ok(value)
    }

    /// Credentials from the options, then the environment, then the demo credentials; the signer
    /// is built once to check the secret's shape.
    pub fn credentials(&self, platform: &'static dyn Platform) -> Result<Credentials, UsageError> {
        let spec = platform.credentials();
        let secret = match self.one(spec.secret.option) {
            Some(source) => Some(
                crate::secret::resolve_from_process(source)
                    .map_err(|e| UsageError(e.to_string()))?,
            ),
            None => None,
        };
        let credentials = platform::resolve_credentials(
            platform,
            self.one(spec.key.option).map(str::to_string),
            spec.account
                .and_then(|a| self.one(a.option))
                .map(str::to_string),
            secret,
            &|name| std::env::var(name).ok(),
        )
        .map_err(|e| UsageError(e.to_string()))?;
        platform
            .signer(&credentials)
            .map_err(|e| UsageError(e.to_string()))?;
        Ok(credentials)
    }

    /// The `--now` a test or script may pin, for commands that take it.
    pub fn now_or(now: Option<DateTime<Utc>>) -> DateTime<Utc> {
        now.unwrap_or_else(|| crate::clock::Clock::system().now())
    }
}
