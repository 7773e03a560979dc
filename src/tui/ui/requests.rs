//! The requests pane: what the local auth endpoint answered, newest first — time, route, client
//! id, status and when the token it returned expires (or why it was refused). The title says
//! where the endpoint listens, or that it stopped.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use super::{pane, render_lines, styled, truncate, wrap};
use crate::duration::format_relative;
use crate::serve::RequestRecord;
use crate::tui::app::{App, Endpoint, Pane};

const TIME: usize = 8;
const STATUS: usize = 3;
const GAP: &str = "  ";
/// Wider routes and client ids are cut: the expiry or error after them matters more.
const ROUTE_MAX: usize = 19;
const CLIENT_MAX: usize = 16;
/// Below this the client id column is left out.
const CLIENT_MIN: usize = 4;

/// Lines of the pane's body: a column header and one line per request, or a hint of two lines.
pub fn height(app: &App) -> u16 {
    1 + app.requests.len().max(1) as u16
}

/// What to try when nothing was asked yet.
const HINT: &str = "no requests yet: try GET /relaybox/auth?clientId=me or POST /zoom";

/// The widths of the route and client id columns at `width`; client `0` when it is left out.
fn widths(app: &App, width: usize) -> (usize, usize) {
    let route = app
        .requests
        .iter()
        .map(|r| r.method.width() + 1 + r.route.width())
        .max()
        .unwrap_or(0)
        .clamp(7, ROUTE_MAX);
    let client = app
        .requests
        .iter()
        .map(|r| r.client_id.as_deref().map_or(1, UnicodeWidthStr::width))
        .max()
        .unwrap_or(0)
        .clamp(6, CLIENT_MAX);
    // What the other columns need: time, route, status and a short expiry ("in 59m").
    let others = TIME + GAP.len() + route + GAP.len() + STATUS + GAP.len() + 7;
    let room = width.saturating_sub(others + GAP.len());
    let client = client.min(room);
    (route, if client >= CLIENT_MIN { client } else { 0 })
}

/// `text` cut or padded to exactly `width` columns.
fn cell(text: &str, width: usize) -> String {
    let cut = truncate(text, width);
    let pad = width.saturating_sub(cut.width());
    format!("{cut}{}", " ".repeat(pad))
}

fn header(app: &App, theme: &Theme, route: usize, client: usize) -> Line<'static> {
    let zone = if app.local_time { "local" } else { "UTC" };
    let mut text = format!("{}{GAP}{}", cell(zone, TIME), cell("request", route));
    if client > 0 {
        text.push_str(&format!("{GAP}{}", cell("client", client)));
    }
    text.push_str(&format!("{GAP}{}{GAP}expires", cell("st", STATUS)));
    Line::styled(text, theme.dim)
}

fn status_style(theme: &Theme, status: u16) -> Style {
    match status {
        200..=299 => theme.ok,
        400..=599 => theme.error,
        _ => theme.text,
    }
}

/// The last column: when the token expires, or why the request was refused.
fn outcome(app: &App, theme: &Theme, record: &RequestRecord) -> Span<'static> {
    if let Some(error) = &record.error {
        return styled(error.clone(), theme.error);
    }
    match record.expires_at {
        Some(at) if at > app.now => styled(format_relative(at, app.now), theme.text),
        Some(_) => styled("expired", theme.warning),
        None => styled("", theme.text),
    }
}

fn row(
    app: &App,
    theme: &Theme,
    record: &RequestRecord,
    route: usize,
    client: usize,
) -> Line<'static> {
    let time = if app.local_time {
        record.at.with_timezone(&chrono::Local).format("%H:%M:%S")
    } else {
        record.at.format("%H:%M:%S")
    };
    let request = format!("{} {}", record.method, record.route);
    let mut spans = vec![
        styled(format!("{time}{GAP}"), theme.dim),
        styled(format!("{}{GAP}", cell(&request, route)), theme.accent),
    ];
    if client > 0 {
        let id = record.client_id.as_deref().unwrap_or("—");
        spans.push(styled(format!("{}{GAP}", cell(id, client)), theme.text));
    }
    spans.push(styled(
        format!("{}{GAP}", cell(&record.status.to_string(), STATUS)),
        status_style(theme, record.status),
    ));
    spans.push(outcome(app, theme, record));
    Line::from(spans)
}

fn title(app: &App, theme: &Theme) -> Line<'static> {
    let state = match &app.endpoint {
        Endpoint::Serving { url } => url.clone(),
        Endpoint::Starting => "starting".into(),
        Endpoint::Stopping | Endpoint::Stopped => "endpoint stopped".into(),
    };
    Line::from(vec![
        styled(" Requests ", theme.accent),
        styled(format!("· {state} · {} ", app.requests.len()), theme.dim),
    ])
}

/// The first request shown, so that the selected one stays in view under the header.
fn first_row(app: &App, inner_height: u16) -> usize {
    let rows = usize::from(inner_height.saturating_sub(1)).max(1);
    if app.pane == Pane::Requests {
        (app.selected_request + 1).saturating_sub(rows)
    } else {
        0
    }
}

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let focused = app.pane == Pane::Requests;
    let block = pane(title(app, theme), focused, theme);
    let inner = block.inner(area);
    let (route, client) = widths(app, inner.width as usize);
    let skip = first_row(app, inner.height);
    if app.requests.is_empty() {
        let width = inner.width as usize;
        let lines = wrap(HINT, width, width)
            .into_iter()
            .map(|line| Line::styled(line, theme.dim))
            .collect();
        render_lines(frame, block, area, lines, 0);
        return;
    }
    let mut lines = vec![header(app, theme, route, client)];
    for (index, record) in app.requests.iter().enumerate().skip(skip) {
        let line = row(app, theme, record, route, client);
        lines.push(if focused && index == app.selected_request {
            line.style(theme.selected)
        } else {
            line
        });
    }
    render_lines(frame, block, area, lines, 0);
}

/// The request under screen line `y` of a requests pane drawn in `area`.
pub fn request_at(app: &App, area: Rect, y: u16) -> Option<usize> {
    let theme = Theme::of(app);
    let inner = pane(Line::default(), false, &theme).inner(area);
    // The first line of the body is the column header.
    if y <= inner.y || y >= inner.bottom() {
        return None;
    }
    let index = first_row(app, inner.height) + usize::from(y - inner.y - 1);
    (index < app.requests.len()).then_some(index)
}
