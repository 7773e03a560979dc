//! The inspect box: paste or type a token, Enter to decode it.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::Clear;

use super::theme::Theme;
use super::{centered, pane, render_lines, styled, wrap};
use crate::tui::app::TextInput;

pub fn draw(theme: &Theme, frame: &mut Frame, area: Rect, input: &TextInput, error: Option<&str>) {
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
        "Paste a JWT or an OpenTok T1 token, then Enter. Esc closes.",
        width,
        width,
    )
    .into_iter()
    .map(|l| Line::styled(l, theme.dim))
    .collect();
    let error_lines: Vec<Line> = error
        .map(|e| wrap(e, width, width))
        .unwrap_or_default()
        .into_iter()
        .map(|l| Line::styled(l, theme.error))
        .collect();
    // The end of the text, where the cursor is, stays in view.
    let room = (inner.height as usize)
        .saturating_sub(lines.len() + error_lines.len())
        .max(1);
    let text: Vec<char> = input.text.chars().collect();
    let chunks: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.chunks(width.max(1))
            .map(|c| c.iter().collect())
            .collect()
    };
    let first = chunks.len().saturating_sub(room);
    let cursor_line = lines.len() + chunks.len() - 1 - first;
    let cursor_column = chunks.last().map_or(0, |c| c.chars().count());
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
