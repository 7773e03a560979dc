//! The form pane: the platform's fields, in its order, one row each (a room of the
//! permissions is a row; the focused room unfolds its operation toggles).

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use super::{pane, render_lines, styled, truncate, window, wrap};
use crate::duration::format_duration_compact;
use crate::findings::Field;
use crate::platform::CredentialSource;
use crate::tui::app::{App, Mode, Pane, PlatformState, Row};

/// Columns taken by the label, its marker and the gap after it.
const LABEL: usize = 11;
const MASK: &str = "••••••••";

fn label(state: &PlatformState, row: Row) -> &'static str {
    match row {
        Row::Field(Field::Role) => "role",
        Row::Field(Field::Topic) => "topic",
        Row::Field(Field::Password) => "password",
        Row::Field(Field::Expiry) => "expiry",
        Row::Field(Field::Data) => "data",
        Row::Field(Field::ClientId) => "client id",
        Row::Field(Field::Claims) => "claims",
        Row::Field(Field::Format) => "format",
        Row::Field(Field::Key) => "key",
        Row::Field(Field::Secret) => "secret",
        Row::Room(0) => "rooms",
        Row::AddRoom if state.form.permissions.is_empty() => "rooms",
        _ => "",
    }
}

/// Every line of the form for a pane `width` columns wide inside, each tagged with its row.
fn lines(app: &App, theme: &Theme, width: usize) -> Vec<(usize, Line<'static>)> {
    let state = app.current();
    let focused_pane = app.pane == Pane::Form;
    let value_width = width.saturating_sub(LABEL).max(1);
    let mut out = Vec::new();
    for (index, row) in state.rows().into_iter().enumerate() {
        let current = index == state.row.min(state.rows().len() - 1);
        let marker = if current { "▸" } else { " " };
        let label_style = if current { theme.accent } else { theme.label };
        let mut spans = vec![
            styled(marker, theme.accent),
            styled(
                format!("{:<w$}", label(state, row), w = LABEL - 1),
                label_style,
            ),
        ];
        spans.extend(value(app, state, row, current, value_width, theme));
        let mut line = Line::from(spans);
        if current && focused_pane {
            line = line.style(theme.selected);
        }
        out.push((index, line));
        let indent = " ".repeat(LABEL);
        let mut note = |text: &str, style| {
            for part in wrap(text, value_width, value_width) {
                out.push((
                    index,
                    Line::from(vec![Span::raw(indent.clone()), styled(part, style)]),
                ));
            }
        };
        if row == Row::Field(Field::Expiry) {
            note(
                &format!("limits: {}", state.platform.lifetime_limits()),
                theme.dim,
            );
        }
        if let Some(error) = state.input_error(row.field()) {
            note(&format!("✗ {error}"), theme.error);
        }
        if let (Row::Room(room), true) = (row, current && focused_pane) {
            for line in toggles(state, room, value_width, theme) {
                let mut spans = vec![Span::raw(indent.clone())];
                spans.extend(line);
                out.push((index, Line::from(spans)));
            }
        }
    }
    out
}

fn value(
    app: &App,
    state: &PlatformState,
    row: Row,
    current: bool,
    width: usize,
    theme: &Theme,
) -> Vec<Span<'static>> {
    if let (true, Mode::Editing(input)) = (current, &app.mode) {
        let text = if row == Row::Field(Field::Secret) && !app.reveal {
            "•".repeat(input.text.chars().count())
        } else {
            input.text.replace('\n', "⏎")
        };
        let (shown, _) = window(&text, input.cursor, width);
        return vec![styled(shown, theme.text)];
    }
    match row {
        Row::Field(Field::Role) | Row::Field(Field::Format) => {
            let choice = if row == Row::Field(Field::Role) {
                state.form.role.clone()
            } else if state.form.legacy_t1 {
                "legacy T1".to_string()
            } else {
                "JWT".to_string()
            };
            vec![
                styled("◂ ", theme.dim),
                styled(choice, theme.text),
                styled(" ▸", theme.dim),
            ]
        }
        Row::Field(Field::Secret) => {
            let source = match &state.source {
                Some(CredentialSource::Demo) => " demo",
                Some(CredentialSource::Environment) => " from env",
                Some(CredentialSource::Given(_)) => " given",
                None => " typed",
            };
            let shown = if app.reveal {
                truncate(
                    &state.secret_text.replace('\n', "⏎"),
                    width.saturating_sub(source.width()),
                )
            } else {
                MASK.to_string()
            };
            vec![styled(shown, theme.text), styled(source, theme.dim)]
        }
        Row::Room(room) => {
            let Some(permission) = state.form.permissions.get(room) else {
                return Vec::new();
            };
            let operations = if permission.operations.is_empty() {
                "(none)".to_string()
            } else {
                permission.operations.join(",")
            };
            let text = format!("{} → {operations}", permission.room);
            vec![styled(truncate(&text, width), theme.text)]
        }
        Row::AddRoom => vec![styled("+ add a room", theme.dim)],
        Row::Field(field) => {
            let text = state.text(row);
            if text.is_empty() {
                let placeholder = match field {
                    Field::Expiry => format!(
                        "(default: {})",
                        format_duration_compact(state.platform.default_ttl())
                    ),
                    Field::Claims => "(none: name=value; …)".into(),
                    _ => "(empty)".into(),
                };
                vec![styled(truncate(&placeholder, width), theme.dim)]
            } else {
                vec![styled(truncate(&text, width), theme.text)]
            }
        }
    }
}

/// The operation toggles of a room, wrapped to `width`; the one under the cursor stands out.
fn toggles(
    state: &PlatformState,
    room: usize,
    width: usize,
    theme: &Theme,
) -> Vec<Vec<Span<'static>>> {
    let granted = &state.form.permissions[room].operations;
    let mut lines = vec![Vec::new()];
    let mut used = 0;
    for (i, operation) in state.platform.operations().iter().enumerate() {
        let on = granted.iter().any(|g| g == operation);
        let text = format!("{}{operation}", if on { '✓' } else { '·' });
        let w = text.width() + 1;
        if used + w > width && used > 0 {
            lines.push(Vec::new());
            used = 0;
        }
        let style = if i == state.operation {
            theme.active_tab
        } else if on {
            theme.ok
        } else {
            theme.dim
        };
        let line = lines.last_mut().expect("starts with a line");
        line.push(styled(text, style));
        line.push(Span::raw(" "));
        used += w;
    }
    lines
}

/// Lines the form wants, for the layout.
pub fn height(app: &App) -> u16 {
    // The layout asks before it knows the width; a typical width gives a close answer.
    lines(app, &Theme::of(app), 36).len() as u16
}

/// The first line shown, so that the focused row (and what unfolds under it) stays in view.
fn first_line(lines: &[(usize, Line)], focused: usize, height: usize) -> usize {
    let last = lines
        .iter()
        .rposition(|(row, _)| *row == focused)
        .unwrap_or(0);
    let first = lines
        .iter()
        .position(|(row, _)| *row == focused)
        .unwrap_or(0);
    (last + 1).saturating_sub(height).min(first)
}

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let state = app.current();
    let title = Line::from(vec![
        styled(" ", theme.text),
        styled(state.platform.name(), theme.accent),
        styled(" ", theme.text),
    ]);
    let block = pane(title, app.pane == Pane::Form, theme);
    let inner = block.inner(area);
    let all = lines(app, theme, inner.width as usize);
    let skip = first_line(&all, state.row, inner.height as usize);
    if let (Mode::Editing(input), true) = (&app.mode, app.pane == Pane::Form) {
        let row_line = all
            .iter()
            .position(|(row, _)| *row == state.row)
            .unwrap_or(0);
        let text_len = input.text.chars().count();
        let (_, column) = window(
            &"x".repeat(text_len),
            input.cursor,
            (inner.width as usize).saturating_sub(LABEL).max(1),
        );
        let y = row_line.saturating_sub(skip);
        if y < inner.height as usize && LABEL + column < inner.width as usize {
            frame.set_cursor_position(Position::new(
                inner.x + (LABEL + column) as u16,
                inner.y + y as u16,
            ));
        }
    }
    render_lines(
        frame,
        block,
        area,
        all.into_iter().map(|(_, l)| l).collect(),
        skip as u16,
    );
}

/// The row under screen line `y` of a form pane drawn in `area`.
pub fn row_at(app: &App, area: Rect, y: u16) -> Option<usize> {
    let inner = pane(Line::default(), false, &Theme::of(app)).inner(area);
    if y < inner.y || y >= inner.bottom() {
        return None;
    }
    let all = lines(app, &Theme::of(app), inner.width as usize);
    let skip = first_line(&all, app.current().row, inner.height as usize);
    all.get(skip + (y - inner.y) as usize).map(|(row, _)| *row)
}
