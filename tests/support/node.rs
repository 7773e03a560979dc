//! Running the vendor scripts of tests/interop (see its README): Node.js with the vendors' npm
//! packages. Missing Node or packages fail the test with the fix; nothing is skipped.

use std::path::PathBuf;
use std::process::Command;

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
    let out = Command::new("node")
        .arg(dir.join(script))
        .args(args)
        .current_dir(&dir)
        .output()
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
