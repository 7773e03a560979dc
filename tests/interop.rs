//! Interop tests: the vendors' own npm packages verify what tokenbench mints, and tokenbench
//! verifies what they mint.
//!
//! The Node side lives in `tests/interop/` (scripts + a committed package-lock.json). Its
//! packages are installed by `scripts/test` (`npm ci` in tests/interop). These tests never skip:
//! without `node` or without `tests/interop/node_modules` they fail and say what to run.
//!
//! Everything runs offline: the vendor SDKs only sign and verify locally.

#[path = "support/node.rs"]
mod node;
#[path = "support/python.rs"]
mod python;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use python::python;
use serde_json::Value;

/// 2026-11-22T10:00:00Z, the `--now` used for deterministic Zoom tokens.
const NOW_RFC3339: &str = "2026-11-22T10:00:00Z";
const NOW_UNIX: i64 = 1_795_341_600;

/// Packages the scripts in tests/interop require.
const NODE_PACKAGES: &[&str] = &[
    "jsrsasign",
    "jsonwebtoken",
    "@vonage/jwt",
    "@vonage/video",
    "opentok",
    "jose",
    "twilio",
    "ably",
];

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn interop_dir() -> PathBuf {
    repo_root().join("tests").join("interop")
}

/// Fails the test, with the fix, when Node.js or the interop packages are missing.
fn require_node_and_packages() {
    match StdCommand::new("node").arg("--version").output() {
        Err(e) => panic!(
            "the interop tests need Node.js, but `node` could not be run ({e}). \
             Install Node.js (>= 20.19) and run `scripts/test`, which also installs the \
             vendor packages with `npm ci` in tests/interop."
        ),
        Ok(out) if !out.status.success() => panic!(
            "`node --version` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        Ok(_) => {}
    }
    let modules = interop_dir().join("node_modules");
    for package in NODE_PACKAGES {
        let manifest = modules.join(package).join("package.json");
        assert!(
            manifest.is_file(),
            "the interop tests need the vendor npm packages, but {} is missing. \
             Run `npm ci --no-audit --no-fund` in tests/interop (scripts/test does it).",
            manifest.display()
        );
    }
}

/// Runs `node tests/interop/<script> <args…>` and parses its one JSON object.
/// Any failure of the script itself fails the test with its stderr.
fn node(script: &str, args: &[&str]) -> Value {
    require_node_and_packages();
    node::node(script, args)
}

/// The tokenbench binary, with credential environment variables cleared.
fn tokenbench() -> Command {
    let mut cmd = Command::cargo_bin("tokenbench").expect("the tokenbench binary is built");
    for name in tokenbench::platform::credential_env_vars() {
        cmd.env_remove(name);
    }
    cmd
}

/// Runs tokenbench and returns its exit code and the JSON object on stdout.
fn run_json(cmd: &mut Command) -> (i32, Value) {
    let out = cmd.output().expect("tokenbench runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("tokenbench was killed by a signal.\nstderr: {stderr}"));
    let json = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("tokenbench did not print one JSON object ({e}); exit {code}.\nstdout: {stdout}\nstderr: {stderr}")
    });
    (code, json)
}

fn str_field<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("expected a string at {pointer} in {v:#}"))
}

fn int_field(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer)
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("expected an integer at {pointer} in {v:#}"))
}

/// A claim compared as text: T1 claims come from a URL-encoded string, so a number may be
/// reported either as a JSON number or as a string.
fn claim_text(v: &Value, name: &str) -> String {
    match v.pointer(&format!("/claims/{name}")) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        other => panic!("expected claim {name} as a string or number, got {other:?} in {v:#}"),
    }
}

fn has_finding(v: &Value, rule: &str) -> bool {
    v["findings"]
        .as_array()
        .is_some_and(|fs| fs.iter().any(|f| f["rule"] == rule))
}

fn is_true(v: &Value, field: &str) -> bool {
    v[field] == Value::Bool(true)
}

/// An OpenTok-style session id that "belongs to" `api_key`, as opentok-node checks it:
/// "1_" + base64url-without-padding of "1~<apiKey>~~<ms>~<random>~".
fn session_id_for(api_key: &str) -> String {
    let raw = format!("1~{api_key}~~{}000~tokenbench-interop~", NOW_UNIX);
    format!("1_{}", URL_SAFE_NO_PAD.encode(raw))
}

/// The demo Zoom credentials shipped in the repository.
fn zoom_demo_credentials() -> (String, String) {
    let path = repo_root().join("assets").join("demo").join("zoom.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); it should hold the demo credentials as {{\"key\": \"…\", \"secret\": \"…\"}}",
            path.display()
        )
    });
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    (
        str_field(&v, "/key").to_owned(),
        str_field(&v, "/secret").to_owned(),
    )
}

/// Checks a Zoom token's claims and has jsrsasign and jsonwebtoken verify it at NOW_UNIX.
fn assert_zoom_token_verifies(minted: &Value, key: &str, secret: &str) {
    assert_eq!(minted["platform"], "zoom", "{minted:#}");
    assert_eq!(minted["format"], "jwt", "{minted:#}");
    assert_eq!(minted["header"]["alg"], "HS256", "{minted:#}");
    assert_eq!(minted["signature"], "valid", "{minted:#}");
    assert_eq!(str_field(minted, "/claims/app_key"), key);
    assert_eq!(minted["claims"]["role_type"], 1, "{minted:#}");
    assert_eq!(minted["claims"]["tpc"], "teammeeting", "{minted:#}");
    assert_eq!(minted["claims"]["version"], 1, "{minted:#}");
    let iat = int_field(minted, "/claims/iat");
    let exp = int_field(minted, "/claims/exp");
    assert_eq!(
        exp - iat,
        7200,
        "Zoom's default lifetime is 2 h: {minted:#}"
    );

    let token = str_field(minted, "/token");
    let verdict = node(
        "zoom_verify.js",
        &[token, secret, "--now", &NOW_UNIX.to_string()],
    );
    assert!(
        is_true(&verdict, "jsrsasign"),
        "jsrsasign (secret as UTF-8) rejects tokenbench's Zoom token: {verdict:#}"
    );
    assert!(
        is_true(&verdict, "jsonwebtoken"),
        "jsonwebtoken rejects tokenbench's Zoom token: {verdict:#}"
    );
    assert!(
        is_true(&verdict, "jsrsasign_sample_style"),
        "jsrsasign, given the secret as a bare string the way Zoom's auth-endpoint sample does, \
         rejects the token (a secret made only of an even number of hex digits is read as hex \
         by jsrsasign): {verdict:#}"
    );
    assert_eq!(verdict["claims"], minted["claims"], "{verdict:#}");
}

// ---------------------------------------------------------------------------------------------
// Zoom: jsrsasign (what Zoom's samples sign with) and jsonwebtoken verify tokenbench's tokens
// ---------------------------------------------------------------------------------------------

#[test]
fn zoom_demo_token_verifies_with_jsrsasign_and_jsonwebtoken() {
    require_node_and_packages();
    let (key, secret) = zoom_demo_credentials();
    let (code, minted) = run_json(tokenbench().args([
        "mint",
        "zoom",
        "--topic",
        "teammeeting",
        "--role",
        "host",
        "--now",
        NOW_RFC3339,
        "--json",
    ]));
    assert_eq!(code, 0, "{minted:#}");
    assert!(
        has_finding(&minted, "demo-credentials"),
        "minting on demo credentials adds the demo-credentials finding: {minted:#}"
    );
    assert_zoom_token_verifies(&minted, &key, &secret);
}

const ZOOM_TEST_KEY: &str = "tbInteropSdkKey0001";
/// Not hex, 40 bytes (no weak-secret warning), not a real secret.
const ZOOM_TEST_SECRET: &str = "tokenbench-interop-zoom-secret-Xy7Qp2Lm9";

#[test]
fn zoom_token_with_explicit_key_and_env_secret_verifies() {
    require_node_and_packages();
    let (code, minted) = run_json(
        tokenbench()
            .env("ZOOM_TEST_SECRET", ZOOM_TEST_SECRET)
            .args([
                "mint",
                "zoom",
                "--key",
                ZOOM_TEST_KEY,
                "--secret",
                "env:ZOOM_TEST_SECRET",
                "--topic",
                "teammeeting",
                "--role",
                "host",
                "--now",
                NOW_RFC3339,
                "--json",
            ]),
    );
    assert_eq!(code, 0, "{minted:#}");
    assert!(
        !has_finding(&minted, "secret.argv"),
        "a secret read from the environment is not on argv: {minted:#}"
    );
    assert!(
        !has_finding(&minted, "demo-credentials"),
        "explicit credentials are not the demo ones: {minted:#}"
    );
    assert_zoom_token_verifies(&minted, ZOOM_TEST_KEY, ZOOM_TEST_SECRET);
}

#[test]
fn zoom_token_signed_like_zoom_sample_is_verified_by_inspect() {
    let signed = node(
        "zoom_sign.js",
        &[
            ZOOM_TEST_KEY,
            ZOOM_TEST_SECRET,
            "teammeeting",
            "1",
            &NOW_UNIX.to_string(),
        ],
    );
    let token = str_field(&signed, "/token");

    let (code, inspected) = run_json(tokenbench().env("ZOOM_TEST_SECRET", ZOOM_TEST_SECRET).args(
        [
            "inspect",
            token,
            "--secret",
            "env:ZOOM_TEST_SECRET",
            "--now",
            "2026-11-22T10:01:00Z",
            "--json",
        ],
    ));
    assert_eq!(inspected["format"], "jwt", "{inspected:#}");
    assert_eq!(inspected["platform"], "zoom", "{inspected:#}");
    assert_eq!(inspected["signature"], "valid", "{inspected:#}");
    assert_eq!(inspected["claims"], signed["claims"], "{inspected:#}");
    assert_eq!(
        code, 0,
        "a fresh, well-formed Zoom token has no error finding: {inspected:#}"
    );
}

// ---------------------------------------------------------------------------------------------
// Vonage: @vonage/jwt verifies tokenbench's RS256 token; claims match @vonage/video's
// ---------------------------------------------------------------------------------------------

const VONAGE_APP_ID: &str = "6b1f3a52-8c4d-4e7a-9f0b-2d3c4e5f6a7b";

#[test]
fn vonage_token_verifies_with_vonage_jwt_and_matches_vonage_video_claims() {
    require_node_and_packages();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let pem = dir.path().join("application.key");
    let pem_text = pem.to_str().expect("a UTF-8 temp path");
    node("rsa_keygen.js", &[pem_text]);
    let session_id = session_id_for(VONAGE_APP_ID);

    // No --now: @vonage/jwt's verifySignature checks exp against the real clock.
    let (code, minted) = run_json(tokenbench().args([
        "mint",
        "vonage",
        "--key",
        VONAGE_APP_ID,
        "--secret",
        &format!("@{pem_text}"),
        "--topic",
        &session_id,
        "--role",
        "moderator",
        "--data",
        "name=bob",
        "--json",
    ]));
    assert_eq!(code, 0, "{minted:#}");
    assert_eq!(minted["platform"], "vonage", "{minted:#}");
    assert_eq!(minted["format"], "jwt", "{minted:#}");
    assert_eq!(minted["header"]["alg"], "RS256", "{minted:#}");
    let token = str_field(&minted, "/token");

    let verdict = node("vonage_verify.js", &[token, pem_text]);
    assert!(
        is_true(&verdict, "verifySignature"),
        "@vonage/jwt verifySignature rejects tokenbench's Vonage token: {verdict:#}"
    );
    assert!(
        is_true(&verdict, "verifySignature_public_key"),
        "@vonage/jwt verifySignature with the public key rejects it: {verdict:#}"
    );

    let reference = node(
        "vonage_claims.js",
        &[
            "--app-id",
            VONAGE_APP_ID,
            "--session-id",
            &session_id,
            "--role",
            "moderator",
            "--data",
            "name=bob",
        ],
    );
    assert!(is_true(&reference, "self_verified"), "{reference:#}");

    let mut ours: Vec<&str> = minted["claims"]
        .as_object()
        .unwrap_or_else(|| panic!("claims is an object: {minted:#}"))
        .keys()
        .map(String::as_str)
        .collect();
    ours.sort_unstable();
    let theirs: Vec<&str> = reference["claim_names"]
        .as_array()
        .expect("claim_names is an array")
        .iter()
        .map(|n| n.as_str().expect("claim names are strings"))
        .collect();
    assert_eq!(
        ours, theirs,
        "claim names differ from @vonage/video generateClientToken's"
    );

    let mut our_header: Vec<&String> = minted["header"]
        .as_object()
        .expect("header is an object")
        .keys()
        .collect();
    let mut their_header: Vec<&String> = reference["header"]
        .as_object()
        .expect("header is an object")
        .keys()
        .collect();
    our_header.sort_unstable();
    their_header.sort_unstable();
    assert_eq!(
        our_header, their_header,
        "header fields differ from @vonage/jwt's"
    );

    // Same inputs, same values: everything but the per-token jti and the clock-dependent times.
    for (name, value) in reference["claims"].as_object().expect("claims object") {
        if matches!(name.as_str(), "jti" | "iat" | "exp") {
            continue;
        }
        assert_eq!(
            &minted["claims"][name], value,
            "claim {name} differs from @vonage/video's"
        );
    }
    // @vonage/video computes exp from Math.round(now) while @vonage/jwt takes iat as
    // floor(now), so the vendor's own exp − iat is 86400 or 86401 s: allow that one second.
    let ours = int_field(&minted, "/claims/exp") - int_field(&minted, "/claims/iat");
    let theirs = int_field(&reference, "/claims/exp") - int_field(&reference, "/claims/iat");
    assert!(
        (ours - theirs).abs() <= 1,
        "default lifetime {ours} s differs from @vonage/video's {theirs} s (24 h): {minted:#}"
    );
}

// ---------------------------------------------------------------------------------------------
// OpenTok legacy T1: tokenbench verifies what the opentok package mints
// ---------------------------------------------------------------------------------------------

const OT_API_KEY: &str = "47110815";
const OT_API_SECRET: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";

fn opentok_t1_token() -> (String, String) {
    let session_id = session_id_for(OT_API_KEY);
    let minted = node("opentok_t1.js", &[OT_API_KEY, OT_API_SECRET, &session_id]);
    assert!(
        is_true(&minted, "self_check"),
        "the opentok package's T1 does not verify with plain HMAC-SHA1: {minted:#}"
    );
    let token = str_field(&minted, "/token").to_owned();
    assert!(token.starts_with("T1=="), "{minted:#}");
    (token, session_id)
}

fn inspect_with_ot_secret(token: &str) -> (i32, Value) {
    run_json(tokenbench().env("OT_SECRET", OT_API_SECRET).args([
        "inspect",
        token,
        "--secret",
        "env:OT_SECRET",
        "--json",
    ]))
}

#[test]
fn opentok_t1_from_sdk_is_verified_by_inspect() {
    let (token, session_id) = opentok_t1_token();
    let (code, inspected) = inspect_with_ot_secret(&token);
    assert_eq!(inspected["format"], "opentok-t1", "{inspected:#}");
    assert_eq!(inspected["platform"], "opentok", "{inspected:#}");
    assert_eq!(inspected["signature"], "valid", "{inspected:#}");
    assert!(
        inspected["header"].is_null(),
        "T1 has no header: {inspected:#}"
    );
    assert_eq!(claim_text(&inspected, "session_id"), session_id);
    assert_eq!(claim_text(&inspected, "role"), "publisher");
    assert_eq!(claim_text(&inspected, "connection_data"), "name=Alice");
    assert_eq!(claim_text(&inspected, "partner_id"), OT_API_KEY);
    assert_eq!(claim_text(&inspected, "scope"), "session.connect");
    assert_eq!(
        code, 0,
        "a fresh T1 token has no error finding: {inspected:#}"
    );
}

/// Changes one character of the connection data inside the signed data string.
fn tamper_t1(token: &str) -> String {
    let body = token.strip_prefix("T1==").expect("a T1 token");
    let inner = String::from_utf8(STANDARD.decode(body).expect("T1 body is base64"))
        .expect("T1 body is UTF-8");
    let (head, data) = inner
        .split_once(':')
        .expect("T1 body has partner_id/sig:data");
    assert!(
        data.contains("name%3DAlice"),
        "unexpected data string: {data}"
    );
    let tampered = format!(
        "{head}:{}",
        data.replacen("name%3DAlice", "name%3DAlicf", 1)
    );
    format!("T1=={}", STANDARD.encode(tampered))
}

#[test]
fn opentok_t1_with_one_changed_byte_is_invalid() {
    let (token, _) = opentok_t1_token();
    let tampered = tamper_t1(&token);
    assert_ne!(tampered, token);
    let (code, inspected) = inspect_with_ot_secret(&tampered);
    assert_eq!(inspected["format"], "opentok-t1", "{inspected:#}");
    assert_eq!(inspected["signature"], "invalid", "{inspected:#}");
    assert_eq!(
        claim_text(&inspected, "connection_data"),
        "name=Alicf",
        "a token with a bad signature is still decoded: {inspected:#}"
    );
    assert_eq!(
        code, 1,
        "inspect exits 1 when a decoded token has an error finding: {inspected:#}"
    );
}

#[test]
fn opentok_t1_without_secret_is_unverified_not_invalid() {
    let (token, _) = opentok_t1_token();
    let (code, inspected) = run_json(tokenbench().args(["inspect", &token, "--json"]));
    assert_eq!(inspected["format"], "opentok-t1", "{inspected:#}");
    assert_eq!(
        inspected["signature"], "unverified",
        "no key: never reported as invalid: {inspected:#}"
    );
    assert!(
        !has_finding(&inspected, "jwt.signature-invalid"),
        "{inspected:#}"
    );
    assert_ne!(code, 2, "a T1 token is a token: {inspected:#}");
}

// ---------------------------------------------------------------------------------------------
// Any JWT: npm jose (and PyJWT for RS/PS/ES) against tokenbench, every algorithm, every key
// format; keys are made at test time by jose_keys.js in a temporary folder.
// ---------------------------------------------------------------------------------------------

/// Throwaway keys of every family in every format (jose_keys.js), in a folder of their own.
struct JoseKeys {
    dir: tempfile::TempDir,
    listing: Value,
}

impl JoseKeys {
    fn new() -> JoseKeys {
        let dir = tempfile::tempdir().unwrap();
        let listing = node("jose_keys.js", &[dir.path().to_str().unwrap()]);
        assert!(
            Path::new(&String::from(str_field(&listing, "/files/jwks"))).is_file(),
            "{listing:#}"
        );
        JoseKeys { dir, listing }
    }

    /// The path of key file `name` (a name jose_keys.js prints, e.g. rsa_spki_public_pem).
    fn file(&self, name: &str) -> String {
        let path = str_field(&self.listing, &format!("/files/{name}")).to_string();
        assert!(path.starts_with(self.dir.path().to_str().unwrap()));
        path
    }

    fn bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.file(name)).unwrap()
    }
}

/// jose_sign.js's token, failing with its error when jose refused.
fn jose_token(alg: &str, key_file: &str, extra: &[&str]) -> String {
    let now = NOW_UNIX.to_string();
    let mut args = vec![alg, key_file, "--now", now.as_str()];
    args.extend(extra);
    let signed = node("jose_sign.js", &args);
    signed["token"]
        .as_str()
        .unwrap_or_else(|| panic!("jose did not sign {alg} with {key_file}: {signed:#}"))
        .to_string()
}

/// tokenbench's report on `token` checked with the key file's bytes, in process.
fn check_with(token: &str, key: &[u8]) -> tokenbench::report::Report {
    let now = chrono::DateTime::from_timestamp(NOW_UNIX, 0).unwrap();
    let secret = tokenbench::secret::Secret::new(key.to_vec());
    tokenbench::report::inspect(
        token,
        None,
        tokenbench::report::KeyChoice::Given(&secret),
        now,
    )
    .unwrap()
}

/// (alg, the private key files jose signs with, the files tokenbench verifies with).
fn jose_matrix() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let rsa_sign = vec![
        "rsa_pkcs8_private_pem",
        "rsa_pkcs1_private_pem",
        "rsa_private_jwk",
    ];
    let rsa_verify = vec![
        "rsa_spki_public_pem",
        "rsa_pkcs1_public_pem",
        "rsa_cert_pem",
        "rsa_public_jwk",
        "rsa_private_jwk",
        "rsa_pkcs8_private_pem",
        "rsa_pkcs1_private_pem",
        "jwks_no_alg",
    ];
    let mut matrix = Vec::new();
    for alg in ["HS256", "HS384", "HS512"] {
        matrix.push((
            alg,
            vec!["hmac_secret", "hmac_secret_jwk"],
            vec!["hmac_secret", "hmac_secret_jwk"],
        ));
    }
    for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
        let mut verify = rsa_verify.clone();
        if alg == "RS256" {
            verify.push("jwks");
        }
        matrix.push((alg, rsa_sign.clone(), verify));
    }
    matrix.push((
        "ES256",
        vec![
            "ec_p256_pkcs8_private_pem",
            "ec_p256_sec1_private_pem",
            "ec_p256_private_jwk",
        ],
        vec![
            "ec_p256_spki_public_pem",
            "ec_p256_cert_pem",
            "ec_p256_public_jwk",
            "ec_p256_private_jwk",
            "ec_p256_pkcs8_private_pem",
            "ec_p256_sec1_private_pem",
            "jwks",
            "jwks_no_alg",
        ],
    ));
    for (alg, curve) in [("ES384", "ec_p384"), ("ES512", "ec_p521")] {
        let files = |suffixes: &[&str]| -> Vec<&'static str> {
            suffixes
                .iter()
                .map(|s| &*Box::leak(format!("{curve}_{s}").into_boxed_str()))
                .collect()
        };
        matrix.push((
            alg,
            files(&["pkcs8_private_pem", "sec1_private_pem", "private_jwk"]),
            files(&[
                "spki_public_pem",
                "public_jwk",
                "private_jwk",
                "pkcs8_private_pem",
                "sec1_private_pem",
            ]),
        ));
    }
    let ed_verify = vec![
        "ed25519_spki_public_pem",
        "ed25519_cert_pem",
        "ed25519_public_jwk",
        "ed25519_private_jwk",
        "ed25519_pkcs8_private_pem",
    ];
    let mut eddsa_verify = ed_verify.clone();
    eddsa_verify.extend(["jwks", "jwks_no_alg"]);
    matrix.push((
        "EdDSA",
        vec!["ed25519_pkcs8_private_pem", "ed25519_private_jwk"],
        eddsa_verify,
    ));
    matrix.push(("Ed25519", vec!["ed25519_pkcs8_private_pem"], ed_verify));
    matrix
}

/// The kid a key file's family has in jose_keys.js's JWKS.
fn kid_of(file: &str) -> Option<&'static str> {
    [
        ("rsa_", "rsa-a"),
        ("ec_p256", "ec-p256"),
        ("ec_p384", "ec-p384"),
        ("ec_p521", "ec-p521"),
        ("ed25519", "ed25519"),
        ("hmac", "hs-1"),
    ]
    .into_iter()
    .find(|(prefix, _)| file.starts_with(prefix))
    .map(|(_, kid)| kid)
}

#[test]
fn jose_tokens_of_every_algorithm_and_key_format_verify_in_tokenbench() {
    let keys = JoseKeys::new();
    let mut checked = 0;
    for (alg, signing_files, verifying_files) in jose_matrix() {
        for signing in &signing_files {
            let kid = kid_of(signing).unwrap();
            let token = jose_token(alg, &keys.file(signing), &["--kid", kid]);
            for verifying in &verifying_files {
                let report = check_with(&token, &keys.bytes(verifying));
                assert_eq!(
                    report.signature,
                    tokenbench::token::Signature::Valid,
                    "{alg} signed by jose with {signing}, checked with {verifying}: {:#?}",
                    report.findings
                );
                assert!(
                    !report.has_errors(),
                    "{alg} {signing} {verifying}: {:#?}",
                    report.findings
                );
                checked += 1;
            }
            // And the other way round: changed after signing, it fails.
            let mut tampered = token.clone();
            tampered.pop();
            tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
            let report = check_with(&tampered, &keys.bytes(verifying_files[0]));
            assert_ne!(
                report.signature,
                tokenbench::token::Signature::Valid,
                "{alg}: a changed signature does not verify"
            );
        }
    }
    assert!(checked > 150, "{checked} combinations checked");
}

#[test]
fn tokens_tokenbench_mints_verify_in_jose_and_pyjwt() {
    let keys = JoseKeys::new();
    let cases: &[(&str, &str, &str)] = &[
        ("HS256", "hmac_secret_jwk", "hmac_secret"),
        ("HS384", "hmac_secret_jwk", "hmac_secret"),
        ("HS512", "hmac_secret_jwk", "hmac_secret"),
        ("RS256", "rsa_pkcs1_private_pem", "rsa_spki_public_pem"),
        ("RS384", "rsa_pkcs8_private_pem", "rsa_cert_pem"),
        ("RS512", "rsa_private_jwk", "rsa_public_jwk"),
        ("PS256", "rsa_pkcs8_private_pem", "rsa_spki_public_pem"),
        ("PS384", "rsa_pkcs1_private_pem", "rsa_spki_public_pem"),
        ("PS512", "rsa_private_jwk", "rsa_spki_public_pem"),
        (
            "ES256",
            "ec_p256_sec1_private_pem",
            "ec_p256_spki_public_pem",
        ),
        (
            "ES384",
            "ec_p384_pkcs8_private_pem",
            "ec_p384_spki_public_pem",
        ),
        ("ES512", "ec_p521_private_jwk", "ec_p521_spki_public_pem"),
        (
            "EdDSA",
            "ed25519_pkcs8_private_pem",
            "ed25519_spki_public_pem",
        ),
    ];
    for (alg, signing, verifying) in cases {
        let (code, minted) = run_json(tokenbench().args([
            "mint",
            "jwt",
            "--alg",
            alg,
            "--key-file",
            &keys.file(signing),
            "--header",
            "cty=interop",
            "--claim",
            "sub=tokenbench-test",
            "--now",
            NOW_RFC3339,
            "--json",
        ]));
        assert_eq!(code, 0, "{alg}: {minted:#}");
        assert_eq!(minted["platform"], Value::Null);
        assert_eq!(minted["signature"], "valid", "{alg}: {minted:#}");
        assert_eq!(minted["header"]["cty"], "interop");
        let token = str_field(&minted, "/token");
        let now = NOW_UNIX.to_string();
        let jose = node(
            "jose_verify.js",
            &[token, &keys.file(verifying), "--alg", alg, "--now", &now],
        );
        assert!(
            is_true(&jose, "valid"),
            "jose refuses tokenbench's {alg}: {jose:#}"
        );
        assert_eq!(jose["payload"]["sub"], "tokenbench-test");
        if !alg.starts_with("HS") && *alg != "EdDSA" {
            let pyjwt = python(
                "pyjwt_verify.py",
                &[token, &keys.file(verifying), "--alg", alg, "--now", &now],
            );
            assert!(
                is_true(&pyjwt, "valid"),
                "PyJWT refuses tokenbench's {alg}: {pyjwt:#}"
            );
        }
    }
}

#[test]
fn pyjwt_tokens_verify_in_tokenbench() {
    let keys = JoseKeys::new();
    for (alg, signing, verifying) in [
        ("RS256", "rsa_pkcs1_private_pem", "rsa_cert_pem"),
        ("PS384", "rsa_pkcs8_private_pem", "jwks_no_alg"),
        ("ES256", "ec_p256_sec1_private_pem", "jwks"),
        ("ES512", "ec_p521_pkcs8_private_pem", "ec_p521_public_jwk"),
        ("EdDSA", "ed25519_private_jwk", "ed25519_cert_pem"),
    ] {
        let now = NOW_UNIX.to_string();
        let kid = kid_of(signing).unwrap();
        let signed = python(
            "pyjwt_sign.py",
            &[alg, &keys.file(signing), "--kid", kid, "--now", &now],
        );
        let token = signed["token"]
            .as_str()
            .unwrap_or_else(|| panic!("{signed:#}"));
        let report = check_with(token, &keys.bytes(verifying));
        assert_eq!(
            report.signature,
            tokenbench::token::Signature::Valid,
            "PyJWT's {alg} with {verifying}: {:#?}",
            report.findings
        );
    }
}

/// `tokenbench inspect TOKEN --key-file FILE --json --now …`: exit code and report.
fn inspect_with_key_file(token: &str, file: &str) -> (i32, Value) {
    run_json(tokenbench().args([
        "inspect",
        token,
        "--key-file",
        file,
        "--json",
        "--now",
        NOW_RFC3339,
    ]))
}

#[test]
fn key_confusion_alg_none_and_a_wrong_kid_are_refused_with_their_own_findings() {
    let keys = JoseKeys::new();
    // HS256 whose HMAC key is the RSA public key PEM's bytes: jose mints it when handed the
    // bytes; tokenbench, given that PEM, refuses before any HMAC.
    let spki = keys.file("rsa_spki_public_pem");
    let forged = jose_token("HS256", &spki, &["--key-as", "raw", "--kid", "rsa-a"]);
    let fooled = node("jose_verify.js", &[&forged, &spki, "--key-as", "raw"]);
    assert!(
        is_true(&fooled, "valid"),
        "the bytes as a secret verify: {fooled:#}"
    );
    for file in [spki.clone(), keys.file("rsa_cert_pem"), keys.file("jwks")] {
        let (code, report) = inspect_with_key_file(&forged, &file);
        assert_eq!(code, 1, "{report:#}");
        assert_eq!(report["signature"], "invalid", "{file}: {report:#}");
        assert!(
            has_finding(&report, "jwt.key-confusion"),
            "{file}: {report:#}"
        );
        assert!(!has_finding(&report, "jwt.signature-invalid"), "{report:#}");
    }

    // alg none, from jose's UnsecuredJWT.
    let none = jose_token("none", "-", &[]);
    let (code, report) = inspect_with_key_file(&none, &spki);
    assert_eq!(code, 1);
    assert!(has_finding(&report, "jwt.alg-none"), "{report:#}");
    assert_ne!(report["signature"], "valid");

    // A kid the JWKS does not hold.
    let rsa = keys.file("rsa_pkcs8_private_pem");
    let wrong_kid = jose_token("RS256", &rsa, &["--kid", "nope"]);
    let (code, report) = inspect_with_key_file(&wrong_kid, &keys.file("jwks"));
    assert_eq!(code, 1);
    assert_eq!(report["signature"], "unverified", "{report:#}");
    assert!(has_finding(&report, "jwt.kid-not-found"), "{report:#}");
    // A kid of another key: the signature fails.
    let other_kid = jose_token("RS256", &rsa, &["--kid", "rsa-b"]);
    let (_, report) = inspect_with_key_file(&other_kid, &keys.file("jwks"));
    assert_eq!(report["signature"], "invalid", "{report:#}");
    // ES256 signed, RS256 key: alg/key mismatch.
    let es = jose_token("ES256", &keys.file("ec_p256_pkcs8_private_pem"), &[]);
    let (_, report) = inspect_with_key_file(&es, &spki);
    assert!(has_finding(&report, "jwt.alg-key-mismatch"), "{report:#}");
}

#[test]
fn a_jwks_without_kids_is_tried_key_by_key_and_says_so() {
    let keys = JoseKeys::new();
    // Signed by the second RSA key, no kid: two RSA members fit.
    let token = jose_token("RS256", &keys.file("rsa2_pkcs8_private_pem"), &[]);
    let jose = node("jose_verify.js", &[&token, &keys.file("jwks_no_kid")]);
    assert_eq!(
        jose["error_code"], "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
        "{jose:#}"
    );
    let (code, report) = inspect_with_key_file(&token, &keys.file("jwks_no_kid"));
    assert_eq!(report["signature"], "valid", "{report:#}");
    assert_eq!(code, 0, "a warning, not an error: {report:#}");
    assert!(has_finding(&report, "jwt.kid-ambiguous"), "{report:#}");
    // ES256 without kid: one EC member fits, as jose finds it.
    let es = jose_token("ES256", &keys.file("ec_p256_pkcs8_private_pem"), &[]);
    let (_, report) = inspect_with_key_file(&es, &keys.file("jwks_no_kid"));
    assert_eq!(report["signature"], "valid");
    assert!(!has_finding(&report, "jwt.kid-ambiguous"), "{report:#}");
    // An RSA key under 2048 bits verifies, with the warning jose's refusal deserves.
    let short = python(
        "pyjwt_sign.py",
        &[
            "RS256",
            &keys.file("rsa1024_pkcs8_private_pem"),
            "--now",
            &NOW_UNIX.to_string(),
        ],
    );
    let (_, report) = inspect_with_key_file(
        str_field(&short, "/token"),
        &keys.file("rsa1024_spki_public_pem"),
    );
    assert_eq!(report["signature"], "valid", "{report:#}");
    assert!(has_finding(&report, "jwt.rsa-key-short"), "{report:#}");
}

// ---------------------------------------------------------------------------------------------
// Twilio: twilio-python's AccessToken.from_jwt accepts what tokenbench mints; tokenbench reads
// what twilio-node and twilio-python mint
// ---------------------------------------------------------------------------------------------

const TWILIO_ACCOUNT: &str = "AC00000000000000000000000000000000";
const TWILIO_KEY: &str = "SK00000000000000000000000000000000";
/// 32 bytes: no PyJWT InsecureKeyLengthWarning, no weak-secret finding.
const TWILIO_SECRET: &str = "secretsecretsecretsecretsecret12";
/// 2026-01-01T00:00:00Z, the notes' --now for the Twilio vectors.
const TWILIO_NOW: i64 = 1_767_225_600;

/// Each grant, as tokenbench's options and as the interop scripts' (same inputs).
fn twilio_cases() -> Vec<(Vec<&'static str>, Vec<&'static str>)> {
    vec![
        (vec![], vec![]),
        (vec!["--topic", "room1"], vec!["--video-room", "room1"]),
        (
            vec![
                "--grant",
                "voice.incoming.allow=true",
                "--grant",
                "voice.outgoing.application_sid=AP00000000000000000000000000000000",
                "--grant",
                r#"voice.outgoing.params={"a":"1"}"#,
                "--grant",
                "voice.push_credential_sid=CR00000000000000000000000000000000",
                "--grant",
                "voice.endpoint_id=ep-1",
            ],
            vec![
                "--voice-incoming",
                "true",
                "--voice-app-sid",
                "AP00000000000000000000000000000000",
                "--voice-app-params",
                r#"{"a":"1"}"#,
                "--voice-push-credential-sid",
                "CR00000000000000000000000000000000",
                "--voice-endpoint-id",
                "ep-1",
            ],
        ),
        (
            vec![
                "--grant",
                "chat.service_sid=IS00000000000000000000000000000000",
                "--grant",
                "chat.endpoint_id=app:alice:device",
                "--grant",
                "chat.deployment_role_sid=RL00000000000000000000000000000000",
                "--grant",
                "chat.push_credential_sid=CR11111111111111111111111111111111",
            ],
            vec![
                "--chat-service-sid",
                "IS00000000000000000000000000000000",
                "--chat-endpoint-id",
                "app:alice:device",
                "--chat-deployment-role-sid",
                "RL00000000000000000000000000000000",
                "--chat-push-credential-sid",
                "CR11111111111111111111111111111111",
            ],
        ),
        (
            vec![
                "--grant",
                "data_sync.service_sid=IS11111111111111111111111111111111",
                "--grant",
                "data_sync.endpoint_id=sync-1",
            ],
            vec![
                "--sync-service-sid",
                "IS11111111111111111111111111111111",
                "--sync-endpoint-id",
                "sync-1",
            ],
        ),
        (
            vec![
                "--grant",
                "task_router.workspace_sid=WS00000000000000000000000000000000",
                "--grant",
                "task_router.worker_sid=WK00000000000000000000000000000000",
                "--grant",
                "task_router.role=worker",
            ],
            vec![
                "--taskrouter-workspace-sid",
                "WS00000000000000000000000000000000",
                "--taskrouter-worker-sid",
                "WK00000000000000000000000000000000",
                "--taskrouter-role",
                "worker",
            ],
        ),
        (
            vec!["--grant", r#"player={"playbackUrl":"https://x"}"#],
            vec!["--playback-grant-json", r#"{"playbackUrl":"https://x"}"#],
        ),
    ]
}

fn twilio_mint(options: &[&str], extra: &[&str]) -> Value {
    let now = TWILIO_NOW.to_string();
    let (code, minted) = run_json(
        tokenbench()
            .env("TB_TWILIO_SECRET", TWILIO_SECRET)
            .args([
                "mint",
                "twilio",
                "--account",
                TWILIO_ACCOUNT,
                "--key",
                TWILIO_KEY,
                "--secret",
                "env:TB_TWILIO_SECRET",
                "--now",
                &now,
                "--json",
            ])
            .args(options)
            .args(extra),
    );
    assert_eq!(code, 0, "{minted:#}");
    minted
}

fn twilio_inspect(token: &str) -> (i32, Value) {
    run_json(tokenbench().env("TB_TWILIO_SECRET", TWILIO_SECRET).args([
        "inspect",
        token,
        "--secret",
        "env:TB_TWILIO_SECRET",
        "--now",
        &(TWILIO_NOW + 60).to_string(),
        "--json",
    ]))
}

fn error_rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn twilio_python_from_jwt_accepts_every_token_tokenbench_mints_and_reads_the_same_grants() {
    for (options, _) in twilio_cases() {
        let minted = twilio_mint(&options, &["--region", "ie1"]);
        let token = str_field(&minted, "/token");
        let iat = int_field(&minted, "/claims/iat");
        let exp = int_field(&minted, "/claims/exp");
        let verdict = python(
            "twilio_verify.py",
            &[token, TWILIO_SECRET, "--now", &iat.to_string()],
        );
        assert!(is_true(&verdict, "valid"), "{options:?}: {verdict:#}");
        assert!(is_true(&verdict, "signature_checked"), "{verdict:#}");
        assert_eq!(verdict["returned_type"], "Jwt", "{verdict:#}");
        assert_eq!(
            verdict["payload"]["grants"], minted["claims"]["grants"],
            "{options:?}"
        );
        assert_eq!(verdict["headers"], minted["header"], "{verdict:#}");
        assert_eq!(verdict["warnings"], serde_json::json!([]), "{verdict:#}");
        // Its clock checks, at their edges: iat (PyJWT refuses a future one) and exp.
        let early = python(
            "twilio_verify.py",
            &[token, TWILIO_SECRET, "--now", &(iat - 1).to_string()],
        );
        assert_eq!(early["error_cause"], "ImmatureSignatureError", "{early:#}");
        let late = python(
            "twilio_verify.py",
            &[token, TWILIO_SECRET, "--now", &exp.to_string()],
        );
        assert_eq!(late["error_cause"], "ExpiredSignatureError", "{late:#}");
        let wrong = python(
            "twilio_verify.py",
            &[
                token,
                "another-secret-another-secret-12",
                "--now",
                &iat.to_string(),
            ],
        );
        assert_eq!(wrong["error_cause"], "InvalidSignatureError", "{wrong:#}");
    }
}

#[test]
fn twilio_node_and_python_tokens_of_every_grant_verify_in_tokenbench_without_false_errors() {
    let now = TWILIO_NOW.to_string();
    for (_, script) in twilio_cases() {
        let mut args = vec![
            TWILIO_ACCOUNT,
            TWILIO_KEY,
            TWILIO_SECRET,
            "--now",
            &now,
            "--ttl",
            "600",
        ];
        args.extend(&script);
        for (sdk, minted) in [
            ("twilio-node", node("twilio_mint.js", &args)),
            ("twilio-python", python("twilio_mint.py", &args)),
        ] {
            let token = str_field(&minted, "/token");
            let (code, report) = twilio_inspect(token);
            assert_eq!(report["platform"], "twilio", "{sdk} {script:?}: {report:#}");
            assert_eq!(report["signature"], "valid", "{sdk}: {report:#}");
            assert!(
                error_rules(&report).is_empty(),
                "{sdk} {script:?}: {report:#}"
            );
            assert_eq!(code, 0, "{sdk}: {report:#}");
            assert_eq!(
                report["claims"]["grants"], minted["payload"]["grants"],
                "{sdk}"
            );
            // Node writes iat, Python nbf and no iat: both last the ttl.
            let start = report["claims"].get("iat").or(report["claims"].get("nbf"));
            assert_eq!(
                int_field(&report, "/claims/exp") - start.and_then(Value::as_i64).unwrap(),
                600,
                "{sdk}: {report:#}"
            );
        }
    }
}

#[test]
fn tokenbench_mints_twilio_node_tokens_byte_for_byte() {
    let now = TWILIO_NOW.to_string();
    // The notes' two Node vectors: the default token, and every grant with a region.
    let all: Vec<&str> = twilio_cases()
        .into_iter()
        .skip(1)
        .flat_map(|(ours, _)| ours)
        .collect();
    let theirs: Vec<&str> = twilio_cases()
        .into_iter()
        .skip(1)
        .flat_map(|(_, theirs)| theirs)
        .collect();
    for (ours, theirs) in [
        (vec![], vec![]),
        (
            [
                vec!["--identity", "bob", "--region", "au1", "--ttl", "600"],
                all,
            ]
            .concat(),
            [
                vec!["--identity", "bob", "--region", "au1", "--ttl", "600"],
                theirs,
            ]
            .concat(),
        ),
    ] {
        let minted = twilio_mint(&ours, &[]);
        let mut args = vec![TWILIO_ACCOUNT, TWILIO_KEY, TWILIO_SECRET, "--now", &now];
        args.extend(&theirs);
        let node = node("twilio_mint.js", &args);
        assert_eq!(
            minted["token"], node["token"],
            "{ours:?}\nnode: {node:#}\nours: {minted:#}"
        );
    }
}

#[test]
fn a_python_token_without_identity_is_found_and_an_hs512_node_token_is_warned_about() {
    let now = TWILIO_NOW.to_string();
    let python_token = python(
        "twilio_mint.py",
        &[
            TWILIO_ACCOUNT,
            TWILIO_KEY,
            TWILIO_SECRET,
            "--identity",
            "",
            "--now",
            &now,
        ],
    );
    let (code, report) = twilio_inspect(str_field(&python_token, "/token"));
    assert_eq!(code, 1, "{report:#}");
    assert!(
        has_finding(&report, "twilio.identity-required"),
        "{report:#}"
    );
    let hs512 = node(
        "twilio_mint.js",
        &[
            TWILIO_ACCOUNT,
            TWILIO_KEY,
            TWILIO_SECRET,
            "--algorithm",
            "HS512",
            "--now",
            &now,
        ],
    );
    let token = str_field(&hs512, "/token");
    let (_, report) = twilio_inspect(token);
    assert!(has_finding(&report, "twilio.alg"), "{report:#}");
    // What the warning is about: twilio-python refuses it.
    let refused = python("twilio_verify.py", &[token, TWILIO_SECRET, "--now", &now]);
    assert_eq!(refused["error_cause"], "ValueError", "{refused:#}");
}

// ---------------------------------------------------------------------------------------------
// Ably: ably-js's createTokenRequest gives the same mac; jsonwebtoken verifies Ably JWTs
// ---------------------------------------------------------------------------------------------

const ABLY_KEY: &str = "appId1.keyId1:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";

fn ably_mint(options: &[&str]) -> Value {
    let (code, minted) = run_json(
        tokenbench()
            .env("ABLY_API_KEY", ABLY_KEY)
            .args(["mint", "ably", "--now", NOW_RFC3339, "--json"])
            .args(options),
    );
    assert_eq!(code, 0, "{minted:#}");
    minted
}

#[test]
fn ably_js_create_token_request_gives_tokenbenchs_mac_for_the_same_inputs() {
    for (options, capability) in [
        (
            vec![
                "--client-id",
                "alice",
                "--ttl",
                "1h",
                "--permission",
                "chat:*=subscribe,publish,presence",
                "--permission",
                "*=subscribe",
                "--permission",
                "alerts=history,subscribe",
            ],
            Some(
                r#"{"chat:*":["subscribe","publish","presence"],"*":["subscribe"],"alerts":["history","subscribe"]}"#,
            ),
        ),
        (vec![], None),
        (
            vec![
                "--permission",
                "😀=subscribe",
                "--permission",
                "！=publish",
                "--permission",
                "a=subscribe",
                "--permission",
                "B=history",
            ],
            Some(r#"{"😀":["subscribe"],"！":["publish"],"a":["subscribe"],"B":["history"]}"#),
        ),
        (
            vec!["--client-id", "*", "--ttl", "24h", "--permission", "*=*"],
            Some(r#"{"*":["*"]}"#),
        ),
        (vec!["--client-id", "Zoë", "--ttl", "90s"], None),
    ] {
        let minted = ably_mint(&[vec!["--format", "token-request"], options.clone()].concat());
        let ours = &minted["claims"];
        let timestamp = int_field(&minted, "/claims/timestamp").to_string();
        let mut args = vec![
            ABLY_KEY,
            "--timestamp",
            &timestamp,
            "--nonce",
            str_field(&minted, "/claims/nonce"),
        ];
        let ttl = ours.get("ttl").map(|t| t.to_string());
        if let Some(ttl) = &ttl {
            args.extend(["--ttl", ttl]);
        }
        if let Some(id) = ours.get("clientId").and_then(Value::as_str) {
            args.extend(["--client-id", id]);
        }
        if let Some(capability) = capability {
            args.extend(["--capability", capability]);
        }
        let sdk = node("ably_token_request.js", &args);
        assert!(is_true(&sdk, "self_check"), "{sdk:#}");
        assert_eq!(
            sdk["token_request"]["mac"], ours["mac"],
            "{options:?}\nably-js: {sdk:#}\nours: {minted:#}"
        );
        // The same object, member for member and in ably-js's order.
        assert_eq!(
            serde_json::to_string(&sdk["token_request"]).unwrap(),
            str_field(&minted, "/token"),
            "{options:?}"
        );
        // And ably-js's own TokenRequest, pasted as JSON, verifies in tokenbench.
        let pasted = serde_json::to_string(&sdk["token_request"]).unwrap();
        let (code, report) = run_json(tokenbench().env("ABLY_API_KEY", ABLY_KEY).args([
            "inspect",
            &pasted,
            "--now",
            NOW_RFC3339,
            "--json",
        ]));
        assert_eq!(report["format"], "ably-token-request", "{report:#}");
        assert_eq!(report["signature"], "valid", "{report:#}");
        assert!(error_rules(&report).is_empty(), "{report:#}");
        assert_eq!(code, 0);
    }
}

#[test]
fn the_notes_vector_and_ably_js_ttl_zero_quirk() {
    let sdk = node(
        "ably_token_request.js",
        &[
            ABLY_KEY,
            "--client-id",
            "alice",
            "--ttl",
            "3600000",
            "--capability",
            r#"{"chat:*":["subscribe","publish","presence"],"*":["subscribe"],"alerts":["history","subscribe"]}"#,
            "--timestamp",
            "1767225600000",
            "--nonce",
            "0123456789abcdef",
        ],
    );
    assert_eq!(
        sdk["token_request"]["mac"],
        "Wxz2tiRbXTh7MWDKwWga6bsXDL282ER4uTOqyOCGUzw="
    );
    // ttl 0: ably-js writes it but signs "": invalid per the spec, and said why.
    let zero = node(
        "ably_token_request.js",
        &[
            ABLY_KEY,
            "--ttl",
            "0",
            "--timestamp",
            "1795341600000",
            "--nonce",
            "0123456789abcdef",
        ],
    );
    assert!(!is_true(&zero, "self_check"), "{zero:#}");
    let pasted = serde_json::to_string(&zero["token_request"]).unwrap();
    let (code, report) = run_json(tokenbench().env("ABLY_API_KEY", ABLY_KEY).args([
        "inspect",
        &pasted,
        "--now",
        NOW_RFC3339,
        "--json",
    ]));
    assert_eq!(code, 1);
    assert_eq!(report["signature"], "invalid", "{report:#}");
    assert!(has_finding(&report, "ably.ttl-units"), "{report:#}");
}

#[test]
fn ably_jwts_verify_with_jsonwebtoken_and_name_their_key() {
    let minted = ably_mint(&[
        "--permission",
        "chat:*=publish,subscribe,presence",
        "--client-id",
        "alice",
    ]);
    let token = str_field(&minted, "/token");
    let iat = int_field(&minted, "/claims/iat");
    let verdict = node(
        "ably_jwt_verify.js",
        &[token, ABLY_KEY, "--now", &iat.to_string()],
    );
    assert!(is_true(&verdict, "ably_ok"), "{verdict:#}");
    assert!(is_true(&verdict, "kid_matches"), "{verdict:#}");
    assert_eq!(verdict["kid"], "appId1.keyId1");
    assert_eq!(
        verdict["capability"],
        serde_json::json!({"chat:*": ["presence", "publish", "subscribe"]})
    );
    assert_eq!(verdict["client_id"], "alice");
    let expired = node(
        "ably_jwt_verify.js",
        &[
            token,
            ABLY_KEY,
            "--now",
            &int_field(&minted, "/claims/exp").to_string(),
        ],
    );
    assert_eq!(expired["error"], "jwt expired", "{expired:#}");
    // Checked with the same secret under another key name: jsonwebtoken still verifies it, but
    // the kid names the wrong key, and tokenbench says so.
    let other = "appId1.other:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
    let verdict = node(
        "ably_jwt_verify.js",
        &[token, other, "--now", &iat.to_string()],
    );
    assert!(
        is_true(&verdict, "valid") && !is_true(&verdict, "kid_matches"),
        "{verdict:#}"
    );
    let (code, report) = run_json(tokenbench().env("ABLY_KEY", other).args([
        "inspect",
        token,
        "--secret",
        "env:ABLY_KEY",
        "--now",
        NOW_RFC3339,
        "--json",
    ]));
    assert_eq!(code, 1);
    assert!(has_finding(&report, "ably.kid"), "{report:#}");
    // A capability claim that is an object, not a string: both say so.
    let object = ably_mint(&["--claim", r#"x-ably-capability={"chat":["subscribe"]}"#]);
    let token = str_field(&object, "/token");
    let verdict = node(
        "ably_jwt_verify.js",
        &[token, ABLY_KEY, "--now", &iat.to_string()],
    );
    assert!(!is_true(&verdict, "ably_ok"), "{verdict:#}");
    assert!(
        verdict["capability_error"]
            .as_str()
            .is_some_and(|e| e.contains("not a string")),
        "{verdict:#}"
    );
    assert!(has_finding(&object, "ably.capability-json"), "{object:#}");
}

#[test]
fn an_ably_jwt_minted_like_the_docs_verifies_in_tokenbench() {
    let script = r#"const jwt=require('jsonwebtoken');const [n,s]=process.argv[1].split(':');
process.stdout.write(JSON.stringify({token: jwt.sign({'x-ably-capability':JSON.stringify({'chat:*':['publish','subscribe','presence']}),'x-ably-clientId':'alice',iat:Number(process.argv[2])},s,{algorithm:'HS256',keyid:n,expiresIn:3600})}))"#;
    require_node_and_packages();
    let out = node::output_within(
        StdCommand::new("node")
            .args(["-e", script, ABLY_KEY, &NOW_UNIX.to_string()])
            .current_dir(interop_dir()),
        "node -e (an Ably JWT)",
    )
    .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (code, report) = run_json(tokenbench().env("ABLY_API_KEY", ABLY_KEY).args([
        "inspect",
        str_field(&signed, "/token"),
        "--now",
        NOW_RFC3339,
        "--json",
    ]));
    assert_eq!(report["platform"], "ably", "{report:#}");
    assert_eq!(report["signature"], "valid", "{report:#}");
    assert!(error_rules(&report).is_empty(), "{report:#}");
    assert_eq!(code, 0);
}
