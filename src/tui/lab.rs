//! The lifetime lab: a scenario edited like a form, played on the lifetime model of the shown
//! token's platform (or another platform's, to contrast) against the workbench's virtual clock;
//! and its screen: the scenario on the left; on the right the timeline with the clock's cursor,
//! what happens now, and the events, past ones bright and coming ones dim.
//!
//! Only the scenario's text is state; the timeline and the verdicts "now" are derived from it,
//! the shown token and the clock whenever they are drawn (the models are pure and cheap).

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::app::App;
use super::keymap::{KEYS, is_clock_key};
use super::layout::{Hits, Target, format_time, pane, render_lines, styled};
use super::text::{truncate, window, wrap};
use super::theme::Theme;
use crate::duration::parse_duration;
use crate::lifetime::{
    self, Confidence, Event, Playable, Scenario, ScenarioInput, Status, TokenTimes, Verdict,
    format_offset,
};
/// A row of the scenario form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabField {
    Model,
    JoinAt,
    DropAt,
    OfflineFor,
    ForceDisconnectAt,
    EndpointDownAt,
    EndpointUpAt,
    RenewAt,
}

/// The text rows, in order (the model row comes first and is a choice).
const TEXT_FIELDS: [LabField; 7] = [
    LabField::JoinAt,
    LabField::DropAt,
    LabField::OfflineFor,
    LabField::ForceDisconnectAt,
    LabField::EndpointDownAt,
    LabField::EndpointUpAt,
    LabField::RenewAt,
];

impl LabField {
    pub fn label(self) -> &'static str {
        match self {
            LabField::Model => "model",
            LabField::JoinAt => "join at",
            LabField::DropAt => "drop at",
            LabField::OfflineFor => "offline for",
            LabField::ForceDisconnectAt => "kick at",
            LabField::EndpointDownAt => "endpoint down",
            LabField::EndpointUpAt => "endpoint up",
            LabField::RenewAt => "renew at",
        }
    }

    /// Whether the field means anything on `model` (an endpoint outage where clients fetch
    /// their tokens, a renewal where tokens are renewed in place).
    fn applies(self, model: Playable) -> bool {
        let inputs = model.model.inputs();
        match self {
            LabField::EndpointDownAt | LabField::EndpointUpAt => {
                inputs.contains(&ScenarioInput::EndpointOutage)
            }
            LabField::RenewAt => inputs.contains(&ScenarioInput::Renewal),
            _ => true,
        }
    }

    fn index(self) -> usize {
        TEXT_FIELDS.iter().position(|f| *f == self).unwrap_or(0)
    }
}

/// The lab's own state: whether it is open, the model chosen, the scenario as typed, the row.
#[derive(Clone, Debug)]
pub struct Lab {
    /// A model chosen over the token's own platform (to contrast with another).
    pub chosen: Option<Playable>,
    texts: [String; 7],
    pub row: usize,
}

impl Default for Lab {
    fn default() -> Self {
        let mut texts: [String; 7] = Default::default();
        texts[LabField::JoinAt.index()] = "0s".into();
        Lab {
            chosen: None,
            texts,
            row: 0,
        }
    }
}

impl Lab {
    /// The model played: the chosen one, else the shown token's platform's.
    pub fn model(&self, platform: Option<&str>) -> Option<Playable> {
        self.chosen
            .or_else(|| platform.and_then(lifetime::playable_by_id))
    }

    /// The rows for `model`: the model choice, then the fields that apply to it.
    pub fn rows(&self, model: Option<Playable>) -> Vec<LabField> {
        std::iter::once(LabField::Model)
            .chain(
                TEXT_FIELDS
                    .into_iter()
                    .filter(|f| model.is_none_or(|m| f.applies(m))),
            )
            .collect()
    }

    pub fn current(&self, model: Option<Playable>) -> LabField {
        let rows = self.rows(model);
        rows[self.row.min(rows.len() - 1)]
    }

    pub fn move_row(&mut self, model: Option<Playable>, forward: bool) {
        let count = self.rows(model).len();
        self.row = if forward {
            (self.row + 1) % count
        } else {
            (self.row + count - 1) % count
        };
    }

    pub fn text(&self, field: LabField) -> &str {
        match field {
            LabField::Model => "",
            field => &self.texts[field.index()],
        }
    }

    pub fn set_text(&mut self, field: LabField, text: &str) {
        if field != LabField::Model {
            self.texts[field.index()] = text.to_string();
        }
    }

    /// Steps the model through every model, starting from the one played now.
    pub fn cycle_model(&mut self, playing: Option<Playable>, forward: bool) {
        let all = lifetime::playable();
        let at = playing.and_then(|m| all.iter().position(|x| *x == m));
        let next = match at {
            Some(i) if forward => (i + 1) % all.len(),
            Some(i) => (i + all.len() - 1) % all.len(),
            None => 0,
        };
        self.chosen = Some(all[next]);
    }

    /// The typed offset of a field in milliseconds; empty is `None`.
    fn offset(&self, field: LabField) -> Result<Option<i64>, String> {
        let text = self.text(field).trim();
        if text.is_empty() {
            return Ok(None);
        }
        parse_duration(text)
            .map(|s| Some(s.saturating_mul(1000)))
            .map_err(|e| format!("{}: {e}", field.label()))
    }

    /// The scenario as typed, or the first field that does not parse.
    pub fn scenario(&self, model: Playable) -> Result<Scenario, String> {
        let given = |field: LabField| -> Result<Option<i64>, String> {
            if field.applies(model) {
                self.offset(field)
            } else {
                Ok(None)
            }
        };
        Ok(Scenario {
            join_at: given(LabField::JoinAt)?,
            drop_at: given(LabField::DropAt)?,
            offline_for: given(LabField::OfflineFor)?.unwrap_or(0),
            force_disconnect_at: given(LabField::ForceDisconnectAt)?,
            endpoint_down_at: given(LabField::EndpointDownAt)?,
            endpoint_up_at: given(LabField::EndpointUpAt)?,
            renew_at: given(LabField::RenewAt)?,
            endpoint_tokens: Default::default(),
            until: None,
            seed: 0,
        })
    }
}

/// The lab's picture at one moment, derived for drawing.
pub struct Timeline {
    pub model: Playable,
    pub times: TokenTimes,
    pub events: Vec<Event>,
    /// The span drawn, from iat (0) to `end_ms`.
    pub end_ms: i64,
    /// The clock's place on the span.
    pub now_ms: i64,
    pub status: Status,
}

/// Plays the scenario for a token of these times, seen at `now`.
pub fn timeline(
    lab: &Lab,
    platform: Option<&str>,
    times: Option<TokenTimes>,
    now: DateTime<Utc>,
) -> Result<Timeline, String> {
    let model = lab
        .model(platform)
        .ok_or("choose a model (←/→): this token's platform has no lifetime model")?;
    let Some(times) = times else {
        return Err("the lab needs a token with an issue time and an expiry".into());
    };
    let scenario = lab.scenario(model)?;
    let now_ms = (now - times.iat).num_milliseconds();
    Ok(Timeline {
        model,
        events: model.model.simulate(&times, &scenario),
        end_ms: scenario.end(&times).max(now_ms),
        now_ms,
        status: model.model.status_at(&times, now_ms),
        times,
    })
}

// ---- drawing ----

const LABEL: usize = 15;

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, hits: &mut Hits) {
    let view = app.shown.as_ref();
    let picture = timeline(
        &app.lab,
        view.and_then(|v| v.report.platform),
        view.and_then(|v| v.times.clone()),
        app.now,
    );
    let scenario_height = app.lab.rows(picture.as_ref().ok().map(|t| t.model)).len() as u16 + 2;
    let (scenario, rest) = if area.width >= 70 {
        let width = (area.width / 3).clamp(30, 40);
        (
            Rect::new(area.x, area.y, width, area.height),
            Rect::new(area.x + width, area.y, area.width - width, area.height),
        )
    } else {
        let height = scenario_height.min(area.height);
        (
            Rect::new(area.x, area.y, area.width, height),
            Rect::new(area.x, area.y + height, area.width, area.height - height),
        )
    };
    draw_scenario(app, theme, frame, scenario, picture.as_ref().ok(), hits);
    match &picture {
        Ok(picture) => draw_picture(app, theme, frame, rest, picture),
        Err(reason) => render_lines(
            frame,
            pane(Line::styled(" Timeline ", theme.accent), false, theme),
            rest,
            vec![Line::styled(reason.clone(), theme.warning)],
            0,
        ),
    }
}

fn draw_scenario(
    app: &App,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    picture: Option<&Timeline>,
    hits: &mut Hits,
) {
    let model = picture.map(|t| t.model);
    let token_model = app.shown.as_ref().and_then(|v| v.report.platform);
    let rows = app.lab.rows(model);
    let current = app.lab.row.min(rows.len() - 1);
    let block = pane(Line::styled(" Lifetime lab ", theme.accent), true, theme);
    let inner = block.inner(area);
    let width = (inner.width as usize).saturating_sub(LABEL).max(1);
    let mut lines = Vec::new();
    for (index, field) in rows.iter().enumerate() {
        let focused = index == current;
        if (index as u16) < inner.height {
            hits.push(
                Rect::new(inner.x, inner.y + index as u16, inner.width, 1),
                Target::LabRow(index),
            );
        }
        let mut spans = vec![
            styled(if focused { "▸" } else { " " }, theme.accent),
            styled(
                format!("{:<width$}", field.label(), width = LABEL - 1),
                if focused { theme.selected } else { theme.label },
            ),
        ];
        match (field, &app.editing) {
            (LabField::Model, _) => {
                let name = model.map_or("(none)", |m| m.id);
                spans.extend([
                    styled("◂ ", theme.dim),
                    styled(name, theme.text),
                    styled(" ▸", theme.dim),
                ]);
                if model.is_some_and(|m| Some(m.id) == token_model) {
                    spans.push(styled(" (token's)", theme.dim));
                }
            }
            (_, Some(input)) if focused => {
                let (shown, column) = window(input.as_str(), input.cursor_chars(), width);
                spans.push(styled(shown, theme.text));
                let y = inner.y + index as u16;
                if y < inner.bottom() && (LABEL + column) < inner.width as usize {
                    frame.set_cursor_position(Position::new(inner.x + (LABEL + column) as u16, y));
                }
            }
            (field, _) => {
                let text = app.lab.text(*field);
                if text.is_empty() {
                    spans.push(styled("(none)", theme.dim));
                } else {
                    spans.push(styled(truncate(text, width), theme.text));
                }
            }
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        styled(format!("{:<LABEL$}", " clock"), theme.label),
        styled(clock_state(app), theme.text),
    ]));
    for binding in KEYS.iter().filter(|b| is_clock_key(b)) {
        let text = format!(" {:<4} {}", binding.label, binding.description);
        lines.push(Line::styled(
            truncate(&text, inner.width as usize),
            theme.dim,
        ));
    }
    lines.push(Line::default());
    for line in wrap(
        "Offsets count from the token's iat.",
        inner.width as usize,
        inner.width as usize,
    ) {
        lines.push(Line::styled(line, theme.dim));
    }
    render_lines(frame, block, area, lines, 0);
}

fn clock_state(app: &App) -> String {
    let running = if app.clock.is_paused() {
        "paused"
    } else {
        "running"
    };
    format!("×{} {running}", app.clock.speed())
}

fn draw_picture(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, picture: &Timeline) {
    let axis_height = 6.min(area.height);
    let verdict_width = area.width.saturating_sub(2) as usize;
    let verdicts = verdict_lines(theme, picture, verdict_width);
    let now_height = (verdicts.len() as u16 + 2).min(area.height - axis_height);
    let axis = Rect::new(area.x, area.y, area.width, axis_height);
    let now = Rect::new(area.x, area.y + axis_height, area.width, now_height);
    let events = Rect::new(
        area.x,
        now.bottom(),
        area.width,
        area.bottom() - now.bottom(),
    );
    let title = format!(
        " Timeline · {} · iat → {} ",
        picture.model.id,
        format_offset(picture.end_ms)
    );
    render_lines(
        frame,
        pane(Line::styled(title, theme.accent), false, theme),
        axis,
        axis_lines(theme, picture, axis.width.saturating_sub(2) as usize),
        0,
    );
    if now.height > 0 {
        let title = format!(
            " At {} ({}), with no outage ",
            format_offset(picture.now_ms),
            format_time(app, app.now)
        );
        render_lines(
            frame,
            pane(Line::styled(title, theme.accent), false, theme),
            now,
            verdicts,
            0,
        );
    }
    if events.height > 2 {
        let (lines, skip) = event_lines(
            theme,
            picture,
            events.width.saturating_sub(2) as usize,
            events.height.saturating_sub(2) as usize,
        );
        render_lines(
            frame,
            pane(Line::styled(" Events ", theme.accent), false, theme),
            events,
            lines,
            skip,
        );
    }
}

/// The column of offset `t_ms` on an axis `width` columns wide spanning 0…`end_ms`.
fn column(t_ms: i64, end_ms: i64, width: usize) -> usize {
    if width <= 1 || end_ms <= 0 {
        return 0;
    }
    let t = t_ms.clamp(0, end_ms) as i128;
    ((t * (width as i128 - 1) + end_ms as i128 / 2) / end_ms as i128) as usize
}

/// The one-letter mark of an event on the axis.
fn mark(event: &str) -> char {
    match event {
        "join" | "rejoin" => 'J',
        "exp" => 'E',
        "refresh" => 'R',
        "refresh-failed" => 'r',
        "drop" => 'D',
        "reconnect" | "reconnect-attempt" => 'C',
        "kicked" | "force-disconnect" => 'K',
        "token-privilege-will-expire" => 'W',
        "auth-token-expired" | "reauthenticating" => 'A',
        _ => '•',
    }
}

fn axis_lines(theme: &Theme, picture: &Timeline, width: usize) -> Vec<Line<'static>> {
    if width < 4 {
        return Vec::new();
    }
    let at = |t: i64| column(t, picture.end_ms, width);
    let mut marks: Vec<(char, Style)> = vec![(' ', theme.text); width];
    for event in &picture.events {
        let style = if event.t_ms <= picture.now_ms {
            event_style(theme, event)
        } else {
            theme.dim
        };
        marks[at(event.t_ms)] = (mark(event.event), style);
    }
    let exp_ms = picture.times.ttl_ms();
    let mut axis: Vec<(char, Style)> = vec![('─', theme.dim); width];
    axis[0] = ('├', theme.dim);
    axis[width - 1] = ('┤', theme.dim);
    axis[at(exp_ms)] = ('┃', theme.error);
    axis[at(picture.now_ms)] = ('▲', theme.accent);
    let mut labels = vec![' '; width];
    let mut put = |column: usize, text: &str| {
        let start = column.min(width.saturating_sub(text.chars().count()));
        for (i, c) in text.chars().enumerate() {
            if let Some(slot) = labels.get_mut(start + i) {
                *slot = c;
            }
        }
    };
    put(0, "iat");
    put(at(exp_ms).saturating_sub(1), "exp");
    let now_label = format!("now {}", format_offset(picture.now_ms));
    let mut legend: Vec<String> = Vec::new();
    for event in &picture.events {
        let entry = format!("{} {}", mark(event.event), event.event);
        if !legend.contains(&entry) {
            legend.push(entry);
        }
    }
    let to_line = |cells: Vec<(char, Style)>| {
        Line::from(
            cells
                .into_iter()
                .map(|(c, s)| Span::styled(c.to_string(), s))
                .collect::<Vec<_>>(),
        )
    };
    let mut lines = vec![
        to_line(marks),
        to_line(axis),
        Line::styled(labels.into_iter().collect::<String>(), theme.dim),
    ];
    let mut cursor_line = vec![' '; width];
    let start = at(picture.now_ms).min(width.saturating_sub(now_label.chars().count()));
    for (i, c) in now_label.chars().enumerate() {
        if let Some(slot) = cursor_line.get_mut(start + i) {
            *slot = c;
        }
    }
    lines.push(Line::styled(
        cursor_line.into_iter().collect::<String>(),
        theme.accent,
    ));
    lines.extend(
        wrap(&legend.join("  "), width, width)
            .into_iter()
            .take(1)
            .map(|l| Line::styled(l, theme.dim)),
    );
    lines
}

fn verdict_lines(theme: &Theme, picture: &Timeline, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (who, verdict) in [
        ("A client joining now", &picture.status.joining),
        ("A client already connected", &picture.status.connected),
    ] {
        lines.extend(verdict_line(theme, who, verdict, width));
    }
    lines
}

fn verdict_line(theme: &Theme, who: &str, verdict: &Verdict, width: usize) -> Vec<Line<'static>> {
    let style = if verdict.in_session {
        theme.ok
    } else {
        theme.error
    };
    let text = format!(
        "{who}: {} [{}]",
        verdict.outcome,
        confidence(verdict.confidence)
    );
    wrap(&text, width, width.saturating_sub(2))
        .into_iter()
        .enumerate()
        .map(|(i, l)| Line::styled(if i == 0 { l } else { format!("  {l}") }, style))
        .collect()
}

fn confidence(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::Documented => "documented",
        Confidence::SdkCode => "seen in SDK code",
        Confidence::Unconfirmed => "unconfirmed",
    }
}

fn event_style(theme: &Theme, event: &Event) -> Style {
    match event.event {
        "kicked" | "reconnect-failed" | "refused" => theme.error,
        "refresh-failed" | "token-privilege-will-expire" | "auth-token-expired" => theme.warning,
        _ if event.outcome.starts_with("refused") => theme.error,
        _ => theme.text,
    }
}

/// The events as lines, and how many to skip so the latest past event stays in view.
fn event_lines(
    theme: &Theme,
    picture: &Timeline,
    width: usize,
    height: usize,
) -> (Vec<Line<'static>>, u16) {
    let latest = picture
        .events
        .iter()
        .rposition(|e| e.t_ms <= picture.now_ms);
    let mut lines = Vec::new();
    let mut latest_line = 0;
    for (index, event) in picture.events.iter().enumerate() {
        let past = event.t_ms <= picture.now_ms;
        let style = match (Some(index) == latest, past) {
            (true, _) => theme.selected,
            (false, true) => event_style(theme, event),
            (false, false) => theme.dim,
        };
        if Some(index) == latest {
            latest_line = lines.len();
        }
        let head = format!(
            "{:>10} {:<14} {:<11} ",
            format_offset(event.t_ms),
            truncate(event.event, 14),
            event.confidence.as_str()
        );
        let head_width = head.chars().count();
        let indent = head_width.min(width / 2);
        for (i, text) in wrap(
            &event.outcome,
            width.saturating_sub(head_width),
            width.saturating_sub(indent),
        )
        .into_iter()
        .enumerate()
        {
            let lead = if i == 0 {
                head.clone()
            } else {
                " ".repeat(indent)
            };
            lines.push(Line::styled(
                truncate(&format!("{lead}{text}"), width),
                style,
            ));
        }
    }
    let skip = (latest_line + 3).saturating_sub(height).min(latest_line);
    (lines, skip as u16)
}
