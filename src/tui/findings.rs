//! The findings pane: severity, rule id and message of each finding, errors first; the title
//! counts them, and says how many are out of view when the pane cannot show them all.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Pane};
use super::layout::{Hits, Target, pane, render_lines, styled};
use super::text::{shown, wrap};
use super::theme::Theme;
use crate::findings::Severity;

/// The lines of each finding, in order; a finding's message wraps under its rule.
fn blocks(app: &App, theme: &Theme, width: usize) -> Vec<Vec<Line<'static>>> {
    let Some(view) = &app.shown else {
        return Vec::new();
    };
    let selected = app.pane == Pane::Findings;
    view.report
        .findings
        .iter()
        .enumerate()
        .map(|(index, finding)| {
            let severity = format!("{:<7} ", finding.severity.label());
            let rule = format!("{} ", finding.rule);
            let message = local_times(app, &shown(&finding.message));
            let first = width.saturating_sub(severity.width() + rule.width());
            let (head, rest) = if first >= 12 {
                let parts = wrap(&message, first, width.saturating_sub(2));
                (parts[0].clone(), parts[1..].to_vec())
            } else {
                (
                    String::new(),
                    wrap(&message, width.saturating_sub(2), width.saturating_sub(2)),
                )
            };
            let mut lines = vec![Line::from(vec![
                styled(severity, theme.severity(finding.severity)),
                styled(rule, theme.accent),
                styled(head, theme.text),
            ])];
            lines.extend(
                rest.into_iter()
                    .map(|l| Line::from(vec![Span::raw("  "), styled(l, theme.text)])),
            );
            if selected && index == app.selected_finding {
                lines = lines.into_iter().map(|l| l.style(theme.selected)).collect();
            }
            lines
        })
        .collect()
}

/// `text` with its RFC 3339 UTC times (`2026-11-22T12:00:00Z`) in local time after `u`, as
/// every other date on screen.
fn local_times(app: &App, text: &str) -> String {
    if !app.local_time {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // A UTC time as the rules write it: 20 ASCII characters ending in Z.
    while let Some(at) = rest.find('T').and_then(|t| t.checked_sub(10)) {
        let candidate = rest.get(at..at + 20);
        match candidate.and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok()) {
            Some(time) => {
                out.push_str(&rest[..at]);
                out.push_str(&super::layout::format_time(app, time.to_utc()));
                rest = &rest[at + 20..];
            }
            None => {
                let skip = rest.find('T').map_or(rest.len(), |t| t + 1);
                out.push_str(&rest[..skip]);
                rest = &rest[skip..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The lines the findings want: all of them.
pub fn height(app: &App, width: u16) -> u16 {
    let lines: usize = blocks(app, &Theme::of(app), width as usize)
        .iter()
        .map(Vec::len)
        .sum();
    lines.max(1) as u16
}

fn title(app: &App, theme: &Theme, hidden: usize) -> Line<'static> {
    let mut spans = vec![styled(" Findings ", theme.accent)];
    if let Some(view) = &app.shown {
        let counts: Vec<String> = [
            (Severity::Error, "error", "errors"),
            (Severity::Warning, "warning", "warnings"),
            (Severity::Info, "info", "info"),
        ]
        .into_iter()
        .filter_map(|(severity, one, many)| match view.count(severity) {
            0 => None,
            1 => Some(format!("1 {one}")),
            n => Some(format!("{n} {many}")),
        })
        .collect();
        let text = if counts.is_empty() {
            "none ".to_string()
        } else {
            format!("{} ", counts.join(" · "))
        };
        spans.push(styled(text, theme.dim));
        if hidden > 0 {
            spans.push(styled(
                format!("· {hidden} more: Ctrl-G, ↓ "),
                theme.warning,
            ));
        }
    }
    Line::from(spans)
}

/// The first line shown, so that the selected finding stays in view.
fn first_line(blocks: &[Vec<Line>], selected: usize, height: usize) -> usize {
    let start: usize = blocks.iter().take(selected).map(Vec::len).sum();
    let end = start + blocks.get(selected).map_or(0, Vec::len);
    end.saturating_sub(height).min(start)
}

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, hits: &mut Hits) {
    hits.push(area, Target::Pane(Pane::Findings));
    let probe = pane(Line::default(), false, theme);
    let inner = probe.inner(area);
    let blocks = blocks(app, theme, inner.width as usize);
    let height = inner.height as usize;
    let skip = first_line(&blocks, app.selected_finding, height);
    // Findings wholly or partly out of view.
    let mut line = 0;
    let mut hidden = 0;
    for block in &blocks {
        let (start, end) = (line, line + block.len());
        if start < skip || end > skip + height {
            hidden += 1;
        }
        line = end;
    }
    // Each finding's lines on screen, for clicks.
    let mut line = 0;
    for (index, block) in blocks.iter().enumerate() {
        for offset in 0..block.len() {
            let y = (line + offset).checked_sub(skip).filter(|y| *y < height);
            if let Some(y) = y {
                hits.push(
                    Rect::new(inner.x, inner.y + y as u16, inner.width, 1),
                    Target::Finding(index),
                );
            }
        }
        line += block.len();
    }
    let block = pane(title(app, theme, hidden), app.pane == Pane::Findings, theme);
    let lines = if blocks.is_empty() && app.shown.is_some() {
        vec![Line::styled(
            "no findings: the token keeps every rule",
            theme.ok,
        )]
    } else {
        blocks.into_iter().flatten().collect()
    };
    render_lines(frame, block, area, lines, skip as u16);
}
