//! The command-line contract of DESIGN.md, on the built binary.

use assert_cmd::Command;
use serde_json::Value;

const NOW: &str = "2026-11-22T10:00:00Z";
const NOW_UNIX: i64 = 1_795_341_600;
/// The binary with no credential variables from the caller's environment.
fn tokenbench() -> Command {
    let mut cmd = Command::cargo_bin("tokenbench").unwrap();
    for var in tokenbench::platform::credential_env_vars() {
        cmd.env_remove(var);
    }
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let output = cmd.output().unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

fn rules(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

/// The report's finding of `rule`; the test fails, showing the report, when there is none.
fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {report:#}"))
}

fn mint_token(args: &[&str]) -> String {
    let out = run(tokenbench()
        .arg("mint")
        .args(args)
        .args(["--now", NOW, "--token-only"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout.trim().to_string()
}

#[test]
fn mint_json_has_the_documented_shape_for_every_platform() {
    for platform in tokenbench::platform::ids() {
        let out = run(tokenbench().args(["mint", platform, "--now", NOW, "--json"]));
        assert_eq!(out.code, 0, "{platform}: {}", out.stderr);
        let report = json(&out);
        let keys: Vec<&str> = report
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "platform",
                "format",
                "token",
                "header",
                "claims",
                "issued_at",
                "expires_at",
                "expires_in_seconds",
                "signature",
                "findings"
            ]
        );
        assert_eq!(report["platform"], platform);
        let format = report["format"].as_str().unwrap();
        assert!(
            [
                "jwt",
                "opentok-t1",
                "agora-007",
                "agora-006",
                "ably-token-request"
            ]
            .contains(&format),
            "{platform}: {format}"
        );
        assert_eq!(report["header"].is_object(), format == "jwt", "{platform}");
        assert_eq!(report["signature"], "valid");
        assert_eq!(report["issued_at"], "2026-11-22T10:00:00Z");
        // A default form breaks no rule: what it says is information.
        for finding in report["findings"].as_array().unwrap() {
            assert_eq!(finding["severity"], "info", "{platform}: {finding}");
        }
        let demo = finding(&report, "demo-credentials");
        assert_eq!(demo["field"], "credentials");
    }
}

#[test]
fn the_issue_example_mints_a_zoom_host_token() {
    let out = run(tokenbench().args([
        "mint",
        "zoom",
        "--topic",
        "teammeeting",
        "--role",
        "host",
        "--now",
        NOW,
        "--json",
    ]));
    let report = json(&out);
    assert_eq!(report["claims"]["role_type"], 1);
    assert_eq!(report["claims"]["tpc"], "teammeeting");
    assert_eq!(report["claims"]["version"], 1);
    assert_eq!(report["claims"]["iat"], NOW_UNIX);
    assert_eq!(report["claims"]["exp"], NOW_UNIX + 7200);
    assert_eq!(report["expires_in_seconds"], 7200);
    assert_eq!(
        report["header"],
        serde_json::json!({"alg": "HS256", "typ": "JWT"})
    );
}

#[test]
fn default_lifetimes_and_expiry_forms() {
    for (platform, ttl) in [
        ("zoom", 7200),
        ("vonage", 86_400),
        ("opentok", 86_400),
        ("relaybox", 900),
        ("twilio", 3600),
        ("ably", 3600),
    ] {
        let report = json(&run(
            tokenbench().args(["mint", platform, "--now", NOW, "--json"])
        ));
        assert_eq!(report["expires_in_seconds"], ttl, "{platform}");
    }
    let report =
        json(&run(tokenbench().args([
            "mint", "zoom", "--now", NOW, "--ttl", "1h30m", "--json",
        ])));
    assert_eq!(report["expires_in_seconds"], 5400);
    let report = json(&run(tokenbench().args([
        "mint",
        "zoom",
        "--now",
        NOW,
        "--exp",
        "2026-11-22T11:00:00Z",
        "--json",
    ])));
    assert_eq!(report["claims"]["exp"], NOW_UNIX + 3600);
    let report = json(&run(tokenbench().args([
        "mint",
        "zoom",
        "--now",
        &NOW_UNIX.to_string(),
        "--exp",
        &(NOW_UNIX + 1900).to_string(),
        "--json",
    ])));
    assert_eq!(report["claims"]["exp"], NOW_UNIX + 1900);
}

#[test]
fn strict_mint_exits_1_on_an_error_finding_and_0_without_strict() {
    let lax = run(tokenbench().args(["mint", "zoom", "--now", NOW, "--ttl", "10m", "--json"]));
    assert_eq!(lax.code, 0);
    assert!(rules(&json(&lax)).contains(&"zoom.exp-window"));
    let strict = run(tokenbench().args([
        "mint",
        "zoom",
        "--now",
        NOW,
        "--ttl",
        "10m",
        "--strict",
        "--token-only",
    ]));
    assert_eq!(strict.code, 1);
    assert!(
        strict.stdout.starts_with("eyJ"),
        "the token is still printed"
    );
    let fine = run(tokenbench().args(["mint", "zoom", "--now", NOW, "--strict", "--token-only"]));
    assert_eq!(fine.code, 0);
}

#[test]
fn usage_errors_exit_2_with_one_sentence() {
    for (args, expected) in [
        (
            vec!["mint", "vonage", "--password", "x"],
            "--password does not apply to vonage: its options are --role, --topic, --ttl, --exp, --data, --claim, --key, --secret",
        ),
        (
            vec!["mint", "zoom", "--ttl", "soon"],
            "'soon' is not a duration: use a duration such as 90s, 30m, 2h, 1d or 1h 30m",
        ),
        (vec!["mint", "zoom", "--exp", "tomorrow"], "RFC 3339"),
        (vec!["mint", "zoom", "--now", "yesterday"], "RFC 3339"),
        (
            vec!["mint", "zoom", "--role", "admin"],
            "'admin' is not a zoom role: use host or participant (or 1 or 0)",
        ),
        (
            vec!["mint", "vonage", "--role", "owner"],
            "use subscriber, publisher, publisher-only or moderator",
        ),
        (vec!["mint", "teams"], "invalid value 'teams'"),
        (
            vec!["mint", "relaybox", "--permission", "chat"],
            "use ROOM=OPS",
        ),
        (vec!["mint", "zoom", "--claim", "novalue"], "use NAME=VALUE"),
        (
            vec!["mint", "zoom", "--key", "k"],
            "no secret for the zoom key k: give --secret or set ZOOM_VIDEO_SDK_SECRET",
        ),
        (
            vec!["mint", "zoom", "--secret", "env:TOKENBENCH_TEST_UNSET"],
            "the environment variable TOKENBENCH_TEST_UNSET is not set",
        ),
        (
            vec!["mint", "vonage", "--key", "app", "--secret", "not-a-pem"],
            "the vonage secret must be the application's private key",
        ),
        (
            vec!["inspect", "not-a-token"],
            "this is not a token: a JWT has three base64url parts separated by dots, and this has 1",
        ),
        (
            vec!["inspect", "T1==%%%"],
            "this is not a token: the part after T1== is not standard base64",
        ),
    ] {
        let out = run(tokenbench().args(&args));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.contains("panicked"), "{args:?}");
    }
}

#[test]
fn inspect_exit_codes_follow_the_findings() {
    let token = mint_token(&["zoom"]);
    let fresh = run(tokenbench().args(["inspect", &token, "--now", NOW, "--json"]));
    assert_eq!(fresh.code, 0, "{}", fresh.stdout);
    assert_eq!(json(&fresh)["signature"], "valid");
    let expired =
        run(tokenbench().args(["inspect", &token, "--now", "2026-11-22T12:00:00Z", "--json"]));
    assert_eq!(expired.code, 1);
    let report = json(&expired);
    assert!(rules(&report).contains(&"jwt.expired"));
    assert_eq!(report["expires_in_seconds"], 0);
    assert_eq!(
        report["claims"]["tpc"], "teammeeting",
        "an expired token still shows its claims"
    );
}

#[test]
fn inspect_reads_a_token_from_stdin() {
    let token = mint_token(&["relaybox"]);
    for args in [
        vec!["inspect", "-", "--json", "--now", NOW],
        vec!["inspect", "--json", "--now", NOW],
    ] {
        let out = run(tokenbench().args(&args).write_stdin(format!("{token}\n")));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(json(&out)["platform"], "relaybox");
    }
    let both = run(tokenbench()
        .args(["inspect", "-", "--secret", "-"])
        .write_stdin(token));
    assert_eq!(both.code, 2);
    assert!(both.stderr.contains("cannot both come from standard input"));
}

#[test]
fn a_wrong_secret_is_invalid_and_no_key_is_unverified() {
    let own = run(tokenbench()
        .args([
            "mint",
            "zoom",
            "--key",
            "mine",
            "--secret",
            "env:TB_SECRET",
            "--now",
            NOW,
            "--token-only",
        ])
        .env("TB_SECRET", "my-own-secret-that-is-long-enough!"));
    let token = own.stdout.trim();
    let unverified = json(&run(
        tokenbench().args(["inspect", token, "--now", NOW, "--json"])
    ));
    assert_eq!(unverified["signature"], "unverified");
    assert!(rules(&unverified).contains(&"jwt.unverified"));
    let wrong = run(tokenbench()
        .args([
            "inspect",
            token,
            "--secret",
            "env:TB_SECRET",
            "--now",
            NOW,
            "--json",
        ])
        .env("TB_SECRET", "another"));
    assert_eq!(wrong.code, 1);
    assert_eq!(json(&wrong)["signature"], "invalid");
    let right = run(tokenbench()
        .args([
            "inspect",
            token,
            "--secret",
            "env:TB_SECRET",
            "--now",
            NOW,
            "--json",
        ])
        .env("TB_SECRET", "my-own-secret-that-is-long-enough!"));
    assert_eq!(
        (right.code, json(&right)["signature"].as_str()),
        (0, Some("valid"))
    );
    let env_found = run(tokenbench()
        .args(["inspect", token, "--now", NOW, "--json"])
        .env(
            "ZOOM_VIDEO_SDK_SECRET",
            "my-own-secret-that-is-long-enough!",
        ));
    assert_eq!(
        json(&env_found)["signature"],
        "valid",
        "the platform's environment variables verify"
    );
}

#[test]
fn secret_sources_and_the_argv_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret");
    std::fs::write(&path, "file-secret-file-secret-file-secret\n").unwrap();
    let from_file = json(&run(tokenbench().args([
        "mint",
        "zoom",
        "--key",
        "k",
        "--secret",
        &format!("@{}", path.display()),
        "--now",
        NOW,
        "--json",
    ])));
    assert!(rules(&from_file).is_empty(), "{:?}", rules(&from_file));
    let token = from_file["token"].as_str().unwrap();
    let b64 = json(&run(tokenbench().args([
        "inspect",
        token,
        "--secret",
        "b64:ZmlsZS1zZWNyZXQtZmlsZS1zZWNyZXQtZmlsZS1zZWNyZXQ=",
        "--now",
        NOW,
        "--json",
    ])));
    assert_eq!(b64["signature"], "valid");
    let piped = json(&run(tokenbench()
        .args(["inspect", token, "--secret", "-", "--now", NOW, "--json"])
        .write_stdin("file-secret-file-secret-file-secret\n")));
    assert_eq!(piped["signature"], "valid");

    let literal = run(tokenbench().args([
        "mint",
        "zoom",
        "--key",
        "k",
        "--secret",
        "hunter2-literal",
        "--now",
        NOW,
        "--json",
    ]));
    let report = json(&literal);
    assert_eq!(rules(&report), ["jwt.weak-secret", "secret.argv"]);
    assert!(
        !literal.stdout.contains("hunter2-literal") && !literal.stderr.contains("hunter2-literal")
    );
}

#[test]
fn relaybox_api_key_in_one_piece() {
    let out = run(tokenbench()
        .args(["mint", "relaybox", "--now", NOW, "--json"])
        .env(
            "RELAYBOX_API_KEY",
            "app.key:relaybox-secret-relaybox-secret-1234",
        ));
    let report = json(&out);
    assert_eq!(report["claims"]["publicKey"], "app.key");
    let token = report["token"].as_str().unwrap();
    let checked = json(&run(tokenbench().args([
        "inspect",
        token,
        "--secret",
        "app.key:relaybox-secret-relaybox-secret-1234",
        "--now",
        NOW,
        "--json",
    ])));
    assert_eq!(checked["signature"], "valid");
}

#[test]
fn count_replaces_n_and_now_makes_tokens_repeatable() {
    let out = run(tokenbench().args([
        "mint",
        "relaybox",
        "--count",
        "3",
        "--client-id",
        "user-{n}",
        "--now",
        NOW,
    ]));
    let tokens: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(tokens.len(), 3);
    for (n, token) in tokens.iter().enumerate() {
        let report = json(&run(
            tokenbench().args(["inspect", token, "--now", NOW, "--json"])
        ));
        assert_eq!(report["claims"]["clientId"], format!("user-{n}"));
    }
    let lines = run(tokenbench().args(["mint", "zoom", "--count", "2", "--json", "--now", NOW]));
    assert_eq!(lines.stdout.lines().count(), 2, "JSON lines with --count");
    assert_eq!(
        mint_token(&["vonage"]),
        mint_token(&["vonage"]),
        "jti is seeded by --now"
    );
    assert_eq!(
        mint_token(&["opentok"]),
        mint_token(&["opentok"]),
        "nonce is seeded by --now"
    );
    assert_ne!(
        mint_token(&["vonage", "--topic", "a"]),
        mint_token(&["vonage", "--topic", "b"])
    );
    let zero = run(tokenbench().args(["mint", "zoom", "--count", "0"]));
    assert_eq!(zero.code, 2);
}

/// The random fields under `--now` come from specified algorithms (SipHash-1-3, PCG), so a
/// script's pinned tokens stay the same from one tokenbench build to the next.
#[test]
fn pinned_random_fields_are_the_same_in_every_build() {
    let claims = |platform: &str| {
        let out = run(tokenbench().args(["mint", platform, "--now", NOW, "--json"]));
        json(&out)["claims"].clone()
    };
    let opentok = claims("opentok");
    assert_eq!(opentok["nonce"], 0.4360493828798683);
    assert_eq!(
        opentok["session_id"],
        "1_MX4zMTMzNzAwMH5-MTc5NTM0MTYwMDAwMH5mYjBlNTBlMX4"
    );
    assert_eq!(
        claims("vonage")["jti"],
        "25dff6e8-aeee-406f-9272-37a9e5385aee"
    );
}

#[test]
fn opentok_legacy_t1_and_the_platforms_md_vector() {
    let token = mint_token(&[
        "opentok",
        "--legacy-t1",
        "--data",
        "name=Alice Smith",
        "--role",
        "publisher-only",
    ]);
    assert!(token.starts_with("T1=="));
    let report = json(&run(
        tokenbench().args(["inspect", &token, "--now", NOW, "--json"])
    ));
    assert_eq!(report["format"], "opentok-t1");
    assert_eq!(report["header"], Value::Null);
    assert_eq!(report["claims"]["role"], "publisheronly");
    assert_eq!(report["claims"]["connection_data"], "name=Alice Smith");
    assert_eq!(report["signature"], "valid");

    let vector = "T1==cGFydG5lcl9pZD0xMjM0NTYmc2lnPTFjMTVhNDAzYjBmZTYyZmIzNGI4NmFlYmRmZjYyNDExNjc5N2YzOGY6c2Vzc2lvbl9pZD0xX01YNHhNak0wTlRaLWZqRTNNREF3TURBd01EQXdNREItWm1GclpYNCZjcmVhdGVfdGltZT0xNzAwMDAwMDAwJmV4cGlyZV90aW1lPTE3MDAwODY0MDAmcm9sZT1wdWJsaXNoZXImbm9uY2U9NDI0MjQyJmluaXRpYWxfbGF5b3V0X2NsYXNzX2xpc3Q9JmNvbm5lY3Rpb25fZGF0YT1uYW1lJTNEQWxpY2UrU21pdGg=";
    let out = run(tokenbench().args([
        "inspect",
        vector,
        "--secret",
        "0123456789abcdef0123456789abcdef01234567",
        "--now",
        "1700000100",
        "--json",
    ]));
    let report = json(&out);
    assert_eq!(report["signature"], "valid");
    assert_eq!(report["claims"]["partner_id"], "123456");
    assert_eq!(report["expires_at"], "2023-11-15T22:13:20Z");
    assert_eq!(
        rules(&report),
        ["secret.argv"],
        "a literal --secret is visible in ps, for inspect too"
    );
}

#[test]
fn generic_jwt_of_no_known_platform() {
    let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    let unverified = run(tokenbench().args(["inspect", token, "--json"]));
    let report = json(&unverified);
    assert_eq!(report["platform"], Value::Null);
    assert_eq!(report["signature"], "unverified");
    assert_eq!(rules(&report), ["jwt.no-exp", "jwt.unverified"]);
    assert_eq!(unverified.code, 0);
    let verified = json(&run(tokenbench().args([
        "inspect",
        token,
        "--secret",
        "your-256-bit-secret",
        "--json",
    ])));
    assert_eq!(verified["signature"], "valid");
    assert!(rules(&verified).contains(&"jwt.weak-secret"));
}

#[test]
fn inspect_with_an_expected_key_flags_a_mismatch() {
    let token = mint_token(&["zoom"]);
    let out = run(tokenbench().args([
        "inspect",
        &token,
        "--key",
        "someone-else",
        "--now",
        NOW,
        "--json",
    ]));
    assert_eq!(out.code, 1);
    assert_eq!(rules(&json(&out))[0], "key-mismatch");
}

#[test]
fn human_output_tells_the_story() {
    let out = run(tokenbench().args(["mint", "zoom", "--now", NOW]));
    assert!(
        out.stdout.starts_with("zoom · jwt HS256 · "),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("signature valid"));
    assert!(out.stdout.contains("expires in 2h 00m 00s"));
    assert!(
        out.stdout
            .contains("\"exp\": 1795348800    (2026-11-22 12:00:00 UTC, in 2h)")
    );
    assert!(out.stdout.contains("info     demo-credentials"));
}

#[test]
fn platforms_and_completions() {
    let list = json(&run(tokenbench().args(["platforms", "--json"])));
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, tokenbench::platform::ids());
    assert_eq!(list[3]["operations"][0], "create");
    let text = run(tokenbench().arg("platforms"));
    assert!(
        text.stdout
            .contains("ZOOM_VIDEO_SDK_KEY, ZOOM_VIDEO_SDK_SECRET")
    );
    for shell in ["bash", "zsh", "fish"] {
        let out = run(tokenbench().args(["completions", shell]));
        assert_eq!(out.code, 0);
        assert!(out.stdout.contains("tokenbench"), "{shell}");
        assert!(out.stdout.contains("legacy-t1"), "{shell}");
    }
}

#[test]
fn vonage_private_key_from_a_path_in_the_environment() {
    let key = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/vonage-private-key.pem"
    );
    let out = run(tokenbench()
        .args(["mint", "vonage", "--now", NOW, "--json"])
        .env("VONAGE_APPLICATION_ID", "my-app")
        .env("VONAGE_PRIVATE_KEY", key));
    let report = json(&out);
    assert_eq!(report["claims"]["application_id"], "my-app");
    assert_eq!(report["signature"], "valid");
    assert!(rules(&report).is_empty(), "{:?}", rules(&report));
}

fn simulate(args: &[&str]) -> Vec<Value> {
    let out = run(tokenbench()
        .arg("simulate")
        .args(args)
        .args(["--now", NOW, "--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    json(&out).as_array().unwrap().clone()
}

fn event<'a>(events: &'a [Value], name: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == name).collect()
}

#[test]
fn simulate_json_events_have_the_documented_shape() {
    let events = simulate(&["relaybox"]);
    for e in &events {
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["t", "at", "actor", "event", "outcome", "confidence"]);
        assert!(
            ["documented", "sdk-code", "unconfirmed"].contains(&e["confidence"].as_str().unwrap())
        );
    }
    let refresh = event(&events, "refresh");
    assert_eq!(refresh[0]["t"], 880.0, "expiresIn − 20 s");
    assert_eq!(refresh[0]["at"], "2026-11-22T10:14:40Z");
    let ts: Vec<f64> = events.iter().map(|e| e["t"].as_f64().unwrap()).collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "ordered by time");
}

#[test]
fn simulate_joins_after_exp_are_refused_with_the_platforms_codes() {
    let zoom = simulate(&["zoom", "--join-at", "2h"]);
    assert!(
        event(&zoom, "join")[0]["outcome"]
            .as_str()
            .unwrap()
            .contains("error 200")
    );
    let vonage = simulate(&["vonage", "--ttl", "10m", "--join-at", "10m"]);
    assert!(
        event(&vonage, "join")[0]["outcome"]
            .as_str()
            .unwrap()
            .contains("1004")
    );
    let agora = simulate(&["agora", "--ttl", "5m"]);
    assert_eq!(event(&agora, "token-privilege-will-expire")[0]["t"], 270.0);
    assert!(!event(&agora, "kicked").is_empty());
    let renewed = simulate(&[
        "agora",
        "--ttl",
        "5m",
        "--renew-at",
        "4m40s",
        "--until",
        "6m",
    ]);
    assert!(event(&renewed, "kicked").is_empty());
}

#[test]
fn simulate_is_repeatable_with_a_seed_and_refuses_options_of_other_platforms() {
    let args = [
        "relaybox",
        "--endpoint-down-at",
        "870s",
        "--endpoint-up-at",
        "930s",
        "--seed",
        "7",
    ];
    assert_eq!(simulate(&args), simulate(&args));
    for (args, expected) in [
        (
            vec!["simulate", "zoom", "--renew-at", "1m"],
            "--renew-at applies to agora, twilio or ably only",
        ),
        (
            vec!["simulate", "vonage", "--endpoint-down-at", "1m"],
            "apply to relaybox or ably only",
        ),
        (
            vec!["simulate", "zoom", "--join-at", "soon"],
            "is not a duration",
        ),
        (vec!["simulate", "teams"], "invalid value 'teams'"),
    ] {
        let out = run(tokenbench().args(&args));
        assert_eq!(out.code, 2, "{args:?}");
        assert!(out.stderr.contains(expected), "{args:?}: {}", out.stderr);
    }
    let table = run(tokenbench().args(["simulate", "zoom", "--now", NOW]));
    assert!(
        table.stdout.lines().nth(1).unwrap().starts_with("t "),
        "{}",
        table.stdout
    );
}

// ---- any JWT: mint jwt, inspect --key-file ----

/// An Ed25519 private JWK (a test key) and its public JWK.
fn ed25519_jwk_pair() -> (String, String) {
    use base64::Engine as _;
    let key = ed25519_dalek::SigningKey::from_bytes(&[11; 32]);
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let x = b64(key.verifying_key().as_bytes());
    (
        serde_json::json!({"kty": "OKP", "crv": "Ed25519", "kid": "k1", "x": x, "d": b64(key.as_bytes())})
            .to_string(),
        serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k1", "x": x}]}).to_string(),
    )
}

#[test]
fn mint_jwt_then_inspect_with_the_public_jwks() {
    let dir = tempfile::tempdir().unwrap();
    let (private, jwks) = ed25519_jwk_pair();
    let private_path = dir.path().join("private.jwk");
    let jwks_path = dir.path().join("jwks.json");
    std::fs::write(&private_path, private).unwrap();
    std::fs::write(&jwks_path, jwks).unwrap();
    let minted = run(tokenbench().args([
        "mint",
        "jwt",
        "--alg",
        "EdDSA",
        "--key-file",
        private_path.to_str().unwrap(),
        "--claim",
        "sub=alice",
        "--header",
        "typ=at+jwt",
        "--ttl",
        "15m",
        "--now",
        NOW,
        "--json",
    ]));
    assert_eq!(minted.code, 0, "{}", minted.stderr);
    let report = json(&minted);
    assert_eq!(report["platform"], Value::Null);
    assert_eq!(report["signature"], "valid");
    assert_eq!(
        report["header"]["kid"], "k1",
        "the JWK's kid goes into the header"
    );
    assert_eq!(report["header"]["typ"], "at+jwt");
    assert_eq!(report["claims"]["exp"], NOW_UNIX + 900);
    let token = report["token"].as_str().unwrap();
    let inspected = run(tokenbench().args([
        "inspect",
        token,
        "--key-file",
        jwks_path.to_str().unwrap(),
        "--now",
        NOW,
    ]));
    assert_eq!(inspected.code, 0, "{}", inspected.stdout);
    assert!(
        inspected.stdout.contains("unknown platform · jwt EdDSA"),
        "{}",
        inspected.stdout
    );
    assert!(inspected.stdout.contains("signature valid"));
    assert!(
        inspected.stdout.contains("(subject: whom it is about)"),
        "{}",
        inspected.stdout
    );
    // --key names the kid the token should have.
    let wrong = run(tokenbench().args([
        "inspect",
        token,
        "--key-file",
        jwks_path.to_str().unwrap(),
        "--key",
        "k2",
        "--now",
        NOW,
        "--json",
    ]));
    assert_eq!(wrong.code, 1);
    assert!(rules(&json(&wrong)).contains(&"key-mismatch"));
}

#[test]
fn mint_jwt_says_what_is_wrong_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let (_, jwks) = ed25519_jwk_pair();
    let public = dir.path().join("jwks.json");
    std::fs::write(&public, jwks).unwrap();
    for (args, says) in [
        (vec!["mint", "jwt"], "needs --alg"),
        (
            vec!["mint", "jwt", "--alg", "hs256", "--secret", "b64:c2VjcmV0"],
            "not a JWS algorithm",
        ),
        (vec!["mint", "jwt", "--alg", "RS256"], "needs a key"),
        (
            vec![
                "mint",
                "jwt",
                "--alg",
                "EdDSA",
                "--key-file",
                public.to_str().unwrap(),
            ],
            "holds no private key",
        ),
        (
            vec![
                "mint",
                "jwt",
                "--alg",
                "HS256",
                "--secret",
                "b64:c2VjcmV0",
                "--role",
                "host",
            ],
            "--role does not apply to mint jwt",
        ),
        (
            vec!["mint", "zoom", "--alg", "HS256"],
            "--alg belongs to mint jwt",
        ),
        (
            vec![
                "mint",
                "jwt",
                "--alg",
                "HS256",
                "--secret",
                "b64:c2VjcmV0",
                "--header",
                "alg=none",
            ],
            "--header alg",
        ),
    ] {
        let out = run(tokenbench().args(&args));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    }
    // A short secret is a warning, never a refusal.
    let weak = run(tokenbench().args([
        "mint",
        "jwt",
        "--alg",
        "HS256",
        "--secret",
        "b64:c2VjcmV0",
        "--now",
        NOW,
        "--json",
    ]));
    assert_eq!(weak.code, 0, "{}", weak.stderr);
    assert!(rules(&json(&weak)).contains(&"jwt.weak-secret"));
}

#[test]
fn inspect_reads_a_pem_certificate_and_refuses_a_broken_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let token = mint_token(&["jwt", "--alg", "HS256", "--secret", "b64:c2VjcmV0c2VjcmV0"]);
    let out = run(tokenbench().args([
        "inspect",
        &token,
        "--key-file",
        broken.to_str().unwrap(),
        "--json",
        "--now",
        NOW,
    ]));
    let report = json(&out);
    assert_eq!(report["signature"], "unverified");
    assert!(rules(&report).contains(&"secret.unusable"), "{report:#}");
    assert!(
        !rules(&report).contains(&"jwt.unverified"),
        "one finding says why"
    );
    assert_eq!(out.code, 1);
}

#[test]
fn twilio_grants_account_and_identity_from_the_command_line_and_the_environment() {
    let out = run(tokenbench()
        .args([
            "mint",
            "twilio",
            "--identity",
            "bob",
            "--topic",
            "room1",
            "--grant",
            "voice.outgoing.application_sid=AP00000000000000000000000000000000",
            "--grant",
            "voice.incoming.allow=true",
            "--grant",
            "chat.service_sid=IS00000000000000000000000000000000",
            "--ttl",
            "10m",
            "--now",
            NOW,
            "--json",
        ])
        .env("TWILIO_ACCOUNT_SID", "AC11111111111111111111111111111111")
        .env("TWILIO_API_KEY", "SK22222222222222222222222222222222")
        .env("TWILIO_API_SECRET", "twilio-api-secret-twilio-api-secret-1"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = json(&out);
    assert_eq!(report["header"]["cty"], "twilio-fpa;v=1");
    assert_eq!(
        report["claims"]["grants"],
        serde_json::json!({"identity": "bob", "video": {"room": "room1"},
            "voice": {"incoming": {"allow": true}, "outgoing": {"application_sid": "AP00000000000000000000000000000000"}},
            "chat": {"service_sid": "IS00000000000000000000000000000000"}})
    );
    assert_eq!(
        report["claims"]["sub"],
        "AC11111111111111111111111111111111"
    );
    assert_eq!(
        report["claims"]["iss"],
        "SK22222222222222222222222222222222"
    );
    assert_eq!(
        report["claims"]["jti"],
        format!("SK22222222222222222222222222222222-{NOW_UNIX}")
    );
    assert!(rules(&report).is_empty(), "{:?}", rules(&report));
    // The same secret from the environment verifies it; a given key without its account does not mint.
    let checked = run(tokenbench()
        .args([
            "inspect",
            report["token"].as_str().unwrap(),
            "--now",
            NOW,
            "--json",
        ])
        .env("TWILIO_API_SECRET", "twilio-api-secret-twilio-api-secret-1"));
    assert_eq!(json(&checked)["signature"], "valid");
    let out = run(tokenbench()
        .args([
            "mint",
            "twilio",
            "--key",
            "SK22222222222222222222222222222222",
            "--secret",
            "env:TW_SECRET",
        ])
        .env("TW_SECRET", "twilio-api-secret-twilio-api-secret-1"));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--account or set TWILIO_ACCOUNT_SID"),
        "{}",
        out.stderr
    );
    let out = run(tokenbench().args(["mint", "twilio", "--grant", "voice.incoming.allow=maybe"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("true or false"), "{}", out.stderr);
}

#[test]
fn twilio_strict_fails_on_a_ttl_over_24_hours_and_a_long_identity() {
    let ok = run(tokenbench().args([
        "mint", "twilio", "--ttl", "86400s", "--strict", "--now", NOW,
    ]));
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    let long = run(tokenbench().args([
        "mint", "twilio", "--ttl", "86401s", "--strict", "--now", NOW, "--json",
    ]));
    assert_eq!(long.code, 1);
    assert!(rules(&json(&long)).contains(&"twilio.ttl-max"));
    let identity = "日".repeat(65);
    let wide = run(tokenbench().args([
        "mint",
        "twilio",
        "--client-id",
        &identity,
        "--now",
        NOW,
        "--json",
    ]));
    assert!(rules(&json(&wide)).contains(&"twilio.identity-length"));
}

#[test]
fn ably_mints_both_formats_and_inspects_a_token_request_pasted_as_json() {
    let key = "appId1.keyId1:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
    let jwt = json(&run(tokenbench()
        .args([
            "mint",
            "ably",
            "--permission",
            "chat:*=subscribe,publish",
            "--client-id",
            "alice",
            "--now",
            NOW,
            "--json",
        ])
        .env("ABLY_API_KEY", key)));
    assert_eq!(jwt["format"], "jwt");
    assert_eq!(jwt["header"]["kid"], "appId1.keyId1");
    assert_eq!(
        jwt["claims"]["x-ably-capability"],
        r#"{"chat:*":["publish","subscribe"]}"#
    );
    let out = run(tokenbench()
        .args([
            "mint",
            "ably",
            "--format",
            "token-request",
            "--ttl",
            "1h",
            "--client-id",
            "alice",
            "--now",
            NOW,
            "--json",
        ])
        .env("ABLY_API_KEY", key));
    let request = json(&out);
    assert_eq!(request["format"], "ably-token-request");
    assert_eq!(request["header"], Value::Null);
    assert_eq!(request["claims"]["ttl"], 3_600_000);
    assert_eq!(request["claims"]["timestamp"], NOW_UNIX * 1000);
    assert_eq!(request["expires_at"], "2026-11-22T11:00:00Z");
    // The same --now, the same nonce.
    let again = json(&run(tokenbench()
        .args([
            "mint",
            "ably",
            "--format",
            "token-request",
            "--ttl",
            "1h",
            "--client-id",
            "alice",
            "--now",
            NOW,
            "--json",
        ])
        .env("ABLY_API_KEY", key)));
    assert_eq!(again["claims"]["nonce"], request["claims"]["nonce"]);
    // Pasted as JSON, with spaces around: read as the TokenRequest, verified with the API key.
    let pasted = format!("  {}\n", request["token"].as_str().unwrap());
    let checked = json(&run(tokenbench()
        .args([
            "inspect",
            &pasted,
            "--secret",
            "env:ABLY_KEY",
            "--now",
            NOW,
            "--json",
        ])
        .env("ABLY_KEY", key)));
    assert_eq!(checked["platform"], "ably");
    assert_eq!(checked["format"], "ably-token-request");
    assert_eq!(checked["signature"], "valid");
    assert!(rules(&checked).is_empty(), "{:?}", rules(&checked));
    // Signed with this secret but naming another key: refused by Ably.
    let other = "appId1.other:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
    let wrong = run(tokenbench()
        .args([
            "inspect",
            &pasted,
            "--secret",
            "env:ABLY_KEY",
            "--now",
            NOW,
            "--json",
        ])
        .env("ABLY_KEY", other));
    assert_eq!(wrong.code, 1);
    assert!(rules(&json(&wrong)).contains(&"ably.kid"));
    let units = run(tokenbench().args(["inspect", r#"{"keyName":"a.b","ttl":999,"timestamp":1795341600000,"nonce":"0123456789abcdef","mac":"x"}"#, "--now", NOW, "--json"]));
    assert!(rules(&json(&units)).contains(&"ably.ttl-units"));
    let not_one = run(tokenbench().args(["inspect", r#"{"token":"x"}"#]));
    assert_eq!(not_one.code, 2);
    assert!(
        not_one.stderr.contains("Ably TokenRequest"),
        "{}",
        not_one.stderr
    );
}

#[test]
fn livekit_mints_with_lk_token_creates_flags_and_inspect_reads_the_grants_in_words() {
    let out = run(tokenbench().args([
        "mint",
        "livekit",
        "--role",
        "none",
        "--identity",
        "bob",
        "--room",
        "r1",
        "--join",
        "--allow-update-metadata",
        "--allow-source",
        "camera,microphone",
        "--valid-for",
        "1h",
        "--grant",
        "canSubscribe=false",
        "--attribute",
        "team=blue",
        "--now",
        NOW,
        "--json",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let minted = json(&out);
    assert_eq!(minted["platform"], "livekit");
    assert_eq!(minted["header"], serde_json::json!({"alg": "HS256"}));
    assert_eq!(
        minted["claims"]["video"],
        serde_json::json!({"roomJoin": true, "room": "r1", "canSubscribe": false,
            "canPublishSources": ["camera", "microphone"], "canUpdateOwnMetadata": true})
    );
    assert_eq!(minted["claims"]["sub"], "bob");
    assert_eq!(minted["claims"]["nbf"], NOW_UNIX);
    assert_eq!(minted["claims"]["exp"], NOW_UNIX + 3600);
    assert_eq!(minted["issued_at"], NOW);
    let words = finding(&minted, "livekit.effective-permissions");
    assert_eq!(
        words["message"],
        "as the server reads the grant: publishes only camera, microphone; cannot subscribe; sends data; may update its own metadata"
    );

    // lk's --grant takes the video grant as JSON: the same token.
    let out = run(tokenbench().args([
        "mint",
        "livekit",
        "--role",
        "none",
        "--identity",
        "bob",
        "--room",
        "r1",
        "--join",
        "--allow-update-metadata",
        "--grant",
        r#"{"canSubscribe":false,"canPublishSources":["camera","microphone"]}"#,
        "--valid-for",
        "1h",
        "--attribute",
        "team=blue",
        "--now",
        NOW,
        "--json",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(json(&out)["token"], minted["token"]);

    // Pasted without its platform, the token is found to be LiveKit's and checked with the demo key.
    let token = minted["token"].as_str().unwrap();
    let out = run(tokenbench().args(["inspect", token, "--now", NOW, "--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = json(&out);
    assert_eq!(report["platform"], "livekit");
    assert_eq!(report["signature"], "valid");

    // A join token without identity or room: the server's refusals, and exit 1 under --strict.
    let out = run(tokenbench().args([
        "mint",
        "livekit",
        "--identity",
        "",
        "--room",
        "",
        "--now",
        NOW,
        "--json",
        "--strict",
    ]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = json(&out);
    let found = rules(&report);
    assert!(found.contains(&"livekit.identity-required"), "{found:?}");
    assert!(found.contains(&"livekit.room-missing"), "{found:?}");
}

#[test]
fn livekit_usage_errors_name_the_grant_the_source_or_the_room_config() {
    for (args, says) in [
        (
            vec!["--grant", "canPublsh=true"],
            "'canPublsh' is not a LiveKit grant",
        ),
        (
            vec!["--grant", "hidden=yes"],
            "hidden=yes: a grant switch is true or false",
        ),
        (
            vec!["--allow-source", "webcam"],
            "'webcam' is not a track source",
        ),
        (
            vec!["--room-config", "{\"agents\":"],
            "the room config is not JSON",
        ),
        (vec!["--role", "king"], "'king' is not a LiveKit role"),
    ] {
        let out = run(tokenbench()
            .args(["mint", "livekit", "--now", NOW])
            .args(&args));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    }
}

#[test]
fn simulate_livekit_refreshes_a_connected_client_and_refuses_a_late_join_with_the_401() {
    let events = simulate(&["livekit", "--ttl", "1h"]);
    let refreshed = event(&events, "token-refreshed");
    assert_eq!(refreshed[0]["t"], 0.0);
    assert!(
        refreshed[0]["outcome"]
            .as_str()
            .unwrap()
            .contains("valid for max(10 min, the time the original has left)")
    );
    let late = simulate(&["livekit", "--ttl", "10m", "--join-at", "11m"]);
    assert!(
        event(&late, "join")[0]["outcome"]
            .as_str()
            .unwrap()
            .contains(
                "HTTP 401 invalid authorization token: token has invalid claims: token is expired"
            )
    );
}

// ---- the small defects of issue #15, one test each ----

#[test]
fn mint_help_shows_the_count_placeholder_as_written() {
    let out = run(tokenbench().args(["mint", "--help"]));
    assert_eq!(out.code, 0);
    let count = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("--count"))
        .unwrap();
    assert!(
        count.contains("one per line; {n} in any text field becomes 0 to N-1"),
        "{count}"
    );
}

#[test]
fn strict_with_token_only_says_on_stderr_why_it_exits_1() {
    let out = run(tokenbench().args([
        "mint",
        "zoom",
        "--now",
        NOW,
        "--ttl",
        "10m",
        "--strict",
        "--token-only",
    ]));
    assert_eq!(out.code, 1);
    assert!(out.stdout.starts_with("eyJ"), "{}", out.stdout);
    assert!(
        out.stderr.contains("--strict") && out.stderr.contains("zoom.exp-window"),
        "{}",
        out.stderr
    );
}

#[test]
fn expiry_has_one_rule_a_bare_exp_is_unix_seconds_and_ttl_takes_spaces() {
    let early = run(tokenbench().args(["mint", "zoom", "--now", NOW, "--exp", "90"]));
    assert_eq!(early.code, 2);
    assert!(
        early
            .stderr
            .contains("'90' reads as unix seconds, which is 1970-01-01T00:01:30Z: for a lifetime use --ttl 90s"),
        "{}",
        early.stderr
    );
    let spaced =
        json(&run(tokenbench().args([
            "mint", "zoom", "--now", NOW, "--ttl", "1h 30m", "--json",
        ])));
    assert_eq!(spaced["expires_in_seconds"], 5400);
    let bare_ttl =
        json(&run(tokenbench().args([
            "mint", "zoom", "--now", NOW, "--ttl", "90", "--json",
        ])));
    assert_eq!(bare_ttl["expires_in_seconds"], 90, "a bare ttl is seconds");
    let help = run(tokenbench().args(["mint", "--help"])).stdout;
    assert!(help.contains("--exp <TIME>") && help.contains("RFC 3339 or unix seconds"));
}

#[test]
fn not_yet_valid_writes_its_time_in_one_format() {
    let out = run(tokenbench().args([
        "mint",
        "zoom",
        "--now",
        NOW,
        "--claim",
        &format!("nbf={}", NOW_UNIX + 7200),
    ]));
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("jwt.not-yet-valid"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(
        line.contains("the token is not valid until 2026-11-22T12:00:00Z (in 2h)"),
        "{line}"
    );
    assert!(!out.stdout.contains("+00:00"), "{}", out.stdout);
}

#[test]
fn an_exp_before_iat_is_said_in_words_not_as_a_negative_count() {
    let report = json(&run(tokenbench().args([
        "mint",
        "zoom",
        "--now",
        NOW,
        "--claim",
        &format!("iat={}", NOW_UNIX + 86_400),
        "--json",
    ])));
    let window = finding(&report, "zoom.exp-window");
    let message = window["message"].as_str().unwrap();
    assert!(message.contains("before iat"), "{message}");
    assert!(!message.contains("-"), "no negative count: {message}");
}

#[test]
fn count_zero_says_it_must_be_one_or_more() {
    let out = run(tokenbench().args(["mint", "zoom", "--count", "0"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("it must be 1 or more"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("18446744073709551615"));
}

#[test]
fn a_bad_relaybox_room_names_its_character() {
    let report = json(&run(tokenbench().args([
        "mint",
        "relaybox",
        "--now",
        NOW,
        "--permission",
        "lob#by=*",
        "--json",
    ])));
    let room_chars = finding(&report, "relaybox.room-chars");
    assert!(
        room_chars["message"]
            .as_str()
            .unwrap()
            .contains("\"lob#by\" has #,"),
        "{room_chars}"
    );
}

#[test]
fn a_relaybox_claim_error_gives_examples_that_are_not_zooms() {
    let out = run(tokenbench().args(["mint", "relaybox", "--claim", "bad"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("use NAME=VALUE"), "{}", out.stderr);
    for zoom_claim in ["geo_regions", "cloud_recording", "tpc", "role_type"] {
        assert!(!out.stderr.contains(zoom_claim), "{}", out.stderr);
    }
}

/// An unsigned JWT: `{"alg":"none"}` and `claims`, with an empty signature.
fn unsigned(claims: &Value) -> String {
    use base64::Engine as _;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.",
        b64(&serde_json::json!({"alg": "none", "typ": "JWT"})),
        b64(claims)
    )
}

#[test]
fn an_alg_none_token_is_told_to_be_signed_not_to_pass_a_secret() {
    let token = unsigned(&serde_json::json!({"sub": "x", "exp": NOW_UNIX + 600}));
    let out = run(tokenbench().args(["inspect", &token, "--now", NOW]));
    assert!(out.stdout.contains("jwt.alg-none"), "{}", out.stdout);
    assert!(out.stdout.contains("sign it with the issuer's key"));
    assert!(!out.stdout.contains("--secret"), "{}", out.stdout);
}

#[test]
fn demo_credentials_on_a_broken_signature_say_checked_not_signed() {
    let token = mint_token(&["zoom"]);
    let broken = format!("{}A", &token[..token.len() - 1]);
    let report = json(&run(
        tokenbench().args(["inspect", &broken, "--now", NOW, "--json"])
    ));
    assert_eq!(report["signature"], "invalid");
    let demo = finding(&report, "demo-credentials");
    let message = demo["message"].as_str().unwrap();
    assert!(message.starts_with("checked with"), "{message}");
    assert!(!message.contains("signed with"), "{message}");
}

#[test]
fn no_output_points_to_a_section_of_a_document_users_do_not_have() {
    let mut texts = vec![
        run(tokenbench().args(["platforms"])).stdout,
        run(tokenbench().args(["mint", "--help"])).stdout,
    ];
    for platform in tokenbench::platform::ids() {
        texts.push(run(tokenbench().args(["mint", platform, "--now", NOW, "--ttl", "90d"])).stdout);
        texts.push(run(tokenbench().args(["simulate", platform, "--now", NOW])).stdout);
    }
    for text in texts {
        assert!(!text.contains('§'), "{text}");
        assert!(!text.contains("PLATFORMS.md"), "{text}");
    }
}
