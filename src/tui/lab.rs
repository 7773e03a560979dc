//! The lifetime lab: a scenario edited like a form, played on the lifetime model of the shown
//! token's platform (or another's, and others beside it) against the workbench's virtual
//! clock; and its screen: the scenario on the left; on the right the picture (a lane per
//! actor on one time axis, with a legend and the clock's cursor), what happens now in this
//! scenario, and the events, scrollable, with Enter moving the clock to one.
//!
//! Only the scenario's text and choices are state; the timelines, the picture and the words
//! "now" are derived from them, the shown token and the clock whenever they are drawn (the
//! models are pure and cheap).

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::action::Action;
use super::app::App;
use super::keymap::{Context, KEYS, is_clock_key};
use super::layout::{Hits, Target, format_time, pane, render_lines, styled};
use super::text::{truncate, window, wrap};
use super::theme::Theme;
use crate::duration::{format_duration_compact, parse_duration};
use crate::lifetime::picture::{Bar, ClientNow, LaneKind, Mark, Picture, Played};
use crate::lifetime::{
    self, Confidence, EndpointTokens, Event, Playable, Presence, Scenario, ScenarioInput,
    TokenTimes, Verdict, format_offset,
};

/// A row of the scenario form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabField {
    Model,
    /// Models played beside the first, on the same token and scenario.
    Beside,
    JoinAt,
    DropAt,
    OfflineFor,
    ForceDisconnectAt,
    EndpointDownAt,
    EndpointUpAt,
    EndpointTokens,
    RenewAt,
}

/// The rows, in order.
const FIELDS: [LabField; 10] = [
    LabField::Model,
    LabField::Beside,
    LabField::JoinAt,
    LabField::DropAt,
    LabField::OfflineFor,
    LabField::ForceDisconnectAt,
    LabField::EndpointDownAt,
    LabField::EndpointUpAt,
    LabField::EndpointTokens,
    LabField::RenewAt,
];

/// The rows typed as offsets.
const TEXT_FIELDS: [LabField; 7] = [
    LabField::JoinAt,
    LabField::DropAt,
    LabField::OfflineFor,
    LabField::ForceDisconnectAt,
    LabField::EndpointDownAt,
    LabField::EndpointUpAt,
    LabField::RenewAt,
];

/// At most this many models beside the first.
const MAX_BESIDE: usize = 2;

impl LabField {
    pub fn label(self) -> &'static str {
        match self {
            LabField::Model => "model",
            LabField::Beside => "beside",
            LabField::JoinAt => "join at",
            LabField::DropAt => "drop at",
            LabField::OfflineFor => "offline for",
            LabField::ForceDisconnectAt => "kick at",
            LabField::EndpointDownAt => "endpoint down",
            LabField::EndpointUpAt => "endpoint up",
            LabField::EndpointTokens => "endpoint gives",
            LabField::RenewAt => "renew at",
        }
    }

    /// Whether the row is typed (else it is a choice).
    pub fn is_text(self) -> bool {
        TEXT_FIELDS.contains(&self)
    }

    /// Whether the field means anything on `model` (an endpoint outage where clients fetch
    /// their tokens, a renewal where tokens are renewed in place).
    fn applies(self, model: Playable) -> bool {
        let inputs = model.model.inputs();
        match self {
            LabField::EndpointDownAt | LabField::EndpointUpAt => {
                inputs.contains(&ScenarioInput::EndpointOutage)
            }
            LabField::EndpointTokens => inputs.contains(&ScenarioInput::EndpointTokens),
            LabField::RenewAt => inputs.contains(&ScenarioInput::Renewal),
            _ => true,
        }
    }

    fn index(self) -> usize {
        TEXT_FIELDS.iter().position(|f| *f == self).unwrap_or(0)
    }
}

/// Where the lab's keys go: the scenario's rows, or the events list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabFocus {
    Scenario,
    Events,
}

/// The lab's own state: the models chosen, the scenario as typed, the row or event in focus.
#[derive(Clone, Debug)]
pub struct Lab {
    /// A model chosen over the token's own platform (to contrast with another).
    pub chosen: Option<Playable>,
    /// Models played beside it, in the order they were added.
    pub beside: Vec<Playable>,
    /// The model the beside row points at (Enter adds or removes it).
    beside_cursor: usize,
    texts: [String; 7],
    pub endpoint_tokens: EndpointTokens,
    pub row: usize,
    pub focus: LabFocus,
    /// The event chosen in the events list (an index into the first model's timeline).
    pub event: usize,
}

impl Default for Lab {
    fn default() -> Self {
        let mut texts: [String; 7] = Default::default();
        texts[LabField::JoinAt.index()] = "0s".into();
        Lab {
            chosen: None,
            beside: Vec::new(),
            beside_cursor: 0,
            texts,
            endpoint_tokens: EndpointTokens::Fresh,
            row: 0,
            focus: LabFocus::Scenario,
            event: 0,
        }
    }
}

impl Lab {
    /// The model played: the chosen one, else the shown token's platform's.
    pub fn model(&self, platform: Option<&str>) -> Option<Playable> {
        self.chosen
            .or_else(|| platform.and_then(lifetime::playable_by_id))
    }

    /// The rows for `model`: the model choice, then the fields that apply to it (with models
    /// beside it, a field applies when it applies to any of them).
    pub fn rows(&self, model: Option<Playable>) -> Vec<LabField> {
        FIELDS
            .into_iter()
            .filter(|f| match model {
                None => matches!(f, LabField::Model),
                Some(m) => self.models(m).into_iter().any(|m| f.applies(m)),
            })
            .collect()
    }

    /// `first` and the models beside it.
    pub fn models(&self, first: Playable) -> Vec<Playable> {
        std::iter::once(first)
            .chain(self.beside.iter().copied().filter(|m| *m != first))
            .collect()
    }

    pub fn current(&self, model: Option<Playable>) -> LabField {
        let rows = self.rows(model);
        rows[self.row.min(rows.len() - 1)]
    }

    pub fn move_row(&mut self, model: Option<Playable>, forward: bool) {
        let count = self.rows(model).len();
        self.row = self.row.min(count - 1);
        self.row = if forward {
            (self.row + 1) % count
        } else {
            (self.row + count - 1) % count
        };
    }

    pub fn text(&self, field: LabField) -> &str {
        if field.is_text() {
            &self.texts[field.index()]
        } else {
            ""
        }
    }

    pub fn set_text(&mut self, field: LabField, text: &str) {
        if field.is_text() {
            self.texts[field.index()] = text.to_string();
        }
    }

    /// ← / → on a choice row: the model, the model beside, what the endpoint gives.
    pub fn cycle(&mut self, field: LabField, playing: Option<Playable>, forward: bool) {
        let all = lifetime::playable();
        let step = |at: usize| {
            if forward {
                (at + 1) % all.len()
            } else {
                (at + all.len() - 1) % all.len()
            }
        };
        match field {
            LabField::Model => {
                let at = playing.and_then(|m| all.iter().position(|x| *x == m));
                let next = at.map_or(0, step);
                self.chosen = Some(all[next]);
                self.beside.retain(|m| *m != all[next]);
            }
            LabField::Beside => {
                // Step from the model shown, which may have skipped the one played.
                let shown = self.beside_candidate(playing);
                let at = all.iter().position(|m| *m == shown).unwrap_or(0);
                self.beside_cursor = step(at);
                if Some(all[self.beside_cursor]) == playing {
                    self.beside_cursor = step(self.beside_cursor);
                }
            }
            LabField::EndpointTokens => {
                self.endpoint_tokens = match self.endpoint_tokens {
                    EndpointTokens::Fresh => EndpointTokens::Cached,
                    EndpointTokens::Cached => EndpointTokens::Fresh,
                }
            }
            _ => {}
        }
    }

    /// The model the beside row points at: from its cursor on, the first that is not the one
    /// played.
    pub fn beside_candidate(&self, playing: Option<Playable>) -> Playable {
        let all = lifetime::playable();
        let from = self.beside_cursor.min(all.len() - 1);
        (0..all.len())
            .map(|i| all[(from + i) % all.len()])
            .find(|m| Some(*m) != playing)
            .unwrap_or(all[from])
    }

    /// Enter on the beside row: adds the model it points at, or takes it away; the oldest
    /// goes when there is no more room.
    pub fn toggle_beside(&mut self, playing: Option<Playable>) {
        let candidate = self.beside_candidate(playing);
        if Some(candidate) == playing {
            return;
        }
        if let Some(at) = self.beside.iter().position(|m| *m == candidate) {
            self.beside.remove(at);
        } else {
            if self.beside.len() == MAX_BESIDE {
                self.beside.remove(0);
            }
            self.beside.push(candidate);
        }
    }

    /// The typed offset of a field in milliseconds; empty is `None`.
    fn offset(&self, field: LabField) -> Result<Option<i64>, String> {
        let text = self.text(field).trim();
        if text.is_empty() {
            return Ok(None);
        }
        parse_duration(text)
            .map(|s| Some(s.saturating_mul(1000)))
            .map_err(|e| e.to_string())
    }

    /// Why a typed field does not parse, if it does not.
    pub fn error(&self, field: LabField) -> Option<String> {
        self.offset(field).err()
    }

    /// The scenario as typed for `models`; a field that does not parse (its error is shown
    /// beside it) or applies to none of them is left out.
    pub fn scenario(&self, models: &[Playable]) -> Scenario {
        let given = |field: LabField| -> Option<i64> {
            if models.iter().any(|m| field.applies(*m)) {
                self.offset(field).ok().flatten()
            } else {
                None
            }
        };
        Scenario {
            join_at: given(LabField::JoinAt),
            drop_at: given(LabField::DropAt),
            offline_for: given(LabField::OfflineFor).unwrap_or(0),
            force_disconnect_at: given(LabField::ForceDisconnectAt),
            endpoint_down_at: given(LabField::EndpointDownAt),
            endpoint_up_at: given(LabField::EndpointUpAt),
            renew_at: given(LabField::RenewAt),
            endpoint_tokens: self.endpoint_tokens,
            until: None,
            seed: 0,
        }
    }
}

/// The lab's picture at one moment, derived for drawing.
pub struct Timeline {
    /// The first model and those beside it, each with its timeline.
    pub played: Vec<Played>,
    pub times: TokenTimes,
    pub picture: Picture,
    /// The clock's place on the axis.
    pub now_ms: i64,
    /// The first model's scenario client now, and a client joining now, per model.
    pub now: Vec<(Playable, ClientNow, Verdict)>,
}

impl Timeline {
    pub fn model(&self) -> Playable {
        self.played[0].model
    }

    pub fn events(&self) -> &[Event] {
        &self.played[0].events
    }

    /// The latest event at or before now, the one the list highlights.
    pub fn current_event(&self) -> Option<usize> {
        self.events().iter().rposition(|e| e.t_ms <= self.now_ms)
    }
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
    let models = lab.models(model);
    let scenario = lab.scenario(&models);
    let now_ms = (now - times.iat).num_milliseconds();
    let played: Vec<Played> = models
        .iter()
        .map(|m| Played {
            model: *m,
            events: m.model.simulate(&times, &scenario),
        })
        .collect();
    let end_ms = scenario.end(&times).max(now_ms);
    let picture = Picture::of(&times, &scenario, &played, end_ms);
    let now = played
        .iter()
        .map(|p| {
            (
                p.model,
                lifetime::picture::client_at(&p.events, &scenario, now_ms),
                lifetime::picture::joining_at(p.model.model, &times, &scenario, now_ms),
            )
        })
        .collect();
    Ok(Timeline {
        played,
        times,
        picture,
        now_ms,
        now,
    })
}

/// The lab's timeline for the app as it stands.
pub fn timeline_of(app: &App) -> Result<Timeline, String> {
    let view = app.shown.as_ref();
    timeline(
        &app.lab,
        view.and_then(|v| v.report.platform),
        view.and_then(|v| v.times.clone()),
        app.now,
    )
}

/// The instant of the chosen event, for Enter on the events list.
pub fn chosen_instant(app: &App) -> Option<DateTime<Utc>> {
    let timeline = timeline_of(app).ok()?;
    let event = timeline.events().get(app.lab.event)?;
    Some(timeline.times.at(event.t_ms))
}

/// Moves the chosen event by one; the first move from the scenario starts at the current one.
pub fn move_event(app: &mut App, down: bool) {
    let Ok(timeline) = timeline_of(app) else {
        return;
    };
    let count = timeline.events().len();
    if count == 0 {
        return;
    }
    let at = app.lab.event.min(count - 1);
    app.lab.event = if down {
        (at + 1).min(count - 1)
    } else {
        at.saturating_sub(1)
    };
}

/// F6 in the lab: between the scenario and the events (which start at the current event).
pub fn toggle_focus(app: &mut App) {
    app.lab.focus = match app.lab.focus {
        LabFocus::Scenario => {
            if let Ok(timeline) = timeline_of(app) {
                app.lab.event = timeline.current_event().unwrap_or(0);
            }
            LabFocus::Events
        }
        LabFocus::Events => LabFocus::Scenario,
    };
}

// ---- drawing ----

/// The scenario's label column.
const LABEL: usize = 16;

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, hits: &mut Hits) {
    let picture = timeline_of(app);
    let model = app.lab_model();
    let scenario_height = app.lab.rows(model).len() as u16 + 2;
    let (scenario, rest) = if area.width >= 70 {
        let width = if area.width >= 110 { 38 } else { 30 };
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
    draw_scenario(app, theme, frame, scenario, model, hits);
    match &picture {
        Ok(picture) => draw_picture(app, theme, frame, rest, picture, hits),
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
    model: Option<Playable>,
    hits: &mut Hits,
) {
    let token_model = app.shown.as_ref().and_then(|v| v.report.platform);
    let rows = app.lab.rows(model);
    let current = app.lab.row.min(rows.len() - 1);
    let focused_pane = app.lab.focus == LabFocus::Scenario;
    let block = pane(
        Line::styled(" Lifetime lab ", theme.accent),
        focused_pane,
        theme,
    );
    let inner = block.inner(area);
    let inner_width = inner.width as usize;
    let width = inner_width.saturating_sub(LABEL).max(1);
    let mut lines: Vec<Line> = Vec::new();
    for (index, field) in rows.iter().enumerate() {
        let focused = focused_pane && index == current;
        let y = lines.len() as u16;
        if y < inner.height {
            hits.push(
                Rect::new(inner.x, inner.y + y, inner.width, 1),
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
        let mut notes: Vec<(String, Style)> = Vec::new();
        match (field, &app.editing) {
            (LabField::Model, _) => {
                let name = model.map_or("(none)", |m| m.id);
                spans.extend(choice(name, theme));
                if model.is_some_and(|m| Some(m.id) == token_model)
                    && LABEL + name.width() + 14 <= inner_width
                {
                    spans.push(styled(" (token's)", theme.dim));
                } else if model.is_none() {
                    notes.push(("←/→ choose one".into(), theme.dim));
                }
            }
            (LabField::Beside, _) => {
                let candidate = app.lab.beside_candidate(model);
                let mark = if app.lab.beside.contains(&candidate) {
                    "[x]"
                } else {
                    "[ ]"
                };
                spans.extend(choice(candidate.id, theme));
                spans.push(styled(format!(" {mark}"), theme.text));
                let shown: Vec<&str> = app.lab.beside.iter().map(|m| m.id).collect();
                if shown.is_empty() {
                    if focused {
                        notes.push(("Enter adds it beside".into(), theme.dim));
                    }
                } else {
                    notes.push((format!("with {}", shown.join(", ")), theme.text));
                }
            }
            (LabField::EndpointTokens, _) => {
                let (name, note) = match app.lab.endpoint_tokens {
                    EndpointTokens::Fresh => ("fresh", "a token minted per request"),
                    EndpointTokens::Cached => ("cached", "the played token, minted at iat"),
                };
                spans.extend(choice(name, theme));
                if focused {
                    notes.push((note.into(), theme.dim));
                }
            }
            (_, Some(input)) if focused => {
                let (shown, column) = window(input.as_str(), input.cursor_chars(), width);
                spans.push(styled(shown, theme.text));
                let y = inner.y + y;
                if y < inner.bottom() && (LABEL + column) < inner_width {
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
        if let Some(error) = app.lab.error(*field) {
            notes.push((format!("✗ {error}"), theme.error));
        }
        lines.push(Line::from(spans));
        for (note, style) in notes {
            for part in wrap(&note, width, width) {
                lines.push(Line::from(vec![
                    styled(" ".repeat(LABEL), theme.text),
                    styled(part, style),
                ]));
            }
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        styled(format!("{:<LABEL$}", " clock"), theme.label),
        styled(clock_state(app), theme.text),
    ]));
    let keys_width = inner_width.saturating_sub(1).max(1);
    for line in wrap(&clock_keys(app), keys_width, keys_width) {
        lines.push(Line::styled(format!(" {line}"), theme.dim));
    }
    lines.push(Line::default());
    let focus_key = if focused_pane {
        "F6: the events"
    } else {
        "F6: back to the scenario"
    };
    for line in wrap(
        &format!("Offsets count from the token's iat. {focus_key}."),
        inner_width,
        inner_width,
    ) {
        lines.push(Line::styled(line, theme.dim));
    }
    render_lines(frame, block, area, lines, 0);
}

fn choice(name: &str, theme: &Theme) -> [Span<'static>; 3] {
    [
        styled("◂ ", theme.dim),
        styled(name.to_string(), theme.text),
        styled(" ▸", theme.dim),
    ]
}

fn clock_state(app: &App) -> String {
    let running = if app.clock.is_paused() {
        "paused"
    } else {
        "running"
    };
    format!("×{} {running}", app.clock.speed())
}

/// The clock's keys in a few words each, as the key table has them: the single keys off a
/// text row; on one, where typing takes them, the function keys, and where the rest are.
fn clock_keys(app: &App) -> String {
    let contexts = app.contexts();
    let listed = |context: Context| {
        KEYS.iter()
            .filter(move |b| is_clock_key(b) && b.context == context)
            .map(|b| {
                let does = match b.action {
                    Action::ClockPause => "pause".to_string(),
                    Action::ClockSlower => "slower".to_string(),
                    Action::ClockFaster => "faster".to_string(),
                    Action::ClockJump(seconds) => {
                        format!("+{}", format_duration_compact(seconds))
                    }
                    Action::ClockToExpiry => "exp − 10 s".to_string(),
                    Action::ClockReset => "real time".to_string(),
                    _ => b.description.to_string(),
                };
                format!("{} {does}", b.label)
            })
    };
    if contexts.contains(&Context::Commands) {
        return listed(Context::Commands).collect::<Vec<_>>().join(" · ");
    }
    let typed_here: Vec<&str> = KEYS
        .iter()
        .filter(|b| {
            is_clock_key(b)
                && b.context == Context::Commands
                && !KEYS
                    .iter()
                    .any(|global| global.context == Context::Global && global.action == b.action)
        })
        .map(|b| b.label)
        .collect();
    let mut keys: Vec<String> = listed(Context::Global).collect();
    keys.push(format!("{} off a text row", typed_here.join(" ")));
    keys.join(" · ")
}

fn draw_picture(
    app: &App,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    timeline: &Timeline,
    hits: &mut Hits,
) {
    let inner_width = area.width.saturating_sub(2) as usize;
    let picture = picture_lines(theme, timeline, inner_width);
    let budget = area.height;
    let picture_height = (picture.len() as u16 + 2).min(budget);
    let rest = budget - picture_height;
    // The events keep at least a few lines: the words give way first.
    let words_room = rest.saturating_sub(5).max(rest / 2).saturating_sub(2);
    let words = now_lines(theme, timeline, inner_width, words_room as usize);
    let now_height = (words.len() as u16 + 2).min(rest);
    let picture_area = Rect::new(area.x, area.y, area.width, picture_height);
    let now_area = Rect::new(area.x, picture_area.bottom(), area.width, now_height);
    let events_area = Rect::new(
        area.x,
        now_area.bottom(),
        area.width,
        area.bottom() - now_area.bottom(),
    );
    let models: Vec<&str> = timeline.played.iter().map(|p| p.model.id).collect();
    let title = format!(
        " {} · iat → {} ",
        models.join(" · "),
        format_offset(timeline.picture.end_ms)
    );
    render_lines(
        frame,
        pane(Line::styled(title, theme.accent), false, theme),
        picture_area,
        picture,
        0,
    );
    if now_area.height > 2 {
        let title = format!(
            " Now {} ({}) ",
            format_offset(timeline.now_ms),
            format_time(app, app.now)
        );
        render_lines(
            frame,
            pane(Line::styled(title, theme.accent), false, theme),
            now_area,
            words,
            0,
        );
    }
    if events_area.height > 2 {
        draw_events(app, theme, frame, events_area, timeline, hits);
    }
}

/// The cells of one row of the picture, styled.
type Cells = Vec<(char, Style)>;

fn to_line(cells: Cells) -> Line<'static> {
    // Runs of one style become one span.
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut style = None;
    for (c, s) in cells {
        if style != Some(s) && !run.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                style.unwrap_or_default(),
            ));
        }
        style = Some(s);
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, style.unwrap_or_default()));
    }
    Line::from(spans)
}

pub fn bar_glyph(bar: Bar, theme: &Theme) -> (char, Style) {
    match bar {
        Bar::Valid => ('━', theme.ok),
        Bar::Expired => ('╌', theme.error),
        Bar::Connected => ('━', theme.ok),
        Bar::Reconnecting => ('┅', theme.warning),
        Bar::Out => ('╌', theme.error),
        Bar::EndpointUp => ('─', theme.dim),
        Bar::EndpointDown => ('▒', theme.error),
    }
}

pub fn mark_glyph(mark: Mark, theme: &Theme) -> (char, Style) {
    match mark {
        Mark::In => ('●', theme.ok),
        Mark::Lost => ('○', theme.warning),
        Mark::Out => ('✕', theme.error),
        Mark::Refresh => ('↻', theme.accent),
        Mark::Warning => ('!', theme.warning),
        Mark::Expiry => ('┃', theme.error),
        Mark::Other => ('•', theme.text),
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

/// The offset a column stands for.
fn offset_of(column: usize, end_ms: i64, width: usize) -> i64 {
    if width <= 1 {
        return 0;
    }
    (column as i128 * end_ms as i128 / (width as i128 - 1)) as i64
}

/// Puts `text` into `row` at `at` (moved left to fit) if every cell it needs, and one on
/// each side, is free; returns whether it did, so labels never overlap.
fn place(row: &mut [Option<char>], at: usize, text: &str) -> bool {
    let len = text.chars().count();
    if len > row.len() {
        return false;
    }
    let start = at.min(row.len() - len);
    let lo = start.saturating_sub(1);
    let hi = (start + len + 1).min(row.len());
    if row[lo..hi].iter().any(Option::is_some) {
        return false;
    }
    for (i, c) in text.chars().enumerate() {
        row[start + i] = Some(c);
    }
    true
}

/// The picture's lines: a row per lane, the axis, its labels, the cursor's label, the legend.
fn picture_lines(theme: &Theme, timeline: &Timeline, width: usize) -> Vec<Line<'static>> {
    let picture = &timeline.picture;
    let single = timeline.played.len() == 1;
    let names: Vec<String> = picture
        .lanes
        .iter()
        .map(|lane| match lane.kind {
            LaneKind::Client(_) if single => "client".to_string(),
            // Side by side, each client lane is named by its model alone.
            LaneKind::Client(id) => id.to_string(),
            _ => lane.name(),
        })
        .collect();
    let label = (names.iter().map(|n| n.width()).max().unwrap_or(0) + 1).min(width / 4);
    let axis_width = width.saturating_sub(label);
    if axis_width < 8 {
        return vec![Line::styled("(too narrow for the picture)", theme.dim)];
    }
    let end = picture.end_ms;
    let at = |t: i64| column(t, end, axis_width);
    let now_column = at(timeline.now_ms);
    let cursor = |style: Style| style.add_modifier(Modifier::REVERSED);
    let mut lines = Vec::new();
    for (lane, name) in picture.lanes.iter().zip(&names) {
        let mut cells: Cells = (0..axis_width)
            .map(|c| match lane.bar_at(offset_of(c, end, axis_width)) {
                Some(bar) => bar_glyph(bar, theme),
                None => (' ', theme.text),
            })
            .collect();
        let mut placed: Vec<Option<Mark>> = vec![None; axis_width];
        for marker in &lane.markers {
            let c = at(marker.t_ms);
            if placed[c].is_some_and(|m| m <= marker.mark) {
                continue;
            }
            placed[c] = Some(marker.mark);
            let (glyph, style) = mark_glyph(marker.mark, theme);
            let style = if marker.t_ms <= timeline.now_ms {
                style
            } else {
                theme.dim
            };
            cells[c] = (glyph, style);
        }
        cells[now_column].1 = cursor(cells[now_column].1);
        let mut spans = vec![styled(
            format!("{:<label$}", truncate(name, label.saturating_sub(1))),
            theme.label,
        )];
        spans.extend(to_line(cells).spans);
        lines.push(Line::from(spans));
    }
    // The axis, with exp and the cursor on it.
    let mut axis: Cells = vec![('─', theme.dim); axis_width];
    axis[0] = ('├', theme.dim);
    axis[axis_width - 1] = ('┤', theme.dim);
    axis[at(picture.exp_ms)] = ('┼', theme.error);
    axis[now_column] = ('▲', theme.accent);
    let mut spans = vec![styled(" ".repeat(label), theme.text)];
    spans.extend(to_line(axis).spans);
    lines.push(Line::from(spans));
    // Labels under the axis, the most important first, none over another.
    let mut row: Vec<Option<char>> = vec![None; axis_width];
    place(&mut row, 0, "iat");
    let exp_at = at(picture.exp_ms).saturating_sub(1);
    if !place(
        &mut row,
        exp_at,
        &format!("exp {}", format_offset(picture.exp_ms)),
    ) {
        place(&mut row, exp_at, "exp");
    }
    let end_label = format_offset(end);
    place(&mut row, axis_width, &end_label);
    let text: String = row.iter().map(|c| c.unwrap_or(' ')).collect();
    lines.push(Line::from(vec![
        styled(" ".repeat(label), theme.text),
        styled(text, theme.dim),
    ]));
    let mut row: Vec<Option<char>> = vec![None; axis_width];
    let now_label = format!("▲ now {}", format_offset(timeline.now_ms));
    place(&mut row, now_column, &now_label);
    let text: String = row.iter().map(|c| c.unwrap_or(' ')).collect();
    lines.push(Line::from(vec![
        styled(" ".repeat(label), theme.text),
        styled(text, theme.accent),
    ]));
    lines.extend(legend_lines(theme, picture, width));
    lines
}

/// The legend: each bar and mark the picture holds, with its meaning, wrapped.
fn legend_lines(theme: &Theme, picture: &Picture, width: usize) -> Vec<Line<'static>> {
    let (bars, marks) = picture.legend();
    let short = width < 100;
    let separator = if short { "/" } else { " / " };
    let bar_word = |bar: Bar| if short { bar.short() } else { bar.meaning() };
    let mark_word = |mark: Mark| if short { mark.short() } else { mark.meaning() };
    // One entry per look: valid and connected share a bar, as do expired and out.
    let mut merged: Vec<((char, Style), String)> = Vec::new();
    for bar in bars {
        let glyph = bar_glyph(bar, theme);
        match merged.iter_mut().find(|(g, _)| *g == glyph) {
            Some((_, meaning)) => {
                meaning.push_str(separator);
                meaning.push_str(bar_word(bar));
            }
            None => merged.push((glyph, bar_word(bar).to_string())),
        }
    }
    for mark in marks {
        merged.push((mark_glyph(mark, theme), mark_word(mark).to_string()));
    }
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for ((glyph, style), meaning) in merged {
        let entry = 2 + meaning.width();
        let gap = if used == 0 { 0 } else { 2 };
        if used > 0 && used + gap + entry > width {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
        }
        if used > 0 {
            spans.push(styled("  ", theme.dim));
            used += 2;
        }
        spans.push(styled(glyph.to_string(), style));
        spans.push(styled(
            format!(" {}", truncate(&meaning, width.saturating_sub(2))),
            theme.dim,
        ));
        used += entry;
    }
    if !spans.is_empty() {
        lines.push(Line::from(spans));
    }
    lines
}

fn confidence(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::Documented => "documented",
        Confidence::SdkCode => "seen in SDK code",
        Confidence::Unconfirmed => "unconfirmed",
    }
}

fn presence_style(theme: &Theme, presence: Presence) -> Style {
    match presence {
        Presence::Connected => theme.ok,
        Presence::Reconnecting { .. } => theme.warning,
        Presence::Out => theme.error,
        Presence::NotJoined => theme.dim,
    }
}

/// "Now", in words, per model: its scenario client, and a client joining now; each cut short
/// (with …) when all of them do not fit in `room` lines.
fn now_lines(theme: &Theme, timeline: &Timeline, width: usize, room: usize) -> Vec<Line<'static>> {
    let single = timeline.now.len() == 1;
    let mut items: Vec<(Vec<String>, Style)> = Vec::new();
    for (model, client, joiner) in &timeline.now {
        let prefix = if single {
            String::new()
        } else {
            format!("{}: ", model.id)
        };
        let client_text = format!(
            "{prefix}This client is {}: {} [{}]",
            client.state_words(),
            client.verdict.outcome,
            confidence(client.verdict.confidence)
        );
        let joiner_text = format!(
            "{prefix}A client joining now {}: {} [{}]",
            if joiner.in_session {
                "gets in"
            } else {
                "is refused"
            },
            joiner.outcome,
            confidence(joiner.confidence)
        );
        let joiner_style = if joiner.in_session {
            theme.ok
        } else {
            theme.error
        };
        for (text, style) in [
            (client_text, presence_style(theme, client.presence)),
            (joiner_text, joiner_style),
        ] {
            items.push((wrap(&text, width, width.saturating_sub(2)), style));
        }
    }
    let total: usize = items.iter().map(|(parts, _)| parts.len()).sum();
    let cap = if total <= room {
        usize::MAX
    } else {
        (room / items.len().max(1)).max(1)
    };
    let mut lines = Vec::new();
    for (parts, style) in items {
        let cut = parts.len() > cap;
        let kept = parts.len().min(cap);
        for (i, part) in parts.into_iter().take(kept).enumerate() {
            let mut part = if i == 0 { part } else { format!("  {part}") };
            if cut && i + 1 == kept {
                part = truncate(&format!("{part} …"), width);
            }
            lines.push(Line::styled(part, style));
        }
    }
    lines
}

fn event_style(theme: &Theme, event: &Event) -> Style {
    match Mark::of(event) {
        Mark::Out | Mark::Expiry => theme.error,
        Mark::Warning | Mark::Lost => theme.warning,
        _ if event.outcome.starts_with("refused") => theme.error,
        _ => theme.text,
    }
}

/// The offset column of the events list.
const OFFSET: usize = 12;

fn draw_events(
    app: &App,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    timeline: &Timeline,
    hits: &mut Hits,
) {
    let focused = app.lab.focus == LabFocus::Events;
    let events = timeline.events();
    let current = timeline.current_event();
    let chosen = focused.then(|| app.lab.event.min(events.len().saturating_sub(1)));
    let title = match chosen {
        Some(index) => format!(
            " Events {}/{} · ↑/↓ choose · Enter: the clock to it ",
            index + 1,
            events.len()
        ),
        None => format!(" Events ({}) ", events.len()),
    };
    let block = pane(Line::styled(title, theme.accent), focused, theme);
    let inner = block.inner(area);
    let width = inner.width as usize;
    let text_width = width.saturating_sub(OFFSET).max(1);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut owner: Vec<usize> = Vec::new();
    for (index, event) in events.iter().enumerate() {
        let past = event.t_ms <= timeline.now_ms;
        let mut style = if past {
            event_style(theme, event)
        } else {
            theme.dim
        };
        if Some(index) == current {
            style = style.patch(theme.selected);
        }
        let lead = if Some(index) == chosen { "▸" } else { " " };
        let text = format!(
            "{} {} [{}]",
            event.event,
            event.outcome,
            event.confidence.as_str()
        );
        for (i, part) in wrap(&text, text_width, text_width).into_iter().enumerate() {
            let head = if i == 0 {
                format!("{lead}{:>10} ", format_offset(event.t_ms))
            } else {
                " ".repeat(OFFSET)
            };
            let line = if i == 0 {
                // The name stands out from the outcome that follows it.
                let name_len = event.event.chars().count().min(part.chars().count());
                let (name, rest): (String, String) = {
                    let mut chars = part.chars();
                    let name: String = chars.by_ref().take(name_len).collect();
                    (name, chars.collect())
                };
                Line::from(vec![
                    styled(head, style),
                    styled(name, style.add_modifier(Modifier::BOLD)),
                    styled(rest, style),
                ])
            } else {
                Line::from(vec![styled(head, style), styled(part, style)])
            };
            lines.push(line);
            owner.push(index);
        }
    }
    // Keep the chosen event (or the current one) in view, a little below the top.
    let anchor = chosen.or(current).unwrap_or(0);
    let first_line = owner.iter().position(|i| *i == anchor).unwrap_or(0);
    let height = inner.height as usize;
    let max_skip = lines.len().saturating_sub(height);
    let above = if height < 6 { 0 } else { height / 3 };
    let skip = first_line.saturating_sub(above).min(max_skip);
    for (row, index) in owner.iter().skip(skip).take(height).enumerate() {
        hits.push(
            Rect::new(inner.x, inner.y + row as u16, inner.width, 1),
            Target::LabEvent(*index),
        );
    }
    render_lines(frame, block, area, lines, skip as u16);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_placed_only_where_nothing_else_is() {
        let mut row = vec![None; 20];
        assert!(place(&mut row, 0, "iat"));
        assert!(!place(&mut row, 2, "exp"), "it would touch iat");
        assert!(place(&mut row, 19, "+18:00"), "moved left to fit");
        let text: String = row.iter().map(|c| c.unwrap_or(' ')).collect();
        assert_eq!(text, "iat           +18:00");
        assert!(!place(&mut [None; 2], 0, "long"));
    }

    #[test]
    fn columns_span_the_axis_and_offsets_come_back() {
        assert_eq!(column(0, 1_000, 11), 0);
        assert_eq!(column(1_000, 1_000, 11), 10);
        assert_eq!(column(5_000, 1_000, 11), 10, "clamped");
        assert_eq!(offset_of(10, 1_000, 11), 1_000);
        assert_eq!(column(offset_of(4, 1_000, 11), 1_000, 11), 4);
    }
}
