//! Running the vendor scripts of tests/interop (see its README): Node.js with the vendors' npm
//! packages. Missing Node or packages fail the test with the fix; nothing is skipped.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("interop")
}

/// Runs `node tests/interop/<script> <args…>` and parses the one JSON object it prints.
pub fn node(script: &str, args: &[&str]) -> Value {
    let dir = interop_dir();
    // npm writes this at every install: without it, no vendor package is there.
    let installed = dir.join("node_modules").join(".package-lock.json");
    assert!(
        installed.is_file(),
        "{} is missing: run `npm ci --no-audit --no-fund` in tests/interop (scripts/test does it)",
        installed.display()
    );
    let out = output_within(
        Command::new("node")
            .arg(dir.join(script))
            .args(args)
            .current_dir(&dir),
        &format!("node {script}"),
    )
    .unwrap_or_else(|e| {
        panic!("could not run node ({e}): install Node.js >= 20.19 and run scripts/test")
    });
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node {script} failed ({}): {stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("node {script} did not print one JSON object ({e}): {stdout}"))
}

/// The longest a vendor script may take: the slowest (key generation, an SDK's own client
/// against `tokenbench serve`) take a few seconds.
const SCRIPT_LIMIT: Duration = Duration::from_secs(120);

/// Runs `command` as `Command::output` does, with no standard input, but fails the test, naming
/// `what`, when it has not finished within two minutes: a script that hangs (one was seen to,
/// once) fails its test instead of holding the whole suite.
pub fn output_within(command: &mut Command, what: &str) -> std::io::Result<Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout is piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr is piped")));
    let deadline = Instant::now() + SCRIPT_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = stderr.join().unwrap_or_default();
            panic!(
                "{what} did not finish within {} s and was killed; its stderr: {}",
                SCRIPT_LIMIT.as_secs(),
                String::from_utf8_lossy(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}
