//! The real binary in a real terminal: tmux runs the workbench, types into it, reads the token
//! it copied through OSC 52 back from tmux's paste buffer, resizes it, and quits it; serves the
//! forms from it, calls the endpoint over loopback and sees the request listed; checks that
//! typing starts no command, that a burst of keys is a few frames, and that every signal gives
//! the terminal back and that closing the terminal ends the workbench even with SIGHUP ignored;
//! copies into the system clipboard under Xvfb (read back with xclip) and
//! under a headless Wayland compositor (sway, read back with wl-paste).
//!
//! Needs tmux, Xvfb, xclip, sway and wl-paste (scripts/test installs them). Without one a test
//! fails rather than skips.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tokenbench");

/// A tmux server of our own (its own socket, no user configuration), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(width: u16, height: u16, command: &str) -> Tmux {
        match Command::new("tmux").arg("-V").output() {
            Ok(out) if out.status.success() => {}
            _ => panic!(
                "the end-to-end test needs tmux: install it (apt-get install tmux) or run scripts/test"
            ),
        }
        // One server per test: tests run in parallel.
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let tmux = Tmux {
            socket: format!(
                "tokenbench-e2e-{}-{}",
                std::process::id(),
                STARTED.fetch_add(1, Ordering::Relaxed)
            ),
        };
        let (w, h) = (width.to_string(), height.to_string());
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &w,
            "-y",
            &h,
            command,
        ]);
        // Let programs in the pane set tmux's clipboard (a paste buffer) with OSC 52.
        tmux.run(&["set-option", "-s", "set-clipboard", "on"]);
        tmux
    }

    fn output(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.output(args);
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend(keys);
        self.run(&args);
    }

    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", "--", text]);
    }

    fn pane(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", "e2e", format])
            .trim()
            .to_string()
    }

    /// Waits until `check` holds, failing with the screen when it does not within 10 s.
    fn wait_for(&self, what: &str, check: impl Fn(&Tmux) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if check(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "waited in vain for {what}; alternate screen, mouse: {}; the screen:\n{}",
            self.pane("#{alternate_on} #{mouse_any_flag}"),
            self.screen()
        );
    }

    /// The pid of the program the pane's shell runs.
    fn program_pid(&self) -> u32 {
        let shell = self.pane("#{pane_pid}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
                .unwrap_or_default();
            if let Some(pid) = children.split_whitespace().next() {
                return pid.parse().expect("a pid");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the shell {shell} runs no program");
    }

    fn wait_for_text(&self, text: &str) {
        self.wait_for(&format!("'{text}' on screen"), |t| {
            t.screen().contains(text)
        });
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.output(&["kill-server"]);
    }
}

#[test]
fn edit_copy_resize_and_quit_in_tmux() {
    let tmux = Tmux::start(
        100,
        30,
        &format!("{BIN} tui --now 2026-11-22T10:00:00Z; echo \"exit status $?\"; sleep 60"),
    );
    tmux.wait_for_text("signature valid");
    assert_eq!(tmux.pane("#{alternate_on} #{mouse_any_flag}"), "1 1");

    // Edit the topic: down to it, Enter, type, Enter.
    tmux.keys(&["Down", "Enter"]);
    tmux.type_text("-e2e");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("teammeeting-e2e");

    // Copy: OSC 52 reaches tmux, which keeps it as a paste buffer.
    tmux.keys(&["C-y"]);
    tmux.wait_for_text("copied the token");
    assert!(tmux.screen().contains("via OSC 52"));
    tmux.wait_for("a paste buffer", |t| {
        t.output(&["show-buffer"]).status.success()
    });
    let token = tmux.run(&["show-buffer"]);
    let report = inspected(&token);
    assert_eq!(report["platform"], "zoom");
    assert_eq!(report["claims"]["tpc"], "teammeeting-e2e");
    assert_eq!(report["signature"], "valid");

    // Very small, then back: it keeps running and draws the full screen again.
    tmux.run(&["resize-window", "-t", "e2e", "-x", "3", "-y", "2"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.run(&["resize-window", "-t", "e2e", "-x", "100", "-y", "30"]);
    tmux.wait_for_text("signature valid");
    assert!(!tmux.screen().contains("exit status"), "still running");

    // Ctrl-Q quits with status 0 and the terminal is restored.
    tmux.keys(&["C-q"]);
    // The shell around it prints the exit status (tmux's own pane_dead_status is racy).
    tmux.wait_for_text("exit status");
    assert!(tmux.screen().contains("exit status 0"), "{}", tmux.screen());
    assert_eq!(
        tmux.pane("#{alternate_on} #{mouse_any_flag}"),
        "0 0",
        "the terminal is restored"
    );
}

/// One raw HTTP/1.1 GET over loopback, as any client would send it; the whole answer.
fn get(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("{addr}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn serve_from_the_workbench_and_see_the_request_in_tmux() {
    let tmux = Tmux::start(
        100,
        30,
        &format!(
            "{BIN} tui --now 2026-11-22T10:00:00Z --port 0; echo \"exit status $?\"; sleep 60"
        ),
    );
    tmux.wait_for_text("signature valid");

    // Ctrl-S serves the forms; the status line says where (port 0: a free one).
    tmux.keys(&["C-s"]);
    tmux.wait_for_text("serving on http://127.0.0.1:");
    let screen = tmux.screen();
    let line = screen
        .lines()
        .find(|l| l.starts_with("serving on "))
        .unwrap();
    let url = line["serving on ".len()..].split(' ').next().unwrap();
    let addr: SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    assert!(
        screen.contains(&format!("Requests serving on {url}")),
        "{screen}"
    );

    let answer = get(addr, "/relaybox/auth?clientId=e2e");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    tmux.wait_for_text("GET /relaybox/auth  e2e");

    // Ctrl-S again stops it: the pane keeps the request, nothing listens any more.
    tmux.keys(&["C-s"]);
    tmux.wait_for_text("Requests stopped");
    assert!(TcpStream::connect(addr).is_err(), "{addr} still listens");
    assert!(tmux.screen().contains("GET /relaybox/auth  e2e"));

    tmux.keys(&["C-q"]);
    tmux.wait_for_text("exit status");
    assert!(tmux.screen().contains("exit status 0"), "{}", tmux.screen());
}

/// The TCP ports process `pid` listens on: its sockets (/proc/PID/fd) that /proc/net/tcp and
/// tcp6 list in state LISTEN (0A).
fn listening_ports(pid: u32) -> Vec<u16> {
    let sockets: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|dir| {
            dir.filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
                .filter_map(|link| {
                    let link = link.to_string_lossy().into_owned();
                    Some(
                        link.strip_prefix("socket:[")?
                            .trim_end_matches(']')
                            .to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .flat_map(|table| {
            std::fs::read_to_string(table)
                .unwrap_or_default()
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    let listening = fields.get(3) == Some(&"0A");
                    let ours = fields
                        .get(9)
                        .is_some_and(|inode| sockets.iter().any(|s| s == inode));
                    (listening && ours)
                        .then(|| fields[1].rsplit(':').next())
                        .flatten()
                        .and_then(|port| u16::from_str_radix(port, 16).ok())
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn typing_on_a_focused_field_edits_it_and_starts_nothing() {
    let tmux = Tmux::start(
        120,
        40,
        &format!(
            "{BIN} tui --now 2026-11-22T10:00:00Z --port 0; echo \"exit status $?\"; sleep 60"
        ),
    );
    tmux.wait_for_text("signature valid");
    let pid = tmux.program_pid();
    assert!(listening_ports(pid).is_empty());
    let theme_before = tmux.run(&["capture-pane", "-p", "-e", "-t", "e2e"]);
    // Tab to the session name and type over it: every letter of "standup" was a command once.
    tmux.keys(&["Tab"]);
    tmux.type_text("standup");
    tmux.wait_for_text("\"tpc\": \"standup\"");
    let screen = tmux.screen();
    assert!(screen.contains(" zoom "), "{screen}");
    assert!(!screen.contains("serving on"), "{screen}");
    assert!(listening_ports(pid).is_empty(), "no port was opened");
    let after = tmux.run(&["capture-pane", "-p", "-e", "-t", "e2e"]);
    let background = |capture: &str| capture.contains("\u{1b}[48;2;210;225;245m");
    assert_eq!(
        background(&after),
        background(&theme_before),
        "the theme did not change"
    );
    tmux.keys(&["C-q"]);
    tmux.wait_for_text("exit status 0");
}

#[test]
fn a_burst_of_a_thousand_keys_is_a_few_frames() {
    let tmux = Tmux::start(
        120,
        40,
        &format!(
            "{BIN} tui --platform vonage --now 2026-11-22T10:00:00Z; echo \"exit status $?\"; sleep 60"
        ),
    );
    tmux.wait_for_text("signature valid");
    let pid = tmux.program_pid();
    // Each frame goes out in one write: the program's write calls count its frames.
    let writes = || {
        let io = std::fs::read_to_string(format!("/proc/{pid}/io")).expect("/proc/PID/io");
        io.lines()
            .find_map(|l| l.strip_prefix("syscw: "))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .expect("syscw")
    };
    tmux.keys(&["Down", "Down", "Down"]);
    tmux.wait_for_text("▸connection data");
    std::thread::sleep(Duration::from_millis(1200));
    let before = writes();
    // Typed, not pasted: tmux sends the thousand keys as they are.
    tmux.type_text(&"x".repeat(1000));
    tmux.wait_for("the thousand keys in the token", |t| {
        t.screen().contains("\"connection_data\": \"xxxxxxxx")
    });
    std::thread::sleep(Duration::from_millis(300));
    let frames = writes() - before;
    // A tick a second may draw too; a thousand frames are far off.
    assert!(frames <= 12, "{frames} frames for a burst of 1000 keys");
    tmux.keys(&["Enter"]);
    tmux.keys(&["C-q"]);
    tmux.wait_for_text("exit status 0");
}

#[test]
fn every_signal_gives_the_terminal_back() {
    for (signal, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let tmux = Tmux::start(
            100,
            30,
            &format!(
                "{BIN} tui --now 2026-11-22T10:00:00Z; echo \"exit status $?\"; stty -a; echo end-of-stty; sleep 60"
            ),
        );
        tmux.wait_for_text("signature valid");
        let pid = tmux.program_pid();
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        // The marker after `stty -a`: the whole of its output is on screen.
        tmux.wait_for_text("end-of-stty");
        let screen = tmux.screen();
        assert!(
            screen.contains(&format!("exit status {code}")),
            "{signal}: {screen}"
        );
        let stty = screen.split("exit status").nth(1).unwrap_or_default();
        let flags: Vec<&str> = stty.split_whitespace().collect();
        for flag in ["icanon", "echo", "isig"] {
            assert!(flags.contains(&flag), "{signal}: {flag} is back: {stty}");
        }
        assert_eq!(
            tmux.pane("#{alternate_on} #{mouse_any_flag}"),
            "0 0",
            "{signal}: the screen and the mouse are restored"
        );
    }
}

#[test]
fn closing_the_terminal_ends_the_workbench_even_with_sighup_ignored() {
    // The shell keeps the terminal's session and ignores SIGHUP, and so does the workbench it
    // starts: when the window closes, no signal reaches the program, only the end of its input.
    let dir = tempfile::tempdir().unwrap();
    let status = dir.path().join("status");
    let tmux = Tmux::start(
        100,
        30,
        &format!(
            "trap '' HUP; {BIN} tui --now 2026-11-22T10:00:00Z; echo $? > {}",
            status.display()
        ),
    );
    tmux.wait_for_text("signature valid");
    let pid = tmux.program_pid();
    let ignored_mask = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .map(|mask| u64::from_str_radix(mask.trim(), 16).unwrap())
        .unwrap();
    // SigIgn is a mask with bit n - 1 for signal n; SIGHUP is 1.
    assert_eq!(ignored_mask & 1, 1, "SIGHUP stays ignored");
    tmux.run(&["kill-pane", "-t", "e2e"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        if Instant::now() >= deadline {
            // Leave no spinning program behind the failure.
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("the workbench still runs 5 s after its terminal closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while !status.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        std::fs::read_to_string(&status).unwrap().trim(),
        "129",
        "ends as a hang-up would end it"
    );
}

#[test]
fn a_suspended_workbench_gives_the_terminal_back_and_takes_it_again() {
    let tmux = Tmux::start(
        100,
        30,
        &format!("{BIN} tui --now 2026-11-22T10:00:00Z; echo \"exit status $?\"; sleep 60"),
    );
    tmux.wait_for_text("signature valid");
    let pid = tmux.program_pid().to_string();
    Command::new("kill").args(["-TSTP", &pid]).status().unwrap();
    tmux.wait_for("the terminal given back", |t| {
        t.pane("#{alternate_on} #{mouse_any_flag}") == "0 0"
    });
    Command::new("kill").args(["-CONT", &pid]).status().unwrap();
    tmux.wait_for("the terminal taken again", |t| {
        t.pane("#{alternate_on} #{mouse_any_flag}") == "1 1"
    });
    tmux.wait_for_text("signature valid");
    tmux.keys(&["C-q"]);
    tmux.wait_for_text("exit status 0");
}

/// Pastes `text` into the pane as a terminal paste (bracketed, as the workbench asks for).
fn paste(tmux: &Tmux, text: &str) {
    tmux.run(&["set-buffer", "--", text]);
    tmux.run(&["paste-buffer", "-p", "-t", "e2e"]);
}

#[test]
fn paste_a_token_of_any_issuer_and_its_key_and_see_the_signature_valid() {
    use base64::Engine as _;
    // A key made for the test: Ed25519, its private half as a JWK file, its public half as the
    // PEM an issuer publishes (SPKI: the fixed Ed25519 prefix, then the 32 key bytes).
    let signing = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let b64url = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("issuer.jwk");
    std::fs::write(
        &private,
        serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "kid": "issuer-1",
            "x": b64url(signing.verifying_key().as_bytes()), "d": b64url(signing.as_bytes()),
        })
        .to_string(),
    )
    .unwrap();
    let mut spki = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    spki.extend(signing.verifying_key().as_bytes());
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(&spki)
    );
    let minted = Command::new(BIN)
        .args(["mint", "jwt", "--alg", "EdDSA", "--key-file"])
        .arg(&private)
        .args([
            "--claim",
            "iss=https://issuer.example",
            "--now",
            "2026-11-22T10:00:00Z",
            "--token-only",
        ])
        .output()
        .unwrap();
    assert!(
        minted.status.success(),
        "{}",
        String::from_utf8_lossy(&minted.stderr)
    );
    let token = String::from_utf8(minted.stdout).unwrap();

    let tmux = Tmux::start(
        120,
        40,
        &format!("{BIN} tui --now 2026-11-22T10:00:00Z; echo \"exit status $?\"; sleep 60"),
    );
    tmux.wait_for_text("signature valid");
    paste(&tmux, token.trim());
    tmux.wait_for_text("Any JWT");
    tmux.wait_for_text("signature unverified");
    paste(&tmux, &pem);
    tmux.wait_for_text("the pasted key is in the key box");
    tmux.wait_for_text("signature valid");
    let screen = tmux.screen();
    assert!(screen.contains("an Ed25519 public key (SPKI)"), "{screen}");
    assert!(screen.contains("issuer: who minted it"), "{screen}");
    tmux.keys(&["C-q"]);
    tmux.wait_for_text("exit status 0");
}

/// Fails the test, naming the package, when a program it needs is missing: these tests are
/// never skipped (scripts/test installs them).
fn need(program: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()));
    assert!(
        found,
        "this test needs {program}: install the Debian package {package} (scripts/test does)"
    );
}

/// A child process killed and reaped when dropped (a display server).
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A virtual X server (Xvfb) on a display number it picks itself; the display (":N").
fn start_xvfb() -> (Server, String) {
    need("Xvfb", "xvfb");
    need("xclip", "xclip");
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-nolisten",
            "tcp",
            "-screen",
            "0",
            "640x480x24",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("Xvfb starts");
    // Xvfb writes its display number once it accepts clients.
    let mut number = String::new();
    let mut out = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    while out.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        number.push(byte[0] as char);
    }
    assert!(!number.is_empty(), "Xvfb gave no display number");
    (Server(child), format!(":{}", number.trim()))
}

/// A headless Wayland compositor (sway on wlroots' headless backend, which has the data-control
/// protocol that clipboard tools use) in a runtime directory of its own; the directory and the
/// socket's name. sway refuses to run as root, so as root it runs as `nobody`.
fn start_wayland() -> (Server, tempfile::TempDir, String) {
    need("sway", "sway");
    need("wl-paste", "wl-clipboard");
    let runtime = tempfile::tempdir().unwrap();
    // Its log, for the failure message.
    let log = runtime.path().join("sway.log");
    let as_root = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"));
    let mut command = if as_root {
        let chowned = Command::new("chown")
            .arg("nobody:")
            .arg(runtime.path())
            .status()
            .unwrap();
        assert!(chowned.success(), "chown nobody {:?}", runtime.path());
        let group = Command::new("id").args(["-g", "nobody"]).output().unwrap();
        let group = String::from_utf8_lossy(&group.stdout).trim().to_string();
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=nobody",
            &format!("--regid={group}"),
            "--clear-groups",
            "--",
            "sway",
        ]);
        c
    } else {
        Command::new("sway")
    };
    let child = command
        .args(["-c", "/dev/null"])
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("HOME", runtime.path())
        .env("WLR_BACKENDS", "headless")
        .env("WLR_LIBINPUT_NO_DEVICES", "1")
        .env("WLR_RENDERER", "pixman")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("sway starts");
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let socket = std::fs::read_dir(runtime.path())
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .find(|name| name.starts_with("wayland-") && !name.ends_with(".lock"));
        if let Some(socket) = socket {
            return (server, runtime, socket);
        }
        assert!(
            Instant::now() < deadline,
            "sway opened no Wayland socket: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs the workbench in tmux under `environment` (an `env` argument list), edits the topic,
/// copies with Ctrl-Y and checks the status line says the system clipboard took it; the
/// token tmux got through OSC 52.
fn copy_in_the_workbench(environment: &str) -> (Tmux, String) {
    let tmux = Tmux::start(
        120,
        40,
        &format!(
            "env {environment} {BIN} tui --now 2026-11-22T10:00:00Z; echo \"exit status $?\"; sleep 60"
        ),
    );
    tmux.wait_for_text("signature valid");
    tmux.keys(&["Tab"]);
    tmux.type_text("clipboard-check");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("\"tpc\": \"clipboard-check\"");
    tmux.keys(&["C-y"]);
    tmux.wait_for_text("copied the token");
    let screen = tmux.screen();
    assert!(
        screen.contains("via OSC 52 and the system clipboard"),
        "{screen}"
    );
    tmux.wait_for("a paste buffer", |t| {
        t.output(&["show-buffer"]).status.success()
    });
    let token = tmux.run(&["show-buffer"]);
    (tmux, token)
}

/// What a clipboard reader printed, waited for (a few tries: the owner answers once its loop
/// turns).
fn read_clipboard(reader: &mut Command) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = reader.output().expect("the clipboard reader runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() && !text.is_empty() {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "the clipboard reader found nothing: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The `inspect --json` report of a copied token, at the clock the workbench runs on; the test
/// fails when inspect does not exit 0.
fn inspected(token: &str) -> serde_json::Value {
    let inspect = Command::new(BIN)
        .args([
            "inspect",
            token.trim(),
            "--json",
            "--now",
            "2026-11-22T10:00:05Z",
        ])
        .output()
        .unwrap();
    assert!(
        inspect.status.success(),
        "{}",
        String::from_utf8_lossy(&inspect.stderr)
    );
    serde_json::from_slice(&inspect.stdout).unwrap()
}

fn assert_the_edited_token(copied: &str) {
    let report = inspected(copied);
    assert_eq!(report["claims"]["tpc"], "clipboard-check");
    assert_eq!(report["signature"], "valid");
}

#[test]
fn ctrl_y_reaches_the_x11_clipboard_under_xvfb() {
    let (_xvfb, display) = start_xvfb();
    let (tmux, osc52) = copy_in_the_workbench(&format!("-u WAYLAND_DISPLAY DISPLAY={display}"));
    // xclip asks the X server for the CLIPBOARD selection, which the workbench owns.
    let copied = read_clipboard(
        Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .env("DISPLAY", &display),
    );
    assert_eq!(copied.trim(), osc52.trim());
    assert_the_edited_token(&copied);
    tmux.keys(&["C-q"]);
    tmux.wait_for_text("exit status 0");
}

#[test]
fn ctrl_y_reaches_the_wayland_clipboard_under_a_headless_compositor() {
    let (_sway, runtime, socket) = start_wayland();
    let runtime_dir = runtime.path().display();
    let (tmux, osc52) = copy_in_the_workbench(&format!(
        "-u DISPLAY XDG_RUNTIME_DIR={runtime_dir} WAYLAND_DISPLAY={socket}"
    ));
    let copied = read_clipboard(
        Command::new("wl-paste")
            .arg("--no-newline")
            .env_remove("DISPLAY")
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env("WAYLAND_DISPLAY", &socket),
    );
    assert_eq!(copied.trim(), osc52.trim());
    assert_the_edited_token(&copied);
    tmux.keys(&["C-q"]);
    tmux.wait_for_text("exit status 0");
}
