//! A platform's fields, declared as data. The command line's options, the workbench's rows and
//! labels, `tokenbench platforms` and the "does not apply" messages are all generated from the
//! [`FieldSpec`]s a platform lists; its [`Form`] holds one [`FieldValue`] per spec, in order.

use chrono::{DateTime, Utc};
use serde_json::Value;
use siphasher::sip::SipHasher13;

use crate::duration::Expiry;

/// One field of a platform's form.
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    /// Stable id: findings name it (`"field": "client-id"` in `--json`), so do tests.
    pub id: &'static str,
    /// How the workbench and `tokenbench platforms` name it (Zoom's "session name").
    pub label: &'static str,
    /// The command-line option, without its dashes (`topic` for `--topic`).
    pub option: &'static str,
    /// Other option names accepted for it (`lk token create`'s `--room`).
    pub aliases: &'static [&'static str],
    /// Value-less options that set or add a fixed value (`lk`'s `--join` adds `roomJoin=true`).
    pub presets: &'static [Preset],
    pub kind: FieldKind,
    /// One line: what the field becomes in the token.
    pub help: &'static str,
    /// What the workbench shows when the field is empty (what empty means), if not the default.
    pub empty: &'static str,
    /// Environment variables the field's value falls back to when its option is not given
    /// (LiveKit's `LIVEKIT_URL`).
    pub env: &'static [&'static str],
}

/// A value-less option that sets or adds one value to a field.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub option: &'static str,
    /// The value as `--OPTION VALUE` would take it (`roomJoin=true`).
    pub value: &'static str,
    pub help: &'static str,
}

/// What kind of value a field holds, and so how it is typed, shown and parsed.
#[derive(Clone, Copy, Debug)]
pub enum FieldKind {
    /// Free text.
    Text { default: &'static str },
    /// One of a few values, cycled in the workbench; the platform checks it when minting.
    Choice {
        choices: &'static [&'static str],
        default: &'static str,
    },
    /// On or off: a value-less option; the workbench shows the two labels.
    Switch { off: &'static str, on: &'static str },
    /// `--ttl DUR` or `--exp TIME`: empty means the platform's default lifetime.
    Expiry,
    /// Resource → operations (`--OPTION ROOM=OPS`, repeatable), with the platform's vocabulary.
    Rooms { operations: &'static [&'static str] },
    /// Name → value pairs (`--OPTION NAME=VALUE`, repeatable); `names` are the known names.
    Pairs { names: &'static [&'static str] },
    /// Extra claims (`--claim NAME=VALUE`, repeatable), VALUE read as JSON when it is JSON.
    Claims,
    /// A JSON document as text, checked by the platform.
    Json,
    /// Named groups, each in or out, each with fields of its own (see [`super::subform`]):
    /// `--OPTION GROUP.FIELD=VALUE` (repeatable), held as pairs; a fresh form has none.
    SubForms {
        forms: &'static [super::subform::SubForm],
    },
}

impl FieldKind {
    /// Whether the option repeats (`--permission a=b --permission c=d`).
    pub fn repeats(self) -> bool {
        matches!(
            self,
            FieldKind::Rooms { .. }
                | FieldKind::Pairs { .. }
                | FieldKind::Claims
                | FieldKind::SubForms { .. }
        )
    }

    /// Whether the option takes no value.
    pub fn is_flag(self) -> bool {
        matches!(self, FieldKind::Switch { .. })
    }

    /// The value of a fresh form.
    fn default_value(self) -> FieldValue {
        match self {
            FieldKind::Text { default } | FieldKind::Choice { default, .. } => {
                FieldValue::Text(default.to_string())
            }
            FieldKind::Json => FieldValue::Text(String::new()),
            FieldKind::Switch { .. } => FieldValue::Switch(false),
            FieldKind::Expiry => FieldValue::Expiry(Expiry::Default),
            FieldKind::Rooms { .. } => FieldValue::Rooms(Vec::new()),
            FieldKind::Pairs { .. } | FieldKind::SubForms { .. } => FieldValue::Pairs(Vec::new()),
            FieldKind::Claims => FieldValue::Claims(Vec::new()),
        }
    }
}

/// A field's place in its platform's list, with its id (what findings name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldRef {
    pub index: usize,
    pub id: &'static str,
}

impl From<FieldRef> for &'static str {
    fn from(field: FieldRef) -> Self {
        field.id
    }
}

/// Declares a platform's fields: one `FieldRef` constant each, and `FIELDS` in the same order,
/// each spec given its id: `fields! { TOPIC: "topic" = spec, … }`.
#[macro_export]
macro_rules! fields {
    ($($name:ident : $id:literal = $spec:expr),+ $(,)?) => {
        $crate::fields!(@refs 0; $($name $id)+);
        /// This platform's fields, in the workbench's order.
        pub static FIELDS: &[$crate::platform::FieldSpec] =
            &[$($crate::platform::FieldSpec { id: $id, ..$spec }),+];
    };
    (@refs $index:expr; $name:ident $id:literal $($rest:tt)*) => {
        pub const $name: $crate::platform::FieldRef =
            $crate::platform::FieldRef { index: $index, id: $id };
        $crate::fields!(@refs $index + 1; $($rest)*);
    };
    (@refs $index:expr;) => {};
}

/// The fields most platforms share, as starting points (their id is set by [`fields!`]).
pub mod common {
    use super::{FieldKind, FieldSpec};

    /// A spec with nothing but a kind, a label, an option and help.
    pub const fn spec(
        label: &'static str,
        option: &'static str,
        kind: FieldKind,
        help: &'static str,
    ) -> FieldSpec {
        FieldSpec {
            id: "",
            label,
            option,
            aliases: &[],
            presets: &[],
            kind,
            help,
            empty: "",
            env: &[],
        }
    }

    pub const fn text(
        label: &'static str,
        option: &'static str,
        default: &'static str,
        help: &'static str,
    ) -> FieldSpec {
        spec(label, option, FieldKind::Text { default }, help)
    }

    pub const fn expiry(help: &'static str) -> FieldSpec {
        spec("expiry", "ttl", FieldKind::Expiry, help)
    }

    pub const fn claims() -> FieldSpec {
        spec(
            "claims",
            "claim",
            FieldKind::Claims,
            "any extra claim NAME=VALUE, VALUE read as JSON when it is JSON (repeatable)",
        )
    }
}

/// Ids of what findings name besides a form's fields.
pub mod ids {
    /// The key credential (SDK key, application id, API key).
    pub const KEY: &str = "key";
    pub const SECRET: &str = "secret";
    /// The third credential some platforms have (Twilio's Account SID).
    pub const ACCOUNT: &str = "account";
    /// The credentials as a whole (demo credentials, where a secret came from).
    pub const CREDENTIALS: &str = "credentials";
    /// The token as a whole (signature, encoding, algorithm).
    pub const TOKEN: &str = "token";
    /// The token format (JWT, T1, 007…).
    pub const FORMAT: &str = "format";
}

/// One field's value.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    /// Text, a choice, or a JSON document, as typed.
    Text(String),
    Switch(bool),
    Expiry(Expiry),
    Rooms(Vec<RoomPermission>),
    Pairs(Vec<(String, String)>),
    Claims(Vec<(String, Value)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomPermission {
    pub room: String,
    pub operations: Vec<String>,
}

/// What a user fills in for one platform: a value per field of [`crate::platform::Platform::fields`],
/// in order. Text stays as typed; the platform reads it when minting.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Form {
    values: Vec<FieldValue>,
}

impl Form {
    /// Every field at its default.
    pub fn defaults(fields: &[FieldSpec]) -> Form {
        Form {
            values: fields.iter().map(|f| f.kind.default_value()).collect(),
        }
    }

    pub fn values(&self) -> &[FieldValue] {
        &self.values
    }

    pub fn value(&self, field: FieldRef) -> Option<&FieldValue> {
        self.values.get(field.index)
    }

    pub fn value_mut(&mut self, index: usize) -> Option<&mut FieldValue> {
        self.values.get_mut(index)
    }

    pub fn set(&mut self, field: FieldRef, value: FieldValue) {
        if let Some(slot) = self.values.get_mut(field.index) {
            *slot = value;
        }
    }

    /// The value of the field with this id, looked up in `fields` (for tools and tests; a
    /// platform reads its own fields by [`FieldRef`]).
    pub fn get(&self, fields: &[FieldSpec], id: &str) -> Option<&FieldValue> {
        let index = fields.iter().position(|f| f.id == id)?;
        self.values.get(index)
    }

    /// Sets the field with this id; false when `fields` has none.
    pub fn set_by_id(&mut self, fields: &[FieldSpec], id: &str, value: FieldValue) -> bool {
        match fields.iter().position(|f| f.id == id) {
            Some(index) if index < self.values.len() => {
                self.values[index] = value;
                true
            }
            _ => false,
        }
    }

    /// The text of a text, choice or JSON field ("" for another kind).
    pub fn text(&self, field: FieldRef) -> &str {
        match self.value(field) {
            Some(FieldValue::Text(text)) => text,
            _ => "",
        }
    }

    pub fn set_text(&mut self, field: FieldRef, text: impl Into<String>) {
        self.set(field, FieldValue::Text(text.into()));
    }

    pub fn switch(&self, field: FieldRef) -> bool {
        matches!(self.value(field), Some(FieldValue::Switch(true)))
    }

    pub fn expiry(&self, field: FieldRef) -> Expiry {
        match self.value(field) {
            Some(FieldValue::Expiry(expiry)) => *expiry,
            _ => Expiry::Default,
        }
    }

    pub fn rooms(&self, field: FieldRef) -> &[RoomPermission] {
        match self.value(field) {
            Some(FieldValue::Rooms(rooms)) => rooms,
            _ => &[],
        }
    }

    pub fn pairs(&self, field: FieldRef) -> &[(String, String)] {
        match self.value(field) {
            Some(FieldValue::Pairs(pairs)) => pairs,
            _ => &[],
        }
    }

    /// The extra claims: the form's first claims field.
    pub fn extra_claims(&self) -> &[(String, Value)] {
        self.values
            .iter()
            .find_map(|v| match v {
                FieldValue::Claims(claims) => Some(claims.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// The form for token number `n` of a bulk run: `{n}` in any text becomes `n`.
    pub fn for_index(&self, n: u64) -> Form {
        let mut forms = IndexedForms::new(self);
        forms.form(n);
        forms.form
    }

    /// The random source of the token minted from this form at a pinned clock (`--now`): the
    /// same inputs give the same `jti` and `nonce`, alone or in a bulk run, from build to build (a
    /// CLI test pins the values).
    pub fn pinned_rng(&self, fields: &'static [FieldSpec], now: DateTime<Utc>) -> PinnedRng {
        rand::SeedableRng::seed_from_u64(self.seed(fields, now))
    }

    /// A SipHash-1-3 of the time and every input, each text ended by 0xFF (a byte UTF-8 never
    /// holds) so that no two forms feed the same bytes, gathered and hashed in one call.
    ///
    /// The first fields go in a fixed order by id (role, topic, password, data, client id, the
    /// format switch, expiry, rooms, claims), so that seeds, and with them pinned tokens, stay what
    /// they were before forms were declared as data; any other field follows, in form order.
    fn seed(&self, fields: &'static [FieldSpec], now: DateTime<Utc>) -> u64 {
        let layout = SeedLayout::of(fields);
        let ordered = layout
            .slots
            .map(|slot| slot.and_then(|at| self.values.get(usize::from(at))));
        let [
            role,
            topic,
            password,
            data,
            client_id,
            format,
            expiry,
            permissions,
            claims,
        ] = ordered;
        fn text_of(value: Option<&FieldValue>) -> &str {
            match value {
                Some(FieldValue::Text(text)) => text,
                _ => "",
            }
        }
        thread_local! {
            /// The buffer of the last seed: a bulk run seeds every token, and allocates once.
            static BYTES: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
        }
        let mut bytes = BYTES.take();
        bytes.clear();
        let text = |bytes: &mut Vec<u8>, text: &str| {
            bytes.extend_from_slice(text.as_bytes());
            bytes.push(0xFF);
        };
        bytes.extend_from_slice(&now.timestamp_micros().to_le_bytes());
        for value in [role, topic, password, data, client_id] {
            text(&mut bytes, text_of(value));
        }
        let switch = matches!(format, Some(FieldValue::Switch(true)));
        let expiry = match expiry {
            Some(FieldValue::Expiry(expiry)) => *expiry,
            _ => Expiry::Default,
        };
        let (kind, value) = match expiry {
            Expiry::Default => (0, 0),
            Expiry::After(seconds) => (1, seconds),
            Expiry::At(instant) => (2, instant.timestamp()),
        };
        bytes.extend_from_slice(&[switch.into(), kind]);
        bytes.extend_from_slice(&value.to_le_bytes());
        if let Some(FieldValue::Rooms(rooms)) = permissions {
            write_rooms(&mut bytes, rooms);
        }
        bytes.push(0xFD);
        if let Some(FieldValue::Claims(claims)) = claims {
            write_claims(&mut bytes, claims);
        }
        for (spec, value) in fields.iter().zip(&self.values).filter(|_| layout.others) {
            if SEED_ORDER.contains(&spec.id) {
                continue;
            }
            text(&mut bytes, spec.id);
            match value {
                FieldValue::Text(value) => text(&mut bytes, value),
                FieldValue::Switch(on) => bytes.push((*on).into()),
                FieldValue::Expiry(expiry) => text(&mut bytes, &expiry.to_text()),
                FieldValue::Rooms(rooms) => write_rooms(&mut bytes, rooms),
                FieldValue::Pairs(pairs) => {
                    for (name, value) in pairs {
                        text(&mut bytes, name);
                        text(&mut bytes, value);
                    }
                }
                FieldValue::Claims(claims) => write_claims(&mut bytes, claims),
            }
            bytes.push(0xFC);
        }
        let seed = SipHasher13::new().hash(&bytes);
        BYTES.set(bytes);
        seed
    }
}

/// The ids whose fields start a seed, in this order (see [`Form::seed`]).
const SEED_ORDER: [&str; 9] = [
    "role",
    "topic",
    "password",
    "data",
    "client-id",
    "format",
    "expiry",
    "permissions",
    "claims",
];

/// Where a platform's fields hold the ids of [`SEED_ORDER`], worked out once a thread for the
/// platform last seeded: a bulk run seeds every token, and matching ids cost as much as the hash.
#[derive(Clone, Copy)]
struct SeedLayout {
    /// The fields it was worked out for (their address and length).
    fields: (*const FieldSpec, usize),
    /// The place of the first field of each id of [`SEED_ORDER`].
    slots: [Option<u8>; SEED_ORDER.len()],
    /// Whether some field has an id not in [`SEED_ORDER`].
    others: bool,
}

impl SeedLayout {
    fn of(fields: &'static [FieldSpec]) -> SeedLayout {
        thread_local! {
            static LAST: std::cell::Cell<Option<SeedLayout>> = const { std::cell::Cell::new(None) };
        }
        let key = (fields.as_ptr(), fields.len());
        if let Some(layout) = LAST.get().filter(|layout| layout.fields == key) {
            return layout;
        }
        let mut layout = SeedLayout {
            fields: key,
            slots: [None; SEED_ORDER.len()],
            others: false,
        };
        for (at, spec) in fields.iter().enumerate() {
            match SEED_ORDER.iter().position(|id| *id == spec.id) {
                Some(slot) => {
                    let at = u8::try_from(at).expect("a form has fewer than 256 fields");
                    _ = layout.slots[slot].get_or_insert(at);
                }
                None => layout.others = true,
            }
        }
        LAST.set(Some(layout));
        layout
    }
}

fn write_rooms(bytes: &mut Vec<u8>, rooms: &[RoomPermission]) {
    for room in rooms {
        bytes.extend_from_slice(room.room.as_bytes());
        bytes.push(0xFF);
        for operation in &room.operations {
            bytes.extend_from_slice(operation.as_bytes());
            bytes.push(0xFF);
        }
        bytes.push(0xFE);
    }
}

fn write_claims(bytes: &mut Vec<u8>, claims: &[(String, Value)]) {
    for (name, value) in claims {
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(0xFF);
        serde_json::to_writer(&mut *bytes, value).expect("JSON values always serialise");
        bytes.push(0xFF);
    }
}

/// The generator of a token minted at a pinned clock: PCG, whose output its crate keeps the same
/// from version to version, and cheap to seed once a token.
pub type PinnedRng = rand_pcg::Pcg64Mcg;

/// The forms of a bulk run, token after token, in one form kept from token to token: only the
/// fields that hold `{n}` are written again for each token (into their own buffers), the others
/// stay as the template has them. A bulk run copies no form and allocates nothing per token.
pub struct IndexedForms<'a> {
    template: &'a Form,
    /// The places of the template's values that hold `{n}`.
    indexed: Vec<usize>,
    form: Form,
}

impl<'a> IndexedForms<'a> {
    pub fn new(template: &'a Form) -> IndexedForms<'a> {
        let indexed = (template.values.iter().enumerate())
            .filter(|(_, value)| holds_placeholder(value))
            .map(|(i, _)| i)
            .collect();
        IndexedForms {
            template,
            indexed,
            form: template.clone(),
        }
    }

    /// The form of token `n`: `{n}` in any text becomes `n`.
    pub fn form(&mut self, n: u64) -> &Form {
        if self.indexed.is_empty() {
            return &self.form;
        }
        let mut digits = [0u8; 20];
        let len = crate::token::json::decimal(n, &mut digits);
        let index = std::str::from_utf8(&digits[..len]).expect("ASCII digits");
        for &i in &self.indexed {
            index_value_into(&self.template.values[i], index, &mut self.form.values[i]);
        }
        &self.form
    }
}

/// Whether a value holds `{n}` in any of its texts.
fn holds_placeholder(value: &FieldValue) -> bool {
    let has = |text: &str| text.contains("{n}");
    match value {
        FieldValue::Text(text) => has(text),
        FieldValue::Switch(_) | FieldValue::Expiry(_) => false,
        FieldValue::Rooms(rooms) => rooms.iter().any(|r| has(&r.room)),
        FieldValue::Pairs(pairs) => pairs.iter().any(|(name, value)| has(name) || has(value)),
        FieldValue::Claims(claims) => claims.iter().any(|(_, v)| v.to_string().contains("{n}")),
    }
}

/// `value` with `{n}` replaced by `index`, into `out`: the same value before, whose buffers it
/// reuses.
fn index_value_into(value: &FieldValue, index: &str, out: &mut FieldValue) {
    match (value, out) {
        (FieldValue::Text(text), FieldValue::Text(out)) => replace_into(text, index, out),
        (FieldValue::Rooms(rooms), FieldValue::Rooms(out)) => {
            for (room, out) in rooms.iter().zip(out) {
                replace_into(&room.room, index, &mut out.room);
            }
        }
        (FieldValue::Pairs(pairs), FieldValue::Pairs(out)) => {
            for ((name, value), (out_name, out_value)) in pairs.iter().zip(out) {
                replace_into(name, index, out_name);
                replace_into(value, index, out_value);
            }
        }
        (FieldValue::Claims(claims), FieldValue::Claims(out)) => {
            for ((_, value), (_, out)) in claims.iter().zip(out) {
                *out = substitute_in_json(value, index);
            }
        }
        (value, out) => *out = value.clone(),
    }
}

/// `text` with every `{n}` replaced by `index`, into `out` (as `str::replace` would give).
fn replace_into(text: &str, index: &str, out: &mut String) {
    out.clear();
    let mut rest = text;
    // A search for the byte `{` is much faster than one for the string `{n}`.
    while let Some(at) = rest.bytes().position(|b| b == b'{') {
        let (before, from_brace) = rest.split_at(at);
        out.push_str(before);
        match from_brace.strip_prefix("{n}") {
            Some(after) => {
                out.push_str(index);
                rest = after;
            }
            None => {
                out.push('{');
                rest = &from_brace[1..];
            }
        }
    }
    out.push_str(rest);
}

fn substitute_in_json(value: &Value, index: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace("{n}", index)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| substitute_in_json(v, index)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute_in_json(v, index)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Why a typed value does not fit its field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("'{text}' is not a claim: use NAME=VALUE, such as tag=demo or version=1")]
    Claim { text: String },
    #[error("'{text}' is not a {what}: use {form}")]
    Pair {
        text: String,
        what: &'static str,
        form: &'static str,
    },
}

/// Parses `NAME=VALUE` for an extra claim: VALUE is JSON when it parses as JSON, else a string.
pub fn parse_claim(text: &str) -> Result<(String, Value), ValueError> {
    let (name, value) = text
        .split_once('=')
        .filter(|(name, _)| !name.trim().is_empty())
        .ok_or_else(|| ValueError::Claim { text: text.into() })?;
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()));
    Ok((name.trim().to_string(), value))
}

/// Parses `ROOM=OPS` for a permission: OPS is a comma list or `*`.
pub fn parse_room(text: &str) -> Result<RoomPermission, ValueError> {
    let (room, operations) = text
        .split_once('=')
        .filter(|(room, _)| !room.is_empty())
        .ok_or_else(|| ValueError::Pair {
            text: text.into(),
            what: "permission",
            form: "ROOM=OPS, such as 'chat:*=publish,subscribe' or '*=*'",
        })?;
    Ok(RoomPermission {
        room: room.to_string(),
        operations: operations
            .split(',')
            .map(str::trim)
            .filter(|op| !op.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

/// Parses one option of a pair field: `NAME=VALUE`, or a JSON object (as `lk token create
/// --grant` takes it), each member a pair: text as it is, a list joined by commas, anything else
/// as JSON.
pub fn parse_pairs(text: &str) -> Result<Vec<(String, String)>, ValueError> {
    let object = text
        .trim_start()
        .starts_with('{')
        .then(|| serde_json::from_str::<serde_json::Map<String, Value>>(text).ok())
        .flatten();
    let Some(object) = object else {
        return parse_pair(text).map(|pair| vec![pair]);
    };
    let text_of = |value: &Value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    Ok(object
        .iter()
        .map(|(name, value)| {
            let value = match value {
                Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(","),
                other => text_of(other),
            };
            (name.clone(), value)
        })
        .collect())
}

/// Parses `NAME=VALUE` for a pair field.
pub fn parse_pair(text: &str) -> Result<(String, String), ValueError> {
    text.split_once('=')
        .filter(|(name, _)| !name.trim().is_empty())
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .ok_or_else(|| ValueError::Pair {
            text: text.into(),
            what: "NAME=VALUE pair",
            form: "NAME=VALUE",
        })
}

/// Extra claims as the workbench writes them: `name=value` joined by `; `, values as `--claim`
/// reads them.
pub fn claims_to_text(claims: &[(String, Value)]) -> String {
    claims
        .iter()
        .map(|(name, value)| match value {
            // A string that would read back as JSON keeps its quotes.
            Value::String(s) if serde_json::from_str::<Value>(s).is_err() => format!("{name}={s}"),
            other => format!("{name}={other}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn claims_from_text(text: &str) -> Result<Vec<(String, Value)>, ValueError> {
    text.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(parse_claim)
        .collect()
}

/// Pairs as the workbench writes them: `name=value; name=value`.
pub fn pairs_to_text(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn pairs_from_text(text: &str) -> Result<Vec<(String, String)>, ValueError> {
    text.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(parse_pair)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::fields! {
        TOPIC: "topic" = common::text("topic", "topic", "", "the topic"),
        ROOMS: "permissions" = common::spec("rooms", "permission", FieldKind::Rooms { operations: &["a"] }, "rooms"),
        CLAIMS: "claims" = common::claims(),
        GRANTS: "grant" = common::spec("grants", "grant", FieldKind::Pairs { names: &[] }, "grants"),
    }

    #[test]
    fn the_macro_numbers_the_fields_and_names_them() {
        assert_eq!((TOPIC.index, TOPIC.id), (0, "topic"));
        assert_eq!((GRANTS.index, GRANTS.id), (3, "grant"));
        assert_eq!(FIELDS[3].id, "grant");
        assert_eq!(FIELDS[1].option, "permission");
    }

    #[test]
    fn claims_parse_as_json_or_string() {
        assert_eq!(
            parse_claim("version=1").unwrap(),
            ("version".into(), Value::from(1))
        );
        assert_eq!(
            parse_claim("geo_regions=US,DE").unwrap(),
            ("geo_regions".into(), Value::from("US,DE"))
        );
        assert_eq!(parse_claim("x=").unwrap(), ("x".into(), Value::from("")));
        assert!(
            parse_claim("novalue")
                .unwrap_err()
                .to_string()
                .contains("NAME=VALUE")
        );
        assert!(parse_claim("=1").is_err());
    }

    #[test]
    fn rooms_parse_operation_lists() {
        let p = parse_room("chat:*=publish, presence").unwrap();
        assert_eq!(p.room, "chat:*");
        assert_eq!(p.operations, ["publish", "presence"]);
        assert_eq!(parse_room("*=*").unwrap().operations, ["*"]);
        assert!(
            parse_room("chat")
                .unwrap_err()
                .to_string()
                .contains("ROOM=OPS")
        );
        assert_eq!(
            parse_pair(" canPublish = false ").unwrap(),
            ("canPublish".into(), "false".into())
        );
    }

    fn sample() -> Form {
        let mut form = Form::defaults(FIELDS);
        form.set_text(TOPIC, "room-{n}");
        form.set(
            ROOMS,
            FieldValue::Rooms(vec![RoomPermission {
                room: "r{n}".into(),
                operations: vec!["*".into()],
            }]),
        );
        form.set(
            CLAIMS,
            FieldValue::Claims(vec![("tag".into(), serde_json::json!({"k": ["v{n}"]}))]),
        );
        form.set(
            GRANTS,
            FieldValue::Pairs(vec![("metadata".into(), "m{n}".into())]),
        );
        form
    }

    #[test]
    fn index_placeholder_reaches_every_text() {
        let form = sample();
        let third = form.for_index(2);
        assert_eq!(third.text(TOPIC), "room-2");
        assert_eq!(third.extra_claims()[0].1, serde_json::json!({"k": ["v2"]}));
        assert_eq!(third.rooms(ROOMS)[0].room, "r2");
        assert_eq!(third.pairs(GRANTS)[0].1, "m2");
    }

    #[test]
    fn indexed_forms_write_each_token_over_the_last_as_str_replace_would() {
        let mut template = sample();
        template.set_text(TOPIC, "{n}-{n}{x}{");
        let mut forms = IndexedForms::new(&template);
        // Indexes of growing and shrinking length, each form written over the one before.
        for n in [0, 7, 1234, u64::MAX, 3] {
            let n_text = n.to_string();
            let replaced = |text: &str| text.replace("{n}", &n_text);
            let mut expected = template.clone();
            expected.set_text(TOPIC, replaced(template.text(TOPIC)));
            expected.set(
                ROOMS,
                FieldValue::Rooms(vec![RoomPermission {
                    room: replaced("r{n}"),
                    operations: vec!["*".into()],
                }]),
            );
            expected.set(
                CLAIMS,
                FieldValue::Claims(vec![(
                    "tag".into(),
                    serde_json::json!({"k": [replaced("v{n}")]}),
                )]),
            );
            expected.set(
                GRANTS,
                FieldValue::Pairs(vec![("metadata".into(), replaced("m{n}"))]),
            );
            assert_eq!(*forms.form(n), expected, "{n}");
        }
        let plain = Form::defaults(FIELDS);
        assert_eq!(*IndexedForms::new(&plain).form(5), plain);
    }

    #[test]
    fn seeds_differ_with_any_input_and_repeat_with_the_same() {
        let now = DateTime::from_timestamp(1_795_341_600, 0).unwrap();
        let form = sample();
        assert_eq!(form.seed(FIELDS, now), form.seed(FIELDS, now));
        let mut other = form.clone();
        other.set(
            GRANTS,
            FieldValue::Pairs(vec![("metadata".into(), "x".into())]),
        );
        assert_ne!(form.seed(FIELDS, now), other.seed(FIELDS, now));
        assert_ne!(
            form.seed(FIELDS, now),
            form.seed(FIELDS, now + chrono::TimeDelta::microseconds(1))
        );
    }

    #[test]
    fn a_json_object_gives_a_pair_per_member() {
        assert_eq!(
            parse_pairs(
                r#"{"canPublish":false,"canPublishSources":["camera","microphone"],"room":"r"}"#
            )
            .unwrap(),
            [
                ("canPublish".to_string(), "false".to_string()),
                (
                    "canPublishSources".to_string(),
                    "camera,microphone".to_string()
                ),
                ("room".to_string(), "r".to_string()),
            ]
        );
        assert_eq!(
            parse_pairs("a=1").unwrap(),
            [("a".to_string(), "1".to_string())]
        );
        assert!(parse_pairs("{not json").is_err());
    }

    #[test]
    fn claims_and_pairs_read_back_as_written() {
        let claims = vec![
            ("a".to_string(), Value::from("text")),
            ("b".to_string(), Value::from(1)),
            ("c".to_string(), Value::from("1")),
        ];
        assert_eq!(claims_from_text(&claims_to_text(&claims)).unwrap(), claims);
        let pairs = vec![("x".to_string(), "1".to_string())];
        assert_eq!(pairs_from_text(&pairs_to_text(&pairs)).unwrap(), pairs);
    }
}
