//! The shape of the code: a platform lives in its folder. Outside `src/platform/` and
//! `src/token/`, at most three code lines may name a platform (comments and test modules aside):
//! the front ends iterate the registry instead.

use std::path::{Path, PathBuf};

/// The Rust files under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether `line` names `id` as a word (`zoom` in `"zoom"` or `Zoom::`, not in `zoomed`).
fn names(line: &str, id: &str) -> bool {
    let lower = line.to_lowercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    lower.match_indices(id).any(|(at, _)| {
        !word(lower[..at].chars().next_back()) && !word(lower[at + id.len()..].chars().next())
    })
}

/// The code lines of a file, numbered: comments and test code left out (a `#[cfg(test)]`
/// module declared with `;` is one line; one with a body runs to the end of the file, where this
/// crate keeps its tests).
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    let mut all = text.lines().enumerate();
    while let Some((number, line)) = all.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            match all.next() {
                Some((_, item)) if item.trim_end().ends_with(';') => continue,
                _ => break,
            }
        }
        if !trimmed.starts_with("//") && !trimmed.is_empty() {
            lines.push((number, line));
        }
    }
    lines
}

#[test]
fn at_most_three_code_lines_outside_the_platform_and_token_layers_name_a_platform() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let inside = |path: &Path| {
        path.starts_with(root.join("platform")) || path.starts_with(root.join("token"))
    };
    // Test modules kept in their own files (`#[cfg(test)] mod tests;`).
    let test_file = |path: &Path| {
        path.file_name()
            .is_some_and(|n| n == "tests.rs" || n == "testing.rs")
    };
    let ids = tokenbench::platform::ids();
    let mut naming = Vec::new();
    for path in files.iter().filter(|p| !inside(p) && !test_file(p)) {
        let text = std::fs::read_to_string(path).unwrap();
        for (number, line) in code_lines(&text) {
            if ids.iter().any(|id| names(line, id)) {
                naming.push(format!(
                    "{}:{}: {}",
                    path.strip_prefix(&root).unwrap().display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        naming.len() <= 3,
        "{} code lines outside src/platform and src/token name a platform (at most 3):\n{}",
        naming.len(),
        naming.join("\n")
    );
}

#[test]
fn the_counter_sees_what_it_should() {
    assert!(names(r#"    "zoom" => 1,"#, "zoom"));
    assert!(names("Zoom::new()", "zoom"));
    assert!(!names("zoomed", "zoom"));
    let text = "fn a() {}\n// zoom\n#[cfg(test)]\nmod testing;\nfn b() {}\n#[cfg(test)]\nmod tests {\n zoom\n}\n";
    let lines: Vec<&str> = code_lines(text).into_iter().map(|(_, l)| l).collect();
    assert_eq!(lines, ["fn a() {}", "fn b() {}"]);
}
