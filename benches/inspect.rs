//! Reading tokens: decode, the platform rules, and the whole `inspect` report (detect the
//! platform, find the key, verify, run every rule), per platform and format.
//!
//!     cargo bench --bench inspect
//!
//! Times are CPU time of the benchmark thread (see support/cpu_time.rs).

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use tokenbench::platform::{self, FieldValue, Platform, Prepared};
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
    let mint = |name, id, changes: &[(&str, FieldValue)]| {
        let platform = platform::by_id(id).unwrap();
        let mut form = platform.default_form();
        for (field, value) in changes {
            assert!(form.set_by_id(platform.fields(), field, value.clone()));
        }
        let prepared = Prepared::new(platform, platform.demo_credentials()).unwrap();
        let token = prepared.mint_at(&form, now(), true).unwrap();
        (name, platform, token)
    };
    let user = || FieldValue::Text("user-1".into());
    vec![
        mint("zoom", "zoom", &[("client-id", user())]),
        mint("vonage", "vonage", &[("data", user())]),
        mint("opentok-jwt", "opentok", &[("data", user())]),
        mint(
            "opentok-t1",
            "opentok",
            &[("data", user()), ("format", FieldValue::Switch(true))],
        ),
        mint("relaybox", "relaybox", &[("client-id", user())]),
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
