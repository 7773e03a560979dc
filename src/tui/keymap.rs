//! The key table: which key does what, where. The same table maps key presses to actions,
//! writes the footer's hints and generates the help, so the three cannot drift.
//!
//! A keystroke meant as text is never a command: on a text field a printable key types (and
//! starts editing), so every command has a key that cannot be typed (Ctrl or F), bound in
//! [`Context::Global`], which holds everywhere. Bare letters work only where nothing is typed:
//! the token, claims, findings and requests panes, the lab's timeline, the help.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::app::App;

/// Where a binding applies. The workbench looks in the contexts of its current state, most
/// specific first (see [`App::contexts`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Everywhere, typing included: keys that cannot be typed.
    Global,
    /// Where nothing is typed: bare letters as commands.
    Commands,
    /// The form pane, on a field.
    Form,
    /// The form pane, on one room of a rooms field.
    Room,
    /// The form pane, on one name of a pairs field (a privilege and its time).
    Pair,
    /// Typing into a field.
    Editing,
    /// The paste box of inspect.
    Inspect,
    /// The findings pane.
    Findings,
    /// The token or claims pane.
    Scroll,
    /// The requests pane of the local auth endpoint.
    Requests,
    /// The lifetime lab's screen.
    Lab,
    Help,
}

impl Context {
    /// Every context, in the order the help and the README list them.
    pub const ALL: [Context; 12] = [
        Context::Global,
        Context::Commands,
        Context::Form,
        Context::Room,
        Context::Pair,
        Context::Editing,
        Context::Findings,
        Context::Scroll,
        Context::Lab,
        Context::Inspect,
        Context::Requests,
        Context::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Anywhere, typing included",
            Context::Commands => "Where nothing is typed (panes, the lab's timeline)",
            Context::Form => "Form",
            Context::Room => "Form, on a room",
            Context::Pair => "Form, on a named value (a privilege's time)",
            Context::Editing => "Editing a field",
            Context::Inspect => "Inspect box",
            Context::Findings => "Findings",
            Context::Scroll => "Token and claims panes",
            Context::Requests => "Requests to the endpoint",
            Context::Lab => "Lifetime lab",
            Context::Help => "Help",
        }
    }
}

/// A key as the table writes it: a code and the modifiers that matter (Ctrl, Alt).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

const fn f(n: u8) -> Key {
    key(KeyCode::F(n))
}

impl Key {
    /// Whether a pressed key is this one. Shift is part of the character ('P') or of the code
    /// (BackTab), so only Ctrl and Alt are compared.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let significant = KeyModifiers::CONTROL | KeyModifiers::ALT;
        self.code == event.code && self.modifiers == event.modifiers & significant
    }
}

#[derive(Debug)]
pub struct Binding {
    pub keys: &'static [Key],
    /// The keys as the help and footer write them.
    pub label: &'static str,
    pub context: Context,
    pub action: Action,
    pub description: &'static str,
    /// The footer's short word for it, when it earns a place there.
    pub hint: Option<&'static str>,
}

macro_rules! bind {
    ($context:ident, [$($key:expr),+], $label:literal, $action:expr, $description:literal) => {
        Binding { keys: &[$($key),+], label: $label, context: Context::$context, action: $action, description: $description, hint: None }
    };
    ($context:ident, [$($key:expr),+], $label:literal, $action:expr, $description:literal, $hint:literal) => {
        Binding { keys: &[$($key),+], label: $label, context: Context::$context, action: $action, description: $description, hint: Some($hint) }
    };
}

/// Every binding of the workbench. Typing needs no entry: a printable key is inserted.
pub static KEYS: &[Binding] = &[
    bind!(
        Editing,
        [key(KeyCode::Enter), key(KeyCode::Esc)],
        "Enter/Esc",
        Action::EndEdit,
        "finish editing (the value is live as you type)",
        "done"
    ),
    bind!(
        Editing,
        [key(KeyCode::Left)],
        "←",
        Action::CursorLeft,
        "move the cursor left"
    ),
    bind!(
        Editing,
        [key(KeyCode::Right)],
        "→",
        Action::CursorRight,
        "move the cursor right"
    ),
    bind!(
        Editing,
        [key(KeyCode::Home), ctrl('a')],
        "Home/Ctrl-A",
        Action::CursorHome,
        "cursor to the start"
    ),
    bind!(
        Editing,
        [key(KeyCode::End), ctrl('e')],
        "End/Ctrl-E",
        Action::CursorEnd,
        "cursor to the end"
    ),
    bind!(
        Editing,
        [key(KeyCode::Backspace)],
        "Backspace",
        Action::Backspace,
        "delete before the cursor"
    ),
    bind!(
        Editing,
        [key(KeyCode::Delete)],
        "Del",
        Action::Delete,
        "delete under the cursor"
    ),
    bind!(
        Editing,
        [ctrl('u')],
        "Ctrl-U",
        Action::ClearToStart,
        "delete to the start",
        "clear"
    ),
    bind!(
        Inspect,
        [key(KeyCode::Enter)],
        "Enter",
        Action::SubmitInspect,
        "decode and verify the pasted token",
        "inspect"
    ),
    bind!(
        Inspect,
        [key(KeyCode::Esc)],
        "Esc",
        Action::CancelInspect,
        "close the box",
        "cancel"
    ),
    bind!(
        Inspect,
        [key(KeyCode::Backspace)],
        "Backspace",
        Action::Backspace,
        "delete before the cursor"
    ),
    bind!(
        Inspect,
        [ctrl('u')],
        "Ctrl-U",
        Action::ClearToStart,
        "clear the box",
        "clear"
    ),
    bind!(
        Help,
        [ch('?'), key(KeyCode::Esc), f(1), ch('q')],
        "F1/?/Esc",
        Action::CloseHelp,
        "close the help",
        "close"
    ),
    bind!(
        Help,
        [key(KeyCode::Down), ch('j')],
        "↓",
        Action::SelectDown,
        "scroll down"
    ),
    bind!(
        Help,
        [key(KeyCode::Up), ch('k')],
        "↑",
        Action::SelectUp,
        "scroll up"
    ),
    bind!(
        Room,
        [key(KeyCode::Left)],
        "←",
        Action::Left,
        "previous operation of the room"
    ),
    bind!(
        Room,
        [key(KeyCode::Right)],
        "→",
        Action::Right,
        "next operation of the room",
        "operation"
    ),
    bind!(
        Room,
        [ch(' ')],
        "Space",
        Action::Toggle,
        "grant or revoke the operation",
        "toggle"
    ),
    bind!(
        Room,
        [key(KeyCode::Enter)],
        "Enter",
        Action::Activate,
        "rename the room (or type over it)"
    ),
    bind!(
        Room,
        [key(KeyCode::Delete)],
        "Del",
        Action::RemoveEntry,
        "remove the room",
        "remove"
    ),
    bind!(
        Pair,
        [key(KeyCode::Enter)],
        "Enter",
        Action::Activate,
        "edit the value (or type over it); empty: not set"
    ),
    bind!(
        Pair,
        [key(KeyCode::Delete)],
        "Del",
        Action::RemoveEntry,
        "clear the value",
        "clear"
    ),
    bind!(
        Form,
        [key(KeyCode::Tab), key(KeyCode::Down)],
        "Tab/↓",
        Action::NextField,
        "next field",
        "next"
    ),
    bind!(
        Form,
        [key(KeyCode::BackTab), key(KeyCode::Up)],
        "S-Tab/↑",
        Action::PreviousField,
        "previous field"
    ),
    bind!(
        Form,
        [key(KeyCode::Enter)],
        "Enter",
        Action::Activate,
        "edit the field (or add a room); typing on a field edits it too",
        "edit"
    ),
    bind!(
        Form,
        [key(KeyCode::Left)],
        "←",
        Action::Left,
        "previous choice"
    ),
    bind!(
        Form,
        [key(KeyCode::Right), ch(' ')],
        "→/Space",
        Action::Right,
        "next choice (a letter picks the choice it starts)"
    ),
    bind!(
        Findings,
        [key(KeyCode::Down), ch('j')],
        "↓",
        Action::SelectDown,
        "next finding"
    ),
    bind!(
        Findings,
        [key(KeyCode::Up), ch('k')],
        "↑",
        Action::SelectUp,
        "previous finding"
    ),
    bind!(
        Findings,
        [key(KeyCode::Enter)],
        "Enter",
        Action::GoToFinding,
        "go to the field the finding names",
        "go to field"
    ),
    bind!(
        Scroll,
        [key(KeyCode::Down), ch('j')],
        "↓",
        Action::SelectDown,
        "scroll down",
        "scroll"
    ),
    bind!(
        Scroll,
        [key(KeyCode::Up), ch('k')],
        "↑",
        Action::SelectUp,
        "scroll up"
    ),
    bind!(
        Requests,
        [key(KeyCode::Down), ch('j')],
        "↓",
        Action::SelectDown,
        "older request"
    ),
    bind!(
        Requests,
        [key(KeyCode::Up), ch('k')],
        "↑",
        Action::SelectUp,
        "newer request (the top line is the port)"
    ),
    bind!(
        Requests,
        [key(KeyCode::Enter)],
        "Enter",
        Action::InspectRequest,
        "inspect the token the request got, or change the port",
        "inspect"
    ),
    bind!(
        Lab,
        [key(KeyCode::Tab), key(KeyCode::Down)],
        "Tab/↓",
        Action::NextField,
        "next scenario field, or the next event (F6 goes between the two)",
        "next"
    ),
    bind!(
        Lab,
        [key(KeyCode::BackTab), key(KeyCode::Up)],
        "S-Tab/↑",
        Action::PreviousField,
        "previous scenario field, or the previous event"
    ),
    bind!(
        Lab,
        [key(KeyCode::Enter)],
        "Enter",
        Action::Activate,
        "edit the scenario field (an offset after iat: 90s, 14m); add or remove the model beside; on an event, move the clock to it",
        "edit"
    ),
    bind!(
        Lab,
        [key(KeyCode::Left)],
        "←",
        Action::Left,
        "previous choice (model, model beside, what the endpoint gives)"
    ),
    bind!(
        Lab,
        [key(KeyCode::Right)],
        "→",
        Action::Right,
        "next choice (contrast with another platform, or play it beside)"
    ),
    bind!(
        Global,
        [ctrl('y')],
        "Ctrl-Y",
        Action::CopyToken,
        "copy the token (OSC 52 and the system clipboard)",
        "copy"
    ),
    bind!(
        Global,
        [ctrl('n')],
        "Ctrl-N",
        Action::NextPlatform,
        "next platform",
        "platform"
    ),
    bind!(
        Global,
        [ctrl('p')],
        "Ctrl-P",
        Action::PreviousPlatform,
        "previous platform"
    ),
    bind!(
        Global,
        [ctrl('o')],
        "Ctrl-O",
        Action::OpenInspect,
        "inspect a token (or paste one anywhere)",
        "inspect"
    ),
    bind!(
        Global,
        [ctrl('l')],
        "Ctrl-L",
        Action::ToggleLab,
        "open or close the lifetime lab",
        "lab"
    ),
    bind!(
        Global,
        [ctrl('s')],
        "Ctrl-S",
        Action::ToggleServe,
        "serve these forms on a local auth endpoint (loopback), or stop it",
        "serve"
    ),
    bind!(
        Global,
        [f(1)],
        "F1",
        Action::ToggleHelp,
        "this help",
        "help"
    ),
    bind!(
        Global,
        [ctrl('q'), ctrl('c')],
        "Ctrl-Q/Ctrl-C",
        Action::Quit,
        "quit",
        "quit"
    ),
    bind!(
        Global,
        [f(2)],
        "F2",
        Action::CopyClaims,
        "copy the claims as JSON"
    ),
    bind!(
        Global,
        [ctrl('r')],
        "Ctrl-R",
        Action::ToggleReveal,
        "reveal or mask the secrets"
    ),
    bind!(
        Global,
        [ctrl('t')],
        "Ctrl-T",
        Action::ToggleTheme,
        "dark or light theme"
    ),
    bind!(
        Global,
        [f(3)],
        "F3",
        Action::ToggleLocalTime,
        "dates in UTC or local time"
    ),
    bind!(
        Global,
        [ctrl('g')],
        "Ctrl-G",
        Action::FocusFindings,
        "go to the findings"
    ),
    bind!(
        Global,
        [f(5)],
        "F5",
        Action::FocusRequests,
        "go to the requests the endpoint answered"
    ),
    bind!(Global, [f(6)], "F6", Action::NextPane, "next pane"),
    bind!(
        Global,
        [f(7)],
        "F7",
        Action::ClockSlower,
        "slower clock (×600, ×60, ×10, ×1)"
    ),
    bind!(
        Global,
        [f(8)],
        "F8",
        Action::ClockFaster,
        "faster clock (×1, ×10, ×60, ×600)"
    ),
    bind!(
        Global,
        [f(9)],
        "F9",
        Action::ClockPause,
        "pause or resume the clock"
    ),
    bind!(
        Global,
        [key(KeyCode::Esc)],
        "Esc",
        Action::Back,
        "back to the form; leave an inspected token or the lab"
    ),
    bind!(
        Commands,
        [ch('c')],
        "c",
        Action::CopyToken,
        "copy the token"
    ),
    bind!(
        Commands,
        [ch('C')],
        "C",
        Action::CopyClaims,
        "copy the claims as JSON"
    ),
    bind!(
        Commands,
        [ch('p')],
        "p",
        Action::NextPlatform,
        "next platform"
    ),
    bind!(
        Commands,
        [ch('P')],
        "P",
        Action::PreviousPlatform,
        "previous platform"
    ),
    bind!(
        Commands,
        [ch('i')],
        "i",
        Action::OpenInspect,
        "inspect a token"
    ),
    bind!(
        Commands,
        [ch('r')],
        "r",
        Action::ToggleReveal,
        "reveal or mask the secrets"
    ),
    bind!(
        Commands,
        [ch('u')],
        "u",
        Action::ToggleLocalTime,
        "dates in UTC or local time"
    ),
    bind!(
        Commands,
        [ch('t')],
        "t",
        Action::ToggleTheme,
        "dark or light theme"
    ),
    bind!(Commands, [ch('w')], "w", Action::NextPane, "next pane"),
    bind!(
        Commands,
        [ch('f')],
        "f",
        Action::FocusFindings,
        "go to the findings"
    ),
    bind!(
        Commands,
        [ch('R')],
        "R",
        Action::FocusRequests,
        "go to the requests"
    ),
    bind!(
        Commands,
        [ch('l')],
        "l",
        Action::ToggleLab,
        "open or close the lifetime lab"
    ),
    bind!(Commands, [ch('?')], "?", Action::ToggleHelp, "this help"),
    bind!(
        Commands,
        [ch('z'), ch(' ')],
        "z/Space",
        Action::ClockPause,
        "pause or resume the clock"
    ),
    bind!(
        Commands,
        [ch('<')],
        "<",
        Action::ClockSlower,
        "slower clock"
    ),
    bind!(
        Commands,
        [ch('>')],
        ">",
        Action::ClockFaster,
        "faster clock"
    ),
    bind!(
        Commands,
        [ch(']')],
        "]",
        Action::ClockJump(60),
        "clock +1 minute"
    ),
    bind!(
        Commands,
        [ch('}')],
        "}",
        Action::ClockJump(600),
        "clock +10 minutes"
    ),
    bind!(
        Commands,
        [ch('H')],
        "H",
        Action::ClockJump(3600),
        "clock +1 hour"
    ),
    bind!(
        Commands,
        [ch('X')],
        "X",
        Action::ClockToExpiry,
        "clock to 10 s before the token expires"
    ),
    bind!(
        Commands,
        [ch('0')],
        "0",
        Action::ClockReset,
        "clock back to real time at ×1"
    ),
    bind!(Commands, [ch('q')], "q", Action::Quit, "quit"),
];

/// The first binding for `event` in `contexts`, searched in order.
pub fn lookup(contexts: &[Context], event: &KeyEvent) -> Option<&'static Binding> {
    contexts.iter().find_map(|context| {
        KEYS.iter()
            .filter(|b| b.context == *context)
            .find(|b| b.keys.iter().any(|k| k.matches(event)))
    })
}

/// Whether a binding moves the virtual clock (the lab lists these beside the clock).
pub fn is_clock_key(binding: &Binding) -> bool {
    matches!(
        binding.action,
        Action::ClockPause
            | Action::ClockSlower
            | Action::ClockFaster
            | Action::ClockJump(_)
            | Action::ClockToExpiry
            | Action::ClockReset
    ) && matches!(binding.context, Context::Commands | Context::Global)
}

/// The footer's hints for the app's state: (keys, word), most specific context first; a key
/// that a more specific context took is not hinted again. The serve hint says what the key does
/// now (serve, or stop).
pub fn hints(app: &App) -> Vec<(&'static str, &'static str)> {
    let mut taken: Vec<Key> = Vec::new();
    let mut hints = Vec::new();
    for context in app.contexts() {
        let bindings: Vec<&Binding> = KEYS.iter().filter(|b| b.context == context).collect();
        for binding in &bindings {
            if let Some(hint) = binding.hint
                && !binding.keys.iter().any(|k| taken.contains(k))
            {
                let hint = match binding.action {
                    Action::ToggleServe if app.endpoint.is_serving() => "stop",
                    _ => hint,
                };
                hints.push((binding.label, hint));
            }
        }
        taken.extend(bindings.iter().flat_map(|b| b.keys.iter().copied()));
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn the_most_specific_context_wins() {
        let enter = press(KeyCode::Enter, KeyModifiers::NONE);
        let binding = lookup(&[Context::Findings, Context::Global], &enter).unwrap();
        assert_eq!(binding.action, Action::GoToFinding);
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(
            lookup(&[Context::Findings, Context::Commands, Context::Global], &q)
                .unwrap()
                .action,
            Action::Quit
        );
        assert!(
            lookup(&[Context::Editing, Context::Global], &q).is_none(),
            "q is typed while editing"
        );
        assert!(
            lookup(&[Context::Form, Context::Global], &q).is_none(),
            "q is typed on a form field"
        );
    }

    #[test]
    fn shift_belongs_to_the_character_and_ctrl_is_significant() {
        let shift_p = press(KeyCode::Char('P'), KeyModifiers::SHIFT);
        assert_eq!(
            lookup(&[Context::Commands], &shift_p).unwrap().action,
            Action::PreviousPlatform
        );
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            lookup(&[Context::Global], &ctrl_c).unwrap().action,
            Action::Quit
        );
        let back_tab = press(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            lookup(&[Context::Form], &back_tab).unwrap().action,
            Action::PreviousField
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_a_context_and_global_keys_cannot_be_typed() {
        for (i, a) in KEYS.iter().enumerate() {
            for b in &KEYS[i + 1..] {
                if a.context == b.context {
                    assert!(
                        !a.keys.iter().any(|k| b.keys.contains(k)),
                        "{} and {} share a key in {:?}",
                        a.label,
                        b.label,
                        a.context
                    );
                }
            }
            if a.context == Context::Global {
                for k in a.keys {
                    let typed = matches!(k.code, KeyCode::Char(_)) && k.modifiers.is_empty();
                    assert!(!typed, "{} is a global key that can be typed", a.label);
                }
            }
        }
    }
}
