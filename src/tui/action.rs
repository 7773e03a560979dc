//! The one currency of the workbench: everything that can happen becomes an [`Action`], and
//! everything the workbench asks of the outside world is an [`Effect`].

use crate::clock::Clock;
use crate::serve::{RequestRecord, ServeConfig};

use super::layout::Target;

/// What the user (or the clock, or the terminal, or the endpoint) asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Quit,
    NextPlatform,
    PreviousPlatform,
    NextField,
    PreviousField,
    /// Enter on a row: edit a text field, add a room, or cycle a choice.
    Activate,
    /// ← and → on a choice, or on a room's operations.
    Left,
    Right,
    /// Space: cycle a choice forward, or toggle the operation under the cursor.
    Toggle,
    RemoveEntry,
    /// A printable key on a focused text field that is not being edited: editing starts with it.
    TypeToEdit(char),
    /// Ends text editing (Enter or Esc); the value is already live.
    EndEdit,
    Insert(char),
    Backspace,
    Delete,
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    ClearToStart,
    /// A paste: into the field or box being edited, else inspected as a token.
    Paste(String),
    OpenInspect,
    /// Enter in the paste box: decode and verify what it holds.
    SubmitInspect,
    CancelInspect,
    CopyToken,
    CopyClaims,
    /// What the copy effect did, reported back by the edge.
    Copied(CopyReport),
    ToggleReveal,
    ToggleTheme,
    ToggleLocalTime,
    ToggleHelp,
    CloseHelp,
    /// Focus the next pane (form → token → claims → findings → requests, when shown).
    NextPane,
    FocusFindings,
    FocusRequests,
    /// Back to the form from any pane; from an inspected token, back to the minted one.
    Back,
    SelectUp,
    SelectDown,
    /// Enter on a finding: focus the field it names.
    GoToFinding,
    /// Start the local auth endpoint with the forms, or stop it.
    ToggleServe,
    /// The endpoint listens at this base URL, or could not start (why, in one sentence).
    ServeStarted(Result<String, String>),
    ServeStopped,
    /// The endpoint took the new forms, or refused them (it keeps the old ones).
    ServeReconfigured(Result<(), String>),
    /// Requests the endpoint answered since the last tick, oldest first.
    ServeRequests(Vec<RequestRecord>),
    /// Enter on a request: inspect the token it returned.
    InspectRequest,
    /// A click on something the last frame drew.
    Click(Target),
    /// The mouse wheel over the screen: down or up.
    Scroll {
        down: bool,
    },
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock moved: only the countdown, relative times and findings change.
    Tick,
    /// Open or close the lifetime lab.
    ToggleLab,
    /// The virtual clock: pause or resume, one speed slower or faster, a jump by seconds, to
    /// 10 s before the token's expiry, back to real time at ×1.
    ClockPause,
    ClockSlower,
    ClockFaster,
    ClockJump(i64),
    ClockToExpiry,
    ClockReset,
}

/// What to copy; also names it in the status line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyWhat {
    Token,
    Claims,
}

impl CopyWhat {
    pub fn label(self) -> &'static str {
        match self {
            CopyWhat::Token => "the token",
            CopyWhat::Claims => "the claims JSON",
        }
    }
}

/// The outcome of one copy: each clipboard path tried, and whether it worked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyReport {
    pub what: CopyWhat,
    pub chars: usize,
    /// (path name, Ok or the reason it failed).
    pub paths: Vec<(&'static str, Result<(), String>)>,
}

/// A request to the outside world, run at the edge of the loop.
#[derive(Clone, Debug)]
pub enum Effect {
    Copy {
        what: CopyWhat,
        text: String,
    },
    /// Listen on loopback at `port` (0: any free port) and mint with `config`.
    StartServe {
        config: ServeConfig,
        port: u16,
    },
    StopServe,
    /// The forms changed while serving: the requests that follow get the new ones.
    ReconfigureServe(ServeConfig),
    /// The workbench's clock changed (speed, pause, jump): the endpoint mints on it too.
    SetServeClock(Clock),
}
