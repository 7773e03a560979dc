//! The legacy OpenTok `T1==` token (PLATFORMS.md §2.3):
//! `"T1==" + base64("partner_id=KEY&sig=HEX:" + data_string)` where
//! `sig = hex(HMAC-SHA1(secret, data_string))`.
//!
//! Verification HMACs the data string exactly as received: SDKs differ in key order and in
//! how they encode spaces, so a re-serialisation would not verify.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::mac::{HashedPrefix, common_prefix_len};
use crate::secret::Secret;

pub const PREFIX: &str = "T1==";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct T1 {
    pub partner_id: String,
    /// The signature as written in the token (lowercase hex for valid tokens).
    pub sig: String,
    /// The signed data string, byte for byte.
    pub data_string: String,
    /// The data string's fields, URL-decoded, in their order.
    pub fields: Vec<(String, String)>,
}

impl T1 {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn verify(&self, secret: &Secret) -> bool {
        let Some(expected) = decode_hex(&self.sig) else {
            return false;
        };
        let mut mac = <Hmac<Sha1> as hmac::digest::KeyInit>::new_from_slice(secret.expose())
            .expect("HMAC takes keys of any length");
        mac.update(self.data_string.as_bytes());
        mac.verify_slice(&expected).is_ok()
    }
}

/// Why a text is not a T1 token, as the end of the sentence "this is not a token: …".
pub fn decode(text: &str) -> Result<T1, String> {
    let body = text
        .trim()
        .strip_prefix(PREFIX)
        .ok_or("an OpenTok legacy token starts with T1==")?;
    let inner = STANDARD
        .decode(body)
        .map_err(|_| "the part after T1== is not standard base64")?;
    let inner = String::from_utf8(inner).map_err(|_| "the decoded T1 token is not text")?;
    let (credentials, data_string) = inner
        .split_once(':')
        .ok_or("the decoded T1 token has no ':' between its signature and its data")?;
    let mut partner_id = None;
    let mut sig = None;
    for (key, value) in form_urlencoded::parse(credentials.as_bytes()) {
        match key.as_ref() {
            "partner_id" => partner_id = Some(value.into_owned()),
            "sig" => sig = Some(value.into_owned()),
            _ => {}
        }
    }
    Ok(T1 {
        partner_id: partner_id.ok_or("the T1 token has no partner_id")?,
        sig: sig.ok_or("the T1 token has no sig")?,
        fields: form_urlencoded::parse(data_string.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        data_string: data_string.to_string(),
    })
}

/// The bytes node's `querystring.escape` leaves alone: `A-Za-z0-9 - _ . ! ~ * ' ( )`.
const KEPT: [bool; 256] = {
    let mut kept = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        kept[byte] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            );
        byte += 1;
    }
    kept
};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Appends `text` percent-encoded as opentok-node's `querystring.stringify` does (a space is
/// `%20`). Text of letters, digits, `-`, `_` and `.` (claim names, ids, numbers) is copied in one
/// go, after a test of eight bytes at a time that folds away for a name known when compiling;
/// any other text is copied run by run between the bytes it escapes.
#[inline(always)]
pub fn push_escaped(out: &mut String, text: &str) {
    if is_plain(text.as_bytes()) {
        out.push_str(text);
    } else {
        push_escaped_runs(out, text);
    }
}

fn push_escaped_runs(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if KEPT[usize::from(byte)] {
            continue;
        }
        // A run of kept bytes is ASCII, so its ends are char boundaries; `start` itself may sit
        // inside an escaped multi-byte character when the run is empty.
        if i > start {
            out.push_str(&text[start..i]);
        }
        out.push('%');
        out.push(HEX_UPPER[usize::from(byte >> 4)] as char);
        out.push(HEX_UPPER[usize::from(byte & 15)] as char);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// Whether every byte of `text` is a letter, a digit, `-`, `_` or `.`: bytes `querystring`
/// keeps. Tested eight bytes at a time ([`super::words::every_word`]).
#[inline(always)]
fn is_plain(text: &[u8]) -> bool {
    super::words::every_word(text, word_is_plain)
}

/// [`is_plain`] of eight bytes. For bytes under 0x80, `byte + (0x80 − low)` has its high bit set
/// when `byte ≥ low`, and `byte + (0x7F − high)` when `byte > high`: no carry crosses a byte.
#[inline(always)]
fn word_is_plain(word: u64) -> bool {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let between = |word: u64, low: u8, high: u8| {
        word.wrapping_add(ONES * u64::from(0x80 - low))
            & !word.wrapping_add(ONES * u64::from(0x7F - high))
            & HIGHS
    };
    if word & HIGHS != 0 {
        return false;
    }
    // A letter of either case becomes a small letter when the 0x20 bit is set.
    let letters = between(word | (ONES * 0x20), b'a', b'z');
    let digits = between(word, b'0', b'9');
    let dash_or_dot = between(word, b'-', b'.');
    let underscore = between(word, b'_', b'_');
    letters | digits | dash_or_dot | underscore == HIGHS
}

/// Signs T1 tokens for one API key and secret: the HMAC-SHA1 key is prepared once, and the
/// buffers are kept from token to token. A token is `T1==` and the base64 of
/// `partner_id=KEY&sig=HEX:DATA`, encoded in three pieces so that nothing is copied: the groups of
/// three bytes wholly in `partner_id=KEY&sig=` (their base64 made once), then a head of what is
/// left of it, the hex signature, `:` and the first bytes of the data up to a whole group, then
/// the rest of the data.
pub struct Encoder {
    mac: Hmac<Sha1>,
    /// The data string of the last token, and its hashed whole blocks.
    previous: String,
    hashed: HashedPrefix<Hmac<Sha1>>,
    /// `partner_id=KEY&sig=`, percent-encoded.
    prefix: Vec<u8>,
    /// The base64 of `prefix`'s whole groups of three bytes.
    prefix_base64: Vec<u8>,
}

impl Encoder {
    pub fn new(api_key: &str, secret: &Secret) -> Encoder {
        let mut prefix = String::from("partner_id=");
        push_escaped(&mut prefix, api_key);
        prefix.push_str("&sig=");
        let prefix = prefix.into_bytes();
        let mut prefix_base64 = Vec::new();
        base64_simd::STANDARD.encode_append(&prefix[..prefix.len() / 3 * 3], &mut prefix_base64);
        Encoder {
            mac: <Hmac<Sha1> as hmac::digest::KeyInit>::new_from_slice(secret.expose())
                .expect("HMAC takes keys of any length"),
            previous: String::new(),
            hashed: HashedPrefix::default(),
            prefix,
            prefix_base64,
        }
    }

    /// Appends the token of `data_string` (already percent-encoded) to `out`. The encoder keeps
    /// `data_string` (to compare the next one with) and gives back the one before in its place.
    pub fn encode(&mut self, data_string: &mut String, out: &mut Vec<u8>) {
        let data = data_string.as_bytes();
        let unchanged = common_prefix_len(data, self.previous.as_bytes());
        let digest = self.hashed.mac(&self.mac, data, unchanged);
        // The head: the prefix's last bytes, the hex signature, ':' and enough of the data to
        // end on a whole group of three bytes (or all of it, if it is shorter).
        let prefix_rest = &self.prefix[self.prefix_base64.len() / 4 * 3..];
        let mut head = [0u8; 2 + 40 + 1 + 2];
        let mut len = prefix_rest.len();
        head[..len].copy_from_slice(prefix_rest);
        for (pair, byte) in head[len..len + 40].chunks_exact_mut(2).zip(digest) {
            pair[0] = HEX_LOWER[usize::from(byte >> 4)];
            pair[1] = HEX_LOWER[usize::from(byte & 15)];
        }
        head[len + 40] = b':';
        len += 41;
        let borrowed = ((3 - len % 3) % 3).min(data.len());
        head[len..len + borrowed].copy_from_slice(&data[..borrowed]);
        len += borrowed;
        out.extend_from_slice(PREFIX.as_bytes());
        out.extend_from_slice(&self.prefix_base64);
        base64_simd::STANDARD.encode_append(&head[..len], out);
        base64_simd::STANDARD.encode_append(&data[borrowed..], out);
        std::mem::swap(data_string, &mut self.previous);
    }
}

/// Encodes `fields` the way opentok-node does (`querystring.stringify`, spaces as `%20`) and signs.
pub fn encode<K: AsRef<str>>(api_key: &str, secret: &Secret, fields: &[(K, String)]) -> String {
    let mut data_string = String::with_capacity(256);
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            data_string.push('&');
        }
        push_escaped(&mut data_string, key.as_ref());
        data_string.push('=');
        push_escaped(&mut data_string, value);
    }
    let mut token = Vec::new();
    Encoder::new(api_key, secret).encode(&mut data_string, &mut token);
    String::from_utf8(token).expect("a T1 token is ASCII")
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pieces_encode_as_the_whole_string_would() {
        use base64::Engine as _;
        let secret = Secret::new("a-secret");
        // Keys and data of every length modulo three, so that the head borrows 0, 1 or 2 bytes
        // of data, or all of a shorter one; each data string after a different one.
        for key in ["1", "12", "123", "1234"] {
            let mut encoder = Encoder::new(key, &secret);
            for len in (0..12).chain([200, 7, 0, 64]) {
                let data: String = (0..len)
                    .map(|i| char::from(b'a' + (i % 26) as u8))
                    .collect();
                let mut mac =
                    <Hmac<Sha1> as hmac::digest::KeyInit>::new_from_slice(b"a-secret").unwrap();
                mac.update(data.as_bytes());
                let hex: String = mac
                    .finalize()
                    .into_bytes()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                let whole = format!("partner_id={key}&sig={hex}:{data}");
                let expected = format!(
                    "T1=={}",
                    base64::engine::general_purpose::STANDARD.encode(whole)
                );
                let mut token = Vec::new();
                encoder.encode(&mut data.clone(), &mut token);
                assert_eq!(String::from_utf8(token).unwrap(), expected, "{key} {len}");
            }
        }
    }

    #[test]
    fn the_plain_text_test_agrees_with_byte_by_byte() {
        let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
        for len in 0..20 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    assert_eq!(is_plain(&text), plain(byte), "{text:?}");
                    // What is plain is kept: the fast path never skips an escape.
                    assert!(!plain(byte) || KEPT[usize::from(byte)]);
                }
            }
        }
    }

    /// PLATFORMS.md §2.3 (python key order, `+` for spaces).
    const VECTOR: &str = "T1==cGFydG5lcl9pZD0xMjM0NTYmc2lnPTFjMTVhNDAzYjBmZTYyZmIzNGI4NmFlYmRmZjYyNDExNjc5N2YzOGY6c2Vzc2lvbl9pZD0xX01YNHhNak0wTlRaLWZqRTNNREF3TURBd01EQXdNREItWm1GclpYNCZjcmVhdGVfdGltZT0xNzAwMDAwMDAwJmV4cGlyZV90aW1lPTE3MDAwODY0MDAmcm9sZT1wdWJsaXNoZXImbm9uY2U9NDI0MjQyJmluaXRpYWxfbGF5b3V0X2NsYXNzX2xpc3Q9JmNvbm5lY3Rpb25fZGF0YT1uYW1lJTNEQWxpY2UrU21pdGg=";
    const VECTOR_SECRET: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn the_platforms_md_vector_decodes_and_verifies() {
        let t1 = decode(VECTOR).unwrap();
        assert_eq!(t1.partner_id, "123456");
        assert_eq!(t1.sig, "1c15a403b0fe62fb34b86aebdff624116797f38f");
        assert_eq!(
            t1.field("session_id"),
            Some("1_MX4xMjM0NTZ-fjE3MDAwMDAwMDAwMDB-ZmFrZX4")
        );
        assert_eq!(t1.field("create_time"), Some("1700000000"));
        assert_eq!(t1.field("expire_time"), Some("1700086400"));
        assert_eq!(t1.field("nonce"), Some("424242"));
        assert_eq!(t1.field("initial_layout_class_list"), Some(""));
        assert_eq!(t1.field("connection_data"), Some("name=Alice Smith"));
        assert!(t1.verify(&Secret::new(VECTOR_SECRET)));
        assert!(!t1.verify(&Secret::new("wrong")));
    }

    #[test]
    fn escaping_matches_form_urlencoding_for_every_kind_of_character() {
        for text in [
            "",
            "plain",
            "a b",
            "é",
            "aé",
            "éa",
            "🎉🎉",
            "x=1&y=ü ~*'()!",
            "\u{7f}\0",
        ] {
            let mut escaped = String::new();
            push_escaped(&mut escaped, text);
            let expected: String = form_urlencoded::byte_serialize(text.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
                .replace("%7E", "~")
                .replace("%21", "!")
                .replace("%27", "'")
                .replace("%28", "(")
                .replace("%29", ")");
            assert_eq!(escaped, expected, "{text:?}");
        }
    }

    #[test]
    fn a_re_serialised_data_string_does_not_verify() {
        let mut t1 = decode(VECTOR).unwrap();
        t1.data_string = t1.data_string.replace('+', "%20");
        assert!(!t1.verify(&Secret::new(VECTOR_SECRET)));
    }

    #[test]
    fn encode_matches_the_vector_when_given_the_same_data() {
        // Same fields and order as the vector, but node encoding writes the space as %20.
        let fields = [
            (
                "session_id",
                "1_MX4xMjM0NTZ-fjE3MDAwMDAwMDAwMDB-ZmFrZX4".to_string(),
            ),
            ("create_time", "1700000000".to_string()),
            ("expire_time", "1700086400".to_string()),
            ("role", "publisher".to_string()),
            ("nonce", "424242".to_string()),
            ("initial_layout_class_list", String::new()),
            ("connection_data", "name=AliceSmith".to_string()),
        ];
        let token = encode("123456", &Secret::new(VECTOR_SECRET), &fields);
        let t1 = decode(&token).unwrap();
        assert!(
            t1.data_string
                .ends_with("connection_data=name%3DAliceSmith")
        );
        assert!(t1.verify(&Secret::new(VECTOR_SECRET)));
        assert_eq!(t1.field("connection_data"), Some("name=AliceSmith"));
        let spaced = encode(
            "1",
            &Secret::new("k"),
            &[("connection_data", "a b".to_string())],
        );
        assert!(decode(&spaced).unwrap().data_string.contains("a%20b"));
    }

    #[test]
    fn garbage_gets_a_reason() {
        assert!(decode("T2==abc").unwrap_err().contains("T1=="));
        assert!(decode("T1==!!!").unwrap_err().contains("base64"));
        assert!(
            decode(&format!("T1=={}", STANDARD.encode("no colon")))
                .unwrap_err()
                .contains("':'")
        );
        assert!(
            decode(&format!("T1=={}", STANDARD.encode("sig=ab:x=1")))
                .unwrap_err()
                .contains("partner_id")
        );
    }
}
