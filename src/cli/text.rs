//! The human-readable report of `mint` and `inspect`.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::duration::format_countdown;
use crate::findings::Severity;
use crate::report::{Report, annotated_claims, explained_claims};
use crate::text::{escape, shorten};

/// How much of a label from the token (its `alg`) a report line shows.
const LABEL_CHARS: usize = 40;
/// How long a finding's message may be: any longer, it quotes a hostile value at length.
const MESSAGE_CHARS: usize = 500;

pub fn report(report: &Report, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let alg = &report.algorithm;
    let _ = writeln!(
        out,
        "{} · {} {} · {} characters · signature {}",
        report.platform.unwrap_or("unknown platform"),
        report.format,
        shorten(alg, LABEL_CHARS),
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
        // An expiry that is there but unreadable is no "never": verifiers refuse the token.
        None if report
            .findings
            .iter()
            .any(|f| f.severity == Severity::Error && f.field == "expiry") =>
        {
            let _ = writeln!(out, "expiry unreadable: see the findings");
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
            shorten(&finding.message, MESSAGE_CHARS)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn report_of(header: &str, claims: &str) -> String {
        let b64 = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        let token = format!("{}.{}.c2ln", b64(header), b64(claims));
        let decoded = crate::token::inspect(&token).unwrap();
        let now = DateTime::from_timestamp(1_795_341_600, 0).unwrap();
        let env = |_: &str| None;
        let checked = crate::report::check(
            &token,
            decoded,
            None,
            crate::report::KeyChoice::Find { env: &env },
            now,
        );
        report(&checked, now)
    }

    #[test]
    fn an_unreadable_exp_is_never_shown_as_never_expiring() {
        for exp in ["true", "253402300800", "\"soon\""] {
            let text = report_of(r#"{"alg":"HS256"}"#, &format!(r#"{{"exp":{exp}}}"#));
            assert!(text.contains("expiry unreadable"), "{exp}: {text}");
            assert!(!text.lines().any(|l| l == "never expires"), "{exp}: {text}");
        }
        let text = report_of(r#"{"alg":"HS256"}"#, r#"{"sub":"x"}"#);
        assert!(text.lines().any(|l| l == "never expires"), "{text}");
    }

    #[test]
    fn labels_and_messages_from_the_token_are_escaped_and_shortened() {
        let long = format!("\u{1b}]0;x\u{7}{}", "A".repeat(5000));
        let text = report_of(
            &format!(
                r#"{{"alg":"{}","kid":"{}"}}"#,
                long.replace('\u{1b}', "\\u001b")
                    .replace('\u{7}', "\\u0007"),
                "k"
            ),
            r#"{"exp":1795345200}"#,
        );
        assert!(
            !text.chars().any(|c| c != '\n' && crate::text::is_unsafe(c)),
            "{text:?}"
        );
        let first = text.lines().next().unwrap();
        assert!(first.contains("\\e]0;x\\x07AAA"), "{first}");
        assert!(first.contains('…') && first.len() < 200, "{first}");
    }
}
