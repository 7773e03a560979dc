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
    let separator = if buffer.is_empty() { b'{' } else { b',' };
    if name.len() <= SHORT_NAME && !needs_escape(name.as_bytes()) {
        // `,"name":` put together on the stack and copied in one go: for a name known when
        // compiling, a copy of known length with one capacity check, not one a byte.
        let mut start = [0u8; SHORT_NAME + 4];
        start[0] = separator;
        start[1] = b'"';
        start[2..2 + name.len()].copy_from_slice(name.as_bytes());
        start[2 + name.len()..4 + name.len()].copy_from_slice(b"\":");
        buffer.extend_from_slice(&start[..4 + name.len()]);
    } else {
        buffer.push(separator);
        write_str(buffer, name);
        buffer.push(b':');
    }
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

/// The longest claim name [`write_member`] starts in one copy (`initial_layout_class_list` is 25).
const SHORT_NAME: usize = 28;

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
/// bytes at a time ([`super::words::every_word`]: for a name known when compiling, the test
/// folds away): a word has such a byte when it has a byte under 0x20, or when it XOR the quote
/// (or the backslash) repeated has a zero byte.
#[inline(always)]
fn needs_escape(text: &[u8]) -> bool {
    !super::words::every_word(text, |word| !word_needs_escape(word))
}

#[inline(always)]
fn word_needs_escape(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // The high bit of a byte of `below(w, n)` can be set only when `w` has a byte under `n`
    // (a borrow runs up from such a byte only), so the three tests are or-ed, and branched on
    // once a word.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * n as u64) & !word;
    let quote = word ^ (ONES * b'"' as u64);
    let backslash = word ^ (ONES * b'\\' as u64);
    (below(word, 0x20) | below(quote, 1) | below(backslash, 1)) & HIGHS != 0
}

#[cold]
fn write_escaped_str(buffer: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(buffer, text).expect("strings always serialise");
}

/// A JSON integer. Below 10¹⁶ (every timestamp) its digits are made in registers and go into
/// the buffer as one copy of fixed length, then cut to their number: where a loop wrote two
/// digits at a time, a timestamp cost a chain of five dependent divisions and a `memset`.
#[inline]
fn write_int(buffer: &mut Vec<u8>, number: i64) {
    if number < 0 {
        buffer.push(b'-');
    }
    let magnitude = number.unsigned_abs();
    let start = buffer.len();
    let len = match short_decimal(magnitude) {
        // From registers straight into the buffer, not through a block on the stack.
        Some((digits, len)) => {
            buffer.extend_from_slice(&digits);
            len
        }
        None => {
            let mut digits = [0; 20];
            let len = decimal(magnitude, &mut digits);
            buffer.extend_from_slice(&digits);
            len
        }
    };
    buffer.truncate(start + len);
}

/// `number` in decimal, as text: through a block of fixed size then cut (a copy of known length
/// costs a few moves, where one of the digits' own length would call `memcpy`).
pub(crate) fn push_int(text: &mut String, number: i64) {
    if number < 0 {
        text.push('-');
    }
    let mut digits = [0; 20];
    let len = decimal(number.unsigned_abs(), &mut digits);
    let end = text.len() + len;
    text.push_str(std::str::from_utf8(&digits).expect("digits and zero bytes"));
    text.truncate(end);
}

/// `number` in decimal at the start of a block of 16 bytes (zero bytes after), with how many
/// digits it has; `None` from 10¹⁶ up. Always inlined: out of line (once [`decimal`] called it
/// too), the block went back through memory, 70 more instructions an opentok token.
#[inline(always)]
fn short_decimal(number: u64) -> Option<([u8; 16], usize)> {
    const E8: u64 = 100_000_000;
    if number < E8 {
        let len = decimal_len(number);
        // The leading zeros come first in memory, so they are the low bytes shifted out.
        let digits = eight_digits(number as u32) >> (8 * (8 - len));
        Some((u128::from(digits).to_le_bytes(), len))
    } else if number < E8 * E8 {
        let (high, low) = (number / E8, number % E8);
        let high_len = decimal_len(high);
        let high = eight_digits(high as u32) >> (8 * (8 - high_len));
        let low = eight_digits(low as u32);
        let digits = u128::from(high) | (u128::from(low) << (8 * high_len));
        Some((digits.to_le_bytes(), high_len + 8))
    } else {
        None
    }
}

/// The eight decimal digits of `number` (below 10⁸), leading zeros included, as the ASCII bytes
/// of a little-endian word, the first digit lowest. Each step splits every lane in two at once
/// (SWAR): four-digit halves in 32-bit lanes, then pairs in 16-bit lanes, then digits in bytes;
/// the divisions are multiplications by a scaled reciprocal, exact for the lanes' ranges (the
/// tests try every lane value).
#[inline]
fn eight_digits(number: u32) -> u64 {
    debug_assert!(number < 100_000_000);
    let fours = u64::from(number / 10_000) | (u64::from(number % 10_000) << 32);
    // v / 100 = (v × 10 486) >> 20 for v < 10 000.
    let hundreds = ((fours * 10_486) >> 20) & 0x0000_007F_0000_007F;
    let pairs = hundreds | ((fours - hundreds * 100) << 16);
    // v / 10 = (v × 103) >> 10 for v < 100.
    let tens = ((pairs * 103) >> 10) & 0x000F_000F_000F_000F;
    let digits = tens | ((pairs - tens * 10) << 8);
    digits | 0x3030_3030_3030_3030
}

/// Writes `number` in decimal at the start of `digits`; returns how many digits it has.
#[inline]
pub(crate) fn decimal(number: u64, digits: &mut [u8; 20]) -> usize {
    if let Some((short, len)) = short_decimal(number) {
        digits[..16].copy_from_slice(&short);
        return len;
    }
    let len = decimal_len(number);
    write_decimal(number, &mut digits[..len]);
    len
}

/// How many decimal digits `number` has.
#[inline]
fn decimal_len(number: u64) -> usize {
    number.checked_ilog10().unwrap_or(0) as usize + 1
}

/// Writes `number` in decimal into `out`, exactly [`decimal_len`] bytes long, from its last
/// digit, four at a time (the numbers [`short_decimal`] leaves).
#[inline]
fn write_decimal(number: u64, out: &mut [u8]) {
    const PAIRS: [[u8; 2]; 100] = {
        let mut pairs = [[0u8; 2]; 100];
        let mut i = 0;
        while i < 100 {
            pairs[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
            i += 1;
        }
        pairs
    };
    let mut end = out.len();
    let mut rest = number;
    while rest >= 10_000 {
        let four = (rest % 10_000) as u32;
        rest /= 10_000;
        end -= 4;
        out[end..end + 2].copy_from_slice(&PAIRS[(four / 100) as usize]);
        out[end + 2..end + 4].copy_from_slice(&PAIRS[(four % 100) as usize]);
    }
    let mut rest = rest as u32;
    if rest >= 100 {
        end -= 2;
        out[end..end + 2].copy_from_slice(&PAIRS[(rest % 100) as usize]);
        rest /= 100;
    }
    if rest >= 10 {
        out[..2].copy_from_slice(&PAIRS[rest as usize]);
    } else {
        out[0] = b'0' + rest as u8;
    }
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
            let mut text = "x".to_string();
            push_int(&mut text, number);
            assert_eq!(text[1..], number.to_string(), "{number}");
        }
    }

    proptest::proptest! {
        /// Any integer, of any width, as serde_json writes it, after text already there.
        #[test]
        fn any_integer_is_written_as_serde_json_writes_it(number: i64, shift in 0..64u32) {
            let number = number >> shift;
            let mut buffer = b"x".to_vec();
            write_int(&mut buffer, number);
            let expected = serde_json::to_string(&number).unwrap();
            proptest::prop_assert_eq!(&buffer[1..], expected.as_bytes());
            let mut text = "x".to_string();
            push_int(&mut text, number);
            proptest::prop_assert_eq!(&text[1..], number.to_string());
        }
    }

    #[test]
    fn eight_digits_is_exact_for_every_value_of_each_lane() {
        // The lanes do not mix (their products fit their widths), so every value of each
        // four-digit lane, beside changing values of the other, covers all eight digits.
        for four in 0..10_000u32 {
            for number in [four, four * 10_000, four * 10_000 + (9_999 - four)] {
                let digits = eight_digits(number).to_le_bytes();
                assert_eq!(digits, *format!("{number:08}").as_bytes(), "{number}");
            }
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
