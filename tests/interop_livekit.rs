//! LiveKit interop, both ways: npm livekit-server-sdk 2.19.2 (`TokenVerifier`, `AccessToken`) and
//! PyPI livekit-api 1.2.2 (in the venv scripts/test makes from tests/interop/requirements.txt)
//! accept what tokenbench mints and read the same grants; their tokens verify in tokenbench with
//! no error finding, and fill a form that mints the same claims again.

#[path = "support/node.rs"]
mod node;
#[path = "support/python.rs"]
mod python;

use assert_cmd::Command;
use chrono::DateTime;
use node::node;
use python::python;
use serde_json::{Map, Value, json};
use tokenbench::platform::{self, Credentials, Prepared};
use tokenbench::secret::Secret;

/// 2026-11-22T10:00:00Z.
const NOW: i64 = 1_795_341_600;
const KEY: &str = "APIinteropKey1";
const SECRET: &str = "interop-livekit-secret-0123456789abcdef";

fn tokenbench(args: &[&str]) -> (i32, Value) {
    let mut cmd = Command::cargo_bin("tokenbench").unwrap();
    for name in platform::credential_env_vars() {
        cmd.env_remove(name);
    }
    let out = cmd
        .env("TB_LIVEKIT_SECRET", SECRET)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "tokenbench {args:?} printed no JSON ({e}): {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn mint(options: &[&str]) -> Value {
    let now = NOW.to_string();
    let mut args = vec![
        "mint",
        "livekit",
        "--key",
        KEY,
        "--secret",
        "env:TB_LIVEKIT_SECRET",
        "--now",
        &now,
        "--json",
    ];
    args.extend(options);
    let (code, minted) = tokenbench(&args);
    assert_eq!(code, 0, "{minted:#}");
    minted
}

fn inspect(token: &str, at: i64) -> (i32, Value) {
    tokenbench(&[
        "inspect",
        token,
        "--secret",
        "env:TB_LIVEKIT_SECRET",
        "--now",
        &at.to_string(),
        "--json",
    ])
}

fn errors(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| format!("{}: {}", f["rule"], f["message"]))
        .collect()
}

/// tokenbench's options for each case: every grant, role and field the platform mints.
fn cases() -> Vec<Vec<&'static str>> {
    vec![
        vec![],
        vec!["--identity", "bob", "--room", "r1", "--name", "Bob"],
        vec!["--role", "viewer", "--room", "stage"],
        vec![
            "--role",
            "none",
            "--join",
            "--room",
            "r",
            "--allow-update-metadata",
            "--grant",
            "canPublish=true",
            "--allow-source",
            "camera,microphone,screen_share,screen_share_audio",
            "--grant",
            "hidden=true",
            "--grant",
            "canSubscribeMetrics=true",
            "--grant",
            "canManageAgentSession=true",
            "--grant",
            "destinationRoom=other",
        ],
        vec![
            "--role",
            "admin",
            "--create",
            "--list",
            "--egress",
            "--ingress",
        ],
        vec![
            "--role",
            "none",
            "--grant",
            "sip.admin=true",
            "--grant",
            "sip.call=true",
            "--inference",
            "--grant",
            "observability.write=true",
            "--grant",
            "agent.admin=true",
            "--grant",
            "agent.simulationAdmin=true",
            "--grant",
            "agent.databaseAdmin=true",
        ],
        vec![
            "--grant",
            "kind=agent",
            "--grant",
            "kindDetails=cloud_agent,forwarded",
            "--grant",
            "roomPreset=p1",
            "--grant",
            "recorder=true",
            "--grant",
            "agent=true",
            "--metadata",
            r#"{"tier":"gold"}"#,
            "--attribute",
            "team=blue",
            "--attribute",
            "名前=雪",
            "--room-config",
            r#"{"name":"r","emptyTimeout":30,"maxParticipants":5,"agents":[{"agentName":"helper","metadata":"m"}]}"#,
            "--valid-for",
            "10m",
        ],
    ]
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Each member of `ours` (camelCase, as in the token) is in `theirs` under its snake_case name,
/// with the same value: livekit-api's dataclasses read the same grant.
fn assert_read_the_same(ours: &Value, theirs: &Value, what: &str) {
    for (name, value) in ours.as_object().unwrap() {
        assert_eq!(
            &theirs[snake(name)],
            value,
            "{what}.{name}: livekit-api read {theirs:#}"
        );
    }
}

#[test]
fn livekit_server_sdk_and_livekit_api_accept_every_token_tokenbench_mints_with_the_same_grants() {
    for options in cases() {
        let minted = mint(&options);
        let token = minted["token"].as_str().unwrap();
        let claims = &minted["claims"];
        let nbf = claims["nbf"].as_i64().unwrap();
        let exp = claims["exp"].as_i64().unwrap();
        assert_eq!(nbf, NOW);

        let verdict = node(
            "livekit_verify.js",
            &[token, KEY, SECRET, "--now", &nbf.to_string()],
        );
        assert_eq!(verdict["valid"], true, "{options:?}: {verdict:#}");
        assert_eq!(&verdict["claims"], claims, "{options:?}");
        // TokenVerifier's 10 s of clock tolerance, at its edges; another secret is refused.
        let last = node(
            "livekit_verify.js",
            &[token, KEY, SECRET, "--now", &(exp + 9).to_string()],
        );
        assert_eq!(last["valid"], true, "{last:#}");
        let late = node(
            "livekit_verify.js",
            &[token, KEY, SECRET, "--now", &(exp + 10).to_string()],
        );
        assert_eq!(late["error_code"], "ERR_JWT_EXPIRED", "{late:#}");
        let wrong = node(
            "livekit_verify.js",
            &[
                token,
                KEY,
                "another-secret-another-secret-123",
                "--now",
                &nbf.to_string(),
            ],
        );
        assert_eq!(
            wrong["error_code"], "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            "{wrong:#}"
        );

        let read = python(
            "livekit_py.py",
            &["verify", token, KEY, SECRET, "--now", &nbf.to_string()],
        );
        assert_eq!(read["valid"], true, "{options:?}: {read:#}");
        assert_eq!(read["warnings"], json!([]), "{read:#}");
        let theirs = &read["claims"];
        assert_eq!(
            theirs["identity"],
            claims.get("sub").cloned().unwrap_or(json!(""))
        );
        for grant in ["video", "sip", "agent", "inference", "observability"] {
            if let Some(ours) = claims.get(grant) {
                assert_read_the_same(ours, &theirs[grant], grant);
            }
        }
        for (ours, name) in [
            ("name", "name"),
            ("kind", "kind"),
            ("metadata", "metadata"),
            ("attributes", "attributes"),
            ("roomPreset", "room_preset"),
            ("roomConfig", "room_config"),
        ] {
            if let Some(value) = claims.get(ours) {
                assert_eq!(&theirs[name], value, "{ours}: {read:#}");
            }
        }
        // livekit-api's 60 s leeway, the server's, at its edge.
        let python_late = python(
            "livekit_py.py",
            &[
                "verify",
                token,
                KEY,
                SECRET,
                "--now",
                &(exp + 60).to_string(),
            ],
        );
        assert_eq!(
            python_late["error_type"], "ExpiredSignatureError",
            "{python_late:#}"
        );
        let python_last = python(
            "livekit_py.py",
            &[
                "verify",
                token,
                KEY,
                SECRET,
                "--now",
                &(exp + 59).to_string(),
            ],
        );
        assert_eq!(python_last["valid"], true, "{python_last:#}");
    }
}

/// The SDK script options for each case: (node and python options).
fn sdk_cases() -> Vec<Vec<&'static str>> {
    vec![
        vec!["--identity", "alice", "--room", "r1"],
        vec![
            "--identity",
            "bob",
            "--name",
            "Bob",
            "--room",
            "r",
            "--grant-json",
            r#"{"roomJoin":true,"canPublish":false,"canSubscribe":true,"canPublishSources":["camera","microphone"],"hidden":true,"canUpdateOwnMetadata":true}"#,
            "--ttl",
            "600",
        ],
        vec![
            "--identity",
            "agent-1",
            "--grant-json",
            r#"{"roomJoin":true,"agent":true}"#,
            "--room",
            "r",
            "--kind",
            "agent",
            "--sip-json",
            r#"{"admin":true,"call":true}"#,
            "--inference-json",
            r#"{"perform":true}"#,
            "--observability-json",
            r#"{"write":true}"#,
            "--agent-json",
            r#"{"admin":true}"#,
        ],
        vec![
            "--identity",
            "carol",
            "--room",
            "r",
            "--grant-json",
            r#"{"roomJoin":true}"#,
            "--metadata",
            r#"{"a":1}"#,
            "--attribute",
            "team=blue",
            "--attribute",
            "role=host",
            "--room-config-json",
            r#"{"name":"r","emptyTimeout":30,"agents":[{"agentName":"helper"}]}"#,
            "--room-preset",
            "p1",
        ],
        vec![
            "--grant-json",
            r#"{"roomAdmin":true,"roomList":true,"roomCreate":true}"#,
        ],
    ]
}

/// The claims the form `platform.form_from` reads from `token` mints again, at the same time
/// and with the same key.
fn reminted_claims(token: &str) -> Value {
    let decoded = tokenbench::token::inspect(token).unwrap();
    let livekit = platform::detect(&decoded).expect("a LiveKit token is recognised");
    let form = livekit.form_from(&decoded);
    let credentials = Credentials {
        key: KEY.into(),
        secret: Secret::new(SECRET),
        account: None,
        source: platform::CredentialSource::Environment,
    };
    let prepared = Prepared::new(livekit, credentials).unwrap();
    let nbf = decoded.not_before().unwrap();
    let token = prepared.mint_at(&form, nbf, true).unwrap();
    tokenbench::token::inspect(&token).unwrap().claims()
}

#[test]
fn livekit_server_sdk_and_livekit_api_tokens_verify_in_tokenbench_and_fill_a_form_that_mints_them_again()
 {
    let now = NOW.to_string();
    for options in sdk_cases() {
        let mut args = vec!["--api-key", KEY, "--api-secret", SECRET, "--now", &now];
        args.extend(&options);
        let mut python_args = vec!["mint"];
        python_args.extend(&args);
        for (sdk, minted) in [
            ("livekit-server-sdk", node("livekit_mint.js", &args)),
            ("livekit-api", python("livekit_py.py", &python_args)),
        ] {
            let token = minted["token"]
                .as_str()
                .unwrap_or_else(|| panic!("{sdk} refused {options:?}: {minted:#}"));
            let (code, report) = inspect(token, NOW + 30);
            assert_eq!(
                report["platform"], "livekit",
                "{sdk} {options:?}: {report:#}"
            );
            assert_eq!(report["signature"], "valid", "{sdk}: {report:#}");
            assert_eq!(errors(&report), Vec::<String>::new(), "{sdk} {options:?}");
            assert_eq!(code, 0, "{sdk}: {report:#}");
            assert_eq!(report["claims"], minted["claims"], "{sdk}");
            // Pasted, the token fills a form that mints the same claims.
            assert_eq!(
                sorted(reminted_claims(token)),
                sorted(minted["claims"].clone()),
                "{sdk} {options:?}"
            );
        }
    }
}

/// A JSON value with every object's members sorted (claim order is each SDK's own).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut members: Vec<(String, Value)> = map.into_iter().collect();
            members.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k, sorted(v)))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[test]
fn a_node_token_past_exp_is_judged_with_the_servers_60_s_leeway() {
    let now = NOW.to_string();
    let minted = node(
        "livekit_mint.js",
        &[
            "--api-key",
            KEY,
            "--api-secret",
            SECRET,
            "--now",
            &now,
            "--identity",
            "a",
            "--room",
            "r",
            "--grant-json",
            r#"{"roomJoin":true}"#,
            "--ttl",
            "60",
        ],
    );
    let token = minted["token"].as_str().unwrap();
    let exp = DateTime::from_timestamp(NOW + 60, 0).unwrap().timestamp();
    let finding = |at: i64| {
        let (code, report) = inspect(token, at);
        let found = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "jwt.expired")
            .cloned();
        (code, found)
    };
    assert_eq!(finding(exp - 1), (0, None));
    let (code, within) = finding(exp + 59);
    assert_eq!(code, 0);
    assert_eq!(
        within.as_ref().unwrap()["severity"],
        "warning",
        "{within:?}"
    );
    let (code, past) = finding(exp + 60);
    assert_eq!(code, 1);
    let past = past.unwrap();
    assert_eq!(past["severity"], "error");
    assert!(
        past["message"]
            .as_str()
            .unwrap()
            .contains("LiveKit's server allows 60 s"),
        "{past}"
    );
}
