//! What the rules say about a token: one [`Finding`] per broken rule or notable fact.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A form field of the workbench; findings name the one to fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    Role,
    Topic,
    Password,
    Expiry,
    Data,
    Permissions,
    ClientId,
    Claims,
    Format,
    Key,
    Secret,
    /// The token as a whole (signature, encoding).
    Token,
    /// The credentials as a whole (demo credentials, where a secret came from).
    Credentials,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Role => "role",
            Field::Topic => "topic",
            Field::Password => "password",
            Field::Expiry => "expiry",
            Field::Data => "connection data",
            Field::Permissions => "permissions",
            Field::ClientId => "client id",
            Field::Claims => "extra claims",
            Field::Format => "format",
            Field::Key => "key",
            Field::Secret => "secret",
            Field::Token => "token",
            Field::Credentials => "credentials",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub rule: &'static str,
    pub field: Field,
    pub message: String,
}

impl Finding {
    pub fn error(rule: &'static str, field: Field, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Error,
            rule,
            field,
            message: message.into(),
        }
    }

    pub fn warning(rule: &'static str, field: Field, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Warning,
            rule,
            field,
            message: message.into(),
        }
    }

    pub fn info(rule: &'static str, field: Field, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Info,
            rule,
            field,
            message: message.into(),
        }
    }
}

/// Orders findings errors first, keeping the rules' own order within a severity.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by_key(|f| f.severity);
}

pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
