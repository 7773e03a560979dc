//! The token pane: the token wrapped to the pane, then its length, algorithm and signature.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::theme::Theme;
use super::{pane, render_lines, styled, wrap};
use crate::token::Signature;
use crate::tui::app::{App, Origin, Pane};

/// The token cut into lines of `width` characters (a token is ASCII).
fn chunks(token: &str, width: usize) -> Vec<String> {
    token
        .as_bytes()
        .chunks(width.max(1))
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect()
}

/// The token's lines and the info lines under it (length, algorithm, signature).
fn lines(app: &App, theme: &Theme, width: usize) -> (Vec<Line<'static>>, Vec<Line<'static>>) {
    let view = match &app.shown {
        Err(error) => {
            let error = wrap(error, width, width)
                .into_iter()
                .map(|l| Line::styled(l, theme.error))
                .collect();
            return (error, Vec::new());
        }
        Ok(view) => view,
    };
    let token = chunks(&view.report.token, width)
        .into_iter()
        .map(|c| Line::styled(c, theme.text))
        .collect();
    let (mark, signature_style) = match view.report.signature {
        Signature::Valid => ("✓", theme.ok),
        Signature::Invalid => ("✗", theme.error),
        Signature::Unverified => ("?", theme.dim),
    };
    let info = format!("{} chars · {} · ", view.report.token.len(), view.algorithm);
    let signature = format!("{mark} signature {}", view.report.signature.label());
    let info = if info.chars().count() + signature.chars().count() <= width {
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
    (token, info)
}

pub fn height(app: &App, width: u16) -> u16 {
    let (token, info) = lines(app, &Theme::of(app), width as usize);
    (token.len() + info.len()) as u16
}

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let title = match &app.shown {
        Ok(view) => match view.origin {
            Origin::Minted => " Token ",
            Origin::Inspected { known: true } => " Token (inspected: edit the form to re-sign) ",
            Origin::Inspected { known: false } => " Token (inspected, read-only) ",
        },
        Err(_) => " Token ",
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
    let mut shown: Vec<Line> = token.into_iter().skip(skip).take(room).collect();
    shown.extend(info);
    render_lines(frame, block, area, shown, 0);
}
