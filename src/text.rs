//! Text from outside (a token, a request, a file) made safe to print on a terminal: control
//! characters escaped and long values shortened. `--json` output does not go through here: JSON
//! escapes controls itself and stays exact.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether printing `c` raw could move the cursor, change the terminal's state or reorder what
/// is shown: C0 and C1 controls, DEL, and the bidirectional overrides and isolates.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}'
        )
}

/// `text` with every unsafe character written as an escape (`\e`, `\n`, `\u{202e}`), so that
/// what a token or a request holds is shown, never obeyed. Text without any is borrowed.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if is_unsafe(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`escape`] line by line: text of several lines keeps its line breaks, and nothing else.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.split('\n').map(escape).collect::<Vec<_>>().join("\n"))
}

/// [`escape`], then cut to at most `max` characters with an ellipsis, for one line of a log.
pub fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    let escaped = escape(text);
    match escaped.char_indices().nth(max) {
        None => escaped,
        Some((end, _)) => Cow::Owned(format!("{}…", &escaped[..end])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_c1_del_and_bidi_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(escape("plain ✓ text"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}]52;c;x\u{7}b"), "a\\e]52;c;x\\x07b");
        assert_eq!(escape("\u{9b}2J\u{7f}"), "\\x9b2J\\x7f");
        assert_eq!(escape("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(escape("two\nlines\r\t"), "two\\nlines\\r\\t");
        for c in (0u32..0x20).chain(0x7f..0xa0) {
            let c = char::from_u32(c).unwrap();
            assert!(!escape(&c.to_string()).chars().any(is_unsafe), "{c:?}");
        }
    }

    #[test]
    fn escape_lines_keeps_line_breaks_only() {
        assert!(matches!(escape_lines("two\nlines"), Cow::Borrowed(_)));
        assert_eq!(
            escape_lines("a\u{1b}]0;x\u{7}\nb\r\n"),
            "a\\e]0;x\\x07\nb\\r\n"
        );
    }

    #[test]
    fn shorten_escapes_then_cuts_with_an_ellipsis() {
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("\u{1b}abc", 3), "\\ea…");
    }
}
