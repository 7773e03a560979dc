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
    for package in ["jsrsasign", "jsonwebtoken", "@vonage/jwt"] {
        let manifest = dir.join("node_modules").join(package).join("package.json");
        assert!(
            manifest.is_file(),
            "{} is missing: run `npm ci --no-audit --no-fund` in tests/interop (scripts/test does it)",
            manifest.display()
        );
    }
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

/// Runs `tests/interop/.venv/bin/python tests/interop/<script> <args…>` (the pinned PyPI packages)
/// and parses the one JSON object it prints.
pub fn python(script: &str, args: &[&str]) -> Value {
    let dir = interop_dir();
    let python = dir.join(".venv").join("bin").join("python");
    assert!(
        python.is_file(),
        "{} is missing: run scripts/test, which makes the venv from tests/interop/requirements.txt",
        python.display()
    );
    let out = Command::new(&python)
        .arg(dir.join(script))
        .args(args)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("could not run {} ({e})", python.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python {script} failed ({}): {stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("python {script} did not print one JSON object ({e}): {stdout}"))
}
