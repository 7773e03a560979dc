//! The HTTP side: routes, request bodies, CORS, and the log entry of every answer.
//!
//! Every refusal has the Zoom sample's shape, `{"errors": [{"property", "reason"}]}`, on every
//! route, so a client has one thing to read.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use super::zoom_sample::{self, ValidationError, shown, whole_number};
use super::{BODY_LIMIT, CorsPolicy, ROUTES, Ready, RequestRecord, Shared};
use crate::duration::Expiry;
use crate::platform::vonage::{CONNECTION_DATA_MAX, MAX_TTL, session_id_key, wire_role};

/// What a handler tells the request log about its answer (a response extension).
#[derive(Clone, Default)]
struct Served {
    platform: Option<&'static str>,
    client_id: Option<String>,
    token: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    error: Option<String>,
}

pub(super) fn router(shared: Arc<Shared>, cors: &CorsPolicy) -> Router {
    Router::new()
        .route("/zoom", post(zoom))
        // relaybox-client-js fetches with GET unless `authRequestOptions.method` says otherwise.
        .route("/relaybox/auth", get(relaybox).post(relaybox))
        .route("/vonage/token", post(vonage))
        .route("/opentok/token", post(opentok))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), record))
        .layer(cors_layer(cors))
        .with_state(shared)
}

/// Serves until `stopped` turns true, then lets requests in flight finish for up to `grace`.
pub(super) async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    mut stopped: tokio::sync::watch::Receiver<bool>,
    grace: Duration,
) {
    // Small JSON answers: without NODELAY, Nagle and delayed ACKs add ~40 ms to keep-alive requests.
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    let mut signal = stopped.clone();
    let server = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = signal.wait_for(|stop| *stop).await;
        })
        .into_future();
    tokio::select! {
        _ = server => {}
        _ = async {
            let _ = stopped.wait_for(|stop| *stop).await;
            tokio::time::sleep(grace).await;
        } => {}
    }
}

async fn record(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let served = response
        .extensions_mut()
        .remove::<Served>()
        .unwrap_or_default();
    shared.log.push(RequestRecord {
        at: shared.now(),
        method,
        route,
        platform: served.platform,
        client_id: served.client_id,
        status: response.status().as_u16(),
        token: served.token,
        expires_at: served.expires_at,
        error: served.error,
    });
    response
}

fn cors_layer(policy: &CorsPolicy) -> CorsLayer {
    let origins = match policy {
        CorsPolicy::Localhost => {
            AllowOrigin::predicate(|origin, _| origin.to_str().is_ok_and(is_localhost_origin))
        }
        CorsPolicy::Origins(origins) => AllowOrigin::list(
            origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        ),
        CorsPolicy::Any => AllowOrigin::any(),
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST])
        // relaybox-client-js sends X-Client-Id and any `authHeaders` the app configures.
        .allow_headers(AllowHeaders::mirror_request())
        .max_age(Duration::from_secs(600))
}

/// `http(s)://localhost`, `127.0.0.1` or `[::1]`, with any port.
pub(super) fn is_localhost_origin(origin: &str) -> bool {
    let Some(authority) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && !authority.ends_with(']') => (host, Some(port)),
        _ => (authority, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

// ---------------------------------------------------------------------------------------------
// answers
// ---------------------------------------------------------------------------------------------

fn answer(status: StatusCode, body: Value, served: Served) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response.extensions_mut().insert(served);
    response
}

fn refused(
    status: StatusCode,
    platform: Option<&'static str>,
    client_id: Option<String>,
    errors: Vec<ValidationError>,
) -> Response {
    let error = errors
        .first()
        .map(|e| format!("{}: {}", e.property, e.reason));
    answer(
        status,
        json!({ "errors": errors }),
        Served {
            platform,
            client_id,
            error,
            ..Served::default()
        },
    )
}

/// Mints `form` and answers with `body(token, expires_in_seconds)`, or refuses.
fn minted(
    ready: &Ready,
    form: &crate::platform::Form,
    now: DateTime<Utc>,
    body: impl FnOnce(&str, Option<i64>) -> Value,
) -> Response {
    let platform = Some(ready.platform.id());
    let client_id = Some(form.client_id.clone()).filter(|id| !id.is_empty());
    match ready.mint(form, now) {
        Ok(minted) => {
            let expires_in = minted
                .issued_at
                .zip(minted.expires_at)
                .map(|(iat, exp)| (exp - iat).num_seconds());
            let body = body(&minted.token, expires_in);
            answer(
                StatusCode::OK,
                body,
                Served {
                    platform,
                    client_id,
                    expires_at: minted.expires_at,
                    token: Some(minted.token),
                    error: None,
                },
            )
        }
        Err(reason) => refused(
            StatusCode::BAD_REQUEST,
            platform,
            client_id,
            vec![ValidationError::new("token", reason)],
        ),
    }
}

/// A refusal of the whole body: its status and reason.
type BodyRefusal = (StatusCode, ValidationError);

/// The request body as a JSON object; an empty body counts as `{}` (as Express reads it).
fn json_object(body: Result<Bytes, BytesRejection>) -> Result<Map<String, Value>, BodyRefusal> {
    let refuse =
        |status: StatusCode, reason: String| (status, ValidationError::new("body", reason));
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is over the {} KiB limit", BODY_LIMIT / 1024),
            )
        } else {
            refuse(rejection.status(), rejection.body_text())
        }
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "the body must be a JSON object, not {}",
                match other {
                    Value::Array(_) => "an array",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    _ => "null",
                }
            ),
        )),
        Err(error) => Err(refuse(
            StatusCode::BAD_REQUEST,
            format!("the body is not valid JSON: {error}"),
        )),
    }
}

fn body_refused(platform: &'static str, (status, error): BodyRefusal) -> Response {
    refused(status, Some(platform), None, vec![error])
}

// ---------------------------------------------------------------------------------------------
// routes
// ---------------------------------------------------------------------------------------------

/// `POST /zoom`: the body of zoom/videosdk-auth-endpoint-sample, answered with `{signature}`.
async fn zoom(State(shared): State<Arc<Shared>>, body: Result<Bytes, BytesRejection>) -> Response {
    const PLATFORM: &str = "zoom";
    let body = match json_object(body) {
        Ok(body) => body,
        Err(refusal) => return body_refused(PLATFORM, refusal),
    };
    let request = match zoom_sample::parse(&body) {
        Ok(request) => request,
        Err(errors) => {
            let client_id = body
                .get("userIdentity")
                .and_then(Value::as_str)
                .map(str::to_string);
            return refused(StatusCode::BAD_REQUEST, Some(PLATFORM), client_id, errors);
        }
    };
    let (settings, now) = shared.snapshot();
    let ready = &settings.zoom;
    let mut form = ready.form.clone();
    form.role = request.role.to_string();
    form.topic = request.session_name;
    if let Some(seconds) = request.expiration_seconds {
        form.expiry = Expiry::After(seconds);
    }
    if let Some(identity) = request.user_identity {
        form.client_id = identity;
    }
    // After the form's own extra claims, so the request's win.
    form.claims.extend(request.claims);
    minted(ready, &form, now, |token, _| json!({ "signature": token }))
}

/// `GET /relaybox/auth?clientId=…` (or `X-Client-Id`): rest-js `generateTokenResponse`'s
/// `{token, expiresIn, expiresAt}`, `expiresAt` in milliseconds.
async fn relaybox(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    const PLATFORM: &str = "relaybox";
    let from_query = query.as_deref().and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "clientId")
            .map(|(_, value)| value.into_owned())
    });
    let from_header = match headers.get("x-client-id").map(HeaderValue::to_str) {
        Some(Ok(id)) => Some(id.to_string()),
        Some(Err(_)) => {
            return refused(
                StatusCode::BAD_REQUEST,
                Some(PLATFORM),
                None,
                vec![ValidationError::new(
                    "X-Client-Id",
                    "the X-Client-Id header must be visible ASCII text",
                )],
            );
        }
        None => None,
    };
    let (settings, now) = shared.snapshot();
    let ready = &settings.relaybox;
    let mut form = ready.form.clone();
    if let Some(id) = from_query.or(from_header).filter(|id| !id.is_empty()) {
        form.client_id = id;
    }
    minted(ready, &form, now, |token, expires_in| {
        let expires_in = expires_in.unwrap_or_default();
        json!({
            "token": token,
            "expiresIn": expires_in,
            // rest-js: Date.now() + expiresIn * 1000.
            "expiresAt": now.timestamp_millis() + expires_in * 1000,
        })
    })
}

/// Which of the two Vonage/OpenTok token routes.
#[derive(Clone, Copy, PartialEq)]
enum VideoRoute {
    /// `@vonage/video` `generateClientToken` options; answered with `applicationId`.
    Vonage,
    /// `opentok` `generateToken` options; answered with `apiKey`. The session must belong to the key.
    Opentok,
}

async fn vonage(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    video_token(&shared, body, VideoRoute::Vonage)
}

async fn opentok(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    video_token(&shared, body, VideoRoute::Opentok)
}

/// `{sessionId, role, data, expireTime, initialLayoutClassList}`, each optional: what is not
/// sent comes from the form.
fn video_token(
    shared: &Shared,
    body: Result<Bytes, BytesRejection>,
    route: VideoRoute,
) -> Response {
    let (settings, now) = shared.snapshot();
    let ready = match route {
        VideoRoute::Vonage => &settings.vonage,
        VideoRoute::Opentok => &settings.opentok,
    };
    let platform = ready.platform.id();
    let body = match json_object(body) {
        Ok(body) => body,
        Err(refusal) => return body_refused(platform, refusal),
    };
    let mut form = ready.form.clone();
    let mut errors = Vec::new();
    let text = |property: &str, errors: &mut Vec<ValidationError>| match body.get(property) {
        None => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => {
            errors.push(ValidationError::new(
                property,
                format!("Value {} not allowed, must be of type string", shown(other)),
            ));
            None
        }
    };

    if let Some(session_id) = text("sessionId", &mut errors) {
        let owner = session_id_key(&session_id);
        if route == VideoRoute::Opentok && owner.as_deref() != Some(ready.credentials.key.as_str())
        {
            // opentok-node refuses too: "Token cannot be generated unless the session belongs to the API Key".
            errors.push(ValidationError::new(
                "sessionId",
                match owner {
                    Some(owner) => format!(
                        "the session belongs to API key {owner}, not {}",
                        ready.credentials.key
                    ),
                    None => {
                        "the session id does not decode as a session of this API key".to_string()
                    }
                },
            ));
        }
        form.topic = session_id;
    }
    if let Some(role) = text("role", &mut errors) {
        match wire_role(&role) {
            Ok(_) => form.role = role,
            Err(reason) => errors.push(ValidationError::new("role", reason)),
        }
    }
    if let Some(data) = text("data", &mut errors) {
        let length = data.chars().count();
        if length > CONNECTION_DATA_MAX {
            errors.push(ValidationError::new(
                "data",
                format!(
                    "Value exceeds max length. Got {length}, expected less than or equal to {CONNECTION_DATA_MAX}"
                ),
            ));
        }
        form.data = data;
    }
    if let Some(value) = body.get("expireTime") {
        match whole_number(value, "expireTime") {
            Err(error) => errors.push(error),
            Ok(seconds) => {
                let latest = now.timestamp() + MAX_TTL;
                if seconds <= now.timestamp() || seconds > latest {
                    errors.push(ValidationError::new(
                        "expireTime",
                        format!(
                            "Value must be a unix time in the next 30 days, between {} and {latest}, got {seconds}",
                            now.timestamp() + 1
                        ),
                    ));
                } else if let Some(at) = DateTime::from_timestamp(seconds, 0) {
                    form.expiry = Expiry::At(at);
                }
            }
        }
    }
    if let Some(value) = body.get("initialLayoutClassList") {
        let classes = match value {
            Value::String(text) => Some(text.clone()),
            Value::Array(items) if items.iter().all(Value::is_string) => Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            other => {
                errors.push(ValidationError::new(
                    "initialLayoutClassList",
                    format!(
                        "Value {} not allowed, must be of type string array",
                        shown(other)
                    ),
                ));
                None
            }
        };
        if let Some(classes) = classes {
            // The SDKs send the list space-separated (PLATFORMS.md §2.5).
            form.claims.push((
                "initial_layout_class_list".to_string(),
                Value::from(classes),
            ));
        }
    }
    if !errors.is_empty() {
        return refused(StatusCode::BAD_REQUEST, Some(platform), None, errors);
    }
    let key = ready.credentials.key.clone();
    minted(ready, &form, now, |token, _| match route {
        VideoRoute::Vonage => json!({ "token": token, "applicationId": key }),
        VideoRoute::Opentok => json!({ "token": token, "apiKey": key }),
    })
}

async fn healthz() -> Response {
    answer(StatusCode::OK, json!({ "status": "ok" }), Served::default())
}

async fn not_found(method: Method, uri: axum::http::Uri) -> Response {
    let routes: Vec<String> = ROUTES
        .iter()
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect();
    refused(
        StatusCode::NOT_FOUND,
        None,
        None,
        vec![ValidationError::new(
            "route",
            format!(
                "no route {method} {}: this endpoint serves {}",
                uri.path(),
                routes.join(", ")
            ),
        )],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_origins_on_any_port_and_nothing_else() {
        for origin in [
            "http://localhost",
            "http://localhost:3000",
            "https://127.0.0.1:8443",
            "http://[::1]:5173",
            "http://[::1]",
        ] {
            assert!(is_localhost_origin(origin), "{origin}");
        }
        for origin in [
            "http://localhost.evil.com",
            "http://evil.com",
            "https://example.com:3000",
            "file://localhost",
            "http://localhost:",
            "http://localhost:3000/path",
            "null",
            "http://127.0.0.1.nip.io",
        ] {
            assert!(!is_localhost_origin(origin), "{origin}");
        }
    }
}
