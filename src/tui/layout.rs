//! The screen's layout and the frame: [`draw`] reads the [`App`], paints one frame, and returns
//! the [`Hits`] it drew (what is where), which the loop keeps to turn a click into an action.
//! Panes share the space by what they hold: each asks for the lines it has, and the claims take
//! what is left.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Pane, Screen};
use super::theme::Theme;
use super::{countdown, findings, form, generic, help, inspect, keymap, lab, requests, token};

/// What a click landed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Tab(usize),
    FormRow(usize),
    /// The ◂ (back) or ▸ (forward) of a choice row.
    Choice {
        row: usize,
        forward: bool,
    },
    /// One operation toggle of a room row.
    Operation {
        row: usize,
        operation: usize,
    },
    Finding(usize),
    Request(usize),
    Pane(Pane),
    LabRow(usize),
    LabEvent(usize),
    /// Anywhere on a popup (help): a click closes it.
    Popup,
}

/// What the last frame drew where, later entries over earlier ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hits(Vec<(Rect, Target)>);

impl Hits {
    pub fn push(&mut self, rect: Rect, target: Target) {
        if rect.width > 0 && rect.height > 0 {
            self.0.push((rect, target));
        }
    }

    /// The most specific target at a cell.
    pub fn at(&self, column: u16, row: u16) -> Option<Target> {
        let at = Position::new(column, row);
        self.0
            .iter()
            .rev()
            .find(|(rect, _)| rect.contains(at))
            .map(|(_, target)| *target)
    }
}

/// The regions of the screen. A pane that does not fit is left out rather than squeezed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub header: Option<Rect>,
    pub form: Option<Rect>,
    pub lifetime: Option<Rect>,
    pub token: Option<Rect>,
    pub claims: Option<Rect>,
    pub findings: Option<Rect>,
    pub requests: Option<Rect>,
    /// The lifetime lab's screen, in place of the panes while it is open.
    pub lab: Option<Rect>,
    pub status: Option<Rect>,
    pub footer: Option<Rect>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Region {
    Form,
    Lifetime,
    Token,
    Claims,
    Findings,
    Requests,
}

/// One pane of a column: the least height it is useful at, the height it would like, and
/// its priority (0 first) when there is not room for all.
struct Slot {
    region: Region,
    min: u16,
    want: u16,
    priority: u8,
}

fn slot(region: Region, min: u16, want: u16, priority: u8) -> Slot {
    Slot {
        region,
        min,
        want: want.max(min),
        priority,
    }
}

/// Stacks slots top to bottom in `area`: the most important first get their minimum, then
/// their wish in priority order, and `grows` (or else the last slot shown) takes what is left.
/// Slots that do not fit are dropped.
fn stack(area: Rect, slots: &[Slot], grows: Region) -> Vec<(Region, Rect)> {
    let mut order: Vec<usize> = (0..slots.len()).collect();
    order.sort_by_key(|i| slots[*i].priority);
    let mut heights = vec![0u16; slots.len()];
    let mut used = 0u16;
    for &i in &order {
        if used + slots[i].min <= area.height {
            heights[i] = slots[i].min;
            used += slots[i].min;
        }
    }
    for &i in &order {
        if heights[i] > 0 {
            let extra = slots[i]
                .want
                .saturating_sub(heights[i])
                .min(area.height - used);
            heights[i] += extra;
            used += extra;
        }
    }
    let shown = |i: &usize| heights[*i] > 0;
    let grower = (0..slots.len())
        .filter(shown)
        .find(|i| slots[*i].region == grows)
        .or_else(|| (0..slots.len()).rev().find(shown));
    if let Some(grower) = grower {
        heights[grower] += area.height - used;
    }
    let mut y = area.y;
    let mut out = Vec::new();
    for (slot, height) in slots.iter().zip(heights) {
        if height > 0 {
            out.push((slot.region, Rect::new(area.x, y, area.width, height)));
            y += height;
        }
    }
    out
}

/// The lines the left pane wants: the platform's form, or the generic view of a JWT.
fn form_height(app: &App, width: u16) -> u16 {
    match &app.generic {
        Some(view) => generic::height(app, view, width),
        None => form::height(app, width),
    }
}

pub fn layout(app: &App, area: Rect) -> Areas {
    let mut areas = Areas::default();
    if area.height == 0 || area.width == 0 {
        return areas;
    }
    areas.header = Some(Rect::new(area.x, area.y, area.width, 1));
    let mut body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    // A status longer than the line takes a second one rather than being cut.
    let status_lines = status_lines(app, area.width).len().clamp(1, 2) as u16;
    if area.height >= 30 {
        areas.footer = Some(Rect::new(area.x, area.bottom() - 1, area.width, 1));
        let status = Rect::new(
            area.x,
            area.bottom() - 1 - status_lines,
            area.width,
            status_lines,
        );
        areas.status = Some(status);
        body.height -= 1 + status_lines;
    } else if area.height >= 8 {
        // One bottom line: the status when there is one, else the hints.
        if app.status.is_some() {
            let status = Rect::new(
                area.x,
                area.bottom() - status_lines,
                area.width,
                status_lines,
            );
            areas.status = Some(status);
            body.height -= status_lines;
        } else {
            areas.footer = Some(Rect::new(area.x, area.bottom() - 1, area.width, 1));
            body.height -= 1;
        }
    } else if area.height >= 4 {
        let line = Rect::new(area.x, area.bottom() - 1, area.width, 1);
        if app.status.is_some() {
            areas.status = Some(line);
        } else {
            areas.footer = Some(line);
        }
        body.height -= 1;
    }
    if app.screen == Screen::Lab {
        areas.lab = Some(body);
        return areas;
    }
    let requests_want = requests::height(app) + 2;
    // The requests pane takes no room until the endpoint has run.
    let with_requests = |mut slots: Vec<Slot>, requests: Slot| {
        if app.requests_shown() {
            slots.push(requests);
        }
        slots
    };
    let placed = if body.width >= 70 {
        let left_width = (body.width * 2 / 5).clamp(34, 56);
        let left = Rect::new(body.x, body.y, left_width, body.height);
        let right = Rect::new(
            body.x + left_width,
            body.y,
            body.width - left_width,
            body.height,
        );
        let inner = |rect: Rect| rect.width.saturating_sub(2);
        let form_want = form_height(app, inner(left)) + 2;
        let token_want = token::height(app, inner(right)) + 2;
        let lifetime_want = countdown::height(app, inner(left)) + 2;
        let findings_want = findings::height(app, inner(right)) + 2;
        let claims_want = token::claims_height(app, inner(right)) + 2;
        let mut placed = stack(
            left,
            &[
                slot(Region::Form, 4, form_want, 0),
                slot(Region::Lifetime, 4, lifetime_want, 3),
            ],
            Region::Form,
        );
        // Findings may take half the column when they need it; the claims keep what they hold
        // and the rest goes to whichever has more to show.
        let grows = if findings_want > claims_want {
            Region::Findings
        } else {
            Region::Claims
        };
        placed.extend(stack(
            right,
            &with_requests(
                vec![
                    slot(Region::Token, 4, token_want.min(right.height / 3), 1),
                    slot(Region::Claims, 4, claims_want, 4),
                    slot(Region::Findings, 3, findings_want.min(right.height / 2), 2),
                ],
                slot(Region::Requests, 3, requests_want.min(right.height / 3), 3),
            ),
            grows,
        ));
        placed
    } else {
        let inner = body.width.saturating_sub(2);
        let form_want = form_height(app, inner) + 2;
        let token_want = token::height(app, inner) + 2;
        let findings_want = findings::height(app, inner) + 2;
        let lifetime_want = countdown::height(app, inner) + 2;
        let mut slots = with_requests(
            vec![
                slot(Region::Form, 3, form_want, 0),
                slot(Region::Token, 3, token_want.min(body.height / 3), 1),
                slot(Region::Findings, 3, findings_want.min(body.height / 3), 2),
            ],
            slot(Region::Requests, 3, requests_want.min(body.height / 4), 3),
        );
        slots.extend([
            slot(Region::Lifetime, 4, lifetime_want, 3),
            slot(Region::Claims, 4, body.height, 4),
        ]);
        stack(body, &slots, Region::Claims)
    };
    for (region, rect) in placed {
        let target = match region {
            Region::Form => &mut areas.form,
            Region::Lifetime => &mut areas.lifetime,
            Region::Token => &mut areas.token,
            Region::Claims => &mut areas.claims,
            Region::Findings => &mut areas.findings,
            Region::Requests => &mut areas.requests,
        };
        *target = Some(rect);
    }
    areas
}

/// Paints one frame of `app`, and says what is where.
pub fn draw(app: &App, frame: &mut Frame) -> Hits {
    let area = frame.area();
    let theme = Theme::of(app);
    let areas = layout(app, area);
    let mut hits = Hits::default();
    if let Some(rect) = areas.header {
        draw_header(app, &theme, frame, rect, &mut hits);
    }
    if let Some(rect) = areas.form {
        match &app.generic {
            Some(view) => generic::draw(app, view, &theme, frame, rect, &mut hits),
            None => form::draw(app, &theme, frame, rect, &mut hits),
        }
    }
    if let Some(rect) = areas.lifetime {
        countdown::draw(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.token {
        hits.push(rect, Target::Pane(Pane::Token));
        token::draw(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.claims {
        hits.push(rect, Target::Pane(Pane::Claims));
        token::draw_claims(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.findings {
        findings::draw(app, &theme, frame, rect, &mut hits);
    }
    if let Some(rect) = areas.requests {
        requests::draw(app, &theme, frame, rect, &mut hits);
    }
    if let Some(rect) = areas.lab {
        lab::draw(app, &theme, frame, rect, &mut hits);
    }
    if let Some(rect) = areas.status {
        draw_status(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.footer {
        draw_footer(app, &theme, frame, rect);
    }
    match &app.popup {
        Some(super::app::Popup::Help { scroll }) => {
            let rect = help::draw(&theme, frame, area, *scroll);
            hits.push(area, Target::Popup);
            let _ = rect;
        }
        Some(super::app::Popup::Inspect(box_)) => inspect::draw(&theme, frame, area, box_),
        None => {}
    }
    hits
}

/// The platform tabs: (index, x offset, label), padded when `width` leaves room for the clock
/// beside them, else packed.
fn tabs(app: &App, width: u16, clock: usize) -> Vec<(usize, u16, String)> {
    let layout = |padded: bool| {
        let mut x = 0u16;
        app.tabs
            .iter()
            .enumerate()
            .map(|(index, tab)| {
                let label = if padded {
                    format!(" {} ", tab.platform.id())
                } else {
                    tab.platform.id().to_string()
                };
                let start = x;
                x = x.saturating_add(label.width() as u16 + 1);
                (index, start, label)
            })
            .collect::<Vec<_>>()
    };
    let padded = layout(true);
    let used = padded
        .last()
        .map_or(0, |(_, start, label)| *start as usize + label.width() + 1);
    if used + clock < width as usize {
        padded
    } else {
        layout(false)
    }
}

fn draw_header(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, hits: &mut Hits) {
    let mut spans = Vec::new();
    let clock = clock_text(app);
    for (index, start, label) in tabs(app, area.width, clock.width()) {
        let style = if index == app.active {
            theme.active_tab
        } else {
            theme.tab
        };
        hits.push(
            Rect::new(
                area.x.saturating_add(start),
                area.y,
                label.width() as u16,
                1,
            )
            .intersection(area),
            Target::Tab(index),
        );
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let free = (area.width as usize).saturating_sub(used);
    if free > clock.width() + 1 {
        spans.push(Span::raw(" ".repeat(free - clock.width())));
        spans.push(Span::styled(clock, theme.dim));
    }
    frame.render_widget(Line::from(spans), area);
}

fn clock_text(app: &App) -> String {
    let mut text = format_time(app, app.now);
    if app.clock.is_paused() {
        text.push_str(&format!(" (virtual ×{}, paused)", app.clock.speed()));
    } else if app.clock.is_virtual() {
        text.push_str(&format!(" (virtual ×{})", app.clock.speed()));
    }
    text
}

/// A time as the workbench shows it: UTC, or local after `u`.
pub(crate) fn format_time(app: &App, time: chrono::DateTime<chrono::Utc>) -> String {
    if app.local_time {
        time.with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M:%S %Z")
            .to_string()
    } else {
        time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    }
}

/// The status line's text wrapped at `width` (none without a status).
fn status_lines(app: &App, width: u16) -> Vec<String> {
    app.status
        .as_ref()
        .map(|status| {
            super::text::wrap(
                &super::text::shown(&status.text),
                width as usize,
                width as usize,
            )
        })
        .unwrap_or_default()
}

fn draw_status(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    if let Some(status) = &app.status {
        let style = if status.error { theme.error } else { theme.ok };
        let mut lines = status_lines(app, area.width);
        let rows = area.height.max(1) as usize;
        if lines.len() > rows {
            // What does not fit is cut on the last line, with a mark that it was.
            let rest = lines.split_off(rows - 1).join(" ");
            lines.push(super::text::truncate(&rest, area.width as usize));
        }
        for (row, line) in lines.into_iter().enumerate().take(rows) {
            let rect = Rect::new(area.x, area.y + row as u16, area.width, 1);
            frame.render_widget(Line::styled(line, style), rect);
        }
    }
}

fn draw_footer(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    let mut width = 0usize;
    for (keys, word) in keymap::hints(app) {
        let item = keys.width() + 1 + word.width() + 2;
        if width + item > area.width as usize {
            break;
        }
        width += item;
        spans.push(Span::styled(keys, theme.accent));
        spans.push(Span::styled(format!(" {word}  "), theme.dim));
    }
    frame.render_widget(Line::from(spans), area);
}

/// A bordered pane whose border shows focus.
pub(crate) fn pane<'a>(title: Line<'a>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused {
            theme.focused_border
        } else {
            theme.border
        })
        .title(title)
}

/// Renders lines inside a pane, from line `skip` on, clipped to the pane.
pub(crate) fn render_lines(
    frame: &mut Frame,
    block: Block,
    area: Rect,
    lines: Vec<Line>,
    skip: u16,
) {
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Line by line, as a paragraph without wrapping draws them, less its line composer (15 % of
    // the instructions of a keystroke's redraw, callgrind).
    let rows = (inner.top()..inner.bottom()).map(|y| Rect {
        y,
        height: 1,
        ..inner
    });
    for (line, row) in lines.into_iter().skip(skip as usize).zip(rows) {
        frame.render_widget(line, row);
    }
}

/// A centred rectangle for a popup, at most `width` × `height`, inside `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

pub(crate) fn styled(text: impl Into<String>, style: Style) -> Span<'static> {
    Span::styled(text.into(), style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_drops_what_does_not_fit_and_never_overlaps() {
        let slots = [
            slot(Region::Form, 4, 10, 0),
            slot(Region::Token, 4, 6, 1),
            slot(Region::Claims, 4, 20, 2),
        ];
        let placed = stack(Rect::new(0, 0, 10, 9), &slots, Region::Claims);
        assert_eq!(
            placed,
            [
                (Region::Form, Rect::new(0, 0, 10, 5)),
                (Region::Token, Rect::new(0, 5, 10, 4))
            ]
        );
        let placed = stack(Rect::new(0, 0, 10, 3), &slots, Region::Claims);
        assert!(placed.is_empty());
    }

    #[test]
    fn the_most_specific_hit_wins() {
        let mut hits = Hits::default();
        hits.push(Rect::new(0, 0, 10, 10), Target::Pane(Pane::Form));
        hits.push(Rect::new(0, 2, 10, 1), Target::FormRow(1));
        hits.push(Rect::new(0, 0, 0, 0), Target::FormRow(9));
        assert_eq!(hits.at(3, 2), Some(Target::FormRow(1)));
        assert_eq!(hits.at(3, 5), Some(Target::Pane(Pane::Form)));
        assert_eq!(hits.at(30, 5), None);
    }
}
