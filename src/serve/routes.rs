//! The HTTP side: every platform's routes, and what stands in front of them. In order, a
//! request meets: the log (every answer is recorded), the Host check (DNS rebinding gets 421),
//! CORS (localhost origins), the bearer token (when one is required), and the route, which
//! takes JSON bodies only, within their size and time limits.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body as AxumBody;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method as HttpMethod, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use http_body_util::BodyExt;
use serde_json::{Map, Value, json};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use super::{BODY_LIMIT, CorsPolicy, RequestRecord, ServeOptions, Shared, routes as all_routes};
use crate::platform::endpoint::{
    self, Answer, Body, ForeignBody, LogEntry, Method, Minting, Route, ValidationError,
};
use crate::platform::{self, Platform};
use crate::secret::Secret;
use crate::text::shorten;

/// What the request log keeps of an answer (a response extension).
#[derive(Clone, Default)]
struct Served {
    platform: Option<&'static str>,
    entry: LogEntry,
}

/// Path parameters and query values longer than this are refused: nothing a platform takes is
/// longer, and the log need not hold more.
const MAX_VALUE_CHARS: usize = 1024;

pub(super) fn router(shared: Arc<Shared>, options: &ServeOptions, local: SocketAddr) -> Router {
    let mut router = Router::new().route("/healthz", on(MethodFilter::GET, healthz));
    for (index, platform) in platform::ALL.iter().enumerate() {
        for route in platform.routes() {
            let filter = route
                .methods
                .iter()
                .map(|m| match m {
                    Method::Get => MethodFilter::GET,
                    Method::Post => MethodFilter::POST,
                })
                .reduce(MethodFilter::or)
                .unwrap_or(MethodFilter::GET);
            let target = Target {
                index,
                platform: *platform,
                route,
                body_timeout: options.limits.body_timeout,
            };
            let handler =
                move |State(shared): State<Arc<Shared>>,
                      Path(params): Path<Vec<(String, String)>>,
                      request: Request| call(shared, target, params, request);
            let plain = move |State(shared): State<Arc<Shared>>, request: Request| {
                call(shared, target, Vec::new(), request)
            };
            let methods = route.methods;
            let wrong_method =
                move |method: HttpMethod| async move { method_not_allowed(methods, &method) };
            router = if route.path.contains('{') {
                router.route(route.path, on(filter, handler).fallback(wrong_method))
            } else {
                router.route(route.path, on(filter, plain).fallback(wrong_method))
            };
        }
    }
    let hosts = Arc::new(allowed_hosts(local));
    let token = options.require_token.clone().map(Arc::new);
    router
        .fallback(not_found)
        .layer(middleware::from_fn(move |request, next| {
            require_token(token.clone(), request, next)
        }))
        .layer(cors_layer(&options.cors))
        .layer(middleware::from_fn(move |request, next| {
            check_host(Arc::clone(&hosts), request, next)
        }))
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), record))
        .with_state(shared)
}

/// One platform's route, where it sits in the settings, and how long its bodies may take.
#[derive(Clone, Copy)]
struct Target {
    index: usize,
    platform: &'static dyn Platform,
    route: &'static Route,
    body_timeout: Duration,
}

/// Runs a platform's route on a request: checks its body and values, then mints, off the async
/// workers when the signature is slow.
async fn call(
    shared: Arc<Shared>,
    target: Target,
    params: Vec<(String, String)>,
    request: Request,
) -> Response {
    let Target {
        index,
        platform,
        route,
        body_timeout,
    } = target;
    let id = Some(platform.id());
    let refuse = |status: u16, property: &str, reason: String| {
        to_response(
            id,
            endpoint::refused(status, None, vec![ValidationError::new(property, reason)]),
        )
    };
    let method = match *request.method() {
        HttpMethod::POST => Method::Post,
        _ => Method::Get,
    };
    let query: Vec<(String, String)> = request
        .uri()
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    if let Some((name, _)) = params
        .iter()
        .chain(&query)
        .find(|(_, value)| value.chars().count() > MAX_VALUE_CHARS)
    {
        return refuse(
            400,
            name,
            format!(
                "the value is over {MAX_VALUE_CHARS} characters, longer than any this endpoint takes"
            ),
        );
    }
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
        })
        .collect();
    let json_type = is_json(request.headers());
    let body = if method == Method::Post {
        match read_body(request.into_body(), body_timeout).await {
            Ok(bytes) => Some(bytes),
            Err((status, reason)) => return refuse(status, "body", reason),
        }
    } else {
        None
    };
    let body = match (body, json_type, route.foreign_body) {
        (None, _, _) => None,
        (Some(bytes), true, _) => match json_object(&bytes) {
            Ok(object) => Some(object),
            Err(reason) => return refuse(400, "body", reason),
        },
        (Some(_), false, ForeignBody::Unread) => Some(Map::new()),
        (Some(_), false, ForeignBody::Refuse) => {
            return refuse(
                415,
                "content-type",
                "send the body as JSON, with content-type: application/json".into(),
            );
        }
    };
    let request = endpoint::Request {
        method: Some(method),
        params,
        query,
        headers,
        body,
    };
    let (settings, now) = shared.snapshot();
    let answer = if settings.ready[index].is_slow() {
        let Ok(_permit) = shared.signing.acquire().await else {
            return refuse(503, "server", "the endpoint is stopping".into());
        };
        let handler = route.handler;
        let minted = tokio::task::spawn_blocking(move || {
            let ready = &settings.ready[index];
            handler(
                &Minting {
                    prepared: &ready.prepared,
                    form: &ready.form,
                    now,
                },
                &request,
            )
        })
        .await;
        match minted {
            Ok(answer) => answer,
            Err(_) => return refuse(500, "token", "minting failed".into()),
        }
    } else {
        let ready = &settings.ready[index];
        (route.handler)(
            &Minting {
                prepared: &ready.prepared,
                form: &ready.form,
                now,
            },
            &request,
        )
    };
    to_response(id, answer)
}

/// The body, at most [`BODY_LIMIT`] bytes, arrived within `timeout`.
async fn read_body(body: AxumBody, timeout: Duration) -> Result<axum::body::Bytes, (u16, String)> {
    let limited = http_body_util::Limited::new(body, BODY_LIMIT);
    match tokio::time::timeout(timeout, limited.collect()).await {
        Err(_) => Err((
            408,
            format!("the body did not arrive within {} s", timeout.as_secs()),
        )),
        Ok(Err(_)) => Err((
            413,
            format!("the body is over the {} KiB limit", BODY_LIMIT / 1024),
        )),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| {
            let t = t.trim();
            t.eq_ignore_ascii_case("application/json")
                || (t.len() > 5 && t[t.len() - 5..].eq_ignore_ascii_case("+json"))
        })
}

/// A JSON body as an object; an empty body counts as `{}` (as Express reads it).
fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "the body must be a JSON object, not {}",
            match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        )),
        Err(error) => Err(format!("the body is not valid JSON: {error}")),
    }
}

fn to_response(platform: Option<&'static str>, answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match answer.body {
        Body::Json(value) => (status, axum::Json(value)).into_response(),
        Body::Text { content_type, text } => {
            (status, [(header::CONTENT_TYPE, content_type)], text).into_response()
        }
    };
    response.extensions_mut().insert(Served {
        platform,
        entry: answer.log,
    });
    response
}

fn refusal(status: StatusCode, property: &str, reason: String) -> Response {
    to_response(
        None,
        endpoint::refused(
            status.as_u16(),
            None,
            vec![ValidationError::new(property, reason)],
        ),
    )
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
        client_id: served.entry.client_id,
        status: response.status().as_u16(),
        token: served.entry.token,
        expires_at: served.entry.expires_at,
        error: served.entry.error,
    });
    response
}

/// The Host names this endpoint answers to: loopback names with its port, and the address it
/// listens on. A page on another name that resolves here (DNS rebinding) gets 421.
fn allowed_hosts(local: SocketAddr) -> Vec<String> {
    let port = local.port();
    let mut hosts = vec![
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ];
    let own = match local {
        SocketAddr::V4(v4) => format!("{}:{port}", v4.ip()),
        SocketAddr::V6(v6) => format!("[{}]:{port}", v6.ip()),
    };
    if !local.ip().is_unspecified() && !hosts.contains(&own) {
        hosts.push(own);
    }
    hosts
}

/// Whether `host` (a Host header) is one of `allowed`; a Host without a port counts when the
/// name is (browsers always send the port when it is not the scheme's default).
pub(super) fn host_allowed(allowed: &[String], host: &str) -> bool {
    let host = host.trim().to_ascii_lowercase();
    allowed.iter().any(|a| {
        *a == host
            || a.rsplit_once(':')
                .is_some_and(|(name, _)| name == host && !host.is_empty())
    })
}

async fn check_host(allowed: Arc<Vec<String>>, request: Request, next: Next) -> Response {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let (host, second) = (hosts.next(), hosts.next());
    if second.is_some() {
        // RFC 9112 §3.2: a request with more than one Host is refused, whatever they say.
        return refusal(
            StatusCode::BAD_REQUEST,
            "host",
            "a request names one host, and this one names several".into(),
        );
    }
    let host = host.map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned());
    // A request target in absolute form (`POST http://name/…`) names the host that counts
    // (RFC 9112 §3.2.2): it must be one of ours too, whatever the Host header says.
    let target = request.uri().authority().map(|a| a.to_string());
    let named: Vec<&String> = host.iter().chain(&target).collect();
    match named.iter().find(|name| !host_allowed(&allowed, name)) {
        None if !named.is_empty() => next.run(request).await,
        Some(host) => refusal(
            StatusCode::MISDIRECTED_REQUEST,
            "host",
            format!(
                "this endpoint answers only to {}, not to {}: a page that reached it under another name is refused",
                allowed.join(", "),
                shorten(host, 80)
            ),
        ),
        None => refusal(
            StatusCode::MISDIRECTED_REQUEST,
            "host",
            format!(
                "a request must name its host: this endpoint answers to {}",
                allowed.join(", ")
            ),
        ),
    }
}

async fn require_token(token: Option<Arc<Secret>>, request: Request, next: Next) -> Response {
    let Some(token) = token else {
        return next.run(request).await;
    };
    if request.method() == HttpMethod::OPTIONS || request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        // The scheme is case-insensitive (RFC 9110 §11.1): `bearer` is `Bearer`.
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, given)| given.trim());
    if given.is_some_and(|given| constant_time_eq(given.as_bytes(), token.expose())) {
        return next.run(request).await;
    }
    let mut response = refusal(
        StatusCode::UNAUTHORIZED,
        "authorization",
        "this endpoint needs the bearer token it printed at start: send Authorization: Bearer <token>".into(),
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
        .allow_methods([HttpMethod::GET, HttpMethod::POST])
        // Clients send their own headers (relaybox-client-js: X-Client-Id and any `authHeaders`).
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

/// 405, with the methods the route takes in the answer and its `Allow` header.
fn method_not_allowed(methods: &[Method], method: &HttpMethod) -> Response {
    let allowed: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
    let mut response = refusal(
        StatusCode::METHOD_NOT_ALLOWED,
        "method",
        format!(
            "{} is not answered here: use {}",
            shorten(method.as_str(), 16),
            allowed.join(" or ")
        ),
    );
    if let Ok(allow) = HeaderValue::from_str(&allowed.join(", ")) {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    response
}

async fn healthz() -> Response {
    to_response(
        None,
        Answer {
            status: 200,
            body: Body::Json(json!({ "status": "ok" })),
            log: LogEntry::default(),
        },
    )
}

async fn not_found(method: HttpMethod, uri: axum::http::Uri) -> Response {
    let routes: Vec<String> = all_routes()
        .iter()
        .flat_map(|(_, route)| {
            route
                .methods
                .iter()
                .map(|m| format!("{} {}", m.as_str(), route.path))
        })
        .chain(["GET /healthz".to_string()])
        .collect();
    refusal(
        StatusCode::NOT_FOUND,
        "route",
        format!(
            "no route {method} {}: this endpoint serves {}",
            shorten(uri.path(), 80),
            routes.join(", ")
        ),
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

    #[test]
    fn hosts_are_loopback_names_with_this_port_and_the_bind_address() {
        let local: SocketAddr = "127.0.0.1:8787".parse().unwrap();
        let allowed = allowed_hosts(local);
        for host in [
            "localhost:8787",
            "127.0.0.1:8787",
            "[::1]:8787",
            "LOCALHOST:8787",
            "localhost",
        ] {
            assert!(host_allowed(&allowed, host), "{host}");
        }
        for host in [
            "evil.example:8787",
            "127.0.0.1.evil.com:8787",
            "localhost:8788",
            "localhost.:8787",
            "",
            "evil.example",
        ] {
            assert!(!host_allowed(&allowed, host), "{host}");
        }
        let lan = allowed_hosts("192.168.1.5:9000".parse().unwrap());
        assert!(host_allowed(&lan, "192.168.1.5:9000"));
        assert!(
            !allowed_hosts("0.0.0.0:9000".parse().unwrap())
                .iter()
                .any(|h| h.starts_with("0.0.0.0"))
        );
    }

    #[test]
    fn json_types_and_comparison_in_constant_time() {
        let mut headers = HeaderMap::new();
        assert!(!is_json(&headers));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(is_json(&headers));
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(!is_json(&headers));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/merge-patch+json"),
        );
        assert!(is_json(&headers));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
