//! Packs the binary's relative relocations (DT_RELR, `-z pack-relative-relocs`) where the
//! linker and the C library both support it: the relocation table shrinks from about 1 MB to a
//! few kilobytes, which every run reads at start (a short `inspect` peaks 1.1 MB lower). It
//! needs binutils ≥ 2.38 (or lld) and glibc ≥ 2.36, so a tiny C program is linked with the flag
//! and run first; where either fails, the binary is linked as before.

use std::env;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const FLAG: &str = "-Wl,-z,pack-relative-relocs";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CC");
    let (Ok(target), Ok(host)) = (env::var("TARGET"), env::var("HOST")) else {
        return;
    };
    // Only for a native glibc build: the probe must run where the binary will.
    if target != host || !target.ends_with("-linux-gnu") {
        return;
    }
    if links_and_runs_packed() {
        println!("cargo:rustc-link-arg-bins={FLAG}");
    }
}

/// Whether `cc` links an empty program with the flag, without a warning, and the program runs.
fn links_and_runs_packed() -> bool {
    let Some(out) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    let probe = out.join("relr-probe");
    let compiler = env::var("CC").unwrap_or_else(|_| "cc".into());
    let Ok(mut child) = Command::new(compiler)
        .args(["-x", "c", "-", "-o"])
        .arg(&probe)
        .args(["-pie", "-fPIE", FLAG, "-Wl,--fatal-warnings"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let program =
        b"static int answer = 42; int *where = &answer; int main(void) { return *where - 42; }\n";
    let written = child
        .stdin
        .take()
        .is_some_and(|mut stdin| stdin.write_all(program).is_ok());
    let linked = child.wait().is_ok_and(|status| status.success());
    written
        && linked
        && Command::new(&probe)
            .status()
            .is_ok_and(|status| status.success())
}
