//! Terminal events become actions: keys through the key table, a printable key on a text field
//! as typing, clicks through what the last frame drew.

use std::io;
use std::time::Duration;

use crossterm::event::{
    self, Event, KeyCode, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

use super::action::Action;
use super::app::App;
use super::keymap;
use super::layout::Hits;

/// Where events come from: the terminal, or a script in tests.
pub trait EventSource {
    /// The next event, or `None` when `timeout` passes without one. An error ends the workbench
    /// (its terminal went away).
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>>;
}

/// The real terminal, through crossterm.
#[derive(Debug)]
pub struct TerminalEvents;

impl EventSource for TerminalEvents {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        if event::poll(timeout)? {
            event::read().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// What a typed character does where no binding takes it: inserted while typing, starts
/// editing a focused text field, or nothing.
fn typed(app: &App, c: char) -> Option<Action> {
    if app.is_typing() {
        Some(Action::Insert(c))
    } else if app.on_text_field() || app.on_choice() {
        Some(Action::TypeToEdit(c))
    } else {
        None
    }
}

/// The action an event asks for in the app's current state, if any; clicks land on `hits`,
/// what the last frame drew.
pub fn to_action(app: &App, hits: &Hits, event: Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            if let Some(binding) = keymap::lookup(&app.contexts(), &key) {
                return Some(binding.action.clone());
            }
            let plain = !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
            match key.code {
                KeyCode::Char(c) if plain => typed(app, c),
                _ => None,
            }
        }
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                hits.at(mouse.column, mouse.row).map(Action::Click)
            }
            MouseEventKind::ScrollDown => Some(Action::Scroll { down: true }),
            MouseEventKind::ScrollUp => Some(Action::Scroll { down: false }),
            _ => None,
        },
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        _ => None,
    }
}
