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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub rule: &'static str,
    /// The id of the field to fix: one of the platform's fields, or `key`, `secret`,
    /// `credentials`, `token`, `format` (see `platform::field::ids`).
    pub field: &'static str,
    pub message: String,
}

impl Finding {
    pub fn error(
        rule: &'static str,
        field: impl Into<&'static str>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Error,
            rule,
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn warning(
        rule: &'static str,
        field: impl Into<&'static str>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Warning,
            rule,
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn info(
        rule: &'static str,
        field: impl Into<&'static str>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Info,
            rule,
            field: field.into(),
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
