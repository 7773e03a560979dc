//! The key table: which key does what, where. The same table maps key presses to actions,
//! writes the footer's hints and generates the `?` help, so the three cannot drift.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// Where a binding applies. The workbench looks in the contexts of its current mode, most
/// specific first (see [`super::app::App::contexts`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Anywhere outside a text box or the help.
    Global,
    /// The form pane, on a field.
    Form,
    /// The form pane, on a permission's room.
    Room,
    /// Typing into a field.
    Editing,
    /// The paste box of inspect.
    Inspect,
    /// The findings pane.
    Findings,
    /// The token or claims pane.
    Scroll,
    /// The lifetime lab's screen.
    Lab,
    Help,
}

impl Context {
    /// Every context, in the order the help and the README list them.
    pub const ALL: [Context; 9] = [
        Context::Global,
        Context::Form,
        Context::Room,
        Context::Editing,
        Context::Findings,
        Context::Scroll,
        Context::Lab,
        Context::Inspect,
        Context::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Anywhere (not while typing)",
            Context::Form => "Form",
            Context::Room => "Permissions (on a room)",
            Context::Editing => "Editing a field",
            Context::Inspect => "Inspect box",
            Context::Findings => "Findings",
            Context::Scroll => "Token and claims panes",
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

impl Key {
    /// Whether a pressed key is this one. Shift is part of the character ('P') or of the code
    /// (BackTab), so only Ctrl and Alt are compared.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let significant = KeyModifiers::CONTROL | KeyModifiers::ALT;
        self.code == event.code && self.modifiers == event.modifiers & significant
    }
}

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

/// Every binding of the workbench. Typing in a text box needs no entry: any other printable
/// character is inserted.
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
        "Home",
        Action::CursorHome,
        "cursor to the start"
    ),
    bind!(
        Editing,
        [key(KeyCode::End), ctrl('e')],
        "End",
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
    bind!(Editing, [ctrl('c')], "Ctrl-C", Action::Quit, "quit"),
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
    bind!(Inspect, [ctrl('c')], "Ctrl-C", Action::Quit, "quit"),
    bind!(
        Help,
        [ch('?'), key(KeyCode::Esc), ch('q')],
        "?/Esc",
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
    bind!(Help, [ctrl('c')], "Ctrl-C", Action::Quit, "quit"),
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
        "rename the room"
    ),
    bind!(
        Room,
        [ch('x'), key(KeyCode::Delete)],
        "x/Del",
        Action::RemoveRoom,
        "remove the room",
        "remove"
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
        "edit the field (or add a room)",
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
        "next choice"
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
        Global,
        [ch('p')],
        "p",
        Action::NextPlatform,
        "next platform",
        "platform"
    ),
    bind!(
        Global,
        [ch('P')],
        "P",
        Action::PreviousPlatform,
        "previous platform"
    ),
    bind!(
        Global,
        [ch('c')],
        "c",
        Action::CopyToken,
        "copy the token (OSC 52 and the system clipboard)",
        "copy"
    ),
    bind!(
        Global,
        [ch('C')],
        "C",
        Action::CopyClaims,
        "copy the claims as JSON"
    ),
    bind!(
        Global,
        [ch('i')],
        "i",
        Action::OpenInspect,
        "inspect a token (or paste one anywhere)",
        "inspect"
    ),
    bind!(
        Global,
        [ch('r')],
        "r",
        Action::ToggleReveal,
        "reveal or mask the secrets"
    ),
    bind!(
        Global,
        [ch('u')],
        "u",
        Action::ToggleLocalTime,
        "dates in UTC or local time"
    ),
    bind!(
        Global,
        [ch('t')],
        "t",
        Action::ToggleTheme,
        "dark or light theme"
    ),
    bind!(Global, [ch('w')], "w", Action::NextPane, "next pane"),
    bind!(
        Global,
        [ch('f')],
        "f",
        Action::FocusFindings,
        "go to the findings"
    ),
    bind!(
        Global,
        [key(KeyCode::Esc)],
        "Esc",
        Action::Back,
        "back to the form; leave an inspected token"
    ),
    bind!(
        Global,
        [ch('?')],
        "?",
        Action::ToggleHelp,
        "this help",
        "help"
    ),
    bind!(
        Lab,
        [key(KeyCode::Tab), key(KeyCode::Down)],
        "Tab/↓",
        Action::NextField,
        "next scenario field",
        "next"
    ),
    bind!(
        Lab,
        [key(KeyCode::BackTab), key(KeyCode::Up)],
        "S-Tab/↑",
        Action::PreviousField,
        "previous scenario field"
    ),
    bind!(
        Lab,
        [key(KeyCode::Enter)],
        "Enter",
        Action::Activate,
        "edit the scenario field (an offset after iat: 90s, 14m)",
        "edit"
    ),
    bind!(
        Lab,
        [key(KeyCode::Left)],
        "←",
        Action::Left,
        "previous model"
    ),
    bind!(
        Lab,
        [key(KeyCode::Right)],
        "→",
        Action::Right,
        "next model (contrast with agora or livekit)"
    ),
    bind!(
        Lab,
        [ch(' ')],
        "Space",
        Action::ClockPause,
        "pause or resume the clock",
        "pause"
    ),
    bind!(
        Global,
        [ch('l')],
        "l",
        Action::ToggleLab,
        "open or close the lifetime lab",
        "lab"
    ),
    bind!(
        Global,
        [ch('z')],
        "z",
        Action::ClockPause,
        "pause or resume the clock"
    ),
    bind!(
        Global,
        [ch('<')],
        "<",
        Action::ClockSlower,
        "slower clock (×600, ×60, ×10, ×1)"
    ),
    bind!(
        Global,
        [ch('>')],
        ">",
        Action::ClockFaster,
        "faster clock (×1, ×10, ×60, ×600)"
    ),
    bind!(
        Global,
        [ch(']')],
        "]",
        Action::ClockJump(60),
        "clock +1 minute"
    ),
    bind!(
        Global,
        [ch('}')],
        "}",
        Action::ClockJump(600),
        "clock +10 minutes"
    ),
    bind!(
        Global,
        [ch('H')],
        "H",
        Action::ClockJump(3600),
        "clock +1 hour"
    ),
    bind!(
        Global,
        [ch('X')],
        "X",
        Action::ClockToExpiry,
        "clock to 10 s before the token expires"
    ),
    bind!(
        Global,
        [ch('0')],
        "0",
        Action::ClockReset,
        "clock back to real time at ×1"
    ),
    bind!(Global, [ch('q')], "q", Action::Quit, "quit", "quit"),
    bind!(Global, [ctrl('c')], "Ctrl-C", Action::Quit, "quit"),
];

/// The action of the first binding for `event` in `contexts`, searched in order.
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
    ) && binding.context == Context::Global
}

/// The footer's hints for the contexts in effect: (keys, word), most specific first; a key
/// that a more specific context took is not hinted again.
pub fn hints(contexts: &[Context]) -> Vec<(&'static str, &'static str)> {
    let mut taken: Vec<Key> = Vec::new();
    let mut hints = Vec::new();
    for context in contexts {
        let bindings: Vec<&Binding> = KEYS.iter().filter(|b| b.context == *context).collect();
        for binding in &bindings {
            if let Some(hint) = binding.hint
                && !binding.keys.iter().any(|k| taken.contains(k))
            {
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
            lookup(&[Context::Form, Context::Global], &q)
                .unwrap()
                .action,
            Action::Quit
        );
        assert!(
            lookup(&[Context::Editing], &q).is_none(),
            "q is typed while editing"
        );
    }

    #[test]
    fn shift_belongs_to_the_character_and_ctrl_is_significant() {
        let shift_p = press(KeyCode::Char('P'), KeyModifiers::SHIFT);
        assert_eq!(
            lookup(&[Context::Global], &shift_p).unwrap().action,
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
    fn no_key_is_bound_twice_in_a_context() {
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
        }
    }

    #[test]
    fn hints_come_from_the_table() {
        let hints = hints(&[Context::Form, Context::Global]);
        assert_eq!(hints[0], ("Tab/↓", "next"));
        assert!(hints.contains(&("q", "quit")));
        let on_a_room = super::hints(&[Context::Room, Context::Form, Context::Global]);
        assert!(
            !on_a_room.contains(&("Enter", "edit")),
            "Enter renames a room"
        );
    }
}
