//! The findings pane: severity, rule id and message of each finding, errors first; the title
//! counts them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use super::{pane, render_lines, styled, wrap};
use crate::findings::Severity;
use crate::tui::app::{App, Pane};

/// The lines of each finding, in order; a finding's message wraps under its rule.
fn blocks(app: &App, theme: &Theme, width: usize) -> Vec<Vec<Line<'static>>> {
    let Ok(view) = &app.shown else {
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
            let first = width.saturating_sub(severity.width() + rule.width());
            let (head, rest) = if first >= 12 {
                let parts = wrap(&finding.message, first, width.saturating_sub(2));
                (parts[0].clone(), parts[1..].to_vec())
            } else {
                (
                    String::new(),
                    wrap(
                        &finding.message,
                        width.saturating_sub(2),
                        width.saturating_sub(2),
                    ),
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

pub fn height(app: &App, width: u16) -> u16 {
    let lines: usize = blocks(app, &Theme::of(app), width as usize)
        .iter()
        .map(Vec::len)
        .sum();
    lines.max(1) as u16
}

fn title(app: &App, theme: &Theme) -> Line<'static> {
    let mut spans = vec![styled(" Findings ", theme.accent)];
    if let Ok(view) = &app.shown {
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
    }
    Line::from(spans)
}

/// The first finding shown, so that the selected one stays in view.
fn first_line(blocks: &[Vec<Line>], selected: usize, height: usize) -> usize {
    let start: usize = blocks.iter().take(selected).map(Vec::len).sum();
    let end = start + blocks.get(selected).map_or(0, Vec::len);
    end.saturating_sub(height).min(start)
}

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = pane(title(app, theme), app.pane == Pane::Findings, theme);
    let inner = block.inner(area);
    let blocks = blocks(app, theme, inner.width as usize);
    let skip = first_line(&blocks, app.selected_finding, inner.height as usize);
    let lines = if blocks.is_empty() && app.shown.is_ok() {
        vec![Line::styled(
            "no findings: the token keeps every rule",
            theme.ok,
        )]
    } else {
        blocks.into_iter().flatten().collect()
    };
    render_lines(frame, block, area, lines, skip as u16);
}

/// The finding under screen line `y` of a findings pane drawn in `area`.
pub fn finding_at(app: &App, area: Rect, y: u16) -> Option<usize> {
    let theme = Theme::of(app);
    let inner = pane(Line::default(), false, &theme).inner(area);
    if y < inner.y || y >= inner.bottom() {
        return None;
    }
    let blocks = blocks(app, &theme, inner.width as usize);
    let skip = first_line(&blocks, app.selected_finding, inner.height as usize);
    let mut line = skip + (y - inner.y) as usize;
    for (index, block) in blocks.iter().enumerate() {
        if line < block.len() {
            return Some(index);
        }
        line -= block.len();
    }
    None
}
