//! Colours, dark and light, and none at all when `NO_COLOR` is set: then only bold, dim and
//! reverse video mark focus and severity.

use ratatui::style::{Color, Modifier, Style};

use crate::findings::Severity;
use crate::tui::app::{App, Theme as Choice};

pub struct Theme {
    pub text: Style,
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
    pub gauge: Style,
    pub gauge_low: Style,
    pub gauge_expired: Style,
}

impl Theme {
    pub fn of(app: &App) -> Theme {
        if app.no_color {
            return Theme::monochrome();
        }
        match app.theme {
            Choice::Dark => Theme::coloured(Color::Reset, Color::Cyan, Color::DarkGray, false),
            Choice::Light => Theme::coloured(Color::Black, Color::Blue, Color::Gray, true),
        }
    }

    fn coloured(fg: Color, accent: Color, faint: Color, light: bool) -> Theme {
        let text = Style::new().fg(fg);
        let (green, yellow, red) = if light {
            (Color::Green, Color::Rgb(160, 110, 0), Color::Red)
        } else {
            (Color::LightGreen, Color::Yellow, Color::LightRed)
        };
        Theme {
            text,
            dim: Style::new().fg(if light { Color::DarkGray } else { faint }),
            label: Style::new().fg(if light { Color::DarkGray } else { Color::Gray }),
            accent: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            border: Style::new().fg(faint),
            focused_border: Style::new().fg(accent),
            selected: Style::new()
                .bg(if light {
                    Color::Rgb(210, 225, 245)
                } else {
                    Color::Rgb(40, 50, 70)
                })
                .add_modifier(Modifier::BOLD),
            tab: text,
            active_tab: Style::new()
                .fg(if light { Color::White } else { Color::Black })
                .bg(accent)
                .add_modifier(Modifier::BOLD),
            ok: Style::new().fg(green),
            error: Style::new().fg(red).add_modifier(Modifier::BOLD),
            warning: Style::new().fg(yellow),
            info: Style::new().fg(accent),
            gauge: Style::new().fg(green),
            gauge_low: Style::new().fg(yellow),
            gauge_expired: Style::new().fg(red),
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
