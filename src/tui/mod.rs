//! The workbench: one screen to fill a platform's form and watch its token, claims, lifetime
//! and findings change as you type.
//!
//! One loop ([`run_loop`]): an event becomes an [`Action`] through the key table, [`update`]
//! changes the [`App`] and returns [`Effect`]s, the edge runs them, [`ui::draw`] paints. The loop
//! is generic over the ratatui backend, so tests drive the real app on a `TestBackend`.

pub mod action;
pub mod app;
pub mod clipboard;
pub mod event;
pub mod keymap;
pub mod lab;
pub mod ui;

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};

pub use action::{Action, CopyReport, CopyWhat, Effect};
pub use app::{App, AppConfig, update};
use clipboard::{ClipboardSink, Osc52, SystemClipboard, copy_all};
use event::{EventSource, TerminalEvents};

/// Opens the workbench on the terminal and runs it until the user quits.
pub fn run(config: AppConfig) -> Result<(), String> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        return Err(
            "the workbench needs a terminal: for scripts use tokenbench mint or tokenbench inspect"
                .into(),
        );
    }
    let mut config = config;
    let mut terminal =
        TerminalGuard::enter().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let size = terminal.terminal.size().map_err(|e| e.to_string())?;
    config.size = (size.width, size.height);
    let mut app = App::new(config);
    let mut osc52 = Osc52::new(io::stdout());
    let mut system = SystemClipboard::default();
    let result = run_loop(
        &mut terminal.terminal,
        &mut app,
        &mut TerminalEvents,
        &mut [&mut osc52, &mut system],
    );
    drop(terminal);
    result.map_err(|e| format!("the terminal failed: {e}"))
}

/// The main loop: draw when something changed, wait for an event or the next tick, update.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut dyn EventSource,
    sinks: &mut [&mut dyn ClipboardSink],
) -> io::Result<()> {
    let mut dirty = true;
    let mut deadline = Instant::now() + until_next_tick(app);
    while !app.quit {
        if dirty {
            terminal
                .draw(|frame| ui::draw(app, frame))
                .map_err(|e| io::Error::other(e.to_string()))?;
            dirty = false;
        }
        let timeout = deadline.saturating_duration_since(Instant::now());
        let action = events.next(timeout)?.and_then(|e| event::to_action(app, e));
        if Instant::now() >= deadline {
            update(app, Action::Tick);
            deadline = Instant::now() + until_next_tick(app);
            dirty = true;
        }
        if let Some(action) = action {
            for effect in update(app, action) {
                let report = run_effect(effect, sinks);
                update(app, Action::Copied(report));
            }
            dirty = true;
        }
    }
    Ok(())
}

fn run_effect(effect: Effect, sinks: &mut [&mut dyn ClipboardSink]) -> CopyReport {
    match effect {
        Effect::Copy { what, text } => copy_all(sinks, what, &text),
    }
}

/// Time to the next whole second on the clock, so the countdown turns over on the second; at
/// a faster virtual speed ticks come faster, at most 20 a second.
pub fn until_next_tick(app: &App) -> Duration {
    let into_second = u64::from(app.clock.now().timestamp_subsec_millis());
    let left = 1000 - into_second.min(999);
    match app.clock.speed() {
        _ if app.clock.is_paused() => Duration::from_secs(1),
        1 => Duration::from_millis(left + 1),
        speed => Duration::from_millis((left / u64::from(speed)).max(50)),
    }
}

/// Raw mode, the alternate screen, bracketed paste and mouse capture, undone when dropped and
/// by a panic hook, so the terminal is restored on every exit path.
struct TerminalGuard {
    terminal: Terminal<CrosstermBackend<io::Stdout>>,
}

impl TerminalGuard {
    fn enter() -> io::Result<Self> {
        install_panic_hook();
        enable_raw_mode()?;
        let entered = crossterm::execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste,
            EnableMouseCapture
        )
        .and_then(|_| Terminal::new(CrosstermBackend::new(io::stdout())));
        match entered {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(error) => {
                restore_terminal();
                Err(error)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn restore_terminal() {
    let mut out = io::stdout();
    let _ = crossterm::execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}
