//! Reading tokens: decode, the platform rules, and the whole `inspect` report (detect the
//! platform, find the key, verify, run every rule), per platform and format.
//!
//!     cargo bench --bench inspect
//!
//! Times are CPU time of the benchmark thread (see support/cpu_time.rs).

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use tokenbench::platform::{self, Form, MintContext, Platform, TokenRng};
use tokenbench::report::{self, KeyChoice};
use tokenbench::token;

#[path = "support/cpu_time.rs"]
mod cpu_time;
use cpu_time::CpuTime;

type Bench = Criterion<CpuTime>;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_341_600, 0).unwrap()
}

/// A demo-credential token of each platform and format, as `mint P --now …` prints it.
fn tokens() -> Vec<(&'static str, &'static dyn Platform, String)> {
    let mint = |name, id, change: fn(&mut Form)| {
        let platform = platform::by_id(id).unwrap();
        let mut form = platform.default_form();
        change(&mut form);
        let credentials = platform.demo_credentials();
        let signer = platform.signer(&credentials).unwrap();
        let mut rng = TokenRng::Pinned {
            form: &form,
            now: now(),
            rng: None,
        };
        let mut ctx = MintContext {
            now: now(),
            rng: &mut rng,
        };
        let token = platform
            .mint(&form, &credentials, &signer, &mut ctx)
            .unwrap();
        (name, platform, token)
    };
    vec![
        mint("zoom", "zoom", |f| f.client_id = "user-1".into()),
        mint("vonage", "vonage", |f| f.data = "user-1".into()),
        mint("opentok-jwt", "opentok", |f| f.data = "user-1".into()),
        mint("opentok-t1", "opentok", |f| {
            f.data = "user-1".into();
            f.legacy_t1 = true;
        }),
        mint("relaybox", "relaybox", |f| f.client_id = "user-1".into()),
    ]
}

fn decode(c: &mut Bench) {
    let mut group = c.benchmark_group("decode");
    for (name, _, token) in tokens() {
        group.bench_function(name, |b| {
            b.iter(|| black_box(token::inspect(black_box(&token)).unwrap()))
        });
    }
    group.finish();
}

fn rules(c: &mut Bench) {
    let mut group = c.benchmark_group("rules");
    for (name, platform, token) in tokens() {
        let decoded = token::inspect(&token).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| black_box(platform.rules(black_box(&decoded), now())))
        });
    }
    group.finish();
}

/// `tokenbench inspect TOKEN --now …` without the printing: the demo key is found by the
/// key id the token names, as it is for a user without a secret at hand.
fn inspect(c: &mut Bench) {
    let mut group = c.benchmark_group("inspect");
    let no_env = |_: &str| None;
    for (name, _, token) in tokens() {
        group.bench_function(name, |b| {
            b.iter(|| {
                let report = report::inspect(
                    black_box(&token),
                    None,
                    KeyChoice::Find { env: &no_env },
                    now(),
                )
                .unwrap();
                assert_eq!(report.signature, token::Signature::Valid);
                black_box(report)
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = decode, rules, inspect
}
criterion_main!(benches);
