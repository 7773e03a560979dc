//! The workbench's state, and [`update`], the only place it changes.
//!
//! The token is minted and checked when an input changes and the [`Report`] is kept; a tick
//! only moves `now`, so the countdown runs without any crypto on a timer.

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde_json::Value;
use zeroize::Zeroizing;

use super::action::{Action, CopyReport, CopyWhat, Effect};
use super::keymap::Context;
use super::lab::{Lab, LabField};
use crate::clock::Clock;
use crate::duration::Expiry;
use crate::findings::{Field, Severity};
use crate::platform::{self, CredentialSource, Credentials, Form, MintContext, Platform};
use crate::report::{self, KeyChoice, Report};
use crate::secret::{self, Secret};
use crate::serve::{self, PlatformConfig, RequestRecord, ServeConfig};
use crate::token::{self, Signer};

/// The requests pane keeps this many, newest first; older ones go.
pub const REQUESTS_KEPT: usize = 200;

/// How the workbench starts: one form and credentials per platform, in [`platform::ALL`] order.
pub struct AppConfig {
    pub clock: Clock,
    /// The tab that opens first.
    pub active: usize,
    pub forms: Vec<(Form, Credentials)>,
    /// Seed the random claims (`jti`, session ids) from the inputs and the time, so a pinned
    /// clock gives the same token (tests, `--now`).
    pub deterministic: bool,
    pub no_color: bool,
    pub size: (u16, u16),
    /// Where `env:NAME` secrets typed in the form are read.
    pub env: fn(&str) -> Option<String>,
    /// The loopback port `s` serves on; 0 picks a free one.
    pub serve_port: u16,
}

impl AppConfig {
    /// Every platform on its default form and demo credentials, opening on zoom.
    pub fn demo(clock: Clock) -> Self {
        AppConfig {
            clock,
            active: 0,
            forms: platform::ALL
                .iter()
                .map(|p| (p.default_form(), p.demo_credentials()))
                .collect(),
            deterministic: true,
            no_color: false,
            size: (120, 40),
            env: |_| None,
            serve_port: serve::DEFAULT_PORT,
        }
    }
}

/// A line of the form: a field, one room of the permissions, or the row that adds a room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    Field(Field),
    Room(usize),
    AddRoom,
}

/// What a row does with Enter, ←/→ and Space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    Text,
    Choice,
    Room,
    AddRoom,
}

impl Row {
    pub fn kind(self) -> RowKind {
        match self {
            Row::Field(Field::Role | Field::Format) => RowKind::Choice,
            Row::Field(_) => RowKind::Text,
            Row::Room(_) => RowKind::Room,
            Row::AddRoom => RowKind::AddRoom,
        }
    }

    /// The field a row belongs to, as findings name it.
    pub fn field(self) -> Field {
        match self {
            Row::Field(field) => field,
            Row::Room(_) | Row::AddRoom => Field::Permissions,
        }
    }
}

/// One platform's tab: its form as typed, its credentials, and where the cursor is.
pub struct PlatformState {
    pub platform: &'static dyn Platform,
    pub form: Form,
    /// The expiry box as typed (durations or instants); `form.expiry` holds its last good value.
    pub expiry_text: String,
    /// Extra claims as typed: `name=value; name=value`.
    pub claims_text: String,
    pub key: String,
    pub secret_text: Zeroizing<String>,
    secret: Result<Secret, String>,
    /// Where the secret came from; `None` once it was typed in the workbench.
    pub source: Option<CredentialSource>,
    signer: Result<Signer, String>,
    /// Inputs that do not parse, by field: they stop minting until fixed.
    pub input_errors: Vec<(Field, String)>,
    /// The focused row of the form.
    pub row: usize,
    /// The operation under the cursor on a room row.
    pub operation: usize,
}

impl PlatformState {
    fn new(platform: &'static dyn Platform, form: Form, credentials: Credentials) -> Self {
        let signer = platform.signer(&credentials);
        let mut state = PlatformState {
            platform,
            expiry_text: form.expiry.to_text(),
            claims_text: claims_to_text(&form.claims),
            form,
            key: credentials.key,
            secret_text: Zeroizing::new(credentials.secret.expose_text()),
            secret: Ok(credentials.secret),
            source: Some(credentials.source),
            signer,
            input_errors: Vec::new(),
            row: 0,
            operation: 0,
        };
        state.check_inputs();
        state
    }

    /// The rows of the form, in the platform's order; permissions become one row per room.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for field in self.platform.fields() {
            if *field == Field::Permissions {
                rows.extend((0..self.form.permissions.len()).map(Row::Room));
                rows.push(Row::AddRoom);
            } else {
                rows.push(Row::Field(*field));
            }
        }
        rows
    }

    pub fn current_row(&self) -> Row {
        let rows = self.rows();
        rows[self.row.min(rows.len() - 1)]
    }

    /// The text of a text row, as typed.
    pub fn text(&self, row: Row) -> String {
        match row {
            Row::Field(Field::Topic) => self.form.topic.clone(),
            Row::Field(Field::Password) => self.form.password.clone(),
            Row::Field(Field::Expiry) => self.expiry_text.clone(),
            Row::Field(Field::Data) => self.form.data.clone(),
            Row::Field(Field::ClientId) => self.form.client_id.clone(),
            Row::Field(Field::Claims) => self.claims_text.clone(),
            Row::Field(Field::Key) => self.key.clone(),
            Row::Field(Field::Secret) => self.secret_text.to_string(),
            Row::Room(i) => self
                .form
                .permissions
                .get(i)
                .map(|p| p.room.clone())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn set_text(&mut self, row: Row, text: &str, env: fn(&str) -> Option<String>) {
        match row {
            Row::Field(Field::Topic) => self.form.topic = text.into(),
            Row::Field(Field::Password) => self.form.password = text.into(),
            Row::Field(Field::Expiry) => self.expiry_text = text.into(),
            Row::Field(Field::Data) => self.form.data = text.into(),
            Row::Field(Field::ClientId) => self.form.client_id = text.into(),
            Row::Field(Field::Claims) => self.claims_text = text.into(),
            Row::Field(Field::Key) => self.key = text.into(),
            Row::Field(Field::Secret) => {
                self.secret_text = Zeroizing::new(text.into());
                self.source = None;
                self.secret = self.read_secret(env);
                // Signers read only the secret; the key and source are filled for the type.
                self.signer = self.secret.clone().and_then(|secret| {
                    self.platform.signer(&Credentials {
                        key: self.key.clone(),
                        secret,
                        source: CredentialSource::Demo,
                    })
                });
            }
            Row::Room(i) => {
                if let Some(permission) = self.form.permissions.get_mut(i) {
                    permission.room = text.into();
                }
            }
            _ => {}
        }
        self.check_inputs();
    }

    /// A secret typed in the form reads like `--secret`: `env:NAME`, `@path`, `b64:…` or the
    /// value itself. A Relaybox API key `appPid.keyId:secret` also fills the key.
    fn read_secret(&mut self, env: fn(&str) -> Option<String>) -> Result<Secret, String> {
        if self.secret_text.trim() == "-" {
            return Err("the workbench cannot read a secret from standard input: use env:NAME, @path, b64:… or the value".into());
        }
        let (secret, _) = secret::resolve(&self.secret_text, &env, &mut std::io::empty())?;
        let (key, secret) = self.platform.split_secret(secret);
        if let Some(key) = key {
            self.key = key;
        }
        Ok(secret)
    }

    /// Parses the typed expiry, claims and secret into the form, noting what does not parse.
    fn check_inputs(&mut self) {
        self.input_errors.clear();
        match Expiry::parse(&self.expiry_text) {
            Ok(expiry) => self.form.expiry = expiry,
            Err(error) => self.input_errors.push((Field::Expiry, error)),
        }
        match claims_from_text(&self.claims_text) {
            Ok(claims) => self.form.claims = claims,
            Err(error) => self.input_errors.push((Field::Claims, error)),
        }
        if let Err(error) = &self.secret {
            self.input_errors.push((Field::Secret, error.clone()));
        }
    }

    pub fn input_error(&self, field: Field) -> Option<&str> {
        self.input_errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }

    fn credentials(&self) -> Option<Credentials> {
        Some(Credentials {
            key: self.key.clone(),
            secret: self.secret.clone().ok()?,
            source: self.source.clone().unwrap_or(CredentialSource::Demo),
        })
    }

    /// Fills the form from a decoded token; the credentials stay as they are.
    fn load(&mut self, form: Form) {
        self.expiry_text = form.expiry.to_text();
        self.claims_text = claims_to_text(&form.claims);
        self.form = form;
        self.row = 0;
        self.operation = 0;
        self.check_inputs();
    }

    fn mint(&self, now: DateTime<Utc>, deterministic: bool) -> Result<TokenView, String> {
        if let Some((field, error)) = self.input_errors.first() {
            return Err(format!("fix the {}: {error}", field.label()));
        }
        let signer = self.signer.as_ref().map_err(Clone::clone)?;
        let credentials = self
            .credentials()
            .expect("no input error, so the secret was read");
        let (mut pinned, mut entropy);
        let rng: &mut dyn RngCore = if deterministic {
            pinned = self.form.pinned_rng(now);
            &mut pinned
        } else {
            entropy = StdRng::from_entropy();
            &mut entropy
        };
        let text = self.platform.mint(
            &self.form,
            &credentials,
            signer,
            &mut MintContext { now, rng },
        )?;
        self.check(&text, now)
    }

    /// Checks a token minted from this tab with the tab's credentials, at `now`.
    fn check(&self, text: &str, now: DateTime<Utc>) -> Result<TokenView, String> {
        let credentials = self
            .credentials()
            .ok_or("the secret could not be read, so the token cannot be checked")?;
        let decoded = token::inspect(text)?;
        let key = match self.source {
            // A secret typed here was never on the command line nor a demo: no credential finding.
            None => KeyChoice::Given(&credentials.secret),
            Some(_) => KeyChoice::Minted(&credentials),
        };
        Ok(TokenView::new(
            text,
            decoded,
            Some(self.platform),
            key,
            now,
            Origin::Minted,
        ))
    }
}

/// Extra claims as the form writes them: `name=value` joined by `; `, values as `--claim` reads them.
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

pub fn claims_from_text(text: &str) -> Result<Vec<(String, Value)>, String> {
    text.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(platform::parse_claim)
        .collect()
}

/// Where the shown token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Minted,
    /// Pasted or typed into inspect; `known` when its platform's form was filled from it.
    Inspected {
        known: bool,
    },
}

/// A token with its report and the times the countdown needs.
pub struct TokenView {
    pub report: Report,
    pub algorithm: String,
    pub issued_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub origin: Origin,
}

impl TokenView {
    fn new(
        text: &str,
        decoded: token::Decoded,
        platform: Option<&'static dyn Platform>,
        key: KeyChoice,
        now: DateTime<Utc>,
        origin: Origin,
    ) -> Self {
        let algorithm = decoded.algorithm_label();
        let (issued_at, expires_at) = (decoded.issued_at(), decoded.expires_at());
        TokenView {
            report: report::check(text, decoded, platform, key, now),
            algorithm,
            issued_at,
            expires_at,
            origin,
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Form,
    Token,
    Claims,
    Findings,
    Requests,
}

/// The local auth endpoint, as the workbench knows it; the server itself lives at the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Stopped,
    /// Asked to start; the edge answers with [`Action::ServeStarted`].
    Starting,
    Serving {
        url: String,
    },
    /// Asked to stop; the edge answers with [`Action::ServeStopped`].
    Stopping,
}

/// A text being typed, with its cursor (in characters).
#[derive(Clone, Debug, Default)]
pub struct TextInput {
    pub text: Zeroizing<String>,
    pub cursor: usize,
}

impl TextInput {
    fn at_end(text: String) -> Self {
        let cursor = text.chars().count();
        TextInput {
            text: Zeroizing::new(text),
            cursor,
        }
    }

    fn byte_index(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Applies an editing action; true when the text changed.
    fn apply(&mut self, action: &Action) -> bool {
        let len = self.text.chars().count();
        match action {
            Action::Insert(c) => {
                let at = self.byte_index(self.cursor);
                self.text.insert(at, *c);
                self.cursor += 1;
                true
            }
            Action::Paste(pasted) => {
                let at = self.byte_index(self.cursor);
                self.text.insert_str(at, pasted);
                self.cursor += pasted.chars().count();
                true
            }
            Action::Backspace if self.cursor > 0 => {
                let at = self.byte_index(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
                true
            }
            Action::Delete if self.cursor < len => {
                let at = self.byte_index(self.cursor);
                self.text.remove(at);
                true
            }
            Action::ClearToStart if self.cursor > 0 => {
                let at = self.byte_index(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
                true
            }
            Action::CursorLeft => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            Action::CursorRight => {
                self.cursor = (self.cursor + 1).min(len);
                false
            }
            Action::CursorHome => {
                self.cursor = 0;
                false
            }
            Action::CursorEnd => {
                self.cursor = len;
                false
            }
            _ => false,
        }
    }
}

pub enum Mode {
    Normal,
    /// Typing into the focused row of the form.
    Editing(TextInput),
    /// The paste box of inspect, with the last decoding error.
    Inspect {
        input: TextInput,
        error: Option<String>,
    },
    Help {
        scroll: u16,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Dark,
    Light,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

pub struct App {
    pub clock: Clock,
    /// The time everything on screen is shown against; moved by ticks.
    pub now: DateTime<Utc>,
    deterministic: bool,
    env: fn(&str) -> Option<String>,
    pub platforms: Vec<PlatformState>,
    pub active: usize,
    pub pane: Pane,
    pub mode: Mode,
    /// The token on screen and its report, or why there is none.
    pub shown: Result<TokenView, String>,
    pub reveal: bool,
    pub local_time: bool,
    pub theme: Theme,
    pub no_color: bool,
    pub status: Option<Status>,
    pub size: (u16, u16),
    pub selected_finding: usize,
    /// Scroll offset of the token and claims panes.
    pub scroll: u16,
    pub endpoint: Endpoint,
    pub serve_port: u16,
    /// The requests the endpoint answered, newest first, at most [`REQUESTS_KEPT`].
    pub requests: Vec<RequestRecord>,
    pub selected_request: usize,
    /// An input changed since the endpoint was last given the forms.
    forms_changed: bool,
    /// The lifetime lab's scenario, and whether its screen is open.
    pub lab: Lab,
    pub quit: bool,
}

impl App {
    pub fn new(config: AppConfig) -> Self {
        let platforms = platform::ALL
            .iter()
            .zip(config.forms)
            .map(|(platform, (form, credentials))| PlatformState::new(*platform, form, credentials))
            .collect();
        let now = config.clock.now();
        let mut app = App {
            clock: config.clock,
            now,
            deterministic: config.deterministic,
            env: config.env,
            platforms,
            active: config.active,
            pane: Pane::Form,
            mode: Mode::Normal,
            shown: Err(String::new()),
            reveal: false,
            local_time: false,
            theme: Theme::Dark,
            no_color: config.no_color,
            status: None,
            size: config.size,
            selected_finding: 0,
            scroll: 0,
            endpoint: Endpoint::Stopped,
            serve_port: config.serve_port,
            requests: Vec::new(),
            selected_request: 0,
            forms_changed: false,
            lab: Lab::default(),
            quit: false,
        };
        app.remint();
        app
    }

    pub fn current(&self) -> &PlatformState {
        &self.platforms[self.active]
    }

    fn current_mut(&mut self) -> &mut PlatformState {
        &mut self.platforms[self.active]
    }

    /// Mints the current form: the one place crypto runs, called when an input changes.
    fn remint(&mut self) {
        self.now = self.clock.now();
        self.shown = self.current().mint(self.now, self.deterministic);
        self.selected_finding = 0;
    }

    /// An input of a form changed: mint again, and let the endpoint know.
    fn input_changed(&mut self) {
        self.forms_changed = true;
        self.remint();
    }

    /// The key-table contexts in effect, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        match &self.mode {
            Mode::Editing(_) => vec![Context::Editing],
            Mode::Inspect { .. } => vec![Context::Inspect],
            Mode::Help { .. } => vec![Context::Help],
            Mode::Normal if self.lab.open => vec![Context::Lab, Context::Global],
            Mode::Normal => match self.pane {
                Pane::Form if self.current().current_row().kind() == RowKind::Room => {
                    vec![Context::Room, Context::Form, Context::Global]
                }
                Pane::Form => vec![Context::Form, Context::Global],
                Pane::Findings => vec![Context::Findings, Context::Global],
                Pane::Token | Pane::Claims => vec![Context::Scroll, Context::Global],
                Pane::Requests => vec![Context::Requests, Context::Global],
            },
        }
    }

    fn set_status(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(Status {
            text: text.into(),
            error,
        });
    }

    fn switch_platform(&mut self, index: usize) {
        self.end_edit();
        self.active = index;
        self.pane = Pane::Form;
        self.scroll = 0;
        self.remint();
    }

    fn end_edit(&mut self) {
        if matches!(self.mode, Mode::Editing(_)) {
            self.mode = Mode::Normal;
        }
    }

    fn move_row(&mut self, forward: bool) {
        let state = self.current_mut();
        let count = state.rows().len();
        state.row = if forward {
            (state.row + 1) % count
        } else {
            (state.row + count - 1) % count
        };
        state.operation = 0;
    }

    fn activate(&mut self) {
        let state = self.current_mut();
        let row = state.current_row();
        match row.kind() {
            RowKind::Text | RowKind::Room => {
                self.mode = Mode::Editing(TextInput::at_end(state.text(row)));
            }
            RowKind::Choice => self.cycle(true),
            RowKind::AddRoom => {
                let index = state.form.permissions.len();
                state.form.permissions.push(platform::RoomPermission {
                    room: format!("room-{}", index + 1),
                    operations: vec!["subscribe".into()],
                });
                state.row = state
                    .rows()
                    .iter()
                    .position(|r| *r == Row::Room(index))
                    .unwrap_or(0);
                self.mode = Mode::Editing(TextInput::at_end(format!("room-{}", index + 1)));
                self.input_changed();
            }
        }
    }

    /// ← / → / Space on a choice (role, format) or on a room's operations.
    fn cycle(&mut self, forward: bool) {
        let state = self.current_mut();
        match state.current_row() {
            Row::Field(Field::Role) => {
                let roles = state.platform.roles();
                if roles.is_empty() {
                    return;
                }
                let next = match roles.iter().position(|r| *r == state.form.role) {
                    Some(i) if forward => (i + 1) % roles.len(),
                    Some(i) => (i + roles.len() - 1) % roles.len(),
                    None => 0,
                };
                state.form.role = roles[next].to_string();
            }
            Row::Field(Field::Format) => state.form.legacy_t1 = !state.form.legacy_t1,
            Row::Room(_) => {
                let count = state.platform.operations().len().max(1);
                state.operation = if forward {
                    (state.operation + 1) % count
                } else {
                    (state.operation + count - 1) % count
                };
                return;
            }
            _ => return,
        }
        self.input_changed();
    }

    fn toggle_operation(&mut self) {
        let state = self.current_mut();
        let Row::Room(index) = state.current_row() else {
            return;
        };
        let vocabulary = state.platform.operations();
        let Some(operation) = vocabulary.get(state.operation) else {
            return;
        };
        let permission = &mut state.form.permissions[index];
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
        self.input_changed();
    }

    fn remove_room(&mut self) {
        let state = self.current_mut();
        if let Row::Room(index) = state.current_row() {
            state.form.permissions.remove(index);
            state.row = state.row.min(state.rows().len() - 1);
            self.input_changed();
        }
    }

    fn edit(&mut self, action: &Action) {
        let env = self.env;
        let Mode::Editing(input) = &mut self.mode else {
            return;
        };
        if !input.apply(action) {
            return;
        }
        let text = input.text.clone();
        if self.lab.open {
            let field = self.lab.current(self.lab_model());
            self.lab.set_text(field, &text);
            return;
        }
        let state = &mut self.platforms[self.active];
        let row = state.current_row();
        state.set_text(row, &text, env);
        self.input_changed();
    }

    /// Decodes and checks a token given to inspect; a token of a known platform fills its form.
    fn inspect(&mut self, text: &str) {
        let decoded = match token::inspect(text) {
            Ok(decoded) => decoded,
            Err(error) => {
                self.mode = Mode::Inspect {
                    input: TextInput::at_end(text.to_string()),
                    error: Some(error),
                };
                return;
            }
        };
        self.mode = Mode::Normal;
        self.now = self.clock.now();
        let (view, fill) = self.inspected_view(text, decoded);
        if let Some((index, form)) = fill {
            self.active = index;
            self.platforms[index].load(form);
        }
        let what = match view.report.platform {
            Some(id) => format!("a {id} token; its form is filled: edit any field to re-sign"),
            None => "a token of no known platform (read-only)".to_string(),
        };
        self.set_status(
            format!(
                "inspected {what}; signature {}",
                view.report.signature.label()
            ),
            false,
        );
        self.pane = Pane::Form;
        self.scroll = 0;
        self.selected_finding = 0;
        self.shown = Ok(view);
    }

    /// The view of an inspected token at `self.now`, and the tab and form it fills when its
    /// platform is known.
    fn inspected_view(
        &self,
        text: &str,
        decoded: token::Decoded,
    ) -> (TokenView, Option<(usize, Form)>) {
        let env = self.env;
        let find = |name: &str| env(name);
        let detected = platform::detect(&decoded);
        let index = detected.and_then(|p| platform::ALL.iter().position(|q| q.id() == p.id()));
        match (detected, index) {
            (Some(platform), Some(index)) => {
                let form = platform.form_from(&decoded);
                let state = &self.platforms[index];
                // The tab's own credentials check the token when they name its key; else
                // whatever can be found (the environment, or the demo credentials).
                let own = state
                    .credentials()
                    .filter(|c| c.source != CredentialSource::Demo)
                    .filter(|c| platform.key_id(&decoded).is_none_or(|k| k == c.key));
                let key = match &own {
                    Some(credentials) => KeyChoice::Given(&credentials.secret),
                    None => KeyChoice::Find { env: &find },
                };
                let view = TokenView::new(
                    text,
                    decoded,
                    Some(platform),
                    key,
                    self.now,
                    Origin::Inspected { known: true },
                );
                (view, Some((index, form)))
            }
            _ => (
                TokenView::new(
                    text,
                    decoded,
                    None,
                    KeyChoice::Find { env: &find },
                    self.now,
                    Origin::Inspected { known: false },
                ),
                None,
            ),
        }
    }

    /// Moves `now` to the clock and, when that crossed the shown token's iat or exp, checks
    /// the same token again so findings such as `jwt.expired` follow the (virtual) clock.
    /// Nothing is minted: the token stays the one on screen.
    fn follow_clock(&mut self) {
        let before = self.now;
        self.now = self.clock.now();
        let Ok(view) = &self.shown else { return };
        let crossed =
            |t: Option<DateTime<Utc>>| t.is_some_and(|t| (before >= t) != (self.now >= t));
        if !(crossed(view.expires_at) || crossed(view.issued_at)) {
            return;
        }
        let text = view.report.token.clone();
        self.shown = match view.origin {
            Origin::Minted => self.current().check(&text, self.now),
            Origin::Inspected { .. } => {
                token::inspect(&text).map(|decoded| self.inspected_view(&text, decoded).0)
            }
        };
    }

    /// The lifetime model the lab plays now.
    fn lab_model(&self) -> Option<crate::lifetime::Model> {
        let platform = self.shown.as_ref().ok().and_then(|v| v.report.platform);
        self.lab.model(platform)
    }

    /// Enter, ← and → on the lab's scenario rows.
    fn lab_activate(&mut self, forward: bool, edit: bool) {
        let model = self.lab_model();
        match self.lab.current(model) {
            LabField::Model => self.lab.cycle_model(model, forward),
            field if edit => {
                self.mode = Mode::Editing(TextInput::at_end(self.lab.text(field).to_string()))
            }
            _ => {}
        }
    }

    /// Moves the virtual clock; a running endpoint mints on it too.
    fn clock(&mut self, action: &Action) -> Vec<Effect> {
        let exp = self.shown.as_ref().ok().and_then(|v| v.expires_at);
        match action {
            Action::ClockPause => self.clock.toggle_pause(),
            Action::ClockSlower => self.clock.step_speed(false),
            Action::ClockFaster => self.clock.step_speed(true),
            Action::ClockJump(seconds) => self.clock.jump_by(chrono::TimeDelta::seconds(*seconds)),
            Action::ClockToExpiry => match exp {
                Some(exp) => self.clock.jump_to(exp - chrono::TimeDelta::seconds(10)),
                None => self.set_status("the token has no expiry to jump to", true),
            },
            Action::ClockReset => self.clock.reset(),
            _ => return Vec::new(),
        }
        self.follow_clock();
        match self.endpoint {
            Endpoint::Serving { .. } => vec![Effect::SetServeClock(self.clock.clone())],
            _ => Vec::new(),
        }
    }

    fn copy(&mut self, what: CopyWhat) -> Vec<Effect> {
        let view = match &self.shown {
            Ok(view) => view,
            Err(error) => {
                let error = format!("nothing to copy: {error}");
                self.set_status(error, true);
                return Vec::new();
            }
        };
        let text = match what {
            CopyWhat::Token => view.report.token.clone(),
            CopyWhat::Claims => {
                serde_json::to_string_pretty(&view.report.claims).expect("JSON values serialise")
            }
        };
        vec![Effect::Copy { what, text }]
    }

    fn copied(&mut self, report: CopyReport) {
        let worked: Vec<&str> = report
            .paths
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(name, _)| *name)
            .collect();
        let failed: Vec<String> = report
            .paths
            .iter()
            .filter_map(|(name, r)| r.as_ref().err().map(|e| format!("{name}: {e}")))
            .collect();
        let mut text = if worked.is_empty() {
            format!("could not copy {}", report.what.label())
        } else {
            format!(
                "copied {} ({} chars) via {}",
                report.what.label(),
                report.chars,
                worked.join(" and ")
            )
        };
        if !failed.is_empty() {
            text.push_str(&format!("; {}", failed.join("; ")));
        }
        self.set_status(text, worked.is_empty());
    }

    /// Whether the requests pane is on screen: while the endpoint runs, or while it has rows.
    pub fn requests_shown(&self) -> bool {
        self.endpoint != Endpoint::Stopped || !self.requests.is_empty()
    }

    /// What the endpoint mints with: every tab's form and credentials, on the workbench's clock.
    /// An input that does not parse stops it, as it stops minting.
    pub fn serve_config(&self) -> Result<ServeConfig, String> {
        let mut config = ServeConfig::demo(self.clock.clone());
        for state in &self.platforms {
            let id = state.platform.id();
            if let Some((field, error)) = state.input_errors.first() {
                return Err(format!("fix the {id} {}: {error}", field.label()));
            }
            let (Some(target), Some(credentials)) = (config.platform_mut(id), state.credentials())
            else {
                continue;
            };
            *target = PlatformConfig {
                form: state.form.clone(),
                credentials,
            };
        }
        Ok(config)
    }

    fn toggle_serve(&mut self) -> Vec<Effect> {
        match self.endpoint {
            Endpoint::Stopped => match self.serve_config() {
                Ok(config) => {
                    self.endpoint = Endpoint::Starting;
                    self.forms_changed = false;
                    vec![Effect::StartServe {
                        config,
                        port: self.serve_port,
                    }]
                }
                Err(error) => {
                    self.set_status(format!("the endpoint did not start: {error}"), true);
                    Vec::new()
                }
            },
            Endpoint::Serving { .. } => {
                self.endpoint = Endpoint::Stopping;
                vec![Effect::StopServe]
            }
            Endpoint::Starting | Endpoint::Stopping => Vec::new(),
        }
    }

    fn serve_started(&mut self, result: Result<String, String>) {
        match result {
            Ok(url) => {
                let routes: Vec<String> = serve::ROUTES
                    .iter()
                    .filter(|(_, _, platform)| platform.is_some())
                    .map(|(method, path, _)| format!("{method} {path}"))
                    .collect();
                self.set_status(format!("serving on {url}: {}", routes.join(", ")), false);
                self.endpoint = Endpoint::Serving { url };
            }
            Err(error) => {
                self.set_status(format!("the endpoint did not start: {error}"), true);
                self.endpoint = Endpoint::Stopped;
            }
        }
    }

    /// The forms changed while serving: the endpoint gets them, unless one does not parse.
    fn reconfigure_serve(&mut self) -> Vec<Effect> {
        if !matches!(self.endpoint, Endpoint::Serving { .. }) || !self.forms_changed {
            return Vec::new();
        }
        self.forms_changed = false;
        match self.serve_config() {
            Ok(config) => vec![Effect::ReconfigureServe(config)],
            Err(error) => {
                self.set_status(format!("the endpoint keeps its settings: {error}"), true);
                Vec::new()
            }
        }
    }

    /// New requests go on top. While the pane has focus the selected request stays selected;
    /// else the selection is the newest.
    fn add_requests(&mut self, records: Vec<RequestRecord>) {
        let count = records.len();
        self.requests.splice(0..0, records.into_iter().rev());
        self.requests.truncate(REQUESTS_KEPT);
        self.selected_request = if self.pane == Pane::Requests {
            self.selected_request + count
        } else {
            0
        };
        self.selected_request = self
            .selected_request
            .min(self.requests.len().saturating_sub(1));
    }

    /// Enter on a request: its token goes through inspect, as if pasted.
    fn inspect_request(&mut self) {
        let Some(record) = self.requests.get(self.selected_request) else {
            return;
        };
        match record.token.clone() {
            Some(token) => self.inspect(&token),
            None => {
                let why = record.error.as_deref().unwrap_or("no token in the answer");
                let text = format!(
                    "{} {} got no token ({}): {why}",
                    record.method, record.route, record.status
                );
                self.set_status(text, false);
            }
        }
    }

    fn go_to_finding(&mut self) {
        let Ok(view) = &self.shown else { return };
        let Some(finding) = view.report.findings.get(self.selected_finding) else {
            return;
        };
        let field = match finding.field {
            Field::Credentials => Field::Key,
            other => other,
        };
        let state = &mut self.platforms[self.active];
        match state.rows().iter().position(|row| row.field() == field) {
            Some(index) => {
                state.row = index;
                self.pane = Pane::Form;
            }
            None => self.set_status(
                format!(
                    "{} is about the {} as a whole: no field to edit",
                    finding.rule,
                    field.label()
                ),
                false,
            ),
        }
    }

    fn click(&mut self, column: u16, row: u16) {
        use super::ui::Target;
        let target = super::ui::hit_test(self, column, row);
        if let Mode::Help { .. } = self.mode {
            self.mode = Mode::Normal;
            return;
        }
        if let Mode::Inspect { .. } = self.mode {
            return;
        }
        match target {
            Some(Target::Tab(index)) if index != self.active => self.switch_platform(index),
            Some(Target::Tab(_)) => {}
            Some(Target::FormRow(index)) => {
                self.end_edit();
                self.pane = Pane::Form;
                self.current_mut().row = index;
            }
            Some(Target::Finding(index)) => {
                self.end_edit();
                self.pane = Pane::Findings;
                self.selected_finding = index;
            }
            Some(Target::Request(index)) => {
                self.end_edit();
                self.pane = Pane::Requests;
                self.selected_request = index;
            }
            Some(Target::Pane(pane)) => {
                self.end_edit();
                self.pane = pane;
            }
            None => {}
        }
    }

    fn select(&mut self, down: bool) {
        let step = |value: u16| {
            if down {
                value.saturating_add(1)
            } else {
                value.saturating_sub(1)
            }
        };
        if let Mode::Help { scroll } = &mut self.mode {
            *scroll = step(*scroll);
            return;
        }
        match self.pane {
            Pane::Findings => {
                let count = self.shown.as_ref().map_or(0, |v| v.report.findings.len());
                if count > 0 {
                    self.selected_finding = if down {
                        (self.selected_finding + 1).min(count - 1)
                    } else {
                        self.selected_finding.saturating_sub(1)
                    };
                }
            }
            Pane::Token | Pane::Claims => self.scroll = step(self.scroll),
            Pane::Requests => {
                let last = self.requests.len().saturating_sub(1);
                self.selected_request = if down {
                    (self.selected_request + 1).min(last)
                } else {
                    self.selected_request.saturating_sub(1)
                };
            }
            Pane::Form => {}
        }
    }
}

/// The only place the workbench's state changes. Returns what the edge must do.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut effects = apply(app, action);
    effects.extend(app.reconfigure_serve());
    effects
}

fn apply(app: &mut App, action: Action) -> Vec<Effect> {
    // A status message lasts until the user does something else.
    if !matches!(
        action,
        Action::Tick
            | Action::Resize { .. }
            | Action::Copied(_)
            | Action::ServeRequests(_)
            | Action::ServeReconfigured(Ok(()))
    ) {
        app.status = None;
    }
    match action {
        Action::Quit => app.quit = true,
        Action::Tick => app.follow_clock(),
        Action::ToggleLab => {
            app.end_edit();
            app.lab.open = !app.lab.open;
        }
        Action::ClockPause
        | Action::ClockSlower
        | Action::ClockFaster
        | Action::ClockJump(_)
        | Action::ClockToExpiry
        | Action::ClockReset => return app.clock(&action),
        Action::NextField if app.lab.open => {
            let model = app.lab_model();
            app.lab.move_row(model, true)
        }
        Action::PreviousField if app.lab.open => {
            let model = app.lab_model();
            app.lab.move_row(model, false)
        }
        Action::Activate if app.lab.open => app.lab_activate(true, true),
        Action::Left if app.lab.open => app.lab_activate(false, false),
        Action::Right if app.lab.open => app.lab_activate(true, false),
        Action::Resize { width, height } => app.size = (width, height),
        Action::NextPlatform => app.switch_platform((app.active + 1) % app.platforms.len()),
        Action::PreviousPlatform => {
            let count = app.platforms.len();
            app.switch_platform((app.active + count - 1) % count)
        }
        Action::NextField => app.move_row(true),
        Action::PreviousField => app.move_row(false),
        Action::Activate => app.activate(),
        Action::Left => app.cycle(false),
        Action::Right => app.cycle(true),
        Action::Toggle => app.toggle_operation(),
        Action::RemoveRoom => app.remove_room(),
        Action::EndEdit => app.end_edit(),
        Action::Insert(_)
        | Action::Backspace
        | Action::Delete
        | Action::CursorLeft
        | Action::CursorRight
        | Action::CursorHome
        | Action::CursorEnd
        | Action::ClearToStart => match &mut app.mode {
            Mode::Inspect { input, .. } => {
                input.apply(&action);
            }
            _ => app.edit(&action),
        },
        Action::Paste(text) => match &mut app.mode {
            Mode::Inspect { input, .. } => {
                input.apply(&Action::Paste(text.trim().to_string()));
            }
            Mode::Editing(_) => {
                // Only a secret (a PEM key) keeps its line breaks.
                let text = if app.current().current_row() == Row::Field(Field::Secret) {
                    text
                } else {
                    text.replace(['\r', '\n'], " ")
                };
                app.edit(&Action::Paste(text));
            }
            Mode::Help { .. } => {}
            Mode::Normal => app.inspect(&text),
        },
        Action::OpenInspect => {
            app.mode = Mode::Inspect {
                input: TextInput::default(),
                error: None,
            }
        }
        Action::SubmitInspect => {
            if let Mode::Inspect { input, .. } = &app.mode {
                let text = input.text.to_string();
                app.inspect(&text);
            }
        }
        Action::CancelInspect => app.mode = Mode::Normal,
        Action::CopyToken => return app.copy(CopyWhat::Token),
        Action::CopyClaims => return app.copy(CopyWhat::Claims),
        Action::Copied(report) => app.copied(report),
        Action::ToggleReveal => app.reveal = !app.reveal,
        Action::ToggleTheme => {
            app.theme = match app.theme {
                Theme::Dark => Theme::Light,
                Theme::Light => Theme::Dark,
            }
        }
        Action::ToggleLocalTime => app.local_time = !app.local_time,
        Action::ToggleHelp => {
            app.mode = match app.mode {
                Mode::Help { .. } => Mode::Normal,
                _ => Mode::Help { scroll: 0 },
            }
        }
        Action::CloseHelp => app.mode = Mode::Normal,
        Action::NextPane => {
            app.pane = match app.pane {
                Pane::Form => Pane::Token,
                Pane::Token => Pane::Claims,
                Pane::Claims => Pane::Findings,
                Pane::Findings if app.requests_shown() => Pane::Requests,
                Pane::Findings | Pane::Requests => Pane::Form,
            };
            app.scroll = 0;
        }
        Action::FocusFindings => app.pane = Pane::Findings,
        Action::FocusRequests if app.requests_shown() => app.pane = Pane::Requests,
        Action::FocusRequests => app.set_status("no requests yet: s starts the endpoint", false),
        Action::Back => {
            if app.lab.open {
                app.lab.open = false;
            } else if app.pane != Pane::Form {
                app.pane = Pane::Form;
            } else if matches!(&app.shown, Ok(view) if view.origin != Origin::Minted) {
                app.remint();
                app.set_status("back to the token minted from the form", false);
            }
        }
        Action::SelectUp => app.select(false),
        Action::SelectDown => app.select(true),
        Action::GoToFinding => app.go_to_finding(),
        Action::Click { column, row } => app.click(column, row),
        Action::ToggleServe => return app.toggle_serve(),
        Action::ServeStarted(result) => app.serve_started(result),
        Action::ServeStopped => {
            app.endpoint = Endpoint::Stopped;
            app.set_status("endpoint stopped", false);
            if app.pane == Pane::Requests && !app.requests_shown() {
                app.pane = Pane::Form;
            }
        }
        Action::ServeReconfigured(Ok(())) => {}
        Action::ServeReconfigured(Err(error)) => {
            app.set_status(format!("the endpoint keeps its settings: {error}"), true)
        }
        Action::ServeRequests(records) => app.add_requests(records),
        Action::InspectRequest => app.inspect_request(),
    }
    Vec::new()
}
