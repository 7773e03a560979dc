//! The workbench: one screen to fill a platform's form and watch its token, claims, lifetime
//! and findings change as you type.
//!
//! One loop ([`run_loop`]): events become [`Action`]s through the key table (clicks through the
//! [`Hits`] the last frame drew); [`step`] applies each, [`settle`] mints once for the batch of
//! input that arrived together; the [`Edge`] runs the [`Effect`]s (and reports back with
//! actions); [`layout::draw`] paints one frame. The loop is generic over the ratatui backend,
//! so tests drive the real app on a `TestBackend`.

pub mod action;
pub mod app;
pub mod clipboard;
mod countdown;
pub mod editor;
pub mod event;
mod findings;
pub mod form;
pub mod generic;
mod help;
mod inspect;
pub mod keymap;
pub mod lab;
pub mod layout;
pub mod requests;
mod terminal;
pub mod text;
pub mod theme;
pub mod token;

use std::collections::VecDeque;
use std::io;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::serve::{self, ServeHandle, ServeOptions};
pub use action::{Action, CopyReport, CopyWhat, Effect};
pub use app::{App, AppConfig, settle, step, update, update_batch};
use clipboard::{ClipboardSink, Osc52, SystemClipboard, copy_all};
use event::{EventSource, TerminalEvents};
pub use layout::Hits;

/// The most actions one batch takes before a frame is drawn, so a flood of input still shows
/// progress.
const MAX_BATCH: usize = 100_000;
/// How long one batch may keep reading input that is already waiting.
const BATCH_TIME: Duration = Duration::from_millis(30);

/// Opens the workbench on the terminal and runs it until the user quits.
pub fn run(config: AppConfig) -> Result<(), String> {
    let mut config = config;
    let mut terminal = terminal::TerminalGuard::enter()?;
    let size = terminal.terminal.size().map_err(|e| e.to_string())?;
    config.size = (size.width, size.height);
    let mut app = App::new(config);
    let mut osc52 = Osc52::new(io::stdout());
    let mut system = SystemClipboard::default();
    let mut edge = Edge::new(vec![&mut osc52, &mut system]);
    let result = run_loop(
        &mut terminal.terminal,
        &mut app,
        &mut TerminalEvents,
        &mut edge,
    );
    drop(terminal);
    // Dropping the edge stops the endpoint, if it still runs.
    drop(edge);
    result.map_err(|e| format!("the terminal failed: {e}"))
}

/// The outside world the loop talks to: the clipboard paths, and the local auth endpoint while
/// it runs. It outlives [`run_loop`]; dropping it stops the endpoint.
pub struct Edge<'a> {
    sinks: Vec<&'a mut dyn ClipboardSink>,
    endpoint: Option<ServeHandle>,
}

impl std::fmt::Debug for Edge<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Edge")
            .field("serving", &self.endpoint.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a> Edge<'a> {
    pub fn new(sinks: Vec<&'a mut dyn ClipboardSink>) -> Self {
        Edge {
            sinks,
            endpoint: None,
        }
    }

    /// Runs one effect; what came of it, as an action for [`update`].
    pub fn run(&mut self, effect: Effect) -> Option<Action> {
        match effect {
            Effect::Copy { what, text } => {
                Some(Action::Copied(copy_all(&mut self.sinks, what, &text)))
            }
            Effect::StartServe { config, port } => {
                // One endpoint at a time: a second start replaces the first.
                self.stop_endpoint();
                let started = serve::start(config, ServeOptions::local(port));
                let url = started.as_ref().map(ServeHandle::url).map_err(Clone::clone);
                self.endpoint = started.ok();
                Some(Action::ServeStarted(url))
            }
            Effect::StopServe => {
                self.stop_endpoint();
                Some(Action::ServeStopped)
            }
            Effect::ReconfigureServe(config) => {
                let handle = self.endpoint.as_ref()?;
                Some(Action::ServeReconfigured(handle.reconfigure(config)))
            }
            Effect::SetServeClock(clock) => {
                if let Some(handle) = &self.endpoint {
                    handle.set_clock(clock);
                }
                None
            }
        }
    }

    /// The requests the endpoint answered since the last call, if it runs and there are any.
    pub fn poll(&mut self) -> Option<Action> {
        let records = self.endpoint.as_ref()?.drain_requests();
        (!records.is_empty()).then_some(Action::ServeRequests(records))
    }

    fn stop_endpoint(&mut self) {
        if let Some(handle) = self.endpoint.take() {
            handle.stop();
        }
    }
}

/// Runs the effects of a step at the edge, and feeds their outcomes back as steps.
fn run_effects(app: &mut App, edge: &mut Edge, effects: Vec<Effect>) {
    let mut pending: VecDeque<Effect> = effects.into();
    while let Some(effect) = pending.pop_front() {
        if let Some(action) = edge.run(effect) {
            pending.extend(step(app, action));
        }
    }
}

/// Applies one action and what its effects bring back, without minting.
fn dispatch(app: &mut App, edge: &mut Edge, action: Action) {
    let effects = step(app, action);
    run_effects(app, edge, effects);
}

/// Ends a batch: one mint, and its effects.
fn finish(app: &mut App, edge: &mut Edge) {
    let effects = settle(app);
    run_effects(app, edge, effects);
}

/// The main loop: draw when something changed, wait for input or the next tick, take every
/// input that is already waiting as one batch (one mint, one frame), update.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut dyn EventSource,
    edge: &mut Edge,
) -> io::Result<()> {
    let mut dirty = true;
    let mut hits = Hits::default();
    let mut deadline = Instant::now() + until_next_tick(app);
    while !app.quit {
        if terminal::take_redraw() {
            terminal
                .clear()
                .map_err(|e| io::Error::other(e.to_string()))?;
            dirty = true;
        }
        if dirty {
            terminal
                .draw(|frame| hits = layout::draw(app, frame))
                .map_err(|e| io::Error::other(e.to_string()))?;
            dirty = false;
        }
        let timeout = deadline.saturating_duration_since(Instant::now());
        if let Some(first) = events.next(timeout)? {
            let started = Instant::now();
            let mut handled = 0;
            let mut event = Some(first);
            while let Some(this) = event.take() {
                if let Some(action) = event::to_action(app, &hits, this) {
                    dispatch(app, edge, action);
                }
                handled += 1;
                if app.quit || handled >= MAX_BATCH || started.elapsed() >= BATCH_TIME {
                    break;
                }
                event = events.next(Duration::ZERO)?;
            }
            finish(app, edge);
            dirty = true;
        }
        if Instant::now() >= deadline {
            let shown = app.now.timestamp();
            dispatch(app, edge, Action::Tick);
            let requests = edge.poll();
            let arrived = requests.is_some();
            if let Some(requests) = requests {
                dispatch(app, edge, requests);
            }
            finish(app, edge);
            deadline = Instant::now() + until_next_tick(app);
            // A frame only when what it shows changed: the clock's whole second (a paused
            // clock shows none), or requests the endpoint answered.
            dirty |= arrived || app.now.timestamp() != shown;
        }
    }
    Ok(())
}

/// Time to the next tick: at ×1 the next whole second on the clock, so the countdown turns over
/// on the second; on a fast clock a frame a real second (at ×600, ten minutes of the lab's
/// picture) is enough to watch it move, and costs no more than the ×1 countdown.
pub fn until_next_tick(app: &App) -> Duration {
    let into_second = u64::from(app.clock.now().timestamp_subsec_millis());
    let left = 1000 - into_second.min(999);
    match app.clock.speed() {
        1 if !app.clock.is_paused() => Duration::from_millis(left + 1),
        _ => Duration::from_secs(1),
    }
}
