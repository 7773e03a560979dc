//! The form: one [`Tab`] per platform, its rows generated from the platform's field specs
//! (text, choices, rooms with their operation toggles, then the credentials), its inputs as
//! typed, and the pane that draws it.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;
use zeroize::Zeroizing;

use super::app::{App, Pane};
use super::layout::{Hits, Target, pane, render_lines, styled};
use super::text::{shown, truncate, window, wrap};
use super::theme::Theme;
use super::token::{Origin, TokenView};
use crate::duration::{Expiry, format_duration_compact, format_relative};
use crate::findings::Finding;
use crate::platform::field::{
    claims_from_text, claims_to_text, ids, pairs_from_text, pairs_to_text,
};
use crate::platform::subform::{self, SubField, SubForm, SubKind};
use crate::platform::{
    CredentialSource, Credentials, FieldKind, FieldSpec, FieldValue, Form, Platform, Prepared,
    RoomPermission,
};
use crate::report::KeyChoice;
use crate::secret::{self, Secret};

/// A line of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    /// A field that is not rooms, by its index in the platform's fields.
    Field(usize),
    /// One room of a rooms field.
    Room {
        field: usize,
        room: usize,
    },
    /// The line that adds a room to a rooms field.
    AddRoom {
        field: usize,
    },
    /// A group of a sub-forms field, in or out.
    SubForm {
        field: usize,
        form: usize,
    },
    /// A field of a group that is in.
    SubField {
        field: usize,
        form: usize,
        sub: usize,
    },
    /// One name of a pairs field with known names (a privilege and its time), by its index in
    /// [`Tab::pair_names`].
    Pair {
        field: usize,
        name: usize,
    },
    Key,
    Account,
    Secret,
}

/// What a row does with Enter, ←/→, Space and printable keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// Typed: a printable key starts editing it.
    Text,
    /// Cycled with ←/→/Space.
    Choice,
    Room,
    AddRoom,
    /// Typed like a text field; Del clears it.
    Pair,
}

/// One platform's tab: its form as typed, its credentials, and where the cursor is.
pub struct Tab {
    pub platform: &'static dyn Platform,
    pub form: Form,
    /// The text typed into each field, by field index; a field whose text does not read (an
    /// expiry, claims…) keeps its last good value in `form` and an input error.
    texts: Vec<String>,
    pub key: String,
    pub account: String,
    pub secret_text: Zeroizing<String>,
    secret: Result<Secret, String>,
    /// Where the credentials came from; `Typed` once a credential was typed in the workbench.
    pub source: CredentialSource,
    prepared: Result<Prepared, String>,
    /// Inputs that do not read, by field id: they stop minting until fixed.
    pub input_errors: Vec<(&'static str, String)>,
    /// The focused row.
    pub row: usize,
    /// The operation under the cursor on a room row.
    pub operation: usize,
}

impl std::fmt::Debug for Tab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tab")
            .field("platform", &self.platform.id())
            .field("form", &self.form)
            .field("row", &self.row)
            .finish_non_exhaustive()
    }
}

/// The text a field's value shows as.
fn text_of(value: &FieldValue) -> String {
    match value {
        FieldValue::Text(text) => text.clone(),
        FieldValue::Expiry(expiry) => expiry.to_text(),
        FieldValue::Claims(claims) => claims_to_text(claims),
        FieldValue::Pairs(pairs) => pairs_to_text(pairs),
        FieldValue::Switch(_) | FieldValue::Rooms(_) => String::new(),
    }
}

impl Tab {
    pub fn new(platform: &'static dyn Platform, form: Form, credentials: Credentials) -> Self {
        let texts = form.values().iter().map(text_of).collect();
        let mut tab = Tab {
            platform,
            form,
            texts,
            key: credentials.key.clone(),
            account: credentials.account.clone().unwrap_or_default(),
            secret_text: Zeroizing::new(credentials.secret.expose_text()),
            secret: Ok(credentials.secret.clone()),
            source: credentials.source.clone(),
            prepared: Err(String::new()),
            input_errors: Vec::new(),
            row: 0,
            operation: 0,
        };
        tab.prepare();
        tab.check_inputs();
        tab
    }

    fn spec(&self, field: usize) -> &'static FieldSpec {
        &self.platform.fields()[field]
    }

    /// The rows of the form, in the platform's order; rooms become one row each and a row to
    /// add one; the credentials come last.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for (index, spec) in self.platform.fields().iter().enumerate() {
            if !self.platform.applies(&self.form, index) {
                continue;
            }
            if let FieldKind::Rooms { .. } = spec.kind {
                let count = self.form.rooms(self.field_ref(index)).len();
                rows.extend((0..count).map(|room| Row::Room { field: index, room }));
                rows.push(Row::AddRoom { field: index });
            } else if let FieldKind::SubForms { forms, .. } = spec.kind {
                rows.extend(self.sub_form_rows(index, forms));
            } else if let FieldKind::Pairs { names } = spec.kind
                && !names.is_empty()
            {
                let count = self.pair_names(index).len();
                rows.extend((0..count).map(|name| Row::Pair { field: index, name }));
            } else {
                rows.push(Row::Field(index));
            }
        }
        rows.push(Row::Key);
        if self.platform.credentials().account.is_some() {
            rows.push(Row::Account);
        }
        rows.push(Row::Secret);
        rows
    }

    /// The names a pairs field offers for the form as it stands, then any other name it holds.
    pub fn pair_names(&self, field: usize) -> Vec<String> {
        let FieldKind::Pairs { names } = self.spec(field).kind else {
            return Vec::new();
        };
        let mut offered: Vec<String> = names
            .iter()
            .filter(|name| self.platform.offers(&self.form, field, name))
            .map(|name| name.to_string())
            .collect();
        for (name, _) in self.form.pairs(self.field_ref(field)) {
            if !offered.contains(name) {
                offered.push(name.clone());
            }
        }
        offered
    }

    /// The name of a pair row, and its value when the form has one.
    fn pair(&self, field: usize, name: usize) -> (String, Option<String>) {
        let name = self
            .pair_names(field)
            .get(name)
            .cloned()
            .unwrap_or_default();
        let value = self
            .form
            .pairs(self.field_ref(field))
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone());
        (name, value)
    }

    /// Sets the value of a pair (none: removes it), keeping the field's text in step.
    fn set_pair(&mut self, field: usize, name: &str, value: Option<&str>) {
        if let Some(FieldValue::Pairs(pairs)) = self.form.value_mut(field) {
            let at = pairs.iter().position(|(n, _)| n == name);
            match (at, value) {
                (Some(at), Some(value)) => pairs[at].1 = value.to_string(),
                (None, Some(value)) => pairs.push((name.to_string(), value.to_string())),
                (Some(at), None) => {
                    pairs.remove(at);
                }
                (None, None) => {}
            }
            let text = pairs_to_text(pairs);
            if let Some(slot) = self.texts.get_mut(field) {
                *slot = text;
            }
        }
    }

    fn field_ref(&self, index: usize) -> crate::platform::FieldRef {
        crate::platform::FieldRef {
            index,
            id: self.spec(index).id,
        }
    }

    pub fn current_row(&self) -> Row {
        let rows = self.rows();
        rows[self.row.min(rows.len() - 1)]
    }

    pub fn kind(&self, row: Row) -> RowKind {
        match row {
            Row::Field(index) => match self.spec(index).kind {
                FieldKind::Choice { .. } | FieldKind::Switch { .. } => RowKind::Choice,
                _ => RowKind::Text,
            },
            Row::Room { .. } => RowKind::Room,
            Row::AddRoom { .. } => RowKind::AddRoom,
            Row::SubForm { .. } => RowKind::Choice,
            Row::SubField { field, form, sub } => match self.sub_form(field, form, sub) {
                Some((_, field)) if field.kind == SubKind::Switch => RowKind::Choice,
                _ => RowKind::Text,
            },
            Row::Pair { field, name } => {
                let (name, _) = self.pair(field, name);
                if self.platform.pair_choices(field, &name).is_empty() {
                    RowKind::Pair
                } else {
                    RowKind::Choice
                }
            }
            Row::Key | Row::Account | Row::Secret => RowKind::Text,
        }
    }

    /// The id findings and input errors name a row by.
    pub fn row_id(&self, row: Row) -> &'static str {
        match row {
            Row::Field(index)
            | Row::Room { field: index, .. }
            | Row::AddRoom { field: index }
            | Row::SubForm { field: index, .. }
            | Row::SubField { field: index, .. }
            | Row::Pair { field: index, .. } => self.spec(index).id,
            Row::Key => ids::KEY,
            Row::Account => ids::ACCOUNT,
            Row::Secret => ids::SECRET,
        }
    }

    /// The row label: the platform's own words for the field; a pair row's is its name,
    /// under the field's heading, and a sub-form's field sits under its group.
    pub fn label(&self, row: Row) -> String {
        match row {
            Row::Pair { field, name } => format!(" {}", self.pair(field, name).0),
            Row::SubField { .. } => format!(" {}", self.field_label(row)),
            row => self.field_label(row).to_string(),
        }
    }

    fn field_label(&self, row: Row) -> &'static str {
        let credentials = self.platform.credentials();
        match row {
            Row::Field(index) => self.spec(index).label,
            Row::Room { field, room: 0 } => self.spec(field).label,
            Row::AddRoom { field } if self.form.rooms(self.field_ref(field)).is_empty() => {
                self.spec(field).label
            }
            Row::Room { .. } | Row::AddRoom { .. } | Row::Pair { .. } => "",
            Row::SubForm { field, form } => self.sub_forms(field).get(form).map_or("", |f| f.label),
            Row::SubField { field, form, sub } => {
                self.sub_form(field, form, sub).map_or("", |(_, f)| f.label)
            }
            Row::Key => credentials.key.label,
            Row::Account => credentials.account.map_or("account", |a| a.label),
            Row::Secret => credentials.secret.label,
        }
    }

    /// The text of a text row, as typed.
    pub fn text(&self, row: Row) -> String {
        match row {
            Row::Field(index) => self.texts.get(index).cloned().unwrap_or_default(),
            Row::Room { field, room } => self
                .form
                .rooms(self.field_ref(field))
                .get(room)
                .map(|p| p.room.clone())
                .unwrap_or_default(),
            Row::Key => self.key.clone(),
            Row::Account => self.account.clone(),
            Row::Secret => self.secret_text.to_string(),
            Row::SubField { field, form, sub } => self
                .sub_form(field, form, sub)
                .and_then(|(group, f)| {
                    subform::value(self.form.pairs(self.field_ref(field)), group, f)
                })
                .unwrap_or_default()
                .to_string(),
            Row::Pair { field, name } => self.pair(field, name).1.unwrap_or_default(),
            Row::AddRoom { .. } | Row::SubForm { .. } => String::new(),
        }
    }

    /// Sets a text row as typed, and reads it into the form.
    pub fn set_text(&mut self, row: Row, text: &str, env: fn(&str) -> Option<String>) {
        match row {
            Row::Field(index) => {
                if let Some(slot) = self.texts.get_mut(index) {
                    slot.clear();
                    slot.push_str(text);
                }
            }
            Row::Room { field, room } => {
                if let Some(FieldValue::Rooms(rooms)) = self.form.value_mut(field)
                    && let Some(permission) = rooms.get_mut(room)
                {
                    permission.room = text.to_string();
                }
            }
            Row::Key => {
                self.key = text.to_string();
                self.source = CredentialSource::Typed;
                self.prepare();
            }
            Row::Account => {
                self.account = text.to_string();
                self.source = CredentialSource::Typed;
                self.prepare();
            }
            Row::Secret => {
                self.secret_text = Zeroizing::new(text.to_string());
                self.source = CredentialSource::Typed;
                self.secret = self.read_secret(env);
                self.prepare();
            }
            Row::SubField { field, form, sub } => self.set_sub_value(field, form, sub, text),
            Row::Pair { field, name } => {
                let (name, _) = self.pair(field, name);
                let text = text.trim();
                self.set_pair(field, &name, Some(text).filter(|t| !t.is_empty()));
            }
            Row::AddRoom { .. } | Row::SubForm { .. } => {}
        }
        self.check_inputs();
    }

    /// A secret typed in the form reads like `--secret`: `env:NAME`, `@path`, `b64:…` or the
    /// value itself. An API key that carries its key name also fills the key.
    fn read_secret(&mut self, env: fn(&str) -> Option<String>) -> Result<Secret, String> {
        if self.secret_text.trim() == "-" {
            return Err("the workbench cannot read a secret from standard input: use env:NAME, @path, b64:… or the value".into());
        }
        let (secret, _) = secret::resolve(&self.secret_text, &env, &mut std::io::empty())
            .map_err(|e| e.to_string())?;
        let (key, secret) = self.platform.split_secret(secret);
        if let Some(key) = key {
            self.key = key;
        }
        Ok(secret)
    }

    /// Whether the secret as typed is a reference (`env:NAME`, `@path`), which is no secret and
    /// stays readable.
    pub fn secret_is_reference(&self) -> bool {
        self.secret_text.starts_with("env:") || self.secret_text.starts_with('@')
    }

    pub(super) fn credentials(&self) -> Option<Credentials> {
        Some(Credentials {
            key: self.key.clone(),
            secret: self.secret.clone().ok()?,
            account: Some(self.account.clone()).filter(|a| !a.is_empty()),
            source: self.source.clone(),
        })
    }

    /// Builds the signer for the credentials as they stand (an RSA key is parsed here, once).
    fn prepare(&mut self) {
        self.prepared = match self.credentials() {
            Some(credentials) => {
                Prepared::new(self.platform, credentials).map_err(|e| e.to_string())
            }
            None => Err(String::new()),
        };
    }

    /// Reads every typed field into the form, noting what does not read.
    fn check_inputs(&mut self) {
        self.input_errors.clear();
        for index in 0..self.platform.fields().len() {
            let spec = self.spec(index);
            let text = self.texts[index].as_str();
            let parsed: Result<Option<FieldValue>, String> = match spec.kind {
                FieldKind::Text { .. } | FieldKind::Choice { .. } => {
                    Ok(Some(FieldValue::Text(text.to_string())))
                }
                // Said at the field as it is typed; what the document must hold, the platform
                // says when minting.
                FieldKind::Json => match text.trim() {
                    "" => Ok(Some(FieldValue::Text(String::new()))),
                    json => serde_json::from_str::<serde_json::Value>(json)
                        .map(|_| Some(FieldValue::Text(text.to_string())))
                        .map_err(|e| format!("not JSON: {e}")),
                },
                FieldKind::Expiry => Expiry::parse(text)
                    .map(|e| Some(FieldValue::Expiry(e)))
                    .map_err(|e| e.to_string()),
                FieldKind::Claims => claims_from_text(text)
                    .map(|c| Some(FieldValue::Claims(c)))
                    .map_err(|e| e.to_string()),
                FieldKind::Pairs { .. } => pairs_from_text(text)
                    .map(|p| Some(FieldValue::Pairs(p)))
                    .map_err(|e| e.to_string()),
                // Edited in place, row by row.
                FieldKind::Switch { .. } | FieldKind::Rooms { .. } | FieldKind::SubForms { .. } => {
                    Ok(None)
                }
            };
            match parsed {
                Ok(Some(value)) => {
                    if let Some(slot) = self.form.value_mut(index) {
                        *slot = value;
                    }
                }
                Ok(None) => {}
                Err(error) => self.input_errors.push((spec.id, error)),
            }
        }
        if let Err(error) = &self.secret {
            self.input_errors.push((ids::SECRET, error.clone()));
        } else if let Err(error) = &self.prepared
            && !error.is_empty()
        {
            self.input_errors.push((ids::SECRET, error.clone()));
        }
    }

    pub fn input_error(&self, id: &str) -> Option<&str> {
        self.input_errors
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, e)| e.as_str())
    }

    /// Fills the form from a decoded token; the credentials stay as they are.
    pub fn load(&mut self, form: Form) {
        self.texts = form.values().iter().map(text_of).collect();
        self.form = form;
        self.row = 0;
        self.operation = 0;
        self.check_inputs();
    }

    /// Mints the form as it stands at `now`; the error names the field to fix.
    pub fn mint(&self, now: DateTime<Utc>, pinned: bool) -> Result<TokenView, String> {
        if let Some((id, error)) = self.input_errors.first() {
            let label = self
                .platform
                .fields()
                .iter()
                .find(|f| f.id == *id)
                .map_or(*id, |f| f.label);
            return Err(format!("fix the {label}: {error}"));
        }
        let prepared = self.prepared.as_ref().map_err(Clone::clone)?;
        let text = prepared
            .mint_at(&self.form, now, pinned)
            .map_err(|e| e.to_string())?;
        let decoded = crate::platform::decode_minted(self.platform, &self.form, &text)
            .map_err(|e| e.to_string())?;
        // Checked with the key derived when the credentials were prepared, not once a keystroke.
        let view = TokenView::new(
            &text,
            decoded,
            Some(self.platform),
            KeyChoice::Prepared(prepared),
            now,
            Origin::Minted,
        );
        Ok(view.with_notes(self.notes()))
    }

    /// What the workbench says about the form itself: an extra claim that replaces one a field
    /// makes, so that field has no effect.
    fn notes(&self) -> Vec<Finding> {
        let built = self.platform.built_claims();
        self.form
            .extra_claims()
            .iter()
            .filter(|(name, _)| built.contains(&name.as_str()))
            .map(|(name, _)| {
                Finding::info(
                    "form.claim-override",
                    "claims",
                    format!(
                        "the extra claim {name} replaces the {name} the form makes: the field behind it has no effect"
                    ),
                )
            })
            .collect()
    }

    // ---- handling ----

    pub fn move_row(&mut self, forward: bool) {
        let count = self.rows().len();
        self.row = if forward {
            (self.row + 1) % count
        } else {
            (self.row + count - 1) % count
        };
        self.operation = 0;
    }

    /// Focuses the first row that a finding's field id names.
    pub fn focus_field(&mut self, id: &str) -> bool {
        let id = if id == ids::CREDENTIALS { ids::KEY } else { id };
        match self.rows().iter().position(|row| self.row_id(*row) == id) {
            Some(index) => {
                self.row = index;
                true
            }
            None => false,
        }
    }

    /// ← / → / Space on a choice or on a room's operations; true when the form changed.
    pub fn cycle(&mut self, forward: bool) -> bool {
        match self.current_row() {
            Row::Field(index) => match self.spec(index).kind {
                FieldKind::Choice { choices, .. } if !choices.is_empty() => {
                    let now = self.texts[index].trim();
                    let next = match choices.iter().position(|c| *c == now) {
                        Some(i) if forward => (i + 1) % choices.len(),
                        Some(i) => (i + choices.len() - 1) % choices.len(),
                        None => 0,
                    };
                    self.texts[index] = choices[next].to_string();
                    self.check_inputs();
                    true
                }
                FieldKind::Switch { .. } => {
                    let on = matches!(self.form.value_mut(index), Some(FieldValue::Switch(true)));
                    if let Some(slot) = self.form.value_mut(index) {
                        *slot = FieldValue::Switch(!on);
                    }
                    true
                }
                _ => false,
            },
            Row::SubForm { field, form } => self.toggle_sub_form(field, form),
            row @ Row::SubField { field, form, sub } if self.kind(row) == RowKind::Choice => {
                let on = self.text(row) == "true";
                self.set_sub_value(field, form, sub, if on { "" } else { "true" });
                true
            }
            Row::Pair { field, name } => {
                // Not set, then each choice in turn.
                let (name, value) = self.pair(field, name);
                let choices = self.platform.pair_choices(field, &name);
                if choices.is_empty() {
                    return false;
                }
                let slots = choices.len() + 1;
                let now = value
                    .and_then(|v| choices.iter().position(|c| *c == v))
                    .map_or(0, |i| i + 1);
                let next = if forward {
                    (now + 1) % slots
                } else {
                    (now + slots - 1) % slots
                };
                self.set_pair(field, &name, next.checked_sub(1).map(|i| choices[i]));
                self.check_inputs();
                true
            }
            Row::Room { field, .. } => {
                let count = self.operations(field).len().max(1);
                self.operation = if forward {
                    (self.operation + 1) % count
                } else {
                    (self.operation + count - 1) % count
                };
                false
            }
            _ => false,
        }
    }

    /// A letter on a choice: the next choice that starts with it; true when the form changed.
    pub fn pick(&mut self, c: char) -> bool {
        if let Row::Pair { field, name } = self.current_row() {
            let (name, value) = self.pair(field, name);
            let lower = c.to_ascii_lowercase();
            let found = self
                .platform
                .pair_choices(field, &name)
                .iter()
                .find(|choice| choice.starts_with(lower) && value.as_deref() != Some(**choice));
            return match found {
                Some(choice) => {
                    self.set_pair(field, &name, Some(choice));
                    self.check_inputs();
                    true
                }
                None => false,
            };
        }
        let Row::Field(index) = self.current_row() else {
            return false;
        };
        let FieldKind::Choice { choices, .. } = self.spec(index).kind else {
            return self.cycle(true);
        };
        let lower = c.to_ascii_lowercase();
        let now = choices
            .iter()
            .position(|choice| *choice == self.texts[index].trim());
        let start = now.map_or(0, |i| i + 1);
        let found = (0..choices.len())
            .map(|offset| (start + offset) % choices.len())
            .find(|i| choices[*i].starts_with(lower));
        match found {
            Some(i) if Some(i) != now => {
                self.texts[index] = choices[i].to_string();
                self.check_inputs();
                true
            }
            _ => false,
        }
    }

    /// The operations a rooms field offers.
    pub fn operations(&self, field: usize) -> &'static [&'static str] {
        match self.spec(field).kind {
            FieldKind::Rooms { operations } => operations,
            _ => &[],
        }
    }

    fn rooms_mut(&mut self, field: usize) -> Option<&mut Vec<RoomPermission>> {
        match self.form.value_mut(field) {
            Some(FieldValue::Rooms(rooms)) => Some(rooms),
            _ => None,
        }
    }

    /// Space on a room: grants or revokes the operation under the cursor.
    pub fn toggle_operation(&mut self) -> bool {
        let Row::Room { field, room } = self.current_row() else {
            return false;
        };
        let vocabulary = self.operations(field);
        let Some(operation) = vocabulary.get(self.operation) else {
            return false;
        };
        let Some(permission) = self.rooms_mut(field).and_then(|rooms| rooms.get_mut(room)) else {
            return false;
        };
        if let Some(at) = permission.operations.iter().position(|o| o == operation) {
            permission.operations.remove(at);
        } else {
            permission.operations.push(operation.to_string());
            // Keep the vocabulary's order, with anything outside it after.
            let rank = |op: &String| {
                vocabulary
                    .iter()
                    .position(|v| v == op)
                    .unwrap_or(vocabulary.len())
            };
            permission.operations.sort_by_key(rank);
        }
        true
    }

    /// Adds an empty room to a rooms field and focuses it; its name is typed next.
    pub fn add_room(&mut self, field: usize) {
        let first = self.operations(field).first().map(|op| op.to_string());
        let Some(rooms) = self.rooms_mut(field) else {
            return;
        };
        rooms.push(RoomPermission {
            room: String::new(),
            operations: first.into_iter().collect(),
        });
        let room = rooms.len() - 1;
        self.row = self
            .rows()
            .iter()
            .position(|r| *r == Row::Room { field, room })
            .unwrap_or(0);
    }

    /// Del: removes the room, or clears the pair, under the cursor.
    pub fn remove_entry(&mut self) -> bool {
        match self.current_row() {
            Row::Room { field, room } => {
                if let Some(rooms) = self.rooms_mut(field) {
                    rooms.remove(room);
                }
            }
            Row::Pair { field, name } => {
                let (name, value) = self.pair(field, name);
                if value.is_none() {
                    return false;
                }
                self.set_pair(field, &name, None);
                self.check_inputs();
            }
            _ => return false,
        }
        self.row = self.row.min(self.rows().len() - 1);
        true
    }

    /// After an edit ends: a room left without a name goes.
    pub fn end_edit(&mut self) -> bool {
        match self.current_row() {
            Row::Room { field, room } if self.text(Row::Room { field, room }).trim().is_empty() => {
                self.remove_entry()
            }
            _ => false,
        }
    }
}

// ---- sub-forms ----

impl Tab {
    fn sub_forms(&self, field: usize) -> &'static [SubForm] {
        match self.spec(field).kind {
            FieldKind::SubForms { forms, .. } => forms,
            _ => &[],
        }
    }

    fn sub_form(
        &self,
        field: usize,
        form: usize,
        sub: usize,
    ) -> Option<(&'static SubForm, &'static SubField)> {
        let group = self.sub_forms(field).get(form)?;
        Some((group, group.fields.get(sub)?))
    }

    /// A row per group, and under each group that is in a row per field.
    fn sub_form_rows(&self, field: usize, forms: &'static [SubForm]) -> Vec<Row> {
        let pairs = self.form.pairs(self.field_ref(field));
        let mut rows = Vec::new();
        for (form, group) in forms.iter().enumerate() {
            rows.push(Row::SubForm { field, form });
            if subform::is_in(pairs, group) {
                rows.extend((0..group.fields.len()).map(|sub| Row::SubField { field, form, sub }));
            }
        }
        rows
    }

    /// Puts a group in or takes it out; true (the form changed).
    fn toggle_sub_form(&mut self, field: usize, form: usize) -> bool {
        let forms = self.sub_forms(field);
        let Some(group) = forms.get(form) else {
            return false;
        };
        if let Some(FieldValue::Pairs(pairs)) = self.form.value_mut(field) {
            let on = !subform::is_in(pairs, group);
            subform::set_in(forms, pairs, group, on);
        }
        true
    }

    fn set_sub_value(&mut self, field: usize, form: usize, sub: usize, text: &str) {
        let forms = self.sub_forms(field);
        let Some((group, sub_field)) = self.sub_form(field, form, sub) else {
            return;
        };
        if let Some(FieldValue::Pairs(pairs)) = self.form.value_mut(field) {
            subform::set_value(forms, pairs, group, sub_field, text.trim());
        }
    }

    /// The value a group or a switch of a group shows, as a choice.
    fn sub_form_choice(&self, row: Row) -> Option<&'static str> {
        match row {
            Row::SubForm { field, form } => {
                let group = self.sub_forms(field).get(form)?;
                Some(
                    if subform::is_in(self.form.pairs(self.field_ref(field)), group) {
                        "in"
                    } else {
                        "out"
                    },
                )
            }
            Row::SubField { field, form, sub } => {
                let (_, sub_field) = self.sub_form(field, form, sub)?;
                (sub_field.kind == SubKind::Switch).then(|| {
                    if self.text(row) == "true" {
                        "on"
                    } else {
                        "off"
                    }
                })
            }
            _ => None,
        }
    }
}

// ---- drawing ----

const MASK: &str = "••••••••";

/// The label column's width for a pane `width` cells wide inside.
fn label_width(tab: &Tab, width: usize) -> usize {
    let longest = tab
        .rows()
        .iter()
        .map(|r| tab.label(*r).width())
        .max()
        .unwrap_or(0);
    (longest + 2).min(width / 2).max(6)
}

/// One line of the form, with where it came from and where its choice arrows are.
struct FormLine {
    row: usize,
    line: Line<'static>,
    /// The cells of ◂ and ▸ on a choice row, and of each operation toggle on a room row.
    arrows: Option<(usize, usize)>,
    toggles: Vec<(usize, usize, usize)>,
}

/// Every line of the form for a pane `width` cells wide inside.
fn lines(app: &App, theme: &Theme, width: usize) -> Vec<FormLine> {
    let tab = app.tab();
    let focused_pane = app.pane == Pane::Form;
    let label = label_width(tab, width);
    let value_width = width.saturating_sub(label).max(1);
    let rows = tab.rows();
    let mut out = Vec::new();
    for (index, row) in rows.iter().copied().enumerate() {
        if let Row::Pair { field, name: 0 } = row {
            // The pairs' heading: the field's label, and what a name not set means.
            let spec = tab.spec(field);
            let mut spans = vec![styled(
                format!(" {:<w$}", truncate(spec.label, label - 2), w = label - 1),
                theme.label,
            )];
            if !spec.empty.is_empty() {
                spans.push(styled(
                    truncate(&format!("(not set: {})", spec.empty), value_width),
                    theme.dim,
                ));
            }
            out.push(FormLine {
                row: index,
                line: Line::from(spans),
                arrows: None,
                toggles: Vec::new(),
            });
        }
        let current = index == tab.row.min(rows.len() - 1);
        let marker = if current { "▸" } else { " " };
        let label_style = if current { theme.accent } else { theme.label };
        let mut spans = vec![
            styled(marker, theme.accent),
            styled(
                format!(
                    "{:<w$}",
                    truncate(&tab.label(row), label - 2),
                    w = label - 1
                ),
                label_style,
            ),
        ];
        let (value, arrows) = value(app, tab, row, current, value_width, theme);
        spans.extend(value);
        let mut line = Line::from(spans);
        if current && focused_pane {
            line = line.style(theme.selected);
        }
        out.push(FormLine {
            row: index,
            line,
            arrows: arrows.map(|(a, b)| (label + a, label + b)),
            toggles: Vec::new(),
        });
        let indent = " ".repeat(label);
        let mut note = |text: &str, style| {
            for part in wrap(text, value_width, value_width) {
                out.push(FormLine {
                    row: index,
                    line: Line::from(vec![Span::raw(indent.clone()), styled(part, style)]),
                    arrows: None,
                    toggles: Vec::new(),
                });
            }
        };
        if let Row::Field(field) = row
            && let FieldKind::Expiry = tab.spec(field).kind
        {
            if let Some(resolved) = expiry_note(app, tab, field) {
                note(&resolved, theme.dim);
            }
            // The default is in the placeholder while the field is empty; say it once.
            let limits = if tab.texts[field].trim().is_empty() {
                format!("limits: {}", tab.platform.lifetime_limits())
            } else {
                format!(
                    "limits: {} (default {})",
                    tab.platform.lifetime_limits(),
                    format_duration_compact(tab.platform.default_ttl())
                )
            };
            note(&limits, theme.dim);
        }
        if let Some(error) = tab.input_error(tab.row_id(row))
            && (row == Row::Secret || !matches!(row, Row::Key | Row::Account))
            && !matches!(row, Row::AddRoom { .. })
        {
            note(&format!("✗ {error}"), theme.error);
        }
        if let (Row::Room { field, room }, true) = (row, current && focused_pane) {
            for (toggle_line, cells) in toggles(tab, field, room, value_width, theme) {
                let mut spans = vec![Span::raw(indent.clone())];
                spans.extend(toggle_line);
                out.push(FormLine {
                    row: index,
                    line: Line::from(spans),
                    arrows: None,
                    toggles: cells
                        .into_iter()
                        .map(|(start, end, op)| (label + start, label + end, op))
                        .collect(),
                });
            }
        }
    }
    out
}

/// "→ 2026-11-22 12:00:00 UTC, in 2h": the expiry the field gives, as it is typed.
fn expiry_note(app: &App, tab: &Tab, field: usize) -> Option<String> {
    if tab.input_error(tab.spec(field).id).is_some() {
        return None;
    }
    let expiry = tab.form.expiry(tab.field_ref(field));
    let at = match expiry {
        Expiry::Default if tab.texts[field].trim().is_empty() => return None,
        expiry => {
            let seconds = expiry
                .resolve_unix(app.now.timestamp(), tab.platform.default_ttl())
                .clamp(0, crate::duration::LATEST_UNIX);
            DateTime::from_timestamp(seconds, 0)?
        }
    };
    Some(format!(
        "→ {}, {}",
        super::layout::format_time(app, at),
        format_relative(at, app.now)
    ))
}

/// A row's value, and for a choice the cells of its arrows (from the value's start).
fn value(
    app: &App,
    tab: &Tab,
    row: Row,
    current: bool,
    width: usize,
    theme: &Theme,
) -> (Vec<Span<'static>>, Option<(usize, usize)>) {
    if let (true, Some(input), Pane::Form) = (current, &app.editing, app.pane) {
        let text = if row == Row::Secret && !app.reveal && !tab.secret_is_reference() {
            "•".repeat(input.text.chars().count())
        } else {
            shown(&input.text.replace('\n', "⏎")).into_owned()
        };
        let (visible, _) = window(&text, input.cursor_chars(), width);
        return (vec![styled(visible, theme.text)], None);
    }
    if let Some(choice) = tab.sub_form_choice(row) {
        return choice_spans(choice.to_string(), width, theme);
    }
    match row {
        Row::Pair { field, name } if tab.kind(row) == RowKind::Choice => {
            let (name, value) = tab.pair(field, name);
            let shown = value.unwrap_or_else(|| {
                match tab.platform.pair_default(&tab.form, field, &name) {
                    // Not set: in brackets, what another field (a role) gives it.
                    Some(default) => format!("({default})"),
                    None => "not set".into(),
                }
            });
            choice_spans(shown, width, theme)
        }
        Row::Pair { field, name } => {
            let value = match tab.pair(field, name).1 {
                Some(value) => styled(truncate(&shown(&value), width), theme.text),
                None => styled(truncate("(not set)", width), theme.dim),
            };
            (vec![value], None)
        }
        Row::Field(index) if tab.kind(row) == RowKind::Choice => {
            let choice = match tab.spec(index).kind {
                FieldKind::Switch { off, on } => {
                    if tab.form.switch(tab.field_ref(index)) {
                        on.to_string()
                    } else {
                        off.to_string()
                    }
                }
                _ => tab.texts[index].clone(),
            };
            choice_spans(choice, width, theme)
        }
        Row::Secret => {
            let source = match &tab.source {
                CredentialSource::Demo => " demo",
                CredentialSource::Environment => " from env",
                CredentialSource::Given(_) => " given",
                CredentialSource::Typed => " typed",
            };
            let text = if app.reveal || tab.secret_is_reference() {
                truncate(
                    &shown(&tab.secret_text.replace('\n', "⏎")),
                    width.saturating_sub(source.width()),
                )
            } else {
                MASK.to_string()
            };
            (
                vec![styled(text, theme.text), styled(source, theme.dim)],
                None,
            )
        }
        Row::Room { field, room } => {
            let rooms = tab.form.rooms(tab.field_ref(field));
            let Some(permission) = rooms.get(room) else {
                return (Vec::new(), None);
            };
            let operations = if permission.operations.is_empty() {
                "(none)".to_string()
            } else {
                permission.operations.join(",")
            };
            let text = format!("{} → {operations}", shown(&permission.room));
            (vec![styled(truncate(&text, width), theme.text)], None)
        }
        Row::AddRoom { field } => {
            let empty = tab.form.rooms(tab.field_ref(field)).is_empty();
            let spec = tab.spec(field);
            let text = if empty && !spec.empty.is_empty() {
                format!("+ add one ({})", spec.empty)
            } else {
                "+ add one".to_string()
            };
            (vec![styled(truncate(&text, width), theme.dim)], None)
        }
        Row::Field(index) => {
            let text = tab.texts[index].as_str();
            if !text.is_empty() {
                return (
                    vec![styled(truncate(&shown(text), width), theme.text)],
                    None,
                );
            }
            let spec = tab.spec(index);
            let made_up = app
                .shown
                .as_ref()
                .filter(|v| v.origin == Origin::Minted && app.stale.is_none())
                .and_then(|v| tab.platform.made_up(index, v.decoded()));
            let placeholder = match (spec.kind, made_up) {
                (_, Some(made_up)) => format!("(empty: made up {made_up})"),
                (FieldKind::Expiry, _) => format!(
                    "(default: {})",
                    format_duration_compact(tab.platform.default_ttl())
                ),
                (FieldKind::Claims, _) => "(none: name=value; …)".into(),
                (FieldKind::Pairs { .. }, _) if spec.empty.is_empty() => {
                    "(none: name=value; …)".into()
                }
                _ if !spec.empty.is_empty() => format!("({})", spec.empty),
                _ => "(empty)".into(),
            };
            (vec![styled(truncate(&placeholder, width), theme.dim)], None)
        }
        Row::SubField { .. } | Row::SubForm { .. } => {
            let text = tab.text(row);
            if text.is_empty() {
                (vec![styled(truncate("(empty)", width), theme.dim)], None)
            } else {
                (
                    vec![styled(truncate(&shown(&text), width), theme.text)],
                    None,
                )
            }
        }
        Row::Key | Row::Account => {
            let text = tab.text(row);
            (
                vec![styled(truncate(&shown(&text), width), theme.text)],
                None,
            )
        }
    }
}

/// A choice as `◂ value ▸`, and the cells of its arrows.
fn choice_spans(
    choice: String,
    width: usize,
    theme: &Theme,
) -> (Vec<Span<'static>>, Option<(usize, usize)>) {
    let choice = truncate(&shown(&choice), width.saturating_sub(4));
    let end = 2 + choice.width() + 1;
    (
        vec![
            styled("◂ ", theme.dim),
            styled(choice, theme.text),
            styled(" ▸", theme.dim),
        ],
        Some((0, end)),
    )
}

/// A line of toggles, and the cells of each (start, end, operation index).
type ToggleLine = (Vec<Span<'static>>, Vec<(usize, usize, usize)>);

/// The operation toggles of a room, wrapped to `width`; the one under the cursor stands out.
fn toggles(tab: &Tab, field: usize, room: usize, width: usize, theme: &Theme) -> Vec<ToggleLine> {
    let granted = &tab.form.rooms(tab.field_ref(field))[room].operations;
    let mut lines: Vec<ToggleLine> = vec![(Vec::new(), Vec::new())];
    let mut used = 0;
    for (i, operation) in tab.operations(field).iter().enumerate() {
        let on = granted.iter().any(|g| g == operation);
        let text = format!("{}{operation}", if on { '✓' } else { '·' });
        let w = text.width() + 1;
        if used + w > width && used > 0 {
            lines.push((Vec::new(), Vec::new()));
            used = 0;
        }
        let style = if i == tab.operation {
            theme.active_tab
        } else if on {
            theme.ok
        } else {
            theme.dim
        };
        let (spans, cells) = lines.last_mut().expect("starts with a line");
        cells.push((used, used + text.width(), i));
        spans.push(styled(text, style));
        spans.push(Span::raw(" "));
        used += w;
    }
    lines
}

/// Lines the form wants, for the layout.
pub fn height(app: &App, width: u16) -> u16 {
    lines(app, &Theme::of(app), width as usize).len() as u16
}

/// The first line shown, so that the focused row (and what unfolds under it) stays in view.
fn first_line(lines: &[FormLine], focused: usize, height: usize) -> usize {
    let last = lines.iter().rposition(|l| l.row == focused).unwrap_or(0);
    let first = lines.iter().position(|l| l.row == focused).unwrap_or(0);
    (last + 1).saturating_sub(height).min(first)
}

pub fn draw(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, hits: &mut Hits) {
    let tab = app.tab();
    let title = Line::from(vec![
        styled(" ", theme.text),
        styled(tab.platform.name(), theme.accent),
        styled(" ", theme.text),
    ]);
    let block = pane(title, app.pane == Pane::Form, theme);
    let inner = block.inner(area);
    hits.push(area, Target::Pane(Pane::Form));
    let all = lines(app, theme, inner.width as usize);
    let skip = first_line(&all, tab.row, inner.height as usize);
    let label = label_width(tab, inner.width as usize);
    for (y, form_line) in all
        .iter()
        .skip(skip)
        .take(inner.height as usize)
        .enumerate()
    {
        let y = inner.y + y as u16;
        hits.push(
            Rect::new(inner.x, y, inner.width, 1),
            Target::FormRow(form_line.row),
        );
        if let Some((start, end)) = form_line.arrows {
            let at = |cell: usize, width: usize| {
                Rect::new(inner.x + cell as u16, y, width as u16, 1).intersection(inner)
            };
            hits.push(
                at(start, 2),
                Target::Choice {
                    row: form_line.row,
                    forward: false,
                },
            );
            hits.push(
                at(end.saturating_sub(1), 2),
                Target::Choice {
                    row: form_line.row,
                    forward: true,
                },
            );
        }
        for &(start, end, operation) in &form_line.toggles {
            hits.push(
                Rect::new(inner.x + start as u16, y, (end - start) as u16, 1).intersection(inner),
                Target::Operation {
                    row: form_line.row,
                    operation,
                },
            );
        }
    }
    if let (Some(input), Pane::Form) = (&app.editing, app.pane) {
        let row_line = all.iter().position(|l| l.row == tab.row).unwrap_or(0);
        let text = if tab.current_row() == Row::Secret && !app.reveal && !tab.secret_is_reference()
        {
            "•".repeat(input.text.chars().count())
        } else {
            shown(&input.text.replace('\n', "⏎")).into_owned()
        };
        let (_, column) = window(
            &text,
            input.cursor_chars(),
            (inner.width as usize).saturating_sub(label).max(1),
        );
        let y = row_line.saturating_sub(skip);
        if y < inner.height as usize && label + column < inner.width as usize {
            frame.set_cursor_position(Position::new(
                inner.x + (label + column) as u16,
                inner.y + y as u16,
            ));
        }
    }
    render_lines(
        frame,
        block,
        area,
        all.into_iter().map(|l| l.line).collect(),
        skip as u16,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_helpers_read_back_what_the_rows_show() {
        let pairs = vec![("canPublish".to_string(), "false".to_string())];
        assert_eq!(
            text_of(&FieldValue::Pairs(pairs.clone())),
            pairs_to_text(&pairs)
        );
        assert_eq!(text_of(&FieldValue::Expiry(Expiry::After(90))), "1m30s");
    }
}
