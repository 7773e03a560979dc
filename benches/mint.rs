//! Minting, per platform and format, against the physical limit: raw HMAC-SHA256 over the very
//! same signing input with the key state already prepared.
//!
//!     cargo bench --bench mint
//!
//! The DESIGN.md target "within 1.5× of raw HMAC-SHA256" is `mint/zoom` ÷ `raw_hmac_sha256/zoom`
//! (and, counting everything a bulk run does per token, `bulk_per_token/zoom` ÷ the same).

use std::hint::black_box;

use chrono::DateTime;
use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokenbench::platform::{self, Form, MintContext, Minter, Platform, TokenRng};

/// The pinned clock of every bench (`--now 2026-11-22T10:00:00Z`).
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_341_600, 0).unwrap()
}

/// The forms of a bulk run (`--client-id user-{n}` and friends), one per platform and format.
fn cases() -> Vec<(&'static str, &'static dyn Platform, Form)> {
    let by_id = |id| platform::by_id(id).unwrap();
    let with = |id, change: fn(&mut Form)| {
        let mut form = by_id(id).default_form();
        change(&mut form);
        form
    };
    vec![
        (
            "zoom",
            by_id("zoom"),
            with("zoom", |f| f.client_id = "user-{n}".into()),
        ),
        (
            "opentok-jwt",
            by_id("opentok"),
            with("opentok", |f| f.data = "user-{n}".into()),
        ),
        (
            "opentok-t1",
            by_id("opentok"),
            with("opentok", |f| {
                f.data = "user-{n}".into();
                f.legacy_t1 = true;
            }),
        ),
        (
            "relaybox",
            by_id("relaybox"),
            with("relaybox", |f| f.client_id = "user-{n}".into()),
        ),
        (
            "vonage",
            by_id("vonage"),
            with("vonage", |f| f.data = "user-{n}".into()),
        ),
    ]
}

/// One token through a [`Minter`] whose buffers are warm, as in a bulk run.
fn mint(c: &mut Criterion) {
    let mut group = c.benchmark_group("mint");
    for (name, platform, template) in cases() {
        let credentials = platform.demo_credentials();
        let signer = platform.signer(&credentials).unwrap();
        let form = template.for_index(42);
        let mut minter = Minter::new(platform, &credentials, &signer);
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut rng = TokenRng::new(&form, Some(now()));
                let mut ctx = MintContext {
                    now: now(),
                    rng: &mut rng,
                };
                black_box(minter.mint(black_box(&form), &mut ctx).unwrap().len())
            })
        });
    }
    group.finish();
}

/// One token as the workbench mints it on a keystroke: `Platform::mint`, fresh buffers.
fn mint_once(c: &mut Criterion) {
    let mut group = c.benchmark_group("mint_once");
    for (name, platform, template) in cases() {
        if name == "vonage" {
            continue;
        }
        let credentials = platform.demo_credentials();
        let signer = platform.signer(&credentials).unwrap();
        let form = template.for_index(42);
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut rng = TokenRng::new(&form, Some(now()));
                let mut ctx = MintContext {
                    now: now(),
                    rng: &mut rng,
                };
                black_box(
                    platform
                        .mint(black_box(&form), &credentials, &signer, &mut ctx)
                        .unwrap(),
                )
            })
        });
    }
    group.finish();
}

/// Everything `mint --count N --token-only` does per token: the form of token n, its random
/// source, the token, and the line written to a buffer.
fn bulk_per_token(c: &mut Criterion) {
    let mut group = c.benchmark_group("bulk_per_token");
    for (name, platform, template) in cases() {
        if name == "vonage" {
            continue;
        }
        let credentials = platform.demo_credentials();
        let signer = platform.signer(&credentials).unwrap();
        let mut minter = Minter::new(platform, &credentials, &signer);
        let mut form = Form::default();
        let mut out: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut n = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                n += 1;
                template.index_into(n, &mut form);
                let mut rng = TokenRng::new(&form, Some(now()));
                let mut ctx = MintContext {
                    now: now(),
                    rng: &mut rng,
                };
                let token = minter.mint(&form, &mut ctx).unwrap();
                if out.len() > (1 << 20) - 1024 {
                    out.clear();
                }
                out.extend_from_slice(token.as_bytes());
                out.push(b'\n');
            })
        });
    }
    group.finish();
}

/// The floor: HMAC-SHA256 of the signing input a mint signs, the prepared key state cloned per
/// token exactly as a minter must.
fn raw_hmac_sha256(c: &mut Criterion) {
    let mut group = c.benchmark_group("raw_hmac_sha256");
    for (name, platform, template) in cases() {
        if name == "vonage" || name == "opentok-t1" {
            continue;
        }
        let credentials = platform.demo_credentials();
        let signer = platform.signer(&credentials).unwrap();
        let form = template.for_index(42);
        let mut rng = TokenRng::new(&form, Some(now()));
        let token = platform
            .mint(
                &form,
                &credentials,
                &signer,
                &mut MintContext {
                    now: now(),
                    rng: &mut rng,
                },
            )
            .unwrap();
        let signing_input = token.rsplit_once('.').unwrap().0.as_bytes().to_vec();
        let prepared = <Hmac<Sha256> as Mac>::new_from_slice(credentials.secret.expose()).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut mac = prepared.clone();
                mac.update(black_box(&signing_input));
                black_box(mac.finalize().into_bytes())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, mint, mint_once, bulk_per_token, raw_hmac_sha256);
criterion_main!(benches);
