//! The help: the key table, context by context, exactly as the keys are bound.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Clear;

use super::keymap::{Context, KEYS};
use super::layout::{centered, pane, render_lines, styled};
use super::theme::Theme;

pub fn lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        "On a text field, printable keys type: commands are Ctrl or F keys, and the letters below work where nothing is typed.",
        theme.dim,
    )];
    for context in Context::ALL {
        lines.push(Line::default());
        lines.push(Line::styled(context.title(), theme.accent));
        for binding in KEYS.iter().filter(|b| b.context == context) {
            lines.push(Line::from(vec![
                styled(format!("  {:<13}", binding.label), theme.warning),
                styled(binding.description, theme.text),
            ]));
        }
    }
    lines
}

/// Draws the help over `area`; returns where.
pub fn draw(theme: &Theme, frame: &mut Frame, area: Rect, scroll: u16) -> Rect {
    let rect = centered(area, 84, area.height.saturating_sub(2).max(3));
    frame.render_widget(Clear, rect);
    let block = pane(
        Line::from(vec![
            styled(" Keys ", theme.accent),
            styled("↑/↓ scroll · F1/Esc close ", theme.dim),
        ]),
        true,
        theme,
    );
    let width = block.inner(rect).width as usize;
    let all: Vec<Line> = lines(theme)
        .into_iter()
        .flat_map(|line| {
            // Long lines wrap rather than being cut.
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            if text.chars().count() <= width {
                vec![line]
            } else {
                let style = line.spans.first().map(|s| s.style).unwrap_or_default();
                super::text::wrap(&text, width, width)
                    .into_iter()
                    .map(|l| Line::styled(l, style))
                    .collect()
            }
        })
        .collect();
    let max_skip = all.len().saturating_sub(block.inner(rect).height as usize);
    render_lines(frame, block, rect, all, scroll.min(max_skip as u16));
    rect
}
