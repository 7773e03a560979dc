//! Claims written one by one, in order, straight into a token format: a JWT's JSON payload or a
//! T1 token's data string. No claim map is built, so minting many tokens costs little beyond the
//! signature.

use serde_json::Value;

/// A claim's value as a platform builds it.
#[derive(Clone, Copy, Debug)]
pub enum ClaimValue<'a> {
    Str(&'a str),
    Int(i64),
    Json(&'a Value),
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

impl<'a> From<&'a Value> for ClaimValue<'a> {
    fn from(value: &'a Value) -> Self {
        ClaimValue::Json(value)
    }
}

/// Where claims go: one implementation per token format.
pub trait ClaimSink {
    fn put(&mut self, name: &str, value: ClaimValue<'_>);
}

/// Claims with overrides given by the user (`--claim NAME=VALUE`): an override with the name of a
/// claim the platform writes replaces its value in place; the others follow, in their order, when
/// the claims are finished. Of several overrides with one name, the last value wins at the place
/// of the first, as when inserting into an ordered map.
pub struct Claims<'a> {
    sink: &'a mut dyn ClaimSink,
    overrides: &'a [(String, Value)],
    /// Which overrides are already written.
    used: Vec<bool>,
}

impl<'a> Claims<'a> {
    pub fn new(sink: &'a mut dyn ClaimSink, overrides: &'a [(String, Value)]) -> Claims<'a> {
        Claims {
            sink,
            overrides,
            used: vec![false; overrides.len()],
        }
    }

    pub fn put<'v>(&mut self, name: &str, value: impl Into<ClaimValue<'v>>) {
        match self.take_override(name) {
            Some(value) => self.sink.put(name, ClaimValue::Json(value)),
            None => self.sink.put(name, value.into()),
        }
    }

    /// Writes the overrides that replaced no claim.
    pub fn finish(mut self) {
        for (name, _) in self.overrides {
            if let Some(value) = self.take_override(name) {
                self.sink.put(name, ClaimValue::Json(value));
            }
        }
    }

    /// The last override named `name` if none of that name is written yet, marking them all written.
    fn take_override(&mut self, name: &str) -> Option<&'a Value> {
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

    /// Records claims as JSON text pairs.
    #[derive(Default)]
    struct Recorded(Vec<(String, String)>);

    impl ClaimSink for Recorded {
        fn put(&mut self, name: &str, value: ClaimValue<'_>) {
            let text = match value {
                ClaimValue::Str(s) => json!(s).to_string(),
                ClaimValue::Int(n) => n.to_string(),
                ClaimValue::Json(v) => v.to_string(),
            };
            self.0.push((name.to_string(), text));
        }
    }

    #[test]
    fn overrides_replace_in_place_then_follow_in_order() {
        let overrides = vec![
            ("extra".to_string(), json!(1)),
            ("tpc".to_string(), json!("mine")),
            ("extra".to_string(), json!([2])),
            ("other".to_string(), json!(null)),
        ];
        let mut recorded = Recorded::default();
        let mut claims = Claims::new(&mut recorded, &overrides);
        claims.put("tpc", "room");
        claims.put("iat", 5);
        claims.finish();
        let pairs: Vec<(&str, &str)> = recorded
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("tpc", "\"mine\""),
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
        let mut recorded = Recorded::default();
        let mut claims = Claims::new(&mut recorded, &overrides);
        claims.put("a", 1);
        claims.put("b", 2);
        claims.finish();
        let from_map: Vec<(String, String)> = map
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect();
        assert_eq!(recorded.0, from_map);
    }
}
