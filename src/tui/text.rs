//! Text laid out in terminal cells: wrapping, cutting and windowing by display width (a wide
//! character such as 🎉 takes two cells), and text from outside shown with its controls escaped.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Text from a token, a request or a file, as the screen shows it: controls escaped.
pub fn shown(text: &str) -> Cow<'_, str> {
    crate::text::escape(text)
}

/// The cells a character takes (controls, which [`shown`] escapes, count as none).
pub fn cells(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// The part of `text` to show in `width` cells so that the cursor (a char index) stays
/// visible, and the cursor's cell in it.
pub fn window(text: &str, cursor: usize, width: usize) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let cursor = cursor.min(chars.len());
    let width = width.max(1);
    // Start as late as needed for the cursor (and one cell after it) to fit.
    let mut start = cursor;
    let mut used = 1;
    while start > 0 && used + cells(chars[start - 1]) <= width {
        start -= 1;
        used += cells(chars[start]);
    }
    let mut shown = String::new();
    let mut filled = 0;
    for &c in &chars[start..] {
        if filled + cells(c) > width {
            break;
        }
        shown.push(c);
        filled += cells(c);
    }
    let column = chars[start..cursor].iter().map(|c| cells(*c)).sum();
    (shown, column)
}

/// Word-wraps `text`: the first line `first` cells wide, the others `rest`. Words longer
/// than a line are broken.
pub fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut width = 0usize;
    let limit = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(1);
    for word in text.split(' ') {
        let word_width = word.width();
        let gap = usize::from(!line.is_empty());
        if width + gap + word_width <= limit(&lines) {
            if gap == 1 {
                line.push(' ');
            }
            line.push_str(word);
            width += gap + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            width = 0;
        }
        for c in word.chars() {
            let w = cells(c);
            if width + w > limit(&lines) && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                width = 0;
            }
            line.push(c);
            width += w;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Cuts `text` to `width` cells, ending with … when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = cells(c);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("a bb ccc", 4, 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefgh", 3, 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("one two three", 3, 5), ["one", "two", "three"]);
        assert_eq!(wrap("", 5, 5), [""]);
        assert_eq!(wrap("x", 0, 0), ["x"]);
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("hello", 0), "");
        assert_eq!(truncate("🎉🎉🎉", 5), "🎉🎉…");
    }

    #[test]
    fn the_cursor_column_counts_cells_so_it_sits_after_wide_characters() {
        assert_eq!(window("abc🎉🎉🎉", 6, 40), ("abc🎉🎉🎉".to_string(), 9));
        assert_eq!(window("abc", 3, 40), ("abc".to_string(), 3));
        // A window narrower than the text keeps the cursor in view at its end.
        let (shown, column) = window("abcdefghij", 10, 4);
        assert_eq!((shown.as_str(), column), ("hij", 3));
        let (shown, column) = window("🎉🎉🎉🎉", 4, 5);
        assert_eq!((shown.as_str(), column), ("🎉🎉", 4));
        let (shown, column) = window("abcdef", 0, 3);
        assert_eq!((shown.as_str(), column), ("abc", 0));
    }

    #[test]
    fn text_from_outside_is_shown_escaped() {
        assert_eq!(shown("a\u{1b}]0;x\u{7}"), "a\\e]0;x\\x07");
    }
}
