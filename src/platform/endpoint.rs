//! A platform's auth endpoints, without an HTTP framework: a [`Route`] takes a parsed
//! [`Request`] and gives an [`Answer`]. `serve` hosts the routes of every platform; it checks
//! hosts, content types and sizes before a route sees a request.
//!
//! Every refusal has the shape of Zoom's sample endpoint, `{"errors": [{"property", "reason"}]}`,
//! unless the vendor's own sample answers otherwise, so a client has one thing to read.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Form, MintError, Prepared};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One route: the methods and path it answers (`{name}` marks a path parameter), in words what
/// it is, and its handler.
#[derive(Clone, Copy)]
pub struct Route {
    pub methods: &'static [Method],
    pub path: &'static str,
    /// What a body that is not JSON gets.
    pub foreign_body: ForeignBody,
    /// What the route answers like, for the banner and the README.
    pub about: &'static str,
    pub handler: fn(&Minting, &Request) -> Answer,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("methods", &self.methods)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// What a route does with a body that is not `application/json`: no route mints from one, so
/// a browser page cannot reach it with a "simple" request that skips CORS's preflight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForeignBody {
    /// 415 Unsupported Media Type.
    Refuse,
    /// The body is not read: the route sees none (as Express's `json()` leaves it).
    Unread,
}

/// A request as a route sees it: already inside every limit `serve` sets.
#[derive(Debug, Default)]
pub struct Request {
    pub method: Option<Method>,
    /// Path parameters by name, percent-decoded.
    pub params: Vec<(String, String)>,
    /// Query parameters, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// Headers by lowercase name; values that are not visible ASCII are not here.
    pub headers: Vec<(String, String)>,
    /// The JSON object of a body (an empty body counts as `{}`); `None` when there was none.
    pub body: Option<Map<String, Value>>,
}

impl Request {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first query parameter of this name.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body's object, or an empty one.
    pub fn body(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        self.body.as_ref().unwrap_or(&EMPTY)
    }
}

/// What a route mints with: the platform ready to mint, the form of the settings (the request's
/// own fields are laid over a copy of it), and the time.
pub struct Minting<'a> {
    pub prepared: &'a Prepared,
    pub form: &'a Form,
    pub now: DateTime<Utc>,
}

/// A minted token with the times an answer or a log line needs.
pub struct Minted {
    pub token: String,
    pub issued_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Minted {
    /// `exp − iat` in seconds, when the token has both.
    pub fn lifetime_seconds(&self) -> Option<i64> {
        self.issued_at
            .zip(self.expires_at)
            .map(|(iat, exp)| (exp - iat).num_seconds())
    }
}

impl Minting<'_> {
    /// Mints `form` with random fields from the operating system.
    pub fn mint(&self, form: &Form) -> Result<Minted, MintError> {
        let token = self.prepared.mint_at(form, self.now, false)?;
        let decoded = crate::token::inspect(&token).ok();
        Ok(Minted {
            issued_at: decoded.as_ref().and_then(|d| d.issued_at()),
            expires_at: decoded.as_ref().and_then(|d| d.expires_at()),
            token,
        })
    }

    /// Mints `form` and answers 200 with `body(minted)`, or refuses with 400.
    pub fn answer(&self, form: &Form, body: impl FnOnce(&Minted) -> Value) -> Answer {
        self.answer_with(200, form, body)
    }

    /// [`Minting::answer`] with another success status (LiveKit's endpoint answers 201).
    pub fn answer_with(
        &self,
        status: u16,
        form: &Form,
        body: impl FnOnce(&Minted) -> Value,
    ) -> Answer {
        self.answer_as(status, form, |minted| Body::Json(body(minted)))
    }

    /// Mints `form` and answers `status` with a body of any type (a bare JWT as
    /// `application/jwt`), or refuses with 400.
    pub fn answer_as(
        &self,
        status: u16,
        form: &Form,
        body: impl FnOnce(&Minted) -> Body,
    ) -> Answer {
        let client_id = self.prepared.platform.client_id_of(form);
        match self.mint(form) {
            Ok(minted) => Answer {
                status,
                body: body(&minted),
                log: LogEntry {
                    client_id,
                    expires_at: minted.expires_at,
                    token: Some(minted.token),
                    error: None,
                },
            },
            Err(error) => refused(
                400,
                client_id,
                vec![ValidationError::new("token", error.to_string())],
            ),
        }
    }
}

/// A route's answer.
pub struct Answer {
    pub status: u16,
    pub body: Body,
    pub log: LogEntry,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Json(Value),
    /// Any other type: a bare token as `application/jwt`, say.
    Text {
        content_type: &'static str,
        text: String,
    },
}

/// What the request log keeps of an answer: never a secret.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogEntry {
    /// The client identity the request asked for, when the route has one.
    pub client_id: Option<String>,
    pub token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Why the request was refused, in one sentence (the first error when there were several).
    pub error: Option<String>,
}

/// One refused property, in the `{"errors": [{property, reason}]}` shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValidationError {
    pub property: String,
    pub reason: String,
}

impl ValidationError {
    pub fn new(property: &str, reason: impl Into<String>) -> Self {
        ValidationError {
            property: property.to_string(),
            reason: reason.into(),
        }
    }
}

/// An answer refusing the request with `errors`.
pub fn refused(status: u16, client_id: Option<String>, errors: Vec<ValidationError>) -> Answer {
    let error = errors
        .first()
        .map(|e| format!("{}: {}", e.property, e.reason));
    Answer {
        status,
        body: Body::Json(json!({ "errors": errors })),
        log: LogEntry {
            client_id,
            error,
            ..LogEntry::default()
        },
    }
}

/// The longest client identity a route takes (any platform's own limit is lower or checked by
/// its rules); a longer one is refused with 400 before anything is minted.
pub const MAX_CLIENT_ID: usize = 256;

/// A client identity from a request, at most [`MAX_CLIENT_ID`] characters.
pub fn client_id(property: &str, value: &str) -> Result<String, ValidationError> {
    let length = value.chars().count();
    if length > MAX_CLIENT_ID {
        return Err(ValidationError::new(
            property,
            format!(
                "Value exceeds max length. Got {length}, expected less than or equal to {MAX_CLIENT_ID}"
            ),
        ));
    }
    Ok(value.to_string())
}

/// A value as an error message shows it: JSON, cut short so a huge value is not echoed back.
pub fn shown(value: &Value) -> String {
    const MAX: usize = 40;
    let text = value.to_string();
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// A whole number, or a string holding one (samples coerce strings with `parseInt`).
pub fn whole_number(value: &Value, property: &str) -> Result<i64, ValidationError> {
    let not_a_number = || {
        ValidationError::new(
            property,
            format!("Value {} not allowed, must be of type number", shown(value)),
        )
    };
    match value {
        Value::Number(number) => number
            .as_i64()
            .or_else(|| {
                number
                    .as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            })
            .ok_or_else(|| {
                ValidationError::new(
                    property,
                    format!("Value {number} not allowed, must be a whole number"),
                )
            }),
        Value::String(text) => text.trim().parse().map_err(|_| not_a_number()),
        _ => Err(not_a_number()),
    }
}

/// A string property of a body, or an error naming its type.
pub fn string(
    body: &Map<String, Value>,
    property: &str,
    errors: &mut Vec<ValidationError>,
) -> Option<String> {
    match body.get(property) {
        None => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => {
            errors.push(ValidationError::new(
                property,
                format!("Value {} not allowed, must be of type string", shown(other)),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_numeric_strings_and_nothing_else() {
        assert_eq!(whole_number(&json!(3), "n"), Ok(3));
        assert_eq!(whole_number(&json!(" 4 "), "n"), Ok(4));
        assert_eq!(whole_number(&json!(5.0), "n"), Ok(5));
        assert!(
            whole_number(&json!(5.5), "n")
                .unwrap_err()
                .reason
                .contains("whole")
        );
        assert!(
            whole_number(&json!(true), "n")
                .unwrap_err()
                .reason
                .contains("number")
        );
        assert!(shown(&json!("x".repeat(100))).ends_with('…'));
    }

    #[test]
    fn a_client_id_over_the_cap_is_refused_naming_the_limit() {
        assert!(client_id("clientId", &"a".repeat(MAX_CLIENT_ID)).is_ok());
        let error = client_id("clientId", &"a".repeat(MAX_CLIENT_ID + 1)).unwrap_err();
        assert!(error.reason.contains("256"), "{error:?}");
    }
}
