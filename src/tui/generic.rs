//! The generic view: a JWT of no platform, opened as jwt.io opens one, and more. A key box (a
//! secret in any secret form, or a pasted PEM, certificate, JWK or JWKS), the header and the
//! payload as JSON to edit in place (a JSON error is shown under its row and keeps the last good
//! value), and the token re-signed with the key box's private key or secret as they change. Its
//! state, its handling and its pane are here; the claims pane explains the registered claims.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::app::{App, Pane};
use super::layout::{Hits, Target, pane, render_lines, styled};
use super::text::{shown, window, wrap};
use super::theme::Theme;
use super::token::{Origin, TokenView};
use crate::report::KeyChoice;
use crate::secret::Secret;
use crate::token::{self, Alg, Jwt, KeySet, Signer, keys};

/// The rows of the generic view, top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenericRow {
    Key,
    Header,
    Payload,
}

pub const ROWS: [GenericRow; 3] = [GenericRow::Key, GenericRow::Header, GenericRow::Payload];

impl GenericRow {
    fn label(self) -> &'static str {
        match self {
            GenericRow::Key => "Key",
            GenericRow::Header => "Header",
            GenericRow::Payload => "Payload",
        }
    }
}

/// What the key box holds, once read.
#[derive(Clone, Debug)]
struct KeyBox {
    /// The key's bytes, after `env:`, `@file` or `b64:`.
    secret: Secret,
    keys: KeySet,
}

/// The generic view's state: the pasted token, and the key, header and payload as typed.
pub struct GenericJwt {
    /// The token as pasted: shown as it is until the header or payload changes.
    original: Jwt,
    /// Its header and payload as objects (a payload that is no object reads as empty), which
    /// the edited ones are compared with.
    original_header: Map<String, Value>,
    original_payload: Map<String, Value>,
    /// The key box as typed (zeroed when dropped: it may hold a secret).
    pub key_text: Zeroizing<String>,
    key: Result<Option<KeyBox>, String>,
    pub header_text: String,
    pub payload_text: String,
    /// The last header and payload that read as JSON objects.
    header: Map<String, Value>,
    payload: Map<String, Value>,
    pub header_error: Option<String>,
    pub payload_error: Option<String>,
    /// Why the shown token carries its old signature after an edit (no signing key), or what
    /// signed it.
    pub signing: Option<Result<String, String>>,
    /// The focused row, an index into [`ROWS`].
    pub row: usize,
}

impl std::fmt::Debug for GenericJwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenericJwt")
            .field("row", &self.row)
            .field("header", &self.header_text)
            .finish_non_exhaustive()
    }
}

/// A JSON object as one line, members in their order.
fn compact(object: &Map<String, Value>) -> String {
    serde_json::to_string(object).expect("JSON values serialise")
}

/// Text as a JSON object, or the error to show under its row.
fn object_of(text: &str, what: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(format!("the {what} must be a JSON object {{…}}")),
        Err(e) => Err(format!("not JSON: {e}")),
    }
}

impl GenericJwt {
    /// Opens a pasted token, with the key box of the last generic token, if any.
    pub fn new(jwt: &Jwt, key_text: &str, env: fn(&str) -> Option<String>) -> Self {
        let header = jwt.header.as_object().cloned().unwrap_or_default();
        let payload = jwt.claims.as_object().cloned().unwrap_or_default();
        let payload_text = match &jwt.claims {
            Value::Object(_) => compact(&payload),
            other => other.to_string(),
        };
        let mut view = GenericJwt {
            original: jwt.clone(),
            original_header: header.clone(),
            original_payload: payload.clone(),
            key_text: Zeroizing::new(String::new()),
            key: Ok(None),
            header_text: compact(&header),
            payload_error: object_of(&payload_text, "payload").err(),
            payload_text,
            header,
            payload,
            header_error: None,
            signing: None,
            row: 0,
        };
        view.set_text(GenericRow::Key, key_text, env);
        view
    }

    pub fn current(&self) -> GenericRow {
        ROWS[self.row.min(ROWS.len() - 1)]
    }

    pub fn move_row(&mut self, down: bool) {
        self.row = if down {
            (self.row + 1) % ROWS.len()
        } else {
            (self.row + ROWS.len() - 1) % ROWS.len()
        };
    }

    pub fn text(&self, row: GenericRow) -> &str {
        match row {
            GenericRow::Key => &self.key_text,
            GenericRow::Header => &self.header_text,
            GenericRow::Payload => &self.payload_text,
        }
    }

    /// Whether the key box may show what it holds unmasked: a reference (`env:NAME`, `@file`)
    /// or public keys only; a secret or a private key is masked until revealed.
    pub fn key_is_shown(&self) -> bool {
        let public = match &self.key {
            Ok(Some(key)) => key
                .keys
                .keys
                .iter()
                .all(|k| matches!(k.material, keys::Material::Public(_))),
            _ => false,
        };
        public || self.key_text.starts_with("env:") || self.key_text.starts_with('@')
    }

    /// Takes what was typed into a row. The key is read at once (a variable, a file); JSON that
    /// does not read keeps the last good value and says why under its row.
    pub fn set_text(&mut self, row: GenericRow, text: &str, env: fn(&str) -> Option<String>) {
        match row {
            GenericRow::Key => {
                self.key_text = Zeroizing::new(text.to_string());
                self.key = read_key(text.trim(), env);
            }
            GenericRow::Header => {
                self.header_text = text.to_string();
                match object_of(text, "header") {
                    Ok(header) => {
                        self.header = header;
                        self.header_error = None;
                    }
                    Err(error) => self.header_error = Some(error),
                }
            }
            GenericRow::Payload => {
                self.payload_text = text.to_string();
                match object_of(text, "payload") {
                    Ok(payload) => {
                        self.payload = payload;
                        self.payload_error = None;
                    }
                    Err(error) => self.payload_error = Some(error),
                }
            }
        }
    }

    /// A pasted key (not a token) goes into the key box, when it reads as one.
    pub fn take_pasted_key(&mut self, text: &str, env: fn(&str) -> Option<String>) -> bool {
        let is_key = keys::parse(text.trim().as_bytes()).is_ok_and(|set| {
            set.is_set || !matches!(set.keys[0].material, keys::Material::Secret(_))
        });
        if is_key {
            self.set_text(GenericRow::Key, text.trim(), env);
            self.row = 0;
        }
        is_key
    }

    /// One line on the key box: what it holds, or why it cannot be read.
    pub fn key_summary(&self) -> Result<String, String> {
        match &self.key {
            Ok(Some(key)) => Ok(key.keys.describe()),
            Ok(None) => Err(
                "no key: paste a PEM, JWK or JWKS, or type a secret (env:NAME, @file, b64:…)"
                    .into(),
            ),
            Err(error) => Err(error.clone()),
        }
    }

    /// The token as the header and payload now stand: the pasted one when they are unchanged
    /// (its bytes as they were), else re-encoded and signed with the key box's key when it can
    /// sign the header's `alg`, or carrying the old signature (so it shows invalid).
    fn token(&mut self) -> String {
        let unchanged =
            self.header == self.original_header && self.payload == self.original_payload;
        if unchanged {
            self.signing = None;
            return self.original.compact().to_string();
        }
        let header = Value::Object(self.header.clone());
        let alg = self.header.get("alg").and_then(Value::as_str);
        let signer = match (alg.and_then(Alg::from_name), &self.key) {
            (_, Err(_)) | (_, Ok(None)) => Err("the key box holds no key to sign with".to_string()),
            (None, _) => Err(format!(
                "alg {} is not one tokenbench signs with",
                alg.unwrap_or("(none)")
            )),
            (Some(alg), Ok(Some(key))) => {
                let kid = self.header.get("kid").and_then(Value::as_str);
                key.keys
                    .signing_key(alg, kid)
                    .and_then(|signing| {
                        Signer::new(alg, signing).map(|signer| (signer, signing.describe()))
                    })
                    .map_err(|e| e.0)
            }
        };
        match signer.and_then(|(signer, described)| {
            token::jwt::encode(&header, &self.payload, &signer)
                .map(|token| (token, described))
                .map_err(|e| e.to_string())
        }) {
            Ok((token, described)) => {
                self.signing = Some(Ok(format!("re-signed with {described}")));
                token
            }
            Err(why) => {
                self.signing = Some(Err(format!(
                    "not re-signed ({why}): the old signature is kept"
                )));
                let unsigned = token::jwt::encode_unsigned(&header, &self.payload);
                format!("{unsigned}{}", self.original.signature_part())
            }
        }
    }

    /// The token, checked with the key box's key, as the view shows it.
    pub fn view(
        &mut self,
        now: DateTime<Utc>,
        env: fn(&str) -> Option<String>,
    ) -> Result<TokenView, String> {
        let text = self.token();
        let decoded = token::inspect(&text).map_err(|e| e.to_string())?;
        let find = |name: &str| env(name);
        let key = match &self.key {
            Ok(Some(key)) => KeyChoice::Given(&key.secret),
            _ => KeyChoice::Find { env: &find },
        };
        Ok(TokenView::new(
            &text,
            decoded,
            None,
            key,
            now,
            Origin::Inspected { known: false },
        ))
    }
}

/// The key box read: `env:NAME`, `@file`, `b64:…`, or the text itself (a pasted PEM, JWK or
/// JWKS, or a secret).
fn read_key(text: &str, env: fn(&str) -> Option<String>) -> Result<Option<KeyBox>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let (secret, _) =
        crate::secret::resolve(text, &env, &mut std::io::empty()).map_err(|e| e.to_string())?;
    let keys = keys::parse(secret.expose()).map_err(|e| e.0)?;
    Ok(Some(KeyBox { secret, keys }))
}

/// One line of the pane, and the row it belongs to.
struct PaneLine {
    row: usize,
    line: Line<'static>,
}

const LABEL: usize = 9;

fn lines(app: &App, generic: &GenericJwt, theme: &Theme, width: usize) -> Vec<PaneLine> {
    let mut out = Vec::new();
    let value_width = width.saturating_sub(LABEL).max(1);
    for (index, row) in ROWS.into_iter().enumerate() {
        let current = index == generic.row && app.pane == Pane::Form;
        let label_style = if current { theme.selected } else { theme.label };
        let masked = row == GenericRow::Key && !app.reveal && !generic.key_is_shown();
        let values: Vec<String> = match (&app.editing, current) {
            (Some(input), true) => {
                let text = if masked {
                    "•".repeat(input.text.chars().count())
                } else {
                    shown(&input.text.replace('\n', "⏎")).into_owned()
                };
                vec![window(&text, input.cursor_chars(), value_width).0]
            }
            _ if generic.text(row).is_empty() => Vec::new(),
            _ if masked => vec![format!(
                "•••••••• ({} chars; Ctrl-R shows it)",
                generic.key_text.chars().count()
            )],
            _ => {
                let text = shown(&generic.text(row).replace('\n', "⏎")).into_owned();
                let chars: Vec<char> = text.chars().collect();
                chars
                    .chunks(value_width)
                    .map(|chunk| chunk.iter().collect())
                    .collect()
            }
        };
        let note = match row {
            GenericRow::Key => Some(match generic.key_summary() {
                Ok(summary) => (format!("✓ {summary}"), theme.ok),
                Err(why) if generic.key_text.is_empty() => (why, theme.dim),
                Err(why) => (format!("✗ {why}"), theme.error),
            }),
            GenericRow::Header => generic
                .header_error
                .clone()
                .map(|e| (format!("✗ {e}"), theme.error)),
            GenericRow::Payload => generic
                .payload_error
                .clone()
                .map(|e| (format!("✗ {e}"), theme.error)),
        };
        let notes = note.into_iter().flat_map(|(note, style)| {
            wrap(&shown(&note), value_width, value_width)
                .into_iter()
                .map(move |part| (part, style))
        });
        // The value's lines, then its note's; an empty row starts with its note.
        let all: Vec<(String, ratatui::style::Style)> = values
            .into_iter()
            .map(|value| (value, theme.text))
            .chain(notes)
            .collect();
        let all = if all.is_empty() {
            vec![(String::new(), theme.text)]
        } else {
            all
        };
        for (i, (text, style)) in all.into_iter().enumerate() {
            let label = if i == 0 {
                styled(format!("{:<LABEL$}", row.label()), label_style)
            } else {
                styled(" ".repeat(LABEL), theme.text)
            };
            out.push(PaneLine {
                row: index,
                line: Line::from(vec![label, styled(text, style)]),
            });
        }
    }
    if let Some(signing) = &generic.signing {
        let (text, style) = match signing {
            Ok(done) => (format!("✓ {done}"), theme.ok),
            Err(why) => (format!("✗ {why}"), theme.error),
        };
        for part in wrap(&shown(&text), width, width) {
            out.push(PaneLine {
                row: ROWS.len() - 1,
                line: Line::styled(part, style),
            });
        }
    }
    let hint = "Enter edits a row (the header and payload are JSON); the token is re-signed as they change. Esc leaves.";
    for part in wrap(hint, width, width) {
        out.push(PaneLine {
            row: ROWS.len() - 1,
            line: Line::styled(part, theme.dim),
        });
    }
    out
}

/// Lines the pane wants, for the layout.
pub fn height(app: &App, generic: &GenericJwt, width: u16) -> u16 {
    lines(app, generic, &Theme::of(app), width as usize).len() as u16
}

pub fn draw(
    app: &App,
    generic: &GenericJwt,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    hits: &mut Hits,
) {
    let title = Line::from(vec![
        styled(" Any JWT ", theme.accent),
        styled("(no platform) ", theme.dim),
    ]);
    let block = pane(title, app.pane == Pane::Form, theme);
    let inner = block.inner(area);
    hits.push(area, Target::Pane(Pane::Form));
    let all = lines(app, generic, theme, inner.width as usize);
    // The focused row stays in view.
    let first = all.iter().position(|l| l.row == generic.row).unwrap_or(0);
    let last = all.iter().rposition(|l| l.row == generic.row).unwrap_or(0);
    let skip = (last + 1).saturating_sub(inner.height as usize).min(first);
    for (y, pane_line) in all
        .iter()
        .skip(skip)
        .take(inner.height as usize)
        .enumerate()
    {
        hits.push(
            Rect::new(inner.x, inner.y + y as u16, inner.width, 1),
            Target::FormRow(pane_line.row),
        );
    }
    if let (Some(input), Pane::Form) = (&app.editing, app.pane) {
        let masked = generic.current() == GenericRow::Key && !app.reveal && !generic.key_is_shown();
        let text = if masked {
            "•".repeat(input.text.chars().count())
        } else {
            shown(&input.text.replace('\n', "⏎")).into_owned()
        };
        let width = (inner.width as usize).saturating_sub(LABEL).max(1);
        let (_, column) = window(&text, input.cursor_chars(), width);
        let y = first.saturating_sub(skip);
        if y < inner.height as usize && LABEL + column < inner.width as usize {
            frame.set_cursor_position(Position::new(
                inner.x + (LABEL + column) as u16,
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
