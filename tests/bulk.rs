//! Bulk minting (`mint --count N`): token k of a run is byte for byte the token a single mint
//! of the same inputs gives, and `--jobs` never changes the output.

use assert_cmd::Command;

const NOW: &str = "2026-11-22T10:00:00Z";

/// Every platform and format, with `{n}` in the fields that take it.
const CASES: &[(&str, &[&str])] = &[
    (
        "zoom",
        &[
            "--client-id",
            "user-{n}",
            "--password",
            "p{n}",
            "--claim",
            "tag={\"k\":[\"v{n}\"]}",
        ],
    ),
    ("vonage", &["--data", "user-{n}"]),
    ("opentok", &["--data", "name=user {n}", "--claim", "iat=5"]),
    (
        "opentok",
        &["--legacy-t1", "--data", "user-{n}", "--topic", "s{n}"],
    ),
    (
        "relaybox",
        &[
            "--client-id",
            "c{n}",
            "--permission",
            "chat:{n}=publish,subscribe",
        ],
    ),
];

fn tokenbench() -> Command {
    let mut command = Command::cargo_bin("tokenbench").unwrap();
    for var in tokenbench::platform::credential_env_vars() {
        command.env_remove(var);
    }
    command
}

fn stdout_of(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn mint(platform: &str, args: &[String], extra: &[&str]) -> String {
    stdout_of(
        tokenbench()
            .args(["mint", platform, "--now", NOW])
            .args(args)
            .args(extra),
    )
}

fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

#[test]
fn each_bulk_token_is_the_single_mint_of_its_index() {
    let count = 4;
    for (platform, args) in CASES {
        let bulk = mint(platform, &owned(args), &["--count", &count.to_string()]);
        let lines: Vec<&str> = bulk.lines().collect();
        assert_eq!(lines.len(), count, "{platform} {args:?}");
        for (k, line) in lines.iter().enumerate() {
            let single_args: Vec<String> = args
                .iter()
                .map(|a| a.replace("{n}", &k.to_string()))
                .collect();
            let single = mint(platform, &single_args, &["--token-only"]);
            assert_eq!(single.trim_end(), *line, "{platform} {args:?}, token {k}");
        }
        assert_ne!(lines[0], lines[1], "{platform}: {{n}} changes the token");
    }
}

#[test]
fn token_only_prints_the_same_lines() {
    let (platform, args) = CASES[0];
    assert_eq!(
        mint(platform, &owned(args), &["--count", "3"]),
        mint(platform, &owned(args), &["--count", "3", "--token-only"])
    );
}

#[test]
fn jobs_keep_the_order_of_one_thread() {
    for (platform, count) in [("zoom", "50"), ("vonage", "9"), ("opentok", "17")] {
        let args = owned(&["--data", "u{n}"]);
        let args = if platform == "zoom" {
            owned(&["--client-id", "u{n}"])
        } else {
            args
        };
        let one = mint(platform, &args, &["--count", count, "--jobs", "1"]);
        assert_eq!(one.lines().count(), count.parse::<usize>().unwrap());
        for jobs in ["2", "3"] {
            assert_eq!(
                mint(platform, &args, &["--count", count, "--jobs", jobs]),
                one,
                "{platform} --jobs {jobs}"
            );
        }
    }
    let json_lines = |jobs| {
        mint(
            "zoom",
            &owned(&["--client-id", "u{n}"]),
            &["--count", "5", "--json", "--jobs", jobs],
        )
    };
    assert_eq!(json_lines("2"), json_lines("1"));
}

#[test]
fn a_mint_error_in_bulk_is_one_sentence_and_exit_2() {
    for jobs in ["1", "2"] {
        let output = tokenbench()
            .args([
                "mint", "zoom", "--role", "admin", "--count", "10", "--jobs", jobs,
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("not a zoom role"), "{stderr}");
    }
}

#[test]
fn jobs_zero_is_a_usage_error() {
    let output = tokenbench()
        .args(["mint", "zoom", "--count", "2", "--jobs", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn without_now_the_random_fields_differ_from_token_to_token() {
    for platform in ["vonage", "opentok"] {
        let output = stdout_of(tokenbench().args(["mint", platform, "--count", "4"]));
        let mut lines: Vec<&str> = output.lines().collect();
        assert_eq!(lines.len(), 4);
        lines.sort_unstable();
        lines.dedup();
        assert_eq!(lines.len(), 4, "{platform}: jti / nonce repeat");
    }
}

/// The session id a token names (a JWT's `session_id` claim).
fn session_id(token: &str) -> String {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    claims["session_id"].as_str().unwrap().to_string()
}

#[test]
fn a_run_without_a_session_names_one_made_up_session() {
    for platform in ["vonage", "opentok"] {
        for pinned in [&["--now", NOW][..], &[]] {
            let output = stdout_of(
                tokenbench()
                    .args(["mint", platform, "--count", "3", "--data", "user-{n}"])
                    .args(pinned),
            );
            let sessions: Vec<String> = output.lines().map(session_id).collect();
            assert_eq!(sessions.len(), 3);
            assert!(
                sessions.iter().all(|s| *s == sessions[0]),
                "{platform} {pinned:?}: {sessions:?}"
            );
        }
    }
}

/// The CPU time a process has used so far, in clock ticks (user and system, /proc/PID/stat).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // After the command name, which ends at the last ')': state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn a_blocked_or_closed_output_stops_every_worker() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // RSA tokens on two threads: 100 000 of them would take half a minute.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tokenbench"))
        .args([
            "mint", "vonage", "--now", NOW, "--count", "100000", "--jobs", "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    reader.read_line(&mut first).unwrap();
    assert!(first.starts_with("eyJ"), "{first}");
    // Reading nothing for a while fills the pipe: the writer blocks, and the workers stop when
    // they are as far ahead of it as they may go, so the process goes idle (unbounded, the two
    // workers would go on signing, two seconds of CPU a second).
    std::thread::sleep(std::time::Duration::from_millis(500));
    let idle_from = cpu_ticks(child.id());
    std::thread::sleep(std::time::Duration::from_millis(500));
    let busy = cpu_ticks(child.id()) - idle_from;
    assert!(
        busy <= 10,
        "the workers minted on while the writer was blocked: {busy} ticks in 0.5 s"
    );
    // Then the reader goes: the writer's next write fails, and every worker, waiting or
    // minting, must end, the run cleanly, in moments.
    drop(reader);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("tokenbench went on minting after its output closed");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}
