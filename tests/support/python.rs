//! Running the PyPI scripts of tests/interop with the venv `scripts/test` makes from the pinned
//! requirements.txt. A missing venv fails the test with the fix; nothing is skipped.

use std::process::Command;

use serde_json::Value;

use super::node::{interop_dir, output_within};

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
    let out = output_within(
        Command::new(&python)
            .arg(dir.join(script))
            .args(args)
            .current_dir(&dir),
        &format!("python {script}"),
    )
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
