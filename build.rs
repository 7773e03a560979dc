//! Link settings for the `tokenbench` binary that make a short command (`inspect`, `mint`)
//! start with less to load:
//!
//! - packed relative relocations (DT_RELR, `-z pack-relative-relocs`): the relocation table
//!   shrinks from about 1 MB to a few kilobytes, which every run reads at start;
//! - a function order (`link/startup.order`, written by `scripts/startup-order`): the
//!   functions the short commands run are laid out together, so a run maps a few hundred
//!   kilobytes of code instead of pages scattered over all of it (peak RSS of `inspect`
//!   4.6 MB → 2.2–2.7 MB).
//!
//! Each is a request to the linker that not every linker or C library honours (DT_RELR needs
//! lld or binutils ≥ 2.38 and glibc ≥ 2.36; the order needs lld, rustc's default linker on
//! x86_64 Linux since 1.90), so each is tried first: a tiny program is built with the same
//! rustc, target, flags and linker as the real build, with the option, and run. Where that
//! fails, the binary is linked without it; it only starts a little heavier.

use std::env;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const ORDER_FILE: &str = "link/startup.order";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={ORDER_FILE}");
    let (Ok(target), Ok(host), Some(out)) = (
        env::var("TARGET"),
        env::var("HOST"),
        env::var_os("OUT_DIR").map(PathBuf::from),
    ) else {
        return;
    };
    // The probe must run where the binary will.
    if target != host || !target.contains("-linux-") {
        return;
    }
    let order = Path::new(&env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join(ORDER_FILE);
    let mut candidates: Vec<(&str, Vec<OsString>)> =
        vec![("relr", vec!["-z".into(), "pack-relative-relocs".into()])];
    if order.is_file() {
        let mut ordering = OsString::from("--symbol-ordering-file=");
        ordering.push(&order);
        candidates.push(("order", vec![ordering, "--no-warn-symbol-ordering".into()]));
    }
    for (name, linker_args) in candidates {
        if builds_and_runs(&out, &target, name, &linker_args) {
            for arg in &linker_args {
                // `-Xlinker` passes each argument whole: a path with a comma survives it.
                println!("cargo:rustc-link-arg-bins=-Xlinker");
                println!("cargo:rustc-link-arg-bins={}", arg.to_string_lossy());
            }
        }
    }
}

/// Whether a tiny program (with one relative relocation to apply, so DT_RELR is exercised)
/// builds with the real build's rustc, target, flags and linker plus `linker_args`, and runs.
fn builds_and_runs(out: &Path, target: &str, name: &str, linker_args: &[OsString]) -> bool {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let probe = out.join(format!("link-probe-{name}"));
    let mut command = Command::new(rustc);
    command
        .args([
            "--edition",
            "2021",
            "--crate-type",
            "bin",
            "-C",
            "opt-level=0",
        ])
        .args(["--target", target, "-o"])
        .arg(&probe)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    command.args(flags.split('\x1f').filter(|flag| !flag.is_empty()));
    if let Some(linker) = env::var_os("RUSTC_LINKER") {
        let mut arg = OsString::from("linker=");
        arg.push(linker);
        command.arg("-C").arg(arg);
    }
    for arg in linker_args {
        command.args(["-C", "link-arg=-Xlinker"]);
        let mut link_arg = OsString::from("link-arg=");
        link_arg.push(arg);
        command.arg("-C").arg(link_arg);
    }
    let Ok(mut child) = command.spawn() else {
        return false;
    };
    let program = b"static ANSWER: i32 = 42;\n\
        static WHERE: &i32 = &ANSWER;\n\
        fn main() { std::process::exit(*std::hint::black_box(WHERE) - 42) }\n";
    let written = child
        .stdin
        .take()
        .is_some_and(|mut stdin| stdin.write_all(program).is_ok());
    let built = child.wait().is_ok_and(|status| status.success());
    written
        && built
        && Command::new(&probe)
            .status()
            .is_ok_and(|status| status.success())
}
