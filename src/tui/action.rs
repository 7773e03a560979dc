//! The one currency of the workbench: everything that can happen becomes an [`Action`], and
//! everything the workbench asks of the outside world is an [`Effect`].

/// What the user (or the clock, or the terminal) asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    NextPlatform,
    PreviousPlatform,
    NextField,
    PreviousField,
    /// Enter on a form row: edit a text field, add a room, or cycle a choice.
    Activate,
    /// ← and → on a choice, or on a room's operations.
    Left,
    Right,
    /// Space: cycle a choice forward, or toggle the operation under the cursor.
    Toggle,
    RemoveRoom,
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
    /// A bracketed paste: into the field or box being edited, else inspected as a token.
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
    /// Focus the next pane (form → token → claims → findings).
    NextPane,
    FocusFindings,
    /// Back to the form from any pane; from an inspected token, back to the minted one.
    Back,
    SelectUp,
    SelectDown,
    /// Enter on a finding: focus the field it names.
    GoToFinding,
    Click {
        column: u16,
        row: u16,
    },
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock moved: only the countdown and relative times change.
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Copy { what: CopyWhat, text: String },
}
