//! Credentials: what a platform's key and secret are, where they come from (an option, the
//! platform's usual environment variables, else the built-in demo credentials), and the findings
//! that follow from where they came from.

use serde_json::Value;

use crate::findings::Finding;
use crate::platform::field::ids;
use crate::secret::{Secret, SecretOrigin};

/// One part of a platform's credentials, as the command line and the workbench name it.
#[derive(Clone, Copy, Debug)]
pub struct CredentialPart {
    /// A few words for the workbench's row ("SDK key", "private key").
    pub label: &'static str,
    /// What it is, for help and messages ("the application's private key: PEM, or its path").
    pub help: &'static str,
    /// The command-line option, without its dashes.
    pub option: &'static str,
    /// The usual environment variables, first the preferred one.
    pub env: &'static [&'static str],
}

/// What a platform's credentials are.
#[derive(Clone, Copy, Debug)]
pub struct CredentialSpec {
    pub key: CredentialPart,
    pub secret: CredentialPart,
    /// A third part some platforms have (Twilio's Account SID).
    pub account: Option<CredentialPart>,
    /// The built-in demo credentials: a JSON file of `assets/demo/` (`key`, `secret`, `account`).
    pub demo: &'static str,
    /// The demo secret when it is not in the JSON file (a PEM key).
    pub demo_secret: Option<&'static [u8]>,
}

impl CredentialSpec {
    /// Every environment variable the platform reads, first the key's.
    pub fn env_vars(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.key
            .env
            .iter()
            .chain(self.account.iter().flat_map(|a| a.env))
            .chain(self.secret.env)
            .copied()
    }

    /// The demo credentials the spec names.
    pub fn demo_credentials(&self) -> Credentials {
        let file: Value =
            serde_json::from_str(self.demo).expect("the demo credential files are valid JSON");
        let text = |name: &str| file[name].as_str().unwrap_or_default().to_string();
        Credentials {
            key: text("key"),
            secret: Secret::new(
                self.demo_secret
                    .map(<[u8]>::to_vec)
                    .unwrap_or_else(|| text("secret").into_bytes()),
            ),
            account: Some(text("account")).filter(|a| !a.is_empty()),
            source: CredentialSource::Demo,
        }
    }
}

/// Where a platform's credentials came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    /// From command-line options or the workbench's form; the secret's own origin is kept.
    Given(SecretOrigin),
    /// From the platform's usual environment variables.
    Environment,
    /// The built-in demo credentials.
    Demo,
    /// Typed into the workbench's form (a key, account or secret): never on a command line, not
    /// the demo ones.
    Typed,
}

#[derive(Clone, Debug)]
pub struct Credentials {
    /// SDK key, application id, API key or public key.
    pub key: String,
    pub secret: Secret,
    /// The third part, where the platform has one.
    pub account: Option<String>,
    pub source: CredentialSource,
}

/// Why credentials could not be put together; one sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("no secret for the {platform} key {key}: give --{option} or set {var}")]
    NoSecret {
        platform: &'static str,
        key: String,
        option: &'static str,
        var: &'static str,
    },
    #[error("no {what} for this {platform} secret: give --{option}{env}")]
    NoPart {
        platform: &'static str,
        what: &'static str,
        option: &'static str,
        /// ` or set VAR`, or empty.
        env: String,
    },
    /// The secret has the wrong shape for the platform (not a PEM key, not 32 hex digits…).
    #[error("{0}")]
    Unusable(String),
}

/// The warning for a secret typed on the command line, said once for every output mode.
pub fn argv_warning() -> Finding {
    Finding::warning(
        "secret.argv",
        ids::SECRET,
        "the secret was typed on the command line, where ps and shell history keep it: use env:NAME, @file or - instead",
    )
}

/// The finding of demo credentials on a token of `platform_name`, whose own credentials are
/// read from `spec`; `signed` says whether the token's signature checked out with them.
pub fn demo_finding(platform_name: &str, spec: &CredentialSpec, signed: bool) -> Finding {
    let vars: Vec<&str> = spec
        .key
        .env
        .first()
        .into_iter()
        .chain(spec.account.and_then(|a| a.env.first()))
        .chain(spec.secret.env.first())
        .copied()
        .collect();
    let options = match spec.account {
        Some(account) => format!(
            "--{}, --{} and --{}",
            spec.key.option, account.option, spec.secret.option
        ),
        None => format!("--{} and --{}", spec.key.option, spec.secret.option),
    };
    let what = if signed {
        "signed with tokenbench's built-in demo credentials"
    } else {
        "checked with tokenbench's built-in demo credentials, as it names their key"
    };
    Finding::info(
        "demo-credentials",
        ids::CREDENTIALS,
        format!(
            "{what}, which {platform_name} refuses: give {options} or set {}",
            join_and(&vars)
        ),
    )
}

/// `a`, `a and b`, `a, b and c`.
pub fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `a`, `a or b`, `a, b or c`.
pub fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_english() {
        assert_eq!(join_and(&["a"]), "a");
        assert_eq!(join_and(&["a", "b"]), "a and b");
        assert_eq!(join_or(&["a", "b", "c"]), "a, b or c");
        assert_eq!(join_or(&[]), "");
    }
}
