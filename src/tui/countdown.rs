//! The lifetime pane: a live countdown to expiry, a gauge of the lifetime left under it, and
//! what expiry means on this platform.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::App;
use super::layout::{format_time, pane, styled};
use super::text::wrap;
use super::theme::Theme;
use crate::duration::format_countdown;

/// (gauge ratio of the lifetime left, countdown text, whether expired), or `None` without exp.
fn countdown(app: &App) -> Option<(f64, String, bool)> {
    let view = app.shown.as_ref()?;
    let exp = view.expires_at?;
    let left = (exp - app.now).num_seconds();
    let ratio = match view.issued_at {
        Some(iat) if exp > iat => left as f64 / (exp - iat).num_seconds() as f64,
        _ => f64::from(u8::from(left > 0)),
    };
    let text = if left > 0 {
        format!("expires in {}", format_countdown(left))
    } else {
        format!("expired {} ago", format_countdown(left))
    };
    Some((ratio.clamp(0.0, 1.0), text, left <= 0))
}

/// What expiry does on the token's platform, from its lifetime model.
fn meaning(app: &App) -> Option<&'static str> {
    let id = app.shown.as_ref()?.report.platform?;
    crate::lifetime::model(id).map(|model| model.summary())
}

fn text_lines(app: &App, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match app.shown.as_ref().map(|v| v.expires_at) {
        Some(Some(exp)) => lines.push(Line::styled(
            format!("at {}", format_time(app, exp)),
            theme.dim,
        )),
        Some(None) => lines.push(Line::styled("the token has no expiry", theme.warning)),
        None => {}
    }
    if let Some(meaning) = meaning(app) {
        lines.extend(
            wrap(meaning, width, width)
                .into_iter()
                .map(|l| Line::styled(l, theme.label)),
        );
    }
    lines
}

pub fn height(app: &App, width: u16) -> u16 {
    2 + text_lines(app, &Theme::of(app), width as usize).len() as u16
}

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = pane(Line::from(styled(" Lifetime ", theme.accent)), false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let mut top = 0;
    if let Some((ratio, text, expired)) = countdown(app) {
        let text_style = if expired { theme.error } else { theme.text };
        frame.render_widget(
            Line::styled(text, text_style.add_modifier(Modifier::BOLD)),
            Rect::new(inner.x, inner.y, inner.width, 1),
        );
        top = 1;
        if inner.height > 1 {
            let style = if expired {
                theme.gauge_expired
            } else if ratio < 0.1 {
                theme.gauge_low
            } else {
                theme.gauge
            };
            // The text is on its own line above, so the bar carries none to read against it.
            let width = inner.width as usize;
            let filled = ((ratio * width as f64).round() as usize).min(width);
            let bar = Line::from(vec![
                styled("█".repeat(filled), style),
                styled("░".repeat(width - filled), theme.dim),
            ]);
            frame.render_widget(bar, Rect::new(inner.x, inner.y + 1, inner.width, 1));
            top = 2;
        }
    }
    let rest = Rect::new(
        inner.x,
        inner.y + top,
        inner.width,
        inner.height.saturating_sub(top),
    );
    let lines: Vec<Line> = text_lines(app, theme, inner.width as usize)
        .into_iter()
        .take(rest.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(lines), rest);
}
