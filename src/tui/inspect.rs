//! The inspect box: paste or type a token (or an endpoint's answer, or a URL carrying one),
//! Enter to decode it.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::Clear;

use super::editor::TextInput;
use super::layout::{centered, pane, render_lines, styled};
use super::text::{cells, shown, wrap};
use super::theme::Theme;

/// The box's state: what is typed, and why the last try was not a token.
#[derive(Debug, Default)]
pub struct InspectBox {
    pub input: TextInput,
    pub error: Option<String>,
}

pub fn draw(theme: &Theme, frame: &mut Frame, area: Rect, inspect: &InspectBox) {
    let rect = centered(area, area.width.saturating_sub(8).max(20), 10);
    frame.render_widget(Clear, rect);
    let block = pane(
        Line::from(styled(" Inspect a token ", theme.accent)),
        true,
        theme,
    );
    let inner = block.inner(rect);
    let width = inner.width as usize;
    let mut lines: Vec<Line> = wrap(
        "Paste a token (or an endpoint's JSON answer, or a URL with ?token=), then Enter. Esc closes.",
        width,
        width,
    )
    .into_iter()
    .map(|l| Line::styled(l, theme.dim))
    .collect();
    let error_lines: Vec<Line> = inspect
        .error
        .as_deref()
        .map(|e| wrap(e, width, width))
        .unwrap_or_default()
        .into_iter()
        .map(|l| Line::styled(l, theme.error))
        .collect();
    // The end of the text, where the cursor is, stays in view.
    let room = (inner.height as usize)
        .saturating_sub(lines.len() + error_lines.len())
        .max(1);
    let text = shown(inspect.input.as_str()).into_owned();
    let mut chunks: Vec<String> = vec![String::new()];
    let mut used = 0;
    for c in text.chars() {
        if used + cells(c) > width.max(1) {
            chunks.push(String::new());
            used = 0;
        }
        used += cells(c);
        if let Some(last) = chunks.last_mut() {
            last.push(c);
        }
    }
    let first = chunks.len().saturating_sub(room);
    let cursor_line = lines.len() + chunks.len() - 1 - first;
    let cursor_column: usize = chunks.last().map_or(0, |c| c.chars().map(cells).sum());
    lines.extend(
        chunks[first..]
            .iter()
            .map(|c| Line::styled(c.clone(), theme.text)),
    );
    lines.extend(error_lines);
    if cursor_line < inner.height as usize && cursor_column < width {
        frame.set_cursor_position(Position::new(
            inner.x + cursor_column as u16,
            inner.y + cursor_line as u16,
        ));
    }
    render_lines(frame, block, rect, lines, 0);
}
