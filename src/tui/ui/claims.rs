//! The claims pane: the header on one line, then the claims as JSON, each time claim followed
//! by its date (UTC or local) and how far from now it is.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use super::{pane, render_lines, styled};
use crate::report::annotated_claims;
use crate::tui::app::{App, Pane};

fn lines(app: &App, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let Ok(view) = &app.shown else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match &view.report.header {
        Some(header) => out.push(Line::from(vec![
            styled("header ", theme.label),
            styled(header.to_string(), theme.text),
        ])),
        None => out.push(Line::styled(
            "OpenTok T1: data fields and partner_id, no header",
            theme.label,
        )),
    }
    for (line, note) in annotated_claims(&view.report.claims, app.now, app.local_time) {
        let Some(note) = note else {
            out.push(Line::styled(line, theme.text));
            continue;
        };
        // Beside the claim when it fits, without the date when that makes it fit, else below.
        let short = note.split_once(' ').map_or(note.as_str(), |(_, rest)| rest);
        let beside = [note.as_str(), short]
            .into_iter()
            .find(|n| line.width() + 2 + n.width() <= width);
        if let Some(beside) = beside {
            out.push(Line::from(vec![
                styled(line, theme.text),
                styled(format!("  {beside}"), theme.accent),
            ]));
        } else {
            out.push(Line::styled(line, theme.text));
            out.push(Line::styled(format!("      ↳ {note}"), theme.accent));
        }
    }
    out
}

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
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
    let all = lines(app, theme, inner.width as usize);
    let max_skip = all.len().saturating_sub(inner.height as usize);
    let skip = if focused {
        (app.scroll as usize).min(max_skip)
    } else {
        0
    };
    render_lines(frame, block, area, all, skip as u16);
}
