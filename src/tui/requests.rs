//! The local auth endpoint, as the workbench drives it (through the edge's handle), and the
//! requests pane: the port it listens on (editable), then what it answered, newest first —
//! time, route, client id, status and when the token it returned expires (or why it was refused).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::action::Effect;
use super::app::{App, Pane};
use super::editor::TextInput;
use super::layout::{Hits, Target, pane, render_lines, styled};
use super::text::{shown, truncate, window};
use super::theme::Theme;
use crate::duration::format_relative;
use crate::serve::{self, PlatformConfig, RequestRecord, ServeConfig};

/// The requests pane keeps this many, newest first; older ones go.
pub const REQUESTS_KEPT: usize = 200;

/// The endpoint's state, as the workbench knows it; the server itself lives at the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointState {
    Stopped,
    /// Asked to start; the edge answers with `ServeStarted`.
    Starting,
    Serving {
        url: String,
    },
    /// Asked to stop; the edge answers with `ServeStopped`.
    Stopping,
}

#[derive(Debug)]
pub struct Endpoint {
    pub state: EndpointState,
    /// The port the next start listens on: the one asked for, then the one it got (so a client
    /// keeps its URL across a stop and start).
    pub port: u16,
    /// Why the last start failed; the pane stays to let the port be changed.
    pub failed: Option<String>,
    /// The requests answered, newest first, at most [`REQUESTS_KEPT`].
    pub requests: Vec<RequestRecord>,
    /// The selected line: 0 is the port, then the requests.
    pub selected: usize,
    /// An input changed since the endpoint was last given the forms.
    pub forms_changed: bool,
}

impl Endpoint {
    pub fn new(port: u16) -> Self {
        Endpoint {
            state: EndpointState::Stopped,
            port,
            failed: None,
            requests: Vec::new(),
            selected: 0,
            forms_changed: false,
        }
    }

    pub fn is_serving(&self) -> bool {
        matches!(self.state, EndpointState::Serving { .. })
    }

    /// The request selected, when one is.
    pub fn selected_request(&self) -> Option<&RequestRecord> {
        self.selected
            .checked_sub(1)
            .and_then(|i| self.requests.get(i))
    }
}

impl App {
    /// Whether the requests pane is on screen: while the endpoint runs, after it ran or failed.
    pub fn requests_shown(&self) -> bool {
        self.endpoint.state != EndpointState::Stopped
            || !self.endpoint.requests.is_empty()
            || self.endpoint.failed.is_some()
    }

    /// What the endpoint mints with: every tab's form and credentials, on the workbench's clock.
    /// An input that does not read stops it, as it stops minting.
    pub fn serve_config(&self) -> Result<ServeConfig, String> {
        let mut platforms = Vec::new();
        for tab in &self.tabs {
            let id = tab.platform.id();
            if let Some((field, error)) = tab.input_errors.first() {
                return Err(format!("fix the {id} {field}: {error}"));
            }
            let credentials = tab
                .credentials()
                .ok_or_else(|| format!("fix the {id} secret"))?;
            platforms.push(PlatformConfig {
                platform: tab.platform,
                form: tab.form.clone(),
                credentials,
            });
        }
        Ok(ServeConfig {
            platforms,
            clock: self.clock.clone(),
        })
    }

    pub(super) fn toggle_serve(&mut self) -> Vec<Effect> {
        match self.endpoint.state {
            EndpointState::Stopped => match self.serve_config() {
                Ok(config) => {
                    self.endpoint.state = EndpointState::Starting;
                    self.endpoint.forms_changed = false;
                    self.set_status(
                        format!("opening port {} on loopback…", self.endpoint.port),
                        false,
                    );
                    vec![Effect::StartServe {
                        config,
                        port: self.endpoint.port,
                    }]
                }
                Err(error) => {
                    self.set_status(format!("the endpoint did not start: {error}"), true);
                    Vec::new()
                }
            },
            EndpointState::Serving { .. } => {
                self.endpoint.state = EndpointState::Stopping;
                vec![Effect::StopServe]
            }
            EndpointState::Starting | EndpointState::Stopping => Vec::new(),
        }
    }

    pub(super) fn serve_started(&mut self, result: Result<String, String>) {
        match result {
            Ok(url) => {
                let routes: Vec<String> = serve::routes()
                    .iter()
                    .map(|(_, route)| route.path.to_string())
                    .collect();
                if let Some(port) = url.rsplit(':').next().and_then(|p| p.parse().ok()) {
                    self.endpoint.port = port;
                }
                self.set_status(
                    format!("serving on {url} (Ctrl-S stops): {}", routes.join(", ")),
                    false,
                );
                self.endpoint.failed = None;
                self.endpoint.state = EndpointState::Serving { url };
            }
            Err(error) => {
                self.set_status(
                    format!(
                        "the endpoint did not start: {error} — change the port in the requests pane"
                    ),
                    true,
                );
                self.endpoint.failed = Some(error);
                self.endpoint.state = EndpointState::Stopped;
                self.endpoint.selected = 0;
            }
        }
    }

    pub(super) fn serve_stopped(&mut self) {
        self.endpoint.state = EndpointState::Stopped;
        self.set_status("endpoint stopped", false);
        if self.pane == Pane::Requests && !self.requests_shown() {
            self.pane = Pane::Form;
        }
    }

    /// The forms changed while serving: the endpoint gets them, unless one does not read.
    pub(super) fn reconfigure_serve(&mut self) -> Vec<Effect> {
        if !self.endpoint.is_serving() || !self.endpoint.forms_changed {
            return Vec::new();
        }
        self.endpoint.forms_changed = false;
        match self.serve_config() {
            Ok(config) => vec![Effect::ReconfigureServe(config)],
            Err(error) => {
                self.set_status(format!("the endpoint keeps its settings: {error}"), true);
                Vec::new()
            }
        }
    }

    /// New requests go on top. While the pane has focus the selected request stays selected;
    /// else the selection is the newest.
    pub(super) fn add_requests(&mut self, records: Vec<RequestRecord>) {
        let count = records.len();
        let endpoint = &mut self.endpoint;
        endpoint.requests.splice(0..0, records.into_iter().rev());
        endpoint.requests.truncate(REQUESTS_KEPT);
        endpoint.selected = if self.pane == Pane::Requests && endpoint.selected > 0 {
            endpoint.selected + count
        } else {
            1
        };
        endpoint.selected = endpoint.selected.min(endpoint.requests.len());
    }

    /// Enter on the requests pane: the port line edits the port; a request's token goes through
    /// inspect, as if pasted.
    pub(super) fn activate_request(&mut self) {
        if self.endpoint.selected == 0 {
            if self.endpoint.is_serving() {
                self.set_status("stop the endpoint (Ctrl-S) to change its port", false);
            } else {
                self.editing = Some(TextInput::at_end(self.endpoint.port.to_string()));
            }
            return;
        }
        let Some(record) = self.endpoint.selected_request() else {
            return;
        };
        match record.token.clone() {
            Some(token) => self.inspect(&token),
            None => {
                let why = record.error.as_deref().unwrap_or("no token in the answer");
                let text = format!(
                    "{} {} got no token ({}): {why}",
                    record.method, record.route, record.status
                );
                self.set_status(text, false);
            }
        }
    }

    /// The port as typed: digits only, 0 for any free port.
    pub(super) fn set_port(&mut self, text: &str) {
        match text.trim().parse::<u16>() {
            Ok(port) => {
                self.endpoint.port = port;
                self.endpoint.failed = None;
            }
            Err(_) => self.set_status(
                format!("'{text}' is not a port: use 1 to 65535, or 0 for any free port"),
                true,
            ),
        }
    }

    pub(super) fn select_request(&mut self, down: bool) {
        let last = self.endpoint.requests.len();
        self.endpoint.selected = if down {
            (self.endpoint.selected + 1).min(last)
        } else {
            self.endpoint.selected.saturating_sub(1)
        };
    }
}

// ---- drawing ----

const TIME: usize = 8;
const STATUS: usize = 3;
const GAP: &str = "  ";
/// Wider routes and client ids are cut: the expiry or error after them matters more.
const ROUTE_MAX: usize = 28;
const CLIENT_MAX: usize = 16;
/// Below this the client id column is left out.
const CLIENT_MIN: usize = 4;

/// Lines of the pane's body: the port, a column header and one line per request (or a hint).
pub fn height(app: &App) -> u16 {
    2 + app.endpoint.requests.len().max(1) as u16
}

/// What to try when nothing was asked yet.
fn hint() -> String {
    match serve::routes().first() {
        Some((_, route)) => format!(
            "no requests yet: try {} {}",
            route.methods.first().map_or("GET", |m| m.as_str()),
            route.path
        ),
        None => "no requests yet".into(),
    }
}

/// The widths of the route and client id columns at `width`; client `0` when it is left out.
fn widths(app: &App, width: usize) -> (usize, usize) {
    let requests = &app.endpoint.requests;
    let route = requests
        .iter()
        .map(|r| r.method.width() + 1 + shown(&r.route).width())
        .max()
        .unwrap_or(0)
        .clamp(7, ROUTE_MAX);
    let client = requests
        .iter()
        .map(|r| r.client_id.as_deref().map_or(1, |c| shown(c).width()))
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
        return styled(shown(error).into_owned(), theme.error);
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
    let request = format!("{} {}", record.method, shown(&record.route));
    let mut spans = vec![
        styled(format!("{time}{GAP}"), theme.dim),
        styled(format!("{}{GAP}", cell(&request, route)), theme.accent),
    ];
    if client > 0 {
        let id = record.client_id.as_deref().map_or("—".into(), shown);
        spans.push(styled(format!("{}{GAP}", cell(&id, client)), theme.text));
    }
    spans.push(styled(
        format!("{}{GAP}", cell(&record.status.to_string(), STATUS)),
        status_style(theme, record.status),
    ));
    spans.push(outcome(app, theme, record));
    Line::from(spans)
}

fn title(app: &App, theme: &Theme) -> Line<'static> {
    let state = match &app.endpoint.state {
        EndpointState::Serving { url } => format!("serving on {url} · Ctrl-S stops "),
        EndpointState::Starting => "starting… ".into(),
        EndpointState::Stopping => "stopping… ".into(),
        EndpointState::Stopped => "stopped · Ctrl-S serves ".into(),
    };
    Line::from(vec![
        styled(" Requests ", theme.accent),
        styled(state, theme.dim),
    ])
}

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, hits: &mut Hits) {
    hits.push(area, Target::Pane(Pane::Requests));
    let focused = app.pane == Pane::Requests;
    let block = pane(title(app, theme), focused, theme);
    let inner = block.inner(area);
    let width = inner.width as usize;
    let mut lines = Vec::new();
    let port_line = match (&app.editing, focused && app.endpoint.selected == 0) {
        (Some(input), true) => {
            let (visible, _) = window(
                input.as_str(),
                input.cursor_chars(),
                width.saturating_sub(6),
            );
            Line::from(vec![
                styled("port  ", theme.label),
                styled(visible, theme.text),
            ])
        }
        _ => {
            let mut spans = vec![
                styled("port  ", theme.label),
                styled(
                    match app.endpoint.port {
                        0 => "0 (any free port)".to_string(),
                        port => port.to_string(),
                    },
                    theme.text,
                ),
            ];
            if let Some(failed) = &app.endpoint.failed {
                spans.push(styled(format!("  ✗ {failed}"), theme.error));
            } else if !app.endpoint.is_serving() {
                spans.push(styled("  (Enter changes it)", theme.dim));
            }
            Line::from(spans)
        }
    };
    lines.push(if focused && app.endpoint.selected == 0 {
        port_line.style(theme.selected)
    } else {
        port_line
    });
    let (route, client) = widths(app, width);
    lines.push(header(app, theme, route, client));
    if app.endpoint.requests.is_empty() {
        lines.push(Line::styled(hint(), theme.dim));
    }
    for (index, record) in app.endpoint.requests.iter().enumerate() {
        let mut line = row(app, theme, record, route, client);
        if focused && index + 1 == app.endpoint.selected {
            line = line.style(theme.selected);
        }
        lines.push(line);
    }
    // The selected line stays in view; the port line and the header are always shown.
    let body = (inner.height as usize).saturating_sub(2);
    let skip = app
        .endpoint
        .selected
        .saturating_sub(body)
        .min(app.endpoint.requests.len().saturating_sub(body));
    if inner.height > 0 {
        hits.push(
            Rect::new(inner.x, inner.y, inner.width, 1),
            Target::Request(0),
        );
    }
    let mut shown_lines: Vec<Line> = lines.drain(..2.min(lines.len())).collect();
    for (offset, line) in lines.into_iter().skip(skip).take(body).enumerate() {
        hits.push(
            Rect::new(inner.x, inner.y + 2 + offset as u16, inner.width, 1),
            Target::Request(skip + offset + 1),
        );
        shown_lines.push(line);
    }
    render_lines(frame, block, area, shown_lines, 0);
}
