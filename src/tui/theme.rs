//! Colours, dark and light, and none at all when `NO_COLOR` is set: then only bold, dim and
//! reverse video mark focus and severity. The light theme uses explicit RGB greys: the ANSI
//! greys (7 and 8) are too pale on many white backgrounds.

use ratatui::style::{Color, Modifier, Style};

use super::app::{App, ThemeChoice};
use crate::findings::Severity;

#[derive(Clone, Debug)]
pub struct Theme {
    pub text: Style,
    /// Secondary text: limits, hints, counts.
    pub dim: Style,
    pub label: Style,
    pub accent: Style,
    pub border: Style,
    pub focused_border: Style,
    /// The focused row or finding.
    pub selected: Style,
    pub tab: Style,
    pub active_tab: Style,
    pub ok: Style,
    pub error: Style,
    pub warning: Style,
    pub info: Style,
    /// The filled part of a gauge.
    pub gauge: Style,
    pub gauge_low: Style,
    pub gauge_expired: Style,
    pub token_header: Style,
    pub token_payload: Style,
    pub token_signature: Style,
    /// Dates and relative times beside claims.
    pub annotation: Style,
}

impl Theme {
    pub fn of(app: &App) -> Theme {
        if app.no_color {
            return Theme::monochrome();
        }
        match app.theme {
            ThemeChoice::Dark => Theme::dark(),
            ThemeChoice::Light => Theme::light(),
        }
    }

    fn dark() -> Theme {
        let text = Style::new().fg(Color::Reset);
        let accent = Color::Cyan;
        Theme {
            text,
            dim: Style::new().fg(Color::Rgb(150, 150, 160)),
            label: Style::new().fg(Color::Rgb(190, 190, 200)),
            accent: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::Rgb(110, 110, 120)),
            focused_border: Style::new().fg(accent),
            selected: Style::new()
                .bg(Color::Rgb(40, 50, 70))
                .add_modifier(Modifier::BOLD),
            tab: text,
            active_tab: Style::new()
                .fg(Color::Black)
                .bg(accent)
                .add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::LightGreen),
            error: Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::Yellow),
            info: Style::new().fg(accent),
            gauge: Style::new().fg(Color::Green),
            gauge_low: Style::new().fg(Color::Yellow),
            gauge_expired: Style::new().fg(Color::LightRed),
            token_header: Style::new().fg(Color::LightRed),
            token_payload: Style::new().fg(Color::LightMagenta),
            token_signature: Style::new().fg(Color::LightCyan),
            annotation: Style::new().fg(accent),
        }
    }

    fn light() -> Theme {
        let text = Style::new().fg(Color::Black);
        let accent = Color::Rgb(0, 70, 170);
        Theme {
            text,
            dim: Style::new().fg(Color::Rgb(85, 85, 95)),
            label: Style::new().fg(Color::Rgb(55, 55, 65)),
            accent: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::Rgb(140, 140, 150)),
            focused_border: Style::new().fg(accent),
            selected: Style::new()
                .bg(Color::Rgb(210, 225, 245))
                .add_modifier(Modifier::BOLD),
            tab: text,
            active_tab: Style::new()
                .fg(Color::White)
                .bg(accent)
                .add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Rgb(0, 120, 40)),
            error: Style::new()
                .fg(Color::Rgb(190, 0, 0))
                .add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::Rgb(150, 90, 0)),
            info: Style::new().fg(accent),
            gauge: Style::new().fg(Color::Rgb(0, 140, 60)),
            gauge_low: Style::new().fg(Color::Rgb(200, 140, 0)),
            gauge_expired: Style::new().fg(Color::Rgb(190, 0, 0)),
            token_header: Style::new().fg(Color::Rgb(180, 0, 40)),
            token_payload: Style::new().fg(Color::Rgb(120, 0, 150)),
            token_signature: Style::new().fg(Color::Rgb(0, 110, 150)),
            annotation: Style::new().fg(accent),
        }
    }

    fn monochrome() -> Theme {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Theme {
            text: plain,
            dim: Style::new().add_modifier(Modifier::DIM),
            label: plain,
            accent: bold,
            border: plain,
            focused_border: bold,
            selected: Style::new().add_modifier(Modifier::REVERSED),
            tab: plain,
            active_tab: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            ok: plain,
            error: bold,
            warning: plain,
            info: plain,
            gauge: plain,
            gauge_low: plain,
            gauge_expired: bold,
            token_header: plain,
            token_payload: plain,
            token_signature: plain,
            annotation: plain,
        }
    }

    pub fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }
}
