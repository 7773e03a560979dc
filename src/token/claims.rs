//! Claims written one by one, in order, straight into a token format: a JWT's JSON payload or a
//! T1 token's data string. No claim map is built, so minting many tokens costs little beyond the
//! signature.

use serde_json::Value;

use super::json::{self, ClaimValue};

/// Claims with overrides given by the user (`--claim NAME=VALUE`): an override with the name of a
/// claim the platform writes replaces its value in place; the others follow, in their order, when
/// the claims are finished. Of several overrides with one name, the last value wins at the place
/// of the first, as when inserting into an ordered map.
pub struct Claims<'a> {
    target: Target<'a>,
    overrides: &'a [(String, Value)],
    /// Which overrides are already written.
    used: Vec<bool>,
}

/// Where claims go. An enum rather than a trait object, so that each `put` of a platform compiles
/// down to a few copies of known length.
enum Target<'a> {
    /// A JWT payload: a JSON object.
    Json(&'a mut Vec<u8>),
    /// A T1 token's data string: `name=value` pairs, percent-encoded as opentok-node does,
    /// joined by `&`.
    T1(&'a mut String),
}

impl<'a> Claims<'a> {
    /// Claims written into `buffer` as a JSON object, closed by [`Claims::finish`].
    #[inline]
    pub fn json(buffer: &'a mut Vec<u8>, overrides: &'a [(String, Value)]) -> Claims<'a> {
        Claims::new(Target::Json(buffer), overrides)
    }

    /// Claims written into `data` as a T1 data string: text as it is, other values as JSON
    /// text, each percent-encoded.
    pub fn t1_data(data: &'a mut String, overrides: &'a [(String, Value)]) -> Claims<'a> {
        Claims::new(Target::T1(data), overrides)
    }

    #[inline]
    fn new(target: Target<'a>, overrides: &'a [(String, Value)]) -> Claims<'a> {
        Claims {
            target,
            overrides,
            used: vec![false; overrides.len()],
        }
    }

    #[inline(always)]
    pub fn put<'v>(&mut self, name: &str, value: impl Into<ClaimValue<'v>>) {
        let value = match self.take_override(name) {
            Some(value) => ClaimValue::Json(value),
            None => value.into(),
        };
        self.write(name, value);
    }

    /// Writes the overrides that replaced no claim, and closes the claims.
    pub fn finish(mut self) {
        for (name, _) in self.overrides {
            if let Some(value) = self.take_override(name) {
                self.write(name, ClaimValue::Json(value));
            }
        }
        if let Target::Json(buffer) = self.target {
            json::close_object(buffer);
        }
    }

    #[inline(always)]
    fn write(&mut self, name: &str, value: ClaimValue<'_>) {
        match &mut self.target {
            Target::Json(buffer) => json::write_member(buffer, name, value),
            Target::T1(data) => {
                if !data.is_empty() {
                    data.push('&');
                }
                super::opentok_t1::push_escaped(data, name);
                data.push('=');
                match value {
                    ClaimValue::Str(text) => super::opentok_t1::push_escaped(data, text),
                    // Digits and '-' need no escaping.
                    ClaimValue::Int(number) => json::push_int(data, number),
                    ClaimValue::Float(number) => {
                        // As serde_json writes a number, on the stack: digits, '.', 'e', '-'.
                        let mut text = std::io::Cursor::new([0u8; 32]);
                        match serde_json::to_writer(&mut text, &number) {
                            Ok(()) => {
                                let end = text.position() as usize;
                                let written = &text.get_ref()[..end];
                                super::opentok_t1::push_escaped(
                                    data,
                                    std::str::from_utf8(written).unwrap_or_default(),
                                );
                            }
                            Err(_) => super::opentok_t1::push_escaped(
                                data,
                                &Value::from(number).to_string(),
                            ),
                        }
                    }
                    ClaimValue::Json(Value::String(text)) => {
                        super::opentok_t1::push_escaped(data, text)
                    }
                    ClaimValue::Json(json) => {
                        super::opentok_t1::push_escaped(data, &json.to_string())
                    }
                    ClaimValue::JsonText(text) => super::opentok_t1::push_escaped(data, text),
                }
            }
        }
    }

    /// The last override named `name` if none of that name is written yet, marking them all written.
    #[inline]
    fn take_override(&mut self, name: &str) -> Option<&'a Value> {
        if self.overrides.is_empty() {
            return None;
        }
        let overrides = self.overrides;
        let mut found = None;
        for ((other, value), used) in overrides.iter().zip(self.used.iter_mut()) {
            if other == name && !*used {
                *used = true;
                found = Some(value);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The claims `write` puts, as a JSON object and as T1 fields.
    fn both(
        overrides: &[(String, Value)],
        write: impl Fn(&mut Claims),
    ) -> (String, Vec<(String, String)>) {
        let mut json = Vec::new();
        let mut claims = Claims::json(&mut json, overrides);
        write(&mut claims);
        claims.finish();
        let mut data = String::new();
        let mut claims = Claims::t1_data(&mut data, overrides);
        write(&mut claims);
        claims.finish();
        let fields = form_urlencoded::parse(data.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        (String::from_utf8(json).unwrap(), fields)
    }

    #[test]
    fn overrides_replace_in_place_then_follow_in_order() {
        let overrides = vec![
            ("extra".to_string(), json!(1)),
            ("tpc".to_string(), json!("mine")),
            ("extra".to_string(), json!([2])),
            ("other".to_string(), json!(null)),
        ];
        let (json, fields) = both(&overrides, |claims| {
            claims.put("tpc", "room");
            claims.put("iat", 5);
        });
        assert_eq!(json, r#"{"tpc":"mine","iat":5,"extra":[2],"other":null}"#);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("tpc", "mine"),
                ("iat", "5"),
                ("extra", "[2]"),
                ("other", "null")
            ]
        );
    }

    #[test]
    fn overrides_agree_with_an_ordered_map() {
        let overrides = vec![
            ("b".to_string(), json!("x")),
            ("c".to_string(), json!(3)),
            ("b".to_string(), json!("y")),
        ];
        let mut map = serde_json::Map::new();
        map.insert("a".into(), json!(1));
        map.insert("b".into(), json!(2));
        for (name, value) in &overrides {
            map.insert(name.clone(), value.clone());
        }
        let (json, _) = both(&overrides, |claims| {
            claims.put("a", 1);
            claims.put("b", 2);
        });
        assert_eq!(json, serde_json::to_string(&map).unwrap());
        assert_eq!(both(&[], |_| {}).0, "{}");
    }
}
