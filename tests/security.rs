//! Issue #11, tried as an attacker would: `serve` left running with real credentials on a laptop
//! whose browser visits any page, and `inspect` and `mint` fed hostile input. Over loopback only,
//! with short configured timeouts, so the whole file runs in a few seconds.

#[path = "support/http.rs"]
mod http;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::DateTime;
use http::{Call, request};
use hyper::Method;
use serde_json::{Value, json};
use tokenbench::clock::Clock;
use tokenbench::platform::{self, FieldValue, Platform, relaybox::Relaybox};
use tokenbench::serve::{self, Limits, ServeConfig, ServeHandle, ServeOptions};

/// Escape, an OSC that sets the title and the clipboard, BEL, CSI (7- and 8-bit), DEL, NEL and
/// the bidi overrides and isolates: everything that a terminal obeys rather than shows.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}]52;c;aGk=\u{7}\u{1b}[2K\u{9b}31m\u{7f}\u{85}\u{202e}\u{2066}\u{200f}\u{61c}\r\n";

/// Whether `c`, written raw to a terminal, does something other than show itself.
fn obeyed(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{61c}')
}

/// Fails, naming the first few, when `bytes` hold anything a terminal would obey.
fn assert_inert(what: &str, bytes: &[u8]) {
    let text =
        String::from_utf8(bytes.to_vec()).unwrap_or_else(|e| panic!("{what} is not UTF-8: {e}"));
    let raw: Vec<String> = text
        .chars()
        .filter(|c| obeyed(*c))
        .take(5)
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(raw.is_empty(), "{what} writes {raw:?} raw:\n{text}");
}

fn tokenbench() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tokenbench"));
    for name in platform::credential_env_vars() {
        command.env_remove(name);
    }
    command.env_remove("TOKENBENCH_SERVE_TOKEN");
    command
}

struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

fn run(args: &[&str]) -> Run {
    run_with_stdin(args, &[])
}

fn run_with_stdin(args: &[&str], input: &[u8]) -> Run {
    let mut child = tokenbench()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tokenbench runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // The writer may meet a closed pipe once tokenbench has read what it wants: that is the point.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    let _ = writer.join();
    Run {
        code: output.status.code(),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An unsigned-looking JWT (its signature is junk) of this header and these claims.
fn jwt(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.c2ln",
        b64(header.to_string()),
        b64(claims.to_string())
    )
}

/// `value` with [`HOSTILE`] added to every string in it, keys of objects included.
fn poisoned(value: &Value) -> Value {
    match value {
        Value::String(text) => Value::String(format!("{text}{HOSTILE}")),
        Value::Array(items) => Value::Array(items.iter().map(poisoned).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    // Time claims stay numbers, so the report still reads them.
                    let key = if v.is_number() {
                        k.clone()
                    } else {
                        format!("{k}{HOSTILE}")
                    };
                    (key, poisoned(v))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// serve over raw TCP
// ---------------------------------------------------------------------------------------------

/// Short enough for the tests to wait them out, long enough for a request on loopback.
const SHORT: Duration = Duration::from_millis(300);

fn start_with(options: ServeOptions) -> ServeHandle {
    serve::start(ServeConfig::demo(Clock::system()), options).expect("the endpoint starts")
}

fn start() -> ServeHandle {
    start_with(ServeOptions::local(0))
}

fn short_limits(max_connections: usize) -> ServeOptions {
    ServeOptions {
        limits: Limits {
            header_timeout: SHORT,
            body_timeout: SHORT,
            max_connections,
        },
        ..ServeOptions::local(0)
    }
}

/// Sends `bytes` as they are and reads the answer until the server closes (or 5 s pass).
fn raw(addr: SocketAddr, bytes: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(bytes).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A request with these header lines (each ending in CRLF) and a JSON body.
fn post_with(version: &str, path: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} {version}\r\n{headers}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The four token routes the issue minted on through DNS rebinding, with a body each accepts.
const FOUR_ROUTES: [(&str, &str); 4] = [
    ("/zoom", r#"{"sessionName":"x","role":1}"#),
    ("/vonage/token", r#"{"role":"publisher"}"#),
    ("/opentok/token", r#"{"role":"publisher"}"#),
    ("/relaybox/auth", "{}"),
];

#[test]
fn only_the_endpoints_own_host_names_are_answered_whatever_the_http_version() {
    let server = start();
    let addr = server.local_addr();
    let port = addr.port();
    for (path, body) in FOUR_ROUTES {
        for version in ["HTTP/1.1", "HTTP/1.0"] {
            for host in [
                format!("localhost:{port}"),
                format!("127.0.0.1:{port}"),
                format!("[::1]:{port}"),
                format!("LocalHost:{port}"),
            ] {
                let (status, body) = raw(
                    addr,
                    &post_with(version, path, &format!("Host: {host}\r\n"), body),
                );
                assert_eq!(status, 200, "{version} {path} Host {host}: {body}");
            }
            for host in [
                "evil.example".to_string(),
                format!("evil.example:{port}"),
                format!("127.0.0.1.evil.com:{port}"),
                format!("localhost.evil.com:{port}"),
                format!("127.0.0.1.nip.io:{port}"),
                format!("localhost.:{port}"),
                format!("localhost:{}", port.wrapping_add(1)),
                format!("0.0.0.0:{port}"),
                format!("127.1:{port}"),
                format!("2130706433:{port}"),
                format!("evil@127.0.0.1:{port}"),
                String::new(),
            ] {
                let (status, answer) = raw(
                    addr,
                    &post_with(version, path, &format!("Host: {host}\r\n"), body),
                );
                assert_eq!(status, 421, "{version} {path} Host {host:?}: {answer}");
                let error: Value = serde_json::from_str(&answer).unwrap();
                assert_eq!(error["errors"][0]["property"], "host", "{answer}");
                assert!(!answer.contains("\"token\"") && !answer.contains("signature\":"));
            }
            // No Host at all (HTTP/1.0 allows it; a browser never sends one without).
            let (status, answer) = raw(addr, &post_with(version, path, "", body));
            assert_eq!(status, 421, "{version} {path} without Host: {answer}");
            assert!(answer.contains("must name its host"), "{answer}");
        }
    }
}

#[test]
fn two_hosts_or_a_foreign_absolute_target_are_refused_even_beside_a_good_host() {
    let server = start();
    let addr = server.local_addr();
    let good = format!("Host: {addr}\r\n");
    let body = FOUR_ROUTES[0].1;
    for headers in [
        format!("{good}Host: evil.example\r\n"),
        format!("Host: evil.example\r\n{good}"),
        format!("{good}{good}"),
    ] {
        let (status, answer) = raw(addr, &post_with("HTTP/1.1", "/zoom", &headers, body));
        assert!(
            status == 400 || status == 421,
            "{headers:?}: {status} {answer}"
        );
        assert!(!answer.contains("signature\":"), "{answer}");
    }
    let (status, answer) = raw(
        addr,
        &post_with("HTTP/1.1", "http://evil.example/zoom", &good, body),
    );
    assert_eq!(status, 421, "{answer}");
    let (status, answer) = raw(
        addr,
        &post_with("HTTP/1.1", &format!("http://{addr}/zoom"), &good, body),
    );
    assert_eq!(status, 200, "{answer}");
}

#[test]
fn token_routes_take_json_bodies_only_and_zoom_answers_as_its_sample_does() {
    let server = start();
    let addr = server.local_addr();
    let body = br#"{"sessionName":"x","role":1,"sessionId":"x","identity":"alice"}"#.to_vec();
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonx"),
        Some("text/json"),
        None,
    ] {
        for path in ["/vonage/token", "/opentok/token", "/twilio/token"] {
            let mut call = Call::post_raw(path, body.clone());
            if let Some(content_type) = content_type {
                call = call.header("content-type", content_type);
            }
            let reply = request(addr, call);
            assert_eq!(reply.status, 415, "{path} {content_type:?}");
            assert_eq!(reply.json()["errors"][0]["property"], "content-type");
        }
        // The sample's express.json() leaves such a body unread: its validations answer 400.
        let mut call = Call::post_raw("/zoom", body.clone());
        if let Some(content_type) = content_type {
            call = call.header("content-type", content_type);
        }
        let reply = request(addr, call);
        assert_eq!(reply.status, 400, "/zoom {content_type:?}");
        assert!(reply.json().get("signature").is_none());
        let answer = reply.json();
        let properties: Vec<&str> = answer["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["property"].as_str())
            .collect();
        assert_eq!(properties, ["role", "sessionName"], "{content_type:?}");
    }
    for content_type in ["application/json", "Application/JSON; charset=utf-8"] {
        let reply = request(
            addr,
            Call::post_raw("/zoom", body.clone()).header("content-type", content_type),
        );
        assert_eq!(reply.status, 200, "{content_type}");
    }
}

#[test]
fn cors_lets_localhost_origins_read_answers_and_no_other_origin() {
    let server = start();
    let addr = server.local_addr();
    let preflight = |origin: &str| {
        request(
            addr,
            Call::get("/zoom")
                .with_method(Method::OPTIONS)
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type"),
        )
    };
    let simple = |origin: &str| {
        request(
            addr,
            Call::get("/relaybox/auth?clientId=a").header("Origin", origin),
        )
    };
    for origin in [
        "http://localhost",
        "http://localhost:3000",
        "https://localhost:8443",
        "http://127.0.0.1:5173",
        "http://[::1]:8080",
    ] {
        assert_eq!(
            preflight(origin).header("access-control-allow-origin"),
            Some(origin)
        );
        assert_eq!(
            simple(origin).header("access-control-allow-origin"),
            Some(origin)
        );
    }
    for origin in [
        "http://evil.example",
        "https://localhost.evil.com",
        "http://127.0.0.1.evil.com:3000",
        "http://127.0.0.1.nip.io",
        "null",
        "file://",
        "http://localhost:3000.evil.com",
        "http://localhost:",
    ] {
        let reply = preflight(origin);
        assert_eq!(
            reply.header("access-control-allow-origin"),
            None,
            "{origin}"
        );
        assert_eq!(reply.header("access-control-allow-credentials"), None);
        assert_eq!(
            simple(origin).header("access-control-allow-origin"),
            None,
            "{origin}"
        );
    }
}

#[test]
fn require_token_guards_every_route_but_healthz() {
    let server = start_with(ServeOptions {
        require_token: Some(tokenbench::secret::Secret::new("run-secret-123")),
        ..ServeOptions::local(0)
    });
    let addr = server.local_addr();
    let get = |authorization: Option<&str>, path: &str| {
        let mut call = Call::get(path);
        if let Some(value) = authorization {
            call = call.header("authorization", value);
        }
        request(addr, call)
    };
    for path in ["/relaybox/auth", "/agora/rtm/7", "/nothing"] {
        for wrong in [
            None,
            Some("Bearer nope"),
            Some("Basic run-secret-123"),
            Some("Bearer run-secret-12"),
        ] {
            let reply = get(wrong, path);
            assert_eq!(reply.status, 401, "{path} {wrong:?}");
            assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
        }
    }
    for right in ["Bearer run-secret-123", "bearer run-secret-123"] {
        assert_eq!(get(Some(right), "/relaybox/auth").status, 200, "{right}");
    }
    assert_eq!(get(None, "/healthz").status, 200);
    let reply = request(
        addr,
        Call::post_json("/zoom", &json!({"sessionName": "x", "role": 1})),
    );
    assert_eq!(reply.status, 401);
    assert!(reply.json().get("signature").is_none());
}

#[test]
fn silent_slow_and_idle_connections_are_closed_after_the_configured_timeouts() {
    let server = start_with(short_limits(64));
    let addr = server.local_addr();
    // Long enough past the timeout for the close to arrive on a loaded machine.
    let bound = SHORT * 10;
    let closed_within = |stream: &mut TcpStream| {
        stream.set_read_timeout(Some(bound)).unwrap();
        let started = Instant::now();
        let mut rest = Vec::new();
        let closed = stream.read_to_end(&mut rest).is_ok();
        (
            closed,
            started.elapsed(),
            String::from_utf8_lossy(&rest).into_owned(),
        )
    };

    let mut silent = TcpStream::connect(addr).unwrap();
    let (closed, after, _) = closed_within(&mut silent);
    assert!(closed, "a silent connection was still open after {after:?}");

    // Slowloris: a header line every 50 ms never completes the request.
    let mut slow = TcpStream::connect(addr).unwrap();
    slow.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n").as_bytes())
        .unwrap();
    let started = Instant::now();
    let mut cut = false;
    while started.elapsed() < bound {
        if slow.write_all(b"x-slow: 1\r\n").is_err() {
            cut = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let (closed, _, answer) = closed_within(&mut slow);
    assert!(
        cut || closed,
        "a slowloris connection stayed open: {answer}"
    );
    assert!(!answer.contains("200 OK"), "{answer}");

    // Keep-alive: answered, then closed once idle.
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .unwrap();
    let (closed, _, answer) = closed_within(&mut idle);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "an idle keep-alive connection stayed open");

    // A body that never finishes: 408, not a connection held open.
    let mut body = TcpStream::connect(addr).unwrap();
    body.write_all(
        format!("POST /vonage/token HTTP/1.1\r\nHost: {addr}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{")
            .as_bytes(),
    )
    .unwrap();
    let (_, after, answer) = closed_within(&mut body);
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "after {after:?}: {answer}"
    );
}

#[test]
fn connections_past_the_cap_get_503_at_once_and_the_endpoint_recovers() {
    const CAP: usize = 4;
    let server = start_with(ServeOptions {
        limits: Limits {
            // Long, so that the held connections stay open for the whole test.
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_connections: CAP,
        },
        ..ServeOptions::local(0)
    });
    let addr = server.local_addr();
    let held: Vec<TcpStream> = (0..CAP)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    // Let the server accept them before the next one arrives.
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..3 {
        let (status, body) = raw(
            addr,
            format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes(),
        );
        assert_eq!(status, 503, "{body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["errors"][0]["property"], "connection");
    }
    drop(held);
    let started = Instant::now();
    loop {
        let reply = request(addr, Call::get("/healthz"));
        if reply.status == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still {} once the connections closed",
            reply.status
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn healthz_answers_while_rs256_mints_are_queued() {
    const CONNECTIONS: usize = 16;
    const PER_CONNECTION: usize = 16;
    let server = start();
    let addr = server.local_addr();
    let done = Arc::new(AtomicUsize::new(0));
    let body = r#"{"role":"publisher"}"#;
    let one = format!(
        "POST /vonage/token HTTP/1.1\r\nHost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let done = Arc::clone(&done);
            let pipelined = one.repeat(PER_CONNECTION);
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).unwrap();
                stream.write_all(pipelined.as_bytes()).unwrap();
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                let mut answered = 0;
                while answered < PER_CONNECTION {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    // A JSON body ends without a newline: the next status line follows it.
                    let ok = line.matches("HTTP/1.1 200").count();
                    answered += ok;
                    done.fetch_add(ok, Ordering::SeqCst);
                }
            })
        })
        .collect();
    let total = CONNECTIONS * PER_CONNECTION;
    // Wait until signing is under way, then ask for health.
    let started = Instant::now();
    while done.load(Ordering::SeqCst) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no RS256 mint answered"
        );
        std::thread::yield_now();
    }
    let mut behind = Vec::new();
    for _ in 0..5 {
        let before = done.load(Ordering::SeqCst);
        let reply = request(addr, Call::get("/healthz"));
        assert_eq!(reply.status, 200);
        behind.push(done.load(Ordering::SeqCst) - before);
    }
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(done.load(Ordering::SeqCst), total, "every mint answered");
    // Healthz waits for no queue of signatures: a few finish meanwhile (the signing threads keep
    // working), never a good part of the queue.
    let worst = *behind.iter().max().unwrap();
    assert!(
        worst < total / 8,
        "up to {worst} of {total} RS256 mints were answered while /healthz waited: {behind:?}"
    );
}

#[test]
fn inputs_past_their_caps_get_a_4xx_and_nothing_is_echoed_at_length() {
    let server = start();
    let addr = server.local_addr();
    let get_with = |target: &str, extra: &str| {
        raw(
            addr,
            format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\n{extra}connection: close\r\n\r\n")
                .as_bytes(),
        )
    };
    let (status, _) = get_with(
        "/relaybox/auth",
        &format!("X-Client-Id: {}\r\n", "a".repeat(300_000)),
    );
    assert_eq!(status, 431);
    let (status, body) = get_with(
        "/relaybox/auth",
        &format!("X-Client-Id: {}\r\n", "a".repeat(2_000)),
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("256"), "the limit is named: {body}");
    let (status, body) = get_with(
        &format!("/relaybox/auth?clientId={}", "a".repeat(5_000)),
        "",
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("1024"), "the limit is named: {body}");
    assert!(body.len() < 500, "{body}");
    let (status, _) = get_with(&format!("/{}", "a".repeat(60_000)), "");
    assert_eq!(status, 431);
    let (status, body) = get_with(&format!("/{}", "a".repeat(10_000)), "");
    assert_eq!(status, 404);
    assert!(body.len() < 2_000, "a 404 echoes {} bytes", body.len());
    let (status, _) = get_with("/healthz", &"x-many: 1\r\n".repeat(100));
    assert_eq!(status, 431);
    let big = format!(r#"{{"data":"{}"}}"#, "a".repeat(70_000));
    let (status, body) = raw(
        addr,
        &post_with(
            "HTTP/1.1",
            "/vonage/token",
            &format!("Host: {addr}\r\n"),
            &big,
        ),
    );
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("64 KiB"), "{body}");
    let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    let (status, _) = raw(
        addr,
        &post_with(
            "HTTP/1.1",
            "/vonage/token",
            &format!("Host: {addr}\r\n"),
            &deep,
        ),
    );
    assert_eq!(status, 400);
    assert_eq!(
        request(addr, Call::get("/healthz")).status,
        200,
        "still serving"
    );
}

// ---------------------------------------------------------------------------------------------
// What is printed: the serve log and inspect
// ---------------------------------------------------------------------------------------------

/// `tokenbench serve` as a process, its stdout kept as bytes; killed on drop.
struct ServeProcess {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<Vec<u8>>,
    stderr: std::sync::mpsc::Receiver<Vec<u8>>,
}

impl ServeProcess {
    fn spawn(args: &[&str]) -> ServeProcess {
        let mut child = tokenbench()
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tokenbench serve starts");
        let lines_of = |reader: Box<dyn Read + Send>| {
            let (sender, lines) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(reader);
                loop {
                    let mut line = Vec::new();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            if sender.send(line).is_err() {
                                break;
                            }
                        }
                    }
                }
            });
            lines
        };
        let lines = lines_of(Box::new(child.stdout.take().unwrap()));
        let stderr = lines_of(Box::new(child.stderr.take().unwrap()));
        ServeProcess {
            child,
            lines,
            stderr,
        }
    }

    /// Stdout lines up to and including the first that contains `needle`.
    fn lines_until(&self, needle: &str) -> Vec<Vec<u8>> {
        let mut seen = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("no line with {needle:?} from tokenbench serve"));
            let found = String::from_utf8_lossy(&line).contains(needle);
            seen.push(line);
            if found {
                return seen;
            }
        }
    }

    /// Stdout lines up to and including the first request line (it starts with the time) for
    /// `route`.
    fn requests_until(&self, route: &str) -> Vec<Vec<u8>> {
        let mut seen = Vec::new();
        loop {
            let mut more = self.lines_until(route);
            let last = more.last().cloned().unwrap_or_default();
            seen.append(&mut more);
            if last.first().is_some_and(u8::is_ascii_digit) {
                return seen;
            }
        }
    }

    fn address(&self) -> SocketAddr {
        let banner = self.lines_until("listening on http://");
        let line = String::from_utf8_lossy(banner.last().unwrap()).into_owned();
        line.rsplit("http://")
            .next()
            .and_then(|a| a.trim().parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
    }

    /// What it wrote to stderr by now: its warnings come before its banner, so a moment after
    /// the banner they are all in.
    fn stderr_so_far(&self) -> String {
        std::thread::sleep(Duration::from_millis(200));
        self.stderr
            .try_iter()
            .map(|line| String::from_utf8_lossy(&line).into_owned())
            .collect()
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `text` percent-encoded whole, for a query value or a path segment.
fn percent(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn the_serve_log_writes_no_control_character_a_request_sent() {
    let process = ServeProcess::spawn(&["--port", "0"]);
    let addr = process.address();
    let evil = percent(&format!("id{HOSTILE}"));
    let mut calls = vec![
        Call::get(&format!("/relaybox/auth?clientId={evil}")),
        Call::get(&format!("/twilio/token?identity={evil}")),
        Call::get(&format!("/ably/auth?clientId={evil}")),
        Call::get(&format!("/agora/rtm/{evil}")),
        Call::get(&format!("/agora/rtc/{evil}/publisher/userAccount/{evil}")),
        Call::get(&format!("/{evil}/nothing?{evil}={evil}")),
    ];
    for body in [
        json!({"sessionName": "s", "role": 1, "userIdentity": format!("u{HOSTILE}")}),
        json!({"sessionName": format!("s{HOSTILE}"), "role": 1, "userIdentity": format!("u{HOSTILE}"), "sessionKey": format!("k{HOSTILE}").repeat(9)}),
        json!({"sessionName": "s", "role": format!("r{HOSTILE}")}),
    ] {
        calls.push(Call::post_json("/zoom", &body));
    }
    calls.push(Call::post_json(
        "/vonage/token",
        &json!({"role": format!("r{HOSTILE}"), "data": HOSTILE}),
    ));
    calls.push(Call::post_json(
        "/twilio/token",
        &json!({"identity": format!("i{HOSTILE}")}),
    ));
    let mut statuses = Vec::new();
    for call in &calls {
        statuses.push(request(addr, call.clone()).status);
    }
    // Header values as raw bytes: bidi and C1 controls in UTF-8, and a raw ESC (which the HTTP
    // parser refuses before anything is logged).
    for value in ["id\u{202e}\u{9b}31m", "a\u{1b}]0;t\u{7}"] {
        let _ = raw(
            addr,
            format!("GET /relaybox/auth HTTP/1.1\r\nHost: {addr}\r\nX-Client-Id: {value}\r\nconnection: close\r\n\r\n").as_bytes(),
        );
    }
    let marker = request(addr, Call::get("/healthz?end"));
    assert_eq!(marker.status, 200);
    let log = process.requests_until("/healthz");
    let requests: Vec<&Vec<u8>> = log.iter().filter(|l| l.starts_with(b"20")).collect();
    assert!(
        requests.len() > calls.len(),
        "one line per request: {} lines for {} requests and more",
        requests.len(),
        calls.len()
    );
    let all: Vec<u8> = log.concat();
    assert_inert("the serve log", &all);
    let text = String::from_utf8_lossy(&all);
    assert!(
        text.contains("client id\\e]0;pwned\\x07"),
        "escaped, not dropped: {text}"
    );
    assert!(
        statuses.contains(&200) && statuses.contains(&400) && statuses.contains(&404),
        "{statuses:?}"
    );
    for line in &requests {
        assert!(line.len() < 600, "a log line of {} bytes", line.len());
    }
}

/// A real token of `platform` (from `mint --json`), its header and claims poisoned.
fn poisoned_token(platform: &str) -> String {
    let minted = run(&["mint", platform, "--json"]);
    assert_eq!(minted.code, Some(0), "{}", minted.stderr);
    let report: Value = serde_json::from_slice(&minted.stdout).unwrap();
    assert_eq!(report["format"], "jwt", "{platform}");
    let mut header = poisoned(&report["header"]);
    // The alg stays readable as the platform's, so the platform's own rules run too…
    header["alg"] = report["header"]["alg"].clone();
    let mut claims = poisoned(&report["claims"]);
    // …and the claims that name the platform keep their names.
    for (name, value) in report["claims"].as_object().unwrap() {
        if let Some(text) = value.as_str() {
            let poisoned_value = format!("{text}{HOSTILE}");
            claims[name.as_str()] = Value::String(poisoned_value.clone());
            claims[format!("{name}{HOSTILE}")] = Value::String(poisoned_value);
        }
    }
    jwt(&header, &claims)
}

#[test]
fn inspect_writes_no_control_character_a_token_holds_in_text_output() {
    let mut tokens: Vec<(String, String)> = ["zoom", "vonage", "opentok", "relaybox", "twilio"]
        .iter()
        .map(|p| (p.to_string(), poisoned_token(p)))
        .collect();
    // The alg label itself, and the rules that quote what they find.
    tokens.push((
        "zoom".into(),
        jwt(
            &json!({"alg": format!("HS256{HOSTILE}"), "typ": HOSTILE}),
            &json!({"app_key": HOSTILE, "tpc": format!("t{HOSTILE}"), "role_type": 1, "version": 1,
                    "iat": 1_795_341_600, "exp": 1_795_348_800, "geo_regions": format!("US,{HOSTILE}")}),
        ),
    ));
    tokens.push((
        "relaybox".into(),
        jwt(
            &json!({"alg": "HS256", "typ": "JWT"}),
            &json!({"publicKey": format!("a.b{HOSTILE}"), "timestamp": HOSTILE, "tokenType": "id_token",
                    "permissions": {format!("room{HOSTILE}"): [format!("publish{HOSTILE}")]},
                    "clientId": HOSTILE, "iat": 1_795_341_600, "exp": 1_795_342_500}),
        ),
    ));
    tokens.push((
        "generic".into(),
        jwt(
            &json!({"alg": format!("ES256{HOSTILE}"), "kid": HOSTILE, "jku": HOSTILE}),
            &poisoned(
                &json!({"sub": "s", "aud": ["a"], "exp": "soon", "nbf": "x", "nested": {"k": "v"}}),
            ),
        ),
    ));
    // A TokenRequest pasted as JSON, and formats minted with hostile fields.
    tokens.push((
        "ably".into(),
        json!({"keyName": format!("a.b{HOSTILE}"), "clientId": HOSTILE, "capability": format!("{{\"{}\":[\"x\"]}}", HOSTILE.escape_default()),
               "timestamp": 1_795_341_600_000_i64, "ttl": format!("{HOSTILE}"), "nonce": HOSTILE, "mac": HOSTILE})
        .to_string(),
    ));
    for (platform, args) in [
        ("opentok", vec!["--legacy-t1", "--data"]),
        ("agora", vec!["--topic"]),
        ("ably", vec!["--client-id"]),
    ] {
        let mut mint = vec!["mint", platform, "--token-only"];
        mint.extend(args);
        let value = format!("v{HOSTILE}");
        mint.push(&value);
        let minted = run(&mint);
        assert_eq!(minted.code, Some(0), "{platform}: {}", minted.stderr);
        tokens.push((platform.into(), minted.stdout().trim().to_string()));
    }
    let hostile_key = format!("other{HOSTILE}");
    for (platform, token) in &tokens {
        for extra in [
            vec![],
            vec!["--key", hostile_key.as_str()],
            vec!["--secret", "b64:aGk="],
        ] {
            let mut args = vec!["inspect", "-"];
            args.extend(extra.iter().copied());
            let inspected = run_with_stdin(&args, token.as_bytes());
            assert!(
                inspected.code.is_some_and(|c| c <= 2),
                "{platform}: {}",
                inspected.stderr
            );
            assert_inert(&format!("inspect {platform} {extra:?}"), &inspected.stdout);
            assert_inert(
                &format!("inspect {platform} {extra:?} stderr"),
                inspected.stderr.as_bytes(),
            );
            if extra.is_empty() {
                // Shown escaped (as `\e`, or `\u001b` inside JSON), not dropped.
                let shown = inspected.stdout();
                assert!(
                    shown.contains("\\e]0;pwned") || shown.contains("\\u001b]0;pwned"),
                    "{platform}: {shown}"
                );
            }
        }
        // --json stays exact: the same strings, controls and all, read back.
        let json_run = run_with_stdin(&["inspect", "-", "--json"], token.as_bytes());
        let _: Value =
            serde_json::from_slice(&json_run.stdout).unwrap_or_else(|e| panic!("{platform}: {e}"));
        assert!(
            json_run.stdout().contains("\\u001b]0;pwned"),
            "{platform}: {}",
            json_run.stdout()
        );
    }
    // Pasted with the hostile text around it, a token is still read, and nothing is obeyed.
    let wrapped = format!("{HOSTILE}{}{HOSTILE}", tokens[0].1);
    let inspected = run_with_stdin(&["inspect", "-"], wrapped.as_bytes());
    assert_inert("inspect of a wrapped token", &inspected.stdout);
    assert_inert(
        "inspect of a wrapped token (stderr)",
        inspected.stderr.as_bytes(),
    );
}

#[test]
fn long_values_from_a_token_are_shortened_in_labels_and_findings() {
    let long = "A".repeat(50_000);
    let token = jwt(
        &json!({"alg": format!("HS256{long}"), "typ": "JWT"}),
        &json!({"app_key": format!("k{long}"), "tpc": format!("t{long}"), "role_type": 1, "version": 1,
                "iat": 1_795_341_600, "exp": 1_795_348_800, "geo_regions": format!("US,{long}")}),
    );
    let inspected = run_with_stdin(&["inspect", "-", "--key", "other"], token.as_bytes());
    let text = inspected.stdout();
    let first = text.lines().next().unwrap();
    assert!(first.len() < 300, "the first line is {} bytes", first.len());
    for line in text.lines().filter(|l| {
        l.starts_with("  error") || l.starts_with("  info") || l.starts_with("  warning")
    }) {
        assert!(line.len() < 700, "a finding line of {} bytes", line.len());
        assert!(!line.contains(&long[..1000]), "{}", &line[..100]);
    }
    assert!(
        text.contains("key-mismatch") && text.contains("zoom.geo-regions"),
        "{}",
        &text[..500]
    );
    // JSON keeps every value whole.
    let json_run = run_with_stdin(
        &["inspect", "-", "--key", "other", "--json"],
        token.as_bytes(),
    );
    let report: Value = serde_json::from_slice(&json_run.stdout).unwrap();
    assert_eq!(report["claims"]["tpc"].as_str().unwrap().len(), 50_001);
}

// ---------------------------------------------------------------------------------------------
// Bounded inputs, times and secrets
// ---------------------------------------------------------------------------------------------

#[test]
fn inspect_and_secrets_read_no_further_than_their_caps() {
    let huge = vec![b'a'; 8 * 1024 * 1024];
    let inspected = run_with_stdin(&["inspect", "-"], &huge);
    assert_eq!(inspected.code, Some(2));
    assert!(
        inspected.stderr.contains("1024 KiB"),
        "{}",
        inspected.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big");
    std::fs::write(&big, vec![b's'; 64 * 1024 + 1]).unwrap();
    let big = format!("@{}", big.display());
    for args in [
        vec!["mint", "zoom", "--key", "k", "--secret", big.as_str()],
        vec!["inspect", "e30.e30.e30", "--secret", big.as_str()],
    ] {
        let out = run(&args);
        assert_eq!(out.code, Some(2), "{args:?}");
        assert!(out.stderr.contains("64 KiB"), "{}", out.stderr);
    }
    let secret = run_with_stdin(&["mint", "zoom", "--key", "k", "--secret", "-"], &huge);
    assert_eq!(secret.code, Some(2));
    assert!(secret.stderr.contains("64 KiB"), "{}", secret.stderr);
}

#[test]
fn exp_edge_values_are_exp_type_errors_never_no_expiry() {
    for exp in [
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "253402300800",
        "1e300",
        "true",
        "null",
        "[1]",
        "{}",
        "\"soon\"",
    ] {
        let token = format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"HS256","typ":"JWT"}"#),
            b64(format!(r#"{{"sub":"x","exp":{exp}}}"#))
        );
        let json_run = run(&["inspect", &token, "--json"]);
        assert_eq!(json_run.code, Some(1), "{exp}: exits 1 on the error");
        let report: Value = serde_json::from_slice(&json_run.stdout).unwrap();
        let rules: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .filter_map(|f| f["rule"].as_str())
            .collect();
        assert!(rules.contains(&"jwt.exp-type"), "{exp}: {rules:?}");
        assert!(!rules.contains(&"jwt.no-exp"), "{exp}: {rules:?}");
        let text = run(&["inspect", &token]).stdout();
        assert!(
            !text.lines().any(|l| l == "never expires"),
            "{exp}:\n{text}"
        );
    }
    // A string or a fraction is a finding too, for a generic JWT.
    for (exp, severity) in [("\"2000000000\"", "error"), ("2000000000.5", "warning")] {
        let token = format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"HS256"}"#),
            b64(format!(r#"{{"exp":{exp}}}"#))
        );
        let report: Value =
            serde_json::from_slice(&run(&["inspect", &token, "--json"]).stdout).unwrap();
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "jwt.exp-type")
            .unwrap_or_else(|| panic!("{exp}: {report}"));
        assert_eq!(finding["severity"], severity, "{exp}");
    }
    // Minting past the year 9999, or past what the platform takes, fails.
    for args in [
        vec!["mint", "vonage", "--ttl", "999999999d", "--strict"],
        vec!["mint", "zoom", "--ttl", "9223372036854775807s"],
        vec!["mint", "relaybox", "--exp", "253402300800"],
        vec!["mint", "twilio", "--exp", "-1"],
    ] {
        let out = run(&args);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
    }
    for platform in ["vonage", "zoom", "twilio", "ably", "opentok"] {
        let out = run(&["mint", platform, "--exp", "253402300799", "--strict"]);
        assert!(
            out.code.is_some_and(|c| c != 0),
            "{platform}: {}",
            out.stdout()
        );
    }
}

#[test]
fn an_empty_secret_is_unusable_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, b"").unwrap();
    let newline = dir.path().join("newline");
    std::fs::write(&newline, b"\n").unwrap();
    let empty_file = format!("@{}", empty.display());
    let newline_file = format!("@{}", newline.display());
    let token = run(&["mint", "zoom", "--token-only"]).stdout();
    for secret in [
        "b64:",
        "",
        "env:TB_EMPTY_SECRET",
        empty_file.as_str(),
        newline_file.as_str(),
    ] {
        for args in [
            vec!["mint", "zoom", "--key", "k", "--secret", secret],
            vec!["mint", "relaybox", "--key", "a.b", "--secret", secret],
            vec!["mint", "jwt", "--alg", "HS256", "--secret", secret],
            vec!["mint", "zoom", "--key", "k", "--secret", secret, "--json"],
            vec![
                "mint", "zoom", "--key", "k", "--secret", secret, "--count", "3",
            ],
        ] {
            let out = tokenbench()
                .args(&args)
                .env("TB_EMPTY_SECRET", "")
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(out.stdout.is_empty(), "{args:?} printed a token");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("the secret is empty"), "{args:?}: {stderr}");
        }
        let out = tokenbench()
            .args(["inspect", token.trim(), "--secret", secret, "--json"])
            .env("TB_EMPTY_SECRET", "")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "inspect --secret {secret:?}");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let unusable = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "secret.unusable")
            .unwrap_or_else(|| panic!("{secret:?}: {report}"));
        assert_eq!(unusable["severity"], "error");
        assert!(
            !report["findings"].to_string().contains("weak"),
            "an empty secret is not just weak: {}",
            report["findings"]
        );
        let mut serve = tokenbench()
            .args([
                "serve",
                "--port",
                "0",
                "--platform",
                "zoom",
                "--key",
                "k",
                "--secret",
                secret,
            ])
            .env("TB_EMPTY_SECRET", "")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = serve.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(10) {
                let _ = serve.kill();
                let _ = serve.wait();
                panic!("serve --secret {secret:?} is serving");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(status.code(), Some(2), "serve --secret {secret:?}");
    }
}

#[test]
fn the_argv_warning_goes_to_stderr_in_every_output_mode() {
    let secret = "a-secret-typed-on-the-command-line-0123456789";
    let token = run(&["mint", "zoom", "--token-only"]).stdout();
    let modes: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--json"],
        vec!["--token-only"],
        vec!["--strict"],
        vec!["--count", "3"],
        vec!["--count", "3", "--json"],
        vec!["--count", "3", "--token-only"],
    ];
    for mode in &modes {
        for base in [
            vec!["mint", "zoom", "--key", "k", "--secret", secret],
            vec![
                "mint",
                "opentok",
                "--key",
                "123",
                "--secret",
                secret,
                "--legacy-t1",
            ],
        ] {
            let mut args = base;
            args.extend(mode.iter().copied());
            let out = run(&args);
            assert!(matches!(out.code, Some(0 | 1)), "{args:?}: {}", out.stderr);
            assert!(
                out.stderr.contains("secret.argv"),
                "{args:?}: stderr {:?}",
                out.stderr
            );
            assert!(!out.stderr.contains(secret), "the warning holds the secret");
        }
    }
    for mode in [vec![], vec!["--json"], vec!["--token-only"]] {
        let mut args = vec!["mint", "jwt", "--alg", "HS256", "--secret", secret];
        args.extend(mode);
        let out = run(&args);
        assert!(
            out.stderr.contains("secret.argv"),
            "{args:?}: {:?}",
            out.stderr
        );
    }
    for mode in [vec![], vec!["--json"]] {
        let mut args = vec!["inspect", token.trim(), "--secret", secret];
        args.extend(mode);
        let out = run(&args);
        assert!(
            out.stderr.contains("secret.argv"),
            "{args:?}: {:?}",
            out.stderr
        );
    }
    let process = ServeProcess::spawn(&[
        "--port",
        "0",
        "--platform",
        "zoom",
        "--key",
        "k",
        "--secret",
        secret,
    ]);
    let _ = process.address();
    let stderr = process.stderr_so_far();
    assert!(stderr.contains("secret.argv"), "serve: {stderr:?}");
}

#[test]
fn a_bulk_run_stops_soon_after_its_reader_closes() {
    for platform in ["vonage", "zoom", "opentok"] {
        let mut child = tokenbench()
            .args(["mint", platform, "--count", "100000000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert!(first.len() > 20, "{platform}: {first:?}");
        drop(stdout);
        let closed = Instant::now();
        // Generous against a loaded machine: without the stop it runs for minutes.
        let bound = Duration::from_secs(3);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if closed.elapsed() > bound {
                let _ = child.kill();
                panic!("{platform}: still minting {bound:?} after its reader closed");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert!(status.success(), "{platform}: {status} {stderr}");
        assert!(stderr.is_empty(), "a closed reader is no error: {stderr}");
        eprintln!(
            "{platform}: stopped {:?} after its reader closed",
            closed.elapsed()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Where serve differed from the vendors' own code
// ---------------------------------------------------------------------------------------------

fn claims_of(token: &str) -> Value {
    tokenbench::token::inspect(token).unwrap().claims()
}

#[test]
fn zoom_maps_audio_compatible_mode_to_audio_webrtc_mode_as_its_sample_does() {
    let server = start();
    let addr = server.local_addr();
    let signature = |extra: Value| {
        let mut body = json!({"sessionName": "s", "role": 1});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let reply = request(addr, Call::post_json("/zoom", &body));
        assert_eq!(reply.status, 200, "{body}: {:?}", reply.json());
        claims_of(reply.json()["signature"].as_str().unwrap())
    };
    // index.js: audio_webrtc_mode: audioWebRtcMode ?? audioCompatibleMode.
    let claims = signature(json!({"audioCompatibleMode": 1}));
    assert_eq!(claims["audio_webrtc_mode"], 1);
    assert!(claims.get("audio_compatible_mode").is_none(), "{claims}");
    let claims = signature(json!({"audioCompatibleMode": "1", "audioWebRtcMode": 0}));
    assert_eq!(claims["audio_webrtc_mode"], 0);
    let claims = signature(json!({}));
    assert!(claims.get("audio_webrtc_mode").is_none(), "{claims}");
    let reply = request(
        addr,
        Call::post_json(
            "/zoom",
            &json!({"sessionName": "s", "role": 1, "audioCompatibleMode": 2}),
        ),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["errors"][0]["property"], "audioCompatibleMode");
}

/// Relaybox's settings with this client id in the form.
fn relaybox_with_client_id(client_id: &str) -> ServeHandle {
    let mut config = ServeConfig::demo(Clock::system());
    let settings = config.get_mut(Relaybox.id()).unwrap();
    assert!(settings.form.set_by_id(
        settings.platform.fields(),
        "client-id",
        FieldValue::Text(client_id.into())
    ));
    serve::start(config, ServeOptions::local(0)).unwrap()
}

#[test]
fn relaybox_answers_as_generate_token_response_does() {
    // relaybox-rest-js lib/relaybox.ts, generateTokenResponse({clientId, expiresIn, permissions}):
    //   ...(permissions && { permissions }), ...(clientId && clientId != 'null' && { clientId })
    let server = start();
    let addr = server.local_addr();
    let token_of = |call: Call| {
        let reply = request(addr, call);
        assert_eq!(reply.status, 200, "{:?}", reply.json());
        let body = reply.json();
        let expires_in = body["expiresIn"].as_i64().unwrap();
        let expires_at = body["expiresAt"].as_i64().unwrap();
        let claims = claims_of(body["token"].as_str().unwrap());
        // expiresAt = Date.now() + expiresIn * 1000, in milliseconds.
        let iat = claims["iat"].as_i64().unwrap();
        assert!(
            (expires_at - (iat + expires_in) * 1000).abs() < 2000,
            "{body}"
        );
        assert_eq!(claims["exp"].as_i64().unwrap() - iat, expires_in);
        claims
    };
    let anonymous = token_of(Call::get("/relaybox/auth"));
    assert!(anonymous.get("permissions").is_none(), "{anonymous}");
    assert!(anonymous.get("clientId").is_none(), "{anonymous}");
    for call in [
        Call::get("/relaybox/auth?clientId=null"),
        Call::get("/relaybox/auth?clientId="),
        Call::get("/relaybox/auth").header("x-client-id", "null"),
        Call::post_json("/relaybox/auth", &json!({})),
    ] {
        let claims = token_of(call.clone());
        assert!(claims.get("clientId").is_none(), "{call:?}: {claims}");
    }
    let named = token_of(Call::get("/relaybox/auth?clientId=ann"));
    assert_eq!(named["clientId"], "ann");
    let named = token_of(Call::get("/relaybox/auth").header("x-client-id", "bob"));
    assert_eq!(named["clientId"], "bob");
    // No anonymous client gets a made-up identity (tokenbench gave each the same user-1).
    let again = token_of(Call::get("/relaybox/auth"));
    assert_eq!(again.get("clientId"), anonymous.get("clientId"));

    // A client id in the settings (serve --client-id) is what an anonymous request gets.
    let configured = relaybox_with_client_id("from-settings");
    let reply = request(configured.local_addr(), Call::get("/relaybox/auth"));
    assert_eq!(
        claims_of(reply.json()["token"].as_str().unwrap())["clientId"],
        "from-settings"
    );
}

#[test]
fn relaybox_mints_no_permissions_claim_unless_given_in_mint_serve_and_the_workbench() {
    let minted = run(&["mint", "relaybox", "--token-only"]);
    let claims = claims_of(minted.stdout().trim());
    assert!(claims.get("permissions").is_none(), "{claims}");
    let minted = run(&["mint", "relaybox", "--token-only", "--client-id", "null"]);
    assert!(claims_of(minted.stdout().trim()).get("clientId").is_none());
    let minted = run(&[
        "mint",
        "relaybox",
        "--token-only",
        "--permission",
        "chat:*=publish",
    ]);
    assert_eq!(
        claims_of(minted.stdout().trim())["permissions"],
        json!({"chat:*": ["publish"]})
    );
    let process = ServeProcess::spawn(&["--port", "0", "--permission", "room=subscribe"]);
    let reply = request(process.address(), Call::get("/relaybox/auth"));
    assert_eq!(
        claims_of(reply.json()["token"].as_str().unwrap())["permissions"],
        json!({"room": ["subscribe"]})
    );
    // The workbench's form says what an empty list means.
    let field = Relaybox
        .fields()
        .iter()
        .find(|f| f.id == "permissions")
        .unwrap();
    assert!(
        field.empty.contains("the API key's own permissions apply"),
        "{}",
        field.empty
    );
    assert_eq!(
        Relaybox
            .default_form()
            .get(Relaybox.fields(), "permissions"),
        Some(&FieldValue::Rooms(Vec::new()))
    );
}

#[test]
fn serve_now_warns_when_every_token_would_already_be_expired() {
    let past = ServeProcess::spawn(&["--port", "0", "--now", "2001-09-09T01:46:40Z"]);
    let _ = past.address();
    let stderr = past.stderr_so_far();
    assert!(stderr.contains("already expired"), "{stderr}");
    assert!(stderr.contains("relaybox"), "{stderr}");
    let now = DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap();
    let present = ServeProcess::spawn(&["--port", "0", "--now", &now.to_rfc3339()]);
    let _ = present.address();
    assert!(!present.stderr_so_far().contains("expired"));
}

#[test]
fn usage_errors_that_quote_a_hostile_value_print_it_escaped() {
    let value = format!("v{HOSTILE}");
    for args in [
        vec!["mint", "zoom", "--role", value.as_str()],
        vec!["mint", "zoom", "--ttl", value.as_str()],
        vec!["mint", "relaybox", "--exp", value.as_str()],
        vec![
            "mint",
            "jwt",
            "--alg",
            value.as_str(),
            "--secret",
            "env:NONE",
        ],
        vec!["serve", "--cors-origin", value.as_str()],
    ] {
        let out = run(&args);
        assert_eq!(out.code, Some(2), "{args:?}");
        assert_inert(&format!("{args:?} stderr"), out.stderr.as_bytes());
        // Shown escaped (clap drops the escape sequences of a value it quotes, and shows the rest).
        assert!(
            out.stderr.contains("v\\e]0;pwned") || out.stderr.contains("v\\x9b31m"),
            "{args:?}: {}",
            out.stderr
        );
    }
}
