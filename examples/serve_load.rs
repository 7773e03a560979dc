//! Load run of the local auth endpoint: N requests over C keep-alive connections per route, then
//! throughput and latency percentiles. Figures go in BENCHMARKS.md ("serve").
//!
//!   cargo run --release --example serve_load [-- REQUESTS CONNECTIONS]    (default 20000 50)
//!
//! The endpoint runs in this process on its own runtime (2 worker threads, as `tokenbench serve`),
//! the client on another (2 threads), over loopback TCP. Exits 1 if any request failed.

#[path = "../tests/support/http.rs"]
mod http;

use http::Call;
use serde_json::json;
use tokenbench::clock::Clock;
use tokenbench::serve::{self, ServeConfig, ServeOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut number = |default: usize| {
        args.next()
            .map(|a| a.parse().expect("REQUESTS and CONNECTIONS are numbers"))
            .unwrap_or(default)
    };
    let (requests, connections) = (number(20_000), number(50));

    let server = serve::start(ServeConfig::demo(Clock::system()), ServeOptions::local(0))
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = server.local_addr();
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a client runtime");

    type CallFor = fn(usize) -> Call;
    let routes: [(&str, CallFor); 4] = [
        ("POST /zoom (HS256)", |n| {
            Call::post_json(
                "/zoom",
                &json!({"sessionName": format!("room-{n}"), "role": n % 2, "userIdentity": format!("user-{n}")}),
            )
        }),
        ("GET /relaybox/auth (HS256)", |n| {
            Call::get(&format!("/relaybox/auth?clientId=user-{n}"))
        }),
        ("POST /opentok/token (HS256)", |_| {
            Call::post_json("/opentok/token", &json!({"role": "subscriber"}))
        }),
        ("POST /vonage/token (RS256)", |n| {
            Call::post_json(
                "/vonage/token",
                &json!({"role": "publisher", "data": format!("user-{n}")}),
            )
        }),
    ];
    println!("{requests} requests over {connections} connections per route, endpoint {addr}");
    println!(
        "{:<30} {:>10} {:>9} {:>9} {:>9} {:>7}",
        "route", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    let mut failed = 0;
    for (name, call_for) in routes {
        let report = client.block_on(http::load(addr, connections, requests, call_for));
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{:<30} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>7}",
            name,
            report.throughput(),
            ms(report.percentile(0.50)),
            ms(report.percentile(0.99)),
            ms(report.percentile(1.0)),
            report.failed
        );
        for failure in &report.first_failures {
            println!("  {failure}");
        }
        failed += report.failed;
        server.drain_requests();
    }
    server.stop();
    if failed > 0 {
        std::process::exit(1);
    }
}
