//! Drawing: [`draw`] reads the [`App`] and paints one frame; it changes nothing. The layout is a
//! pure function of the app and the area, so mouse clicks are resolved against the same
//! rectangles that were drawn ([`hit_test`]).

mod claims;
mod countdown;
mod findings;
mod form;
mod help;
mod inspect;
mod lab;
pub mod theme;
mod token;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::app::{App, Mode, Pane};
use super::keymap;
use theme::Theme;

/// The regions of the screen. A pane that does not fit is left out rather than squeezed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub header: Option<Rect>,
    pub form: Option<Rect>,
    pub lifetime: Option<Rect>,
    pub token: Option<Rect>,
    pub claims: Option<Rect>,
    pub findings: Option<Rect>,
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
}

/// One pane of a column: the least height it is useful at, the height it would like, and
/// its priority (0 first) when there is not room for all.
struct Slot {
    region: Region,
    min: u16,
    want: u16,
    priority: u8,
}

/// Stacks slots top to bottom in `area`: the most important first get their minimum, then
/// their wish, and `grows` (or else the last slot shown) takes what is left. Slots that do not
/// fit are dropped.
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

pub fn layout(app: &App, area: Rect) -> Areas {
    let mut areas = Areas::default();
    if area.height == 0 || area.width == 0 {
        return areas;
    }
    areas.header = Some(Rect::new(area.x, area.y, area.width, 1));
    let mut body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    if area.height >= 30 {
        areas.footer = Some(Rect::new(area.x, area.bottom() - 1, area.width, 1));
        areas.status = Some(Rect::new(area.x, area.bottom() - 2, area.width, 1));
        body.height -= 2;
    } else if area.height >= 4 {
        // One bottom line: the status when there is one, else the hints.
        let line = Rect::new(area.x, area.bottom() - 1, area.width, 1);
        if app.status.is_some() {
            areas.status = Some(line);
        } else {
            areas.footer = Some(line);
        }
        body.height -= 1;
    }
    if app.lab.open {
        areas.lab = Some(body);
        return areas;
    }
    let form_want = form::height(app) + 2;
    let findings_want = findings::height(app, body.width.saturating_sub(2)) + 2;
    let lifetime_want = countdown::height(app, body.width.saturating_sub(2)) + 2;
    let placed = if body.width >= 70 {
        let left_width = (body.width * 2 / 5).clamp(34, 52);
        let left = Rect::new(body.x, body.y, left_width, body.height);
        let right = Rect::new(
            body.x + left_width,
            body.y,
            body.width - left_width,
            body.height,
        );
        let token_want = token::height(app, right.width.saturating_sub(2)) + 2;
        let lifetime_want = countdown::height(app, left.width.saturating_sub(2)) + 2;
        let findings_want = findings::height(app, right.width.saturating_sub(2)) + 2;
        let mut placed = stack(
            left,
            &[
                slot(Region::Form, 4, form_want, 0),
                slot(Region::Lifetime, 4, lifetime_want, 3),
            ],
            Region::Form,
        );
        placed.extend(stack(
            right,
            &[
                slot(Region::Token, 4, token_want.min(right.height / 3), 1),
                slot(Region::Claims, 4, body.height, 4),
                slot(Region::Findings, 3, findings_want.min(right.height / 4), 2),
            ],
            Region::Claims,
        ));
        placed
    } else {
        let token_want = token::height(app, body.width.saturating_sub(2)) + 2;
        stack(
            body,
            &[
                slot(Region::Form, 3, form_want, 0),
                slot(Region::Token, 3, token_want.min(body.height / 3), 1),
                slot(Region::Findings, 3, findings_want.min(body.height / 4), 2),
                slot(Region::Lifetime, 4, lifetime_want, 3),
                slot(Region::Claims, 4, body.height, 4),
            ],
            Region::Claims,
        )
    };
    for (region, rect) in placed {
        let target = match region {
            Region::Form => &mut areas.form,
            Region::Lifetime => &mut areas.lifetime,
            Region::Token => &mut areas.token,
            Region::Claims => &mut areas.claims,
            Region::Findings => &mut areas.findings,
        };
        *target = Some(rect);
    }
    areas
}

fn slot(region: Region, min: u16, want: u16, priority: u8) -> Slot {
    Slot {
        region,
        min,
        want: want.max(min),
        priority,
    }
}

pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let theme = Theme::of(app);
    let areas = layout(app, area);
    if let Some(rect) = areas.header {
        draw_header(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.form {
        form::draw(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.lifetime {
        countdown::draw(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.token {
        token::draw(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.claims {
        claims::draw(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.findings {
        findings::draw(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.lab {
        lab::draw(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.status {
        draw_status(app, &theme, frame, rect);
    }
    if let Some(rect) = areas.footer {
        draw_footer(app, &theme, frame, rect);
    }
    match &app.mode {
        Mode::Help { scroll } => help::draw(&theme, frame, area, *scroll),
        Mode::Inspect { input, error } => {
            inspect::draw(&theme, frame, area, input, error.as_deref())
        }
        Mode::Normal | Mode::Editing(_) => {}
    }
}

/// What a click landed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Tab(usize),
    FormRow(usize),
    Finding(usize),
    Pane(Pane),
}

pub fn hit_test(app: &App, column: u16, row: u16) -> Option<Target> {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let areas = layout(app, area);
    let at = Position::new(column, row);
    let inside = |rect: Option<Rect>| rect.filter(|r| r.contains(at));
    if let Some(header) = inside(areas.header) {
        let x = column - header.x;
        return tabs(app)
            .into_iter()
            .find(|(_, start, label)| x >= *start && x < start + label.width() as u16)
            .map(|(index, _, _)| Target::Tab(index));
    }
    if let Some(rect) = inside(areas.form) {
        return Some(
            form::row_at(app, rect, row)
                .map(Target::FormRow)
                .unwrap_or(Target::Pane(Pane::Form)),
        );
    }
    if let Some(rect) = inside(areas.findings) {
        return Some(
            findings::finding_at(app, rect, row)
                .map(Target::Finding)
                .unwrap_or(Target::Pane(Pane::Findings)),
        );
    }
    if inside(areas.token).is_some() {
        return Some(Target::Pane(Pane::Token));
    }
    if inside(areas.claims).is_some() {
        return Some(Target::Pane(Pane::Claims));
    }
    None
}

/// The platform tabs: (index, x offset, label).
fn tabs(app: &App) -> Vec<(usize, u16, String)> {
    let mut x = 0u16;
    app.platforms
        .iter()
        .enumerate()
        .map(|(index, state)| {
            let label = format!(" {} ", state.platform.id());
            let start = x;
            x += label.width() as u16 + 1;
            (index, start, label)
        })
        .collect()
}

fn draw_header(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (index, _, label) in tabs(app) {
        let style = if index == app.active {
            theme.active_tab
        } else {
            theme.tab
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let clock = clock_text(app);
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

fn draw_status(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    if let Some(status) = &app.status {
        let style = if status.error { theme.error } else { theme.ok };
        let text = truncate(&status.text, area.width as usize);
        frame.render_widget(Line::styled(text, style), area);
    }
}

fn draw_footer(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    let mut width = 0usize;
    for (keys, word) in keymap::hints(&app.contexts()) {
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
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(skip as usize)
        .take(inner.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

/// The part of `text` to show in `width` columns so that the cursor stays visible, and the
/// cursor's column in it.
pub(crate) fn window(text: &str, cursor: usize, width: usize) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let cursor = cursor.min(chars.len());
    let width = width.max(1);
    let start = (cursor + 1).saturating_sub(width);
    let shown: String = chars[start..].iter().take(width).collect();
    (shown, cursor - start)
}

/// Word-wraps `text`: the first line `first` columns wide, the others `rest`. Words longer
/// than a line are broken.
pub(crate) fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut width = 0usize;
    let limit = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(1);
    for word in text.split(' ') {
        let word_width = word.width();
        let gap = usize::from(!line.is_empty());
        if width + gap + word_width <= limit(&lines) {
            if gap == 1 {
                line.push(' ');
            }
            line.push_str(word);
            width += gap + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            width = 0;
        }
        for c in word.chars() {
            let w = c.width().unwrap_or(0);
            if width + w > limit(&lines) && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                width = 0;
            }
            line.push(c);
            width += w;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Cuts `text` to `width` columns, ending with … when cut.
pub(crate) fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
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
    fn wrap_breaks_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("a bb ccc", 4, 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefgh", 3, 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("one two three", 3, 5), ["one", "two", "three"]);
        assert_eq!(wrap("", 5, 5), [""]);
        assert_eq!(wrap("x", 0, 0), ["x"]);
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("hello", 0), "");
    }

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
}
