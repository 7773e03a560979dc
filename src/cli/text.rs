//! The human-readable report of `mint` and `inspect`.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::duration::format_countdown;
use crate::findings::Severity;
use crate::report::{Report, annotated_claims, explained_claims};
use crate::text::escape;

pub fn report(report: &Report, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let alg = &report.algorithm;
    let _ = writeln!(
        out,
        "{} · {} {} · {} characters · signature {}",
        report.platform.unwrap_or("unknown platform"),
        report.format,
        escape(alg),
        report.token.len(),
        report.signature.label()
    );
    match report.expires_in_seconds {
        Some(left) if left > 0 => {
            let _ = writeln!(out, "expires in {}", format_countdown(left));
        }
        Some(left) => {
            let _ = writeln!(out, "expired {} ago", format_countdown(left));
        }
        None => {
            let _ = writeln!(out, "never expires");
        }
    }
    let _ = writeln!(out, "\n{}\n", escape(&report.token));
    if let Some(header) = &report.header {
        let _ = writeln!(out, "header  {}", escape(&header.to_string()));
    }
    let _ = writeln!(out, "claims");
    let annotate = if report.platform.is_none() && report.header.is_some() {
        explained_claims
    } else {
        annotated_claims
    };
    for (line, note) in annotate(&report.claims, &report.time_fields, now, false) {
        match note {
            Some(note) => {
                let gap = crate::report::annotation_gap(&line);
                let _ = writeln!(out, "  {}{gap}({note})", escape(&line));
            }
            None => {
                let _ = writeln!(out, "  {}", escape(&line));
            }
        }
    }
    let count = |severity| {
        report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    };
    let _ = writeln!(
        out,
        "\nfindings: {} error(s), {} warning(s), {} info",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "  {:<7}  {:<28}  {}",
            finding.severity.label(),
            finding.rule,
            escape(&finding.message)
        );
    }
    out
}
