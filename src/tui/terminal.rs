//! The terminal, set up and always given back: raw mode, the alternate screen, bracketed paste
//! and mouse capture are undone when the guard drops, by a panic hook, and on SIGTERM, SIGINT and
//! SIGHUP (then the program exits); around SIGTSTP and SIGCONT (suspend, resume) the terminal is
//! given back and taken again, and the screen redrawn. When the terminal goes away without a
//! signal (its window closed while SIGHUP is ignored, as under `nohup` or `trap '' HUP`), the
//! program ends too: crossterm would otherwise read the hung-up terminal's end of input forever.

use std::io::{self, BufWriter, IsTerminal, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGTSTP};

/// A frame of a full 200×60 screen with colours fits, so each frame goes out in one write.
const FRAME_BUFFER: usize = 256 * 1024;

/// Set when the terminal was given back and taken again: the next frame redraws it all.
static REDRAW: AtomicBool = AtomicBool::new(false);

/// Whether the screen must be drawn afresh (after a resume); clears the flag.
pub(super) fn take_redraw() -> bool {
    REDRAW.swap(false, Ordering::Relaxed)
}

pub(super) type Backend = CrosstermBackend<BufWriter<Stdout>>;

pub(super) struct TerminalGuard {
    pub terminal: Terminal<Backend>,
}

impl TerminalGuard {
    pub fn enter() -> Result<Self, String> {
        if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
            return Err(
                "the workbench needs a terminal: for scripts use tokenbench mint or tokenbench inspect"
                    .into(),
            );
        }
        install_panic_hook();
        take_terminal().map_err(|e| format!("cannot set up the terminal: {e}"))?;
        handle_signals();
        watch_for_hangup();
        let backend = CrosstermBackend::new(BufWriter::with_capacity(FRAME_BUFFER, io::stdout()));
        match Terminal::new(backend) {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(error) => {
                restore_terminal();
                Err(format!("cannot set up the terminal: {error}"))
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = self.terminal.backend_mut().flush();
        restore_terminal();
    }
}

fn take_terminal() -> io::Result<()> {
    enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableMouseCapture
    )
    .inspect_err(|_| restore_terminal())
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

/// A thread that waits for signals: the terminal is restored before the program ends or stops.
fn handle_signals() {
    let mut caught = vec![SIGTERM, SIGINT, SIGTSTP, SIGCONT];
    // An ignored SIGHUP (`nohup`, `trap '' HUP`) stays ignored, as the user asked; the hang-up
    // watcher still ends the program when the terminal goes.
    if !ignored(SIGHUP) {
        caught.push(SIGHUP);
    }
    let Ok(mut signals) = signal_hook::iterator::Signals::new(caught) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("tokenbench-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                match signal {
                    SIGTSTP => {
                        restore_terminal();
                        // Stop as the default action would; the thread resumes with SIGCONT.
                        let _ = signal_hook::low_level::emulate_default_handler(SIGTSTP);
                    }
                    SIGCONT => {
                        if take_terminal().is_ok() {
                            REDRAW.store(true, Ordering::Relaxed);
                        }
                    }
                    other => {
                        restore_terminal();
                        std::process::exit(128 + other);
                    }
                }
            }
        });
}

/// Whether the program started with `signal` ignored.
#[allow(unsafe_code)]
fn ignored(signal: i32) -> bool {
    // SAFETY: with a null new action, sigaction only writes the current one into `current`,
    // a zeroed struct that outlives the call.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut current) == 0
            && current.sa_sigaction == libc::SIG_IGN
    }
}

/// A thread that waits, asleep in `poll`, for the terminal to hang up (its window closed, with
/// no signal to say so), then ends the program with SIGHUP's status.
fn watch_for_hangup() {
    let _ = std::thread::Builder::new()
        .name("tokenbench-hangup".into())
        .spawn(|| {
            if stdin_hung_up() {
                restore_terminal();
                std::process::exit(128 + SIGHUP);
            }
        });
}

/// Blocks until standard input (the terminal) reports a hang-up or an error: true then, false
/// if it cannot be watched.
#[allow(unsafe_code)]
fn stdin_hung_up() -> bool {
    loop {
        // Asking for no events still reports POLLHUP, POLLERR and POLLNVAL, so the thread
        // sleeps through ordinary input.
        let mut watched = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: 0,
            revents: 0,
        };
        // SAFETY: poll reads and writes only the one pollfd passed, which outlives the call.
        let ready = unsafe { libc::poll(&mut watched, 1, -1) };
        if ready < 0 {
            if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return false;
        }
        if watched.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            return true;
        }
    }
}
