//! The `?` help: the key table, context by context, exactly as the keys are bound.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Clear;

use super::theme::Theme;
use super::{centered, pane, render_lines, styled};
use crate::tui::keymap::{Context, KEYS};

pub fn lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for context in Context::ALL {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(context.title(), theme.accent));
        for binding in KEYS.iter().filter(|b| b.context == context) {
            lines.push(Line::from(vec![
                styled(format!("  {:<11}", binding.label), theme.warning),
                styled(binding.description, theme.text),
            ]));
        }
    }
    lines
}

pub fn draw(theme: &Theme, frame: &mut Frame, area: Rect, scroll: u16) {
    let rect = centered(area, 72, area.height.saturating_sub(2).max(3));
    frame.render_widget(Clear, rect);
    let block = pane(
        Line::from(vec![
            styled(" Keys ", theme.accent),
            styled("↑/↓ scroll · ?/Esc close ", theme.dim),
        ]),
        true,
        theme,
    );
    let all = lines(theme);
    let max_skip = all.len().saturating_sub(block.inner(rect).height as usize);
    render_lines(frame, block, rect, all, scroll.min(max_skip as u16));
}
