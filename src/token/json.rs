//! JSON written straight into a buffer, exactly as serde_json writes it: a token's claims cost a
//! few copies of known length rather than a map and a serialiser.

use serde_json::Value;

/// A claim's value as a platform builds it.
#[derive(Clone, Copy, Debug)]
pub enum ClaimValue<'a> {
    Str(&'a str),
    Int(i64),
    Float(f64),
    Json(&'a Value),
    /// A JSON value already serialised, such as a platform writes without building a [`Value`].
    JsonText(&'a str),
}

impl<'a> From<&'a str> for ClaimValue<'a> {
    fn from(text: &'a str) -> Self {
        ClaimValue::Str(text)
    }
}

impl From<i64> for ClaimValue<'_> {
    fn from(number: i64) -> Self {
        ClaimValue::Int(number)
    }
}

impl From<f64> for ClaimValue<'_> {
    fn from(number: f64) -> Self {
        ClaimValue::Float(number)
    }
}

impl<'a> From<&'a Value> for ClaimValue<'a> {
    fn from(value: &'a Value) -> Self {
        ClaimValue::Json(value)
    }
}

/// Writes `"name":value` into a JSON object being written in `buffer`, exactly as serde_json
/// writes a map: `{` before the first member, `,` before the others.
#[inline(always)]
pub(crate) fn write_member(buffer: &mut Vec<u8>, name: &str, value: ClaimValue<'_>) {
    buffer.push(if buffer.is_empty() { b'{' } else { b',' });
    write_str(buffer, name);
    buffer.push(b':');
    match value {
        ClaimValue::Str(text) => write_str(buffer, text),
        ClaimValue::Int(number) => write_int(buffer, number),
        // As serde_json writes a number (or `null` for NaN and the infinities).
        ClaimValue::Float(number) => {
            serde_json::to_writer(buffer, &number).expect("numbers always serialise")
        }
        ClaimValue::Json(json) => {
            serde_json::to_writer(buffer, json).expect("JSON values always serialise")
        }
        ClaimValue::JsonText(text) => buffer.extend_from_slice(text.as_bytes()),
    }
}

/// Ends the JSON object being written in `buffer` (`{}` when it has no member).
pub(crate) fn close_object(buffer: &mut Vec<u8>) {
    if buffer.is_empty() {
        buffer.push(b'{');
    }
    buffer.push(b'}');
}

/// A JSON string. Text with nothing to escape, the usual case, is copied in one go; inlined so
/// that a claim name, known when compiling, costs a check folded away and a copy of known length.
#[inline(always)]
fn write_str(buffer: &mut Vec<u8>, text: &str) {
    if needs_escape(text.as_bytes()) {
        write_escaped_str(buffer, text);
    } else {
        buffer.reserve(text.len() + 2);
        buffer.push(b'"');
        buffer.extend_from_slice(text.as_bytes());
        buffer.push(b'"');
    }
}

/// Whether JSON must escape a byte of `text` (a control character, `"` or `\\`), tested eight
/// bytes at a time: a word has such a byte when it has a byte under 0x20, or when it XOR the
/// quote (or the backslash) repeated has a zero byte.
#[inline(always)]
fn needs_escape(text: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * n as u64) & !word & HIGHS != 0;
    let has_escape = |word: u64| {
        below(word, 0x20)
            || below(word ^ (ONES * b'"' as u64), 1)
            || below(word ^ (ONES * b'\\' as u64), 1)
    };
    let mut words = text.chunks_exact(8);
    for chunk in &mut words {
        if has_escape(u64::from_ne_bytes(chunk.try_into().expect("a chunk of 8"))) {
            return true;
        }
    }
    let rest = words.remainder();
    if rest.is_empty() {
        false
    } else if text.len() >= 8 {
        // The last eight bytes, overlapping bytes already tested: one more word, not a loop.
        let word = u64::from_ne_bytes(text[text.len() - 8..].try_into().expect("eight bytes"));
        has_escape(word)
    } else {
        rest.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\')
    }
}

#[cold]
fn write_escaped_str(buffer: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(buffer, text).expect("strings always serialise");
}

/// A JSON integer, written two digits at a time from the end.
fn write_int(buffer: &mut Vec<u8>, number: i64) {
    let mut digits = [0u8; 20];
    if number < 0 {
        buffer.push(b'-');
    }
    buffer.extend_from_slice(decimal(number, &mut digits));
}

/// `number` in decimal, as text.
pub(crate) fn push_int(text: &mut String, number: i64) {
    let mut digits = [0u8; 20];
    if number < 0 {
        text.push('-');
    }
    text.push_str(std::str::from_utf8(decimal(number, &mut digits)).expect("digits are ASCII"));
}

/// The digits of `number`'s magnitude, written from the end of `digits`.
fn decimal(number: i64, digits: &mut [u8; 20]) -> &[u8] {
    const PAIRS: [u8; 200] = {
        let mut pairs = [0u8; 200];
        let mut i = 0;
        while i < 100 {
            pairs[2 * i] = b'0' + (i / 10) as u8;
            pairs[2 * i + 1] = b'0' + (i % 10) as u8;
            i += 1;
        }
        pairs
    };
    let mut start = digits.len();
    let mut rest = number.unsigned_abs();
    while rest >= 100 {
        let pair = (rest % 100) as usize * 2;
        rest /= 100;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if rest >= 10 {
        let pair = rest as usize * 2;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        start -= 1;
        digits[start] = b'0' + rest as u8;
    }
    &digits[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_as_serde_json_writes_them() {
        let mut numbers = vec![0, i64::MIN, i64::MAX, i64::MIN + 1];
        let mut power = 1_i64;
        while let Some(next) = power.checked_mul(10) {
            numbers.extend([power - 1, power, power + 1, -power, next / 2 + 7]);
            power = next;
        }
        for number in numbers {
            let mut buffer = b"x".to_vec();
            write_int(&mut buffer, number);
            assert_eq!(buffer[1..], *number.to_string().as_bytes(), "{number}");
        }
    }

    #[test]
    fn the_escape_test_agrees_with_byte_by_byte() {
        for len in 0..20 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    let naive = byte < 0x20 || byte == b'"' || byte == b'\\';
                    assert_eq!(needs_escape(&text), naive, "{text:?}");
                }
            }
        }
    }
}
