//! The workbench's state, and [`update`], the only place it changes.
//!
//! The token is minted and checked when an input changes, once for a whole batch of input (a
//! burst of keys or a paste), and the report is kept; a tick only moves `now` and re-runs the
//! rules (relative times in findings follow the clock), with no crypto on a timer.

use chrono::{DateTime, Utc};

use super::action::{Action, CopyReport, CopyWhat, Effect};
use super::editor::TextInput;
use super::form::{Row, RowKind, Tab};
use super::generic::{GenericJwt, GenericRow};
use super::inspect::InspectBox;
use super::keymap::Context;
use super::lab::{self, Lab, LabFocus};
use super::layout::Target;
use super::requests::Endpoint;
use super::token::{Origin, TokenView};
use crate::clock::Clock;
use crate::platform::{self, CredentialSource, Credentials, Form};
use crate::report::KeyChoice;
use crate::serve;
use crate::token;

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
    /// The loopback port the endpoint serves on; 0 picks a free one.
    pub serve_port: u16,
}

impl AppConfig {
    /// Every platform on its default form and demo credentials, opening on the first.
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Form,
    Token,
    Claims,
    Findings,
    Requests,
}

/// The screen on show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Workbench,
    Lab,
}

/// What is drawn over the screen.
#[derive(Debug)]
pub enum Popup {
    Help { scroll: u16 },
    Inspect(InspectBox),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeChoice {
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
    pub tabs: Vec<Tab>,
    pub active: usize,
    pub screen: Screen,
    pub popup: Option<Popup>,
    /// The text being typed: into the focused form row, the lab's scenario row, or the port.
    pub editing: Option<TextInput>,
    /// The typed text is not yet in its field (it goes there when the batch of input ends).
    edited: bool,
    pub pane: Pane,
    /// The token on screen and its report; after an input that does not mint, the last good one.
    pub shown: Option<TokenView>,
    /// A JWT of no platform, open in the generic view (key box, header and payload) in place of
    /// the form.
    pub generic: Option<GenericJwt>,
    /// Why the form does not mint as it stands (the token shown, if any, is then stale).
    pub stale: Option<String>,
    pub reveal: bool,
    pub local_time: bool,
    pub theme: ThemeChoice,
    pub no_color: bool,
    pub status: Option<Status>,
    pub size: (u16, u16),
    pub selected_finding: usize,
    /// Scroll offset of the token and claims panes.
    pub scroll: u16,
    pub endpoint: Endpoint,
    /// The lifetime lab's scenario.
    pub lab: Lab,
    /// An input changed: mint once the batch of input is handled.
    needs_mint: bool,
    /// Tokens minted so far: one per batch of input that changed the form, never one per tick.
    pub mints: u64,
    pub quit: bool,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("active", &self.active)
            .field("screen", &self.screen)
            .field("pane", &self.pane)
            .finish_non_exhaustive()
    }
}

impl App {
    pub fn new(config: AppConfig) -> Self {
        let tabs = platform::ALL
            .iter()
            .zip(config.forms)
            .map(|(platform, (form, credentials))| Tab::new(*platform, form, credentials))
            .collect();
        let now = config.clock.now();
        let mut app = App {
            clock: config.clock,
            now,
            deterministic: config.deterministic,
            env: config.env,
            tabs,
            active: config.active,
            screen: Screen::Workbench,
            popup: None,
            editing: None,
            edited: false,
            pane: Pane::Form,
            shown: None,
            generic: None,
            stale: None,
            reveal: false,
            local_time: false,
            theme: ThemeChoice::Dark,
            no_color: config.no_color,
            status: None,
            size: config.size,
            selected_finding: 0,
            scroll: 0,
            endpoint: Endpoint::new(config.serve_port),
            lab: Lab::default(),
            needs_mint: false,
            mints: 0,
            quit: false,
        };
        app.remint();
        app
    }

    pub fn tab(&self) -> &Tab {
        &self.tabs[self.active]
    }

    fn tab_mut(&mut self) -> &mut Tab {
        &mut self.tabs[self.active]
    }

    /// Mints the current form: the one place crypto runs, when an input changed.
    fn remint(&mut self) {
        self.needs_mint = false;
        self.mints += 1;
        self.now = self.clock.now();
        let env = self.env;
        if let Some(generic) = &mut self.generic {
            match generic.view(self.now, env) {
                Ok(view) => {
                    self.shown = Some(view);
                    self.stale = None;
                }
                Err(error) => self.stale = Some(error),
            }
            self.selected_finding = 0;
            return;
        }
        match self.tab().mint(self.now, self.deterministic) {
            Ok(view) => {
                self.shown = Some(view);
                self.stale = None;
            }
            Err(error) => {
                // The last good token of this tab stays, marked stale; another's goes.
                if self
                    .shown
                    .as_ref()
                    .is_some_and(|v| v.report.platform != Some(self.tab().platform.id()))
                {
                    self.shown = None;
                }
                self.stale = Some(error);
            }
        }
        self.selected_finding = 0;
    }

    /// An input of a form changed: mint again (once the batch ends), and let the endpoint know.
    fn input_changed(&mut self) {
        self.endpoint.forms_changed = true;
        self.needs_mint = true;
    }

    /// Whether keys are being typed into something (a field, the inspect box).
    pub fn is_typing(&self) -> bool {
        self.editing.is_some() || matches!(self.popup, Some(Popup::Inspect(_)))
    }

    /// Whether the focus is on a text field of the form or the lab (a printable key types).
    pub fn on_text_field(&self) -> bool {
        if self.popup.is_some() {
            return false;
        }
        match self.screen {
            Screen::Lab => {
                self.lab.focus == LabFocus::Scenario && self.lab.current(self.lab_model()).is_text()
            }
            Screen::Workbench if self.generic.is_some() => self.pane == Pane::Form,
            Screen::Workbench => {
                self.pane == Pane::Form
                    && matches!(
                        self.tab().kind(self.tab().current_row()),
                        RowKind::Text | RowKind::Room | RowKind::Pair
                    )
            }
        }
    }

    /// Whether the focus is on a choice of the form (a printable key picks a choice).
    pub fn on_choice(&self) -> bool {
        self.popup.is_none()
            && self.generic.is_none()
            && self.screen == Screen::Workbench
            && self.pane == Pane::Form
            && self.tab().kind(self.tab().current_row()) == RowKind::Choice
    }

    /// The key-table contexts in effect, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        if self.editing.is_some() {
            return vec![Context::Editing, Context::Global];
        }
        match &self.popup {
            Some(Popup::Inspect(_)) => return vec![Context::Inspect, Context::Global],
            Some(Popup::Help { .. }) => return vec![Context::Help, Context::Global],
            None => {}
        }
        if self.screen == Screen::Lab {
            return if self.on_text_field() {
                vec![Context::Lab, Context::Global]
            } else {
                vec![Context::Lab, Context::Commands, Context::Global]
            };
        }
        match self.pane {
            Pane::Form
                if self.generic.is_none()
                    && self.tab().kind(self.tab().current_row()) == RowKind::Room =>
            {
                vec![Context::Room, Context::Form, Context::Global]
            }
            Pane::Form if self.tab().kind(self.tab().current_row()) == RowKind::Pair => {
                vec![Context::Pair, Context::Form, Context::Global]
            }
            Pane::Form => vec![Context::Form, Context::Global],
            Pane::Findings => vec![Context::Findings, Context::Commands, Context::Global],
            Pane::Token | Pane::Claims => vec![Context::Scroll, Context::Commands, Context::Global],
            Pane::Requests => vec![Context::Requests, Context::Commands, Context::Global],
        }
    }

    pub(super) fn set_status(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(Status {
            text: text.into(),
            error,
        });
    }

    fn switch_platform(&mut self, index: usize) {
        self.end_edit();
        self.generic = None;
        self.active = index;
        self.pane = Pane::Form;
        self.scroll = 0;
        self.remint();
    }

    /// Puts what was typed into the field it belongs to.
    fn commit_edit(&mut self) {
        if !self.edited {
            return;
        }
        self.edited = false;
        let Some(text) = self.editing.as_ref().map(|i| i.as_str().to_string()) else {
            return;
        };
        match (self.screen, self.pane) {
            (Screen::Lab, _) => {
                let field = self.lab.current(self.lab_model());
                self.lab.set_text(field, &text);
            }
            (Screen::Workbench, Pane::Requests) => {}
            (Screen::Workbench, _) if self.generic.is_some() => {
                let env = self.env;
                if let Some(generic) = &mut self.generic {
                    let row = generic.current();
                    generic.set_text(row, &text, env);
                }
                // The generic token is no form of the endpoint's: only the view changes.
                self.needs_mint = true;
            }
            (Screen::Workbench, _) => {
                let env = self.env;
                let tab = self.tab_mut();
                let row = tab.current_row();
                tab.set_text(row, &text, env);
                self.input_changed();
            }
        }
    }

    fn end_edit(&mut self) {
        self.commit_edit();
        let Some(input) = self.editing.take() else {
            return;
        };
        match (self.screen, self.pane) {
            (Screen::Workbench, Pane::Requests) => self.set_port(input.as_str()),
            (Screen::Workbench, _) if self.generic.is_some() => {}
            (Screen::Workbench, _) => {
                if self.tab_mut().end_edit() {
                    self.input_changed();
                }
            }
            (Screen::Lab, _) => {}
        }
    }

    fn start_edit(&mut self, input: TextInput) {
        self.editing = Some(input);
    }

    fn activate(&mut self) {
        if let Some(generic) = &self.generic {
            let input = TextInput::at_end(generic.text(generic.current()));
            self.start_edit(input);
            return;
        }
        let tab = self.tab();
        let row = tab.current_row();
        match tab.kind(row) {
            RowKind::Text | RowKind::Room | RowKind::Pair => {
                let input = TextInput::at_end(tab.text(row));
                self.start_edit(input);
            }
            RowKind::Choice => {
                if self.tab_mut().cycle(true) {
                    self.input_changed();
                }
            }
            RowKind::AddRoom => {
                let Row::AddRoom { field } = row else { return };
                self.tab_mut().add_room(field);
                self.start_edit(TextInput::default());
                self.input_changed();
            }
        }
    }

    /// A printable key on a text field starts editing it with that key, over what it held
    /// (as in a spreadsheet); on a choice it picks the next choice starting with it.
    fn type_to_edit(&mut self, c: char) {
        if self.screen == Screen::Lab {
            self.start_edit(TextInput::at_end(c.to_string()));
            self.edited = true;
            return;
        }
        if self.generic.is_some() {
            self.start_edit(TextInput::at_end(c.to_string()));
            self.edited = true;
            return;
        }
        let tab = self.tab();
        let row = tab.current_row();
        match tab.kind(row) {
            RowKind::Text | RowKind::Room | RowKind::Pair => {
                self.start_edit(TextInput::at_end(c.to_string()));
                self.edited = true;
            }
            RowKind::Choice => {
                if self.tab_mut().pick(c) {
                    self.input_changed();
                }
            }
            RowKind::AddRoom => {}
        }
    }

    fn edit(&mut self, action: &Action) {
        if let Some(Popup::Inspect(inspect)) = &mut self.popup {
            inspect.input.apply(action);
            return;
        }
        let Some(input) = &mut self.editing else {
            return;
        };
        if input.apply(action) {
            self.edited = true;
        }
    }

    /// Decodes and checks a token given to inspect; a token of a known platform fills its form.
    pub(super) fn inspect(&mut self, text: &str) {
        let unwrapped = token::unwrap(text);
        let text = unwrapped.as_deref().unwrap_or(text);
        let decoded = match token::inspect(text) {
            Ok(decoded) => decoded,
            Err(error) => {
                self.popup = Some(Popup::Inspect(InspectBox {
                    input: TextInput::at_end(text.to_string()),
                    error: Some(error.to_string()),
                }));
                return;
            }
        };
        self.popup = None;
        self.end_edit();
        self.now = self.clock.now();
        if let (None, token::Decoded::Jwt(jwt)) = (platform::detect(&decoded), &decoded) {
            self.open_generic(jwt);
            return;
        }
        self.generic = None;
        let (view, fill) = self.inspected_view(text, decoded);
        if let Some((index, form)) = fill {
            self.active = index;
            self.tabs[index].load(form);
        }
        let what = match view.report.platform {
            Some(id) => format!("a token of {id}; its form is filled: edit any field to re-sign"),
            None => "a token of no platform tokenbench knows".to_string(),
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
        self.stale = None;
        self.shown = Some(view);
    }

    /// Opens a JWT of no platform in the generic view, keeping the key box of the last one (the
    /// next token of the same issuer is checked with the same key).
    fn open_generic(&mut self, jwt: &token::Jwt) {
        let key_text = self
            .generic
            .as_ref()
            .map(|g| g.key_text.to_string())
            .unwrap_or_default();
        let mut generic = GenericJwt::new(jwt, &key_text, self.env);
        let view = generic.view(self.now, self.env);
        self.generic = Some(generic);
        self.pane = Pane::Form;
        self.scroll = 0;
        self.selected_finding = 0;
        match view {
            Ok(view) => {
                let next = if key_text.is_empty() {
                    "give its key in the key box to check it"
                } else {
                    "checked with the key box's key"
                };
                self.set_status(
                    format!(
                        "inspected a JWT of no platform tokenbench knows: {next}; signature {}",
                        view.report.signature.label()
                    ),
                    false,
                );
                self.stale = None;
                self.shown = Some(view);
            }
            Err(error) => self.stale = Some(error),
        }
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
                let tab = &self.tabs[index];
                // The tab's own credentials check the token when they name its key; else
                // whatever can be found (the environment, or the demo credentials).
                let own = tab
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

    /// Moves `now` to the clock and runs the shown token's rules again at it, so findings and
    /// relative times follow the (virtual) clock. Nothing is minted or verified.
    fn follow_clock(&mut self) {
        self.now = self.clock.now();
        if let Some(view) = &mut self.shown {
            view.follow(self.now);
        }
    }

    /// The lifetime model the lab plays now.
    pub fn lab_model(&self) -> Option<crate::lifetime::Playable> {
        let platform = self.shown.as_ref().and_then(|v| v.report.platform);
        self.lab.model(platform)
    }

    /// Enter, ← and → on the lab's scenario rows.
    fn lab_activate(&mut self, forward: bool, edit: bool) {
        let model = self.lab_model();
        match self.lab.current(model) {
            field if field.is_text() && edit => {
                self.start_edit(TextInput::at_end(self.lab.text(field).to_string()))
            }
            field if field.is_text() => {}
            lab::LabField::Beside if edit => self.lab.toggle_beside(model),
            field => self.lab.cycle(field, model, forward),
        }
    }

    /// Enter on the lab's events: the clock to the chosen event.
    fn lab_to_event(&mut self) -> Vec<Effect> {
        let Some(instant) = lab::chosen_instant(self) else {
            return Vec::new();
        };
        self.clock.jump_to(instant);
        self.follow_clock();
        self.serve_clock()
    }

    /// A running endpoint follows the virtual clock.
    fn serve_clock(&self) -> Vec<Effect> {
        if self.endpoint.is_serving() {
            vec![Effect::SetServeClock(self.clock.clone())]
        } else {
            Vec::new()
        }
    }

    /// Moves the virtual clock; a running endpoint mints on it too.
    fn clock(&mut self, action: &Action) -> Vec<Effect> {
        let exp = self.shown.as_ref().and_then(|v| v.expires_at);
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
        self.serve_clock()
    }

    fn copy(&mut self, what: CopyWhat) -> Vec<Effect> {
        let Some(view) = &self.shown else {
            let why = self.stale.clone().unwrap_or_else(|| "no token".into());
            self.set_status(format!("nothing to copy: {why}"), true);
            return Vec::new();
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

    fn go_to_finding(&mut self) {
        let Some(view) = &self.shown else { return };
        let Some(finding) = view.report.findings.get(self.selected_finding) else {
            return;
        };
        let (rule, field) = (finding.rule, finding.field);
        if let Some(generic) = &mut self.generic {
            // Key findings are about the key box; the others about the token's header or claims.
            generic.row = if field == crate::platform::field::ids::SECRET {
                0
            } else {
                2
            };
            self.pane = Pane::Form;
            return;
        }
        if self.tab_mut().focus_field(field) {
            self.pane = Pane::Form;
        } else {
            self.set_status(
                format!("{rule} is about the {field} as a whole: no field to edit"),
                false,
            );
        }
    }

    fn click(&mut self, target: Target) {
        if let Some(Popup::Help { .. }) = self.popup {
            self.popup = None;
            return;
        }
        if self.popup.is_some() {
            return;
        }
        self.end_edit();
        match target {
            Target::Tab(index) if index != self.active => self.switch_platform(index),
            Target::Tab(_) | Target::Popup => {}
            Target::FormRow(index) if self.generic.is_some() => {
                let already = self.pane == Pane::Form
                    && self.generic.as_ref().is_some_and(|g| g.row == index);
                self.pane = Pane::Form;
                if let Some(generic) = &mut self.generic {
                    generic.row = index;
                }
                if already {
                    self.activate();
                }
            }
            Target::FormRow(index) => {
                let already = self.pane == Pane::Form && self.tab().row == index;
                self.pane = Pane::Form;
                self.tab_mut().row = index;
                self.tab_mut().operation = 0;
                // A click on the focused value edits it, as a second click would in a form.
                if already {
                    self.activate();
                }
            }
            Target::Choice { row, forward } => {
                self.pane = Pane::Form;
                self.tab_mut().row = row;
                if self.tab_mut().cycle(forward) {
                    self.input_changed();
                }
            }
            Target::Operation { row, operation } => {
                self.pane = Pane::Form;
                let tab = self.tab_mut();
                tab.row = row;
                tab.operation = operation;
                if tab.toggle_operation() {
                    self.input_changed();
                }
            }
            Target::Finding(index) => {
                self.pane = Pane::Findings;
                self.selected_finding = index;
            }
            Target::Request(index) => {
                self.pane = Pane::Requests;
                self.endpoint.selected = index;
            }
            Target::Pane(pane) => self.pane = pane,
            Target::LabRow(index) => {
                self.lab.focus = LabFocus::Scenario;
                self.lab.row = index;
            }
            Target::LabEvent(index) => {
                self.lab.focus = LabFocus::Events;
                self.lab.event = index;
            }
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
        if let Some(Popup::Help { scroll }) = &mut self.popup {
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
            Pane::Requests => self.select_request(down),
            Pane::Form => self.move_row(down),
        }
    }

    fn next_pane(&mut self) {
        self.end_edit();
        self.pane = match self.pane {
            Pane::Form => Pane::Token,
            Pane::Token => Pane::Claims,
            Pane::Claims => Pane::Findings,
            Pane::Findings if self.requests_shown() => Pane::Requests,
            Pane::Findings | Pane::Requests => Pane::Form,
        };
        self.scroll = 0;
    }

    /// The next or previous row of the form, or of the generic view.
    fn move_row(&mut self, down: bool) {
        match &mut self.generic {
            Some(generic) => generic.move_row(down),
            None => self.tab_mut().move_row(down),
        }
    }

    fn back(&mut self) {
        if self.screen == Screen::Lab {
            self.screen = Screen::Workbench;
        } else if self.pane != Pane::Form {
            self.pane = Pane::Form;
        } else if matches!(&self.shown, Some(view) if view.origin != Origin::Minted) {
            self.generic = None;
            self.remint();
            self.set_status("back to the token minted from the form", false);
        }
    }

    /// What a paste does: into what is being typed (a secret keeps its line breaks, anything
    /// else becomes one line), else a token to inspect.
    fn paste(&mut self, text: String) {
        if let Some(Popup::Inspect(inspect)) = &mut self.popup {
            inspect.input.apply(&Action::Paste(text.trim().to_string()));
            return;
        }
        if self.editing.is_some() {
            let keep_lines = self.screen == Screen::Workbench
                && match &self.generic {
                    Some(generic) => generic.current() == GenericRow::Key,
                    None => self.tab().current_row() == Row::Secret,
                };
            let text = if keep_lines {
                text
            } else {
                text.replace(['\r', '\n'], " ")
            };
            self.edit(&Action::Paste(text));
            return;
        }
        if self.popup.is_none() {
            // On the generic view a pasted key that is no token goes into the key box.
            let env = self.env;
            if self.screen == Screen::Workbench
                && token::inspect(&text).is_err()
                && token::unwrap(&text).is_none()
                && let Some(generic) = &mut self.generic
                && generic.take_pasted_key(&text, env)
            {
                self.needs_mint = true;
                self.set_status("the pasted key is in the key box", false);
                return;
            }
            self.inspect(&text);
        }
    }
}

/// The only place the workbench's state changes: one action, then [`settle`]. Returns what the
/// edge must do.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut effects = step(app, action);
    effects.extend(settle(app));
    effects
}

/// [`update`] for input that arrived together (a burst of keys, a paste): every action is
/// applied, then the form is minted once.
pub fn update_batch(app: &mut App, actions: impl IntoIterator<Item = Action>) -> Vec<Effect> {
    let mut effects = Vec::new();
    for action in actions {
        effects.extend(step(app, action));
    }
    effects.extend(settle(app));
    effects
}

/// Ends a batch of input: what was typed goes into its field, and the form is minted once if
/// any input changed; a running endpoint gets the new forms.
pub fn settle(app: &mut App) -> Vec<Effect> {
    app.commit_edit();
    if app.needs_mint {
        app.remint();
    }
    app.reconfigure_serve()
}

/// Whether an action only edits the text being typed: a run of these (a burst of keys) is
/// settled once, at its end; any other action first settles what was typed before it.
fn only_types(action: &Action) -> bool {
    matches!(
        action,
        Action::Insert(_)
            | Action::Backspace
            | Action::Delete
            | Action::CursorLeft
            | Action::CursorRight
            | Action::CursorHome
            | Action::CursorEnd
            | Action::ClearToStart
            | Action::Tick
    )
}

/// Applies one action, minting only when it needs the form settled (a copy reads the token
/// the typing before it made): the loop calls it for each action of a batch, then [`settle`].
pub fn step(app: &mut App, action: Action) -> Vec<Effect> {
    let mut effects = if only_types(&action) {
        Vec::new()
    } else {
        settle(app)
    };
    effects.extend(apply(app, action));
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
            | Action::Insert(_)
    ) {
        app.status = None;
    }
    let lab = app.screen == Screen::Lab;
    match action {
        Action::Quit => app.quit = true,
        Action::Tick => app.follow_clock(),
        Action::ToggleLab => {
            app.end_edit();
            app.screen = if lab { Screen::Workbench } else { Screen::Lab };
        }
        Action::ClockPause
        | Action::ClockSlower
        | Action::ClockFaster
        | Action::ClockJump(_)
        | Action::ClockToExpiry
        | Action::ClockReset => return app.clock(&action),
        Action::NextField | Action::PreviousField | Action::SelectDown | Action::SelectUp
            if lab && app.lab.focus == LabFocus::Events =>
        {
            lab::move_event(
                app,
                matches!(action, Action::NextField | Action::SelectDown),
            )
        }
        Action::Scroll { down } if lab => {
            app.lab.focus = LabFocus::Events;
            lab::move_event(app, down)
        }
        Action::NextField | Action::PreviousField if lab => {
            let model = app.lab_model();
            app.lab.move_row(model, action == Action::NextField)
        }
        Action::NextPane if lab => {
            app.end_edit();
            lab::toggle_focus(app)
        }
        Action::Activate if lab && app.lab.focus == LabFocus::Events => {
            return app.lab_to_event();
        }
        Action::Activate if lab => app.lab_activate(true, true),
        Action::Left if lab => app.lab_activate(false, false),
        Action::Right if lab => app.lab_activate(true, false),
        Action::Resize { width, height } => app.size = (width, height),
        Action::NextPlatform => app.switch_platform((app.active + 1) % app.tabs.len()),
        Action::PreviousPlatform => {
            let count = app.tabs.len();
            app.switch_platform((app.active + count - 1) % count)
        }
        Action::NextField => app.move_row(true),
        Action::PreviousField => app.move_row(false),
        Action::Left | Action::Right | Action::Toggle | Action::RemoveEntry
            if app.generic.is_some() => {}
        Action::Activate => app.activate(),
        Action::Left | Action::Right => {
            if app.tab_mut().cycle(action == Action::Right) {
                app.input_changed();
            }
        }
        Action::Toggle => {
            if app.tab_mut().toggle_operation() {
                app.input_changed();
            }
        }
        Action::RemoveEntry => {
            if app.tab_mut().remove_entry() {
                app.input_changed();
            }
        }
        Action::TypeToEdit(c) => app.type_to_edit(c),
        Action::EndEdit => app.end_edit(),
        Action::Insert(_)
        | Action::Backspace
        | Action::Delete
        | Action::CursorLeft
        | Action::CursorRight
        | Action::CursorHome
        | Action::CursorEnd
        | Action::ClearToStart => app.edit(&action),
        Action::Paste(text) => app.paste(text),
        Action::OpenInspect => {
            app.end_edit();
            app.popup = Some(Popup::Inspect(InspectBox::default()));
        }
        Action::SubmitInspect => {
            if let Some(Popup::Inspect(inspect)) = &app.popup {
                let text = inspect.input.as_str().to_string();
                app.inspect(&text);
            }
        }
        Action::CancelInspect => app.popup = None,
        Action::CopyToken => return app.copy(CopyWhat::Token),
        Action::CopyClaims => return app.copy(CopyWhat::Claims),
        Action::Copied(report) => app.copied(report),
        Action::ToggleReveal => app.reveal = !app.reveal,
        Action::ToggleTheme => {
            app.theme = match app.theme {
                ThemeChoice::Dark => ThemeChoice::Light,
                ThemeChoice::Light => ThemeChoice::Dark,
            }
        }
        Action::ToggleLocalTime => app.local_time = !app.local_time,
        Action::ToggleHelp => {
            app.end_edit();
            app.popup = match app.popup {
                Some(Popup::Help { .. }) => None,
                _ => Some(Popup::Help { scroll: 0 }),
            }
        }
        Action::CloseHelp => app.popup = None,
        Action::NextPane => app.next_pane(),
        Action::FocusFindings => {
            app.end_edit();
            app.screen = Screen::Workbench;
            app.pane = Pane::Findings;
        }
        Action::FocusRequests if app.requests_shown() => {
            app.end_edit();
            app.screen = Screen::Workbench;
            app.pane = Pane::Requests;
        }
        Action::FocusRequests => {
            app.set_status("no requests yet: Ctrl-S starts the endpoint", false)
        }
        Action::Back => app.back(),
        Action::SelectUp => app.select(false),
        Action::SelectDown => app.select(true),
        Action::Scroll { down } => app.select(down),
        Action::GoToFinding => app.go_to_finding(),
        Action::Click(target) => app.click(target),
        Action::ToggleServe => {
            app.end_edit();
            return app.toggle_serve();
        }
        Action::ServeStarted(result) => app.serve_started(result),
        Action::ServeStopped => app.serve_stopped(),
        Action::ServeReconfigured(Ok(())) => {}
        Action::ServeReconfigured(Err(error)) => {
            app.set_status(format!("the endpoint keeps its settings: {error}"), true)
        }
        Action::ServeRequests(records) => app.add_requests(records),
        Action::InspectRequest => app.activate_request(),
    }
    Vec::new()
}
