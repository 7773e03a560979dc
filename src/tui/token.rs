//! The token on screen: its report (kept, and re-run on the clock's ticks without any crypto),
//! and the two panes that show it, the token itself and its claims.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Pane};
use super::layout::{pane, render_lines, styled};
use super::text::{shown, wrap};
use super::theme::Theme;
use crate::findings::{self, Finding, Severity};
use crate::lifetime::TokenTimes;
use crate::platform::Platform;
use crate::report::{Checked, KeyChoice, Report, annotated_claims, explained_claims};
use crate::token::{Decoded, Signature};

/// Where the shown token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Minted,
    /// Pasted or typed into inspect; `known` when its platform's form was filled from it.
    Inspected {
        known: bool,
    },
}

/// A token with its report and the times the countdown needs.
#[derive(Debug)]
pub struct TokenView {
    checked: Checked,
    pub report: Report,
    /// Findings about the form rather than the token (an extra claim replacing a field's).
    notes: Vec<Finding>,
    pub algorithm: String,
    pub issued_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// What the lifetime lab plays: the token's times as its platform reads them.
    pub times: Option<TokenTimes>,
    pub origin: Origin,
}

impl TokenView {
    /// Verifies once and runs the rules at `now`.
    pub fn new(
        text: &str,
        decoded: Decoded,
        platform: Option<&'static dyn Platform>,
        key: KeyChoice,
        now: DateTime<Utc>,
        origin: Origin,
    ) -> Self {
        let algorithm = decoded.algorithm_label();
        let (issued_at, expires_at) = (decoded.issued_at(), decoded.expires_at());
        let times = match platform {
            Some(platform) => platform.token_times(&decoded),
            None => issued_at
                .zip(expires_at)
                .map(|(iat, exp)| TokenTimes::new(iat, exp)),
        };
        // A platform whose tokens carry no iat names when its lifetime starts (nbf).
        let issued_at = issued_at.or_else(|| times.as_ref().map(|t| t.iat));
        let checked = Checked::new(text, decoded, platform, key);
        TokenView {
            report: checked.report(now),
            checked,
            notes: Vec::new(),
            algorithm,
            issued_at,
            expires_at,
            times,
            origin,
        }
    }

    /// Adds findings about the form, kept through [`TokenView::follow`].
    pub fn with_notes(mut self, notes: Vec<Finding>) -> Self {
        self.notes = notes;
        self.report.findings.extend(self.notes.iter().cloned());
        findings::sort(&mut self.report.findings);
        self
    }

    pub fn decoded(&self) -> &Decoded {
        &self.checked.decoded
    }

    /// The rules again at `now` (relative times in findings follow the clock); the signature
    /// is not checked again.
    pub fn follow(&mut self, now: DateTime<Utc>) {
        self.report = self.checked.report(now);
        self.report.findings.extend(self.notes.iter().cloned());
        findings::sort(&mut self.report.findings);
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// The token cut into lines of `width` characters (a token is ASCII), each part in its style:
/// header, payload and signature of a JWT apart.
fn token_lines(view: &TokenView, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let text = shown(&view.report.token).into_owned();
    let styles = [
        theme.token_header,
        theme.token_payload,
        theme.token_signature,
    ];
    // Which part each byte is in: the dots of a JWT start the next part.
    let mut part = 0;
    let mut lines = Vec::new();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_part = 0;
    let mut column = 0;
    let jwt = view.report.header.is_some();
    for c in text.chars() {
        if column == width.max(1) {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                styles[run_part.min(2)],
            ));
            lines.push(Line::from(std::mem::take(&mut spans)));
            column = 0;
        }
        let this = if jwt { part } else { 1 };
        if this != run_part && !run.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                styles[run_part.min(2)],
            ));
        }
        run_part = this;
        run.push(c);
        column += 1;
        if c == '.' {
            part += 1;
        }
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, styles[run_part.min(2)]));
    }
    if !spans.is_empty() {
        lines.push(Line::from(spans));
    }
    lines
}

/// The token's lines and the info lines under it (length, algorithm, signature), or why there
/// is no token.
fn lines(app: &App, theme: &Theme, width: usize) -> (Vec<Line<'static>>, Vec<Line<'static>>) {
    let Some(view) = &app.shown else {
        let why = app.stale.as_deref().unwrap_or("no token");
        let error = wrap(why, width, width)
            .into_iter()
            .map(|l| Line::styled(l, theme.error))
            .collect();
        return (error, Vec::new());
    };
    let token = token_lines(view, theme, width);
    let (mark, signature_style) = match view.report.signature {
        Signature::Valid => ("✓", theme.ok),
        Signature::Invalid => ("✗", theme.error),
        Signature::Unverified => ("?", theme.dim),
    };
    let info = format!(
        "{} chars · {} · ",
        view.report.token.len(),
        shown(&view.algorithm)
    );
    let signature = format!("{mark} signature {}", view.report.signature.label());
    let mut info = if info.width() + signature.width() <= width {
        vec![Line::from(vec![
            styled(info, theme.dim),
            styled(signature, signature_style),
        ])]
    } else {
        vec![
            Line::styled(info, theme.dim),
            Line::styled(signature, signature_style),
        ]
    };
    if let Some(stale) = &app.stale {
        for part in wrap(&format!("✗ stale: {stale}"), width, width) {
            info.push(Line::styled(part, theme.error));
        }
    }
    (token, info)
}

pub fn height(app: &App, width: u16) -> u16 {
    let (token, info) = lines(app, &Theme::of(app), width as usize);
    (token.len() + info.len()) as u16
}

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let title = match &app.shown {
        Some(view) => match view.origin {
            Origin::Minted if app.stale.is_some() => " Token (the last good one) ",
            Origin::Minted => " Token ",
            Origin::Inspected { known: true } => " Token (inspected: edit the form to re-sign) ",
            Origin::Inspected { known: false } => " Token (inspected) ",
        },
        None => " Token ",
    };
    let focused = app.pane == Pane::Token;
    let block = pane(Line::styled(title, theme.accent), focused, theme);
    let inner = block.inner(area);
    let (token, mut info) = lines(app, theme, inner.width as usize);
    // The info lines stay in view under the token, which scrolls when it does not fit.
    info.truncate((inner.height as usize).saturating_sub(1));
    let room = (inner.height as usize).saturating_sub(info.len());
    let max_skip = token.len().saturating_sub(room);
    let skip = if focused {
        (app.scroll as usize).min(max_skip)
    } else {
        0
    };
    let mut lines: Vec<Line> = token.into_iter().skip(skip).take(room).collect();
    lines.extend(info);
    render_lines(frame, block, area, lines, 0);
}

/// The claims pane's lines: the header, then the claims as JSON (valid JSON, copyable), with
/// each time claim's date and relative time beside it, after a gap, never inside it.
fn claim_lines(app: &App, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let Some(view) = &app.shown else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match &view.report.header {
        Some(header) => out.push(Line::from(vec![
            styled("header ", theme.label),
            styled(shown(&header.to_string()).into_owned(), theme.text),
        ])),
        None => out.push(Line::styled(
            format!("{}: fields of the token, no JWT header", view.report.format),
            theme.label,
        )),
    }
    let annotate = if view.report.platform.is_none() && view.report.header.is_some() {
        explained_claims
    } else {
        annotated_claims
    };
    for (line, note) in annotate(
        &view.report.claims,
        &view.report.time_fields,
        app.now,
        app.local_time,
    ) {
        let line = shown(&line).into_owned();
        let Some(note) = note else {
            out.push(Line::styled(line, theme.text));
            continue;
        };
        // Beside the claim when it fits, without the date when that makes it fit, else below.
        let short = note
            .rsplit_once(", ")
            .map_or(note.as_str(), |(_, rest)| rest);
        let gap = crate::report::annotation_gap(&line);
        let beside = [note.as_str(), short]
            .into_iter()
            .find(|n| line.width() + gap.len() + n.width() <= width);
        if let Some(beside) = beside {
            out.push(Line::from(vec![
                styled(line, theme.text),
                styled(format!("{gap}{beside}"), theme.annotation),
            ]));
        } else {
            out.push(Line::styled(line, theme.text));
            out.push(Line::styled(format!("      ↳ {note}"), theme.annotation));
        }
    }
    out
}

pub fn claims_height(app: &App, width: u16) -> u16 {
    claim_lines(app, &Theme::of(app), width as usize).len() as u16
}

pub fn draw_claims(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let zone = if app.local_time { "local" } else { "UTC" };
    let focused = app.pane == Pane::Claims;
    let block = pane(
        Line::from(vec![
            styled(" Claims ", theme.accent),
            styled(format!("(times in {zone}) "), theme.dim),
        ]),
        focused,
        theme,
    );
    let inner = block.inner(area);
    let all = claim_lines(app, theme, inner.width as usize);
    let max_skip = all.len().saturating_sub(inner.height as usize);
    let skip = if focused {
        (app.scroll as usize).min(max_skip)
    } else {
        0
    };
    render_lines(frame, block, area, all, skip as u16);
}
