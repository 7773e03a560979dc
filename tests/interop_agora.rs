//! Agora interop: Agora's own npm packages (agora-token 2.0.6 for 007, agora-access-token 2.0.4
//! for 006, pinned in tests/interop's lockfile) verify and read what tokenbench mints, and
//! tokenbench verifies and reads what every builder of theirs mints.

#[path = "support/node.rs"]
mod support;

use assert_cmd::Command;
use serde_json::Value;
use support::node;

/// 2026-11-22T10:00:00Z.
const NOW: &str = "1795341600";

fn demo() -> (String, String) {
    let demo: Value = serde_json::from_str(include_str!("../assets/demo/agora.json")).unwrap();
    (
        demo["key"].as_str().unwrap().to_string(),
        demo["secret"].as_str().unwrap().to_string(),
    )
}

fn tokenbench(args: &[&str]) -> (i32, Value) {
    let mut cmd = Command::cargo_bin("tokenbench").unwrap();
    for name in tokenbench::platform::credential_env_vars() {
        cmd.env_remove(name);
    }
    let out = cmd.args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "tokenbench {args:?} printed no JSON ({e}): {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
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

/// Our services as agora-token reads them: `[{type, privileges: {id: s}, channel, uid…}]`.
fn as_read_by_agora(report: &Value) -> Vec<(u64, Vec<u64>, String)> {
    report["claims"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let number = match s["type"].as_str().unwrap() {
                "rtc" => 1,
                "rtm" => 2,
                "chat" => 5,
                other => panic!("unexpected service {other}"),
            };
            let mut values: Vec<u64> = s["privileges"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .collect();
            values.sort();
            let who = s["uid"]
                .as_str()
                .or(s["user_id"].as_str())
                .unwrap_or_default();
            (number, values, who.to_string())
        })
        .collect()
}

fn agora_services(verdict: &Value) -> Vec<(u64, Vec<u64>, String)> {
    verdict["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let mut values: Vec<u64> = s["privilege_ids"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .collect();
            values.sort();
            let who = s["uid"]
                .as_str()
                .or(s["user_id"].as_str())
                .unwrap_or_default();
            (s["type"].as_u64().unwrap(), values, who.to_string())
        })
        .collect()
}

#[test]
fn agora_token_verifies_and_reads_every_007_form_tokenbench_mints() {
    let (app_id, certificate) = demo();
    let forms: &[&[&str]] = &[
        &[],
        &[
            "--client-id",
            "2882341273",
            "--topic",
            "7d72365eb983485397e3e3f9d460bdda",
        ],
        &["--role", "subscriber", "--client-id", "alice"],
        &[
            "--privilege",
            "join-channel=2h",
            "--privilege",
            "publish-video=10m",
            "--ttl",
            "3h",
        ],
        &["--service", "rtc+rtm", "--client-id", "alice"],
        &["--service", "rtm", "--client-id", "alice", "--ttl", "1d"],
        &["--service", "chat", "--client-id", "bob"],
        &["--service", "chat-app"],
    ];
    for extra in forms {
        let mut args = vec!["mint", "agora", "--now", NOW, "--json"];
        args.extend_from_slice(extra);
        let (code, minted) = tokenbench(&args);
        assert_eq!(code, 0, "{extra:?}: {minted:#}");
        let token = minted["token"].as_str().unwrap();
        let verdict = node(
            "agora_verify.js",
            &[token, &certificate, "--app-id", &app_id],
        );
        assert_eq!(verdict["valid"], true, "{extra:?}: {verdict:#}");
        assert_eq!(
            verdict["issue_ts"], minted["claims"]["issue_ts"],
            "{extra:?}"
        );
        assert_eq!(verdict["expire"], minted["claims"]["expire"], "{extra:?}");
        assert_eq!(verdict["salt"], minted["claims"]["salt"], "{extra:?}");
        assert_eq!(
            agora_services(&verdict),
            as_read_by_agora(&minted),
            "{extra:?}"
        );
    }
}

#[test]
fn a_changed_byte_of_a_tokenbench_token_fails_agora_tokens_verification() {
    let (_, certificate) = demo();
    let (_, minted) = tokenbench(&["mint", "agora", "--now", NOW, "--json", "--client-id", "7"]);
    let token = minted["token"].as_str().unwrap();
    for offset in ["2", "40", "76", "90"] {
        let verdict = node("agora_verify.js", &[token, &certificate, "--flip", offset]);
        assert_eq!(verdict["parsed"], true, "{offset}: {verdict:#}");
        assert_eq!(verdict["valid"], false, "{offset}: {verdict:#}");
    }
}

/// Arguments for each builder of agora-token, after the app id and certificate.
fn builder_args(builder: &str) -> Vec<&'static str> {
    let channel = "7d72365eb983485397e3e3f9d460bdda";
    match builder {
        "RtcTokenBuilder.buildTokenWithUid" => {
            vec![channel, "2882341273", "publisher", "600", "600"]
        }
        "RtcTokenBuilder.buildTokenWithUserAccount" => {
            vec![channel, "alice", "subscriber", "600", "600"]
        }
        "RtcTokenBuilder.buildTokenWithUidAndPrivilege" => {
            vec![channel, "2882341273", "900", "600", "300", "300", "300"]
        }
        "RtcTokenBuilder.BuildTokenWithUserAccountAndPrivilege" => {
            vec![channel, "alice", "900", "600", "300", "300", "300"]
        }
        "RtcTokenBuilder.buildTokenWithRtm" => vec![channel, "alice", "publisher", "600", "600"],
        "RtcTokenBuilder.buildTokenWithRtm2" => vec![
            channel,
            "alice",
            "publisher",
            "600",
            "600",
            "600",
            "600",
            "600",
            "alice",
            "600",
        ],
        "RtmTokenBuilder.buildToken" => vec!["alice", "600"],
        "RtmTokenBuilder.buildTokenWithPermissions" => {
            vec!["alice", r#"{"0":{"0":["lobby"]}}"#, "600"]
        }
        "ChatTokenBuilder.buildUserToken" => vec!["alice", "600"],
        "ChatTokenBuilder.buildAppToken"
        | "ApaasTokenBuilder.buildAppToken"
        | "EducationTokenBuilder.buildAppToken" => vec!["600"],
        "ApaasTokenBuilder.buildRoomUserToken" | "EducationTokenBuilder.buildRoomUserToken" => {
            vec!["room-1", "alice", "1", "600"]
        }
        "ApaasTokenBuilder.buildUserToken" | "EducationTokenBuilder.buildUserToken" => {
            vec!["alice", "600"]
        }
        "FpaTokenBuilder.buildToken" => vec![],
        "ConvoAITokenBuilder.buildToken" | "SttTokenBuilder.buildToken" => vec![
            channel,
            "alice",
            "publisher",
            "600",
            "600",
            "600",
            "600",
            "600",
            "alice",
            "600",
        ],
        other => panic!("a builder this test does not know: {other}; add its arguments"),
    }
}

#[test]
fn tokens_of_every_agora_token_builder_verify_in_tokenbench_without_a_false_error() {
    let (app_id, certificate) = demo();
    let list = node("agora_mint.js", &["list"]);
    let builders: Vec<&String> = list["builders"].as_object().unwrap().keys().collect();
    assert!(builders.len() >= 19, "{list:#}");
    for builder in builders {
        let mut args = vec![builder.as_str(), &app_id, &certificate];
        args.extend(builder_args(builder));
        args.extend(["--now", NOW, "--salt", "12345"]);
        let minted = node("agora_mint.js", &args);
        let token = minted["token"].as_str().unwrap();
        let secret = format!("b64:{}", base64_of(&certificate));
        let (code, report) = tokenbench(&[
            "inspect", token, "--secret", &secret, "--json", "--now", NOW,
        ]);
        assert_eq!(report["platform"], "agora", "{builder}: {report:#}");
        assert_eq!(report["signature"], "valid", "{builder}: {report:#}");
        assert_eq!(
            report["claims"]["issue_ts"], minted["decoded"]["issue_ts"],
            "{builder}"
        );
        assert_eq!(report["claims"]["salt"], 12345, "{builder}");
        assert_eq!(
            report["claims"]["services"].as_array().unwrap().len(),
            minted["decoded"]["services"].as_array().unwrap().len(),
            "{builder}: {report:#}"
        );
        // Agora's own builders may mint what its docs advise against (the FPA builder's login
        // privilege of 0, the APaaS room-user token without a roomUser privilege): those are
        // warnings and information, never a false error.
        assert_eq!(
            errors(&report),
            Vec::<String>::new(),
            "{builder}: {report:#}"
        );
        assert_eq!(code, 0, "{builder}");
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn agora_access_token_006_tokens_verify_with_their_channel_and_uid() {
    let (app_id, certificate) = demo();
    let channel = "7d72365eb983485397e3e3f9d460bdda";
    // agora-access-token's ts is now + 24 h; its privilege times are absolute.
    let privilege = (1_795_341_600i64 + 3600).to_string();
    for (builder, uid, role) in [
        ("rtc-uid", "2882341273", "publisher"),
        ("rtc-uid", "0", "subscriber"),
        ("rtc-account", "alice", "publisher"),
    ] {
        let minted = node(
            "agora006_mint.js",
            &[
                builder,
                &app_id,
                &certificate,
                channel,
                uid,
                role,
                &privilege,
                "--now",
                NOW,
                "--salt",
                "7",
            ],
        );
        let token = minted["token"].as_str().unwrap();
        let secret = format!("b64:{}", base64_of(&certificate));
        let (_, unnamed) = tokenbench(&[
            "inspect", token, "--secret", &secret, "--json", "--now", NOW,
        ]);
        assert_eq!(unnamed["signature"], "unverified", "{builder}: {unnamed:#}");
        assert!(
            unnamed.to_string().contains("--topic and --client-id"),
            "{unnamed:#}"
        );
        let (code, named) = tokenbench(&[
            "inspect",
            token,
            "--secret",
            &secret,
            "--json",
            "--now",
            NOW,
            "--topic",
            channel,
            "--client-id",
            uid,
        ]);
        assert_eq!(named["format"], "agora-006", "{named:#}");
        assert_eq!(named["signature"], "valid", "{builder} {uid}: {named:#}");
        assert_eq!(errors(&named), Vec::<String>::new(), "{builder}: {named:#}");
        assert_eq!(code, 0);
        let (_, wrong) = tokenbench(&[
            "inspect",
            token,
            "--secret",
            &secret,
            "--json",
            "--now",
            NOW,
            "--topic",
            "other",
            "--client-id",
            uid,
        ]);
        assert_eq!(wrong["signature"], "invalid", "{wrong:#}");
    }
}

#[test]
fn agora_access_token_verifies_the_006_tokens_tokenbench_mints() {
    let (_, certificate) = demo();
    for extra in [
        &["--client-id", "2882341273", "--topic", "room"][..],
        &["--client-id", "", "--topic", "room", "--role", "subscriber"],
    ] {
        let mut args = vec!["mint", "agora", "--format", "006", "--now", NOW, "--json"];
        args.extend_from_slice(extra);
        let (code, minted) = tokenbench(&args);
        assert_eq!(code, 0, "{minted:#}");
        let token = minted["token"].as_str().unwrap();
        let uid = extra[1];
        let verdict = node(
            "agora_verify.js",
            &[
                token,
                &certificate,
                "--channel",
                "room",
                "--uid",
                if uid.is_empty() { "0" } else { uid },
            ],
        );
        assert_eq!(verdict["valid"], true, "{extra:?}: {verdict:#}");
    }
}
