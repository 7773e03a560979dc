//! A small HTTP/1.1 client on hyper, for the serve tests and the load example
//! (`examples/serve_load.rs`): real requests over loopback TCP, keep-alive per connection.

// Each includer uses a different part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{HeaderMap, Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// One request to make.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: Method,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Call {
    pub fn get(path: &str) -> Self {
        Call {
            method: Method::GET,
            path: path.to_string(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn post_json(path: &str, body: &Value) -> Self {
        Call::post_raw(path, body.to_string().into_bytes())
            .header("content-type", "application/json")
    }

    pub fn post_raw(path: &str, body: Vec<u8>) -> Self {
        Call {
            method: Method::POST,
            path: path.to_string(),
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "the {} answer is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One keep-alive connection; requests go one after another.
pub struct Connection {
    addr: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    /// Connects; must run inside a tokio runtime, which drives the connection.
    pub async fn open(addr: SocketAddr) -> Result<Connection, String> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        stream
            .set_nodelay(true)
            .map_err(|e| format!("cannot set TCP_NODELAY: {e}"))?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP handshake with {addr} failed: {e}"))?;
        tokio::spawn(connection);
        Ok(Connection { addr, sender })
    }

    pub async fn send(&mut self, call: &Call) -> Result<Reply, String> {
        let mut request = Request::builder()
            .method(call.method.clone())
            .uri(&call.path)
            .header("host", self.addr.to_string());
        for (name, value) in &call.headers {
            request = request.header(name, value);
        }
        let body = Full::new(Bytes::from(call.body.clone().unwrap_or_default()));
        let request = request
            .body(body)
            .map_err(|e| format!("bad request {call:?}: {e}"))?;
        self.sender
            .ready()
            .await
            .map_err(|e| format!("connection closed: {e}"))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| format!("{} {} failed: {e}", call.method, call.path))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the answer to {} failed: {e}", call.path))?
            .to_bytes()
            .to_vec();
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// Makes one request on a fresh connection, from synchronous code.
pub fn request(addr: SocketAddr, call: Call) -> Reply {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime for the test client");
    runtime
        .block_on(async {
            let mut connection = Connection::open(addr).await?;
            connection.send(&call).await
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The outcome of a load run.
pub struct LoadReport {
    pub requests: usize,
    /// Requests that failed or answered anything but 200, with the first few reasons.
    pub failed: usize,
    pub first_failures: Vec<String>,
    pub elapsed: Duration,
    /// Per-request latencies, sorted.
    pub latencies: Vec<Duration>,
}

impl LoadReport {
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency under which `fraction` of requests finished (0.99 for p99).
    pub fn percentile(&self, fraction: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((self.latencies.len() as f64) * fraction).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }
}

/// Sends `total` requests over `connections` keep-alive connections at once; request `n` is
/// `call_for(n)`. Must run inside a multi-thread tokio runtime.
pub async fn load(
    addr: SocketAddr,
    connections: usize,
    total: usize,
    call_for: impl Fn(usize) -> Call + Send + Sync + 'static,
) -> LoadReport {
    let call_for = Arc::new(call_for);
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..connections {
        let call_for = Arc::clone(&call_for);
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = Vec::new();
            let mut connection = match Connection::open(addr).await {
                Ok(connection) => connection,
                Err(e) => return (latencies, vec![e]),
            };
            for n in (worker..total).step_by(connections) {
                let call = call_for(n);
                let sent = Instant::now();
                match connection.send(&call).await {
                    Ok(reply) if reply.status == 200 => latencies.push(sent.elapsed()),
                    Ok(reply) => failures.push(format!(
                        "{} {} answered {}: {}",
                        call.method,
                        call.path,
                        reply.status,
                        String::from_utf8_lossy(&reply.body)
                    )),
                    Err(e) => failures.push(e),
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut failures = Vec::new();
    for worker in workers {
        let (worker_latencies, worker_failures) = worker.await.expect("a load worker panicked");
        latencies.extend(worker_latencies);
        failures.extend(worker_failures);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    LoadReport {
        requests: total,
        failed: total - latencies.len(),
        first_failures: failures.into_iter().take(5).collect(),
        elapsed,
        latencies,
    }
}
