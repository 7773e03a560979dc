//! The lifetime pane: a gauge of the lifetime left, a live countdown, and what expiry means on
//! this platform.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph};

use super::theme::Theme;
use super::{format_time, pane, styled, wrap};
use crate::duration::format_countdown;
use crate::lifetime::{Model, expiry_summary};
use crate::tui::app::App;

/// (gauge ratio of the lifetime left, countdown text, whether expired), or `None` without exp.
fn countdown(app: &App) -> Option<(f64, String, bool)> {
    let view = app.shown.as_ref().ok()?;
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

/// What expiry does on the token's platform, from the lifetime models.
fn meaning(app: &App) -> Option<&'static str> {
    let id = app.shown.as_ref().ok()?.report.platform?;
    Model::from_id(id).map(expiry_summary)
}

fn text_lines(app: &App, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match app.shown.as_ref().ok().and_then(|v| v.expires_at) {
        Some(exp) => lines.push(Line::styled(
            format!("at {}", format_time(app, exp)),
            theme.dim,
        )),
        None if app.shown.is_ok() => {
            lines.push(Line::styled("the token has no expiry", theme.warning))
        }
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
    1 + text_lines(app, &Theme::of(app), width as usize).len() as u16
}

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = pane(Line::from(styled(" Lifetime ", theme.accent)), false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let gauge_area = Rect::new(inner.x, inner.y, inner.width, 1);
    if let Some((ratio, text, expired)) = countdown(app) {
        let style = if expired {
            theme.gauge_expired
        } else if ratio < 0.1 {
            theme.gauge_low
        } else {
            theme.gauge
        };
        let gauge = Gauge::default()
            .gauge_style(style)
            .ratio(ratio)
            .label(styled(
                text,
                if expired {
                    theme.gauge_expired
                } else {
                    theme.text
                }
                .add_modifier(Modifier::BOLD),
            ))
            .use_unicode(true);
        frame.render_widget(gauge, gauge_area);
    }
    let rest = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
    let lines: Vec<Line> = text_lines(app, theme, inner.width as usize)
        .into_iter()
        .take(rest.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(lines), rest);
}
