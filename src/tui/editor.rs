//! A line being typed, with its cursor: what the form's fields, the lab's scenario and the
//! inspect box all edit with. The cursor is kept as a byte offset on a char boundary, so a long
//! paste typed key by key costs constant time a key, not a scan of the text.

use zeroize::Zeroizing;

use super::action::Action;

#[derive(Clone, Debug, Default)]
pub struct TextInput {
    /// Zeroed when dropped: the text may be a secret.
    pub text: Zeroizing<String>,
    /// A byte offset into `text`, always on a char boundary.
    cursor: usize,
}

impl TextInput {
    /// `text` with the cursor at its end.
    pub fn at_end(text: impl Into<String>) -> Self {
        let text = text.into();
        TextInput {
            cursor: text.len(),
            text: Zeroizing::new(text),
        }
    }

    /// The cursor as a char index, for drawing.
    pub fn cursor_chars(&self) -> usize {
        self.text[..self.cursor].chars().count()
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn previous_boundary(&self) -> usize {
        self.text[..self.cursor]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self) -> usize {
        self.text[self.cursor..]
            .chars()
            .next()
            .map_or(self.cursor, |c| self.cursor + c.len_utf8())
    }

    /// Applies an editing action; true when the text changed.
    pub fn apply(&mut self, action: &Action) -> bool {
        match action {
            Action::Insert(c) => {
                self.text.insert(self.cursor, *c);
                self.cursor += c.len_utf8();
                true
            }
            Action::Paste(pasted) => {
                self.text.insert_str(self.cursor, pasted);
                self.cursor += pasted.len();
                !pasted.is_empty()
            }
            Action::Backspace if self.cursor > 0 => {
                let at = self.previous_boundary();
                self.text.replace_range(at..self.cursor, "");
                self.cursor = at;
                true
            }
            Action::Delete if self.cursor < self.text.len() => {
                let end = self.next_boundary();
                self.text.replace_range(self.cursor..end, "");
                true
            }
            Action::ClearToStart if self.cursor > 0 => {
                self.text.replace_range(..self.cursor, "");
                self.cursor = 0;
                true
            }
            Action::CursorLeft => {
                self.cursor = self.previous_boundary();
                false
            }
            Action::CursorRight => {
                self.cursor = self.next_boundary();
                false
            }
            Action::CursorHome => {
                self.cursor = 0;
                false
            }
            Action::CursorEnd => {
                self.cursor = self.text.len();
                false
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply_all(input: &mut TextInput, actions: &[Action]) {
        for action in actions {
            input.apply(action);
        }
    }

    #[test]
    fn edits_at_the_cursor_across_multibyte_characters() {
        let mut input = TextInput::at_end("abc🎉");
        assert_eq!(input.cursor_chars(), 4);
        apply_all(
            &mut input,
            &[
                Action::CursorLeft,
                Action::Insert('é'),
                Action::CursorEnd,
                Action::Backspace,
            ],
        );
        assert_eq!(input.as_str(), "abcé");
        apply_all(
            &mut input,
            &[Action::CursorHome, Action::Delete, Action::CursorRight],
        );
        assert_eq!((input.as_str(), input.cursor_chars()), ("bcé", 1));
        apply_all(&mut input, &[Action::ClearToStart]);
        assert_eq!(input.as_str(), "cé");
        assert!(
            !input.apply(&Action::Backspace),
            "nothing before the cursor"
        );
        assert!(input.apply(&Action::Paste("xy".into())));
        assert_eq!((input.as_str(), input.cursor_chars()), ("xycé", 2));
    }
}
